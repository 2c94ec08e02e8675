/* test_merge.c - `campaign merge`: shard directories made by hand with the
 * journal and flaw store APIs (test_report_fixture.h), merged, and the
 * merged journal, flaws, campaign.json and report checked; every refusal
 * with its message and nothing written. No VMs. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "merge.h"
#include "test_report_fixture.h"

#define RUNS 30

/* Flaw A hits these runs, flaw B only run 12. */
static int hits_a(long long run)
{
	return run == 2 || run == 4 || run == 5 || run == 7 || run == 9 || run == 11 ||
	       run == 20;
}

static void one_run(struct fx *f, long long run)
{
	if (hits_a(run))
		fx_run(f, run, "flaw", "process-kill", "n1", "probe-recovers", "recovery",
		       "probe 'health' on 'n1' is not healthy within 3 s", 700, NULL);
	else if (run == 12)
		fx_run(f, run, "flaw", "vm-crash", "n2", "containment", "containment",
		       "n2 took over n3's address", 800, NULL);
	else
		fx_run(f, run, run % 2 ? "recovered" : "no-effect", "netem", "n3", NULL, NULL,
		       "", 600 + (int)run, NULL);
}

/* Set the members of DIR/campaign.json that a test changes: the shard
 * (count 0: none), the seed, schedule.runs. */
static void set_campaign(const char *dir, int index, int count, int seed, int runs)
{
	char *path = xasprintf("%s/campaign.json", dir);
	json_t *c = json_load_file(path, 0, NULL);
	struct err e = { "" };

	if (count)
		json_object_set_new(c, "shard", json_pack("{s:i, s:i}", "index", index,
							  "count", count));
	json_object_set_new(c, "seed", json_integer(seed));
	json_object_set_new(json_object_get(json_object_get(c, "config"), "schedule"),
			    "runs", json_integer(runs));
	ok(journal_write_campaign(dir, c, &e) == 0, "campaign.json of '%s': %s", dir, e.msg);
	json_decref(c);
	free(path);
}

/* Shard index/count of the runs 1..RUNS (count 0: the whole campaign,
 * unsharded). Run `late` (0: none) is recorded after the others, as a
 * slower testbed would; run 5 has an infra record before its run. With
 * stop, the shard's campaign stopped. */
static void make_shard(const char *dir, int index, int count, long long late, int stop)
{
	struct fx f;

	fx_open(&f, dir, "shards", "a campaign in shards");
	set_campaign(dir, index, count, 7, RUNS);
	fx_event(&f, "start");
	for (long long run = 1; run <= RUNS; run++) {
		if (count && run % count != index % count)
			continue;
		if (run == late)
			continue;
		if (run == 5)
			fx_infra(&f, 5, "ready: timeout", "retry");
		one_run(&f, run);
	}
	if (late)
		one_run(&f, late);
	if (stop)
		fx_event(&f, "stop");
	fx_close(&f);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The lines of text that are not campaign events. New string. */
static char *without_events(const char *text)
{
	struct buf b = BUF_INIT;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (!strstr(p, "\"type\":\"campaign\"") ||
		    (size_t)(strstr(p, "\"type\":\"campaign\"") - p) > len)
			buf_add(&b, p, len);
		p += len;
	}
	return buf_detach(&b);
}

/* OUT's run and infra records are whole's, byte for byte. */
static void same_records(const char *out, const char *whole, const char *what)
{
	char *text = fx_read_at(out, "journal.jsonl"), *got = without_events(text);
	char *want;

	free(text);
	text = fx_read_at(whole, "journal.jsonl");
	want = without_events(text);
	is_str(got, want, what);
	free(text);
	free(want);
	free(got);
}

static json_t *load(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	json_t *j = json_load_file(path, 0, NULL);

	free(path);
	return j;
}

static char *flaw_name(const char *oracle, const char *fault, const char *reason)
{
	char *sig = flaws_signature(oracle, fault, "member", reason);
	char *id = flaws_id(sig), *name = xasprintf("flaws/%s.json", id);

	free(sig);
	free(id);
	return name;
}

static int merge(const char *out, char **dirs, int n, struct merge_result *m,
		 struct err *e)
{
	struct merge_options opt = { .threads = 2 };

	memset(e, 0, sizeof(*e));
	return merge_dirs(out, dirs, n, &opt, m, e);
}

