/* Pure parts of the engine: plans, outcome classification, templates,
 * and the oracles' judgements on hand-made samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "engine.h"
#include "oracles.h"
#include "plan.h"
#include "tap.h"
#include "template.h"

static const char *CFG =
	"{\"name\": \"t\", \"seed\": 42,\n"
	" \"testbed\": {\"image\": \".\", \"nodes\": [\n"
	"   {\"name\": \"n1\", \"role\": \"primary-ish\"}, {\"name\": \"n2\"}, {\"name\": \"n3\"}]},\n"
	" \"probes\": {\"health\": {\"ssh\": \"true\"}},\n"
	" \"faults\": [\n"
	"   {\"type\": \"process-kill\", \"signal\": [\"TERM\", \"KILL\"], \"weight\": 2},\n"
	"   {\"type\": \"vm-pause\", \"duration_s\": [1, 3], \"target\": \"member\"},\n"
	"   {\"type\": \"netem\", \"loss_pct\": [10, 60], \"target\": \"n1\"}],\n"
	" \"schedule\": {\"runs\": 100, \"faults_per_run\": 2, \"inject_at_s\": [1, 3]}}\n";

static struct config *load(const char *text)
{
	char path[] = "/tmp/test-engine-XXXXXX";
	int fd = mkstemp(path);
	struct config *c = NULL;
	struct err e;

	if (write(fd, text, strlen(text)) < 0)
		return NULL;
	close(fd);
	if (config_load(path, &c, &e) < 0)
		printf("# %s\n", e.msg);
	unlink(path);
	return c;
}

static const struct plan_node nodes[] = {
	{ "n1", "primary-ish" }, { "n2", "member" }, { "n3", "member" },
};

static char *dump(const struct plan *p)
{
	json_t *j = plan_to_json(p, nodes);
	char *s = json_dumps(j, JSON_SORT_KEYS);

	json_decref(j);
	return s;
}

static void test_plan(struct config *c)
{
	struct plan a, b;
	struct err e;
	char *ja, *jb;
	int kinds[3] = { 0 }, signals[2] = { 0 };

	is_int(plan_make(c, nodes, 3, 7, &a, &e), 0, "plan of run 7");
	is_int(plan_make(c, nodes, 3, 7, &b, &e), 0, "again");
	ja = dump(&a);
	jb = dump(&b);
	is_str(ja, jb, "same seed and run: same plan");
	is_int(a.n_faults, 2, "faults_per_run faults");
	ok(a.faults[0].inject_at_ms <= a.faults[1].inject_at_ms, "ordered by time");
	free(jb);
	plan_release(&b);
	plan_make(c, nodes, 3, 8, &b, &e);
	jb = dump(&b);
	ok(strcmp(ja, jb) != 0, "another run: another plan");
	free(ja);
	free(jb);
	plan_release(&b);

	{	/* round trip through JSON */
		json_t *j = plan_to_json(&a, nodes);
		struct plan r;

		is_int(plan_from_json(j, nodes, 3, &r, &e), 0, "plan reads back");
		ja = json_dumps(j, JSON_SORT_KEYS);
		jb = dump(&r);
		is_str(jb, ja, "and is the same plan");
		free(ja);
		free(jb);
		json_decref(j);
		plan_release(&r);
	}
	plan_release(&a);

	for (int run = 1; run <= 300; run++) {
		plan_make(c, nodes, 3, run, &a, &e);
		for (int k = 0; k < a.n_faults; k++) {
			struct plan_fault *f = &a.faults[k];

			ok(f->inject_at_ms >= 1000 && f->inject_at_ms <= 3000,
			   "run %d fault %d inject time %lld in [1,3] s", run, k,
			   (long long)f->inject_at_ms);
			kinds[f->index]++;
			if (f->index == 0)
				signals[!strcmp(json_string_value(json_object_get(
					f->params, "signal")), "KILL")]++;
			if (f->index == 1) {
				ok(f->node == 1 || f->node == 2, "role target picks a member");
				ok(f->duration_ms >= 1000 && f->duration_ms <= 3000,
				   "duration drawn from its range");
			}
			if (f->index == 2) {
				json_int_t loss = json_integer_value(json_object_get(f->params,
										 "loss_pct"));
				ok(f->node == 0 && loss >= 10 && loss <= 60,
				   "node target and integer range (loss %lld)", (long long)loss);
			}
		}
		plan_release(&a);
	}
	ok(kinds[0] > kinds[1] && kinds[0] > kinds[2] && kinds[1] && kinds[2],
	   "weights: %d %d %d", kinds[0], kinds[1], kinds[2]);
	ok(signals[0] > 50 && signals[1] > 50, "a choice draws both: %d TERM, %d KILL",
	   signals[0], signals[1]);
}

