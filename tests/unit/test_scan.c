/*
 * Unit tests for scan.c through scan.h: the rule table, each rule family on
 * small manifests (positions, severities, objects), what is not audited,
 * documents and lists, errors, merging and ordering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/sbuf.h"
#include "capfix/scan.h"

/* Scan @yaml as "t.yaml" and apply the set-level rules. */
static void scan_str(struct scan_result *r, const char *yaml)
{
	scan_buffer(r, "t.yaml", yaml, strlen(yaml), false);
	scan_finish(r);
}

/* The @nth (0-based) finding of rule @id, or NULL. */
static const struct scan_finding *find(const struct scan_result *r, const char *id, size_t nth)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		if (!strcmp(r->findings[i].rule->id, id) && nth-- == 0)
			return &r->findings[i];
	return NULL;
}

static size_t count(const struct scan_result *r, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfindings; i++)
		n += !strcmp(r->findings[i].rule->id, id);
	return n;
}

/* The rule ids of the findings in order, space-separated; CF3xx (PSS) left out unless @pss. */
static const char *ids(const struct scan_result *r, bool pss, char *buf, size_t size)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < r->nfindings; i++) {
		const char *id = r->findings[i].rule->id;

		if (!pss && !strncmp(id, "CF3", 3))
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "", id);
	}
	return buf;
}

#define ASSERT_IDS(r, pss, want)                                                                   \
	do {                                                                                       \
		char ids_[512];                                                                    \
		assert_string_equal(ids((r), (pss), ids_, sizeof(ids_)), (want));                  \
	} while (0)

#define POD_HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"

static void test_scan_rule_table(void **state)
{
	size_t n, i;
	const struct scan_rule *r = scan_rules(&n);

	(void)state;
	assert_int_equal(n, 21);
	assert_string_equal(r[0].id, "CF001");
	assert_string_equal(r[0].name, "drop-all-missing");
	assert_int_equal(r[0].severity, SEV_MEDIUM);
	for (i = 0; i < n; i++) {
		assert_int_equal(strlen(r[i].id), 5);
		assert_non_null(r[i].name);
		assert_non_null(r[i].summary);
		assert_non_null(r[i].help);
		assert_non_null(r[i].controls);
		if (i)
			assert_true(strcmp(r[i - 1].id, r[i].id) < 0); /* id order, no duplicates */
	}
	assert_string_equal(r[n - 1].id, "CF302");
	assert_string_equal(scan_severity_name(SEV_INFO), "info");
	assert_string_equal(scan_severity_name(SEV_CRITICAL), "critical");
	assert_int_equal(scan_severity_parse("high"), SEV_HIGH);
	assert_int_equal(scan_severity_parse("low"), SEV_LOW);
	assert_int_equal(scan_severity_parse("HIGH"), -1);
	assert_int_equal(scan_severity_parse(""), -1);
}

static void test_scan_deployment_without_drop_all(void **state)
{
	const char *y = "apiVersion: apps/v1\n"
			"kind: Deployment\n"
			"metadata:\n"
			"  name: web\n"
			"  namespace: prod\n"
			"spec:\n"
			"  selector: {matchLabels: {app: web}}\n"
			"  template:\n"
			"    spec:\n"
			"      containers:\n"
			"        - name: app\n" /* line 11, the mapping starts at column 11 */
			"          image: nginx\n";
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, y);
	ASSERT_IDS(&r, false, "CF001 CF002");
	f = find(&r, "CF001", 0);
	assert_non_null(f);
	assert_int_equal(f->line, 11);
	assert_int_equal(f->col, 11);
	assert_int_equal(f->severity, SEV_MEDIUM);
	assert_string_equal(f->path, "t.yaml");
	assert_string_equal(f->kind, "Deployment");
	assert_string_equal(f->name, "web");
	assert_string_equal(f->ns, "prod");
	assert_string_equal(f->container, "app");
	assert_string_equal(f->message,
			    "container \"app\" does not drop ALL capabilities (drop: [])");
	f = find(&r, "CF002", 0);
	assert_string_equal(f->message, "container \"app\" keeps NET_RAW");
	/* the pod-level PSS findings sit on the pod spec (line 10, col 7), before */
	f = &r.findings[0];
	assert_string_equal(f->rule->id, "CF302");
	assert_int_equal(f->line, 10);
	assert_int_equal(f->col, 7);
	assert_null(f->container);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].status, "scanned");
	assert_int_equal(r.files[0].objects, 1);
	assert_int_equal(r.files[0].containers, 1);
	assert_int_equal(r.files[0].adding, 0);
	assert_int_equal(r.files[0].dropping_all, 0);
	assert_int_equal(r.nerrors, 0);
	assert_int_equal(scan_max_severity(&r), SEV_MEDIUM);
	scan_result_release(&r);
}

