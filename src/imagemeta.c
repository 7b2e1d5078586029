/*
 * imagemeta.c - image metadata from inspect JSON, OCI config blobs, OCI
 * layouts and `docker save` archives; the layers go to imagefs.c, which
 * finds /etc/passwd, the entrypoint script and file capabilities. See
 * imagemeta.h. Schemas: moby/moby api/types/image/image_inspect.go,
 * opencontainers/image-spec config.md, image-layout.md, manifest.md,
 * image-index.md, layer.md (whiteouts); moby/moby image/tarexport (save).
 */
#include "capfix/imagemeta.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/imagefs.h"
#include "capfix/sbuf.h"
#include "capfix/tarread.h"

#include <ctype.h>
#include <jansson.h>
#include <errno.h>
#include <sys/stat.h>

#define MAX_INDEX_DEPTH 4
#define MAX_HOPS 16

struct imagemeta_set {
	struct imagemeta_image **img;
	size_t n, alloc;
};

/* ---- small helpers ---- */

static void strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, cf_st_mult(*n + 2, sizeof(char *)));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

static void strv_free(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void image_free(struct imagemeta_image *im)
{
	size_t i;

	if (!im)
		return;
	strv_free(im->refs);
	strv_free(im->digests);
	strv_free(im->entrypoint);
	strv_free(im->cmd);
	strv_free(im->env);
	free(im->user);
	free(im->workdir);
	free(im->script_path);
	free(im->script);
	for (i = 0; i < im->nfilecaps; i++)
		free(im->filecaps[i].path);
	free(im->filecaps);
	free(im->source);
	free(im);
}

struct imagemeta_set *imagemeta_set_new(void)
{
	return xcalloc(1, sizeof(struct imagemeta_set));
}

void imagemeta_set_free(struct imagemeta_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		image_free(s->img[i]);
	free(s->img);
	free(s);
}

size_t imagemeta_count(const struct imagemeta_set *s)
{
	return s->n;
}

const struct imagemeta_image *imagemeta_at(const struct imagemeta_set *s, size_t i)
{
	return i < s->n ? s->img[i] : NULL;
}

const char *imagemeta_user_name(enum imagemeta_user u)
{
	return u == IMAGEMETA_USER_ROOT	     ? "root"
	       : u == IMAGEMETA_USER_NONROOT ? "non-root"
					     : "unknown";
}

static bool is_digest(const char *s)
{
	size_t i;

	if (strncmp(s, "sha256:", 7) || strlen(s) != 71)
		return false;
	for (i = 7; i < 71; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static void add_digest(struct imagemeta_image *im, const char *d)
{
	size_t i;

	if (!d || !is_digest(d))
		return;
	for (i = 0; i < im->ndigests; i++)
		if (!strcmp(im->digests[i], d))
			return;
	strv_push(&im->digests, &im->ndigests, d);
}

/* ---- references ---- */

void imagemeta_normalize(const char *ref, char *out, size_t size)
{
	char host[256] = "", path[512] = "", tag[256] = "";
	const char *at, *end, *p = ref, *slash, *colon;
	size_t n;

	while (*p == ' ' || *p == '"' || *p == '\'')
		p++;
	at = strchr(p, '@');
	if (is_digest(p) || (!strncmp(p, "sha256:", 7) && !at)) {
		snprintf(out, size, "%s", p);
		return;
	}
	end = at ? at : p + strlen(p);
	slash = memchr(p, '/', (size_t)(end - p));
	if (slash) {
		size_t hl = (size_t)(slash - p);

		if ((memchr(p, '.', hl) || memchr(p, ':', hl) ||
		     (hl == 9 && !memcmp(p, "localhost", 9))) &&
		    hl < sizeof(host)) {
			memcpy(host, p, hl);
			host[hl] = '\0';
			p = slash + 1;
		}
	}
	colon = NULL;
	for (slash = p; slash < end; slash++)
		if (*slash == ':')
			colon = slash;
	if (colon && memchr(colon, '/', (size_t)(end - colon)))
		colon = NULL;
	n = (size_t)((colon ? colon : end) - p);
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, p, n);
	path[n] = '\0';
	if (colon)
		snprintf(tag, sizeof(tag), "%.*s", (int)(end - colon - 1), colon + 1);
	for (n = 0; host[n]; n++)
		host[n] = (char)tolower((unsigned char)host[n]);
	for (n = 0; path[n]; n++)
		path[n] = (char)tolower((unsigned char)path[n]);
	if (!host[0] || !strcmp(host, "index.docker.io") || !strcmp(host, "registry-1.docker.io"))
		snprintf(host, sizeof(host), "docker.io");
	if (!strcmp(host, "docker.io") && !strchr(path, '/')) {
		size_t pl = strlen(path);

		if (pl + 8 < sizeof(path)) {
			memmove(path + 8, path, pl + 1);
			memcpy(path, "library/", 8);
		}
	}
	snprintf(out, size, "%s/%s:%s", host, path, tag[0] ? tag : "latest");
}

static const char *digest_of(const char *ref)
{
	const char *at = strchr(ref, '@');

	if (at && is_digest(at + 1))
		return at + 1;
	return is_digest(ref) ? ref : NULL;
}

const struct imagemeta_image *imagemeta_lookup(const struct imagemeta_set *s, const char *ref)
{
	const char *d = ref ? digest_of(ref) : NULL;
	char want[900], have[900];
	size_t i, j;

	if (!ref || !*ref)
		return NULL;
	if (d) {
		for (i = 0; i < s->n; i++)
			for (j = 0; j < s->img[i]->ndigests; j++)
				if (!strcmp(s->img[i]->digests[j], d))
					return s->img[i];
		return NULL; /* a digest names one image: a tag match would be another one */
	}
	imagemeta_normalize(ref, want, sizeof(want));
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->img[i]->nrefs; j++) {
			imagemeta_normalize(s->img[i]->refs[j], have, sizeof(have));
			if (!strcmp(want, have))
				return s->img[i];
		}
	}
	return NULL;
}

