/* stopsig.c - finish-then-stop on the first signal, stop on the second. */
#include "stopsig.h"

#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	static const char msg[] = "\ncampaign: stopping after the current run "
				  "(signal again to stop now)\n";

	if (stop_requested)
		_exit(128 + sig);
	stop_requested = 1;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		return;
}

volatile sig_atomic_t *stopsig_install(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return &stop_requested;
}
