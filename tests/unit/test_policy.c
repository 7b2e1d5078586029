/*
 * Unit tests for policy.c through policy.h: gathering workloads and
 * namespaces after the in-memory fix, PSS levels per namespace, and each
 * generator's output (parsed again with yamlspan_parse).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/policy.h"
#include "capfix/policygen.h"
#include "capfix/yamlspan.h"

#include <jansson.h>
#include <unistd.h>

/*
 * A Namespace; a Deployment in it whose containers add NET_ADMIN, cap_chown
 * and NET_RAW (init); a restricted Pod in "default"; a privileged Pod adding
 * SYS_ADMIN in "ops"; a kustomize patch adding SYS_TIME (not a workload).
 * Images without profiles and no ports: the fix adds nothing of its own.
 */
static const char manifests[] =
	"apiVersion: v1\n"
	"kind: Namespace\n"
	"metadata:\n"
	"  name: prod\n"
	"---\n"
	"apiVersion: apps/v1\n" /* line 6 */
	"kind: Deployment\n"
	"metadata: {name: net, namespace: prod}\n"
	"spec:\n"
	"  selector: {}\n"
	"  template:\n"
	"    spec:\n"
	"      serviceAccountName: builder\n"
	"      initContainers:\n"
	"        - {name: init, image: example.com/init, securityContext: {capabilities: {add: [NET_RAW]}}}\n"
	"      containers:\n"
	"        - {name: c, image: example.com/app, securityContext: {capabilities: {add: [NET_ADMIN, cap_chown]}}}\n"
	"---\n"
	"apiVersion: v1\n" /* line 19 */
	"kind: Pod\n"
	"metadata: {name: ok}\n"
	"spec:\n"
	"  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
	"  containers:\n"
	"    - {name: c, image: example.com/app, securityContext: {allowPrivilegeEscalation: false}}\n"
	"---\n"
	"apiVersion: v1\n" /* line 27 */
	"kind: Pod\n"
	"metadata: {name: priv, namespace: ops}\n"
	"spec:\n"
	"  containers:\n"
	"    - {name: c, image: example.com/app, securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN]}}}\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata: {name: patch, namespace: patched}\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      containers:\n"
	"        - {name: c, image: example.com/app, securityContext: {capabilities: {add: [SYS_TIME]}}}\n";

static uint64_t bit(const char *name)
{
	const struct cap_info *ci = caps_lookup(name);

	assert_non_null(ci);
	return (uint64_t)1 << ci->number;
}

static void gather(struct policy_set *ps, const char *path, const char *yaml)
{
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;

	fix_result_init(&res);
	if (policy_gather(ps, path, yaml, strlen(yaml), &opts, &res) < 0)
		fail_msg("%s: %d:%d %s", path, res.err.line, res.err.col, res.err.msg);
	fix_result_release(&res);
}

static const struct policy_workload *workload(const struct policy_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (!strcmp(ps->w[i].name, name))
			return &ps->w[i];
	return NULL;
}

/* The document of @kind named @name in @yf, or NULL. */
static const struct ynode *doc(const struct yfile *yf, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < yf->ndocs; i++) {
		const struct ynode *r = yf->docs[i].root;
		const char *k = yamlspan_str(yamlspan_get(r, "kind"));
		const char *n = yamlspan_str(yamlspan_get(yamlspan_get(r, "metadata"), "name"));

		if (k && n && !strcmp(k, kind) && !strcmp(n, name))
			return r;
	}
	return NULL;
}

/* The scalar items of sequence @seq joined by spaces. */
static const char *joined(const struct ynode *seq, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	assert_non_null(seq);
	assert_int_equal(seq->kind, YN_SEQ);
	for (i = 0; i < seq->nkids; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "",
			 yamlspan_str(seq->kids[i]));
	return buf;
}

static void parse_output(const struct sbuf *out, struct yfile *yf)
{
	struct yerror err;

	if (yamlspan_parse(yf, out->buf, out->len, false, &err) < 0)
		fail_msg("the output does not parse: %d:%d %s\n%s", err.line, err.col, err.msg,
			 out->buf);
}

