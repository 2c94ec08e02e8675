/* ssh.h - SSH to the nodes through libssh2: pinned host keys, deadlines.
 *
 * Only ssh.c includes libssh2.h. Every call has a deadline; a session
 * left open across a snapshot revert hangs silently, so callers close
 * their connections before a reset and reconnect after.
 *
 * Threads: different connections may be used from different threads at
 * the same time; one connection is used by one thread at a time.
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

/* Each of stdout and stderr of a command is captured up to this size;
 * more fails the command. */
#define SSH_OUTPUT_MAX		(16 << 20)
/* ssh_wait: first per-attempt timeout (doubled after a timeout, up to
 * the maximum) and the pause between attempts. */
#define SSH_WAIT_ATTEMPT_MS	1000
#define SSH_WAIT_ATTEMPT_MAX_MS	4000
#define SSH_WAIT_PAUSE_MS	100
/* ssh_close: how long a polite disconnect may take. */
#define SSH_CLOSE_MS		200

struct ssh_result {
	int status;		/* exit status; 128+N when killed by signal N;
				 * -1 until a command has finished */
	struct buf out;		/* stdout */
	struct buf errout;	/* stderr */
};

/* libssh2_init, once; safe to call from any thread, any number of times
 * (ssh_connect calls it too). */
int ssh_global_init(struct err *e);

/* Connect, check the pinned host key (type and bytes must match exactly;
 * the server is asked for a key of the pinned type), authenticate with
 * the private key file, all within timeout_ms. On success *ret is new
 * (ssh_close); on failure *ret is untouched. */
int ssh_connect(const struct ssh_target *t, int timeout_ms,
		struct ssh_conn **ret, struct err *e);

/* Run cmd through the remote shell; stdin_data (may be NULL) is sent and
 * closed. Fails (and leaves *ret released) on timeout or a broken
 * connection; a non-zero exit status is not a failure. ret must be
 * initialised with ssh_result_init. Any failure (timeout, lost
 * connection, output beyond SSH_OUTPUT_MAX) leaves c broken: later calls
 * fail at once, and the caller should ssh_close and reconnect.
 *
 * The output ends when every remote process holding the command's stdout
 * and stderr has closed them: start daemons with their output redirected
 * (`d >/dev/null 2>&1 &`), or the call waits for its deadline. A command
 * that closes both before reading all of its stdin loses the rest of it.
 * A command that times out is not killed (libssh2 1.10 has no way to
 * signal it): it runs on until it ends or the node is reverted. */
int ssh_exec(struct ssh_conn *c, const char *cmd, const void *stdin_data,
	     size_t stdin_len, int timeout_ms, struct ssh_result *ret,
	     struct err *e);

void ssh_result_init(struct ssh_result *r);
void ssh_result_release(struct ssh_result *r);

/* Write data to remote_path (atomically: temporary file next to it, then
 * rename) with the given mode, through the remote shell and cat, chmod,
 * mv (no scp or sftp needed on the guest). The directory must exist. A
 * non-zero exit status is a failure here, reported with its stderr; the
 * connection stays usable after one. */
int ssh_upload(struct ssh_conn *c, const void *data, size_t len,
	       const char *remote_path, int mode, int timeout_ms,
	       struct err *e);

/* Connect and retry until the node answers or timeout_ms passes: for
 * waiting on a booting or freshly reverted node. Each attempt gets at
 * most SSH_WAIT_ATTEMPT_MS (more after handshake timeouts), so a node
 * whose port accepts before its sshd answers is retried. A host key
 * mismatch or a refused key fails at once. Ownership as ssh_connect. */
int ssh_wait(const struct ssh_target *t, int timeout_ms,
	     struct ssh_conn **ret, struct err *e);

/* Disconnect and free c. Takes NULL. Never waits more than
 * SSH_CLOSE_MS. */
void ssh_close(struct ssh_conn *c);

/* Make a call blocked on c in another thread fail now (shutdown of the
 * socket): for a connection whose guest was just reverted, which would
 * otherwise hang until its deadline. c stays to be closed by its owner.
 * Takes NULL. */
void ssh_abort(struct ssh_conn *c);

/* Non-zero when c's last ssh_exec got as far as sending its command (so
 * that, if it failed, the command may have run); 0 when it failed before
 * (the channel did not open), and running it elsewhere is safe. */
int ssh_exec_sent(const struct ssh_conn *c);

/* Non-zero once c failed in a way that leaves the session unusable. */
int ssh_broken(const struct ssh_conn *c);

/* The one quoting function for anything placed on a remote command line:
 * appends s to out as a single POSIX shell word. */
void shell_quote(struct buf *out, const char *s);

#endif
