#include "capfix/scan.h"
#include "capfix/addlist.h"
#include "capfix/capcfg.h"
#include "capfix/caps.h"
#include "capfix/compose.h"
#include "capfix/k8s.h"
#include "capfix/imagemeta.h"
#include "capfix/trace.h"
#include "capfix/pss.h"
#include "capfix/sbuf.h"
#include "capfix/suppress.h"
#include "capfix/yamlspan.h"

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define K8S_NETRAW "CIS Kubernetes 1.6-1.20 5.2.7", "CIS Kubernetes 1.23+ 5.2.8"
#define K8S_ADDED "CIS Kubernetes 1.6-1.20 5.2.8", "CIS Kubernetes 1.23+ 5.2.9"
#define K8S_ASSIGNED "CIS Kubernetes 1.6-1.20 5.2.9", "CIS Kubernetes 1.23+ 5.2.10"
#define DOCKER_CAPS "CIS Docker 1.0-1.5.0 5.3", "CIS Docker 1.6.0 5.4"
#define PSS_BASELINE_CAPS "Pod Security Standards baseline: capabilities"
#define PSS_RESTRICTED_CAPS "Pod Security Standards restricted (v1.22+): capabilities"
#define PSS_BASELINE_PRIV "Pod Security Standards baseline: privileged containers"

enum {
	R_DROP_ALL,
	R_NET_RAW,
	R_ADDED,
	R_OUTSIDE_BASELINE,
	R_OUTSIDE_RESTRICTED,
	R_PRIVILEGED,
	R_SPELLING,
	R_NO_EFFECT,
	R_TRACE_UNUSED,
	R_TRACE_MISSING,
	R_FILECAP_MISSING,
	R_PSP_NET_RAW,
	R_PSP_ANY,
	R_PSP_DEFAULT_ADD,
	R_PSP_DROP_ALL,
	R_DOCKER_ADD,
	R_DOCKER_NET_RAW,
	R_DOCKER_PRIVILEGED,
	R_COMPOSE_DROP_ALL,
	R_PSS_BASELINE,
	R_PSS_RESTRICTED,
};

static const struct scan_rule rules[] = {
	[R_DROP_ALL] = { "CF001", "drop-all-missing", SEV_MEDIUM,
			 "the container does not drop ALL capabilities",
			 "set securityContext.capabilities.drop: [\"ALL\"] and add back only what is needed (capfix fix)",
			 LIST(K8S_ASSIGNED, PSS_RESTRICTED_CAPS) },
	[R_NET_RAW] = { "CF002", "net-raw-not-dropped", SEV_MEDIUM,
			"NET_RAW is not dropped (or is added)",
			"drop ALL (or at least NET_RAW) and do not add NET_RAW",
			LIST(K8S_NETRAW, DOCKER_CAPS) },
	[R_ADDED] = { "CF003", "capabilities-added", SEV_LOW, "the container adds capabilities",
		      "keep add lists minimal: every entry must be needed by the image as it runs",
		      LIST(K8S_ADDED) },
	[R_OUTSIDE_BASELINE] = { "CF004", "add-outside-baseline", SEV_HIGH,
				 "the container adds capabilities that Pod Security Standards baseline forbids",
				 "remove them, or run the workload in a namespace whose policy allows them",
				 LIST(PSS_BASELINE_CAPS) },
	[R_OUTSIDE_RESTRICTED] = { "CF005", "add-outside-restricted", SEV_MEDIUM,
				   "the container adds capabilities other than NET_BIND_SERVICE",
				   "Pod Security Standards restricted allows adding NET_BIND_SERVICE only",
				   LIST(PSS_RESTRICTED_CAPS) },
	[R_PRIVILEGED] = { "CF006", "privileged", SEV_CRITICAL, "the container is privileged",
			   "remove privileged: true; grant the few capabilities the workload needs instead",
			   LIST(PSS_BASELINE_PRIV) },
	[R_SPELLING] = { "CF007", "capability-spelling", SEV_MEDIUM,
			 "a capability is not written in canonical form",
			 "write names in upper case without CAP_ (\"ALL\" in drop): Pod Security Admission compares them exactly",
			 LIST(PSS_BASELINE_CAPS, PSS_RESTRICTED_CAPS) },
	[R_NO_EFFECT] = { "CF008", "add-without-effect", SEV_INFO,
			  "capabilities are added to a process that does not run as root",
			  "Kubernetes grants no ambient capabilities: add works for a non-root process only through file capabilities of its binary",
			  LIST(NULL) },
	[R_PSP_NET_RAW] = { "CF101", "psp-net-raw-not-required-drop", SEV_MEDIUM,
			    "no PodSecurityPolicy requires dropping NET_RAW or ALL",
			    "have at least one PSP with requiredDropCapabilities holding NET_RAW or ALL (PSP was removed in Kubernetes 1.25: see capfix policy)",
			    LIST(K8S_NETRAW) },
	[R_PSP_ANY] = { "CF102", "psp-allowed-capabilities-any", SEV_HIGH,
			"the PodSecurityPolicy allows adding any capability (*)",
			"list the capabilities that workloads need in allowedCapabilities, or leave it empty",
			LIST(K8S_ADDED) },
	[R_PSP_DEFAULT_ADD] = { "CF103", "psp-default-add-capabilities", SEV_MEDIUM,
				"the PodSecurityPolicy adds capabilities by default",
				"leave defaultAddCapabilities empty; workloads declare what they need",
				LIST(K8S_ADDED) },
	[R_PSP_DROP_ALL] = { "CF104", "psp-required-drop-not-all", SEV_LOW,
			     "the PodSecurityPolicy does not require dropping ALL",
			     "set requiredDropCapabilities: [ALL]", LIST(K8S_ASSIGNED) },
	[R_DOCKER_ADD] = { "CF201", "docker-capabilities-added", SEV_MEDIUM,
			   "the container or compose service adds capabilities beyond Docker's default set",
			   "run it with --cap-drop=all and --cap-add only for what it needs",
			   LIST(DOCKER_CAPS) },
	[R_DOCKER_NET_RAW] = { "CF202", "docker-net-raw-not-dropped", SEV_MEDIUM,
			       "the container or compose service keeps NET_RAW",
			       "run it with --cap-drop=all (or --cap-drop=NET_RAW)",
			       LIST(DOCKER_CAPS) },
	[R_DOCKER_PRIVILEGED] = { "CF203", "docker-privileged", SEV_CRITICAL,
				  "the container or compose service runs privileged",
				  "run it without --privileged and add only the capabilities it needs",
				  LIST(NULL) },
	[R_PSS_BASELINE] = { "CF301", "pss-baseline", SEV_HIGH,
			     "the pod violates a Pod Security Standards baseline check",
			     "see the message; `capfix policy pss` shows the level each namespace can enforce",
			     LIST("Pod Security Standards baseline") },
	[R_PSS_RESTRICTED] = { "CF302", "pss-restricted", SEV_MEDIUM,
			       "the pod violates a Pod Security Standards restricted check",
			       "see the message; `capfix policy pss` shows the level each namespace can enforce",
			       LIST("Pod Security Standards restricted") },
	[R_TRACE_UNUSED] = { "CF009", "trace-add-unused", SEV_LOW,
			     "the container adds a capability its runtime trace never used",
			     "remove it from the add list (over-privileged), or record a trace that exercises the code path needing it",
			     LIST(K8S_ADDED) },
	[R_TRACE_MISSING] = { "CF010", "trace-need-missing", SEV_HIGH,
			      "the container drops ALL but its runtime trace needs a capability it does not add",
			      "add it (capfix fix --trace does), or it will fail where the trace saw it succeed",
			      LIST(NULL) },
	[R_FILECAP_MISSING] = { "CF011", "image-filecap-missing", SEV_HIGH,
				"the container drops ALL but the binary it starts carries effective file capabilities it does not add",
				"add them (capfix fix --images does): execve fails with EPERM otherwise, even as non-root",
				LIST(NULL) },
	[R_COMPOSE_DROP_ALL] = { "CF204", "compose-drop-all-missing", SEV_MEDIUM,
				 "the compose service does not drop ALL capabilities",
				 "set cap_drop: [ALL] and cap_add only what it needs (capfix fix)",
				 LIST(DOCKER_CAPS) },
};

