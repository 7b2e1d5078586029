#include "capfix/addlist.h"
#include "capfix/caps.h"
#include "capfix/imagemeta.h"
#include "capfix/profiles.h"
#include "capfix/trace.h"

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

const char *addlist_evidence_name(enum addlist_evidence ev)
{
	static const char *const names[] = { "none",	"declared", "port",  "profile",
					     "command", "config",   "image", "trace" };

	return (unsigned)ev < ARRAY_SIZE(names) ? names[ev] : "none";
}

static struct addlist_decision *decide(struct addlist_plan *p, enum addlist_verb verb,
				       const char *name, const char *reason, const char *was,
				       enum addlist_evidence ev, const char *source)
{
	static _Thread_local struct addlist_decision sink;
	struct addlist_decision *d = p->ndec < ARRAY_SIZE(p->dec) ? &p->dec[p->ndec++] : &sink;

	d->verb = verb;
	d->name = name;
	d->reason = reason;
	d->was = was;
	d->evidence = ev;
	d->source = source;
	d->strict = false;
	return d;
}

static const char src_manifest[] = "the manifest";
static const char src_port[] = "capabilities(7): CAP_NET_BIND_SERVICE (ports below 1024)";
static const char src_config[] = "the configuration (.capfix.yaml or --config)";

/*
 * Does a rule of @cfg (not the top level, rules[0]) match @t? capcfg_eval()
 * only returns sets, so each rule is evaluated alone with a mark bit that no
 * capability uses.
 */
static bool config_rule_matches(const struct capcfg *cfg, const struct capcfg_target *t)
{
	size_t i;

	for (i = 1; cfg && i < cfg->nrules; i++) {
		struct capcfg_rule r = cfg->rules[i];
		struct capcfg one;
		uint64_t allow, deny, add;

		memset(&one, 0, sizeof(one));
		one.rules = &r;
		one.nrules = one.arules = 1;

		r.allow |= BIT(63);
		capcfg_eval(&one, t, &allow, &deny, &add);
		if (allow & BIT(63))
			return true;
	}
	return false;
}

/* Infer the capabilities @caps not inferred yet, with their reason. */
static void infer(uint64_t caps, uint64_t *inferred, const char **reason, const char **source,
		  unsigned char *ev, const char *why, const char *src, enum addlist_evidence e)
{
	size_t i;

	for (i = 0; i < 64; i++) {
		if (!(caps & BIT(i)) || (*inferred & BIT(i)))
			continue;
		*inferred |= BIT(i);
		reason[i] = why;
		source[i] = src;
		ev[i] = (unsigned char)e;
	}
}

/* The traced needs, each with its own reason ("12 checks granted") in p->tracewhy. */
static void infer_traced(struct addlist_plan *p, const struct trace_result *tr, uint64_t *inferred,
			 const char **reason, const char **source, unsigned char *ev)
{
	size_t i, used = 0;

	for (i = 0; i < 64; i++) {
		unsigned long n = tr->granted[i] + tr->unknown[i] + tr->denied[i];
		char *at = p->tracewhy + used;
		int k;

		if (!(tr->needs & BIT(i)) || (*inferred & BIT(i)))
			continue;
		k = snprintf(at, sizeof(p->tracewhy) - used, "traced: %lu check%s%s", n,
			     n == 1 ? "" : "s",
			     tr->granted[i]  ? " granted"
			     : tr->denied[i] ? " denied (trusted)"
					     : "");
		if (k < 0 || (size_t)k + 1 >= sizeof(p->tracewhy) - used)
			at = (char *)"traced";
		else
			used += (size_t)k + 1;
		infer(BIT(i), inferred, reason, source, ev, at, tr->file ? tr->file : "a trace",
		      ADDLIST_EV_TRACE);
	}
}

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
	const char *reason[64] = { 0 }, *source[64] = { 0 };
	unsigned char ev[64] = { 0 };
	const struct trace_result *tr;
	size_t i, nexist = add && add->list ? add->n : 0;
	bool changed = false;

	if (opts->cfg)
		capcfg_eval(opts->cfg, &w->t, &allow, &deny, &cfg_add);
	allow |= w->allowed; /* kubeaudit's overrides: teams moving from kubeaudit keep them */
	deny |= opts->deny;
	/* what is known about how it starts; an image that runs as non-root by
	 * default does unless the manifest names a user */
	if (prof && prof->nonroot && !w->user_declared)
		root = false;
	/* the image's own user beats the profile's */
	if (w->img && !w->user_declared && w->img->user_kind != IMAGEMETA_USER_UNKNOWN)
		root = w->img->user_kind == IMAGEMETA_USER_ROOT;
	p->root = root;
	p->profile = prof ? prof->name : NULL;
	if (!root && w->user_declared)
		p->basis |= 1u << ADDLIST_EV_DECLARED;
	if (prof)
		p->basis |= 1u << ADDLIST_EV_PROFILE;
	if (w->command)
		p->basis |= 1u << ADDLIST_EV_COMMAND;
	if (opts->cfg && config_rule_matches(opts->cfg, &w->t))
		p->basis |= 1u << ADDLIST_EV_CONFIG;
	if (w->img)
		p->basis |= 1u << ADDLIST_EV_IMAGE;
	tr = w->trace && (w->trace->flags & TRACE_Q_MATCHED) ? w->trace : NULL;
	if (tr) {
		p->basis |= 1u << ADDLIST_EV_TRACE;
		p->traced = true;
		p->trace_candidates = tr->candidates & ~tr->needs;
		p->trace_flags = tr->flags;
		p->trace_file = tr->file;
	}
	p->unknown = root && !(p->basis & ((1u << ADDLIST_EV_PROFILE) | (1u << ADDLIST_EV_COMMAND) |
					   (1u << ADDLIST_EV_CONFIG) | (1u << ADDLIST_EV_IMAGE) |
					   (1u << ADDLIST_EV_TRACE)));
	/* what the workload needs, strongest evidence first (the first reason wins) */
	if (tr)
		infer_traced(p, tr, &inferred, reason, source, ev);
	if (w->img && w->start) {
		const struct imagemeta_filecap *fc = imagemeta_filecap_of(w->img, w->start);

		if (fc && fc->effective)
			p->hard = fc->permitted;
		if (p->hard) {
			snprintf(p->imagewhy, sizeof(p->imagewhy),
				 "%s carries it as an effective file capability in the image",
				 fc->path);
			infer(p->hard, &inferred, reason, source, ev, p->imagewhy,
			      w->img->source ? w->img->source : "image metadata", ADDLIST_EV_IMAGE);
		}
	}
	for (i = 0; !tr && root && w->image_needs && i < 64; i++)
		if ((w->image_needs->caps & BIT(i)) && !(inferred & BIT(i)))
			infer(BIT(i), &inferred, reason, source, ev, w->image_needs->why[i],
			      w->image_needs->source[i], ADDLIST_EV_IMAGE);
	infer(cfg_add, &inferred, reason, source, ev, "configuration", src_config,
	      ADDLIST_EV_CONFIG);
	if (tr)
		goto existing; /* the trace replaces the guesses */
	if (port > 0 && root) {
		const struct cap_info *nb = caps_lookup("NET_BIND_SERVICE");

		snprintf(p->portwhy, sizeof(p->portwhy),
			 "port %ld is below 1024 and the process may run as root", port);
		inferred |= BIT(nb->number);
		reason[nb->number] = p->portwhy;
		source[nb->number] = src_port;
		ev[nb->number] = ADDLIST_EV_PORT;
	}
	for (i = 0; root && w->needs && i < 64; i++) {
		if ((w->needs->caps & BIT(i)) && !(inferred & BIT(i))) {
			inferred |= BIT(i);
			reason[i] = w->needs->why[i];
			source[i] = w->needs->source[i];
			ev[i] = ADDLIST_EV_COMMAND;
		}
	}
	if (prof && (root || prof->file_caps)) {
		snprintf(p->profwhy, sizeof(p->profwhy), "image profile %s%s", prof->name,
			 prof->file_caps ? ", file capabilities" : "");
		for (i = 0; prof->caps[i]; i++) {
			const struct cap_info *ci = caps_lookup(prof->caps[i]);

			if (ci && !(inferred & BIT(ci->number))) {
				inferred |= BIT(ci->number);
				reason[ci->number] = p->profwhy;
				source[ci->number] = prof->source;
				ev[ci->number] = ADDLIST_EV_PROFILE;
			}
		}
	}
