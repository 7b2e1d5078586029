/*
 * helmvalues.h - the capability fix of a Helm chart's values.yaml.
 *
 * When a chart's templates render a container's securityContext from its
 * values (`toYaml .Values.securityContext`; helmchart.h finds them), the
 * block in values.yaml is fixed with the same engine as manifests
 * (fix.h's session): drop ALL, and unless drop-only a minimal add list
 * inferred from the values around the block (image.repository,
 * service.port, runAsNonRoot/runAsUser there or in podSecurityContext).
 * Only blocks that exist are edited (null, {} or a mapping); comments and
 * every other byte are kept.
 *
 * Ownership: @res is filled as by fix_buffer() (notes, counters, out).
 * Failure: returns -1 with res->status and res->err set (parse error, or
 * an edit that could not be verified); nothing prints or exits.
 */
#ifndef CAPFIX_HELMVALUES_H
#define CAPFIX_HELMVALUES_H

#include "capfix/fix.h"

/*
 * Fix the securityContext blocks of values.yaml @buf (@len bytes) at the
 * dotted paths below .Values @paths ("securityContext",
 * "controller.containerSecurityContext"), each rendered by the template
 * @sources[i] (named in the notes); @npaths of them. Returns 0 (whether or
 * not anything changed) or -1.
 */
int helmvalues_fix(struct fix_result *res, const char *buf, size_t len, const char *const *paths,
		   const char *const *sources, size_t npaths, const struct fix_opts *opts);

#endif
