/*
 * addlist.h - what a workload's capability lists must become.
 *
 * A pure decision: the facts about a workload (image, may it run as root,
 * a port below 1024, the programs its command runs, who it is for the
 * configuration), its existing add and drop lists, the options and the
 * configuration go in; the final lists come out, with what happens to each
 * existing item and the reason for every capability kept, added or
 * removed. Nothing is read from or written to YAML here.
 *
 * Rules: drop must hold "ALL" (appended when missing; `all` or `CAP_ALL`
 * respelled unless drop-only). Unless drop-only: explicit adds are kept in
 * canonical form (upper case, no CAP_), unless denied (--deny or the
 * configuration) or, with strict, neither inferred nor allowed; duplicates
 * are removed; NET_BIND_SERVICE is added for a port below 1024 of a process
 * that may run as root; image profiles (profiles.h), commands that need a
 * capability (shell.h: chown, ping, su-exec, apt-get...) and configuration
 * adds add the rest.
 *
 * Evidence: every decision names what it rests on (declared, port,
 * profile, command, config, image, trace) and its source. Precedence:
 * trace > image > declared > config > command > profile. A trace that
 * matched replaces the guesses: the add list becomes the traced needs,
 * plus the hard file capabilities of the started program (image), plus
 * configuration adds, plus declared adds unless strict (port, profile
 * and command inferences are not used); each traced entry cites the file
 * and its number of checks. Image metadata: a non-root image user (the
 * manifest naming no user) needs no adds; the effective file capabilities
 * of the program the container starts are added even for non-root; what
 * the image's entrypoint, cmd and entrypoint script need is inferred with
 * evidence `image`.
 * The plan also says what is known about how the workload starts (the
 * basis: a declared user, a profile, a command that replaces the image's
 * entrypoint, a configuration rule); a workload that may start as root with
 * none of these is "unknown": its image may need capabilities capfix cannot
 * see.
 *
 * Ownership: the plan holds borrowed strings (canonical names from the
 * catalogue, the caller's item texts, and its own reason buffers), so it
 * must not be copied by value while in use... except as a whole struct
 * (its reason pointers may point into itself: see addlist_reason()).
 * Failure: none; nothing here prints or exits.
 */
#ifndef CAPFIX_ADDLIST_H
#define CAPFIX_ADDLIST_H

#include "capfix/capcfg.h"
#include "capfix/sbuf.h"
#include "capfix/shell.h"

struct imagemeta_image;
struct trace_result;

/* Lists with more items are not planned (the caller leaves them alone). */
#define ADDLIST_MAX 48

struct addlist_opts {
	bool drop_only; /* only make drop hold ALL; the add list is left as it is */
	bool strict; /* keep only adds that are inferred or allowed */
	uint64_t deny; /* removed from every add list (bit = kernel number) */
	const struct capcfg *cfg; /* allow/deny/add rules, or NULL */
};

/* What the planner needs to know about a container or a compose service. */
struct addlist_workload {
	const char *image; /* or NULL */
	bool root; /* may start as root */
	long port; /* a port below 1024 it listens on, or -1 */
	const struct shell_needs *needs; /* what its commands need (shell.h), or NULL */
	struct capcfg_target t; /* for the configuration's rules */
	bool command; /* its command replaces the image's entrypoint (k8s command, compose
			 entrypoint) */
	bool user_declared; /* the manifest names the user (root or not) */
	/* measured evidence (borrowed; NULL: none) */
	const struct imagemeta_image *img; /* the image's metadata (imagemeta.h) */
	const char *start; /* the program the container starts (the manifest's command
			    * argv[0], else the image's entrypoint, else its cmd), for the
			    * file capabilities of img; NULL when unknown */
	const struct shell_needs *image_needs; /* what the image's own entrypoint, cmd and
						* entrypoint script need (those the manifest
						* does not replace) */
	const struct trace_result *trace; /* a trace query (trace.h); used when it matched */
	/* adds a kubeaudit override allows for this container (suppress.h): kept as the
	 * configuration's allow keeps them, --strict included; bits by kernel number */
	uint64_t allowed;
};