static void test_policy_gather(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	const struct policy_workload *w;

	(void)state;
	gather(&ps, "all.yaml", manifests);
	assert_int_equal(ps.nw, 3); /* the patch is not a workload */
	assert_null(workload(&ps, "patch"));

	w = workload(&ps, "net");
	assert_non_null(w);
	assert_string_equal(w->path, "all.yaml");
	assert_string_equal(w->kind, "Deployment");
	assert_string_equal(w->ns, "prod");
	assert_string_equal(w->sa, "builder");
	assert_int_equal(w->line, 6);
	/* init containers count; names are canonical */
	assert_true(w->adds == (bit("NET_ADMIN") | bit("CHOWN") | bit("NET_RAW")));
	assert_false(w->privileged);
	assert_int_equal(w->pss.level, PSS_PRIVILEGED); /* NET_ADMIN is outside baseline */

	w = workload(&ps, "ok");
	assert_string_equal(w->kind, "Pod");
	assert_string_equal(w->ns, "default");
	assert_string_equal(w->sa, "default");
	assert_int_equal(w->line, 19);
	assert_true(w->adds == 0);
	/* restricted once fixed (the fix adds drop ALL) */
	assert_int_equal(w->pss.level, PSS_RESTRICTED);

	w = workload(&ps, "priv");
	assert_string_equal(w->ns, "ops");
	assert_int_equal(w->line, 27);
	assert_true(w->privileged);
	assert_true(w->adds == bit("SYS_ADMIN"));
	assert_int_equal(w->pss.level, PSS_PRIVILEGED);

	/* namespaces: the Namespace object with its manifest, the others without */
	assert_int_equal(ps.nns, 3);
	assert_string_equal(ps.ns[0].name, "prod");
	assert_string_equal(ps.ns[0].path, "all.yaml");
	assert_int_equal(ps.ns[0].line, 1);
	assert_string_equal(ps.ns[1].name, "default");
	assert_null(ps.ns[1].path);
	policy_set_release(&ps);
	assert_int_equal(ps.nw, 0);
	assert_int_equal(ps.nns, 0);
}

static void test_policy_gather_more(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;
	const char *bad = "kind: Pod\nspec: [\n";
	const char *json =
		"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"},\n"
		" \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\",\n"
		"  \"securityContext\": {\"capabilities\": {\"add\": [\"SYS_PTRACE\"]}}}]}}\n";
	const char *aliased = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\n"
			      "x-sc: &sc {capabilities: {add: [KILL]}}\nspec:\n  containers:\n"
			      "    - {name: c, image: i, securityContext: *sc}\n";
	const char *typed_list =
		"apiVersion: v1\nkind: PodList\nitems:\n"
		"  - apiVersion: v1\n    kind: Pod\n    metadata: {name: l, namespace: y}\n"
		"    spec:\n      containers:\n"
		"        - {name: c, image: i, securityContext: {capabilities: {add: [SETUID]}}}\n";

	(void)state;
	/* a file that does not parse: -1, the position in res */
	fix_result_init(&res);
	assert_int_equal(policy_gather(&ps, "bad.yaml", bad, strlen(bad), &opts, &res), -1);
	assert_int_equal(res.status, FIX_PARSE_ERROR);
	assert_int_equal(res.err.line, 3);
	fix_result_release(&res);
	assert_int_equal(ps.nw, 0);

	/* empty input and non-Kubernetes documents: nothing, no error */
	gather(&ps, "empty.yaml", "");
	gather(&ps, "other.yaml", "foo: bar\n---\n- 1\n");
	assert_int_equal(ps.nw, 0);
	assert_int_equal(ps.nns, 0);

	/* JSON */
	opts.json = true;
	fix_result_init(&res);
	assert_int_equal(policy_gather(&ps, "p.json", json, strlen(json), &opts, &res), 0);
	fix_result_release(&res);
	assert_int_equal(ps.nw, 1);
	assert_true(ps.w[0].adds == bit("SYS_PTRACE"));

	/* aliases are followed (the fix leaves such containers alone) */
	gather(&ps, "a.yaml", aliased);
	assert_non_null(workload(&ps, "a"));
	assert_true(workload(&ps, "a")->adds == bit("KILL"));

	/* the items of a typed list */
	gather(&ps, "l.yaml", typed_list);
	assert_non_null(workload(&ps, "l"));
	assert_string_equal(workload(&ps, "l")->ns, "y");
	assert_true(workload(&ps, "l")->adds == bit("SETUID"));
	assert_int_equal(ps.nw, 3);
	/* a plain `kind: List` (kubectl get -o yaml) is walked too: the one object rule */
	gather(&ps, "list.yaml",
	       "apiVersion: v1\nkind: List\nitems:\n"
	       "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: k, namespace: z}\n"
	       "    spec:\n      containers:\n"
	       "        - {name: c, image: i, securityContext: {capabilities: {add: [NET_ADMIN]}}}\n");
	assert_non_null(workload(&ps, "k"));
	assert_true(workload(&ps, "k")->adds == bit("NET_ADMIN"));
	policy_set_release(&ps);
}

