/* test_config.c - config_load: valid configs, and every error with its
 * exact message, line and JSON path.
 *
 * Inline fixtures use ' for " (none of them needs a literal quote); each
 * is written to a fresh file in a temporary directory that also holds a
 * stand-in ssh key ("id"), so "image": "." and "key": "id" resolve. */
#include "config.h"
#include "jsonpos.h"
#include "load.h"
#include "tap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_config.XXXXXX";
static int n_files;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* A new config file holding text with ' turned into ". New string. */
static char *config_file(const char *text)
{
	char *path = xasprintf("%s/c%02d.json", dir, ++n_files);
	char *json = xstrdup(text), *p;

	for (p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	write_file(path, json);
	free(json);
	return path;
}

/* config_load must fail with "FILE:" + want. */
static void fails(const char *text, const char *want, const char *what)
{
	char *path = config_file(text);
	struct config *c = NULL;
	struct err e = { "" };
	size_t n = strlen(path);

	if (!ok(config_load(path, &c, &e) == -1, "%s: fails", what)) {
		config_free(c);
	} else if (strncmp(e.msg, path, n) || e.msg[n] != ':') {
		is_str(e.msg, want, what);
	} else {
		is_str(e.msg + n + 1, want, what);
	}
	free(path);
}

/* config_load must succeed; *ret is new. */
static struct config *loads(const char *text, const char *what)
{
	char *path = config_file(text);
	struct config *c = NULL;
	struct err e = { "" };

	if (!ok(config_load(path, &c, &e) == 0, "%s: loads", what))
		printf("#   %s\n", e.msg);
	free(path);
	return c;
}

#define NODES1 "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}]}\n"
#define NODES1T "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}]"	/* line 3, open */
#define HEAD "{\n  'name': 't',\n"	/* lines 1-2 */

static void test_minimal(void)
{
	struct config *c = NULL;
	struct err e = { "" };
	char *abs = realpath("tests/unit/configs", NULL);

	ok(config_load("tests/unit/configs/minimal.json", &c, &e) == 0,
	   "minimal config loads");
	if (!c) {
		printf("#   %s\n", e.msg);
		free(abs);
		return;
	}
	is_str(c->name, "minimal", "name");
	is_int((long long)c->seed, 1, "seed defaults to 1");
	is_int(c->mode, CONFIG_ISOLATED, "mode defaults to isolated");
	is_str(c->testbed.uri, "qemu:///system", "uri default");
	is_int(c->testbed.accel, ACCEL_AUTO, "accel default");
	is_str(c->testbed.image, abs, "image resolved against the config dir");
	is_str(c->testbed.prefix, "cmp-minimal", "prefix derived from name");
	is_int(c->testbed.memory_mib, 0, "memory: the image's");
	is_int(c->testbed.vcpus, 1, "vcpus default");
	is_int(c->testbed.net, NET_VDE, "network default vde");
	ok(c->testbed.libvirt_network == NULL, "no libvirt network for vde");
	is_str(c->testbed.subnet, "10.99.0.0/24", "subnet default");
	is_int(c->testbed.ssh_port_base, 0, "port base: derived");
	is_int(c->testbed.boot_timeout_s, 120, "boot timeout default");
	is_int(c->testbed.ready_timeout_s, 30, "ready timeout default");
	is_int(c->testbed.n_nodes, 1, "one node");
	is_str(c->testbed.nodes[0].role, "member", "role default");
	ok(c->workload.start == NULL, "no workload");
	ok(c->workload.stop_timeout_s == 10 && c->workload.where == CONFIG_ON_CONTROLLER,
	   "workload defaults without a workload");
	is_int(c->n_probes + c->n_faults + c->n_oracles, 0, "no probes, faults, oracles");
	is_int(c->schedule.runs, 10, "runs default");
	ok(c->schedule.budget_s == 0, "budget unlimited");
	is_int(c->schedule.faults_per_run, 1, "faults per run default");
	ok(c->schedule.inject_at_s.min == 1 && c->schedule.inject_at_s.max == 3,
	   "inject_at_s default [1, 3]");
	ok(c->schedule.observe_s == 10, "observe default");
	is_int(c->schedule.max_infra_retries, 3, "retries default");
	is_int(c->logs.max_bytes, 65536, "log bytes default");
	is_str(c->canonical,
	       "{\"name\":\"minimal\",\"testbed\":{\"image\":\".\",\"nodes\":"
	       "[{\"name\":\"n1\"}]}}", "canonical JSON");
	ok(config_node(c, "n1") == &c->testbed.nodes[0], "config_node finds n1");
	ok(config_node(c, "n9") == NULL, "config_node: no n9");
	config_free(c);
	free(abs);
}

static void test_full(void)
{
	struct config *c = NULL;
	struct err e = { "" };
	const struct config_probe *p;
	const struct config_fault *f;
	char *key = realpath("tests/unit/configs/minimal.json", NULL);

	ok(config_load("tests/unit/configs/full.json", &c, &e) == 0,
	   "full config loads");
	if (!c) {
		printf("#   %s\n", e.msg);
		free(key);
		return;
	}
	is_str(c->description, "every section, every key", "description");
	is_int((long long)c->seed, 42, "seed");
	is_int(c->mode, CONFIG_CONTINUOUS, "mode continuous");
	is_int(c->testbed.accel, ACCEL_TCG, "accel tcg");
	is_str(c->testbed.prefix, "cmp-full", "explicit prefix");
	is_int(c->testbed.net, NET_LIBVIRT, "libvirt network");
	is_str(c->testbed.libvirt_network, "campaign", "libvirt network name");
	is_str(c->testbed.subnet, "10.42.0.0/26", "subnet");
	is_int(c->testbed.n_nodes, 4, "four nodes");
	is_int(c->testbed.nodes[0].memory_mib, 512, "node memory");
	is_str(c->testbed.nodes[3].domain, "my-client-vm", "existing domain");
	is_int(c->testbed.nodes[3].ssh.port, 22, "ssh port");
	is_str(c->testbed.nodes[3].ssh.key, key, "ssh key resolved");
	is_int(c->workload.where, CONFIG_ON_NODE, "workload on a node");
	is_int(c->workload.node.n_names, 1, "workload: role 'client' is one node");
	is_str(c->workload.node.names[0], "ext", "workload node resolved");
	ok(c->workload.warmup_s == 1.5 && c->workload.stop_timeout_s == 5,
	   "workload times");
	is_str(c->workload.leader, "sut-is-primary", "workload leader command");
	is_int(c->testbed.n_bootstrap, 3, "three bootstrap steps");
	ok(c->testbed.n_bootstrap == 3 &&
	   c->testbed.bootstrap[0].kind == CONFIG_STEP_UPLOAD &&
	   c->testbed.bootstrap[0].nodes->n_names == 2 &&
	   c->testbed.bootstrap[2].kind == CONFIG_STEP_WAIT &&
	   c->testbed.bootstrap[2].timeout_s == 30, "bootstrap steps read");
	ok(c->testbed.n_on_boot == 1 && c->testbed.on_boot[0].kind == CONFIG_STEP_RUN &&
	   !strcmp(c->testbed.on_boot[0].what, "sut-start {node.name}") &&
	   c->testbed.on_boot[0].nodes->n_names == 3, "on_boot step read");
	is_int(c->n_probes, 2, "two probes");
	p = config_probe(c, "health");
	ok(p && p->kind == CONFIG_PROBE_HTTP && p->expect_status == 204 &&
	   p->every_ms == 250 && p->timeout_ms == 500, "http probe");
	ok(p && p->nodes.n_names == 2 && !strcmp(p->nodes.names[0], "n2") &&
	   !strcmp(p->nodes.names[1], "n3"), "role selector resolved in order");
	ok(p && !strcmp(p->expect_json_path, "status.0") &&
	   json_is_true(json_object_get(p->expect_json_equals, "up")),
	   "expect_json kept");
	p = config_probe(c, "agent");
	ok(p && p->kind == CONFIG_PROBE_SSH && !p->nodes.spec &&
	   p->nodes.n_names == 2 && !strcmp(p->nodes.names[0], "n3") &&
	   !strcmp(p->expect_output, "pong") && p->every_ms == 500,
	   "ssh probe with a node list");
	ok(config_probe(c, "nope") == NULL, "config_probe: no such probe");
	is_int(c->n_faults, 3, "three faults");
	f = &c->faults[0];
	ok(f->weight == 3 && !strcmp(f->target, "any") && !f->has_duration,
	   "fault defaults");
	is_int((long long)json_object_size(f->params), 2, "params: the other keys");
	is_str(json_string_value(json_object_get(f->params, "signal")), "KILL",
	       "param kept");
	f = &c->faults[1];
	ok(f->has_duration && f->duration_s.min == 2 && f->duration_s.max == 6 &&
	   f->weight == 1 && !strcmp(f->target, "primary"), "fault range duration");
	is_int((long long)json_object_size(f->params), 0, "no params");
	f = &c->faults[2];
	ok(f->duration_s.min == 5 && f->duration_s.max == 5, "fixed duration");
	ok(json_is_array(json_object_get(f->params, "loss_pct")) &&
	   json_is_false(json_object_get(f->params, "corrupt")), "range param");
	ok(c->schedule.budget_s == 5400, "budget 1h30m");
	ok(c->schedule.inject_at_s.min == 0.5 && c->schedule.observe_s == 12.5,
	   "schedule numbers");
	is_int(c->n_oracles, 3, "three oracles");
	is_str(c->oracles[0].type, "probe-recovers", "oracle type");
	is_int((long long)json_object_size(c->oracles[0].params), 2,
	       "oracle params");
	ok(json_is_array(json_object_get(c->oracles[2].params, "args")),
	   "oracle params take any JSON");
	is_int(c->logs.n_paths, 2, "log paths");
	is_int(c->logs.max_bytes, 4096, "log bytes");
	ok(!strncmp(c->canonical, "{\"description\":", 15), "canonical sorts keys");
	config_free(c);
	free(key);
}

static void test_keys(void)
{
	fails(HEAD "  'nmae': 'x',\n" NODES1 "}\n",
	      "3: nmae: unknown key (did you mean 'name'?)",
	      "unknown top-level key, did you mean");
	fails(HEAD "  'testbed': {\n    'image': '.',\n    'acel': 'kvm',\n"
	      "    'nodes': [{'name': 'n1'}]}\n}\n",
	      "5: testbed.acel: unknown key (did you mean 'accel'?)",
	      "unknown nested key, did you mean");
	fails(HEAD NODES1 ",  'frobnicate': 1\n}\n",
	      "4: frobnicate: unknown key", "unknown key, no suggestion");
	fails(HEAD "  'testbed': {'image': '.', 'memory': 64,\n"
	      "    'nodes': [{'name': 'n1'}]}\n}\n",
	      "3: testbed.memory: unknown key (did you mean 'memory_mib'?)",
	      "prefix of a key suggests it");
	fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true',\n"
	      "   'a b': 1}}\n}\n",
	      "5: probes.p[\"a b\"]: unknown key", "odd key in a path");
	fails("{\n  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}]}\n}\n",
	      "1: missing required key 'name'", "missing name");
	fails(HEAD "  'testbed': {'image': '.',\n"
	      "    'nodes': [{'name': 'n1'}, {'role': 'x'}]}\n}\n",
	      "4: testbed.nodes[1]: missing required key 'name'",
	      "missing node name");
}

