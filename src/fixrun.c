#include "fixrun_int.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/helmchart.h"
#include "capfix/patch.h"
#include "capfix/pool.h"
#include "capfix/walk.h"

#include <errno.h>
#include <sys/stat.h>

bool fixrun_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

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
	bool json = fixrun_ends_with(j->path, ".json");
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

void fixrun_deliver(struct run *r, size_t i)
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

void fixrun_job_release(struct job *j)
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
	fixrun_deliver(r, i);
	fixrun_job_release(&r->jobs[i]);
}

/* A message about the run as a whole (a record without a path). */
void fixrun_run_message(const struct run *r, enum fixrun_outcome oc, const char *why)
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
		fixrun_run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
		for (i = 0; i < r->n; i++) {
			left += r->jobs[i].pending;
			if (r->jobs[i].pending)
				drop_change(&r->jobs[i]);
		}
		sbuf_addf(&sb,
			  "no file was changed (%zu would have been): the backout patch could not be written",
			  left);
		fixrun_run_message(r, FIXRUN_FAILED, sb.buf);
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
			fixrun_run_message(r, FIXRUN_WRITE_FAILED, sb.buf);
		}
	}
out:
	sbuf_release(&backout);
	sbuf_release(&sb);
}

/* Run the jobs of @r on the pool, then the deferred steps; records in order. */
void fixrun_run_jobs(struct run *r)
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
			fixrun_deliver(r, i);
			fixrun_job_release(&r->jobs[i]);
		}
	}
}

/* The backout patch written after the records (check, diff, a commit). */
void fixrun_write_backout_after(struct run *r, const struct sbuf *backout)
{
	if (fsutil_write_new(r->o->backout, backout->buf ? backout->buf : "", backout->len) < 0)
		fixrun_run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
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
	fixrun_run_jobs(&r);
	if (r.collect)
		fixrun_write_backout_after(&r, &backout);
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