/* ---- users ---- */

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0 && n < 12;
}

enum imagemeta_user imagemeta_user_kind(const char *user, const char *passwd, size_t len,
					long long *uid)
{
	size_t n, off = 0;
	const char *colon;
	long long dummy;

	if (!uid)
		uid = &dummy;
	*uid = -1;
	if (!user)
		user = "";
	while (*user == ' ')
		user++;
	colon = strchr(user, ':');
	n = colon ? (size_t)(colon - user) : strlen(user);
	if (!n) {
		*uid = 0;
		return IMAGEMETA_USER_ROOT; /* no user: the runtime starts the image as root */
	}
	if (all_digits(user, n)) {
		*uid = strtoll(user, NULL, 10);
		return *uid ? IMAGEMETA_USER_NONROOT : IMAGEMETA_USER_ROOT;
	}
	/* a name: /etc/passwd lines "name:x:uid:gid:..." */
	while (passwd && off < len) {
		const char *l = passwd + off, *nl = memchr(l, '\n', len - off), *f;
		size_t ll = nl ? (size_t)(nl - l) : len - off;

		off += ll + 1;
		if (ll > n + 1 && !memcmp(l, user, n) && l[n] == ':') {
			f = memchr(l + n + 1, ':', ll - n - 1);
			if (f) {
				const char *u = f + 1, *ue = memchr(u, ':', (size_t)(l + ll - u));
				size_t ul = ue ? (size_t)(ue - u) : (size_t)(l + ll - u);

				if (all_digits(u, ul)) {
					*uid = strtoll(u, NULL, 10);
					return *uid ? IMAGEMETA_USER_NONROOT : IMAGEMETA_USER_ROOT;
				}
			}
		}
	}
	if (n == 4 && !memcmp(user, "root", 4)) {
		*uid = 0;
		return IMAGEMETA_USER_ROOT;
	}
	return IMAGEMETA_USER_UNKNOWN;
}

/* ---- configs ---- */

static char **json_argv(json_t *a, size_t *n)
{
	char **v = NULL;
	size_t i;
	json_t *it;

	*n = 0;
	if (json_is_string(a)) {
		/* a string (docker's shell form was already wrapped; podman may give one): one word
		 */
		strv_push(&v, n, json_string_value(a));
		return v;
	}
	if (!json_is_array(a))
		return NULL;
	v = xcalloc(1, sizeof(char *));
	json_array_foreach(a, i, it)
	{
		if (json_is_string(it))
			strv_push(&v, n, json_string_value(it));
	}
	return v;
}

