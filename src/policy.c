/*
 * policy.c - workloads and namespaces gathered from fixed manifests, names
 * checked (k8sname.h); the per-namespace Pod Security Standards report.
 */
#include "capfix/policy.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8s.h"
#include "capfix/k8sname.h"
#include "capfix/templates.h"

#include <jansson.h>

#define BIT(n) ((uint64_t)1 << (n))

static const char *const pss_label_keys[3] = { "pod-security.kubernetes.io/enforce",
					       "pod-security.kubernetes.io/warn",
					       "pod-security.kubernetes.io/audit" };

void policy_note(struct policy_set *ps, enum msg_severity sev, const char *path, int line, int col,
		 const char *fmt, ...)
{
	struct policy_note *n;
	char *text;
	va_list ap, ap2;
	int len;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap);
	text = xcalloc((size_t)(len > 0 ? len : 0) + 1, 1);
	if (len > 0)
		vsnprintf(text, (size_t)len + 1, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	CF_ALLOC_GROW(ps->notes, ps->nnotes + 1, ps->anotes);
	n = &ps->notes[ps->nnotes++];
	n->sev = sev;
	n->path = path ? xstrdup(path) : NULL;
	n->line = line;
	n->col = col;
	n->text = text;
}

bool policy_system_namespace(const char *ns)
{
	return !strcmp(ns, "kube-system") || !strcmp(ns, "kube-public") ||
	       !strcmp(ns, "kube-node-lease");
}

static struct policy_namespace *add_namespace(struct policy_set *ps, const char *name,
					      const char *path, int line)
{
	struct policy_namespace *pn;
	size_t i;

	for (i = 0; i < ps->nns; i++) {
		if (strcmp(ps->ns[i].name, name))
			continue;
		if (path && !ps->ns[i].path) {
			ps->ns[i].path = xstrdup(path);
			ps->ns[i].line = line;
		}
		return &ps->ns[i];
	}
	CF_ALLOC_GROW(ps->ns, ps->nns + 1, ps->ans);
	pn = &ps->ns[ps->nns++];
	memset(pn, 0, sizeof(*pn));
	pn->name = xstrdup(name);
	pn->path = path ? xstrdup(path) : NULL;
	pn->line = line;
	pn->labels[0] = pn->labels[1] = pn->labels[2] = -1;
	return pn;
}

/*
 * Whether @n's value follows @rule; otherwise an error note at @n (or @obj
 * when absent) naming @what. Shows at most 64 bytes of the name.
 */
static bool name_ok(struct policy_set *ps, const char *path, const struct ynode *obj,
		    const char *kind, const struct ynode *n, const char *what,
		    enum k8sname_rule rule)
{
	const char *s = yamlspan_dvalue(n);
	const struct ynode *at = n && n->line >= 0 ? n : obj;

	if (k8sname_valid(rule, s))
		return true;
	if (!s)
		policy_note(ps, MSG_ERROR, path, at->line + 1, at->col + 1,
			    "%s: no %s: left out of the policy", kind ? kind : "object", what);
	else
		policy_note(ps, MSG_ERROR, path, at->line + 1, at->col + 1,
			    "%s: %s \"%.64s%s\" is not %s: left out of the policy",
			    kind ? kind : "object", what, s, strlen(s) > 64 ? "..." : "",
			    k8sname_rule_text(rule));
	return false;
}

/* The pod labels (template labels, else selector.matchLabels) into @w; false when invalid. */
static bool gather_labels(struct policy_set *ps, const char *path, const struct ynode *obj,
			  const struct ynode *spec_parent, const struct ynode *tmd,
			  struct policy_workload *w)
{
	const struct ynode *l = yamlspan_deref(yamlspan_dget(tmd, "labels"));
	size_t i;

	if (!l || l->kind != YN_MAP || !l->nkids)
		l = yamlspan_deref(
			yamlspan_dget(yamlspan_dget(spec_parent, "selector"), "matchLabels"));
	if (!l || l->kind != YN_MAP)
		return true;
	w->labels = xcalloc(l->nkids ? l->nkids : 1, sizeof(*w->labels));
	for (i = 0; i + 1 < l->nkids; i += 2) {
		if (!name_ok(ps, path, obj, w->kind, l->kids[i], "pod label key",
			     K8SNAME_QUALIFIED) ||
		    !name_ok(ps, path, obj, w->kind, l->kids[i + 1], "pod label value",
			     K8SNAME_LABEL_VALUE))
			return false;
		w->labels[2 * w->nlabels] = xstrdup(yamlspan_dvalue(l->kids[i]));
		w->labels[2 * w->nlabels + 1] = xstrdup(yamlspan_dvalue(l->kids[i + 1]));
		w->nlabels++;
	}
	return true;
}

