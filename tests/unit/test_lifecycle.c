/* The run lifecycle against the fake harness: phase order, infra errors
 * never flaws, the repair ladder rung by rung, doomed runs set aside,
 * signals, resume after a kill at every point, continuous mode's dirty
 * set, leader resolution, and every (hypervisor, guest) fault pair on
 * one node in both orders. No VM: virtual time, milliseconds per test. */
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "fake_harness.h"
#include "journal.h"
#include "paths.h"
#include "report.h"
#include "stopsig.h"
#include "tap.h"

#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

static char verdict_file[64];

struct cfg_opts {
	const char *mode;	/* "isolated" or "continuous" */
	const char *faults;	/* the faults array's entries */
	int runs, per_run;
	const char *workload_extra;	/* e.g. , "leader": "..." */
	const char *extra;		/* top-level members: , "scenarios": ... */
	const char *schedule_extra;	/* , "random_weight": 0 */
};

static struct config *load(const struct cfg_opts *o)
{
	char path[] = "/tmp/test-lifecycle-XXXXXX";
	int fd = mkstemp(path);
	struct config *c = NULL;
	struct err e;
	char *text = xasprintf(
		"{\"name\": \"t\", \"seed\": 7, \"mode\": \"%s\",\n"
		" \"testbed\": {\"image\": \".\", \"nodes\": [\n"
		"   {\"name\": \"n1\"}, {\"name\": \"n2\"}, {\"name\": \"n3\"}]},\n"
		" \"probes\": {\"health\": {\"ssh\": \"true\", \"every_ms\": 500}},\n"
		" \"workload\": {\"start\": \"true\"%s},\n"
		" \"faults\": [%s]%s,\n"
		" \"schedule\": {\"runs\": %d, \"faults_per_run\": %d, \"inject_at_s\": [1, 2],\n"
		"   \"observe_s\": 2, \"max_infra_retries\": 2%s},\n"
		" \"oracles\": [{\"type\": \"probe-recovers\", \"probe\": \"health\", \"within_s\": 3},\n"
		"   {\"type\": \"containment\"},\n"
		"   {\"type\": \"command\", \"run\": \"exit $(cat %s 2>/dev/null || echo 0)\"}]}\n",
		o->mode ? o->mode : "isolated", o->workload_extra ? o->workload_extra : "",
		o->faults, o->extra ? o->extra : "", o->runs ? o->runs : 4,
		o->per_run ? o->per_run : 1, o->schedule_extra ? o->schedule_extra : "",
		verdict_file);

	if (write(fd, text, strlen(text)) < 0)
		return NULL;
	close(fd);
	if (config_load(path, &c, &e) < 0)
		diag("config: %s", e.msg);
	unlink(path);
	free(text);
	return c;
}

static const char *KILL_N2 = "{\"type\": \"process-kill\", \"process\": \"x\", \"target\": \"n2\"}";

static char *tmp_dir(void)
{
	char tmpl[] = "/tmp/test-lifecycle-out-XXXXXX";

	return xstrdup(mkdtemp(tmpl));
}

/* What the journal holds, for assertions. */
struct seen {
	int runs[64];			/* records per run number */
	char outcome[64][16];
	int infra;
	char actions[4096];		/* "retry;revert node;..." */
	json_t *records[64];		/* run records (new references) */
	int stops;
};

static int collect(json_t *rec, long long line, void *ctx, struct err *e)
{
	struct seen *s = ctx;
	const char *type = json_string_value(json_object_get(rec, "type"));
	int run = (int)json_integer_value(json_object_get(rec, "run"));

	(void)line;
	(void)e;
	if (!strcmp(type, "run") && run > 0 && run < 64) {
		s->runs[run]++;
		snprintf(s->outcome[run], sizeof(s->outcome[run]), "%s",
			 json_string_value(json_object_get(rec, "outcome")));
		json_decref(s->records[run]);
		s->records[run] = json_incref(rec);
	} else if (!strcmp(type, "infra")) {
		s->infra++;
		snprintf(s->actions + strlen(s->actions), sizeof(s->actions) - strlen(s->actions),
			 "%s;", json_string_value(json_object_get(rec, "action")));
	} else if (!strcmp(type, "campaign") &&
		   !strcmp(json_string_value(json_object_get(rec, "event")), "stop")) {
		s->stops++;
	}
	return 0;
}

static void seen_read(const char *dir, struct seen *s)
{
	struct err e;

	memset(s, 0, sizeof(*s));
	if (journal_foreach(dir, collect, s, &e) < 0)
		diag("journal: %s", e.msg);
}

static void seen_release(struct seen *s)
{
	for (int i = 0; i < 64; i++)
		json_decref(s->records[i]);
}

static int campaign(struct config *cfg, struct fake *f, const char *dir, int runs,
		    volatile sig_atomic_t *stop, struct engine_summary *sum)
{
	struct engine_options opt = { .out_dir = dir, .runs = runs, .max_examples = 2,
				      .stop = stop };
	struct err e = { "" };
	struct harness *h = &f->h;
	int r = engine_campaign(cfg, &h, 1, &opt, sum, &e);

	if (r < 0)
		diag("engine: %s", e.msg);
	return r;
}

static int flaw_files(const char *dir)
{
	char *cmd = xasprintf("ls %s/flaws 2>/dev/null | grep -c json", dir);
	FILE *p = popen(cmd, "r");
	int n = 0;

	if (p && fscanf(p, "%d", &n) != 1)
		n = 0;
	if (p)
		pclose(p);
	free(cmd);
	return n;
}

static void cleanup(char *dir)
{
	paths_remove_tree(dir, NULL);
	free(dir);
}

static const char *find_line(const char *log, const char *prefix, const char *from)
{
	for (const char *p = from ? from : log; p && *p;) {
		if (!strncmp(p, prefix, strlen(prefix)))
			return p;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

/* A test's config, fake, results directory and what its journal holds. */
struct fx {
	struct config *cfg;
	struct fake f;
	char *dir;
	struct engine_summary sum;
	struct seen s;
};

static void fx_open(struct fx *x, const struct cfg_opts *o)
{
	memset(x, 0, sizeof(*x));
	x->cfg = load(o);
	fake_init(&x->f, x->cfg);
	x->dir = tmp_dir();
}

/* Run (or resume) the campaign up to runs, then read its journal. */
static int fx_run(struct fx *x, int runs)
{
	int r = campaign(x->cfg, &x->f, x->dir, runs, NULL, &x->sum);

	seen_release(&x->s);
	seen_read(x->dir, &x->s);
	return r;
}

/* A fresh fake and an empty results directory, the same config. */
static void fx_again(struct fx *x)
{
	fake_release(&x->f);
	fake_init(&x->f, x->cfg);
	paths_remove_tree(x->dir, NULL);
}

static void fx_close(struct fx *x)
{
	seen_release(&x->s);
	fake_release(&x->f);
	config_free(x->cfg);
	cleanup(x->dir);
}

/* Runs of one plan make the same calls: after one run, the call at which
 * the next run reaches its first line starting with prefix. */
static long next_run_call(const struct fake *f, const char *prefix)
{
	const char *at = find_line(f->log.data, prefix, NULL);
	long n = f->calls + 1;

	for (const char *p = f->log.data; p && p < at; p = strchr(p, '\n') + 1)
		n++;
	return n;
}

/* The call number of the nth line (1-based) of f's log starting with
 * prefix, or -1. */
static long call_of(const struct fake *f, const char *prefix, int nth)
{
	long call = 0;

	for (const char *p = f->log.data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		call++;
		if (!strncmp(p, prefix, strlen(prefix)) && --nth == 0)
			return call;
	}
	return -1;
}

/* ---- the run's phases ---- */


static void test_phase_order(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 1 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	const char *order[] = { "reset n1,n2,n3", "probes-check", "probes-start",
				"workload-start", "apply process-kill n2", "workload-stop",
				"probes-stop", "state n", "alive n1" };
	const char *at = NULL;
	struct seen s;
	int in_order = 1;

	fake_init(&f, cfg);
	is_int(campaign(cfg, &f, dir, 1, NULL, &sum), 0, "phases: one run");
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++) {
		const char *next = find_line(f.log.data, order[i], at);

		if (!next) {
			diag("'%s' missing after the previous phase:\n%s", order[i], f.log.data);
			in_order = 0;
			break;
		}
		at = next;
	}
	ok(in_order, "reset, ready, probes, workload, inject, stop, judge: in order");
	seen_read(dir, &s);
	is_int(s.runs[1], 1, "the run is recorded once");
	is_str(s.outcome[1], "no-effect", "a kill nobody saw: no-effect");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(
		s.records[1], "faults"), 0), "fate")), "applied", "the fault's fate");
	seen_release(&s);
	fake_release(&f);
	config_free(cfg);
	cleanup(dir);
}

