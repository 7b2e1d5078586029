/*
 * pss.c - Pod Security Standards checks, after kubernetes/pod-security-admission
 * (policy/check_*.go): same fields, same exact-string comparisons, messages
 * worded like the API server's ("forbidden reason (detail)").
 */
#include "capfix/pss.h"
#include "capfix/sbuf.h"

static const char *const level_names[] = { "privileged", "baseline", "restricted" };

const char *pss_level_name(enum pss_level level)
{
	return (size_t)level < ARRAY_SIZE(level_names) ? level_names[level] : "?";
}

int pss_version_parse(const char *s)
{
	char *end;
	long v;

	if (!strcmp(s, "latest"))
		return 0;
	if (strncmp(s, "v1.", 3) || !s[3] || s[3] == '0' || s[3] == '+' || s[3] == '-')
		return -1;
	v = strtol(s + 3, &end, 10);
	if (*end || v < PSS_OLDEST_MINOR || v > PSS_LATEST_MINOR)
		return -1;
	return (int)v;
}

const char *pss_version_name(int minor)
{
	static const char *const names[] = { "v1.23", "v1.24", "v1.25", "v1.26", "v1.27",
					     "v1.28", "v1.29", "v1.30", "v1.31", "v1.32",
					     "v1.33", "v1.34", "v1.35", "v1.36", "v1.37" };

	if (minor < PSS_OLDEST_MINOR || minor > PSS_LATEST_MINOR)
		return "latest";
	return names[minor - PSS_OLDEST_MINOR];
}

int pss_level_parse(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(level_names); i++)
		if (!strcmp(s, level_names[i]))
			return (int)i;
	return -1;
}

static void violation(struct pss_result *r, enum pss_level level, const char *check,
		      const char *fmt, ...) CF_PRINTF(4, 5);

static void violation(struct pss_result *r, enum pss_level level, const char *check,
		      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CF_ALLOC_GROW(r->v, r->n + 1, r->alloc);
	r->v[r->n].level = level;
	r->v[r->n].check = check;
	r->v[r->n].message = xstrdup(msg);
	r->n++;
	/* the level met is below the level of the failed check */
	if (level == PSS_BASELINE)
		r->level = PSS_PRIVILEGED;
	else if (level == PSS_RESTRICTED && r->level == PSS_RESTRICTED)
		r->level = PSS_BASELINE;
}

/* ---- reading ---- */

static bool is_false(const struct ynode *n)
{
	const char *s = yamlspan_dvalue(n);

	return s && n->style == YS_PLAIN &&
	       (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE") ||
		!strcmp(s, "no") || !strcmp(s, "No") || !strcmp(s, "off"));
}

static bool set(const struct ynode *n)
{
	return n && !yamlspan_is_null(n);
}

/* Integer value, or LONG_MIN when unset or not a number. */
static long num(const struct ynode *n)
{
	const char *s = yamlspan_dvalue(n);
	char *end;
	long v;

	if (!s || !*s)
		return -2147483647L - 1;
	v = strtol(s, &end, 10);
	return *end ? -2147483647L - 1 : v;
}

#define UNSET (-2147483647L - 1)

struct ctr {
	const struct ynode *c;
	const char *name;
};

#define MAXC 256

static size_t containers(const struct ynode *spec, struct ctr *out)
{
	static const char *const lists[] = { "initContainers", "containers",
					     "ephemeralContainers" };
	size_t i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		const struct ynode *l = yamlspan_dget(spec, lists[i]);

		for (j = 0; l && l->kind == YN_SEQ && j < l->nkids && n < MAXC; j++) {
			const struct ynode *c = yamlspan_deref(l->kids[j]);

			if (!c || c->kind != YN_MAP)
				continue;
			out[n].c = c;
			out[n].name = yamlspan_dvalue(yamlspan_dget(c, "name"))
					      ? yamlspan_dvalue(yamlspan_dget(c, "name"))
					      : "";
			n++;
		}
	}
	return n;
}

