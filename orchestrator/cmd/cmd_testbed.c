/* cmd_testbed.c - `campaign testbed up|status|reset|down CONFIG`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "commands.h"
#include "config.h"
#include "log.h"
#include "ssh.h"
#include "testbed.h"

struct testbed_args {
	int json;
	const char *nodes;	/* "n1,n2" or NULL */
	const char *path;	/* reset: force loadvm, revert or destroy-revert */
	const char *sync;	/* reset: "ssh" forces the old clock path */
	const char *action;
	const char *config;
	const char *node;	/* ssh: the node */
	struct buf command;	/* ssh: the remote command, words joined */
};

static const struct option_spec testbed_options[] = {
	OPT_FLAG(0, "json", struct testbed_args, json,
		 "status, reset: print JSON (reset: one line per node)"),
	OPT_STRING(0, "nodes", struct testbed_args, nodes, "N1,N2",
		   "reset: only these nodes (default: all)"),
	OPT_STRING(0, "path", struct testbed_args, path, "PATH",
		   "reset: only by loadvm, revert or destroy-revert (default: "
		   "loadvm, falling back to the others)"),
	OPT_STRING(0, "sync", struct testbed_args, sync, "HOW",
		   "reset: set the guest clock and entropy through the control "
		   "'channel' (default, SSH if it does not answer) or over 'ssh' "
		   "(to compare)"),
	OPT_END(),
};

/* Options stop after "ssh CONFIG NODE": the rest is the remote command. */
static const struct options_cmd testbed_cmd = {
	"testbed", "testbed up|status|reset|down CONFIG [options]\n"
	"testbed ssh CONFIG NODE [--] COMMAND...",
	testbed_options, 2, -1, 3,
};

static const struct options_cmd *const testbed_forms[] = { &testbed_cmd, NULL };

/* The positional arguments, after the options. */
static int take_args(int argc, char **argv, struct testbed_args *a)
{
	a->action = argv[0];
	a->config = argv[1];
	if (strcmp(a->action, "ssh")) {
		if (argc > 2)
			return command_usage_error(&testbed_cmd, "unexpected argument "
						   "'%s'", argv[2]);
		return 0;
	}
	if (argc < 3)
		return command_usage_error(&testbed_cmd, "ssh needs a NODE");
	a->node = argv[2];
	for (int i = 3; i < argc; i++) {
		if (i == 3 && !strcmp(argv[i], "--"))
			continue;
		if (a->command.len)
			buf_addch(&a->command, ' ');
		buf_adds(&a->command, argv[i]);
	}
	return 0;
}

