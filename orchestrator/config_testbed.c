/* config_testbed.c - the "testbed" section: libvirt connection, image,
 * network and nodes (created ones, or users' existing domains). */
#include "config_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct config_node *cfg_find_node(const struct config_testbed *tb,
					const char *name)
{
	int i;

	for (i = 0; i < tb->n_nodes; i++)
		if (tb->nodes[i].name && !strcmp(tb->nodes[i].name, name))
			return &tb->nodes[i];
	return NULL;
}

int cfg_has_role(const struct config_testbed *tb, const char *role)
{
	int i;

	for (i = 0; i < tb->n_nodes; i++)
		if (tb->nodes[i].role && !strcmp(tb->nodes[i].role, role))
			return 1;
	return 0;
}

static int read_ssh_host(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_ssh *)obj)->host);
}

static int read_ssh_port(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 65535, &((struct config_ssh *)obj)->port);
}

static int read_ssh_user(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_ssh *)obj)->user);
}

static int read_ssh_key(struct cfg_ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return cfg_fail_type(x, v, "a non-empty string");
	return cfg_resolve_file(x, json_string_value(v),
				&((struct config_ssh *)obj)->key);
}

/* "TYPE BASE64 [comment]" with an ssh-* or ecdsa-* type. */
static int host_key_ok(const char *s)
{
	const char *sp = strchr(s, ' '), *b64, *end;
	size_t n, pad = 0;

	if (!sp ||
	    !(strncmp(s, "ssh-", 4) == 0 || strncmp(s, "ecdsa-", 6) == 0))
		return 0;
	for (const char *p = s; p < sp; p++)
		if (!strchr(CFG_LOWER CFG_DIGITS "-@.", *p))
			return 0;
	b64 = sp + 1;
	end = strchr(b64, ' ');
	n = end ? (size_t)(end - b64) : strlen(b64);
	while (n > pad && b64[n - 1 - pad] == '=')
		pad++;
	if (n < 16 || n % 4 || pad > 2)
		return 0;
	for (size_t i = 0; i < n - pad; i++)
		if (!strchr(CFG_UPPER CFG_LOWER CFG_DIGITS "+/", b64[i]) ||
		    !b64[i])
			return 0;
	return 1;
}

static int read_ssh_host_key(struct cfg_ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !host_key_ok(json_string_value(v)))
		return cfg_fail_type(x, v, "a public host key like "
				     "\"ssh-ed25519 AAAA...\"");
	((struct config_ssh *)obj)->host_key = xstrdup(json_string_value(v));
	return 0;
}

static const struct cfg_field ssh_fields[] = {
	{ "host", read_ssh_host },
	{ "port", read_ssh_port },
	{ "user", read_ssh_user },
	{ "key", read_ssh_key },
	{ "host_key", read_ssh_host_key },
	{ NULL, NULL },
};

static int read_node_name(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_word(x, v, CFG_LOWER CFG_DIGITS "-", 16, "[a-z0-9-]",
			     &((struct config_node *)obj)->name);
}

static int read_node_role(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_node *n = obj;

	if (cfg_want_word(x, v, CFG_LOWER CFG_UPPER CFG_DIGITS "._-", 32,
			  "[A-Za-z0-9._-]", &n->role) < 0)
		return -1;
	if (!strcmp(n->role, "all") || !strcmp(n->role, "any"))
		return cfg_fail(x, "'%s' cannot be a role: it selects every "
				"node", n->role);
	return 0;
}

static int read_node_memory(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 32, 65536,
			    &((struct config_node *)obj)->memory_mib);
}

static int read_node_domain(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_node *)obj)->domain);
}

/* Required keys are checked with the node: ssh is not allowed at all
 * without 'domain', which may come later in the node. */
