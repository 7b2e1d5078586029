/*
 * tarread.c - tar archives in memory, gzip inflation and vfs_cap_data.
 * See tarread.h. Formats: POSIX.1-2001 pax (IEEE Std 1003.1 "pax"
 * extended header), GNU tar's manual ("Basic Tar Format", long names),
 * linux include/uapi/linux/capability.h for vfs_cap_data.
 */
#include "capfix/tarread.h"

#include <ctype.h>
#ifdef CAPFIX_HAVE_ZLIB
#include <zlib.h>
#endif

#define BLK 512
#define PAX_MAX ((uint64_t)1 << 20) /* one extended header */

#define VFS_CAP_REVISION_MASK 0xFF000000u
#define VFS_CAP_FLAGS_EFFECTIVE 0x000001u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int tarread_vfscap(const unsigned char *v, size_t n, struct tarread_vfscap *out)
{
	uint32_t magic;

	memset(out, 0, sizeof(*out));
	if (!v || n < 4)
		return -1;
	magic = le32(v);
	switch (magic & VFS_CAP_REVISION_MASK) {
	case 0x01000000u:
		if (n != 12)
			return -1;
		out->revision = 1;
		out->permitted = le32(v + 4);
		out->inheritable = le32(v + 8);
		break;
	case 0x02000000u:
	case 0x03000000u:
		if (n != ((magic & VFS_CAP_REVISION_MASK) == 0x02000000u ? 20u : 24u))
			return -1;
		out->revision = (magic & VFS_CAP_REVISION_MASK) == 0x02000000u ? 2 : 3;
		out->permitted = (uint64_t)le32(v + 4) | (uint64_t)le32(v + 12) << 32;
		out->inheritable = (uint64_t)le32(v + 8) | (uint64_t)le32(v + 16) << 32;
		if (out->revision == 3) {
			out->has_rootid = true;
			out->rootid = le32(v + 20);
		}
		break;
	default:
		return -1;
	}
	if (magic & ~(VFS_CAP_REVISION_MASK | VFS_CAP_FLAGS_EFFECTIVE))
		return -1;
	out->effective = (magic & VFS_CAP_FLAGS_EFFECTIVE) != 0;
	return 0;
}