static void test_scan_adds(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	/* SYS_ADMIN: outside baseline, raised to critical */
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        capabilities: {drop: [ALL], add: [SYS_ADMIN]}\n");
	ASSERT_IDS(&r, false, "CF003 CF004 CF005");
	f = find(&r, "CF003", 0);
	assert_int_equal(f->severity, SEV_LOW);
	assert_string_equal(f->message, "container \"c\" adds SYS_ADMIN");
	f = find(&r, "CF004", 0);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->line, 7);
	assert_int_equal(f->col, 7);
	assert_string_equal(f->message, "container \"c\" adds SYS_ADMIN, outside the baseline set");
	f = find(&r, "CF005", 0);
	assert_int_equal(f->severity, SEV_MEDIUM);
	assert_int_equal(r.files[0].adding, 1);
	assert_int_equal(r.files[0].dropping_all, 1);
	assert_int_equal(scan_max_severity(&r), SEV_CRITICAL);
	scan_result_release(&r);

	/* NET_ADMIN: outside baseline at the rule's own severity (high) */
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        capabilities: {drop: [ALL], add: [NET_ADMIN, CHOWN]}\n");
	ASSERT_IDS(&r, false, "CF003 CF004 CF005");
	f = find(&r, "CF004", 0);
	assert_int_equal(f->severity, SEV_HIGH);
	/* CHOWN is in the baseline set: only NET_ADMIN is named there, both for restricted */
	assert_string_equal(f->message, "container \"c\" adds NET_ADMIN, outside the baseline set");
	assert_string_equal(
		find(&r, "CF005", 0)->message,
		"container \"c\" adds NET_ADMIN, CHOWN; restricted allows only NET_BIND_SERVICE");
	scan_result_release(&r);

	/* NET_BIND_SERVICE with drop ALL: restricted-clean, only the low "adds" finding */
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n");
	ASSERT_IDS(&r, false, "CF003");
	assert_int_equal(scan_max_severity(&r), SEV_MEDIUM); /* PSS restricted findings remain */
	scan_result_release(&r);

	/* NET_RAW added back after drop ALL */
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        capabilities: {drop: [ALL], add: [NET_RAW]}\n");
	ASSERT_IDS(&r, false, "CF002 CF003 CF004 CF005");
	assert_string_equal(find(&r, "CF002", 0)->message, "container \"c\" adds NET_RAW");
	scan_result_release(&r);

	/* dropping NET_RAW alone: CF001 but no CF002 */
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        capabilities: {drop: [NET_RAW, CHOWN]}\n");
	ASSERT_IDS(&r, false, "CF001");
	assert_string_equal(
		find(&r, "CF001", 0)->message,
		"container \"c\" does not drop ALL capabilities (drop: [NET_RAW, CHOWN])");
	scan_result_release(&r);
}

static void test_scan_spelling_and_non_root(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			      "        runAsUser: 1000\n"
			      "        capabilities: {drop: [all], add: [cap_net_bind_service]}\n");
	/* "all" counts as dropping ALL for CF001, but is misspelt; so is the add */
	ASSERT_IDS(&r, false, "CF003 CF004 CF005 CF007 CF008");
	f = find(&r, "CF007", 0);
	assert_int_equal(f->severity, SEV_MEDIUM);
	assert_non_null(strstr(f->message, "container \"c\" writes all, cap_net_bind_service;"));
	f = find(&r, "CF008", 0);
	assert_int_equal(f->severity, SEV_INFO);
	assert_non_null(strstr(f->message, "adding cap_net_bind_service has no effect"));
	/* ALL is only counted when written exactly */
	assert_int_equal(r.files[0].dropping_all, 0);
	scan_result_release(&r);

	/* runAsUser 0 beats the pod's runAsNonRoot: no CF008 */
	scan_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		     "  securityContext: {runAsNonRoot: true}\n  containers:\n"
		     "    - name: c\n      image: i\n      securityContext:\n        runAsUser: 0\n"
		     "        capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n");
	ASSERT_IDS(&r, false, "CF003");
	scan_result_release(&r);
	/* the pod's runAsNonRoot alone: CF008 */
	scan_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		     "  securityContext: {runAsNonRoot: true}\n  containers:\n"
		     "    - name: c\n      image: i\n      securityContext:\n"
		     "        capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n");
	ASSERT_IDS(&r, false, "CF003 CF008");
	scan_result_release(&r);
}

