/* explore.c - the seen sets (templates by hash, outcome combinations) and
 * the novel runs' arms, for the guided draw's credit. */
#include "explore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct entry {
	int run;
	int novel;
	int n_new;
	int n_arms;
	struct explore_arm arms[EXPLORE_MAX_ARMS];
};

struct explore {
	uint64_t *slots;	/* open addressing; 0 marks a free slot */
	size_t cap, n;
	int has_zero;		/* the hash 0, which cannot sit in a slot */
	char **combos;
	int n_combos;
	struct entry *entries;	/* in note order */
	int n_entries, cap_entries;
};

struct explore *explore_new(void)
{
	struct explore *x = xcalloc(1, sizeof(*x));

	x->cap = 1024;
	x->slots = xcalloc(x->cap, sizeof(uint64_t));
	return x;
}

void explore_free(struct explore *x)
{
	if (!x)
		return;
	for (int i = 0; i < x->n_combos; i++)
		free(x->combos[i]);
	free(x->combos);
	free(x->slots);
	free(x->entries);
	free(x);
}

static int slot_put(uint64_t *slots, size_t cap, uint64_t h)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (cap - 1);

	while (slots[i]) {
		if (slots[i] == h)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	slots[i] = h;
	return 1;
}

/* 1 when h was not in the set. */
static int set_add(struct explore *x, uint64_t h)
{
	if (!h) {
		int was = x->has_zero;

		x->has_zero = 1;
		return !was;
	}
	if (2 * (x->n + 1) > x->cap) {
		size_t cap = x->cap * 2;
		uint64_t *slots = xcalloc(cap, sizeof(uint64_t));

		for (size_t i = 0; i < x->cap; i++)
			if (x->slots[i])
				slot_put(slots, cap, x->slots[i]);
		free(x->slots);
		x->slots = slots;
		x->cap = cap;
	}
	if (!slot_put(x->slots, x->cap, h))
		return 0;
	x->n++;
	return 1;
}

static int combo_add(struct explore *x, const char *combo)
{
	if (!combo)
		return 0;
	for (int i = 0; i < x->n_combos; i++)
		if (!strcmp(x->combos[i], combo))
			return 0;
	x->combos = xrealloc(x->combos, (size_t)(x->n_combos + 1) * sizeof(char *));
	x->combos[x->n_combos++] = xstrdup(combo);
	return 1;
}

static void add_entry(struct explore *x, int run, const struct explore_arm *arms,
		      int n_arms, int novel, int n_new)
{
	struct entry *en;

	if (x->n_entries == x->cap_entries) {
		x->cap_entries = x->cap_entries ? 2 * x->cap_entries : 64;
		x->entries = xrealloc(x->entries, (size_t)x->cap_entries * sizeof(*en));
	}
	en = &x->entries[x->n_entries++];
	memset(en, 0, sizeof(*en));
	en->run = run;
	en->novel = novel;
	en->n_new = n_new;
	en->n_arms = n_arms < EXPLORE_MAX_ARMS ? n_arms : EXPLORE_MAX_ARMS;
	if (en->n_arms > 0)
		memcpy(en->arms, arms, (size_t)en->n_arms * sizeof(*arms));
}

int explore_note(struct explore *x, int run, const struct explore_arm *arms,
		 int n_arms, const uint64_t *tmpl, int n_tmpl, const char *combo,
		 uint64_t **ret_new, int *ret_n_new)
{
	uint64_t *fresh = NULL;
	int n_new = 0, novel;

	for (int i = 0; i < n_tmpl; i++)
		if (set_add(x, tmpl[i])) {
			fresh = xrealloc(fresh, (size_t)(n_new + 1) * sizeof(uint64_t));
			fresh[n_new++] = tmpl[i];
		}
	novel = combo_add(x, combo) || n_new > 0;
	add_entry(x, run, arms, n_arms, novel, n_new);
	*ret_new = fresh;
	*ret_n_new = n_new;
	return novel;
}

void explore_restore(struct explore *x, int run, const struct explore_arm *arms,
		     int n_arms, const uint64_t *new_tmpl, int n_new,
		     const char *combo, int novel)
{
	for (int i = 0; i < n_new; i++)
		set_add(x, new_tmpl[i]);
	combo_add(x, combo);
	add_entry(x, run, arms, n_arms, novel, n_new);
}

static int same_target(const struct explore_arm *a, const struct explore_arm *b)
{
	return a->fault == b->fault && a->node == b->node;
}

static int same_buckets(const struct explore_arm *a, const struct explore_arm *b)
{
	return a->param == b->param && a->timing == b->timing;
}

static double gain_of(const struct entry *en, int upto)
{
	return (1 + (en->n_new < 8 ? en->n_new : 8)) * pow(EXPLORE_DECAY, upto - en->run);
}

/* Entries are in journal order, not run order, but a run is taken only
 * when every run <= r - LAG is recorded, so the window's runs are among
 * the last entries: look back a few windows' worth. */
static int first_looked_at(const struct explore *x)
{
	int i = x->n_entries - 4 * EXPLORE_WINDOW;

	return i > 0 ? i : 0;
}

static int in_window(const struct entry *en, int upto)
{
	return en->novel && en->run <= upto && en->run > upto - EXPLORE_WINDOW;
}

double explore_pair_credit(const struct explore *x, int upto, int same)
{
	double credit = 0;

	for (int i = x->n_entries - 1; i >= first_looked_at(x); i--) {
		const struct entry *en = &x->entries[i];
		int paired = 0;

		if (!in_window(en, upto) || en->n_arms < 2)
			continue;
		for (int k = 0; k < en->n_arms; k++)
			paired |= en->arms[k].same;
		if (paired == !!same)
			credit += gain_of(en, upto);
	}
	return credit;
}

double explore_credit(const struct explore *x, int upto, const struct explore_arm *a)
{
	double credit = 0;

	for (int i = x->n_entries - 1; i >= first_looked_at(x); i--) {
		const struct entry *en = &x->entries[i];
		double gain;

		if (!in_window(en, upto))
			continue;
		gain = gain_of(en, upto);
		for (int k = 0; k < en->n_arms; k++)
			if (same_target(&en->arms[k], a)) {
				/* the fault on that node, in any bucket; its own
				 * buckets once more */
				credit += gain * (same_buckets(&en->arms[k], a) ? 2 : 1);
				break;
			}
	}
	return credit;
}

int explore_runs(const struct explore *x)
{
	return x->n_entries;
}

int explore_templates(const struct explore *x)
{
	return (int)x->n + x->has_zero;
}
