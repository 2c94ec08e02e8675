/* testbed_reset.c - bring nodes back to their golden snapshot.
 *
 * The fast path keeps QEMU running and loads the snapshot through the
 * monitor (stop, loadvm, cont): ~0.1-0.2 s a node under TCG, against
 * ~2.3 s for virDomainRevertToSnapshot, which restarts QEMU. The API is
 * the fallback when QEMU is gone (a crashed or destroyed node) or the
 * fast path fails; destroy + revert is the last resort.
 */
#include "testbed_priv.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "parallel.h"

struct reset_ctx {
	struct testbed *tb;
	const char *const *names;	/* NULL: all */
	int n_names;
	struct reset_report *reports;	/* per testbed node, may be NULL */
};

static int wanted(const struct reset_ctx *ctx, int i)
{
	if (!ctx->names)
		return 1;
	for (int k = 0; k < ctx->n_names; k++)
		if (!strcmp(ctx->names[k], ctx->tb->nodes[i].name))
			return 1;
	return 0;
}

static int loadvm(virDomainPtr dom, struct err *e)
{
	if (testbed_hmp(dom, "stop", 1, NULL, e) < 0 ||
	    testbed_hmp(dom, "loadvm " SNAPSHOT_NAME, 1, NULL, e) < 0 ||
	    testbed_hmp(dom, "cont", 1, NULL, e) < 0)
		return -1;
	return 0;
}

static int revert(virDomainPtr dom, struct err *e)
{
	virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, SNAPSHOT_NAME, 0);
	int r;

	const char *why;

	if (!snap) {
		why = testbed_virt_error();	/* before virDomainGetName */
		return err_set(e, "no snapshot '%s' on '%s': %s", SNAPSHOT_NAME,
			       virDomainGetName(dom), why);
	}
	r = virDomainRevertToSnapshot(snap, VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING);
	if (r < 0) {
		why = testbed_virt_error();
		err_set(e, "cannot revert '%s' to snapshot '%s': %s",
			virDomainGetName(dom), SNAPSHOT_NAME, why);
	}
	virDomainSnapshotFree(snap);
	return r < 0 ? -1 : 0;
}

/* Try the paths in order; returns the one that worked or -1. */
static int revert_node(virDomainPtr dom, int forced, struct err *e)
{
	int state = VIR_DOMAIN_NOSTATE, reason;

	if (forced == RESET_LOADVM)
		return loadvm(dom, e) == 0 ? RESET_LOADVM : -1;
	if (forced == RESET_REVERT)
		return revert(dom, e) == 0 ? RESET_REVERT : -1;
	if (forced == RESET_DESTROY_REVERT) {
		virDomainDestroy(dom);
		return revert(dom, e) == 0 ? RESET_DESTROY_REVERT : -1;
	}
	virDomainGetState(dom, &state, &reason, 0);
	if ((state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED) &&
	    loadvm(dom, e) == 0)
		return RESET_LOADVM;
	if (revert(dom, e) == 0)
		return RESET_REVERT;
	if (virDomainIsActive(dom) == 1)
		virDomainDestroy(dom);
	if (revert(dom, e) == 0)
		return RESET_DESTROY_REVERT;
	return -1;
}

/* How long a restored guest's control loop may take to answer before the
 * reset falls back to SSH: it answers in milliseconds when it runs. */
#define RESET_CHANNEL_TIMEOUT_MS 1500

/* Fresh entropy for the guest: every revert replays the same pool. */
static void random_bytes(unsigned char *out, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, out, n) != (ssize_t)n)
		memset(out, 0, n);
	if (fd >= 0)
		close(fd);
}

/* The guest clock resumes at snapshot time: re-read the RTC, which
 * follows the host clock. The fallback when the control channel does not
 * answer: costs an SSH handshake to a guest that has just resumed. */
