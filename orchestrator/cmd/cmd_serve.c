/* cmd_serve.c - `campaign serve DIR [--port P] [--bind ADDR]`: the report
 * and a live /status.json over HTTP until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "log.h"
#include "serve.h"

struct serve_args {
	long long port;
	const char *bind;
};

static const struct option_spec serve_options[] = {
	OPT_INT(0, "port", struct serve_args, port, "P", 0, 65535,
		"the TCP port (default 8080; 0: any free port, printed)"),
	OPT_STRING(0, "bind", struct serve_args, bind, "ADDR",
		   "an IPv4 or IPv6 address to listen on (default 127.0.0.1)"),
	OPT_END(),
};

static const struct options_cmd serve_cmd = {
	"serve", "serve DIR [options]", serve_options, 1, 1,
};

static int cmd_serve(int argc, char **argv)
{
	struct serve_args a = { SERVE_DEFAULT_PORT, NULL };
	struct serve_options o = { 0 };
	struct server *s = NULL;
	struct err e = { "" };
	struct stat st;
	sigset_t stop;
	int sig = 0, status;

	if (command_options(&serve_cmd, &argc, argv, &a, &status) < 0)
		return status;
	o.dir = argv[0];
	o.port = (int)a.port;
	o.bind = a.bind;
	if (stat(o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_error("serve: no results directory '%s'", o.dir);
		return EXIT_USAGE;
	}
	/* the server's threads inherit the mask: signals come to sigwait() */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (serve_start(&o, &s, &e) < 0) {
		log_error("serve: %s", e.msg);
		return EXIT_USAGE;
	}
	printf("serving '%s' on http://%s%s%s:%d/ (status: /status.json); "
	       "SIGINT or SIGTERM stops\n", o.dir,
	       o.bind && strchr(o.bind, ':') ? "[" : "", o.bind ? o.bind : SERVE_DEFAULT_BIND,
	       o.bind && strchr(o.bind, ':') ? "]" : "", serve_port(s));
	fflush(stdout);
	sigwait(&stop, &sig);	/* serving is the whole job: no deadline */
	log_info("serve: stopping on signal %d", sig);
	serve_stop(s);
	return EXIT_OK;
}

static const struct options_cmd *const serve_forms[] = { &serve_cmd, NULL };

const struct command command_serve = {
	"serve", cmd_serve, "serve DIR's report and a live /status.json over "
	"HTTP (127.0.0.1:8080)", serve_forms,
};
