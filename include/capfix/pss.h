/*
 * pss.h - the Pod Security Standards (baseline and restricted, "latest"),
 * evaluated on a pod template as the API server's Pod Security Admission
 * does: which level it meets and every check it violates, with messages in
 * the API server's words.
 *
 * Checks (Kubernetes documentation "Pod Security Standards", at the latest version):
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
 * Versions: the checks as Kubernetes 1.@minor's Pod Security Admission
 * evaluates them (kubernetes/pod-security-admission policy/check_*.go,
 * each check's VersionedCheck list), for PSS_OLDEST_MINOR..PSS_LATEST_MINOR;
 * 0 means "latest" (PSS_LATEST_MINOR). What changes with the version:
 *   1.25  allowPrivilegeEscalation, capabilities_restricted and
 *         seccompProfile_restricted exempt pods with spec.os.name: windows
 *   1.27  sysctl net.ipv4.ip_local_reserved_ports allowed
 *   1.29  net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl,
 *         tcp_keepalive_probes allowed
 *   1.31  seLinuxOptions.type container_engine_t allowed
 *   1.32  net.ipv4.tcp_rmem, tcp_wmem allowed
 *   1.34  hostProbesAndHostLifecycle (baseline): probes' and lifecycle
 *         handlers' httpGet.host / tcpSocket.host must be empty
 *   1.35  with spec.hostUsers: false, baseline allows any procMount and
 *         restricted no longer requires runAsNonRoot nor runAsUser != 0;
 *         restricted forbids procMount other than Default (procMount_restricted)
 *   1.37  net.ipv4.tcp_slow_start_after_idle, tcp_notsent_lowat allowed
 */
#define PSS_OLDEST_MINOR 23
#define PSS_LATEST_MINOR 37

/*
 * "v1.N" or "latest" -> N (latest gives 0), or -1 when not a supported
 * version (before v1.23 or after PSS_LATEST_MINOR, or not a version).
 */
int pss_version_parse(const char *s);

/* "v1.N" for @minor ("latest" for 0): a static string. */
const char *pss_version_name(int minor);

/*
 * Evaluate the pod spec @spec (a mapping) with the pod template's
 * @metadata (may be NULL; AppArmor annotations live there) into @out.
 * This function can't fail.
 */
void pss_evaluate(const struct ynode *spec, const struct ynode *metadata, struct pss_result *out);

/* As pss_evaluate(), at Kubernetes 1.@minor (0: latest). */
void pss_evaluate_version(const struct ynode *spec, const struct ynode *metadata, int minor,
			  struct pss_result *out);

void pss_result_release(struct pss_result *res);

#endif
