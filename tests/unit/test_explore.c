/* Guided exploration against the fake harness (engine/explore.c,
 * engine/engine_explore.c, plan.c's guided draw): the fake logs a line
 * never seen before whenever one arm's fault hits n2, and the guided draw
 * picks that fault on n2 more often than the random draw does (counts of
 * seeded runs, no timing); a campaign killed at several points and
 * resumed plans exactly the runs an uninterrupted one planned (the
 * feedback rebuilt from the journal); a guided run replays from its
 * recorded plan; two testbeds plan every run from well-defined feedback;
 * the seen sets and the credit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "engine_campaign.h"
#include "explore.h"
#include "fake_harness.h"
#include "journal.h"
#include "paths.h"
#include "report.h"
#include "tap.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))
#define RUNS 48

static struct config *load_n(const char *explore, int per_run)
{
	char path[] = "/tmp/test-explore-XXXXXX";
	int fd = mkstemp(path);
	struct config *c = NULL;
	struct err e;
	char *text = xasprintf(
		"{\"name\": \"t\", \"seed\": 11,\n"
		" \"testbed\": {\"image\": \".\", \"nodes\": [\n"
		"   {\"name\": \"n1\"}, {\"name\": \"n2\"}, {\"name\": \"n3\"}]},\n"
		" \"probes\": {\"health\": {\"ssh\": \"true\", \"every_ms\": 500}},\n"
		" \"workload\": {\"start\": \"true\"},\n"
		" \"faults\": [{\"type\": \"process-kill\", \"process\": \"x\"},\n"
		"   {\"type\": \"process-hang\", \"process\": \"x\", \"duration_s\": [1, 3]}],\n"
		" \"logs\": {\"paths\": [\"/var/log/sut.log\"]},\n"
		" \"schedule\": {\"runs\": %d, \"inject_at_s\": [1, 2], \"observe_s\": 2,\n"
		"   \"explore\": \"%s\", \"faults_per_run\": %d},\n"
		" \"oracles\": [{\"type\": \"probe-recovers\", \"probe\": \"health\", \"within_s\": 3},\n"
		"   {\"type\": \"containment\"}]}\n", RUNS, explore, per_run);

	if (write(fd, text, strlen(text)) < 0)
		return NULL;
	close(fd);
	if (config_load(path, &c, &e) < 0)
		diag("config: %s", e.msg);
	unlink(path);
	free(text);
	return c;
}

static struct config *load(const char *explore)
{
	return load_n(explore, 1);
}

static char *tmp_dir(void)
{
	char tmpl[] = "/tmp/test-explore-out-XXXXXX";

	return xstrdup(mkdtemp(tmpl));
}

/* The fake logs a new template when process-kill hits n2. */
static void script(struct fake *f)
{
	f->novel_fault = "process-kill";
	f->novel_node = 1;
}

static int campaign(struct config *cfg, struct fake *fs, int n, const char *dir)
{
	struct harness *hs[4];
	struct engine_options opt = { .out_dir = dir, .runs = RUNS, .max_examples = 1 };
	struct engine_summary sum;
	struct err e = { "" };
	int r;

	for (int k = 0; k < n; k++)
		hs[k] = &fs[k].h;
	r = engine_campaign(cfg, hs, n, &opt, &sum, &e);
	if (r < 0)
		diag("engine: %s", e.msg);
	return r;
}

/* The journal's run records by run number (new references). */
struct runs {
	json_t *rec[RUNS + 1];
	int count[RUNS + 1];
};

static int take(json_t *rec, long long line, void *ctx, struct err *e)
{
	struct runs *s = ctx;
	const char *type = json_string_value(json_object_get(rec, "type"));
	int run = (int)json_integer_value(json_object_get(rec, "run"));

	(void)line;
	(void)e;
	if (type && !strcmp(type, "run") && run >= 1 && run <= RUNS) {
		s->count[run]++;
		json_decref(s->rec[run]);
		s->rec[run] = json_incref(rec);
	}
	return 0;
}

static void runs_read(const char *dir, struct runs *s)
{
	struct err e;

	memset(s, 0, sizeof(*s));
	if (journal_foreach(dir, take, s, &e) < 0)
		diag("journal: %s", e.msg);
}

static void runs_release(struct runs *s)
{
	for (int i = 0; i <= RUNS; i++)
		json_decref(s->rec[i]);
}