/*
 * 64 misspelt drops and 2 misspelt adds: 66 odd spellings overflowed a 64-slot stack
 * array (the sanitizer build stopped there); the message lists them up to its length limit.
 */
static void test_scan_many_spellings(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	struct sbuf y = SBUF_INIT;
	const struct scan_finding *f;
	const char *p;
	size_t i, n = 0;

	(void)state;
	sbuf_addstr(&y,
		    POD_HEAD "    - name: c\n      image: i\n      securityContext:\n"
			     "        capabilities:\n          add: [cap_net_raw, cap_sys_admin]\n"
			     "          drop:\n");
	for (i = 0; i < 64; i++)
		sbuf_addstr(&y, "            - cap_chown\n");
	scan_str(&r, y.buf);
	f = find(&r, "CF007", 0);
	assert_non_null(f);
	for (p = f->message; (p = strstr(p, "cap_chown")); p++)
		n++;
	assert_true(n >= 40);
	assert_non_null(find(&r, "CF004", 0)); /* and the adds are still audited */
	scan_result_release(&r);
	sbuf_release(&y);
}

static void test_scan_privileged(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, POD_HEAD
		 "    - name: c\n      image: i\n"
		 "      securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN]}}\n");
	/* privileged, and the lists audited all the same (CIS lists added capabilities) */
	ASSERT_IDS(&r, false, "CF001 CF002 CF003 CF004 CF005 CF006");
	assert_string_equal(find(&r, "CF004", 0)->message,
			    "container \"c\" adds SYS_ADMIN, outside the baseline set");
	assert_false(find(&r, "CF004", 0)->partial);
	f = find(&r, "CF006", 0);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_int_equal(f->line, 7);
	assert_int_equal(f->col, 7);
	assert_string_equal(f->container, "c");
	/* ... and the PSS privileged check is not reported a second time as CF301 */
	assert_int_equal(count(&r, "CF301"), 0);
	scan_result_release(&r);

	/* privileged: false is not privileged */
	scan_str(&r, POD_HEAD
		 "    - name: c\n      image: i\n"
		 "      securityContext: {privileged: false, capabilities: {drop: [ALL]}}\n");
	ASSERT_IDS(&r, false, "");
	scan_result_release(&r);
}

static void test_scan_pss_findings(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(
		&r,
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n"
		"  hostNetwork: true\n"
		"  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
		"  containers:\n    - name: c\n      image: i\n"
		"      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n");
	ASSERT_IDS(&r, true, "CF301");
	f = find(&r, "CF301", 0);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->line, 5);
	assert_int_equal(f->col, 3);
	assert_string_equal(f->ns, "n");
	assert_non_null(strstr(f->message, "hostNetwork=true"));
	scan_result_release(&r);
}

static void test_scan_psp(void **state)
{
	const char *y = "apiVersion: policy/v1beta1\n"
			"kind: PodSecurityPolicy\n"
			"metadata:\n"
			"  name: open\n"
			"spec:\n"
			"  requiredDropCapabilities: [CHOWN]\n"
			"  allowedCapabilities: ['*']\n"
			"  defaultAddCapabilities: [NET_ADMIN, SYS_TIME]\n";
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, y);
	/* CF101 is set-level: it comes after every file's own findings */
	ASSERT_IDS(&r, true, "CF104 CF102 CF103 CF101");
	f = find(&r, "CF102", 0);
	assert_int_equal(f->severity, SEV_HIGH);
	assert_int_equal(f->line, 7);
	assert_int_equal(f->col, 25); /* the '*' item */
	assert_string_equal(f->kind, "PodSecurityPolicy");
	assert_string_equal(f->name, "open");
	assert_null(f->ns);
	assert_null(f->container);
	f = find(&r, "CF103", 0);
	assert_int_equal(f->line, 8);
	assert_string_equal(
		f->message,
		"PodSecurityPolicy \"open\" adds NET_ADMIN, SYS_TIME to every container by default");
	f = find(&r, "CF104", 0);
	assert_int_equal(f->severity, SEV_LOW);
	assert_int_equal(f->line, 6);
	f = find(&r, "CF101", 0);
	assert_int_equal(f->line, 1); /* the first PSP */
	assert_int_equal(f->col, 1);
	assert_string_equal(f->message,
			    "no PodSecurityPolicy (of 1) requires dropping NET_RAW or ALL");
	assert_int_equal(r.psps, 1);
	assert_int_equal(r.files[0].objects, 1);
	assert_int_equal(r.files[0].containers, 0);
	scan_result_release(&r);

	/* one of two PSPs drops ALL: no set-level finding; the other still gets CF104 */
	scan_str(&r, "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: a}\n"
		     "spec: {requiredDropCapabilities: [ALL]}\n---\n"
		     "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: b}\n"
		     "spec: {}\n");
	ASSERT_IDS(&r, true, "CF104");
	assert_string_equal(find(&r, "CF104", 0)->name, "b");
	assert_int_equal(r.psps, 2);
	assert_int_equal(r.psps_dropping_net_raw, 1);
	scan_result_release(&r);
}

