#include "capfix/report.h"
#include "capfix/err.h"
#include "capfix/msg.h"
#include "capfix/ruledoc.h"

#include <jansson.h>

int report_format_parse(const char *name)
{
	if (!strcmp(name, "text"))
		return REPORT_TEXT;
	if (!strcmp(name, "json"))
		return REPORT_JSON;
	if (!strcmp(name, "sarif"))
		return REPORT_SARIF;
	return -1;
}

/* Findings in the baseline or suppressed: reported, never counted, shown in text with -v. */
static bool quiet(const struct scan_finding *f)
{
	return f->baseline || f->suppress_by;
}

/* Findings of severity @sev (that count, unless @all). */
static size_t count_sev(const struct scan_result *res, enum scan_severity sev, bool all)
{
	size_t i, n = 0;

	for (i = 0; i < res->nfindings; i++)
		n += res->findings[i].severity == sev && (all || !quiet(&res->findings[i]));
	return n;
}

struct totals {
	size_t scanned, skipped, failed, objects, containers, adding, dropping_all, services;
};

static void totals_of(const struct scan_result *res, struct totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < res->nfiles; i++) {
		const struct scan_file *f = &res->files[i];

		t->scanned += !strcmp(f->status, "scanned");
		t->skipped += !strcmp(f->status, "skipped");
		t->failed += !strcmp(f->status, "error");
		t->objects += f->objects;
		t->containers += f->containers;
		t->adding += f->adding;
		t->dropping_all += f->dropping_all;
		t->services += f->services;
	}
}

/* ---- text ---- */

/* ANSI colours of the severities: critical and high red, medium yellow, low cyan, info dim. */
static const char *severity_color(enum scan_severity sev)
{
	switch (sev) {
	case SEV_CRITICAL:
	case SEV_HIGH:
		return "\033[1;31m";
	case SEV_MEDIUM:
		return "\033[33m";
	case SEV_LOW:
		return "\033[36m";
	default:
		return "\033[2m";
	}
}

