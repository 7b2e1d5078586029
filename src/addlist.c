#include "capfix/addlist.h"
#include "capfix/caps.h"
#include "capfix/profiles.h"

#include <ctype.h>

#define BIT(n) ((uint64_t)1 << (n))

bool addlist_is_all(const char *s)
{
	if (!s)
		return false;
	if (!strncmp(s, "CAP_", 4) || !strncmp(s, "cap_", 4))
		s += 4;
	return (s[0] == 'A' || s[0] == 'a') && (s[1] == 'L' || s[1] == 'l') &&
	       (s[2] == 'L' || s[2] == 'l') && !s[3];
}

static void decide(struct addlist_plan *p, enum addlist_verb verb, const char *name,
		   const char *reason, const char *was)
{
	struct addlist_decision *d;

	if (p->ndec >= ARRAY_SIZE(p->dec))
		return;
	d = &p->dec[p->ndec++];
	d->verb = verb;
	d->name = name;
	d->reason = reason;
	d->was = was;
}

/*
 * Commands that need a capability of the runtime default set, which drop
 * ALL takes away: an init container running `chown -R 999 /data` as root
 * breaks without CHOWN. Only the programs' names are looked at.
 */
static const struct {
	const char *program;
	const char *caps[3];
	const char *why;
} command_needs[] = {
	{ "arping", { "NET_RAW" }, "the command runs arping" },
	{ "chgrp", { "CHOWN" }, "the command runs chgrp" },
	{ "chmod", { "FOWNER" }, "the command runs chmod" },
	{ "chown", { "CHOWN" }, "the command runs chown" },
	{ "chpst", { "SETGID", "SETUID" }, "the command switches user with chpst" },
	{ "chroot", { "SYS_CHROOT" }, "the command runs chroot" },
	{ "gosu", { "SETGID", "SETUID" }, "the command switches user with gosu" },
	{ "mknod", { "MKNOD" }, "the command runs mknod" },
	{ "ping", { "NET_RAW" }, "the command runs ping" },
	{ "runuser", { "SETGID", "SETUID" }, "the command switches user with runuser" },
	{ "setcap", { "SETFCAP" }, "the command runs setcap" },
	{ "setpriv", { "SETGID", "SETUID" }, "the command switches user with setpriv" },
	{ "su", { "SETGID", "SETUID" }, "the command switches user with su" },
	{ "su-exec", { "SETGID", "SETUID" }, "the command switches user with su-exec" },
	{ "tcpdump", { "NET_RAW" }, "the command runs tcpdump" },
	{ "traceroute", { "NET_RAW" }, "the command runs traceroute" },
};

