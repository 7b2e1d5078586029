#include "capfix/baseline.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"

#include <jansson.h>

static const char *nodot(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return path;
}

/* NULL sorts before every string (a missing namespace or container). */
static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct baseline_entry *a = pa, *b = pb;
	int c;

	if ((c = cmp_str(a->file, b->file)) || (c = cmp_str(a->kind, b->kind)) ||
	    (c = cmp_str(a->ns, b->ns)) || (c = cmp_str(a->name, b->name)) ||
	    (c = cmp_str(a->container, b->container)))
		return c;
	return cmp_str(a->rule, b->rule);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void add(struct baseline *b, const char *file, const char *kind, const char *ns,
		const char *name, const char *container, const char *rule)
{
	struct baseline_entry *e;

	CF_ALLOC_GROW(b->v, b->n + 1, b->alloc);
	e = &b->v[b->n++];
	e->file = xstrdup(nodot(file));
	e->kind = xstrdup(kind ? kind : "");
	e->ns = dup_or_null(ns);
	e->name = xstrdup(name ? name : "");
	e->container = dup_or_null(container);
	e->rule = xstrdup(rule);
}

static void entry_release(struct baseline_entry *e)
{
	free(e->file);
	free(e->kind);
	free(e->ns);
	free(e->name);
	free(e->container);
	free(e->rule);
}

/* Sort and keep each key once. */
static void normalise(struct baseline *b)
{
	size_t i, n = 0;

	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_entry);
	for (i = 0; i < b->n; i++) {
		if (n && !cmp_entry(&b->v[n - 1], &b->v[i]))
			entry_release(&b->v[i]);
		else
			b->v[n++] = b->v[i];
	}
	b->n = n;
}

void baseline_release(struct baseline *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		entry_release(&b->v[i]);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* A string field (null allowed when @nullable); -1 when it is anything else. */
static int field(json_t *o, const char *key, bool nullable, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	return nullable && (!v || json_is_null(v)) ? 0 : -1;
}

int baseline_load(struct baseline *b, const char *path, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr), *fs;
	size_t i;
	int ret = -1;

	memset(b, 0, sizeof(*b));
	if (!root)
		return cf_err(CF_E_USAGE, "%s:%d:%d: not a capfix baseline: %s", path, jerr.line,
			      jerr.column, jerr.text);
	fs = json_object_get(root, "findings");
	if (!json_is_object(root) || !json_is_integer(json_object_get(root, "version")) ||
	    !json_is_array(fs)) {
		cf_err(CF_E_USAGE, "%s: not a capfix baseline (version and findings expected)",
		       path);
		goto out;
	}
	if (json_integer_value(json_object_get(root, "version")) != BASELINE_VERSION) {
		cf_err(CF_E_USAGE, "%s: baseline version %lld; this capfix reads version %d", path,
		       (long long)json_integer_value(json_object_get(root, "version")),
		       BASELINE_VERSION);
		goto out;
	}
	for (i = 0; i < json_array_size(fs); i++) {
		json_t *e = json_array_get(fs, i);
		const char *file, *kind, *ns, *name, *container, *rule;

		if (!json_is_object(e) || field(e, "file", false, &file) ||
		    field(e, "kind", false, &kind) || field(e, "namespace", true, &ns) ||
		    field(e, "name", false, &name) || field(e, "container", true, &container) ||
		    field(e, "rule", false, &rule)) {
			cf_err(CF_E_USAGE,
			       "%s: findings[%zu]: file, kind, name and rule (strings), namespace and "
			       "container (strings or null) expected",
			       path, i);
			baseline_release(b);
			goto out;
		}
		add(b, file, kind, ns, name, container, rule);
	}
	normalise(b);
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int baseline_load_file(struct baseline *b, const char *path)
{
	struct sbuf buf = SBUF_INIT;
	int r = fsutil_read(path, FSUTIL_DEFAULT_MAX_SIZE, &buf);

	memset(b, 0, sizeof(*b));
	if (r == 0)
		r = baseline_load(b, path, buf.buf ? buf.buf : "", buf.len);
	sbuf_release(&buf);
	return r;
}

long baseline_write(const char *path, struct scan_result *res, bool mark)
{
	struct baseline b = BASELINE_INIT;
	struct sbuf out = SBUF_INIT;
	long n;

	baseline_from_scan(&b, res);
	baseline_render(&out, &b);
	n = fsutil_write_new(path, out.buf, out.len) < 0 ? -1 : (long)b.n;
	if (n >= 0 && mark)
		baseline_mark(&b, res);
	baseline_release(&b);
	sbuf_release(&out);
	return n;
}

void baseline_from_scan(struct baseline *b, const struct scan_result *res)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < res->nfindings; i++) {
		const struct scan_finding *f = &res->findings[i];

		if (!f->suppress_by)
			add(b, f->path, f->kind, f->ns, f->name, f->container, f->rule->id);
	}
	normalise(b);
}

static json_t *jnull_or(const char *s)
{
	return s ? json_string(s) : json_null();
}

void baseline_render(struct sbuf *out, const struct baseline *b)
{
	json_t *fs = json_array(), *root;
	char *text;
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct baseline_entry *e = &b->v[i];
		json_t *o = json_object();

		/* strings that are not UTF-8 cannot be JSON: such entries are left out */
		json_object_set_new(o, "file", json_string(e->file));
		json_object_set_new(o, "kind", json_string(e->kind));
		json_object_set_new(o, "namespace", jnull_or(e->ns));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "container", jnull_or(e->container));
		json_object_set_new(o, "rule", json_string(e->rule));
		if (json_object_size(o) == 6)
			json_array_append_new(fs, o);
		else
			json_decref(o);
	}
	root = json_pack("{s:i, s:s, s:o}", "version", BASELINE_VERSION, "tool", "capfix",
			 "findings", fs);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	sbuf_addstr(out, text ? text : "");
	sbuf_addch(out, '\n');
	free(text);
	json_decref(root);
}

size_t baseline_mark(const struct baseline *b, struct scan_result *res)
{
	size_t i, n = 0;

	for (i = 0; i < res->nfindings && b->n; i++) {
		struct scan_finding *f = &res->findings[i];
		struct baseline_entry key;

		key.file = (char *)nodot(f->path);
		key.kind = f->kind;
		key.ns = f->ns;
		key.name = f->name;
		key.container = f->container;
		key.rule = (char *)f->rule->id;
		f->baseline = bsearch(&key, b->v, b->n, sizeof(*b->v), cmp_entry) != NULL;
		n += f->baseline;
	}
	return n;
}
