/* Unit tests for gitops.c, on a repository made with libgit2 in a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/gitops.h"
#include "capfix/patch.h"
#include "capfix/sbuf.h"

#include <git2.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], oldcwd[PATH_MAX];

static const char *file_a = "kind: Pod\nspec: {}\n";
static const char *file_b = "kind: Service\n";

/* A repository with one commit: deploy/a.yaml, deploy/b.yml, notes.txt, chart/templates/t.yaml. */
static int setup(void **state)
{
	git_repository *repo = NULL;
	git_treebuilder *root = NULL, *deploy = NULL, *chart = NULL, *tpl = NULL;
	git_oid id, deploy_id, chart_id, tpl_id, tree_id, commit_id;
	git_signature *sig = NULL;
	git_tree *tree = NULL;

	(void)state;
	git_libgit2_init();
	if (!getcwd(oldcwd, sizeof(oldcwd)))
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/capfix-git-XXXXXX");
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 0) < 0)
		return -1;
	git_treebuilder_new(&deploy, repo, NULL);
	git_blob_create_from_buffer(&id, repo, file_a, strlen(file_a));
	git_treebuilder_insert(NULL, deploy, "a.yaml", &id, GIT_FILEMODE_BLOB);
	git_blob_create_from_buffer(&id, repo, file_b, strlen(file_b));
	git_treebuilder_insert(NULL, deploy, "b.yml", &id, GIT_FILEMODE_BLOB_EXECUTABLE);
	git_treebuilder_write(&deploy_id, deploy);
	git_treebuilder_new(&tpl, repo, NULL);
	git_treebuilder_insert(NULL, tpl, "t.yaml", &id, GIT_FILEMODE_BLOB);
	git_treebuilder_write(&tpl_id, tpl);
	git_treebuilder_new(&chart, repo, NULL);
	git_treebuilder_insert(NULL, chart, "Chart.yaml", &id, GIT_FILEMODE_BLOB);
	git_treebuilder_insert(NULL, chart, "templates", &tpl_id, GIT_FILEMODE_TREE);
	git_treebuilder_write(&chart_id, chart);
	git_treebuilder_new(&root, repo, NULL);
	git_treebuilder_insert(NULL, root, "deploy", &deploy_id, GIT_FILEMODE_TREE);
	git_treebuilder_insert(NULL, root, "chart", &chart_id, GIT_FILEMODE_TREE);
	git_blob_create_from_buffer(&id, repo, "x", 1);
	git_treebuilder_insert(NULL, root, "notes.txt", &id, GIT_FILEMODE_BLOB);
	git_treebuilder_write(&tree_id, root);
	git_tree_lookup(&tree, repo, &tree_id);
	git_signature_new(&sig, "t", "t@example.com", 1700000000, 0);
	if (git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL, "base", tree, 0, NULL) < 0)
		return -1;
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(root);
	git_treebuilder_free(deploy);
	git_treebuilder_free(chart);
	git_treebuilder_free(tpl);
	git_repository_free(repo);
	setenv("GIT_AUTHOR_NAME", "bot", 1);
	setenv("GIT_AUTHOR_EMAIL", "bot@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "bot", 1);
	setenv("GIT_COMMITTER_EMAIL", "bot@example.com", 1);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	return chdir(dir);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (chdir(oldcwd) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	git_libgit2_shutdown();
	return system(cmd) == 0 ? 0 : -1;
}

static void test_list_and_relpath(void **state)
{
	struct gitops *g = NULL;
	struct gitops_file *files = NULL;
	size_t n = 0;
	char *rel = NULL;
	const char *all[] = { "" }, *sub[] = { "deploy/b.yml", "deploy" }, *none[] = { "nope" };

	(void)state;
	assert_int_equal(gitops_open(&g, NULL), 0);
	assert_int_equal(strlen(gitops_base_id(g)), 40);
	assert_int_equal(gitops_list(g, all, 1, &files, &n), 0);
	assert_int_equal(n, 4); /* Chart.yaml, t.yaml, a.yaml, b.yml; not notes.txt */
	assert_string_equal(files[0].path, "chart/Chart.yaml");
	assert_false(files[0].chart_template);
	assert_string_equal(files[1].path, "chart/templates/t.yaml");
	assert_true(files[1].chart_template);
	assert_string_equal(files[2].path, "deploy/a.yaml");
	assert_string_equal(files[2].data, file_a);
	assert_int_equal(files[3].mode, 0100755);
	gitops_files_free(files, n);
	/* overlapping paths are listed once */
	assert_int_equal(gitops_list(g, sub, 2, &files, &n), 0);
	assert_int_equal(n, 2);
	gitops_files_free(files, n);
	assert_int_equal(gitops_list(g, none, 1, &files, &n), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	/* paths relative to the current directory */
	assert_int_equal(gitops_relpath(g, "./deploy/../deploy/a.yaml", &rel), 0);
	assert_string_equal(rel, "deploy/a.yaml");
	free(rel);
	assert_int_equal(gitops_relpath(g, ".", &rel), 0);
	assert_string_equal(rel, "");
	free(rel);
	assert_int_equal(gitops_relpath(g, "/etc", &rel), -1);
	assert_int_equal(gitops_relpath(g, "..", &rel), -1);
	gitops_free(g);
}

static void test_branch_names(void **state)
{
	struct gitops *g = NULL;

	(void)state;
	assert_int_equal(gitops_open(&g, NULL), 0);
	assert_int_equal(gitops_check_branch(g, "capfix/drop-caps", false), 0);
	assert_int_equal(gitops_check_branch(g, "bad..name", false), -1);
	assert_int_equal(gitops_check_branch(g, "", false), -1);
	assert_int_equal(gitops_check_branch(g, "main", false) == 0 ||
				 gitops_check_branch(g, "master", false) == 0,
			 1); /* one of them is HEAD's branch */
	gitops_free(g);
}

static void test_commit_and_backout_check(void **state)
{
	struct gitops *g = NULL;
	struct sbuf backout = SBUF_INIT, wrong = SBUF_INIT;
	const char *fixed = "kind: Pod\nspec: {}\n# changed\n";
	struct gitops_change ch = { "deploy/a.yaml", 0100644, { 0 } };
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	char id[41], id2[41];

	(void)state;
	assert_int_equal(gitops_open(&g, NULL), 0);
	assert_int_equal(gitops_write_blob(g, ch.path, fixed, strlen(fixed), ch.id), 0);
	assert_int_equal(patch_append(&backout, ch.path, false, fixed, strlen(fixed), file_a,
				      strlen(file_a)),
			 0);
	/* a backout that does not undo the change: no ref */
	assert_int_equal(
		patch_append(&wrong, ch.path, false, fixed, strlen(fixed), "kind: Pod\n", 10), 0);
	assert_int_equal(gitops_commit_branch(g, "t/wrong", false, &ch, 1, wrong.buf, wrong.len,
					      NULL, "msg\n", id),
			 -1);
	assert_int_equal(cf_err_last()->cls, CF_E_EDIT);
	assert_int_equal(git_repository_open(&repo, "."), 0);
	assert_int_equal(git_reference_lookup(&ref, repo, "refs/heads/t/wrong"), GIT_ENOTFOUND);
	/* the right one: a ref, deterministic with SOURCE_DATE_EPOCH */
	assert_int_equal(gitops_commit_branch(g, "t/ok", false, &ch, 1, backout.buf, backout.len,
					      "backout.patch", "msg\n", id),
			 0);
	assert_int_equal(gitops_commit_branch(g, "t/ok", false, &ch, 1, backout.buf, backout.len,
					      "backout.patch", "msg\n", id2),
			 -1); /* exists */
	assert_int_equal(gitops_commit_branch(g, "t/ok", true, &ch, 1, backout.buf, backout.len,
					      "backout.patch", "msg\n", id2),
			 0);
	assert_string_equal(id, id2);
	assert_int_equal(git_reference_lookup(&ref, repo, "refs/heads/t/ok"), 0);
	git_reference_free(ref);
	git_repository_free(repo);
	sbuf_release(&backout);
	sbuf_release(&wrong);
	gitops_free(g);
}

/* The listing without bytes, loaded one blob at a time */
static void test_lazy_list(void **state)
{
	static const char *const all[] = { "" };
	struct gitops *g = NULL;
	struct gitops_file *files = NULL;
	size_t n = 0, i;

	(void)state;
	assert_int_equal(gitops_open(&g, NULL), 0);
	assert_int_equal(gitops_list_lazy(g, all, 1, &files, &n), 0);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_null(files[i].data);
		assert_int_equal(gitops_file_load(g, &files[i]), 0);
		assert_non_null(files[i].data);
		if (!strcmp(files[i].path, "deploy/a.yaml"))
			assert_string_equal(files[i].data, file_a);
		gitops_file_unload(&files[i]);
		assert_null(files[i].data);
	}
	gitops_files_free(files, n);
	gitops_free(g);
}

/* Where the backout patch may go in the commit */
static void test_new_path(void **state)
{
	static const char *const bad[] = { "",	     "/abs",	      "x/",	"../x",
					   "a/../b", "./x",	      "a//b",	".git/x",
					   "a/.GIT", "deploy/a.yaml", "deploy", "deploy/a.yaml/x",
					   "a\\b" };
	struct gitops *g = NULL;
	size_t i;

	(void)state;
	assert_int_equal(gitops_open(&g, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (gitops_check_new_path(g, bad[i]) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	}
	assert_int_equal(gitops_check_new_path(g, "ops/backout.patch"), 0);
	assert_int_equal(gitops_check_new_path(g, "deploy/new/backout.patch"), 0);
	assert_int_equal(gitops_check_new_path(g, "..x"), 0);
	gitops_free(g);
}

/* The branch checked out in the work tree is refused, with or without --force */
static void test_checked_out(void **state)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	struct gitops *g = NULL;
	const char *name;

	(void)state;
	assert_int_equal(git_repository_open(&repo, "."), 0);
	assert_int_equal(git_reference_lookup(&head, repo, "HEAD"), 0);
	name = git_reference_symbolic_target(head) + strlen("refs/heads/");
	assert_int_equal(gitops_open(&g, NULL), 0);
	assert_int_equal(gitops_check_branch(g, name, true), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_non_null(strstr(cf_err_last()->msg, "checked out"));
	assert_int_equal(gitops_check_branch(g, name, false), -1);
	assert_non_null(strstr(cf_err_last()->msg, "checked out"));
	gitops_free(g);
	git_reference_free(head);
	git_repository_free(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_relpath),
		cmocka_unit_test(test_branch_names),
		cmocka_unit_test(test_commit_and_backout_check),
		cmocka_unit_test(test_lazy_list),
		cmocka_unit_test(test_new_path),
		cmocka_unit_test(test_checked_out),
	};

	return cmocka_run_group_tests_name("gitops", tests, setup, teardown);
}
