/*
 * stream.h - cutting a multi-document YAML stream into documents as it
 * arrives, so that memory grows with the largest document, not with the
 * stream (helm template output, kubectl get -o yaml, a post-renderer's stdin).
 *
 * A document starts at a line beginning with `---` followed by a blank, a
 * line break or the end (YAML forbids such a line inside any scalar, so the
 * cut never splits one). Directive lines (`%YAML`, `%TAG`: a line starting
 * with `%`) right before a marker, with the comments and blank lines among
 * them, belong to the marker's document, as YAML requires (a `%` at the
 * start of a line is content only in a top-level scalar written at
 * indentation 0, never in a mapping or sequence document). The bytes before
 * the first cut form the first piece. Pieces are returned verbatim,
 * comments and empty documents included: their concatenation is the input.
 *
 * A document larger than the caller will hold can be taken in chunks
 * (stream_take()) as its bytes arrive: memory then stays bounded by the
 * chunk, whatever the document's size.
 *
 * Ownership: a struct stream_split owns its pending bytes; release it with
 * stream_release(). Nothing here can fail.
 */
#ifndef CAPFIX_STREAM_H
#define CAPFIX_STREAM_H

#include "capfix/sbuf.h"

struct stream_split {
	/*
	 * Bytes received: those from @start on are not returned yet. After
	 * stream_next() returns false, @start is 0: pending holds exactly
	 * the bytes not returned.
	 */
	struct sbuf pending;
	size_t start;
	size_t scanned; /* bytes after start already searched for a marker */
	size_t line; /* 0-based line number in the stream of the byte at start */
	bool taken; /* the current piece's beginning was taken by stream_take() */
	bool taken_nl; /* ... and it ended with a line break */
};

#define STREAM_SPLIT_INIT                                                                          \
	{                                                                                          \
		SBUF_INIT, 0, 0, 0, false, false                                                   \
	}

/* Append @len bytes of input. */
void stream_feed(struct stream_split *d, const char *data, size_t len);

/*
 * Move the next complete piece into @piece (replacing its contents) and set
 * *@first_line to its 0-based line in the stream. A piece is complete when
 * the next marker has been seen, or, with @eof, at the end of the input.
 * Returns false when no complete piece is available yet.
 */
bool stream_next(struct stream_split *d, struct sbuf *piece, size_t *first_line, bool eof);

/*
 * After stream_next() returned false: move the bytes of the current piece
 * known to be in it (searched, and no directive that may lead the next
 * document) to the end of @chunk and return their number (0: none yet).
 * The piece's next bytes come from the following calls, its rest from
 * stream_next(), which may then be empty; *first_line is the line of that
 * rest.
 */
size_t stream_take(struct stream_split *d, struct sbuf *chunk);

/* Number of line breaks in @len bytes of @buf. */
size_t stream_count_lines(const char *buf, size_t len);

void stream_release(struct stream_split *d);

#endif