static void test_merge(const char *tmp, char **shards, char *whole)
{
	char *out = xasprintf("%s/out", tmp), *text, *a, *b, *first, *second;
	char *name_a = flaw_name("probe-recovers", "process-kill",
				 "probe 'health' on 'n1' is not healthy within 3 s");
	char *name_b = flaw_name("containment", "vm-crash", "n2 took over n3's address");
	struct merge_result m;
	struct err e;
	json_t *fa, *fb, *c, *ex, *sum;
	size_t i;

	is_int(merge(out, shards, 3, &m, &e), 0, "three shards merge");
	is_str(e.msg, "", "no error");
	is_int(m.count, 3, "count");
	is_int(m.n_shards, 3, "shards");
	is_int(m.runs, RUNS, "every run");
	is_int(m.others, 1, "the infra record");
	is_str(m.present, "1, 2, 3 of 3", "present");
	is_int(m.complete, 1, "complete");
	is_int(m.flaws, 2, "two flaws");
	is_int(m.report.runs, RUNS, "the report counts every run");
	is_int(m.report.flaws, 2, "and both flaws");
	is_str(m.shards[0].state, "stopped", "a stopped shard");
	ok(m.mismatch == NULL, "made alike");
	merge_result_release(&m);

	text = fx_read_at(out, "journal.jsonl");
	a = "{\"type\":\"campaign\",\"event\":\"start\",\"merged_from\":[{\"dir\":";
	ok(text && !strncmp(text, a, strlen(a)), "the journal starts with the merge's start "
	   "event");
	ok(text && strstr(text, "\"index\":3,\"count\":3,\"runs\":10,\"state\":\"stopped\"}]}\n"),
	   "which names the shards");
	ok(text && strstr(text, "{\"type\":\"campaign\",\"event\":\"stop\",\"merged\":true,"
			  "\"runs_done\":30}\n") && text[strlen(text) - 1] == '\n' &&
	   !strcmp(strrchr(text, '{'), "{\"type\":\"campaign\",\"event\":\"stop\","
		   "\"merged\":true,\"runs_done\":30}\n"), "and ends with its stop event");
	is_int(fx_count(text, "\"type\":\"campaign\""), 2, "one start/stop pair, no shard events");
	free(text);
	same_records(out, whole, "run and infra records: those of the unsharded campaign, in "
		     "run order, byte for byte (run 4 late in its shard, infra before run 5)");

	fa = load(out, name_a);
	fb = load(out, name_b);
	ok(fa && fb, "both flaw files");
	is_int(json_integer_value(json_object_get(fa, "count")), 7, "counts summed");
	is_int(json_integer_value(json_object_get(json_object_get(fa, "first_seen"), "run")),
	       2, "first seen: the earliest");
	is_int(json_integer_value(json_object_get(json_object_get(fa, "last_seen"), "run")),
	       20, "last seen: the latest");
	a = json_dumps(json_object_get(fa, "runs"), JSON_COMPACT);
	is_str(a, "[2,4,5,7,9,11,20]", "run lists joined in order");
	free(a);
	ex = json_object_get(fa, "examples");
	is_int((long long)json_array_size(ex), FLAWS_EXAMPLES_DEFAULT, "examples capped");
	json_array_foreach(ex, i, c) {
		static const long long want[] = { 2, 4, 5 };

		is_int(json_integer_value(json_object_get(json_object_get(c, "record"), "run")),
		       want[i], "the earliest runs' examples, in order");
	}
	is_int(json_integer_value(json_object_get(fb, "count")), 1, "a flaw of one shard");
	b = json_dumps(fa, JSON_COMPACT);
	json_decref(fa);
	fa = load(whole, name_a);
	json_object_del(fa, "examples");
	a = json_dumps(fa, JSON_COMPACT);
	ok(a && b && !strncmp(a, b, strlen(a) - 1), "the flaw file as the unsharded "
	   "campaign's, up to its examples");
	free(a);
	free(b);
	json_decref(fa);
	json_decref(fb);

	c = load(out, "campaign.json");
	ok(c && !json_object_get(c, "shard"), "campaign.json: no \"shard\"");
	a = json_dumps(json_object_get(c, "merged_from"), JSON_COMPACT);
	b = xasprintf("[{\"dir\":\"%s\",\"index\":1,\"count\":3,\"runs\":10,\"state\":\"stopped\"},"
		      "{\"dir\":\"%s\",\"index\":2,\"count\":3,\"runs\":10,\"state\":\"stopped\"},"
		      "{\"dir\":\"%s\",\"index\":3,\"count\":3,\"runs\":10,\"state\":\"stopped\"}]",
		      shards[0], shards[1], shards[2]);
	is_str(a, b, "campaign.json: merged_from, in shard order");
	free(a);
	free(b);
	fa = load(whole, "campaign.json");
	ok(json_equal(json_object_get(c, "config"), json_object_get(fa, "config")) &&
	   json_equal(json_object_get(c, "seed"), json_object_get(fa, "seed")),
	   "campaign.json: the shards' config and seed");
	json_decref(fa);
	json_decref(c);

	c = load(out, "campaign.json");
	json_object_del(c, "merged_from");
	is_int(journal_check_campaign(out, c, &e), -1, "a campaign cannot run into a merge");
	ok(strstr(e.msg, "is a merge of shards (campaign merge), not a campaign's; use "
		  "another --out directory") != NULL, "said so: %s", e.msg);
	json_decref(c);

	sum = load(out, "summary.json");
	is_int(json_integer_value(json_object_get(json_object_get(sum, "runs"), "total")), RUNS,
	       "summary.json: every run");
	is_int((long long)json_array_size(json_object_get(json_object_get(sum, "campaign"),
							  "merged_from")), 3,
	       "summary.json: merged_from");
	is_int((long long)json_array_size(json_object_get(json_object_get(sum, "journal"),
							  "warnings")), 0, "no warning");
	json_decref(sum);
	ok(exists(out), "OUT");
	text = xasprintf("%s/report/index.html", out);
	ok(exists(text), "the report");
	free(text);

	/* again: the same files */
	first = fx_read_at(out, "journal.jsonl");
	a = fx_read_at(out, name_a);
	b = fx_read_at(out, "campaign.json");
	is_int(merge(out, shards, 3, &m, &e), 0, "merged again into the same OUT");
	merge_result_release(&m);
	second = fx_read_at(out, "journal.jsonl");
	is_str(second, first, "the same journal");
	free(second);
	second = fx_read_at(out, name_a);
	is_str(second, a, "the same flaw file");
	free(second);
	second = fx_read_at(out, "campaign.json");
	is_str(second, b, "the same campaign.json");
	free(second);
	second = xasprintf("%s/flaws.new", out);
	ok(!exists(second), "no staging left");
	free(second);
	second = xasprintf("%s/report.old", out);
	ok(!exists(second), "the earlier report removed");
	free(second);
	second = xasprintf("%s/report/index.html", out);
	ok(exists(second), "the new one made");
	free(second);
	second = xasprintf("%s/journal.jsonl.tmp.%d", out, (int)getpid());
	ok(!exists(second), "the journal has its name");
	free(second);
	second = xasprintf("%s/journal.jsonl.tmp.%d.new", out, (int)getpid());
	ok(!exists(second), "and no second name left (the link it was published by)");
	free(second);
	{
		struct stat st;

		second = xasprintf("%s/journal.jsonl", out);
		ok(stat(second, &st) == 0 && st.st_nlink == 1, "one link to the journal");
		free(second);
	}
	free(first);
	free(a);
	free(b);
	free(name_a);
	free(name_b);
	free(out);
}

