/* Unit tests for ruledoc.c: every scan rule has its page; suppression hints name the rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/ruledoc.h"
#include "capfix/sbuf.h"
#include "capfix/scan.h"

static void test_every_rule_has_a_page(void **state)
{
	const struct scan_rule *rules;
	size_t n, i;

	(void)state;
	rules = scan_rules(&n);
	assert_true(n >= 18);
	for (i = 0; i < n; i++) {
		const char *why = ruledoc_why(rules[i].id);

		if (!why || strlen(why) < 40)
			fail_msg("rule %s has no page (why)", rules[i].id);
	}
	assert_null(ruledoc_why("CF999"));
	assert_null(ruledoc_why(NULL));
}

static void test_suppress(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	ruledoc_suppress("CF002", &sb);
	assert_non_null(strstr(sb.buf, "capfix.io/ignore: \"CF002: reason\""));
	assert_non_null(strstr(sb.buf, "capfix.io/ignore.<container>"));
	sbuf_setlen(&sb, 0);
	ruledoc_suppress("CF204", &sb); /* compose: the service's x-capfix field */
	assert_non_null(strstr(sb.buf, "x-capfix: {ignore: \"CF204: reason\"}"));
	assert_null(strstr(sb.buf, "annotation"));
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_has_a_page),
		cmocka_unit_test(test_suppress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