static void test_json(void)
{
	fails("{\n  'name': 't',\n  'name': 'u'\n}\n",
	      "3:8: duplicate object key near '\"name\"'", "duplicate JSON key");
	fails("{\n  'name': 't'\n  'seed': 2\n}\n",
	      "3:8: '}' expected near '\"seed\"'", "syntax error with line");
	fails("[1, 2]\n", "1: expected an object at the top level, got [1,2]",
	      "top level not an object");
	fails("", "1:0: '[' or '{' expected near end of file", "empty file");
}

static void test_types(void)
{
	fails(HEAD NODES1 ", 'schedule': {\n  'runs': 'ten'}\n}\n",
	      "5: schedule.runs: expected an integer between 1 and 1000000, got \"ten\"",
	      "runs is not an integer");
	fails(HEAD NODES1 ", 'schedule': {'runs': 2.5}\n}\n",
	      "4: schedule.runs: expected an integer between 1 and 1000000, got 2.5",
	      "runs is a real");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': {'name': 'n1'}}\n}\n",
	      "3: testbed.nodes: expected an array of nodes, got an object",
	      "nodes not an array");
	fails(HEAD "  'seed': -1,\n" NODES1 "}\n",
	      "3: seed: expected a non-negative integer, got -1", "negative seed");
	fails("{\n  'name': 'a b',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \"a b\"", "name with a space");
	fails("{\n  'name': '..',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \"..\"", "name '..' (results/.. is the current directory)");
	fails("{\n  'name': '.',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \".\"", "name '.'");
	fails("{\n  'name': '.hidden',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \".hidden\"", "name starting with a dot");
	fails("{\n  'name': 'a/../b',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \"a/../b\"", "name with a slash");
	fails("{\n  'name': '',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \"\"", "empty name");
	fails("{\n  'name': '" "0123456789012345678901234567890123456789x" "',\n" NODES1 "}\n",
	      "2: name: expected 1 to 40 characters of [A-Za-z0-9._-], not starting "
	      "with '.', got \"012345678901234567890123456789012345...",
	      "name of 41 characters");
	{
		struct config *c = loads("{\n  'name': 'a..b-1_x.y',\n" NODES1 "}\n",
					 "a name with dots inside");

		ok(c && !strcmp(c->name, "a..b-1_x.y"), "dots inside a name are fine");
		config_free(c);
	}
	fails(HEAD "  'mode': 'isolate',\n" NODES1 "}\n",
	      "3: mode: expected 'isolated' or 'continuous', got \"isolate\" "
	      "(did you mean 'isolated'?)", "bad mode");
	fails(HEAD "  'testbed': {'image': '.', 'accel': 'kmv',\n"
	      "    'nodes': [{'name': 'n1'}]}\n}\n",
	      "3: testbed.accel: expected 'auto', 'kvm' or 'tcg', got \"kmv\" "
	      "(did you mean 'kvm'?)", "bad accel");
	fails(HEAD NODES1 ", 'faults': [{'type': 'x', 'opts': {'a': 1}}]\n}\n",
	      "4: faults[0].opts: expected a number, string, boolean, range "
	      "[min, max] or choice [\"a\", \"b\"], got an object",
	      "fault param is an object");
	fails(HEAD NODES1 ", 'logs': {'paths': ['var/log/x']}\n}\n",
	      "4: logs.paths[0]: expected an absolute guest path, got \"var/log/x\"",
	      "relative log path");
}

static void test_ranges(void)
{
	fails(HEAD "  'testbed': {'image': '.', 'memory_mib': 16,\n"
	      "    'nodes': [{'name': 'n1'}]}\n}\n",
	      "3: testbed.memory_mib: expected an integer between 32 and 65536, "
	      "got 16", "memory too small");
	fails(HEAD "  'testbed': {'image': '.',\n    'vcpus': 65,\n"
	      "    'nodes': [{'name': 'n1'}]}\n}\n",
	      "4: testbed.vcpus: expected an integer between 1 and 64, got 65",
	      "too many vcpus");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': []}\n}\n",
	      "3: testbed.nodes: expected 1 to 16 nodes, got 0", "no nodes");
	fails(HEAD NODES1 ", 'faults': [\n {'type': 'netem',\n"
	      "  'duration_s': [5, 1]}]\n}\n",
	      "6: faults[0].duration_s: invalid range [5, 1]: minimum is "
	      "greater than maximum", "range [5, 1]");
	fails(HEAD NODES1 ", 'faults': [{'type': 'netem', 'loss_pct': [60, 10]}]\n}\n",
	      "4: faults[0].loss_pct: invalid range [60, 10]: minimum is "
	      "greater than maximum", "parameter range [60, 10]");
	fails(HEAD NODES1 ", 'faults': [{'type': 'x', 'weight': 0}]\n}\n",
	      "4: faults[0].weight: expected a number greater than 0 and at most "
	      "1000000, got 0",
	      "zero weight");
	fails(HEAD NODES1 ", 'schedule': {'inject_at_s': [-1, 2]}\n}\n",
	      "4: schedule.inject_at_s: expected a number of seconds between 0 "
	      "and 3600 or a range [min, max] of them, got [-1,2]", "negative inject time");
	fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true', 'every_ms': 10}}\n}\n",
	      "4: probes.p.every_ms: expected an integer between 50 and 600000, "
	      "got 10", "probe too frequent");
	fails(HEAD NODES1 ", 'schedule': {'faults_per_run': 9}\n}\n",
	      "4: schedule.faults_per_run: expected an integer between 1 and 8, "
	      "got 9", "too many faults per run");
}

