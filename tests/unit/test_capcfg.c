/* Unit tests for capcfg.c: parsing, errors with positions, matching. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/capcfg.h"
#include "capfix/caps.h"
#include "capfix/err.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t bit(const char *name)
{
	const struct cap_info *ci = caps_lookup(name);

	assert_non_null(ci);
	return (uint64_t)1 << ci->number;
}

static void test_capcfg_parse_and_eval(void **state)
{
	const char *y = "deny: [SYS_ADMIN]\n"
			"allow: [cap_net_bind_service]\n"
			"rules:\n"
			"  - image: \"example.com/net-*\"\n"
			"    allow: [NET_ADMIN]\n"
			"  - namespace: kube-system\n"
			"    workload: \"DaemonSet/node-*\"\n"
			"    container: agent\n"
			"    add: [NET_RAW]\n"
			"  - image: nginx\n"
			"    deny: [CHOWN]\n";
	struct capcfg cfg = CAPCFG_INIT;
	struct capcfg_target t = { "example.com/net-agent:3", "kube-system", "DaemonSet",
				   "node-agent", "agent" };
	uint64_t allow, deny, add;

	(void)state;
	assert_int_equal(capcfg_load(&cfg, "c.yaml", y, strlen(y)), 0);
	assert_int_equal(cfg.nrules, 4); /* the top level counts as a rule */
	capcfg_eval(&cfg, &t, &allow, &deny, &add);
	assert_true(allow == (bit("NET_BIND_SERVICE") | bit("NET_ADMIN")));
	assert_true(deny == bit("SYS_ADMIN"));
	assert_true(add == bit("NET_RAW"));
	/* workload by name alone, another namespace, the default namespace */
	t.ns = NULL;
	capcfg_eval(&cfg, &t, &allow, &deny, &add);
	assert_true(add == 0);
	/* an image matched through its repository name */
	t.image = "docker.io/library/nginx:1.25@sha256:abc";
	capcfg_eval(&cfg, &t, &allow, &deny, &add);
	assert_true(deny == (bit("SYS_ADMIN") | bit("CHOWN")));
	capcfg_release(&cfg);
}

