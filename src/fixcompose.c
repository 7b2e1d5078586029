/*
 * fixcompose.c - the capability fix of docker-compose services: the
 * service's facts (compose.c), its add list (addlist.c), cap_drop/cap_add
 * written in place, and the notes. See fix.h; the session is fix.c's.
 */
#include "capfix/caps.h"
#include "capfix/compose.h"
#include "capfix/err.h"
#include "capfix/fixfacts.h"
#include "capfix/k8s.h"
#include "capfix/shell.h"
#include "fix_int.h"

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
	if ((why = fix_shared(svc)) && !(svc->kind == YN_MAP && svc->merge && !svc->anchor)) {
		fix_skip_because(f, "the service", why);
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

		fix_decide(f, p, w, ma ? ma : compose_merged_get(svc, "cap_add"),
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
	if (!fix_plan_lists(f, p, w, add, drop, "cap_add", "cap_drop"))
		return 0;
	return fix_edit_lists(f, svc, svc, kadd, kdrop, p);
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
			fix_left_ignored(f, &who, "CF204", ignored);
			compose_facts_release(&cf);
			return;
		}
	}
	p = fix_new_plan(f);
	r = plan_service(f, svc, &w, p);
	f->check_unknown = !f->opts->drop_only;
	b = fix_settle(f, svc, r, before, "this layout is not supported for editing", &why);
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
		fix_story(p, "cap_drop", true, &detail);
		fix_note_add(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, who.line, who.col,
			     "service \"%s\": %s", name, detail.buf);
		fix_note_parts(res, xstrdup("compose service"), name, sbuf_detach(&detail, NULL));
		break;
	}
	}
	if (!f->opts->drop_only && !f->skip && r >= 0)
		fixevidence_notes(res, &who, b, why, &p->l, &needs);
	fixevidence_record(f->res, f->opts, &who, b, why, f->skip || r < 0 ? NULL : &p->l);
	compose_facts_release(&cf);
}

void fixcompose_each_service(struct fix_session *f, struct ynode *root)
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