/* ---- infra errors ---- */

static void test_infra_never_flaw(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 3 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	struct seen s;

	fake_init(&f, cfg);
	f.exec_fails[1] = 1;	/* SSH to n2 drops during inject, once */
	is_int(campaign(cfg, &f, dir, 3, NULL, &sum), 0, "ssh drop: campaign ends");
	seen_read(dir, &s);
	is_int(s.runs[1] + s.runs[2] + s.runs[3], 3, "every run recorded once");
	ok(strstr(s.actions, "retry;") != NULL, "the drop was retried: %s", s.actions);
	is_int(sum.flaws_total, 0, "no flaw from an infra error");
	is_int(flaw_files(dir), 0, "no flaw file");
	is_int(sum.infra_stop, 0, "not stopped");
	seen_release(&s);
	fake_release(&f);

	fake_init(&f, cfg);	/* a fault without evidence, once */
	paths_remove_tree(dir, NULL);
	f.apply_no_evidence = 1;
	is_int(campaign(cfg, &f, dir, 2, NULL, &sum), 0, "no evidence: campaign ends");
	seen_read(dir, &s);
	ok(s.infra >= 1 && strstr(s.actions, "retry;"), "no evidence is an infra error, retried");
	is_int(s.runs[1], 1, "and the run is then recorded once");
	is_int(sum.flaws_total, 0, "never a flaw");
	seen_release(&s);
	fake_release(&f);

	fake_init(&f, cfg);	/* the workload exits at once: the SUT's business */
	paths_remove_tree(dir, NULL);
	f.workload_exits_at_once = 1;
	is_int(campaign(cfg, &f, dir, 1, NULL, &sum), 0, "workload exits at once");
	seen_read(dir, &s);
	is_int(s.infra, 0, "a workload that exits is no infra error");
	is_int(s.runs[1], 1, "the run is recorded");
	seen_release(&s);
	fake_release(&f);
	config_free(cfg);
	cleanup(dir);
}

static void test_doomed_run(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 3 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	struct seen s;

	fake_init(&f, cfg);
	f.apply_fails = 2;	/* run 1's fault fails twice the same way */
	is_int(campaign(cfg, &f, dir, 3, NULL, &sum), 0, "doomed: campaign goes on");
	seen_read(dir, &s);
	is_str(s.outcome[1], "set-aside", "run 1 failed the same way twice: set aside");
	ok(strstr(json_string_value(json_object_get(s.records[1], "reason")),
		  "no process matches") != NULL, "its reason is kept");
	is_int(s.runs[2] + s.runs[3], 2, "the campaign went on: runs 2 and 3");
	is_str(s.outcome[2], "no-effect", "run 2 is judged as usual");
	is_int(sum.set_aside, 1, "the summary counts it");
	is_int(sum.flaws_total, 0, "a set-aside run is not a flaw");
	is_int(sum.infra_stop, 0, "the testbed was healthy: no stop");
	is_int(f.rebuilds + f.rebuild_nodes, 0, "nothing rebuilt for a doomed run");
	seen_release(&s);
	fake_release(&f);

	fake_init(&f, cfg);	/* different failures, past the retries */
	paths_remove_tree(dir, NULL);
	f.apply_fails = 1;
	f.exec_fails[1] = 0;
	f.apply_no_evidence = 0;
	is_int(campaign(cfg, &f, dir, 1, NULL, &sum), 0, "one failure, then fine");
	seen_read(dir, &s);
	is_str(s.outcome[1], "no-effect", "a failure once, then the run: judged");
	seen_release(&s);
	fake_release(&f);
	config_free(cfg);
	cleanup(dir);
}

/* ---- the ladder ---- */

struct rung_case {
	const char *name;
	enum fake_broken how;
	const char *expect_action;	/* in the journal's infra actions */
	int quarantined;
};

static void test_ladder(void)
{
	static const struct rung_case cases[] = {
		{ "QEMU killed from outside", FAKE_FIXED_BY_RESET, "revert node;", 0 },
		{ "golden snapshot deleted", FAKE_FIXED_BY_REBUILD_NODE, "rebuild node;", 0 },
		{ "node beyond a node rebuild", FAKE_FIXED_BY_REBUILD, "rebuild testbed;", 0 },
		{ "node made unbootable", FAKE_NEVER, "quarantine;", 1 },
	};
	struct cfg_opts o = { .faults = KILL_N2, .runs = 3 };
	struct config *cfg = load(&o);

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct rung_case *rc = &cases[i];
		struct engine_summary sum;
		struct fake f;
		char *dir = tmp_dir();
		struct seen s;

		fake_init(&f, cfg);
		/* n2 breaks during run 2, before its fault is applied */
		ok(campaign(cfg, &f, dir, 1, NULL, &sum) == 0, "%s: run 1", rc->name);
		/* break n2 at run 2's fault's apply */
		f.break_at_call = next_run_call(&f, "apply");
		f.break_node = 1;
		f.break_how = rc->how;
		ok(campaign(cfg, &f, dir, 3, NULL, &sum) == 0, "%s: campaign returns",
		   rc->name);
		seen_read(dir, &s);
		ok(strstr(s.actions, rc->expect_action) != NULL, "%s: %s (%s)", rc->name,
		   rc->expect_action, s.actions);
		ok(sum.infra_stop == rc->quarantined, "%s: %s", rc->name,
		   rc->quarantined ? "quarantined: exit 3" : "the campaign goes on");
		if (rc->quarantined) {
			ok(strstr(sum.infra_reason, "n2") != NULL, "the reason names the node: %s",
			   sum.infra_reason);
			is_int(s.runs[3], 0, "no run after the quarantine");
		} else {
			ok(s.runs[1] + s.runs[2] + s.runs[3] == 3, "%s: every run once",
			   rc->name);
			ok(strcmp(s.outcome[2], "set-aside"), "%s: run 2 is not set aside (%s)",
			   rc->name, s.outcome[2]);
		}
		ok(sum.flaws_total == 0, "%s: no flaw", rc->name);
		seen_release(&s);
		fake_release(&f);
		cleanup(dir);
	}
	config_free(cfg);
}

/* A node's QEMU killed from outside while the run observes: the judge
 * sees a domain that no fault of the run powered off: infra, not a flaw. */
static void test_vanished_node(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 2 };
	struct fx x;

	fx_open(&x, &o);
	fx_run(&x, 1);
	x.f.break_at_call = next_run_call(&x.f, "workload-stop");
	x.f.break_node = 2;
	x.f.break_how = FAKE_FIXED_BY_RESET;
	is_int(fx_run(&x, 2), 0, "QEMU killed while observing");
	ok(strstr(x.s.actions, "revert node;retry;") != NULL, "revert, then retry: %s",
	   x.s.actions);
	is_str(x.s.outcome[2], "no-effect", "run 2, retried, is judged as usual");
	is_int(x.sum.flaws_total, 0, "a node killed from outside is no flaw");
	fx_close(&x);
}

/* A power cut recovered by a boot: a node that does not come back is the
 * SUT's outcome (judged), a failing on_boot step is the config's (infra). */
static void test_boot_recovery(void)
{
	struct cfg_opts o = { .faults = "{\"type\": \"vm-crash\", \"target\": \"n2\", "
			      "\"recover\": \"boot\"}", .runs = 2 };
	struct fx x;

	fx_open(&x, &o);
	x.f.on_boot_fails = 1;
	is_int(fx_run(&x, 2), 0, "on_boot fails once");
	ok(strstr(x.s.actions, "retry;") != NULL, "a failing on_boot step is an infra "
	   "event, retried: %s", x.s.actions);
	is_int(x.s.runs[1], 1, "then run 1 is judged");
	ok(strcmp(x.s.outcome[1], "flaw"), "and is no flaw (%s)", x.s.outcome[1]);
	is_int(x.f.boots, 3, "three boots: the failed one, the retry, run 2");
	fx_close(&x);
}

