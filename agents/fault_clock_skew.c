/* fault_clock_skew.c - skew the wall clock: step it by offset_ms
 * (clock_settime), or make it drift by freq_ppm (adjtimex ADJ_FREQUENCY).
 * CLOCK_MONOTONIC is not touched by a step. */
#include "fault.h"

#include <errno.h>
#include <string.h>
#include <sys/timex.h>

#define YEAR_MS 31536000000LL

static const char *const modes[] = { "step", "slew", NULL };

static const struct param_spec params[] = {
	P_ENUM("mode", modes, "step", "step the clock at once, or slew: change its "
	       "frequency so that it drifts"),
	P_INT("offset_ms", -YEAR_MS, YEAR_MS, "0", "step: how far to move the clock "
	      "(negative: back)"),
	P_NUM("freq_ppm", -500, 500, "0", "slew: frequency offset, parts per million"),
	P_NUM("duration_s", 0, 86400, "0", "undo after this long; 0: until undone"),
	P_END
};

static int check(json_t *p, struct agent_err *e)
{
	int step = !strcmp(param_str(p, "mode"), "step");

	if (step && param_int(p, "offset_ms", 0) == 0)
		return agent_err_set(e, "step mode needs a non-zero offset_ms");
	if (step && param_num(p, "freq_ppm", 0) != 0)
		return agent_err_set(e, "freq_ppm is for slew mode");
	if (!step && param_num(p, "freq_ppm", 0) == 0)
		return agent_err_set(e, "slew mode needs a non-zero freq_ppm");
	if (!step && param_int(p, "offset_ms", 0) != 0)
		return agent_err_set(e, "offset_ms is for step mode");
	return 0;
}

static int step(long long offset_ns, json_t *ev, struct agent_err *e)
{
	struct timespec now, to;
	long long ns;

	clock_gettime(CLOCK_REALTIME, &now);
	ns = (long long)now.tv_sec * 1000000000 + now.tv_nsec + offset_ns;
	to.tv_sec = ns / 1000000000;
	to.tv_nsec = ns % 1000000000;
	if (to.tv_nsec < 0) {
		to.tv_sec--;
		to.tv_nsec += 1000000000;
	}
	if (clock_settime(CLOCK_REALTIME, &to) < 0)
		return agent_err_errno(e, errno, "cannot set the clock");
	json_object_set_new(ev, "before_realtime_ns", json_integer(
		(json_int_t)now.tv_sec * 1000000000 + now.tv_nsec));
	json_object_set_new(ev, "after_realtime_ns", json_integer(
		(json_int_t)to.tv_sec * 1000000000 + to.tv_nsec));
	json_object_set_new(ev, "offset_ns", json_integer(offset_ns));
	agent_stamp(ev);
	return 0;
}

/* Set the frequency (scaled ppm, 16-bit fraction); *ret_old the old one. */
static int set_freq(long freq, long *ret_old, struct agent_err *e)
{
	struct timex tx = { 0 };

	if (adjtimex(&tx) < 0)
		return agent_err_errno(e, errno, "cannot read the clock frequency");
	*ret_old = tx.freq;
	memset(&tx, 0, sizeof(tx));
	tx.modes = ADJ_FREQUENCY;
	tx.freq = freq;
	if (adjtimex(&tx) < 0)
		return agent_err_errno(e, errno, "cannot set the clock frequency");
	return 0;
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	long old;

	if (!strcmp(param_str(c->params, "mode"), "step")) {
		long long off = param_int(c->params, "offset_ms", 0) * 1000000;

		if (step(off, c->evidence, e) < 0)
			return -1;
		json_object_set_new(c->state, "mode", json_string("step"));
		json_object_set_new(c->state, "offset_ns", json_integer(off));
		return 0;
	}
	long freq = (long)(param_num(c->params, "freq_ppm", 0) * 65536);

	if (set_freq(freq, &old, e) < 0)
		return -1;
	agent_stamp(c->evidence);
	json_object_set_new(c->evidence, "old_freq_ppm", json_real(old / 65536.0));
	json_object_set_new(c->evidence, "new_freq_ppm", json_real(freq / 65536.0));
	json_object_set_new(c->state, "mode", json_string("slew"));
	json_object_set_new(c->state, "old_freq", json_integer(old));
	return 0;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	const char *mode = json_string_value(json_object_get(c->state, "mode"));
	json_t *off = json_object_get(c->state, "offset_ns");
	json_t *old = json_object_get(c->state, "old_freq");
	long prev;

	if (mode && !strcmp(mode, "step") && json_is_integer(off) &&
	    llabs(json_integer_value(off)) <= YEAR_MS * 1000000) {
		json_object_set_new(c->evidence, "action", json_string("stepped back"));
		return step(-json_integer_value(off), c->evidence, e);
	}
	if (mode && !strcmp(mode, "slew") && json_is_integer(old) &&
	    labs((long)json_integer_value(old)) <= 500L * 65536) {
		if (set_freq((long)json_integer_value(old), &prev, e) < 0)
			return -1;
		json_object_set_new(c->evidence, "action", json_string("frequency restored"));
		json_object_set_new(c->evidence, "freq_ppm", json_real(
			json_integer_value(old) / 65536.0));
		agent_stamp(c->evidence);
		return 0;
	}
	return agent_err_set(e, "undo state of clock-skew is malformed");
}

const struct fault fault_clock_skew = {
	.name = "clock-skew",
	.summary = "step the wall clock by offset_ms, or slew it by freq_ppm",
	.undo_help = "steps the clock back by the same offset (once: needs the record "
		     "under /run/campaign), or restores the old frequency",
	.params = params,
	.check = check,
	.apply = apply,
	.undo = undo,
	.flags = FAULT_UNDO_ONCE,
};
