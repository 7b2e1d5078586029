/*
 * policy.h - what manifests need after `fix`, gathered for the policy
 * generators: pod-bearing workloads (containers, add lists, privileged,
 * pod labels, Pod Security Standards result), Namespace objects and their
 * existing Pod Security labels, and the per-namespace PSS report.
 *
 * Inputs are fixed in memory first (the default fix: drop ALL, minimal add
 * lists), so everything describes the manifests as they will be.
 *
 * Names are data: every name copied from a manifest (namespace, workload,
 * service account, container, pod label) is checked against its
 * Kubernetes rule (k8sname.h) when gathered; an object with an invalid
 * name is left out and an error note (path:line:col) says why. Output
 * writes names only through k8sname.h's quoting writers.
 *
 * Ownership: a struct policy_set owns everything gathered and its notes;
 * release it with policy_set_release(). Renderers append to a caller's
 * buffer. Failure: policy_gather() returns -1 with @res set (the file is
 * not valid YAML or cannot be fixed); problems with single objects are
 * notes, never failures. Nothing prints or exits.
 */
#ifndef CAPFIX_POLICY_H
#define CAPFIX_POLICY_H

#include "capfix/fix.h"
#include "capfix/msg.h"
#include "capfix/pspneeds.h"
#include "capfix/pss.h"

struct policy_container {
	char *name;
	uint64_t adds; /* its add list after fix (bit = kernel number) */
	bool drop_all; /* drops ALL after fix */
	bool privileged;
	bool odd_adds; /* an add entry that is not a capability name exactly as Kubernetes spells it
			*/
};

struct policy_workload {
	char *path, *kind, *name, *ns, *sa;
	int line, col; /* 1-based, of the object */
	struct policy_container *c;
	size_t nc;
	char **labels; /* key, value, ...: the pod's labels (template, else matchLabels) */
	size_t nlabels; /* pairs */
	uint64_t adds; /* union of its containers' add lists, after fix */
	bool privileged; /* a privileged container (left alone by fix) */
	bool odd_adds; /* a container's odd_adds */
	struct pss_result pss; /* evaluated after fix, at the set's PSS version */
	struct psp_needs psp; /* what it needs from a PodSecurityPolicy, after fix */
};

struct policy_namespace {
	char *name;
	char *path; /* the Namespace manifest, or NULL */
	int line;
	/* its pod-security.kubernetes.io/{enforce,warn,audit} labels: a level, or -1 (unset
	 * or not a level) */
	int labels[3];
};

/* A message about one place (path may be NULL: the run). */
struct policy_note {
	enum msg_severity sev;
	char *path;
	int line, col;
	char *text;
};

struct policy_set {
	struct policy_workload *w;
	size_t nw, aw;
	struct policy_namespace *ns;
	size_t nns, ans;
	struct policy_note *notes;
	size_t nnotes, anotes;
	int pss_minor; /* the PSS version evaluated (pss.h); 0 is latest */
};

#define POLICY_SET_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, 0                                              \
	}

/* No level: a namespace without pod-bearing objects in the input. */
#define POLICY_LEVEL_UNKNOWN (-1)

/*
 * Fix @buf (@len bytes, read from @path) in memory with @opts, then record
 * its pod-bearing objects and Namespace objects. Returns 0, or -1 when the
 * file cannot be processed (@res->status and @res->err say why).
 */
int policy_gather(struct policy_set *ps, const char *path, const char *buf, size_t len,
		  const struct fix_opts *opts, struct fix_result *res);

/*
 * policy_gather() as the run engine's transform (fixrun_transform_fn): @ctx
 * a struct policy_gather_ctx; fixes with its options, JSON mode per input.
 */
struct policy_gather_ctx {
	struct policy_set *ps;
	const struct fix_opts *fopts;
};
int policy_gather_transform(void *ctx, size_t index, const char *path, const char *buf, size_t len,
			    bool json, struct fix_result *res);

void policy_set_release(struct policy_set *ps);

/* Add a note (formatted) to @ps. */
void policy_note(struct policy_set *ps, enum msg_severity sev, const char *path, int line, int col,
		 const char *fmt, ...) CF_PRINTF(6, 7);

/* kube-system, kube-public, kube-node-lease. */
bool policy_system_namespace(const char *ns);

/*
 * The strictest level every workload of namespace @ns meets, or
 * POLICY_LEVEL_UNKNOWN when the input holds no workload in @ns.
 */
int policy_ns_level(const struct policy_set *ps, const char *ns);

/* The Namespace record named @ns, or NULL. */
const struct policy_namespace *policy_ns_find(const struct policy_set *ps, const char *ns);

/*
 * Namespaces in name order (those of workloads and of Namespace objects):
 * *@out is a new array the caller frees (free()); the names in it are
 * borrowed from @ps. Returns the count.
 */
size_t policy_namespaces(const struct policy_set *ps, const char ***out);

/* What `pss` does with each namespace (--write, commands, --emit-missing). */
struct policy_pss_opts {
	bool assume_empty; /* namespaces without workloads get restricted */
	const char *const *only; /* --namespace NAMEs (may name system namespaces), or NULL */
	size_t nonly;
};

/*
 * The level `pss` sets on namespace @ns (a pss_level), or -1 when it is
 * left alone: no workloads (without assume_empty), a system namespace not
 * named, not among --namespace, or an existing enforce label already at
 * or above the level (never weakened). @why (may be NULL) gets the reason.
 */
int policy_pss_target(const struct policy_set *ps, const char *ns, const struct policy_pss_opts *o,
		      const char **why);

/* The PSS table (text) or JSON ("version": 1) into @out. Returns 0 or -1. */
int policy_render_pss(struct sbuf *out, const struct policy_set *ps,
		      const struct policy_pss_opts *o, bool json);

/*
 * A Namespace manifest named @ns with labels @keys = @values (@n pairs),
 * from the namespace.yaml template (@tdir overrides the built-in ones), to
 * @out; every value is written as a quoted scalar. Returns 0, or -1 with
 * CF_E_USAGE recorded (template problems, @ns not a DNS-1123 label).
 */
int policy_namespace_manifest(struct sbuf *out, const char *tdir, const char *ns,
			      const char *const *keys, const char *const *values, size_t n);

/*
 * Append the kubectl command that sets labels @keys = @values on namespace
 * @ns, every argument shell-quoted. Without --overwrite: kubectl refuses to
 * change a label that is set, so the command can never weaken one.
 */
void policy_label_command(struct sbuf *out, const char *ns, const char *const *keys,
			  const char *const *values, size_t n);

#endif
