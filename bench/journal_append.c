/* journal_append.c - how fast durable journal appends and flaw-file
 * rewrites are on this disk (each one ends in fdatasync/fsync).
 *
 *   gcc -std=gnu11 -D_GNU_SOURCE -O2 -Iorchestrator bench/journal_append.c \
 *       orchestrator/{journal,flaws,buf,err,paths,clock}.c -ljansson \
 *       -o /tmp/journal_bench && /tmp/journal_bench [DIR] [N]
 *
 * Prints appends per second and latency percentiles; not a timed test.
 */
#include "clock.h"
#include "flaws.h"
#include "journal.h"
#include "paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, long long *ns, int n, int64_t total)
{
	qsort(ns, (size_t)n, sizeof(*ns), cmp_ll);
	printf("%-28s %6d ops  %8.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
	       what, n, n / (total / 1e9), ns[n / 2] / 1e6, ns[n * 99 / 100] / 1e6,
	       ns[n - 1] / 1e6);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/journal_bench.XXXXXX";
	const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	long long *ns = calloc((size_t)n, sizeof(*ns));
	char pad[400], trace_log[64 * 1024];
	struct journal *j;
	struct flaw_store *fs;
	struct journal_state st;
	struct err e;
	int64_t t0;

	if (!dir || !ns || n < 1)
		return 2;
	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	if (journal_open(dir, &j, &st, &e) < 0) {
		fprintf(stderr, "journal_bench: %s\n", e.msg);
		return 1;
	}
	t0 = clock_mono_ns();
	for (int i = 0; i < n; i++) {
		json_t *rec = json_pack("{s:s, s:I, s:s, s:s}", "type", "run", "run",
					(json_int_t)(st.next_run + i), "outcome",
					"no-effect", "pad", pad);
		int64_t t = clock_mono_ns();

		if (journal_append(j, rec, &e) < 0) {
			fprintf(stderr, "journal_bench: %s\n", e.msg);
			return 1;
		}
		ns[i] = clock_mono_ns() - t;
		json_decref(rec);
	}
	report("journal_append (~500 B)", ns, n, clock_mono_ns() - t0);
	journal_close(j);
	t0 = clock_mono_ns();
	if (journal_open(dir, &j, &st, &e) < 0) {
		fprintf(stderr, "journal_bench: %s\n", e.msg);
		return 1;
	}
	printf("%-28s %6lld records in %.1f ms\n", "journal_open (read all)",
	       st.records, (clock_mono_ns() - t0) / 1e6);
	journal_close(j);

	memset(trace_log, 'l', sizeof(trace_log) - 1);
	trace_log[sizeof(trace_log) - 1] = '\0';
	if (flaws_open(dir, &fs, &e) < 0) {
		fprintf(stderr, "journal_bench: %s\n", e.msg);
		return 1;
	}
	n = n > 500 ? 500 : n;
	t0 = clock_mono_ns();
	for (int i = 0; i < n; i++) {
		struct flaw_hit hit = {
			.signature = i % 2 ? "o|f|r|a" : "o|f|r|b", .class_ = "safety",
			.run = i + 1, .wall_ns = clock_wall_ns(),
		};
		int64_t t = clock_mono_ns();

		if (flaws_record(fs, &hit, json_pack("{s:s}", "logs", trace_log),
				 NULL, &e) < 0) {
			fprintf(stderr, "journal_bench: %s\n", e.msg);
			return 1;
		}
		ns[i] = clock_mono_ns() - t;
	}
	report("flaws_record (3 x 64 KiB)", ns, n, clock_mono_ns() - t0);
	flaws_free(fs);
	if (argc <= 1)
		paths_remove_tree(dir, &e);
	free(ns);
	return 0;
}
