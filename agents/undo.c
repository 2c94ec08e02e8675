/* undo.c - the undo verb (one token, or every active injection) and the
 * status verb. An undo runs at most once per record: it holds the
 * record's lock, stops the helper, runs the fault's undo and marks the
 * record undone. */
#include "helper.h"
#include "reply.h"
#include "state.h"
#include "verbs.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define UNDO_LOCK_MS 15000

static json_t *undo_result(const struct fault *f, const char *id, const char *by,
			   int already, json_t *evidence)
{
	return json_pack("{s:b, s:s, s:s, s:s, s:b, s:O}", "ok", 1, "fault", f->name,
			 "id", id, "by", by, "already_undone", already, "evidence",
			 evidence);
}

static void log_undo(json_t *result)
{
	json_t *log = json_deep_copy(result);

	json_object_set_new(log, "verb", json_string("undo"));
	agent_log(log);
	json_decref(log);
}

/* Take the state from the record; fail if the record is of another fault. */
static int record_state(struct record *r, const struct fault *f, const char *id,
			json_t **ret_state, struct agent_err *e)
{
	json_t *fault = json_object_get(r->rec, "fault"), *state;

	if (!json_is_string(fault) || strcmp(json_string_value(fault), f->name))
		return agent_err_set(e, "record of '%s' is not of fault '%s'", id, f->name);
	state = json_object_get(r->rec, "state");
	if (!json_is_object(state))
		return agent_err_set(e, "record of '%s' has no state", id);
	*ret_state = state;
	return 0;
}

static int do_undo(const struct fault *f, const char *id, json_t *state, const char *by,
		   int self, json_t *evidence, struct agent_err *e)
{
	struct fault_ctx c = { .fault = f, .state = state, .evidence = evidence, .by = by };
	json_t *hs = json_object_get(state, "helper"), *how;

	snprintf(c.id, sizeof(c.id), "%s", id);
	if (hs && !self) {
		if (helper_stop(hs, &how, e) < 0)
			return -1;
		json_object_set_new(evidence, "helper", how);
	}
	if (f->undo(&c, e) < 0)
		return -1;
	agent_stamp(evidence);
	return 0;
}

int undo_run(const struct fault *f, const char *id, json_t *state_hint,
	     const char *by, int self, json_t **ret_result, struct agent_err *e)
{
	struct record r = RECORD_INIT;
	json_t *state = state_hint, *evidence, *undone;
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)UNDO_LOCK_MS * 1000000;
	int rc = record_lock(id, self, UNDO_LOCK_MS, &r, e);

	/* The helper gives way to an undo holding the record (that undo stops
	 * it with SIGTERM), but waits out the inject still writing the helper
	 * into the record: a fault that ends at once (a count reached) would
	 * otherwise leave its record active for ever. */
	while (self && rc == 2 && !helper_signalled() &&
	       agent_now_ns(CLOCK_MONOTONIC) < end) {
		agent_sleep_ms(10);
		rc = record_lock(id, 1, 0, &r, e);
	}
	if (rc < 0 || rc == 2) {	/* 2: another undo is under way */
		record_release(&r);
		return rc < 0 ? -1 : agent_err_set(e, "an undo of '%s' is under way", id);
	}
	if (rc == 1 && (f->flags & FAULT_UNDO_ONCE))
		return agent_err_set(e, "no record of injection '%s' under '%s': refusing "
				     "to undo '%s' without it", id, agent_state_dir(), f->name);
	if (rc == 0 && record_state(&r, f, id, &state, e) < 0) {
		record_release(&r);
		return -1;
	}
	if (!state) {
		record_release(&r);
		return agent_err_set(e, "no record of injection '%s' and no state", id);
	}
	undone = rc == 0 ? json_object_get(r.rec, "undone") : NULL;
	if (json_is_object(undone)) {
		*ret_result = undo_result(f, id, by, 1, undone);
		record_release(&r);
		return 0;
	}
	evidence = json_object();
	if (do_undo(f, id, state, by, self, evidence, e) < 0) {
		json_decref(evidence);
		record_release(&r);
		return -1;
	}
	if (rc == 0) {
		json_object_set_new(evidence, "by", json_string(by));
		json_object_set(r.rec, "undone", evidence);
		record_write(&r, NULL);
	}
	*ret_result = undo_result(f, id, by, 0, evidence);
	json_decref(evidence);
	record_release(&r);
	log_undo(*ret_result);
	return 0;
}