/* Append `"a", "b"` style names to @sb. */
static void quoted(struct sbuf *sb, const char *s)
{
	sbuf_addf(sb, "%s\"%s\"", sb->len ? ", " : "", s);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* ---- baseline ---- */

static const char *const baseline_caps[] = {
	"AUDIT_WRITE",	    "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",	 "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static void check_host_process(const struct ynode *spec, const struct ctr *cs, size_t n,
			       struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;
	bool pod = yamlspan_dtrue(yamlspan_dget(
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "windowsOptions"),
		"hostProcess"));

	for (i = 0; i < n; i++)
		if (yamlspan_dtrue(
			    yamlspan_dget(yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"),
							"windowsOptions"),
					  "hostProcess")))
			quoted(&sb, cs[i].name);
	if (pod || sb.len)
		violation(
			r, PSS_BASELINE, "hostProcess",
			"hostProcess (%s%s%s must not set securityContext.windowsOptions.hostProcess=true)",
			pod ? "pod" : "", pod && sb.len ? " and " : "",
			sb.len ? sbuf_cstr(&sb) : "");
	sbuf_release(&sb);
}

static void check_host_namespaces(const struct ynode *spec, struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;

	if (yamlspan_dtrue(yamlspan_dget(spec, "hostNetwork")))
		sbuf_addstr(&sb, "hostNetwork=true");
	if (yamlspan_dtrue(yamlspan_dget(spec, "hostPID")))
		sbuf_addf(&sb, "%shostPID=true", sb.len ? ", " : "");
	if (yamlspan_dtrue(yamlspan_dget(spec, "hostIPC")))
		sbuf_addf(&sb, "%shostIPC=true", sb.len ? ", " : "");
	if (sb.len)
		violation(r, PSS_BASELINE, "hostNamespaces", "host namespaces (%s)", sb.buf);
	sbuf_release(&sb);
}

static void check_privileged(const struct ctr *cs, size_t n, struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (yamlspan_dtrue(yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"),
						 "privileged"))) {
			quoted(&sb, cs[i].name);
			k++;
		}
	if (k)
		violation(r, PSS_BASELINE, "privileged",
			  "privileged (%s %s must not set securityContext.privileged=true)",
			  plural(k, "container", "containers"), sb.buf);
	sbuf_release(&sb);
}

static void check_capabilities_baseline(const struct ctr *cs, size_t n, struct pss_result *r)
{
	struct sbuf ctrs = SBUF_INIT, caps = SBUF_INIT;
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		const struct ynode *add = yamlspan_dget(
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "capabilities"),
			"add");
		bool bad = false;

		for (j = 0; add && add->kind == YN_SEQ && j < add->nkids; j++) {
			const char *s = yamlspan_dvalue(add->kids[j]);

			if (s && !in_list(s, baseline_caps, ARRAY_SIZE(baseline_caps))) {
				if (!strstr(caps.buf ? caps.buf : "", s))
					quoted(&caps, s);
				bad = true;
			}
		}
		if (bad) {
			quoted(&ctrs, cs[i].name);
			k++;
		}
	}
	if (k)
		violation(
			r, PSS_BASELINE, "capabilities_baseline",
			"non-default capabilities (%s %s must not include %s in securityContext.capabilities.add)",
			plural(k, "container", "containers"), ctrs.buf, caps.buf);
	sbuf_release(&ctrs);
	sbuf_release(&caps);
}

static void check_host_path(const struct ynode *spec, struct pss_result *r)
{
	const struct ynode *vols = yamlspan_dget(spec, "volumes");
	struct sbuf sb = SBUF_INIT;
	size_t i, k = 0;

	for (i = 0; vols && vols->kind == YN_SEQ && i < vols->nkids; i++) {
		const struct ynode *v = yamlspan_deref(vols->kids[i]);

		if (set(yamlspan_dget(v, "hostPath"))) {
			quoted(&sb, yamlspan_dvalue(yamlspan_dget(v, "name"))
					    ? yamlspan_dvalue(yamlspan_dget(v, "name"))
					    : "");
			k++;
		}
	}
	if (k)
		violation(r, PSS_BASELINE, "hostPathVolumes", "hostPath volumes (%s %s)",
			  plural(k, "volume", "volumes"), sb.buf);
	sbuf_release(&sb);
}

