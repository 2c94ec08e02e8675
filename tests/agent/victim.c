/* victim.c - a process for the agent's host tests to inject faults into.
 *
 *   victim data          flip target: prints "addr 0x..." of a 4 KiB array
 *                        in .data, then "changed OFF OLD NEW" per change
 *   victim open PATH [T] T threads (default 1) open and read PATH in a
 *                        loop; prints "ok" or "err ERRNO" on each change
 *   victim fds           opens /dev/null in a loop; prints on each change
 *   victim spin          spins in user space (for register flips)
 *
 * Lines are flushed at once; the test reads them from a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile unsigned char data[4096] = { 1 };	/* in .data, not .bss */
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&print_lock);
	vprintf(fmt, ap);
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
	va_end(ap);
}

static void run_data(void)
{
	unsigned char seen[sizeof(data)];

	memcpy(seen, (const void *)data, sizeof(seen));
	printf("addr %p\n", (void *)data);
	fflush(stdout);
	for (;;) {
		for (size_t i = 0; i < sizeof(seen); i++)
			if (data[i] != seen[i]) {
				say("changed %d %d %d\n", (int)i, seen[i], data[i]);
				seen[i] = data[i];
			}
		usleep(5000);
	}
}

static const char *open_path;

/* Report transitions only: "ok" / "err N". */
static void *open_loop(void *arg)
{
	int last = -1;

	(void)arg;
	for (;;) {
		char c;
		int fd = open(open_path, O_RDONLY), now = 0;

		if (fd < 0)
			now = errno;
		else if (read(fd, &c, 1) < 0)
			now = errno;
		if (fd >= 0)
			close(fd);
		if (now != last) {
			if (now)
				say("err %d\n", now);
			else
				say("ok\n");
			last = now;
		}
		usleep(2000);
	}
	return NULL;
}

static void run_open(const char *path, int threads)
{
	pthread_t t;

	open_path = path;
	for (int i = 1; i < threads; i++)
		pthread_create(&t, NULL, open_loop, NULL);
	open_loop(NULL);
}

static void run_fds(void)
{
	int last = -1;

	for (;;) {
		int fd = open("/dev/null", O_RDONLY), now = fd < 0 ? errno : 0;

		if (fd >= 0)
			close(fd);
		if (now != last) {
			if (now)
				say("err %d\n", now);
			else
				say("ok\n");
			last = now;
		}
		usleep(2000);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "data"))
		run_data();
	else if (argc >= 3 && !strcmp(argv[1], "open"))
		run_open(argv[2], argc >= 4 ? atoi(argv[3]) : 1);
	else if (argc >= 2 && !strcmp(argv[1], "fds"))
		run_fds();
	else if (argc >= 2 && !strcmp(argv[1], "spin"))
		for (volatile unsigned long i = 0;; i++)
			;
	fprintf(stderr, "usage: victim data | open PATH [THREADS] | fds | spin\n");
	return 2;
}
