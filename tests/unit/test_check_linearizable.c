/* linearizable-register on hand-made histories, plus the search bounds. */
#include "buf.h"
#include "checkers.h"
#include "history.h"
#include "tap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

static struct checker_opts opts;

/* Check the named history; return the verdict (caller's) or NULL. */
static json_t *check_file(const char *name)
{
	char *path = xasprintf(HISTORIES "%s", name);
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;

	if (history_load(path, &h, &e) < 0)
		ok(0, "load %s: %s", name, e.msg);
	else if (check_linearizable_register(h, &opts, &v, &e) < 0)
		ok(0, "check %s: %s", name, e.msg);
	history_free(h);
	free(path);
	return v;
}

static void expect(const char *name, enum checker_result want)
{
	json_t *v = check_file(name);

	if (!v)
		return;
	if (!ok(checker_verdict_result(v) == want, "%s is %s", name,
		want == CHECKER_VALID ? "valid" : want == CHECKER_INVALID ? "invalid" : "unknown"))
		printf("# %s\n", json_string_value(json_object_get(v, "explanation")));
	json_decref(v);
}

/* The first failure of an invalid verdict. */
static json_t *failure(json_t *v)
{
	return json_array_get(json_object_get(v, "failures"), 0);
}

static int line_of(json_t *events, size_t i)
{
	return (int)json_integer_value(json_object_get(json_array_get(events, i), "line"));
}

static void test_valid(void)
{
	expect("lin_sequential.jsonl", CHECKER_VALID);
	expect("lin_concurrent.jsonl", CHECKER_VALID);
	expect("lin_interleaving.jsonl", CHECKER_VALID);
	expect("lin_null_keys.jsonl", CHECKER_VALID);
	expect("lin_info_write.jsonl", CHECKER_VALID);
	expect("lin_cas.jsonl", CHECKER_VALID);
	expect("lin_info_cas_reuse.jsonl", CHECKER_VALID);
}

static void test_stale_read(void)
{
	json_t *v = check_file("lin_stale_read.jsonl"), *f;

	if (!v)
		return;
	is_int(checker_verdict_result(v), CHECKER_INVALID, "stale read after a completed write");
	f = failure(v);
	is_str(json_string_value(json_object_get(f, "key")), "x", "failing key");
	is_int(line_of(json_object_get(f, "op"), 0), 5, "the stale read is the culprit (invoke)");
	is_int(line_of(json_object_get(f, "op"), 1), 6, "the stale read is the culprit (ok)");
	is_int(json_array_size(json_object_get(f, "states")), 1, "one possible state");
	is_int(json_integer_value(json_object_get(json_array_get(json_object_get(f, "states"), 0),
						  "value")), 2, "the register held 2");
	is_int(json_integer_value(json_object_get(f, "concurrent_count")), 0, "nothing concurrent");
	is_str(json_string_value(json_object_get(v, "explanation")),
	       "key 'x': no linearization explains ok read 1 by process 1 on key 'x' (lines 5-6); "
	       "before it the register could only hold 2 (set at line 3); 0 concurrent operations",
	       "explanation");
	json_decref(v);
}

/* Sorted by time first: a read that looks concurrent with a write in
 * file order may follow it in time. */
static void test_out_of_order(void)
{
	json_t *v = check_file("lin_unsorted.jsonl");

	if (v) {
		is_int(checker_verdict_result(v), CHECKER_VALID, "reading 2 after write 2 is fine");
		is_int(json_integer_value(json_object_get(v, "reordered")), 2, "two lines reordered");
		is_str(json_string_value(json_object_get(v, "explanation")),
		       "the register is linearizable; 2 lines out of time order were sorted by time",
		       "explanation");
		json_decref(v);
	}
	v = check_file("lin_unsorted_stale.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID,
		       "reading 1 after write 2 ended is stale, once sorted");
		is_int(json_integer_value(json_object_get(v, "reordered")), 2, "two lines reordered");
		is_int(line_of(json_object_get(failure(v), "op"), 1), 4, "the stale read's own line");
		json_decref(v);
	}
}

