/* cmd_run.c - `campaign run CONFIG`: the main command. */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "load.h"
#include "log.h"
#include "report.h"
#include "ssh.h"
#include "testbed.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	static const char msg[] = "\ncampaign: stopping after the current run "
				  "(signal again to stop now)\n";

	if (stop_requested)
		_exit(128 + sig);	/* the journal is consistent at any point */
	stop_requested = 1;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		return;
}

struct run_args {
	const char *out;
	long long runs;		/* -1: the config's */
	double budget_s;	/* NAN: the config's */
	long long seed;		/* -1: the config's */
	int resume;		/* accepted: an existing DIR is always resumed */
	int keep;
	const char *junit;	/* --junit FILE */
	const char *baseline;	/* --baseline PREV_DIR */
	const char *config;
};

static const struct option_spec run_options[] = {
	OPT_STRING(0, "out", struct run_args, out, "DIR",
		   "the results directory (default: results/NAME); an existing "
		   "one is resumed"),
	OPT_INT(0, "runs", struct run_args, runs, "N", 1, INT_MAX,
		"runs in all, those already done included (default: "
		"schedule.runs)"),
	OPT_DURATION(0, "budget", struct run_args, budget_s, "DURATION",
		     "stop starting runs after this long, e.g. 8h or 1h30m "
		     "(default: schedule.budget)"),
	OPT_INT(0, "seed", struct run_args, seed, "N", 0, LLONG_MAX,
		"the seed of the plan (default: the config's seed)"),
	OPT_FLAG(0, "resume", struct run_args, resume,
		 "resume DIR (the default: an existing DIR is always resumed)"),
	OPT_FLAG(0, "keep-testbed", struct run_args, keep,
		 "leave a testbed this command brought up running at the end"),
	OPT_STRING(0, "junit", struct run_args, junit, "FILE",
		   "a copy of DIR/junit.xml here too (for CI)"),
	OPT_STRING(0, "baseline", struct run_args, baseline, "PREV_DIR",
		   "flaws found in an earlier results directory are known: only "
		   "new ones make the exit status 1"),
	OPT_END(),
};

static const struct options_cmd run_cmd = {
	"run", "run CONFIG [options]", run_options, 1, 1,
};

static int parse(int argc, char **argv, struct run_args *a, int *ret_status)
{
	*a = (struct run_args){ .runs = -1, .budget_s = NAN, .seed = -1 };
	if (command_options(&run_cmd, &argc, argv, a, ret_status) < 0)
		return -1;
	a->config = argv[0];
	return 0;
}

static void apply_overrides(struct config *cfg, const struct run_args *a,
			    struct engine_options *opt)
{
	opt->runs = a->runs > 0 ? (int)a->runs : cfg->schedule.runs;
	opt->budget_s = isnan(a->budget_s) ? cfg->schedule.budget_s : a->budget_s;
	if (a->seed >= 0)
		cfg->seed = (unsigned long long)a->seed;
}

/* Seconds between report refreshes while the campaign runs. */
static int report_period_s(void)
{
	const char *s = getenv("CAMPAIGN_REPORT_EVERY_S");
	int v = s ? atoi(s) : 0;

	return v > 0 ? v : 300;
}

/* The report, summary and JUnit files at the end; the exit code they
 * decide (new flaws against the baseline), or -1 if they failed. */
static int final_report(const char *out, const struct report_options *ro)
{
	struct report_result res = { 0 };
	struct err e = { "" };
	struct buf text = BUF_INIT;
	int ret;

	if (report_write(out, ro, &res, &e) < 0) {
		log_error("cannot make the report of '%s': %s", out, e.msg);
		return -1;
	}
	report_describe(&res, out, &text);
	fputs(text.data, stdout);
	fflush(stdout);
	log_info("report: %s/report/index.html; %d flaws, %d new%s", out, res.flaws,
		 res.new_flaws, ro->baseline ? " against the baseline" : "");
	ret = res.new_flaws ? EXIT_FLAWS : EXIT_OK;
	buf_release(&text);
	report_result_release(&res);
	return ret;
}

static int cmd_run(int argc, char **argv)
{
	struct report_options ro = { 0 };
	struct report_refresher *refresher = NULL;
	struct baseline *bl = NULL;
	struct run_args a = { 0 };
	struct engine_options opt = { .max_examples = 3, .stop = &stop_requested };
	struct engine_summary sum = { 0 };
	struct config *cfg = NULL;
	struct testbed *tb = NULL;
	struct err e = { "" };
	char *out = NULL;
	int brought_up = 0, ret = EXIT_INFRA;

	if (parse(argc, argv, &a, &ret) < 0)
		return ret;
	ret = EXIT_INFRA;
	if (load_campaign_config(a.config, &cfg, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	apply_overrides(cfg, &a, &opt);
	if (a.baseline && baseline_load(a.baseline, &bl, &e) < 0) {
		log_error("run: %s", e.msg);
		config_free(cfg);
		return EXIT_USAGE;
	}
	ro.baseline = bl;
	ro.junit_path = a.junit;
	out = a.out ? strdup(a.out) : NULL;
	if (!out && asprintf(&out, "results/%s", cfg->name) < 0)
		out = NULL;
	opt.out_dir = out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (ssh_global_init(&e) < 0 || testbed_open(cfg, &tb, &e) < 0)
		goto fail;
	log_info("acceleration: %s", testbed_accel_reason(tb));
	if (!testbed_is_up(tb)) {
		log_info("bringing up testbed '%s' (%d nodes)", testbed_prefix(tb),
			 testbed_n_nodes(tb));
		if (testbed_up(tb, &e) < 0)
			goto fail;
		brought_up = 1;
	}
	log_info("campaign '%s': %d runs, seed %llu, results in '%s'", cfg->name,
		 opt.runs, (unsigned long long)cfg->seed, out);
	if (report_refresher_start(out, &ro, report_period_s(), &refresher, &e) < 0)
		goto fail;
	if (engine_campaign(cfg, tb, &opt, &sum, &e) < 0)
		goto fail;
	report_refresher_stop(refresher);
	refresher = NULL;
	if (stop_requested)
		log_info("stopped by a signal after %d runs; the same command resumes",
			 sum.runs_done);
	if (sum.infra_stop)
		log_error("campaign stopped by an infrastructure failure: %s",
			  sum.infra_reason);
	log_info("%d runs done; %d flaw runs, %d unique flaws (see '%s/flaws')",
		 sum.runs_done, sum.flaws_total, sum.unique_flaws, out);
	ret = final_report(out, &ro);
	if (ret < 0)	/* no report: CI would lack its JUnit file */
		ret = a.junit || a.baseline ? EXIT_INFRA : sum.flaws_total ? EXIT_FLAWS : EXIT_OK;
	if (sum.infra_stop)
		ret = EXIT_INFRA;
	goto cleanup;
fail:
	log_error("%s", e.msg);
cleanup:
	report_refresher_stop(refresher);
	baseline_free(bl);
	if (tb && brought_up && !a.keep) {
		struct err de = { "" };

		if (testbed_down(tb, &de) < 0)
			log_warn("%s", de.msg);
	} else if (tb && testbed_is_up(tb) && (stop_requested || sum.infra_stop)) {
		testbed_reset(tb, NULL, 0, NULL, NULL);
	}
	testbed_free(tb);
	config_free(cfg);
	free(out);
	return ret;
}

static const struct options_cmd *const run_forms[] = { &run_cmd, NULL };

const struct command command_run = {
	"run", cmd_run, "run (or resume) a campaign: the main command", run_forms,
};
