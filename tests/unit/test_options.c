/* test_options.c - options_parse and options_usage: flags, values,
 * --opt=value, short options, missing values, unknown options,
 * positional arguments, "--", stop_after and the --help layout. */
#include "options.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

struct args {
	int json, force;
	const char *out;
	long long runs;
	double ratio, limit, budget;
};

static const struct option_spec opts[] = {
	OPT_FLAG('j', "json", struct args, json, "print JSON"),
	OPT_FLAG('f', NULL, struct args, force, "force"),
	OPT_STRING('o', "out", struct args, out, "FILE", "write to FILE"),
	OPT_INT(0, "runs", struct args, runs, "N", 1, INT_MAX, "how many runs"),
	OPT_NUMBER(0, "ratio", struct args, ratio, "R", 0, 1, "a share"),
	OPT_POSITIVE(0, "limit", struct args, limit, "S", "a positive limit"),
	OPT_DURATION(0, "budget", struct args, budget, "DURATION", "how long"),
	OPT_END(),
};

static const struct options_cmd cmd = { "demo", "demo A [B] [options]", opts, 1, 2 };

#define MAX_WORDS 16

/* Parse the words of line (split at blanks) as "demo <line>"; *a gets
 * the options, args[] the positional arguments, e the error. */
static int parse(const struct options_cmd *c, const char *line, struct args *a,
		 char ***args, struct err *e)
{
	static char text[512], *argv[MAX_WORDS + 1];
	int argc = 0;

	snprintf(text, sizeof(text), "%s", line);
	argv[argc++] = "demo";
	for (char *save = NULL, *w = strtok_r(text, " ", &save); w && argc < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	*a = (struct args){ .runs = -1, .ratio = NAN, .limit = NAN, .budget = NAN };
	e->msg[0] = '\0';
	*args = argv;
	return options_parse(c, argc, argv, a, e);
}

static void test_values(void)
{
	struct args a;
	struct err e;
	char **args;

	is_int(parse(&cmd, "x --json --out f.txt --runs 3 y", &a, &args, &e), 2,
	       "two arguments among options");
	ok(a.json && !a.force, "--json set, -f not");
	is_str(a.out, "f.txt", "--out FILE");
	is_int(a.runs, 3, "--runs N");
	is_str(args[0], "x", "first argument");
	is_str(args[1], "y", "second argument");
	ok(args[2] == NULL, "arguments end with NULL");
	is_int(parse(&cmd, "--out=a=b x --ratio=0.25 --limit 1e-3 --budget 1h30m", &a,
		     &args, &e), 1, "--opt=value");
	is_str(a.out, "a=b", "the value keeps its own '='");
	ok(a.ratio == 0.25 && a.limit == 1e-3 && a.budget == 5400, "numbers and durations");
	is_int(parse(&cmd, "-jf -o out x", &a, &args, &e), 1, "short options");
	ok(a.json && a.force, "bundled flags");
	is_str(a.out, "out", "-o VALUE");
	is_int(parse(&cmd, "-oout x", &a, &args, &e), 1, "-oVALUE");
	is_str(a.out, "out", "-oVALUE value");
	is_int(parse(&cmd, "x --out -dash", &a, &args, &e), 1, "a value may start with '-'");
	is_str(a.out, "-dash", "dashed value");
	is_int(parse(&cmd, "- --json", &a, &args, &e), 1, "'-' alone is an argument");
	is_str(args[0], "-", "'-' kept");
	is_int(parse(&cmd, "x -- --json", &a, &args, &e), 2, "'--' ends the options");
	ok(!a.json, "--json after '--' is not an option");
	is_str(args[1], "--json", "but an argument");
}

static void fails(const char *line, const char *want)
{
	struct args a;
	struct err e;
	char **args;

	is_int(parse(&cmd, line, &a, &args, &e), -1, line);
	is_str(e.msg, want, line);
}

static void test_errors(void)
{
	fails("x --out", "demo: option '--out' needs a value");
	fails("x -o", "demo: option '-o' needs a value");
	fails("x --bogus", "demo: unknown option '--bogus'");
	fails("x --bogus=1", "demo: unknown option '--bogus'");
	fails("x -jz", "demo: unknown option '-z'");
	fails("x --json=yes", "demo: option '--json' takes no value");
	fails("x --runs 0", "demo: option '--runs' wants a positive integer, got '0'");
	fails("x --runs 2x", "demo: option '--runs' wants a positive integer, got '2x'");
	fails("x --runs 99999999999", "demo: option '--runs' wants a positive integer, "
	      "got '99999999999'");
	fails("x --runs +3", "demo: option '--runs' wants a positive integer, got '+3'");
	fails("x --ratio 1.5", "demo: option '--ratio' wants a number of at least 0 and "
	      "at most 1, got '1.5'");
	fails("x --limit 0", "demo: option '--limit' wants a number greater than 0, "
	      "got '0'");
	fails("x --limit nan", "demo: option '--limit' wants a number greater than 0, "
	      "got 'nan'");
	fails("x --limit inf", "demo: option '--limit' wants a number greater than 0, "
	      "got 'inf'");
	fails("x --budget 1x", "demo: option '--budget' wants a duration like 2h, 90m "
	      "or 1h30m, got '1x'");
	fails("", "demo: missing arguments");
	fails("x y z", "demo: unexpected argument 'z'");
	fails("--bogus --help", "demo: unknown option '--bogus'");
}

static void test_help_and_stop(void)
{
	static const struct options_cmd ssh = { "ssh", "ssh NODE COMMAND...", opts, 1, -1, 1 };
	struct args a;
	struct err e;
	char **args;

	is_int(parse(&cmd, "--help", &a, &args, &e), OPTIONS_HELP, "--help");
	is_int(parse(&cmd, "x -h --bogus", &a, &args, &e), OPTIONS_HELP, "-h before an error");
	is_int(parse(&cmd, "-jh", &a, &args, &e), OPTIONS_HELP, "-h bundled");
	is_int(parse(&cmd, "x -- --help", &a, &args, &e), 2, "--help after '--' is an argument");
	is_int(parse(&ssh, "--json n1 ls -l --help", &a, &args, &e), 4,
	       "stop_after: options end after the first argument");
	ok(a.json, "an option before it counts");
	is_str(args[2], "-l", "the words after it stay as they are");
	is_str(args[3], "--help", "--help too");
	is_int(parse(&ssh, "n1 -- ls", &a, &args, &e), 3, "a '--' after it is kept");
	is_str(args[1], "--", "'--' kept for the command to see");
}

static void test_usage(void)
{
	static const struct option_spec wide[] = {
		OPT_STRING(0, "a-rather-long-option", struct args, out, "VALUE",
			   "help that is long enough to need a second line when it is "
			   "printed in the column"),
		OPT_END(),
	};
	static const struct options_cmd two = { "two", "two X\ntwo --list", wide, 0, 0 };
	struct buf out = BUF_INIT;

	options_usage(&cmd, 0, &out);
	is_str(out.data, "usage: campaign demo A [B] [options]\n", "usage alone");
	buf_reset(&out);
	options_usage(&cmd, 1, &out);
	is_str(out.data,
	       "usage: campaign demo A [B] [options]\n"
	       "\n"
	       "  -j, --json             print JSON\n"
	       "  -f                     force\n"
	       "  -o, --out FILE         write to FILE\n"
	       "      --runs N           how many runs\n"
	       "      --ratio R          a share\n"
	       "      --limit S          a positive limit\n"
	       "      --budget DURATION  how long\n"
	       "  -h, --help             show this help and exit\n",
	       "options aligned, --help last");
	buf_reset(&out);
	options_usage(&two, 1, &out);
	is_str(out.data,
	       "usage: campaign two X\n"
	       "   or: campaign two --list\n"
	       "\n"
	       "      --a-rather-long-option VALUE\n"
	       "                            help that is long enough to need a second line when\n"
	       "                            it is printed in the column\n"
	       "  -h, --help                show this help and exit\n",
	       "several forms; a wide option's help below it, wrapped");
	buf_release(&out);
}

int main(void)
{
	test_values();
	test_errors();
	test_help_and_stop();
	test_usage();
	return tap_done();
}
