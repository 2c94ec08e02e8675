/* testbed_priv.h - what the testbed*.c files share. Includes libvirt. */
#ifndef CAMPAIGN_TESTBED_PRIV_H
#define CAMPAIGN_TESTBED_PRIV_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "image.h"
#include "testbed.h"

#define SNAPSHOT_NAME "golden"

struct testbed {
	const struct config *cfg;
	virConnectPtr conn;
	char *prefix;
	char *dir;		/* <state>/testbeds/<prefix> */
	char *state_path;	/* dir/state.json */
	char *vde_dir;		/* dir/vde: the switch's control directory */
	int kvm;
	char accel_reason[256];
	int up;			/* state.json exists */
	char *image_dir;	/* NULL when no node is created by us */
	struct image *img;
	struct testbed_node *nodes;
	int n_nodes;
	int forced_path;	/* -1, or the enum reset_path to use */
	int force_ssh_sync;	/* 1: never the control channel in a reset */
	int warm_ssh;		/* 1: a reset warms the nodes' kept connections */
};

/* The last libvirt error as text ("unknown error" if none). Borrowed. */
const char *testbed_virt_error(void);

/* Look up a node's domain. New reference (virDomainFree); NULL and e
 * filled when it does not exist. */
virDomainPtr testbed_lookup(struct testbed *tb, const struct testbed_node *n,
			    struct err *e);

int testbed_write_state(struct testbed *tb, struct err *e);

/* Point each node's ssh target at the image's key and host key (created
 * nodes) or at the config's (existing domains). */
void testbed_bind_ssh(struct testbed *tb);

/* Run the config's bootstrap steps on every node, in parallel. */
int testbed_bootstrap(struct testbed *tb, struct err *e);
/* ... on node i alone (a rebuilt node). */
int testbed_bootstrap_node(struct testbed *tb, int i, struct err *e);

int testbed_node_index(const struct testbed *tb, const char *name);

/* Run an HMP command; a non-empty reply to a command that prints
 * nothing on success is an error (QEMU reports errors as text). */
int testbed_hmp(virDomainPtr dom, const char *cmd, int expect_silence,
		char **ret_reply, struct err *e);

#endif
