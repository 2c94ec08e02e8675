/* test_agent_request.c - the agent's request parsing, parameter checks,
 * formats and tokens; pure functions, no system changes. */
#include "request.h"
#include "state.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse verb + text; 0 on success. The message goes to msg. */
static int parse(const char *verb, const char *text, struct request *r, char *msg)
{
	struct agent_err e = { "" };
	int rc = request_parse(verb, text, text ? strlen(text) : 0, r, &e);

	strcpy(msg, e.msg);
	return rc;
}

static void refuses(const char *verb, const char *text, const char *want)
{
	struct request r = REQUEST_INIT;
	char msg[1024];
	int rc = parse(verb, text, &r, msg);

	ok(rc < 0 && strstr(msg, want), "%s %s: refused with '%s' (got '%s')", verb,
	   text ? text : "(none)", want, msg);
	request_release(&r);
}

static void test_bad_requests(void)
{
	refuses("nope", "{}", "unknown verb 'nope'");
	refuses("inject", NULL, "needs a JSON argument");
	refuses("undo", NULL, "needs a JSON argument");
	refuses("inject", "{", "not valid JSON");
	refuses("inject", "[]", "must be a JSON object");
	refuses("inject", "{\"fault\":\"netem\",\"fault\":\"netem\"}", "duplicate");
	refuses("inject", "{}", "needs a string 'fault'");
	refuses("inject", "{\"fault\":\"x\"}", "unknown fault 'x'");
	refuses("inject", "{\"fault\":\"netem\",\"p\":{}}", "unknown key 'p'");
	refuses("inject", "{\"fault\":\"netem\",\"params\":[]}", "must be an object");
	refuses("inject", "{\"fault\":\"netem\",\"params\":{\"loss\":1}}",
		"unknown parameter 'loss' for fault 'netem'");
	refuses("inject", "{\"fault\":\"netem\",\"params\":{\"loss_pct\":-1}}", "out of range");
	refuses("inject", "{\"fault\":\"netem\",\"params\":{\"loss_pct\":\"5\"}}",
		"must be a number");
	refuses("inject", "{\"fault\":\"netem\",\"params\":{\"delay_ms\":1.5}}",
		"must be an integer");
	refuses("inject", "{\"fault\":\"partition\",\"params\":{\"peers\":5}}",
		"must be a list");
	refuses("inject", "{\"fault\":\"partition\",\"params\":{\"peers\":\" , \"}}",
		"0 items is out of range");
	refuses("inject", "{\"fault\":\"partition\",\"params\":{\"peers\":\"10.0.0.1,x\"}}",
		"item 1: 'x' is not an IP address");
	refuses("inject", "{\"fault\":\"partition\",\"params\":{\"peers\":[\"::g\"]}}",
		"not an IP address");
	refuses("inject", "{\"fault\":\"disk-full\",\"params\":{\"path\":\"/a/\\u0000b\"}}",
		"not valid JSON");	/* jansson refuses NUL in strings */
	refuses("inject", "{\"fault\":\"process-kill\",\"params\":{\"pid\":1,\"pidfile\":\"/p\"}}",
		"exactly one of 'process', 'pid', 'pidfile', 'cgroup', got 2");
	refuses("check", "{\"fault\":\"clock-skew\",\"params\":{\"mode\":\"slew\"}}",
		"slew mode needs a non-zero freq_ppm");
	refuses("undo", "{\"undo\":\"x\",\"all\":true}", "exactly one of");
	refuses("undo", "{\"undo\":\"A\"}", "base64url");
	refuses("collect", "{\"paths\":[\"/a/../b\"]}", "without '..'");
	refuses("list", "{\"x\":1}", "unknown parameter 'x' for verb 'list'");
}

static void test_normalised(void)
{
	struct request r = REQUEST_INIT;
	char msg[1024];

	ok(parse("inject", "{\"fault\":\"process-kill\",\"params\":{\"process\":\"etcd\","
		 "\"signal\":\"sigterm\"}}", &r, msg) == 0, "process-kill parses: %s", msg);
	is_str(json_string_value(json_object_get(r.params, "signal")), "TERM", "signal normalised");
	is_str(param_str(r.params, "pick"), "oldest", "pick defaults to oldest");
	ok(param_int(r.params, "verify_ms", -1) == 2000, "verify_ms default");
	ok(!json_object_get(r.params, "seed"), "no seed until inject draws one");
	request_release(&r);

	ok(parse("check", "{\"fault\":\"process-kill\",\"params\":{\"pid\":5,\"signal\":9}}",
		 &r, msg) == 0, "signal by number");
	is_str(json_string_value(json_object_get(r.params, "signal")), "KILL", "9 is KILL");
	request_release(&r);

	ok(parse("check", "{\"fault\":\"partition\",\"params\":{\"peers\":[\"FD00:0:0::2\","
		 "\"10.1.2.0/24\"]}}", &r, msg) == 0, "partition parses: %s", msg);
	is_str(json_string_value(json_array_get(json_object_get(r.params, "peers"), 0)),
	       "fd00::2", "IPv6 canonical");
	is_str(json_string_value(json_array_get(json_object_get(r.params, "peers"), 1)),
	       "10.1.2.0/24", "prefix kept");
	is_str(param_str(r.params, "direction"), "both", "direction default");
	request_release(&r);

	/* what a config's "peers": "{peers.ip}" becomes: a comma-separated string */
	ok(parse("check", "{\"fault\":\"partition\",\"params\":{\"peers\":"
		 "\"10.99.0.12,10.99.0.13 fd00::1\"}}", &r, msg) == 0,
	   "partition peers from a string: %s", msg);
	ok(json_array_size(json_object_get(r.params, "peers")) == 3, "three peers split");
	is_str(json_string_value(json_array_get(json_object_get(r.params, "peers"), 1)),
	       "10.99.0.13", "second peer");
	request_release(&r);

	ok(parse("check", "{\"fault\":\"syscall-error\",\"params\":{\"pid\":5,\"syscall\":257,"
		 "\"errno\":\"enospc\"}}", &r, msg) == 0, "syscall by number: %s", msg);
	is_str(param_str(r.params, "syscall"), "openat", "257 is openat");
	is_str(param_str(r.params, "errno"), "ENOSPC", "errno normalised");
	request_release(&r);

	ok(parse("check", "{\"fault\":\"disk-full\",\"params\":{\"path\":\"/var/lib/x//\"}}",
		 &r, msg) == 0, "disk-full parses");
	is_str(param_str(r.params, "path"), "/var/lib/x", "trailing slashes dropped");
	request_release(&r);

	ok(parse("ping", NULL, &r, msg) == 0 && r.verb == VERB_PING, "ping without JSON");
	request_release(&r);
	ok(parse("undo", "{\"all\":true}", &r, msg) == 0 && r.undo_all, "undo all");
	request_release(&r);
}

