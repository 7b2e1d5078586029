/* Unit tests for krm.c: a ResourceList in, its items fixed and results added. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/krm.h"
#include "capfix/yamlspan.h"

static const char rl[] = "apiVersion: config.kubernetes.io/v1\n"
			 "kind: ResourceList\n"
			 "functionConfig:\n"
			 "  apiVersion: v1\n"
			 "  kind: ConfigMap\n"
			 "  metadata: {name: capfix}\n"
			 "  data:\n"
			 "    deny: SYS_ADMIN\n"
			 "items:\n"
			 "- apiVersion: apps/v1\n"
			 "  kind: Deployment\n"
			 "  metadata:\n"
			 "    name: web # kept\n"
			 "    namespace: shop\n"
			 "    annotations:\n"
			 "      config.kubernetes.io/path: 'deploy/web.yaml'\n"
			 "      internal.config.kubernetes.io/path: 'deploy/web.yaml'\n"
			 "      config.kubernetes.io/index: '0'\n"
			 "  spec:\n"
			 "    selector: {matchLabels: {app: web}}\n"
			 "    template:\n"
			 "      spec:\n"
			 "        containers:\n"
			 "        - name: app\n"
			 "          image: registry.example/app:1\n"
			 "          securityContext: {capabilities: {add: [SYS_ADMIN]}}\n"
			 "- apiVersion: v1\n"
			 "  kind: Pod\n"
			 "  metadata:\n"
			 "    name: \"priv\\nx\"\n"
			 "    annotations: {internal.config.kubernetes.io/path: pods/priv.yaml}\n"
			 "  spec:\n"
			 "    containers:\n"
			 "    - {name: c, image: i, securityContext: {privileged: true}}\n";

static void test_yaml(void **state)
{
	struct fix_opts o = FIX_OPTS_INIT;
	struct capcfg cfg;
	struct sbuf out = SBUF_INIT;
	struct krm_stats st;
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *results, *r0;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(krm_run(rl, strlen(rl), &o, &cfg, &out, &st), 0);
	assert_int_equal(st.items, 2);
	assert_int_equal(st.fixed, 1);
	/* warnings: the Deployment's unknown image (fixed without evidence), the privileged Pod */
	assert_int_equal(st.warnings, 2);
	/* the item is fixed in place, its comment and annotations kept; SYS_ADMIN denied */
	assert_non_null(strstr(out.buf, "name: web # kept\n"));
	assert_non_null(strstr(out.buf, "config.kubernetes.io/path: 'deploy/web.yaml'\n"));
	assert_non_null(strstr(out.buf, "drop: [ALL]"));
	assert_null(strstr(out.buf, "add: [SYS_ADMIN]"));
	/* the output is one YAML document with results after the items */
	assert_int_equal(yamlspan_parse(&yf, out.buf, out.len, false, &err), 0);
	assert_int_equal(yf.ndocs, 1);
	results = yamlspan_get(yf.docs[0].root, "results");
	assert_non_null(results);
	assert_int_equal(results->kind, YN_SEQ);
	assert_int_equal(results->nkids, 3);
	r0 = results->kids[0];
	assert_string_equal(yamlspan_str(yamlspan_get(r0, "severity")), "info");
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(r0, "resourceRef"), "kind")),
			    "Deployment");
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(r0, "resourceRef"), "namespace")), "shop");
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(r0, "file"), "path")),
			    "deploy/web.yaml");
	assert_string_equal(yamlspan_str(yamlspan_get(results->kids[2], "severity")), "warning");
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(results->kids[2], "file"), "path")),
		"pods/priv.yaml");
	/* a name with a newline stays one quoted scalar */
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(results->kids[2], "resourceRef"), "name")),
		"priv\nx");
	yamlspan_release(&yf);
	capcfg_release(&cfg);
	sbuf_release(&out);
}

static void test_json(void **state)
{
	static const char j[] =
		"{\"apiVersion\": \"config.kubernetes.io/v1\", \"kind\": \"ResourceList\",\n"
		" \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"},\n"
		"  \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}]}\n";
	struct fix_opts o = FIX_OPTS_INIT;
	struct capcfg cfg;
	struct sbuf out = SBUF_INIT;
	struct krm_stats st;
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *results;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(krm_run(j, strlen(j), &o, &cfg, &out, &st), 0);
	assert_int_equal(st.fixed, 1);
	assert_int_equal(yamlspan_parse(&yf, out.buf, out.len, true, &err), 0);
	results = yamlspan_get(yf.docs[0].root, "results");
	assert_non_null(results);
	assert_int_equal(results->nkids, 2); /* the change and the unknown image "i" */
	yamlspan_release(&yf);
	capcfg_release(&cfg);
	sbuf_release(&out);
}

static void test_errors(void **state)
{
	struct fix_opts o = FIX_OPTS_INIT;
	struct capcfg cfg;
	struct sbuf out = SBUF_INIT;
	struct krm_stats st;
	const char *not_rl = "apiVersion: v1\nkind: List\nitems: []\n";
	const char *done =
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nresults: []\n";
	const char *bad = "kind: ResourceList\nfunctionConfig: {data: {deny: 'NOPE'}}\nitems: []\n";
	const char *empty = "kind: ResourceList\nitems: []\n";

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(krm_run(not_rl, strlen(not_rl), &o, &cfg, &out, &st), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_INPUT);
	assert_int_equal(krm_run(done, strlen(done), &o, &cfg, &out, &st), -1);
	assert_non_null(strstr(cf_err_last()->msg, "already has results"));
	assert_int_equal(krm_run(bad, strlen(bad), &o, &cfg, &out, &st), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_int_equal(out.len, 0); /* nothing written on failure */
	assert_int_equal(krm_run(empty, strlen(empty), &o, &cfg, &out, &st), 0);
	assert_string_equal(out.buf, "kind: ResourceList\nitems: []\nresults: []\n");
	capcfg_release(&cfg);
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