/* Fill @im from a config object holding User, Entrypoint, Cmd, Env, WorkingDir. */
static void read_config(struct imagemeta_image *im, json_t *cfg)
{
	json_t *u = json_object_get(cfg, "User");

	if (!json_is_object(cfg))
		return;
	if (json_is_string(u)) {
		free(im->user);
		im->user = xstrdup(json_string_value(u));
	}
	strv_free(im->entrypoint);
	strv_free(im->cmd);
	strv_free(im->env);
	im->entrypoint = json_argv(json_object_get(cfg, "Entrypoint"), &im->nentrypoint);
	im->cmd = json_argv(json_object_get(cfg, "Cmd"), &im->ncmd);
	{
		size_t ne;

		im->env = json_argv(json_object_get(cfg, "Env"), &ne);
	}
	if (json_is_string(json_object_get(cfg, "WorkingDir"))) {
		free(im->workdir);
		im->workdir = xstrdup(json_string_value(json_object_get(cfg, "WorkingDir")));
	}
}

static void classify(struct imagemeta_image *im, const char *passwd, size_t len)
{
	im->user_kind = imagemeta_user_kind(im->user, passwd, len, &im->uid);
}

static struct imagemeta_image *image_new(const char *source)
{
	struct imagemeta_image *im = xcalloc(1, sizeof(*im));

	im->uid = -1;
	im->source = xstrdup(source);
	return im;
}

static void set_add(struct imagemeta_set *s, struct imagemeta_image *im)
{
	CF_ALLOC_GROW(s->img, s->n + 1, s->alloc);
	s->img[s->n++] = im;
}

/* An image config blob (OCI config.md; docker save's <id>.json): `config` holds the facts. */
static void read_blob_config(struct imagemeta_image *im, json_t *o)
{
	json_t *c = json_object_get(o, "config");

	if (!json_is_object(c))
		c = json_object_get(o, "Config");
	read_config(im, c);
}

/* `docker/podman image inspect` array. Returns images added. */
static int load_inspect(struct imagemeta_set *s, json_t *arr, const char *name, const char *ref)
{
	size_t i, j, added = 0;
	json_t *o, *t;

	json_array_foreach(arr, i, o)
	{
		struct imagemeta_image *im;
		json_t *cfg;

		if (!json_is_object(o))
			continue;
		cfg = json_object_get(o, "Config");
		if (!json_is_object(cfg) && !json_object_get(o, "RepoTags") &&
		    !json_object_get(o, "Id"))
			continue;
		im = image_new(name);
		read_config(im, cfg);
		if (!im->user && json_is_string(json_object_get(o, "User")))
			im->user = xstrdup(json_string_value(json_object_get(o, "User")));
		if (ref)
			strv_push(&im->refs, &im->nrefs, ref);
		json_array_foreach(json_object_get(o, "RepoTags"), j, t) if (json_is_string(t))
			strv_push(&im->refs, &im->nrefs, json_string_value(t));
		json_array_foreach(json_object_get(o, "Names"), j, t) /* podman */
			if (json_is_string(t))
				strv_push(&im->refs, &im->nrefs, json_string_value(t));
		json_array_foreach(json_object_get(o, "RepoDigests"), j, t)
		{
			const char *d = json_is_string(t) ? digest_of(json_string_value(t)) : NULL;

			add_digest(im, d);
		}
		if (json_is_string(json_object_get(o, "Id"))) {
			const char *id = json_string_value(json_object_get(o, "Id"));
			char buf[80];

			if (!strncmp(id, "sha256:", 7))
				add_digest(im, id);
			else if (strlen(id) == 64) {
				snprintf(buf, sizeof(buf), "sha256:%s", id); /* podman: bare hex */
				add_digest(im, buf);
			}
		}
		add_digest(im, json_string_value(json_object_get(o, "Digest")));
		classify(im, NULL, 0);
		set_add(s, im);
		added++;
	}
	if (!added)
		return cf_err(CF_E_INPUT, "%s: a JSON array without image inspect objects", name);
	return (int)added;
}

bool imagemeta_user_numeric_nonroot(const struct imagemeta_image *img)
{
	const char *u = img ? img->user : NULL;
	size_t n = u ? strcspn(u, ":") : 0;
	bool nonzero = false;
	size_t i;

	if (!n || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (u[i] < '0' || u[i] > '9')
			return false;
		nonzero |= u[i] != '0';
	}
	return nonzero;
}