static void test_reset_fails_twice(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 2 };
	struct fx x;

	fx_open(&x, &o);
	x.f.reset_fails[1] = 2;
	is_int(fx_run(&x, 2), 0, "n2's reset fails twice");
	is_str(x.s.outcome[1], "no-effect", "then run 1 goes through, not set aside");
	ok(x.s.infra == 2, "two infra events, both retries: %s", x.s.actions);
	is_int(x.f.rebuilds, 0, "no rebuild");

	fx_again(&x);	/* a reset that never works: rebuild, then stop */
	x.f.reset_fails[1] = 1000;
	is_int(fx_run(&x, 2), 0, "n2's reset always fails");
	is_int(x.sum.infra_stop, 1, "quarantined in the end");
	is_int(x.f.rebuilds, 1, "after one testbed rebuild");
	is_int(x.s.runs[1], 0, "and no run recorded as done");
	fx_close(&x);
}

/* READY trusts a restore once a first check passed at once; a trusted
 * node not ready after all is an infra event, never a flaw, and the trust
 * is gone; a first check that had to wait teaches nothing. */
static void test_ready_trust(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 4 };
	const char *err = NULL;
	struct fx x;

	fx_open(&x, &o);
	is_int(fx_run(&x, 4), 0, "trust: four runs");
	is_int(x.f.probe_checks, 1, "only the first run checks the probes");
	is_int(x.f.resets, 4, "every run restores the nodes");
	is_int(x.s.infra, 0, "no infra event");

	fx_again(&x);	/* n1 not ready after run 2's restore */
	x.f.early_fail_after_reset = 2;
	x.f.early_fail_node = 0;
	is_int(fx_run(&x, 4), 0, "a trusted node not ready");
	ok(x.s.infra == 1, "one infra event: %s", x.s.actions);
	ok(strstr(x.s.actions, "retry;") != NULL, "the run is tried again");
	ok(x.s.runs[1] == 1 && x.s.runs[2] == 1 && x.s.runs[3] == 1 &&
	   x.s.runs[4] == 1, "every run recorded once");
	is_int(x.sum.flaws_total, 0, "never a flaw");
	is_int(x.f.probe_checks, 4, "checked again from then on (run 1, the retry, 3, 4)");
	{
		char *cmd = xasprintf("grep -o 'trusted to be ready[^\"]*' %s/journal.jsonl", x.dir);
		FILE *p = popen(cmd, "r");
		char line[512] = "";

		if (p && fgets(line, sizeof(line), p))
			err = strstr(line, "checked before each run") ? "ok" : line;
		if (p)
			pclose(p);
		free(cmd);
	}
	is_str(err, "ok", "the infra record says why");

	fx_again(&x);	/* run 1's first check fails: no trust yet */
	x.f.probes_check_fails = 1;
	is_int(fx_run(&x, 4), 0, "a first check that waited");
	is_int(x.f.probe_checks, 3, "run 1 checks twice, run 2 once, then trusted");
	fx_close(&x);
}

/* ---- signals and kills ---- */

static void test_sigint(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 5 };
	struct config *cfg = load(&o);
	volatile sig_atomic_t stop = 0;
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	struct seen s;
	long per_run;

	fake_init(&f, cfg);
	campaign(cfg, &f, dir, 1, NULL, &sum);
	per_run = f.calls;
	fake_release(&f);
	paths_remove_tree(dir, NULL);

	fake_init(&f, cfg);
	f.stop = &stop;
	f.stop_at_call = per_run + per_run / 2;	/* a signal in run 2's middle */
	is_int(campaign(cfg, &f, dir, 5, &stop, &sum), 0, "SIGINT: the engine returns");
	seen_read(dir, &s);
	is_int(s.runs[2], 1, "the run under way is finished and recorded");
	is_int(s.runs[3], 0, "no run starts after the signal");
	is_int(sum.runs_done, 2, "two runs done");
	is_int(s.stops, 1, "a stop event closes the journal");
	seen_release(&s);
	fake_release(&f);
	config_free(cfg);
	cleanup(dir);

	/* the second signal stops at once (the journal is consistent anyway) */
	fflush(stdout);
	pid_t pid = fork();

	if (pid == 0) {
		volatile sig_atomic_t *flag = stopsig_install();

		raise(SIGINT);
		if (!*flag)
			_exit(1);
		raise(SIGINT);
		_exit(0);	/* not reached */
	}
	int status = 0;

	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGINT,
	   "first signal sets the flag, the second exits 130 (status %d)", status);
}

static void test_resume_after_kill(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 3 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	long total;
	int bad = 0, points = 0;

	fake_init(&f, cfg);
	campaign(cfg, &f, dir, 3, NULL, &sum);
	total = f.calls;
	fake_release(&f);
	for (long k = 1; k <= total + 1; k++) {
		struct seen s;
		pid_t pid;
		int status;

		paths_remove_tree(dir, NULL);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			fake_init(&f, cfg);
			f.exit_at_call = k;
			campaign(cfg, &f, dir, 3, NULL, &sum);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		fake_init(&f, cfg);	/* resume in a new "process" */
		campaign(cfg, &f, dir, 3, NULL, &sum);
		fake_release(&f);
		seen_read(dir, &s);
		for (int r = 1; r <= 3; r++)
			if (s.runs[r] != 1) {
				if (!bad++)
					diag("killed at call %ld: run %d recorded %d times", k,
					     r, s.runs[r]);
			}
		points++;
		seen_release(&s);
	}
	ok(points > 20, "killed at %d points of a 3-run campaign", points);
	is_int(bad, 0, "after every kill and a resume, each run is recorded exactly once");
	config_free(cfg);
	cleanup(dir);
}

/* ---- continuous mode, leaders ---- */

static void test_continuous_dirty(void)
{
	struct cfg_opts o = { .mode = "continuous", .faults = KILL_N2, .runs = 3 };
	struct fx x;

	fx_open(&x, &o);
	x.f.alive_fails[2] = 1;	/* n3 does not answer at run 1's end */
	is_int(fx_run(&x, 3), 0, "continuous: 3 runs");
	is_int(fake_count(&x.f, "reset n1,n2,n3"), 1, "all nodes reset once, before run 1");
	ok(find_line(x.f.log.data, "reset n3\n", NULL) != NULL,
	   "n3, dead at run 1's end, alone is restored before run 2");
	is_int(fake_count(&x.f, "reset n2"), 3, "n2 restored after each fault (continuous)");
	fx_close(&x);
}

static void test_leader(void)
{
	struct cfg_opts o = { .faults = "{\"type\": \"process-kill\", \"process\": \"x\", "
		"\"target\": \"leader\"}", .runs = 1,
		.workload_extra = ", \"leader\": \"is-leader {node.name}\"" };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct fake f;
	char *dir = tmp_dir();
	struct seen s;
	json_t *f0;

	fake_init(&f, cfg);
	f.leader = 1;
	campaign(cfg, &f, dir, 1, NULL, &sum);
	seen_read(dir, &s);
	f0 = json_array_get(json_object_get(s.records[1], "faults"), 0);
	is_str(json_string_value(json_object_get(f0, "node")), "n2", "the leader is n2");
	is_str(json_string_value(json_object_get(json_object_get(f0, "target"), "how")),
	       "workload.leader", "found by workload.leader");
	seen_release(&s);
	fake_release(&f);

	fake_init(&f, cfg);
	paths_remove_tree(dir, NULL);
	campaign(cfg, &f, dir, 1, NULL, &sum);
	seen_read(dir, &s);
	f0 = json_array_get(json_object_get(s.records[1], "faults"), 0);
	is_str(json_string_value(json_object_get(json_object_get(f0, "target"), "how")),
	       "no node claimed it: seeded draw", "no leader: the seeded draw stands in");
	ok(json_array_size(json_object_get(json_object_get(f0, "target"), "answers")) == 3,
	   "each node's answer is kept");
	ok(json_string_value(json_object_get(f0, "node")) != NULL, "a node was drawn");
	seen_release(&s);
	fake_release(&f);
	config_free(cfg);
	cleanup(dir);
}

/* A scenario's "@victim" is the node the leader was when step 1 ran,
 * though the leader moved (to n3) right after: the binding is resolved at
 * injection and kept in the record. */
