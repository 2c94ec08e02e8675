/* gdbstub.h - a small client of the GDB remote serial protocol, enough to
 * flip bits through QEMU's gdbstub (Gigan-style hypervisor injection).
 *
 * Three layers:
 *   packets   pure functions: framing, checksums, escapes, run-length
 *             decoding, hex; no I/O (unit-tested on their own);
 *   session   one TCP connection to a stub on 127.0.0.1 (or any fd), every
 *             wait bounded by the session's deadline on the monotonic
 *             clock: requests with acks, qSupported, qXfer, registers
 *             described by target.xml, memory, threads, detach;
 *   QEMU      open QEMU's stub on a node through the monitor, attach,
 *             and close it again leaving the VM running.
 *
 * Register values travel in target byte order; the _u64 helpers assume a
 * little-endian target (x86). Nothing here prints: errors fill struct err.
 */
#ifndef CAMPAIGN_GDBSTUB_H
#define CAMPAIGN_GDBSTUB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct testbed;

/* ---- packets ---- */

/* The modulo-256 sum of the bytes. */
unsigned gdbstub_checksum(const void *data, size_t len);

/* Append "$" data "#" checksum to out, escaping '$', '#', '}' and '*'
 * as '}' followed by the byte XOR 0x20 (so binary data may be sent). */
void gdbstub_frame(struct buf *out, const void *data, size_t len);

/* Decode a packet body as received (between '$' and '#'): '}' escapes and
 * run-length encoding ("x*N": x repeated N - 29 more times). Appends the
 * decoded bytes to ret. -1 on a malformed body. */
int gdbstub_unpack(const char *body, size_t len, struct buf *ret,
		   struct err *e);

/* Find one frame in data[0..len): bytes before '$' are skipped. Returns 1
 * and sets *ret_used (bytes consumed through the checksum) and appends the
 * decoded payload to ret when a whole frame is there; 0 when more bytes
 * are needed; -1 when the checksum is wrong or the body malformed
 * (*ret_used is still set, so the caller can skip the frame and NAK). */
int gdbstub_parse_frame(const char *data, size_t len, size_t *ret_used,
			struct buf *ret, struct err *e);

/* Lower-case hex of len bytes, appended to out. */
void gdbstub_hex_encode(struct buf *out, const void *data, size_t len);

/* Hex text (exactly 2 * len digits) into len bytes. -1 when malformed. */
int gdbstub_hex_decode(const char *hex, size_t hexlen, uint8_t *out,
		       size_t len);

/* ---- registers from target descriptions ---- */

struct gdbstub_reg {
	char *name;	/* owned */
	int regnum;	/* the number for p and P */
	int bitsize;
	int offset;	/* byte offset in the g packet */
};

struct gdbstub_regs {
	struct gdbstub_reg *v;	/* owned */
	int n;
};

/* Reads a whole annex ("target.xml", "i386-64bit.xml") into ret. */
typedef int (*gdbstub_fetch_fn)(void *arg, const char *annex,
				struct buf *ret, struct err *e);

/* Parse the registers of target description `annex` in document order,
 * following <xi:include href=...> through fetch (at most 8 levels).
 * A <reg> without regnum takes the previous one's plus 1 (the first 0);
 * commented-out registers are not registers. On success ret is filled
 * (gdbstub_regs_release). */
int gdbstub_regs_parse(const char *annex, gdbstub_fetch_fn fetch, void *arg,
		       struct gdbstub_regs *ret, struct err *e);
void gdbstub_regs_release(struct gdbstub_regs *r);
/* Borrowed; NULL when there is no register of that name. */
const struct gdbstub_reg *gdbstub_regs_find(const struct gdbstub_regs *r,
					    const char *name);

/* ---- session ---- */

struct gdbstub;

/* Connect to 127.0.0.1:port (only loopback, by design) before deadline
 * (absolute, monotonic ms); drain the stop reply the stub may send on
 * attach. On success *ret is new (gdbstub_close). */
int gdbstub_connect(int port, int64_t deadline, struct gdbstub **ret,
		    struct err *e);
/* The same over a connected stream socket; fd is stolen, even on failure. */
int gdbstub_open_fd(int fd, int64_t deadline, struct gdbstub **ret,
		    struct err *e);
/* Close the connection (no detach). Takes NULL. */
void gdbstub_close(struct gdbstub *g);
/* Move the deadline of every later wait. */
void gdbstub_set_deadline(struct gdbstub *g, int64_t deadline);

