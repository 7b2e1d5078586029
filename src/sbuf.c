#include "capfix/sbuf.h"

void sbuf_init(struct sbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->alloc = 0;
}

void sbuf_release(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}

void sbuf_grow(struct sbuf *sb, size_t extra)
{
	size_t need = cf_st_add(cf_st_add(sb->len, extra), 1);

	if (need > sb->alloc) {
		size_t n = sb->alloc < 64 ? 64 : sb->alloc;

		while (n < need)
			n = cf_st_mult(n, 2);
		sb->buf = xrealloc(sb->buf, n);
		sb->alloc = n;
	}
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
	sbuf_grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sbuf_addstr(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void sbuf_addchars(struct sbuf *sb, char c, size_t n)
{
	sbuf_grow(sb, n);
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	sbuf_grow(sb, 64);
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		CF_BUG("vsnprintf failed");
	if ((size_t)n >= sb->alloc - sb->len) {
		sbuf_grow(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *p;

	if (!sb->buf)
		sbuf_grow(sb, 0), sb->buf[0] = '\0';
	p = sb->buf;
	if (len)
		*len = sb->len;
	sbuf_init(sb);
	return p;
}

const char *sbuf_cstr(const struct sbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

struct sbuf *sbuf_scratch(void **slot)
{
	if (!*slot)
		*slot = xcalloc(1, sizeof(struct sbuf));
	return *slot;
}

void sbuf_free(void *sb)
{
	if (sb)
		sbuf_release(sb);
	free(sb);
}
