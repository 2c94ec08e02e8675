/* gdbstub.c - GDB remote serial protocol client (see gdbstub.h). */
#include "gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "testbed.h"

#define MAX_RETRANSMITS 3
#define MAX_INCLUDE_DEPTH 8
#define DRAIN_FIRST_MS 500
#define DRAIN_QUIET_MS 20

/* ---- packets ---- */

unsigned gdbstub_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum & 0xff;
}

static int needs_escape(unsigned char c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

void gdbstub_frame(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t start;

	buf_addch(out, '$');
	start = out->len;
	for (size_t i = 0; i < len; i++) {
		if (needs_escape(p[i])) {
			buf_addch(out, '}');
			buf_addch(out, (char)(p[i] ^ 0x20));
		} else {
			buf_addch(out, (char)p[i]);
		}
	}
	buf_addf(out, "#%02x", gdbstub_checksum(out->data + start,
						out->len - start));
}

int gdbstub_unpack(const char *body, size_t len, struct buf *ret,
		   struct err *e)
{
	size_t start = ret->len;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c == '}') {
			if (++i == len)
				return err_set(e, "packet ends inside an escape");
			buf_addch(ret, (char)(body[i] ^ 0x20));
		} else if (c == '*') {
			int n;

			if (ret->len == start)
				return err_set(e, "packet starts with a run-length mark");
			if (++i == len)
				return err_set(e, "packet ends inside a run-length mark");
			n = (unsigned char)body[i] - 29;
			if (n < 3 || n > 97)
				return err_set(e, "bad run length %d in packet", n);
			for (char prev = ret->data[ret->len - 1]; n > 0; n--)
				buf_addch(ret, prev);
		} else {
			buf_addch(ret, (char)c);
		}
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gdbstub_parse_frame(const char *data, size_t len, size_t *ret_used,
			struct buf *ret, struct err *e)
{
	const char *dollar = memchr(data, '$', len), *hash;
	size_t body;
	int hi, lo;

	if (!dollar) {
		*ret_used = len;	/* acks and noise */
		return 0;
	}
	body = (size_t)(dollar - data) + 1;
	hash = memchr(data + body, '#', len - body);
	if (!hash || (size_t)(hash - data) + 3 > len) {
		*ret_used = (size_t)(dollar - data);	/* keep the frame's start */
		return 0;
	}
	*ret_used = (size_t)(hash - data) + 3;
	hi = hexval((unsigned char)hash[1]);
	lo = hexval((unsigned char)hash[2]);
	if (hi < 0 || lo < 0)
		return err_set(e, "packet checksum '%.2s' is not hex", hash + 1);
	if ((unsigned)(hi * 16 + lo) !=
	    gdbstub_checksum(data + body, (size_t)(hash - data) - body))
		return err_set(e, "packet checksum mismatch");
	if (gdbstub_unpack(data + body, (size_t)(hash - data) - body, ret, e) < 0)
		return -1;
	return 1;
}

void gdbstub_hex_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		buf_addf(out, "%02x", p[i]);
}

int gdbstub_hex_decode(const char *hex, size_t hexlen, uint8_t *out,
		       size_t len)
{
	if (hexlen != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	return 0;
}

/* ---- target descriptions ---- */

/* The value of attribute `name` in the tag text [tag, end), or NULL. New. */
static char *xml_attr(const char *tag, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = tag; p + n + 2 < end; p++) {
		const char *q, *close;

		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' &&
		     p[-1] != '\r') || strncmp(p, name, n))
			continue;
		q = p + n;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (q >= end || *q != '=')
			continue;
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (q >= end || (*q != '"' && *q != '\''))
			continue;
		close = memchr(q + 1, *q, (size_t)(end - q - 1));
		if (!close)
			return NULL;
		return strndup(q + 1, (size_t)(close - q - 1));
	}
	return NULL;
}

