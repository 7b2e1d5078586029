/* Unit tests for profiles.c: image reference parsing and matching. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/caps.h"
#include "capfix/profiles.h"

static void test_repo_of(void **state)
{
	static const struct {
		const char *image, *repo;
	} cases[] = {
		{ "nginx", "nginx" },
		{ "nginx:1.25-alpine", "nginx" },
		{ "docker.io/library/nginx:1.25", "nginx" },
		{ "index.docker.io/library/redis@sha256:abc", "redis" },
		{ "library/postgres:16", "postgres" },
		{ "NGINX:Latest", "nginx" },
		{ "localhost:5000/nginx:1", "localhost:5000/nginx" },
		{ "quay.io/prometheus/node-exporter:v1.7.0", "quay.io/prometheus/node-exporter" },
		{ "registry.k8s.io/ingress-nginx/controller:v1.9.4@sha256:5b1",
		  "registry.k8s.io/ingress-nginx/controller" },
		{ "bitnami/nginx:1.25", "bitnami/nginx" },
		{ "", "" },
	};
	char out[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		profiles_repo_of(cases[i].image, out, sizeof(out));
		if (strcmp(out, cases[i].repo))
			fail_msg("%s: got '%s', want '%s'", cases[i].image, out, cases[i].repo);
	}
	profiles_repo_of("docker.io/library/averylongname", out, 6);
	assert_string_equal(out, "avery");
}

static void test_match(void **state)
{
	(void)state;
	assert_string_equal(profiles_match("nginx:1.25")->name, "nginx");
	assert_string_equal(profiles_match("docker.io/library/postgres:16")->name, "postgres");
	assert_null(profiles_match(
		"bitnami/nginx:1.25")); /* runs as non-root: not the official image */
	assert_null(profiles_match("nginxinc/nginx-unprivileged:1.25"));
	assert_null(profiles_match(NULL));
	assert_true(profiles_match("haproxy:2.9")->file_caps);
}

/* Every capability named by a profile is in the catalogue, sorted, once. */
static void test_profiles_well_formed(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(profiles_count() > 5);
	for (i = 0; i < profiles_count(); i++) {
		const struct image_profile *p = profiles_at(i);

		assert_non_null(p->why);
		assert_non_null(p->source);
		assert_non_null(p->repos[0]);
		if (i)
			assert_true(strcmp(profiles_at(i - 1)->name, p->name) < 0);
		for (j = 0; p->caps[j]; j++) {
			const struct cap_info *ci = caps_lookup(p->caps[j]);

			assert_non_null(ci);
			assert_string_equal(ci->name, p->caps[j]);
			if (j)
				assert_true(strcmp(p->caps[j - 1], p->caps[j]) < 0);
		}
	}
	assert_null(profiles_at(profiles_count()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repo_of),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_profiles_well_formed),
	};

	return cmocka_run_group_tests_name("profiles", tests, NULL, NULL);
}
