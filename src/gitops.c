#include "capfix/gitops.h"
#include "capfix/patch.h"
#include "capfix/err.h"
#include "capfix/sbuf.h"
#include "capfix/walk.h"

#include <git2.h>
#include <pthread.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct gitops {
	git_repository *repo;
	git_commit *base;
	git_tree *base_tree;
	char base_id[GIT_OID_HEXSZ + 1];
	char *workdir; /* absolute, ending in '/' */
};

/* libgit2 loads its TLS backend and certificates on init: only pay for it when used */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool initialised;

static void do_init(void)
{
	git_libgit2_init();
	initialised = true;
}

void gitops_lib_init(void)
{
	pthread_once(&init_once, do_init);
}

void gitops_lib_shutdown(void)
{
	if (initialised)
		git_libgit2_shutdown();
}

static const char *gitmsg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/*
 * Opening the repository failed: is it because it belongs to another user
 * (git refuses it: safe.directory)? libgit2 1.5 then reports only that the
 * config value 'safe.directory' was not found. If so, records what git
 * says and how to allow it, and returns true.
 */
static bool not_owned(void)
{
	git_buf gitdir = GIT_BUF_INIT;
	struct sbuf top = SBUF_INIT;
	struct stat st;
	int was = 1;
	bool found;

	/* where it is: found again without the ownership check, then the check is back */
	git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &was);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	found = git_repository_discover(&gitdir, ".", 0, NULL) == 0 && gitdir.ptr;
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, was);
	if (found) {
		char *dotgit;

		sbuf_addstr(&top, gitdir.ptr);
		while (top.len > 1 && top.buf[top.len - 1] == '/')
			sbuf_setlen(&top, top.len - 1);
		dotgit = strrchr(top.buf, '/');
		if (dotgit && !strcmp(dotgit, "/.git"))
			sbuf_setlen(&top, dotgit > top.buf ? (size_t)(dotgit - top.buf) : 1);
		found = stat(top.buf, &st) == 0 && st.st_uid != geteuid();
	}
	git_buf_dispose(&gitdir);
	if (found)
		cf_err(CF_E_USAGE,
		       "the git repository at %s is owned by someone else (uid %ld, you are %ld): git refuses to use it; if you trust it, allow it with: git config --global --add safe.directory %s",
		       top.buf, (long)st.st_uid, (long)geteuid(), top.buf);
	sbuf_release(&top);
	return found;
}

int gitops_open(struct gitops **out, const char *base_rev)
{
	struct gitops *g = xcalloc(1, sizeof(*g));
	git_object *obj = NULL;
	const char *wd;
	int ret = -1;

	gitops_lib_init();
	if (git_repository_open_ext(&g->repo, ".", 0, NULL) < 0) {
		if (not_owned())
			goto out;
		cf_err(CF_E_USAGE, "not in a git repository (--branch needs one): %s", gitmsg());
		goto out;
	}
	if (git_repository_is_bare(g->repo)) {
		cf_err(CF_E_USAGE,
		       "the repository is bare: --branch needs a work tree to locate paths");
		goto out;
	}
	if (!base_rev && git_repository_head_unborn(g->repo) == 1) {
		cf_err(CF_E_USAGE, "the repository has no commits yet: commit the manifests first");
		goto out;
	}
	if (git_revparse_single(&obj, g->repo, base_rev ? base_rev : "HEAD") < 0) {
		cf_err(CF_E_USAGE, "unknown revision '%s': %s", base_rev ? base_rev : "HEAD",
		       gitmsg());
		goto out;
	}
	if (git_object_peel((git_object **)&g->base, obj, GIT_OBJECT_COMMIT) < 0) {
		cf_err(CF_E_USAGE, "'%s' does not name a commit", base_rev ? base_rev : "HEAD");
		goto out;
	}
	if (git_commit_tree(&g->base_tree, g->base) < 0) {
		cf_err(CF_E_SYSTEM, "cannot read the base tree: %s", gitmsg());
		goto out;
	}
	git_oid_tostr(g->base_id, sizeof(g->base_id), git_commit_id(g->base));
	wd = git_repository_workdir(g->repo);
	g->workdir = xstrdup(wd ? wd : "");
	*out = g;
	g = NULL;
	ret = 0;
out:
	git_object_free(obj);
	gitops_free(g);
	return ret;
}

