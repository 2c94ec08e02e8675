/* state.h - undo tokens and the injection records under /run/campaign.
 *
 * The agent is not a daemon: an injection and its undo are separate
 * invocations, possibly minutes apart. Two things carry the state:
 *
 *  - the undo token handed to the orchestrator: base64url of
 *    {"v":1,"id":ID,"fault":NAME,"state":{...}}; enough to undo alone;
 *  - the record /run/campaign/ID.json: {"id","fault","params","state",
 *    "injected","undone"}; authoritative when present, locked with flock
 *    while an undo runs, and marks the injection undone so that an undo
 *    happens once (the clock step is not idempotent).
 */
#ifndef CAMPAIGN_AGENT_STATE_H
#define CAMPAIGN_AGENT_STATE_H

#include "fault.h"

/* base64url without padding (new malloc'd string / buffer). */
char *b64url_encode(const void *data, size_t len);
/* Decode strictly: -1 on any character outside the alphabet or a bad
 * length. *ret is malloc'd, NUL-terminated, *ret_len bytes. */
int b64url_decode(const char *s, char **ret, size_t *ret_len);

/* A new token for the injection (malloc'd). state borrowed. */
char *token_encode(const char *id, const char *fault, json_t *state);
/* Parse a token; *ret_state a new reference. Pure. */
int token_decode(const char *token, char ret_id[17], const struct fault **ret_fault,
		 json_t **ret_state, struct agent_err *e);
/* 1 if s is 16 lower-case hex digits. */
int state_valid_id(const char *s);
/* A fresh random id. */
void state_new_id(char ret[17]);

struct record {
	int fd;
	json_t *rec;	/* owned */
	char path[4200];
};
#define RECORD_INIT { .fd = -1 }

/* Create the record for id (exclusively); rec borrowed. */
int record_create(const char *id, json_t *rec, struct agent_err *e);
/* Lock and read the record of id. Returns 0 when locked and read, 1 when
 * there is no record, 2 when nonblock and another process holds it, -1 on
 * error. Waits at most timeout_ms for the lock. */
int record_lock(const char *id, int nonblock, long timeout_ms, struct record *ret,
		struct agent_err *e);
/* Rewrite the locked record from r->rec. */
int record_write(struct record *r, struct agent_err *e);
/* Unlock and free; takes a RECORD_INIT or released record. */
void record_release(struct record *r);

#endif
