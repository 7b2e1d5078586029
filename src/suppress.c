#include "capfix/suppress.h"
#include "capfix/caps.h"

#include <strings.h>

#define ANNOTATION "capfix.io/ignore"

static bool space(char c)
{
	return c == ' ' || c == '\t';
}

int suppress_parse(const char *value, const char *rule_id, char **reason)
{
	const char *colon = value ? strchr(value, ':') : NULL, *p, *r;
	size_t rlen;
	bool listed = false, any = false;

	*reason = NULL;
	if (!colon)
		return -1;
	for (r = colon + 1; space(*r); r++)
		;
	rlen = strlen(r);
	while (rlen && (space(r[rlen - 1]) || r[rlen - 1] == '\n'))
		rlen--;
	for (p = value; p < colon;) {
		const char *e;
		size_t n;

		while (p < colon && (space(*p) || *p == ','))
			p++;
		for (e = p; e < colon && *e != ',' && !space(*e); e++)
			;
		n = (size_t)(e - p);
		if (n) {
			any = true;
			listed |= (n == 3 && !strncasecmp(p, "all", 3)) ||
				  (rule_id && n == strlen(rule_id) && !strncasecmp(p, rule_id, n));
		}
		p = e;
	}
	if (!any || !rlen)
		return -1;
	if (!listed)
		return 0;
	*reason = xstrndup(r, rlen);
	return 1;
}

/* The value of annotation @key of @md, or NULL. */
static const char *annotation(const struct ynode *md, const char *key)
{
	return yamlspan_dstr(yamlspan_mget(yamlspan_mget(md, "annotations"), key));
}

static char *one(const struct ynode *md, const char *key, const char *rule_id)
{
	char *reason = NULL;

	return suppress_parse(annotation(md, key), rule_id, &reason) == 1 ? reason : NULL;
}

char *suppress_for(const struct ynode *obj_md, const struct ynode *pod_md, const char *container,
		   const char *rule_id)
{
	const struct ynode *mds[2] = { obj_md, pod_md };
	char key[320], *r = NULL;
	size_t i;

	for (i = 0; i < 2 && !r; i++) {
		if (!mds[i])
			continue;
		r = one(mds[i], ANNOTATION, rule_id);
		if (!r && container) {
			snprintf(key, sizeof(key), "%s.%s", ANNOTATION, container);
			r = one(mds[i], key, rule_id);
		}
	}
	return r;
}

/* Capability @s of an override key ("net-admin", "NET_ADMIN", "cap_net_admin"): its bit, or 0. */
static uint64_t cap_bit(const char *s)
{
	char name[64];
	size_t i;
	const struct cap_info *ci;

	for (i = 0; s[i] && i + 1 < sizeof(name); i++)
		name[i] = s[i] == '-' ? '_' : s[i];
	name[i] = '\0';
	ci = s[i] ? NULL : caps_lookup(name);
	return ci ? (uint64_t)1 << ci->number : 0;
}

static uint64_t overrides(const struct ynode *map, const char *container, char **reason)
{
	static const char pod_prefix[] = "audit.kubernetes.io/pod.allow-capability-";
	static const char ctr_prefix[] = "container.audit.kubernetes.io/";
	static const char allow[] = ".allow-capability-";
	size_t i, cn = container ? strlen(container) : 0;
	uint64_t mask = 0;

	map = yamlspan_deref(map);
	if (!map || map->kind != YN_MAP)
		return 0;
	for (i = 0; i + 1 < map->nkids; i += 2) {
		const char *k = yamlspan_dstr(map->kids[i]), *cap = NULL;
		uint64_t bit;

		if (!k)
			continue;
		if (!strncmp(k, pod_prefix, sizeof(pod_prefix) - 1))
			cap = k + sizeof(pod_prefix) - 1;
		else if (container && !strncmp(k, ctr_prefix, sizeof(ctr_prefix) - 1) &&
			 !strncmp(k + sizeof(ctr_prefix) - 1, container, cn) &&
			 !strncmp(k + sizeof(ctr_prefix) - 1 + cn, allow, sizeof(allow) - 1))
			cap = k + sizeof(ctr_prefix) - 1 + cn + sizeof(allow) - 1;
		bit = cap ? cap_bit(cap) : 0;
		if (bit && reason && !*reason) {
			const char *v = yamlspan_dstr(map->kids[i + 1]);

			*reason = xstrdup(v && v[0] ? v : "kubeaudit override");
		}
		mask |= bit;
	}
	return mask;
}

uint64_t suppress_kubeaudit(const struct ynode *obj_md, const struct ynode *pod_md,
			    const char *container, char **reason)
{
	const struct ynode *mds[2] = { obj_md, pod_md };
	uint64_t mask = 0;
	size_t i;

	if (reason)
		*reason = NULL;
	for (i = 0; i < 2; i++) {
		if (!mds[i])
			continue;
		mask |= overrides(yamlspan_mget(mds[i], "labels"), container, reason);
		mask |= overrides(yamlspan_mget(mds[i], "annotations"), container, reason);
	}
	return mask;
}

static bool any_in(const struct ynode *md)
{
	const struct ynode *an = yamlspan_deref(yamlspan_mget(md, "annotations"));
	size_t i;

	for (i = 0; an && an->kind == YN_MAP && i + 1 < an->nkids; i += 2) {
		const char *k = yamlspan_dstr(an->kids[i]);

		if (k && !strncmp(k, ANNOTATION, sizeof(ANNOTATION) - 1))
			return true;
	}
	return false;
}

bool suppress_any(const struct ynode *obj_md, const struct ynode *pod_md)
{
	return (obj_md && any_in(obj_md)) || (pod_md && pod_md != obj_md && any_in(pod_md));
}

static const struct ynode *compose_ignore(const struct ynode *svc)
{
	return yamlspan_mget(yamlspan_mget(svc, "x-capfix"), "ignore");
}

char *suppress_compose(const struct ynode *svc, const char *rule_id)
{
	char *reason = NULL;

	return suppress_parse(yamlspan_dstr(compose_ignore(svc)), rule_id, &reason) == 1 ? reason
											 : NULL;
}

static const struct ynode *bad_in(const struct ynode *md)
{
	const struct ynode *an = yamlspan_deref(yamlspan_mget(md, "annotations"));
	size_t i;

	if (!an || an->kind != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < an->nkids; i += 2) {
		const char *k = yamlspan_dstr(an->kids[i]);
		char *reason = NULL;

		if (!k || strncmp(k, ANNOTATION, sizeof(ANNOTATION) - 1) ||
		    (k[sizeof(ANNOTATION) - 1] && k[sizeof(ANNOTATION) - 1] != '.'))
			continue;
		if (suppress_parse(yamlspan_dstr(an->kids[i + 1]), NULL, &reason) < 0)
			return an->kids[i + 1];
		free(reason);
	}
	return NULL;
}

const struct ynode *suppress_check(const struct ynode *obj_md, const struct ynode *pod_md,
				   const struct ynode *svc)
{
	const struct ynode *bad = NULL, *v;
	char *reason = NULL;

	if (svc) {
		v = compose_ignore(svc);
		if (v && suppress_parse(yamlspan_dstr(v), NULL, &reason) < 0)
			return v;
		free(reason);
		return NULL;
	}
	if (obj_md)
		bad = bad_in(obj_md);
	if (!bad && pod_md && pod_md != obj_md)
		bad = bad_in(pod_md);
	return bad;
}
