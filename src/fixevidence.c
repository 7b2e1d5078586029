/*
 * fixevidence.c - what fix says about the evidence of each workload: its
 * warnings and its entry in the structured report. See fixevidence.h.
 */
#include "capfix/fixevidence.h"
#include "capfix/caps.h"
#include "capfix/trace.h"

const char fixevidence_unknown_skipped[] = "--unknown-images skip";

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void fixevidence_release(struct fix_container *c)
{
	size_t i;

	free(c->kind);
	free(c->name);
	free(c->ns);
	free(c->container);
	free(c->image);
	free(c->why);
	free_strv(c->drop, c->ndrop);
	free_strv(c->add, c->nadd);
	for (i = 0; i < c->ndec; i++) {
		free(c->dec[i].capability);
		free(c->dec[i].source);
		free(c->dec[i].reason);
	}
	free(c->dec);
}

static void who_text(const struct fix_who *w, struct sbuf *sb)
{
	if (w->flat)
		sbuf_addf(sb, "service \"%s\"", w->container);
	else if (w->sc_key)
		sbuf_addf(sb, ".Values.%s", w->name);
	else
		sbuf_addf(sb, "%s/%s: container \"%s\"", w->kind, w->name, w->container);
}

/* What a matching trace says besides the needs: candidates, a drop-ALL-looking trace. */
static void trace_notes(struct fix_result *res, const struct fix_who *w, const char *who,
			const struct addlist_plan *l)
{
	const char *file = l->trace_file ? l->trace_file : "the trace";
	struct sbuf names = SBUF_INIT;
	size_t i;

	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);

		if ((l->trace_candidates >> ci->number) & 1)
			sbuf_addf(&names, "%s%s", names.len ? ", " : "", ci->name);
	}
	if (names.len)
		fix_note_add(
			res, FIX_NOTE_WARN, w->line, w->col,
			"%s: %s saw %s only denied: not added (a denial is a failure or a probe; --trust-denied adds it)",
			who, file, names.buf);
	if (l->trace_flags & TRACE_Q_DROP_ALL)
		fix_note_add(
			res, FIX_NOTE_WARN, w->line, w->col,
			"%s: %s looks recorded under drop ALL (only denials): it shows one failure per code path, not every need; trace it again without dropping capabilities",
			who, file);
	sbuf_release(&names);
}

void fixevidence_notes(struct fix_result *res, const struct fix_who *w, enum fix_block b,
		       const char *why, const struct addlist_plan *l,
		       const struct shell_needs *needs)
{
	struct sbuf who = SBUF_INIT;
	size_t i;

	/* most workloads get no warning: say so without formatting anything */
	if (!l->unknown && !(needs && needs->unmeasured) && !l->removed && !l->added &&
	    !l->trace_candidates && !(l->trace_flags & TRACE_Q_DROP_ALL))
		return;
	who_text(w, &who);
	if (l->traced && b != FIX_BLOCK_SKIPPED)
		trace_notes(res, w, who.buf, l);
	if (l->unknown && (b == FIX_BLOCK_FIXED || why == fixevidence_unknown_skipped))
		fix_note_add(
			res, FIX_NOTE_WARN, w->line, w->col,
			"%s may start as root and capfix has no evidence about its image%s%s%s: %s; settle it with %s, a .capfix.yaml rule, or image or trace evidence",
			who.buf, w->image ? " \"" : "", w->image ? w->image : " (none named)",
			w->image ? "\"" : "",
			b == FIX_BLOCK_FIXED
				? "fixed without evidence (its entrypoint may need capabilities that drop ALL removes)"
				: "left alone (--unknown-images skip)",
			w->flat ? "a non-root user (user:)" : "runAsNonRoot or runAsUser");
	if (b != FIX_BLOCK_SKIPPED && needs && needs->unmeasured && l->root)
		fix_note_add(
			res, FIX_NOTE_WARN, w->line, w->col,
			"%s runs %s as root: what it needs with drop ALL is not measured, so nothing is added for it",
			who.buf, needs->unmeasured);
	for (i = 0; b == FIX_BLOCK_FIXED && i < l->ndec; i++) {
		const struct addlist_decision *d = &l->dec[i];
		const struct cap_info *ci = caps_lookup(d->name);

		if (d->strict && d->verb == ADDLIST_REMOVED)
			fix_note_add(
				res, FIX_NOTE_WARN, w->line, w->col,
				"%s: --strict removed %s, which the manifest adds (neither inferred nor allowed); if the container needs it, allow it in .capfix.yaml",
				who.buf, d->name);
		if (!w->flat && d->verb == ADDLIST_ADDED && ci && !ci->pss_baseline &&
		    (d->evidence == ADDLIST_EV_PORT || d->evidence == ADDLIST_EV_PROFILE ||
		     d->evidence == ADDLIST_EV_COMMAND))
			fix_note_add(
				res, FIX_NOTE_WARN, w->line, w->col,
				"%s: added %s (%s), which is outside the Pod Security Standards baseline: the workload now meets only the privileged level",
				who.buf, d->name, d->reason);
	}
	sbuf_release(&who);
}

