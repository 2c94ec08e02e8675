/* report_data.c - the figures of a results directory, from its journal,
 * campaign.json and flaw files alone. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "flaws.h"
#include "paths.h"
#include "report_journal.h"
#include "report_json.h"
#include "report_priv.h"

_Static_assert(sizeof(struct rrun) == 40, "a run's struct is 40 bytes");

const char *const report_outcomes[OC_N] = {
	"no-effect", "recovered", "flaw", "unjudged", "set-aside", "infra-error", "other",
};

/* ---- interned strings -------------------------------------------------- */

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int strtab_find(const struct strtab *t, const char *s)
{
	if (!t->nslot)
		return -1;
	for (unsigned i = hash(s) & (unsigned)(t->nslot - 1);; i = (i + 1) & (unsigned)(t->nslot - 1)) {
		int k = t->slot[i];

		if (!k)
			return -1;
		if (!strcmp(t->s[k - 1], s))
			return k - 1;
	}
}

static void rehash(struct strtab *t)
{
	t->nslot = t->nslot ? 2 * t->nslot : 64;
	free(t->slot);
	t->slot = xcalloc((size_t)t->nslot, sizeof(int));
	for (int k = 0; k < t->n; k++) {
		unsigned i = hash(t->s[k]) & (unsigned)(t->nslot - 1);

		while (t->slot[i])
			i = (i + 1) & (unsigned)(t->nslot - 1);
		t->slot[i] = k + 1;
	}
}

int strtab_intern(struct strtab *t, const char *s)
{
	int k = strtab_find(t, s);
	unsigned i;

	if (k >= 0)
		return k;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->s = xrealloc(t->s, (size_t)t->cap * sizeof(char *));
	}
	t->s[t->n++] = xstrdup(s);
	if (2 * t->n > t->nslot) {
		rehash(t);
		return t->n - 1;
	}
	for (i = hash(s) & (unsigned)(t->nslot - 1); t->slot[i];
	     i = (i + 1) & (unsigned)(t->nslot - 1))
		;
	t->slot[i] = t->n;
	return t->n - 1;
}