static void test_missing_and_running(const char *tmp, char **shards)
{
	char *out = xasprintf("%s/partial", tmp), *text, *running = xasprintf("%s/running", tmp);
	char *torn = xasprintf("%s/journal.jsonl", running), *dirs[2] = { shards[0], running };
	struct merge_result m;
	struct err e;
	struct fx f;
	json_t *sum, *w;
	int fd;

	/* shard 3 of 3, still running (its journal open), its last line torn */
	fx_open(&f, running, "shards", "a campaign in shards");
	set_campaign(running, 3, 3, 7, RUNS);
	fx_event(&f, "start");
	for (long long run = 3; run <= 9; run += 3)
		one_run(&f, run);
	fd = open(torn, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "{\"type\":\"run\",\"run\":12,\"outc", 28) == 28, "a torn tail");
	close(fd);

	is_int(merge(out, dirs, 2, &m, &e), 0, "shards 1 and 3 of 3 merge");
	is_str(e.msg, "", "no error");
	is_str(m.present, "1, 3 of 3", "present: 1, 3 of 3");
	is_int(m.complete, 0, "not complete");
	is_int(m.runs, 13, "10 + 3 runs");
	is_int(m.shards[1].torn_bytes, 28, "the torn line is skipped and counted");
	is_str(m.shards[1].state, "running", "a shard still running");
	merge_result_release(&m);
	text = fx_read_at(out, "journal.jsonl");
	ok(text && !strstr(text, "\"event\":\"stop\""), "no stop event while a shard runs");
	ok(text && !strstr(text, "\"outc\n") && !strstr(text, "\"run\":12,\"outc"),
	   "nothing of the torn line");
	free(text);
	sum = load(out, "summary.json");
	w = json_array_get(json_object_get(json_object_get(sum, "journal"), "warnings"), 0);
	is_str(json_string_value(w), "shards present: 1, 3 of 3; the runs of the others "
	       "are missing", "summary.json: the missing shard is a warning");
	is_str(json_string_value(json_object_get(json_object_get(sum, "campaign"), "state")),
	       "running", "summary.json: running");
	json_decref(sum);
	fx_close(&f);
	free(out);
	free(torn);
	free(running);
}

