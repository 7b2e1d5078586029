/*
 * sig.h - SIGINT, SIGTERM and SIGHUP as a request to stop.
 *
 * The command layer calls sig_install() once; from then on those signals
 * only set a flag (the first signal wins). The run engine and fsutil look at
 * the flag before each rename: no file is replaced after a signal, the
 * temporary file in flight is removed, and the backout patch covers exactly
 * the files written. The command then exits 128 + the signal's number (130,
 * 143, 129), as shells report a process killed by it.
 *
 * SIGKILL cannot be caught: see fsutil.h for the temporary file names the
 * next run removes, and fixrun.h for what the backout patch then holds.
 */
#ifndef CAPFIX_SIG_H
#define CAPFIX_SIG_H

#include <signal.h>

/* Install the handlers and hand the flag to fsutil. Can't fail usefully. */
void sig_install(void);

/* The signal that asked to stop, or 0. */
int sig_pending(void);

/* The flag itself (0, or the signal number), for fsutil_set_stop_flag(). */
volatile sig_atomic_t *sig_flag(void);

/* Test builds: pretend @signo arrived (0 clears). */
void sig_raise_flag(int signo);

#endif
