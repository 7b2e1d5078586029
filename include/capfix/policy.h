/*
 * policy.h - policies generated from what manifests need after `fix`:
 * restricted PodSecurityPolicies with RBAC, Pod Security Standards levels
 * per namespace, ValidatingAdmissionPolicy, Kyverno and Gatekeeper.
 *
 * Inputs are fixed in memory first (the default fix: drop ALL, minimal add
 * lists), so the policies describe the manifests as they will be.
 *
 * Ownership: a struct policy_set owns everything gathered; release it with
 * policy_set_release(). Renderers append to a caller's buffer.
 */
#ifndef CAPFIX_POLICY_H
#define CAPFIX_POLICY_H

#include "capfix/fix.h"
#include "capfix/pss.h"

struct policy_workload {
	char *path, *kind, *name, *ns, *sa;
	int line;
	uint64_t adds; /* union of its containers' add lists, after fix (bit = kernel number) */
	bool privileged; /* a privileged container (left alone by fix) */
	struct pss_result pss; /* evaluated after fix */
};

struct policy_namespace {
	char *name;
	char *path; /* the Namespace manifest, or NULL */
	int line;
};

struct policy_set {
	struct policy_workload *w;
	size_t nw, aw;
	struct policy_namespace *ns;
	size_t nns, ans;
};

#define POLICY_SET_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0                                                             \
	}

/*
 * Fix @buf (@len bytes, read from @path) in memory with @opts, then record
 * its pod-bearing objects and Namespace objects. Returns 0, or -1 when the
 * file cannot be processed (@res->status and @res->err say why).
 */
int policy_gather(struct policy_set *ps, const char *path, const char *buf, size_t len,
		  const struct fix_opts *opts, struct fix_result *res);

void policy_set_release(struct policy_set *ps);

/* The strictest level every workload of namespace @ns meets (restricted when none). */
enum pss_level policy_ns_level(const struct policy_set *ps, const char *ns);

/*
 * Namespaces in name order (those of workloads and of Namespace objects):
 * *@out is a new array the caller frees (free()); the names in it are
 * borrowed from @ps. Returns the count.
 */
size_t policy_namespaces(const struct policy_set *ps, const char ***out);

/*
 * Render a generator's YAML stream into @out: "psp" (with @per_need, one
 * narrow PSP per workload that needs more than the others), "vap",
 * "kyverno" or "gatekeeper". Templates come from @tdir when set, else the
 * embedded ones. Returns 0, or -1 with cf_err() set.
 */
int policy_render(struct sbuf *out, const struct policy_set *ps, const char *kind, const char *tdir,
		  bool per_need);

/* The PSS table (text) or JSON ("version": 1) into @out. Returns 0 or -1. */
int policy_render_pss(struct sbuf *out, const struct policy_set *ps, bool json);

/*
 * A Namespace manifest named @ns with labels @keys = @values (@n pairs),
 * from the namespace.yaml template (@tdir overrides the built-in ones), to
 * @out. Returns 0, or -1 with CF_E_USAGE recorded (template problems).
 */
int policy_namespace_manifest(struct sbuf *out, const char *tdir, const char *ns,
			      const char *const *keys, const char *const *values, size_t n);

/* Append the kubectl command that sets labels @keys = @values on namespace @ns. */
void policy_label_command(struct sbuf *out, const char *ns, const char *const *keys,
			  const char *const *values, size_t n);

#endif
