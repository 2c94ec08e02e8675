/* jsonpos.h - where things are in a JSON text: JSON path -> line.
 *
 * jansson keeps no positions for values, so errors found after parsing
 * could not name a line. This scanner walks the raw text once and
 * records, for every value and every object key, its JSON path and line.
 *
 * Paths: the root is "", object members are joined with '.', array
 * elements get "[i]". A key that is not [A-Za-z0-9_-]+ is written as
 * ["key"] (JSON string escapes), so every path names one place:
 *   testbed.nodes[2].name    probes["a.b"].http    ["odd key"]
 * jsonpos_path_key() and jsonpos_path_index() build paths the same way.
 */
#ifndef CAMPAIGN_JSONPOS_H
#define CAMPAIGN_JSONPOS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct jsonpos;

/* Scan text (len bytes, need not be NUL-terminated). The text should
 * already have passed jansson; on text that is not valid JSON the scan
 * fails with "line N: ..." in e. On success *ret is new (jsonpos_free). */
int jsonpos_scan(const char *text, size_t len, struct jsonpos **ret,
		 struct err *e);

/* Takes NULL. */
void jsonpos_free(struct jsonpos *p);

/* Line (1-based) where the value at path starts; 0 when path is unknown. */
int jsonpos_value_line(const struct jsonpos *p, const char *path);

/* Line of the key that names the member at path; for array elements and
 * the root, the line of the value. 0 when path is unknown. */
int jsonpos_key_line(const struct jsonpos *p, const char *path);

/* Append a member key / an array index to path. */
void jsonpos_path_key(struct buf *path, const char *key);
void jsonpos_path_index(struct buf *path, size_t index);

#endif