static void test_binding(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 1,
		.workload_extra = ", \"leader\": \"is-leader {node.name}\"",
		.schedule_extra = ", \"random_weight\": 0",
		.extra = ", \"scenarios\": [{\"name\": \"moves\", \"steps\": [\n"
			 "  {\"type\": \"process-kill\", \"process\": \"x\", \"target\": \"leader\",\n"
			 "   \"bind\": \"victim\"},\n  {\"wait\": \"1s\"},\n"
			 "  {\"type\": \"process-kill\", \"process\": \"y\", \"target\": \"@victim\"},\n"
			 "  {\"type\": \"process-kill\", \"process\": \"z\", \"target\": \"leader\"}]}]" };
	struct fx x;
	json_t *fl, *pl;

	fx_open(&x, &o);
	if (!ok(x.cfg != NULL, "binding: config loads"))
		return;
	x.f.leader = 1;
	x.f.leader_moves_at_apply = 1;
	x.f.leader_moves_to = 2;
	is_int(fx_run(&x, 1), 0, "binding: one scenario run");
	is_str(json_string_value(json_object_get(x.s.records[1], "scenario")), "moves",
	       "the record names the scenario");
	fl = json_object_get(x.s.records[1], "faults");
	pl = json_object_get(json_object_get(x.s.records[1], "plan"), "faults");
	is_int((long long)json_array_size(fl), 3, "three faults");
	is_str(json_string_value(json_object_get(json_array_get(fl, 0), "node")), "n2",
	       "step 1 hit the leader, n2");
	is_str(json_string_value(json_object_get(json_array_get(fl, 1), "node")), "n2",
	       "step 3 (@victim) hit n2 too, though the leader had moved");
	is_str(json_string_value(json_object_get(json_object_get(json_array_get(fl, 1),
	       "target"), "how")), "bound by step 1 (leader)", "and says how");
	is_str(json_string_value(json_object_get(json_array_get(fl, 1), "target_role")),
	       "leader", "with the role its node had when bound");
	is_str(json_string_value(json_object_get(json_array_get(fl, 2), "node")), "n3",
	       "step 4 (leader) hit the new leader, n3");
	is_str(json_string_value(json_object_get(json_array_get(pl, 1), "node")), "n2",
	       "the record's plan keeps the bound node");
	is_str(json_string_value(json_object_get(json_array_get(pl, 1), "role")), "leader",
	       "and its role");
	ok(find_line(x.f.log.data, "apply process-kill n2", NULL) &&
	   fake_count(&x.f, "apply process-kill n2") == 2 &&
	   fake_count(&x.f, "apply process-kill n3") == 1, "the harness saw n2, n2, n3");
	fx_close(&x);
}

/* ---- shrinking ---- */

/* Four faults on three nodes, one scenario: every run injects them all.
 * The fake fails the run (the command oracle) iff link-down and
 * process-kill were both applied. */
#define FOUR_STEPS \
	"  {\"type\": \"process-kill\", \"process\": \"x\", \"target\": \"n1\"},\n" \
	"  {\"type\": \"vm-pause\", \"target\": \"n2\", \"duration_s\": 1},\n" \
	"  {\"type\": \"link-down\", \"target\": \"n3\", \"duration_s\": 1},\n" \
	"  {\"type\": \"process-hang\", \"process\": \"x\", \"target\": \"n1\", \"duration_s\": 1}"

static struct cfg_opts shrink_opts(const char *shrink, const char *scenarios, int runs)
{
	static char extra[2048];

	snprintf(extra, sizeof(extra), ", \"scenarios\": [%s], \"shrink\": {%s}", scenarios,
		 shrink);
	return (struct cfg_opts){ .faults = KILL_N2, .runs = runs, .extra = extra,
				  .schedule_extra = ", \"random_weight\": 0" };
}

static void script_flaw(struct fake *f, int every)
{
	f->flaw_needs[0] = "link-down";
	f->flaw_needs[1] = "process-kill";
	f->verdict_path = verdict_file;
	f->flaw_every = every;
}

/* The four-step scenario with the scripted flaw (flaky: every Nth). */
static void fx_four(struct fx *x, const char *shrink, int runs, int every)
{
	struct cfg_opts o = shrink_opts(shrink, "{\"name\": \"four\", \"steps\": [\n"
					FOUR_STEPS "]}", runs);

	fx_open(x, &o);
	script_flaw(&x->f, every);
}

/* The run was recorded with the signature of all four faults. */
static int whole_set(json_t *rec)
{
	const char *sig = json_string_value(json_object_get(rec, "signature"));

	if (sig && strstr(sig, "|link-down+process-hang+process-kill+vm-pause|"))
		return 1;
	diag("signature: %s", sig ? sig : "none");
	return 0;
}

static void fx_close_flaw(struct fx *x)
{
	fx_close(x);
	unlink(verdict_file);
}

/* The journal's shrink records of one run. */
struct shrinks {
	long long run;
	json_t *tries;		/* "try" records, in order (new array) */
	int starts;
	long long runs;		/* "run" records of any run */
};

static int collect_shrinks(json_t *rec, long long line, void *ctx, struct err *e)
{
	struct shrinks *sh = ctx;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *event = json_string_value(json_object_get(rec, "event"));

	(void)line;
	(void)e;
	if (!strcmp(type, "run"))
		sh->runs++;
	if (strcmp(type, "shrink") || json_integer_value(json_object_get(rec, "run")) != sh->run)
		return 0;
	if (!strcmp(event, "start"))
		sh->starts++;
	else
		json_array_append(sh->tries, rec);
	return 0;
}

static void shrinks_read(const char *dir, long long run, struct shrinks *sh)
{
	struct err e;

	sh->run = run;
	sh->tries = json_array();
	sh->starts = 0;
	sh->runs = 0;
	journal_foreach(dir, collect_shrinks, sh, &e);
}

/* Sorted "type" of the minimal set in a run record's shrink. */
static char *minimal_types(json_t *rec)
{
	json_t *f, *m = json_object_get(json_object_get(rec, "shrink"), "faults");
	struct buf b = BUF_INIT;
	char *types[8];
	size_t i, n = 0;

	json_array_foreach(m, i, f)
		if (n < 8)
			types[n++] = (char *)json_string_value(json_object_get(f, "type"));
	for (i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(types[k - 1], types[k]) > 0; k--) {
			char *t = types[k];

			types[k] = types[k - 1];
			types[k - 1] = t;
		}
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? "+" : "", types[i]);
	return buf_detach(&b);
}

/* Every try replays the run's faults exactly, minus the removed ones:
 * each fault of a try's plan is the run's plan fault at that index, and
 * the harness applied exactly those (type and node), after a reset of
 * every node. */
static int tries_replay_exactly(const struct fake *f, json_t *record, json_t *tries)
{
	json_t *full = json_object_get(json_object_get(record, "plan"), "faults"), *t;
	const char *seg = strstr(f->log.data, "reset n1,n2,n3\n");
	size_t i;
	int good = 1;

	seg = seg ? strstr(seg + 1, "reset n1,n2,n3\n") : NULL;	/* after the run */
	json_array_foreach(tries, i, t) {
		json_t *set = json_object_get(t, "set"), *pf = json_object_get(json_object_get(t,
			"plan"), "faults"), *x;
		const char *next = seg ? strstr(seg + 1, "reset n1,n2,n3\n") : NULL;
		struct buf want = BUF_INIT, got = BUF_INIT;
		size_t k;

		good &= json_array_size(set) == json_array_size(pf);
		json_array_foreach(set, k, x) {
			json_t *orig = json_array_get(full, (size_t)json_integer_value(x));
			json_t *mine = json_array_get(pf, k);

			good &= json_equal(orig, mine);
			buf_addf(&want, "apply %s %s\n",
				 json_string_value(json_object_get(orig, "type")),
				 json_string_value(json_object_get(orig, "node")));
		}
		for (const char *p = seg; p && (!next || p < next); p = strchr(p, '\n') + 1) {
			if (!strncmp(p, "apply ", 6))
				buf_add(&got, p, (size_t)(strchr(p, '\n') - p + 1));
			if (!strchr(p, '\n'))
				break;
		}
		if (!good || strcmp(want.data ? want.data : "", got.data ? got.data : "")) {
			diag("try %zu: want\n%sgot\n%s", i, want.data ? want.data : "",
			     got.data ? got.data : "");
			good = 0;
		}
		buf_release(&want);
		buf_release(&got);
		seg = next;
	}
	return good;
}

