/* nodevars.c - the testbed's placeholders: one reading of a name serves
 * expanding it (nodevars_lookup) and checking a config (nodevars_known). */
#include "nodevars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "template.h"

enum var { VAR_NONE, VAR_BUILD, VAR_NODES, VAR_PEERS, VAR_NODE };

static int forward_index(const struct config_testbed *ct, const char *name)
{
	for (int k = 0; k < ct->n_forwards; k++)
		if (!strcmp(ct->forward_names[k], name))
			return k;
	return -1;
}

/* What name stands for; *ret_arg the part after "nodes."/"node." or the
 * port of "peers.ip:PORT" (NULL without one). */
static enum var classify(const struct config_testbed *ct, const char *name,
			 const char **ret_arg)
{
	*ret_arg = NULL;
	if (!strcmp(name, "build"))
		return VAR_BUILD;
	if (!strncmp(name, "nodes.", 6) && (!strcmp(name + 6, "ip") ||
	    !strcmp(name + 6, "name") || !strcmp(name + 6, "ssh") ||
	    forward_index(ct, name + 6) >= 0)) {
		*ret_arg = name + 6;
		return VAR_NODES;
	}
	if (!strcmp(name, "peers.ip") || !strncmp(name, "peers.ip:", 9)) {
		*ret_arg = name[8] ? name + 9 : NULL;
		return VAR_PEERS;
	}
	if (!strncmp(name, "node.", 5) && (!strcmp(name + 5, "name") ||
	    !strcmp(name + 5, "ip") || !strcmp(name + 5, "role") ||
	    !strcmp(name + 5, "ssh") || forward_index(ct, name + 5) >= 0)) {
		*ret_arg = name + 5;
		return VAR_NODE;
	}
	return VAR_NONE;
}

struct nodeset {
	const struct config_testbed *ct;
	const struct testbed_node *nodes;
	int n;
};

static void join(const struct nodeset *tb, int skip, const char *what,
		 const char *port, struct buf *out)
{
	int fwd = forward_index(tb->ct, what);
	int first = 1;

	for (int i = 0; i < tb->n; i++) {
		const struct testbed_node *n = &tb->nodes[i];

		if (i == skip)
			continue;
		if (!first)
			buf_addch(out, ',');
		first = 0;
		if (!strcmp(what, "ip"))
			buf_adds(out, n->cluster_ip);
		else if (!strcmp(what, "name"))
			buf_adds(out, n->name);
		else if (fwd >= 0)
			buf_addf(out, "127.0.0.1:%d", n->forward_ports[fwd]);
		else
			buf_addf(out, "127.0.0.1:%d", n->ssh_port);
		if (port)
			buf_addf(out, ":%s", port);
	}
}

static void build_dir(struct buf *out)
{
	char *dir = paths_programs_dir();

	buf_adds(out, dir);
	free(dir);
}

int nodevars_lookup(const struct testbed *t, int node, const char *name,
		    struct buf *out)
{
	return nodevars_lookup_nodes(testbed_config(t), testbed_node(t, 0),
				     testbed_n_nodes(t), node, name, out);
}

int nodevars_lookup_nodes(const struct config_testbed *ct,
			  const struct testbed_node *nodes, int n_nodes,
			  int node, const char *name, struct buf *out)
{
	const struct nodeset set = { ct, nodes, n_nodes }, *tb = &set;
	const struct testbed_node *n = node >= 0 && node < n_nodes ? &nodes[node] : NULL;
	const char *arg;

	switch (classify(ct, name, &arg)) {
	case VAR_BUILD:
		build_dir(out);
		return 0;
	case VAR_NODES:
		join(tb, -1, arg, NULL, out);
		return 0;
	case VAR_PEERS:
		join(tb, node, "ip", arg, out);
		return 0;
	case VAR_NODE:
		break;
	case VAR_NONE:
		return -1;
	}
	if (!n)
		return -1;
	if (!strcmp(arg, "name"))
		buf_adds(out, n->name);
	else if (!strcmp(arg, "ip"))
		buf_adds(out, n->cluster_ip);
	else if (!strcmp(arg, "role"))
		buf_adds(out, n->role);
	else if (!strcmp(arg, "ssh"))
		buf_addf(out, "127.0.0.1:%d", n->ssh_port);
	else
		buf_addf(out, "127.0.0.1:%d", n->forward_ports[forward_index(ct, arg)]);
	return 0;
}

int nodevars_known(const struct config_testbed *ct, unsigned scope, const char *name)
{
	const char *arg;

	if ((scope & NODEVARS_RUN) && (!strcmp(name, "run.dir") ||
	    !strcmp(name, "run.n") || !strcmp(name, "seed")))
		return 1;
	switch (classify(ct, name, &arg)) {
	case VAR_NONE:
		return 0;
	case VAR_NODE:
		return (scope & NODEVARS_NODE) != 0;
	default:
		return 1;
	}
}

struct where {
	const struct config_testbed *ct;
	unsigned scope;
	char unknown[128];	/* the first unknown name met */
};

static int known(void *arg, const char *name)
{
	struct where *w = arg;

	if (nodevars_known(w->ct, w->scope, name))
		return 1;
	snprintf(w->unknown, sizeof(w->unknown), "%s", name);
	return 0;
}

/* The placeholders known in scope, for a message. */
static void list_known(const struct config_testbed *ct, unsigned scope, struct buf *out)
{
	static const char *const fixed[] = { "build", "nodes.name", "nodes.ip",
		"nodes.ssh", "peers.ip", "peers.ip:PORT" };
	static const char *const per_node[] = { "node.name", "node.ip", "node.role",
		"node.ssh" };

	if (scope & NODEVARS_RUN)
		buf_adds(out, "{run.dir}, {run.n}, {seed}, ");
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		buf_addf(out, "{%s}, ", fixed[i]);
	for (int k = 0; k < ct->n_forwards; k++)
		buf_addf(out, "{nodes.%s}, ", ct->forward_names[k]);
	for (size_t i = 0; (scope & NODEVARS_NODE) && i < sizeof(per_node) / sizeof(*per_node); i++)
		buf_addf(out, "{%s}, ", per_node[i]);
	for (int k = 0; (scope & NODEVARS_NODE) && k < ct->n_forwards; k++)
		buf_addf(out, "{node.%s}, ", ct->forward_names[k]);
	out->data[out->len -= 2] = '\0';
}

int nodevars_check_template(const struct config_testbed *ct, unsigned scope,
			    const char *tpl, struct err *e)
{
	struct where w = { ct, scope, "" };
	struct buf list = BUF_INIT;

	if (template_check(tpl, known, &w, e) == 0)
		return 0;
	if (!w.unknown[0])
		return -1;
	if (nodevars_known(ct, scope | NODEVARS_NODE, w.unknown)) {
		char all[160];

		snprintf(all, sizeof(all), "nodes.%s", w.unknown + 5);
		if (nodevars_known(ct, scope, all))
			err_set(e, "unknown placeholder '{%s}' (this template is not "
				"expanded for one node; {%s} has every node's)",
				w.unknown, all);
		else
			err_set(e, "unknown placeholder '{%s}' (this template is not "
				"expanded for one node)", w.unknown);
	}
	else if (nodevars_known(ct, scope | NODEVARS_RUN, w.unknown))
		err_set(e, "unknown placeholder '{%s}' (known only to templates "
			"expanded in a run)", w.unknown);
	else {
		list_known(ct, scope, &list);
		err_set(e, "unknown placeholder '{%s}' (known here: %s)", w.unknown,
			list.data);
	}
	buf_release(&list);
	return -1;
}