static void test_policy_namespaces_and_levels(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	const char **names = NULL;
	size_t n;
	const char *baseline = "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: prod}\n"
			       "spec:\n  containers:\n    - {name: c, image: example.com/app}\n";
	const char *ns2 = "apiVersion: v1\nkind: Namespace\nmetadata: {name: alpha}\n";

	(void)state;
	/* nothing gathered: no namespaces, every namespace restricted */
	n = policy_namespaces(&ps, &names);
	assert_int_equal(n, 0);
	assert_non_null(names);
	free(names);
	assert_int_equal(policy_ns_level(&ps, "anything"), POLICY_LEVEL_UNKNOWN);

	gather(&ps, "all.yaml", manifests);
	gather(&ps, "ns.yaml", ns2);
	gather(&ps, "ns.yaml", ns2); /* twice: one entry */
	n = policy_namespaces(&ps, &names);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "alpha");
	assert_string_equal(names[1], "default");
	assert_string_equal(names[2], "ops");
	assert_string_equal(names[3], "prod");
	free(names);
	assert_int_equal(policy_ns_level(&ps, "default"), PSS_RESTRICTED);
	assert_int_equal(policy_ns_level(&ps, "ops"), PSS_PRIVILEGED);
	assert_int_equal(policy_ns_level(&ps, "prod"), PSS_PRIVILEGED);
	/* no workloads: no level (the patch is partial, not a workload) */
	assert_int_equal(policy_ns_level(&ps, "alpha"), POLICY_LEVEL_UNKNOWN);
	assert_int_equal(policy_ns_level(&ps, "patched"), POLICY_LEVEL_UNKNOWN);
	policy_set_release(&ps);

	/* the strictest level every workload meets: one baseline pod makes it baseline */
	gather(&ps, "b.yaml", baseline);
	assert_int_equal(policy_ns_level(&ps, "prod"), PSS_BASELINE);
	policy_set_release(&ps);
}

/* Render @kind with the default options (deny); the number of workloads the model denies. */
static int render(struct sbuf *out, struct policy_set *ps, const char *kind, const char *tdir,
		  bool per_need)
{
	struct policygen_opts o = { kind, tdir, per_need, POLICYGEN_DENY };

	return policygen_render(out, ps, &o);
}

/* Whether a warning note of @ps holds @text. */
static bool noted(const struct policy_set *ps, const char *text)
{
	size_t i;

	for (i = 0; i < ps->nnotes; i++)
		if (strstr(ps->notes[i].text, text))
			return true;
	return false;
}

static void test_policy_render_psp(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	struct yfile yf = YFILE_INIT;
	const struct ynode *d;
	char buf[256];

	(void)state;
	gather(&ps, "all.yaml", manifests);
	/* one shared PSP: the baseline adds of non-privileged workloads; net keeps NET_ADMIN
	 * and NET_RAW and the privileged pod: exceptions by service account */
	assert_true(render(&out, &ps, "psp", NULL, false) >= 0);
	parse_output(&out, &yf);
	d = doc(&yf, "PodSecurityPolicy", "capfix-restricted");
	assert_non_null(d);
	assert_string_equal(joined(yamlspan_get(yamlspan_get(d, "spec"), "allowedCapabilities"),
				   buf, sizeof(buf)),
			    "CHOWN");
	assert_string_equal(
		joined(yamlspan_get(yamlspan_get(d, "spec"), "requiredDropCapabilities"), buf,
		       sizeof(buf)),
		"ALL");
	assert_non_null(doc(&yf, "ClusterRole", "capfix-restricted-use"));
	/* bindings per namespace seen, by group, never cluster-wide */
	assert_null(doc(&yf, "ClusterRoleBinding", "capfix-restricted-use"));
	assert_non_null(strstr(out.buf, "name: \"system:serviceaccounts:prod\""));
	assert_null(strstr(out.buf, "name: system:serviceaccounts\n"));
	d = doc(&yf, "PodSecurityPolicy", "capfix-prod-builder");
	assert_non_null(d);
	assert_string_equal(joined(yamlspan_get(yamlspan_get(d, "spec"), "allowedCapabilities"),
				   buf, sizeof(buf)),
			    "CHOWN NET_ADMIN NET_RAW");
	d = doc(&yf, "PodSecurityPolicy", "capfix-ops-default");
	assert_non_null(d);
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(d, "spec"), "privileged")),
			    "true");
	assert_true(noted(&ps, "fix keeps NET_ADMIN, NET_RAW for this workload only"));
	assert_true(noted(&ps, "Pod/priv: privileged"));
	yamlspan_release(&yf);
	sbuf_release(&out);
	policy_set_release(&ps);

	/* per need: the shared one allows NET_BIND_SERVICE at most */
	gather(&ps, "all.yaml", manifests);
	assert_true(render(&out, &ps, "psp", NULL, true) >= 0);
	parse_output(&out, &yf);
	d = doc(&yf, "PodSecurityPolicy", "capfix-restricted");
	assert_int_equal(yamlspan_get(yamlspan_get(d, "spec"), "allowedCapabilities")->nkids, 0);
	d = doc(&yf, "RoleBinding", "capfix-prod-builder-use");
	assert_non_null(d);
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(d, "metadata"), "namespace")),
			    "prod");
	d = yamlspan_get(d, "subjects")->kids[0];
	assert_string_equal(yamlspan_str(yamlspan_get(d, "kind")), "ServiceAccount");
	assert_string_equal(yamlspan_str(yamlspan_get(d, "name")), "builder");
	assert_non_null(strstr(out.buf, "capfix.io/workloads: \"Deployment/net\""));
	assert_null(doc(&yf, "PodSecurityPolicy", "capfix-default-default"));
	yamlspan_release(&yf);
	sbuf_release(&out);
	policy_set_release(&ps);
}

