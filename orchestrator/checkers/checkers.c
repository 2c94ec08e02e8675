/* checkers.c - the checker table and the verdict helpers they share. */
#include "checkers.h"

#include <stdlib.h>
#include <string.h>

const struct checker checkers[] = {
	{ "lost-writes", check_lost_writes, 0,
	  "every acknowledged add (or write) is in the final read; nothing "
	  "unexpected is" },
	{ "linearizable-register", check_linearizable_register, CHECKER_OPT_LIMITS,
	  "read/write/cas registers, one per key, are linearizable (WGL search)" },
	{ "availability", check_availability, CHECKER_OPT_AVAILABILITY,
	  "share of successful operations in and out of fault windows, and "
	  "recovery time" },
	{ NULL, NULL, 0, NULL },
};

const struct checker *checker_find(const char *name)
{
	const struct checker *c;

	for (c = checkers; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void checker_opts_init(struct checker_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->time_limit_s = 10;
	opts->memory_limit_bytes = (size_t)512 << 20;
	opts->min_ok_ratio = 0;
	opts->max_recovery_s = -1;
}

json_t *checker_verdict_new(const char *checker, enum checker_result result,
			    const char *explanation, const struct history *h)
{
	json_t *v = json_object();
	char *text = h->reordered == 1
		? xasprintf("%s; 1 line out of time order was sorted by time", explanation)
		: h->reordered ? xasprintf("%s; %zu lines out of time order were sorted by time",
					   explanation, h->reordered)
		: xstrdup(explanation);

	json_object_set_new(v, "checker", json_string(checker));
	json_object_set_new(v, "valid", result == CHECKER_VALID ? json_true()
					: result == CHECKER_INVALID ? json_false()
					: json_string("unknown"));
	json_object_set_new(v, "explanation", json_string(text));
	json_object_set_new(v, "ops", json_integer((json_int_t)checker_count_ops(h)));
	json_object_set_new(v, "reordered", json_integer((json_int_t)h->reordered));
	free(text);
	return v;
}

enum checker_result checker_verdict_result(const json_t *verdict)
{
	const json_t *v = json_object_get(verdict, "valid");

	if (json_is_true(v))
		return CHECKER_VALID;
	if (json_is_false(v))
		return CHECKER_INVALID;
	return CHECKER_UNKNOWN;
}

int checker_exit_status(enum checker_result result)
{
	switch (result) {
	case CHECKER_VALID: return 0;
	case CHECKER_INVALID: return 1;
	default: return 2;
	}
}

size_t checker_count_ops(const struct history *h)
{
	return h->n_ops;
}
