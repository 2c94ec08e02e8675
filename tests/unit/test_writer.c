/* util/writer.c: what is added is written in order, whole, across many
 * hand-overs between the caller's buffer and the thread's; a failing
 * write is reported once, by the call that sees it or by
 * writer_finish(). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
	struct writer *w = writer_start(fd, path, 4096, -1);
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

	is_int(writer_finish(writer_start(fd, path, 1024, -1), &e), 0, "nothing to write");
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
	w = writer_start(fd, "/dev/full", 4096, -1);
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

/* Pages of fd's first len bytes in the page cache. */
static long resident(int fd, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), n = (long)(len / (size_t)page), in = 0;
	unsigned char *vec = xmalloc((size_t)n);
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED || mincore(map, len, vec) < 0)
		in = -1;
	for (long i = 0; in >= 0 && i < n; i++)
		in += vec[i] & 1;
	if (map != MAP_FAILED)
		munmap(map, len);
	free(vec);
	return in;
}

/* A writer that replaces a file drops the old file's cached pages ahead
 * of what it writes (in steps of 8 MiB), and leaves its content alone. */
static void test_replaced(void)
{
	char old_path[] = "/tmp/test-writer-old-XXXXXX", path[] = "/tmp/test-writer-XXXXXX";
	int old = mkstemp(old_path), fd = mkstemp(path), same = 1;
	size_t size = 16 << 20, half = 8 << 20;
	char *block = xmalloc(1 << 20), *back = xmalloc(1 << 20);
	struct err e = { "" };
	struct writer *w;
	long before;

	memset(block, 'o', 1 << 20);
	for (size_t at = 0; at < size; at += 1 << 20)
		if (write(old, block, 1 << 20) != 1 << 20)
			ok(0, "the old file written");
	fsync(old);
	before = resident(old, size);
	if (before < (long)(size / 4096) / 2) {	/* tmpfs keeps them; or no cache */
		ok(1, "# skip: the old file's pages are not in the page cache (%ld)", before);
		goto out;
	}
	w = writer_start(fd, path, 4096, old);
	memset(block, 'n', 1 << 20);
	for (int i = 0; i < 4; i++)
		writer_add(w, block, 1 << 20, &e);
	is_int(writer_finish(w, &e), 0, "4 MiB written");
	is_int(resident(old, half), 0, "the old file's first 8 MiB dropped from the page cache");
	lseek(old, 0, SEEK_SET);
	memset(block, 'o', 1 << 20);
	for (size_t at = 0; at < size; at += 1 << 20)
		same &= read(old, back, 1 << 20) == 1 << 20 && !memcmp(back, block, 1 << 20);
	ok(same, "its content untouched");
out:
	free(block);
	free(back);
	close(old);
	close(fd);
	unlink(old_path);
	unlink(path);
}

int main(void)
{
	test_content();
	test_empty();
	test_failure();
	test_replaced();
	return tap_done();
}
