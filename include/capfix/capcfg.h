/*
 * capcfg.h - the capfix configuration file (.capfix.yaml or --config FILE).
 *
 *   deny: [SYS_ADMIN]              # removed from every add list
 *   allow: [NET_BIND_SERVICE]      # may stay in add lists, even with --strict
 *   rules:
 *     - image: "quay.io/calico/node*"  # glob on the image reference or its repository
 *       namespace: kube-system     # glob on metadata.namespace ("default" when unset)
 *       workload: "DaemonSet/calico-*"   # glob on Kind/name (or on name alone)
 *       container: "*"             # glob on the container name
 *       allow: [NET_ADMIN, NET_RAW]
 *       deny: [SYS_MODULE]
 *       add: [NET_ADMIN]           # this workload needs it: capfix adds it
 *
 *   ignore:                        # scan: findings accepted, each with a reason
 *     - rules: [CF001, CF003]      # rule ids or "all" (a list, or "CF001,CF003")
 *       path: vendor               # glob on the file, or on a directory above it
 *       image: / namespace: / workload: / container:   # as in rules
 *       reason: "vendored chart, reviewed upstream"    # mandatory
 *
 * Capability names are checked against the catalogue (any case, CAP_
 * optional). Sets are bit masks indexed by the kernel's capability number.
 *
 * Ownership: a struct capcfg owns its strings; release it with
 * capcfg_release().
 */
#ifndef CAPFIX_CAPCFG_H
#define CAPFIX_CAPCFG_H

#include "capfix/compat.h"

/* An ignore rule: findings of these rules, where every glob matches, are suppressed. */
struct capcfg_ignore {
	char **ids; /* rule ids ("all" for every rule) */
	size_t nids;
	char *path, *image, *ns, *workload, *container; /* NULL: matches anything */
	char *reason; /* never NULL nor empty */
	int line;
};

struct capcfg_rule {
	char *image, *ns, *workload, *container; /* NULL: matches anything */
	uint64_t allow, deny, add;
	int line; /* 1-based line of the rule in the file */
	/* the top level (rules[0]) only: the ignore rules, in file order (kept here so
	 * that struct capcfg keeps its layout for callers that build one) */
	struct capcfg_ignore *ignores;
	size_t nignores, aignores;
};

struct capcfg {
	struct capcfg_rule *rules; /* rules[0]: the top level (deny, allow, ignore) */
	size_t nrules, arules;
	/* evidence files named in the file (`images:`, `traces:`): as --images and --trace
	 * take them, relative to the current directory */
	char **images, **traces;
	size_t nimages, ntraces;
};

#define CAPCFG_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, 0, 0                                                       \
	}

/* What one container is, for matching. Any field may be NULL (never matches a pattern). */
struct capcfg_target {
	const char *image;
	const char *ns;
	const char *kind;
	const char *name;
	const char *container;
};

/*
 * Parse the configuration @buf (@len bytes) read from @path into @out.
 * Returns 0, or -1 with CF_E_USAGE recorded as "path:line:col: message"
 * (1-based) and @out left empty.
 */
int capcfg_load(struct capcfg *out, const char *path, const char *buf, size_t len);

/* The configuration capfix reads when none is named: ./.capfix.yaml. */
#define CAPCFG_DEFAULT_PATH ".capfix.yaml"

/*
 * Read and load the configuration file @path (at most 4 MiB), or, when
 * @path is NULL, CAPCFG_DEFAULT_PATH if it exists. Returns 1 when a file
 * was loaded, 0 when @path is NULL and there is no default file, -1 with
 * the error recorded ("path: message").
 */
int capcfg_load_file(struct capcfg *out, const char *path);

/* Free what @cfg owns and re-initialise it. Accepts an empty capcfg. */
void capcfg_release(struct capcfg *cfg);

/*
 * The union of allow, deny and add sets of every rule matching @t.
 * This function can't fail.
 */
void capcfg_eval(const struct capcfg *cfg, const struct capcfg_target *t, uint64_t *allow,
		 uint64_t *deny, uint64_t *add);

/*
 * The reason of the first ignore rule matching finding @rule_id of file
 * @path (a leading "./" ignored) about @t (any field may be NULL: a glob on
 * it then fails; ns NULL reads "default"), or NULL. Can't fail.
 */
const char *capcfg_ignored(const struct capcfg *cfg, const struct capcfg_target *t,
			   const char *path, const char *rule_id);

/*
 * Parse a comma-separated capability list ("SYS_ADMIN,net_raw") into a mask.
 * Returns 0, or -1 with CF_E_USAGE recorded naming the unknown entry.
 */
int capcfg_parse_list(const char *list, uint64_t *out);

#endif
