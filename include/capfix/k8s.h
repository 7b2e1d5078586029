/*
 * k8s.h - where the containers of Kubernetes objects are.
 *
 * Finds pod-bearing objects in a parsed document (the document itself, or
 * the items of a `kind: *List`) and hands each container, init container and
 * ephemeral container to a callback, with the reasons, if any, why it must
 * be left alone. Objects of other kinds (policies whose patterns contain
 * `containers:`, HelmRelease values, AdmissionReview, custom resources) are
 * never visited. Aliases on the way (a pod spec, a template or a containers
 * list written as `*anchor`) are followed: their containers are visited,
 * with a skip reason, so that auditors see them and editors leave them.
 *
 * Also the one home of the facts every command reads from a pod: is the
 * object a partial one (a kustomize patch), may a container run as root,
 * the ports below 1024 it listens on, is the pod a Windows pod.
 *
 * Everything here borrows from the struct yfile the nodes belong to;
 * nothing prints, exits or fails.
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
	 * NULL: reached through an alias or merge key ("the list is an alias",
	 * "pod spec is an alias", "reached through an alias"), an anchored
	 * ancestor, a partial object such as a kustomize patch, no image.
	 */
	const char *skip;
	/* the object is partial (k8s_partial()): skip says why; not audited either */
	bool partial;
	/* a key on the way from the object to this container that appears
	 * twice in its mapping (the last one was followed), or NULL */
	const struct ynode *dup_key;
};

/*
 * The objects of the document rooted at @root: the items of a `kind: *List`
 * (List, PodList, DeploymentList...: the mappings among its items), else the
 * document itself when it is a mapping. @fn is called for each, in order; a
 * negative return stops and is returned. The one rule for "what is an
 * object" used by fix, scan and policy.
 */
typedef int (*k8s_object_fn)(struct ynode *obj, void *payload);
int k8s_each_object(struct ynode *root, k8s_object_fn fn, void *payload);

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

/*
 * Why pod-bearing object @obj is partial, a fragment that says nothing
 * about the workload (a kustomize patch), or NULL when it is whole: its
 * pod spec lies below `spec` and it has none, or it is apps/v1 (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet: the selector is required) without a non-null spec.selector.
 * The one rule for fix (containers left alone), scan and policy (not
 * audited). Aliases are followed.
 */
const char *k8s_partial(const struct ynode *obj);

/*
 * May container @c of PodSpec @pod_spec start as root? Kubernetes gives
 * added capabilities to root only (no ambient capabilities): runAsUser
 * decides (a plain integer; the container's over the pod's), else
 * runAsNonRoot (the container's over the pod's), else the image's user,
 * which is unknown here: yes. Aliases are followed everywhere.
 */
bool k8s_may_run_as_root(const struct ynode *c, const struct ynode *pod_spec);

/* What the manifest says about the user of container @c (same rules as above). */
enum k8s_user {
	K8S_USER_UNKNOWN, /* neither runAsUser nor runAsNonRoot: true: the image decides */
	K8S_USER_ROOT, /* runAsUser: 0 */
	K8S_USER_NONROOT, /* runAsUser above 0, or runAsNonRoot: true */
};
enum k8s_user k8s_run_as(const struct ynode *c, const struct ynode *pod_spec);

/*
 * Add what the commands of container @c need (shell.h) to @n: command
 * followed by args (args alone when there is no command: images without an
 * entrypoint run them), the exec probes (liveness, readiness, startup) and
 * the lifecycle postStart/preStop exec handlers; @root as k8s_may_run_as_root().
 * Returns true when `command` is set: it replaces the image's entrypoint, so
 * what starts is known.
 */
struct shell_needs;
bool k8s_container_needs(const struct ynode *c, bool root, struct shell_needs *n);

/*
 * Add the needs of a command to @n: list @l from its item @skip on, then
 * list @more (its arguments), as one argument vector (no shell); a string
 * instead of a list is read as a shell script. NULL lists are absent.
 */
void k8s_command_needs(const struct ynode *l, size_t skip, const struct ynode *more, bool root,
		       struct shell_needs *n);

/* The first containerPort of @c below 1024 (and above 0), or -1. Aliases followed. */
long k8s_low_port(const struct ynode *c);

/* Is @pod_spec a Windows pod (os.name: windows)? Linux capabilities do not apply. */
bool k8s_is_windows(const struct ynode *pod_spec);

#endif
