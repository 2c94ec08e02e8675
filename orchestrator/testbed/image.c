/* image.c - run scripts/image-build and read the manifest it writes.
 *
 * The build script prints its progress on stderr, which the child
 * inherits so that a minutes-long build is not silent; its stdout (the
 * image directory) is read through a pipe. Environment overrides:
 * CAMPAIGN_AGENT (the agent binary to put in the image) and
 * CAMPAIGN_IMAGE_BUILD (the build script, for tests).
 */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "clock.h"
#include "paths.h"

/* A cold build of a Debian image takes minutes; an hour means a hang. */
#define IMAGE_BUILD_TIMEOUT_MS (60 * 60 * 1000)
/* After SIGTERM, the script gets this long to stop mmdebstrap (which
 * finishes its current dpkg or apt step first) and remove its temp dir. */
#define IMAGE_BUILD_GRACE_MS (60 * 1000)
#define IMAGE_STDOUT_MAX (64 * 1024)

char *image_cache_dir(void)
{
	char *state = paths_state_dir();
	char *dir = xasprintf("%s/images", state);

	free(state);
	return dir;
}

static char *build_script(void)
{
	const char *s = getenv("CAMPAIGN_IMAGE_BUILD");
	char *data, *ret;

	if (s && *s)
		return xstrdup(s);
	data = paths_data_dir();
	ret = xasprintf("%s/scripts/image-build", data);
	free(data);
	return ret;
}

/* The agent binary: $CAMPAIGN_AGENT, else the one built or installed
 * with this program (paths_local_agent). New string. */
static int agent_binary(char **ret_path, struct err *e)
{
	char *path = paths_local_agent();

	if (access(path, X_OK) < 0) {
		err_errno(e, errno, "cannot use the agent '%s' (build it, or set CAMPAIGN_AGENT)",
			  path);
		free(path);
		return -1;
	}
	*ret_path = path;
	return 0;
}

static void child_exec(char *const argv[], int out_fd)
{
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}

/* Give the script IMAGE_BUILD_GRACE_MS to exit after SIGTERM, then
 * SIGKILL it. Reaps it either way. */
