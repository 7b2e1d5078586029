/*
 * cmd_explain.c - `capfix explain`: describe capabilities from the catalogue
 * (caps.h) as text or JSON.
 */
#include "capfix/caps.h"
#include "capfix/cmd.h"
#include "capfix/msg.h"
#include "capfix/ruledoc.h"
#include "capfix/scan.h"
#include "capfix/sbuf.h"

#include <getopt.h>
#include <jansson.h>

#define WRAP_WIDTH 78
#define WRAP_INDENT "  "

static const char explain_usage[] =
	"usage: capfix explain [options] [CAP...]\n"
	"\n"
	"       capfix explain [options] RULE...   (CF001, cf002...)\n"
	"\n"
	"Describe Linux capabilities: what each allows, its risk, capfix's advice,\n"
	"whether container runtimes grant it by default, whether the Pod Security\n"
	"Standards allow adding it, and the CIS controls that name it. CAP is a name\n"
	"such as NET_RAW, net_raw or CAP_NET_RAW; with none, every capability is\n"
	"described, in name order. A RULE id (as `capfix scan` reports them) prints the\n"
	"rule's page: what it finds, why it matters, the controls, how to fix it and how\n"
	"to suppress it.\n"
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

/* The scan rule with id @arg (any case), or NULL. */
static const struct scan_rule *rule_of(const char *arg)
{
	const struct scan_rule *rules;
	size_t n, i;

	if (strlen(arg) != 5 || (arg[0] != 'C' && arg[0] != 'c') ||
	    (arg[1] != 'F' && arg[1] != 'f'))
		return NULL;
	rules = scan_rules(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(rules[i].id + 2, arg + 2))
			return &rules[i];
	return NULL;
}

/* A rule's page: what, why, controls, how to fix, how to suppress. */
static void print_rule(FILE *fp, const struct scan_rule *r)
{
	struct sbuf sup = SBUF_INIT;
	const char *const *c;
	const char *line, *nl;

	fprintf(fp, "%s %s (%s): %s\n", r->id, r->name, scan_severity_name(r->severity),
		r->summary);
	if (ruledoc_why(r->id))
		print_wrapped(fp, "  why: ", ruledoc_why(r->id));
	fprintf(fp, "  controls:");
	for (c = r->controls; c && *c; c++)
		fprintf(fp, "%s %s", c == r->controls ? "" : ";", *c);
	fprintf(fp, "%s\n", r->controls && *r->controls ? "" : " none");
	print_wrapped(fp, "  fix: ", r->help);
	ruledoc_suppress(r->id, &sup);
	for (line = sup.buf; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		fprintf(fp, "  suppress: %.*s\n", (int)(nl - line), line);
	}
	sbuf_release(&sup);
}

static json_t *rule_json(const struct scan_rule *r)
{
	struct sbuf sup = SBUF_INIT;
	json_t *controls = json_array(), *o;
	const char *const *c;

	for (c = r->controls; c && *c; c++)
		json_array_append_new(controls, json_string(*c));
	ruledoc_suppress(r->id, &sup);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:s, s:s}", "id", r->id, "name", r->name,
		      "severity", scan_severity_name(r->severity), "summary", r->summary, "why",
		      ruledoc_why(r->id), "controls", controls, "fix", r->help, "suppress",
		      sbuf_cstr(&sup));
	sbuf_release(&sup);
	if (!o)
		json_oom();
	return o;
}

static int print_json(const struct cap_info *const *list, size_t n,
		      const struct scan_rule *const *rules, size_t nrules)
{
	json_t *root, *arr = json_array(), *rarr = json_array();
	size_t i;
	int r;

	if (!arr || !rarr)
		json_oom();
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, entry_json(list[i])) < 0)
			json_oom();
	for (i = 0; i < nrules; i++)
		json_array_append_new(rarr, rule_json(rules[i]));
	if (nrules)
		root = json_pack("{s:i, s:o, s:o}", "version", 1, "capabilities", arr, "rules",
				 rarr);
	else
		root = json_pack("{s:i, s:o}", "version", 1, "capabilities", arr);
	if (!nrules)
		json_decref(rarr);
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
					  "unknown format '%s' (use text or json)", optarg);
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
	const struct scan_rule **rules;
	size_t i, n, k, nrules = 0;
	bool unknown = false;
	int r, ret = CF_EXIT_OK;

	r = parse_args(&format, argc, argv);
	if (r)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;

	/* Resolve every name before printing anything: rule ids first, then capabilities. */
	n = optind < argc ? (size_t)(argc - optind) : caps_count();
	list = xcalloc(n ? n : 1, sizeof(*list));
	rules = xcalloc(n ? n : 1, sizeof(*rules));
	for (i = 0, k = 0; optind < argc && i < n; i++) {
		const struct scan_rule *rule = rule_of(argv[optind + (int)i]);

		if (rule)
			rules[nrules++] = rule;
		else
			argv[optind + (int)k++] = argv[optind + (int)i];
	}
	if (optind < argc)
		n = k;
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
		free(rules);
		return CF_EXIT_USAGE;
	}

	if (format == EXPLAIN_JSON) {
		ret = print_json(list, n, rules, nrules);
	} else {
		for (i = 0; i < nrules; i++) {
			if (i)
				fputc('\n', stdout);
			print_rule(stdout, rules[i]);
		}
		for (i = 0; i < n; i++) {
			if (i || nrules)
				fputc('\n', stdout);
			print_text(stdout, list[i]);
		}
	}
	free(list);
	free(rules);
	return ret;
}