static void check_host_ports(const struct ctr *cs, size_t n, struct pss_result *r)
{
	struct sbuf ctrs = SBUF_INIT, ports = SBUF_INIT;
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		const struct ynode *ps = yamlspan_dget(cs[i].c, "ports");
		bool bad = false;

		for (j = 0; ps && ps->kind == YN_SEQ && j < ps->nkids; j++) {
			long hp = num(yamlspan_dget(ps->kids[j], "hostPort"));

			if (hp != UNSET && hp != 0) {
				sbuf_addf(&ports, "%s%ld", ports.len ? ", " : "", hp);
				bad = true;
			}
		}
		if (bad) {
			quoted(&ctrs, cs[i].name);
			k++;
		}
	}
	if (k)
		violation(r, PSS_BASELINE, "hostPorts", "hostPort (%s %s %s %s %s)",
			  plural(k, "container", "containers"), ctrs.buf, k == 1 ? "uses" : "use",
			  strchr(ports.buf, ',') ? "hostPorts" : "hostPort", ports.buf);
	sbuf_release(&ctrs);
	sbuf_release(&ports);
}

static bool apparmor_ok(const char *t)
{
	return !t || !strcmp(t, "RuntimeDefault") || !strcmp(t, "Localhost");
}

static void check_apparmor(const struct ynode *spec, const struct ynode *md, const struct ctr *cs,
			   size_t n, struct pss_result *r)
{
	const struct ynode *ann = yamlspan_dget(md, "annotations");
	struct sbuf setters = SBUF_INIT, ctrs = SBUF_INIT, values = SBUF_INIT;
	const char *pt = yamlspan_dvalue(yamlspan_dget(
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "appArmorProfile"), "type"));
	size_t i, k = 0, nann = 0, nvals = 0;

	/* upstream: setters "pod", containers, "annotation(s)"; values: the bad types
	 * (sorted, unique), then the annotations key="value" (sorted) */
	if (!apparmor_ok(pt)) {
		sbuf_addstr(&setters, "pod");
		quoted(&values, pt);
		nvals++;
	}
	for (i = 0; i < n; i++) {
		const char *t = yamlspan_dvalue(yamlspan_dget(
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "appArmorProfile"),
			"type"));

		if (!apparmor_ok(t)) {
			quoted(&ctrs, cs[i].name);
			k++;
			if (!strstr(values.buf ? values.buf : "", t)) {
				quoted(&values, t);
				nvals++;
			}
		}
	}
	if (k)
		sbuf_addf(&setters, "%s%s %s", setters.len ? " and " : "",
			  plural(k, "container", "containers"), ctrs.buf);
	for (i = 0; ann && ann->kind == YN_MAP && i + 1 < ann->nkids; i += 2) {
		const char *key = yamlspan_dvalue(ann->kids[i]),
			   *v = yamlspan_dvalue(ann->kids[i + 1]);
		static const char prefix[] = "container.apparmor.security.beta.kubernetes.io/";

		if (!key || strncmp(key, prefix, sizeof(prefix) - 1) || !v || !*v)
			continue;
		if (strcmp(v, "runtime/default") && strncmp(v, "localhost/", 10)) {
			sbuf_addf(&values, "%s\"%s=\"%s\"\"", values.len ? ", " : "", key, v);
			nann++;
			nvals++;
		}
	}
	if (nann)
		sbuf_addf(&setters, "%s%s", setters.len ? " and " : "",
			  plural(nann, "annotation", "annotations"));
	if (setters.len)
		violation(
			r, PSS_BASELINE, "appArmorProfile",
			"%s (%s must not set AppArmor profile type to %s)",
			plural(nvals, "forbidden AppArmor profile", "forbidden AppArmor profiles"),
			setters.buf, values.buf);
	sbuf_release(&setters);
	sbuf_release(&ctrs);
	sbuf_release(&values);
}

