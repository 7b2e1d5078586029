/*
 * imagerefs.c - the image references of Kubernetes objects and compose
 * services, with their positions. See imagerefs.h.
 */
#include "capfix/imagerefs.h"
#include "capfix/compose.h"
#include "capfix/k8s.h"

struct walk {
	const char *path;
	struct imagerefs *out;
};

static void push(struct imagerefs *r, const char *image, const char *path, const struct ynode *at,
		 const char *where, bool unint)
{
	struct imagerefs_item *it;

	CF_ALLOC_GROW(r->items, r->n + 1, r->alloc);
	it = &r->items[r->n++];
	it->image = xstrdup(image);
	it->path = xstrdup(path ? path : "-");
	it->line = at && at->line >= 0 ? at->line + 1 : 0;
	it->col = at && at->col >= 0 ? at->col + 1 : 0;
	it->where = xstrdup(where);
	it->uninterpolated = unint;
}

static int on_container(struct k8s_container *c, void *payload)
{
	struct walk *w = payload;
	const struct ynode *img = yamlspan_dget(c->node, "image");
	const char *v = yamlspan_dvalue(img);
	char where[512];

	if (!v || !*v || c->partial)
		return 0;
	snprintf(where, sizeof(where), "%s%s%s/%s %s[%zu] (%s)", c->ns ? c->ns : "",
		 c->ns ? "/" : "", c->kind ? c->kind : "?", c->name ? c->name : "", c->list,
		 c->index, c->cname ? c->cname : "");
	push(w->out, v, w->path, img, where, false);
	return 0;
}

static void compose_refs(const struct ynode *root, const char *path, const struct composeenv *env,
			 struct imagerefs *out)
{
	const struct ynode *services = yamlspan_deref(compose_services(root));
	char dir[4096] = "";
	const char *slash = path ? strrchr(path, '/') : NULL;
	struct compose_ctx ctx;
	size_t i;

	if (!services || services->kind != YN_MAP)
		return;
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	memset(&ctx, 0, sizeof(ctx));
	ctx.dir = dir;
	ctx.file = path;
	ctx.root = root;
	ctx.env = env;
	for (i = 0; i + 1 < services->nkids; i += 2) {
		const struct ynode *svc = services->kids[i + 1];
		const struct ynode *img = compose_get(services, svc, "image");
		const char *raw = yamlspan_dvalue(img);
		struct compose_facts f;
		char where[300];
		int rc;

		if (!raw || !*raw)
			continue; /* build: only, or no image (a partial override) */
		memset(&f, 0, sizeof(f));
		rc = compose_service_facts(&ctx, services, svc, &f);
		snprintf(where, sizeof(where), "compose service %s",
			 services->kids[i]->text ? services->kids[i]->text : "?");
		if (f.image && !f.image_from_build && !rc)
			push(out, f.image, path, img, where, false);
		else
			push(out, raw, path, img, where, strchr(raw, '$') != NULL);
		compose_facts_release(&f);
	}
}

void imagerefs_collect(const struct yfile *yf, const char *path, const struct composeenv *env,
		       struct imagerefs *out)
{
	struct walk w = { path, out };
	size_t d;

	for (d = 0; d < yf->ndocs; d++) {
		struct ynode *root = yf->docs[d].root;

		if (compose_is_file(root))
			compose_refs(root, path, env, out);
		else
			k8s_each_container(root, on_container, &w);
	}
}

static int cmp_item(const void *a, const void *b)
{
	const struct imagerefs_item *x = a, *y = b;
	int c = strcmp(x->image, y->image);

	if (!c)
		c = strcmp(x->path, y->path);
	if (!c)
		c = x->line - y->line;
	if (!c)
		c = x->col - y->col;
	return c;
}

void imagerefs_sort(struct imagerefs *r)
{
	if (r->n > 1)
		qsort(r->items, r->n, sizeof(*r->items), cmp_item);
}

void imagerefs_release(struct imagerefs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].image);
		free(r->items[i].path);
		free(r->items[i].where);
	}
	free(r->items);
	r->items = NULL;
	r->n = r->alloc = 0;
}
