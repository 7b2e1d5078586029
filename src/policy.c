#include "capfix/policy.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8s.h"
#include "capfix/templates.h"

#include <jansson.h>

#define BIT(n) ((uint64_t)1 << (n))

static char *dup(const char *s)
{
	return xstrdup(s ? s : "");
}

static void add_namespace(struct policy_set *ps, const char *name, const char *path, int line)
{
	size_t i;

	for (i = 0; i < ps->nns; i++) {
		if (strcmp(ps->ns[i].name, name))
			continue;
		if (path && !ps->ns[i].path) {
			ps->ns[i].path = xstrdup(path);
			ps->ns[i].line = line;
		}
		return;
	}
	CF_ALLOC_GROW(ps->ns, ps->nns + 1, ps->ans);
	ps->ns[ps->nns].name = xstrdup(name);
	ps->ns[ps->nns].path = path ? xstrdup(path) : NULL;
	ps->ns[ps->nns].line = line;
	ps->nns++;
}

static void gather_object(struct policy_set *ps, const char *path, const struct ynode *obj)
{
	static const char *const lists[] = { "initContainers", "containers",
					     "ephemeralContainers" };
	const struct ynode *md = yamlspan_dget(obj, "metadata"), *spec, *tmd;
	const char *kind = yamlspan_dvalue(yamlspan_dget(obj, "kind")),
		   *ns = yamlspan_dvalue(yamlspan_dget(md, "namespace"));
	struct policy_workload *w;
	size_t i, j, k;

	if (kind && !strcmp(kind, "Namespace") && yamlspan_dvalue(yamlspan_dget(md, "name"))) {
		add_namespace(ps, yamlspan_dvalue(yamlspan_dget(md, "name")), path, obj->line + 1);
		return;
	}
	if (!k8s_pod_template(obj, &spec, &tmd))
		return;
	/* partial objects (kustomize patches) say nothing about the workload */
	if (k8s_partial(obj))
		return;
	CF_ALLOC_GROW(ps->w, ps->nw + 1, ps->aw);
	w = &ps->w[ps->nw++];
	memset(w, 0, sizeof(*w));
	w->path = dup(path);
	w->kind = dup(kind);
	w->name = dup(yamlspan_dvalue(yamlspan_dget(md, "name")));
	w->ns = dup(ns ? ns : "default");
	w->sa = dup(yamlspan_dvalue(yamlspan_dget(spec, "serviceAccountName"))
			    ? yamlspan_dvalue(yamlspan_dget(spec, "serviceAccountName"))
			    : "default");
	w->line = obj->line + 1;
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		const struct ynode *l = yamlspan_dget(spec, lists[i]);

		for (j = 0; l && l->kind == YN_SEQ && j < l->nkids; j++) {
			const struct ynode *sc = yamlspan_dget(l->kids[j], "securityContext");
			const struct ynode *add =
				yamlspan_dget(yamlspan_dget(sc, "capabilities"), "add");

			w->privileged |= yamlspan_is_true(yamlspan_dget(sc, "privileged"));
			for (k = 0; add && add->kind == YN_SEQ && k < add->nkids; k++) {
				const struct cap_info *ci =
					yamlspan_dvalue(add->kids[k])
						? caps_lookup(yamlspan_dvalue(add->kids[k]))
						: NULL;

				if (ci)
					w->adds |= BIT(ci->number);
			}
		}
	}
	w->pss.level = PSS_RESTRICTED;
	pss_evaluate(spec, tmd, &w->pss);
	add_namespace(ps, w->ns, NULL, 0);
}

struct gather {
	struct policy_set *ps;
	const char *path;
};

static int gather_one(struct ynode *obj, void *payload)
{
	struct gather *g = payload;

	gather_object(g->ps, g->path, obj);
	return 0;
}

int policy_gather(struct policy_set *ps, const char *path, const char *buf, size_t len,
		  const struct fix_opts *opts, struct fix_result *res)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	struct gather g = { ps, path };
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

	for (i = 0; i < ps->nw; i++) {
		struct policy_workload *w = &ps->w[i];

		free(w->path);
		free(w->kind);
		free(w->name);
		free(w->ns);
		free(w->sa);
		pss_result_release(&w->pss);
	}
	for (i = 0; i < ps->nns; i++) {
		free(ps->ns[i].name);
		free(ps->ns[i].path);
	}
	free(ps->w);
	free(ps->ns);
	memset(ps, 0, sizeof(*ps));
}

enum pss_level policy_ns_level(const struct policy_set *ps, const char *ns)
{
	enum pss_level level = PSS_RESTRICTED;
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (!strcmp(ps->w[i].ns, ns) && ps->w[i].pss.level < level)
			level = ps->w[i].pss.level;
	return level;
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

/* ---- generators ---- */

/* `["A", "B"]`, `['A', 'B']` and `A, B` for capability set @m (catalogue order). */
static void cap_lists(uint64_t m, struct sbuf *flow, struct sbuf *cel, struct sbuf *plain)
{
	size_t i, n = 0;

	sbuf_setlen(flow, 0);
	sbuf_setlen(cel, 0);
	sbuf_setlen(plain, 0);
	sbuf_addch(flow, '[');
	sbuf_addch(cel, '[');
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);