static void test_scan_compose(void **state)
{
	const char *y = "services:\n"
			"  web:\n"
			"    image: nginx\n"
			"    cap_add: [SYS_ADMIN, CHOWN]\n"
			"  db:\n"
			"    image: postgres\n"
			"    privileged: true\n"
			"  tight:\n"
			"    image: x\n"
			"    cap_drop: [ALL]\n"
			"  child:\n"
			"    extends: web\n";
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, y);
	/* db is privileged: audited all the same */
	ASSERT_IDS(&r, true, "CF201 CF202 CF204 CF202 CF203 CF204 CF201 CF202 CF204");
	f = find(&r, "CF201", 0);
	assert_string_equal(f->kind, "ComposeService");
	assert_string_equal(f->name, "web");
	assert_string_equal(f->container, "web");
	assert_int_equal(f->line, 3);
	assert_int_equal(f->col, 5);
	/* CHOWN is one of Docker's defaults */
	assert_string_equal(f->message, "service \"web\" adds SYS_ADMIN");
	f = find(&r, "CF203", 0);
	assert_int_equal(f->severity, SEV_CRITICAL);
	assert_string_equal(f->name, "db");
	assert_int_equal(f->line, 6);
	/* "child" inherits web's cap_add through extends */
	f = find(&r, "CF201", 1);
	assert_string_equal(f->name, "child");
	assert_string_equal(f->message, "service \"child\" adds SYS_ADMIN");
	assert_int_equal(count(&r, "CF204"), 3); /* web, db, child: tight drops ALL */
	assert_int_equal(r.files[0].services, 4);
	assert_int_equal(r.files[0].objects, 0);
	scan_result_release(&r);
}

static void test_scan_docker_inspect(void **state)
{
	const char *j =
		"[{\"Id\": \"abc\", \"Name\": \"/web\",\n"
		"  \"HostConfig\": {\"CapAdd\": [\"NET_ADMIN\", \"CHOWN\"], \"CapDrop\": null}},\n"
		" {\"Id\": \"def\", \"Name\": \"/ok\",\n"
		"  \"HostConfig\": {\"CapAdd\": null, \"CapDrop\": [\"ALL\"]}},\n"
		" {\"Id\": \"123\", \"HostConfig\": {\"Privileged\": true}}]\n";
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_buffer(&r, "inspect.json", j, strlen(j), true);
	scan_finish(&r);
	/* the privileged one keeps NET_RAW too: audited all the same */
	ASSERT_IDS(&r, true, "CF202 CF201 CF202 CF203");
	f = find(&r, "CF202", 0);
	assert_string_equal(f->kind, "DockerContainer");
	assert_string_equal(f->name, "web"); /* the leading '/' is not part of the name */
	assert_int_equal(f->line, 1);
	assert_int_equal(f->col, 2);
	f = find(&r, "CF201", 0);
	assert_int_equal(f->line, 2);
	assert_int_equal(f->col, 28); /* the CapAdd list */
	assert_string_equal(f->message, "container \"web\" adds NET_ADMIN beyond the default set");
	f = find(&r, "CF203", 0);
	assert_string_equal(f->name, "123"); /* no Name: the Id */
	assert_int_equal(f->line, 5);
	assert_int_equal(r.files[0].objects, 3);
	assert_int_equal(r.files[0].containers, 3);
	assert_int_equal(r.files[0].dropping_all, 1);
	scan_result_release(&r);
}

