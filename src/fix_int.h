/*
 * fix_int.h - what fix.c (the session, Kubernetes containers, writing a
 * plan) and fixcompose.c (docker-compose services) share: the session and
 * the steps of one workload's fix. Not part of the API; fix.h is.
 */
#ifndef CAPFIX_FIX_INT_H
#define CAPFIX_FIX_INT_H

#include "capfix/addlist.h"
#include "capfix/composeenv.h"
#include "capfix/fix.h"
#include "capfix/fixevidence.h"
#include "capfix/fixverify.h"
#include "capfix/yamlwrite.h"

struct fix_session {
	const struct fix_opts *opts;
	struct addlist_opts aopts;
	struct yfile *yf;
	struct yamlwrite w;
	struct fix_result *res;
	/* plans of the edited workloads; node->mark is index + 1 */
	struct fixverify_plan *plans;
	size_t nplans, aplans;
	/* the workload being planned */
	const char *skip; /* why it is left alone */
	char skipbuf[160];
	bool already; /* nothing to change */
	const struct ynode *services; /* compose: the services mapping */
	const struct ynode *root; /* compose: the document */
	struct composeenv env; /* compose: the .env beside the file (opts->dir) */
	bool env_loaded;
	bool check_unknown; /* a container or service: the evidence rules apply */
};

#define unknown_skipped fixevidence_unknown_skipped

/* Why node @n can't be edited through (alias, anchor, tag, merge key), or NULL. */
const char *fix_shared(const struct ynode *n);

/* Leave the workload being planned alone: "@what @why". */
void fix_skip_because(struct fix_session *f, const char *what, const char *why);

/* Decide the lists of workload @w (NULL: drop only) from the nodes @add and @drop. */
void fix_decide(struct fix_session *f, struct fixverify_plan *p, const struct addlist_workload *w,
		const struct ynode *add, const struct ynode *drop);

/*
 * Check the lists @add and @drop of workload @w (named @add_name and
 * @drop_name in messages) can be edited (not shared, lists or null, not
 * too long) and decide its plan @p. False when there is nothing to write:
 * f->skip says why it is left alone, or f->already that it is in order.
 */
bool fix_plan_lists(struct fix_session *f, struct fixverify_plan *p,
		    const struct addlist_workload *w, const struct ynode *add,
		    const struct ynode *drop, const char *add_name, const char *drop_name);

/*
 * Edit the add and drop lists of mapping @caps (a capabilities mapping, or a
 * compose service) in place as planned: @kadd/@kdrop index their keys or are -1.
 */
int fix_edit_lists(struct fix_session *f, const struct ynode *caps, const struct ynode *c,
		   long kadd, long kdrop, struct fixverify_plan *p);

/* The plan of the next workload (zeroed). */
struct fixverify_plan *fix_new_plan(struct fix_session *f);

/*
 * Count the workload planned on mapping @m (edits since @before, @r < 0 when
 * its layout is not supported) and say what became of it; *@why gets why a
 * skipped one is left alone (@unsupported when r < 0).
 */
enum fix_block fix_settle(struct fix_session *f, struct ynode *m, int r, size_t before,
			  const char *unsupported, const char **why);

/* "drop ALL; added CHOWN (...)" for a fixed workload's note. */
void fix_story(const struct fixverify_plan *p, const char *drop_word, bool respelled,
	       struct sbuf *sb);

/* A container or service whose rule @rule is ignored: left alone (frees @reason). */
void fix_left_ignored(struct fix_session *f, const struct fix_who *who, const char *rule,
		      char *reason);

/* Attach the parts of the note just added. */
void fix_note_parts(struct fix_result *res, char *object, const char *container, char *detail);

/* Fix every docker-compose service of the document at @root (fixcompose.c). */
void fixcompose_each_service(struct fix_session *f, struct ynode *root);

#endif