/* Scenarios: drawn beside random runs by weight, laid out in time from
 * their steps, bound targets on the binder's node; pure and round-trip. */
static const char *SCFG =
	"{\"name\": \"s\", \"seed\": 9,\n"
	" \"testbed\": {\"image\": \".\", \"nodes\": [\n"
	"   {\"name\": \"n1\", \"role\": \"primary-ish\"}, {\"name\": \"n2\"}, {\"name\": \"n3\"}]},\n"
	" \"faults\": [{\"type\": \"process-kill\", \"process\": \"x\"}],\n"
	" \"scenarios\": [\n"
	"  {\"name\": \"seq\", \"weight\": 2, \"steps\": [\n"
	"   {\"type\": \"vm-pause\", \"target\": \"member\", \"bind\": \"v\", \"duration_s\": 2},\n"
	"   {\"wait\": \"1s\"},\n"
	"   {\"type\": \"process-kill\", \"process\": \"x\", \"target\": \"@v\"},\n"
	"   {\"wait\": {\"min\": \"1s\", \"max\": \"3s\"}},\n"
	"   {\"type\": \"link-down\", \"target\": \"n1\", \"duration_s\": 4, \"after\": \"start\"},\n"
	"   {\"type\": \"vm-crash\", \"target\": \"@v\"}]},\n"
	"  {\"name\": \"lead\", \"steps\": [\n"
	"   {\"type\": \"vm-pause\", \"target\": \"leader\", \"bind\": \"l\", \"duration_s\": 1},\n"
	"   {\"type\": \"process-kill\", \"process\": \"x\", \"target\": \"@l\"}]}],\n"
	" \"schedule\": {\"runs\": 100, \"faults_per_run\": 2, \"inject_at_s\": [1, 3]}}\n";

