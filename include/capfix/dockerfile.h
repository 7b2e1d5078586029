/*
 * dockerfile.h - the facts of a Dockerfile that capability rules need: the
 * image a stage starts from and the user it runs as.
 *
 * The text is read as Dockerfile instructions: comments and blank lines
 * skipped, lines joined at a trailing backslash, heredoc bodies (RUN <<EOF)
 * skipped, keywords in any case. `ARG` before the first `FROM` declares
 * global defaults used in `FROM` (`$NAME`, `${NAME}`, `${NAME:-word}`,
 * `${NAME:+word}`); `FROM x AS name` names a stage, and a later `FROM name`
 * starts from that stage: its base image and its USER carry over. `USER`
 * values are substituted with the ARG and ENV values known at that point.
 *
 * Ownership: a struct dockerfile_stage owns its strings; release it with
 * dockerfile_stage_release(). Nothing prints or exits.
 */
#ifndef CAPFIX_DOCKERFILE_H
#define CAPFIX_DOCKERFILE_H

#include "capfix/compat.h"

struct dockerfile_stage {
	char *image; /* the external image the stage starts from (stages followed), e.g.
		      * "nginx:1.27-alpine" or "scratch"; NULL when there is no FROM */
	char *user; /* the USER in effect at the stage's end (inherited through FROM
		     * <stage>), as written after substitution: "app", "1000:1000";
		     * NULL when no USER: the base image's user applies */
	char *name; /* the stage's AS name, or NULL */
	bool image_known; /* every variable in the FROM line had a value */
	int from_line, user_line; /* 1-based lines of the FROM and the USER (0: none) */
};

#define DOCKERFILE_STAGE_INIT                                                                      \
	{                                                                                          \
		NULL, NULL, NULL, false, 0, 0                                                      \
	}

/*
 * The stage named @target (case-insensitive), or the final stage when
 * @target is NULL or "", of Dockerfile text @text (@len bytes), into @out.
 * Returns 0, or -1 when there is no FROM or no stage of that name (@out
 * then holds nothing).
 */
int dockerfile_stage(const char *text, size_t len, const char *target,
		     struct dockerfile_stage *out);

/* The final stage: dockerfile_stage(text, len, NULL, out). */
int dockerfile_final_stage(const char *text, size_t len, struct dockerfile_stage *out);

/*
 * Read the Dockerfile of a build: @context (a directory) and @dockerfile
 * (relative to the context, or absolute; NULL = "Dockerfile"), then as
 * dockerfile_stage(). Returns 0, or -1 when it can't be read (CF_E_INPUT
 * recorded) or has no such stage. Files over 4 MiB are refused. A context
 * that is a URL (git or http) is not read: -1.
 */
int dockerfile_read(const char *context, const char *dockerfile, const char *target,
		    struct dockerfile_stage *out);

/* Is @user ("0", "root", "0:0", "root:staff", " root ") root? NULL is not. */
bool dockerfile_user_is_root(const char *user);

void dockerfile_stage_release(struct dockerfile_stage *st);

#endif
