/* Unit tests for pss.c: each Pod Security Standards check, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/pss.h"

/* A restricted-compliant container, for building cases. */
#define OK_SC                                                                                      \
	"    securityContext:\n      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"  \
	"      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [\"ALL\"]}\n"
#define OK_C "  - name: c\n    image: i\n" OK_SC

struct pss_case {
	const char *name;
	const char *spec; /* a PodSpec */
	const char *annotations; /* metadata, or NULL */
	enum pss_level level;
	const char *checks; /* expected violated check ids, space-separated, in order */
	const char *message; /* a substring of the first message, or NULL */
};

static const struct pss_case cases[] = {
	{ "restricted pod", "containers:\n" OK_C, NULL, PSS_RESTRICTED, "", NULL },
	{ "empty container: fails restricted only", "containers:\n  - name: c\n    image: i\n",
	  NULL, PSS_BASELINE,
	  "allowPrivilegeEscalation runAsNonRoot seccompProfile_restricted capabilities_restricted",
	  "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false)" },
	{ "pod-level runAsNonRoot and seccomp count",
	  "securityContext: {runAsNonRoot: true, seccompProfile: {type: Localhost, localhostProfile: p.json}}\n"
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n      allowPrivilegeEscalation: false\n"
	  "      capabilities: {drop: [ALL]}\n",
	  NULL, PSS_RESTRICTED, "", NULL },
	{ "container runAsNonRoot false beats the pod",
	  "securityContext: {runAsNonRoot: true}\ncontainers:\n" OK_C
	  "  - name: d\n    image: i\n    securityContext:\n      allowPrivilegeEscalation: false\n"
	  "      runAsNonRoot: false\n      seccompProfile: {type: RuntimeDefault}\n"
	  "      capabilities: {drop: [ALL]}\n",
	  NULL, PSS_BASELINE, "runAsNonRoot",
	  "container \"d\" must not set securityContext.runAsNonRoot=false" },
	{ "lower-case all is not ALL",
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n"
	  "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
	  "      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [all]}\n",
	  NULL, PSS_BASELINE, "capabilities_restricted",
	  "must set securityContext.capabilities.drop=[\"ALL\"]" },
	{ "empty drop list",
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n"
	  "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
	  "      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [], add: []}\n",
	  NULL, PSS_BASELINE, "capabilities_restricted", NULL },
	{ "NET_BIND_SERVICE is restricted-safe",
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n"
	  "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
	  "      seccompProfile: {type: RuntimeDefault}\n"
	  "      capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n",
	  NULL, PSS_RESTRICTED, "", NULL },
	{ "CHOWN: baseline but not restricted",
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n"
	  "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
	  "      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL], add: [CHOWN]}\n",
	  NULL, PSS_BASELINE, "capabilities_restricted",
	  "must not include \"CHOWN\" in securityContext.capabilities.add" },
	{ "NET_RAW and lower-case names fail baseline",
	  "containers:\n  - name: c\n    image: i\n"
	  "    securityContext: {capabilities: {add: [NET_RAW, chown]}}\n",
	  NULL, PSS_PRIVILEGED,
	  "capabilities_baseline allowPrivilegeEscalation runAsNonRoot seccompProfile_restricted capabilities_restricted",
	  "non-default capabilities (container \"c\" must not include \"NET_RAW\", \"chown\" in securityContext.capabilities.add)" },
	{ "ephemeral containers count",
	  "containers:\n" OK_C "ephemeralContainers:\n  - name: dbg\n    image: i\n"
	  "    securityContext:\n      privileged: true\n      allowPrivilegeEscalation: false\n"
	  "      runAsNonRoot: true\n      seccompProfile: {type: RuntimeDefault}\n"
	  "      capabilities: {drop: [\"ALL\"]}\n",
	  NULL, PSS_PRIVILEGED, "privileged",
	  "privileged (container \"dbg\" must not set securityContext.privileged=true)" },
	{ "init containers count",
	  "initContainers:\n  - name: init\n    image: i\n"
	  "    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n"
	  "containers:\n" OK_C "securityContext: {seccompProfile: {type: RuntimeDefault}}\n",
	  NULL, PSS_BASELINE, "runAsNonRoot",
	  "pod or container \"init\" must set securityContext.runAsNonRoot=true" },
	{ "host namespaces, hostPath, hostPort",
	  "hostNetwork: true\nhostPID: true\nhostIPC: false\n"
	  "volumes:\n  - name: data\n    hostPath: {path: /data}\n  - name: cfg\n    configMap: {name: x}\n"
	  "containers:\n  - name: c\n    image: i\n    ports:\n      - containerPort: 80\n        hostPort: 8080\n"
	  "      - containerPort: 81\n        hostPort: 0\n" OK_SC,
	  NULL, PSS_PRIVILEGED, "hostNamespaces hostPathVolumes hostPorts restrictedVolumes",
	  "host namespaces (hostNetwork=true, hostPID=true)" },
	{ "volume types",
	  "volumes:\n  - {name: a, emptyDir: {}}\n  - {name: b, nfs: {server: s, path: /}}\n"
	  "  - {name: c, projected: {sources: []}}\ncontainers:\n" OK_C,
	  NULL, PSS_BASELINE, "restrictedVolumes",
	  "volume \"b\" uses restricted volume type \"nfs\"" },
	{ "AppArmor annotation and field",
	  "securityContext: {appArmorProfile: {type: Unconfined}}\ncontainers:\n" OK_C,
	  "container.apparmor.security.beta.kubernetes.io/c: unconfined", PSS_PRIVILEGED,
	  "appArmorProfile", "container.apparmor.security.beta.kubernetes.io/c=\"unconfined\"" },
	{ "AppArmor runtime/default and localhost are fine", "containers:\n" OK_C,
	  "container.apparmor.security.beta.kubernetes.io/c: localhost/prof", PSS_RESTRICTED, "",
	  NULL },
	{ "SELinux: empty strings are unset",
	  "securityContext: {seLinuxOptions: {type: \"\", user: \"\", level: s0:c1}}\ncontainers:\n" OK_C,
	  NULL, PSS_RESTRICTED, "", NULL },
	{ "SELinux: type and user",
	  "containers:\n  - name: c\n    image: i\n    securityContext:\n"
	  "      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"
	  "      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL]}\n"
	  "      seLinuxOptions: {type: spc_t, user: system_u}\n",
	  NULL, PSS_PRIVILEGED, "seLinuxOptions",
	  "container \"c\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set" },
	{ "procMount and sysctls",
	  "securityContext:\n  sysctls:\n    - {name: net.ipv4.tcp_syncookies, value: \"1\"}\n"
	  "    - {name: kernel.msgmax, value: \"1\"}\ncontainers:\n  - name: c\n    image: i\n"
	  "    securityContext:\n      procMount: Unmasked\n      allowPrivilegeEscalation: false\n"
	  "      runAsNonRoot: true\n      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [ALL]}\n",
	  NULL, PSS_PRIVILEGED, "procMount sysctls", "procMount (container \"c\" must not set" },
	{ "seccomp Unconfined fails baseline",
	  "securityContext: {seccompProfile: {type: Unconfined}}\ncontainers:\n"
	  "  - name: c\n    image: i\n    securityContext: {allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}}\n",
	  NULL, PSS_PRIVILEGED, "seccompProfile_baseline seccompProfile_restricted", NULL },
	{ "runAsUser 0", "securityContext: {runAsUser: 0}\ncontainers:\n" OK_C, NULL, PSS_BASELINE,
	  "runAsUser", "runAsUser=0 (pod must not set runAsUser=0)" },
	{ "hostProcess",
	  "securityContext: {windowsOptions: {hostProcess: true}}\nhostNetwork: true\nos: {name: windows}\n"
	  "containers:\n  - name: c\n    image: i\n    securityContext: {runAsNonRoot: true}\n",
	  NULL, PSS_PRIVILEGED, "hostProcess hostNamespaces", NULL },
	{ "Windows pods are exempt from the Linux-only restricted checks",
	  "os: {name: windows}\n"
	  "securityContext: {runAsNonRoot: true}\ncontainers:\n  - name: c\n    image: i\n",
	  NULL, PSS_RESTRICTED, "", NULL },
	{ "no containers", "volumes: []\n", NULL, PSS_RESTRICTED, "", NULL },
};

