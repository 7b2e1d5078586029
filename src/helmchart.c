#include "capfix/helmchart.h"
#include "capfix/fsutil.h"
#include "capfix/sbuf.h"
#include "capfix/walk.h"

#include <ctype.h>
#include <sys/stat.h>

static bool is_file(const char *dir, const char *name)
{
	struct sbuf p = SBUF_INIT;
	struct stat st;
	bool ok;

	sbuf_addf(&p, "%s/%s", dir, name);
	ok = lstat(p.buf, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
	sbuf_release(&p);
	return ok;
}

bool helmchart_is_chart(const char *dir)
{
	return is_file(dir, "values.yaml") && is_file(dir, "templates");
}

static void add_ref(struct helmchart_refs *out, const char *path, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i < out->n; i++)
		if (strlen(out->paths[i]) == len && !strncmp(out->paths[i], path, len))
			return;
	if (out->n + 1 > out->alloc) {
		out->alloc = out->alloc ? out->alloc * 2 : 8;
		out->paths = xrealloc(out->paths, cf_st_mult(out->alloc, sizeof(*out->paths)));
		out->sources =
			xrealloc(out->sources, cf_st_mult(out->alloc, sizeof(*out->sources)));
	}
	out->paths[out->n] = xstrndup(path, len);
	out->sources[out->n] = xstrdup(src);
	out->n++;
}

/* The dotted path after ".Values." at @s, or NULL; its length in *len. */
static const char *values_path(const char *s, const char *end, size_t *len)
{
	const char *p;

	for (; s + 8 <= end; s++) {
		if (strncmp(s, ".Values.", 8))
			continue;
		p = s + 8;
		*len = 0;
		while (p + *len < end &&
		       (isalnum((unsigned char)p[*len]) || p[*len] == '_' || p[*len] == '.'))
			(*len)++;
		while (*len && p[*len - 1] == '.')
			(*len)--;
		return *len ? p : NULL;
	}
	return NULL;
}

/* The values path, or @with_path for `.`/`$.`, named by the argument at @a; NULL otherwise. */
static const char *arg_path(const char *a, const char *end, const char *with_path, size_t with_len,
			    size_t *len)
{
	while (a < end && (*a == ' ' || *a == '('))
		a++;
	if (a < end && *a == '$')
		a++;
	if (a >= end || *a != '.')
		return NULL;
	if (a + 1 == end || !(isalnum((unsigned char)a[1]) || a[1] == '_')) {
		if (!with_path)
			return NULL;
		*len = with_len;
		return with_path;
	}
	return strncmp(a, ".Values.", 8) ? NULL : values_path(a, end, len);
}

/*
 * The values path rendered by `toYaml` on line [s, end): `toYaml ARG` or
 * `ARG | toYaml` (ARG first in its action), @with_path for `.`.
 */
static const char *toyaml_path(const char *s, const char *end, const char *with_path,
			       size_t with_len, size_t *len)
{
	const char *t;

	for (t = s; t + 6 <= end; t++) {
		const char *b, *r;

		if (strncmp(t, "toYaml", 6) || (t + 6 < end && isalnum((unsigned char)t[6])))
			continue;
		for (b = t; b > s && b[-1] == ' '; b--)
			;
		if (b > s && b[-1] == '|') {
			/* a pipeline: its first command is the argument */
			for (b--; b > s && !(b[-1] == '{' && b - 1 > s && b[-2] == '{'); b--)
				;
			while (b < t && (*b == '-' || *b == ' '))
				b++;
			r = arg_path(b, t, with_path, with_len, len);
			/* only a bare argument: `.Values.x | toYaml`, not `include ... | toYaml` */
			if (r && memchr(b, ' ', (size_t)(t - b)) &&
			    (size_t)(strcspn(b, " |")) < (size_t)(t - b)) {
				const char *after = b + strcspn(b, " |");

				while (after < t && *after == ' ')
					after++;
				if (*after != '|')
					r = NULL;
			}
			if (r)
				return r;
			continue;
		}
		r = arg_path(t + 6, end, with_path, with_len, len);
		if (r)
			return r;
	}
	return NULL;
}

/* Does [s, e) hold a template action other than a comment or a block keyword? */
static bool has_action(const char *s, const char *e)
{
	for (; s + 1 < e; s++) {
		const char *a;

		if (s[0] != '{' || s[1] != '{')
			continue;
		for (a = s + 2; a < e && (*a == '-' || *a == ' '); a++)
			;
		if ((e - a >= 2 && !strncmp(a, "/*", 2)) || (e - a >= 3 && !strncmp(a, "end", 3)) ||
		    (e - a >= 3 && !strncmp(a, "if ", 3)) ||
		    (e - a >= 5 && !strncmp(a, "with ", 5)) ||
		    (e - a >= 4 && !strncmp(a, "else", 4)) ||
		    (e - a >= 6 && !strncmp(a, "range ", 6)))
			continue;
		return true;
	}
	return false;
}

static void add_unread(struct helmchart_refs *out, const char *src, int line, const char *s,
		       const char *e, const char *s2, const char *e2)
{
	struct helmchart_unread *u;
	struct sbuf t = SBUF_INIT;

	CF_ALLOC_GROW(out->unread, out->nunread + 1, out->aunread);
	u = &out->unread[out->nunread++];
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	sbuf_add(&t, s, (size_t)(e - s));
	if (s2) {
		while (s2 < e2 && (*s2 == ' ' || *s2 == '\t'))
			s2++;
		sbuf_addch(&t, ' ');
		sbuf_add(&t, s2, (size_t)(e2 - s2));
	}
	u->source = xstrdup(src);
	u->line = line;
	u->text = sbuf_detach(&t, NULL);
}

