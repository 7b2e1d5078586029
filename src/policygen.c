/*
 * policygen.c - PSP, ValidatingAdmissionPolicy, Kyverno and Gatekeeper from
 * one policy model: bound namespaces, a global allowance, scoped
 * exceptions; the model is checked against every fixed workload.
 */
#include "capfix/policygen.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8sname.h"
#include "capfix/templates.h"

#define BIT(n) ((uint64_t)1 << (n))

int policygen_action_parse(const char *s)
{
	if (!strcmp(s, "deny"))
		return POLICYGEN_DENY;
	if (!strcmp(s, "warn"))
		return POLICYGEN_WARN;
	if (!strcmp(s, "audit"))
		return POLICYGEN_AUDIT;
	return -1;
}

static bool is_psp(const struct policygen_opts *o)
{
	return !strcmp(o->kind, "psp");
}

/* The capabilities Pod Security Standards baseline lets any pod add (never NET_RAW). */
static uint64_t baseline_caps(void)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < caps_count(); i++)
		if (caps_at(i)->pss_baseline)
			m |= BIT(caps_at(i)->number);
	return m;
}

static bool bound(const struct policygen_plan *plan, const char *ns)
{
	size_t i;

	for (i = 0; i < plan->nns; i++)
		if (!strcmp(plan->ns[i], ns))
			return true;
	return false;
}

/* The exception covering workload @w, or NULL (PSP: by namespace and service account). */
static const struct policygen_exception *exception_of(const struct policy_set *ps,
						      const struct policygen_plan *plan,
						      const struct policygen_opts *o, size_t w)
{
	size_t i;

	for (i = 0; i < plan->ne; i++) {
		const struct policy_workload *a = &ps->w[plan->e[i].w], *b = &ps->w[w];

		if (plan->e[i].w == w ||
		    (is_psp(o) && !strcmp(a->ns, b->ns) && !strcmp(a->sa, b->sa)))
			return &plan->e[i];
	}
	return NULL;
}

/*
 * A controller whose pods carry no labels is picked out by its pods' names:
 * every controller names them "<name>-..." (ReplicaSet hash and suffix,
 * StatefulSet ordinal, Job and DaemonSet suffixes), and the name is set
 * (generateName resolved in rest.BeforeCreate) before validating admission.
 * Wider than labels (another workload named "<name>-x" matches too), so
 * labels win when there are any.
 */
static bool by_prefix(const struct policy_workload *w)
{
	return strcmp(w->kind, "Pod") && !w->nlabels;
}

/* "<name>-" and, for Kyverno's wildcards, "<name>-*" */
static void name_prefix(struct sbuf *sb, const struct policy_workload *w, bool wildcard)
{
	sbuf_setlen(sb, 0);
	sbuf_addf(sb, "%s-%s", w->name, wildcard ? "*" : "");
}

static void caps_text(struct sbuf *sb, uint64_t m)
{
	size_t i, n = 0;

	for (i = 0; i < caps_count(); i++)
		if (m & BIT(caps_at(i)->number))
			sbuf_addf(sb, "%s%s", n++ ? ", " : "", caps_at(i)->name);
	if (!n)
		sbuf_addstr(sb, "nothing");
}

void policygen_plan(struct policy_set *ps, const struct policygen_opts *o,
		    struct policygen_plan *plan)
{
	const char **names = NULL;
	size_t n = policy_namespaces(ps, &names), i;
	uint64_t safe = baseline_caps();
	const struct cap_info *nbs = caps_lookup("NET_BIND_SERVICE");

