/* Unit tests for yamledit.c: ordering, overlaps and bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/yamledit.h"

static void test_apply_in_any_order(void **state)
{
	const char *in = "0123456789";
	struct yedits e = YEDITS_INIT;
	struct sbuf out = SBUF_INIT;

	(void)state;
	yamledit_add(&e, 8, 9, "X", 1); /* replace 8 */
	yamledit_insert(&e, 0, "<"); /* insert at start */
	yamledit_add(&e, 2, 4, "", 0); /* delete 2-3 */
	yamledit_insert(&e, 10, ">"); /* insert at end */
	assert_int_equal(yamledit_apply(&e, in, strlen(in), &out), 0);
	assert_string_equal(out.buf, "<014567X9>");
	sbuf_release(&out);
	yamledit_release(&e);
}

static void test_insertions_at_one_offset_keep_order(void **state)
{
	const char *in = "ab";
	struct yedits e = YEDITS_INIT;
	struct sbuf out = SBUF_INIT;

	(void)state;
	yamledit_insert(&e, 1, "1");
	yamledit_add(&e, 1, 2, "B", 1); /* a replacement starting there comes after */
	yamledit_insert(&e, 1, "2");
	assert_int_equal(yamledit_apply(&e, in, strlen(in), &out), 0);
	assert_string_equal(out.buf, "a12B");
	sbuf_release(&out);
	yamledit_release(&e);
}

static void test_overlaps_rejected(void **state)
{
	static const struct {
		size_t s1, e1, s2, e2;
	} bad[] = {
		{ 0, 5, 3, 7 }, /* ranges overlap */
		{ 2, 6, 4, 4 }, /* insertion strictly inside a replacement */
		{ 2, 6, 2, 3 }, /* two replacements at one offset */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct yedits e = YEDITS_INIT;
		struct sbuf out = SBUF_INIT;

		sbuf_addstr(&out, "keep");
		yamledit_add(&e, bad[i].s1, bad[i].e1, "x", 1);
		yamledit_add(&e, bad[i].s2, bad[i].e2, "y", 1);
		assert_int_equal(yamledit_apply(&e, "0123456789", 10, &out), -1);
		assert_int_equal(cf_err_last()->cls, CF_E_EDIT);
		assert_string_equal(out.buf, "keep"); /* output untouched */
		sbuf_release(&out);
		yamledit_release(&e);
	}
}

static void test_bounds(void **state)
{
	struct yedits e = YEDITS_INIT;
	struct sbuf out = SBUF_INIT;

	(void)state;
	yamledit_add(&e, 3, 12, "x", 1);
	assert_int_equal(yamledit_apply(&e, "0123456789", 10, &out), -1);
	assert_int_equal(out.len, 0);
	yamledit_release(&e);
	sbuf_release(&out);
}

static void test_no_edits_copies(void **state)
{
	struct yedits e = YEDITS_INIT;
	struct sbuf out = SBUF_INIT;
	const char in[] = "a\0b\r\n";

	(void)state;
	assert_int_equal(yamledit_apply(&e, in, sizeof(in) - 1, &out), 0);
	assert_int_equal(out.len, sizeof(in) - 1);
	assert_memory_equal(out.buf, in, sizeof(in) - 1);
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_in_any_order),
		cmocka_unit_test(test_insertions_at_one_offset_keep_order),
		cmocka_unit_test(test_overlaps_rejected),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_no_edits_copies),
	};

	return cmocka_run_group_tests_name("yamledit", tests, NULL, NULL);
}
