/*
 * Unit tests for report.c through report.h: text, JSON and SARIF renderings
 * of real scan results (scan_buffer on small manifests), the severity
 * filter, errors, and strings that JSON cannot take as they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/report.h"

#include <jansson.h>

/*
 * One container adding SYS_ADMIN in a pod that runs as non-root: CF001,
 * CF002, CF005 (medium), CF003 (low), CF004 (critical), CF008 (info), all
 * at line 7, column 7; no PSS finding.
 */
static const char pod[] =
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: p, namespace: ns1}\n"
	"spec:\n"
	"  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
	"  containers:\n"
	"    - name: c\n"
	"      image: i\n"
	"      securityContext:\n"
	"        allowPrivilegeEscalation: false\n"
	"        capabilities: {add: [SYS_ADMIN]}\n";

static void scan_pod(struct scan_result *r, const char *path)
{
	scan_buffer(r, path, pod, strlen(pod), false);
	scan_finish(r);
}

static json_t *render_json(const struct scan_result *r, enum report_format fmt,
			   enum scan_severity min)
{
	struct sbuf out = SBUF_INIT;
	json_error_t jerr;
	json_t *root;

	assert_int_equal(report_render(&out, r, fmt, min), 0);
	assert_true(out.len > 0 && out.buf[out.len - 1] == '\n');
	root = json_loads(out.buf, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %d:%d %s", jerr.line, jerr.column, jerr.text);
	sbuf_release(&out);
	return root;
}

static json_int_t jint(json_t *o, const char *path)
{
	json_t *v = json_object_get(o, path);

	if (!json_is_integer(v))
		fail_msg("'%s' is not an integer", path);
	return json_integer_value(v);
}

static const char *jstring(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("'%s' is not a string", key);
	return json_string_value(v);
}

static void test_report_format_parse(void **state)
{
	(void)state;
	assert_int_equal(report_format_parse("text"), REPORT_TEXT);
	assert_int_equal(report_format_parse("json"), REPORT_JSON);
	assert_int_equal(report_format_parse("sarif"), REPORT_SARIF);
	assert_int_equal(report_format_parse("SARIF"), -1);
	assert_int_equal(report_format_parse(""), -1);
	assert_int_equal(report_format_parse("xml"), -1);
}

static void test_report_text(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	struct sbuf out = SBUF_INIT;
	const char *p, *line;
	size_t nfinding_lines = 0;

	(void)state;
	scan_pod(&r, "k8s/pod.yaml");
	assert_int_equal(r.nfindings, 6);
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_INFO), 0);
	p = sbuf_cstr(&out);
	assert_non_null(strstr(p, "k8s/pod.yaml:7:7: critical: [CF004 add-outside-baseline] Pod/p: "
				  "container \"c\" adds SYS_ADMIN, outside the baseline set\n"));
	assert_non_null(strstr(p, "k8s/pod.yaml:7:7: info: [CF008 add-without-effect] Pod/p: "));
	/* every finding line starts with path:line:col: */
	for (line = p; *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, "k8s/pod.yaml:", 13)) {
			assert_int_equal(strncmp(line, "k8s/pod.yaml:7:7: ", 18), 0);
			nfinding_lines++;
		}
		if (!strchr(line, '\n'))
			break;
	}
	assert_int_equal(nfinding_lines, 6);
	/* the rules that fired, with their controls and fix; the others not */
	assert_non_null(strstr(
		p,
		"\nrules:\n  CF001 drop-all-missing: the container does not drop ALL capabilities\n"
		"      CIS Kubernetes 1.6-1.20 5.2.9\n"
		"      CIS Kubernetes 1.23+ 5.2.10\n"));
	assert_non_null(strstr(p, "  CF004 add-outside-baseline: "));
	assert_non_null(strstr(
		p,
		"      fix: remove them, or run the workload in a namespace whose policy allows them\n"));
	assert_null(strstr(p, "CF006"));
	assert_null(strstr(p, "CF101"));
	/* the summary is the last line */
	assert_non_null(strstr(
		p, "\ncapfix scan: 1 input scanned (0 skipped, 0 errors), 1 object, 1 container; "
		   "6 findings: 1 critical, 3 medium, 1 low, 1 info\n"));
	assert_int_equal(p[out.len - 1], '\n');
	sbuf_release(&out);

	/* the severity filter: only critical and high shown, the rest counted */
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_HIGH), 0);
	p = sbuf_cstr(&out);
	assert_non_null(strstr(p, "[CF004 add-outside-baseline]"));
	assert_null(strstr(p, "[CF001"));
	assert_null(strstr(p, "CF001 drop-all-missing"));
	assert_non_null(strstr(p, "; 1 finding: 1 critical (5 below high not shown)\n"));
	sbuf_release(&out);

	/* report_render appends */
	sbuf_addstr(&out, "before\n");
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_CRITICAL), 0);
	assert_int_equal(strncmp(sbuf_cstr(&out), "before\nk8s/pod.yaml:7:7: critical:", 33), 0);
	sbuf_release(&out);
	scan_result_release(&r);
}