static bool gather_containers(struct policy_set *ps, const char *path, const struct ynode *spec,
			      struct policy_workload *w)
{
	static const char *const lists[] = { "initContainers", "containers",
					     "ephemeralContainers" };
	size_t i, j, k;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		const struct ynode *l = yamlspan_deref(yamlspan_dget(spec, lists[i]));

		for (j = 0; l && l->kind == YN_SEQ && j < l->nkids; j++) {
			const struct ynode *c = yamlspan_deref(l->kids[j]);
			const struct ynode *sc = yamlspan_dget(c, "securityContext");
			const struct ynode *caps = yamlspan_dget(sc, "capabilities");
			const struct ynode *add = yamlspan_deref(yamlspan_dget(caps, "add"));
			const struct ynode *drop = yamlspan_deref(yamlspan_dget(caps, "drop"));
			struct policy_container *pc;

			if (!c || c->kind != YN_MAP)
				continue;
			if (!name_ok(ps, path, c, w->kind, yamlspan_dget(c, "name"),
				     "container name", K8SNAME_LABEL))
				return false;
			w->c = xrealloc(w->c, (w->nc + 1) * sizeof(*w->c));
			pc = &w->c[w->nc++];
			memset(pc, 0, sizeof(*pc));
			pc->name = xstrdup(yamlspan_dvalue(yamlspan_dget(c, "name")));
			pc->privileged = yamlspan_dtrue(yamlspan_dget(sc, "privileged"));
			for (k = 0; drop && drop->kind == YN_SEQ && k < drop->nkids; k++)
				pc->drop_all |= yamlspan_dvalue(drop->kids[k]) &&
						!strcmp(yamlspan_dvalue(drop->kids[k]), "ALL");
			for (k = 0; add && add->kind == YN_SEQ && k < add->nkids; k++) {
				const char *s = yamlspan_dvalue(add->kids[k]);
				const struct cap_info *ci = s ? caps_lookup(s) : NULL;

				if (ci)
					pc->adds |= BIT(ci->number);
				/* admission compares the strings: CAP_X, lower case, ALL are not X
				 */
				pc->odd_adds |= !s || !ci || strcmp(ci->name, s);
			}
			w->adds |= pc->adds;
			w->odd_adds |= pc->odd_adds;
			w->privileged |= pc->privileged;
		}
	}
	return true;
}

static void workload_release(struct policy_workload *w)
{
	size_t i;

	free(w->path);
	free(w->kind);
	free(w->name);
	free(w->ns);
	free(w->sa);
	for (i = 0; i < w->nc; i++)
		free(w->c[i].name);
	free(w->c);
	for (i = 0; i < 2 * w->nlabels; i++)
		free(w->labels[i]);
	free(w->labels);
	pss_result_release(&w->pss);
	pspneeds_release(&w->psp);
}

static void gather_namespace(struct policy_set *ps, const char *path, const struct ynode *obj,
			     const struct ynode *md)
{
	const struct ynode *labels = yamlspan_dget(md, "labels");
	struct policy_namespace *pn;
	size_t i;

	if (!name_ok(ps, path, obj, "Namespace", yamlspan_dget(md, "name"), "namespace name",
		     K8SNAME_LABEL))
		return;
	pn = add_namespace(ps, yamlspan_dvalue(yamlspan_dget(md, "name")), path, obj->line + 1);
	for (i = 0; i < 3; i++) {
		const char *v = yamlspan_dvalue(yamlspan_dget(labels, pss_label_keys[i]));

		if (v && pn->path && !strcmp(pn->path, path))
			pn->labels[i] = pss_level_parse(v);
	}
}

