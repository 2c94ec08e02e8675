/* cmd_run.c - `campaign run CONFIG`: the main command. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "load.h"
#include "log.h"
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
	const char *config;
	const char *out;
	long runs;
	const char *budget;
	const char *seed;
	int keep;
};

static int parse(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(arg, "--resume"))
			continue;	/* an existing DIR is always resumed */
		if (!strcmp(arg, "--keep-testbed")) {
			a->keep = 1;
			continue;
		}
		if (arg[0] == '-' && !val) {
			log_error("run: option '%s' needs a value", arg);
			return -1;
		}
		if (!strcmp(arg, "--out"))
			a->out = argv[++i];
		else if (!strcmp(arg, "--runs")) {
			char *end;

			a->runs = strtol(argv[++i], &end, 10);
			if (*end || a->runs < 1) {
				log_error("run: --runs wants a positive integer, got '%s'",
					  argv[i]);
				return -1;
			}
		} else if (!strcmp(arg, "--budget"))
			a->budget = argv[++i];
		else if (!strcmp(arg, "--seed"))
			a->seed = argv[++i];
		else if (arg[0] == '-') {
			log_error("run: unknown option '%s'", arg);
			return -1;
		} else if (!a->config)
			a->config = arg;
		else {
			log_error("run: unexpected argument '%s'", arg);
			return -1;
		}
	}
	if (!a->config) {
		log_error("usage: campaign run CONFIG [--out DIR] [--runs N] "
			  "[--budget DURATION] [--seed N] [--resume] [--keep-testbed]");
		return -1;
	}
	return 0;
}

static int apply_overrides(struct config *cfg, struct run_args *a,
			   struct engine_options *opt)
{
	opt->runs = a->runs ? (int)a->runs : cfg->schedule.runs;
	opt->budget_s = cfg->schedule.budget_s;
	if (a->budget && config_parse_duration(a->budget, &opt->budget_s) < 0) {
		log_error("run: --budget '%s' is not a duration like 2h, 90m, 1h30m",
			  a->budget);
		return -1;
	}
	if (a->seed) {
		char *end;

		cfg->seed = strtoull(a->seed, &end, 10);
		if (*end || !*a->seed) {
			log_error("run: --seed wants a non-negative integer, got '%s'",
				  a->seed);
			return -1;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct engine_options opt = { .max_examples = 3, .stop = &stop_requested };
	struct engine_summary sum = { 0 };
	struct config *cfg = NULL;
	struct testbed *tb = NULL;
	struct err e = { "" };
	char *out = NULL;
	int brought_up = 0, ret = EXIT_INFRA;

	if (parse(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (load_campaign_config(a.config, &cfg, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (apply_overrides(cfg, &a, &opt) < 0) {
		config_free(cfg);
		return EXIT_USAGE;
	}
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
	if (engine_campaign(cfg, tb, &opt, &sum, &e) < 0)
		goto fail;
	if (stop_requested)
		log_info("stopped by a signal after %d runs; the same command resumes",
			 sum.runs_done);
	if (sum.infra_stop)
		log_error("campaign stopped by an infrastructure failure: %s",
			  sum.infra_reason);
	log_info("%d runs done; %d flaw runs, %d unique flaws (see '%s/flaws')",
		 sum.runs_done, sum.flaws_total, sum.unique_flaws, out);
	ret = sum.infra_stop ? EXIT_INFRA : sum.flaws_total ? EXIT_FLAWS : EXIT_OK;
	goto cleanup;
fail:
	log_error("%s", e.msg);
cleanup:
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