static void test_report_text_errors_and_nothing(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	struct sbuf out = SBUF_INIT;
	const char *p;

	(void)state;
	scan_buffer(&r, "bad.yaml", "a: b\nc: [d, e\n", 14, false);
	scan_buffer(&r, "ok.yaml", "kind: ConfigMap\n", 16, false);
	scan_skip_template(&r, "chart/templates/d.yaml");
	scan_fail_input(&r, "gone.yaml", "cannot open");
	scan_skip_input(&r, "link.yaml", "is a symbolic link");
	scan_finish(&r);
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_INFO), 0);
	p = sbuf_cstr(&out);
	assert_int_equal(strncmp(p, "bad.yaml:3:1: error: ", 21), 0);
	assert_non_null(strstr(
		p,
		"\nchart/templates/d.yaml: skipped: Helm chart template (scan the rendered output)\n"));
	assert_non_null(strstr(p, "\ngone.yaml: error: cannot open\n"));
	assert_null(strstr(p, "rules:"));
	/* an unreadable input counts among the errors (it did not), a link among the skipped */
	assert_non_null(strstr(
		p,
		"capfix scan: 1 input scanned (2 skipped, 2 errors), 0 objects, 0 containers; 0 findings\n"));
	sbuf_release(&out);
	scan_result_release(&r);

	/* an empty result */
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_INFO), 0);
	assert_string_equal(
		sbuf_cstr(&out),
		"capfix scan: 0 inputs scanned (0 skipped, 0 errors), 0 objects, 0 containers; 0 findings\n");
	sbuf_release(&out);

	/* compose services are counted in the summary */
	scan_buffer(&r, "compose.yaml", "services:\n  a: {image: x, cap_drop: [ALL]}\n", 43, false);
	scan_finish(&r);
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_INFO), 0);
	assert_non_null(strstr(sbuf_cstr(&out), ", 0 containers, 1 compose service; 0 findings\n"));
	sbuf_release(&out);
	scan_result_release(&r);
}