struct selinux_bad {
	struct sbuf types; /* `"a", "b"` */
	bool user, role;
};

static bool selinux_bad(const struct ynode *o, int minor, struct selinux_bad *b)
{
	static const char *const types[] = { "container_t", "container_init_t", "container_kvm_t",
					     "container_engine_t" };
	const char *t = yamlspan_dvalue(yamlspan_dget(o, "type")),
		   *u = yamlspan_dvalue(yamlspan_dget(o, "user")),
		   *ro = yamlspan_dvalue(yamlspan_dget(o, "role"));
	/* container_engine_t is allowed from 1.31 */
	size_t ntypes = minor >= 31 ? ARRAY_SIZE(types) : ARRAY_SIZE(types) - 1;
	bool bad = false;

	if (!o || o->kind != YN_MAP)
		return false;
	if (t && *t && !in_list(t, types, ntypes)) {
		char q[300];

		snprintf(q, sizeof(q), "\"%s\"", t);
		if (!strstr(b->types.buf ? b->types.buf : "", q))
			quoted(&b->types, t);
		bad = true;
	}
	if (u && *u)
		bad = b->user = true;
	if (ro && *ro)
		bad = b->role = true;
	return bad;
}

static void check_selinux(const struct ynode *spec, const struct ctr *cs, size_t n, int minor,
			  struct pss_result *r)
{
	struct selinux_bad b = { SBUF_INIT, false, false };
	struct sbuf ctrs = SBUF_INIT, data = SBUF_INIT;
	size_t i, k = 0;
	bool pod = selinux_bad(
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "seLinuxOptions"), minor, &b);

	for (i = 0; i < n; i++)
		if (selinux_bad(yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"),
					      "seLinuxOptions"),
				minor, &b)) {
			quoted(&ctrs, cs[i].name);
			k++;
		}
	if (pod || k) {
		if (b.types.len)
			sbuf_addf(&data, "%s %s", strchr(b.types.buf, ',') ? "types" : "type",
				  b.types.buf);
		if (b.user)
			sbuf_addf(&data, "%suser may not be set", data.len ? "; " : "");
		if (b.role)
			sbuf_addf(&data, "%srole may not be set", data.len ? "; " : "");
		violation(
			r, PSS_BASELINE, "seLinuxOptions",
			"seLinuxOptions (%s%s%s%s%s set forbidden securityContext.seLinuxOptions: %s)",
			pod ? "pod" : "", pod && k ? " and " : "",
			k ? plural(k, "container ", "containers ") : "", k ? ctrs.buf : "", "",
			data.buf ? data.buf : "");
	}
	sbuf_release(&b.types);
	sbuf_release(&ctrs);
	sbuf_release(&data);
}

/* procMount_1_0: @level baseline ("procMount") or restricted ("procMount_restricted", 1.35+). */
static void check_proc_mount(const struct ctr *cs, size_t n, enum pss_level level,
			     struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT, types = SBUF_INIT;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const char *pm = yamlspan_dvalue(
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "procMount"));

		if (pm && strcmp(pm, "Default")) {
			char q[300];

			quoted(&sb, cs[i].name);
			k++;
			snprintf(q, sizeof(q), "\"%s\"", pm);
			if (!strstr(types.buf ? types.buf : "", q))
				quoted(&types, pm);
		}
	}
	if (k)
		violation(r, level, level == PSS_BASELINE ? "procMount" : "procMount_restricted",
			  "procMount (%s %s must not set securityContext.procMount to %s)",
			  plural(k, "container", "containers"), sb.buf, types.buf);
	sbuf_release(&sb);
	sbuf_release(&types);
}

/* spec.hostUsers: false (the pod runs in a user namespace). */
static bool user_namespace(const struct ynode *spec)
{
	return is_false(yamlspan_dget(spec, "hostUsers"));
}

