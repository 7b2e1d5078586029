/*
 * policygen_int.h - what the policy model (policygen.c) and its renderers
 * (policyrender.c) share. Not part of the API; policygen.h is.
 */
#ifndef CAPFIX_POLICYGEN_INT_H
#define CAPFIX_POLICYGEN_INT_H

#include "capfix/policygen.h"
#include "capfix/pspneeds.h"

struct policygen_sa {
	const char *ns, *sa; /* borrowed from the set */
	uint64_t caps;
	bool exempt; /* allowedCapabilities "*" */
	bool privileged;
	bool keeps_drops; /* requires no drop */
	struct psp_needs needs;
	struct sbuf who; /* "Kind/name, ..." */
};

bool policygen_is_psp(const struct policygen_opts *o);

/* Is namespace @ns bound by the plan's policies? */
bool policygen_bound(const struct policygen_plan *plan, const char *ns);

/* A controller whose pods carry no labels: its exception is scoped by its pods' name prefix. */
bool policygen_by_prefix(const struct policy_workload *w);

/* "<name>-" and, for Kyverno's wildcards, "<name>-*", into @sb (emptied first). */
void policygen_name_prefix(struct sbuf *sb, const struct policy_workload *w, bool wildcard);

/* Does the scope of an exception for workload @x take in the pods of workload @y? */
bool policygen_pod_matches(const struct policy_workload *x, const struct policy_workload *y);

/* "CHOWN, SETUID" for capability set @m (catalogue order), or "nothing". */
void policygen_caps_text(struct sbuf *sb, uint64_t m);

#endif
