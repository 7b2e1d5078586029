/*
 * policygen.c - PSP, ValidatingAdmissionPolicy, Kyverno and Gatekeeper from
 * one policy model: bound namespaces, a global allowance, scoped
 * exceptions; the model is checked against every fixed workload.
 */
#include "capfix/policygen.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8sname.h"
#include "capfix/pspneeds.h"
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

/*
 * Does the scope of an exception for workload @x (its namespace and the
 * Pod's name, its pods' name prefix, or its pod labels) also take in the
 * pods of workload @y? Labels are shared between workloads, prefixes
 * overlap ("web-" takes in "web-api-..."): every policy applies an
 * exception to whatever its scope takes in.
 */
static bool pod_matches(const struct policy_workload *x, const struct policy_workload *y)
{
	size_t i, j, n = strlen(x->name);

	if (strcmp(x->ns, y->ns))
		return false;
	if (!strcmp(x->kind, "Pod"))
		return !strcmp(y->kind, "Pod") && !strcmp(x->name, y->name);
	if (by_prefix(x)) /* y's pods are named "<y>-..." (a Pod: its name) */
		return !strncmp(y->name, x->name, n) &&
		       (y->name[n] == '-' || (!y->name[n] && strcmp(y->kind, "Pod")));
	for (i = 0; i < x->nlabels; i++) {
		bool found = false;

		for (j = 0; j < y->nlabels && !found; j++)
			found = !strcmp(x->labels[2 * i], y->labels[2 * j]) &&
				!strcmp(x->labels[2 * i + 1], y->labels[2 * j + 1]);
		if (!found)
			return false;
	}
	return true;
}

/*
 * The exceptions' scopes indexed by namespace and one key each, so that the
 * exceptions taking in a workload are found without a pass over all of
 * them: a Pod's name, a prefix's name, or the first "key=value" of its pod
 * labels (a workload it takes in has that label too). pod_matches() then
 * decides for each one found.
 */
struct policygen_scope {
	const char *ns; /* borrowed */
	char *key;
	size_t e;
};

static int cmp_scope(const void *pa, const void *pb)
{
	const struct policygen_scope *a = pa, *b = pb;
	int c = strcmp(a->ns, b->ns);

	if (!c)
		c = strcmp(a->key, b->key);
	return c ? c : (a->e > b->e) - (a->e < b->e);
}

static char *scope_key(const struct policy_workload *x)
{
	struct sbuf k = SBUF_INIT;

	if (!strcmp(x->kind, "Pod"))
		sbuf_addf(&k, "pod:%s", x->name);
	else if (by_prefix(x))
		sbuf_addf(&k, "prefix:%s", x->name);
	else
		sbuf_addf(&k, "label:%s=%s", x->labels[0], x->labels[1]);
	return sbuf_detach(&k, NULL);
}

static void build_scopes(const struct policy_set *ps, struct policygen_plan *plan)
{
	size_t i;

	plan->scopes = xcalloc(plan->ne ? plan->ne : 1, sizeof(*plan->scopes));
	for (i = 0; i < plan->ne; i++) {
		plan->scopes[i].ns = ps->w[plan->e[i].w].ns;
		plan->scopes[i].key = scope_key(&ps->w[plan->e[i].w]);
		plan->scopes[i].e = i;
	}
	plan->nscopes = plan->ne;
	qsort(plan->scopes, plan->nscopes, sizeof(*plan->scopes), cmp_scope);
}

typedef void (*scope_fn)(size_t e, void *ctx);

/* Call @fn for the exceptions of key @key in namespace @ns whose scope takes in @w. */
static void scope_lookup(const struct policy_set *ps, const struct policygen_plan *plan,
			 const char *key, const struct policy_workload *w, scope_fn fn, void *ctx)
{
	size_t lo = 0, hi = plan->nscopes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(plan->scopes[mid].ns, w->ns);

		if (!c)
			c = strcmp(plan->scopes[mid].key, key);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < plan->nscopes && !strcmp(plan->scopes[lo].ns, w->ns) &&
	       !strcmp(plan->scopes[lo].key, key);
	     lo++)
		if (pod_matches(&ps->w[plan->e[plan->scopes[lo].e].w], w))
			fn(plan->scopes[lo].e, ctx);
}

