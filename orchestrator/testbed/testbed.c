/* testbed.c - open a testbed, its state file, status, small primitives. */
#include "testbed_priv.h"

#include <jansson.h>
#include <libvirt/libvirt-qemu.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "buf.h"
#include "paths.h"
#include "testbed_names.h"

static void silent_error(void *data, virErrorPtr error)
{
	(void)data;
	(void)error;	/* reported through struct err instead */
}

/* A copy, per thread: libvirt frees its last error at the entry of the
 * next API call, and argument order is unspecified, so a message read
 * straight from virGetLastError() beside virDomainGetName() in one call
 * printed freed bytes ("no snapshot 'golden' on 'x': bQzT"). */
const char *testbed_virt_error(void)
{
	static __thread char copy[512];
	virErrorPtr err = virGetLastError();

	snprintf(copy, sizeof(copy), "%s", err && err->message ? err->message
							       : "unknown error");
	return copy;
}

const char *reset_path_name(enum reset_path p)
{
	switch (p) {
	case RESET_LOADVM: return "loadvm";
	case RESET_REVERT: return "revert";
	case RESET_DESTROY_REVERT: return "destroy-revert";
	}
	return "?";
}

/* Nodes we create get a control channel whose socket sits beside their
 * disk, when the path fits a socket address; a user's domain has none
 * (docs/images.md: how to add one) and is reset over SSH. */
static void init_channel(struct testbed *tb, struct testbed_node *n)
{
	char *path = xasprintf("%s/%s.ctl", tb->dir, n->name);

	ctlchan_release(&n->ctl);
	ctlchan_init(&n->ctl, !n->existing && strlen(path) <= CTLCHAN_PATH_MAX
			      ? path : NULL);
	free(path);
}

static int init_nodes(struct testbed *tb, struct err *e)
{
	const struct config_testbed *ct = &tb->cfg->testbed;
	int base = ct->ssh_port_base ? ct->ssh_port_base
				     : names_port_base(tb->prefix);

	tb->n_nodes = ct->n_nodes;
	tb->nodes = xcalloc((size_t)ct->n_nodes, sizeof(*tb->nodes));
	for (int i = 0; i < ct->n_nodes; i++)
		ctlchan_init(&tb->nodes[i].ctl, NULL);	/* freeable if we fail */
	for (int i = 0; i < ct->n_nodes; i++) {
		const struct config_node *cn = &ct->nodes[i];
		struct testbed_node *n = &tb->nodes[i];
		char ip[16];
		int len;

		n->name = xstrdup(cn->name);
		n->role = xstrdup(cn->role);
		n->existing = cn->domain != NULL;
		n->domain = n->existing ? xstrdup(cn->domain)
					: names_domain(tb->prefix, cn->name);
		if (names_node_ip(ct->subnet, i,
				  ip, &len, e) < 0)
			return -1;
		n->cluster_ip = xstrdup(ip);
		n->ssh_port = n->existing ? cn->ssh.port : base + i;
		init_channel(tb, n);
		for (int k = 0; k < ct->n_forwards; k++)
			n->forward_ports[k] = base + 16 * (k + 1) + i;
	}
	return 0;
}

void testbed_bind_ssh(struct testbed *tb)
{
	for (int i = 0; i < tb->n_nodes; i++) {
		struct testbed_node *n = &tb->nodes[i];
		const struct config_node *cn = &tb->cfg->testbed.nodes[i];

		if (n->cache)
			sshcache_drop(n->cache);
		else
			n->cache = sshcache_new(&n->ssh);
		n->ssh.name = n->name;
		if (n->existing) {
			n->ssh.host = cn->ssh.host;
			n->ssh.port = cn->ssh.port;
			n->ssh.user = cn->ssh.user;
			n->ssh.key_path = cn->ssh.key;
			n->ssh.host_key = cn->ssh.host_key;
		} else {
			n->ssh.host = "127.0.0.1";
			n->ssh.port = n->ssh_port;
			n->ssh.user = tb->img ? tb->img->ssh_user : "root";
			n->ssh.key_path = tb->img ? tb->img->client_key : NULL;
			n->ssh.host_key = tb->img ? tb->img->host_key : NULL;
		}
	}
}

/* state.json records what `up` made; the config may not change under a
 * testbed that is up. */