const struct scan_rule *scan_rules(size_t *count)
{
	*count = ARRAY_SIZE(rules);
	return rules;
}

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical" };

const char *scan_severity_name(enum scan_severity sev)
{
	return (size_t)sev < ARRAY_SIZE(sev_names) ? sev_names[sev] : "?";
}

int scan_severity_parse(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sev_names); i++)
		if (!strcmp(name, sev_names[i]))
			return (int)i;
	return -1;
}

/* ---- recording ---- */

struct ctx {
	struct scan_result *res;
	const char *path;
	struct scan_file *file;
	bool partial; /* findings being made are about a partial object */
	const struct scan_opts *o;
	/* what findings being made are about, for suppression */
	const struct ynode *object; /* a Kubernetes object, or NULL */
	const struct ynode *md, *pod; /* its metadata and pod template's (when known) */
	const struct ynode *known; /* the object md, pod and annotated describe */
	bool annotated; /* it has capfix.io/ignore annotations */
	const struct ynode *svc; /* a compose service, or NULL */
	const char *image; /* the container's or service's image, or NULL */
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void finding(struct ctx *x, int rule, enum scan_severity sev, const struct ynode *at,
		    const char *kind, const char *name, const char *ns, const char *container,
		    const char *fmt, ...) CF_PRINTF(9, 10);

/* Both metadata of the object findings are about (the pod template's may be NULL). */
static void metadata_of(const struct ynode *obj, const struct ynode **md, const struct ynode **pod)
{
	const struct ynode *spec;

	*md = yamlspan_mget(obj, "metadata");
	if (!k8s_pod_template(obj, &spec, pod))
		*pod = NULL;
}

/* The metadata of @obj and whether it has ignore annotations, once per object. */
static void know(struct ctx *x, const struct ynode *obj)
{
	if (x->known == obj)
		return;
	metadata_of(obj, &x->md, &x->pod);
	x->annotated = suppress_any(x->md, x->pod);
	x->known = obj;
}

/* Suppressed by an annotation, x-capfix or .capfix.yaml? */
static void suppress(struct ctx *x, struct scan_finding *f)
{
	const char *id = f->rule->id, *by = NULL, *cr;
	char *r = NULL;

	if (x->svc) {
		r = suppress_compose(x->svc, id);
		by = "compose";
	} else if (x->object) {
		know(x, x->object);
		r = x->annotated ? suppress_for(x->md, x->pod, f->container, id) : NULL;
		by = "annotation";
	}
	if (!r && x->o->cfg) {
		struct capcfg_target t = { x->image, f->ns, f->kind, f->name, f->container };

		cr = capcfg_ignored(x->o->cfg, &t, f->path, id);
		r = cr ? xstrdup(cr) : NULL;
		by = "config";
	}
	if (r) {
		f->suppress_by = by;
		f->suppress_reason = r;
	}
}

/* Mark the last finding suppressed (unless it already is). */
static void suppress_last(struct ctx *x, const char *by, const char *reason)
{
	struct scan_finding *f = &x->res->findings[x->res->nfindings - 1];

	if (f->suppress_by)
		return;
	f->suppress_by = by;
	f->suppress_reason = xstrdup(reason);
}

/* An ignore annotation (or x-capfix) without a reason: an error at its place. */
static void check_ignores(struct ctx *x, const struct ynode *obj, const struct ynode *svc)
{
	const struct ynode *bad;

	if (x->o->no_ignores)
		return;
	if (obj)
		know(x, obj);
	if (obj && !x->annotated)
		return;
	bad = obj ? suppress_check(x->md, x->pod, NULL) : suppress_check(NULL, NULL, svc);
	if (bad && svc)
		scan_add_error(x->res, x->path, bad->line + 1, bad->col + 1,
			       "x-capfix ignore needs rule ids and a reason: \"CF201: why\"");
	else if (bad)
		scan_add_error(
			x->res, x->path, bad->line + 1, bad->col + 1,
			"capfix.io/ignore needs rule ids and a reason: \"CF001,CF003: why\"");
}

static void finding(struct ctx *x, int rule, enum scan_severity sev, const struct ynode *at,
		    const char *kind, const char *name, const char *ns, const char *container,
		    const char *fmt, ...)
{
	struct scan_result *r = x->res;
	struct scan_finding *f;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	while (at && at->line < 0)
		at = at->parent;
	CF_ALLOC_GROW(r->findings, r->nfindings + 1, r->afindings);
	f = &r->findings[r->nfindings++];
	f->rule = &rules[rule];
	f->severity = sev;
	f->path = xstrdup(x->path);
	f->line = at ? at->line + 1 : 1;
	f->col = at ? at->col + 1 : 1;
	f->kind = xstrdup(kind ? kind : "");
	f->name = xstrdup(name ? name : "");
	f->ns = dup_or_null(ns);
	f->container = dup_or_null(container);
	f->message = xstrdup(msg);
	f->seq = r->nfindings;
	f->file = x->file ? (size_t)(x->file - r->files) : r->nfiles;
	f->partial = x->partial;
	f->check = NULL;
	f->baseline = false;
	f->suppress_by = NULL;
	f->suppress_reason = NULL;
	if (x->o && !x->o->no_ignores)
		suppress(x, f);
}

static struct scan_file *add_file(struct scan_result *r, const char *path, const char *status)
{
	struct scan_file *f;

