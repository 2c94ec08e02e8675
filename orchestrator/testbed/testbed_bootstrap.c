/* testbed_bootstrap.c - prepare the SUT on every node before the golden
 * snapshot (bootstrap), and again on a node booted cold from its own disk
 * (on_boot): upload files, run commands, wait for readiness. */
#include "testbed_priv.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "nodevars.h"
#include "parallel.h"
#include "paths.h"
#include "template.h"

/* An upload is held in memory while it is sent. */
#define UPLOAD_MAX_BYTES ((size_t)1 << 30)

struct lookup_ctx {
	struct testbed *tb;
	int node;
	struct buf value;
};

static const char *lookup(void *arg, const char *name)
{
	struct lookup_ctx *l = arg;

	buf_reset(&l->value);
	return nodevars_lookup(l->tb, l->node, name, &l->value) < 0 ? NULL
								    : l->value.data;
}

static int selected(const struct config_step *st, const char *node)
{
	for (int i = 0; i < st->nodes->n_names; i++)
		if (!strcmp(st->nodes->names[i], node))
			return 1;
	return 0;
}

/* Relative upload paths are relative to the config file. */
static char *local_path(struct testbed *tb, const char *expanded)
{
	char *dir, *copy;
	char *p;

	if (expanded[0] == '/')
		return xstrdup(expanded);
	copy = xstrdup(tb->cfg->path);
	dir = dirname(copy);
	p = xasprintf("%s/%s", dir, expanded);
	free(copy);
	return p;
}

static int upload(struct testbed *tb, struct ssh_conn *c, const struct config_step *st,
		  struct lookup_ctx *l, struct err *e)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	char *local = NULL;
	int ret = -1;

	if (template_expand(st->what, lookup, l, 0, &path, e) < 0)
		goto out;
	local = local_path(tb, path.data);
	if (paths_read_file(local, "file to upload", UPLOAD_MAX_BYTES, &data, e) < 0)
		goto out;
	ret = ssh_upload(c, data.data, data.len, st->to, st->mode,
			 st->timeout_s * 1000, e);
out:
	free(local);
	buf_release(&data);
	buf_release(&path);
	return ret;
}

static int run(struct ssh_conn *c, const struct config_step *st,
	       struct lookup_ctx *l, const char *node, struct err *e)
{
	struct buf cmd = BUF_INIT;
	struct ssh_result r;
	int64_t deadline = deadline_in_ms((int64_t)st->timeout_s * 1000);
	int ret = -1;

	ssh_result_init(&r);
	if (template_expand(st->what, lookup, l, 1, &cmd, e) < 0)
		goto out;
	for (;;) {
		ssh_result_release(&r);
		ssh_result_init(&r);
		if (ssh_exec(c, cmd.data, NULL, 0, (int)deadline_left_ms(deadline) + 1,
			     &r, e) < 0)
			goto out;
		if (r.status == 0) {
			ret = 0;
			goto out;
		}
		if (st->kind != CONFIG_STEP_WAIT || deadline_passed(deadline))
			break;
		clock_sleep_ms(300);
	}
	buf_rtrim(&r.errout);
	err_set(e, "bootstrap step '%s' on '%s' %s with exit status %d: %s", cmd.data,
		node, st->kind == CONFIG_STEP_WAIT ? "did not succeed in time, last"
						   : "failed", r.status, r.errout.data);
out:
	ssh_result_release(&r);
	buf_release(&cmd);
	return ret;
}

/* Run the steps selected for node i over c; errors name "what[k]". */
static int run_steps(struct testbed *tb, int i, struct ssh_conn *c,
		     const struct config_step *steps, int n_steps,
		     const char *what, struct err *e)
{
	struct testbed_node *n = &tb->nodes[i];
	struct lookup_ctx l = { tb, i, BUF_INIT };
	int ret = 0;

	for (int k = 0; k < n_steps && ret == 0; k++) {
		const struct config_step *st = &steps[k];

		if (!selected(st, n->name))
			continue;
		ret = st->kind == CONFIG_STEP_UPLOAD ? upload(tb, c, st, &l, e)
						     : run(c, st, &l, n->name, e);
		if (ret < 0)
			err_prefix(e, "%s[%d]", what, k);
	}
	buf_release(&l.value);
	return ret;
}

static int bootstrap_node(void *tb, int i, struct err *e)
{
	return testbed_bootstrap_node(tb, i, e);
}

int testbed_boot_node(struct testbed *tb, const char *name, struct err *e)
{
	int i = testbed_node_index(tb, name), state = 0, ret = -1;
	int timeout = tb->cfg->testbed.boot_timeout_s * 1000;
	struct ssh_conn *c = NULL;
	virDomainPtr dom;

	if (i < 0)
		return err_set(e, "no node '%s' in testbed '%s'", name, tb->prefix);
	dom = testbed_lookup(tb, &tb->nodes[i], e);
	if (!dom)
		return -1;
	if (virDomainGetState(dom, &state, NULL, 0) < 0) {
		err_set(e, "cannot read the state of '%s': %s", name, testbed_virt_error());
		goto out;
	}
	if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED) {
		/* a hard reset: memory is lost, the disk stays as it is */
		if (testbed_hmp(dom, "system_reset", 1, NULL, e) < 0)
			goto out;
		if (state == VIR_DOMAIN_PAUSED && virDomainResume(dom) < 0) {
			err_set(e, "cannot resume '%s': %s", name, testbed_virt_error());
			goto out;
		}
	} else if (virDomainCreate(dom) < 0) {
		err_set(e, "cannot boot '%s' again: %s", name, testbed_virt_error());
		goto out;
	}
	if (ssh_wait(&tb->nodes[i].ssh, timeout, &c, e) < 0) {
		err_prefix(e, "'%s' booted from its disk", name);
		goto out;
	}
	ret = run_steps(tb, i, c, tb->cfg->testbed.on_boot,
			tb->cfg->testbed.n_on_boot, "testbed.on_boot", e) < 0
	      ? TESTBED_ON_BOOT_FAILED : 0;
out:
	ssh_close(c);
	virDomainFree(dom);
	return ret;
}

int testbed_bootstrap_node(struct testbed *tb, int i, struct err *e)
{
	struct ssh_conn *c = NULL;
	int ret = -1;

	if (ssh_connect(&tb->nodes[i].ssh, 30000, &c, e) == 0)
		ret = run_steps(tb, i, c, tb->cfg->testbed.bootstrap,
				tb->cfg->testbed.n_bootstrap, "testbed.bootstrap", e);
	ssh_close(c);
	return ret;
}

int testbed_bootstrap(struct testbed *tb, struct err *e)
{
	if (!tb->cfg->testbed.n_bootstrap)
		return 0;
	return parallel_for_err(tb->n_nodes, bootstrap_node, tb, e);
}
