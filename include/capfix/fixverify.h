/*
 * fixverify.h - an edited file means exactly the original plus the fix.
 *
 * After the capability edits are applied, the new text is parsed again and
 * compared with the original tree: every node must be equal, except the
 * mappings marked as edited (node->mark = index + 1 into the plans), whose
 * securityContext/capabilities (or, for a compose service, cap_add and
 * cap_drop directly) must hold exactly the planned lists, in the original
 * order of keys with new keys appended.
 *
 * Nothing prints or exits; a failure is a message in the caller's yerror.
 */
#ifndef CAPFIX_FIXVERIFY_H
#define CAPFIX_FIXVERIFY_H

#include "capfix/addlist.h"
#include "capfix/yamlspan.h"

/* What a workload's capabilities must become, and where they live. */
struct fixverify_plan {
	const char *add_key, *drop_key; /* "add"/"drop", or compose's "cap_add"/"cap_drop" */
	const char *sc_key; /* the securityContext key of the marked mapping */
	bool flat; /* the lists live directly in the marked mapping (a compose service) */
	struct addlist_plan l; /* the lists (add_set/drop_set: written as planned) */
};

/*
 * Does @nbuf (@nlen bytes, JSON when @json) mean @old (whose edited
 * mappings are marked) with @plans applied? Returns 0, or -1 with
 * @err->msg saying what differs (position left to the caller).
 */
int fixverify_check(const struct yfile *old, const char *nbuf, size_t nlen, bool json,
		    const struct fixverify_plan *plans, struct yerror *err);

#endif
