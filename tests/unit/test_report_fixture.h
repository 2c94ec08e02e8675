/* test_report_fixture.h - hand-made results directories for the report
 * tests, written through the journal and flaw store APIs the engine uses
 * (journal_write_campaign, journal_append, flaws_record), with records
 * shaped like engine_run.c's. No VMs. */
#ifndef TEST_REPORT_FIXTURE_H
#define TEST_REPORT_FIXTURE_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "flaws.h"
#include "journal.h"
#include "paths.h"
#include "tap.h"

struct fx {
	char *dir;
	struct journal *j;
	struct flaw_store *fs;
	long long t0_ms;	/* wall time of run 1 */
};

/* A fresh results directory under a temp dir; name and description go
 * into campaign.json's config. */
static inline void fx_open(struct fx *f, const char *dir, const char *name,
			   const char *description)
{
	struct err e = { "" };
	json_t *meta = json_pack("{s:{s:s, s:s, s:s, s:{s:i}, s:{s:[{s:s}, {s:s}, {s:s}]}}, "
				 "s:s, s:i, s:s, s:s, s:s, s:s}",
		"config", "name", name, "description", description, "mode", "isolated",
		"schedule", "runs", 10, "testbed", "nodes", "name", "n1", "name", "n2",
		"name", "n3", "config_path", "configs/test.json", "seed", 7,
		"tool_version", "0.1.0", "image_hash", "0123abcd", "accel", "tcg",
		"start_time", "2026-01-02T03:04:05.000Z");

	memset(f, 0, sizeof(*f));
	f->dir = xstrdup(dir);
	f->t0_ms = 1767323045000LL;	/* 2026-01-02T03:04:05Z */
	ok(journal_open(dir, &f->j, NULL, &e) == 0, "fixture: journal_open: %s", e.msg);
	ok(journal_write_campaign(dir, meta, &e) == 0, "fixture: campaign.json: %s", e.msg);
	ok(flaws_open(dir, &f->fs, &e) == 0, "fixture: flaws_open: %s", e.msg);
	json_decref(meta);
}

static inline void fx_append(struct fx *f, json_t *rec)
{
	struct err e = { "" };

	if (journal_append(f->j, rec, &e) < 0)
		ok(0, "fixture: journal_append: %s", e.msg);
	json_decref(rec);
}

static inline void fx_event(struct fx *f, const char *event)
{
	fx_append(f, json_pack("{s:s, s:s}", "type", "campaign", "event", event));
}

static inline void fx_infra(struct fx *f, long long run, const char *error,
			    const char *action)
{
	fx_append(f, json_pack("{s:s, s:I, s:i, s:s, s:s}", "type", "infra", "run",
			       (json_int_t)run, "attempt", 1, "error", error, "action", action));
}

