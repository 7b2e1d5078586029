#include "capfix/k8s.h"
#include "capfix/shell.h"

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

const char *k8s_partial(const struct ynode *obj)
{
	const struct ynode *spec = yamlspan_dget(obj, "spec");
	const char *api = yamlspan_dstr(yamlspan_dget(obj, "apiVersion"));
	const char *const *path = k8s_pod_spec_path(yamlspan_dstr(yamlspan_dget(obj, "kind")), api);
	const struct ynode *sel;

	if (!spec && path && !strcmp(path[0], "spec"))
		return "partial object without spec (a kustomize patch?)";
	/* every pod-bearing kind of apps/v1 requires a selector */
	if (!spec || !api || strcmp(api, "apps/v1"))
		return NULL;
	sel = yamlspan_dget(spec, "selector");
	if (!sel || yamlspan_is_null(sel))
		return "partial object without spec.selector (a kustomize patch?)";
	return NULL;
}

enum k8s_user k8s_run_as(const struct ynode *c, const struct ynode *pod_spec)
{
	const struct ynode *csc = yamlspan_dget(c, "securityContext");
	const struct ynode *psc = yamlspan_dget(pod_spec, "securityContext");
	const struct ynode *u = yamlspan_dget(csc, "runAsUser");
	const struct ynode *nr = yamlspan_dget(csc, "runAsNonRoot");

	if (!u || yamlspan_is_null(u))
		u = yamlspan_dget(psc, "runAsUser");
	if (u && !yamlspan_is_null(u) && yamlspan_int(u) >= 0)
		return yamlspan_int(u) == 0 ? K8S_USER_ROOT : K8S_USER_NONROOT;
	if (!nr || yamlspan_is_null(nr))
		nr = yamlspan_dget(psc, "runAsNonRoot");
	return yamlspan_is_true(nr) ? K8S_USER_NONROOT : K8S_USER_UNKNOWN;
}

bool k8s_may_run_as_root(const struct ynode *c, const struct ynode *pod_spec)
{
	return k8s_run_as(c, pod_spec) != K8S_USER_NONROOT;
}

void k8s_command_needs(const struct ynode *l, size_t skip, const struct ynode *more, bool root,
		       struct shell_needs *n)
{
	const char *buf[32], **v = buf;
	size_t k = 0, i, total;

	l = yamlspan_deref(l);
	more = yamlspan_deref(more);
	if (l && l->kind == YN_SCALAR && l->text) {
		shell_needs_script(n, l->text, root);
		l = NULL;
	}
	if (more && more->kind == YN_SCALAR && more->text) {
		shell_needs_script(n, more->text, root);
		more = NULL;
	}
	total = (l && l->kind == YN_SEQ ? l->nkids : 0) +
		(more && more->kind == YN_SEQ ? more->nkids : 0);
	if (total <= skip)
		return;
	if (total > ARRAY_SIZE(buf))
		v = xcalloc(total, sizeof(*v));
	for (i = skip; l && l->kind == YN_SEQ && i < l->nkids; i++) {
		const char *s = yamlspan_dstr(l->kids[i]);

		v[k++] = s ? s : "";
	}
	for (i = 0; more && more->kind == YN_SEQ && i < more->nkids; i++) {
		const char *s = yamlspan_dstr(more->kids[i]);

		v[k++] = s ? s : "";
	}
	shell_needs_argv(n, v, k, root);
	if (v != buf)
		free(v);
}

bool k8s_container_needs(const struct ynode *c, bool root, struct shell_needs *n)
{
	static const char *const probes[] = { "livenessProbe", "readinessProbe", "startupProbe" };
	static const char *const hooks[] = { "postStart", "preStop" };
	const struct ynode *cmd = yamlspan_dget(c, "command"), *args = yamlspan_dget(c, "args");
	const struct ynode *lc = yamlspan_dget(c, "lifecycle");
	size_t i;

	if (cmd && yamlspan_is_null(cmd))
		cmd = NULL;
	k8s_command_needs(cmd, 0, args, root, n);
	for (i = 0; i < ARRAY_SIZE(probes); i++)
		k8s_command_needs(yamlspan_dget(yamlspan_dget(yamlspan_dget(c, probes[i]), "exec"),
						"command"),
				  0, NULL, root, n);
	for (i = 0; i < ARRAY_SIZE(hooks); i++)
		k8s_command_needs(yamlspan_dget(yamlspan_dget(yamlspan_dget(lc, hooks[i]), "exec"),
						"command"),
				  0, NULL, root, n);
	return cmd && !(cmd->kind == YN_SEQ && !cmd->nkids);
}

