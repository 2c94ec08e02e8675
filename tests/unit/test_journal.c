#include "buf.h"
#include "err.h"
#include "journal.h"
#include "paths.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *read_all(const char *path, size_t *ret_len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (ret_len)
		*ret_len = b.len;
	return buf_detach(&b);
}

static void write_all(const char *path, const char *data, size_t len, int append)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		      (append ? O_APPEND : O_TRUNC), 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static json_t *run_record(long long n, const char *outcome)
{
	return json_pack("{s:s, s:I, s:s}", "type", "run", "run", (json_int_t)n,
			 "outcome", outcome);
}

static int append_run(struct journal *j, long long n, const char *outcome,
		      struct err *e)
{
	json_t *rec = run_record(n, outcome);
	int r = journal_append(j, rec, e);

	json_decref(rec);
	return r;
}

static int count_cb(json_t *rec, long long line, void *ctx, struct err *e)
{
	(void)rec;
	(void)line;
	(void)e;
	++*(long long *)ctx;
	return 0;
}

static long long count_newlines(const char *path)
{
	size_t len;
	char *s = read_all(path, &len);
	long long n = 0;

	for (size_t i = 0; s && i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

static void test_append_reopen(const char *dir)
{
	struct journal *j = NULL;
	struct journal_state st;
	struct err e = { "" };
	json_t *rec;
	long long n = 0;

	ok(journal_open(dir, &j, &st, &e) == 0, "open a fresh journal: %s", e.msg);
	is_int(st.records, 0, "fresh journal has no records");
	is_int(st.next_run, 1, "fresh journal resumes at run 1");
	is_int(st.repaired, 0, "fresh journal needs no repair");

	rec = json_pack("{s:s, s:s, s:I}", "type", "campaign", "event", "start",
			"seed", (json_int_t)42);
	ok(journal_append(j, rec, &e) == 0, "append a campaign event: %s", e.msg);
	json_decref(rec);
	ok(append_run(j, 1, "no-effect", &e) == 0, "append run 1: %s", e.msg);
	ok(append_run(j, 2, "flaw", &e) == 0, "append run 2");
	rec = json_pack("{s:s, s:I, s:I, s:s}", "type", "infra", "run",
			(json_int_t)4, "attempt", (json_int_t)1, "error", "ssh down");
	ok(journal_append(j, rec, &e) == 0, "append an infra event");
	json_decref(rec);
	ok(append_run(j, 4, "recovered", &e) == 0, "append run 4 (run 3 missing)");
	is_int(journal_get_state(j)->next_run, 3, "live state: next run is 3");

	ok(append_run(j, 2, "no-effect", &e) < 0, "a second record of run 2 is refused");
	ok(strstr(e.msg, "run 2 is already recorded") != NULL,
	   "with 'run 2 is already recorded': %s", e.msg);
	rec = json_pack("{s:s}", "outcome", "flaw");
	ok(journal_append(j, rec, &e) < 0 && strstr(e.msg, "\"type\""),
	   "a record without a type is refused: %s", e.msg);
	json_decref(rec);
	rec = json_pack("{s:s, s:i}", "type", "run", "run", 0);
	ok(journal_append(j, rec, &e) < 0, "run number 0 is refused");
	json_decref(rec);
	rec = json_pack("{s:s, s:s}", "type", "run", "note", "line\nbreak");
	ok(journal_append(j, rec, &e) < 0, "a run record without a number is refused");
	json_decref(rec);
	rec = json_pack("{s:s, s:I, s:s}", "type", "run", "run", (json_int_t)7,
			"log", "line one\nline two");
	ok(journal_append(j, rec, &e) == 0, "a newline inside a string is escaped");
	json_decref(rec);
	journal_close(j);

	e.msg[0] = '\0';
	ok(journal_open(dir, &j, &st, &e) == 0, "reopen: %s", e.msg);
	is_int(st.records, 6, "reopen: 6 records");
	is_int(st.runs, 4, "reopen: 4 run records");
	is_int(st.infra, 1, "reopen: 1 infra event");
	is_int(st.campaign_events, 1, "reopen: 1 campaign event");
	is_int(st.next_run, 3, "runs 1,2,4,7 recorded: resume at 3");
	is_int(st.max_run, 7, "largest run is 7");
	is_int(st.outcomes.no_effect, 1, "outcomes: 1 no-effect");
	is_int(st.outcomes.flaw, 1, "outcomes: 1 flaw");
	is_int(st.outcomes.recovered, 1, "outcomes: 1 recovered");
	is_int(st.outcomes.other, 1, "outcomes: 1 other");
	ok(journal_has_run(j, 4) && !journal_has_run(j, 3) &&
	   journal_has_run(j, 7) && !journal_has_run(j, 5), "journal_has_run");
	ok(append_run(j, 3, "no-effect", &e) == 0, "fill the gap at run 3");
	is_int(journal_get_state(j)->next_run, 5, "then resume at 5");
	ok(append_run(j, 4, "no-effect", &e) < 0, "run 4 recorded before reopen is refused");
	journal_close(j);

	ok(journal_foreach(dir, count_cb, &n, &e) == 0 && n == 7,
	   "foreach sees 7 records");
}

static void test_lock(const char *dir)
{
	struct journal *a = NULL, *b = NULL;
	struct err e = { "" };
	char want[512];

	ok(journal_open(dir, &a, NULL, &e) == 0, "first writer opens");
	ok(journal_open(dir, &b, NULL, &e) < 0, "a second writer in the same "
	   "process is refused");
	snprintf(want, sizeof(want), "results directory '%s' is in use by another "
		 "campaign (pid %d)", dir, (int)getpid());
	is_str(e.msg, want, "with the in-use message and the holder's pid");
	ok(b == NULL, "ret untouched on failure");
	journal_close(a);
	ok(journal_open(dir, &b, NULL, &e) == 0, "after close the directory is free");
	journal_close(b);
}

static void test_torn_tail(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	const char *partial = "{\"type\":\"run\",\"run\":5,\"outc";
	struct journal *j = NULL;
	struct journal_state st;
	struct err e = { "" };
	struct stat sb;
	size_t before, len;
	char *s;
	long long n = 0;

	stat(path, &sb);
	before = (size_t)sb.st_size;
	write_all(path, partial, strlen(partial), 1);

	ok(journal_foreach(dir, count_cb, &n, &e) == 0 && n == 7,
	   "foreach skips a torn last line");
	stat(path, &sb);
	is_int((long long)sb.st_size, (long long)(before + strlen(partial)),
	       "foreach leaves the file alone");

	ok(journal_open(dir, &j, &st, &e) == 0, "open repairs a torn tail: %s", e.msg);
	is_int(st.repaired, 1, "repaired is reported");
	is_int(st.dropped_bytes, (long long)strlen(partial), "dropped bytes reported");
	is_int(st.records, 7, "no complete line lost");
	is_int(st.next_run, 5, "run 5 was never recorded");
	s = read_all(path, &len);
	is_int((long long)len, (long long)before, "file cut back to the last line");
	ok(len > 0 && s[len - 1] == '\n', "file ends in a newline");
	free(s);
	ok(append_run(j, 5, "no-effect", &e) == 0, "appending after repair works");
	journal_close(j);
	ok(journal_open(dir, &j, &st, &e) == 0 && !st.repaired && st.records == 8,
	   "the repaired journal reads clean");
	journal_close(j);

	/* A crash can leave zeros (a size update without the data): a
	 * newline-terminated last line that is not JSON is torn too. */
	stat(path, &sb);
	before = (size_t)sb.st_size;
	write_all(path, "\0\0\0\0\n", 5, 1);
	ok(journal_open(dir, &j, &st, &e) == 0 && st.repaired &&
	   st.dropped_bytes == 5, "an invalid complete last line is torn too");
	journal_close(j);
	stat(path, &sb);
	is_int((long long)sb.st_size, (long long)before, "and is cut away");
	free(path);
}

static void test_malformed_middle(const char *dir)
{
	char *path = xasprintf("%s/journal.jsonl", dir);
	const char *text =
		"{\"type\":\"run\",\"run\":1}\n"
		"{\"type\":\"run\",\"run\":2,\"outc\n"
		"{\"type\":\"run\",\"run\":3}\n";
	struct journal *j = NULL;
	struct err e = { "" };
	size_t len;
	char *s, want[512];
	long long n = 0;

	write_all(path, text, strlen(text), 0);
	ok(journal_open(dir, &j, NULL, &e) < 0, "a malformed middle line is an error");
	snprintf(want, sizeof(want), "journal '%s' line 2: not valid JSON; the "
		 "file is damaged before its end", path);
	is_str(e.msg, want, "naming the line");
	s = read_all(path, &len);
	ok(len == strlen(text) && !memcmp(s, text, len), "the file is untouched");
	free(s);
	ok(journal_foreach(dir, count_cb, &n, &e) < 0 && strstr(e.msg, "line 2"),
	   "foreach refuses it too");

	text = "{\"type\":\"run\",\"run\":1}\n[1,2]\n";
	write_all(path, text, strlen(text), 0);
	ok(journal_open(dir, &j, NULL, &e) < 0 &&
	   strstr(e.msg, "line 2: a record must be a JSON object"),
	   "valid JSON that is not a record is an error, even last: %s", e.msg);

	text = "{\"type\":\"run\",\"run\":1}\n{\"type\":\"run\",\"run\":1}\n";
	write_all(path, text, strlen(text), 0);
	ok(journal_open(dir, &j, NULL, &e) < 0 &&
	   strstr(e.msg, "line 2: run 1 is recorded twice"),
	   "a run recorded twice in the file is an error: %s", e.msg);
	s = read_all(path, &len);
	ok(len == strlen(text) && !memcmp(s, text, len), "the file is untouched");
	free(s);
	free(path);
}

static json_t *meta_with_runs(int runs, int seed)
{
	return json_pack("{s:{s:s, s:{s:i, s:s}, s:[{s:s}, {s:s, s:i}]}, s:i, "
			 "s:s}",
			 "config", "name", "etcd-3", "schedule", "runs", runs,
			 "budget", "8h", "faults", "type", "process-kill",
			 "type", "partition", "weight", 2,
			 "seed", seed, "tool_version", "0.1.0");
}

static void test_campaign(const char *dir)
{
	char *sub = xasprintf("%s/r", dir), want[1024], diff[256];
	json_t *m30 = meta_with_runs(30, 42), *m40 = meta_with_runs(40, 42);
	json_t *seed7 = meta_with_runs(30, 7), *a, *b;
	struct journal *j = NULL;
	struct err e = { "" };

	is_int(journal_check_campaign(sub, m30, &e), JOURNAL_FRESH,
	       "no campaign.json and no journal: fresh");
	ok(journal_open(sub, &j, NULL, &e) == 0, "open creates the directory");
	is_int(journal_check_campaign(sub, m30, &e), JOURNAL_FRESH,
	       "an empty journal without campaign.json: still fresh");
	ok(journal_write_campaign(sub, m30, &e) == 0, "write campaign.json: %s", e.msg);
	is_int(journal_check_campaign(sub, m30, &e), JOURNAL_RESUME,
	       "the same config resumes");
	is_int(journal_check_campaign(sub, m40, &e), -1, "a different config is refused");
	snprintf(want, sizeof(want), "results directory '%s' was made by a "
		 "different config: schedule.runs is 30 there and 40 here; "
		 "use another --out directory", sub);
	is_str(e.msg, want, "naming the first differing path");
	is_int(journal_check_campaign(sub, seed7, &e), -1, "a different seed is refused");
	ok(strstr(e.msg, "made with seed 42, not 7") != NULL, "saying so: %s", e.msg);

	ok(append_run(j, 1, "no-effect", &e) == 0, "record a run");
	journal_close(j);
	{
		char *cj = xasprintf("%s/campaign.json", sub);

		unlink(cj);
		free(cj);
	}
	ok(journal_check_campaign(sub, m30, &e) < 0 &&
	   strstr(e.msg, "has a journal but no campaign.json"),
	   "records without campaign.json: refused: %s", e.msg);

	a = json_pack("{s:[i, {s:s}], s:i}", "faults", 1, "type", "kill", "x", 1);
	b = json_pack("{s:[i, {s:s}], s:i}", "faults", 1, "type", "hang", "x", 1);
	journal_json_diff(a, b, diff, sizeof(diff));
	is_str(diff, "faults[1].type is \"kill\" there and \"hang\" here",
	       "diff: array element member");
	json_decref(b);
	b = json_pack("{s:[i], s:i, s:i}", "faults", 1, "x", 1, "a b", 2);
	journal_json_diff(a, b, diff, sizeof(diff));
	is_str(diff, "faults[1] is {\"type\":\"kill\"} there and absent here",
	       "diff: shorter array");
	json_object_set_new(b, "faults", json_pack("[i, {s:s}]", 1, "type", "kill"));
	journal_json_diff(a, b, diff, sizeof(diff));
	is_str(diff, "[\"a b\"] is absent there and 2 here", "diff: odd key, absent there");
	json_object_del(b, "a b");
	is_int(journal_json_diff(a, b, diff, sizeof(diff)), 0, "diff: equal");
	is_str(diff, "", "diff: empty when equal");
	json_decref(a);
	json_decref(b);

	json_decref(m30);
	json_decref(m40);
	json_decref(seed7);
	free(sub);
}

/* The child appends runs 1, 2, ... and reports each acknowledged run on
 * a pipe. Records of several MiB make a SIGKILL inside write() likely,
 * which leaves a real torn line; small ones test the common case. */
static void child_append(const char *dir, int ack_fd, size_t pad_max)
{
	struct journal *j = NULL;
	struct err e;
	struct journal_state st;
	char *pad = xmalloc(pad_max + 1);

	memset(pad, 'x', pad_max);
	pad[pad_max] = '\0';
	if (journal_open(dir, &j, &st, &e) < 0)
		_exit(2);
	for (long long n = st.next_run;; n++) {
		json_t *rec = json_pack("{s:s, s:I, s:s, s:s%}", "type", "run",
					"run", (json_int_t)n, "outcome", "no-effect",
					"pad", pad, (size_t)(n % 7 + 1) * (pad_max / 7));

		if (journal_append(j, rec, &e) < 0)
			_exit(3);
		json_decref(rec);
		if (write(ack_fd, &n, sizeof(n)) != sizeof(n))
			_exit(4);
	}
}

static void test_kill_safety(const char *dir, unsigned seed)
{
	char *sub = xasprintf("%s/kill", dir), *path;
	int all_ok = 1, acked_ok = 1, consistent = 1, repaired = 0;

	srand(seed);
	path = xasprintf("%s/journal.jsonl", sub);
	for (int round = 0; round < 6; round++) {
		struct journal *j = NULL;
		struct journal_state st;
		struct err e = { "" };
		long long acked = 0, n, records = 0;
		int fds[2], status;
		pid_t pid;

		if (pipe2(fds, O_CLOEXEC) < 0)
			abort();
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			child_append(sub, fds[1], round < 3 ? 300000 : 8 << 20);
		}
		close(fds[1]);
		/* Kill at a random moment, after the child has started. */
		if (read(fds[0], &n, sizeof(n)) == sizeof(n))
			acked = n;
		clock_nanosleep(CLOCK_MONOTONIC, 0, &(struct timespec){
				0, (rand() % 40 + 1) * 1000000L }, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		while (read(fds[0], &n, sizeof(n)) == sizeof(n))
			acked = n;
		close(fds[0]);

		if (journal_open(sub, &j, &st, &e) < 0) {
			all_ok = 0;
			printf("# round %d: %s\n", round, e.msg);
			continue;
		}
		repaired += st.repaired;
		if (st.runs != st.next_run - 1 || st.runs != st.records ||
		    st.max_run != st.runs)
			consistent = 0;
		if (acked && !journal_has_run(j, acked))
			acked_ok = 0;
		journal_close(j);
		if (journal_foreach(sub, count_cb, &records, &e) < 0) {
			all_ok = 0;
			printf("# round %d: %s\n", round, e.msg);
		}
		if (records != st.records || count_newlines(path) != records)
			consistent = 0;
	}
	ok(all_ok, "after SIGKILL mid-append, every line is valid (seed %u)", seed);
	ok(consistent, "the record count is consistent with the file");
	ok(acked_ok, "every acknowledged run is in the journal");
	printf("# %d of 6 rounds needed a repair\n", repaired);
	free(path);
	free(sub);
}

int main(void)
{
	char tmpl[] = "/tmp/test_journal.XXXXXX";
	char *dir = mkdtemp(tmpl), *jdir;
	struct err e;

	if (!dir)
		return 1;
	jdir = xasprintf("%s/results", dir);
	test_append_reopen(jdir);
	test_lock(jdir);
	test_torn_tail(jdir);
	test_malformed_middle(jdir);
	test_campaign(dir);
	test_kill_safety(dir, (unsigned)time(NULL) ^ (unsigned)getpid());
	paths_remove_tree(dir, &e);
	free(jdir);
	return tap_done();
}