/* A refusal: MERGE_REFUSED, e holding want, and out not written. */
static void refused(const char *out, char **dirs, int n, const char *want,
		    const char *what)
{
	struct merge_result m;
	struct err e;
	struct stat before, after;
	int had = stat(out, &before) == 0;

	is_int(merge(out, dirs, n, &m, &e), MERGE_REFUSED, what);
	ok(strstr(e.msg, want) != NULL, "%s: '%s' says '%s'", what, e.msg, want);
	if (had)
		ok(stat(out, &after) == 0 && after.st_mtime == before.st_mtime &&
		   after.st_nlink == before.st_nlink, "%s: OUT unchanged", what);
	else
		ok(!exists(out), "%s: nothing written", what);
}

static void test_refusals(const char *tmp, char **shards, char *whole)
{
	char *out = xasprintf("%s/refused", tmp), *dir = xasprintf("%s/other", tmp);
	char *empty = xasprintf("%s/empty", tmp), *plain = xasprintf("%s/plain", tmp);
	char *twin = xasprintf("%s/twin", tmp), *wrong = xasprintf("%s/wrong", tmp);
	char *damaged = xasprintf("%s/damaged", tmp), *path, *text;
	char *merged = xasprintf("%s/out", tmp), *missing = xasprintf("%s/missing", tmp);
	struct err e = { "" };
	struct fx f;
	FILE *fp;

	/* a different config, then a different seed */
	make_shard(dir, 2, 3, 0, 1);
	set_campaign(dir, 2, 3, 7, 31);
	refused(out, (char *[]){ shards[0], dir }, 2, "cannot merge '" , "different config");
	refused(out, (char *[]){ shards[0], dir }, 2, "not shards of one campaign: "
		"config.schedule.runs is 30 there and 31 here", "different config: the path");
	set_campaign(dir, 2, 3, 8, RUNS);
	refused(out, (char *[]){ shards[0], dir }, 2, "seed is 7 there and 8 here",
		"different seed");
	set_campaign(dir, 2, 3, 7, RUNS);

	/* the same shard twice, the same directory twice, different counts */
	path = xasprintf("cannot merge '%s' and '%s': both are shard 2 of 3", shards[1], dir);
	refused(out, (char *[]){ shards[1], dir }, 2, path, "the same shard twice");
	free(path);
	refused(out, (char *[]){ shards[1], shards[1] }, 2, "the same directory twice",
		"the same directory twice");
	set_campaign(dir, 2, 4, 7, RUNS);
	refused(out, (char *[]){ shards[0], dir }, 2, "(shard 2 of 4) with", "counts differ");
	refused(out, (char *[]){ shards[0], dir }, 2, "different shard counts",
		"counts differ: the reason");
	refused(out, (char *[]){ whole, shards[0] }, 2, "(shard 1 of 3) with",
		"a whole campaign and a shard");

	/* not results directories */
	ok(paths_mkdirs(empty, 0755, &e) == 0, "an empty directory");
	path = xasprintf("cannot merge '%s': an empty directory, not a results directory",
			 empty);
	refused(out, (char *[]){ shards[0], empty }, 2, path, "an empty directory");
	free(path);
	ok(paths_mkdirs(plain, 0755, &e) == 0, "a directory without campaign.json");
	path = xasprintf("%s/notes.txt", plain);
	fp = fopen(path, "w");
	fputs("hello\n", fp);
	fclose(fp);
	free(path);
	path = xasprintf("cannot merge '%s': not a results directory (no campaign.json)", plain);
	refused(out, (char *[]){ plain, shards[0] }, 2, path, "no campaign.json");
	free(path);
	refused(out, (char *[]){ shards[0], missing }, 2, "No such file or directory",
		"a missing directory");
	refused(out, (char *[]){ merged, shards[0] }, 2, "it is itself a merge",
		"a merged directory");

	/* OUT */
	refused(shards[1], shards, 3, "it is one of the directories to merge",
		"OUT is an input");
	refused(whole, shards, 3, "it holds the results of a campaign, not of a merge",
		"OUT is a campaign's results directory");
	refused(plain, shards, 3, "neither empty nor an earlier merge", "OUT is another directory");

	/* a journal with the run of another shard */
	make_shard(wrong, 2, 3, 0, 1);
	fx_open(&f, wrong, "shards", "a campaign in shards");
	set_campaign(wrong, 2, 3, 7, RUNS);
	one_run(&f, 3);
	fx_close(&f);
	path = xasprintf("cannot merge '%s': shard 2 of 3, but its journal holds run 3 (line",
			 wrong);
	refused(out, (char *[]){ shards[0], wrong }, 2, path, "a run of another shard");
	free(path);
	refused(out, (char *[]){ shards[0], wrong }, 2, "a run of shard 3 of 3",
		"a run of another shard: whose");

	/* a line damaged before the end (a torn line is fine, above) */
	make_shard(damaged, 2, 3, 0, 1);
	path = xasprintf("%s/journal.jsonl", damaged);
	text = fx_read(path);
	*strchr(strchr(text, '\n') + 1, '}') = ']';	/* line 2 */
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	free(text);
	text = xasprintf("journal '%s' line 2: not valid JSON; the file is damaged before "
			 "its end", path);
	refused(out, (char *[]){ shards[0], damaged }, 2, text, "a damaged journal");
	free(text);
	free(path);

	/* two signatures under one flaw id */
	path = xasprintf("%s/%s", dir, "flaws");
	set_campaign(dir, 2, 3, 7, RUNS);
	{
		char *name = flaw_name("probe-recovers", "process-kill",
				       "probe 'health' on 'n1' is not healthy within 3 s");
		char *fpath = xasprintf("%s/%s", dir, name);
		json_t *doc = json_load_file(fpath, 0, NULL);

		json_object_set_new(doc, "signature", json_string("another|signature|-|x"));
		json_dump_file(doc, fpath, JSON_INDENT(2));
		json_decref(doc);
		refused(out, (char *[]){ shards[0], dir }, 2, "has another signature there than in",
			"one flaw id, two signatures");
		free(fpath);
		free(name);
	}
	free(path);

	free(out);
	free(dir);
	free(empty);
	free(plain);
	free(twin);
	free(wrong);
	free(damaged);
	free(merged);
	free(missing);
}

