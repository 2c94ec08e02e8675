/* fault.h - the fault table: parameters, formats and fault entries.
 *
 * A fault is one table entry (see faults.c) plus one file fault_NAME.c,
 * in the manner of stress-ng's stressors:
 *
 *   name, summary, undo description, parameter specs,
 *   check (pure validation across parameters), apply, verify, undo,
 *   and optionally the body of a detached helper.
 *
 * Parameters are validated and normalised (defaults filled in) before a
 * fault's apply runs; apply never sees a parameter outside its spec.
 */
#ifndef CAMPAIGN_AGENT_FAULT_H
#define CAMPAIGN_AGENT_FAULT_H

#include "agent.h"

enum param_type {
	PARAM_INT,	/* JSON integer in [imin, imax] */
	PARAM_NUM,	/* JSON number in [nmin, nmax] */
	PARAM_BOOL,
	PARAM_STR,	/* string of imin..imax bytes, checked by format */
	PARAM_ENUM,	/* one of choices */
	PARAM_LIST,	/* array of imin..imax strings, each checked by format */
};

/* A format checks a string (or, when accepts_int, an integer) and gives
 * its normalised value. */
struct param_format {
	const char *name;
	const char *help;
	int accepts_int;
	/* value borrowed; *ret_norm a new reference on success. */
	int (*check)(json_t *value, json_t **ret_norm, struct agent_err *e);
	/* Optional, for formats that accept a closed set (signals, errno
	 * names, syscalls, registers): that set as the catalogue shows it,
	 * from the same tables check uses (new reference):
	 *   {"names": [...], "ignore_case": bool, "prefix": "SIG" (optional,
	 *    dropped before matching), "integers": [lo, hi] (any integer in
	 *    it), "numbers": [...] (or these: the names' numbers)} */
	json_t *(*values)(void);
};

struct param_spec {
	const char *name;
	enum param_type type;
	long long imin, imax;	/* INT: value; STR: length; LIST: count */
	double nmin, nmax;	/* NUM */
	const char *def;	/* default written in the param's type; NULL: none */
	const char *const *choices;	/* ENUM, NULL-terminated */
	const struct param_format *format;	/* STR, LIST elements; may be NULL */
	const char *help;
	int required;		/* must be given (beyond one_of groups) */
};

/* Table shorthands; a trailing REQ marks a parameter as required. */
#define REQ .required = 1
#define P_INT(n, lo, hi, d, h, ...) \
	{ .name = n, .type = PARAM_INT, .imin = lo, .imax = hi, .def = d, .help = h, \
	  __VA_ARGS__ }
#define P_NUM(n, lo, hi, d, h, ...) \
	{ .name = n, .type = PARAM_NUM, .nmin = lo, .nmax = hi, .def = d, .help = h, \
	  __VA_ARGS__ }
#define P_BOOL(n, d, h, ...) \
	{ .name = n, .type = PARAM_BOOL, .def = d, .help = h, __VA_ARGS__ }
#define P_STR(n, fmt, maxlen, d, h, ...) \
	{ .name = n, .type = PARAM_STR, .imin = 1, .imax = maxlen, .format = fmt, \
	  .def = d, .help = h, __VA_ARGS__ }
#define P_ENUM(n, ch, d, h, ...) \
	{ .name = n, .type = PARAM_ENUM, .choices = ch, .def = d, .help = h, \
	  __VA_ARGS__ }
#define P_LIST(n, fmt, lo, hi, h, ...) \
	{ .name = n, .type = PARAM_LIST, .imin = lo, .imax = hi, .format = fmt, \
	  .help = h, __VA_ARGS__ }
#define P_END { .name = NULL }

/* Formats (formats.c). */
extern const struct param_format fmt_signal, fmt_errno, fmt_syscall,
	fmt_register, fmt_ip, fmt_ifname, fmt_abspath, fmt_procname,
	fmt_cgroup, fmt_dmname;

/* Numbers of normalised values (a name or an integer); -1 if unknown. */
int fmt_signal_number(json_t *v);
int fmt_errno_number(json_t *v);
int fmt_syscall_number(const char *name);
const char *fmt_signal_name(int sig);	/* "KILL", or NULL */
const char *fmt_errno_name(int err);	/* "EIO", or NULL */
const char *fmt_syscall_name(int nr);	/* "openat", or NULL */

/* What a fault's functions work on. */
struct fault_ctx {
	const struct fault *fault;
	char id[17];		/* 16 hex digits, unique per injection */
	json_t *params;		/* borrowed, read-only; NULL during undo */
	json_t *state;		/* borrowed; apply fills what undo needs */
	json_t *evidence;	/* borrowed; apply, verify and undo fill it */
	const char *by;		/* undo: "request", "deadline", "all", ... */
	int done;		/* apply: the fault left nothing to undo */
};

struct helper;

struct fault {
	const char *name;
	const char *summary;
	const char *undo_help;
	const struct param_spec *params;	/* ends with P_END */
	/* Groups "a|b|c": exactly one of each group must be given. */
	const char *const *one_of;
	/* Optional, pure: constraints across parameters. */
	int (*check)(json_t *params, struct agent_err *e);
	/* Make the fault happen (or, with a helper, prepare it without side
	 * effects). On failure nothing may be left changed. */
	int (*apply)(struct fault_ctx *c, struct agent_err *e);
	/* Optional: confirm the effect; its failure is reported in the
	 * evidence ("verified": false), not as a failed injection. */
	int (*verify)(struct fault_ctx *c, struct agent_err *e);
	/* Reverse the fault from c->state alone. Must be idempotent unless
	 * FAULT_UNDO_ONCE is set. */
	int (*undo)(struct fault_ctx *c, struct agent_err *e);
	/* Optional: the body of the detached helper that carries the fault
	 * for its duration; see helper.h. */
	int (*helper)(struct fault_ctx *c, struct helper *h, struct agent_err *e);
	unsigned flags;
};

/* The undo is not idempotent (a clock step): it needs the state file to
 * run exactly once. */
#define FAULT_UNDO_ONCE 0x1

/* The registry (faults.c). */
const struct fault *fault_find(const char *name);
const struct fault *const *fault_all(void);

/* Parameters (params.c). */
/* Validate given (borrowed, may be NULL) against f's specs and return in
 * *ret a new object with every value normalised and defaults filled in. */
int params_normalize(const struct fault *f, json_t *given, json_t **ret,
		     struct agent_err *e);
/* The same for any list of specs (verb arguments too); what names the
 * owner in messages ("fault 'netem'"). */
int params_validate(const struct param_spec *specs, const char *const *one_of,
		    const char *what, json_t *given, json_t **ret, struct agent_err *e);
/* Check that every default of f passes its own spec (a test invariant). */
int params_check_defaults(const struct fault *f, struct agent_err *e);
/* The description of f for `list` (new reference). */
json_t *fault_describe(const struct fault *f);

/* Accessors for normalised params (the spec guarantees the types). */
long long param_int(json_t *params, const char *name, long long dflt);
double param_num(json_t *params, const char *name, double dflt);
int param_bool(json_t *params, const char *name);
const char *param_str(json_t *params, const char *name);	/* NULL if absent */

#endif