	CF_ALLOC_GROW(r->files, r->nfiles + 1, r->afiles);
	f = &r->files[r->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->status = status;
	return f;
}

void scan_add_error(struct scan_result *res, const char *path, int line, int col,
		    const char *message)
{
	struct scan_error *e;

	CF_ALLOC_GROW(res->errors, res->nerrors + 1, res->aerrors);
	e = &res->errors[res->nerrors++];
	e->path = xstrdup(path);
	e->line = line;
	e->col = col;
	e->message = xstrdup(message);
	e->skipped = false;
}

void scan_fail_input(struct scan_result *res, const char *path, const char *message)
{
	scan_add_error(res, path, 0, 0, message);
	add_file(res, path, "error");
}

void scan_skip_input(struct scan_result *res, const char *path, const char *message)
{
	scan_add_error(res, path, 0, 0, message);
	res->errors[res->nerrors - 1].skipped = true;
	add_file(res, path, "skipped");
}

void scan_skip_template(struct scan_result *res, const char *path)
{
	scan_add_error(res, path, 0, 0, "Helm chart template (scan the rendered output)");
	res->errors[res->nerrors - 1].skipped = true;
	add_file(res, path, "skipped");
}

/* ---- reading values (yamlspan_mget: aliases followed, merge keys honoured) ---- */

/* The scalar items of a list (aliases followed); returns how many, at most @max. */
static size_t items(const struct ynode *lst, const struct ynode **out, size_t max)
{
	size_t i, n = 0;

	lst = yamlspan_deref(lst);
	if (!lst || lst->kind != YN_SEQ)
		return 0;
	for (i = 0; i < lst->nkids && n < max; i++) {
		const struct ynode *it = yamlspan_deref(lst->kids[i]);

		if (it && it->kind == YN_SCALAR)
			out[n++] = it;
	}
	return n;
}

/* The canonical name of @s when it names a capability (any spelling), else NULL. */
static const char *canon(const char *s)
{
	const struct cap_info *ci = caps_lookup(s);

	return ci ? ci->name : NULL;
}

static void join(struct sbuf *sb, const struct ynode **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sbuf_addf(sb, "%s%s", i ? ", " : "", v[i]->text);
}

/* ---- Kubernetes containers ---- */

#define MAXI 64

/*
 * With runtime traces (--trace): a declared add the container's trace never
 * used (CF009), and a traced need missing from the add list of a container
 * that drops ALL (CF010).
 */
static void trace_findings(struct ctx *x, const struct k8s_container *kc, const struct ynode *c,
			   const struct imagemeta_image *img, const struct ynode *const *add,
			   size_t nadd, bool all_any)
{
	struct trace_workload tw = { kc->ns, kc->kind, kc->name, kc->cname, NULL };
	struct trace_opts to;
	struct trace_result tr;
	uint64_t declared = 0;
	size_t i;
	const char *cn = kc->cname;

	memset(&to, 0, sizeof(to));
	to.trust_denied = x->o->trust_denied;
	if (img) {
		/* a non-root check counts only when the binary carries the capability */
		to.filecap = imagemeta_filecap_has;
		to.filecap_ctx = (void *)img;
	}
	if (!trace_query(x->o->traces, &tw, &to, &tr) || !(tr.flags & TRACE_Q_MATCHED))
		return;
	for (i = 0; i < nadd; i++) {
		const struct cap_info *ci = caps_lookup(add[i]->text);

		if (!ci)
			continue;
		declared |= (uint64_t)1 << ci->number;
		if (!(tr.needs & ((uint64_t)1 << ci->number)) &&
		    !(tr.candidates & ((uint64_t)1 << ci->number)))
			finding(x, R_TRACE_UNUSED, SEV_LOW, add[i], kc->kind, kc->name, kc->ns, cn,
				"container \"%s\" adds %s, which its trace (%s) never used",
				cn ? cn : "", ci->name, tr.file ? tr.file : "");
	}
	for (i = 0; all_any && i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);
		uint64_t bit = (uint64_t)1 << ci->number;

		if ((tr.needs & bit) && !(declared & bit))
			finding(x, R_TRACE_MISSING, SEV_HIGH, c, kc->kind, kc->name, kc->ns, cn,
				"container \"%s\" drops ALL but its trace (%s) needs %s (%lu granted %s): it will fail",
				cn ? cn : "", tr.file ? tr.file : "", ci->name,
				tr.granted[ci->number] + tr.unknown[ci->number],
				tr.granted[ci->number] + tr.unknown[ci->number] == 1 ? "check"
										     : "checks");
	}
}

/*
 * With image metadata (--images): the binary the container starts
 * (imagemeta_start()) carries effective file capabilities that a container dropping ALL does
 * not add: execve() fails with EPERM (CF011).
 */
static void image_findings(struct ctx *x, const struct k8s_container *kc, const struct ynode *c,
			   const struct imagemeta_image *img, const struct ynode *const *add,
			   size_t nadd)
{
	const struct ynode *cmd[1], *args[1];
	const char *start = NULL;
	const struct imagemeta_filecap *fc;
	uint64_t declared = 0, missing;
	size_t i;
	struct sbuf sb = SBUF_INIT;
	const char *cn = kc->cname;

	start = imagemeta_start(img,
				items(yamlspan_mget(c, "command"), cmd, 1) ? cmd[0]->text : NULL,
				items(yamlspan_mget(c, "args"), args, 1) ? args[0]->text : NULL,
				yamlspan_mget(c, "command") || yamlspan_mget(c, "args"));
	fc = start ? imagemeta_filecap_of(img, start) : NULL;
	if (!fc || !fc->effective)
		return;
	for (i = 0; i < nadd; i++) {
		const struct cap_info *ci = caps_lookup(add[i]->text);

		if (ci)
			declared |= (uint64_t)1 << ci->number;
	}
	missing = fc->permitted & ~declared;
	if (!missing)
		return;
	for (i = 0; i < caps_count(); i++)
		if (missing & ((uint64_t)1 << caps_at(i)->number))
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", caps_at(i)->name);
	finding(x, R_FILECAP_MISSING, SEV_HIGH, c, kc->kind, kc->name, kc->ns, cn,
		"container \"%s\" drops ALL but %s carries %s as effective file capabilities in the image (%s): it will not start",
		cn ? cn : "", fc->path, sbuf_cstr(&sb),
		img->source ? img->source : "image metadata");
	sbuf_release(&sb);
}

static int on_container(struct k8s_container *kc, void *payload)
{
	struct ctx *x = payload;
	const struct ynode *c = yamlspan_deref(kc->node);
	const struct ynode *sc = yamlspan_mget(c, "securityContext");
	const struct ynode *caps = yamlspan_mget(sc, "capabilities");
	/* spelled: the odd spellings of drop and of add, so room for both */
	const struct ynode *drop[MAXI], *add[MAXI], *bad[MAXI], *spelled[2 * MAXI];
	size_t ndrop = items(yamlspan_mget(caps, "drop"), drop, MAXI);
	size_t nadd = items(yamlspan_mget(caps, "add"), add, MAXI);
	size_t i, nbad = 0, nspelled = 0, nkept = 0;
	bool all_exact = false, all_any = false, raw_dropped = false, raw_added = false;
	bool kaudit = false; /* every add accepted by a kubeaudit override */
	uint64_t allowed = 0;
	char *kreason = NULL;
	bool windows = k8s_is_windows(kc->pod_spec);
	enum scan_severity sev;
	struct sbuf sb = SBUF_INIT;
	const char *cn = yamlspan_dstr(yamlspan_mget(c, "name"));
	const char *K = kc->kind, *N = kc->name, *NS = kc->ns;
	const struct imagemeta_image *img;

	x->file->containers++;
	x->file->adding += nadd > 0;
	for (i = 0; i < ndrop; i++) {
		all_exact |= !strcmp(drop[i]->text, "ALL");
		all_any |= addlist_is_all(drop[i]->text);
		raw_dropped |= canon(drop[i]->text) && !strcmp(canon(drop[i]->text), "NET_RAW");
		if (strcmp(drop[i]->text, "ALL") &&
		    (addlist_is_all(drop[i]->text) ||
		     (canon(drop[i]->text) && strcmp(canon(drop[i]->text), drop[i]->text))))
			spelled[nspelled++] = drop[i];
	}
	x->file->dropping_all += all_exact;
	if (!c || c->kind != YN_MAP || windows)
		return 0; /* Windows pods: Linux capabilities do not apply */
	/* partial objects (patches, containers without image) are audited, and marked */
	x->partial = kc->partial || !yamlspan_mget(c, "image");
	x->object = kc->object;
	x->svc = NULL;
	x->image = yamlspan_dstr(yamlspan_mget(c, "image"));
	if (yamlspan_dtrue(yamlspan_mget(sc, "privileged")))
		finding(x, R_PRIVILEGED, SEV_CRITICAL, c, K, N, NS, cn,
			"container \"%s\" is privileged: it has every capability whatever the lists say",
			cn ? cn : "");
	for (i = 0; i < nadd; i++) {
		const char *cc = canon(add[i]->text);

		raw_added |= cc && !strcmp(cc, "NET_RAW");
		if (cc && strcmp(cc, add[i]->text))
			spelled[nspelled++] = add[i];
	}
	if (!all_any) {
		sbuf_setlen(&sb, 0);
		join(&sb, drop, ndrop);
		finding(x, R_DROP_ALL, SEV_MEDIUM, c, K, N, NS, cn,
			"container \"%s\" does not drop ALL capabilities (drop: [%s])",
			cn ? cn : "", sbuf_cstr(&sb));
	}
	if (!(all_any || raw_dropped) || raw_added)
		finding(x, R_NET_RAW, SEV_MEDIUM, c, K, N, NS, cn, "container \"%s\" %s NET_RAW",
			cn ? cn : "", raw_added ? "adds" : "keeps");
	if (nspelled) {
		sbuf_setlen(&sb, 0);
		join(&sb, spelled, nspelled);
		finding(x, R_SPELLING, SEV_MEDIUM, c, K, N, NS, cn,
			"container \"%s\" writes %s; Pod Security Admission only accepts the canonical upper-case names without CAP_ (\"ALL\")",
			cn ? cn : "", sbuf_cstr(&sb));
	}
	if (nadd && !x->o->no_ignores) {
		/* kubeaudit's allow-capability overrides: those adds are accepted */
		know(x, kc->object);
		allowed = suppress_kubeaudit(x->md, x->pod, cn, &kreason);
		for (i = 0; allowed && i < nadd; i++) {
			const struct cap_info *ci = caps_lookup(add[i]->text);

			if (!ci || !(allowed & ((uint64_t)1 << ci->number)))
				add[nkept++] = add[i];
		}
		/* some accepted: the others are reported; all: reported, suppressed */
		kaudit = allowed && !nkept;
		if (allowed && nkept)
			nadd = nkept;
	}
	if (nadd) {
		sbuf_setlen(&sb, 0);
		join(&sb, add, nadd);
		finding(x, R_ADDED, SEV_LOW, c, K, N, NS, cn, "container \"%s\" adds %s",
			cn ? cn : "", sbuf_cstr(&sb));
		if (kaudit)
			suppress_last(x, "kubeaudit", kreason);
		/* baseline: exact names from the allowed set */
		sev = SEV_HIGH;
		for (i = 0; i < nadd; i++) {
			const struct cap_info *ci = caps_lookup(add[i]->text);
			bool exact = ci && !strcmp(ci->name, add[i]->text);

			if (!exact || !ci->pss_baseline) {
				bad[nbad++] = add[i];
				if (ci && ci->risk == CAP_RISK_CRITICAL)
					sev = SEV_CRITICAL;
			}
		}
		if (nbad) {
			sbuf_setlen(&sb, 0);
			join(&sb, bad, nbad);
			finding(x, R_OUTSIDE_BASELINE, sev, c, K, N, NS, cn,
				"container \"%s\" adds %s, outside the baseline set", cn ? cn : "",
				sbuf_cstr(&sb));
			if (kaudit)
				suppress_last(x, "kubeaudit", kreason);
		}
		nbad = 0;
		for (i = 0; i < nadd; i++)
			if (strcmp(add[i]->text, "NET_BIND_SERVICE"))
				bad[nbad++] = add[i];
		if (nbad) {
			sbuf_setlen(&sb, 0);
			join(&sb, bad, nbad);
			finding(x, R_OUTSIDE_RESTRICTED, SEV_MEDIUM, c, K, N, NS, cn,
				"container \"%s\" adds %s; restricted allows only NET_BIND_SERVICE",
				cn ? cn : "", sbuf_cstr(&sb));
			if (kaudit)
				suppress_last(x, "kubeaudit", kreason);
		}
		if (!k8s_may_run_as_root(c, kc->pod_spec)) {
			sbuf_setlen(&sb, 0);
			join(&sb, add, nadd);
			finding(x, R_NO_EFFECT, SEV_INFO, c, K, N, NS, cn,
				"container \"%s\" does not run as root: adding %s has no effect unless its binary carries them as file capabilities",
				cn ? cn : "", sbuf_cstr(&sb));
		}
	}
	img = x->o->images && x->image ? imagemeta_lookup(x->o->images, x->image) : NULL;
	if (x->o->traces)
		trace_findings(x, kc, c, img, add, nadd, all_any);
	if (img && all_any)
		image_findings(x, kc, c, img, add, nadd);
	x->partial = false;
	x->object = NULL;
	free(kreason);
	sbuf_release(&sb);
	return 0;
}

/* ---- PodSecurityPolicy ---- */

static void scan_psp(struct ctx *x, const struct ynode *obj)
{
	const struct ynode *md = yamlspan_mget(obj, "metadata"), *spec = yamlspan_mget(obj, "spec");
	const char *name = yamlspan_dstr(yamlspan_mget(md, "name"));
	const struct ynode *v[MAXI];
	size_t n, i;
	bool any_all = false, raw = false;

	x->file->objects++;
	x->res->psps++;
	x->object = obj;
	x->svc = NULL;
	x->image = NULL;
	check_ignores(x, obj, NULL);
	if (!x->res->first_psp_path) {
		const struct ynode *at = obj;

		while (at && at->line < 0)
			at = at->parent;
		x->res->first_psp_path = xstrdup(x->path);
		x->res->first_psp_line = at ? at->line + 1 : 1;
		x->res->first_psp_col = at ? at->col + 1 : 1;
		x->res->first_psp_name = xstrdup(name ? name : "");
	}
	n = items(yamlspan_mget(spec, "requiredDropCapabilities"), v, MAXI);
	for (i = 0; i < n; i++) {
		any_all |= addlist_is_all(v[i]->text);
		raw |= canon(v[i]->text) && !strcmp(canon(v[i]->text), "NET_RAW");
	}
	if (any_all || raw)
		x->res->psps_dropping_net_raw++;
	if (!any_all)
		finding(x, R_PSP_DROP_ALL, SEV_LOW,
			yamlspan_mget(spec, "requiredDropCapabilities")
				? yamlspan_mget(spec, "requiredDropCapabilities")
				: obj,
			"PodSecurityPolicy", name, NULL, NULL,
			"PodSecurityPolicy \"%s\" does not require dropping ALL", name ? name : "");
	n = items(yamlspan_mget(spec, "allowedCapabilities"), v, MAXI);
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i]->text, "*")) {
			finding(x, R_PSP_ANY, SEV_HIGH, v[i], "PodSecurityPolicy", name, NULL, NULL,
				"PodSecurityPolicy \"%s\" allows adding any capability (*)",
				name ? name : "");
			break;
		}
	}
	n = items(yamlspan_mget(spec, "defaultAddCapabilities"), v, MAXI);
	if (n) {
		struct sbuf sb = SBUF_INIT;

		join(&sb, v, n);
		finding(x, R_PSP_DEFAULT_ADD, SEV_MEDIUM,
			yamlspan_mget(spec, "defaultAddCapabilities"), "PodSecurityPolicy", name,
			NULL, NULL,
			"PodSecurityPolicy \"%s\" adds %s to every container by default",
			name ? name : "", sbuf_cstr(&sb));
		sbuf_release(&sb);
	}
	x->object = NULL;
}