static void test_faults(void)
{
	int n = 0;

	for (const struct fault *const *f = fault_all(); *f; f++, n++) {
		struct agent_err e = { "" };
		json_t *d = fault_describe(*f);

		ok(params_check_defaults(*f, &e) == 0, "%s: defaults pass their specs %s",
		   (*f)->name, e.msg);
		ok((*f)->apply && (*f)->undo && (*f)->summary && (*f)->undo_help,
		   "%s: complete table entry", (*f)->name);
		for (const struct param_spec *p = (*f)->params; p->name; p++)
			ok(p->help && strlen(p->help) > 5, "%s.%s has help", (*f)->name, p->name);
		is_str(json_string_value(json_object_get(d, "side")), "agent", "side agent");
		json_decref(d);
	}
	is_int(n, 13, "thirteen faults");
}

/* The closed sets the catalogue shows are what the checks accept. */
static void test_format_values(void)
{
	const struct param_format *const fmts[] = { &fmt_signal, &fmt_errno, &fmt_syscall,
						    &fmt_register, NULL };

	for (const struct param_format *const *f = fmts; *f; f++) {
		json_t *d = (*f)->values(), *v, *norm;
		const char *prefix = json_string_value(json_object_get(d, "prefix"));
		struct agent_err e = { "" };
		size_t i, bad = 0;

		json_array_foreach(json_object_get(d, "names"), i, v) {
			char with[64];
			json_t *w = NULL;

			if (prefix) {
				snprintf(with, sizeof(with), "%s%s", prefix, json_string_value(v));
				w = json_string(with);
			}

			norm = NULL;
			bad += (*f)->check(v, &norm, &e) != 0;
			json_decref(norm);
			norm = NULL;
			bad += w && (*f)->check(w, &norm, &e) != 0;
			json_decref(norm);
			json_decref(w);
		}
		json_array_foreach(json_object_get(d, "numbers"), i, v) {
			norm = NULL;
			bad += (*f)->check(v, &norm, &e) != 0;
			json_decref(norm);
		}
		is_int((long long)bad, 0, (*f)->name);
		v = json_string("no-such-name");
		norm = NULL;
		ok((*f)->check(v, &norm, &e) != 0, "%s refuses a name it does not list",
		   (*f)->name);
		json_decref(norm);
		json_decref(v);
		ok(json_is_boolean(json_object_get(d, "ignore_case")), "%s says its case",
		   (*f)->name);
		json_decref(d);
	}
	ok(fmt_ip.values == NULL, "an open format lists nothing");
}

static void test_base64(void)
{
	unsigned char data[64];
	char *enc, *dec;
	size_t len;

	for (size_t n = 0; n < sizeof(data); n++) {
		for (size_t i = 0; i < n; i++)
			data[i] = (unsigned char)(i * 37 + n);
		enc = b64url_encode(data, n);
		ok(b64url_decode(enc, &dec, &len) == 0 && len == n && !memcmp(dec, data, n),
		   "base64url round trip of %zu bytes", n);
		ok(!strpbrk(enc, "+/="), "base64url alphabet, no padding");
		free(enc);
		free(dec);
	}
	ok(b64url_decode("A", &dec, &len) < 0, "length 1 mod 4 refused");
	ok(b64url_decode("AB", &dec, &len) < 0, "non-zero trailing bits refused");
	ok(b64url_decode("AA==", &dec, &len) < 0, "padding refused");
	ok(b64url_decode("A+/A", &dec, &len) < 0, "standard alphabet refused");
}

static void test_tokens(void)
{
	json_t *state = json_pack("{s:s, s:i}", "table", "campaign_0123456789abcdef", "x", 1), *back;
	const struct fault *f;
	struct agent_err e = { "" };
	char id[17], *tok = token_encode("0123456789abcdef", "partition", state);

	ok(tok && token_decode(tok, id, &f, &back, &e) == 0, "token round trip %s", e.msg);
	is_str(id, "0123456789abcdef", "token id");
	is_str(f->name, "partition", "token fault");
	ok(json_equal(back, state), "token state");
	json_decref(back);
	free(tok);
	tok = token_encode("0123456789ABCDEF", "partition", state);
	ok(token_decode(tok, id, &f, &back, &e) < 0, "upper-case id refused");
	free(tok);
	json_decref(state);
}

int main(void)
{
	test_bad_requests();
	test_normalised();
	test_faults();
	test_format_values();
	test_base64();
	test_tokens();
	return tap_done();
}
