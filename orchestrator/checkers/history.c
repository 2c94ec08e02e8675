/* history.c - parse, validate and export operation histories. */
#include "history.h"

#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small int64 -> int map for the outstanding op of each process ---- */

struct pmap {
	int64_t *keys;
	int64_t *vals;
	bool *used;
	size_t cap, len;
};

static size_t pmap_slot(const struct pmap *m, int64_t k)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15ull;
	size_t i = (size_t)(x >> 17) & (m->cap - 1);

	while (m->used[i] && m->keys[i] != k)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void pmap_grow(struct pmap *m)
{
	struct pmap n = { 0 };
	size_t i;

	n.cap = m->cap ? m->cap * 2 : 64;
	n.keys = xcalloc(n.cap, sizeof(*n.keys));
	n.vals = xcalloc(n.cap, sizeof(*n.vals));
	n.used = xcalloc(n.cap, sizeof(*n.used));
	for (i = 0; i < m->cap; i++) {
		if (m->used[i]) {
			size_t s = pmap_slot(&n, m->keys[i]);
			n.used[s] = true;
			n.keys[s] = m->keys[i];
			n.vals[s] = m->vals[i];
			n.len++;
		}
	}
	free(m->keys);
	free(m->vals);
	free(m->used);
	*m = n;
}

/* The value stored for k, or dflt. */
static int64_t pmap_get(const struct pmap *m, int64_t k, int64_t dflt)
{
	size_t i;

	if (!m->cap)
		return dflt;
	i = pmap_slot(m, k);
	return m->used[i] ? m->vals[i] : dflt;
}

static void pmap_put(struct pmap *m, int64_t k, int64_t v)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		pmap_grow(m);
	i = pmap_slot(m, k);
	if (!m->used[i]) {
		m->used[i] = true;
		m->keys[i] = k;
		m->len++;
	}
	m->vals[i] = v;
}

static void pmap_release(struct pmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

/* ---- names ---- */

static const char *const type_names[] = {
	[HISTORY_INVOKE] = "invoke", [HISTORY_OK] = "ok",
	[HISTORY_FAIL] = "fail", [HISTORY_INFO] = "info",
	[HISTORY_FAULT] = "fault",
};

static const char *const f_names[] = {
	[HISTORY_READ] = "read", [HISTORY_WRITE] = "write",
	[HISTORY_CAS] = "cas", [HISTORY_ADD] = "add",
	[HISTORY_F_FAULT] = "fault",
};

const char *history_type_name(enum history_type t)
{
	return type_names[t];
}

const char *history_f_name(enum history_f f)
{
	return f_names[f];
}

/* ---- parsing ----
 *
 * Two passes. Reading checks each line on its own and appends its event.
 * Then the events are put in time order, a stable sort (ties keep file
 * order; a faults file's lines come after the history's), and invokes are
 * paired with completions in that order. A client whose threads append to
 * one file writes lines a little out of time order; but one process is one
 * thread, so its own events must be in time order in the file.
 */

struct parser {
	struct history *h;
	const char *name;	/* the file being read, for messages */
	int line;
	struct err *e;
	/* reading */
	size_t cap_events;
	json_t **raw_keys;	/* per event: its "key" (new reference) or NULL */
	bool faults_only;	/* a faults file: nothing but fault events */
	int64_t max_time;	/* latest time so far in this file */
	struct pmap last;	/* process -> index + 1 of its latest event */
	/* pairing */
	size_t cap_ops, cap_keys;
	json_t *key_index;	/* dumped key -> index */
	int unnamed_key;	/* index of the NULL key, or -1 */
	struct pmap outstanding;	/* process -> op index + 1 (0: none) */
};

static int perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(p->e, "%s:%d: %s", p->name, p->line, msg);
}

static bool is_scalar(const json_t *v)
{
	return json_is_string(v) || json_is_number(v) || json_is_boolean(v) ||
	       json_is_null(v);
}