/* hostProbesAndHostLifecycle (1.34+): probe and lifecycle handler hosts. */
static void probe_hosts(const struct ynode *h, struct sbuf *hosts, bool *bad)
{
	static const char *const kinds[] = { "httpGet", "tcpSocket" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		const char *host =
			yamlspan_dvalue(yamlspan_dget(yamlspan_dget(h, kinds[i]), "host"));
		char q[300];

		if (!host || !*host)
			continue;
		*bad = true;
		snprintf(q, sizeof(q), "\"%s\"", host);
		if (!strstr(hosts->buf ? hosts->buf : "", q))
			quoted(hosts, host);
	}
}

static void check_host_probes(const struct ctr *cs, size_t n, struct pss_result *r)
{
	static const char *const probes[] = { "livenessProbe", "readinessProbe", "startupProbe" };
	struct sbuf ctrs = SBUF_INIT, hosts = SBUF_INIT;
	size_t i, j, k = 0, nh;

	for (i = 0; i < n; i++) {
		const struct ynode *lc = yamlspan_dget(cs[i].c, "lifecycle");
		bool bad = false;

		for (j = 0; j < ARRAY_SIZE(probes); j++)
			probe_hosts(yamlspan_dget(cs[i].c, probes[j]), &hosts, &bad);
		probe_hosts(yamlspan_dget(lc, "postStart"), &hosts, &bad);
		probe_hosts(yamlspan_dget(lc, "preStop"), &hosts, &bad);
		if (bad) {
			quoted(&ctrs, cs[i].name);
			k++;
		}
	}
	if (k) {
		nh = 1;
		for (i = 0; i < hosts.len; i++)
			nh += hosts.buf[i] == ',';
		violation(r, PSS_BASELINE, "hostProbesAndHostLifecycle",
			  "probe or lifecycle host (%s %s %s %s %s)",
			  plural(k, "container", "containers"), ctrs.buf, k == 1 ? "uses" : "use",
			  plural(nh, "probe or lifecycle host", "probe or lifecycle hosts"),
			  hosts.buf);
	}
	sbuf_release(&ctrs);
	sbuf_release(&hosts);
}

static void check_seccomp_baseline(const struct ynode *spec, const struct ctr *cs, size_t n,
				   struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;
	const char *pt = yamlspan_dvalue(yamlspan_dget(
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "seccompProfile"), "type"));
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const char *t = yamlspan_dvalue(yamlspan_dget(
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "seccompProfile"),
			"type"));

		if (t && !strcmp(t, "Unconfined")) {
			quoted(&sb, cs[i].name);
			k++;
		}
	}
	if ((pt && !strcmp(pt, "Unconfined")) || k)
		violation(
			r, PSS_BASELINE, "seccompProfile_baseline",
			"seccompProfile (%s%s%s%s%s must not set securityContext.seccompProfile.type to \"Unconfined\")",
			pt && !strcmp(pt, "Unconfined") ? "pod" : "",
			pt && !strcmp(pt, "Unconfined") && k ? " and " : "",
			k ? plural(k, "container ", "containers ") : "", k ? sb.buf : "", "");
	sbuf_release(&sb);
}

