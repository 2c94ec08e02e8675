/* campaign-agent - the in-guest side of fault injection.
 *
 * Called over SSH as `campaign-agent VERB ['JSON']`; answers exactly one
 * JSON object on stdout and exits 0 on success, non-zero on error.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#define AGENT_VERSION "0.1.0"

static int reply(json_t *obj, int status)
{
	char *text = json_dumps(obj, JSON_COMPACT);

	puts(text ? text : "{\"ok\":false,\"error\":\"out of memory\"}");
	free(text);
	json_decref(obj);
	return status;
}

static int verb_ping(void)
{
	struct utsname u;

	uname(&u);
	return reply(json_pack("{s:b, s:s, s:s, s:s}", "ok", 1,
			       "version", AGENT_VERSION, "hostname", u.nodename,
			       "kernel", u.release), 0);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ping"))
		return verb_ping();
	return reply(json_pack("{s:b, s:s}", "ok", 0, "error",
			       argc < 2 ? "usage: campaign-agent VERB ['JSON']"
					: "unknown verb"), 2);
}
