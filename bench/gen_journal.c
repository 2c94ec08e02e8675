/* gen_journal.c - a synthetic results directory for `campaign report`
 * benchmarks: N runs shaped like the counter campaign's real records
 * (3 nodes, probe series of ~22 samples each, ~2.9 KB a line) and F flaw
 * signatures found at a slowing pace (a saturation curve), each with a
 * flaw file of K example traces (timeline and ~32 KB of logs per node).
 *
 *   usage: gen_journal DIR [RUNS [FLAWS [EXAMPLES [SHARDS]]]]   (100000 50 3 0)
 *
 * With SHARDS > 0 the same runs go to SHARDS shard directories
 * DIR/shard-I (I = 1..SHARDS), as `campaign run --shard I/SHARDS` would
 * leave them: run r in the shard I with r % SHARDS == I % SHARDS, each
 * with its own journal, flaw files (counts, runs and examples of its own
 * hits) and a campaign.json with "shard"; `campaign merge` joins them.
 *
 * Files are written directly (no fsync per record, unlike the journal),
 * in the formats of docs/results-format.md; ids and signatures come from
 * flaws.c. Deterministic: the same arguments give the same bytes, except
 * for campaign.json's start time.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "flaws.h"
#include "paths.h"

static const char *const fault_types[] = {
	"process-kill", "vm-crash", "partition", "netem", "vm-pause", "disk-full",
};
#define N_TYPES 6

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int below(int n)
{
	return (int)(next() % (uint64_t)n);
}

static void wall(long long ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char t[24];

	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03lldZ", t, ms % 1000);
}

struct flaw {
	char *sig, *id;
	const char *fault;
	long long first;		/* the run that finds it */
};

/* A flaw as one output directory saw it. Its examples go to a side file
 * as they come (a few hundred kilobytes each: thousands of them with
 * many shards), copied into the flaw file at the end. */
struct sighting {
	long long first, last, count;
	json_t *runs;
	int examples;
	FILE *ex;
	char first_time[32], last_time[32];
};

/* One results directory written: the whole campaign, or one shard. */
struct out {
	char *dir;
	FILE *j;
	struct sighting *seen;		/* by flaw */
};

static json_t *series(int node, int failing)
{
	json_t *samples = json_array();
	int t = 1900 + below(20);

	for (int i = 0; i < 22; i++, t += 300 + below(10)) {
		int ok = !(failing && i > 4 && i < 20);

		json_array_append_new(samples, json_pack("[i, i, b]", t, 50 + below(400), ok));
	}
	return json_pack("{s:s, s:s++, s:o}", "probe", "health", "node", "n",
			 node == 1 ? "1" : node == 2 ? "2" : "3", "", "samples", samples);
}

