/*
 * report.h - rendering scan results as text, JSON or SARIF 2.1.0.
 *
 * Renderers append to a caller's buffer; they never print. The JSON format
 * is versioned ("version": 1) and documented in README.md; SARIF follows
 * the OASIS 2.1.0 schema (the tests validate it) with the properties GitHub
 * code scanning reads (security-severity, tags).
 */
#ifndef CAPFIX_REPORT_H
#define CAPFIX_REPORT_H

#include "capfix/sbuf.h"
#include "capfix/scan.h"

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_SARIF };

/* "text", "json" or "sarif" to the enum; -1 when unknown. */
int report_format_parse(const char *name);

/*
 * Append @res rendered in @format to @out; findings below @min_severity
 * are left out. Returns 0, or -1 with CF_E_SYSTEM recorded if jansson fails.
 */
int report_render(struct sbuf *out, const struct scan_result *res, enum report_format format,
		  enum scan_severity min_severity);

/*
 * What the renderers show besides the findings that count: findings in
 * the baseline and suppressed findings are in JSON ("baseline": true,
 * "suppressed": {reason, by}) and SARIF (baselineState, suppressions)
 * always, in text only when @verbose (else a line counts them).
 */
struct report_opts {
	enum scan_severity min; /* findings below are left out */
	bool verbose; /* text: show baselined and suppressed findings */
	bool baseline_used; /* SARIF: baselineState "new" or "unchanged" on every result */
	bool color; /* text: the severity of each finding in ANSI colour */
};

/* As report_render(), with @o. */
int report_render_opts(struct sbuf *out, const struct scan_result *res, enum report_format format,
		       const struct report_opts *o);

#endif
