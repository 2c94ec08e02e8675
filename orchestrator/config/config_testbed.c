/* config_testbed.c - the "testbed" section: libvirt connection, image,
 * network, preparation steps and nodes (created ones, or users'
 * existing domains), as field tables. */
#include "base64.h"
#include "config_testbed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_host.h"
#include "config_select.h"

#define SECONDS_1H 3600

/* ---- nodes -------------------------------------------------------------- */

static int read_key(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		    void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return cfg_fail_type(x, v, "a non-empty string");
	return cfg_resolve_file(x, json_string_value(v),
				(char **)((char *)obj + f->offset));
}

/* "TYPE BASE64 [comment]" with an ssh-* or ecdsa-* type. */
static int host_key_ok(const char *s)
{
	const char *sp = strchr(s, ' '), *b64, *end;
	unsigned char *blob;
	ssize_t got;
	size_t n;

	if (!sp ||
	    !(strncmp(s, "ssh-", 4) == 0 || strncmp(s, "ecdsa-", 6) == 0))
		return 0;
	for (const char *p = s; p < sp; p++)
		if (!strchr(CFG_LOWER CFG_DIGITS "-@.", *p))
			return 0;
	b64 = sp + 1;
	end = strchr(b64, ' ');
	n = end ? (size_t)(end - b64) : strlen(b64);
	if (n < 16)
		return 0;
	blob = xmalloc(BASE64_DECODED_SIZE(n));
	got = base64_decode(b64, n, 0, blob);
	free(blob);
	return got > 0;
}

static int read_host_key(struct cfg_ctx *x, const struct cfg_field *f,
			 json_t *v, void *obj)
{
	if (!json_is_string(v) || !host_key_ok(json_string_value(v)))
		return cfg_fail_type(x, v, "a public host key like "
				     "\"ssh-ed25519 AAAA...\"");
	return cfg_read_value(x, f, v, obj);
}

static const struct cfg_field ssh_fields[] = {
	CFG_F_STRING("host", struct config_ssh, host,
		     .help = "address the controller connects to"),
	CFG_F_INT("port", struct config_ssh, port, 1, 65535,
		  .help = "the port of the node's SSH server"),
	CFG_F_STRING("user", struct config_ssh, user,
		     .help = "the user the controller logs in as"),
	CFG_F_STRING("key", struct config_ssh, key, .read = read_key,
		     .help = "private key file; relative to the config file's "
		     "directory, or `~/...`; must exist; stored absolute"),
	CFG_F_STRING("host_key", struct config_ssh, host_key,
		     .read = read_host_key,
		     .schema = "{\"type\": \"string\", \"pattern\": "
		     "\"^(ssh-|ecdsa-)[a-z0-9@.-]* [A-Za-z0-9+/]{16,}={0,2}( .*)?$\"}",
		     .help = "the pinned public host key: `\"TYPE BASE64 "
		     "[comment]\"` with an `ssh-*` or `ecdsa-*` type, e.g. "
		     "`\"ssh-ed25519 AAAAC3Nz...\"`"),
	CFG_F_END,
};

/* Required with a node's 'domain', which may come later in the node: so
 * the node checks them, and the schema says it. */
static const struct cfg_table ssh_table = {
	.name = "testbed.nodes[].ssh", .fields = ssh_fields,
	.schema = "{\"required\": [\"host\", \"port\", \"user\", \"key\", "
		  "\"host_key\"]}",
};

static int read_role(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		     void *obj)
{
	struct config_node *n = obj;

	if (cfg_read_value(x, f, v, obj) < 0)
		return -1;
	if (!strcmp(n->role, "all") || !strcmp(n->role, "any"))
		return cfg_fail(x, "'%s' cannot be a role: it selects every "
				"node", n->role);
	return 0;
}

static int require_ssh(struct cfg_ctx *x, json_t *ssh)
{
	size_t mark = x->path.len;
	const struct cfg_field *f;

	cfg_path_key(x, "ssh");
	for (f = ssh_fields; f->key; f++)
		if (cfg_require(x, ssh, f->key, NULL) < 0)
			return -1;
	cfg_path_pop(x, mark);
	return 0;
}