		if (!(m & BIT(ci->number)))
			continue;
		sbuf_addf(flow, "%s\"%s\"", n ? ", " : "", ci->name);
		sbuf_addf(cel, "%s'%s'", n ? ", " : "", ci->name);
		sbuf_addf(plain, "%s%s", n ? ", " : "", ci->name);
		n++;
	}
	sbuf_addch(flow, ']');
	sbuf_addch(cel, ']');
	if (!n)
		sbuf_addstr(plain, "nothing");
}

/* The union of the add lists, never NET_RAW (the policies forbid it). */
static uint64_t all_adds(const struct policy_set *ps)
{
	const struct cap_info *raw = caps_lookup("NET_RAW");
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < ps->nw; i++)
		if (!ps->w[i].privileged)
			m |= ps->w[i].adds;
	return raw ? m & ~BIT(raw->number) : m;
}

static int render_one(struct sbuf *out, const char *tdir, const char *tname,
		      const char *const *keys, const char *const *values, size_t n)
{
	struct sbuf t = SBUF_INIT;
	int r;

	if (templates_load(tdir, tname, &t) < 0) {
		sbuf_release(&t);
		return -1;
	}
	r = templates_render(t.buf ? t.buf : "", keys, values, n, out);
	sbuf_release(&t);
	return r;
}

int policy_render(struct sbuf *out, const struct policy_set *ps, const char *kind, const char *tdir,
		  bool per_need)
{
	struct sbuf flow = SBUF_INIT, cel = SBUF_INIT, plain = SBUF_INIT;
	const char *keys[] = { "name", "caps_flow", "caps_cel", "caps_plain" };
	const char *values[4];
	uint64_t m = all_adds(ps);
	const struct cap_info *nbs = caps_lookup("NET_BIND_SERVICE");
	int ret = -1;
	size_t i;

	if (!strcmp(kind, "psp") && per_need)
		m &= BIT(nbs->number); /* the shared policy: restricted's one capability */
	cap_lists(m, &flow, &cel, &plain);
	values[0] = !strcmp(kind, "psp") ? "capfix-restricted" : "capfix-capabilities";
	values[1] = flow.buf;
	values[2] = cel.buf;
	values[3] = plain.buf;
	if (!strcmp(kind, "vap") || !strcmp(kind, "kyverno") || !strcmp(kind, "gatekeeper")) {
		struct sbuf tn = SBUF_INIT;

		sbuf_addf(&tn, "%s.yaml", kind);
		ret = render_one(out, tdir, tn.buf, keys, values, 4);
		sbuf_release(&tn);
		goto out;
	}
	if (strcmp(kind, "psp")) {
		ret = cf_err(CF_E_USAGE, "unknown policy kind '%s'", kind);
		goto out;
	}
	if (render_one(out, tdir, "psp.yaml", keys, values, 4) < 0 ||
	    render_one(out, tdir, "psp-binding-all.yaml", keys, values, 4) < 0)
		goto out;
	for (i = 0; per_need && i < ps->nw; i++) {
		const struct policy_workload *w = &ps->w[i];
		const char *k2[] = { "name",	  "caps_flow",	     "caps_cel", "caps_plain",
				     "namespace", "service_account", "workloads" };
		const char *v2[7];
		struct sbuf name = SBUF_INIT, who = SBUF_INIT;
		uint64_t need = w->adds & ~m;
		size_t j;
		bool seen = false;

		if (w->privileged || !need)
			continue;
		/* one policy per service account: the first workload names it */
		for (j = 0; j < i && !seen; j++)
			seen = !strcmp(ps->w[j].ns, w->ns) && !strcmp(ps->w[j].sa, w->sa) &&
			       (ps->w[j].adds & ~m) && !ps->w[j].privileged;
		if (seen)
			continue;
		need = 0;
		for (j = i; j < ps->nw; j++)
			if (!strcmp(ps->w[j].ns, w->ns) && !strcmp(ps->w[j].sa, w->sa) &&
			    !ps->w[j].privileged && (ps->w[j].adds & ~m)) {
				need |= ps->w[j].adds;
				sbuf_addf(&who, "%s%s/%s", who.len ? ", " : "", ps->w[j].kind,
					  ps->w[j].name);
			}
		cap_lists(need & ~BIT(caps_lookup("NET_RAW")->number), &flow, &cel, &plain);
		sbuf_addf(&name, "capfix-%s-%s", w->ns, w->sa);
		v2[0] = name.buf;
		v2[1] = flow.buf;
		v2[2] = cel.buf;
		v2[3] = plain.buf;
		v2[4] = w->ns;
		v2[5] = w->sa;
		v2[6] = who.buf;
		sbuf_addstr(out, "---\n");
		if (render_one(out, tdir, "psp.yaml", k2, v2, 7) < 0 ||
		    render_one(out, tdir, "psp-binding-sa.yaml", k2, v2, 7) < 0) {
			sbuf_release(&name);
			sbuf_release(&who);
			goto out;
		}
		sbuf_release(&name);
		sbuf_release(&who);
	}
	ret = 0;
out:
	sbuf_release(&flow);
	sbuf_release(&cel);
	sbuf_release(&plain);
	return ret;
}

