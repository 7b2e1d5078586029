/*
 * scan_fuzz.c - libFuzzer harness for scan_buffer(), scan_finish() and
 * report_render().
 *
 * The input is scanned as a YAML file and, when it starts with '{' or '[',
 * also as a .json file (two inputs of one scan), then rendered in the three
 * formats at two minimum severities. The harness aborts when a renderer
 * fails, when the JSON or SARIF report is not valid JSON (jansson's
 * json_loadb, which also rejects invalid UTF-8), when the JSON report's
 * findings and summary disagree with the scan result, or when the SARIF
 * log has no run with the results.
 */
#include "capfix/err.h"
#include "capfix/report.h"
#include "capfix/scan.h"

#include "fuzz_common.h"

#include <jansson.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static size_t shown(const struct scan_result *res, enum scan_severity min)
{
	size_t i, n = 0;

	for (i = 0; i < res->nfindings; i++)
		n += res->findings[i].severity >= min;
	return n;
}

static json_t *load(const struct sbuf *out, const char *what)
{
	json_error_t jerr;
	json_t *j = json_loadb(out->buf ? out->buf : "", out->len, 0, &jerr);

	if (!j)
		fz_fail("the %s report is not valid JSON: %d:%d: %s\n%.2000s", what, jerr.line,
			jerr.column, jerr.text, sbuf_cstr(out));
	return j;
}

static void check_json(const struct scan_result *res, const struct sbuf *out,
		       enum scan_severity min)
{
	json_t *j = load(out, "json"), *f = json_object_get(j, "findings"),
	       *s = json_object_get(j, "summary");

	FZ_CHECK(json_is_array(f), "json report: no findings array");
	FZ_CHECK(json_array_size(f) == shown(res, min),
		 "json report: %zu findings, the scan has %zu at or above %d", json_array_size(f),
		 shown(res, min), (int)min);
	FZ_CHECK(json_is_object(s), "json report: no summary");
	FZ_CHECK(json_is_array(json_object_get(j, "files")) &&
			 json_array_size(json_object_get(j, "files")) == res->nfiles,
		 "json report: files[] does not list every input");
	FZ_CHECK(json_is_array(json_object_get(j, "errors")) &&
			 json_array_size(json_object_get(j, "errors")) == res->nerrors,
		 "json report: errors[] does not list every error");
	json_decref(j);
}

static void check_sarif(const struct scan_result *res, const struct sbuf *out,
			enum scan_severity min)
{
	json_t *j = load(out, "sarif"), *runs = json_object_get(j, "runs"), *results;

	FZ_CHECK(json_is_string(json_object_get(j, "version")), "sarif: no version");
	FZ_CHECK(json_is_array(runs) && json_array_size(runs) == 1, "sarif: not one run");
	results = json_object_get(json_array_get(runs, 0), "results");
	FZ_CHECK(json_is_array(results), "sarif: no results array");
	FZ_CHECK(json_array_size(results) == shown(res, min),
		 "sarif: %zu results, the scan has %zu findings at or above %d",
		 json_array_size(results), shown(res, min), (int)min);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum scan_severity mins[] = { SEV_INFO, SEV_HIGH };
	struct scan_result res = SCAN_RESULT_INIT;
	const char *in = (const char *)data;
	size_t i;

	scan_buffer(&res, "dir/in put.yaml", in, size, false);
	if (size && (data[0] == '{' || data[0] == '['))
		scan_buffer(&res, "dir/in.json", in, size, true);
	scan_finish(&res);
	FZ_CHECK(res.nfiles >= 1, "scan_buffer recorded no file");
	for (i = 0; i < res.nfindings; i++) {
		const struct scan_finding *f = &res.findings[i];

		FZ_CHECK(f->rule && f->path && f->kind && f->message,
			 "finding %zu lacks a rule, path, kind or message", i);
		FZ_CHECK(f->line >= 0 && f->col >= 0, "finding %zu at %d:%d", i, f->line, f->col);
	}
	for (i = 0; i < ARRAY_SIZE(mins); i++) {
		struct sbuf out = SBUF_INIT;

		if (report_render(&out, &res, REPORT_TEXT, mins[i]) < 0)
			fz_fail("text report fails: %s", cf_err_last()->msg);
		sbuf_release(&out);
		if (report_render(&out, &res, REPORT_JSON, mins[i]) < 0)
			fz_fail("json report fails: %s", cf_err_last()->msg);
		check_json(&res, &out, mins[i]);
		sbuf_release(&out);
		if (report_render(&out, &res, REPORT_SARIF, mins[i]) < 0)
			fz_fail("sarif report fails: %s", cf_err_last()->msg);
		check_sarif(&res, &out, mins[i]);
		sbuf_release(&out);
	}
	scan_result_release(&res);
	cf_err_clear();
	return 0;
}
