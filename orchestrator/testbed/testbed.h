/* testbed.h - a campaign's libvirt domains, their network and snapshots.
 *
 * Only testbed*.c include libvirt.h. A testbed is named by its prefix;
 * everything it creates carries that prefix: domains "<prefix>-<node>",
 * files under <state>/testbeds/<prefix>/, the vde_switch serving its
 * cluster network. Its state file records what `up` made so that status,
 * reset and down work from any later process.
 */
#ifndef CAMPAIGN_TESTBED_H
#define CAMPAIGN_TESTBED_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "buf.h"
#include "ctlchan.h"
#include "ssh.h"
#include "sshcache.h"

struct testbed;

struct testbed_node {
	char *name;		/* config name, e.g. "n1" */
	char *role;
	char *domain;		/* libvirt domain name */
	char *cluster_ip;	/* without prefix length, e.g. "10.99.0.11" */
	int ssh_port;		/* host side of the 127.0.0.1 forward */
	int forward_ports[3];	/* host sides of testbed.forwards, in order */
	int existing;		/* a user's domain: never created or deleted */
	struct ssh_target ssh;	/* borrowed strings, valid while the testbed is */
	struct ctlchan ctl;	/* path NULL for a user's domain */
	struct sshcache *cache;	/* commands' kept connection; NULL: none */
};

/* How a node was brought back to its golden snapshot. */
enum reset_path {
	RESET_LOADVM,		/* HMP stop/loadvm/cont: fast, QEMU keeps running */
	RESET_REVERT,		/* virDomainRevertToSnapshot */
	RESET_DESTROY_REVERT,	/* destroy, then revert */
};

struct reset_report {
	enum reset_path path;
	int64_t revert_ms;	/* the revert itself */
	int64_t ready_ms;	/* revert start to clock set and entropy reseeded */
	int by_channel;		/* 1: through the control channel, 0: SSH */
	char fallback[200];	/* why SSH was used ("" when by_channel) */
	int64_t clock_offset_us;/* guest minus host after, estimated (channel) */
};

const char *reset_path_name(enum reset_path p);
/* {"node", "path", "revert_ms", "ready_ms", "sync": "channel"|"ssh",
 *  "clock_offset_us" | "fallback"}: new reference. */
json_t *reset_report_json(const struct reset_report *r, const char *node);

/* Prepare a handle for cfg's testbed: connect to libvirt, read the state
 * of a testbed that is up (if any). Does not create anything.
 * On success *ret is new (testbed_free). cfg is borrowed and must
 * outlive the testbed. */
int testbed_open(const struct config *cfg, struct testbed **ret,
		 struct err *e);
void testbed_free(struct testbed *tb);

/* 1 when `up` has run and `down` has not. */
int testbed_is_up(const struct testbed *tb);

/* Build or find the image, define and boot every node in parallel, wait
 * for SSH, suspend all, snapshot each as "golden", resume all. On
 * failure everything it created is removed again. */
int testbed_up(struct testbed *tb, struct err *e);

/* Bring the named nodes (NULL: all) back to "golden" in parallel; return
 * once each answers SSH with its clock set. reports (may be NULL) has
 * one entry per testbed node, filled for the nodes reset. */
int testbed_reset(struct testbed *tb, const char *const *names, int n_names,
		  struct reset_report *reports, struct err *e);

/* 1: after each node's reset, open its kept SSH connection (sshcache.h)
 * in the background, for the run's first command; 0 (the default): a
 * one-shot reset leaves nothing behind to wait for. */
void testbed_warm_ssh(struct testbed *tb, int on);

/* Force every later reset of this handle down one path (benchmarks,
 * tests of the fallbacks); -1 restores the automatic choice. */
void testbed_force_reset_path(struct testbed *tb, int path);
/* 1: resets set the clock over SSH even where a control channel is. */
void testbed_force_ssh_sync(struct testbed *tb, int on);

/* Rebuild one node from the image: its domain and disk made anew, booted,
 * bootstrapped, while the others are put back to the golden cut; then a
 * new golden cut of the whole testbed so the nodes' states stay
 * consistent. A user's domain (nodes[].domain) is refused. */
int testbed_rebuild_node(struct testbed *tb, const char *name, struct err *e);

/* Remove every domain, overlay, snapshot and helper process that `up`
 * created, and nothing else. Safe to call on a half-made testbed. */
int testbed_down(struct testbed *tb, struct err *e);

/* A JSON description of every node (state, addresses, snapshots).
 * Returns a new string (free). */
int testbed_status_json(struct testbed *tb, char **ret, struct err *e);

int testbed_n_nodes(const struct testbed *tb);
const char *testbed_prefix(const struct testbed *tb);
/* The testbed section it was opened with. Borrowed. */
const struct config_testbed *testbed_config(const struct testbed *tb);
/* The content hash of the image the nodes run, or NULL. Borrowed. */
const char *testbed_image_hash(const struct testbed *tb);
/* Borrowed; NULL when i is out of range. */
const struct testbed_node *testbed_node(const struct testbed *tb, int i);
const struct testbed_node *testbed_find(const struct testbed *tb,
					const char *name);
/* The acceleration chosen ("kvm" or "tcg") and why. Borrowed. */
const char *testbed_accel(const struct testbed *tb);
const char *testbed_accel_reason(const struct testbed *tb);

/* Run cmd on node n over SSH: connect within connect_ms, run within
 * exec_ms, close. res (initialised by the caller) gets the exit status
 * and both outputs whatever the status; -1 only when it could not run. */
int testbed_node_run(const struct testbed_node *n, const char *cmd,
		     int connect_ms, int exec_ms, struct ssh_result *res,
		     struct err *e);

/* Run cmd on node n over SSH within timeout_ms (connect, exec, close);
 * a non-zero exit is an error quoting its stderr. stdout is appended to
 * out (may be NULL). */
int testbed_node_exec(const struct testbed_node *n, const char *cmd,
		      int timeout_ms, struct buf *out, struct err *e);

/* 0 when node i answers: its control channel's ping (up to 1 s), else
 * `true` over SSH within timeout_ms (a user's domain, or a channel whose
 * loop is down). e says why not. */
int testbed_node_alive(struct testbed *tb, int i, int timeout_ms,
		       struct err *e);

/* Reopen the libvirt connection if it died (libvirtd restarted); 0 when
 * the connection is alive afterwards. */
int testbed_reconnect(struct testbed *tb, struct err *e);

/* 0 when node's golden snapshot is there (a reset can use it). */
int testbed_has_golden(struct testbed *tb, const char *node, struct err *e);

/* Hypervisor-side primitives for faults and oracles. */
int testbed_domain_state(struct testbed *tb, const char *node,
			 char **ret_state, struct err *e);
int testbed_monitor(struct testbed *tb, const char *node, const char *hmp,
		    char **ret_reply, struct err *e);
int testbed_destroy_node(struct testbed *tb, const char *node, struct err *e);
/* Power-cycle a node (system_reset if it runs, a fresh start if it was
 * destroyed), keeping its disk; wait for SSH and run testbed.on_boot.
 * -1: the node did not come back; TESTBED_ON_BOOT_FAILED: it came back
 * but an on_boot step failed. */
#define TESTBED_ON_BOOT_FAILED (-2)
int testbed_boot_node(struct testbed *tb, const char *node, struct err *e);
int testbed_suspend_node(struct testbed *tb, const char *node, struct err *e);
int testbed_resume_node(struct testbed *tb, const char *node, struct err *e);

#endif
