/* fuzz_journal.c - libFuzzer target for the journal as `campaign report`
 * reads it: the input becomes DIR/journal.jsonl of a scratch results
 * directory (under $TMPDIR, made once, removed at exit), and the report's
 * loader walks it (the tree-less JSON cursor, records, torn and damaged
 * lines, flaw ids, figures, percentiles, histogram, saturation), then
 * builds summary.json's object and writes the index and runs pages into
 * the scratch directory. Each line is also parsed alone.
 *
 * Input: the journal's bytes.
 */
#include "paths.h"
#include "report_journal.h"
#include "report_priv.h"
#include "summary.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char *dir, *journal, *report_dir;

static void remove_dir(void)
{
	paths_remove_tree(dir, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl;

	(void)argc;
	(void)argv;
	tmpl = xasprintf("%s/fuzz_journal.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	dir = mkdtemp(tmpl);
	if (!dir)
		abort();
	journal = xasprintf("%s/journal.jsonl", dir);
	report_dir = xasprintf("%s/report", dir);
	if (paths_mkdirs(report_dir, 0755, NULL) < 0)
		abort();
	atexit(remove_dir);
	return 0;
}

static void each_line(const unsigned char *data, size_t size)
{
	struct rrec r;
	size_t start = 0;

	rrec_init(&r);
	for (size_t i = 0; i <= size; i++)
		if (i == size || data[i] == '\n') {
			report_journal_parse((const char *)data + start, i - start, &r);
			start = i + 1;
		}
	rrec_release(&r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct report_data d;
	int fd = open(journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	each_line(data, size);
	if (report_data_load(&d, dir, NULL, NULL, NULL, NULL) == 0) {
		json_t *built = summary_build(&d);
		char *text = json_dumps(built, JSON_COMPACT);
		json_t *sum = text ? json_loads(text, 0, NULL) : NULL;

		if (!sum)
			abort();	/* summary.json must be valid JSON */
		json_decref(sum);
		json_decref(built);
		free(text);
		report_index_page(&d, report_dir, NULL);
		report_runs_pages(&d, report_dir, NULL);
	}
	report_data_release(&d);
	return 0;
}