static void test_shrink_flaw(void)
{
	struct shrinks sh;
	json_t *rec, *shr, *doc;
	char *types, *path;
	struct fx x;

	fx_four(&x, "\"tries\": 3", 1, 0);
	if (!ok(x.cfg != NULL, "shrink: config loads"))
		return;
	is_int(fx_run(&x, 1), 0, "a flaw of four faults");
	rec = x.s.records[1];
	is_str(x.s.outcome[1], "flaw", "run 1 is a flaw");
	shr = json_object_get(rec, "shrink");
	types = minimal_types(rec);
	is_str(types, "link-down+process-kill", "shrunk to the two faults that cause it");
	free(types);
	ok(json_integer_value(json_object_get(shr, "reproduced")) == 3 &&
	   json_integer_value(json_object_get(shr, "tries")) == 3,
	   "reproduced 3 of 3 (%lld of %lld)",
	   (long long)json_integer_value(json_object_get(shr, "reproduced")),
	   (long long)json_integer_value(json_object_get(shr, "tries")));
	ok(!json_is_true(json_object_get(shr, "exhausted")) &&
	   json_integer_value(json_object_get(shr, "of")) == 4, "of 4 faults, within the budget");
	ok(strstr(json_string_value(json_object_get(rec, "signature")),
		  "command|link-down+process-kill|member+member|") != NULL,
	   "the signature is the minimal set's: %s",
	   json_string_value(json_object_get(rec, "signature")));
	shrinks_read(x.dir, 1, &sh);
	is_int(sh.starts, 1, "one shrink started");
	is_int((long long)json_array_size(sh.tries),
	       json_integer_value(json_object_get(shr, "runs")), "each try journaled once");
	ok(json_array_size(sh.tries) >= 5, "several tries (%zu)", json_array_size(sh.tries));
	is_int(sh.runs, 1, "one run record: shrink tries are no runs");
	is_int(x.sum.runs_done, 1, "the summary counts one run");
	ok(tries_replay_exactly(&x.f, rec, sh.tries),
	   "every try replays its faults exactly: same indices, times, nodes, parameters");
	json_decref(sh.tries);
	path = xasprintf("%s/flaws/%s.json", x.dir,
			 json_string_value(json_object_get(rec, "flaw")));
	doc = json_load_file(path, 0, NULL);
	ok(json_integer_value(json_object_get(json_object_get(doc, "minimal"), "reproduced")) == 3,
	   "the flaw file keeps the minimal set and its rate");
	ok(json_array_size(json_array_get(json_object_get(json_array_get(json_object_get(doc,
	   "fault_sets"), 0), "faults"), 0)) == 0 &&
	   json_array_size(json_object_get(json_array_get(json_object_get(doc, "fault_sets"), 0),
					   "faults")) == 4, "and the whole set that led to it");
	ok(json_object_get(json_object_get(json_array_get(json_object_get(doc, "examples"), 0),
					   "record"), "shrink") != NULL,
	   "the trace's record has the shrink");
	json_decref(doc);
	free(path);
	{
		struct report_options ro = { 0 };
		struct report_result res = { 0 };
		struct err e = { "" };

		char *page = xasprintf("%s/report/flaws/%s.html", x.dir,
				       json_string_value(json_object_get(rec, "flaw")));
		char *index = xasprintf("%s/report/index.html", x.dir);
		struct buf html = BUF_INIT;

		ok(report_write(x.dir, &ro, &res, &e) == 0 && res.runs == 1 && res.flaws == 1,
		   "the report: 1 run, 1 flaw (%s)", e.msg);
		report_result_release(&res);
		ok(paths_read_file(page, NULL, 1 << 24, &html, &e) == 0 &&
		   strstr(html.data, "minimal fault set") &&
		   strstr(html.data, "link-down@member on n3") &&
		   strstr(html.data, "reproduced 3 of 3") && strstr(html.data, "fault sets"),
		   "the flaw page shows the minimal set and its rate");
		buf_reset(&html);
		ok(paths_read_file(index, NULL, 1 << 24, &html, &e) == 0 &&
		   strstr(html.data, "<dt>scenarios</dt><dd>four (weight 1); random runs: weight 0"),
		   "the report lists the scenarios");
		buf_release(&html);
		free(page);
		free(index);
	}
	fx_close_flaw(&x);
}

/* The same cause behind two scenarios with other faults in another
 * order: one flaw, two fault sets. */
static void test_shrink_orders(void)
{
	struct cfg_opts o = shrink_opts("\"tries\": 1", "{\"name\": \"four\", \"steps\": [\n"
		FOUR_STEPS "]},\n"
		"{\"name\": \"other\", \"steps\": [\n"
		"  {\"type\": \"link-down\", \"target\": \"n3\", \"duration_s\": 1},\n"
		"  {\"type\": \"vm-reset\", \"target\": \"n2\"},\n"
		"  {\"type\": \"process-kill\", \"process\": \"y\", \"target\": \"n1\"}]}", 8);
	const char *sig = NULL;
	int same = 1, shrunk = 0, scen[2] = { 0 };
	struct fx x;

	fx_open(&x, &o);
	if (!ok(x.cfg != NULL, "orders: config loads"))
		return;
	script_flaw(&x.f, 0);
	is_int(fx_run(&x, 8), 0, "eight runs of two scenarios");
	for (int r = 1; r <= 8; r++) {
		const char *s = json_string_value(json_object_get(x.s.records[r], "signature"));
		char *types = minimal_types(x.s.records[r]);

		scen[!strcmp(json_string_value(json_object_get(x.s.records[r], "scenario")),
			     "other")]++;
		shrunk += !strcmp(types, "link-down+process-kill");
		free(types);
		if (!s)
			continue;
		same &= !sig || !strcmp(sig, s);
		sig = sig ? sig : s;
	}
	ok(scen[0] && scen[1], "both scenarios ran (%d, %d)", scen[0], scen[1]);
	is_int(shrunk, 8, "every run shrank to link-down + process-kill");
	ok(same && sig, "one signature for the same minimal set from either order");
	is_int(flaw_files(x.dir), 1, "one flaw");
	{
		json_t *id = json_object_get(x.s.records[1], "flaw");
		char *path = xasprintf("%s/flaws/%s.json", x.dir, json_string_value(id));
		json_t *doc = json_load_file(path, 0, NULL);

		is_int((long long)json_array_size(json_object_get(doc, "fault_sets")), 2,
		       "listing the two fault sets that led to it");
		is_int(json_integer_value(json_object_get(doc, "count")), 8, "count 8");
		json_decref(doc);
		free(path);
	}
	fx_close_flaw(&x);
}

/* Flaky: a run with both faults fails only every other time; a candidate
 * fails when any of its tries does. The budget: the best found so far. */
static void test_shrink_flaky_and_budget(void)
{
	struct fx x;
	json_t *shr;
	char *types;

	fx_four(&x, "\"tries\": 3", 1, 2);
	is_int(fx_run(&x, 1), 0, "a flaky flaw");
	shr = json_object_get(x.s.records[1], "shrink");
	types = minimal_types(x.s.records[1]);
	is_str(types, "link-down+process-kill", "still shrunk to its cause");
	free(types);
	ok(json_integer_value(json_object_get(shr, "reproduced")) >= 1 &&
	   json_integer_value(json_object_get(shr, "reproduced")) <
	   json_integer_value(json_object_get(shr, "tries")),
	   "reproduced some of its tries: %lld of %lld",
	   (long long)json_integer_value(json_object_get(shr, "reproduced")),
	   (long long)json_integer_value(json_object_get(shr, "tries")));
	fx_close_flaw(&x);

	/* dropping process-kill passes twice, dropping vm-pause fails: spent */
	fx_four(&x, "\"tries\": 2, \"max_runs\": 3", 1, 0);
	is_int(fx_run(&x, 1), 0, "a budget of 3 runs");
	shr = json_object_get(x.s.records[1], "shrink");
	ok(json_is_true(json_object_get(shr, "exhausted")) &&
	   json_integer_value(json_object_get(shr, "runs")) == 3, "exhausted after 3 runs");
	types = minimal_types(x.s.records[1]);
	ok(strstr(types, "link-down") && strstr(types, "process-kill") &&
	   json_array_size(json_object_get(shr, "faults")) < 4,
	   "the best so far: a smaller failing set (%s)", types);
	free(types);
	fx_close_flaw(&x);

	fx_four(&x, "\"enabled\": false", 1, 0);
	is_int(fx_run(&x, 1), 0, "shrinking off");
	ok(!json_object_get(x.s.records[1], "shrink") && whole_set(x.s.records[1]),
	   "no shrink: the signature of the whole set");
	fx_close_flaw(&x);
}

