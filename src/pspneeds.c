/*
 * pspneeds.c - the fields a pod needs from a PodSecurityPolicy beyond the
 * restricted one (after kubernetes 1.24 pkg/security/podsecuritypolicy:
 * provider.go, sysctl/mustmatchpatterns.go, util.GetVolumeFSType).
 */
#include "capfix/pspneeds.h"
#include "capfix/imagemeta.h"
#include "capfix/k8s.h"
#include "capfix/k8sname.h"

/* Pod volume source fields and the PSP volume type each needs (PSP spells cephFS). */
static const struct {
	const char *field, *psp;
	bool restricted; /* in the restricted PSP's list */
} volume_types[] = {
	{ "configMap", "configMap", true },
	{ "csi", "csi", true },
	{ "downwardAPI", "downwardAPI", true },
	{ "emptyDir", "emptyDir", true },
	{ "ephemeral", "ephemeral", true },
	{ "persistentVolumeClaim", "persistentVolumeClaim", true },
	{ "projected", "projected", true },
	{ "secret", "secret", true },
	{ "awsElasticBlockStore", "awsElasticBlockStore", false },
	{ "azureDisk", "azureDisk", false },
	{ "azureFile", "azureFile", false },
	{ "cephfs", "cephFS", false },
	{ "cinder", "cinder", false },
	{ "fc", "fc", false },
	{ "flexVolume", "flexVolume", false },
	{ "flocker", "flocker", false },
	{ "gcePersistentDisk", "gcePersistentDisk", false },
	{ "gitRepo", "gitRepo", false },
	{ "glusterfs", "glusterfs", false },
	{ "hostPath", "hostPath", false },
	{ "iscsi", "iscsi", false },
	{ "nfs", "nfs", false },
	{ "photonPersistentDisk", "photonPersistentDisk", false },
	{ "portworxVolume", "portworxVolume", false },
	{ "quobyte", "quobyte", false },
	{ "rbd", "rbd", false },
	{ "scaleIO", "scaleIO", false },
	{ "storageos", "storageos", false },
	{ "vsphereVolume", "vsphereVolume", false },
	{ NULL, "*", false }, /* a type PSP does not know (image volumes, typos) */
};

#define VOLUME_ANY (ARRAY_SIZE(volume_types) - 1)

/* The kubelet's safe sysctls while PSP existed (pkg/kubelet/sysctl, 1.21-1.24). */
static const char *const safe_sysctls[] = { "kernel.shm_rmid_forced",
					    "net.ipv4.ip_local_port_range",
					    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
					    "net.ipv4.ip_unprivileged_port_start" };

const char *const pspneeds_keys[PSPNEEDS_NKEYS] = {
	"escalation",	       "host_network",	   "host_ipc",	       "host_pid",
	"host_ports",	       "volumes",	   "run_as_user",      "fs_group",
	"supplemental_groups", "seccomp_profiles", "proc_mount_types", "unsafe_sysctls"
};

#define PORT_WORDS (65536 / 64)

static bool has_port(const struct psp_needs *n, unsigned port)
{
	return n->ports && (n->ports[port / 64] >> (port % 64) & 1);
}

static void count_ports(struct psp_needs *n)
{
	size_t i;

	n->nports = 0;
	for (i = 0; n->ports && i < PORT_WORDS; i++)
		n->nports += (size_t)__builtin_popcountll(n->ports[i]);
}

static void add_port(struct psp_needs *n, long port)
{
	if (port < 1 || port > 65535 || has_port(n, (unsigned)port))
		return;
	if (!n->ports)
		n->ports = xcalloc(PORT_WORDS, sizeof(*n->ports));
	n->ports[port / 64] |= (uint64_t)1 << (port % 64);
	n->nports++;
}

/* Sorted insertion; past PSPNEEDS_MAX_SYSCTLS names, any (the list is not grown further). */
static void add_sysctl(struct psp_needs *n, const char *name)
{
	size_t lo = 0, hi = n->nsysctls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->sysctls[mid], name);

		if (!c)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (n->nsysctls >= PSPNEEDS_MAX_SYSCTLS) {
		n->any_sysctl = true;
		return;
	}
	CF_ALLOC_GROW(n->sysctls, n->nsysctls + 1, n->asysctls);
	memmove(n->sysctls + lo + 1, n->sysctls + lo, (n->nsysctls - lo) * sizeof(*n->sysctls));
	n->sysctls[lo] = xstrdup(name);
	n->nsysctls++;
}

