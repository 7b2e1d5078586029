/*
 * cmd_policy.c - `capfix policy psp|pss|vap|kyverno|gatekeeper`.
 */
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fixrun.h"
#include "capfix/fsutil.h"
#include "capfix/imagemeta.h"
#include "capfix/ignore.h"
#include "capfix/k8sname.h"
#include "capfix/msg.h"
#include "capfix/policy.h"
#include "capfix/policygen.h"
#include "capfix/pssapply.h"
#include "capfix/trace.h"

#include <getopt.h>

static const char policy_usage[] =
	"usage: capfix policy psp|pss|vap|kyverno|gatekeeper [options] [PATH...]\n"
	"\n"
	"Generate policy from what the manifests need once fixed (drop ALL, minimal add\n"
	"lists; the files are not changed):\n"
	"  psp         a restricted PodSecurityPolicy (allowedCapabilities: the union of\n"
	"              the add lists) with the ClusterRole and binding that make it\n"
	"              effective; --per-need: workloads needing more get their own PSP\n"
	"              bound to their service account (Kubernetes < 1.25 only)\n"
	"  pss         per namespace, the strictest Pod Security Standards level all its\n"
	"              workloads meet, and what holds it back\n"
	"  vap         a ValidatingAdmissionPolicy and its binding (CEL)\n"
	"  kyverno     a Kyverno ClusterPolicy\n"
	"  gatekeeper  a Gatekeeper ConstraintTemplate and constraint\n"
	"\n"
	"options:\n"
	"  -o, --output FILE      write to FILE instead of standard output\n"
	"  --templates-dir DIR    use DIR/<template>.yaml instead of the built-in templates\n"
	"  --per-need             (psp) one narrow PSP per service account that needs more\n"
	"  --format text|json     (pss) the report format\n"
	"  --write                (pss) set the pod-security.kubernetes.io labels on the\n"
	"                         Namespace manifests, in place\n"
	"  --backout FILE         (pss --write) also write the reverse patch\n"
	"  --emit-missing DIR     (pss) write Namespace manifests for namespaces without one\n"
	"  --assume-empty         (pss) label namespaces without workloads restricted\n"
	"  --namespace NAME       (pss) label or suggest only NAME (repeatable); needed for\n"
	"                         kube-system, kube-public and kube-node-lease\n"
	"  --pss-version V        v1.23 .. v1.37 or latest (default): the checks of that\n"
	"                         Kubernetes version\n"
	"  --action deny|warn|audit  (vap, kyverno, gatekeeper) what a violation does\n"
	"  --config FILE, --no-config  as for fix\n"
	"  --exclude GLOB, --no-gitignore  as for fix\n"
	"  --images PATH, --trace [SELECTOR=]PATH, --trust-denied  evidence for the\n"
	"                         add lists, as for fix (repeatable)\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 done, 1 no pod-bearing objects in the input (nothing generated),\n"
	"2 usage error, 3 some input could not be processed (an invalid name: the object\n"
	"is left out), 4 a file could not be written.\n";

#define MAX_NS 64

struct policy_cmd {
	const char *kind, *output, *tdir, *backout, *emit_missing, *config;
	bool per_need, json, write, no_config, action_set;
	int pss_minor;
	const char *only[MAX_NS];
	struct policy_pss_opts pss;
	enum policygen_action action;
	struct capcfg cfg;
	struct fix_opts fopts;
	const char **excludes; /* --exclude (the array is freed) */
	size_t nexcludes;
	bool no_gitignore;
	struct imagemeta_set *images; /* --images, `images:` (evidence for the fix) */
	struct trace_set *traces; /* --trace, `traces:` */
};