static void test_report_json(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *summary, *sev, *findings, *f, *obj, *files, *controls;
	size_t i;

	(void)state;
	scan_pod(&r, "k8s/pod.yaml");
	scan_buffer(&r, "bad.yaml", "a: [\n", 5, false);
	scan_finish(&r);
	root = render_json(&r, REPORT_JSON, SEV_INFO);
	assert_int_equal(jint(root, "version"), 1);
	assert_string_equal(jstring(json_object_get(root, "tool"), "name"), "capfix");
	assert_string_equal(jstring(json_object_get(root, "tool"), "version"), CAPFIX_VERSION);
	summary = json_object_get(root, "summary");
	assert_int_equal(jint(summary, "scanned"), 1);
	assert_int_equal(jint(summary, "errors"), 1);
	assert_int_equal(jint(summary, "skipped"), 0);
	assert_int_equal(jint(summary, "objects"), 1);
	assert_int_equal(jint(summary, "containers"), 1);
	assert_int_equal(jint(summary, "containers_adding"), 1);
	assert_int_equal(jint(summary, "containers_dropping_all"), 0);
	sev = json_object_get(summary, "findings");
	assert_int_equal(jint(sev, "critical"), 1);
	assert_int_equal(jint(sev, "high"), 0);
	assert_int_equal(jint(sev, "medium"), 3);
	assert_int_equal(jint(sev, "low"), 1);
	assert_int_equal(jint(sev, "info"), 1);

	findings = json_object_get(root, "findings");
	assert_true(json_is_array(findings));
	assert_int_equal(json_array_size(findings), 6);
	f = NULL;
	for (i = 0; i < json_array_size(findings); i++)
		if (!strcmp(jstring(json_array_get(findings, i), "rule"), "CF004"))
			f = json_array_get(findings, i);
	assert_non_null(f);
	assert_string_equal(jstring(f, "name"), "add-outside-baseline");
	assert_string_equal(jstring(f, "severity"), "critical");
	assert_string_equal(jstring(f, "path"), "k8s/pod.yaml");
	assert_int_equal(jint(f, "line"), 7);
	assert_int_equal(jint(f, "column"), 7);
	assert_string_equal(jstring(f, "container"), "c");
	assert_string_equal(jstring(f, "message"),
			    "container \"c\" adds SYS_ADMIN, outside the baseline set");
	obj = json_object_get(f, "object");
	assert_string_equal(jstring(obj, "kind"), "Pod");
	assert_string_equal(jstring(obj, "name"), "p");
	assert_string_equal(jstring(obj, "namespace"), "ns1");
	controls = json_object_get(f, "controls");
	assert_int_equal(json_array_size(controls), 1);
	assert_string_equal(json_string_value(json_array_get(controls, 0)),
			    "Pod Security Standards baseline: capabilities");

	assert_int_equal(json_array_size(json_object_get(root, "errors")), 1);
	f = json_array_get(json_object_get(root, "errors"), 0);
	assert_string_equal(jstring(f, "path"), "bad.yaml");
	assert_int_equal(jint(f, "line"), 2);
	assert_true(json_is_false(json_object_get(f, "skipped")));

	files = json_object_get(root, "files");
	assert_int_equal(json_array_size(files), 2);
	assert_string_equal(jstring(json_array_get(files, 0), "status"), "scanned");
	assert_int_equal(jint(json_array_get(files, 0), "containers_adding"), 1);
	assert_string_equal(jstring(json_array_get(files, 1), "path"), "bad.yaml");
	assert_string_equal(jstring(json_array_get(files, 1), "status"), "error");
	json_decref(root);

	/* the filter leaves findings out and counts them as 0 */
	root = render_json(&r, REPORT_JSON, SEV_MEDIUM);
	assert_int_equal(json_array_size(json_object_get(root, "findings")), 4);
	sev = json_object_get(json_object_get(root, "summary"), "findings");
	assert_int_equal(jint(sev, "medium"), 3);
	assert_int_equal(jint(sev, "low"), 0);
	assert_int_equal(jint(sev, "info"), 0);
	json_decref(root);
	scan_result_release(&r);
}

/* Object-level findings have a null container; objects without namespace a null one. */
static void test_report_json_nulls(void **state)
{
	const char *psp =
		"apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n"
		"spec: {requiredDropCapabilities: [ALL], allowedCapabilities: ['*']}\n";
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *f;

	(void)state;
	scan_buffer(&r, "psp.yaml", psp, strlen(psp), false);
	scan_finish(&r);
	root = render_json(&r, REPORT_JSON, SEV_INFO);
	assert_int_equal(json_array_size(json_object_get(root, "findings")), 1);
	f = json_array_get(json_object_get(root, "findings"), 0);
	assert_string_equal(jstring(f, "rule"), "CF102");
	assert_true(json_is_null(json_object_get(f, "container")));
	assert_true(json_is_null(json_object_get(json_object_get(f, "object"), "namespace")));
	assert_string_equal(jstring(json_object_get(f, "object"), "name"), "x");
	json_decref(root);
	scan_result_release(&r);
}

