/*
 * imagefs.c - an image's file system from its layers, and what capfix
 * reads in it. See imagefs.h.
 */
#include "capfix/imagefs.h"
#include "capfix/sbuf.h"
#include "capfix/tarread.h"

#define MAX_HOPS 16 /* symbolic links followed in one path */

struct fent {
	char *path; /* without leading '/' */
	char type;
	char *link;
	const unsigned char *data;
	uint64_t size;
	bool has_cap, dead;
	struct tarread_vfscap cap;
	unsigned layer;
};

struct imagefs {
	struct fent *e;
	size_t n, alloc;
	size_t *tab; /* open addressing: index + 1, 0 = empty */
	size_t tsize;
	unsigned layer;
	struct sbuf **bufs; /* inflated layers, alive until the view is freed */
	size_t nbufs;
};

static uint64_t hash_s(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t *fs_slot(struct imagefs *v, const char *path)
{
	size_t j = hash_s(path) & (v->tsize - 1);

	while (v->tab[j] && strcmp(v->e[v->tab[j] - 1].path, path))
		j = (j + 1) & (v->tsize - 1);
	return &v->tab[j];
}

static struct fent *fs_get(struct imagefs *v, const char *path)
{
	size_t *sl;

	if (!v->tsize)
		return NULL;
	sl = fs_slot(v, path);
	return *sl && !v->e[*sl - 1].dead ? &v->e[*sl - 1] : NULL;
}

static void fs_grow(struct imagefs *v)
{
	size_t i, n = v->tsize ? v->tsize * 2 : 1024;

	free(v->tab);
	v->tab = xcalloc(n, sizeof(size_t));
	v->tsize = n;
	for (i = 0; i < v->n; i++)
		*fs_slot(v, v->e[i].path) = i + 1;
}

void imagefs_free(struct imagefs *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->e[i].path);
		free(v->e[i].link);
	}
	for (i = 0; i < v->nbufs; i++) {
		sbuf_release(v->bufs[i]);
		free(v->bufs[i]);
	}
	free(v->bufs);
	free(v->e);
	free(v->tab);
	free(v);
}

/* Remove @path and everything below it (entries of earlier layers only); @self: @path too. */
static void fs_remove(struct imagefs *v, const char *path, bool self)
{
	size_t i, n = strlen(path);

	for (i = 0; i < v->n; i++) {
		struct fent *e = &v->e[i];

		if (e->dead || e->layer >= v->layer)
			continue;
		if ((self && !strcmp(e->path, path)) ||
		    (!strncmp(e->path, path, n) && (n == 0 || e->path[n] == '/')))
			e->dead = true;
	}
}

static int apply_whiteouts(const struct tarread_entry *te, void *ctx)
{
	struct imagefs *v = ctx;
	const char *base = strrchr(te->path, '/');
	char dir[TARREAD_PATH_MAX];
	size_t dl;

	base = base ? base + 1 : te->path;
	if (strncmp(base, ".wh.", 4))
		return 0;
	dl = (size_t)(base - te->path);
	memcpy(dir, te->path, dl);
	dir[dl] = '\0';
	if (!strcmp(base, ".wh..wh..opq")) {
		if (dl)
			dir[dl - 1] = '\0';
		fs_remove(v, dir, false);
	} else {
		size_t bl = strlen(base + 4);

		if (dl + bl >= sizeof(dir))
			return 0;
		memcpy(dir + dl, base + 4, bl + 1);
		fs_remove(v, dir, true);
	}
	return 0;
}

static int apply_entry(const struct tarread_entry *te, void *ctx)
{
	struct imagefs *v = ctx;
	const char *base = strrchr(te->path, '/');
	size_t *sl;
	struct fent *e;

	base = base ? base + 1 : te->path;
	if (!strncmp(base, ".wh.", 4) || !te->path[0])
		return 0;
	if ((v->n + 1) * 2 > v->tsize)
		fs_grow(v);
	sl = fs_slot(v, te->path);
	if (*sl) {
		e = &v->e[*sl - 1];
		free(e->link);
	} else {
		CF_ALLOC_GROW(v->e, v->n + 1, v->alloc);
		e = &v->e[v->n];
		memset(e, 0, sizeof(*e));
		e->path = xstrdup(te->path);
		*fs_slot(v, te->path) = ++v->n;
	}
	e->type = te->type;
	e->link = xstrdup(te->linkname);
	e->data = te->data;
	e->size = te->size;
	e->has_cap = te->has_cap;
	e->cap = te->cap;
	e->dead = false;
	e->layer = v->layer;
	return 0;
}

