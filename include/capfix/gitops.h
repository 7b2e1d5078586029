/*
 * gitops.h - a fix as one commit on a branch, without touching the work
 * tree, the index or HEAD (libgit2).
 *
 * The files come from a base commit's tree (default HEAD), not from the
 * work tree, so a dirty checkout is fine and stays as it is. The new commit
 * has the base as its only parent; before its ref is created, the backout
 * patch is applied to the new tree in memory and must give the base tree
 * back.
 *
 * Ownership: a struct gitops owns the repository handle and the base
 * commit; free it with gitops_free(). Lists returned by gitops_list() are
 * the caller's (gitops_files_free()). Errors are recorded with cf_err():
 * CF_E_USAGE for what the user can correct (not a repository, bare
 * repository, a repository owned by someone else, no commits, bad
 * revision, bad or existing branch, a branch checked out in a work tree,
 * path outside the repository, a bad path for the backout patch, no
 * identity), CF_E_WRITE for failures writing objects or refs (a locked
 * ref names its lock file), CF_E_EDIT when the backout check fails.
 *
 * Memory: gitops_list_lazy() gives paths and blob ids only; the caller
 * loads one blob at a time (gitops_file_load()) and writes each fixed text
 * to the object database as it comes (gitops_write_blob()), so that a run
 * holds the names, ids and backout patch of the tree, not its texts.
 */
#ifndef CAPFIX_GITOPS_H
#define CAPFIX_GITOPS_H

#include "capfix/compat.h"

struct gitops;

/*
 * Initialise libgit2 once (thread-safe; patch_append() and gitops_open() do
 * it when needed) and shut it down at exit if it was. Can't fail usefully.
 */
void gitops_lib_init(void);
void gitops_lib_shutdown(void);

#define GITOPS_ID_RAWSZ 20 /* a SHA-1 object id */

struct gitops_file {
	char *path; /* relative to the repository root */
	unsigned mode; /* git file mode: 0100644 or 0100755 */
	char *data; /* the blob's bytes (NUL-terminated for convenience), NULL: not loaded */
	size_t len;
	unsigned char id[GITOPS_ID_RAWSZ]; /* the blob */
	bool chart_template; /* below templates/ beside a Chart.yaml or values.yaml */
};

struct gitops_change {
	const char *path; /* relative to the repository root */
	unsigned mode;
	unsigned char id[GITOPS_ID_RAWSZ]; /* the new blob (gitops_write_blob()) */
};

/*
 * Open the repository holding the current directory and resolve @base_rev
 * (NULL: "HEAD") to a commit. Returns 0 and sets *out, or -1.
 */
int gitops_open(struct gitops **out, const char *base_rev);

/* Free @g (NULL is fine). */
void gitops_free(struct gitops *g);

/* The base commit's id in hex (borrowed, 40 characters). */
const char *gitops_base_id(const struct gitops *g);

/*
 * The repository-relative form of @arg, a path relative to the current
 * directory ("" for the root, no trailing '/'). Returns 0 and a string the
 * caller frees, or -1 when @arg is outside the repository's work tree.
 */
int gitops_relpath(const struct gitops *g, const char *arg, char **out);

/*
 * The *.yaml, *.yml and *.json blobs of the base tree at or below the
 * repository-relative @paths (@npaths; "" is the whole tree), sorted by
 * path, with their contents. Symbolic links and submodules are left out. A
 * path that is not in the base tree is an error. Returns 0, or -1.
 */
int gitops_list(struct gitops *g, const char *const *paths, size_t npaths, struct gitops_file **out,
		size_t *nout);
void gitops_files_free(struct gitops_file *files, size_t n);

/* The same list without the bytes (data NULL, len 0): load them one by one. */
int gitops_list_lazy(struct gitops *g, const char *const *paths, size_t npaths,
		     struct gitops_file **out, size_t *nout);

/* Read @f's blob into f->data and f->len (already there: nothing). Returns 0, or -1. */
int gitops_file_load(struct gitops *g, struct gitops_file *f);

/* Free f->data (f->data NULL, f->len 0 afterwards). Can't fail. */
void gitops_file_unload(struct gitops_file *f);

/*
 * Write @len bytes of @data as a blob (for @path, in messages) and give its
 * id in @id. Returns 0, or -1 with CF_E_WRITE.
 */
int gitops_write_blob(struct gitops *g, const char *path, const char *data, size_t len,
		      unsigned char id[GITOPS_ID_RAWSZ]);

/*
 * Check that @path may hold a new file in the commit (the backout patch):
 * relative to the root, no empty, ".", ".." or ".git" component, no
 * leading or trailing '/', not a file or directory of the base tree (the
 * fix only changes files of the base tree, so neither of the new one), not
 * below a file of it. Returns 0, or -1 with CF_E_USAGE.
 */
int gitops_check_new_path(struct gitops *g, const char *path);

/*
 * Check that @branch makes a valid "refs/heads/@branch", that it is not
 * checked out in the main work tree or a linked one (moving it would leave
 * that checkout's index and files behind its HEAD; --force does not
 * change this), and, unless @force, that it does not exist yet. Returns 0,
 * or -1 with CF_E_USAGE naming the work tree.
 */
int gitops_check_branch(struct gitops *g, const char *branch, bool force);

/*
 * Write @changes (blobs already written) as a commit on refs/heads/@branch
 * whose parent is the base: tree, in-memory check that @backout (a patch undoing the changes,
 * paths relative to the root) turns the new tree back into the base tree,
 * then the optional file @backout_path holding the patch, the commit and
 * the ref (replaced only with @force). Author and committer come from
 * GIT_AUTHOR_* / GIT_COMMITTER_*, else git config user.name/user.email;
 * SOURCE_DATE_EPOCH pins their time. On success writes the commit id (hex,
 * NUL-terminated) to @id_out and returns 0; on failure no ref is created.
 */
int gitops_commit_branch(struct gitops *g, const char *branch, bool force,
			 const struct gitops_change *changes, size_t nchanges, const char *backout,
			 size_t backout_len, const char *backout_path, const char *message,
			 char id_out[41]);

#endif