/* Paths need not be UTF-8; names may hold quotes and control characters. */
static void test_report_json_strings(void **state)
{
	const char *y =
		"apiVersion: v1\nkind: Pod\nmetadata: {name: \"q\\\"\\u001b[31m\\n\"}\nspec:\n"
		"  containers:\n    - {name: c, image: i, securityContext: {privileged: true}}\n";
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *f;

	(void)state;
	scan_buffer(&r, "dir/caf\xe9.yaml", y, strlen(y), false);
	scan_finish(&r);
	/* three CF302 on the pod spec, then CF001, CF002 and CF006 on the container */
	assert_int_equal(r.nfindings, 6);
	root = render_json(&r, REPORT_JSON, SEV_INFO);
	assert_int_equal(json_array_size(json_object_get(root, "findings")), 6);
	f = json_array_get(json_object_get(root, "findings"), 5);
	assert_string_equal(jstring(f, "rule"), "CF006");
	assert_true(json_is_false(json_object_get(f, "partial")));
	/* the byte that is not UTF-8 becomes U+FFFD; the finding is kept */
	assert_string_equal(jstring(f, "path"), "dir/caf\xef\xbf\xbd.yaml");
	assert_string_equal(jstring(json_object_get(f, "object"), "name"), "q\"\033[31m\n");
	assert_string_equal(jstring(json_array_get(json_object_get(root, "files"), 0), "path"),
			    "dir/caf\xef\xbf\xbd.yaml");
	json_decref(root);
	{
		/* text: the name's control characters are escaped, every finding one line */
		struct sbuf out = SBUF_INIT;
		const char *p;
		size_t lines = 0;

		assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_CRITICAL), 0);
		assert_null(strchr(out.buf, '\033'));
		assert_non_null(strstr(out.buf, "Pod/q\"\\033[31m\\n: container"));
		for (p = out.buf; (p = strstr(p, "[CF006 privileged]")); p++)
			lines++;
		assert_int_equal(lines, 1);
		sbuf_release(&out);
	}
	{
		/* --color: the severity in colour, the names still escaped */
		struct sbuf out = SBUF_INIT;
		struct report_opts co = { SEV_CRITICAL, false, false, true };

		assert_int_equal(report_render_opts(&out, &r, REPORT_TEXT, &co), 0);
		assert_non_null(
			strstr(out.buf,
			       ": \033[1;31mcritical\033[m: [CF006 privileged] Pod/q\"\\033[31m"));
		sbuf_release(&out);
	}
	scan_result_release(&r);
}

