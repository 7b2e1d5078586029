/*
 * fix.c - the capability fix of Kubernetes manifests and compose files:
 * the orchestration. The walker (k8s.c here, fixcompose.c for compose
 * services) finds the workloads, addlist.c decides what their lists
 * become, yamlwrite.c writes it, and the result is parsed again and
 * checked here before it is returned.
 */
#include "capfix/fix.h"
#include "capfix/addlist.h"
#include "capfix/compose.h"
#include "capfix/err.h"
#include "capfix/fixevidence.h"
#include "capfix/fixfacts.h"
#include "capfix/fixverify.h"
#include "capfix/k8s.h"
#include "capfix/shell.h"
#include "capfix/yamlwrite.h"
#include "fix_int.h"

void fix_result_init(struct fix_result *res)
{
	memset(res, 0, sizeof(*res));
	sbuf_init(&res->out);
}

void fix_result_release(struct fix_result *res)
{
	size_t i;

	for (i = 0; i < res->nitems; i++)
		fixevidence_release(&res->items[i]);
	free(res->items);

	for (i = 0; i < res->nnotes; i++) {
		free(res->notes[i].msg);
		free(res->notes[i].object);
		free(res->notes[i].container);
		free(res->notes[i].detail);
	}
	free(res->notes);
	sbuf_release(&res->out);
	fix_result_init(res);
}

void fix_note_add(struct fix_result *res, enum fix_note_level level, int line, int col,
		  const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sbuf_grow(&sb, n > 0 ? (size_t)n : 0);
	va_start(ap, fmt);
	vsnprintf(sb.buf, sb.alloc, fmt, ap);
	va_end(ap);
	sb.len = n > 0 ? (size_t)n : 0;
	CF_ALLOC_GROW(res->notes, res->nnotes + 1, res->anotes);
	res->notes[res->nnotes].level = level;
	res->notes[res->nnotes].line = line;
	res->notes[res->nnotes].col = col;
	res->notes[res->nnotes].msg = sbuf_detach(&sb, NULL);
	res->notes[res->nnotes].object = NULL;
	res->notes[res->nnotes].container = NULL;
	res->notes[res->nnotes].detail = NULL;
	res->notes[res->nnotes].seq = res->nnotes;
	res->nnotes++;
}

void fix_note_pos(const struct ynode *n, int *line, int *col)
{
	while (n && n->line < 0)
		n = n->parent;
	*line = n ? n->line + 1 : 1;
	*col = n ? n->col + 1 : 1;
}

/* Attach the parts of the note just added. */
void fix_note_parts(struct fix_result *res, char *object, const char *container, char *detail)
{
	struct fix_note *n = &res->notes[res->nnotes - 1];

	n->object = object;
	n->container = xstrdup(container);
	n->detail = detail;
}

/* ---- the value to write ---- */

/* Storage for {securityContext: {capabilities: {add: [...], drop: [...]}}}. */
struct newval {
	struct ywval sc, caps, entries[2], add_items[ADDLIST_MAX], drop_items[ADDLIST_MAX];
	size_t nentries;
};

static void build_newval(struct newval *nv, const struct fixverify_plan *p, bool want_add,
			 bool want_drop)
{
	size_t i;

	memset(nv, 0, sizeof(*nv));
	if (want_add && p->l.nadd) {
		for (i = 0; i < p->l.nadd; i++) {
			nv->add_items[i].kind = YW_STR;
			nv->add_items[i].str = p->l.add[i];
		}
		nv->entries[nv->nentries].key = p->add_key;
		nv->entries[nv->nentries].kind = YW_LIST;
		nv->entries[nv->nentries].kids = nv->add_items;
		nv->entries[nv->nentries].n = p->l.nadd;
		nv->nentries++;
	}
	if (want_drop) {
		for (i = 0; i < p->l.ndrop; i++) {
			nv->drop_items[i].kind = YW_STR;
			nv->drop_items[i].str = p->l.drop[i];
		}
		nv->entries[nv->nentries].key = p->drop_key;
		nv->entries[nv->nentries].kind = YW_LIST;
		nv->entries[nv->nentries].kids = nv->drop_items;
		nv->entries[nv->nentries].n = p->l.ndrop;
		nv->nentries++;
	}
	nv->caps.key = "capabilities";
	nv->caps.kind = YW_MAP;
	nv->caps.kids = nv->entries;
	nv->caps.n = nv->nentries;
	nv->sc.key = p->sc_key ? p->sc_key : "securityContext";
	nv->sc.kind = YW_MAP;
	nv->sc.kids = &nv->caps;
	nv->sc.n = 1;
}

