#include "capfix/compose.h"

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
