/* harness_real.c - the harness over a real testbed: libvirt through
 * testbed, SSH through ssh, faults through their table, probes through
 * the prober, the workload as a local process group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "harness.h"
#include "parallel.h"
#include "proc.h"

struct real {
	struct testbed *tb;
	struct prober *prober;
	pid_t workload;
};

static struct real *R(struct harness *h) { return h->priv; }

static int real_reset(struct harness *h, const char *const *names, int n,
		      struct reset_report *rep, struct err *e)
{
	return testbed_reset(R(h)->tb, names, n, rep, e);
}

static int real_boot_node(struct harness *h, int node, struct err *e)
{
	sshcache_drop(h->nodes[node].cache);
	return testbed_boot_node(R(h)->tb, h->nodes[node].name, e);
}

static int real_exec(struct harness *h, int node, const char *cmd,
		     int timeout_ms, struct buf *out, struct err *e)
{
	return testbed_node_exec(&h->nodes[node], cmd, timeout_ms, out, e);
}

static int real_alive(struct harness *h, int node, int timeout_ms,
		      struct err *e)
{
	return testbed_node_alive(R(h)->tb, node, timeout_ms, e);
}

static int real_domain_state(struct harness *h, int node, char **ret_state,
			     struct err *e)
{
	return testbed_domain_state(R(h)->tb, h->nodes[node].name, ret_state, e);
}

static int real_fault_apply(struct harness *h, const struct fault_type *ft,
			    int node, const struct plan_fault *pf,
			    struct fault_applied *ret, struct err *e)
{
	struct fault_env env = { R(h)->tb, &h->nodes[node], pf };

	if (ft->side == FAULT_HYPERVISOR)	/* the guest changes under it */
		sshcache_drop(h->nodes[node].cache);
	return ft->apply(&env, ret, e);
}

static int real_fault_revert(struct harness *h, const struct fault_type *ft,
			     int node, const struct plan_fault *pf,
			     struct fault_applied *a, json_t **ret_evidence,
			     struct err *e)
{
	struct fault_env env = { R(h)->tb, &h->nodes[node], pf };

	if (!ft->revert)
		return 0;
	return ft->revert(&env, a, ret_evidence, e);
}

static int real_workload_start(struct harness *h, const char *cmd,
			       const char *log_path, struct err *e)
{
	int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	pid_t pid;

	if (fd < 0)
		return err_errno(e, errno, "cannot create the workload log '%s'", log_path);
	pid = fork();
	if (pid == 0) {
		setsid();
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		return err_errno(e, errno, "cannot start the workload");
	R(h)->workload = pid;
	return 0;
}

/* 1 when pid has exited (reaped into *status) within ms. */
static int wait_exit(pid_t pid, int64_t ms, int *status)
{
	int64_t deadline = deadline_in_ms(ms);

	do {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno == ECHILD))
			return 1;
		clock_sleep_ms(20);
	} while (!deadline_passed(deadline));
	return 0;
}

