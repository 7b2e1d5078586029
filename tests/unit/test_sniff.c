/* Unit tests for sniff.c: manifests and data told apart by their keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/sniff.h"

static bool sniff(const char *s)
{
	return sniff_manifest(s, strlen(s));
}

static void test_manifests(void **state)
{
	(void)state;
	assert_true(sniff("apiVersion: v1\nkind: Pod\n"));
	assert_true(sniff("# comment\nkind: Deployment\n"));
	assert_true(sniff("{\"apiVersion\": \"v1\", \"kind\": \"List\"}"));
	assert_true(sniff("{\"kind\":\"Pod\"}"));
	assert_true(sniff("services:\n  web:\n    image: nginx\n"));
	assert_true(sniff("[{\"Id\": \"x\", \"HostConfig\": {}}]"));
	assert_true(sniff("  - apiVersion : v1\n")); /* blanks before the colon */
	assert_true(sniff("'kind': Pod\n"));
	/* broken, but a manifest: still recognised (an error, not a skip) */
	assert_true(sniff("apiVersion: v1\nkind: Pod\nspec: [\n"));
}

static void test_data(void **state)
{
	(void)state;
	assert_false(sniff(""));
	assert_false(sniff("{\"name\": \"app\", \"version\": \"1.0.0\", \"dependencies\": {}}"));
	assert_false(sniff("{\"a\": 1}\n{\"a\": 2}\n")); /* JSON lines */
	assert_false(sniff("on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"));
	assert_false(sniff("description: the kind of thing\n")); /* a word, not a key */
	assert_false(sniff("mykind: x\nsubservices: y\n")); /* other keys that end so */
	assert_false(sniff("kinds: [a]\n"));
	assert_false(sniff("text: apiVersion\n"));
}

static void test_is_data(void **state)
{
	(void)state;
	assert_true(sniff_is_data("{\"a\": [1, 2\n", 12));
	assert_true(sniff_is_data("caf\xc3\xa9: 1\n", 9));
	assert_false(sniff_is_data("kind: Pod\n", 10)); /* a manifest */
	/* not text: its parse error stands (a UTF-16 manifest is still a manifest) */
	assert_false(sniff_is_data("a\0p\0i\0", 6));
	assert_false(sniff_is_data("%YAML \xff\n", 8));
	assert_false(sniff_is_data("x\xc3", 2)); /* cut short */
	assert_false(sniff_is_data("\xc0\xaf", 2)); /* overlong */
	assert_false(sniff_is_data("\xed\xa0\x80", 3)); /* a surrogate */
	assert_true(sniff_is_data("\xf0\x9f\x98\x80", 4)); /* U+1F600 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifests),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_is_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
