/*
 * fix.h - the capability fix of one file's bytes.
 *
 * For every container of every pod-bearing object, make sure
 * securityContext.capabilities.drop holds "ALL": create what is missing,
 * append ALL to an existing list, leave containers that already drop ALL
 * alone. Unless opts->drop_only, each container's add list is also made
 * minimal: explicit adds are kept (unless denied, or, with strict, not
 * allowed by configuration), NET_BIND_SERVICE is added for a port below 1024
 * of a process that may run as root, image profiles (profiles.h) and
 * configuration add what known images need, and capability names are
 * written in canonical form (upper case, no CAP_, "ALL" in drop).
 *
 * The result is computed as byte edits on the original text (see
 * yamledit.h), so every byte outside the edits is kept. The edited text is
 * parsed again and compared with the original: it must mean exactly the
 * original plus the intended change, or nothing is returned.
 *
 * Containers that must not be edited (privileged, Windows pods, shared
 * through anchors, aliases or merge keys, partial objects, odd shapes) are
 * left alone with a warning note saying why.
 *
 * Evidence: every decision names what it rests on (addlist.h). The
 * commands a container runs (command and args, exec probes, lifecycle
 * handlers; compose command, entrypoint and healthcheck) are read by
 * shell.h. A container that may start as root whose image capfix knows
 * nothing about (no profile, no configuration rule, no command replacing
 * the entrypoint) is fixed with a warning and counted in res->unknown, or,
 * with skip_unknown, left alone with the warning. Warnings also name a
 * capability added by inference that puts a pod outside the Pod Security
 * Standards baseline, a declared add removed by --strict, and a package
 * manager whose needs are not measured.
 */
#ifndef CAPFIX_FIX_H
#define CAPFIX_FIX_H

#include "capfix/sbuf.h"
#include "capfix/yamlspan.h"

struct capcfg;
struct imagemeta_set;
struct trace_set;

struct fix_opts {
	bool drop_only; /* only the drop-ALL transformation (add lists untouched) */
	bool json; /* the input is a .json file: insertions are JSON */
	bool strict; /* keep only adds that are inferred or allowed */
	uint64_t deny; /* removed from every add list (bit = kernel number) */
	const struct capcfg *cfg; /* allow/deny/add rules, or NULL */
	bool skip_unknown; /* leave containers without evidence alone (--unknown-images skip) */
	bool report; /* fill res->items (the structured report) */
	/*
	 * Where the bytes come from, for compose files. @path: the file's path
	 * as named (the override-file rule: `*.override.yml`), or NULL. @dir:
	 * the directory the file lies in, where its `.env` and its services'
	 * build contexts are read ("" or "." = the current directory); NULL:
	 * no file is read at all (no .env, no Dockerfile: fix_buffer() then
	 * depends on its bytes and options alone, as fuzzers and unit tests
	 * want). Both are borrowed for the call.
	 */
	const char *path;
	const char *dir;
	/*
	 * Evidence measured outside the manifest (borrowed, NULL: none): image
	 * metadata (imagemeta.h) and runtime traces (trace.h); see fix_buffer().
	 * trust_denied: a capability a trace only saw denied counts as a need.
	 */
	const struct imagemeta_set *images;
	const struct trace_set *traces;
	bool trust_denied;
	/* no_ignores: suppression in manifests (capfix.io/ignore, kubeaudit overrides) is not
	 * read (--no-ignores) */
	bool no_ignores;
};

#define FIX_OPTS_INIT                                                                              \
	{                                                                                          \
		false, false, false, 0, NULL, false, false, NULL, NULL, NULL, NULL, false, false   \
	}

/*
 * INFO: a container got drop ALL (nothing else to say); CHANGE: a
 * container's add list, each capability kept, added or removed with its
 * reason; WARN: something was left alone or is worth knowing.
 */
enum fix_note_level { FIX_NOTE_INFO, FIX_NOTE_CHANGE, FIX_NOTE_WARN };

struct fix_note {
	enum fix_note_level level;
	int line, col; /* 1-based */
	char *msg;
	/* INFO and CHANGE notes also carry their parts (NULL otherwise) */
	char *object; /* "Kind/name" */
	char *container; /* the container's name */
	char *detail; /* "drop ALL; added CHOWN (image profile nginx)" */
	size_t seq; /* order of discovery; notes are sorted by position */
};

/* One decision about one capability, for the structured report. */
struct fix_decision {
	char *capability; /* canonical name ("ALL" for drop), or the text as written */
	const char *action; /* "kept", "added", "removed", "dropped" (static) */
	const char *evidence; /* addlist_evidence_name() (static) */
	char *source; /* where the rule is documented */
	char *reason;
};

