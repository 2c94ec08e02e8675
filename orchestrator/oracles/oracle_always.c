/* oracle_always.c - a probe never fails on a node that no fault targeted. */
#include "oracles_priv.h"

#include <stdio.h>

static int check(const struct config *c, const json_t *params, const char **ret_key,
		 struct err *e)
{
	return oracles_check_probe(c, params, 0, ret_key, e);
}

static int judge(const json_t *params, const struct oracle_input *in,
		 struct oracle_verdict *ret, struct err *e)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));
	int p = oracles_probe_index(in->cfg, probe);

	(void)e;
	for (int i = 0; i < in->n_samples; i++) {
		const struct probe_sample *s = &in->samples[i];

		if (s->probe != p || s->ok || oracles_targeted(in, s->node))
			continue;
		ret->verdict = VERDICT_FAIL;
		snprintf(ret->reason, sizeof(ret->reason),
			 "probe '%s' failed on untargeted node '%s'", probe,
			 in->node_names[s->node]);
		ret->data = json_pack("{s:I, s:s}", "t_ms", (json_int_t)s->t_ms,
				      "node", in->node_names[s->node]);
		return 0;
	}
	ret->verdict = VERDICT_PASS;
	return 0;
}

const struct oracle_type oracle_always = {
	.name = "always",
	.default_class = "liveness",
	.help = "a probe never fails on nodes that no fault targeted",
	.check = check,
	.judge = judge,
};