static json_t *plan_fault0(json_t *rec)
{
	return json_array_get(json_object_get(json_object_get(rec, "plan"), "faults"), 0);
}

/* Runs whose fault is process-kill on n2, and runs found novel. */
static int kills_on_n2(const struct runs *s, int *ret_novel)
{
	int n = 0;

	*ret_novel = 0;
	for (int r = 1; r <= RUNS; r++) {
		json_t *f = plan_fault0(s->rec[r]);

		n += f && !strcmp(json_string_value(json_object_get(f, "type")), "process-kill") &&
		     !strcmp(json_string_value(json_object_get(f, "node")), "n2");
		*ret_novel += json_is_true(json_object_get(json_object_get(s->rec[r], "explore"),
							   "novel"));
	}
	return n;
}

/* Does the report's index plot the log templates? */
static int report_plots_templates(const char *dir)
{
	struct report_options ro = { 0 };
	struct report_result res = { 0 };
	struct err e = { "" };
	char *path = xasprintf("%s/report/index.html", dir);
	struct buf html = BUF_INIT;
	int has;

	if (report_write(dir, &ro, &res, &e) < 0)
		diag("report: %s", e.msg);
	paths_read_file(path, NULL, 16 << 20, &html, NULL);
	has = html.data && strstr(html.data, "aria-label=\"log templates seen by run\"") &&
	      strstr(html.data, "aria-label=\"unique flaws by run\"");
	buf_reset(&html);
	free(path);
	path = xasprintf("%s/summary.json", dir);
	paths_read_file(path, NULL, 16 << 20, &html, NULL);
	json_t *sum = json_loads(html.data, 0, NULL);
	json_t *curve = json_object_get(sum, "log_templates");

	if (has != (curve != NULL) || (curve && !json_array_size(curve)))
		has = -1;	/* the page and summary.json disagree */
	json_decref(sum);
	report_result_release(&res);
	buf_release(&html);
	free(path);
	return has;
}

static int run_campaign(const char *explore, struct runs *s, int *ret_plot)
{
	struct config *cfg = load(explore);
	char *dir = tmp_dir();
	struct fake f;
	int r;

	fake_init(&f, cfg);
	script(&f);
	r = campaign(cfg, &f, 1, dir);
	runs_read(dir, s);
	*ret_plot = report_plots_templates(dir);
	fake_release(&f);
	config_free(cfg);
	paths_remove_tree(dir, NULL);
	free(dir);
	return r;
}

static void test_guided_finds_the_arm(void)
{
	struct runs rnd, gd;
	int novel_r, novel_g, k_r, k_g, plot_r, plot_g;
	json_t *ex;

	is_int(run_campaign("random", &rnd, &plot_r), 0, "a random campaign");
	is_int(run_campaign("guided", &gd, &plot_g), 0, "a guided campaign");
	ok(plot_g == 1 && plot_r == 0, "the report plots the log templates of the guided "
	   "campaign beside its flaws, and summary.json has them; not the random one's");
	k_r = kills_on_n2(&rnd, &novel_r);
	k_g = kills_on_n2(&gd, &novel_g);
	diag("process-kill on n2: random %d of %d, guided %d of %d (novel runs %d)",
	     k_r, RUNS, k_g, RUNS, novel_g);
	ok(k_g > k_r + RUNS / 8, "guided draws the novel arm more often than random "
	   "(%d vs %d of %d)", k_g, k_r, RUNS);
	ok(!json_object_get(rnd.rec[1], "explore"), "a random campaign records no explore");
	ex = json_object_get(gd.rec[1], "explore");
	ok(json_is_true(json_object_get(ex, "novel")) &&
	   json_integer_value(json_object_get(ex, "new_templates")) >= 2 &&
	   json_is_string(json_object_get(ex, "arm")) &&
	   strchr(json_string_value(json_object_get(ex, "arm")), '@') &&
	   json_array_size(json_object_get(ex, "new")) ==
	   (size_t)json_integer_value(json_object_get(ex, "new_templates")) &&
	   !json_object_get(ex, "templates"),
	   "run 1 is novel: its templates are new; arm, count and hashes recorded");
	ok(json_is_object(json_object_get(plan_fault0(gd.rec[1]), "bucket")) &&
	   json_integer_value(json_object_get(json_object_get(json_object_get(gd.rec[9],
		"plan"), "guided"), "feedback_upto")) == 9 - EXPLORE_LAG,
	   "the plan records its arm's buckets and the feedback it saw (runs <= r - %d)",
	   EXPLORE_LAG);
	int novel_kill = 1;

	for (int r = 1; r <= RUNS; r++) {
		json_t *f = plan_fault0(gd.rec[r]);

		if (!strcmp(json_string_value(json_object_get(f, "type")), "process-kill") &&
		    !strcmp(json_string_value(json_object_get(f, "node")), "n2"))
			novel_kill &= json_is_true(json_object_get(json_object_get(gd.rec[r],
				"explore"), "novel"));
	}
	ok(novel_kill, "every run of the scripted arm is novel");
	int uniform = 0;

	for (int r = 1; r <= RUNS; r++)
		uniform += json_is_true(json_object_get(json_object_get(json_object_get(
			gd.rec[r], "plan"), "guided"), "uniform"));
	ok(uniform > 0 && uniform < RUNS / 3, "a few runs draw uniformly (epsilon): %d of %d",
	   uniform, RUNS);
	runs_release(&rnd);
	runs_release(&gd);
}