existing:
	/* the existing entries */
	for (i = 0; i < nexist && i < ADDLIST_MAX; i++) {
		const char *s = add->items[i];
		const struct cap_info *ci = s ? caps_lookup(s) : NULL;

		if (!ci) {
			if (opts->strict) {
				p->add_removed_item[i] = true;
				p->removed++;
				decide(p, ADDLIST_REMOVED, s ? s : "?",
				       "--strict: not a capability name", NULL, ADDLIST_EV_NONE,
				       "--strict")
					->strict = true;
				changed = true;
				continue;
			}
			p->add[p->nadd++] = s ? s : "";
			p->kept++;
			decide(p, ADDLIST_KEPT, s ? s : "?",
			       "not a capability name; left as written", NULL, ADDLIST_EV_DECLARED,
			       src_manifest);
			continue;
		}
		if (present & BIT(ci->number)) {
			p->add_removed_item[i] = true;
			decide(p, ADDLIST_REMOVED, ci->name, "listed twice", NULL,
			       ADDLIST_EV_DECLARED, src_manifest);
			changed = true;
			continue;
		}
		if (deny & BIT(ci->number)) {
			bool flag = opts->deny & BIT(ci->number);

			p->add_removed_item[i] = true;
			p->removed++;
			decide(p, ADDLIST_REMOVED, ci->name,
			       flag ? "denied by --deny" : "denied by configuration", NULL,
			       ADDLIST_EV_CONFIG, flag ? "--deny" : src_config);
			changed = true;
			continue;
		}
		if (opts->strict && !(inferred & BIT(ci->number)) && !(allow & BIT(ci->number))) {
			p->add_removed_item[i] = true;
			p->removed++;
			decide(p, ADDLIST_REMOVED, ci->name,
			       "--strict: neither inferred nor allowed", NULL, ADDLIST_EV_NONE,
			       "--strict")
				->strict = true;
			changed = true;
			continue;
		}
		present |= BIT(ci->number);
		p->add[p->nadd++] = ci->name;
		p->kept++;
		{
			bool inf = inferred & BIT(ci->number), al = allow & BIT(ci->number);
			const char *r = inf ? reason[ci->number]
					: al && (w->allowed & BIT(ci->number))
						? "allowed by a kubeaudit override"
					: al ? "allowed by configuration"
					     : "declared in the manifest";
			const char *was = NULL;

			if (strcmp(s, ci->name)) {
				p->add_respell[i] = ci->name;
				changed = true;
				was = s;
			}
			decide(p, ADDLIST_KEPT, ci->name, r, was,
			       inf  ? (enum addlist_evidence)ev[ci->number]
			       : al ? ADDLIST_EV_CONFIG
				    : ADDLIST_EV_DECLARED,
			       inf  ? source[ci->number]
			       : al ? src_config
				    : src_manifest);
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
		decide(p, ADDLIST_ADDED, ci->name, reason[ci->number], NULL,
		       (enum addlist_evidence)ev[ci->number], source[ci->number]);
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
