/*
 * caps.h - the capability catalogue: every Linux capability of
 * capabilities(7) (Linux 6.x, 41 names), one static table sorted by name.
 *
 * It is the single source for fix (minimal add lists), scan (findings),
 * explain (text and JSON) and policy generation. Entries are static and
 * live for the whole process: every pointer returned here is borrowed and
 * never needs freeing.
 */
#ifndef CAPFIX_CAPS_H
#define CAPFIX_CAPS_H

#include "capfix/compat.h"

enum cap_risk { CAP_RISK_LOW, CAP_RISK_MEDIUM, CAP_RISK_HIGH, CAP_RISK_CRITICAL };

enum cap_advice {
	CAP_ADVICE_DROP, /* drop it: containers do not need it */
	CAP_ADVICE_KEEP_IF_NEEDED, /* add it back only for workloads that need it */
	CAP_ADVICE_INVESTIGATE, /* investigate what breaks before dropping it */
};

struct cap_info {
	const char *name; /* canonical: upper case, without CAP_, e.g. "NET_RAW" */
	int number; /* the kernel's number (linux/capability.h) */
	const char *summary; /* one line, no final full stop */
	const char
		*explanation; /* a few sentences: what it allows, why it matters in a container */
	enum cap_risk risk;
	enum cap_advice advice;
	const char *advice_note; /* why this advice where it needs saying, or NULL */
	bool runtime_default; /* in the default set of Docker and containerd (14 names) */
	bool pss_baseline; /* Pod Security Standards baseline allows adding it */
	bool pss_restricted; /* PSS restricted allows adding it (NET_BIND_SERVICE only) */
	const char *const *cis; /* NULL-terminated: CIS controls that name it, with versions */
};

/* Number of entries (41). This function can't fail. */
size_t caps_count(void);

/* Entry @i in name order, or NULL when @i >= caps_count(). */
const struct cap_info *caps_at(size_t i);

/*
 * The entry for @name, accepted case-insensitively with or without a
 * "CAP_" prefix ("net_raw", "CAP_NET_RAW"); NULL when unknown (and for
 * "ALL", which is not a capability).
 */
const struct cap_info *caps_lookup(const char *name);

/* "low", "medium", "high" or "critical". */
const char *caps_risk_name(enum cap_risk risk);

/* "drop", "keep if needed" or "investigate first". */
const char *caps_advice_name(enum cap_advice advice);

#endif
