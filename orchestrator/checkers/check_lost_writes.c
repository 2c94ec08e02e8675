/* check_lost_writes.c - lost-writes: what was acknowledged is still there.
 *
 * Sets and lists (keys with add operations, or whose final read is an
 * array): the final read is the ok read of the key, returning an array,
 * that completes last. Every add acknowledged (ok) before that read was
 * invoked must be in it ("lost" otherwise); adds with an unknown outcome,
 * or concurrent with the read, may or may not be. An element present but
 * never added is "unexpected"; present though every add of it failed,
 * "failed_present"; present more often than it was ever added,
 * "duplicated".
 *
 * Registers (keys with write or cas operations): the final read must
 * return a value that some write could still have left in place: not one
 * superseded by an acknowledged write that began after it ended and ended
 * before the read began. Otherwise the latest such write is "lost"; a value
 * never written is "unexpected".
 */
#include "checkers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPORTED 100	/* anomalies listed per category */

struct report {
	const struct history *h;
	json_t *lost, *unexpected, *failed_present, *duplicated;
	size_t n_lost, n_unexpected, n_failed_present, n_duplicated;
	json_t *unknown_keys;
	char *unknown_why;	/* first reason for "unknown" */
	char *first_anomaly;	/* first anomaly, for the explanation */
	size_t acknowledged, indeterminate, recovered, keys;
};

static void note_anomaly(struct report *r, json_t *list, size_t *count, json_t *item,
			 const char *what, int key, const json_t *value)
{
	if ((*count)++ < MAX_REPORTED)
		json_array_append_new(list, item);
	else
		json_decref(item);
	if (!r->first_anomaly) {
		char *k = history_key_text(r->h, key), *v = history_value_text(value);
		r->first_anomaly = xasprintf("%s: %s on key %s", what, v, k);
		free(k);
		free(v);
	}
}

static json_t *anomaly(const struct history *h, int key, const json_t *value)
{
	json_t *o = json_object();

	json_object_set(o, "key", h->keys[key] ? h->keys[key] : json_null());
	json_object_set_new(o, "value", value ? json_deep_copy(value) : json_null());
	return o;
}

static void note_unknown(struct report *r, int key, const char *why)
{
	char *k = history_key_text(r->h, key);

	json_array_append(r->unknown_keys, r->h->keys[key] ? r->h->keys[key] : json_null());
	if (!r->unknown_why)
		r->unknown_why = xasprintf("key %s %s", k, why);
	free(k);
}

/* The ok read of key, among its ops, that completes last and whose value
 * is (want_array) or is not an array; -1 if none. */
static int final_read(const struct history *h, const int *ops, size_t n, bool want_array)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct history_op *op = &h->ops[ops[i]];

		if (op->f != HISTORY_READ || op->outcome != HISTORY_OK)
			continue;
		if (json_is_array(op->value) != want_array)
			continue;
		if (best < 0 || op->complete > h->ops[best].complete)
			best = ops[i];
	}
	return best;
}

/* ---- sets and lists ---- */

struct element {
	const json_t *value;
	int first_ok;		/* op: an add acknowledged before the read; -1 */
	size_t ok, maybe, failed, present;
	int first_add;		/* any add op of the element, for reports; -1 */
};

static struct element *element_of(json_t *index, struct element **elems, size_t *n,
				   const json_t *value)
{
	char *text = history_value_text(value);
	json_t *id = json_object_get(index, text);
	struct element *el;

	if (id) {
		free(text);
		return &(*elems)[json_integer_value(id)];
	}
	json_object_set_new(index, text, json_integer((json_int_t)*n));
	free(text);
	*elems = xrealloc(*elems, (*n + 1) * sizeof(**elems));
	el = &(*elems)[(*n)++];
	memset(el, 0, sizeof(*el));
	el->value = value;
	el->first_ok = el->first_add = -1;
	return el;
}

static void tally_add(const struct history *h, int op_idx, int read_invoke,
		      struct element *el)
{
	const struct history_op *op = &h->ops[op_idx];

	if (el->first_add < 0)
		el->first_add = op_idx;
	if (op->outcome == HISTORY_FAIL) {
		el->failed++;
	} else if (op->outcome == HISTORY_OK && op->complete < read_invoke) {
		el->ok++;
		if (el->first_ok < 0)
			el->first_ok = op_idx;
	} else {
		el->maybe++;	/* info, pending, or concurrent with the read */
	}
}