static void test_capcfg_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *want; /* substring of the message, position included */
	} bad[] = {
		{ "deny: [SYS_ADMINN]\n", "c.yaml:1:8: unknown capability 'SYS_ADMINN'" },
		{ "deny: SYS_ADMIN\n", "c.yaml:1:7: expected a list" },
		{ "rules:\n  - imag: x\n", "c.yaml:2:5: unknown key 'imag'" },
		{ "rules:\n  - image: [a]\n", "c.yaml:2:12: 'image' must be a string" },
		{ "rules: {a: b}\n", "c.yaml:1:8: 'rules' must be a list" },
		{ "image: x\n", "c.yaml:1:1: unknown key 'image'" },
		{ "deny: [\n", "c.yaml:" },
		{ "a: 1\n---\nb: 2\n", "expected one document" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct capcfg cfg = CAPCFG_INIT;

		if (capcfg_load(&cfg, "c.yaml", bad[i].yaml, strlen(bad[i].yaml)) != -1)
			fail_msg("case %zu loaded", i);
		assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
		if (!strstr(cf_err_last()->msg, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, cf_err_last()->msg, bad[i].want);
		assert_int_equal(cfg.nrules, 0);
		capcfg_release(&cfg);
	}
}

static void test_capcfg_empty_and_list(void **state)
{
	struct capcfg cfg = CAPCFG_INIT;
	uint64_t m = 0;

	(void)state;
	assert_int_equal(capcfg_load(&cfg, "c.yaml", "# nothing\n", 10), 0);
	assert_int_equal(cfg.nrules, 0);
	capcfg_release(&cfg);
	assert_int_equal(capcfg_parse_list("SYS_ADMIN,cap_net_raw", &m), 0);
	assert_true(m == (bit("SYS_ADMIN") | bit("NET_RAW")));
	assert_int_equal(capcfg_parse_list("SYS_ADMIN,BOGUS", &m), -1);
	assert_non_null(strstr(cf_err_last()->msg, "BOGUS"));
}

/* capcfg_load_file: the named file, else ./.capfix.yaml when there is one */
static void test_capcfg_load_file(void **state)
{
	char dir[] = "/tmp/capfix-cfg-XXXXXX", cwd[4096];
	struct capcfg cfg;
	FILE *fp;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(capcfg_load_file(&cfg, NULL), 0); /* no default file: nothing */
	assert_int_equal(capcfg_load_file(&cfg, "missing.yaml"), -1); /* a named one must exist */
	assert_non_null(strstr(cf_err_last()->msg, "missing.yaml: "));
	fp = fopen(CAPCFG_DEFAULT_PATH, "w");
	assert_non_null(fp);
	fputs("deny: [NET_RAW]\n", fp);
	fclose(fp);
	assert_int_equal(capcfg_load_file(&cfg, NULL), 1);
	capcfg_release(&cfg);
	fp = fopen("bad.yaml", "w");
	assert_non_null(fp);
	fputs("deny: [NOT_A_CAP]\n", fp);
	fclose(fp);
	assert_int_equal(capcfg_load_file(&cfg, "bad.yaml"), -1);
	assert_non_null(strstr(cf_err_last()->msg, "bad.yaml:1:"));
	unlink(CAPCFG_DEFAULT_PATH);
	/* found, not named: a symbolic link is not followed (it could point anywhere) */
	fp = fopen("secret", "w");
	assert_non_null(fp);
	fputs("root:$6$abcdefghijklmnopqrstuvwxyz:19000:0:99999:7:::\n", fp);
	fclose(fp);
	assert_int_equal(symlink("secret", CAPCFG_DEFAULT_PATH), 0);
	assert_int_equal(capcfg_load_file(&cfg, NULL), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_non_null(
		strstr(cf_err_last()->msg, ".capfix.yaml: not a regular file (a symbolic link)"));
	assert_null(strstr(cf_err_last()->msg, "root"));
	/* named, it is the user's choice: read, but the message shows 24 bytes of the key at most
	 */
	assert_int_equal(capcfg_load_file(&cfg, CAPCFG_DEFAULT_PATH), -1);
	assert_non_null(strstr(cf_err_last()->msg, "unknown key 'root:$6$abcdefghijklmnop...'"));
	fp = fopen("ctl.yaml", "w");
	assert_non_null(fp);
	fputs("\"a\\u001b[31mb\": 1\n", fp);
	fclose(fp);
	assert_int_equal(capcfg_load_file(&cfg, "ctl.yaml"), -1);
	assert_non_null(strstr(cf_err_last()->msg, "unknown key 'a\\033[31mb'"));
	unlink(CAPCFG_DEFAULT_PATH);
	/* found upwards, up to the top of the work tree (a directory holding .git), not beyond */
	{
		struct capcfg c2;

		memset(&c2, 0, sizeof(c2));
		assert_int_equal(mkdir("repo", 0755), 0);
		assert_int_equal(mkdir("repo/.git", 0755), 0);
		assert_int_equal(mkdir("repo/a", 0755), 0);
		assert_int_equal(mkdir("repo/a/b", 0755), 0);
		fp = fopen(CAPCFG_DEFAULT_PATH, "w"); /* above the work tree: never read */
		assert_non_null(fp);
		fputs("deny: [NOT_A_CAP]\n", fp);
		fclose(fp);
		assert_int_equal(chdir("repo/a/b"), 0);
		assert_int_equal(capcfg_load_file(&c2, NULL), 0);
		fp = fopen("../../" CAPCFG_DEFAULT_PATH, "w");
		assert_non_null(fp);
		fputs("deny: [NET_RAW]\n", fp);
		fclose(fp);
		assert_int_equal(capcfg_load_file(&c2, NULL), 1);
		capcfg_release(&c2);
		assert_int_equal(unlink("../../" CAPCFG_DEFAULT_PATH), 0);
		assert_int_equal(chdir("../../.."), 0);
		assert_int_equal(system("rm -rf repo"), 0);
		unlink(CAPCFG_DEFAULT_PATH);
	}
	unlink("secret");
	unlink("ctl.yaml");
	unlink("bad.yaml");
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
}

/* ignore: rules with globs, a path, a mandatory reason; the matcher. */
static int load_str(struct capcfg *cfg, const char *y)
{
	return capcfg_load(cfg, "c.yaml", y, strlen(y));
}

static void test_capcfg_ignore(void **state)
{
	const char *y = "deny: [SYS_ADMIN]\n"
			"ignore:\n"
			"  - rules: [CF001, cf003]\n"
			"    namespace: kube-*\n"
			"    reason: system pods\n"
			"  - rules: all\n"
			"    path: vendor\n"
			"    workload: \"Deployment/legacy-*\"\n"
			"    reason: vendored\n";
	struct capcfg cfg = CAPCFG_INIT;
	struct capcfg_target sys = { NULL, "kube-system", "DaemonSet", "cni", "c" };
	struct capcfg_target legacy = { NULL, NULL, "Deployment", "legacy-a", "c" };

	(void)state;
	assert_int_equal(capcfg_load(&cfg, "c.yaml", y, strlen(y)), 0);
	assert_int_equal(cfg.rules[0].nignores, 2);
	assert_string_equal(capcfg_ignored(&cfg, &sys, "a.yaml", "CF001"), "system pods");
	assert_string_equal(capcfg_ignored(&cfg, &sys, "a.yaml", "CF003"), "system pods");
	assert_null(capcfg_ignored(&cfg, &sys, "a.yaml", "CF002"));
	assert_string_equal(capcfg_ignored(&cfg, &legacy, "./vendor/x/d.yaml", "CF302"),
			    "vendored");
	assert_null(capcfg_ignored(&cfg, &legacy, "mine/d.yaml", "CF302"));
	legacy.name = "other";
	assert_null(capcfg_ignored(&cfg, &legacy, "vendor/d.yaml", "CF302"));
	capcfg_release(&cfg);

	/* a reason is mandatory: path:line:col of the rule */
	assert_int_equal(load_str(&cfg, "ignore:\n  - rules: all\n    path: x\n"), -1);
	assert_string_equal(cf_err_last()->msg, "c.yaml:2:5: an ignore rule needs a reason");
	assert_int_equal(load_str(&cfg, "ignore:\n  - reason: r\n"), -1);
	assert_non_null(strstr(cf_err_last()->msg, "needs 'rules'"));
	assert_int_equal(load_str(&cfg, "ignore:\n  - {rules: all, reason: r, what: x}\n"), -1);
	assert_non_null(strstr(cf_err_last()->msg, "unknown key 'what'"));
	assert_int_equal(load_str(&cfg, "ignore: {rules: all}\n"), -1);
	assert_non_null(strstr(cf_err_last()->msg, "'ignore' must be a list"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capcfg_parse_and_eval),
		cmocka_unit_test(test_capcfg_errors),
		cmocka_unit_test(test_capcfg_empty_and_list),
		cmocka_unit_test(test_capcfg_load_file),
		cmocka_unit_test(test_capcfg_ignore),
	};

	return cmocka_run_group_tests_name("capcfg", tests, NULL, NULL);
}
