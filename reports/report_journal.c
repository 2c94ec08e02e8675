#include "report_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flaws.h"
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

int report_journal_parse(const char *line, size_t len, struct rrec *r)
{
	struct buf key = BUF_INIT, tmp = BUF_INIT;
	struct rj c;
	int first, m = -1;

	clear(r);
	rj_init(&c, line, len);
	if (rj_peek(&c) != RJ_OBJECT || rj_object(&c, &first) < 0)
		goto out;
	while ((m = rj_member(&c, &first, &key)) > 0)
		if (member(&c, r, &key, &tmp) < 0) {
			m = -1;
			break;
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

static int damaged(struct err *e, const char *path, long long line)
{
	return err_set(e, "journal '%s' line %lld: not valid JSON; the file is "
		       "damaged before its end", path, line);
}

static int too_long(struct err *e, const char *path, long long line)
{
	return err_set(e, "journal '%s' line %lld: longer than %d bytes; the file "
		       "is not a journal or is damaged", path, line,
		       REPORT_JOURNAL_LINE_MAX);
}

int report_journal_walk(const char *dir, struct rwalk_pos *pos, rrec_fn fn,
			void *ctx, struct err *e)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	int r = report_journal_walk_file(path, pos, fn, ctx, e);

	free(path);
	return r;
}

int report_journal_walk_file(const char *path, struct rwalk_pos *pos, rrec_fn fn,
			     void *ctx, struct err *e)
{
	struct rwalk_pos zero = { 0, 0, 0 }, *p = pos ? pos : &zero;
	struct buf b = BUF_INIT;
	struct rrec rec;
	struct stat st;
	long long line = p->lines, bad = 0, off = p->offset;
	size_t searched = 0;
	int fd = paths_open_regular(path, &st, e), r = -1;

	rrec_init(&rec);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : -1;
		goto out;
	}
	p->ino = (unsigned long long)st.st_ino;
	if (off && lseek(fd, (off_t)off, SEEK_SET) < 0) {
		err_errno(e, errno, "cannot read journal '%s'", path);
		goto out;
	}
	for (;;) {
		ssize_t n;
		size_t start = 0;
		char *nl;

		if (b.len > REPORT_JOURNAL_LINE_MAX) {
			too_long(e, path, line + 1);
			goto out;
		}
		buf_grow(&b, 1 << 20);
		n = read(fd, b.data + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_errno(e, errno, "cannot read journal '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		b.data[b.len] = '\0';
		while ((nl = memchr(b.data + searched, '\n', b.len - searched))) {
			size_t len = (size_t)(nl - (b.data + start));

			line++;
			if (len > REPORT_JOURNAL_LINE_MAX) {
				too_long(e, path, line);
				goto out;
			}
			if (bad) {
				damaged(e, path, bad);
				goto out;
			}
			if (report_journal_parse(b.data + start, len, &rec) < 0) {
				bad = line;
			} else {
				rec.line = line;
				if (rec.bad_flaw && !p->ignored++)
					p->ignored_line = line;
				r = rec.bad_flaw ? 0 : fn(&rec, ctx, e);
				if (r)
					goto out;
				r = -1;
				p->offset = off + (long long)start + (long long)len + 1;
				p->lines = line;
			}
			start += len + 1;
			searched = start;
		}
		if (start) {	/* keep the unfinished line only */
			memmove(b.data, b.data + start, b.len - start);
			b.len -= start;
			b.data[b.len] = '\0';
			off += (long long)start;
		}
		searched = b.len;
	}
	if (bad && b.len) {
		damaged(e, path, bad);
		goto out;
	}
	p->torn = off + (long long)b.len - p->offset;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	rrec_release(&rec);
	buf_release(&b);
	return r;
}
