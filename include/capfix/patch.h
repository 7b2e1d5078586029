/*
 * patch.h - unified diffs in git's format (libgit2), for --diff and the
 * backout patch.
 *
 * The patches carry `diff --git a/P b/P` headers with P relative to the
 * directory capfix runs in, so they apply with `git apply` and `patch -p1`
 * from there. A backout patch is the same call with old and new swapped.
 */
#ifndef CAPFIX_PATCH_H
#define CAPFIX_PATCH_H

#include "capfix/sbuf.h"

/*
 * Append to @out the patch turning @old into @new for file @path (a leading
 * "./" is dropped); @executable marks the file's mode 100755 in the header.
 * Identical buffers append nothing. Returns 0, or -1 with CF_E_SYSTEM
 * recorded and @out unchanged.
 */
int patch_append(struct sbuf *out, const char *path, bool executable, const char *old,
		 size_t oldlen, const char *new, size_t newlen);

#endif