static bool is_scalar_array(const json_t *v)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v))
		return false;
	json_array_foreach(v, i, x)
		if (!is_scalar(x))
			return false;
	return true;
}

char *history_value_text(const json_t *v)
{
	char *s;

	if (!v)
		return xstrdup("(none)");
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
	if (!s)
		return xstrdup("?");
	/* jansson allocates with malloc by default: hand it over as is */
	return s;
}

static int intern_key(struct parser *p, json_t *key)
{
	struct history *h = p->h;
	char *text;
	json_t *idx;
	int i;

	if (!key) {
		if (p->unnamed_key >= 0)
			return p->unnamed_key;
	} else {
		text = history_value_text(key);
		idx = json_object_get(p->key_index, text);
		if (idx) {
			free(text);
			return (int)json_integer_value(idx);
		}
		json_object_set_new(p->key_index, text, json_integer((json_int_t)h->n_keys));
		free(text);
	}
	if (h->n_keys == p->cap_keys) {
		p->cap_keys = p->cap_keys ? p->cap_keys * 2 : 16;
		h->keys = xrealloc(h->keys, p->cap_keys * sizeof(*h->keys));
	}
	i = (int)h->n_keys++;
	h->keys[i] = key ? json_incref(key) : NULL;
	if (!key)
		p->unnamed_key = i;
	return i;
}

static int parse_type(struct parser *p, json_t *o, enum history_type *ret)
{
	json_t *t = json_object_get(o, "type");
	const char *s;
	enum history_type i;

	if (!t)
		return perr(p, "missing field 'type'");
	if (!json_is_string(t))
		return perr(p, "'type' must be a string");
	s = json_string_value(t);
	for (i = HISTORY_INVOKE; i <= HISTORY_FAULT; i++) {
		if (!strcmp(s, type_names[i])) {
			*ret = i;
			return 0;
		}
	}
	if (!strcmp(s, "nemesis")) {
		*ret = HISTORY_FAULT;
		return 0;
	}
	return perr(p, "'type' must be one of invoke, ok, fail, info, fault, nemesis, not '%s'", s);
}

static int parse_time(struct parser *p, json_t *o, struct history_event *ev)
{
	json_t *t = json_object_get(o, "time");

	if (!t)
		return perr(p, "missing field 'time'");
	if (!json_is_integer(t))
		return perr(p, "'time' must be an integer (nanoseconds)");
	ev->time = json_integer_value(t);
	return 0;
}

/* Count a line earlier than one above it; refuse a process going back in
 * time: the lines of one thread cannot be out of order. */
static int check_order(struct parser *p, const struct history_event *ev, int ev_idx)
{
	const struct history_event *prev;
	int64_t last;

	if (ev->time < p->max_time)
		p->h->reordered++;
	else
		p->max_time = ev->time;
	if (ev->type == HISTORY_FAULT)
		return 0;
	last = pmap_get(&p->last, ev->process, 0);
	prev = last ? &p->h->events[last - 1] : NULL;
	if (prev && ev->time < prev->time)
		return perr(p, "'time' of process %lld goes backwards (%lld after %lld at line %d)",
			    (long long)ev->process, (long long)ev->time,
			    (long long)prev->time, prev->line);
	pmap_put(&p->last, ev->process, ev_idx + 1);
	return 0;
}

static int parse_fault(struct parser *p, json_t *o, struct history_event *ev)
{
	json_t *f = json_object_get(o, "f");

	if (!f)
		return perr(p, "missing field 'f'");
	if (!json_is_string(f))
		return perr(p, "'f' must be a string");
	ev->f = HISTORY_F_FAULT;
	ev->fault_f = xstrdup(json_string_value(f));
	ev->key = -1;
	ev->op = -1;
	return 0;
}

