/*
 * imagerefs.h - the image references a parsed manifest file uses, with
 * where each is written: the `image` of every container, init container
 * and ephemeral container of pod-bearing objects (k8s_each_container, so
 * *List items and aliases are covered as fix sees them), and the `image`
 * of every compose service (merge keys and same-file extends followed,
 * interpolated with the .env given, see compose_service_facts()). A
 * compose service with `build:` and no `image:` names no image to pull
 * and is left out.
 *
 * Ownership: the list owns its strings. Failure: none (an interpolation
 * that fails keeps the text as written, with `uninterpolated` set).
 * Nothing here prints or exits.
 */
#ifndef CAPFIX_IMAGEREFS_H
#define CAPFIX_IMAGEREFS_H

#include "capfix/composeenv.h"
#include "capfix/yamlspan.h"

struct imagerefs_item {
	char *image; /* the reference (interpolated for compose) */
	char *path; /* the file, as given */
	int line, col; /* 1-based position of the image value */
	char *where; /* "Deployment/web containers[0] (app)" or "compose service web" */
	bool uninterpolated; /* compose text with ${...} that could not be resolved */
};

struct imagerefs {
	struct imagerefs_item *items;
	size_t n, alloc;
};

#define IMAGEREFS_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Append the image references of every document of @yf (read from @path,
 * which may be NULL) to @out, in document order. @env: the compose .env
 * (composeenv_load()), or NULL.
 */
void imagerefs_collect(const struct yfile *yf, const char *path, const struct composeenv *env,
		       struct imagerefs *out);

/* Sort by image, then path, line, column (for `capfix images`: unique names, sorted). */
void imagerefs_sort(struct imagerefs *r);

void imagerefs_release(struct imagerefs *r);

#endif
