/* config_schema.h - what is generated from the config's field tables:
 * the JSON Schema editors complete a config with
 * (configs/campaign.schema.json) and the field tables of
 * configs/schema.md. Both are committed; tests/unit/test_schema.c fails
 * when either differs from what the tables generate, and
 * scripts/schema-update writes them again (campaign schema). The same
 * rows, through config_schema_walk(), make campaign.json(5).
 */
#ifndef CAMPAIGN_CONFIG_SCHEMA_H
#define CAMPAIGN_CONFIG_SCHEMA_H

#include "buf.h"
#include "err.h"

/* Append the JSON Schema (draft-07) of a campaign config to out:
 * indented JSON ending in a newline, with every key's type, bounds,
 * enum values, default and help, and additionalProperties false. */
int config_schema_json(struct buf *out, struct err *e);

/* Append doc (the text of schema.md) to out with the table after each
 * line "<!-- fields: NAME -->" replaced by the generated table of the
 * field table NAME (one row per key: key, type, default, notes). Fails
 * on an unknown NAME and on a named field table without its line:
 *   no field table 'testbed.nodes[]' (known: config, testbed, ...)
 *   field table 'logs' has no '<!-- fields: logs -->' line */
int config_schema_markdown(const char *doc, struct buf *out, struct err *e);

/* One row of a field table as schema.md shows it, each cell markdown
 * (borrowed, valid during the call): key ("`seed`", or "*anything
 * else*" for the keys other() takes), type with bounds and ", **required**",
 * default ("" when none), help. */
struct config_doc_row {
	const char *key, *type, *def, *help;
};

/* What config_schema_walk() calls, with ctx: table() with the name of
 * each field table that schema.md documents ("testbed.nodes[]"; top: 1
 * for the config's own), then row() for each of its rows. */
struct config_doc_visit {
	void (*table)(void *ctx, const char *name, int top);
	void (*row)(void *ctx, const struct config_doc_row *row);
	void *ctx;
};

/* Visit the documented field tables from the top down (each table
 * before those its fields hold, in the order of its fields). */
void config_schema_walk(const struct config_doc_visit *v);

#endif
