/* Temporary: commands whose modules are being written. */
#include "commands.h"
#include "log.h"