static int same_plans(const struct runs *a, const struct runs *b, int *ret_bad_run)
{
	for (int r = 1; r <= RUNS; r++) {
		json_t *x = a->rec[r], *y = b->rec[r];

		if (b->count[r] != 1 || !json_equal(json_object_get(x, "plan"),
						     json_object_get(y, "plan")) ||
		    !json_equal(json_object_get(x, "explore"), json_object_get(y, "explore"))) {
			*ret_bad_run = r;
			return 0;
		}
	}
	return 1;
}

/* The fake logs a new template when two faults hit one node. */
static void script_pairs(struct fake *f)
{
	f->novel_fault = "process-kill";	/* logs on */
	f->novel_same_node = 1;
}

/* Killed at call k (a forked child), resumed: the same plans. Two faults
 * a run: with the pairing credit too. */
static void test_resume_same_plans(int per_run)
{
	struct config *cfg = load_n("guided", per_run);
	void (*scripted)(struct fake *) = per_run > 1 ? script_pairs : script;
	char *dir = tmp_dir();
	struct runs whole, again;
	struct fake f;
	long total;
	int bad = 0, points = 0;

	fake_init(&f, cfg);
	scripted(&f);
	campaign(cfg, &f, 1, dir);
	total = f.calls;
	fake_release(&f);
	runs_read(dir, &whole);
	for (long k = total / 9; k < total; k += total / 9) {
		pid_t pid;
		int status, run = 0;

		paths_remove_tree(dir, NULL);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			fake_init(&f, cfg);
			scripted(&f);
			f.exit_at_call = k;
			campaign(cfg, &f, 1, dir);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		fake_init(&f, cfg);	/* resume in a new "process" */
		scripted(&f);
		campaign(cfg, &f, 1, dir);
		fake_release(&f);
		runs_read(dir, &again);
		if (!same_plans(&whole, &again, &run) && !bad++)
			diag("killed at call %ld of %ld: run %d differs", k, total, run);
		points++;
		runs_release(&again);
	}
	ok(points >= 8, "killed at %d points of a %d-run guided campaign, %d fault(s) a run",
	   points, RUNS, per_run);
	is_int(bad, 0, "each resume plans every run as the uninterrupted campaign did, "
	       "with the same novelty");
	runs_release(&whole);
	config_free(cfg);
	paths_remove_tree(dir, NULL);
	free(dir);
}

