/* options.c - parse a command's argv through its option table, and print
 * the same table as its --help. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define HELP_COLUMN_MAX 28	/* wider option names put their help below */
#define HELP_WIDTH 79

const struct option_spec options_help = {
	.long_name = "help", .short_name = 'h', .type = OPTION_FLAG,
	.help = "show this help and exit",
};

struct parser {
	const struct options_cmd *cmd;
	void *args;
	struct err *e;
};

/* Fill p->e with "CMD: <message>" (no prefix for a nameless command). */
static int fail(const struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(const struct parser *p, const char *fmt, ...)
{
	char msg[sizeof(p->e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!p->cmd->name || !*p->cmd->name)
		return err_set(p->e, "%s", msg);
	return err_set(p->e, "%s: %s", p->cmd->name, msg);
}

static void *field(const struct parser *p, const struct option_spec *o)
{
	return (char *)p->args + o->offset;
}

static const struct option_spec *find_long(const struct option_spec *o,
					   const char *name, size_t len)
{
	for (; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	if (len == 4 && !strncmp(name, "help", 4))
		return &options_help;
	return NULL;
}

static const struct option_spec *find_short(const struct option_spec *o, char c)
{
	for (; o->type != OPTION_END; o++)
		if (o->short_name && o->short_name == c)
			return o;
	return c == 'h' ? &options_help : NULL;
}

/* ---- values ---- */

static void int_phrase(long long lo, long long hi, char *out, size_t n)
{
	if (lo == 1 && (hi == INT_MAX || hi == LLONG_MAX))
		snprintf(out, n, "a positive integer");
	else if (lo == 0 && (hi == INT_MAX || hi == LLONG_MAX))
		snprintf(out, n, "a non-negative integer");
	else
		snprintf(out, n, "an integer from %lld to %lld", lo, hi);
}

static void number_phrase(const struct option_spec *o, char *out, size_t n)
{
	int above = o->flags & OPTION_ABOVE_MIN;

	if (o->nmin == 0 && isinf(o->nmax))
		snprintf(out, n, "a number %s 0", above ? "greater than" : "of at least");
	else
		snprintf(out, n, "a number %s %g and at most %g",
			 above ? "greater than" : "of at least", o->nmin, o->nmax);
}

/* Decimal digits with an optional '-', nothing else (no blanks, no '+'). */
static int parse_int(const char *s, long long lo, long long hi, long long *ret)
{
	const char *digits = s + (*s == '-');
	char *end;
	long long v;

	if (*digits < '0' || *digits > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*ret = v;
	return 0;
}

static int parse_number(const char *s, const struct option_spec *o, double *ret)
{
	char *end;
	double v;

	if (!*s || strchr(" \t\n+", *s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v > o->nmax ||
	    ((o->flags & OPTION_ABOVE_MIN) ? v <= o->nmin : v < o->nmin))
		return -1;
	*ret = v;
	return 0;
}

/* Store val for option o, written by the user as name. */
static int set_value(struct parser *p, const struct option_spec *o,
		     const char *name, const char *val)
{
	char want[96];
	long long i;
	double d;

	switch (o->type) {
	case OPTION_STRING:
		*(const char **)field(p, o) = val;
		return 0;
	case OPTION_INT:
		if (parse_int(val, o->imin, o->imax, &i) == 0) {
			*(long long *)field(p, o) = i;
			return 0;
		}
		int_phrase(o->imin, o->imax, want, sizeof(want));
		break;
	case OPTION_NUMBER:
		if (parse_number(val, o, &d) == 0) {
			*(double *)field(p, o) = d;
			return 0;
		}
		number_phrase(o, want, sizeof(want));
		break;
	case OPTION_DURATION:
		if (config_parse_duration(val, &d) == 0) {
			*(double *)field(p, o) = d;
			return 0;
		}
		snprintf(want, sizeof(want), "a duration like 2h, 90m or 1h30m");
		break;
	default:
		return fail(p, "option '%s' has no value type", name);
	}
	return fail(p, "option '%s' wants %s, got '%s'", name, want, val);
}

/* ---- words ---- */

/* "--name", "--name=value" or "--name value" at argv[*i]. */
static int parse_long(struct parser *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct option_spec *o = find_long(p->cmd->options, name, len);
	char shown[80];

	snprintf(shown, sizeof(shown), "--%.*s", (int)(len < 64 ? len : 64), name);
	if (!o)
		return fail(p, "unknown option '%s'", shown);
	if (o == &options_help && !eq)
		return OPTIONS_HELP;
	if (o->type == OPTION_FLAG) {
		if (eq)
			return fail(p, "option '%s' takes no value", shown);
		*(int *)field(p, o) = 1;
		return 0;
	}
	if (eq)
		return set_value(p, o, shown, eq + 1);
	if (*i + 1 >= argc)
		return fail(p, "option '%s' needs a value", shown);
	return set_value(p, o, shown, argv[++*i]);
}

/* "-x", "-xyz" (flags), "-oVALUE" or "-o VALUE" at argv[*i]. */
static int parse_short(struct parser *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];

	for (const char *c = arg + 1; *c; c++) {
		const struct option_spec *o = find_short(p->cmd->options, *c);
		char shown[3] = { '-', *c, '\0' };

		if (!o)
			return fail(p, "unknown option '%s'", shown);
		if (o == &options_help)
			return OPTIONS_HELP;
		if (o->type == OPTION_FLAG) {
			*(int *)field(p, o) = 1;
			continue;
		}
		if (c[1])
			return set_value(p, o, shown, c + 1);
		if (*i + 1 >= argc)
			return fail(p, "option '%s' needs a value", shown);
		return set_value(p, o, shown, argv[++*i]);
	}
	return 0;
}

int options_parse(const struct options_cmd *cmd, int argc, char **argv,
		  void *args, struct err *e)
{
	struct parser p = { cmd, args, e };
	int n = 0, done = 0, r;

	for (int i = 1; i < argc; i++) {
		char *arg = argv[i];

		if (done || arg[0] != '-' || !arg[1]) {
			argv[n++] = arg;	/* n <= i: never ahead of the reading */
			done |= cmd->stop_after && n == cmd->stop_after;
			continue;
		}
		if (!strcmp(arg, "--")) {
			done = 1;
			continue;
		}
		r = arg[1] == '-' ? parse_long(&p, argc, argv, &i)
				  : parse_short(&p, argc, argv, &i);
		if (r < 0)
			return r;
	}
	if (argc > 0)
		argv[n] = NULL;
	if (n < cmd->min_args)
		return fail(&p, "missing arguments");
	if (cmd->max_args >= 0 && n > cmd->max_args)
		return fail(&p, "unexpected argument '%s'", argv[cmd->max_args]);
	return n;
}

/* ---- help ---- */

static void left_column(const struct option_spec *o, struct buf *out)
{
	if (o->short_name)
		buf_addf(out, "-%c%s", o->short_name, o->long_name ? ", " : "");
	else
		buf_adds(out, "    ");
	if (o->long_name)
		buf_addf(out, "--%s", o->long_name);
	if (o->arg_name)
		buf_addf(out, " %s", o->arg_name);
}

/* The option's names at the left, its help from column on, wrapped at
 * HELP_WIDTH (a single word longer than that stays whole). */
static void option_line(const struct option_spec *o, size_t column, struct buf *out)
{
	size_t start = out->len, width;
	const char *word = o->help;

	buf_adds(out, "  ");
	left_column(o, out);
	width = out->len - start;
	if (width + 2 > column) {
		buf_addch(out, '\n');
		width = 0;
	}
	buf_addf(out, "%*s", (int)(column - width), "");
	width = column;
	while (*word) {
		size_t len = strcspn(word, " ");

		if (width > column && width + 1 + len > HELP_WIDTH) {
			buf_addf(out, "\n%*s", (int)column, "");
			width = column;
		} else if (width > column) {
			buf_addch(out, ' ');
			width++;
		}
		buf_add(out, word, len);
		width += len;
		word += len;
		word += strspn(word, " ");
	}
	buf_addch(out, '\n');
}

void options_usage(const struct options_cmd *cmd, int with_options,
		   struct buf *out)
{
	const char *line = cmd->usage;
	const struct option_spec *o;
	size_t column = 0;

	for (int first = 1; *line; first = 0) {
		size_t len = strcspn(line, "\n");

		buf_addf(out, "%s campaign %.*s\n", first ? "usage:" : "   or:",
			 (int)len, line);
		line += len + (line[len] == '\n');
	}
	if (!with_options)
		return;
	for (o = cmd->options; ; o++) {
		const struct option_spec *show = o->type == OPTION_END ? &options_help : o;
		struct buf left = BUF_INIT;

		left_column(show, &left);
		if (left.len + 4 > column)
			column = left.len + 4;
		buf_release(&left);
		if (o->type == OPTION_END)
			break;
	}
	if (column > HELP_COLUMN_MAX)
		column = HELP_COLUMN_MAX;
	buf_addch(out, '\n');
	for (o = cmd->options; o->type != OPTION_END; o++)
		option_line(o, column, out);
	option_line(&options_help, column, out);
	if (cmd->more_help) {
		buf_addch(out, '\n');
		cmd->more_help(out);
	}
}