/* Apply a layer (tar, or gzip of a tar) in @buf. A layer that can't be read sets @note. */
void imagefs_apply(struct imagefs *v, const unsigned char *buf, size_t len, const char *mt,
		   char *note, size_t notesize)
{
	char err[256] = "";

	v->layer++;
	if (mt && strstr(mt, "zstd")) {
		snprintf(note, notesize, "a zstd-compressed layer was not read");
		return;
	}
	if (tarread_is_gzip(buf, len)) {
		struct sbuf *sb = xcalloc(1, sizeof(*sb));

		if (tarread_gunzip(buf, len, IMAGEMETA_MAX_LAYER, sb, err, sizeof(err))) {
			sbuf_release(sb);
			free(sb);
			snprintf(note, notesize, "a layer was not read: %s", err);
			return;
		}
		v->bufs = xrealloc(v->bufs, cf_st_mult(v->nbufs + 1, sizeof(*v->bufs)));
		v->bufs[v->nbufs++] = sb;
		buf = (const unsigned char *)sb->buf;
		len = sb->len;
	}
	if (!tarread_is_tar(buf, len) && len) {
		snprintf(note, notesize, "a layer is neither tar nor gzip");
		return;
	}
	if (tarread_each(buf, len, apply_whiteouts, v, err, sizeof(err)) ||
	    tarread_each(buf, len, apply_entry, v, err, sizeof(err)))
		snprintf(note, notesize, "a layer was not fully read: %s", err);
}

/* Normalise "a/./b/../c" (no leading '/') in place; ".." above the root stays at the root. */
void imagefs_norm_path(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && out[-1] != '/')
				out--;
			if (out > p)
				out--;
			while (out > p && out[-1] != '/')
				out--;
		} else {
			if (out > p && out[-1] != '/')
				*out++ = '/';
			memmove(out, s, n);
			out += n;
		}
		s += n + (e ? 1 : 0);
	}
	*out = '\0';
	if (out > p && out[-1] == '/')
		out[-1] = '\0';
}

/* The entry at @path, symbolic links followed in every component (at most MAX_HOPS). */
static struct fent *fs_resolve(struct imagefs *v, const char *path, char *out, size_t size)
{
	char cur[TARREAD_PATH_MAX];
	int hops;

	snprintf(cur, sizeof(cur), "%s", path[0] == '/' ? path + 1 : path);
	imagefs_norm_path(cur);
	for (hops = 0; hops < MAX_HOPS; hops++) {
		size_t i, n = strlen(cur);
		bool again = false;

		for (i = 1; i <= n && !again; i++) {
			struct fent *e;
			char save;

			if (i < n && cur[i] != '/')
				continue;
			save = cur[i];
			cur[i] = '\0';
			e = fs_get(v, cur);
			cur[i] = save;
			if (e && e->type == '2' && e->link[0]) {
				char next[TARREAD_PATH_MAX];
				const char *rest = cur + i;
				int w;

				if (e->link[0] == '/') {
					w = snprintf(next, sizeof(next), "%s%s", e->link + 1, rest);
				} else {
					int dl = (int)i;

					while (dl > 0 && cur[dl - 1] != '/')
						dl--;
					if (dl > 0)
						dl--; /* the link's directory, without the slash */

					w = snprintf(next, sizeof(next), "%.*s%s%s%s", dl, cur,
						     dl ? "/" : "", e->link, rest);
				}
				if (w < 0 || (size_t)w >= sizeof(next))
					return NULL;
				imagefs_norm_path(next);
				memcpy(cur, next, strlen(next) + 1);
				again = true;
			}
		}
		if (!again) {
			struct fent *e = fs_get(v, cur);
			int h;

			for (h = 0; e && e->type == '1' && h < MAX_HOPS; h++) {
				char t[TARREAD_PATH_MAX];

				snprintf(t, sizeof(t), "%s",
					 e->link[0] == '/' ? e->link + 1 : e->link);
				imagefs_norm_path(t);
				e = fs_get(v, t);
			}
			if (e && out)
				snprintf(out, size, "/%s", cur);
			return e;
		}
	}
	return NULL;
}