/* ---- docker inspect ---- */

static void scan_docker(struct ctx *x, const struct ynode *c)
{
	const struct ynode *hc = yamlspan_mget(c, "HostConfig");
	const struct ynode *v[MAXI];
	const char *name = yamlspan_dstr(yamlspan_mget(c, "Name"));
	size_t n, i;
	bool raw_dropped = false, raw_added = false;
	struct sbuf sb = SBUF_INIT;

	x->file->objects++;
	x->file->containers++;
	x->object = x->svc = NULL;
	x->image = yamlspan_dstr(yamlspan_mget(yamlspan_mget(c, "Config"), "Image"));
	if (name && name[0] == '/')
		name++;
	if (!name)
		name = yamlspan_dstr(yamlspan_mget(c, "Id"));
	if (yamlspan_dtrue(yamlspan_mget(hc, "Privileged")))
		finding(x, R_DOCKER_PRIVILEGED, SEV_CRITICAL, c, "DockerContainer", name, NULL,
			name, "container \"%s\" runs privileged", name ? name : "");
	n = items(yamlspan_mget(hc, "CapDrop"), v, MAXI);
	for (i = 0; i < n; i++)
		raw_dropped |= addlist_is_all(v[i]->text) ||
			       (canon(v[i]->text) && !strcmp(canon(v[i]->text), "NET_RAW"));
	x->file->dropping_all += n && addlist_is_all(v[0]->text);
	n = items(yamlspan_mget(hc, "CapAdd"), v, MAXI);
	x->file->adding += n > 0;
	for (i = 0; i < n; i++) {
		const struct cap_info *ci = caps_lookup(v[i]->text);

		raw_added |= ci && !strcmp(ci->name, "NET_RAW");
		if (!ci || !ci->runtime_default || addlist_is_all(v[i]->text))
			sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", v[i]->text);
	}
	if (sb.len)
		finding(x, R_DOCKER_ADD, SEV_MEDIUM, yamlspan_mget(hc, "CapAdd"), "DockerContainer",
			name, NULL, name, "container \"%s\" adds %s beyond the default set",
			name ? name : "", sbuf_cstr(&sb));
	if (!raw_dropped || raw_added)
		finding(x, R_DOCKER_NET_RAW, SEV_MEDIUM, c, "DockerContainer", name, NULL, name,
			"container \"%s\" %s NET_RAW", name ? name : "",
			raw_added ? "adds" : "keeps");
	sbuf_release(&sb);
}

