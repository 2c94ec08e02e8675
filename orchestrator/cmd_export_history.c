/* cmd_export_history.c - `campaign export-history HISTORY --format jepsen
 * [--out FILE]`: write a history as the EDN that Knossos and Elle read. */
#include "buf.h"
#include "commands.h"
#include "history.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: campaign export-history HISTORY --format jepsen [--out FILE]\n");
}

/* Write data to path through a temporary file renamed into place. */
static int write_file(const char *path, const struct buf *data)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "we");
	int r = -1;

	if (!f) {
		log_error("cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fwrite(data->data, 1, data->len, f) != data->len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0)
		log_error("cannot write '%s': %s", path, strerror(errno));
	else
		r = 0;
	if (fclose(f) != 0 && !r) {
		log_error("cannot write '%s': %s", path, strerror(errno));
		r = -1;
	}
	if (!r && rename(tmp, path) != 0) {
		log_error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		r = -1;
	}
	if (r)
		unlink(tmp);
	free(tmp);
	return r;
}

static int parse_args(int argc, char **argv, const char **history, const char **format,
		      const char **out)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") || !strcmp(argv[i], "--out")) {
			if (i + 1 >= argc) {
				log_error("'%s' needs a value", argv[i]);
				return -1;
			}
			*(argv[i][2] == 'f' ? format : out) = argv[i + 1];
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			log_error("unknown option '%s'", argv[i]);
			return -1;
		} else if (!*history) {
			*history = argv[i];
		} else {
			log_error("unexpected argument '%s'", argv[i]);
			return -1;
		}
	}
	if (!*history) {
		log_error("export-history needs a HISTORY");
		return -1;
	}
	if (!*format) {
		log_error("export-history needs '--format jepsen'");
		return -1;
	}
	if (strcmp(*format, "jepsen")) {
		log_error("unknown format '%s': only 'jepsen' is supported", *format);
		return -1;
	}
	return 0;
}

int cmd_export_history(int argc, char **argv)
{
	const char *history = NULL, *format = NULL, *out = NULL;
	struct buf edn = BUF_INIT;
	struct history *h;
	struct err e;
	int status = EXIT_OK;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (parse_args(argc, argv, &history, &format, &out) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (history_load(history, &h, &e) < 0) {
		log_error("%s", e.msg);
		return EXIT_USAGE;
	}
	history_export_jepsen(h, &edn);
	if (out) {
		if (write_file(out, &edn) < 0)
			status = EXIT_INFRA;
	} else if (fwrite(edn.data, 1, edn.len, stdout) != edn.len || fflush(stdout) != 0) {
		log_error("cannot write to standard output: %s", strerror(errno));
		status = EXIT_INFRA;
	}
	buf_release(&edn);
	history_free(h);
	return status;
}
