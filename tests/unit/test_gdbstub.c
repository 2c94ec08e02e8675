/* test_gdbstub.c - the GDB remote protocol client against its pure
 * functions and against a fake stub (a thread on a socketpair or a
 * loopback TCP port) that frames, escapes and compresses like QEMU and
 * misbehaves on purpose: NAKs, corrupt packets, stray stop replies. */
#include "clock.h"
#include "gdbstub.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the fake stub: its own framing, independent of gdbstub.c ---- */

struct fake {
	int fd;
	int packet_size;
	int nak_first;		/* NAK the first request once */
	int corrupt_g;		/* first reply to g has a bad checksum */
	int stray_stop;		/* a stop reply before the qfThreadInfo reply */
	int silent;		/* read requests, never answer */
	int no_ack;		/* not even acknowledge them */
	int nak_always;		/* refuse every request */
	int xml_read, phys, thread;
	uint64_t regs[3][4];	/* threads 1, 2; rax rbx rip eflags */
	uint8_t mem[8192];
	int requests, naks_sent, naks_seen, acks_seen;
};

static const char *const target_xml =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture>"
	"<xi:include href=\"core.xml\"/><xi:include href='extra.xml'/></target>";
static const char *const core_xml =
	"<?xml version=\"1.0\"?>\n<!-- special bytes to escape: # $ } * -->\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"  <flags id=\"x64_eflags\" size=\"4\"><field name=\"CF\" start=\"0\" end=\"0\"/></flags>\n"
	"  <reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
	"  <reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
	"  <!--reg name=\"hidden\" bitsize=\"64\" type=\"int64\"/-->\n"
	"  <reg\n    name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"  <reg name=\"eflags\" bitsize=\"32\" type=\"x64_eflags\"/>\n"
	"  <regs name=\"not-a-reg\" bitsize=\"8\"/>\n"
	"</feature>\n";
static const char *const extra_xml =
	"<feature name=\"org.gnu.gdb.i386.sse\">"
	"<reg name=\"xmm0\" bitsize=\"128\" regnum=\"40\"/>"
	"<reg name=\"mxcsr\" bitsize=\"32\" group=\"vector\"/></feature>";

static int fake_getc(struct fake *f)
{
	unsigned char c;

	return read(f->fd, &c, 1) == 1 ? c : -1;
}

static void fake_write(struct fake *f, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(f->fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Frame body (already escaped/compressed) and send until acked. */
static void fake_send_raw(struct fake *f, const char *body, int corrupt)
{
	unsigned sum = 0;
	char tail[4];
	int c;

	for (const char *p = body; *p; p++)
		sum += (unsigned char)*p;
	for (;;) {
		snprintf(tail, sizeof(tail), "#%02x", (sum + (corrupt ? 1 : 0)) & 0xff);
		fake_write(f, "$", 1);
		fake_write(f, body, strlen(body));
		fake_write(f, tail, 3);
		corrupt = 0;
		c = fake_getc(f);
		if (c == '+') {
			f->acks_seen++;
			return;
		}
		if (c != '-')
			return;
		f->naks_seen++;
	}
}

/* Escape binary data as QEMU's memtox does. */
static void fake_send_escaped(struct fake *f, char kind, const char *data, size_t n)
{
	char *out = malloc(2 * n + 2), *o = out;

	*o++ = kind;
	for (size_t i = 0; i < n; i++) {
		if (strchr("#$}*", data[i])) {
			*o++ = '}';
			*o++ = (char)(data[i] ^ 0x20);
		} else {
			*o++ = data[i];
		}
	}
	*o = '\0';
	fake_send_raw(f, out, 0);
	free(out);
}

/* Run-length encode like gdbserver: runs of 4+ become c*N, never N in
 * {'#', '$'} (counts 6 and 7). */
static void fake_send_rle(struct fake *f, const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s) {
		size_t run = 1;

		while (s[run] == s[0])
			run++;
		*o++ = s[0];
		s++, run--;
		while (run) {
			size_t extra = run > 97 ? 97 : run;

			if (extra >= 6 && extra <= 7)
				extra = 5;
			if (extra < 3) {
				for (size_t i = 0; i < extra; i++)
					*o++ = s[-1];
			} else {
				*o++ = '*';
				*o++ = (char)(29 + extra);
			}
			s += extra;
			run -= extra;
		}
	}
	*o = '\0';
	fake_send_raw(f, out, 0);
	free(out);
}

static void hexdump_le(char *out, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
}

static uint64_t hex_le(const char *s, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--) {
		unsigned b;

		sscanf(s + 2 * i, "%2x", &b);
		v = v << 8 | b;
	}
	return v;
}

