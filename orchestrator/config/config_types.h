/* config_types.h - the structs a campaign config is read into: types
 * only, shared by the reader's files (config_*.c, below config.c) and
 * every reader of a config (through config.h). What each field means,
 * its bounds and its default are in the field tables of config_testbed.c,
 * config_run.c and config.c (configs/schema.md is generated from them).
 * The parsed config owns every string, array and json_t in it (the json_t
 * params hold one reference each); config_free releases all.
 */
#ifndef CAMPAIGN_CONFIG_TYPES_H
#define CAMPAIGN_CONFIG_TYPES_H

#include <jansson.h>

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
enum net_type { NET_VDE, NET_LIBVIRT };

/* SSH access to a node that is a user's existing libvirt domain. */
struct config_ssh {
	char *host;
	int port;
	char *user;
	char *key;		/* private key path, resolved */
	char *host_key;		/* "ssh-ed25519 AAAA..." */
};

struct config_node {
	char *name;		/* [a-z0-9-], unique, at most 16 chars */
	char *role;		/* free text, default "member" */
	int memory_mib;		/* 0: the testbed's */
	/* Existing domains (users' own images): */
	char *domain;		/* NULL: the testbed creates the node */
	struct config_ssh ssh;	/* required when domain is set */
};

/* A step that prepares every node before the golden snapshot is taken:
 * upload a file, run a command once, or wait until a command succeeds. */
enum config_step_kind { CONFIG_STEP_UPLOAD, CONFIG_STEP_RUN, CONFIG_STEP_WAIT };

struct config_select;

struct config_step {
	enum config_step_kind kind;
	char *what;		/* upload: local path ({build} is the build
				 * directory; relative to the config file);
				 * run, wait: command template */
	char *to;		/* upload: absolute guest path */
	int mode;		/* upload: file mode, default 0644 */
	struct config_select *nodes;	/* owned; default "all" */
	int timeout_s;		/* default 60 */
};

struct config_testbed {
	char *uri;		/* default "qemu:///system" */
	enum accel accel;	/* default ACCEL_AUTO */
	char *image;		/* recipe directory, resolved to an absolute path */
	char *prefix;		/* names of everything created; default "cmp-<name>" */
	int memory_mib;		/* default: the image's recommendation */
	int vcpus;		/* default 1 */
	enum net_type net;	/* default NET_VDE */
	char *libvirt_network;	/* for NET_LIBVIRT, default "default" */
	char *subnet;		/* cluster subnet, default "10.99.0.0/24";
				 * node i gets .(11+i) */
	int ssh_port_base;	/* 0: derived from the prefix; node i's SSH
				 * forward is base+i, forward k's base+16*(k+1)+i */
	char *forward_names[3];	/* "forwards": name -> guest TCP port, reached */
	int forward_ports[3];	/* as {node.NAME} = 127.0.0.1:PORT */
	int n_forwards;
	int boot_timeout_s;	/* default 120 */
	int ready_timeout_s;	/* after a reset, default 30 */
	struct config_step *bootstrap;	/* in order, before the snapshot */
	int n_bootstrap;
	struct config_step *on_boot;	/* after a cold boot from the node's
					 * disk ("recover": "boot") */
	int n_on_boot;
	struct config_node *nodes;
	int n_nodes;		/* 1..16 */
};

enum config_mode {
	CONFIG_ISOLATED,	/* every run starts from the golden snapshot */
	CONFIG_CONTINUOUS,	/* the SUT keeps running; faulty nodes restored */
};

/* A fixed value (min == max) or an interval the plan draws from. */
struct config_range {
	double min, max;
};

/* A choice of nodes, resolved against the testbed. */
struct config_select {
	char *spec;		/* as written: "all", a role or a node name;
				 * NULL when a list of node names was given */
	char **names;		/* the chosen node names: testbed order for
				 * a spec, as listed for a list */
	int n_names;		/* >= 1 */
};

enum config_where { CONFIG_ON_CONTROLLER, CONFIG_ON_NODE };

struct config_workload {
	char *start;		/* command template; NULL: no workload */
	enum config_where where;	/* default CONFIG_ON_CONTROLLER */
	struct config_select node;	/* for CONFIG_ON_NODE, else empty */
	double warmup_s;	/* default 0 */
	char *stop;		/* command template; NULL: signal the start command */
	double stop_timeout_s;	/* default 10 */
	char *leader;		/* command template run on each node to find
				 * the target "leader"/"primary": exit 0 on it;
				 * NULL: a seeded draw stands in */
};

enum config_probe_kind { CONFIG_PROBE_HTTP, CONFIG_PROBE_SSH };