static bool has_sysctl(const struct psp_needs *n, const char *name)
{
	size_t lo = 0, hi = n->nsysctls;

	if (n->any_sysctl)
		return true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->sysctls[mid], name);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A sysctl name as Kubernetes validates it: segments of [a-z0-9_-] (alphanumeric ends) joined by
 * '.' or '/'. */
static bool sysctl_name(const char *s)
{
	size_t i, n = strlen(s), start = 0;

	if (!n || n > 253)
		return false;
	for (i = 0; i <= n; i++) {
		char c = s[i];

		if (i < n &&
		    ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			continue;
		if (i < n && c != '.' && c != '/')
			return false;
		/* a segment [start, i) */
		if (i == start ||
		    !((s[start] >= 'a' && s[start] <= 'z') || (s[start] >= '0' && s[start] <= '9')))
			return false;
		c = s[i - 1];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
		start = i + 1;
	}
	return true;
}

/* A group id PSP's MustRunAs 1-65535 refuses (0 above all; text is never valid). */
static bool group_outside(const struct ynode *g)
{
	long v = yamlspan_int(g);

	return !yamlspan_is_null(yamlspan_deref(g)) && (v < 1 || v > 65535);
}

static bool seccomp_other(const struct ynode *sc)
{
	const char *t = yamlspan_dvalue(yamlspan_dget(yamlspan_dget(sc, "seccompProfile"), "type"));

	return t && strcmp(t, "RuntimeDefault");
}

static void volumes_of(const struct ynode *spec, struct psp_needs *n)
{
	const struct ynode *l = yamlspan_deref(yamlspan_dget(spec, "volumes"));
	size_t i, j, k;

	/* a volume without a source is defaulted to emptyDir by the API server */
	for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++) {
		const struct ynode *v = yamlspan_deref(l->kids[i]);

		for (j = 0; v && v->kind == YN_MAP && j + 1 < v->nkids; j += 2) {
			const char *key = yamlspan_dvalue(v->kids[j]);
			size_t t = VOLUME_ANY;

			if (!key || !strcmp(key, "name"))
				continue;
			for (k = 0; k < VOLUME_ANY; k++)
				if (!strcmp(key, volume_types[k].field))
					t = k;
			if (!volume_types[t].restricted)
				n->volumes |= (uint32_t)1 << t;
		}
	}
}

/* May container @c start as root under MustRunAsNonRoot's runAsNonRoot: true? */
static bool root_needed(const struct ynode *c, const struct ynode *spec,
			const struct imagemeta_set *images)
{
	const char *image = yamlspan_dvalue(yamlspan_dget(c, "image"));

	if (!k8s_may_run_as_root(c, spec))
		return false;
	/* runAsUser 0, or nothing said: the image's user decides, numeric and not 0 */
	return k8s_run_as(c, spec) == K8S_USER_ROOT || !images || !image ||
	       !imagemeta_user_numeric_nonroot(imagemeta_lookup(images, image));
}

