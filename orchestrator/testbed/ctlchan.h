/* ctlchan.h - the host end of a node's control channel: the unix socket
 * QEMU serves for the guest's virtio-serial port "org.campaign.ctl"
 * (agents/control.h has the protocol). The connection survives `loadvm`:
 * after a restore the first request costs one round trip, where SSH
 * costs a handshake. Used by the reset (clock, entropy) and by the judge
 * (is the node alive), with SSH as the fallback.
 *
 * One channel serves one thread at a time (each node's work runs on its
 * own thread).
 */
#ifndef CAMPAIGN_CTLCHAN_H
#define CAMPAIGN_CTLCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The guest port's name, and the longest socket path (sun_path). */
#define CTLCHAN_PORT_NAME "org.campaign.ctl"
#define CTLCHAN_PATH_MAX 107
#define CTLCHAN_LINE_MAX 512

struct ctlchan {
	char *path;		/* NULL: the node has no channel */
	int fd;			/* -1: not connected */
	unsigned long long next_id;
	char in[CTLCHAN_LINE_MAX];
	size_t n_in;
};

/* path (copied) may be NULL. Connects lazily. */
void ctlchan_init(struct ctlchan *c, const char *path);
void ctlchan_release(struct ctlchan *c);

/* Connect now if not connected (before a restore, so that QEMU tells the
 * restored guest its host end is there). -1 and e when there is no
 * channel or QEMU does not accept. */
int ctlchan_connect(struct ctlchan *c, struct err *e);
/* Drop the connection (QEMU was restarted: its socket is new). */
void ctlchan_disconnect(struct ctlchan *c);

/* Send request (one line, no newline) and wait up to timeout_ms for the
 * reply with the same id; reply gets the text after "ID ". A reply
 * "err ..." is an error. Stale replies (other ids) are skipped. */
int ctlchan_call(struct ctlchan *c, const char *request, int timeout_ms,
		 char *reply, size_t size, struct err *e);

/* Is the guest's loop answering? *ret_guest_ns (may be NULL): its clock. */
int ctlchan_ping(struct ctlchan *c, int timeout_ms, int64_t *ret_guest_ns,
		 struct err *e);

struct ctlchan_sync {
	int64_t rtt_us;		/* the ping's round trip */
	int64_t offset_us;	/* guest minus host after the sync, estimated */
	int steps;		/* corrections after the first set */
};

/* Set the guest clock to the host's and reseed its entropy from
 * seed[0..n) (at most 64 bytes): ping, sync at host time + rtt/2, then
 * up to two steps while the estimated offset exceeds 2 ms and half the
 * round trip (the estimate's own uncertainty). */
int ctlchan_sync(struct ctlchan *c, int timeout_ms, const unsigned char *seed,
		 size_t n, struct ctlchan_sync *ret, struct err *e);

#endif
