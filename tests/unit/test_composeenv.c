/* Unit tests for composeenv.c: compose interpolation and .env files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capfix/composeenv.h"

static void test_interpolate_table(void **state)
{
	static const struct {
		const char *in, *out;
		int status;
	} cases[] = {
		{ "plain", "plain", COMPOSEENV_KNOWN },
		{ "", "", COMPOSEENV_KNOWN },
		{ "$SET", "value", COMPOSEENV_KNOWN },
		{ "${SET}", "value", COMPOSEENV_KNOWN },
		{ "a${SET}b$SET.c", "avaluebvalue.c", COMPOSEENV_KNOWN },
		{ "$SET_more", "", COMPOSEENV_UNKNOWN }, /* the name runs on */
		{ "$UNSET", "", COMPOSEENV_UNKNOWN },
		{ "${UNSET}x", "x", COMPOSEENV_UNKNOWN },
		{ "$$", "$", COMPOSEENV_KNOWN },
		{ "$${SET}", "${SET}", COMPOSEENV_KNOWN },
		{ "$$SET", "$SET", COMPOSEENV_KNOWN },
		{ "cost $5 and $ alone $", "cost $5 and $ alone $", COMPOSEENV_KNOWN },
		{ "${UNSET:-443}", "443", COMPOSEENV_DEFAULTED },
		{ "${UNSET-443}", "443", COMPOSEENV_DEFAULTED },
		{ "${EMPTY:-d}", "d", COMPOSEENV_KNOWN }, /* EMPTY is set in .env */
		{ "${EMPTY-d}", "", COMPOSEENV_KNOWN },
		{ "${SET:-d}", "value", COMPOSEENV_KNOWN },
		{ "${SET-d}", "value", COMPOSEENV_KNOWN },
		{ "${UNSET:-}", "", COMPOSEENV_DEFAULTED },
		{ "${HTTPS_PORT:-443}:${HTTPS_PORT:-443}", "443:443", COMPOSEENV_DEFAULTED },
		{ "${PORT:-80}:80", "8080:80", COMPOSEENV_KNOWN },
		{ "${SET:?need it}", "value", COMPOSEENV_KNOWN },
		{ "${EMPTY?need it}", "", COMPOSEENV_KNOWN },
		{ "${SET:+alt}", "alt", COMPOSEENV_KNOWN },
		{ "${EMPTY:+alt}", "", COMPOSEENV_KNOWN },
		{ "${EMPTY+alt}", "alt", COMPOSEENV_KNOWN },
		{ "${UNSET+alt}", "", COMPOSEENV_DEFAULTED },
		{ "${UNSET:-${SET}}", "value", COMPOSEENV_DEFAULTED },
		{ "${UNSET:-${ALSO_UNSET:-deep}}", "deep", COMPOSEENV_DEFAULTED },
		{ "${UNSET:-a${SET}b}", "avalueb", COMPOSEENV_DEFAULTED },
		{ "${SET:-${UNSET}}", "value", COMPOSEENV_UNKNOWN }, /* the word is still read */
		{ "${UNSET:-$$}", "$", COMPOSEENV_DEFAULTED },
		{ "${UNSET:-a:b-c}", "a:b-c", COMPOSEENV_DEFAULTED },
		{ "img:${TAG:-1.25}", "img:1.25", COMPOSEENV_DEFAULTED },
		{ "${UNSET:?must be set}", NULL, COMPOSEENV_ERROR },
		{ "${EMPTY:?must be set}", NULL, COMPOSEENV_ERROR },
		{ "${UNSET?}", NULL, COMPOSEENV_ERROR },
		{ "${}", NULL, COMPOSEENV_ERROR },
		{ "${1}", NULL, COMPOSEENV_ERROR },
		{ "${SET", NULL, COMPOSEENV_ERROR },
		{ "${SET:-x", NULL, COMPOSEENV_ERROR },
		{ "${SET/x/y}", NULL, COMPOSEENV_ERROR },
		{ "${SET:x}", NULL, COMPOSEENV_ERROR },
	};
	struct composeenv env = COMPOSEENV_INIT;
	size_t i;

	(void)state;
	composeenv_set(&env, "SET", "value");
	composeenv_set(&env, "EMPTY", "");
	composeenv_set(&env, "PORT", "8080");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf out = SBUF_INIT;
		char err[200];
		int st = composeenv_interpolate(&env, cases[i].in, &out, err, sizeof(err));

		if (st != cases[i].status)
			fail_msg("%s: status %d, want %d (%s)", cases[i].in, st, cases[i].status,
				 err);
		if (cases[i].out && strcmp(sbuf_cstr(&out), cases[i].out))
			fail_msg("%s: got '%s', want '%s'", cases[i].in, sbuf_cstr(&out),
				 cases[i].out);
		if (st == COMPOSEENV_ERROR && !err[0])
			fail_msg("%s: no error message", cases[i].in);
		sbuf_release(&out);
	}
	composeenv_release(&env);
}

