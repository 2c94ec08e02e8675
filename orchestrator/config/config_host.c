/* config_host.c - host paths in a config: the recipe directory and key
 * files, resolved to absolute paths when the config is read. */
#include "config_host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"

static char *config_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/* The recipe directory: relative paths are tried against the config's
 * directory, the current directory and the data directory (the source
 * tree, or PREFIX/share/campaign when installed), in that order. */
int cfg_resolve_recipe(struct cfg_ctx *x, const char *raw, char **ret)
{
	char *dir = config_dir(x->c->path), *cand[3], *abs = NULL;
	char *data = paths_data_dir();
	int n = 0, i, r = -1;
	struct stat st;

	if (raw[0] == '/') {
		cand[n++] = xstrdup(raw);
	} else {
		cand[n++] = xasprintf("%s/%s", dir, raw);
		cand[n++] = xstrdup(raw);
		cand[n++] = xasprintf("%s/%s", data, raw);
	}
	for (i = 0; i < n && !abs; i++)
		abs = realpath(cand[i], NULL);
	if (!abs && raw[0] == '/')
		cfg_fail(x, "no such directory '%s'", raw);
	else if (!abs)
		cfg_fail(x,
			 "no such directory '%s' (looked in '%s', the current "
			 "directory and '%s')",
			 raw, dir, data);
	else if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode))
		cfg_fail(x, "'%s' is not a directory", abs);
	else
		r = 0;
	if (r == 0)
		*ret = abs;
	else
		free(abs);
	for (i = 0; i < n; i++)
		free(cand[i]);
	free(dir);
	free(data);
	return r;
}

/* A file named relative to the config's directory, or "~/..." */
int cfg_resolve_file(struct cfg_ctx *x, const char *raw, char **ret)
{
	const char *home = getenv("HOME");
	char *dir, *joined, *abs;
	struct stat st;

	if (raw[0] == '/') {
		joined = xstrdup(raw);
	} else if (!strncmp(raw, "~/", 2) && home) {
		joined = xasprintf("%s/%s", home, raw + 2);
	} else {
		dir = config_dir(x->c->path);
		joined = xasprintf("%s/%s", dir, raw);
		free(dir);
	}
	abs = realpath(joined, NULL);
	if (!abs) {
		cfg_fail(x, "cannot find '%s': %s", joined, strerror(errno));
		free(joined);
		return -1;
	}
	free(joined);
	if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode)) {
		cfg_fail(x, "'%s' is not a regular file", abs);
		free(abs);
		return -1;
	}
	*ret = abs;
	return 0;
}

