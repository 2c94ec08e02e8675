/* oracles.h - judgements at the end of a run: a registry of oracles, one
 * file each (oracle_NAME.c).
 *
 * An oracle reads what the run saw (probe samples, the faults and when
 * they ended, the nodes' state at the end, the run directory) and says
 * pass, fail (a flaw of some class, with a one-line reason) or unknown.
 */
#ifndef CAMPAIGN_ORACLES_H
#define CAMPAIGN_ORACLES_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "probes.h"

enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_UNKNOWN };

/* A fault as the run applied it. */
struct oracle_fault {
	const char *type;
	int node;		/* testbed index */
	int64_t start_ms;	/* applied, since the run's start */
	int64_t end_ms;		/* undone (or, instantaneous, applied) */
	int restored;		/* the node was restored from its snapshot */
	int booted;		/* ... or booted cold from its disk ("recover":
				 * "boot"): its SUT starts from scratch */
};

struct oracle_input {
	const struct config *cfg;
	int n_nodes;
	const char *const *node_names;
	const char *const *node_roles;
	const struct oracle_fault *faults;
	int n_faults;
	const struct probe_sample *samples;
	int n_samples;
	int64_t end_ms;		/* the observation window's end */
	const int *node_alive;	/* per node: answered SSH at the end */
	const char *const *node_detail;	/* per node: why not, or NULL */
	/* for `command`: expands {run.dir} and friends */
	const char *(*lookup)(void *ctx, const char *name);
	void *lookup_ctx;
};

struct oracle_verdict {
	enum verdict verdict;
	const char *class_;	/* for FAIL: safety, liveness, containment,
				 * recovery (static string) */
	char reason[512];	/* one line: the first evidence */
	json_t *data;		/* owned, may be NULL: details for the trace */
};

/* One oracle: oracle_NAME.c defines `const struct oracle_type oracle_NAME`
 * and oracles.c lists it. What the engine needs of an oracle is a hook
 * here, never a comparison of its name. */
struct oracle_type {
	const char *name;
	const char *default_class;
	const char *help;
	/* check the params of a config entry (ret_key: the offending key) */
	int (*check)(const struct config *c, const json_t *params,
		     const char **ret_key, struct err *e);
	int (*judge)(const json_t *params, const struct oracle_input *in,
		     struct oracle_verdict *ret, struct err *e);
	/* NULL, or how long after a fault's end (ms) this oracle needs the
	 * probes watched; booted: the node was booted from its disk. params
	 * have passed check. */
	int64_t (*watch_ms)(const struct config *c, const json_t *params, int booted);
};

/* The registry, NULL-terminated (static storage). */
const struct oracle_type *const *oracles_all(void);

/* The oracle named name, or NULL (static storage). */
const struct oracle_type *oracles_lookup(const char *name);

/* How long after a fault's end the config's oracles need the probes
 * watched: the largest of their watch_ms hooks (for a node booted from
 * its disk when booted), 0 when none has one. The engine observes at
 * least this long. */
int64_t oracles_watch_ms(const struct config *c, int booted);

/* config_check_fn for config_check_oracles: the class, then the entry's
 * own check. */
int oracles_check(const struct config *c, const char *type,
		  const json_t *params, const char **ret_key, struct err *e);

#endif
