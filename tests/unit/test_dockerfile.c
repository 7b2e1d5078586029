/* Unit tests for dockerfile.c: the final stage's FROM and USER. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capfix/dockerfile.h"

static void check(const char *text, const char *target, int rc, const char *image, const char *user)
{
	struct dockerfile_stage st;
	int got = dockerfile_stage(text, strlen(text), target, &st);

	if (got != rc)
		fail_msg("rc %d, want %d for:\n%s", got, rc, text);
	if (image ? !st.image || strcmp(st.image, image) : st.image != NULL)
		fail_msg("image '%s', want '%s' for:\n%s", st.image ? st.image : "(null)",
			 image ? image : "(null)", text);
	if (user ? !st.user || strcmp(st.user, user) : st.user != NULL)
		fail_msg("user '%s', want '%s' for:\n%s", st.user ? st.user : "(null)",
			 user ? user : "(null)", text);
	dockerfile_stage_release(&st);
}

static void test_final_stage(void **state)
{
	(void)state;
	check("FROM nginx:1.27\n", NULL, 0, "nginx:1.27", NULL);
	check("# syntax=docker/dockerfile:1\nfrom   postgres:16  \nuser postgres\n", NULL, 0,
	      "postgres:16", "postgres");
	check("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build\n"
	      "FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nUSER 65532:65532\n",
	      NULL, 0, "gcr.io/distroless/static:nonroot", "65532:65532");
	/* ARG defaults before FROM */
	check("ARG BASE=redis\nARG TAG=7.2\nFROM ${BASE}:${TAG}-alpine\n", NULL, 0,
	      "redis:7.2-alpine", NULL);
	check("ARG V\nFROM node:${V:-20}\n", NULL, 0, "node:20", NULL);
	check("ARG IMG=\"mariadb:11\"\nFROM $IMG\n", NULL, 0, "mariadb:11", NULL);
	/* stages by name: base image and USER carry over */
	check("FROM python:3.12 AS base\nUSER app\nFROM base AS test\nRUN pytest\n"
	      "FROM base\nCMD [\"app\"]\n",
	      NULL, 0, "python:3.12", "app");
	check("FROM python:3.12 AS base\nUSER app\nFROM BASE AS final\nUSER root\n", NULL, 0,
	      "python:3.12", "root");
	/* target */
	check("FROM alpine AS one\nUSER 1000\nFROM debian AS two\n", "one", 0, "alpine", "1000");
	check("FROM alpine AS one\n", "missing", -1, NULL, NULL);
	/* continuation lines, comments inside them, USER from ARG/ENV */
	check("FROM \\\n  # comment\n  httpd:2.4 \\\n  AS web\nARG UID=33\nUSER ${UID}\n", NULL, 0,
	      "httpd:2.4", "33");
	check("FROM alpine\nENV APP_USER=svc\nUSER $APP_USER:$APP_USER\n", NULL, 0, "alpine",
	      "svc:svc");
	check("FROM alpine\nENV APP_USER svc\nUSER $APP_USER\n", NULL, 0, "alpine", "svc");
	/* a heredoc body is not read as instructions */
	check("FROM alpine\nRUN <<EOF\nUSER nobody\nFROM evil\nEOF\nUSER 1\n", NULL, 0, "alpine",
	      "1");
	check("FROM scratch\n", NULL, 0, "scratch", NULL);
	check("# nothing\nRUN true\n", NULL, -1, NULL, NULL);
	check("", NULL, -1, NULL, NULL);
	check("FROM\n", NULL, -1, NULL, NULL);
}

static void test_image_known(void **state)
{
	struct dockerfile_stage st;
	const char *t = "FROM ${REGISTRY}/app:1\n";

	(void)state;
	assert_int_equal(dockerfile_final_stage(t, strlen(t), &st), 0);
	assert_false(st.image_known);
	assert_int_equal(st.from_line, 1);
	dockerfile_stage_release(&st);
	t = "ARG R=docker.io\n\nFROM $R/nginx\nUSER nginx\n";
	assert_int_equal(dockerfile_final_stage(t, strlen(t), &st), 0);
	assert_true(st.image_known);
	assert_string_equal(st.image, "docker.io/nginx");
	assert_int_equal(st.from_line, 3);
	assert_int_equal(st.user_line, 4);
	dockerfile_stage_release(&st);
}

static void test_user_is_root(void **state)
{
	(void)state;
	assert_true(dockerfile_user_is_root("0"));
	assert_true(dockerfile_user_is_root("root"));
	assert_true(dockerfile_user_is_root("0:0"));
	assert_true(dockerfile_user_is_root("root:staff"));
	assert_true(dockerfile_user_is_root(" \"root\""));
	assert_false(dockerfile_user_is_root("1000"));
	assert_true(dockerfile_user_is_root("00")); /* numeric uid 0 */
	assert_false(dockerfile_user_is_root("100"));
	assert_false(dockerfile_user_is_root(""));
	assert_false(dockerfile_user_is_root("rootless"));
	assert_false(dockerfile_user_is_root("nginx:0"));
	assert_false(dockerfile_user_is_root(NULL));
}

static void test_read(void **state)
{
	char dir[] = "/tmp/capfix-dfXXXXXX", path[300];
	struct dockerfile_stage st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/Dockerfile.prod", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("FROM wordpress:6-fpm\nUSER www-data\n", f);
	fclose(f);
	assert_int_equal(dockerfile_read(dir, "Dockerfile.prod", NULL, &st), 0);
	assert_string_equal(st.image, "wordpress:6-fpm");
	assert_string_equal(st.user, "www-data");
	dockerfile_stage_release(&st);
	assert_int_equal(dockerfile_read(dir, NULL, NULL, &st), -1); /* no Dockerfile */
	assert_null(st.image);
	assert_int_equal(dockerfile_read("https://github.com/x/y.git", NULL, NULL, &st), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_final_stage),
		cmocka_unit_test(test_image_known),
		cmocka_unit_test(test_user_is_root),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests_name("dockerfile", tests, NULL, NULL);
}