const char *imagemeta_start(const struct imagemeta_image *img, const char *command0,
			    const char *args0, bool replaces_cmd)
{
	if (command0 && *command0)
		return command0;
	if (img && img->entrypoint && img->entrypoint[0] && *img->entrypoint[0])
		return img->entrypoint[0];
	if (args0 && *args0)
		return args0;
	if (img && !replaces_cmd && img->cmd && img->cmd[0] && *img->cmd[0])
		return img->cmd[0];
	return NULL;
}

const struct imagemeta_filecap *imagemeta_filecap_of(const struct imagemeta_image *img,
						     const char *path)
{
	static const char *const dirs[] = { "/usr/local/sbin/", "/usr/local/bin/", "/usr/sbin/",
					    "/usr/bin/",	"/sbin/",	   "/bin/" };
	size_t i, d;

	if (!img || !path)
		return NULL;
	for (i = 0; i < img->nfilecaps; i++) {
		const char *p = img->filecaps[i].path;

		if (path[0] == '/') {
			if (!strcmp(p, path))
				return &img->filecaps[i];
			continue;
		}
		for (d = 0; d < ARRAY_SIZE(dirs); d++)
			if (!strncmp(p, dirs[d], strlen(dirs[d])) &&
			    !strcmp(p + strlen(dirs[d]), path))
				return &img->filecaps[i];
	}
	return NULL;
}

bool imagemeta_filecap_has(const char *comm, int cap, void *img)
{
	const struct imagemeta_filecap *fc = imagemeta_filecap_of(img, comm);

	return fc && cap >= 0 && cap < 64 && (fc->permitted >> cap) & 1;
}

uint64_t imagemeta_hard_caps(const struct imagemeta_image *img)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; img && i < img->nfilecaps; i++)
		if (img->filecaps[i].effective)
			m |= img->filecaps[i].permitted;
	return m;
}

/* ---- blob sources: an OCI layout directory or an archive in memory ---- */

struct member {
	char *path;
	char type;
	char *link;
	const unsigned char *data;
	size_t size;
};

struct source {
	const char *name;
	const char *dir; /* OCI layout directory, or NULL */
	struct member *m; /* tar members */
	size_t n, alloc;
	struct sbuf **held; /* blobs read from the directory */
	size_t nheld;
};

static void source_free(struct source *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		free(src->m[i].path);
		free(src->m[i].link);
	}
	free(src->m);
	for (i = 0; i < src->nheld; i++) {
		sbuf_release(src->held[i]);
		free(src->held[i]);
	}
	free(src->held);
}

static int index_member(const struct tarread_entry *te, void *ctx)
{
	struct source *src = ctx;
	struct member *m;

	if (te->type != '0' && te->type != '2' && te->type != '1')
		return 0;
	CF_ALLOC_GROW(src->m, src->n + 1, src->alloc);
	m = &src->m[src->n++];
	m->path = xstrdup(te->path);
	m->type = te->type;
	m->link = xstrdup(te->linkname);
	m->data = te->data;
	m->size = (size_t)te->size;
	return 0;
}

static bool safe_rel(const char *p)
{
	return p[0] && p[0] != '/' && !strstr(p, "..") && strlen(p) < 1024;
}

/* The bytes of @path in the source: *data borrowed until source_free(). */
static int source_get(struct source *src, const char *path, const unsigned char **data, size_t *len)
{
	char p[1100];
	int hops;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (!safe_rel(path))
		return cf_err(CF_E_INPUT, "%s: refused path %s", src->name, path);
	if (src->dir) {
		struct sbuf *sb = xcalloc(1, sizeof(*sb));

		snprintf(p, sizeof(p), "%s/%s", src->dir, path);
		if (fsutil_read(p, IMAGEMETA_MAX_LAYER, sb)) {
			free(sb);
			return -1;
		}
		src->held = xrealloc(src->held, cf_st_mult(src->nheld + 1, sizeof(*src->held)));
		src->held[src->nheld++] = sb;
		*data = (const unsigned char *)(sb->buf ? sb->buf : "");
		*len = sb->len;
		return 0;
	}
	snprintf(p, sizeof(p), "%s", path);
	for (hops = 0; hops < MAX_HOPS; hops++) {
		size_t i;

		for (i = 0; i < src->n && strcmp(src->m[i].path, p); i++)
			;
		if (i == src->n)
			break;
		if (src->m[i].type == '0') {
			*data = src->m[i].data;
			*len = src->m[i].size;
			return 0;
		}
		if (src->m[i].type == '2') {
			/* legacy save: <id>/layer.tar -> ../<other>/layer.tar */
			const char *sl = strrchr(p, '/');
			char t[1100];

			snprintf(t, sizeof(t), "%.*s%s%s", sl ? (int)(sl - p) : 0, p, sl ? "/" : "",
				 src->m[i].link);
			imagefs_norm_path(t);
			snprintf(p, sizeof(p), "%s", t);
		} else {
			snprintf(p, sizeof(p), "%s", src->m[i].link);
		}
	}
	return cf_err(CF_E_INPUT, "%s: %s not found", src->name, path);
}

