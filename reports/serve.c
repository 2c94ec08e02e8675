/* serve.c - campaign serve: the report and a live status over HTTP. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "flaws.h"
#include "paths.h"
#include "report_journal.h"
#include "report_priv.h"
#include "report_runpage.h"

struct status {
	struct rwalk_pos pos;
	long long oc[OC_N], runs, infra, records;
	struct strtab flaw_ids;
	struct buf last_outcome, last_faults, last_ended, last_flaw, last_event;
	long long last_run;
};

struct server {
	char *dir;
	char *real_dir;		/* realpath(dir) */
	char *bind;		/* the bound address, as inet_ntop() writes it */
	int wildcard;		/* bound to 0.0.0.0 or :: */
	struct MHD_Daemon *mhd;
	int port;
	pthread_mutex_t lock;	/* st */
	struct status st;
};

/* ---- paths ------------------------------------------------------------- */

static int bad_segment(const char *s, size_t n)
{
	if (!n || s[0] == '.')
		return 1;	/* "", ".", "..", hidden and temporary files */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '\\' || s[i] == 0x7f)
			return 1;
	return 0;
}

static int all_digits(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") >= n;
}

/* Files outside report/ that the report links to. */
static int fallback_ok(const char *rel)
{
	const char *slash;

	if (!strcmp(rel, "summary.json") || !strcmp(rel, "junit.xml") ||
	    !strcmp(rel, "campaign.json"))
		return 1;
	if (!strncmp(rel, "flaws/", 6))
		return strlen(rel + 6) == FLAWS_ID_LEN + 5 &&
		       flaws_id_valid(rel + 6, FLAWS_ID_LEN) &&
		       !strcmp(rel + 6 + FLAWS_ID_LEN, ".json");
	if (!strncmp(rel, "runs/", 5) && (slash = strchr(rel + 5, '/')))
		return all_digits(rel + 5, (size_t)(slash - rel - 5)) && !strchr(slash + 1, '/');
	return 0;
}

static int inside(const char *real_dir, const char *path)
{
	char real[PATH_MAX];
	size_t n = strlen(real_dir);

	return realpath(path, real) && !strncmp(real, real_dir, n) && real[n] == '/';
}

static int regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int serve_resolve(const char *dir, const char *url, char **ret_path,
		  int *ret_outside)
{
	char real_dir[PATH_MAX];
	const char *rel, *p;
	char *path = NULL;
	int outside = 0;

	if (!url || url[0] != '/')
		return 404;
	rel = url + 1;
	if (!*rel)
		rel = "index.html";
	for (p = rel;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (bad_segment(p, n))
			return 403;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (!realpath(dir, real_dir))
		return 404;
	path = xasprintf("%s/report/%s", dir, rel);
	if (!regular(path)) {
		free(path);
		outside = 1;
		path = fallback_ok(rel) ? xasprintf("%s/%s", dir, rel) : NULL;
		if (!path || !regular(path)) {
			free(path);
			return 404;
		}
	}
	if (!inside(real_dir, path)) {
		free(path);
		return 403;
	}
	*ret_path = path;
	if (ret_outside)
		*ret_outside = outside;
	return 0;
}

static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".xml", "application/xml" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".css", "text/css" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "text/plain; charset=utf-8";	/* logs and histories: inert */
}

/* ---- status ------------------------------------------------------------ */

static void status_init(struct status *st)
{
	memset(st, 0, sizeof(*st));
	buf_init(&st->last_outcome);
	buf_init(&st->last_faults);
	buf_init(&st->last_ended);
	buf_init(&st->last_flaw);
	buf_init(&st->last_event);
}

static void status_release(struct status *st)
{
	strtab_release(&st->flaw_ids);
	buf_release(&st->last_outcome);
	buf_release(&st->last_faults);
	buf_release(&st->last_ended);
	buf_release(&st->last_flaw);
	buf_release(&st->last_event);
}

static int status_record(const struct rrec *r, void *ctx, struct err *e)
{
	struct status *st = ctx;
	int k;

	(void)e;
	st->records++;
	if (r->type == RREC_INFRA)
		st->infra++;
	if (r->type == RREC_CAMPAIGN) {
		buf_reset(&st->last_event);
		buf_adds(&st->last_event, r->event.data);
	}
	if (r->type != RREC_RUN || r->run < 1)
		return 0;
	for (k = 0; k < OC_N - 1 && strcmp(r->outcome.data, report_outcomes[k]); k++)
		;
	st->oc[k]++;
	st->runs++;
	if (r->flaw.len)
		strtab_intern(&st->flaw_ids, r->flaw.data);
	st->last_run = r->run;
	buf_reset(&st->last_outcome);
	buf_adds(&st->last_outcome, r->outcome.data);
	buf_reset(&st->last_ended);
	buf_adds(&st->last_ended, r->ended.data);
	buf_reset(&st->last_flaw);
	buf_adds(&st->last_flaw, r->flaw.data);
	buf_reset(&st->last_faults);
	for (int i = 0; i < r->n_faults; i++)
		buf_addf(&st->last_faults, "%s%s@%s", i ? ", " : "", r->faults[i].type.data,
			 r->faults[i].node.data);
	return 0;
}

