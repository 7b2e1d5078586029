/*
 * policyrender.c - the policies from the model (policygen.c): PSPs with
 * their RBAC, ValidatingAdmissionPolicy, Kyverno and Gatekeeper, written
 * through templates (templates.h) with every name quoted (k8sname.h); then
 * the model is checked against every fixed workload. See policygen.h.
 */
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8sname.h"
#include "capfix/templates.h"
#include "policygen_int.h"

#define BIT(n) ((uint64_t)1 << (n))

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
	} else if (policygen_by_prefix(w)) {
		struct sbuf p = SBUF_INIT;

		policygen_name_prefix(&p, w, false);
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
	} else if (policygen_by_prefix(w)) {
		struct sbuf p = SBUF_INIT;

		policygen_name_prefix(&p, w, true);
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

		if (plan->e[i].exempt) {
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
		if (plan->e[i].exempt) {
			sbuf_addf(&v->exclude_priv, "\n          - resources: %s", f.buf);
			npriv++;
		}
		sbuf_addf(&v->exclude_all, "\n          - resources: %s", f.buf);
		if (!plan->e[i].exempt) {
			/* its scope may take in other workloads' pods: their exceptions too */
			uint64_t m = plan->global | plan->e[i].scope;
			size_t j, nx = 0;

			sbuf_addf(&v->exc_rules,
				  "\n    - name: exception-%zu\n"
				  "      match:\n        any:\n          - resources: %s\n",
				  ++nrules, f.buf);
			for (j = 0; j < plan->ne; j++) {
				struct sbuf g = SBUF_INIT;

				if (!plan->e[j].exempt ||
				    !policygen_pod_matches(w, &ps->w[plan->e[j].w]))
					continue;
				kyverno_filter(&g, &ps->w[plan->e[j].w]);
				sbuf_addf(&v->exc_rules, "%s          - resources: %s\n",
					  nx++ ? "" : "      exclude:\n        any:\n", g.buf);
				sbuf_release(&g);
			}
			sbuf_addstr(&v->exc_rules,
				    "      validate:\n"
				    "        message: \"Containers of this workload may add only ");
			policygen_caps_text(&v->exc_rules, m);
			sbuf_addstr(
				&v->exc_rules,
				".\"\n        foreach:\n"
				"          - list: \"request.object.spec.[ephemeralContainers, initContainers, containers][]\"\n"
				"            deny:\n              conditions:\n                any:\n"
				"                  - key: \"{{ element.securityContext.capabilities.add[] || `[]` }}\"\n"
				"                    operator: AnyNotIn\n                    value: ");
			caps_yaml(&v->exc_rules, m);
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
		if (policygen_by_prefix(w)) {
			struct sbuf p = SBUF_INIT;

			policygen_name_prefix(&p, w, false);
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
			  plan->e[i].exempt ? "true" : "false");
	}
	sbuf_addch(&v->exceptions, ']');
	sbuf_release(&cel);
	sbuf_release(&ex);
}

/* One PSP (and, for a service account, its Role binding) from @vals. */
static int render_one_psp(struct sbuf *out, const struct policygen_opts *o,
			  const struct psp_needs *needs, bool privileged, const char *const *keys0,
			  const char *const *vals0, size_t n0, const char *binding)
{
	const char *keys[16 + PSPNEEDS_NKEYS], *vals[16 + PSPNEEDS_NKEYS];
	struct sbuf nv[PSPNEEDS_NKEYS];
	size_t i;
	int r;

	if (n0 > 16)
		return cf_err(CF_E_INPUT, "too many template keys");
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_init(&nv[i]);
	pspneeds_values(needs, privileged, nv);
	for (i = 0; i < n0; i++) {
		keys[i] = keys0[i];
		vals[i] = vals0[i];
	}
	for (i = 0; i < PSPNEEDS_NKEYS; i++) {
		keys[n0 + i] = pspneeds_keys[i];
		vals[n0 + i] = nv[i].buf;
	}
	r = render_one(out, o->tdir, "psp.yaml", keys, vals, n0 + PSPNEEDS_NKEYS);
	if (!r && binding)
		r = render_one(out, o->tdir, binding, keys, vals, n0 + PSPNEEDS_NKEYS);
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_release(&nv[i]);
	return r;
}

static int render_psp(struct sbuf *out, const struct policygen_plan *plan,
		      const struct policygen_opts *o, struct vals *v)
{
	static const char *const keys[] = {
		"name",	     "use_name",	"caps_flow", "caps_plain", "privileged",
		"namespace", "service_account", "workloads", "group",	   "required_drop"
	};
	const char *vals[ARRAY_SIZE(keys)];
	struct psp_needs none = PSP_NEEDS_INIT;
	struct sbuf ns = SBUF_INIT, group = SBUF_INIT, sa = SBUF_INIT;
	size_t i;
	int r = 0;

	k8sname_yaml(&v->name, "capfix-restricted");
	k8sname_yaml(&v->use_name, "capfix-restricted-use");
	vals[0] = v->name.buf;
	vals[1] = v->use_name.buf;
	vals[2] = v->caps_flow.buf;
	vals[3] = v->caps_plain.buf;
	vals[4] = "false";
	vals[5] = vals[6] = vals[7] = vals[8] = "";
	vals[9] = "[\"ALL\"]";
	if (render_one_psp(out, o, &none, false, keys, vals, ARRAY_SIZE(keys), NULL) < 0)
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
		r = render_one(out, o->tdir, "psp-binding-all.yaml", keys, vals, ARRAY_SIZE(keys));
	}
	/* one PSP per service account holding an exception: exactly what its workloads need */
	for (i = 0; i < plan->nsas && !r; i++) {
		const struct policygen_sa *a = &plan->sas[i];
		struct sbuf name = SBUF_INIT, qname = SBUF_INIT, quse = SBUF_INIT, flow = SBUF_INIT,
			    plain = SBUF_INIT;

		sbuf_addf(&name, "capfix-%s-%s", a->ns, a->sa);
		if (!k8sname_valid(K8SNAME_SUBDOMAIN, name.buf) || name.len > 249) {
			r = cf_err(CF_E_INPUT, "the PSP name for service account %s/%s is too long",
				   a->ns, a->sa);
		} else {
			k8sname_yaml(&qname, name.buf);
			sbuf_addstr(&name, "-use");
			k8sname_yaml(&quse, name.buf);
			if (a->exempt) {
				sbuf_addstr(&flow, "[\"*\"]");
				sbuf_addstr(&plain, "any (exempt from the capability rules)");
			} else {
				caps_yaml(&flow, a->caps);
				policygen_caps_text(&plain, a->caps);
			}
			sbuf_setlen(&ns, 0);
			k8sname_yaml(&ns, a->ns);
			sbuf_setlen(&sa, 0);
			k8sname_yaml(&sa, a->sa);
			sbuf_setlen(&group, 0);
			k8sname_yaml(&group, a->who.buf);
			vals[0] = qname.buf;
			vals[1] = quse.buf;
			vals[2] = flow.buf;
			vals[3] = plain.buf;
			vals[4] = a->privileged ? "true" : "false";
			vals[5] = ns.buf;
			vals[6] = sa.buf;
			vals[7] = group.buf;
			vals[9] = a->keeps_drops ? "[]" : "[\"ALL\"]";
			sbuf_addstr(out, "---\n");
			r = render_one_psp(out, o, &a->needs, a->privileged, keys, vals,
					   ARRAY_SIZE(keys), "psp-binding-sa.yaml");
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
	return r;
}

/* The numbers of the plan for the run's totals line. */
static void plan_stats(const struct policy_set *ps, const struct policygen_plan *plan,
		       const struct policygen_opts *o, struct policygen_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->namespaces = plan->nns;
	for (i = 0; i < ps->nw; i++)
		st->workloads += policygen_bound(plan, ps->w[i].ns);
	st->exceptions = plan->ne;
	for (i = 0; i < plan->ne; i++) {
		st->exempt += plan->e[i].exempt;
		st->more_caps += !plan->e[i].exempt && plan->e[i].caps;
		st->psp_relaxed += plan->e[i].psp_relax;
	}
	st->service_accounts = policygen_is_psp(o) ? plan->nsas : 0;
}

int policygen_render(struct sbuf *out, struct policy_set *ps, const struct policygen_opts *o)
{
	return policygen_render_stats(out, ps, o, NULL);
}

int policygen_render_stats(struct sbuf *out, struct policy_set *ps, const struct policygen_opts *o,
			   struct policygen_stats *st)
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
	policygen_caps_text(&v.caps_plain, plan.global);
	caps_cel(&v.caps_cel, plan.global);
	k8sname_yaml_list(&v.namespaces, plan.ns, plan.nns);
	if (policygen_is_psp(o)) {
		r = render_psp(out, &plan, o, &v);
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
	if (st) {
		plan_stats(ps, &plan, o, st);
		st->denied = (size_t)denied;
	}
	policygen_plan_release(&plan);
	vals_release(&v);
	return r < 0 ? -1 : denied;
}