/* ---- the per-workload decision ---- */

const char *fix_shared(const struct ynode *n)
{
	if (!n)
		return NULL;
	if (n->kind == YN_ALIAS)
		return "is an alias";
	if (n->anchor)
		return "has an anchor";
	if (n->tag && n->kind != YN_SCALAR)
		return "has an explicit tag";
	if (n->kind == YN_MAP && n->merge)
		return "has a merge key (<<)";
	return NULL;
}

void fix_skip_because(struct fix_session *f, const char *what, const char *why)
{
	snprintf(f->skipbuf, sizeof(f->skipbuf), "%s %s", what, why);
	f->skip = f->skipbuf;
}

/* The item texts of list @l (NULL, null or a sequence) for the planner. */
static void list_of(const struct ynode *l, const char **items, struct addlist_list *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->nonnull = l && !yamlspan_is_null(l);
	if (!l || l->kind != YN_SEQ)
		return;
	out->list = true;
	for (i = 0; i < l->nkids && i < ADDLIST_MAX; i++)
		items[i] = yamlspan_str(l->kids[i]);
	out->items = items;
	out->n = i;
}

/* Decide the lists of workload @w (NULL: drop only) from the nodes @add and @drop. */
void fix_decide(struct fix_session *f, struct fixverify_plan *p, const struct addlist_workload *w,
		const struct ynode *add, const struct ynode *drop)
{
	const char *ai[ADDLIST_MAX], *di[ADDLIST_MAX];
	struct addlist_list al, dl;

	list_of(add, ai, &al);
	list_of(drop, di, &dl);
	addlist_decide(&p->l, w, &al, &dl, &f->aopts);
}

/* ---- writing a plan ---- */

/*
 * Edit the add and drop lists of mapping @caps (a capabilities mapping, or a
 * compose service) in place as planned: @kadd/@kdrop index their keys or are -1.
 */
int fix_edit_lists(struct fix_session *f, const struct ynode *caps, const struct ynode *c,
		   long kadd, long kdrop, struct fixverify_plan *p)
{
	const struct ynode *add = kadd >= 0 ? caps->kids[kadd + 1] : NULL;
	const struct ynode *drop = kdrop >= 0 ? caps->kids[kdrop + 1] : NULL;
	struct addlist_plan *l = &p->l;
	struct newval nv;
	size_t i;

	build_newval(&nv, p, !add && l->add_set, !drop);
	if (l->add_set && add) {
		if (l->add_remove) {
			if (caps->flow) {
				l->add_remove = false; /* a flow mapping keeps `add: []` */
				if (yamlwrite_seq_edit(&f->w, add, l->add_removed_item,
						       l->add_respell, NULL, 0) < 0)
					return -1;
			} else if (yamlwrite_remove_entry(&f->w, caps, (size_t)kadd) < 0) {
				return -1;
			}
		} else if (yamlspan_is_null(add)) {
			struct ywval lst = { p->add_key, YW_LIST, NULL, nv.add_items, 0 };

			for (i = 0; i < l->nadd; i++) {
				nv.add_items[i].kind = YW_STR;
				nv.add_items[i].str = l->add[i];
			}
			lst.n = l->nadd;
			if (yamlwrite_set_value(&f->w, caps, (size_t)kadd, c, &lst) < 0)
				return -1;
		} else {
			const char *app[ADDLIST_MAX];
			size_t napp = 0, kept = 0;

			for (i = 0; i < add->nkids; i++)
				kept += !l->add_removed_item[i];
			for (i = kept; i < l->nadd; i++)
				app[napp++] = l->add[i];
			if (yamlwrite_seq_edit(&f->w, add, l->add_removed_item, l->add_respell, app,
					       napp) < 0)
				return -1;
		}
	}
	if (l->drop_set && drop) {
		if (yamlspan_is_null(drop)) {
			struct ywval all = { NULL, YW_STR, "ALL", NULL, 0 };
			struct ywval lst = { p->drop_key, YW_LIST, NULL, &all, 1 };

			if (yamlwrite_set_value(&f->w, caps, (size_t)kdrop, c, &lst) < 0)
				return -1;
		} else {
			const char *app[1] = { "ALL" };
			bool respelled = false;

			for (i = 0; i < drop->nkids; i++)
				respelled |= l->drop_respell[i] != NULL;
			if (!drop->nkids && !drop->flow)
				return -1;
			if (yamlwrite_seq_edit(&f->w, drop, NULL, l->drop_respell, app,
					       respelled ? 0 : 1) < 0)
				return -1;
		}
	}
	if (nv.nentries)
		return yamlwrite_map_append(&f->w, caps, c, nv.entries, nv.nentries);
	return 0;
}

