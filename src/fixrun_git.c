/*
 * fixrun_git.c - the run engine's git source and commit sink: the base
 * commit's blobs, fixed, as one commit on a branch (see fixrun.h).
 *
 * Memory: the blobs are listed without their bytes and fixed a window at a
 * time; each fixed text goes to the object database as soon as it is made
 * and is freed, so that a run holds the names, the notes and the backout
 * patch of the tree (once), not its texts (the backout check works on
 * trees).
 */
#include "fixrun_int.h"
#include "capfix/changelog.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/sig.h"

/* Blobs loaded and fixed at a time. */
#define GIT_WINDOW 64

/*
 * Fix the files [@from, @to) of @r: load their blobs, run the jobs, write
 * each fixed text as a blob (its id in @changes) and free the texts.
 * Returns 0, or -1 when a blob could not be written (cf_err() recorded).
 */
static int fix_window(struct run *r, struct gitops *g, struct gitops_file *files,
		      struct gitops_change *changes, struct sbuf *backout, size_t from, size_t to)
{
	struct run sub = *r;
	size_t i;
	int ret = 0;

	for (i = from; i < to; i++) {
		struct job *j = &r->jobs[i];

		if (files[i].chart_template)
			continue;
		if (gitops_file_load(g, &files[i]) < 0) {
			/* the job fails on its own: an empty blob with the reason */
			j->outcome = FIXRUN_FAILED;
			j->sev = MSG_ERROR;
			j->why = xstrdup(cf_err_last()->msg);
			j->named = true;
			continue;
		}
		j->data = files[i].data;
		j->len = files[i].len;
	}
	sub.jobs = r->jobs + from;
	sub.n = to - from;
	fixrun_run_jobs(&sub);
	for (i = from; i < to; i++) {
		struct job *j = &r->jobs[i];

		if (!ret && j->outcome == FIXRUN_CHANGED &&
		    gitops_write_blob(g, j->path, j->res.out.buf ? j->res.out.buf : "",
				      j->res.out.len, changes[i].id) < 0)
			ret = -1;
		changes[i].path = j->path;
		changes[i].mode = j->mode;
		/* the backout patch, in path order, is kept whole (once) for the check */
		if (j->outcome == FIXRUN_CHANGED)
			sbuf_add(backout, sbuf_cstr(&j->back), j->back.len);
		sbuf_release(&j->back);
		/* the text is in the object database now: only the notes stay */
		sbuf_release(&j->res.out);
		j->data = NULL;
		j->len = 0;
		gitops_file_unload(&files[i]);
	}
	return ret;
}

int fixrun_git(const struct fixrun_opts *o, struct fixrun_commit *c, const char *const *paths,
	       size_t npaths, struct fixrun_totals *t)
{
	static const char *const dot[] = { "." };
	struct gitops *g = NULL;
	struct gitops_file *files = NULL;
	struct gitops_change *changes = NULL, *changed = NULL;
	struct changelog cl = CHANGELOG_INIT;
	struct sbuf backout = SBUF_INIT, msg = SBUF_INIT, pr = SBUF_INIT;
	char **rel = NULL;
	size_t nfiles = 0, nchanges = 0, i, nrel = npaths ? npaths : 1;
	struct run r;
	bool interrupted = false;
	int ret = -1, wrote = 0;

	memset(&r, 0, sizeof(r));
	c->created = false;
	c->id[0] = c->base_id[0] = '\0';
	if (gitops_open(&g, c->base) < 0 || gitops_check_branch(g, c->branch, c->force) < 0)
		goto out;
	snprintf(c->base_id, sizeof(c->base_id), "%s", gitops_base_id(g));
	if (c->backout_in_commit && gitops_check_new_path(g, c->backout_in_commit) < 0) {
		cf_err(CF_E_USAGE, "--backout-in-commit: %s", cf_err_last()->msg);
		goto out;
	}
	rel = xcalloc(nrel, sizeof(*rel));
	for (i = 0; i < nrel; i++)
		if (gitops_relpath(g, npaths ? paths[i] : dot[0], &rel[i]) < 0)
			goto out;
	if (gitops_list_lazy(g, (const char *const *)rel, nrel, &files, &nfiles) < 0)
		goto out;
	r.o = o;
	r.t = t;
	r.git = g;
	r.n = nfiles;
	r.jobs = xcalloc(nfiles ? nfiles : 1, sizeof(*r.jobs));
	changes = xcalloc(nfiles ? nfiles : 1, sizeof(*changes));
	for (i = 0; i < nfiles; i++) {
		r.jobs[i].path = files[i].path;
		r.jobs[i].chart_template = files[i].chart_template;
		r.jobs[i].mode = files[i].mode;
		fix_result_init(&r.jobs[i].res); /* the jobs of windows not run */
	}
	for (i = 0; i < nfiles && !wrote; i += GIT_WINDOW)
		wrote = fix_window(&r, g, files, changes, &backout, i,
				   nfiles - i < GIT_WINDOW ? nfiles : i + GIT_WINDOW);
	changed = xcalloc(nfiles ? nfiles : 1, sizeof(*changed));
	for (i = 0; i < nfiles; i++) {
		struct job *j = &r.jobs[i];

		interrupted |= j->outcome == FIXRUN_INTERRUPTED;
		if (j->outcome != FIXRUN_CHANGED)
			continue;
		changed[nchanges++] = changes[i];
		changelog_add_file(&cl, j->path, &j->res);
	}
	if (nchanges || wrote < 0) {
		changelog_message(&cl, c->base_id, c->backout_in_commit, &msg);
		if (wrote < 0 || interrupted || sig_pending() ||
		    gitops_commit_branch(g, c->branch, c->force, changed, nchanges, backout.buf,
					 backout.len, c->backout_in_commit, msg.buf, c->id) < 0) {
			struct sbuf why = SBUF_INIT;
			enum cf_err_class cls = wrote < 0 || !(interrupted || sig_pending())
							? cf_err_last()->cls
							: CF_E_WRITE;

			if (wrote == 0 && (interrupted || sig_pending()))
				sbuf_addstr(&why, "no branch created: interrupted by a signal");
			else
				sbuf_addf(&why, "no branch created: %s", cf_err_last()->msg);
			/* nothing was changed: the records say so, then the error */
			for (i = 0; i < nfiles; i++) {
				if (r.jobs[i].outcome == FIXRUN_CHANGED)
					r.jobs[i].outcome = FIXRUN_UNCHANGED;
				fixrun_deliver(&r, i);
			}
			cf_err(cls, "%s", why.buf);
			sbuf_release(&why);
			goto out;
		}
		c->created = true;
	}
	for (i = 0; i < nfiles; i++)
		fixrun_deliver(&r, i);
	if (c->created && o->backout)
		fixrun_write_backout_after(&r, &backout);
	if (c->created && c->summary) {
		changelog_summary(&cl, c->branch, c->base_id, c->id, c->backout_in_commit, &pr);
		if (fsutil_write_new(c->summary, pr.buf, pr.len) < 0)
			fixrun_run_message(&r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
	}
	ret = 0;
out:
	for (i = 0; i < r.n; i++)
		fixrun_job_release(&r.jobs[i]);
	free(r.jobs);
	for (i = 0; rel && i < nrel; i++)
		free(rel[i]);
	free(rel);
	free(changes);
	free(changed);
	gitops_files_free(files, nfiles);
	gitops_free(g);
	changelog_release(&cl);
	sbuf_release(&backout);
	sbuf_release(&msg);
	sbuf_release(&pr);
	return ret;
}
