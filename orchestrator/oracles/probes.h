/* probes.h - repeated measurements during a run: HTTP (libcurl) and
 * commands over SSH. Only probes.c includes curl.h.
 *
 * A prober runs one thread per (probe, node) pair, each sampling at the
 * probe's interval until prober_stop. Samples carry the time since the
 * run's start, the verdict and the latency; the detail of each change
 * of verdict is kept for the trace.
 */
#ifndef CAMPAIGN_PROBES_H
#define CAMPAIGN_PROBES_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "ssh.h"

struct probe_sample {
	int64_t t_ms;		/* since the run's start */
	int32_t latency_ms;
	uint16_t probe;		/* index into config probes */
	uint16_t node;		/* testbed node index */
	uint8_t ok;
};

struct probe_transition {
	int64_t t_ms;
	uint16_t probe, node;
	uint8_t ok;
	char *detail;		/* why, e.g. "status 503", "exit status 1" */
};

/* One per (probe, node): the expanded URL or command and, for SSH
 * probes, where to run it. Strings are borrowed for the prober's life. */
struct probe_target {
	int probe;
	int node;
	const char *what;	/* URL or command, placeholders expanded */
	const struct ssh_target *ssh;	/* SSH probes only */
};

struct prober;

/* Start sampling. targets are copied; their strings are borrowed.
 * t0_ms is the run's start on the monotonic clock. *ret is new. */
int prober_start(const struct config *cfg, const struct probe_target *targets,
		 int n_targets, int64_t t0_ms, struct prober **ret,
		 struct err *e);

/* The node was reverted: drop the probes' connections to it (a session
 * open across a revert hangs), so their next samples reconnect. */
void prober_drop_node(struct prober *p, int node);

/* Stop every thread and wait for them; samples stay readable. */
void prober_stop(struct prober *p);

/* Check each target once, now, all at once (a thread each), within its
 * timeout: 1 when all pass (detail: the first failing in order).
 * For readiness; usable before prober_start. */
int probes_check_all(const struct config *cfg, const struct probe_target *t,
		     int n, char *detail, size_t detail_size);

/* Read the samples after prober_stop (borrowed, time order per pair). */
const struct probe_sample *prober_samples(const struct prober *p, int *ret_n);
const struct probe_transition *prober_transitions(const struct prober *p,
						  int *ret_n);

/* The record of a run: transitions in full, samples downsampled to at
 * most max_samples per (probe, node), latencies kept. New reference. */
json_t *prober_to_json(const struct prober *p, int max_samples,
		       const char *const *node_names);

/* Takes NULL; stops first if needed. */
void prober_free(struct prober *p);

#endif
