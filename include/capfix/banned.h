/*
 * banned.h - functions capfix must not use (git's banned.h idea): each use
 * becomes a compile error naming the function.
 *
 * Use instead: sbuf (include/capfix/sbuf.h) or snprintf for building strings,
 * memcpy with a known length for copies, explicit scanning (strchr, strspn,
 * strcspn) for splitting, gmtime_r/localtime_r and strftime for times.
 *
 * The macros are function-like, so they only fire on a call: `strcpy(`. The
 * headers that declare these functions are included first, so that their
 * declarations (and glibc's fortified inline versions) are seen before the
 * macros exist; a system header included after this one (pthread.h and
 * git2.h include time.h) then finds its include guard set and declares
 * nothing again.
 */
#ifndef CAPFIX_BANNED_H
#define CAPFIX_BANNED_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CF_BANNED(func) sorry_##func##_is_a_banned_function

/* unbounded or silently truncating copies: sbuf, xstrdup, memcpy */
#undef strcpy
#define strcpy(x, y) CF_BANNED(strcpy)
#undef strcat
#define strcat(x, y) CF_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) CF_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) CF_BANNED(strncat)

/* unbounded formatting: snprintf, sbuf_addf */
#undef sprintf
#define sprintf(...) CF_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CF_BANNED(vsprintf)

/* hidden state (strtok), and writes into the string being split (both) */
#undef strtok
#define strtok(x, y) CF_BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) CF_BANNED(strtok_r)

/* static result buffers, not thread-safe (the -j workers): gmtime_r, localtime_r, strftime */
#undef gmtime
#define gmtime(t) CF_BANNED(gmtime)
#undef localtime
#define localtime(t) CF_BANNED(localtime)
#undef ctime
#define ctime(t) CF_BANNED(ctime)
#undef ctime_r
#define ctime_r(t, buf) CF_BANNED(ctime_r)
#undef asctime
#define asctime(t) CF_BANNED(asctime)
#undef asctime_r
#define asctime_r(t, buf) CF_BANNED(asctime_r)

#endif
