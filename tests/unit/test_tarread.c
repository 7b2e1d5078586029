/*
 * Unit tests for tarread.c: ustar, GNU long names, PAX records with file
 * capabilities in GNU tar's raw form, hdrcharset=BINARY and bsdtar's
 * base64; vfs_cap_data revisions; hostile archives; gzip (made with the
 * gzip command, skipped where it is missing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/tarread.h"

#include "tarfixture.h"

static int collect(const struct tarread_entry *e, void *ctx)
{
	struct sbuf *log = ctx;
	char line[600];

	snprintf(line, sizeof(line), "%c %s%s%s size=%llu cap=%d/%d/%llx/%lld\n", e->type, e->path,
		 e->linkname[0] ? " -> " : "", e->linkname, (unsigned long long)e->size,
		 e->has_cap ? e->cap.revision : 0, e->has_cap && e->cap.effective,
		 (unsigned long long)e->cap.permitted,
		 e->cap.has_rootid ? (long long)e->cap.rootid : -1LL);
	sbuf_add(log, line, strlen(line));
	return 0;
}

static void test_members_and_caps(void **state)
{
	struct sbuf t = SBUF_INIT, pax = SBUF_INIT, log = SBUF_INIT;
	unsigned char cap[24];
	size_t n;
	char err[256] = "", longname[300];

	(void)state;
	fx_add(&t, "./usr/", '5', NULL, NULL, 0, NULL);
	fx_file(&t, "./usr/bin/hello", "#!/bin/sh\necho hi\n");
	/* GNU tar: the raw bytes in the record */
	n = fx_vfscap(cap, 2, (uint64_t)1 << 13, true, 0);
	fx_pax(&pax, "SCHILY.xattr.security.capability", cap, n);
	fx_add(&t, "usr/bin/ping", '0', NULL, "ELF", 3, &pax);
	/* Python's tarfile: hdrcharset=BINARY first; revision 3 with a root id; bit 33 */
	pax.len = 0;
	fx_pax(&pax, "hdrcharset", "BINARY", 6);
	n = fx_vfscap(cap, 3, (uint64_t)1 << 33 | (uint64_t)1 << 10, false, 100000);
	fx_pax(&pax, "SCHILY.xattr.security.capability", cap, n);
	fx_add(&t, "usr/sbin/caddy", '0', NULL, "ELF", 3, &pax);
	/* bsdtar: base64 ("AQAAAgAEAAAAAAAAAAAAAAAAAAA=" = rev 2, effective, bit 10) */
	pax.len = 0;
	fx_pax(&pax, "LIBARCHIVE.xattr.security.capability", "AQAAAgAEAAAAAAAAAAAAAAAAAAA=", 28);
	fx_add(&t, "usr/bin/nginx", '0', NULL, "ELF", 3, &pax);
	/* a PAX path longer than 100 bytes, a GNU long name, links */
	memset(longname, 'a', 200);
	memcpy(longname, "opt/", 4);
	longname[200] = '\0';
	pax.len = 0;
	fx_pax(&pax, "path", longname, 200);
	fx_add(&t, "short", '0', NULL, "x", 1, &pax);
	fx_header(&t, "././@LongLink", 'L', NULL, 150, 0644);
	{
		char ln[512];

		memset(ln, 0, sizeof(ln));
		memset(ln, 'b', 150);
		sbuf_add(&t, ln, 512);
	}
	fx_add(&t, "trunc", '0', NULL, "y", 1, NULL);
	fx_add(&t, "bin/sh", '2', "dash", NULL, 0, NULL);
	fx_add(&t, "bin/ping2", '1', "usr/bin/ping", NULL, 0, NULL);
	fx_end(&t);

	assert_true(tarread_is_tar((const unsigned char *)t.buf, t.len));
	assert_int_equal(
		tarread_each((const unsigned char *)t.buf, t.len, collect, &log, err, sizeof(err)),
		0);
	{
		char want[2048];
		char b150[151];

		memset(b150, 'b', 150);
		b150[150] = '\0';
		snprintf(want, sizeof(want),
			 "5 usr size=0 cap=0/0/0/-1\n"
			 "0 usr/bin/hello size=18 cap=0/0/0/-1\n"
			 "0 usr/bin/ping size=3 cap=2/1/2000/-1\n"
			 "0 usr/sbin/caddy size=3 cap=3/0/200000400/100000\n"
			 "0 usr/bin/nginx size=3 cap=2/1/400/-1\n"
			 "0 %s size=1 cap=0/0/0/-1\n"
			 "0 %s size=1 cap=0/0/0/-1\n"
			 "2 bin/sh -> dash size=0 cap=0/0/0/-1\n"
			 "1 bin/ping2 -> usr/bin/ping size=0 cap=0/0/0/-1\n",
			 longname, b150);
		assert_string_equal(log.buf, want);
	}
	sbuf_release(&t);
	sbuf_release(&pax);
	sbuf_release(&log);
}

