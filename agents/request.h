/* request.h - parsing `campaign-agent VERB 'JSON'` into a request.
 *
 * Pure: parsing reads no file and changes nothing, so that every bad
 * request is refused before anything happens (and so that it can be
 * fuzzed). Semantic checks that need the system (does the interface
 * exist, is there enough memory) belong to a fault's apply.
 */
#ifndef CAMPAIGN_AGENT_REQUEST_H
#define CAMPAIGN_AGENT_REQUEST_H

#include "fault.h"

enum verb {
	VERB_PING,
	VERB_LIST,
	VERB_CHECK,	/* validate an inject request, apply nothing */
	VERB_INJECT,
	VERB_UNDO,
	VERB_STATUS,
	VERB_COLLECT,
};

struct request {
	enum verb verb;
	const struct fault *fault;	/* check, inject */
	json_t *params;			/* check, inject: normalised; collect */
	char *token;			/* undo: the token, or NULL with all */
	int undo_all;
};
#define REQUEST_INIT { 0 }

/* Parse verb and its JSON argument (text, len bytes; text NULL when
 * absent). On success *ret owns what it holds; release it with
 * request_release. */
int request_parse(const char *verb, const char *text, size_t len, struct request *ret,
		  struct agent_err *e);
void request_release(struct request *r);

/* The verbs, for usage messages and `ping`. */
extern const char *const request_verbs[];

#endif