static void test_report_sarif(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *run, *rules, *results, *inv;
	size_t i, j, seen004 = 0;

	(void)state;
	scan_pod(&r, "./k8s/my pod.yaml");
	root = render_json(&r, REPORT_SARIF, SEV_INFO);
	assert_string_equal(jstring(root, "version"), "2.1.0");
	assert_non_null(strstr(jstring(root, "$schema"), "sarif-2.1.0"));
	assert_int_equal(json_array_size(json_object_get(root, "runs")), 1);
	run = json_array_get(json_object_get(root, "runs"), 0);
	assert_string_equal(
		jstring(json_object_get(json_object_get(run, "tool"), "driver"), "name"), "capfix");
	rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 6);
	for (i = 0; i < json_array_size(results); i++) {
		json_t *res = json_array_get(results, i);
		const char *id = jstring(res, "ruleId");
		json_int_t idx = jint(res, "ruleIndex");
		json_t *loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0),
					      "physicalLocation");
		json_t *region = json_object_get(loc, "region");
		size_t n = 0;

		/* the rule is described, once, at ruleIndex */
		assert_true(idx >= 0 && (size_t)idx < json_array_size(rules));
		assert_string_equal(jstring(json_array_get(rules, (size_t)idx), "id"), id);
		for (j = 0; j < json_array_size(rules); j++)
			n += !strcmp(jstring(json_array_get(rules, j), "id"), id);
		assert_int_equal(n, 1);
		assert_true(jint(region, "startLine") >= 1);
		assert_int_equal(jint(region, "startLine"), 7);
		assert_int_equal(jint(region, "startColumn"), 7);
		/* a relative URI: no "./", the space percent-encoded */
		assert_string_equal(jstring(json_object_get(loc, "artifactLocation"), "uri"),
				    "k8s/my%20pod.yaml");
		assert_string_equal(jstring(json_object_get(loc, "artifactLocation"), "uriBaseId"),
				    "%SRCROOT%");
		assert_non_null(jstring(json_object_get(res, "message"), "text"));
		if (!strcmp(id, "CF004")) {
			seen004++;
			assert_string_equal(jstring(res, "level"), "error");
			assert_string_equal(jstring(json_object_get(res, "properties"), "severity"),
					    "critical");
			assert_string_equal(
				jstring(json_object_get(json_array_get(rules, (size_t)idx),
							"properties"),
					"security-severity"),
				"8.0");
		}
		if (!strcmp(id, "CF001"))
			assert_string_equal(jstring(res, "level"), "warning");
		if (!strcmp(id, "CF003") || !strcmp(id, "CF008"))
			assert_string_equal(jstring(res, "level"), "note");
	}
	assert_int_equal(seen004, 1);
	inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
	assert_int_equal(json_array_size(json_object_get(inv, "toolExecutionNotifications")), 0);
	json_decref(root);

	/* the filter applies to results */
	root = render_json(&r, REPORT_SARIF, SEV_CRITICAL);
	run = json_array_get(json_object_get(root, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 1);
	json_decref(root);
	scan_result_release(&r);
}

static void test_report_sarif_errors(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *inv, *notes, *n;

	(void)state;
	/* a skipped template alone: the run succeeded */
	scan_skip_template(&r, "chart/templates/d.yaml");
	scan_finish(&r);
	root = render_json(&r, REPORT_SARIF, SEV_INFO);
	inv = json_array_get(
		json_object_get(json_array_get(json_object_get(root, "runs"), 0), "invocations"),
		0);
	assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
	notes = json_object_get(inv, "toolExecutionNotifications");
	assert_int_equal(json_array_size(notes), 1);
	assert_string_equal(jstring(json_array_get(notes, 0), "level"), "note");
	json_decref(root);

	/* a parse error: failed, with its position */
	scan_buffer(&r, "bad.yaml", "a: [\n", 5, false);
	root = render_json(&r, REPORT_SARIF, SEV_INFO);
	inv = json_array_get(
		json_object_get(json_array_get(json_object_get(root, "runs"), 0), "invocations"),
		0);
	assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
	notes = json_object_get(inv, "toolExecutionNotifications");
	assert_int_equal(json_array_size(notes), 2);
	n = json_array_get(notes, 1);
	assert_string_equal(jstring(n, "level"), "error");
	n = json_object_get(json_array_get(json_object_get(n, "locations"), 0), "physicalLocation");
	assert_string_equal(jstring(json_object_get(n, "artifactLocation"), "uri"), "bad.yaml");
	assert_int_equal(jint(json_object_get(n, "region"), "startLine"), 2);
	/* the template has no position: no region at all (never an empty one) */
	n = json_array_get(notes, 0);
	n = json_object_get(json_array_get(json_object_get(n, "locations"), 0), "physicalLocation");
	assert_null(json_object_get(n, "region"));
	assert_non_null(json_object_get(n, "artifactLocation"));
	json_decref(root);
	scan_result_release(&r);
}