static int read_node_ssh(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_walk_object(x, v, ssh_fields,
			       &((struct config_node *)obj)->ssh);
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

static const struct cfg_field node_fields[] = {
	{ "name", read_node_name },
	{ "role", read_node_role },
	{ "memory_mib", read_node_memory },
	{ "domain", read_node_domain },
	{ "ssh", read_node_ssh },
	{ NULL, NULL },
};

/* Node i against itself and nodes 0..i-1 (already complete). */
static int check_node(struct cfg_ctx *x, json_t *v, struct config_testbed *tb,
		      int i)
{
	struct config_node *n = &tb->nodes[i];
	int j;

	if (cfg_require(x, v, "name", NULL) < 0)
		return -1;
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
	if (!n->role)
		n->role = xstrdup("member");
	return 0;
}

static int read_nodes(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;
	size_t mark = x->path.len, i, n;

	if (!json_is_array(v))
		return cfg_fail_type(x, v, "an array of nodes");
	n = json_array_size(v);
	if (n < 1 || n > CFG_MAX_NODES)
		return cfg_fail(x, "expected 1 to %d nodes, got %zu",
				CFG_MAX_NODES, n);
	tb->nodes = xcalloc(n, sizeof(*tb->nodes));
	tb->n_nodes = (int)n;
	for (i = 0; i < n; i++) {
		json_t *nv = json_array_get(v, i);

		cfg_path_index(x, i);
		if (cfg_walk_object(x, nv, node_fields, &tb->nodes[i]) < 0 ||
		    check_node(x, nv, tb, (int)i) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int read_uri(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_string(x, v, &((struct config_testbed *)obj)->uri);
}

static int read_accel(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "auto", "kvm", "tcg", NULL };
	int i;

	if (cfg_want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_testbed *)obj)->accel = (enum accel)i;
	return 0;
}

static int read_image(struct cfg_ctx *x, json_t *v, void *obj)
{
	if (!json_is_string(v) || !json_string_length(v))
		return cfg_fail_type(x, v, "a non-empty string");
	return cfg_resolve_recipe(x, json_string_value(v),
				  &((struct config_testbed *)obj)->image);
}

static int read_prefix(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_word(x, v, CFG_LOWER CFG_DIGITS "-", CFG_MAX_PREFIX,
			     "[a-z0-9-]",
			     &((struct config_testbed *)obj)->prefix);
}

static int read_memory(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 32, 65536,
			    &((struct config_testbed *)obj)->memory_mib);
}

static int read_vcpus(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 64,
			    &((struct config_testbed *)obj)->vcpus);
}

static int read_port_base(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1024, 65000,
			    &((struct config_testbed *)obj)->ssh_port_base);
}

static int read_boot_timeout(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 3600,
			    &((struct config_testbed *)obj)->boot_timeout_s);
}

static int read_ready_timeout(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 3600,
			    &((struct config_testbed *)obj)->ready_timeout_s);
}

static int read_net_type(struct cfg_ctx *x, json_t *v, void *obj)
{
	static const char *const names[] = { "vde", "libvirt", NULL };
	int i;

	if (cfg_want_enum(x, v, names, &i) < 0)
		return -1;
	((struct config_testbed *)obj)->net = (enum net_type)i;
	return 0;
}

static int read_libvirt_network(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	return cfg_want_string(x, v, &tb->libvirt_network);
}

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

static int read_subnet(struct cfg_ctx *x, json_t *v, void *obj)
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
	((struct config_testbed *)obj)->subnet = xstrdup(s);
	return 0;
}

static const struct cfg_field network_fields[] = {
	{ "type", read_net_type },
	{ "libvirt_network", read_libvirt_network },
	{ "subnet", read_subnet },
	{ NULL, NULL },
};

static int read_network(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	if (cfg_walk_object(x, v, network_fields, tb) < 0)
		return -1;
	if (tb->net != NET_LIBVIRT && json_object_get(v, "libvirt_network"))
		return cfg_fail_member(x, "libvirt_network", "allowed only "
				       "with type 'libvirt'");
	return 0;
}

/* ---- bootstrap steps ---- */

static int read_step_upload(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;

	st->kind = CONFIG_STEP_UPLOAD;
	return cfg_want_string(x, v, &st->what);
}

static int read_step_run(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;

	st->kind = CONFIG_STEP_RUN;
	return cfg_want_string(x, v, &st->what);
}

static int read_step_wait(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;

	st->kind = CONFIG_STEP_WAIT;
	return cfg_want_string(x, v, &st->what);
}

static int read_step_to(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_step *st = obj;

	if (!json_is_string(v) || json_string_value(v)[0] != '/')
		return cfg_fail_type(x, v, "an absolute guest path");
	return cfg_want_string(x, v, &st->to);
}

static int read_step_mode(struct cfg_ctx *x, json_t *v, void *obj)
{
	const char *s = json_string_value(v);
	char *end;
	long mode;

	if (!s || !*s || (mode = strtol(s, &end, 8), *end) || mode < 0 || mode > 07777)
		return cfg_fail_type(x, v, "an octal mode string like \"0755\"");
	((struct config_step *)obj)->mode = (int)mode;
	return 0;
}

static int read_step_nodes(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_select(x, v, ((struct config_step *)obj)->nodes);
}

static int read_step_timeout(struct cfg_ctx *x, json_t *v, void *obj)
{
	return cfg_want_int(x, v, 1, 3600, &((struct config_step *)obj)->timeout_s);
}

static const struct cfg_field step_fields[] = {
	{ "upload", read_step_upload },
	{ "to", read_step_to },
	{ "mode", read_step_mode },
	{ "run", read_step_run },
	{ "wait", read_step_wait },
	{ "nodes", read_step_nodes },
	{ "timeout_s", read_step_timeout },
	{ NULL, NULL },
};

