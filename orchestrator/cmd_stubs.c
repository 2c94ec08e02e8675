/* Temporary: commands whose modules are being written. */
#include "commands.h"
#include "log.h"

int cmd_image(int argc, char **argv) { (void)argc; (void)argv; log_error("not yet"); return EXIT_USAGE; }
