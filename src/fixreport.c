/*
 * fixreport.c - the totals line and the JSON report of `capfix fix`. See fixreport.h.
 */
#include "capfix/fixreport.h"
#include "capfix/msg.h"
#include "capfix/addlist.h"

#include <jansson.h>

struct fixreport {
	enum fixrun_sink sink;
	bool json;
	size_t unknown; /* containers fixed without evidence */
	size_t by_evidence[ADDLIST_EV_COUNT]; /* fixed containers per kind of evidence */
	json_t *files, *problems;
};

struct fixreport *fixreport_new(enum fixrun_sink sink, bool json)
{
	struct fixreport *r = xcalloc(1, sizeof(*r));

	r->sink = sink;
	r->json = json;
	if (json) {
		r->files = json_array();
		r->problems = json_array();
	}
	return r;
}

void fixreport_free(struct fixreport *r)
{
	if (!r)
		return;
	json_decref(r->files);
	json_decref(r->problems);
	free(r);
}

size_t fixreport_unknown(const struct fixreport *r)
{
	return r->unknown;
}

/*
 * @s as a JSON string, or null. JSON needs UTF-8 and names need not be:
 * then every byte from 0x80 up becomes U+FFFD (lossy, always valid).
 */
static json_t *jstr(const char *s)
{
	struct sbuf sb = SBUF_INIT;
	json_t *j;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	for (; *s; s++) {
		if ((unsigned char)*s >= 0x80)
			sbuf_addstr(&sb, "\xef\xbf\xbd");
		else
			sbuf_addch(&sb, *s);
	}
	j = json_string(sbuf_cstr(&sb));
	sbuf_release(&sb);
	return j ? j : json_string("");
}

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

/* The kinds of evidence of fixed container @c, as bits 1 << enum addlist_evidence. */
static unsigned kinds_of(const struct fix_container *c)
{
	unsigned k = c->basis;
	size_t i, e;

	for (i = 0; i < c->ndec; i++)
		for (e = 0; e < ADDLIST_EV_COUNT; e++)
			if (!strcmp(c->dec[i].evidence,
				    addlist_evidence_name((enum addlist_evidence)e)))
				k |= 1u << e;
	return k;
}

static json_t *container_json(const struct fix_container *c, long line0)
{
	json_t *ev = json_array(), *dec = json_array();
	size_t i;

	for (i = ADDLIST_EV_DECLARED; i < ADDLIST_EV_COUNT; i++)
		if (c->basis & (1u << i))
			json_array_append_new(
				ev, json_string(addlist_evidence_name((enum addlist_evidence)i)));
	for (i = 0; i < c->ndec; i++)
		json_array_append_new(
			dec, json_pack("{s:o, s:s, s:s, s:o, s:o}", "capability",
				       jstr(c->dec[i].capability), "action", c->dec[i].action,
				       "evidence", c->dec[i].evidence, "source",
				       jstr(c->dec[i].source), "reason", jstr(c->dec[i].reason)));
	return json_pack(
		"{s:I, s:i, s:o, s:o, s:o, s:o, s:o, s:b, s:s, s:o, s:o, s:b, s:o, s:o, "
		"s:o}",
		"line", (json_int_t)(line0 + c->line), "column", c->col, "kind", jstr(c->kind),
		"name", jstr(c->name), "namespace", jstr(c->ns), "container", jstr(c->container),
		"image", jstr(c->image), "may_run_as_root", c->root, "outcome", c->outcome, "why",
		jstr(c->why), "evidence", ev, "without_evidence", c->unknown, "drop",
		strv_json(c->drop, c->ndrop), "add", strv_json(c->add, c->nadd), "decisions", dec);
}

static const char *status_of(enum fixrun_outcome o)
{
	switch (o) {
	case FIXRUN_UNCHANGED:
		return "unchanged";
	case FIXRUN_CHANGED:
		return "changed";
	case FIXRUN_SKIPPED:
		return "skipped";
	case FIXRUN_INTERRUPTED:
		return "interrupted";
	case FIXRUN_FAILED:
	case FIXRUN_WRITE_FAILED:
		break;
	}
	return "error";
}

static const char *const severities[] = { "error", "warning", "note" };