static void container_of(const struct ynode *c, const struct ynode *spec, bool ports,
			 const struct imagemeta_set *images, struct psp_needs *n)
{
	const struct ynode *sc = yamlspan_dget(c, "securityContext");
	const struct ynode *add =
		yamlspan_deref(yamlspan_dget(yamlspan_dget(sc, "capabilities"), "add"));
	const struct ynode *pl = yamlspan_deref(yamlspan_dget(c, "ports"));
	const char *pm = yamlspan_dvalue(yamlspan_dget(sc, "procMount"));
	bool host_net = yamlspan_dtrue(yamlspan_dget(spec, "hostNetwork"));
	const struct ynode *nr = yamlspan_dget(sc, "runAsNonRoot");
	size_t i;

	if (!nr || yamlspan_is_null(nr))
		nr = yamlspan_dget(yamlspan_dget(spec, "securityContext"), "runAsNonRoot");
	/* MustRunAsNonRoot also refuses an explicit runAsNonRoot: false, whatever the user */
	if (root_needed(c, spec, images) ||
	    (nr && yamlspan_dstr(nr) && !yamlspan_is_null(nr) && !yamlspan_is_true(nr)))
		n->flags |= PSPNEEDS_ROOT;
	if (yamlspan_dtrue(yamlspan_dget(sc, "allowPrivilegeEscalation")))
		n->flags |= PSPNEEDS_ESCALATION;
	for (i = 0; add && add->kind == YN_SEQ && i < add->nkids; i++) {
		const char *s = yamlspan_dvalue(add->kids[i]);

		if (s && !strcmp(s, "CAP_SYS_ADMIN"))
			n->flags |= PSPNEEDS_ESCALATION;
	}
	if (seccomp_other(sc))
		n->flags |= PSPNEEDS_SECCOMP;
	if (pm && !strcmp(pm, "Unmasked"))
		n->flags |= PSPNEEDS_PROC_UNMASKED;
	for (i = 0; ports && pl && pl->kind == YN_SEQ && i < pl->nkids; i++) {
		const struct ynode *p = yamlspan_deref(pl->kids[i]);
		long hp = yamlspan_int(yamlspan_dget(p, "hostPort"));

		if (hp < 1 && host_net)
			hp = yamlspan_int(yamlspan_dget(p, "containerPort"));
		add_port(n, hp);
	}
}

void pspneeds_of(const struct ynode *spec, const struct ynode *metadata,
		 const struct imagemeta_set *images, struct psp_needs *n)
{
	static const char *const lists[] = { "initContainers", "containers",
					     "ephemeralContainers" };
	const struct ynode *psc = yamlspan_dget(spec, "securityContext");
	const struct ynode *ann = yamlspan_deref(yamlspan_dget(metadata, "annotations"));
	const struct ynode *sg = yamlspan_deref(yamlspan_dget(psc, "supplementalGroups"));
	const struct ynode *sy = yamlspan_deref(yamlspan_dget(psc, "sysctls"));
	static const char cprefix[] = "container.seccomp.security.alpha.kubernetes.io/";
	size_t i, j;

	if (yamlspan_dtrue(yamlspan_dget(spec, "hostNetwork")))
		n->flags |= PSPNEEDS_HOST_NETWORK;
	if (yamlspan_dtrue(yamlspan_dget(spec, "hostIPC")))
		n->flags |= PSPNEEDS_HOST_IPC;
	if (yamlspan_dtrue(yamlspan_dget(spec, "hostPID")))
		n->flags |= PSPNEEDS_HOST_PID;
	if (seccomp_other(psc))
		n->flags |= PSPNEEDS_SECCOMP;
	if (yamlspan_dget(psc, "fsGroup") && group_outside(yamlspan_dget(psc, "fsGroup")))
		n->flags |= PSPNEEDS_FS_GROUP;
	for (i = 0; sg && sg->kind == YN_SEQ && i < sg->nkids; i++)
		if (group_outside(sg->kids[i]))
			n->flags |= PSPNEEDS_SUPPLEMENTAL;
	for (i = 0; sy && sy->kind == YN_SEQ && i < sy->nkids; i++) {
		const char *name = yamlspan_dvalue(yamlspan_dget(sy->kids[i], "name"));
		bool safe = false;

		for (j = 0; name && j < ARRAY_SIZE(safe_sysctls); j++)
			safe |= !strcmp(name, safe_sysctls[j]);
		/* an invalid name is refused by the API server's validation already */
		if (name && !safe && sysctl_name(name))
			add_sysctl(n, name);
	}
	for (i = 0; ann && ann->kind == YN_MAP && i + 1 < ann->nkids; i += 2) {
		const char *k = yamlspan_dvalue(ann->kids[i]),
			   *v = yamlspan_dvalue(ann->kids[i + 1]);

		if (!k || !v ||
		    (strcmp(k, "seccomp.security.alpha.kubernetes.io/pod") &&
		     strncmp(k, cprefix, sizeof(cprefix) - 1)))
			continue;
		if (strcmp(v, "runtime/default") && strcmp(v, "docker/default"))
			n->flags |= PSPNEEDS_SECCOMP;
	}
	volumes_of(spec, n);
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		const struct ynode *l = yamlspan_deref(yamlspan_dget(spec, lists[i]));

		for (j = 0; l && l->kind == YN_SEQ && j < l->nkids; j++) {
			const struct ynode *c = yamlspan_deref(l->kids[j]);

			if (c && c->kind == YN_MAP)
				container_of(c, spec, i < 2, images, n);
		}
	}
}

