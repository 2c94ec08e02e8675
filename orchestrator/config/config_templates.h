/* config_templates.h - the second pass over every template of a config
 * (config_templates.c). Above config_value.h; for config*.c only. */
#ifndef CAMPAIGN_CONFIG_TEMPLATES_H
#define CAMPAIGN_CONFIG_TEMPLATES_H

#include "config_value.h"

/* Every template's placeholders exist where it is expanded and its
 * braces are closed; errors name the template's path. */
int cfg_check_templates(struct cfg_ctx *x);

#endif