/* Call @fn for every exception whose scope takes in the pods of workload @w. */
static void scopes_taking_in(const struct policy_set *ps, const struct policygen_plan *plan,
			     const struct policy_workload *w, scope_fn fn, void *ctx)
{
	struct sbuf k = SBUF_INIT;
	size_t i;

	if (!strcmp(w->kind, "Pod")) {
		sbuf_addf(&k, "pod:%s", w->name);
		scope_lookup(ps, plan, k.buf, w, fn, ctx);
	}
	/* prefixes: "<x>-" of the pods' names, ending at each '-' (and the name: a controller) */
	for (i = 1; w->name[i - 1]; i++) {
		if (w->name[i] != '-' && (w->name[i] || !strcmp(w->kind, "Pod")))
			continue;
		sbuf_setlen(&k, 0);
		sbuf_addf(&k, "prefix:%.*s", (int)i, w->name);
		scope_lookup(ps, plan, k.buf, w, fn, ctx);
	}
	for (i = 0; i < w->nlabels; i++) {
		sbuf_setlen(&k, 0);
		sbuf_addf(&k, "label:%s=%s", w->labels[2 * i], w->labels[2 * i + 1]);
		scope_lookup(ps, plan, k.buf, w, fn, ctx);
	}
	sbuf_release(&k);
}

struct scope_acc {
	struct policygen_plan *plan;
	uint64_t caps; /* of the workload whose scopes are looked up */
};

static void add_to_scope(size_t e, void *ctx)
{
	struct scope_acc *a = ctx;

	a->plan->e[e].scope |= a->caps;
}