/* Rewrite DIR/journal.jsonl with each record's members in another order
 * than the journal writes them: first a string and an object holding
 * "run" and "type" of their own (which the merge must not take for the
 * record's), then the other members, "run" and "type" last. */
static void reorder_journal(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir), *text = fx_read(path);
	struct buf b = BUF_INIT;
	FILE *fp;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *rec = json_loads(line, 0, NULL), *out, *v;
		const char *k;
		char *dump;

		out = json_pack("{s:s, s:{s:i, s:s}}", "note", "\"run\":999,\"type\":\"run\"",
				"nested", "run", 998, "type", "run");
		json_object_foreach(rec, k, v)
			if (strcmp(k, "run") && strcmp(k, "type"))
				json_object_set(out, k, v);
		if (json_object_get(rec, "run"))
			json_object_set(out, "run", json_object_get(rec, "run"));
		json_object_set(out, "type", json_object_get(rec, "type"));
		dump = json_dumps(out, JSON_COMPACT);
		buf_addf(&b, "%s\n", dump);
		free(dump);
		json_decref(out);
		json_decref(rec);
	}
	fp = fopen(path, "w");
	ok(fp && fputs(b.data, fp) >= 0 && fclose(fp) == 0, "'%s' rewritten", path);
	buf_release(&b);
	free(text);
	free(path);
}

/* Journals whose records have their members in another order, with
 * "run" and "type" in strings and nested objects before the record's
 * own: merged in the same run order as the journal writer's records. */
