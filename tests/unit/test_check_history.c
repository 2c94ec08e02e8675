/* Parsing, validation and EDN export of operation histories. */
#include "buf.h"
#include "err.h"
#include "history.h"
#include "tap.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HISTORIES CAMPAIGN_SOURCE_DIR "/tests/unit/histories/"

/* Parse text as "history.jsonl"; return the error message, or "" if it
 * parsed (then the history is freed). */
static const char *parse_error(const char *text)
{
	static struct err e;
	struct history *h = NULL;

	if (history_parse("history.jsonl", text, strlen(text), &h, &e) == 0) {
		history_free(h);
		return "";
	}
	ok(h == NULL, "no history on failure");
	return e.msg;
}

#define INV(p, f, v, t) "{\"process\": " #p ", \"type\": \"invoke\", \"f\": \"" f \
	"\", \"key\": \"k\", \"value\": " v ", \"time\": " #t "}\n"
#define DONE(p, type, f, v, t) "{\"process\": " #p ", \"type\": \"" type "\", \"f\": \"" f \
	"\", \"key\": \"k\", \"value\": " v ", \"time\": " #t "}\n"

static void test_malformed(void)
{
	is_str(parse_error(INV(0, "write", "1", 1) "{\"process\": 0, \"type\": \"ok\"\n"),
	       "history.jsonl:2: invalid JSON at column 27: '}' expected near end of file",
	       "bad JSON names the line and column");
	is_str(parse_error("[1, 2]\n"), "history.jsonl:1: an event must be a JSON object",
	       "an array is not an event");
	is_str(parse_error(INV(0, "write", "1", 1)
			   "{\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"key\": \"k\"}\n"),
	       "history.jsonl:2: missing field 'time'", "missing time");
	is_str(parse_error("{\"process\": 0, \"f\": \"write\", \"value\": 1, \"time\": 1}\n"),
	       "history.jsonl:1: missing field 'type'", "missing type");
	is_str(parse_error("{\"type\": \"invoke\", \"f\": \"write\", \"value\": 1, \"time\": 1}\n"),
	       "history.jsonl:1: missing field 'process'", "missing process");
	is_str(parse_error("{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"time\": 1}\n"),
	       "history.jsonl:1: missing field 'value' (the argument of the write)",
	       "a write without its value");
	is_str(parse_error(INV(0, "read", "null", 1)
			   "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\", \"time\": 2}\n"),
	       "history.jsonl:2: missing field 'value' (the value read)", "an ok read without value");
	is_str(parse_error("{\"process\": \"3\", \"type\": \"invoke\", \"f\": \"read\", \"time\": 1}\n"),
	       "history.jsonl:1: 'process' must be an integer", "process of the wrong type");
	is_str(parse_error("{\"process\": 3, \"type\": \"invoke\", \"f\": \"read\", \"time\": 1.5}\n"),
	       "history.jsonl:1: 'time' must be an integer (nanoseconds)", "time of the wrong type");
	is_str(parse_error("{\"process\": 3, \"type\": 1, \"f\": \"read\", \"time\": 1}\n"),
	       "history.jsonl:1: 'type' must be a string", "type of the wrong type");
	is_str(parse_error("{\"process\": 3, \"type\": \"invoke\", \"f\": \"read\", \"key\": [1], \"time\": 1}\n"),
	       "history.jsonl:1: 'key' must be a string or an integer", "key of the wrong type");
	is_str(parse_error(INV(0, "write", "1", 1) "\n\n" DONE(0, "done", "write", "1", 2)),
	       "history.jsonl:4: 'type' must be one of invoke, ok, fail, info, fault, nemesis, not 'done'",
	       "unknown type, line numbers count blank lines");
	is_str(parse_error(INV(0, "incr", "1", 1)),
	       "history.jsonl:1: 'f' must be one of read, write, cas, add, not 'incr'", "unknown f");
	is_str(parse_error(INV(0, "write", "1", 1) DONE(1, "ok", "write", "1", 2)),
	       "history.jsonl:2: process 1 completes ('ok') with no operation outstanding",
	       "completion without invoke");
	is_str(parse_error(INV(0, "write", "1", 1) INV(1, "read", "null", 2) INV(0, "write", "2", 3)),
	       "history.jsonl:3: process 0 invokes while its operation from line 1 is outstanding",
	       "two invokes by the same process");
	is_str(parse_error(INV(0, "write", "1", 1) DONE(0, "ok", "read", "1", 2)),
	       "history.jsonl:2: process 0 completes 'read' but invoked 'write' at line 1",
	       "completion of another f");
	is_str(parse_error(INV(0, "write", "1", 1)
			   "{\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"key\": \"j\", \"time\": 2}\n"),
	       "history.jsonl:2: process 0 completes on key \"j\" but invoked on key 'k' at line 1",
	       "completion on another key");
	is_str(parse_error(INV(0, "write", "1", 1) DONE(0, "ok", "write", "2", 2)),
	       "history.jsonl:2: 'value' differs from that of the invoke at line 1",
	       "completion with another value");
	is_str(parse_error(INV(0, "cas", "[1]", 1)),
	       "history.jsonl:1: 'value' of a cas must be [expected, new]", "cas with one value");
	is_str(parse_error(INV(0, "write", "[1]", 1)),
	       "history.jsonl:1: 'value' of a write must be a scalar", "write of an array");
	is_str(parse_error(INV(0, "add", "{}", 1)),
	       "history.jsonl:1: 'value' of an add must be a scalar", "add of an object");
	is_str(parse_error(INV(0, "read", "null", 1) DONE(0, "ok", "read", "[[1]]", 2)),
	       "history.jsonl:2: 'value' of a read must be a scalar, null or an array of scalars",
	       "read of nested arrays");
	is_str(parse_error(INV(0, "write", "1", 5) DONE(0, "ok", "write", "1", 4)),
	       "history.jsonl:2: 'time' of process 0 goes backwards (4 after 5 at line 1)",
	       "one process going back in time");
	is_str(parse_error(INV(0, "write", "1", 1) DONE(0, "ok", "write", "1", 8)
			   INV(1, "read", "null", 9) INV(0, "write", "2", 7)),
	       "history.jsonl:4: 'time' of process 0 goes backwards (7 after 8 at line 2)",
	       "an invoke before its own process's last completion");
	is_str(parse_error(INV(1, "read", "null", 9) INV(0, "write", "1", 2)
			   DONE(1, "ok", "read", "1", 10) "{\"process\": 0, \"type\": \"ok\"\n"),
	       "history.jsonl:4: invalid JSON at column 27: '}' expected near end of file",
	       "a malformed line in an out-of-order history");
	is_str(parse_error(INV(1, "read", "null", 9) INV(0, "write", "1", 2)
			   DONE(2, "ok", "write", "1", 5) DONE(1, "ok", "read", "1", 10)),
	       "history.jsonl:3: process 2 completes ('ok') with no operation outstanding",
	       "a completion without invoke, after sorting");
	is_str(parse_error("{\"type\": \"fault\", \"time\": 1}\n"),
	       "history.jsonl:1: missing field 'f'", "fault without f");
	is_str(parse_error(""), "", "an empty history is fine");
	is_str(parse_error("\n  \n"), "", "blank lines are fine");
}