/* Every number has an upper bound: nothing overflows when seconds turn
 * into milliseconds (observe_s 1e300 once became a negative time). */
static void test_bounds(void)
{
	fails(HEAD NODES1 ", 'schedule': {'observe_s': 1e300}\n}\n",
	      "4: schedule.observe_s: expected a number of seconds greater than 0 "
	      "and at most 86400, got 1e300", "observe_s huge");
	fails(HEAD NODES1 ", 'schedule': {'observe_s': 0}\n}\n",
	      "4: schedule.observe_s: expected a number of seconds greater than 0 "
	      "and at most 86400, got 0", "observe_s zero");
	fails(HEAD NODES1 ", 'schedule': {'inject_at_s': [1, 1e300]}\n}\n",
	      "4: schedule.inject_at_s: expected a number of seconds between 0 "
	      "and 3600 or a range [min, max] of them, got [1,1e300]",
	      "inject_at_s huge");
	fails(HEAD NODES1 ", 'schedule': {'runs': 1000001}\n}\n",
	      "4: schedule.runs: expected an integer between 1 and 1000000, got "
	      "1000001", "runs too many");
	fails(HEAD NODES1 ", 'schedule': {'budget': '8d'}\n}\n",
	      "4: schedule.budget: expected a duration greater than 0s and at "
	      "most 7d, got \"8d\"", "budget over 7 days");
	fails(HEAD NODES1 ", 'schedule': {'budget': '0s'}\n}\n",
	      "4: schedule.budget: expected a duration greater than 0s and at "
	      "most 7d, got \"0s\"", "budget zero");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'warmup_s': 3601}\n}\n",
	      "4: workload.warmup_s: expected a number of seconds between 0 and "
	      "3600, got 3601", "warmup over an hour");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'stop_timeout_s': 1e9}\n}\n",
	      "4: workload.stop_timeout_s: expected a number of seconds greater "
	      "than 0 and at most 3600, got 1000000000.0", "stop timeout huge");
	fails(HEAD NODES1 ", 'faults': [{'type': 'x', 'duration_s': [1, 86401]}]\n}\n",
	      "4: faults[0].duration_s: expected a number of seconds greater than 0 "
	      "and at most 86400 or a range [min, max] of them, got [1,86401]",
	      "fault longer than a day");
	fails(HEAD NODES1 ", 'faults': [{'type': 'x', 'weight': 1e7}]\n}\n",
	      "4: faults[0].weight: expected a number greater than 0 and at most "
	      "1000000, got 10000000.0", "weight huge");
	fails(HEAD NODES1T ",\n    'bootstrap': [{'run': 'a', 'timeout_s': 3601}]}\n}\n",
	      "4: testbed.bootstrap[0].timeout_s: expected an integer between 1 "
	      "and 3600, got 3601", "step timeout over an hour");
	fails(HEAD NODES1T ",\n    'bootstrap': [{'upload': 'x', 'to': '/x', "
	      "'mode': ' 644'}]}\n}\n",
	      "4: testbed.bootstrap[0].mode: expected an octal mode string like "
	      "\"0755\", got \" 644\"", "mode with a space");
}

/* The table's defaults land in the config: nobody else repeats them. */
static void test_defaults(void)
{
	struct config *c = loads(HEAD NODES1T ",\n    'network': {'type': 'libvirt'},\n"
				 "    'bootstrap': [{'upload': 'f', 'to': '/f'}]},\n"
				 "  'probes': {'p': {'http': 'http://x/'}},\n"
				 "  'faults': [{'type': 'x'}], 'workload': {'start': 'go'}\n}\n",
				 "defaults");

	if (!c)
		return;
	is_str(c->testbed.libvirt_network, "default", "libvirt network default");
	is_str(c->testbed.subnet, "10.99.0.0/24", "subnet default in a network");
	ok(c->testbed.n_bootstrap == 1 && c->testbed.bootstrap[0].mode == 0644 &&
	   c->testbed.bootstrap[0].timeout_s == 60 &&
	   !strcmp(c->testbed.bootstrap[0].nodes->spec, "all"), "step defaults");
	ok(c->n_probes == 1 && c->probes[0].every_ms == 500 &&
	   c->probes[0].timeout_ms == 1000 && c->probes[0].expect_status == 200 &&
	   !strcmp(c->probes[0].nodes.spec, "all"), "probe defaults");
	ok(c->n_faults == 1 && c->faults[0].weight == 1 &&
	   !strcmp(c->faults[0].target, "any") && !c->faults[0].has_duration,
	   "fault defaults");
	ok(c->workload.where == CONFIG_ON_CONTROLLER && c->workload.warmup_s == 0 &&
	   c->workload.stop_timeout_s == 10, "workload defaults");
	is_int(c->logs.keep_all_runs, 0, "keep_runs defaults to flaws");
	config_free(c);
}

static void test_nodes(void)
{
	char *want, *real;

	fails(HEAD "  'testbed': {'image': '.', 'nodes': [\n"
	      "    {'name': 'n1'},\n    {'name': 'n2'},\n    {'name': 'n1'}]}\n}\n",
	      "6: testbed.nodes[2].name: duplicate node name 'n1'",
	      "duplicate node names");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'N1'}]}\n}\n",
	      "3: testbed.nodes[0].name: expected 1 to 16 characters of "
	      "[a-z0-9-], got \"N1\"", "upper-case node name");
	fails(HEAD "  'testbed': {'nodes': [\n    {'name': 'n1', 'domain': 'vm1'}]}\n}\n",
	      "4: testbed.nodes[0]: missing required key 'ssh' (a node with "
	      "'domain' needs it)", "existing domain without ssh");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [\n    {'name': 'n1',\n"
	      "     'ssh': {'host': 'h'}}]}\n}\n",
	      "5: testbed.nodes[0].ssh: allowed only with 'domain' (the testbed "
	      "sets up ssh for the nodes it creates)", "ssh on a created node");
	fails(HEAD "  'testbed': {'nodes': [{'name': 'n1', 'domain': 'vm1',\n"
	      "    'ssh': {'host': 'h', 'port': 22, 'user': 'u', 'key': 'id',\n"
	      "            'host_key': 'ssh-ed25519 not base64!'}}]}\n}\n",
	      "5: testbed.nodes[0].ssh.host_key: expected a public host key like "
	      "\"ssh-ed25519 AAAA...\", got \"ssh-ed25519 not base64!\"",
	      "bad host key");
	fails(HEAD "  'testbed': {'nodes': [{'name': 'n1', 'domain': 'vm1',\n"
	      "    'ssh': {'host': 'h', 'port': 22, 'user': 'u', 'key': 'id'}}]}\n}\n",
	      "4: testbed.nodes[0].ssh: missing required key 'host_key'",
	      "ssh without host_key");
	fails(HEAD "  'testbed': {\n    'nodes': [{'name': 'n1'}]}\n}\n",
	      "3: testbed: missing required key 'image' (only a testbed of "
	      "existing domains can do without)", "created node needs an image");
	want = xasprintf("3: testbed.image: no such directory 'no/such/recipe' "
			 "(looked in '%s', the current directory and '%s')",
			 dir, CAMPAIGN_SOURCE_DIR);
	fails(HEAD "  'testbed': {'image': 'no/such/recipe', 'nodes': [{'name': 'n1'}]}\n}\n",
	      want, "image not found");
	free(want);
	real = realpath(dir, NULL);
	want = xasprintf("3: testbed.image: '%s/id' is not a directory", real);
	free(real);
	fails(HEAD "  'testbed': {'image': 'id', 'nodes': [{'name': 'n1'}]}\n}\n",
	      want, "image is a file");
	free(want);
}