void strtab_release(struct strtab *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- small helpers ----------------------------------------------------- */

/* n decimal digits at s, or -1. */
static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int64_t report_parse_time(const char *s)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int y, mo, d, h, mi, sec, ms = 0;
	const char *p;
	int64_t days;

	if (!s || strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return 0;
	y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	h = num(s + 11, 2), mi = num(s + 14, 2), sec = num(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	p = s + 19;
	if (*p == '.') {
		int digits = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		for (; digits < 3 && digits > 0; digits++)
			ms *= 10;
	}
	if (*p != 'Z')
		return 0;
	/* days since 1970-01-01 in the proleptic Gregorian calendar */
	days = (int64_t)(y - 1970) * 365 + ((y - 1969) / 4) - ((y - 1901) / 100) +
	       ((y - 1601) / 400) + before[mo - 1] + d - 1;
	if (mo > 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		days++;
	return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
}

const char *report_meta(const struct report_data *d, const char *path)
{
	json_t *v = d->campaign;
	char *copy = xstrdup(path), *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	free(copy);
	return json_string_value(v);
}

/* Grown by half each time: the slack of the largest arrays is memory. */
static void push_ms(int32_t **v, long long *n, long long *cap, long long x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap + *cap / 2 : 1024;
		*v = xrealloc(*v, (size_t)*cap * sizeof(int32_t));
	}
	(*v)[(*n)++] = (int32_t)x;
}

int report_outcome_of(const char *s)
{
	for (int i = 0; i < OC_N - 1; i++)
		if (!strcmp(s, report_outcomes[i]))
			return i;
	return OC_OTHER;
}

static int flaw_slot(struct report_data *d, const char *id)
{
	int k = strtab_find(&d->flaw_ids, id);

	if (k >= 0)
		return k;
	k = strtab_intern(&d->flaw_ids, id);
	if (d->n_flaws == d->cap_flaws) {
		d->cap_flaws = d->cap_flaws ? 2 * d->cap_flaws : 16;
		d->flaws = xrealloc(d->flaws, (size_t)d->cap_flaws * sizeof(*d->flaws));
	}
	memset(&d->flaws[k], 0, sizeof(d->flaws[k]));
	d->flaws[k].id = xstrdup(id);
	d->n_flaws++;
	return k;
}

static int type_slot(struct report_data *d, const char *type)
{
	int before = d->type_names.n, k = strtab_intern(&d->type_names, type);

	if (d->type_names.n > before) {
		d->types = xrealloc(d->types, (size_t)d->type_names.n * sizeof(*d->types));
		memset(&d->types[k], 0, sizeof(d->types[k]));
	}
	return k;
}

static int oracle_slot(struct report_data *d, const char *name)
{
	int before = d->oracle_names.n, k = strtab_intern(&d->oracle_names, name);

	if (d->oracle_names.n > before) {
		d->oracles = xrealloc(d->oracles, (size_t)d->oracle_names.n * sizeof(*d->oracles));
		memset(&d->oracles[k], 0, sizeof(d->oracles[k]));
	}
	return k;
}

static struct rpair *pair_slot(struct report_data *d, int oracle, int type)
{
	for (int i = d->n_pairs - 1; i >= 0; i--)
		if (d->pairs[i].oracle == oracle && d->pairs[i].type == type)
			return &d->pairs[i];
	if (d->n_pairs == d->cap_pairs) {
		d->cap_pairs = d->cap_pairs ? 2 * d->cap_pairs : 16;
		d->pairs = xrealloc(d->pairs, (size_t)d->cap_pairs * sizeof(*d->pairs));
	}
	d->pairs[d->n_pairs] = (struct rpair){ .oracle = oracle, .type = type };
	return &d->pairs[d->n_pairs++];
}

/* ---- the journal ------------------------------------------------------- */

static void close_session(struct report_data *d)
{
	if (d->sess_first && d->sess_last > d->sess_first)
		d->active_ms += d->sess_last - d->sess_first;
	d->sess_first = d->sess_last = 0;
}

/* The fault texts of a run: "type@node, ..." and its distinct types. */
static void fault_texts(struct report_data *d, const struct rrec *r, struct rrun *run,
			int *types, int *n_types)
{
	struct buf shown = BUF_INIT, kinds = BUF_INIT;

	*n_types = 0;
	for (int i = 0; i < r->n_faults; i++) {
		const struct rrec_fault *f = &r->faults[i];
		const char *t = f->type.len ? f->type.data : "-";
		int k = type_slot(d, t), dup = 0;

		if (i)
			buf_adds(&shown, ", ");
		buf_adds(&shown, t);
		if (f->node.len)
			buf_addf(&shown, "@%s", f->node.data);
		for (int j = 0; j < *n_types; j++)
			dup |= types[j] == k;
		if (dup || *n_types >= 16)
			continue;
		types[(*n_types)++] = k;
		if (kinds.len)
			buf_addch(&kinds, ' ');
		buf_adds(&kinds, t);
	}
	if (!r->n_faults) {
		types[(*n_types)++] = type_slot(d, "none");
		buf_adds(&kinds, "none");
	}
	run->faults = shown.len ? strtab_intern(&d->str, shown.data) : -1;
	run->types = strtab_intern(&d->str, kinds.data);
	buf_release(&shown);
	buf_release(&kinds);
}

static void add_run(struct report_data *d, const struct rrec *r)
{
	struct rrun run = { .run = r->run, .duration_ms = -1, .reset_ms = -1,
			    .class_ = -1, .flaw = -1, .new_templates = -1 };
	int types[16], n_types;
	int64_t started = report_parse_time(r->started.data);
	int64_t ended = report_parse_time(r->ended.data);
	double seconds = r->duration_ms > 0 ? r->duration_ms / 1000.0 : 0;

	run.outcome = (uint32_t)report_outcome_of(r->outcome.data) & 31;
	run.started_ms = started;
	if (r->new_templates >= 0)
		run.new_templates = r->new_templates < 32767 ? r->new_templates : 32767;
	if (r->duration_ms >= 0 && r->duration_ms <= INT32_MAX)
		run.duration_ms = (int32_t)r->duration_ms;
	if (r->reset_ms >= 0 && r->reset_ms <= INT32_MAX) {
		run.reset_ms = (int32_t)r->reset_ms;
		push_ms(&d->reset, &d->n_reset, &d->cap_reset, r->reset_ms);
	}
	for (int i = 0; i < r->n_ready; i++)
		if (r->ready_ms[i] >= 0 && r->ready_ms[i] <= INT32_MAX)
			push_ms(&d->ready, &d->n_ready, &d->cap_ready, r->ready_ms[i]);
	if (r->class_.len)
		run.class_ = strtab_intern(&d->str, r->class_.data);
	if (run.outcome == OC_FLAW && r->flaw.len) {
		struct rflaw *f;
		int k = flaw_slot(d, r->flaw.data);

		f = &d->flaws[k];
		run.flaw = k < (1 << 26) ? k : -1;	/* 67 million flaws */
		if (!f->journal_runs || r->run < f->journal_first)
			f->journal_first = r->run;
		if (r->run > f->journal_last)
			f->journal_last = r->run;
		f->journal_runs++;
	}
	fault_texts(d, r, &run, types, &n_types);
	d->oc[run.outcome]++;
	if (r->testbed >= 1 && r->testbed <= REPORT_TESTBEDS_MAX)
		d->by_testbed[r->testbed]++;
	for (int i = 0; i < n_types; i++) {
		d->types[types[i]].runs++;
		d->types[types[i]].oc[run.outcome]++;
		d->types[types[i]].seconds += seconds;
	}
	for (int k = 0; k < r->n_oracles; k++) {
		int o = oracle_slot(d, r->oracles[k].name.len ? r->oracles[k].name.data : "-");
		enum rrec_verdict v = r->oracles[k].verdict;

		d->oracles[o].pass += v == RV_PASS;
		d->oracles[o].fail += v == RV_FAIL;
		d->oracles[o].unknown += v == RV_UNKNOWN;
		for (int i = 0; i < n_types; i++) {
			struct rpair *p = pair_slot(d, o, types[i]);

			p->runs++;
			p->pass += v == RV_PASS;
			p->fail += v == RV_FAIL;
			p->unknown += v == RV_UNKNOWN;
			p->seconds += seconds;
		}
	}
	if (started && (!d->first_ms || started < d->first_ms))
		d->first_ms = started;
	if (ended > d->last_ms)
		d->last_ms = ended;
	if (started && !d->sess_first)
		d->sess_first = started;
	if (ended > d->sess_last)
		d->sess_last = ended;
	if (d->n_runs == d->cap_runs) {
		d->cap_runs = d->cap_runs ? 2 * d->cap_runs : 1024;
		d->runs = xrealloc(d->runs, (size_t)d->cap_runs * sizeof(*d->runs));
	}
	d->runs[d->n_runs++] = run;
}

struct walk {
	struct report_data *d;
	const struct report_hooks *hooks;
};

static int on_record(const struct rrec *r, void *ctx, struct err *e)
{
	struct walk *w = ctx;
	struct report_data *d = w->d;

	d->records++;
	switch (r->type) {
	case RREC_RUN:
		if (r->run < 1)
			break;
		add_run(d, r);
		if (w->hooks && w->hooks->run &&
		    w->hooks->run(d, r, w->hooks->ctx, e) < 0)
			return -1;
		break;
	case RREC_INFRA:
		d->infra_events++;
		if (!strcmp(r->action.data, "quarantine")) {
			free(d->infra_stop);
			d->infra_stop = xstrdup(r->error.len ? r->error.data : "unknown");
			d->infra_stop_run = r->run;
		}
		break;
	case RREC_CAMPAIGN:
		d->campaign_events++;
		if (!strcmp(r->event.data, "start") || !strcmp(r->event.data, "resume")) {
			close_session(d);
			free(d->infra_stop);	/* a new session: the stop is history */
			d->infra_stop = NULL;
		}
		if (!strcmp(r->event.data, "stop") && r->infra_stop == 0) {
			/* a testbed was quarantined and the others went on */
			free(d->infra_stop);
			d->infra_stop = NULL;
		} else if (!strcmp(r->event.data, "stop") && r->infra_stop == 1 &&
			   !d->infra_stop) {
			d->infra_stop = xstrdup(r->error.len ? r->error.data : "no testbed left");
		}
		free(d->last_event);
		d->last_event = xstrdup(r->event.data);
		break;
	case RREC_OTHER:
		break;
	}
	return 0;
}

/* ---- after the walk ---------------------------------------------------- */

static void add_warning(struct report_data *d, char *text)
{
	d->warnings = xrealloc(d->warnings, (size_t)(d->n_warnings + 1) * sizeof(char *));
	d->warnings[d->n_warnings++] = text;
}

static void journal_warnings(struct report_data *d, const struct rwalk_pos *pos)
{
	d->ignored = pos->ignored;
	d->ignored_line = pos->ignored_line;
	if (d->ignored)
		add_warning(d, xasprintf("%lld journal record%s ignored: %s \"flaw\" is "
			"not a flaw id (%d lower-case hex digits); the first is on line %lld",
			d->ignored, d->ignored == 1 ? "" : "s", d->ignored == 1 ? "its" : "their",
			FLAWS_ID_LEN, d->ignored_line));
	d->torn = pos->torn;
	if (d->torn)
		add_warning(d, xasprintf("the journal's last line is torn (%lld byte%s): "
			"ignored; a resume repairs it", d->torn, d->torn == 1 ? "" : "s"));
}

/* A merge of some of a campaign's shards (campaign.json's "merged_from",
 * `campaign merge`) covers only their runs: say which are there. */
static void shard_warning(struct report_data *d)
{
	json_t *from = json_object_get(d->campaign, "merged_from"), *s;
	long long count = 0;
	struct buf b = BUF_INIT;
	size_t i, n = 0;

	json_array_foreach(from, i, s) {
		long long index = json_integer_value(json_object_get(s, "index"));

		count = json_integer_value(json_object_get(s, "count"));
		buf_addf(&b, "%s%lld", n++ ? ", " : "", index);
	}
	if (n && (long long)n < count)
		add_warning(d, xasprintf("shards present: %s of %lld; the runs of the "
					 "others are missing", b.data, count));
	buf_release(&b);
}

static int by_run(const void *a, const void *b)
{
	long long x = ((const struct rrun *)a)->run, y = ((const struct rrun *)b)->run;

	return x < y ? -1 : x > y;
}

/* A journal of one testbed, or a merged one, is in run order already:
 * then the sort and its temporary copy of every run (qsort() is a merge
 * sort) are not needed. */
static int runs_sorted(const struct report_data *d)
{
	for (long long i = 1; i < d->n_runs; i++)
		if (d->runs[i - 1].run > d->runs[i].run)
			return 0;
	return 1;
}

/* Put the k-th smallest of v[0..n) at v[k], the smaller ones before it
 * and the others after (Hoare's selection, in place: a long campaign has
 * millions of latencies, and a sort would take a copy of them all). */
static void select_ms(int32_t *v, long long n, long long k)
{
	long long lo = 0, hi = n - 1;

	while (lo < hi) {
		int32_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
		int32_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		long long i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				int32_t t = v[i];

				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Nearest rank: the smallest value with at least p% of values <= it. */
static long long rank_at(long long n, double p)
{
	long long k = (long long)ceil(p / 100.0 * (double)n);

	return k < 1 ? 0 : k > n ? n - 1 : k - 1;
}

static void stats(int32_t *v, long long n, struct rstat *s)
{
	long long k99 = rank_at(n, 99), k95 = rank_at(n, 95), k50 = rank_at(n, 50);
	double sum = 0;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	s->min = s->max = v[0];
	for (long long i = 0; i < n; i++) {
		sum += (double)v[i];
		s->min = v[i] < s->min ? v[i] : s->min;
		s->max = v[i] > s->max ? v[i] : s->max;
	}
	s->n = n;
	s->mean = sum / (double)n;
	select_ms(v, n, k99);		/* then the smaller ranks lie below it */
	s->p99 = v[k99];
	select_ms(v, k99 + 1, k95);
	s->p95 = v[k95];
	select_ms(v, k95 + 1, k50);
	s->p50 = v[k50];
}

/* About 30 bins up to a nice bound past p99; the last bin holds the rest. */
static void histogram(const int32_t *v, long long n, const struct rstat *s,
		      struct rhist *h)
{
	double hi;

	memset(h, 0, sizeof(*h));
	if (!n)
		return;
	hi = (double)s->p99 * 1.2;
	if ((double)s->max <= hi * 1.5)
		hi = (double)s->max;
	if (hi < 30)
		hi = 30;
	h->bin_ms = (long long)svg_nice_step(hi, 30);
	if (h->bin_ms < 1)
		h->bin_ms = 1;
	h->n_bins = (int)(hi / (double)h->bin_ms) + 1;
	h->counts = xcalloc((size_t)h->n_bins, sizeof(long long));
	for (long long i = 0; i < n; i++) {
		long long b = v[i] / h->bin_ms;

		h->counts[b >= h->n_bins ? h->n_bins - 1 : b]++;
	}
}

static void saturation(struct report_data *d)
{
	char *seen = xcalloc((size_t)d->n_flaws + 1, 1);
	int n = 0;

	d->sat = xcalloc((size_t)d->n_flaws + 2, sizeof(*d->sat));
	for (long long i = 0; i < d->n_runs; i++) {
		int f = d->runs[i].flaw;

		if (f < 0 || seen[f])
			continue;
		seen[f] = 1;
		d->sat[d->n_sat++] = (struct rsat){ d->runs[i].run, ++n };
	}
	free(seen);
}

/* A guided campaign's log templates seen after each run that found new
 * ones, in run order (the journal's order is completion order). */
static void templates_curve(struct report_data *d)
{
	int n = 0, guided = 0;

	free(d->tmpl);
	d->tmpl = NULL;
	d->n_tmpl = 0;
	for (long long i = 0; i < d->n_runs; i++)
		guided |= d->runs[i].new_templates >= 0;
	if (!guided)
		return;
	d->tmpl = xcalloc((size_t)d->n_runs + 1, sizeof(*d->tmpl));
	for (long long i = 0; i < d->n_runs; i++)
		if (d->runs[i].new_templates > 0) {
			n += d->runs[i].new_templates;
			d->tmpl[d->n_tmpl++] = (struct rsat){ d->runs[i].run, n };
		}
	if (!d->n_tmpl)	/* guided, nothing new: a flat curve */
		d->tmpl[d->n_tmpl++] = (struct rsat){ d->runs[0].run, 0 };
}

/* ---- flaw files -------------------------------------------------------- */

/* A string member into *ret (replacing it); other kinds are skipped. */
static int take_str(struct rj *c, char **ret, struct buf *tmp)
{
	int got = rj_str(c, tmp);

	if (got > 0) {
		free(*ret);
		*ret = xstrdup(tmp->data);
	}
	return got;
}

/* {"run": N, "time": "..."} */
static int sighting(struct rj *c, long long *run, char **time, struct buf *tmp)
{
	struct buf key = BUF_INIT;
	int first, m = -1;

	if (rj_peek(c) != RJ_OBJECT) {
		buf_release(&key);
		return rj_skip(c);
	}
	if (rj_object(c, &first) < 0)
		goto out;
	while ((m = rj_member(c, &first, &key)) > 0) {
		int r = !strcmp(key.data, "run") ? rj_int(c, run)
		      : !strcmp(key.data, "time") ? take_str(c, time, tmp) : rj_skip(c);

		if (r < 0) {
			m = -1;
			break;
		}
	}
out:
	buf_release(&key);
	return m;
}

static int count_elements(struct rj *c, int *ret)
{
	int first, k;

	*ret = 0;
	if (rj_peek(c) != RJ_ARRAY)
		return rj_skip(c);
	if (rj_array(c, &first) < 0)
		return -1;
	while ((k = rj_element(c, &first)) > 0) {
		if (rj_skip(c) < 0)
			return -1;
		(*ret)++;
	}
	return k;
}

/* The small members of a flaw file, without building its traces. */
static int flaw_summary(struct rflaw *f, const char *text, size_t len)
{
	struct buf key = BUF_INIT, tmp = BUF_INIT;
	struct rj c;
	int first, m = -1;

	rj_init(&c, text, len);
	if (rj_object(&c, &first) < 0)
		goto out;
	while ((m = rj_member(&c, &first, &key)) > 0) {
		const char *k = key.data;
		int r = !strcmp(k, "signature") ? take_str(&c, &f->signature, &tmp)
		      : !strcmp(k, "oracle") ? take_str(&c, &f->oracle, &tmp)
		      : !strcmp(k, "fault") ? take_str(&c, &f->fault, &tmp)
		      : !strcmp(k, "role") ? take_str(&c, &f->role, &tmp)
		      : !strcmp(k, "class") ? take_str(&c, &f->class_, &tmp)
		      : !strcmp(k, "count") ? rj_int(&c, &f->count)
		      : !strcmp(k, "first_seen") ? sighting(&c, &f->first_run, &f->first_time, &tmp)
		      : !strcmp(k, "last_seen") ? sighting(&c, &f->last_run, &f->last_time, &tmp)
		      : !strcmp(k, "examples") ? count_elements(&c, &f->n_examples)
		      : rj_skip(&c);

		if (r < 0) {
			m = -1;
			break;
		}
	}
	if (m == 0 && rj_end(&c) < 0)
		m = -1;
	f->has_file = 1;
out:
	buf_release(&key);
	buf_release(&tmp);
	return m;
}

static long long first_run_of(const struct rflaw *f)
{
	return f->journal_runs ? f->journal_first : f->first_run;
}

static int by_first(const void *a, const void *b)
{
	const struct rflaw *x = a, *y = b;
	long long p = first_run_of(x), q = first_run_of(y);

	return p != q ? (p < q ? -1 : 1) : strcmp(x->id, y->id);
}

/* Read every flaw file's summary (the journal may not know a flaw yet),
 * sort the flaws by first sighting and renumber the runs' references. */
static int load_flaw_summaries(struct report_data *d, char **names, int n,
			       struct err *e)
{
	int *map;

	struct buf text = BUF_INIT;

	for (int i = 0; i < n; i++) {
		char id[16], *path = xasprintf("%s/flaws/%s", d->dir, names[i]);

		snprintf(id, sizeof(id), "%.12s", names[i]);
		if (paths_read_file(path, NULL, FLAWS_FILE_MAX, &text, e) < 0 ||
		    (flaw_summary(&d->flaws[flaw_slot(d, id)], text.data, text.len) < 0 &&
		     err_set(e, "cannot read flaw file '%s': not valid JSON", path))) {
			free(path);
			buf_release(&text);
			return -1;
		}
		free(path);
	}
	buf_release(&text);
	map = xcalloc((size_t)d->n_flaws + 1, sizeof(int));
	{
		/* sort a copy of the indices, then permute */
		struct rflaw *sorted = xcalloc((size_t)d->n_flaws + 1, sizeof(*sorted));

		if (d->n_flaws) {
			memcpy(sorted, d->flaws, (size_t)d->n_flaws * sizeof(*sorted));
			qsort(sorted, (size_t)d->n_flaws, sizeof(*sorted), by_first);
		}
		for (int i = 0; i < d->n_flaws; i++)
			map[strtab_find(&d->flaw_ids, sorted[i].id)] = i;
		free(d->flaws);
		d->flaws = sorted;
		d->cap_flaws = d->n_flaws + 1;
	}
	for (long long i = 0; i < d->n_runs; i++)
		if (d->runs[i].flaw >= 0)
			d->runs[i].flaw = map[d->runs[i].flaw];
	strtab_release(&d->flaw_ids);
	for (int i = 0; i < d->n_flaws; i++)
		strtab_intern(&d->flaw_ids, d->flaws[i].id);
	free(map);
	return 0;
}

static void compare_baseline(struct report_data *d)
{
	int n = baseline_count(d->baseline);

	for (int i = 0; i < d->n_flaws; i++) {
		struct rflaw *f = &d->flaws[i];

		f->known = f->signature && baseline_has(d->baseline, f->signature);
		if (f->known)
			d->known_flaws++;
		else
			d->new_flaws++;
	}
	d->gone = xcalloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; i < n; i++) {
		const char *sig = baseline_signature(d->baseline, i);
		int seen = 0;

		for (int k = 0; k < d->n_flaws && !seen; k++)
			seen = d->flaws[k].signature && !strcmp(d->flaws[k].signature, sig);
		if (!seen)
			d->gone[d->n_gone++] = xstrdup(sig);
	}
}

/* Hand each flaw file, in the sorted order, to fn. */
static int each_flaw_file(struct report_data *d, report_flaw_fn fn, void *ctx,
			  struct err *e)
{
	struct buf text = BUF_INIT;

	for (int i = 0; i < d->n_flaws; i++) {
		char *path;
		json_error_t jerr;
		json_t *j;
		int r;

		if (!d->flaws[i].has_file)
			continue;
		path = xasprintf("%s/flaws/%s.json", d->dir, d->flaws[i].id);
		if (paths_read_file(path, NULL, FLAWS_FILE_MAX, &text, e) < 0) {
			free(path);
			buf_release(&text);
			return -1;
		}
		j = json_loadb(text.data, text.len, 0, &jerr);
		if (!j) {
			err_set(e, "cannot read flaw file '%s': line %d: %s", path,
				jerr.line, jerr.text);
			free(path);
			buf_release(&text);
			return -1;
		}
		free(path);
		r = fn(d, i, j, ctx, e);
		json_decref(j);
		if (r < 0) {
			buf_release(&text);
			return -1;
		}
	}
	buf_release(&text);
	return 0;
}

int report_load_campaign(const char *dir, json_t **ret, struct err *e)
{
	char *path = xasprintf("%s/campaign.json", dir);
	struct buf text = BUF_INIT;
	int r = 0;

	*ret = NULL;
	if (paths_read_file(path, NULL, REPORT_CAMPAIGN_MAX, &text, e) == 0)
		*ret = json_loadb(text.data, text.len, 0, NULL);
	else if (errno != ENOENT)
		r = -1;
	buf_release(&text);
	free(path);
	return r;
}

int report_data_load(struct report_data *d, const char *dir,
		     const struct baseline *bl, report_flaw_fn fn, void *ctx,
		     struct err *e)
{
	struct report_hooks hooks = { fn, NULL, ctx };

	return report_data_load_from(d, dir, NULL, bl, &hooks, e);
}

int report_data_load_from(struct report_data *d, const char *dir,
			  const char *journal_path, const struct baseline *bl,
			  const struct report_hooks *hooks, struct err *e)
{
	struct rwalk_pos pos = { 0, 0, 0, 0, 0, 0 };
	struct walk w = { d, hooks };
	char **names = NULL;
	int n = 0, r = -1;

	memset(d, 0, sizeof(*d));
	d->dir = xstrdup(dir);
	d->baseline = bl;
	clock_format_wall(clock_wall_ns(), d->generated);
	if (report_load_campaign(dir, &d->campaign, e) < 0)
		return -1;
	d->planned = json_integer_value(json_object_get(json_object_get(
		json_object_get(d->campaign, "config"), "schedule"), "runs"));
	if ((journal_path ? report_journal_walk_file(journal_path, &pos, on_record, &w, e)
			  : report_journal_walk(dir, &pos, on_record, &w, e)) < 0)
		return -1;
	journal_warnings(d, &pos);
	shard_warning(d);
	close_session(d);
	if (d->n_runs && !runs_sorted(d))
		qsort(d->runs, (size_t)d->n_runs, sizeof(*d->runs), by_run);
	if (baseline_flaw_files(dir, &names, &n, e) < 0)
		return -1;
	if (load_flaw_summaries(d, names, n, e) < 0)
		goto out;
	saturation(d);
	templates_curve(d);
	stats(d->ready, d->n_ready, &d->ready_stat);
	stats(d->reset, d->n_reset, &d->reset_stat);
	histogram(d->ready, d->n_ready, &d->ready_stat, &d->ready_hist);
	compare_baseline(d);
	r = hooks && hooks->flaw ? each_flaw_file(d, hooks->flaw, hooks->ctx, e) : 0;
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

long long report_run_index(const struct report_data *d, long long run)
{
	long long lo = 0, hi = d->n_runs - 1;

	while (lo <= hi) {
		long long mid = lo + (hi - lo) / 2;

		if (d->runs[mid].run == run)
			return mid;
		if (d->runs[mid].run < run)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

void report_data_release(struct report_data *d)
{
	for (int i = 0; i < d->n_flaws; i++) {
		struct rflaw *f = &d->flaws[i];

		free(f->id);
		free(f->signature);
		free(f->oracle);
		free(f->fault);
		free(f->role);
		free(f->class_);
		free(f->first_time);
		free(f->last_time);
	}
	free(d->flaws);
	for (int i = 0; i < d->n_gone; i++)
		free(d->gone[i]);
	free(d->gone);
	strtab_release(&d->flaw_ids);
	strtab_release(&d->str);
	strtab_release(&d->type_names);
	strtab_release(&d->oracle_names);
	free(d->types);
	free(d->oracles);
	free(d->pairs);
	free(d->runs);
	free(d->ready);
	free(d->reset);
	free(d->ready_hist.counts);
	free(d->sat);
	free(d->tmpl);
	free(d->infra_stop);
	free(d->last_event);
	for (int i = 0; i < d->n_warnings; i++)
		free(d->warnings[i]);
	free(d->warnings);
	json_decref(d->campaign);
	free(d->dir);
	memset(d, 0, sizeof(*d));
}
