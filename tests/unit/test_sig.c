/*
 * Unit tests for sig.c and the stop flag in fsutil: a signal only sets the flag (the process
 * goes on), and a replacement asked for afterwards leaves the file as it was, with no
 * temporary file, and says it was interrupted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/sig.h"

#include <dirent.h>
#include <unistd.h>

static void test_signal_sets_flag(void **state)
{
	(void)state;
	sig_install();
	assert_int_equal(sig_pending(), 0);
	assert_int_equal(raise(SIGTERM), 0); /* handled: we are still here */
	assert_int_equal(sig_pending(), SIGTERM);
	assert_int_equal(raise(SIGINT), 0); /* the first signal wins */
	assert_int_equal(sig_pending(), SIGTERM);
	sig_raise_flag(0);
	assert_int_equal(sig_pending(), 0);
}

static void test_replace_stops(void **state)
{
	char dir[] = "/tmp/capfix-sig-XXXXXX";
	struct sbuf p = SBUF_INIT, got = SBUF_INIT;
	struct dirent *de;
	DIR *d;
	size_t n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	sbuf_addf(&p, "%s/a.yaml", dir);
	assert_int_equal(fsutil_write_new(p.buf, "old\n", 4), 0);
	sig_install();
	sig_raise_flag(SIGHUP);
	assert_int_equal(fsutil_replace_beneath(p.buf, strlen(dir), NULL, "new\n", 4, 0), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_INTERRUPTED);
	assert_int_equal(fsutil_read(p.buf, 100, &got), 0);
	assert_string_equal(got.buf, "old\n");
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || fsutil_is_temp_name(de->d_name);
	closedir(d);
	assert_int_equal(n, 1); /* a.yaml alone: the temporary file is gone */
	sig_raise_flag(0);
	assert_int_equal(fsutil_replace_beneath(p.buf, strlen(dir), NULL, "new\n", 4, 0), 0);
	assert_int_equal(fsutil_read(p.buf, 100, &got), 0);
	assert_string_equal(got.buf, "new\n");
	unlink(p.buf);
	rmdir(dir);
	sbuf_release(&p);
	sbuf_release(&got);
}

static void test_temp_names(void **state)
{
	(void)state;
	assert_true(fsutil_is_temp_name(".a.yaml.capfix-Ab12Cd"));
	assert_false(fsutil_is_temp_name("a.yaml.capfix-Ab12Cd")); /* not hidden */
	assert_false(fsutil_is_temp_name(".a.yaml.capfix-Ab12C")); /* 5 characters */
	assert_false(fsutil_is_temp_name(".a.yaml.capfix-Ab12C!"));
	assert_false(fsutil_is_temp_name(".capfix-Ab12Cd")); /* no name */
	assert_false(fsutil_is_temp_name(".a.yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_sets_flag),
		cmocka_unit_test(test_replace_stops),
		cmocka_unit_test(test_temp_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