static int read_state(struct testbed *tb, struct err *e)
{
	json_error_t jerr;
	json_t *root = json_load_file(tb->state_path, 0, &jerr), *nodes;
	const char *image_dir = NULL;
	int ret = -1;

	if (!root)
		return err_set(e, "cannot read testbed state '%s': %s",
			       tb->state_path, jerr.text);
	if (json_unpack_ex(root, &jerr, 0, "{s?s, s:o}", "image_dir", &image_dir,
			   "nodes", &nodes) < 0 || !json_is_array(nodes)) {
		err_set(e, "testbed state '%s' is malformed: %s", tb->state_path,
			jerr.text);
		goto cleanup;
	}
	if ((int)json_array_size(nodes) != tb->n_nodes) {
		err_set(e, "testbed '%s' is up with %zu nodes but the config has %d; "
			"run 'campaign testbed down' with the config it was made from",
			tb->prefix, json_array_size(nodes), tb->n_nodes);
		goto cleanup;
	}
	for (int i = 0; i < tb->n_nodes; i++) {
		json_t *jn = json_array_get(nodes, (size_t)i);
		const char *name = json_string_value(json_object_get(jn, "name"));
		json_int_t port = json_integer_value(json_object_get(jn, "ssh_port"));

		if (!name || strcmp(name, tb->nodes[i].name)) {
			err_set(e, "testbed '%s' is up with node '%s' where the config "
				"has '%s'", tb->prefix, name ? name : "?",
				tb->nodes[i].name);
			goto cleanup;
		}
		tb->nodes[i].ssh_port = (int)port;
	}
	if (image_dir) {
		tb->image_dir = xstrdup(image_dir);
		if (image_load(image_dir, &tb->img, e) < 0) {
			err_prefix(e, "testbed '%s'", tb->prefix);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	json_decref(root);
	return ret;
}

int testbed_write_state(struct testbed *tb, struct err *e)
{
	json_t *root = json_object(), *nodes = json_array();
	char *text;
	int ret;

	json_object_set_new(root, "prefix", json_string(tb->prefix));
	json_object_set_new(root, "accel", json_string(tb->kvm ? "kvm" : "tcg"));
	if (tb->image_dir)
		json_object_set_new(root, "image_dir", json_string(tb->image_dir));
	for (int i = 0; i < tb->n_nodes; i++)
		json_array_append_new(nodes, json_pack("{s:s, s:s, s:i, s:b}",
			"name", tb->nodes[i].name, "domain", tb->nodes[i].domain,
			"ssh_port", tb->nodes[i].ssh_port,
			"existing", tb->nodes[i].existing));
	json_object_set_new(root, "nodes", nodes);
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	ret = paths_write_atomic(tb->state_path, text, e);
	free(text);
	return ret;
}

int testbed_open(const struct config *cfg, struct testbed **ret,
		 struct err *e)
{
	struct testbed *tb = xcalloc(1, sizeof(*tb));
	char *state = paths_state_dir();

	tb->cfg = cfg;
	tb->forced_path = -1;
	tb->prefix = xstrdup(cfg->testbed.prefix);
	tb->dir = xasprintf("%s/testbeds/%s", state, tb->prefix);
	tb->state_path = xasprintf("%s/state.json", tb->dir);
	tb->vde_dir = xasprintf("%s/vde", tb->dir);
	free(state);
	tb->kvm = accel_choose(cfg->testbed.accel, "/dev/kvm", "/proc/cpuinfo",
			       tb->accel_reason, sizeof(tb->accel_reason));
	if (init_nodes(tb, e) < 0)
		goto fail;
	virSetErrorFunc(NULL, silent_error);
	if (testbed_reconnect(tb, e) < 0)
		goto fail;
	tb->up = access(tb->state_path, F_OK) == 0;
	if (tb->up && read_state(tb, e) < 0)
		goto fail;
	testbed_bind_ssh(tb);
	*ret = tb;
	return 0;
fail:
	testbed_free(tb);
	return -1;
}

int testbed_reconnect(struct testbed *tb, struct err *e)
{
	const char *uri = tb->cfg->testbed.uri;

	if (tb->conn && virConnectIsAlive(tb->conn) == 1)
		return 0;
	if (tb->conn)
		virConnectClose(tb->conn);
	tb->conn = virConnectOpen(uri);
	if (!tb->conn)
		return err_set(e, "cannot connect to libvirt at '%s': %s (is libvirtd "
			       "running? scripts/start-daemons starts it)", uri,
			       testbed_virt_error());
	return 0;
}

int testbed_has_golden(struct testbed *tb, const char *node, struct err *e)
{
	const struct testbed_node *n = testbed_find(tb, node);
	virDomainPtr dom = n ? testbed_lookup(tb, n, e) : NULL;
	virDomainSnapshotPtr snap;

	if (!n)
		return err_set(e, "no node '%s' in testbed '%s'", node, tb->prefix);
	if (!dom)
		return -1;
	snap = virDomainSnapshotLookupByName(dom, SNAPSHOT_NAME, 0);
	if (!snap)
		err_set(e, "'%s' has no snapshot '%s': %s", node, SNAPSHOT_NAME,
			testbed_virt_error());
	else
		virDomainSnapshotFree(snap);
	virDomainFree(dom);
	return snap ? 0 : -1;
}

void testbed_free(struct testbed *tb)
{
	if (!tb)
		return;
	for (int i = 0; i < tb->n_nodes; i++) {
		sshcache_free(tb->nodes[i].cache);
		free(tb->nodes[i].name);
		free(tb->nodes[i].role);
		free(tb->nodes[i].domain);
		free(tb->nodes[i].cluster_ip);
		ctlchan_release(&tb->nodes[i].ctl);
	}
	free(tb->nodes);
	if (tb->conn)
		virConnectClose(tb->conn);
	image_free(tb->img);
	free(tb->image_dir);
	free(tb->prefix);
	free(tb->dir);
	free(tb->state_path);
	free(tb->vde_dir);
	free(tb);
}

json_t *reset_report_json(const struct reset_report *r, const char *node)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s}", "node", node,
			      "path", reset_path_name(r->path),
			      "revert_ms", (json_int_t)r->revert_ms,
			      "ready_ms", (json_int_t)r->ready_ms,
			      "sync", r->by_channel ? "channel" : "ssh");

	if (r->by_channel)
		json_object_set_new(j, "clock_offset_us",
				    json_integer((json_int_t)r->clock_offset_us));
	else
		json_object_set_new(j, "fallback", json_string(r->fallback));
	return j;
}