static void test_scan_errors(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;

	(void)state;
	/* a syntax error: an error with its position, a file with status "error", no findings */
	scan_str(&r, "a: b\nc: [d, e\n");
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(r.nerrors, 1);
	assert_string_equal(r.errors[0].path, "t.yaml");
	assert_int_equal(r.errors[0].line, 3);
	assert_int_equal(r.errors[0].col, 1);
	assert_non_null(strstr(r.errors[0].message, "flow sequence"));
	assert_false(r.errors[0].skipped);
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].status, "error");
	scan_result_release(&r);

	scan_str(&r, "kind: Pod\nspec:\n  containers:\n    - name: c\n   image: i\n");
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors[0].line, 5);
	assert_int_equal(r.nfindings, 0);
	scan_result_release(&r);

	/* a collection as a mapping key: valid YAML that Kubernetes cannot decode */
	scan_str(&r, "kind: Pod\nmetadata:\n  ? [a, b]\n  : c\n");
	assert_int_equal(r.nerrors, 1);
	assert_int_equal(r.errors[0].line, 3);
	assert_int_equal(r.errors[0].col, 5);
	assert_non_null(strstr(r.errors[0].message, "mapping key"));
	assert_string_equal(r.files[0].status, "error");
	scan_result_release(&r);

	/* a Helm template skipped on purpose, an unreadable file */
	scan_skip_template(&r, "chart/templates/d.yaml");
	scan_add_error(&r, "gone.yaml", 0, 0, "No such file or directory");
	assert_int_equal(r.nerrors, 2);
	assert_true(r.errors[0].skipped);
	assert_string_equal(r.errors[0].path, "chart/templates/d.yaml");
	assert_false(r.errors[1].skipped);
	assert_string_equal(r.errors[1].message, "No such file or directory");
	assert_int_equal(r.nfiles, 1); /* scan_add_error records no file */
	assert_string_equal(r.files[0].status, "skipped");
	scan_result_release(&r);
}

static void test_scan_not_audited(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;

	(void)state;
	/* Windows pods: no capability findings */
	scan_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n"
		     "  os: {name: windows}\n  containers:\n    - {name: c, image: i}\n");
	ASSERT_IDS(&r, false, "");
	assert_int_equal(r.files[0].containers, 1);
	scan_result_release(&r);

	/* a kustomize patch (apps/v1 without spec.selector): no PSS findings; the capability
	 * rules apply, marked partial */
	scan_str(&r, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
		     "  template:\n    spec:\n      containers:\n        - {name: c, image: i}\n");
	ASSERT_IDS(&r, true, "CF001 CF002");
	assert_true(find(&r, "CF001", 0)->partial);
	assert_true(find(&r, "CF002", 0)->partial);
	scan_result_release(&r);
	/* ... the same with a selector is audited */
	scan_str(&r, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
		     "  selector: {}\n"
		     "  template:\n    spec:\n      containers:\n        - {name: c, image: i}\n");
	ASSERT_IDS(&r, false, "CF001 CF002");
	assert_false(find(&r, "CF001", 0)->partial);
	scan_result_release(&r);

	/* a container without image (a strategic-merge patch entry): partial, privileged */
	scan_str(&r, POD_HEAD "    - name: c\n      securityContext: {privileged: true}\n");
	ASSERT_IDS(&r, false, "CF001 CF002 CF006");
	assert_true(find(&r, "CF006", 0)->partial);
	scan_result_release(&r);

	/* kinds that bear no pods, even with a containers list */
	scan_str(&r, "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: k}\n"
		     "spec:\n  containers:\n    - {name: c, image: i}\n");
	ASSERT_IDS(&r, true, "");
	assert_int_equal(r.files[0].objects, 0);
	scan_result_release(&r);
}

