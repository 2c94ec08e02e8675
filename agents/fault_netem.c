/* fault_netem.c - impair outgoing packets with tc netem: loss, delay and
 * jitter, duplication, corruption, reordering, a rate limit; for all
 * traffic of the interface (root netem qdisc) or only towards peers (root
 * prio qdisc with a fourth band holding netem, u32 filters on the
 * destination). Its handle is derived from the injection id; the undo
 * deletes that root qdisc only if it is still ours. */
#include "fault.h"
#include "tool.h"

#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TC_MS 10000
#define CLUSTER_MAC "52:54:00:01"

static const struct param_spec params[] = {
	P_STR("dev", &fmt_ifname, 15, NULL, "interface; default: the cluster "
	      "interface (MAC " CLUSTER_MAC ":xx:xx), else eth1"),
	P_NUM("loss_pct", 0, 100, "0", "packets dropped, percent"),
	P_INT("delay_ms", 0, 60000, "0", "added delay"),
	P_INT("jitter_ms", 0, 60000, "0", "delay variation (needs delay_ms)"),
	P_NUM("duplicate_pct", 0, 100, "0", "packets duplicated, percent"),
	P_NUM("corrupt_pct", 0, 100, "0", "packets with a flipped bit, percent"),
	P_NUM("reorder_pct", 0, 100, "0", "packets sent at once, ahead of delayed "
	      "ones, percent (needs delay_ms)"),
	P_INT("rate_kbit", 0, 100000000, "0", "rate limit; 0: none"),
	P_LIST("peers", &fmt_ip, 1, 64, "impair only packets to these addresses "
	       "(default: all packets)"),
	P_NUM("duration_s", 0, 86400, "0", "remove the impairment after this long; "
	      "0: until undone"),
	P_END
};

static int check(json_t *p, struct agent_err *e)
{
	if (param_num(p, "loss_pct", 0) == 0 && param_int(p, "delay_ms", 0) == 0 &&
	    param_num(p, "duplicate_pct", 0) == 0 && param_num(p, "corrupt_pct", 0) == 0 &&
	    param_int(p, "rate_kbit", 0) == 0)
		return agent_err_set(e, "no impairment: give loss_pct, delay_ms, "
				     "duplicate_pct, corrupt_pct or rate_kbit");
	if (param_int(p, "jitter_ms", 0) && !param_int(p, "delay_ms", 0))
		return agent_err_set(e, "jitter_ms needs delay_ms");
	if (param_num(p, "reorder_pct", 0) > 0 && !param_int(p, "delay_ms", 0))
		return agent_err_set(e, "reorder_pct needs delay_ms");
	return 0;
}

/* Through netlink, not /sys: sysfs shows the namespace it was mounted in. */
static int dev_exists(const char *dev)
{
	return if_nametoindex(dev) != 0;
}

/* The first interface whose MAC starts with prefix. */
static int dev_with_mac(const char *prefix, char *buf, size_t size)
{
	struct ifaddrs *all, *i;
	int found = 0;

	if (getifaddrs(&all) < 0)
		return 0;
	for (i = all; i && !found; i = i->ifa_next) {
		struct sockaddr_ll *ll = (struct sockaddr_ll *)i->ifa_addr;
		char mac[32];

		if (!ll || ll->sll_family != AF_PACKET || ll->sll_halen != 6)
			continue;
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0],
			 ll->sll_addr[1], ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4],
			 ll->sll_addr[5]);
		if (!strncasecmp(mac, prefix, strlen(prefix))) {
			snprintf(buf, size, "%s", i->ifa_name);
			found = 1;
		}
	}
	freeifaddrs(all);
	return found;
}

static int find_dev(const char *given, char *buf, size_t size, struct agent_err *e)
{
	if (given) {
		if (!dev_exists(given))
			return agent_err_set(e, "no interface '%s'", given);
		snprintf(buf, size, "%s", given);
		return 0;
	}
	if (dev_with_mac(CLUSTER_MAC, buf, size))
		return 0;
	if (dev_exists("eth1")) {
		snprintf(buf, size, "eth1");
		return 0;
	}
	return agent_err_set(e, "no cluster interface (MAC " CLUSTER_MAC ":xx:xx) and "
			     "no eth1: give 'dev'");
}