static const int reg_bytes[4] = { 8, 8, 8, 4 };

static void fake_xfer(struct fake *f, const char *req)
{
	char annex[64];
	unsigned off, len;
	const char *doc;
	size_t n;

	if (sscanf(req, "qXfer:features:read:%63[^:]:%x,%x", annex, &off, &len) != 3) {
		fake_send_raw(f, "E00", 0);
		return;
	}
	doc = !strcmp(annex, "target.xml") ? target_xml : !strcmp(annex, "core.xml")
		? core_xml : !strcmp(annex, "extra.xml") ? extra_xml : NULL;
	if (!doc) {
		fake_send_raw(f, "E00", 0);
		return;
	}
	if (!strcmp(annex, "target.xml"))
		f->xml_read = 1;
	n = strlen(doc) - (off < strlen(doc) ? off : strlen(doc));
	if (len > 0x40)
		len = 0x40;	/* small chunks: the client must loop */
	fake_send_escaped(f, n > len ? 'm' : 'l', doc + off, n > len ? len : n);
}

static void fake_handle(struct fake *f, const char *req)
{
	char out[8192 * 2 + 8];
	unsigned long long a;
	unsigned n, r;

	if (!strncmp(req, "qSupported", 10)) {
		snprintf(out, sizeof(out), "PacketSize=%x;qXfer:features:read+;multiprocess+",
			 f->packet_size);
		fake_send_raw(f, out, 0);
	} else if (!strncmp(req, "qXfer:", 6)) {
		fake_xfer(f, req);
	} else if (!strcmp(req, "qfThreadInfo")) {
		if (f->stray_stop)
			fake_send_raw(f, "T05thread:02;", 0);
		fake_send_raw(f, "m01,02", 0);
	} else if (!strcmp(req, "qsThreadInfo")) {
		fake_send_raw(f, "l", 0);
	} else if (sscanf(req, "Hg%x", &n) == 1) {
		f->thread = n >= 1 && n <= 2 ? (int)n : 0;
		fake_send_raw(f, f->thread ? "OK" : "E22", 0);
	} else if (req[0] == 'g') {
		char *o = out;

		for (int i = 0; i < 4; i++) {
			hexdump_le(o, f->regs[f->thread ? f->thread : 1][i], reg_bytes[i]);
			o += 2 * reg_bytes[i];
		}
		fake_send_raw(f, out, f->corrupt_g);
		f->corrupt_g = 0;
	} else if (sscanf(req, "p%x", &r) == 1) {
		if (!f->xml_read || r == 40 || r > 3) {
			fake_send_raw(f, "", 0);
			return;
		}
		hexdump_le(out, f->regs[f->thread ? f->thread : 1][r], reg_bytes[r]);
		fake_send_rle(f, out);
	} else if (sscanf(req, "P%x=", &r) == 1) {
		const char *val = strchr(req, '=') + 1;

		if (!f->xml_read || r > 3 || strlen(val) != (size_t)(2 * reg_bytes[r])) {
			fake_send_raw(f, !f->xml_read ? "" : "E01", 0);
			return;
		}
		f->regs[f->thread ? f->thread : 1][r] = hex_le(val, reg_bytes[r]);
		fake_send_raw(f, "OK", 0);
	} else if (!strncmp(req, "Qqemu.PhyMemMode:", 17)) {
		f->phys = req[17] == '1';
		fake_send_raw(f, "OK", 0);
	} else if (sscanf(req, "m%llx,%x", &a, &n) == 2) {
		if (!f->phys || a + n > sizeof(f->mem) || 2 * n + 4 > (unsigned)f->packet_size) {
			fake_send_raw(f, "E14", 0);
			return;
		}
		for (unsigned i = 0; i < n; i++)
			sprintf(out + 2 * i, "%02x", f->mem[a + i]);
		fake_send_rle(f, out);
	} else if (sscanf(req, "M%llx,%x:", &a, &n) == 2) {
		const char *hex = strchr(req, ':') + 1;

		if (!f->phys || a + n > sizeof(f->mem) || strlen(hex) != 2 * n) {
			fake_send_raw(f, "E14", 0);
			return;
		}
		for (unsigned i = 0; i < n; i++) {
			unsigned b;

			sscanf(hex + 2 * i, "%2x", &b);
			f->mem[a + i] = (uint8_t)b;
		}
		fake_send_raw(f, "OK", 0);
	} else if (!strcmp(req, "D")) {
		fake_send_raw(f, "OK", 0);
	} else {
		fake_send_raw(f, "", 0);
	}
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;
	char req[16384];

	fake_send_raw(f, "T02thread:01;", 0);	/* as QEMU does on attach */
	for (;;) {
		size_t n = 0;
		unsigned sum = 0, got;
		char cs[3] = { 0 };
		int c;

		while ((c = fake_getc(f)) >= 0 && c != '$')
			;
		if (c < 0)
			break;
		while ((c = fake_getc(f)) >= 0 && c != '#' && n < sizeof(req) - 1) {
			sum += (unsigned)c;
			req[n++] = (char)c;
		}
		req[n] = '\0';
		cs[0] = (char)fake_getc(f);
		cs[1] = (char)fake_getc(f);
		if (c < 0 || sscanf(cs, "%2x", &got) != 1 || got != (sum & 0xff)) {
			fake_write(f, "-", 1);
			continue;
		}
		if (f->no_ack)
			continue;
		if (f->nak_always || (f->nak_first && !f->requests++)) {
			f->naks_sent++;
			fake_write(f, "-", 1);
			continue;
		}
		f->requests++;
		fake_write(f, "+", 1);
		if (f->silent)
			continue;
		fake_handle(f, req);
		if (!strcmp(req, "D"))
			break;
	}
	return NULL;
}

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->packet_size = 0x1000;
	f->regs[1][0] = 0x1ad40;
	f->regs[1][2] = 0xffffffff81000000ULL;
	f->regs[2][0] = 0x2000000000000000ULL;
	f->regs[1][3] = 0x246;
	for (size_t i = 0; i < sizeof(f->mem); i++)
		f->mem[i] = (uint8_t)(i < 1024 ? 0 : i * 7);
}