static inline void fx_wall(long long ms, char out[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char t[24];

	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03lldZ", t, ms % 1000);
}

/* One run as the engine records it. failed_oracle NULL: not a flaw; then
 * outcome is "no-effect" or "recovered". reason is the failing oracle's
 * reason (the flaw's evidence); logs (stolen, may be NULL) go into the
 * trace. reset_ms gives phases.reset_ms and resets[].ready_ms. */
static inline void fx_run(struct fx *f, long long run, const char *outcome,
			  const char *fault, const char *node, const char *failed_oracle,
			  const char *class_, const char *reason, int reset_ms,
			  json_t *logs)
{
	long long start = f->t0_ms + (run - 1) * 10000;
	char started[32], ended[32];
	json_t *rec, *trace;

	fx_wall(start, started);
	fx_wall(start + 9000, ended);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:[{s:s, s:s, s:s, s:s, s:s}, "
			"{s:s, s:s, s:s, s:s, s:s}], "
			"s:[{s:s, s:s, s:s, s:s, s:i, s:i, s:{s:s}, s:{s:s}, s:b}], "
			"s:{s:i, s:i}, s:[{s:s, s:s, s:i, s:i}, {s:s, s:s, s:i, s:i}], "
			"s:{s:[{s:s, s:s, s:[[i, i, b], [i, i, b], [i, i, b]]}], s:[]}}",
		"type", "run", "outcome", outcome, "started", started, "ended", ended,
		"run", (json_int_t)run, "duration_ms", (json_int_t)9000,
		"oracles",
		"oracle", "probe-recovers", "verdict",
		failed_oracle && !strcmp(failed_oracle, "probe-recovers") ? "fail" : "pass",
		"class", "recovery", "reason", failed_oracle ? reason : "", "data", "x",
		"oracle", "containment", "verdict",
		failed_oracle && !strcmp(failed_oracle, "containment") ? "fail" : "pass",
		"class", "containment", "reason", "", "data", "y",
		"faults", "type", fault, "side", "agent", "node", node, "role", "member",
		"start_ms", 2000, "end_ms", 2600, "evidence", "detail", reason,
		"undo_evidence", "action", "none", "restored", 0,
		"phases", "reset_ms", reset_ms, "ready_ms", 500,
		"resets", "node", "n1", "path", "loadvm", "revert_ms", 100, "ready_ms", reset_ms,
		"node", "n2", "path", "loadvm", "revert_ms", 100, "ready_ms", reset_ms - 10,
		"probes", "series", "probe", "health", "node", node, "samples",
		1000, 80, 1, 2500, 300, 0, 4000, 90, 1, "transitions");
	if (failed_oracle) {
		char *sig = flaws_signature(failed_oracle, fault, "member", reason);
		char *id = flaws_id(sig);
		struct flaw_hit hit = { .signature = sig, .oracle = failed_oracle,
					.fault = fault, .role = "member", .class_ = class_,
					.run = run, .wall_ns = (start + 9000) * 1000000LL };
		struct err e = { "" };
		char replay[256];

		json_object_set_new(rec, "class", json_string(class_));
		json_object_set_new(rec, "failed_oracle", json_string(failed_oracle));
		json_object_set_new(rec, "reason", json_string(reason));
		json_object_set_new(rec, "signature", json_string(sig));
		json_object_set_new(rec, "flaw", json_string(id));
		snprintf(replay, sizeof(replay), "campaign replay %s %lld", f->dir, run);
		trace = json_pack("{s:O, s:[{s:i, s:s, s:s}, {s:i, s:s, s:s, s:s}, "
				  "{s:i, s:s, s:s, s:s, s:s}], s:s}",
			"record", rec, "timeline", "t_ms", 900, "event", "reset", "wall", started,
			"t_ms", 2000, "event", "inject", "fault", fault, "wall", started,
			"t_ms", 8000, "event", "verdict", "oracle", failed_oracle,
			"verdict", "fail", "wall", ended, "replay", replay);
		if (logs)
			json_object_set_new(trace, "logs", logs);
		if (flaws_record(f->fs, &hit, trace, NULL, &e) < 0)
			ok(0, "fixture: flaws_record: %s", e.msg);
		free(sig);
		free(id);
	} else {
		json_decref(logs);
	}
	fx_append(f, rec);
}

static inline void fx_close(struct fx *f)
{
	journal_close(f->j);
	flaws_free(f->fs);
	free(f->dir);
	memset(f, 0, sizeof(*f));
}

/* A temp directory (new string); fx_rmdir() removes it. */
static inline char *fx_tmpdir(void)
{
	char tmpl[] = "/tmp/test_report.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? xstrdup(d) : NULL;
}

static inline void fx_rmdir(char *dir)
{
	if (dir)
		paths_remove_tree(dir, NULL);
	free(dir);
}

/* The whole file as a new string, or NULL. */
static inline char *fx_read(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b);
}

/* dir/name's text as a new string, or NULL. */
static inline char *fx_read_at(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name), *text = fx_read(path);

	free(path);
	return text;
}

/* How many times needle occurs in hay. */
static inline int fx_count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#endif
