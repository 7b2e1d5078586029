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
	/*
	 * NULL-terminated repository paths it matches, without registry host:
	 * "library/nginx" (an official image), "ingress-nginx/controller",
	 * "bitnami/\*" (any repository below bitnami/). An image matches when
	 * the last components of its path equal the entry (see profiles_match).
	 */
	const char *const *repos;
	const char *const *caps; /* NULL-terminated canonical capability names */
	bool file_caps; /* needed even when not root (file capabilities on the binary) */
	const char *why; /* one line: what in the image needs them */
	const char *source; /* where this is documented (file and line) */
	bool nonroot; /* the image runs as a non-root user by default (its Dockerfile's
		       * USER); its caps matter only when the pod/service runs it as
		       * root. false when unknown or when it starts as root. */
	/* versions: the tag's leading number (major) must lie in [min, max];
	 * 0 = unbounded. A tag without a leading number (latest, alpine, none,
	 * a digest alone) counts as the newest: it matches only max == 0. */
	int major_min, major_max;
	const char *tag_contains; /* a variant: the tag must contain this, or NULL */
};

/* An image reference split into its parts (host and path lower case). */
struct image_ref {
	char host[128]; /* "" for Docker Hub (docker.io, index.docker.io, registry-1.docker.io) */
	char path[256]; /* "library/nginx", "bitnami/redis", "docker/library/nginx" */
	char tag[128]; /* "" when absent */
	char digest[160]; /* "sha256:..." or "" */
	int major; /* the tag's leading number, or -1 */
};

/*
 * Split @image ("nginx", "docker.io/library/nginx:1.25",
 * "localhost:5000/nginx@sha256:..", "public.ecr.aws/nginx/nginx:1") into
 * @out. The first component is a registry host when it holds '.' or ':' or
 * is "localhost" and more components follow (the Docker rule). A path of a
 * single component gets "library/" in front, on any registry (mirrors and
 * pull-through caches keep official images at the top). Leading blanks and
 * quotes are skipped. Returns false (and an empty path) for an empty
 * reference; long parts are truncated.
 */
bool profiles_parse_ref(const char *image, struct image_ref *out);

/*
 * The repository part of an image reference, lower case, without registry
 * host (docker.io, index.docker.io), "library/" prefix, tag or digest:
 * "docker.io/library/nginx:1.25@sha256:..." gives "nginx";
 * "quay.io/prometheus/node-exporter:v1" gives "quay.io/prometheus/node-exporter".
 * Writes at most @size bytes (NUL included) to @out. This function can't
 * fail (long names are truncated).
 */
void profiles_repo_of(const char *image, char *out, size_t size);

/*
 * The profile matching @image, or NULL. The path's last components must
 * equal one of the entry's repos ("library/nginx" matches nginx,
 * docker.io/library/nginx, mirror.gcr.io/library/nginx,
 * public.ecr.aws/docker/library/nginx and localhost:5000/nginx, never
 * bitnami/nginx); among matching entries, one whose tag_contains and version
 * bounds hold is preferred over one without them.
 */
const struct image_profile *profiles_match(const char *image);

/* Number of profiles, and profile @i (NULL past the end), for listings and tests. */
size_t profiles_count(void);
const struct image_profile *profiles_at(size_t i);

#endif
