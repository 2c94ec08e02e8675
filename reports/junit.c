/* junit.c - junit.xml from the report's figures. */
#include "junit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "report_priv.h"

struct tcase {
	const char *oracle, *fault;
	long long runs, pass, fail;
	double seconds;
	int n_new, n_known;
};

static int flaw_matches(const struct rflaw *f, const struct tcase *t)
{
	return f->oracle && f->fault && !strcmp(f->oracle, t->oracle) &&
	       !strcmp(f->fault, t->fault);
}

/* The test cases: every oracle x fault type pair, then flaws' pairs. */
static struct tcase *cases(const struct report_data *d, int *ret_n)
{
	struct tcase *t = xcalloc((size_t)(d->n_pairs + d->n_flaws) + 1, sizeof(*t));
	int n = 0;

	for (int i = 0; i < d->n_pairs; i++) {
		const struct rpair *p = &d->pairs[i];

		/* a run's time is shared by the oracles that judged it */
		t[n++] = (struct tcase){ d->oracle_names.s[p->oracle], d->type_names.s[p->type],
					 p->runs, p->pass, p->fail,
					 p->seconds / (d->oracle_names.n ? d->oracle_names.n : 1),
					 0, 0 };
	}
	for (int i = 0; i < d->n_flaws; i++) {
		const struct rflaw *f = &d->flaws[i];
		int found = 0;

		if (!f->oracle || !f->fault)
			continue;
		for (int k = 0; k < n && !found; k++)
			found = flaw_matches(f, &t[k]);
		if (!found)
			t[n++] = (struct tcase){ f->oracle, f->fault, 0, 0, 0, 0, 0, 0 };
	}
	for (int k = 0; k < n; k++)
		for (int i = 0; i < d->n_flaws; i++)
			if (flaw_matches(&d->flaws[i], &t[k])) {
				if (d->flaws[i].known)
					t[k].n_known++;
				else
					t[k].n_new++;
			}
	*ret_n = n;
	return t;
}

static void attr(struct buf *out, const char *name, const char *value)
{
	buf_addf(out, " %s=\"", name);
	markup_escape(out, value ? value : "");
	buf_adds(out, "\"");
}

/* The flaw's details, as the text of its <failure> or <skipped>. */
static void flaw_text(struct buf *out, const struct report_data *d, const struct rflaw *f)
{
	struct buf t = BUF_INIT;

	buf_addf(&t, "flaw %s%s\nsignature: %s\nclass: %s\ntrace: %s/flaws/%s.json\n"
		 "page: %s/report/flaws/%s.html\nruns: %lld, first run %lld, last run %lld\n"
		 "replay: campaign replay %s %lld\n\n", f->id, f->known ? " (known)" : " (new)",
		 f->signature ? f->signature : "?", f->class_ ? f->class_ : "?", d->dir, f->id,
		 d->dir, f->id, f->has_file ? f->count : f->journal_runs,
		 f->has_file ? f->first_run : f->journal_first,
		 f->has_file ? f->last_run : f->journal_last, d->dir,
		 f->has_file ? f->first_run : f->journal_first);
	markup_escape(out, t.data);
	buf_release(&t);
}

/* "N new flaws: SIG1; SIG2" for the message attribute. */
static void message(struct buf *out, const struct report_data *d, const struct tcase *t,
		    int known)
{
	struct buf m = BUF_INIT;
	int n = known ? t->n_known : t->n_new, k = 0;

	buf_addf(&m, "%d %s flaw%s: ", n, known ? "known" : "new", n == 1 ? "" : "s");
	for (int i = 0; i < d->n_flaws; i++)
		if (flaw_matches(&d->flaws[i], t) && d->flaws[i].known == known)
			buf_addf(&m, "%s%s", k++ ? "; " : "",
				 d->flaws[i].signature ? d->flaws[i].signature : d->flaws[i].id);
	attr(out, "message", m.data);
	buf_release(&m);
}

