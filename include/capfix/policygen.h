/*
 * policygen.h - admission policies generated from a struct policy_set:
 * restricted PodSecurityPolicies with RBAC, ValidatingAdmissionPolicy,
 * Kyverno and Gatekeeper, all from one policy model (policygen.c; the
 * renderers are policyrender.c).
 *
 * The model (policygen_plan()):
 *  - bound namespaces: those seen in the input, never kube-system,
 *    kube-public or kube-node-lease (matched by kubernetes.io/metadata.name);
 *  - the global allowance: the capabilities that fixed, non-privileged
 *    workloads add within the Pod Security Standards baseline set (never
 *    NET_RAW, never anything outside baseline); for `psp --per-need` only
 *    NET_BIND_SERVICE;
 *  - exceptions: a workload that keeps more after fix (NET_RAW for a mesh
 *    init container, NET_ADMIN) or runs privileged gets an exception scoped
 *    to it: namespace plus the Pod's name (kind Pod) or its pod labels (the
 *    template's, else spec.selector.matchLabels; without labels, its pods'
 *    name prefix). PSP scopes by service account: the service account's
 *    PSP allows the union of its exceptions, and for `psp` a workload that
 *    needs more than the restricted PSP's other fields (pspneeds.h: host
 *    namespaces and ports, volume types, root, seccomp ...) is an exception
 *    too, its service account's PSP relaxed in exactly those fields.
 *    Every exception is a warning note.
 * policygen_render() then checks the model against every fixed workload
 * and adds a warning note for each one it would deny (the invariant: none).
 *
 * Ownership: none kept; notes go to the set. Failure: -1 with cf_err()
 * (template problems, unknown kind). Nothing prints.
 */
#ifndef CAPFIX_POLICYGEN_H
#define CAPFIX_POLICYGEN_H

#include "capfix/policy.h"

enum policygen_action { POLICYGEN_DENY, POLICYGEN_WARN, POLICYGEN_AUDIT };

struct policygen_opts {
	const char *kind; /* "psp", "vap", "kyverno", "gatekeeper" */
	const char *tdir; /* templates directory, or NULL */
	bool per_need; /* psp: the shared PSP allows NET_BIND_SERVICE only */
	enum policygen_action action;
};

/* "deny", "warn", "audit" -> the action, or -1. */
int policygen_action_parse(const char *s);

struct policygen_exception {
	size_t w; /* index into ps->w */
	uint64_t caps; /* allowed besides the global set */
	bool exempt; /* exempt from the capability rules (privileged, left, or odd names) */
	bool privileged; /* a privileged container (fix leaves it alone) */
	bool keeps_drops; /* a container fix left without drop ALL */
	bool psp_relax; /* psp: its service account's PSP allows what it needs (pspneeds.h) */
	uint64_t scope; /* the caps of every exception whose workload its scope takes in */
};

struct policygen_sa; /* psp: what one service account's PSP allows (policygen.c) */
struct policygen_scope;

struct policygen_plan {
	uint64_t global;
	struct policygen_exception *e;
	size_t ne, ae;
	const char **ns; /* bound namespaces, sorted, borrowed from the set */
	size_t nns;
	struct policygen_sa *sas; /* psp: service accounts with exceptions, by namespace and name */
	size_t nsas;
	struct policygen_scope
		*scopes; /* the exceptions' scopes by namespace and key (policygen.c) */
	size_t nscopes;
};

/* Build the model for @o over @ps (notes about exceptions go to @ps). */
void policygen_plan(struct policy_set *ps, const struct policygen_opts *o,
		    struct policygen_plan *plan);
void policygen_plan_release(struct policygen_plan *plan);

/*
 * Whether the model denies workload @w (index): @why (may be NULL) gets
 * the reason. Workloads outside the bound namespaces are never denied.
 */
bool policygen_denies(const struct policy_set *ps, const struct policygen_plan *plan,
		      const struct policygen_opts *o, size_t w, struct sbuf *why);

/*
 * Render @o->kind's YAML stream into @out from @ps (plan, render, check:
 * a warning note per denied workload). Returns the number of workloads
 * the model denies (0 is the invariant), or -1 with cf_err() set.
 */
int policygen_render(struct sbuf *out, struct policy_set *ps, const struct policygen_opts *o);

/* What a rendered policy holds, for the run's totals line. */
struct policygen_stats {
	size_t workloads; /* in the bound namespaces */
	size_t namespaces; /* bound */
	size_t exceptions; /* workloads with an exception */
	size_t exempt; /* of them: exempt from the capability rules */
	size_t more_caps; /* of them: allowed more capabilities than the global set */
	size_t psp_relaxed; /* of them (psp): PSP fields relaxed */
	size_t service_accounts; /* psp: service accounts with a PSP of their own */
	size_t denied; /* workloads the model denies (0 is the invariant) */
};

/* As policygen_render(), and @st (may be NULL) gets the numbers. */
int policygen_render_stats(struct sbuf *out, struct policy_set *ps, const struct policygen_opts *o,
			   struct policygen_stats *st);

#endif