	memset(plan, 0, sizeof(*plan));
	plan->ns = names;
	for (i = 0; i < n; i++)
		if (!policy_system_namespace(names[i]))
			plan->ns[plan->nns++] = names[i];
	for (i = 0; i < ps->nw; i++)
		if (!ps->w[i].privileged && bound(plan, ps->w[i].ns))
			plan->global |= ps->w[i].adds & safe;
	if (is_psp(o) && o->per_need)
		plan->global &= BIT(nbs->number);
	for (i = 0; i < ps->nw; i++) {
		const struct policy_workload *w = &ps->w[i];
		uint64_t extra = w->adds & ~plan->global;
		struct policygen_exception *e;
		struct sbuf caps = SBUF_INIT;
		bool left = false; /* a container fix left without drop ALL */
		size_t j;

		for (j = 0; j < w->nc; j++)
			left |= !w->c[j].drop_all && !w->c[j].privileged;
		if (!bound(plan, w->ns) || (!extra && !w->privileged && !left))
			continue;
		CF_ALLOC_GROW(plan->e, plan->ne + 1, plan->ae);
		e = &plan->e[plan->ne++];
		e->w = i;
		e->caps = extra;
		e->privileged = w->privileged || left;
		caps_text(&caps, extra);
		if (left && !w->privileged)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: fix leaves a container without drop ALL: exempted by name from the capability rules in namespace %s",
				w->kind, w->name, w->ns);
		else if (w->privileged)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: privileged, left alone by fix: exempted by name from the capability rules in namespace %s%s",
				w->kind, w->name, w->ns,
				is_psp(o) ? " (its service account gets a privileged PSP)" : "");
		else
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: fix keeps %s for this workload only: a scoped exception (namespace %s, %s), not a global allowance",
				w->kind, w->name, caps.buf, w->ns,
				is_psp(o)		  ? "its service account"
				: !strcmp(w->kind, "Pod") ? "the Pod's name"
				: by_prefix(w) ? "its pods' name prefix: it has no pod labels"
					       : "its pod labels");
		sbuf_release(&caps);
	}
}

void policygen_plan_release(struct policygen_plan *plan)
{
	free(plan->e);
	free(plan->ns);
	memset(plan, 0, sizeof(*plan));
}

bool policygen_denies(const struct policy_set *ps, const struct policygen_plan *plan,
		      const struct policygen_opts *o, size_t wi, struct sbuf *why)
{
	static const char *const psp_checks[] = { "hostNamespaces",  "hostPorts",
						  "hostPathVolumes", "restrictedVolumes",
						  "runAsNonRoot",    "runAsUser" };
	const struct policy_workload *w = &ps->w[wi];
	const struct policygen_exception *e = exception_of(ps, plan, o, wi);
	uint64_t allowed = plan->global | (e ? e->caps : 0);
	size_t i, j;
	bool denied = false;

	if (!bound(plan, w->ns))
		return false;
	for (i = 0; i < w->nc; i++) {
		const struct policy_container *c = &w->c[i];

		if (c->privileged && !(e && e->privileged)) {
			if (why)
				sbuf_addf(why, "%scontainer \"%s\" is privileged",
					  denied ? "; " : "", c->name);
			denied = true;
			continue;
		}
		if (c->privileged)
			continue;
		if (!c->drop_all && !(e && e->privileged)) {
			if (why)
				sbuf_addf(why, "%scontainer \"%s\" does not drop ALL",
					  denied ? "; " : "", c->name);
			denied = true;
		}
		if (c->adds & ~allowed && !(e && e->privileged)) {
			if (why) {
				sbuf_addf(why, "%scontainer \"%s\" adds ", denied ? "; " : "",
					  c->name);
				caps_text(why, c->adds & ~allowed);
			}
			denied = true;
		}
	}
	/* a PodSecurityPolicy also holds the restricted fields */
	for (i = 0; is_psp(o) && i < w->pss.n; i++)
		for (j = 0; j < ARRAY_SIZE(psp_checks); j++)
			if (!strcmp(w->pss.v[i].check, psp_checks[j])) {
				if (why)
					sbuf_addf(why, "%s%s", denied ? "; " : "",
						  w->pss.v[i].message);
				denied = true;
			}
	return denied;
}

/* ---- rendering ---- */

static int render_one(struct sbuf *out, const char *tdir, const char *tname,
		      const char *const *keys, const char *const *values, size_t n)
{
	struct sbuf t = SBUF_INIT;
	int r;

	if (templates_load(tdir, tname, &t) < 0) {
		sbuf_release(&t);
		return -1;
	}
	r = templates_render(t.buf ? t.buf : "", keys, values, n, out);
	sbuf_release(&t);
	return r;
}

