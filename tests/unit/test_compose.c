/* Unit tests for compose.c: detection, merge keys, extends, ports, root. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

static const struct ynode *service(const struct ynode *root, const char *name)
{
	return yamlspan_get(compose_services(root), name);
}

static void test_partial(void **state)
{
	static const char all_partial[] = "services:\n  web:\n    environment: {A: 1}\n"
					  "  db:\n    user: '999'\n";
	static const char mixed[] = "services:\n  web: {image: nginx}\n  side: {user: '1'}\n"
				    "  ext: {extends: web}\n  m: {<<: {build: .}}\n";
	struct yfile yf = YFILE_INIT;
	struct ynode *root;

	(void)state;
	root = parse(&yf, all_partial);
	assert_true(compose_service_partial(root, service(root, "web"), "compose.yaml"));
	assert_true(compose_service_partial(root, service(root, "db"), NULL));
	yamlspan_release(&yf);
	root = parse(&yf, mixed);
	assert_false(compose_service_partial(root, service(root, "web"), "compose.yaml"));
	assert_false(compose_service_partial(root, service(root, "side"), "compose.yaml"));
	assert_true(compose_service_partial(root, service(root, "side"),
					    "docker-compose.override.yml"));
	assert_true(
		compose_service_partial(root, service(root, "side"), "dir/compose.override.yaml"));
	assert_true(compose_service_partial(root, service(root, "side"), "prod.override.yml"));
	assert_false(compose_service_partial(root, service(root, "side"), "override.yml"));
	assert_false(compose_service_partial(root, service(root, "side"), "a.override.yml.bak"));
	/* extends and merge keys bring image/build */
	assert_false(compose_service_partial(root, service(root, "ext"), "x.override.yml"));
	assert_false(compose_service_partial(root, service(root, "m"), "x.override.yml"));
	yamlspan_release(&yf);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static void test_facts(void **state)
{
	static const char doc2[] =
		"services:\n"
		"  web:\n"
		"    image: ${REGISTRY:-docker.io}/library/nginx:${NGINX_TAG}\n"
		"    ports: [\"${HTTPS_PORT:-443}:${HTTPS_PORT:-443}\", \"$$HOME\", {target: \"${ADMIN}\"}]\n"
		"    expose: ['8080']\n"
		"    command: [nginx, -g, 'daemon off;']\n"
		"    healthcheck: {test: [CMD-SHELL, \"curl -f http://localhost:${HTTPS_PORT:-443}/\"]}\n"
		"  app:\n"
		"    build: ./app\n"
		"    ports: ['127.0.0.1:8000:8000']\n"
		"  job:\n"
		"    build: {context: ., dockerfile: jobs/Dockerfile.job, target: run}\n"
		"    user: ${JOB_UID}\n"
		"    entrypoint: /bin/job --once\n"
		"  inline:\n"
		"    build: {dockerfile_inline: \"FROM redis:8\\nUSER root\\n\"}\n"
		"  bad:\n"
		"    image: ${MUST:?set MUST}\n"
		"  nobuild:\n"
		"    build: ./missing\n"
		"    image: myapp:1\n";
	char dir[] = "/tmp/capfix-factsXXXXXX", sub[600];
	struct composeenv env = COMPOSEENV_INIT;
	struct compose_ctx ctx;
	struct compose_facts f;
	struct yfile yf = YFILE_INIT;
	struct ynode *root;
	const struct ynode *svcs;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, ".env", "NGINX_TAG=1.27\nADMIN=81\nJOB_UID=1000\n");
	snprintf(sub, sizeof(sub), "%s/app", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(sub, "Dockerfile", "ARG V=16\nFROM postgres:${V} AS base\nUSER postgres\n");
	snprintf(sub, sizeof(sub), "%s/jobs", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(sub, "Dockerfile.job", "FROM alpine AS run\nUSER 0\nFROM busybox\n");
	assert_int_equal(composeenv_load(dir, &env), 1);
	root = parse(&yf, doc2);
	svcs = compose_services(root);
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = dir;
	ctx.file = "compose.yaml";
	ctx.root = root;
	ctx.env = &env;

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "web"), &f), 0);
	assert_string_equal(f.image, "docker.io/library/nginx:1.27");
	assert_false(f.image_from_build);
	assert_null(f.user);
	assert_true(f.may_run_as_root);
	assert_int_equal(f.nports, 3);
	assert_int_equal(f.ports[0], 443);
	assert_int_equal(f.ports[1], 81);
	assert_int_equal(f.ports[2], 8080);
	assert_int_equal(f.low_port, 443);
	assert_string_equal(f.command, "nginx -g daemon off;");
	assert_null(f.entrypoint);
	assert_string_equal(f.healthcheck, "CMD-SHELL curl -f http://localhost:443/");
	assert_int_equal(f.status, COMPOSEENV_DEFAULTED);
	assert_false(f.partial);
	assert_false(f.build);
	compose_facts_release(&f);

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "app"), &f), 0);
	assert_true(f.build && f.build_read);
	assert_string_equal(f.image, "postgres:16");
	assert_true(f.image_from_build);
	assert_string_equal(f.user, "postgres");
	assert_true(f.user_from_build);
	assert_false(f.may_run_as_root);
	assert_int_equal(f.low_port, -1);
	assert_int_equal(f.status, COMPOSEENV_KNOWN);
	compose_facts_release(&f);

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "job"), &f), 0);
	assert_string_equal(f.image, "alpine");
	assert_string_equal(f.user, "1000"); /* user: wins over the Dockerfile's USER 0 */
	assert_false(f.user_from_build);
	assert_false(f.may_run_as_root);
	assert_string_equal(f.entrypoint, "/bin/job --once");
	compose_facts_release(&f);

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "inline"), &f), 0);
	assert_string_equal(f.image, "redis:8");
	assert_string_equal(f.user, "root");
	assert_true(f.may_run_as_root);
	compose_facts_release(&f);

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "bad"), &f), -1);
	assert_int_equal(f.status, COMPOSEENV_ERROR);
	assert_non_null(strstr(f.err, "MUST"));
	compose_facts_release(&f);

	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "nobuild"), &f), 0);
	assert_true(f.build);
	assert_false(f.build_read);
	assert_string_equal(f.image, "myapp:1"); /* the Dockerfile is unreadable: image: stays */
	assert_true(f.err[0] != '\0');
	compose_facts_release(&f);

	/* no_files: the Dockerfile is not read, image: stays, no error */
	ctx.no_files = true;
	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "app"), &f), 0);
	assert_true(f.build);
	assert_false(f.build_read);
	assert_false(f.image_from_build);
	assert_string_equal(f.err, "");
	compose_facts_release(&f);
	ctx.no_files = false;

	/* without .env: unknown variables are said */
	ctx.env = NULL;
	assert_int_equal(compose_service_facts(&ctx, svcs, service(root, "web"), &f), 0);
	assert_string_equal(f.image, "docker.io/library/nginx:");
	assert_int_equal(f.status, COMPOSEENV_UNKNOWN);
	compose_facts_release(&f);
	assert_int_equal(compose_service_facts(NULL, NULL, NULL, &f), 0);
	compose_facts_release(&f);

	yamlspan_release(&yf);
	composeenv_release(&env);
	remove_file(dir, ".env");
	snprintf(sub, sizeof(sub), "%s/app", dir);
	remove_file(sub, "Dockerfile");
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/jobs", dir);
	remove_file(sub, "Dockerfile.job");
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_file),	       cmocka_unit_test(test_merge_and_extends),
		cmocka_unit_test(test_ports_and_root), cmocka_unit_test(test_partial),
		cmocka_unit_test(test_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
