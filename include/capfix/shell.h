/*
 * shell.h - what the commands of a container run, and what that needs.
 *
 * A static reading of POSIX shell: the tokenizer knows single and double
 * quotes, backslash escapes and line continuations, $'...', `$(...)` and
 * backticks (their bodies are commands too), ${...}, $((...)), comments and
 * here-documents (their bodies are data). Simple commands are split on the
 * control operators (; & && || | |& ;; newline ( )) and the reserved words
 * (if then else elif fi, for/select ... do done, while until, case ... in
 * ... esac, { } !, function); leading assignments (A=1 cmd) and
 * redirections (> file, 2>&1, <<EOF) are skipped. Only words in command
 * position name programs: the arguments of echo, printf or grep are data,
 * and `apk add tcpdump` installs tcpdump without running it.
 *
 * Wrappers are unwrapped: exec, command (not -v/-V), builtin, eval, env
 * (options and assignments), nohup, nice, timeout, time, stdbuf, xargs,
 * busybox, chroot, find -exec/-execdir/-ok, sudo, tini (--), dumb-init and
 * the user switchers gosu USER, su-exec USER, setpriv (options), runuser
 * (-u USER --, or USER -c), su (USER -c), chpst (-u USER): what they run
 * after switching to a user other than root runs without capabilities.
 * `sh|bash|ash|dash|ksh|zsh -c STRING` (also -ec, -xc, -euxc, -o
 * pipefail -c) is read as a script, to a depth of SHELL_MAX_DEPTH.
 *
 * The needs table maps programs (by basename) to the capabilities they need
 * once ALL are dropped, each row with its source (capabilities(7), the
 * tool's manual, or ../shared/research/evidence.md). Package managers
 * whose needs were not measured (dnf, yum, microdnf, rpm, zypper) add
 * nothing and are reported as unmeasured.
 *
 * Reasons and sources are static strings. Nothing here prints, exits or
 * fails; memory is freed before each call returns.
 */
#ifndef CAPFIX_SHELL_H
#define CAPFIX_SHELL_H

#include "capfix/sbuf.h"

/* Scripts within scripts (sh -c, $(...), eval) are read this deep. */
#define SHELL_MAX_DEPTH 8

/*
 * Called for each program in command position, outermost first (a wrapper,
 * then what it runs): @argv[0] as written, @argc >= 1, @root: it runs as
 * root as far as the text says (the caller's @root, until a user switch).
 */
typedef void (*shell_program_fn)(void *ctx, const char *const *argv, size_t argc, bool root);

/* Every program the script @script runs. */
void shell_each_program(const char *script, bool root, shell_program_fn fn, void *ctx);

/* Every program the argument vector @argv (@argc words, as exec'd: no shell) runs. */
void shell_each_program_argv(const char *const *argv, size_t argc, bool root, shell_program_fn fn,
			     void *ctx);

/* What the programs run as root need (kernel numbers as bits). */
struct shell_needs {
	uint64_t caps;
	const char *why[64]; /* per capability: "the command runs chown" (first wins) */
	const char *source[64]; /* per capability: where the need is documented */
	const char *unmeasured; /* a package manager whose needs are not measured, or NULL */
	bool switches_user; /* a user switcher runs as root */
	bool kills; /* kill runs as root */
	size_t programs; /* programs seen in command position */
};

void shell_needs_init(struct shell_needs *n);

/* Add the needs of script @script (run by `sh -c`) to @n. */
void shell_needs_script(struct shell_needs *n, const char *script, bool root);

/* Add the needs of argument vector @argv (exec'd, no shell) to @n. */
void shell_needs_argv(struct shell_needs *n, const char *const *argv, size_t argc, bool root);

/* The basename of @prog ("/usr/bin/chown" gives "chown"). */
const char *shell_basename(const char *prog);

#endif
