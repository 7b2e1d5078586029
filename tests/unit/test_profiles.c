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
	/* bitnami runs as non-root: not the official image, its own entry */
	assert_string_equal(profiles_match("bitnami/nginx:1.25")->name, "bitnami");
	assert_true(profiles_match("bitnami/nginx:1.25")->nonroot);
	assert_null(profiles_match("nginxinc/nginx-unprivileged:1.25"));
	assert_null(profiles_match("bitnami"));
	assert_null(profiles_match("mynginx"));
	assert_null(profiles_match("example.com/team/nginx-proxy:1"));
	assert_null(profiles_match(NULL));
	assert_null(profiles_match(""));
	/* haproxy: USER haproxy, no setcap in docker-library/haproxy */
	assert_false(profiles_match("haproxy:2.9")->file_caps);
	assert_true(profiles_match("haproxy:2.9")->nonroot);
	assert_true(profiles_match("registry.k8s.io/ingress-nginx/controller:v1.9.4")->file_caps);
	assert_string_equal(profiles_match("k8s.gcr.io/ingress-nginx/controller:v1.2.0")->name,
			    "ingress-nginx");
}

/* Every normalisation form of an official image reaches its profile. */
static void test_match_forms(void **state)
{
	static const char *const nginx[] = {
		"nginx",
		"nginx:1.27",
		"nginx:1.27-alpine@sha256:0123abcd",
		"nginx@sha256:0123abcd",
		"docker.io/nginx",
		"docker.io/library/nginx:latest",
		"index.docker.io/library/nginx:1",
		"registry-1.docker.io/library/nginx",
		"mirror.gcr.io/library/nginx:1.27",
		"public.ecr.aws/nginx/nginx:1.27",
		"public.ecr.aws/docker/library/nginx:1.27",
		"localhost:5000/nginx",
		"localhost:5000/library/nginx:1.27",
		"localhost/nginx",
		"harbor.example.com:8443/dockerhub-proxy/library/nginx:stable",
		"  \"NGINX:1.27\"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nginx) / sizeof(nginx[0]); i++) {
		const struct image_profile *p = profiles_match(nginx[i]);

		if (!p || strcmp(p->name, "nginx"))
			fail_msg("%s: got %s", nginx[i], p ? p->name : "(none)");
	}
}

static void test_parse_ref(void **state)
{
	struct image_ref r;

	(void)state;
	assert_true(profiles_parse_ref("localhost:5000/nginx:1.25@sha256:ab", &r));
	assert_string_equal(r.host, "localhost:5000");
	assert_string_equal(r.path, "library/nginx");
	assert_string_equal(r.tag, "1.25");
	assert_string_equal(r.digest, "sha256:ab");
	assert_int_equal(r.major, 1);
	assert_true(profiles_parse_ref("docker.io/bitnami/redis", &r));
	assert_string_equal(r.host, "");
	assert_string_equal(r.path, "bitnami/redis");
	assert_string_equal(r.tag, "");
	assert_int_equal(r.major, -1);
	assert_true(profiles_parse_ref("public.ecr.aws/docker/library/redis:7-alpine", &r));
	assert_string_equal(r.host, "public.ecr.aws");
	assert_string_equal(r.path, "docker/library/redis");
	assert_int_equal(r.major, 7);
	assert_true(profiles_parse_ref("myorg/app:v2", &r)); /* "myorg" is no host */
	assert_string_equal(r.path, "myorg/app");
	assert_int_equal(r.major, -1);
	assert_false(profiles_parse_ref("", &r));
	assert_false(profiles_parse_ref(NULL, &r));
}

/* Versions where the needs differ: redis 8 keeps root without SETUID/SETGID. */
static void test_versions_and_variants(void **state)
{
	(void)state;
	assert_string_equal(profiles_match("redis:7.2-alpine")->name, "redis<=7");
	assert_string_equal(profiles_match("redis:6")->name, "redis<=7");
	assert_string_equal(profiles_match("redis:8.0")->name, "redis");
	assert_string_equal(profiles_match("redis")->name, "redis");
	assert_string_equal(profiles_match("redis:latest")->name, "redis");
	assert_string_equal(profiles_match("redis:alpine")->name, "redis");
	assert_null(profiles_match("redis:8")->caps[0]);
	assert_string_equal(profiles_match("mirror.gcr.io/library/redis:7")->name, "redis<=7");
	assert_string_equal(profiles_match("wordpress:6.5-php8.3-apache")->name, "wordpress");
	assert_string_equal(profiles_match("wordpress:6.5-fpm-alpine")->name, "wordpress-fpm");
	assert_string_equal(profiles_match("wordpress")->name, "wordpress");
	assert_string_equal(profiles_match("mariadb:11")->name, "mariadb");
	assert_string_equal(profiles_match("mongo:7")->name, "mongo");
	assert_string_equal(profiles_match("mysql:8.4")->name, "mysql");
	assert_string_equal(profiles_match("rabbitmq:4-management")->name, "rabbitmq");
	assert_string_equal(profiles_match("httpd:2.4")->name, "httpd");
	assert_string_equal(profiles_match("memcached:1.6")->name, "memcached");
	assert_true(profiles_match("memcached:1.6")->nonroot);
	assert_string_equal(profiles_match("grafana/grafana:11.0.0")->name, "grafana");
	assert_true(profiles_match("grafana/grafana-oss")->nonroot);
	assert_string_equal(
		profiles_match("docker.elastic.co/elasticsearch/elasticsearch:8.14.0")->name,
		"elasticsearch");
	assert_false(profiles_match("postgres:16")->nonroot);
	assert_string_equal(profiles_match("caddy:2")->name, "caddy");
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
		assert_non_null(strchr(p->repos[0], '/')); /* a path, never a bare name */
		assert_true(strlen(p->source) > 20);
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
		cmocka_unit_test(test_match_forms),
		cmocka_unit_test(test_parse_ref),
		cmocka_unit_test(test_versions_and_variants),
		cmocka_unit_test(test_profiles_well_formed),
	};

	return cmocka_run_group_tests_name("profiles", tests, NULL, NULL);
}