/* A node against itself and the nodes before it (already complete). */
static int check_node(struct cfg_ctx *x, json_t *v, void *obj)
{
	const struct config_testbed *tb = &x->c->testbed;
	struct config_node *n = obj;
	int i = (int)(n - tb->nodes), j;

	if (n->domain && (cfg_require(x, v, "ssh", " (a node with 'domain' "
				      "needs it)") < 0 ||
			  require_ssh(x, json_object_get(v, "ssh")) < 0))
		return -1;
	if (!n->domain && json_object_get(v, "ssh"))
		return cfg_fail_member(x, "ssh", "allowed only with 'domain' "
				       "(the testbed sets up ssh for the nodes "
				       "it creates)");
	for (j = 0; j < i; j++) {
		if (!strcmp(tb->nodes[j].name, n->name))
			return cfg_fail_member(x, "name", "duplicate node name "
					       "'%s'", n->name);
		if (n->domain && tb->nodes[j].domain &&
		    !strcmp(tb->nodes[j].domain, n->domain))
			return cfg_fail_member(x, "domain", "domain '%s' is "
					       "also node '%s'", n->domain,
					       tb->nodes[j].name);
	}
	return 0;
}

static const struct cfg_field node_fields[] = {
	CFG_F_WORD("name", struct config_node, name, 16, CFG_LOWER CFG_DIGITS "-",
		   "[a-z0-9-]", .required = 1, .help = "unique"),
	CFG_F_WORD("role", struct config_node, role, 32,
		   CFG_UPPER CFG_LOWER CFG_DIGITS "._-", "[A-Za-z0-9._-]",
		   .read = read_role, .def = "\"member\"",
		   .help = "not `all` or `any`, and not the name of a node "
		   "(selectors would be ambiguous)"),
	CFG_F_INT("memory_mib", struct config_node, memory_mib, 32, 65536,
		  .def_doc = "the testbed's", .help = "MiB of memory"),
	CFG_F_STRING("domain", struct config_node, domain, .def_doc = "none",
		     .help = "an **existing** libvirt domain the testbed uses "
		     "instead of creating one (a user's own image); unique"),
	CFG_F_OBJECT("ssh", struct config_node, ssh, &ssh_table,
		     .help = "**required with `domain`, refused without it** "
		     "(the testbed sets up SSH for the nodes it creates)"),
	CFG_F_END,
};

static const struct cfg_table node_table = {
	.name = "testbed.nodes[]", .fields = node_fields, .check = check_node,
	.schema = "{\"dependencies\": {\"domain\": [\"ssh\"], "
		  "\"ssh\": [\"domain\"]}}",
};

static const struct cfg_field node_elem = {
	.type = CFG_OBJECT, .table = &node_table,
};

/* ---- network ------------------------------------------------------------ */

/* "a.b.c.d/len" with 8 <= len <= 28; fills the address and length. */
static int parse_subnet(const char *s, unsigned *ret_addr, int *ret_len)
{
	unsigned addr = 0, part;
	int i, digits;

	for (i = 0; i < 5; i++) {
		part = 0;
		for (digits = 0; *s >= '0' && *s <= '9' && digits < 4; digits++)
			part = part * 10 + (unsigned)(*s++ - '0');
		if (!digits || digits > 3 || part > 255)
			return -1;
		if (i < 4)
			addr = addr << 8 | part;
		if (i < 3 && *s++ != '.')
			return -1;
		if (i == 3 && *s++ != '/')
			return -1;
		if (i == 4 && *s)
			return -1;
		if (i == 4)
			*ret_len = (int)part;
	}
	*ret_addr = addr;
	return 0;
}

static int read_subnet(struct cfg_ctx *x, const struct cfg_field *f,
		       json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	unsigned addr, mask;
	int len;

	if (parse_subnet(s, &addr, &len) < 0)
		return cfg_fail_type(x, v,
				     "an IPv4 subnet like \"10.99.0.0/24\"");
	if (len < 8 || len > 28)
		return cfg_fail(x, "prefix length /%d out of range: use /8 "
				"to /28", len);
	mask = ~0u << (32 - len);
	if (addr & ~mask) {
		addr &= mask;
		return cfg_fail(x, "host bits set in '%s' (did you mean "
				"'%u.%u.%u.%u/%d'?)", s, addr >> 24,
				addr >> 16 & 255, addr >> 8 & 255, addr & 255,
				len);
	}
	return cfg_read_value(x, f, v, obj);
}

static int check_network(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	if (tb->net != NET_LIBVIRT && json_object_get(v, "libvirt_network"))
		return cfg_fail_member(x, "libvirt_network", "allowed only "
				       "with type 'libvirt'");
	if (tb->net == NET_LIBVIRT && !tb->libvirt_network)
		tb->libvirt_network = xstrdup("default");
	return 0;
}

static const char *const net_names[] = { "vde", "libvirt", NULL };

