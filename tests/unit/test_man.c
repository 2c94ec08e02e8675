/* test_man.c - campaign(1), campaign.json(5) and the bash completion
 * hold what the tables hold: every command with its every option, every
 * exit status, every variable the code reads with getenv(), every key of
 * every config section with its default and bounds; examples that use
 * only real commands and options, an example config the reader takes;
 * no control line but the page's own macros; groff renders both pages
 * without a warning; the completion passes `bash -n` and completes
 * commands, options, subcommands and files as the tables say. The copies
 * the build wrote (<build>/man/, <build>/completion/) are the current
 * ones. groff, man and bash parts are skipped, saying why, where those
 * programs are missing (scripts/setup installs groff-base and man-db). */
#include "capture.h"
#include "commands.h"
#include "completion.h"
#include "config.h"
#include "config_field.h"
#include "man.h"
#include "paths.h"
#include "ssh.h"
#include "tap.h"

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE (1 << 20)

static char tmp[] = "/tmp/campaign-test-man-XXXXXX";

/* ---- helpers ------------------------------------------------------------ */

/* s as roff_escape writes a name to type: '-' as \-, '\'' as \(aq. */
static char *lit(const char *s)
{
	struct buf out = BUF_INIT;

	for (; *s; s++) {
		if (*s == '-')
			buf_adds(&out, "\\-");
		else if (*s == '\'')
			buf_adds(&out, "\\(aq");
		else
			buf_addch(&out, *s);
	}
	return buf_detach(&out);
}

/* "\fBs\fR" with s as lit() writes it. */
static char *bold(const char *s)
{
	char *l = lit(s), *r = xasprintf("\\fB%s\\fR", l);

	free(l);
	return r;
}

/* The text of page after the line ".SH\nNAME\n" (or .SS) up to the next
 * heading of that level or above; NULL when there is no such heading. */
static char *section(const char *page, const char *macro, const char *name)
{
	char *l = lit(name), *head = xasprintf("%s\n%s\n", macro, l), *at, *end, *s;

	at = strstr(page, head);
	s = NULL;
	if (at) {
		at += strlen(head);
		end = strstr(at, "\n.SH\n");
		if (!strcmp(macro, ".SS")) {
			char *ss = strstr(at, "\n.SS\n");

			if (ss && (!end || ss < end))
				end = ss;
		}
		s = end ? strndup(at, (size_t)(end - at + 1)) : xstrdup(at);
	}
	free(l);
	free(head);
	return s;
}

/* Every line of page that starts with '.' is one of the macros the
 * pages use; none starts with '\''. */
