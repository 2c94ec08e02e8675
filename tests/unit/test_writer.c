/* util/writer.c: what is added is written in order, whole, across many
 * hand-overs between the caller's buffer and the thread's; a failing
 * write is reported once, by the call that sees it or by
 * writer_finish(). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "tap.h"
#include "writer.h"

/* Lines of varying length, as a journal's, through a writer with a small
 * chunk: the file holds exactly what was added. */
static void test_content(void)
{
	char path[] = "/tmp/test-writer-XXXXXX";
	int fd = mkstemp(path);
	struct writer *w = writer_start(fd, path, 4096);
	struct buf want = BUF_INIT, got = BUF_INIT;
	struct err e = { "" };
	int failed = 0;
	char chunk[8192];
	ssize_t n;

	for (int i = 0; i < 20000 && !failed; i++) {
		size_t len = (size_t)(i * 7919 % 6000);	/* some longer than a chunk */
		char *line = xasprintf("%d:%0*d\n", i, (int)len, 0);

		buf_adds(&want, line);
		failed = writer_add(w, line, strlen(line), &e) < 0;
		free(line);
	}
	is_int(failed, 0, "every add taken");
	is_int(writer_finish(w, &e), 0, "finished");
	is_str(e.msg, "", "no error");
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&got, chunk, (size_t)n);
	is_int((long long)got.len, (long long)want.len, "every byte written");
	ok(got.len == want.len && !memcmp(got.data, want.data, got.len),
	   "in the order added");
	buf_release(&want);
	buf_release(&got);
	close(fd);
	unlink(path);
}

/* Nothing added: an empty file. */
static void test_empty(void)
{
	char path[] = "/tmp/test-writer-XXXXXX";
	int fd = mkstemp(path);
	struct err e = { "" };
	struct stat st;

	is_int(writer_finish(writer_start(fd, path, 1024), &e), 0, "nothing to write");
	ok(fstat(fd, &st) == 0 && st.st_size == 0, "an empty file");
	close(fd);
	unlink(path);
}

/* /dev/full refuses every write: the failure is reported by the add that
 * hands over after it, if any, and by writer_finish() in any case, with
 * the file's name. */
static void test_failure(void)
{
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	struct writer *w;
	struct err e = { "" }, fin = { "" };
	char block[1000];
	int add = 0, r;

	if (fd < 0) {
		ok(1, "# skip: no /dev/full");
		return;
	}
	w = writer_start(fd, "/dev/full", 4096);
	memset(block, 'x', sizeof(block));
	for (int i = 0; i < 100 && add == 0; i++)
		add = writer_add(w, block, sizeof(block), &e);
	r = writer_finish(w, &fin);
	is_int(r, -1, "writer_finish() reports the failure");
	ok(strstr(fin.msg, "cannot write '/dev/full': No space left on device") != NULL,
	   "with the file and the cause: %s", fin.msg);
	if (add < 0)
		is_str(e.msg, fin.msg, "as the add that saw it");
	close(fd);
}

int main(void)
{
	test_content();
	test_empty();
	test_failure();
	return tap_done();
}
