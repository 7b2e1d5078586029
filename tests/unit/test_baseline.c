/*
 * Unit tests for baseline.c: the format (versioned, sorted, each key once,
 * nulls), loading errors, and matching by file, object, container and rule,
 * never by line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/baseline.h"
#include "capfix/err.h"

#define POD                                                                                        \
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: prod}\nspec:\n"                 \
	"  containers:\n    - {name: c, image: i, securityContext: {capabilities: {add: [SYS_ADMIN]}}}\n"

static void scan_str(struct scan_result *r, const char *path, const char *yaml)
{
	scan_buffer(r, path, yaml, strlen(yaml), false);
	scan_finish(r);
}

static void test_baseline_roundtrip(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	struct baseline b = BASELINE_INIT, b2 = BASELINE_INIT;
	struct sbuf out = SBUF_INIT, out2 = SBUF_INIT;
	size_t i;

	(void)state;
	scan_str(&r, "./k8s/p.yaml", POD);
	baseline_from_scan(&b, &r);
	/* three CF302 on the pod collapse into one entry */
	assert_true(b.n < r.nfindings);
	for (i = 1; i < b.n; i++)
		assert_true(strcmp(b.v[i - 1].rule, b.v[i].rule) < 0 ||
			    strcmp(b.v[i - 1].container ? b.v[i - 1].container : "",
				   b.v[i].container ? b.v[i].container : "") != 0);
	assert_string_equal(b.v[0].file, "k8s/p.yaml"); /* no leading ./ */
	baseline_render(&out, &b);
	assert_non_null(strstr(out.buf, "\"version\": 1,\n  \"tool\": \"capfix\""));
	assert_non_null(strstr(out.buf, "\"namespace\": \"prod\""));
	assert_non_null(strstr(out.buf, "\"container\": null"));
	assert_int_equal(baseline_load(&b2, "b.json", out.buf, out.len), 0);
	assert_int_equal(b2.n, b.n);
	baseline_render(&out2, &b2);
	assert_string_equal(out.buf, out2.buf); /* deterministic */
	assert_int_equal(baseline_mark(&b2, &r), r.nfindings);
	assert_int_equal(scan_max_severity(&r), -1); /* nothing counts */
	sbuf_release(&out);
	sbuf_release(&out2);
	baseline_release(&b);
	baseline_release(&b2);
	scan_result_release(&r);
}

static void test_baseline_matching(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT, moved = SCAN_RESULT_INIT, other = SCAN_RESULT_INIT;
	struct scan_result more = SCAN_RESULT_INIT;
	struct baseline b = BASELINE_INIT;
	size_t i, n;

	(void)state;
	scan_str(&r, "k8s/p.yaml", POD);
	baseline_from_scan(&b, &r);
	/* moved down three lines: still matches */
	scan_str(&moved, "k8s/p.yaml", "# a\n# b\n# c\n" POD);
	assert_int_equal(baseline_mark(&b, &moved), moved.nfindings);
	/* the same object in another file: no match (checkov#7647) */
	scan_str(&other, "k8s/q.yaml", POD);
	assert_int_equal(baseline_mark(&b, &other), 0);
	assert_int_equal(scan_max_severity(&other), SEV_CRITICAL);
	/* a new container: its findings are new, the old ones are not */
	scan_str(
		&more, "k8s/p.yaml",
		POD
		"    - {name: d, image: i, securityContext: {capabilities: {add: [NET_ADMIN]}}}\n");
	n = baseline_mark(&b, &more);
	assert_true(n > 0 && n < more.nfindings);
	for (i = 0; i < more.nfindings; i++)
		if (more.findings[i].container && !strcmp(more.findings[i].container, "d"))
			assert_false(more.findings[i].baseline);
	assert_int_equal(scan_max_severity(&more), SEV_HIGH); /* NET_ADMIN: outside baseline */
	baseline_release(&b);
	scan_result_release(&r);
	scan_result_release(&moved);
	scan_result_release(&other);
	scan_result_release(&more);
}

static void test_baseline_errors(void **state)
{
	struct baseline b = BASELINE_INIT;
	const char *v2 = "{\"version\": 2, \"tool\": \"capfix\", \"findings\": []}";
	const char *bad = "{\"version\": 1, \"findings\": [{\"file\": \"a\", \"kind\": 3}]}";

	(void)state;
	assert_int_equal(baseline_load(&b, "b.json", "[", 1), -1);
	assert_non_null(strstr(cf_err_last()->msg, "b.json:"));
	assert_int_equal(baseline_load(&b, "b.json", v2, strlen(v2)), -1);
	assert_non_null(strstr(cf_err_last()->msg, "version 2"));
	assert_int_equal(baseline_load(&b, "b.json", bad, strlen(bad)), -1);
	assert_non_null(strstr(cf_err_last()->msg, "findings[0]"));
	assert_int_equal(b.n, 0);
	assert_int_equal(baseline_load(&b, "b.json", "{\"version\": 1, \"findings\": []}", 30), 0);
	assert_int_equal(b.n, 0);
	baseline_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline_roundtrip),
		cmocka_unit_test(test_baseline_matching),
		cmocka_unit_test(test_baseline_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
