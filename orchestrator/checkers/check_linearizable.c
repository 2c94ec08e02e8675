/* check_linearizable.c - linearizable-register: read/write/cas registers,
 * one per key, checked with the Wing & Gong search as improved by Lowe
 * ("Testing for linearizability", 2016), the algorithm behind Knossos's
 * wgl checker and porcupine:
 *
 * - the operations of a key form a doubly linked list of call and return
 *   entries in history order; linearizing an operation unlinks both;
 * - the search walks the list from the front, linearizing any call whose
 *   effect the register allows, and backtracks when it meets the return
 *   of an operation it has not linearized;
 * - configurations (set of linearized operations, register value) already
 *   seen are not explored again (the memo cache, bounded in bytes).
 *
 * Failed operations never happened and are dropped, as are reads whose
 * outcome is unknown. Operations with an info completion (or none) return
 * at infinity and need not be linearized at all: once every ok operation
 * is linearized the history is explained. Two reductions keep info
 * operations from blowing up the search: identical pending info
 * operations are interchangeable, so only the first of them is tried; and
 * an info write (or cas) is only worth linearizing right before an
 * operation that observes the value it sets (a read of it, a cas
 * expecting it): in any linearization, one followed by a write can be
 * dropped without changing anything else. The configuration therefore
 * records whether the next operation must observe the value.
 *
 * Two more savings, both exact: a pending read that returns the current
 * value can always be linearized at once (moving it earlier in any valid
 * linearization keeps it valid), so when there is one no other choice is
 * tried; and a configuration is remembered not as a bitset over all the
 * operations of the key but as (first ok op not yet linearized, the
 * bitset words from there to the last linearized op, the bitset of the
 * info ops), which stays small however long the history.
 */
#include "checkers.h"
#include "clock.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STATES 8		/* register values reported at the frontier */
#define MAX_CONCURRENT 32	/* concurrent ops reported for a failure */
#define MAX_FAILURES 10		/* invalid keys reported in full */
#define CHECK_EVERY 4096	/* search steps between clock checks */

/* An operation of the register model. Value ids: 0 is null. */
struct lop {
	int op;			/* index into history.ops */
	enum history_f f;
	int a, b;		/* read/write: a; cas: a expected, b new */
	bool info;
	int cls;		/* info ops: index into classes; else -1 */
	int info_idx;		/* info ops: bit in search.ibits; else -1 */
	uint64_t zobrist;	/* random bits: hash of the linearized set */
};

struct entry {
	struct entry *prev, *next;
	struct entry *match;	/* a call's return entry; NULL for returns */
	int lop;
	bool is_call;
	bool at_infinity;	/* the return of an info op */
};

/* What the search restores on backtracking. */
struct config {
	int state;		/* value id * 2 + 1 if the next op must observe it */
	int writer;		/* lop that set state, -1 for the initial null */
	int first_ok;		/* lowest ok lop not linearized (n if none) */
	int max_lifted;		/* highest lop linearized, -1 if none */
};

struct frame {
	struct entry *call;
	struct config before;
	bool forced;		/* no alternative to this step is worth trying */
};

struct cache_rec {
	uint64_t hash;
	int32_t state;
	int32_t first_ok;
	uint32_t words;
	uint64_t data[];	/* window words, then info words */
};

enum outcome { LIN_VALID, LIN_INVALID, LIN_TIMEOUT, LIN_MEMORY };

struct search {
	const struct history *h;
	struct lop *lops;
	size_t n;
	size_t words;		/* bitset length in 64-bit words */
	struct entry *entries;	/* [0] is the head sentinel */
	json_t *value_ids;	/* value text -> id */
	const json_t **values;	/* id -> value (borrowed) */
	size_t n_values;
	/* info classes: lops of identical info operations, in invoke order */
	int **class_lops;
	size_t *class_len;
	size_t n_classes;

	uint64_t *bits;		/* linearized lops */
	uint64_t *ibits;	/* linearized info lops, by info_idx */
	size_t n_info, info_words;
	uint64_t hash;
	struct config cur;
	struct frame *stack;
	size_t sp;
	uint64_t *enc;		/* scratch: the encoding of a configuration */