/* ---- docker-compose ---- */

static void scan_compose(struct ctx *x, const struct ynode *root)
{
	const struct ynode *services = yamlspan_mget(root, "services");
	size_t i, j;

	for (i = 0; i + 1 < services->nkids; i += 2) {
		const struct ynode *svc = yamlspan_deref(services->kids[i + 1]);
		const char *name = yamlspan_dstr(services->kids[i]);
		const struct ynode *v[MAXI];
		size_t n;
		bool all = false, raw_dropped = false, raw_added = false;
		struct sbuf sb = SBUF_INIT;

		if (!svc || svc->kind != YN_MAP)
			continue;
		x->file->services++;
		/* an override fragment: what it does not say is said elsewhere */
		x->partial = compose_service_partial(root, svc, x->path);
		x->object = NULL;
		x->svc = svc;
		x->image = yamlspan_dstr(compose_get(services, svc, "image"));
		check_ignores(x, NULL, svc);
		if (yamlspan_dtrue(compose_get(services, svc, "privileged")))
			finding(x, R_DOCKER_PRIVILEGED, SEV_CRITICAL, svc, "ComposeService", name,
				NULL, name, "service \"%s\" runs privileged", name ? name : "");
		n = items(compose_get(services, svc, "cap_drop"), v, MAXI);
		for (j = 0; j < n; j++) {
			all |= addlist_is_all(v[j]->text);
			raw_dropped |= addlist_is_all(v[j]->text) ||
				       (canon(v[j]->text) && !strcmp(canon(v[j]->text), "NET_RAW"));
		}
		n = items(compose_get(services, svc, "cap_add"), v, MAXI);
		for (j = 0; j < n; j++) {
			const struct cap_info *ci = caps_lookup(v[j]->text);

			raw_added |= ci && !strcmp(ci->name, "NET_RAW");
			if (!ci || !ci->runtime_default || addlist_is_all(v[j]->text) || all)
				sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", v[j]->text);
		}
		if (!all && !x->partial)
			finding(x, R_COMPOSE_DROP_ALL, SEV_MEDIUM, svc, "ComposeService", name,
				NULL, name, "service \"%s\" does not drop ALL capabilities",
				name ? name : "");
		if (sb.len)
			finding(x, R_DOCKER_ADD, SEV_MEDIUM, svc, "ComposeService", name, NULL,
				name, "service \"%s\" adds %s", name ? name : "", sbuf_cstr(&sb));
		if ((!raw_dropped && !x->partial) || raw_added)
			finding(x, R_DOCKER_NET_RAW, SEV_MEDIUM, svc, "ComposeService", name, NULL,
				name, "service \"%s\" %s NET_RAW", name ? name : "",
				raw_added ? "adds" : "keeps");
		sbuf_release(&sb);
	}
	x->partial = false;
	x->svc = NULL;
}

