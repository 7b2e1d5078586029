/*
 * trace_int.h - what trace.c (the set, matching, semantics) and
 * traceload.c (the five formats) share: the set's layout and its string
 * interning. Not part of the API; trace.h is.
 */
#ifndef CAPFIX_TRACE_INT_H
#define CAPFIX_TRACE_INT_H

#include "capfix/trace.h"

/* kernel capability numbers the semantics name */
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_SETPCAP 8
#define CAP_SYS_ADMIN 21

struct trace_set {
	struct trace_event *ev;
	size_t nev, alloc;
	struct trace_file_info *files;
	size_t nfiles, falloc;
	char **str; /* open addressing hash of interned strings */
	size_t nstr, salloc;
};

/* @v interned in @s (NULL and "" give NULL); the string lives as long as @s. */
const char *trace_intern(struct trace_set *s, const char *v);

#endif