/* Two workloads of one service account share a policy; NET_BIND_SERVICE goes to the shared one. */
static void test_policy_render_psp_per_sa(void **state)
{
	const char *y =
		"apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n}\nspec:\n"
		"  serviceAccountName: s\n  securityContext: {runAsNonRoot: true}\n  containers:\n"
		"    - {name: c, image: i, securityContext: {capabilities: {add: [NET_BIND_SERVICE, KILL]}}}\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: n}\nspec:\n"
		"  serviceAccountName: s\n  securityContext: {runAsNonRoot: true}\n  containers:\n"
		"    - {name: c, image: i, securityContext: {capabilities: {add: [SETUID]}}}\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: z, namespace: n}\nspec:\n"
		"  securityContext: {runAsNonRoot: true}\n  containers:\n"
		"    - {name: c, image: i, securityContext: {capabilities: {add: [NET_BIND_SERVICE]}}}\n";
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	struct yfile yf = YFILE_INIT;
	const struct ynode *d;
	char buf[256];
	size_t i, npsp = 0;

	(void)state;
	gather(&ps, "p.yaml", y);
	assert_int_equal(ps.nw, 3);
	assert_true(render(&out, &ps, "psp", NULL, true) >= 0);
	parse_output(&out, &yf);
	for (i = 0; i < yf.ndocs; i++)
		npsp += !strcmp(yamlspan_str(yamlspan_get(yf.docs[i].root, "kind")),
				"PodSecurityPolicy");
	assert_int_equal(npsp, 2);
	d = doc(&yf, "PodSecurityPolicy", "capfix-restricted");
	assert_string_equal(joined(yamlspan_get(yamlspan_get(d, "spec"), "allowedCapabilities"),
				   buf, sizeof(buf)),
			    "NET_BIND_SERVICE");
	d = doc(&yf, "PodSecurityPolicy", "capfix-n-s");
	assert_non_null(d);
	assert_string_equal(joined(yamlspan_get(yamlspan_get(d, "spec"), "allowedCapabilities"),
				   buf, sizeof(buf)),
			    "KILL NET_BIND_SERVICE SETUID");
	assert_non_null(strstr(out.buf, "capfix.io/workloads: \"Pod/a, Pod/b\""));
	yamlspan_release(&yf);
	sbuf_release(&out);
	policy_set_release(&ps);
}

/*
 * PSP fields beyond capabilities: each service account's PSP is relaxed in
 * exactly what its workloads need (web: host network and its port; db:
 * root and hostPath), nothing for a service account whose workloads need
 * nothing, any capability for names admission would not match (ALL).
 */
