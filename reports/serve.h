/* serve.h - a small HTTP server (libmicrohttpd) for a results directory:
 *
 *   GET /                 DIR/report/index.html
 *   GET /<path>           DIR/report/<path>; if absent there, the files the
 *                         report links outside report/: summary.json,
 *                         junit.xml, campaign.json, flaws/<id>.json and
 *                         runs/<n>/<file> (as inert text)
 *   GET /runs/page-N.html a run page past run 100,000, which the report
 *                         wrote with only the runs that need a look:
 *                         rendered in full from report/runs/index.bin
 *                         and the journal (report_runpage.h)
 *   GET /status.json      live: runs done, outcome counts, last run, from
 *                         the journal (read incrementally)
 *
 * GET and HEAD only; no directory listings; a path with a "..", "." or
 * hidden segment is refused (403), and so is any file whose real path
 * leaves DIR (a symbolic link out). It binds 127.0.0.1 unless told
 * otherwise.
 *
 * A request must name this server in its Host header: localhost,
 * 127.0.0.1, [::1] or the bound address, with the port (none for 80);
 * with a wildcard bind (0.0.0.0, ::) any IP address. Others are refused
 * with 421: a page of another site that rebinds its DNS name to this
 * machine cannot read the report (DNS rebinding needs a name). Requests
 * are answered by a pool of threads; a connection idle for
 * idle_timeout_s is closed; at most SERVE_CONNECTIONS connections, and
 * SERVE_CONNECTIONS_PER_IP from one address.
 */
#ifndef CAMPAIGN_SERVE_H
#define CAMPAIGN_SERVE_H

#include <jansson.h>

#include "buf.h"
#include "err.h"

#define SERVE_DEFAULT_PORT 8080
#define SERVE_DEFAULT_BIND "127.0.0.1"
#define SERVE_IDLE_TIMEOUT_S 10
#define SERVE_CONNECTIONS 512
#define SERVE_CONNECTIONS_PER_IP 256
#define SERVE_THREADS 4

struct serve_options {
	const char *dir;	/* the results directory */
	const char *bind;	/* an IPv4 or IPv6 address; NULL: 127.0.0.1 */
	int port;		/* 0: any free port (see serve_port()) */
	int idle_timeout_s;	/* 0: SERVE_IDLE_TIMEOUT_S */
};

struct server;

/* Start serving on threads of libmicrohttpd's own. *ret is new
 * (serve_stop), untouched on failure. */
int serve_start(const struct serve_options *o, struct server **ret, struct err *e);

/* The port it listens on. */
int serve_port(const struct server *s);

/* Stop and free. Takes NULL. */
void serve_stop(struct server *s);

/* The /status.json object of the server's directory. New reference. */
json_t *serve_status(struct server *s, struct err *e);

/* Map a request path to a file of dir: 0 with *ret_path (new) and
 * *ret_outside (may be NULL) 1 when the file is not one of DIR/report/,
 * or the HTTP status to answer (403 refused, 404 not there). Exposed for
 * tests. */
int serve_resolve(const char *dir, const char *url, char **ret_path,
		  int *ret_outside);

/* A run page the report left ordinary runs out of (report_runpage.h), in
 * full, when url is its name ("/runs/page-0201.html"): 0 with the page
 * appended to out; 1 when url is not such a page (serve the file, or 404:
 * a page of no run in the journal); -1 with e filled. Exposed for tests. */
int serve_run_page(const char *dir, const char *url, struct buf *out, struct err *e);

#endif
