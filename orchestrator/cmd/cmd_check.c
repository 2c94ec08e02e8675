/* cmd_check.c - `campaign check CHECKER HISTORY`: judge a history and
 * print the verdict as JSON on stdout. Exit 0 valid, 1 invalid, 2 unknown
 * or bad input. */
#include "checkers.h"
#include "commands.h"
#include "history.h"
#include "log.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_args {
	int json, list;
	const char *faults;	/* fault events merged by time */
	double time_limit_s, memory_limit_mib;	/* NAN: not given */
	double min_ok_ratio, max_recovery_s;
};

static void list_checkers(struct buf *out)
{
	buf_adds(out, "checkers:\n");
	for (const struct checker *c = checkers; c->name; c++)
		buf_addf(out, "  %-22s %s\n", c->name, c->help);
}

static const struct option_spec check_options[] = {
	OPT_FLAG(0, "json", struct check_args, json,
		 "the verdict on one line (default: indented)"),
	OPT_STRING(0, "faults", struct check_args, faults, "FILE",
		   "fault windows (a run's faults.jsonl) merged in by time"),
	OPT_POSITIVE(0, "time-limit-s", struct check_args, time_limit_s, "S",
		     "search time before the verdict is unknown (default 10)"),
	OPT_POSITIVE(0, "memory-limit-mib", struct check_args, memory_limit_mib, "M",
		     "search memory before the verdict is unknown (default 512)"),
	OPT_NUMBER(0, "min-ok-ratio", struct check_args, min_ok_ratio, "R", 0, INFINITY,
		   "availability: the least share of ok operations"),
	OPT_NUMBER(0, "max-recovery-s", struct check_args, max_recovery_s, "S", 0,
		   INFINITY, "availability: the longest time without an ok "
		   "operation after a fault window"),
	OPT_FLAG(0, "list", struct check_args, list, "list the checkers"),
	OPT_END(),
};

static const struct options_cmd check_cmd = {
	"check", "check CHECKER HISTORY [options]\ncheck --list", check_options,
	0, 2, 0, list_checkers,
};

static const struct options_cmd *const check_forms[] = { &check_cmd, NULL };

/* An option given that checker c does not read, or NULL. */
static const char *misapplied(const struct check_args *a, const struct checker *c)
{
	if (!(c->options & CHECKER_OPT_LIMITS)) {
		if (!isnan(a->time_limit_s))
			return "--time-limit-s";
		if (!isnan(a->memory_limit_mib))
			return "--memory-limit-mib";
	}
	if (!(c->options & CHECKER_OPT_AVAILABILITY)) {
		if (!isnan(a->min_ok_ratio))
			return "--min-ok-ratio";
		if (!isnan(a->max_recovery_s))
			return "--max-recovery-s";
	}
	return NULL;
}

static void apply_options(const struct check_args *a, struct checker_opts *o)
{
	checker_opts_init(o);
	if (!isnan(a->time_limit_s))
		o->time_limit_s = a->time_limit_s;
	if (!isnan(a->memory_limit_mib))
		o->memory_limit_bytes = a->memory_limit_mib < (double)(SIZE_MAX >> 21)
			? (size_t)(a->memory_limit_mib * 1048576.0) : SIZE_MAX >> 1;
	if (!isnan(a->min_ok_ratio))
		o->min_ok_ratio = a->min_ok_ratio;
	if (!isnan(a->max_recovery_s))
		o->max_recovery_s = a->max_recovery_s;
}

static int cmd_check(int argc, char **argv)
{
	struct check_args a = { .time_limit_s = NAN, .memory_limit_mib = NAN,
				.min_ok_ratio = NAN, .max_recovery_s = NAN };
	const char *history, *wrong;
	const struct checker *c;
	struct checker_opts opts;
	struct history *h = NULL;
	json_t *verdict = NULL;
	struct err e;
	int status;

	if (command_options(&check_cmd, &argc, argv, &a, &status) < 0)
		return status;
	if (a.list)
		return command_print_help(check_forms);
	if (argc < 2)
		return command_usage_error(&check_cmd, "needs a CHECKER and a HISTORY");
	history = argv[1];
	c = checker_find(argv[0]);
	if (!c)
		return command_usage_error(&check_cmd, "unknown checker '%s'", argv[0]);
	if ((wrong = misapplied(&a, c))) {
		log_error("'%s' does not apply to checker '%s'", wrong, c->name);
		return EXIT_USAGE;
	}
	apply_options(&a, &opts);
	if ((a.faults ? history_load_with_faults(history, a.faults, &h, &e)
		      : history_load(history, &h, &e)) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (c->fn(h, &opts, &verdict, &e) < 0) {
		log_error("checker '%s' failed on '%s': %s", c->name, history, e.msg);
		history_free(h);
		return EXIT_USAGE;
	}
	json_dumpf(verdict, stdout, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15) |
		   (a.json ? JSON_COMPACT : JSON_INDENT(2)));
	fputc('\n', stdout);
	status = checker_exit_status(checker_verdict_result(verdict));
	if (fflush(stdout) != 0) {
		log_error("cannot write the verdict: %s", strerror(errno));
		status = EXIT_USAGE;
	}
	json_decref(verdict);
	history_free(h);
	return status;
}

const struct command command_check = {
	"check", cmd_check, "check an operation history (lost-writes, "
	"linearizable-register, availability)", check_forms,
};