/* Killed in the middle of a shrink, resumed: the shrink picks up from its
 * journaled tries; the run is recorded once with the same answer as an
 * uninterrupted campaign. And a stop signal during a shrink records the
 * run with its whole set. */
static void test_shrink_resume(void)
{
	struct fx x;
	long first_try, run2;
	json_t *want;
	int points = 0, bad = 0;

	fx_four(&x, "\"tries\": 2", 2, 0);
	fx_run(&x, 2);
	want = json_deep_copy(json_object_get(x.s.records[1], "shrink"));
	/* every run and try starts with a reset of all nodes */
	first_try = call_of(&x.f, "reset n1,n2,n3", 2);
	run2 = call_of(&x.f, "reset n1,n2,n3", fake_count(&x.f, "reset n1,n2,n3"));
	ok(want && json_integer_value(json_object_get(want, "runs")) > 3 && first_try > 0 &&
	   run2 > first_try, "uninterrupted: shrunk in %lld runs (calls %ld to %ld)",
	   (long long)json_integer_value(json_object_get(want, "runs")), first_try, run2);
	for (long k = first_try - 3; k < run2 + 5; k += (run2 - first_try) / 12 + 1) {
		struct shrinks sh;
		pid_t pid;
		int status, twice = 0;

		fx_again(&x);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			script_flaw(&x.f, 0);
			x.f.exit_at_call = k;
			campaign(x.cfg, &x.f, x.dir, 2, NULL, &x.sum);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		fake_release(&x.f);
		fake_init(&x.f, x.cfg);
		script_flaw(&x.f, 0);
		fx_run(&x, 2);
		shrinks_read(x.dir, 1, &sh);
		for (size_t i = 0; i < json_array_size(sh.tries); i++)
			for (size_t j = 0; j < i; j++) {
				json_t *a = json_array_get(sh.tries, i), *b = json_array_get(sh.tries, j);

				twice |= json_equal(json_object_get(a, "set"), json_object_get(b, "set")) &&
					 json_equal(json_object_get(a, "try"), json_object_get(b, "try"));
			}
		if (x.s.runs[1] != 1 || x.s.runs[2] != 1 || twice || sh.starts > 1 ||
		    !json_equal(json_object_get(x.s.records[1], "shrink"), want)) {
			if (!bad++)
				diag("killed at call %ld: runs %d %d, tries twice %d, starts %d", k,
				     x.s.runs[1], x.s.runs[2], twice, sh.starts);
		}
		points++;
		json_decref(sh.tries);
	}
	ok(points >= 8, "killed at %d points of the campaign, most in the shrink", points);
	is_int(bad, 0, "each resume: every run recorded once, no try run twice, the same shrink");
	json_decref(want);

	{	/* a first SIGINT during the shrink */
		volatile sig_atomic_t stop = 0;

		fx_again(&x);
		script_flaw(&x.f, 0);
		x.f.stop = &stop;
		x.f.stop_at_call = first_try + 5;	/* the same calls as before */
		is_int(campaign(x.cfg, &x.f, x.dir, 2, &stop, &x.sum), 0, "a stop during a shrink");
		seen_release(&x.s);
		seen_read(x.dir, &x.s);
		is_int(x.s.runs[1], 1, "the run is recorded");
		is_int(x.s.runs[2], 0, "and no other");
		ok(json_object_get(json_object_get(x.s.records[1], "shrink"), "interrupted") &&
		   whole_set(x.s.records[1]), "with its whole set: the shrink did not end");
	}
	fx_close_flaw(&x);
}

/* `campaign replay --times N`: the recorded plan N times, k reproduced. */
static void test_replay_times(void)
{
	struct plan_node nodes[3] = { { "n1", "member" }, { "n2", "member" },
				      { "n3", "member" } };
	struct err e = { "" };
	struct plan plan;
	struct fx x;
	char *dir;
	int k = -1;

	fx_four(&x, "\"enabled\": false", 1, 2);
	fx_run(&x, 1);
	is_str(x.s.outcome[1], "flaw", "a flaky flaw recorded");
	fake_release(&x.f);
	fake_init(&x.f, x.cfg);
	script_flaw(&x.f, 2);	/* fails the 1st and 3rd time */
	dir = tmp_dir();
	ok(plan_from_json(json_object_get(x.s.records[1], "plan"), nodes, 3, &plan, &e) == 0 &&
	   engine_replay_times(x.cfg, &x.f.h, &plan, dir, x.s.records[1], 4, NULL, NULL, &k,
			       &e) == 0, "replayed 4 times: %s", e.msg);
	is_int(k, 2, "reproduced 2 of 4");
	plan_release(&plan);
	cleanup(dir);
	{
		json_t *a = json_pack("{s:s, s:s, s:s}", "outcome", "flaw", "failed_oracle", "command",
				      "reason", "lost 3 writes at 0x7f00");
		json_t *b = json_pack("{s:s, s:s, s:s}", "outcome", "flaw", "failed_oracle", "command",
				      "reason", "lost 5 writes at 0x7f10");
		json_t *c = json_pack("{s:s, s:s, s:s}", "outcome", "flaw", "failed_oracle", "always",
				      "reason", "lost 5 writes at 0x7f10");
		json_t *d = json_pack("{s:s}", "outcome", "no-effect");

		ok(engine_reproduced(a, b), "the same flaw, other numbers: reproduced");
		ok(!engine_reproduced(a, c), "another oracle: not reproduced");
		ok(!engine_reproduced(a, d), "another outcome: not reproduced");
		ok(engine_reproduced(d, d), "no-effect again: reproduced");
		json_decref(a);
		json_decref(b);
		json_decref(c);
		json_decref(d);
	}
	fx_close_flaw(&x);
}

/* A results directory of an older version (no shrink records, no
 * target_role or plan_index in its runs, no fault_sets in its flaws)
 * resumes and reports: its multi-fault flaw is not shrunk afterwards. */
static int strip_new(json_t *rec, long long line, void *ctx, struct err *e)
{
	FILE *out = ctx;
	json_t *f;
	size_t i;
	char *text;

	(void)line;
	(void)e;
	if (!strcmp(json_string_value(json_object_get(rec, "type")), "shrink"))
		return 0;
	json_object_del(rec, "shrink");
	json_array_foreach(json_object_get(rec, "faults"), i, f) {
		json_object_del(f, "target_role");
		json_object_del(f, "plan_index");
	}
	text = json_dumps(rec, JSON_COMPACT);
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}

static void test_older_results(void)
{
	struct shrinks sh;
	struct fx x;
	char *path, *tmp, *cmd;
	FILE *out;
	struct err e = { "" };

	fx_four(&x, "\"tries\": 1", 2, 0);
	fx_run(&x, 1);
	path = xasprintf("%s/journal.jsonl", x.dir);
	tmp = xasprintf("%s/journal.old", x.dir);
	out = fopen(tmp, "w");
	journal_foreach(x.dir, strip_new, out, &e);
	fclose(out);
	rename(tmp, path);
	cmd = xasprintf("sed -i -e '/\"fault_sets\"/,/^  \\],/d' -e '/\"minimal\"/,/^  },/d' "
			"%s/flaws/*.json", x.dir);
	ok(system(cmd) == 0, "flaw files without fault_sets and minimal");
	free(cmd);
	cmd = xasprintf("! grep -q 'fault_sets\\|minimal' %s/flaws/*.json && "
			"python3 -m json.tool %s/flaws/*.json >/dev/null", x.dir, x.dir);
	ok(system(cmd) == 0, "(checked: gone, and the files are JSON)");
	fake_release(&x.f);
	fake_init(&x.f, x.cfg);
	script_flaw(&x.f, 0);
	is_int(fx_run(&x, 2), 0, "an older results directory resumes");
	is_int(x.s.runs[1] + x.s.runs[2], 2, "each run recorded once");
	ok(!json_object_get(x.s.records[1], "shrink"), "the older flaw run is left as it was");
	shrinks_read(x.dir, 1, &sh);
	ok(sh.starts == 0 && json_array_size(sh.tries) == 0, "and not shrunk afterwards");
	json_decref(sh.tries);
	ok(json_object_get(x.s.records[2], "shrink") != NULL, "the new flaw run is shrunk");
	{
		struct report_options ro = { 0 };
		struct report_result res = { 0 };

		ok(report_write(x.dir, &ro, &res, &e) == 0 && res.runs == 2,
		   "and the report reads it (%s)", e.msg);
		report_result_release(&res);
	}
	free(cmd);
	free(tmp);
	free(path);
	fx_close_flaw(&x);
}

