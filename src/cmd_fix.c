/*
 * cmd_fix.c - `capfix fix`: options, calls into the core, rendering, exit code.
 */
#include "capfix/capcfg.h"
#include "capfix/changelog.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fix.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/helmchart.h"
#include "capfix/patch.h"
#include "capfix/pool.h"
#include "capfix/stream.h"
#include "capfix/walk.h"

#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

static const char fix_usage[] =
	"usage: capfix fix [options] [PATH...]\n"
	"\n"
	"Make every container of every pod-bearing Kubernetes object drop ALL\n"
	"capabilities (securityContext.capabilities.drop) and add back only what it\n"
	"needs (capabilities.add), editing the files in place and keeping every other\n"
	"byte. PATH is a file or a directory (walked for *.yaml, *.yml and *.json,\n"
	"sorted, skipping .git); the default is '.'. PATH '-' reads a multi-document\n"
	"stream on stdin and writes the fixed stream on stdout, in batches of documents\n"
	"(a Helm post-renderer: run as capfix-post-render, it means 'capfix fix -q -').\n"
	"\n"
	"options:\n"
	"  --diff            print a unified diff of the fix; write nothing\n"
	"  --check           write nothing; exit 1 when a file would change\n"
	"  --backout FILE    also write the reverse patch (undoes the fix) to FILE\n"
	"  --drop-only       only add ALL to drop; leave add lists as they are\n"
	"  --deny CAP,...    remove these capabilities from every add list\n"
	"  --strict          keep only adds that are inferred or allowed by the config\n"
	"  --config FILE     read allow/deny/add rules from FILE (default ./.capfix.yaml)\n"
	"  --no-config       ignore ./.capfix.yaml\n"
	"  --branch NAME     commit the fix of the base commit's files on branch NAME;\n"
	"                    the work tree, the index and HEAD are not touched\n"
	"  --base REV        the commit to fix with --branch (default HEAD)\n"
	"  --force           replace an existing --branch\n"
	"  --backout-in-commit PATH  also store the backout patch at PATH in the commit\n"
	"  --summary FILE    with --branch, write a Markdown pull-request body to FILE\n"
	"  --max-file-size SIZE  refuse larger files or stream documents (default 256M)\n"
	"  --stdin-name NAME the name of the '-' stream in messages and patches\n"
	"  -j, --jobs N      worker threads (default: the online CPUs, at most 8)\n"
	"  -q, --quiet       no per-file lines, only problems and the totals\n"
	"  -v, --verbose     also list each container fixed\n"
	"  -h, --help        show this help\n"
	"\n"
	"exit status: 0 done or nothing to do, 1 --check found changes, 2 usage error,\n"
	"3 some input could not be processed (the rest was), 4 a write failed.\n";

struct fix_cmd {
	bool diff, check, quiet, verbose;
	const char *backout;
	struct fix_opts fopts;
	/* totals */
	size_t files, changed, containers, fixed, already, skipped, skipped_files, errors,
		write_errors, caps_added, caps_removed;
	const char *config; /* --config FILE */
	const char *branch, *base, *backout_in_commit, *summary; /* --branch mode */
	bool force;
	size_t max_size; /* --max-file-size */
	int jobs; /* -j: worker threads */
	bool defer_writes; /* in place with --backout: write files after the patch */
	const char *stdin_name; /* --stdin-name: the stream's name in messages and patches */
	bool no_config;
	struct capcfg cfg;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Format the notes of @res: warnings, or the per-container story (CHANGE; INFO with -v). */
static void notes_to(struct sbuf *sb, const struct fix_cmd *c, const char *path,
		     const struct fix_result *res, bool warnings)
{
	size_t i;

	for (i = 0; i < res->nnotes; i++) {
		const struct fix_note *n = &res->notes[i];

		if (warnings != (n->level == FIX_NOTE_WARN))
			continue;
		if (n->level == FIX_NOTE_INFO && !c->verbose)
			continue;
		if (n->level != FIX_NOTE_WARN && c->quiet)
			continue;
		sbuf_addf(sb, "%s:%d:%d: %s: %s\n", path, n->line, n->col,
			  n->level == FIX_NOTE_WARN ? "warning" : "note", n->msg);
	}
}

/* Warnings go to stderr; the per-container story (CHANGE, and INFO with -v) to @out. */
static void print_notes(const struct fix_cmd *c, const char *path, const struct fix_result *res,
			bool warnings, FILE *out)
{
	struct sbuf sb = SBUF_INIT;

	notes_to(&sb, c, path, res, warnings);
	fputs(sbuf_cstr(&sb), warnings ? stderr : out);
	sbuf_release(&sb);
}

/*
 * fix_buffer(), except for a chart's values.yaml whose templates render
 * container securityContexts from it: then those values blocks are fixed.
 */
static int fix_file(const struct fix_opts *opts, const char *path, const struct sbuf *content,
		    struct fix_result *res)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct helmchart_refs refs = HELMCHART_REFS_INIT;
	struct sbuf dir = SBUF_INIT;
	int r;

