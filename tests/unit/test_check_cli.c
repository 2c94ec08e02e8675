/* `campaign check` and `campaign export-history` as a user runs them: exit
 * statuses and output. Skipped when the campaign binary is not built next
 * to this test (<build>/orchestrator/campaign). */
#include "buf.h"
#include "capture.h"
#include "tap.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

static char campaign[PATH_MAX];

/* Run the campaign binary with args (shell words; paths here need no
 * quoting); *out gets stdout and stderr. Returns the exit status. */
static int run(const char *args, struct buf *out)
{
	char *cmd = xasprintf("%s %s 2>&1", campaign, args);
	int status = capture(cmd, out);

	free(cmd);
	return status;
}

static int find_campaign(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -1;
	self[n] = 0;
	snprintf(campaign, sizeof(campaign), "%s/../orchestrator/campaign", dirname(self));
	return access(campaign, X_OK);
}

static void test_check(struct buf *out)
{
	is_int(run("check linearizable-register " HISTORIES "lin_stale_read.jsonl --json", out), 1,
	       "invalid: exit 1");
	ok(!strncmp(out->data, "{\"checker\":\"linearizable-register\",\"valid\":false,", 49),
	   "one line of JSON: %.60s", out->data);
	is_int(run("check linearizable-register " HISTORIES "lin_interleaving.jsonl", out), 0,
	       "valid: exit 0");
	ok(strstr(out->data, "\n  \"valid\": true,\n") != NULL, "indented JSON without --json");
	is_int(run("check lost-writes " HISTORIES "lw_no_final_read.jsonl --json", out), 2,
	       "unknown: exit 2");
	is_int(run("check availability " HISTORIES "av_recovered.jsonl --max-recovery-s 0.5", out), 1,
	       "availability option");
	is_int(run("check availability " HISTORIES "av_recovered.jsonl --time-limit-s 1", out), 2,
	       "an option of another checker");
	is_str(out->data, "campaign: error: '--time-limit-s' does not apply to checker 'availability'\n",
	       "names the option");
	is_int(run("check linearizable-register " HISTORIES "lin_sequential.jsonl --memory-limit-mib x",
		   out), 2, "a bad number");
	is_int(run("check no-such-checker " HISTORIES "lin_sequential.jsonl", out), 2, "unknown checker");
	is_int(run("check lost-writes " HISTORIES "export_small.jsonl --json", out), 1,
	       "elements read but never added: exit 1");
	ok(strstr(out->data, "\"unexpected_count\":3") != NULL, "three unexpected elements");
	is_int(run("check lost-writes", out), 2, "missing arguments");
	is_int(run("check --list", out), 0, "--list");
	ok(strstr(out->data, "linearizable-register") != NULL, "--list names the checkers");
}

static void test_bad_history(struct buf *out)
{
	char path[] = "/tmp/campaign-test-check-XXXXXX";
	int fd = mkstemp(path);
	char *args, *want;

	if (!ok(fd >= 0, "temporary file"))
		return;
	dprintf(fd, "{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\", \"time\": 1}\n"
		    "{\"process\": 1, \"type\": \"invoke\", \"f\": \"read\", \"time\": 2}\n");
	close(fd);
	args = xasprintf("check lost-writes %s", path);
	want = xasprintf("campaign: error: %s:2: process 1 invokes while its operation from "
			 "line 1 is outstanding\n", path);
	is_int(run(args, out), 2, "a malformed history: exit 2");
	is_str(out->data, want, "the message names file and line, nothing on stdout");
	free(args);
	free(want);
	unlink(path);
}

/* Lines out of time order (a client's threads sharing one file) are
 * sorted; a malformed line is still refused with its line. */
static void test_unsorted(struct buf *out)
{
	is_int(run("check lost-writes " HISTORIES "lw_unsorted_lost.jsonl --json", out), 1,
	       "lost writes seen once sorted: exit 1");
	ok(strstr(out->data, "\"reordered\":2") != NULL, "the verdict counts reordered lines");
	ok(strstr(out->data, "; 2 lines out of time order were sorted by time\"") != NULL,
	   "the explanation says so");
	is_int(run("check lost-writes " HISTORIES "lw_unsorted_bad.jsonl", out), 2,
	       "a malformed line: exit 2");
	is_str(out->data, "campaign: error: " HISTORIES "lw_unsorted_bad.jsonl:6: invalid JSON at "
	       "column 81: '}' expected near end of file\n", "file and line");
}

/* What cannot be a history is refused at once with a message, exit 2. */
static void test_not_a_history(struct buf *out)
{
	is_int(run("check lost-writes /dev/zero", out), 2, "/dev/zero: exit 2");
	is_str(out->data, "campaign: error: cannot read history '/dev/zero': a character device, "
	       "not a regular file\n", "/dev/zero refused");
	setenv("CAMPAIGN_HISTORY_MAX_BYTES", "100", 1);
	is_int(run("check lost-writes " HISTORIES "lw_set_lost.jsonl", out), 2, "over the limit: exit 2");
	is_str(out->data, "campaign: error: history '" HISTORIES "lw_set_lost.jsonl' is larger than "
	       "100 bytes\n", "the limit named");
	unsetenv("CAMPAIGN_HISTORY_MAX_BYTES");
}

static void test_export(struct buf *out)
{
	char path[] = "/tmp/campaign-test-export-XXXXXX";
	int fd = mkstemp(path);
	char *args, text[4096];
	ssize_t n;

	is_int(run("export-history " HISTORIES "export_small.jsonl --format jepsen", out), 0,
	       "export to stdout");
	ok(!strncmp(out->data, "{:process 0, :type :invoke, :f :write, :value [\"k1\" 5], :time 10, "
		    ":index 0}\n", 73), "first line");
	is_int(run("export-history " HISTORIES "export_small.jsonl --format edn", out), 2,
	       "another format: exit 2");
	is_int(run("export-history " HISTORIES "export_small.jsonl", out), 2, "no format: exit 2");
	if (!ok(fd >= 0, "temporary file"))
		return;
	close(fd);
	args = xasprintf("export-history " HISTORIES "export_small.jsonl --format jepsen --out %s", path);
	is_int(run(args, out), 0, "export to a file");
	is_str(out->data, "", "nothing printed");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	text[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
	ok(n > 0 && strstr(text, ":index 13}\n") != NULL, "the file holds all 14 events");
	free(args);
	unlink(path);
}

int main(void)
{
	struct buf out = BUF_INIT;

	if (find_campaign() < 0) {
		ok(1, "# SKIP campaign binary not built");
		return tap_done();
	}
	test_check(&out);
	test_bad_history(&out);
	test_unsorted(&out);
	test_not_a_history(&out);
	test_export(&out);
	buf_release(&out);
	return tap_done();
}