bool fix_plan_lists(struct fix_session *f, struct fixverify_plan *p,
		    const struct addlist_workload *w, const struct ynode *add,
		    const struct ynode *drop, const char *add_name, const char *drop_name)
{
	const char *why;

	if ((why = fix_shared(drop)) || (!f->opts->drop_only && (why = fix_shared(add)))) {
		fix_skip_because(f, fix_shared(drop) ? drop_name : add_name, why);
		return false;
	}
	if (drop && !yamlspan_is_null(drop) && drop->kind != YN_SEQ) {
		fix_skip_because(f, drop_name, "is not a list");
		return false;
	}
	if (!f->opts->drop_only && add && !yamlspan_is_null(add) && add->kind != YN_SEQ) {
		fix_skip_because(f, add_name, "is not a list");
		return false;
	}
	if ((drop && drop->kind == YN_SEQ && drop->nkids >= ADDLIST_MAX) ||
	    (add && add->kind == YN_SEQ && add->nkids >= ADDLIST_MAX)) {
		f->skip = "capability lists too long";
		return false;
	}
	fix_decide(f, p, w, add, drop);
	if (!addlist_changes(&p->l)) {
		f->already = true;
		return false;
	}
	return true;
}

/*
 * Plan and queue the edits of mapping @c's @sc_key (a container's
 * securityContext, or a securityContext block of Helm values) for workload
 * @w (NULL with --drop-only).
 */
