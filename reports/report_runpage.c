/* report_runpage.c - one run as a section of a page: its plan (faults,
 * targets, times, drawn parameters), the faults as they went (applied or
 * not, why, evidence), the probes over time, the oracles' verdicts, the
 * resets and phases, and links to its files in the results directory.
 *
 * Made from the run's journal line alone, from the members whose places
 * the walk's parse noted (rrec.span): the line is read once to check it
 * and find them, then only those members are read again here, with the
 * cursor of report_json.h (no tree is built). Every text of the line
 * reaches the page through report_esc().
 */
#include <stdlib.h>
#include <string.h>

#include "flaws.h"
#include "report_json.h"
#include "report_runpage.h"

/* The members shown in the run's header: strings RS_OUTCOME .. RS_FLAW,
 * then the integers up to RS_ATTEMPTS. */
#define META_N (RS_FLAW + 1)
#define HEAD_N (RS_ATTEMPTS + 1)

struct sample {
	long long t, lat;
	int failed;
};

struct runpage_ctx {
	struct buf meta[META_N];
	long long duration_ms, testbed, attempts;
	struct buf key, text, probe, node;
	struct buf verdict[4];	/* oracle, verdict, class, reason */
	struct sample *samples;
	int n_samples, cap_samples;
};

struct runpage_ctx *runpage_ctx_new(void)
{
	struct runpage_ctx *x = xcalloc(1, sizeof(*x));

	for (int i = 0; i < META_N; i++)
		buf_init(&x->meta[i]);
	buf_init(&x->key);
	buf_init(&x->text);
	buf_init(&x->probe);
	buf_init(&x->node);
	for (int i = 0; i < 4; i++)
		buf_init(&x->verdict[i]);
	return x;
}

void runpage_ctx_free(struct runpage_ctx *x)
{
	if (!x)
		return;
	for (int i = 0; i < META_N; i++)
		buf_release(&x->meta[i]);
	buf_release(&x->key);
	buf_release(&x->text);
	buf_release(&x->probe);
	buf_release(&x->node);
	for (int i = 0; i < 4; i++)
		buf_release(&x->verdict[i]);
	free(x->samples);
	free(x);
}

/* ---- values ------------------------------------------------------------ */

/* The next value as text into out (reset first): a string decoded, any
 * other value as its JSON text. */
static int value_text(struct rj *c, struct buf *out)
{
	const char *start;

	if (rj_peek(c) == RJ_STRING)
		return rj_string(c, out);
	buf_reset(out);
	start = c->p;
	if (rj_skip(c) < 0)
		return -1;
	buf_add(out, start, (size_t)(c->p - start));
	return 0;
}

/* The next value, escaped, appended to out. */
static int value_html(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	if (value_text(c, &x->text) < 0)
		return -1;
	report_esc(out, x->text.data);
	return 0;
}

/* ---- objects as lines --------------------------------------------------- */

/* An object's members as "key value · key value" (strings as their text,
 * other values as compact JSON; empty strings and nulls left out): a line
 * per fault is a third of the size of a table row under a header of its
 * own, and a million runs make gigabytes of pages. */
static int kv_line(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	int first, m, n = 0;

	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		enum rj_kind k = rj_peek(c);

		if (k == RJ_NULL) {
			if (rj_skip(c) < 0)
				return -1;
			continue;
		}
		if (value_text(c, &x->text) < 0)
			return -1;
		if (k == RJ_STRING && !x->text.len)
			continue;
		if (n++)
			buf_addlit(out, " \xc2\xb7 ");
		report_esc(out, x->key.data);
		buf_addch(out, ' ');
		report_esc(out, x->text.data);
	}
	return m;
}

/* Shows one object of an array. */
typedef int (*object_fn)(struct runpage_ctx *x, struct rj *c, struct buf *out);

/* Each object of an array through fn, separated by sep, in a paragraph
 * after a bold label (label NULL: inline, no paragraph; nothing at all
 * for an empty array); elements that are not objects are passed over.
 * How many were shown, or -1. */
