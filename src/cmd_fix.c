/*
 * cmd_fix.c - `capfix fix`: options, calls into the core, rendering, exit code.
 */
#include "cmd_fix.h"
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fixreport.h"
#include "capfix/fixrun.h"
#include "capfix/fsutil.h"
#include "capfix/ignore.h"
#include "capfix/imagemeta.h"
#include "capfix/msg.h"
#include "capfix/pool.h"
#include "capfix/sig.h"
#include "capfix/trace.h"

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
	"  --backout FILE    also write the reverse patch (undoes the fix) to FILE;\n"
	"                    not with --diff or --check, which write nothing\n"
	"  --drop-only       only add ALL to drop; leave add lists as they are\n"
	"  --deny CAP,...    remove these capabilities from every add list\n"
	"  --strict          keep only adds that are inferred or allowed by the config\n"
	"  --unknown-images fix|skip  fix (default) or leave alone containers that may\n"
	"                    start as root with no evidence about their image (warned)\n"
	"  --format text|json  json: a report of every container and decision\n"
	"  --images PATH     image metadata as evidence (docker/podman image inspect\n"
	"                    JSON, REF=FILE for an OCI config blob, an OCI layout\n"
	"                    directory, a docker save tar); repeatable\n"
	"  --trace [SELECTOR=]PATH  a runtime capability trace as evidence (Inspektor\n"
	"                    Gadget, Tracee, bpftrace, BCC, cap-audit); repeatable\n"
	"  --trust-denied    add capabilities a trace only saw denied\n"
	"  --no-ignores      edit containers whose manifests ignore CF001 too, and\n"
	"                    read no kubeaudit overrides\n"
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
	"  --exclude GLOB    leave out matching paths (gitignore syntax, ** allowed;\n"
	"                    repeatable); ./.capfixignore holds more\n"
	"  --no-gitignore    also fix files that git ignores\n"
	"  --progress, --no-progress  a progress line on stderr for long runs (by\n"
	"                    default on a terminal)\n"
	"  --color WHEN      colour messages: auto (a terminal, no NO_COLOR), always,\n"
	"                    never\n"
	"  --krm             a KRM function: a ResourceList on stdin, fixed, with\n"
	"                    results, on stdout (kustomize exec transformers, kpt)\n"
	"  -j, --jobs N      worker threads (default: the online CPUs, at most 8)\n"
	"  -q, --quiet       no per-file lines, only problems and the totals\n"
	"  -v, --verbose     also list each container fixed\n"
	"  -h, --help        show this help\n"
	"\n"
	"exit status: 0 done or nothing to do, 1 --check found changes, 2 usage error,\n"
	"3 some input could not be processed (the rest was), 4 a write failed.\n";

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
		OPT_BREAK_LINKS,
		OPT_UNKNOWN,
		OPT_FORMAT,
		OPT_EXCLUDE,
		OPT_NO_GITIGNORE,
		OPT_KRM,
		OPT_COLOR,
		OPT_PROGRESS,
		OPT_NO_PROGRESS,
		OPT_IMAGES,
		OPT_TRACE,
		OPT_TRUST_DENIED,
		OPT_NO_IGNORES
	};
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
		{ "unknown-images", required_argument, NULL, OPT_UNKNOWN },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-gitignore", no_argument, NULL, OPT_NO_GITIGNORE },
		{ "krm", no_argument, NULL, OPT_KRM },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "images", required_argument, NULL, OPT_IMAGES },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "trust-denied", no_argument, NULL, OPT_TRUST_DENIED },
		{ "no-ignores", no_argument, NULL, OPT_NO_IGNORES },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
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
			if (capcfg_parse_list(optarg, &c->fopts.deny) < 0) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR, "--deny: %s",
					  cf_err_last()->msg);
				return -1;
			}
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
		case OPT_UNKNOWN:
			if (strcmp(optarg, "fix") && strcmp(optarg, "skip")) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR,
					  "--unknown-images: unknown value '%s' (use fix or skip)",
					  optarg);
				return -1;
			}
			c->fopts.skip_unknown = !strcmp(optarg, "skip");
			break;
		case OPT_FORMAT:
			if (cmd_opt_text_json(optarg, &c->json) < 0)
				return -1;
			c->fopts.report = c->json;
			break;
		case OPT_EXCLUDE:
			cmd_opt_append(&c->excludes, &c->nexcludes, optarg);
			break;
		case OPT_NO_GITIGNORE:
			c->no_gitignore = true;
			break;
		case OPT_KRM:
			c->krm = true;
			break;
		case OPT_COLOR:
			c->color = optarg;
			break;
		case OPT_IMAGES:
			if (cmd_add_images(&c->images, optarg, "--images") < 0)
				return -1;
			break;
		case OPT_TRACE:
			if (cmd_add_trace(&c->traces, optarg, "--trace") < 0)
				return -1;
			break;
		case OPT_TRUST_DENIED:
			c->fopts.trust_denied = true;
			break;
		case OPT_NO_IGNORES:
			c->fopts.no_ignores = true;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			c->progress_mode = opt == OPT_PROGRESS ? "always" : "never";
			break;
		case OPT_STDIN_NAME:
			c->stdin_name = optarg;
			break;
		case OPT_MAX_SIZE:
			if (cmd_opt_size(optarg, &c->max_size) < 0)
				return -1;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'j':
			if (cmd_opt_jobs(optarg, &c->jobs) < 0)
				return -1;
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