static void test_policy_render_psp_relaxed(void **state)
{
	const char *y =
		"apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: n}\nspec:\n"
		"  serviceAccountName: web\n  hostNetwork: true\n  securityContext: {runAsNonRoot: true}\n"
		"  containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: n}\nspec:\n"
		"  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n"
		"    spec:\n      serviceAccountName: db\n      securityContext: {runAsUser: 0}\n"
		"      volumes: [{name: d, hostPath: {path: /srv}}]\n"
		"      containers: [{name: c, image: i}]\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: n}\nspec:\n"
		"  securityContext: {runAsNonRoot: true}\n  containers: [{name: c, image: i}]\n"
		"---\n"
		"apiVersion: v1\nkind: Pod\nmetadata: {name: odd, namespace: n}\nspec:\n"
		"  serviceAccountName: odd\n  securityContext: {runAsNonRoot: true}\n"
		"  containers: [{name: c, image: i, securityContext: {capabilities: {add: [ALL]}}}]\n";
	struct policy_set ps = POLICY_SET_INIT;
	struct policygen_opts o = { "psp", NULL, false, POLICYGEN_DENY };
	struct policygen_plan plan;
	struct sbuf out = SBUF_INIT, why = SBUF_INIT;
	struct yfile yf = YFILE_INIT;
	const struct ynode *d, *spec;
	char buf[512];
	size_t i, web = 0;

	(void)state;
	gather(&ps, "r.yaml", y);
	assert_int_equal(ps.nw, 4);
	assert_int_equal(render(&out, &ps, "psp", NULL, false), 0);
	parse_output(&out, &yf);
	spec = yamlspan_get(doc(&yf, "PodSecurityPolicy", "capfix-restricted"), "spec");
	assert_string_equal(yamlspan_str(yamlspan_get(spec, "hostNetwork")), "false");
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(spec, "runAsUser"), "rule")),
			    "MustRunAsNonRoot");
	d = doc(&yf, "PodSecurityPolicy", "capfix-n-web");
	assert_non_null(d);
	spec = yamlspan_get(d, "spec");
	assert_string_equal(yamlspan_str(yamlspan_get(spec, "hostNetwork")), "true");
	assert_string_equal(yamlspan_str(yamlspan_get(spec, "hostPID")), "false");
	d = yamlspan_get(spec, "hostPorts");
	assert_int_equal(d->nkids, 1);
	assert_string_equal(yamlspan_str(yamlspan_get(d->kids[0], "min")), "8080");
	assert_string_equal(yamlspan_str(yamlspan_get(d->kids[0], "max")), "8080");
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(spec, "runAsUser"), "rule")),
			    "MustRunAsNonRoot");
	assert_null(strstr(joined(yamlspan_get(spec, "volumes"), buf, sizeof(buf)), "hostPath"));
	spec = yamlspan_get(doc(&yf, "PodSecurityPolicy", "capfix-n-db"), "spec");
	assert_non_null(spec);
	assert_string_equal(yamlspan_str(yamlspan_get(spec, "hostNetwork")), "false");
	assert_string_equal(yamlspan_str(yamlspan_get(yamlspan_get(spec, "runAsUser"), "rule")),
			    "RunAsAny");
	assert_non_null(
		strstr(joined(yamlspan_get(spec, "volumes"), buf, sizeof(buf)), "hostPath"));
	assert_null(doc(&yf, "PodSecurityPolicy", "capfix-n-default"));
	spec = yamlspan_get(doc(&yf, "PodSecurityPolicy", "capfix-n-odd"), "spec");
	assert_string_equal(joined(yamlspan_get(spec, "allowedCapabilities"), buf, sizeof(buf)),
			    "*");
	assert_string_equal(yamlspan_str(yamlspan_get(spec, "privileged")), "false");
	assert_true(
		noted(&ps, "Pod/web: needs hostNetwork, hostPorts 8080: service account n/web"));
	assert_true(noted(&ps, "Deployment/db: needs runAsUser RunAsAny (may start as root), "
			       "volumes hostPath"));
	assert_true(noted(&ps, "Pod/odd: adds names that are not capabilities"));
	yamlspan_release(&yf);
	sbuf_release(&out);

	/* the model: each workload within its service account's PSP; beyond it, denied for exactly
	 * that */
	policygen_plan(&ps, &o, &plan);
	for (i = 0; i < ps.nw; i++) {
		assert_false(policygen_denies(&ps, &plan, &o, i, NULL));
		if (!strcmp(ps.w[i].name, "web"))
			web = i;
	}
	/* a need its service account's PSP was not made for (as if the pod changed) */
	ps.w[web].psp.flags |= PSPNEEDS_HOST_PID | PSPNEEDS_PROC_UNMASKED;
	assert_true(policygen_denies(&ps, &plan, &o, web, &why));
	assert_string_equal(why.buf, "needs hostPID, procMount Unmasked");
	ps.w[web].psp.flags &= ~(unsigned)(PSPNEEDS_HOST_PID | PSPNEEDS_PROC_UNMASKED);
	policygen_plan_release(&plan);
	sbuf_release(&why);

	/* the totals: web, db and odd have exceptions, each its own service account's PSP */
	{
		struct policygen_stats st;

		assert_int_equal(policygen_render_stats(&out, &ps, &o, &st), 0);
		sbuf_release(&out);
		assert_int_equal(st.workloads, 4);
		assert_int_equal(st.namespaces, 1);
		assert_int_equal(st.exceptions, 3);
		assert_int_equal(st.exempt, 1);
		assert_int_equal(st.more_caps, 0);
		assert_int_equal(st.psp_relaxed, 2);
		assert_int_equal(st.service_accounts, 3);
		assert_int_equal(st.denied, 0);
	}
	/* admission policies exempt the odd names by the Pod's name, and deny nothing */
	assert_int_equal(render(&out, &ps, "vap", NULL, false), 0);
	assert_non_null(strstr(out.buf, "object.metadata.name == 'odd'"));
	sbuf_release(&out);
	policy_set_release(&ps);
}