static void seterr(char *err, size_t size, const char *fmt, ...) CF_PRINTF(3, 4);
static void seterr(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!err || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

/* A numeric header field: octal (NUL/space terminated) or GNU base-256. */
static bool num_field(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n && (f[0] & 0x80)) {
		if (f[0] & 0x40)
			return false; /* negative */
		v = f[0] & 0x3f;
		for (i = 1; i < n; i++) {
			if (v >> 55)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return false;
	*out = v;
	return true;
}

static bool checksum_ok(const unsigned char *h)
{
	uint64_t want;
	unsigned long u = 0;
	long s = 0;
	size_t i;

	if (!num_field(h + 148, 8, &want))
		return false;
	for (i = 0; i < BLK; i++) {
		unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];

		u += c;
		s += (signed char)c;
	}
	return want == u || (long)want == s;
}

static bool zero_block(const unsigned char *h)
{
	size_t i;

	for (i = 0; i < BLK; i++)
		if (h[i])
			return false;
	return true;
}

bool tarread_is_tar(const unsigned char *buf, size_t len)
{
	if (len < BLK)
		return false;
	if (!memcmp(buf + 257, "ustar", 5))
		return checksum_ok(buf);
	return !zero_block(buf) && checksum_ok(buf);
}

bool tarread_is_gzip(const unsigned char *buf, size_t len)
{
	return len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
}

/* Copy @n bytes of @s (up to a NUL) into @dst with leading "./" and "/" removed. */
static bool set_path(char *dst, size_t size, const char *s, size_t n)
{
	size_t m;

	m = strnlen(s, n);
	for (;;) {
		if (m >= 2 && s[0] == '.' && s[1] == '/') {
			s += 2;
			m -= 2;
		} else if (m >= 1 && s[0] == '/') {
			s++;
			m--;
		} else {
			break;
		}
	}
	while (m > 0 && s[m - 1] == '/')
		m--; /* directories: "usr/" */
	if (m == 1 && s[0] == '.')
		m = 0;
	if (m >= size)
		return false;
	memcpy(dst, s, m);
	dst[m] = '\0';
	return true;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 @s (@n bytes; padding optional) into @out (at most @size bytes); length or -1. */
static long b64dec(const char *s, size_t n, unsigned char *out, size_t size)
{
	uint32_t acc = 0;
	int bitsn = 0;
	size_t i, o = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bitsn += 6;
		if (bitsn >= 8) {
			bitsn -= 8;
			if (o >= size)
				return -1;
			out[o++] = (unsigned char)(acc >> bitsn);
		}
	}
	return (long)o;
}

struct pending {
	char path[TARREAD_PATH_MAX], link[TARREAD_PATH_MAX];
	bool has_path, has_link, has_size, binary;
	uint64_t size;
	unsigned char cap[32];
	size_t caplen;
	bool has_cap;
};

/* Apply the records of a PAX extended header to @p. */
static int pax_parse(const unsigned char *d, size_t n, struct pending *p, char *err, size_t es)
{
	size_t off = 0;

	while (off < n) {
		size_t i = off, reclen = 0, k, ve;
		const char *key, *val;

		if (d[off] == '\0')
			break; /* padding */
		while (i < n && isdigit(d[i]) && reclen < PAX_MAX)
			reclen = reclen * 10 + (size_t)(d[i++] - '0');
		if (i == off || i >= n || d[i] != ' ' || reclen <= i - off + 1 ||
		    reclen > n - off || d[off + reclen - 1] != '\n') {
			seterr(err, es, "malformed pax record at byte %zu", off);
			return -1;
		}
		key = (const char *)d + i + 1;
		for (k = i + 1; k < off + reclen - 1 && d[k] != '='; k++)
			;
		if (k >= off + reclen - 1) {
			seterr(err, es, "pax record without '='");
			return -1;
		}
		val = (const char *)d + k + 1;
		ve = off + reclen - 1 - (k + 1); /* value length, without the newline */
#define KEYIS(s) ((size_t)((const char *)d + k - key) == strlen(s) && !memcmp(key, s, strlen(s)))
		if (KEYIS("path")) {
			if (!set_path(p->path, sizeof(p->path), val, ve)) {
				seterr(err, es, "pax path too long");
				return -1;
			}
			p->has_path = true;
		} else if (KEYIS("linkpath")) {
			if (ve >= sizeof(p->link)) {
				seterr(err, es, "pax linkpath too long");
				return -1;
			}
			memcpy(p->link, val, ve);
			p->link[ve] = '\0';
			p->has_link = true;
		} else if (KEYIS("size")) {
			uint64_t v = 0;
			size_t j;

			for (j = 0;
			     j < ve && isdigit((unsigned char)val[j]) && v < ((uint64_t)1 << 56);
			     j++)
				v = v * 10 + (uint64_t)(val[j] - '0');
			if (j != ve || !ve) {
				seterr(err, es, "bad pax size");
				return -1;
			}
			p->size = v;
			p->has_size = true;
		} else if (KEYIS("hdrcharset")) {
			p->binary = ve == 6 && !memcmp(val, "BINARY", 6);
		} else if (KEYIS("SCHILY.xattr.security.capability")) {
			if (ve <= sizeof(p->cap)) {
				memcpy(p->cap, val, ve);
				p->caplen = ve;
				p->has_cap = true;
			}
		} else if (KEYIS("LIBARCHIVE.xattr.security.capability")) {
			long m = b64dec(val, ve, p->cap, sizeof(p->cap));

			if (m >= 0) {
				p->caplen = (size_t)m;
				p->has_cap = true;
			}
		}
#undef KEYIS
		off += reclen;
	}
	return 0;
}

int tarread_each(const unsigned char *buf, size_t len, tarread_fn fn, void *ctx, char *err,
		 size_t errsize)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	char *path = xmalloc(TARREAD_PATH_MAX), *link = xmalloc(TARREAD_PATH_MAX);
	size_t off = 0;
	int rc = 0;

	while (off + BLK <= len) {
		const unsigned char *h = buf + off;
		uint64_t size, mode, uid;
		struct tarread_entry e;
		char type;
		size_t datalen, padded;

		if (zero_block(h))
			break;
		if (!checksum_ok(h)) {
			seterr(err, errsize, "tar header checksum mismatch at byte %zu", off);
			rc = -1;
			break;
		}
		if (!num_field(h + 124, 12, &size) || !num_field(h + 100, 8, &mode) ||
		    !num_field(h + 108, 8, &uid)) {
			seterr(err, errsize, "bad tar header field at byte %zu", off);
			rc = -1;
			break;
		}
		type = (char)(h[156] ? h[156] : '0');
		if (p->has_size && type != 'x' && type != 'g' && type != 'L' && type != 'K')
			size = p->size;
		if (size > len - off - BLK) {
			seterr(err, errsize, "tar member at byte %zu runs past the end", off);
			rc = -1;
			break;
		}
		datalen = (size_t)size;
		padded = datalen + (BLK - datalen % BLK) % BLK;
		if (padded > len - off - BLK)
			padded = len - off - BLK;
		if (type == 'x' || type == 'g') {
			if (size > PAX_MAX) {
				seterr(err, errsize, "pax header too large");
				rc = -1;
				break;
			}
			if (type == 'x' && pax_parse(h + BLK, datalen, p, err, errsize)) {
				rc = -1;
				break;
			}
			off += BLK + padded;
			continue;
		}
		if (type == 'L' || type == 'K') {
			if (size >= TARREAD_PATH_MAX) {
				seterr(err, errsize, "GNU long name too long");
				rc = -1;
				break;
			}
			if (type == 'L') {
				if (!set_path(p->path, sizeof(p->path), (const char *)h + BLK,
					      datalen)) {
					rc = -1;
					break;
				}
				p->has_path = true;
			} else {
				size_t m = strnlen((const char *)h + BLK, datalen);

				memcpy(p->link, h + BLK, m);
				p->link[m] = '\0';
				p->has_link = true;
			}
			off += BLK + padded;
			continue;
		}
		if (p->has_path) {
			memcpy(path, p->path, strlen(p->path) + 1);
		} else {
			char full[256 + 2];
			size_t pl = 0, nl;

			if (!memcmp(h + 257, "ustar", 5) && h[345]) {
				pl = strnlen((const char *)h + 345, 155);
				memcpy(full, h + 345, pl);
				full[pl++] = '/';
			}
			nl = strnlen((const char *)h, 100);
			memcpy(full + pl, h, nl);
			set_path(path, TARREAD_PATH_MAX, full, pl + nl);
		}
		if (p->has_link) {
			memcpy(link, p->link, strlen(p->link) + 1);
		} else {
			size_t ll = strnlen((const char *)h + 157, 100);

			memcpy(link, h + 157, ll);
			link[ll] = '\0';
		}
		memset(&e, 0, sizeof(e));
		e.path = path;
		e.linkname = link;
		e.type = type;
		e.mode = (unsigned)(mode & 07777);
		e.uid = (long long)uid;
		if (type == '0' || type == '7' || type == '\0') {
			e.type = '0';
			e.data = h + BLK;
			e.size = size;
		}
		if (p->has_cap && !tarread_vfscap(p->cap, p->caplen, &e.cap)) {
			e.has_cap = true;
			e.cap_binary = p->binary;
		}
		rc = fn(&e, ctx);
		memset(p, 0, sizeof(*p));
		if (rc) {
			if (rc > 0)
				rc = 0;
			else if (err && !err[0])
				seterr(err, errsize, "stopped at %s", path);
			break;
		}
		/* directories, links and devices carry no data (a size there is skipped) */
		off += BLK + padded;
	}
	free(p);
	free(path);
	free(link);
	return rc;
}

