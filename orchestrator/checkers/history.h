/* history.h - operation histories recorded by workload clients.
 *
 * A history is a JSON lines file, one event per line, with the meaning of
 * Jepsen's histories (docs/checkers.md has the full format):
 *
 *   {"process": 3, "type": "invoke", "f": "write", "key": "k1",
 *    "value": 5, "time": 1234}
 *
 * history_load() parses and validates the whole file; every error names
 * the file and the line. Lines need not be in time order (a client's
 * threads appending to one file are not): the events are sorted by time,
 * a stable sort, each keeping its line number, and history.reordered
 * counts the lines that were out of order. Only the events of one process
 * must be in time order in the file. Invokes are then paired with their
 * completions into operations (struct history_op); checkers read events
 * and operations but never change them.
 */
#ifndef CAMPAIGN_HISTORY_H
#define CAMPAIGN_HISTORY_H

#include "buf.h"
#include "err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The largest history file read, unless $CAMPAIGN_HISTORY_MAX_BYTES (a
 * positive number of bytes) says otherwise: 1 GiB. */
#define HISTORY_MAX_BYTES ((size_t)1 << 30)

enum history_type {
	HISTORY_INVOKE,
	HISTORY_OK,
	HISTORY_FAIL,
	HISTORY_INFO,	/* outcome unknown: may take effect until the end */
	HISTORY_FAULT,	/* "fault" or "nemesis": marks fault windows */
};

enum history_f {
	HISTORY_READ,
	HISTORY_WRITE,
	HISTORY_CAS,
	HISTORY_ADD,
	HISTORY_F_FAULT,	/* the f of a fault event: see fault_f */
};

/* One line of the file. */
struct history_event {
	int line;		/* 1-based line number in the file */
	enum history_type type;
	enum history_f f;
	char *fault_f;		/* fault events only: "start", "stop", ...; owned */
	int64_t process;	/* client events only */
	int key;		/* index into history.keys; -1 for fault events */
	json_t *value;		/* owned; NULL when the line has no "value" */
	int64_t time;		/* nanoseconds, monotonic */
	int op;			/* index into history.ops; -1 for fault events */
};

/* An invoke and its completion. */
struct history_op {
	int invoke;		/* index into history.events */
	int complete;		/* index into history.events; -1 if never completed */
	enum history_type outcome;	/* HISTORY_OK, _FAIL or _INFO (also when
					 * never completed) */
	enum history_f f;
	int key;
	int64_t process;	/* as written in the file */
	int64_t logical;	/* unique per process life: a process reused after
				 * an info completion gets a new logical number */
	/* Borrowed from the events: the invoke's value for write, cas and
	 * add; the completion's value for an ok read, else NULL. */
	const json_t *value;
};

struct history {
	char *name;		/* the file name used in messages */
	struct history_event *events;	/* in time order, ties in file order */
	size_t n_events;
	/* Lines earlier than a line above them in their file: out of time
	 * order in the file, put in order in events. */
	size_t reordered;
	struct history_op *ops;
	size_t n_ops;
	/* Distinct keys in order of first appearance; NULL entry for
	 * events without a "key" (a single, unnamed register or set). */
	json_t **keys;
	size_t n_keys;
};

/* Parse the file at path. On success *ret is a new history owned by the
 * caller (history_free); on failure *ret is untouched and e says
 * "path:line: cause", or why the file cannot be read: it is not a regular
 * file (a FIFO, a device), or it is larger than the limit (HISTORY_MAX_BYTES,
 * "history 'path' is larger than N bytes"). */
int history_load(const char *path, struct history **ret, struct err *e);

/* Parse the history at path and the fault events of faults_path (only
 * "fault"/"nemesis" lines, e.g. the engine's {run.dir}/faults.jsonl),
 * merged by time (on a tie the history's line first); events keep the
 * line numbers of their own file. Both files are read as history_load
 * reads one. */
int history_load_with_faults(const char *path, const char *faults_path,
			     struct history **ret, struct err *e);

/* Parse text (len bytes) as the contents of a file called name. */
int history_parse(const char *name, const char *text, size_t len,
		  struct history **ret, struct err *e);

/* Free h and everything it owns; takes NULL. */
void history_free(struct history *h);

/* Names of the enums, as written in the file ("invoke", "read", ...). */
const char *history_type_name(enum history_type t);
const char *history_f_name(enum history_f f);

/* The key of an event or op as text for messages: 'k1', 7, or (none).
 * Returns a new string owned by the caller. */
char *history_key_text(const struct history *h, int key);

/* The event at index i as a JSON object with its "line" (new reference). */
json_t *history_event_json(const struct history *h, size_t i);

/* The events of operation i (invoke, then completion if any) as a JSON
 * array of history_event_json objects (new reference). */
json_t *history_op_json(const struct history *h, size_t i);

/* A short description of operation i for explanations:
 * "ok write 5 by process 3 on key 'k1' (lines 4-7)". New string, caller's. */
char *history_op_text(const struct history *h, size_t i);

/* A JSON value as compact text ("null", "5", "\"a\"", "[1,2]").
 * Returns a new string owned by the caller. */
char *history_value_text(const json_t *v);

/* Append h to out in Jepsen's EDN history format, one map per line:
 *   {:process 3, :type :invoke, :f :write, :value ["k1" 5], :time 12, :index 0}
 * Keyed values use Jepsen's independent tuples [key value]; a cas value
 * is [expected new]; fault events are {:process :nemesis, :type :info}.
 * A process reused after an info completion is given a fresh process
 * number (Jepsen's convention: a crashed process never comes back). */
void history_export_jepsen(const struct history *h, struct buf *out);

#endif
