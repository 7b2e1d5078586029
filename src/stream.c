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

/* The kind of the complete line [s, e) (without its '\n'): a directive, a comment or blank, other.
 */
enum line_kind { LINE_DIRECTIVE, LINE_QUIET, LINE_OTHER };

static enum line_kind line_kind(const char *s, const char *e)
{
	if (s < e && *s == '%')
		return LINE_DIRECTIVE;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	return s == e || *s == '#' ? LINE_QUIET : LINE_OTHER;
}

/*
 * Where the document whose marker line starts at @pos (> 0, a line start)
 * of @base begins: at the first of the directive lines before the marker
 * (comments and blank lines may come between them), else at the marker.
 * !@first_is_line: the bytes before the first '\n' continue a line.
 */
static size_t document_start(const char *base, size_t pos, bool first_is_line)
{
	size_t start = pos, line_end = pos;

	while (line_end > 0) {
		size_t s = line_end - 1; /* the '\n' ending the line before */
		enum line_kind k;

		while (s > 0 && base[s - 1] != '\n')
			s--;
		if (!s && !first_is_line)
			break; /* the rest of a line whose start was taken */
		k = line_kind(base + s, base + line_end - 1);
		if (k == LINE_OTHER)
			break;
		if (k == LINE_DIRECTIVE)
			start = s;
		line_end = s;
	}
	return start;
}

bool stream_next(struct stream_split *d, struct sbuf *piece, size_t *first_line, bool eof)
{
	struct sbuf *b = &d->pending;
	const char *base = b->buf + d->start; /* the bytes not returned yet */
	size_t len = b->len - d->start;
	size_t pos = d->scanned, cut = 0;
	bool found = false;

	/*
	 * Look for a marker at the start of a line after the piece's own first
	 * line (or at its first line, when its beginning was taken already).
	 */
	while (pos < len) {
		const char *nl;
		int m;

		if (pos > 0 ? base[pos - 1] == '\n' : d->taken_nl) {
			m = marker_at(base + pos, len - pos, eof);
			if (m < 0)
				break; /* wait for more input */
			if (m > 0) {
				cut = pos ? document_start(base, pos, !d->taken || d->taken_nl) : 0;
				/* directives at the piece's start lead its own marker */
				if (cut || d->taken) {
					found = true;
					break;
				}
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
		if (!eof || (!len && !d->taken)) {
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
	d->taken = false;
	d->taken_nl = false;
	return true;
}

size_t stream_take(struct stream_split *d, struct sbuf *chunk)
{
	struct sbuf *b = &d->pending;
	size_t n = d->scanned, ls = n;

	/* the line being searched: taken too, unless it may be a directive */
	while (ls > 0 && b->buf[ls - 1] != '\n')
		ls--;
	if (ls < n && b->buf[ls] == '%')
		n = ls;
	/* whole lines end here: keep directives that may lead the next document */
	if (n == ls && n > 0)
		n = document_start(b->buf, n, !d->taken || d->taken_nl);
	if (!n)
		return 0;
	sbuf_add(chunk, b->buf, n);
	d->line += stream_count_lines(b->buf, n);
	d->taken = true;
	d->taken_nl = b->buf[n - 1] == '\n';
	memmove(b->buf, b->buf + n, b->len - n);
	sbuf_setlen(b, b->len - n);
	d->scanned -= n;
	return n;
}

void stream_release(struct stream_split *d)
{
	sbuf_release(&d->pending);
	d->start = 0;
	d->scanned = 0;
	d->line = 0;
	d->taken = false;
	d->taken_nl = false;
}