static void test_plan_scenarios(void)
{
	struct config *c = load(SCFG);
	int by[3] = { 0 }, laid_out = 1, bound = 1, late = 1, trips = 1, same = 1;
	struct err e = { "" };

	if (!ok(c != NULL, "scenario config loads"))
		return;
	for (int run = 1; run <= 400; run++) {
		struct plan p, q, r;
		char *a, *b;

		is_int(plan_make(c, nodes, 3, run, &p, &e), 0, "a plan");
		plan_make(c, nodes, 3, run, &q, &e);
		a = dump(&p);
		b = dump(&q);
		same &= !strcmp(a, b);
		free(b);
		{	/* JSON and back */
			json_t *j = plan_to_json(&p, nodes);

			trips &= plan_from_json(j, nodes, 3, &r, &e) == 0;
			b = dump(&r);
			trips &= !strcmp(a, b);
			free(b);
			plan_release(&r);
			json_decref(j);
		}
		free(a);
		if (!p.scenario) {
			by[0]++;
			for (int k = 0; k < p.n_faults; k++)
				trips &= p.faults[k].step == -1 && p.faults[k].index == 0;
		} else if (!strcmp(p.scenario, "seq")) {
			const struct plan_fault *f = p.faults;

			by[1]++;
			/* pause@member [t, t+2]; +1s wait after its end: kill@v at
			 * t+3; wait 1..3 s; link-down at the kill's start + wait;
			 * crash@v at the link-down's end (4 s) */
			laid_out &= p.n_faults == 4 && f[0].step == 0 && f[1].step == 2 &&
				    f[2].step == 4 && f[3].step == 5 &&
				    f[1].inject_at_ms == f[0].inject_at_ms + 3000 &&
				    f[2].inject_at_ms >= f[1].inject_at_ms + 1000 &&
				    f[2].inject_at_ms <= f[1].inject_at_ms + 3000 &&
				    f[3].inject_at_ms == f[2].inject_at_ms + 4000 &&
				    f[0].inject_at_ms >= 1000 && f[0].inject_at_ms <= 3000;
			bound &= (f[0].node == 1 || f[0].node == 2) && f[1].node == f[0].node &&
				 f[3].node == f[0].node && f[2].node == 0 &&
				 !strcmp(f[1].target, "@v") && !strcmp(f[0].bind, "v");
		} else {
			by[2]++;
			late &= p.n_faults == 2 && p.faults[0].node == -1 &&
				p.faults[1].node == -1 && !strcmp(p.faults[1].target, "@l") &&
				p.faults[1].inject_at_ms == p.faults[0].inject_at_ms + 1000;
		}
		plan_release(&p);
		plan_release(&q);
	}
	ok(same, "a scenario config's plans are a pure function of (seed, run)");
	ok(trips, "and read back from their JSON unchanged");
	ok(laid_out, "steps in time: waits added, after end and start, a drawn wait in range");
	ok(bound, "@v is the node its step drew (member), the others as targeted");
	ok(late, "@l bound to the leader waits for injection time, as the leader does");
	ok(by[0] > 50 && by[1] > 2 * by[2] - 60 && by[2] > 50 && by[1] > by[0],
	   "drawn by weight 1 (random) : 2 (seq) : 1 (lead): %d %d %d", by[0], by[1], by[2]);

	{	/* a subset keeps its faults as they were */
		struct plan p, sub;
		int keep[] = { 1, 3 };
		char *a;

		for (int run = 1; plan_make(c, nodes, 3, run, &p, &e) == 0; run++) {
			if (p.scenario && !strcmp(p.scenario, "seq"))
				break;
			plan_release(&p);
		}
		plan_subset(&p, keep, 2, &sub);
		ok(sub.n_faults == 2 && sub.run == p.run && sub.seed == p.seed &&
		   !strcmp(sub.scenario, "seq"), "a subset: two faults of the same run");
		ok(sub.faults[0].inject_at_ms == p.faults[1].inject_at_ms &&
		   sub.faults[1].inject_at_ms == p.faults[3].inject_at_ms &&
		   sub.faults[0].node == p.faults[1].node && sub.faults[1].seed == p.faults[3].seed &&
		   json_equal(sub.faults[1].params, p.faults[3].params),
		   "with their times, nodes, seeds and parameters");
		a = dump(&sub);
		ok(strstr(a, "\"scenario\": \"seq\"") && strstr(a, "\"step\": 2"),
		   "its JSON names the scenario and the steps");
		free(a);
		plan_release(&sub);
		ok(plan_binder(&p, "v") == 0 && plan_binder(&p, "w") == -1, "plan_binder");
		plan_release(&p);
	}
	config_free(c);

	/* scenarios without faults: every run is a scenario run */
	c = load("{\"name\": \"s\", \"testbed\": {\"image\": \".\", \"nodes\": [{\"name\": \"n1\"}]},\n"
		 " \"scenarios\": [{\"name\": \"only\", \"weight\": 0.1, \"steps\": [\n"
		 "   {\"type\": \"vm-crash\"}]}]}\n");
	if (ok(c != NULL, "scenarios without faults load")) {
		int all = 1;

		for (int run = 1; run <= 50; run++) {
			struct plan p;

			all &= plan_make(c, nodes, 1, run, &p, &e) == 0 && p.scenario &&
			       p.n_faults == 1;
			plan_release(&p);
		}
		ok(all, "without faults, every run is the scenario's");
		config_free(c);
	}
	{	/* an older plan (no scenario members) reads back */
		json_t *j = json_loads("{\"run\": 3, \"seed\": \"5\", \"faults\": [{\"index\": 0, "
			"\"type\": \"vm-crash\", \"target\": \"leader\", \"node\": \"n2\", "
			"\"inject_at_ms\": 1000, \"duration_ms\": 0, \"params\": {}, \"seed\": \"7\"}]}",
			0, NULL);
		struct plan p;

		ok(plan_from_json(j, nodes, 3, &p, &e) == 0 && !p.scenario &&
		   p.faults[0].step == -1 && !p.faults[0].bind && !p.faults[0].role &&
		   p.faults[0].node == 1, "an older plan reads back");
		plan_release(&p);
		json_decref(j);
	}
}