/* What a decision rests on. */
enum addlist_evidence {
	ADDLIST_EV_NONE, /* nothing: capfix's own rule (drop ALL) or --strict found nothing */
	ADDLIST_EV_DECLARED, /* the manifest says so */
	ADDLIST_EV_PORT, /* a port below 1024 */
	ADDLIST_EV_PROFILE, /* built-in image knowledge (profiles.h) */
	ADDLIST_EV_COMMAND, /* static analysis of its commands (shell.h) */
	ADDLIST_EV_CONFIG, /* .capfix.yaml, --deny */
	ADDLIST_EV_IMAGE, /* image metadata: its user, file capabilities, entrypoint */
	ADDLIST_EV_TRACE, /* a runtime trace */
	ADDLIST_EV_COUNT
};

/* "none", "declared", "port", "profile", "command", "config", "image", "trace". */
const char *addlist_evidence_name(enum addlist_evidence ev);

/* An existing list: item texts (NULL for an item that is not a scalar). */
struct addlist_list {
	bool list; /* the value is a list (else absent, null or something else) */
	bool nonnull; /* the key exists and its value is not null */
	const char *const *items;
	size_t n;
};

enum addlist_verb { ADDLIST_KEPT, ADDLIST_ADDED, ADDLIST_REMOVED };

struct addlist_decision {
	enum addlist_verb verb;
	const char *name; /* canonical name, or the text as written ("?" when not a scalar) */
	const char *reason;
	const char *was; /* a kept name as it was written when respelled, else NULL */
	enum addlist_evidence evidence;
	const char *source; /* where the rule is documented ("capabilities(7): ...", a profile's
			       source) */
	bool strict; /* removed by --strict although the manifest declared it */
};

struct addlist_plan {
	/* the final add list; add_set: it is written (created, edited or emptied) */
	const char *add[ADDLIST_MAX];
	size_t nadd;
	bool add_set;
	bool add_remove; /* nothing left in an existing non-null list: the key goes */
	bool add_removed_item[ADDLIST_MAX]; /* per existing item */
	const char *add_respell[ADDLIST_MAX]; /* per existing item: its new spelling */
	/* the final drop list; drop_set: it is written */
	const char *drop[ADDLIST_MAX];
	size_t ndrop;
	bool drop_set;
	bool spelled; /* drop holds ALL spelled `all` or `CAP_ALL` */
	const char *drop_respell[ADDLIST_MAX];
	/* the story of the add list, in order: existing items, then additions */
	struct addlist_decision dec[2 * ADDLIST_MAX];
	size_t ndec;
	size_t added, removed, kept;
	char portwhy[96], profwhy[96]; /* reason texts the decisions point to */
	/* what is known about how the workload starts: bits (1 << enum addlist_evidence) */
	unsigned basis;
	bool root; /* may start as root (after the profile's default user) */
	bool unknown; /* may start as root and nothing is known about its image */
	const char *profile; /* the matching profile's name, or NULL */
	/* measured evidence, for the caller's notes */
	bool traced; /* a trace matched: the add list rests on it */
	uint64_t trace_candidates; /* only seen denied and not trusted: noted, not added */
	unsigned trace_flags; /* TRACE_Q_* */
	const char *trace_file; /* the first trace file that matched */
	uint64_t hard; /* effective file capabilities of the started program (image) */
	char tracewhy[640], imagewhy[160]; /* reason and source texts of trace and image */
};

/*
 * Decide the lists of workload @w (NULL: no add-list decision, as with
 * drop-only) from the existing @add and @drop lists into @p (overwritten).
 */
void addlist_decide(struct addlist_plan *p, const struct addlist_workload *w,
		    const struct addlist_list *add, const struct addlist_list *drop,
		    const struct addlist_opts *opts);

/* Is anything to be written? */
bool addlist_changes(const struct addlist_plan *p);

/*
 * Append the story of the add list to @sb: "kept CHOWN (image profile
 * nginx); added NET_BIND_SERVICE (port 80 is below 1024 and ...)".
 */
void addlist_story(const struct addlist_plan *p, struct sbuf *sb);

/* Is @s "ALL" in any spelling (all, CAP_ALL, cap_all)? */
bool addlist_is_all(const char *s);

#endif