	/* memo cache: open addressing over records in an arena */
	struct cache_rec **table;
	size_t table_cap, table_len;
	char **chunks;
	size_t n_chunks, chunk_used, chunk_size;
	size_t bytes, memory_limit;
	int64_t deadline_ns;
	uint64_t steps;

	/* the frontier: the latest return the search could not get past */
	int fail_lop;
	int fail_pos;
	int states[MAX_STATES], writers[MAX_STATES];
	int n_states;
};

/* Arena chunks grow from 16 KiB to 1 MiB, so small limits stay usable. */
#define CHUNK_MIN (16u << 10)
#define CHUNK_MAX (1u << 20)

/* ---- setup ---- */

static int value_id(struct search *s, const json_t *v)
{
	char *text;
	json_t *id;
	int r;

	if (!v || json_is_null(v))
		return 0;
	text = history_value_text(v);
	id = json_object_get(s->value_ids, text);
	if (id) {
		free(text);
		return (int)json_integer_value(id);
	}
	r = (int)s->n_values++;
	s->values = xrealloc(s->values, s->n_values * sizeof(*s->values));
	s->values[r] = v;
	json_object_set_new(s->value_ids, text, json_integer(r));
	free(text);
	return r;
}

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Is op i of the history part of the register model? */
static bool op_counts(const struct history_op *op)
{
	if (op->outcome == HISTORY_FAIL)
		return false;
	if (op->f == HISTORY_READ && op->outcome != HISTORY_OK)
		return false;
	return op->f == HISTORY_READ || op->f == HISTORY_WRITE || op->f == HISTORY_CAS;
}

static void add_to_class(struct search *s, struct lop *l, int li)
{
	size_t c;

	for (c = 0; c < s->n_classes; c++) {
		struct lop *first = &s->lops[s->class_lops[c][0]];
		if (first->f == l->f && first->a == l->a && first->b == l->b)
			break;
	}
	if (c == s->n_classes) {
		s->n_classes++;
		s->class_lops = xrealloc(s->class_lops, s->n_classes * sizeof(*s->class_lops));
		s->class_len = xrealloc(s->class_len, s->n_classes * sizeof(*s->class_len));
		s->class_lops[c] = NULL;
		s->class_len[c] = 0;
	}
	s->class_lops[c] = xrealloc(s->class_lops[c], (s->class_len[c] + 1) * sizeof(int));
	s->class_lops[c][s->class_len[c]++] = li;
	l->cls = (int)c;
}

static void make_lop(struct search *s, int op_idx, int li, uint64_t *seed)
{
	const struct history_op *op = &s->h->ops[op_idx];
	struct lop *l = &s->lops[li];

	l->op = op_idx;
	l->f = op->f;
	l->info = op->outcome != HISTORY_OK;
	l->cls = -1;
	l->info_idx = l->info ? (int)s->n_info++ : -1;
	l->zobrist = splitmix(seed);
	if (op->f == HISTORY_CAS) {
		l->a = value_id(s, json_array_get(op->value, 0));
		l->b = value_id(s, json_array_get(op->value, 1));
	} else {
		l->a = value_id(s, op->value);
	}
	if (l->info)
		add_to_class(s, l, li);
}

static void append(struct entry **tail, struct entry *en)
{
	en->prev = *tail;
	(*tail)->next = en;
	*tail = en;
}

/* Build the lops and the entry list of one key from its events (indices
 * into history.events, in file order). lop_of_op is scratch space with
 * one slot per operation of the history. The call entry of lop i is
 * entries[1 + 2i], its return entries[2 + 2i]. */