static void only_own_macros(const char *page, const char *what)
{
	static const char *const macros[] = { ".TH ", ".SH\n", ".SS\n", ".PP\n",
		".TP\n", ".br\n", ".nf\n", ".fi\n", ".RS 4\n", ".RE\n", ".BR ",
		".nh\n", ".ad l\n", NULL };
	int bad = 0;

	for (const char *line = page; *line; ) {
		const char *const *m = macros;
		const char *nl = strchr(line, '\n');

		if (*line == '.')
			while (*m && strncmp(line, *m, strlen(*m)))
				m++;
		if (*line == '\'' || (*line == '.' && !*m)) {
			printf("#   %.*s\n", (int)(nl ? nl - line : 40), line);
			bad++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	ok(!bad, "%s: no control line but the page's own macros", what);
}

static int have(const char *program)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", program);
	int r = system(cmd) == 0;

	free(cmd);
	return r;
}

static char *write_tmp(const char *name, const struct buf *text)
{
	char *path = xasprintf("%s/%s", tmp, name);
	struct err e = { "" };

	if (paths_write_file_atomic(path, text->data, text->len, 0, &e) < 0)
		printf("# %s\n", e.msg);
	return path;
}

/* The build wrote the same text to <build>/rel. */
static void same_as_built(const char *rel, const struct buf *text)
{
	char self[PATH_MAX], *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct buf built = BUF_INIT;
	struct err e = { "" };

	self[n > 0 ? n : 0] = '\0';
	path = xasprintf("%s/../%s", dirname(self), rel);
	if (paths_read_file(path, NULL, MAX_FILE, &built, &e) < 0)
		printf("# %s\n", e.msg);
	is_str(built.data, text->data, rel);
	buf_release(&built);
	free(path);
}

/* ---- campaign(1) -------------------------------------------------------- */

static int shows_option(const char *sec, const struct option_spec *o)
{
	char *name = o->long_name ? xasprintf("--%s", o->long_name)
				  : xasprintf("-%c", o->short_name);
	char *want = bold(name), *arg = o->arg_name ? lit(o->arg_name) : NULL;
	char *full = arg ? xasprintf("%s \\fI%s\\fR\n", want, arg) : xasprintf("%s\n", want);
	const char *at = strstr(sec, full);
	char word[64];
	int r;

	snprintf(word, sizeof(word), "%.*s", (int)strcspn(o->help, " `"), o->help);
	r = at && strstr(at, word) && strstr(at, word) - at < 200;
	if (!r)
		printf("#   no '%s' with '%s'\n", full, word);
	free(name);
	free(want);
	free(arg);
	free(full);
	return r;
}

/* How a usage line of the form name starts: "\fBcampaign\fR \fBimage\fR
 * \fBbuild\fR" for "image build". */
static char *usage_start(const char *name)
{
	struct buf out = BUF_INIT;
	char *copy = xstrdup(name);

	buf_adds(&out, "\\fBcampaign\\fR");
	for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
		char *b = bold(w);

		buf_addf(&out, " %s", b);
		free(b);
	}
	free(copy);
	return buf_detach(&out);
}

static void commands_and_options(const char *page)
{
	char *top = section(page, ".SH", "OPTIONS");
	int missing = 0;

	for (const struct option_spec *o = commands_top.options; o->type != OPTION_END; o++)
		missing += !shows_option(top ? top : "", o);
	missing += !shows_option(top ? top : "", &options_help);
	ok(top && !missing, "OPTIONS: every option before the command, and --help");
	free(top);
	for (const struct command *const *c = commands; *c; c++) {
		char *sec = section(page, ".SS", (*c)->name);

		missing = 0;
		for (const struct options_cmd *const *f = (*c)->forms; sec && *f; f++) {
			char *usage = usage_start((*f)->name);

			if (!strstr(sec, usage)) {
				printf("#   no usage '%s'\n", usage);
				missing++;
			}
			free(usage);
			for (const struct option_spec *o = (*f)->options; o->type != OPTION_END; o++)
				missing += !shows_option(sec, o);
		}
		ok(sec && !missing, "COMMANDS: '%s' with its usage and every option",
		   (*c)->name);
		free(sec);
	}
}

static void exit_status(const char *page)
{
	char *sec = section(page, ".SH", "EXIT STATUS");
	int n = 0, seen = 0;

	for (const struct exit_code_doc *x = command_exit_codes; x->meaning; x++, n++) {
		char *tag = xasprintf(".TP\n\\fB%d\\fR\n", (int)x->code);

		ok(sec && strstr(sec, tag), "EXIT STATUS: %d", (int)x->code);
		seen |= 1 << x->code;
		free(tag);
	}
	is_int(n, 4, "four exit codes in the table");
	is_int(seen, 1 << EXIT_OK | 1 << EXIT_FLAWS | 1 << EXIT_USAGE | 1 << EXIT_INFRA,
	       "each of enum exit_code once");
	free(sec);
}

