/*
 * cmd.h - the commands (one file each, like git's builtin/), and the exit
 * codes they return.
 */
#ifndef CAPFIX_CMD_H
#define CAPFIX_CMD_H

#include <stdbool.h>
#include <stddef.h>

enum cf_exit {
	CF_EXIT_OK = 0, /* nothing to do, or done */
	CF_EXIT_CHANGES = 1, /* fix --check: something would change; scan: findings */
	CF_EXIT_USAGE = 2, /* bad command line */
	CF_EXIT_INPUT = 3, /* some input could not be processed; the rest was */
	CF_EXIT_WRITE = 4, /* a file could not be written */
};

struct capcfg;
struct fix_opts;
struct fixrun_record;

/* Each returns the process exit code; argv[0] is the command name. */
int cmd_fix(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_images(int argc, char **argv);

/*
 * What the commands share (cmd_util.c): printing only, no decisions.
 */

/* An unknown or incomplete option (getopt's optopt, or the argument), and the help hint. */
void cmd_bad_option(const char *cmd, int optopt, const char *arg);

/*
 * Option values the commands share, each parsed one way; on a bad value
 * the problem is printed and -1 returned.
 *   cmd_opt_text_json  --format text|json (fix, policy, images) -> *json
 *   cmd_opt_size       --max-file-size SIZE (fsutil_parse_size())
 *   cmd_opt_jobs       -j N, 1 to 16
 *   cmd_opt_pss        --pss-version v1.N|latest (pss_version_parse())
 *   cmd_opt_append     a repeatable option (--exclude): @arg appended to
 *                      *@v (grown; the caller frees *@v, not the strings)
 */
int cmd_opt_text_json(const char *arg, bool *json);
int cmd_opt_size(const char *arg, size_t *size);
int cmd_opt_jobs(const char *arg, int *jobs);
int cmd_opt_pss(const char *arg, int *minor);
void cmd_opt_append(const char ***v, size_t *n, const char *arg);

/*
 * Load --config @path, or ./.capfix.yaml when present (unless @no_config),
 * into @cfg and point @fo->cfg at it. Returns 0, or -1 with the error printed.
 */
int cmd_load_config(struct capcfg *cfg, const char *path, bool no_config, struct fix_opts *fo);

/* The exit code for the last recorded error (usage 2, input 3, anything else 4). */
int cmd_exit_for_err(void);

/* A record's problem (an input skipped or failed, a run-level error) on stderr. */
void cmd_print_problem(const struct fixrun_record *rec);

/*
 * After a signal (sig.h): say what was done and what was not, and return
 * the exit code 128 + the signal's number.
 */
int cmd_interrupted(size_t written, size_t left, const char *backout);

struct ignore;

/* The file of exclude rules read from the current directory (gitignore syntax). */
#define CMD_IGNORE_FILE ".capfixignore"

/*
 * The paths a command leaves out: @excludes (--exclude), ./.capfixignore
 * when present (a regular file), and what git ignores unless @no_gitignore.
 * Returns 0, or -1 with the error printed (exit 2).
 */
int cmd_ignore_setup(struct ignore *ig, const char *const *excludes, size_t n, bool no_gitignore);

/*
 * --color auto|always|never (NULL: auto): auto colours messages when both
 * standard output and standard error are terminals, TERM is not "dumb" and
 * NO_COLOR is unset or empty. Returns 0, or -1 (printed) for another word.
 */
int cmd_color_setup(const char *when);

/*
 * A progress line on standard error for runs longer than about a second:
 * "capfix: N/M files, X MB/s", updated at most ten times a second, cleared
 * before any other message and at the end. Only on a terminal, unless
 * --progress forces it (@mode "always"); --no-progress ("never") turns it
 * off.
 */
struct cmd_progress {
	bool on, shown;
	double start, last;
	size_t done;
	double bytes;
};
void cmd_progress_init(struct cmd_progress *p, const char *mode);
void cmd_progress_step(struct cmd_progress *p, size_t total, size_t bytes);
/* Clear the line if it is shown (before printing anything else on stderr, and at the end). */
void cmd_progress_clear(struct cmd_progress *p);

struct imagemeta_set;
struct trace_set;

/*
 * One evidence file: image metadata at @path (imagemeta_load()), or a trace
 * given as [SELECTOR=]PATH (trace_set_load()), added to the set (made when
 * NULL). Returns 0, or -1 with "capfix: error: @what ARG: reason" printed.
 */
int cmd_add_images(struct imagemeta_set **images, const char *path, const char *what);
int cmd_add_trace(struct trace_set **traces, const char *arg, const char *what);

/*
 * The evidence files .capfix.yaml names (`images:`, `traces:`), added to
 * *@images and *@traces (made when NULL). Returns 0, or -1 with the error
 * printed.
 */
int cmd_load_evidence(const struct capcfg *cfg, struct imagemeta_set **images,
		      struct trace_set **traces);

#endif
