/*
 * main.c - capfix's entry point: global options, command dispatch, and the
 * final check that standard output was written.
 */
#include "capfix/cmd.h"
#include "capfix/msg.h"
#include "capfix/compat.h"
#include "capfix/gitops.h"
#include "capfix/patch.h"

#include <errno.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "fix", cmd_fix, "make every container drop ALL capabilities, editing files in place" },
	{ "scan", cmd_scan, "audit capabilities (CIS, Pod Security Standards); text, JSON, SARIF" },
	{ "policy", cmd_policy,
	  "generate PSPs, Pod Security Standards labels, VAP/Kyverno/Gatekeeper" },
	{ "explain", cmd_explain, "describe Linux capabilities: risk, advice, defaults, PSS, CIS" },
	{ "images", cmd_images, "list the image references manifests and compose files use" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: capfix <command> [options] [PATH...]\n"
		    "       capfix --help | --version\n\ncommands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\n'capfix <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	size_t i;
	int ret = CF_EXIT_USAGE;

	/* run as capfix-post-render (a Helm 3 post-renderer): `capfix fix -q - ARGS...` */
	{
		const char *base = strrchr(argv[0], '/');

		base = base ? base + 1 : argv[0];
		if (!strcmp(base, "capfix-post-render")) {
			char **args = xcalloc((size_t)argc + 3, sizeof(*args));
			int k, n = 0;

			args[n++] = "fix";
			args[n++] = "-q";
			for (k = 1; k < argc; k++)
				args[n++] = argv[k];
			args[n++] = "-";
			ret = cmd_fix(n, args);
			gitops_lib_shutdown();
			free(args);
			goto out;
		}
	}
	if (argc < 2) {
		usage(stderr);
		return CF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		ret = CF_EXIT_OK;
		goto out;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("capfix %s\n", CAPFIX_VERSION);
		ret = CF_EXIT_OK;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			int k;

			/* `capfix COMMAND --version`, for every command (options end at "--") */
			for (k = 2; k < argc && strcmp(argv[k], "--"); k++) {
				if (!strcmp(argv[k], "--version")) {
					printf("capfix %s\n", CAPFIX_VERSION);
					ret = CF_EXIT_OK;
					goto out;
				}
			}
			ret = commands[i].fn(argc - 1, argv + 1);
			gitops_lib_shutdown();
			goto out;
		}
	}
	msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown command '%s'", argv[1]);
	usage(stderr);
	return CF_EXIT_USAGE;
out:
	if (fflush(stdout) != 0 || ferror(stdout)) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "write failure on standard output: %s",
			  strerror(errno));
		return CF_EXIT_WRITE;
	}
	return ret;
}