/* The pid in journal.lock is alive: a campaign holds the directory. */
static int holder_alive(const char *dir)
{
	char *path = xasprintf("%s/journal.lock", dir);
	struct buf text = BUF_INIT;
	long pid = 0;

	if (paths_read_file(path, NULL, 64, &text, NULL) == 0)
		pid = strtol(text.data, NULL, 10);
	buf_release(&text);
	free(path);
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

json_t *serve_status(struct server *s, struct err *e)
{
	struct status *st = &s->st;
	json_t *out = NULL, *oc, *meta, *cfg;
	char now[32];

	pthread_mutex_lock(&s->lock);
	if (report_journal_changed(s->dir, &st->pos)) {
		status_release(st);
		status_init(st);
	}
	if (report_journal_walk(s->dir, &st->pos, status_record, st, e) < 0)
		goto out;
	if (report_load_campaign(s->dir, &meta, e) < 0)
		goto out;
	oc = json_object();
	for (int k = 0; k < OC_N; k++)
		json_object_set_new(oc, report_outcomes[k], json_integer(st->oc[k]));
	clock_format_wall(clock_wall_ns(), now);
	cfg = json_object_get(meta, "config");
	out = json_pack("{s:s, s:O?, s:s, s:b, s:I, s:O?, s:o, s:I, s:i, s:I, s:I, s:I, s:s}",
		"dir", s->dir,
		"campaign", json_object_get(cfg, "name"),
		"last_event", st->last_event.data,
		"running", holder_alive(s->dir) && strcmp(st->last_event.data, "stop"),
		"runs_done", (json_int_t)st->runs,
		"planned", json_object_get(json_object_get(cfg, "schedule"), "runs"),
		"outcomes", oc,
		"infra_events", (json_int_t)st->infra,
		"unique_flaws", st->flaw_ids.n,
		"records", (json_int_t)st->records,
		"ignored_records", (json_int_t)st->pos.ignored,
		"journal_bytes", (json_int_t)st->pos.offset,
		"generated", now);
	json_object_set_new(out, "last_run", st->last_run ? json_pack(
		"{s:I, s:s, s:s, s:s, s:o}", "run", (json_int_t)st->last_run,
		"outcome", st->last_outcome.data, "faults", st->last_faults.data,
		"ended", st->last_ended.data, "flaw",
		st->last_flaw.len ? json_string(st->last_flaw.data) : json_null())
		: json_null());
	json_decref(meta);
out:
	pthread_mutex_unlock(&s->lock);
	return out;
}

/* ---- HTTP -------------------------------------------------------------- */

static int is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* The Host header names this server: see serve.h. */
static int host_ok(const struct server *s, const char *value)
{
	char host[256];
	const char *end, *colon;
	size_t n;
	char *tail;
	long port;

	if (!value)
		return 0;
	if (value[0] == '[') {
		end = strchr(value, ']');
		if (!end)
			return 0;
		n = (size_t)(end - value - 1);
		colon = end + 1;
		if (*colon && *colon != ':')
			return 0;
		value++;
	} else {
		colon = strchr(value, ':');
		if (!colon)
			colon = value + strlen(value);
		n = (size_t)(colon - value);
	}
	if (n == 0 || n >= sizeof(host))
		return 0;
	memcpy(host, value, n);
	host[n] = '\0';
	if (*colon) {
		errno = 0;
		port = strtol(colon + 1, &tail, 10);
		if (!colon[1] || *tail || colon[1] < '0' || colon[1] > '9' || errno)
			return 0;
	} else {
		port = 80;
	}
	if (port != s->port)
		return 0;
	return !strcasecmp(host, "localhost") || !strcmp(host, "127.0.0.1") ||
	       !strcasecmp(host, "::1") || !strcasecmp(host, s->bind) ||
	       (s->wildcard && is_ip(host));
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned code,
				 const char *type, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text),
		(void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET, HEAD");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_status(struct server *s, struct MHD_Connection *c)
{
	struct err e = { "" };
	json_t *st = serve_status(s, &e);
	char *text = st ? json_dumps(st, JSON_INDENT(2)) : NULL;
	enum MHD_Result r;

	json_decref(st);
	if (!text) {
		json_t *err = json_pack("{s:s}", "error", e.msg);

		text = json_dumps(err, 0);
		json_decref(err);
		r = send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json", text);
	} else {
		r = send_text(c, MHD_HTTP_OK, "application/json", text);
	}
	free(text);
	return r;
}

static enum MHD_Result send_file(struct server *s, struct MHD_Connection *c,
				 const char *url)
{
	struct MHD_Response *r;
	struct stat st;
	char *path = NULL;
	enum MHD_Result ret;
	int outside = 1, code = serve_resolve(s->dir, url, &path, &outside), fd;

	if (code == 403)
		return send_text(c, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
				 "forbidden\n");
	if (code)
		return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
				 "not found\n");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);	/* a FIFO */
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		free(path);
		return send_text(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
				 "not found\n");
	}
	r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);	/* closes fd */
	MHD_add_response_header(r, "Content-Type", content_type(path));
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (outside)	/* not a page of ours: never active */
		MHD_add_response_header(r, "Content-Security-Policy",
					"sandbox; default-src 'none'");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	free(path);
	return ret;
}

