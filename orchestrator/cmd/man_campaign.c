/* man_campaign.c - campaign(1): the synopsis, options and commands from
 * the command and option tables, the exit status from
 * command_exit_codes; what no table of the program holds (the
 * environment it reads, the files it writes, examples) in short tables
 * here, each checked against the code by test_man. */
#include "man.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "roff.h"

/* A name and what it means. */
struct man_item {
	const char *name, *text;
};

/* Every getenv() of the program (test_man greps them), and what the
 * programs it starts read. */
static const struct man_item environment[] = {
	{ "CAMPAIGN_STATE_DIR", "where images and testbeds are kept (default "
	  "`/var/lib/campaign`): `images/` is the image cache, "
	  "`testbeds/PREFIX/` the state of one testbed" },
	{ "CAMPAIGN_AGENT", "the `campaign-agent` binary to put into images "
	  "(default: the one built next to this program, "
	  "`../agents/campaign-agent`)" },
	{ "CAMPAIGN_IMAGE_BUILD", "the script `campaign image build` runs "
	  "(default: `scripts/image-build` of the source tree the program was "
	  "built from); it reads `CAMPAIGN_DEBIAN_MIRROR` and "
	  "`CAMPAIGN_DEBIAN_SECURITY`, the Debian mirrors it installs from" },
	{ "CAMPAIGN_HISTORY_MAX_BYTES", "the largest operation history a checker "
	  "reads, in bytes (default 1073741824)" },
	{ "CAMPAIGN_REPORT_EVERY_S", "seconds between refreshes of the report "
	  "while `campaign run` runs (default 300)" },
	{ "HOME", "a key file `~/...` in a config (`ssh.key`) is read from this "
	  "directory" },
	{ NULL, NULL }
};

/* The results directory (docs/results-format.md) and the state. */
static const struct man_item files[] = {
	{ "results/NAME/", "the results directory of `campaign run` for the "
	  "config named NAME (`--out DIR` chooses another); an existing one is "
	  "resumed" },
	{ "DIR/campaign.json", "what the campaign was made from: the config, "
	  "its seed, the program's version" },
	{ "DIR/journal.jsonl", "one JSON line per finished run and per event, "
	  "appended and synced: everything else is derived from it" },
	{ "DIR/journal.lock", "the pid of the campaign that holds the directory "
	  "(one campaign per directory)" },
	{ "DIR/flaws/ID.json", "one file per flaw: its signature, counts, "
	  "sightings and example traces" },
	{ "DIR/runs/N/", "run N's working directory: what the workload wrote "
	  "(histories, `workload.log`) and `faults.jsonl`, the fault windows; "
	  "kept for flaw runs unless `logs.keep_runs` is `all`" },
	{ "DIR/report/", "the report: `index.html`, the run lists "
	  "`runs-*.html` and a page per flaw in `flaws/ID.html`" },
	{ "DIR/summary.json", "the campaign's counts and flaws, for scripts" },
	{ "DIR/junit.xml", "the campaign as JUnit XML, for CI (`--junit FILE` "
	  "copies it)" },
	{ "DIR/testbed-owner", "the prefix of the testbed a campaign uses, so "
	  "that two campaigns never share one (`testbed-owner.K` for the K-th "
	  "with `--testbeds`)" },
	{ "/var/lib/campaign/images/", "the image cache, by the content of "
	  "each recipe (see `CAMPAIGN_STATE_DIR`)" },
	{ "/var/lib/campaign/testbeds/PREFIX/", "the disks, snapshots and "
	  "keys of the testbed with that prefix" },
	{ NULL, NULL }
};

static const struct man_item examples[] = {
	{ "campaign validate configs/demo.json", "check a config without side "
	  "effects" },
	{ "campaign plan configs/demo.json --runs 1-5", "what runs 1 to 5 will "
	  "inject, where and when, without a VM" },
	{ "campaign run configs/demo.json --budget 2h --junit junit.xml \\\n"
	  "    --baseline results/prev", "a nightly CI job: at most two hours, a "
	  "JUnit file, exit status 1 only for flaws the previous campaign did "
	  "not find" },
	{ "campaign serve results/demo", "the report and a live status page on "
	  "127.0.0.1" },
	{ "campaign run configs/demo.json --shard 2/4 --out results/demo-2",
	  "the second of four shards, on one of four hosts" },
	{ "campaign merge results/demo \\\n"
	  "    results/demo-1 results/demo-2 results/demo-3 results/demo-4",
	  "the shards' directories as one, with its report" },
	{ "campaign check lost-writes results/demo/runs/7/history.jsonl \\\n"
	  "    --faults results/demo/runs/7/faults.jsonl", "judge a run's history "
	  "again" },
	{ NULL, NULL }
};

/* A usage line: words to type in bold, PLACEHOLDERS in italics. */
static void usage_words(struct buf *out, const char *s, size_t len)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	const char *end = s + len;

	while (s < end) {
		size_t n = strspn(s, word), lower = 0, upper = 0;

		if (n > (size_t)(end - s))
			n = (size_t)(end - s);
		if (!n) {
			n = strcspn(s, word);
			n = n > (size_t)(end - s) ? (size_t)(end - s) : n;
			roff_escape(out, s, n, ROFF_LITERAL);
			s += n;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			lower += s[i] >= 'a' && s[i] <= 'z';
			upper += s[i] >= 'A' && s[i] <= 'Z';
		}
		roff_font(out, upper && !lower ? 'I' : 'B', s, n);
		s += n;
	}
}

