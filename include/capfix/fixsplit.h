/*
 * fixsplit.h - the fix of a large multi-document file, one document at a
 * time, so that memory follows the largest document, not the number of
 * documents (a file of ten million `---` lines would otherwise hold ten
 * million parsed documents at once).
 *
 * The file is cut with the stream splitter (stream.h: at `---` lines,
 * directives kept with their document), each piece goes through
 * fix_buffer() on its own, and the results are merged into one: the output
 * is the concatenation of the pieces (fixed or as they were), counts are
 * summed, and every position (notes, report items, an error) is moved to
 * its line in the file. Documents are independent in YAML (anchors do not
 * cross them), so the result is what fix_buffer() gives for the whole file.
 *
 * Ownership and failure: as fix_buffer(); on the first piece that fails,
 * -1 with @res->status and @res->err (at the file's line) set and no
 * output.
 */
#ifndef CAPFIX_FIXSPLIT_H
#define CAPFIX_FIXSPLIT_H

#include "capfix/fix.h"

/* Files from this size on are fixed one document at a time. */
#define FIXSPLIT_MIN_SIZE ((size_t)4 << 20)

/*
 * fix_buffer(@res, @buf, @len, @opts), one document at a time when @len is
 * at least @min_size (FIXSPLIT_MIN_SIZE) and the input is YAML with more
 * than one document; otherwise fix_buffer() itself.
 */
int fixsplit_buffer(struct fix_result *res, const char *buf, size_t len,
		    const struct fix_opts *opts, size_t min_size);

#endif
