/* config.h - a campaign config: JSON -> plain structs, strictly checked.
 *
 * Unknown keys, wrong types and out-of-range values are errors naming the
 * config file, the line and the JSON path, e.g.
 *   configs/demo.json:12: testbed.nodes[1].role: expected a non-empty
 *   string, got 5
 * The fields, their types, bounds, defaults and help are declared once,
 * in field tables (config_field.h); configs/schema.md's tables and
 * configs/campaign.schema.json are generated from them (config_schema.h).
 * The structs are in config_types.h. The parsed config owns every
 * string, array and json_t in it (the json_t params hold one reference
 * each); config_free releases all. Readers borrow.
 */
#ifndef CAMPAIGN_CONFIG_H
#define CAMPAIGN_CONFIG_H

#include "config_duration.h"
#include "config_types.h"
#include "err.h"

struct cfg_table;

/* The field table of a whole config (config.c), for what is generated
 * from it (config_schema.c). */
extern const struct cfg_table config_table;

/* Read and check the config file at path. On success *ret is new
 * (config_free); on failure e names file, line and JSON path. */
int config_load(const char *path, struct config **ret, struct err *e);

/* The same from text (len bytes) as the contents of a file at path:
 * path names it in messages and relative paths are resolved against its
 * directory; path itself is not read. For fuzzing and tests. */
int config_parse(const char *path, const char *text, size_t len,
		 struct config **ret, struct err *e);

/* Takes NULL. */
void config_free(struct config *c);

/* Find a node by name; NULL when there is none. Borrowed. */
const struct config_node *config_node(const struct config *c,
				      const char *name);

/* Find a probe by name; NULL when there is none. Borrowed. */
const struct config_probe *config_probe(const struct config *c,
					const char *name);

/* A registry's check of one fault or oracle entry: type and params are
 * borrowed from c. On failure fill e (without file or path) and return
 * -1; set *ret_key (borrowed, e.g. a key of params, or "type") to point
 * the message at that member instead of the whole entry. */
typedef int (*config_check_fn)(const struct config *c, const char *type,
			       const json_t *params, const char **ret_key,
			       struct err *e);

/* Run check on every fault (oracle) in order, then on every fault step
 * of the scenarios; the first failure comes back as
 * "FILE:LINE: faults[1].signal: <the checker's message>" (or
 * "scenarios[0].steps[2].signal: ..."). */
int config_check_faults(const struct config *c, config_check_fn check,
			struct err *e);
int config_check_oracles(const struct config *c, config_check_fn check,
			 struct err *e);

#endif
