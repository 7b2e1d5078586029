/*
 * imagemeta.h - image metadata as evidence: the user an image starts as,
 * its entrypoint and cmd, the entrypoint script and the file capabilities
 * of its binaries, read offline from what `docker`/`podman`/`skopeo`/
 * `crane` produce.
 *
 * Accepted, detected by content (../shared/research/evidence.md section 2):
 *   - `docker image inspect` / `podman image inspect`: a JSON array of
 *     objects with Id, RepoTags, RepoDigests, Config{User,Entrypoint,Cmd,
 *     Env,WorkingDir} (podman's top-level User too);
 *   - an OCI image config blob (`skopeo inspect --config`, `crane config`):
 *     a JSON object with `config`; it names no image, so it is given as
 *     REF=FILE;
 *   - an OCI image layout directory: oci-layout, index.json (nested
 *     indexes followed, at most 4 deep; attestation manifests and
 *     non-linux platforms skipped), blobs/<alg>/<hex>; names from the
 *     annotations io.containerd.image.name and
 *     org.opencontainers.image.ref.name;
 *   - a `docker save` archive (optionally gzip-compressed as a whole):
 *     manifest.json [{Config, RepoTags, Layers}] pointing at <id>.json and
 *     <id>/layer.tar (legacy) or into blobs/sha256/ (Docker 25+), or an OCI
 *     layout inside a tar without manifest.json.
 * With layers (layout and save): layers are applied in order with
 * whiteouts (`.wh.NAME`, `.wh..wh..opq`); gzip layers need zlib
 * (tarread_have_gzip()), zstd layers are skipped (noted in `note`). From
 * the result: /etc/passwd (to resolve a user name), the entrypoint
 * script (argv[0] of Entrypoint, else of Cmd, through tini/dumb-init and
 * `sh FILE`, found through PATH and symbolic links; only a text file
 * starting with "#!"), and every file with a security.capability
 * attribute.
 *
 * References match after normalisation (Docker Hub's host and `library/`
 * implied, the tag `latest` implied) on host, path and tag, or by digest
 * ("sha256:..." alone, or "@sha256:..." in the reference) against the
 * image id, its RepoDigests and manifest digests.
 *
 * Ownership: the set owns every image and string; lookups borrow. Failure:
 * loaders return -1 with cf_err() (CF_E_INPUT) and add nothing; a layer
 * that can't be read is not a failure (the image is kept without layer
 * facts, `note` says why). Nothing here prints or exits.
 */
#ifndef CAPFIX_IMAGEMETA_H
#define CAPFIX_IMAGEMETA_H

#include "capfix/compat.h"

/* Limits: a JSON file, a whole archive, one inflated layer, layers per image. */
#define IMAGEMETA_MAX_JSON ((size_t)64 << 20)
#define IMAGEMETA_MAX_ARCHIVE ((size_t)4 << 30)
#define IMAGEMETA_MAX_LAYER ((size_t)2 << 30)
#define IMAGEMETA_MAX_LAYERS 256
#define IMAGEMETA_MAX_SCRIPT ((size_t)1 << 20)

enum imagemeta_user {
	IMAGEMETA_USER_UNKNOWN, /* a name that could not be resolved */
	IMAGEMETA_USER_ROOT, /* "", "0", "root", "0:0", "root:staff"... */
	IMAGEMETA_USER_NONROOT, /* "1000", "1000:1000", a name /etc/passwd maps to uid > 0 */
};

/* "unknown", "root", "non-root". */
const char *imagemeta_user_name(enum imagemeta_user u);

/*
 * Classify Config.User @user (NULL = ""): the part before ':' is a uid or
 * a name; names are looked up in @passwd (@len bytes of /etc/passwd, NULL
 * when not known; "root" is root even then). *@uid (may be NULL) gets the
 * uid or -1.
 */
enum imagemeta_user imagemeta_user_kind(const char *user, const char *passwd, size_t len,
					long long *uid);

struct imagemeta_filecap {
	char *path; /* absolute: "/usr/bin/ping" */
	uint64_t permitted, inheritable; /* bit = kernel capability number */
	bool effective;
	int revision; /* 1, 2, 3 */
	long long rootid; /* revision 3, else -1 */
};

