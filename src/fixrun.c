#include "capfix/fixrun.h"
#include "capfix/changelog.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/helmchart.h"
#include "capfix/patch.h"
#include "capfix/pool.h"
#include "capfix/stream.h"
#include "capfix/walk.h"

#include <errno.h>
#include <sys/stat.h>

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* ---- one input ---- */

struct job {
	const char *path;
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
	struct sbuf *collect; /* check and diff with a backout patch: gathered here */
};

static void job_fail(struct job *j, enum fixrun_outcome oc, enum msg_severity sev, long line,
		     int col, const char *why)
{
	j->outcome = oc;
	j->sev = sev;
	j->line = line;
	j->col = col;
	free(j->why);
	j->why = xstrdup(why);
}

/* The last recorded error (whose message names the file) as @j's outcome. */
static void job_fail_err(struct job *j, enum fixrun_outcome oc)
{
	job_fail(j, oc, MSG_ERROR, 0, 0, cf_err_last()->msg);
	j->named = true;
}

/* The refusal of a transform as one message, the same for every source. */
static void transform_failed(struct job *j)
{
	const struct fix_result *res = &j->res;
	struct sbuf sb = SBUF_INIT;

	switch (res->status) {
	case FIX_TEMPLATE:
		sbuf_addf(&sb, "not valid YAML (%s); it looks like a Go/Helm template: skipped",
			  res->err.msg);
		job_fail(j, FIXRUN_FAILED, MSG_ERROR, res->err.line, res->err.col, sb.buf);
		break;
	case FIX_REFUSED:
		sbuf_addf(&sb, "left unchanged: %s", res->err.msg);
		job_fail(j, FIXRUN_FAILED, MSG_ERROR, 0, 0, sb.buf);
		break;
	default:
		job_fail(j, FIXRUN_FAILED, MSG_ERROR, res->err.line, res->err.col, res->err.msg);
		break;
	}
	sbuf_release(&sb);
}

/*
 * The Helm values blocks a chart's values.yaml at @path feeds into container
 * securityContexts, from the templates beside it: on disk, or in the base
 * commit's tree.
 */
static void chart_refs(const struct run *r, const char *path, struct helmchart_refs *refs)
{
	const char *slash = strrchr(path, '/');
	struct sbuf dir = SBUF_INIT;

	if (slash)
		sbuf_add(&dir, path, (size_t)(slash - path));
	if (!r->git) {
		if (!slash)
			sbuf_addstr(&dir, ".");
		if (helmchart_is_chart(dir.buf))
			helmchart_sc_refs(dir.buf, refs);
	} else {
		struct gitops_file *files = NULL;
		size_t n = 0, i, skip = dir.len ? dir.len + 1 : 0;
		const char *tpl;

		sbuf_addstr(&dir, dir.len ? "/templates" : "templates");
		tpl = dir.buf;
		if (gitops_list(r->git, &tpl, 1, &files, &n) == 0) {
			for (i = 0; i < n; i++)
				helmchart_scan_template(files[i].path + skip, files[i].data,
							files[i].len, refs);
		}
		cf_err_clear(); /* no templates/: not a chart */
		gitops_files_free(files, n);
	}
	sbuf_release(&dir);
}

static int transform(const struct run *r, struct job *j, size_t index, const char *buf,
		     size_t len)
{
	const struct fixrun_opts *o = r->o;
	bool json = ends_with(j->path, ".json");
	struct fix_opts fo = *o->fix;
	const char *slash;
	struct helmchart_refs refs = HELMCHART_REFS_INIT;
	int ret;

	if (o->transform)
		return o->transform(o->transform_ctx, index, j->path, buf, len, json, &j->res);
	fo.json = json;
	slash = strrchr(j->path, '/');
	if (strcmp(slash ? slash + 1 : j->path, "values.yaml"))
		return fix_buffer(&j->res, buf, len, &fo);
	chart_refs(r, j->path, &refs);
	if (refs.n)
		ret = fix_values(&j->res, buf, len, (const char *const *)refs.paths,
				 (const char *const *)refs.sources, refs.n, &fo);
	else
		ret = fix_buffer(&j->res, buf, len, &fo);
	helmchart_refs_release(&refs);
	return ret;
}

