/*
 * sniff.h - does a file's text look like something capfix reads?
 *
 * A file that does not parse is an error when it looks like a manifest,
 * and is skipped quietly when it is data (a JSON or YAML file that is not
 * Kubernetes, compose or docker inspect output: package.json, JSON lines,
 * a CI configuration). "Looks like" means one of the keys those documents
 * need appears as a key: apiVersion, kind, services, HostConfig.
 *
 * Pure functions of the bytes; they can't fail.
 */
#ifndef CAPFIX_SNIFF_H
#define CAPFIX_SNIFF_H

#include "capfix/compat.h"

/* Does @buf (@len bytes) hold `apiVersion`, `kind`, `services` or `HostConfig` as a key? */
bool sniff_manifest(const char *buf, size_t len);

/*
 * Is @buf data capfix has nothing to do with: text (valid UTF-8, no NUL
 * byte) that does not look like a manifest? Text that is not UTF-8 (a
 * UTF-16 manifest, a binary file) is not data: its parse error stands.
 */
bool sniff_is_data(const char *buf, size_t len);

#endif
