/* oracle_probe_recovers.c - after each fault ends, its target's probe is
 * healthy again within within_s. */
#include "oracles_priv.h"

static int check(const struct config *c, const json_t *params, const char **ret_key,
		 struct err *e)
{
	return oracles_check_probe(c, params, 1, ret_key, e);
}

static int judge(const json_t *params, const struct oracle_input *in,
		 struct oracle_verdict *ret, struct err *e)
{
	(void)e;
	oracles_judge_recovery(params, in, 0, ret);
	return 0;
}

const struct oracle_type oracle_probe_recovers = {
	.name = "probe-recovers",
	.default_class = "recovery",
	.help = "a probe is healthy again on each target within within_s after its "
		"fault ends",
	.check = check,
	.judge = judge,
	.watch_ms = oracles_watch_recovery,
};
