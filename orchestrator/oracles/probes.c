#include "probes.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "parallel.h"

struct pair {
	struct prober *owner;
	struct probe_target t;
	const struct config_probe *spec;
	pthread_t thread;
	int started;
	int last_ok;		/* -1 before the first sample */
	struct ssh_conn *conn;
};

struct prober {
	const struct config *cfg;
	int64_t t0_ms;
	struct pair *pairs;
	int n_pairs;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	int stopped;
	struct probe_sample *samples;
	int n_samples, cap_samples;
	struct probe_transition *trans;
	int n_trans, cap_trans;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t collect_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len < (1 << 20))
		buf_add(b, data, size * n);
	return size * n;
}

/* Follow a dotted path ("a.b.0") into a JSON document. Borrowed. */
static json_t *json_at(json_t *root, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	json_t *cur = root;

	for (char *tok = strtok_r(copy, ".", &save); tok && cur;
	     tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, strtoul(tok, NULL, 10));
		else
			cur = json_object_get(cur, tok);
	}
	free(copy);
	return cur;
}

static int check_http(const struct config_probe *spec, const char *url,
		      char *detail, size_t size)
{
	CURL *h = curl_easy_init();
	struct buf body = BUF_INIT;
	long status = 0;
	CURLcode rc;
	int ok = 0;

	if (!h) {
		snprintf(detail, size, "cannot make a curl handle");
		return 0;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)spec->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)spec->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(detail, size, "%s", curl_easy_strerror(rc));
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status != spec->expect_status) {
		snprintf(detail, size, "status %ld, want %d", status, spec->expect_status);
		goto done;
	}
	if (spec->expect_body && !strstr(body.data, spec->expect_body)) {
		snprintf(detail, size, "body lacks '%s'", spec->expect_body);
		goto done;
	}
	if (spec->expect_json_path) {
		json_t *doc = json_loads(body.data, JSON_DECODE_ANY, NULL);
		json_t *v = doc ? json_at(doc, spec->expect_json_path) : NULL;

		ok = v && json_equal(v, spec->expect_json_equals);
		if (!ok)
			snprintf(detail, size, "%s is not the expected value",
				 spec->expect_json_path);
		json_decref(doc);
		if (!ok)
			goto done;
	}
	ok = 1;
	snprintf(detail, size, "status %ld", status);
done:
	buf_release(&body);
	curl_easy_cleanup(h);
	return ok;
}

/* The pair's connection changes under the prober's lock, so that
 * prober_drop_node can abort it from another thread. */
static void set_conn(struct pair *p, struct ssh_conn *c)
{
	struct ssh_conn *old;

	if (p->owner)
		pthread_mutex_lock(&p->owner->lock);
	old = p->conn;
	p->conn = c;
	if (p->owner)
		pthread_mutex_unlock(&p->owner->lock);
	ssh_close(old);
}

static int check_ssh(struct pair *p, char *detail, size_t size)
{
	const struct config_probe *spec = p->spec;
	struct ssh_result r;
	struct err e = { "" };
	int ok = 0;

	ssh_result_init(&r);
	if (!p->conn) {
		struct ssh_conn *c = NULL;

		if (ssh_connect(p->t.ssh, spec->timeout_ms, &c, &e) < 0) {
			snprintf(detail, size, "%s", e.msg);
			return 0;
		}
		set_conn(p, c);
	}
	if (ssh_exec(p->conn, p->t.what, NULL, 0, spec->timeout_ms, &r, &e) < 0) {
		snprintf(detail, size, "%s", e.msg);
		set_conn(p, NULL);	/* reconnect next time */
		goto done;
	}
	if (r.status != spec->expect_exit)
		snprintf(detail, size, "exit status %d, want %d", r.status,
			 spec->expect_exit);
	else if (spec->expect_output && !strstr(r.out.data, spec->expect_output))
		snprintf(detail, size, "output lacks '%s'", spec->expect_output);
	else {
		ok = 1;
		snprintf(detail, size, "exit status %d", r.status);
	}
done:
	ssh_result_release(&r);
	return ok;
}

