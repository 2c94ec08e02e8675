/* formats.c - checks for string parameters: signals, errno values,
 * syscalls, registers, addresses, names and paths. Pure: no system calls
 * beyond inet_pton. */
#include "fault.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct name_num {
	const char *name;
	int num;
};

static const struct name_num signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
	{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS },
	{ NULL, 0 }
};

#define E(x) { #x, x }
static const struct name_num errnos[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
	E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY),
	E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS),
	E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(EIDRM), E(ENODATA), E(ETIME),
	E(EPROTO), E(EBADMSG), E(EOVERFLOW), E(EILSEQ), E(ENOTSOCK),
	E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EADDRINUSE), E(EADDRNOTAVAIL),
	E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH),
	E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED),
	E(ENOMEDIUM), E(EREMOTEIO), E(EKEYEXPIRED),
	{ NULL, 0 }
};
#undef E

static const struct name_num syscalls[] = {
#include "syscalls.h"
	{ NULL, 0 }
};

static const struct name_num *by_name(const struct name_num *t, const char *s, int nocase)
{
	for (; t->name; t++)
		if (nocase ? !strcasecmp(t->name, s) : !strcmp(t->name, s))
			return t;
	return NULL;
}

static const char *name_of(const struct name_num *t, int num)
{
	for (; t->name; t++)
		if (t->num == num)
			return t->name;
	return NULL;
}

/* Normalised: the name if there is one, else the number. */
static json_t *name_or_num(const struct name_num *t, int num)
{
	const char *n = name_of(t, num);

	return n ? json_string(n) : json_integer(num);
}

static int check_signal(json_t *v, json_t **ret, struct agent_err *e)
{
	const struct name_num *s;
	const char *str;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 1 || n > SIGRTMAX)
			return agent_err_set(e, "signal %lld is out of range [1, %d]",
					     (long long)n, SIGRTMAX);
		*ret = name_or_num(signals, (int)n);
		return 0;
	}
	str = json_string_value(v);
	if (!strncasecmp(str, "SIG", 3))
		str += 3;
	if ((s = by_name(signals, str, 1))) {
		*ret = json_string(s->name);
		return 0;
	}
	if (!strncasecmp(str, "RTMIN+", 6) && isdigit((unsigned char)str[6])) {
		long n = strtol(str + 6, NULL, 10);

		if (strspn(str + 6, "0123456789") == strlen(str + 6) &&
		    n <= SIGRTMAX - SIGRTMIN) {
			*ret = json_integer(SIGRTMIN + n);
			return 0;
		}
	}
	return agent_err_set(e, "unknown signal '%s'", json_string_value(v));
}

static int check_errno(json_t *v, json_t **ret, struct agent_err *e)
{
	const struct name_num *s;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 1 || n > 4095)
			return agent_err_set(e, "errno %lld is out of range [1, 4095]",
					     (long long)n);
		*ret = name_or_num(errnos, (int)n);
		return 0;
	}
	if ((s = by_name(errnos, json_string_value(v), 1))) {
		*ret = json_string(s->name);
		return 0;
	}
	return agent_err_set(e, "unknown errno name '%s'", json_string_value(v));
}

static int check_syscall(json_t *v, json_t **ret, struct agent_err *e)
{
	const struct name_num *s;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);
		const char *name = n >= 0 && n < 1024 ? name_of(syscalls, (int)n) : NULL;

		if (!name)
			return agent_err_set(e, "unknown syscall number %lld", (long long)n);
		*ret = json_string(name);
		return 0;
	}
	if ((s = by_name(syscalls, json_string_value(v), 0))) {
		*ret = json_string(s->name);
		return 0;
	}
	return agent_err_set(e, "unknown syscall '%s'", json_string_value(v));
}

static const char *const registers[] = {
	"random", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "eflags",
	"orig_rax", "fs_base", "gs_base", NULL
};

static int check_register(json_t *v, json_t **ret, struct agent_err *e)
{
	for (const char *const *r = registers; *r; r++)
		if (!strcmp(*r, json_string_value(v))) {
			*ret = json_string(*r);
			return 0;
		}
	return agent_err_set(e, "unknown register '%s'", json_string_value(v));
}

/* An IPv4 or IPv6 address with an optional /prefix (1..32 or 1..128). */
static int check_ip(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v), *slash = strchr(s, '/');
	char addr[64], canon[INET6_ADDRSTRLEN + 8];
	unsigned char bin[16];
	int family, max, prefix = -1;
	size_t len = slash ? (size_t)(slash - s) : strlen(s);

	if (len == 0 || len >= sizeof(addr))
		return agent_err_set(e, "'%s' is not an IP address", s);
	memcpy(addr, s, len);
	addr[len] = '\0';
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	max = family == AF_INET ? 32 : 128;
	if (inet_pton(family, addr, bin) != 1)
		return agent_err_set(e, "'%s' is not an IP address", s);
	if (slash) {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p) ||
		    (prefix = atoi(p)) < 1 || prefix > max)
			return agent_err_set(e, "'%s' has a bad prefix length (1..%d)", s, max);
	}
	inet_ntop(family, bin, canon, sizeof(canon));
	if (prefix >= 0)
		snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "/%d", prefix);
	*ret = json_string(canon);
	return 0;
}

static int all_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

static int check_ifname(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v);

	if (strlen(s) > 15 || !all_chars(s, "._-") || !strcmp(s, ".") || !strcmp(s, ".."))
		return agent_err_set(e, "'%s' is not an interface name", s);
	*ret = json_string(s);
	return 0;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int has_dotdot(const char *s)
{
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
	return 0;
}