static void search_init(struct search *s, const struct history *h, const int *events,
			size_t n_events, int *lop_of_op, const struct checker_opts *opts,
			int64_t deadline_ns)
{
	struct entry *tail;
	uint64_t seed = 0x5eed;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->h = h;
	s->value_ids = json_object();
	s->values = xmalloc(sizeof(*s->values));
	s->values[0] = json_null();
	s->n_values = 1;
	s->memory_limit = opts->memory_limit_bytes;
	s->deadline_ns = deadline_ns;
	s->fail_lop = -1;
	s->fail_pos = -1;
	s->lops = xcalloc(n_events + 1, sizeof(*s->lops));
	s->entries = xcalloc(2 * n_events + 1, sizeof(*s->entries));
	tail = &s->entries[0];
	for (i = 0; i < n_events; i++) {
		const struct history_event *ev = &h->events[events[i]];
		struct entry *call, *ret;
		int li;

		if (!op_counts(&h->ops[ev->op]))
			continue;
		if (ev->type == HISTORY_INVOKE) {
			li = (int)s->n++;
			lop_of_op[ev->op] = li;
			make_lop(s, ev->op, li, &seed);
			call = &s->entries[1 + 2 * li];
			ret = &s->entries[2 + 2 * li];
			call->is_call = true;
			call->lop = ret->lop = li;
			call->match = ret;
			ret->at_infinity = s->lops[li].info;
			append(&tail, call);
		} else if (ev->type == HISTORY_OK) {
			append(&tail, &s->entries[2 + 2 * lop_of_op[ev->op]]);
		}
	}
	for (i = 0; i < s->n; i++)
		if (s->lops[i].info)
			append(&tail, &s->entries[2 + 2 * i]);
	tail->next = NULL;
	s->words = (s->n + 63) / 64;
	s->info_words = (s->n_info + 63) / 64;
	s->bits = xcalloc(s->words + 1, sizeof(uint64_t));
	s->ibits = xcalloc(s->info_words + 1, sizeof(uint64_t));
	s->enc = xcalloc(s->words + s->info_words + 1, sizeof(uint64_t));
	s->stack = xmalloc((s->n + 1) * sizeof(*s->stack));
	s->bytes = (s->n + 1) * sizeof(*s->stack);
	s->cur = (struct config){ 0, -1, 0, -1 };
	while (s->cur.first_ok < (int)s->n && s->lops[s->cur.first_ok].info)
		s->cur.first_ok++;
}

static void search_release(struct search *s)
{
	size_t i;

	for (i = 0; i < s->n_chunks; i++)
		free(s->chunks[i]);
	for (i = 0; i < s->n_classes; i++)
		free(s->class_lops[i]);
	free(s->chunks);
	free(s->class_lops);
	free(s->class_len);
	free(s->table);
	free(s->lops);
	free(s->entries);
	free(s->bits);
	free(s->ibits);
	free(s->enc);
	free(s->stack);
	free(s->values);
	json_decref(s->value_ids);
}

/* ---- the memo cache ---- */

static uint64_t config_hash(const struct search *s)
{
	return s->hash ^ ((uint64_t)(uint32_t)s->cur.state * 0xD6E8FEB86659FD93ull);
}

/* Encode the linearized set into s->enc; returns its length in words.
 * Every ok lop below first_ok is linearized, and none above max_lifted
 * is, so the words in between and the info bits say the rest. */
static uint32_t encode(struct search *s)
{
	size_t w0 = (size_t)s->cur.first_ok / 64, w1 = w0, n;

	if (s->cur.max_lifted >= 0 && (size_t)s->cur.max_lifted / 64 > w1)
		w1 = (size_t)s->cur.max_lifted / 64;
	if (w0 >= s->words)
		w0 = w1 = s->words;	/* all ok lops linearized: no window */
	n = w0 < s->words ? w1 - w0 + 1 : 0;
	memcpy(s->enc, s->bits + w0, n * sizeof(uint64_t));
	memcpy(s->enc + n, s->ibits, s->info_words * sizeof(uint64_t));
	return (uint32_t)(n + s->info_words);
}

static bool table_grow(struct search *s)
{
	size_t cap = s->table_cap ? s->table_cap * 2 : 1024, i;
	struct cache_rec **t;

	if (s->bytes + cap * sizeof(*t) > s->memory_limit)
		return false;
	t = xcalloc(cap, sizeof(*t));
	for (i = 0; i < s->table_cap; i++) {
		struct cache_rec *r = s->table[i];
		size_t j;

		if (!r)
			continue;
		for (j = r->hash & (cap - 1); t[j]; j = (j + 1) & (cap - 1))
			;
		t[j] = r;
	}
	s->bytes += (cap - s->table_cap) * sizeof(*t);
	free(s->table);
	s->table = t;
	s->table_cap = cap;
	return true;
}

static struct cache_rec *rec_alloc(struct search *s, uint32_t words)
{
	size_t size = sizeof(struct cache_rec) + words * sizeof(uint64_t);

