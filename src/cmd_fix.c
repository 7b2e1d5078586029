/*
 * cmd_fix.c - `capfix fix`: options, calls into the core, rendering, exit code.
 */
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fixrun.h"
#include "capfix/fsutil.h"
#include "capfix/msg.h"
#include "capfix/pool.h"
#include "capfix/sig.h"

#include <getopt.h>
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
	"  --break-hard-links  replace files that have other hard links (else refused)\n"
	"  -j, --jobs N      worker threads (default: the online CPUs, at most 8)\n"
	"  -q, --quiet       no per-file lines, only problems and the totals\n"
	"  -v, --verbose     also list each container fixed\n"
	"  -h, --help        show this help\n"
	"\n"
	"exit status: 0 done or nothing to do, 1 --check found changes, 2 usage error,\n"
	"3 some input could not be processed (the rest was), 4 a write failed.\n";

struct fix_cmd {
	bool diff, check, quiet, verbose, no_config, force, break_links;
	const char *backout, *config, *stdin_name;
	const char *branch, *base, *backout_in_commit, *summary; /* --branch mode */
	size_t max_size; /* --max-file-size */
	int jobs; /* -j: worker threads */
	struct fix_opts fopts;
	struct capcfg cfg;
	FILE *story; /* where the per-file lines go: stdout, stderr with --diff or a stream */
	bool stream;
	bool branch_made; /* --branch: the commit exists (records say "fixed") */
};

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * One record of the engine, printed: its problem or warnings on stderr,
 * "fixed PATH" and the per-container story on the story stream, its patch
 * on stdout.
 */
static void on_record(void *ctx, const struct fixrun_record *rec)
{
	const struct fix_cmd *c = ctx;
	const struct fix_result *res = rec->res;
	struct sbuf err = SBUF_INIT, out = SBUF_INIT;
	bool changed = rec->outcome == FIXRUN_CHANGED;
	size_t i;

	cmd_print_problem(rec);
	if (changed && !c->quiet && !c->stream)
		sbuf_addf(&out, "%s %s (%zu %s)\n", c->check || c->diff ? "would fix" : "fixed",
			  rec->path, res->fixed, plural(res->fixed, "container", "containers"));
	for (i = 0; i < res->nnotes; i++) {
		const struct fix_note *n = &res->notes[i];
		bool warn = n->level == FIX_NOTE_WARN;

		if ((n->level == FIX_NOTE_INFO && !c->verbose) || (!warn && c->quiet) ||
		    (!warn && !changed && !c->stream))
			continue;
		msg_add(warn ? &err : &out, rec->path, rec->line0 + n->line, n->col,
			warn ? MSG_WARNING : MSG_NOTE, "%s", n->msg);
	}
	fwrite(err.buf ? err.buf : "", 1, err.len, stderr);
	fwrite(out.buf ? out.buf : "", 1, out.len, c->stream ? stderr : c->story);
	if (rec->patch)
		fwrite(rec->patch, 1, rec->patchlen, stdout);
	sbuf_release(&err);
	sbuf_release(&out);
}

static int capfix_parse_deny(struct fix_cmd *c, const char *list)
{
	if (capcfg_parse_list(list, &c->fopts.deny) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "--deny: %s", cf_err_last()->msg);
		return -1;
	}
	return 0;
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
		OPT_STDIN_NAME,
		OPT_BREAK_LINKS
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
		{ "break-hard-links", no_argument, NULL, OPT_BREAK_LINKS },
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
		case OPT_BREAK_LINKS:
			c->break_links = true;
			break;
		case OPT_STDIN_NAME:
			c->stdin_name = optarg;
			break;
		case OPT_MAX_SIZE:
			if (fsutil_parse_size(optarg, &c->max_size) < 0) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR, "--max-file-size: %s",
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
				msg_print(stderr, NULL, 0, 0, MSG_ERROR,
					  "-j takes a number from 1 to 16");
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
			cmd_bad_option("fix", optopt, argv[optind - 1]);
			return -1;
		}
	}
	if (c->diff && c->check) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "--diff and --check cannot be combined");
		return -1;
	}
	return 0;
}

static int exit_for(const struct fix_cmd *c, const struct fixrun_totals *t)
{
	if (t->write_errors)
		return CF_EXIT_WRITE;
	if (t->errors)
		return CF_EXIT_INPUT;
	if (c->check && t->changed)
		return CF_EXIT_CHANGES;
	return CF_EXIT_OK;
}