/* What one container (or compose service) is and became (with fix_opts.report). */
struct fix_container {
	int line, col; /* 1-based */
	char *kind, *name, *ns, *container, *image; /* ns and image may be NULL */
	bool root; /* may start as root */
	const char *outcome; /* "fixed", "already", "skipped" (static) */
	char *why; /* skipped: why; else NULL */
	unsigned basis; /* what is known about how it starts: bits 1 << enum addlist_evidence */
	bool unknown; /* may start as root and nothing is known about its image */
	char **drop, **add; /* the lists after the fix (as they are when skipped) */
	size_t ndrop, nadd;
	struct fix_decision *dec;
	size_t ndec;
};

enum fix_status {
	FIX_OK, /* parsed; see changed */
	FIX_PARSE_ERROR, /* not valid YAML/JSON: see err */
	FIX_TEMPLATE, /* not valid YAML and looks like a Go/Helm template: see err */
	FIX_REFUSED, /* the edit could not be verified: see err.msg; nothing changed */
};

struct fix_result {
	enum fix_status status;
	bool changed; /* out holds the new bytes */
	struct sbuf out; /* the fixed file when changed */
	size_t containers; /* containers seen in pod-bearing objects */
	size_t fixed; /* containers edited */
	size_t already; /* containers that needed nothing */
	size_t skipped; /* containers left alone, with a warning note each */
	size_t caps_added; /* capabilities added to add lists */
	size_t caps_removed; /* capabilities removed from add lists */
	size_t unknown; /* containers fixed without evidence (each with a warning) */
	struct fix_note *notes; /* sorted by position */
	size_t nnotes, anotes;
	struct yerror err; /* for FIX_PARSE_ERROR, FIX_TEMPLATE, FIX_REFUSED */
	struct fix_container *items; /* with fix_opts.report: every container, in order found */
	size_t nitems, aitems;
};

void fix_result_init(struct fix_result *res);
/* Free what @res owns and re-initialise it. */
void fix_result_release(struct fix_result *res);

/*
 * Compute the fix of @buf (@len bytes). Fills @res (which must have been
 * initialised) and returns 0 when the file was processed, whether or not it
 * changed. Returns -1 when the file cannot be processed: @res->status then
 * says why (parse error, template, refused edit) and @res->err has the
 * 1-based position and message; nothing is changed.
 */
int fix_buffer(struct fix_result *res, const char *buf, size_t len, const struct fix_opts *opts);

/* ---- notes, for the modules that fill a struct fix_result (helmvalues, nslabels) ---- */

void fix_note_add(struct fix_result *res, enum fix_note_level level, int line, int col,
		  const char *fmt, ...) CF_PRINTF(5, 6);

/* The 1-based position of @n, or of its nearest ancestor that has one. */
void fix_note_pos(const struct ynode *n, int *line, int *col);

/*
 * ---- a fix session: the securityContext engine on blocks the caller finds ----
 *
 * helmvalues.c uses it on values.yaml: begin on a parsed file, name each
 * document before its blocks, plan each block, end. The session borrows
 * @res, @yf and @opts; it counts every block in @res (containers, fixed,
 * already, skipped, caps_added, caps_removed) but adds no notes: the caller
 * words them.
 */
struct fix_session;
struct addlist_workload;

enum fix_block {
	FIX_BLOCK_FIXED, /* edits queued; the detail says what */
	FIX_BLOCK_ALREADY, /* nothing to change */
	FIX_BLOCK_SKIPPED, /* left alone (nothing queued); *why says why */
};

struct fix_session *fix_session_begin(struct fix_result *res, struct yfile *yf,
				      const struct fix_opts *opts);

/* The next blocks are in the document rooted at @root. */
void fix_session_doc(struct fix_session *s, const struct ynode *root);

/*
 * Plan and queue the capability edits of the securityContext at key @key of
 * mapping @m for workload @w (its add list is ignored with drop_only).
 * For FIX_BLOCK_FIXED, "drop ALL; added ..." is appended to @detail.
 */
enum fix_block fix_session_block(struct fix_session *s, struct ynode *m, const char *key,
				 const struct addlist_workload *w, struct sbuf *detail,
				 const char **why);

/*
 * Apply the queued edits, verify them (the new text must parse and mean
 * the original plus the planned changes), put the result in res->out
 * (res->changed), sort the notes and free @s. Returns 0, or -1 with
 * res->status = FIX_REFUSED and res->err set (nothing changed).
 */
int fix_session_end(struct fix_session *s);

#endif