static int do_up(struct testbed *tb)
{
	struct err e = { "" };
	int64_t t0 = clock_mono_ms();

	log_info("acceleration: %s", testbed_accel_reason(tb));
	if (testbed_up(tb, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_INFRA;
	}
	log_info("testbed is up: %d nodes answer SSH, snapshot 'golden' taken "
		 "in %.1f s", testbed_n_nodes(tb), (clock_mono_ms() - t0) / 1000.0);
	return EXIT_OK;
}

/* Run one command on a node over the pinned SSH connection; its output
 * passes through and its exit status becomes ours (255: no connection,
 * as ssh(1) does). */
static int do_ssh(struct testbed *tb, struct testbed_args *a)
{
	const struct testbed_node *n = testbed_find(tb, a->node);
	struct ssh_result r;
	struct err e = { "" };
	int ret = 255;

	if (!n) {
		log_error("no node '%s' in testbed '%s'", a->node,
			  testbed_prefix(tb));
		return EXIT_USAGE;
	}
	if (!a->command.len) {
		log_error("testbed ssh: no command given");
		return EXIT_USAGE;
	}
	ssh_result_init(&r);
	if (testbed_node_run(n, a->command.data, 10000, 600000, &r, &e) < 0) {
		log_error("%s", e.msg);
		goto cleanup;
	}
	fwrite(r.out.data, 1, r.out.len, stdout);
	fwrite(r.errout.data, 1, r.errout.len, stderr);
	ret = r.status;
cleanup:
	ssh_result_release(&r);
	return ret;
}

/* list is cut in place; *ret borrows from it. */
static int split_nodes(char *list, const char ***ret)
{
	int n = 0;
	const char **names = xcalloc(strlen(list) + 1, sizeof(*names));

	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		names[n++] = tok;
	*ret = names;
	return n;
}

static int do_reset(struct testbed *tb, struct testbed_args *a)
{
	struct reset_report *reports = xcalloc((size_t)testbed_n_nodes(tb),
					       sizeof(*reports));
	const char **names = NULL;
	char *nodes = a->nodes ? xstrdup(a->nodes) : NULL;
	int n_names = nodes ? split_nodes(nodes, &names) : 0;
	int64_t t0 = clock_mono_ms();
	struct err e = { "" };
	int ret = EXIT_OK;

	if (a->path) {
		int p = !strcmp(a->path, "loadvm") ? RESET_LOADVM
		      : !strcmp(a->path, "revert") ? RESET_REVERT
		      : !strcmp(a->path, "destroy-revert") ? RESET_DESTROY_REVERT : -1;

		if (p < 0) {
			log_error("testbed reset: --path is loadvm, revert or "
				  "destroy-revert, not '%s'", a->path);
			ret = EXIT_USAGE;
			goto cleanup;
		}
		testbed_force_reset_path(tb, p);
	}
	if (a->sync && strcmp(a->sync, "channel") && strcmp(a->sync, "ssh")) {
		log_error("testbed reset: --sync is channel or ssh, not '%s'", a->sync);
		ret = EXIT_USAGE;
		goto cleanup;
	}
	testbed_force_ssh_sync(tb, a->sync && !strcmp(a->sync, "ssh"));
	if (testbed_reset(tb, names, n_names, reports, &e) < 0) {
		log_error("%s", e.msg);
		ret = EXIT_INFRA;
		goto cleanup;
	}
	for (int i = 0; i < testbed_n_nodes(tb); i++) {
		if (!reports[i].ready_ms)
			continue;
		if (a->json) {
			json_t *j = reset_report_json(&reports[i], testbed_node(tb, i)->name);
			char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

			printf("%s\n", text);
			free(text);
			json_decref(j);
		} else if (reports[i].by_channel) {
			log_info("reset '%s' by %s: reverted in %lld ms, clock set through "
				 "the control channel (offset %+.1f ms), ready in %lld ms",
				 testbed_node(tb, i)->name,
				 reset_path_name(reports[i].path),
				 (long long)reports[i].revert_ms,
				 (double)reports[i].clock_offset_us / 1000,
				 (long long)reports[i].ready_ms);
		} else {
			log_info("reset '%s' by %s: reverted in %lld ms, clock set over "
				 "SSH (%s), ready in %lld ms", testbed_node(tb, i)->name,
				 reset_path_name(reports[i].path),
				 (long long)reports[i].revert_ms, reports[i].fallback,
				 (long long)reports[i].ready_ms);
		}
	}
	log_info("reset done in %lld ms", (long long)(clock_mono_ms() - t0));
cleanup:
	free(names);
	free(nodes);
	free(reports);
	return ret;
}

static void print_status(const char *text)
{
	json_t *root = json_loads(text, 0, NULL), *nodes, *n;
	size_t i;

	if (!root)
		return;
	printf("testbed %s: %s, acceleration %s (%s)\n",
	       json_string_value(json_object_get(root, "prefix")),
	       json_is_true(json_object_get(root, "up")) ? "up" : "down",
	       json_string_value(json_object_get(root, "accel")),
	       json_string_value(json_object_get(root, "accel_reason")));
	printf("%-10s %-10s %-24s %-10s %-16s %-16s %s\n", "NODE", "ROLE",
	       "DOMAIN", "STATE", "SSH", "CLUSTER", "SNAPSHOTS");
	nodes = json_object_get(root, "nodes");
	json_array_foreach(nodes, i, n) {
		json_t *snaps = json_object_get(n, "snapshots"), *sn;
		size_t k;

		printf("%-10s %-10s %-24s %-10s %-16s %-16s ",
		       json_string_value(json_object_get(n, "name")),
		       json_string_value(json_object_get(n, "role")),
		       json_string_value(json_object_get(n, "domain")),
		       json_string_value(json_object_get(n, "state")),
		       json_string_value(json_object_get(n, "ssh")),
		       json_string_value(json_object_get(n, "cluster_ip")));
		json_array_foreach(snaps, k, sn)
			printf("%s%s", k ? "," : "", json_string_value(sn));
		printf("%s\n", json_array_size(snaps) ? "" : "-");
	}
	json_decref(root);
}

static int do_status(struct testbed *tb, int json)
{
	struct err e = { "" };
	char *text = NULL;

	if (testbed_status_json(tb, &text, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_INFRA;
	}
	if (json)
		puts(text);
	else
		print_status(text);
	free(text);
	return EXIT_OK;
}

static int cmd_testbed(int argc, char **argv)
{
	struct testbed_args a = { .command = BUF_INIT };
	struct config *cfg = NULL;
	struct testbed *tb = NULL;
	struct err e = { "" };
	int ret;

	if (command_options(&testbed_cmd, &argc, argv, &a, &ret) < 0)
		return ret;
	if (take_args(argc, argv, &a) != 0) {
		buf_release(&a.command);
		return EXIT_USAGE;
	}
	if (config_load(a.config, &cfg, &e) < 0) {
		log_error("%s", e.msg);
		buf_release(&a.command);
		return EXIT_USAGE;
	}
	if (ssh_global_init(&e) < 0 || testbed_open(cfg, &tb, &e) < 0) {
		log_error("%s", e.msg);
		config_free(cfg);
		buf_release(&a.command);
		return EXIT_INFRA;
	}
	if (!strcmp(a.action, "up"))
		ret = do_up(tb);
	else if (!strcmp(a.action, "reset"))
		ret = do_reset(tb, &a);
	else if (!strcmp(a.action, "ssh"))
		ret = do_ssh(tb, &a);
	else if (!strcmp(a.action, "status"))
		ret = do_status(tb, a.json);
	else if (!strcmp(a.action, "down")) {
		ret = testbed_down(tb, &e) < 0 ? EXIT_INFRA : EXIT_OK;
		if (ret)
			log_error("%s", e.msg);
		else
			log_info("testbed '%s' is down", cfg->testbed.prefix);
	} else {
		log_error("testbed: unknown action '%s' (up, status, reset, down)",
			  a.action);
		ret = EXIT_USAGE;
	}
	testbed_free(tb);
	config_free(cfg);
	buf_release(&a.command);
	return ret;
}

const struct command command_testbed = {
	"testbed", cmd_testbed, "manage the libvirt testbed of a campaign",
	testbed_forms,
};