void gitops_free(struct gitops *g)
{
	if (!g)
		return;
	git_tree_free(g->base_tree);
	git_commit_free(g->base);
	git_repository_free(g->repo);
	free(g->workdir);
	free(g);
}

const char *gitops_base_id(const struct gitops *g)
{
	return g->base_id;
}

/* Resolve "." and ".." of an absolute path, lexically. */
static void normalize(struct sbuf *p)
{
	char *out = xmalloc(p->len + 2), *w = out;
	const char *s = p->buf;

	while (*s) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (w > out && *--w != '/')
				;
		} else if (n) {
			*w++ = '/';
			memcpy(w, s, n);
			w += n;
		}
		s += n;
	}
	if (w == out)
		*w++ = '/';
	*w = '\0';
	sbuf_setlen(p, 0);
	sbuf_addstr(p, out);
	free(out);
}

int gitops_relpath(const struct gitops *g, const char *arg, char **out)
{
	struct sbuf p = SBUF_INIT, wd = SBUF_INIT;
	char cwd[PATH_MAX];
	int ret = -1;

	if (arg[0] == '/') {
		sbuf_addstr(&p, arg);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return cf_err(CF_E_SYSTEM, "cannot read the current directory");
		sbuf_addf(&p, "%s/%s", cwd, arg);
	}
	normalize(&p);
	sbuf_addstr(&wd, g->workdir);
	normalize(&wd);
	if (!strcmp(p.buf, wd.buf)) {
		*out = xstrdup("");
		ret = 0;
	} else if (!strncmp(p.buf, wd.buf, wd.len) && (wd.len == 1 || p.buf[wd.len] == '/')) {
		*out = xstrdup(p.buf + wd.len + (wd.len == 1 ? 0 : 1));
		ret = 0;
	} else {
		cf_err(CF_E_USAGE, "'%s' is outside the repository (%s)", arg, g->workdir);
	}
	sbuf_release(&p);
	sbuf_release(&wd);
	return ret;
}

struct list_ctx {
	struct gitops *g;
	bool lazy; /* leave the bytes in the object database (gitops_file_load()) */
	const char *prefix; /* "" or "dir/" */
	struct gitops_file *files;
	size_t n, alloc;
	int err;
};

static bool tree_has_file(git_tree *t, const char *path)
{
	git_tree_entry *e = NULL;
	bool ok = git_tree_entry_bypath(&e, t, path) == 0 &&
		  git_tree_entry_type(e) == GIT_OBJECT_BLOB;

	git_tree_entry_free(e);
	return ok;
}

/* Is root-relative @path below a templates/ folder beside Chart.yaml or values.yaml? */
static bool in_chart_templates(git_tree *t, const char *path)
{
	struct sbuf dir = SBUF_INIT, probe = SBUF_INIT;
	bool found = false;
	char *slash;

	sbuf_addstr(&dir, path);
	while (!found && (slash = strrchr(dir.buf, '/')) != NULL) {
		const char *base;

		*slash = '\0';
		dir.len = (size_t)(slash - dir.buf);
		base = strrchr(dir.buf, '/');
		base = base ? base + 1 : dir.buf;
		if (strcmp(base, "templates"))
			continue;
		sbuf_setlen(&probe, 0);
		sbuf_add(&probe, dir.buf, (size_t)(base - dir.buf));
		sbuf_addstr(&probe, "Chart.yaml");
		found = tree_has_file(t, probe.buf);
		if (!found) {
			sbuf_setlen(&probe, (size_t)(base - dir.buf));
			sbuf_addstr(&probe, "values.yaml");
			found = tree_has_file(t, probe.buf);
		}
	}
	sbuf_release(&dir);
	sbuf_release(&probe);
	return found;
}

/* Read the blob @id into @f->data and @f->len. */
static int load_blob(git_repository *repo, struct gitops_file *f, const git_oid *id)
{
	git_blob *b = NULL;

	if (git_blob_lookup(&b, repo, id) < 0)
		return cf_err(CF_E_SYSTEM, "%s: cannot read the blob: %s", f->path, gitmsg());
	f->len = (size_t)git_blob_rawsize(b);
	f->data = xmalloc(f->len + 1);
	memcpy(f->data, git_blob_rawcontent(b), f->len);
	f->data[f->len] = '\0';
	git_blob_free(b);
	return 0;
}

