/* oracle_command.c - an external checker on the controller: exit 0
 * valid, 1 a flaw, anything else unknown. */
#include "oracles_priv.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "nodevars.h"
#include "proc.h"
#include "template.h"

/* Without timeout_s, a checker gets two minutes. */
#define COMMAND_TIMEOUT_MS 120000

static int check(const struct config *c, const json_t *params, const char **ret_key,
		 struct err *e)
{
	const char *key, *run;
	json_t *v;

	json_object_foreach((json_t *)params, key, v)
		if (strcmp(key, "run") && strcmp(key, "class") &&
		    strcmp(key, "timeout_s")) {
			*ret_key = key;
			return err_set(e, "unknown parameter '%s'", key);
		}
	*ret_key = "run";
	run = json_string_value(json_object_get(params, "run"));
	if (!run || !*run)
		return err_set(e, "needs \"run\": a command template");
	/* expanded once per run, for no node in particular */
	if (nodevars_check_template(&c->testbed, NODEVARS_RUN, run, e) < 0)
		return -1;
	return oracles_check_seconds(params, "timeout_s", ret_key, e);
}

/* The checker's own words, one line: the "explanation" of its JSON
 * output, else the last line of its stderr (where `campaign check` says
 * why a history is malformed), else the last line of its stdout. */
static void evidence(const json_t *doc, struct buf *out, const char *tail,
		     char *ret, size_t size)
{
	const char *why = json_string_value(json_object_get(doc, "explanation"));

	if (!why || !*why)
		why = tail;
	if (!*why) {
		buf_rtrim(out);
		why = strrchr(out->data, '\n') ? strrchr(out->data, '\n') + 1 : out->data;
	}
	snprintf(ret, size, "%s", *why ? why : "no output");
	ret[strcspn(ret, "\n")] = '\0';
}

/* A checker that cannot run or finish is unknown too. The reason always
 * says what happened, with the checker's own words. */
static int judge(const json_t *params, const struct oracle_input *in,
		 struct oracle_verdict *ret, struct err *e)
{
	const char *tpl = json_string_value(json_object_get(params, "run"));
	const json_t *timeout = json_object_get(params, "timeout_s");
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	struct err pe = { "" };
	char tail[400], why[400];
	json_t *doc;
	int status;

	if (template_expand(tpl, in->lookup, in->lookup_ctx, 1, &cmd, e) < 0) {
		buf_release(&cmd);
		return -1;
	}
	status = proc_run_status((char *[]){ "/bin/sh", "-c", cmd.data, NULL }, &out,
				 tail, sizeof(tail), timeout
				 ? (int)(json_number_value(timeout) * 1000) : COMMAND_TIMEOUT_MS,
				 &pe);
	buf_release(&cmd);
	doc = status < 0 ? NULL : json_loads(out.data, 0, NULL);
	ret->data = doc;
	ret->verdict = status == 0 ? VERDICT_PASS
		     : status == 1 ? VERDICT_FAIL : VERDICT_UNKNOWN;
	evidence(doc, &out, tail, why, sizeof(why));
	if (status < 0)
		snprintf(ret->reason, sizeof(ret->reason), "checker did not run to its end: %s%s%s",
			 pe.msg, *tail ? "; its stderr: " : "", tail);
	else if (status > 128)
		snprintf(ret->reason, sizeof(ret->reason), "checker killed by signal %d: %s",
			 status - 128, why);
	else
		snprintf(ret->reason, sizeof(ret->reason), "checker exited %d: %s", status, why);
	buf_release(&out);
	return 0;
}

const struct oracle_type oracle_command = {
	.name = "command",
	.default_class = "safety",
	.help = "an external checker on the controller: exit 0 valid, 1 a flaw, "
		"else unknown; its JSON explanation is the evidence",
	.check = check,
	.judge = judge,
};