	if (strcmp(base, "values.yaml"))
		return fix_buffer(res, content->buf ? content->buf : "", content->len, opts);
	if (slash)
		sbuf_add(&dir, path, (size_t)(slash - path));
	else
		sbuf_addstr(&dir, ".");
	if (helmchart_is_chart(dir.buf))
		helmchart_sc_refs(dir.buf, &refs);
	if (refs.n)
		r = fix_values(res, content->buf ? content->buf : "", content->len,
			       (const char *const *)refs.paths, (const char *const *)refs.sources,
			       refs.n, opts);
	else
		r = fix_buffer(res, content->buf ? content->buf : "", content->len, opts);
	helmchart_refs_release(&refs);
	sbuf_release(&dir);
	return r;
}

/* One file's work, done by any worker; printed in walk order by the main thread. */
struct file_job {
	const struct walk_file *wf;
	struct sbuf out; /* for the summary stream */
	struct sbuf err; /* for stderr */
	struct sbuf diff; /* for stdout with --diff */
	struct sbuf back; /* for the backout patch */
	struct sbuf newtext; /* with a deferred write: the fixed text, written by commit_job() */
	bool pending; /* a deferred write is due */
	size_t changed, fixed, containers, already, skipped, skipped_files, errors, write_errors,
		caps_added, caps_removed;
};

static void do_file(const struct fix_cmd *c, struct file_job *j, struct sbuf *content)
{
	struct fix_result res;
	struct fix_opts opts = c->fopts;
	const char *path = j->wf->path;

	if (j->wf->chart_template) {
		j->skipped_files++;
		sbuf_addf(
			&j->err,
			"%s: warning: skipped: Helm chart template (fix the rendered output or the chart's values)\n",
			path);
		return;
	}
	if (fsutil_read(path, c->max_size, content) < 0) {
		j->errors++;
		sbuf_addf(&j->err, "capfix: error: %s\n", cf_err_last()->msg);
		return;
	}
	fix_result_init(&res);
	opts.json = ends_with(path, ".json");
	if (fix_file(&opts, path, content, &res) < 0) {
		j->errors++;
		switch (res.status) {
		case FIX_TEMPLATE:
			sbuf_addf(
				&j->err,
				"%s:%d:%d: error: not valid YAML (%s); it looks like a Go/Helm template: skipped\n",
				path, res.err.line, res.err.col, res.err.msg);
			break;
		case FIX_REFUSED:
			sbuf_addf(&j->err, "%s: error: left unchanged: %s\n", path, res.err.msg);
			break;
		default:
			sbuf_addf(&j->err, "%s:%d:%d: error: %s\n", path, res.err.line, res.err.col,
				  res.err.msg);
			break;
		}
		notes_to(&j->err, c, path, &res, true);
		fix_result_release(&res);
		return;
	}
	notes_to(&j->err, c, path, &res, true);
	j->containers += res.containers;
	j->already += res.already;
	j->skipped += res.skipped;
	if (res.changed) {
		struct stat st;
		bool exec = stat(path, &st) == 0 && (st.st_mode & 0100);

		if (c->diff && patch_append(&j->diff, path, exec, content->buf, content->len,
					    res.out.buf, res.out.len) < 0) {
			j->errors++;
			sbuf_addf(&j->err, "capfix: error: %s\n", cf_err_last()->msg);
			goto out;
		}
		if (c->backout && patch_append(&j->back, path, exec, res.out.buf, res.out.len,
					       content->buf, content->len) < 0) {
			j->errors++;
			sbuf_addf(&j->err, "capfix: error: %s\n", cf_err_last()->msg);
			goto out;
		}
		if (c->defer_writes) {
			/* written by commit_job() once the backout patch is safe */
			struct sbuf tmp = j->newtext;

			j->newtext = res.out;
			res.out = tmp;
			j->pending = true;
		} else if (!c->diff && !c->check &&
			   fsutil_write_atomic(path, res.out.buf, res.out.len) < 0) {
			j->write_errors++;
			sbuf_setlen(&j->back, 0);
			sbuf_addf(&j->err, "capfix: error: %s\n", cf_err_last()->msg);
			goto out;
		}
		j->changed++;
		j->fixed += res.fixed;
		j->caps_added += res.caps_added;
		j->caps_removed += res.caps_removed;
		if (!c->quiet)
			sbuf_addf(&j->out, "%s %s (%zu %s)\n",
				  c->check || c->diff ? "would fix" : "fixed", path, res.fixed,
				  plural(res.fixed, "container", "containers"));
		notes_to(&j->out, c, path, &res, false);
	}
out:
	fix_result_release(&res);
}

