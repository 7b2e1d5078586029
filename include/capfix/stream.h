/*
 * stream.h - cutting a multi-document YAML stream into documents as it
 * arrives, so that memory grows with the largest document, not with the
 * stream (helm template output, kubectl get -o yaml, a post-renderer's stdin).
 *
 * A document starts at a line beginning with `---` followed by a blank, a
 * line break or the end (YAML forbids such a line inside any scalar, so the
 * cut never splits one). The bytes before the first marker form the first
 * piece. Pieces are returned verbatim, comments and empty documents
 * included: their concatenation is the input.
 *
 * Ownership: a struct docsplit owns its pending bytes; release it with
 * docsplit_release(). Nothing here can fail.
 */
#ifndef CAPFIX_STREAM_H
#define CAPFIX_STREAM_H

#include "capfix/sbuf.h"

struct docsplit {
	/*
	 * Bytes received: those from @start on are not returned yet. After
	 * docsplit_next() returns false, @start is 0: pending holds exactly
	 * the bytes not returned.
	 */
	struct sbuf pending;
	size_t start;
	size_t scanned; /* bytes after start already searched for a marker */
	size_t line; /* 0-based line number in the stream of the byte at start */
};

#define DOCSPLIT_INIT                                                                              \
	{                                                                                          \
		SBUF_INIT, 0, 0, 0                                                                 \
	}

/* Append @len bytes of input. */
void docsplit_feed(struct docsplit *d, const char *data, size_t len);

/*
 * Move the next complete piece into @piece (replacing its contents) and set
 * *@first_line to its 0-based line in the stream. A piece is complete when
 * the next marker has been seen, or, with @eof, at the end of the input.
 * Returns false when no complete piece is available yet.
 */
bool docsplit_next(struct docsplit *d, struct sbuf *piece, size_t *first_line, bool eof);

/* Number of line breaks in @len bytes of @buf. */
size_t docsplit_count_lines(const char *buf, size_t len);

void docsplit_release(struct docsplit *d);

#endif