/* A fake on one end of a socketpair; the other end is returned. */
static int fake_start(struct fake *f, pthread_t *t)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	f->fd = sv[1];
	pthread_create(t, NULL, fake_run, f);
	return sv[0];
}

static void fake_stop(struct fake *f, pthread_t t)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(f->fd);
}

/* ---- pure functions ---- */

static void test_packets(void)
{
	struct buf b = BUF_INIT;
	struct err e = { "" };
	size_t used = 0;
	uint8_t bytes[4];

	is_int(gdbstub_checksum("", 0), 0, "checksum of nothing");
	is_int(gdbstub_checksum("OK", 2), 0x9a, "checksum of OK");
	is_int(gdbstub_checksum("\xff\xff", 2), 0xfe, "checksum is modulo 256");

	gdbstub_frame(&b, "OK", 2);
	is_str(b.data, "$OK#9a", "frame of OK");
	buf_reset(&b);
	gdbstub_frame(&b, "a$b#c}d*", 8);
	ok(!memcmp(b.data, "$a}\x04" "b}\x03" "c}]d}\x0a#", 14), "frame escapes $ # } *");
	ok(b.len == 16 && strtoul(b.data + 14, NULL, 16) ==
	   gdbstub_checksum(b.data + 1, 12), "checksum covers the escaped body");

	buf_reset(&b);
	ok(gdbstub_unpack("0* ", 3, &b, &e) == 0 && !strcmp(b.data, "0000"),
	   "run-length: '0* ' is four zeros (%s)", b.data);
	buf_reset(&b);
	ok(gdbstub_unpack("ab*!c", 5, &b, &e) == 0 && !strcmp(b.data, "abbbbbc"),
	   "run-length: 'b*!' is five b (%s)", b.data);
	buf_reset(&b);
	ok(gdbstub_unpack("}]*\"", 4, &b, &e) == 0 && !strcmp(b.data, "}}}}}}"),
	   "an escaped byte repeats (%s)", b.data);
	buf_reset(&b);
	ok(gdbstub_unpack("x}\x03y}\x04", 6, &b, &e) == 0 && !strcmp(b.data, "x#y$"),
	   "escapes decode (%s)", b.data);
	ok(gdbstub_unpack("*!", 2, &b, &e) < 0, "run-length mark first is refused: %s", e.msg);
	ok(gdbstub_unpack("a*", 2, &b, &e) < 0, "run-length mark last is refused: %s", e.msg);
	ok(gdbstub_unpack("a}", 2, &b, &e) < 0, "escape last is refused: %s", e.msg);
	ok(gdbstub_unpack("a*\x1f", 3, &b, &e) < 0, "a control-character count is refused: %s", e.msg);

	buf_reset(&b);
	is_int(gdbstub_parse_frame("$ab#1", 5, &used, &b, &e), 0, "half a checksum: need more");
	is_int((long long)used, 0, "an incomplete frame is kept");
	is_int(gdbstub_parse_frame("+-+", 3, &used, &b, &e), 0, "acks only: need more");
	is_int((long long)used, 3, "acks are consumed");
	is_int(gdbstub_parse_frame("++$OK#9a$x", 10, &used, &b, &e), 1, "a frame after acks");
	is_int((long long)used, 8, "consumed through the checksum");
	is_str(b.data, "OK", "payload");
	buf_reset(&b);
	is_int(gdbstub_parse_frame("$OK#9b", 6, &used, &b, &e), -1, "bad checksum");
	is_int((long long)used, 6, "a bad frame is consumed");
	is_int(gdbstub_parse_frame("$OK#zz", 6, &used, &b, &e), -1, "non-hex checksum");
	is_int(gdbstub_parse_frame("$0* #7a", 7, &used, &b, &e), 1, "RLE frame");
	is_str(b.data, "0000", "RLE frame payload");

	buf_reset(&b);
	gdbstub_hex_encode(&b, "\x00\xab\xff", 3);
	is_str(b.data, "00abff", "hex encode");
	ok(gdbstub_hex_decode("00aBff10", 8, bytes, 4) == 0 && bytes[1] == 0xab &&
	   bytes[3] == 0x10, "hex decode, either case");
	ok(gdbstub_hex_decode("00ab", 4, bytes, 3) < 0, "hex decode wants the exact length");
	ok(gdbstub_hex_decode("0g", 2, bytes, 1) < 0, "hex decode refuses non-hex");
	buf_release(&b);
}