void pspneeds_merge(struct psp_needs *into, const struct psp_needs *from)
{
	size_t i;

	into->flags |= from->flags;
	into->volumes |= from->volumes;
	if (from->ports) {
		if (!into->ports)
			into->ports = xcalloc(PORT_WORDS, sizeof(*into->ports));
		for (i = 0; i < PORT_WORDS; i++)
			into->ports[i] |= from->ports[i];
		count_ports(into);
	}
	for (i = 0; i < from->nsysctls; i++)
		add_sysctl(into, from->sysctls[i]);
	into->any_sysctl |= from->any_sysctl;
}

bool pspneeds_empty(const struct psp_needs *n)
{
	return !n->flags && !n->volumes && !n->nports && !n->nsysctls && !n->any_sysctl;
}

void pspneeds_excess(const struct psp_needs *n, const struct psp_needs *allowed,
		     struct psp_needs *out)
{
	size_t i;

	out->flags |= n->flags & ~allowed->flags;
	if (!(allowed->volumes & ((uint32_t)1 << VOLUME_ANY)))
		out->volumes |= n->volumes & ~allowed->volumes;
	if (n->ports) {
		if (!out->ports)
			out->ports = xcalloc(PORT_WORDS, sizeof(*out->ports));
		for (i = 0; i < PORT_WORDS; i++)
			out->ports[i] |= n->ports[i] & ~(allowed->ports ? allowed->ports[i] : 0);
		count_ports(out);
	}
	for (i = 0; i < n->nsysctls; i++)
		if (!has_sysctl(allowed, n->sysctls[i]))
			add_sysctl(out, n->sysctls[i]);
	out->any_sysctl |= n->any_sysctl && !allowed->any_sysctl;
}

/* "80, 8000-8002" from the ports; @yaml: "[{min: 80, max: 80}, ...]". */
static void port_ranges(struct sbuf *sb, const struct psp_needs *n, bool yaml)
{
	unsigned p = 1, q, k = 0;

	while (n->ports && p < 65536) {
		if (!has_port(n, p)) {
			p++;
			continue;
		}
		for (q = p; q + 1 < 65536 && has_port(n, q + 1); q++)
			;
		if (yaml)
			sbuf_addf(sb, "%s{min: %u, max: %u}", k++ ? ", " : "", p, q);
		else if (p == q)
			sbuf_addf(sb, "%s%u", k++ ? ", " : "", p);
		else
			sbuf_addf(sb, "%s%u-%u", k++ ? ", " : "", p, q);
		p = q + 1;
	}
}

void pspneeds_describe(const struct psp_needs *n, struct sbuf *sb)
{
	static const struct {
		unsigned flag;
		const char *text;
	} flags[] = {
		{ PSPNEEDS_HOST_NETWORK, "hostNetwork" },
		{ PSPNEEDS_HOST_IPC, "hostIPC" },
		{ PSPNEEDS_HOST_PID, "hostPID" },
		{ PSPNEEDS_ROOT, "runAsUser RunAsAny (may start as root)" },
		{ PSPNEEDS_ESCALATION, "allowPrivilegeEscalation" },
		{ PSPNEEDS_SECCOMP, "any seccomp profile" },
		{ PSPNEEDS_PROC_UNMASKED, "procMount Unmasked" },
		{ PSPNEEDS_FS_GROUP, "fsGroup RunAsAny" },
		{ PSPNEEDS_SUPPLEMENTAL, "supplementalGroups RunAsAny" },
	};
	size_t i, k = 0, start = sb->len;

	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (n->flags & flags[i].flag)
			sbuf_addf(sb, "%s%s", k++ ? ", " : "", flags[i].text);
	if (n->nports) {
		sbuf_addstr(sb, k++ ? ", hostPorts " : "hostPorts ");
		port_ranges(sb, n, false);
	}
	if (n->volumes) {
		size_t m = 0;

		sbuf_addstr(sb, k++ ? ", volumes " : "volumes ");
		for (i = 0; i < ARRAY_SIZE(volume_types); i++)
			if (n->volumes & ((uint32_t)1 << i))
				sbuf_addf(sb, "%s%s", m++ ? " " : "", volume_types[i].psp);
	}
	if (n->any_sysctl) {
		sbuf_addf(sb, "%sallowedUnsafeSysctls * (more than %d names)", k++ ? ", " : "",
			  PSPNEEDS_MAX_SYSCTLS);
	} else if (n->nsysctls) {
		sbuf_addstr(sb, k++ ? ", allowedUnsafeSysctls " : "allowedUnsafeSysctls ");
		for (i = 0; i < n->nsysctls; i++)
			sbuf_addf(sb, "%s%s", i ? " " : "", n->sysctls[i]);
	}
	if (sb->len == start)
		sbuf_addstr(sb, "nothing");
}