/* Each NAME of getenv("NAME") in dir/ *.c into names (space-separated). */
static void getenv_names(const char *dir, struct buf *names)
{
	DIR *d = opendir(dir);
	struct dirent *ent;

	while (d && (ent = readdir(d))) {
		size_t len = strlen(ent->d_name);
		char *path = xasprintf("%s/%s", dir, ent->d_name);
		struct buf text = BUF_INIT;
		struct err e;

		if (ent->d_name[0] != '.' && len > 2 && !strcmp(ent->d_name + len - 2, ".c") &&
		    paths_read_file(path, NULL, MAX_FILE, &text, &e) == 0)
			for (const char *at = text.data; (at = strstr(at, "getenv(\"")); ) {
				at += 8;
				buf_addf(names, "%.*s ", (int)strcspn(at, "\""), at);
			}
		else if (ent->d_name[0] != '.' && !strchr(ent->d_name, '.'))
			getenv_names(path, names);
		buf_release(&text);
		free(path);
	}
	if (d)
		closedir(d);
}

static void environment(const char *page)
{
	char *sec = section(page, ".SH", "ENVIRONMENT");
	struct buf names = BUF_INIT;
	int n = 0, missing = 0;

	getenv_names("orchestrator", &names);
	getenv_names("reports", &names);
	for (char *name = strtok(names.data, " "); name; name = strtok(NULL, " "), n++) {
		char *want = bold(name);

		if (!sec || !strstr(sec, want)) {
			printf("#   getenv(\"%s\") is not in ENVIRONMENT\n", name);
			missing++;
		}
		free(want);
	}
	ok(n >= 5, "the code reads %d variables with getenv()", n);
	ok(sec && !missing, "ENVIRONMENT: every one of them");
	buf_release(&names);
	free(sec);
}

static void files(const char *page)
{
	static const char *const names[] = { "campaign.json", "journal.jsonl",
		"journal.lock", "flaws/ID.json", "runs/N/", "report/", "summary.json",
		"junit.xml", "testbed-owner", "/var/lib/campaign/images/", NULL };
	char *sec = section(page, ".SH", "FILES");

	for (const char *const *n = names; *n; n++) {
		char *want = lit(*n);

		ok(sec && strstr(sec, want), "FILES: %s", *n);
		free(want);
	}
	free(sec);
}

/* The options of every form of c, as " --a --b ". */
static char *form_options(const struct command *c)
{
	struct buf out = BUF_INIT;

	buf_adds(&out, " ");
	for (const struct options_cmd *const *f = c->forms; *f; f++)
		for (const struct option_spec *o = (*f)->options; o->type != OPTION_END; o++)
			if (o->long_name)
				buf_addf(&out, "--%s ", o->long_name);
	return buf_detach(&out);
}

/* An example's words: a command of the table, options of its tables. */
static int example_ok(char *line)
{
	const struct command *c = NULL;
	char *opts = NULL, *w;
	int i = 0, bad = 0;

	for (w = strtok(line, " \n"); w; w = strtok(NULL, " \n"), i++) {
		if (i == 0) {
			bad += strcmp(w, "campaign") != 0;
		} else if (i == 1) {
			if ((c = command_find(w)))
				opts = form_options(c);
			bad += !c;
		} else if (!strncmp(w, "--", 2) && opts) {
			char *want = xasprintf(" %.*s ", (int)strcspn(w, "="), w);

			bad += !strstr(opts, want);
			free(want);
		}
	}
	free(opts);
	return !bad && c;
}

static void examples(const char *page)
{
	char *sec = section(page, ".SH", "EXAMPLES");
	struct buf cmd = BUF_INIT;
	int n = 0, bad = 0;

	for (char *at = sec; at && (at = strstr(at, ".nf\n")); ) {
		char *end = strstr(at, "\n.fi\n");

		buf_reset(&cmd);
		for (at += 4; at < end; at++) {
			if (!strncmp(at, "\\-", 2) || !strncmp(at, "\\&", 2))
				at++;
			if (!strncmp(at, "\\(rs\n", 5))
				at += 4;	/* a continued line */
			else if (*at != '&' || at[-1] != '\\')
				buf_addch(&cmd, *at);
		}
		if (!example_ok(cmd.data)) {
			printf("#   example: %s\n", cmd.data);
			bad++;
		}
		n++;
	}
	ok(n >= 5 && !bad, "EXAMPLES: %d, with real commands and options", n);
	buf_release(&cmd);
	free(sec);
}