struct config_probe {
	char *name;		/* the key in "probes", [A-Za-z0-9_-]{1,32} */
	enum config_probe_kind kind;
	char *target;		/* HTTP: URL template; SSH: command template */
	struct config_select nodes;	/* default "all" */
	int every_ms;		/* 50..600000, default 500 */
	int timeout_ms;		/* 10..600000, default 1000 */
	/* HTTP only: */
	int expect_status;	/* default 200 */
	char *expect_body;	/* substring; NULL: any body */
	char *expect_json_path;	/* "a.b.0"; NULL: no JSON check */
	json_t *expect_json_equals;	/* owned reference; NULL iff path is */
	/* SSH only: */
	int expect_exit;	/* default 0 */
	char *expect_output;	/* substring of stdout; NULL: any */
};

struct config_fault {
	char *type;		/* [a-z0-9-]+, checked by the fault registry */
	double weight;		/* > 0, default 1 */
	char *target;		/* "any" (default), "leader", "primary", a role
				 * or a node name */
	int has_duration;	/* 0: duration_s absent (not transient) */
	struct config_range duration_s;
	json_t *params;		/* owned reference to an object holding every
				 * other key of the entry; a value is a number,
				 * string, bool or a numeric range [min, max] */
};

/* A step of a scenario: a fault (a faults[] entry without weight) or a
 * wait. The plan lays the steps out in time (engine/plan.c). */
struct config_scenario_step {
	struct config_fault fault;	/* first, so that the fault table's hooks
					 * read it; type NULL for a wait */
	int is_wait;
	struct config_range wait_s;	/* a wait: seconds, fixed or drawn */
	char *bind;		/* NULL, or the name this step binds its
				 * resolved target node to ("@NAME" targets) */
	int after_end;		/* 1 (default): at the previous fault step's
				 * planned end; 0: at its start */
};

struct config_scenario {
	char *name;		/* [A-Za-z0-9_-], unique */
	double weight;		/* > 0, default 1 */
	struct config_scenario_step *steps;	/* in order, >= 1 fault step */
	int n_steps;
};

/* Shrinking a flaw of a run with several faults (engine/engine_shrink.c). */
struct config_shrink {
	int enabled;		/* default 1 */
	int max_runs;		/* per flaw, default 40 */
	int tries;		/* per candidate, default 3 */
};

struct config_schedule {
	int runs;		/* >= 1, default 10 */
	double budget_s;	/* 0: unlimited (default) */
	int faults_per_run;	/* 1..8, default 1 */
	struct config_range inject_at_s;	/* default [1, 3] */
	double observe_s;	/* > 0, default 10 */
	int max_infra_retries;	/* 0..100, default 3 */
	int testbeds;		/* 1..16, default 1 */
	double random_weight;	/* a random run against the scenarios'
				 * weights, >= 0, default 1 */
	int explore;		/* enum config_explore, default random */
};

/* How a random run draws its faults (docs/exploration.md). */
enum config_explore {
	CONFIG_EXPLORE_RANDOM,	/* by the faults' weights alone */
	CONFIG_EXPLORE_GUIDED,	/* biased toward arms that found new
				 * log templates or outcomes */
};

struct config_oracle {
	char *type;		/* [a-z0-9-]+, checked by the oracle registry */
	json_t *params;		/* owned reference to an object holding every
				 * other key of the entry (any JSON values) */
};

struct config_logs {
	char **paths;		/* absolute guest paths collected on a flaw */
	int n_paths;
	int max_bytes;		/* per file, default 65536 */
	/* "keep_runs": "flaws" (0, default) keeps runs/<n>/ (histories,
	 * workload logs) of flaw runs only; "all" (1) of every run */
	int keep_all_runs;
};

struct jsonpos;

struct config {
	char *path;		/* the file it was read from */
	char *name;		/* [A-Za-z0-9._-]+ */
	char *description;	/* NULL when absent */
	unsigned long long seed;	/* default 1 */
	enum config_mode mode;	/* default CONFIG_ISOLATED */
	struct config_testbed testbed;
	struct config_workload workload;
	struct config_probe *probes;	/* in document order */
	int n_probes;
	struct config_fault *faults;	/* none: runs inject nothing */
	int n_faults;
	struct config_scenario *scenarios;	/* none: every run is random */
	int n_scenarios;
	struct config_shrink shrink;
	struct config_schedule schedule;
	struct config_oracle *oracles;
	int n_oracles;
	struct config_logs logs;
	char *canonical;	/* the file's JSON, compact with sorted keys:
				 * compare it to detect a changed config */
	struct jsonpos *pos;	/* private: lines for config_check_*() */
};

#endif
