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

static int parse_port(const char *s, int *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 65535)
		return -1;
	*ret = (int)v;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_options o = { .port = SERVE_DEFAULT_PORT };
	struct server *s = NULL;
	struct err e = { "" };
	struct stat st;
	sigset_t stop;
	int sig = 0;

	for (int i = 1; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if ((!strcmp(argv[i], "--port") || !strcmp(argv[i], "--bind")) && !val) {
			log_error("serve: option '%s' needs a value", argv[i]);
			return EXIT_USAGE;
		}
		if (!strcmp(argv[i], "--port")) {
			if (parse_port(argv[++i], &o.port) < 0) {
				log_error("serve: --port wants 0..65535, got '%s'", argv[i]);
				return EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--bind")) {
			o.bind = argv[++i];
		} else if (argv[i][0] == '-' || o.dir) {
			log_error("serve: unexpected argument '%s'", argv[i]);
			return EXIT_USAGE;
		} else {
			o.dir = argv[i];
		}
	}
	if (!o.dir) {
		log_error("usage: campaign serve DIR [--port P] [--bind ADDR]");
		return EXIT_USAGE;
	}
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