static void test_campaign_page(void)
{
	struct buf page = BUF_INIT;

	man_campaign(&page);
	ok(!strncmp(page.data, ".TH CAMPAIGN 1 ", 15), "campaign(1): its title line");
	only_own_macros(page.data, "campaign(1)");
	commands_and_options(page.data);
	exit_status(page.data);
	environment(page.data);
	files(page.data);
	examples(page.data);
	ok(strstr(page.data, ".BR campaign.json (5)") != NULL, "SEE ALSO campaign.json(5)");
	same_as_built("man/campaign.1", &page);
	buf_release(&page);
}

/* ---- campaign.json(5) --------------------------------------------------- */

/* The entry of key in sec: from its tag to the next one. */
static char *entry(const char *sec, const char *key)
{
	char *b = bold(key), *tag = xasprintf(".TP\n%s\n", b);
	const char *at = strstr(sec, tag), *end;
	char *r = NULL;

	if (at) {
		end = strstr(at + 1, "\n.TP\n");
		r = end ? strndup(at, (size_t)(end - at)) : xstrdup(at);
	}
	free(b);
	free(tag);
	return r;
}

static int field_ok(const char *sec, const struct cfg_field *f)
{
	char *e = sec ? entry(sec, f->key) : NULL, *want = NULL;
	const struct cfg_field *g = f->type == CFG_ARRAY ? f->elem : f;
	int r = e != NULL;

	if (e && f->def) {
		char *d = bold(f->def);

		want = xasprintf("; default %s\n", d);
		r = strstr(e, want) != NULL;
		free(d);
		free(want);
	}
	if (e && r && g->type == CFG_INT && !g->above_min) {
		want = xasprintf(" %.0f..%.0f", g->min, g->max);
		r = strstr(e, want) != NULL;
		free(want);
	}
	if (e && r && f->required)
		r = strstr(e, "\\fBrequired\\fR") != NULL;
	if (!r)
		printf("#   '%s': %s\n", f->key, e ? e : "no entry");
	free(e);
	return r;
}

/* Every key of t (and of the tables below it, each once) in its section
 * of page. */
static void table_keys(const char *page, const struct cfg_table *t, int top)
{
	static const struct cfg_table *seen[64];
	static size_t n_seen;
	const struct cfg_field *f, *g;
	char *sec;
	int missing = 0;

	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == t)
			return;
	if (n_seen < sizeof(seen) / sizeof(seen[0]))
		seen[n_seen++] = t;
	sec = t->name ? section(page, ".SS", top ? "top level" : t->name) : NULL;

	for (f = t->fields; f->key; f++) {
		if (t->name)
			missing += !field_ok(sec, f);
		else
			missing += !strstr(page, f->key);
		g = f->type == CFG_ARRAY || f->type == CFG_MAP ? f->elem : f;
		if (g->type == CFG_OBJECT)
			table_keys(page, g->table, 0);
	}
	if (t->other)
		missing += !sec || !strstr(sec, "anything else");
	ok(!missing, "campaign.json(5): '%s': every key, default, bound",
	   t->name ? t->name : "(documented in its row)");
	free(sec);
}

static void test_config_page(void)
{
	struct buf page = BUF_INIT;
	struct config *c = NULL;
	struct err e = { "" };
	char *copy;
	int missing = 0;

	man_config(&page);
	ok(!strncmp(page.data, ".TH CAMPAIGN.JSON 5 ", 20), "campaign.json(5): its title");
	only_own_macros(page.data, "campaign.json(5)");
	table_keys(page.data, &config_table, 1);
	ok(config_parse("configs/man-example.json", man_config_example,
			strlen(man_config_example), &c, &e) == 0,
	   "the example config is read: %s", e.msg);
	config_free(c);
	copy = xstrdup(man_config_example);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		char *want = lit(line);

		missing += !strstr(page.data, want);
		free(want);
	}
	free(copy);
	ok(!missing, "the example is on the page");
	ok(strstr(page.data, ".BR campaign (1)") != NULL, "SEE ALSO campaign(1)");
	same_as_built("man/campaign.json.5", &page);
	buf_release(&page);
}