/* The main thread: print a finished job and add its counts. */
static void flush_job(struct fix_cmd *c, struct file_job *j, struct sbuf *backout, FILE *summary)
{
	c->files++;
	fputs(sbuf_cstr(&j->err), stderr);
	fputs(sbuf_cstr(&j->out), summary);
	fwrite(sbuf_cstr(&j->diff), 1, j->diff.len, stdout);
	if (backout)
		sbuf_add(backout, sbuf_cstr(&j->back), j->back.len);
	c->changed += j->changed;
	c->fixed += j->fixed;
	c->containers += j->containers;
	c->already += j->already;
	c->skipped += j->skipped;
	c->skipped_files += j->skipped_files;
	c->errors += j->errors;
	c->write_errors += j->write_errors;
	c->caps_added += j->caps_added;
	c->caps_removed += j->caps_removed;
	sbuf_release(&j->err);
	sbuf_release(&j->out);
	sbuf_release(&j->diff);
	sbuf_release(&j->back);
	sbuf_release(&j->newtext);
}

/* Forget that job @j would change its file: counts, messages, patch. */
static void drop_change(struct file_job *j)
{
	j->pending = false;
	j->changed = j->fixed = j->caps_added = j->caps_removed = 0;
	sbuf_setlen(&j->out, 0);
	sbuf_setlen(&j->back, 0);
	sbuf_release(&j->newtext);
}

/* A deferred write: the file gets its fixed text, or the change is dropped with an error. */
static void commit_job(struct file_job *j)
{
	if (!j->pending)
		return;
	if (fsutil_write_atomic(j->wf->path, j->newtext.buf, j->newtext.len) < 0) {
		drop_change(j);
		j->write_errors++;
		sbuf_addf(&j->err, "capfix: error: %s\n", cf_err_last()->msg);
		return;
	}
	j->pending = false;
	sbuf_release(&j->newtext);
}

static void backout_of(const struct file_job *jobs, size_t n, struct sbuf *out)
{
	size_t i;

	sbuf_setlen(out, 0);
	for (i = 0; i < n; i++)
		sbuf_add(out, sbuf_cstr(&jobs[i].back), jobs[i].back.len);
}

/*
 * In place with --backout: the files are written only after the backout
 * patch is, so that a patch that cannot be written leaves every file as it
 * was; a file that then cannot be written is left out of the patch (which
 * is written again), so that the patch always undoes exactly what was done.
 */
static void commit_deferred(struct fix_cmd *c, struct file_job *jobs, size_t n,
			    struct sbuf *backout)
{
	size_t i, failed = 0;

	backout_of(jobs, n, backout);
	if (fsutil_write_new(c->backout, backout->buf ? backout->buf : "", backout->len) < 0) {
		size_t left = 0;

		c->write_errors++;
		fprintf(stderr, "capfix: error: %s\n", cf_err_last()->msg);
		for (i = 0; i < n; i++) {
			left += jobs[i].pending;
			drop_change(&jobs[i]);
		}
		fprintf(stderr,
			"capfix: error: no file was changed (%zu would have been): the backout patch could not be written\n",
			left);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t before = jobs[i].write_errors;

		commit_job(&jobs[i]);
		failed += jobs[i].write_errors > before;
	}
	if (!failed)
		return;
	backout_of(jobs, n, backout);
	if (fsutil_write_new(c->backout, backout->buf ? backout->buf : "", backout->len) < 0) {
		c->write_errors++;
		fprintf(stderr,
			"capfix: error: %s (it still holds the %zu %s that could not be written: edit them out before applying it)\n",
			cf_err_last()->msg, failed, plural(failed, "file", "files"));
	}
}

struct run_ctx {
	struct fix_cmd *c;
	struct file_job *jobs;
	struct sbuf *backout;
	FILE *summary;
};

static void run_work(void *ctx, size_t i, void **scratch)
{
	struct run_ctx *r = ctx;

	do_file(r->c, &r->jobs[i], sbuf_scratch(scratch));
}

static void run_done(void *ctx, size_t i)
{
	struct run_ctx *r = ctx;

	if (!r->c->defer_writes)
		flush_job(r->c, &r->jobs[i], r->backout, r->summary);
}