/* ---- documents ---- */

/*
 * Pod Security Standards checks not already reported by the capability
 * rules (CF001-CF006): host namespaces, hostPath, seccomp, runAsNonRoot...
 */
static void scan_pss(struct ctx *x, const struct ynode *obj, const struct ynode *spec,
		     const struct ynode *md)
{
	struct pss_result r = PSS_RESULT_INIT;
	const struct ynode *omd = yamlspan_mget(obj, "metadata");
	const char *kind = yamlspan_dstr(yamlspan_mget(obj, "kind")),
		   *name = yamlspan_dstr(yamlspan_mget(omd, "name"));
	const char *ns = yamlspan_dstr(yamlspan_mget(omd, "namespace"));
	size_t i;

	/* partial objects (kustomize patches) are not audited */
	if (k8s_partial(obj))
		return;
	x->object = obj;
	x->svc = NULL;
	x->image = NULL;
	pss_evaluate_version(spec, md, x->o->pss_minor, &r);
	for (i = 0; i < r.n; i++) {
		const char *c = r.v[i].check;

		if (!strcmp(c, "privileged") || !strncmp(c, "capabilities_", 13))
			continue;
		finding(x, r.v[i].level == PSS_BASELINE ? R_PSS_BASELINE : R_PSS_RESTRICTED,
			r.v[i].level == PSS_BASELINE ? SEV_HIGH : SEV_MEDIUM, spec, kind, name, ns,
			NULL, "%s", r.v[i].message);
		x->res->findings[x->res->nfindings - 1].check = c;
	}
	x->object = NULL;
	pss_result_release(&r);
}