/* ---- unjudged ---- */

static void test_unjudged(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 2 };
	FILE *v = fopen(verdict_file, "w");
	struct fx x;

	fputs("2\n", v);	/* the checker: "unknown" */
	fclose(v);
	fx_open(&x, &o);
	is_int(fx_run(&x, 2), 0, "unknown verdicts: campaign ends");
	is_str(x.s.outcome[1], "unjudged", "an unknown verdict makes the run unjudged");
	is_str(json_string_value(json_object_get(x.s.records[1], "unjudged_oracle")), "command",
	       "the oracle that could not say is named");
	ok(json_string_length(json_object_get(x.s.records[1], "reason")) > 0,
	   "with a reason: %s", json_string_value(json_object_get(x.s.records[1], "reason")));
	is_int(x.sum.unjudged, 2, "the summary counts unjudged runs");
	is_int(x.sum.flaws_total, 0, "unjudged is not a flaw");
	unlink(verdict_file);
	fx_close(&x);
}

/* ---- fault interactions ---- */

static const char *const HV[] = { "vm-pause", "vm-crash", "vm-reset", "link-down" };
static const char *const GUEST[] = { "process-kill", "process-hang" };

static json_t *replay_pair(struct config *cfg, const char *first, int first_idx,
			   int64_t first_ms, int64_t first_dur, const char *second,
			   int second_idx, int64_t second_ms, int64_t second_dur,
			   struct fake *f, int *ret)
{
	char *dir = tmp_dir();
	char *text = xasprintf("{\"run\": 1, \"seed\": \"1\", \"faults\": ["
		"{\"index\": %d, \"type\": \"%s\", \"target\": \"n2\", \"node\": \"n2\", "
		"\"inject_at_ms\": %lld, \"duration_ms\": %lld, \"params\": %s, \"seed\": \"1\"},"
		"{\"index\": %d, \"type\": \"%s\", \"target\": \"n2\", \"node\": \"n2\", "
		"\"inject_at_ms\": %lld, \"duration_ms\": %lld, \"params\": %s, \"seed\": \"2\"}]}",
		first_idx, first, (long long)first_ms, (long long)first_dur,
		strstr(first, "process") ? "{\"process\": \"x\"}" : "{}",
		second_idx, second, (long long)second_ms, (long long)second_dur,
		strstr(second, "process") ? "{\"process\": \"x\"}" : "{}");
	json_t *pj = json_loads(text, 0, NULL), *rec = NULL;
	struct plan_node nodes[3] = { { "n1", "member" }, { "n2", "member" }, { "n3", "member" } };
	struct plan plan;
	struct err e = { "" };

	*ret = plan_from_json(pj, nodes, 3, &plan, &e);
	if (*ret == 0) {
		*ret = engine_replay(cfg, &f->h, &plan, dir, &rec, &e);
		plan_release(&plan);
	}
	if (*ret < 0)
		diag("%s then %s: %s", first, second, e.msg);
	json_decref(pj);
	free(text);
	cleanup(dir);
	return rec;
}

static const char *fate_of(json_t *rec, const char *type)
{
	json_t *fl = json_object_get(rec, "faults"), *x;
	size_t i;

	json_array_foreach(fl, i, x)
		if (!strcmp(json_string_value(json_object_get(x, "type")), type))
			return json_string_value(json_object_get(x, "fate"));
	return "missing";
}

static void test_fault_pairs(void)
{
	struct cfg_opts o = { .faults =
		"{\"type\": \"vm-pause\", \"duration_s\": 3}, {\"type\": \"vm-crash\"},"
		"{\"type\": \"vm-reset\"}, {\"type\": \"link-down\", \"duration_s\": 3},"
		"{\"type\": \"process-kill\", \"process\": \"x\"},"
		"{\"type\": \"process-hang\", \"process\": \"x\", \"duration_s\": 3}", .runs = 1 };
	struct config *cfg = load(&o);
	int cases = 0, clean = 0;

	for (int hi = 0; hi < 4; hi++)
		for (int gi = 0; gi < 2; gi++)
			for (int order = 0; order < 3; order++) {
				/* 0: hv first, guest inside it; 1: guest first, hv
				 * inside it; 2: hv first and outlasting the guest's undo */
				struct fake f;
				int ret, ok_fates;
				json_t *rec;
				int64_t hdur = !strcmp(HV[hi], "vm-pause") || !strcmp(HV[hi], "link-down")
					? (order == 2 ? 6000 : 3000) : 0;
				int64_t gdur = gi == 1 ? 3000 : 0;

				fake_init(&f, cfg);
				if (order == 1)
					rec = replay_pair(cfg, GUEST[gi], 4 + gi, 0, gdur, HV[hi], hi,
							  1000, hdur, &f, &ret);
				else
					rec = replay_pair(cfg, HV[hi], hi, 0, hdur, GUEST[gi], 4 + gi,
							  order == 2 ? 200 : 500, gdur, &f, &ret);
				cases++;
				ok_fates = rec && (!strcmp(fate_of(rec, HV[hi]), "applied")) &&
					   (!strcmp(fate_of(rec, GUEST[gi]), "applied") ||
					    !strcmp(fate_of(rec, GUEST[gi]), "not-applied"));
				if (ret == 0 && ok_fates && f.dom[1] == FAKE_RUNNING)
					clean++;
				else
					diag("%s + %s (order %d): ret %d, fates %s/%s, n2 %d", HV[hi],
					     GUEST[gi], order, ret, rec ? fate_of(rec, HV[hi]) : "-",
					     rec ? fate_of(rec, GUEST[gi]) : "-", f.dom[1]);
				if (order == 0 && rec && hi == 0) {
					json_t *g = json_array_get(json_object_get(rec, "faults"), 1);

					ok(json_integer_value(json_object_get(g, "deferred_ms")) >= 2000,
					   "%s inside a pause waits for the resume (%lld ms)", GUEST[gi],
					   (long long)json_integer_value(json_object_get(g, "deferred_ms")));
					ok(strstr(json_string_value(json_object_get(g, "why")),
						  "paused by fault 1 (vm-pause)") != NULL,
					   "and says why: %s", json_string_value(json_object_get(g, "why")));
				}
				json_decref(rec);
				fake_release(&f);
			}
	ok(clean == cases, "every (hypervisor, guest) pair, both orders and overlapping: "
	   "judged, no infra error, the node running at the end (%d of %d)", clean, cases);
	config_free(cfg);
}

/* ---- several testbeds, shards ---- */

static int campaign_n(struct config *cfg, struct fake *f, int n, const char *dir, int runs,
		      int shard_i, int shard_n, struct engine_summary *sum, struct err *e)
{
	struct harness *hs[4];
	struct engine_options opt = { .out_dir = dir, .runs = runs, .max_examples = 2,
				      .shard_index = shard_i, .shard_count = shard_n };

	for (int k = 0; k < n; k++)
		hs[k] = &f[k].h;
	return engine_campaign(cfg, hs, n, &opt, sum, e);
}

/* The plans of the journal's run records, by run number, as text. */
static char *plans_of(const char *dir, int runs)
{
	struct seen s;
	struct buf b = BUF_INIT;

	seen_read(dir, &s);
	for (int r = 1; r <= runs; r++) {
		char *t = s.records[r] ? json_dumps(json_object_get(s.records[r], "plan"),
						    JSON_SORT_KEYS | JSON_COMPACT) : NULL;

		buf_addf(&b, "%d:%s\n", r, t ? t : "-");
		free(t);
	}
	seen_release(&s);
	return buf_detach(&b);
}

