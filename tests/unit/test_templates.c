/*
 * Unit tests for templates.c through templates.h: the embedded policy
 * templates, the --templates-dir override, and the ${key} renderer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/templates.h"
#include "capfix/yamlspan.h"

#include <sys/stat.h>
#include <unistd.h>

/* every key a template may name, with values as the generators write them (quoted scalars) */
static const char *const keys[] = { "name",
				    "caps_flow",
				    "caps_cel",
				    "caps_plain",
				    "namespace",
				    "service_account",
				    "workloads",
				    "labels",
				    "use_name",
				    "privileged",
				    "group",
				    "namespaces",
				    "action",
				    "exempt_cel",
				    "allowed_cel",
				    "exclude_privileged",
				    "exclude_exceptions",
				    "exception_rules",
				    "exceptions",
				    "escalation",
				    "host_network",
				    "host_ipc",
				    "host_pid",
				    "host_ports",
				    "volumes",
				    "run_as_user",
				    "fs_group",
				    "supplemental_groups",
				    "seccomp_profiles",
				    "proc_mount_types",
				    "unsafe_sysctls",
				    "required_drop" };
static const char *const values[] = { "\"capfix-x\"",
				      "[\"CHOWN\"]",
				      "['CHOWN']",
				      "CHOWN",
				      "\"team-a\"",
				      "\"builder\"",
				      "\"Pod/p\"",
				      "    a: b",
				      "\"capfix-x-use\"",
				      "false",
				      "\"system:serviceaccounts:team-a\"",
				      "[\"team-a\"]",
				      "Deny",
				      "\"false\"",
				      "\"['CHOWN']\"",
				      "",
				      "",
				      "",
				      "[]",
				      "false",
				      "true",
				      "false",
				      "false",
				      "[{min: 80, max: 80}]",
				      "[\"secret\", \"hostPath\"]",
				      "RunAsAny",
				      "{rule: RunAsAny}",
				      "{rule: MustRunAs, ranges: [{min: 1, max: 65535}]}",
				      "\"*\"",
				      "[\"Default\"]",
				      "[\"net.core.somaxconn\"]",
				      "[\"ALL\"]" };

static void test_templates_embedded(void **state)
{
	static const char *const expected[] = {
		"gatekeeper.yaml",     "kyverno.yaml", "namespace.yaml", "psp-binding-all.yaml",
		"psp-binding-sa.yaml", "psp.yaml",     "vap.yaml"
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		bool found = false;

		for (j = 0; j < capfix_ntemplates; j++)
			found |= !strcmp(capfix_templates[j].name, expected[i]);
		if (!found)
			fail_msg("no embedded template %s", expected[i]);
	}
	for (i = 0; i < capfix_ntemplates; i++) {
		const struct template_file *t = &capfix_templates[i];
		struct sbuf out = SBUF_INIT, r = SBUF_INIT;
		struct yfile yf = YFILE_INIT;
		struct yerror err;

		/* NUL-terminated at len, with no NUL inside */
		assert_true(t->len > 0);
		assert_int_equal(strlen(t->text), t->len);
		/* found by name, byte for byte */
		assert_int_equal(templates_load(NULL, t->name, &out), 0);
		assert_int_equal(out.len, t->len);
		assert_memory_equal(out.buf, t->text, t->len);
		/* renders with the generator's keys into YAML */
		if (templates_render(out.buf, keys, values, ARRAY_SIZE(keys), &r) < 0)
			fail_msg("%s: %s", t->name, cf_err_last()->msg);
		assert_null(strstr(r.buf, "${"));
		if (yamlspan_parse(&yf, r.buf, r.len, false, &err) < 0)
			fail_msg("%s does not parse once rendered: %d:%d %s", t->name, err.line,
				 err.col, err.msg);
		assert_true(yf.ndocs >= 1);
		assert_non_null(yamlspan_str(yamlspan_get(yf.docs[0].root, "kind")));
		yamlspan_release(&yf);
		sbuf_release(&r);
		sbuf_release(&out);
	}
}

