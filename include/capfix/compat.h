/*
 * compat.h - common includes and small macros shared by every capfix module.
 */
#ifndef CAPFIX_COMPAT_H
#define CAPFIX_COMPAT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CF_NORETURN _Noreturn

/* Programmer error: print where and abort (exit status 134). */
#define CF_BUG(msg) cf_bug(__FILE__, __LINE__, msg)
CF_NORETURN void cf_bug(const char *file, int line, const char *msg);

/*
 * Allocation that cannot fail: on out-of-memory these print one line to
 * stderr and abort, as git's xmalloc does. They never return NULL.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Overflow-checked size arithmetic; a BUG on overflow. */
size_t cf_st_add(size_t a, size_t b);
size_t cf_st_mult(size_t a, size_t b);

/* Grow an array of *alloc elements so that it holds at least nr. */
#define CF_ALLOC_GROW(x, nr, alloc)                                                                \
	do {                                                                                       \
		if ((nr) > (alloc)) {                                                              \
			size_t cf_new_ = (alloc) < 8 ? 8 : (alloc)*2;                              \
			if (cf_new_ < (nr))                                                        \
				cf_new_ = (nr);                                                    \
			(x) = xrealloc((x), cf_st_mult(cf_new_, sizeof(*(x))));                    \
			(alloc) = cf_new_;                                                         \
		}                                                                                  \
	} while (0)

#include "capfix/banned.h"

#endif