static void test_classify(void)
{
	struct oracle_verdict v[3] = { { VERDICT_PASS }, { VERDICT_UNKNOWN },
				       { VERDICT_FAIL } };
	int first;

	is_int(outcome_classify(v, 1, 0, &first), OUTCOME_NO_EFFECT, "passes, no effect");
	is_int(first, -1, "no failing oracle");
	is_int(outcome_classify(v, 1, 1, &first), OUTCOME_RECOVERED,
	       "passes with a visible effect: recovered");
	is_int(outcome_classify(v, 2, 0, &first), OUTCOME_UNJUDGED,
	       "a pass and an unknown: unjudged, never no-effect");
	is_int(first, 1, "the unknown oracle is named");
	is_int(outcome_classify(v, 2, 1, &first), OUTCOME_UNJUDGED,
	       "a pass and an unknown with an effect: unjudged, never recovered");
	is_int(outcome_classify(v, 3, 0, &first), OUTCOME_FLAW, "a failure is a flaw");
	is_int(first, 2, "the first failing oracle gives the class");
	is_str(outcome_name(OUTCOME_UNJUDGED), "unjudged", "outcome names");
	is_str(outcome_name(OUTCOME_SET_ASIDE), "set-aside", "outcome names");
	is_int(outcome_from_name("recovered"), OUTCOME_RECOVERED, "names back");
	is_int(outcome_from_name("infra-error"), -1, "no infra-error outcome");
}

static const char *vars(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "run.dir"))
		return "/r/it's here";
	if (!strcmp(name, "node.ip"))
		return "10.99.0.11";
	return NULL;
}

static void test_template(void)
{
	struct buf b = BUF_INIT;
	struct err e;

	is_int(template_expand("check {run.dir}/h.jsonl {{x}}", vars, NULL, 1, &b, &e), 0,
	       "command template");
	is_str(b.data, "check '/r/it'\\''s here'/h.jsonl {x}", "values shell-quoted, braces escaped");
	buf_reset(&b);
	template_expand("http://{node.ip}:8080/health", vars, NULL, 0, &b, &e);
	is_str(b.data, "http://10.99.0.11:8080/health", "URL template unquoted");
	buf_reset(&b);
	is_int(template_expand("x {nope}", vars, NULL, 1, &b, &e), -1, "unknown placeholder");
	is_str(e.msg, "unknown placeholder '{nope}' in 'x {nope}'", "its message");
	is_int(template_expand("x {run.dir", vars, NULL, 1, &b, &e), -1, "unterminated");
	buf_release(&b);
}

static void test_oracles(struct config *c)
{
	const char *names[] = { "n1", "n2", "n3" }, *roles[] = { "a", "b", "b" };
	int alive[3] = { 1, 1, 0 };
	const char *detail[3] = { NULL, NULL, "domain is shut-off" };
	struct oracle_fault f = { "process-kill", 0, 1000, 1000, 0 };
	struct probe_sample s[] = {
		{ 500, 1, 0, 0, 1 }, { 1200, 1, 0, 0, 0 }, { 1500, 1, 0, 0, 0 },
		{ 2500, 1, 0, 0, 1 }, { 3000, 1, 0, 0, 1 },
		{ 500, 1, 0, 1, 1 }, { 2000, 1, 0, 1, 0 }, { 2500, 1, 0, 1, 1 },
	};
	struct oracle_input in = { c, 3, names, roles, &f, 1, s, 8, 3000, alive,
				   detail, NULL, NULL };
	json_t *p = json_pack("{s:s, s:f}", "probe", "health", "within_s", 2.0);
	struct oracle_verdict v = { 0 };
	struct err e;

	oracles_lookup("probe-recovers")->judge(p, &in, &v, &e);
	is_int(v.verdict, VERDICT_PASS, "healthy again 1.5 s after the fault");
	json_object_set_new(p, "within_s", json_real(1.0));
	memset(&v, 0, sizeof(v));
	oracles_lookup("probe-recovers")->judge(p, &in, &v, &e);
	is_int(v.verdict, VERDICT_FAIL, "not within 1 s");
	is_str(v.reason, "probe 'health' on 'n1' is not healthy within 1 s after "
	       "process-kill ended", "its reason");
	/* a node booted from its disk has its own bound, boot_within_s */
	json_object_set_new(p, "boot_within_s", json_real(2.0));
	memset(&v, 0, sizeof(v));
	oracles_lookup("probe-recovers")->judge(p, &in, &v, &e);
	is_int(v.verdict, VERDICT_FAIL, "boot_within_s does not apply without a boot");
	f.booted = 1;
	memset(&v, 0, sizeof(v));
	oracles_lookup("probe-recovers")->judge(p, &in, &v, &e);
	is_int(v.verdict, VERDICT_PASS, "a booted node: healthy within boot_within_s 2 s");
	json_object_set_new(p, "boot_within_s", json_real(0.5));
	memset(&v, 0, sizeof(v));
	oracles_lookup("probe-recovers")->judge(p, &in, &v, &e);
	is_str(v.reason, "probe 'health' on 'n1' is not healthy within 0.5 s after "
	       "process-kill ended (booted from its disk)", "a booted node's reason");
	json_object_del(p, "boot_within_s");
	f.booted = 0;
	{
		const char *key = NULL;
		json_t *bw = json_pack("{s:s, s:f, s:i}", "probe", "health", "within_s", 2.0,
				       "boot_within_s", 0);

		is_int(oracles_check(c, "probe-recovers", bw, &key, &e), -1,
		       "boot_within_s 0 refused");
		is_str(key, "boot_within_s", "at its key");
		json_decref(bw);
	}
	memset(&v, 0, sizeof(v));
	oracles_lookup("always")->judge(p, &in, &v, &e);
	is_int(v.verdict, VERDICT_FAIL, "always: a failure on untargeted n2");
	json_decref(v.data);
	memset(&v, 0, sizeof(v));
	oracles_lookup("containment")->judge(NULL, &in, &v, &e);
	is_int(v.verdict, VERDICT_FAIL, "containment: untargeted n3 is down");
	is_str(v.reason, "untargeted node 'n3' lost: domain is shut-off", "its reason");
	alive[2] = 1;
	memset(&v, 0, sizeof(v));
	oracles_lookup("containment")->judge(NULL, &in, &v, &e);
	is_int(v.verdict, VERDICT_PASS, "containment holds when only the target suffers");
	json_decref(p);

	{
		const char *key = NULL;
		json_t *bad = json_pack("{s:s}", "probe", "nope");

		is_int(oracles_check(c, "probe-recovers", bad, &key, &e), -1,
		       "an oracle naming a missing probe is refused");
		is_str(e.msg, "no probe named 'nope'", "its message");
		is_int(oracles_check(c, "magic", bad, &key, &e), -1, "unknown oracle");
		json_decref(bad);
	}
}

