/*
 * cmd_policy.c - `capfix policy psp|pss|vap|kyverno|gatekeeper`.
 */
#include "capfix/capcfg.h"
#include "capfix/cmd.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/patch.h"
#include "capfix/policy.h"
#include "capfix/templates.h"
#include "capfix/walk.h"

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

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
	"  --config FILE, --no-config  as for fix\n"
	"  -h, --help             show this help\n"
	"\n"
	"exit status: 0 done, 2 usage error, 3 some input could not be processed,\n"
	"4 a file could not be written.\n";

struct policy_cmd {
	const char *kind, *output, *tdir, *backout, *emit_missing, *config;
	bool per_need, json, write, no_config;
	struct capcfg cfg;
	struct fix_opts fopts;
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
		OPT_NO_CONFIG
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			c->output = optarg;
			break;
		case OPT_TDIR:
			c->tdir = optarg;
			break;
		case OPT_PER_NEED:
			c->per_need = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "capfix policy: error: unknown format '%s'\n",
					optarg);
				return -1;
			}
			c->json = !strcmp(optarg, "json");
			break;
		case OPT_WRITE:
			c->write = true;
			break;
		case OPT_BACKOUT:
			c->backout = optarg;
			break;
		case OPT_EMIT:
			c->emit_missing = optarg;
			break;
		case OPT_CONFIG:
			c->config = optarg;
			break;
		case OPT_NO_CONFIG:
			c->no_config = true;
			break;
		case 'h':
			fputs(policy_usage, stdout);
			return 1;
		default:
			fprintf(stderr, "capfix policy: error: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			fprintf(stderr, "see 'capfix policy --help'\n");
			return -1;
		}
	}
	return 0;
}

/* Load --config FILE, or ./.capfix.yaml when present. Returns 0 or -1 (printed). */
static int load_config(struct policy_cmd *c)
{
	int r;

	if (c->no_config)
		return 0;
	r = capcfg_load_file(&c->cfg, c->config);
	if (r < 0)
		fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
	else if (r > 0)
		c->fopts.cfg = &c->cfg;
	return r < 0 ? -1 : 0;
}

static const char *pss_keys[] = {
	"pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/enforce-version",
	"pod-security.kubernetes.io/warn",    "pod-security.kubernetes.io/warn-version",
	"pod-security.kubernetes.io/audit",   "pod-security.kubernetes.io/audit-version"
};

/* The labels for a namespace enforcing @lvl: warn and audit at restricted when weaker. */
static size_t pss_labels(enum pss_level lvl, const char **values)
{
	values[0] = pss_level_name(lvl);
	values[1] = "latest";
	if (lvl == PSS_RESTRICTED)
		return 2;
	values[2] = "restricted";
	values[3] = "latest";
	values[4] = "restricted";
	values[5] = "latest";
	return 6;
}

/* Label every Namespace of manifest @path in one pass: one write, one patch. */
static int label_file(struct policy_cmd *c, const struct policy_set *ps, const char *path,
		      struct sbuf *backout, struct sbuf *report)
{
	struct sbuf orig = SBUF_INIT, cur = SBUF_INIT;
	size_t j;
	int ret = CF_EXIT_OK;
	bool changed = false;

	if (fsutil_read(path, FSUTIL_DEFAULT_MAX_SIZE, &orig) < 0) {
		fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
		return CF_EXIT_INPUT;
	}
	sbuf_add(&cur, orig.buf ? orig.buf : "", orig.len);
	for (j = 0; j < ps->nns; j++) {
		const struct policy_namespace *pn = &ps->ns[j];
		enum pss_level lvl;
		const char *values[6];
		size_t nl;
		struct fix_result res;

		if (!pn->path || strcmp(pn->path, path))
			continue;
		lvl = policy_ns_level(ps, pn->name);
		nl = pss_labels(lvl, values);
		fix_result_init(&res);
		if (fix_labels(&res, cur.buf, cur.len, pn->name, pss_keys, values, nl) < 0) {
			fprintf(stderr, "%s: error: namespace %s left unchanged: %s\n", path,
				pn->name, res.err.msg);
			ret = CF_EXIT_INPUT;
		} else if (res.changed) {
			sbuf_setlen(&cur, 0);
			sbuf_add(&cur, res.out.buf, res.out.len);
			changed = true;
			sbuf_addf(report, "labelled %s: namespace %s enforces %s\n", path, pn->name,
				  values[0]);
		}
		fix_result_release(&res);
	}
	if (changed) {
		if ((c->backout && patch_append(backout, path, false, cur.buf, cur.len, orig.buf,
						orig.len) < 0) ||
		    fsutil_write_atomic(path, cur.buf, cur.len) < 0) {
			fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
		}
	}
	sbuf_release(&orig);
	sbuf_release(&cur);
	return ret;
}