static int tag_is(const char *tag, const char *end, const char *name)
{
	size_t n = strlen(name);

	return (size_t)(end - tag) >= n && !strncmp(tag, name, n) &&
	       ((size_t)(end - tag) == n || strchr(" \t\r\n/>", tag[n]));
}

struct reg_parse {
	gdbstub_fetch_fn fetch;
	void *arg;
	struct gdbstub_regs *regs;
	int next_regnum;
	int offset;
};

static int add_reg(struct reg_parse *rp, const char *tag, const char *end,
		   struct err *e)
{
	char *name = xml_attr(tag, end, "name"), *bits = xml_attr(tag, end, "bitsize"),
	     *num = xml_attr(tag, end, "regnum");
	struct gdbstub_reg *r;
	int ret = -1;
	long b, n = rp->next_regnum;
	char *endp;

	if (!name || !bits) {
		err_set(e, "register without name or bitsize in target description");
		goto cleanup;
	}
	b = strtol(bits, &endp, 10);
	if (*endp || b <= 0 || b > 4096) {
		err_set(e, "register '%s' has bad bitsize '%s'", name, bits);
		goto cleanup;
	}
	if (num) {
		n = strtol(num, &endp, 10);
		if (*endp || n < 0 || n > 100000) {
			err_set(e, "register '%s' has bad regnum '%s'", name, num);
			goto cleanup;
		}
	}
	rp->regs->v = xrealloc(rp->regs->v, (size_t)(rp->regs->n + 1) * sizeof(*r));
	r = &rp->regs->v[rp->regs->n++];
	*r = (struct gdbstub_reg){ name, (int)n, (int)b, rp->offset };
	name = NULL;
	rp->next_regnum = (int)n + 1;
	rp->offset += (int)(b + 7) / 8;
	ret = 0;
cleanup:
	free(name);
	free(bits);
	free(num);
	return ret;
}

static int parse_annex(struct reg_parse *rp, const char *annex, int depth,
		       struct err *e);

static int parse_xml(struct reg_parse *rp, const char *annex, const char *xml,
		     int depth, struct err *e)
{
	const char *p = xml;

	while ((p = strchr(p, '<'))) {
		const char *tag = p + 1, *end;

		if (!strncmp(tag, "!--", 3)) {
			end = strstr(tag + 3, "-->");
			if (!end)
				return err_set(e, "unterminated comment in '%s'", annex);
			p = end + 3;
			continue;
		}
		end = strchr(tag, '>');
		if (!end)
			return err_set(e, "unterminated tag in '%s'", annex);
		p = end + 1;
		if (tag_is(tag, end, "reg")) {
			if (add_reg(rp, tag, end, e) < 0)
				return err_prefix(e, "in '%s'", annex);
		} else if (tag_is(tag, end, "xi:include") || tag_is(tag, end, "include")) {
			char *href = xml_attr(tag, end, "href");
			int r;

			if (!href)
				return err_set(e, "include without href in '%s'", annex);
			r = parse_annex(rp, href, depth + 1, e);
			free(href);
			if (r < 0)
				return -1;
		}
	}
	return 0;
}

static int parse_annex(struct reg_parse *rp, const char *annex, int depth,
		       struct err *e)
{
	struct buf xml = BUF_INIT;
	int r;

	if (depth > MAX_INCLUDE_DEPTH)
		return err_set(e, "target description includes nest deeper than %d at '%s'",
			       MAX_INCLUDE_DEPTH, annex);
	r = rp->fetch(rp->arg, annex, &xml, e);
	if (r == 0)
		r = parse_xml(rp, annex, xml.data, depth, e);
	buf_release(&xml);
	return r;
}

int gdbstub_regs_parse(const char *annex, gdbstub_fetch_fn fetch, void *arg,
		       struct gdbstub_regs *ret, struct err *e)
{
	struct gdbstub_regs regs = { NULL, 0 };
	struct reg_parse rp = { fetch, arg, &regs, 0, 0 };