long k8s_low_port(const struct ynode *c)
{
	const struct ynode *ports = yamlspan_dget(c, "ports");
	size_t i;

	if (!ports || ports->kind != YN_SEQ)
		return -1;
	for (i = 0; i < ports->nkids; i++) {
		long p = yamlspan_int(yamlspan_dget(ports->kids[i], "containerPort"));

		if (p > 0 && p < 1024)
			return p;
	}
	return -1;
}

bool k8s_is_windows(const struct ynode *pod_spec)
{
	const char *os = yamlspan_dstr(yamlspan_dget(yamlspan_dget(pod_spec, "os"), "name"));

	return os && !strcmp(os, "windows");
}

static int visit_list(struct k8s_container *proto, struct ynode *lst, const char *list_skip,
		      k8s_container_fn fn, void *payload)
{
	size_t j;

	for (j = 0; j < lst->nkids; j++) {
		struct k8s_container c = *proto;
		int r;

		c.node = lst->kids[j];
		c.index = j;
		c.cname = yamlspan_dstr(yamlspan_dget(c.node, "name"));
		if (!c.cname)
			c.cname = "";
		if (!c.skip)
			c.skip = list_skip;
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
	return 0;
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
	struct k8s_container proto;
	const char *name;
	bool aliased = false;
	size_t i;

	if (!path)
		return 0;
	memset(&proto, 0, sizeof(proto));
	for (i = 0; path[i] && spec; i++) {
		if (!proto.dup_key && yamlspan_key_count(spec, path[i]) > 1)
			proto.dup_key = spec->kids[yamlspan_key_index(spec, path[i])];
		spec = yamlspan_get(spec, path[i]);
		if (spec && spec->kind == YN_ALIAS) {
			aliased = true;
			spec = (struct ynode *)yamlspan_deref(spec);
		}
	}
	if (!spec || spec->kind != YN_MAP)
		return 0;
	md = yamlspan_get(obj, "metadata");
	name = yamlspan_str(yamlspan_get(md, "name"));
	proto.object = obj;
	proto.pod_spec = spec;
	proto.ns = yamlspan_str(yamlspan_get(md, "namespace"));
	proto.kind = kind;
	proto.name = name ? name : "";
	proto.skip = k8s_partial(obj);
	proto.partial = proto.skip != NULL;
	if (!proto.skip && aliased)
		proto.skip = "pod spec is an alias";
	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		struct ynode *lst = yamlspan_get(spec, lists[i]);
		const char *list_skip = NULL;
		int r;

		if (lst && lst->kind == YN_ALIAS) {
			lst = (struct ynode *)yamlspan_deref(lst);
			list_skip = "the list is an alias";
		}
		if (!lst || lst->kind != YN_SEQ)
			continue;
		if (!proto.dup_key && yamlspan_key_count(spec, lists[i]) > 1)
			proto.dup_key = spec->kids[yamlspan_key_index(spec, lists[i])];
		proto.list = lists[i];
		r = visit_list(&proto, lst, list_skip, fn, payload);
		if (r < 0)
			return r;
	}
	return 0;
}

int k8s_each_object(struct ynode *root, k8s_object_fn fn, void *payload)
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
				int r = fn(items->kids[i], payload);

				if (r < 0)
					return r;
			}
		}
		return 0;
	}
	return fn(root, payload);
}

struct each_container {
	k8s_container_fn fn;
	void *payload;
};

static int container_object(struct ynode *obj, void *payload)
{
	struct each_container *ec = payload;

	return visit_object(obj, ec->fn, ec->payload);
}

int k8s_each_container(struct ynode *root, k8s_container_fn fn, void *payload)
{
	struct each_container ec = { fn, payload };

	return k8s_each_object(root, container_object, &ec);
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
