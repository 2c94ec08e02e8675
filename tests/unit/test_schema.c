/* test_schema.c - the config's field tables: every number bounded, every
 * key helped; and the committed configs/schema.md and
 * configs/campaign.schema.json are what the tables generate (after a
 * change to a table, run scripts/schema-update). */
#include "config.h"
#include "config_field.h"
#include "config_schema.h"
#include "paths.h"
#include "tap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (1 << 20)

static int is_number(enum cfg_type t)
{
	return t == CFG_INT || t == CFG_U64 || t == CFG_NUMBER ||
	       t == CFG_DURATION || t == CFG_RANGE;
}

/* Each field of t (and of the tables below it) once per table. */
static void check_table(const struct cfg_table *t, const char *path, int depth)
{
	const struct cfg_field *f, *g;
	char sub[160];

	if (depth > 8)
		return;
	for (f = t->fields; f->key; f++) {
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", f->key);
		ok(f->help && *f->help, "'%s' has help", sub);
		g = f->type == CFG_ARRAY || f->type == CFG_MAP ? f->elem : f;
		if (is_number(g->type))
			ok(isfinite(g->min) && isfinite(g->max) && g->min <= g->max &&
			   g->max > 0, "'%s' has finite bounds [%g, %g]", sub,
			   g->min, g->max);
		if (g->type == CFG_CUSTOM)
			ok(g->read && g->type_doc && g->schema,
			   "custom '%s' has a reader, a type and a schema", sub);
		if (g->type == CFG_OBJECT)
			check_table(g->table, sub, depth + 1);
	}
	if (t->other)
		ok(t->other_key_doc && t->other_type_doc && t->other_help &&
		   t->other_schema, "'%s': other keys are documented", path);
}

static char *read_text(const char *path)
{
	struct buf b = BUF_INIT;
	struct err e = { "" };

	if (paths_read_file(path, NULL, MAX_FILE, &b, &e) < 0) {
		printf("# %s\n", e.msg);
		buf_release(&b);
		return NULL;
	}
	if (!b.data)
		buf_adds(&b, "");
	return buf_detach(&b);
}

/* got must equal the file at path; else show the first line that
 * differs. */
static void same_as_file(const char *got, const char *path)
{
	char *want = read_text(path);
	const char *g = got, *w = want, *gl = got, *wl = want;
	int line = 1;

	if (!want) {
		ok(0, "%s is readable", path);
		return;
	}
	for (; *g && *g == *w; g++, w++)
		if (*g == '\n') {
			line++;
			gl = g + 1;
			wl = w + 1;
		}
	if (!ok(!*g && !*w, "%s is up to date", path))
		printf("# line %d differs (run scripts/schema-update):\n"
		       "#   generated: %.*s\n#   committed: %.*s\n", line,
		       (int)strcspn(gl, "\n"), gl, (int)strcspn(wl, "\n"), wl);
	free(want);
}

static void test_generated(void)
{
	struct buf out = BUF_INIT;
	struct err e = { "" };
	char *doc = read_text("configs/schema.md");

	ok(config_schema_json(&out, &e) == 0, "JSON Schema generated");
	same_as_file(out.data ? out.data : "", "configs/campaign.schema.json");
	buf_reset(&out);
	ok(doc && config_schema_markdown(doc, &out, &e) == 0,
	   "schema.md's tables generated: %s", e.msg);
	if (doc)
		same_as_file(out.data ? out.data : "", "configs/schema.md");
	buf_reset(&out);
	ok(config_schema_markdown("# x\n<!-- fields: config -->\n", &out, &e) == -1 &&
	   strstr(e.msg, "has no '<!-- fields: testbed -->' line"),
	   "a table without its line: %s", e.msg);
	buf_reset(&out);
	ok(doc && config_schema_markdown(doc, &out, &e) == 0, "again");
	free(doc);
	doc = xasprintf("%s<!-- fields: nodes -->\n", out.data);
	buf_reset(&out);
	ok(config_schema_markdown(doc, &out, &e) == -1 &&
	   !strncmp(e.msg, "no field table 'nodes' (known: config, testbed, ", 48),
	   "an unknown table: %s", e.msg);
	free(doc);
	buf_release(&out);
}

int main(void)
{
	check_table(&config_table, "", 0);
	test_generated();
	return tap_done();
}
