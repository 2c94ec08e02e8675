/* main.c - `campaign`: dispatch to a subcommand of the command table. */
#include "commands.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "usage: campaign [-v|-q] COMMAND [ARGS]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(out, "  %-58s %s\n", c->usage, c->help);
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			log_set_level(LOG_DEBUG);
		else if (!strcmp(argv[i], "-q"))
			log_set_level(LOG_WARN);
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(1, argv + i);
		} else {
			log_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			return c->fn(argc - i, argv + i);
	log_error("unknown command '%s'", argv[i]);
	usage(stderr);
	return EXIT_USAGE;
}
