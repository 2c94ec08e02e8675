/* test_parallel.c - parallel_for_err: every item runs, the lowest
 * failed item's message wins, a silent failure still says something. */
#include "parallel.h"
#include "tap.h"

#include <string.h>

struct fixture {
	int ran[8];
	int fail_from;		/* items >= fail_from fail */
	int silent;		/* ... without a message */
};

static int item(void *arg, int i, struct err *e)
{
	struct fixture *f = arg;

	f->ran[i] = 1;
	if (i < f->fail_from)
		return 0;
	return f->silent ? -1 : err_set(e, "item %d failed", i);
}

static int all_ran(const struct fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		if (!f->ran[i])
			return 0;
	return 1;
}

int main(void)
{
	struct fixture f = { .fail_from = 8 };
	struct err e = { "untouched" };

	is_int(parallel_for_err(8, item, &f, &e), 0, "none fails: 0");
	ok(all_ran(&f, 8), "every item ran");
	is_str(e.msg, "untouched", "the error is left alone on success");

	memset(&f, 0, sizeof(f));
	f.fail_from = 3;
	is_int(parallel_for_err(8, item, &f, &e), -1, "some fail: -1");
	ok(all_ran(&f, 8), "every item ran despite failures");
	is_str(e.msg, "item 3 failed", "the lowest failed item's message");

	memset(&f, 0, sizeof(f));
	f.fail_from = 5;
	f.silent = 1;
	is_int(parallel_for_err(6, item, &f, &e), -1, "a silent failure: -1");
	is_str(e.msg, "failed with no reason given", "and still a message");

	f.fail_from = 0;
	f.silent = 0;
	is_int(parallel_for_err(1, item, &f, NULL), -1, "one item, no error wanted");
	is_int(parallel_for_err(0, item, &f, &e), 0, "no items: nothing fails");
	return tap_done();
}
