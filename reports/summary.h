/* summary.h - DIR/summary.json: every figure of the report, for
 * dashboards and scripts. docs/reports.md describes its members. */
#ifndef CAMPAIGN_SUMMARY_H
#define CAMPAIGN_SUMMARY_H

#include <jansson.h>

#include "err.h"

struct report_data;

#define SUMMARY_FORMAT 1	/* "format": bumped when a member changes meaning */

/* The summary of d as a JSON object. New reference. */
json_t *summary_build(const struct report_data *d);

/* Write summary_build(d) to path (atomically). *ret_summary (may be NULL)
 * gets the object (new reference) on success. */
int summary_write(const struct report_data *d, const char *path,
		  json_t **ret_summary, struct err *e);

#endif
