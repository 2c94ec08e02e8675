/* testbed_bootstrap.c - prepare the SUT on every node before the golden
 * snapshot: upload files, run commands, wait for readiness. */
#include "testbed_priv.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "nodevars.h"
#include "parallel.h"
#include "template.h"

struct boot_ctx {
	struct testbed *tb;
	struct err *errs;
};

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

static int read_file(const char *path, struct buf *out, struct err *e)
{
	FILE *f = fopen(path, "rbe");
	char chunk[65536];
	size_t n;

	if (!f)
		return err_errno(e, errno, "cannot read '%s'", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
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
	if (read_file(local, &data, e) < 0)
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

static int bootstrap_node(void *arg, int i)
{
	struct boot_ctx *ctx = arg;
	struct testbed *tb = ctx->tb;
	struct testbed_node *n = &tb->nodes[i];
	struct lookup_ctx l = { tb, i, BUF_INIT };
	struct ssh_conn *c = NULL;
	struct err *e = &ctx->errs[i];
	int ret = -1;

	if (ssh_connect(&n->ssh, 30000, &c, e) < 0)
		goto out;
	for (int k = 0; k < tb->cfg->testbed.n_bootstrap; k++) {
		const struct config_step *st = &tb->cfg->testbed.bootstrap[k];
		int r;

		if (!selected(st, n->name))
			continue;
		r = st->kind == CONFIG_STEP_UPLOAD ? upload(tb, c, st, &l, e)
						   : run(c, st, &l, n->name, e);
		if (r < 0) {
			err_prefix(e, "testbed.bootstrap[%d]", k);
			goto out;
		}
	}
	ret = 0;
out:
	ssh_close(c);
	buf_release(&l.value);
	return ret;
}

int testbed_bootstrap(struct testbed *tb, struct err *e)
{
	struct boot_ctx ctx = { tb, xcalloc((size_t)tb->n_nodes, sizeof(struct err)) };
	int ret = 0;

	if (tb->cfg->testbed.n_bootstrap &&
	    parallel_for(tb->n_nodes, bootstrap_node, &ctx)) {
		for (int i = 0; i < tb->n_nodes; i++)
			if (ctx.errs[i].msg[0]) {
				err_set(e, "%s", ctx.errs[i].msg);
				break;
			}
		ret = -1;
	}
	free(ctx.errs);
	return ret;
}
