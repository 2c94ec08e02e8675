/* testbed_down.c - remove what `up` created, and nothing else. */
#include "testbed_priv.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "paths.h"
#include "testbed_xml.h"

/* A domain is ours when its name carries the prefix and its metadata
 * names this testbed: a user's domain with a similar name is left alone. */
static int is_ours(virDomainPtr dom, const char *prefix)
{
	const char *name = virDomainGetName(dom);
	size_t len = strlen(prefix);
	char *meta, *want;
	int ours;

	if (strncmp(name, prefix, len) || name[len] != '-')
		return 0;
	meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
				    TESTBED_XML_NS, 0);
	if (!meta)
		return 0;
	want = xasprintf("prefix=\"%s\"", prefix);
	ours = strstr(meta, want) != NULL;
	free(want);
	free(meta);
	return ours;
}

static int remove_domains(struct testbed *tb, struct err *e)
{
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(tb->conn, &doms, 0), failed = 0;

	if (n < 0)
		return err_set(e, "cannot list domains: %s", testbed_virt_error());
	for (int i = 0; i < n; i++) {
		if (is_ours(doms[i], tb->prefix)) {
			if (virDomainIsActive(doms[i]) == 1)
				virDomainDestroy(doms[i]);
			if (virDomainUndefineFlags(doms[i],
					VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
					VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) < 0 && !failed++) {
				const char *why = testbed_virt_error();

				err_set(e, "cannot undefine domain '%s': %s",
					virDomainGetName(doms[i]), why);
			}
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	return failed ? -1 : 0;
}

/* Existing domains keep running; only our snapshot goes. */
static void remove_existing_snapshots(struct testbed *tb)
{
	char *desc = xasprintf("campaign testbed %s", tb->prefix);

	for (int i = 0; i < tb->n_nodes; i++) {
		virDomainPtr dom;
		virDomainSnapshotPtr snap;
		char *xml;

		if (!tb->nodes[i].existing)
			continue;
		dom = virDomainLookupByName(tb->conn, tb->nodes[i].domain);
		snap = dom ? virDomainSnapshotLookupByName(dom, SNAPSHOT_NAME, 0) : NULL;
		xml = snap ? virDomainSnapshotGetXMLDesc(snap, 0) : NULL;
		if (xml && strstr(xml, desc))
			virDomainSnapshotDelete(snap, 0);
		free(xml);
		if (snap)
			virDomainSnapshotFree(snap);
		if (dom)
			virDomainFree(dom);
	}
	free(desc);
}

/* Kill the switch only if the pid still runs a vde_switch on our socket. */
static void stop_switch(struct testbed *tb)
{
	char *pidfile = xasprintf("%s/vde.pid", tb->dir), *procpath;
	char cmdline[4096] = "";
	FILE *f = fopen(pidfile, "re");
	size_t n;
	int pid = 0;

	free(pidfile);
	if (!f)
		return;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return;
	procpath = xasprintf("/proc/%d/cmdline", pid);
	f = fopen(procpath, "re");
	free(procpath);
	if (!f)
		return;
	n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!cmdline[i])
			cmdline[i] = ' ';
	if (strstr(cmdline, "vde_switch") && strstr(cmdline, tb->vde_dir))
		kill(pid, SIGTERM);
}

int testbed_down(struct testbed *tb, struct err *e)
{
	int ret = 0;

	if (remove_domains(tb, e) < 0)
		ret = -1;
	remove_existing_snapshots(tb);
	stop_switch(tb);
	if (paths_remove_tree(tb->dir, ret < 0 ? NULL : e) < 0)
		ret = -1;
	if (ret == 0)
		tb->up = 0;
	return ret;
}
