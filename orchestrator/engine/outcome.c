/* outcome.c - naming and classifying run outcomes. */
#include "outcome.h"

#include <string.h>

static const char *const names[OUTCOME_N] = {
	[OUTCOME_NO_EFFECT] = "no-effect",
	[OUTCOME_RECOVERED] = "recovered",
	[OUTCOME_FLAW] = "flaw",
	[OUTCOME_UNJUDGED] = "unjudged",
	[OUTCOME_SET_ASIDE] = "set-aside",
};

const char *outcome_name(enum outcome o)
{
	return o >= 0 && o < OUTCOME_N ? names[o] : "?";
}

int outcome_from_name(const char *s)
{
	for (int i = 0; s && i < OUTCOME_N; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

enum outcome outcome_classify(const struct oracle_verdict *v, int n,
			      int effect_seen, int *ret_first)
{
	*ret_first = -1;
	for (int i = 0; i < n; i++)
		if (v[i].verdict == VERDICT_FAIL) {
			*ret_first = i;
			return OUTCOME_FLAW;
		}
	for (int i = 0; i < n; i++)
		if (v[i].verdict == VERDICT_UNKNOWN) {
			*ret_first = i;
			return OUTCOME_UNJUDGED;
		}
	return effect_seen ? OUTCOME_RECOVERED : OUTCOME_NO_EFFECT;
}
