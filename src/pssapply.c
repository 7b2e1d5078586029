#include "capfix/pssapply.h"
#include "capfix/err.h"
#include "capfix/k8sname.h"
#include "capfix/nslabels.h"

size_t pssapply_labels(enum pss_level lvl, int minor, const char **keys, const char **values)
{
	size_t n = nslabels_pss(lvl, keys, values), i;

	for (i = 1; i < n; i += 2)
		values[i] = pss_version_name(minor);
	return n;
}

static void note(struct pssapply_ns *it, enum msg_severity sev, const char *fmt, ...)
	CF_PRINTF(3, 4);

static void note(struct pssapply_ns *it, enum msg_severity sev, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	it->note = xstrdup(text);
	it->note_sev = sev;
}

/* The Namespace manifests of the namespaces to label, each once, in name order. */
static void plan_paths(struct pssapply_plan *plan, const char *const *names, size_t n)
{
	const struct policy_set *ps = plan->ps;
	size_t i, j, k;

	plan->paths = xcalloc(ps->nns ? ps->nns : 1, sizeof(*plan->paths));
	for (i = 0; i < n; i++) {
		for (j = 0; j < ps->nns; j++) {
			const struct policy_namespace *pn = &ps->ns[j];
			bool seen = false;

			if (strcmp(pn->name, names[i]) || !pn->path)
				continue;
			for (k = 0; k < plan->npaths; k++)
				seen |= !strcmp(plan->paths[k], pn->path);
			if (!seen)
				plan->paths[plan->npaths++] = pn->path;
		}
	}
}

static void plan_missing(struct pssapply_plan *plan, struct pssapply_ns *it)
{
	const char *keys[6], *values[6];
	size_t nl = pssapply_labels((enum pss_level)it->level, plan->o.pss_minor, keys, values);
	struct sbuf out = SBUF_INIT;

	if (!plan->o.emit_dir) {
		it->action = PSSAPPLY_COMMAND;
		policy_label_command(&out, it->name, keys, values, nl);
		it->text = sbuf_detach(&out, NULL);
		return;
	}
	/* the file name holds the namespace: a DNS-1123 label, nothing else */
	if (!k8sname_valid(K8SNAME_LABEL, it->name)) {
		it->action = PSSAPPLY_BAD_NAME;
		note(it, MSG_ERROR, "namespace '%.64s' is not a DNS-1123 label: no file written",
		     it->name);
		return;
	}
	if (policy_namespace_manifest(&out, plan->o.tdir, it->name, keys, values, nl) < 0) {
		it->action = PSSAPPLY_FAILED;
		note(it, MSG_ERROR, "%s", cf_err_last()->msg);
		sbuf_release(&out);
		return;
	}
	it->action = PSSAPPLY_EMIT;
	it->text = sbuf_detach(&out, NULL);
	sbuf_addf(&out, "%s/namespace-%s.yaml", plan->o.emit_dir, it->name);
	it->file = sbuf_detach(&out, NULL);
}

void pssapply_plan(struct pssapply_plan *plan, const struct policy_set *ps,
		   const struct pssapply_opts *o)
{
	const char **names = NULL;
	size_t n = policy_namespaces(ps, &names), i;

	memset(plan, 0, sizeof(*plan));
	plan->ps = ps;
	plan->o = *o;
	plan->ns = xcalloc(n ? n : 1, sizeof(*plan->ns));
	plan->nns = n;
	if (o->write)
		plan_paths(plan, names, n);
	plan->done = xcalloc(plan->npaths ? plan->npaths : 1, sizeof(*plan->done));
	plan->failed = xcalloc(plan->npaths ? plan->npaths : 1, sizeof(*plan->failed));
	for (i = 0; i < n; i++) {
		struct pssapply_ns *it = &plan->ns[i];
		int have = policy_ns_level(ps, names[i]);

		it->name = names[i];
		it->pn = policy_ns_find(ps, names[i]);
		it->level = policy_pss_target(ps, names[i], o->pss, NULL);
		if (it->level < 0) {
			if (it->pn && it->pn->path && it->pn->labels[0] > have &&
			    have != POLICY_LEVEL_UNKNOWN) {
				it->action = PSSAPPLY_STRICTER;
				note(it, MSG_WARNING,
				     "namespace %s enforces %s, stricter than its workloads meet "
				     "(%s): left as is, never weakened",
				     it->name, pss_level_name((enum pss_level)it->pn->labels[0]),
				     pss_level_name((enum pss_level)have));
				it->note_path = it->pn->path;
				it->note_line = it->pn->line;
			}
			continue;
		}
		if (it->pn && it->pn->path)
			continue; /* its manifest: labelled with --write, else nothing */
		plan_missing(plan, it);
	}
	free(names);
}

void pssapply_plan_release(struct pssapply_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nns; i++) {
		free(plan->ns[i].file);
		free(plan->ns[i].text);
		free(plan->ns[i].note);
	}
	for (i = 0; i < plan->npaths; i++) {
		sbuf_release(&plan->done[i]);
		sbuf_release(&plan->failed[i]);
	}
	free(plan->ns);
	free(plan->paths);
	free(plan->done);
	free(plan->failed);
	memset(plan, 0, sizeof(*plan));
}

void pssapply_label(const struct pssapply_plan *plan, const char *path, const char *buf, size_t len,
		    struct fix_result *res, struct sbuf *done, struct sbuf *failed)
{
	const struct policy_set *ps = plan->ps;
	struct sbuf cur = SBUF_INIT;
	size_t j;

	sbuf_add(&cur, buf, len);
	for (j = 0; j < ps->nns; j++) {
		const struct policy_namespace *pn = &ps->ns[j];
		const char *keys[6], *values[6];
		struct fix_result one;
		size_t nl;
		int lvl;

		if (!pn->path || strcmp(pn->path, path))
			continue;
		lvl = policy_pss_target(ps, pn->name, plan->o.pss, NULL);
		if (lvl < 0)
			continue;
		nl = pssapply_labels((enum pss_level)lvl, plan->o.pss_minor, keys, values);
		fix_result_init(&one);
		if (nslabels_set(&one, cur.buf, cur.len, pn->name, keys, values, nl) < 0) {
			msg_add(failed, path, 0, 0, MSG_ERROR, "namespace %s left unchanged: %s",
				pn->name, one.err.msg);
		} else if (one.changed) {
			sbuf_setlen(&cur, 0);
			sbuf_add(&cur, one.out.buf, one.out.len);
			sbuf_addf(done, "labelled %s: namespace %s enforces %s\n", path, pn->name,
				  values[0]);
		}
		fix_result_release(&one);
	}
	if (cur.len != len || memcmp(cur.buf, buf, len)) {
		res->changed = true;
		sbuf_add(&res->out, cur.buf, cur.len);
	}
	sbuf_release(&cur);
}

int pssapply_transform(void *ctx, size_t index, const char *path, const char *buf, size_t len,
		       bool json, struct fix_result *res)
{
	struct pssapply_plan *plan = ctx;

	(void)json;
	pssapply_label(plan, path, buf, len, res, &plan->done[index], &plan->failed[index]);
	return 0;
}
