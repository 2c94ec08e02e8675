/* reset_floor.c - the floor of a reset, for bench/testbed.sh: HMP `stop`,
 * `loadvm golden`, `cont` of the given domains in parallel (one thread
 * each) over one open libvirt connection, repeated; prints the median
 * wall time in milliseconds. Nothing else a reset does (clock, entropy,
 * readiness) is in it.
 *
 * usage: reset_floor REPEAT DOMAIN...
 */
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static virConnectPtr conn;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *one(void *arg)
{
	virDomainPtr dom = virDomainLookupByName(conn, arg);
	const char *cmds[] = { "stop", "loadvm golden", "cont" };
	char *out;

	if (!dom) {
		fprintf(stderr, "reset_floor: no domain '%s'\n", (char *)arg);
		exit(2);
	}
	for (int k = 0; k < 3; k++) {
		if (virDomainQemuMonitorCommand(dom, cmds[k], &out,
						VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
			fprintf(stderr, "reset_floor: '%s' failed on '%s'\n", cmds[k],
				(char *)arg);
			exit(2);
		}
		free(out);
	}
	virDomainFree(dom);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int repeat = argc > 2 ? atoi(argv[1]) : 0, n = argc - 2;
	double *t;
	pthread_t *th;

	if (repeat < 1 || n < 1) {
		fprintf(stderr, "usage: reset_floor REPEAT DOMAIN...\n");
		return 2;
	}
	conn = virConnectOpen("qemu:///system");
	if (!conn)
		return 2;
	t = calloc((size_t)repeat, sizeof(*t));
	th = calloc((size_t)n, sizeof(*th));
	for (int r = 0; r < repeat; r++) {
		double t0 = now_ms();

		for (int i = 0; i < n; i++)
			pthread_create(&th[i], NULL, one, argv[2 + i]);
		for (int i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		t[r] = now_ms() - t0;
	}
	qsort(t, (size_t)repeat, sizeof(*t), cmp);
	printf("%.0f\n", t[repeat / 2]);
	virConnectClose(conn);
	return 0;
}