/* A guided run's replay: its recorded plan, not a new draw. */
static void test_replay_recorded_plan(void)
{
	struct config *cfg = load("guided");
	char *dir = tmp_dir(), *rdir = xasprintf("%s/replay", dir), *want;
	struct plan_node nodes[3] = { { "n1", "member" }, { "n2", "member" },
				      { "n3", "member" } };
	struct plan plan, fresh;
	struct runs s;
	struct fake f;
	struct err e = { "" };
	json_t *rec = NULL, *f0;
	int r = 0;

	fake_init(&f, cfg);
	script(&f);
	campaign(cfg, &f, 1, dir);
	is_int(fake_count(&f, "exec n2 campaign-agent collect '{\"paths\":[\"/var/log/sut.log\"],"
			  "\"max_bytes\":65536,\"dmesg\":false,\"agent_log\":false}'"), RUNS,
	       "after each run, the SUT's logs are collected from each node, 64 KiB each, "
	       "without the kernel's and the agent's");
	fake_release(&f);
	runs_read(dir, &s);
	/* a late run, whose plan used feedback: a draw without it differs */
	for (int k = RUNS; k > EXPLORE_LAG && !r; k--) {
		plan_make(cfg, nodes, 3, k, &fresh, &e);
		json_t *j = plan_to_json(&fresh, nodes);

		if (!json_equal(j, json_object_get(s.rec[k], "plan")))
			r = k;
		json_decref(j);
		plan_release(&fresh);
	}
	ok(r > 0, "run %d's guided plan differs from a draw without feedback", r);
	is_int(plan_from_json(json_object_get(s.rec[r], "plan"), nodes, 3, &plan, &e), 0,
	       "its recorded plan reads back");
	json_t *back = plan_to_json(&plan, nodes);

	ok(json_equal(back, json_object_get(s.rec[r], "plan")),
	   "the plan round-trips with its buckets and feedback");
	json_decref(back);
	f0 = plan_fault0(s.rec[r]);
	fake_init(&f, cfg);
	script(&f);
	is_int(engine_replay(cfg, &f.h, &plan, rdir, &rec, &e), 0, "the replay runs");
	want = xasprintf("apply %s %s", json_string_value(json_object_get(f0, "type")),
			 json_string_value(json_object_get(f0, "node")));
	is_int(fake_count(&f, want), 1, "the replay applies the recorded fault on the "
	       "recorded node");
	ok(json_is_object(rec) && !json_object_get(rec, "explore"),
	   "a replay gathers no feedback");
	free(want);
	json_decref(rec);
	fake_release(&f);
	plan_release(&plan);
	runs_release(&s);
	config_free(cfg);
	paths_remove_tree(dir, NULL);
	free(dir);
	free(rdir);
}

/* Several testbeds: runs end out of order, yet every plan saw exactly the
 * runs <= r - LAG, and every run is recorded once; with one testbed
 * beyond repair, its run goes back to the queue and the testbeds waiting
 * for it give theirs back and take it first. */
static void test_testbeds(int n, int broken)
{
	struct config *cfg = load("guided");
	char *dir = tmp_dir();
	struct fake f[3];
	struct runs s;
	int once = 1, upto = 1, ran = 0;

	for (int k = 0; k < n; k++) {
		fake_init(&f[k], cfg);
		script(&f[k]);
	}
	if (broken) {
		f[1].broken[2] = FAKE_NEVER;
		f[1].dom[2] = FAKE_OFF;
	}
	is_int(campaign(cfg, f, n, dir), 0, "a guided campaign on several testbeds");
	runs_read(dir, &s);
	for (int r = 1; r <= RUNS; r++) {
		json_t *g = json_object_get(json_object_get(s.rec[r], "plan"), "guided");
		int want = r - EXPLORE_LAG > 0 ? r - EXPLORE_LAG : 0;

		once &= s.count[r] == 1;
		upto &= json_integer_value(json_object_get(g, "feedback_upto")) == want;
	}
	for (int k = 0; k < n; k++)
		ran += f[k].applies > 0;
	ok(once, "%d testbeds%s: every run recorded once", n, broken ? ", one broken" : "");
	ok(upto, "%d testbeds%s: every plan saw the runs <= r - %d", n,
	   broken ? ", one broken" : "", EXPLORE_LAG);
	is_int(ran, n - broken, "the healthy testbeds ran runs");
	runs_release(&s);
	for (int k = 0; k < n; k++)
		fake_release(&f[k]);
	config_free(cfg);
	paths_remove_tree(dir, NULL);
	free(dir);
}

/* Two faults a run: two arms, both credited, the plan holds both. */
static void test_two_faults(void)
{
	struct config *cfg = load_n("guided", 2);
	char *dir = tmp_dir();
	struct runs s;
	struct fake f;
	int good = 1;

	fake_init(&f, cfg);
	script(&f);
	is_int(campaign(cfg, &f, 1, dir), 0, "a guided campaign of two faults a run");
	runs_read(dir, &s);
	for (int r = 1; r <= RUNS; r++) {
		const char *arm = json_string_value(json_object_get(json_object_get(s.rec[r],
			"explore"), "arm"));
		json_t *faults = json_object_get(json_object_get(s.rec[r], "plan"), "faults");

		good &= s.count[r] == 1 && arm && strchr(arm, '+') &&
			json_array_size(faults) == 2 &&
			json_is_object(json_object_get(json_array_get(faults, 1), "bucket"));
	}
	ok(good, "every run: two guided faults in its plan, two arms joined by '+'");
	runs_release(&s);
	fake_release(&f);
	config_free(cfg);
	paths_remove_tree(dir, NULL);
	free(dir);
}

