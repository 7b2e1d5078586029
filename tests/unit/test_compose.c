/* Unit tests for compose.c: detection, merge keys, extends, ports, root. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/compose.h"

static struct ynode *parse(struct yfile *yf, const char *text)
{
	struct yerror err;

	assert_int_equal(yamlspan_parse(yf, text, strlen(text), false, &err), 0);
	return yf->docs[0].root;
}

static void test_is_file(void **state)
{
	static const struct {
		const char *text;
		bool compose;
	} cases[] = {
		{ "services:\n  web: {image: x}\n", true },
		{ "x-s: &s {web: {image: x}}\nservices: *s\n", true },
		{ "kind: Foo\nservices:\n  web: {image: x}\n", false },
		{ "apiVersion: v1\nservices: {}\n", false },
		{ "services: [web]\n", false },
		{ "- services: {}\n", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yfile yf = YFILE_INIT;

		if (compose_is_file(parse(&yf, cases[i].text)) != cases[i].compose)
			fail_msg("case %zu: %s", i, cases[i].text);
		yamlspan_release(&yf);
	}
}

static const char doc[] = "x-base: &base\n"
			  "  image: base:1\n"
			  "  cap_drop: [ALL]\n"
			  "services:\n"
			  "  base:\n"
			  "    image: b\n"
			  "    privileged: true\n"
			  "  web:\n"
			  "    <<: *base\n"
			  "    user: \"1000:1000\"\n"
			  "    ports: [\"8080:80/tcp\", {target: 443}]\n"
			  "  api:\n"
			  "    extends: base\n"
			  "    expose: [\"3000\"]\n"
			  "  other:\n"
			  "    extends: {file: x.yml, service: base}\n"
			  "    user: root:root\n";

static void test_merge_and_extends(void **state)
{
	struct yfile yf = YFILE_INIT;
	struct ynode *root = parse(&yf, doc);
	const struct ynode *svcs = compose_services(root);
	const struct ynode *web = yamlspan_get(svcs, "web"), *api = yamlspan_get(svcs, "api");
	const struct ynode *other = yamlspan_get(svcs, "other");

	(void)state;
	assert_true(compose_merged_has(web, "cap_drop"));
	assert_false(compose_merged_has(web, "cap_add"));
	assert_string_equal(yamlspan_str(compose_merged_get(web, "image")), "base:1");
	assert_string_equal(yamlspan_str(compose_get(svcs, web, "image")), "base:1");
	assert_true(yamlspan_is_true(compose_get(svcs, api, "privileged")));
	assert_null(compose_get(svcs, other, "privileged")); /* another file: not followed */
	yamlspan_release(&yf);
}

static void test_ports_and_root(void **state)
{
	struct yfile yf = YFILE_INIT;
	struct ynode *root = parse(&yf, doc);
	const struct ynode *svcs = compose_services(root);
	const struct ynode *web = yamlspan_get(svcs, "web"), *api = yamlspan_get(svcs, "api");
	const struct ynode *ports = yamlspan_get(web, "ports");

	(void)state;
	assert_int_equal(compose_port(ports->kids[0]), 80);
	assert_int_equal(compose_port(ports->kids[1]), 443);
	assert_int_equal(compose_low_port(web), 80);
	assert_int_equal(compose_low_port(api), -1);
	assert_false(compose_may_run_as_root(web));
	assert_true(compose_may_run_as_root(api)); /* no user: the image decides */
	assert_true(compose_may_run_as_root(yamlspan_get(svcs, "other")));
	yamlspan_release(&yf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_file),
		cmocka_unit_test(test_merge_and_extends),
		cmocka_unit_test(test_ports_and_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