void pspneeds_values(const struct psp_needs *n, bool privileged, struct sbuf vals[PSPNEEDS_NKEYS])
{
	size_t i, k = 0;

#define FLAG(f) ((n->flags & (f)) ? "true" : "false")
	sbuf_addstr(&vals[0], privileged || (n->flags & PSPNEEDS_ESCALATION) ? "true" : "false");
	sbuf_addstr(&vals[1], FLAG(PSPNEEDS_HOST_NETWORK));
	sbuf_addstr(&vals[2], FLAG(PSPNEEDS_HOST_IPC));
	sbuf_addstr(&vals[3], FLAG(PSPNEEDS_HOST_PID));
#undef FLAG
	sbuf_addch(&vals[4], '[');
	port_ranges(&vals[4], n, true);
	sbuf_addch(&vals[4], ']');
	sbuf_addch(&vals[5], '[');
	if (n->volumes & ((uint32_t)1 << VOLUME_ANY)) {
		sbuf_addstr(&vals[5], "\"*\"");
	} else {
		for (i = 0; i < ARRAY_SIZE(volume_types); i++)
			if (volume_types[i].restricted || (n->volumes & ((uint32_t)1 << i)))
				sbuf_addf(&vals[5], "%s\"%s\"", k++ ? ", " : "",
					  volume_types[i].psp);
	}
	sbuf_addch(&vals[5], ']');
	sbuf_addstr(&vals[6], n->flags & PSPNEEDS_ROOT ? "RunAsAny" : "MustRunAsNonRoot");
	sbuf_addstr(&vals[7], n->flags & PSPNEEDS_FS_GROUP
				      ? "{rule: RunAsAny}"
				      : "{rule: MustRunAs, ranges: [{min: 1, max: 65535}]}");
	sbuf_addstr(&vals[8], n->flags & PSPNEEDS_SUPPLEMENTAL
				      ? "{rule: RunAsAny}"
				      : "{rule: MustRunAs, ranges: [{min: 1, max: 65535}]}");
	sbuf_addstr(&vals[9],
		    n->flags & PSPNEEDS_SECCOMP ? "\"*\"" : "\"runtime/default,docker/default\"");
	sbuf_addstr(&vals[10], n->flags & PSPNEEDS_PROC_UNMASKED ? "[\"Default\", \"Unmasked\"]"
								 : "[\"Default\"]");
	sbuf_addch(&vals[11], '[');
	for (i = 0; !n->any_sysctl && i < n->nsysctls; i++) {
		sbuf_addstr(&vals[11], i ? ", " : "");
		k8sname_yaml(&vals[11], n->sysctls[i]);
	}
	if (n->any_sysctl)
		sbuf_addstr(&vals[11], "\"*\"");
	sbuf_addch(&vals[11], ']');
}

void pspneeds_release(struct psp_needs *n)
{
	size_t i;

	for (i = 0; i < n->nsysctls; i++)
		free(n->sysctls[i]);
	free(n->sysctls);
	free(n->ports);
	memset(n, 0, sizeof(*n));
}