static void test_templates_unknown(void **state)
{
	struct sbuf out = SBUF_INIT;

	(void)state;
	sbuf_addstr(&out, "old contents");
	cf_err_clear();
	assert_int_equal(templates_load(NULL, "nope.yaml", &out), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_string_equal(cf_err_last()->msg, "no template named 'nope.yaml'");
	assert_int_equal(out.len, 0); /* replaced, not appended to */
	assert_int_equal(templates_load(NULL, "psp", &out), -1); /* the whole name */
	assert_int_equal(templates_load(NULL, "", &out), -1);
	/* replaced on success too */
	sbuf_addstr(&out, "old contents");
	assert_int_equal(templates_load(NULL, "vap.yaml", &out), 0);
	assert_null(strstr(sbuf_cstr(&out), "old contents"));
	assert_non_null(strstr(sbuf_cstr(&out), "kind: ValidatingAdmissionPolicy\n"));
	sbuf_release(&out);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_templates_dir_override(void **state)
{
	char dir[] = "/tmp/capfix-tpl-XXXXXX", path[256], sub[256];
	struct sbuf out = SBUF_INIT;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/psp.yaml", dir);
	write_file(path, "# custom\nname: ${name}\n");
	/* the directory's copy wins */
	assert_int_equal(templates_load(dir, "psp.yaml", &out), 0);
	assert_string_equal(sbuf_cstr(&out), "# custom\nname: ${name}\n");
	/* a name the directory lacks: the embedded copy */
	assert_int_equal(templates_load(dir, "vap.yaml", &out), 0);
	for (i = 0; i < capfix_ntemplates; i++)
		if (!strcmp(capfix_templates[i].name, "vap.yaml"))
			assert_string_equal(sbuf_cstr(&out), capfix_templates[i].text);
	/* a name neither has */
	assert_int_equal(templates_load(dir, "nope.yaml", &out), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	/* a directory may add templates of its own */
	snprintf(sub, sizeof(sub), "%s/extra.yaml", dir);
	write_file(sub, "");
	assert_int_equal(templates_load(dir, "extra.yaml", &out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(unlink(sub), 0);
	/* something there that cannot be read is an error, not a silent fallback */
	snprintf(sub, sizeof(sub), "%s/kyverno.yaml", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	cf_err_clear();
	assert_int_equal(templates_load(dir, "kyverno.yaml", &out), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	/* the message names the file (it came out empty: cf_err formatted its own buffer) */
	assert_non_null(strstr(cf_err_last()->msg, "kyverno.yaml: not a regular file"));
	assert_int_equal(rmdir(sub), 0);
	/* a directory that does not exist: every name from the embedded set */
	snprintf(sub, sizeof(sub), "%s/missing", dir);
	assert_int_equal(templates_load(sub, "psp.yaml", &out), 0);
	assert_non_null(strstr(sbuf_cstr(&out), "kind: PodSecurityPolicy\n"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	sbuf_release(&out);
}

static void test_templates_render(void **state)
{
	const char *k[] = { "name", "n" };
	const char *v[] = { "web", "${name}" };
	struct sbuf out = SBUF_INIT;

	(void)state;
	assert_int_equal(templates_render("a ${name} b ${n}; $$HOME $x $ ${name}", k, v, 2, &out),
			 0);
	/* values are not expanded again; $$ is $; a lone $ stays */
	assert_string_equal(sbuf_cstr(&out), "a web b ${name}; $HOME $x $ web");
	/* appends */
	assert_int_equal(templates_render("|${name}|", k, v, 2, &out), 0);
	assert_string_equal(sbuf_cstr(&out), "a web b ${name}; $HOME $x $ web|web|");
	sbuf_release(&out);

	/* an unknown key: an error naming it, nothing appended */
	sbuf_addstr(&out, "kept");
	cf_err_clear();
	assert_int_equal(templates_render("x ${name} ${nam} y", k, v, 2, &out), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_string_equal(cf_err_last()->msg, "unknown template variable ${nam}");
	assert_string_equal(sbuf_cstr(&out), "kept");
	assert_int_equal(templates_render("${names}", k, v, 2, &out), -1);
	assert_int_equal(templates_render("${}", k, v, 2, &out), -1);
	/* an unterminated ${ */
	assert_int_equal(templates_render("x ${name", k, v, 2, &out), -1);
	assert_non_null(strstr(cf_err_last()->msg, "unterminated"));
	assert_string_equal(sbuf_cstr(&out), "kept");
	/* no keys at all; empty text */
	assert_int_equal(templates_render("plain $$ text\n", NULL, NULL, 0, &out), 0);
	assert_int_equal(templates_render("", k, v, 2, &out), 0);
	assert_string_equal(sbuf_cstr(&out), "keptplain $ text\n");
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates_embedded),
		cmocka_unit_test(test_templates_unknown),
		cmocka_unit_test(test_templates_dir_override),
		cmocka_unit_test(test_templates_render),
	};

	return cmocka_run_group_tests_name("templates", tests, NULL, NULL);
}
