/* writer.c - double-buffered writes on a thread of their own. */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#define RECYCLE_STEP (8 << 20)	/* the replaced file's pages dropped at a time */

struct writer {
	int fd;
	char *path;
	size_t chunk;
	int replaced;		/* -1: none */
	long long written, dropped;	/* bytes written; the replaced file's dropped */
	struct buf buf[2];
	int fill;		/* the buffer the caller fills */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int queued[2];		/* buffer i is the thread's to write */
	int closing;		/* no more buffers will come */
	int failed;
	struct err err;		/* why, once failed */
	int threaded;
	pthread_t thread;
};

static int write_all(int fd, const char *data, size_t len, const char *path,
		     struct err *e)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_errno(e, n < 0 ? errno : ENOSPC, "cannot write '%s'", path);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Drop the replaced file's pages ahead of the len bytes about to be
 * written. Advice only: a failure changes nothing but the speed. */
static void recycle(struct writer *w, size_t len)
{
	w->written += (long long)len;
	while (w->replaced >= 0 && w->dropped < w->written) {
		posix_fadvise(w->replaced, w->dropped, RECYCLE_STEP, POSIX_FADV_DONTNEED);
		w->dropped += RECYCLE_STEP;
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	int k = 0;

	pthread_mutex_lock(&w->mu);
	for (int failed = 0;;) {
		struct err e;

		while (!w->queued[k] && !w->closing)
			pthread_cond_wait(&w->cond, &w->mu);
		if (!w->queued[k])
			break;
		pthread_mutex_unlock(&w->mu);
		if (!failed) {	/* after a failure, the buffers are only returned */
			recycle(w, w->buf[k].len);
			failed = write_all(w->fd, w->buf[k].data, w->buf[k].len, w->path, &e) < 0;
		}
		pthread_mutex_lock(&w->mu);
		if (failed && !w->failed) {
			w->err = e;
			w->failed = 1;
		}
		w->queued[k] = 0;
		pthread_cond_broadcast(&w->cond);
		k ^= 1;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_start(int fd, const char *path, size_t chunk, int replaced)
{
	struct writer *w = xcalloc(1, sizeof(*w));

	w->fd = fd;
	w->replaced = replaced;
	w->path = xstrdup(path);
	w->chunk = chunk;
	buf_init(&w->buf[0]);
	buf_init(&w->buf[1]);
	buf_grow(&w->buf[0], chunk);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->threaded = pthread_create(&w->thread, NULL, writer_main, w) == 0;
	return w;
}

/* Hand the filled buffer to the thread (or write it here, without one)
 * and take the other once the thread is done with it. */
static int hand_over(struct writer *w, struct err *e)
{
	struct buf *b = &w->buf[w->fill];
	int failed;

	if (!w->threaded) {
		recycle(w, b->len);
		if (!w->failed && write_all(w->fd, b->data, b->len, w->path, &w->err) < 0)
			w->failed = 1;
		buf_reset(b);
		if (w->failed)
			*e = w->err;
		return w->failed ? -1 : 0;
	}
	pthread_mutex_lock(&w->mu);
	w->queued[w->fill] = 1;
	pthread_cond_broadcast(&w->cond);
	w->fill ^= 1;
	while (w->queued[w->fill])
		pthread_cond_wait(&w->cond, &w->mu);
	failed = w->failed;
	if (failed)
		*e = w->err;
	pthread_mutex_unlock(&w->mu);
	buf_reset(&w->buf[w->fill]);
	buf_grow(&w->buf[w->fill], w->chunk);
	return failed ? -1 : 0;
}

int writer_add(struct writer *w, const void *data, size_t len, struct err *e)
{
	buf_add(&w->buf[w->fill], data, len);
	return w->buf[w->fill].len >= w->chunk ? hand_over(w, e) : 0;
}

int writer_finish(struct writer *w, struct err *e)
{
	int r = w->buf[w->fill].len ? hand_over(w, e) : 0;

	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		w->closing = 1;
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
	}
	if (r == 0 && w->failed) {
		*e = w->err;
		r = -1;
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cond);
	buf_release(&w->buf[0]);
	buf_release(&w->buf[1]);
	free(w->path);
	free(w);
	return r;
}
