/*
 * changelog.h - what a fix changed, as a commit message and as a Markdown
 * pull-request body.
 *
 * Ownership: a struct changelog owns copies of everything added to it;
 * release it with changelog_release(). Rendering appends to a caller's
 * buffer and can't fail.
 */
#ifndef CAPFIX_CHANGELOG_H
#define CAPFIX_CHANGELOG_H

#include "capfix/fix.h"
#include "capfix/sbuf.h"

struct changelog_entry {
	char *path, *object, *container, *detail;
};

struct changelog {
	struct changelog_entry *entries; /* one per changed container */
	size_t nentries, aentries;
	char **left_alone; /* "path:line:col: message" of containers left alone */
	size_t nleft, aleft;
	size_t files;
	size_t added, removed; /* capabilities added to / removed from add lists */
	size_t unknown; /* containers fixed without evidence about their image (warned) */
};

#define CHANGELOG_INIT                                                                             \
	{                                                                                          \
		0                                                                                  \
	}

/* Record the changes (and warnings) of one changed file. Can't fail. */
void changelog_add_file(struct changelog *cl, const char *path, const struct fix_result *res);

/*
 * The commit message: subject, the changed containers per file with what
 * was dropped, added, kept or removed and why, the controls addressed, how
 * to back out. @backout_path is the patch stored in the commit, or NULL.
 */
void changelog_message(const struct changelog *cl, const char *base_id, const char *backout_path,
		       struct sbuf *out);

/* The pull-request body (Markdown): a table of workloads, changes, reasons. */
void changelog_summary(const struct changelog *cl, const char *branch, const char *base_id,
		       const char *commit_id, const char *backout_path, struct sbuf *out);

void changelog_release(struct changelog *cl);

#endif
