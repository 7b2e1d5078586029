/*
 * fix.c - the capability fix of Kubernetes manifests and compose files:
 * the orchestration. The walker (k8s.c, compose.c) finds the workloads,
 * addlist.c decides what their lists become, yamlwrite.c writes it, and
 * the result is parsed again and checked here before it is returned.
 */
#include "capfix/fix.h"
#include "capfix/addlist.h"
#include "capfix/caps.h"
#include "capfix/compose.h"
#include "capfix/err.h"
#include "capfix/fixevidence.h"
#include "capfix/fixfacts.h"
#include "capfix/fixverify.h"
#include "capfix/k8s.h"
#include "capfix/shell.h"
#include "capfix/yamlwrite.h"

struct fix_session {
	const struct fix_opts *opts;
	struct addlist_opts aopts;
	struct yfile *yf;
	struct yamlwrite w;
	struct fix_result *res;
	/* plans of the edited workloads; node->mark is index + 1 */
	struct fixverify_plan *plans;
	size_t nplans, aplans;
	/* the workload being planned */
	const char *skip; /* why it is left alone */
	char skipbuf[160];
	bool already; /* nothing to change */
	const struct ynode *services; /* compose: the services mapping */
	const struct ynode *root; /* compose: the document */
	struct composeenv env; /* compose: the .env beside the file (opts->dir) */
	bool env_loaded;
	bool check_unknown; /* a container or service: the evidence rules apply */
};

#define unknown_skipped fixevidence_unknown_skipped

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
static void note_parts(struct fix_result *res, char *object, const char *container, char *detail)
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

static const char *shared(const struct ynode *n)
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

