/*
 * pss.h - the Pod Security Standards (baseline and restricted, "latest"),
 * evaluated on a pod template as the API server's Pod Security Admission
 * does: which level it meets and every check it violates, with messages in
 * the API server's words.
 *
 * Checks (Kubernetes documentation "Pod Security Standards"):
 * baseline: HostProcess, host namespaces, privileged, capabilities (add
 * within the 13 allowed, exact names), hostPath volumes, host ports,
 * AppArmor, SELinux, /proc mount type, seccomp (not Unconfined), sysctls;
 * restricted adds: volume types, privilege escalation, running as non-root,
 * runAsUser != 0, seccomp (RuntimeDefault or Localhost), capabilities (drop
 * "ALL", add only NET_BIND_SERVICE). Containers, init containers and
 * ephemeral containers all count. Pods with spec.os.name: windows are exempt
 * from the restricted checks that do not apply to Windows.
 *
 * Ownership: a struct pss_result owns its messages; release it with
 * pss_result_release(). Nodes are borrowed from the caller's yfile.
 */
#ifndef CAPFIX_PSS_H
#define CAPFIX_PSS_H

#include "capfix/yamlspan.h"

enum pss_level { PSS_PRIVILEGED, PSS_BASELINE, PSS_RESTRICTED };

struct pss_violation {
	enum pss_level level; /* the level this check belongs to (baseline or restricted) */
	const char *check; /* the check's id, e.g. "capabilities_restricted" (static) */
	char *message; /* e.g. `unrestricted capabilities (container "a" must set ...)` */
};

struct pss_result {
	enum pss_level level; /* the strictest level met */
	struct pss_violation *v;
	size_t n, alloc;
};

#define PSS_RESULT_INIT                                                                            \
	{                                                                                          \
		PSS_RESTRICTED, NULL, 0, 0                                                         \
	}

/* "privileged", "baseline" or "restricted". */
const char *pss_level_name(enum pss_level level);

/* The level named @s, or -1. */
int pss_level_parse(const char *s);

/*
 * Evaluate the pod spec @spec (a mapping) with the pod template's
 * @metadata (may be NULL; AppArmor annotations live there) into @out.
 * This function can't fail.
 */
void pss_evaluate(const struct ynode *spec, const struct ynode *metadata, struct pss_result *out);

void pss_result_release(struct pss_result *res);

#endif