	if (parse_annex(&rp, annex, 0, e) < 0) {
		gdbstub_regs_release(&regs);
		return -1;
	}
	if (!regs.n)
		return err_set(e, "target description '%s' names no registers", annex);
	*ret = regs;
	return 0;
}

void gdbstub_regs_release(struct gdbstub_regs *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

const struct gdbstub_reg *gdbstub_regs_find(const struct gdbstub_regs *r,
					    const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

/* ---- session ---- */

struct gdbstub {
	int fd;
	int64_t deadline;
	struct buf in;		/* received bytes not yet consumed */
	struct buf early;	/* a reply that came while waiting for an ack */
	int has_early;
	size_t max_payload;	/* from PacketSize, minus framing */
	char *features;
	struct gdbstub_regs regs;
};

/* Wait for events on the fd until the deadline; 0 on a timeout. */
static int wait_fd(struct gdbstub *g, short events, int64_t deadline,
		   struct err *e)
{
	for (;;) {
		struct pollfd p = { g->fd, events, 0 };
		int64_t left = deadline_left_ms(deadline);
		int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));

		if (r > 0)
			return 1;
		if (r == 0 && deadline_passed(deadline))
			return 0;
		if (r < 0 && errno != EINTR)
			return err_errno(e, errno, "cannot wait for the gdb stub");
	}
}

static int send_all(struct gdbstub *g, const void *data, size_t len,
		    struct err *e)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(g->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(g, POLLOUT, g->deadline, e);

			if (r <= 0)
				return r < 0 ? -1 : err_set(e, "timed out sending to the gdb stub");
		} else {
			return err_errno(e, errno, "cannot send to the gdb stub");
		}
	}
	return 0;
}

/* Read more bytes into g->in before deadline: 1 got some, 0 timeout. */
static int fill(struct gdbstub *g, int64_t deadline, struct err *e)
{
	char chunk[4096];
	ssize_t n;
	int r = wait_fd(g, POLLIN, deadline, e);

	if (r <= 0)
		return r;
	n = recv(g->fd, chunk, sizeof(chunk), 0);
	if (n == 0)
		return err_set(e, "the gdb stub closed the connection");
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 1
			: err_errno(e, errno, "cannot read from the gdb stub");
	buf_add(&g->in, chunk, (size_t)n);
	return 1;
}

static void consume(struct gdbstub *g, size_t n)
{
	memmove(g->in.data, g->in.data + n, g->in.len - n);
	g->in.len -= n;
	g->in.data[g->in.len] = '\0';
}

/* Read one packet before deadline, ack it ('+', or '-' and wait for the
 * retransmission when corrupt). 1 got one, 0 timeout. Acks and noise
 * before the packet are dropped. */
static int read_packet(struct gdbstub *g, int64_t deadline, struct buf *ret,
		       struct err *e)
{
	int naks = 0;

	for (;;) {
		size_t used = 0;
		int r;

		buf_reset(ret);
		r = gdbstub_parse_frame(g->in.data, g->in.len, &used, ret, e);
		consume(g, used);
		if (r == 1)
			return send_all(g, "+", 1, e) < 0 ? -1 : 1;
		if (r < 0) {
			if (++naks > MAX_RETRANSMITS)
				return err_prefix(e, "gdb stub sent %d bad packets", naks);
			if (send_all(g, "-", 1, e) < 0)
				return -1;
			continue;
		}
		r = fill(g, deadline, e);
		if (r <= 0)
			return r;
	}
}

static int is_async(const struct buf *p)
{
	/* stop replies and console output; no reply to our requests looks
	 * like these (hex is lower case; "OK", "E..", "m..", "l..") */
	return p->len >= 1 && (p->data[0] == 'T' || p->data[0] == 'S' ||
			       (p->data[0] == 'O' && p->len > 1 && p->data[1] != 'K'));
}

