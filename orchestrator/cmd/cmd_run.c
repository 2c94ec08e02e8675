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
#include "fleet.h"
#include "harness.h"
#include "load.h"
#include "log.h"
#include "paths.h"
#include "report.h"
#include "ssh.h"
#include "stopsig.h"
#include "testbed.h"


struct run_args {
	const char *out;
	long long runs;		/* -1: the config's */
	double budget_s;	/* NAN: the config's */
	long long seed;		/* -1: the config's */
	int resume;		/* accepted: an existing DIR is always resumed */
	int keep;
	const char *junit;	/* --junit FILE */
	const char *baseline;	/* --baseline PREV_DIR */
	long long testbeds;	/* --testbeds N; -1: schedule.testbeds or 1 */
	const char *shard;	/* --shard I/N */
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
	OPT_INT(0, "testbeds", struct run_args, testbeds, "N", 1, 16,
		"run on N copies of the config's testbed at once (own prefix, "
		"ports, switch, snapshots), each taking the next unstarted run"),
	OPT_STRING(0, "shard", struct run_args, shard, "I/N",
		   "only the runs r with r % N == I % N (1 <= I <= N), for a batch "
		   "scheduler's job array; `campaign merge` joins the shards' "
		   "directories. Combines with --testbeds"),
	OPT_END(),
};

static const struct options_cmd run_cmd = {
	"run", "run CONFIG [options]", run_options, 1, 1,
};

static int parse(int argc, char **argv, struct run_args *a, int *ret_status)
{
	*a = (struct run_args){ .runs = -1, .budget_s = NAN, .seed = -1, .testbeds = -1 };
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

/* "I/N" with 1 <= I <= N. */
static int parse_shard(const char *s, struct engine_options *opt)
{
	char *end;
	long i = strtol(s, &end, 10), n;

	if (*end != '/' || end == s)
		goto bad;
	n = strtol(end + 1, &end, 10);
	if (*end || i < 1 || n < 1 || i > n || n > 1000000)
		goto bad;
	opt->shard_index = (int)i;
	opt->shard_count = (int)n;
	return 0;
bad:
	command_usage_error(&run_cmd, "--shard wants I/N with 1 <= I <= N, got '%s'", s);
	return -1;
}

struct progress_ctx {
	int tty;
};

static void format_eta(double s, char *out, size_t size)
{
	if (s < 0)
		snprintf(out, size, "?");
	else if (s >= 3600)
		snprintf(out, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else
		snprintf(out, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

static void on_progress(void *arg, const struct engine_progress *p)
{
	struct progress_ctx *pc = arg;
	char line[512], eta[32], bed[32] = "";

	format_eta(p->eta_s, eta, sizeof(eta));
	if (p->testbeds > 1)
		snprintf(bed, sizeof(bed), " on testbed %d", p->testbed);
	snprintf(line, sizeof(line),
		 "run %d (%lld of %d)%s: %s | %.0f runs/h | ETA %s | no-effect %lld, "
		 "recovered %lld, flaw %lld, unjudged %lld, set aside %lld, infra events "
		 "%lld | unique flaws %d", p->run, p->recorded, p->runs, bed, p->outcome,
		 p->runs_per_hour, eta,
		 p->counts[OUTCOME_NO_EFFECT], p->counts[OUTCOME_RECOVERED],
		 p->counts[OUTCOME_FLAW], p->counts[OUTCOME_UNJUDGED],
		 p->counts[OUTCOME_SET_ASIDE], p->infra_events, p->unique_flaws);
	if (pc->tty)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fprintf(stderr, "campaign: %s\n", line);
}

static void on_infra(void *arg, int run, const char *what, const char *action)
{
	struct progress_ctx *pc = arg;

	if (pc->tty)
		fputc('\n', stderr);
	log_warn("run %d: infra event (%s): %s", run, action, what);
}

static void on_shrink(void *arg, int run, int k, int n, int try_no, int failed)
{
	struct progress_ctx *pc = arg;

	if (pc->tty)
		fputc('\n', stderr);
	log_info("run %d: shrinking its flaw: %d of %d faults, try %d: %s", run, k, n,
		 try_no, failed ? "fails the same way" : "passes");
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
	struct progress_ctx pc = { .tty = isatty(2) };
	struct engine_options opt = { .max_examples = 3, .stop = NULL,
				      .on_progress = on_progress, .on_infra = on_infra,
				      .on_shrink = on_shrink,
				      .ctx = &pc };
	struct engine_summary sum = { 0 };
	struct config *cfg = NULL;
	struct fleet fleet = { 0 };
	struct err e = { "" };
	char *out = NULL;
	int ret = EXIT_INFRA, n_beds, unfinished = 0;

	if (parse(argc, argv, &a, &ret) < 0)
		return ret;
	ret = EXIT_INFRA;
	if (load_campaign_config(a.config, &cfg, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	apply_overrides(cfg, &a, &opt);
	n_beds = a.testbeds > 0 ? (int)a.testbeds : cfg->schedule.testbeds;
	if ((a.shard && parse_shard(a.shard, &opt) < 0) ||
	    (n_beds > 1 && fleet_check(cfg, a.config, n_beds, &e) < 0)) {
		if (e.msg[0])
			log_error("run: %s", e.msg);
		config_free(cfg);
		return EXIT_USAGE;
	}
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
	opt.stop = stopsig_install();
	signal(SIGPIPE, SIG_IGN);
	if (ssh_global_init(&e) < 0 || fleet_open(&fleet, cfg, a.config, n_beds, out, &e) < 0)
		goto fail;
	log_info("campaign '%s': %d runs%s%s, seed %llu, %d testbed%s, results in '%s'",
		 cfg->name, opt.runs, a.shard ? ", shard " : "", a.shard ? a.shard : "",
		 (unsigned long long)cfg->seed, n_beds, n_beds > 1 ? "s" : "", out);
	if (report_refresher_start(out, &ro, report_period_s(), &refresher, &e) < 0)
		goto fail;
	if (engine_campaign(cfg, fleet.hs, n_beds, &opt, &sum, &e) < 0) {
		/* a record could not be written (a full results disk): the
		 * same command resumes, on the testbeds left up for it */
		unfinished = 1;
		goto fail;
	}
	if (pc.tty)
		fputc('\n', stderr);
	report_refresher_stop(refresher);
	refresher = NULL;
	if (*opt.stop)
		log_info("stopped by a signal after %d runs; the same command resumes",
			 sum.runs_done);
	if (sum.infra_stop)
		log_error("campaign stopped by an infrastructure failure: %s",
			  sum.infra_reason);
	else if (sum.testbeds_quarantined)
		log_warn("%d of %d testbeds quarantined; the others finished the work",
			 sum.testbeds_quarantined, n_beds);
	log_info("%d runs done; %d flaw runs, %d unique flaws (see '%s/flaws')",
		 sum.runs_done, sum.flaws_total, sum.unique_flaws, out);
	if (sum.unjudged || sum.set_aside)
		log_warn("%d runs unjudged (an oracle could not say), %d set aside "
			 "(failed the same way on a healthy testbed): see the report",
			 sum.unjudged, sum.set_aside);
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
	fleet_close(&fleet, a.keep || unfinished, (opt.stop && *opt.stop) || sum.infra_stop);
	config_free(cfg);
	free(out);
	return ret;
}

static const struct options_cmd *const run_forms[] = { &run_cmd, NULL };

const struct command command_run = {
	"run", cmd_run, "run (or resume) a campaign: the main command", run_forms,
};
