/*
 * nslabels.h - labels of a Namespace manifest (`capfix policy pss --write`).
 *
 * Sets labels (pod-security.kubernetes.io/enforce: restricted, ...) on a
 * Namespace object with the byte-faithful writer (yamlwrite.h): labels are
 * created when missing, existing values replaced in their own quoting,
 * everything else kept byte for byte. The result is parsed again and must
 * mean the original with exactly those labels set.
 *
 * Ownership: @res is filled as by fix_buffer() (out, changed). Failure:
 * returns -1 with res->status (FIX_PARSE_ERROR, FIX_REFUSED) and res->err
 * set, nothing changed; nothing prints or exits.
 */
#ifndef CAPFIX_NSLABELS_H
#define CAPFIX_NSLABELS_H

#include "capfix/fix.h"
#include "capfix/pss.h"

/* At most this many labels are set at once. */
#define NSLABELS_MAX 16

/*
 * Set labels @keys = @values (@nk pairs, at most NSLABELS_MAX) on the
 * Namespace named @ns in @buf (@len bytes). Returns 0 (res->changed says
 * whether anything changed) or -1: not valid YAML, no editable Namespace
 * @ns here (absent, or shared through an anchor or alias), labels that are
 * not a mapping or are shared, a layout the writer cannot edit, too many
 * labels, or an edit that could not be verified.
 */
int nslabels_set(struct fix_result *res, const char *buf, size_t len, const char *ns,
		 const char *const *keys, const char *const *values, size_t nk);

/*
 * The Pod Security Admission labels for a namespace that enforces @lvl:
 * enforce at @lvl, and warn and audit at restricted when @lvl is weaker,
 * each pinned to "latest". Fills @keys and @values (at least 6 slots each)
 * and returns the count. Can't fail.
 */
size_t nslabels_pss(enum pss_level lvl, const char **keys, const char **values);

#endif
