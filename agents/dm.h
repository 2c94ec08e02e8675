/* dm.h - just enough device-mapper (ioctls on /dev/mapper/control, no
 * dmsetup in the guest) to swap the table of an existing device. */
#ifndef CAMPAIGN_AGENT_DM_H
#define CAMPAIGN_AGENT_DM_H

#include "agent.h"

#include <sys/types.h>

/* The block major of device-mapper (from /proc/devices), or -1. */
int dm_major(void);
/* The name of the dm device dev. */
int dm_name_of(dev_t dev, char *ret_name, size_t size, struct agent_err *e);
/* The live table of device name: a new array of {start, length, type,
 * params} (sectors). */
int dm_table(const char *name, json_t **ret, struct agent_err *e);
/* Load table (same shape, borrowed) into device name and make it live:
 * suspend without flushing or freezing, resume. */
int dm_swap(const char *name, json_t *table, struct agent_err *e);
/* "start length type params" lines (new string array). */
json_t *dm_table_lines(json_t *table);

#endif