/* Keep a packet that came before an ack: the reply, when it is no stop
 * reply or console output. */
static int keep_early(struct gdbstub *g, struct err *e)
{
	struct buf p = BUF_INIT;
	int r = read_packet(g, g->deadline, &p, e);

	if (r > 0 && !is_async(&p)) {
		buf_reset(&g->early);
		buf_add(&g->early, p.data, p.len);
		g->has_early = 1;
	}
	buf_release(&p);
	return r;
}

/* The stub's answer to a packet sent: 1 '+', 0 '-', -1 error or timeout.
 * Noise is dropped, packets before the ack are kept (keep_early). */
static int next_ack(struct gdbstub *g, struct err *e)
{
	for (;;) {
		size_t i = 0;
		int r;

		while (i < g->in.len && !strchr("+-$", g->in.data[i]))
			i++;
		consume(g, i);
		if (g->in.len && g->in.data[0] != '$') {
			char c = g->in.data[0];

			consume(g, 1);
			return c == '+';
		}
		r = g->in.len ? keep_early(g, e) : fill(g, g->deadline, e);
		if (r == 0)
			return err_set(e, "timed out waiting for the gdb stub to acknowledge a packet");
		if (r < 0)
			return -1;
	}
}

/* Send a frame and wait for its '+', resending on '-'. */
static int send_packet(struct gdbstub *g, const void *data, size_t len,
		       struct err *e)
{
	struct buf frame = BUF_INIT;
	int tries = 0, r;

	gdbstub_frame(&frame, data, len);
	r = send_all(g, frame.data, frame.len, e);
	while (r == 0) {
		int ack = next_ack(g, e);

		if (ack == 1)
			break;
		if (ack < 0)
			r = -1;
		else if (++tries > MAX_RETRANSMITS)
			r = err_set(e, "gdb stub refused a packet %d times", tries);
		else
			r = send_all(g, frame.data, frame.len, e);
	}
	buf_release(&frame);
	return r;
}

int gdbstub_request(struct gdbstub *g, const void *data, size_t len,
		    struct buf *ret, struct err *e)
{
	g->has_early = 0;
	if (send_packet(g, data, len, e) < 0)
		return -1;
	if (g->has_early) {
		buf_reset(ret);
		buf_add(ret, g->early.data, g->early.len);
		g->has_early = 0;
		return 0;
	}
	for (;;) {
		int r = read_packet(g, g->deadline, ret, e);

		if (r < 0)
			return -1;
		if (r == 0)
			return err_set(e, "timed out waiting for the gdb stub's reply to '%.*s'",
				       (int)(len < 40 ? len : 40), (const char *)data);
		if (!is_async(ret))
			return 0;
	}
}

int gdbstub_command(struct gdbstub *g, const char *cmd, struct buf *ret,
		    struct err *e)
{
	if (gdbstub_request(g, cmd, strlen(cmd), ret, e) < 0)
		return -1;
	if (ret->len == 3 && ret->data[0] == 'E' && hexval(ret->data[1]) >= 0 &&
	    hexval(ret->data[2]) >= 0)
		return err_set(e, "gdb stub refused '%.40s': error %s", cmd, ret->data + 1);
	if (ret->len >= 2 && ret->data[0] == 'E' && ret->data[1] == '.')
		return err_set(e, "gdb stub refused '%.40s': %s", cmd, ret->data + 2);
	return 0;
}

static int expect_ok(struct gdbstub *g, const char *cmd, struct err *e)
{
	struct buf r = BUF_INIT;
	int ret = gdbstub_command(g, cmd, &r, e);

	if (ret == 0 && strcmp(r.data, "OK"))
		ret = err_set(e, "gdb stub answered '%.40s' to '%.40s'%s", r.data, cmd,
			      r.len ? "" : " (not supported)");
	buf_release(&r);
	return ret;
}