/* Every entry is complete, found by its name; the engine's watch comes
 * from hooks (the recovery oracles'), never from names. */
static void test_registry(void)
{
	int n = 0, hooks = 0;

	for (const struct oracle_type *const *o = oracles_all(); *o; o++, n++) {
		ok((*o)->name && (*o)->default_class && (*o)->help && (*o)->check &&
		   (*o)->judge, "oracle '%s' is complete", (*o)->name);
		ok(oracles_lookup((*o)->name) == *o, "oracle '%s' is found", (*o)->name);
		hooks += (*o)->watch_ms != NULL;
	}
	is_int(n, 5, "five oracles");
	is_int(hooks, 2, "two watch hooks");
	ok(oracles_lookup("probe-recovers")->watch_ms && oracles_lookup("node-rejoins")->watch_ms,
	   "the recovery oracles have them");
	ok(!oracles_lookup("no-such-oracle"), "an unknown oracle is not found");
}

int main(void)
{
	struct config *c = load(CFG);

	ok(c != NULL, "test config loads");
	if (!c)
		return tap_done();
	test_plan(c);
	test_plan_scenarios();
	test_classify();
	test_template();
	test_oracles(c);
	test_registry();
	is_int(oracles_watch_ms(c, 0), 0, "no recovery oracle: nothing to watch for");
	config_free(c);
	c = load("{\"name\": \"w\", \"testbed\": {\"image\": \".\", \"nodes\": [{\"name\": \"n1\"}]},\n"
		 " \"probes\": {\"h\": {\"ssh\": \"true\", \"every_ms\": 250}},\n"
		 " \"oracles\": [{\"type\": \"probe-recovers\", \"probe\": \"h\", \"within_s\": 8,\n"
		 "   \"boot_within_s\": 20}, {\"type\": \"node-rejoins\", \"probe\": \"h\", \"within_s\": 12},\n"
		 "   {\"type\": \"containment\"}]}\n");
	if (ok(c != NULL, "watch config loads")) {
		is_int(oracles_watch_ms(c, 0), 12250, "watch: the largest within_s + one probe interval");
		is_int(oracles_watch_ms(c, 1), 20250, "after a boot: boot_within_s counts (else within_s)");
		config_free(c);
	}
	return tap_done();
}
