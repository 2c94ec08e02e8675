/* reply.h - the agent's reply objects, shared by every verb. */
#ifndef CAMPAIGN_AGENT_REPLY_H
#define CAMPAIGN_AGENT_REPLY_H

#include <jansson.h>

/* {"ok": false, "error": msg} (new reference); msg may hold anything
 * (invalid UTF-8 is replaced). */
json_t *reply_error(const char *msg);

#endif
