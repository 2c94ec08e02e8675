/* fake_harness.h - a harness (orchestrator/engine/harness.h) that touches no VM,
 * scripted by unit tests: the engine's lifecycle, ladder and fault
 * interactions run against it in milliseconds.
 *
 * It models what the real testbed does closely enough to matter: each
 * node's domain runs, is paused, powered off or booting; a command or an
 * agent fault on a node that is not running fails the way SSH would
 * (handshake timeout, connection refused); vm-pause, vm-crash, vm-reset
 * and link-down change the domain as libvirt would. Time is virtual:
 * sleeping advances the clock at once.
 */
#ifndef FAKE_HARNESS_H
#define FAKE_HARNESS_H

#include <pthread.h>
#include <signal.h>

#include "buf.h"
#include "harness.h"

#define FAKE_MAX_NODES 8

enum fake_dom { FAKE_RUNNING, FAKE_PAUSED, FAKE_OFF, FAKE_BOOTING };

/* How badly a node is broken, and what repairs it. */
enum fake_broken {
	FAKE_OK,
	FAKE_FIXED_BY_RESET,	/* e.g. its QEMU was killed from outside */
	FAKE_FIXED_BY_REBUILD_NODE,	/* e.g. its golden snapshot was deleted */
	FAKE_FIXED_BY_REBUILD,	/* only a new testbed helps */
	FAKE_NEVER,		/* unbootable: quarantine */
};

struct fake {
	struct harness h;
	struct testbed_node nodes[FAKE_MAX_NODES];
	int64_t now;			/* virtual milliseconds */
	enum fake_dom dom[FAKE_MAX_NODES];
	int link_down[FAKE_MAX_NODES];
	enum fake_broken broken[FAKE_MAX_NODES];
	int alive_fails[FAKE_MAX_NODES];	/* the judge's liveness check fails */

	/* scripts: the next N calls fail (with msg) */
	int reset_fails[FAKE_MAX_NODES];
	int apply_fails;		/* agent fault applies */
	char apply_fail_msg[256];
	int apply_no_evidence;
	int exec_fails[FAKE_MAX_NODES];	/* commands on a node (SSH drops) */
	int leader;			/* node answering workload.leader, -1: none */
	int leader_moves_at_apply;	/* after that many applies (0: never)... */
	int leader_moves_to;		/* ...the leader is this node */
	int workload_exits_at_once;
	int rebuild_fails, rebuild_node_fails;
	int on_boot_fails;		/* boots whose on_boot step fails */
	int verdict_unknown;		/* the command oracle says "unknown" */
	int probes_check_fails;		/* READY's next N checks fail */
	/* after the Nth reset (0: never) early_fail_node's probe samples fail
	 * for the run's first 300 ms: not ready after its restore */
	int early_fail_after_reset, early_fail_node;
	/* A scripted flaw: when flaw_needs[0] is set, the end of every run
	 * (probes-stop) writes verdict_path: "1" (the command oracle fails)
	 * when every fault type of flaw_needs (NULL-terminated) was applied
	 * since the last reset of all nodes, else "0". With flaw_every N,
	 * only the 1st, (N+1)th... such run fails (a flaky flaw). */
	const char *flaw_needs[4];
	const char *verdict_path;
	int flaw_every;
	int flaw_qualified;		/* runs that had every needed fault */
	char applied_types[16][32];	/* since the last reset of all nodes */
	int applied_nodes[16];		/* the node of each */
	int n_applied_types;
	/* Scripted SUT logs: when novel_fault is set, `campaign-agent
	 * collect` answers one file of lines that mask to the same templates
	 * every run, plus, when novel_fault was applied on novel_node (-1:
	 * any) since the last reset of all nodes, a line with a word made
	 * from that fault's seed (a new template each time, the same for
	 * the same plan: a resume sees what the killed process saw). */
	const char *novel_fault;
	int novel_node;
	int novel_same_node;		/* instead: any two faults on one node */
	uint64_t novel_seed;		/* of the last such fault applied */
	int novel_lines;		/* such lines logged so far */
	/* at the Nth harness call (1-based), break a node or stop */
	long break_at_call;
	int break_node;
	enum fake_broken break_how;
	long exit_at_call;		/* _exit(99) there: a killed controller */
	long stop_at_call;		/* set *stop there: a first SIGINT */
	volatile sig_atomic_t *stop;

	/* what happened */
	pthread_mutex_t lock;
	long calls;
	struct buf log;			/* one line per call: "reset n1,n2,n3" ... */
	int probe_checks;
	int resets, boots, rebuilds, rebuild_nodes, applies, reverts, healths;
	int workload_running;
	int probes_running;
	int64_t probe_t0;
	struct probe_sample *samples;
	int n_samples;
	/* node-down intervals for the samples: node, from, to (virtual ms) */
	struct { int node; int64_t from, to; } down[64];
	int n_down;
};

/* A fake over cfg's nodes, all running and healthy. */
void fake_init(struct fake *f, const struct config *cfg);
void fake_release(struct fake *f);

/* Count the lines of f->log that start with prefix. */
int fake_count(const struct fake *f, const char *prefix);

#endif