/* Append the netem options to argv at *n (strings live in store). */
static void netem_args(json_t *p, const char **argv, int *n, char store[][32])
{
	int s = 0;

#define ARG(...) (snprintf(store[s], 32, __VA_ARGS__), argv[(*n)++] = store[s++])
	if (param_int(p, "delay_ms", 0)) {
		argv[(*n)++] = "delay";
		ARG("%lldms", param_int(p, "delay_ms", 0));
		if (param_int(p, "jitter_ms", 0))
			ARG("%lldms", param_int(p, "jitter_ms", 0));
	}
	if (param_num(p, "loss_pct", 0) > 0) {
		argv[(*n)++] = "loss";
		ARG("%g%%", param_num(p, "loss_pct", 0));
	}
	if (param_num(p, "duplicate_pct", 0) > 0) {
		argv[(*n)++] = "duplicate";
		ARG("%g%%", param_num(p, "duplicate_pct", 0));
	}
	if (param_num(p, "corrupt_pct", 0) > 0) {
		argv[(*n)++] = "corrupt";
		ARG("%g%%", param_num(p, "corrupt_pct", 0));
	}
	if (param_num(p, "reorder_pct", 0) > 0) {
		argv[(*n)++] = "reorder";
		ARG("%g%%", param_num(p, "reorder_pct", 0));
	}
	if (param_int(p, "rate_kbit", 0)) {
		argv[(*n)++] = "rate";
		ARG("%lldkbit", param_int(p, "rate_kbit", 0));
	}
#undef ARG
	argv[*n] = NULL;
}

/* Run one tc command, adding it to the evidence. */
static int tc(const char **argv, json_t *cmds, struct agent_err *e)
{
	char *out = NULL, *line = tool_cmdline(argv);
	int rc = tool_run(argv, NULL, &out, TC_MS, e);

	json_array_append_new(cmds, json_string(line ? line : ""));
	if (rc > 0)
		agent_err_set(e, "'%s' failed: %s", line ? line : "tc", out ? out : "");
	free(out);
	free(line);
	return rc == 0 ? 0 : -1;
}