int undo_token(const char *token, json_t **ret_reply)
{
	struct agent_err e = { "" };
	const struct fault *f;
	json_t *state;
	char id[17];

	if (token_decode(token, id, &f, &state, &e) < 0) {
		*ret_reply = reply_error(e.msg);
		return AGENT_EXIT_BADREQ;
	}
	if (undo_run(f, id, state, "request", 0, ret_reply, &e) < 0) {
		json_t *log = json_pack("{s:s, s:s, s:s, s:b, s:s}", "verb", "undo", "id", id,
					"fault", f->name, "ok", 0, "error", e.msg);

		agent_log(log);
		json_decref(log);
		json_decref(state);
		*ret_reply = reply_error(e.msg);
		json_object_set_new(*ret_reply, "id", json_string(id));
		return AGENT_EXIT_FAIL;
	}
	json_decref(state);
	return AGENT_EXIT_OK;
}

/* Call fn for each record id in the state directory. */
static void each_record(void (*fn)(const char *id, void *arg), void *arg)
{
	DIR *d = opendir(agent_state_dir());
	struct dirent *de;
	json_t *ids = json_array(), *v;
	size_t i;

	while (d && (de = readdir(d))) {
		char id[17];

		if (strlen(de->d_name) != 21 || strcmp(de->d_name + 16, ".json"))
			continue;
		snprintf(id, sizeof(id), "%.16s", de->d_name);
		if (state_valid_id(id))
			json_array_append_new(ids, json_string(id));
	}
	if (d)
		closedir(d);
	json_array_foreach(ids, i, v)
		fn(json_string_value(v), arg);
	json_decref(ids);
}

static json_t *peek(const char *id)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s.json", agent_state_dir(), id);
	return json_load_file(path, 0, NULL);
}

struct undo_all_acc {
	json_t *list;
	int failed;
};

static void undo_one(const char *id, void *arg)
{
	struct undo_all_acc *acc = arg;
	json_t *rec = peek(id), *result = NULL;
	const struct fault *f;
	struct agent_err e = { "" };

	if (!rec || json_is_object(json_object_get(rec, "undone")) ||
	    !(f = fault_find(json_string_value(json_object_get(rec, "fault")) ?: ""))) {
		json_decref(rec);
		return;
	}
	if (undo_run(f, id, NULL, "all", 0, &result, &e) < 0) {
		acc->failed = 1;
		result = json_pack("{s:b, s:s, s:s, s:s}", "ok", 0, "id", id, "fault",
				   f->name, "error", e.msg);
	}
	json_array_append_new(acc->list, result);
	json_decref(rec);
}

int undo_all(json_t **ret_reply)
{
	struct undo_all_acc acc = { json_array(), 0 };

	each_record(undo_one, &acc);
	*ret_reply = json_pack("{s:b, s:o}", "ok", !acc.failed, "undone", acc.list);
	if (acc.failed)
		json_object_set_new(*ret_reply, "error",
				    json_string("some injections could not be undone"));
	return acc.failed ? AGENT_EXIT_FAIL : AGENT_EXIT_OK;
}

static void status_one(const char *id, void *arg)
{
	json_t *rec = peek(id);

	if (rec)
		json_array_append_new(arg, json_pack(
			"{s:s, s:O, s:O, s:O, s:b, s:O}", "id", id, "fault",
			json_object_get(rec, "fault") ?: json_null(), "params",
			json_object_get(rec, "params") ?: json_null(), "injected",
			json_object_get(rec, "injected") ?: json_null(), "active",
			!json_is_object(json_object_get(rec, "undone")), "undone",
			json_object_get(rec, "undone") ?: json_null()));
	json_decref(rec);
}

int status_run(json_t **ret_reply)
{
	json_t *list = json_array();

	each_record(status_one, list);
	*ret_reply = json_pack("{s:b, s:s, s:o}", "ok", 1, "state_dir", agent_state_dir(),
			       "injections", list);
	return AGENT_EXIT_OK;
}
