/*
 * cmd_fix_modes.c - `capfix fix`: rendering the engine's records and the
 * run modes (--branch, a stream on stdin, --krm); options are in cmd_fix.c.
 */
#include "cmd_fix.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/krm.h"
#include "capfix/msg.h"

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * One record of the engine, printed: its problem or warnings on stderr,
 * "fixed PATH" and the per-container story on the story stream, its patch
 * on stdout.
 */
void fixcmd_on_record(void *ctx, const struct fixrun_record *rec)
{
	struct fix_cmd *c = ctx;
	struct fixreport_text o = { c->quiet, c->verbose, c->stream, c->check || c->diff };
	struct sbuf err = SBUF_INIT, out = SBUF_INIT;

	fixreport_add(c->rep, rec);
	fixreport_text(rec, &o, &out, &err);
	if (rec->why || err.len || out.len || rec->patch)
		cmd_progress_clear(&c->progress); /* messages never mix with the progress line */
	cmd_print_problem(rec);
	fwrite(err.buf ? err.buf : "", 1, err.len, stderr);
	fwrite(out.buf ? out.buf : "", 1, out.len, c->stream ? stderr : c->story);
	if (rec->patch)
		fwrite(rec->patch, 1, rec->patchlen, stdout);
	sbuf_release(&err);
	sbuf_release(&out);
	if (rec->path)
		cmd_progress_step(&c->progress, rec->total, rec->bytes);
}

int fixcmd_exit_for(const struct fix_cmd *c, const struct fixrun_totals *t)
{
	if (t->write_errors)
		return CF_EXIT_WRITE;
	if (t->errors)
		return CF_EXIT_INPUT;
	if (c->check && t->changed)
		return CF_EXIT_CHANGES;
	return CF_EXIT_OK;
}

/* The totals line, or the JSON report, of a run over files. */
void fixcmd_print_totals(const struct fix_cmd *c, const struct fixrun_totals *t)
{
	struct sbuf sb = SBUF_INIT;

	if (c->json)
		fixreport_json(c->rep, t, &sb);
	else
		fixreport_totals(c->rep, t, c->check || c->diff, c->fopts.drop_only, &sb);
	fwrite(sb.buf ? sb.buf : "", 1, sb.len, c->story);
	sbuf_release(&sb);
}

/* --branch: fix the base commit's files and commit them on a branch. */
int fixcmd_run_branch(struct fix_cmd *c, const struct fixrun_opts *o, char **paths, size_t n)
{
	struct fixrun_commit fc;
	struct fixrun_totals t;

	memset(&fc, 0, sizeof(fc));
	memset(&t, 0, sizeof(t));
	fc.branch = c->branch;
	fc.base = c->base;
	fc.force = c->force;
	fc.backout_in_commit = c->backout_in_commit;
	fc.summary = c->summary;
	if (fixrun_git(o, &fc, (const char *const *)paths, n, &t) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		return cmd_exit_for_err();
	}
	if (!fc.created) {
		printf("capfix: nothing to fix in %zu %s of %.12s: no commit, no branch\n", t.files,
		       plural(t.files, "file", "files"), fc.base_id);
		return t.errors ? CF_EXIT_INPUT : CF_EXIT_OK;
	}
	printf("capfix: created branch %s at %.12s on top of %.12s: %zu %s, %zu %s\n", c->branch,
	       fc.id, fc.base_id, t.changed, plural(t.changed, "file", "files"), t.fixed,
	       plural(t.fixed, "container", "containers"));
	return fixcmd_exit_for(c, &t);
}

/* `capfix fix -`: the stream on stdin, in batches of documents, to stdout. */
int fixcmd_run_stream(struct fix_cmd *c, const struct fixrun_opts *o)
{
	const char *name = c->stdin_name ? c->stdin_name : "stdin.yaml";
	struct fixrun_totals t;

	memset(&t, 0, sizeof(t));
	c->stream = true;
	fixrun_stream(o, name, stdin, stdout, &t);
	if (!c->quiet || t.errors) {
		struct sbuf sb = SBUF_INIT;

		fixreport_stream_totals(c->rep, &t, c->check || c->diff, &sb);
		fputs(sbuf_cstr(&sb), stderr);
		sbuf_release(&sb);
	}
	return fixcmd_exit_for(c, &t);
}

/* --krm: a ResourceList on stdin, fixed, with results, on stdout. */
int fixcmd_run_krm(struct fix_cmd *c)
{
	struct krm_stats st;
	struct capcfg fcfg;
	int r;

	memset(&fcfg, 0, sizeof(fcfg));
	r = krm_run_file(stdin, stdout, c->max_size, &c->fopts, &fcfg, &st);
	capcfg_release(&fcfg);
	if (r < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		return cmd_exit_for_err();
	}
	return CF_EXIT_OK;
}