/* --pss-version: CF301/CF302 follow the checks of that Kubernetes version. */
static void test_scan_pss_version(void **state)
{
	const char *y = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			"  securityContext:\n"
			"    sysctls: [{name: net.ipv4.tcp_keepalive_time, value: \"60\"}]\n"
			"  containers:\n    - {name: c, image: i}\n";
	struct scan_opts o = SCAN_OPTS_INIT;
	struct scan_result r = SCAN_RESULT_INIT;

	(void)state;
	/* allowed since 1.29: latest (the default) and v1.29 say nothing */
	scan_buffer_opts(&r, NULL, "t.yaml", y, strlen(y), false);
	scan_finish(&r);
	assert_int_equal(count(&r, "CF301"), 0);
	scan_result_release(&r);
	o.pss_minor = 29;
	scan_buffer_opts(&r, &o, "t.yaml", y, strlen(y), false);
	scan_finish(&r);
	assert_int_equal(count(&r, "CF301"), 0);
	scan_result_release(&r);
	/* ... v1.28 forbids it */
	o.pss_minor = 28;
	scan_buffer_opts(&r, &o, "t.yaml", y, strlen(y), false);
	scan_finish(&r);
	assert_int_equal(count(&r, "CF301"), 1);
	assert_non_null(strstr(find(&r, "CF301", 0)->message, "net.ipv4.tcp_keepalive_time"));
	assert_string_equal(find(&r, "CF301", 0)->check, "sysctls");
	scan_result_release(&r);
}

/* Partial objects: every capability rule, adds included; compose override fragments. */
static void test_scan_partial(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const char *ov =
		"services:\n  web:\n    cap_add: [NET_ADMIN]\n  db:\n    environment: {A: b}\n";
	const struct scan_finding *f;
	size_t i;

	(void)state;
	/* a patch adding SYS_ADMIN to a container without image */
	scan_str(&r, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
		     "  template:\n    spec:\n      containers:\n"
		     "        - name: c\n          securityContext:\n"
		     "            capabilities: {add: [SYS_ADMIN], drop: [ALL]}\n");
	ASSERT_IDS(&r, true, "CF003 CF004 CF005");
	for (i = 0; i < r.nfindings; i++)
		assert_true(r.findings[i].partial);
	f = find(&r, "CF004", 0);
	assert_int_equal(f->severity, SEV_CRITICAL);
	scan_result_release(&r);

	/* a compose override file: no CF204 nor CF202 for what it does not say; adds reported */
	scan_buffer(&r, "compose.override.yaml", ov, strlen(ov), false);
	scan_finish(&r);
	ASSERT_IDS(&r, true, "CF201");
	assert_true(find(&r, "CF201", 0)->partial);
	scan_result_release(&r);
	/* the same services in a file that has images elsewhere are whole services */
	scan_str(&r, "services:\n  web:\n    cap_add: [NET_ADMIN]\n  db:\n    image: x\n");
	ASSERT_IDS(&r, true, "CF201 CF202 CF204 CF202 CF204");
	assert_false(find(&r, "CF201", 0)->partial);
	scan_result_release(&r);
}

static void test_scan_documents_and_lists(void **state)
{
	const char *multi = POD_HEAD "    - {name: a, image: i}\n"
				     "---\n" POD_HEAD "    - {name: b, image: i}\n";
	const char *list =
		"apiVersion: v1\nkind: List\nitems:\n"
		"  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p1, namespace: n1}\n"
		"    spec:\n      containers:\n        - {name: a, image: i}\n"
		"  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p2}\n"
		"    spec:\n      containers:\n"
		"        - {name: b, image: i, securityContext: {capabilities: {drop: [ALL]}}}\n";
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, multi);
	ASSERT_IDS(&r, false, "CF001 CF002 CF001 CF002");
	assert_string_equal(find(&r, "CF001", 0)->container, "a");
	f = find(&r, "CF001", 1);
	assert_string_equal(f->container, "b");
	assert_int_equal(f->line, 15); /* 7 lines per document plus the separator */
	assert_int_equal(r.files[0].objects, 2);
	assert_int_equal(r.files[0].containers, 2);
	scan_result_release(&r);

	scan_str(&r, list);
	ASSERT_IDS(&r, false, "CF001 CF002");
	f = find(&r, "CF001", 0);
	assert_string_equal(f->name, "p1");
	assert_string_equal(f->ns, "n1");
	assert_int_equal(f->line, 9);
	assert_int_equal(r.files[0].objects, 2);
	assert_int_equal(r.files[0].containers, 2);
	assert_int_equal(r.files[0].dropping_all, 1);
	/* PSS findings for both items */
	assert_non_null(find(&r, "CF302", 0));
	assert_true(count(&r, "CF302") >= 2);
	scan_result_release(&r);

	/* kubectl's typed lists too */
	scan_str(&r, "apiVersion: v1\nkind: PodList\nitems:\n"
		     "  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p1}\n"
		     "    spec:\n      containers:\n        - {name: a, image: i}\n");
	ASSERT_IDS(&r, false, "CF001 CF002");
	scan_result_release(&r);
}

