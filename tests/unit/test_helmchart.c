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
	helmchart_refs_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_not_rendered_from_values),
	};

	return cmocka_run_group_tests_name("helmchart", tests, NULL, NULL);
}