static int scan_object(struct ynode *obj, void *payload)
{
	struct ctx *x = payload;
	const char *kind = yamlspan_dstr(yamlspan_mget(obj, "kind"));
	const char *api = yamlspan_dstr(yamlspan_mget(obj, "apiVersion"));

	if (kind && !strcmp(kind, "PodSecurityPolicy")) {
		scan_psp(x, obj);
		return 0;
	}
	if (k8s_pod_spec_path(kind, api)) {
		const struct ynode *spec, *md;

		x->file->objects++;
		check_ignores(x, obj, NULL);
		if (k8s_pod_template(obj, &spec, &md))
			scan_pss(x, obj, spec, md);
	}
	return 0;
}

static void scan_doc(struct ctx *x, struct ynode *root)
{
	size_t i;

	if (!root)
		return;
	if (root->kind == YN_SEQ) { /* docker inspect: [{Id, Name, HostConfig}, ...] */
		for (i = 0; i < root->nkids; i++)
			if (yamlspan_mget(root->kids[i], "HostConfig"))
				scan_docker(x, yamlspan_deref(root->kids[i]));
		return;
	}
	if (root->kind != YN_MAP)
		return;
	if (compose_is_file(root)) {
		scan_compose(x, root);
		return;
	}
	k8s_each_object(root, scan_object, x);
	k8s_each_container(root, on_container, x);
}