static void testcase(struct buf *out, const struct report_data *d, const char *suite,
		     const struct tcase *t)
{
	struct buf cls = BUF_INIT;

	buf_addf(&cls, "%s.%s", suite, t->oracle);
	buf_adds(out, "    <testcase");
	attr(out, "classname", cls.data);
	attr(out, "name", t->fault);
	buf_addf(out, " time=\"%.3f\">\n", t->seconds);
	if (t->n_new || t->n_known) {
		const char *tag = t->n_new ? "failure" : "skipped";

		buf_addf(out, "      <%s", tag);
		message(out, d, t, !t->n_new);
		if (t->n_new)
			attr(out, "type", "flaw");
		buf_adds(out, ">");
		for (int i = 0; i < d->n_flaws; i++)
			if (flaw_matches(&d->flaws[i], t))
				flaw_text(out, d, &d->flaws[i]);
		buf_addf(out, "</%s>\n", tag);
	}
	buf_addf(out, "      <system-out>runs: %lld; verdicts: pass %lld, fail %lld"
		 "</system-out>\n    </testcase>\n", t->runs, t->pass, t->fail);
	buf_release(&cls);
}

void junit_build(const struct report_data *d, struct buf *out)
{
	const char *name = report_meta(d, "config.name");
	int n, failures = 0, skipped = 0, errors = d->infra_stop ? 1 : 0;
	struct tcase *t = cases(d, &n);
	double seconds = 0;
	char stamp[32] = "";
	struct buf head = BUF_INIT;

	if (!name)
		name = "campaign";
	for (int k = 0; k < n; k++) {
		failures += t[k].n_new > 0;
		skipped += !t[k].n_new && t[k].n_known;
		seconds += t[k].seconds;
	}
	if (d->first_ms) {
		time_t s = (time_t)(d->first_ms / 1000);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", gmtime_r(&s, &tm));
	}
	buf_addf(&head, " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		 "time=\"%.3f\"", n + errors, failures, errors, skipped, seconds);
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(out, "name", name);
	buf_addf(out, "%s>\n  <testsuite", head.data);
	attr(out, "name", name);
	buf_addf(out, "%s", head.data);
	if (*stamp)
		buf_addf(out, " timestamp=\"%s\"", stamp);
	buf_adds(out, ">\n    <properties>\n");
	{
		json_t *seed = json_object_get(d->campaign, "seed");
		char v[64];

		snprintf(v, sizeof(v), "%lld", (long long)json_integer_value(seed));
		buf_adds(out, "      <property name=\"seed\"");
		attr(out, "value", v);
		buf_adds(out, "/>\n      <property name=\"runs\"");
		snprintf(v, sizeof(v), "%lld", d->n_runs);
		attr(out, "value", v);
		buf_adds(out, "/>\n      <property name=\"results\"");
		attr(out, "value", d->dir);
		buf_adds(out, "/>\n      <property name=\"tool_version\"");
		attr(out, "value", report_meta(d, "tool_version"));
		buf_adds(out, "/>\n      <property name=\"image_hash\"");
		attr(out, "value", report_meta(d, "image_hash"));
		buf_adds(out, "/>\n");
		if (d->baseline) {
			buf_adds(out, "      <property name=\"baseline\"");
			attr(out, "value", baseline_dir(d->baseline));
			buf_adds(out, "/>\n");
		}
	}
	buf_adds(out, "    </properties>\n");
	for (int k = 0; k < n; k++)
		testcase(out, d, name, &t[k]);
	if (d->infra_stop) {
		struct buf cls = BUF_INIT, m = BUF_INIT;

		buf_addf(&cls, "%s.harness", name);
		buf_addf(&m, "run %lld: %s", d->infra_stop_run, d->infra_stop);
		buf_adds(out, "    <testcase");
		attr(out, "classname", cls.data);
		buf_adds(out, " name=\"infrastructure\" time=\"0\">\n      <error");
		attr(out, "message", m.data);
		buf_adds(out, " type=\"infra\">");
		markup_escape(out, m.data);
		buf_adds(out, "</error>\n    </testcase>\n");
		buf_release(&cls);
		buf_release(&m);
	}
	buf_adds(out, "  </testsuite>\n</testsuites>\n");
	buf_release(&head);
	free(t);
}

int junit_write(const struct report_data *d, const char *path, struct err *e)
{
	struct buf out = BUF_INIT;
	int r;

	junit_build(d, &out);
	r = report_write_file(path, out.data, out.len, e);
	buf_release(&out);
	return r;
}