static int plan_sc(struct fix_session *f, struct ynode *c, const char *sc_key,
		   const struct addlist_workload *w, struct fixverify_plan *p)
{
	const struct ynode *sc, *caps = NULL, *drop = NULL, *add = NULL;
	struct newval nv;
	const char *why;
	long ksc, kcaps = -1, kdrop = -1, kadd = -1;

	p->add_key = "add";
	p->drop_key = "drop";
	p->sc_key = sc_key;
	if (yamlspan_key_count(c, sc_key) > 1) {
		f->skip = "duplicate securityContext keys";
		return 0;
	}
	ksc = yamlspan_key_index(c, sc_key);
	sc = ksc >= 0 ? c->kids[ksc + 1] : NULL;
	if ((why = fix_shared(sc))) {
		fix_skip_because(f, "securityContext", why);
		return 0;
	}
	if (sc && !yamlspan_is_null(sc) && sc->kind != YN_MAP) {
		f->skip = "securityContext is not a mapping";
		return 0;
	}
	if (sc && sc->kind == YN_MAP) {
		if (yamlspan_is_true(yamlspan_get(sc, "privileged"))) {
			f->skip = "privileged: true (dropping capabilities does not confine it)";
			return 0;
		}
		if (yamlspan_key_count(sc, "capabilities") > 1) {
			f->skip = "duplicate capabilities keys";
			return 0;
		}
		kcaps = yamlspan_key_index(sc, "capabilities");
		caps = kcaps >= 0 ? sc->kids[kcaps + 1] : NULL;
	}
	if ((why = fix_shared(caps))) {
		fix_skip_because(f, "capabilities", why);
		return 0;
	}
	if (caps && !yamlspan_is_null(caps) && caps->kind != YN_MAP) {
		f->skip = "capabilities is not a mapping";
		return 0;
	}
	if (caps && caps->kind == YN_MAP) {
		if (yamlspan_key_count(caps, "drop") > 1 || yamlspan_key_count(caps, "add") > 1) {
			f->skip = "duplicate drop or add keys";
			return 0;
		}
		kdrop = yamlspan_key_index(caps, "drop");
		drop = kdrop >= 0 ? caps->kids[kdrop + 1] : NULL;
		kadd = yamlspan_key_index(caps, "add");
		add = kadd >= 0 ? caps->kids[kadd + 1] : NULL;
	}
	if (!fix_plan_lists(f, p, w, add, drop, "capabilities.add", "capabilities.drop"))
		return 0;
	/* the edits, outermost missing piece first */
	if (!sc || yamlspan_is_null(sc) || (sc->kind == YN_MAP && sc->flow && !sc->nkids)) {
		build_newval(&nv, p, true, true);
		if (!sc)
			return yamlwrite_map_append(&f->w, c, c, &nv.sc, 1);
		return yamlwrite_set_value(&f->w, c, (size_t)ksc, c, &nv.sc);
	}
	if (!caps || yamlspan_is_null(caps) ||
	    (caps->kind == YN_MAP && caps->flow && !caps->nkids)) {
		build_newval(&nv, p, true, true);
		if (!caps)
			return yamlwrite_map_append(&f->w, sc, c, &nv.caps, 1);
		return yamlwrite_set_value(&f->w, sc, (size_t)kcaps, c, &nv.caps);
	}
	/* capabilities is a mapping with entries: edit add and drop in place */
	return fix_edit_lists(f, caps, c, kadd, kdrop, p);
}

/* A new plan for the next workload (not yet counted). */
struct fixverify_plan *fix_new_plan(struct fix_session *f)
{
	struct fixverify_plan *p;

	CF_ALLOC_GROW(f->plans, f->nplans + 1, f->aplans);
	p = &f->plans[f->nplans];
	memset(p, 0, sizeof(*p));
	f->skip = NULL;
	f->already = false;
	return p;
}

/*
 * Settle the plan of the workload in mapping @m after its planner
 * returned @r: on failure or skip drop the edits queued since @before,
 * count it, and mark @m when it is edited. Returns the outcome; *@why says
 * why a skipped workload is left alone (@unsupported when r < 0).
 */
enum fix_block fix_settle(struct fix_session *f, struct ynode *m, int r, size_t before,
			  const char *unsupported, const char **why)
{
	struct fix_result *res = f->res;
	const struct addlist_plan *l = &f->plans[f->nplans].l;

	res->containers++;
	if (r < 0 || f->skip) {
		yamlwrite_undo(&f->w, before);
		res->skipped++;
		*why = r < 0 ? unsupported : f->skip;
		return FIX_BLOCK_SKIPPED;
	}
	if (f->already) {
		res->already++;
		return FIX_BLOCK_ALREADY;
	}
	if (f->check_unknown && l->unknown && f->opts->skip_unknown) {
		yamlwrite_undo(&f->w, before);
		res->skipped++;
		*why = unknown_skipped;
		return FIX_BLOCK_SKIPPED;
	}
	res->unknown += f->check_unknown && l->unknown;
	res->fixed++;
	res->caps_added += l->added;
	res->caps_removed += l->removed;
	m->mark = (unsigned)++f->nplans;
	return FIX_BLOCK_FIXED;
}

/* "drop ALL; added CHOWN (...)" for a fixed workload's note. */
void fix_story(const struct fixverify_plan *p, const char *drop_word, bool respelled,
	       struct sbuf *sb)
{
	const struct addlist_plan *l = &p->l;

