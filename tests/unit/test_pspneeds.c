/*
 * Unit tests for pspneeds.c: what a pod needs from a PodSecurityPolicy
 * beyond the restricted one, field by field; merging, the excess over an
 * allowance, the description and the template values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/imagemeta.h"
#include "capfix/pspneeds.h"

/* The needs of the first document's `spec` (with its `metadata`), with image metadata @images. */
static void needs_with(const char *yaml, const struct imagemeta_set *images, struct psp_needs *n)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *root;

	assert_int_equal(yamlspan_parse(&yf, yaml, strlen(yaml), false, &err), 0);
	root = yf.docs[0].root;
	pspneeds_of(yamlspan_dget(root, "spec"), yamlspan_dget(root, "metadata"), images, n);
	yamlspan_release(&yf);
}

static void needs_of(const char *yaml, struct psp_needs *n)
{
	needs_with(yaml, NULL, n);
}

static void described(const struct psp_needs *n, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	pspneeds_describe(n, &sb);
	assert_string_equal(sb.buf, want);
	sbuf_release(&sb);
}

static const char restricted[] =
	"metadata: {annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}}\n"
	"spec:\n"
	"  securityContext: {runAsNonRoot: true, fsGroup: 2000, supplementalGroups: [1, 65535],\n"
	"    seccompProfile: {type: RuntimeDefault}, sysctls: [{name: net.ipv4.tcp_syncookies, value: '1'}]}\n"
	"  volumes: [{name: a, configMap: {name: x}}, {name: b}, {name: c, projected: {}}]\n"
	"  containers:\n"
	"    - name: c\n"
	"      ports: [{containerPort: 80}]\n"
	"      securityContext: {allowPrivilegeEscalation: false, procMount: Default,\n"
	"        capabilities: {add: [SYS_ADMIN]}}\n";

/* A pod within the restricted PSP needs nothing (a volume without a source is an emptyDir). */
static void test_restricted_needs_nothing(void **state)
{
	struct psp_needs n = PSP_NEEDS_INIT;

	(void)state;
	needs_of(restricted, &n);
	assert_true(pspneeds_empty(&n));
	described(&n, "nothing");
	pspneeds_release(&n);
}

static const char wide[] =
	"metadata:\n"
	"  annotations: {container.seccomp.security.alpha.kubernetes.io/c: unconfined}\n"
	"spec:\n"
	"  hostNetwork: true\n"
	"  hostPID: true\n"
	"  securityContext:\n"
	"    fsGroup: 0\n"
	"    sysctls: [{name: net.core.somaxconn, value: '1024'}, {name: kernel.shm_rmid_forced, value: '1'},\n"
	"              {name: 'bad name; rm', value: x}, {name: net.core.somaxconn, value: '1'}]\n"
	"  volumes: [{name: h, hostPath: {path: /var}}, {name: f, cephfs: {monitors: []}}, {name: s, secret: {}}]\n"
	"  initContainers:\n"
	"    - name: i\n"
	"      ports: [{containerPort: 9000, hostPort: 9001}]\n"
	"      securityContext: {runAsUser: 1000, runAsNonRoot: false}\n"
	"  containers:\n"
	"    - name: c\n"
	"      ports: [{containerPort: 8081}, {containerPort: 8080}, {containerPort: 53, hostPort: 0}]\n"
	"      securityContext: {runAsUser: 1000, procMount: Unmasked, allowPrivilegeEscalation: true}\n"
	"  ephemeralContainers:\n"
	"    - {name: e, ports: [{containerPort: 7}], securityContext: {runAsUser: 5}}\n";

/*
 * Every field: host namespaces, host ports (with hostNetwork the container
 * ports too, ephemeral containers have none), volume types as PSP spells
 * them, root (runAsNonRoot: false refused whatever the user), escalation,
 * seccomp by annotation, procMount, unsafe sysctls (safe and invalid names
 * left out, duplicates once), fsGroup 0.
 */
static void test_every_field(void **state)
{
	struct psp_needs n = PSP_NEEDS_INIT;

	(void)state;
	needs_of(wide, &n);
	assert_int_equal(n.flags, PSPNEEDS_HOST_NETWORK | PSPNEEDS_HOST_PID | PSPNEEDS_ROOT |
					  PSPNEEDS_ESCALATION | PSPNEEDS_SECCOMP |
					  PSPNEEDS_PROC_UNMASKED | PSPNEEDS_FS_GROUP);
	assert_int_equal(n.nports, 4);
	assert_int_equal(n.nsysctls, 1);
	described(
		&n,
		"hostNetwork, hostPID, runAsUser RunAsAny (may start as root), allowPrivilegeEscalation, any seccomp profile, procMount Unmasked, fsGroup RunAsAny, hostPorts 53, 8080-8081, 9001, volumes cephFS hostPath, allowedUnsafeSysctls net.core.somaxconn");
	pspneeds_release(&n);
}

