/* config_host.h - files and directories on the host that a config names,
 * found relative to the config file. Above config_value.h; for config*.c
 * only. */
#ifndef CAMPAIGN_CONFIG_HOST_H
#define CAMPAIGN_CONFIG_HOST_H

#include "config_value.h"

/* The recipe directory raw as a new absolute path in *ret; errors at the
 * current path. */
int cfg_resolve_recipe(struct cfg_ctx *x, const char *raw, char **ret);
/* A regular file named relative to the config's directory, or "~/...",
 * as a new absolute path in *ret. */
int cfg_resolve_file(struct cfg_ctx *x, const char *raw, char **ret);

#endif
