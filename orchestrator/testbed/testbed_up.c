/* testbed_up.c - define, boot and snapshot a testbed. */
#include "testbed_priv.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "parallel.h"
#include "paths.h"
#include "proc.h"
#include "testbed_names.h"
#include "testbed_xml.h"

/* The static agent is a few MiB; a file this large is not it. */
#define AGENT_MAX_BYTES ((size_t)256 << 20)

static int port_is_free(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok, one = 1;

	if (fd < 0)
		return 0;
	/* as QEMU's forward does: old connections in TIME_WAIT do not count */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

static int check_ports(struct testbed *tb, struct err *e)
{
	for (int i = 0; i < tb->n_nodes; i++) {
		const struct testbed_node *n = &tb->nodes[i];

		if (n->existing)
			continue;
		for (int k = -1; k < tb->cfg->testbed.n_forwards; k++) {
			int port = k < 0 ? n->ssh_port : n->forward_ports[k];

			if (!port_is_free(port))
				return err_set(e, "port 127.0.0.1:%d for node '%s' is in "
					       "use; set testbed.ssh_port_base to a free "
					       "range", port, n->name);
		}
	}
	return 0;
}

static int any_created(const struct testbed *tb)
{
	for (int i = 0; i < tb->n_nodes; i++)
		if (!tb->nodes[i].existing)
			return 1;
	return 0;
}

static int start_switch(struct testbed *tb, struct err *e)
{
	char *pidfile = xasprintf("%s/vde.pid", tb->dir);
	char *argv[] = { "vde_switch", "--sock", tb->vde_dir, "--mode", "0666",
			 "--dirmode", "0777", "--daemon", "--pidfile", pidfile, NULL };
	int r = proc_run(argv, NULL, 10000, e);

	free(pidfile);
	if (r < 0)
		return err_prefix(e, "cannot start the cluster switch of '%s'",
				  tb->prefix);
	/* the control directory must be reachable by QEMU's user */
	chmod(tb->dir, 0755);
	return 0;
}

static int load_image(struct testbed *tb, struct err *e)
{
	char *cache = image_cache_dir();
	int r = image_build(tb->cfg->testbed.image, cache, 0, &tb->image_dir, e);

	free(cache);
	if (r < 0 || image_load(tb->image_dir, &tb->img, e) < 0)
		return err_prefix(e, "cannot prepare the image of testbed '%s'",
				  tb->prefix);
	return 0;
}

static int node_memory(const struct testbed *tb, int i)
{
	const struct config_testbed *ct = &tb->cfg->testbed;

	if (ct->nodes[i].memory_mib)
		return ct->nodes[i].memory_mib;
	if (ct->memory_mib)
		return ct->memory_mib;
	return tb->img && tb->img->memory_mib ? tb->img->memory_mib : 256;
}

static int create_overlay(struct testbed *tb, const char *path, struct err *e)
{
	char *with_base[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F",
			      "qcow2", "-b", tb->img->disk, (char *)path, NULL };
	/* an initramfs image still needs a qcow2 disk to hold snapshots */
	char *empty[] = { "qemu-img", "create", "-q", "-f", "qcow2",
			  (char *)path, "32M", NULL };

	return proc_run(tb->img->disk ? with_base : empty, NULL, 30000, e);
}

static int define_node(struct testbed *tb, int i, struct err *e)
{
	struct testbed_node *n = &tb->nodes[i];
	char ctl_mac[18], cl_mac[18], ip[16];
	char *disk = xasprintf("%s/%s.qcow2", tb->dir, n->name);
	char *console = xasprintf("%s/%s.console.log", tb->dir, n->name);
	char *cmdline = NULL;
	struct buf xml = BUF_INIT;
	virDomainPtr dom = NULL;
	int len, ret = -1;

	if (create_overlay(tb, disk, e) < 0)
		goto cleanup;
	names_mac(tb->prefix, 0, i, ctl_mac);
	names_mac(tb->prefix, 1, i, cl_mac);
	names_node_ip(tb->cfg->testbed.subnet, i, ip, &len, NULL);
	cmdline = xasprintf("%s campaign.name=%s campaign.ip=%s/%d",
			    tb->img->cmdline, n->name, ip, len);
	struct domain_spec spec = {
		.name = n->domain, .prefix = tb->prefix, .node = n->name,
		.kvm = tb->kvm, .memory_mib = node_memory(tb, i),
		.vcpus = tb->cfg->testbed.vcpus,
		.kernel = tb->img->kernel, .initrd = tb->img->initrd,
		.cmdline = cmdline, .disk = disk, .ssh_port = n->ssh_port,
		.n_forwards = tb->cfg->testbed.n_forwards,
		.forward_host = n->forward_ports,
		.forward_guest = tb->cfg->testbed.forward_ports,
		.ctl_mac = ctl_mac, .cl_mac = cl_mac,
		.vde_sock = tb->cfg->testbed.net == NET_VDE ? tb->vde_dir : NULL,
		.libvirt_network = tb->cfg->testbed.net == NET_LIBVIRT
			? (tb->cfg->testbed.libvirt_network
				   ? tb->cfg->testbed.libvirt_network : "default")
			: NULL,
		.console_log = console,
		.ctl_sock = n->ctl.path,
	};
	testbed_domain_xml(&xml, &spec);
	dom = virDomainDefineXML(tb->conn, xml.data);
	if (!dom) {
		err_set(e, "cannot define domain '%s': %s", n->domain,
			testbed_virt_error());
		goto cleanup;
	}
	if (virDomainCreate(dom) < 0) {
		err_set(e, "cannot start domain '%s': %s", n->domain,
			testbed_virt_error());
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (dom)
		virDomainFree(dom);
	buf_release(&xml);
	free(cmdline);
	free(console);
	free(disk);
	return ret;
}

static int start_existing(struct testbed *tb, int i, struct err *e)
{
	virDomainPtr dom = testbed_lookup(tb, &tb->nodes[i], e);
	int state, reason, r = 0;

	if (!dom)
		return -1;
	if (virDomainGetState(dom, &state, &reason, 0) == 0 &&
	    state == VIR_DOMAIN_PAUSED)
		r = virDomainResume(dom);
	else if (!virDomainIsActive(dom))
		r = virDomainCreate(dom);
	if (r < 0)
		err_set(e, "cannot start domain '%s' of node '%s': %s",
			tb->nodes[i].domain, tb->nodes[i].name, testbed_virt_error());
	virDomainFree(dom);
	return r < 0 ? -1 : 0;
}

static int boot_one(void *arg, int i, struct err *e)
{
	struct testbed *tb = arg;

	if (tb->nodes[i].existing)
		return start_existing(tb, i, e);
	return define_node(tb, i, e);
}


static int install_agent(struct ssh_conn *c, const char *node, struct err *e)
{
	struct ssh_result r;
	struct buf data = BUF_INIT;
	char *path = paths_local_agent();
	int ret = -1;

	ssh_result_init(&r);
	if (ssh_exec(c, "command -v campaign-agent", NULL, 0, 10000, &r, e) < 0)
		goto cleanup;
	if (r.status == 0) {
		ret = 0;
		goto cleanup;
	}
	if (paths_read_file(path, "agent", AGENT_MAX_BYTES, &data, e) < 0) {
		err_prefix(e, "cannot install the agent on '%s'", node);
		goto cleanup;
	}
	ret = ssh_upload(c, data.data, data.len, "/usr/bin/campaign-agent",
			 0755, 60000, e);
cleanup:
	ssh_result_release(&r);
	buf_release(&data);
	free(path);
	return ret;
}

static int wait_ready(void *arg, int i, struct err *e)
{
	struct testbed *tb = arg;
	struct testbed_node *n = &tb->nodes[i];
	struct ssh_conn *c = NULL;
	struct ssh_result r;
	int timeout = tb->cfg->testbed.boot_timeout_s * 1000;
	int ret = -1;

	ssh_result_init(&r);
	if (ssh_wait(&n->ssh, timeout, &c, e) < 0)
		goto cleanup;
	if (n->existing && install_agent(c, n->name, e) < 0)
		goto cleanup;
	if (ssh_exec(c, "campaign-agent ping", NULL, 0, 10000, &r, e) < 0)
		goto cleanup;
	if (r.status != 0) {
		err_set(e, "the agent on '%s' does not answer: exit status %d: %s",
			n->name, r.status, r.errout.data);
		goto cleanup;
	}
	ret = 0;
cleanup:
	ssh_result_release(&r);
	ssh_close(c);
	return ret;
}

/* An existing domain may carry a "golden" snapshot of an earlier
 * testbed of ours (same description); anything else is the user's. */
static int clear_old_snapshot(struct testbed *tb, virDomainPtr dom,
			      const char *desc, struct err *e)
{
	virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, SNAPSHOT_NAME, 0);
	char *xml;
	int ours, r = 0;

	if (!snap)
		return 0;
	xml = virDomainSnapshotGetXMLDesc(snap, 0);
	ours = xml && strstr(xml, desc);
	free(xml);
	if (!ours)
		r = err_set(e, "domain '%s' already has a snapshot '%s' that campaign "
			    "did not make; rename or delete it", virDomainGetName(dom),
			    SNAPSHOT_NAME);
	else if (virDomainSnapshotDelete(snap, 0) < 0) {
		const char *why = testbed_virt_error();

		r = err_set(e, "cannot delete the old snapshot of '%s': %s",
			    virDomainGetName(dom), why);
	}
	virDomainSnapshotFree(snap);
	(void)tb;
	return r;
}

static int snapshot_one(void *arg, int i, struct err *e)
{
	struct testbed *tb = arg;
	virDomainPtr dom = testbed_lookup(tb, &tb->nodes[i], e);
	char *desc = xasprintf("campaign testbed %s", tb->prefix);
	char *xml = xasprintf("<domainsnapshot><name>" SNAPSHOT_NAME "</name>"
			      "<description>%s</description>"
			      "<memory snapshot='internal'/></domainsnapshot>", desc);
	virDomainSnapshotPtr snap = NULL;
	int ret = -1;

	if (!dom)
		goto cleanup;
	if (tb->nodes[i].existing && clear_old_snapshot(tb, dom, desc, e) < 0)
		goto cleanup;
	snap = virDomainSnapshotCreateXML(dom, xml, 0);
	if (!snap) {
		err_set(e, "cannot snapshot '%s': %s", tb->nodes[i].name,
			testbed_virt_error());
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (snap)
		virDomainSnapshotFree(snap);
	if (dom)
		virDomainFree(dom);
	free(xml);
	free(desc);
	return ret;
}

/* Suspend every node, snapshot each, resume all: a consistent cut. */
static int snapshot_all(struct testbed *tb, struct err *e)
{
	int failed;

	/* With the host end connected when the cut is taken, a restored
	 * guest's control loop is waiting for a request, not for a host.
	 * A channel that does not answer costs its reset the SSH path,
	 * which says why. */
	for (int i = 0; i < tb->n_nodes; i++)
		if (tb->nodes[i].ctl.path)
			ctlchan_ping(&tb->nodes[i].ctl, 3000, NULL, NULL);
	for (int i = 0; i < tb->n_nodes; i++)
		if (testbed_suspend_node(tb, tb->nodes[i].name, e) < 0)
			return -1;
	failed = parallel_for_err(tb->n_nodes, snapshot_one, tb, e) < 0;
	for (int i = 0; i < tb->n_nodes; i++)
		if (testbed_resume_node(tb, tb->nodes[i].name, failed ? NULL : e) < 0)
			failed++;
	return failed ? -1 : 0;
}

int testbed_up(struct testbed *tb, struct err *e)
{
	int ret = -1;

	if (tb->up) {
		err_set(e, "testbed '%s' is already up (state in '%s'); run "
			"'campaign testbed down' first", tb->prefix, tb->dir);
		goto out;
	}
	if (paths_mkdirs(tb->dir, 0755, e) < 0)
		goto out;
	if (any_created(tb) && load_image(tb, e) < 0)
		goto out;
	testbed_bind_ssh(tb);
	if (check_ports(tb, e) < 0)
		goto out;
	tb->up = 1;	/* from here on, down cleans up whatever exists */
	if (testbed_write_state(tb, e) < 0)
		goto fail;
	if (any_created(tb) && tb->cfg->testbed.net == NET_VDE &&
	    start_switch(tb, e) < 0)
		goto fail;
	if (parallel_for_err(tb->n_nodes, boot_one, tb, e) < 0 ||
	    parallel_for_err(tb->n_nodes, wait_ready, tb, e) < 0 ||
	    testbed_bootstrap(tb, e) < 0 || snapshot_all(tb, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	testbed_down(tb, NULL);
out:
	return ret;
}

/* The node's domain and its disk overlay, gone (a user's domain is never
 * touched: the caller refuses those). */
static int remove_node(struct testbed *tb, int i, struct err *e)
{
	virDomainPtr dom = virDomainLookupByName(tb->conn, tb->nodes[i].domain);
	char *disk = xasprintf("%s/%s.qcow2", tb->dir, tb->nodes[i].name);
	int r = 0;

	sshcache_drop(tb->nodes[i].cache);
	if (dom) {
		if (virDomainIsActive(dom) == 1)
			virDomainDestroy(dom);
		if (virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
					   VIR_DOMAIN_UNDEFINE_MANAGED_SAVE) < 0)
			r = err_set(e, "cannot undefine '%s': %s", tb->nodes[i].domain,
				    testbed_virt_error());
		virDomainFree(dom);
	}
	if (r == 0 && unlink(disk) < 0 && errno != ENOENT)
		r = err_errno(e, errno, "cannot remove '%s'", disk);
	free(disk);
	return r;
}

/* Delete node i's golden snapshot, if any, before a new cut. */
static int drop_golden(void *arg, int i, struct err *e)
{
	struct testbed *tb = arg;
	virDomainPtr dom = testbed_lookup(tb, &tb->nodes[i], e);
	virDomainSnapshotPtr snap;
	int r = 0;

	if (!dom)
		return -1;
	snap = virDomainSnapshotLookupByName(dom, SNAPSHOT_NAME, 0);
	if (snap && virDomainSnapshotDelete(snap, 0) < 0)
		r = err_set(e, "cannot delete the snapshot of '%s': %s",
			    tb->nodes[i].name, testbed_virt_error());
	if (snap)
		virDomainSnapshotFree(snap);
	virDomainFree(dom);
	return r;
}

int testbed_rebuild_node(struct testbed *tb, const char *name, struct err *e)
{
	int i = testbed_node_index(tb, name), ret = -1;
	const char **others = xcalloc((size_t)tb->n_nodes, sizeof(char *));
	int n_others = 0;

	if (i < 0 || tb->nodes[i].existing) {
		err_set(e, i < 0 ? "no node '%s' in testbed '%s'"
			: "'%s' is a user's domain: campaign does not rebuild it (testbed '%s')",
			name, tb->prefix);
		goto out;
	}
	for (int k = 0; k < tb->n_nodes; k++)
		if (k != i)
			others[n_others++] = tb->nodes[k].name;
	/* the others back to the golden cut the new node will join */
	if ((n_others && testbed_reset(tb, others, n_others, NULL, e) < 0) ||
	    (!tb->img && load_image(tb, e) < 0) || remove_node(tb, i, e) < 0)
		goto out;
	if (define_node(tb, i, e) < 0 || wait_ready(tb, i, e) < 0 ||
	    testbed_bootstrap_node(tb, i, e) < 0 ||
	    parallel_for_err(tb->n_nodes, drop_golden, tb, e) < 0 || snapshot_all(tb, e) < 0)
		goto out;
	ret = 0;
out:
	free(others);
	return ret;
}
