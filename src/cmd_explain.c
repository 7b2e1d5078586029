/*
 * cmd_explain.c - `capfix explain`: describe capabilities from the catalogue
 * (caps.h) as text or JSON.
 */
#include "capfix/caps.h"
#include "capfix/cmd.h"
#include "capfix/msg.h"

#include <getopt.h>
#include <jansson.h>

#define WRAP_WIDTH 78
#define WRAP_INDENT "  "

static const char explain_usage[] =
	"usage: capfix explain [options] [CAP...]\n"
	"\n"
	"Describe Linux capabilities: what each allows, its risk, capfix's advice,\n"
	"whether container runtimes grant it by default, whether the Pod Security\n"
	"Standards allow adding it, and the CIS controls that name it. CAP is a name\n"
	"such as NET_RAW, net_raw or CAP_NET_RAW; with none, every capability is\n"
	"described, in name order.\n"
	"\n"
	"options:\n"
	"  --format FORMAT   text (the default) or json\n"
	"  -h, --help        show this help\n"
	"\n"
	"exit status: 0 done, 2 usage error or unknown capability.\n";

enum explain_format { EXPLAIN_TEXT, EXPLAIN_JSON };

/*
 * Print @prefix and then the words of @text, wrapped so that no line is
 * longer than WRAP_WIDTH columns (unless one word is); continuation lines
 * start with WRAP_INDENT.
 */
static void print_wrapped(FILE *fp, const char *prefix, const char *text)
{
	size_t col = strlen(prefix);
	bool line_empty = true;
	const char *p = text;

	fputs(prefix, fp);
	while (*p) {
		const char *end;
		size_t len;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = strchr(p, ' ');
		len = end ? (size_t)(end - p) : strlen(p);
		if (!line_empty && col + 1 + len > WRAP_WIDTH) {
			fputc('\n', fp);
			fputs(WRAP_INDENT, fp);
			col = strlen(WRAP_INDENT);
			line_empty = true;
		}
		if (!line_empty) {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, len, fp);
		col += len;
		line_empty = false;
		p += len;
	}
	fputc('\n', fp);
}

static void print_text(FILE *fp, const struct cap_info *ci)
{
	const char *const *c;

	fprintf(fp, "%s (CAP_%s, %d): %s\n", ci->name, ci->name, ci->number, ci->summary);
	fprintf(fp, "  risk: %s; advice: %s\n", caps_risk_name(ci->risk),
		caps_advice_name(ci->advice));
	fprintf(fp, "  container runtime default: %s; PSS baseline: %s; PSS restricted: %s\n",
		ci->runtime_default ? "yes" : "no", ci->pss_baseline ? "allowed" : "not allowed",
		ci->pss_restricted ? "allowed" : "not allowed");
	fputs("  CIS: ", fp);
	if (!ci->cis[0])
		fputs("none", fp);
	for (c = ci->cis; *c; c++)
		fprintf(fp, "%s%s", c == ci->cis ? "" : "; ", *c);
	fputc('\n', fp);
	print_wrapped(fp, WRAP_INDENT, ci->explanation);
	if (ci->advice_note)
		print_wrapped(fp, WRAP_INDENT "note: ", ci->advice_note);
}

CF_NORETURN static void json_oom(void)
{
	fputs("capfix: error: out of memory building JSON\n", stderr);
	abort();
}

static json_t *entry_json(const struct cap_info *ci)
{
	const char *const *c;
	json_t *cis = json_array(), *obj;

	if (!cis)
		json_oom();
	for (c = ci->cis; *c; c++)
		if (json_array_append_new(cis, json_string(*c)) < 0)
			json_oom();
	obj = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s?, s:b, s:{s:b, s:b}, s:o}", "name",
			ci->name, "number", ci->number, "summary", ci->summary, "explanation",
			ci->explanation, "risk", caps_risk_name(ci->risk), "advice",
			caps_advice_name(ci->advice), "advice_note", ci->advice_note,
			"runtime_default", (int)ci->runtime_default, "pss", "baseline",
			(int)ci->pss_baseline, "restricted", (int)ci->pss_restricted, "cis", cis);
	if (!obj)
		json_oom();
	return obj;
}

static int print_json(const struct cap_info *const *list, size_t n)
{
	json_t *root, *arr = json_array();
	size_t i;
	int r;

	if (!arr)
		json_oom();
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, entry_json(list[i])) < 0)
			json_oom();
	root = json_pack("{s:i, s:o}", "version", 1, "capabilities", arr);
	if (!root)
		json_oom();
	r = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (r < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "cannot write the JSON output");
		return CF_EXIT_WRITE;
	}
	fputc('\n', stdout);
	return CF_EXIT_OK;
}

/* 0 to go on, 1 when help was printed, -1 on a usage error (reported). */
static int parse_args(enum explain_format *format, int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0; /* glibc: full reset */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (!strcmp(optarg, "text")) {
				*format = EXPLAIN_TEXT;
			} else if (!strcmp(optarg, "json")) {
				*format = EXPLAIN_JSON;
			} else {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR,
					"unknown format '%s' (use text or json)",
					optarg);
				fprintf(stderr, "see 'capfix explain --help'\n");
				return -1;
			}
			break;
		case 'h':
			fputs(explain_usage, stdout);
			return 1;
		default:
			cmd_bad_option("explain", optopt, argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	enum explain_format format = EXPLAIN_TEXT;
	const struct cap_info **list;
	size_t i, n;
	bool unknown = false;
	int r, ret = CF_EXIT_OK;

	r = parse_args(&format, argc, argv);
	if (r)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;

	/* Resolve every name before printing anything. */
	n = optind < argc ? (size_t)(argc - optind) : caps_count();
	list = xcalloc(n ? n : 1, sizeof(*list));
	for (i = 0; i < n; i++) {
		if (optind < argc) {
			list[i] = caps_lookup(argv[optind + (int)i]);
			if (!list[i]) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown capability '%s'",
					argv[optind + (int)i]);
				unknown = true;
			}
		} else {
			list[i] = caps_at(i);
		}
	}
	if (unknown) {
		free(list);
		return CF_EXIT_USAGE;
	}

	if (format == EXPLAIN_JSON) {
		ret = print_json(list, n);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				fputc('\n', stdout);
			print_text(stdout, list[i]);
		}
	}
	free(list);
	return ret;
}
