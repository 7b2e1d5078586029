/*
 * fixrun.h - the run engine: where the bytes come from, what is done to
 * them, where they go.
 *
 * Sources: the files found below PATHs on disk (walk.h), the blobs of a git
 * commit (gitops.h, `fix --branch`), the documents of a stream (`fix -`).
 * Transform: the capability fix (fix_buffer(), or the Helm values blocks of
 * a chart's values.yaml: the engine decides which, in one place for every
 * source), or a caller's transform (`policy pss --write` sets Namespace
 * labels, `policy` gathers workloads).
 * Sinks: in place (atomic replacement; with a backout patch the patch is
 * written first and the files after, and a file that cannot be written is
 * left out of it), check (nothing written), diff (a patch per file), one
 * commit on a branch, the fixed stream.
 *
 * The path of a file's bytes, in place: walk (sorted, no symbolic links) ->
 * fsutil_read_beneath() on a worker (directories below the root opened
 * without following links; device, inode, size and times remembered) ->
 * transform (parse, plan, edit, re-parse and verify) -> patch text (diff,
 * backout) -> fsutil_replace_beneath() (refused when the file changed since
 * it was read; owner, mode, extended attributes and ACLs carried over) ->
 * record to the caller, in walk order on the calling thread.
 *
 * With a backout patch (in place only), the patch file is created before
 * any file is replaced, and each file's reverse patch is appended right
 * after that file is replaced, in walk order: the patch always undoes
 * exactly the files written. If capfix is killed (SIGKILL) the file being
 * replaced at that moment may be fixed without its entry: it is the one
 * after the patch's last entry in walk order. On SIGINT, SIGTERM or SIGHUP
 * (sig.h) no further file is replaced and the patch stays exact.
 *
 * Patches name files relative to the current directory (normalised: no
 * "./", "..", or doubled slashes): a root outside it cannot be named and is
 * refused for --diff and --backout (CF_E_USAGE).
 *
 * The engine never prints. Every input (file, blob, stream document) becomes
 * one struct fixrun_record handed to the caller's record callback, on the
 * calling thread, in input order; a message that concerns the run as a
 * whole (a backout patch that cannot be written) is a record without a path.
 * Counts are summed in a struct fixrun_totals.
 *
 * Failure: the entry points return 0 when the run happened (problems with
 * single inputs are in the records and the totals), or -1 with cf_err()
 * recorded when it could not start (not a git repository, a bad branch
 * name...). Nothing is written for an input whose transform failed.
 */
#ifndef CAPFIX_FIXRUN_H
#define CAPFIX_FIXRUN_H

#include "capfix/fix.h"
#include "capfix/msg.h"

struct ignore;

enum fixrun_sink {
	FIXRUN_WRITE, /* replace the files in place */
	FIXRUN_CHECK, /* write nothing */
	FIXRUN_DIFF, /* write nothing; each record carries its patch */
};

enum fixrun_outcome {
	FIXRUN_UNCHANGED, /* processed, nothing to change */
	FIXRUN_CHANGED, /* changed (or would be, with check and diff) */
	FIXRUN_SKIPPED, /* left out on purpose (a chart template, a symbolic link): see why;
			   a data file that does not parse and does not look like a manifest
			   (sniff.h) is skipped without a why */
	FIXRUN_FAILED, /* could not be read, parsed or verified: see why; left as it was */
	FIXRUN_WRITE_FAILED, /* the change could not be written: see why; left as it was */
	FIXRUN_INTERRUPTED, /* a signal came first (sig.h): not processed or not written */
};

struct fixrun_record {
	const char *path; /* the name in messages and patches; NULL: the run as a whole */
	long line0; /* added to every position below and in res (stream documents) */
	enum fixrun_outcome outcome;
	const struct fix_result *res; /* notes and counts; never NULL */
	/* why the input was skipped or failed (NULL otherwise), and where (line 0: no place) */
	enum msg_severity sev;
	long line;
	int col;
	const char *why;
	bool named; /* why already names the file (print it without the path) */
	const char *patch; /* FIXRUN_DIFF: this input's patch, else NULL */
	size_t patchlen;
	size_t index; /* the input's position, 0-based */
	size_t total; /* how many inputs the run has (0: not known, a stream) */
	size_t bytes; /* the input's size in bytes (0 when it was not read) */
};

/*
 * A transform instead of the fix: like fix_buffer(), fills @res (already
 * initialised) and returns 0, or -1 with res->status and res->err set.
 * Called on worker threads (one input each) unless jobs is 1.
 */
typedef int (*fixrun_transform_fn)(void *ctx, size_t index, const char *path, const char *buf,
				   size_t len, bool json, struct fix_result *res);
typedef void (*fixrun_record_fn)(void *ctx, const struct fixrun_record *rec);

struct fixrun_opts {
	enum fixrun_sink sink;
	const struct fix_opts *fix; /* the fix's options (json is set per input) */
	fixrun_transform_fn transform; /* NULL: the fix */
	void *transform_ctx;
	fixrun_record_fn record; /* required */
	void *record_ctx;
	const char *backout; /* also write the reverse patch to this file, or NULL */
	size_t max_size; /* larger inputs are refused */
	int jobs; /* worker threads (1: all on the calling thread) */
	bool break_hard_links; /* replace files with more than one link (else refused) */
	const struct ignore *ignore; /* paths the walk leaves out (ignore.h), or NULL */
};

struct fixrun_totals {
	size_t files; /* inputs (files, blobs or documents) */
	size_t changed, containers, fixed, already, skipped, skipped_files, errors, write_errors,
		caps_added, caps_removed;
	size_t interrupted; /* inputs not processed or not written because of a signal */
	size_t temps_removed; /* temporary files of an interrupted run, removed */
};

/*
 * The files below @paths (@npaths; none: ".") on disk, to the sink of @o.
 * The records come in walk order.
 */
int fixrun_files(const struct fixrun_opts *o, const char *const *paths, size_t npaths,
		 struct fixrun_totals *t);

/* Exactly the files @paths (no directories walked), in the order given. */
int fixrun_file_list(const struct fixrun_opts *o, const char *const *paths, size_t npaths,
		     struct fixrun_totals *t);

struct fixrun_commit {
	const char *branch; /* refs/heads/NAME to create */
	const char *base; /* the commit to fix (NULL: HEAD) */
	bool force; /* replace an existing branch */
	const char *backout_in_commit; /* also store the backout patch at this path, or NULL */
	const char *summary; /* write a Markdown pull-request body to this file, or NULL */
	/* out */
	bool created; /* false: nothing to fix, no commit, no branch */
	char id[41], base_id[41];
};

/*
 * The base commit's blobs at or below @paths (relative to the current
 * directory; none: "."), fixed and committed on a branch as @c says; the
 * work tree, the index and HEAD are not touched. @o->sink is ignored;
 * @o->backout, when set, is written after the commit.
 */
int fixrun_git(const struct fixrun_opts *o, struct fixrun_commit *c, const char *const *paths,
	       size_t npaths, struct fixrun_totals *t);

/*
 * The multi-document stream @in, in batches of documents fixed in
 * parallel, each record's positions offset by its document's line. With
 * FIXRUN_WRITE the fixed stream goes to @out (unchanged documents
 * verbatim); with FIXRUN_DIFF one patch of the whole stream goes to @out at
 * the end; @name is the stream's name in records and patches.
 */
int fixrun_stream(const struct fixrun_opts *o, const char *name, FILE *in, FILE *out,
		  struct fixrun_totals *t);

#endif