static int add_blob(struct list_ctx *x, const char *path, const git_oid *id, git_filemode_t mode)
{
	struct gitops_file *f;

	CF_ALLOC_GROW(x->files, x->n + 1, x->alloc);
	f = &x->files[x->n];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->mode = (unsigned)mode;
	memcpy(f->id, id->id, sizeof(f->id));
	if (!x->lazy && load_blob(x->g->repo, f, id) < 0) {
		free(f->path);
		x->err = -1;
		return -1;
	}
	x->n++;
	f->chart_template = in_chart_templates(x->g->base_tree, path);
	return 0;
}

int gitops_file_load(struct gitops *g, struct gitops_file *f)
{
	git_oid id;

	if (f->data)
		return 0;
	memcpy(id.id, f->id, sizeof(f->id));
	return load_blob(g->repo, f, &id);
}

void gitops_file_unload(struct gitops_file *f)
{
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct list_ctx *x = payload;
	struct sbuf p = SBUF_INIT;
	git_filemode_t mode = git_tree_entry_filemode(e);
	int r = 0;

	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
		return 0; /* trees are walked; links and submodules are left out */
	if (!walk_is_manifest_name(git_tree_entry_name(e)))
		return 0;
	sbuf_addf(&p, "%s%s", root, git_tree_entry_name(e));
	if (!strncmp(p.buf, x->prefix, strlen(x->prefix)))
		r = add_blob(x, p.buf, git_tree_entry_id(e), mode);
	sbuf_release(&p);
	return r < 0 ? -1 : 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct gitops_file *)a)->path, ((const struct gitops_file *)b)->path);
}

static int list(struct gitops *g, bool lazy, const char *const *paths, size_t npaths,
		struct gitops_file **out, size_t *nout)
{
	struct list_ctx x;
	size_t i, j, k;

	memset(&x, 0, sizeof(x));
	x.g = g;
	x.lazy = lazy;
	for (i = 0; i < npaths; i++) {
		git_tree_entry *e = NULL;
		struct sbuf prefix = SBUF_INIT;

		if (!paths[i][0]) {
			x.prefix = "";
			if (git_tree_walk(g->base_tree, GIT_TREEWALK_PRE, walk_cb, &x) < 0 &&
			    !x.err)
				x.err = cf_err(CF_E_SYSTEM, "cannot walk the base tree: %s",
					       gitmsg());
			if (x.err)
				goto fail;
			continue;
		}
		if (git_tree_entry_bypath(&e, g->base_tree, paths[i]) < 0) {
			cf_err(CF_E_USAGE, "'%s' is not in the base commit %.12s", paths[i],
			       g->base_id);
			goto fail;
		}
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
			sbuf_addf(&prefix, "%s/", paths[i]);
			x.prefix = prefix.buf;
			if (git_tree_walk(g->base_tree, GIT_TREEWALK_PRE, walk_cb, &x) < 0 &&
			    !x.err)
				x.err = cf_err(CF_E_SYSTEM, "cannot walk the base tree: %s",
					       gitmsg());
		} else if (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
			   git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE) {
			if (add_blob(&x, paths[i], git_tree_entry_id(e),
				     git_tree_entry_filemode(e)) < 0)
				x.err = -1;
		}
		git_tree_entry_free(e);
		sbuf_release(&prefix);
		x.prefix = NULL;
		if (x.err)
			goto fail;
	}
	if (x.n)
		qsort(x.files, x.n, sizeof(*x.files), cmp_file);
	/* overlapping paths: keep one of each */
	for (i = j = 0; i < x.n; i++) {
		if (j && !strcmp(x.files[j - 1].path, x.files[i].path)) {
			free(x.files[i].path);
			free(x.files[i].data);
			continue;
		}
		x.files[j++] = x.files[i];
	}
	x.n = j;
	*out = x.files;
	*nout = x.n;
	return 0;
fail:
	for (k = 0; k < x.n; k++) {
		free(x.files[k].path);
		free(x.files[k].data);
	}
	free(x.files);
	return -1;
}

int gitops_list(struct gitops *g, const char *const *paths, size_t npaths, struct gitops_file **out,
		size_t *nout)
{
	return list(g, false, paths, npaths, out, nout);
}

int gitops_list_lazy(struct gitops *g, const char *const *paths, size_t npaths,
		     struct gitops_file **out, size_t *nout)
{
	return list(g, true, paths, npaths, out, nout);
}

void gitops_files_free(struct gitops_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i].path);
		free(files[i].data);
	}
	free(files);
}