void scan_buffer(struct scan_result *res, const char *path, const char *buf, size_t len, bool json)
{
	scan_buffer_opts(res, NULL, path, buf, len, json);
}

void scan_buffer_opts(struct scan_result *res, const struct scan_opts *o, const char *path,
		      const char *buf, size_t len, bool json)
{
	static const struct scan_opts defaults = SCAN_OPTS_INIT;
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	struct ctx x = { .res = res, .path = path, .o = o ? o : &defaults };
	size_t i;

	if (yamlspan_parse(&yf, buf, len, json, &err) < 0) {
		scan_add_error(res, path, err.line, err.col, err.msg);
		add_file(res, path, "error");
		return;
	}
	if (yf.complex_key) {
		scan_add_error(
			res, path, yf.complex_key->line + 1, yf.complex_key->col + 1,
			"a mapping key is itself a mapping or list; Kubernetes cannot decode it");
		add_file(res, path, "error");
		yamlspan_release(&yf);
		return;
	}
	x.file = add_file(res, path, "scanned");
	for (i = 0; i < yf.ndocs; i++)
		scan_doc(&x, yf.docs[i].root);
	yamlspan_release(&yf);
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct scan_finding *a = pa, *b = pb;

	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void scan_finish(struct scan_result *res)
{
	struct ctx x = { .res = res, .path = res->first_psp_path };
	struct scan_finding *f;

	/* findings of one file in line order (containers, init containers... interleave) */
	if (res->nfindings)
		qsort(res->findings, res->nfindings, sizeof(*res->findings), cmp_finding);
	if (!res->psps || res->psps_dropping_net_raw)
		return;
	finding(&x, R_PSP_NET_RAW, SEV_MEDIUM, NULL, "PodSecurityPolicy", res->first_psp_name, NULL,
		NULL, "no PodSecurityPolicy (of %zu) requires dropping NET_RAW or ALL", res->psps);
	f = &res->findings[res->nfindings - 1];
	f->line = res->first_psp_line;
	f->col = res->first_psp_col;
	f->file = res->nfiles; /* after every file's own findings */
}

int scan_max_severity(const struct scan_result *res)
{
	int max = -1;
	size_t i;

	for (i = 0; i < res->nfindings; i++)
		if ((int)res->findings[i].severity > max && !res->findings[i].baseline &&
		    !res->findings[i].suppress_by)
			max = (int)res->findings[i].severity;
	return max;
}

void scan_result_merge(struct scan_result *dst, struct scan_result *src)
{
	size_t i;

	for (i = 0; i < src->nfindings; i++) {
		struct scan_finding f = src->findings[i];

		f.file += dst->nfiles;
		f.seq += dst->nfindings;
		CF_ALLOC_GROW(dst->findings, dst->nfindings + 1, dst->afindings);
		dst->findings[dst->nfindings++] = f;
	}
	for (i = 0; i < src->nerrors; i++) {
		CF_ALLOC_GROW(dst->errors, dst->nerrors + 1, dst->aerrors);
		dst->errors[dst->nerrors++] = src->errors[i];
	}
	for (i = 0; i < src->nfiles; i++) {
		CF_ALLOC_GROW(dst->files, dst->nfiles + 1, dst->afiles);
		dst->files[dst->nfiles++] = src->files[i];
	}
	dst->psps += src->psps;
	dst->psps_dropping_net_raw += src->psps_dropping_net_raw;
	if (!dst->first_psp_path && src->first_psp_path) {
		dst->first_psp_path = src->first_psp_path;
		dst->first_psp_name = src->first_psp_name;
		dst->first_psp_line = src->first_psp_line;
		dst->first_psp_col = src->first_psp_col;
		src->first_psp_path = NULL;
		src->first_psp_name = NULL;
	}
	/* the strings moved: only the arrays (and an unused first PSP) remain */
	free(src->findings);
	free(src->errors);
	free(src->files);
	free(src->first_psp_path);
	free(src->first_psp_name);
	memset(src, 0, sizeof(*src));
}

void scan_result_release(struct scan_result *res)
{
	size_t i;

	for (i = 0; i < res->nfindings; i++) {
		struct scan_finding *f = &res->findings[i];

		free(f->path);
		free(f->kind);
		free(f->name);
		free(f->ns);
		free(f->container);
		free(f->message);
		free(f->suppress_reason);
	}
	for (i = 0; i < res->nerrors; i++) {
		free(res->errors[i].path);
		free(res->errors[i].message);
	}
	for (i = 0; i < res->nfiles; i++)
		free(res->files[i].path);
	free(res->findings);
	free(res->errors);
	free(res->files);
	free(res->first_psp_path);
	free(res->first_psp_name);
	memset(res, 0, sizeof(*res));
}