static const struct cfg_field network_fields[] = {
	CFG_F_ENUM("type", struct config_testbed, net, net_names,
		   .def = "\"vde\"", .help = "vde: a private switch per "
		   "testbed; libvirt: a libvirt network"),
	CFG_F_STRING("libvirt_network", struct config_testbed, libvirt_network,
		     .def_doc = "`\"default\"`",
		     .help = "only with `\"type\": \"libvirt\"` (an error "
		     "otherwise)"),
	CFG_F_STRING("subnet", struct config_testbed, subnet,
		     .read = read_subnet, .def = "\"10.99.0.0/24\"",
		     .type_doc = "`\"a.b.c.d/len\"`",
		     .schema = "{\"type\": \"string\", \"pattern\": "
		     "\"^[0-9]{1,3}(\\\\.[0-9]{1,3}){3}/[0-9]{1,2}$\"}",
		     .help = "`len` from 8 to 28, host bits zero "
		     "(`10.99.0.5/24` is refused with a suggestion). Node *i* "
		     "(from 0) gets host address .11+*i*, so the subnet must "
		     "hold 11 + node count addresses below its broadcast "
		     "address (a /28 holds 3 nodes)"),
	CFG_F_END,
};

static const struct cfg_table network_table = {
	.name = "testbed.network", .fields = network_fields,
	.check = check_network,
};

/* ---- steps: bootstrap and on_boot --------------------------------------- */

static const char *const step_kinds[] = {
	[CONFIG_STEP_UPLOAD] = "upload", [CONFIG_STEP_RUN] = "run",
	[CONFIG_STEP_WAIT] = "wait",
};

/* "upload", "run" or "wait": the key says what the step does. */
static int read_step_what(struct cfg_ctx *x, const struct cfg_field *f,
			  json_t *v, void *obj)
{
	struct config_step *st = obj;

	for (st->kind = 0; strcmp(step_kinds[st->kind], f->key); st->kind++)
		;
	return cfg_read_value(x, f, v, obj);
}

/* "0644", "755": an optional 0 and one to four octal digits. */
static int read_step_mode(struct cfg_ctx *x, const struct cfg_field *f,
			  json_t *v, void *obj)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t n = s ? strlen(s) : 0;

	(void)f;
	if (n > 1 && s[0] == '0') {
		s++;
		n--;
	}
	if (n < 1 || n > 4 || !cfg_only_chars(s, "01234567"))
		return cfg_fail_type(x, v, "an octal mode string like \"0755\"");
	((struct config_step *)obj)->mode = (int)strtol(s, NULL, 8);
	return 0;
}

static int read_step_nodes(struct cfg_ctx *x, const struct cfg_field *f,
			   json_t *v, void *obj)
{
	(void)f;
	return cfg_want_select(x, v, ((struct config_step *)obj)->nodes);
}

static void release_step_nodes(void *obj)
{
	struct config_step *st = obj;

	if (st->nodes)
		cfg_select_release(st->nodes);
	free(st->nodes);
}

static int init_step(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;
	int kinds = !!json_object_get(v, "upload") + !!json_object_get(v, "run") +
		    !!json_object_get(v, "wait");

	st->nodes = xcalloc(1, sizeof(*st->nodes));
	if (kinds != 1)
		return cfg_fail(x, "needs exactly one of \"upload\", \"run\" or \"wait\"");
	return 0;
}

static int check_step(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;

	if (st->kind == CONFIG_STEP_UPLOAD && !st->to)
		return cfg_require(x, v, "to", "the guest path of the upload");
	if (st->kind != CONFIG_STEP_UPLOAD && (st->to || json_object_get(v, "mode")))
		return cfg_fail_member(x, st->to ? "to" : "mode",
				       "allowed only with \"upload\"");
	return 0;
}

static const struct cfg_field step_fields[] = {
	CFG_F_STRING("upload", struct config_step, what, .read = read_step_what,
		     .help = "a host file to copy to every selected node; "
		     "`{build}` is the build directory; relative paths are "
		     "relative to the config file"),
	CFG_F_GUEST_PATH("to", struct config_step, to,
			 .help = "required with `upload`"),
	CFG_F_CUSTOM("mode", read_step_mode, NULL, "octal string",
		     "{\"type\": \"string\", \"pattern\": \"^0?[0-7]{1,4}$\"}",
		     .def = "\"0644\"", .help = "with `upload` only"),
	CFG_F_STRING("run", struct config_step, what, .read = read_step_what,
		     .type_doc = "command template",
		     .help = "run once on each selected node; a non-zero exit "
		     "fails `testbed up` with the step's path"),
	CFG_F_STRING("wait", struct config_step, what, .read = read_step_what,
		     .type_doc = "command template",
		     .help = "run until it exits 0 (every 0.3 s) or `timeout_s` "
		     "passes"),
	CFG_F_CUSTOM("nodes", read_step_nodes, release_step_nodes, "selector",
		     CFG_SELECTOR_SCHEMA, .def = "\"all\"",
		     .help = "see *Node selectors*"),
	CFG_F_INT("timeout_s", struct config_step, timeout_s, 1, SECONDS_1H,
		  .def = "60", .help = "seconds an upload, a run or a wait may "
		  "take"),
	CFG_F_END,
};

