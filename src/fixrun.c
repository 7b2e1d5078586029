/* realpath() */
#define _XOPEN_SOURCE 700

#include "fixrun_int.h"
#include "capfix/err.h"
#include "capfix/fixsplit.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/helmchart.h"
#include "capfix/helmvalues.h"
#include "capfix/patch.h"
#include "capfix/pool.h"
#include "capfix/walk.h"

#include "capfix/sig.h"
#include "capfix/sniff.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int transform(const struct run *r, struct job *j, size_t index, const char *buf, size_t len)
{
	const struct fixrun_opts *o = r->o;
	bool json = fixrun_ends_with(j->path, ".json");
	struct fix_opts fo = *o->fix;
	const char *slash;
	char dir[4096];
	struct helmchart_refs refs = HELMCHART_REFS_INIT;
	int ret;

	if (o->transform)
		return o->transform(o->transform_ctx, index, j->path, buf, len, json, &j->res);
	fo.json = json;
	slash = strrchr(j->path, '/');
	/* compose: the .env and build contexts beside a file on disk (fix.h) */
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - j->path) + (slash == j->path) : 1,
		 slash ? j->path : ".");
	fo.path = j->path;
	fo.dir = r->git ? NULL : dir;
	if (strcmp(slash ? slash + 1 : j->path, "values.yaml"))
		return fixsplit_buffer(&j->res, buf, len, &fo, FIXSPLIT_MIN_SIZE);
	chart_refs(r, j->path, &refs);
	if (refs.n)
		ret = helmvalues_fix(&j->res, buf, len, (const char *const *)refs.paths,
				     (const char *const *)refs.sources, refs.n, &fo);
	else
		ret = fix_buffer(&j->res, buf, len, &fo);
	/* securityContexts the templates render in a form capfix does not read: said, not guessed
	 */
	for (size_t i = 0; ret == 0 && i < refs.nunread; i++)
		fix_note_add(
			&j->res, FIX_NOTE_WARN, 1, 1,
			"%s:%d renders a container securityContext in a form capfix does not read (%s): check it by hand",
			refs.unread[i].source, refs.unread[i].line, refs.unread[i].text);
	helmchart_refs_release(&refs);
	return ret;
}

static void note_record(const struct run *r, const char *path, const char *why);

/* Forget that @j would change its file. */
static void drop_change(struct job *j)
{
	j->pending = false;
	j->outcome = FIXRUN_UNCHANGED;
	sbuf_setlen(&j->back, 0);
	sbuf_release(&j->res.out);
	j->res.changed = false;
}

/* Replace @j's file with its fixed text; on failure the change is dropped and said why. */
static bool replace(const struct run *r, struct job *j)
{
	enum cf_err_class cls;

	if (fsutil_replace_beneath(j->path, j->trusted, &j->stamp, j->res.out.buf, j->res.out.len,
				   r->o->break_hard_links ? FSUTIL_BREAK_HARD_LINKS : 0) == 0)
		return true;
	cls = cf_err_last()->cls;
	drop_change(j);
	if (cls == CF_E_INTERRUPTED)
		j->outcome = FIXRUN_INTERRUPTED;
	else
		job_fail_err(j, cls == CF_E_INPUT ? FIXRUN_FAILED : FIXRUN_WRITE_FAILED);
	return false;
}

