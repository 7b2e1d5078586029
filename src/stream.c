#include "capfix/stream.h"

void stream_feed(struct stream_split *d, const char *data, size_t len)
{
	sbuf_add(&d->pending, data, len);
}

size_t stream_count_lines(const char *buf, size_t len)
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
static int marker_at(const char *s, size_t left, bool eof)
{

	if (left < 3)
		return eof ? 0 : -1; /* not decidable yet */
	if (s[0] != '-' || s[1] != '-' || s[2] != '-')
		return 0;
	if (left == 3)
		return eof ? 1 : -1;
	return s[3] == ' ' || s[3] == '\t' || s[3] == '\n' || s[3] == '\r';
}

bool stream_next(struct stream_split *d, struct sbuf *piece, size_t *first_line, bool eof)
{
	struct sbuf *b = &d->pending;
	const char *base = b->buf + d->start; /* the bytes not returned yet */
	size_t len = b->len - d->start;
	size_t pos = d->scanned, cut = 0;
	bool found = false;

	/* look for a marker at the start of a line after the piece's own first line */
	while (pos < len) {
		const char *nl;
		int m;

		if (pos > 0 && base[pos - 1] == '\n') {
			m = marker_at(base + pos, len - pos, eof);
			if (m < 0)
				break; /* wait for more input */
			if (m > 0) {
				cut = pos;
				found = true;
				break;
			}
		}
		nl = memchr(base + pos, '\n', len - pos);
		if (!nl) {
			pos = len;
			break;
		}
		pos = (size_t)(nl - base) + 1;
	}
	if (!found) {
		if (!eof || !len) {
			/*
			 * No complete piece: move what is left to the front, once per
			 * call that waits for input (not once per piece returned).
			 */
			if (d->start) {
				memmove(b->buf, base, len);
				sbuf_setlen(b, len);
				d->start = 0;
			}
			d->scanned =
				pos; /* a line start there is re-examined when more input arrives */
			return false;
		}
		cut = len;
	}
	sbuf_setlen(piece, 0);
	sbuf_add(piece, base, cut);
	*first_line = d->line;
	d->line += stream_count_lines(base, cut);
	d->start += cut;
	d->scanned = 0;
	return true;
}

void stream_release(struct stream_split *d)
{
	sbuf_release(&d->pending);
	d->start = 0;
	d->scanned = 0;
	d->line = 0;
}
