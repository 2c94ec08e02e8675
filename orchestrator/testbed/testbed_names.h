/* testbed_names.h - pure functions naming a testbed's parts. */
#ifndef CAMPAIGN_TESTBED_NAMES_H
#define CAMPAIGN_TESTBED_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* "<prefix>-<node>". New string. */
char *names_domain(const char *prefix, const char *node);

/* The first of 64 consecutive ports reserved for a prefix: a stable
 * function of the prefix in [20480, 59776], a multiple of 64: SSH of
 * node i at +i, forward k at +16*(k+1)+i. */
int names_port_base(const char *prefix);

/* Address of node i (0-based) in subnet "a.b.c.d/len": host part 11+i.
 * ret_ip gets "a.b.c.x" (size >= 16), ret_len the prefix length. */
int names_node_ip(const char *subnet, int i, char *ret_ip, int *ret_len,
		  struct err *e);

/* MAC of node i's NIC: nic 0 control, 1 cluster; a per-prefix byte keeps
 * testbeds that share a switch apart. out size >= 18. */
void names_mac(const char *prefix, int nic, int i, char *out);

/* FNV-1a, for the derivations above. */
uint32_t names_hash(const char *s);

#endif