static json_t *record(long long run, long long t0, const char *fault, int node,
		      const char *outcome, const struct flaw *f)
{
	char started[32], ended[32], pid[16];
	int dur = 8500 + below(1500);
	json_t *series_a = json_array(), *resets = json_array(), *rec;

	wall(t0, started);
	wall(t0 + dur, ended);
	snprintf(pid, sizeof(pid), "%d", 100 + below(900));
	for (int k = 1; k <= 3; k++) {
		json_array_append_new(series_a, series(k, f && k == node));
		json_array_append_new(resets, json_pack("{s:s++, s:s, s:i, s:i}", "node", "n",
			k == 1 ? "1" : k == 2 ? "2" : "3", "", "path", "loadvm",
			"revert_ms", 100 + below(250), "ready_ms", 700 + below(600) +
			(below(100) == 0 ? 3000 : 0)));
	}
	rec = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}, "
			"{s:s, s:s, s:s, s:s}], s:s, s:i, "
			"s:[{s:s, s:s, s:s++, s:s, s:i, s:i, s:{s:{s:s, s:i}, s:[{s:s, s:s, s:s, "
			"s:b}], s:b}, s:{s:s, s:s}, s:b}], "
			"s:{s:i, s:i, s:i, s:i, s:i, s:i}, s:o, s:{s:o, s:[]}, s:s, s:I}",
		"started", started, "outcome", outcome,
		"oracles",
		"oracle", "probe-recovers", "verdict", f ? "fail" : "pass", "class", "recovery",
		"reason", f ? "probe 'health' on 'n3' is not healthy within 3 s" : "",
		"oracle", "always", "verdict", "pass", "class", "liveness", "reason", "",
		"oracle", "containment", "verdict", "pass", "class", "containment", "reason", "",
		"ended", ended, "duration_ms", dur,
		"faults", "type", fault, "side", "agent", "node", "n",
		node == 1 ? "1" : node == 2 ? "2" : "3", "", "role", "member",
		"start_ms", 2400 + below(900), "end_ms", 3000 + below(900),
		"evidence", "signal", "name", "KILL", "number", 9, "targets", "pid", pid,
		"comm", "counterd", "argv0", "counterd", "sent", 1, "verified", 1,
		"undo_evidence", "by", "inject", "action", "none: nothing to undo",
		"restored", 0,
		"phases", "reset_ms", 900 + below(800), "ready_ms", 500 + below(300),
		"warmup_ms", 1, "inject_observe_ms", 6600, "judge_ms", 450, "collect_ms", 0,
		"resets", resets,
		"probes", "series", series_a, "transitions",
		"type", "run", "run", (json_int_t)run);
	json_object_set_new(rec, "plan", json_pack("{s:I, s:s, s:[{s:i, s:s, s:s, s:i}]}",
		"run", (json_int_t)run, "seed", "1500136850663009294", "faults", "index", 0,
		"type", fault, "target", "any", "inject_at_ms", 996));
	if (f) {
		json_object_set_new(rec, "class", json_string("recovery"));
		json_object_set_new(rec, "failed_oracle", json_string("probe-recovers"));
		json_object_set_new(rec, "reason", json_string("probe 'health' is not healthy"));
		json_object_set_new(rec, "signature", json_string(f->sig));
		json_object_set_new(rec, "flaw", json_string(f->id));
	}
	return rec;
}

static json_t *trace(json_t *rec, const char *dir)
{
	json_t *logs = json_object(), *timeline = json_array();
	static const char *const events[] = { "reset", "ready", "workload-start", "inject",
					      "undo", "observe-end", "verdict", "verdict",
					      "verdict" };
	struct buf text = BUF_INIT;
	/* logs from a stream of their own: the runs do not depend on which
	 * traces are kept (the whole campaign and its shards have equal runs) */
	uint64_t saved = rng;

	rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)json_integer_value(json_object_get(rec, "run"))
				      * 0x100000001b3ULL);
	while (text.len < 16000)
		buf_addf(&text, "2026-11-25T16:07:%02d.%03dZ counterd[%d] n3: sync: peer "
			 "10.99.0.12:8080 answered, value %d\n", below(60), below(1000),
			 100 + below(900), below(100000));
	for (int k = 1; k <= 3; k++)
		json_object_set_new(logs, k == 1 ? "n1" : k == 2 ? "n2" : "n3", json_pack(
			"{s:b, s:i, s:[{s:s, s:i, s:i, s:b, s:s}], s:{s:i, s:i, s:b, s:s}}",
			"ok", 1, "max_bytes", 16384, "files", "path", "/var/log/counterd.log",
			"size", (int)text.len, "bytes", (int)text.len, "truncated", 0,
			"text", text.data, "dmesg", "size", 24799, "bytes", (int)text.len,
			"truncated", 1, "text", text.data));
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		json_array_append_new(timeline, json_pack("{s:i, s:s, s:s}", "t_ms",
			(int)(i * 900), "wall", "2026-11-25T16:07:36.985Z", "event", events[i]));
	buf_release(&text);
	rng = saved;
	return json_pack("{s:O, s:o, s:o, s:s+}", "record", rec, "timeline", timeline,
			 "logs", logs, "replay", "campaign replay ", dir);
}

static char *ex_path(const struct out *o, const struct flaw *f)
{
	return xasprintf("%s/flaws/.%s.examples", o->dir, f->id);
}

