/* Unit tests for ignore.c: gitignore-style rules, .capfixignore, and what git ignores. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/ignore.h"

#include <unistd.h>

static void test_rules(void **state)
{
	static const struct {
		const char *rule, *path;
		bool dir, out;
	} cases[] = {
		{ "*.json", "a.json", false, true },
		{ "*.json", "deep/er/a.json", false, true }, /* no slash: any depth */
		{ "*.json", "a.yaml", false, false },
		{ "vendor", "vendor", true, true },
		{ "vendor", "x/vendor", true, true },
		{ "vendor/", "vendor", false, false }, /* directories only */
		{ "vendor/", "vendor", true, true },
		{ "deploy/*.yaml", "deploy/a.yaml", false, true },
		{ "deploy/*.yaml", "x/deploy/a.yaml", false, false }, /* anchored */
		{ "deploy/*.yaml", "deploy/sub/a.yaml", false, false }, /* * stays in a component */
		{ "/top.yaml", "top.yaml", false, true },
		{ "/top.yaml", "d/top.yaml", false, false },
		{ "**/charts", "a/b/charts", true, true },
		{ "**/charts", "charts", true, true },
		{ "a/**/z.yaml", "a/z.yaml", false, true },
		{ "a/**/z.yaml", "a/b/c/z.yaml", false, true },
		{ "a/**", "a/b/c.yaml", false, true },
		{ "a/**", "b/a/c.yaml", false, false },
		{ "te?t.yaml", "test.yaml", false, true },
		{ "[ab].yaml", "b.yaml", false, true },
		{ "[ab].yaml", "c.yaml", false, false },
		{ "# comment", "# comment", false, false },
		{ "", "x", false, false },
		{ "\\#hash.yaml", "#hash.yaml", false, true },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ignore ig = IGNORE_INIT;

		ignore_add(&ig, cases[i].rule);
		if (ignore_path(&ig, cases[i].path, cases[i].dir) != cases[i].out)
			fail_msg("rule '%s' on '%s'%s: expected %s", cases[i].rule, cases[i].path,
				 cases[i].dir ? " (dir)" : "", cases[i].out ? "out" : "in");
		ignore_release(&ig);
	}
}

static void test_order_and_negation(void **state)
{
	struct ignore ig = IGNORE_INIT;

	(void)state;
	assert_true(ignore_empty(&ig));
	ignore_add(&ig, "*.yaml");
	ignore_add(&ig, "!keep.yaml");
	assert_false(ignore_empty(&ig));
	assert_true(ignore_path(&ig, "a.yaml", false));
	assert_false(ignore_path(&ig, "d/keep.yaml", false)); /* the last matching rule wins */
	assert_true(ignore_path(&ig, "./a.yaml", false)); /* a leading ./ is the same path */
	ignore_release(&ig);
}

static void test_files_and_git(void **state)
{
	char dir[] = "/tmp/capfix-ign-XXXXXX", cwd[4096];
	struct ignore ig = IGNORE_INIT;
	FILE *fp;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(ignore_add_file(&ig, ".capfixignore"), 0); /* absent: nothing */
	fp = fopen(".capfixignore", "w");
	assert_non_null(fp);
	fputs("# generated\r\nbuild/\n*.tmp.yaml  \n", fp);
	fclose(fp);
	assert_int_equal(ignore_add_file(&ig, ".capfixignore"), 0);
	assert_true(ignore_path(&ig, "build", true));
	assert_true(ignore_path(&ig, "x.tmp.yaml", false)); /* trailing blanks dropped */
	assert_false(ignore_path(&ig, "x.yaml", false));
	ignore_release(&ig);
	/* a link is not read */
	assert_int_equal(symlink("/etc/passwd", "link"), 0);
	assert_int_equal(ignore_add_file(&ig, "link"), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	ignore_release(&ig);
	/* not in a work tree: no repository, nothing ignored by git */
	assert_int_equal(ignore_use_git(&ig), 0);
	assert_true(ignore_empty(&ig));
	/* in one: what .gitignore says (directories and files), from a subdirectory too */
	assert_int_equal(
		system("git init -q . && mkdir -p sub/gen && printf 'gen/\\n*.secret.yaml\\n' > sub/.gitignore"),
		0);
	assert_int_equal(chdir("sub"), 0);
	assert_int_equal(ignore_use_git(&ig), 0);
	assert_false(ignore_empty(&ig));
	assert_true(ignore_path(&ig, "gen", true));
	assert_true(ignore_path(&ig, "a.secret.yaml", false));
	assert_false(ignore_path(&ig, "a.yaml", false));
	/* paths through "..": resolved against the work tree, and outside it not git's */
	assert_true(ignore_path(&ig, "../sub/gen", true));
	assert_true(ignore_path(&ig, "./gen/../gen", true));
	assert_false(ignore_path(&ig, "../../elsewhere", true));
	assert_false(ignore_path(&ig, "../../elsewhere/x.yaml", false));
	{
		char here[4096], up[4200];

		assert_non_null(getcwd(here, sizeof(here)));
		snprintf(up, sizeof(up), "%s/../../outside", here);
		assert_false(ignore_path(&ig, up, true));
	}
	ignore_release(&ig);
	assert_int_equal(chdir(cwd), 0);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_order_and_negation),
		cmocka_unit_test(test_files_and_git),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