static char *tc_show(const char *what, const char *dev)
{
	const char *argv[] = { "tc", what, "show", "dev", dev, NULL };
	char *out = NULL;

	if (tool_run(argv, NULL, &out, TC_MS, NULL) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static int add_filters(const char *dev, const char *parent, const char *flow, json_t *peers,
		       json_t *cmds, struct agent_err *e)
{
	json_t *p;
	size_t i;

	json_array_foreach(peers, i, p) {
		const char *ip = json_string_value(p);
		int v6 = strchr(ip, ':') != NULL;
		char addr[64];
		const char *argv[] = { "tc", "filter", "add", "dev", dev, "parent", parent,
				       "protocol", v6 ? "ipv6" : "ip", "prio", v6 ? "2" : "1",
				       "u32", "match", v6 ? "ip6" : "ip", "dst", addr,
				       "flowid", flow, NULL };

		snprintf(addr, sizeof(addr), "%s%s", ip, strchr(ip, '/') ? "" : v6 ? "/128" : "/32");
		if (tc(argv, cmds, e) < 0)
			return -1;
	}
	return 0;
}

static int add_qdiscs(json_t *p, const char *dev, unsigned major, json_t *cmds,
		      struct agent_err *e)
{
	json_t *peers = json_object_get(p, "peers");
	char handle[16], child[16], band[16], store[16][32];
	const char *argv[40];
	int n = 0;

	snprintf(handle, sizeof(handle), "%x:", major);
	snprintf(child, sizeof(child), "%x:", major + 1);
	snprintf(band, sizeof(band), "%x:4", major);
	if (!peers) {
		const char *head[] = { "tc", "qdisc", "add", "dev", dev, "root", "handle",
				       handle, "netem" };

		memcpy(argv, head, sizeof(head));
		n = 9;
		netem_args(p, argv, &n, store);
		return tc(argv, cmds, e);
	}
	const char *prio[] = { "tc", "qdisc", "add", "dev", dev, "root", "handle", handle,
			       "prio", "bands", "4", "priomap", "1", "2", "2", "2", "1",
			       "2", "0", "0", "1", "1", "1", "1", "1", "1", "1", "1", NULL };
	const char *head[] = { "tc", "qdisc", "add", "dev", dev, "parent", band, "handle",
			       child, "netem" };

	if (tc(prio, cmds, e) < 0)
		return -1;
	memcpy(argv, head, sizeof(head));
	n = 10;
	netem_args(p, argv, &n, store);
	if (tc(argv, cmds, e) < 0)
		return -1;
	return add_filters(dev, handle, band, peers, cmds, e);
}

static void del_root(const char *dev, const char *handle, json_t *cmds)
{
	const char *argv[] = { "tc", "qdisc", "del", "dev", dev, "root", "handle", handle, NULL };

	tc(argv, cmds, NULL);
}

static int apply(struct fault_ctx *c, struct agent_err *e)
{
	/* A handle of our own: 0x100..0xfefe, from the id. */
	unsigned major = 0x100 + (unsigned)(strtoull(c->id + 12, NULL, 16) % 0xfe00);
	json_t *cmds = json_array();
	char dev[32], handle[16], *before, *out;

	if (find_dev(param_str(c->params, "dev"), dev, sizeof(dev), e) < 0) {
		json_decref(cmds);
		return -1;
	}
	snprintf(handle, sizeof(handle), "%x:", major);
	before = tc_show("qdisc", dev);
	if (add_qdiscs(c->params, dev, major, cmds, e) < 0) {
		del_root(dev, handle, cmds);	/* a half-built prio goes */
		free(before);
		json_decref(cmds);
		return -1;
	}
	agent_stamp(c->evidence);
	json_object_set_new(c->state, "dev", json_string(dev));
	json_object_set_new(c->state, "handle", json_string(handle));
	json_object_set_new(c->evidence, "dev", json_string(dev));
	json_object_set_new(c->evidence, "handle", json_string(handle));
	json_object_set_new(c->evidence, "direction", json_string("egress"));
	json_object_set_new(c->evidence, "commands", cmds);
	json_object_set_new(c->evidence, "qdisc_before", json_string(before ? before : ""));
	out = tc_show("qdisc", dev);
	json_object_set_new(c->evidence, "qdisc", json_string(out ? out : ""));
	free(out);
	if (json_object_get(c->params, "peers")) {
		out = tc_show("filter", dev);
		json_object_set_new(c->evidence, "filters", json_string(out ? out : ""));
		free(out);
	}
	free(before);
	return 0;
}

/* Is the root qdisc of dev still the one with our handle? */
static int ours(const char *qdiscs, const char *handle)
{
	char want[32];

	snprintf(want, sizeof(want), " %s root", handle);
	return qdiscs && strstr(qdiscs, want) != NULL;
}

static int verify(struct fault_ctx *c, struct agent_err *e)
{
	const char *q = json_string_value(json_object_get(c->evidence, "qdisc"));

	if (!q || !strstr(q, "qdisc netem") ||
	    !ours(q, json_string_value(json_object_get(c->state, "handle"))))
		return agent_err_set(e, "no netem qdisc of ours on '%s'",
				     json_string_value(json_object_get(c->state, "dev")));
	return 0;
}

/* The token may be damaged: only a plain interface name and "hhhh:". */
static int valid_state(const char *dev, const char *handle)
{
	size_t n = handle ? strlen(handle) : 0;

	return dev && strlen(dev) <= 15 && dev[0] && dev[0] != '-' &&
	       strspn(dev, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		       strlen(dev) &&
	       n >= 2 && n <= 5 && handle[n - 1] == ':' &&
	       strspn(handle, "0123456789abcdef") == n - 1;
}

static int undo(struct fault_ctx *c, struct agent_err *e)
{
	const char *dev = json_string_value(json_object_get(c->state, "dev"));
	const char *handle = json_string_value(json_object_get(c->state, "handle"));
	json_t *cmds;
	char *q;
	int rc;

	if (!valid_state(dev, handle))
		return agent_err_set(e, "undo state of netem is malformed");
	cmds = json_array();
	q = tc_show("qdisc", dev);
	if (!ours(q, handle)) {
		free(q);
		json_decref(cmds);
		json_object_set_new(c->evidence, "action", json_string(
			"none: the root qdisc is not ours (removed, or the interface is gone)"));
		return 0;
	}
	free(q);
	const char *argv[] = { "tc", "qdisc", "del", "dev", dev, "root", "handle", handle, NULL };

	rc = tc(argv, cmds, e);
	json_object_set_new(c->evidence, "commands", cmds);
	if (rc < 0)
		return -1;
	json_object_set_new(c->evidence, "action", json_string("deleted root qdisc"));
	q = tc_show("qdisc", dev);
	json_object_set_new(c->evidence, "qdisc", json_string(q ? q : ""));
	free(q);
	return 0;
}

const struct fault fault_netem = {
	.name = "netem",
	.summary = "impair packets leaving an interface with tc netem (loss, delay, "
		   "jitter, duplication, corruption, reordering, rate), to all or to peers",
	.undo_help = "deletes the root qdisc it added (handle derived from the id), "
		     "only if it is still there",
	.params = params,
	.check = check,
	.apply = apply,
	.verify = verify,
	.undo = undo,
};