static int real_workload_stop(struct harness *h, const char *stop_cmd,
			      int64_t timeout_ms, int *ret_status)
{
	pid_t pid = R(h)->workload;
	int status = 0;

	if (pid <= 0)
		return 1;
	if (stop_cmd)
		proc_run((char *[]){ "/bin/sh", "-c", (char *)stop_cmd, NULL }, NULL,
			 (int)timeout_ms, NULL);
	else
		kill(-pid, SIGTERM);
	if (!wait_exit(pid, timeout_ms, &status)) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	R(h)->workload = 0;
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

static int real_probes_check(struct harness *h, const struct probe_target *t,
			     int n, char *why, size_t why_size)
{
	return probes_check_all(h->cfg, t, n, why, why_size);
}

static int real_probes_start(struct harness *h, const struct probe_target *t,
			     int n, int64_t t0_ms, struct err *e)
{
	prober_free(R(h)->prober);
	R(h)->prober = NULL;
	return prober_start(h->cfg, t, n, t0_ms, &R(h)->prober, e);
}

static void real_probes_drop_node(struct harness *h, int node)
{
	if (R(h)->prober)
		prober_drop_node(R(h)->prober, node);
}

static void real_probes_stop(struct harness *h)
{
	if (R(h)->prober)
		prober_stop(R(h)->prober);
}

static const struct probe_sample *real_probes_samples(struct harness *h, int *n)
{
	*n = 0;
	return R(h)->prober ? prober_samples(R(h)->prober, n) : NULL;
}

static const struct probe_transition *real_probes_transitions(struct harness *h,
							     int *n)
{
	*n = 0;
	return R(h)->prober ? prober_transitions(R(h)->prober, n) : NULL;
}

static json_t *real_probes_json(struct harness *h, int max_samples)
{
	const char **names = xcalloc((size_t)h->n_nodes + 1, sizeof(char *));
	json_t *j;

	for (int i = 0; i < h->n_nodes; i++)
		names[i] = h->nodes[i].name;
	j = R(h)->prober ? prober_to_json(R(h)->prober, max_samples, names) : NULL;
	free(names);
	return j;
}

static void real_probes_free(struct harness *h)
{
	prober_free(R(h)->prober);
	R(h)->prober = NULL;
}

/* ---- health and repair ---- */

struct health_ctx {
	struct harness *h;
	int *bad;
	struct err *errs;
};

static int health_one(void *arg, int i)
{
	struct health_ctx *c = arg;
	char *state = NULL;
	int ok = testbed_domain_state(R(c->h)->tb, c->h->nodes[i].name, &state,
				      &c->errs[i]) == 0;

	if (ok && strcmp(state, "running")) {
		err_set(&c->errs[i], "'%s' is %s", c->h->nodes[i].name, state);
		ok = 0;
	}
	if (ok)
		ok = testbed_has_golden(R(c->h)->tb, c->h->nodes[i].name, &c->errs[i]) == 0;
	if (ok)
		ok = testbed_node_exec(&c->h->nodes[i], "campaign-agent ping", 10000,
				       NULL, &c->errs[i]) == 0;
	free(state);
	c->bad[i] = !ok;
	return !ok;
}

/* libvirtd restarted (by hand, by a package upgrade) takes a few seconds
 * to answer again: wait that long before calling the testbed broken. */
#define RECONNECT_WAIT_MS 60000

static int reconnect(struct testbed *tb, struct err *e)
{
	int64_t deadline = deadline_in_ms(RECONNECT_WAIT_MS);

	while (testbed_reconnect(tb, e) < 0) {
		if (deadline_passed(deadline))
			return err_prefix(e, "no hypervisor for %d s", RECONNECT_WAIT_MS / 1000);
		clock_sleep_ms(1000);
	}
	e->msg[0] = '\0';
	return 0;
}

static int real_health(struct harness *h, int *bad, struct err *e)
{
	struct health_ctx c = { h, bad, xcalloc((size_t)h->n_nodes + 1, sizeof(struct err)) };
	int failed;

	if (reconnect(R(h)->tb, e) < 0) {
		for (int i = 0; i < h->n_nodes; i++)
			bad[i] = 1;
		free(c.errs);
		return -1;
	}
	failed = parallel_for(h->n_nodes, health_one, &c);
	for (int i = 0; failed && i < h->n_nodes; i++)
		if (bad[i]) {
			err_set(e, "%s", c.errs[i].msg);
			break;
		}
	free(c.errs);
	return failed ? -1 : 0;
}

static int real_rebuild(struct harness *h, struct err *e)
{
	struct testbed *tb = R(h)->tb;

	if (reconnect(tb, e) < 0)
		return -1;
	testbed_down(tb, NULL);
	return testbed_up(tb, e);
}

static int real_rebuild_node(struct harness *h, int node, struct err *e)
{
	if (reconnect(R(h)->tb, e) < 0)
		return -1;
	return testbed_rebuild_node(R(h)->tb, h->nodes[node].name, e);
}

static int64_t real_now_ms(struct harness *h)
{
	(void)h;
	return clock_mono_ms();
}

static void real_sleep_ms(struct harness *h, int64_t ms)
{
	(void)h;
	clock_sleep_ms(ms);
}

static const struct harness_ops real_ops = {
	.reset = real_reset,
	.boot_node = real_boot_node,
	.exec = real_exec,
	.domain_state = real_domain_state,
	.alive = real_alive,
	.fault_apply = real_fault_apply,
	.fault_revert = real_fault_revert,
	.workload_start = real_workload_start,
	.workload_stop = real_workload_stop,
	.probes_check = real_probes_check,
	.probes_start = real_probes_start,
	.probes_drop_node = real_probes_drop_node,
	.probes_stop = real_probes_stop,
	.probes_samples = real_probes_samples,
	.probes_transitions = real_probes_transitions,
	.probes_json = real_probes_json,
	.probes_free = real_probes_free,
	.health = real_health,
	.rebuild = real_rebuild,
	.rebuild_node = real_rebuild_node,
	.now_ms = real_now_ms,
	.sleep_ms = real_sleep_ms,
};

int harness_real_new(const struct config *cfg, struct testbed *tb,
		     struct harness **ret, struct err *e)
{
	struct harness *h = xcalloc(1, sizeof(*h));
	struct real *r = xcalloc(1, sizeof(*r));

	(void)e;
	r->tb = tb;
	testbed_warm_ssh(tb, 1);
	h->ops = &real_ops;
	h->cfg = cfg;
	h->n_nodes = testbed_n_nodes(tb);
	h->nodes = testbed_node(tb, 0);
	h->image_hash = testbed_image_hash(tb);
	h->accel = testbed_accel(tb);
	h->priv = r;
	*ret = h;
	return 0;
}

void harness_real_free(struct harness *h)
{
	if (!h)
		return;
	prober_free(R(h)->prober);
	free(h->priv);
	free(h);
}

int harness_node_index(const struct harness *h, const char *name)
{
	for (int i = 0; i < h->n_nodes; i++)
		if (!strcmp(h->nodes[i].name, name))
			return i;
	return -1;
}
