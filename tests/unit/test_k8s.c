/* Unit tests for k8s.c: the walker, the partial-object rule, pod facts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/k8s.h"

static struct ynode *parse(struct yfile *yf, const char *text, size_t doc)
{
	struct yerror err;

	assert_int_equal(yamlspan_parse(yf, text, strlen(text), false, &err), 0);
	assert_true(doc < yf->ndocs);
	return yf->docs[doc].root;
}

struct seen {
	char names[8][32];
	const char *skip[8];
	bool partial[8];
	size_t n;
};

static int record(struct k8s_container *c, void *payload)
{
	struct seen *s = payload;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[s->n]), "%s/%s", c->name, c->cname);
		s->skip[s->n] = c->skip;
		s->partial[s->n] = c->partial;
		s->n++;
	}
	return 0;
}

static void test_alias_list_items_are_visited(void **state)
{
	static const char text[] =
		"kind: List\napiVersion: v1\nitems:\n"
		"- {apiVersion: v1, kind: Pod, metadata: {name: a},\n"
		"   spec: {containers: &c [{name: x, image: i}, {name: y, image: i}]}}\n"
		"- {apiVersion: v1, kind: Pod, metadata: {name: b},\n"
		"   spec: {containers: *c}}\n";
	struct yfile yf = YFILE_INIT;
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(k8s_each_container(parse(&yf, text, 0), record, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.names[2], "b/x");
	assert_string_equal(s.names[3], "b/y");
	assert_string_equal(s.skip[2], "the list is an alias");
	assert_non_null(s.skip[0]); /* the anchored original is shared too */
	yamlspan_release(&yf);
}

static void test_alias_pod_spec_is_visited(void **state)
{
	static const char text[] = "x: &s {containers: [{name: c, image: i}]}\n"
				   "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
				   "spec: {template: {spec: *s}}\n";
	struct yfile yf = YFILE_INIT;
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(k8s_each_container(parse(&yf, text, 0), record, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "j/c");
	assert_string_equal(s.skip[0], "pod spec is an alias");
	assert_false(s.partial[0]);
	yamlspan_release(&yf);
}

static void test_partial(void **state)
{
	static const struct {
		const char *text;
		bool partial;
	} cases[] = {
		{ "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: {}}}\n", true },
		{ "apiVersion: apps/v1\nkind: Deployment\nspec: {selector: null}\n", true },
		{ "apiVersion: apps/v1\nkind: Deployment\nspec: {selector: {}}\n", false },
		{ "apiVersion: apps/v1\nkind: Deployment\n", true },
		{ "apiVersion: v1\nkind: Pod\n", true },
		{ "apiVersion: v1\nkind: Pod\nspec: {}\n", false },
		{ "apiVersion: v1\nkind: PodTemplate\ntemplate: {spec: {}}\n", false },
		{ "apiVersion: batch/v1\nkind: Job\nspec: {template: {}}\n", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yfile yf = YFILE_INIT;

		if ((k8s_partial(parse(&yf, cases[i].text, 0)) != NULL) != cases[i].partial)
			fail_msg("case %zu: %s", i, cases[i].text);
		yamlspan_release(&yf);
	}
}

static void test_partial_containers_are_flagged(void **state)
{
	static const char text[] =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
		"spec: {template: {spec: {containers: [{name: c, image: i}]}}}\n";
	struct yfile yf = YFILE_INIT;
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	k8s_each_container(parse(&yf, text, 0), record, &s);
	assert_int_equal(s.n, 1);
	assert_true(s.partial[0]);
	assert_non_null(strstr(s.skip[0], "partial object"));
	yamlspan_release(&yf);
}

static void test_may_run_as_root(void **state)
{
	static const struct {
		const char *text;
		bool root;
	} cases[] = {
		{ "u: &u 1000\nc: {}\np: {securityContext: {runAsUser: *u}}\n", false },
		{ "u: &u 0\nc: {securityContext: {runAsUser: *u}}\np: {}\n", true },
		{ "c: {securityContext: {runAsUser: 0}}\np: {securityContext: {runAsUser: 5}}\n",
		  true },
		{ "t: &t true\nc: {securityContext: {runAsNonRoot: *t}}\np: {}\n", false },
		{ "sc: &sc {runAsNonRoot: true}\nc: {securityContext: *sc}\np: {}\n", false },
		{ "c: {securityContext: {runAsUser: \"1000\"}}\np: {}\n", true },
		{ "c: {}\np: {}\n", true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yfile yf = YFILE_INIT;
		struct ynode *root = parse(&yf, cases[i].text, 0);

		if (k8s_may_run_as_root(yamlspan_get(root, "c"), yamlspan_get(root, "p")) !=
		    cases[i].root)
			fail_msg("case %zu: %s", i, cases[i].text);
		yamlspan_release(&yf);
	}
}

static void test_ports_and_windows(void **state)
{
	static const char text[] = "p: &p 443\n"
				   "c: {ports: [{containerPort: 8080}, {containerPort: *p}]}\n"
				   "w: {os: {name: windows}}\nl: {os: {name: linux}}\n";
	struct yfile yf = YFILE_INIT;
	struct ynode *root = parse(&yf, text, 0);

	(void)state;
	assert_int_equal(k8s_low_port(yamlspan_get(root, "c")), 443);
	assert_int_equal(k8s_low_port(yamlspan_get(root, "w")), -1);
	assert_true(k8s_is_windows(yamlspan_get(root, "w")));
	assert_false(k8s_is_windows(yamlspan_get(root, "l")));
	yamlspan_release(&yf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_list_items_are_visited),
		cmocka_unit_test(test_alias_pod_spec_is_visited),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_partial_containers_are_flagged),
		cmocka_unit_test(test_may_run_as_root),
		cmocka_unit_test(test_ports_and_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