int testbed_is_up(const struct testbed *tb) { return tb->up; }
void testbed_force_reset_path(struct testbed *tb, int path) { tb->forced_path = path; }
void testbed_force_ssh_sync(struct testbed *tb, int on) { tb->force_ssh_sync = on; }
int testbed_n_nodes(const struct testbed *tb) { return tb->n_nodes; }
const char *testbed_prefix(const struct testbed *tb) { return tb->prefix; }
const struct config_testbed *testbed_config(const struct testbed *tb)
{
	return &tb->cfg->testbed;
}
const char *testbed_image_hash(const struct testbed *tb)
{
	return tb->img ? tb->img->hash : NULL;
}
const char *testbed_accel(const struct testbed *tb) { return tb->kvm ? "kvm" : "tcg"; }
const char *testbed_accel_reason(const struct testbed *tb) { return tb->accel_reason; }

const struct testbed_node *testbed_node(const struct testbed *tb, int i)
{
	return i >= 0 && i < tb->n_nodes ? &tb->nodes[i] : NULL;
}

int testbed_node_index(const struct testbed *tb, const char *name)
{
	for (int i = 0; i < tb->n_nodes; i++)
		if (!strcmp(tb->nodes[i].name, name))
			return i;
	return -1;
}

const struct testbed_node *testbed_find(const struct testbed *tb,
					const char *name)
{
	return testbed_node(tb, testbed_node_index(tb, name));
}

virDomainPtr testbed_lookup(struct testbed *tb, const struct testbed_node *n,
			    struct err *e)
{
	virDomainPtr dom = virDomainLookupByName(tb->conn, n->domain);

	if (!dom)
		err_set(e, "cannot find domain '%s' of node '%s': %s", n->domain,
			n->name, testbed_virt_error());
	return dom;
}

static virDomainPtr lookup_node(struct testbed *tb, const char *node,
				struct err *e)
{
	const struct testbed_node *n = testbed_find(tb, node);

	if (!n) {
		err_set(e, "no node '%s' in testbed '%s'", node, tb->prefix);
		return NULL;
	}
	return testbed_lookup(tb, n, e);
}

