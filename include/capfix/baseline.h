/*
 * baseline.h - scan baselines: the findings a repository has accepted, so
 * that only new ones fail a build (`capfix scan --write-baseline FILE`,
 * `--baseline FILE`).
 *
 * The format (version 1), JSON, sorted and deterministic:
 *
 *   {"version": 1, "tool": "capfix",
 *    "findings": [{"file": "deploy/web.yaml", "kind": "Deployment",
 *                  "namespace": "prod", "name": "web", "container": "nginx",
 *                  "rule": "CF001"}, ...]}
 *
 * An entry is keyed by file (as scanned, without a leading "./"), object
 * (kind, namespace, name: null when the manifest has no namespace),
 * container (null for object-level findings) and rule, never by line: a
 * finding that moves within its file keeps matching, the same object in
 * another file does not. Entries are sorted by those fields in that order,
 * each once. Unknown keys are ignored (fields may be added within a
 * version); another version is refused.
 *
 * Ownership: a struct baseline owns its entries; release it with
 * baseline_release(). Failure: baseline_load() returns -1 with CF_E_USAGE
 * recorded ("path: message"); the rest can't fail. Nothing prints.
 */
#ifndef CAPFIX_BASELINE_H
#define CAPFIX_BASELINE_H

#include "capfix/sbuf.h"
#include "capfix/scan.h"

#define BASELINE_VERSION 1

struct baseline_entry {
	char *file, *kind, *ns, *name, *container, *rule; /* ns and container may be NULL */
};

struct baseline {
	struct baseline_entry *v;
	size_t n, alloc;
};

#define BASELINE_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Parse baseline @buf (@len bytes) read from @path into @b (sorted). Returns 0 or -1. */
int baseline_load(struct baseline *b, const char *path, const char *buf, size_t len);

/* Read and parse baseline file @path (as baseline_load()). Returns 0 or -1 (recorded). */
int baseline_load_file(struct baseline *b, const char *path);

/*
 * Write the baseline of @res to @path (created, or replaced atomically);
 * when @mark, @res's findings are then marked as in it. Returns the number
 * of entries, or -1 with CF_E_WRITE recorded.
 */
long baseline_write(const char *path, struct scan_result *res, bool mark);

/* The baseline of @res: every finding that is not suppressed, sorted, each key once. */
void baseline_from_scan(struct baseline *b, const struct scan_result *res);

/* @b as the documented JSON (with a final newline) appended to @out. */
void baseline_render(struct sbuf *out, const struct baseline *b);

/* Set `baseline` on each finding of @res that @b holds; returns how many. */
size_t baseline_mark(const struct baseline *b, struct scan_result *res);

void baseline_release(struct baseline *b);

#endif