static void check_sysctls(const struct ynode *spec, int minor, struct pss_result *r)
{
	/* the allowed set grows with the version: count the names allowed at @minor */
	static const struct {
		const char *name;
		int since;
	} safe[] = {
		{ "kernel.shm_rmid_forced", 0 },
		{ "net.ipv4.ip_local_port_range", 0 },
		{ "net.ipv4.tcp_syncookies", 0 },
		{ "net.ipv4.ping_group_range", 0 },
		{ "net.ipv4.ip_unprivileged_port_start", 0 },
		{ "net.ipv4.ip_local_reserved_ports", 27 },
		{ "net.ipv4.tcp_keepalive_time", 29 },
		{ "net.ipv4.tcp_fin_timeout", 29 },
		{ "net.ipv4.tcp_keepalive_intvl", 29 },
		{ "net.ipv4.tcp_keepalive_probes", 29 },
		{ "net.ipv4.tcp_rmem", 32 },
		{ "net.ipv4.tcp_wmem", 32 },
		{ "net.ipv4.tcp_slow_start_after_idle", 37 },
		{ "net.ipv4.tcp_notsent_lowat", 37 },
	};
	const struct ynode *l = yamlspan_dget(yamlspan_dget(spec, "securityContext"), "sysctls");
	struct sbuf sb = SBUF_INIT;
	size_t i, j;

	for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++) {
		const char *name = yamlspan_dvalue(yamlspan_dget(l->kids[i], "name"));
		bool ok = false;

		for (j = 0; name && j < ARRAY_SIZE(safe); j++)
			ok |= safe[j].since <= minor && !strcmp(name, safe[j].name);
		if (name && !ok)
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", name);
	}
	if (sb.len)
		violation(r, PSS_BASELINE, "sysctls", "forbidden sysctls (%s)", sb.buf);
	sbuf_release(&sb);
}

/* ---- restricted ---- */

static void check_volume_types(const struct ynode *spec, struct pss_result *r)
{
	static const char *const allowed[] = { "configMap", "csi",	 "downwardAPI",
					       "emptyDir",  "ephemeral", "persistentVolumeClaim",
					       "projected", "secret" };
	const struct ynode *vols = yamlspan_dget(spec, "volumes");
	struct sbuf sb = SBUF_INIT;
	size_t i, j, k = 0;

	for (i = 0; vols && vols->kind == YN_SEQ && i < vols->nkids; i++) {
		const struct ynode *v = yamlspan_deref(vols->kids[i]);

		for (j = 0; v && v->kind == YN_MAP && j + 1 < v->nkids; j += 2) {
			const char *t = yamlspan_dvalue(v->kids[j]);

			if (!t || !strcmp(t, "name") || !set(v->kids[j + 1]) ||
			    in_list(t, allowed, ARRAY_SIZE(allowed)))
				continue;
			sbuf_addf(&sb, "%svolume \"%s\" uses restricted volume type \"%s\"",
				  sb.len ? ", " : "",
				  yamlspan_dvalue(yamlspan_dget(v, "name"))
					  ? yamlspan_dvalue(yamlspan_dget(v, "name"))
					  : "",
				  t);
			k++;
		}
	}
	if (k)
		violation(r, PSS_RESTRICTED, "restrictedVolumes", "restricted volume types (%s)",
			  sb.buf);
	sbuf_release(&sb);
}

static void check_privilege_escalation(const struct ctr *cs, size_t n, struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!is_false(yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"),
					    "allowPrivilegeEscalation"))) {
			quoted(&sb, cs[i].name);
			k++;
		}
	if (k)
		violation(
			r, PSS_RESTRICTED, "allowPrivilegeEscalation",
			"allowPrivilegeEscalation != false (%s %s must set securityContext.allowPrivilegeEscalation=false)",
			plural(k, "container", "containers"), sb.buf);
	sbuf_release(&sb);
}

static void check_run_as_non_root(const struct ynode *spec, const struct ctr *cs, size_t n,
				  struct pss_result *r)
{
	const struct ynode *pod =
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "runAsNonRoot");
	struct sbuf explicit_false = SBUF_INIT, unset = SBUF_INIT;
	size_t i, kf = 0, ku = 0;
	bool pod_true = yamlspan_dtrue(pod), pod_false = is_false(pod);

	for (i = 0; i < n; i++) {
		const struct ynode *c =
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "runAsNonRoot");

		if (is_false(c)) {
			quoted(&explicit_false, cs[i].name);
			kf++;
		} else if (!yamlspan_dtrue(c) && !pod_true) {
			quoted(&unset, cs[i].name);
			ku++;
		}
	}
	if (pod_false || kf) {
		violation(
			r, PSS_RESTRICTED, "runAsNonRoot",
			"runAsNonRoot != true (%s%s%s%s%s must not set securityContext.runAsNonRoot=false)",
			pod_false ? "pod" : "", pod_false && kf ? " and " : "",
			kf ? plural(kf, "container ", "containers ") : "",
			kf ? explicit_false.buf : "", "");
	} else if (ku) {
		violation(
			r, PSS_RESTRICTED, "runAsNonRoot",
			"runAsNonRoot != true (pod or %s %s must set securityContext.runAsNonRoot=true)",
			plural(ku, "container", "containers"), unset.buf);
	}
	sbuf_release(&explicit_false);
	sbuf_release(&unset);
}

