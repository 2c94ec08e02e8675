/* config_run.h - the field tables of the sections that shape a run
 * (config_run.c): workload, a probe, a fault, schedule, an oracle and
 * logs. Above config_field.h; for config*.c only. */
#ifndef CAMPAIGN_CONFIG_RUN_H
#define CAMPAIGN_CONFIG_RUN_H

#include "config_field.h"

#define CFG_SECONDS_1D 86400.0

extern const struct cfg_table cfg_workload_table;	/* struct config_workload */
extern const struct cfg_table cfg_probe_table;	/* struct config_probe */
extern const struct cfg_table cfg_fault_table;	/* struct config_fault */
extern const struct cfg_table cfg_schedule_table;	/* struct config_schedule */
extern const struct cfg_table cfg_oracle_table;	/* struct config_oracle */
extern const struct cfg_table cfg_logs_table;	/* struct config_logs */

#endif