/*
 * Scopes overlap: two Deployments whose pods share the label app=x, and a
 * controller without labels whose prefix "web-" takes in web-api's pods.
 * Kyverno checks each exception rule on its own, so each one allows what
 * every workload in its scope keeps; a privileged workload in the scope is
 * excluded from the rule.
 */
static void test_policy_overlapping_scopes(void **state)
{
	const char *y =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: n}\nspec:\n"
		"  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n"
		"    spec:\n      containers: [{name: c, image: i, securityContext: {capabilities: {add: [NET_ADMIN]}}}]\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: n}\nspec:\n"
		"  selector: {matchLabels: {app: x, tier: b}}\n  template:\n    metadata: {labels: {app: x, tier: b}}\n"
		"    spec:\n      containers: [{name: c, image: i, securityContext: {capabilities: {add: [SYS_TIME]}}}]\n"
		"---\n"
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p, namespace: n}\nspec:\n"
		"  selector: {matchLabels: {app: x, tier: p}}\n  template:\n    metadata: {labels: {app: x, tier: p}}\n"
		"    spec:\n      containers: [{name: c, image: i, securityContext: {privileged: true}}]\n"
		"---\n"
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: web, namespace: n}\nspec:\n  template:\n"
		"    spec:\n      containers: [{name: c, image: i, securityContext: {capabilities: {add: [SYS_NICE]}}}]\n"
		"---\n"
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: web-api, namespace: n}\nspec:\n  template:\n"
		"    spec:\n      containers: [{name: c, image: i, securityContext: {capabilities: {add: [IPC_LOCK]}}}]\n";
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	struct yfile yf = YFILE_INIT;
	const struct ynode *rules, *r;
	char buf[512];
	size_t i, seen = 0;

	(void)state;
	gather(&ps, "o.yaml", y);
	assert_int_equal(ps.nw, 5);
	assert_int_equal(render(&out, &ps, "kyverno", NULL, false), 0);
	parse_output(&out, &yf);
	rules = yamlspan_get(yamlspan_get(doc(&yf, "ClusterPolicy", "capfix-capabilities"), "spec"),
			     "rules");
	for (i = 0; i < rules->nkids; i++) {
		const char *name = yamlspan_str(yamlspan_get(rules->kids[i], "name"));
		const struct ynode *cond;

		if (strncmp(name, "exception-", 10))
			continue;
		r = rules->kids[i];
		cond = yamlspan_get(
			yamlspan_get(
				yamlspan_get(yamlspan_get(yamlspan_get(yamlspan_get(r, "validate"),
								       "foreach")
								  ->kids[0],
							  "deny"),
					     "conditions"),
				"any")
				->kids[0],
			"value");
		joined(cond, buf, sizeof(buf));
		if (!strcmp(name, "exception-1")) { /* a: app=x takes in b's pods (and p's) */
			assert_string_equal(buf, "NET_ADMIN SYS_TIME");
			assert_non_null(yamlspan_get(r, "exclude")); /* p, privileged */
		} else if (!strcmp(name, "exception-2")) { /* b: app=x, tier=b: b only */
			assert_string_equal(buf, "SYS_TIME");
			assert_null(yamlspan_get(r, "exclude"));
		} else if (!strcmp(name, "exception-3")) { /* web: prefix web- takes in web-api */
			assert_string_equal(buf, "IPC_LOCK SYS_NICE");
		} else {
			assert_string_equal(name, "exception-4"); /* web-api */
			assert_string_equal(buf, "IPC_LOCK");
		}
		seen++;
	}
	assert_int_equal(seen, 4);
	yamlspan_release(&yf);
	sbuf_release(&out);
	/* VAP and Gatekeeper take the union of every exception that applies: nothing denied */
	assert_int_equal(render(&out, &ps, "vap", NULL, false), 0);
	sbuf_release(&out);
	assert_int_equal(render(&out, &ps, "gatekeeper", NULL, false), 0);
	sbuf_release(&out);
	policy_set_release(&ps);
}