	sbuf_addf(sb, "%s %s", drop_word,
		  l->drop_set ? (l->spelled && respelled ? "ALL (respelled)" : "ALL") : "kept");
	if (l->ndec) {
		sbuf_addstr(sb, "; ");
		addlist_story(l, sb);
	}
}

/* ---- Kubernetes containers ---- */

/* A container or service whose rule @rule is ignored (suppress.h, .capfix.yaml): left alone. */
void fix_left_ignored(struct fix_session *f, const struct fix_who *who, const char *rule,
		      char *reason)
{
	f->res->containers++;
	f->res->skipped++;
	if (who->flat)
		fix_note_add(f->res, FIX_NOTE_WARN, who->line, who->col,
			     "service \"%s\" left alone: %s is ignored here (%s)", who->container,
			     rule, reason);
	else
		fix_note_add(f->res, FIX_NOTE_WARN, who->line, who->col,
			     "%s/%s: container \"%s\" left alone: %s is ignored here (%s)",
			     who->kind, who->name, who->container, rule, reason);
	fixevidence_record(f->res, f->opts, who, FIX_BLOCK_SKIPPED, "ignored", NULL);
	free(reason);
}

static int on_container(struct k8s_container *kc, void *payload)
{
	struct fix_session *f = payload;
	struct fix_result *res = f->res;
	struct ynode *c = kc->node;
	const char *why;
	struct addlist_workload w;
	struct shell_needs needs;
	struct fixverify_plan *p;
	struct fix_who who;
	struct fixfacts ff;
	size_t before = yamlwrite_mark(&f->w);
	enum k8s_user user;
	enum fix_block b;
	int r = 0;

	memset(&who, 0, sizeof(who));
	fix_note_pos(kc->node, &who.line, &who.col);
	who.kind = kc->kind;
	who.name = kc->name;
	who.ns = kc->ns;
	who.container = kc->cname;
	who.image = yamlspan_dstr(yamlspan_dget(c, "image"));
	who.node = c;
	if (kc->dup_key) {
		int dl, dc;

		fix_note_pos(kc->dup_key, &dl, &dc);
		fix_note_add(
			res, FIX_NOTE_WARN, dl, dc,
			"%s/%s: duplicate key \"%s\": the last one is used, as YAML 1.1 loaders do (kubectl rejects duplicate keys)",
			kc->kind, kc->name, kc->dup_key->text);
	}
	if (kc->skip) {
		res->containers++;
		res->skipped++;
		fix_note_add(res, FIX_NOTE_WARN, who.line, who.col,
			     "%s/%s: container \"%s\" left alone: %s", kc->kind, kc->name,
			     kc->cname, kc->skip);
		fixevidence_record(f->res, f->opts, &who, FIX_BLOCK_SKIPPED, kc->skip, NULL);
		return 0;
	}
	{
		uint64_t allowed;
		char *ignored = fixfacts_suppressed(f->opts, kc, &allowed);

		if (ignored) { /* CF001 (or all) ignored: the team decided */
			fix_left_ignored(f, &who, "CF001", ignored);
			return 0;
		}
		p = fix_new_plan(f);
		memset(&w, 0, sizeof(w));
		w.allowed = allowed;
	}
	shell_needs_init(&needs);
	if (k8s_is_windows(kc->pod_spec)) {
		f->skip = "Windows pod: Linux capabilities do not apply there";
	} else {
		user = k8s_run_as(c, kc->pod_spec);
		w.image = who.image;
		w.root = who.root = user != K8S_USER_NONROOT;
		w.user_declared = user != K8S_USER_UNKNOWN;
		w.port = k8s_low_port(c);
		if (!f->opts->drop_only)
			w.command = k8s_container_needs(c, w.root, &needs);
		w.needs = &needs;
		w.t.image = w.image;
		w.t.ns = kc->ns;
		w.t.kind = kc->kind;
		w.t.name = kc->name;
		w.t.container = kc->cname;
		if (!f->opts->drop_only) {
			const struct ynode *cmd = yamlspan_deref(yamlspan_dget(c, "command"));
			const struct ynode *args = yamlspan_deref(yamlspan_dget(c, "args"));
			struct trace_workload tw = { kc->ns, kc->kind, kc->name, kc->cname, NULL };

			fixfacts_gather(&ff, f->opts, &tw,
					cmd && cmd->kind == YN_SEQ && cmd->nkids
						? yamlspan_dstr(cmd->kids[0])
						: NULL,
					args && args->kind == YN_SEQ && args->nkids
						? yamlspan_dstr(args->kids[0])
						: NULL,
					cmd || args, &w);
		}
		r = plan_sc(f, c, "securityContext", &w, p);
	}
	f->check_unknown = !f->opts->drop_only;
	b = fix_settle(f, c, r, before, "this capabilities layout is not supported for editing",
		       &why);
	f->check_unknown = false;
	switch (b) {
	case FIX_BLOCK_SKIPPED:
		if (why != unknown_skipped)
			fix_note_add(res, FIX_NOTE_WARN, who.line, who.col,
				     "%s/%s: container \"%s\" left alone: %s", kc->kind, kc->name,
				     kc->cname, why);
		break;
	case FIX_BLOCK_ALREADY:
		if (p->l.spelled && f->opts->drop_only)
			fix_note_add(
				res, FIX_NOTE_WARN, who.line, who.col,
				"%s/%s: container \"%s\" drops ALL spelled differently; Pod Security Admission only accepts \"ALL\"",
				kc->kind, kc->name, kc->cname);
		break;
	case FIX_BLOCK_FIXED: {
		struct sbuf detail = SBUF_INIT, obj = SBUF_INIT;
		bool change = p->l.ndec || (p->l.spelled && !f->opts->drop_only);

		if (p->l.spelled && f->opts->drop_only)
			fix_note_add(
				res, FIX_NOTE_WARN, who.line, who.col,
				"%s/%s: container \"%s\" drops ALL spelled differently; Pod Security Admission only accepts \"ALL\"",
				kc->kind, kc->name, kc->cname);
		fix_story(p, "drop", true, &detail);
		sbuf_addf(&obj, "%s/%s", kc->kind, kc->name);
		fix_note_add(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, who.line, who.col,
			     "%s: container \"%s\": %s", obj.buf, kc->cname, detail.buf);
		fix_note_parts(res, sbuf_detach(&obj, NULL), kc->cname, sbuf_detach(&detail, NULL));
		break;
	}
	}
	if (!f->opts->drop_only && !f->skip && r >= 0)
		fixevidence_notes(res, &who, b, why, &p->l, &needs);
	fixevidence_record(f->res, f->opts, &who, b, why, f->skip || r < 0 ? NULL : &p->l);
	return 0;
}

