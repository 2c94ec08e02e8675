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
	r->new_templates = -1;
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
typedef int (*member_fn)(struct rj *c, const struct buf *key, void *item,
			 struct rrec *r);

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
			if (fn(c, key, item, r) < 0)
				return -1;
		if (m < 0)
			return -1;
	}
	return k;
}

static void *make_fault(struct rrec *r) { return new_fault(r); }
static void *make_oracle(struct rrec *r) { return new_oracle(r); }
static void *make_none(struct rrec *r) { (void)r; return NULL; }

static int fault_member(struct rj *c, const struct buf *key, void *item,
			struct rrec *r)
{
	struct rrec_fault *f = item;

	(void)r;
	if (buf_is(key, "type"))
		return rj_str(c, &f->type);
	if (buf_is(key, "node"))
		return rj_str(c, &f->node);
	if (buf_is(key, "start_ms"))
		return rj_int(c, &f->start_ms);
	if (buf_is(key, "end_ms"))
		return rj_int(c, &f->end_ms);
	return rj_skip(c);
}

static int oracle_member(struct rj *c, const struct buf *key, void *item,
			 struct rrec *r)
{
	struct rrec_oracle *o = item;
	struct buf v = BUF_INIT;
	int ret;

	(void)r;
	if (buf_is(key, "oracle"))
		return rj_str(c, &o->name);
	if (!buf_is(key, "verdict"))
		return rj_skip(c);
	ret = rj_str(c, &v);
	o->verdict = buf_is(&v, "pass") ? RV_PASS : buf_is(&v, "fail")
		   ? RV_FAIL : RV_UNKNOWN;
	buf_release(&v);
	return ret;
}

static int reset_member(struct rj *c, const struct buf *key, void *item,
			struct rrec *r)
{
	long long ms;
	int got;

	(void)item;
	if (!buf_is(key, "ready_ms"))
		return rj_skip(c);
	got = rj_int(c, &ms);
	if (got > 0)
		add_ready(r, ms);
	return got;
}

/* An object of which only the integer member `name` is kept (in *ret):
 * "phases"."reset_ms", a guided run's "explore"."new_templates". */
static int one_int_member(struct rj *c, struct buf *key, const char *name,
			  long long *ret)
{
	int first, m;

	if (rj_peek(c) != RJ_OBJECT)
		return rj_skip(c);
	if (rj_object(c, &first) < 0)
		return -1;
	while ((m = rj_member(c, &first, key)) > 0)
		if ((!strcmp(key->data, name) ? rj_int(c, ret) : rj_skip(c)) < 0)
			return -1;
	return m;
}

/* ---- a record ---------------------------------------------------------- */

static int member(struct rj *c, struct rrec *r, struct buf *key, struct buf *tmp)
{
	switch (key->data[0]) {
	case 'a':
		if (buf_is(key, "action"))
			return rj_str(c, &r->action);
		break;
	case 'c':
		if (buf_is(key, "class"))
			return rj_str(c, &r->class_);
		break;
	case 'd':
		if (buf_is(key, "duration_ms"))
			return rj_int(c, &r->duration_ms);
		break;
	case 'e':
		if (buf_is(key, "ended"))
			return rj_str(c, &r->ended);
		if (buf_is(key, "event"))
			return rj_str(c, &r->event);
		if (buf_is(key, "error"))
			return rj_str(c, &r->error);
		if (buf_is(key, "explore"))
			return one_int_member(c, tmp, "new_templates", &r->new_templates);
		break;
	case 'f':
		if (buf_is(key, "faults"))
			return each_object(c, r, tmp, make_fault, fault_member);
		if (buf_is(key, "flaw"))
			return rj_str(c, &r->flaw);
		if (buf_is(key, "failed_oracle"))
			return rj_str(c, &r->failed_oracle);
		break;
	case 'i':
		if (buf_is(key, "infra_stop"))
			return rj_bool(c, &r->infra_stop);
		break;
	case 'o':
		if (buf_is(key, "outcome"))
			return rj_str(c, &r->outcome);
		if (buf_is(key, "oracles"))
			return each_object(c, r, tmp, make_oracle, oracle_member);
		break;
	case 'p':
		if (buf_is(key, "phases"))
			return one_int_member(c, tmp, "reset_ms", &r->reset_ms);
		break;
	case 'r':
		if (buf_is(key, "reason") && r->type == RREC_CAMPAIGN)
			return rj_str(c, &r->error);
		if (buf_is(key, "run"))
			return rj_int(c, &r->run);
		if (buf_is(key, "resets"))
			return each_object(c, r, tmp, make_none, reset_member);
		if (buf_is(key, "runs_done"))
			return rj_int(c, &r->runs_done);
		break;
	case 's':
		if (buf_is(key, "started"))
			return rj_str(c, &r->started);
		break;
	case 't':
		if (buf_is(key, "testbed"))
			return rj_int(c, &r->testbed);
		if (buf_is(key, "type")) {
			int got = rj_str(c, tmp);

			if (got > 0)
				r->type = buf_is(tmp, "run") ? RREC_RUN
					: buf_is(tmp, "infra") ? RREC_INFRA
					: buf_is(tmp, "campaign") ? RREC_CAMPAIGN
					: RREC_OTHER;
			return got;
		}
		break;
	}
	return rj_skip(c);
}

/* The run page's member named k (enum rrec_span), or -1. */
static int span_of(const struct buf *k)
{
	switch (k->data[0]) {
	case 'a':
		return buf_is(k, "attempts") ? RS_ATTEMPTS : buf_is(k, "alive") ? RS_ALIVE : -1;
	case 'c':
		return buf_is(k, "class") ? RS_CLASS : -1;
	case 'd':
		return buf_is(k, "duration_ms") ? RS_DURATION : buf_is(k, "dirty") ? RS_DIRTY : -1;
	case 'f':
		return buf_is(k, "faults") ? RS_FAULTS : buf_is(k, "flaw") ? RS_FLAW
		     : buf_is(k, "failed_oracle") ? RS_FAILED : -1;
	case 'o':
		return buf_is(k, "outcome") ? RS_OUTCOME : buf_is(k, "oracles") ? RS_ORACLES : -1;
	case 'p':
		return buf_is(k, "probes") ? RS_PROBES : buf_is(k, "plan") ? RS_PLAN : -1;
	case 'r':
		return buf_is(k, "reason") ? RS_REASON : -1;
	case 's':
		return buf_is(k, "started") ? RS_STARTED : buf_is(k, "signature") ? RS_SIGNATURE
		     : -1;
	case 't':
		return buf_is(k, "testbed") ? RS_TESTBED : -1;
	case 'u':
		return buf_is(k, "unjudged_oracle") ? RS_UNJUDGED : -1;
	}
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
		int k = span_of(&key);
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

	if (report_journal_parse(text, len, &w->rec) < 0)
		return LINES_BAD;
	w->rec.line = line;
	w->rec.at = at;
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
