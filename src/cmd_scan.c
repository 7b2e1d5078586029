/*
 * cmd_scan.c - `capfix scan`: options, calls into the core, rendering, exit code.
 */
#include "capfix/baseline.h"
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/ignore.h"
#include "capfix/imagemeta.h"
#include "capfix/msg.h"
#include "capfix/sniff.h"
#include "capfix/trace.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/pool.h"
#include "capfix/pss.h"
#include "capfix/report.h"
#include "capfix/scan.h"
#include "capfix/walk.h"

#include <errno.h>
#include <getopt.h>
#include <unistd.h>

static const char scan_usage[] =
	"usage: capfix scan [options] [PATH...|-]\n"
	"\n"
	"Audit Linux capabilities without changing anything: Kubernetes manifests\n"
	"(files, directories, '-' for a stream on stdin, `kubectl get -o yaml|json`\n"
	"output), PodSecurityPolicy objects and `docker inspect` output. Findings\n"
	"map to CIS Kubernetes (1.6-1.20 and 1.23+), CIS Docker (1.0-1.5.0 and 1.6.0)\n"
	"and the Pod Security Standards. The default PATH is '.'.\n"
	"\n"
	"options:\n"
	"  --format FORMAT        text (default), json or sarif\n"
	"  --fail-on SEVERITY     exit 1 when a finding is at or above SEVERITY:\n"
	"                         info, low (default), medium, high, critical, or none\n"
	"  --min-severity SEV     report only findings at or above SEV (default info)\n"
	"  --pss-version V        v1.23 .. v1.37 or latest (default): the Pod Security\n"
	"                         Standards checks (CF301, CF302) of that Kubernetes version\n"
	"  -o, --output FILE      write the report to FILE instead of standard output\n"
	"  --baseline FILE        findings in FILE (--write-baseline) do not count for\n"
	"                         --fail-on; text leaves them out unless -v\n"
	"  --write-baseline FILE  write the findings of this run to FILE as a baseline\n"
	"  -v, --verbose          text: also show findings in the baseline or suppressed\n"
	"  --no-ignores           report everything: no capfix.io/ignore annotations,\n"
	"                         kubeaudit overrides, x-capfix nor .capfix.yaml ignore rules\n"
	"  --config FILE          read ignore rules from FILE (default ./.capfix.yaml)\n"
	"  --no-config            read no configuration file\n"
	"  --max-file-size SIZE   refuse larger inputs (bytes, K, M, G; default 256M)\n"
	"  --exclude GLOB         leave out matching paths (gitignore syntax, ** allowed;\n"
	"                         repeatable); ./.capfixignore holds more\n"
	"  --no-gitignore         also look at files that git ignores\n"
	"  --trace [SELECTOR=]PATH  a runtime capability trace (as for fix): CF009 for\n"
	"                         adds it never used, CF010 for needs not added\n"
	"  --trust-denied         with --trace: checks only ever denied count as needs\n"
	"  --images PATH          image metadata (as for fix): CF011 for a binary the\n"
	"                         container starts whose file capabilities it drops\n"
	"  --color WHEN           colour severities: auto (a terminal, no NO_COLOR),\n"
	"                         always, never\n"
	"  --progress, --no-progress  a progress line on stderr for long runs (by\n"
	"                         default on a terminal)\n"
	"  -j, --jobs N           worker threads (default: the online CPUs, at most 8);\n"
	"                         the report is the same for every N\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage error,\n"
	"3 some input could not be read or parsed (the rest was scanned), 4 the report\n"
	"could not be written.\n";

struct scan_cmd {
	enum report_format format;
	int fail_on; /* severity, or -1 for none */
	enum scan_severity min;
	const char *output;
	size_t max_size;
	int jobs;
	const char **excludes;
	size_t nexcludes;
	bool no_gitignore, verbose, no_config;
	struct scan_opts so;
	const char *baseline, *write_baseline, *config;
	const char *color, *progress_mode; /* --color, --progress/--no-progress */
	struct trace_set *traces; /* --trace, or NULL */
	struct imagemeta_set *images; /* --images, or NULL */
};

static int parse_severity(const char *opt, const char *arg, bool allow_none, int *out)
{
	int s = scan_severity_parse(arg);

	if (s < 0 && allow_none && !strcmp(arg, "none"))
		s = SEV_CRITICAL + 1;
	if (s < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s: unknown severity '%s'", opt, arg);
		return -1;
	}
	*out = s;
	return 0;
}