static int objects(struct runpage_ctx *x, struct rj *c, const char *label,
		   const char *sep, object_fn fn, struct buf *out)
{
	int first, k, n = 0;

	if (rj_peek(c) != RJ_ARRAY)
		return rj_skip(c) < 0 ? -1 : 0;
	if (rj_array(c, &first) < 0)
		return -1;
	while ((k = rj_element(c, &first)) > 0) {
		if (rj_peek(c) != RJ_OBJECT) {
			if (rj_skip(c) < 0)
				return -1;
			continue;
		}
		if (n++) {
			buf_adds(out, sep);
		} else if (label) {
			buf_addlit(out, "<p><b>");
			buf_adds(out, label);
			buf_addlit(out, "</b> ");
		}
		if (fn(x, c, out) < 0)
			return -1;
	}
	if (k < 0)
		return -1;
	if (n && label)
		buf_addlit(out, "</p>\n");
	return n;
}

/* ---- the plan ------------------------------------------------------------ */

/* {"run": N, "seed": S, "faults": [{index, type, target, node,
 * inject_at_ms, duration_ms, params, seed}]} */
static int plan(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	int first, m;

	if (rj_peek(c) != RJ_OBJECT)
		return rj_skip(c);
	if (rj_object(c, &first) < 0)
		return -1;
	buf_addlit(out, "<p><b>Plan</b> ");
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		int r;

		if (buf_is(&x->key, "seed")) {
			buf_addlit(out, "seed ");
			r = value_html(x, c, out);
			buf_addlit(out, ": ");
		} else if (buf_is(&x->key, "faults")) {
			r = objects(x, c, NULL, "; ", kv_line, out);
		} else {
			r = rj_skip(c);
		}
		if (r < 0)
			return -1;
	}
	buf_addlit(out, "</p>\n");
	return m;
}

/* ---- probes --------------------------------------------------------------- */

static void add_sample(struct runpage_ctx *x, long long t, long long lat, int failed)
{
	if (x->n_samples == x->cap_samples) {
		x->cap_samples = x->cap_samples ? 2 * x->cap_samples : 64;
		x->samples = xrealloc(x->samples, (size_t)x->cap_samples * sizeof(*x->samples));
	}
	x->samples[x->n_samples++] = (struct sample){ t, lat, failed };
}

/* A non-negative integer of at most 18 digits and the ',' after it. */
static const char *int_comma(const char *p, const char *end, long long *ret)
{
	const char *d0 = p;
	long long v = 0;

	while (p < end && *p >= '0' && *p <= '9' && p - d0 < 18)
		v = v * 10 + (*p++ - '0');
	if (p == d0 || p >= end || *p != ',')
		return NULL;
	*ret = v;
	return p + 1;
}

/* [[t,lat,true],...] as the engine writes it (compact, integers) read
 * without the cursor: the walk checked the line, and a run has hundreds
 * of samples. Anything else returns -1, c untouched, for the cursor. */
static int samples_fast(struct runpage_ctx *x, struct rj *c)
{
	const char *p = c->p, *end = c->end;

	if (p >= end || *p++ != '[')
		return -1;
	if (p < end && *p == ']') {
		c->p = p + 1;
		return 0;
	}
	for (;;) {
		long long t, lat;

		if (p >= end || *p++ != '[' || !(p = int_comma(p, end, &t)) ||
		    !(p = int_comma(p, end, &lat)))
			return -1;
		if (end - p >= 5 && !memcmp(p, "true]", 5)) {
			add_sample(x, t, lat, 0);
			p += 5;
		} else if (end - p >= 6 && !memcmp(p, "false]", 6)) {
			add_sample(x, t, lat, 1);
			p += 6;
		} else {
			return -1;
		}
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == ']') {
			c->p = p + 1;
			return 0;
		}
		return -1;
	}
}

/* [[t_ms, latency_ms, ok], ...] into x->samples; other elements are
 * passed over. */
