/* Unit tests for fsutil.c: whole reads, size limits, atomic replacement. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/fsutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/capfix-fs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
			n++;
	closedir(d);
	return n;
}

static void test_read_write_roundtrip(void **state)
{
	struct sbuf p = SBUF_INIT, got = SBUF_INIT;
	const char data[] = "a: 1\r\n\0binary";
	struct stat st;

	(void)state;
	sbuf_addf(&p, "%s/f.yaml", dir);
	assert_int_equal(fsutil_write_new(p.buf, "old", 3), 0);
	assert_int_equal(chmod(p.buf, 0640), 0);
	assert_int_equal(fsutil_write_atomic(p.buf, data, sizeof(data) - 1), 0);
	assert_int_equal(fsutil_read(p.buf, 1024, &got), 0);
	assert_int_equal(got.len, sizeof(data) - 1);
	assert_memory_equal(got.buf, data, got.len);
	assert_int_equal(stat(p.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640); /* the mode survives */
	assert_int_equal(count_entries(), 1); /* no temporary file left */
	/* the size limit */
	assert_int_equal(fsutil_read(p.buf, 4, &got), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_INPUT);
	assert_int_equal(got.len, 0);
	unlink(p.buf);
	sbuf_release(&p);
	sbuf_release(&got);
}

/* Ownership survives a rewrite when the writer may set it (root); so do odd modes. */
static void test_owner_and_mode_survive(void **state)
{
	struct sbuf p = SBUF_INIT;
	struct stat st;

	(void)state;
	sbuf_addf(&p, "%s/owned.yaml", dir);
	assert_int_equal(fsutil_write_new(p.buf, "old", 3), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(p.buf, 1234, 5678), 0);
	assert_int_equal(chmod(p.buf, 04751), 0); /* after: a chown clears set-ID bits */
	assert_int_equal(fsutil_write_atomic(p.buf, "new", 3), 0);
	assert_int_equal(stat(p.buf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04751);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 1234);
		assert_int_equal(st.st_gid, 5678);
	} else {
		assert_int_equal(st.st_uid, geteuid());
	}
	unlink(p.buf);
	sbuf_release(&p);
}

/* A read-only file is refused, even for root, and stays as it was. */
static void test_read_only_file_refused(void **state)
{
	struct sbuf p = SBUF_INIT, got = SBUF_INIT;

	(void)state;
	sbuf_addf(&p, "%s/ro.yaml", dir);
	assert_int_equal(fsutil_write_new(p.buf, "original", 8), 0);
	assert_int_equal(chmod(p.buf, 0444), 0);
	assert_int_equal(fsutil_write_atomic(p.buf, "new", 3), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_WRITE);
	assert_non_null(strstr(cf_err_last()->msg, "read-only file (mode 0444)"));
	assert_int_equal(fsutil_read(p.buf, 1024, &got), 0);
	assert_string_equal(got.buf, "original");
	assert_int_equal(count_entries(), 1); /* no temporary file */
	unlink(p.buf);
	sbuf_release(&p);
	sbuf_release(&got);
}

static void test_failed_write_keeps_original(void **state)
{
	struct sbuf sub = SBUF_INIT, p = SBUF_INIT, got = SBUF_INIT;

	(void)state;
	if (geteuid() == 0)
		skip(); /* root writes into read-only directories */
	sbuf_addf(&sub, "%s/ro", dir);
	assert_int_equal(mkdir(sub.buf, 0755), 0);
	sbuf_addf(&p, "%s/f.yaml", sub.buf);
	assert_int_equal(fsutil_write_new(p.buf, "original", 8), 0);
	assert_int_equal(chmod(sub.buf, 0555), 0);
	assert_int_equal(fsutil_write_atomic(p.buf, "new", 3), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_WRITE);
	assert_int_equal(fsutil_read(p.buf, 1024, &got), 0);
	assert_string_equal(got.buf, "original");
	sbuf_release(&sub);
	sbuf_release(&p);
	sbuf_release(&got);
}

/* Works as root too: renaming over a non-empty directory fails late. */
static void test_failed_rename_leaves_no_temp(void **state)
{
	struct sbuf sub = SBUF_INIT, inner = SBUF_INIT;
	size_t before;

	(void)state;
	sbuf_addf(&sub, "%s/d.yaml", dir);
	assert_int_equal(mkdir(sub.buf, 0755), 0);
	sbuf_addf(&inner, "%s/x", sub.buf);
	assert_int_equal(fsutil_write_new(inner.buf, "x", 1), 0);
	before = count_entries();
	assert_int_equal(fsutil_write_atomic(sub.buf, "new", 3), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_WRITE);
	assert_int_equal(count_entries(), before);
	unlink(inner.buf);
	rmdir(sub.buf);
	sbuf_release(&sub);
	sbuf_release(&inner);
}

static void test_missing_files(void **state)
{
	struct sbuf p = SBUF_INIT, got = SBUF_INIT;

	(void)state;
	sbuf_addf(&p, "%s/none.yaml", dir);
	assert_int_equal(fsutil_read(p.buf, 1024, &got), -1);
	assert_non_null(strstr(cf_err_last()->msg, "none.yaml"));
	assert_int_equal(fsutil_write_atomic(p.buf, "x", 1), -1);
	assert_int_equal(access(p.buf, F_OK), -1); /* not created */
	assert_int_equal(fsutil_write_new("/proc/capfix-no/such", "x", 1), -1);
	sbuf_release(&p);
	sbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_write_roundtrip),
		cmocka_unit_test(test_owner_and_mode_survive),
		cmocka_unit_test(test_read_only_file_refused),
		cmocka_unit_test(test_failed_write_keeps_original),
		cmocka_unit_test(test_failed_rename_leaves_no_temp),
		cmocka_unit_test(test_missing_files),
	};

	return cmocka_run_group_tests_name("fsutil", tests, setup, teardown);
}
