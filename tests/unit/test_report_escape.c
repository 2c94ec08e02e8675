/* Hostile text in every string a results directory can carry (config
 * name and description, fault and node names, evidence, oracle reasons,
 * logs and their paths) reaches the report (its run pages too), summary.json
 * and junit.xml only escaped. `test_report_escape --keep DIR` leaves the rendered
 * directory in DIR for tests/report/escape.sh, which checks it again in
 * a real browser. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report.h"
#include "tap.h"
#include "test_report_fixture.h"

/* Each payload, if it ever ran, marks the page (a body attribute, the
 * title, a console line), so a browser test can tell. */
#define P_SCRIPT "<script>document.body.setAttribute('data-pwned','script');" \
		 "console.log('PWNED-script')</script>"
#define P_IMG "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
#define P_STYLE "</style><script>document.title='PWNED-style'</script>"
#define P_SVG "'><svg onload=\"document.title='PWNED-svg'\">"
#define P_TITLE "</title></textarea><script>console.log('PWNED-title')</script>"
#define P_XML "]]><!-- & \x01\x1b control"

static const char *const payloads[] = { P_SCRIPT, P_IMG, P_STYLE, P_SVG, P_TITLE };

static void make_dir(const char *dir)
{
	struct fx f;
	json_t *logs = json_pack("{s:{s:b, s:[{s:s, s:i, s:i, s:b, s:s}], s:{s:s}}, "
				 "s:{s:s}}",
		"n1", "ok", 1, "files", "path", "/var/log/" P_IMG ".log", "size", 10,
		"bytes", 10, "truncated", 0, "text",
		"line 1\n" P_SCRIPT "\n" P_IMG "\n" P_STYLE "\n" P_SVG "\n" P_TITLE "\n" P_XML,
		"dmesg", "text", P_SCRIPT,
		"n2", "error", "cannot connect: " P_SVG);

	fx_open(&f, dir, "esc " P_SCRIPT P_IMG, "description " P_STYLE P_TITLE P_XML);
	fx_event(&f, "start");
	fx_run(&f, 1, "flaw", "kill" P_SCRIPT, "n1" P_IMG, "probe-recovers", "recovery",
	       "evidence " P_SCRIPT P_IMG P_STYLE P_SVG P_TITLE, 900, logs);
	fx_run(&f, 2, "recovered", "net" P_SVG, "n2", NULL, NULL, "", 950, NULL);
	fx_run(&f, 3, "flaw", "net" P_SVG, "n3", "containment", "containment",
	       P_TITLE P_XML, 1000, NULL);
	fx_infra(&f, 4, "ssh " P_SCRIPT, "retry");
	fx_run(&f, 4, "no-effect", "net" P_SVG, "n1", NULL, NULL, "", 800, NULL);
	fx_event(&f, "stop");
	fx_close(&f);
}

/* No payload appears unescaped; every <script> is the report's own. */
static void check_html(const char *path, const char *text, int own_scripts)
{
	int raw = 0;

	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++)
		raw += strstr(text, payloads[i]) != NULL;
	ok(!raw, "%s: no payload unescaped", path);
	ok(!strstr(text, "<img") && !strstr(text, "<svg onload") &&
	   !strstr(text, "onerror=\"") && !strstr(text, "</textarea>"),
	   "%s: no injected element or handler", path);
	is_int(fx_count(text, "<script"), own_scripts, path);
	ok(own_scripts == 0 || fx_count(text, "<script nonce=\"") == own_scripts,
	   "%s: the one script carries the page's nonce", path);
	ok(fx_count(text, "</style>") == 1 && fx_count(text, "<style>") == 1,
	   "%s: one style sheet, closed once", path);
	ok(strstr(text, "\x01") == NULL && strstr(text, "\x1b") == NULL,
	   "%s: control characters replaced", path);
}

static void check_dir(const char *dir)
{
	char *index = fx_read_at(dir, "report/index.html");
	char *runs = fx_read_at(dir, "report/runs-1.html");
	char *run_page = fx_read_at(dir, "report/runs/page-0001.html");
	char *junit = fx_read_at(dir, "junit.xml");
	char *summary_path = xasprintf("%s/summary.json", dir);
	json_t *summary = json_load_file(summary_path, 0, NULL);
	char *fdir = xasprintf("%s/report/flaws", dir);
	DIR *dp = opendir(fdir);
	struct dirent *de;
	int pages = 0;

	ok(index && runs && junit, "report files written");
	check_html("index.html", index, 0);
	ok(strstr(index, "esc &lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;") != NULL,
	   "index: the campaign name shows as text");
	check_html("runs-1.html", runs, 1);
	ok(strstr(runs, "data-f=\"kill&lt;script&gt;") != NULL,
	   "runs: a hostile fault type is escaped inside an attribute");
	ok(run_page != NULL, "the run page written");
	check_html("runs/page-0001.html", run_page ? run_page : "", 0);
	ok(run_page && strstr(run_page, "evidence {&quot;detail&quot;:&quot;evidence "
	   "&lt;script&gt;document.body") && strstr(run_page, "node n1&quot;&gt;&lt;img src=x "
	   "onerror=&quot;") && fx_count(run_page, "<section class=\"run\"") == 4,
	   "runs/page-0001.html: four runs; hostile evidence and node names show as text");
	while (dp && (de = readdir(dp))) {
		char *name, *text;

		if (!strstr(de->d_name, ".html"))
			continue;
		name = xasprintf("report/flaws/%s", de->d_name);
		text = fx_read_at(dir, name);
		check_html(name, text, 0);
		if (strstr(text, "evidence &lt;script&gt;"))
			ok(strstr(text, "line 1\n&lt;script&gt;document.body") &&
			   strstr(text, "&quot;&gt;&lt;img src=x onerror=&quot;") &&
			   strstr(text, "cannot connect: &#39;&gt;&lt;svg onload="),
			   "%s: logs, evidence and node errors show as text", name);
		pages++;
		free(text);
		free(name);
	}
	if (dp)
		closedir(dp);
	is_int(pages, 2, "two flaw pages");
	ok(summary != NULL, "summary.json is valid JSON despite the payloads");
	ok(!strstr(junit, "<script") && !strstr(junit, "<img") && !strstr(junit, "]]>") &&
	   !strstr(junit, "<!--") && !strstr(junit, "\x01"),
	   "junit.xml: payloads escaped, control characters replaced");
	ok(strstr(junit, "classname=\"esc &lt;script&gt;") != NULL,
	   "junit.xml: attributes escaped");
	json_decref(summary);
	free(summary_path);
	free(fdir);
	free(index);
	free(runs);
	free(run_page);
	free(junit);
}

int main(int argc, char **argv)
{
	const char *keep = argc > 2 && !strcmp(argv[1], "--keep") ? argv[2] : NULL;
	char *tmp = fx_tmpdir(), *dir = xasprintf("%s/results", keep ? keep : tmp);
	struct report_result res = { 0 };
	struct err e = { "" };

	make_dir(dir);
	ok(report_write(dir, NULL, &res, &e) == 0, "render the hostile directory: %s", e.msg);
	is_int(res.flaws, 2, "two flaws");
	report_result_release(&res);
	check_dir(dir);
	if (keep)
		printf("# kept in %s\n", dir);
	free(dir);
	fx_rmdir(tmp);
	return tap_done();
}
