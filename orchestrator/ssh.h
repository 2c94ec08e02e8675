/* ssh.h - SSH to the nodes through libssh2: pinned host keys, deadlines.
 *
 * Only ssh.c includes libssh2.h. Every call has a deadline; a session
 * left open across a snapshot revert hangs silently, so callers close
 * their connections before a reset and reconnect after.
 */
#ifndef CAMPAIGN_SSH_H
#define CAMPAIGN_SSH_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct ssh_target {
	const char *name;	/* node name, for messages */
	const char *host;	/* e.g. "127.0.0.1" */
	int port;
	const char *user;
	const char *key_path;	/* private key file (ed25519, OpenSSH format) */
	const char *host_key;	/* pinned: "ssh-ed25519 AAAA..." (comment ignored);
				 * a mismatch or NULL refuses the connection */
};

struct ssh_conn;

struct ssh_result {
	int status;		/* exit status; 128+N when killed by signal N */
	struct buf out;		/* stdout */
	struct buf errout;	/* stderr */
};

/* Call once before threads start (libssh2_init). */
int ssh_global_init(struct err *e);

/* Connect, check the pinned host key, authenticate, all within
 * timeout_ms. On success *ret is new (ssh_close). */
int ssh_connect(const struct ssh_target *t, int timeout_ms,
		struct ssh_conn **ret, struct err *e);

/* Run cmd through the remote shell; stdin_data (may be NULL) is sent and
 * closed. Fails (and leaves *ret released) on timeout or a broken
 * connection; a non-zero exit status is not a failure. ret must be
 * initialised with ssh_result_init. */
int ssh_exec(struct ssh_conn *c, const char *cmd, const void *stdin_data,
	     size_t stdin_len, int timeout_ms, struct ssh_result *ret,
	     struct err *e);

void ssh_result_init(struct ssh_result *r);
void ssh_result_release(struct ssh_result *r);

/* Write data to remote_path (atomically: temporary file then rename) with
 * the given mode. */
int ssh_upload(struct ssh_conn *c, const void *data, size_t len,
	       const char *remote_path, int mode, int timeout_ms,
	       struct err *e);

/* Connect and retry until the node answers or timeout_ms passes: for
 * waiting on a booting or freshly reverted node. */
int ssh_wait(const struct ssh_target *t, int timeout_ms,
	     struct ssh_conn **ret, struct err *e);

/* Takes NULL. */
void ssh_close(struct ssh_conn *c);

/* The one quoting function for anything placed on a remote command line:
 * appends s to out as a single POSIX shell word. */
void shell_quote(struct buf *out, const char *s);

#endif