static void work(void *ctx, size_t i, void **scratch)
{
	struct run *r = ctx;
	const struct fixrun_opts *o = r->o;
	struct job *j = &r->jobs[i];
	const char *buf;
	size_t len;
	bool exec = j->mode == 0100755;

	(void)scratch;
	fix_result_init(&j->res);
	if (j->outcome != FIXRUN_UNCHANGED)
		return; /* a walk problem, already described */
	if (j->chart_template) {
		job_fail(j, FIXRUN_SKIPPED, MSG_WARNING, 0, 0,
			 "skipped: Helm chart template (fix the rendered output or the chart's values)");
		return;
	}
	if (r->git) {
		buf = j->data;
		len = j->len;
		if (len > o->max_size) {
			struct sbuf sb = SBUF_INIT;

			sbuf_addf(&sb, "larger than %zu bytes", o->max_size);
			job_fail(j, FIXRUN_FAILED, MSG_ERROR, 0, 0, sb.buf);
			sbuf_release(&sb);
			return;
		}
	} else {
		struct stat st;

		if (fsutil_read(j->path, o->max_size, &j->text) < 0) {
			job_fail_err(j, FIXRUN_FAILED);
			return;
		}
		buf = j->text.buf ? j->text.buf : "";
		len = j->text.len;
		exec = stat(j->path, &st) == 0 && (st.st_mode & 0100);
	}
	if (transform(r, j, i, buf, len) < 0) {
		transform_failed(j);
		return;
	}
	if (!j->res.changed)
		return;
	j->outcome = FIXRUN_CHANGED;
	if (o->sink == FIXRUN_DIFF &&
	    patch_append(&j->patch, j->path, exec, buf, len, j->res.out.buf, j->res.out.len) < 0) {
		job_fail_err(j, FIXRUN_FAILED);
		return;
	}
	if ((o->backout || r->git) && patch_append(&j->back, j->path, exec, j->res.out.buf,
						   j->res.out.len, buf, len) < 0) {
		job_fail_err(j, FIXRUN_FAILED);
		return;
	}
	if (o->sink != FIXRUN_WRITE || r->git)
		return;
	if (r->defer) {
		j->pending = true; /* written by commit_pending() once the backout patch is */
		return;
	}
	if (fsutil_write_atomic(j->path, j->res.out.buf, j->res.out.len) < 0) {
		sbuf_setlen(&j->back, 0);
		job_fail_err(j, FIXRUN_WRITE_FAILED);
	}
}

static void deliver(struct run *r, size_t i)
{
	const struct fixrun_opts *o = r->o;
	struct fixrun_totals *t = r->t;
	struct job *j = &r->jobs[i];
	struct fixrun_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.path = j->path;
	rec.outcome = j->outcome;
	rec.res = &j->res;
	rec.sev = j->sev;
	rec.line = j->line;
	rec.col = j->col;
	rec.why = j->why;
	rec.named = j->named;
	rec.index = i;
	if (j->outcome == FIXRUN_CHANGED && o->sink == FIXRUN_DIFF) {
		rec.patch = j->patch.buf ? j->patch.buf : "";
		rec.patchlen = j->patch.len;
	}
	t->files += !j->walk_problem;
	switch (j->outcome) {
	case FIXRUN_SKIPPED:
		t->skipped_files += !j->walk_problem;
		break;
	case FIXRUN_FAILED:
		t->errors++;
		break;
	case FIXRUN_WRITE_FAILED:
		t->write_errors++;
		break;
	case FIXRUN_CHANGED:
		t->changed++;
		t->fixed += j->res.fixed;
		t->caps_added += j->res.caps_added;
		t->caps_removed += j->res.caps_removed;
		break;
	default:
		break;
	}
	if (j->outcome != FIXRUN_FAILED || j->res.nnotes) {
		t->containers += j->res.containers;
		t->already += j->res.already;
		t->skipped += j->res.skipped;
	}
	o->record(o->record_ctx, &rec);
}

