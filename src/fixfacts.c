/*
 * fixfacts.c - image metadata and traces as the facts of one workload.
 * See fixfacts.h.
 */
#include "capfix/fixfacts.h"
#include "capfix/capcfg.h"
#include "capfix/imagemeta.h"
#include "capfix/k8s.h"
#include "capfix/suppress.h"

static size_t argv_len(char **v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void fixfacts_gather(struct fixfacts *x, const struct fix_opts *o, const struct trace_workload *tw,
		     const char *command0, const char *args0, bool replaces_cmd,
		     struct addlist_workload *w)
{
	const struct imagemeta_image *img =
		o->images && w->image ? imagemeta_lookup(o->images, w->image) : NULL;
	const char *start = imagemeta_start(img, command0, args0, replaces_cmd);
	bool root = w->root;

	memset(x, 0, sizeof(*x));
	shell_needs_init(&x->image_needs);
	w->img = img;
	if (img && !w->user_declared && img->user_kind != IMAGEMETA_USER_UNKNOWN)
		root = img->user_kind == IMAGEMETA_USER_ROOT;
	if (img && !(command0 && *command0)) {
		/* what the image runs itself: its entrypoint, then its cmd unless replaced */
		const char *argv[128];
		size_t n = 0, i, ne = argv_len(img->entrypoint), nc = argv_len(img->cmd);

		for (i = 0; i < ne && n < ARRAY_SIZE(argv); i++)
			argv[n++] = img->entrypoint[i];
		for (i = 0; !replaces_cmd && i < nc && n < ARRAY_SIZE(argv); i++)
			argv[n++] = img->cmd[i];
		if (n)
			shell_needs_argv(&x->image_needs, argv, n, root);
		if (img->script)
			shell_needs_script(&x->image_needs, img->script, root);
		w->image_needs = &x->image_needs;
	}
	if (start) {
		snprintf(x->start, sizeof(x->start), "%s", start);
		w->start = x->start;
	}
	if (o->traces && tw) {
		struct trace_opts to;

		memset(&to, 0, sizeof(to));
		to.trust_denied = o->trust_denied;
		if (img) {
			to.filecap = imagemeta_filecap_has;
			to.filecap_ctx = (void *)img;
		}
		if (trace_query(o->traces, tw, &to, &x->trace))
			w->trace = &x->trace;
	}
}

char *fixfacts_suppressed(const struct fix_opts *o, const struct k8s_container *kc,
			  uint64_t *allowed)
{
	const struct ynode *spec = NULL, *pmd = NULL;
	const struct ynode *omd = yamlspan_dget(kc->object, "metadata");

	*allowed = 0;
	if (o->no_ignores)
		return NULL;
	if (!k8s_pod_template(kc->object, &spec, &pmd))
		pmd = NULL;
	*allowed = suppress_kubeaudit(omd, pmd, kc->cname, NULL);
	{
		char *why = suppress_for(omd, pmd, kc->cname, "CF001");
		struct capcfg_target t;
		const char *cfgwhy;

		if (why || !o->cfg)
			return why;
		/* .capfix.yaml ignore: rules, with the same globs as rules: plus path: */
		memset(&t, 0, sizeof(t));
		t.image = yamlspan_dstr(yamlspan_dget(kc->node, "image"));
		t.ns = kc->ns;
		t.kind = kc->kind;
		t.name = kc->name;
		t.container = kc->cname;
		cfgwhy = capcfg_ignored(o->cfg, &t, o->path, "CF001");
		return cfgwhy ? xstrdup(cfgwhy) : NULL;
	}
}

char *fixfacts_service_suppressed(const struct fix_opts *o, const struct ynode *svc,
				  const struct capcfg_target *t)
{
	char *why;
	const char *cfgwhy;

	if (o->no_ignores)
		return NULL;
	why = suppress_compose(svc, "CF204");
	if (why || !o->cfg)
		return why;
	cfgwhy = capcfg_ignored(o->cfg, t, o->path, "CF204");
	return cfgwhy ? xstrdup(cfgwhy) : NULL;
}