/* The flaw file: its members, then the examples from the side file. */
static int write_flaw(const struct out *o, const struct flaw *f, struct sighting *w)
{
	char *path = xasprintf("%s/flaws/%s.json", o->dir, f->id), *side = ex_path(o, f);
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:{s:I, s:s}, "
			      "s:{s:I, s:s}, s:O}",
		"id", f->id, "signature", f->sig, "oracle", "probe-recovers", "fault", f->fault,
		"role", "member", "class", "recovery", "count", (json_int_t)w->count,
		"first_seen", "run", (json_int_t)w->first, "time", w->first_time,
		"last_seen", "run", (json_int_t)w->last, "time", w->last_time,
		"runs", w->runs);
	char *head = json_dumps(m, JSON_INDENT(2)), buf[65536];
	FILE *out = fopen(path, "w"), *ex = fopen(side, "r");
	size_t n;
	int r = -1;

	if (!head || !out || !ex)
		goto done;
	head[strlen(head) - 2] = '\0';		/* "\n}" */
	fprintf(out, "%s,\n  \"examples\": [", head);
	while ((n = fread(buf, 1, sizeof(buf), ex)) > 0)
		fwrite(buf, 1, n, out);
	fputs("]\n}\n", out);
	r = ferror(ex) ? -1 : 0;
done:
	if (out && fclose(out))
		r = -1;
	if (ex)
		fclose(ex);
	unlink(side);
	json_decref(m);
	free(head);
	free(side);
	free(path);
	return r;
}

static int write_campaign(const struct out *o, long long runs, int shard, int shards)
{
	char *path = xasprintf("%s/campaign.json", o->dir);
	json_t *meta = json_pack("{s:{s:s, s:s, s:s, s:{s:I}, s:{s:[{s:s}, {s:s}, {s:s}]}}, "
				 "s:s, s:i, s:s, s:s, s:s, s:s}",
		"config", "name", "bench-synthetic", "description",
		"a synthetic journal for report benchmarks", "mode", "isolated",
		"schedule", "runs", (json_int_t)runs, "testbed", "nodes",
		"name", "n1", "name", "n2", "name", "n3",
		"config_path", "bench/gen_journal.c", "seed", 42, "tool_version", "0.1.0",
		"image_hash", "synthetic", "accel", "tcg",
		"start_time", "2026-11-25T16:07:27.000Z");
	int r;

	if (shards)
		json_object_set_new(meta, "shard", json_pack("{s:i, s:i}", "index", shard,
							     "count", shards));
	r = json_dump_file(meta, path, JSON_INDENT(2));
	json_decref(meta);
	free(path);
	return r;
}

static int open_out(struct out *o, const char *dir, int n_flaws)
{
	char *path = xasprintf("%s/flaws", dir);
	struct err e;

	o->dir = xstrdup(dir);
	if (paths_mkdirs(path, 0755, &e) < 0) {
		fprintf(stderr, "gen_journal: %s\n", e.msg);
		free(path);
		return -1;
	}
	free(path);
	path = xasprintf("%s/journal.jsonl", dir);
	o->j = fopen(path, "w");
	free(path);
	if (!o->j)
		return -1;
	o->seen = calloc((size_t)n_flaws + 1, sizeof(*o->seen));
	for (int k = 0; k < n_flaws; k++)
		o->seen[k].runs = json_array();
	fputs("{\"type\":\"campaign\",\"event\":\"start\",\"next_run\":1,\"repaired\":false}\n",
	      o->j);
	return 0;
}

/* Count a hit of flaw k in o; keep its trace if o has fewer than
 * examples of this flaw. */
static int count_hit(struct out *o, const struct flaw *f, int k, long long run,
		     long long t0, json_t *rec, int examples)
{
	struct sighting *w = &o->seen[k];
	char when[32];

	wall(t0 + 9000, when);
	if (!w->count) {
		memcpy(w->first_time, when, sizeof(when));
		w->first = run;
	}
	memcpy(w->last_time, when, sizeof(when));
	w->last = run;
	w->count++;
	if (json_array_size(w->runs) < FLAWS_RUNS_MAX)
		json_array_append_new(w->runs, json_integer(run));
	if (w->examples < examples) {
		json_t *t = trace(rec, o->dir);
		char *text = json_dumps(t, JSON_INDENT(2));

		if (!w->ex) {
			char *side = ex_path(o, f);

			w->ex = fopen(side, "w");
			free(side);
			if (!w->ex)
				return -1;
		}
		fprintf(w->ex, "%s%s", w->examples ? ",\n" : "", text);
		w->examples++;
		free(text);
		json_decref(t);
	}
	return 0;
}