static json_t *source_json(struct source *src, const char *path)
{
	const unsigned char *d;
	size_t n;
	json_error_t jerr;
	json_t *j;

	if (source_get(src, path, &d, &n))
		return NULL;
	if (n > IMAGEMETA_MAX_JSON) {
		cf_err(CF_E_INPUT, "%s: %s is too large for JSON", src->name, path);
		return NULL;
	}
	j = json_loadb((const char *)d, n, 0, &jerr);
	if (!j)
		cf_err(CF_E_INPUT, "%s: %s: %s (line %d)", src->name, path, jerr.text, jerr.line);
	return j;
}

static bool blob_path(const char *digest, char *out, size_t size)
{
	if (!digest || !is_digest(digest))
		return false;
	snprintf(out, size, "blobs/sha256/%s", digest + 7);
	return true;
}

/* An image from its config @cfgpath and @layers (paths in the source), with @mts their media types.
 */
static struct imagemeta_image *image_build(struct source *src, const char *cfgpath, json_t *layers,
					   bool oci)
{
	struct imagemeta_image *im;
	struct imagefs *v;
	json_t *cfg = source_json(src, cfgpath), *l;
	size_t i;

	if (!cfg)
		return NULL;
	im = image_new(src->name);
	read_blob_config(im, cfg);
	json_decref(cfg);
	if (json_array_size(layers) > IMAGEMETA_MAX_LAYERS) {
		snprintf(im->note, sizeof(im->note), "more than %d layers: not read",
			 IMAGEMETA_MAX_LAYERS);
		classify(im, NULL, 0);
		return im;
	}
	v = imagefs_new();
	json_array_foreach(layers, i, l)
	{
		char p[1100];
		const char *mt = NULL;
		const unsigned char *d;
		size_t n;

		if (oci) {
			mt = json_string_value(json_object_get(l, "mediaType"));
			if (!blob_path(json_string_value(json_object_get(l, "digest")), p,
				       sizeof(p)))
				continue;
		} else if (json_is_string(l)) {
			snprintf(p, sizeof(p), "%s", json_string_value(l));
		} else {
			continue;
		}
		if (source_get(src, p, &d, &n)) {
			snprintf(im->note, sizeof(im->note), "%.200s", cf_err_last()->msg);
			cf_err_clear();
			imagefs_skip(v);
			continue;
		}
		imagefs_apply(v, d, n, mt, im->note, sizeof(im->note));
	}
	imagefs_finish(v, im);
	imagefs_free(v);
	return im;
}

static bool is_index_type(const char *mt)
{
	return mt && (strstr(mt, "image.index") || strstr(mt, "manifest.list"));
}

static void add_name(struct imagemeta_image *im, const char *n)
{
	if (n && *n && (strchr(n, '/') || strchr(n, ':')))
		strv_push(&im->refs, &im->nrefs, n);
}

