/* commands.c - the command table, the top level of `campaign`, and the
 * glue between a command's option table and what it prints. */
#include "commands.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "paths.h"

extern const struct command command_run, command_report, command_serve,
	command_replay, command_faults, command_validate, command_schema,
	command_image,
	command_testbed, command_check, command_export_history,
	command_version, command_help, command_plan, command_merge,
	command_man, command_completion;

const struct command *const commands[] = {
	&command_run,
	&command_report,
	&command_merge,
	&command_serve,
	&command_replay,
	&command_plan,
	&command_faults,
	&command_validate,
	&command_schema,
	&command_image,
	&command_testbed,
	&command_check,
	&command_export_history,
	&command_version,
	&command_help,
	&command_man,
	&command_completion,
	NULL
};

const struct exit_code_doc command_exit_codes[] = {
	{ EXIT_OK, "success; for run, report and merge: no flaw outside the "
	  "baseline (without --baseline: no flaw at all); for check: the "
	  "history is valid" },
	{ EXIT_FLAWS, "flaws found; for run, report and merge: at least one "
	  "flaw whose signature the baseline lacks; for check: the history is "
	  "invalid" },
	{ EXIT_USAGE, "usage or config error: an unknown option, a bad value, "
	  "a config that `campaign validate` refuses, an unreadable results "
	  "directory or baseline; for check: the verdict is unknown" },
	{ EXIT_INFRA, "infrastructure failure: the harness stopped the "
	  "campaign (no healthy testbed was left), or an output could not be "
	  "written" },
	{ EXIT_OK, NULL }
};

const struct command *command_find(const char *name)
{
	for (const struct command *const *c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

/* ---- the top level ---- */

struct top_args {
	int verbose, quiet, version;
};

static void list_commands(struct buf *out)
{
	buf_adds(out, "commands:\n");
	for (const struct command *const *c = commands; *c; c++)
		buf_addf(out, "  %-16s %s\n", (*c)->name, (*c)->help);
	buf_adds(out, "\n'campaign COMMAND --help' (or 'campaign help COMMAND') "
		      "shows a command's options\n");
}

static const struct option_spec top_options[] = {
	OPT_FLAG('v', NULL, struct top_args, verbose, "print debug messages too"),
	OPT_FLAG('q', NULL, struct top_args, quiet, "print only warnings and errors"),
	OPT_FLAG(0, "version", struct top_args, version, "print the version and exit"),
	OPT_END(),
};

/* No name: its errors need no "campaign:" of their own (the log adds it). */
const struct options_cmd commands_top = {
	"", "[-v|-q] COMMAND [ARGS]", top_options, 0, -1, 1, list_commands,
};

void commands_usage(struct buf *out)
{
	options_usage(&commands_top, 1, out);
}

int commands_main(int argc, char **argv)
{
	struct top_args a = { 0 };
	struct buf usage = BUF_INIT;
	const struct command *c;
	struct err e = { "" };
	int n = options_parse(&commands_top, argc, argv, &a, &e);

	if (n == OPTIONS_HELP) {
		commands_usage(&usage);
		fputs(usage.data, stdout);
		buf_release(&usage);
		return fflush(stdout) ? EXIT_INFRA : EXIT_OK;
	}
	if (n >= 0 && a.version)
		return command_find("version")->fn(1, (char *[]){ "version", NULL });
	if (a.verbose)
		log_set_level(LOG_DEBUG);
	else if (a.quiet)
		log_set_level(LOG_WARN);
	if (n > 0 && (c = command_find(argv[0])))
		return c->fn(n, argv);
	if (n < 0)
		log_error("%s", e.msg);
	else if (n > 0)
		log_error("unknown command '%s'", argv[0]);
	commands_usage(&usage);
	log_text(LOG_ERROR, usage.data);
	buf_release(&usage);
	return EXIT_USAGE;
}

/* ---- what commands print about their options ---- */

static int usage_error(const struct options_cmd *cmd, const char *msg)
{
	struct buf usage = BUF_INIT;

	log_error("%s", msg);
	options_usage(cmd, 0, &usage);
	log_text(LOG_ERROR, usage.data);
	buf_release(&usage);
	return EXIT_USAGE;
}

int command_usage_error(const struct options_cmd *cmd, const char *fmt, ...)
{
	char msg[1024];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "%s: ", cmd->name);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return usage_error(cmd, msg);
}

int command_print_help(const struct options_cmd *const *forms)
{
	struct buf out = BUF_INIT;

	for (const struct options_cmd *const *f = forms; *f; f++) {
		if (f != forms)
			buf_addch(&out, '\n');
		options_usage(*f, 1, &out);
	}
	fputs(out.data, stdout);
	buf_release(&out);
	return fflush(stdout) ? EXIT_INFRA : EXIT_OK;
}

int command_write_output(const char *path, const struct buf *data)
{
	struct err e = { "" };

	if (path) {
		if (paths_write_file_atomic(path, data->data, data->len, 1, &e) == 0)
			return EXIT_OK;
		log_error("%s", e.msg);
		return EXIT_INFRA;
	}
	if (fwrite(data->data, 1, data->len, stdout) == data->len &&
	    fflush(stdout) == 0)
		return EXIT_OK;
	log_error("cannot write to standard output: %s", strerror(errno));
	return EXIT_INFRA;
}

struct document_args {
	const char *out;
};

const struct option_spec command_document_options[] = {
	OPT_OUTPUT(struct document_args, out),
	OPT_END(),
};

int command_document(const struct options_cmd *cmd, int argc, char **argv,
		     const struct command_document *docs)
{
	struct document_args a = { NULL };
	struct buf text = BUF_INIT;
	const struct command_document *d;
	int status;

	if (command_options(cmd, &argc, argv, &a, &status) < 0)
		return status;
	for (d = docs; d->name && strcmp(d->name, argv[0]); d++)
		;
	if (!d->name) {
		for (d = docs; d->name; d++)
			buf_addf(&text, "%s%s", text.len ? ", " : "", d->name);
		status = command_usage_error(cmd, "unknown '%s' (known: %s)", argv[0],
					     text.data);
	} else {
		d->make(&text);
		status = command_write_output(a.out, &text);
	}
	buf_release(&text);
	return status;
}

int command_options(const struct options_cmd *cmd, int *argc, char **argv,
		    void *args, int *ret_status)
{
	const struct options_cmd *const forms[] = { cmd, NULL };
	struct err e = { "" };
	int n = options_parse(cmd, *argc, argv, args, &e);

	if (n >= 0) {
		*argc = n;
		return 0;
	}
	if (n == OPTIONS_HELP)
		*ret_status = command_print_help(cmd->subcommands ? cmd->subcommands : forms);
	else
		*ret_status = usage_error(cmd, e.msg);
	return -1;
}
