/* reply.c - the agent's reply objects. */
#include "reply.h"

#include <string.h>

#include "agent.h"

json_t *reply_error(const char *msg)
{
	/* Messages quote requests, which may hold anything. */
	return json_pack("{s:b, s:o}", "ok", 0, "error",
			 agent_json_text(msg, strlen(msg), 0));
}