/* `["A", "B"]` and `['A', 'B']` for capability set @m (catalogue order). */
static void caps_yaml(struct sbuf *out, uint64_t m)
{
	size_t i, n = 0;

	sbuf_addch(out, '[');
	for (i = 0; i < caps_count(); i++)
		if (m & BIT(caps_at(i)->number)) {
			sbuf_addstr(out, n++ ? ", " : "");
			k8sname_yaml(out, caps_at(i)->name);
		}
	sbuf_addch(out, ']');
}

static void caps_cel(struct sbuf *out, uint64_t m)
{
	size_t i, n = 0;

	sbuf_addch(out, '[');
	for (i = 0; i < caps_count(); i++)
		if (m & BIT(caps_at(i)->number)) {
			sbuf_addstr(out, n++ ? ", " : "");
			k8sname_cel(out, caps_at(i)->name);
		}
	sbuf_addch(out, ']');
}

/* A CEL condition true for the pods of workload @w. */
static void pod_cel(struct sbuf *out, const struct policy_workload *w)
{
	size_t i;

	sbuf_addstr(out, "(request.namespace == ");
	k8sname_cel(out, w->ns);
	if (!strcmp(w->kind, "Pod")) {
		sbuf_addstr(out, " && object.metadata.name == ");
		k8sname_cel(out, w->name);
	} else if (by_prefix(w)) {
		struct sbuf p = SBUF_INIT;

		name_prefix(&p, w, false);
		sbuf_addstr(out, " && object.metadata.name.startsWith(");
		k8sname_cel(out, p.buf);
		sbuf_addch(out, ')');
		sbuf_release(&p);
	} else {
		sbuf_addstr(out, " && has(object.metadata.labels)");
		for (i = 0; i < w->nlabels; i++) {
			sbuf_addstr(out, " && ");
			k8sname_cel(out, w->labels[2 * i]);
			sbuf_addstr(out, " in object.metadata.labels && object.metadata.labels[");
			k8sname_cel(out, w->labels[2 * i]);
			sbuf_addstr(out, "] == ");
			k8sname_cel(out, w->labels[2 * i + 1]);
		}
	}
	sbuf_addch(out, ')');
}

/* `{"k": "v", ...}` */
static void labels_yaml(struct sbuf *out, const struct policy_workload *w)
{
	size_t i;

	sbuf_addch(out, '{');
	for (i = 0; i < w->nlabels; i++) {
		sbuf_addstr(out, i ? ", " : "");
		k8sname_yaml(out, w->labels[2 * i]);
		sbuf_addstr(out, ": ");
		k8sname_yaml(out, w->labels[2 * i + 1]);
	}
	sbuf_addch(out, '}');
}

/* A Kyverno resource filter for the pods of @w, as one flow mapping. */
static void kyverno_filter(struct sbuf *out, const struct policy_workload *w)
{
	sbuf_addstr(out, "{kinds: [\"Pod\"], namespaces: [");
	k8sname_yaml(out, w->ns);
	sbuf_addstr(out, "], ");
	if (!strcmp(w->kind, "Pod")) {
		sbuf_addstr(out, "names: [");
		k8sname_yaml(out, w->name);
		sbuf_addstr(out, "]}");
	} else if (by_prefix(w)) {
		struct sbuf p = SBUF_INIT;

		name_prefix(&p, w, true);
		sbuf_addstr(out, "names: [");
		k8sname_yaml(out, p.buf);
		sbuf_addstr(out, "]}");
		sbuf_release(&p);
	} else {
		sbuf_addstr(out, "selector: {matchLabels: ");
		labels_yaml(out, w);
		sbuf_addstr(out, "}}");
	}
}

static void prepend(struct sbuf *sb, const char *s)
{
	struct sbuf t = SBUF_INIT;

	sbuf_addstr(&t, s);
	sbuf_add(&t, sb->buf, sb->len);
	sbuf_setlen(sb, 0);
	sbuf_add(sb, t.buf, t.len);
	sbuf_release(&t);
}

struct vals {
	struct sbuf name, use_name, caps_flow, caps_cel, caps_plain, namespaces, action, exempt,
		allowed, exclude_priv, exclude_all, exc_rules, exceptions;
};