void fixreport_add(struct fixreport *r, const struct fixrun_record *rec)
{
	const struct fix_result *res = rec->res;
	json_t *containers, *warnings, *problem;
	size_t i, e;

	r->unknown += res->unknown;
	for (i = 0; i < res->nitems; i++) {
		unsigned k = kinds_of(&res->items[i]);

		if (strcmp(res->items[i].outcome, "fixed"))
			continue;
		for (e = ADDLIST_EV_DECLARED; e < ADDLIST_EV_COUNT; e++)
			r->by_evidence[e] += (k >> e) & 1;
	}
	if (!r->json)
		return;
	problem = rec->why ? json_pack("{s:s, s:I, s:i, s:o}", "severity", severities[rec->sev % 3],
				       "line", (json_int_t)(rec->line ? rec->line0 + rec->line : 0),
				       "column", rec->col, "message", jstr(rec->why))
			   : json_null();
	if (!rec->path) {
		json_array_append_new(r->problems, problem);
		return;
	}
	containers = json_array();
	warnings = json_array();
	for (i = 0; i < res->nitems; i++)
		json_array_append_new(containers, container_json(&res->items[i], rec->line0));
	for (i = 0; i < res->nnotes; i++)
		if (res->notes[i].level == FIX_NOTE_WARN)
			json_array_append_new(
				warnings,
				json_pack("{s:I, s:i, s:o}", "line",
					  (json_int_t)(rec->line0 + res->notes[i].line), "column",
					  res->notes[i].col, "message", jstr(res->notes[i].msg)));
	json_array_append_new(r->files,
			      json_pack("{s:o, s:s, s:o, s:o, s:o}", "path", jstr(rec->path),
					"status", status_of(rec->outcome), "problem", problem,
					"containers", containers, "warnings", warnings));
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void fixreport_text(const struct fixrun_record *rec, const struct fixreport_text *o,
		    struct sbuf *out, struct sbuf *err)
{
	const struct fix_result *res = rec->res;
	bool changed = rec->outcome == FIXRUN_CHANGED;
	size_t i;

	if (changed && !o->quiet && !o->stream) {
		sbuf_addf(out, "%s ", o->dry ? "would fix" : "fixed");
		msg_escape_str(out, rec->path); /* a file name can hold control characters */
		sbuf_addf(out, " (%zu %s)\n", res->fixed,
			  plural(res->fixed, "container", "containers"));
	}
	for (i = 0; i < res->nnotes; i++) {
		const struct fix_note *n = &res->notes[i];
		bool warn = n->level == FIX_NOTE_WARN;

		if ((n->level == FIX_NOTE_INFO && !o->verbose) || (!warn && o->quiet) ||
		    (!warn && !changed && !o->stream))
			continue;
		msg_add(warn ? err : out, rec->path, rec->line0 + n->line, n->col,
			warn ? MSG_WARNING : MSG_NOTE, "%s", n->msg);
	}
}

void fixreport_totals(const struct fixreport *r, const struct fixrun_totals *t, bool dry,
		      bool drop_only, struct sbuf *out)
{
	sbuf_addf(out, "capfix: %zu %s, %zu %s, %zu %s %s, %zu %s, %zu left alone", t->files,
		  plural(t->files, "file", "files"), t->changed, dry ? "to change" : "changed",
		  t->fixed, plural(t->fixed, "container", "containers"), dry ? "to fix" : "fixed",
		  t->already, drop_only ? "already dropping ALL" : "already in order", t->skipped);
	if (t->caps_added || t->caps_removed)
		sbuf_addf(out, ", %zu %s added to add lists, %zu removed", t->caps_added,
			  plural(t->caps_added, "capability", "capabilities"), t->caps_removed);
	if (r->unknown)
		sbuf_addf(out, ", %zu %s without evidence", r->unknown, dry ? "to fix" : "fixed");
	if (t->skipped_files)
		sbuf_addf(out, ", %zu %s skipped", t->skipped_files,
			  plural(t->skipped_files, "file", "files"));
	if (t->errors + t->write_errors)
		sbuf_addf(out, ", %zu %s", t->errors + t->write_errors,
			  plural(t->errors + t->write_errors, "error", "errors"));
	sbuf_addch(out, '\n');
}

void fixreport_stream_totals(const struct fixreport *r, const struct fixrun_totals *t, bool dry,
			     struct sbuf *out)
{
	sbuf_addf(out, "capfix: %zu %s, %zu %s, %zu %s %s, %zu left alone", t->files,
		  plural(t->files, "document", "documents"), t->changed,
		  dry ? "to change" : "changed", t->fixed,
		  plural(t->fixed, "container", "containers"), dry ? "to fix" : "fixed",
		  t->skipped);
	if (r->unknown)
		sbuf_addf(out, ", %zu %s without evidence", r->unknown, dry ? "to fix" : "fixed");
	sbuf_addf(out, "%s\n", t->errors ? ", with errors" : "");
}

void fixreport_json(const struct fixreport *r, const struct fixrun_totals *t, struct sbuf *out)
{
	static const char *const modes[] = { "write", "check", "diff" };
	json_t *by = json_object(), *root;
	json_t *files = r->files ? json_incref(r->files) : json_array();
	json_t *problems = r->problems ? json_incref(r->problems) : json_array();
	char *text;
	size_t e;

	for (e = ADDLIST_EV_DECLARED; e < ADDLIST_EV_COUNT; e++)
		json_object_set_new(by, addlist_evidence_name((enum addlist_evidence)e),
				    json_integer((json_int_t)r->by_evidence[e]));
	root = json_pack(
		"{s:i, s:{s:s, s:s}, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}, "
		"s:o, s:o}",
		"version", 1, "tool", "name", "capfix", "version", CAPFIX_VERSION, "mode",
		modes[r->sink % 3], "summary", "files", (json_int_t)t->files, "changed",
		(json_int_t)t->changed, "containers", (json_int_t)t->containers, "fixed",
		(json_int_t)t->fixed, "already", (json_int_t)t->already, "skipped",
		(json_int_t)t->skipped, "errors", (json_int_t)(t->errors + t->write_errors),
		"caps_added", (json_int_t)t->caps_added, "caps_removed",
		(json_int_t)t->caps_removed, "fixed_without_evidence", (json_int_t)r->unknown,
		"fixed_by_evidence", by, "files", files, "problems", problems);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	sbuf_addstr(out, text ? text : "{}");
	sbuf_addch(out, '\n');
	free(text);
	json_decref(root);
}
