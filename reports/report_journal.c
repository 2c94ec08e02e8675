#include "report_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flaws.h"
#include "lines.h"
#include "paths.h"
#include "report_json.h"

void rrec_init(struct rrec *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->outcome);
	buf_init(&r->class_);
	buf_init(&r->flaw);
	buf_init(&r->failed_oracle);
	buf_init(&r->started);
	buf_init(&r->ended);
	buf_init(&r->event);
	buf_init(&r->action);
	buf_init(&r->error);
}

void rrec_release(struct rrec *r)
{
	buf_release(&r->outcome);
	buf_release(&r->class_);
	buf_release(&r->flaw);
	buf_release(&r->failed_oracle);
	buf_release(&r->started);
	buf_release(&r->ended);
	buf_release(&r->event);
	buf_release(&r->action);
	buf_release(&r->error);
	for (int i = 0; i < r->cap_faults; i++) {
		buf_release(&r->faults[i].type);
		buf_release(&r->faults[i].node);
	}
	free(r->faults);
	for (int i = 0; i < r->cap_oracles; i++)
		buf_release(&r->oracles[i].name);
	free(r->oracles);
	free(r->ready_ms);
	memset(r, 0, sizeof(*r));
}

static void clear(struct rrec *r)
{
	r->type = RREC_OTHER;
	r->run = r->duration_ms = r->reset_ms = r->runs_done = r->testbed = -1;
	r->infra_stop = -1;
	buf_reset(&r->outcome);
	buf_reset(&r->class_);
	buf_reset(&r->flaw);
	buf_reset(&r->failed_oracle);
	buf_reset(&r->started);
	buf_reset(&r->ended);
	buf_reset(&r->event);
	buf_reset(&r->action);
	buf_reset(&r->error);
	r->n_faults = r->n_ready = r->n_oracles = 0;
	r->bad_flaw = 0;
	memset(r->span, 0, sizeof(r->span));
}

/* ---- nested members ---------------------------------------------------- */

static struct rrec_fault *new_fault(struct rrec *r)
{
	struct rrec_fault *f;

	if (r->n_faults == r->cap_faults) {
		int cap = r->cap_faults ? 2 * r->cap_faults : 4;

		r->faults = xrealloc(r->faults, (size_t)cap * sizeof(*r->faults));
		for (int i = r->cap_faults; i < cap; i++) {
			buf_init(&r->faults[i].type);
			buf_init(&r->faults[i].node);
		}
		r->cap_faults = cap;
	}
	f = &r->faults[r->n_faults++];
	buf_reset(&f->type);
	buf_reset(&f->node);
	f->start_ms = f->end_ms = -1;
	return f;
}

static struct rrec_oracle *new_oracle(struct rrec *r)
{
	struct rrec_oracle *o;

	if (r->n_oracles == r->cap_oracles) {
		int cap = r->cap_oracles ? 2 * r->cap_oracles : 4;

		r->oracles = xrealloc(r->oracles, (size_t)cap * sizeof(*r->oracles));
		for (int i = r->cap_oracles; i < cap; i++)
			buf_init(&r->oracles[i].name);
		r->cap_oracles = cap;
	}
	o = &r->oracles[r->n_oracles++];
	buf_reset(&o->name);
	o->verdict = RV_UNKNOWN;
	return o;
}

static void add_ready(struct rrec *r, long long ms)
{
	if (r->n_ready == r->cap_ready) {
		r->cap_ready = r->cap_ready ? 2 * r->cap_ready : 8;
		r->ready_ms = xrealloc(r->ready_ms, (size_t)r->cap_ready * sizeof(long long));
	}
	r->ready_ms[r->n_ready++] = ms;
}

/* An array of objects: for each object member, fn(key) reads the value. */
typedef int (*member_fn)(struct rj *c, const char *key, void *item, struct rrec *r);

static int each_object(struct rj *c, struct rrec *r, struct buf *key,
		       void *(*make)(struct rrec *r), member_fn fn)
{
	int first, ofirst, k, m;

	if (rj_peek(c) != RJ_ARRAY)
		return rj_skip(c);
	if (rj_array(c, &first) < 0)
		return -1;
	while ((k = rj_element(c, &first)) > 0) {
		void *item;

		if (rj_peek(c) != RJ_OBJECT) {
			if (rj_skip(c) < 0)
				return -1;
			continue;
		}
		item = make(r);
		if (rj_object(c, &ofirst) < 0)
			return -1;
		while ((m = rj_member(c, &ofirst, key)) > 0)
			if (fn(c, key->data, item, r) < 0)
				return -1;
		if (m < 0)
			return -1;
	}
	return k;
}

