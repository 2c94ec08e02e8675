/* commands.h - the subcommands of `campaign`, one file each (cmd_*.c).
 *
 * A command returns the process exit status (DESIGN.md): 0 success,
 * 1 flaws found, 2 usage or config error, 3 infrastructure failure.
 */
#ifndef CAMPAIGN_COMMANDS_H
#define CAMPAIGN_COMMANDS_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_FLAWS = 1,
	EXIT_USAGE = 2,
	EXIT_INFRA = 3,
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command name */
	const char *usage;
	const char *help;
};

/* The command table, terminated by an entry with a NULL name. */
extern const struct command commands[];

int cmd_validate(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_testbed(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_faults(int argc, char **argv);
int cmd_export_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
