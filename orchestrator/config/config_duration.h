/* config_duration.h - durations as configs and options write them
 * ("8h", "1h30m", "500ms"), parsed without locale (config_duration.c).
 * Included by config.h; used by the config reader and options.c. */
#ifndef CAMPAIGN_CONFIG_DURATION_H
#define CAMPAIGN_CONFIG_DURATION_H

/* Parse a duration: one or more <number><unit> in decreasing units,
 * units d, h, m, s, ms; e.g. "8h", "1h30m", "45s", "500ms", "1.5h".
 * On success *ret_seconds is set; on failure it is untouched and -1 is
 * returned. */
int config_parse_duration(const char *s, double *ret_seconds);

#endif
