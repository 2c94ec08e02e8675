/* testbed_xml.h - libvirt domain XML for a testbed node (pure). */
#ifndef CAMPAIGN_TESTBED_XML_H
#define CAMPAIGN_TESTBED_XML_H

#include "buf.h"

#define TESTBED_XML_NS "https://campaign.invalid/testbed/1"

struct domain_spec {
	const char *name;		/* domain name */
	const char *prefix;		/* testbed prefix, kept in the metadata */
	const char *node;		/* node name, kept in the metadata */
	int kvm;			/* 1: type='kvm', 0: type='qemu' (TCG) */
	int memory_mib;
	int vcpus;
	const char *kernel, *initrd, *cmdline;
	const char *disk;		/* qcow2 overlay (always: it holds snapshots) */
	int ssh_port;			/* 127.0.0.1:ssh_port -> guest :22 */
	int n_forwards;			/* more 127.0.0.1:host -> guest:port */
	const int *forward_host, *forward_guest;
	const char *ctl_mac, *cl_mac;
	const char *vde_sock;		/* cluster NIC on this vde switch, or NULL */
	const char *libvirt_network;	/* or on this libvirt network */
	const char *console_log;	/* serial console to this file */
	const char *ctl_sock;		/* control channel socket, or NULL */
};

/* Append the domain XML to out. Every value is escaped. */
void testbed_domain_xml(struct buf *out, const struct domain_spec *s);

#endif