static void render_text(struct sbuf *out, const struct scan_result *res,
			const struct report_opts *o)
{
	enum scan_severity min = o->min;
	const struct scan_rule *rules;
	size_t nrules, i, j, shown = 0, below = 0, inbase = 0, suppressed = 0;
	bool *fired;
	struct totals t;
	struct sbuf line = SBUF_INIT;
	char svcs[64] = "";

	rules = scan_rules(&nrules);
	fired = xcalloc(nrules, sizeof(*fired));
	for (i = 0; i < res->nerrors; i++) {
		const struct scan_error *e = &res->errors[i];

		sbuf_setlen(&line, 0);
		if (e->line > 0)
			sbuf_addf(&line, "%s:%d:%d: %s: %s", e->path, e->line, e->col,
				  e->skipped ? "skipped" : "error", e->message);
		else
			sbuf_addf(&line, "%s: %s: %s", e->path, e->skipped ? "skipped" : "error",
				  e->message);
		msg_escape(out, line.buf, line.len); /* names are data: one line each */
		sbuf_addch(out, '\n');
	}
	for (i = 0; i < res->nfindings; i++) {
		const struct scan_finding *f = &res->findings[i];

		if (f->severity < min) {
			below++;
			continue;
		}
		if (quiet(f) && !o->verbose) {
			inbase += f->baseline && !f->suppress_by;
			suppressed += f->suppress_by != NULL;
			continue;
		}
		shown++;
		fired[f->rule - rules] = true;
		sbuf_setlen(&line, 0);
		sbuf_addf(&line, "%s:%d:%d: ", f->path, f->line, f->col);
		msg_escape(out, line.buf, line.len);
		if (o->color)
			sbuf_addf(out, "%s%s\033[m", severity_color(f->severity),
				  scan_severity_name(f->severity));
		else
			sbuf_addstr(out, scan_severity_name(f->severity));
		sbuf_setlen(&line, 0);
		sbuf_addf(&line, ": [%s %s] %s/%s: %s", f->rule->id, f->rule->name, f->kind,
			  f->name, f->message);
		if (f->partial)
			sbuf_addstr(&line, " (partial object)");
		if (f->suppress_by)
			sbuf_addf(&line, " (suppressed by %s: %s)", f->suppress_by,
				  f->suppress_reason);
		else if (f->baseline)
			sbuf_addstr(&line, " (in the baseline)");
		msg_escape(out, line.buf, line.len);
		sbuf_addch(out, '\n');
	}
	if (shown) {
		sbuf_addstr(out, "\nrules:\n");
		for (i = 0; i < nrules; i++) {
			if (!fired[i])
				continue;
			sbuf_addf(out, "  %s %s: %s\n", rules[i].id, rules[i].name,
				  rules[i].summary);
			for (j = 0; rules[i].controls[j]; j++)
				sbuf_addf(out, "      %s\n", rules[i].controls[j]);
			sbuf_addf(out, "      fix: %s\n", rules[i].help);
		}
		sbuf_addch(out, '\n');
	}
	totals_of(res, &t);
	if (t.services)
		snprintf(svcs, sizeof(svcs), ", %zu compose %s", t.services,
			 t.services == 1 ? "service" : "services");
	sbuf_addf(out,
		  "capfix scan: %zu %s scanned (%zu skipped, %zu %s), %zu %s, %zu %s%s; %zu %s",
		  t.scanned, t.scanned == 1 ? "input" : "inputs", t.skipped, t.failed,
		  t.failed == 1 ? "error" : "errors", t.objects,
		  t.objects == 1 ? "object" : "objects", t.containers,
		  t.containers == 1 ? "container" : "containers", svcs, shown,
		  shown == 1 ? "finding" : "findings");
	if (shown) {
		int s;
		const char *sep = ": ";

		for (s = SEV_CRITICAL; s >= (int)min; s--) {
			size_t n = count_sev(res, (enum scan_severity)s, o->verbose);

			if (n) {
				sbuf_addf(out, "%s%zu %s", sep, n,
					  scan_severity_name((enum scan_severity)s));
				sep = ", ";
			}
		}
	}
	if (below)
		sbuf_addf(out, " (%zu below %s not shown)", below, scan_severity_name(min));
	sbuf_addch(out, '\n');
	if (inbase)
		sbuf_addf(out, "%zu %s in the baseline not shown\n", inbase,
			  inbase == 1 ? "finding" : "findings");
	if (suppressed)
		sbuf_addf(out, "%zu suppressed %s not shown\n", suppressed,
			  suppressed == 1 ? "finding" : "findings");
	free(fired);
	sbuf_release(&line);
}

/* ---- JSON ---- */

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629), or 0. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 2;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 3;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	for (k = 1; k <= n; k++)
		if (s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xbf))
			return 0;
	return n + 1;
}

/*
 * @s as a JSON string (NULL stays NULL). Paths are bytes and need not be
 * UTF-8, which JSON requires (jansson refuses them, and the whole finding
 * would be lost): each byte that does not start a well-formed sequence
 * becomes U+FFFD, as Go's encoding/json does.
 */
static json_t *jstr(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	json_t *j;

	if (!s)
		return NULL;
	j = json_string(s);
	if (j)
		return j;
	while (*p) {
		size_t n = utf8_seq(p);

		if (n) {
			sbuf_add(&sb, p, n);
			p += n;
		} else {
			sbuf_addstr(&sb, "\xef\xbf\xbd");
			p++;
		}
	}
	j = json_string(sbuf_cstr(&sb));
	sbuf_release(&sb);
	return j;
}

static json_t *controls_json(const struct scan_rule *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; r->controls[i]; i++)
		json_array_append_new(a, json_string(r->controls[i]));
	return a;
}

/* {"reason", "by"} of a suppressed finding. */
static json_t *suppressed_json(const struct scan_finding *f)
{
	return json_pack("{s:o, s:s}", "reason", jstr(f->suppress_reason), "by", f->suppress_by);
}

