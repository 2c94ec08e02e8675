/* oracles_priv.h - what the oracle_*.c files share; not for other modules.
 *
 * oracles.c holds these helpers next to the registry: checks of common
 * parameters, and the judgement and watch of the recovery oracles
 * (probe-recovers and node-rejoins differ only in which faults count).
 */
#ifndef CAMPAIGN_ORACLES_PRIV_H
#define CAMPAIGN_ORACLES_PRIV_H

#include "oracles.h"

/* The longest wait an oracle parameter may ask for: a day. The judges
 * turn seconds into int milliseconds, which this keeps far from overflow. */
#define ORACLE_MAX_S 86400

/* The index of the probe named name in c, or -1. */
int oracles_probe_index(const struct config *c, const char *name);

/* params[key], when given, is a number of seconds in (0, ORACLE_MAX_S]. */
int oracles_check_seconds(const json_t *params, const char *key, const char **ret_key,
			  struct err *e);

/* params: {"probe": name, "within_s": number, "boot_within_s": number,
 * "class": string} and nothing else; within_s required when needs_within. */
int oracles_check_probe(const struct config *c, const json_t *params, int needs_within,
			const char **ret_key, struct err *e);

/* 1 if some fault of the run targeted node. */
int oracles_targeted(const struct oracle_input *in, int node);

/* The recovery judgement: after each fault (only those whose node was
 * restored from its snapshot, when only_restored) the probe is healthy
 * on its node within within_s (boot_within_s after a cold boot) and at
 * its last sample. Fills ret; the params passed oracles_check_probe. */
void oracles_judge_recovery(const json_t *params, const struct oracle_input *in,
			    int only_restored, struct oracle_verdict *ret);

/* watch_ms hook of the recovery oracles: within_s (boot_within_s when
 * booted and given) plus one interval of their probe. */
int64_t oracles_watch_recovery(const struct config *c, const json_t *params, int booted);

#endif
