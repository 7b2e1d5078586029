/*
 * cmd_util.c - what the commands share: option errors, configuration
 * loading, exit codes for errors, and record problems, printed one way.
 */
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fix.h"
#include "capfix/fixrun.h"
#include "capfix/fsutil.h"
#include "capfix/ignore.h"
#include "capfix/imagemeta.h"
#include "capfix/trace.h"
#include "capfix/msg.h"
#include "capfix/pss.h"
#include "capfix/sig.h"

#include <errno.h>
#include <time.h>
#include <unistd.h>

void cmd_bad_option(const char *cmd, int optopt, const char *arg)
{
	if (optopt && optopt < 256)
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown or incomplete option '-%c'",
			  optopt);
	else
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown or incomplete option '%s'", arg);
	fprintf(stderr, "see 'capfix %s --help'\n", cmd);
}

int cmd_opt_text_json(const char *arg, bool *json)
{
	if (strcmp(arg, "text") && strcmp(arg, "json")) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown format '%s' (use text or json)",
			  arg);
		return -1;
	}
	*json = !strcmp(arg, "json");
	return 0;
}

int cmd_opt_size(const char *arg, size_t *size)
{
	if (fsutil_parse_size(arg, size) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "--max-file-size: %s", cf_err_last()->msg);
		return -1;
	}
	return 0;
}

int cmd_opt_jobs(const char *arg, int *jobs)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 1 || v > 16) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "-j takes a number from 1 to 16");
		return -1;
	}
	*jobs = (int)v;
	return 0;
}

int cmd_opt_pss(const char *arg, int *minor)
{
	int v = pss_version_parse(arg);

	if (v < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--pss-version '%.32s': v1.%d to v1.%d or latest", arg, PSS_OLDEST_MINOR,
			  PSS_LATEST_MINOR);
		return -1;
	}
	*minor = v;
	return 0;
}

void cmd_opt_append(const char ***v, size_t *n, const char *arg)
{
	*v = xrealloc((void *)*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = arg;
}

int cmd_load_config(struct capcfg *cfg, const char *path, bool no_config, struct fix_opts *fo)
{
	int r;

	if (no_config)
		return 0;
	r = capcfg_load_file(cfg, path);
	if (r < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		return -1;
	}
	if (r > 0)
		fo->cfg = cfg;
	return 0;
}

int cmd_exit_for_err(void)
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

void cmd_print_problem(const struct fixrun_record *rec)
{
	size_t n = rec->path ? strlen(rec->path) : 0;

	if (!rec->why)
		return;
	/* a message that starts with the file's name: said once, as "path: error: ..." */
	if (rec->named && n && !strncmp(rec->why, rec->path, n) && !strncmp(rec->why + n, ": ", 2))
		msg_print(stderr, rec->path, 0, 0, rec->sev, "%s", rec->why + n + 2);
	else if (rec->named || !rec->path)
		msg_print(stderr, NULL, 0, 0, rec->sev, "%s", rec->why);
	else
		msg_print(stderr, rec->path, rec->line ? rec->line0 + rec->line : 0, rec->col,
			  rec->sev, "%s", rec->why);
}

int cmd_interrupted(size_t written, size_t left, const char *backout)
{
	int sig = sig_pending();
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	msg_print(stderr, NULL, 0, 0, MSG_ERROR,
		  "interrupted by %s: %zu %s changed, %zu left as %s were%s%s%s", name, written,
		  written == 1 ? "file" : "files", left, left == 1 ? "it" : "they",
		  backout ? " (" : "", backout ? backout : "",
		  backout ? " undoes exactly the files changed)" : "");
	return 128 + sig;
}

int cmd_ignore_setup(struct ignore *ig, const char *const *excludes, size_t n, bool no_gitignore)
{
	size_t i;

	for (i = 0; i < n; i++)
		ignore_add(ig, excludes[i]);
	if (ignore_add_file(ig, CMD_IGNORE_FILE) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		return -1;
	}
	if (!no_gitignore)
		ignore_use_git(ig);
	return 0;
}

int cmd_color_setup(const char *when)
{
	const char *term = getenv("TERM"), *no = getenv("NO_COLOR");

	if (!when || !strcmp(when, "auto"))
		msg_set_color(isatty(STDERR_FILENO) && isatty(STDOUT_FILENO) && !(no && *no) &&
			      !(term && !strcmp(term, "dumb")));
	else if (!strcmp(when, "always"))
		msg_set_color(true);
	else if (!strcmp(when, "never"))
		msg_set_color(false);
	else {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "--color takes auto, always or never, not '%s'", when);
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cmd_progress_init(struct cmd_progress *p, const char *mode)
{
	memset(p, 0, sizeof(*p));
	p->on = mode && !strcmp(mode, "always")	 ? true
		: mode && !strcmp(mode, "never") ? false
						 : isatty(STDERR_FILENO);
	p->start = p->last = now_s();
}

void cmd_progress_step(struct cmd_progress *p, size_t total, size_t bytes)
{
	double t;

	p->done++;
	p->bytes += (double)bytes;
	if (!p->on)
		return;
	t = now_s();
	if (t - p->start < 1.0 || (p->shown && t - p->last < 0.1))
		return;
	p->last = t;
	p->shown = true;
	if (total && !p->bytes)
		fprintf(stderr, "\rcapfix: %zu/%zu files\033[K", p->done, total);
	else if (total)
		fprintf(stderr, "\rcapfix: %zu/%zu files, %.1f MB/s\033[K", p->done, total,
			p->bytes / 1e6 / (t - p->start));
	else
		fprintf(stderr, "\rcapfix: %zu documents, %.1f MB/s\033[K", p->done,
			p->bytes / 1e6 / (t - p->start));
	fflush(stderr);
}

void cmd_progress_clear(struct cmd_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

int cmd_add_images(struct imagemeta_set **images, const char *path, const char *what)
{
	if (!*images)
		*images = imagemeta_set_new();
	if (imagemeta_load(*images, path) < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s %s: %s", what, path,
			  cf_err_last()->msg);
		return -1;
	}
	return 0;
}

int cmd_add_trace(struct trace_set **traces, const char *arg, const char *what)
{
	char *sel = NULL;
	const char *path;
	int rc;

	trace_split_arg(arg, &sel, &path);
	if (!*traces)
		*traces = trace_set_new();
	rc = trace_set_load(*traces, path, sel, TRACE_FMT_AUTO);
	free(sel);
	if (rc < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s %s: %s", what, arg,
			  cf_err_last()->msg);
		return -1;
	}
	return 0;
}

int cmd_load_evidence(const struct capcfg *cfg, struct imagemeta_set **images,
		      struct trace_set **traces)
{
	size_t i;

	for (i = 0; i < cfg->nimages; i++)
		if (cmd_add_images(images, cfg->images[i], ".capfix.yaml images:") < 0)
			return -1;
	for (i = 0; i < cfg->ntraces; i++)
		if (cmd_add_trace(traces, cfg->traces[i], ".capfix.yaml traces:") < 0)
			return -1;
	return 0;
}