/* Runs with both faults on one node; *ret_flagged: those whose plan says
 * a fault was put on the first fault's node (-1 if one of them is not on
 * one node). */
static int both_on_one_node(const struct runs *s, int *ret_flagged)
{
	int n = 0;

	*ret_flagged = 0;
	for (int r = 1; r <= RUNS; r++) {
		json_t *faults = json_object_get(json_object_get(s->rec[r], "plan"), "faults");
		const char *a = json_string_value(json_object_get(json_array_get(faults, 0), "node"));
		const char *b = json_string_value(json_object_get(json_array_get(faults, 1), "node"));
		int one = a && b && !strcmp(a, b), flagged = 0;

		n += one;
		for (int i = 0; i < 2; i++)
			flagged |= json_is_true(json_object_get(json_object_get(
				json_array_get(faults, i), "bucket"), "same_node"));
		if (flagged && *ret_flagged >= 0)
			*ret_flagged = one ? *ret_flagged + 1 : -1;
	}
	return n;
}

/* The SUT logs something new only when two faults hit one node: guided
 * learns to pair faults on one node, random does not. */
static void test_pairing(void)
{
	struct runs s[2];
	int same[2], flagged[2];

	for (int g = 0; g < 2; g++) {
		struct config *cfg = load_n(g ? "guided" : "random", 2);
		char *dir = tmp_dir();
		struct fake f;

		fake_init(&f, cfg);
		script_pairs(&f);
		ok(campaign(cfg, &f, 1, dir) == 0, "a %s campaign, two faults a run",
		   g ? "guided" : "random");
		runs_read(dir, &s[g]);
		same[g] = both_on_one_node(&s[g], &flagged[g]);
		fake_release(&f);
		config_free(cfg);
		paths_remove_tree(dir, NULL);
		free(dir);
	}
	diag("both faults on one node: random %d of %d, guided %d (%d paired by the draw)",
	     same[0], RUNS, same[1], flagged[1]);
	ok(flagged[0] == 0, "random never pairs");
	ok(flagged[1] > 0, "guided pairs, each paired run has both faults on one node");
	ok(same[1] > same[0] + RUNS / 6, "guided puts both faults on one node more often "
	   "(%d vs %d of %d)", same[1], same[0], RUNS);
	ok(strstr(json_string_value(json_object_get(json_object_get(s[1].rec[RUNS], "explore"),
		"arm")) ?: "", "@") != NULL, "arms recorded");
	runs_release(&s[0]);
	runs_release(&s[1]);
}