static const char *env_path(const struct imagemeta_image *im)
{
	size_t i;

	for (i = 0; im->env && im->env[i]; i++)
		if (!strncmp(im->env[i], "PATH=", 5))
			return im->env[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* Find @word as a program: absolute, relative to WorkingDir, or through PATH. */
static struct fent *find_program(struct imagefs *v, const struct imagemeta_image *im,
				 const char *word, char *out, size_t size)
{
	const char *p;
	char cand[TARREAD_PATH_MAX];

	if (!word || !*word)
		return NULL;
	if (word[0] == '/')
		return fs_resolve(v, word, out, size);
	if (strchr(word, '/')) {
		snprintf(cand, sizeof(cand), "%s/%s", im->workdir ? im->workdir : "", word);
		return fs_resolve(v, cand, out, size);
	}
	for (p = env_path(im); *p;) {
		const char *c = strchr(p, ':');
		int dl = c ? (int)(c - p) : (int)strlen(p);
		struct fent *e;

		snprintf(cand, sizeof(cand), "%.*s/%s", dl, p, word);
		e = fs_resolve(v, cand, out, size);
		if (e && (e->type == '0'))
			return e;
		p += dl + (c ? 1 : 0);
	}
	return NULL;
}

static const char *basename_of(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

/* The entrypoint script: argv[0], through init wrappers and `sh FILE`. */
static void find_script(struct imagefs *v, struct imagemeta_image *im)
{
	char **argv = im->nentrypoint ? im->entrypoint : im->cmd;
	size_t n = im->nentrypoint ? im->nentrypoint : im->ncmd, i = 0;
	char where[TARREAD_PATH_MAX];

	while (argv && i < n) {
		const char *b = basename_of(argv[i]);
		struct fent *e;

		if (!strcmp(b, "tini") || !strcmp(b, "tini-static") || !strcmp(b, "dumb-init") ||
		    !strcmp(b, "sh") || !strcmp(b, "bash") || !strcmp(b, "ash") ||
		    !strcmp(b, "dash")) {
			bool shell = b[0] != 't' && b[0] != 'd';

			if (!shell && !strcmp(b, "dash"))
				shell = true;
			for (i++; i < n && argv[i][0] == '-'; i++)
				if (shell && !strcmp(argv[i], "-c"))
					return; /* a command string, not a file */
			continue;
		}
		e = find_program(v, im, argv[i], where, sizeof(where));
		if (e && e->type == '0' && e->data && e->size >= 2 &&
		    e->size <= IMAGEMETA_MAX_SCRIPT && e->data[0] == '#' && e->data[1] == '!' &&
		    !memchr(e->data, '\0', (size_t)e->size)) {
			im->script = xstrndup((const char *)e->data, (size_t)e->size);
			im->script_len = (size_t)e->size;
			im->script_path = xstrdup(where);
		}
		return;
	}
}

static int cmp_filecap(const void *a, const void *b)
{
	return strcmp(((const struct imagemeta_filecap *)a)->path,
		      ((const struct imagemeta_filecap *)b)->path);
}

/* After the layers: user, script, file capabilities. */
void imagefs_finish(struct imagefs *v, struct imagemeta_image *im)
{
	struct fent *pw = fs_resolve(v, "etc/passwd", NULL, 0);
	size_t i;

	im->layers = true;
	if (pw && pw->type == '0' && pw->data)
		im->user_kind = imagemeta_user_kind(im->user, (const char *)pw->data,
						    (size_t)pw->size, &im->uid);
	else
		im->user_kind = imagemeta_user_kind(im->user, NULL, 0, &im->uid);
	find_script(v, im);
	for (i = 0; i < v->n; i++) {
		struct fent *e = &v->e[i];
		struct imagemeta_filecap *fc;
		char p[TARREAD_PATH_MAX + 2];

		const struct tarread_vfscap *cap = &e->cap;

		if (e->dead || (e->type != '0' && e->type != '1'))
			continue;
		if (e->type == '1' && !e->has_cap) {
			/* a hard link shares its target's inode, attributes included */
			char t[TARREAD_PATH_MAX];
			struct fent *te;

			snprintf(t, sizeof(t), "%s", e->link[0] == '/' ? e->link + 1 : e->link);
			imagefs_norm_path(t);
			te = fs_get(v, t);
			if (!te || !te->has_cap)
				continue;
			cap = &te->cap;
		} else if (!e->has_cap) {
			continue;
		}
		im->filecaps = xrealloc(im->filecaps, cf_st_mult(im->nfilecaps + 1, sizeof(*fc)));
		fc = &im->filecaps[im->nfilecaps++];
		snprintf(p, sizeof(p), "/%s", e->path);
		fc->path = xstrdup(p);
		fc->permitted = cap->permitted;
		fc->inheritable = cap->inheritable;
		fc->effective = cap->effective;
		fc->revision = cap->revision;
		fc->rootid = cap->has_rootid ? (long long)cap->rootid : -1;
	}
	if (im->nfilecaps > 1)
		qsort(im->filecaps, im->nfilecaps, sizeof(*im->filecaps), cmp_filecap);
}

struct imagefs *imagefs_new(void)
{
	return xcalloc(1, sizeof(struct imagefs));
}

void imagefs_skip(struct imagefs *v)
{
	v->layer++;
}
