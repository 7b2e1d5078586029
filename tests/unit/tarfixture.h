/*
 * tarfixture.h - tar archives written by the unit tests (test_tarread.c,
 * test_imagemeta.c): ustar headers, PAX records, members, vfs_cap_data
 * values for file capabilities, gzip through the gzip command. Header-only
 * (static inline) so that each test takes what it uses.
 */
#ifndef CAPFIX_TEST_TARFIXTURE_H
#define CAPFIX_TEST_TARFIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfix/sbuf.h"

/* One PAX record "LEN KEY=VALUE\n" appended to @pax. */
static inline void fx_pax(struct sbuf *pax, const char *key, const void *val, size_t vlen)
{
	size_t base = strlen(key) + vlen + 3, len = base + 1, d;
	char num[32];

	/* the length counts its own digits */
	for (;;) {
		d = (size_t)snprintf(num, sizeof(num), "%zu", len);
		if (base + d == len)
			break;
		len = base + d;
	}
	sbuf_add(pax, num, d);
	sbuf_add(pax, " ", 1);
	sbuf_add(pax, key, strlen(key));
	sbuf_add(pax, "=", 1);
	sbuf_add(pax, val, vlen);
	sbuf_add(pax, "\n", 1);
}

static inline void fx_header(struct sbuf *t, const char *name, char type, const char *link,
			     size_t size, unsigned mode)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0u);
	snprintf((char *)h + 116, 8, "%07o", 0u);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size & 077777777777ULL);
	snprintf((char *)h + 136, 12, "%011o", 0u);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	sbuf_add(t, h, 512);
}

static inline void fx_pad(struct sbuf *t, size_t n)
{
	static const char zero[512];

	if (n % 512)
		sbuf_add(t, zero, 512 - n % 512);
}

/* A member (with a PAX header first when @pax is non-empty). */
static inline void fx_add(struct sbuf *t, const char *name, char type, const char *link,
			  const void *data, size_t n, const struct sbuf *pax)
{
	if (pax && pax->len) {
		fx_header(t, "PaxHeaders/x", 'x', NULL, pax->len, 0644);
		sbuf_add(t, pax->buf, pax->len);
		fx_pad(t, pax->len);
	}
	fx_header(t, name, type, link, type == '0' ? n : 0, type == '5' ? 0755 : 0644);
	if (type == '0' && n) {
		sbuf_add(t, data, n);
		fx_pad(t, n);
	}
}

static inline void fx_file(struct sbuf *t, const char *name, const char *text)
{
	fx_add(t, name, '0', NULL, text, strlen(text), NULL);
}

static inline void fx_end(struct sbuf *t)
{
	static const char zero[1024];

	sbuf_add(t, zero, sizeof(zero));
}

static inline void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A vfs_cap_data value: revision 2 or 3, @perm permitted, effective flag. Returns its length. */
static inline size_t fx_vfscap(unsigned char *out, int rev, uint64_t perm, bool eff,
			       uint32_t rootid)
{
	put_le32(out, (rev == 3 ? 0x03000000u : 0x02000000u) | (eff ? 1u : 0u));
	put_le32(out + 4, (uint32_t)perm);
	put_le32(out + 8, 0);
	put_le32(out + 12, (uint32_t)(perm >> 32));
	put_le32(out + 16, 0);
	if (rev == 3) {
		put_le32(out + 20, rootid);
		return 24;
	}
	return 20;
}

/* gzip @in with the gzip command (no zlib needed in the test); false when it can't. */
static inline bool fx_gzip(const struct sbuf *in, struct sbuf *out)
{
	char src[] = "/tmp/capfix-fx-XXXXXX";
	char cmd[128];
	int fd = mkstemp(src);
	FILE *f;
	char buf[4096];
	size_t n;
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, in->buf, in->len) == (ssize_t)in->len;
	close(fd);
	snprintf(cmd, sizeof(cmd), "gzip -c -n %s", src);
	f = ok ? popen(cmd, "r") : NULL;
	out->len = 0;
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(out, buf, n);
	ok = f && pclose(f) == 0 && out->len > 0;
	unlink(src);
	return ok;
}

#endif
