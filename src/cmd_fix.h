/*
 * cmd_fix.h - what the two files of `capfix fix` share: the options
 * (cmd_fix.c parses and checks them) and the run modes that render the
 * engine's records (cmd_fix_modes.c). Private to the command.
 */
#ifndef CAPFIX_CMD_FIX_H
#define CAPFIX_CMD_FIX_H

#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/fix.h"
#include "capfix/fixreport.h"
#include "capfix/fixrun.h"

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
	bool json; /* --format json */
	struct fixreport *rep;
	bool krm, no_gitignore;
	const char *color; /* --color WHEN */
	const char *progress_mode; /* --progress ("always"), --no-progress ("never"), NULL */
	struct cmd_progress progress;
	struct imagemeta_set *images; /* --images, or NULL */
	struct trace_set *traces; /* --trace, or NULL */
	const char **excludes; /* --exclude */
	size_t nexcludes;
};

/* The engine's record callback: problems, notes, per-file lines, patches. */
void fixcmd_on_record(void *ctx, const struct fixrun_record *rec);
/* The exit code of a run over files or documents. */
int fixcmd_exit_for(const struct fix_cmd *c, const struct fixrun_totals *t);
/* The totals line, or the JSON report, of a run over files. */
void fixcmd_print_totals(const struct fix_cmd *c, const struct fixrun_totals *t);
/* The modes: --branch, '-' (a stream), --krm. Each returns the exit code. */
int fixcmd_run_branch(struct fix_cmd *c, const struct fixrun_opts *o, char **paths, size_t n);
int fixcmd_run_stream(struct fix_cmd *c, const struct fixrun_opts *o);
int fixcmd_run_krm(struct fix_cmd *c);

#endif
