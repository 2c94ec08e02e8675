/* faults.h - the registry of fault types, orchestrator side.
 *
 * A fault is one table entry: hypervisor faults act through libvirt and
 * QEMU (faults_hv.c) and work even when the guest is wedged; agent
 * faults run `campaign-agent inject` in the guest over SSH
 * (faults_agent.c), whose own catalogue (`campaign-agent list`) names
 * them and their parameters. Applying a fault yields its evidence; a
 * fault without evidence is an infra error, never a flaw.
 */
#ifndef CAMPAIGN_FAULTS_H
#define CAMPAIGN_FAULTS_H

#include <jansson.h>

#include "config.h"
#include "err.h"
#include "plan.h"
#include "testbed.h"

enum fault_side { FAULT_AGENT, FAULT_HYPERVISOR };

/* What a node can do while a fault of the run holds it. The engine tracks
 * this per node so that a guest-side fault never meets a node its own run
 * has frozen or cut down (that is the run's business, not an infra error). */
enum node_state {
	NODE_RUNNING,		/* answers SSH (a fault may still act inside) */
	NODE_PAUSED,		/* vCPUs stopped: SSH hangs */
	NODE_DOWN,		/* powered off: SSH refused */
	NODE_BOOTING,		/* reset or power-cycled: SSH not yet up */
	NODE_LINK_DOWN,		/* cluster link cut; SSH (user net) still works */
};

const char *node_state_name(enum node_state s);

/* 1 when a guest-side fault (or its undo) can reach a node in state s. */
int node_state_reachable(enum node_state s);

/* What a fault acts on. All borrowed. */
struct fault_env {
	struct testbed *tb;
	const struct testbed_node *node;
	const struct plan_fault *pf;
};

/* What an applied fault leaves for its undo. */
struct fault_applied {
	json_t *evidence;	/* owned; what the fault did */
	char *undo_token;	/* owned; NULL: nothing to undo */
	int needs_reset;	/* the node must be restored from the snapshot */
	int needs_boot;		/* ... or, with "recover": "boot", power-cycled
				 * and booted from its own disk (then on_boot) */
};

/* A parameter of a fault of this program (the hypervisor's): what
 * `campaign faults` shows and faults_check enforces, in the same JSON
 * shape as the agent's catalogue (faults_params_describe). */
enum fault_param_type {
	FAULT_PARAM_INTEGER,	/* a JSON integer in [min, max] */
	FAULT_PARAM_NUMBER,	/* a JSON number in [min, max] */
	FAULT_PARAM_BOOLEAN,
	FAULT_PARAM_STRING,	/* min..max characters */
	FAULT_PARAM_ENUM,	/* one of choices */
};

struct fault_param {
	const char *name;
	enum fault_param_type type;
	double min, max;	/* INTEGER, NUMBER: the value; STRING: length */
	const char *def;	/* the default as JSON text; NULL: none */
	const char *const *choices;	/* ENUM: NULL-terminated */
	const char *help;
};

struct fault_type {
	const char *name;
	enum fault_side side;
	const char *summary;
	const char *undo;	/* how it is undone, for the catalogue */
	const struct fault_param *params;	/* ends with a NULL name */
	int (*apply)(const struct fault_env *env, struct fault_applied *ret,
		     struct err *e);
	int (*revert)(const struct fault_env *env, struct fault_applied *a,
		      json_t **ret_evidence, struct err *e);
	/* the node's state from apply until the fault ends */
	enum node_state leaves;
};

/* The hypervisor table (faults_hv.c), terminated by a NULL name. */
extern const struct fault_type faults_hypervisor[];

/* The generic agent entry; its name is filled per lookup. */
int faults_agent_apply(const struct fault_env *env, struct fault_applied *ret,
		       struct err *e);
int faults_agent_revert(const struct fault_env *env, struct fault_applied *a,
			json_t **ret_evidence, struct err *e);

/* The agent's catalogue, from running the local agent's `list` once.
 * Borrowed; NULL and e filled when the agent cannot be run. */
const json_t *faults_agent_catalogue(struct err *e);

/* Find a fault type by name. For agent faults the result is a static
 * per-name entry. NULL when unknown. */
const struct fault_type *faults_lookup(const char *name);

/* config_check_fn for config_check_faults: the type exists and the
 * parameters are known and within range. */
int faults_check(const struct config *c, const char *type, const json_t *params,
		 const char **ret_key, struct err *e);

/* The specs of params as the catalogue shows them: a JSON array of
 * {name, type, required, default, min, max | min_length, max_length |
 * choices, help} (new reference). */
json_t *faults_params_describe(const struct fault_param *params);

/* Check params, the parameters of a config's fault entry (borrowed),
 * against specs, a JSON array in the catalogue's shape (the agent's, or
 * faults_params_describe's), and one_of, groups of names of which
 * exactly one must be given (may be NULL). A value may be of the
 * parameter's type, a range [min, max] of numbers or a choice of
 * strings; each end or element is checked. A string with placeholders
 * must be a template expanded for the target node of testbed ct; its
 * value is known only then. On failure e says what (without the path)
 * and *ret_key names the member ("type" for a missing one). */
int faults_params_check(const char *fault, const json_t *specs,
			const json_t *one_of, const json_t *params,
			const struct config_testbed *ct, const char **ret_key,
			struct err *e);

/* The whole catalogue as JSON (new reference): name, side, summary,
 * params, undo. */
json_t *faults_catalogue(struct err *e);

void fault_applied_release(struct fault_applied *a);

#endif
