#include "capfix/yamledit.h"
#include "capfix/err.h"

void yamledit_add(struct yedits *e, size_t start, size_t end, const char *text, size_t len)
{
	struct yedit *ed;

	CF_ALLOC_GROW(e->v, e->n + 1, e->alloc);
	ed = &e->v[e->n];
	ed->start = start;
	ed->end = end;
	ed->text = xstrndup(text, len);
	ed->len = len;
	ed->seq = e->n;
	e->n++;
}

void yamledit_insert(struct yedits *e, size_t pos, const char *text)
{
	yamledit_add(e, pos, pos, text, strlen(text));
}

static int cmp_edit(const void *pa, const void *pb)
{
	const struct yedit *a = pa, *b = pb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	/* at one offset: insertions before a replacement, then by addition */
	if ((a->start == a->end) != (b->start == b->end))
		return a->start == a->end ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int yamledit_apply(struct yedits *e, const char *buf, size_t len, struct sbuf *out)
{
	size_t i, pos = 0, start_len = out->len;

	if (e->n)
		qsort(e->v, e->n, sizeof(*e->v), cmp_edit);
	for (i = 0; i < e->n; i++) {
		const struct yedit *ed = &e->v[i];

		if (ed->start > ed->end || ed->end > len) {
			sbuf_setlen(out, start_len);
			return cf_err(CF_E_EDIT, "edit [%zu,%zu) outside the %zu-byte input",
				      ed->start, ed->end, len);
		}
		if (ed->start < pos) {
			sbuf_setlen(out, start_len);
			return cf_err(CF_E_EDIT, "overlapping edits at byte %zu", ed->start);
		}
		sbuf_add(out, buf + pos, ed->start - pos);
		sbuf_add(out, ed->text, ed->len);
		pos = ed->end;
	}
	sbuf_add(out, buf + pos, len - pos);
	return 0;
}

void yamledit_release(struct yedits *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	e->v = NULL;
	e->n = e->alloc = 0;
}