static void test_scan_empty_and_foreign(void **state)
{
	static const char *const inputs[] = {
		"",
		"# just a comment\n",
		"---\n...\n",
		"foo: bar\nlist: [1, 2]\n",
		"- a\n- b\n",
		"plain scalar\n",
		"{\"kind\": \"ConfigMap\", \"data\": {\"containers\": \"x\"}}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct scan_result r = SCAN_RESULT_INIT;

		scan_str(&r, inputs[i]);
		if (r.nfindings || r.nerrors)
			fail_msg("input %zu: %zu findings, %zu errors", i, r.nfindings, r.nerrors);
		assert_int_equal(r.nfiles, 1);
		assert_string_equal(r.files[0].status, "scanned");
		assert_int_equal(r.files[0].objects, 0);
		assert_int_equal(scan_max_severity(&r), -1);
		scan_result_release(&r);
	}
}

static void test_scan_aliases_and_merge_keys(void **state)
{
	const char *y = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
			"x-sc: &sc\n  capabilities: {add: [SYS_ADMIN], drop: [ALL]}\n"
			"spec:\n  containers:\n"
			"    - name: a\n      image: i\n      securityContext: *sc\n"
			"    - name: b\n      image: i\n      securityContext:\n"
			"        <<: *sc\n        runAsUser: 0\n";
	struct scan_result r = SCAN_RESULT_INIT;

	(void)state;
	scan_str(&r, y);
	/* both containers add SYS_ADMIN, one through an alias, one through a merge key */
	ASSERT_IDS(&r, false, "CF003 CF004 CF005 CF003 CF004 CF005");
	assert_string_equal(find(&r, "CF004", 0)->container, "a");
	assert_int_equal(find(&r, "CF004", 0)->line, 8);
	assert_string_equal(find(&r, "CF004", 1)->container, "b");
	assert_int_equal(find(&r, "CF004", 1)->line, 11);
	assert_int_equal(r.files[0].adding, 2);
	assert_int_equal(r.files[0].dropping_all, 2);
	scan_result_release(&r);

	/* an aliased list item */
	scan_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
		     "  containers:\n    - name: c\n      image: i\n      securityContext:\n"
		     "        capabilities: {drop: [&all ALL], add: [&cap NET_ADMIN, *cap]}\n");
	ASSERT_IDS(&r, false, "CF003 CF004 CF005");
	assert_string_equal(find(&r, "CF003", 0)->message,
			    "container \"c\" adds NET_ADMIN, NET_ADMIN");
	scan_result_release(&r);
}