static void judge_element(struct report *r, int key, const struct element *el, int read)
{
	const struct history *h = r->h;
	json_t *o;

	if (el->ok && !el->present) {
		o = anomaly(h, key, el->value);
		json_object_set_new(o, "op", history_op_json(h, (size_t)el->first_ok));
		json_object_set_new(o, "final_read", history_op_json(h, (size_t)read));
		note_anomaly(r, r->lost, &r->n_lost, o, "lost", key, el->value);
		return;
	}
	if (!el->present)
		return;
	if (el->maybe && !el->ok && el->present)
		r->recovered++;
	if (el->first_add < 0) {
		o = anomaly(h, key, el->value);
		json_object_set_new(o, "final_read", history_op_json(h, (size_t)read));
		note_anomaly(r, r->unexpected, &r->n_unexpected, o, "unexpected", key, el->value);
	} else if (!el->ok && !el->maybe) {
		o = anomaly(h, key, el->value);
		json_object_set_new(o, "op", history_op_json(h, (size_t)el->first_add));
		json_object_set_new(o, "final_read", history_op_json(h, (size_t)read));
		note_anomaly(r, r->failed_present, &r->n_failed_present, o,
			     "failed but present", key, el->value);
	} else if (el->present > el->ok + el->maybe) {
		o = anomaly(h, key, el->value);
		json_object_set_new(o, "times_added", json_integer((json_int_t)(el->ok + el->maybe)));
		json_object_set_new(o, "times_read", json_integer((json_int_t)el->present));
		json_object_set_new(o, "final_read", history_op_json(h, (size_t)read));
		note_anomaly(r, r->duplicated, &r->n_duplicated, o, "duplicated", key, el->value);
	}
}

static void check_collection(struct report *r, int key, const int *ops, size_t n)
{
	const struct history *h = r->h;
	int read = final_read(h, ops, n, true), read_invoke;
	struct element *elems = NULL;
	json_t *index, *x;
	size_t i, n_elems = 0;

	if (read < 0) {
		for (i = 0; i < n; i++)
			if (h->ops[ops[i]].f == HISTORY_ADD && h->ops[ops[i]].outcome == HISTORY_OK)
				break;
		if (i < n)
			note_unknown(r, key, "has acknowledged adds but no final read");
		return;
	}
	read_invoke = h->ops[read].invoke;
	index = json_object();
	for (i = 0; i < n; i++)
		if (h->ops[ops[i]].f == HISTORY_ADD)
			tally_add(h, ops[i], read_invoke,
				  element_of(index, &elems, &n_elems, h->ops[ops[i]].value));
	json_array_foreach(h->ops[read].value, i, x)
		element_of(index, &elems, &n_elems, x)->present++;
	for (i = 0; i < n_elems; i++)
		judge_element(r, key, &elems[i], read);
	json_decref(index);
	free(elems);
}

/* ---- registers ---- */

static int64_t end_of(const struct history_op *op)
{
	return op->outcome == HISTORY_OK ? op->complete : INT64_MAX;
}

/* Is write w (or the initial null, w < 0) overwritten, for sure, before
 * the read begins: by an acknowledged write that begins after w ends and
 * ends before the read begins? */
static bool superseded(const struct history *h, const int *ops, size_t n, int w, int read)
{
	int64_t w_end = w < 0 ? -1 : end_of(&h->ops[w]);
	size_t i;

	for (i = 0; i < n; i++) {
		const struct history_op *op = &h->ops[ops[i]];

		if ((op->f == HISTORY_WRITE || op->f == HISTORY_CAS) &&
		    op->outcome == HISTORY_OK && op->invoke > w_end &&
		    op->complete < h->ops[read].invoke)
			return true;
	}
	return false;
}

/* The acknowledged write that ended last before the read began; -1. */
static int latest_acknowledged(const struct history *h, const int *ops, size_t n, int read)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct history_op *op = &h->ops[ops[i]];

		if ((op->f == HISTORY_WRITE || op->f == HISTORY_CAS) &&
		    op->outcome == HISTORY_OK && op->complete < h->ops[read].invoke &&
		    (best < 0 || op->complete > h->ops[best].complete))
			best = ops[i];
	}
	return best;
}

static const json_t *written_value(const struct history_op *op)
{
	return op->f == HISTORY_CAS ? json_array_get(op->value, 1) : op->value;
}

static void check_register(struct report *r, int key, const int *ops, size_t n)
{
	const struct history *h = r->h;
	int read = final_read(h, ops, n, false), latest;
	const json_t *v;
	bool written = false, explained;
	size_t i;
	json_t *o;

	if (read < 0) {
		for (i = 0; i < n; i++)
			if (h->ops[ops[i]].f != HISTORY_READ && h->ops[ops[i]].outcome == HISTORY_OK)
				break;
		if (i < n)
			note_unknown(r, key, "has acknowledged writes but no final read");
		return;
	}
	v = h->ops[read].value;
	explained = json_is_null(v) && !superseded(h, ops, n, -1, read);
	written = json_is_null(v);
	for (i = 0; i < n && !explained; i++) {
		const struct history_op *op = &h->ops[ops[i]];

		if (op->f == HISTORY_READ || op->outcome == HISTORY_FAIL ||
		    op->invoke > h->ops[read].complete || !json_equal(written_value(op), v))
			continue;
		written = true;
		explained = !superseded(h, ops, n, ops[i], read);
	}
	if (explained)
		return;
	o = anomaly(h, key, v);
	json_object_set_new(o, "final_read", history_op_json(h, (size_t)read));
	if (!written) {
		note_anomaly(r, r->unexpected, &r->n_unexpected, o, "unexpected", key, v);
		return;
	}
	latest = latest_acknowledged(h, ops, n, read);
	json_object_set_new(o, "value", json_deep_copy(written_value(&h->ops[latest])));
	json_object_set_new(o, "op", history_op_json(h, (size_t)latest));
	json_object_set_new(o, "read_value", json_deep_copy(v));
	note_anomaly(r, r->lost, &r->n_lost, o, "lost", key, written_value(&h->ops[latest]));
}

