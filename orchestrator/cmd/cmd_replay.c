/* cmd_replay.c - `campaign replay DIR RUN [--times N]`: run a recorded
 * plan again, N times, and say how often it reproduced ("reproduced k of
 * N"); for a flaw run, keep that with the flaw (its file's "replays"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "commands.h"
#include "engine.h"
#include "flaws.h"
#include "harness.h"
#include "journal.h"
#include "load.h"
#include "log.h"
#include "ssh.h"
#include "testbed.h"

struct find {
	long long run;
	json_t *record;		/* new, the last record of that run */
};

static int find_run(json_t *record, long long line, void *ctx, struct err *e)
{
	struct find *f = ctx;

	(void)line;
	(void)e;
	if (!strcmp(json_string_value(json_object_get(record, "type")) ?: "", "run") &&
	    json_integer_value(json_object_get(record, "run")) == f->run) {
		json_decref(f->record);
		f->record = json_incref(record);
	}
	return 0;
}

static int load_recorded(const char *dir, long long run, struct config **ret_cfg,
			 json_t **ret_record, struct err *e)
{
	char *path = xasprintf("%s/campaign.json", dir);
	json_error_t jerr;
	json_t *meta = json_load_file(path, 0, &jerr), *stored;
	struct find f = { run, NULL };
	const char *cfg_path;
	int ret = -1;

	if (!meta) {
		err_set(e, "cannot read '%s': %s", path, jerr.text);
		goto out;
	}
	cfg_path = json_string_value(json_object_get(meta, "config_path"));
	if (!cfg_path || load_campaign_config(cfg_path, ret_cfg, e) < 0) {
		if (!cfg_path)
			err_set(e, "'%s' names no config_path", path);
		goto out;
	}
	stored = json_loads((*ret_cfg)->canonical, 0, NULL);
	if (!json_equal(stored, json_object_get(meta, "config"))) {
		err_set(e, "config '%s' changed since the campaign in '%s' ran",
			cfg_path, dir);
		json_decref(stored);
		config_free(*ret_cfg);
		goto out;
	}
	json_decref(stored);
	(*ret_cfg)->seed = (unsigned long long)json_integer_value(json_object_get(meta, "seed"));
	if (journal_foreach(dir, find_run, &f, e) < 0) {
		config_free(*ret_cfg);
		goto out;
	}
	if (!f.record) {
		err_set(e, "run %lld is not recorded in '%s'", run, dir);
		config_free(*ret_cfg);
		goto out;
	}
	*ret_record = f.record;
	ret = 0;
out:
	json_decref(meta);
	free(path);
	return ret;
}

struct replay_args {
	long long times;
};

static const struct option_spec replay_options[] = {
	OPT_INT(0, "times", struct replay_args, times, "N", 1, 1000,
		"replay the run N times (default 1), each from the golden snapshot; "
		"say how often it reproduced and, for a flaw, keep that with it"),
	OPT_END(),
};

static const struct options_cmd replay_cmd = {
	"replay", "replay DIR RUN [--times N]", replay_options, 2, 2,
};

static void describe(json_t *rec, struct buf *out)
{
	const char *o = json_string_value(json_object_get(rec, "outcome"));
	const char *r = json_string_value(json_object_get(rec, "reason"));

	buf_adds(out, o ? o : "?");
	if (r)
		buf_addf(out, " (%s)", r);
}

static void on_replay(void *ctx, int i, int times, json_t *rec, int same)
{
	struct buf b = BUF_INIT;

	(void)ctx;
	describe(rec, &b);
	log_info("replay %d of %d: %s: %s", i, times, b.data,
		 same ? "reproduced" : "not reproduced");
	buf_release(&b);
}

/* The rate with the flaw (its file's "replays"), under the results
 * directory's lock: not while a campaign writes there. */
