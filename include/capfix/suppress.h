/*
 * suppress.h - suppression written in manifests: which findings a team has
 * accepted, and why. Used by scan (and later by fix and policy).
 *
 *   capfix.io/ignore: "CF001,CF003: reason"          object or pod template
 *   capfix.io/ignore.<container>: "all: reason"      one container
 *   container.audit.kubernetes.io/<container>.allow-capability-<cap>: "reason"
 *   audit.kubernetes.io/pod.allow-capability-<cap>: "reason"
 *                                                    kubeaudit's overrides, labels or
 *                                                    annotations: <cap> an allowed add
 *                                                    (net-admin, NET_ADMIN, cap_net_admin)
 *   x-capfix: {ignore: "CF201: reason"}              a compose service
 *
 * A value lists rule ids (or `all`) before the first ':' and a reason after
 * it; a value without a reason suppresses nothing and is an error for the
 * caller to report (suppress_check()). Annotations and labels are read from
 * the object's metadata and its pod template's metadata (either may be
 * NULL); aliases are followed.
 *
 * Ownership: reasons are returned as new strings the caller frees. Failure:
 * none (malformed values do not suppress). Nothing prints.
 */
#ifndef CAPFIX_SUPPRESS_H
#define CAPFIX_SUPPRESS_H

#include "capfix/yamlspan.h"

/*
 * Does ignore value @value name @rule_id (or `all`)? Returns 1 with
 * *@reason (a new string) set, 0 when it does not, -1 when the value has
 * no reason (or no rule).
 */
int suppress_parse(const char *value, const char *rule_id, char **reason);

/*
 * Is @rule_id suppressed for container @container (NULL: an object-level
 * finding, only capfix.io/ignore applies) by the annotations of @obj_md or
 * @pod_md? Returns the reason (a new string), or NULL.
 */
char *suppress_for(const struct ynode *obj_md, const struct ynode *pod_md, const char *container,
		   const char *rule_id);

/*
 * kubeaudit's allowed capabilities for @container (labels and annotations
 * of both metadata): a mask by kernel number; *@reason (may be NULL) gets
 * the first override's value (a new string, "kubeaudit override" when
 * empty) when the mask is not 0.
 */
uint64_t suppress_kubeaudit(const struct ynode *obj_md, const struct ynode *pod_md,
			    const char *container, char **reason);

/* Does @md or @pod_md hold any capfix.io/ignore annotation (valid or not)? */
bool suppress_any(const struct ynode *obj_md, const struct ynode *pod_md);

/* A compose service's `x-capfix: {ignore: ...}`: as suppress_for(). */
char *suppress_compose(const struct ynode *svc, const char *rule_id);

/*
 * The first ignore value without a reason among @obj_md's and @pod_md's
 * capfix.io/ignore annotations (or @svc's x-capfix.ignore, when @svc is
 * not NULL): its node (for path:line:col), or NULL when all are valid.
 */
const struct ynode *suppress_check(const struct ynode *obj_md, const struct ynode *pod_md,
				   const struct ynode *svc);

#endif