int testbed_hmp(virDomainPtr dom, const char *cmd, int expect_silence,
		char **ret_reply, struct err *e)
{
	char *reply = NULL;

	if (virDomainQemuMonitorCommand(dom, cmd, &reply,
			VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
		const char *why = testbed_virt_error();	/* before GetName */

		return err_set(e, "monitor command '%s' failed on '%s': %s", cmd,
			       virDomainGetName(dom), why);
	}
	if (expect_silence && reply && reply[strspn(reply, " \r\n")]) {
		struct buf b = BUF_INIT;

		buf_adds(&b, reply);
		buf_rtrim(&b);
		err_set(e, "monitor command '%s' failed on '%s': %s", cmd,
			virDomainGetName(dom), b.data);
		buf_release(&b);
		free(reply);
		return -1;
	}
	if (ret_reply)
		*ret_reply = reply ? reply : xstrdup("");
	else
		free(reply);
	return 0;
}

int testbed_monitor(struct testbed *tb, const char *node, const char *hmp,
		    char **ret_reply, struct err *e)
{
	virDomainPtr dom = lookup_node(tb, node, e);
	int r;

	if (!dom)
		return -1;
	r = testbed_hmp(dom, hmp, 0, ret_reply, e);
	virDomainFree(dom);
	return r;
}

static const char *state_name(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING: return "running";
	case VIR_DOMAIN_BLOCKED: return "blocked";
	case VIR_DOMAIN_PAUSED: return "paused";
	case VIR_DOMAIN_SHUTDOWN: return "shutting-down";
	case VIR_DOMAIN_SHUTOFF: return "shut-off";
	case VIR_DOMAIN_CRASHED: return "crashed";
	case VIR_DOMAIN_PMSUSPENDED: return "pm-suspended";
	}
	return "unknown";
}

int testbed_domain_state(struct testbed *tb, const char *node,
			 char **ret_state, struct err *e)
{
	virDomainPtr dom = lookup_node(tb, node, e);
	int state, reason;

	if (!dom)
		return -1;
	if (virDomainGetState(dom, &state, &reason, 0) < 0) {
		err_set(e, "cannot read the state of '%s': %s", node,
			testbed_virt_error());
		virDomainFree(dom);
		return -1;
	}
	virDomainFree(dom);
	*ret_state = xstrdup(state_name(state));
	return 0;
}

static int domain_op(struct testbed *tb, const char *node,
		     int (*op)(virDomainPtr), const char *what, struct err *e)
{
	virDomainPtr dom = lookup_node(tb, node, e);
	int r;

	if (!dom)
		return -1;
	r = op(dom);
	if (r < 0)
		err_set(e, "cannot %s '%s': %s", what, node, testbed_virt_error());
	virDomainFree(dom);
	return r < 0 ? -1 : 0;
}

int testbed_destroy_node(struct testbed *tb, const char *node, struct err *e)
{
	return domain_op(tb, node, virDomainDestroy, "destroy", e);
}

int testbed_suspend_node(struct testbed *tb, const char *node, struct err *e)
{
	return domain_op(tb, node, virDomainSuspend, "suspend", e);
}

int testbed_resume_node(struct testbed *tb, const char *node, struct err *e)
{
	return domain_op(tb, node, virDomainResume, "resume", e);
}

static json_t *node_snapshots(virDomainPtr dom)
{
	json_t *arr = json_array();
	virDomainSnapshotPtr *snaps = NULL;
	int n = virDomainListAllSnapshots(dom, &snaps, 0);

	for (int i = 0; i < n; i++) {
		json_array_append_new(arr, json_string(virDomainSnapshotGetName(snaps[i])));
		virDomainSnapshotFree(snaps[i]);
	}
	free(snaps);
	return arr;
}

int testbed_status_json(struct testbed *tb, char **ret, struct err *e)
{
	json_t *root = json_object(), *nodes = json_array();

	(void)e;
	json_object_set_new(root, "prefix", json_string(tb->prefix));
	json_object_set_new(root, "up", json_boolean(tb->up));
	json_object_set_new(root, "accel", json_string(testbed_accel(tb)));
	json_object_set_new(root, "accel_reason", json_string(tb->accel_reason));
	json_object_set_new(root, "state_dir", json_string(tb->dir));
	if (tb->image_dir)
		json_object_set_new(root, "image", json_string(tb->image_dir));
	for (int i = 0; i < tb->n_nodes; i++) {
		struct testbed_node *n = &tb->nodes[i];
		virDomainPtr dom = virDomainLookupByName(tb->conn, n->domain);
		int state = -1, reason;
		char *ssh = xasprintf("%s:%d", n->ssh.host ? n->ssh.host : "127.0.0.1",
				      n->ssh_port);
		json_t *jn;

		if (dom)
			virDomainGetState(dom, &state, &reason, 0);
		jn = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
			"name", n->name, "role", n->role, "domain", n->domain,
			"state", dom ? state_name(state) : "undefined",
			"ssh", ssh,
			"cluster_ip", n->cluster_ip, "existing", n->existing);
		json_object_set_new(jn, "snapshots", dom ? node_snapshots(dom) : json_array());
		json_array_append_new(nodes, jn);
		free(ssh);
		if (dom)
			virDomainFree(dom);
	}
	json_object_set_new(root, "nodes", nodes);
	*ret = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	return 0;
}
