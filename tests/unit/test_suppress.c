/*
 * Unit tests for suppress.c: ignore values (rule lists, all, reasons),
 * annotations on the object, the pod template and per container,
 * kubeaudit's overrides, compose's x-capfix, and values without a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/caps.h"
#include "capfix/k8s.h"
#include "capfix/suppress.h"

static void test_suppress_parse(void **state)
{
	char *r;

	(void)state;
	assert_int_equal(suppress_parse("CF001,CF003: why not", "CF003", &r), 1);
	assert_string_equal(r, "why not");
	free(r);
	assert_int_equal(suppress_parse(" cf001 , CF003 :  trimmed  ", "CF001", &r), 1);
	assert_string_equal(r, "trimmed");
	free(r);
	assert_int_equal(suppress_parse("all: everything", "CF204", &r), 1);
	free(r);
	assert_int_equal(suppress_parse("CF001: a reason", "CF002", &r), 0);
	assert_null(r);
	/* no reason, no rule, no colon: malformed */
	assert_int_equal(suppress_parse("CF001", "CF001", &r), -1);
	assert_int_equal(suppress_parse("CF001:   ", "CF001", &r), -1);
	assert_int_equal(suppress_parse(": reason", "CF001", &r), -1);
	assert_int_equal(suppress_parse(NULL, "CF001", &r), -1);
}

static const char pod[] =
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
	"  annotations: {capfix.io/ignore: \"CF302: object level\"}\n"
	"spec:\n  selector: {}\n  template:\n    metadata:\n"
	"      annotations:\n"
	"        capfix.io/ignore.web: \"CF001: web only\"\n"
	"        audit.kubernetes.io/pod.allow-capability-sys-time: \"clock\"\n"
	"      labels:\n"
	"        container.audit.kubernetes.io/web.allow-capability-net-admin: \"\"\n"
	"        container.audit.kubernetes.io/web.allow-capability-bogus: \"x\"\n"
	"    spec:\n      containers:\n        - {name: web, image: i}\n";

static void test_suppress_annotations(void **state)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *obj, *spec, *md, *pmd;
	char *r;
	uint64_t mask;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, pod, strlen(pod), false, &err), 0);
	obj = yf.docs[0].root;
	md = yamlspan_mget(obj, "metadata");
	assert_true(k8s_pod_template(obj, &spec, &pmd));
	r = suppress_for(md, pmd, NULL, "CF302");
	assert_string_equal(r, "object level");
	free(r);
	/* per container: only that container */
	r = suppress_for(md, pmd, "web", "CF001");
	assert_string_equal(r, "web only");
	free(r);
	assert_null(suppress_for(md, pmd, "other", "CF001"));
	assert_null(suppress_for(md, pmd, NULL, "CF001"));
	/* kubeaudit: the pod-level and web's overrides, labels and annotations */
	mask = suppress_kubeaudit(md, pmd, "web", &r);
	assert_int_equal(mask, ((uint64_t)1 << caps_lookup("NET_ADMIN")->number) |
				       ((uint64_t)1 << caps_lookup("SYS_TIME")->number));
	assert_non_null(r);
	free(r);
	mask = suppress_kubeaudit(md, pmd, "other", NULL);
	assert_int_equal(mask, (uint64_t)1 << caps_lookup("SYS_TIME")->number);
	assert_null(suppress_check(md, pmd, NULL));
	yamlspan_release(&yf);
}

static void test_suppress_compose_and_errors(void **state)
{
	const char *y = "services:\n  a:\n    image: x\n    x-capfix: {ignore: \"CF201: vpn\"}\n"
			"  b:\n    image: x\n    x-capfix: {ignore: \"CF201\"}\n"
			"---\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
			"    capfix.io/ignore.c: \"all\"\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *svcs, *a, *b, *bad;
	char *r;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, y, strlen(y), false, &err), 0);
	svcs = yamlspan_mget(yf.docs[0].root, "services");
	a = yamlspan_mget(svcs, "a");
	b = yamlspan_mget(svcs, "b");
	r = suppress_compose(a, "CF201");
	assert_string_equal(r, "vpn");
	free(r);
	assert_null(suppress_compose(a, "CF202"));
	assert_null(suppress_compose(b, "CF201"));
	assert_null(suppress_check(NULL, NULL, a));
	bad = suppress_check(NULL, NULL, b);
	assert_non_null(bad);
	assert_int_equal(bad->line + 1, 7);
	bad = suppress_check(yamlspan_mget(yf.docs[1].root, "metadata"), NULL, NULL);
	assert_non_null(bad);
	assert_int_equal(bad->line + 1, 13);
	yamlspan_release(&yf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suppress_parse),
		cmocka_unit_test(test_suppress_annotations),
		cmocka_unit_test(test_suppress_compose_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
