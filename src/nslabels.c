#include "capfix/nslabels.h"
#include "capfix/yamlwrite.h"

/* Fail with @status and message @msg, where a "%s" names the namespace @ns. */
static int refuse(struct fix_result *res, enum fix_status status, const char *msg, const char *ns)
{
	const char *at = strstr(msg, "%s");

	res->status = status;
	res->err.line = res->err.col = 1;
	if (at)
		snprintf(res->err.msg, sizeof(res->err.msg), "%.*s%s%s", (int)(at - msg), msg, ns,
			 at + 2);
	else
		snprintf(res->err.msg, sizeof(res->err.msg), "%s", msg);
	return -1;
}

static bool shared(const struct ynode *n)
{
	return n && (n->kind == YN_ALIAS || n->anchor || (n->tag && n->kind != YN_SCALAR) ||
		     (n->kind == YN_MAP && n->merge));
}

/* The Namespace document named @ns (its index, its metadata), or SIZE_MAX. */
static size_t find_namespace(const struct yfile *yf, const char *ns, struct ynode **md)
{
	size_t i;

	for (i = 0; i < yf->ndocs; i++) {
		const struct ynode *root = yf->docs[i].root;
		const char *kind = yamlspan_str(yamlspan_get(root, "kind"));
		struct ynode *m = yamlspan_get(root, "metadata");
		const char *name = yamlspan_str(yamlspan_get(m, "name"));

		if (kind && !strcmp(kind, "Namespace") && m && m->kind == YN_MAP && name &&
		    !strcmp(name, ns)) {
			*md = m;
			return i;
		}
	}
	return SIZE_MAX;
}

static bool labels_as_planned(const struct ynode *o, const struct ynode *n, const char *const *keys,
			      const char *const *values, size_t nk)
{
	size_t i, j;

	if (!n || n->kind != YN_MAP)
		return false;
	for (i = 0; i + 1 < n->nkids; i += 2) {
		const char *k = yamlspan_str(n->kids[i]);
		const struct ynode *ov =
			o && o->kind == YN_MAP ? yamlspan_get(o, k ? k : "") : NULL;
		bool planned = false;

		for (j = 0; k && j < nk; j++) {
			if (!strcmp(k, keys[j])) {
				planned = true;
				if (!yamlspan_str(n->kids[i + 1]) ||
				    strcmp(yamlspan_str(n->kids[i + 1]), values[j]))
					return false;
			}
		}
		if (!planned && (!ov || !yamlspan_equal(ov, n->kids[i + 1])))
			return false;
	}
	for (j = 0; j < nk; j++)
		if (!yamlspan_get(n, keys[j]))
			return false;
	/* nothing lost */
	for (i = 0; o && o->kind == YN_MAP && i + 1 < o->nkids; i += 2)
		if (yamlspan_str(o->kids[i]) && !yamlspan_get(n, yamlspan_str(o->kids[i])))
			return false;
	return true;
}

/* New file @ny means old @yf with the labels set on metadata @md of document @target. */
static bool as_planned(const struct yfile *yf, const struct yfile *ny, size_t target,
		       const struct ynode *md, const struct ynode *lab, const char *const *keys,
		       const char *const *values, size_t nk)
{
	bool ok = ny->ndocs == yf->ndocs;
	size_t i, j, k;

	for (i = 0; i < ny->ndocs && ok; i++) {
		const struct ynode *o = yf->docs[i].root, *n = ny->docs[i].root;

		if (i != target) {
			ok = yamlspan_equal(o, n);
			continue;
		}
		/* the Namespace: equal but for metadata.labels */
		ok = n->kind == YN_MAP && n->nkids == o->nkids;
		for (j = 0; ok && j + 1 < o->nkids; j += 2) {
			const struct ynode *om = o->kids[j + 1], *nm = n->kids[j + 1];

			ok = yamlspan_equal(o->kids[j], n->kids[j]);
			if (!ok || om != md) {
				ok = ok && yamlspan_equal(om, nm);
				continue;
			}
			ok = nm->kind == YN_MAP;
			for (k = 0; ok && k + 1 < nm->nkids; k += 2) {
				const char *key = yamlspan_str(nm->kids[k]);

				if (key && !strcmp(key, "labels"))
					ok = labels_as_planned(lab, nm->kids[k + 1], keys, values,
							       nk);
				else
					ok = key && yamlspan_get(om, key) &&
					     yamlspan_equal(yamlspan_get(om, key), nm->kids[k + 1]);
			}
		}
	}
	return ok;
}