static void test_network(void)
{
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}],\n"
	      "    'network': {'subnet': '10.99.0/24'}}\n}\n",
	      "4: testbed.network.subnet: expected an IPv4 subnet like "
	      "\"10.99.0.0/24\", got \"10.99.0/24\"", "bad subnet");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}],\n"
	      "    'network': {'subnet': '10.99.0.5/24'}}\n}\n",
	      "4: testbed.network.subnet: host bits set in '10.99.0.5/24' (did "
	      "you mean '10.99.0.0/24'?)", "subnet with host bits");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}],\n"
	      "    'network': {'subnet': '10.99.0.0/30'}}\n}\n",
	      "4: testbed.network.subnet: prefix length /30 out of range: use /8 "
	      "to /28", "subnet too small");
	fails(HEAD "  'testbed': {'image': '.', 'network': {'subnet': '10.9.0.16/28'},\n"
	      "    'nodes': [{'name': 'n1'}, {'name': 'n2'}, {'name': 'n3'},\n"
	      "              {'name': 'n4'}]}\n}\n",
	      "3: testbed.network.subnet: subnet '10.9.0.16/28' has no room for 4 "
	      "nodes (node i is host .11+i)", "subnet without room");
	fails(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'}],\n"
	      "    'network': {'libvirt_network': 'default'}}\n}\n",
	      "4: testbed.network.libvirt_network: allowed only with type "
	      "'libvirt'", "libvirt network with vde");
}

static void test_sections(void)
{
	fails(HEAD NODES1 ", 'schedule': {'budget': 'ten'}\n}\n",
	      "4: schedule.budget: expected a duration like \"8h\", \"90m\" or "
	      "\"1h30m\", got \"ten\"", "bad duration string");
	fails(HEAD NODES1 ", 'probes': {\n  'p': {'ssh': 'true',\n"
	      "         'http': 'http://x/'}}\n}\n",
	      "6: probes.p.http: expected exactly one of 'http' and 'ssh'",
	      "probe with http and ssh");
	fails(HEAD NODES1 ", 'probes': {\n  'p': {'every_ms': 100}}\n}\n",
	      "5: probes.p: missing required key 'http' or 'ssh'",
	      "probe with neither");
	fails(HEAD NODES1 ", 'probes': {\n  'p': {'ssh': 'true',\n"
	      "         'expect_status': 200}}\n}\n",
	      "6: probes.p.expect_status: allowed only in http probes",
	      "http key on an ssh probe");
	fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true', 'nodes': 'db'}}\n}\n",
	      "4: probes.p.nodes: no node or role named 'db'",
	      "probe selects nothing");
	fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true',\n"
	      "   'nodes': ['n1', 'n7']}}\n}\n",
	      "5: probes.p.nodes[1]: no node named 'n7'", "probe lists a stranger");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'where': 'node'}\n}\n",
	      "4: workload: missing required key 'node' (where is 'node')",
	      "workload on a node without node");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'node': 'n1'}\n}\n",
	      "4: workload.node: allowed only with where 'node'",
	      "workload node on the controller");
	fails(HEAD NODES1 ", 'faults': [{'type': 'kill'},\n"
	      "  {'type': 'kill', 'target': 'leadr'}]\n}\n",
	      "5: faults[1].target: no node or role named 'leadr' (and not "
	      "'any', 'leader' or 'primary')", "bad fault target");
	fails(HEAD NODES1 ", 'faults': [{'type': 'Kill'}]\n}\n",
	      "4: faults[0].type: expected 1 to 64 characters of [a-z0-9-], got "
	      "\"Kill\"", "bad fault type");
	fails(HEAD NODES1T ",\n    'on_boot': [{'run': 'a', 'wait': 'b'}]}\n}\n",
	      "4: testbed.on_boot[0]: needs exactly one of \"upload\", \"run\" or \"wait\"",
	      "on_boot step with two kinds");
	fails(HEAD NODES1T ",\n    'on_boot': [{'run': 'a', 'nodes': 'n9'}]}\n}\n",
	      "4: testbed.on_boot[0].nodes: no node or role named 'n9'",
	      "on_boot step selects nothing");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'leader': 7}\n}\n",
	      "4: workload.leader: expected a non-empty string, got 7", "leader not a string");
	fails(HEAD NODES1 ", 'faults': []\n}\n",
	      "4: faults: expected a non-empty array of faults, got []",
	      "empty faults");
	fails(HEAD NODES1 ", 'oracles': [{'probe': 'x'}]\n}\n",
	      "4: oracles[0]: missing required key 'type'", "oracle without type");
	fails("{\n  'name': 'a-very-long-campaign-name',\n" NODES1 "}\n",
	      "2: name: derived testbed prefix 'cmp-a-very-long-campaign-name' is "
	      "longer than 24 characters (set 'testbed.prefix')",
	      "derived prefix too long");
}

static int check_fault(const struct config *c, const char *type,
		       const json_t *params, const char **ret_key,
		       struct err *e)
{
	const char *sig = json_string_value(json_object_get(params, "signal"));

	(void)c;
	if (!strcmp(type, "bogus")) {
		*ret_key = "type";
		return err_set(e, "unknown fault type '%s'", type);
	}
	if (sig && strcmp(sig, "KILL")) {
		*ret_key = "signal";
		return err_set(e, "unknown signal '%s'", sig);
	}
	if (!strcmp(type, "lonely"))
		return err_set(e, "needs company");
	return 0;
}

static int check_oracle(const struct config *c, const char *type,
			const json_t *params, const char **ret_key,
			struct err *e)
{
	const char *probe = json_string_value(json_object_get(params, "probe"));

	(void)type;
	if (probe && !config_probe(c, probe)) {
		*ret_key = "probe";
		return err_set(e, "no probe named '%s'", probe);
	}
	return 0;
}

static void expect_check(struct config *c, int faults, const char *want,
			 const char *what)
{
	struct err e = { "" };
	size_t n;

	if (!c) {
		ok(0, "%s: no config", what);
		return;
	}
	n = strlen(c->path);
	if (faults)
		ok(config_check_faults(c, check_fault, &e) == -1, "%s: fails", what);
	else
		ok(config_check_oracles(c, check_oracle, &e) == -1, "%s: fails", what);
	is_str(strncmp(e.msg, c->path, n) ? e.msg : e.msg + n + 1, want, what);
	config_free(c);
}

static void test_checkers(void)
{
	struct config *c;
	struct err e = { "" };

	c = loads(HEAD NODES1 ", 'faults': [\n  {'type': 'kill', 'signal': 'KILL'},\n"
		  "  {'type': 'bogus'}]\n}\n", "fault checker: type");
	expect_check(c, 1, "6: faults[1].type: unknown fault type 'bogus'",
		     "checker points at the type");
	c = loads(HEAD NODES1 ", 'faults': [\n  {'type': 'kill',\n"
		  "   'signal': 'HUP'}]\n}\n", "fault checker: parameter");
	expect_check(c, 1, "6: faults[0].signal: unknown signal 'HUP'",
		     "checker points at a parameter");
	c = loads(HEAD NODES1 ", 'faults': [\n  {'type': 'kill'},\n"
		  "  {'type': 'lonely'}]\n}\n", "fault checker: entry");
	expect_check(c, 1, "6: faults[1]: needs company",
		     "checker without a key points at the entry");
	c = loads(HEAD NODES1 ", 'probes': {'up': {'ssh': 'true'}},\n"
		  "  'oracles': [{'type': 'probe-recovers',\n"
		  "               'probe': 'down'}]\n}\n", "oracle checker");
	expect_check(c, 0, "6: oracles[0].probe: no probe named 'down'",
		     "oracle checker points at a parameter");
	c = loads(HEAD NODES1 ", 'faults': [{'type': 'kill'}],\n"
		  "  'oracles': [{'type': 'x', 'probe': 'up'},\n  {'type': 'y'}],\n"
		  "  'probes': {'up': {'ssh': 'true'}}\n}\n", "checkers pass");
	if (c) {
		is_int(config_check_faults(c, check_fault, &e), 0, "faults pass");
		is_int(config_check_oracles(c, check_oracle, &e), 0, "oracles pass");
		config_free(c);
	}
}

