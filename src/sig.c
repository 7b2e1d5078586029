#include "capfix/sig.h"
#include "capfix/fsutil.h"

#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int signo)
{
	if (!stop)
		stop = signo;
}

void sig_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* reads and writes go on; the flag is checked at renames */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	fsutil_set_stop_flag(&stop);
}

int sig_pending(void)
{
	return stop;
}

volatile sig_atomic_t *sig_flag(void)
{
	return &stop;
}

void sig_raise_flag(int signo)
{
	stop = signo;
}
