/*
 * ruledoc.h - the page of each scan rule beyond its table entry (scan.h):
 * why it matters and how to suppress it, for `capfix explain CF002` and the
 * SARIF rules' help. Static texts; nothing here can fail.
 */
#ifndef CAPFIX_RULEDOC_H
#define CAPFIX_RULEDOC_H

#include "capfix/compat.h"

/* Why rule @id matters (a paragraph), or NULL for an unknown id. */
const char *ruledoc_why(const char *id);

/*
 * How to suppress a finding of rule @id, in the order capfix reads them:
 * appended to @out as lines of text. Can't fail.
 */
struct sbuf;
void ruledoc_suppress(const char *id, struct sbuf *out);

#endif
