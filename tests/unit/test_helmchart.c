/* Unit tests for helmchart.c: which values blocks templates render into containers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/helmchart.h"

static void scan(const char *text, struct helmchart_refs *refs)
{
	helmchart_scan_template("templates/t.yaml", text, strlen(text), refs);
}

static void test_forms(void **state)
{
	struct helmchart_refs r = HELMCHART_REFS_INIT;

	(void)state;
	scan("spec:\n"
	     "  template:\n"
	     "    spec:\n"
	     "      securityContext:\n"
	     "        {{- toYaml .Values.podSecurityContext | nindent 8 }}\n"
	     "      containers:\n"
	     "        - name: a\n"
	     "          securityContext:\n"
	     "            {{- toYaml .Values.securityContext | nindent 12 }}\n"
	     "        - name: b\n"
	     "          {{- with .Values.b.securityContext }}\n"
	     "          securityContext:\n"
	     "            {{- toYaml . | nindent 12 }}\n"
	     "          {{- end }}\n"
	     "        - name: c\n"
	     "          securityContext: {{ toYaml $.Values.c.sc | nindent 12 }}\n"
	     "        - name: d\n"
	     "          securityContext:\n"
	     "            {{- toYaml .Values.securityContext | nindent 12 }}\n",
	     &r);
	assert_int_equal(r.n, 3); /* podSecurityContext is the pod's; duplicates once */
	assert_string_equal(r.paths[0], "securityContext");
	assert_string_equal(r.paths[1], "b.securityContext");
	assert_string_equal(r.paths[2], "c.sc");
	assert_string_equal(r.sources[0], "templates/t.yaml");
	helmchart_refs_release(&r);
}

static void test_not_rendered_from_values(void **state)
{
	struct helmchart_refs r = HELMCHART_REFS_INIT;

	(void)state;
	scan("containers:\n"
	     "  - name: a\n"
	     "    securityContext:\n"
	     "      runAsUser: 1000\n"
	     "  - name: b\n"
	     "    securityContext:\n"
	     "      {{- include \"sc\" . | nindent 6 }}\n"
	     "  - name: c\n"
	     "    {{- with .Values.x }}\n"
	     "    {{- end }}\n"
	     "    securityContext:\n"
	     "      {{- toYaml . | nindent 6 }}\n",
	     &r);
	assert_int_equal(r.n, 0);
	/* b (include) and c (`toYaml .` outside any with) are unread; a is literal */
	assert_int_equal(r.nunread, 2);
	assert_string_equal(r.unread[0].source, "templates/t.yaml");
	assert_int_equal(r.unread[0].line, 6);
	assert_string_equal(r.unread[0].text,
			    "securityContext: {{- include \"sc\" . | nindent 6 }}");
	assert_int_equal(r.unread[1].line, 11);
	helmchart_refs_release(&r);
}

/* The pipeline forms and indent/trim/nindent all name the block. */
static void test_pipeline_forms(void **state)
{
	struct helmchart_refs r = HELMCHART_REFS_INIT;

	(void)state;
	scan("containers:\n"
	     "  - name: a\n"
	     "    securityContext:\n"
	     "      {{- .Values.a.securityContext | toYaml | nindent 6 }}\n"
	     "  - name: b\n"
	     "    securityContext: {{ .Values.b.sc | toYaml | trim | nindent 6 }}\n"
	     "  - name: c\n"
	     "    securityContext:\n"
	     "{{ toYaml .Values.c.sc | indent 6 }}\n"
	     "  - name: d\n"
	     "    securityContext:\n"
	     "      {{- toYaml .Values.d.sc | trim | nindent 6 }}\n"
	     "  - name: e\n"
	     "    {{- with .Values.e.sc }}\n"
	     "    securityContext:\n"
	     "      {{- . | toYaml | nindent 6 }}\n"
	     "    {{- end }}\n"
	     "  - name: f\n"
	     "    securityContext: {{- toYaml (.Values.f.sc) | nindent 6 }}\n"
	     "  - name: g\n"
	     "    securityContext:\n"
	     "      {{- include \"x\" .Values.g | toYaml | nindent 6 }}\n"
	     "  - name: h\n"
	     "    securityContext:\n"
	     "      runAsUser: {{ .Values.h.uid }}\n"
	     "  - name: i\n"
	     "    securityContext: {{ tpl (toYaml .Values.i) . | nindent 6 }}\n",
	     &r);
	assert_int_equal(r.n, 7);
	assert_string_equal(r.paths[0], "a.securityContext");
	assert_string_equal(r.paths[1], "b.sc");
	assert_string_equal(r.paths[2], "c.sc");
	assert_string_equal(r.paths[3], "d.sc");
	assert_string_equal(r.paths[4], "e.sc");
	assert_string_equal(r.paths[5], "f.sc");
	assert_string_equal(r.paths[6], "i"); /* toYaml .Values.i inside tpl: the block still */
	assert_int_equal(r.nunread, 1); /* g: include; h: a literal block with a scalar action */
	assert_int_equal(r.unread[0].line, 21);
	assert_non_null(strstr(r.unread[0].text, "include"));
	helmchart_refs_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_not_rendered_from_values),
		cmocka_unit_test(test_pipeline_forms),
	};

	return cmocka_run_group_tests_name("helmchart", tests, NULL, NULL);
}
