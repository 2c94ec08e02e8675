/* fleet.c - the testbeds of one campaign run. */
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "log.h"
#include "paths.h"
#include "testbed_names.h"

#define FLEET_PORT_STEP 100

static long long mem_available_mib(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	long long kib = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

static int node_mib(const struct config_testbed *ct, int i)
{
	return ct->nodes[i].memory_mib ? ct->nodes[i].memory_mib
	       : ct->memory_mib ? ct->memory_mib : 256;
}

int fleet_check(const struct config *cfg, const char *config_path, int n,
		struct err *e)
{
	const struct config_testbed *ct = &cfg->testbed;
	long long need = 0, have = mem_available_mib();
	int base = ct->ssh_port_base ? ct->ssh_port_base : 1024;

	(void)config_path;
	for (int i = 0; i < ct->n_nodes; i++)
		need += node_mib(ct, i);
	/* QEMU takes about 70 MiB beyond the guest's memory under TCG */
	need = (need + 70LL * ct->n_nodes) * n;
	if (have > 0 && need > have)
		return err_set(e, "--testbeds %d needs about %lld MiB for %d VMs, and this "
			       "host has %lld MiB available", n, need, n * ct->n_nodes, have);
	if (base + FLEET_PORT_STEP * (n - 1) + 16 * 4 + ct->n_nodes > 65535)
		return err_set(e, "--testbeds %d: ports from %d would run past 65535; set "
			       "testbed.ssh_port_base lower", n, base);
	return 0;
}

/* Copy k (from 1) of the config: its own prefix and ports. */
static int copy_config(const char *path, const struct config *cfg0, int k,
		       struct config **ret, struct err *e)
{
	struct config *c;
	int base;

	if (load_campaign_config(path, &c, e) < 0)
		return -1;
	c->seed = cfg0->seed;
	base = cfg0->testbed.ssh_port_base ? cfg0->testbed.ssh_port_base
					    : names_port_base(cfg0->testbed.prefix);
	free(c->testbed.prefix);
	c->testbed.prefix = xasprintf("%s-t%d", cfg0->testbed.prefix, k + 1);
	c->testbed.ssh_port_base = base + FLEET_PORT_STEP * k;
	*ret = c;
	return 0;
}

static int bring_up(struct fleet *f, int k, const char *out, struct err *e)
{
	struct testbed *tb = f->tbs[k];

	if (!testbed_is_up(tb)) {
		log_info("bringing up testbed '%s' (%d nodes)", testbed_prefix(tb),
			 testbed_n_nodes(tb));
		/* the mark first: a kill during up still leaves it to clean */
		if (paths_mkdirs(out, 0755, e) < 0 ||
		    paths_write_atomic(f->owner[k], testbed_prefix(tb), e) < 0 ||
		    testbed_up(tb, e) < 0)
			return -1;
		f->brought_up[k] = 1;
	} else if (access(f->owner[k], F_OK) == 0) {
		/* brought up by this campaign before a crash: ours to take down */
		log_info("adopting testbed '%s' that this campaign brought up",
			 testbed_prefix(tb));
		f->brought_up[k] = 1;
	}
	return 0;
}

int fleet_open(struct fleet *f, struct config *cfg, const char *config_path,
	       int n, const char *out, struct err *e)
{
	memset(f, 0, sizeof(*f));
	f->n = n;
	f->cfgs = xcalloc((size_t)n, sizeof(*f->cfgs));
	f->tbs = xcalloc((size_t)n, sizeof(*f->tbs));
	f->hs = xcalloc((size_t)n, sizeof(*f->hs));
	f->brought_up = xcalloc((size_t)n, sizeof(int));
	f->owner = xcalloc((size_t)n, sizeof(char *));
	for (int k = 0; k < n; k++) {
		f->cfgs[k] = cfg;
		if (k > 0 && copy_config(config_path, cfg, k, &f->cfgs[k], e) < 0)
			goto fail;
		f->owner[k] = k ? xasprintf("%s/testbed-owner.%d", out, k + 1)
				: xasprintf("%s/testbed-owner", out);
		if (testbed_open(f->cfgs[k], &f->tbs[k], e) < 0)
			goto fail;
		if (k == 0)
			log_info("acceleration: %s", testbed_accel_reason(f->tbs[0]));
		if (bring_up(f, k, out, e) < 0 ||
		    harness_real_new(f->cfgs[k], f->tbs[k], &f->hs[k], e) < 0)
			goto fail;
	}
	return 0;
fail:
	fleet_close(f, 0, 0);
	return -1;
}

void fleet_close(struct fleet *f, int keep, int stopped_early)
{
	for (int k = 0; k < f->n; k++) {
		struct testbed *tb = f->tbs[k];
		struct err de = { "" };

		if (tb && f->brought_up[k] && !keep) {
			if (testbed_down(tb, &de) < 0)
				log_warn("%s", de.msg);
			else
				unlink(f->owner[k]);
		} else if (tb && testbed_is_up(tb) && stopped_early) {
			testbed_reset(tb, NULL, 0, NULL, NULL);
		}
		harness_real_free(f->hs[k]);
		testbed_free(tb);
		if (k > 0)
			config_free(f->cfgs[k]);
		free(f->owner[k]);
	}
	free(f->cfgs);
	free(f->tbs);
	free(f->hs);
	free(f->brought_up);
	free(f->owner);
	memset(f, 0, sizeof(*f));
}
