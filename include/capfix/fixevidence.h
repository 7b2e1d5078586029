/*
 * fixevidence.h - the evidence side of the fix (fix.c): the warnings a
 * planned workload gets and its entry in the structured report.
 *
 * Warnings (FIX_NOTE_WARN notes on the result): a workload that may start
 * as root with no evidence about its image (fixed, or left alone with
 * --unknown-images skip); a capability added by inference (port, profile,
 * command) outside the Pod Security Standards baseline, naming the level
 * the pod falls to (privileged); a declared add removed by --strict; a
 * package manager run as root whose needs are not measured.
 *
 * Report entries (fix_opts.report): struct fix_container in res->items,
 * owned by the result (fixevidence_release() frees one's contents).
 * Nothing here prints or fails.
 */
#ifndef CAPFIX_FIXEVIDENCE_H
#define CAPFIX_FIXEVIDENCE_H

#include "capfix/addlist.h"
#include "capfix/fix.h"
#include "capfix/shell.h"

/* Who a workload is, for its notes and its report entry (all borrowed). */
struct fix_who {
	const char *kind, *name, *ns, *container, *image;
	int line, col; /* 1-based */
	bool root; /* may start as root */
	const struct ynode *node; /* the container, service or Helm values mapping */
	const char *sc_key; /* Helm values: the securityContext key; NULL otherwise */
	bool flat; /* compose: cap_add and cap_drop on the service */
};

/* The reason of a workload left alone by --unknown-images skip (compared by address). */
extern const char fixevidence_unknown_skipped[];

/* The warnings of workload @w planned as @l with outcome @b (@why: why it was skipped). */
void fixevidence_notes(struct fix_result *res, const struct fix_who *w, enum fix_block b,
		       const char *why, const struct addlist_plan *l,
		       const struct shell_needs *needs);

/* With opts->report, the report entry of @w; @l is NULL when it was not planned. */
void fixevidence_record(struct fix_result *res, const struct fix_opts *opts,
			const struct fix_who *w, enum fix_block b, const char *why,
			const struct addlist_plan *l);

/* Free what report entry @c owns. */
void fixevidence_release(struct fix_container *c);

#endif
