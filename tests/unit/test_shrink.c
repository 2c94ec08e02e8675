/* test_shrink.c - ddmin (engine/shrink.c) against known answers: a set
 * that fails iff it holds {a, c}, one culprit among eight, a flaky
 * predicate, the budget running out, a stop, and a replay of recorded
 * answers asking the same questions. */
#include <stdio.h>
#include <string.h>

#include "shrink.h"
#include "tap.h"

#define A (1u << 0)
#define B (1u << 1)
#define C (1u << 2)
#define D (1u << 3)
#define E (1u << 4)

struct pred {
	shrink_set needs;	/* fails iff all of these are in the set */
	int every;		/* ... and only on tries try_no % every == 0 (0: all) */
	int stop_at;		/* call number that says stop (0: never) */
	int calls;
	shrink_set asked[256];	/* every call, in order */
	int try_no[256];
	int answer[256];
};

static int try_pred(void *ctx, shrink_set set, int try_no, struct err *e)
{
	struct pred *p = ctx;
	int r = (set & p->needs) == p->needs &&
		(!p->every || try_no % p->every == 0);

	if (p->stop_at && p->calls + 1 == p->stop_at)
		return err_set(e, "stopped");
	if (p->calls < 256) {
		p->asked[p->calls] = set;
		p->try_no[p->calls] = try_no;
		p->answer[p->calls] = r;
	}
	p->calls++;
	return r;
}

static int never_twice(const struct pred *p)
{
	for (int i = 0; i < p->calls && i < 256; i++)
		for (int j = 0; j < i; j++)
			if (p->asked[i] == p->asked[j] && p->try_no[i] == p->try_no[j])
				return 0;
	return 1;
}

static void test_known_answers(void)
{
	struct shrink_budget b = { 1, 100 };
	struct shrink_result r;
	struct pred p = { .needs = A | C };
	struct err e = { "" };

	is_int(shrink_ddmin(4, &b, try_pred, &p, &r, &e), 0, "{a,b,c,d}, fails iff {a,c}");
	is_int((long long)r.minimal, A | C, "the minimal set is {a,c}");
	ok(r.failed == 1 && r.tried == 1, "measured: 1 of 1 (%d of %d)", r.failed, r.tried);
	is_int(r.runs, p.calls, "every call counted as a run");
	ok(r.runs <= 10, "in few runs (%d)", r.runs);
	ok(!r.exhausted, "not exhausted");
	ok(never_twice(&p), "no (set, try) asked twice");
	ok(p.asked[0] == (B | C | D), "one at a time: the first question drops a (0x%llx)",
	   (unsigned long long)p.asked[0]);
	for (int i = 0; i < p.calls; i++)
		ok(p.asked[i] != 0xf, "the full set is never tried as a candidate");

	memset(&p, 0, sizeof(p));	/* one culprit of eight */
	p.needs = 1u << 5;
	b.tries = 2;
	is_int(shrink_ddmin(8, &b, try_pred, &p, &r, &e), 0, "one culprit of 8");
	is_int((long long)r.minimal, 1u << 5, "found alone");
	ok(r.failed == 2 && r.tried == 2, "and measured 2 of 2 (%d of %d)", r.failed, r.tried);

	memset(&p, 0, sizeof(p));	/* every fault needed */
	p.needs = A | B | C;
	is_int(shrink_ddmin(3, &b, try_pred, &p, &r, &e), 0, "all three needed");
	is_int((long long)r.minimal, A | B | C, "nothing removed");
	ok(r.tried == 2 && r.failed == 2, "the full set measured with its own tries");

	memset(&p, 0, sizeof(p));	/* a single fault: only measured */
	p.needs = A;
	is_int(shrink_ddmin(1, &b, try_pred, &p, &r, &e), 0, "one element");
	ok(r.minimal == A && r.runs == 2 && p.asked[0] == A, "measured only");

	memset(&p, 0, sizeof(p));	/* the same minimal set from another order */
	p.needs = C | E;
	b.tries = 1;
	is_int(shrink_ddmin(5, &b, try_pred, &p, &r, &e), 0, "{c,e} of five");
	is_int((long long)r.minimal, C | E, "minimal {c,e}");
}