/* ---- the checker ---- */

static void check_key(struct report *r, int key, const int *ops, size_t n)
{
	bool adds = false, writes = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct history_op *op = &r->h->ops[ops[i]];

		adds |= op->f == HISTORY_ADD;
		writes |= op->f == HISTORY_WRITE || op->f == HISTORY_CAS;
		if (op->f != HISTORY_READ && op->outcome == HISTORY_OK)
			r->acknowledged++;
		if (op->f != HISTORY_READ && op->outcome == HISTORY_INFO)
			r->indeterminate++;
	}
	if (adds && writes) {
		note_unknown(r, key, "mixes add with write or cas operations");
		return;
	}
	r->keys++;
	if (adds || final_read(r->h, ops, n, true) >= 0)
		check_collection(r, key, ops, n);
	else if (writes)
		check_register(r, key, ops, n);
}

static json_t *verdict(struct report *r)
{
	size_t anomalies = r->n_lost + r->n_unexpected + r->n_failed_present + r->n_duplicated;
	enum checker_result result = anomalies ? CHECKER_INVALID
				   : r->unknown_why ? CHECKER_UNKNOWN : CHECKER_VALID;
	char *text;
	json_t *v;

	if (result == CHECKER_INVALID)
		text = xasprintf("%zu lost, %zu unexpected, %zu failed but present, "
				 "%zu duplicated (first: %s)", r->n_lost, r->n_unexpected,
				 r->n_failed_present, r->n_duplicated, r->first_anomaly);
	else if (result == CHECKER_UNKNOWN)
		text = xstrdup(r->unknown_why);
	else
		text = xasprintf("every add or write acknowledged before its key's final read "
				 "is in it (%zu acknowledged, %zu indeterminate)", r->acknowledged,
				 r->indeterminate);
	v = checker_verdict_new("lost-writes", result, text, r->h);
	free(text);
	json_object_set_new(v, "keys", json_integer((json_int_t)r->keys));
	json_object_set_new(v, "acknowledged", json_integer((json_int_t)r->acknowledged));
	json_object_set_new(v, "indeterminate", json_integer((json_int_t)r->indeterminate));
	json_object_set_new(v, "recovered", json_integer((json_int_t)r->recovered));
	json_object_set_new(v, "lost_count", json_integer((json_int_t)r->n_lost));
	json_object_set_new(v, "unexpected_count", json_integer((json_int_t)r->n_unexpected));
	json_object_set(v, "lost", r->lost);
	json_object_set(v, "unexpected", r->unexpected);
	if (r->n_failed_present)
		json_object_set(v, "failed_present", r->failed_present);
	if (r->n_duplicated)
		json_object_set(v, "duplicated", r->duplicated);
	if (json_array_size(r->unknown_keys))
		json_object_set(v, "unknown_keys", r->unknown_keys);
	return v;
}

int check_lost_writes(const struct history *h, const struct checker_opts *opts,
		      json_t **ret_verdict, struct err *e)
{
	struct report r = { .h = h };
	size_t *counts = xcalloc(h->n_keys + 1, sizeof(*counts)), i;
	int **ops = xcalloc(h->n_keys + 1, sizeof(*ops));

	(void)opts;
	(void)e;
	r.lost = json_array();
	r.unexpected = json_array();
	r.failed_present = json_array();
	r.duplicated = json_array();
	r.unknown_keys = json_array();
	for (i = 0; i < h->n_ops; i++)
		counts[h->ops[i].key]++;
	for (i = 0; i < h->n_keys; i++) {
		ops[i] = xmalloc((counts[i] + 1) * sizeof(int));
		counts[i] = 0;
	}
	for (i = 0; i < h->n_ops; i++)
		ops[h->ops[i].key][counts[h->ops[i].key]++] = (int)i;
	for (i = 0; i < h->n_keys; i++)
		check_key(&r, (int)i, ops[i], counts[i]);
	*ret_verdict = verdict(&r);
	for (i = 0; i < h->n_keys; i++)
		free(ops[i]);
	free(ops);
	free(counts);
	json_decref(r.lost);
	json_decref(r.unexpected);
	json_decref(r.failed_present);
	json_decref(r.duplicated);
	json_decref(r.unknown_keys);
	free(r.unknown_why);
	free(r.first_anomaly);
	return 0;
}
