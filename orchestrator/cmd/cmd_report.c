/* cmd_report.c - `campaign report DIR [--baseline PREV_DIR] [--junit FILE]`:
 * make DIR/report/, DIR/summary.json and DIR/junit.xml from the journal. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "log.h"
#include "report.h"

struct report_args {
	const char *baseline, *junit;
};

static const struct option_spec report_options[] = {
	OPT_STRING(0, "baseline", struct report_args, baseline, "PREV_DIR",
		   "compare with an earlier results directory: new, known and "
		   "no longer seen flaws"),
	OPT_STRING(0, "junit", struct report_args, junit, "FILE",
		   "a copy of DIR/junit.xml here too (for CI)"),
	OPT_END(),
};

static const struct options_cmd report_cmd = {
	"report", "report DIR [options]",
	report_options, 1, 1,
};

static int cmd_report(int argc, char **argv)
{
	struct report_args a = { 0 };
	const char *dir, *prev, *junit;
	struct report_options opt = { 0 };
	struct report_result res = { 0 };
	struct baseline *bl = NULL;
	struct err e = { "" };
	struct buf text = BUF_INIT;
	struct stat st;
	int ret;

	if (command_options(&report_cmd, &argc, argv, &a, &ret) < 0)
		return ret;
	dir = argv[0];
	prev = a.baseline;
	junit = a.junit;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_error("report: no results directory '%s'", dir);
		return EXIT_USAGE;
	}
	if (prev && baseline_load(prev, &bl, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	opt.baseline = bl;
	opt.junit_path = junit;
	if (report_write(dir, &opt, &res, &e) < 0) {
		log_error("cannot make the report of '%s': %s", dir, e.msg);
		baseline_free(bl);
		return EXIT_USAGE;
	}
	report_describe(&res, dir, &text);
	fputs(text.data, stdout);
	printf("report: %s/report/index.html (%lld runs, %d flaws, %d new)\n", dir,
	       res.runs, res.flaws, res.new_flaws);
	ret = report_exit_code(&res);
	buf_release(&text);
	report_result_release(&res);
	baseline_free(bl);
	return ret;
}

static const struct options_cmd *const report_forms[] = { &report_cmd, NULL };

const struct command command_report = {
	"report", cmd_report, "make DIR/report/ (HTML), DIR/summary.json and "
	"DIR/junit.xml from the journal", report_forms,
};