/* Each line of cmd's usage, as "campaign LINE". */
static void usage(struct buf *out, const struct options_cmd *cmd)
{
	const char *line = cmd->usage;

	buf_adds(out, ".PP\n");
	while (*line) {
		size_t len = strcspn(line, "\n");

		roff_font(out, 'B', "campaign", 8);
		buf_addch(out, ' ');
		usage_words(out, line, len);
		buf_adds(out, "\n.br\n");
		line += len + (line[len] == '\n');
	}
}

static void option(struct buf *out, const struct option_spec *o)
{
	char *name;

	buf_adds(out, ".TP\n");
	if (o->short_name) {
		name = xasprintf("-%c", o->short_name);
		roff_font(out, 'B', name, strlen(name));
		buf_adds(out, o->long_name ? ", " : "");
		free(name);
	}
	if (o->long_name) {
		name = xasprintf("--%s", o->long_name);
		roff_font(out, 'B', name, strlen(name));
		free(name);
	}
	if (o->arg_name) {
		buf_addch(out, ' ');
		roff_font(out, 'I', o->arg_name, strlen(o->arg_name));
	}
	buf_addch(out, '\n');
	roff_markdown(out, o->help);
	buf_addch(out, '\n');
}

static void options(struct buf *out, const struct option_spec *o)
{
	for (; o->type != OPTION_END; o++)
		option(out, o);
}

static void command(struct buf *out, const struct command *c)
{
	man_heading(out, ".SS", c->name);
	roff_markdown(out, c->help);
	buf_addch(out, '\n');
	for (const struct options_cmd *const *f = c->forms; *f; f++) {
		struct buf more = BUF_INIT;

		usage(out, *f);
		options(out, (*f)->options);
		if ((*f)->more_help) {
			(*f)->more_help(&more);
			man_verbatim(out, more.data);
		}
		buf_release(&more);
	}
}

static void items(struct buf *out, const struct man_item *it)
{
	for (; it->name; it++) {
		char *tag = xasprintf("`%s`", it->name);

		man_tagged(out, tag, it->text);
		free(tag);
	}
}

static void top(struct buf *out)
{
	man_heading(out, ".SH", "NAME");
	buf_adds(out, "campaign \\- run fault-injection campaigns against a "
		 "system under test in virtual machines\n");
	man_heading(out, ".SH", "SYNOPSIS");
	usage(out, &commands_top);
	roff_font(out, 'B', "campaign", 8);
	buf_addch(out, ' ');
	usage_words(out, "COMMAND --help", 14);
	buf_addch(out, '\n');
	man_heading(out, ".SH", "DESCRIPTION");
	man_paragraph(out,
		"`campaign` runs a validation campaign: it boots the system "
		"under test on a testbed of QEMU virtual machines through "
		"libvirt, takes a golden snapshot of the nodes once the system "
		"is ready, then, run after run, restores the nodes, starts the "
		"workload, injects the faults a seeded plan chose (a process "
		"killed, a network partitioned, a VM paused or crashed, a bit "
		"flipped), watches the nodes with probes and judges the run with "
		"oracles. Failing runs that share a signature make one flaw, "
		"with its traces.");
	man_paragraph(out,
		"A campaign is one JSON config (*campaign.json*(5)): "
		"`campaign validate` checks it without side effects, `campaign "
		"plan` shows what the runs will inject without a VM. The same "
		"seed gives the same runs. Everything a campaign learns goes to "
		"its results directory, first to an append-only journal, from "
		"which the report, `summary.json` and `junit.xml` are made; an "
		"interrupted campaign resumes where it stopped.");
	man_heading(out, ".SH", "OPTIONS");
	man_paragraph(out, "Before the command:");
	options(out, commands_top.options);
	option(out, &options_help);
	man_paragraph(out, "Every command takes `-h` and `--help` too: its "
		      "usage and options, as below.");
}

void man_campaign(struct buf *out)
{
	man_title(out, "campaign", 1);
	top(out);
	man_heading(out, ".SH", "COMMANDS");
	for (const struct command *const *c = commands; *c; c++)
		command(out, *c);
	man_heading(out, ".SH", "EXIT STATUS");
	for (const struct exit_code_doc *x = command_exit_codes; x->meaning; x++) {
		char tag[16];

		snprintf(tag, sizeof(tag), "**%d**", (int)x->code);
		man_tagged(out, tag, x->meaning);
	}
	man_heading(out, ".SH", "ENVIRONMENT");
	items(out, environment);
	man_heading(out, ".SH", "FILES");
	items(out, files);
	man_heading(out, ".SH", "EXAMPLES");
	for (const struct man_item *x = examples; x->name; x++) {
		char *text = xasprintf("%s:", x->text);

		man_paragraph(out, text);
		man_verbatim(out, x->name);
		free(text);
	}
	man_heading(out, ".SH", "SEE ALSO");
	buf_adds(out, ".BR campaign.json (5),\n.BR virsh (1),\n"
		 ".BR qemu\\-system\\-x86_64 (1);\n");
	roff_markdown(out, "`README.md` and `docs/` in the source tree.\n");
}
