/*
 * fixfacts.h - the measured evidence fix asks about one workload: image
 * metadata (imagemeta.h) and runtime traces (trace.h), turned into the
 * fields of a struct addlist_workload (img, start, image_needs, trace).
 *
 * The image is looked up by the workload's image reference; what the
 * container starts is the manifest's command (k8s `command`, compose
 * `entrypoint`) when it replaces the image's entrypoint, else the image's
 * entrypoint, else its cmd (unless the manifest replaces the cmd). The
 * parts of the image's start the manifest keeps, and its entrypoint
 * script's text, are read by shell.h as the image's needs. A trace is
 * queried with fix_opts.trust_denied and the image's file capabilities
 * (a non-root process without them has none).
 *
 * Ownership: struct fixfacts holds what @w points to; it borrows from
 * the image and trace sets and must outlive @w's use. Nothing to free.
 * Nothing here prints, exits or fails.
 */
#ifndef CAPFIX_FIXFACTS_H
#define CAPFIX_FIXFACTS_H

#include "capfix/addlist.h"
#include "capfix/fix.h"
#include "capfix/shell.h"
#include "capfix/trace.h"

struct fixfacts {
	struct shell_needs image_needs;
	struct trace_result trace;
	char start[256];
};

/*
 * Fill the measured fields of @w (whose image, root and user_declared are
 * set) for workload @tw from @o->images and @o->traces. @command0: the
 * program the manifest starts instead of the image's entrypoint, or NULL;
 * @args0: the first word of what replaces the image's cmd (k8s args,
 * compose command), or NULL; @replaces_cmd: the manifest replaces the
 * image's cmd (k8s command or args, compose command). The program started
 * is imagemeta_start()'s.
 */
void fixfacts_gather(struct fixfacts *x, const struct fix_opts *o, const struct trace_workload *tw,
		     const char *command0, const char *args0, bool replaces_cmd,
		     struct addlist_workload *w);

struct k8s_container;

/*
 * Suppression for container @kc, unless @o->no_ignores: written in the
 * manifest (suppress.h), or a .capfix.yaml ignore rule (capcfg.h): returns the reason (a new string
 * the caller frees) when CF001 (or `all`) is ignored for it, so that fix leaves it alone, else
 * NULL; *@allowed gets the adds kubeaudit's overrides allow it (bits by
 * kernel number). Can't fail.
 */
char *fixfacts_suppressed(const struct fix_opts *o, const struct k8s_container *kc,
			  uint64_t *allowed);

/*
 * The same for a compose service @svc (its `x-capfix: {ignore: ...}`, or a
 * .capfix.yaml ignore rule about @t): the reason when CF204 (or `all`) is
 * ignored for it, else NULL.
 */
struct capcfg_target;
char *fixfacts_service_suppressed(const struct fix_opts *o, const struct ynode *svc,
				  const struct capcfg_target *t);

#endif
