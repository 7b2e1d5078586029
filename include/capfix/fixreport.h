/*
 * fixreport.h - what `capfix fix` did (or, with --check and --diff, would
 * do): the totals line of the text output, and the versioned JSON report.
 *
 * A report is fed every record of the run engine (fixrun.h), in order, on
 * the calling thread; it keeps what it needs (records are borrowed only
 * for the call). With json set, the per-container entries come from
 * res->items, so the fix must have run with fix_opts.report.
 *
 * JSON, "version": 1 (fields are only ever added within a version; the
 * schema is tests/schema/fix-report.schema.json):
 *
 *   {version, tool {name, version}, mode (write|check|diff),
 *    summary {files, changed, containers, fixed, already, skipped, errors,
 *             caps_added, caps_removed, fixed_without_evidence,
 *             fixed_by_evidence {declared, port, profile, command, config,
 *                                image, trace}},
 *    files [{path, status (changed|unchanged|skipped|error|interrupted),
 *            problem {severity, line, column, message} | null,
 *            containers [{line, column, kind, name, namespace, container,
 *                         image, may_run_as_root, outcome (fixed|already|skipped),
 *                         why, evidence [kinds], without_evidence,
 *                         drop [..], add [..],
 *                         decisions [{capability, action (kept|added|removed|dropped),
 *                                     evidence, source, reason}]}],
 *            warnings [{line, column, message}]}],
 *    problems [{severity, message}]}
 *
 * "evidence" of a container is what is known about how it starts
 * (declared: a non-root user in the manifest; profile; command: a command
 * that replaces the entrypoint; config: a .capfix.yaml rule). A fixed
 * container counts in fixed_by_evidence under each kind of its own
 * evidence and of its decisions' evidence (drop ALL by capfix's rule
 * counts under none); without_evidence: it may start as root and nothing
 * is known about its image.
 *
 * Ownership: fixreport_new() returns a report the caller frees with
 * fixreport_free(). Rendering appends to a caller's buffer. Failure: none
 * (memory exhaustion aborts, as everywhere); nothing here prints.
 */
#ifndef CAPFIX_FIXREPORT_H
#define CAPFIX_FIXREPORT_H

#include "capfix/fixrun.h"

struct fixreport;

/* A new report of a run to @sink; @json: keep what the JSON needs. */
struct fixreport *fixreport_new(enum fixrun_sink sink, bool json);

/* Take in one record of the engine. */
void fixreport_add(struct fixreport *r, const struct fixrun_record *rec);

/* Containers fixed without evidence so far. */
size_t fixreport_unknown(const struct fixreport *r);

/* How the per-file text is shown. */
struct fixreport_text {
	bool quiet; /* no per-file lines or notes: warnings only */
	bool verbose; /* also the containers that only got drop ALL */
	bool stream; /* a stream: notes of every document, no per-file line */
	bool dry; /* --check or --diff: "would fix" */
};

/*
 * The text of one record: "fixed PATH (N containers)" and the notes to
 * @out, warnings to @err, as msg.h lines with positions offset by the
 * record's line0.
 */
void fixreport_text(const struct fixrun_record *rec, const struct fixreport_text *o,
		    struct sbuf *out, struct sbuf *err);

/*
 * Append the totals line of a run over files ("capfix: 3 files, ...\n"):
 * @dry: --check or --diff; @drop_only: --drop-only wording.
 */
void fixreport_totals(const struct fixreport *r, const struct fixrun_totals *t, bool dry,
		      bool drop_only, struct sbuf *out);

/* The same for a stream on stdin (`fix -`): documents, not files. */
void fixreport_stream_totals(const struct fixreport *r, const struct fixrun_totals *t, bool dry,
			     struct sbuf *out);

/* Append the JSON report (with its final newline); @t: the engine's totals. */
void fixreport_json(const struct fixreport *r, const struct fixrun_totals *t, struct sbuf *out);

void fixreport_free(struct fixreport *r);

#endif