int nslabels_set(struct fix_result *res, const char *buf, size_t len, const char *ns,
		 const char *const *keys, const char *const *values, size_t nk)
{
	struct yamlwrite w;
	struct yfile yf = YFILE_INIT, ny = YFILE_INIT;
	struct yerror err;
	struct ywval ent[NSLABELS_MAX], labels;
	size_t i, nent = 0, target;
	struct ynode *md = NULL;
	const struct ynode *lab;
	long kl;
	int ret = -1, r = 0;

	res->status = FIX_OK;
	if (nk > NSLABELS_MAX)
		return refuse(res, FIX_REFUSED, "too many labels to set on \"%s\"", ns);
	if (yamlspan_parse(&yf, buf, len, false, &res->err) < 0) {
		res->status = FIX_PARSE_ERROR;
		return -1;
	}
	yamlwrite_init(&w, buf, len, yf.crlf, false);
	target = find_namespace(&yf, ns, &md);
	if (target == SIZE_MAX || shared(md)) {
		refuse(res, FIX_REFUSED, "no editable Namespace \"%s\" here", ns);
		goto out;
	}
	yamlwrite_doc(&w, yf.docs[target].root);
	kl = yamlspan_key_index(md, "labels");
	lab = kl >= 0 ? md->kids[kl + 1] : NULL;
	if (lab && (shared(lab) || (!yamlspan_is_null(lab) && lab->kind != YN_MAP))) {
		refuse(res, FIX_REFUSED, "the labels of \"%s\" cannot be edited", ns);
		goto out;
	}
	for (i = 0; i < nk && !r; i++) {
		const struct ynode *cur =
			lab && lab->kind == YN_MAP ? yamlspan_get(lab, keys[i]) : NULL;

		if (cur && yamlspan_str(cur) && !strcmp(yamlspan_str(cur), values[i]))
			continue;
		if (cur) {
			r = yamlwrite_replace_scalar(&w, cur, values[i]);
			continue;
		}
		memset(&ent[nent], 0, sizeof(ent[nent]));
		ent[nent].key = keys[i];
		ent[nent].kind = YW_STR;
		ent[nent].str = values[i];
		nent++;
	}
	if (!r && nent) {
		memset(&labels, 0, sizeof(labels));
		labels.key = "labels";
		labels.kind = YW_MAP;
		labels.kids = ent;
		labels.n = nent;
		if (!lab)
			r = yamlwrite_map_append(&w, md, md, &labels, 1);
		else if (yamlspan_is_null(lab) || !lab->nkids)
			r = yamlwrite_set_value(&w, md, (size_t)kl, md, &labels);
		else
			r = yamlwrite_map_append(&w, lab, lab, ent, nent);
	}
	if (r < 0) {
		refuse(res, FIX_REFUSED, "this labels layout is not supported for editing", ns);
		goto out;
	}
	if (w.edits.n) {
		struct sbuf out = SBUF_INIT;

		if (yamlwrite_apply(&w, &out) < 0 ||
		    yamlspan_parse(&ny, out.buf, out.len, false, &err) < 0) {
			refuse(res, FIX_REFUSED, "the edited text does not parse", ns);
			sbuf_release(&out);
			goto out;
		}
		if (!as_planned(&yf, &ny, target, md, lab, keys, values, nk)) {
			refuse(res, FIX_REFUSED,
			       "the edited Namespace does not mean the original plus the labels",
			       ns);
			sbuf_release(&out);
			goto out;
		}
		sbuf_release(&res->out);
		res->out = out;
		res->changed = true;
	}
	ret = 0;
out:
	yamlwrite_release(&w);
	yamlspan_release(&ny);
	yamlspan_release(&yf);
	return ret;
}

size_t nslabels_pss(enum pss_level lvl, const char **keys, const char **values)
{
	static const char *const pss_keys[] = {
		"pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version",
		"pod-security.kubernetes.io/warn",    "pod-security.kubernetes.io/warn-version",
		"pod-security.kubernetes.io/audit",   "pod-security.kubernetes.io/audit-version"
	};
	size_t i, n = lvl == PSS_RESTRICTED ? 2 : 6;

	for (i = 0; i < n; i++)
		keys[i] = pss_keys[i];
	values[0] = pss_level_name(lvl);
	values[1] = "latest";
	for (i = 2; i < n; i += 2) {
		values[i] = "restricted";
		values[i + 1] = "latest";
	}
	return n;
}