static void test_vfscap(void **state)
{
	unsigned char v[24];
	struct tarread_vfscap c;
	size_t n;

	(void)state;
	n = fx_vfscap(v, 2, 0x3, true, 0);
	assert_int_equal(tarread_vfscap(v, n, &c), 0);
	assert_int_equal(c.revision, 2);
	assert_true(c.effective);
	assert_int_equal(c.permitted, 3);
	assert_false(c.has_rootid);
	assert_int_equal(tarread_vfscap(v, n - 1, &c), -1); /* wrong length for revision 2 */
	n = fx_vfscap(v, 3, (uint64_t)1 << 40, false, 7);
	assert_int_equal(tarread_vfscap(v, n, &c), 0);
	assert_int_equal(c.permitted, (uint64_t)1 << 40);
	assert_int_equal(c.rootid, 7);
	assert_int_equal(tarread_vfscap(v, 20, &c), -1);
	put_le32(v, 0x01000001u);
	put_le32(v + 4, 1u << 12);
	assert_int_equal(tarread_vfscap(v, 12, &c), 0);
	assert_int_equal(c.revision, 1);
	put_le32(v, 0x04000000u);
	assert_int_equal(tarread_vfscap(v, 24, &c), -1);
	put_le32(v, 0x02000002u); /* an unknown flag */
	assert_int_equal(tarread_vfscap(v, 20, &c), -1);
	assert_int_equal(tarread_vfscap(NULL, 0, &c), -1);
}

static void test_hostile(void **state)
{
	struct sbuf t = SBUF_INIT, log = SBUF_INIT, pax = SBUF_INIT;
	char err[256];
	size_t i;

	(void)state;
	/* a size running past the end */
	fx_header(&t, "big", '0', NULL, 1u << 20, 0644);
	sbuf_add(&t, "abc", 3);
	err[0] = '\0';
	assert_int_equal(
		tarread_each((const unsigned char *)t.buf, t.len, collect, &log, err, sizeof(err)),
		-1);
	assert_non_null(strstr(err, "past the end"));
	/* a bad checksum */
	t.len = 0;
	fx_file(&t, "a", "x");
	t.buf[0] = 'b';
	assert_int_equal(
		tarread_each((const unsigned char *)t.buf, t.len, collect, &log, err, sizeof(err)),
		-1);
	assert_false(tarread_is_tar((const unsigned char *)t.buf, t.len));
	/* malformed PAX records: a length beyond the header, no '=', no newline, zero */
	{
		static const char *const bad[] = { "99 path=x\n", "9 pathx\n", "10 path=xy",
						   "0 x=\n",	  "abc\n",     "3 \n" };

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			struct sbuf p2 = SBUF_INIT;

			t.len = 0;
			sbuf_add(&p2, bad[i], strlen(bad[i]));
			fx_add(&t, "f", '0', NULL, "x", 1, &p2);
			fx_end(&t);
			if (tarread_each((const unsigned char *)t.buf, t.len, collect, &log, err,
					 sizeof(err)) != -1)
				fail_msg("bad pax %zu accepted", i);
			sbuf_release(&p2);
		}
	}
	/* a PAX size that lies about the member's data */
	t.len = 0;
	pax.len = 0;
	fx_pax(&pax, "size", "999999999", 9);
	fx_add(&t, "f", '0', NULL, "x", 1, &pax);
	fx_end(&t);
	assert_int_equal(
		tarread_each((const unsigned char *)t.buf, t.len, collect, &log, err, sizeof(err)),
		-1);
	/* a truncated header, and random bytes: no crash */
	assert_int_equal(
		tarread_each((const unsigned char *)"abc", 3, collect, &log, err, sizeof(err)), 0);
	{
		unsigned char junk[4096];
		unsigned x = 12345;

		for (i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (unsigned char)(x >> 16);
		}
		(void)tarread_each(junk, sizeof(junk), collect, &log, err, sizeof(err));
		/* every truncation of a good archive */
		t.len = 0;
		pax.len = 0;
		fx_pax(&pax, "path", "some/where", 10);
		fx_add(&t, "f", '0', NULL, "hello", 5, &pax);
		fx_file(&t, "g", "world");
		fx_end(&t);
		for (i = 0; i < t.len; i += 7)
			(void)tarread_each((const unsigned char *)t.buf, i, collect, &log, err,
					   sizeof(err));
	}
	sbuf_release(&t);
	sbuf_release(&pax);
	sbuf_release(&log);
}