/* The manifests of OCI index @idx (nested indexes followed). Adds images; -1 on a hard error. */
static int oci_index(struct imagemeta_set *s, struct source *src, json_t *idx, int depth,
		     const char *ref, const char *inherited, size_t *added)
{
	json_t *m;
	size_t i;

	if (depth > MAX_INDEX_DEPTH)
		return cf_err(CF_E_INPUT, "%s: indexes nested more than %d deep", src->name,
			      MAX_INDEX_DEPTH);
	json_array_foreach(json_object_get(idx, "manifests"), i, m)
	{
		const char *mt = json_string_value(json_object_get(m, "mediaType"));
		const char *dg = json_string_value(json_object_get(m, "digest"));
		json_t *ann = json_object_get(m, "annotations"),
		       *plat = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(plat, "os"));
		const char *full =
			json_string_value(json_object_get(ann, "io.containerd.image.name"));
		const char *rn = json_string_value(
			json_object_get(ann, "org.opencontainers.image.ref.name"));
		const char *rtype =
			json_string_value(json_object_get(ann, "vnd.docker.reference.type"));
		char p[1100];
		json_t *doc;

		if ((rtype && !strcmp(rtype, "attestation-manifest")) ||
		    (os && strcmp(os, "linux")) || !blob_path(dg, p, sizeof(p)))
			continue;
		doc = source_json(src, p);
		if (!doc)
			return -1;
		if (!full)
			full = rn && (strchr(rn, '/') || strchr(rn, ':')) ? rn : inherited;
		if (is_index_type(mt) || json_object_get(doc, "manifests")) {
			int rc = oci_index(s, src, doc, depth + 1, ref, full, added);

			json_decref(doc);
			if (rc)
				return rc;
		} else {
			char cp[1100];
			const char *cd = json_string_value(
				json_object_get(json_object_get(doc, "config"), "digest"));
			struct imagemeta_image *im = NULL;

			if (blob_path(cd, cp, sizeof(cp)))
				im = image_build(src, cp, json_object_get(doc, "layers"), true);
			if (!im) {
				json_decref(doc);
				return -1;
			}
			if (ref)
				strv_push(&im->refs, &im->nrefs, ref);
			add_name(im, full);
			add_name(im, rn);
			add_digest(im, dg);
			add_digest(im, cd);
			json_decref(doc);
			set_add(s, im);
			(*added)++;
		}
	}
	return 0;
}

/* `docker save`: manifest.json, else an OCI layout inside the tar. */
static int load_source(struct imagemeta_set *s, struct source *src, const char *ref)
{
	size_t added = 0, i, j;
	const unsigned char *d;
	size_t n;
	json_t *man = NULL, *e, *t;
	int rc = 0;

	if (!src->dir && !source_get(src, "manifest.json", &d, &n)) {
		man = source_json(src, "manifest.json");
		if (!man)
			return -1;
		json_array_foreach(man, i, e)
		{
			const char *cfg = json_string_value(json_object_get(e, "Config"));
			struct imagemeta_image *im;
			char dg[80];
			const char *b;

			if (!cfg)
				continue;
			im = image_build(src, cfg, json_object_get(e, "Layers"), false);
			if (!im) {
				rc = -1;
				break;
			}
			if (ref)
				strv_push(&im->refs, &im->nrefs, ref);
			json_array_foreach(json_object_get(e, "RepoTags"), j, t)
				add_name(im, json_string_value(t));
			b = strrchr(cfg, '/') ? strrchr(cfg, '/') + 1 : cfg;
			snprintf(dg, sizeof(dg), "sha256:%.64s", b);
			add_digest(im, dg);
			set_add(s, im);
			added++;
		}
		json_decref(man);
	} else {
		json_t *idx;

		cf_err_clear();
		idx = source_json(src, "index.json");
		if (!idx)
			return cf_err(
				CF_E_INPUT,
				"%s: neither a docker save archive (manifest.json) nor an OCI layout (index.json)",
				src->name);
		rc = oci_index(s, src, idx, 0, ref, NULL, &added);
		json_decref(idx);
	}
	if (!rc && !added)
		rc = cf_err(CF_E_INPUT, "%s: no image found", src->name);
	return rc ? -1 : (int)added;
}

/* Undo what a failed load added. */
static void truncate_set(struct imagemeta_set *s, size_t n)
{
	while (s->n > n)
		image_free(s->img[--s->n]);
}