static void test_invalid(void)
{
	json_t *v, *f;

	v = check_file("lin_flipflop.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "1, 2, 1 with one write each");
		f = failure(v);
		is_int(line_of(json_object_get(f, "op"), 0), 7, "the third read cannot be placed");
		is_int(json_integer_value(json_object_get(f, "concurrent_count")), 2,
		       "the two pending writes are concurrent");
		json_decref(v);
	}
	v = check_file("lin_info_write_back.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "info write seen, then null again");
		is_int(line_of(json_object_get(failure(v), "op"), 0), 5, "the null read is the culprit");
		json_decref(v);
	}
	v = check_file("lin_cas_invalid.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "ok cas from a value never held");
		is_int(line_of(json_object_get(failure(v), "op"), 0), 3, "the cas is the culprit");
		json_decref(v);
	}
	expect("lin_failed_write.jsonl", CHECKER_INVALID);
	v = check_file("lin_multi_key.jsonl");
	if (v) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "one of two keys is stale");
		is_int(json_integer_value(json_object_get(v, "invalid_keys")), 1, "only one key");
		is_str(json_string_value(json_object_get(failure(v), "key")), "b", "key b");
		is_int(json_integer_value(json_object_get(v, "keys")), 2, "both keys checked");
		json_decref(v);
	}
}

/* n writes of distinct values, all concurrent, half ok and half info,
 * then reads 1, 2, 1: invalid, but only after trying every order of the
 * writes: exponential in n. */
static struct history *hard_history(int n)
{
	struct buf b = BUF_INIT;
	struct history *h = NULL;
	struct err e;
	int i, t = 0;

	for (i = 0; i < n; i++)
		buf_addf(&b, "{\"process\": %d, \"type\": \"invoke\", \"f\": \"write\", "
			 "\"value\": %d, \"time\": %d}\n", i, i + 1, t++);
	for (i = 0; i < n; i++)
		buf_addf(&b, "{\"process\": %d, \"type\": \"%s\", \"f\": \"write\", "
			 "\"value\": %d, \"time\": %d}\n", i, i % 2 ? "info" : "ok", i + 1, t++);
	for (i = 0; i < 3; i++)
		buf_addf(&b, "{\"process\": %d, \"type\": \"invoke\", \"f\": \"read\", \"time\": %d}\n"
			 "{\"process\": %d, \"type\": \"ok\", \"f\": \"read\", \"value\": %d, \"time\": %d}\n",
			 n, t, n, i == 1 ? 3 : 1, t + 1), t += 2;
	if (history_parse("hard", b.data, b.len, &h, &e) < 0)
		ok(0, "hard history: %s", e.msg);
	buf_release(&b);
	return h;
}

static void test_bounds(void)
{
	struct checker_opts o = opts;
	struct history *h = hard_history(48);
	json_t *v = NULL;
	struct err e;

	if (!h)
		return;
	o.time_limit_s = 0.2;
	ok(check_linearizable_register(h, &o, &v, &e) == 0, "time-bounded check runs");
	is_int(checker_verdict_result(v), CHECKER_UNKNOWN, "time limit: unknown");
	ok(strstr(json_string_value(json_object_get(v, "explanation")), "time limit of 0.2 s") != NULL,
	   "explanation names the time limit");
	json_decref(v);

	o = opts;
	o.memory_limit_bytes = 1 << 20;
	ok(check_linearizable_register(h, &o, &v, &e) == 0, "memory-bounded check runs");
	is_int(checker_verdict_result(v), CHECKER_UNKNOWN, "memory limit: unknown");
	ok(strstr(json_string_value(json_object_get(v, "explanation")), "memory limit of 1 MiB") != NULL,
	   "explanation names the memory limit");
	ok(json_integer_value(json_object_get(v, "peak_memory_bytes")) <= 1 << 20,
	   "stays within the memory limit");
	json_decref(v);
	history_free(h);

	h = hard_history(4);
	if (h && check_linearizable_register(h, &o, &v, &e) == 0) {
		is_int(checker_verdict_result(v), CHECKER_INVALID,
		       "a small history is decided within 1 MiB");
		json_decref(v);
	}
	history_free(h);

	h = hard_history(8);
	if (h && check_linearizable_register(h, &opts, &v, &e) == 0) {
		is_int(checker_verdict_result(v), CHECKER_INVALID, "a small hard history is decided");
		json_decref(v);
	}
	history_free(h);
}