static void gather_object(struct policy_set *ps, const char *path, const struct ynode *obj,
			  const struct imagemeta_set *images)
{
	const struct ynode *md = yamlspan_dget(obj, "metadata"), *spec, *tmd, *sa, *nsn;
	const char *kind = yamlspan_dvalue(yamlspan_dget(obj, "kind"));
	struct policy_workload w;

	if (kind && !strcmp(kind, "Namespace") && yamlspan_dget(md, "name")) {
		gather_namespace(ps, path, obj, md);
		return;
	}
	if (!k8s_pod_template(obj, &spec, &tmd))
		return;
	/* partial objects (kustomize patches) say nothing about the workload */
	if (k8s_partial(obj))
		return;
	memset(&w, 0, sizeof(w));
	w.kind = xstrdup(kind ? kind : "");
	nsn = yamlspan_dget(md, "namespace");
	sa = yamlspan_dget(spec, "serviceAccountName");
	if (!name_ok(ps, path, obj, kind, yamlspan_dget(md, "name"), "name", K8SNAME_SUBDOMAIN) ||
	    (yamlspan_dvalue(nsn) &&
	     !name_ok(ps, path, obj, kind, nsn, "namespace", K8SNAME_LABEL)) ||
	    (yamlspan_dvalue(sa) &&
	     !name_ok(ps, path, obj, kind, sa, "serviceAccountName", K8SNAME_SUBDOMAIN)) ||
	    !gather_containers(ps, path, spec, &w) ||
	    !gather_labels(ps, path, obj, yamlspan_dget(obj, "spec"), tmd, &w)) {
		workload_release(&w);
		return;
	}
	w.path = xstrdup(path);
	w.name = xstrdup(yamlspan_dvalue(yamlspan_dget(md, "name")));
	w.ns = xstrdup(yamlspan_dvalue(nsn) ? yamlspan_dvalue(nsn) : "default");
	w.sa = xstrdup(yamlspan_dvalue(sa) ? yamlspan_dvalue(sa) : "default");
	w.line = obj->line + 1;
	w.col = obj->col + 1;
	w.pss.level = PSS_RESTRICTED;
	pss_evaluate_version(spec, tmd, ps->pss_minor, &w.pss);
	pspneeds_of(spec, tmd, images, &w.psp);
	CF_ALLOC_GROW(ps->w, ps->nw + 1, ps->aw);
	ps->w[ps->nw++] = w;
	add_namespace(ps, w.ns, NULL, 0);
}

struct gather {
	struct policy_set *ps;
	const char *path;
	const struct imagemeta_set *images; /* --images: the images' users, or NULL */
};

static int gather_one(struct ynode *obj, void *payload)
{
	struct gather *g = payload;

	gather_object(g->ps, g->path, obj, g->images);
	return 0;
}

int policy_gather_transform(void *ctx, size_t index, const char *path, const char *buf, size_t len,
			    bool json, struct fix_result *res)
{
	struct policy_gather_ctx *g = ctx;
	struct fix_opts fo = *g->fopts;

	(void)index;
	fo.json = json;
	return policy_gather(g->ps, path, buf, len, &fo, res);
}

int policy_gather(struct policy_set *ps, const char *path, const char *buf, size_t len,
		  const struct fix_opts *opts, struct fix_result *res)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	struct gather g = { ps, path, opts->images };
	size_t i;

	if (fix_buffer(res, buf, len, opts) < 0)
		return -1;
	if (res->changed) {
		buf = res->out.buf;
		len = res->out.len;
	}
	if (yamlspan_parse(&yf, buf, len, opts->json, &err) < 0) {
		res->status = FIX_PARSE_ERROR;
		res->err = err;
		return -1;
	}
	for (i = 0; i < yf.ndocs; i++)
		k8s_each_object(yf.docs[i].root, gather_one, &g);
	yamlspan_release(&yf);
	return 0;
}

void policy_set_release(struct policy_set *ps)
{
	size_t i;

	for (i = 0; i < ps->nw; i++)
		workload_release(&ps->w[i]);
	for (i = 0; i < ps->nns; i++) {
		free(ps->ns[i].name);
		free(ps->ns[i].path);
	}
	for (i = 0; i < ps->nnotes; i++) {
		free(ps->notes[i].path);
		free(ps->notes[i].text);
	}
	free(ps->w);
	free(ps->ns);
	free(ps->notes);
	memset(ps, 0, sizeof(*ps));
}

int policy_ns_level(const struct policy_set *ps, const char *ns)
{
	int level = POLICY_LEVEL_UNKNOWN;
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (!strcmp(ps->w[i].ns, ns) &&
		    (level == POLICY_LEVEL_UNKNOWN || (int)ps->w[i].pss.level < level))
			level = (int)ps->w[i].pss.level;
	return level;
}