void addlist_command_needs(const char *text, uint64_t *inferred, const char **reason)
{
	const char *p = text;

	while (*p) {
		size_t n, i, j;
		const char *w;

		while (*p && !(isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
			p++;
		w = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
			p++;
		n = (size_t)(p - w);
		/* a program name: the word after a '/', a separator or the start */
		if (!n || (w > text && w[-1] != '/' && w[-1] != ' ' && w[-1] != '\t' &&
			   w[-1] != '\n' && w[-1] != ';' && w[-1] != '&' && w[-1] != '|' &&
			   w[-1] != '(' && w[-1] != '`' && w[-1] != '"' && w[-1] != '\''))
			continue;
		if (*p == '.' || *p == '=')
			continue; /* chown.sh, chmod=... are not the program */
		for (i = 0; i < ARRAY_SIZE(command_needs); i++) {
			if (strlen(command_needs[i].program) != n ||
			    strncmp(w, command_needs[i].program, n))
				continue;
			for (j = 0; j < 3 && command_needs[i].caps[j]; j++) {
				const struct cap_info *ci = caps_lookup(command_needs[i].caps[j]);

				if (ci && !(*inferred & BIT(ci->number))) {
					*inferred |= BIT(ci->number);
					reason[ci->number] = command_needs[i].why;
				}
			}
		}
	}
}

/* Look at the programs named in command/args/entrypoint (lists or strings). */

static void plan_drop(struct addlist_plan *p, const struct addlist_list *drop,
		      const struct addlist_opts *opts)
{
	bool has_all = false;
	size_t i;

	if (!drop || !drop->list) {
		p->drop[p->ndrop++] = "ALL";
		p->drop_set = true;
		return;
	}
	for (i = 0; i < drop->n && i < ADDLIST_MAX - 1; i++) {
		const char *s = drop->items[i];

		p->drop[p->ndrop++] = s ? s : "";
		if (s && !strcmp(s, "ALL"))
			has_all = true;
	}
	for (i = 0; !has_all && i < p->ndrop; i++) {
		if (addlist_is_all(drop->items[i])) {
			p->spelled = true;
			has_all = true;
			if (!opts->drop_only) {
				p->drop_respell[i] = "ALL";
				p->drop[i] = "ALL";
				p->drop_set = true;
			}
		}
	}
	if (!has_all) {
		p->drop[p->ndrop++] = "ALL";
		p->drop_set = true;
	}
}

static void plan_add(struct addlist_plan *p, const struct addlist_workload *w,
		     const struct addlist_list *add, const struct addlist_opts *opts)
{
	const struct image_profile *prof = profiles_match(w->image);
	bool root = w->root;
	long port = w->port;
	uint64_t allow = 0, deny = 0, cfg_add = 0, inferred = 0, present = 0;
	const char *reason[64] = { 0 };
	size_t i, nexist = add && add->list ? add->n : 0;
	bool changed = false;

	if (opts->cfg)
		capcfg_eval(opts->cfg, &w->t, &allow, &deny, &cfg_add);
	deny |= opts->deny;
	/* what the workload needs */
	if (port > 0 && root) {
		const struct cap_info *nb = caps_lookup("NET_BIND_SERVICE");

		snprintf(p->portwhy, sizeof(p->portwhy),
			 "port %ld is below 1024 and the process may run as root", port);
		inferred |= BIT(nb->number);
		reason[nb->number] = p->portwhy;
	}
	if (prof && (root || prof->file_caps)) {
		snprintf(p->profwhy, sizeof(p->profwhy), "image profile %s%s", prof->name,
			 prof->file_caps ? ", file capabilities" : "");
		for (i = 0; prof->caps[i]; i++) {
			const struct cap_info *ci = caps_lookup(prof->caps[i]);

			if (ci && !(inferred & BIT(ci->number))) {
				inferred |= BIT(ci->number);
				reason[ci->number] = p->profwhy;
			}
		}
	}
	for (i = 0; root && i < w->ncmds; i++)
		if (w->cmds[i])
			addlist_command_needs(w->cmds[i], &inferred, reason);
	for (i = 0; i < 64; i++) {
		if ((cfg_add & BIT(i)) && !(inferred & BIT(i))) {
			inferred |= BIT(i);
			reason[i] = "configuration";
		}
	}
	/* the existing entries */
	for (i = 0; i < nexist && i < ADDLIST_MAX; i++) {
		const char *s = add->items[i];
		const struct cap_info *ci = s ? caps_lookup(s) : NULL;

		if (!ci) {
			if (opts->strict) {
				p->add_removed_item[i] = true;
				p->removed++;
				decide(p, ADDLIST_REMOVED, s ? s : "?",
				       "--strict: not a capability name", NULL);
				changed = true;
				continue;
			}
			p->add[p->nadd++] = s ? s : "";
			p->kept++;
			decide(p, ADDLIST_KEPT, s ? s : "?",
			       "not a capability name; left as written", NULL);
			continue;
		}
		if (present & BIT(ci->number)) {
			p->add_removed_item[i] = true;
			decide(p, ADDLIST_REMOVED, ci->name, "listed twice", NULL);
			changed = true;
			continue;
		}
		if (deny & BIT(ci->number)) {
			p->add_removed_item[i] = true;
			p->removed++;
			decide(p, ADDLIST_REMOVED, ci->name,
			       (opts->deny & BIT(ci->number)) ? "denied by --deny"
							      : "denied by configuration",
			       NULL);
			changed = true;
			continue;
		}
		if (opts->strict && !(inferred & BIT(ci->number)) && !(allow & BIT(ci->number))) {
			p->add_removed_item[i] = true;
			p->removed++;
			decide(p, ADDLIST_REMOVED, ci->name,
			       "--strict: neither inferred nor allowed", NULL);
			changed = true;
			continue;
		}
		present |= BIT(ci->number);
		p->add[p->nadd++] = ci->name;
		p->kept++;
		{
			const char *r = (inferred & BIT(ci->number)) ? reason[ci->number]
					: (allow & BIT(ci->number))  ? "allowed by configuration"
								     : "declared in the manifest";
			const char *was = NULL;

			if (strcmp(s, ci->name)) {
				p->add_respell[i] = ci->name;
				changed = true;
				was = s;
			}
			decide(p, ADDLIST_KEPT, ci->name, r, was);
		}
	}
	/* what is still missing, in catalogue order */
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);

		if (!(inferred & BIT(ci->number)) || (present & BIT(ci->number)) ||
		    (deny & BIT(ci->number)) || p->nadd >= ADDLIST_MAX)
			continue;
		p->add[p->nadd++] = ci->name;
		present |= BIT(ci->number);
		p->added++;
		decide(p, ADDLIST_ADDED, ci->name, reason[ci->number], NULL);
		changed = true;
	}
	if (!changed)
		return;
	p->add_set = true;
	if (!p->nadd && add && add->nonnull)
		p->add_remove = true;
}

void addlist_decide(struct addlist_plan *p, const struct addlist_workload *w,
		    const struct addlist_list *add, const struct addlist_list *drop,
		    const struct addlist_opts *opts)
{
	memset(p, 0, sizeof(*p));
	plan_drop(p, drop, opts);
	if (!opts->drop_only && w)
		plan_add(p, w, add, opts);
}

bool addlist_changes(const struct addlist_plan *p)
{
	return p->drop_set || p->add_set;
}

void addlist_story(const struct addlist_plan *p, struct sbuf *sb)
{
	static const char *const verbs[] = { "kept", "added", "removed" };
	size_t i, start = sb->len;

	for (i = 0; i < p->ndec; i++) {
		const struct addlist_decision *d = &p->dec[i];

		sbuf_addf(sb, "%s%s %s (%s", sb->len > start ? "; " : "", verbs[d->verb], d->name,
			  d->reason ? d->reason : "");
		if (d->was)
			sbuf_addf(sb, "; was written %.40s", d->was);
		sbuf_addch(sb, ')');
	}
}
