/*
 * profiles.h - what well-known images need once ALL capabilities are dropped.
 *
 * A small static table: official images that start as root and switch user,
 * chown their data or bind a low port, and images whose binaries carry file
 * capabilities (which need the capability in the bounding set even when the
 * process is not root). Every entry names its source. Pointers are static.
 */
#ifndef CAPFIX_PROFILES_H
#define CAPFIX_PROFILES_H

#include "capfix/compat.h"

struct image_profile {
	const char *name; /* short name shown in reasons, e.g. "nginx" */
	const char *const *repos; /* NULL-terminated repository names it matches */
	const char *const *caps; /* NULL-terminated canonical capability names */
	bool file_caps; /* needed even when not root (file capabilities on the binary) */
	const char *why; /* one line: what in the image needs them */
	const char *source; /* where this is documented */
	bool nonroot; /* the image runs as a non-root user by default (its Dockerfile's
		       * USER); its caps matter only when the pod/service runs it as
		       * root. false when unknown or when it starts as root. */
};

/*
 * The repository part of an image reference, lower case, without registry
 * host (docker.io, index.docker.io), "library/" prefix, tag or digest:
 * "docker.io/library/nginx:1.25@sha256:..." gives "nginx";
 * "quay.io/prometheus/node-exporter:v1" gives "quay.io/prometheus/node-exporter".
 * Writes at most @size bytes (NUL included) to @out. This function can't
 * fail (long names are truncated).
 */
void profiles_repo_of(const char *image, char *out, size_t size);

/* The profile matching @image, or NULL. */
const struct image_profile *profiles_match(const char *image);

/* Number of profiles, and profile @i (NULL past the end), for listings and tests. */
size_t profiles_count(void);
const struct image_profile *profiles_at(size_t i);

#endif