static void test_member_order(const char *tmp)
{
	char *dirs[3], *whole = xasprintf("%s/order-whole", tmp);
	char *out = xasprintf("%s/order-out", tmp), *text;
	struct merge_result m;
	struct err e;

	for (int i = 0; i < 3; i++) {
		dirs[i] = xasprintf("%s/order-%d", tmp, i + 1);
		make_shard(dirs[i], i + 1, 3, i == 1 ? 8 : 0, 1);
		reorder_journal(dirs[i]);
	}
	make_shard(whole, 1, 0, 0, 1);
	reorder_journal(whole);
	text = fx_read_at(dirs[0], "journal.jsonl");
	ok(text && strstr(text, "{\"note\":\"\\\"run\\\":999,") && strstr(text, ",\"run\":4,"
	   "\"type\":\"run\"}\n"), "records with type and run last");
	free(text);
	is_int(merge(out, dirs, 3, &m, &e), 0, "reordered shards merge");
	is_str(e.msg, "", "no error");
	is_int(m.runs, RUNS, "every run");
	is_int(m.others, 1, "the infra record");
	ok(m.shards[0].state && !strcmp(m.shards[0].state, "stopped"),
	   "the stop event read with its members in another order");
	merge_result_release(&m);
	same_records(out, whole, "in run order, byte for byte (run 8 late in its shard, the "
		     "infra record before run 5), not by the run numbers in strings or nested");
	for (int i = 0; i < 3; i++)
		free(dirs[i]);
	free(whole);
	free(out);
}

/* Flaw files written by hand: the run lists of two shards joined and cut
 * to FLAWS_RUNS_MAX. */
static void test_runs_cap(const char *tmp)
{
	char *dirs[2] = { xasprintf("%s/cap-1", tmp), xasprintf("%s/cap-2", tmp) };
	char *out = xasprintf("%s/cap-out", tmp), *sig = flaws_signature("o", "f", "r", "e");
	char *id = flaws_id(sig), *path;
	struct merge_result m;
	struct err e;
	json_t *doc;

	for (int k = 0; k < 2; k++) {
		json_t *runs = json_array();

		make_shard(dirs[k], k + 1, 2, 0, 1);
		for (int i = 0; i < 800; i++)
			json_array_append_new(runs, json_integer(2 * i + k + 1 + (k ? 0 : 2)));
		doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:{s:i, s:s}, "
				"s:{s:i, s:s}, s:o, s:[]}", "id", id, "signature", sig,
				"oracle", "o", "fault", "f", "role", "r", "class", "safety",
				"count", 900, "first_seen", "run", k + 1, "time", "t",
				"last_seen", "run", 5000 + k, "time", "u", "runs", runs,
				"examples");
		path = xasprintf("%s/flaws/%s.json", dirs[k], id);
		json_dump_file(doc, path, JSON_INDENT(2));
		json_decref(doc);
		free(path);
	}
	doc = load(dirs[1], "campaign.json");
	json_object_set_new(doc, "image_hash", json_string("feed"));
	ok(journal_write_campaign(dirs[1], doc, &e) == 0, "another image_hash");
	json_decref(doc);
	is_int(merge(out, dirs, 2, &m, &e), 0, "flaws with long run lists merge");
	is_str(e.msg, "", "no error");
	path = xasprintf("'%s' has image_hash \"feed\", '%s' \"0123abcd\"", dirs[1], dirs[0]);
	is_str(m.mismatch, path, "a different image is merged and named");
	free(path);
	merge_result_release(&m);
	path = xasprintf("flaws/%s.json", id);
	doc = load(out, path);
	free(path);
	is_int(json_integer_value(json_object_get(doc, "count")), 1800, "count summed");
	is_int((long long)json_array_size(json_object_get(doc, "runs")), FLAWS_RUNS_MAX,
	       "runs cut to FLAWS_RUNS_MAX");
	is_int(json_integer_value(json_array_get(json_object_get(doc, "runs"), 0)), 2,
	       "the lowest first");
	is_int(json_integer_value(json_array_get(json_object_get(doc, "runs"),
						 FLAWS_RUNS_MAX - 1)), 1001, "without gaps");
	is_str(json_string_value(json_object_get(json_object_get(doc, "last_seen"), "time")),
	       "u", "last seen of the later shard");
	is_int((long long)json_array_size(json_object_get(doc, "examples")), 0, "no examples");
	json_decref(doc);
	free(dirs[0]);
	free(dirs[1]);
	free(out);
	free(sig);
	free(id);
}

