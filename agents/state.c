/* state.c - undo tokens (base64url JSON) and locked injection records. */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"

char *b64url_encode(const void *data, size_t len)
{
	char *out = malloc(BASE64_ENCODED_SIZE(len));

	if (out)
		base64_encode(data, len, BASE64_URL | BASE64_NOPAD, out);
	return out;
}

int b64url_decode(const char *s, char **ret, size_t *ret_len)
{
	size_t len = strlen(s);
	char *out = malloc(BASE64_DECODED_SIZE(len) + 1);
	ssize_t n;

	if (!out)
		return -1;
	n = base64_decode(s, len, BASE64_URL | BASE64_NOPAD, (unsigned char *)out);
	if (n < 0) {
		free(out);
		return -1;
	}
	out[n] = '\0';
	*ret = out;
	*ret_len = (size_t)n;
	return 0;
}

int state_valid_id(const char *s)
{
	return s && strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

void state_new_id(char ret[17])
{
	snprintf(ret, 17, "%016llx", (unsigned long long)agent_random_u64());
}

char *token_encode(const char *id, const char *fault, json_t *state)
{
	json_t *t = json_pack("{s:i, s:s, s:s, s:O}", "v", 1, "id", id, "fault", fault,
			      "state", state);
	char *text = t ? json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS) : NULL, *tok;

	json_decref(t);
	if (!text)
		return NULL;
	tok = b64url_encode(text, strlen(text));
	free(text);
	return tok;
}

int token_decode(const char *token, char ret_id[17], const struct fault **ret_fault,
		 json_t **ret_state, struct agent_err *e)
{
	char *text;
	size_t len;
	json_t *t, *state;
	json_error_t jerr;
	const char *id, *fault;
	int v;

	if (strlen(token) > 262144 || b64url_decode(token, &text, &len) < 0)
		return agent_err_set(e, "undo token is not base64url");
	t = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	free(text);
	if (!t)
		return agent_err_set(e, "undo token is not JSON: %s", jerr.text);
	if (json_unpack_ex(t, &jerr, JSON_STRICT, "{s:i, s:s, s:s, s:o}", "v", &v,
			   "id", &id, "fault", &fault, "state", &state) < 0 ||
	    v != 1 || !state_valid_id(id) || !json_is_object(state)) {
		json_decref(t);
		return agent_err_set(e, "undo token is malformed");
	}
	if (!(*ret_fault = fault_find(fault))) {
		agent_err_set(e, "undo token names unknown fault '%.64s'", fault);
		json_decref(t);
		return -1;
	}
	memcpy(ret_id, id, 17);
	*ret_state = json_incref(state);
	json_decref(t);
	return 0;
}

static void record_path(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.json", agent_state_dir(), id);
}

static int write_json(int fd, json_t *rec, const char *path, struct agent_err *e)
{
	char *text = json_dumps(rec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	int rc = 0;

	if (!text)
		return agent_err_set(e, "cannot encode record '%s'", path);
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    agent_write_all(fd, text, strlen(text)) < 0)
		rc = agent_err_errno(e, errno, "cannot write record '%s'", path);
	free(text);
	return rc;
}

int record_create(const char *id, json_t *rec, struct agent_err *e)
{
	char path[4200];
	int fd, rc;

	if (agent_mkdir_p(agent_state_dir(), 0700, e) < 0)
		return -1;
	record_path(id, path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return agent_err_errno(e, errno, "cannot create record '%s'", path);
	rc = write_json(fd, rec, path, e);
	close(fd);
	if (rc < 0)
		unlink(path);
	return rc;
}

int record_lock(const char *id, int nonblock, long timeout_ms, struct record *ret,
		struct agent_err *e)
{
	int64_t end = agent_now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;
	json_error_t jerr;

	memset(ret, 0, sizeof(*ret));
	ret->fd = -1;
	record_path(id, ret->path, sizeof(ret->path));
	ret->fd = open(ret->path, O_RDWR | O_CLOEXEC);
	if (ret->fd < 0 && errno == ENOENT)
		return 1;
	if (ret->fd < 0)
		return agent_err_errno(e, errno, "cannot open record '%s'", ret->path);
	while (flock(ret->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			agent_err_errno(e, errno, "cannot lock record '%s'", ret->path);
			record_release(ret);
			return -1;
		}
		if (nonblock) {
			record_release(ret);
			return 2;
		}
		if (agent_now_ns(CLOCK_MONOTONIC) >= end) {
			agent_err_set(e, "record '%s' stayed locked for %ld ms", ret->path,
				      timeout_ms);
			record_release(ret);
			return -1;
		}
		agent_sleep_ms(10);
	}
	ret->rec = json_loadfd(ret->fd, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(ret->rec)) {
		agent_err_set(e, "record '%s' is not JSON: %s", ret->path, jerr.text);
		record_release(ret);
		return -1;
	}
	return 0;
}

int record_write(struct record *r, struct agent_err *e)
{
	return write_json(r->fd, r->rec, r->path, e);
}

void record_release(struct record *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);	/* drops the flock */
	r->fd = -1;
	json_decref(r->rec);
	r->rec = NULL;
}
