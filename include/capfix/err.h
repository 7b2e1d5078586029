/*
 * err.h - the last error of the calling thread, set by core modules.
 *
 * Core modules never print or exit. A failing function records a message
 * with cf_err() and returns its negative result; the command layer reads
 * cf_err_last() and decides what to print and which exit code to use.
 */
#ifndef CAPFIX_ERR_H
#define CAPFIX_ERR_H

#include "capfix/compat.h"

enum cf_err_class {
	CF_E_NONE = 0,
	CF_E_USAGE, /* bad arguments */
	CF_E_INPUT, /* unreadable or invalid input */
	CF_E_EDIT, /* an edit could not be made or verified */
	CF_E_WRITE, /* a file or git object could not be written */
	CF_E_SYSTEM, /* anything else from the OS or a library */
	CF_E_INTERRUPTED, /* a signal asked capfix to stop: nothing more was written */
};

struct cf_error {
	enum cf_err_class cls;
	char msg[1024];
};

/*
 * Record an error of class @cls with a printf-style message and return -1,
 * so callers can write `return cf_err(CF_E_INPUT, "...", ...);`.
 * The message replaces the previous one. This function can't fail (a long
 * message is truncated).
 */
int cf_err(enum cf_err_class cls, const char *fmt, ...) CF_PRINTF(2, 3);

/* The calling thread's last error; borrowed, valid until the next cf_err(). */
const struct cf_error *cf_err_last(void);

/* Forget the last error. This function can't fail. */
void cf_err_clear(void);

#endif
