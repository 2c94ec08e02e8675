/* campaign-agent - the in-guest side of fault injection.
 *
 * Called over SSH as `campaign-agent VERB ['JSON']` (JSON "-" reads it
 * from stdin); answers exactly one JSON object on stdout and exits 0 on
 * success, 2 for a bad request (nothing changed), 1 when the work failed.
 * docs/agent.md describes the verbs and the fault catalogue.
 *
 * `campaign-agent control [DEVICE]` is the other mode: the long-running
 * guest end of the control channel (control.h), started by init.
 */
#include "control.h"
#include "reply.h"
#include "request.h"
#include "verbs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define STDIN_MAX (1 << 20)

static int reply(json_t *obj, int status)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	puts(text ? text : "{\"ok\":false,\"error\":\"out of memory\"}");
	fflush(stdout);
	free(text);
	json_decref(obj);
	return status;
}

static int verb_ping(void)
{
	json_t *verbs = json_array();
	struct utsname u;

	uname(&u);
	for (int i = 0; request_verbs[i]; i++)
		json_array_append_new(verbs, json_string(request_verbs[i]));
	return reply(json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "ok", 1,
			       "version", AGENT_VERSION, "hostname", u.nodename,
			       "kernel", u.release, "machine", u.machine, "boot_id",
			       agent_boot_id(), "uid", (int)getuid(), "verbs", verbs), 0);
}

static int verb_list(void)
{
	json_t *list = json_array();

	for (const struct fault *const *f = fault_all(); *f; f++)
		json_array_append_new(list, fault_describe(*f));
	return reply(json_pack("{s:b, s:s, s:o}", "ok", 1, "version", AGENT_VERSION,
			       "faults", list), 0);
}

static int run(struct request *r)
{
	json_t *out = NULL;
	int rc;

	switch (r->verb) {
	case VERB_PING:
		return verb_ping();
	case VERB_LIST:
		return verb_list();
	case VERB_CHECK:
		return reply(json_pack("{s:b, s:s, s:O}", "ok", 1, "fault", r->fault->name,
				       "params", r->params), 0);
	case VERB_INJECT:
		rc = inject_run(r->fault, r->params, &out);
		return reply(out, rc);
	case VERB_UNDO:
		rc = r->undo_all ? undo_all(&out) : undo_token(r->token, &out);
		return reply(out, rc);
	case VERB_STATUS:
		rc = status_run(&out);
		return reply(out, rc);
	case VERB_COLLECT:
		rc = collect_run(json_object_get(r->params, "paths"),
				 (long)param_int(r->params, "max_bytes", 65536),
				 param_bool(r->params, "dmesg"),
				 param_bool(r->params, "agent_log"), &out);
		return reply(out, rc);
	}
	return reply(reply_error("unknown verb"), AGENT_EXIT_BADREQ);
}

/* The JSON argument: argv[2], or stdin when it is "-". */
static char *read_arg(const char *arg, size_t *len)
{
	char *buf;
	size_t n = 0, got;

	if (strcmp(arg, "-")) {
		*len = strlen(arg);
		return strdup(arg);
	}
	buf = malloc(STDIN_MAX + 1);
	while (buf && n < STDIN_MAX && (got = fread(buf + n, 1, STDIN_MAX - n, stdin)) > 0)
		n += got;
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	struct request r = REQUEST_INIT;
	struct agent_err e = { "" };
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "control") && argc <= 3) {
		control_main(argc == 3 ? argv[2] : NULL);
		return AGENT_EXIT_FAIL;
	}
	if (argc < 2 || argc > 3)
		return reply(reply_error("usage: campaign-agent VERB ['JSON'|-]"),
			     AGENT_EXIT_BADREQ);
	if (argc == 3 && !(text = read_arg(argv[2], &len)))
		return reply(reply_error("cannot read the JSON argument"), AGENT_EXIT_FAIL);
	if (request_parse(argv[1], text, len, &r, &e) < 0) {
		free(text);
		return reply(reply_error(e.msg), AGENT_EXIT_BADREQ);
	}
	free(text);
	rc = run(&r);
	request_release(&r);
	return rc;
}