/* The fingerprint of result @i of a SARIF rendering of @r. */
static char *sarif_fingerprint(const struct scan_result *r, size_t i)
{
	json_t *root = render_json(r, REPORT_SARIF, SEV_INFO), *res;
	char *fp;

	res = json_array_get(
		json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results"), i);
	fp = strdup(jstring(json_object_get(res, "partialFingerprints"), "capfix/v1"));
	json_decref(root);
	return fp;
}

/* partialFingerprints: the same finding moved down keeps it; another file or container does not. */
static void test_report_sarif_fingerprints(void **state)
{
	struct scan_result a = SCAN_RESULT_INIT, b = SCAN_RESULT_INIT, c = SCAN_RESULT_INIT;
	struct sbuf moved = SBUF_INIT;
	char *fa, *fb, *fc, *fa1;

	(void)state;
	scan_pod(&a, "k8s/p.yaml");
	sbuf_addstr(&moved, "# a comment\n# another\n");
	sbuf_addstr(&moved, pod);
	scan_buffer(&b, "k8s/p.yaml", moved.buf, moved.len, false);
	scan_finish(&b);
	scan_pod(&c, "k8s/q.yaml");
	assert_int_equal(a.nfindings, b.nfindings);
	assert_int_equal(b.findings[0].line, a.findings[0].line + 2);
	fa = sarif_fingerprint(&a, 0);
	fb = sarif_fingerprint(&b, 0);
	fc = sarif_fingerprint(&c, 0);
	fa1 = sarif_fingerprint(&a, 1);
	assert_string_equal(fa, fb);
	assert_string_not_equal(fa, fc);
	assert_string_not_equal(fa, fa1); /* another rule */
	assert_int_equal(strlen(fa), 16);
	free(fa);
	free(fb);
	free(fc);
	free(fa1);
	sbuf_release(&moved);
	scan_result_release(&a);
	scan_result_release(&b);
	scan_result_release(&c);
}

/* Absolute paths are file:// URIs without a base; rules carry help in text and Markdown. */
static void test_report_sarif_uris_and_help(void **state)
{
	struct scan_result r = SCAN_RESULT_INIT;
	json_t *root, *run, *loc, *rule, *help;

	(void)state;
	scan_pod(&r, "/srv/k8s/my pod.yaml");
	root = render_json(&r, REPORT_SARIF, SEV_INFO);
	run = json_array_get(json_object_get(root, "runs"), 0);
	loc = json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(run, "results"), 0),
					       "locations"),
			       0),
		"physicalLocation");
	assert_string_equal(jstring(json_object_get(loc, "artifactLocation"), "uri"),
			    "file:///srv/k8s/my%20pod.yaml");
	assert_null(json_object_get(json_object_get(loc, "artifactLocation"), "uriBaseId"));
	rule = json_array_get(
		json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules"),
		1);
	help = json_object_get(rule, "help");
	assert_string_equal(jstring(rule, "id"), "CF002");
	assert_non_null(strstr(jstring(help, "text"), "NET_RAW"));
	assert_non_null(strstr(jstring(help, "markdown"), "**CF002 net-raw-not-dropped**"));
	assert_non_null(strstr(jstring(help, "markdown"), "- CIS Kubernetes 1.23+ 5.2.8"));
	assert_non_null(strstr(jstring(help, "markdown"), "**How to fix**"));
	json_decref(root);
	scan_result_release(&r);
}

