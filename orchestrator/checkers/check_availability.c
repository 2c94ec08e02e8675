/* check_availability.c - availability: how many operations succeed during
 * and outside fault windows, and how soon service returns after the last
 * fault ends.
 *
 * A fault window opens at a fault event with f "start" and closes at the
 * matching "stop" (windows may nest: the outer one counts). Each
 * completion (ok, fail or info) is counted in the window its completion
 * time falls in; operations never completed are reported as "pending"
 * and not counted. Times in the verdict are seconds from the first event.
 *
 * Counting completions misses a client that stops trying while it has no
 * server (a Redis client waiting for the sentinels to name a primary), so
 * each window also reports its longest gap: the longest stretch without
 * any ok completion that overlaps the window (from the last ok before it,
 * or the first event, to the first ok after it, or the last event).
 */
#include "checkers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally {
	size_t ok, fail, info;
};

struct window {
	int64_t start, stop;	/* stop is INT64_MAX while open */
	int start_line, stop_line;
	int64_t first_ok;	/* first ok completion after stop; -1 */
	int64_t gap;		/* longest stretch without an ok overlapping it */
};

struct avail {
	const struct history *h;
	struct tally all, during, outside;
	struct window *windows;
	size_t n_windows;
	size_t pending;
	int64_t t0, t_end;
	int64_t *oks;		/* ok completion times, in order */
	size_t n_oks;
};

static void count(struct tally *t, enum history_type type)
{
	if (type == HISTORY_OK)
		t->ok++;
	else if (type == HISTORY_FAIL)
		t->fail++;
	else
		t->info++;
}

static double ratio(const struct tally *t)
{
	size_t n = t->ok + t->fail + t->info;

	return n ? (double)t->ok / (double)n : 0;
}

/* The ok ratio with three decimals, or n/a when nothing completed. */
static void ratio_text(const struct tally *t, char out[16])
{
	if (t->ok + t->fail + t->info)
		snprintf(out, 16, "%.3f", ratio(t));
	else
		snprintf(out, 16, "n/a");
}

static json_t *tally_json(const struct tally *t)
{
	size_t n = t->ok + t->fail + t->info;

	return json_pack("{s:I, s:I, s:I, s:o}", "ok", (json_int_t)t->ok,
			 "fail", (json_int_t)t->fail, "info", (json_int_t)t->info,
			 "ok_ratio", n ? json_real(ratio(t)) : json_null());
}

static double seconds(const struct avail *a, int64_t t)
{
	return (double)(t - a->t0) / 1e9;
}

static void open_window(struct avail *a, const struct history_event *ev)
{
	struct window *w;

	a->windows = xrealloc(a->windows, (a->n_windows + 1) * sizeof(*a->windows));
	w = &a->windows[a->n_windows++];
	w->start = ev->time;
	w->stop = INT64_MAX;
	w->start_line = ev->line;
	w->stop_line = -1;
	w->first_ok = -1;
}

static void scan(struct avail *a)
{
	const struct history *h = a->h;
	int depth = 0;
	size_t i, j;

	a->t0 = h->n_events ? h->events[0].time : 0;
	for (i = 0; i < h->n_events; i++) {
		const struct history_event *ev = &h->events[i];

		if (ev->type == HISTORY_FAULT) {
			if (!strcmp(ev->fault_f, "start") && depth++ == 0)
				open_window(a, ev);
			if (!strcmp(ev->fault_f, "stop") && depth > 0 && --depth == 0) {
				a->windows[a->n_windows - 1].stop = ev->time;
				a->windows[a->n_windows - 1].stop_line = ev->line;
			}
			continue;
		}
		if (ev->type == HISTORY_INVOKE)
			continue;
		count(&a->all, ev->type);
		count(depth ? &a->during : &a->outside, ev->type);
		if (ev->type != HISTORY_OK)
			continue;
		a->oks = xrealloc(a->oks, (a->n_oks + 1) * sizeof(*a->oks));
		a->oks[a->n_oks++] = ev->time;
		for (j = 0; j < a->n_windows; j++)
			if (a->windows[j].stop != INT64_MAX && a->windows[j].first_ok < 0)
				a->windows[j].first_ok = ev->time;
	}
	for (i = 0; i < h->n_ops; i++)
		if (h->ops[i].complete < 0)
			a->pending++;
	a->t_end = h->n_events ? h->events[h->n_events - 1].time : 0;
	/* gaps: between consecutive oks (and the history's ends) */
	for (j = 0; j < a->n_windows; j++) {
		struct window *w = &a->windows[j];
		int64_t stop = w->stop == INT64_MAX ? a->t_end : w->stop, prev = a->t0;

		w->gap = 0;
		for (i = 0; i <= a->n_oks; i++) {
			int64_t t = i < a->n_oks ? a->oks[i] : a->t_end;

			if (t >= w->start && prev <= stop && t - prev > w->gap)
				w->gap = t - prev;
			if (t > stop)
				break;
			prev = t;
		}
	}
}

