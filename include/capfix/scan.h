/*
 * scan.h - the read-only capability audit behind `capfix scan`.
 *
 * Kubernetes manifests (files, streams, `kubectl get -o yaml|json` lists),
 * PodSecurityPolicy objects and `docker inspect` output are checked against
 * a fixed rule table (stable ids, see scan_rules()). Each rule names the
 * controls it maps to, always with the benchmark version: CIS Kubernetes
 * 1.6-1.20 and 1.23+, CIS Docker up to 1.5.0 and 1.6.0, Pod Security
 * Standards baseline and restricted.
 *
 * The capability rules (CF001-CF008) apply to every container of a Linux
 * pod: privileged ones (CF006 and the lists, as CIS's audit commands list
 * added capabilities whatever the rest) and partial objects (kustomize
 * patches, containers without image: findings marked partial). Windows
 * pods are not audited. Compose override fragments (compose.h's
 * compose_service_partial()) are not reported for what they do not say
 * (CF204 drop ALL, CF202 NET_RAW kept); what they add is, marked partial.
 * The Pod Security checks (CF301, CF302) need a whole pod: partial objects
 * are left out of them.
 *
 * Ownership: a struct scan_result owns its findings, errors and per-file
 * records; release it with scan_result_release(). Rules are static.
 */
#ifndef CAPFIX_SCAN_H
#define CAPFIX_SCAN_H

#include "capfix/compat.h"

enum scan_severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

struct scan_rule {
	const char *id; /* stable: "CF001" */
	const char *name; /* stable: "drop-all-missing" */
	enum scan_severity severity;
	const char *summary; /* one line */
	const char *help; /* how to fix it */
	const char *const *controls; /* NULL-terminated, each with its benchmark version */
};

struct scan_finding {
	const struct scan_rule *rule;
	enum scan_severity severity; /* the rule's, raised for critical capabilities */
	char *path;
	int line, col; /* 1-based */
	char *kind, *name, *ns; /* the object; ns may be NULL */
	char *container; /* NULL for object-level findings */
	char *message;
	size_t file, seq; /* for ordering: index of the input, order of discovery */
	/*
	 * A partial object (a kustomize patch, a container without image, a
	 * compose override fragment): the finding holds for what the fragment
	 * says, the object it is merged into may say more.
	 */
	bool partial;
	const char *check; /* CF301/CF302: the Pod Security check's id (static), else NULL */
	bool baseline; /* in the baseline (baseline.h): reported, never counted for --fail-on */
	/* suppressed: by "annotation", "config", "kubeaudit" or "compose" (static), with
	 * its reason; never counted for --fail-on. NULL: not suppressed */
	const char *suppress_by;
	char *suppress_reason;
};

struct scan_error {
	char *path;
	int line, col;
	char *message;
	bool skipped; /* a Helm template skipped on purpose, not a failure */
};

/* Per input file: what was looked at (for reports and cross-checks). */
struct scan_file {
	char *path;
	const char *status; /* "scanned", "skipped" or "error" (static strings) */
	size_t objects; /* pod-bearing objects, PSPs and docker containers */
	size_t containers; /* containers of pod-bearing objects */
	size_t adding; /* ... with a non-empty capabilities.add */
	size_t dropping_all; /* ... whose drop holds "ALL" exactly */
	size_t services; /* docker-compose services */
};

struct scan_result {
	struct scan_finding *findings;
	size_t nfindings, afindings;
	struct scan_error *errors;
	size_t nerrors, aerrors;
	struct scan_file *files;
	size_t nfiles, afiles;
	/* PodSecurityPolicies seen, for the set-level rule (scan_finish) */
	size_t psps, psps_dropping_net_raw;
	char *first_psp_path;
	int first_psp_line, first_psp_col;
	char *first_psp_name;
};

#define SCAN_RESULT_INIT                                                                           \
	{                                                                                          \
		0                                                                                  \
	}

/* The rule table, in id order, and its size. */
const struct scan_rule *scan_rules(size_t *count);

/* "info", "low", "medium", "high", "critical"; and back (-1 if unknown). */
const char *scan_severity_name(enum scan_severity sev);
int scan_severity_parse(const char *name);

/* How to scan (borrowed for the call; NULL means SCAN_OPTS_INIT). */
struct capcfg;

/*
 * Suppression (unless no_ignores): suppress.h's annotations on the object
 * or its pod template, kubeaudit's allow-capability overrides (no CF003,
 * CF004, CF005 for those capabilities), a compose service's x-capfix
 * ignore, and @cfg's ignore rules. Suppressed findings stay in the result
 * with suppress_by and the reason; an ignore annotation without a reason is
 * an error at its place and suppresses nothing.
 */
struct trace_set;
struct imagemeta_set;

struct scan_opts {
	int pss_minor; /* CF301/CF302: the Pod Security checks of Kubernetes 1.N (pss.h); 0 latest
			*/
	const struct capcfg *cfg; /* .capfix.yaml ignore rules, or NULL */
	bool no_ignores; /* --no-ignores: nothing is suppressed */
	const struct trace_set *traces; /* runtime traces (CF009, CF010), or NULL */
	bool trust_denied; /* a capability a trace only saw denied counts as a need */
	const struct imagemeta_set
		*images; /* image metadata (CF011; non-root trace checks), or NULL */
};

#define SCAN_OPTS_INIT                                                                             \
	{                                                                                          \
		0, NULL, false, NULL, false, NULL                                                  \
	}

/*
 * Audit @len bytes of @buf read from @path (a label: "-" for stdin) into
 * @res. @json selects libfyaml's JSON mode. A file that cannot be parsed
 * becomes a scan_error and a scan_file with status "error"; @chart_template
 * records a skipped Helm template without parsing. This function can't fail.
 */
void scan_buffer(struct scan_result *res, const char *path, const char *buf, size_t len, bool json);

/* As scan_buffer(), with options @o (may be NULL). */
void scan_buffer_opts(struct scan_result *res, const struct scan_opts *o, const char *path,
		      const char *buf, size_t len, bool json);
void scan_skip_template(struct scan_result *res, const char *path);

/* Record an error at a place of input @path (the input's own status is the caller's). */
void scan_add_error(struct scan_result *res, const char *path, int line, int col,
		    const char *message);

/* An input that could not be read: an error, and the input counted with status "error". */
void scan_fail_input(struct scan_result *res, const char *path, const char *message);

/* An input left out on purpose (a symbolic link): noted, counted as "skipped". */
void scan_skip_input(struct scan_result *res, const char *path, const char *message);

/* Sort findings (by input, then position) and apply the set-level rules. Call once. */
void scan_finish(struct scan_result *res);

/*
 * The highest severity among the findings that count (neither in the
 * baseline nor suppressed), or -1 when there is none.
 */
int scan_max_severity(const struct scan_result *res);

/*
 * Append everything @src holds to @dst, as if @src's inputs had been
 * scanned into @dst after @dst's own (findings keep their order); @src is
 * left empty. Used to scan files on several threads, each into its own
 * result, and merge them in input order. Call before scan_finish().
 */
void scan_result_merge(struct scan_result *dst, struct scan_result *src);

void scan_result_release(struct scan_result *res);

#endif