static int samples(struct runpage_ctx *x, struct rj *c)
{
	int first, k;

	x->n_samples = 0;
	if (rj_peek(c) == RJ_ARRAY && samples_fast(x, c) == 0)
		return 0;
	x->n_samples = 0;
	if (rj_peek(c) != RJ_ARRAY)
		return rj_skip(c);
	if (rj_array(c, &first) < 0)
		return -1;
	while ((k = rj_element(c, &first)) > 0) {
		long long t = -1, lat = -1;
		int efirst, e, i = 0, ok = -1;

		if (rj_peek(c) != RJ_ARRAY) {
			if (rj_skip(c) < 0)
				return -1;
			continue;
		}
		if (rj_array(c, &efirst) < 0)
			return -1;
		while ((e = rj_element(c, &efirst)) > 0) {
			int r = i == 0 ? rj_int(c, &t) : i == 1 ? rj_int(c, &lat)
			      : i == 2 ? rj_bool(c, &ok) : rj_skip(c);

			if (r < 0)
				return -1;
			i++;
		}
		if (e < 0)
			return -1;
		if (t >= 0)
			add_sample(x, t, lat, ok == 0);
	}
	return k;
}

/* A probe's samples in one line of text: a bar per sample, its height
 * the latency against the series' highest, a red cross for a failure. */
static void sparkline(struct runpage_ctx *x, long long max, struct buf *out)
{
	static const char bars[8][4] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	int in_fail = 0;

	for (int i = 0; i < x->n_samples; i++) {
		const struct sample *s = &x->samples[i];

		if (s->failed && !in_fail)
			buf_addlit(out, "<b>");
		else if (!s->failed && in_fail)
			buf_addlit(out, "</b>");
		in_fail = s->failed;
		if (s->failed)
			buf_addlit(out, "\xc3\x97");
		else
			buf_add(out, bars[max > 0 && s->lat > 0 ? (int)(s->lat * 7 / max) : 0], 3);
	}
	if (in_fail)
		buf_addlit(out, "</b>");
}

static void ms_range(struct buf *out, long long from, long long to)
{
	report_fmt_ms(out, from);
	buf_addlit(out, " \xe2\x80\x93 ");
	report_fmt_ms(out, to);
}

/* "health@n1 ▂▆▇××▂ 22 samples, 2 failed (3.1 s – 3.4 s), 1.9 s – 8.3 s,
 * max 445 ms"; the bars only when a sample failed (most series are
 * healthy: "22 samples, none failed, ..."), as a million runs make
 * gigabytes of pages */
static void series_line(struct runpage_ctx *x, const char *probe, const char *node,
			struct buf *out)
{
	long long max = 0, failed = 0, first_fail = -1, last_fail = -1;

	for (int i = 0; i < x->n_samples; i++) {
		const struct sample *s = &x->samples[i];

		max = s->lat > max ? s->lat : max;
		if (s->failed) {
			failed++;
			last_fail = s->t;
			if (first_fail < 0)
				first_fail = s->t;
		}
	}
	report_esc(out, probe);
	buf_addch(out, '@');
	report_esc(out, node);
	buf_addch(out, ' ');
	if (failed) {	/* the shape of a failure; a healthy series is its figures */
		buf_addlit(out, "<span class=\"spark\">");
		sparkline(x, max, out);
		buf_addlit(out, "</span> ");
	}
	report_add_ll(out, x->n_samples);
	buf_addlit(out, " samples, ");
	if (failed) {
		report_add_ll(out, failed);
		buf_addlit(out, " failed (");
		ms_range(out, first_fail, last_fail);
		buf_addch(out, ')');
	} else {
		buf_addlit(out, "none failed");
	}
	if (x->n_samples) {
		buf_addlit(out, ", ");
		ms_range(out, x->samples[0].t, x->samples[x->n_samples - 1].t);
		buf_addlit(out, ", max ");
		report_fmt_ms(out, max);
	}
}