static void stop_child(pid_t pid)
{
	int64_t deadline = deadline_in_ms(IMAGE_BUILD_GRACE_MS);
	int status;

	kill(pid, SIGTERM);
	while (!deadline_passed(deadline)) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		clock_sleep_ms(100);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Read fd into out until EOF or the deadline. 0 at EOF, -1 otherwise. */
static int read_until_eof(int fd, struct buf *out, int64_t deadline, struct err *e)
{
	char chunk[4096];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline_left_ms(deadline);
		int r;
		ssize_t n;

		if (left == 0)
			return err_set(e, "timed out after %d s", IMAGE_BUILD_TIMEOUT_MS / 1000);
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_errno(e, errno, "poll");
		if (r == 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno(e, errno, "cannot read its output");
		if (n == 0)
			return 0;
		if (out->len + (size_t)n > IMAGE_STDOUT_MAX)
			return err_set(e, "more than %d bytes on stdout", IMAGE_STDOUT_MAX);
		buf_add(out, chunk, (size_t)n);
	}
}

/* Run argv with stdout captured into out; stderr is inherited. */
static int run_script(char *const argv[], struct buf *out, struct err *e)
{
	int64_t deadline = deadline_in_ms(IMAGE_BUILD_TIMEOUT_MS);
	int pfd[2], status, r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_errno(e, errno, "cannot create a pipe");
	pid = fork();
	if (pid < 0) {
		err_errno(e, errno, "cannot fork");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0)
		child_exec(argv, pfd[1]);
	close(pfd[1]);
	r = read_until_eof(pfd[0], out, deadline, e);
	close(pfd[0]);
	if (r < 0) {
		stop_child(pid);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return err_errno(e, errno, "cannot wait for it");
	}
	if (WIFSIGNALED(status))
		return err_set(e, "killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)
		return err_set(e, "cannot run it (exit %d)", WEXITSTATUS(status));
	if (WEXITSTATUS(status) != 0)
		return err_set(e, "exit %d, see its messages above", WEXITSTATUS(status));
	return 0;
}

/* The last non-empty line of s, as a new string (NULL if none). */
static char *last_line(char *s)
{
	char *line = NULL, *save = NULL;

	for (char *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save))
		if (*t)
			line = t;
	return line ? xstrdup(line) : NULL;
}

int image_build(const char *recipe_dir, const char *cache_dir, int force,
		char **ret_dir, struct err *e)
{
	char *script = build_script(), *agent = NULL, *dir = NULL, *manifest = NULL;
	char *recipe_json = xasprintf("%s/recipe.json", recipe_dir);
	struct buf out = BUF_INIT;
	struct stat st;
	int ret = -1;

	if (stat(recipe_json, &st) < 0) {
		err_errno(e, errno, "no image recipe in '%s'", recipe_dir);
		goto cleanup;
	}
	if (agent_binary(&agent, e) < 0)
		goto cleanup;
	{
		char *argv[] = { script, "--recipe", (char *)recipe_dir, "--cache",
				 (char *)cache_dir, "--agent", agent,
				 force ? "--force" : NULL, NULL };

		if (run_script(argv, &out, e) < 0) {
			err_prefix(e, "cannot build image '%s': '%s'", recipe_dir, script);
			goto cleanup;
		}
	}
	dir = last_line(out.data);
	if (!dir || dir[0] != '/') {
		err_set(e, "cannot build image '%s': '%s' printed no image directory",
			recipe_dir, script);
		goto cleanup;
	}
	manifest = xasprintf("%s/image.json", dir);
	if (access(manifest, R_OK) < 0) {
		err_errno(e, errno, "cannot build image '%s': no manifest '%s'",
			  recipe_dir, manifest);
		goto cleanup;
	}
	*ret_dir = dir;
	dir = NULL;
	ret = 0;
cleanup:
	buf_release(&out);
	free(manifest);
	free(dir);
	free(agent);
	free(recipe_json);
	free(script);
	return ret;
}

/* ------------------------------------------------------------ manifest */

/* A required string member. Borrowed from obj. */
static const char *get_string(json_t *obj, const char *key, const char *path,
			      struct err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		err_set(e, "image manifest '%s': missing \"%s\"", path, key);
		return NULL;
	}
	if (!json_is_string(v) || !*json_string_value(v)) {
		err_set(e, "image manifest '%s': \"%s\" must be a non-empty string", path, key);
		return NULL;
	}
	return json_string_value(v);
}

/* A file the manifest names, resolved against dir; it must be readable. */
static char *image_file(const char *dir, const char *name, const char *key,
			const char *path, struct err *e)
{
	char *abs = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", dir, name);

	if (access(abs, R_OK) < 0) {
		err_errno(e, errno, "image manifest '%s': \"%s\" names '%s'", path, key, abs);
		free(abs);
		return NULL;
	}
	return abs;
}

static int is_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return i == len;
}

/* The SSH wire form of an Ed25519 public key: its type as a string, then
 * the 32 bytes of the key as a string, each after a 4-byte length. */
#define ED25519_BLOB_HEAD "\0\0\0\x0bssh-ed25519\0\0\0\x20"
#define ED25519_BLOB_LEN (sizeof(ED25519_BLOB_HEAD) - 1 + 32)
#define ED25519_BLOB_CHARS (BASE64_ENCODED_SIZE(ED25519_BLOB_LEN) - 1)

/* "ssh-ed25519 BASE64" whose base64 is the wire form of such a key. */
static int is_ed25519_key(const char *key)
{
	static const char type[] = "ssh-ed25519 ";
	unsigned char raw[BASE64_DECODED_SIZE(ED25519_BLOB_CHARS)];
	const char *blob = key + sizeof(type) - 1;

	return !strncmp(key, type, sizeof(type) - 1) && strlen(blob) == ED25519_BLOB_CHARS &&
	       base64_decode(blob, ED25519_BLOB_CHARS, 0, raw) == (ssize_t)ED25519_BLOB_LEN &&
	       !memcmp(raw, ED25519_BLOB_HEAD, sizeof(ED25519_BLOB_HEAD) - 1);
}