static void test_required_message(void **state)
{
	struct sbuf out = SBUF_INIT;
	char err[200];

	(void)state;
	assert_int_equal(
		composeenv_interpolate(NULL, "${DB_PASS:?set DB_PASS}", &out, err, sizeof(err)),
		COMPOSEENV_ERROR);
	assert_non_null(strstr(err, "DB_PASS"));
	assert_non_null(strstr(err, "set DB_PASS"));
	sbuf_release(&out);
}

static void test_env_parse(void **state)
{
	static const char text[] = "# a comment\n"
				   "\n"
				   "PLAIN=value\n"
				   "  SPACED = padded value   \n"
				   "export EXPORTED=yes\n"
				   "COMMENTED=abc # not part of it\n"
				   "HASH=abc#def\n"
				   "SINGLE='lit $PLAIN # kept'\n"
				   "DOUBLE=\"x ${PLAIN} \\\"q\\\" \\$PLAIN a\\nb\"\n"
				   "UNQ_REF=${PLAIN}-2\n"
				   "DEFAULTED=${NOPE:-fallback}\n"
				   "MULTI=\"line1\nline2\"\n"
				   "EMPTY=\n"
				   "FROM_ENVIRONMENT\n"
				   "PLAIN=override\n"
				   "dotted.key-1=ok\r\n"
				   "=novalue\n"
				   "export\n";
	struct composeenv env = COMPOSEENV_INIT;

	(void)state;
	composeenv_parse(&env, text, sizeof(text) - 1);
	assert_string_equal(composeenv_get(&env, "PLAIN"), "override");
	assert_string_equal(composeenv_get(&env, "SPACED"), "padded value");
	assert_string_equal(composeenv_get(&env, "EXPORTED"), "yes");
	assert_string_equal(composeenv_get(&env, "COMMENTED"), "abc");
	assert_string_equal(composeenv_get(&env, "HASH"), "abc#def");
	assert_string_equal(composeenv_get(&env, "SINGLE"), "lit $PLAIN # kept");
	assert_string_equal(composeenv_get(&env, "DOUBLE"), "x value \"q\" $PLAIN a\nb");
	assert_string_equal(composeenv_get(&env, "UNQ_REF"), "value-2");
	assert_string_equal(composeenv_get(&env, "DEFAULTED"), "fallback");
	assert_string_equal(composeenv_get(&env, "MULTI"), "line1\nline2");
	assert_string_equal(composeenv_get(&env, "EMPTY"), "");
	assert_null(composeenv_get(&env, "FROM_ENVIRONMENT"));
	assert_string_equal(composeenv_get(&env, "dotted.key-1"), "ok");
	assert_null(composeenv_get(&env, "export"));
	assert_null(composeenv_get(&env, "NOPE"));
	composeenv_release(&env);
	composeenv_release(&env); /* twice is harmless */
}

static void test_env_load(void **state)
{
	char dir[] = "/tmp/capfix-envXXXXXX", path[300];
	struct composeenv env = COMPOSEENV_INIT;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(composeenv_load(dir, &env), 0); /* no .env: nothing set */
	assert_int_equal(env.n, 0);
	snprintf(path, sizeof(path), "%s/.env", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("HTTPS_PORT=8443\nTAG=1.27\n", f);
	fclose(f);
	assert_int_equal(composeenv_load(dir, &env), 1);
	assert_string_equal(composeenv_get(&env, "HTTPS_PORT"), "8443");
	composeenv_release(&env);
	unlink(path);
	rmdir(dir);
}

/* The process environment is never read. */
static void test_process_env_ignored(void **state)
{
	struct sbuf out = SBUF_INIT;

	(void)state;
	setenv("CAPFIX_TEST_FROM_PROCESS", "leak", 1);
	assert_int_equal(
		composeenv_interpolate(NULL, "${CAPFIX_TEST_FROM_PROCESS:-d}", &out, NULL, 0),
		COMPOSEENV_DEFAULTED);
	assert_string_equal(sbuf_cstr(&out), "d");
	unsetenv("CAPFIX_TEST_FROM_PROCESS");
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolate_table),   cmocka_unit_test(test_required_message),
		cmocka_unit_test(test_env_parse),	    cmocka_unit_test(test_env_load),
		cmocka_unit_test(test_process_env_ignored),
	};

	return cmocka_run_group_tests_name("composeenv", tests, NULL, NULL);
}