static void vals_release(struct vals *v)
{
	struct sbuf *s[] = { &v->name,	     &v->use_name,     &v->caps_flow,	&v->caps_cel,
			     &v->caps_plain, &v->namespaces,   &v->action,	&v->exempt,
			     &v->allowed,    &v->exclude_priv, &v->exclude_all, &v->exc_rules,
			     &v->exceptions };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s); i++)
		sbuf_release(s[i]);
}

static void admission_values(const struct policy_set *ps, const struct policygen_plan *plan,
			     const struct policygen_opts *o, struct vals *v)
{
	static const char *const vap_actions[] = { "[\"Deny\"]", "[\"Warn\"]", "[\"Audit\"]" };
	static const char *const kyverno_actions[] = { "Enforce", "Audit", "Audit" };
	static const char *const gk_actions[] = { "deny", "warn", "dryrun" };
	struct sbuf cel = SBUF_INIT, ex = SBUF_INIT;
	size_t i, nrules = 0, npriv = 0;

	k8sname_yaml(&v->name, "capfix-capabilities");
	sbuf_addstr(&v->action, !strcmp(o->kind, "vap")	      ? vap_actions[o->action]
				: !strcmp(o->kind, "kyverno") ? kyverno_actions[o->action]
							      : gk_actions[o->action]);
	/* VAP: exempt (privileged exceptions) and allowed (global + scoped) as CEL */
	sbuf_setlen(&cel, 0);
	caps_cel(&cel, plan->global);
	for (i = 0; i < plan->ne; i++) {
		const struct policy_workload *w = &ps->w[plan->e[i].w];

		if (plan->e[i].privileged) {
			sbuf_addstr(&ex, ex.len ? " || " : "");
			pod_cel(&ex, w);
			continue;
		}
		sbuf_addstr(&cel, " + (");
		pod_cel(&cel, w);
		sbuf_addstr(&cel, " ? ");
		caps_cel(&cel, plan->e[i].caps);
		sbuf_addstr(&cel, " : [])");
	}
	k8sname_yaml(&v->allowed, cel.buf);
	k8sname_yaml(&v->exempt, ex.len ? ex.buf : "false");
	/* Kyverno: exceptions excluded from the shared rules, each with a rule of its own */
	for (i = 0; i < plan->ne; i++) {
		const struct policy_workload *w = &ps->w[plan->e[i].w];
		struct sbuf f = SBUF_INIT;

		kyverno_filter(&f, w);
		if (plan->e[i].privileged) {
			sbuf_addf(&v->exclude_priv, "\n          - resources: %s", f.buf);
			npriv++;
		}
		sbuf_addf(&v->exclude_all, "\n          - resources: %s", f.buf);
		if (!plan->e[i].privileged) {
			sbuf_addf(&v->exc_rules,
				  "\n    - name: exception-%zu\n"
				  "      match:\n        any:\n          - resources: %s\n"
				  "      validate:\n"
				  "        message: \"Containers of this workload may add only ",
				  ++nrules, f.buf);
			caps_text(&v->exc_rules, plan->global | plan->e[i].caps);
			sbuf_addstr(
				&v->exc_rules,
				".\"\n        foreach:\n"
				"          - list: \"request.object.spec.[ephemeralContainers, initContainers, containers][]\"\n"
				"            deny:\n              conditions:\n                any:\n"
				"                  - key: \"{{ element.securityContext.capabilities.add[] || `[]` }}\"\n"
				"                    operator: AnyNotIn\n                    value: ");
			caps_yaml(&v->exc_rules, plan->global | plan->e[i].caps);
		}
		sbuf_release(&f);
	}
	if (npriv)
		prepend(&v->exclude_priv, "\n      exclude:\n        any:");
	if (plan->ne)
		prepend(&v->exclude_all, "\n      exclude:\n        any:");
	/* Gatekeeper: exceptions as data */
	sbuf_addch(&v->exceptions, '[');
	for (i = 0; i < plan->ne; i++) {
		const struct policy_workload *w = &ps->w[plan->e[i].w];

		sbuf_addstr(&v->exceptions, i ? ", {namespace: " : "{namespace: ");
		k8sname_yaml(&v->exceptions, w->ns);
		sbuf_addstr(&v->exceptions, ", name: ");
		k8sname_yaml(&v->exceptions, !strcmp(w->kind, "Pod") ? w->name : "");
		sbuf_addstr(&v->exceptions, ", prefix: ");
		if (by_prefix(w)) {
			struct sbuf p = SBUF_INIT;

			name_prefix(&p, w, false);
			k8sname_yaml(&v->exceptions, p.buf);
			sbuf_release(&p);
		} else {
			sbuf_addstr(&v->exceptions, "\"\"");
		}
		sbuf_addstr(&v->exceptions, ", labels: ");
		if (!strcmp(w->kind, "Pod"))
			sbuf_addstr(&v->exceptions, "{}");
		else
			labels_yaml(&v->exceptions, w);
		sbuf_addstr(&v->exceptions, ", capabilities: ");
		caps_yaml(&v->exceptions, plan->e[i].caps);
		sbuf_addf(&v->exceptions, ", privileged: %s}",
			  plan->e[i].privileged ? "true" : "false");
	}
	sbuf_addch(&v->exceptions, ']');
	sbuf_release(&cel);
	sbuf_release(&ex);
}