static void test_testbeds(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 12, .per_run = 2 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct err e = { "" };
	struct fake f[3];
	char *one = tmp_dir(), *three = tmp_dir(), *p1, *p3;
	struct seen s;
	int once = 1, by_bed[4] = { 0 };

	fake_init(&f[0], cfg);
	is_int(campaign_n(cfg, f, 1, one, 12, 0, 0, &sum, &e), 0, "1 testbed: 12 runs");
	fake_release(&f[0]);
	for (int k = 0; k < 3; k++)
		fake_init(&f[k], cfg);
	is_int(campaign_n(cfg, f, 3, three, 12, 0, 0, &sum, &e), 0, "3 testbeds: 12 runs");
	seen_read(three, &s);
	for (int r = 1; r <= 12; r++) {
		once &= s.runs[r] == 1;
		if (s.records[r])
			by_bed[json_integer_value(json_object_get(s.records[r], "testbed"))]++;
	}
	ok(once, "with 3 testbeds each run is recorded exactly once");
	ok(by_bed[1] && by_bed[2] && by_bed[3], "every testbed ran some: %d %d %d",
	   by_bed[1], by_bed[2], by_bed[3]);
	seen_release(&s);
	p1 = plans_of(one, 12);
	p3 = plans_of(three, 12);
	is_str(p3, p1, "the same set of run plans for 1 and 3 testbeds");
	free(p1);
	free(p3);
	for (int k = 0; k < 3; k++)
		fake_release(&f[k]);

	/* one testbed beyond repair: the others finish the work */
	paths_remove_tree(three, NULL);
	for (int k = 0; k < 3; k++)
		fake_init(&f[k], cfg);
	f[1].broken[2] = FAKE_NEVER;
	f[1].dom[2] = FAKE_OFF;
	is_int(campaign_n(cfg, f, 3, three, 12, 0, 0, &sum, &e), 0, "one testbed quarantined");
	is_int(sum.testbeds_quarantined, 1, "it alone is quarantined");
	is_int(sum.infra_stop, 0, "and the campaign does not stop");
	seen_read(three, &s);
	once = 1;
	for (int r = 1; r <= 12; r++)
		once &= s.runs[r] == 1;
	ok(once, "the others record every run once, the quarantined one's included");
	seen_release(&s);
	{	/* the report does not call that a stopped campaign */
		struct report_options ro = { 0 };
		struct report_result res = { 0 };

		ok(report_write(three, &ro, &res, &e) == 0 && !res.infra_stop && res.runs == 12,
		   "the report: 12 runs, not stopped (%s)", e.msg);
		report_result_release(&res);
	}
	for (int k = 0; k < 3; k++)
		fake_release(&f[k]);

	/* all of them: exit 3 */
	paths_remove_tree(three, NULL);
	for (int k = 0; k < 2; k++) {
		fake_init(&f[k], cfg);
		f[k].broken[0] = FAKE_NEVER;
		f[k].dom[0] = FAKE_OFF;
	}
	is_int(campaign_n(cfg, f, 2, three, 12, 0, 0, &sum, &e), 0, "every testbed broken");
	ok(sum.infra_stop && strstr(sum.infra_reason, "every testbed was quarantined"),
	   "no testbed left: the campaign stops: %s", sum.infra_reason);
	{
		struct report_options ro = { 0 };
		struct report_result res = { 0 };

		ok(report_write(three, &ro, &res, &e) == 0 && res.infra_stop,
		   "the report says it stopped: exit 3 (%s)", e.msg);
		report_result_release(&res);
	}
	for (int k = 0; k < 2; k++)
		fake_release(&f[k]);
	config_free(cfg);
	cleanup(one);
	cleanup(three);
}

static void test_shards(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 9, .per_run = 2 };
	struct config *cfg = load(&o);
	struct engine_summary sum;
	struct err e = { "" };
	struct fake f;
	char *all = tmp_dir(), *s1 = tmp_dir(), *s2 = tmp_dir(), *pa, *pb;
	struct seen a, b;
	int union_ok = 1;

	fake_init(&f, cfg);
	campaign_n(cfg, &f, 1, all, 9, 0, 0, &sum, &e);
	fake_release(&f);
	fake_init(&f, cfg);
	is_int(campaign_n(cfg, &f, 1, s1, 9, 1, 2, &sum, &e), 0, "shard 1/2");
	fake_release(&f);
	fake_init(&f, cfg);
	is_int(campaign_n(cfg, &f, 1, s2, 9, 2, 2, &sum, &e), 0, "shard 2/2");
	fake_release(&f);
	seen_read(s1, &a);
	seen_read(s2, &b);
	for (int r = 1; r <= 9; r++)
		union_ok &= a.runs[r] + b.runs[r] == 1 && (r % 2 == 1 ? a.runs[r] : b.runs[r]);
	ok(union_ok, "shard 1/2 ran the odd runs, 2/2 the even ones, each once");
	seen_release(&a);
	seen_release(&b);
	pa = plans_of(all, 9);
	{	/* the shards' plans together are the unsharded campaign's */
		char *x = plans_of(s1, 9), *y = plans_of(s2, 9);
		struct buf m = BUF_INIT;
		char *px = x, *py = y;

		for (int r = 1; r <= 9; r++) {
			char *nx = strchr(px, '\n'), *ny = strchr(py, '\n');

			*nx = *ny = '\0';
			buf_addf(&m, "%s\n", r % 2 ? px : py);
			px = nx + 1;
			py = ny + 1;
		}
		pb = buf_detach(&m);
		free(x);
		free(y);
	}
	is_str(pb, pa, "the shards' plans are the unsharded campaign's");
	free(pa);
	free(pb);
	fake_init(&f, cfg);
	ok(campaign_n(cfg, &f, 1, s1, 9, 2, 2, &sum, &e) < 0 &&
	   strstr(e.msg, "made for shard 1/2, not 2/2"), "a resume with another shard is "
	   "refused: %s", e.msg);
	fake_release(&f);
	config_free(cfg);
	cleanup(all);
	cleanup(s1);
	cleanup(s2);
}

/* ---- the results file system fills up ---- */

static int full_child(struct config *cfg, const char *mnt)
{
	struct engine_options opt = { .out_dir = mnt, .runs = 60, .max_examples = 2 };
	struct engine_summary sum;
	struct err e = { "" };
	struct fake f;
	struct seen s;
	int r, torn = 0, recorded = 0;
	char *cmd;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=40k") < 0)
		return 10;
	struct harness *h = &f.h;

	fake_init(&f, cfg);
	r = engine_campaign(cfg, &h, 1, &opt, &sum, &e);
	printf("# full: r=%d %s\n", r, e.msg);
	fflush(stdout);
	if (r != -1 || !strstr(e.msg, "is full") || !strstr(e.msg, mnt) ||
	    !strstr(e.msg, "bytes free"))
		return 11;
	seen_read(mnt, &s);
	for (int i = 1; i < 64; i++) {
		recorded += s.runs[i] == 1;
		if (s.runs[i] > 1)
			return 12;
	}
	seen_release(&s);
	/* the journal has no torn line: every line is JSON */
	cmd = xasprintf("tail -c 1 %s/journal.jsonl | od -c | grep -q '\\n'", mnt);
	torn = system(cmd) != 0;
	free(cmd);
	if (torn)
		return 13;
	if (recorded < 1 || recorded >= 60)
		return 14;
	/* room again: the same campaign resumes and finishes */
	cmd = xasprintf("mount -o remount,size=4m %s", mnt);
	if (system(cmd) != 0)
		return 15;
	free(cmd);
	fake_release(&f);
	fake_init(&f, cfg);
	if (engine_campaign(cfg, &h, 1, &opt, &sum, &e) < 0)
		return 16;
	seen_read(mnt, &s);
	for (int i = 1; i <= 60; i++)
		if (s.runs[i] != 1)
			return 17;
	seen_release(&s);
	fake_release(&f);
	return 0;
}

static void test_results_full(void)
{
	struct cfg_opts o = { .faults = KILL_N2, .runs = 60 };
	struct config *cfg = load(&o);
	char *mnt = tmp_dir();
	pid_t pid;
	int status = 0;

	if (geteuid() != 0) {
		ok(1, "# SKIP results-full test needs root (a tmpfs in a mount namespace)");
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(full_child(cfg, mnt));
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a full results file system stops the campaign at a record boundary with "
	   "the path and the free space, no torn line, no run lost; with room again "
	   "the same campaign resumes and records each run once (child status %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
out:
	config_free(cfg);
	cleanup(mnt);
}

int main(void)
{
	snprintf(verdict_file, sizeof(verdict_file), "/tmp/test-lifecycle-verdict-%d",
		 (int)getpid());
	test_phase_order();
	test_infra_never_flaw();
	test_doomed_run();
	test_ladder();
	test_vanished_node();
	test_boot_recovery();
	test_reset_fails_twice();
	test_ready_trust();
	test_sigint();
	test_resume_after_kill();
	test_continuous_dirty();
	test_leader();
	test_binding();
	test_shrink_flaw();
	test_shrink_orders();
	test_shrink_flaky_and_budget();
	test_shrink_resume();
	test_replay_times();
	test_older_results();
	test_unjudged();
	test_fault_pairs();
	test_testbeds();
	test_shards();
	test_results_full();
	return tap_done();
}