/* Does the HEAD of @repo name @ref (symbolically: checked out, born or not)? */
static bool head_names(git_repository *repo, const char *ref)
{
	git_reference *head = NULL;
	bool yes = git_reference_lookup(&head, repo, "HEAD") == 0 &&
		   git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
		   !strcmp(git_reference_symbolic_target(head), ref);

	git_reference_free(head);
	return yes;
}

/*
 * The work tree where @ref is checked out, in @where: the main one or a
 * linked one (git worktree add). Returns true when there is one.
 */
static bool checked_out(struct gitops *g, const char *ref, struct sbuf *where)
{
	git_repository *main_repo = g->repo, *opened = NULL;
	git_strarray names = { NULL, 0 };
	size_t i;
	bool found = false;

	if (git_repository_is_worktree(g->repo) &&
	    git_repository_open(&opened, git_repository_commondir(g->repo)) == 0)
		main_repo = opened;
	if (head_names(main_repo, ref)) {
		const char *wd = git_repository_workdir(main_repo);

		sbuf_addstr(where, wd ? wd : git_repository_path(main_repo));
		found = true;
	}
	if (!found && git_worktree_list(&names, main_repo) == 0) {
		for (i = 0; !found && i < names.count; i++) {
			git_worktree *wt = NULL;
			git_repository *wr = NULL;
			git_reference *head = NULL;

			if (git_worktree_lookup(&wt, main_repo, names.strings[i]) < 0)
				continue;
			if (git_repository_open_from_worktree(&wr, wt) == 0)
				found = head_names(wr, ref);
			else if (git_repository_head_for_worktree(&head, main_repo,
								  names.strings[i]) == 0)
				found = !strcmp(git_reference_name(head),
						ref); /* its files are gone */
			if (found)
				sbuf_addstr(where, git_worktree_path(wt));
			git_reference_free(head);
			git_repository_free(wr);
			git_worktree_free(wt);
		}
		git_strarray_dispose(&names);
	}
	git_repository_free(opened);
	return found;
}

int gitops_check_branch(struct gitops *g, const char *branch, bool force)
{
	struct sbuf ref = SBUF_INIT, where = SBUF_INIT;
	git_reference *existing = NULL;
	int valid = 0, ret = -1;

	sbuf_addf(&ref, "refs/heads/%s", branch);
	if (!branch[0] || git_reference_name_is_valid(&valid, ref.buf) < 0 || !valid) {
		cf_err(CF_E_USAGE, "'%s' is not a valid branch name", branch);
		goto out;
	}
	if (checked_out(g, ref.buf, &where)) {
		while (where.len > 1 && where.buf[where.len - 1] == '/')
			sbuf_setlen(&where, where.len - 1);
		cf_err(CF_E_USAGE,
		       "branch '%s' is checked out in the work tree at %s: capfix will not move it under that checkout (git refuses too); choose another --branch name",
		       branch, where.buf);
		goto out;
	}
	if (!force && git_reference_lookup(&existing, g->repo, ref.buf) == 0) {
		cf_err(CF_E_USAGE,
		       "branch '%s' already exists: pass --force to replace it, or choose another --branch name",
		       branch);
		goto out;
	}
	ret = 0;
out:
	git_reference_free(existing);
	sbuf_release(&ref);
	sbuf_release(&where);
	return ret;
}

int gitops_check_new_path(struct gitops *g, const char *path)
{
	const char *s = path;
	struct sbuf prefix = SBUF_INIT;
	git_tree_entry *e = NULL;
	int ret = -1;

	if (!*path || *path == '/' || path[strlen(path) - 1] == '/') {
		cf_err(CF_E_USAGE,
		       "'%s' is not a file path relative to the repository root (no leading or trailing '/')",
		       path);
		goto out;
	}
	for (;;) {
		const char *slash = strchr(s, '/');
		size_t n = slash ? (size_t)(slash - s) : strlen(s);

		if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && !strncasecmp(s, ".git", 4))) {
			cf_err(CF_E_USAGE,
			       "'%s' is not a plain path inside the repository (no '.', '..', '.git' or empty components)",
			       path);
			goto out;
		}
		if (memchr(s, '\\', n) || memchr(s, '\0', n)) {
			cf_err(CF_E_USAGE, "'%s': a backslash is not allowed in the path", path);
			goto out;
		}
		sbuf_add(&prefix, s, n);
		git_tree_entry_free(e);
		e = NULL;
		if (git_tree_entry_bypath(&e, g->base_tree, prefix.buf) == 0) {
			if (!slash || git_tree_entry_type(e) != GIT_OBJECT_TREE) {
				cf_err(CF_E_USAGE,
				       "'%s' is already in the base commit (%s '%s'): the backout patch would replace it; choose a new path",
				       path,
				       git_tree_entry_type(e) == GIT_OBJECT_TREE ? "directory"
										 : "file",
				       prefix.buf);
				goto out;
			}
		}
		if (!slash)
			break;
		sbuf_addch(&prefix, '/');
		s = slash + 1;
	}
	ret = 0;
