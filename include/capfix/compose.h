/*
 * compose.h - reading docker-compose files.
 *
 * A YAML document with a top-level `services` mapping and no `apiVersion`
 * or `kind` is a compose file (the one rule, used by fix and scan). This
 * module finds the services and reads the facts the capability rules need:
 * values through `<<` merge keys and same-file `extends`, the ports a
 * service listens on, whether it may run as root.
 *
 * Everything here borrows from the struct yfile the nodes belong to;
 * nothing prints, exits or fails (absent means NULL or -1).
 */
#ifndef CAPFIX_COMPOSE_H
#define CAPFIX_COMPOSE_H

#include "capfix/yamlspan.h"

/* Is the document rooted at @root a compose file? */
bool compose_is_file(const struct ynode *root);

/*
 * The `services` value of compose document @root as written (it may be an
 * alias, or carry an anchor: callers that edit must check), or NULL.
 */
struct ynode *compose_services(const struct ynode *root);

/* Does a `<<` merge of service @svc bring @key (aliases followed)? */
bool compose_merged_has(const struct ynode *svc, const char *key);

/* The value of @key in the first `<<` merge source of @svc that has it (aliases followed). */
const struct ynode *compose_merged_get(const struct ynode *svc, const char *key);

/*
 * @key of service @svc (aliases followed, merge keys honoured), else of the
 * service it `extends` in the same file (@services: the services mapping);
 * `extends` naming another file is not followed.
 */
const struct ynode *compose_get(const struct ynode *services, const struct ynode *svc,
				const char *key);

/* The container port of a `ports`/`expose` entry: "8080:80/tcp" and {target: 80} give 80; or -1. */
long compose_port(const struct ynode *item);

/* The first container port below 1024 in the service's `ports` or `expose`, or -1. */
long compose_low_port(const struct ynode *svc);

/* May the service start as root? `user:` absent, null, root, 0, 0:0 or root:... say yes. */
bool compose_may_run_as_root(const struct ynode *svc);

#endif
