/*
 * fixrun_git.c - the run engine's git source and commit sink: the base
 * commit's blobs, fixed, as one commit on a branch (see fixrun.h).
 */
#include "fixrun_int.h"
#include "capfix/changelog.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"

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
	fixrun_run_jobs(&r);
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
	gitops_files_free(files, nfiles);
	gitops_free(g);
	changelog_release(&cl);
	sbuf_release(&backout);
	sbuf_release(&msg);
	sbuf_release(&pr);
	return ret;
}

