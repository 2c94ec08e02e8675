/* testbed_exec.c - one command on one node, on the node's kept connection
 * (sshcache.h) or a new one; and whether a node is alive. */
#include <stdio.h>

#include "testbed_priv.h"

/* A running guest's control loop answers in milliseconds; a paused or
 * hung one never does. */
#define ALIVE_CHANNEL_MS 1000

int testbed_node_run(const struct testbed_node *n, const char *cmd,
		     int connect_ms, int exec_ms, struct ssh_result *res,
		     struct err *e)
{
	struct ssh_conn *c = NULL;
	int ret = -1;

	if (n->cache)
		return sshcache_run(n->cache, cmd, connect_ms, exec_ms, res, e);
	if (ssh_connect(&n->ssh, connect_ms, &c, e) == 0 &&
	    ssh_exec(c, cmd, NULL, 0, exec_ms, res, e) == 0)
		ret = 0;
	ssh_close(c);
	return ret;
}

int testbed_node_exec(const struct testbed_node *n, const char *cmd,
		      int timeout_ms, struct buf *out, struct err *e)
{
	struct ssh_result res;
	int ret = -1;

	ssh_result_init(&res);
	if (testbed_node_run(n, cmd, timeout_ms, timeout_ms, &res, e) < 0)
		goto cleanup;
	if (res.status) {
		buf_rtrim(&res.errout);
		err_set(e, "'%s' on '%s' failed with exit status %d: %s", cmd,
			n->name, res.status, res.errout.data);
		goto cleanup;
	}
	if (out)
		buf_add(out, res.out.data, res.out.len);
	ret = 0;
cleanup:
	ssh_result_release(&res);
	return ret;
}

int testbed_node_alive(struct testbed *tb, int i, int timeout_ms,
		       struct err *e)
{
	struct testbed_node *n = &tb->nodes[i];
	struct err ce = { "" };

	if (n->ctl.path && ctlchan_ping(&n->ctl, ALIVE_CHANNEL_MS, NULL, &ce) == 0)
		return 0;
	/* no channel, or its loop is down (an OOM kill it will be
	 * respawned from): the node may still be alive */
	return testbed_node_exec(n, "true", timeout_ms, NULL, e);
}