static int parse_f(struct parser *p, json_t *o, struct history_event *ev)
{
	json_t *f = json_object_get(o, "f");
	enum history_f i;

	if (!f)
		return perr(p, "missing field 'f'");
	if (!json_is_string(f))
		return perr(p, "'f' must be a string");
	for (i = HISTORY_READ; i <= HISTORY_ADD; i++) {
		if (!strcmp(json_string_value(f), f_names[i])) {
			ev->f = i;
			return 0;
		}
	}
	return perr(p, "'f' must be one of read, write, cas, add, not '%s'",
		    json_string_value(f));
}

/* Check the shape of the value of a client event. */
static int check_value(struct parser *p, const struct history_event *ev)
{
	const json_t *v = ev->value;
	const char *f = f_names[ev->f];

	if (!v && ev->type == HISTORY_INVOKE && ev->f != HISTORY_READ)
		return perr(p, "missing field 'value' (the argument of the %s)", f);
	if (!v && ev->type == HISTORY_OK && ev->f == HISTORY_READ)
		return perr(p, "missing field 'value' (the value read)");
	if (!v)
		return 0;
	switch (ev->f) {
	case HISTORY_READ:
		if (ev->type == HISTORY_OK && !is_scalar(v) && !is_scalar_array(v))
			return perr(p, "'value' of a read must be a scalar, null or an array of scalars");
		return 0;
	case HISTORY_WRITE:
	case HISTORY_ADD:
		if (!is_scalar(v))
			return perr(p, "'value' of %s %s must be a scalar",
				    ev->f == HISTORY_ADD ? "an" : "a", f);
		return 0;
	case HISTORY_CAS:
		if (!is_scalar_array(v) || json_array_size(v) != 2)
			return perr(p, "'value' of a cas must be [expected, new]");
		return 0;
	default:
		return 0;
	}
}

static int parse_key(struct parser *p, json_t *o, json_t **ret)
{
	json_t *k = json_object_get(o, "key");

	if (k && !json_is_string(k) && !json_is_integer(k))
		return perr(p, "'key' must be a string or an integer");
	*ret = k;
	return 0;
}

static struct history_op *new_op(struct parser *p)
{
	struct history *h = p->h;

	if (h->n_ops == p->cap_ops) {
		p->cap_ops = p->cap_ops ? p->cap_ops * 2 : 256;
		h->ops = xrealloc(h->ops, p->cap_ops * sizeof(*h->ops));
	}
	memset(&h->ops[h->n_ops], 0, sizeof(h->ops[0]));
	return &h->ops[h->n_ops++];
}

static int pair_invoke(struct parser *p, struct history_event *ev, int ev_idx)
{
	int outstanding = (int)pmap_get(&p->outstanding, ev->process, 0);
	struct history_op *op;

	if (outstanding) {
		int line = p->h->events[p->h->ops[outstanding - 1].invoke].line;
		return perr(p, "process %lld invokes while its operation from line %d is outstanding",
			    (long long)ev->process, line);
	}
	op = new_op(p);
	op->invoke = ev_idx;
	op->complete = -1;
	op->outcome = HISTORY_INFO;
	op->f = ev->f;
	op->key = ev->key;
	op->process = ev->process;
	ev->op = (int)(op - p->h->ops);
	pmap_put(&p->outstanding, ev->process, ev->op + 1);
	return 0;
}

static int pair_completion(struct parser *p, struct history_event *ev, int ev_idx,
			   json_t *key)
{
	struct history *h = p->h;
	int outstanding = (int)pmap_get(&p->outstanding, ev->process, 0);
	struct history_op *op;
	struct history_event *inv;

	if (!outstanding)
		return perr(p, "process %lld completes ('%s') with no operation outstanding",
			    (long long)ev->process, type_names[ev->type]);
	op = &h->ops[outstanding - 1];
	inv = &h->events[op->invoke];
	if (inv->f != ev->f)
		return perr(p, "process %lld completes '%s' but invoked '%s' at line %d",
			    (long long)ev->process, f_names[ev->f], f_names[inv->f], inv->line);
	if (key && !json_equal(key, h->keys[inv->key] ? h->keys[inv->key] : json_null())) {
		char *want = history_key_text(h, inv->key);
		char *got = history_value_text(key);
		perr(p, "process %lld completes on key %s but invoked on key %s at line %d",
		     (long long)ev->process, got, want, inv->line);
		free(want);
		free(got);
		return -1;
	}
	if (ev->f != HISTORY_READ && ev->value && !json_equal(ev->value, inv->value))
		return perr(p, "'value' differs from that of the invoke at line %d", inv->line);
	ev->key = inv->key;
	ev->op = outstanding - 1;
	op->complete = ev_idx;
	op->outcome = ev->type;
	pmap_put(&p->outstanding, ev->process, 0);
	return 0;
}