	if (!s->n_chunks || s->chunk_used + size > s->chunk_size) {
		size_t chunk = s->chunk_size ? s->chunk_size * 2 : CHUNK_MIN;

		if (chunk > CHUNK_MAX)
			chunk = CHUNK_MAX;
		if (chunk < size)
			chunk = size;
		if (s->bytes + chunk > s->memory_limit)
			return NULL;
		s->chunks = xrealloc(s->chunks, (s->n_chunks + 1) * sizeof(*s->chunks));
		s->chunks[s->n_chunks++] = xmalloc(chunk);
		s->chunk_size = chunk;
		s->chunk_used = 0;
		s->bytes += chunk;
	}
	s->chunk_used += size;
	return (struct cache_rec *)(s->chunks[s->n_chunks - 1] + s->chunk_used - size);
}

/* Add the current configuration to the cache. Returns 1 if it was new, 0
 * if already there, -1 when the memory limit is reached. */
static int cache_add(struct search *s)
{
	uint64_t hash = config_hash(s);
	uint32_t words = encode(s);
	struct cache_rec *r;
	size_t j;

	if ((s->table_len + 1) * 2 > s->table_cap && !table_grow(s))
		return -1;
	for (j = hash & (s->table_cap - 1); s->table[j]; j = (j + 1) & (s->table_cap - 1)) {
		r = s->table[j];
		if (r->hash == hash && r->state == s->cur.state && r->first_ok == s->cur.first_ok &&
		    r->words == words && !memcmp(r->data, s->enc, words * sizeof(uint64_t)))
			return 0;
	}
	r = rec_alloc(s, words);
	if (!r)
		return -1;
	r->hash = hash;
	r->state = s->cur.state;
	r->first_ok = s->cur.first_ok;
	r->words = words;
	memcpy(r->data, s->enc, words * sizeof(uint64_t));
	s->table[j] = r;
	s->table_len++;
	return 1;
}

/* ---- the search ---- */

static void lift(struct entry *call)
{
	struct entry *ret = call->match;

	call->prev->next = call->next;
	if (call->next)
		call->next->prev = call->prev;
	ret->prev->next = ret->next;
	if (ret->next)
		ret->next->prev = ret->prev;
}

static void unlift(struct entry *call)
{
	struct entry *ret = call->match;

	ret->prev->next = ret;
	if (ret->next)
		ret->next->prev = ret;
	call->prev->next = call;
	if (call->next)
		call->next->prev = call;
}

static void flip(struct search *s, int li)
{
	int ii = s->lops[li].info_idx;

	s->bits[li / 64] ^= (uint64_t)1 << (li % 64);
	if (ii >= 0)
		s->ibits[ii / 64] ^= (uint64_t)1 << (ii % 64);
	s->hash ^= s->lops[li].zobrist;
}

static bool linearized(const struct search *s, int li)
{
	return s->bits[li / 64] >> (li % 64) & 1;
}

/* The state after l from state, or -1 if l cannot happen now. A state is
 * a value id times two, plus one when the value was set by an info op and
 * must be observed by the next op. */
static int step(const struct lop *l, int state)
{
	int value = state >> 1;
	bool must_observe = state & 1;

	switch (l->f) {
	case HISTORY_READ:
		return l->a == value ? value << 1 : -1;
	case HISTORY_WRITE:
		return must_observe ? -1 : l->a << 1 | l->info;
	case HISTORY_CAS:
		return l->a == value ? l->b << 1 | l->info : -1;
	default:
		return -1;
	}
}

/* Worth trying an info op now? Not if it changes nothing (then leaving it
 * out explains at least as much), nor if an identical one invoked earlier
 * is still pending (they are interchangeable). */
static bool info_worth_trying(const struct search *s, int li, int state, int next)
{
	const struct lop *l = &s->lops[li];
	size_t i;

	if (next >> 1 == state >> 1)
		return false;
	for (i = 0; i < s->class_len[l->cls]; i++) {
		int other = s->class_lops[l->cls][i];
		if (other == li)
			return true;
		if (!linearized(s, other))
			return false;
	}
	return true;
}

