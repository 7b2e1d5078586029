/*
 * krm.h - capfix as a KRM function (kustomize `transformers:` with exec,
 * kpt): a ResourceList in, the same ResourceList out with its items fixed
 * and `results` added.
 *
 * The input is a `kind: ResourceList` document (YAML, or JSON): its
 * `items` are fixed in place as any `*List` is (byte-faithful edits, so
 * every item keeps its annotations, comments and order), and one result is
 * added per note of the fix: severity (info for a change, warning for a
 * container left alone), message, resourceRef (apiVersion, kind, name,
 * namespace of the item) and file (from the item's
 * `internal.config.kubernetes.io/path` or `config.kubernetes.io/path`
 * annotation, with its index).
 *
 * `functionConfig` may configure the fix: a ConfigMap whose `data` holds
 * `config` (a .capfix.yaml document), `deny` (CAP,...), `strict` and
 * `drop-only` ("true"/"false"); or any object with the same keys under
 * `spec`.
 *
 * Ownership: @out is the caller's; @cfg (the configuration read from
 * functionConfig) is filled and the caller releases it with
 * capcfg_release(). Failure: returns -1 with cf_err() recorded (CF_E_INPUT:
 * not a ResourceList, does not parse, already has results; CF_E_USAGE: a
 * bad functionConfig) and @out unchanged.
 */
#ifndef CAPFIX_KRM_H
#define CAPFIX_KRM_H

#include "capfix/capcfg.h"
#include "capfix/fix.h"

struct krm_stats {
	size_t items, fixed, warnings;
};

/*
 * Run the function over @buf (@len bytes). @opts are the command line's fix
 * options (functionConfig adds to them); the configuration read from
 * functionConfig goes to @cfg. Appends the output ResourceList to @out.
 */
int krm_run(const char *buf, size_t len, const struct fix_opts *opts, struct capcfg *cfg,
	    struct sbuf *out, struct krm_stats *stats);

/*
 * krm_run() over all of @in (at most @max_size bytes), the output written to
 * @out. Returns 0, or -1 with cf_err() recorded (CF_E_INPUT also for a read
 * error or a larger input, CF_E_WRITE for a write error); on failure
 * nothing is written.
 */
int krm_run_file(FILE *in, FILE *out, size_t max_size, const struct fix_opts *opts,
		 struct capcfg *cfg, struct krm_stats *stats);

#endif