/* The fields of a client event; its key is kept for pairing. */
static int parse_client(struct parser *p, json_t *o, struct history_event *ev, int ev_idx)
{
	json_t *proc = json_object_get(o, "process");
	json_t *key = NULL;

	if (!proc)
		return perr(p, "missing field 'process'");
	if (!json_is_integer(proc))
		return perr(p, "'process' must be an integer");
	ev->process = json_integer_value(proc);
	if (parse_f(p, o, ev) < 0 || parse_key(p, o, &key) < 0 || check_value(p, ev) < 0)
		return -1;
	p->raw_keys[ev_idx] = key ? json_incref(key) : NULL;
	return 0;
}

static struct history_event *new_event(struct parser *p, int *ret_idx)
{
	struct history *h = p->h;
	struct history_event *ev;

	if (h->n_events == p->cap_events) {
		p->cap_events = p->cap_events ? p->cap_events * 2 : 1024;
		h->events = xrealloc(h->events, p->cap_events * sizeof(*h->events));
		p->raw_keys = xrealloc(p->raw_keys, p->cap_events * sizeof(*p->raw_keys));
	}
	*ret_idx = (int)h->n_events++;
	ev = &h->events[*ret_idx];
	memset(ev, 0, sizeof(*ev));
	p->raw_keys[*ret_idx] = NULL;
	ev->line = p->line;
	ev->key = -1;
	ev->op = -1;
	return ev;
}

static int parse_line(struct parser *p, const char *s, size_t len)
{
	struct history_event *ev;
	json_error_t jerr;
	json_t *o, *v;
	int idx, r;

	o = json_loadb(s, len, 0, &jerr);
	if (!o)
		return perr(p, "invalid JSON at column %d: %s", jerr.column, jerr.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return perr(p, "an event must be a JSON object");
	}
	ev = new_event(p, &idx);
	v = json_object_get(o, "value");
	ev->value = v ? json_incref(v) : NULL;
	r = parse_type(p, o, &ev->type);
	if (!r && p->faults_only && ev->type != HISTORY_FAULT)
		r = perr(p, "only fault events belong in a faults file, not '%s'",
			 type_names[ev->type]);
	if (!r)
		r = parse_time(p, o, ev);
	if (!r)
		r = ev->type == HISTORY_FAULT ? parse_fault(p, o, ev)
					      : parse_client(p, o, ev, idx);
	if (!r)
		r = check_order(p, ev, idx);
	json_decref(o);
	return r;
}

static bool is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Give every process life its own logical number: a process that got an
 * info completion is crashed; if the file reuses its number, the new life
 * gets a number above every number in the file. */
static void assign_logical(struct history *h)
{
	struct pmap crashed = { 0 };
	int64_t next = 0;
	size_t i;

	for (i = 0; i < h->n_ops; i++)
		if (h->ops[i].process >= next)
			next = h->ops[i].process + 1;
	for (i = 0; i < h->n_ops; i++) {
		struct history_op *op = &h->ops[i];
		int64_t alias = pmap_get(&crashed, op->process, -1);

		op->logical = alias < 0 ? op->process : alias;
		if (op->outcome == HISTORY_INFO && op->complete >= 0) {
			pmap_put(&crashed, op->process, next);
			next++;
		}
	}
	pmap_release(&crashed);
}

