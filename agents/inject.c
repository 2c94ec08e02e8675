/* inject.c - the inject verb: apply, record, start the helper, verify,
 * hand back the evidence and the undo token. */
#include "helper.h"
#include "reply.h"
#include "state.h"
#include "verbs.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HELPER_READY_MS 60000

static int has_param(const struct fault *f, const char *name)
{
	for (const struct param_spec *p = f->params; p->name; p++)
		if (!strcmp(p->name, name))
			return 1;
	return 0;
}

/* Undo a half-made injection; the caller reports the original error. */
static void rollback(struct fault_ctx *c, int recorded)
{
	struct agent_err ignored;
	json_t *saved = c->evidence;

	c->evidence = json_object();
	c->by = "rollback";
	c->fault->undo(c, &ignored);
	json_decref(c->evidence);
	c->evidence = saved;
	if (recorded) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s.json", agent_state_dir(), c->id);
		unlink(path);
	}
}

/* Record the helper in the injection's record (the helper may have
 * ended, and marked the record undone, already). */
static int record_helper(struct fault_ctx *c, json_t *hs, struct agent_err *e)
{
	struct record r = RECORD_INIT;
	int rc = record_lock(c->id, 0, 10000, &r, e);

	if (rc == 0) {
		json_object_set(json_object_get(r.rec, "state"), "helper", hs);
		rc = record_write(&r, e);
	} else if (rc == 1) {
		rc = agent_err_set(e, "record of '%s' vanished", c->id);
	}
	record_release(&r);
	return rc;
}

/* A helper that ends on its own (its deadline, its body done) undoes
 * the fault itself, giving way to an undo already holding the record. */
static void undo_by_helper(struct fault_ctx *c, const char *why)
{
	struct agent_err e = { "" };
	json_t *result = NULL;

	undo_run(c->fault, c->id, c->state, why, 1, &result, &e);
	json_decref(result);
}

static int start_helper(struct fault_ctx *c, struct agent_err *e)
{
	double duration = c->params ? param_num(c->params, "duration_s", 0) : 0;
	int64_t deadline;
	json_t *ready, *hs, *ev;

	if (!c->fault->helper && duration <= 0)
		return 0;
	if (helper_spawn(c, c->fault->helper, undo_by_helper, (int64_t)(duration * 1e9),
			 HELPER_READY_MS, &ready, e) < 0)
		return -1;
	deadline = json_integer_value(json_object_get(ready, "deadline_monotonic_ns"));
	hs = json_pack("{s:O, s:O}", "pid", json_object_get(ready, "pid"), "starttime",
		       json_object_get(ready, "starttime"));
	json_object_set(c->state, "helper", hs);
	ev = json_object_get(ready, "evidence");
	if (json_is_object(ev))
		json_object_update(c->evidence, ev);
	json_object_set_new(c->evidence, "helper", json_pack(
		"{s:O, s:I, s:I}", "pid", json_object_get(ready, "pid"),
		"deadline_monotonic_ns", (json_int_t)deadline, "deadline_realtime_ns",
		(json_int_t)(deadline ? deadline - agent_now_ns(CLOCK_MONOTONIC) +
				       agent_now_ns(CLOCK_REALTIME) : 0)));
	json_decref(ready);
	if (record_helper(c, hs, e) < 0) {
		json_decref(hs);
		return -1;
	}
	json_decref(hs);
	return 0;
}

static void verify(struct fault_ctx *c)
{
	struct agent_err e = { "" };

	if (!c->fault->verify)
		return;
	if (c->fault->verify(c, &e) < 0) {
		json_object_set_new(c->evidence, "verified", json_false());
		json_object_set_new(c->evidence, "verify_error", json_string(e.msg));
	} else {
		json_object_set_new(c->evidence, "verified", json_true());
	}
}

static int fail(struct fault_ctx *c, const char *msg, json_t **ret_reply)
{
	json_t *log = json_pack("{s:s, s:s, s:s, s:b, s:O, s:s}", "verb", "inject",
				"id", c->id, "fault", c->fault->name, "ok", 0,
				"params", c->params, "error", msg);

	agent_log(log);
	json_decref(log);
	*ret_reply = reply_error(msg);
	json_object_set_new(*ret_reply, "fault", json_string(c->fault->name));
	return AGENT_EXIT_FAIL;
}

int inject_run(const struct fault *f, json_t *given, json_t **ret_reply)
{
	struct fault_ctx c = { .fault = f };
	struct agent_err e = { "" };
	json_t *rec, *log;
	char *token;
	int rc;

	c.params = json_deep_copy(given);
	c.state = json_object();
	c.evidence = json_object();
	state_new_id(c.id);
	/* A random pick must be replayable: choose and report the seed. */
	if (has_param(f, "seed") && !json_object_get(c.params, "seed"))
		json_object_set_new(c.params, "seed",
				    json_integer((json_int_t)(agent_random_u64() >> 11)));
	if (agent_mkdir_p(agent_state_dir(), 0700, &e) < 0 || f->apply(&c, &e) < 0) {
		rc = fail(&c, e.msg, ret_reply);
		goto out;
	}
	rec = json_pack("{s:s, s:s, s:O, s:O, s:{s:I, s:I, s:s}, s:n}", "id", c.id,
			"fault", f->name, "params", c.params, "state", c.state, "injected",
			"t_realtime_ns", (json_int_t)agent_now_ns(CLOCK_REALTIME),
			"t_monotonic_ns", (json_int_t)agent_now_ns(CLOCK_MONOTONIC),
			"boot_id", agent_boot_id(), "undone");
	/* Nothing lasting (a KILL, a register flip): never active. */
	if (c.done)
		json_object_set_new(rec, "undone", json_pack("{s:s, s:s}", "by", "inject",
				    "action", "none: nothing to undo"));
	rc = record_create(c.id, rec, &e);
	json_decref(rec);
	if (rc < 0 || start_helper(&c, &e) < 0) {
		rollback(&c, rc == 0);
		rc = fail(&c, e.msg, ret_reply);
		goto out;
	}
	verify(&c);
	token = token_encode(c.id, f->name, c.state);
	*ret_reply = json_pack("{s:b, s:s, s:s, s:O, s:O, s:s, s:s}", "ok", 1, "fault",
			       f->name, "id", c.id, "params", c.params, "evidence",
			       c.evidence, "undo", token ? token : "", "boot_id",
			       agent_boot_id());
	log = json_pack("{s:s, s:s, s:s, s:b, s:O, s:O}", "verb", "inject", "id", c.id,
			"fault", f->name, "ok", 1, "params", c.params, "evidence",
			c.evidence);
	agent_log(log);
	json_decref(log);
	free(token);
	rc = AGENT_EXIT_OK;
out:
	json_decref(c.params);
	json_decref(c.state);
	json_decref(c.evidence);
	return rc;
}