static int check_once(struct pair *p, char *detail, size_t size)
{
	if (p->spec->kind == CONFIG_PROBE_HTTP)
		return check_http(p->spec, p->t.what, detail, size);
	return check_ssh(p, detail, size);
}

static void record(struct prober *pr, struct pair *p, int64_t t, int64_t lat,
		   int ok, const char *detail)
{
	pthread_mutex_lock(&pr->lock);
	if (pr->n_samples == pr->cap_samples) {
		pr->cap_samples = pr->cap_samples ? pr->cap_samples * 2 : 256;
		pr->samples = xrealloc(pr->samples,
				       (size_t)pr->cap_samples * sizeof(*pr->samples));
	}
	pr->samples[pr->n_samples++] = (struct probe_sample){
		t, (int32_t)lat, (uint16_t)p->t.probe, (uint16_t)p->t.node,
		(uint8_t)ok };
	if (ok != p->last_ok) {
		if (pr->n_trans == pr->cap_trans) {
			pr->cap_trans = pr->cap_trans ? pr->cap_trans * 2 : 32;
			pr->trans = xrealloc(pr->trans,
					     (size_t)pr->cap_trans * sizeof(*pr->trans));
		}
		pr->trans[pr->n_trans++] = (struct probe_transition){
			t, (uint16_t)p->t.probe, (uint16_t)p->t.node, (uint8_t)ok,
			xstrdup(detail) };
		p->last_ok = ok;
	}
	pthread_mutex_unlock(&pr->lock);
}

static void *pair_loop(void *arg)
{
	struct pair *p = arg;
	struct prober *pr = p->owner;
	int64_t next = clock_mono_ms();

	for (;;) {
		char detail[512];
		int64_t start = clock_mono_ms(), t;
		int ok = check_once(p, detail, sizeof(detail));

		t = clock_mono_ms();
		record(pr, p, start - pr->t0_ms, t - start, ok, detail);
		next += p->spec->every_ms;
		if (next < t)
			next = t;
		pthread_mutex_lock(&pr->lock);
		while (!pr->stopping && clock_mono_ms() < next) {
			struct timespec ts = clock_mono_in_ms(next - clock_mono_ms());

			pthread_cond_timedwait(&pr->wake, &pr->lock, &ts);
		}
		int stop = pr->stopping;

		pthread_mutex_unlock(&pr->lock);
		if (stop)
			break;
	}
	set_conn(p, NULL);
	return NULL;
}

int prober_start(const struct config *cfg, const struct probe_target *targets,
		 int n_targets, int64_t t0_ms, struct prober **ret,
		 struct err *e)
{
	struct prober *pr = xcalloc(1, sizeof(*pr));

	pthread_once(&curl_once, curl_init_once);
	pr->cfg = cfg;
	pr->t0_ms = t0_ms;
	pthread_mutex_init(&pr->lock, NULL);
	clock_cond_init(&pr->wake);
	pr->pairs = xcalloc((size_t)(n_targets ? n_targets : 1), sizeof(*pr->pairs));
	pr->n_pairs = n_targets;
	for (int i = 0; i < n_targets; i++) {
		struct pair *p = &pr->pairs[i];

		p->owner = pr;
		p->t = targets[i];
		p->spec = &cfg->probes[targets[i].probe];
		p->last_ok = -1;
		if (pthread_create(&p->thread, NULL, pair_loop, p)) {
			prober_free(pr);
			return err_set(e, "cannot start the thread of probe '%s'",
				       p->spec->name);
		}
		p->started = 1;
	}
	*ret = pr;
	return 0;
}

void prober_drop_node(struct prober *pr, int node)
{
	if (!pr)
		return;
	pthread_mutex_lock(&pr->lock);
	for (int i = 0; i < pr->n_pairs; i++)
		if (pr->pairs[i].t.node == node)
			ssh_abort(pr->pairs[i].conn);
	pthread_mutex_unlock(&pr->lock);
}

void prober_stop(struct prober *pr)
{
	if (!pr || pr->stopped)
		return;
	pthread_mutex_lock(&pr->lock);
	pr->stopping = 1;
	pthread_cond_broadcast(&pr->wake);
	pthread_mutex_unlock(&pr->lock);
	for (int i = 0; i < pr->n_pairs; i++)
		if (pr->pairs[i].started)
			pthread_join(pr->pairs[i].thread, NULL);
	pr->stopped = 1;
}

