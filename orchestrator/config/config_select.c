/* config_select.c - node selectors: read as written, resolved against
 * the testbed's nodes and roles in the second pass. */
#include "config_select.h"

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

/* "all", a role or a node name, or a list of node names; resolved
 * against the testbed in the second pass. */
int cfg_want_select(struct cfg_ctx *x, const json_t *v,
		    struct config_select *sel)
{
	size_t mark = x->path.len, i, j, n;
	const json_t *el;

	if (json_is_string(v) && json_string_length(v)) {
		sel->spec = xstrdup(json_string_value(v));
		return 0;
	}
	if (!json_is_array(v) || !json_array_size(v))
		return cfg_fail_type(x, v, "\"all\", a role, a node name or a "
				     "non-empty list of node names");
	n = json_array_size(v);
	sel->names = xcalloc(n, sizeof(*sel->names));
	sel->n_names = (int)n;
	for (i = 0; i < n; i++) {
		el = json_array_get(v, i);
		cfg_path_index(x, i);
		if (!json_is_string(el) || !json_string_length(el))
			return cfg_fail_type(x, el, "a node name");
		for (j = 0; j < i; j++)
			if (!strcmp(sel->names[j], json_string_value(el)))
				return cfg_fail(x, "node '%s' is listed twice",
						sel->names[j]);
		sel->names[i] = xstrdup(json_string_value(el));
		cfg_path_pop(x, mark);
	}
	return 0;
}

int cfg_resolve_select(struct cfg_ctx *x, const struct config_testbed *tb,
		       struct config_select *sel)
{
	int i, n = 0, all;

	if (!sel->spec) {
		for (i = 0; i < sel->n_names; i++)
			if (!cfg_find_node(tb, sel->names[i])) {
				cfg_path_index(x, (size_t)i);
				return cfg_fail(x, "no node named '%s'",
						sel->names[i]);
			}
		return 0;
	}
	all = !strcmp(sel->spec, "all");
	if (!all && !cfg_find_node(tb, sel->spec) &&
	    !cfg_has_role(tb, sel->spec))
		return cfg_fail(x, "no node or role named '%s'", sel->spec);
	sel->names = xcalloc((size_t)tb->n_nodes, sizeof(*sel->names));
	for (i = 0; i < tb->n_nodes; i++)
		if (all || !strcmp(tb->nodes[i].name, sel->spec) ||
		    !strcmp(tb->nodes[i].role, sel->spec))
			sel->names[n++] = xstrdup(tb->nodes[i].name);
	sel->n_names = n;
	return 0;
}

void cfg_select_release(struct config_select *sel)
{
	int i;

	for (i = 0; i < sel->n_names; i++)
		free(sel->names[i]);
	free(sel->names);
	free(sel->spec);
	*sel = (struct config_select){ NULL, NULL, 0 };
}