struct imagemeta_image {
	char **refs; /* names: RepoTags, annotations, the REF of REF=FILE */
	size_t nrefs;
	char **digests; /* "sha256:<hex>": id, config and manifest digests, RepoDigests' digests */
	size_t ndigests;
	char *user; /* Config.User as written, or NULL when absent */
	enum imagemeta_user user_kind;
	long long uid; /* -1 when unknown */
	char **entrypoint, **cmd; /* NULL-terminated argv lists, or NULL when absent/null */
	size_t nentrypoint, ncmd;
	char **env; /* Config.Env, NULL-terminated, or NULL */
	char *workdir; /* Config.WorkingDir or NULL */
	bool layers; /* the layers were read */
	char *script_path; /* the entrypoint script's absolute path, or NULL */
	char *script; /* its text (NUL-terminated), or NULL */
	size_t script_len;
	struct imagemeta_filecap *filecaps; /* files with a security.capability xattr, by path */
	size_t nfilecaps;
	char *source; /* the file or directory it was read from */
	char note[256]; /* what could not be read (a zstd layer, no zlib...), or "" */
};

struct imagemeta_set;

struct imagemeta_set *imagemeta_set_new(void);
void imagemeta_set_free(struct imagemeta_set *s); /* NULL is fine */

/*
 * Load @arg, "PATH" or "REF=PATH" (REF names the image(s) of PATH, needed
 * for a bare config blob; a REF containing '/' or ':' before '=' is told
 * from a path by the file existing), detected by content: a directory is
 * an OCI layout; a file is inspect JSON, a config blob, a tar or a
 * gzipped tar. Returns the number of images added (>= 1), or -1.
 */
int imagemeta_load(struct imagemeta_set *s, const char *arg);

/*
 * As imagemeta_load() for JSON text in memory (@name for messages, @ref
 * may be NULL), or, when it starts as a tar or gzip, an archive.
 */
int imagemeta_load_buf(struct imagemeta_set *s, const char *name, const unsigned char *buf,
		       size_t len, const char *ref);

size_t imagemeta_count(const struct imagemeta_set *s);
const struct imagemeta_image *imagemeta_at(const struct imagemeta_set *s, size_t i);

/* The image @ref names (see the matching rules above), the first loaded wins; NULL when none. */
const struct imagemeta_image *imagemeta_lookup(const struct imagemeta_set *s, const char *ref);

/* Normalise @ref to "host/path:tag" (docker.io implied) or "sha256:<hex>" when only a digest. */
void imagemeta_normalize(const char *ref, char *out, size_t size);

/*
 * The program a container starts, the one rule for fix and scan: @command0
 * (the first word of the manifest's Kubernetes `command` or compose
 * `entrypoint`, which replace the image's entrypoint) when set; else the
 * image's entrypoint; else @args0 (the first word of Kubernetes `args` or
 * compose `command`, which replace the image's cmd); else the image's cmd
 * unless @replaces_cmd (the manifest set args or command, possibly empty).
 * @img may be NULL (nothing known of the image). NULL when none is known;
 * the string is borrowed from the arguments or @img.
 */
const char *imagemeta_start(const struct imagemeta_image *img, const char *command0,
			    const char *args0, bool replaces_cmd);

/*
 * The file capabilities a binary of @img carries: @path absolute, or a
 * bare name looked up in /usr/local/sbin, /usr/local/bin, /usr/sbin,
 * /usr/bin, /sbin, /bin (so a trace's comm or a command word can be
 * asked); NULL when it has none.
 */
const struct imagemeta_filecap *imagemeta_filecap_of(const struct imagemeta_image *img,
						     const char *path);

/*
 * Does the binary run as @comm (a path or a bare name, as for
 * imagemeta_filecap_of()) carry file capability @cap in @img (a const
 * struct imagemeta_image *)? The shape of trace_opts.filecap.
 */
bool imagemeta_filecap_has(const char *comm, int cap, void *img);

/*
 * Does @img name a numeric, non-zero user ("1000", "1000:1000")? What the
 * kubelet accepts for runAsNonRoot without a runAsUser: a user name, an
 * empty USER or uid 0 make it refuse to start the container.
 */
bool imagemeta_user_numeric_nonroot(const struct imagemeta_image *img);

/* The union of the permitted file capabilities with the effective bit (hard needs). */
uint64_t imagemeta_hard_caps(const struct imagemeta_image *img);

#endif