/* Each exception's scope: the capabilities of every exception whose workload it takes in. */
static void build_scope_caps(const struct policy_set *ps, struct policygen_plan *plan)
{
	size_t j;

	build_scopes(ps, plan);
	for (j = 0; j < plan->ne; j++) {
		struct scope_acc a = { plan, plan->e[j].caps };

		scopes_taking_in(ps, plan, &ps->w[plan->e[j].w], add_to_scope, &a);
	}
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

/*
 * What the PSP of service account @ns/@sa allows: the shared PSP's
 * capabilities plus those of every exception of that service account;
 * any capability ("*") when one is exempt from the capability rules (PSP
 * compares add lists exactly and checks them on privileged containers
 * too), privileged when one is, no required drop when fix left one without
 * drop ALL (PSP would add it), and the union of their PSP needs. Without an
 * exception the service account has the shared, restricted PSP only.
 */
struct policygen_sa {
	const char *ns, *sa; /* borrowed from the set */
	uint64_t caps;
	bool exempt; /* allowedCapabilities "*" */
	bool privileged;
	bool keeps_drops; /* requires no drop */
	struct psp_needs needs;
	struct sbuf who; /* "Kind/name, ..." */
};

struct sa_key {
	const char *ns, *sa;
	size_t e; /* exception index */
};

static int cmp_sa_key(const void *pa, const void *pb)
{
	const struct sa_key *a = pa, *b = pb;
	int c = strcmp(a->ns, b->ns);

	if (!c)
		c = strcmp(a->sa, b->sa);
	return c ? c : (a->e > b->e) - (a->e < b->e);
}

/* Group the exceptions by service account (sorted once: no pass over all of them per workload). */
static void build_sas(const struct policy_set *ps, struct policygen_plan *plan)
{
	struct sa_key *k = xcalloc(plan->ne ? plan->ne : 1, sizeof(*k));
	size_t i;

	for (i = 0; i < plan->ne; i++) {
		k[i].ns = ps->w[plan->e[i].w].ns;
		k[i].sa = ps->w[plan->e[i].w].sa;
		k[i].e = i;
	}
	qsort(k, plan->ne, sizeof(*k), cmp_sa_key);
	plan->sas = xcalloc(plan->ne ? plan->ne : 1, sizeof(*plan->sas));
	for (i = 0; i < plan->ne; i++) {
		const struct policygen_exception *e = &plan->e[k[i].e];
		const struct policy_workload *x = &ps->w[e->w];
		struct policygen_sa *a;

		if (!plan->nsas || strcmp(plan->sas[plan->nsas - 1].ns, k[i].ns) ||
		    strcmp(plan->sas[plan->nsas - 1].sa, k[i].sa)) {
			a = &plan->sas[plan->nsas++];
			a->ns = k[i].ns;
			a->sa = k[i].sa;
			a->caps = plan->global;
		}
		a = &plan->sas[plan->nsas - 1];
		a->caps |= e->caps;
		a->exempt |= e->exempt;
		a->privileged |= e->privileged;
		a->keeps_drops |= e->keeps_drops;
		if (e->psp_relax)
			pspneeds_merge(&a->needs, &x->psp);
		sbuf_addf(&a->who, "%s%s/%s", a->who.len ? ", " : "", x->kind, x->name);
	}
	free(k);
}

/* The PSP of service account @ns/@sa beyond the shared one, or NULL (the shared one only). */
static const struct policygen_sa *sa_find(const struct policygen_plan *plan, const char *ns,
					  const char *sa)
{
	size_t lo = 0, hi = plan->nsas;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(plan->sas[mid].ns, ns);

		if (!c)
			c = strcmp(plan->sas[mid].sa, sa);
		if (!c)
			return &plan->sas[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
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
		bool relax = is_psp(o) && !pspneeds_empty(&w->psp);
		size_t j;

		for (j = 0; j < w->nc; j++)
			left |= !w->c[j].drop_all && !w->c[j].privileged;
		if (!bound(plan, w->ns) ||
		    (!extra && !w->privileged && !left && !w->odd_adds && !relax))
			continue;
		CF_ALLOC_GROW(plan->e, plan->ne + 1, plan->ae);
		e = &plan->e[plan->ne++];
		e->w = i;
		e->caps = extra;
		e->exempt = w->privileged || left || w->odd_adds;
		e->privileged = w->privileged;
		e->keeps_drops = left;
		e->psp_relax = relax;
		e->scope = 0; /* build_scope_caps() */
		caps_text(&caps, extra);
		if (w->privileged)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: privileged, left alone by fix: exempted by name from the capability rules in namespace %s%s",
				w->kind, w->name, w->ns,
				is_psp(o) ? " (its service account gets a privileged PSP)" : "");
		else if (left)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: fix leaves a container without drop ALL: exempted by name from the capability rules in namespace %s%s",
				w->kind, w->name, w->ns,
				is_psp(o) ? " (its service account's PSP requires no drop)" : "");
		else if (w->odd_adds)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: adds names that are not capabilities as Kubernetes spells them (admission compares them exactly): exempted by name from the capability rules in namespace %s",
				w->kind, w->name, w->ns);
		else if (extra)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: fix keeps %s for this workload only: a scoped exception (namespace %s, %s), not a global allowance",
				w->kind, w->name, caps.buf, w->ns,
				is_psp(o)		  ? "its service account"
				: !strcmp(w->kind, "Pod") ? "the Pod's name"
				: by_prefix(w) ? "its pods' name prefix: it has no pod labels"
					       : "its pod labels");
		if (relax) {
			sbuf_setlen(&caps, 0);
			pspneeds_describe(&w->psp, &caps);
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: needs %s: service account %s/%s gets a PSP relaxed in exactly these fields (every pod of that service account may use it)",
				w->kind, w->name, caps.buf, w->ns, w->sa);
		}
		sbuf_release(&caps);
	}
	if (is_psp(o)) {
		build_sas(ps, plan);
	} else {
		build_scope_caps(ps, plan);
	}
}

void policygen_plan_release(struct policygen_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nsas; i++) {
		pspneeds_release(&plan->sas[i].needs);
		sbuf_release(&plan->sas[i].who);
	}
	free(plan->sas);
	for (i = 0; i < plan->nscopes; i++)
		free(plan->scopes[i].key);
	free(plan->scopes);
	free(plan->e);
	free(plan->ns);
	memset(plan, 0, sizeof(*plan));
}

/* What the exceptions that apply to one workload allow together. */
struct applying {
	const struct policygen_plan *plan;
	bool exempt;
	uint64_t any; /* the union of their capabilities (VAP, Gatekeeper) */
	uint64_t each; /* what every one of their Kyverno rules allows */
};

