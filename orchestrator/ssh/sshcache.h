/* sshcache.h - one idle SSH connection per node, kept between commands
 * and opened ahead of need.
 *
 * A handshake with a guest that has just resumed costs 0.3-0.5 s under
 * TCG; the run's first command on a node (an agent fault) should not pay
 * it. After a reset the testbed warms each node's cache in the background
 * (sshcache_warm); sshcache_run takes the idle connection (waiting for a
 * warm-up under way rather than starting a second handshake), runs the
 * command and puts the connection back. Whatever changes the guest under
 * the connection (a snapshot restore, a pause, a power cut) drops it first
 * (sshcache_drop): the socket is shut at once, never waited on.
 *
 * A command that fails on a reused connection before it was sent (the
 * channel did not open: the guest's sshd lost the session) is tried once
 * more on a fresh connection; one that may have started is never run
 * twice.
 *
 * Threads: every call may come from any thread.
 */
#ifndef CAMPAIGN_SSHCACHE_H
#define CAMPAIGN_SSHCACHE_H

#include "err.h"
#include "ssh.h"

/* The warm-up's connect timeout. */
#define SSHCACHE_WARM_MS 10000

struct sshcache;

/* t is borrowed and must outlive the cache. */
struct sshcache *sshcache_new(const struct ssh_target *t);
/* Waits for a warm-up under way (at most its connect timeout). Takes
 * NULL. */
void sshcache_free(struct sshcache *c);

/* Connect in the background unless a connection is idle or one is being
 * made. */
void sshcache_warm(struct sshcache *c);
/* Forget the idle connection (shut, not waited on) and whatever a warm-up
 * under way brings. */
void sshcache_drop(struct sshcache *c);

/* ssh_connect (connect_ms) + ssh_exec (exec_ms) through the cache:
 * same results and errors. */
int sshcache_run(struct sshcache *c, const char *cmd, int connect_ms,
		 int exec_ms, struct ssh_result *res, struct err *e);

/* Counters, for tests and benchmarks: commands run on a kept connection,
 * handshakes made (warm-ups included), commands tried again. */
struct sshcache_stats {
	long reused, connects, retried;
};
void sshcache_stats(struct sshcache *c, struct sshcache_stats *ret);

#endif