static int resync_over_ssh(struct testbed_node *n, const unsigned char *seed,
			   size_t n_seed, int timeout_ms, struct err *e)
{
	struct ssh_conn *c = NULL;
	struct ssh_result r;
	int ret = -1;

	ssh_result_init(&r);
	if (ssh_wait(&n->ssh, timeout_ms, &c, e) < 0)
		goto cleanup;
	if (ssh_exec(c, "hwclock -s -u && cat > /dev/urandom", seed, n_seed,
		     5000, &r, e) < 0)
		goto cleanup;
	if (r.status != 0) {
		buf_rtrim(&r.errout);
		err_set(e, "cannot set the clock of '%s': exit status %d: %s",
			n->name, r.status, r.errout.data);
		goto cleanup;
	}
	ret = 0;
cleanup:
	ssh_result_release(&r);
	ssh_close(c);
	return ret;
}

/* Clock and entropy through the control channel; else over SSH, saying
 * why in the report. */
static int resync_guest(struct testbed_node *n, int timeout_ms, int force_ssh,
			struct reset_report *rep, struct err *e)
{
	unsigned char seed[64];
	struct ctlchan_sync sync;
	struct err ce = { "" };

	random_bytes(seed, sizeof(seed));
	if (n->ctl.path && !force_ssh &&
	    ctlchan_sync(&n->ctl, RESET_CHANNEL_TIMEOUT_MS, seed, sizeof(seed),
			 &sync, &ce) == 0) {
		rep->by_channel = 1;
		rep->clock_offset_us = sync.offset_us;
		return 0;
	}
	snprintf(rep->fallback, sizeof(rep->fallback), "%s",
		 force_ssh ? "--sync ssh"
		 : n->ctl.path ? ce.msg : "no control channel (a user's domain)");
	return resync_over_ssh(n, seed, sizeof(seed), timeout_ms, e);
}

static int reset_one(void *arg, int i, struct err *e)
{
	struct reset_ctx *ctx = arg;
	struct testbed *tb = ctx->tb;
	struct testbed_node *n = &tb->nodes[i];
	int timeout = tb->cfg->testbed.ready_timeout_s * 1000;
	int64_t t0 = clock_mono_ms(), t1;
	struct reset_report rep = { 0 };
	virDomainPtr dom;
	int path;

	if (!wanted(ctx, i))
		return 0;
	dom = testbed_lookup(tb, n, e);
	if (!dom)
		return -1;
	/* connected before the restore, QEMU tells the restored guest at
	 * once that its host end is there */
	if (n->ctl.path)
		ctlchan_connect(&n->ctl, NULL);
	sshcache_drop(n->cache);	/* its session does not survive */
	path = revert_node(dom, tb->forced_path, e);
	virDomainFree(dom);
	if (path < 0)
		return -1;
	if (path != RESET_LOADVM)
		ctlchan_disconnect(&n->ctl);	/* a new QEMU, a new socket */
	t1 = clock_mono_ms();
	if (resync_guest(n, timeout, tb->force_ssh_sync, &rep, e) < 0)
		return -1;
	rep.path = (enum reset_path)path;
	rep.revert_ms = t1 - t0;
	rep.ready_ms = clock_mono_ms() - t0;
	if (ctx->reports)
		ctx->reports[i] = rep;
	return 0;
}

void testbed_warm_ssh(struct testbed *tb, int on)
{
	tb->warm_ssh = on;
}

int testbed_reset(struct testbed *tb, const char *const *names, int n_names,
		  struct reset_report *reports, struct err *e)
{
	struct reset_ctx ctx = { tb, names, n_names, reports };

	if (!tb->up)
		return err_set(e, "testbed '%s' is not up; run 'campaign testbed up' "
			       "first", tb->prefix);
	for (int k = 0; names && k < n_names; k++)
		if (testbed_node_index(tb, names[k]) < 0)
			return err_set(e, "no node '%s' in testbed '%s'", names[k],
				       tb->prefix);
	if (parallel_for_err(tb->n_nodes, reset_one, &ctx, e) < 0)
		return -1;
	/* after every node's reset, not during the others': a handshake is
	 * CPU work for the guest's emulator, which the others' syncs share */
	for (int i = 0; tb->warm_ssh && i < tb->n_nodes; i++)
		if (wanted(&ctx, i))
			sshcache_warm(tb->nodes[i].cache);
	return 0;
}