/*
 * Fix @nfiles files with @threads workers; output in walk order, whatever
 * order the workers finish in.
 */
static void run_files(struct fix_cmd *c, const struct walk_file *files, size_t nfiles,
		      struct sbuf *backout, FILE *summary, int threads)
{
	static const struct pool_ops ops = { run_work, run_done, sbuf_free };
	struct run_ctx r = { c, NULL, backout, summary };
	size_t i;

	r.jobs = xcalloc(nfiles ? nfiles : 1, sizeof(*r.jobs));
	for (i = 0; i < nfiles; i++)
		r.jobs[i].wf = &files[i];
	pool_run(nfiles, threads, &ops, &r);
	if (c->defer_writes) {
		commit_deferred(c, r.jobs, nfiles, backout);
		for (i = 0; i < nfiles; i++)
			flush_job(c, &r.jobs[i], NULL, summary);
	}
	free(r.jobs);
}

static int capfix_parse_deny(struct fix_cmd *c, const char *list)
{
	if (capcfg_parse_list(list, &c->fopts.deny) < 0) {
		fprintf(stderr, "capfix fix: error: --deny: %s\n", cf_err_last()->msg);
		return -1;
	}
	return 0;
}

/* Load --config FILE, or ./.capfix.yaml when present. Returns 0 or -1 (printed). */
static int load_config(struct fix_cmd *c)
{
	int r;

	if (c->no_config)
		return 0;
	r = capcfg_load_file(&c->cfg, c->config);
	if (r < 0)
		fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
	else if (r > 0)
		c->fopts.cfg = &c->cfg;
	return r < 0 ? -1 : 0;
}

static int parse_args(struct fix_cmd *c, int argc, char **argv)
{
	enum {
		OPT_DIFF = 256,
		OPT_CHECK,
		OPT_BACKOUT,
		OPT_DROP_ONLY,
		OPT_STRICT,
		OPT_DENY,
		OPT_CONFIG,
		OPT_NO_CONFIG,
		OPT_BRANCH,
		OPT_BASE,
		OPT_FORCE,
		OPT_BACKOUT_IN_COMMIT,
		OPT_SUMMARY,
		OPT_MAX_SIZE,
		OPT_STDIN_NAME
	};
	char *end;
	static const struct option longopts[] = {
		{ "diff", no_argument, NULL, OPT_DIFF },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "deny", required_argument, NULL, OPT_DENY },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "branch", required_argument, NULL, OPT_BRANCH },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "backout-in-commit", required_argument, NULL, OPT_BACKOUT_IN_COMMIT },
		{ "summary", required_argument, NULL, OPT_SUMMARY },
		{ "max-file-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "stdin-name", required_argument, NULL, OPT_STDIN_NAME },
		{ "jobs", required_argument, NULL, 'j' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "backout", required_argument, NULL, OPT_BACKOUT },
		{ "drop-only", no_argument, NULL, OPT_DROP_ONLY },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* glibc: full reset */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+qvhj:", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_DIFF:
			c->diff = true;
			break;
		case OPT_CHECK:
			c->check = true;
			break;
		case OPT_BACKOUT:
			c->backout = optarg;
			break;
		case OPT_DROP_ONLY:
			c->fopts.drop_only = true;
			break;
		case OPT_STRICT:
			c->fopts.strict = true;
			break;
		case OPT_DENY:
			if (capfix_parse_deny(c, optarg) < 0)
				return -1;
			break;
		case OPT_CONFIG:
			c->config = optarg;
			break;
		case OPT_NO_CONFIG:
			c->no_config = true;
			break;
		case OPT_BRANCH:
			c->branch = optarg;
			break;
		case OPT_BASE:
			c->base = optarg;
			break;
		case OPT_FORCE:
			c->force = true;
			break;
		case OPT_BACKOUT_IN_COMMIT:
			c->backout_in_commit = optarg;
			break;
		case OPT_SUMMARY:
			c->summary = optarg;
			break;
		case OPT_STDIN_NAME:
			c->stdin_name = optarg;
			break;
		case OPT_MAX_SIZE:
			if (fsutil_parse_size(optarg, &c->max_size) < 0) {
				fprintf(stderr, "capfix fix: error: --max-file-size: %s\n",
					cf_err_last()->msg);
				return -1;
			}
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'j':
			c->jobs = (int)strtol(optarg, &end, 10);
			if (*end || c->jobs < 1 || c->jobs > 16) {
				fprintf(stderr,
					"capfix fix: error: -j takes a number from 1 to 16\n");
				return -1;
			}
			break;
		case 'v':
			c->verbose = true;
			break;
		case 'h':
			fputs(fix_usage, stdout);
			return 1;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr,
					"capfix fix: error: unknown or incomplete option '-%c'\n",
					optopt);
			else
				fprintf(stderr,
					"capfix fix: error: unknown or incomplete option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "see 'capfix fix --help'\n");
			return -1;
		}
	}
	if (c->diff && c->check) {
		fprintf(stderr, "capfix fix: error: --diff and --check cannot be combined\n");
		return -1;
	}
	return 0;
}

