/*
 * pssapply.h - what `capfix policy pss` does with each namespace: the plan
 * behind --write, --emit-missing and the suggested kubectl commands.
 *
 * For every namespace of a struct policy_set (name order) the plan says
 * what happens: left alone (no workloads without --assume-empty, a system
 * namespace not named, not among --namespace, already at or above the
 * level), left alone with a warning (its enforce label is stricter than
 * its workloads meet: never weakened), labelled in its Namespace manifest
 * (--write), given a Namespace manifest (--emit-missing, built here), or
 * given a kubectl command (built here, every argument shell-quoted). The
 * labels are pinned to the PSS version asked for. pssapply_label() is the
 * transform that labels one manifest for the run engine (fixrun.h).
 *
 * Ownership: a struct pssapply_plan owns its texts and arrays (release
 * with pssapply_plan_release()); names and records are borrowed from the
 * policy_set, which must outlive the plan. Failure: none at planning
 * (a namespace whose manifest cannot be built carries the error text);
 * pssapply_label() never fails, it reports per namespace. Nothing here
 * prints, writes files or exits.
 */
#ifndef CAPFIX_PSSAPPLY_H
#define CAPFIX_PSSAPPLY_H

#include "capfix/policy.h"

struct pssapply_opts {
	const struct policy_pss_opts *pss; /* --assume-empty, --namespace */
	int pss_minor; /* the version the labels are pinned to (0: latest) */
	bool write; /* --write: label the Namespace manifests */
	const char *emit_dir; /* --emit-missing DIR, or NULL: kubectl commands instead */
	const char *tdir; /* --templates-dir, or NULL */
};

enum pssapply_action {
	PSSAPPLY_NONE, /* left alone, or labelled through its manifest (see paths) */
	PSSAPPLY_STRICTER, /* left alone: enforces more than its workloads meet (note: a warning) */
	PSSAPPLY_COMMAND, /* text: the kubectl command, with its newline */
	PSSAPPLY_EMIT, /* file: where to write; text: the Namespace manifest */
	PSSAPPLY_BAD_NAME, /* --emit-missing refused, not a DNS-1123 label (note: an error) */
	PSSAPPLY_FAILED, /* the manifest could not be built (note: the error) */
};

struct pssapply_ns {
	const char *name; /* borrowed from the set */
	const struct policy_namespace *pn; /* its Namespace record, or NULL */
	int level; /* the level set (a pss_level), or -1 when left alone */
	enum pssapply_action action;
	char *file, *text; /* see the actions; NULL otherwise */
	/* what to tell the user, or NULL: at note_path:note_line (path NULL: the run) */
	char *note;
	enum msg_severity note_sev;
	const char *note_path;
	int note_line;
};

struct pssapply_plan {
	const struct policy_set *ps;
	struct pssapply_opts o;
	struct pssapply_ns *ns;
	size_t nns;
	const char **paths; /* --write: the Namespace manifests to label, each once (borrowed) */
	size_t npaths;
	/* per path (index into paths), filled by pssapply_transform() */
	struct sbuf *done; /* "labelled PATH: namespace NS enforces LEVEL" lines */
	struct sbuf *failed; /* messages (msg.h shape) for namespaces left unchanged */
};

/* Plan what `pss` does with every namespace of @ps. Can't fail. */
void pssapply_plan(struct pssapply_plan *plan, const struct policy_set *ps,
		   const struct pssapply_opts *o);
void pssapply_plan_release(struct pssapply_plan *plan);

/*
 * The labels for @lvl (nslabels_pss()) pinned to @minor: fills @keys and
 * @values (6 slots each), returns the count.
 */
size_t pssapply_labels(enum pss_level lvl, int minor, const char **keys, const char **values);

/*
 * Label every namespace of @plan whose manifest is @path in @buf (@len
 * bytes), one pass: @res gets the result (changed, out) as fix_buffer()
 * would; @done gets a "labelled PATH: namespace NS enforces LEVEL" line per
 * namespace labelled, @failed a message (msg.h shape) per namespace left
 * unchanged. Can't fail.
 */
void pssapply_label(const struct pssapply_plan *plan, const char *path, const char *buf, size_t len,
		    struct fix_result *res, struct sbuf *done, struct sbuf *failed);

/*
 * pssapply_label() as the run engine's transform (fixrun_transform_fn,
 * @ctx the plan, @index into plan->paths): lines go to plan->done[index]
 * and plan->failed[index]. Returns 0.
 */
int pssapply_transform(void *ctx, size_t index, const char *path, const char *buf, size_t len,
		       bool json, struct fix_result *res);

#endif
