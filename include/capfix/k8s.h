/*
 * k8s.h - where the containers of Kubernetes objects are.
 *
 * Finds pod-bearing objects in a parsed document (the document itself, or
 * the items of a `kind: *List`) and hands each container, init container and
 * ephemeral container to a callback, with the reasons, if any, why it must
 * be left alone. Objects of other kinds (policies whose patterns contain
 * `containers:`, HelmRelease values, AdmissionReview, custom resources) are
 * never visited.
 *
 * Everything here borrows from the struct yfile the nodes belong to.
 */
#ifndef CAPFIX_K8S_H
#define CAPFIX_K8S_H

#include "capfix/yamlspan.h"

struct k8s_container {
	struct ynode *node; /* the item of the containers list */
	const struct ynode *object; /* the object mapping it belongs to */
	const struct ynode *pod_spec; /* the PodSpec mapping holding the list */
	const char *ns; /* metadata.namespace, or NULL */
	const char *kind; /* object kind, e.g. "Deployment" */
	const char *name; /* metadata.name, or "" */
	const char *list; /* "containers", "initContainers" or "ephemeralContainers" */
	size_t index; /* position in that list */
	const char *cname; /* the container's name, or "" */
	/*
	 * Why the container must not be edited (a fixed English phrase), or
	 * NULL: reached through an alias or merge key, an anchored ancestor,
	 * a partial object such as a kustomize patch.
	 */
	const char *skip;
	/* a key on the way from the object to this container that appears
	 * twice in its mapping (the last one was followed), or NULL */
	const struct ynode *dup_key;
};

/* Called for each container; a negative return stops the walk and is returned. */
typedef int (*k8s_container_fn)(struct k8s_container *c, void *payload);

/*
 * Visit every container of every pod-bearing object in the document rooted
 * at @root, in document order. Returns 0, or the first negative value a
 * callback returned.
 */
int k8s_each_container(struct ynode *root, k8s_container_fn fn, void *payload);

/*
 * The key path from an object to its PodSpec for @kind/@api_version, as a
 * NULL-terminated array of keys; NULL when the kind bears no pods.
 */
const char *const *k8s_pod_spec_path(const char *kind, const char *api_version);

/*
 * The PodSpec and the pod template's metadata of pod-bearing object @obj
 * (aliases followed): for a Pod its spec and metadata, for a Deployment
 * spec.template.spec and spec.template.metadata. Returns false when @obj
 * bears no pod; *metadata may be NULL.
 */
bool k8s_pod_template(const struct ynode *obj, const struct ynode **spec,
		      const struct ynode **metadata);

#endif