static void job_release(struct job *j)
{
	fix_result_release(&j->res);
	sbuf_release(&j->text);
	sbuf_release(&j->patch);
	sbuf_release(&j->back);
	free(j->why);
	j->why = NULL;
}

static void done(void *ctx, size_t i)
{
	struct run *r = ctx;

	if (r->defer || r->git)
		return; /* delivered after the backout patch or the commit */
	if (r->collect)
		sbuf_add(r->collect, sbuf_cstr(&r->jobs[i].back), r->jobs[i].back.len);
	deliver(r, i);
	job_release(&r->jobs[i]);
}

/* A message about the run as a whole (a record without a path). */
static void run_message(const struct run *r, enum fixrun_outcome oc, const char *why)
{
	struct fixrun_record rec;
	struct fix_result empty;

	fix_result_init(&empty);
	memset(&rec, 0, sizeof(rec));
	rec.outcome = oc;
	rec.res = &empty;
	rec.sev = MSG_ERROR;
	rec.why = why;
	if (oc == FIXRUN_WRITE_FAILED)
		r->t->write_errors++;
	r->o->record(r->o->record_ctx, &rec);
}

static void backout_of(const struct run *r, struct sbuf *out)
{
	size_t i;

	sbuf_setlen(out, 0);
	for (i = 0; i < r->n; i++)
		sbuf_add(out, sbuf_cstr(&r->jobs[i].back), r->jobs[i].back.len);
}

/* Forget that @j would change its file. */
static void drop_change(struct job *j)
{
	j->pending = false;
	j->outcome = FIXRUN_UNCHANGED;
	sbuf_setlen(&j->back, 0);
	sbuf_release(&j->res.out);
	j->res.changed = false;
}

/*
 * In place with a backout patch: the files are written only after the
 * patch is, so that a patch that cannot be written leaves every file as it
 * was; a file that then cannot be written is left out of the patch (which
 * is written again), so that the patch always undoes exactly what was done.
 */
static void commit_pending(struct run *r)
{
	struct sbuf backout = SBUF_INIT, sb = SBUF_INIT;
	size_t i, failed = 0, left = 0;

	backout_of(r, &backout);
	if (fsutil_write_new(r->o->backout, backout.buf ? backout.buf : "", backout.len) < 0) {
		run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
		for (i = 0; i < r->n; i++) {
			left += r->jobs[i].pending;
			if (r->jobs[i].pending)
				drop_change(&r->jobs[i]);
		}
		sbuf_addf(&sb,
			  "no file was changed (%zu would have been): the backout patch could not be written",
			  left);
		run_message(r, FIXRUN_FAILED, sb.buf);
		r->t->errors--; /* the write error above is the one that counts */
		goto out;
	}
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (!j->pending)
			continue;
		j->pending = false;
		if (fsutil_write_atomic(j->path, j->res.out.buf, j->res.out.len) < 0) {
			drop_change(j);
			job_fail_err(j, FIXRUN_WRITE_FAILED);
			failed++;
		}
	}
	if (failed) {
		backout_of(r, &backout);
		if (fsutil_write_new(r->o->backout, backout.buf ? backout.buf : "", backout.len) <
		    0) {
			sbuf_addf(&sb,
				  "%s (it still holds the %zu %s that could not be written: edit them out before applying it)",
				  cf_err_last()->msg, failed, failed == 1 ? "file" : "files");
			run_message(r, FIXRUN_WRITE_FAILED, sb.buf);
		}
	}
out:
	sbuf_release(&backout);
	sbuf_release(&sb);
}

/* Run the jobs of @r on the pool, then the deferred steps; records in order. */
static void run_jobs(struct run *r)
{
	static const struct pool_ops ops = { work, done, NULL };
	const struct fixrun_opts *o = r->o;
	size_t i;

	r->defer = !r->git && o->sink == FIXRUN_WRITE && o->backout;
	pool_run(r->n, r->git ? 1 : o->jobs, &ops, r);
	if (r->git)
		return;
	if (r->defer)
		commit_pending(r);
	if (r->defer) {
		for (i = 0; i < r->n; i++) {
			deliver(r, i);
			job_release(&r->jobs[i]);
		}
	}
}