/* explore.c alone: seen sets, novelty, the credit's lag, window, decay. */
static void test_memory(void)
{
	struct explore *x = explore_new(), *y = explore_new();
	struct explore_arm a = { 0, 1, 2, 3 }, b = { 0, 1, 2, 0 };
	uint64_t t1[] = { 5, 7, 5 }, t2[] = { 7, 0 }, *fresh = NULL;
	int n = 0;

	is_int(explore_note(x, 1, &a, 1, t1, 3, "recovered", &fresh, &n), 1, "run 1 novel");
	is_int(n, 2, "two new templates (a duplicate counted once)");
	free(fresh);
	is_int(explore_note(x, 2, &b, 1, t1, 3, "recovered", &fresh, &n), 0,
	       "the same again: not novel");
	free(fresh);
	is_int(explore_note(x, 3, &b, 1, NULL, 0, "flaw/command", &fresh, &n), 1,
	       "a new outcome and oracle: novel");
	free(fresh);
	is_int(explore_note(x, 4, &b, 1, t2, 2, "recovered", &fresh, &n), 1,
	       "a new template (hash 0 too)");
	is_int(n, 1, "one new");
	free(fresh);
	is_int(explore_templates(x), 3, "three templates seen");
	ok(explore_credit(x, 0, &a) == 0, "nothing before run 1");
	ok(explore_credit(x, 1, &a) == 6, "run 1's arm: twice 1 + its 2 new templates");
	ok(explore_credit(x, 2, &a) > 5.39 && explore_credit(x, 2, &a) < 5.41,
	   "decayed a run later");
	ok(explore_credit(x, 4 + EXPLORE_WINDOW, &a) == 0, "out of the window");
	ok(explore_credit(x, 1, &b) == 3, "the same fault and node in other buckets: once");
	ok(explore_credit(x, 1, &(struct explore_arm){ 1, 1, 2, 3 }) == 0 &&
	   explore_credit(x, 1, &(struct explore_arm){ 0, 2, 2, 3 }) == 0,
	   "another fault, another node: none");
	/* the journal's view rebuilds the same memory */
	explore_restore(y, 1, &a, 1, (uint64_t[]){ 5, 7 }, 2, "recovered", 1);
	explore_restore(y, 2, &b, 1, NULL, 0, "recovered", 0);
	ok(explore_credit(y, 1, &a) == explore_credit(x, 1, &a) &&
	   explore_templates(y) == 2, "restored: the same credit and templates");
	is_int(explore_note(y, 3, &b, 1, t1, 3, "recovered", &fresh, &n), 0,
	       "restored templates are not new again");
	free(fresh);
	/* pairing: credit to "same" from a novel run with a paired arm,
	 * to "alone" from a novel run of two unpaired arms */
	struct explore_arm p2[2] = { { 0, 1, 0, 0, 0 }, { 1, 1, 0, 0, 1 } };
	struct explore_arm u2[2] = { { 0, 1, 0, 0, 0 }, { 1, 2, 0, 0, 0 } };

	ok(explore_pair_credit(x, 4, 1) == 0 && explore_pair_credit(x, 4, 0) == 0,
	   "runs of one fault credit no pairing");
	explore_note(x, 5, p2, 2, (uint64_t[]){ 99 }, 1, "recovered", &fresh, &n);
	free(fresh);
	explore_note(x, 6, u2, 2, NULL, 0, "recovered", &fresh, &n);
	free(fresh);
	explore_note(x, 7, u2, 2, NULL, 0, "flaw/always#2", &fresh, &n);
	free(fresh);
	ok(explore_pair_credit(x, 5, 1) == 2 && explore_pair_credit(x, 5, 0) == 0,
	   "a novel paired run: 1 + its new template, to same only");
	ok(explore_pair_credit(x, 7, 0) == 1 && explore_pair_credit(x, 7, 1) > 1.61 &&
	   explore_pair_credit(x, 7, 1) < 1.63, "a novel unpaired run (7) to alone; "
	   "a run that was not novel (6) to neither; same decayed");
	explore_free(x);
	explore_free(y);
	explore_free(NULL);
}

/* The outcome as novelty sees it: each failing oracle by its place. */
static void test_combo(void)
{
	static const struct {
		const char *record, *want;
	} cases[] = {
		{ "{\"outcome\": \"recovered\", \"oracles\": [{\"oracle\": \"command\", "
		  "\"verdict\": \"pass\"}]}", "recovered" },
		{ "{\"outcome\": \"flaw\", \"failed_oracle\": \"command\", \"oracles\": ["
		  "{\"oracle\": \"command\", \"verdict\": \"pass\"}, {\"oracle\": "
		  "\"command\", \"verdict\": \"fail\"}]}", "flaw/command#2" },
		{ "{\"outcome\": \"flaw\", \"failed_oracle\": \"command\", \"oracles\": ["
		  "{\"oracle\": \"command\", \"verdict\": \"fail\"}, {\"oracle\": "
		  "\"command\", \"verdict\": \"pass\"}, {\"oracle\": \"always\", "
		  "\"verdict\": \"unknown\"}]}", "flaw/command#1+always#3" },
		{ "{\"outcome\": \"unjudged\", \"unjudged_oracle\": \"lost-writes\"}",
		  "unjudged/lost-writes" },
		{ "{\"outcome\": \"set-aside\"}", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rec = json_loads(cases[i].record, 0, NULL);
		char *got = engine_explore_combo(rec);

		ok(cases[i].want ? got && !strcmp(got, cases[i].want) : !got,
		   "combination %s (got %s)", cases[i].want ? cases[i].want : "none",
		   got ? got : "none");
		free(got);
		json_decref(rec);
	}
}

int main(void)
{
	test_memory();
	test_combo();
	test_guided_finds_the_arm();
	test_replay_recorded_plan();
	test_resume_same_plans(1);
	test_resume_same_plans(2);
	test_two_faults();
	test_pairing();
	test_testbeds(2, 0);
	test_testbeds(3, 1);
	return tap_done();
}
