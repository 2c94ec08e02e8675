/* config_select.h - node selectors ("all", a role, a node name, or a
 * list of node names) and the lookups of nodes and roles they resolve
 * with. Above config_value.h; for config*.c only. */
#ifndef CAMPAIGN_CONFIG_SELECT_H
#define CAMPAIGN_CONFIG_SELECT_H

#include "config_value.h"

/* The JSON Schema of a selector, as JSON text. */
#define CFG_SELECTOR_SCHEMA \
	"{\"oneOf\": [{\"type\": \"string\", \"minLength\": 1}, " \
	"{\"type\": \"array\", \"items\": {\"type\": \"string\", " \
	"\"minLength\": 1}, \"minItems\": 1, \"uniqueItems\": true}]}"

/* Read a selector at the current path into sel (empty; filled with new
 * strings); it is resolved against the testbed later. */
int cfg_want_select(struct cfg_ctx *x, const json_t *v,
		    struct config_select *sel);
/* Fill sel->names from sel->spec, or check every listed name: errors
 * at the current path. */
int cfg_resolve_select(struct cfg_ctx *x, const struct config_testbed *tb,
		       struct config_select *sel);
/* Takes an empty or partly filled selector; leaves it empty. */
void cfg_select_release(struct config_select *sel);

/* The node called name in tb, or NULL. Borrowed. */
const struct config_node *cfg_find_node(const struct config_testbed *tb,
					const char *name);
int cfg_has_role(const struct config_testbed *tb, const char *role);

#endif