static int note_with_flaw(const char *dir, json_t *old, long long run, int k,
			  int times, struct err *e)
{
	const char *id = json_string_value(json_object_get(old, "flaw"));
	struct flaw_store *s = NULL;
	json_t *rep;
	char when[32];
	int fd = -1, r;

	if (!id || !flaws_id_valid(id, strlen(id)))
		return err_set(e, "run %lld names no flaw", run);
	if (journal_lock(dir, &fd, e) < 0 || flaws_open(dir, &s, e) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	clock_format_wall(clock_wall_ns(), when);
	rep = json_pack("{s:I, s:i, s:i, s:s}", "run", (json_int_t)run,
			"reproduced", k, "times", times, "time", when);
	r = flaws_note_replay(s, id, rep, e);
	json_decref(rep);
	flaws_free(s);
	close(fd);
	return r;
}

static int cmd_replay(int argc, char **argv)
{
	struct replay_args a = { .times = 1 };
	struct config *cfg = NULL;
	struct testbed *tb = NULL;
	struct harness *h = NULL;
	json_t *old = NULL;
	struct plan plan = { 0 };
	struct err e = { "" };
	char *dir = NULL, *end;
	const char *results;
	long long run;
	int ret = EXIT_INFRA, brought_up = 0, k = 0;

	if (command_options(&replay_cmd, &argc, argv, &a, &ret) < 0)
		return ret;
	ret = EXIT_INFRA;
	results = argv[0];
	if ((run = strtoll(argv[1], &end, 10)) < 1 || *end)
		return command_usage_error(&replay_cmd, "RUN '%s' is not a positive "
					   "integer", argv[1]);
	if (load_recorded(results, run, &cfg, &old, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	if (ssh_global_init(&e) < 0 || testbed_open(cfg, &tb, &e) < 0)
		goto fail;
	if (!testbed_is_up(tb)) {
		if (testbed_up(tb, &e) < 0)
			goto fail;
		brought_up = 1;
	}
	{
		struct plan_node *nodes = xcalloc((size_t)testbed_n_nodes(tb), sizeof(*nodes));

		for (int i = 0; i < testbed_n_nodes(tb); i++)
			nodes[i] = (struct plan_node){ testbed_node(tb, i)->name,
						       testbed_node(tb, i)->role };
		int r = plan_from_json(json_object_get(old, "plan"), nodes,
				       testbed_n_nodes(tb), &plan, &e);
		free(nodes);
		if (r < 0)
			goto fail;
	}
	dir = xasprintf("%s/replays/%lld", results, run);
	log_info("replaying run %lld of '%s' %lld time%s", run, results, a.times,
		 a.times == 1 ? "" : "s");
	if (harness_real_new(cfg, tb, &h, &e) < 0 ||
	    engine_replay_times(cfg, h, &plan, dir, old, (int)a.times, on_replay, NULL,
				&k, &e) < 0)
		goto fail;
	{
		struct buf was = BUF_INIT;

		describe(old, &was);
		printf("run %lld: recorded %s, replayed %lld time%s: %s %d of %lld\n", run,
		       was.data, a.times, a.times == 1 ? "" : "s",
		       k ? "reproduced" : "not reproduced", k, a.times);
		buf_release(&was);
		ret = k ? EXIT_OK : EXIT_FLAWS;
	}
	if (!strcmp(json_string_value(json_object_get(old, "outcome")) ?: "", "flaw") &&
	    note_with_flaw(results, old, run, k, (int)a.times, &e) < 0)
		log_error("cannot keep the reproduction rate with the flaw: %s", e.msg);
	goto cleanup;
fail:
	log_error("%s", e.msg);
cleanup:
	if (tb && brought_up)
		testbed_down(tb, NULL);
	plan_release(&plan);
	json_decref(old);
	harness_real_free(h);
	testbed_free(tb);
	config_free(cfg);
	free(dir);
	return ret;
}

static const struct options_cmd *const replay_forms[] = { &replay_cmd, NULL };

const struct command command_replay = {
	"replay", cmd_replay, "re-execute one recorded run (N times) and say how "
	"often its outcome reproduced", replay_forms,
};
