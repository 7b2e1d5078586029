/*
 * yamlspan.h - a read-only YAML tree that remembers where every node is in
 * the source bytes.
 *
 * libfyaml parses (events and marks); capfix never lets it emit. The tree
 * built here keeps, for every node, its byte span in the caller's buffer,
 * its style (block/flow, plain/quoted/literal/folded) and whether it carries
 * an anchor, a tag or is an alias, so that editors can compute byte-range
 * edits that leave everything else untouched.
 *
 * Ownership: a struct yfile owns all of its nodes and their texts (one arena,
 * freed by yamlspan_release()). It borrows the source buffer, which must
 * outlive it.
 */
#ifndef CAPFIX_YAMLSPAN_H
#define CAPFIX_YAMLSPAN_H

#include "capfix/compat.h"

enum ynode_kind { YN_SCALAR, YN_MAP, YN_SEQ, YN_ALIAS };

enum yscalar_style { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED };

struct ynode {
	enum ynode_kind kind;
	enum yscalar_style style; /* scalars only */
	bool flow; /* collection written in flow style ({} or []) */
	bool anchor; /* carries an &anchor */
	bool tag; /* carries an explicit !tag */
	bool merge; /* a mapping with a `<<` merge key */
	bool empty; /* scalar with no text in the source (`key:` alone) */
	unsigned mark; /* 0 after parsing; free for the caller's use */
	/*
	 * Byte span in the source. Quoted scalars include their quotes; flow
	 * collections run from the opening bracket to just past the closing
	 * one; block collections from their first child's start to their last
	 * child's end; literal/folded scalars cover their content lines (the
	 * end may sit in the indentation of the following line). An empty
	 * scalar has start == end == the end of what precedes it.
	 */
	size_t start, end;
	int line, col; /* 0-based line and column (characters) of start; -1 if empty */
	const char *text; /* scalar value as parsed, NUL-terminated; NULL otherwise */
	size_t len; /* length of text */
	struct ynode **kids; /* mapping: key, value, key, value...; sequence: items */
	size_t nkids;
	struct ynode *parent;
	struct ynode *target; /* an alias: the node its anchor names */
};

struct ydoc {
	struct ynode *root; /* never NULL: an empty document has an empty scalar */
	bool explicit_start; /* began with `---` */
};

struct yarena;

struct yfile {
	const char *buf; /* borrowed source */
	size_t len;
	struct ydoc *docs;
	size_t ndocs;
	bool crlf; /* the first line break is CRLF */
	bool aliases; /* the file uses anchors or aliases anywhere */
	/* the first mapping key that is itself a collection (valid YAML, but no
	 * Kubernetes or JSON decoder accepts it), or NULL */
	const struct ynode *complex_key;
	struct yarena *arena;
};

#define YFILE_INIT                                                                                 \
	{                                                                                          \
		NULL, 0, NULL, 0, false, false, NULL, NULL                                         \
	}

/* A parse error: 1-based position and libfyaml's message. */
struct yerror {
	int line, col;
	char msg[256];
};

/*
 * Parse @buf (@len bytes, need not be NUL-terminated) into @out. With
 * @json the input is read in libfyaml's JSON mode. Returns 0 on success.
 * On a syntax error returns -1, fills @err and leaves @out empty (safe to
 * release).
 */
int yamlspan_parse(struct yfile *out, const char *buf, size_t len, bool json, struct yerror *err);

/* Free everything @yf owns and re-initialise it. Accepts an empty yfile. */
void yamlspan_release(struct yfile *yf);

/* The value of the last pair of mapping @map whose key is the plain or
 * quoted scalar @key (the last one wins, as in YAML 1.1 loaders); NULL when
 * absent or @map is not a mapping. */
struct ynode *yamlspan_get(const struct ynode *map, const char *key);

/* Index in map->kids of the key of the last pair named @key, or -1. */
long yamlspan_key_index(const struct ynode *map, const char *key);

/* Number of pairs of @map whose key is @key (duplicate detection). */
size_t yamlspan_key_count(const struct ynode *map, const char *key);

/* True for a null scalar: empty, `~`, `null`, `Null` or `NULL` (untagged). */
bool yamlspan_is_null(const struct ynode *n);

/* True for a plain scalar YAML 1.1 reads as boolean true. */
bool yamlspan_is_true(const struct ynode *n);

/* The scalar's text when @n is a scalar, else NULL. Borrowed. */
const char *yamlspan_str(const struct ynode *n);

/*
 * @n with aliases followed (at most 64 hops); NULL stays NULL. Borrowed.
 */
const struct ynode *yamlspan_deref(const struct ynode *n);

/* Structural equality: same kinds, scalar texts, plainness, and children. */
bool yamlspan_equal(const struct ynode *a, const struct ynode *b);

/* ---- alias-following accessors (every reader of manifests uses these) ---- */

/*
 * The value of @key in mapping @map, aliases followed on both sides: @map
 * may be an alias to a mapping, and an alias value is resolved. NULL when
 * absent or @map is not (an alias to) a mapping. Merge keys are not read.
 */
const struct ynode *yamlspan_dget(const struct ynode *map, const char *key);

/*
 * As yamlspan_dget(), and when @key is absent, looked up in the sources
 * of @map's `<<` merge keys (a mapping or a list of them, in order;
 * nested merges followed up to 64 levels).
 */
const struct ynode *yamlspan_mget(const struct ynode *map, const char *key);

/* The scalar text of @n with aliases followed (null spellings included), or NULL. */
const char *yamlspan_dstr(const struct ynode *n);

/* As yamlspan_dstr(), but NULL for a null scalar (empty, ~, null). */
const char *yamlspan_dvalue(const struct ynode *n);

/* True when @n, aliases followed, is a plain scalar YAML 1.1 reads as true. */
bool yamlspan_dtrue(const struct ynode *n);

/*
 * The value of a plain decimal integer scalar (aliases followed) that is 0
 * or more, or -1 for anything else (absent, null, quoted, negative, text).
 */
long yamlspan_int(const struct ynode *n);

#endif