static void test_flaky(void)
{
	struct shrink_budget b = { 3, 200 };
	struct shrink_result r;
	struct pred p = { .needs = B | D, .every = 2 };
	struct err e = { "" };

	is_int(shrink_ddmin(4, &b, try_pred, &p, &r, &e), 0, "flaky: fails every 2nd try");
	is_int((long long)r.minimal, B | D, "any failing try makes a candidate fail: {b,d}");
	ok(r.failed == 1 && r.tried == 3, "its rate: 1 of 3 (%d of %d)", r.failed, r.tried);
	ok(never_twice(&p), "no (set, try) asked twice");

	memset(&p, 0, sizeof(p));
	p.needs = B | D;
	p.every = 2;
	b.tries = 1;
	is_int(shrink_ddmin(4, &b, try_pred, &p, &r, &e), 0, "one try only");
	is_int((long long)r.minimal, 0xf, "first tries all pass: the full set stays");
	ok(r.failed == 0 && r.tried == 1, "and its one try passed: 0 of 1");
}

static void test_budget(void)
{
	struct shrink_budget b = { 2, 5 };
	struct shrink_result r;
	struct pred p = { .needs = A | C };
	struct err e = { "" };

	is_int(shrink_ddmin(6, &b, try_pred, &p, &r, &e), 0, "a budget of 5 runs");
	ok(r.exhausted, "exhausted");
	is_int(r.runs, 5, "every run of the budget used, no more");
	is_int(p.calls, 5, "and no call past it");
	ok((r.minimal & (A | C)) == (A | C) && r.minimal != 0x3f,
	   "the best so far: a failing set smaller than the full one (0x%llx)",
	   (unsigned long long)r.minimal);

	memset(&p, 0, sizeof(p));
	p.needs = A | C;
	b.max_runs = 0;
	is_int(shrink_ddmin(3, &b, try_pred, &p, &r, &e), 0, "no budget at all");
	ok(r.exhausted && r.minimal == 7 && r.tried == 0 && p.calls == 0,
	   "the full set, untried");

	memset(&p, 0, sizeof(p));
	p.needs = A | C;
	p.stop_at = 3;
	b.max_runs = 100;
	is_int(shrink_ddmin(4, &b, try_pred, &p, &r, &e), -1, "a stop at the 3rd call");
	is_str(e.msg, "stopped", "the callback's message");
	is_int(r.runs, 2, "two runs done before it");

	ok(shrink_ddmin(0, &b, try_pred, &p, &r, &e) < 0 &&
	   strstr(e.msg, "0 elements"), "no elements: %s", e.msg);
	b.tries = 0;
	ok(shrink_ddmin(2, &b, try_pred, &p, &r, &e) < 0 && strstr(e.msg, "0 tries"),
	   "no tries: %s", e.msg);
}

/* The engine resumes a shrink by answering the journaled tries again:
 * the same answers must bring the same questions. */
struct replay {
	const struct pred *first;
	int at;
	int mismatch;
	struct pred live;
};

static int try_replay(void *ctx, shrink_set set, int try_no, struct err *e)
{
	struct replay *rp = ctx;

	if (rp->at < rp->first->calls) {
		if (rp->first->asked[rp->at] != set || rp->first->try_no[rp->at] != try_no)
			rp->mismatch = 1;
		return rp->first->answer[rp->at++];
	}
	return try_pred(&rp->live, set, try_no, e);
}

static void test_replay(void)
{
	struct shrink_budget b = { 2, 100 };
	struct shrink_result r1, r2;
	struct pred p = { .needs = B | E, .every = 2 }, cut;
	struct replay rp = { &cut, 0, 0, { .needs = B | E, .every = 2 } };
	struct err e = { "" };

	shrink_ddmin(6, &b, try_pred, &p, &r1, &e);
	cut = p;
	cut.calls = p.calls / 2;	/* killed half way */
	is_int(shrink_ddmin(6, &b, try_replay, &rp, &r2, &e), 0, "resumed from half the answers");
	ok(!rp.mismatch, "the recorded answers are asked again in the same order");
	is_int((long long)r2.minimal, (long long)r1.minimal, "the same minimal set");
	is_int(r2.runs, r1.runs, "the same runs in all");
	is_int(rp.live.calls, p.calls - cut.calls, "only the unrecorded tries run again");
}

int main(void)
{
	test_known_answers();
	test_flaky();
	test_budget();
	test_replay();
	return tap_done();
}