static char *dupn(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The scalar items of list @l, copied. */
static char **strv_of_node(const struct ynode *l, size_t *n)
{
	char **v;
	size_t i;

	l = yamlspan_deref(l);
	*n = 0;
	if (!l || l->kind != YN_SEQ || !l->nkids)
		return NULL;
	v = xcalloc(l->nkids, sizeof(*v));
	for (i = 0; i < l->nkids; i++)
		v[(*n)++] = xstrdup(yamlspan_dstr(l->kids[i]) ? yamlspan_dstr(l->kids[i]) : "");
	return v;
}

static char **strv_of(const char *const *items, size_t n)
{
	char **v = n ? xcalloc(n, sizeof(*v)) : NULL;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = xstrdup(items[i]);
	return v;
}

static void add_decision(struct fix_container *c, const char *cap, const char *action,
			 enum addlist_evidence ev, const char *source, const char *reason)
{
	struct fix_decision *d = &c->dec[c->ndec++];

	d->capability = xstrdup(cap);
	d->action = action;
	d->evidence = addlist_evidence_name(ev);
	d->source = xstrdup(source ? source : "");
	d->reason = xstrdup(reason ? reason : "");
}

void fixevidence_record(struct fix_result *res, const struct fix_opts *opts,
			const struct fix_who *w, enum fix_block b, const char *why,
			const struct addlist_plan *l)
{
	static const char *const verbs[] = { "kept", "added", "removed" };
	const struct ynode *caps =
		w->flat ? w->node
			: yamlspan_dget(
				  yamlspan_dget(w->node, w->sc_key ? w->sc_key : "securityContext"),
				  "capabilities");
	struct fix_container *c;
	size_t i;

	if (!opts->report)
		return;
	CF_ALLOC_GROW(res->items, res->nitems + 1, res->aitems);
	c = &res->items[res->nitems++];
	memset(c, 0, sizeof(*c));
	c->line = w->line;
	c->col = w->col;
	c->kind = xstrdup(w->kind);
	c->name = xstrdup(w->name);
	c->ns = dupn(w->ns);
	c->container = xstrdup(w->container);
	c->image = dupn(w->image);
	c->root = w->root;
	c->outcome = b == FIX_BLOCK_FIXED     ? "fixed"
		     : b == FIX_BLOCK_ALREADY ? "already"
					      : "skipped";
	c->why = b == FIX_BLOCK_SKIPPED ? dupn(why) : NULL;
	if (l) {
		c->basis = l->basis;
		/* warned: fixed, or left alone by --unknown-images skip */
		c->unknown =
			l->unknown && (b == FIX_BLOCK_FIXED || why == fixevidence_unknown_skipped);
		c->root = l->root;
	}
	if (b == FIX_BLOCK_SKIPPED || !l) {
		c->drop =
			strv_of_node(yamlspan_dget(caps, w->flat ? "cap_drop" : "drop"), &c->ndrop);
		c->add = strv_of_node(yamlspan_dget(caps, w->flat ? "cap_add" : "add"), &c->nadd);
		return;
	}
	c->drop = strv_of(l->drop, l->ndrop);
	c->ndrop = l->ndrop;
	if (opts->drop_only) {
		c->add = strv_of_node(yamlspan_dget(caps, w->flat ? "cap_add" : "add"), &c->nadd);
	} else {
		c->add = strv_of(l->add, l->nadd);
		c->nadd = l->nadd;
	}
	c->dec = xcalloc(l->ndec + 1, sizeof(*c->dec));
	if (l->drop_set && !l->spelled)
		add_decision(c, "ALL", "dropped", ADDLIST_EV_NONE, "capfix",
			     "every capability is dropped; add gives back what is needed");
	else
		add_decision(c, "ALL", "dropped", ADDLIST_EV_DECLARED, "the manifest",
			     l->drop_set ? "the manifest drops ALL (respelled)"
					 : "the manifest drops ALL");
	for (i = 0; i < l->ndec; i++)
		add_decision(c, l->dec[i].name, verbs[l->dec[i].verb], l->dec[i].evidence,
			     l->dec[i].source, l->dec[i].reason);
}
