/* nodevars.h - the placeholders every template knows about the testbed:
 *   {node.name} {node.ip} {node.role} {node.ssh}   the current node
 *   {nodes.name} {nodes.ip} {nodes.ssh}           every node, comma-separated
 *   {peers.ip} {peers.ip:PORT}                    the other nodes' cluster
 *                                                 addresses (with a port)
 *   {node.FWD} {nodes.FWD}                        127.0.0.1:PORT of the
 *                                                 testbed.forwards named FWD
 *   {build}                                       the build directory
 */
#ifndef CAMPAIGN_NODEVARS_H
#define CAMPAIGN_NODEVARS_H

#include "buf.h"
#include "testbed.h"

/* Append the value of name for node (-1: none) to out; 0, or -1 when
 * the name is not a testbed placeholder. */
int nodevars_lookup(const struct testbed *tb, int node, const char *name,
		    struct buf *out);

/* The same over a node array (n_nodes long, testbed order; borrowed). */
int nodevars_lookup_nodes(const struct config_testbed *ct,
			  const struct testbed_node *nodes, int n_nodes,
			  int node, const char *name, struct buf *out);

#endif
