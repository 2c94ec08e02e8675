/* shrink.c - ddmin over bit sets, with a cache of every candidate's
 * tries so that a set is never tried more than the budget says. */
#include "shrink.h"

#include <stdlib.h>

#include "buf.h"

enum { FAILS = 1, PASSES = 0, STOP = -1, SPENT = -2 };

struct cand {
	shrink_set set;
	int tried, failed;
};

struct search {
	const struct shrink_budget *b;
	shrink_try_fn fn;
	void *ctx;
	struct err *e;
	struct cand *cands;
	int n_cands, cap_cands;
	int runs;
};

int shrink_count(shrink_set set)
{
	int n = 0;

	for (; set; set &= set - 1)
		n++;
	return n;
}

static struct cand *cand_of(struct search *s, shrink_set set)
{
	for (int i = 0; i < s->n_cands; i++)
		if (s->cands[i].set == set)
			return &s->cands[i];
	if (s->n_cands == s->cap_cands) {
		s->cap_cands = s->cap_cands ? 2 * s->cap_cands : 32;
		s->cands = xrealloc(s->cands, (size_t)s->cap_cands * sizeof(*s->cands));
	}
	s->cands[s->n_cands] = (struct cand){ set, 0, 0 };
	return &s->cands[s->n_cands++];
}

/* The search's question: does set fail? (stops at its first failure) */
static int fails(struct search *s, shrink_set set)
{
	struct cand *c = cand_of(s, set);

	while (!c->failed && c->tried < s->b->tries) {
		int r;

		if (s->runs >= s->b->max_runs)
			return SPENT;
		r = s->fn(s->ctx, set, c->tried + 1, s->e);
		if (r < 0)
			return STOP;
		s->runs++;
		c->tried++;
		c->failed += r > 0;
	}
	return c->failed ? FAILS : PASSES;
}

/* Split c into gran pieces of consecutive elements, as equal as can be. */
static int pieces(shrink_set c, int gran, shrink_set *out)
{
	int elems[SHRINK_MAX], n = 0;

	for (int i = 0; i < SHRINK_MAX; i++)
		if (c & ((shrink_set)1 << i))
			elems[n++] = i;
	for (int p = 0; p < gran; p++) {
		out[p] = 0;
		for (int k = p * n / gran; k < (p + 1) * n / gran; k++)
			out[p] |= (shrink_set)1 << elems[k];
	}
	return gran;
}

/* One round at granularity *gran: 1 when c was reduced, 0 when not,
 * STOP or SPENT. */
static int round_at(struct search *s, shrink_set *c, int *gran)
{
	shrink_set piece[SHRINK_MAX];
	int n = pieces(*c, *gran, piece), r;

	for (int i = 0; i < n; i++) {	/* remove one piece at a time */
		shrink_set rest = *c & ~piece[i];

		if (!rest || !piece[i])
			continue;
		if ((r = fails(s, rest)) < 0)
			return r;
		if (r == FAILS) {
			*c = rest;
			*gran = *gran - 1 > 2 ? *gran - 1 : 2;
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {	/* a piece alone */
		if (!piece[i] || piece[i] == *c)
			continue;
		if ((r = fails(s, piece[i])) < 0)
			return r;
		if (r == FAILS) {
			*c = piece[i];
			*gran = 2;
			return 1;
		}
	}
	return 0;
}

static shrink_set full_set(int n)
{
	return n == SHRINK_MAX ? ~(shrink_set)0 : ((shrink_set)1 << n) - 1;
}

int shrink_ddmin(int n, const struct shrink_budget *b, shrink_try_fn fn,
		 void *ctx, struct shrink_result *ret, struct err *e)
{
	struct search s = { .b = b, .fn = fn, .ctx = ctx, .e = e };
	shrink_set c = full_set(n > 0 && n <= SHRINK_MAX ? n : 1);
	int gran = n, r = 0;
	struct cand *m;

	*ret = (struct shrink_result){ .minimal = c };
	if (n < 1 || n > SHRINK_MAX)
		return err_set(e, "cannot shrink a set of %d elements (1 to %d)", n,
			       SHRINK_MAX);
	if (b->tries < 1 || b->max_runs < 0)
		return err_set(e, "cannot shrink with %d tries and %d runs", b->tries,
			       b->max_runs);
	while (shrink_count(c) >= 2) {
		r = round_at(&s, &c, &gran);
		if (r < 0)
			break;
		if (r == 0 && gran >= shrink_count(c))
			break;
		if (r == 0)
			gran = 2 * gran < shrink_count(c) ? 2 * gran : shrink_count(c);
		if (gran > shrink_count(c))
			gran = shrink_count(c);
	}
	/* the minimal set's reproduction rate: all its tries */
	m = cand_of(&s, c);
	while (r >= 0 && m->tried < b->tries) {
		if (s.runs >= b->max_runs) {
			r = SPENT;
			break;
		}
		r = fn(ctx, c, m->tried + 1, e);
		if (r < 0) {
			r = STOP;
			break;
		}
		s.runs++;
		m = cand_of(&s, c);
		m->tried++;
		m->failed += r > 0;
		r = 0;
	}
	m = cand_of(&s, c);
	*ret = (struct shrink_result){ c, m->failed, m->tried, s.runs, r == SPENT };
	free(s.cands);
	return r == STOP ? -1 : 0;
}