/* load_campaign_config (as validate and run) must fail with "FILE:" +
 * want: the registries' checks of faults and oracles too. */
static void load_fails(const char *text, const char *want, const char *what)
{
	char *path = config_file(text);
	struct config *c = NULL;
	struct err e = { "" };
	size_t n = strlen(path);

	if (!ok(load_campaign_config(path, &c, &e) == -1, "%s: fails", what))
		config_free(c);
	else
		is_str(strncmp(e.msg, path, n) || e.msg[n] != ':' ? e.msg : e.msg + n + 1,
		       want, what);
	free(path);
}

static void load_passes(const char *text, const char *what)
{
	char *path = config_file(text);
	struct config *c = NULL;
	struct err e = { "" };

	if (!ok(load_campaign_config(path, &c, &e) == 0, "%s: passes", what))
		printf("#   %s\n", e.msg);
	config_free(c);
	free(path);
}

#define KILL "'type': 'process-kill', 'process': 'x'"

/* Fault parameters against the agent's catalogue and the hypervisor's
 * specs: what the agent or faults_hv.c would refuse at injection. */
static void test_fault_params(void)
{
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'process-kill',\n  'process': 12}]\n}\n",
		   "5: faults[0].process: parameter 'process' must be a string, got 12",
		   "a number for a string parameter");
	load_fails(HEAD NODES1 ", 'faults': [{" KILL ",\n  'signal': 'FOO'}]\n}\n",
		   "5: faults[0].signal: parameter 'signal' must be a signal name (KILL, "
		   "SIGTERM, RTMIN+2) or number 1..64, got \"FOO\"", "an unknown signal");
	load_fails(HEAD NODES1 ", 'faults': [{" KILL ",\n  'signal': ['TERM', 'HUPP']}]\n}\n",
		   "5: faults[0].signal: parameter 'signal' must be a signal name (KILL, "
		   "SIGTERM, RTMIN+2) or number 1..64, got \"HUPP\"",
		   "an unknown signal among choices");
	load_fails(HEAD NODES1 ", 'faults': [{" KILL ", 'signal': [1, 65]}]\n}\n",
		   "4: faults[0].signal: parameter 'signal' must be a signal name (KILL, "
		   "SIGTERM, RTMIN+2) or number 1..64, got 65", "a range past the last signal");
	load_passes(HEAD NODES1 ", 'faults': [{" KILL ", 'signal': 'sigterm'},\n"
		    "  {" KILL ", 'signal': ['RTMIN+2', 'SIGKILL', 'cont']},\n"
		    "  {" KILL ", 'signal': 9}, {" KILL ", 'signal': [1, 15]}]\n}\n",
		    "signals as the agent takes them");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'syscall-error', 'pid': 1,\n"
		   "  'syscall': 'fsnyc'}]\n}\n",
		   "5: faults[0].syscall: parameter 'syscall' must be an x86_64 system call "
		   "name (openat, write) or number, got \"fsnyc\"", "an unknown syscall");
	load_passes(HEAD NODES1 ", 'faults': [{'type': 'syscall-error', 'pid': 1,\n"
		    "  'syscall': 257, 'errno': 'enospc'}]\n}\n", "a syscall by number");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'netem', 'loss_pct': [5, 150]}]\n}\n",
		   "4: faults[0].loss_pct: parameter 'loss_pct' is 150, outside [0, 100]",
		   "a range past the maximum");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'cpu-hog', 'workers': 1.5}]\n}\n",
		   "4: faults[0].workers: parameter 'workers' must be an integer, got 1.5",
		   "a real for an integer");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'mem-pressure', 'mlock': 'yes'}]\n}\n",
		   "4: faults[0].mlock: parameter 'mlock' must be true or false, got \"yes\"",
		   "a string for a boolean");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'process-kill'}]\n}\n",
		   "4: faults[0].type: fault 'process-kill' needs exactly one of 'process', "
		   "'pid', 'pidfile' or 'cgroup', got 0", "no process target");
	load_fails(HEAD NODES1 ", 'faults': [{" KILL ",\n  'pid': 7}]\n}\n",
		   "5: faults[0].pid: fault 'process-kill' needs exactly one of 'process', "
		   "'pid', 'pidfile' or 'cgroup', got 2", "two process targets");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'partition'}]\n}\n",
		   "4: faults[0].type: fault 'partition' needs parameter 'peers'",
		   "a required parameter");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'partition', 'peers': '{peer.ip}'}]\n}\n",
		   "4: faults[0].peers: parameter 'peers': unknown placeholder '{peer.ip}' "
		   "(known here: {build}, {nodes.name}, {nodes.ip}, {nodes.ssh}, {peers.ip}, "
		   "{peers.ip:PORT}, {node.name}, {node.ip}, {node.role}, {node.ssh})",
		   "an unknown placeholder in a fault parameter");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'partition', 'peers': '{peers.ip'}]\n}\n",
		   "4: faults[0].peers: parameter 'peers': unterminated placeholder "
		   "'{peers.ip' (write '{{' for a literal '{')",
		   "an unterminated placeholder in a fault parameter");
	load_passes(HEAD NODES1 ", 'faults': [{'type': 'partition', 'peers': '{peers.ip}'},\n"
		    "  {'type': 'partition', 'peers': ['{node.ip}', '10.0.0.1, 10.0.0.2']}]\n}\n",
		    "templated and literal lists");
	/* hypervisor faults: struct fault_param, the same validator */
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'vcpu-bitflip', 'bit': 64}]\n}\n",
		   "4: faults[0].bit: parameter 'bit' is 64, outside [0, 63]",
		   "a hypervisor integer out of range");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'guest-mem-bitflip', 'bit': 'x'}]\n}\n",
		   "4: faults[0].bit: parameter 'bit' must be an integer, got \"x\"",
		   "a hypervisor integer of the wrong type");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'vcpu-bitflip', 'register': 5}]\n}\n",
		   "4: faults[0].register: parameter 'register' must be a string, got 5",
		   "a hypervisor string of the wrong type");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'vm-crash', 'recover': 'reboot'}]\n}\n",
		   "4: faults[0].recover: parameter 'recover' must be one of \"snapshot\", "
		   "\"boot\", got \"reboot\"", "a hypervisor enum");
	load_fails(HEAD NODES1 ", 'faults': [{'type': 'vm-pause', 'bit': 1}]\n}\n",
		   "4: faults[0].bit: fault 'vm-pause' has no parameter 'bit'",
		   "a hypervisor fault without parameters");
	load_passes(HEAD NODES1 ", 'faults': [{'type': 'vcpu-bitflip', 'bit': [0, 63],\n"
		    "  'register': ['rip', 'rsp'], 'recover': 'boot'}]\n}\n",
		    "hypervisor ranges and choices");
}