static int64_t earlier(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Read and ack what the stub sends on attach (QEMU: a stop reply) until
 * it is quiet. A late one is skipped by the requests anyway. */
static int drain(struct gdbstub *g, struct err *e)
{
	struct buf p = BUF_INIT;
	int r = read_packet(g, earlier(deadline_in_ms(DRAIN_FIRST_MS), g->deadline),
			    &p, e);

	while (r > 0)
		r = read_packet(g, earlier(deadline_in_ms(DRAIN_QUIET_MS), g->deadline),
				&p, e);
	buf_release(&p);
	return r < 0 ? -1 : 0;
}

int gdbstub_open_fd(int fd, int64_t deadline, struct gdbstub **ret,
		    struct err *e)
{
	struct gdbstub *g = xcalloc(1, sizeof(*g));
	int one = 1;

	g->fd = fd;
	g->deadline = deadline;
	g->max_payload = 0x400;	/* until qSupported says more */
	buf_init(&g->in);
	buf_init(&g->early);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (drain(g, e) < 0) {
		gdbstub_close(g);
		return -1;
	}
	*ret = g;
	return 0;
}

int gdbstub_connect(int port, int64_t deadline, struct gdbstub **ret,
		    struct err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (port <= 0 || port > 65535)
		return err_set(e, "bad gdb stub port %d", port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_errno(e, errno, "cannot make a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		struct pollfd p = { fd, POLLOUT, 0 };
		int r;

		if (errno != EINPROGRESS) {
			err_errno(e, errno, "cannot connect to the gdb stub on 127.0.0.1:%d", port);
			close(fd);
			return -1;
		}
		do
			r = poll(&p, 1, (int)deadline_left_ms(deadline));
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			err_set(e, "timed out connecting to the gdb stub on 127.0.0.1:%d", port);
			close(fd);
			return -1;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			err_errno(e, soerr, "cannot connect to the gdb stub on 127.0.0.1:%d", port);
			close(fd);
			return -1;
		}
	}
	return gdbstub_open_fd(fd, deadline, ret, e);
}

void gdbstub_close(struct gdbstub *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	buf_release(&g->in);
	buf_release(&g->early);
	free(g->features);
	gdbstub_regs_release(&g->regs);
	free(g);
}

void gdbstub_set_deadline(struct gdbstub *g, int64_t deadline)
{
	g->deadline = deadline;
}

int gdbstub_xfer_read(struct gdbstub *g, const char *object,
		      const char *annex, struct buf *ret, struct err *e)
{
	struct buf reply = BUF_INIT;
	size_t chunk = g->max_payload > 0xfff ? 0xfff : g->max_payload;
	int r = -1;

	buf_reset(ret);
	for (;;) {
		char *cmd = xasprintf("qXfer:%s:read:%s:%zx,%zx", object, annex,
				      ret->len, chunk);

		r = gdbstub_command(g, cmd, &reply, e);
		free(cmd);
		if (r < 0)
			break;
		if (!reply.len || (reply.data[0] != 'm' && reply.data[0] != 'l')) {
			r = err_set(e, "gdb stub cannot read '%s' (%s): '%.40s'", annex,
				    object, reply.data);
			break;
		}
		buf_add(ret, reply.data + 1, reply.len - 1);
		if (reply.data[0] == 'l')
			break;
		if (reply.len == 1) {
			r = err_set(e, "gdb stub sent an empty chunk of '%s'", annex);
			break;
		}
	}
	buf_release(&reply);
	return r;
}

static int fetch_features(void *arg, const char *annex, struct buf *ret,
			  struct err *e)
{
	return gdbstub_xfer_read(arg, "features", annex, ret, e);
}

int gdbstub_handshake(struct gdbstub *g, struct err *e)
{
	struct buf reply = BUF_INIT;
	const char *ps;
	int r = gdbstub_command(g, "qSupported:xmlRegisters=i386", &reply, e);

	if (r < 0)
		goto cleanup;
	free(g->features);
	g->features = xstrdup(reply.data);
	ps = strstr(reply.data, "PacketSize=");
	if (ps) {
		unsigned long n = strtoul(ps + 11, NULL, 16);

		/* "$", "#cs", and room for escapes in M's hex: plenty */
		if (n > 64)
			g->max_payload = n - 8;
	}
	if (!strstr(reply.data, "qXfer:features:read+")) {
		r = err_set(e, "gdb stub does not offer target descriptions: '%.80s'",
			    reply.data);
		goto cleanup;
	}
	gdbstub_regs_release(&g->regs);
	r = gdbstub_regs_parse("target.xml", fetch_features, g, &g->regs, e);
cleanup:
	buf_release(&reply);
	return r;
}

const char *gdbstub_features(const struct gdbstub *g)
{
	return g->features;
}

const struct gdbstub_regs *gdbstub_registers(const struct gdbstub *g)
{
	return &g->regs;
}

static int add_thread_ids(const char *list, long **ids, int *n, struct err *e)
{
	const char *p = list;

	while (*p) {
		char *end;
		long id = strtol(p, &end, 16);

		if (end == p || id < 0)
			return err_set(e, "bad thread list '%.40s'", list);
		*ids = xrealloc(*ids, (size_t)(*n + 1) * sizeof(**ids));
		(*ids)[(*n)++] = id;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return err_set(e, "bad thread list '%.40s'", list);
	}
	return 0;
}

int gdbstub_threads(struct gdbstub *g, long **ret_ids, int *ret_n,
		    struct err *e)
{
	struct buf reply = BUF_INIT;
	long *ids = NULL;
	int n = 0, r = gdbstub_command(g, "qfThreadInfo", &reply, e);

	for (int rounds = 0; r == 0; rounds++) {
		if (reply.len && reply.data[0] == 'l')
			break;
		if (!reply.len || reply.data[0] != 'm' || rounds > 4096) {
			r = err_set(e, "bad thread list reply '%.40s'", reply.data);
			break;
		}
		r = add_thread_ids(reply.data + 1, &ids, &n, e);
		if (r == 0)
			r = gdbstub_command(g, "qsThreadInfo", &reply, e);
	}
	if (r == 0 && !n)
		r = err_set(e, "gdb stub lists no threads");
	buf_release(&reply);
	if (r < 0) {
		free(ids);
		return -1;
	}
	*ret_ids = ids;
	*ret_n = n;
	return 0;
}

int gdbstub_select_thread(struct gdbstub *g, long id, struct err *e)
{
	char cmd[32];

	snprintf(cmd, sizeof(cmd), "Hg%lx", id);
	return expect_ok(g, cmd, e);
}

int gdbstub_read_all(struct gdbstub *g, struct buf *ret, struct err *e)
{
	struct buf reply = BUF_INIT;
	int r = gdbstub_command(g, "g", &reply, e);

	if (r == 0 && reply.len % 2)
		r = err_set(e, "odd-length register dump");
	if (r == 0) {
		buf_reset(ret);
		buf_grow(ret, reply.len / 2);
		/* QEMU sends "xx" for registers it cannot read; keep them 0 */
		for (size_t i = 0; i < reply.len; i += 2) {
			uint8_t byte = 0;

			gdbstub_hex_decode(reply.data + i, 2, &byte, 1);
			buf_addch(ret, (char)byte);
		}
	}
	buf_release(&reply);
	return r;
}

int gdbstub_read_reg(struct gdbstub *g, const struct gdbstub_reg *reg,
		     uint8_t *ret, struct err *e)
{
	struct buf reply = BUF_INIT;
	size_t n = (size_t)(reg->bitsize + 7) / 8;
	char cmd[32];
	int r;

	snprintf(cmd, sizeof(cmd), "p%x", reg->regnum);
	r = gdbstub_command(g, cmd, &reply, e);
	if (r == 0 && gdbstub_hex_decode(reply.data, reply.len, ret, n) < 0)
		r = err_set(e, "cannot read register '%s': reply '%.40s'%s", reg->name,
			    reply.data, reply.len ? "" : " (not supported)");
	buf_release(&reply);
	return r;
}

int gdbstub_write_reg(struct gdbstub *g, const struct gdbstub_reg *reg,
		      const uint8_t *val, struct err *e)
{
	struct buf cmd = BUF_INIT;
	int r;

	buf_addf(&cmd, "P%x=", reg->regnum);
	gdbstub_hex_encode(&cmd, val, (size_t)(reg->bitsize + 7) / 8);
	r = expect_ok(g, cmd.data, e);
	buf_release(&cmd);
	return r < 0 ? err_prefix(e, "cannot write register '%s'", reg->name) : 0;
}

int gdbstub_read_reg_u64(struct gdbstub *g, const struct gdbstub_reg *reg,
			 uint64_t *ret, struct err *e)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;

	if (reg->bitsize > 64 || reg->bitsize % 8)
		return err_set(e, "register '%s' has %d bits, not a whole 8..64",
			       reg->name, reg->bitsize);
	if (gdbstub_read_reg(g, reg, b, e) < 0)
		return -1;
	for (int i = reg->bitsize / 8 - 1; i >= 0; i--)
		v = v << 8 | b[i];
	*ret = v;
	return 0;
}