static json_t *render_json(const struct scan_result *res, enum scan_severity min)
{
	json_t *root, *findings = json_array(), *errors = json_array(), *files = json_array();
	json_t *sev = json_object();
	struct totals t;
	size_t i;
	int s;

	for (i = 0; i < res->nfindings; i++) {
		const struct scan_finding *f = &res->findings[i];
		json_t *jf;

		if (f->severity < min)
			continue;
		jf = json_pack(
			"{s:s, s:s, s:s, s:o, s:i, s:i, s:{s:o, s:o, s:o?}, s:o?, s:o, s:o, s:b, s:b}",
			"rule", f->rule->id, "name", f->rule->name, "severity",
			scan_severity_name(f->severity), "path", jstr(f->path), "line", f->line,
			"column", f->col, "object", "kind", jstr(f->kind), "name", jstr(f->name),
			"namespace", jstr(f->ns), "container", jstr(f->container), "message",
			jstr(f->message), "controls", controls_json(f->rule), "partial", f->partial,
			"baseline", f->baseline);
		if (f->suppress_by)
			json_object_set_new(jf, "suppressed", suppressed_json(f));
		json_array_append_new(findings, jf);
	}
	for (i = 0; i < res->nerrors; i++) {
		const struct scan_error *e = &res->errors[i];

		json_array_append_new(errors,
				      json_pack("{s:o, s:i, s:i, s:o, s:b}", "path", jstr(e->path),
						"line", e->line, "column", e->col, "message",
						jstr(e->message), "skipped", e->skipped));
	}
	for (i = 0; i < res->nfiles; i++) {
		const struct scan_file *f = &res->files[i];

		json_array_append_new(
			files, json_pack("{s:o, s:s, s:I, s:I, s:I, s:I}", "path", jstr(f->path),
					 "status", f->status, "objects", (json_int_t)f->objects,
					 "containers", (json_int_t)f->containers,
					 "containers_adding", (json_int_t)f->adding,
					 "containers_dropping_all", (json_int_t)f->dropping_all));
	}
	for (s = SEV_CRITICAL; s >= SEV_INFO; s--)
		json_object_set_new(
			sev, scan_severity_name((enum scan_severity)s),
			json_integer(
				(json_int_t)(s >= (int)min
						     ? count_sev(res, (enum scan_severity)s, true)
						     : 0)));
	totals_of(res, &t);
	root = json_pack(
		"{s:i, s:{s:s, s:s}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}, s:o, s:o, s:o}",
		"version", 1, "tool", "name", "capfix", "version", CAPFIX_VERSION, "summary",
		"scanned", (json_int_t)t.scanned, "skipped", (json_int_t)t.skipped, "errors",
		(json_int_t)t.failed, "objects", (json_int_t)t.objects, "containers",
		(json_int_t)t.containers, "containers_adding", (json_int_t)t.adding,
		"containers_dropping_all", (json_int_t)t.dropping_all, "services",
		(json_int_t)t.services, "findings", sev, "findings", findings, "errors", errors,
		"files", files);
	return root;
}

/* ---- SARIF 2.1.0 ---- */