/* ---- rendering ---------------------------------------------------------- */

static void renders(const char *name, void (*make)(struct buf *),
		    const char *const *shown)
{
	struct buf page = BUF_INIT, out = BUF_INIT;
	char *path, *cmd;
	int status;

	make(&page);
	path = write_tmp(name, &page);
	cmd = xasprintf("groff -man -Tutf8 -ww -z %s 2>&1", path);
	status = capture(cmd, &out);
	free(cmd);
	ok(status == 0 && out.len == 0, "groff renders %s without a warning", name);
	if (out.len)
		printf("# %s", out.data);
	cmd = xasprintf("groff -man -Tascii -P-c -P-b -P-u %s 2>&1", path);
	capture(cmd, &out);
	free(cmd);
	for (; *shown; shown++)
		ok(strstr(out.data, *shown) != NULL, "%s shows '%s'", name, *shown);
	if (have("man")) {
		cmd = xasprintf("MANWIDTH=80 man -l %s 2>&1 >/dev/null", path);
		status = capture(cmd, &out);
		free(cmd);
		ok(status == 0 && out.len == 0, "man -l %s: no warning", name);
	} else {
		ok(1, "# SKIP man -l: man is not installed (scripts/setup installs man-db)");
	}
	free(path);
	buf_release(&page);
	buf_release(&out);
}

static void test_render(void)
{
	static const char *const shown1[] = { "campaign run CONFIG [options]",
		"--keep-testbed", "campaign export-history HISTORY --format jepsen",
		"EXIT STATUS", NULL };
	static const char *const shown5[] = { "testbed.nodes[].ssh", "ssh_port_base",
		"integer 1..1000000; default 10", NULL };

	if (!have("groff")) {
		ok(1, "# SKIP groff is not installed (scripts/setup installs groff-base): "
		   "the pages are not rendered");
		return;
	}
	renders("campaign.1", man_campaign, shown1);
	renders("campaign.json.5", man_config, shown5);
}

/* ---- completion --------------------------------------------------------- */

/* What bash completes for line ("campaign run --o"; a trailing blank
 * starts a new word), in files/, sorted, separated by blanks. */
static char *complete(const char *script, const char *line)
{
	struct buf prog = BUF_INIT, cmd = BUF_INIT, out = BUF_INIT;
	char *copy = xstrdup(line), *w;
	int n = 0;

	buf_adds(&prog, "source \"$1\"; COMP_WORDS=(");
	for (w = strtok(copy, " "); w; w = strtok(NULL, " "), n++) {
		shell_quote(&prog, w);
		buf_addch(&prog, ' ');
	}
	if (line[strlen(line) - 1] == ' ') {
		buf_adds(&prog, "''");
		n++;
	}
	buf_addf(&prog, "); COMP_CWORD=%d; _campaign; printf '%%s\\n' \"${COMPREPLY[@]}\" "
		 "| LC_ALL=C sort | tr '\\n' ' '", n - 1);
	buf_addf(&cmd, "cd %s/files && bash --norc --noprofile -c ", tmp);
	shell_quote(&cmd, prog.data);
	buf_adds(&cmd, " bash ");
	shell_quote(&cmd, script);
	capture(cmd.data, &out);
	buf_rtrim(&out);
	free(copy);
	buf_release(&prog);
	buf_release(&cmd);
	return buf_detach(&out);
}