/* --write: label the Namespace manifests; others get kubectl commands or --emit-missing files. */
static int write_labels(struct policy_cmd *c, const struct policy_set *ps, struct sbuf *report)
{
	struct sbuf backout = SBUF_INIT;
	const char **names = NULL, **paths;
	size_t n = policy_namespaces(ps, &names), i, j, np = 0;
	int ret = CF_EXIT_OK, r;

	/* the manifests, each once, in name order */
	paths = xcalloc(ps->nns ? ps->nns : 1, sizeof(*paths));
	for (i = 0; c->write && i < n; i++) {
		for (j = 0; j < ps->nns; j++) {
			const struct policy_namespace *pn = &ps->ns[j];
			size_t k;
			bool seen = false;

			if (strcmp(pn->name, names[i]) || !pn->path)
				continue;
			for (k = 0; k < np; k++)
				seen |= !strcmp(paths[k], pn->path);
			if (!seen)
				paths[np++] = pn->path;
		}
	}
	for (i = 0; i < np; i++) {
		r = label_file(c, ps, paths[i], &backout, report);
		if (r > ret)
			ret = r;
	}
	for (i = 0; i < n; i++) {
		const struct policy_namespace *pn = NULL;
		enum pss_level lvl = policy_ns_level(ps, names[i]);
		const char *values[6];
		size_t nl = pss_labels(lvl, values);

		for (j = 0; j < ps->nns; j++)
			if (!strcmp(ps->ns[j].name, names[i]))
				pn = &ps->ns[j];
		if (pn && pn->path)
			continue;
		if (c->emit_missing) {
			struct sbuf t = SBUF_INIT, lab = SBUF_INIT, out = SBUF_INIT, p = SBUF_INIT;
			const char *k[] = { "namespace", "labels" };
			const char *v[2];

			for (j = 0; j < nl; j++)
				sbuf_addf(&lab, "    %s: %s%s", pss_keys[j], values[j],
					  j + 1 < nl ? "\n" : "");
			v[0] = names[i];
			v[1] = lab.buf;
			sbuf_addf(&p, "%s/namespace-%s.yaml", c->emit_missing, names[i]);
			if (templates_load(c->tdir, "namespace.yaml", &t) < 0 ||
			    templates_render(t.buf, k, v, 2, &out) < 0 ||
			    fsutil_write_new(p.buf, out.buf, out.len) < 0) {
				fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
				ret = CF_EXIT_WRITE;
			} else {
				sbuf_addf(report, "wrote %s\n", p.buf);
			}
			sbuf_release(&t);
			sbuf_release(&lab);
			sbuf_release(&out);
			sbuf_release(&p);
		} else {
			sbuf_addf(report, "kubectl label --overwrite namespace %s", names[i]);
			for (j = 0; j < nl; j++)
				sbuf_addf(report, " %s=%s", pss_keys[j], values[j]);
			sbuf_addch(report, '\n');
		}
	}
	if (c->backout &&
	    fsutil_write_new(c->backout, backout.buf ? backout.buf : "", backout.len) < 0) {
		fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
		ret = CF_EXIT_WRITE;
	}
	free(names);
	free(paths);
	sbuf_release(&backout);
	return ret;
}