/* Many info writes that nobody observes must not blow up the search. */
static void test_many_info_writes(void)
{
	struct buf b = BUF_INIT;
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;
	int i, t = 0;

	for (i = 0; i < 200; i++)
		buf_addf(&b, "{\"process\": %d, \"type\": \"invoke\", \"f\": \"write\", \"value\": %d, \"time\": %d}\n"
			 "{\"process\": %d, \"type\": \"invoke\", \"f\": \"read\", \"time\": %d}\n"
			 "{\"process\": %d, \"type\": \"info\", \"f\": \"write\", \"value\": %d, \"time\": %d}\n"
			 "{\"process\": %d, \"type\": \"ok\", \"f\": \"read\", \"value\": %d, \"time\": %d}\n",
			 2 * i, i, t, 2 * i + 1, t + 1, 2 * i, i, t + 2, 2 * i + 1, i, t + 3), t += 4;
	if (!ok(history_parse("info", b.data, b.len, &h, &e) == 0, "parses: %s", e.msg))
		goto out;
	ok(check_linearizable_register(h, &opts, &v, &e) == 0, "runs");
	is_int(checker_verdict_result(v), CHECKER_VALID, "200 crashed writes, each read once");
	json_decref(v);
out:
	history_free(h);
	buf_release(&b);
}

static void test_skips_sets(void)
{
	static const char text[] =
		"{\"process\": 0, \"type\": \"invoke\", \"f\": \"add\", \"key\": \"s\", \"value\": 1, \"time\": 1}\n"
		"{\"process\": 0, \"type\": \"ok\", \"f\": \"add\", \"key\": \"s\", \"value\": 1, \"time\": 2}\n";
	struct history *h = NULL;
	json_t *v = NULL;
	struct err e;

	if (!ok(history_parse("s", text, strlen(text), &h, &e) == 0, "parses"))
		return;
	check_linearizable_register(h, &opts, &v, &e);
	is_int(checker_verdict_result(v), CHECKER_VALID, "a set-only history has no register");
	is_int(json_array_size(json_object_get(v, "skipped_keys")), 1, "the set key is skipped");
	json_decref(v);
	history_free(h);
}

/* ---- differential test against a brute-force search ---- */

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

struct sim_op {
	int proc, f, a, b, result;	/* f: 0 read, 1 write, 2 cas; values -1 = null */
	int t_inv, t_lin, t_done;
	const char *type;
};

static void value_text(struct buf *b, int v)
{
	if (v < 0)
		buf_adds(b, "null");
	else
		buf_addf(b, "%d", v);
}

/* A random history of n ops by 3 processes on a simulated register, with
 * some results corrupted. */
static void random_history(struct buf *b, int n)
{
	struct sim_op ops[16];
	int next_free[3] = { 0, 0, 0 }, reg = -1, i, t, order[16], k;

	for (i = 0; i < n; i++) {
		struct sim_op *o = &ops[i];
		o->proc = (int)rnd(3);
		o->f = (int)rnd(3);
		o->a = (int)rnd(3) - (o->f == 2 ? 1 : 0);
		o->b = (int)rnd(3);
		o->t_inv = next_free[o->proc] + (int)rnd(4);
		o->t_lin = o->t_inv + (int)rnd(6);
		o->t_done = o->t_lin + (int)rnd(6);
		next_free[o->proc] = o->t_done + 1;
	}
	/* apply in linearization order */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && ops[order[k]].t_lin < ops[order[k - 1]].t_lin; k--) {
			int x = order[k]; order[k] = order[k - 1]; order[k - 1] = x;
		}
	for (i = 0; i < n; i++) {
		struct sim_op *o = &ops[order[i]];
		unsigned fate = rnd(10);

		o->type = fate < 7 ? "ok" : fate < 9 ? "info" : "fail";
		if (!strcmp(o->type, "fail"))
			continue;
		if (!strcmp(o->type, "info") && rnd(2))
			continue;	/* crashed before taking effect */
		if (o->f == 0)
			o->result = reg;
		else if (o->f == 1)
			reg = o->a;
		else if (o->a == reg)
			reg = o->b;
		else if (!strcmp(o->type, "ok"))
			o->type = "fail";
		if (o->f == 0 && rnd(3) == 0)
			o->result = (int)rnd(4) - 1;	/* corrupt */
	}
	/* events in time order: invokes at t_inv, completions at t_done */
	buf_reset(b);
	for (t = 0; t < 200; t++) {
		for (i = 0; i < n; i++) {
			struct sim_op *o = &ops[i];
			static const char *const fs[] = { "read", "write", "cas" };

			if (o->t_inv == t) {
				buf_addf(b, "{\"process\": %d, \"type\": \"invoke\", \"f\": \"%s\", \"value\": ",
					 o->proc, fs[o->f]);
				if (o->f == 2) {
					buf_addch(b, '[');
					value_text(b, o->a);
					buf_adds(b, ", ");
					value_text(b, o->b);
					buf_addch(b, ']');
				} else {
					value_text(b, o->f == 0 ? -1 : o->a);
				}
				buf_addf(b, ", \"time\": %d}\n", t);
			}
		}
		for (i = 0; i < n; i++) {
			struct sim_op *o = &ops[i];
			static const char *const fs[] = { "read", "write", "cas" };

			if (o->t_done == t && !(i == n - 1 && rnd(4) == 0)) {	/* sometimes pending */
				buf_addf(b, "{\"process\": %d, \"type\": \"%s\", \"f\": \"%s\"",
					 o->proc, o->type, fs[o->f]);
				if (o->f == 0 && !strcmp(o->type, "ok")) {
					buf_adds(b, ", \"value\": ");
					value_text(b, o->result);
				}
				buf_addf(b, ", \"time\": %d}\n", t);
			}
		}
	}
}