/* ---- target descriptions without a stub ---- */

static int fetch_table(void *arg, const char *annex, struct buf *ret, struct err *e)
{
	const char *const *t = arg;

	for (; t[0]; t += 2)
		if (!strcmp(t[0], annex)) {
			buf_adds(ret, t[1]);
			return 0;
		}
	return err_set(e, "no annex '%s'", annex);
}

static void test_regs_parse(void)
{
	const char *docs[] = { "target.xml", target_xml, "core.xml", core_xml,
			       "extra.xml", extra_xml, NULL };
	const char *loop[] = { "a.xml", "<xi:include href=\"a.xml\"/>", NULL };
	const char *nobits[] = { "t.xml", "<reg name=\"x\"/>", NULL };
	const char *badnum[] = { "t.xml", "<reg name=\"x\" bitsize=\"8\" regnum=\"-1\"/>", NULL };
	const char *open_comment[] = { "t.xml", "<reg name=\"x\" bitsize=\"8\"/><!-- <reg", NULL };
	const char *none[] = { "t.xml", "<target></target>", NULL };
	struct gdbstub_regs r = { NULL, 0 };
	const struct gdbstub_reg *x;
	struct err e = { "" };

	ok(gdbstub_regs_parse("target.xml", fetch_table, docs, &r, &e) == 0,
	   "parse with includes: %s", e.msg);
	is_int(r.n, 6, "six registers (the commented one and <regs> are not)");
	ok(!gdbstub_regs_find(&r, "hidden"), "a commented-out register is skipped");
	x = gdbstub_regs_find(&r, "rip");
	ok(x && x->regnum == 2 && x->bitsize == 64 && x->offset == 16,
	   "rip: regnum 2, 64 bits, offset 16 (attributes over lines)");
	x = gdbstub_regs_find(&r, "eflags");
	ok(x && x->regnum == 3 && x->bitsize == 32, "eflags: regnum 3, 32 bits");
	x = gdbstub_regs_find(&r, "xmm0");
	ok(x && x->regnum == 40 && x->bitsize == 128, "xmm0: explicit regnum 40 in an include");
	x = gdbstub_regs_find(&r, "mxcsr");
	ok(x && x->regnum == 41 && x->offset == 28 + 16, "mxcsr: previous + 1, offset after xmm0");
	gdbstub_regs_release(&r);
	gdbstub_regs_release(NULL);

	ok(gdbstub_regs_parse("a.xml", fetch_table, loop, &r, &e) < 0 &&
	   strstr(e.msg, "nest deeper"), "an include loop ends: %s", e.msg);
	ok(gdbstub_regs_parse("t.xml", fetch_table, nobits, &r, &e) < 0 &&
	   strstr(e.msg, "bitsize"), "a register without bitsize: %s", e.msg);
	ok(gdbstub_regs_parse("t.xml", fetch_table, badnum, &r, &e) < 0 &&
	   strstr(e.msg, "regnum"), "a negative regnum: %s", e.msg);
	ok(gdbstub_regs_parse("t.xml", fetch_table, open_comment, &r, &e) < 0 &&
	   strstr(e.msg, "comment"), "an unterminated comment: %s", e.msg);
	ok(gdbstub_regs_parse("t.xml", fetch_table, none, &r, &e) < 0 &&
	   strstr(e.msg, "no registers"), "no registers: %s", e.msg);
	ok(gdbstub_regs_parse("missing.xml", fetch_table, docs, &r, &e) < 0 &&
	   strstr(e.msg, "missing.xml"), "a missing annex: %s", e.msg);
}