/* Root: a container that says nothing of its user; CAP_SYS_ADMIN as written; seccomp fields. */
static void test_root_escalation_seccomp(void **state)
{
	struct psp_needs n = PSP_NEEDS_INIT;

	(void)state;
	needs_of("spec:\n  containers:\n    - {name: c, image: i}\n", &n);
	assert_int_equal(n.flags, PSPNEEDS_ROOT);
	pspneeds_release(&n);
	needs_of("spec:\n  securityContext: {runAsUser: 0, runAsNonRoot: true,\n"
		 "    seccompProfile: {type: Localhost, localhostProfile: p.json}}\n"
		 "  containers:\n"
		 "    - {name: c, securityContext: {capabilities: {add: [CAP_SYS_ADMIN]}}}\n",
		 &n);
	assert_int_equal(n.flags, PSPNEEDS_ROOT | PSPNEEDS_ESCALATION | PSPNEEDS_SECCOMP);
	pspneeds_release(&n);
	/* the container's user over the pod's; supplementalGroups outside the range */
	needs_of(
		"spec:\n  securityContext: {runAsUser: 0, supplementalGroups: [10, 70000]}\n"
		"  containers:\n"
		"    - {name: c, securityContext: {runAsUser: 10, seccompProfile: {type: Unconfined}}}\n",
		&n);
	assert_int_equal(n.flags, PSPNEEDS_SUPPLEMENTAL | PSPNEEDS_SECCOMP);
	pspneeds_release(&n);
	/* a volume type PSP does not know: any volume */
	needs_of("spec:\n  securityContext: {runAsNonRoot: true}\n"
		 "  volumes: [{name: v, image: {reference: r}}]\n  containers: [{name: c}]\n",
		 &n);
	described(&n, "volumes *");
	pspneeds_release(&n);
}

/*
 * With image metadata, a container that says nothing of its user needs no
 * root when its image's user is numeric and not 0 (what the kubelet checks
 * for the runAsNonRoot the PSP sets); a named user or root still does.
 */
static void test_root_from_images(void **state)
{
	static const char inspect[] =
		"[{\"Id\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
		"\"RepoTags\":[\"example.com/numeric:1\"],\"Config\":{\"User\":\"10001\"}},"
		"{\"Id\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		"\"RepoTags\":[\"example.com/named:1\"],\"Config\":{\"User\":\"app\"}}]";
	struct imagemeta_set *s = imagemeta_set_new();
	struct psp_needs n = PSP_NEEDS_INIT;

	(void)state;
	assert_int_equal(imagemeta_load_buf(s, "i.json", (const unsigned char *)inspect,
					    strlen(inspect), NULL),
			 2);
	needs_with("spec:\n  containers: [{name: c, image: example.com/numeric:1}]\n", s, &n);
	assert_true(pspneeds_empty(&n));
	needs_with("spec:\n  containers: [{name: c, image: example.com/named:1}]\n", s, &n);
	assert_int_equal(n.flags, PSPNEEDS_ROOT);
	pspneeds_release(&n);
	/* runAsUser: 0 wins over the image */
	needs_with("spec:\n  securityContext: {runAsUser: 0}\n"
		   "  containers: [{name: c, image: example.com/numeric:1}]\n",
		   s, &n);
	assert_int_equal(n.flags, PSPNEEDS_ROOT);
	pspneeds_release(&n);
	/* without the metadata: unknown, so root */
	needs_of("spec:\n  containers: [{name: c, image: example.com/numeric:1}]\n", &n);
	assert_int_equal(n.flags, PSPNEEDS_ROOT);
	pspneeds_release(&n);
	imagemeta_set_free(s);
}