int imagemeta_load_buf(struct imagemeta_set *s, const char *name, const unsigned char *buf,
		       size_t len, const char *ref)
{
	size_t i = 0, n0 = s->n;
	json_error_t jerr;
	json_t *j;
	int rc;

	if (tarread_is_gzip(buf, len)) {
		struct sbuf sb = SBUF_INIT;
		char err[256];

		if (tarread_gunzip(buf, len, IMAGEMETA_MAX_ARCHIVE, &sb, err, sizeof(err))) {
			sbuf_release(&sb);
			return cf_err(CF_E_INPUT, "%s: %s", name, err);
		}
		rc = tarread_is_tar((const unsigned char *)sb.buf, sb.len)
			     ? imagemeta_load_buf(s, name, (const unsigned char *)sb.buf, sb.len,
						  ref)
			     : cf_err(CF_E_INPUT, "%s: a gzip stream that holds no tar archive",
				      name);
		sbuf_release(&sb);
		return rc;
	}
	if (tarread_is_tar(buf, len)) {
		struct source src;
		char err[256] = "";

		memset(&src, 0, sizeof(src));
		src.name = name;
		if (tarread_each(buf, len, index_member, &src, err, sizeof(err))) {
			source_free(&src);
			return cf_err(CF_E_INPUT, "%s: %s", name, err);
		}
		rc = load_source(s, &src, ref);
		source_free(&src);
		if (rc < 0)
			truncate_set(s, n0);
		return rc;
	}
	while (i < len && isspace(buf[i]))
		i++;
	if (i == len || (buf[i] != '[' && buf[i] != '{'))
		return cf_err(CF_E_INPUT,
			      "%s: not image metadata (inspect JSON, a config blob, a tar)", name);
	if (len > IMAGEMETA_MAX_JSON)
		return cf_err(CF_E_INPUT, "%s: JSON larger than %zu bytes", name,
			      IMAGEMETA_MAX_JSON);
	j = json_loadb((const char *)buf, len, 0, &jerr);
	if (!j)
		return cf_err(CF_E_INPUT, "%s: %s (line %d)", name, jerr.text, jerr.line);
	if (json_is_array(j)) {
		rc = load_inspect(s, j, name, ref);
	} else if (json_is_object(json_object_get(j, "config")) || json_object_get(j, "rootfs")) {
		struct imagemeta_image *im;

		if (!ref) {
			json_decref(j);
			return cf_err(CF_E_INPUT,
				      "%s: an image config names no image: give it as REF=%s", name,
				      name);
		}
		im = image_new(name);
		read_blob_config(im, j);
		strv_push(&im->refs, &im->nrefs, ref);
		classify(im, NULL, 0);
		set_add(s, im);
		rc = 1;
	} else if (json_object_get(j, "RepoTags") || json_object_get(j, "Name")) {
		/* `skopeo inspect` without --config: names and digest, no user */
		struct imagemeta_image *im = image_new(name);
		json_t *t;

		if (ref)
			strv_push(&im->refs, &im->nrefs, ref);
		add_name(im, json_string_value(json_object_get(j, "Name")));
		json_array_foreach(json_object_get(j, "RepoTags"), i, t)
		{
			const char *nm = json_string_value(json_object_get(j, "Name"));
			char full[600];

			if (nm && json_is_string(t)) {
				snprintf(full, sizeof(full), "%s:%s", nm, json_string_value(t));
				strv_push(&im->refs, &im->nrefs, full);
			}
		}
		add_digest(im, json_string_value(json_object_get(j, "Digest")));
		im->user_kind = IMAGEMETA_USER_UNKNOWN;
		snprintf(
			im->note, sizeof(im->note),
			"skopeo inspect carries no user or entrypoint: use skopeo inspect --config");
		set_add(s, im);
		rc = 1;
	} else {
		rc = cf_err(CF_E_INPUT, "%s: a JSON object that is no image config", name);
	}
	json_decref(j);
	return rc;
}

int imagemeta_load(struct imagemeta_set *s, const char *arg)
{
	const char *eq = strchr(arg, '='), *path = arg;
	char *ref = NULL;
	struct stat st;
	int rc;

	if (eq && eq != arg && stat(arg, &st)) {
		ref = xstrndup(arg, (size_t)(eq - arg));
		path = eq + 1;
	}
	if (stat(path, &st)) {
		free(ref);
		return cf_err(CF_E_INPUT, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		struct source src;
		size_t n0 = s->n;

		memset(&src, 0, sizeof(src));
		src.name = path;
		src.dir = path;
		rc = load_source(s, &src, ref);
		source_free(&src);
		if (rc < 0)
			truncate_set(s, n0);
	} else {
		struct sbuf sb = SBUF_INIT;

		rc = fsutil_read(path, IMAGEMETA_MAX_ARCHIVE, &sb);
		if (!rc)
			rc = imagemeta_load_buf(s, path,
						(const unsigned char *)(sb.buf ? sb.buf : ""),
						sb.len, ref);
		sbuf_release(&sb);
	}
	free(ref);
	return rc;
}
