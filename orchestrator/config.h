/* config.h - a campaign config: JSON -> plain structs, strictly checked.
 *
 * Unknown keys, wrong types and out-of-range values are errors naming the
 * config file, the line and the JSON path, e.g.
 *   configs/demo.json:12: testbed.nodes[1].role: expected a string
 * The parsed config owns every string in it; config_free releases all.
 */
#ifndef CAMPAIGN_CONFIG_H
#define CAMPAIGN_CONFIG_H

#include "err.h"

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
	int ssh_port_base;	/* 0: derived from the prefix */
	int boot_timeout_s;	/* default 120 */
	int ready_timeout_s;	/* after a reset, default 30 */
	struct config_node *nodes;
	int n_nodes;		/* 1..16 */
};

struct config {
	char *path;		/* the file it was read from */
	char *name;		/* [A-Za-z0-9._-]+ */
	unsigned long long seed;
	struct config_testbed testbed;
	/* The other sections (mode, workload, probes, faults, schedule,
	 * oracles) follow DESIGN.md; see below. */
#include "config_sections.h"
};

/* Read and check the config file at path. On success *ret is new
 * (config_free); on failure e names file, line and JSON path. */
int config_load(const char *path, struct config **ret, struct err *e);

/* Takes NULL. */
void config_free(struct config *c);

/* Find a node by name; NULL when there is none. Borrowed. */
const struct config_node *config_node(const struct config *c,
				      const char *name);

#endif
