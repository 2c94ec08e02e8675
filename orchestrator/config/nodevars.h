/* nodevars.h - the placeholders every template knows about the testbed:
 *   {node.name} {node.ip} {node.role} {node.ssh}   the current node
 *   {nodes.name} {nodes.ip} {nodes.ssh}           every node, comma-separated
 *   {peers.ip} {peers.ip:PORT}                    the other nodes' cluster
 *                                                 addresses (with a port)
 *   {node.FWD} {nodes.FWD}                        127.0.0.1:PORT of the
 *                                                 testbed.forwards named FWD
 *   {build}                                       the build directory
 * and in a run (engine_run.c's run_lookup) also
 *   {run.dir} {run.n} {seed}                      the run's directory,
 *                                                 number and seed
 */
#ifndef CAMPAIGN_NODEVARS_H
#define CAMPAIGN_NODEVARS_H

#include "buf.h"
#include "config.h"
#include "testbed.h"

/* Append the value of name for node (-1: none) to out; 0, or -1 when
 * the name is not a testbed placeholder. */
int nodevars_lookup(const struct testbed *tb, int node, const char *name,
		    struct buf *out);

/* The same over a node array (n_nodes long, testbed order; borrowed). */
int nodevars_lookup_nodes(const struct config_testbed *ct,
			  const struct testbed_node *nodes, int n_nodes,
			  int node, const char *name, struct buf *out);

/* Where a template is expanded, for checking it before a campaign. */
enum nodevars_scope {
	NODEVARS_TESTBED = 0,	/* no node, no run (none such yet) */
	NODEVARS_NODE = 1 << 0,	/* for one node: {node.*} too (probe targets,
				 * workload.leader, bootstrap and on_boot
				 * steps, fault parameters) */
	NODEVARS_RUN = 1 << 1,	/* in a run: {run.dir} {run.n} {seed} too,
				 * which run.c's run_lookup expands
				 * (workload, oracle commands; probes) */
};

/* Whether {name} is a placeholder that a template expanded in scope
 * (NODEVARS_* or'ed) knows, given the testbed config's forwards. */
int nodevars_known(const struct config_testbed *ct, unsigned scope,
		   const char *name);

/* template_check of tpl against nodevars_known: 0, or -1 with e filled;
 * an unknown placeholder's message says why or lists the known ones:
 *   unknown placeholder '{nope}' (known here: {build}, {nodes.ip}, ...)
 *   unknown placeholder '{node.ip}' (this template is not expanded for
 *   one node; {nodes.ip} has every node's) */
int nodevars_check_template(const struct config_testbed *ct, unsigned scope,
			    const char *tpl, struct err *e);

#endif