/* Send one packet and read its reply into ret (reset first). Stop replies
 * (T, S) and console output (O) that arrive in between are skipped, so do
 * not use this for '?' or 'c'. */
int gdbstub_request(struct gdbstub *g, const void *data, size_t len,
		    struct buf *ret, struct err *e);
/* gdbstub_request with a text packet; an "Exx" reply is an error. */
int gdbstub_command(struct gdbstub *g, const char *cmd, struct buf *ret,
		    struct err *e);

/* qSupported:xmlRegisters=i386, then the register table from
 * qXfer:features:read:target.xml (QEMU refuses P until it was read). */
int gdbstub_handshake(struct gdbstub *g, struct err *e);
/* The stub's qSupported reply (e.g. "PacketSize=1000;qXfer:features:read+"),
 * after gdbstub_handshake. Borrowed. */
const char *gdbstub_features(const struct gdbstub *g);
/* The registers, after gdbstub_handshake. Borrowed. */
const struct gdbstub_regs *gdbstub_registers(const struct gdbstub *g);

/* qXfer:OBJECT:read:ANNEX in chunks until the stub says 'l'. */
int gdbstub_xfer_read(struct gdbstub *g, const char *object,
		      const char *annex, struct buf *ret, struct err *e);

/* Thread ids (qfThreadInfo / qsThreadInfo); for QEMU one per vCPU, in
 * vCPU order. *ret_ids is new (free). */
int gdbstub_threads(struct gdbstub *g, long **ret_ids, int *ret_n,
		    struct err *e);
/* Hg: later register accesses go to thread id. */
int gdbstub_select_thread(struct gdbstub *g, long id, struct err *e);

/* The g packet: every register, raw, into ret. */
int gdbstub_read_all(struct gdbstub *g, struct buf *ret, struct err *e);
/* p / P of one register: bitsize / 8 bytes, target byte order. */
int gdbstub_read_reg(struct gdbstub *g, const struct gdbstub_reg *r,
		     uint8_t *ret, struct err *e);
int gdbstub_write_reg(struct gdbstub *g, const struct gdbstub_reg *r,
		      const uint8_t *val, struct err *e);
/* For registers of at most 64 bits on a little-endian target. */
int gdbstub_read_reg_u64(struct gdbstub *g, const struct gdbstub_reg *r,
			 uint64_t *ret, struct err *e);
int gdbstub_write_reg_u64(struct gdbstub *g, const struct gdbstub_reg *r,
			  uint64_t val, struct err *e);

/* m / M: len bytes at addr (virtual, or physical in QEMU's physical
 * memory mode); long transfers are split to fit the packet size. */
int gdbstub_read_mem(struct gdbstub *g, uint64_t addr, void *ret,
		     size_t len, struct err *e);
int gdbstub_write_mem(struct gdbstub *g, uint64_t addr, const void *data,
		      size_t len, struct err *e);
/* Qqemu.PhyMemMode: m and M address guest physical memory (on = 1) or
 * the selected vCPU's virtual memory (on = 0). */
int gdbstub_phys_mode(struct gdbstub *g, int on, struct err *e);

/* c: resume; sent and acknowledged, no reply awaited. */
int gdbstub_continue(struct gdbstub *g, struct err *e);
/* D: detach; the stub answers OK. */
int gdbstub_detach(struct gdbstub *g, struct err *e);

/* ---- QEMU: the stub of a testbed node ---- */

/* A free loopback TCP port (bind test; the port may be taken by the time
 * it is used, so callers retry). */
int gdbstub_free_port(int *ret_port, struct err *e);

/* Open QEMU's gdbstub of `node` on a free 127.0.0.1 port (HMP gdbserver,
 * retrying another port when QEMU cannot listen), connect, handshake.
 * The VM is stopped from then on. On success *ret is new and *ret_port
 * the port; on failure the stub is closed again and the VM left running
 * (when it was). Always call gdbstub_qemu_release after a success. */
int gdbstub_qemu_attach(struct testbed *tb, const char *node,
			int64_t deadline, struct gdbstub **ret, int *ret_port,
			struct err *e);

/* Detach g (may be NULL), close QEMU's stub (HMP gdbserver none) and
 * resume the VM when it is stopped (HMP cont), whatever failed before.
 * g is freed. 0 when the VM runs and the stub is closed. */
int gdbstub_qemu_release(struct testbed *tb, const char *node,
			 struct gdbstub *g, struct err *e);

#endif