/* Merge is a union; the excess is what an allowance misses; values render each field. */
static void test_merge_excess_values(void **state)
{
	struct psp_needs a = PSP_NEEDS_INIT, b = PSP_NEEDS_INIT, all = PSP_NEEDS_INIT,
			 over = PSP_NEEDS_INIT;
	struct sbuf v[PSPNEEDS_NKEYS];
	size_t i;

	(void)state;
	needs_of(wide, &a);
	needs_of(
		"spec:\n  hostIPC: true\n  securityContext: {runAsNonRoot: true}\n"
		"  containers: [{name: c, ports: [{containerPort: 1, hostPort: 9001}, {containerPort: 2, hostPort: 443}]}]\n",
		&b);
	pspneeds_merge(&all, &a);
	pspneeds_merge(&all, &b);
	assert_int_equal(all.nports, 5);
	pspneeds_excess(&b, &a, &over);
	described(&over, "hostIPC, hostPorts 443");
	pspneeds_release(&over);
	pspneeds_excess(&a, &all, &over);
	assert_true(pspneeds_empty(&over));
	pspneeds_release(&over);
	pspneeds_excess(&a, &b, &over);
	assert_false(pspneeds_empty(&over));
	assert_int_equal(over.nports, 3); /* 53, 8080, 8081: 9001 is b's too */
	pspneeds_release(&over);

	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_init(&v[i]);
	pspneeds_values(&all, false, v);
	assert_string_equal(pspneeds_keys[0], "escalation");
	assert_string_equal(v[0].buf, "true");
	assert_string_equal(v[1].buf, "true"); /* host_network */
	assert_string_equal(v[2].buf, "true"); /* host_ipc */
	assert_string_equal(v[4].buf, "[{min: 53, max: 53}, {min: 443, max: 443}, "
				      "{min: 8080, max: 8081}, {min: 9001, max: 9001}]");
	assert_string_equal(
		v[5].buf,
		"[\"configMap\", \"csi\", \"downwardAPI\", \"emptyDir\", \"ephemeral\", \"persistentVolumeClaim\", \"projected\", \"secret\", \"cephFS\", \"hostPath\"]");
	assert_string_equal(v[6].buf, "RunAsAny");
	assert_string_equal(v[7].buf, "{rule: RunAsAny}");
	assert_string_equal(v[8].buf, "{rule: MustRunAs, ranges: [{min: 1, max: 65535}]}");
	assert_string_equal(v[9].buf, "\"*\"");
	assert_string_equal(v[10].buf, "[\"Default\", \"Unmasked\"]");
	assert_string_equal(v[11].buf, "[\"net.core.somaxconn\"]");
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_release(&v[i]);
	/* nothing needed: the restricted values; escalation only when privileged */
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_init(&v[i]);
	pspneeds_values(&over, true, v);
	assert_string_equal(v[0].buf, "true");
	assert_string_equal(v[1].buf, "false");
	assert_string_equal(v[4].buf, "[]");
	assert_string_equal(v[6].buf, "MustRunAsNonRoot");
	assert_string_equal(v[9].buf, "\"runtime/default,docker/default\"");
	assert_string_equal(v[11].buf, "[]");
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_release(&v[i]);
	pspneeds_release(&a);
	pspneeds_release(&b);
	pspneeds_release(&all);
}

/* Past 256 unsafe sysctl names, any sysctl: the list stops growing; ports are a set. */
static void test_limits(void **state)
{
	struct sbuf y = SBUF_INIT, v[PSPNEEDS_NKEYS];
	struct psp_needs n = PSP_NEEDS_INIT;
	size_t i;

	(void)state;
	sbuf_addstr(&y, "spec:\n  hostNetwork: true\n  securityContext:\n    sysctls:\n");
	for (i = 0; i < 300; i++)
		sbuf_addf(&y, "    - {name: net.core.x%zu, value: '1'}\n", i);
	sbuf_addstr(&y, "  containers:\n  - name: c\n    ports:\n");
	for (i = 65535; i > 60000; i--)
		sbuf_addf(&y, "    - {containerPort: %zu}\n", i);
	needs_of(y.buf, &n);
	assert_true(n.any_sysctl);
	assert_int_equal(n.nsysctls, PSPNEEDS_MAX_SYSCTLS);
	assert_int_equal(n.nports, 5535);
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_init(&v[i]);
	pspneeds_values(&n, false, v);
	assert_string_equal(v[4].buf, "[{min: 60001, max: 65535}]");
	assert_string_equal(v[11].buf, "[\"*\"]");
	for (i = 0; i < PSPNEEDS_NKEYS; i++)
		sbuf_release(&v[i]);
	pspneeds_release(&n);
	sbuf_release(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restricted_needs_nothing),
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_root_escalation_seccomp),
		cmocka_unit_test(test_root_from_images),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_merge_excess_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
