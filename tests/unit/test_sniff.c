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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifests),
		cmocka_unit_test(test_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