/* ---- run pages rendered on request ------------------------------------ */

int serve_run_page(const char *dir, const char *url, struct buf *out, struct err *e)
{
	const char *name = url, *p;
	struct buf expect = BUF_INIT;
	long long page = 0;
	int same;

	if (strncmp(name, "/runs/page-", 11))
		return 1;
	for (p = name + 11; *p >= '0' && *p <= '9' && page < (1LL << 40); p++)
		page = page * 10 + (*p - '0');
	if (page < 1)
		return 1;
	/* exactly the name the report gives the page (no other spelling) */
	buf_adds(&expect, "/runs/");
	report_run_page_name(&expect, (page - 1) * REPORT_RUN_PAGE_RUNS + 1);
	same = !strcmp(expect.data, name);
	buf_release(&expect);
	return same ? runpage_render_page(dir, page, out, e) : 1;
}

static enum MHD_Result send_run_page(struct MHD_Connection *c, struct buf *html)
{
	size_t len = html->len;
	char *data = buf_detach(html);	/* the response frees it */
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data,
								 MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **state)
{
	struct server *s = cls;

	(void)version;
	(void)upload;
	if (!host_ok(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_HOST)))
		return send_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
				 "text/plain; charset=utf-8",
				 "misdirected request: the Host header does not name "
				 "this server\n");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
				 "only GET and HEAD\n");
	if (!*state) {		/* first call: headers only */
		*state = s;
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO;
	if (!strcmp(url, "/status.json"))
		return send_status(s, c);
	{
		struct buf html = BUF_INIT;
		struct err e = { "" };
		int r = serve_run_page(s->dir, url, &html, &e);
		enum MHD_Result ret;

		if (r == 0)
			return send_run_page(c, &html);
		buf_release(&html);
		if (r < 0) {
			buf_adds(&html, e.msg);
			buf_addch(&html, '\n');
			ret = send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
					"text/plain; charset=utf-8", html.data);
			buf_release(&html);
			return ret;
		}
	}
	return send_file(s, c, url);
}

/* ---- the daemon -------------------------------------------------------- */

int serve_start(const struct serve_options *o, struct server **ret, struct err *e)
{
	const char *bind = o->bind ? o->bind : SERVE_DEFAULT_BIND;
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	unsigned idle = o->idle_timeout_s > 0 ? (unsigned)o->idle_timeout_s
					      : SERVE_IDLE_TIMEOUT_S;
	char real[PATH_MAX], text[INET6_ADDRSTRLEN];
	struct server *s;
	const union MHD_DaemonInfo *info;

	if (o->port < 0 || o->port > 65535)
		return err_set(e, "port %d is not between 0 and 65535", o->port);
	if (inet_pton(AF_INET, bind, &in4.sin_addr) == 1) {
		in4.sin_port = htons((uint16_t)o->port);
		sa = (struct sockaddr *)&in4;
		inet_ntop(AF_INET, &in4.sin_addr, text, sizeof(text));
	} else if (inet_pton(AF_INET6, bind, &in6.sin6_addr) == 1) {
		in6.sin6_port = htons((uint16_t)o->port);
		sa = (struct sockaddr *)&in6;
		flags |= MHD_USE_IPv6;
		inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
	} else {
		return err_set(e, "cannot bind '%s': not an IPv4 or IPv6 address", bind);
	}
	if (!realpath(o->dir, real))
		return err_errno(e, errno, "cannot serve '%s'", o->dir);
	s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(o->dir);
	s->real_dir = xstrdup(real);
	s->bind = xstrdup(text);
	s->wildcard = !strcmp(text, "0.0.0.0") || !strcmp(text, "::");
	pthread_mutex_init(&s->lock, NULL);
	status_init(&s->st);
	s->mhd = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, s,
				  MHD_OPTION_SOCK_ADDR, sa,
				  MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVE_THREADS,
				  MHD_OPTION_CONNECTION_TIMEOUT, idle,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned)SERVE_CONNECTIONS_PER_IP,
				  MHD_OPTION_END);
	if (!s->mhd) {
		int saved = errno;

		serve_stop(s);
		return err_errno(e, saved ? saved : EADDRINUSE, "cannot listen on %s port %d",
				 bind, o->port);
	}
	info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info && info->port ? info->port : o->port;
	*ret = s;
	return 0;
}

int serve_port(const struct server *s)
{
	return s->port;
}

void serve_stop(struct server *s)
{
	if (!s)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	status_release(&s->st);
	pthread_mutex_destroy(&s->lock);
	free(s->dir);
	free(s->real_dir);
	free(s->bind);
	free(s);
}
