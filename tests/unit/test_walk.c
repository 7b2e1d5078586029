/* Unit tests for walk.c, on a temporary tree made by each test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/sbuf.h"
#include "capfix/walk.h"

#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void touch(const char *rel)
{
	struct sbuf p = SBUF_INIT;
	FILE *fp;

	sbuf_addf(&p, "%s/%s", root, rel);
	fp = fopen(p.buf, "w");
	assert_non_null(fp);
	fputs("a: 1\n", fp);
	fclose(fp);
	sbuf_release(&p);
}

static void mkd(const char *rel)
{
	struct sbuf p = SBUF_INIT;

	sbuf_addf(&p, "%s/%s", root, rel);
	assert_int_equal(mkdir(p.buf, 0755), 0);
	sbuf_release(&p);
}

static void lnk(const char *target, const char *rel)
{
	struct sbuf p = SBUF_INIT;

	sbuf_addf(&p, "%s/%s", root, rel);
	assert_int_equal(symlink(target, p.buf), 0);
	sbuf_release(&p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/capfix-walk-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	mkd("b");
	mkd("a");
	mkd(".git");
	mkd("chart");
	mkd("chart/templates");
	touch("b/z.yml");
	touch("b/A.yaml");
	touch("a/y.json");
	touch("a/notes.txt");
	touch(".git/x.yaml");
	touch("chart/Chart.yaml");
	touch("chart/templates/d.yaml");
	touch("top.yaml");
	lnk("top.yaml", "link.yaml");
	lnk("..", "a/up");
	lnk("/etc", "b/etc");
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_walk_sorted_filtered(void **state)
{
	struct walk_result wr = WALK_RESULT_INIT;
	const char *roots[] = { root };
	static const char *const want[] = {
		"a/y.json", "b/A.yaml", "b/z.yml", "chart/Chart.yaml", "chart/templates/d.yaml",
		"top.yaml"
	};
	size_t i, n = strlen(root) + 1;

	(void)state;
	walk_collect(&wr, roots, 1);
	assert_int_equal(wr.nproblems, 0);
	assert_int_equal(wr.nfiles, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < wr.nfiles; i++) {
		assert_string_equal(wr.files[i].path + n, want[i]);
		assert_int_equal(wr.files[i].chart_template,
				 !strcmp(want[i], "chart/templates/d.yaml"));
	}
	walk_result_release(&wr);
}

static void test_walk_roots_and_problems(void **state)
{
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf a = SBUF_INIT, b = SBUF_INIT, c = SBUF_INIT, d = SBUF_INIT;
	const char *roots[4];

	(void)state;
	sbuf_addf(&a, "%s/a/notes.txt", root); /* an explicit file is taken whatever its name */
	sbuf_addf(&b, "%s/missing.yaml", root);
	sbuf_addf(&c, "%s/link.yaml", root);
	sbuf_addf(&d, "%s/chart/templates", root);
	roots[0] = a.buf;
	roots[1] = b.buf;
	roots[2] = c.buf;
	roots[3] = d.buf;
	walk_collect(&wr, roots, 4);
	assert_int_equal(wr.nfiles, 2);
	assert_string_equal(wr.files[0].path, a.buf);
	assert_false(wr.files[0].chart_template);
	assert_true(wr.files[1].chart_template);
	assert_int_equal(wr.nproblems, 2);
	assert_true(wr.problems[0].error); /* missing */
	assert_false(wr.problems[1].error); /* symlink: a note */
	walk_result_release(&wr);
	sbuf_release(&a);
	sbuf_release(&b);
	sbuf_release(&c);
	sbuf_release(&d);
}

static void test_manifest_names(void **state)
{
	(void)state;
	assert_true(walk_is_manifest_name("a.yaml"));
	assert_true(walk_is_manifest_name("a.yml"));
	assert_true(walk_is_manifest_name("a.json"));
	assert_false(walk_is_manifest_name("a.yaml.bak"));
	assert_false(walk_is_manifest_name("yaml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_sorted_filtered),
		cmocka_unit_test(test_walk_roots_and_problems),
		cmocka_unit_test(test_manifest_names),
	};

	return cmocka_run_group_tests_name("walk", tests, setup, teardown);
}
