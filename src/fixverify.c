#include "capfix/fixverify.h"

static bool list_is(const struct ynode *n, const char *const *items, size_t count)
{
	size_t i;

	if (!n || n->kind != YN_SEQ || n->nkids != count)
		return false;
	for (i = 0; i < count; i++) {
		const char *s = yamlspan_str(n->kids[i]);

		if (!s || strcmp(s, items[i]))
			return false;
	}
	return true;
}

/* New capabilities @n for old @o (NULL, null, {} or a mapping) under plan @p. */
static bool expect_caps(const struct ynode *o, const struct ynode *n,
			const struct fixverify_plan *p)
{
	size_t i, j = 0;
	bool had_add = false, had_drop = false;

	if (!n || n->kind != YN_MAP)
		return false;
	if (o && o->kind == YN_MAP) {
		for (i = 0; i + 1 < o->nkids; i += 2) {
			const char *k = yamlspan_str(o->kids[i]);

			if (k && !strcmp(k, p->add_key)) {
				had_add = true;
				if (p->l.add_remove)
					continue;
				if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]))
					return false;
				if (p->l.add_set ? !list_is(n->kids[j + 1], p->l.add, p->l.nadd)
						 : !yamlspan_equal(o->kids[i + 1], n->kids[j + 1]))
					return false;
			} else if (k && !strcmp(k, p->drop_key)) {
				had_drop = true;
				if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]))
					return false;
				if (p->l.drop_set ? !list_is(n->kids[j + 1], p->l.drop, p->l.ndrop)
						  : !yamlspan_equal(o->kids[i + 1], n->kids[j + 1]))
					return false;
			} else if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]) ||
				   !yamlspan_equal(o->kids[i + 1], n->kids[j + 1])) {
				return false;
			}
			j += 2;
		}
	}
	if (!had_add && p->l.add_set && p->l.nadd) {
		if (j + 1 >= n->nkids || !yamlspan_str(n->kids[j]) ||
		    strcmp(yamlspan_str(n->kids[j]), p->add_key) ||
		    !list_is(n->kids[j + 1], p->l.add, p->l.nadd))
			return false;
		j += 2;
	}
	if (!had_drop) {
		if (j + 1 >= n->nkids || !yamlspan_str(n->kids[j]) ||
		    strcmp(yamlspan_str(n->kids[j]), p->drop_key) ||
		    !list_is(n->kids[j + 1], p->l.drop, p->l.ndrop))
			return false;
		j += 2;
	}
	return j == n->nkids;
}

static bool same_tree(const struct fixverify_plan *plans, const struct ynode *o,
		      const struct ynode *n);

/*
 * New mapping @n equals old @o (NULL, null, {} or a mapping) except that
 * key @key holds what @check accepts (appended at the end when absent).
 * The other values are compared with same_tree(), so that blocks marked
 * for other edits inside them (Helm values) are checked as planned.
 */
static bool expect_with(const struct fixverify_plan *plans, const struct ynode *o,
			const struct ynode *n, const char *key,
			bool (*check)(const struct fixverify_plan *, const struct ynode *,
				      const struct ynode *, const struct fixverify_plan *),
			const struct fixverify_plan *p)
{
	size_t i;
	long ki = o && o->kind == YN_MAP ? yamlspan_key_index(o, key) : -1;
	size_t on = o && o->kind == YN_MAP ? o->nkids : 0;

	if (!n || n->kind != YN_MAP)
		return false;
	if (ki < 0) {
		if (n->nkids != on + 2)
			return false;
		for (i = 0; i < on; i++)
			if (!((i & 1) ? same_tree(plans, o->kids[i], n->kids[i])
				      : yamlspan_equal(o->kids[i], n->kids[i])))
				return false;
		return yamlspan_str(n->kids[on]) && !strcmp(yamlspan_str(n->kids[on]), key) &&
		       check(plans, NULL, n->kids[on + 1], p);
	}
	if (n->nkids != on)
		return false;
	for (i = 0; i < on; i++) {
		if ((long)i == ki + 1) {
			if (!check(plans, o->kids[i], n->kids[i], p))
				return false;
		} else if (!((i & 1) ? same_tree(plans, o->kids[i], n->kids[i])
				     : yamlspan_equal(o->kids[i], n->kids[i]))) {
			return false;
		}
	}
	return true;
}

static bool expect_caps_f(const struct fixverify_plan *plans, const struct ynode *o,
			  const struct ynode *n, const struct fixverify_plan *p)
{
	(void)plans;
	return expect_caps(o, n, p);
}

static bool expect_sc(const struct fixverify_plan *plans, const struct ynode *o,
		      const struct ynode *n, const struct fixverify_plan *p)
{
	return expect_with(plans, o, n, "capabilities", expect_caps_f, p);
}

static bool same_tree(const struct fixverify_plan *plans, const struct ynode *o,
		      const struct ynode *n)
{
	size_t i;

	if (o->mark) {
		const struct fixverify_plan *p = &plans[o->mark - 1];

		if (p->flat)
			return expect_caps(o, n, p);
		return expect_with(plans, o, n, p->sc_key ? p->sc_key : "securityContext",
				   expect_sc, p);
	}
	if (!n || o->kind != n->kind || o->nkids != n->nkids || o->tag != n->tag)
		return false;
	if (o->kind == YN_SCALAR || o->kind == YN_ALIAS)
		return yamlspan_equal(o, n);
	for (i = 0; i < o->nkids; i++)
		if (!same_tree(plans, o->kids[i], n->kids[i]))
			return false;
	return true;
}

int fixverify_check(const struct yfile *old, const char *nbuf, size_t nlen, bool json,
		    const struct fixverify_plan *plans, struct yerror *errout)
{
	struct yfile ny = YFILE_INIT;
	struct yerror err;
	size_t i;
	int ret = -1;

	if (yamlspan_parse(&ny, nbuf, nlen, json, &err) < 0) {
		snprintf(errout->msg, sizeof(errout->msg),
			 "the edited text does not parse (%d:%d: %.160s)", err.line, err.col,
			 err.msg);
		return -1;
	}
	if (ny.ndocs != old->ndocs) {
		snprintf(errout->msg, sizeof(errout->msg),
			 "the edited text has %zu documents instead of %zu", ny.ndocs, old->ndocs);
		goto out;
	}
	for (i = 0; i < ny.ndocs; i++) {
		if (!same_tree(plans, old->docs[i].root, ny.docs[i].root)) {
			snprintf(
				errout->msg, sizeof(errout->msg),
				"document %zu does not mean the original plus the fix after editing",
				i + 1);
			goto out;
		}
	}
	ret = 0;
out:
	yamlspan_release(&ny);
	return ret;
}
