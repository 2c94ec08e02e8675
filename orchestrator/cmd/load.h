/* load.h - a config checked against the fault and oracle registries. */
#ifndef CAMPAIGN_LOAD_H
#define CAMPAIGN_LOAD_H

#include "config.h"

/* config_load, then every fault and oracle entry checked by its
 * registry. On success *ret is new (config_free). */
int load_campaign_config(const char *path, struct config **ret, struct err *e);

#endif
