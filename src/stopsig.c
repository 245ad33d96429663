/* stopsig — see include/stopsig.h. */
#include "stopsig.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_requested, interrupted, terminated;

static void on_stop(int sig)
{
	if (sig == SIGINT)
		interrupted = 1;
	else
		terminated = 1;
	stop_requested = 1;
}

void stopsig_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool stopsig_requested(void)
{
	return stop_requested != 0;
}

bool stopsig_take_interrupt(void)
{
	if (!interrupted || terminated)
		return false;
	interrupted = 0;
	stop_requested = 0;
	if (terminated) /* a SIGTERM / SIGHUP in between still stops */
		stop_requested = 1;
	return !stop_requested;
}