int gdbstub_write_reg_u64(struct gdbstub *g, const struct gdbstub_reg *reg,
			  uint64_t val, struct err *e)
{
	uint8_t b[8];

	if (reg->bitsize > 64 || reg->bitsize % 8)
		return err_set(e, "register '%s' has %d bits, not a whole 8..64",
			       reg->name, reg->bitsize);
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return gdbstub_write_reg(g, reg, b, e);
}

static size_t mem_chunk(const struct gdbstub *g)
{
	/* hex doubles the size; leave room for "M<addr>,<len>:" */
	return (g->max_payload - 40) / 2;
}

int gdbstub_read_mem(struct gdbstub *g, uint64_t addr, void *ret, size_t len,
		     struct err *e)
{
	struct buf reply = BUF_INIT;
	uint8_t *out = ret;
	int r = 0;

	while (len && r == 0) {
		size_t n = len < mem_chunk(g) ? len : mem_chunk(g);
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "m%llx,%zx", (unsigned long long)addr, n);
		r = gdbstub_command(g, cmd, &reply, e);
		if (r < 0)
			break;
		/* a stub may return fewer bytes than asked, never zero */
		if (!reply.len || reply.len % 2 || reply.len / 2 > n ||
		    gdbstub_hex_decode(reply.data, reply.len, out, reply.len / 2) < 0) {
			r = err_set(e, "cannot read memory at 0x%llx: reply '%.40s'",
				    (unsigned long long)addr, reply.data);
			break;
		}
		n = reply.len / 2;
		addr += n;
		out += n;
		len -= n;
	}
	buf_release(&reply);
	return r;
}