static json_t *windows_json(const struct avail *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < a->n_windows; i++) {
		const struct window *w = &a->windows[i];
		json_t *o = json_object();
		bool open = w->stop == INT64_MAX;

		json_object_set_new(o, "start_s", json_real(seconds(a, w->start)));
		json_object_set_new(o, "stop_s", open ? json_null() : json_real(seconds(a, w->stop)));
		json_object_set_new(o, "start_line", json_integer(w->start_line));
		json_object_set_new(o, "stop_line", open ? json_null() : json_integer(w->stop_line));
		json_object_set_new(o, "recovery_s", w->first_ok < 0 ? json_null()
				    : json_real((double)(w->first_ok - w->stop) / 1e9));
		json_object_set_new(o, "longest_gap_s", json_real((double)w->gap / 1e9));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* Decide the verdict; *ret_text is a new string. */
static enum checker_result judge(const struct avail *a, const struct checker_opts *opts,
				 char **ret_text)
{
	const struct window *last = a->n_windows ? &a->windows[a->n_windows - 1] : NULL;
	size_t completions = a->all.ok + a->all.fail + a->all.info;
	char all[16], during[16], outside[16];
	double recovery;

	ratio_text(&a->all, all);
	ratio_text(&a->during, during);
	ratio_text(&a->outside, outside);

	if (!completions) {
		*ret_text = xstrdup("no operation completed");
		return CHECKER_UNKNOWN;
	}
	if (!a->all.ok) {
		*ret_text = xasprintf("none of %zu operations succeeded", completions);
		return CHECKER_INVALID;
	}
	if (last && last->stop != INT64_MAX && last->first_ok < 0) {
		*ret_text = xasprintf("never recovered: no operation succeeded after the "
				      "last fault ended (line %d)", last->stop_line);
		return CHECKER_INVALID;
	}
	if (ratio(&a->all) < opts->min_ok_ratio) {
		*ret_text = xasprintf("ok ratio %s is below the minimum %.3f", all,
				      opts->min_ok_ratio);
		return CHECKER_INVALID;
	}
	if (last && last->first_ok >= 0) {
		recovery = (double)(last->first_ok - last->stop) / 1e9;
		if (opts->max_recovery_s >= 0 && recovery > opts->max_recovery_s) {
			*ret_text = xasprintf("recovery took %.3f s, more than the maximum %.3f s",
					      recovery, opts->max_recovery_s);
			return CHECKER_INVALID;
		}
		*ret_text = xasprintf("ok ratio %s (%s during faults, %s outside); "
				      "recovered %.3f s after the last fault", all, during,
				      outside, recovery);
		return CHECKER_VALID;
	}
	*ret_text = xasprintf("ok ratio %s (%s during faults, %s outside)%s", all, during, outside,
			      last ? "; the last fault never ended" : "; no faults");
	return CHECKER_VALID;
}

int check_availability(const struct history *h, const struct checker_opts *opts,
		       json_t **ret_verdict, struct err *e)
{
	struct avail a = { .h = h };
	const struct window *last;
	enum checker_result result;
	char *text;
	json_t *v;

	(void)e;
	scan(&a);
	result = judge(&a, opts, &text);
	v = checker_verdict_new("availability", result, text, h);
	free(text);
	json_object_set_new(v, "overall", tally_json(&a.all));
	json_object_set_new(v, "during_faults", tally_json(&a.during));
	json_object_set_new(v, "outside_faults", tally_json(&a.outside));
	json_object_set_new(v, "pending", json_integer((json_int_t)a.pending));
	json_object_set_new(v, "fault_windows", windows_json(&a));
	last = a.n_windows ? &a.windows[a.n_windows - 1] : NULL;
	json_object_set_new(v, "recovery_s", last && last->first_ok >= 0
			    ? json_real((double)(last->first_ok - last->stop) / 1e9)
			    : json_null());
	{
		int64_t gap = 0;

		for (size_t i = 0; i < a.n_windows; i++)
			gap = a.windows[i].gap > gap ? a.windows[i].gap : gap;
		json_object_set_new(v, "longest_gap_s", a.n_windows
				    ? json_real((double)gap / 1e9) : json_null());
	}
	json_object_set_new(v, "min_ok_ratio", json_real(opts->min_ok_ratio));
	json_object_set_new(v, "max_recovery_s", opts->max_recovery_s >= 0
			    ? json_real(opts->max_recovery_s) : json_null());
	free(a.windows);
	free(a.oks);
	*ret_verdict = v;
	return 0;
}