/* ---- sessions against the fake ---- */

static void test_session(void)
{
	struct fake f;
	pthread_t t;
	struct gdbstub *g = NULL;
	struct err e = { "" };
	struct buf b = BUF_INIT;
	const struct gdbstub_reg *rax, *rip, *eflags, *xmm0;
	uint64_t v = 0;
	uint8_t wide[16];
	long *ids = NULL;
	int n = 0, fd;

	fake_init(&f);
	f.nak_first = 1;
	f.corrupt_g = 1;
	f.stray_stop = 1;
	fd = fake_start(&f, &t);
	ok(gdbstub_open_fd(fd, deadline_in_ms(10000), &g, &e) == 0, "open: %s", e.msg);
	ok(gdbstub_command(g, "p0", &b, &e) == 0 && b.len == 0,
	   "p before the target description: empty reply, as QEMU");
	ok(f.acks_seen >= 1, "the stop reply on attach was drained and acked");
	is_int(f.naks_sent, 1, "the fake refused the first packet once");
	ok(gdbstub_handshake(g, &e) == 0, "handshake: %s", e.msg);
	ok(strstr(gdbstub_features(g), "qXfer:features:read+") != NULL, "features kept");
	is_int(gdbstub_registers(g)->n, 6, "registers from target.xml and its includes");
	rax = gdbstub_regs_find(gdbstub_registers(g), "rax");
	rip = gdbstub_regs_find(gdbstub_registers(g), "rip");
	eflags = gdbstub_regs_find(gdbstub_registers(g), "eflags");
	xmm0 = gdbstub_regs_find(gdbstub_registers(g), "xmm0");
	ok(rax && rip && eflags && xmm0, "rax, rip, eflags, xmm0 found");

	ok(gdbstub_threads(g, &ids, &n, &e) == 0 && n == 2 && ids[0] == 1 && ids[1] == 2,
	   "threads 1 and 2, a stray stop reply skipped: %s", e.msg);
	free(ids);

	ok(gdbstub_read_reg_u64(g, rip, &v, &e) == 0 && v == 0xffffffff81000000ULL,
	   "read rip (run-length encoded reply): %llx %s", (unsigned long long)v, e.msg);
	ok(gdbstub_read_reg_u64(g, rax, &v, &e) == 0 && v == 0x1ad40,
	   "read rax of thread 1: %llx", (unsigned long long)v);
	ok(gdbstub_select_thread(g, 2, &e) == 0, "select thread 2");
	ok(gdbstub_read_reg_u64(g, rax, &v, &e) == 0 && v == 0x2000000000000000ULL,
	   "read rax of thread 2: %llx", (unsigned long long)v);
	ok(gdbstub_write_reg_u64(g, rax, v ^ (1ULL << 61), &e) == 0, "flip bit 61 of rax: %s", e.msg);
	ok(gdbstub_read_reg_u64(g, rax, &v, &e) == 0 && v == 0, "reads back 0");
	is_int((long long)f.regs[1][0], 0x1ad40, "thread 1's rax untouched");
	ok(gdbstub_write_reg_u64(g, eflags, 0x202, &e) == 0 && f.regs[2][3] == 0x202,
	   "a 32-bit register is written as 4 bytes");
	ok(gdbstub_read_reg_u64(g, xmm0, &v, &e) < 0 && strstr(e.msg, "128 bits"),
	   "a 128-bit register is no u64: %s", e.msg);
	ok(gdbstub_read_reg(g, xmm0, wide, &e) < 0 && strstr(e.msg, "not supported"),
	   "an empty reply to p is an error: %s", e.msg);
	ok(gdbstub_select_thread(g, 9, &e) < 0 && strstr(e.msg, "error 22"),
	   "an Exx reply is an error: %s", e.msg);
	gdbstub_select_thread(g, 1, &e);

	ok(gdbstub_read_all(g, &b, &e) == 0 && b.len == 28 &&
	   !memcmp(b.data + 16, "\x00\x00\x00\x81\xff\xff\xff\xff", 8),
	   "g after a corrupt first reply: %s", e.msg);
	is_int(f.naks_seen, 1, "the corrupt reply was NAKed and resent");

	{
		uint8_t in[3000], out[3000];

		ok(gdbstub_read_mem(g, 0, in, 4, &e) < 0 && strstr(e.msg, "error 14"),
		   "virtual memory refused by the fake: %s", e.msg);
		ok(gdbstub_phys_mode(g, 1, &e) == 0 && f.phys, "physical memory mode on");
		for (size_t i = 0; i < sizeof(in); i++)
			in[i] = (uint8_t)(i * 13 + 1);
		ok(gdbstub_write_mem(g, 100, in, sizeof(in), &e) == 0, "write 3000 bytes: %s", e.msg);
		ok(!memcmp(f.mem + 100, in, sizeof(in)), "the fake holds them");
		ok(gdbstub_read_mem(g, 100, out, sizeof(out), &e) == 0 &&
		   !memcmp(in, out, sizeof(in)), "read them back: %s", e.msg);
		ok(gdbstub_read_mem(g, 4000, out, 1, &e) == 0 && out[0] == (uint8_t)(4000 * 7),
		   "one byte");
		ok(gdbstub_phys_mode(g, 0, &e) == 0 && !f.phys, "physical memory mode off");
	}
	ok(gdbstub_detach(g, &e) == 0, "detach: %s", e.msg);
	gdbstub_close(g);
	fake_stop(&f, t);
	buf_release(&b);
}