out:
	git_tree_entry_free(e);
	sbuf_release(&prefix);
	return ret;
}

int gitops_write_blob(struct gitops *g, const char *path, const char *data, size_t len,
		      unsigned char id[GITOPS_ID_RAWSZ])
{
	git_oid oid;

	if (git_blob_create_from_buffer(&oid, g->repo, data, len) < 0)
		return cf_err(CF_E_WRITE, "%s: cannot write the blob: %s", path, gitmsg());
	memcpy(id, oid.id, GITOPS_ID_RAWSZ);
	return 0;
}

/* ---- identity ---- */

static int config_string(git_repository *repo, const char *key, char **out)
{
	git_config *cfg = NULL, *snap = NULL;
	const char *v = NULL;
	int ret = -1;

	if (git_repository_config(&cfg, repo) < 0 || git_config_snapshot(&snap, cfg) < 0)
		goto out;
	if (git_config_get_string(&v, snap, key) == 0 && v && *v) {
		*out = xstrdup(v);
		ret = 0;
	}
out:
	git_config_free(snap);
	git_config_free(cfg);
	return ret;
}

static int identity(git_repository *repo, const char *who, git_signature **out)
{
	char nk[32], ek[32];
	const char *name, *email;
	char *cname = NULL, *cemail = NULL;
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	int ret = -1;

	snprintf(nk, sizeof(nk), "GIT_%s_NAME", who);
	snprintf(ek, sizeof(ek), "GIT_%s_EMAIL", who);
	name = getenv(nk);
	email = getenv(ek);
	if (!name || !*name)
		name = config_string(repo, "user.name", &cname) == 0 ? cname : NULL;
	if (!email || !*email)
		email = config_string(repo, "user.email", &cemail) == 0 ? cemail : NULL;
	if (!name || !email) {
		cf_err(CF_E_USAGE,
		       "cannot tell who the %s is: set %s and %s, or git config user.name and user.email",
		       !strcmp(who, "AUTHOR") ? "author" : "committer", nk, ek);
		goto out;
	}
	if (epoch && *epoch) {
		char *end;
		long long t = strtoll(epoch, &end, 10);

		if (*end || t < 0) {
			cf_err(CF_E_USAGE,
			       "SOURCE_DATE_EPOCH must be a number of seconds, not '%s'", epoch);
			goto out;
		}
		if (git_signature_new(out, name, email, (git_time_t)t, 0) < 0)
			goto bad;
	} else if (git_signature_now(out, name, email) < 0) {
		goto bad;
	}
	ret = 0;
	goto out;
bad:
	cf_err(CF_E_USAGE, "invalid %s identity: %s", who, gitmsg());
out:
	free(cname);
	free(cemail);
	return ret;
}

/* ---- the commit ---- */

static int backout_gives_base(struct gitops *g, const git_oid *tree_id, const char *patch,
			      size_t len)
{
	git_diff *diff = NULL;
	git_tree *tree = NULL;
	git_index *index = NULL;
	git_oid got;
	int ret = -1;

	if (git_tree_lookup(&tree, g->repo, tree_id) < 0 ||
	    git_diff_from_buffer(&diff, patch, len) < 0 ||
	    git_apply_to_tree(&index, g->repo, tree, diff, NULL) < 0 ||
	    git_index_write_tree_to(&got, index, g->repo) < 0) {
		cf_err(CF_E_EDIT, "the backout patch does not apply to the new tree: %s", gitmsg());
		goto out;
	}
	if (!git_oid_equal(&got, git_tree_id(g->base_tree))) {
		cf_err(CF_E_EDIT, "the backout patch does not give the base tree back");
		goto out;
	}
	ret = 0;
out:
	git_index_free(index);
	git_diff_free(diff);
	git_tree_free(tree);
	return ret;
}