static void *make_fault(struct rrec *r) { return new_fault(r); }
static void *make_oracle(struct rrec *r) { return new_oracle(r); }
static void *make_none(struct rrec *r) { (void)r; return NULL; }

static int fault_member(struct rj *c, const char *key, void *item, struct rrec *r)
{
	struct rrec_fault *f = item;

	(void)r;
	if (!strcmp(key, "type"))
		return rj_str(c, &f->type);
	if (!strcmp(key, "node"))
		return rj_str(c, &f->node);
	if (!strcmp(key, "start_ms"))
		return rj_int(c, &f->start_ms);
	if (!strcmp(key, "end_ms"))
		return rj_int(c, &f->end_ms);
	return rj_skip(c);
}

static int oracle_member(struct rj *c, const char *key, void *item, struct rrec *r)
{
	struct rrec_oracle *o = item;
	struct buf v = BUF_INIT;
	int ret;

	(void)r;
	if (!strcmp(key, "oracle"))
		return rj_str(c, &o->name);
	if (strcmp(key, "verdict"))
		return rj_skip(c);
	ret = rj_str(c, &v);
	o->verdict = !strcmp(v.data, "pass") ? RV_PASS : !strcmp(v.data, "fail")
		   ? RV_FAIL : RV_UNKNOWN;
	buf_release(&v);
	return ret;
}

static int reset_member(struct rj *c, const char *key, void *item, struct rrec *r)
{
	long long ms;
	int got;

	(void)item;
	if (strcmp(key, "ready_ms"))
		return rj_skip(c);
	got = rj_int(c, &ms);
	if (got > 0)
		add_ready(r, ms);
	return got;
}

static int phases(struct rj *c, struct rrec *r, struct buf *key)
{
	int first, m;

	if (rj_peek(c) != RJ_OBJECT)
		return rj_skip(c);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, key)) > 0)
		if ((!strcmp(key->data, "reset_ms") ? rj_int(c, &r->reset_ms)
						     : rj_skip(c)) < 0)
			return -1;
	return m;
}

/* ---- a record ---------------------------------------------------------- */

static int member(struct rj *c, struct rrec *r, struct buf *key, struct buf *tmp)
{
	const char *k = key->data;

	switch (k[0]) {
	case 'a':
		if (!strcmp(k, "action"))
			return rj_str(c, &r->action);
		break;
	case 'c':
		if (!strcmp(k, "class"))
			return rj_str(c, &r->class_);
		break;
	case 'd':
		if (!strcmp(k, "duration_ms"))
			return rj_int(c, &r->duration_ms);
		break;
	case 'e':
		if (!strcmp(k, "ended"))
			return rj_str(c, &r->ended);
		if (!strcmp(k, "event"))
			return rj_str(c, &r->event);
		if (!strcmp(k, "error"))
			return rj_str(c, &r->error);
		break;
	case 'f':
		if (!strcmp(k, "faults"))
			return each_object(c, r, tmp, make_fault, fault_member);
		if (!strcmp(k, "flaw"))
			return rj_str(c, &r->flaw);
		if (!strcmp(k, "failed_oracle"))
			return rj_str(c, &r->failed_oracle);
		break;
	case 'i':
		if (!strcmp(k, "infra_stop"))
			return rj_bool(c, &r->infra_stop);
		break;
	case 'o':
		if (!strcmp(k, "outcome"))
			return rj_str(c, &r->outcome);
		if (!strcmp(k, "oracles"))
			return each_object(c, r, tmp, make_oracle, oracle_member);
		break;
	case 'p':
		if (!strcmp(k, "phases"))
			return phases(c, r, tmp);
		break;
	case 'r':
		if (!strcmp(k, "reason") && r->type == RREC_CAMPAIGN)
			return rj_str(c, &r->error);
		if (!strcmp(k, "run"))
			return rj_int(c, &r->run);
		if (!strcmp(k, "resets"))
			return each_object(c, r, tmp, make_none, reset_member);
		if (!strcmp(k, "runs_done"))
			return rj_int(c, &r->runs_done);
		break;
	case 's':
		if (!strcmp(k, "started"))
			return rj_str(c, &r->started);
		break;
	case 't':
		if (!strcmp(k, "testbed"))
			return rj_int(c, &r->testbed);
		if (!strcmp(k, "type")) {
			int got = rj_str(c, tmp);

			if (got > 0)
				r->type = !strcmp(tmp->data, "run") ? RREC_RUN
					: !strcmp(tmp->data, "infra") ? RREC_INFRA
					: !strcmp(tmp->data, "campaign") ? RREC_CAMPAIGN
					: RREC_OTHER;
			return got;
		}
		break;
	}
	return rj_skip(c);
}

