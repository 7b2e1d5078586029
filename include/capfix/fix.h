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
 */
#ifndef CAPFIX_FIX_H
#define CAPFIX_FIX_H

#include "capfix/sbuf.h"
#include "capfix/yamlspan.h"

struct capcfg;

struct fix_opts {
	bool drop_only; /* only the drop-ALL transformation (add lists untouched) */
	bool json; /* the input is a .json file: insertions are JSON */
	bool strict; /* keep only adds that are inferred or allowed */
	uint64_t deny; /* removed from every add list (bit = kernel number) */
	const struct capcfg *cfg; /* allow/deny/add rules, or NULL */
};

#define FIX_OPTS_INIT                                                                              \
	{                                                                                          \
		false, false, false, 0, NULL                                                       \
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
	struct fix_note *notes; /* sorted by position */
	size_t nnotes, anotes;
	struct yerror err; /* for FIX_PARSE_ERROR, FIX_TEMPLATE, FIX_REFUSED */
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

/*
 * Fix the securityContext blocks of a Helm chart's values.yaml (@buf) that
 * the chart's templates render into containers: @paths (@npaths) are dotted
 * paths below .Values ("securityContext", "controller.containerSecurityContext"),
 * each with the template that renders it (@sources, for the notes). Only
 * existing keys are edited (null, {} or a mapping). In the default mode the
 * add list is inferred from the same values (image.repository, service.port,
 * runAsNonRoot/runAsUser here or in podSecurityContext). Returns as
 * fix_buffer().
 */
int fix_values(struct fix_result *res, const char *buf, size_t len, const char *const *paths,
	       const char *const *sources, size_t npaths, const struct fix_opts *opts);

/*
 * Set labels @keys = @values (@nk pairs) on the Namespace object named @ns
 * in @buf, with the same editor (labels created when missing, existing
 * values replaced, everything else kept byte for byte), verified by
 * parsing the result again. Returns 0 (res->changed tells), or -1 with
 * res->status/res->err set.
 */
int fix_labels(struct fix_result *res, const char *buf, size_t len, const char *ns,
	       const char *const *keys, const char *const *values, size_t nk);

#endif
