#include "capfix/compose.h"

#include <stdio.h>

#include "capfix/dockerfile.h"
#include "capfix/err.h"

bool compose_is_file(const struct ynode *root)
{
	const struct ynode *svcs;

	if (!root || root->kind != YN_MAP)
		return false;
	svcs = yamlspan_dget(root, "services");
	return svcs && svcs->kind == YN_MAP && !yamlspan_get(root, "apiVersion") &&
	       !yamlspan_get(root, "kind");
}

struct ynode *compose_services(const struct ynode *root)
{
	return yamlspan_get(root, "services");
}

bool compose_merged_has(const struct ynode *svc, const char *key)
{
	return compose_merged_get(svc, key) != NULL;
}

const struct ynode *compose_merged_get(const struct ynode *svc, const char *key)
{
	size_t i, j;

	svc = yamlspan_deref(svc);
	if (!svc || svc->kind != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < svc->nkids; i += 2) {
		const struct ynode *k = svc->kids[i], *v = yamlspan_deref(svc->kids[i + 1]);

		if (k->kind != YN_SCALAR || strcmp(k->text, "<<") || !v)
			continue;
		if (v->kind == YN_MAP && yamlspan_get(v, key))
			return yamlspan_deref(yamlspan_get(v, key));
		for (j = 0; v->kind == YN_SEQ && j < v->nkids; j++) {
			const struct ynode *m = yamlspan_deref(v->kids[j]);

			if (m && m->kind == YN_MAP && yamlspan_get(m, key))
				return yamlspan_deref(yamlspan_get(m, key));
		}
	}
	return NULL;
}

static const struct ynode *extends_get(const struct ynode *services, const struct ynode *svc,
				       const char *key, int depth)
{
	const struct ynode *v = yamlspan_mget(svc, key), *ext, *base;
	const char *name;

	if (v || depth > 8)
		return v;
	ext = yamlspan_mget(svc, "extends");
	if (!ext)
		return NULL;
	name = ext->kind == YN_SCALAR ? ext->text : yamlspan_dstr(yamlspan_mget(ext, "service"));
	if (!name || (ext->kind == YN_MAP && yamlspan_mget(ext, "file")))
		return NULL; /* another file: not followed */
	base = yamlspan_mget(services, name);
	return base && base != svc ? extends_get(services, base, key, depth + 1) : NULL;
}

const struct ynode *compose_get(const struct ynode *services, const struct ynode *svc,
				const char *key)
{
	return extends_get(services, svc, key, 0);
}

long compose_port(const struct ynode *it)
{
	const char *s, *colon;
	char *end;
	long v;

	it = yamlspan_deref(it);
	if (it && it->kind == YN_MAP)
		return yamlspan_int(yamlspan_dget(it, "target"));
	s = yamlspan_str(it);
	if (!s)
		return -1;
	colon = strrchr(s, ':');
	if (colon)
		s = colon + 1;
	v = strtol(s, &end, 10);
	return end == s || v <= 0 ? -1 : v;
}

long compose_low_port(const struct ynode *svc)
{
	static const char *const keys[] = { "ports", "expose" };
	size_t k, i;

	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		const struct ynode *l = yamlspan_dget(svc, keys[k]);

		for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++) {
			long v = compose_port(l->kids[i]);

			if (v > 0 && v < 1024)
				return v;
		}
	}
	return -1;
}

bool compose_may_run_as_root(const struct ynode *svc)
{
	const struct ynode *u = yamlspan_dget(svc, "user");
	const char *s = yamlspan_str(u);

	if (!u || yamlspan_is_null(u) || !s)
		return true;
	return !strcmp(s, "root") || !strncmp(s, "root:", 5) || !strcmp(s, "0") ||
	       !strncmp(s, "0:", 2);
}

static bool has_image_or_build(const struct ynode *services, const struct ynode *svc)
{
	return compose_get(services, svc, "image") || compose_get(services, svc, "build");
}

static bool override_name(const char *path)
{
	const char *base, *dot;

	if (!path)
		return false;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strstr(base, ".override.");
	return dot && (!strcmp(dot, ".override.yml") || !strcmp(dot, ".override.yaml"));
}