/* Suppressed and baselined findings: in JSON and SARIF always, in text with -v only. */
static void test_report_suppressed_and_baseline(void **state)
{
	const char *y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
			"  annotations: {capfix.io/ignore: \"CF001: accepted\"}\n"
			"spec:\n  containers:\n    - {name: c, image: i}\n";
	struct scan_opts so = SCAN_OPTS_INIT;
	struct report_opts ro = { SEV_INFO, false, true, false };
	struct scan_result r = SCAN_RESULT_INIT;
	struct sbuf out = SBUF_INIT;
	json_t *root, *f, *res;
	size_t i;

	(void)state;
	scan_buffer_opts(&r, &so, "p.yaml", y, strlen(y), false);
	scan_finish(&r);
	for (i = 0; i < r.nfindings; i++)
		r.findings[i].baseline = !strcmp(r.findings[i].rule->id, "CF002");
	root = render_json(&r, REPORT_JSON, SEV_INFO);
	for (i = 0; i < json_array_size(json_object_get(root, "findings")); i++) {
		f = json_array_get(json_object_get(root, "findings"), i);
		if (!strcmp(jstring(f, "rule"), "CF001")) {
			assert_string_equal(jstring(json_object_get(f, "suppressed"), "reason"),
					    "accepted");
			assert_string_equal(jstring(json_object_get(f, "suppressed"), "by"),
					    "annotation");
		}
		assert_int_equal(json_is_true(json_object_get(f, "baseline")),
				 !strcmp(jstring(f, "rule"), "CF002"));
	}
	json_decref(root);
	assert_int_equal(report_render_opts(&out, &r, REPORT_SARIF, &ro), 0);
	root = json_loads(out.buf, 0, NULL);
	res = json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results");
	for (i = 0; i < json_array_size(res); i++) {
		f = json_array_get(res, i);
		if (!strcmp(jstring(f, "ruleId"), "CF001"))
			assert_string_equal(
				jstring(json_array_get(json_object_get(f, "suppressions"), 0),
					"kind"),
				"inSource");
		assert_string_equal(jstring(f, "baselineState"),
				    !strcmp(jstring(f, "ruleId"), "CF002") ? "unchanged" : "new");
	}
	json_decref(root);
	sbuf_setlen(&out, 0);
	assert_int_equal(report_render_opts(&out, &r, REPORT_TEXT, &ro), 0);
	assert_null(strstr(out.buf, "[CF001"));
	assert_null(strstr(out.buf, "[CF002"));
	assert_non_null(strstr(out.buf, "\n1 finding in the baseline not shown\n"));
	assert_non_null(strstr(out.buf, "\n1 suppressed finding not shown\n"));
	sbuf_setlen(&out, 0);
	ro.verbose = true;
	assert_int_equal(report_render_opts(&out, &r, REPORT_TEXT, &ro), 0);
	assert_non_null(strstr(out.buf, "(suppressed by annotation: accepted)\n"));
	assert_non_null(strstr(out.buf, "keeps NET_RAW (in the baseline)\n"));
	assert_int_equal(scan_max_severity(&r), SEV_MEDIUM); /* the CF302s count */
	sbuf_release(&out);
	scan_result_release(&r);
}

/* A partial object's findings: marked in JSON and SARIF, noted in text. */
static void test_report_partial(void **state)
{
	const char *y =
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
		"  template:\n    spec:\n      containers:\n"
		"        - {name: c, securityContext: {capabilities: {add: [NET_ADMIN]}}}\n";
	struct scan_result r = SCAN_RESULT_INIT;
	struct sbuf out = SBUF_INIT;
	json_t *root, *f;

	(void)state;
	scan_buffer(&r, "patch.yaml", y, strlen(y), false);
	scan_finish(&r);
	root = render_json(&r, REPORT_JSON, SEV_INFO);
	f = json_array_get(json_object_get(root, "findings"), 0);
	assert_true(json_is_true(json_object_get(f, "partial")));
	json_decref(root);
	root = render_json(&r, REPORT_SARIF, SEV_INFO);
	f = json_array_get(
		json_object_get(json_array_get(json_object_get(root, "runs"), 0), "results"), 0);
	assert_true(json_is_true(json_object_get(json_object_get(f, "properties"), "partial")));
	json_decref(root);
	assert_int_equal(report_render(&out, &r, REPORT_TEXT, SEV_INFO), 0);
	assert_non_null(
		strstr(out.buf, "does not drop ALL capabilities (drop: []) (partial object)\n"));
	sbuf_release(&out);
	scan_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_format_parse),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_report_text_errors_and_nothing),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_json_nulls),
		cmocka_unit_test(test_report_json_strings),
		cmocka_unit_test(test_report_sarif),
		cmocka_unit_test(test_report_sarif_errors),
		cmocka_unit_test(test_report_sarif_fingerprints),
		cmocka_unit_test(test_report_sarif_uris_and_help),
		cmocka_unit_test(test_report_partial),
		cmocka_unit_test(test_report_suppressed_and_baseline),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