static int render_psp(struct sbuf *out, const struct policy_set *ps,
		      const struct policygen_plan *plan, const struct policygen_opts *o,
		      struct vals *v)
{
	const char *keys[] = { "name",	     "use_name",  "caps_flow",	     "caps_plain",
			       "privileged", "namespace", "service_account", "workloads",
			       "group" };
	const char *vals[9];
	struct sbuf ns = SBUF_INIT, group = SBUF_INIT, sa = SBUF_INIT, who = SBUF_INIT;
	size_t i, j;
	int r = 0;

	k8sname_yaml(&v->name, "capfix-restricted");
	k8sname_yaml(&v->use_name, "capfix-restricted-use");
	vals[0] = v->name.buf;
	vals[1] = v->use_name.buf;
	vals[2] = v->caps_flow.buf;
	vals[3] = v->caps_plain.buf;
	vals[4] = "false";
	vals[5] = vals[6] = vals[7] = vals[8] = "";
	if (render_one(out, o->tdir, "psp.yaml", keys, vals, 9) < 0)
		return -1;
	/* every service account of each bound namespace may use the shared PSP */
	for (i = 0; i < plan->nns && !r; i++) {
		sbuf_setlen(&ns, 0);
		sbuf_setlen(&group, 0);
		k8sname_yaml(&ns, plan->ns[i]);
		sbuf_addf(&group, "system:serviceaccounts:%s", plan->ns[i]);
		sbuf_setlen(&sa, 0);
		k8sname_yaml(&sa, group.buf);
		vals[5] = ns.buf;
		vals[8] = sa.buf;
		r = render_one(out, o->tdir, "psp-binding-all.yaml", keys, vals, 9);
	}
	/* one PSP per service account holding an exception */
	for (i = 0; i < plan->ne && !r; i++) {
		const struct policy_workload *w = &ps->w[plan->e[i].w];
		uint64_t caps = plan->global;
		bool priv = false, seen = false;
		struct sbuf name = SBUF_INIT, qname = SBUF_INIT, quse = SBUF_INIT, flow = SBUF_INIT,
			    plain = SBUF_INIT;

		for (j = 0; j < i; j++)
			seen |= !strcmp(ps->w[plan->e[j].w].ns, w->ns) &&
				!strcmp(ps->w[plan->e[j].w].sa, w->sa);
		if (seen)
			continue;
		sbuf_setlen(&who, 0);
		for (j = i; j < plan->ne; j++) {
			const struct policy_workload *x = &ps->w[plan->e[j].w];

			if (strcmp(x->ns, w->ns) || strcmp(x->sa, w->sa))
				continue;
			caps |= plan->e[j].caps;
			priv |= plan->e[j].privileged;
			sbuf_addf(&who, "%s%s/%s", who.len ? ", " : "", x->kind, x->name);
		}
		sbuf_addf(&name, "capfix-%s-%s", w->ns, w->sa);
		if (!k8sname_valid(K8SNAME_SUBDOMAIN, name.buf) || name.len > 249) {
			r = cf_err(CF_E_INPUT, "the PSP name for service account %s/%s is too long",
				   w->ns, w->sa);
		} else {
			k8sname_yaml(&qname, name.buf);
			sbuf_addstr(&name, "-use");
			k8sname_yaml(&quse, name.buf);
			caps_yaml(&flow, caps);
			caps_text(&plain, caps);
			sbuf_setlen(&ns, 0);
			k8sname_yaml(&ns, w->ns);
			sbuf_setlen(&sa, 0);
			k8sname_yaml(&sa, w->sa);
			sbuf_setlen(&group, 0);
			k8sname_yaml(&group, who.buf);
			vals[0] = qname.buf;
			vals[1] = quse.buf;
			vals[2] = flow.buf;
			vals[3] = plain.buf;
			vals[4] = priv ? "true" : "false";
			vals[5] = ns.buf;
			vals[6] = sa.buf;
			vals[7] = group.buf;
			sbuf_addstr(out, "---\n");
			r = render_one(out, o->tdir, "psp.yaml", keys, vals, 9);
			if (!r)
				r = render_one(out, o->tdir, "psp-binding-sa.yaml", keys, vals, 9);
		}
		sbuf_release(&name);
		sbuf_release(&qname);
		sbuf_release(&quse);
		sbuf_release(&flow);
		sbuf_release(&plain);
	}
	sbuf_release(&ns);
	sbuf_release(&group);
	sbuf_release(&sa);
	sbuf_release(&who);
	return r;
}