static void test_pss_table(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pss_case *c = &cases[i];
		struct yfile sy = YFILE_INIT, my = YFILE_INIT;
		struct yerror err;
		struct pss_result r = PSS_RESULT_INIT;
		char got[512] = "", md[512];

		if (yamlspan_parse(&sy, c->spec, strlen(c->spec), false, &err) < 0)
			fail_msg("case '%s': the spec does not parse: %d:%d %s", c->name, err.line,
				 err.col, err.msg);
		if (c->annotations) {
			snprintf(md, sizeof(md), "annotations:\n  %s\n", c->annotations);
			assert_int_equal(yamlspan_parse(&my, md, strlen(md), false, &err), 0);
		}
		pss_evaluate(sy.docs[0].root, c->annotations ? my.docs[0].root : NULL, &r);
		for (j = 0; j < r.n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? " " : "",
				 r.v[j].check);
		if (strcmp(got, c->checks))
			fail_msg("case '%s': checks '%s', want '%s'", c->name, got, c->checks);
		if (r.level != c->level)
			fail_msg("case '%s': level %s, want %s", c->name, pss_level_name(r.level),
				 pss_level_name(c->level));
		if (c->message && (!r.n || !strstr(r.v[0].message, c->message)))
			fail_msg("case '%s': message '%s' lacks '%s'", c->name,
				 r.n ? r.v[0].message : "", c->message);
		pss_result_release(&r);
		yamlspan_release(&sy);
		yamlspan_release(&my);
	}
}

