/* cmd_schema.c - `campaign schema`: the JSON Schema of a campaign config
 * for editors, or schema.md with its field tables generated, both from
 * the tables the config reader uses (config_schema.h). */
#include "commands.h"
#include "config_schema.h"
#include "log.h"
#include "paths.h"

#include <stdio.h>

#define MAX_DOC_BYTES (1 << 20)

struct schema_args {
	const char *markdown;
};

static const struct option_spec schema_options[] = {
	OPT_STRING(0, "markdown", struct schema_args, markdown, "FILE",
		   "print FILE (configs/schema.md) with the table after each "
		   "'<!-- fields: NAME -->' line generated"),
	OPT_END(),
};

static const struct options_cmd schema_cmd = {
	"schema", "schema [--markdown FILE]", schema_options, 0, 0,
};

static int cmd_schema(int argc, char **argv)
{
	struct schema_args a = { NULL };
	struct buf doc = BUF_INIT, out = BUF_INIT;
	struct err e;
	int status = EXIT_OK;

	if (command_options(&schema_cmd, &argc, argv, &a, &status) < 0)
		return status;
	if (a.markdown &&
	    (paths_read_file(a.markdown, NULL, MAX_DOC_BYTES, &doc, &e) < 0 ||
	     config_schema_markdown(doc.data ? doc.data : "", &out, &e) < 0)) {
		log_error("schema: %s", e.msg);
		status = EXIT_USAGE;
	} else if (!a.markdown && config_schema_json(&out, &e) < 0) {
		log_error("schema: %s", e.msg);
		status = EXIT_INFRA;
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len ||
		   fflush(stdout) != 0) {
		log_error("schema: cannot write the output");
		status = EXIT_INFRA;
	}
	buf_release(&doc);
	buf_release(&out);
	return status;
}

static const struct options_cmd *const schema_forms[] = { &schema_cmd, NULL };

const struct command command_schema = {
	"schema", cmd_schema, "print the JSON Schema of a campaign config (or "
	"schema.md with its field tables generated)", schema_forms,
};
