/* man_config.c - campaign.json(5): every key of every section with its
 * type, bounds, default and help, from the config's field tables (the
 * rows configs/schema.md shows, config_schema_walk()); around them what
 * a reader needs to write one. configs/schema.md says more. */
#include "man.h"

#include "config_schema.h"
#include "roff.h"

const char man_config_example[] =
	"{\n"
	"  \"name\": \"counter\",\n"
	"  \"seed\": 42,\n"
	"  \"testbed\": {\n"
	"    \"image\": \"../workloads/tiny\",\n"
	"    \"bootstrap\": [\n"
	"      {\"upload\": \"{build}/tests/sut/counterd\", \"to\": \"/usr/bin/counterd\",\n"
	"       \"mode\": \"0755\"},\n"
	"      {\"upload\": \"../tests/sut/counterd-supervise\",\n"
	"       \"to\": \"/usr/bin/counterd-supervise\", \"mode\": \"0755\"},\n"
	"      {\"run\": \"mkdir -p /var/lib/counterd && counterd-supervise -d --port 8080 --id {node.name} --peers {peers.ip:8080} --state /var/lib/counterd/state --pidfile /run/counterd.pid\"},\n"
	"      {\"wait\": \"wget -q -O - http://127.0.0.1:8080/health\", \"timeout_s\": 30}\n"
	"    ],\n"
	"    \"nodes\": [{\"name\": \"n1\"}, {\"name\": \"n2\"}, {\"name\": \"n3\"}]\n"
	"  },\n"
	"  \"probes\": {\n"
	"    \"health\": {\"ssh\": \"wget -q -O - http://127.0.0.1:8080/health\",\n"
	"               \"expect_output\": \"ok\"}\n"
	"  },\n"
	"  \"faults\": [\n"
	"    {\"type\": \"process-kill\", \"process\": \"counterd\", \"signal\": \"KILL\"},\n"
	"    {\"type\": \"vm-pause\", \"duration_s\": [1, 3]}\n"
	"  ],\n"
	"  \"schedule\": {\"runs\": 100, \"budget\": \"2h\"},\n"
	"  \"oracles\": [\n"
	"    {\"type\": \"probe-recovers\", \"probe\": \"health\", \"within_s\": 10},\n"
	"    {\"type\": \"containment\"}\n"
	"  ]\n"
	"}\n";

static const char *const description[] = {
	"A campaign config is one JSON file: the testbed of virtual machines "
	"that runs the system under test, its workload, the probes that watch "
	"it, the faults to inject, the schedule, the oracles that judge each "
	"run and the logs to keep. `campaign validate CONFIG` checks one "
	"without side effects and says `configuration OK`.",
	"It is read strictly: unknown keys, wrong types, values out of bounds "
	"and missing required keys are errors, reported one at a time, the "
	"first in the file first, as `FILE:LINE: PATH: problem`, e.g. "
	"`x.json:7: schedule.runs: expected an integer between 1 and 1000000, "
	"got \"ten\"`. A key close to a known one gets a \"did you mean\".",
	"An *integer* is written without a fraction; a *number* may have one. "
	"A *range* is `[min, max]`, and a single number `n` stands for "
	"`[n, n]`. A *duration string* is one or more numbers each followed by "
	"its unit, the units `d`, `h`, `m`, `s`, `ms` in that order: `8h`, "
	"`90m`, `1h30m`, `500ms`.",
	NULL
};

static const char *const after[] = {
	"**Node selectors** (`workload.node`, `probes.*.nodes`, `nodes` of "
	"steps): `\"all\"`, a role (its nodes), a node name, or an array of "
	"node names; a selector selects at least one node.",
	"**Command templates** are expanded with each node's and run's values, "
	"shell-quoted: `{node.name}`, `{node.ip}`, `{node.role}`, "
	"`{nodes.ip}`, `{peers.ip}`, `{peers.ip:PORT}`, `{build}`, and in a "
	"run `{run.dir}`, `{run.n}` and `{seed}`; `{{` and `}}` are braces. "
	"An unknown placeholder is an error when the config is read.",
	"**Paths**: `testbed.image` is tried against the config's directory, "
	"the current directory, then the source tree; `ssh.key` is relative "
	"to the config's directory, or `~/`.",
	NULL
};

static void paragraphs(struct buf *out, const char *const *md)
{
	for (; *md; md++)
		man_paragraph(out, *md);
}

static void table(void *ctx, const char *name, int top)
{
	man_heading(ctx, ".SS", top ? "top level" : name);
}

/* .TP, the key; its type and default; its help. */
static void row(void *ctx, const struct config_doc_row *r)
{
	struct buf *out = ctx;

	buf_adds(out, ".TP\n");
	roff_markdown(out, r->key);
	buf_addch(out, '\n');
	roff_markdown(out, r->type);
	if (*r->def) {
		buf_adds(out, "; default ");
		roff_markdown(out, r->def);
	}
	buf_adds(out, "\n.br\n");
	roff_markdown(out, r->help);
	buf_addch(out, '\n');
}

void man_config(struct buf *out)
{
	const struct config_doc_visit visit = { table, row, out };

	man_title(out, "campaign.json", 5);
	man_heading(out, ".SH", "NAME");
	buf_adds(out, "campaign.json \\- the config of a validation campaign\n");
	man_heading(out, ".SH", "DESCRIPTION");
	paragraphs(out, description);
	man_heading(out, ".SH", "KEYS");
	man_paragraph(out, "Each section's keys, as the program reads them; "
		      "`nodes[]` is an element of the array `nodes`, "
		      "`probes.*` a member of the object `probes`.");
	config_schema_walk(&visit);
	man_heading(out, ".SH", "NOTES");
	paragraphs(out, after);
	man_heading(out, ".SH", "EXAMPLE");
	man_verbatim(out, man_config_example);
	man_heading(out, ".SH", "SEE ALSO");
	buf_adds(out, ".BR campaign (1);\n");
	roff_markdown(out, "`configs/schema.md`, the same tables with more "
		      "words, and `configs/campaign.schema.json`, the JSON "
		      "Schema, in the source tree.\n");
}
