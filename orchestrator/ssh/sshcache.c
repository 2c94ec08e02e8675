/* sshcache.c - see sshcache.h. */
#include "sshcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "clock.h"

struct sshcache {
	const struct ssh_target *t;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct ssh_conn *idle;
	int warming;		/* a warm-up thread is running */
	unsigned gen;		/* bumped by every drop */
	struct sshcache_stats stats;
};

struct sshcache *sshcache_new(const struct ssh_target *t)
{
	struct sshcache *c = xcalloc(1, sizeof(*c));

	c->t = t;
	pthread_mutex_init(&c->lock, NULL);
	clock_cond_init(&c->changed);
	return c;
}

/* Shut first: a polite close of a session whose guest was restored
 * would wait. */
static void discard(struct ssh_conn *conn)
{
	ssh_abort(conn);
	ssh_close(conn);
}

void sshcache_free(struct sshcache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->gen++;
	while (c->warming)
		pthread_cond_wait(&c->changed, &c->lock);
	pthread_mutex_unlock(&c->lock);
	discard(c->idle);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	free(c);
}

static void *warm_thread(void *arg)
{
	struct sshcache *c = arg;
	struct ssh_conn *conn = NULL;
	struct err e;
	unsigned gen;

	pthread_mutex_lock(&c->lock);
	gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	if (ssh_connect(c->t, SSHCACHE_WARM_MS, &conn, &e) < 0)
		conn = NULL;
	pthread_mutex_lock(&c->lock);
	c->stats.connects++;
	if (conn && gen == c->gen && !c->idle) {
		c->idle = conn;
		conn = NULL;
	}
	c->warming = 0;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	discard(conn);
	return NULL;
}

void sshcache_warm(struct sshcache *c)
{
	pthread_attr_t a;
	pthread_t th;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->idle || c->warming) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->warming = 1;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, warm_thread, c))
		c->warming = 0;	/* no warm-up: commands connect themselves */
	pthread_attr_destroy(&a);
	pthread_mutex_unlock(&c->lock);
}

void sshcache_drop(struct sshcache *c)
{
	struct ssh_conn *old;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->gen++;
	old = c->idle;
	c->idle = NULL;
	pthread_cond_broadcast(&c->changed);
	pthread_mutex_unlock(&c->lock);
	discard(old);
}

/* The idle connection, waiting up to wait_ms for a warm-up under way of
 * the current generation; NULL if none. */
static struct ssh_conn *take(struct sshcache *c, int wait_ms, unsigned *ret_gen)
{
	struct ssh_conn *conn;
	struct timespec ts = clock_mono_in_ms(wait_ms);
	unsigned gen;

	pthread_mutex_lock(&c->lock);
	gen = c->gen;
	while (!c->idle && c->warming && gen == c->gen &&
	       pthread_cond_timedwait(&c->changed, &c->lock, &ts) == 0)
		;
	conn = c->idle;
	c->idle = NULL;
	*ret_gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return conn;
}

/* Keep conn for the next command unless the guest changed since it was
 * taken or another is kept already. */
static void give(struct sshcache *c, struct ssh_conn *conn, unsigned gen)
{
	pthread_mutex_lock(&c->lock);
	if (gen == c->gen && !c->idle && !ssh_broken(conn)) {
		c->idle = conn;
		conn = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	discard(conn);
}

static int fresh(struct sshcache *c, const char *cmd, int connect_ms, int exec_ms,
		 unsigned gen, struct ssh_result *res, struct err *e)
{
	struct ssh_conn *conn = NULL;

	if (ssh_connect(c->t, connect_ms, &conn, e) < 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	c->stats.connects++;
	pthread_mutex_unlock(&c->lock);
	if (ssh_exec(conn, cmd, NULL, 0, exec_ms, res, e) < 0) {
		discard(conn);
		return -1;
	}
	give(c, conn, gen);
	return 0;
}

int sshcache_run(struct sshcache *c, const char *cmd, int connect_ms,
		 int exec_ms, struct ssh_result *res, struct err *e)
{
	unsigned gen;
	struct ssh_conn *conn = take(c, connect_ms, &gen);
	int sent;

	if (!conn)
		return fresh(c, cmd, connect_ms, exec_ms, gen, res, e);
	if (ssh_exec(conn, cmd, NULL, 0, exec_ms, res, e) == 0) {
		pthread_mutex_lock(&c->lock);
		c->stats.reused++;
		pthread_mutex_unlock(&c->lock);
		give(c, conn, gen);
		return 0;
	}
	sent = ssh_exec_sent(conn);
	discard(conn);
	if (sent)
		return -1;
	pthread_mutex_lock(&c->lock);
	c->stats.retried++;
	pthread_mutex_unlock(&c->lock);
	return fresh(c, cmd, connect_ms, exec_ms, gen, res, e);
}

void sshcache_stats(struct sshcache *c, struct sshcache_stats *ret)
{
	pthread_mutex_lock(&c->lock);
	*ret = c->stats;
	pthread_mutex_unlock(&c->lock);
}