int gdbstub_write_mem(struct gdbstub *g, uint64_t addr, const void *data,
		      size_t len, struct err *e)
{
	struct buf cmd = BUF_INIT;
	const uint8_t *p = data;
	int r = 0;

	while (len && r == 0) {
		size_t n = len < mem_chunk(g) ? len : mem_chunk(g);

		buf_reset(&cmd);
		buf_addf(&cmd, "M%llx,%zx:", (unsigned long long)addr, n);
		gdbstub_hex_encode(&cmd, p, n);
		r = expect_ok(g, cmd.data, e);
		if (r < 0)
			err_prefix(e, "cannot write memory at 0x%llx", (unsigned long long)addr);
		addr += n;
		p += n;
		len -= n;
	}
	buf_release(&cmd);
	return r;
}

int gdbstub_phys_mode(struct gdbstub *g, int on, struct err *e)
{
	return expect_ok(g, on ? "Qqemu.PhyMemMode:1" : "Qqemu.PhyMemMode:0", e);
}

int gdbstub_continue(struct gdbstub *g, struct err *e)
{
	return send_packet(g, "c", 1, e);
}

int gdbstub_detach(struct gdbstub *g, struct err *e)
{
	return expect_ok(g, "D", e);
}

/* ---- QEMU ---- */