static int exit_for_err(void)
{
	switch (cf_err_last()->cls) {
	case CF_E_USAGE:
		return CF_EXIT_USAGE;
	case CF_E_INPUT:
		return CF_EXIT_INPUT;
	default:
		return CF_EXIT_WRITE;
	}
}

/*
 * --branch: fix the base commit's files and commit them on a branch. The
 * work tree is only used to locate PATHs.
 */
static int run_branch(struct fix_cmd *c, int npaths, char **paths)
{
	struct gitops *g = NULL;
	struct gitops_file *files = NULL;
	struct gitops_change *changes = NULL;
	struct fix_result *results = NULL;
	struct changelog cl = CHANGELOG_INIT;
	struct sbuf backout = SBUF_INIT, msg = SBUF_INIT, pr = SBUF_INIT;
	char **rel = NULL;
	size_t nfiles = 0, nchanges = 0, i, nrel = npaths > 0 ? (size_t)npaths : 1;
	char id[41];
	int ret = CF_EXIT_OK;

	if (gitops_open(&g, c->base) < 0 || gitops_check_branch(g, c->branch, c->force) < 0) {
		fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
		ret = exit_for_err();
		goto out;
	}
	rel = xcalloc(nrel, sizeof(*rel));
	for (i = 0; i < nrel; i++) {
		if (gitops_relpath(g, npaths > 0 ? paths[i] : ".", &rel[i]) < 0) {
			fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
			ret = exit_for_err();
			goto out;
		}
	}
	if (c->backout_in_commit && (!c->backout_in_commit[0] || c->backout_in_commit[0] == '/')) {
		fprintf(stderr,
			"capfix fix: error: --backout-in-commit takes a path inside the repository, relative to its root\n");
		ret = CF_EXIT_USAGE;
		goto out;
	}
	if (gitops_list(g, (const char *const *)rel, nrel, &files, &nfiles) < 0) {
		fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
		ret = exit_for_err();
		goto out;
	}
	results = xcalloc(nfiles ? nfiles : 1, sizeof(*results));
	changes = xcalloc(nfiles ? nfiles : 1, sizeof(*changes));
	for (i = 0; i < nfiles; i++) {
		struct gitops_file *f = &files[i];
		struct fix_result *res = &results[i];

		fix_result_init(res);
		c->files++;
		if (f->chart_template) {
			c->skipped_files++;
			fprintf(stderr, "%s: warning: skipped: Helm chart template\n", f->path);
			continue;
		}
		c->fopts.json = ends_with(f->path, ".json");
		if (fix_buffer(res, f->data, f->len, &c->fopts) < 0) {
			c->errors++;
			fprintf(stderr, "%s:%d:%d: error: %s\n", f->path, res->err.line,
				res->err.col, res->err.msg);
			continue;
		}
		print_notes(c, f->path, res, true, stderr);
		c->containers += res->containers;
		c->already += res->already;
		c->skipped += res->skipped;
		if (!res->changed)
			continue;
		if (patch_append(&backout, f->path, f->mode == 0100755, res->out.buf, res->out.len,
				 f->data, f->len) < 0) {
			fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
			goto out;
		}
		changes[nchanges].path = f->path;
		changes[nchanges].mode = f->mode;
		changes[nchanges].data = res->out.buf;
		changes[nchanges].len = res->out.len;
		nchanges++;
		c->changed++;
		c->fixed += res->fixed;
		changelog_add_file(&cl, f->path, res);
	}
	if (!nchanges) {
		printf("capfix: nothing to fix in %zu %s of %.12s: no commit, no branch\n",
		       c->files, plural(c->files, "file", "files"), gitops_base_id(g));
		ret = c->errors ? CF_EXIT_INPUT : CF_EXIT_OK;
		goto out;
	}
	changelog_message(&cl, gitops_base_id(g), c->backout_in_commit, &msg);
	if (gitops_commit_branch(g, c->branch, c->force, changes, nchanges, backout.buf,
				 backout.len, c->backout_in_commit, msg.buf, id) < 0) {
		fprintf(stderr, "capfix fix: error: no branch created: %s\n", cf_err_last()->msg);
		ret = exit_for_err();
		goto out;
	}
	for (i = 0; i < nfiles && !c->quiet; i++) {
		if (!results[i].changed)
			continue;
		printf("fixed %s (%zu %s)\n", files[i].path, results[i].fixed,
		       plural(results[i].fixed, "container", "containers"));
		print_notes(c, files[i].path, &results[i], false, stdout);
	}
	printf("capfix: created branch %s at %.12s on top of %.12s: %zu %s, %zu %s\n", c->branch,
	       id, gitops_base_id(g), c->changed, plural(c->changed, "file", "files"), c->fixed,
	       plural(c->fixed, "container", "containers"));
	if (c->backout && fsutil_write_new(c->backout, backout.buf, backout.len) < 0) {
		fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
		ret = CF_EXIT_WRITE;
	}
	if (c->summary) {
		changelog_summary(&cl, c->branch, gitops_base_id(g), id, c->backout_in_commit, &pr);
		if (fsutil_write_new(c->summary, pr.buf, pr.len) < 0) {
			fprintf(stderr, "capfix fix: error: %s\n", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
		}
	}
	if (ret == CF_EXIT_OK && c->errors)
		ret = CF_EXIT_INPUT;
out:
	for (i = 0; results && i < nfiles; i++)
		fix_result_release(&results[i]);
	for (i = 0; rel && i < nrel; i++)
		free(rel[i]);
	free(rel);
	free(results);
	free(changes);
	gitops_files_free(files, nfiles);
	gitops_free(g);
	changelog_release(&cl);
	sbuf_release(&backout);
	sbuf_release(&msg);
	sbuf_release(&pr);
	return ret;
}

/*
 * The stream is fixed in batches of documents: the workers fix the
 * documents of a batch in parallel, the main thread prints them in order.
 * A batch holds at most STREAM_BATCH_DOCS documents or about
 * STREAM_BATCH_BYTES bytes, which bounds the memory in flight.
 */
#define STREAM_BATCH_DOCS 512
#define STREAM_BATCH_BYTES (2u << 20)

struct stream_job {
	struct sbuf piece;
	size_t line0;
	struct fix_result res;
	int rc; /* fix_buffer()'s */
};

struct stream_batch {
	struct fix_cmd *c;
	const char *name;
	struct stream_job *jobs;
	size_t n, alloc, bytes;
	struct sbuf *all_old, *all_new;
};

static void stream_work(void *ctx, size_t i, void **scratch)
{
	struct stream_batch *sb = ctx;
	struct stream_job *j = &sb->jobs[i];

	(void)scratch;
	fix_result_init(&j->res);
	if (j->piece.len <= sb->c->max_size)
		j->rc = fix_buffer(&j->res, j->piece.buf, j->piece.len, &sb->c->fopts);
}

/* Print one fixed document of a stream and count it (main thread, in order). */
static void stream_done(void *ctx, size_t i)
{
	struct stream_batch *sb = ctx;
	struct stream_job *j = &sb->jobs[i];
	struct fix_cmd *c = sb->c;
	struct fix_result *res = &j->res;
	const char *out, *name = sb->name;
	size_t outlen, k, line0 = j->line0;

	c->files++;
	if (j->piece.len > c->max_size) {
		c->errors++;
		fprintf(stderr,
			"%s:%zu:1: error: document larger than %zu bytes: passed through unchanged\n",
			name, line0 + 1, c->max_size);
	} else if (j->rc < 0) {
		c->errors++;
		fprintf(stderr, "%s:%zu:%d: error: %s%s\n", name, line0 + (size_t)res->err.line,
			res->err.col, res->err.msg,
			res->status == FIX_TEMPLATE ? " (a Go/Helm template?)" : "");
	}
	for (k = 0; k < res->nnotes; k++) {
		const struct fix_note *n = &res->notes[k];

		if ((n->level == FIX_NOTE_INFO && !c->verbose) ||
		    (n->level != FIX_NOTE_WARN && c->quiet))
			continue;
		fprintf(stderr, "%s:%zu:%d: %s: %s\n", name, line0 + (size_t)n->line, n->col,
			n->level == FIX_NOTE_WARN ? "warning" : "note", n->msg);
	}
	c->containers += res->containers;
	c->already += res->already;
	c->skipped += res->skipped;
	out = res->changed ? res->out.buf : j->piece.buf;
	outlen = res->changed ? res->out.len : j->piece.len;
	if (res->changed) {
		c->changed++;
		c->fixed += res->fixed;
		c->caps_added += res->caps_added;
		c->caps_removed += res->caps_removed;
	}
	if (c->diff || c->backout) {
		/* a patch needs context across documents: keep both texts whole */
		sbuf_add(sb->all_old, j->piece.buf, j->piece.len);
		sbuf_add(sb->all_new, out, outlen);
	}
	if (!c->diff && !c->check && outlen && fwrite(out, 1, outlen, stdout) != outlen)
		c->write_errors++;
	fix_result_release(res);
}

/* Fix and print the documents collected so far; the batch is empty afterwards. */
static void stream_flush(struct stream_batch *sb)
{
	static const struct pool_ops ops = { stream_work, stream_done, NULL };
	size_t i;

	pool_run(sb->n, sb->c->jobs, &ops, sb);
	for (i = 0; i < sb->n; i++) {
		/* keep small buffers for the next batch, not a huge document's */
		if (sb->jobs[i].piece.alloc > (1u << 20))
			sbuf_release(&sb->jobs[i].piece);
		else
			sbuf_setlen(&sb->jobs[i].piece, 0);
	}
	sb->n = 0;
	sb->bytes = 0;
}

/* The slot for the next document (flushing a full batch first). */
static struct stream_job *stream_slot(struct stream_batch *sb)
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

/* `capfix fix -`: the stream on stdin, in batches of documents, to stdout. */
static int run_stream(struct fix_cmd *c)
{
	struct stream_split ds = STREAM_SPLIT_INIT;
	struct sbuf all_old = SBUF_INIT, all_new = SBUF_INIT, patch = SBUF_INIT;
	const char *name = c->stdin_name ? c->stdin_name : "stdin.yaml";
	struct stream_batch sb;
	static char buf[65536];
	size_t i;
	bool eof = false;
	int ret;

	memset(&sb, 0, sizeof(sb));
	sb.c = c;
	sb.name = name;
	sb.all_old = &all_old;
	sb.all_new = &all_new;

	c->fopts.json = ends_with(name, ".json");
	while (!eof) {
		size_t n = fread(buf, 1, sizeof(buf), stdin);

		if (n)
			stream_feed(&ds, buf, n);
		if (n < sizeof(buf)) {
			if (ferror(stdin)) {
				fprintf(stderr, "capfix: error: reading standard input: %s\n",
					strerror(errno));
				c->errors++;
			}
			eof = true;
		}
		for (;;) {
			struct stream_job *j = stream_slot(&sb);

			if (!stream_next(&ds, &j->piece, &j->line0, eof))
				break;
			sb.bytes += j->piece.len;
			sb.n++;
		}
		if (!eof && ds.pending.len > c->max_size + 65536) {
			stream_flush(&sb);
			/* a document without end in sight: pass the rest through unchanged */
			fprintf(stderr,
				"%s:%zu:1: error: document larger than %zu bytes: passed through unchanged\n",
				name, ds.line + 1, c->max_size);
			c->errors++;
			if (!c->diff && !c->check)
				fwrite(ds.pending.buf, 1, ds.pending.len, stdout);
			while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
				if (!c->diff && !c->check)
					fwrite(buf, 1, n, stdout);
			eof = true;
			sbuf_setlen(&ds.pending, 0);
		}
	}
	stream_flush(&sb);
	if (c->diff) {
		if (patch_append(&patch, name, false, all_old.buf ? all_old.buf : "", all_old.len,
				 all_new.buf ? all_new.buf : "", all_new.len) < 0) {
			fprintf(stderr, "capfix: error: %s\n", cf_err_last()->msg);
			c->write_errors++;
		}
		fwrite(patch.buf ? patch.buf : "", 1, patch.len, stdout);
		sbuf_setlen(&patch, 0);
	}
	if (c->backout) {
		if (patch_append(&patch, name, false, all_new.buf ? all_new.buf : "", all_new.len,
				 all_old.buf ? all_old.buf : "", all_old.len) < 0 ||
		    fsutil_write_new(c->backout, patch.buf ? patch.buf : "", patch.len) < 0) {
			fprintf(stderr, "capfix: error: %s\n", cf_err_last()->msg);
			c->write_errors++;
		}
	}
	if (!c->quiet || c->errors)
		fprintf(stderr, "capfix: %zu %s, %zu %s, %zu %s %s, %zu left alone%s\n", c->files,
			plural(c->files, "document", "documents"), c->changed,
			c->check || c->diff ? "to change" : "changed", c->fixed,
			plural(c->fixed, "container", "containers"),
			c->check || c->diff ? "to fix" : "fixed", c->skipped,
			c->errors ? ", with errors" : "");
	if (c->write_errors)
		ret = CF_EXIT_WRITE;
	else if (c->errors)
		ret = CF_EXIT_INPUT;
	else if (c->check && c->changed)
		ret = CF_EXIT_CHANGES;
	else
		ret = CF_EXIT_OK;
	stream_release(&ds);
	for (i = 0; i < sb.alloc; i++)
		sbuf_release(&sb.jobs[i].piece);
	free(sb.jobs);
	sbuf_release(&all_old);
	sbuf_release(&all_new);
	sbuf_release(&patch);
	return ret;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_cmd c;
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf content = SBUF_INIT, backout = SBUF_INIT;
	const char *dot[] = { "." };
	FILE *summary;
	size_t i;
	int r, ret;

	memset(&c, 0, sizeof(c));
	c.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	c.jobs = pool_default_threads(8);
	r = parse_args(&c, argc, argv);
	if (r)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (c.fopts.drop_only && (c.fopts.strict || c.fopts.deny || c.config)) {
		fprintf(stderr,
			"capfix fix: error: --drop-only leaves add lists alone; it cannot be combined with --strict, --deny or --config\n");
		return CF_EXIT_USAGE;
	}
	if (load_config(&c) < 0) {
		capcfg_release(&c.cfg);
		return CF_EXIT_USAGE;
	}
	if (!c.branch && (c.base || c.force || c.backout_in_commit || c.summary)) {
		fprintf(stderr,
			"capfix fix: error: --base, --force, --backout-in-commit and --summary need --branch\n");
		capcfg_release(&c.cfg);
		return CF_EXIT_USAGE;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "-"))
			continue;
		if (argc - optind != 1 || c.branch) {
			fprintf(stderr,
				"capfix fix: error: '-' (a stream on stdin) must be the only PATH, without --branch\n");
			capcfg_release(&c.cfg);
			return CF_EXIT_USAGE;
		}
		ret = run_stream(&c);
		capcfg_release(&c.cfg);
		return ret;
	}
	if (c.branch) {
		if (c.diff || c.check) {
			fprintf(stderr,
				"capfix fix: error: --branch writes a commit; it cannot be combined with --diff or --check\n");
			ret = CF_EXIT_USAGE;
		} else {
			ret = run_branch(&c, argc - optind, argv + optind);
		}
		capcfg_release(&c.cfg);
		return ret;
	}
	summary = c.diff ? stderr : stdout;
	if (optind < argc)
		walk_collect(&wr, (const char *const *)argv + optind, (size_t)(argc - optind));
	else
		walk_collect(&wr, dot, 1);
	for (i = 0; i < wr.nproblems; i++) {
		fprintf(stderr, "%s: %s: %s\n", wr.problems[i].path,
			wr.problems[i].error ? "error" : "warning", wr.problems[i].msg);
		if (wr.problems[i].error)
			c.errors++;
	}
	c.defer_writes = c.backout && !c.diff && !c.check;
	run_files(&c, wr.files, wr.nfiles, &backout, summary, c.jobs);
	if (c.backout && !c.defer_writes &&
	    fsutil_write_new(c.backout, backout.buf ? backout.buf : "", backout.len) < 0) {
		c.write_errors++;
		fprintf(stderr, "capfix: error: %s\n", cf_err_last()->msg);
	}
	fprintf(summary, "capfix: %zu %s, %zu %s, %zu %s %s, %zu %s, %zu left alone", c.files,
		plural(c.files, "file", "files"), c.changed,
		c.check || c.diff ? "to change" : "changed", c.fixed,
		plural(c.fixed, "container", "containers"), c.check || c.diff ? "to fix" : "fixed",
		c.already, c.fopts.drop_only ? "already dropping ALL" : "already in order",
		c.skipped);
	if (c.caps_added || c.caps_removed)
		fprintf(summary, ", %zu %s added to add lists, %zu removed", c.caps_added,
			plural(c.caps_added, "capability", "capabilities"), c.caps_removed);
	if (c.skipped_files)
		fprintf(summary, ", %zu %s skipped", c.skipped_files,
			plural(c.skipped_files, "file", "files"));
	if (c.errors + c.write_errors)
		fprintf(summary, ", %zu %s", c.errors + c.write_errors,
			plural(c.errors + c.write_errors, "error", "errors"));
	fputc('\n', summary);

	if (c.write_errors)
		ret = CF_EXIT_WRITE;
	else if (c.errors)
		ret = CF_EXIT_INPUT;
	else if (c.check && c.changed)
		ret = CF_EXIT_CHANGES;
	else
		ret = CF_EXIT_OK;
	sbuf_release(&content);
	sbuf_release(&backout);
	walk_result_release(&wr);
	capcfg_release(&c.cfg);
	return ret;
}