int cmd_policy(int argc, char **argv)
{
	struct policy_cmd c;
	struct policy_set ps = POLICY_SET_INIT;
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf content = SBUF_INIT, out = SBUF_INIT;
	const char *dot[] = { "." };
	size_t i;
	int r, ret = CF_EXIT_OK, errors = 0;

	memset(&c, 0, sizeof(c));
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(policy_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? CF_EXIT_USAGE : CF_EXIT_OK;
	}
	c.kind = argv[1];
	if (strcmp(c.kind, "psp") && strcmp(c.kind, "pss") && strcmp(c.kind, "vap") &&
	    strcmp(c.kind, "kyverno") && strcmp(c.kind, "gatekeeper")) {
		fprintf(stderr,
			"capfix policy: error: unknown policy '%s'\nsee 'capfix policy --help'\n",
			c.kind);
		return CF_EXIT_USAGE;
	}
	r = parse_args(&c, argc - 1, argv + 1);
	if (r)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (strcmp(c.kind, "pss") && (c.json || c.write || c.backout || c.emit_missing)) {
		fprintf(stderr,
			"capfix policy: error: --format, --write, --backout and --emit-missing are for 'policy pss'\n");
		return CF_EXIT_USAGE;
	}
	if (c.per_need && strcmp(c.kind, "psp")) {
		fprintf(stderr, "capfix policy: error: --per-need is for 'policy psp'\n");
		return CF_EXIT_USAGE;
	}
	if (load_config(&c) < 0)
		return CF_EXIT_USAGE;
	optind++; /* past the kind */
	if (optind < argc)
		walk_collect(&wr, (const char *const *)argv + optind, (size_t)(argc - optind));
	else
		walk_collect(&wr, dot, 1);
	for (i = 0; i < wr.nproblems; i++) {
		fprintf(stderr, "%s: %s: %s\n", wr.problems[i].path,
			wr.problems[i].error ? "error" : "warning", wr.problems[i].msg);
		errors += wr.problems[i].error;
	}
	for (i = 0; i < wr.nfiles; i++) {
		struct fix_result res;

		if (wr.files[i].chart_template)
			continue;
		if (fsutil_read(wr.files[i].path, FSUTIL_DEFAULT_MAX_SIZE, &content) < 0) {
			fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
			errors++;
			continue;
		}
		fix_result_init(&res);
		c.fopts.json = strlen(wr.files[i].path) > 5 &&
			       !strcmp(wr.files[i].path + strlen(wr.files[i].path) - 5, ".json");
		if (policy_gather(&ps, wr.files[i].path, content.buf ? content.buf : "",
				  content.len, &c.fopts, &res) < 0) {
			fprintf(stderr, "%s:%d:%d: error: %s\n", wr.files[i].path, res.err.line,
				res.err.col, res.err.msg);
			errors++;
		}
		fix_result_release(&res);
	}
	if (!strcmp(c.kind, "pss")) {
		r = policy_render_pss(&out, &ps, c.json);
		if (!r) {
			/* --write labels manifests; kubectl commands (or --emit-missing files)
			 * for namespaces without one */
			struct sbuf rep = SBUF_INIT;
			int w = write_labels(&c, &ps, &rep);

			if (c.json) {
				fputs(sbuf_cstr(&rep), stderr);
			} else if (rep.len) {
				sbuf_addch(&out, '\n');
				sbuf_add(&out, rep.buf, rep.len);
			}
			if (w != CF_EXIT_OK)
				ret = w;
			sbuf_release(&rep);
		}
	} else {
		r = policy_render(&out, &ps, c.kind, c.tdir, c.per_need);
	}
	if (r < 0) {
		fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
		ret = CF_EXIT_USAGE;
		goto done;
	}
	if (c.output) {
		if (fsutil_write_new(c.output, out.buf ? out.buf : "", out.len) < 0) {
			fprintf(stderr, "capfix policy: error: %s\n", cf_err_last()->msg);
			ret = CF_EXIT_WRITE;
		}
	} else {
		fwrite(out.buf ? out.buf : "", 1, out.len, stdout);
	}
	if (ret == CF_EXIT_OK && errors)
		ret = CF_EXIT_INPUT;
done:
	policy_set_release(&ps);
	walk_result_release(&wr);
	capcfg_release(&c.cfg);
	sbuf_release(&content);
	sbuf_release(&out);
	return ret;
}