static void test_small_packets(void)
{
	struct fake f;
	pthread_t t;
	struct gdbstub *g = NULL;
	struct err e = { "" };
	uint8_t in[500], out[500];
	int fd;

	fake_init(&f);
	f.packet_size = 0x80;	/* m/M must be split below it */
	fd = fake_start(&f, &t);
	ok(gdbstub_open_fd(fd, deadline_in_ms(10000), &g, &e) == 0 &&
	   gdbstub_handshake(g, &e) == 0, "small packets: handshake: %s", e.msg);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(255 - i);
	ok(gdbstub_phys_mode(g, 1, &e) == 0 &&
	   gdbstub_write_mem(g, 2000, in, sizeof(in), &e) == 0 &&
	   gdbstub_read_mem(g, 2000, out, sizeof(out), &e) == 0 &&
	   !memcmp(in, out, sizeof(in)), "500 bytes through 128-byte packets: %s", e.msg);
	ok(f.requests > 10, "in many requests (%d)", f.requests);
	gdbstub_close(g);
	fake_stop(&f, t);
}

static void test_timeout(void)
{
	struct fake f;
	pthread_t t;
	struct gdbstub *g = NULL;
	struct err e = { "" };
	struct buf b = BUF_INIT;
	int64_t t0;
	int fd;

	fake_init(&f);
	f.silent = 1;
	fd = fake_start(&f, &t);
	ok(gdbstub_open_fd(fd, deadline_in_ms(10000), &g, &e) == 0, "silent fake: open");
	gdbstub_set_deadline(g, deadline_in_ms(300));
	t0 = clock_mono_ms();
	ok(gdbstub_command(g, "qSupported", &b, &e) < 0 && strstr(e.msg, "timed out"),
	   "a stub that never answers: %s", e.msg);
	ok(clock_mono_ms() - t0 < 2000, "the deadline holds (%lld ms)",
	   (long long)(clock_mono_ms() - t0));
	gdbstub_close(g);
	fake_stop(&f, t);

	fake_init(&f);
	f.no_ack = 1;
	fd = fake_start(&f, &t);
	ok(gdbstub_open_fd(fd, deadline_in_ms(300), &g, &e) == 0, "mute fake: open");
	ok(gdbstub_command(g, "qSupported", &b, &e) < 0 && strstr(e.msg, "acknowledge"),
	   "a stub that never acknowledges: %s", e.msg);
	gdbstub_close(g);
	fake_stop(&f, t);

	fake_init(&f);
	f.nak_always = 1;
	fd = fake_start(&f, &t);
	ok(gdbstub_open_fd(fd, deadline_in_ms(5000), &g, &e) == 0, "refusing fake: open");
	ok(gdbstub_command(g, "qSupported", &b, &e) < 0 && strstr(e.msg, "refused a packet 4 times"),
	   "a stub that refuses every packet, after 3 resends: %s", e.msg);
	is_int(f.naks_sent, 4, "sent once and resent three times");
	gdbstub_close(g);
	fake_stop(&f, t);
	buf_release(&b);
}