static void note_frontier(struct search *s, const struct entry *ret, int state, int writer)
{
	int pos = s->h->ops[s->lops[ret->lop].op].complete;
	int i;

	if (pos < s->fail_pos)
		return;
	if (pos > s->fail_pos) {
		s->fail_pos = pos;
		s->fail_lop = ret->lop;
		s->n_states = 0;
	}
	state >>= 1;
	for (i = 0; i < s->n_states; i++)
		if (s->states[i] == state)
			return;
	if (s->n_states < MAX_STATES) {
		s->states[s->n_states] = state;
		s->writers[s->n_states++] = writer;
	}
}

static bool over_time(struct search *s)
{
	return ++s->steps % CHECK_EVERY == 0 && clock_mono_ns() > s->deadline_ns;
}

/* Linearize the op of call, whose step from the current state gives next.
 * Returns 1 if that reached a new configuration, 0 if a known one (then
 * nothing changed), -1 at the memory limit. */
static int try_lift(struct search *s, struct entry *call, int next, bool forced)
{
	const struct lop *l = &s->lops[call->lop];
	struct config before = s->cur;
	int r;

	flip(s, call->lop);
	s->cur.state = next;
	if (call->lop > s->cur.max_lifted)
		s->cur.max_lifted = call->lop;
	while (s->cur.first_ok < (int)s->n &&
	       (s->lops[s->cur.first_ok].info || linearized(s, s->cur.first_ok)))
		s->cur.first_ok++;
	r = cache_add(s);
	if (r <= 0) {
		flip(s, call->lop);
		s->cur = before;
		return r;
	}
	if (l->f != HISTORY_READ)
		s->cur.writer = call->lop;
	s->stack[s->sp++] = (struct frame){ call, before, forced };
	lift(call);
	return 1;
}

/* Undo steps up to the last one that has alternatives; returns the entry
 * to try next, or NULL when the search space is exhausted. */
static struct entry *backtrack(struct search *s)
{
	while (s->sp) {
		struct frame *f = &s->stack[--s->sp];

		unlift(f->call);
		flip(s, f->call->lop);
		s->cur = f->before;
		if (!f->forced)
			return f->call->next;
	}
	return NULL;
}

/* A pending read of the current value, if any: always safe to take. */
static struct entry *free_read(const struct search *s)
{
	struct entry *en;

	for (en = s->entries[0].next; en && en->is_call; en = en->next)
		if (s->lops[en->lop].f == HISTORY_READ && s->lops[en->lop].a == s->cur.state >> 1)
			return en;
	return NULL;
}

static enum outcome search_run(struct search *s)
{
	struct entry *head = &s->entries[0], *en = head->next, *fr;
	bool fresh = true;
	const struct lop *l;
	int next, r;

	if (cache_add(s) < 0)
		return LIN_MEMORY;
	for (;;) {
		if (!en || en->at_infinity)
			return LIN_VALID;
		if (over_time(s))
			return LIN_TIMEOUT;
		if (fresh && (fr = free_read(s))) {
			r = try_lift(s, fr, (s->cur.state >> 1) << 1, true);
			if (r < 0)
				return LIN_MEMORY;
			fresh = r;
			if (r) {
				en = head->next;
				continue;
			}
			en = backtrack(s);
			if (!en)
				return LIN_INVALID;
			continue;
		}
		fresh = false;
		if (!en->is_call) {
			note_frontier(s, en, s->cur.state, s->cur.writer);
			en = backtrack(s);
			if (!en)
				return LIN_INVALID;
			continue;
		}
		l = &s->lops[en->lop];
		next = step(l, s->cur.state);
		if (next < 0 || (l->info && !info_worth_trying(s, en->lop, s->cur.state, next))) {
			en = en->next;
			continue;
		}
		r = try_lift(s, en, next, false);
		if (r < 0)
			return LIN_MEMORY;
		if (r) {
			en = head->next;
			fresh = true;
		} else {
			en = en->next;
		}
	}
}

/* ---- reporting ---- */

static json_t *value_json(const struct search *s, int id)
{
	return json_deep_copy(s->values[id]);
}

