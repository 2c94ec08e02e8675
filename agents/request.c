/* request.c - verbs and their JSON arguments, checked strictly. */
#include "request.h"
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const request_verbs[] = {
	[VERB_PING] = "ping", [VERB_LIST] = "list", [VERB_CHECK] = "check",
	[VERB_INJECT] = "inject", [VERB_UNDO] = "undo", [VERB_STATUS] = "status",
	[VERB_COLLECT] = "collect", NULL
};

static const struct param_spec no_args[] = { P_END };

static const struct param_spec undo_args[] = {
	P_STR("undo", NULL, 262144, NULL, "the token an inject answered"),
	P_BOOL("all", NULL, "undo every active injection recorded on this node"),
	P_END
};
static const char *const undo_one_of[] = { "undo|all", NULL };

static const struct param_spec collect_args[] = {
	P_LIST("paths", &fmt_abspath, 0, 64, "log files to tail"),
	P_INT("max_bytes", 1, 4194304, "65536", "bytes kept from the end of each file"),
	P_BOOL("dmesg", "true", "include the kernel log"),
	P_BOOL("agent_log", "true", "include the agent's own log"),
	P_END
};

static int parse_json(const char *verb, const char *text, size_t len, json_t **ret,
		      struct agent_err *e)
{
	json_error_t jerr;

	if (!text) {
		*ret = json_object();
		return 0;
	}
	*ret = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*ret)
		return agent_err_set(e, "argument of '%s' is not valid JSON: %s "
				     "(line %d, column %d)", verb, jerr.text, jerr.line,
				     jerr.column);
	if (!json_is_object(*ret)) {
		json_decref(*ret);
		return agent_err_set(e, "argument of '%s' must be a JSON object", verb);
	}
	return 0;
}

static int parse_inject(json_t *args, struct request *r, struct agent_err *e)
{
	json_t *fault = json_object_get(args, "fault"), *params;
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v)
		if (strcmp(key, "fault") && strcmp(key, "params"))
			return agent_err_set(e, "unknown key '%s' in the %s request", key,
					     request_verbs[r->verb]);
	if (!json_is_string(fault))
		return agent_err_set(e, "the %s request needs a string 'fault'",
				     request_verbs[r->verb]);
	if (!(r->fault = fault_find(json_string_value(fault))))
		return agent_err_set(e, "unknown fault '%.64s'", json_string_value(fault));
	params = json_object_get(args, "params");
	if (params && !json_is_object(params))
		return agent_err_set(e, "'params' must be an object");
	return params_normalize(r->fault, params, &r->params, e);
}

static int parse_undo(json_t *args, struct request *r, struct agent_err *e)
{
	json_t *norm;
	const char *token;
	char id[17];
	const struct fault *f;
	json_t *state;

	if (params_validate(undo_args, undo_one_of, "verb 'undo'", args, &norm, e) < 0)
		return -1;
	token = param_str(norm, "undo");
	if (token) {
		/* Decode now: a bad token is a bad request, refused before
		 * anything happens. */
		if (token_decode(token, id, &f, &state, e) < 0) {
			json_decref(norm);
			return -1;
		}
		json_decref(state);
		r->token = strdup(token);
	} else if (!param_bool(norm, "all")) {
		json_decref(norm);
		return agent_err_set(e, "'all' must be true when given");
	} else {
		r->undo_all = 1;
	}
	json_decref(norm);
	return 0;
}

int request_parse(const char *verb, const char *text, size_t len, struct request *ret,
		  struct agent_err *e)
{
	json_t *args = NULL;
	int rc, v;

	memset(ret, 0, sizeof(*ret));
	for (v = 0; request_verbs[v]; v++)
		if (!strcmp(request_verbs[v], verb))
			break;
	if (!request_verbs[v])
		return agent_err_set(e, "unknown verb '%.64s'", verb);
	ret->verb = (enum verb)v;
	if ((ret->verb == VERB_INJECT || ret->verb == VERB_CHECK || ret->verb == VERB_UNDO) &&
	    !text)
		return agent_err_set(e, "verb '%s' needs a JSON argument", verb);
	if (parse_json(verb, text, len, &args, e) < 0)
		return -1;
	switch (ret->verb) {
	case VERB_INJECT:
	case VERB_CHECK:
		rc = parse_inject(args, ret, e);
		break;
	case VERB_UNDO:
		rc = parse_undo(args, ret, e);
		break;
	case VERB_COLLECT:
		rc = params_validate(collect_args, NULL, "verb 'collect'", args,
				     &ret->params, e);
		break;
	default: {
		char what[64];

		snprintf(what, sizeof(what), "verb '%s'", verb);
		rc = params_validate(no_args, NULL, what, args, &ret->params, e);
		break;
	}
	}
	json_decref(args);
	if (rc < 0)
		request_release(ret);
	return rc;
}

void request_release(struct request *r)
{
	if (!r)
		return;
	json_decref(r->params);
	free(r->token);
	memset(r, 0, sizeof(*r));
}