static int parse_args(struct scan_cmd *c, int argc, char **argv)
{
	enum {
		OPT_FORMAT = 256,
		OPT_FAIL_ON,
		OPT_MIN,
		OPT_MAX_SIZE,
		OPT_EXCLUDE,
		OPT_NO_GITIGNORE,
		OPT_PSS_VERSION,
		OPT_BASELINE,
		OPT_WRITE_BASELINE,
		OPT_NO_IGNORES,
		OPT_CONFIG,
		OPT_NO_CONFIG,
		OPT_COLOR,
		OPT_PROGRESS,
		OPT_NO_PROGRESS,
		OPT_TRACE,
		OPT_TRUST_DENIED,
		OPT_IMAGES
	};
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "min-severity", required_argument, NULL, OPT_MIN },
		{ "max-file-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-gitignore", no_argument, NULL, OPT_NO_GITIGNORE },
		{ "pss-version", required_argument, NULL, OPT_PSS_VERSION },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-ignores", no_argument, NULL, OPT_NO_IGNORES },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "trust-denied", no_argument, NULL, OPT_TRUST_DENIED },
		{ "images", required_argument, NULL, OPT_IMAGES },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, v;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+o:j:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			v = report_format_parse(optarg);
			if (v < 0) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown format '%s'",
					  optarg);
				return -1;
			}
			c->format = (enum report_format)v;
			break;
		case OPT_FAIL_ON:
			if (parse_severity("--fail-on", optarg, true, &c->fail_on) < 0)
				return -1;
			break;
		case OPT_MIN:
			if (parse_severity("--min-severity", optarg, false, &v) < 0)
				return -1;
			c->min = (enum scan_severity)v;
			break;
		case 'o':
			c->output = optarg;
			break;
		case OPT_BASELINE:
		case OPT_WRITE_BASELINE:
		case OPT_CONFIG:
			*(opt == OPT_BASELINE ? &c->baseline
			  : opt == OPT_CONFIG ? &c->config
					      : &c->write_baseline) = optarg;
			break;
		case OPT_COLOR:
			c->color = optarg;
			break;
		case OPT_TRACE:
			if (cmd_add_trace(&c->traces, optarg, "--trace") < 0)
				return -1;
			c->so.traces = c->traces;
			break;
		case OPT_IMAGES:
			if (cmd_add_images(&c->images, optarg, "--images") < 0)
				return -1;
			c->so.images = c->images;
			break;
		case OPT_TRUST_DENIED:
			c->so.trust_denied = true;
			break;
		case OPT_PROGRESS:
		case OPT_NO_PROGRESS:
			c->progress_mode = opt == OPT_PROGRESS ? "always" : "never";
			break;
		case 'v':
		case OPT_NO_IGNORES:
		case OPT_NO_CONFIG:
			*(opt == 'v'		 ? &c->verbose
			  : opt == OPT_NO_CONFIG ? &c->no_config
						 : &c->so.no_ignores) = true;
			break;
		case 'j':
			if (cmd_opt_jobs(optarg, &c->jobs) < 0)
				return -1;
			break;
		case OPT_EXCLUDE:
			cmd_opt_append(&c->excludes, &c->nexcludes, optarg);
			break;
		case OPT_NO_GITIGNORE:
			c->no_gitignore = true;
			break;
		case OPT_PSS_VERSION:
			if (cmd_opt_pss(optarg, &c->so.pss_minor) < 0)
				return -1;
			break;
		case OPT_MAX_SIZE:
			if (cmd_opt_size(optarg, &c->max_size) < 0)
				return -1;
			break;
		case 'h':
			fputs(scan_usage, stdout);
			return 1;
		default:
			cmd_bad_option("scan", optopt, argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int read_stdin(struct sbuf *out, size_t max)
{
	char chunk[65536];
	size_t n;

	sbuf_setlen(out, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		sbuf_add(out, chunk, n);
		if (out->len > max)
			return cf_err(CF_E_INPUT, "-: larger than %zu bytes", max);
	}
	if (ferror(stdin))
		return cf_err(CF_E_INPUT, "-: %s", strerror(errno));
	return 0;
}

/* --baseline FILE into @b, the configuration (ignore rules) into @cfg. 0, or -1 printed. */
static int load_files(struct scan_cmd *c, struct baseline *b, struct capcfg *cfg)
{
	int r = 0;

	if (!c->no_config && !c->so.no_ignores && capcfg_load_file(cfg, c->config) < 0)
		r = -1;
	c->so.cfg = cfg;
	if (r == 0 && c->baseline)
		r = baseline_load_file(b, c->baseline);
	if (r < 0)
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
	return r;
}

/* One file scanned on a worker thread into its own result, merged in walk order. */
struct scan_run {
	const struct scan_cmd *c;
	const struct walk_file *files;
	struct scan_result *jobs;
	struct scan_result *res;
	struct cmd_progress *progress;
	size_t total;
};

static void scan_work(void *ctx, size_t i, void **scratch)
{
	struct scan_run *r = ctx;
	const char *path = r->files[i].path;
	struct sbuf *buf;

	if (r->files[i].chart_template) {
		scan_skip_template(&r->jobs[i], path);
		return;
	}
	buf = sbuf_scratch(scratch);
	if (fsutil_read(path, r->c->max_size, buf) < 0) {
		const char *m = cf_err_last()->msg;
		size_t n = strlen(path);

		/* the message names the file: the report says it once */
		if (!strncmp(m, path, n) && !strncmp(m + n, ": ", 2))
			m += n + 2;
		scan_fail_input(&r->jobs[i], path, m);
		return;
	}
	scan_buffer_opts(&r->jobs[i], &r->c->so, path, buf->buf ? buf->buf : "", buf->len,
			 ends_with(path, ".json"));
	if (r->jobs[i].nerrors && sniff_is_data(buf->buf ? buf->buf : "", buf->len)) {
		/* JSON or YAML data that is no manifest and does not parse: left out quietly */
		scan_result_release(&r->jobs[i]);
	}
}

static void scan_done(void *ctx, size_t i)
{
	struct scan_run *r = ctx;

	scan_result_merge(r->res, &r->jobs[i]);
	cmd_progress_step(r->progress, r->total, 0);
}

int cmd_scan(int argc, char **argv)
{
	struct scan_cmd c;
	struct ignore ig = IGNORE_INIT;
	struct scan_result res = SCAN_RESULT_INIT;
	struct baseline base = BASELINE_INIT;
	struct capcfg cfg = CAPCFG_INIT;
	struct report_opts ro;
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf buf = SBUF_INIT, out = SBUF_INIT;
	const char *dot[] = { "." };
	size_t i, errors = 0;
	int r, ret = CF_EXIT_OK, max;
	bool stdin_done = false;

	memset(&c, 0, sizeof(c));
	c.format = REPORT_TEXT;
	c.fail_on = SEV_LOW;
	c.min = SEV_INFO;
	c.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	c.jobs = pool_default_threads(8);
	r = parse_args(&c, argc, argv);
	if (r) {
		trace_set_free(c.traces);
		imagemeta_set_free(c.images);
		free(c.excludes);
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	}
	if (cmd_color_setup(c.color) < 0 ||
	    cmd_ignore_setup(&ig, c.excludes, c.nexcludes, c.no_gitignore) < 0 ||
	    load_files(&c, &base, &cfg) < 0) {
		ret = CF_EXIT_USAGE;
		goto done;
	}
	/* `images:` and `traces:` in .capfix.yaml, as --images and --trace */
	if (cmd_load_evidence(&cfg, &c.images, &c.traces) < 0) {
		ret = CF_EXIT_USAGE;
		goto done;
	}
	c.so.traces = c.traces;
	c.so.images = c.images;
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "-")) {
			if (stdin_done) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR, "'-' given twice");
				ret = CF_EXIT_USAGE;
				goto done;
			}
			stdin_done = true;
			if (read_stdin(&buf, c.max_size) < 0) {
				scan_fail_input(&res, "-", cf_err_last()->msg);
				errors++;
			} else {
				scan_buffer_opts(&res, &c.so, "-", buf.buf ? buf.buf : "", buf.len,
						 false);
			}
			continue;
		}
		walk_collect_ignoring(&wr, (const char *const *)&argv[i], 1, &ig);
	}
	if (optind >= argc)
		walk_collect_ignoring(&wr, dot, 1, &ig);
	for (i = 0; i < wr.nproblems; i++) {
		if (wr.problems[i].error)
			scan_fail_input(&res, wr.problems[i].path, wr.problems[i].msg);
		else
			scan_skip_input(&res, wr.problems[i].path, wr.problems[i].msg);
	}
	{
		static const struct pool_ops ops = { scan_work, scan_done, sbuf_free };
		struct cmd_progress progress;
		struct scan_run run = { &c, wr.files, NULL, &res, &progress, wr.nfiles };

		cmd_progress_init(&progress, c.progress_mode);
		run.jobs = xcalloc(wr.nfiles ? wr.nfiles : 1, sizeof(*run.jobs));
		pool_run(wr.nfiles, c.jobs, &ops, &run);
		free(run.jobs);
		cmd_progress_clear(&progress);
	}
	scan_finish(&res);
	for (i = 0; i < res.nerrors; i++)
		errors += !res.errors[i].skipped;
	if (c.baseline)
		baseline_mark(&base, &res);
	if (c.write_baseline) {
		/* the run is judged against it, unless --baseline names another */
		long n = baseline_write(c.write_baseline, &res, !c.baseline);

		if (n < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
			goto done;
		}
		msg_print(stderr, c.write_baseline, 0, 0, MSG_NOTE, "baseline of %ld %s written", n,
			  n == 1 ? "finding" : "findings");
	}
	ro.min = c.min;
	ro.verbose = c.verbose;
	ro.baseline_used = c.baseline || c.write_baseline;
	ro.color = msg_color() && !c.output; /* colour on a terminal, never into a file */
	if (report_render_opts(&out, &res, c.format, &ro) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		ret = CF_EXIT_WRITE;
		goto done;
	}
	if (c.output) {
		if (fsutil_write_new(c.output, out.buf ? out.buf : "", out.len) < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
			goto done;
		}
	} else {
		fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	}
	max = scan_max_severity(&res);
	if (errors)
		ret = CF_EXIT_INPUT;
	else if (max >= 0 && max >= c.fail_on && max >= (int)c.min)
		ret = CF_EXIT_CHANGES;
done:
	scan_result_release(&res);
	baseline_release(&base);
	capcfg_release(&cfg);
	ignore_release(&ig);
	free(c.excludes);
	trace_set_free(c.traces);
	imagemeta_set_free(c.images);
	walk_result_release(&wr);
	sbuf_release(&buf);
	sbuf_release(&out);
	return ret;
}