static void check_run_as_user(const struct ynode *spec, const struct ctr *cs, size_t n,
			      struct pss_result *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t i, k = 0;
	bool pod = num(yamlspan_dget(yamlspan_dget(spec, "securityContext"), "runAsUser")) == 0;

	for (i = 0; i < n; i++)
		if (num(yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "runAsUser")) ==
		    0) {
			quoted(&sb, cs[i].name);
			k++;
		}
	if (pod || k)
		violation(r, PSS_RESTRICTED, "runAsUser",
			  "runAsUser=0 (%s%s%s%s must not set runAsUser=0)", pod ? "pod" : "",
			  pod && k ? " and " : "", k ? plural(k, "container ", "containers ") : "",
			  k ? sb.buf : "");
	sbuf_release(&sb);
}

static bool seccomp_ok(const char *t)
{
	return t && (!strcmp(t, "RuntimeDefault") || !strcmp(t, "Localhost"));
}

static void check_seccomp_restricted(const struct ynode *spec, const struct ctr *cs, size_t n,
				     struct pss_result *r)
{
	const char *pt = yamlspan_dvalue(yamlspan_dget(
		yamlspan_dget(yamlspan_dget(spec, "securityContext"), "seccompProfile"), "type"));
	struct sbuf unset = SBUF_INIT, badv = SBUF_INIT;
	size_t i, ku = 0, kb = 0;

	for (i = 0; i < n; i++) {
		const char *t = yamlspan_dvalue(yamlspan_dget(
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "seccompProfile"),
			"type"));

		if (t && !seccomp_ok(t) && strcmp(t, "Unconfined")) {
			sbuf_addf(
				&badv,
				"%scontainer \"%s\" must not set securityContext.seccompProfile.type to \"%s\"",
				badv.len ? ", " : "", cs[i].name, t);
			kb++;
		} else if (!t && !seccomp_ok(pt)) {
			quoted(&unset, cs[i].name);
			ku++;
		}
	}
	if (pt && !seccomp_ok(pt) && strcmp(pt, "Unconfined"))
		sbuf_addf(&badv, "%spod must not set securityContext.seccompProfile.type to \"%s\"",
			  badv.len ? ", " : "", pt);
	if (badv.len)
		violation(r, PSS_RESTRICTED, "seccompProfile_restricted", "seccompProfile (%s)",
			  badv.buf);
	else if (ku)
		violation(
			r, PSS_RESTRICTED, "seccompProfile_restricted",
			"seccompProfile (pod or %s %s must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
			plural(ku, "container", "containers"), unset.buf);
	sbuf_release(&unset);
	sbuf_release(&badv);
}

