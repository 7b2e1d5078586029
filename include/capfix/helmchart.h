/*
 * helmchart.h - which values of a Helm chart its templates render as a
 * container's securityContext.
 *
 * Chart templates are Go templates, not YAML, so they are read as lines: a
 * `securityContext:` key whose value is `toYaml .Values.X` or the pipeline
 * `.Values.X | toYaml` (either followed by `| trim`, `| indent N` or
 * `| nindent N`; on its line or the next; `.` for X inside
 * `with .Values.X`), and whose parent line is a list item (a container, not
 * the pod), names the values block X. A container's securityContext
 * rendered by any other template action is listed as unread.
 *
 * Ownership: a struct helmchart_refs owns its strings; release it with
 * helmchart_refs_release().
 */
#ifndef CAPFIX_HELMCHART_H
#define CAPFIX_HELMCHART_H

#include "capfix/compat.h"

struct helmchart_unread {
	char *source; /* the template, relative to the chart */
	int line; /* 1-based line of the `securityContext:` key */
	char *text; /* that line's text from the key on (and the next line's when the
		     * value sits there), trimmed */
};

struct helmchart_refs {
	char **paths; /* dotted paths below .Values, unique, in discovery order */
	char **sources; /* the template (relative to the chart) rendering each */
	size_t n, alloc;
	/*
	 * Containers' `securityContext:` keys whose value is a template action
	 * that names no values block capfix reads (`include "x" .`, `tpl`,
	 * `.Values.a.b.runAsUser` scalars, ...): callers report each one
	 * ("rendered in a form capfix does not read: ...").
	 */
	struct helmchart_unread *unread;
	size_t nunread, aunread;
};

#define HELMCHART_REFS_INIT                                                                        \
	{                                                                                          \
		NULL, NULL, 0, 0, NULL, 0, 0                                                       \
	}

/* Is @dir a chart directory (values.yaml beside a templates/ folder)? */
bool helmchart_is_chart(const char *dir);

/*
 * Read the YAML templates below @chart_dir/templates (sorted, symbolic
 * links not followed) into @out. Unreadable templates are
 * skipped. This function can't fail.
 */
void helmchart_sc_refs(const char *chart_dir, struct helmchart_refs *out);

/* Scan one template's text (for tests and for trees not on disk). */
void helmchart_scan_template(const char *name, const char *text, size_t len,
			     struct helmchart_refs *out);

void helmchart_refs_release(struct helmchart_refs *refs);

#endif