static void test_scan_crlf_positions(void **state)
{
	const char *lf =
		POD_HEAD "    - name: c\n      image: i\n"
			 "      securityContext:\n        capabilities: {add: [SYS_ADMIN]}\n";
	char crlf[512];
	size_t i, j = 0;
	struct scan_result a = SCAN_RESULT_INIT, b = SCAN_RESULT_INIT;

	(void)state;
	for (i = 0; lf[i]; i++) {
		if (lf[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = lf[i];
	}
	crlf[j] = '\0';
	scan_str(&a, lf);
	scan_buffer(&b, "t.yaml", crlf, j, false);
	scan_finish(&b);
	assert_true(a.nfindings > 3);
	assert_int_equal(a.nfindings, b.nfindings);
	for (i = 0; i < a.nfindings; i++) {
		assert_string_equal(a.findings[i].rule->id, b.findings[i].rule->id);
		assert_int_equal(a.findings[i].line, b.findings[i].line);
		assert_int_equal(a.findings[i].col, b.findings[i].col);
		assert_string_equal(a.findings[i].message, b.findings[i].message);
	}
	assert_int_equal(find(&b, "CF004", 0)->line, 7);
	assert_int_equal(find(&b, "CF004", 0)->col, 7);
	/* no stray \r in any recorded name */
	assert_string_equal(find(&b, "CF004", 0)->name, "p");
	assert_string_equal(find(&b, "CF004", 0)->container, "c");
	scan_result_release(&a);
	scan_result_release(&b);
}

/*
 * Names with quotes and control characters are recorded as the YAML says
 * (escaping is the renderers' business, see test_report.c).
 */
static void test_scan_odd_names(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	const struct scan_finding *f;

	(void)state;
	scan_str(&r, "apiVersion: v1\nkind: Pod\nmetadata: {name: \"it's \\\"q\\\"\\t\"}\nspec:\n"
		     "  containers:\n    - name: \"c\\u0001\"\n      image: i\n"
		     "      securityContext: {privileged: true}\n");
	f = find(&r, "CF006", 0);
	assert_non_null(f);
	assert_string_equal(f->name, "it's \"q\"\t");
	assert_string_equal(f->container, "c\001");
	assert_string_equal(
		f->message,
		"container \"c\001\" is privileged: it has every capability whatever the lists say");
	scan_result_release(&r);
}

static void test_scan_order_and_merge(void **state)
{
	/* init containers written first are reported first, though visited after containers */
	const char *y = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			"  initContainers:\n    - {name: init, image: i}\n"
			"  containers:\n    - {name: main, image: i}\n";
	const char *z = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: z}\n"
			"spec: {requiredDropCapabilities: [NET_RAW]}\n";
	struct scan_result r = SCAN_RESULT_INIT, a = SCAN_RESULT_INIT, b = SCAN_RESULT_INIT;

	(void)state;
	scan_str(&r, y);
	ASSERT_IDS(&r, false, "CF001 CF002 CF001 CF002");
	assert_string_equal(find(&r, "CF001", 0)->container, "init");
	assert_int_equal(find(&r, "CF001", 0)->line, 6);
	assert_string_equal(find(&r, "CF001", 1)->container, "main");
	scan_result_release(&r);

	/* merged results: file indexes and finding order as if scanned in one */
	scan_buffer(&a, "a.yaml", y, strlen(y), false);
	scan_buffer(&b, "b.yaml", z, strlen(z), false);
	scan_buffer(&b, "c.yaml", "a: [\n", 5, false);
	scan_result_merge(&a, &b);
	assert_int_equal(b.nfindings, 0);
	assert_int_equal(b.nfiles, 0);
	assert_null(b.first_psp_path);
	scan_finish(&a);
	assert_int_equal(a.nfiles, 3);
	assert_string_equal(a.files[0].path, "a.yaml");
	assert_string_equal(a.files[1].path, "b.yaml");
	assert_string_equal(a.files[2].path, "c.yaml");
	assert_string_equal(a.files[2].status, "error");
	assert_int_equal(a.nerrors, 1);
	assert_string_equal(a.errors[0].path, "c.yaml");
	assert_int_equal(a.psps, 1);
	assert_int_equal(a.psps_dropping_net_raw, 1); /* NET_RAW counts: no CF101 */
	assert_int_equal(count(&a, "CF101"), 0);
	assert_string_equal(a.findings[a.nfindings - 1].path, "b.yaml");
	assert_string_equal(a.findings[a.nfindings - 1].rule->id, "CF104");
	assert_int_equal(a.findings[a.nfindings - 1].file, 1);
	assert_string_equal(a.findings[0].path, "a.yaml");
	scan_result_release(&a);
	scan_result_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_rule_table),
		cmocka_unit_test(test_scan_deployment_without_drop_all),
		cmocka_unit_test(test_scan_adds),
		cmocka_unit_test(test_scan_spelling_and_non_root),
		cmocka_unit_test(test_scan_many_spellings),
		cmocka_unit_test(test_scan_privileged),
		cmocka_unit_test(test_scan_pss_findings),
		cmocka_unit_test(test_scan_psp),
		cmocka_unit_test(test_scan_compose),
		cmocka_unit_test(test_scan_docker_inspect),
		cmocka_unit_test(test_scan_errors),
		cmocka_unit_test(test_scan_not_audited),
		cmocka_unit_test(test_scan_partial),
		cmocka_unit_test(test_scan_pss_version),
		cmocka_unit_test(test_scan_documents_and_lists),
		cmocka_unit_test(test_scan_empty_and_foreign),
		cmocka_unit_test(test_scan_aliases_and_merge_keys),
		cmocka_unit_test(test_scan_crlf_positions),
		cmocka_unit_test(test_scan_odd_names),
		cmocka_unit_test(test_scan_order_and_merge),
	};

	return cmocka_run_group_tests_name("scan", tests, NULL, NULL);
}
