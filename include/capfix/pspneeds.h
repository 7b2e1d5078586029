/*
 * pspneeds.h - what a pod needs from a PodSecurityPolicy beyond capfix's
 * restricted one, field by field, so that `policy psp` can give a service
 * account a PSP relaxed in exactly the fields its workloads use.
 *
 * The restricted PSP (templates/policy/psp.yaml) admits a pod that sets
 * none of these; each need is a field that PSP admission (Kubernetes
 * 1.21-1.24, pkg/security/podsecuritypolicy) would deny, or mutate into a
 * pod that cannot start:
 *   hostNetwork, hostIPC, hostPID      spec.host* true
 *   hostPorts                          every containers[]/initContainers[]
 *                                      ports[].hostPort above 0; with
 *                                      hostNetwork the API server defaults
 *                                      hostPort to containerPort, so those too
 *   volumes                            volume types outside configMap, csi,
 *                                      downwardAPI, emptyDir, ephemeral,
 *                                      persistentVolumeClaim, projected,
 *                                      secret (a type PSP does not know: "*")
 *   runAsUser                          a container that may start as root
 *                                      (k8s_may_run_as_root(): MustRunAsNonRoot
 *                                      denies runAsUser 0 and runAsNonRoot
 *                                      false, and sets runAsNonRoot true on
 *                                      the rest, which the kubelet then refuses
 *                                      to start unless the image's user is
 *                                      numeric and not 0: known only with
 *                                      image metadata)
 *   allowPrivilegeEscalation           a container setting it true, or adding
 *                                      "CAP_SYS_ADMIN" (API validation refuses
 *                                      that with the false the PSP sets)
 *   seccomp                            a profile other than RuntimeDefault
 *                                      (fields or seccomp.security.alpha
 *                                      annotations: not runtime/default or
 *                                      docker/default)
 *   procMount                          a container with procMount Unmasked
 *   allowedUnsafeSysctls               sysctls outside the kubelet's safe set
 *                                      of the PSP era (kernel.shm_rmid_forced,
 *                                      net.ipv4.ip_local_port_range,
 *                                      tcp_syncookies, ping_group_range,
 *                                      ip_unprivileged_port_start)
 *   fsGroup, supplementalGroups        a group outside 1-65535 (0 above all)
 * Privileged containers and added capabilities are the policy model's
 * (policygen.h), not needs here.
 *
 * Ownership: a struct psp_needs owns its arrays; release it with
 * pspneeds_release(). Nodes are borrowed. Nothing here fails or prints.
 */
#ifndef CAPFIX_PSPNEEDS_H
#define CAPFIX_PSPNEEDS_H

#include "capfix/sbuf.h"
#include "capfix/yamlspan.h"

enum pspneeds_flag {
	PSPNEEDS_HOST_NETWORK = 1 << 0,
	PSPNEEDS_HOST_IPC = 1 << 1,
	PSPNEEDS_HOST_PID = 1 << 2,
	PSPNEEDS_ROOT = 1 << 3, /* runAsUser: RunAsAny */
	PSPNEEDS_ESCALATION = 1 << 4, /* allowPrivilegeEscalation: true */
	PSPNEEDS_SECCOMP = 1 << 5, /* allowedProfileNames: "*" */
	PSPNEEDS_PROC_UNMASKED = 1 << 6, /* allowedProcMountTypes: Default, Unmasked */
	PSPNEEDS_FS_GROUP = 1 << 7, /* fsGroup: RunAsAny */
	PSPNEEDS_SUPPLEMENTAL = 1 << 8, /* supplementalGroups: RunAsAny */
};

struct psp_needs {
	unsigned flags; /* enum pspneeds_flag */
	uint32_t volumes; /* bit per volume type beyond the restricted ones (pspneeds.c's table) */
	uint64_t *ports; /* host ports 1-65535 as a bitmap (allocated with the first), or NULL */
	size_t nports; /* how many */
	char **sysctls; /* unsafe sysctl names, sorted, unique, each a valid sysctl name */
	size_t nsysctls, asysctls;
	bool any_sysctl; /* more than PSPNEEDS_MAX_SYSCTLS names: allowedUnsafeSysctls "*" */
};

#define PSPNEEDS_MAX_SYSCTLS 256

#define PSP_NEEDS_INIT                                                                             \
	{                                                                                          \
		0, 0, NULL, 0, NULL, 0, 0, false                                                   \
	}

/*
 * Add what pod spec @spec (with the pod's @metadata, may be NULL) needs to
 * @n; @images (may be NULL) tells the users of the containers' images.
 */
struct imagemeta_set;
void pspneeds_of(const struct ynode *spec, const struct ynode *metadata,
		 const struct imagemeta_set *images, struct psp_needs *n);

/* Add @from's needs to @into. */
void pspneeds_merge(struct psp_needs *into, const struct psp_needs *from);

bool pspneeds_empty(const struct psp_needs *n);

/* @out (empty on entry) gets what @n needs beyond @allowed. */
void pspneeds_excess(const struct psp_needs *n, const struct psp_needs *allowed,
		     struct psp_needs *out);

/* "hostNetwork, hostPorts 80, 8000-8001, volumes hostPath, ..." (the PSP's field names). */
void pspneeds_describe(const struct psp_needs *n, struct sbuf *sb);

/*
 * The template values of a PSP that allows exactly @n (and escalation when
 * @privileged): one YAML value per key of pspneeds_keys, appended to
 * @vals[i]. Manifest names (sysctls) go through k8sname_yaml().
 */
#define PSPNEEDS_NKEYS 12
extern const char *const pspneeds_keys[PSPNEEDS_NKEYS];
void pspneeds_values(const struct psp_needs *n, bool privileged, struct sbuf vals[PSPNEEDS_NKEYS]);

void pspneeds_release(struct psp_needs *n);

#endif