static int stop_first(const struct tarread_entry *e, void *ctx)
{
	(*(int *)ctx)++;
	(void)e;
	return 1;
}

static void test_gzip(void **state)
{
	struct sbuf t = SBUF_INIT, gz = SBUF_INIT, out = SBUF_INIT;
	char err[256] = "";
	int calls = 0;

	(void)state;
	fx_file(&t, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
	fx_end(&t);
	assert_int_equal(tarread_each((const unsigned char *)t.buf, t.len, stop_first, &calls, err,
				      sizeof(err)),
			 0);
	assert_int_equal(calls, 1);
	if (!fx_gzip(&t, &gz))
		skip();
	assert_true(tarread_is_gzip((const unsigned char *)gz.buf, gz.len));
	if (!tarread_have_gzip()) {
		assert_int_equal(tarread_gunzip((const unsigned char *)gz.buf, gz.len, 1 << 20,
						&out, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "without zlib"));
		goto out;
	}
	assert_int_equal(tarread_gunzip((const unsigned char *)gz.buf, gz.len, 1 << 20, &out, err,
					sizeof(err)),
			 0);
	assert_int_equal(out.len, t.len);
	assert_memory_equal(out.buf, t.buf, t.len);
	/* two members one after the other */
	{
		size_t one = gz.len;
		char *copy = xstrndup(gz.buf, 0);

		copy = xrealloc(copy, one);
		memcpy(copy, gz.buf, one);
		sbuf_add(&gz, copy, one);
		free(copy);
		assert_int_equal(tarread_gunzip((const unsigned char *)gz.buf, gz.len, 1 << 20,
						&out, err, sizeof(err)),
				 0);
		assert_int_equal(out.len, 2 * t.len);
		gz.len = one;
	}
	/* a limit, truncation, corruption */
	assert_int_equal(
		tarread_gunzip((const unsigned char *)gz.buf, gz.len, 100, &out, err, sizeof(err)),
		-1);
	assert_int_equal(tarread_gunzip((const unsigned char *)gz.buf, gz.len / 2, 1 << 20, &out,
					err, sizeof(err)),
			 -1);
	gz.buf[gz.len / 2] ^= 0x55;
	gz.buf[gz.len / 2 + 1] ^= 0x55;
	assert_int_equal(tarread_gunzip((const unsigned char *)gz.buf, gz.len, 1 << 20, &out, err,
					sizeof(err)),
			 -1);
out:
	sbuf_release(&t);
	sbuf_release(&gz);
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_and_caps),
		cmocka_unit_test(test_vfscap),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