static void completes(const char *script, const char *line, const char *want)
{
	char *got = complete(script, line);

	is_str(got, want, line);
	free(got);
}

static int compare_words(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The blank-separated words of s sorted (as LC_ALL=C sort), in place. */
static char *sorted_words(char *s)
{
	char *w[64], *copy = xstrdup(s);
	size_t n = 0;

	for (char *t = strtok(copy, " "); t && n < 64; t = strtok(NULL, " "))
		w[n++] = t;
	qsort(w, n, sizeof(w[0]), compare_words);
	*s = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(s, i ? " " : "");
		strcat(s, w[i]);
	}
	free(copy);
	return s;
}

/* "campaign CMD [SUB] -" offers every option of the form's table. */
static void offers_options(const char *script)
{
	for (const struct command *const *c = commands; *c; c++)
		for (const struct options_cmd *const *f = (*c)->forms; *f; f++) {
			char *line = xasprintf("campaign %s -", (*f)->name);
			char *got = complete(script, line), *padded = xasprintf(" %s ", got);
			int missing = !strstr(padded, " --help ");

			for (const struct option_spec *o = (*f)->options; o->type != OPTION_END; o++) {
				char *want = xasprintf(" --%s ", o->long_name);

				missing += !strstr(padded, want);
				free(want);
			}
			ok(!missing, "'%s' offers every option: %s", line, got);
			free(line);
			free(got);
			free(padded);
		}
}

static void test_completion(void)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	char *script, *cmd, *all;
	struct buf names = BUF_INIT;

	completion_bash(&text);
	same_as_built("completion/campaign", &text);
	if (!have("bash")) {
		ok(1, "# SKIP bash is not installed: the completion is not run");
		buf_release(&text);
		return;
	}
	script = write_tmp("campaign.bash", &text);
	cmd = xasprintf("bash -n %s 2>&1", script);
	is_int(capture(cmd, &out), 0, "bash -n: the completion parses");
	free(cmd);
	for (const struct command *const *c = commands; *c; c++)
		buf_addf(&names, "%s%s", names.len ? " " : "", (*c)->name);
	cmd = xasprintf("mkdir -p %s/files/sub && touch %s/files/a.json %s/files/b.txt",
			tmp, tmp, tmp);
	is_int(system(cmd), 0, "files to complete");
	free(cmd);
	all = complete(script, "campaign ");
	is_str(all, sorted_words(names.data), "campaign <TAB>: every command");
	free(all);
	completes(script, "campaign ru", "run");
	completes(script, "campaign -v va", "validate");
	completes(script, "campaign -", "--help --version -h -q -v");
	completes(script, "campaign run --k", "--keep-testbed");
	completes(script, "campaign image ", "build show");
	completes(script, "campaign image build --c", "--cache");
	completes(script, "campaign testbed ", "down reset ssh status up");
	completes(script, "campaign help ma", "man");
	completes(script, "campaign man ", "1 5");
	completes(script, "campaign completion ", "bash");
	completes(script, "campaign validate ", "a.json sub");
	completes(script, "campaign run ", "a.json sub");
	completes(script, "campaign run a.json --out ", "sub");
	completes(script, "campaign run a.json --out =", "sub");
	completes(script, "campaign run --out = su", "sub");
	completes(script, "campaign run --junit ", "a.json b.txt sub");
	completes(script, "campaign run a.json ", "");
	completes(script, "campaign merge sub sub ", "sub");
	completes(script, "campaign testbed ssh a.json n1 ", "");
	completes(script, "campaign no-such-command ", "");
	offers_options(script);
	free(script);
	buf_release(&names);
	buf_release(&text);
	buf_release(&out);
}

int main(void)
{
	struct err e = { "" };

	if (!mkdtemp(tmp)) {
		ok(0, "a temporary directory");
		return tap_done();
	}
	test_campaign_page();
	test_config_page();
	test_render();
	test_completion();
	paths_remove_tree(tmp, &e);
	return tap_done();
}