static void test_policy_render_admission(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	struct yfile yf = YFILE_INIT;
	const struct ynode *d, *v;
	char buf[256];
	size_t i;

	(void)state;
	gather(&ps, "all.yaml", manifests);

	/* net has no pod labels (selector: {}): its exception names its pods' name prefix */
	assert_int_equal(render(&out, &ps, "vap", NULL, false), 0);
	assert_true(noted(&ps, "Deployment/net: fix keeps"));
	assert_false(
		noted(&ps, "Deployment/net: the generated vap policy would deny it after fix"));
	assert_non_null(
		strstr(out.buf,
		       "(request.namespace == 'prod' && object.metadata.name.startsWith('net-'))"));
	parse_output(&out, &yf);
	d = doc(&yf, "ValidatingAdmissionPolicy", "capfix-capabilities");
	assert_non_null(d);
	assert_non_null(doc(&yf, "ValidatingAdmissionPolicyBinding", "capfix-capabilities"));
	v = yamlspan_get(yamlspan_get(d, "spec"), "variables");
	assert_non_null(v);
	for (i = 0; i < v->nkids; i++)
		if (!strcmp(yamlspan_str(yamlspan_get(v->kids[i], "name")), "allowed"))
			break;
	assert_true(i < v->nkids);
	assert_string_equal(
		yamlspan_str(yamlspan_get(v->kids[i], "expression")),
		"['CHOWN'] + ((request.namespace == 'prod' && "
		"object.metadata.name.startsWith('net-')) ? ['NET_ADMIN', 'NET_RAW'] : [])");
	/* the privileged Pod: an exception by namespace and name */
	assert_non_null(
		strstr(out.buf, "(request.namespace == 'ops' && object.metadata.name == 'priv')"));
	assert_non_null(strstr(out.buf, "values: [\"default\", \"ops\", \"prod\"]"));
	assert_null(strstr(out.buf, "SYS_ADMIN"));
	yamlspan_release(&yf);
	sbuf_release(&out);

	assert_int_equal(render(&out, &ps, "kyverno", NULL, false), 0);
	assert_non_null(strstr(out.buf, "names: [\"net-*\"]"));
	parse_output(&out, &yf);
	d = doc(&yf, "ClusterPolicy", "capfix-capabilities");
	assert_non_null(d);
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(d, "spec"), "validationFailureAction")),
		"Enforce");
	d = yamlspan_get(yamlspan_get(d, "spec"), "rules");
	assert_int_equal(d->nkids, 3); /* drop ALL, the shared add list, net's exception */
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(d->kids[1], "validate"), "message")),
		"Containers may add only CHOWN.");
	assert_string_equal(yamlspan_str(yamlspan_get(d->kids[2], "name")), "exception-1");
	assert_non_null(strstr(out.buf, "names: [\"priv\"]"));
	yamlspan_release(&yf);
	sbuf_release(&out);

	{
		struct policygen_opts o = { "gatekeeper", NULL, false, POLICYGEN_WARN };

		assert_int_equal(policygen_render(&out, &ps, &o), 0);
	}
	assert_non_null(
		strstr(out.buf, "{namespace: \"prod\", name: \"\", prefix: \"net-\", labels: {}"));
	parse_output(&out, &yf);
	assert_non_null(doc(&yf, "ConstraintTemplate", "capfixcapabilities"));
	d = doc(&yf, "CapfixCapabilities", "capfix-capabilities");
	assert_non_null(d);
	assert_string_equal(joined(yamlspan_get(yamlspan_get(yamlspan_get(d, "spec"), "parameters"),
						"allowedCapabilities"),
				   buf, sizeof(buf)),
			    "CHOWN");
	assert_string_equal(
		yamlspan_str(yamlspan_get(yamlspan_get(d, "spec"), "enforcementAction")), "warn");
	yamlspan_release(&yf);
	sbuf_release(&out);
	policy_set_release(&ps);
}

