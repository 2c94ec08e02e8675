/* oracle_node_rejoins.c - a node restored from its snapshot (or booted
 * from its disk) is healthy again within within_s. */
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
	oracles_judge_recovery(params, in, 1, ret);
	return 0;
}

const struct oracle_type oracle_node_rejoins = {
	.name = "node-rejoins",
	.default_class = "recovery",
	.help = "a node restored from its snapshot is healthy within within_s",
	.check = check,
	.judge = judge,
	.watch_ms = oracles_watch_recovery,
};
