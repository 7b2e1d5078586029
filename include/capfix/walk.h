/*
 * walk.h - deterministic discovery of manifest files.
 *
 * Each root is a file (taken as it is, whatever its extension) or a
 * directory, walked recursively for *.yaml, *.yml and *.json in byte order of
 * names, skipping `.git`. Symbolic links are never followed while walking (so
 * the walk never leaves the tree and never loops); a root that is a symbolic
 * link is reported and skipped, since capfix writes files in place and would
 * replace the link.
 *
 * Ownership: a struct walk_result owns its strings; release it with
 * walk_result_release().
 */
#ifndef CAPFIX_WALK_H
#define CAPFIX_WALK_H

#include "capfix/compat.h"

struct walk_file {
	char *path; /* as given, joined with '/' below a root */
	/*
	 * The first @trusted bytes of @path are the root as given (or the
	 * directory of a file named as a root): links there were the user's
	 * choice. The rest was found by the walk and must be opened without
	 * following links (fsutil_read_beneath()).
	 */
	size_t trusted;
	bool chart_template; /* below templates/ beside a Chart.yaml or values.yaml */
};

struct walk_problem {
	char *path;
	char *msg;
	bool error; /* an error (the path could not be read) or a note (skipped) */
};

struct walk_result {
	struct walk_file *files;
	size_t nfiles, afiles;
	struct walk_problem *problems;
	size_t nproblems, aproblems;
	/* temporary files an interrupted run left (fsutil_is_temp_name()), to remove */
	struct walk_file *temps;
	size_t ntemps, atemps;
	size_t excluded; /* files and directories left out by the ignore rules */
};

#define WALK_RESULT_INIT                                                                           \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, 0                                              \
	}

/*
 * Collect the files below @roots (@nroots paths) into @out, in order: roots
 * in the order given, files below each root sorted. Paths that do not exist
 * or cannot be read become problems; the walk goes on. This function can't
 * fail.
 */
void walk_collect(struct walk_result *out, const char *const *roots, size_t nroots);

struct ignore;

/*
 * walk_collect(), leaving out what @ig (ignore.h) excludes: a directory
 * left out is not entered; a file named as a root is left out too when it,
 * or a directory on its way, is excluded. @ig may be NULL.
 */
void walk_collect_ignoring(struct walk_result *out, const char *const *roots, size_t nroots,
			   const struct ignore *ig);

/* True when @name ends in .yaml, .yml or .json. */
bool walk_is_manifest_name(const char *name);

void walk_result_release(struct walk_result *res);

#endif