/* ---- Pod Security Standards per namespace ---- */

int policy_render_pss(struct sbuf *out, const struct policy_set *ps, bool json)
{
	const char **names = NULL;
	size_t n = policy_namespaces(ps, &names), i, j, k;
	json_t *root = NULL, *jns = NULL, *jobj = NULL;
	int ret = 0;

	if (json) {
		root = json_object();
		jns = json_array();
		jobj = json_array();
		json_object_set_new(root, "version", json_integer(1));
	}
	for (i = 0; i < n; i++) {
		const struct policy_namespace *pn = NULL;
		enum pss_level lvl = policy_ns_level(ps, names[i]);
		json_t *held = json ? json_array() : NULL;

		for (j = 0; j < ps->nns; j++)
			if (!strcmp(ps->ns[j].name, names[i]))
				pn = &ps->ns[j];
		if (!json)
			sbuf_addf(out, "%s: %s (%s%s)\n", names[i], pss_level_name(lvl),
				  pn && pn->path ? "Namespace manifest in "
						 : "no Namespace manifest",
				  pn && pn->path ? pn->path : "");
		for (j = 0; j < ps->nw; j++) {
			const struct policy_workload *w = &ps->w[j];

			if (strcmp(w->ns, names[i]) || w->pss.level != lvl || lvl == PSS_RESTRICTED)
				continue;
			if (json) {
				json_array_append_new(held,
						      json_pack("{s:s, s:s, s:s}", "file", w->path,
								"kind", w->kind, "name", w->name));
				continue;
			}
			sbuf_addf(out, "  held back from %s by %s/%s (%s:%d):\n",
				  pss_level_name((enum pss_level)(lvl + 1)), w->kind, w->name,
				  w->path, w->line);
			for (k = 0; k < w->pss.n; k++)
				if (w->pss.v[k].level == lvl + 1)
					sbuf_addf(out, "    %s\n", w->pss.v[k].message);
		}
		if (json)
			json_array_append_new(jns, json_pack("{s:s, s:s, s:s?, s:o}", "name",
							     names[i], "level", pss_level_name(lvl),
							     "manifest", pn ? pn->path : NULL,
							     "held_back_by", held));
	}
	if (json) {
		for (j = 0; j < ps->nw; j++) {
			const struct policy_workload *w = &ps->w[j];
			json_t *v = json_array();

			for (k = 0; k < w->pss.n; k++)
				json_array_append_new(
					v, json_pack("{s:s, s:s, s:s}", "check", w->pss.v[k].check,
						     "level", pss_level_name(w->pss.v[k].level),
						     "message", w->pss.v[k].message));
			json_array_append_new(
				jobj, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:o}", "file",
						w->path, "line", w->line, "kind", w->kind, "name",
						w->name, "namespace", w->ns, "level",
						pss_level_name(w->pss.level), "violations", v));
		}
		json_object_set_new(root, "namespaces", jns);
		json_object_set_new(root, "objects", jobj);
		{
			char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

			if (text) {
				sbuf_addstr(out, text);
				sbuf_addch(out, '\n');
				free(text);
			} else {
				ret = cf_err(CF_E_SYSTEM, "cannot serialise the report");
			}
		}
		json_decref(root);
	}
	free(names);
	return ret;
}

int policy_namespace_manifest(struct sbuf *out, const char *tdir, const char *ns,
			      const char *const *keys, const char *const *values, size_t n)
{
	struct sbuf t = SBUF_INIT, lab = SBUF_INIT;
	const char *k[] = { "namespace", "labels" };
	const char *v[2];
	size_t j;
	int r;

	for (j = 0; j < n; j++)
		sbuf_addf(&lab, "    %s: %s%s", keys[j], values[j], j + 1 < n ? "\n" : "");
	v[0] = ns;
	v[1] = lab.buf ? lab.buf : "";
	sbuf_setlen(out, 0);
	r = templates_load(tdir, "namespace.yaml", &t);
	if (!r)
		r = templates_render(t.buf, k, v, 2, out);
	sbuf_release(&t);
	sbuf_release(&lab);
	return r;
}

void policy_label_command(struct sbuf *out, const char *ns, const char *const *keys,
			  const char *const *values, size_t n)
{
	size_t j;

	sbuf_addf(out, "kubectl label --overwrite namespace %s", ns);
	for (j = 0; j < n; j++)
		sbuf_addf(out, " %s=%s", keys[j], values[j]);
	sbuf_addch(out, '\n');
}