bool compose_service_partial(const struct ynode *root, const struct ynode *svc, const char *path)
{
	const struct ynode *services = root ? yamlspan_deref(compose_services(root)) : NULL;
	size_t i;

	svc = yamlspan_deref(svc);
	if (!svc || svc->kind != YN_MAP || has_image_or_build(services, svc))
		return false;
	if (override_name(path))
		return true;
	if (!services || services->kind != YN_MAP)
		return false;
	for (i = 0; i + 1 < services->nkids; i += 2) {
		const struct ynode *s = yamlspan_deref(services->kids[i + 1]);

		if (s && s->kind == YN_MAP && has_image_or_build(services, s))
			return false;
	}
	return true;
}

static void facts_note(struct compose_facts *f, int st, const char *err)
{
	if (st == COMPOSEENV_ERROR) {
		if (f->status != COMPOSEENV_ERROR && err && err[0] && !f->err[0])
			snprintf(f->err, sizeof(f->err), "%s", err);
		f->status = COMPOSEENV_ERROR;
	} else if (f->status != COMPOSEENV_ERROR && st > f->status) {
		f->status = st;
	}
}

/* Interpolated text of a scalar, or NULL for anything else. */
static char *interp_scalar(const struct compose_ctx *ctx, struct compose_facts *f,
			   const struct ynode *n)
{
	const char *s = yamlspan_str(yamlspan_deref(n));
	struct sbuf out = SBUF_INIT;
	char err[256];

	if (!s || yamlspan_is_null(yamlspan_deref(n)))
		return NULL;
	facts_note(f, composeenv_interpolate(ctx ? ctx->env : NULL, s, &out, err, sizeof(err)),
		   err);
	return sbuf_detach(&out, NULL);
}

/* A scalar, or a list of scalars joined with spaces, interpolated; NULL otherwise. */
static char *interp_words(const struct compose_ctx *ctx, struct compose_facts *f,
			  const struct ynode *n)
{
	struct sbuf out = SBUF_INIT;
	size_t i;

	n = yamlspan_deref(n);
	if (!n || yamlspan_is_null(n))
		return NULL;
	if (n->kind == YN_SCALAR)
		return interp_scalar(ctx, f, n);
	if (n->kind != YN_SEQ)
		return NULL;
	for (i = 0; i < n->nkids; i++) {
		char *w = interp_scalar(ctx, f, n->kids[i]);

		if (!w)
			continue;
		if (out.len)
			sbuf_addch(&out, ' ');
		sbuf_addstr(&out, w);
		free(w);
	}
	return sbuf_detach(&out, NULL);
}

/* The container port of a ports/expose text: "8080:80/tcp", "127.0.0.1:80:80", "80-81". */
static long port_of_text(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long v;

	if (colon)
		s = colon + 1;
	v = strtol(s, &end, 10);
	return end == s || v <= 0 || v > 65535 ? -1 : v;
}

static void facts_ports(const struct compose_ctx *ctx, struct compose_facts *f,
			const struct ynode *services, const struct ynode *svc)
{
	static const char *const keys[] = { "ports", "expose" };
	size_t k, i, alloc = 0;

	f->low_port = -1;
	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		const struct ynode *l = yamlspan_deref(compose_get(services, svc, keys[k]));

		for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++) {
			const struct ynode *it = yamlspan_deref(l->kids[i]);
			char *t = NULL;
			long v;

			if (it && it->kind == YN_MAP)
				t = interp_scalar(ctx, f, yamlspan_dget(it, "target"));
			else
				t = interp_scalar(ctx, f, it);
			v = t ? port_of_text(t) : -1;
			free(t);
			if (v <= 0)
				continue;
			CF_ALLOC_GROW(f->ports, f->nports + 1, alloc);
			f->ports[f->nports++] = v;
			if (v < 1024 && f->low_port < 0)
				f->low_port = v;
		}
	}
}

