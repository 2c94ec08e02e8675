/* testbed_exec.c - one command on one node: connect, run, close. */
#include <stdio.h>

#include "testbed.h"

int testbed_node_run(const struct testbed_node *n, const char *cmd,
		     int connect_ms, int exec_ms, struct ssh_result *res,
		     struct err *e)
{
	struct ssh_conn *c = NULL;
	int ret = -1;

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
