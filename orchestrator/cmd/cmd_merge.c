/* cmd_merge.c - `campaign merge OUT DIR... [--baseline PREV] [--junit FILE]`:
 * one results directory OUT, with its report, from the shard directories
 * of a campaign run as `campaign run CONFIG --shard I/N` (merge.h). */
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "buf.h"
#include "commands.h"
#include "log.h"
#include "merge.h"

struct merge_args {
	const char *baseline, *junit;
};

static const struct option_spec merge_options[] = {
	OPT_STRING(0, "baseline", struct merge_args, baseline, "PREV_DIR",
		   "compare with an earlier results directory, as `report --baseline`"),
	OPT_STRING(0, "junit", struct merge_args, junit, "FILE",
		   "a copy of OUT/junit.xml here too (for CI)"),
	OPT_END(),
};

static const struct options_cmd merge_cmd = {
	"merge", "merge OUT DIR... [options]", merge_options, 2, -1,
};

static void print_result(const struct merge_result *m, const char *out)
{
	struct buf running = BUF_INIT, text = BUF_INIT;

	printf("merged %d shard%s into '%s': %lld runs, %lld other records, %d flaws\n",
	       m->n_shards, m->n_shards == 1 ? "" : "s", out, m->runs, m->others, m->flaws);
	if (m->mismatch)
		log_warn("the shards were not made alike: %s", m->mismatch);
	if (!m->complete)
		printf("shards present: %s (the runs of the others are missing)\n",
		       m->present);
	for (int i = 0; i < m->n_shards; i++) {
		const struct merge_shard *s = &m->shards[i];

		if (s->torn_bytes)
			log_warn("'%s': its journal's last line is torn (%lld bytes): "
				 "skipped (an append in progress, or a crash)", s->dir,
				 s->torn_bytes);
		if (s->state[0] == 'r')
			buf_addf(&running, "%s%d", running.len ? ", " : "", s->index);
	}
	if (running.len)
		printf("still running (or stopped by a crash): shard%s %s; merged up to "
		       "their last records\n", strchr(running.data, ',') ? "s" : "",
		       running.data);
	report_describe(&m->report, out, &text);
	fputs(text.data, stdout);
	printf("report: %s/report/index.html (%lld runs, %d flaws, %d new)\n", out,
	       m->report.runs, m->report.flaws, m->report.new_flaws);
	buf_release(&running);
	buf_release(&text);
}

static int cmd_merge(int argc, char **argv)
{
	struct merge_args a = { 0 };
	struct report_options ropt = { 0 };
	struct merge_options opt = { .report = &ropt };
	struct merge_result m;
	struct baseline *bl = NULL;
	struct err e = { "" };
	int ret, r;

	if (command_options(&merge_cmd, &argc, argv, &a, &ret) < 0)
		return ret;
	if (a.baseline && baseline_load(a.baseline, &bl, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	ropt.baseline = bl;
	ropt.junit_path = a.junit;
	r = merge_dirs(argv[0], argv + 1, argc - 1, &opt, &m, &e);
	if (r == MERGE_REFUSED) {
		log_error("%s", e.msg);
		ret = EXIT_USAGE;
	} else if (r < 0) {
		log_error("%s; '%s' may be incomplete: run the merge again", e.msg, argv[0]);
		ret = EXIT_INFRA;
	} else {
		print_result(&m, argv[0]);
		ret = fflush(stdout) ? EXIT_INFRA : report_exit_code(&m.report);
		merge_result_release(&m);
	}
	baseline_free(bl);
	return ret;
}

static const struct options_cmd *const merge_forms[] = { &merge_cmd, NULL };

const struct command command_merge = {
	"merge", cmd_merge, "join the shard directories of a campaign (run --shard I/N) "
	"into one, with its report", merge_forms,
};