static void facts_build(const struct compose_ctx *ctx, struct compose_facts *f,
			const struct ynode *build)
{
	char *context = NULL, *dockerfile = NULL, *target = NULL, *inl = NULL;
	struct dockerfile_stage st = DOCKERFILE_STAGE_INIT;
	struct sbuf dir = SBUF_INIT;
	int rc;

	build = yamlspan_deref(build);
	if (build->kind == YN_SCALAR) {
		context = interp_scalar(ctx, f, build);
	} else if (build->kind == YN_MAP) {
		context = interp_scalar(ctx, f, yamlspan_dget(build, "context"));
		dockerfile = interp_scalar(ctx, f, yamlspan_dget(build, "dockerfile"));
		target = interp_scalar(ctx, f, yamlspan_dget(build, "target"));
		inl = interp_scalar(ctx, f, yamlspan_dget(build, "dockerfile_inline"));
	}
	if (inl) {
		rc = dockerfile_stage(inl, strlen(inl), target, &st);
	} else if (ctx && ctx->no_files) {
		rc = -1; /* the caller reads nothing from disk */
	} else {
		const char *c = context && *context ? context : ".";

		if (c[0] == '/' || strstr(c, "://") || !ctx || !ctx->dir || !*ctx->dir)
			sbuf_addstr(&dir, c);
		else
			sbuf_addf(&dir, "%s/%s", ctx->dir, c);
		cf_err_clear();
		rc = dockerfile_read(sbuf_cstr(&dir), dockerfile, target, &st);
		if (rc && !f->err[0]) {
			const struct cf_error *e = cf_err_last();

			const char *m = e && e->msg[0] ? e->msg : "no Dockerfile stage to read";
			size_t ml = strlen(m);

			if (ml >= sizeof(f->err))
				ml = sizeof(f->err) - 1;
			memcpy(f->err, m, ml);
			f->err[ml] = '\0';
		}
	}
	if (!rc) {
		f->build_read = true;
		if (st.image) {
			free(f->image);
			f->image = st.image;
			st.image = NULL;
			f->image_from_build = true;
		}
		if (!f->user && st.user) {
			f->user = st.user;
			st.user = NULL;
			f->user_from_build = true;
		}
	}
	dockerfile_stage_release(&st);
	sbuf_release(&dir);
	free(context);
	free(dockerfile);
	free(target);
	free(inl);
}

int compose_service_facts(const struct compose_ctx *ctx, const struct ynode *services,
			  const struct ynode *svc, struct compose_facts *out)
{
	const struct ynode *build, *hc;

	memset(out, 0, sizeof(*out));
	out->low_port = -1;
	services = yamlspan_deref(services);
	svc = yamlspan_deref(svc);
	if (!svc || svc->kind != YN_MAP)
		return 0;
	out->image = interp_scalar(ctx, out, compose_get(services, svc, "image"));
	out->user = interp_scalar(ctx, out, compose_get(services, svc, "user"));
	build = compose_get(services, svc, "build");
	if (build && !yamlspan_is_null(yamlspan_deref(build))) {
		out->build = true;
		facts_build(ctx, out, build);
	}
	out->may_run_as_root = !out->user || dockerfile_user_is_root(out->user);
	facts_ports(ctx, out, services, svc);
	out->command = interp_words(ctx, out, compose_get(services, svc, "command"));
	out->entrypoint = interp_words(ctx, out, compose_get(services, svc, "entrypoint"));
	hc = yamlspan_deref(compose_get(services, svc, "healthcheck"));
	if (hc && hc->kind == YN_MAP)
		out->healthcheck = interp_words(ctx, out, yamlspan_dget(hc, "test"));
	out->partial = ctx && ctx->root
			       ? compose_service_partial(ctx->root, svc, ctx->file)
			       : compose_service_partial(NULL, svc, ctx ? ctx->file : NULL);
	return out->status == COMPOSEENV_ERROR ? -1 : 0;
}

void compose_facts_release(struct compose_facts *f)
{
	free(f->image);
	free(f->user);
	free(f->ports);
	free(f->command);
	free(f->entrypoint);
	free(f->healthcheck);
	memset(f, 0, sizeof(*f));
	f->low_port = -1;
}