struct check_all {
	const struct config *cfg;
	const struct probe_target *t;
	char (*why)[400];
	int *ok;
};

static int check_one_target(void *arg, int i)
{
	struct check_all *ca = arg;
	struct pair p = { .t = ca->t[i], .spec = &ca->cfg->probes[ca->t[i].probe] };

	ca->ok[i] = check_once(&p, ca->why[i], sizeof(ca->why[i]));
	ssh_close(p.conn);
	return 0;
}

/* Every target at once: each SSH probe's first check is a handshake with a
 * guest that may have just resumed, and the nodes' handshakes overlap. */
int probes_check_all(const struct config *cfg, const struct probe_target *t,
		     int n, char *detail, size_t detail_size)
{
	struct check_all ca = { cfg, t, xcalloc((size_t)(n ? n : 1), sizeof(*ca.why)),
				xcalloc((size_t)(n ? n : 1), sizeof(int)) };
	int all = 1;

	pthread_once(&curl_once, curl_init_once);
	parallel_for(n, check_one_target, &ca);
	for (int i = 0; i < n && all; i++)
		if (!ca.ok[i]) {
			snprintf(detail, detail_size, "probe '%s' fails: %s",
				 cfg->probes[t[i].probe].name, ca.why[i]);
			all = 0;
		}
	free(ca.why);
	free(ca.ok);
	return all;
}

const struct probe_sample *prober_samples(const struct prober *p, int *ret_n)
{
	*ret_n = p->n_samples;
	return p->samples;
}

const struct probe_transition *prober_transitions(const struct prober *p,
						  int *ret_n)
{
	*ret_n = p->n_trans;
	return p->trans;
}

static json_t *pair_series(const struct prober *pr, int probe, int node,
			   int max_samples)
{
	json_t *arr = json_array();
	int total = 0, k = 0;

	for (int i = 0; i < pr->n_samples; i++)
		total += pr->samples[i].probe == probe && pr->samples[i].node == node;
	for (int i = 0; i < pr->n_samples; i++) {
		const struct probe_sample *s = &pr->samples[i];

		if (s->probe != probe || s->node != node)
			continue;
		/* keep every k-th sample so that at most max_samples remain */
		if (total <= max_samples || (long)k * max_samples / total !=
		    (long)(k + 1) * max_samples / total)
			json_array_append_new(arr, json_pack("[I, i, b]",
				(json_int_t)s->t_ms, s->latency_ms, s->ok));
		k++;
	}
	return arr;
}

json_t *prober_to_json(const struct prober *pr, int max_samples,
		       const char *const *node_names)
{
	json_t *root = json_object(), *series = json_array(), *trans = json_array();

	for (int i = 0; i < pr->n_pairs; i++) {
		const struct pair *p = &pr->pairs[i];

		json_array_append_new(series, json_pack("{s:s, s:s, s:o}",
			"probe", p->spec->name, "node", node_names[p->t.node],
			"samples", pair_series(pr, p->t.probe, p->t.node, max_samples)));
	}
	for (int i = 0; i < pr->n_trans; i++) {
		const struct probe_transition *t = &pr->trans[i];

		json_array_append_new(trans, json_pack("{s:I, s:s, s:s, s:b, s:s}",
			"t_ms", (json_int_t)t->t_ms,
			"probe", pr->cfg->probes[t->probe].name,
			"node", node_names[t->node], "ok", t->ok, "detail", t->detail));
	}
	json_object_set_new(root, "series", series);
	json_object_set_new(root, "transitions", trans);
	return root;
}

void prober_free(struct prober *pr)
{
	if (!pr)
		return;
	prober_stop(pr);
	for (int i = 0; i < pr->n_trans; i++)
		free(pr->trans[i].detail);
	free(pr->trans);
	free(pr->samples);
	free(pr->pairs);
	pthread_mutex_destroy(&pr->lock);
	pthread_cond_destroy(&pr->wake);
	free(pr);
}