/* The backout patch written after the records (check, diff, a commit). */
static void write_backout_after(struct run *r, const struct sbuf *backout)
{
	if (fsutil_write_new(r->o->backout, backout->buf ? backout->buf : "", backout->len) < 0)
		run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
}

static int run_walk(const struct fixrun_opts *o, struct walk_result *wr, struct fixrun_totals *t)
{
	struct run r;
	size_t i, n = wr->nproblems + wr->nfiles, k = 0;
	struct sbuf backout = SBUF_INIT;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.t = t;
	r.jobs = xcalloc(n ? n : 1, sizeof(*r.jobs));
	/* walk problems first, as records of their own, then the files */
	for (i = 0; i < wr->nproblems; i++, k++) {
		struct job *j = &r.jobs[k];

		j->path = wr->problems[i].path;
		j->walk_problem = true;
		job_fail(j, wr->problems[i].error ? FIXRUN_FAILED : FIXRUN_SKIPPED,
			 wr->problems[i].error ? MSG_ERROR : MSG_WARNING, 0, 0,
			 wr->problems[i].msg);
	}
	for (i = 0; i < wr->nfiles; i++, k++) {
		r.jobs[k].path = wr->files[i].path;
		r.jobs[k].chart_template = wr->files[i].chart_template;
	}
	r.n = n;
	if (o->backout && o->sink != FIXRUN_WRITE)
		r.collect = &backout; /* the patch of what would be done */
	run_jobs(&r);
	if (r.collect)
		write_backout_after(&r, &backout);
	sbuf_release(&backout);
	free(r.jobs);
	return 0;
}

int fixrun_files(const struct fixrun_opts *o, const char *const *paths, size_t npaths,
		 struct fixrun_totals *t)
{
	static const char *const dot[] = { "." };
	struct walk_result wr = WALK_RESULT_INIT;
	int ret;

	if (npaths)
		walk_collect(&wr, paths, npaths);
	else
		walk_collect(&wr, dot, 1);
	ret = run_walk(o, &wr, t);
	walk_result_release(&wr);
	return ret;
}

int fixrun_file_list(const struct fixrun_opts *o, const char *const *paths, size_t npaths,
		     struct fixrun_totals *t)
{
	struct walk_result wr = WALK_RESULT_INIT;
	size_t i;
	int ret;

	for (i = 0; i < npaths; i++) {
		CF_ALLOC_GROW(wr.files, wr.nfiles + 1, wr.afiles);
		wr.files[wr.nfiles].path = xstrdup(paths[i]);
		wr.files[wr.nfiles].chart_template = false;
		wr.nfiles++;
	}
	ret = run_walk(o, &wr, t);
	walk_result_release(&wr);
	return ret;
}

/* ---- git: the base commit's blobs, one commit on a branch ---- */

