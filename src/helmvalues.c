#include "capfix/helmvalues.h"
#include "capfix/addlist.h"

/* The workload a values block describes: image, port and user from the values around it. */
static void values_workload(const struct ynode *parent, const struct ynode *sc,
			    struct addlist_workload *w)
{
	const struct ynode *img = yamlspan_dget(parent, "image");
	const struct ynode *psc = yamlspan_dget(parent, "podSecurityContext");
	const struct ynode *u = yamlspan_dget(sc, "runAsUser"),
			   *nr = yamlspan_dget(sc, "runAsNonRoot");
	long port = yamlspan_int(yamlspan_dget(yamlspan_dget(parent, "service"), "port"));

	memset(w, 0, sizeof(*w));
	w->image = img && img->kind == YN_MAP ? yamlspan_dstr(yamlspan_dget(img, "repository"))
					      : yamlspan_str(img);
	if (!u || yamlspan_is_null(u))
		u = yamlspan_dget(psc, "runAsUser");
	if (!nr || yamlspan_is_null(nr))
		nr = yamlspan_dget(psc, "runAsNonRoot");
	w->root = u && yamlspan_int(u) >= 0 ? yamlspan_int(u) == 0 : !yamlspan_is_true(nr);
	w->port = port > 0 && port < 1024 ? port : -1;
	w->t.image = w->image;
	w->t.kind = "HelmValues";
}

/* The mapping holding the last component of dotted path @path, and that component. */
static struct ynode *walk_path(struct ynode *root, const char *path, const char **key)
{
	struct ynode *parent = root;
	const char *dot;
	char part[128];

	*key = path;
	while (parent && (dot = strchr(*key, '.')) != NULL) {
		size_t n = (size_t)(dot - *key);

		if (n >= sizeof(part))
			break;
		memcpy(part, *key, n);
		part[n] = '\0';
		parent = yamlspan_get(parent, part);
		*key = dot + 1;
	}
	if (!parent || parent->kind != YN_MAP || yamlspan_key_index(parent, *key) < 0 ||
	    strchr(*key, '.'))
		return NULL; /* absent: the template renders nothing */
	return parent;
}

int helmvalues_fix(struct fix_result *res, const char *buf, size_t len, const char *const *paths,
		   const char *const *sources, size_t npaths, const struct fix_opts *opts)
{
	struct fix_session *s;
	struct yfile yf = YFILE_INIT;
	size_t i;
	int ret;

	res->status = FIX_OK;
	if (yamlspan_parse(&yf, buf, len, false, &res->err) < 0) {
		res->status = FIX_PARSE_ERROR;
		return -1;
	}
	s = fix_session_begin(res, &yf, opts);
	if (yf.ndocs)
		fix_session_doc(s, yf.docs[0].root);
	for (i = 0; i < npaths && yf.ndocs; i++) {
		struct sbuf detail = SBUF_INIT;
		struct addlist_workload w;
		struct ynode *parent;
		const char *key, *why = NULL;
		int line, col;

		parent = walk_path(yf.docs[0].root, paths[i], &key);
		if (!parent || parent->mark)
			continue; /* absent, or the same block through another template */
		fix_note_pos(yamlspan_get(parent, key), &line, &col);
		values_workload(parent, yamlspan_get(parent, key), &w);
		w.t.name = paths[i];
		w.t.container = key;
		switch (fix_session_block(s, parent, key, &w, &detail, &why)) {
		case FIX_BLOCK_SKIPPED:
			fix_note_add(res, FIX_NOTE_WARN, line, col, ".Values.%s left alone: %s",
				     paths[i], why);
			break;
		case FIX_BLOCK_ALREADY:
			break;
		case FIX_BLOCK_FIXED: {
			struct fix_note *n;

			fix_note_add(res, FIX_NOTE_CHANGE, line, col,
				     ".Values.%s (a container securityContext in %s): %s", paths[i],
				     sources[i], detail.buf);
			n = &res->notes[res->nnotes - 1];
			n->object = xstrdup("Helm values");
			n->container = xstrdup(paths[i]);
			n->detail = sbuf_detach(&detail, NULL);
			break;
		}
		}
		sbuf_release(&detail);
	}
	ret = fix_session_end(s);
	yamlspan_release(&yf);
	return ret;
}
