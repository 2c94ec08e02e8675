/* control.h - the guest end of the control channel: a line protocol on a
 * virtio-serial port that survives a snapshot restore, for what a reset
 * needs without SSH (docs/agent.md, "Control channel").
 *
 * Requests and replies are single lines of at most CONTROL_LINE_MAX
 * bytes, each starting with the request's id so that the host can drop
 * a reply to a request sent before a restore:
 *
 *   ID ping                    -> ID pong REALTIME_NS
 *   ID sync UNIX_NS SEEDHEX    -> ID ok REALTIME_NS   set the clock, mix
 *                                 the seed into the pool, reseed the CRNG
 *   ID step DELTA_NS           -> ID ok REALTIME_NS   move the clock
 *   anything else              -> ID err REASON
 *
 * The effects go through struct control_env so that unit tests run the
 * protocol on the host without touching its clock.
 */
#ifndef CAMPAIGN_AGENT_CONTROL_H
#define CAMPAIGN_AGENT_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#define CONTROL_LINE_MAX 512
#define CONTROL_PORT_NAME "org.campaign.ctl"

struct control_env {
	int64_t (*now_ns)(void *arg);			/* CLOCK_REALTIME */
	int (*set_ns)(void *arg, int64_t unix_ns);	/* 0 or -1, errno */
	int (*reseed)(void *arg, const unsigned char *seed, size_t n);
	void *arg;
};

/* Answer one request line (without its newline) into reply (size >=
 * CONTROL_LINE_MAX), newline included. Returns the reply's length. */
size_t control_handle(const struct control_env *env, const char *line,
		      char *reply, size_t size);

/* The guest's own effects: clock_settime, /dev/urandom + RNDADDENTROPY +
 * RNDRESEEDCRNG. */
extern const struct control_env control_env_system;

/* `campaign-agent control [DEVICE]`: serve the port named
 * CONTROL_PORT_NAME (or DEVICE) forever. Returns only on a fatal error. */
int control_main(const char *device);

#endif
