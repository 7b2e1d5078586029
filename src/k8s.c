#include "capfix/k8s.h"

static const char *const path_spec[] = { "spec", NULL };
static const char *const path_template[] = { "spec", "template", "spec", NULL };
static const char *const path_cronjob[] = {
	"spec", "jobTemplate", "spec", "template", "spec", NULL
};
static const char *const path_podtemplate[] = { "template", "spec", NULL };

static const struct {
	const char *kind;
	const char *const *path;
} pod_kinds[] = {
	{ "CronJob", path_cronjob },
	{ "DaemonSet", path_template },
	{ "Deployment", path_template },
	{ "DeploymentConfig", path_template },
	{ "Job", path_template },
	{ "Pod", path_spec },
	{ "PodTemplate", path_podtemplate },
	{ "ReplicaSet", path_template },
	{ "ReplicationController", path_template },
	{ "Rollout", path_template },
	{ "StatefulSet", path_template },
};

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

const char *const *k8s_pod_spec_path(const char *kind, const char *api_version)
{
	size_t i;

	if (!kind)
		return NULL;
	if (!api_version)
		api_version = "";
	if (!strcmp(kind, "Rollout") && !starts_with(api_version, "argoproj.io/"))
		return NULL;
	if (!strcmp(kind, "DeploymentConfig") && strcmp(api_version, "v1") &&
	    strcmp(api_version, "apps.openshift.io/v1"))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(pod_kinds); i++)
		if (!strcmp(kind, pod_kinds[i].kind))
			return pod_kinds[i].path;
	return NULL;
}

/* A node is unsafe to edit through when it, or any ancestor, is shared. */
static const char *shared_reason(const struct ynode *n)
{
	for (; n; n = n->parent) {
		if (n->kind == YN_ALIAS)
			return "reached through an alias";
		if (n->anchor)
			return "inside an anchored node (an alias elsewhere would change too)";
		if (n->kind == YN_MAP && n->merge)
			return "inside a mapping with a merge key (<<)";
	}
	return NULL;
}

static bool is_partial_workload(const struct ynode *obj, const char *kind, const char *api)
{
	static const char *const selector_kinds[] = { "Deployment", "StatefulSet", "DaemonSet",
						      "ReplicaSet" };
	const struct ynode *spec;
	size_t i;

	if (!api || strcmp(api, "apps/v1"))
		return false;
	for (i = 0; i < ARRAY_SIZE(selector_kinds); i++) {
		if (!strcmp(kind, selector_kinds[i])) {
			spec = yamlspan_get(obj, "spec");
			return !spec || !yamlspan_get(spec, "selector") ||
			       yamlspan_is_null(yamlspan_get(spec, "selector"));
		}
	}
	return false;
}

static int visit_object(struct ynode *obj, k8s_container_fn fn, void *payload)
{
	static const char *const lists[] = { "containers", "initContainers",
					     "ephemeralContainers" };
	const char *kind = yamlspan_str(yamlspan_get(obj, "kind"));
	const char *api = yamlspan_str(yamlspan_get(obj, "apiVersion"));
	const char *const *path = k8s_pod_spec_path(kind, api);
	const struct ynode *md;
	struct ynode *spec = obj;
	const char *name, *obj_skip = NULL;
	const struct ynode *dup = NULL;
	size_t i, j;

	if (!path)
		return 0;
	for (i = 0; path[i] && spec; i++) {
		if (!dup && yamlspan_key_count(spec, path[i]) > 1)
			dup = spec->kids[yamlspan_key_index(spec, path[i])];
		spec = yamlspan_get(spec, path[i]);
	}
	if (!spec || spec->kind != YN_MAP) {
		if (spec && spec->kind == YN_ALIAS)
			obj_skip = "pod spec is an alias";
		else
			return 0;
	}
	md = yamlspan_get(obj, "metadata");
	name = yamlspan_str(yamlspan_get(md, "name"));
	if (is_partial_workload(obj, kind, api))
		obj_skip = "partial object without spec.selector (a kustomize patch?)";
	for (i = 0; i < ARRAY_SIZE(lists) && spec->kind == YN_MAP; i++) {
		struct ynode *lst = yamlspan_get(spec, lists[i]);

		if (!lst || (lst->kind != YN_SEQ && lst->kind != YN_ALIAS))
			continue;
		if (!dup && yamlspan_key_count(spec, lists[i]) > 1)
			dup = spec->kids[yamlspan_key_index(spec, lists[i])];
		for (j = 0; lst->kind == YN_SEQ && j < lst->nkids; j++) {
			struct k8s_container c;
			int r;

			memset(&c, 0, sizeof(c));
			c.node = lst->kids[j];
			c.object = obj;
			c.pod_spec = spec;
			c.ns = yamlspan_str(yamlspan_get(md, "namespace"));
			c.kind = kind;
			c.name = name ? name : "";
			c.list = lists[i];
			c.index = j;
			c.cname = yamlspan_str(yamlspan_get(c.node, "name"));
			if (!c.cname)
				c.cname = "";
			c.skip = obj_skip;
			c.dup_key = dup;
			if (!c.skip)
				c.skip = shared_reason(c.node);
			if (!c.skip && c.node->kind != YN_MAP)
				c.skip = "not a mapping";
			if (!c.skip && !yamlspan_get(c.node, "image"))
				c.skip = "no image (a partial object, such as a patch?)";
			r = fn(&c, payload);
			if (r < 0)
				return r;
		}
		if (lst->kind == YN_ALIAS) {
			struct k8s_container c;
			int r;

			memset(&c, 0, sizeof(c));
			c.node = lst;
			c.object = obj;
			c.pod_spec = spec;
			c.ns = yamlspan_str(yamlspan_get(md, "namespace"));
			c.kind = kind;
			c.name = name ? name : "";
			c.list = lists[i];
			c.cname = "";
			c.skip = "the list is an alias";
			r = fn(&c, payload);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int k8s_each_container(struct ynode *root, k8s_container_fn fn, void *payload)
{
	const char *kind;
	struct ynode *items;
	size_t i;

	if (!root || root->kind != YN_MAP)
		return 0;
	kind = yamlspan_str(yamlspan_get(root, "kind"));
	items = yamlspan_get(root, "items");
	if (kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List") && items &&
	    items->kind == YN_SEQ) {
		for (i = 0; i < items->nkids; i++) {
			if (items->kids[i]->kind == YN_MAP) {
				int r = visit_object(items->kids[i], fn, payload);

				if (r < 0)
					return r;
			}
		}
		return 0;
	}
	return visit_object(root, fn, payload);
}

bool k8s_pod_template(const struct ynode *obj, const struct ynode **spec,
		      const struct ynode **metadata)
{
	const char *kind = yamlspan_str(yamlspan_get(obj, "kind"));
	const char *api = yamlspan_str(yamlspan_get(obj, "apiVersion"));
	const char *const *path = k8s_pod_spec_path(kind, api);
	const struct ynode *n = obj, *parent = obj;
	size_t i;

	if (!path)
		return false;
	for (i = 0; path[i] && n; i++) {
		parent = n;
		n = yamlspan_deref(yamlspan_get(n, path[i]));
	}
	if (!n || n->kind != YN_MAP)
		return false;
	*spec = n;
	*metadata = yamlspan_deref(yamlspan_get(parent, "metadata"));
	return true;
}
