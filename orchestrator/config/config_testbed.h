/* config_testbed.h - the field table of the "testbed" section
 * (config_testbed.c), read into struct config_testbed. Above
 * config_field.h; for config*.c only. */
#ifndef CAMPAIGN_CONFIG_TESTBED_H
#define CAMPAIGN_CONFIG_TESTBED_H

#include "config_field.h"

#define CFG_MAX_NODES 16
#define CFG_MAX_PREFIX 24

extern const struct cfg_table cfg_testbed_table;

#endif