static int close_out(struct out *o, const struct flaw *flaws, int n_flaws,
		     long long runs_done, long long runs, int shard, int shards)
{
	int r = 0;

	fprintf(o->j, "{\"type\":\"campaign\",\"event\":\"stop\",\"runs_done\":%lld}\n",
		runs_done);
	if (fclose(o->j))
		r = -1;
	for (int k = 0; k < n_flaws; k++) {
		struct sighting *w = &o->seen[k];

		if (w->ex && fclose(w->ex))
			r = -1;
		if (w->count && write_flaw(o, &flaws[k], w) < 0)
			r = -1;
		json_decref(w->runs);
	}
	if (write_campaign(o, runs, shard, shards) < 0)
		r = -1;
	free(o->seen);
	free(o->dir);
	return r;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	long long runs = argc > 2 ? atoll(argv[2]) : 100000;
	int n_flaws = argc > 3 ? atoi(argv[3]) : 50, examples = argc > 4 ? atoi(argv[4]) : 3;
	int shards = argc > 5 ? atoi(argv[5]) : 0, n_out = shards ? shards : 1;
	long long *done = calloc((size_t)n_out, sizeof(long long));
	struct flaw *flaws;
	struct out *outs;
	long long t0 = 1795622847000LL;
	int found = 0, r = 0;

	if (!dir || runs < 1 || n_flaws < 0 || examples < 0 || shards < 0 || shards > 10000) {
		fprintf(stderr, "usage: gen_journal DIR [RUNS [FLAWS [EXAMPLES [SHARDS]]]]\n");
		return 2;
	}
	outs = calloc((size_t)n_out, sizeof(*outs));
	for (int i = 0; i < n_out; i++) {
		char *d = shards ? xasprintf("%s/shard-%d", dir, i + 1) : xstrdup(dir);

		if (open_out(&outs[i], d, n_flaws) < 0)
			return 1;
		free(d);
	}
	flaws = calloc((size_t)n_flaws + 1, sizeof(*flaws));
	for (int k = 0; k < n_flaws; k++) {
		char ev[96];

		snprintf(ev, sizeof(ev), "probe 'health' on 'n3' is not healthy within 3 s "
			 "after fault variant %c%c", 'a' + k / 26, 'a' + k % 26);
		flaws[k].fault = fault_types[k % N_TYPES];
		flaws[k].sig = flaws_signature("probe-recovers", flaws[k].fault, "member", ev);
		flaws[k].id = flaws_id(flaws[k].sig);
		/* discoveries slow down: flaw k first shows at about 1 + k^2 * runs/2500 */
		flaws[k].first = 1 + (long long)k * k * runs / 2500;
	}
	for (long long run = 1; run <= runs; run++, t0 += 10000) {
		/* shard I holds the runs r with r % SHARDS == I % SHARDS */
		int s = shards ? (int)((run % shards + shards - 1) % shards) : 0, k = -1;
		struct out *o = &outs[s];
		const char *fault = fault_types[below(N_TYPES)];
		int node = 1 + below(3), roll = below(1000);
		json_t *rec;
		char *line;

		while (found < n_flaws && flaws[found].first <= run)
			found++;
		for (int i = 0; i < found && k < 0; i++)
			if (flaws[i].first == run)
				k = i;
		if (k < 0 && found && roll < 20)
			k = below(found);
		if (k >= 0)
			fault = flaws[k].fault;
		if (roll >= 995)
			fprintf(o->j, "{\"type\":\"infra\",\"run\":%lld,\"attempt\":1,\"error\":\"ready: "
				"not ready within 30 s: probe 'health' on 'n2'\",\"action\":\"retry\"}\n",
				run);
		rec = record(run, t0, fault, node, k >= 0 ? "flaw" : roll < 350 ? "no-effect"
			     : "recovered", k >= 0 ? &flaws[k] : NULL);
		line = json_dumps(rec, JSON_COMPACT);
		fprintf(o->j, "%s\n", line);
		free(line);
		done[s]++;
		if (k >= 0 && count_hit(o, &flaws[k], k, run, t0, rec, examples) < 0)
			return 1;
		json_decref(rec);
	}
	for (int i = 0; i < n_out; i++)
		if (close_out(&outs[i], flaws, n_flaws, done[i], runs, i + 1, shards) < 0)
			r = 1;
	for (int k = 0; k < n_flaws; k++) {
		free(flaws[k].sig);
		free(flaws[k].id);
	}
	free(flaws);
	free(outs);
	free(done);
	return r;
}
