/* The `command` oracle runs a checker: its verdict's reason always says
 * what happened, in the checker's own words, whatever the exit status. */
#include "buf.h"
#include "oracles.h"
#include "tap.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

static const char *no_names(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* Judge with params {"run": run, "timeout_s": timeout_s (if > 0)}; the
 * reason is copied to reason. Returns the verdict, or -1. */
static int judge(const char *run, double timeout_s, char *reason, size_t size)
{
	const struct oracle_type *o = oracles_lookup("command");
	struct oracle_input in = { .lookup = no_names };
	struct oracle_verdict v = { .verdict = VERDICT_PASS };
	json_t *params = json_pack("{s:s}", "run", run);
	struct err e = { "" };
	int r;

	if (timeout_s > 0)
		json_object_set_new(params, "timeout_s", json_real(timeout_s));
	r = o->judge(params, &in, &v, &e);
	json_decref(params);
	json_decref(v.data);
	snprintf(reason, size, "%s", r < 0 ? e.msg : v.reason);
	ok(*reason, "a reason for '%.40s': %s", run, reason);
	return r < 0 ? -1 : (int)v.verdict;
}

static void test_statuses(void)
{
	char why[512];

	is_int(judge("echo 'campaign: error: h.jsonl:7: invalid JSON at column 3' >&2; exit 2",
		     0, why, sizeof(why)), VERDICT_UNKNOWN, "exit 2: unknown");
	is_str(why, "checker exited 2: campaign: error: h.jsonl:7: invalid JSON at column 3",
	       "exit 2: the checker's stderr");
	is_int(judge("echo '{{\"valid\": \"unknown\", \"explanation\": \"key k has no final "
		     "read\"}}'; echo noise >&2; exit 2", 0, why, sizeof(why)),
	       VERDICT_UNKNOWN, "exit 2 with a verdict: unknown");
	is_str(why, "checker exited 2: key k has no final read", "its explanation first");
	is_int(judge("echo '{{\"valid\": false, \"explanation\": \"1 lost\"}}'; exit 1",
		     0, why, sizeof(why)), VERDICT_FAIL, "exit 1: a flaw");
	is_str(why, "checker exited 1: 1 lost", "exit 1: its explanation");
	is_int(judge("echo '{{\"valid\": true, \"explanation\": \"all there\"}}'",
		     0, why, sizeof(why)), VERDICT_PASS, "exit 0: pass");
	is_str(why, "checker exited 0: all there", "exit 0: its explanation");
	is_int(judge("printf 'first\\nlast words\\n\\n'; exit 2", 0, why, sizeof(why)),
	       VERDICT_UNKNOWN, "text on stdout");
	is_str(why, "checker exited 2: last words", "its last line");
	is_int(judge("exit 3", 0, why, sizeof(why)), VERDICT_UNKNOWN, "silent exit 3: unknown");
	is_str(why, "checker exited 3: no output", "says there was nothing");
	is_int(judge("no-such-checker-9f3c", 0, why, sizeof(why)), VERDICT_UNKNOWN,
	       "a command not found: unknown");
	ok(!strncmp(why, "checker exited 127: ", 20) && strstr(why, "not found"),
	   "the shell's message: %s", why);
	is_int(judge("kill -9 $$", 0, why, sizeof(why)), VERDICT_UNKNOWN, "killed: unknown");
	is_str(why, "checker killed by signal 9: no output", "names the signal");
	is_int(judge("yes 0123456789 | head -n 300000 >&2; echo 'final words' >&2; exit 2",
		     0, why, sizeof(why)), VERDICT_UNKNOWN, "megabytes on stderr");
	is_str(why, "checker exited 2: final words", "the last line of a long stderr");
}

static void test_cannot_finish(void)
{
	char why[512];

	is_int(judge("echo 'still searching' >&2; sleep 10", 0.3, why, sizeof(why)),
	       VERDICT_UNKNOWN, "a checker past its timeout: unknown, not an error");
	is_str(why, "checker did not run to its end: '/bin/sh' did not finish within 300 ms; "
	       "its stderr: still searching", "says so with its last words");
}

/* The case seen in the field: `campaign check` on a history it refuses. */
static void test_campaign_check(void)
{
	char self[PATH_MAX], *campaign, *run, why[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return;
	self[n] = 0;
	campaign = xasprintf("%s/../orchestrator/campaign", dirname(self));
	if (access(campaign, X_OK) < 0) {
		ok(1, "# SKIP campaign binary not built");
		free(campaign);
		return;
	}
	run = xasprintf("%s check lost-writes %slw_unsorted_bad.jsonl --json", campaign, HISTORIES);
	is_int(judge(run, 0, why, sizeof(why)), VERDICT_UNKNOWN, "malformed history: unknown");
	is_str(why, "checker exited 2: campaign: error: " HISTORIES "lw_unsorted_bad.jsonl:6: "
	       "invalid JSON at column 81: '}' expected near end of file", "file, line and cause");
	free(run);
	run = xasprintf("%s check lost-writes /dev/zero --json", campaign);
	is_int(judge(run, 5, why, sizeof(why)), VERDICT_UNKNOWN, "/dev/zero: unknown, at once");
	is_str(why, "checker exited 2: campaign: error: cannot read history '/dev/zero': a "
	       "character device, not a regular file", "why");
	free(run);
	run = xasprintf("%s check lost-writes %slw_unsorted_lost.jsonl --json", campaign, HISTORIES);
	is_int(judge(run, 0, why, sizeof(why)), VERDICT_FAIL, "unsorted with a lost add: a flaw");
	ok(strstr(why, "1 lost") && strstr(why, "2 lines out of time order were sorted by time"),
	   "the explanation: %s", why);
	free(run);
	free(campaign);
}

int main(void)
{
	test_statuses();
	test_cannot_finish();
	test_campaign_check();
	return tap_done();
}