int fixrun_git(const struct fixrun_opts *o, struct fixrun_commit *c, const char *const *paths,
	       size_t npaths, struct fixrun_totals *t)
{
	static const char *const dot[] = { "." };
	struct gitops *g = NULL;
	struct gitops_file *files = NULL;
	struct gitops_change *changes = NULL;
	struct changelog cl = CHANGELOG_INIT;
	struct sbuf backout = SBUF_INIT, msg = SBUF_INIT, pr = SBUF_INIT;
	char **rel = NULL;
	size_t nfiles = 0, nchanges = 0, i, nrel = npaths ? npaths : 1;
	struct run r;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	c->created = false;
	c->id[0] = c->base_id[0] = '\0';
	if (gitops_open(&g, c->base) < 0 || gitops_check_branch(g, c->branch, c->force) < 0)
		goto out;
	snprintf(c->base_id, sizeof(c->base_id), "%s", gitops_base_id(g));
	if (c->backout_in_commit && (!c->backout_in_commit[0] || c->backout_in_commit[0] == '/')) {
		cf_err(CF_E_USAGE,
		       "--backout-in-commit takes a path inside the repository, relative to its root");
		goto out;
	}
	rel = xcalloc(nrel, sizeof(*rel));
	for (i = 0; i < nrel; i++)
		if (gitops_relpath(g, npaths ? paths[i] : dot[0], &rel[i]) < 0)
			goto out;
	if (gitops_list(g, (const char *const *)rel, nrel, &files, &nfiles) < 0)
		goto out;
	r.o = o;
	r.t = t;
	r.git = g;
	r.n = nfiles;
	r.jobs = xcalloc(nfiles ? nfiles : 1, sizeof(*r.jobs));
	for (i = 0; i < nfiles; i++) {
		r.jobs[i].path = files[i].path;
		r.jobs[i].chart_template = files[i].chart_template;
		r.jobs[i].data = files[i].data;
		r.jobs[i].len = files[i].len;
		r.jobs[i].mode = files[i].mode;
	}
	run_jobs(&r);
	changes = xcalloc(nfiles ? nfiles : 1, sizeof(*changes));
	for (i = 0; i < nfiles; i++) {
		struct job *j = &r.jobs[i];

		if (j->outcome != FIXRUN_CHANGED)
			continue;
		sbuf_add(&backout, sbuf_cstr(&j->back), j->back.len);
		changes[nchanges].path = j->path;
		changes[nchanges].mode = j->mode;
		changes[nchanges].data = j->res.out.buf;
		changes[nchanges].len = j->res.out.len;
		nchanges++;
		changelog_add_file(&cl, j->path, &j->res);
	}
	if (nchanges) {
		changelog_message(&cl, c->base_id, c->backout_in_commit, &msg);
		if (gitops_commit_branch(g, c->branch, c->force, changes, nchanges, backout.buf,
					 backout.len, c->backout_in_commit, msg.buf, c->id) < 0) {
			struct sbuf why = SBUF_INIT;
			enum cf_err_class cls = cf_err_last()->cls;

			sbuf_addf(&why, "no branch created: %s", cf_err_last()->msg);
			/* nothing was changed: the records say so, then the error */
			for (i = 0; i < nfiles; i++) {
				if (r.jobs[i].outcome == FIXRUN_CHANGED)
					r.jobs[i].outcome = FIXRUN_UNCHANGED;
				deliver(&r, i);
			}
			cf_err(cls, "%s", why.buf);
			sbuf_release(&why);
			goto out;
		}
		c->created = true;
	}
	for (i = 0; i < nfiles; i++)
		deliver(&r, i);
	if (c->created && o->backout)
		write_backout_after(&r, &backout);
	if (c->created && c->summary) {
		changelog_summary(&cl, c->branch, c->base_id, c->id, c->backout_in_commit, &pr);
		if (fsutil_write_new(c->summary, pr.buf, pr.len) < 0)
			run_message(&r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
	}
	ret = 0;
out:
	for (i = 0; i < r.n; i++)
		job_release(&r.jobs[i]);
	free(r.jobs);
	for (i = 0; rel && i < nrel; i++)
		free(rel[i]);
	free(rel);
	free(changes);
	gitops_files_free(files, nfiles);
	gitops_free(g);
	changelog_release(&cl);
	sbuf_release(&backout);
	sbuf_release(&msg);
	sbuf_release(&pr);
	return ret;
}

/* ---- streams: documents in batches, fixed in parallel, written in order ---- */

/*
 * A batch holds at most STREAM_BATCH_DOCS documents or about
 * STREAM_BATCH_BYTES bytes, which bounds the memory in flight.
 */
#define STREAM_BATCH_DOCS 512
#define STREAM_BATCH_BYTES (2u << 20)

struct sjob {
	struct sbuf piece;
	size_t line0;
	struct fix_result res;
	int rc;
};

struct sbatch {
	const struct fixrun_opts *o;
	struct fixrun_totals *t;
	const char *name;
	FILE *out;
	bool json;
	struct sjob *jobs;
	size_t n, alloc, bytes, index;
	struct sbuf *all_old, *all_new;
};

static void stream_work(void *ctx, size_t i, void **scratch)
{
	struct sbatch *sb = ctx;
	struct sjob *j = &sb->jobs[i];
	const struct fixrun_opts *o = sb->o;

	(void)scratch;
	fix_result_init(&j->res);
	if (j->piece.len > o->max_size)
		return;
	if (o->transform) {
		j->rc = o->transform(o->transform_ctx, sb->index + i, sb->name, j->piece.buf,
				     j->piece.len, sb->json, &j->res);
	} else {
		struct fix_opts fo = *o->fix;

		fo.json = sb->json;
		j->rc = fix_buffer(&j->res, j->piece.buf, j->piece.len, &fo);
	}
}

static void stream_done(void *ctx, size_t i)
{
	struct sbatch *sb = ctx;
	struct sjob *j = &sb->jobs[i];
	const struct fixrun_opts *o = sb->o;
	struct fixrun_totals *t = sb->t;
	struct fix_result *res = &j->res;
	struct fixrun_record rec;
	struct sbuf why = SBUF_INIT;
	const char *out;
	size_t outlen;

	memset(&rec, 0, sizeof(rec));
	rec.path = sb->name;
	rec.line0 = (long)j->line0;
	rec.res = res;
	rec.index = sb->index + i;
	t->files++;
	if (j->piece.len > o->max_size) {
		t->errors++;
		sbuf_addf(&why, "document larger than %zu bytes: passed through unchanged",
			  o->max_size);
		rec.outcome = FIXRUN_FAILED;
		rec.sev = MSG_ERROR;
		rec.line = 1;
		rec.col = 1;
		rec.why = why.buf;
	} else if (j->rc < 0) {
		t->errors++;
		sbuf_addf(&why, "%s%s", res->err.msg,
			  res->status == FIX_TEMPLATE ? " (a Go/Helm template?)" : "");
		rec.outcome = FIXRUN_FAILED;
		rec.sev = MSG_ERROR;
		rec.line = res->err.line;
		rec.col = res->err.col;
		rec.why = why.buf;
	} else if (res->changed) {
		rec.outcome = FIXRUN_CHANGED;
		t->changed++;
		t->fixed += res->fixed;
		t->caps_added += res->caps_added;
		t->caps_removed += res->caps_removed;
	}
	t->containers += res->containers;
	t->already += res->already;
	t->skipped += res->skipped;
	o->record(o->record_ctx, &rec);
	out = res->changed ? res->out.buf : j->piece.buf;
	outlen = res->changed ? res->out.len : j->piece.len;
	if (o->sink == FIXRUN_DIFF || o->backout) {
		/* a patch needs context across documents: keep both texts whole */
		sbuf_add(sb->all_old, j->piece.buf, j->piece.len);
		sbuf_add(sb->all_new, out, outlen);
	}
	if (o->sink == FIXRUN_WRITE && outlen && fwrite(out, 1, outlen, sb->out) != outlen)
		t->write_errors++;
	fix_result_release(res);
	sbuf_release(&why);
}

/* Fix and deliver the documents collected so far; the batch is empty afterwards. */
static void stream_flush(struct sbatch *sb)
{
	static const struct pool_ops ops = { stream_work, stream_done, NULL };
	size_t i;

	pool_run(sb->n, sb->o->jobs, &ops, sb);
	for (i = 0; i < sb->n; i++) {
		/* keep small buffers for the next batch, not a huge document's */
		if (sb->jobs[i].piece.alloc > (1u << 20))
			sbuf_release(&sb->jobs[i].piece);
		else
			sbuf_setlen(&sb->jobs[i].piece, 0);
	}
	sb->index += sb->n;
	sb->n = 0;
	sb->bytes = 0;
}

/* The slot for the next document (flushing a full batch first). */
static struct sjob *stream_slot(struct sbatch *sb)
{
	if (sb->n == STREAM_BATCH_DOCS || sb->bytes >= STREAM_BATCH_BYTES)
		stream_flush(sb);
	if (sb->n == sb->alloc) {
		size_t old = sb->alloc;

		CF_ALLOC_GROW(sb->jobs, sb->n + 1, sb->alloc);
		memset(sb->jobs + old, 0, (sb->alloc - old) * sizeof(*sb->jobs));
	}
	return &sb->jobs[sb->n];
}

static void stream_message(struct sbatch *sb, long line, const char *why)
{
	struct fixrun_record rec;
	struct fix_result empty;

	fix_result_init(&empty);
	memset(&rec, 0, sizeof(rec));
	rec.path = line ? sb->name : NULL; /* without a place: about the run */
	rec.outcome = FIXRUN_FAILED;
	rec.res = &empty;
	rec.sev = MSG_ERROR;
	rec.line = line;
	rec.col = line ? 1 : 0;
	rec.why = why;
	sb->o->record(sb->o->record_ctx, &rec);
}

int fixrun_stream(const struct fixrun_opts *o, const char *name, FILE *in, FILE *out,
		  struct fixrun_totals *t)
{
	struct stream_split ds = STREAM_SPLIT_INIT;
	struct sbuf all_old = SBUF_INIT, all_new = SBUF_INIT, patch = SBUF_INIT, why = SBUF_INIT;
	struct sbatch sb;
	char *buf = xmalloc(65536);
	size_t i;
	bool eof = false;

	memset(&sb, 0, sizeof(sb));
	sb.o = o;
	sb.t = t;
	sb.name = name;
	sb.out = out;
	sb.json = ends_with(name, ".json");
	sb.all_old = &all_old;
	sb.all_new = &all_new;
	while (!eof) {
		size_t n = fread(buf, 1, 65536, in);

		if (n)
			stream_feed(&ds, buf, n);
		if (n < 65536) {
			if (ferror(in)) {
				sbuf_setlen(&why, 0);
				sbuf_addf(&why, "reading standard input: %s", strerror(errno));
				stream_message(&sb, 0, why.buf);
				t->errors++;
			}
			eof = true;
		}
		for (;;) {
			struct sjob *j = stream_slot(&sb);

			if (!stream_next(&ds, &j->piece, &j->line0, eof))
				break;
			sb.bytes += j->piece.len;
			sb.n++;
		}
		if (!eof && ds.pending.len > o->max_size + 65536) {
			stream_flush(&sb);
			/* a document without end in sight: pass the rest through unchanged */
			sbuf_setlen(&why, 0);
			sbuf_addf(&why, "document larger than %zu bytes: passed through unchanged",
				  o->max_size);
			stream_message(&sb, (long)ds.line + 1, why.buf);
			t->errors++;
			if (o->sink == FIXRUN_WRITE)
				fwrite(ds.pending.buf, 1, ds.pending.len, out);
			while ((n = fread(buf, 1, 65536, in)) > 0)
				if (o->sink == FIXRUN_WRITE)
					fwrite(buf, 1, n, out);
			eof = true;
			sbuf_setlen(&ds.pending, 0);
		}
	}
	stream_flush(&sb);
	if (o->sink == FIXRUN_DIFF) {
		if (patch_append(&patch, name, false, all_old.buf ? all_old.buf : "", all_old.len,
				 all_new.buf ? all_new.buf : "", all_new.len) < 0) {
			stream_message(&sb, 0, cf_err_last()->msg);
			t->write_errors++;
		}
		fwrite(patch.buf ? patch.buf : "", 1, patch.len, out);
		sbuf_setlen(&patch, 0);
	}
	if (o->backout) {
		if (patch_append(&patch, name, false, all_new.buf ? all_new.buf : "", all_new.len,
				 all_old.buf ? all_old.buf : "", all_old.len) < 0 ||
		    fsutil_write_new(o->backout, patch.buf ? patch.buf : "", patch.len) < 0) {
			stream_message(&sb, 0, cf_err_last()->msg);
			t->write_errors++;
		}
	}
	stream_release(&ds);
	for (i = 0; i < sb.alloc; i++)
		sbuf_release(&sb.jobs[i].piece);
	free(sb.jobs);
	free(buf);
	sbuf_release(&all_old);
	sbuf_release(&all_new);
	sbuf_release(&patch);
	sbuf_release(&why);
	return 0;
}