static void finish_ops(struct history *h)
{
	size_t i;

	for (i = 0; i < h->n_ops; i++) {
		struct history_op *op = &h->ops[i];

		if (op->f != HISTORY_READ)
			op->value = h->events[op->invoke].value;
		else if (op->outcome == HISTORY_OK)
			op->value = h->events[op->complete].value;
	}
	assign_logical(h);
}

/* Check every line of text, the contents of the file name, on its own. */
static int read_lines(struct parser *p, const char *name, const char *text, size_t len)
{
	size_t pos = 0;

	p->name = name;
	p->line = 0;
	p->max_time = INT64_MIN;
	pmap_release(&p->last);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		p->line++;
		if (!is_blank(text + pos, end - pos) && parse_line(p, text + pos, end - pos) < 0)
			return -1;
		pos = end + 1;
	}
	return 0;
}

struct slot {
	int64_t time;
	size_t idx;	/* position in the files as read */
};

static int by_time(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Put the events (and their keys) in time order, ties in file order. */
static void sort_by_time(struct parser *p)
{
	struct history *h = p->h;
	size_t i, n = h->n_events;
	struct slot *slots = xmalloc((n + 1) * sizeof(*slots));
	struct history_event *events = xmalloc((n + 1) * sizeof(*events));
	json_t **keys = xmalloc((n + 1) * sizeof(*keys));

	for (i = 0; i < n; i++)
		slots[i] = (struct slot){ h->events[i].time, i };
	qsort(slots, n, sizeof(*slots), by_time);
	for (i = 0; i < n; i++) {
		events[i] = h->events[slots[i].idx];
		keys[i] = p->raw_keys[slots[i].idx];
	}
	free(slots);
	free(h->events);
	free(p->raw_keys);
	h->events = events;
	p->raw_keys = keys;
	p->cap_events = n + 1;
}

/* Pair invokes and completions in time order. Only the history's own
 * lines can fail here: a faults file holds fault events alone. */
static int pair_all(struct parser *p)
{
	struct history *h = p->h;
	size_t i;

	p->name = h->name;
	for (i = 0; i < h->n_events; i++) {
		struct history_event *ev = &h->events[i];
		int r;

		if (ev->type == HISTORY_FAULT)
			continue;
		p->line = ev->line;
		if (ev->type == HISTORY_INVOKE) {
			ev->key = intern_key(p, p->raw_keys[i]);
			r = pair_invoke(p, ev, (int)i);
		} else {
			r = pair_completion(p, ev, (int)i, p->raw_keys[i]);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static void parser_init(struct parser *p, const char *name, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->h = xcalloc(1, sizeof(*p->h));
	p->h->name = xstrdup(name);
	p->key_index = json_object();
	p->unnamed_key = -1;
	p->e = e;
}

/* Sort and pair when r is 0; then *ret is the history (0), or it is
 * freed (-1). */
static int parser_finish(struct parser *p, int r, struct history **ret)
{
	size_t i;

	if (!r) {
		sort_by_time(p);
		r = pair_all(p);
	}
	for (i = 0; i < p->h->n_events; i++)
		json_decref(p->raw_keys[i]);
	free(p->raw_keys);
	json_decref(p->key_index);
	pmap_release(&p->outstanding);
	pmap_release(&p->last);
	if (r) {
		history_free(p->h);
		return -1;
	}
	finish_ops(p->h);
	*ret = p->h;
	return 0;
}

int history_parse(const char *name, const char *text, size_t len,
		  struct history **ret, struct err *e)
{
	struct parser p;

	parser_init(&p, name, e);
	return parser_finish(&p, read_lines(&p, name, text, len), ret);
}

/* The size limit of a history file: $CAMPAIGN_HISTORY_MAX_BYTES, else
 * HISTORY_MAX_BYTES. */
static int max_bytes(size_t *ret, struct err *e)
{
	const char *s = getenv("CAMPAIGN_HISTORY_MAX_BYTES");
	unsigned long long v;
	char *end;

	*ret = HISTORY_MAX_BYTES;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0 || *s == '-' || *s == '+')
		return err_set(e, "CAMPAIGN_HISTORY_MAX_BYTES must be a positive number "
			       "of bytes, not '%s'", s);
	*ret = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return 0;
}

static int read_file(const char *path, const char *what, struct buf *b, struct err *e)
{
	size_t max;

	if (max_bytes(&max, e) < 0)
		return -1;
	return paths_read_file(path, what, max, b, e);
}

int history_load(const char *path, struct history **ret, struct err *e)
{
	struct buf b = BUF_INIT;
	int r = read_file(path, "history", &b, e);

	if (r == 0)
		r = history_parse(path, b.data, b.len, ret, e);
	buf_release(&b);
	return r;
}

int history_load_with_faults(const char *path, const char *faults_path,
			     struct history **ret, struct err *e)
{
	struct buf hb = BUF_INIT, fb = BUF_INIT;
	struct parser p;
	int r = -1;

	if (read_file(path, "history", &hb, e) < 0 ||
	    read_file(faults_path, "faults file", &fb, e) < 0)
		goto out;
	parser_init(&p, path, e);
	r = read_lines(&p, path, hb.data, hb.len);
	if (!r) {
		p.faults_only = true;
		r = read_lines(&p, faults_path, fb.data, fb.len);
	}
	r = parser_finish(&p, r, ret);
out:
	buf_release(&hb);
	buf_release(&fb);
	return r;
}

void history_free(struct history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n_events; i++) {
		free(h->events[i].fault_f);
		json_decref(h->events[i].value);
	}
	for (i = 0; i < h->n_keys; i++)
		json_decref(h->keys[i]);
	free(h->events);
	free(h->ops);
	free(h->keys);
	free(h->name);
	free(h);
}

/* ---- descriptions ---- */

char *history_key_text(const struct history *h, int key)
{
	char *v, *s;

	if (key < 0 || !h->keys[key])
		return xstrdup("(none)");
	if (json_is_string(h->keys[key]))
		return xasprintf("'%s'", json_string_value(h->keys[key]));
	v = history_value_text(h->keys[key]);
	s = xstrdup(v);
	free(v);
	return s;
}

json_t *history_event_json(const struct history *h, size_t i)
{
	const struct history_event *ev = &h->events[i];
	json_t *o = json_object();

	json_object_set_new(o, "line", json_integer(ev->line));
	if (ev->type != HISTORY_FAULT)
		json_object_set_new(o, "process", json_integer(ev->process));
	json_object_set_new(o, "type", json_string(type_names[ev->type]));
	json_object_set_new(o, "f", json_string(ev->fault_f ? ev->fault_f : f_names[ev->f]));
	if (ev->key >= 0 && h->keys[ev->key])
		json_object_set(o, "key", h->keys[ev->key]);
	if (ev->value)
		json_object_set(o, "value", ev->value);
	json_object_set_new(o, "time", json_integer(ev->time));
	return o;
}

json_t *history_op_json(const struct history *h, size_t i)
{
	const struct history_op *op = &h->ops[i];
	json_t *a = json_array();

	json_array_append_new(a, history_event_json(h, (size_t)op->invoke));
	if (op->complete >= 0)
		json_array_append_new(a, history_event_json(h, (size_t)op->complete));
	return a;
}

char *history_op_text(const struct history *h, size_t i)
{
	const struct history_op *op = &h->ops[i];
	char *value = NULL, *key, *s;
	struct buf b = BUF_INIT;

	if (op->f != HISTORY_READ || op->outcome == HISTORY_OK)
		value = history_value_text(op->value);
	buf_addf(&b, "%s %s", op->complete < 0 ? "pending" : type_names[op->outcome],
		 f_names[op->f]);
	if (value)
		buf_addf(&b, " %s", value);
	buf_addf(&b, " by process %lld", (long long)op->process);
	if (op->key >= 0 && h->keys[op->key]) {
		key = history_key_text(h, op->key);
		buf_addf(&b, " on key %s", key);
		free(key);
	}
	if (op->complete < 0)
		buf_addf(&b, " (line %d, never completed)", h->events[op->invoke].line);
	else
		buf_addf(&b, " (lines %d-%d)", h->events[op->invoke].line,
			 h->events[op->complete].line);
	free(value);
	s = buf_detach(&b);
	return s;
}

/* ---- Jepsen EDN export ---- */

static void edn_string(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': buf_adds(out, "\\\""); break;
		case '\\': buf_adds(out, "\\\\"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\t': buf_adds(out, "\\t"); break;
		case '\r': buf_adds(out, "\\r"); break;
		case '\b': buf_adds(out, "\\b"); break;
		case '\f': buf_adds(out, "\\f"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_addf(out, "\\u%04x", c);
			else
				buf_addch(out, (char)c);
		}
	}
	buf_addch(out, '"');
}

static void edn_value(struct buf *out, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	char *s;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_NULL: buf_adds(out, "nil"); break;
	case JSON_TRUE: buf_adds(out, "true"); break;
	case JSON_FALSE: buf_adds(out, "false"); break;
	case JSON_INTEGER:
		buf_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		s = history_value_text(v);	/* jansson keeps a '.' or an exponent */
		buf_adds(out, s);
		free(s);
		break;
	case JSON_STRING: edn_string(out, json_string_value(v)); break;
	case JSON_ARRAY:
		buf_addch(out, '[');
		json_array_foreach(v, i, x) {
			if (i)
				buf_addch(out, ' ');
			edn_value(out, x);
		}
		buf_addch(out, ']');
		break;
	case JSON_OBJECT:
		buf_addch(out, '{');
		i = 0;
		json_object_foreach((json_t *)v, k, x) {
			if (i++)
				buf_adds(out, ", ");
			edn_string(out, k);
			buf_addch(out, ' ');
			edn_value(out, x);
		}
		buf_addch(out, '}');
		break;
	}
}

/* EDN keywords: a letter or one of *+!-_?<>= first, then also digits and
 * '.'; anything else is exported as a string. */
static void edn_keyword(struct buf *out, const char *s)
{
	const char *c;
	bool ok = *s && !strchr("0123456789.", *s);

	for (c = s; *c && ok; c++)
		ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		     (*c >= '0' && *c <= '9') || strchr("*+!-_?<>=.", *c);
	if (!ok) {
		edn_string(out, s);
		return;
	}
	buf_addch(out, ':');
	buf_adds(out, s);
}

/* The value a Jepsen client would have put in this event. */
static const json_t *export_value(const struct history *h, const struct history_event *ev)
{
	const struct history_op *op = &h->ops[ev->op];

	if (ev->f == HISTORY_READ)
		return ev->type == HISTORY_INVOKE ? NULL : ev->value;
	return ev->value ? ev->value : op->value;
}

void history_export_jepsen(const struct history *h, struct buf *out)
{
	size_t i;

	for (i = 0; i < h->n_events; i++) {
		const struct history_event *ev = &h->events[i];

		if (ev->type == HISTORY_FAULT) {
			buf_adds(out, "{:process :nemesis, :type :info, :f ");
			edn_keyword(out, ev->fault_f);
			buf_adds(out, ", :value ");
			edn_value(out, ev->value);
		} else {
			const json_t *key = h->keys[ev->key];

			buf_addf(out, "{:process %lld, :type :%s, :f :%s, :value ",
				 (long long)h->ops[ev->op].logical, type_names[ev->type],
				 f_names[ev->f]);
			if (key) {
				buf_addch(out, '[');
				edn_value(out, key);
				buf_addch(out, ' ');
			}
			edn_value(out, export_value(h, ev));
			if (key)
				buf_addch(out, ']');
		}
		buf_addf(out, ", :time %lld, :index %zu}\n", (long long)ev->time, i);
	}
}