int gitops_commit_branch(struct gitops *g, const char *branch, bool force,
			 const struct gitops_change *changes, size_t nchanges, const char *backout,
			 size_t backout_len, const char *backout_path, const char *message,
			 char id_out[41])
{
	git_tree_update *upd = xcalloc(nchanges + 1, sizeof(*upd));
	struct stat st;
	git_signature *author = NULL, *committer = NULL;
	git_tree *tree = NULL;
	git_reference *ref = NULL;
	git_oid tree_id, final_tree_id, commit_id;
	const git_commit *parents[1];
	struct sbuf refname = SBUF_INIT, logmsg = SBUF_INIT;
	size_t i;
	int ret = -1;

	if (gitops_check_branch(g, branch, force) < 0)
		goto out;
	if (identity(g->repo, "AUTHOR", &author) < 0 ||
	    identity(g->repo, "COMMITTER", &committer) < 0)
		goto out;
	for (i = 0; i < nchanges; i++) {
		upd[i].action = GIT_TREE_UPDATE_UPSERT;
		upd[i].filemode = changes[i].mode == GIT_FILEMODE_BLOB_EXECUTABLE
					  ? GIT_FILEMODE_BLOB_EXECUTABLE
					  : GIT_FILEMODE_BLOB;
		upd[i].path = changes[i].path;
		memcpy(upd[i].id.id, changes[i].id, GITOPS_ID_RAWSZ);
	}
	if (git_tree_create_updated(&tree_id, g->repo, g->base_tree, nchanges, upd) < 0) {
		cf_err(CF_E_WRITE, "cannot write the new tree: %s", gitmsg());
		goto out;
	}
	if (backout_gives_base(g, &tree_id, backout, backout_len) < 0)
		goto out;
	final_tree_id = tree_id;
	if (backout_path) {
		git_tree *t = NULL;
		git_tree_update bu;

		memset(&bu, 0, sizeof(bu));
		bu.action = GIT_TREE_UPDATE_UPSERT;
		bu.filemode = GIT_FILEMODE_BLOB;
		bu.path = backout_path;
		if (git_blob_create_from_buffer(&bu.id, g->repo, backout, backout_len) < 0 ||
		    git_tree_lookup(&t, g->repo, &tree_id) < 0 ||
		    git_tree_create_updated(&final_tree_id, g->repo, t, 1, &bu) < 0) {
			git_tree_free(t);
			cf_err(CF_E_WRITE, "%s: cannot add the backout patch: %s", backout_path,
			       gitmsg());
			goto out;
		}
		git_tree_free(t);
	}
	if (git_tree_lookup(&tree, g->repo, &final_tree_id) < 0) {
		cf_err(CF_E_WRITE, "cannot read the new tree: %s", gitmsg());
		goto out;
	}
	parents[0] = g->base;
	if (git_commit_create(&commit_id, g->repo, NULL, author, committer, "UTF-8", message, tree,
			      1, parents) < 0) {
		cf_err(CF_E_WRITE, "cannot write the commit: %s", gitmsg());
		goto out;
	}
	sbuf_addf(&refname, "refs/heads/%s", branch);
	sbuf_addf(&logmsg, "capfix: fix on top of %.12s", g->base_id);
	if (git_reference_create(&ref, g->repo, refname.buf, &commit_id, force, logmsg.buf) < 0) {
		struct sbuf lock = SBUF_INIT;

		/* libgit2 names the lock file but not why: it exists */
		sbuf_addf(&lock, "%s%s.lock", git_repository_commondir(g->repo), refname.buf);
		if (lstat(lock.buf, &st) == 0) {
			cf_err(CF_E_WRITE,
			       "cannot create branch '%s': its lock file %s exists (another git process is updating it, or one was killed: remove the file if none is running)",
			       branch, lock.buf);
			sbuf_release(&lock);
			goto out;
		}
		sbuf_release(&lock);
		cf_err(git_error_last() && git_error_last()->klass == GIT_ERROR_REFERENCE
			       ? CF_E_USAGE
			       : CF_E_WRITE,
		       "cannot create branch '%s': %s", branch, gitmsg());
		goto out;
	}
	git_oid_tostr(id_out, 41, &commit_id);
	ret = 0;
out:
	git_reference_free(ref);
	git_tree_free(tree);
	git_signature_free(author);
	git_signature_free(committer);
	sbuf_release(&refname);
	sbuf_release(&logmsg);
	free(upd);
	return ret;
}