/* Every template: placeholders known where it is expanded, braces closed. */
static void test_templates(void)
{
	fails(HEAD NODES1 ", 'probes': {'p': {'http': 'http://{node.ip}:80/{nope}'}}\n}\n",
	      "4: probes.p.http: unknown placeholder '{nope}' (known here: {run.dir}, "
	      "{run.n}, {seed}, {build}, {nodes.name}, {nodes.ip}, {nodes.ssh}, {peers.ip}, "
	      "{peers.ip:PORT}, {node.name}, {node.ip}, {node.role}, {node.ssh})",
	      "an unknown placeholder in a probe");
	fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'curl {node.ip'}}\n}\n",
	      "4: probes.p.ssh: unterminated placeholder '{node.ip' (write '{{' for a "
	      "literal '{')", "an unterminated placeholder in a probe");
	fails(HEAD NODES1 ", 'workload': {'start': 'client {node.ip}'}\n}\n",
	      "4: workload.start: unknown placeholder '{node.ip}' (this template is not "
	      "expanded for one node; {nodes.ip} has every node's)",
	      "a per-node placeholder in workload.start");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'stop': 'pkill {}'}\n}\n",
	      "4: workload.stop: empty placeholder '{}' (write '{{}}' for literal braces)",
	      "an empty placeholder in workload.stop");
	fails(HEAD NODES1 ", 'workload': {'start': 'go', 'leader': 'is {node.rol}'}\n}\n",
	      "4: workload.leader: unknown placeholder '{node.rol}' (known here: {run.dir}, "
	      "{run.n}, {seed}, {build}, {nodes.name}, {nodes.ip}, {nodes.ssh}, {peers.ip}, "
	      "{peers.ip:PORT}, {node.name}, {node.ip}, {node.role}, {node.ssh})",
	      "an unknown placeholder in workload.leader");
	fails(HEAD NODES1T ",\n    'bootstrap': [{'run': 'a'}, {'wait': 'ls {run.dir}'}]}\n}\n",
	      "4: testbed.bootstrap[1].wait: unknown placeholder '{run.dir}' (known only to "
	      "templates expanded in a run)", "a run placeholder in a bootstrap step");
	fails(HEAD NODES1T ",\n    'on_boot': [{'upload': '{build}/x{', 'to': '/x'}]}\n}\n",
	      "4: testbed.on_boot[0].upload: unterminated placeholder '{' (write '{{' for a "
	      "literal '{')", "an unterminated placeholder in an on_boot upload");
	fails(HEAD NODES1T ",\n    'forwards': {'api': 2379}},\n"
	      "  'probes': {'p': {'http': 'http://{node.apl}/'}}\n}\n",
	      "5: probes.p.http: unknown placeholder '{node.apl}' (known here: {run.dir}, "
	      "{run.n}, {seed}, {build}, {nodes.name}, {nodes.ip}, {nodes.ssh}, {peers.ip}, "
	      "{peers.ip:PORT}, {nodes.api}, {node.name}, {node.ip}, {node.role}, "
	      "{node.ssh}, {node.api})", "the forwards are placeholders");
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command',\n  'run': 'check {nope}'}]\n}\n",
		   "5: oracles[0].run: unknown placeholder '{nope}' (known here: {run.dir}, "
		   "{run.n}, {seed}, {build}, {nodes.name}, {nodes.ip}, {nodes.ssh}, "
		   "{peers.ip}, {peers.ip:PORT})", "an unknown placeholder in a command oracle");
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command', 'run': 'check {run.dir'}]\n}\n",
		   "4: oracles[0].run: unterminated placeholder '{run.dir' (write '{{' for a "
		   "literal '{')", "an unterminated placeholder in a command oracle");
	load_passes(HEAD NODES1T ",\n    'forwards': {'api': 2379},\n"
		    "    'bootstrap': [{'run': 'a {node.name} {node.ip} {node.role} {node.ssh} "
		    "{node.api} {nodes.api} {peers.ip:2380} {build} {{x}}'}]},\n"
		    "  'workload': {'start': 'go {run.dir} {run.n} {seed} {nodes.ip} {peers.ip}',\n"
		    "    'leader': 'is {node.ip} {run.dir}'},\n"
		    "  'probes': {'p': {'http': 'http://{node.api}/?run={run.n}'}},\n"
		    "  'oracles': [{'type': 'command', 'run': 'c {run.dir} {nodes.api}'}]\n}\n",
		    "every placeholder where it is known");
}

/* Oracle parameters: numbers of seconds that cannot overflow a
 * conversion to milliseconds. */
static void test_oracle_params(void)
{
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command', 'run': 'c',\n"
		   "  'timeout_s': 'abc'}]\n}\n",
		   "5: oracles[0].timeout_s: expected a number of seconds greater than 0 and "
		   "at most 86400, got \"abc\"", "timeout_s not a number");
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command', 'run': 'c',\n"
		   "  'timeout_s': -5}]\n}\n",
		   "5: oracles[0].timeout_s: expected a number of seconds greater than 0 and "
		   "at most 86400, got -5", "timeout_s negative");
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command', 'run': 'c',\n"
		   "  'timeout_s': 1e303}]\n}\n",
		   "5: oracles[0].timeout_s: expected a number of seconds greater than 0 and "
		   "at most 86400, got 1e303", "timeout_s huge");
	load_fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true'}},\n"
		   "  'oracles': [{'type': 'probe-recovers', 'probe': 'p', 'within_s': 1e303}]\n}\n",
		   "5: oracles[0].within_s: expected a number of seconds greater than 0 and "
		   "at most 86400, got 1e303", "within_s huge");
	load_fails(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true'}},\n"
		   "  'oracles': [{'type': 'node-rejoins', 'probe': 'p', 'within_s': 5,\n"
		   "  'boot_within_s': 0}]\n}\n",
		   "6: oracles[0].boot_within_s: expected a number of seconds greater than 0 "
		   "and at most 86400, got 0", "boot_within_s zero");
	load_fails(HEAD NODES1 ", 'oracles': [{'type': 'command', 'run': ''}]\n}\n",
		   "4: oracles[0].run: needs \"run\": a command template", "an empty command");
	load_passes(HEAD NODES1 ", 'probes': {'p': {'ssh': 'true'}},\n"
		    "  'oracles': [{'type': 'probe-recovers', 'probe': 'p', 'within_s': 86400,\n"
		    "  'boot_within_s': 0.5}, {'type': 'command', 'run': 'c', 'timeout_s': 30}]\n}\n",
		    "seconds within bounds");
}

static void test_durations(void)
{
	static const struct {
		const char *s;
		double want;
	} good[] = {
		{ "8h", 28800 }, { "90m", 5400 }, { "30s", 30 }, { "1h30m", 5400 },
		{ "500ms", 0.5 }, { "1.5h", 5400 }, { "2d", 172800 },
		{ "1d2h3m4s5ms", 93784.005 }, { "0s", 0 },
	};
	static const char *const bad[] = {
		"", "h", "5", "ten", "30m1h", "1h1h", "-1h", "1 h", "1.h", ".5h",
		"1hh", "1x", "1h ", "1e3s",
	};
	double v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		ok(config_parse_duration(good[i].s, &v) == 0 &&
		   v > good[i].want - 1e-9 && v < good[i].want + 1e-9,
		   "duration '%s' is %g s", good[i].s, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -7;
		ok(config_parse_duration(bad[i], &v) == -1 && v == -7,
		   "duration '%s' is rejected, result untouched", bad[i]);
	}
}

static void test_jsonpos(void)
{
	static const char text[] =
		"{\"a\": [1,\n  {\"b\\u00e9\": 2},\n  3],\n"
		" \"c.d\":\n  {\"e\": true}, \"\": null}";
	struct jsonpos *p = NULL;
	struct buf path = BUF_INIT;
	struct err e = { "" };

	ok(jsonpos_scan(text, strlen(text), &p, &e) == 0, "jsonpos scans");
	is_int(jsonpos_value_line(p, ""), 1, "root");
	is_int(jsonpos_value_line(p, "a[1].b\xc3\xa9") ? 1 : 0, 0,
	       "non-plain key is bracketed");
	is_int(jsonpos_value_line(p, "a[1][\"b\xc3\xa9\"]"), 2,
	       "escaped key decoded");
	is_int(jsonpos_value_line(p, "a[2]"), 3, "array element");
	is_int(jsonpos_key_line(p, "[\"c.d\"]"), 4, "key line");
	is_int(jsonpos_value_line(p, "[\"c.d\"]"), 5, "value line");
	is_int(jsonpos_value_line(p, "[\"c.d\"].e"), 5, "nested under odd key");
	is_int(jsonpos_value_line(p, "[\"\"]"), 5, "empty key");
	is_int(jsonpos_value_line(p, "zz"), 0, "unknown path");
	jsonpos_path_key(&path, "x");
	jsonpos_path_index(&path, 3);
	jsonpos_path_key(&path, "q\"r");
	is_str(path.data, "x[3][\"q\\\"r\"]", "path building");
	buf_release(&path);
	jsonpos_free(p);
	ok(jsonpos_scan("{\"a\": [1, }", 11, &p, &e) == -1,
	   "jsonpos rejects broken text");
	jsonpos_free(NULL);
}