int gdbstub_free_port(int *ret_port, struct err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r = 0;

	if (fd < 0)
		return err_errno(e, errno, "cannot make a socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
		r = err_errno(e, errno, "cannot find a free loopback port");
	else
		*ret_port = ntohs(sa.sin_port);
	close(fd);
	return r;
}

/* "running", "paused", ... from HMP info status. New, or NULL. */
static char *vm_status(struct testbed *tb, const char *node, struct err *e)
{
	char *reply = NULL, *p, *s = NULL;

	if (testbed_monitor(tb, node, "info status", &reply, e) < 0)
		return NULL;
	p = strstr(reply, "VM status: ");
	if (p) {
		p += 11;
		s = strndup(p, strcspn(p, " \r\n"));
	} else {
		err_set(e, "cannot read the state of '%s': '%.60s'", node, reply);
	}
	free(reply);
	return s;
}

static int open_stub(struct testbed *tb, const char *node, int port,
		     struct err *e)
{
	char cmd[64], *reply = NULL;
	int r;

	snprintf(cmd, sizeof(cmd), "gdbserver tcp:127.0.0.1:%d", port);
	r = testbed_monitor(tb, node, cmd, &reply, e);
	if (r == 0 && !strstr(reply, "Waiting for gdb connection"))
		r = err_set(e, "cannot open the gdb stub of '%s' on port %d: %.*s", node,
			    port, (int)strcspn(reply, "\r\n"), reply);
	free(reply);
	return r;
}

int gdbstub_qemu_attach(struct testbed *tb, const char *node,
			int64_t deadline, struct gdbstub **ret, int *ret_port,
			struct err *e)
{
	char *status = vm_status(tb, node, e);
	struct gdbstub *g = NULL;
	int port = 0, r = -1;

	if (!status)
		return -1;
	if (strcmp(status, "running")) {
		err_set(e, "the VM of '%s' is %s, not running", node, status);
		free(status);
		return -1;
	}
	free(status);
	for (int tries = 0; tries < 3 && r < 0; tries++)
		r = gdbstub_free_port(&port, e) < 0 ? -1 : open_stub(tb, node, port, e);
	if (r == 0)
		r = gdbstub_connect(port, deadline, &g, e);
	if (r == 0)
		r = gdbstub_handshake(g, e);
	if (r < 0) {
		struct err ignored;

		gdbstub_qemu_release(tb, node, g, &ignored);
		return err_prefix(e, "cannot attach to the gdb stub of '%s'", node);
	}
	*ret = g;
	*ret_port = port;
	return 0;
}

int gdbstub_qemu_release(struct testbed *tb, const char *node,
			 struct gdbstub *g, struct err *e)
{
	struct err first = { "" };
	char *status;
	int r = 0;

	if (g && gdbstub_detach(g, &first) < 0)
		r = -1;
	gdbstub_close(g);
	if (testbed_monitor(tb, node, "gdbserver none", NULL, r ? NULL : &first) < 0)
		r = -1;
	status = vm_status(tb, node, r ? NULL : &first);
	/* the stub stops the VM on attach; it may stay stopped after D */
	if (status && !strcmp(status, "paused") &&
	    testbed_monitor(tb, node, "cont", NULL, r ? NULL : &first) < 0)
		r = -1;
	if (!status)
		r = -1;
	free(status);
	if (r < 0)
		return err_set(e, "cannot release the gdb stub of '%s': %s", node,
			       first.msg);
	return 0;
}
