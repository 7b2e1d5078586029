/*
 * cmd.h - the commands (one file each, like git's builtin/), and the exit
 * codes they return.
 */
#ifndef CAPFIX_CMD_H
#define CAPFIX_CMD_H

enum cf_exit {
	CF_EXIT_OK = 0, /* nothing to do, or done */
	CF_EXIT_CHANGES = 1, /* fix --check: something would change; scan: findings */
	CF_EXIT_USAGE = 2, /* bad command line */
	CF_EXIT_INPUT = 3, /* some input could not be processed; the rest was */
	CF_EXIT_WRITE = 4, /* a file could not be written */
};

/* Each returns the process exit code; argv[0] is the command name. */
int cmd_fix(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_policy(int argc, char **argv);

#endif