/* The checks between options; 0, or an exit code (the message printed). */
static int check_args(struct fix_cmd *c, int npaths, char **paths)
{
	int i;

	if (c->fopts.drop_only && (c->fopts.strict || c->fopts.deny || c->config)) {
		msg_print(
			stderr, NULL, 0, 0, MSG_ERROR,
			"--drop-only leaves add lists alone; it cannot be combined with --strict, --deny or --config");
		return CF_EXIT_USAGE;
	}
	if (!c->branch && (c->base || c->force || c->backout_in_commit || c->summary)) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--base, --force, --backout-in-commit and --summary need --branch");
		return CF_EXIT_USAGE;
	}
	if (c->backout && (c->diff || c->check)) {
		msg_print(
			stderr, NULL, 0, 0, MSG_ERROR,
			"--backout writes a file; --diff and --check write nothing: run the fix with --backout");
		return CF_EXIT_USAGE;
	}
	if (c->krm && (npaths || c->diff || c->check || c->branch || c->backout || c->json)) {
		msg_print(
			stderr, NULL, 0, 0, MSG_ERROR,
			"--krm reads a ResourceList on stdin and writes it on stdout: no PATH, --diff, --check, --branch, --backout or --format");
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
			msg_print(
				stderr, NULL, 0, 0, MSG_ERROR,
				"'-' (a stream on stdin) must be the only PATH, without --branch");
			return CF_EXIT_USAGE;
		}
		c->stream = true;
	}
	if (c->json && (c->diff || c->branch || c->stream)) {
		msg_print(
			stderr, NULL, 0, 0, MSG_ERROR,
			"--format json reports on stdout; it cannot be combined with --diff, --branch or '-'");
		return CF_EXIT_USAGE;
	}
	c->quiet |= c->json; /* stdout holds only the report */
	return 0;
}

int cmd_fix(int argc, char **argv)
{
	struct fix_cmd c;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct ignore ig = IGNORE_INIT;
	char **paths;
	size_t npaths;
	int r, ret;

	memset(&c, 0, sizeof(c));
	c.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	c.jobs = pool_default_threads(8);
	r = parse_args(&c, argc, argv);
	if (r) {
		imagemeta_set_free(c.images);
		trace_set_free(c.traces);
		free(c.excludes);
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	}
	paths = argv + optind;
	npaths = (size_t)(argc - optind);
	c.fopts.images = c.images;
	c.fopts.traces = c.traces;
	ret = check_args(&c, argc - optind, paths);
	if (!ret && cmd_color_setup(c.color) < 0)
		ret = CF_EXIT_USAGE;
	if (ret) {
		free(c.excludes);
		imagemeta_set_free(c.images);
		trace_set_free(c.traces);
		return ret;
	}
	/* what the walk leaves out: files on disk only (a stream, --krm and --branch walk nothing;
	 * asking git what it ignores costs a libgit2 start) */
	if (cmd_load_config(&c.cfg, c.config, c.no_config, &c.fopts) < 0 ||
	    (!c.stream && !c.krm && !c.branch &&
	     cmd_ignore_setup(&ig, c.excludes, c.nexcludes, c.no_gitignore) < 0)) {
		ret = CF_EXIT_USAGE;
		goto out;
	}
	if (c.fopts.cfg && cmd_load_evidence(c.fopts.cfg, &c.images, &c.traces) < 0) {
		ret = CF_EXIT_USAGE;
		goto out;
	}
	c.fopts.images = c.images;
	c.fopts.traces = c.traces;
	if (c.krm) {
		ret = fixcmd_run_krm(&c);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.sink = c.diff ? FIXRUN_DIFF : c.check ? FIXRUN_CHECK : FIXRUN_WRITE;
	o.fix = &c.fopts;
	o.record = fixcmd_on_record;
	o.record_ctx = &c;
	o.backout = c.backout;
	o.max_size = c.max_size;
	o.jobs = c.jobs;
	o.break_hard_links = c.break_links;
	o.ignore = &ig;
	c.story = c.diff ? stderr : stdout;
	c.rep = fixreport_new(o.sink, c.json);
	/* a stream's output is stdout and its messages stderr: no progress line there */
	cmd_progress_init(&c.progress, c.stream || c.krm ? "never" : c.progress_mode);
	if (c.stream) {
		ret = fixcmd_run_stream(&c, &o);
	} else if (c.branch) {
		ret = fixcmd_run_branch(&c, &o, paths, npaths);
	} else {
		memset(&t, 0, sizeof(t));
		if (o.sink == FIXRUN_WRITE)
			sig_install(); /* a signal stops before the next rename */
		if (fixrun_files(&o, (const char *const *)paths, npaths, &t) < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			ret = cmd_exit_for_err();
			goto out;
		}
		cmd_progress_clear(&c.progress);
		fixcmd_print_totals(&c, &t);
		ret = fixcmd_exit_for(&c, &t);
		if (sig_pending())
			ret = cmd_interrupted(t.changed, t.interrupted, c.backout);
	}
out:
	capcfg_release(&c.cfg);
	fixreport_free(c.rep);
	ignore_release(&ig);
	free(c.excludes);
	imagemeta_set_free(c.images); /* the workers are done with them */
	trace_set_free(c.traces);
	return ret;
}
