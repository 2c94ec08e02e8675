/* oracle_containment.c - no node other than the targets crashed, hung or
 * lost SSH. */
#include "oracles_priv.h"

#include <stdio.h>

static int check(const struct config *c, const json_t *params, const char **ret_key,
		 struct err *e)
{
	const char *key;
	json_t *v;

	(void)c;
	json_object_foreach((json_t *)params, key, v) {
		*ret_key = key;
		return err_set(e, "unknown parameter '%s'", key);
	}
	return 0;
}

static int judge(const json_t *params, const struct oracle_input *in,
		 struct oracle_verdict *ret, struct err *e)
{
	(void)params;
	(void)e;
	for (int n = 0; n < in->n_nodes; n++) {
		if (oracles_targeted(in, n) || in->node_alive[n])
			continue;
		ret->verdict = VERDICT_FAIL;
		snprintf(ret->reason, sizeof(ret->reason),
			 "untargeted node '%s' lost: %s", in->node_names[n],
			 in->node_detail[n] ? in->node_detail[n] : "no answer");
		return 0;
	}
	ret->verdict = VERDICT_PASS;
	return 0;
}

const struct oracle_type oracle_containment = {
	.name = "containment",
	.default_class = "containment",
	.help = "no node other than the targets crashed, hung or lost SSH",
	.check = check,
	.judge = judge,
};