static int check_host_key(const char *key, const char *path, struct err *e)
{
	if (!is_ed25519_key(key))
		return err_set(e, "image manifest '%s': \"host_key\" is not "
			       "\"ssh-ed25519 <base64>\"", path);
	return 0;
}

/* Fill img from the manifest root; img's strings are new. */
static int parse_manifest(json_t *root, const char *dir, const char *path,
			  struct image *img, struct err *e)
{
	static const struct {
		const char *key;
		size_t off;
		int is_file;
	} fields[] = {
		{ "recipe", offsetof(struct image, recipe), 0 },
		{ "hash", offsetof(struct image, hash), 0 },
		{ "kernel", offsetof(struct image, kernel), 1 },
		{ "initrd", offsetof(struct image, initrd), 1 },
		{ "cmdline", offsetof(struct image, cmdline), 0 },
		{ "ssh_user", offsetof(struct image, ssh_user), 0 },
		{ "client_key", offsetof(struct image, client_key), 1 },
		{ "client_pubkey", offsetof(struct image, client_pubkey), 1 },
		{ "host_key", offsetof(struct image, host_key), 0 },
		{ "agent_path", offsetof(struct image, agent_path), 0 },
	};
	json_t *disk, *mem;

	if (!json_is_object(root))
		return err_set(e, "image manifest '%s': not a JSON object", path);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char **slot = (char **)((char *)img + fields[i].off);
		const char *s = get_string(root, fields[i].key, path, e);

		if (!s)
			return -1;
		*slot = fields[i].is_file ? image_file(dir, s, fields[i].key, path, e)
					  : xstrdup(s);
		if (!*slot)
			return -1;
	}
	disk = json_object_get(root, "disk");
	if (!disk)
		return err_set(e, "image manifest '%s': missing \"disk\"", path);
	if (json_is_string(disk)) {
		img->disk = image_file(dir, json_string_value(disk), "disk", path, e);
		if (!img->disk)
			return -1;
	} else if (!json_is_null(disk)) {
		return err_set(e, "image manifest '%s': \"disk\" must be a file name or null",
			       path);
	}
	mem = json_object_get(root, "memory_mib");
	if (!mem)
		return err_set(e, "image manifest '%s': missing \"memory_mib\"", path);
	if (!json_is_integer(mem) || json_integer_value(mem) < 16 ||
	    json_integer_value(mem) > 1024 * 1024)
		return err_set(e, "image manifest '%s': \"memory_mib\" must be an integer "
			       "in [16, 1048576]", path);
	img->memory_mib = (int)json_integer_value(mem);
	if (!is_hex(img->hash, 64))
		return err_set(e, "image manifest '%s': \"hash\" is not 64 hex digits", path);
	if (img->agent_path[0] != '/')
		return err_set(e, "image manifest '%s': \"agent_path\" must be absolute", path);
	return check_host_key(img->host_key, path, e);
}

int image_load(const char *dir, struct image **ret_image, struct err *e)
{
	char abs[PATH_MAX], *path = NULL;
	struct image *img = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	int ret = -1;

	if (!realpath(dir, abs))
		return err_errno(e, errno, "cannot open image '%s'", dir);
	path = xasprintf("%s/image.json", abs);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (access(path, F_OK) < 0)
			err_errno(e, errno, "cannot read image manifest '%s'", path);
		else
			err_set(e, "cannot read image manifest '%s': line %d: %s", path,
				jerr.line, jerr.text);
		goto cleanup;
	}
	img = xcalloc(1, sizeof(*img));
	img->dir = xstrdup(abs);
	if (parse_manifest(root, abs, path, img, e) < 0)
		goto cleanup;
	*ret_image = img;
	img = NULL;
	ret = 0;
cleanup:
	image_free(img);
	json_decref(root);
	free(path);
	return ret;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->dir);
	free(img->recipe);
	free(img->hash);
	free(img->kernel);
	free(img->initrd);
	free(img->disk);
	free(img->cmdline);
	free(img->ssh_user);
	free(img->client_key);
	free(img->client_pubkey);
	free(img->host_key);
	free(img->agent_path);
	free(img);
}
