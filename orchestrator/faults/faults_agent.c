/* faults_agent.c - faults the in-guest agent applies, over SSH. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "faults.h"
#include "nodevars.h"
#include "paths.h"
#include "proc.h"
#include "ssh.h"
#include "template.h"

static pthread_mutex_t catalogue_lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *catalogue;	/* the agent's "faults" array */
static char catalogue_error[512];


const json_t *faults_agent_catalogue(struct err *e)
{
	pthread_mutex_lock(&catalogue_lock);
	if (!catalogue && !catalogue_error[0]) {
		char *agent = paths_local_agent();
		char *argv[] = { agent, "list", NULL };
		struct buf out = BUF_INIT;
		struct err pe = { "" };
		json_t *root = NULL;

		if (proc_run(argv, &out, 10000, &pe) < 0)
			snprintf(catalogue_error, sizeof(catalogue_error),
				 "cannot read the agent's fault catalogue: %s", pe.msg);
		else if (!(root = json_loads(out.data, 0, NULL)) ||
			 !json_is_array(json_object_get(root, "faults")))
			snprintf(catalogue_error, sizeof(catalogue_error),
				 "the agent '%s' answered 'list' with no catalogue", agent);
		else
			catalogue = json_incref(json_object_get(root, "faults"));
		json_decref(root);
		buf_release(&out);
		free(agent);
	}
	pthread_mutex_unlock(&catalogue_lock);
	if (!catalogue)
		err_set(e, "%s", catalogue_error);
	return catalogue;
}

/* Run one agent verb on the node; the reply's JSON (new) on success. */
static int agent_call(const struct testbed_node *node, const char *verb,
		      json_t *request, json_t **ret_reply, struct err *e)
{
	char *text = json_dumps(request, JSON_COMPACT);
	struct buf cmd = BUF_INIT;
	struct ssh_result r;
	json_t *reply = NULL;
	int ret = -1;

	ssh_result_init(&r);
	buf_addf(&cmd, "campaign-agent %s ", verb);
	shell_quote(&cmd, text);
	if (testbed_node_run(node, cmd.data, 10000, 30000, &r, e) < 0)
		goto cleanup;
	reply = json_loads(r.out.data, 0, NULL);
	if (!reply || !json_is_object(reply)) {
		buf_rtrim(&r.errout);
		err_set(e, "the agent on '%s' gave no JSON reply to '%s' (exit "
			"status %d): %s", node->name, verb, r.status, r.errout.data);
		goto cleanup;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *why = json_string_value(json_object_get(reply, "error"));

		err_set(e, "the agent on '%s' refused '%s': %s", node->name, verb,
			why ? why : "no reason given");
		goto cleanup;
	}
	*ret_reply = json_incref(reply);
	ret = 0;
cleanup:
	json_decref(reply);
	ssh_result_release(&r);
	buf_release(&cmd);
	free(text);
	return ret;
}

struct param_lookup {
	const struct fault_env *env;
	struct buf value;
};

static const char *param_lookup(void *arg, const char *name)
{
	struct param_lookup *l = arg;

	buf_reset(&l->value);
	return nodevars_lookup(l->env->tb, l->env->pf->node, name, &l->value) < 0
		? NULL : l->value.data;
}

/* The plan's parameters with {node.*}/{peers.*} placeholders in string
 * values expanded for the target node, e.g. partition's "peers":
 * "{peers.ip}" (the agent reads a comma-separated string as a list). */
static json_t *expand_params(const struct fault_env *env, struct err *e)
{
	struct param_lookup l = { env, BUF_INIT };
	json_t *out = json_object(), *v;
	struct buf val = BUF_INIT;
	const char *key;

	json_object_foreach(env->pf->params, key, v) {
		if (!json_is_string(v) || !strchr(json_string_value(v), '{')) {
			json_object_set(out, key, v);
			continue;
		}
		buf_reset(&val);
		if (template_expand(json_string_value(v), param_lookup, &l, 0, &val, e) < 0) {
			err_prefix(e, "parameter '%s'", key);
			json_decref(out);
			out = NULL;
			break;
		}
		json_object_set_new(out, key, json_string(val.data));
	}
	buf_release(&val);
	buf_release(&l.value);
	return out;
}

int faults_agent_apply(const struct fault_env *env, struct fault_applied *ret,
		       struct err *e)
{
	json_t *params = expand_params(env, e), *req, *reply = NULL;
	const char *undo;
	int r;

	if (!params)
		return -1;
	req = json_pack("{s:s, s:o}", "fault", env->pf->type, "params", params);
	r = agent_call(env->node, "inject", req, &reply, e);
	json_decref(req);
	if (r < 0)
		return -1;
	ret->evidence = json_incref(json_object_get(reply, "evidence"));
	undo = json_string_value(json_object_get(reply, "undo"));
	ret->undo_token = undo && *undo ? xstrdup(undo) : NULL;
	json_decref(reply);
	if (!ret->evidence || !json_object_size(ret->evidence))
		return err_set(e, "the agent on '%s' applied '%s' without evidence",
			       env->node->name, env->pf->type);
	return 0;
}

int faults_agent_revert(const struct fault_env *env, struct fault_applied *a,
			json_t **ret_evidence, struct err *e)
{
	json_t *req = json_pack("{s:s}", "undo", a->undo_token), *reply = NULL;
	int r = agent_call(env->node, "undo", req, &reply, e);

	json_decref(req);
	if (r < 0)
		return -1;
	*ret_evidence = json_incref(json_object_get(reply, "evidence"));
	if (!*ret_evidence)
		*ret_evidence = json_object();
	json_decref(reply);
	return 0;
}