const struct policy_namespace *policy_ns_find(const struct policy_set *ps, const char *ns)
{
	size_t i;

	for (i = 0; i < ps->nns; i++)
		if (!strcmp(ps->ns[i].name, ns))
			return &ps->ns[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t policy_namespaces(const struct policy_set *ps, const char ***out)
{
	const char **v = xcalloc(ps->nns ? ps->nns : 1, sizeof(*v));
	size_t i;

	for (i = 0; i < ps->nns; i++)
		v[i] = ps->ns[i].name;
	if (ps->nns)
		qsort(v, ps->nns, sizeof(*v), cmp_str);
	*out = v;
	return ps->nns;
}

/* ---- Pod Security Standards per namespace ---- */

int policy_pss_target(const struct policy_set *ps, const char *ns, const struct policy_pss_opts *o,
		      const char **why)
{
	const struct policy_namespace *pn = policy_ns_find(ps, ns);
	int lvl = policy_ns_level(ps, ns);
	bool named = false;
	size_t i;
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	for (i = 0; o && i < o->nonly; i++)
		named |= !strcmp(o->only[i], ns);
	if (o && o->nonly && !named) {
		*why = "not among --namespace";
		return -1;
	}
	if (policy_system_namespace(ns) && !named) {
		*why = "a system namespace: labelled only when named with --namespace";
		return -1;
	}
	if (lvl == POLICY_LEVEL_UNKNOWN) {
		if (!o || !o->assume_empty) {
			*why = "unknown: no workloads in these manifests (--assume-empty labels it restricted)";
			return -1;
		}
		lvl = PSS_RESTRICTED;
	}
	if (pn && pn->labels[0] >= 0 && pn->labels[0] >= lvl) {
		*why = pn->labels[0] > lvl ? "its enforce label is stricter: never weakened"
					   : "already enforced";
		return -1;
	}
	return lvl;
}

static void render_pss_text(struct sbuf *out, const struct policy_set *ps, const char *ns,
			    const struct policy_pss_opts *o)
{
	const struct policy_namespace *pn = policy_ns_find(ps, ns);
	int lvl = policy_ns_level(ps, ns);
	const char *why = NULL;
	size_t j, k;

	policy_pss_target(ps, ns, o, &why);
	/* names are checked; paths and messages (manifest values) are escaped for the terminal */
	sbuf_addf(out, "%s: %s (%s", ns,
		  lvl == POLICY_LEVEL_UNKNOWN ? "unknown: no workloads in these manifests"
					      : pss_level_name((enum pss_level)lvl),
		  pn && pn->path ? "Namespace manifest in " : "no Namespace manifest");
	if (pn && pn->path)
		msg_escape_str(out, pn->path);
	sbuf_addch(out, ')');
	if (policy_system_namespace(ns))
		sbuf_addstr(out, " [system namespace: left alone unless named with --namespace]");
	else if (pn && pn->labels[0] > lvl && lvl != POLICY_LEVEL_UNKNOWN)
		sbuf_addf(out, " [enforces %s: kept, never weakened]",
			  pss_level_name((enum pss_level)pn->labels[0]));
	sbuf_addch(out, '\n');
	if (lvl == POLICY_LEVEL_UNKNOWN || lvl == PSS_RESTRICTED)
		return;
	for (j = 0; j < ps->nw; j++) {
		const struct policy_workload *w = &ps->w[j];

		if (strcmp(w->ns, ns) || (int)w->pss.level != lvl)
			continue;
		sbuf_addf(out, "  held back from %s by %s/%s (",
			  pss_level_name((enum pss_level)(lvl + 1)), w->kind, w->name);
		msg_escape_str(out, w->path);
		sbuf_addf(out, ":%d):\n", w->line);
		for (k = 0; k < w->pss.n; k++)
			if ((int)w->pss.v[k].level == lvl + 1) {
				sbuf_addstr(out, "    ");
				msg_escape_str(out, w->pss.v[k].message);
				sbuf_addch(out, '\n');
			}
	}
}

static json_t *pss_json(const struct policy_set *ps, const char *const *names, size_t n,
			const struct policy_pss_opts *o)
{
	json_t *root = json_object(), *jns = json_array(), *jobj = json_array();
	size_t i, j, k;

	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "pss_version", json_string(pss_version_name(ps->pss_minor)));
	for (i = 0; i < n; i++) {
		const struct policy_namespace *pn = policy_ns_find(ps, names[i]);
		int lvl = policy_ns_level(ps, names[i]);
		const char *why = NULL;
		int target = policy_pss_target(ps, names[i], o, &why);
		json_t *held = json_array();

		for (j = 0; j < ps->nw; j++) {
			const struct policy_workload *w = &ps->w[j];

			if (strcmp(w->ns, names[i]) || (int)w->pss.level != lvl ||
			    lvl == PSS_RESTRICTED)
				continue;
			json_array_append_new(held, json_pack("{s:s, s:s, s:s}", "file", w->path,
							      "kind", w->kind, "name", w->name));
		}
		json_array_append_new(
			jns,
			json_pack("{s:s, s:s?, s:s?, s:s?, s:b, s:o}", "name", names[i], "level",
				  lvl == POLICY_LEVEL_UNKNOWN ? NULL
							      : pss_level_name((enum pss_level)lvl),
				  "manifest", pn ? pn->path : NULL, "left_alone",
				  target < 0 ? why : NULL, "system",
				  policy_system_namespace(names[i]), "held_back_by", held));
	}
	for (j = 0; j < ps->nw; j++) {
		const struct policy_workload *w = &ps->w[j];
		json_t *v = json_array();

		for (k = 0; k < w->pss.n; k++)
			json_array_append_new(v, json_pack("{s:s, s:s, s:s}", "check",
							   w->pss.v[k].check, "level",
							   pss_level_name(w->pss.v[k].level),
							   "message", w->pss.v[k].message));
		json_array_append_new(jobj,
				      json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:o}", "file",
						w->path, "line", w->line, "kind", w->kind, "name",
						w->name, "namespace", w->ns, "level",
						pss_level_name(w->pss.level), "violations", v));
	}
	json_object_set_new(root, "namespaces", jns);
	json_object_set_new(root, "objects", jobj);
	return root;
}