static void check_capabilities_restricted(const struct ctr *cs, size_t n, struct pss_result *r)
{
	struct sbuf nodrop = SBUF_INIT, added = SBUF_INIT, addctrs = SBUF_INIT;
	size_t i, j, kd = 0, ka = 0;

	for (i = 0; i < n; i++) {
		const struct ynode *caps =
			yamlspan_dget(yamlspan_dget(cs[i].c, "securityContext"), "capabilities");
		const struct ynode *drop = yamlspan_dget(caps, "drop"),
				   *add = yamlspan_dget(caps, "add");
		bool all = false, bad = false;

		for (j = 0; drop && drop->kind == YN_SEQ && j < drop->nkids; j++)
			all |= yamlspan_dvalue(drop->kids[j]) &&
			       !strcmp(yamlspan_dvalue(drop->kids[j]), "ALL");
		if (!all) {
			quoted(&nodrop, cs[i].name);
			kd++;
		}
		for (j = 0; add && add->kind == YN_SEQ && j < add->nkids; j++) {
			const char *s = yamlspan_dvalue(add->kids[j]);

			if (s && strcmp(s, "NET_BIND_SERVICE")) {
				if (!strstr(added.buf ? added.buf : "", s))
					quoted(&added, s);
				bad = true;
			}
		}
		if (bad) {
			quoted(&addctrs, cs[i].name);
			ka++;
		}
	}
	if (kd || ka) {
		struct sbuf m = SBUF_INIT;

		if (kd)
			sbuf_addf(&m, "%s %s must set securityContext.capabilities.drop=[\"ALL\"]",
				  plural(kd, "container", "containers"), nodrop.buf);
		if (ka)
			sbuf_addf(&m,
				  "%s%s %s must not include %s in securityContext.capabilities.add",
				  m.len ? "; " : "", plural(ka, "container", "containers"),
				  addctrs.buf, added.buf);
		violation(r, PSS_RESTRICTED, "capabilities_restricted",
			  "unrestricted capabilities (%s)", m.buf);
		sbuf_release(&m);
	}
	sbuf_release(&nodrop);
	sbuf_release(&added);
	sbuf_release(&addctrs);
}

void pss_evaluate_version(const struct ynode *spec, const struct ynode *metadata, int minor,
			  struct pss_result *out)
{
	struct ctr cs[MAXC];
	size_t n;
	const char *os;
	bool windows, userns;

	if (!minor)
		minor = PSS_LATEST_MINOR;
	out->level = PSS_RESTRICTED;
	spec = yamlspan_deref(spec);
	if (!spec || spec->kind != YN_MAP)
		return;
	os = yamlspan_dvalue(yamlspan_dget(yamlspan_dget(spec, "os"), "name"));
	/* Windows pods skip three restricted checks from 1.25 (the *_1_25 variants) */
	windows = minor >= 25 && os && !strcmp(os, "windows");
	/* hostUsers: false relaxes procMount (baseline), runAsNonRoot, runAsUser from 1.35 */
	userns = minor >= 35 && user_namespace(spec);
	n = containers(spec, cs);
	/* baseline */
	check_host_process(spec, cs, n, out);
	check_host_namespaces(spec, out);
	check_privileged(cs, n, out);
	check_capabilities_baseline(cs, n, out);
	check_host_path(spec, out);
	check_host_ports(cs, n, out);
	if (minor >= 34)
		check_host_probes(cs, n, out);
	check_apparmor(spec, metadata, cs, n, out);
	check_selinux(spec, cs, n, minor, out);
	if (!userns)
		check_proc_mount(cs, n, PSS_BASELINE, out);
	check_seccomp_baseline(spec, cs, n, out);
	check_sysctls(spec, minor, out);
	/* restricted */
	check_volume_types(spec, out);
	if (!windows)
		check_privilege_escalation(cs, n, out);
	if (!userns)
		check_run_as_non_root(spec, cs, n, out);
	if (!userns)
		check_run_as_user(spec, cs, n, out);
	if (!windows)
		check_seccomp_restricted(spec, cs, n, out);
	if (!windows)
		check_capabilities_restricted(cs, n, out);
	/* procMount_restricted (1.35+) overrides procMount at restricted: user namespaces
	 * or not, only Default; before 1.35 the baseline check already covers it */
	if (minor >= 35 && userns)
		check_proc_mount(cs, n, PSS_RESTRICTED, out);
}

void pss_evaluate(const struct ynode *spec, const struct ynode *metadata, struct pss_result *out)
{
	pss_evaluate_version(spec, metadata, 0, out);
}

void pss_result_release(struct pss_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		free(res->v[i].message);
	free(res->v);
	res->v = NULL;
	res->n = res->alloc = 0;
	res->level = PSS_RESTRICTED;
}