/*
 * Per version: each case's spec at minor @minor gives @checks (space-separated ids) and
 * @level. Derived from kubernetes/pod-security-admission test/fixtures_*.go: the pass and
 * fail pods each fixture generator registers for (level, version, check).
 */
struct pss_vcase {
	const char *name;
	int minor;
	const char *spec;
	enum pss_level level;
	const char *checks;
};

#define WIN "os: {name: windows}\n"
#define BARE_C "  - name: c\n    image: i\n"
#define PROBE_HOST                                                                                 \
	"  - name: c\n    image: i\n    livenessProbe: {httpGet: {host: 1.2.3.4, port: 80}}\n" OK_SC
#define LIFECYCLE_HOST                                                                             \
	"  - name: c\n    image: i\n    lifecycle: {preStop: {tcpSocket: {host: evil, port: 1}}}\n" OK_SC
#define UNMASKED                                                                                   \
	"  - name: c\n    image: i\n    securityContext:\n      procMount: Unmasked\n"             \
	"      allowPrivilegeEscalation: false\n      runAsNonRoot: true\n"                        \
	"      seccompProfile: {type: RuntimeDefault}\n      capabilities: {drop: [\"ALL\"]}\n"
#define SYSCTL(n) "securityContext:\n  sysctls: [{name: " n ", value: \"1\"}]\ncontainers:\n" OK_C
#define SELINUX_ENGINE                                                                             \
	"securityContext: {seLinuxOptions: {type: container_engine_t}}\ncontainers:\n" OK_C
#define ROOT_C                                                                                     \
	"  - name: c\n    image: i\n    securityContext:\n      runAsUser: 0\n"                    \
	"      allowPrivilegeEscalation: false\n      seccompProfile: {type: RuntimeDefault}\n"    \
	"      capabilities: {drop: [\"ALL\"]}\n"