static json_t *frontier_states(const struct search *s, struct buf *text)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < s->n_states; i++) {
		json_t *o = json_object();
		char *v = history_value_text(s->values[s->states[i]]);

		json_object_set_new(o, "value", value_json(s, s->states[i]));
		if (s->writers[i] >= 0) {
			int op = s->lops[s->writers[i]].op;
			json_object_set_new(o, "set_by", history_op_json(s->h, (size_t)op));
			buf_addf(text, "%s%s (set at line %d)", i ? " or " : "", v,
				 s->h->events[s->h->ops[op].invoke].line);
		} else {
			json_object_set_new(o, "set_by", json_null());
			buf_addf(text, "%s%s (never written)", i ? " or " : "", v);
		}
		free(v);
		json_array_append_new(a, o);
	}
	return a;
}

/* Operations whose interval overlaps that of the failed one. */
static json_t *concurrent_ops(const struct search *s, size_t *ret_count)
{
	const struct history_op *bad = &s->h->ops[s->lops[s->fail_lop].op];
	json_t *a = json_array();
	size_t i, count = 0;

	for (i = 0; i < s->n; i++) {
		const struct history_op *op = &s->h->ops[s->lops[i].op];

		if ((int)i == s->fail_lop || op->invoke > bad->complete)
			continue;
		if (op->outcome == HISTORY_OK && op->complete < bad->invoke)
			continue;
		if (count++ < MAX_CONCURRENT)
			json_array_append_new(a, history_op_json(s->h, (size_t)s->lops[i].op));
	}
	*ret_count = count;
	return a;
}

static json_t *failure_json(const struct search *s, int key, char **ret_text)
{
	struct buf text = BUF_INIT;
	json_t *o = json_object(), *states, *conc;
	char *op_text, *key_text = history_key_text(s->h, key);
	size_t n_conc;

	json_object_set(o, "key", s->h->keys[key] ? s->h->keys[key] : json_null());
	if (s->fail_lop < 0) {	/* not expected: every failure meets a return */
		buf_addf(&text, "key %s: no linearization explains the history", key_text);
		json_object_set_new(o, "explanation", json_string(text.data));
		*ret_text = buf_detach(&text);
		free(key_text);
		return o;
	}
	op_text = history_op_text(s->h, (size_t)s->lops[s->fail_lop].op);
	buf_addf(&text, "key %s: no linearization explains %s; before it the register "
		 "could only hold ", key_text, op_text);
	states = frontier_states(s, &text);
	conc = concurrent_ops(s, &n_conc);
	buf_addf(&text, "; %zu concurrent operation%s", n_conc, n_conc == 1 ? "" : "s");
	json_object_set_new(o, "explanation", json_string(text.data));
	json_object_set_new(o, "op", history_op_json(s->h, (size_t)s->lops[s->fail_lop].op));
	json_object_set_new(o, "states", states);
	json_object_set_new(o, "concurrent", conc);
	json_object_set_new(o, "concurrent_count", json_integer((json_int_t)n_conc));
	*ret_text = buf_detach(&text);
	free(op_text);
	free(key_text);
	return o;
}

/* ---- per key ---- */

/* Events of each key, in file order: ret_events[k] has ret_counts[k]. */
static void events_by_key(const struct history *h, int ***ret_events, size_t **ret_counts)
{
	size_t *counts = xcalloc(h->n_keys + 1, sizeof(*counts));
	int **events = xcalloc(h->n_keys + 1, sizeof(*events));
	size_t i;

	for (i = 0; i < h->n_events; i++)
		if (h->events[i].key >= 0)
			counts[h->events[i].key]++;
	for (i = 0; i < h->n_keys; i++)
		events[i] = xmalloc((counts[i] + 1) * sizeof(int));
	memset(counts, 0, (h->n_keys + 1) * sizeof(*counts));
	for (i = 0; i < h->n_events; i++) {
		int k = h->events[i].key;
		if (k >= 0)
			events[k][counts[k]++] = (int)i;
	}
	*ret_events = events;
	*ret_counts = counts;
}

static bool key_has_adds(const struct history *h, const int *events, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h->events[events[i]].f == HISTORY_ADD)
			return true;
	return false;
}

struct summary {
	json_t *failures, *skipped;
	char *first_failure;
	char *unknown_reason;
	size_t n_failures, n_checked;
	uint64_t configurations;
	size_t peak_bytes;
};