static void test_policy_render_errors_and_tdir(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	char dir[] = "/tmp/capfix-policy-XXXXXX", path[256];
	FILE *fp;

	(void)state;
	gather(&ps, "all.yaml", manifests);
	cf_err_clear();
	assert_int_equal(render(&out, &ps, "opa", NULL, false), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_string_equal(cf_err_last()->msg, "unknown policy kind 'opa'");
	assert_int_equal(out.len, 0);

	/* a templates directory overrides one template, the others stay embedded */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vap.yaml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("kind: Custom\nmetadata: {name: ${name}}\nallowed: ${caps_cel}\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_true(render(&out, &ps, "vap", dir, false) >= 0);
	assert_string_equal(
		sbuf_cstr(&out),
		"kind: Custom\nmetadata: {name: \"capfix-capabilities\"}\nallowed: ['CHOWN']\n");
	sbuf_release(&out);
	assert_true(render(&out, &ps, "kyverno", dir, false) >= 0);
	assert_non_null(strstr(out.buf, "kind: ClusterPolicy\n"));
	sbuf_release(&out);
	/* a template naming an unknown variable */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("name: ${nmae}\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(render(&out, &ps, "vap", dir, false), -1);
	assert_non_null(strstr(cf_err_last()->msg, "${nmae}"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	sbuf_release(&out);
	policy_set_release(&ps);
}

static void test_policy_render_pss(void **state)
{
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	json_t *root, *nss, *ns, *objs;
	json_error_t jerr;
	const char *t;
	size_t i;

	(void)state;
	gather(&ps, "all.yaml", manifests);
	assert_int_equal(policy_render_pss(&out, &ps, NULL, false), 0);
	t = sbuf_cstr(&out);
	/* namespaces in name order, each with its level */
	assert_non_null(strstr(t, "default: restricted (no Namespace manifest)\n"));
	assert_non_null(strstr(t, "ops: privileged (no Namespace manifest)\n"));
	assert_non_null(strstr(t, "prod: privileged (Namespace manifest in all.yaml)\n"));
	assert_true(strstr(t, "default:") < strstr(t, "ops:"));
	assert_true(strstr(t, "ops:") < strstr(t, "prod:"));
	assert_non_null(strstr(t, "  held back from baseline by Deployment/net (all.yaml:6):\n"));
	assert_non_null(strstr(
		t, "    non-default capabilities (containers \"init\", \"c\" must not include"));
	assert_non_null(strstr(t, "  held back from baseline by Pod/priv (all.yaml:27):\n"));
	assert_null(strstr(t, "Pod/ok"));
	sbuf_release(&out);

	assert_int_equal(policy_render_pss(&out, &ps, NULL, true), 0);
	root = json_loads(out.buf, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
	nss = json_object_get(root, "namespaces");
	assert_int_equal(json_array_size(nss), 3);
	ns = json_array_get(nss, 2);
	assert_string_equal(json_string_value(json_object_get(ns, "name")), "prod");
	assert_string_equal(json_string_value(json_object_get(ns, "level")), "privileged");
	assert_string_equal(json_string_value(json_object_get(ns, "manifest")), "all.yaml");
	assert_int_equal(json_array_size(json_object_get(ns, "held_back_by")), 1);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(ns, "held_back_by"), 0), "name")),
		"net");
	ns = json_array_get(nss, 0);
	assert_string_equal(json_string_value(json_object_get(ns, "name")), "default");
	assert_string_equal(json_string_value(json_object_get(ns, "level")), "restricted");
	assert_true(json_is_null(json_object_get(ns, "manifest")));
	assert_int_equal(json_array_size(json_object_get(ns, "held_back_by")), 0);
	objs = json_object_get(root, "objects");
	assert_int_equal(json_array_size(objs), 3);
	/* in gathering order */
	assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 0), "name")),
			    "net");
	assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 1), "name")),
			    "ok");
	assert_string_equal(json_string_value(json_object_get(json_array_get(objs, 2), "name")),
			    "priv");
	for (i = 0; i < 3; i++) {
		json_t *o = json_array_get(objs, i);

		if (!strcmp(json_string_value(json_object_get(o, "name")), "ok")) {
			assert_string_equal(json_string_value(json_object_get(o, "level")),
					    "restricted");
			assert_int_equal(json_array_size(json_object_get(o, "violations")), 0);
			assert_int_equal(json_integer_value(json_object_get(o, "line")), 19);
		}
		if (!strcmp(json_string_value(json_object_get(o, "name")), "priv"))
			assert_string_equal(
				json_string_value(json_object_get(
					json_array_get(json_object_get(o, "violations"), 0),
					"check")),
				"privileged");
	}
	json_decref(root);
	sbuf_release(&out);
	policy_set_release(&ps);

	/* nothing gathered */
	assert_int_equal(policy_render_pss(&out, &ps, NULL, false), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(policy_render_pss(&out, &ps, NULL, true), 0);
	assert_non_null(strstr(out.buf, "\"namespaces\": []"));
	sbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_gather),
		cmocka_unit_test(test_policy_gather_more),
		cmocka_unit_test(test_policy_namespaces_and_levels),
		cmocka_unit_test(test_policy_render_psp),
		cmocka_unit_test(test_policy_render_psp_per_sa),
		cmocka_unit_test(test_policy_render_psp_relaxed),
		cmocka_unit_test(test_policy_overlapping_scopes),
		cmocka_unit_test(test_policy_render_admission),
		cmocka_unit_test(test_policy_render_errors_and_tdir),
		cmocka_unit_test(test_policy_render_pss),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
