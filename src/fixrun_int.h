/*
 * fixrun_int.h - what the run engine's sources share (fixrun.c: files on
 * disk; fixrun_git.c: a commit's blobs). Private to the engine.
 */
#ifndef CAPFIX_FIXRUN_INT_H
#define CAPFIX_FIXRUN_INT_H

#include "capfix/fixrun.h"
#include "capfix/fsutil.h"

struct gitops;

/* One input: a file or a blob. */
struct job {
	const char *path;
	size_t trusted; /* disk: bytes of path resolved as given (walk.h) */
	char *pname; /* disk: the name in patches (normalised), NULL: path */
	struct fsutil_stamp stamp; /* disk: the file as it was read */
	bool chart_template;
	const char *data; /* git: the blob; disk: read by the worker into text */
	size_t len;
	unsigned mode; /* git: the blob's mode */
	struct sbuf text; /* disk: the file's bytes (kept for the patches) */
	struct fix_result res;
	enum fixrun_outcome outcome;
	enum msg_severity sev;
	long line;
	int col;
	char *why;
	bool named; /* why names the file itself (an error recorded by fsutil or patch) */
	struct sbuf patch; /* FIXRUN_DIFF */
	struct sbuf back; /* the backout patch of this input */
	bool pending; /* in place with a backout: the write is due */
	bool walk_problem; /* not a file: a path the walk could not take */
};

/* One run over files or blobs. */
struct run {
	const struct fixrun_opts *o;
	struct fixrun_totals *t;
	struct job *jobs;
	size_t n;
	struct gitops *git; /* the git source, or NULL */
	bool defer; /* in place with a backout patch: write after the patch */
};

/* Run the jobs of @r on the pool, then the deferred steps; records in order. */
void fixrun_run_jobs(struct run *r);
/* Hand job @i's record to the caller and add it to the totals. */
void fixrun_deliver(struct run *r, size_t i);
void fixrun_job_release(struct job *j);
/* A message about the run as a whole (a record without a path). */
void fixrun_run_message(const struct run *r, enum fixrun_outcome oc, const char *why);
/* The backout patch written after the records (check, diff, a commit). */
void fixrun_write_backout_after(struct run *r, const struct sbuf *backout);
bool fixrun_ends_with(const char *s, const char *suffix);

#endif
