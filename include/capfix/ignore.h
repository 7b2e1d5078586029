/*
 * ignore.h - which paths the walk leaves out: --exclude globs, a
 * .capfixignore file, and what git ignores.
 *
 * Patterns follow gitignore's syntax: `*`, `?` and `[...]` within a path
 * component, `**` across components, a pattern without a slash (a trailing
 * one aside) matches a name at any depth, a pattern with one is anchored to
 * the directory the rules belong to (the current directory for --exclude
 * and ./.capfixignore), a trailing `/` matches directories only, `!`
 * re-includes, `#` starts a comment line. The last matching rule decides.
 *
 * What git ignores is asked of libgit2 (.gitignore files at every level,
 * .git/info/exclude, core.excludesFile) when the current directory is in a
 * work tree; libgit2 is only initialised then.
 *
 * Ownership: a struct ignore owns its patterns and the repository handle;
 * release it with ignore_release(). Paths given to ignore_path() are
 * relative to the current directory (a leading "./" is fine) or absolute.
 */
#ifndef CAPFIX_IGNORE_H
#define CAPFIX_IGNORE_H

#include "capfix/compat.h"

struct ignore_rule {
	char *pattern; /* without '!', leading '/' or trailing '/' */
	bool negate, dir_only, anchored;
};

struct ignore {
	struct ignore_rule *rules;
	size_t nrules, arules;
	void *repo; /* git_repository *, or NULL */
	char *prefix; /* the current directory relative to the work tree ("" or "dir/") */
	char *cwd; /* the current directory, resolved (for absolute paths) */
};

#define IGNORE_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL                                                       \
	}

/* Add one rule in gitignore syntax (blank lines and comments are nothing). Can't fail. */
void ignore_add(struct ignore *ig, const char *pattern);

/*
 * Add the rules of the file @path (gitignore syntax), when it exists. It
 * must be a regular file. Returns 0 (read, or absent), or -1 with CF_E_USAGE
 * (a link or anything else, or unreadable).
 */
int ignore_add_file(struct ignore *ig, const char *path);

/*
 * Also leave out what git ignores, when the current directory is inside a
 * work tree. Returns 0 (in a repository or not). Can't fail usefully: a
 * repository libgit2 cannot open is treated as none.
 */
int ignore_use_git(struct ignore *ig);

/* Is @path (a directory when @dir) left out? */
bool ignore_path(const struct ignore *ig, const char *path, bool dir);

/* True when nothing would ever be left out (no rules, no repository). */
bool ignore_empty(const struct ignore *ig);

void ignore_release(struct ignore *ig);

#endif
