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
extern const struct cfg_table cfg_scenario_table;	/* struct config_scenario */
extern const struct cfg_table cfg_shrink_table;	/* struct config_shrink */

/* A registry's entry type: "fault" or "oracle" names the registry. */
#define CFG_F_TYPE(st, f, what, ...) \
	CFG_F_WORD("type", st, f, 64, CFG_LOWER CFG_DIGITS "-", "[a-z0-9-]", \
		   .help = "the " what " registry checks the name", __VA_ARGS__)

/* The hooks of a fault entry (struct config_fault at obj), shared by
 * faults[] and a scenario's fault steps: parameters into params, the
 * duration, and params' life. */
int cfg_fault_param(struct cfg_ctx *x, const char *key, json_t *v, void *obj);
int cfg_fault_duration(struct cfg_ctx *x, const struct cfg_field *f, json_t *v,
		       void *obj);
int cfg_fault_init(struct cfg_ctx *x, json_t *v, void *obj);
void cfg_fault_release(void *obj);

#endif