bool tarread_have_gzip(void)
{
#ifdef CAPFIX_HAVE_ZLIB
	return true;
#else
	return false;
#endif
}

int tarread_gunzip(const unsigned char *in, size_t n, size_t max, struct sbuf *out, char *err,
		   size_t errsize)
{
#ifdef CAPFIX_HAVE_ZLIB
	z_stream z;
	int zr;

	out->len = 0;
	if (n > 0xffffffffu) {
		seterr(err, errsize, "gzip stream larger than 4 GiB");
		return -1;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		seterr(err, errsize, "zlib: inflateInit2 failed");
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	for (;;) {
		size_t room;
		uInt before;

		if (out->len > max) {
			seterr(err, errsize, "gzip stream inflates to more than %zu bytes", max);
			break;
		}
		sbuf_grow(out, (size_t)1 << 16);
		room = out->alloc - out->len - 1;
		if (room > 0x40000000u)
			room = 0x40000000u;
		z.next_out = (unsigned char *)out->buf + out->len;
		z.avail_out = before = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		out->len += before - z.avail_out;
		if (zr == Z_STREAM_END) {
			/* another gzip member may follow; trailing zeros are ignored, as gzip -d
			 * does */
			if (z.avail_in && tarread_is_gzip(z.next_in, z.avail_in)) {
				inflateReset(&z);
				continue;
			}
			if (out->len > max) {
				seterr(err, errsize, "gzip stream inflates to more than %zu bytes",
				       max);
				break;
			}
			inflateEnd(&z);
			out->buf[out->len] = '\0';
			return 0;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0) {
			seterr(err, errsize, "gzip stream truncated");
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			seterr(err, errsize, "gzip: %s", z.msg ? z.msg : "corrupt stream");
			break;
		}
	}
	inflateEnd(&z);
	out->len = 0;
	return -1;
#else
	(void)in;
	(void)n;
	(void)max;
	out->len = 0;
	seterr(err, errsize, "gzip-compressed layer: capfix was built without zlib");
	return -1;
#endif
}
