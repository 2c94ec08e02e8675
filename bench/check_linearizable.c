/* bench/check_linearizable.c - time linearizable-register on synthetic
 * valid histories.
 *
 * usage: check_linearizable [PROCESSES [OPS [KEYS [INFO_PERCENT [SEED]]]]]
 *
 * PROCESSES clients share KEYS registers; each operation (50% reads, 30%
 * writes of unique values, 20% cas) takes effect at a random instant
 * between its invoke and its completion on a simulated atomic register,
 * so the history is linearizable by construction. INFO_PERCENT of the
 * operations crash (info): half of those take effect, half do not; a
 * crashed process comes back under a new number. Prints one line:
 * processes, ops, keys, info %, verdict, seconds, configurations, peak
 * memory (and the time to parse the history). Build and run with
 * bench/check_linearizable.sh.
 */
#include "buf.h"
#include "checkers.h"
#include "clock.h"
#include "history.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim {
	int key, f, a, b, result;	/* f: 0 read, 1 write, 2 cas; -1 is null */
	int proc;
	int64_t t_inv, t_lin, t_done;
	const char *outcome;
	bool applies;
};

struct event {
	int64_t time;
	int op;
	bool invoke;
};

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static int by_lin(const void *x, const void *y, void *arg)
{
	const struct sim *ops = arg;
	int64_t a = ops[*(const int *)x].t_lin, b = ops[*(const int *)y].t_lin;

	return a < b ? -1 : a > b;
}

static int by_time(const void *x, const void *y)
{
	const struct event *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->invoke - b->invoke;	/* completions first at a tie */
}

static void generate(struct sim *ops, int n_ops, int procs, int keys, int info_pct)
{
	int64_t *free_at = calloc((size_t)procs, sizeof(int64_t));
	int *proc_id = malloc((size_t)procs * sizeof(int)), next_proc = procs;
	int *regs = malloc((size_t)keys * sizeof(int)), *order = malloc((size_t)n_ops * sizeof(int));
	int i, value = 0;

	for (i = 0; i < procs; i++)
		proc_id[i] = i;
	for (i = 0; i < keys; i++)
		regs[i] = -1;
	for (i = 0; i < n_ops; i++) {
		struct sim *o = &ops[i];
		int p = (int)rnd((unsigned)procs);
		unsigned kind = rnd(10);

		o->proc = proc_id[p];
		o->key = (int)rnd((unsigned)keys);
		o->f = kind < 5 ? 0 : kind < 8 ? 1 : 2;
		o->a = o->f == 1 ? value++ : (int)rnd(4) - 1;
		o->b = value++;
		o->t_inv = free_at[p] + rnd(1000);
		o->t_lin = o->t_inv + rnd(5000);
		o->t_done = o->t_lin + rnd(5000);
		free_at[p] = o->t_done + 1;
		o->outcome = "ok";
		o->applies = true;
		if ((int)rnd(100) < info_pct) {
			o->outcome = "info";
			o->applies = rnd(2);
			proc_id[p] = next_proc++;
		}
		order[i] = i;
	}
	qsort_r(order, (size_t)n_ops, sizeof(int), by_lin, ops);
	for (i = 0; i < n_ops; i++) {
		struct sim *o = &ops[order[i]];
		int *reg = &regs[o->key];

		if (o->f == 2 && o->a == -1 && rnd(2))
			o->a = *reg;	/* make some cas succeed */
		if (!o->applies)
			continue;
		if (o->f == 0)
			o->result = *reg;
		else if (o->f == 1)
			*reg = o->a;
		else if (o->a == *reg)
			*reg = o->b;
		else if (!strcmp(o->outcome, "ok"))
			o->outcome = "fail";
	}
	free(free_at);
	free(proc_id);
	free(regs);
	free(order);
}

static void value(struct buf *b, int v)
{
	if (v < 0)
		buf_adds(b, "null");
	else
		buf_addf(b, "%d", v);
}

static void emit(struct buf *b, const struct sim *ops, int n_ops)
{
	static const char *const fs[] = { "read", "write", "cas" };
	struct event *ev = malloc(2 * (size_t)n_ops * sizeof(*ev));
	int i;

	for (i = 0; i < n_ops; i++) {
		ev[2 * i] = (struct event){ ops[i].t_inv, i, true };
		ev[2 * i + 1] = (struct event){ ops[i].t_done, i, false };
	}
	qsort(ev, 2 * (size_t)n_ops, sizeof(*ev), by_time);
	for (i = 0; i < 2 * n_ops; i++) {
		const struct sim *o = &ops[ev[i].op];

		buf_addf(b, "{\"process\": %d, \"type\": \"%s\", \"f\": \"%s\", \"key\": %d, \"value\": ",
			 o->proc, ev[i].invoke ? "invoke" : o->outcome, fs[o->f], o->key);
		if (o->f == 2) {
			buf_addch(b, '[');
			value(b, o->a);
			buf_adds(b, ", ");
			value(b, o->b);
			buf_addch(b, ']');
		} else if (o->f == 1) {
			value(b, o->a);
		} else {
			value(b, !ev[i].invoke && !strcmp(o->outcome, "ok") ? o->result : -1);
		}
		buf_addf(b, ", \"time\": %lld}\n", (long long)ev[i].time);
	}
	free(ev);
}

int main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 10;
	int n_ops = argc > 2 ? atoi(argv[2]) : 5000;
	int keys = argc > 3 ? atoi(argv[3]) : 1;
	int info_pct = argc > 4 ? atoi(argv[4]) : 0;
	struct sim *ops = calloc((size_t)n_ops, sizeof(*ops));
	struct checker_opts opts;
	struct buf b = BUF_INIT;
	struct history *h;
	json_t *v = NULL;
	struct err e;
	int64_t t0, t1;
	double parse_s;

	rng = argc > 5 ? strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ull | 1 : 88172645463325252ull;
	if (procs < 1 || n_ops < 1 || keys < 1) {
		fprintf(stderr, "usage: check_linearizable [PROCESSES [OPS [KEYS [INFO_PERCENT [SEED]]]]]\n");
		return 2;
	}
	generate(ops, n_ops, procs, keys, info_pct);
	emit(&b, ops, n_ops);
	t0 = clock_mono_ns();
	if (history_parse("synthetic", b.data, b.len, &h, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	t1 = clock_mono_ns();
	parse_s = (double)(t1 - t0) / 1e9;
	checker_opts_init(&opts);
	t0 = clock_mono_ns();
	check_linearizable_register(h, &opts, &v, &e);
	t1 = clock_mono_ns();
	printf("processes %d ops %d keys %d info %d%%: parsed in %.3f s, %s in %.3f s, "
	       "%lld configurations, peak %.1f MiB\n", procs, n_ops, keys, info_pct, parse_s,
	       json_is_true(json_object_get(v, "valid")) ? "valid"
	       : json_is_false(json_object_get(v, "valid")) ? "INVALID" : "unknown",
	       (double)(t1 - t0) / 1e9,
	       (long long)json_integer_value(json_object_get(v, "configurations")),
	       (double)json_integer_value(json_object_get(v, "peak_memory_bytes")) / 1048576.0);
	if (!json_is_true(json_object_get(v, "valid")))
		printf("%s\n", json_string_value(json_object_get(v, "explanation")));
	json_decref(v);
	history_free(h);
	buf_release(&b);
	free(ops);
	return 0;
}