/* What shrinking and replays add to a flaw, joined: the distinct fault
 * sets (counts added, runs joined), the minimal set of the shard that saw
 * the flaw first, every replay in time order. */
static void test_shrink_fields(const char *tmp)
{
	char *dirs[2] = { xasprintf("%s/sets-1", tmp), xasprintf("%s/sets-2", tmp) };
	char *out = xasprintf("%s/sets-out", tmp), *sig = flaws_signature("o", "f", "r", "e");
	char *id = flaws_id(sig), *path;
	const char *min_faults[2] = { "disk-full,process-kill", "process-kill,disk-full" };
	struct merge_result m;
	struct err e;
	json_t *doc, *sets, *replays;

	for (int k = 0; k < 2; k++) {
		doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:{s:i, s:s}, "
				"s:{s:i, s:s}, s:[i], s:[{s:[s,s], s:i, s:[i]}, {s:[s], s:i, s:[i,i]}], "
				"s:{s:s, s:i, s:i}, s:[{s:i, s:i, s:i, s:s}], s:[]}",
				"id", id, "signature", sig, "oracle", "o", "fault", "f", "role", "r",
				"class", "safety", "count", 3, "first_seen", "run", 2 - k, "time", "t",
				"last_seen", "run", 10 + k, "time", "u", "runs", 2 - k,
				"fault_sets",
				"faults", "disk-full", "process-kill", "count", 1, "runs", 2 - k,
				"faults", k ? "vm-pause" : "cpu-hog", "count", 2, "runs", 5 + k, 7 + k,
				"minimal", "faults", min_faults[k], "reproduced", 2 + k, "of", 3,
				"replays", "run", 2 - k, "reproduced", k, "times", 2,
				"time", k ? "2026-12-01T10:00:00Z" : "2026-12-02T10:00:00Z",
				"examples");
		make_shard(dirs[k], k + 1, 2, 0, 1);
		path = xasprintf("%s/flaws/%s.json", dirs[k], id);
		json_dump_file(doc, path, JSON_INDENT(2));
		json_decref(doc);
		free(path);
	}
	is_int(merge(out, dirs, 2, &m, &e), 0, "flaws with fault sets merge");
	merge_result_release(&m);
	path = xasprintf("flaws/%s.json", id);
	doc = load(out, path);
	free(path);
	sets = json_object_get(doc, "fault_sets");
	is_int((long long)json_array_size(sets), 3, "three distinct fault sets");
	is_int(json_integer_value(json_object_get(json_array_get(sets, 0), "count")), 2,
	       "the shared set's counts added");
	is_int((long long)json_array_size(json_object_get(json_array_get(sets, 0), "runs")), 2,
	       "and its runs joined");
	is_int(json_integer_value(json_array_get(json_object_get(json_array_get(sets, 0),
		"runs"), 0)), 1, "in order");
	is_str(json_string_value(json_object_get(json_object_get(doc, "minimal"), "faults")),
	       min_faults[1], "the minimal set of the shard that saw it first (run 1)");
	replays = json_object_get(doc, "replays");
	is_int((long long)json_array_size(replays), 2, "both replays");
	is_str(json_string_value(json_object_get(json_array_get(replays, 0), "time")),
	       "2026-12-01T10:00:00Z", "in time order");
	json_decref(doc);
	free(dirs[0]);
	free(dirs[1]);
	free(out);
	free(sig);
	free(id);
}

int main(void)
{
	char *tmp = fx_tmpdir();
	char *whole = xasprintf("%s/whole", tmp);
	char *shards[3];

	for (int i = 0; i < 3; i++) {
		shards[i] = xasprintf("%s/shard-%d", tmp, i + 1);
		make_shard(shards[i], i + 1, 3, i == 0 ? 4 : 0, 1);
	}
	make_shard(whole, 1, 0, 0, 1);
	test_merge(tmp, shards, whole);
	test_missing_and_running(tmp, shards);
	test_refusals(tmp, shards, whole);
	test_member_order(tmp);
	test_runs_cap(tmp);
	test_shrink_fields(tmp);
	for (int i = 0; i < 3; i++)
		free(shards[i]);
	free(whole);
	fx_rmdir(tmp);
	return tap_done();
}
