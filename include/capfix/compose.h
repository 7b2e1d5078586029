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

#include "capfix/composeenv.h"
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

/*
 * Is service @svc of compose document @root (read from @path, may be NULL)
 * a partial object, a fragment merged over another file's service? It is
 * when it has neither `image` nor `build` (through merge keys and
 * same-file extends) and either the file is an override file
 * (`*.override.yml`, `*.override.yaml`, so docker-compose.override.yml
 * and compose.override.yaml too) or no service of the file has either.
 */
bool compose_service_partial(const struct ynode *root, const struct ynode *svc, const char *path);

/* What compose_service_facts() reads a file's services with. */
struct compose_ctx {
	const char *dir; /* the compose file's directory: build contexts are relative to it
			  * (NULL or "" = the current directory) */
	const char *file; /* the compose file's path or name, for the partial rule (may be NULL) */
	const struct ynode *root; /* the compose document (for the partial rule; may be NULL:
				   * then partial is judged on the service alone) */
	const struct composeenv *env; /* the .env beside it (composeenv_load), or NULL */
	bool no_files; /* read no file: a build's Dockerfile on disk is not read (build_read
			* stays false, err stays ""); dockerfile_inline still is */
};

/*
 * The effective facts of one service. Strings are owned (release with
 * compose_facts_release()); each text is interpolated with ctx->env.
 */
struct compose_facts {
	char *image; /* the image the container runs: with `build:`, the Dockerfile's
		      * FROM of the build target (else final) stage when it can be read,
		      * else `image:`; NULL when neither is known */
	bool image_from_build; /* image came from the Dockerfile */
	char *user; /* `user:`, else the Dockerfile stage's USER, else NULL (the
		     * image's own default user applies) */
	bool user_from_build;
	bool may_run_as_root; /* user NULL (the image decides: see profiles' nonroot), or
			       * root / 0 / 0:x / root:x */
	long *ports; /* container ports of `ports:` and `expose:` in order (ranges give
		      * their first port); unreadable entries skipped */
	size_t nports;
	long low_port; /* the first of them below 1024, or -1 */
	char *command; /* `command:` (a list joined with spaces), or NULL */
	char *entrypoint; /* `entrypoint:` likewise, or NULL */
	char *healthcheck; /* `healthcheck.test` likewise (with its CMD/CMD-SHELL word), or NULL */
	bool partial; /* compose_service_partial() */
	bool build; /* the service has `build:` */
	bool build_read; /* its Dockerfile (or dockerfile_inline) was read and has the stage */
	int status; /* the worst enum composeenv_status over every interpolated value */
	char err[256]; /* the first interpolation or Dockerfile problem, or "" */
};

/*
 * Fill @out with the facts of service @svc of the mapping @services (values
 * through merge keys and same-file extends, as compose_get()). Returns 0,
 * or -1 when an interpolation failed (`${X:?msg}` unset, bad syntax: see
 * out->err; the facts are filled as far as known). A Dockerfile that can't
 * be read is not a failure: build_read stays false and err says why.
 */
int compose_service_facts(const struct compose_ctx *ctx, const struct ynode *services,
			  const struct ynode *svc, struct compose_facts *out);

void compose_facts_release(struct compose_facts *f);

#endif