/* gdbstub_connect over a real loopback TCP port. */
struct acceptor {
	int lfd;
	struct fake f;
};

static void *accept_run(void *arg)
{
	struct acceptor *a = arg;

	a->f.fd = accept(a->lfd, NULL, NULL);
	if (a->f.fd >= 0)
		fake_run(&a->f);
	return NULL;
}

static void test_tcp(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct acceptor a;
	struct gdbstub *g = NULL;
	struct err e = { "" };
	pthread_t t;
	uint64_t v = 0;
	int port = 0;

	ok(gdbstub_free_port(&port, &e) == 0 && port > 0, "a free port: %d", port);
	fake_init(&a.f);
	a.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bind(a.lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(a.lfd, 1) < 0 ||
	    getsockname(a.lfd, (struct sockaddr *)&sa, &sl) < 0) {
		ok(0, "cannot listen on loopback");
		return;
	}
	pthread_create(&t, NULL, accept_run, &a);
	ok(gdbstub_connect(ntohs(sa.sin_port), deadline_in_ms(10000), &g, &e) == 0,
	   "connect over TCP: %s", e.msg);
	ok(g && gdbstub_handshake(g, &e) == 0 &&
	   gdbstub_read_reg_u64(g, gdbstub_regs_find(gdbstub_registers(g), "eflags"), &v, &e) == 0 &&
	   v == 0x246, "eflags over TCP: %llx %s", (unsigned long long)v, e.msg);
	ok(g && gdbstub_detach(g, &e) == 0, "detach over TCP");
	gdbstub_close(g);
	pthread_join(t, NULL);
	close(a.f.fd);
	close(a.lfd);
	ok(gdbstub_connect(ntohs(sa.sin_port), deadline_in_ms(2000), &g, &e) < 0,
	   "nobody listening: %s", e.msg);
	ok(gdbstub_connect(0, deadline_in_ms(2000), &g, &e) < 0, "port 0 refused");
}

int main(void)
{
	test_packets();
	test_regs_parse();
	test_session();
	test_small_packets();
	test_timeout();
	test_tcp();
	return tap_done();
}
