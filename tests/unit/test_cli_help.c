/* test_cli_help.c - every command of the command table answers --help
 * (and -h, and `campaign help NAME`) with exit 0, its usage and every
 * option of its tables on stdout, nothing on stderr; `campaign --help`
 * lists every command; a wrong option names the command and exits 2.
 * Runs the built program (<build>/orchestrator/campaign): no VM, no
 * side effects. Skipped when the program is not built. */
#include "commands.h"
#include "tap.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char campaign[PATH_MAX];

/* Run "campaign ARGS" (shell words without quoting needs); *out gets
 * stdout, *err stderr. Returns the exit status. */
static int run(const char *args, struct buf *out, struct buf *err)
{
	char errpath[] = "/tmp/campaign-test-help-XXXXXX";
	int fd = mkstemp(errpath);
	char *cmd = xasprintf("%s %s 2>%s", campaign, args, errpath);
	char chunk[4096];
	FILE *p;
	size_t n;
	ssize_t got;
	int status;

	buf_reset(out);
	buf_reset(err);
	p = fd >= 0 ? popen(cmd, "r") : NULL;
	free(cmd);
	if (!p) {
		if (fd >= 0)
			close(fd);
		unlink(errpath);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(out, chunk, n);
	status = pclose(p);
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(err, chunk, (size_t)got);
	close(fd);
	unlink(errpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int find_campaign(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = 0;
	snprintf(campaign, sizeof(campaign), "%s/../orchestrator/campaign", dirname(self));
	return access(campaign, X_OK);
}

/* The help in out shows every option of every form of c, each followed
 * by the first word of its help. */
static void shows_options(const struct command *c, const struct buf *out, const char *how)
{
	int missing = 0;

	for (const struct options_cmd *const *f = c->forms; *f; f++) {
		char usage[160];

		snprintf(usage, sizeof(usage), "campaign %s", (*f)->name);
		missing += !strstr(out->data, usage);
		for (const struct option_spec *o = (*f)->options; o->type != OPTION_END; o++) {
			char want[128], word[64];
			const char *at;

			if (o->long_name)
				snprintf(want, sizeof(want), "--%s%s%s ", o->long_name,
					 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
			else
				snprintf(want, sizeof(want), "-%c ", o->short_name);
			snprintf(word, sizeof(word), "%.*s", (int)strcspn(o->help, " "), o->help);
			at = strstr(out->data, want);
			if (!at || !strstr(at, word) || strstr(at, word) - at > 120) {
				printf("#   '%s %s' does not show '%s' with '%s'\n", c->name, how,
				       want, word);
				missing++;
			}
		}
	}
	ok(!missing, "'%s %s' shows its usage and every option", c->name, how);
}

static void test_each_command(struct buf *out, struct buf *err)
{
	struct buf first = BUF_INIT;
	char *args;

	for (const struct command *const *c = commands; *c; c++) {
		ok((*c)->forms && (*c)->forms[0], "'%s' has an option table", (*c)->name);
		args = xasprintf("%s --help", (*c)->name);
		is_int(run(args, out, err), 0, args);
		ok(!strncmp(out->data, "usage: campaign ", 16), "'%s' starts with usage", args);
		ok(strstr(out->data, "  -h, --help ") != NULL, "'%s' lists --help", args);
		is_str(err->data, "", "nothing on stderr");
		shows_options(*c, out, "--help");
		free(args);
		buf_reset(&first);
		buf_adds(&first, out->data);
		args = xasprintf("%s -h", (*c)->name);
		is_int(run(args, out, err), 0, args);
		is_str(out->data, first.data, "-h says the same");
		free(args);
		args = xasprintf("help %s", (*c)->name);
		is_int(run(args, out, err), 0, args);
		is_str(out->data, first.data, "'campaign help NAME' says the same");
		free(args);
		args = xasprintf("%s --no-such-option", (*c)->name);
		is_int(run(args, out, err), 2, args);
		ok(strstr(err->data, "unknown option '--no-such-option'") != NULL &&
		   strstr(err->data, "usage: campaign ") != NULL,
		   "names the option, then the usage: %.*s",
		   (int)strcspn(err->data, "\n"), err->data);
		is_str(out->data, "", "nothing on stdout");
		free(args);
	}
	buf_release(&first);
}

static void test_top_level(struct buf *out, struct buf *err)
{
	int listed = 0, n = 0;

	is_int(run("--help", out, err), 0, "campaign --help");
	for (const struct command *const *c = commands; *c; c++, n++) {
		char line[64];

		snprintf(line, sizeof(line), "\n  %s ", (*c)->name);
		listed += strstr(out->data, line) && strstr(out->data, (*c)->help);
	}
	is_int(listed, n, "every command listed with its summary");
	is_int(run("help", out, err), 0, "campaign help");
	ok(strstr(out->data, "commands:\n") != NULL, "help alone lists the commands");
	is_int(run("help no-such-command", out, err), 2, "help of an unknown command");
	is_int(run("--no-such-option", out, err), 2, "an unknown top-level option");
	ok(strstr(err->data, "unknown option '--no-such-option'") != NULL, "named");
	is_int(run("no-such-command", out, err), 2, "an unknown command");
	ok(strstr(err->data, "unknown command 'no-such-command'") != NULL, "named");
	is_int(run("--version", out, err), 0, "--version");
	ok(!strncmp(out->data, "campaign ", 9), "prints the version");
	is_int(run("run", out, err), 2, "run without CONFIG");
	is_str(err->data, "campaign: error: run: missing arguments\n"
	       "usage: campaign run CONFIG [options]\n", "the usage follows the error");
	is_int(run("run x --out", out, err), 2, "run --out without a value");
	ok(strstr(err->data, "run: option '--out' needs a value") != NULL,
	   "names the command and the option");
	is_int(run("run x --budget soon", out, err), 2, "a bad duration");
	ok(strstr(err->data, "run: option '--budget' wants a duration like 2h, 90m or "
		  "1h30m, got 'soon'") != NULL, "says what a duration is");
	is_int(run("image build --help", out, err), 0, "a subcommand's --help");
	ok(strstr(out->data, "--cache DIR") && !strstr(out->data, "image show"),
	   "only its own form");
}

int main(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (find_campaign() < 0) {
		ok(1, "# SKIP campaign binary not built");
		return tap_done();
	}
	test_each_command(&out, &err);
	test_top_level(&out, &err);
	buf_release(&out);
	buf_release(&err);
	return tap_done();
}