static const char *sarif_level(enum scan_severity s)
{
	return s >= SEV_HIGH ? "error" : s == SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(enum scan_severity s)
{
	static const char *const v[] = { "1.0", "3.0", "5.5", "8.0", "9.5" };

	return v[s];
}

/*
 * A path as a URI: a relative one as a relative reference (to %SRCROOT%,
 * the directory scanned from), an absolute one as a file:// URI; bytes
 * outside [A-Za-z0-9-._~/] percent-encoded.
 */
static char *uri_of(const char *path)
{
	struct sbuf sb = SBUF_INIT;
	const unsigned char *p = (const unsigned char *)path;

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (p[0] == '/')
		sbuf_addstr(&sb, "file://");
	for (; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			sbuf_addch(&sb, (char)*p);
		else
			sbuf_addf(&sb, "%%%02X", *p);
	}
	return sbuf_detach(&sb, NULL);
}

/*
 * A location: the artifact (uriBaseId %SRCROOT% for relative paths only)
 * and, when the line is known, a region with its start (SARIF 2.1.0 errata:
 * a region has at least startLine; a whole file has none).
 */
static json_t *location(const char *path, int line, int col)
{
	char *uri = uri_of(path);
	json_t *art = json_pack("{s:s}", "uri", uri);
	json_t *phys;

	if (path[0] != '/')
		json_object_set_new(art, "uriBaseId", json_string("%SRCROOT%"));
	phys = json_pack("{s:o}", "artifactLocation", art);
	if (line > 0)
		json_object_set_new(phys, "region",
				    json_pack("{s:i, s:i}", "startLine", line, "startColumn",
					      col > 0 ? col : 1));
	free(uri);
	return json_pack("{s:o}", "physicalLocation", phys);
}

/* FNV-1a, 64 bits, over @s and its terminating NUL (fields stay apart). */
static uint64_t fnv1a(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	do {
		h ^= *p;
		h *= 0x100000001b3ULL;
	} while (*p++);
	return h;
}

/*
 * The finding's identity, stable under line shifts: rule, file (as its
 * URI), object (kind, namespace, name), container and, for the Pod
 * Security rules, the check; never the line.
 */
static json_t *fingerprint(const struct scan_finding *f)
{
	char *uri = uri_of(f->path);
	uint64_t h = 0xcbf29ce484222325ULL;
	char hex[17];

	h = fnv1a(h, f->rule->id);
	h = fnv1a(h, uri);
	h = fnv1a(h, f->kind);
	h = fnv1a(h, f->ns);
	h = fnv1a(h, f->name);
	h = fnv1a(h, f->container);
	h = fnv1a(h, f->check);
	free(uri);
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	return json_pack("{s:s}", "capfix/v1", hex);
}

/* A rule's help page in Markdown: what, the controls, how to fix, how to suppress. */
static char *help_markdown(const struct scan_rule *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t j;

	sbuf_addf(&sb, "**%s %s** (%s): %s.\n\n", r->id, r->name, scan_severity_name(r->severity),
		  r->summary);
	if (ruledoc_why(r->id)) /* the same page as `capfix explain <id>` */
		sbuf_addf(&sb, "**Why it matters**: %s\n\n", ruledoc_why(r->id));
	if (r->controls[0]) {
		sbuf_addstr(&sb, "Controls:\n\n");
		for (j = 0; r->controls[j]; j++)
			sbuf_addf(&sb, "- %s\n", r->controls[j]);
		sbuf_addch(&sb, '\n');
	} else {
		sbuf_addstr(&sb, "No benchmark control: capfix advice.\n\n");
	}
	sbuf_addf(&sb, "**How to fix**: %s.\n\n", r->help);
	sbuf_addf(&sb,
		  "**How to suppress**: annotate the object or its pod template with "
		  "`capfix.io/ignore: \"%s: reason\"` (one container: "
		  "`capfix.io/ignore.<container>`; compose: `x-capfix: {ignore: \"%s: reason\"}`), "
		  "add an `ignore:` rule with a reason to `.capfix.yaml`, or accept what exists "
		  "with `capfix scan --write-baseline`.\n",
		  r->id, r->id);
	return sbuf_detach(&sb, NULL);
}

/* SARIF suppressions: in the manifest (annotations, labels, x-capfix) or in .capfix.yaml. */
static json_t *suppressions_json(const struct scan_finding *f)
{
	return json_pack("[{s:s, s:o}]", "kind",
			 strcmp(f->suppress_by, "config") ? "inSource" : "external",
			 "justification", jstr(f->suppress_reason));
}

static json_t *render_sarif(const struct scan_result *res, const struct report_opts *o)
{
	enum scan_severity min = o->min;
	const struct scan_rule *rules;
	size_t nrules, i, j;
	json_t *jrules = json_array(), *results = json_array(), *notes = json_array();
	bool ok = true;

	rules = scan_rules(&nrules);
	for (i = 0; i < nrules; i++) {
		const struct scan_rule *r = &rules[i];
		json_t *tags = json_array();
		struct sbuf full = SBUF_INIT;
		char *md;

		json_array_append_new(tags, json_string("security"));
		sbuf_addf(&full, "%s. Maps to:", r->summary);
		for (j = 0; r->controls[j]; j++) {
			json_array_append_new(tags, json_string(r->controls[j]));
			sbuf_addf(&full, "%s %s", j ? ";" : "", r->controls[j]);
		}
		if (!r->controls[0])
			sbuf_addstr(&full, " no benchmark control (capfix advice).");
		md = help_markdown(r);
		json_array_append_new(
			jrules,
			json_pack(
				"{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:o, s:s, s:s}}",
				"id", r->id, "name", r->name, "shortDescription", "text",
				r->summary, "fullDescription", "text", sbuf_cstr(&full), "help",
				"text", r->help, "markdown", md, "defaultConfiguration", "level",
				sarif_level(r->severity), "properties", "tags", tags,
				"security-severity", security_severity(r->severity), "precision",
				"very-high"));
		free(md);
		sbuf_release(&full);
	}
	for (i = 0; i < res->nfindings; i++) {
		const struct scan_finding *f = &res->findings[i];
		json_t *locs, *jr;

		if (f->severity < min)
			continue;
		locs = json_array();
		json_array_append_new(locs, location(f->path, f->line, f->col));
		jr = json_pack("{s:s, s:i, s:s, s:{s:o}, s:o, s:o, s:{s:s, s:b}}", "ruleId",
			       f->rule->id, "ruleIndex", (int)(f->rule - rules), "level",
			       sarif_level(f->severity), "message", "text", jstr(f->message),
			       "locations", locs, "partialFingerprints", fingerprint(f),
			       "properties", "severity", scan_severity_name(f->severity), "partial",
			       f->partial);
		if (f->suppress_by)
			json_object_set_new(jr, "suppressions", suppressions_json(f));
		if (o->baseline_used)
			json_object_set_new(jr, "baselineState",
					    json_string(f->baseline ? "unchanged" : "new"));
		json_array_append_new(results, jr);
	}
	for (i = 0; i < res->nerrors; i++) {
		const struct scan_error *e = &res->errors[i];
		json_t *locs = json_array();

		ok &= e->skipped;
		json_array_append_new(locs, location(e->path, e->line, e->col));
		json_array_append_new(notes,
				      json_pack("{s:s, s:{s:o}, s:o}", "level",
						e->skipped ? "note" : "error", "message", "text",
						jstr(e->message), "locations", locs));
	}
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:s, s:[{s:b, s:o}], s:o}]}",
			 "version", "2.1.0", "$schema",
			 "https://json.schemastore.org/sarif-2.1.0.json", "runs", "tool", "driver",
			 "name", "capfix", "semanticVersion", CAPFIX_VERSION, "rules", jrules,
			 "columnKind", "unicodeCodePoints", "invocations", "executionSuccessful",
			 ok, "toolExecutionNotifications", notes, "results", results);
}

int report_render(struct sbuf *out, const struct scan_result *res, enum report_format format,
		  enum scan_severity min)
{
	struct report_opts o = { min, false, false, false };

	return report_render_opts(out, res, format, &o);
}

int report_render_opts(struct sbuf *out, const struct scan_result *res, enum report_format format,
		       const struct report_opts *o)
{
	json_t *root;
	char *text;

	if (format == REPORT_TEXT) {
		render_text(out, res, o);
		return 0;
	}
	root = format == REPORT_JSON ? render_json(res, o->min) : render_sarif(res, o);
	if (!root)
		return cf_err(CF_E_SYSTEM, "cannot build the %s report",
			      format == REPORT_JSON ? "JSON" : "SARIF");
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return cf_err(CF_E_SYSTEM, "cannot serialise the report");
	sbuf_addstr(out, text);
	sbuf_addch(out, '\n');
	free(text);
	return 0;
}