/* {"probe": P, "node": N, "samples": [...]} */
static int series_one(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	struct buf *probe = &x->probe, *node = &x->node;
	int first, m;

	x->n_samples = 0;
	buf_reset(probe);
	buf_reset(node);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		int r = buf_is(&x->key, "probe") ? value_text(c, probe)
		      : buf_is(&x->key, "node") ? value_text(c, node)
		      : buf_is(&x->key, "samples") ? samples(x, c) : rj_skip(c);

		if (r < 0) {
			m = -1;
			break;
		}
	}
	if (m == 0)
		series_line(x, probe->data, node->data, out);
	return m;
}

/* {"series": [...], "transitions": [...]} */
static int probes(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	int first, m;

	if (rj_peek(c) != RJ_OBJECT)
		return rj_skip(c);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		int r = buf_is(&x->key, "series")
		      ? objects(x, c, "Probes", "; ", series_one, out)
		      : buf_is(&x->key, "transitions")
		      ? objects(x, c, "Probe transitions", "; ", kv_line, out) : rj_skip(c);

		if (r < 0)
			return -1;
	}
	return m;
}

/* ---- verdicts ------------------------------------------------------------- */

/* {"oracle", "verdict", "class", "reason", "data"}: "ORACLE VERDICT (CLASS):
 * REASON", a failure in bold; "data" (a checker's whole answer) is left to
 * the flaw page's record. */
static int verdict(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	struct buf *v = x->verdict;
	int first, m;

	for (int i = 0; i < 4; i++)
		buf_reset(&v[i]);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		int i = buf_is(&x->key, "oracle") ? 0 : buf_is(&x->key, "verdict") ? 1
		      : buf_is(&x->key, "class") ? 2 : buf_is(&x->key, "reason") ? 3 : -1;

		if ((i < 0 ? rj_skip(c) : value_text(c, &v[i])) < 0)
			return -1;
	}
	if (m < 0)
		return -1;
	report_esc(out, v[0].data);
	buf_addch(out, ' ');
	if (buf_is(&v[1], "fail"))
		buf_addlit(out, "<b class=\"fail\">fail</b>");
	else
		report_esc(out, v[1].data);
	if (v[2].len) {
		buf_addlit(out, " (");
		report_esc(out, v[2].data);
		buf_addch(out, ')');
	}
	if (v[3].len) {
		buf_addlit(out, ": ");
		report_esc(out, v[3].data);
	}
	return 0;
}

/* {"n1": true, "n2": false}: the nodes that did not answer at the end. */
static int not_alive(struct runpage_ctx *x, struct rj *c, struct buf *out)
{
	int first, m, n = 0;

	if (rj_peek(c) != RJ_OBJECT)
		return rj_skip(c);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, &x->key)) > 0) {
		int alive = 1;

		if (rj_bool(c, &alive) < 0)
			return -1;
		if (alive)
			continue;
		buf_adds(out, n++ ? ", " : "<p><b>Not answering at the end</b> ");
		report_esc(out, x->key.data);
	}
	if (n)
		buf_addlit(out, "</p>\n");
	return m;
}

/* ---- the record ------------------------------------------------------------ */

/* The member at span k, after the header, into out. */
static int part(struct runpage_ctx *x, int k, struct rj *c, struct buf *out)
{
	switch (k) {
	case RS_PLAN: return plan(x, c, out);
	case RS_FAULTS: return objects(x, c, "Faults", "; ", kv_line, out);
	case RS_PROBES: return probes(x, c, out);
	case RS_ORACLES: return objects(x, c, "Oracle verdicts", " \xc2\xb7 ", verdict, out);
	case RS_ALIVE: return not_alive(x, c, out);
	case RS_DIRTY:
		buf_addlit(out, "<p><b>Left dirty</b> (restored before the next run) ");
		if (value_html(x, c, out) < 0)
			return -1;
		buf_addlit(out, "</p>\n");
		return 0;
	}
	return rj_skip(c);
}

/* "started 2026-...Z · " (nothing for an empty text) */
static void item(struct buf *out, const char *what, const char *text)
{
	if (!text || !*text)
		return;
	buf_adds(out, what);
	buf_addch(out, ' ');
	report_esc(out, text);
	buf_addlit(out, " \xc2\xb7 ");
}