int policy_render_pss(struct sbuf *out, const struct policy_set *ps,
		      const struct policy_pss_opts *o, bool json)
{
	const char **names = NULL;
	size_t n = policy_namespaces(ps, &names), i;
	int ret = 0;

	if (json) {
		json_t *root = pss_json(ps, names, n, o);
		char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (text) {
			sbuf_addstr(out, text);
			sbuf_addch(out, '\n');
			free(text);
		} else {
			ret = cf_err(CF_E_SYSTEM, "cannot serialise the report");
		}
		json_decref(root);
	} else {
		for (i = 0; i < n; i++)
			render_pss_text(out, ps, names[i], o);
	}
	free(names);
	return ret;
}

int policy_namespace_manifest(struct sbuf *out, const char *tdir, const char *ns,
			      const char *const *keys, const char *const *values, size_t n)
{
	struct sbuf t = SBUF_INIT, lab = SBUF_INIT, qns = SBUF_INIT;
	const char *k[] = { "namespace", "labels" };
	const char *v[2];
	size_t j;
	int r;

	if (!k8sname_valid(K8SNAME_LABEL, ns))
		return cf_err(CF_E_USAGE, "namespace \"%.64s\" is not %s", ns,
			      k8sname_rule_text(K8SNAME_LABEL));
	for (j = 0; j < n; j++) {
		sbuf_addstr(&lab, "    ");
		k8sname_yaml(&lab, keys[j]);
		sbuf_addstr(&lab, ": ");
		k8sname_yaml(&lab, values[j]);
		if (j + 1 < n)
			sbuf_addch(&lab, '\n');
	}
	k8sname_yaml(&qns, ns);
	v[0] = qns.buf;
	v[1] = lab.buf ? lab.buf : "";
	sbuf_setlen(out, 0);
	r = templates_load(tdir, "namespace.yaml", &t);
	if (!r)
		r = templates_render(t.buf, k, v, 2, out);
	sbuf_release(&t);
	sbuf_release(&lab);
	sbuf_release(&qns);
	return r;
}

void policy_label_command(struct sbuf *out, const char *ns, const char *const *keys,
			  const char *const *values, size_t n)
{
	struct sbuf kv = SBUF_INIT;
	size_t j;

	sbuf_addstr(out, "kubectl label namespace ");
	k8sname_shell(out, ns);
	for (j = 0; j < n; j++) {
		sbuf_setlen(&kv, 0);
		sbuf_addf(&kv, "%s=%s", keys[j], values[j]);
		sbuf_addch(out, ' ');
		k8sname_shell(out, kv.buf);
	}
	sbuf_addch(out, '\n');
	sbuf_release(&kv);
}