static void add_applying(size_t e, void *ctx)
{
	struct applying *a = ctx;
	const struct policygen_exception *x = &a->plan->e[e];

	a->exempt |= x->exempt;
	a->any |= x->caps;
	/* Kyverno: each exception's rule holds on its own */
	if (!x->exempt)
		a->each &= a->plan->global | x->scope;
}

bool policygen_denies(const struct policy_set *ps, const struct policygen_plan *plan,
		      const struct policygen_opts *o, size_t wi, struct sbuf *why)
{
	const struct policy_workload *w = &ps->w[wi];
	const struct policygen_sa *a = NULL;
	uint64_t allowed;
	bool exempt, denied = false;
	size_t i;

	if (!bound(plan, w->ns))
		return false;
	if (is_psp(o)) {
		a = sa_find(plan, w->ns, w->sa);
		allowed = a ? a->caps : plan->global;
		exempt = a && a->exempt;
	} else {
		/* every exception whose scope takes in w's pods applies (scopes overlap) */
		struct applying ap = { plan, false, 0, ~(uint64_t)0 };

		scopes_taking_in(ps, plan, w, add_applying, &ap);
		exempt = ap.exempt;
		allowed = plan->global | ap.any;
		if (!strcmp(o->kind, "kyverno"))
			allowed &= ap.each;
	}
	for (i = 0; i < w->nc; i++) {
		const struct policy_container *c = &w->c[i];
		bool priv_ok = is_psp(o) ? a && a->privileged : exempt;
		bool drop_ok = is_psp(o) ? a && a->keeps_drops : exempt;

		if (c->privileged && !priv_ok) {
			if (why)
				sbuf_addf(why, "%scontainer \"%s\" is privileged",
					  denied ? "; " : "", c->name);
			denied = true;
			continue;
		}
		if (c->privileged && !is_psp(o))
			continue;
		if (!c->drop_all && !c->privileged && !drop_ok) {
			if (why)
				sbuf_addf(why, "%scontainer \"%s\" does not drop ALL",
					  denied ? "; " : "", c->name);
			denied = true;
		}
		if (((c->adds & ~allowed) || c->odd_adds) && !exempt) {
			if (why) {
				sbuf_addf(why, "%scontainer \"%s\" adds ", denied ? "; " : "",
					  c->name);
				if (c->odd_adds)
					sbuf_addstr(
						why,
						"names that are not capabilities as Kubernetes spells them, ");
				caps_text(why, c->adds & ~allowed);
			}
			denied = true;
		}
	}
	/* a PodSecurityPolicy also holds the other fields: what the pod needs beyond its PSP */
	if (is_psp(o)) {
		struct psp_needs over = PSP_NEEDS_INIT, none = PSP_NEEDS_INIT;

		pspneeds_excess(&w->psp, a ? &a->needs : &none, &over);
		if (!pspneeds_empty(&over)) {
			if (why) {
				sbuf_addstr(why, denied ? "; needs " : "needs ");
				pspneeds_describe(&over, why);
			}
			denied = true;
		}
		pspneeds_release(&over);
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

				if (!plan->e[j].exempt || !pod_matches(w, &ps->w[plan->e[j].w]))
					continue;
				kyverno_filter(&g, &ps->w[plan->e[j].w]);
				sbuf_addf(&v->exc_rules, "%s          - resources: %s\n",
					  nx++ ? "" : "      exclude:\n        any:\n", g.buf);
				sbuf_release(&g);
			}
			sbuf_addstr(&v->exc_rules,
				    "      validate:\n"
				    "        message: \"Containers of this workload may add only ");
			caps_text(&v->exc_rules, m);
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
				caps_text(&plain, a->caps);
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
		st->workloads += bound(plan, ps->w[i].ns);
	st->exceptions = plan->ne;
	for (i = 0; i < plan->ne; i++) {
		st->exempt += plan->e[i].exempt;
		st->more_caps += !plan->e[i].exempt && plan->e[i].caps;
		st->psp_relaxed += plan->e[i].psp_relax;
	}
	st->service_accounts = is_psp(o) ? plan->nsas : 0;
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
	caps_text(&v.caps_plain, plan.global);
	caps_cel(&v.caps_cel, plan.global);
	k8sname_yaml_list(&v.namespaces, plan.ns, plan.nns);
	if (is_psp(o)) {
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
