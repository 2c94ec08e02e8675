#include "nodevars.h"

#include <stdlib.h>
#include <string.h>

#include "paths.h"

struct nodeset {
	const struct config_testbed *ct;
	const struct testbed_node *nodes;
	int n;
};

static int forward_index(const struct nodeset *tb, const char *name)
{
	const struct config_testbed *ct = tb->ct;

	for (int k = 0; k < ct->n_forwards; k++)
		if (!strcmp(ct->forward_names[k], name))
			return k;
	return -1;
}

static void join(const struct nodeset *tb, int skip, const char *what,
		 const char *port, struct buf *out)
{
	int fwd = forward_index(tb, what);

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

	if (!strcmp(name, "build")) {
		char *agent = paths_local_agent();	/* <build>/agents/campaign-agent */
		char *slash = strrchr(agent, '/');

		if (slash)
			*slash = '\0';
		buf_addf(out, "%s/..", agent);
		free(agent);
		return 0;
	}
	if (!strncmp(name, "nodes.", 6) && (!strcmp(name + 6, "ip") ||
	    !strcmp(name + 6, "name") || !strcmp(name + 6, "ssh") ||
	    forward_index(tb, name + 6) >= 0)) {
		join(tb, -1, name + 6, NULL, out);
		return 0;
	}
	if (!strcmp(name, "peers.ip") || !strncmp(name, "peers.ip:", 9)) {
		join(tb, node, "ip", name[8] ? name + 9 : NULL, out);
		return 0;
	}
	if (!n)
		return -1;
	if (!strcmp(name, "node.name"))
		buf_adds(out, n->name);
	else if (!strcmp(name, "node.ip"))
		buf_adds(out, n->cluster_ip);
	else if (!strcmp(name, "node.role"))
		buf_adds(out, n->role);
	else if (!strcmp(name, "node.ssh"))
		buf_addf(out, "127.0.0.1:%d", n->ssh_port);
	else if (!strncmp(name, "node.", 5) && forward_index(tb, name + 5) >= 0)
		buf_addf(out, "127.0.0.1:%d", n->forward_ports[forward_index(tb, name + 5)]);
	else
		return -1;
	return 0;
}
