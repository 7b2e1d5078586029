/*
 * sbuf.h - a growable byte buffer (git's strbuf).
 *
 * Invariants: after sbuf_init() @buf may be NULL while @alloc is 0; once
 * anything was added @buf is NUL-terminated at @len and may hold NUL bytes.
 * Adding never fails (allocation failure aborts, see compat.h).
 */
#ifndef CAPFIX_SBUF_H
#define CAPFIX_SBUF_H

#include "capfix/compat.h"

struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define SBUF_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void sbuf_init(struct sbuf *sb);
/* Free the contents and re-initialise. Accepts a released buffer. */
void sbuf_release(struct sbuf *sb);

/*
 * A struct sbuf on the heap, made on first use in *@slot (which starts
 * NULL), and its disposal (NULL is fine): a worker's reusable read buffer
 * (pool.h's per-thread scratch, freed by sbuf_free()).
 */
struct sbuf *sbuf_scratch(void **slot);
void sbuf_free(void *sb);
/* Make room for @extra more bytes (plus the NUL). */
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, char c);
/* Append @n copies of @c. */
void sbuf_addchars(struct sbuf *sb, char c, size_t n);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) CF_PRINTF(2, 3);
/* Truncate to @len bytes (no-op when already shorter). */
void sbuf_setlen(struct sbuf *sb, size_t len);
/* Hand the buffer to the caller (never NULL; free() it) and re-initialise. */
char *sbuf_detach(struct sbuf *sb, size_t *len);
/* The contents as a C string; "" for an empty buffer. Borrowed. */
const char *sbuf_cstr(const struct sbuf *sb);

#endif