static void test_misc(void)
{
	struct config *c = NULL, *partial;
	struct err e = { "" };

	ok(config_load("tests/unit/configs/no-such.json", &c, &e) == -1 &&
	   !strcmp(e.msg, "cannot open 'tests/unit/configs/no-such.json': "
		   "No such file or directory"), "missing file");
	config_free(NULL);
	partial = xcalloc(1, sizeof(*partial));
	partial->name = xstrdup("half");
	partial->testbed.nodes = xcalloc(2, sizeof(*partial->testbed.nodes));
	partial->testbed.n_nodes = 2;
	partial->testbed.nodes[0].name = xstrdup("n1");
	partial->faults = xcalloc(1, sizeof(*partial->faults));
	partial->n_faults = 1;
	partial->faults[0].params = json_object();
	config_free(partial);
	ok(1, "config_free takes a partly built config");
	/* Failures deep inside every section free what was built so far. */
	fails(HEAD NODES1 ", 'probes': {'a': {'ssh': 'x', 'nodes': ['n1']},\n"
	      "  'b': {'http': 'http://x/', 'expect_json': {'path': 'a',\n"
	      "        'equals': [1]}, 'nodes': ['n1', 'n1']}}\n}\n",
	      "6: probes.b.nodes[1]: node 'n1' is listed twice",
	      "failure after partial probes");
	fails(HEAD "  'description': 'x', 'workload': {'start': 'a', 'stop': 'b',\n"
	      "  'where': 'node', 'node': ['n1']}, 'faults': [{'type': 'a',\n"
	      "  'p': 1}], 'oracles': [{'type': 'o', 'x': 1}],\n"
	      "  'logs': {'paths': ['/a']},\n"
	      "  'testbed': {'image': '.', 'prefix': 'p', 'network': {'type':\n"
	      "  'libvirt'}, 'nodes': [{'name': 'n1', 'domain': 'd', 'ssh': {\n"
	      "  'host': 'h', 'port': 22, 'user': 'u', 'key': 'id', 'host_key':\n"
	      "  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm2'}}, {'name': 'n2',\n"
	      "  'domain': 'd', 'ssh': {}}]}\n}\n",
	      "11: testbed.nodes[1].ssh: missing required key 'host'",
	      "failure after every section was filled");
	fails(HEAD "  'description': 'x', 'workload': {'start': 'a',\n"
	      "  'where': 'node', 'node': 'nobody'}, 'faults': [{'type': 'a',\n"
	      "  'p': 1}], 'oracles': [{'type': 'o', 'x': 1}],\n" NODES1 "}\n",
	      "4: workload.node: no node or role named 'nobody'",
	      "failure in the second pass");
}

/* Scenarios: steps, waits, bindings, weights; each error with its line. */
#define SC(steps) HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [\n" steps "]}]\n}\n"
#define K2 "{'type': 'kill', 'bind': 'victim'}"