static const struct pss_vcase vcases[] = {
	/* windows (allowPrivilegeEscalation, seccompProfile, capabilities _1_25) */
	{ "windows bare container 1.24", 24, WIN "containers:\n" BARE_C, PSS_BASELINE,
	  "allowPrivilegeEscalation runAsNonRoot seccompProfile_restricted capabilities_restricted" },
	{ "windows bare container 1.25", 25, WIN "containers:\n" BARE_C, PSS_BASELINE,
	  "runAsNonRoot" },
	{ "windows runAsUser 0 is not exempt", 37, WIN "containers:\n" ROOT_C, PSS_BASELINE,
	  "runAsNonRoot runAsUser" },
	/* hostProbesAndHostLifecycle since 1.34 */
	{ "probe host 1.33", 33, "containers:\n" PROBE_HOST, PSS_RESTRICTED, "" },
	{ "probe host 1.34", 34, "containers:\n" PROBE_HOST, PSS_PRIVILEGED,
	  "hostProbesAndHostLifecycle" },
	{ "lifecycle tcpSocket host 1.37", 37, "containers:\n" LIFECYCLE_HOST, PSS_PRIVILEGED,
	  "hostProbesAndHostLifecycle" },
	{ "empty probe host is fine", 37,
	  "containers:\n  - name: c\n    image: i\n    readinessProbe: {httpGet: {host: \"\", port: 80}}\n" OK_SC,
	  PSS_RESTRICTED, "" },
	/* procMount: hostUsers false relaxes baseline from 1.35; restricted still forbids */
	{ "Unmasked hostUsers false 1.34", 34, "hostUsers: false\ncontainers:\n" UNMASKED,
	  PSS_PRIVILEGED, "procMount" },
	{ "Unmasked hostUsers false 1.35", 35, "hostUsers: false\ncontainers:\n" UNMASKED,
	  PSS_BASELINE, "procMount_restricted" },
	{ "Unmasked hostUsers true 1.35", 35, "hostUsers: true\ncontainers:\n" UNMASKED,
	  PSS_PRIVILEGED, "procMount" },
	/* runAsNonRoot and runAsUser relaxed for user namespaces from 1.35 */
	{ "root in a user namespace 1.34", 34, "hostUsers: false\ncontainers:\n" ROOT_C,
	  PSS_BASELINE, "runAsNonRoot runAsUser" },
	{ "root in a user namespace 1.35", 35, "hostUsers: false\ncontainers:\n" ROOT_C,
	  PSS_RESTRICTED, "" },
	/* sysctls by version */
	{ "ip_local_reserved_ports 1.26", 26, SYSCTL("net.ipv4.ip_local_reserved_ports"),
	  PSS_PRIVILEGED, "sysctls" },
	{ "ip_local_reserved_ports 1.27", 27, SYSCTL("net.ipv4.ip_local_reserved_ports"),
	  PSS_RESTRICTED, "" },
	{ "tcp_keepalive_time 1.28", 28, SYSCTL("net.ipv4.tcp_keepalive_time"), PSS_PRIVILEGED,
	  "sysctls" },
	{ "tcp_keepalive_probes 1.29", 29, SYSCTL("net.ipv4.tcp_keepalive_probes"), PSS_RESTRICTED,
	  "" },
	{ "tcp_rmem 1.31", 31, SYSCTL("net.ipv4.tcp_rmem"), PSS_PRIVILEGED, "sysctls" },
	{ "tcp_wmem 1.32", 32, SYSCTL("net.ipv4.tcp_wmem"), PSS_RESTRICTED, "" },
	{ "tcp_notsent_lowat 1.36", 36, SYSCTL("net.ipv4.tcp_notsent_lowat"), PSS_PRIVILEGED,
	  "sysctls" },
	{ "tcp_slow_start_after_idle 1.37", 37, SYSCTL("net.ipv4.tcp_slow_start_after_idle"),
	  PSS_RESTRICTED, "" },
	{ "tcp_slow_start_after_idle latest", 0, SYSCTL("net.ipv4.tcp_slow_start_after_idle"),
	  PSS_RESTRICTED, "" },
	{ "kernel.msgmax never", 37, SYSCTL("kernel.msgmax"), PSS_PRIVILEGED, "sysctls" },
	/* seLinuxOptions: container_engine_t from 1.31 */
	{ "container_engine_t 1.30", 30, SELINUX_ENGINE, PSS_PRIVILEGED, "seLinuxOptions" },
	{ "container_engine_t 1.31", 31, SELINUX_ENGINE, PSS_RESTRICTED, "" },
	/* AppArmor: field and annotation, every version */
	{ "AppArmor Unconfined field 1.23", 23,
	  "securityContext: {appArmorProfile: {type: Unconfined}}\ncontainers:\n" OK_C,
	  PSS_PRIVILEGED, "appArmorProfile" },
	/* seccomp: Unconfined fails baseline at every version */
	{ "seccomp Unconfined 1.23", 23,
	  "securityContext: {seccompProfile: {type: Unconfined}}\ncontainers:\n" OK_C,
	  PSS_PRIVILEGED, "seccompProfile_baseline" },
};

static void test_pss_versions(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		const struct pss_vcase *c = &vcases[i];
		struct yfile sy = YFILE_INIT;
		struct yerror err;
		struct pss_result r = PSS_RESULT_INIT;
		char got[512] = "";

		if (yamlspan_parse(&sy, c->spec, strlen(c->spec), false, &err) < 0)
			fail_msg("case '%s': the spec does not parse: %d:%d %s", c->name, err.line,
				 err.col, err.msg);
		pss_evaluate_version(sy.docs[0].root, NULL, c->minor, &r);
		for (j = 0; j < r.n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? " " : "",
				 r.v[j].check);
		if (strcmp(got, c->checks))
			fail_msg("case '%s': checks '%s', want '%s'", c->name, got, c->checks);
		if (r.level != c->level)
			fail_msg("case '%s': level %s, want %s", c->name, pss_level_name(r.level),
				 pss_level_name(c->level));
		pss_result_release(&r);
		yamlspan_release(&sy);
	}
	assert_int_equal(pss_version_parse("latest"), 0);
	assert_int_equal(pss_version_parse("v1.23"), 23);
	assert_int_equal(pss_version_parse("v1.37"), 37);
	assert_int_equal(pss_version_parse("v1.22"), -1);
	assert_int_equal(pss_version_parse("v1.38"), -1);
	assert_int_equal(pss_version_parse("v1.030"), -1);
	assert_int_equal(pss_version_parse("1.30"), -1);
	assert_string_equal(pss_version_name(30), "v1.30");
	assert_string_equal(pss_version_name(0), "latest");
}

static void test_pss_levels(void **state)
{
	(void)state;
	assert_string_equal(pss_level_name(PSS_BASELINE), "baseline");
	assert_int_equal(pss_level_parse("restricted"), PSS_RESTRICTED);
	assert_int_equal(pss_level_parse("Restricted"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pss_table),
		cmocka_unit_test(test_pss_levels),
		cmocka_unit_test(test_pss_versions),
	};

	return cmocka_run_group_tests_name("pss", tests, NULL, NULL);
}
