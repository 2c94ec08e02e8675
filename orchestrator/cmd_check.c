/* Stub until the checkers land. */
#include "commands.h"
#include "log.h"

int cmd_check(int argc, char **argv) { (void)argc; (void)argv; log_error("not yet"); return EXIT_USAGE; }
int cmd_export_history(int argc, char **argv) { (void)argc; (void)argv; log_error("not yet"); return EXIT_USAGE; }