static const struct cfg_table step_table = {
	.name = "testbed.bootstrap[]", .fields = step_fields,
	.init = init_step, .check = check_step,
	.schema = "{\"oneOf\": [{\"required\": [\"upload\"]}, "
		  "{\"required\": [\"run\"]}, {\"required\": [\"wait\"]}], "
		  "\"dependencies\": {\"upload\": [\"to\"], "
		  "\"to\": [\"upload\"], \"mode\": [\"upload\"]}}",
};

static const struct cfg_field step_elem = {
	.type = CFG_OBJECT, .table = &step_table,
};

/* ---- the testbed -------------------------------------------------------- */

/* "forwards": {"http": 2379, ...}: guest TCP ports each node forwards
 * to the host's loopback, at most three. */
static int read_forwards(struct cfg_ctx *x, const struct cfg_field *f,
			 json_t *v, void *obj)
{
	struct config_testbed *tb = obj;
	size_t mark = x->path.len;
	const char *key;
	json_t *port;

	(void)f;
	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object of name: guest port");
	json_object_foreach(v, key, port) {
		cfg_path_key(x, key);
		if (tb->n_forwards == 3)
			return cfg_fail_key(x, "at most 3 forwards");
		if (!*key || !cfg_only_chars(key, CFG_LOWER CFG_DIGITS "_") ||
		    !strcmp(key, "name") || !strcmp(key, "ip") || !strcmp(key, "role") ||
		    !strcmp(key, "ssh"))
			return cfg_fail_key(x, "a forward name is [a-z0-9_] and not "
					    "name, ip, role or ssh");
		if (cfg_want_int(x, port, 1, 65535, &tb->forward_ports[tb->n_forwards]) < 0)
			return -1;
		tb->forward_names[tb->n_forwards++] = xstrdup(key);
		cfg_path_pop(x, mark);
	}
	return 0;
}

static void release_forwards(void *obj)
{
	struct config_testbed *tb = obj;

	for (int i = 0; i < tb->n_forwards; i++)
		free(tb->forward_names[i]);
}

static int read_image(struct cfg_ctx *x, const struct cfg_field *f,
		      json_t *v, void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return cfg_fail_type(x, v, "a non-empty string");
	return cfg_resolve_recipe(x, json_string_value(v),
				  (char **)((char *)obj + f->offset));
}

/* Node i gets host .(11+i): the subnet must hold them below broadcast. */
static int check_subnet_room(struct cfg_ctx *x, const struct config_testbed *tb)
{
	unsigned addr;
	int len;
	long size;

	if (parse_subnet(tb->subnet, &addr, &len) < 0)
		return 0;
	size = 1L << (32 - len);
	if (11 + tb->n_nodes <= size - 2)
		return 0;
	cfg_path_key(x, "network");
	cfg_path_key(x, "subnet");
	return cfg_fail(x, "subnet '%s' has no room for %d nodes (node i is "
			"host .11+i)", tb->subnet, tb->n_nodes);
}

static int check_roles(struct cfg_ctx *x, const struct config_testbed *tb)
{
	size_t mark = x->path.len;
	int i;

	for (i = 0; i < tb->n_nodes; i++) {
		if (!cfg_find_node(tb, tb->nodes[i].role))
			continue;
		cfg_path_key(x, "nodes");
		cfg_path_index(x, (size_t)i);
		cfg_path_key(x, "role");
		return cfg_fail(x, "role '%s' is also a node name",
				tb->nodes[i].role);
	}
	cfg_path_pop(x, mark);
	return 0;
}

static int check_testbed(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;
	int all_domains = 1, i;

	if (check_roles(x, tb) < 0)
		return -1;
	for (i = 0; i < tb->n_nodes; i++)
		all_domains &= tb->nodes[i].domain != NULL;
	if (!all_domains && cfg_require(x, v, "image", " (only a testbed of "
					"existing domains can do without)") < 0)
		return -1;
	return check_subnet_room(x, tb);
}