/* The run page's member named k, or -1. */
static int span_of(const char *k)
{
	static const char *const names[RS_N] = {
		[RS_OUTCOME] = "outcome", [RS_STARTED] = "started", [RS_ENDED] = "ended",
		[RS_CLASS] = "class", [RS_FAILED] = "failed_oracle",
		[RS_UNJUDGED] = "unjudged_oracle", [RS_REASON] = "reason",
		[RS_SIGNATURE] = "signature", [RS_FLAW] = "flaw",
		[RS_DURATION] = "duration_ms", [RS_TESTBED] = "testbed",
		[RS_ATTEMPTS] = "attempts", [RS_PLAN] = "plan", [RS_FAULTS] = "faults",
		[RS_PROBES] = "probes", [RS_ORACLES] = "oracles", [RS_RESETS] = "resets",
		[RS_PHASES] = "phases", [RS_ALIVE] = "alive", [RS_DIRTY] = "dirty",
	};

	for (int i = 0; i < RS_N; i++)
		if (names[i][0] == k[0] && !strcmp(names[i], k))
			return i;
	return -1;
}

int report_journal_parse(const char *line, size_t len, struct rrec *r)
{
	struct buf key = BUF_INIT, tmp = BUF_INIT;
	struct rj c;
	int first, m = -1;

	clear(r);
	rj_init(&c, line, len);
	if (rj_peek(&c) != RJ_OBJECT || rj_object(&c, &first) < 0)
		goto out;
	while ((m = rj_member(&c, &first, &key)) > 0) {
		int k = span_of(key.data);
		const char *start;

		rj_peek(&c);	/* past white space: the value's first byte */
		start = c.p;
		if (member(&c, r, &key, &tmp) < 0) {
			m = -1;
			break;
		}
		if (k >= 0)
			r->span[k] = (struct rspan){ (size_t)(start - line),
						     (size_t)(c.p - start) };
	}
	if (m == 0 && rj_end(&c) < 0)
		m = -1;
	r->bad_flaw = r->flaw.len && !flaws_id_valid(r->flaw.data, r->flaw.len);
out:
	buf_release(&key);
	buf_release(&tmp);
	return m;
}

/* ---- the file ---------------------------------------------------------- */

int report_journal_changed(const char *dir, const struct rwalk_pos *pos)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	struct stat st;
	int r = stat(path, &st);

	free(path);
	if (r < 0)
		return pos->offset > 0;
	return (pos->ino && (unsigned long long)st.st_ino != pos->ino) ||
	       st.st_size < pos->offset;
}

int report_journal_walk(const char *dir, struct rwalk_pos *pos, rrec_fn fn,
			void *ctx, struct err *e)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	int r = report_journal_walk_file(path, pos, fn, ctx, e);

	free(path);
	return r;
}

struct walk_line {
	struct rwalk_pos *p;
	struct rrec rec;
	rrec_fn fn;
	void *ctx;
};

static int walk_line(void *arg, const char *text, size_t len, long long line,
		     long long at, struct err *e)
{
	struct walk_line *w = arg;
	int r;

	(void)at;
	if (report_journal_parse(text, len, &w->rec) < 0)
		return LINES_BAD;
	w->rec.line = line;
	w->rec.text = text;
	w->rec.len = len;
	if (w->rec.bad_flaw && !w->p->ignored++)
		w->p->ignored_line = line;
	r = w->rec.bad_flaw ? 0 : w->fn(&w->rec, w->ctx, e);
	return r == LINES_BAD ? -1 : r;
}

int report_journal_walk_file(const char *path, struct rwalk_pos *pos, rrec_fn fn,
			     void *ctx, struct err *e)
{
	struct rwalk_pos zero = { 0, 0, 0 }, *p = pos ? pos : &zero;
	struct walk_line w = { p, .fn = fn, .ctx = ctx };
	struct lines_pos lp = { p->offset, p->lines, 0 };
	struct stat st;
	char *what = NULL;
	int fd = paths_open_regular(path, &st, e), r = -1;

	rrec_init(&w.rec);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : -1;
		goto out;
	}
	p->ino = (unsigned long long)st.st_ino;
	if (lp.offset && lseek(fd, (off_t)lp.offset, SEEK_SET) < 0) {
		err_errno(e, errno, "cannot read journal '%s'", path);
		goto out;
	}
	what = xasprintf("journal '%s'", path);
	r = lines_read(fd, what, REPORT_JOURNAL_LINE_MAX, &lp, walk_line, &w, e);
	p->offset = lp.offset;
	p->lines = lp.lines;
	if (r == 0)
		p->torn = lp.torn;
out:
	if (fd >= 0)
		close(fd);
	free(what);
	rrec_release(&w.rec);
	return r;
}