struct tline {
	const char *s, *end; /* text without the line break */
	int indent;
	bool tpl_only; /* only template actions or blank */
};

void helmchart_scan_template(const char *name, const char *text, size_t len,
			     struct helmchart_refs *out)
{
	struct tline *lines = NULL;
	size_t n = 0, alloc = 0, i, j;
	const char *p = text, *end = text + len;
	/* the innermost `with .Values.X` */
	const char *with_stack[32];
	size_t with_len[32], depth = 0;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		struct tline *l;
		const char *q;

		e = e ? e : end;
		CF_ALLOC_GROW(lines, n + 1, alloc);
		l = &lines[n++];
		l->s = p;
		l->end = e > p && e[-1] == '\r' ? e - 1 : e;
		l->indent = 0;
		for (q = p; q < l->end && *q == ' '; q++)
			l->indent++;
		l->tpl_only = q == l->end ||
			      (l->end - q >= 2 && !strncmp(q, "{{", 2) &&
			       !strncmp(l->end - 2, "}}", 2)) ||
			      *q == '#';
		p = e < end ? e + 1 : end;
	}
	for (i = 0; i < n; i++) {
		const char *q = lines[i].s + lines[i].indent, *e = lines[i].end;
		const char *path;
		size_t plen = 0;
		bool same_line_action = false, next_action = false;

		/* template blocks: with/if/range/define push, end pops */
		if (e - q >= 3 && !strncmp(q, "{{", 2)) {
			const char *a = q + 2;

			while (a < e && (*a == '-' || *a == ' '))
				a++;
			if (!strncmp(a, "with ", 5) || !strncmp(a, "if ", 3) ||
			    !strncmp(a, "range ", 6) || !strncmp(a, "define ", 7) ||
			    !strncmp(a, "block ", 6)) {
				if (depth < ARRAY_SIZE(with_stack)) {
					size_t wl = 0;
					const char *wp = !strncmp(a, "with ", 5)
								 ? values_path(a, e, &wl)
								 : NULL;

					with_stack[depth] = wp;
					with_len[depth] = wl;
				}
				depth++;
			} else if (!strncmp(a, "end", 3) && depth) {
				depth--;
			}
			continue;
		}
		if (e - q < 16 || strncmp(q, "securityContext:", 16))
			continue;
		{
			const char *wp = NULL;
			size_t wl = 0, k;

			for (k = depth < ARRAY_SIZE(with_stack) ? depth : ARRAY_SIZE(with_stack);
			     k > 0; k--) {
				if (with_stack[k - 1]) {
					wp = with_stack[k - 1];
					wl = with_len[k - 1];
					break;
				}
			}
			path = toyaml_path(q + 16, e, wp, wl, &plen);
			same_line_action = has_action(q + 16, e);
			next_action = !same_line_action && i + 1 < n && lines[i + 1].tpl_only &&
				      has_action(lines[i + 1].s, lines[i + 1].end) &&
				      lines[i + 1].indent > lines[i].indent;
			if (!path && i + 1 < n && !same_line_action)
				path = toyaml_path(lines[i + 1].s, lines[i + 1].end, wp, wl, &plen);
		}
		if (!path && !same_line_action && !next_action)
			continue; /* a literal block: no template action renders it */
		/* a container's, not the pod's: the parent line is a list item */
		for (j = i; j > 0; j--) {
			const struct tline *pl = &lines[j - 1];

			if (pl->tpl_only || pl->indent >= lines[i].indent)
				continue;
			if (pl->end - pl->s > pl->indent + 1 && pl->s[pl->indent] == '-' &&
			    pl->s[pl->indent + 1] == ' ') {
				if (path)
					add_ref(out, path, plen, name);
				else
					add_unread(out, name, (int)i + 1, q, e,
						   next_action ? lines[i + 1].s : NULL,
						   next_action ? lines[i + 1].end : NULL);
			}
			break;
		}
	}
	free(lines);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_dir(const char *chart, const char *rel, struct helmchart_refs *out, int depth)
{
	struct walk_result wr = WALK_RESULT_INIT;
	struct sbuf dir = SBUF_INIT, buf = SBUF_INIT;
	const char *root;
	char **names = NULL;
	size_t i, n = 0;

	(void)rel;
	(void)depth;
	sbuf_addf(&dir, "%s/templates", chart);
	root = dir.buf;
	walk_collect(&wr, &root, 1);
	/* the walk takes YAML and JSON names; .tpl helpers hold no container */
	names = xcalloc(wr.nfiles ? wr.nfiles : 1, sizeof(*names));
	for (i = 0; i < wr.nfiles; i++)
		names[n++] = wr.files[i].path;
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (fsutil_read(names[i], 16 * 1024 * 1024, &buf) < 0)
			continue;
		helmchart_scan_template(names[i] + strlen(chart) + 1, buf.buf ? buf.buf : "",
					buf.len, out);
	}
	free(names);
	walk_result_release(&wr);
	sbuf_release(&dir);
	sbuf_release(&buf);
}

void helmchart_sc_refs(const char *chart_dir, struct helmchart_refs *out)
{
	scan_dir(chart_dir, "templates", out, 0);
}

void helmchart_refs_release(struct helmchart_refs *refs)
{
	size_t i;

	for (i = 0; i < refs->n; i++) {
		free(refs->paths[i]);
		free(refs->sources[i]);
	}
	free(refs->paths);
	free(refs->sources);
	for (i = 0; i < refs->nunread; i++) {
		free(refs->unread[i].source);
		free(refs->unread[i].text);
	}
	free(refs->unread);
	memset(refs, 0, sizeof(*refs));
}