static const char *const accel_names[] = { "auto", "kvm", "tcg", NULL };

static const struct cfg_field testbed_fields[] = {
	CFG_F_STRING("uri", struct config_testbed, uri,
		     .def = "\"qemu:///system\"",
		     .help = "libvirt connection URI"),
	CFG_F_ENUM("accel", struct config_testbed, accel, accel_names,
		   .def = "\"auto\"", .help = "auto: KVM when `/dev/kvm` works, "
		   "else TCG"),
	CFG_F_STRING("image", struct config_testbed, image, .read = read_image,
		     .help = "recipe directory; **required unless every node "
		     "has `domain`**. See *Paths*"),
	CFG_F_WORD("prefix", struct config_testbed, prefix, CFG_MAX_PREFIX,
		   CFG_LOWER CFG_DIGITS "-", "[a-z0-9-]",
		   .def_doc = "`\"cmp-\"` + name",
		   .help = "names of everything the testbed creates. The "
		   "default lowercases the name and turns `.` and `_` into "
		   "`-`; when that is longer than 24 characters the config is "
		   "rejected (set `prefix`)"),
	CFG_F_INT("memory_mib", struct config_testbed, memory_mib, 32, 65536,
		  .def_doc = "the image's recommendation",
		  .help = "MiB of memory per node"),
	CFG_F_INT("vcpus", struct config_testbed, vcpus, 1, 64, .def = "1",
		  .help = "per node"),
	CFG_F_INLINE("network", &network_table, .def_doc = "vde, `10.99.0.0/24`",
		     .help = "see below"),
	CFG_F_INT("ssh_port_base", struct config_testbed, ssh_port_base, 1024,
		  65000, .def_doc = "derived from the prefix",
		  .help = "node *i* (from 0) is forwarded from host port base + "
		  "*i*; forward *k* (from 0) of node *i* from base + "
		  "16(*k*+1) + *i*"),
	CFG_F_CUSTOM("forwards", read_forwards, release_forwards,
		     "object name → guest TCP port, at most 3",
		     "{\"type\": \"object\", \"maxProperties\": 3, "
		     "\"propertyNames\": {\"pattern\": \"^[a-z0-9_]+$\", "
		     "\"not\": {\"enum\": [\"name\", \"ip\", \"role\", \"ssh\"]}}, "
		     "\"additionalProperties\": {\"type\": \"integer\", "
		     "\"minimum\": 1, \"maximum\": 65535}}",
		     .def_doc = "none",
		     .help = "each node forwards that guest port to `127.0.0.1`; "
		     "templates reach it as `{node.NAME}` and `{nodes.NAME}` "
		     "(comma-separated `127.0.0.1:PORT`). Names are "
		     "`[a-z0-9_]`, not `name`, `ip`, `role` or `ssh`"),
	CFG_F_ARRAY("bootstrap", struct config_testbed, bootstrap, n_bootstrap,
		    &step_elem, .what = "step", .def_doc = "none",
		    .help = "run on the nodes, in order, after they first answer "
		    "SSH and **before** the golden snapshot: see below"),
	CFG_F_ARRAY("on_boot", struct config_testbed, on_boot, n_on_boot,
		    &step_elem, .what = "step", .def_doc = "none",
		    .help = "run on **one** node after it was power-cycled and "
		    "booted from its own disk (a fault with `\"recover\": "
		    "\"boot\"`), to start its SUT again; same steps as "
		    "`bootstrap`. A failing step is an infra error, so start "
		    "services here and leave judging whether they recovered to "
		    "probes and oracles"),
	CFG_F_INT("boot_timeout_s", struct config_testbed, boot_timeout_s, 1,
		  SECONDS_1H, .def = "120",
		  .help = "seconds from the first boot of a node until SSH "
		  "answers (also after a `\"recover\": \"boot\"`)"),
	CFG_F_INT("ready_timeout_s", struct config_testbed, ready_timeout_s, 1,
		  SECONDS_1H, .def = "30",
		  .help = "seconds after a reset until the node is ready"),
	CFG_F_ARRAY("nodes", struct config_testbed, nodes, n_nodes, &node_elem,
		    .min_items = 1, .max_items = CFG_MAX_NODES, .what = "node",
		    .required = 1, .help = "see below"),
	CFG_F_END,
};

const struct cfg_table cfg_testbed_table = {
	.name = "testbed", .fields = testbed_fields, .check = check_testbed,
};
