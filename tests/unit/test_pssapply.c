/*
 * Unit tests for pssapply.c: the plan of `policy pss` per namespace
 * (labelled through its manifest, a kubectl command, an --emit-missing
 * manifest, left alone, stricter and never weakened) and the labelling
 * transform.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/pssapply.h"

static const char ns_yaml[] = "apiVersion: v1\n"
			      "kind: Namespace\n"
			      "metadata:\n"
			      "  name: app\n"
			      "---\n"
			      "apiVersion: v1\n"
			      "kind: Namespace\n"
			      "metadata:\n"
			      "  name: locked\n"
			      "  labels:\n"
			      "    pod-security.kubernetes.io/enforce: restricted\n";

/* app and other: restricted pods; locked: a hostNetwork pod (privileged at best); kube-system */
static const char pods_yaml[] =
	"apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: app}\nspec:\n"
	"  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
	"  containers:\n    - {name: c, image: i, securityContext: {allowPrivilegeEscalation: false}}\n"
	"---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: other}\nspec:\n"
	"  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
	"  containers:\n    - {name: c, image: i, securityContext: {allowPrivilegeEscalation: false}}\n"
	"---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: h, namespace: locked}\nspec:\n"
	"  hostNetwork: true\n"
	"  containers:\n    - {name: c, image: i}\n"
	"---\n"
	"apiVersion: v1\nkind: Pod\nmetadata: {name: k, namespace: kube-system}\nspec:\n"
	"  containers:\n    - {name: c, image: i}\n";

static void gather(struct policy_set *ps, const char *path, const char *yaml)
{
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;

	fix_result_init(&res);
	if (policy_gather(ps, path, yaml, strlen(yaml), &opts, &res) < 0)
		fail_msg("%s: %s", path, res.err.msg);
	fix_result_release(&res);
}

static const struct pssapply_ns *item(const struct pssapply_plan *p, const char *ns)
{
	size_t i;

	for (i = 0; i < p->nns; i++)
		if (!strcmp(p->ns[i].name, ns))
			return &p->ns[i];
	fail_msg("no namespace %s in the plan", ns);
	return NULL;
}

static void test_pssapply_plan(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct policy_pss_opts po = { false, NULL, 0 };
	struct pssapply_opts o = { &po, 0, true, NULL, NULL };
	struct pssapply_plan plan;
	const struct pssapply_ns *it;

	(void)state;
	gather(&ps, "ns.yaml", ns_yaml);
	gather(&ps, "pods.yaml", pods_yaml);
	pssapply_plan(&plan, &ps, &o);
	/* --write: the one manifest to label, once */
	assert_int_equal(plan.npaths, 1);
	assert_string_equal(plan.paths[0], "ns.yaml");
	it = item(&plan, "app");
	assert_int_equal(it->level, PSS_RESTRICTED);
	assert_int_equal(it->action, PSSAPPLY_NONE); /* through its manifest */
	it = item(&plan, "other");
	assert_int_equal(it->action, PSSAPPLY_COMMAND);
	assert_non_null(strstr(it->text, "kubectl label namespace 'other'"));
	assert_non_null(strstr(it->text, "'pod-security.kubernetes.io/enforce=restricted'"));
	assert_null(strstr(it->text, "--overwrite"));
	/* stricter than its workloads: left as is, with a warning at the manifest */
	it = item(&plan, "locked");
	assert_int_equal(it->level, -1);
	assert_int_equal(it->action, PSSAPPLY_STRICTER);
	assert_int_equal(it->note_sev, MSG_WARNING);
	assert_string_equal(it->note_path, "ns.yaml");
	assert_non_null(strstr(it->note, "never weakened"));
	/* a system namespace not named: nothing */
	it = item(&plan, "kube-system");
	assert_int_equal(it->level, -1);
	assert_int_equal(it->action, PSSAPPLY_NONE);
	assert_null(it->note);
	pssapply_plan_release(&plan);

	/* --emit-missing, pinned to v1.30: a manifest for "other" */
	o.write = false;
	o.emit_dir = "out";
	o.pss_minor = 30;
	pssapply_plan(&plan, &ps, &o);
	assert_int_equal(plan.npaths, 0);
	it = item(&plan, "other");
	assert_int_equal(it->action, PSSAPPLY_EMIT);
	assert_string_equal(it->file, "out/namespace-other.yaml");
	assert_non_null(strstr(it->text, "kind: Namespace"));
	assert_non_null(strstr(it->text, "\"v1.30\""));
	pssapply_plan_release(&plan);
	policy_set_release(&ps);
}

static void test_pssapply_label(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct policy_pss_opts po = { false, NULL, 0 };
	struct pssapply_opts o = { &po, 0, true, NULL, NULL };
	struct pssapply_plan plan;
	struct fix_result res;

	(void)state;
	gather(&ps, "ns.yaml", ns_yaml);
	gather(&ps, "pods.yaml", pods_yaml);
	pssapply_plan(&plan, &ps, &o);
	fix_result_init(&res);
	assert_int_equal(
		pssapply_transform(&plan, 0, "ns.yaml", ns_yaml, strlen(ns_yaml), false, &res), 0);
	assert_true(res.changed);
	assert_non_null(strstr(res.out.buf, "  name: app\n  labels:\n"));
	assert_non_null(strstr(res.out.buf, "pod-security.kubernetes.io/enforce: restricted"));
	/* locked is not touched: its label stays as it was */
	assert_non_null(strstr(res.out.buf,
			       "  name: locked\n  labels:\n"
			       "    pod-security.kubernetes.io/enforce: restricted\n"));
	assert_string_equal(sbuf_cstr(&plan.done[0]),
			    "labelled ns.yaml: namespace app enforces restricted\n");
	assert_int_equal(plan.failed[0].len, 0);
	fix_result_release(&res);
	pssapply_plan_release(&plan);
	policy_set_release(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pssapply_plan),
		cmocka_unit_test(test_pssapply_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
