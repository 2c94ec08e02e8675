/* harness.h - everything a run does to the world, behind one ops table.
 *
 * The engine owns the run lifecycle and no I/O of its own (journal and
 * run directory files aside): it resets and boots nodes, runs commands
 * on them, applies and undoes faults, starts and stops the workload,
 * samples probes and reads the clock through a harness. The real driver
 * (harness_real.c) sits on testbed, ssh, faults, probes and proc; a fake
 * driver in tests/unit is scripted by the unit tests, the way libvirt's
 * test:///default serves tests that need no hypervisor.
 *
 * A harness serves one run at a time (one testbed). Every op that can
 * fail returns 0 or -1 with e filled; none prints.
 */
#ifndef CAMPAIGN_HARNESS_H
#define CAMPAIGN_HARNESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "faults.h"
#include "plan.h"
#include "probes.h"
#include "testbed.h"

struct harness;

struct harness_ops {
	/* RESET: bring the named nodes (NULL: all) back to their golden
	 * state, in parallel. rep (may be NULL) has one entry per node,
	 * filled for the nodes reset (the path taken, how long). */
	int (*reset)(struct harness *h, const char *const *names, int n,
		     struct reset_report *rep, struct err *e);
	/* Power-cycle node i keeping its disk, wait for it, run on_boot.
	 * -1: it did not come back (what the fault did to its disk: the
	 * SUT's outcome); TESTBED_ON_BOOT_FAILED: an on_boot step failed
	 * (the config's own step: an infra error). */
	int (*boot_node)(struct harness *h, int node, struct err *e);
	/* Run cmd on node i within timeout_ms; a non-zero exit is an error
	 * (its stderr quoted). Its stdout is appended to out (may be NULL). */
	int (*exec)(struct harness *h, int node, const char *cmd,
		    int timeout_ms, struct buf *out, struct err *e);
	/* Does node i answer (within timeout_ms)? Cheaper than exec: the
	 * real driver asks the node's control channel first. */
	int (*alive)(struct harness *h, int node, int timeout_ms,
		     struct err *e);
	/* The hypervisor's view of node i: "running", "paused", "shut off"...
	 * *ret_state is new. */
	int (*domain_state)(struct harness *h, int node, char **ret_state,
			    struct err *e);

	/* INJECT: apply ft to node i as pf describes; undo it. */
	int (*fault_apply)(struct harness *h, const struct fault_type *ft,
			   int node, const struct plan_fault *pf,
			   struct fault_applied *ret, struct err *e);
	int (*fault_revert)(struct harness *h, const struct fault_type *ft,
			    int node, const struct plan_fault *pf,
			    struct fault_applied *a, json_t **ret_evidence,
			    struct err *e);

	/* WORKLOAD on the controller: cmd through /bin/sh in its own session,
	 * output to log_path. Stop: run stop_cmd (may be NULL) or send SIGTERM,
	 * wait up to timeout_ms, then SIGKILL. *ret_status is the exit status
	 * (128+N for signal N); the op returns 0 when a workload had run,
	 * 1 when none was running. */
	int (*workload_start)(struct harness *h, const char *cmd,
			      const char *log_path, struct err *e);
	int (*workload_stop)(struct harness *h, const char *stop_cmd,
			     int64_t timeout_ms, int *ret_status);

	/* PROBES: one check of every target now (1: all pass; why says which
	 * failed), then sampling from probes_start to probes_stop. Samples and
	 * transitions are readable after probes_stop, until probes_free. */
	int (*probes_check)(struct harness *h, const struct probe_target *t,
			    int n, char *why, size_t why_size);
	int (*probes_start)(struct harness *h, const struct probe_target *t,
			    int n, int64_t t0_ms, struct err *e);
	/* node i was restored or power-cycled: drop sessions to it */
	void (*probes_drop_node)(struct harness *h, int node);
	void (*probes_stop)(struct harness *h);
	const struct probe_sample *(*probes_samples)(struct harness *h,
						    int *ret_n);
	const struct probe_transition *(*probes_transitions)(struct harness *h,
							    int *ret_n);
	/* the record's view of the samples (new reference), NULL if none */
	json_t *(*probes_json)(struct harness *h, int max_samples);
	void (*probes_free)(struct harness *h);

	/* REPAIR: the testbed's own health: every node's domain runs and
	 * answers a command (reconnecting to the hypervisor if it went away).
	 * bad (n_nodes long) is set to 1 for each failing node; -1 and e
	 * (the first failure) when any fails. Then: tear the testbed down
	 * and bring it up again, or rebuild one node from its image and
	 * take a fresh golden cut of the testbed. */
	int (*health)(struct harness *h, int *bad, struct err *e);
	int (*rebuild)(struct harness *h, struct err *e);
	int (*rebuild_node)(struct harness *h, int node, struct err *e);

	/* CLOCK: monotonic milliseconds; sleep. */
	int64_t (*now_ms)(struct harness *h);
	void (*sleep_ms)(struct harness *h, int64_t ms);
};

struct harness {
	const struct harness_ops *ops;
	const struct config *cfg;	/* borrowed */
	int n_nodes;
	/* borrowed, n_nodes long: names, roles, addresses, ssh targets */
	const struct testbed_node *nodes;
	const char *image_hash;		/* borrowed, may be NULL */
	const char *accel;		/* "kvm", "tcg" or the fake's name */
	void *priv;			/* the driver's */
};

/* The real driver over an open testbed (borrowed; it must outlive the
 * harness). *ret is new (harness_real_free). */
int harness_real_new(const struct config *cfg, struct testbed *tb,
		     struct harness **ret, struct err *e);
void harness_real_free(struct harness *h);

/* Index of the node named name, or -1. */
int harness_node_index(const struct harness *h, const char *name);

#endif