static void test_load_errors(void)
{
	struct history *h = NULL;
	struct err e;

	ok(history_load(HISTORIES "no-such-file.jsonl", &h, &e) < 0 && !h, "missing file");
	is_str(e.msg, "cannot open history '" HISTORIES "no-such-file.jsonl': No such file or "
	       "directory", "missing file message");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Devices and FIFOs are refused at once, without reading them: /dev/zero
 * would fill memory, a FIFO without writer would block forever (the alarm
 * turns a hang into a failure). */
static void test_not_regular(void)
{
	char dir[] = "/tmp/campaign-test-history-XXXXXX", *fifo;
	struct history *h = NULL;
	struct err e = { "" };
	double t0 = now_s();

	alarm(20);
	ok(history_load("/dev/zero", &h, &e) < 0 && !h, "/dev/zero refused");
	is_str(e.msg, "cannot read history '/dev/zero': a character device, not a regular file",
	       "/dev/zero message");
	ok(history_load(HISTORIES, &h, &e) < 0 && !h, "a directory refused");
	is_str(e.msg, "cannot read history '" HISTORIES "': a directory, not a regular file",
	       "directory message");
	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return;
	fifo = xasprintf("%s/history.jsonl", dir);
	if (ok(mkfifo(fifo, 0600) == 0, "FIFO made")) {
		char *want = xasprintf("cannot read history '%s': a FIFO, not a regular file", fifo);

		ok(history_load(fifo, &h, &e) < 0 && !h, "a FIFO refused");
		is_str(e.msg, want, "FIFO message");
		ok(history_load_with_faults(HISTORIES "av_split_ops.jsonl", fifo, &h, &e) < 0 && !h,
		   "a FIFO as the faults file refused");
		ok(strstr(e.msg, "cannot read faults file '") && strstr(e.msg, "a FIFO"),
		   "names the faults file: %s", e.msg);
		free(want);
		unlink(fifo);
	}
	ok(now_s() - t0 < 5, "refused at once (%.3f s)", now_s() - t0);
	alarm(0);
	rmdir(dir);
	free(fifo);
}

/* CAMPAIGN_HISTORY_MAX_BYTES lowers the 1 GiB limit. */
static void test_size_cap(void)
{
	struct history *h = NULL;
	struct err e = { "" };
	struct stat st;
	char *limit;

	if (!ok(stat(HISTORIES "lw_set_lost.jsonl", &st) == 0, "fixture size"))
		return;
	ok(HISTORY_MAX_BYTES == 1073741824, "default limit 1 GiB");
	limit = xasprintf("%lld", (long long)st.st_size - 1);
	setenv("CAMPAIGN_HISTORY_MAX_BYTES", limit, 1);
	ok(history_load(HISTORIES "lw_set_lost.jsonl", &h, &e) < 0 && !h, "one byte over the limit");
	free(limit);
	limit = xasprintf("history '" HISTORIES "lw_set_lost.jsonl' is larger than %lld bytes",
			  (long long)st.st_size - 1);
	is_str(e.msg, limit, "names the file and the limit");
	free(limit);
	ok(history_load_with_faults(HISTORIES "av_split_ops.jsonl", HISTORIES "lw_set_lost.jsonl",
				    &h, &e) < 0 && !h && strstr(e.msg, "is larger than"),
	   "the faults file has the same limit: %s", e.msg);
	limit = xasprintf("%lld", (long long)st.st_size);
	setenv("CAMPAIGN_HISTORY_MAX_BYTES", limit, 1);
	free(limit);
	if (ok(history_load(HISTORIES "lw_set_lost.jsonl", &h, &e) == 0, "exactly at the limit: %s",
	       e.msg))
		is_int((long long)h->n_events, 10, "all of it read");
	history_free(h);
	h = NULL;
	setenv("CAMPAIGN_HISTORY_MAX_BYTES", "12k", 1);
	ok(history_load(HISTORIES "lw_set_lost.jsonl", &h, &e) < 0 && !h, "a bad limit");
	is_str(e.msg, "CAMPAIGN_HISTORY_MAX_BYTES must be a positive number of bytes, not '12k'",
	       "bad limit message");
	setenv("CAMPAIGN_HISTORY_MAX_BYTES", "0", 1);
	ok(history_load(HISTORIES "lw_set_lost.jsonl", &h, &e) < 0 && !h, "a zero limit");
	unsetenv("CAMPAIGN_HISTORY_MAX_BYTES");
}

/* Threads of one client append to one file: lines a little out of time
 * order are sorted by time, stably, each keeping its line number. */
static void test_out_of_order(void)
{
	static const char text[] =
		INV(0, "write", "1", 10)	/* line 1 */
		INV(1, "read", "null", 30)	/* line 2 */
		DONE(0, "ok", "write", "1", 20)	/* line 3: before line 2 */
		INV(2, "write", "2", 30)	/* line 4: ties line 2 */
		"\n"				/* line 5 */
		DONE(2, "ok", "write", "2", 25)	/* line 6: impossible for process 2 */
		;
	static const char shuffled[] =
		INV(0, "write", "1", 10)	/* line 1 */
		INV(1, "read", "null", 30)	/* line 2 */
		DONE(0, "ok", "write", "1", 20)	/* line 3 */
		INV(2, "write", "2", 30)	/* line 4: ties line 2 */
		DONE(1, "ok", "read", "1", 35)	/* line 5 */
		INV(3, "write", "3", 5)		/* line 6: first of all */
		DONE(2, "ok", "write", "2", 31)	/* line 7: before line 5 */
		DONE(3, "fail", "write", "3", 40);	/* line 8 */
	static const int want_lines[] = { 6, 1, 3, 2, 4, 7, 5, 8 };
	struct history *h = NULL;
	struct err e = { "" };
	size_t i;

	ok(history_parse("h", text, strlen(text), &h, &e) < 0, "a process cannot go back in time");
	is_str(e.msg, "h:6: 'time' of process 2 goes backwards (25 after 30 at line 4)",
	       "names both lines");
	if (!ok(history_parse("h", shuffled, strlen(shuffled), &h, &e) == 0, "parses: %s", e.msg))
		return;
	is_int((long long)h->reordered, 3, "lines 3, 6 and 7 were out of order");
	is_int((long long)h->n_events, 8, "all events");
	for (i = 0; i < 8; i++)
		is_int(h->events[i].line, want_lines[i], "time order, ties in file order");
	for (i = 1; i < 8; i++)
		ok(h->events[i - 1].time <= h->events[i].time, "event %zu in time order", i);
	is_int((long long)h->n_ops, 4, "four ops");
	is_int(h->events[h->ops[0].invoke].line, 6, "the first op is the earliest invoke");
	is_int(h->events[h->ops[0].complete].line, 8, "paired with its completion");
	is_int(h->ops[0].outcome, HISTORY_FAIL, "its outcome");
	is_int(h->events[h->ops[1].complete].line, 3, "process 0's write paired");
	is_int(h->events[h->ops[2].complete].line, 5, "process 1's read paired");
	ok(json_integer_value(h->ops[2].value) == 1, "the read's value");
	char *t = history_op_text(h, 3);
	is_str(t, "ok write 2 by process 2 on key 'k' (lines 4-7)", "messages use file lines");
	free(t);
	history_free(h);

	h = NULL;
	if (!ok(history_load_with_faults(HISTORIES "av_split_ops_unsorted.jsonl",
					 HISTORIES "av_split_faults.jsonl", &h, &e) == 0,
		"an unsorted history merged with a faults file: %s", e.msg))
		return;
	is_int((long long)h->reordered, 1, "one history line out of order");
	is_int(h->events[2].type, HISTORY_FAULT, "the start sits at its time");
	is_int(h->events[3].line, 4, "then the earlier invoke, written after");
	is_int(h->events[4].line, 3, "then the later one");
	history_free(h);
}

static void test_pairing(void)
{
	static const char text[] =
		INV(0, "write", "1", 1)
		"{\"type\": \"fault\", \"f\": \"start\", \"time\": 2}\n"
		DONE(0, "info", "write", "1", 3)
		INV(0, "read", "null", 4)
		INV(1, "read", "null", 5)
		DONE(1, "ok", "read", "1", 6)
		"{\"process\": 2, \"type\": \"invoke\", \"f\": \"add\", \"value\": \"a\", \"time\": 7}\n";
	struct history *h = NULL;
	struct err e;

	if (!ok(history_parse("h", text, strlen(text), &h, &e) == 0, "parses: %s", e.msg))
		return;
	is_int((long long)h->n_events, 7, "events");
	is_int((long long)h->n_ops, 4, "ops");
	is_int((long long)h->n_keys, 2, "a named and the unnamed key");
	is_int(h->ops[0].outcome, HISTORY_INFO, "info outcome");
	is_int(h->ops[0].complete, 2, "info completion paired");
	is_int(h->ops[1].complete, -1, "never completed");
	is_int(h->ops[1].outcome, HISTORY_INFO, "never completed counts as info");
	is_int(h->ops[1].logical, 3, "a process reused after info is a new logical process");
	is_int(h->ops[2].logical, 1, "other processes keep their number");
	ok(json_integer_value(h->ops[2].value) == 1, "an ok read's value is the value read");
	ok(h->ops[0].value && json_integer_value(h->ops[0].value) == 1, "a write's value");
	is_int(h->events[1].op, -1, "fault events belong to no op");
	is_str(h->events[1].fault_f, "start", "fault f");
	is_int(h->events[2].key, 0, "completion inherits the key");
	ok(h->keys[1] == NULL, "unnamed key");
	is_int(h->events[6].line, 7, "line numbers");
	char *t = history_op_text(h, 0);
	is_str(t, "info write 1 by process 0 on key 'k' (lines 1-3)", "op text");
	free(t);
	t = history_op_text(h, 1);
	is_str(t, "pending read by process 0 on key 'k' (line 4, never completed)", "pending op text");
	free(t);
	json_t *j = history_op_json(h, 2);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	is_str(s, "[{\"line\":5,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"k\","
		  "\"value\":null,\"time\":5},{\"line\":6,\"process\":1,\"type\":\"ok\","
		  "\"f\":\"read\",\"key\":\"k\",\"value\":1,\"time\":6}]", "op as JSON events");
	free(s);
	json_decref(j);
	history_free(h);
}

static void test_export(void)
{
	static const char want[] =
		"{:process 0, :type :invoke, :f :write, :value [\"k1\" 5], :time 10, :index 0}\n"
		"{:process 1, :type :invoke, :f :read, :value [\"k1\" nil], :time 11, :index 1}\n"
		"{:process 0, :type :ok, :f :write, :value [\"k1\" 5], :time 12, :index 2}\n"
		"{:process :nemesis, :type :info, :f :start, :value \"partition \\\"a\\\"\\n\", :time 13, :index 3}\n"
		"{:process 1, :type :ok, :f :read, :value [\"k1\" 5], :time 14, :index 4}\n"
		"{:process 2, :type :invoke, :f :cas, :value [\"k1\" [5 \"x\\\\y\"]], :time 15, :index 5}\n"
		"{:process 2, :type :info, :f :cas, :value [\"k1\" [5 \"x\\\\y\"]], :time 16, :index 6}\n"
		"{:process 3, :type :invoke, :f :add, :value [7 1.5], :time 17, :index 7}\n"
		"{:process 3, :type :fail, :f :add, :value [7 1.5], :time 18, :index 8}\n"
		"{:process 0, :type :invoke, :f :write, :value true, :time 19, :index 9}\n"
		"{:process :nemesis, :type :info, :f :heal-all!, :value nil, :time 20, :index 10}\n"
		"{:process :nemesis, :type :info, :f \"2x\", :value nil, :time 20, :index 11}\n"
		"{:process 1, :type :invoke, :f :read, :value [\"s\" nil], :time 21, :index 12}\n"
		"{:process 1, :type :ok, :f :read, :value [\"s\" [1 \"two\" nil]], :time 22, :index 13}\n";
	struct buf out = BUF_INIT;
	struct history *h = NULL;
	struct err e;

	if (!ok(history_load(HISTORIES "export_small.jsonl", &h, &e) == 0, "loads: %s", e.msg))
		return;
	history_export_jepsen(h, &out);
	is_str(out.data, want, "EDN export");
	buf_release(&out);
	history_free(h);
}

static void test_export_escapes(void)
{
	static const char text[] =
		"{\"type\": \"fault\", \"f\": \"x\", \"value\": \"tab\\there\\u0001\\r\\u00e9\", \"time\": 1}\n";
	struct buf out = BUF_INIT;
	struct history *h = NULL;
	struct err e;

	if (!ok(history_parse("h", text, strlen(text), &h, &e) == 0, "parses: %s", e.msg))
		return;
	history_export_jepsen(h, &out);
	is_str(out.data, "{:process :nemesis, :type :info, :f :x, :value \"tab\\there\\u0001\\r\xc3\xa9\", "
			 ":time 1, :index 0}\n", "EDN string escapes");
	buf_release(&out);
	history_free(h);
}

int main(void)
{
	test_malformed();
	test_load_errors();
	test_not_regular();
	test_size_cap();
	test_out_of_order();
	test_pairing();
	test_export();
	test_export_escapes();
	return tap_done();
}
