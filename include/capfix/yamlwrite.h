/*
 * yamlwrite.h - byte-faithful edits of YAML and JSON documents.
 *
 * The writer turns small structural changes (give a null key a value,
 * append entries to a mapping, edit a list in place, remove an entry,
 * replace a scalar) into byte-range edits of the source text (yamledit.h),
 * written in the layout the document already uses: its indentation step,
 * its sequence offset (`-` flush with the key or indented), block or flow
 * style, quoting of flow collections (KYAML, JSON), CRLF line ends, a
 * missing final line break. Every byte outside the edits is kept.
 *
 * It knows nothing of Kubernetes, compose or capabilities: callers decide
 * what to write, the writer decides how.
 *
 * Ownership: a struct yamlwrite borrows the source buffer and the parsed
 * nodes (both must outlive it) and owns the queued edits; release it with
 * yamlwrite_release(). Failure: an edit function returns -1 when the layout
 * around the node is not one it can edit faithfully; it then may have
 * queued part of its edits, which the caller drops with yamlwrite_undo()
 * back to a yamlwrite_mark(). Nothing here prints or exits.
 */
#ifndef CAPFIX_YAMLWRITE_H
#define CAPFIX_YAMLWRITE_H

#include "capfix/sbuf.h"
#include "capfix/yamledit.h"
#include "capfix/yamlspan.h"

/* Lists longer than this are not edited in place (yamlwrite_seq_edit returns -1). */
#define YAMLWRITE_MAX_ITEMS 48

/* A value to write: a small tree of mappings, lists and strings. */
enum ywkind { YW_MAP, YW_LIST, YW_STR };

struct ywval {
	const char *key; /* entry name inside a mapping; NULL for list items */
	enum ywkind kind;
	const char *str; /* YW_STR */
	const struct ywval *kids; /* YW_MAP entries or YW_LIST items */
	size_t n;
};

struct yamlwrite {
	const char *buf; /* borrowed source */
	size_t len;
	const char *eol; /* "\n" or "\r\n" */
	bool json; /* the source is JSON: new strings and keys are double-quoted */
	/*
	 * New block lists go below their key, never flush with it (docker
	 * compose reads a flush list as a separate block). Set by the caller
	 * around edits that need it.
	 */
	bool seq_indented;
	const struct ynode *doc; /* the document whose layout new text copies */
	int step; /* its indentation step (0: none found); found on first use */
	int seq_off; /* its sequence offset (-1: none found) */
	struct yedits edits; /* queued */
};

/* Start writing on @buf (@len bytes); @crlf: the file's line ends; @json: JSON source. */
void yamlwrite_init(struct yamlwrite *w, const char *buf, size_t len, bool crlf, bool json);

/* The next edits are in the document rooted at @root (its layout is copied). */
void yamlwrite_doc(struct yamlwrite *w, const struct ynode *root);

/* Free the queued edits. */
void yamlwrite_release(struct yamlwrite *w);

/* A position in the queue of edits, and dropping every edit queued after it. */
size_t yamlwrite_mark(const struct yamlwrite *w);
void yamlwrite_undo(struct yamlwrite *w, size_t mark);

/*
 * Apply the queued edits to the source and append the result to @out.
 * Returns 0, or -1 (CF_E_EDIT recorded, @out unchanged) when edits overlap.
 */
int yamlwrite_apply(struct yamlwrite *w, struct sbuf *out);

/*
 * In the functions below @near is a block mapping near the edit (for
 * instance the container holding it): new block lists copy the sequence
 * offset found inside it, or in the list holding it, before the document's.
 * Each returns 0, or -1 when the layout is not supported.
 */

/*
 * Give key m->kids[ki], whose value is null, empty or an empty flow
 * collection, the value @v (a mapping or a list).
 */
int yamlwrite_set_value(struct yamlwrite *w, const struct ynode *m, size_t ki,
			const struct ynode *near, const struct ywval *v);

/* Add @n entries (YW_* values with keys) at the end of mapping @m (block or flow). */
int yamlwrite_map_append(struct yamlwrite *w, const struct ynode *m, const struct ynode *near,
			 const struct ywval *entries, size_t n);

/*
 * Edit list @seq in place: remove the items flagged in @removed, respell
 * (replace) items with a non-NULL @respell entry, append the @napp strings
 * of @app. @removed and @respell may be NULL; both are indexed like
 * seq->kids. A flow list with removals or respellings is rewritten whole
 * (-1 when it holds a comment).
 */
int yamlwrite_seq_edit(struct yamlwrite *w, const struct ynode *seq, const bool *removed,
		       const char *const *respell, const char *const *app, size_t napp);

/* Remove entry m->kids[ki] of block mapping @m (its key line through its value). */
int yamlwrite_remove_entry(struct yamlwrite *w, const struct ynode *m, size_t ki);

/* Replace scalar @n by @text in the same quoting (-1 for block scalars and empty ones). */
int yamlwrite_replace_scalar(struct yamlwrite *w, const struct ynode *n, const char *text);

#endif
