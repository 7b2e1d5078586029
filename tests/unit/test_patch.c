/* Unit tests for patch.c: git-style headers, no-newline markers, CRLF. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/gitops.h"
#include "capfix/patch.h"

static int setup(void **state)
{
	(void)state;
	gitops_lib_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gitops_lib_shutdown();
	return 0;
}

static void test_patch_headers_and_hunk(void **state)
{
	struct sbuf out = SBUF_INIT;
	const char *a = "a: 1\nb: 2\n", *b = "a: 1\nb: 2\nc: 3\n";

	(void)state;
	assert_int_equal(patch_append(&out, "./dir/f.yaml", false, a, strlen(a), b, strlen(b)), 0);
	assert_non_null(strstr(out.buf, "diff --git a/dir/f.yaml b/dir/f.yaml\n"));
	assert_non_null(strstr(out.buf, "--- a/dir/f.yaml\n+++ b/dir/f.yaml\n"));
	assert_non_null(strstr(out.buf, "@@ -1,2 +1,3 @@\n a: 1\n b: 2\n+c: 3\n"));
	sbuf_release(&out);
}

static void test_patch_identical_is_empty(void **state)
{
	struct sbuf out = SBUF_INIT;

	(void)state;
	assert_int_equal(patch_append(&out, "f.yaml", false, "x\n", 2, "x\n", 2), 0);
	assert_int_equal(out.len, 0);
	sbuf_release(&out);
}

static void test_patch_no_newline_and_crlf(void **state)
{
	struct sbuf out = SBUF_INIT;
	const char *a = "a: 1\r\nb: 2", *b = "a: 1\r\nb: 2\r\nc: 3";

	(void)state;
	assert_int_equal(patch_append(&out, "f.yaml", false, a, strlen(a), b, strlen(b)), 0);
	assert_non_null(strstr(out.buf, "-b: 2\n\\ No newline at end of file\n"));
	assert_non_null(strstr(out.buf, "+b: 2\r\n+c: 3\n\\ No newline at end of file\n"));
	sbuf_release(&out);
}

static void test_patch_executable_mode(void **state)
{
	struct sbuf out = SBUF_INIT;

	(void)state;
	assert_int_equal(patch_append(&out, "run.yaml", true, "a\n", 2, "b\n", 2), 0);
	assert_non_null(strstr(out.buf, " 100755\n--- a/run.yaml\n"));
	assert_null(strstr(out.buf, "100644"));
	sbuf_release(&out);
}

/* as git writes it: a tab after a name with a space (GNU patch needs it), not after others */
static void test_patch_name_with_space_gets_tab(void **state)
{
	struct sbuf out = SBUF_INIT;
	const char *a = "--- a/x y\n", *b = "+++ b/x y\n";

	(void)state;
	assert_int_equal(patch_append(&out, "my dir/f.yaml", false, a, strlen(a), b, strlen(b)), 0);
	assert_non_null(strstr(out.buf, "\n--- a/my dir/f.yaml\t\n+++ b/my dir/f.yaml\t\n"));
	/* the content lines that look like headers are not touched */
	assert_non_null(strstr(out.buf, "\n---- a/x y\n++++ b/x y\n"));
	sbuf_setlen(&out, 0);
	assert_int_equal(patch_append(&out, "plain.yaml", false, "a\n", 2, "b\n", 2), 0);
	assert_non_null(strstr(out.buf, "\n--- a/plain.yaml\n+++ b/plain.yaml\n"));
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_headers_and_hunk),
		cmocka_unit_test(test_patch_identical_is_empty),
		cmocka_unit_test(test_patch_no_newline_and_crlf),
		cmocka_unit_test(test_patch_executable_mode),
		cmocka_unit_test(test_patch_name_with_space_gets_tab),
	};

	return cmocka_run_group_tests_name("patch", tests, setup, teardown);
}
