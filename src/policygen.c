/*
 * policygen.c - the policy model behind PSP, ValidatingAdmissionPolicy,
 * Kyverno and Gatekeeper: bound namespaces, a global allowance, scoped
 * exceptions, service accounts' PSPs, and the check of the model against
 * a workload. The renderers are policyrender.c's.
 */
#include "capfix/policygen.h"
#include "capfix/caps.h"
#include "capfix/pspneeds.h"
#include "policygen_int.h"

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

bool policygen_is_psp(const struct policygen_opts *o)
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

bool policygen_bound(const struct policygen_plan *plan, const char *ns)
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
bool policygen_by_prefix(const struct policy_workload *w)
{
	return strcmp(w->kind, "Pod") && !w->nlabels;
}

/* "<name>-" and, for Kyverno's wildcards, "<name>-*" */
void policygen_name_prefix(struct sbuf *sb, const struct policy_workload *w, bool wildcard)
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
bool policygen_pod_matches(const struct policy_workload *x, const struct policy_workload *y)
{
	size_t i, j, n = strlen(x->name);

	if (strcmp(x->ns, y->ns))
		return false;
	if (!strcmp(x->kind, "Pod"))
		return !strcmp(y->kind, "Pod") && !strcmp(x->name, y->name);
	if (policygen_by_prefix(x)) /* y's pods are named "<y>-..." (a Pod: its name) */
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
 * labels (a workload it takes in has that label too). policygen_pod_matches() then
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
	else if (policygen_by_prefix(x))
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
		if (policygen_pod_matches(&ps->w[plan->e[plan->scopes[lo].e].w], w))
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

void policygen_caps_text(struct sbuf *sb, uint64_t m)
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
		if (!ps->w[i].privileged && policygen_bound(plan, ps->w[i].ns))
			plan->global |= ps->w[i].adds & safe;
	if (policygen_is_psp(o) && o->per_need)
		plan->global &= BIT(nbs->number);
	for (i = 0; i < ps->nw; i++) {
		const struct policy_workload *w = &ps->w[i];
		uint64_t extra = w->adds & ~plan->global;
		struct policygen_exception *e;
		struct sbuf caps = SBUF_INIT;
		bool left = false; /* a container fix left without drop ALL */
		bool relax = policygen_is_psp(o) && !pspneeds_empty(&w->psp);
		size_t j;

		for (j = 0; j < w->nc; j++)
			left |= !w->c[j].drop_all && !w->c[j].privileged;
		if (!policygen_bound(plan, w->ns) ||
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
		policygen_caps_text(&caps, extra);
		if (w->privileged)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: privileged, left alone by fix: exempted by name from the capability rules in namespace %s%s",
				w->kind, w->name, w->ns,
				policygen_is_psp(o) ? " (its service account gets a privileged PSP)"
						    : "");
		else if (left)
			policy_note(
				ps, MSG_WARNING, w->path, w->line, w->col,
				"%s/%s: fix leaves a container without drop ALL: exempted by name from the capability rules in namespace %s%s",
				w->kind, w->name, w->ns,
				policygen_is_psp(o)
					? " (its service account's PSP requires no drop)"
					: "");
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
				policygen_is_psp(o)	  ? "its service account"
				: !strcmp(w->kind, "Pod") ? "the Pod's name"
				: policygen_by_prefix(w)
					? "its pods' name prefix: it has no pod labels"
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
	if (policygen_is_psp(o)) {
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

	if (!policygen_bound(plan, w->ns))
		return false;
	if (policygen_is_psp(o)) {
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
		bool priv_ok = policygen_is_psp(o) ? a && a->privileged : exempt;
		bool drop_ok = policygen_is_psp(o) ? a && a->keeps_drops : exempt;

		if (c->privileged && !priv_ok) {
			if (why)
				sbuf_addf(why, "%scontainer \"%s\" is privileged",
					  denied ? "; " : "", c->name);
			denied = true;
			continue;
		}
		if (c->privileged && !policygen_is_psp(o))
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
				policygen_caps_text(why, c->adds & ~allowed);
			}
			denied = true;
		}
	}
	/* a PodSecurityPolicy also holds the other fields: what the pod needs beyond its PSP */
	if (policygen_is_psp(o)) {
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
