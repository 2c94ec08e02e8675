/* options.h - a command's options: one table both parses its argv and
 * prints its --help (git's parse-options), so the two cannot drift.
 *
 *   struct export_args { int json; const char *out; };
 *
 *   static const struct option_spec export_options[] = {
 *           OPT_FLAG(0, "json", struct export_args, json, "print JSON"),
 *           OPT_STRING('o', "out", struct export_args, out, "FILE",
 *                      "write to FILE"),
 *           OPT_END(),
 *   };
 *   static const struct options_cmd export_cmd = {
 *           "export", "export HISTORY [options]", export_options, 1, 1 };
 *
 *   struct export_args a = { 0 };
 *   int n = options_parse(&export_cmd, argc, argv, &a, &e);
 *
 * A table names fields of the caller's struct (by offset), so it is
 * constant data: the command table can point at it and a test can read
 * it. Accepted: "--out FILE", "--out=FILE", "-o FILE", "-oFILE", flags
 * bundled as "-ab", "-h" and "--help" in every command, "--" ending the
 * options; "-" alone is an argument. Options and arguments come in any
 * order. A value option always takes the next word, even one that
 * starts with '-'. Fields are written as options are met; the caller
 * sets their defaults first (NULL, -1 or NAN tell "not given" apart).
 */
#ifndef CAMPAIGN_OPTIONS_H
#define CAMPAIGN_OPTIONS_H

#include <math.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

enum option_type {
	OPTION_END = 0,
	OPTION_FLAG,		/* int: set to 1 */
	OPTION_STRING,		/* const char *: borrowed from argv */
	OPTION_INT,		/* long long: decimal, within [imin, imax] */
	OPTION_NUMBER,		/* double: finite, within [nmin, nmax] */
	OPTION_DURATION,	/* double: seconds of "90m", "1h30m", "500ms"
				 * (config_parse_duration) */
};

/* flags */
#define OPTION_ABOVE_MIN 0x1	/* OPTION_NUMBER: nmin itself excluded */

struct option_spec {
	const char *long_name;	/* without "--"; NULL: a short option only */
	char short_name;	/* 0: a long option only */
	enum option_type type;
	size_t offset;		/* of the field, of the type's C type above */
	const char *arg_name;	/* the value in --help ("DIR"); NULL for flags */
	const char *help;
	long long imin, imax;	/* OPTION_INT */
	double nmin, nmax;	/* OPTION_NUMBER */
	unsigned flags;
};

/* The offset of field f of struct type st, which must have C type
 * ctype: a mismatch is a compile-time warning (an error with -Werror). */
#define OPTION_FIELD_(st, f, ctype) \
	(offsetof(st, f) + 0 * sizeof(1 ? &((st *)0)->f : (ctype *)0))

#define OPT_FLAG(s, l, st, f, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_FLAG, \
	  .offset = OPTION_FIELD_(st, f, int), .help = (h) }
#define OPT_STRING(s, l, st, f, a, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_STRING, \
	  .offset = OPTION_FIELD_(st, f, const char *), .arg_name = (a), \
	  .help = (h) }
#define OPT_INT(s, l, st, f, a, lo, hi, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_INT, \
	  .offset = OPTION_FIELD_(st, f, long long), .arg_name = (a), \
	  .help = (h), .imin = (lo), .imax = (hi) }
#define OPT_NUMBER(s, l, st, f, a, lo, hi, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_NUMBER, \
	  .offset = OPTION_FIELD_(st, f, double), .arg_name = (a), \
	  .help = (h), .nmin = (lo), .nmax = (hi) }
#define OPT_POSITIVE(s, l, st, f, a, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_NUMBER, \
	  .offset = OPTION_FIELD_(st, f, double), .arg_name = (a), \
	  .help = (h), .nmin = 0, .nmax = INFINITY, .flags = OPTION_ABOVE_MIN }
#define OPT_DURATION(s, l, st, f, a, h) \
	{ .long_name = (l), .short_name = (s), .type = OPTION_DURATION, \
	  .offset = OPTION_FIELD_(st, f, double), .arg_name = (a), .help = (h) }
#define OPT_END() { .type = OPTION_END }
/* A command (or one form of it, like "image build"): its usage, options
 * and positional arguments. */
struct options_cmd {
	const char *name;	/* as typed after "campaign": "image build" */
	const char *usage;	/* after "usage: campaign "; lines separated
				 * by '\n' for several forms */
	const struct option_spec *options;	/* ends with OPT_END() */
	int min_args, max_args;	/* positional arguments; max -1: any */
	/* Options are parsed until this many arguments were seen; the
	 * words after the last of them are kept as they are, so that
	 * "testbed ssh CONFIG NODE ls -l" keeps "-l". 0: everywhere. */
	int stop_after;
	/* Optional: text after the options in --help (the checkers). */
	void (*more_help)(struct buf *out);
	/* Optional, NULL-terminated: a command made of subcommands ("image
	 * build", "image show") shows theirs as its --help. */
	const struct options_cmd *const *subcommands;
};

#define OPTIONS_HELP (-2)

/* -h, --help: not in the tables, yet every command has it; the parser
 * answers it, the help and the manual list it. */
extern const struct option_spec options_help;

/* Parse argv[1..argc-1] (argv[0] is the command's name) through
 * cmd->options into the struct at args (borrowed; string fields borrow
 * from argv). Returns the number n of positional arguments, moved to
 * argv[0..n-1] in their order (argv[n] set to NULL); OPTIONS_HELP when
 * -h or --help comes before any error; or -1 with e filled, naming the
 * command and the option or argument:
 *   run: option '--out' needs a value
 *   run: unknown option '--bogus'
 *   run: unexpected argument 'extra'
 *   run: missing arguments */
int options_parse(const struct options_cmd *cmd, int argc, char **argv,
		  void *args, struct err *e);

/* Append "usage: campaign ..." for cmd to out; with_options adds the
 * aligned options list and cmd's more_help. */
void options_usage(const struct options_cmd *cmd, int with_options,
		   struct buf *out);

#endif
