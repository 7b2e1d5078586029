/* Unit tests for nslabels.c: Namespace labels set byte-faithfully, failures reported. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/nslabels.h"

static const char *const keys[] = { "pod-security.kubernetes.io/enforce",
				    "pod-security.kubernetes.io/warn" };
static const char *const values[] = { "restricted", "restricted" };

static int set(struct fix_result *res, const char *text, const char *ns, size_t nk)
{
	fix_result_init(res);
	return nslabels_set(res, text, strlen(text), ns, keys, values, nk);
}

static void test_labels_created_and_replaced(void **state)
{
	struct fix_result res;

	(void)state;
	assert_int_equal(
		set(&res, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n", "shop", 1),
		0);
	assert_true(res.changed);
	assert_string_equal(sbuf_cstr(&res.out),
			    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n"
			    "    pod-security.kubernetes.io/enforce: restricted\n");
	fix_result_release(&res);
	assert_int_equal(set(&res,
			     "kind: Namespace\nmetadata:\n  name: shop  # x\n  labels:\n"
			     "    pod-security.kubernetes.io/enforce: 'baseline'\n    team: a\n",
			     "shop", 2),
			 0);
	assert_string_equal(sbuf_cstr(&res.out),
			    "kind: Namespace\nmetadata:\n  name: shop  # x\n  labels:\n"
			    "    pod-security.kubernetes.io/enforce: 'restricted'\n    team: a\n"
			    "    pod-security.kubernetes.io/warn: restricted\n");
	fix_result_release(&res);
}

static void test_nothing_to_do(void **state)
{
	struct fix_result res;

	(void)state;
	assert_int_equal(set(&res,
			     "kind: Namespace\nmetadata: {name: a, labels: "
			     "{pod-security.kubernetes.io/enforce: restricted}}\n",
			     "a", 1),
			 0);
	assert_false(res.changed);
	fix_result_release(&res);
}

static void test_failures_set_status(void **state)
{
	static const char *const many[NSLABELS_MAX + 1] = { 0 };
	struct fix_result res;

	(void)state;
	assert_int_equal(set(&res, "kind: Namespace\nmetadata: {name: a}\n", "b", 1), -1);
	assert_int_equal(res.status, FIX_REFUSED);
	assert_non_null(strstr(res.err.msg, "no editable Namespace \"b\""));
	fix_result_release(&res);
	assert_int_equal(set(&res,
			     "x: &l {a: b}\nkind: Namespace\nmetadata: {name: a, labels: *l}\n",
			     "a", 1),
			 -1);
	assert_int_equal(res.status, FIX_REFUSED);
	assert_non_null(strstr(res.err.msg, "cannot be edited"));
	fix_result_release(&res);
	assert_int_equal(set(&res, "kind: Namespace\nmetadata: {name: a\n", "a", 1), -1);
	assert_int_equal(res.status, FIX_PARSE_ERROR);
	fix_result_release(&res);
	/* too many labels: a status and a message too (it used to return -1 without them) */
	fix_result_init(&res);
	assert_int_equal(
		nslabels_set(&res, "kind: Namespace\n", 16, "a", many, many, NSLABELS_MAX + 1), -1);
	assert_int_equal(res.status, FIX_REFUSED);
	assert_true(res.err.msg[0] != '\0');
	fix_result_release(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_created_and_replaced),
		cmocka_unit_test(test_nothing_to_do),
		cmocka_unit_test(test_failures_set_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