static int read_step(struct cfg_ctx *x, json_t *v, struct config_step *st)
{
	int kinds = !!json_object_get(v, "upload") + !!json_object_get(v, "run") +
		    !!json_object_get(v, "wait");

	st->nodes = xcalloc(1, sizeof(*st->nodes));
	st->mode = 0644;
	st->timeout_s = 60;
	if (!json_is_object(v))
		return cfg_fail_type(x, v, "an object");
	if (kinds != 1)
		return cfg_fail(x, "needs exactly one of \"upload\", \"run\" or \"wait\"");
	if (cfg_walk_object(x, v, step_fields, st) < 0)
		return -1;
	if (st->kind == CONFIG_STEP_UPLOAD && !st->to)
		return cfg_require(x, v, "to", "the guest path of the upload");
	if (st->kind != CONFIG_STEP_UPLOAD && (st->to || json_object_get(v, "mode")))
		return cfg_fail_member(x, st->to ? "to" : "mode",
				       "allowed only with \"upload\"");
	if (!st->nodes->spec && !st->nodes->n_names)
		st->nodes->spec = xstrdup("all");
	return 0;
}

static int read_steps(struct cfg_ctx *x, json_t *v, struct config_step **ret,
		      int *n)
{
	size_t i, mark = x->path.len;
	json_t *el;

	if (!json_is_array(v))
		return cfg_fail_type(x, v, "an array of steps");
	*ret = xcalloc(json_array_size(v) + 1, sizeof(**ret));
	json_array_foreach(v, i, el) {
		cfg_path_index(x, i);
		(*n)++;
		if (read_step(x, el, &(*ret)[i]) < 0)
			return -1;
		cfg_path_pop(x, mark);
	}
	return 0;
}

static int read_bootstrap(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	return read_steps(x, v, &tb->bootstrap, &tb->n_bootstrap);
}

/* "on_boot": steps run on a node after it boots cold from its own disk
 * (a fault with "recover": "boot"), to start its SUT again. */
static int read_on_boot(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;

	return read_steps(x, v, &tb->on_boot, &tb->n_on_boot);
}

/* "forwards": {"http": 2379, ...}: guest TCP ports each node forwards
 * to the host's loopback, at most three. */
static int read_forwards(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = obj;
	size_t mark = x->path.len;
	const char *key;
	json_t *port;

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

static const struct cfg_field testbed_fields[] = {
	{ "forwards", read_forwards },
	{ "bootstrap", read_bootstrap },
	{ "on_boot", read_on_boot },
	{ "uri", read_uri },
	{ "accel", read_accel },
	{ "image", read_image },
	{ "prefix", read_prefix },
	{ "memory_mib", read_memory },
	{ "vcpus", read_vcpus },
	{ "network", read_network },
	{ "ssh_port_base", read_port_base },
	{ "boot_timeout_s", read_boot_timeout },
	{ "ready_timeout_s", read_ready_timeout },
	{ "nodes", read_nodes },
	{ NULL, NULL },
};

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

int cfg_read_testbed(struct cfg_ctx *x, json_t *v, void *obj)
{
	struct config_testbed *tb = &((struct config *)obj)->testbed;
	int all_domains = 1, i;
	size_t mark = x->path.len;

	if (cfg_walk_object(x, v, testbed_fields, tb) < 0 ||
	    cfg_require(x, v, "nodes", NULL) < 0 || check_roles(x, tb) < 0)
		return -1;
	for (i = 0; i < tb->n_nodes; i++)
		all_domains &= tb->nodes[i].domain != NULL;
	if (!all_domains && cfg_require(x, v, "image", " (only a testbed of "
					"existing domains can do without)") < 0)
		return -1;
	if (!tb->uri)
		tb->uri = xstrdup("qemu:///system");
	if (!tb->subnet)
		tb->subnet = xstrdup("10.99.0.0/24");
	if (tb->net == NET_LIBVIRT && !tb->libvirt_network)
		tb->libvirt_network = xstrdup("default");
	if (check_subnet_room(x, tb) < 0)
		return -1;
	cfg_path_pop(x, mark);
	return 0;
}

static void free_ssh(struct config_ssh *s)
{
	free(s->host);
	free(s->user);
	free(s->key);
	free(s->host_key);
}

static void steps_release(struct config_step *steps, int n)
{
	for (int i = 0; i < n; i++) {
		free(steps[i].what);
		free(steps[i].to);
		if (steps[i].nodes)
			cfg_select_release(steps[i].nodes);
		free(steps[i].nodes);
	}
	free(steps);
}

void cfg_testbed_release(struct config_testbed *tb)
{
	int i;

	for (i = 0; tb->nodes && i < tb->n_nodes; i++) {
		free(tb->nodes[i].name);
		free(tb->nodes[i].role);
		free(tb->nodes[i].domain);
		free_ssh(&tb->nodes[i].ssh);
	}
	free(tb->nodes);
	steps_release(tb->bootstrap, tb->n_bootstrap);
	steps_release(tb->on_boot, tb->n_on_boot);
	for (i = 0; i < tb->n_forwards; i++)
		free(tb->forward_names[i]);
	free(tb->uri);
	free(tb->image);
	free(tb->prefix);
	free(tb->libvirt_network);
	free(tb->subnet);
}
