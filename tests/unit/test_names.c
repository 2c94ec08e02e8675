/* Names and addresses of a testbed's parts, its domain XML, escaping
 * and the accelerator choice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "buf.h"
#include "escape.h"
#include "tap.h"
#include "testbed_names.h"
#include "testbed_xml.h"

static void test_names(void)
{
	char ip[16], mac[18];
	struct err e;
	int len;
	char *d = names_domain("cmp-demo", "n1");

	is_str(d, "cmp-demo-n1", "domain name is prefix-node");
	free(d);
	ok(names_port_base("cmp-demo") == names_port_base("cmp-demo"),
	   "port base is stable");
	ok(names_port_base("cmp-demo") != names_port_base("cmp-other"),
	   "port bases differ between prefixes");
	ok(names_port_base("x") >= 20000 && names_port_base("x") + 64 <= 60000 &&
	   names_port_base("x") % 64 == 0, "port base in range and aligned");
	is_int(names_node_ip("10.99.0.0/24", 0, ip, &len, &e), 0, "first node ip");
	is_str(ip, "10.99.0.11", "host part 11 for node 0");
	is_int(len, 24, "prefix length kept");
	names_node_ip("10.99.7.200/16", 2, ip, &len, &e);
	is_str(ip, "10.99.0.13", "network part masked, node 2 gets .13");
	is_int(names_node_ip("10.99.0.0/29", 0, ip, &len, &e), -1, "too small a subnet");
	is_int(names_node_ip("10.99.0.0", 0, ip, &len, &e), -1, "missing length");
	is_str(e.msg, "invalid subnet '10.99.0.0': expected a.b.c.d/len", "its message");
	is_int(names_node_ip("10.999.0.0/24", 0, ip, &len, &e), -1, "bad address");
	names_mac("cmp-demo", 1, 2, mac);
	ok(!strncmp(mac, "52:54:00:01:", 12) && !strcmp(mac + 15, "02"),
	   "cluster mac %s carries nic 1 and node 2", mac);
	names_mac("cmp-demo", 0, 0, mac);
	ok(!strncmp(mac, "52:54:00:00:", 12), "control mac %s carries nic 0", mac);
}

static void test_escape(void)
{
	struct buf b = BUF_INIT;

	markup_escape(&b, "<script>alert('x')</script> & \"q\"\x01");
	is_str(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
	       "&quot;q&quot;\xef\xbf\xbd", "markup characters and controls escaped");
	buf_reset(&b);
	markup_escape(&b, "\"><img src=x onerror=alert(1)>");
	ok(!strchr(b.data, '<') && !strchr(b.data, '>') && !strchr(b.data, '"'),
	   "attribute breakout neutralised: %s", b.data);
	{
		static const struct { const char *in, *out, *what; } u[] = {
			{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9b", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9b",
			  "well-formed UTF-8 (2, 3, 4 bytes) kept" },
			{ "a\xef\xbf\xbe\xef\xbf\xbf" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b", "U+FFFE and U+FFFF replaced" },
			{ "\xc0\xaf" "x", "\xef\xbf\xbd\xef\xbf\xbd" "x", "overlong '/' replaced, byte by byte" },
			{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "a surrogate replaced" },
			{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
			  "above U+10FFFF replaced" },
			{ "ab\xe2\x82", "ab\xef\xbf\xbd\xef\xbf\xbd", "truncated at the end replaced" },
			{ "\xe2\x82<", "\xef\xbf\xbd\xef\xbf\xbd&lt;", "truncated before '<': '<' still escaped" },
			{ "\xff\x7f", "\xef\xbf\xbd\xef\xbf\xbd", "0xff and DEL replaced" },
		};

		for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
			buf_reset(&b);
			markup_escape(&b, u[i].in);
			is_str(b.data, u[i].out, u[i].what);
		}
	}
	buf_release(&b);
}

static void test_xml(void)
{
	struct buf b = BUF_INIT;
	struct domain_spec s = {
		.name = "cmp-t-n1", .prefix = "cmp-t", .node = "n1", .kvm = 0,
		.memory_mib = 128, .vcpus = 1, .kernel = "/i/vmlinuz",
		.initrd = "/i/initrd.img", .cmdline = "quiet campaign.name=n1 x='<'",
		.disk = "/s/n1.qcow2", .ssh_port = 20001,
		.ctl_mac = "52:54:00:00:aa:00", .cl_mac = "52:54:00:01:aa:00",
		.vde_sock = "/s/vde", .console_log = "/s/n1.console.log",
	};

	testbed_domain_xml(&b, &s);
	ok(strstr(b.data, "<domain type='qemu'") != NULL, "tcg domain type");
	ok(strstr(b.data, "hostfwd=tcp:127.0.0.1:20001-:22") != NULL,
	   "ssh forward bound to loopback");
	ok(strstr(b.data, "vde,id=cl,sock=/s/vde") != NULL, "cluster nic on the switch");
	ok(strstr(b.data, "x=&#39;&lt;&#39;") != NULL, "cmdline escaped");
	ok(strstr(b.data, "prefix='cmp-t'") != NULL, "metadata names the testbed");
	buf_reset(&b);
	s.kvm = 1;
	s.vde_sock = NULL;
	s.libvirt_network = "default";
	testbed_domain_xml(&b, &s);
	ok(strstr(b.data, "<domain type='kvm'") != NULL, "kvm domain type");
	ok(strstr(b.data, "<source network='default'/>") != NULL, "libvirt network");
	ok(!strstr(b.data, "vde,"), "no vde nic with a libvirt network");
	buf_release(&b);
}

static void test_accel(void)
{
	char reason[256], path[] = "/tmp/cpuinfo-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("processor : 0\nflags : fpu sse2 hypervisor\n", f);
	fclose(f);
	is_int(accel_choose(ACCEL_AUTO, "/dev/null", path, reason, sizeof(reason)), 0,
	       "auto without vmx/svm chooses tcg");
	ok(strstr(reason, "no vmx/svm") != NULL, "and says why: %s", reason);
	is_int(accel_choose(ACCEL_AUTO, "/nonexistent/kvm", path, reason,
			    sizeof(reason)), 0, "auto without a kvm device chooses tcg");
	f = fopen(path, "w");
	fputs("flags : fpu vmx sse2\n", f);
	fclose(f);
	is_int(accel_choose(ACCEL_AUTO, "/dev/null", path, reason, sizeof(reason)), 1,
	       "auto with an opening device and vmx chooses kvm");
	is_int(accel_choose(ACCEL_TCG, "/dev/null", path, reason, sizeof(reason)), 0,
	       "tcg when asked");
	is_int(accel_choose(ACCEL_KVM, "/nonexistent", path, reason, sizeof(reason)), 1,
	       "kvm when asked");
	unlink(path);
}

int main(void)
{
	test_names();
	test_escape();
	test_xml();
	test_accel();
	return tap_done();
}
