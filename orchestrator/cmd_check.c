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

static void usage(FILE *out)
{
	const struct checker *c;

	fprintf(out, "usage: campaign check CHECKER HISTORY [--json] [--faults FILE]\n"
		     "         [--time-limit-s S] [--memory-limit-mib M] [--min-ok-ratio R]\n"
		     "         [--max-recovery-s S]\n"
		     "       campaign check --list\n\ncheckers:\n");
	for (c = checkers; c->name; c++)
		fprintf(out, "  %-22s %s\n", c->name, c->help);
}

/* Parse a finite number, at least 0, or above 0 when positive is set. */
static int parse_number(const char *opt, const char *s, bool positive, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || (positive && v == 0)) {
		log_error("'%s' needs a number %s 0, not '%s'", opt,
			  positive ? "greater than" : "of at least", s);
		return -1;
	}
	*ret = v;
	return 0;
}

struct args {
	const char *checker, *history;
	const char *faults;	/* --faults: fault events merged by time */
	bool json;
	unsigned given;		/* CHECKER_OPT_* of the options given */
	const char *given_name[2];	/* an option given, per CHECKER_OPT_ bit */
	struct checker_opts opts;
};

/* Parse one option at argv[*i] (with its value). */
static int parse_option(int argc, char **argv, int *i, struct args *a)
{
	static const struct {
		const char *name;
		unsigned group;
	} numeric[] = {
		{ "--time-limit-s", CHECKER_OPT_LIMITS },
		{ "--memory-limit-mib", CHECKER_OPT_LIMITS },
		{ "--min-ok-ratio", CHECKER_OPT_AVAILABILITY },
		{ "--max-recovery-s", CHECKER_OPT_AVAILABILITY },
	};
	const char *opt = argv[*i];
	double v;
	size_t k;

	if (!strcmp(opt, "--json")) {
		a->json = true;
		return 0;
	}
	if (!strcmp(opt, "--faults")) {
		if (*i + 1 >= argc) {
			log_error("'%s' needs a file", opt);
			return -1;
		}
		a->faults = argv[++*i];
		return 0;
	}
	for (k = 0; k < sizeof(numeric) / sizeof(numeric[0]); k++)
		if (!strcmp(opt, numeric[k].name))
			break;
	if (k == sizeof(numeric) / sizeof(numeric[0])) {
		log_error("unknown option '%s'", opt);
		return -1;
	}
	if (*i + 1 >= argc) {
		log_error("'%s' needs a value", opt);
		return -1;
	}
	if (parse_number(opt, argv[++*i], numeric[k].group == CHECKER_OPT_LIMITS, &v) < 0)
		return -1;
	a->given |= numeric[k].group;
	a->given_name[numeric[k].group == CHECKER_OPT_LIMITS ? 0 : 1] = opt;
	if (k == 0)
		a->opts.time_limit_s = v;
	else if (k == 1)
		a->opts.memory_limit_bytes = v < (double)(SIZE_MAX >> 21)
			? (size_t)(v * 1048576.0) : SIZE_MAX >> 1;
	else if (k == 2)
		a->opts.min_ok_ratio = v;
	else
		a->opts.max_recovery_s = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	int i, positional = 0;

	checker_opts_init(&a->opts);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			if (parse_option(argc, argv, &i, a) < 0)
				return -1;
		} else if (positional == 0) {
			a->checker = argv[i];
			positional++;
		} else if (positional == 1) {
			a->history = argv[i];
			positional++;
		} else {
			log_error("unexpected argument '%s'", argv[i]);
			return -1;
		}
	}
	if (positional < 2) {
		log_error("check needs a CHECKER and a HISTORY");
		return -1;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	const struct checker *c;
	struct history *h = NULL;
	struct args a = { 0 };
	json_t *verdict = NULL;
	struct err e;
	int status;

	if (argc == 2 && (!strcmp(argv[1], "--list") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (parse_args(argc, argv, &a) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = checker_find(a.checker);
	if (!c) {
		log_error("unknown checker '%s'", a.checker);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (a.given & ~c->options) {
		log_error("'%s' does not apply to checker '%s'",
			  a.given_name[(a.given & ~c->options & CHECKER_OPT_LIMITS) ? 0 : 1], c->name);
		return EXIT_USAGE;
	}
	if ((a.faults ? history_load_with_faults(a.history, a.faults, &h, &e)
		      : history_load(a.history, &h, &e)) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (c->fn(h, &a.opts, &verdict, &e) < 0) {
		log_error("checker '%s' failed on '%s': %s", c->name, a.history, e.msg);
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