/* The totals line of a run over files. */
static void print_totals(const struct fix_cmd *c, const struct fixrun_totals *t)
{
	FILE *fp = c->story;
	bool dry = c->check || c->diff;

	fprintf(fp, "capfix: %zu %s, %zu %s, %zu %s %s, %zu %s, %zu left alone", t->files,
		plural(t->files, "file", "files"), t->changed, dry ? "to change" : "changed",
		t->fixed, plural(t->fixed, "container", "containers"), dry ? "to fix" : "fixed",
		t->already, c->fopts.drop_only ? "already dropping ALL" : "already in order",
		t->skipped);
	if (t->caps_added || t->caps_removed)
		fprintf(fp, ", %zu %s added to add lists, %zu removed", t->caps_added,
			plural(t->caps_added, "capability", "capabilities"), t->caps_removed);
	if (t->skipped_files)
		fprintf(fp, ", %zu %s skipped", t->skipped_files,
			plural(t->skipped_files, "file", "files"));
	if (t->errors + t->write_errors)
		fprintf(fp, ", %zu %s", t->errors + t->write_errors,
			plural(t->errors + t->write_errors, "error", "errors"));
	fputc('\n', fp);
}

/* --branch: fix the base commit's files and commit them on a branch. */
static int run_branch(struct fix_cmd *c, const struct fixrun_opts *o, char **paths, size_t n)
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
	return exit_for(c, &t);
}

/* `capfix fix -`: the stream on stdin, in batches of documents, to stdout. */
static int run_stream(struct fix_cmd *c, const struct fixrun_opts *o)
{
	const char *name = c->stdin_name ? c->stdin_name : "stdin.yaml";
	struct fixrun_totals t;

	memset(&t, 0, sizeof(t));
	c->stream = true;
	fixrun_stream(o, name, stdin, stdout, &t);
	if (!c->quiet || t.errors)
		fprintf(stderr, "capfix: %zu %s, %zu %s, %zu %s %s, %zu left alone%s\n", t.files,
			plural(t.files, "document", "documents"), t.changed,
			c->check || c->diff ? "to change" : "changed", t.fixed,
			plural(t.fixed, "container", "containers"),
			c->check || c->diff ? "to fix" : "fixed", t.skipped,
			t.errors ? ", with errors" : "");
	return exit_for(c, &t);
}

/* The checks between options; 0, or an exit code (the message printed). */
static int check_args(struct fix_cmd *c, int npaths, char **paths)
{
	int i;

	if (c->fopts.drop_only && (c->fopts.strict || c->fopts.deny || c->config)) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--drop-only leaves add lists alone; it cannot be combined with --strict, --deny or --config");
		return CF_EXIT_USAGE;
	}
	if (!c->branch && (c->base || c->force || c->backout_in_commit || c->summary)) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--base, --force, --backout-in-commit and --summary need --branch");
		return CF_EXIT_USAGE;
	}
	if (c->branch && (c->diff || c->check)) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--branch writes a commit; it cannot be combined with --diff or --check");
		return CF_EXIT_USAGE;
	}
	for (i = 0; i < npaths; i++) {
		if (strcmp(paths[i], "-"))
			continue;
		if (npaths != 1 || c->branch) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR,
				  "'-' (a stream on stdin) must be the only PATH, without --branch");
			return CF_EXIT_USAGE;
		}
		c->stream = true;
	}
	return 0;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_cmd c;
	struct fixrun_opts o;
	struct fixrun_totals t;
	char **paths;
	size_t npaths;
	int r, ret;

	memset(&c, 0, sizeof(c));
	c.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	c.jobs = pool_default_threads(8);
	r = parse_args(&c, argc, argv);
	if (r)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	paths = argv + optind;
	npaths = (size_t)(argc - optind);
	ret = check_args(&c, argc - optind, paths);
	if (ret)
		return ret;
	if (cmd_load_config(&c.cfg, c.config, c.no_config, &c.fopts) < 0) {
		capcfg_release(&c.cfg);
		return CF_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.sink = c.diff ? FIXRUN_DIFF : c.check ? FIXRUN_CHECK : FIXRUN_WRITE;
	o.fix = &c.fopts;
	o.record = on_record;
	o.record_ctx = &c;
	o.backout = c.backout;
	o.max_size = c.max_size;
	o.jobs = c.jobs;
	o.break_hard_links = c.break_links;
	c.story = c.diff ? stderr : stdout;
	if (c.stream) {
		ret = run_stream(&c, &o);
	} else if (c.branch) {
		ret = run_branch(&c, &o, paths, npaths);
	} else {
		memset(&t, 0, sizeof(t));
		if (o.sink == FIXRUN_WRITE)
			sig_install(); /* a signal stops before the next rename */
		if (fixrun_files(&o, (const char *const *)paths, npaths, &t) < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			capcfg_release(&c.cfg);
			return cmd_exit_for_err();
		}
		print_totals(&c, &t);
		ret = exit_for(&c, &t);
		if (sig_pending())
			ret = cmd_interrupted(t.changed, t.interrupted, c.backout);
	}
	capcfg_release(&c.cfg);
	return ret;
}