static void item_ll(struct buf *out, const char *what, long long v, int ms)
{
	if (v < 0)
		return;
	buf_adds(out, what);
	buf_addch(out, ' ');
	if (ms)
		report_fmt_ms(out, v);
	else
		report_add_ll(out, v);
	buf_addlit(out, " \xc2\xb7 ");
}

static void flaw_links(struct buf *out, const char *flaw)
{
	if (!flaws_id_valid(flaw, strlen(flaw)))	/* an id becomes a file name */
		return;
	buf_addlit(out, "flaw <a class=\"mono\" href=\"../flaws/");
	report_esc(out, flaw);
	buf_addlit(out, ".html\">");
	report_esc(out, flaw);
	buf_addlit(out, "</a> (trace <a href=\"../../flaws/");
	report_esc(out, flaw);
	buf_addlit(out, ".json\">flaws/");
	report_esc(out, flaw);
	buf_addlit(out, ".json</a>) \xc2\xb7 ");
}

/* "Run 7 flaw", then one line: started · duration · ... · journal line */
static void header(struct runpage_ctx *x, const struct runpage_run *r, struct buf *out)
{
	int oc = report_outcome_of(x->meta[RS_OUTCOME].data);

	buf_addlit(out, "<section class=\"run\" id=\"run-");
	report_add_ll(out, r->run);
	buf_addlit(out, "\"><h2>Run ");
	report_add_ll(out, r->run);
	buf_addch(out, ' ');
	report_badge(out, oc, x->meta[RS_OUTCOME].data);
	buf_addlit(out, "</h2>\n<p>");
	item(out, "started", x->meta[RS_STARTED].data);
	item_ll(out, "duration", x->duration_ms, 1);
	item_ll(out, "testbed", x->testbed, 0);
	item_ll(out, "attempts", x->attempts, 0);
	item(out, "class", x->meta[RS_CLASS].data);
	item(out, "failed oracle", x->meta[RS_FAILED].data);
	item(out, "unjudged oracle", x->meta[RS_UNJUDGED].data);
	item(out, "reason", x->meta[RS_REASON].data);
	item(out, "signature", x->meta[RS_SIGNATURE].data);
	flaw_links(out, x->meta[RS_FLAW].data);
	buf_addlit(out, "journal line ");
	report_add_ll(out, r->line);
	buf_addlit(out, "</p>\n");
}

/* The files kept in DIR/runs/<run>/ (r->files: names, escaped here). */
static void files(const struct runpage_run *r, struct buf *out)
{
	if (!r->n_files)
		return;
	buf_addlit(out, "<p><b>Files kept</b> ");
	for (int i = 0; i < r->n_files; i++) {
		if (i)
			buf_addlit(out, ", ");
		buf_addlit(out, "<a href=\"../../runs/");
		report_add_ll(out, r->run);
		buf_addch(out, '/');
		report_esc(out, r->files[i]);
		buf_addlit(out, "\">runs/");
		report_add_ll(out, r->run);
		buf_addch(out, '/');
		report_esc(out, r->files[i]);
		buf_addlit(out, "</a>");
	}
	buf_addlit(out, "</p>\n");
}

void runpage_render(struct runpage_ctx *x, const struct runpage_run *r,
		    const char *text, const struct rspan *span, struct buf *out)
{
	long long *ints[] = { &x->duration_ms, &x->testbed, &x->attempts };

	x->duration_ms = x->testbed = x->attempts = -1;
	for (int k = 0; k < RS_N; k++) {
		struct rj c;

		if (k == HEAD_N)
			header(x, r, out);
		if (k < META_N)
			buf_reset(&x->meta[k]);
		if (!span[k].len)
			continue;
		/* the walk checked the line: reading it again cannot fail */
		rj_init(&c, text + span[k].at, span[k].len);
		if (k < META_N)
			value_text(&c, &x->meta[k]);
		else if (k < HEAD_N)
			rj_int(&c, ints[k - META_N]);
		else
			part(x, k, &c, out);
	}
	files(r, out);
	buf_addlit(out, "</section>\n");
}
