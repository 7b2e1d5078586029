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
	  "container \"c\" must not set securityContext.seLinuxOptions.type to \"spc_t\"" },
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
	};

	return cmocka_run_group_tests_name("pss", tests, NULL, NULL);
}
