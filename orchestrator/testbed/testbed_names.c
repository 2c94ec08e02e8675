#include "testbed_names.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

uint32_t names_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *names_domain(const char *prefix, const char *node)
{
	return xasprintf("%s-%s", prefix, node);
}

int names_port_base(const char *prefix)
{
	return 20480 + (int)(names_hash(prefix) % 615) * 64;
}

int names_node_ip(const char *subnet, int i, char *ret_ip, int *ret_len,
		  struct err *e)
{
	char addr[32];
	const char *slash = strchr(subnet, '/');
	struct in_addr in;
	uint32_t host, mask;
	char *end;
	long len;

	if (!slash || (size_t)(slash - subnet) >= sizeof(addr))
		return err_set(e, "invalid subnet '%s': expected a.b.c.d/len", subnet);
	memcpy(addr, subnet, (size_t)(slash - subnet));
	addr[slash - subnet] = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 8 || len > 28 || inet_pton(AF_INET, addr, &in) != 1)
		return err_set(e, "invalid subnet '%s': expected a.b.c.d/len "
			       "with len from 8 to 28", subnet);
	mask = len ? ~0u << (32 - len) : 0;
	if ((uint32_t)(11 + i) >= (~mask) - 1)
		return err_set(e, "subnet '%s' is too small for node %d", subnet, i + 1);
	host = (ntohl(in.s_addr) & mask) | (uint32_t)(11 + i);
	in.s_addr = htonl(host);
	inet_ntop(AF_INET, &in, ret_ip, 16);
	*ret_len = (int)len;
	return 0;
}

void names_mac(const char *prefix, int nic, int i, char *out)
{
	uint32_t h = names_hash(prefix);

	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", nic & 0xff,
		 (unsigned)(h & 0xff), (unsigned)(i & 0xff));
}
