/* report_html.c - what every report page shares: the frame, the style
 * sheet, the security policy, escaping, formats and atomic writes.
 *
 * Every text that comes from a results directory (config strings,
 * evidence, logs, signatures) reaches a page only through report_esc(),
 * which is markup_escape(). Pages carry a Content-Security-Policy that
 * allows no network, no plugins and no script except the page's own
 * (by a nonce drawn for each page), as a second line of defence.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "escape.h"
#include "report_priv.h"

static const char css[] =
	":root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--panel:#f5f7fa;"
	"--accent:#2f6fba}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"'DejaVu Sans',sans-serif;color:var(--fg);background:#fff}"
	"header.top{background:#1f2933;color:#fff;padding:10px 24px;display:flex;"
	"gap:22px;align-items:baseline;flex-wrap:wrap}"
	"header.top a{color:#cfe3ff;text-decoration:none}"
	"header.top a:hover{text-decoration:underline}"
	"header.top .brand{font-weight:600;font-size:16px;color:#fff}"
	"main{max-width:1240px;margin:0 auto;padding:16px 24px 40px}"
	"h1{font-size:22px;margin:8px 0 2px;word-break:break-word}"
	"h2{font-size:17px;margin:30px 0 10px;border-bottom:1px solid var(--line);"
	"padding-bottom:4px}"
	"h3{font-size:15px;margin:18px 0 6px}"
	"a{color:var(--accent)}"
	".sub{color:var(--muted);margin:0 0 8px}"
	"dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr) "
	"max-content minmax(0,1fr);gap:3px 16px;margin:12px 0}"
	"dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}"
	".cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}"
	".card{border:1px solid var(--line);border-left:5px solid var(--c,#7b8794);"
	"border-radius:6px;padding:8px 14px;min-width:140px;background:var(--panel)}"
	".card .n{font-size:24px;font-weight:600}.card .l{color:var(--muted)}"
	"table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;"
	"margin:6px 0}"
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);"
	"vertical-align:top}"
	"th{background:var(--panel);font-weight:600}"
	"td.num,th.num{text-align:right;white-space:nowrap}"
	".o{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;"
	"font-size:12px;white-space:nowrap}"
	".o-no-effect{background:#7b8794}.o-recovered{background:#2f9e5b}"
	".o-flaw{background:#d64545}.o-infra-error{background:#c98a16}"
	".o-other{background:#8e6ac8}"
	".tag{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;"
	"border:1px solid var(--line)}"
	".tag-new{background:#fde8e8;border-color:#d64545;color:#9b1c1c}"
	".tag-known{background:#eef2f6}"
	"pre{background:var(--panel);border:1px solid var(--line);padding:8px;"
	"overflow:auto;max-height:520px;white-space:pre-wrap;overflow-wrap:anywhere;"
	"font:12px/1.4 ui-monospace,'DejaVu Sans Mono',monospace;margin:4px 0}"
	"code,.mono{font:12px ui-monospace,'DejaVu Sans Mono',monospace;"
	"overflow-wrap:anywhere}"
	".id{white-space:nowrap}"
	"svg{max-width:100%;height:auto;display:block}"
	"svg text{font:11px system-ui,'DejaVu Sans',sans-serif;fill:#3e4c59}"
	"svg text.mk{fill:#d64545}svg text.lane{font-weight:600}"
	".pages{margin:8px 0;line-height:1.9}.pages a,.pages b{margin-right:8px}"
	".filters{margin:10px 0;display:flex;gap:14px;align-items:center;flex-wrap:wrap}"
	".grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:28px}"
	"@media(max-width:900px){.grid2{grid-template-columns:minmax(0,1fr)}}"
	".legend span{margin-right:14px;white-space:nowrap}"
	".legend i{display:inline-block;width:10px;height:10px;margin-right:4px;"
	"border-radius:2px}"
	"details{margin:6px 0}summary{cursor:pointer}"
	".warn{background:#fff4e5;border:1px solid #c98a16;padding:8px 12px;"
	"border-radius:6px;margin:10px 0}"
	"footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);"
	"margin-top:36px;padding-top:8px}";

void report_esc(struct buf *out, const char *s)
{
	markup_escape(out, s ? s : "");
}

void report_nonce(char out[32])
{
	unsigned char r[16];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n > 0) {
			got += (size_t)n;
		} else if (n < 0 && errno != EINTR) {
			/* no entropy source: still unpredictable enough per page */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			for (; got < sizeof(r); got++)
				r[got] = (unsigned char)(ts.tv_nsec >> (got % 4 * 8)) ^
					 (unsigned char)(getpid() >> (got % 2 * 8));
		}
	}
	/* 22 characters of base64url: 128 bits */
	base64_encode(r, sizeof(r), BASE64_URL | BASE64_NOPAD, out);
}