static void work(void *ctx, size_t i, void **scratch)
{
	struct run *r = ctx;
	const struct fixrun_opts *o = r->o;
	struct job *j = &r->jobs[i];
	const char *buf, *pname;
	size_t len;
	bool exec = j->mode == 0100755;

	(void)scratch;
	fix_result_init(&j->res);
	if (j->outcome != FIXRUN_UNCHANGED)
		return; /* a walk problem, already described */
	if (sig_pending()) {
		j->outcome = FIXRUN_INTERRUPTED;
		return;
	}
	if (j->chart_template) {
		job_fail(
			j, FIXRUN_SKIPPED, MSG_WARNING, 0, 0,
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
		if (fsutil_read_beneath(j->path, j->trusted, o->max_size, &j->text, &j->stamp) <
		    0) {
			job_fail_err(j, FIXRUN_FAILED);
			return;
		}
		buf = j->text.buf ? j->text.buf : "";
		len = j->text.len;
		exec = j->stamp.mode & 0100;
	}
	if (transform(r, j, i, buf, len) < 0) {
		if (j->res.status == FIX_PARSE_ERROR && sniff_is_data(buf, len)) {
			/* JSON or YAML data, not a manifest: nothing for capfix, quietly */
			j->outcome = FIXRUN_SKIPPED;
			return;
		}
		transform_failed(j);
		return;
	}
	if (!j->res.changed)
		return;
	j->outcome = FIXRUN_CHANGED;
	pname = j->pname ? j->pname : j->path;
	if (o->sink == FIXRUN_DIFF &&
	    patch_append(&j->patch, pname, exec, buf, len, j->res.out.buf, j->res.out.len) < 0) {
		job_fail_err(j, FIXRUN_FAILED);
		return;
	}
	if ((o->backout || r->git) &&
	    patch_append(&j->back, pname, exec, j->res.out.buf, j->res.out.len, buf, len) < 0) {
		job_fail_err(j, FIXRUN_FAILED);
		return;
	}
	if (o->sink != FIXRUN_WRITE || r->git)
		return;
	if (r->defer) {
		j->pending = true; /* written by commit_pending(), its patch appended after */
		return;
	}
	replace(r, j);
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
	rec.total = r->n;
	rec.bytes = r->git ? j->len : j->text.len;
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
	case FIXRUN_INTERRUPTED:
		t->interrupted++;
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
	free(j->pname);
	j->pname = NULL;
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

/*
 * In place with a backout patch: the patch file is created before any file
 * is replaced (a patch that cannot be written leaves every file as it
 * was); each file's reverse patch is appended right after the file is
 * replaced, so the patch always undoes exactly the files written, whatever
 * fails or interrupts the run afterwards.
 */
static void commit_pending(struct run *r)
{
	struct sbuf sb = SBUF_INIT;
	size_t i, left = 0;
	bool stop = false;
	int fd;

	fd = open(r->o->backout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
	if (fd < 0) {
		cf_err(CF_E_WRITE, "%s: %s", r->o->backout, strerror(errno));
		fixrun_run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
		for (i = 0; i < r->n; i++) {
			left += r->jobs[i].pending;
			if (r->jobs[i].pending)
				drop_change(&r->jobs[i]);
		}
		sbuf_addf(
			&sb,
			"no file was changed (%zu would have been): the backout patch could not be written",
			left);
		fixrun_run_message(r, FIXRUN_FAILED, sb.buf);
		r->t->errors--; /* the write error above is the one that counts */
		sbuf_release(&sb);
		return;
	}
	for (i = 0; i < r->n; i++) {
		struct job *j = &r->jobs[i];

		if (!j->pending)
			continue;
		j->pending = false;
		if (stop || sig_pending()) {
			drop_change(j);
			j->outcome = FIXRUN_INTERRUPTED;
			continue;
		}
		if (!replace(r, j))
			continue;
		if (fsutil_write_fd(fd, j->back.buf ? j->back.buf : "", j->back.len) < 0) {
			sbuf_addf(
				&sb,
				"%s: %s: %s was fixed but is not in it; no further file was changed",
				r->o->backout, strerror(errno), j->pname ? j->pname : j->path);
			fixrun_run_message(r, FIXRUN_WRITE_FAILED, sb.buf);
			stop = true;
		}
	}
	if (close(fd) < 0) {
		sbuf_setlen(&sb, 0);
		sbuf_addf(&sb, "%s: %s", r->o->backout, strerror(errno));
		fixrun_run_message(r, FIXRUN_WRITE_FAILED, sb.buf);
	}
	/* stop: the files after the failed append were not written (not interrupted) */
	for (i = 0; stop && i < r->n; i++)
		if (r->jobs[i].outcome == FIXRUN_INTERRUPTED && !sig_pending())
			job_fail(&r->jobs[i], FIXRUN_WRITE_FAILED, MSG_ERROR, 0, 0,
				 "not written: the backout patch could not be extended");
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
	if (r->defer) {
		size_t pending = 0;

		for (i = 0; i < r->n; i++)
			pending += r->jobs[i].pending;
		if (pending)
			commit_pending(r);
		for (i = 0; i < r->n; i++) {
			fixrun_deliver(r, i);
			fixrun_job_release(&r->jobs[i]);
		}
		/* an empty patch is no patch (git apply refuses one): none is written */
		if (!pending)
			note_record(r, NULL, "nothing changed: no backout patch written");
	}
}

/* The backout patch written after the records (check, diff, a commit). */
void fixrun_write_backout_after(struct run *r, const struct sbuf *backout)
{
	if (fsutil_write_new(r->o->backout, backout->buf ? backout->buf : "", backout->len) < 0)
		fixrun_run_message(r, FIXRUN_WRITE_FAILED, cf_err_last()->msg);
}

/* A note about one path that is not an input (a temporary file removed). */
static void note_record(const struct run *r, const char *path, const char *why)
{
	struct fixrun_record rec;
	struct fix_result empty;

	fix_result_init(&empty);
	memset(&rec, 0, sizeof(rec));
	rec.path = path;
	rec.outcome = FIXRUN_UNCHANGED;
	rec.res = &empty;
	rec.sev = MSG_NOTE;
	rec.why = why;
	r->o->record(r->o->record_ctx, &rec);
}

/* Is the backout patch one of the inputs (it would replace it)? */
static bool backout_is_input(const struct fixrun_opts *o, const struct walk_result *wr)
{
	const char *bb = strrchr(o->backout, '/');
	struct stat bst, st;
	size_t i;

	bb = bb ? bb + 1 : o->backout;
	if (stat(o->backout, &bst) < 0 || !S_ISREG(bst.st_mode))
		return false;
	for (i = 0; i < wr->nfiles; i++) {
		const char *fb = strrchr(wr->files[i].path, '/');

		fb = fb ? fb + 1 : wr->files[i].path;
		if (!strcmp(fb, bb) && stat(wr->files[i].path, &st) == 0 &&
		    st.st_dev == bst.st_dev && st.st_ino == bst.st_ino)
			return true;
	}
	return false;
}

static int run_walk(const struct fixrun_opts *o, struct walk_result *wr, char **pnames,
		    struct fixrun_totals *t)
{
	struct run r;
	size_t i, n = wr->nproblems + wr->nfiles, k = 0;

	if (o->backout && o->sink != FIXRUN_WRITE)
		return cf_err(CF_E_USAGE,
			      "a backout patch needs the files written (not --check or --diff)");
	if (o->backout && backout_is_input(o, wr))
		return cf_err(
			CF_E_USAGE,
			"--backout %s names an input file: refused (the patch would replace it)",
			o->backout);
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.t = t;
	/* temporary files a killed run left: removed before anything is written */
	for (i = 0; o->sink == FIXRUN_WRITE && i < wr->ntemps; i++) {
		if (fsutil_remove_temp_beneath(wr->temps[i].path, wr->temps[i].trusted) == 0) {
			t->temps_removed++;
			note_record(&r, wr->temps[i].path,
				    "removed: a temporary file left by an interrupted capfix run");
		}
	}
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
		r.jobs[k].trusted = wr->files[i].trusted;
		r.jobs[k].chart_template = wr->files[i].chart_template;
		if (pnames) {
			r.jobs[k].pname = pnames[i];
			pnames[i] = NULL;
		}
	}
	r.n = n;
	fixrun_run_jobs(&r);
	free(r.jobs);
	return 0;
}

/*
 * Where the current directory really is (symbolic links resolved), for
 * patch names. NULL when it cannot be told.
 */
static char *cwd_real(void)
{
	return realpath(".", NULL);
}

/*
 * The name of @root in patches: relative to @cwd, normalised (links in the
 * root resolved, no "." or ".."); "" for the current directory itself.
 * Returns -1 when it is outside @cwd.
 */
static int root_patch_name(const char *cwd, const char *root, struct sbuf *out)
{
	struct stat st;
	struct sbuf dir = SBUF_INIT;
	const char *slash, *base = NULL;
	char *real;
	size_t n = strlen(cwd);
	int ret = -1;

	sbuf_setlen(out, 0);
	if (lstat(root, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* a file: its directory resolved, its own name kept (never followed) */
		slash = strrchr(root, '/');
		base = slash ? slash + 1 : root;
		if (slash)
			sbuf_add(&dir, root, slash == root ? 1 : (size_t)(slash - root));
		else
			sbuf_addstr(&dir, ".");
	} else {
		sbuf_addstr(&dir, root);
	}
	real = realpath(dir.buf, NULL);
	if (real && !strcmp(real, cwd)) {
		ret = 0;
	} else if (real && !strncmp(real, cwd, n) &&
		   (real[n] == '/' || (n == 1 && cwd[0] == '/'))) {
		sbuf_addstr(out, real + n + (real[n] == '/'));
		ret = 0;
	}
	if (!ret && base) {
		if (out->len)
			sbuf_addch(out, '/');
		sbuf_addstr(out, base);
	}
	free(real);
	sbuf_release(&dir);
	return ret;
}

/* Patch names for the files @from.. of @wr, all below the root @root (as typed). */
static void name_files(const struct walk_result *wr, size_t from, const char *root,
		       const struct sbuf *rootname, char **pnames)
{
	size_t i, rl = strlen(root);
	struct stat st;
	bool file_root = lstat(root, &st) == 0 && !S_ISDIR(st.st_mode);

	for (i = from; i < wr->nfiles; i++) {
		const char *rest = wr->files[i].path;
		struct sbuf sb = SBUF_INIT;

		if (file_root) {
			pnames[i] = xstrdup(rootname->buf ? rootname->buf : "");
			continue;
		}
		if (strcmp(root, ".")) {
			rest += rl;
			while (*rest == '/')
				rest++;
		}
		if (rootname->len)
			sbuf_addf(&sb, "%s/", rootname->buf);
		sbuf_addstr(&sb, rest);
		pnames[i] = sbuf_detach(&sb, NULL);
	}
}

int fixrun_files(const struct fixrun_opts *o, const char *const *paths, size_t npaths,
		 struct fixrun_totals *t)
{
	static const char *const dot[] = { "." };
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf rootname = SBUF_INIT;
	bool patches = o->sink == FIXRUN_DIFF || o->backout;
	char **pnames = NULL, *cwd = NULL;
	size_t i, alloc = 0;
	int ret = 0;

	if (!npaths) {
		paths = dot;
		npaths = 1;
	}
	if (patches && !(cwd = cwd_real())) {
		ret = cf_err(CF_E_SYSTEM, "cannot tell the current directory: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < npaths; i++) {
		size_t from = wr.nfiles;

		walk_collect_ignoring(&wr, &paths[i], 1, o->ignore);
		if (!patches)
			continue;
		if (root_patch_name(cwd, paths[i], &rootname) < 0) {
			ret = cf_err(
				CF_E_USAGE,
				"%s is outside the current directory: a patch could not name it (run capfix from a directory that holds it)",
				paths[i]);
			goto out;
		}
		if (wr.nfiles > alloc) {
			pnames = xrealloc(pnames, cf_st_mult(wr.afiles, sizeof(*pnames)));
			memset(pnames + alloc, 0, (wr.afiles - alloc) * sizeof(*pnames));
			alloc = wr.afiles;
		}
		name_files(&wr, from, paths[i], &rootname, pnames);
	}
	ret = run_walk(o, &wr, pnames, t);
out:
	for (i = 0; pnames && i < alloc; i++)
		free(pnames[i]);
	free(pnames);
	free(cwd);
	sbuf_release(&rootname);
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
		const char *slash = strrchr(paths[i], '/');

		CF_ALLOC_GROW(wr.files, wr.nfiles + 1, wr.afiles);
		wr.files[wr.nfiles].path = xstrdup(paths[i]);
		wr.files[wr.nfiles].trusted =
			slash ? (size_t)(slash - paths[i]) + (slash == paths[i]) : 0;
		wr.files[wr.nfiles].chart_template = false;
		wr.nfiles++;
	}
	ret = run_walk(o, &wr, NULL, t);
	walk_result_release(&wr);
	return ret;
}