static int parse_args(struct policy_cmd *c, int argc, char **argv)
{
	enum {
		OPT_TDIR = 256,
		OPT_PER_NEED,
		OPT_FORMAT,
		OPT_WRITE,
		OPT_BACKOUT,
		OPT_EMIT,
		OPT_CONFIG,
		OPT_NO_CONFIG,
		OPT_ASSUME_EMPTY,
		OPT_NAMESPACE,
		OPT_EXCLUDE,
		OPT_NO_GITIGNORE,
		OPT_PSS_VERSION,
		OPT_IMAGES,
		OPT_TRACE,
		OPT_TRUST_DENIED,
		OPT_ACTION
	};
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "templates-dir", required_argument, NULL, OPT_TDIR },
		{ "per-need", no_argument, NULL, OPT_PER_NEED },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "write", no_argument, NULL, OPT_WRITE },
		{ "backout", required_argument, NULL, OPT_BACKOUT },
		{ "emit-missing", required_argument, NULL, OPT_EMIT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "assume-empty", no_argument, NULL, OPT_ASSUME_EMPTY },
		{ "namespace", required_argument, NULL, OPT_NAMESPACE },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "no-gitignore", no_argument, NULL, OPT_NO_GITIGNORE },
		{ "pss-version", required_argument, NULL, OPT_PSS_VERSION },
		{ "action", required_argument, NULL, OPT_ACTION },
		{ "images", required_argument, NULL, OPT_IMAGES },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "trust-denied", no_argument, NULL, OPT_TRUST_DENIED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* options that only store their argument, or only set a flag */
	const char **str[OPT_ACTION - 255] = { [OPT_TDIR - 256] = &c->tdir,
					       [OPT_BACKOUT - 256] = &c->backout,
					       [OPT_EMIT - 256] = &c->emit_missing,
					       [OPT_CONFIG - 256] = &c->config };
	bool *flag[OPT_ACTION - 255] = { [OPT_PER_NEED - 256] = &c->per_need,
					 [OPT_WRITE - 256] = &c->write,
					 [OPT_NO_CONFIG - 256] = &c->no_config,
					 [OPT_ASSUME_EMPTY - 256] = &c->pss.assume_empty };
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		if (opt >= 256 && opt <= OPT_ACTION && (str[opt - 256] || flag[opt - 256])) {
			if (str[opt - 256])
				*str[opt - 256] = optarg;
			else
				*flag[opt - 256] = true;
			continue;
		}
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case OPT_FORMAT:
			if (cmd_opt_text_json(optarg, &c->json) < 0)
				return -1;
			break;
		case OPT_EXCLUDE:
			cmd_opt_append(&c->excludes, &c->nexcludes, optarg);
			break;
		case OPT_NO_GITIGNORE:
			c->no_gitignore = true;
			break;
		case OPT_NAMESPACE:
			if (!k8sname_valid(K8SNAME_LABEL, optarg) || c->pss.nonly >= MAX_NS) {
				msg_print(
					stderr, NULL, 0, 0, MSG_ERROR,
					"--namespace '%.64s': not a namespace name, or more than %d",
					optarg, MAX_NS);
				return -1;
			}
			c->only[c->pss.nonly++] = optarg;
			c->pss.only = c->only;
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
		case OPT_PSS_VERSION:
			if (cmd_opt_pss(optarg, &c->pss_minor) < 0)
				return -1;
			break;
		case OPT_ACTION:
			if (policygen_action_parse(optarg) < 0) {
				msg_print(stderr, NULL, 0, 0, MSG_ERROR,
					  "--action '%.32s': deny, warn or audit", optarg);
				return -1;
			}
			c->action = (enum policygen_action)policygen_action_parse(optarg);
			c->action_set = true;
			break;
		case 'h':
			fputs(policy_usage, stdout);
			return 1;
		default:
			cmd_bad_option("policy", 0, argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

/* `pss --write`: each manifest's outcome (pssapply_transform() labelled it). */
struct label_run {
	const struct pssapply_plan *plan;
	struct sbuf *report;
	size_t errors;
};

static void label_record(void *ctx, const struct fixrun_record *rec)
{
	struct label_run *lr = ctx;
	const struct sbuf *done = &lr->plan->done[rec->index];
	const struct sbuf *failed = &lr->plan->failed[rec->index];

	if (rec->why)
		cmd_print_problem(rec);
	if (!rec->path)
		return;
	fputs(sbuf_cstr(failed), stderr);
	lr->errors += failed->len > 0;
	if (rec->outcome == FIXRUN_CHANGED)
		sbuf_add(lr->report, sbuf_cstr(done), done->len);
}

/* Label the Namespace manifests in place (backout patch first); an exit code. */
static int label_files(struct policy_cmd *c, struct pssapply_plan *plan, struct sbuf *report)
{
	struct label_run lr = { plan, report, 0 };
	struct fixrun_opts o;
	struct fixrun_totals t;

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	o.sink = FIXRUN_WRITE;
	o.fix = &c->fopts;
	o.transform = pssapply_transform;
	o.transform_ctx = plan;
	o.record = label_record;
	o.record_ctx = &lr;
	o.backout = c->backout;
	o.max_size = FSUTIL_DEFAULT_MAX_SIZE;
	o.jobs = 1;
	fixrun_file_list(&o, plan->paths, plan->npaths, &t);
	if (t.write_errors)
		return CF_EXIT_WRITE;
	return t.errors || lr.errors ? CF_EXIT_INPUT : CF_EXIT_OK;
}

/* --write labels Namespace manifests; the others get kubectl commands or --emit-missing files. */
static int write_labels(struct policy_cmd *c, const struct policy_set *ps, struct sbuf *report)
{
	struct pssapply_opts ao = { &c->pss, c->pss_minor, c->write, c->emit_missing, c->tdir };
	struct pssapply_plan plan;
	int ret = CF_EXIT_OK;
	size_t i;

	pssapply_plan(&plan, ps, &ao);
	if (c->write)
		ret = label_files(c, &plan, report);
	for (i = 0; i < plan.nns; i++) {
		const struct pssapply_ns *it = &plan.ns[i];

		if (it->note)
			msg_print(stderr, it->note_path, it->note_line, 0, it->note_sev, "%s",
				  it->note);
		if (it->action == PSSAPPLY_BAD_NAME)
			ret = CF_EXIT_INPUT;
		else if (it->action == PSSAPPLY_FAILED)
			ret = CF_EXIT_WRITE;
		else if (it->action == PSSAPPLY_COMMAND)
			sbuf_addstr(report, it->text);
		else if (it->action != PSSAPPLY_EMIT)
			continue;
		else if (fsutil_write_new(it->file, it->text, strlen(it->text)) < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
		} else {
			sbuf_addf(report, "wrote %s\n", it->file);
		}
	}
	pssapply_plan_release(&plan);
	return ret;
}

/* The fixed workloads are gathered by the run engine (check mode: nothing is written). */
static void gather_record(void *ctx, const struct fixrun_record *rec)
{
	(void)ctx;
	if (rec->why)
		cmd_print_problem(rec);
}

/* The notes gathered and made (errors: invalid names), in order; the count of errors. */
static size_t print_notes(const struct policy_set *ps, size_t from)
{
	size_t i, errors = 0;

	for (i = from; i < ps->nnotes; i++) {
		const struct policy_note *n = &ps->notes[i];

		msg_print(stderr, n->path, n->line, n->col, n->sev, "%s", n->text);
		errors += n->sev == MSG_ERROR;
	}
	return errors;
}

static int check_args(const struct policy_cmd *c)
{
	const char *bad = NULL;

	if (strcmp(c->kind, "pss") && (c->json || c->write || c->backout || c->emit_missing ||
				       c->pss.assume_empty || c->pss.nonly))
		bad = "--format, --write, --backout, --emit-missing, --assume-empty and --namespace are for 'policy pss'";
	else if (c->backout && !c->write)
		bad = "--backout needs --write";
	else if (c->per_need && strcmp(c->kind, "psp"))
		bad = "--per-need is for 'policy psp'";
	else if (c->action_set && (!strcmp(c->kind, "psp") || !strcmp(c->kind, "pss")))
		bad = "--action is for 'policy vap', 'kyverno' and 'gatekeeper'";
	if (bad)
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", bad);
	return bad ? -1 : 0;
}

/* `pss`: the report, then --write, kubectl commands or --emit-missing files; an exit code. */
static int run_pss(struct policy_cmd *c, const struct policy_set *ps, struct sbuf *out)
{
	struct sbuf rep = SBUF_INIT;
	int w;

	if (policy_render_pss(out, ps, &c->pss, c->json) < 0)
		return -1;
	w = write_labels(c, ps, &rep);
	if (c->json) {
		fputs(sbuf_cstr(&rep), stderr);
	} else if (rep.len) {
		sbuf_addch(out, '\n');
		sbuf_add(out, rep.buf, rep.len);
	}
	sbuf_release(&rep);
	return w;
}

/* The totals line, like fix's and scan's: what the policy covers and what it makes exceptions for.
 */
static void print_totals(const char *kind, const struct policygen_stats *st)
{
	fprintf(stderr,
		"capfix: %s policy for %zu workload%s in %zu namespace%s: %zu exception%s "
		"(%zu exempt from the capability rules, %zu allowed more capabilities",
		kind, st->workloads, st->workloads == 1 ? "" : "s", st->namespaces,
		st->namespaces == 1 ? "" : "s", st->exceptions, st->exceptions == 1 ? "" : "s",
		st->exempt, st->more_caps);
	if (!strcmp(kind, "psp"))
		fprintf(stderr, ", %zu needing PSP fields relaxed; %zu service account PSP%s",
			st->psp_relaxed, st->service_accounts,
			st->service_accounts == 1 ? "" : "s");
	fprintf(stderr, "), %zu denied after fix\n", st->denied);
}

int cmd_policy(int argc, char **argv)
{
	struct policy_cmd c;
	struct policy_set ps = POLICY_SET_INIT;
	struct sbuf out = SBUF_INIT;
	struct ignore ig = IGNORE_INIT;
	size_t seen;
	int r, ret = CF_EXIT_OK, errors = 0;

	memset(&c, 0, sizeof(c));
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(policy_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CF_EXIT_USAGE : CF_EXIT_OK;
	}
	c.kind = argv[1];
	if (strcmp(c.kind, "psp") && strcmp(c.kind, "pss") && strcmp(c.kind, "vap") &&
	    strcmp(c.kind, "kyverno") && strcmp(c.kind, "gatekeeper")) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "unknown policy '%s'", c.kind);
		fputs("see 'capfix policy --help'\n", stderr);
		return CF_EXIT_USAGE;
	}
	r = parse_args(&c, argc - 1, argv + 1);
	if (r || check_args(&c) < 0) {
		ret = r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
		goto done;
	}
	if (cmd_load_config(&c.cfg, c.config, c.no_config, &c.fopts) < 0 ||
	    cmd_ignore_setup(&ig, c.excludes, c.nexcludes, c.no_gitignore) < 0 ||
	    (c.fopts.cfg && cmd_load_evidence(c.fopts.cfg, &c.images, &c.traces) < 0)) {
		ret = CF_EXIT_USAGE;
		goto done;
	}
	c.fopts.images = c.images;
	c.fopts.traces = c.traces;
	optind++; /* past the kind */
	ps.pss_minor = c.pss_minor;
	{
		struct fixrun_opts o;
		struct fixrun_totals t;
		struct policy_gather_ctx g = { &ps, &c.fopts };

		memset(&o, 0, sizeof(o));
		memset(&t, 0, sizeof(t));
		o.sink = FIXRUN_CHECK;
		o.fix = &c.fopts;
		o.transform = policy_gather_transform;
		o.transform_ctx = &g;
		o.record = gather_record;
		o.max_size = FSUTIL_DEFAULT_MAX_SIZE;
		o.jobs = 1; /* policy_gather() adds to one set */
		o.ignore = &ig;
		fixrun_files(&o, (const char *const *)argv + optind, (size_t)(argc - optind), &t);
		errors = t.errors > 0;
	}
	/* invalid names: errors, the objects left out */
	errors |= print_notes(&ps, 0) > 0;
	seen = ps.nnotes;
	if (!ps.nw) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR,
			  "no pod-bearing objects (Pod, Deployment, StatefulSet, DaemonSet, Job, "
			  "CronJob, ...) in the input: no %s policy generated",
			  c.kind);
		ret = errors ? CF_EXIT_INPUT : CF_EXIT_CHANGES;
		goto done;
	}
	if (!strcmp(c.kind, "pss")) {
		r = run_pss(&c, &ps, &out);
		if (r > 0)
			ret = r;
	} else {
		struct policygen_opts go = { c.kind, c.tdir, c.per_need, c.action };
		struct policygen_stats st;

		r = policygen_render_stats(&out, &ps, &go, &st);
		print_notes(&ps, seen);
		if (r > 0)
			msg_print(stderr, NULL, 0, 0, MSG_WARNING,
				  "the %s policy would deny %d workload%s of this input after fix "
				  "(see above)",
				  c.kind, r, r == 1 ? "" : "s");
		if (r >= 0)
			print_totals(c.kind, &st);
	}
	if (r < 0) {
		msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
		ret = CF_EXIT_USAGE;
		goto done;
	}
	if (c.output) {
		if (fsutil_write_new(c.output, out.buf ? out.buf : "", out.len) < 0) {
			msg_print(stderr, NULL, 0, 0, MSG_ERROR, "%s", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
		}
	} else {
		fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	}
	if (ret == CF_EXIT_OK && errors)
		ret = CF_EXIT_INPUT;
done:
	imagemeta_set_free(c.images);
	trace_set_free(c.traces);
	free(c.excludes);
	policy_set_release(&ps);
	capcfg_release(&c.cfg);
	ignore_release(&ig);
	sbuf_release(&out);
	return ret;
}