static int check_abspath(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v);
	size_t len = strlen(s);

	if (s[0] != '/' || has_control(s) || has_dotdot(s))
		return agent_err_set(e, "'%s' is not an absolute path without '..'", s);
	/* Normalise away trailing slashes so that prefix matches work. */
	while (len > 1 && s[len - 1] == '/')
		len--;
	*ret = json_stringn(s, len);
	return 0;
}

static int check_procname(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v);

	if (strchr(s, '/') || has_control(s) || strlen(s) > 255)
		return agent_err_set(e, "'%s' is not a process name", s);
	*ret = json_string(s);
	return 0;
}

static int check_cgroup(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v);

	if (has_control(s) || has_dotdot(s))
		return agent_err_set(e, "'%s' is not a cgroup path without '..'", s);
	*ret = json_string(s);
	return 0;
}

static int check_dmname(json_t *v, json_t **ret, struct agent_err *e)
{
	const char *s = json_string_value(v);

	if (strlen(s) > 127 || !all_chars(s, "._+-") || s[0] == '.')
		return agent_err_set(e, "'%s' is not a device-mapper name", s);
	*ret = json_string(s);
	return 0;
}

/* ---- the closed sets, for the catalogue ---- */

static json_t *names_of(const struct name_num *t, int ignore_case, int numbers)
{
	json_t *d = json_object(), *names = json_array(), *nums = json_array();

	for (; t->name; t++) {
		json_array_append_new(names, json_string(t->name));
		json_array_append_new(nums, json_integer(t->num));
	}
	json_object_set_new(d, "names", names);
	json_object_set_new(d, "ignore_case", json_boolean(ignore_case));
	if (numbers)
		json_object_set_new(d, "numbers", nums);
	else
		json_decref(nums);
	return d;
}

static json_t *integers(long long lo, long long hi)
{
	return json_pack("[I, I]", (json_int_t)lo, (json_int_t)hi);
}

/* What check_signal takes: a name with or without "SIG", RTMIN+N, 1..SIGRTMAX. */
static json_t *signal_values(void)
{
	json_t *d = names_of(signals, 1, 0), *names = json_object_get(d, "names");
	char rt[16];

	for (int n = 0; n <= SIGRTMAX - SIGRTMIN; n++) {
		snprintf(rt, sizeof(rt), "RTMIN+%d", n);
		json_array_append_new(names, json_string(rt));
	}
	json_object_set_new(d, "prefix", json_string("SIG"));
	json_object_set_new(d, "integers", integers(1, SIGRTMAX));
	return d;
}

static json_t *errno_values(void)
{
	json_t *d = names_of(errnos, 1, 0);

	json_object_set_new(d, "integers", integers(1, 4095));
	return d;
}

static json_t *syscall_values(void)
{
	return names_of(syscalls, 0, 1);
}

static json_t *register_values(void)
{
	json_t *d = json_object(), *names = json_array();

	for (const char *const *r = registers; *r; r++)
		json_array_append_new(names, json_string(*r));
	json_object_set_new(d, "names", names);
	json_object_set_new(d, "ignore_case", json_false());
	return d;
}

const struct param_format fmt_signal = { "signal",
	"a signal name (KILL, SIGTERM, RTMIN+2) or number 1..64", 1, check_signal,
	signal_values };
const struct param_format fmt_errno = { "errno",
	"an errno name (EIO, ENOSPC) or number 1..4095", 1, check_errno, errno_values };
const struct param_format fmt_syscall = { "syscall",
	"an x86_64 system call name (openat, write) or number", 1, check_syscall,
	syscall_values };
const struct param_format fmt_register = { "register",
	"random, rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp, r8..r15, rip, eflags, "
	"orig_rax, fs_base or gs_base", 0, check_register, register_values };
const struct param_format fmt_ip = { "ip",
	"an IPv4 or IPv6 address, optionally with a /prefix", 0, check_ip };
const struct param_format fmt_ifname = { "ifname",
	"a network interface name (letters, digits, . _ -; at most 15)", 0, check_ifname };
const struct param_format fmt_abspath = { "path",
	"an absolute path without '..' components", 0, check_abspath };
const struct param_format fmt_procname = { "process-name",
	"a process name as pgrep -x matches it (comm or argv[0] basename)", 0,
	check_procname };
const struct param_format fmt_cgroup = { "cgroup",
	"a cgroup directory, absolute or relative to /sys/fs/cgroup", 0, check_cgroup };
const struct param_format fmt_dmname = { "dm-name",
	"a device-mapper device name (letters, digits, . _ + -)", 0, check_dmname };

int fmt_signal_number(json_t *v)
{
	const struct name_num *s;

	if (json_is_integer(v))
		return (int)json_integer_value(v);
	s = json_is_string(v) ? by_name(signals, json_string_value(v), 1) : NULL;
	return s ? s->num : -1;
}

int fmt_errno_number(json_t *v)
{
	const struct name_num *s;

	if (json_is_integer(v))
		return (int)json_integer_value(v);
	s = json_is_string(v) ? by_name(errnos, json_string_value(v), 1) : NULL;
	return s ? s->num : -1;
}

int fmt_syscall_number(const char *name)
{
	const struct name_num *s = by_name(syscalls, name, 0);

	return s ? s->num : -1;
}

const char *fmt_signal_name(int sig)
{
	return name_of(signals, sig);
}

const char *fmt_errno_name(int err)
{
	return name_of(errnos, err);
}

const char *fmt_syscall_name(int nr)
{
	return name_of(syscalls, nr);
}
