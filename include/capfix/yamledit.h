/*
 * yamledit.h - byte-range edits applied in one pass.
 *
 * An edit replaces source bytes [start, end) with new text; start == end is
 * an insertion. Edits are collected in any order, then applied in one
 * forward pass that copies every other byte verbatim. Insertions at the
 * same offset keep the order in which they were added.
 *
 * Ownership: a struct yedits owns copies of the edit texts; release it with
 * yamledit_release().
 */
#ifndef CAPFIX_YAMLEDIT_H
#define CAPFIX_YAMLEDIT_H

#include "capfix/compat.h"
#include "capfix/sbuf.h"

struct yedit {
	size_t start, end;
	char *text;
	size_t len;
	size_t seq; /* order of addition, for stable sorting */
};

struct yedits {
	struct yedit *v;
	size_t n, alloc;
};

#define YEDITS_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Queue replacing [start, end) by @text (@len bytes, copied). Can't fail. */
void yamledit_add(struct yedits *e, size_t start, size_t end, const char *text, size_t len);

/* Queue an insertion of the C string @text at @pos. Can't fail. */
void yamledit_insert(struct yedits *e, size_t pos, const char *text);

/*
 * Apply the queued edits to @buf (@len bytes) and append the result to @out.
 * Returns 0 on success. Returns -1 (CF_E_EDIT recorded, @out unchanged)
 * when an edit lies outside the buffer or two edits overlap (an insertion
 * strictly inside a replaced range counts as overlapping).
 */
int yamledit_apply(struct yedits *e, const char *buf, size_t len, struct sbuf *out);

/* Free the queued edits and re-initialise. */
void yamledit_release(struct yedits *e);

#endif