static void test_scenarios(void)
{
	struct config *c = loads(HEAD "  'testbed': {'image': '.', 'nodes': [{'name': 'n1'},\n"
		"    {'name': 'n2', 'role': 'db'}]},\n"
		"  'faults': [{'type': 'kill'}],\n"
		"  'scenarios': [{'name': 'two-step', 'weight': 2.5, 'steps': [\n"
		"    {'type': 'vm-pause', 'target': 'leader', 'bind': 'victim', 'duration_s': [1, 2]},\n"
		"    {'wait': {'min': '1s', 'max': '1500ms'}},\n"
		"    {'type': 'kill', 'target': '@victim', 'signal': 'KILL', 'after': 'start'},\n"
		"    {'wait': '2s'}, {'type': 'netem', 'target': 'db', 'loss_pct': 5}]},\n"
		"   {'name': 'other', 'steps': [{'type': 'kill'}]}],\n"
		"  'schedule': {'random_weight': 0.5},\n"
		"  'shrink': {'tries': 5, 'enabled': false}\n}\n", "a config with scenarios");

	if (c) {
		const struct config_scenario *sc = &c->scenarios[0];

		is_int(c->n_scenarios, 2, "two scenarios");
		is_str(sc->name, "two-step", "its name");
		ok(sc->weight == 2.5 && c->scenarios[1].weight == 1, "weights, default 1");
		is_int(sc->n_steps, 5, "five steps");
		is_str(sc->steps[0].fault.type, "vm-pause", "a fault step");
		is_str(sc->steps[0].bind, "victim", "binds victim");
		ok(sc->steps[0].fault.has_duration && sc->steps[0].fault.duration_s.max == 2,
		   "a step's duration");
		ok(sc->steps[1].is_wait && sc->steps[1].wait_s.min == 1 &&
		   sc->steps[1].wait_s.max == 1.5, "a wait range");
		ok(sc->steps[3].is_wait && sc->steps[3].wait_s.min == 2 &&
		   sc->steps[3].wait_s.max == 2, "a fixed wait");
		is_str(sc->steps[2].fault.target, "@victim", "a bound target");
		ok(!sc->steps[2].after_end && sc->steps[4].after_end, "after start; end by default");
		is_str(json_string_value(json_object_get(sc->steps[2].fault.params, "signal")),
		       "KILL", "a step's parameter");
		ok(!sc->steps[0].fault.params || !json_object_size(sc->steps[0].fault.params) ||
		   !json_object_get(sc->steps[0].fault.params, "bind"),
		   "bind and after are no fault parameters");
		ok(c->schedule.random_weight == 0.5, "random_weight");
		ok(!c->shrink.enabled && c->shrink.tries == 5 && c->shrink.max_runs == 40,
		   "shrink: as written, max_runs by default");
		config_free(c);
	}
	c = loads(HEAD NODES1 "}\n", "no scenarios");
	if (c) {
		ok(c->n_scenarios == 0 && c->schedule.random_weight == 1, "random_weight 1");
		ok(c->shrink.enabled && c->shrink.tries == 3 && c->shrink.max_runs == 40,
		   "shrink: on by default, 3 tries, 40 runs");
		config_free(c);
	}
	fails(SC("  {'type': 'kill', 'target': '@victim'}"),
	      "5: scenarios[0].steps[0].target: no step binds '@victim'",
	      "an unknown binding name");
	fails(SC("  {'type': 'kill'},\n  {'type': 'kill', 'target': '@victim'},\n  " K2),
	      "6: scenarios[0].steps[1].target: '@victim' is used before a step binds it "
	      "(steps[2])", "a binding used before it is bound");
	fails(SC("  {'type': 'kill', 'target': '@victim', 'bind': 'victim'}"),
	      "5: scenarios[0].steps[0].target: '@victim' is used before a step binds it "
	      "(steps[0], this one)", "a step using its own binding");
	fails(SC("  " K2 ",\n  " K2),
	      "6: scenarios[0].steps[1].bind: 'victim' is bound already by steps[0]",
	      "a name bound twice");
	fails(HEAD NODES1 ", 'scenarios': [{'name': 's',\n  'steps': []}]\n}\n",
	      "5: scenarios[0].steps: expected 1 to 32 steps, got 0", "empty steps");
	fails(HEAD NODES1 ", 'scenarios': [{'name': 's'}]\n}\n",
	      "4: scenarios[0]: missing required key 'steps'", "no steps");
	fails(HEAD NODES1 ", 'scenarios': []\n}\n",
	      "4: scenarios: expected a non-empty array of scenarios, got []",
	      "empty scenarios");
	fails(HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [{'type': 'kill'}],\n"
	      "  'weight': 0}]\n}\n",
	      "5: scenarios[0].weight: expected a number greater than 0 and at most "
	      "1000000, got 0", "a zero scenario weight");
	{
		struct config *g = loads(HEAD NODES1 ", 'schedule': {'explore': 'guided'}\n}\n",
					 "guided exploration");

		ok(g && g->schedule.explore == CONFIG_EXPLORE_GUIDED, "explore: guided");
		config_free(g);
		g = loads(HEAD NODES1 "}\n", "no explore");
		ok(g && g->schedule.explore == CONFIG_EXPLORE_RANDOM, "explore is random by default");
		config_free(g);
	}
	fails(HEAD NODES1 ", 'schedule': {\n  'explore': 'guide'}\n}\n",
	      "5: schedule.explore: expected 'random' or 'guided', got \"guide\" "
	      "(did you mean 'guided'?)", "a bad explore");
	fails(HEAD NODES1 ", 'schedule': {\n  'explore': true}\n}\n",
	      "5: schedule.explore: expected 'random' or 'guided', got true",
	      "explore not a string");
	fails(HEAD NODES1 ", 'schedule': {\n  'random_weight': -1}\n}\n",
	      "5: schedule.random_weight: expected a number between 0 and 1000000, got -1",
	      "a negative random weight");
	fails(HEAD NODES1 ", 'faults': [{'type': 'kill'}], 'schedule': {\n"
	      "  'random_weight': 0}\n}\n",
	      "5: schedule.random_weight: 0 leaves no run to draw: there are no scenarios",
	      "random_weight 0 without scenarios");
	fails(SC("  {'type': 'kill', 'weight': 2}"),
	      "5: scenarios[0].steps[0].weight: a step has no weight (its scenario has)",
	      "a weight on a step");
	fails(SC("  {'type': 'kill',\n   'wait': '1s'}"),
	      "6: scenarios[0].steps[0].wait: a step is a fault (\"type\") or a wait "
	      "(\"wait\"), not both", "a fault and a wait in one step");
	fails(SC("  {'wait': '1s', 'target': 'n1'}, {'type': 'kill'}"),
	      "5: scenarios[0].steps[0].target: not allowed in a wait step",
	      "a key beside a wait");
	fails(SC("  {'target': 'n1'}"),
	      "5: scenarios[0].steps[0]: missing required key 'type' or 'wait'",
	      "a step of neither kind");
	fails(SC("  {'wait': '1s'}"),
	      "4: scenarios[0].steps: scenario 's' has no fault step", "waits only");
	fails(SC("  {'type': 'kill'},\n  {'wait': '1s'}"),
	      "6: scenarios[0].steps[1].wait: a wait as the last step waits for nothing",
	      "a trailing wait");
	fails(SC("  {'wait': '1s'},\n  {'type': 'kill', 'after': 'start'}"),
	      "6: scenarios[0].steps[1].after: the first fault step has no earlier fault "
	      "step to start after", "after on the first fault step");
	fails(SC("  {'type': 'kill', 'after': 'later'}"),
	      "5: scenarios[0].steps[0].after: expected 'start' or 'end', got \"later\"",
	      "a bad after");
	fails(SC("  {'wait': {'min': '3s',\n     'max': '1s'}}, {'type': 'kill'}"),
	      "5: scenarios[0].steps[0].wait: invalid wait: min 3s is longer than max 1s",
	      "a wait range upside down");
	fails(SC("  {'wait': {'min': '1s'}}, {'type': 'kill'}"),
	      "5: scenarios[0].steps[0].wait: missing required key 'max'",
	      "a wait range without max");
	fails(SC("  {'wait': 2}, {'type': 'kill'}"),
	      "5: scenarios[0].steps[0].wait: expected a duration like \"8h\", \"90m\" or "
	      "\"1h30m\", got 2", "a wait that is not a duration");
	fails(SC("  {'wait': '2h'}, {'type': 'kill'}"),
	      "5: scenarios[0].steps[0].wait: expected a duration between 0s and 1h, got "
	      "\"2h\"", "a wait longer than an hour");
	fails(SC("  {'type': 'kill', 'bind': 'Victim'}"),
	      "5: scenarios[0].steps[0].bind: expected 1 to 32 characters of [a-z0-9_-], "
	      "got \"Victim\"", "a bad binding name");
	fails(SC("  {'type': 'kill',\n   'target': 'leadr'}"),
	      "6: scenarios[0].steps[0].target: no node or role named 'leadr' (and not "
	      "'any', 'leader' or 'primary')", "a step target matching nothing");
	fails(HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [{'type': 'kill'}]},\n"
	      "  {'name': 's', 'steps': [{'type': 'kill'}]}]\n}\n",
	      "5: scenarios[1].name: 's' is the name of scenarios[0] too",
	      "two scenarios of one name");
	fails(HEAD NODES1 ", 'shrink': {'tries': 0}\n}\n",
	      "4: shrink.tries: expected an integer between 1 and 100, got 0", "zero tries");
	fails(HEAD NODES1 ", 'shrink': {'enabled': 'yes'}\n}\n",
	      "4: shrink.enabled: expected true or false, got \"yes\"", "a bool that is not");
	fails(HEAD NODES1 ", 'shrink': {'max_run': 3}\n}\n",
	      "4: shrink.max_run: unknown key (did you mean 'max_runs'?)", "a shrink typo");
	/* the fault registry checks steps as it checks faults */
	load_fails(HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [\n"
		   "  {'wait': '1s'},\n  {'type': 'process-kill', 'process': 'x',\n"
		   "   'signal': 'FOO'}]}]\n}\n",
		   "7: scenarios[0].steps[1].signal: parameter 'signal' must be a signal "
		   "name (KILL, SIGTERM, RTMIN+2) or number 1..64, got \"FOO\"",
		   "a step's parameter, by the registry");
	load_fails(HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [\n"
		   "  {'type': 'no-such-fault'}]}]\n}\n",
		   "5: scenarios[0].steps[0].type: unknown fault type 'no-such-fault' "
		   "(campaign faults lists them)",
		   "a step's type, by the registry");
	load_passes(HEAD NODES1 ", 'scenarios': [{'name': 's', 'steps': [\n"
		    "  {'type': 'process-kill', 'process': 'x', 'bind': 'v'},\n"
		    "  {'wait': '1s'},\n  {'type': 'vm-pause', 'target': '@v', 'duration_s': 2}]}]\n}\n",
		    "a scenario the registry takes");
}

/* docs/scenarios-and-shrinking.md's example, as the registries check it. */
static void test_scenarios_example(void)
{
	struct config *c = NULL;
	struct err e = { "" };

	ok(load_campaign_config("tests/unit/configs/scenarios.json", &c, &e) == 0,
	   "the documented scenario example validates: %s", e.msg);
	if (!c)
		return;
	ok(c->n_scenarios == 1 && c->scenarios[0].n_steps == 4 &&
	   !strcmp(c->scenarios[0].steps[2].fault.target, "@victim") &&
	   !c->scenarios[0].steps[3].after_end, "as written");
	config_free(c);
}

static void test_demo(void)
{
	struct config *c = NULL;
	struct err e = { "" };
	struct stat st;

	if (stat("workloads/tiny", &st) < 0) {
		ok(1, "# skip demo.json: workloads/tiny is not there yet");
		return;
	}
	ok(config_load("configs/demo.json", &c, &e) == 0, "configs/demo.json "
	   "validates");
	if (!c)
		printf("#   %s\n", e.msg);
	config_free(c);
}

int main(void)
{
	char *key;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	key = xasprintf("%s/id", dir);
	write_file(key, "stand-in for a private key\n");
	test_minimal();
	test_full();
	test_keys();
	test_json();
	test_types();
	test_ranges();
	test_bounds();
	test_defaults();
	test_nodes();
	test_network();
	test_sections();
	test_checkers();
	test_fault_params();
	test_templates();
	test_oracle_params();
	test_durations();
	test_jsonpos();
	test_misc();
	test_scenarios();
	test_scenarios_example();
	test_demo();
	for (; n_files > 0; n_files--) {
		char *p = xasprintf("%s/c%02d.json", dir, n_files);

		unlink(p);
		free(p);
	}
	unlink(key);
	free(key);
	rmdir(dir);
	return tap_done();
}