static void skip_because(struct fix_session *f, const char *what, const char *why)
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
static void decide(struct fix_session *f, struct fixverify_plan *p,
		   const struct addlist_workload *w, const struct ynode *add,
		   const struct ynode *drop)
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
static int edit_lists(struct fix_session *f, const struct ynode *caps, const struct ynode *c,
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
	if ((why = shared(sc))) {
		skip_because(f, "securityContext", why);
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
	if ((why = shared(caps))) {
		skip_because(f, "capabilities", why);
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
	if ((why = shared(drop)) || (!why && !f->opts->drop_only && (why = shared(add)))) {
		skip_because(f, shared(drop) ? "capabilities.drop" : "capabilities.add", why);
		return 0;
	}
	if (drop && !yamlspan_is_null(drop) && drop->kind != YN_SEQ) {
		f->skip = "capabilities.drop is not a list";
		return 0;
	}
	if (!f->opts->drop_only && add && !yamlspan_is_null(add) && add->kind != YN_SEQ) {
		f->skip = "capabilities.add is not a list";
		return 0;
	}
	if ((drop && drop->kind == YN_SEQ && drop->nkids >= ADDLIST_MAX) ||
	    (add && add->kind == YN_SEQ && add->nkids >= ADDLIST_MAX)) {
		f->skip = "capability lists too long";
		return 0;
	}
	decide(f, p, w, add, drop);
	if (!addlist_changes(&p->l)) {
		f->already = true;
		return 0;
	}
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
	return edit_lists(f, caps, c, kadd, kdrop, p);
}

/* A new plan for the next workload (not yet counted). */
static struct fixverify_plan *new_plan(struct fix_session *f)
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
static enum fix_block settle(struct fix_session *f, struct ynode *m, int r, size_t before,
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
static void story(const struct fixverify_plan *p, const char *drop_word, bool respelled,
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
static void left_ignored(struct fix_session *f, const struct fix_who *who, const char *rule,
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
			left_ignored(f, &who, "CF001", ignored);
			return 0;
		}
		p = new_plan(f);
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
	b = settle(f, c, r, before, "this capabilities layout is not supported for editing", &why);
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
		story(p, "drop", true, &detail);
		sbuf_addf(&obj, "%s/%s", kc->kind, kc->name);
		fix_note_add(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, who.line, who.col,
			     "%s: container \"%s\": %s", obj.buf, kc->cname, detail.buf);
		note_parts(res, sbuf_detach(&obj, NULL), kc->cname, sbuf_detach(&detail, NULL));
		break;
	}
	}
	if (!f->opts->drop_only && !f->skip && r >= 0)
		fixevidence_notes(res, &who, b, why, &p->l, &needs);
	fixevidence_record(f->res, f->opts, &who, b, why, f->skip || r < 0 ? NULL : &p->l);
	return 0;
}

/* ---- docker-compose services ---- */

/*
 * The workload of service @svc: what its entrypoint and command (one vector
 * when both are lists), and its healthcheck test (CMD: a vector, CMD-SHELL
 * or a string: a script) need.
 */
static void compose_workload(const struct fix_session *f, const struct ynode *svc, const char *name,
			     const struct compose_facts *cf, struct addlist_workload *w,
			     struct shell_needs *n)
{
	const struct ynode *ep = compose_get(f->services, svc, "entrypoint");
	const struct ynode *cmd = compose_get(f->services, svc, "command");
	const struct ynode *test =
		yamlspan_deref(yamlspan_dget(compose_get(f->services, svc, "healthcheck"), "test"));
	const char *t0 =
		test && test->kind == YN_SEQ && test->nkids ? yamlspan_dstr(test->kids[0]) : NULL;

	memset(w, 0, sizeof(*w));
	/* interpolated; with build:, the Dockerfile's FROM and USER */
	w->image = cf->image && *cf->image ? cf->image : NULL;
	w->root = cf->may_run_as_root;
	w->user_declared = cf->user != NULL;
	w->port = cf->low_port;
	ep = ep && !yamlspan_is_null(ep) ? ep : NULL;
	if (!f->opts->drop_only) {
		if (ep && yamlspan_deref(ep)->kind == YN_SEQ && cmd &&
		    yamlspan_deref(cmd)->kind == YN_SEQ) {
			k8s_command_needs(ep, 0, cmd, w->root, n);
		} else {
			k8s_command_needs(ep, 0, NULL, w->root, n);
			k8s_command_needs(cmd, 0, NULL, w->root, n);
		}
		if (test && test->kind == YN_SCALAR)
			k8s_command_needs(test, 0, NULL, w->root, n);
		else if (t0 && !strcmp(t0, "CMD"))
			k8s_command_needs(test, 1, NULL, w->root, n);
		else if (t0 && !strcmp(t0, "CMD-SHELL") && test->nkids > 1)
			k8s_command_needs(test->kids[1], 0, NULL, w->root, n);
	}
	w->command = ep && !(yamlspan_deref(ep)->kind == YN_SEQ && !yamlspan_deref(ep)->nkids);
	w->needs = n;
	w->t.image = w->image;
	w->t.kind = "service";
	w->t.name = name;
	w->t.container = name;
}

static int plan_service(struct fix_session *f, struct ynode *svc, const struct addlist_workload *w,
			struct fixverify_plan *p)
{
	const struct ynode *drop, *add;
	const char *why;
	long kdrop, kadd;

	p->add_key = "cap_add";
	p->drop_key = "cap_drop";
	p->flat = true;
	if ((why = shared(svc)) && !(svc->kind == YN_MAP && svc->merge && !svc->anchor)) {
		skip_because(f, "the service", why);
		return 0;
	}
	if (svc->kind != YN_MAP) {
		f->skip = "the service is not a mapping";
		return 0;
	}
	if (yamlspan_is_true(yamlspan_get(svc, "privileged"))) {
		f->skip = "privileged: true (dropping capabilities does not confine it)";
		return 0;
	}
	if (compose_merged_has(svc, "privileged")) {
		f->skip = "privileged comes from a merge key (<<): edit the anchor";
		return 0;
	}
	if ((compose_merged_has(svc, "cap_drop") && !yamlspan_get(svc, "cap_drop")) ||
	    (compose_merged_has(svc, "cap_add") && !yamlspan_get(svc, "cap_add"))) {
		/* the lists come from an anchor: fine when nothing needs to change */
		const struct ynode *md = yamlspan_get(svc, "cap_drop"),
				   *ma = yamlspan_get(svc, "cap_add");

		decide(f, p, w, ma ? ma : compose_merged_get(svc, "cap_add"),
		       md ? md : compose_merged_get(svc, "cap_drop"));
		p->l.spelled = false; /* the anchor's spelling is the anchor's business */
		if (!addlist_changes(&p->l)) {
			f->already = true;
			return 0;
		}
		f->skip =
			"cap_drop or cap_add come from a merge key (<<) and would change: edit the anchor";
		return 0;
	}
	if (yamlspan_key_count(svc, "cap_drop") > 1 || yamlspan_key_count(svc, "cap_add") > 1) {
		f->skip = "duplicate cap_drop or cap_add keys";
		return 0;
	}
	kdrop = yamlspan_key_index(svc, "cap_drop");
	kadd = yamlspan_key_index(svc, "cap_add");
	drop = kdrop >= 0 ? svc->kids[kdrop + 1] : NULL;
	add = kadd >= 0 ? svc->kids[kadd + 1] : NULL;
	if ((why = shared(drop)) || (!f->opts->drop_only && (why = shared(add)))) {
		skip_because(f, "cap_drop or cap_add", why);
		return 0;
	}
	if ((drop && !yamlspan_is_null(drop) && drop->kind != YN_SEQ) ||
	    (!f->opts->drop_only && add && !yamlspan_is_null(add) && add->kind != YN_SEQ)) {
		f->skip = "cap_drop or cap_add is not a list";
		return 0;
	}
	if ((drop && drop->kind == YN_SEQ && drop->nkids >= ADDLIST_MAX) ||
	    (add && add->kind == YN_SEQ && add->nkids >= ADDLIST_MAX)) {
		f->skip = "capability lists too long";
		return 0;
	}
	decide(f, p, w, add, drop);
	if (!addlist_changes(&p->l)) {
		f->already = true;
		return 0;
	}
	return edit_lists(f, svc, svc, kadd, kdrop, p);
}

static const char partial_why[] =
	"a partial service (neither image nor build: an override fragment merged over another compose file's service)";

/* What is known about service @svc: its facts, through the .env and its build's Dockerfile. */
static void service_facts(struct fix_session *f, const struct ynode *svc, const char *name,
			  const struct fix_who *who, struct compose_facts *cf)
{
	const struct fix_opts *o = f->opts;
	struct compose_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = o->dir;
	ctx.file = o->path;
	ctx.root = f->root;
	ctx.env = o->dir ? &f->env : NULL;
	ctx.no_files = !o->dir || o->drop_only;
	compose_service_facts(&ctx, f->services, svc, cf);
	if (cf->partial || o->drop_only)
		return;
	if (cf->status == COMPOSEENV_ERROR)
		fix_note_add(
			f->res, FIX_NOTE_WARN, who->line, who->col,
			"service \"%s\": interpolation failed (%s): compose would refuse it; capfix decided on what it could read",
			name, cf->err);
	else if (cf->status == COMPOSEENV_UNKNOWN || cf->status == COMPOSEENV_DEFAULTED)
		fix_note_add(
			f->res, FIX_NOTE_WARN, who->line, who->col,
			"service \"%s\": a variable it uses is not set%s and %s: its image, user, ports or commands may differ where the environment sets it",
			name, o->dir ? " in .env" : " (no .env is read for this input)",
			cf->status == COMPOSEENV_UNKNOWN ? "has no default (it became empty)"
							 : "took its default");
	if (cf->build && !cf->build_read && o->dir)
		fix_note_add(
			f->res, FIX_NOTE_WARN, who->line, who->col,
			"service \"%s\": its build's Dockerfile was not read (%s): the image and user it builds are not known",
			name, cf->err[0] ? cf->err : "no such stage");
}

static void on_service(struct fix_session *f, struct ynode *key, struct ynode *svc)
{
	struct fix_result *res = f->res;
	struct fixverify_plan *p;
	size_t before = yamlwrite_mark(&f->w);
	const char *name = key->kind == YN_SCALAR ? key->text : "?", *why;
	struct addlist_workload w;
	struct compose_facts cf;
	struct shell_needs needs;
	struct fixfacts ff;
	struct fix_who who;
	enum fix_block b;
	int r;

	memset(&who, 0, sizeof(who));
	memset(&w, 0, sizeof(w));
	memset(&cf, 0, sizeof(cf));
	cf.low_port = -1;
	shell_needs_init(&needs);
	fix_note_pos(svc->line >= 0 ? svc : key, &who.line, &who.col);
	who.kind = "service";
	who.name = who.container = name;
	who.node = svc;
	who.flat = true;
	if (svc->kind == YN_MAP) {
		service_facts(f, svc, name, &who, &cf);
		compose_workload(f, svc, name, &cf, &w, &needs);
		if (!f->opts->drop_only) {
			struct trace_workload tw = { NULL, NULL, name, NULL, NULL };
			char ep0[256] = "", cmd0[256] = "";

			/* the entrypoint's first word starts instead of the image's; command's
			 * replaces the image's cmd */
			if (cf.entrypoint)
				snprintf(ep0, sizeof(ep0), "%.*s",
					 (int)strcspn(cf.entrypoint, " \t"), cf.entrypoint);
			if (cf.command)
				snprintf(cmd0, sizeof(cmd0), "%.*s",
					 (int)strcspn(cf.command, " \t"), cf.command);
			fixfacts_gather(&ff, f->opts, &tw, ep0[0] ? ep0 : NULL,
					cmd0[0] ? cmd0 : NULL, cf.command != NULL, &w);
		}
	}
	who.image = w.image;
	who.root = w.root;
	if (cf.partial) {
		/* an override fragment: the whole service is elsewhere */
		res->containers++;
		res->skipped++;
		fix_note_add(res, FIX_NOTE_WARN, who.line, who.col, "service \"%s\" left alone: %s",
			     name, partial_why);
		fixevidence_record(res, f->opts, &who, FIX_BLOCK_SKIPPED, partial_why, NULL);
		compose_facts_release(&cf);
		return;
	}
	{
		char *ignored = fixfacts_service_suppressed(f->opts, svc, &w.t);

		if (ignored) { /* CF204 (or all) ignored: the team decided */
			left_ignored(f, &who, "CF204", ignored);
			compose_facts_release(&cf);
			return;
		}
	}
	p = new_plan(f);
	r = plan_service(f, svc, &w, p);
	f->check_unknown = !f->opts->drop_only;
	b = settle(f, svc, r, before, "this layout is not supported for editing", &why);
	f->check_unknown = false;
	switch (b) {
	case FIX_BLOCK_SKIPPED:
		if (why != unknown_skipped)
			fix_note_add(res, FIX_NOTE_WARN, who.line, who.col,
				     "service \"%s\" left alone: %s", name, why);
		break;
	case FIX_BLOCK_ALREADY:
		if (p->l.spelled && f->opts->drop_only)
			fix_note_add(res, FIX_NOTE_WARN, who.line, who.col,
				     "service \"%s\" drops ALL spelled differently; write ALL",
				     name);
		break;
	case FIX_BLOCK_FIXED: {
		struct sbuf detail = SBUF_INIT;
		bool change = p->l.ndec || (p->l.spelled && !f->opts->drop_only);

		if (p->l.spelled && f->opts->drop_only)
			fix_note_add(res, FIX_NOTE_WARN, who.line, who.col,
				     "service \"%s\" drops ALL spelled differently; write ALL",
				     name);
		story(p, "cap_drop", true, &detail);
		fix_note_add(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, who.line, who.col,
			     "service \"%s\": %s", name, detail.buf);
		note_parts(res, xstrdup("compose service"), name, sbuf_detach(&detail, NULL));
		break;
	}
	}
	if (!f->opts->drop_only && !f->skip && r >= 0)
		fixevidence_notes(res, &who, b, why, &p->l, &needs);
	fixevidence_record(f->res, f->opts, &who, b, why, f->skip || r < 0 ? NULL : &p->l);
	compose_facts_release(&cf);
}

static void each_service(struct fix_session *f, struct ynode *root)
{
	struct ynode *svcs = compose_services(root);
	size_t i;

	if (svcs->kind != YN_MAP || svcs->anchor || svcs->merge)
		return; /* the services are shared: nothing is edited */
	if (f->opts->dir && !f->env_loaded && !f->opts->drop_only) {
		/* the .env beside the file, once per file */
		f->env_loaded = true;
		cf_err_clear();
		if (composeenv_load(f->opts->dir, &f->env) < 0)
			fix_note_add(
				f->res, FIX_NOTE_WARN, 1, 1,
				"the .env beside this file was not read (%s): its variables count as unset",
				cf_err_last()->msg);
	}
	f->root = root;
	f->services = svcs;
	f->w.seq_indented = true;
	for (i = 0; i + 1 < svcs->nkids; i += 2)
		on_service(f, svcs->kids[i], svcs->kids[i + 1]);
	f->w.seq_indented = false;
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
	struct fixverify_plan *p = new_plan(f);
	size_t before = yamlwrite_mark(&f->w);
	int r = plan_sc(f, m, key, f->opts->drop_only ? NULL : w, p);
	enum fix_block b;

	f->check_unknown = !f->opts->drop_only;
	b = settle(f, m, r, before, "this layout is not supported for editing", why);
	f->check_unknown = false;

	if (b == FIX_BLOCK_FIXED)
		story(p, "drop", false, detail);
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
			each_service(&f, yf.docs[i].root);
		else
			k8s_each_container(yf.docs[i].root, on_container, &f);
	}
	ret = session_end(&f);
	yamlspan_release(&yf);
	return ret;
}