static void check_key(const struct history *h, int key, const int *events, size_t n,
		      int *lop_of_op, const struct checker_opts *opts, int64_t deadline_ns,
		      struct summary *sum)
{
	struct search s;
	enum outcome r;
	char *text, *key_text;

	search_init(&s, h, events, n, lop_of_op, opts, deadline_ns);
	r = search_run(&s);
	sum->n_checked++;
	sum->configurations += s.table_len;
	if (s.bytes > sum->peak_bytes)
		sum->peak_bytes = s.bytes;
	if (r == LIN_INVALID) {
		json_t *f = failure_json(&s, key, &text);
		if (sum->n_failures++ < MAX_FAILURES)
			json_array_append_new(sum->failures, f);
		else
			json_decref(f);
		if (!sum->first_failure)
			sum->first_failure = text;
		else
			free(text);
	} else if (r == LIN_TIMEOUT || r == LIN_MEMORY) {
		key_text = history_key_text(h, key);
		sum->unknown_reason = r == LIN_TIMEOUT
			? xasprintf("the search for key %s exceeded the time limit of %g s "
				    "after %zu configurations", key_text, opts->time_limit_s,
				    s.table_len)
			: xasprintf("the search for key %s exceeded the memory limit of %zu MiB "
				    "after %zu configurations", key_text,
				    opts->memory_limit_bytes >> 20, s.table_len);
		free(key_text);
	}
	search_release(&s);
}

static json_t *summary_verdict(const struct history *h, struct summary *sum)
{
	enum checker_result result;
	json_t *v;
	char *text;

	if (sum->n_failures) {
		result = CHECKER_INVALID;
		text = sum->n_failures == 1 ? xstrdup(sum->first_failure)
			: xasprintf("%s (and %zu more invalid keys)", sum->first_failure,
				    sum->n_failures - 1);
	} else if (sum->unknown_reason) {
		result = CHECKER_UNKNOWN;
		text = xstrdup(sum->unknown_reason);
	} else {
		result = CHECKER_VALID;
		text = sum->n_checked == 1 ? xstrdup("the register is linearizable")
			: sum->n_checked ? xasprintf("all %zu registers are linearizable", sum->n_checked)
			: xstrdup("no register operations to check");
	}
	v = checker_verdict_new("linearizable-register", result, text, h);
	json_object_set_new(v, "keys", json_integer((json_int_t)sum->n_checked));
	json_object_set_new(v, "configurations", json_integer((json_int_t)sum->configurations));
	json_object_set_new(v, "peak_memory_bytes", json_integer((json_int_t)sum->peak_bytes));
	if (json_array_size(sum->skipped))
		json_object_set(v, "skipped_keys", sum->skipped);
	if (sum->n_failures) {
		json_object_set(v, "failures", sum->failures);
		json_object_set_new(v, "invalid_keys", json_integer((json_int_t)sum->n_failures));
	}
	free(text);
	return v;
}

int check_linearizable_register(const struct history *h, const struct checker_opts *opts,
				json_t **ret_verdict, struct err *e)
{
	int64_t deadline = opts->time_limit_s < 1e9
		? clock_mono_ns() + (int64_t)(opts->time_limit_s * 1e9) : INT64_MAX;
	struct summary sum = { json_array(), json_array(), NULL, NULL, 0, 0, 0, 0 };
	int **events, *lop_of_op = xmalloc((h->n_ops + 1) * sizeof(int));
	size_t *counts, k;

	(void)e;
	events_by_key(h, &events, &counts);
	for (k = 0; k < h->n_keys; k++) {
		if (key_has_adds(h, events[k], counts[k])) {
			json_array_append(sum.skipped, h->keys[k] ? h->keys[k] : json_null());
			continue;
		}
		if (!sum.unknown_reason)
			check_key(h, (int)k, events[k], counts[k], lop_of_op, opts, deadline, &sum);
	}
	*ret_verdict = summary_verdict(h, &sum);
	for (k = 0; k < h->n_keys; k++)
		free(events[k]);
	free(events);
	free(counts);
	free(lop_of_op);
	json_decref(sum.failures);
	json_decref(sum.skipped);
	free(sum.first_failure);
	free(sum.unknown_reason);
	return 0;
}
