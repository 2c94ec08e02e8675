/* cmd_plan.c - `campaign plan CONFIG [--runs A-B] [--json]`: what runs A..B
 * will inject, where and when, without touching a VM. The plans are the
 * ones `run` executes: a pure function of (config, seed, run number). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "load.h"
#include "log.h"
#include "plan.h"

struct plan_args {
	const char *runs;
	const char *seed;
	int json;
};

static const struct option_spec plan_options[] = {
	OPT_STRING(0, "runs", struct plan_args, runs, "A-B",
		   "the runs to show (default: 1-10, or fewer when the schedule has fewer); "
		   "a single number shows one run"),
	OPT_STRING(0, "seed", struct plan_args, seed, "N",
		   "the campaign seed (default: the config's), as `run --seed`"),
	OPT_FLAG(0, "json", struct plan_args, json,
		 "one JSON object per run, as the journal's run records keep it"),
	OPT_END(),
};

static const struct options_cmd plan_cmd = {
	"plan", "plan CONFIG [options]", plan_options, 1, 1,
};

static int parse_range(const char *s, int max, int *a, int *b)
{
	char *end;
	long x = strtol(s, &end, 10), y = x;

	if (*end == '-')
		y = strtol(end + 1, &end, 10);
	if (*end || x < 1 || y < x || y > max)
		return -1;
	*a = (int)x;
	*b = (int)y;
	return 0;
}

static void print_fault(const struct plan_fault *f, const struct plan_node *nodes)
{
	char *params = json_dumps(f->params, JSON_COMPACT | JSON_SORT_KEYS);

	if (f->step >= 0)
		printf("  step %-2d", f->step + 1);
	printf("  +%7.3f s  %-18s on %-8s", f->inject_at_ms / 1000.0, f->type,
	       f->node >= 0 ? nodes[f->node].name : f->target);
	if (f->node < 0)
		printf(" (resolved at injection)");
	else if (f->target[0] == '@')
		printf(" (%s)", f->target);
	if (f->bind)
		printf("  bound to @%s", f->bind);
	if (f->duration_ms)
		printf("  for %.3f s", f->duration_ms / 1000.0);
	if (params && strcmp(params, "{}"))
		printf("  %s", params);
	if (f->param_bucket >= 0)
		printf("  (arm: parameter quarter %d, time quarter %d%s)", f->param_bucket + 1,
		       f->timing_bucket + 1, f->same_node ? ", on the first fault's node" : "");
	putchar('\n');
	free(params);
}

static int cmd_plan(int argc, char **argv)
{
	struct plan_args a = { 0 };
	struct config *cfg = NULL;
	struct plan_node *nodes;
	struct err e = { "" };
	int status, first = 1, last, ret = EXIT_OK;

	if (command_options(&plan_cmd, &argc, argv, &a, &status) < 0)
		return status;
	if (load_campaign_config(argv[0], &cfg, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (a.seed) {
		char *end;

		cfg->seed = strtoull(a.seed, &end, 10);
		if (*end || !*a.seed) {
			config_free(cfg);
			return command_usage_error(&plan_cmd, "--seed wants a non-negative "
						   "integer, got '%s'", a.seed);
		}
	}
	last = cfg->schedule.runs < 10 ? cfg->schedule.runs : 10;
	if (a.runs && parse_range(a.runs, 1 << 30, &first, &last) < 0) {
		config_free(cfg);
		return command_usage_error(&plan_cmd, "--runs wants A-B with 1 <= A <= B, "
					   "got '%s'", a.runs);
	}
	nodes = xcalloc((size_t)cfg->testbed.n_nodes + 1, sizeof(*nodes));
	for (int i = 0; i < cfg->testbed.n_nodes; i++)
		nodes[i] = (struct plan_node){ cfg->testbed.nodes[i].name,
					       cfg->testbed.nodes[i].role };
	for (int run = first; run <= last && ret == EXIT_OK; run++) {
		struct plan p;

		if (plan_make(cfg, nodes, cfg->testbed.n_nodes, run, &p, &e) < 0) {
			log_error("run %d: %s", run, e.msg);
			ret = EXIT_USAGE;
			break;
		}
		if (a.json) {
			json_t *j = plan_to_json(&p, nodes);
			char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

			puts(text);
			free(text);
			json_decref(j);
		} else {
			printf("run %d (seed %llu; ", run, (unsigned long long)p.seed);
			if (p.scenario)
				printf("scenario '%s'; ", p.scenario);
			/* a campaign's guided plans depend on its runs' feedback */
			if (p.feedback_upto >= 0)
				printf("guided, as with no feedback yet; ");
			printf("times after the warm-up)%s\n", p.n_faults ? "" : ": no fault");
			for (int k = 0; k < p.n_faults; k++)
				print_fault(&p.faults[k], nodes);
		}
		plan_release(&p);
	}
	free(nodes);
	config_free(cfg);
	return ret;
}

static const struct options_cmd *const plan_forms[] = { &plan_cmd, NULL };

const struct command command_plan = {
	"plan", cmd_plan, "show the faults, targets and times of runs without a VM",
	plan_forms,
};