/* ---- the session: shared by fix_buffer() and helmvalues.c ---- */

static void session_init(struct fix_session *f, struct fix_result *res, struct yfile *yf,
			 const struct fix_opts *opts)
{
	memset(f, 0, sizeof(*f));
	f->opts = opts;
	f->aopts.drop_only = opts->drop_only;
	f->aopts.strict = opts->strict;
	f->aopts.deny = opts->deny;
	f->aopts.cfg = opts->cfg;
	f->yf = yf;
	f->res = res;
	yamlwrite_init(&f->w, yf->buf, yf->len, yf->crlf, opts->json);
}

static int cmp_note(const void *pa, const void *pb)
{
	const struct fix_note *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Apply, verify and keep the result; sort the notes; free what @f owns. */
static int session_end(struct fix_session *f)
{
	struct fix_result *res = f->res;
	int ret = 0;

	if (f->w.edits.n) {
		struct sbuf out = SBUF_INIT;

		if (yamlwrite_apply(&f->w, &out) < 0 ||
		    fixverify_check(f->yf, out.buf, out.len, f->opts->json, f->plans, &res->err) <
			    0) {
			if (!res->err.msg[0])
				snprintf(res->err.msg, sizeof(res->err.msg), "%.200s",
					 cf_err_last()->msg);
			res->err.line = res->err.col = 1;
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			ret = -1;
		} else {
			sbuf_release(&res->out);
			res->out = out;
			res->changed = true;
		}
	}
	if (res->nnotes)
		qsort(res->notes, res->nnotes, sizeof(*res->notes), cmp_note);
	yamlwrite_release(&f->w);
	composeenv_release(&f->env);
	free(f->plans);
	f->plans = NULL;
	return ret;
}

struct fix_session *fix_session_begin(struct fix_result *res, struct yfile *yf,
				      const struct fix_opts *opts)
{
	struct fix_session *f = xmalloc(sizeof(*f));

	session_init(f, res, yf, opts);
	res->status = FIX_OK;
	return f;
}

void fix_session_doc(struct fix_session *f, const struct ynode *root)
{
	yamlwrite_doc(&f->w, root);
}

enum fix_block fix_session_block(struct fix_session *f, struct ynode *m, const char *key,
				 const struct addlist_workload *w, struct sbuf *detail,
				 const char **why)
{
	struct fixverify_plan *p = fix_new_plan(f);
	size_t before = yamlwrite_mark(&f->w);
	int r = plan_sc(f, m, key, f->opts->drop_only ? NULL : w, p);
	enum fix_block b;

	f->check_unknown = !f->opts->drop_only;
	b = fix_settle(f, m, r, before, "this layout is not supported for editing", why);
	f->check_unknown = false;

	if (b == FIX_BLOCK_FIXED)
		fix_story(p, "drop", false, detail);
	{
		struct fix_who who;

		memset(&who, 0, sizeof(who));
		fix_note_pos(yamlspan_get(m, key), &who.line, &who.col);
		who.kind = "HelmValues";
		who.name = w && w->t.name ? w->t.name : "";
		who.container = w && w->t.container ? w->t.container : key;
		who.image = w ? w->image : NULL;
		who.root = w && w->root;
		who.node = m;
		who.sc_key = key;
		if (!f->opts->drop_only && !f->skip && r >= 0)
			fixevidence_notes(f->res, &who, b, *why, &p->l, NULL);
		fixevidence_record(f->res, f->opts, &who, b, *why, f->skip || r < 0 ? NULL : &p->l);
	}
	return b;
}

int fix_session_end(struct fix_session *f)
{
	int ret = session_end(f);

	free(f);
	return ret;
}

/* ---- entry point ---- */

static bool looks_like_template(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '{' && buf[i + 1] == '{')
			return true;
	return false;
}

