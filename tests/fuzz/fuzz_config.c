/* fuzz_config.c - libFuzzer target for a campaign config: the strict
 * reader (config_parse: every section, durations, ranges, node selectors,
 * templates), the fault and oracle registries' checks of its entries, as
 * `campaign validate` runs them, and the plans of its first runs (ranges
 * drawn into numbers, times into milliseconds). Nothing is written; the
 * only files looked at are recipe and key paths the config names
 * (stat/realpath).
 *
 * It also holds the config to its promise that every time converts to
 * integer milliseconds without overflow (CONFIG_SECONDS_MAX).
 *
 * Input: the config's bytes, as if read from configs/fuzz.json.
 */
#include "config.h"
#include "faults.h"
#include "oracles.h"
#include "plan.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A time the program turns into milliseconds (engine.c, engine_run.c,
 * plan.c: (int64_t)(s * 1000)): with room for sums. */
static void fits_ms(double s)
{
	if (!(s >= 0 && s * 1000 <= (double)(INT64_MAX / 4)))
		abort();
}

static void check_times(const struct config *c)
{
	fits_ms(c->workload.warmup_s);
	fits_ms(c->workload.stop_timeout_s);
	fits_ms(c->schedule.budget_s);
	fits_ms(c->schedule.observe_s);
	fits_ms(c->schedule.inject_at_s.min);
	fits_ms(c->schedule.inject_at_s.max);
	for (int i = 0; i < c->n_faults; i++) {
		fits_ms(c->faults[i].duration_s.min);
		fits_ms(c->faults[i].duration_s.max);
		fits_ms(c->faults[i].weight);
	}
}

static void plans(const struct config *c)
{
	struct plan_node nodes[64];
	int n = c->testbed.n_nodes < 64 ? c->testbed.n_nodes : 64;
	struct err e = { "" };

	for (int i = 0; i < n; i++)
		nodes[i] = (struct plan_node){ c->testbed.nodes[i].name,
					       c->testbed.nodes[i].role };
	for (int run = 1; run <= 3; run++) {
		struct plan p;

		if (plan_make(c, nodes, n, run, &p, &e) < 0)
			return;
		json_decref(plan_to_json(&p, nodes));
		plan_release(&p);
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct config *c = NULL;
	struct err e = { "" };

	if (config_parse(CAMPAIGN_SOURCE_DIR "/configs/fuzz.json", (const char *)data, size,
			 &c, &e) < 0)
		return 0;
	check_times(c);
	if (config_check_faults(c, faults_check, &e) == 0 &&
	    config_check_oracles(c, oracles_check, &e) == 0)
		plans(c);
	config_free(c);
	return 0;
}
