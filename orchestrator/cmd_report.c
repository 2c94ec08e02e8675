/* cmd_report.c - `campaign report DIR [--baseline PREV_DIR] [--junit FILE]`:
 * make DIR/report/, DIR/summary.json and DIR/junit.xml from the journal. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "log.h"
#include "report.h"

int cmd_report(int argc, char **argv)
{
	const char *dir = NULL, *prev = NULL, *junit = NULL;
	struct report_options opt = { 0 };
	struct report_result res = { 0 };
	struct baseline *bl = NULL;
	struct err e = { "" };
	struct buf text = BUF_INIT;
	struct stat st;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if ((!strcmp(argv[i], "--baseline") || !strcmp(argv[i], "--junit")) && !val) {
			log_error("report: option '%s' needs a value", argv[i]);
			return EXIT_USAGE;
		}
		if (!strcmp(argv[i], "--baseline"))
			prev = argv[++i];
		else if (!strcmp(argv[i], "--junit"))
			junit = argv[++i];
		else if (argv[i][0] == '-' || dir) {
			log_error("report: unexpected argument '%s'", argv[i]);
			dir = NULL;
			break;
		} else
			dir = argv[i];
	}
	if (!dir) {
		log_error("usage: campaign report DIR [--baseline PREV_DIR] [--junit FILE]");
		return EXIT_USAGE;
	}
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