void report_page_head(struct buf *out, const struct report_data *d,
		      const char *title, const char *root, const char *nonce)
{
	const char *name = report_meta(d, "config.name");

	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		 "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
		 "form-action 'none'; script-src ");
	if (nonce)
		buf_addf(out, "'nonce-%s'", nonce);
	else
		buf_adds(out, "'none'");
	buf_adds(out, "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		 "<title>");
	report_esc(out, title);
	buf_adds(out, " \xe2\x80\x94 campaign ");
	report_esc(out, name ? name : "report");
	buf_addf(out, "</title>\n<style>%s</style>\n</head><body>\n<header class=\"top\">"
		 "<a class=\"brand\" href=\"%sindex.html\">campaign ", css, root);
	report_esc(out, name ? name : "report");
	buf_addf(out, "</a><a href=\"%sindex.html\">Overview</a>"
		 "<a href=\"%sruns-1.html\">Runs</a>"
		 "<a href=\"%sindex.html#flaws\">Flaws</a>"
		 "<a href=\"%s../summary.json\">summary.json</a></header>\n<main>\n",
		 root, root, root, root);
}

void report_page_tail(struct buf *out, const struct report_data *d)
{
	buf_addf(out, "<footer>Generated by campaign %s at ", CAMPAIGN_VERSION);
	report_esc(out, d->generated);
	buf_addf(out, " from journal.jsonl (%lld records) and %d flaw files. "
		 "Works offline: no script, font or image is fetched.</footer>\n"
		 "</main></body></html>\n", d->records, d->n_flaws);
}

void report_fmt_ms(struct buf *out, long long ms)
{
	if (ms < 0)
		buf_adds(out, "\xe2\x80\x94");
	else if (ms < 1000)
		buf_addf(out, "%lld ms", ms);
	else if (ms < 60000)
		buf_addf(out, "%.1f s", ms / 1000.0);
	else if (ms < 3600000)
		buf_addf(out, "%lld min %lld s", ms / 60000, ms / 1000 % 60);
	else
		buf_addf(out, "%lld h %lld min", ms / 3600000, ms / 60000 % 60);
}

/* Days since 1970-01-01 -> civil date (H. Hinnant's algorithm). */
static void civil(int64_t days, int *y, int *m, int *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void report_fmt_wall(struct buf *out, int64_t ms)
{
	char s[] = "YYYY-MM-DD hh:mm:ss UTC";
	int64_t secs = ms / 1000, days = secs / 86400;
	int y, m, d, rest = (int)(secs % 86400);

	if (ms <= 0) {
		buf_adds(out, "\xe2\x80\x94");
		return;
	}
	civil(days, &y, &m, &d);
	two(s, y / 100);
	two(s + 2, y % 100);
	two(s + 5, m);
	two(s + 8, d);
	two(s + 11, rest / 3600);
	two(s + 14, rest / 60 % 60);
	two(s + 17, rest % 60);
	buf_add(out, s, sizeof(s) - 1);
}

int report_write_file(const char *path, const char *data, size_t len,
		      struct err *e)
{
	char *tmp;
	const char *slash = strrchr(path, '/');
	size_t done = 0;
	int fd, rc;

	tmp = slash ? xasprintf("%.*s/.tmp-%s-XXXXXX", (int)(slash - path), path, slash + 1)
		    : xasprintf(".tmp-%s-XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_errno(e, errno, "cannot create '%s'", tmp);
		free(tmp);
		return -1;
	}
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_errno(e, errno, "cannot write '%s'", tmp);
			goto fail;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0644) < 0) {
		err_errno(e, errno, "cannot write '%s'", tmp);
		goto fail;
	}
	rc = close(fd);		/* released even when it fails: never twice */
	fd = -1;
	if (rc < 0 && errno != EINTR) {
		err_errno(e, errno, "cannot write '%s'", tmp);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		err_errno(e, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}