int fix_buffer(struct fix_result *res, const char *buf, size_t len, const struct fix_opts *opts)
{
	struct fix_session f;
	struct yfile yf = YFILE_INIT;
	size_t i;
	int ret = -1;

	res->status = FIX_OK;
	if (yamlspan_parse(&yf, buf, len, opts->json, &res->err) < 0) {
		res->status = looks_like_template(buf, len) ? FIX_TEMPLATE : FIX_PARSE_ERROR;
		return -1;
	}
	if (yf.complex_key) {
		res->status = looks_like_template(buf, len) ? FIX_TEMPLATE : FIX_PARSE_ERROR;
		res->err.line = yf.complex_key->line + 1;
		res->err.col = yf.complex_key->col + 1;
		snprintf(res->err.msg, sizeof(res->err.msg),
			 "a mapping key is itself a mapping or list; Kubernetes cannot decode it");
		yamlspan_release(&yf);
		return -1;
	}
	session_init(&f, res, &yf, opts);
	for (i = 0; i < yf.ndocs; i++) {
		yamlwrite_doc(&f.w, yf.docs[i].root);
		if (compose_is_file(yf.docs[i].root))
			fixcompose_each_service(&f, yf.docs[i].root);
		else
			k8s_each_container(yf.docs[i].root, on_container, &f);
	}
	ret = session_end(&f);
	yamlspan_release(&yf);
	return ret;
}
