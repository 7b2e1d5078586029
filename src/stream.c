#include "capfix/stream.h"

void docsplit_feed(struct docsplit *d, const char *data, size_t len)
{
	sbuf_add(&d->pending, data, len);
}

size_t docsplit_count_lines(const char *buf, size_t len)
{
	size_t n = 0;
	const char *p = buf, *end = buf + len;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Is there a document marker at @pos (the start of a line) of @b? Needs 4 bytes or the end. */
static int marker_at(const struct sbuf *b, size_t pos, bool eof)
{
	const char *s = b->buf + pos;
	size_t left = b->len - pos;

	if (left < 3)
		return eof ? 0 : -1; /* not decidable yet */
	if (s[0] != '-' || s[1] != '-' || s[2] != '-')
		return 0;
	if (left == 3)
		return eof ? 1 : -1;
	return s[3] == ' ' || s[3] == '\t' || s[3] == '\n' || s[3] == '\r';
}

bool docsplit_next(struct docsplit *d, struct sbuf *piece, size_t *first_line, bool eof)
{
	struct sbuf *b = &d->pending;
	size_t pos = d->scanned, cut = 0;
	bool found = false;

	/* look for a marker at the start of a line after the piece's own first line */
	while (pos < b->len) {
		const char *nl;
		int m;

		if (pos > 0 && b->buf[pos - 1] == '\n') {
			m = marker_at(b, pos, eof);
			if (m < 0)
				break; /* wait for more input */
			if (m > 0) {
				cut = pos;
				found = true;
				break;
			}
		}
		nl = memchr(b->buf + pos, '\n', b->len - pos);
		if (!nl) {
			pos = b->len;
			break;
		}
		pos = (size_t)(nl - b->buf) + 1;
	}
	if (!found) {
		d->scanned = pos; /* a line start there is re-examined when more input arrives */
		if (!eof || !b->len)
			return false;
		cut = b->len;
	}
	sbuf_setlen(piece, 0);
	sbuf_add(piece, b->buf, cut);
	*first_line = d->line;
	d->line += docsplit_count_lines(b->buf, cut);
	memmove(b->buf, b->buf + cut, b->len - cut);
	sbuf_setlen(b, b->len - cut);
	d->scanned = 0;
	return true;
}

void docsplit_release(struct docsplit *d)
{
	sbuf_release(&d->pending);
	d->scanned = 0;
	d->line = 0;
}