int policygen_render(struct sbuf *out, struct policy_set *ps, const struct policygen_opts *o)
{
	struct policygen_plan plan;
	struct vals v;
	size_t i;
	int r, denied = 0;

	if (strcmp(o->kind, "psp") && strcmp(o->kind, "vap") && strcmp(o->kind, "kyverno") &&
	    strcmp(o->kind, "gatekeeper"))
		return cf_err(CF_E_USAGE, "unknown policy kind '%s'", o->kind);
	memset(&v, 0, sizeof(v));
	policygen_plan(ps, o, &plan);
	caps_yaml(&v.caps_flow, plan.global);
	caps_text(&v.caps_plain, plan.global);
	caps_cel(&v.caps_cel, plan.global);
	k8sname_yaml_list(&v.namespaces, plan.ns, plan.nns);
	if (is_psp(o)) {
		r = render_psp(out, ps, &plan, o, &v);
	} else {
		const char *keys[] = { "name",
				       "caps_flow",
				       "caps_cel",
				       "caps_plain",
				       "namespaces",
				       "action",
				       "exempt_cel",
				       "allowed_cel",
				       "exclude_privileged",
				       "exclude_exceptions",
				       "exception_rules",
				       "exceptions" };
		const char *vals[12];
		struct sbuf tn = SBUF_INIT;

		admission_values(ps, &plan, o, &v);
		vals[0] = v.name.buf;
		vals[1] = v.caps_flow.buf;
		vals[2] = v.caps_cel.buf;
		vals[3] = v.caps_plain.buf;
		vals[4] = v.namespaces.buf;
		vals[5] = v.action.buf;
		vals[6] = v.exempt.buf;
		vals[7] = v.allowed.buf;
		vals[8] = sbuf_cstr(&v.exclude_priv);
		vals[9] = sbuf_cstr(&v.exclude_all);
		vals[10] = sbuf_cstr(&v.exc_rules);
		vals[11] = v.exceptions.buf;
		sbuf_addf(&tn, "%s.yaml", o->kind);
		r = render_one(out, o->tdir, tn.buf, keys, vals, 12);
		sbuf_release(&tn);
	}
	/* the invariant: the model denies no workload of its own input */
	for (i = 0; !r && i < ps->nw; i++) {
		struct sbuf why = SBUF_INIT;
		const struct policy_workload *w = &ps->w[i];

		if (policygen_denies(ps, &plan, o, i, &why)) {
			policy_note(ps, MSG_WARNING, w->path, w->line, w->col,
				    "%s/%s: the generated %s policy would deny it after fix: %s",
				    w->kind, w->name, o->kind, why.buf);
			denied++;
		}
		sbuf_release(&why);
	}
	policygen_plan_release(&plan);
	vals_release(&v);
	return r < 0 ? -1 : denied;
}