struct bf {
	const struct history *h;
	int n, f[16], a[16], b[16], inv[16], done[16], must[16];
	unsigned char seen[1 << 16][4];
};

static int bf_value(const json_t *v)
{
	return json_is_null(v) || !v ? 0 : (int)json_integer_value(v) + 1;
}

static bool bf_search(struct bf *s, unsigned used, int state)
{
	int x, y;
	bool done = true;

	if (s->seen[used][state])
		return false;
	s->seen[used][state] = 1;
	for (x = 0; x < s->n; x++)
		if (s->must[x] && !(used >> x & 1))
			done = false;
	if (done)
		return true;
	for (x = 0; x < s->n; x++) {
		int next = -1;

		if (used >> x & 1)
			continue;
		for (y = 0; y < s->n; y++)
			if (y != x && !(used >> y & 1) && s->must[y] && s->done[y] < s->inv[x])
				break;
		if (y < s->n)
			continue;
		if (s->f[x] == HISTORY_READ && s->a[x] == state)
			next = state;
		else if (s->f[x] == HISTORY_WRITE)
			next = s->a[x];
		else if (s->f[x] == HISTORY_CAS && s->a[x] == state)
			next = s->b[x];
		if (next >= 0 && bf_search(s, used | 1u << x, next))
			return true;
	}
	return false;
}

static bool brute_force(const struct history *h)
{
	static struct bf s;
	size_t i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < h->n_ops; i++) {
		const struct history_op *op = &h->ops[i];
		int x = s.n;

		if (op->outcome == HISTORY_FAIL || (op->f == HISTORY_READ && op->outcome != HISTORY_OK))
			continue;
		s.n++;
		s.f[x] = op->f;
		s.inv[x] = op->invoke;
		s.must[x] = op->outcome == HISTORY_OK;
		s.done[x] = s.must[x] ? op->complete : 1 << 30;
		if (op->f == HISTORY_CAS) {
			s.a[x] = bf_value(json_array_get(op->value, 0));
			s.b[x] = bf_value(json_array_get(op->value, 1));
		} else {
			s.a[x] = bf_value(op->value);
		}
	}
	return bf_search(&s, 0, 0);
}

static void test_differential(void)
{
	struct buf b = BUF_INIT;
	int i, agree = 0, valid = 0, runs = 3000;

	for (i = 0; i < runs; i++) {
		struct history *h = NULL;
		json_t *v = NULL;
		struct err e;
		bool want;

		random_history(&b, 3 + (int)rnd(10));
		if (history_parse("random", b.data, b.len, &h, &e) < 0) {
			ok(0, "random history parses: %s\n%s", e.msg, b.data);
			break;
		}
		want = brute_force(h);
		check_linearizable_register(h, &opts, &v, &e);
		if (want == (checker_verdict_result(v) == CHECKER_VALID))
			agree++;
		else
			printf("# disagreement (brute force: %s):\n%s", want ? "valid" : "invalid", b.data);
		valid += want;
		json_decref(v);
		history_free(h);
	}
	is_int(agree, runs, "agrees with a brute-force search on random histories");
	ok(valid > runs / 5 && valid < runs * 4 / 5, "a mix of valid (%d) and invalid histories", valid);
	buf_release(&b);
}

int main(void)
{
	checker_opts_init(&opts);
	test_valid();
	test_stale_read();
	test_out_of_order();
	test_invalid();
	test_bounds();
	test_many_info_writes();
	test_skips_sets();
	test_differential();
	return tap_done();
}
