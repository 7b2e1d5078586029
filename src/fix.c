#include "capfix/fix.h"
#include "capfix/capcfg.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/k8s.h"
#include "capfix/profiles.h"
#include "capfix/yamledit.h"

#include <ctype.h>

struct capplan;

struct style {
	int step; /* indentation step of nested block mappings */
	int seq_off; /* column of `-` relative to its key: 0 (kubectl style) or indented */
	char quote; /* quote character for new scalars in flow context, or 0 */
	bool quote_keys;
	bool compact; /* flow text without blanks after `:` and `,` (minified JSON) */
};

struct fixer {
	const struct fix_opts *opts;
	const char *buf;
	size_t len;
	struct yfile *yf;
	struct yedits edits;
	struct fix_result *res;
	const char *eol;
	int doc_step; /* indentation step found in the current document, or 0 */
	int doc_seq_off; /* sequence offset found in the current document, or -1 */
	bool compose; /* editing compose services: lists indented under their key */
	/* plans of the edited containers; node->mark is index + 1 */
	struct capplan *plans;
	size_t nplans, aplans;
};

void fix_result_init(struct fix_result *res)
{
	memset(res, 0, sizeof(*res));
	sbuf_init(&res->out);
}

void fix_result_release(struct fix_result *res)
{
	size_t i;

	for (i = 0; i < res->nnotes; i++) {
		free(res->notes[i].msg);
		free(res->notes[i].object);
		free(res->notes[i].container);
		free(res->notes[i].detail);
	}
	free(res->notes);
	sbuf_release(&res->out);
	fix_result_init(res);
}

static void add_note(struct fix_result *res, enum fix_note_level level, int line, int col,
		     const char *fmt, ...) CF_PRINTF(5, 6);

static void add_note(struct fix_result *res, enum fix_note_level level, int line, int col,
		     const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sbuf_grow(&sb, n > 0 ? (size_t)n : 0);
	va_start(ap, fmt);
	vsnprintf(sb.buf, sb.alloc, fmt, ap);
	va_end(ap);
	sb.len = n > 0 ? (size_t)n : 0;
	CF_ALLOC_GROW(res->notes, res->nnotes + 1, res->anotes);
	res->notes[res->nnotes].level = level;
	res->notes[res->nnotes].line = line;
	res->notes[res->nnotes].col = col;
	res->notes[res->nnotes].msg = sbuf_detach(&sb, NULL);
	res->notes[res->nnotes].object = NULL;
	res->notes[res->nnotes].container = NULL;
	res->notes[res->nnotes].detail = NULL;
	res->notes[res->nnotes].seq = res->nnotes;
	res->nnotes++;
}

/* ---- byte helpers ---- */

static size_t line_start(const char *buf, size_t pos)
{
	while (pos > 0 && buf[pos - 1] != '\n')
		pos--;
	return pos;
}

/* Offset of the line break (the \r of a CRLF) ending the line of @pos, or len. */
static size_t line_end(const char *buf, size_t len, size_t pos)
{
	while (pos < len && buf[pos] != '\n')
		pos++;
	if (pos < len && pos > 0 && buf[pos - 1] == '\r')
		pos--;
	return pos;
}

static bool only_blank(const char *buf, size_t from, size_t to)
{
	for (; from < to; from++)
		if (buf[from] != ' ' && buf[from] != '\t')
			return false;
	return true;
}

/* True when bytes [from, line end) hold only blanks and an optional comment. */
static bool rest_is_comment(const char *buf, size_t len, size_t from)
{
	size_t e = line_end(buf, len, from);

	for (; from < e; from++) {
		if (buf[from] == '#')
			return true;
		if (buf[from] != ' ' && buf[from] != '\t' && buf[from] != '\r')
			return false;
	}
	return true;
}

static bool has_newline(const char *buf, size_t from, size_t to)
{
	return to > from && memchr(buf + from, '\n', to - from) != NULL;
}

/* Number of leading blanks of the line holding @pos. */
static int indent_of_line(const char *buf, size_t pos)
{
	size_t s = line_start(buf, pos), i = s;

	while (buf[i] == ' ')
		i++;
	return (int)(i - s);
}

/* The last node of a block collection's subtree, where its text ends. */
static const struct ynode *last_leaf(const struct ynode *n)
{
	while ((n->kind == YN_MAP || n->kind == YN_SEQ) && !n->flow && n->nkids)
		n = n->kids[n->nkids - 1];
	return n;
}

/*
 * Where a new line can be inserted after block node @n: the start of the
 * line after the one where @n's text ends. Sets *at_eof when @n ends on the
 * last line and the file has no final line break (the insertion then needs a
 * leading line break).
 */
static size_t line_after(struct fixer *f, const struct ynode *n, bool *at_eof)
{
	const struct ynode *leaf = last_leaf(n);
	size_t e = leaf->end;

	*at_eof = false;
	if (leaf->kind == YN_SCALAR && (leaf->style == YS_LITERAL || leaf->style == YS_FOLDED)) {
		size_t ls = line_start(f->buf, e);

		/* the mark sits in the indentation of the line after the content */
		if (ls > 0 && only_blank(f->buf, ls, e))
			return ls;
	}
	while (e < f->len && f->buf[e] != '\n')
		e++;
	if (e < f->len)
		return e + 1;
	*at_eof = true;
	return f->len;
}

/* ---- the value to write: a small tree of mappings, lists and names ---- */

#define MAX_ITEMS 48

enum nkind { NV_MAP, NV_LIST, NV_STR };

struct nval {
	const char *key; /* entry name inside a mapping; NULL for list items */
	enum nkind kind;
	const char *str; /* NV_STR */
	const struct nval *kids;
	size_t n;
};

/* Storage for {securityContext: {capabilities: {add: [...], drop: [...]}}}. */
struct newval {
	struct nval sc, caps, entries[2], add_items[MAX_ITEMS], drop_items[MAX_ITEMS];
	size_t nentries;
};

/*
 * What a container's capabilities must become. Lists hold borrowed
 * strings: canonical names from the catalogue, or texts of the parsed file.
 */
struct capplan {
	const char *add_key, *drop_key; /* "add"/"drop", or compose's "cap_add"/"cap_drop" */
	const char *sc_key; /* the securityContext key of the marked mapping */
	bool flat; /* the lists live directly in the marked mapping (a compose service) */
	const char *add[MAX_ITEMS];
	size_t nadd;
	bool add_set; /* the add list is written (created, edited or emptied) */
	bool add_remove; /* the add key is removed (block mapping, nothing left) */
	const char *drop[MAX_ITEMS];
	size_t ndrop;
	bool drop_set; /* the drop list is written */
	/* per existing item of add / drop: what happens to it */
	bool add_removed_item[MAX_ITEMS];
	const char *add_respell[MAX_ITEMS];
	const char *drop_respell[MAX_ITEMS];
};

static void build_newval(struct newval *nv, const struct capplan *p, bool want_add, bool want_drop)
{
	size_t i;

	memset(nv, 0, sizeof(*nv));
	if (want_add && p->nadd) {
		for (i = 0; i < p->nadd; i++) {
			nv->add_items[i].kind = NV_STR;
			nv->add_items[i].str = p->add[i];
		}
		nv->entries[nv->nentries].key = p->add_key;
		nv->entries[nv->nentries].kind = NV_LIST;
		nv->entries[nv->nentries].kids = nv->add_items;
		nv->entries[nv->nentries].n = p->nadd;
		nv->nentries++;
	}
	if (want_drop) {
		for (i = 0; i < p->ndrop; i++) {
			nv->drop_items[i].kind = NV_STR;
			nv->drop_items[i].str = p->drop[i];
		}
		nv->entries[nv->nentries].key = p->drop_key;
		nv->entries[nv->nentries].kind = NV_LIST;
		nv->entries[nv->nentries].kids = nv->drop_items;
		nv->entries[nv->nentries].n = p->ndrop;
		nv->nentries++;
	}
	nv->caps.key = "capabilities";
	nv->caps.kind = NV_MAP;
	nv->caps.kids = nv->entries;
	nv->caps.n = nv->nentries;
	nv->sc.key = p->sc_key ? p->sc_key : "securityContext";
	nv->sc.kind = NV_MAP;
	nv->sc.kids = &nv->caps;
	nv->sc.n = 1;
}

/* ---- rendering ---- */

static void add_scalar(struct sbuf *sb, const char *s, char quote)
{
	if (quote)
		sbuf_addch(sb, quote);
	sbuf_addstr(sb, s);
	if (quote)
		sbuf_addch(sb, quote);
}

/* Block lines for entry @e at column @indent, each ending in eol. */
static void render_block_entry(struct sbuf *sb, const struct fixer *f, const struct nval *e,
			       int indent, const struct style *st)
{
	size_t i;

	sbuf_addchars(sb, ' ', (size_t)indent);
	sbuf_addstr(sb, e->key);
	sbuf_addch(sb, ':');
	if (e->kind == NV_STR) {
		sbuf_addch(sb, ' ');
		add_scalar(sb, e->str, st->quote);
		sbuf_addstr(sb, f->eol);
		return;
	}
	if (e->kind == NV_LIST && !e->n) {
		sbuf_addstr(sb, " []");
		sbuf_addstr(sb, f->eol);
		return;
	}
	sbuf_addstr(sb, f->eol);
	for (i = 0; i < e->n; i++) {
		if (e->kind == NV_MAP) {
			render_block_entry(sb, f, &e->kids[i], indent + st->step, st);
		} else {
			sbuf_addchars(sb, ' ', (size_t)(indent + st->seq_off));
			sbuf_addstr(sb, "- ");
			add_scalar(sb, e->kids[i].str, st->quote);
			sbuf_addstr(sb, f->eol);
		}
	}
}

/* Block lines for the items of list @e at column @col (of the `-`). */
static void render_block_items(struct sbuf *sb, const struct fixer *f, const struct nval *e,
			       int col, char quote)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		sbuf_addchars(sb, ' ', (size_t)col);
		sbuf_addstr(sb, "- ");
		add_scalar(sb, e->kids[i].str, quote);
		sbuf_addstr(sb, f->eol);
	}
}

/* One-line flow text of @v: {k: v}, [a, b] or a scalar. */
static void render_flow_value(struct sbuf *sb, const struct nval *v, const struct style *st)
{
	char kq = st->quote_keys ? (st->quote ? st->quote : '"') : 0;
	const char *sep = st->compact ? "," : ", ";
	size_t i;

	switch (v->kind) {
	case NV_STR:
		add_scalar(sb, v->str, st->quote);
		return;
	case NV_LIST:
		sbuf_addch(sb, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				sbuf_addstr(sb, sep);
			add_scalar(sb, v->kids[i].str, st->quote);
		}
		sbuf_addch(sb, ']');
		return;
	case NV_MAP:
		sbuf_addch(sb, '{');
		for (i = 0; i < v->n; i++) {
			if (i)
				sbuf_addstr(sb, sep);
			add_scalar(sb, v->kids[i].key, kq);
			sbuf_addstr(sb, st->compact ? ":" : ": ");
			render_flow_value(sb, &v->kids[i], st);
		}
		sbuf_addch(sb, '}');
		return;
	}
}

/* Multi-line JSON text of @v whose first line continues at column @indent. */
static void render_json_value(struct sbuf *sb, const struct fixer *f, const struct nval *v,
			      int indent, int step)
{
	size_t i;

	if (v->kind == NV_STR) {
		add_scalar(sb, v->str, '"');
		return;
	}
	if (!v->n) {
		sbuf_addstr(sb, v->kind == NV_MAP ? "{}" : "[]");
		return;
	}
	sbuf_addch(sb, v->kind == NV_MAP ? '{' : '[');
	for (i = 0; i < v->n; i++) {
		sbuf_addstr(sb, i ? "," : "");
		sbuf_addstr(sb, f->eol);
		sbuf_addchars(sb, ' ', (size_t)(indent + step));
		if (v->kind == NV_MAP)
			sbuf_addf(sb, "\"%s\": ", v->kids[i].key);
		render_json_value(sb, f, &v->kids[i], indent + step, step);
	}
	sbuf_addstr(sb, f->eol);
	sbuf_addchars(sb, ' ', (size_t)indent);
	sbuf_addch(sb, v->kind == NV_MAP ? '}' : ']');
}

/* ---- style detection ---- */

/* First indentation step of a block mapping nested in a block mapping, or 0. */
static int find_step(const struct ynode *n, int depth)
{
	size_t i;

	if (depth > 64 || (n->kind != YN_MAP && n->kind != YN_SEQ) || n->flow)
		return 0;
	for (i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];

		if (n->kind == YN_MAP && (i & 1) && k->kind == YN_MAP && !k->flow && k->nkids &&
		    n->kids[i - 1]->line >= 0 && k->line > n->kids[i - 1]->line &&
		    k->col > n->kids[i - 1]->col)
			return k->col - n->kids[i - 1]->col;
		int s = find_step(k, depth + 1);

		if (s > 0)
			return s;
	}
	return 0;
}

/* Column of a block sequence's `-` relative to its key, or -1 if none is found. */
static int find_seq_off(const struct ynode *n, int depth)
{
	size_t i;

	if (depth > 64 || (n->kind != YN_MAP && n->kind != YN_SEQ) || n->flow)
		return -1;
	for (i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];

		if (n->kind == YN_MAP && (i & 1) && k->kind == YN_SEQ && !k->flow && k->nkids &&
		    n->kids[i - 1]->line >= 0 && k->line > n->kids[i - 1]->line &&
		    k->col >= n->kids[i - 1]->col)
			return k->col - n->kids[i - 1]->col;
		int s = find_seq_off(k, depth + 1);

		if (s >= 0)
			return s;
	}
	return -1;
}

static void block_style(struct fixer *f, const struct ynode *container, struct style *st)
{
	int off = find_seq_off(container, 0);
	const struct ynode *list = container->parent;

	memset(st, 0, sizeof(*st));
	st->step = f->doc_step > 0 ? f->doc_step : 2;
	if (off < 0 && list && list->kind == YN_SEQ && !list->flow && list->parent &&
	    list->parent->kind == YN_MAP) {
		/* the containers list itself: `containers:` then its `-` */
		const struct ynode *m = list->parent;
		size_t i;

		for (i = 1; i < m->nkids; i += 2)
			if (m->kids[i] == list && m->kids[i - 1]->line >= 0 &&
			    list->line > m->kids[i - 1]->line && list->col >= m->kids[i - 1]->col)
				off = list->col - m->kids[i - 1]->col;
	}
	if (off < 0)
		off = f->doc_seq_off;
	st->seq_off = off < 0 ? 0 : off;
	/* a compose service's cap_drop/cap_add is read as a block of its own:
	 * items below the key, never flush with it */
	if (f->compose && st->seq_off == 0)
		st->seq_off = st->step;
}

static bool plain_non_string(const char *s)
{
	static const char *const words[] = { "true", "false", "null",  "True", "False",
					     "Null", "TRUE",  "FALSE", "NULL", "~" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcmp(s, words[i]))
			return true;
	return s[0] == '-' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9');
}

/*
 * How the flow document around @n writes strings: the first key and the
 * first string value of the outermost flow collection holding @n decide
 * whether new keys and values are quoted (KYAML quotes values, JSON both).
 */
static void scan_quotes(const struct ynode *n, struct style *st, bool *key_seen, bool *val_seen,
			int depth)
{
	size_t i;

	if (depth > 64 || (*key_seen && *val_seen))
		return;
	for (i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];
		bool is_key = n->kind == YN_MAP && !(i & 1);

		if (k->kind == YN_MAP || k->kind == YN_SEQ) {
			scan_quotes(k, st, key_seen, val_seen, depth + 1);
			continue;
		}
		if (k->kind != YN_SCALAR || k->empty)
			continue;
		if (is_key && !*key_seen) {
			*key_seen = true;
			st->quote_keys = k->style == YS_DOUBLE || k->style == YS_SINGLE;
		} else if (!is_key && !*val_seen) {
			if (k->style == YS_DOUBLE || k->style == YS_SINGLE) {
				*val_seen = true;
				st->quote = k->style == YS_DOUBLE ? '"' : '\'';
			} else if (k->style == YS_PLAIN && !plain_non_string(k->text)) {
				*val_seen = true;
				st->quote = 0;
			}
		}
	}
}

/* Quoting of new scalars in flow collection @n (JSON: always double quotes). */
static void flow_style(struct fixer *f, const struct ynode *n, struct style *st)
{
	const struct ynode *root = n;
	bool key_seen = false, val_seen = false;

	memset(st, 0, sizeof(*st));
	st->step = 2;
	if (f->opts->json) {
		st->quote = '"';
		st->quote_keys = true;
		return;
	}
	while (root->parent && root->parent->flow)
		root = root->parent;
	scan_quotes(root, st, &key_seen, &val_seen, 0);
	if (st->quote_keys && !st->quote)
		st->quote = '"';
}

/* ---- edit operations; each returns 0, or -1 when the layout is not supported ---- */

/* Insert text after the line where @after ends (block context). */
static void insert_lines_after(struct fixer *f, const struct ynode *after, struct sbuf *lines)
{
	bool at_eof;
	size_t pos = line_after(f, after, &at_eof);

	if (at_eof) {
		/* keep the missing final line break missing */
		struct sbuf t = SBUF_INIT;

		sbuf_addstr(&t, f->eol);
		sbuf_add(&t, lines->buf, lines->len - strlen(f->eol));
		yamledit_add(&f->edits, pos, pos, t.buf, t.len);
		sbuf_release(&t);
	} else {
		yamledit_add(&f->edits, pos, pos, lines->buf, lines->len);
	}
}

/*
 * Append @n entries (mapping entries when @m is a mapping, items when a
 * sequence) at the end of flow collection @m.
 */
static int flow_append(struct fixer *f, const struct ynode *m, const struct nval *entries, size_t n)
{
	struct style st;
	struct sbuf text = SBUF_INIT, t = SBUF_INIT;
	const struct ynode *last, *first_of_last;
	size_t e, p, close, i;
	bool multiline, comma = false;
	int indent = 0, step = 2, ret = -1;

	if (!n)
		return 0;
	flow_style(f, m, &st);
	if (m->end == 0)
		return -1;
	close = m->end - 1;
	if (f->buf[close] != (m->kind == YN_MAP ? '}' : ']'))
		return -1;
	if (m->kind == YN_MAP && m->nkids) {
		const struct ynode *k = m->kids[m->nkids - 2];

		st.compact = k->end + 1 < f->len && f->buf[k->end] == ':' &&
			     f->buf[k->end + 1] != ' ' && f->buf[k->end + 1] != '\t' &&
			     f->buf[k->end + 1] != '\n' && f->buf[k->end + 1] != '\r';
	}
	if (!m->nkids) {
		for (i = 0; i < n; i++) {
			if (i)
				sbuf_addstr(&text, st.compact ? "," : ", ");
			if (entries[i].key) {
				add_scalar(&text, entries[i].key, st.quote_keys ? st.quote : 0);
				sbuf_addstr(&text, st.compact ? ":" : ": ");
			}
			render_flow_value(&text, &entries[i], &st);
		}
		yamledit_add(&f->edits, m->start + 1, m->start + 1, text.buf, text.len);
		ret = 0;
		goto out;
	}
	last = m->kids[m->nkids - 1];
	first_of_last = m->kids[m->nkids - (m->kind == YN_MAP ? 2 : 1)];
	e = last->end;
	/* a comma after the last entry (trailing comma style)? */
	for (p = e; p < close; p++) {
		char c = f->buf[p];

		if (c == '#' && !f->opts->json) {
			p = line_end(f->buf, f->len, p);
			continue;
		}
		if (c == ',') {
			comma = true;
			break;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			goto out;
	}
	multiline = has_newline(f->buf, m->start, first_of_last->start);
	if (multiline && first_of_last->col < 0)
		goto out; /* an empty key has no column to align with */
	if (multiline) {
		indent = first_of_last->col;
		step = indent - indent_of_line(f->buf, m->start);
		if (step <= 0)
			step = 2;
		if (line_end(f->buf, f->len, comma ? p : e) > close)
			multiline = false; /* the closing bracket shares the line */
	}
	if (multiline) {
		if (!comma)
			yamledit_add(&f->edits, e, e, ",", 1);
		for (i = 0; i < n; i++) {
			sbuf_addstr(&t, f->eol);
			sbuf_addchars(&t, ' ', (size_t)indent);
			if (entries[i].key) {
				add_scalar(&t, entries[i].key, st.quote_keys ? st.quote : 0);
				sbuf_addstr(&t, ": ");
			}
			if (f->opts->json)
				render_json_value(&t, f, &entries[i], indent, step);
			else
				render_flow_value(&t, &entries[i], &st);
			if (comma || i + 1 < n)
				sbuf_addch(&t, ',');
		}
		p = line_end(f->buf, f->len, comma ? p : e);
		yamledit_add(&f->edits, p, p, t.buf, t.len);
	} else {
		for (i = 0; i < n; i++) {
			sbuf_addstr(&t, comma && !i ? " " : (st.compact ? "," : ", "));
			if (entries[i].key) {
				add_scalar(&t, entries[i].key, st.quote_keys ? st.quote : 0);
				sbuf_addstr(&t, st.compact ? ":" : ": ");
			}
			render_flow_value(&t, &entries[i], &st);
		}
		if (comma) {
			sbuf_addch(&t, ',');
			yamledit_add(&f->edits, p + 1, p + 1, t.buf, t.len);
		} else {
			yamledit_add(&f->edits, e, e, t.buf, t.len);
		}
	}
	ret = 0;
out:
	sbuf_release(&text);
	sbuf_release(&t);
	return ret;
}

/* Add @n entries at the end of mapping @m. */
static int map_append(struct fixer *f, const struct ynode *m, const struct ynode *container,
		      const struct nval *entries, size_t n)
{
	struct style st;
	struct sbuf lines = SBUF_INIT;
	size_t i;

	if (m->flow)
		return flow_append(f, m, entries, n);
	if (!m->nkids || m->kids[0]->col < 0)
		return -1;
	block_style(f, container, &st);
	for (i = 0; i < n; i++)
		render_block_entry(&lines, f, &entries[i], m->kids[0]->col, &st);
	insert_lines_after(f, m, &lines);
	sbuf_release(&lines);
	return 0;
}

/*
 * Is the line after the one holding @pos a comment indented deeper than
 * @col (helm create's commented-out example under `securityContext: {}`)?
 * Block text inserted there would separate the comment from its key.
 */
static bool comment_block_below(const struct fixer *f, size_t pos, int col)
{
	size_t e = line_end(f->buf, f->len, pos), i;
	int ind = 0;

	if (e >= f->len)
		return false;
	for (i = e; i < f->len && (f->buf[i] == '\r' || f->buf[i] == '\n'); i++)
		if (f->buf[i] == '\n') {
			i++;
			break;
		}
	for (; i < f->len && f->buf[i] == ' '; i++)
		ind++;
	return i < f->len && f->buf[i] == '#' && ind > col;
}

/*
 * Give key m->kids[ki], whose value is null or an empty flow collection,
 * the value @v (a mapping or a list).
 */
static int set_value(struct fixer *f, const struct ynode *m, size_t ki,
		     const struct ynode *container, const struct nval *v)
{
	const struct ynode *key = m->kids[ki], *val = m->kids[ki + 1];
	struct style st;
	struct sbuf t = SBUF_INIT;
	size_t after = val->end;
	size_t i;

	if (val->empty) { /* step over the `:` of `key:` */
		while (after < f->len && (f->buf[after] == ' ' || f->buf[after] == '\t'))
			after++;
		if (after < f->len && f->buf[after] == ':')
			after++;
	}
	if (!m->flow && key->col >= 0 && !has_newline(f->buf, key->end, val->end) &&
	    rest_is_comment(f->buf, f->len, after) &&
	    !(!val->empty && comment_block_below(f, val->end, key->col))) {
		/* block context: drop ` ~` / ` {}` / ` []` and write block lines below the key */
		size_t ds = val->start, pos;

		block_style(f, container, &st);
		if (!val->empty) {
			while (ds > key->end && (f->buf[ds - 1] == ' ' || f->buf[ds - 1] == '\t'))
				ds--;
			yamledit_add(&f->edits, ds, val->end, "", 0);
		}
		if (v->kind == NV_MAP) {
			for (i = 0; i < v->n; i++)
				render_block_entry(&t, f, &v->kids[i], key->col + st.step, &st);
		} else {
			render_block_items(&t, f, v, key->col + st.seq_off, 0);
		}
		pos = line_end(f->buf, f->len, val->end);
		if (pos >= f->len) {
			struct sbuf u = SBUF_INIT;

			sbuf_addstr(&u, f->eol);
			sbuf_add(&u, t.buf, t.len - strlen(f->eol));
			yamledit_add(&f->edits, pos, pos, u.buf, u.len);
			sbuf_release(&u);
		} else {
			pos += strlen(f->eol);
			yamledit_add(&f->edits, pos, pos, t.buf, t.len);
		}
		sbuf_release(&t);
		return 0;
	}
	if (val->empty)
		return -1;
	if (!m->flow && (val->kind == YN_MAP || val->kind == YN_SEQ) && val->flow && !val->nkids &&
	    val->col >= 0 && has_newline(f->buf, key->end, val->start) &&
	    only_blank(f->buf, line_start(f->buf, val->start), val->start) &&
	    rest_is_comment(f->buf, f->len, val->end)) {
		/* `{}` alone on the line below the key (helm's toYaml | nindent): block text there
		 */
		size_t cut = strlen(f->eol);

		block_style(f, container, &st);
		if (v->kind == NV_MAP) {
			for (i = 0; i < v->n; i++)
				render_block_entry(&t, f, &v->kids[i], val->col, &st);
		} else {
			render_block_items(&t, f, v, val->col, 0);
		}
		if (t.len > cut + (size_t)val->col)
			yamledit_add(&f->edits, val->start, val->end, t.buf + val->col,
				   t.len - cut - (size_t)val->col);
		sbuf_release(&t);
		return 0;
	}
	if ((val->kind == YN_MAP || val->kind == YN_SEQ) && val->flow && !val->nkids)
		return flow_append(f, val, v->kids, v->n);
	if (val->kind != YN_SCALAR)
		return -1;
	/* an explicit null in flow context: replace the token */
	flow_style(f, m, &st);
	if (f->opts->json)
		render_json_value(&t, f, v, key->col, 2);
	else
		render_flow_value(&t, v, &st);
	yamledit_add(&f->edits, val->start, val->end, t.buf, t.len);
	sbuf_release(&t);
	return 0;
}

static char quote_of(const struct ynode *n)
{
	if (n->kind == YN_SCALAR && n->style == YS_DOUBLE)
		return '"';
	if (n->kind == YN_SCALAR && n->style == YS_SINGLE)
		return '\'';
	return 0;
}

/* Is block item @it alone on its line(s), so that its lines can be deleted? */
static bool item_owns_lines(const struct fixer *f, const struct ynode *it)
{
	size_t ls = line_start(f->buf, it->start), i;
	bool dash = false;

	if (it->kind != YN_SCALAR || it->style == YS_LITERAL || it->style == YS_FOLDED ||
	    has_newline(f->buf, it->start, it->end))
		return false;
	for (i = ls; i < it->start; i++) {
		if (f->buf[i] == '-' && !dash)
			dash = true;
		else if (f->buf[i] != ' ')
			return false;
	}
	return dash && rest_is_comment(f->buf, f->len, it->end);
}

/*
 * Edit list @seq in place: remove the items flagged in @removed, respell
 * items with a non-NULL @respell entry, append @app (@napp names).
 */
static int seq_edit(struct fixer *f, const struct ynode *seq, const bool *removed,
		    const char *const *respell, const char *const *app, size_t napp)
{
	struct sbuf t = SBUF_INIT;
	struct nval items[MAX_ITEMS];
	size_t i, kept = 0;
	bool any_removed = false, any_respelled = false;
	char q;

	if (seq->nkids > MAX_ITEMS || napp > MAX_ITEMS)
		return -1;
	for (i = 0; i < seq->nkids; i++) {
		any_removed |= removed && removed[i];
		any_respelled |= respell && respell[i];
		kept += !(removed && removed[i]);
	}
	q = seq->nkids ? quote_of(seq->kids[0]) : 0;
	if (f->opts->json)
		q = '"';
	if (seq->flow) {
		struct style st;

		if (!any_removed && !any_respelled) {
			for (i = 0; i < napp; i++) {
				items[i].key = NULL;
				items[i].kind = NV_STR;
				items[i].str = app[i];
			}
			return flow_append(f, seq, items, napp);
		}
		/* rewrite the whole list when it holds no comment */
		for (i = seq->start; i < seq->end; i++)
			if (f->buf[i] == '#')
				return -1;
		flow_style(f, seq, &st);
		st.quote = q;
		sbuf_addch(&t, '[');
		kept = 0;
		for (i = 0; i < seq->nkids; i++) {
			const char *s =
				respell && respell[i] ? respell[i] : yamlspan_str(seq->kids[i]);

			if (removed && removed[i])
				continue;
			if (!s)
				goto unsupported;
			if (kept++)
				sbuf_addstr(&t, ", ");
			add_scalar(&t, s,
				   quote_of(seq->kids[i]) ? quote_of(seq->kids[i]) : st.quote);
		}
		for (i = 0; i < napp; i++) {
			if (kept++)
				sbuf_addstr(&t, ", ");
			add_scalar(&t, app[i], st.quote);
		}
		sbuf_addch(&t, ']');
		yamledit_add(&f->edits, seq->start, seq->end, t.buf, t.len);
		sbuf_release(&t);
		return 0;
	}
	if (seq->col < 0)
		return -1;
	for (i = 0; i < seq->nkids; i++) {
		const struct ynode *it = seq->kids[i];

		if (removed && removed[i]) {
			bool at_eof;
			size_t from = line_start(f->buf, it->start), to;

			if (!item_owns_lines(f, it))
				goto unsupported;
			to = line_after(f, it, &at_eof);
			if (at_eof) {
				/* the last line of a file without a final newline */
				while (from > 0 &&
				       (f->buf[from - 1] == '\n' || f->buf[from - 1] == '\r'))
					from--;
			}
			yamledit_add(&f->edits, from, to, "", 0);
		} else if (respell && respell[i]) {
			struct sbuf r = SBUF_INIT;

			add_scalar(&r, respell[i], quote_of(it));
			yamledit_add(&f->edits, it->start, it->end, r.buf, r.len);
			sbuf_release(&r);
		}
	}
	for (i = 0; i < napp; i++) {
		sbuf_addchars(&t, ' ', (size_t)seq->col);
		sbuf_addstr(&t, "- ");
		add_scalar(&t, app[i], q);
		sbuf_addstr(&t, f->eol);
	}
	if (t.len)
		insert_lines_after(f, seq, &t);
	sbuf_release(&t);
	return 0;
unsupported:
	sbuf_release(&t);
	return -1;
}

/* Remove entry m->kids[ki] of block mapping @m (its key line through its value). */
static int remove_entry(struct fixer *f, const struct ynode *m, size_t ki)
{
	const struct ynode *key = m->kids[ki], *val = m->kids[ki + 1];
	size_t from, to;
	bool at_eof;

	if (m->flow || !only_blank(f->buf, line_start(f->buf, key->start), key->start))
		return -1;
	from = line_start(f->buf, key->start);
	to = line_after(f, val->empty ? key : val, &at_eof);
	if (at_eof)
		while (from > 0 && (f->buf[from - 1] == '\n' || f->buf[from - 1] == '\r'))
			from--;
	yamledit_add(&f->edits, from, to, "", 0);
	return 0;
}

/* ---- the per-container decision ---- */

static bool is_all(const char *s)
{
	if (!s)
		return false;
	if (!strncmp(s, "CAP_", 4) || !strncmp(s, "cap_", 4))
		s += 4;
	return (s[0] == 'A' || s[0] == 'a') && (s[1] == 'L' || s[1] == 'l') &&
	       (s[2] == 'L' || s[2] == 'l') && !s[3];
}

static const char *shared(const struct ynode *n)
{
	if (!n)
		return NULL;
	if (n->kind == YN_ALIAS)
		return "is an alias";
	if (n->anchor)
		return "has an anchor";
	if (n->tag && n->kind != YN_SCALAR)
		return "has an explicit tag";
	if (n->kind == YN_MAP && n->merge)
		return "has a merge key (<<)";
	return NULL;
}

static void note_pos(const struct ynode *n, int *line, int *col)
{
	while (n && n->line < 0)
		n = n->parent;
	*line = n ? n->line + 1 : 1;
	*col = n ? n->col + 1 : 1;
}

/* An integer scalar (decimal), or -1. */
static long int_of(const struct ynode *n)
{
	const char *s = yamlspan_str(n);
	char *end;
	long v;

	if (!s || !*s || n->style != YS_PLAIN)
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

/*
 * May the container's process start as root? Kubernetes gives added
 * capabilities to root only (no ambient capabilities): runAsUser decides,
 * the container's over the pod's; else runAsNonRoot; else the image's user,
 * which is unknown here, so yes.
 */
static bool may_run_as_root(const struct ynode *c, const struct ynode *pod_spec)
{
	const struct ynode *csc = yamlspan_get(c, "securityContext");
	const struct ynode *psc = yamlspan_get(pod_spec, "securityContext");
	const struct ynode *u = yamlspan_get(csc, "runAsUser");
	const struct ynode *nr = yamlspan_get(csc, "runAsNonRoot");

	if (!u || yamlspan_is_null(u))
		u = yamlspan_get(psc, "runAsUser");
	if (u && !yamlspan_is_null(u) && int_of(u) >= 0)
		return int_of(u) == 0;
	if (!nr || yamlspan_is_null(nr))
		nr = yamlspan_get(psc, "runAsNonRoot");
	return !yamlspan_is_true(nr);
}

/* The first containerPort below 1024, or -1. */
static long low_port(const struct ynode *c)
{
	const struct ynode *ports = yamlspan_get(c, "ports");
	size_t i;

	if (!ports || ports->kind != YN_SEQ)
		return -1;
	for (i = 0; i < ports->nkids; i++) {
		long p = int_of(yamlspan_get(ports->kids[i], "containerPort"));

		if (p > 0 && p < 1024)
			return p;
	}
	return -1;
}

static bool is_windows(const struct ynode *pod_spec)
{
	const char *os = yamlspan_str(yamlspan_get(yamlspan_get(pod_spec, "os"), "name"));

	return os && !strcmp(os, "windows");
}

struct decision {
	const char *skip; /* why the container is left alone */
	char skipbuf[160];
	bool already; /* nothing to change */
	bool spelled; /* drop holds ALL spelled `all` or `CAP_ALL` (left as is with --drop-only) */
	struct sbuf why; /* the add-list story, for the CHANGE note */
	size_t added, removed, kept;
};

#define BIT(n) ((uint64_t)1 << (n))

static void why_add(struct decision *d, const char *verb, const char *name, const char *reason)
{
	sbuf_addf(&d->why, "%s%s %s (%s)", d->why.len ? "; " : "", verb, name, reason);
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

static void infer_words(const char *text, uint64_t *inferred, const char **reason)
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
static void infer_from_command(const struct ynode *const *cmds, uint64_t *inferred,
			       const char **reason)
{
	size_t k, i;

	for (k = 0; k < 3; k++) {
		const struct ynode *l = cmds[k];

		if (l && l->kind == YN_SCALAR)
			infer_words(l->text, inferred, reason);
		for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++)
			if (yamlspan_str(l->kids[i]))
				infer_words(yamlspan_str(l->kids[i]), inferred, reason);
	}
}

/* What the planner needs to know about a container or a compose service. */
struct workload {
	const char *image;
	bool root; /* may start as root */
	long port; /* a port below 1024 it listens on, or -1 */
	const struct ynode *cmds[3]; /* command/args/entrypoint: lists or strings */
	struct capcfg_target t;
};

static void plan_add(struct fixer *f, const struct workload *w, const struct ynode *add,
		     struct capplan *p, struct decision *d)
{
	const struct image_profile *prof = profiles_match(w->image);
	bool root = w->root;
	long port = w->port;
	uint64_t allow = 0, deny = 0, cfg_add = 0, inferred = 0, present = 0;
	const char *reason[64] = { 0 };
	char portwhy[96], profwhy[96];
	size_t i, nexist = add && add->kind == YN_SEQ ? add->nkids : 0;
	bool changed = false;

	if (f->opts->cfg)
		capcfg_eval(f->opts->cfg, &w->t, &allow, &deny, &cfg_add);
	deny |= f->opts->deny;
	/* what the container needs */
	if (port > 0 && root) {
		const struct cap_info *nb = caps_lookup("NET_BIND_SERVICE");

		snprintf(portwhy, sizeof(portwhy),
			 "port %ld is below 1024 and the process may run as root", port);
		inferred |= BIT(nb->number);
		reason[nb->number] = portwhy;
	}
	if (prof && (root || prof->file_caps)) {
		snprintf(profwhy, sizeof(profwhy), "image profile %s%s", prof->name,
			 prof->file_caps ? ", file capabilities" : "");
		for (i = 0; prof->caps[i]; i++) {
			const struct cap_info *ci = caps_lookup(prof->caps[i]);

			if (ci && !(inferred & BIT(ci->number))) {
				inferred |= BIT(ci->number);
				reason[ci->number] = profwhy;
			}
		}
	}
	if (root)
		infer_from_command(w->cmds, &inferred, reason);
	for (i = 0; i < 64; i++) {
		if ((cfg_add & BIT(i)) && !(inferred & BIT(i))) {
			inferred |= BIT(i);
			reason[i] = "configuration";
		}
	}
	/* the existing entries */
	for (i = 0; i < nexist && i < MAX_ITEMS; i++) {
		const char *s = yamlspan_str(add->kids[i]);
		const struct cap_info *ci = s ? caps_lookup(s) : NULL;

		if (!ci) {
			if (f->opts->strict) {
				p->add_removed_item[i] = true;
				d->removed++;
				why_add(d, "removed", s ? s : "?",
					"--strict: not a capability name");
				changed = true;
				continue;
			}
			p->add[p->nadd++] = s ? s : "";
			d->kept++;
			why_add(d, "kept", s ? s : "?", "not a capability name; left as written");
			continue;
		}
		if (present & BIT(ci->number)) {
			p->add_removed_item[i] = true;
			why_add(d, "removed", ci->name, "listed twice");
			changed = true;
			continue;
		}
		if (deny & BIT(ci->number)) {
			p->add_removed_item[i] = true;
			d->removed++;
			why_add(d, "removed", ci->name,
				(f->opts->deny & BIT(ci->number)) ? "denied by --deny"
								  : "denied by configuration");
			changed = true;
			continue;
		}
		if (f->opts->strict && !(inferred & BIT(ci->number)) &&
		    !(allow & BIT(ci->number))) {
			p->add_removed_item[i] = true;
			d->removed++;
			why_add(d, "removed", ci->name, "--strict: neither inferred nor allowed");
			changed = true;
			continue;
		}
		present |= BIT(ci->number);
		p->add[p->nadd++] = ci->name;
		d->kept++;
		{
			const char *r = (inferred & BIT(ci->number)) ? reason[ci->number]
					: (allow & BIT(ci->number))  ? "allowed by configuration"
								     : "declared in the manifest";
			char rb[192];

			if (strcmp(s, ci->name)) {
				p->add_respell[i] = ci->name;
				changed = true;
				snprintf(rb, sizeof(rb), "%s; was written %.40s", r, s);
				r = rb;
			}
			why_add(d, "kept", ci->name, r);
		}
	}
	/* what is still missing, in catalogue order */
	for (i = 0; i < caps_count(); i++) {
		const struct cap_info *ci = caps_at(i);

		if (!(inferred & BIT(ci->number)) || (present & BIT(ci->number)) ||
		    (deny & BIT(ci->number)) || p->nadd >= MAX_ITEMS)
			continue;
		p->add[p->nadd++] = ci->name;
		present |= BIT(ci->number);
		d->added++;
		why_add(d, "added", ci->name, reason[ci->number]);
		changed = true;
	}
	if (!changed)
		return;
	p->add_set = true;
	if (!p->nadd && add && !yamlspan_is_null(add))
		p->add_remove = true;
}

/* The final drop list of @drop (NULL, null or a list) into @p. */
static void plan_drop(struct fixer *f, const struct ynode *drop, struct capplan *p,
		      struct decision *d)
{
	bool has_all = false;
	size_t i;

	if (drop && drop->kind == YN_SEQ) {
		for (i = 0; i < drop->nkids; i++) {
			const char *s = yamlspan_str(drop->kids[i]);

			p->drop[p->ndrop++] = s ? s : "";
			if (s && !strcmp(s, "ALL"))
				has_all = true;
		}
		for (i = 0; !has_all && i < drop->nkids; i++) {
			if (is_all(yamlspan_str(drop->kids[i]))) {
				d->spelled = true;
				has_all = true;
				if (!f->opts->drop_only) {
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
	} else {
		p->drop[p->ndrop++] = "ALL";
		p->drop_set = true;
	}
}

/*
 * Edit the add and drop lists of mapping @caps (a capabilities mapping, or a
 * compose service) in place as planned: @kadd/@kdrop index their keys or are -1.
 */
static int edit_lists(struct fixer *f, const struct ynode *caps, const struct ynode *c, long kadd,
		      long kdrop, struct capplan *p)
{
	const struct ynode *add = kadd >= 0 ? caps->kids[kadd + 1] : NULL;
	const struct ynode *drop = kdrop >= 0 ? caps->kids[kdrop + 1] : NULL;
	struct newval nv;
	size_t i;

	build_newval(&nv, p, !add && p->add_set, !drop);
	if (p->add_set && add) {
		if (p->add_remove) {
			if (caps->flow) {
				p->add_remove = false; /* a flow mapping keeps `add: []` */
				if (seq_edit(f, add, p->add_removed_item, p->add_respell, NULL, 0) <
				    0)
					return -1;
			} else if (remove_entry(f, caps, (size_t)kadd) < 0) {
				return -1;
			}
		} else if (yamlspan_is_null(add)) {
			struct nval lst = { p->add_key, NV_LIST, NULL, nv.add_items, 0 };

			for (i = 0; i < p->nadd; i++) {
				nv.add_items[i].kind = NV_STR;
				nv.add_items[i].str = p->add[i];
			}
			lst.n = p->nadd;
			if (set_value(f, caps, (size_t)kadd, c, &lst) < 0)
				return -1;
		} else {
			const char *app[MAX_ITEMS];
			size_t napp = 0, kept = 0;

			for (i = 0; i < add->nkids; i++)
				kept += !p->add_removed_item[i];
			for (i = kept; i < p->nadd; i++)
				app[napp++] = p->add[i];
			if (seq_edit(f, add, p->add_removed_item, p->add_respell, app, napp) < 0)
				return -1;
		}
	}
	if (p->drop_set && drop) {
		if (yamlspan_is_null(drop)) {
			struct nval all = { NULL, NV_STR, "ALL", NULL, 0 };
			struct nval lst = { p->drop_key, NV_LIST, NULL, &all, 1 };

			if (set_value(f, caps, (size_t)kdrop, c, &lst) < 0)
				return -1;
		} else {
			const char *app[1] = { "ALL" };
			bool respelled = false;

			for (i = 0; i < drop->nkids; i++)
				respelled |= p->drop_respell[i] != NULL;
			if (!drop->nkids && !drop->flow)
				return -1;
			if (seq_edit(f, drop, NULL, p->drop_respell, app, respelled ? 0 : 1) < 0)
				return -1;
		}
	}
	if (nv.nentries)
		return map_append(f, caps, c, nv.entries, nv.nentries);
	return 0;
}

/*
 * Plan and queue the edits of mapping @c's @sc_key (a container's
 * securityContext, or a securityContext block of Helm values) for workload
 * @w (NULL with --drop-only).
 */
static int plan_sc(struct fixer *f, struct ynode *c, const char *sc_key, const struct workload *w,
		   struct capplan *p, struct decision *d)
{
	const struct ynode *sc, *caps = NULL, *drop = NULL, *add = NULL;
	struct newval nv;
	const char *why;
	long ksc, kcaps = -1, kdrop = -1, kadd = -1;

	p->add_key = "add";
	p->drop_key = "drop";
	p->sc_key = sc_key;
	if (yamlspan_key_count(c, sc_key) > 1) {
		d->skip = "duplicate securityContext keys";
		return 0;
	}
	ksc = yamlspan_key_index(c, sc_key);
	sc = ksc >= 0 ? c->kids[ksc + 1] : NULL;
	if ((why = shared(sc))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "securityContext %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (sc && !yamlspan_is_null(sc) && sc->kind != YN_MAP) {
		d->skip = "securityContext is not a mapping";
		return 0;
	}
	if (sc && sc->kind == YN_MAP) {
		if (yamlspan_is_true(yamlspan_get(sc, "privileged"))) {
			d->skip = "privileged: true (dropping capabilities does not confine it)";
			return 0;
		}
		if (yamlspan_key_count(sc, "capabilities") > 1) {
			d->skip = "duplicate capabilities keys";
			return 0;
		}
		kcaps = yamlspan_key_index(sc, "capabilities");
		caps = kcaps >= 0 ? sc->kids[kcaps + 1] : NULL;
	}
	if ((why = shared(caps))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "capabilities %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (caps && !yamlspan_is_null(caps) && caps->kind != YN_MAP) {
		d->skip = "capabilities is not a mapping";
		return 0;
	}
	if (caps && caps->kind == YN_MAP) {
		if (yamlspan_key_count(caps, "drop") > 1 || yamlspan_key_count(caps, "add") > 1) {
			d->skip = "duplicate drop or add keys";
			return 0;
		}
		kdrop = yamlspan_key_index(caps, "drop");
		drop = kdrop >= 0 ? caps->kids[kdrop + 1] : NULL;
		kadd = yamlspan_key_index(caps, "add");
		add = kadd >= 0 ? caps->kids[kadd + 1] : NULL;
	}
	if ((why = shared(drop)) || (!why && !f->opts->drop_only && (why = shared(add)))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "capabilities.%s %s",
			 shared(drop) ? "drop" : "add", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (drop && !yamlspan_is_null(drop) && drop->kind != YN_SEQ) {
		d->skip = "capabilities.drop is not a list";
		return 0;
	}
	if (!f->opts->drop_only && add && !yamlspan_is_null(add) && add->kind != YN_SEQ) {
		d->skip = "capabilities.add is not a list";
		return 0;
	}
	if ((drop && drop->kind == YN_SEQ && drop->nkids >= MAX_ITEMS) ||
	    (add && add->kind == YN_SEQ && add->nkids >= MAX_ITEMS)) {
		d->skip = "capability lists too long";
		return 0;
	}
	plan_drop(f, drop, p, d);
	if (!f->opts->drop_only && w)
		plan_add(f, w, add, p, d);
	if (!p->drop_set && !p->add_set) {
		d->already = true;
		return 0;
	}
	/* the edits, outermost missing piece first */
	if (!sc || yamlspan_is_null(sc) || (sc->kind == YN_MAP && sc->flow && !sc->nkids)) {
		build_newval(&nv, p, true, true);
		if (!sc)
			return map_append(f, c, c, &nv.sc, 1);
		return set_value(f, c, (size_t)ksc, c, &nv.sc);
	}
	if (!caps || yamlspan_is_null(caps) || (caps->kind == YN_MAP && caps->flow && !caps->nkids)) {
		build_newval(&nv, p, true, true);
		if (!caps)
			return map_append(f, sc, c, &nv.caps, 1);
		return set_value(f, sc, (size_t)kcaps, c, &nv.caps);
	}
	/* capabilities is a mapping with entries: edit add and drop in place */
	return edit_lists(f, caps, c, kadd, kdrop, p);
}

static int plan_container(struct fixer *f, struct k8s_container *kc, struct capplan *p,
			  struct decision *d)
{
	struct ynode *c = kc->node;
	struct workload w;

	if (is_windows(kc->pod_spec)) {
		d->skip = "Windows pod: Linux capabilities do not apply there";
		return 0;
	}
	memset(&w, 0, sizeof(w));
	w.image = yamlspan_str(yamlspan_get(c, "image"));
	w.root = may_run_as_root(c, kc->pod_spec);
	w.port = low_port(c);
	w.cmds[0] = yamlspan_get(c, "command");
	w.cmds[1] = yamlspan_get(c, "args");
	w.t.image = w.image;
	w.t.ns = kc->ns;
	w.t.kind = kc->kind;
	w.t.name = kc->name;
	w.t.container = kc->cname;
	return plan_sc(f, c, "securityContext", &w, p, d);
}

static int on_container(struct k8s_container *kc, void *payload)
{
	struct fixer *f = payload;
	struct fix_result *res = f->res;
	struct decision d;
	struct capplan *p;
	size_t before = f->edits.n;
	int line, col, r;

	res->containers++;
	note_pos(kc->node, &line, &col);
	if (kc->dup_key) {
		int dl, dc;

		note_pos(kc->dup_key, &dl, &dc);
		add_note(
			res, FIX_NOTE_WARN, dl, dc,
			"%s/%s: duplicate key \"%s\": the last one is used, as YAML 1.1 loaders do (kubectl rejects duplicate keys)",
			kc->kind, kc->name, kc->dup_key->text);
	}
	if (kc->skip) {
		res->skipped++;
		add_note(res, FIX_NOTE_WARN, line, col, "%s/%s: container \"%s\" left alone: %s",
			 kc->kind, kc->name, kc->cname, kc->skip);
		return 0;
	}
	CF_ALLOC_GROW(f->plans, f->nplans + 1, f->aplans);
	p = &f->plans[f->nplans];
	memset(p, 0, sizeof(*p));
	memset(&d, 0, sizeof(d));
	sbuf_init(&d.why);
	r = plan_container(f, kc, p, &d);
	if (r < 0 || d.skip) {
		/* undo what this container queued */
		while (f->edits.n > before)
			free(f->edits.v[--f->edits.n].text);
		res->skipped++;
		add_note(res, FIX_NOTE_WARN, line, col, "%s/%s: container \"%s\" left alone: %s",
			 kc->kind, kc->name, kc->cname,
			 r < 0 ? "this capabilities layout is not supported for editing" : d.skip);
		goto out;
	}
	if (d.spelled && f->opts->drop_only)
		add_note(
			res, FIX_NOTE_WARN, line, col,
			"%s/%s: container \"%s\" drops ALL spelled differently; Pod Security Admission only accepts \"ALL\"",
			kc->kind, kc->name, kc->cname);
	if (d.already) {
		res->already++;
		goto out;
	}
	res->fixed++;
	res->caps_added += d.added;
	res->caps_removed += d.removed;
	kc->node->mark = (unsigned)++f->nplans;
	{
		struct sbuf detail = SBUF_INIT, obj = SBUF_INIT;
		struct fix_note *n;
		bool change = d.why.len || (d.spelled && !f->opts->drop_only);

		sbuf_addstr(&detail, p->drop_set ? (d.spelled ? "drop ALL (respelled)" : "drop ALL")
						 : "drop kept");
		if (d.why.len)
			sbuf_addf(&detail, "; %s", sbuf_cstr(&d.why));
		sbuf_addf(&obj, "%s/%s", kc->kind, kc->name);
		add_note(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, line, col,
			 "%s: container \"%s\": %s", obj.buf, kc->cname, detail.buf);
		n = &res->notes[res->nnotes - 1];
		n->object = sbuf_detach(&obj, NULL);
		n->container = xstrdup(kc->cname);
		n->detail = sbuf_detach(&detail, NULL);
	}
out:
	sbuf_release(&d.why);
	return 0;
}

/* ---- docker-compose services ---- */

/* A compose file: top-level `services` mapping, no apiVersion or kind. */
static bool is_compose(const struct ynode *root)
{
	const struct ynode *svcs = yamlspan_get(root, "services");

	return root && root->kind == YN_MAP && svcs && svcs->kind == YN_MAP &&
	       !yamlspan_get(root, "apiVersion") && !yamlspan_get(root, "kind");
}

/* The container port of a compose `ports`/`expose` entry: "8080:80/tcp" gives 80. */
static long compose_port(const struct ynode *it)
{
	const char *s, *colon;
	char *end;
	long v;

	if (it->kind == YN_MAP)
		return int_of(yamlspan_get(it, "target"));
	s = yamlspan_str(it);
	if (!s)
		return -1;
	colon = strrchr(s, ':');
	if (colon)
		s = colon + 1;
	v = strtol(s, &end, 10);
	return end == s || v <= 0 ? -1 : v;
}

static long compose_low_port(const struct ynode *svc)
{
	static const char *const keys[] = { "ports", "expose" };
	size_t k, i;

	for (k = 0; k < ARRAY_SIZE(keys); k++) {
		const struct ynode *l = yamlspan_get(svc, keys[k]);

		for (i = 0; l && l->kind == YN_SEQ && i < l->nkids; i++) {
			long v = compose_port(l->kids[i]);

			if (v > 0 && v < 1024)
				return v;
		}
	}
	return -1;
}

/* `user:` absent (the image decides), "root", "0", "0:0" or "root:..." may be root. */
static bool compose_may_run_as_root(const struct ynode *svc)
{
	const struct ynode *u = yamlspan_get(svc, "user");
	const char *s = yamlspan_str(u);

	if (!u || yamlspan_is_null(u) || !s)
		return true;
	return !strcmp(s, "root") || !strncmp(s, "root:", 5) || !strcmp(s, "0") ||
	       !strncmp(s, "0:", 2);
}

/* Does a `<<` merge bring @key into service @svc? */
static bool merged_has(const struct ynode *svc, const char *key)
{
	size_t i, j;

	for (i = 0; i + 1 < svc->nkids; i += 2) {
		const struct ynode *k = svc->kids[i], *v = svc->kids[i + 1];

		if (k->kind != YN_SCALAR || strcmp(k->text, "<<"))
			continue;
		v = yamlspan_deref(v);
		if (v && v->kind == YN_MAP && yamlspan_get(v, key))
			return true;
		for (j = 0; v && v->kind == YN_SEQ && j < v->nkids; j++) {
			const struct ynode *m = yamlspan_deref(v->kids[j]);

			if (m && m->kind == YN_MAP && yamlspan_get(m, key))
				return true;
		}
	}
	return false;
}

/* The value @key of the first `<<` merge source of @svc that has it, or NULL. */
static const struct ynode *merged_get(const struct ynode *svc, const char *key)
{
	size_t i, j;

	for (i = 0; i + 1 < svc->nkids; i += 2) {
		const struct ynode *k = svc->kids[i], *v = yamlspan_deref(svc->kids[i + 1]);

		if (k->kind != YN_SCALAR || strcmp(k->text, "<<") || !v)
			continue;
		if (v->kind == YN_MAP && yamlspan_get(v, key))
			return yamlspan_deref(yamlspan_get(v, key));
		for (j = 0; v->kind == YN_SEQ && j < v->nkids; j++) {
			const struct ynode *m = yamlspan_deref(v->kids[j]);

			if (m && m->kind == YN_MAP && yamlspan_get(m, key))
				return yamlspan_deref(yamlspan_get(m, key));
		}
	}
	return NULL;
}

static void compose_workload(const struct ynode *svc, const char *name, struct workload *w)
{
	memset(w, 0, sizeof(*w));
	w->image = yamlspan_str(yamlspan_get(svc, "image"));
	if (!w->image)
		w->image = yamlspan_str(merged_get(svc, "image"));
	w->root = compose_may_run_as_root(svc);
	w->port = compose_low_port(svc);
	w->cmds[0] = yamlspan_get(svc, "command");
	w->cmds[1] = yamlspan_get(svc, "entrypoint");
	w->t.image = w->image;
	w->t.kind = "service";
	w->t.name = name;
	w->t.container = name;
}

static int plan_service(struct fixer *f, struct ynode *svc, const char *name, struct capplan *p,
			struct decision *d)
{
	const struct ynode *drop, *add;
	const char *why;
	long kdrop, kadd;

	p->add_key = "cap_add";
	p->drop_key = "cap_drop";
	p->flat = true;
	if ((why = shared(svc)) && !(svc->kind == YN_MAP && svc->merge && !svc->anchor)) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "the service %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (svc->kind != YN_MAP) {
		d->skip = "the service is not a mapping";
		return 0;
	}
	if (yamlspan_is_true(yamlspan_get(svc, "privileged"))) {
		d->skip = "privileged: true (dropping capabilities does not confine it)";
		return 0;
	}
	if (merged_has(svc, "privileged")) {
		d->skip = "privileged comes from a merge key (<<): edit the anchor";
		return 0;
	}
	if ((merged_has(svc, "cap_drop") && !yamlspan_get(svc, "cap_drop")) ||
	    (merged_has(svc, "cap_add") && !yamlspan_get(svc, "cap_add"))) {
		/* the lists come from an anchor: fine when nothing needs to change */
		const struct ynode *md = merged_get(svc, "cap_drop"),
				   *ma = merged_get(svc, "cap_add");
		struct capplan probe;
		struct decision pd;

		memset(&probe, 0, sizeof(probe));
		memset(&pd, 0, sizeof(pd));
		sbuf_init(&pd.why);
		probe.add_key = "cap_add";
		probe.drop_key = "cap_drop";
		plan_drop(f, yamlspan_get(svc, "cap_drop") ? yamlspan_get(svc, "cap_drop") : md, &probe,
			  &pd);
		if (!f->opts->drop_only) {
			struct workload w;

			compose_workload(svc, name, &w);
			plan_add(f, &w, yamlspan_get(svc, "cap_add") ? yamlspan_get(svc, "cap_add") : ma,
				 &probe, &pd);
		}
		sbuf_release(&pd.why);
		if (!probe.drop_set && !probe.add_set) {
			d->already = true;
			return 0;
		}
		d->skip =
			"cap_drop or cap_add come from a merge key (<<) and would change: edit the anchor";
		return 0;
	}
	if (yamlspan_key_count(svc, "cap_drop") > 1 || yamlspan_key_count(svc, "cap_add") > 1) {
		d->skip = "duplicate cap_drop or cap_add keys";
		return 0;
	}
	kdrop = yamlspan_key_index(svc, "cap_drop");
	kadd = yamlspan_key_index(svc, "cap_add");
	drop = kdrop >= 0 ? svc->kids[kdrop + 1] : NULL;
	add = kadd >= 0 ? svc->kids[kadd + 1] : NULL;
	if ((why = shared(drop)) || (!f->opts->drop_only && (why = shared(add)))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "cap_drop or cap_add %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if ((drop && !yamlspan_is_null(drop) && drop->kind != YN_SEQ) ||
	    (!f->opts->drop_only && add && !yamlspan_is_null(add) && add->kind != YN_SEQ)) {
		d->skip = "cap_drop or cap_add is not a list";
		return 0;
	}
	if ((drop && drop->kind == YN_SEQ && drop->nkids >= MAX_ITEMS) ||
	    (add && add->kind == YN_SEQ && add->nkids >= MAX_ITEMS)) {
		d->skip = "capability lists too long";
		return 0;
	}
	plan_drop(f, drop, p, d);
	if (!f->opts->drop_only) {
		struct workload w;

		compose_workload(svc, name, &w);
		plan_add(f, &w, add, p, d);
	}
	if (!p->drop_set && !p->add_set) {
		d->already = true;
		return 0;
	}
	return edit_lists(f, svc, svc, kadd, kdrop, p);
}

static void on_service(struct fixer *f, struct ynode *key, struct ynode *svc)
{
	struct fix_result *res = f->res;
	struct decision d;
	struct capplan *p;
	size_t before = f->edits.n;
	const char *name = key->kind == YN_SCALAR ? key->text : "?";
	int line, col, r;

	res->containers++;
	note_pos(svc->line >= 0 ? svc : key, &line, &col);
	CF_ALLOC_GROW(f->plans, f->nplans + 1, f->aplans);
	p = &f->plans[f->nplans];
	memset(p, 0, sizeof(*p));
	memset(&d, 0, sizeof(d));
	sbuf_init(&d.why);
	r = plan_service(f, svc, name, p, &d);
	if (r < 0 || d.skip) {
		while (f->edits.n > before)
			free(f->edits.v[--f->edits.n].text);
		res->skipped++;
		add_note(res, FIX_NOTE_WARN, line, col, "service \"%s\" left alone: %s", name,
			 r < 0 ? "this layout is not supported for editing" : d.skip);
		goto out;
	}
	if (d.spelled && f->opts->drop_only)
		add_note(res, FIX_NOTE_WARN, line, col,
			 "service \"%s\" drops ALL spelled differently; write ALL", name);
	if (d.already) {
		res->already++;
		goto out;
	}
	res->fixed++;
	res->caps_added += d.added;
	res->caps_removed += d.removed;
	svc->mark = (unsigned)++f->nplans;
	{
		struct sbuf detail = SBUF_INIT;
		struct fix_note *n;
		bool change = d.why.len || (d.spelled && !f->opts->drop_only);

		sbuf_addstr(&detail,
			    p->drop_set ? (d.spelled ? "cap_drop ALL (respelled)" : "cap_drop ALL")
					: "cap_drop kept");
		if (d.why.len)
			sbuf_addf(&detail, "; %s", sbuf_cstr(&d.why));
		add_note(res, change ? FIX_NOTE_CHANGE : FIX_NOTE_INFO, line, col,
			 "service \"%s\": %s", name, detail.buf);
		n = &res->notes[res->nnotes - 1];
		n->object = xstrdup("compose service");
		n->container = xstrdup(name);
		n->detail = sbuf_detach(&detail, NULL);
	}
out:
	sbuf_release(&d.why);
}

static void compose_each_service(struct fixer *f, struct ynode *root)
{
	struct ynode *svcs = (struct ynode *)yamlspan_get(root, "services");
	size_t i;

	if (svcs->anchor || svcs->merge)
		return;
	f->compose = true;
	for (i = 0; i + 1 < svcs->nkids; i += 2)
		on_service(f, svcs->kids[i], svcs->kids[i + 1]);
	f->compose = false;
}

/* ---- verification: the edited text means the original plus the change ---- */

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
static bool expect_caps(const struct ynode *o, const struct ynode *n, const struct capplan *p)
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
				if (p->add_remove)
					continue;
				if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]))
					return false;
				if (p->add_set ? !list_is(n->kids[j + 1], p->add, p->nadd)
					       : !yamlspan_equal(o->kids[i + 1], n->kids[j + 1]))
					return false;
			} else if (k && !strcmp(k, p->drop_key)) {
				had_drop = true;
				if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]))
					return false;
				if (p->drop_set ? !list_is(n->kids[j + 1], p->drop, p->ndrop)
						: !yamlspan_equal(o->kids[i + 1], n->kids[j + 1]))
					return false;
			} else if (j + 1 >= n->nkids || !yamlspan_equal(o->kids[i], n->kids[j]) ||
				   !yamlspan_equal(o->kids[i + 1], n->kids[j + 1])) {
				return false;
			}
			j += 2;
		}
	}
	if (!had_add && p->add_set && p->nadd) {
		if (j + 1 >= n->nkids || !yamlspan_str(n->kids[j]) ||
		    strcmp(yamlspan_str(n->kids[j]), p->add_key) ||
		    !list_is(n->kids[j + 1], p->add, p->nadd))
			return false;
		j += 2;
	}
	if (!had_drop) {
		if (j + 1 >= n->nkids || !yamlspan_str(n->kids[j]) ||
		    strcmp(yamlspan_str(n->kids[j]), p->drop_key) ||
		    !list_is(n->kids[j + 1], p->drop, p->ndrop))
			return false;
		j += 2;
	}
	return j == n->nkids;
}

static bool same_tree(const struct fixer *f, const struct ynode *o, const struct ynode *n);

/*
 * New mapping @n equals old @o (NULL, null, {} or a mapping) except that
 * key @key holds what @check accepts (appended at the end when absent).
 * The other values are compared with same_tree(), so that blocks marked
 * for other edits inside them (Helm values) are checked as planned.
 */
static bool expect_with(const struct fixer *f, const struct ynode *o, const struct ynode *n,
			const char *key,
			bool (*check)(const struct fixer *, const struct ynode *,
				      const struct ynode *, const struct capplan *),
			const struct capplan *p)
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
			if (!((i & 1) ? same_tree(f, o->kids[i], n->kids[i])
				      : yamlspan_equal(o->kids[i], n->kids[i])))
				return false;
		return yamlspan_str(n->kids[on]) && !strcmp(yamlspan_str(n->kids[on]), key) &&
		       check(f, NULL, n->kids[on + 1], p);
	}
	if (n->nkids != on)
		return false;
	for (i = 0; i < on; i++) {
		if ((long)i == ki + 1) {
			if (!check(f, o->kids[i], n->kids[i], p))
				return false;
		} else if (!((i & 1) ? same_tree(f, o->kids[i], n->kids[i])
				     : yamlspan_equal(o->kids[i], n->kids[i]))) {
			return false;
		}
	}
	return true;
}

static bool expect_caps_f(const struct fixer *f, const struct ynode *o, const struct ynode *n,
			  const struct capplan *p)
{
	(void)f;
	return expect_caps(o, n, p);
}

static bool expect_sc(const struct fixer *f, const struct ynode *o, const struct ynode *n,
		      const struct capplan *p)
{
	return expect_with(f, o, n, "capabilities", expect_caps_f, p);
}

static bool same_tree(const struct fixer *f, const struct ynode *o, const struct ynode *n)
{
	size_t i;

	if (o->mark) {
		const struct capplan *p = &f->plans[o->mark - 1];

		if (p->flat)
			return expect_caps(o, n, p);
		return expect_with(f, o, n, p->sc_key ? p->sc_key : "securityContext", expect_sc,
				   p);
	}
	if (!n || o->kind != n->kind || o->nkids != n->nkids || o->tag != n->tag)
		return false;
	if (o->kind == YN_SCALAR || o->kind == YN_ALIAS)
		return yamlspan_equal(o, n);
	for (i = 0; i < o->nkids; i++)
		if (!same_tree(f, o->kids[i], n->kids[i]))
			return false;
	return true;
}

static int verify(struct fixer *f, const char *nbuf, size_t nlen)
{
	struct yfile ny = YFILE_INIT;
	struct yerror err;
	size_t i;
	int ret = -1;

	if (yamlspan_parse(&ny, nbuf, nlen, f->opts->json, &err) < 0) {
		snprintf(f->res->err.msg, sizeof(f->res->err.msg),
			 "the edited text does not parse (%d:%d: %.160s)", err.line, err.col,
			 err.msg);
		return -1;
	}
	if (ny.ndocs != f->yf->ndocs) {
		snprintf(f->res->err.msg, sizeof(f->res->err.msg),
			 "the edited text has %zu documents instead of %zu", ny.ndocs,
			 f->yf->ndocs);
		goto out;
	}
	for (i = 0; i < ny.ndocs; i++) {
		if (!same_tree(f, f->yf->docs[i].root, ny.docs[i].root)) {
			snprintf(
				f->res->err.msg, sizeof(f->res->err.msg),
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

/* ---- entry point ---- */

static bool looks_like_template(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (buf[i] == '{' && buf[i + 1] == '{')
			return true;
	return false;
}

static int cmp_note(const void *pa, const void *pb)
{
	const struct fix_note *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The workload a values block describes: image, port and user from the values around it. */
static void values_workload(const struct ynode *parent, const struct ynode *sc, struct workload *w)
{
	const struct ynode *img = yamlspan_get(parent, "image");
	const struct ynode *psc = yamlspan_get(parent, "podSecurityContext");
	const struct ynode *u = yamlspan_get(sc, "runAsUser"), *nr = yamlspan_get(sc, "runAsNonRoot");
	long port = int_of(yamlspan_get(yamlspan_get(parent, "service"), "port"));

	memset(w, 0, sizeof(*w));
	w->image = img && img->kind == YN_MAP ? yamlspan_str(yamlspan_get(img, "repository"))
					      : yamlspan_str(img);
	if (!u || yamlspan_is_null(u))
		u = yamlspan_get(psc, "runAsUser");
	if (!nr || yamlspan_is_null(nr))
		nr = yamlspan_get(psc, "runAsNonRoot");
	w->root = u && int_of(u) >= 0 ? int_of(u) == 0 : !yamlspan_is_true(nr);
	w->port = port > 0 && port < 1024 ? port : -1;
	w->t.image = w->image;
	w->t.kind = "HelmValues";
}

int fix_values(struct fix_result *res, const char *buf, size_t len, const char *const *paths,
	       const char *const *sources, size_t npaths, const struct fix_opts *opts)
{
	struct fixer f;
	struct yfile yf = YFILE_INIT;
	size_t i;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	f.opts = opts;
	f.buf = buf;
	f.len = len;
	f.res = res;
	f.yf = &yf;
	res->status = FIX_OK;
	if (yamlspan_parse(&yf, buf, len, false, &res->err) < 0) {
		res->status = FIX_PARSE_ERROR;
		return -1;
	}
	f.eol = yf.crlf ? "\r\n" : "\n";
	if (yf.ndocs) {
		f.doc_step = find_step(yf.docs[0].root, 0);
		f.doc_seq_off = find_seq_off(yf.docs[0].root, 0);
	}
	for (i = 0; i < npaths && yf.ndocs; i++) {
		struct ynode *parent = yf.docs[0].root;
		const char *key = paths[i], *dot;
		char part[128];
		struct decision d;
		struct capplan *p;
		struct workload w;
		size_t before = f.edits.n;
		int line, col, r;

		/* walk to the mapping holding the last path component */
		while (parent && (dot = strchr(key, '.')) != NULL) {
			size_t n = (size_t)(dot - key);

			if (n >= sizeof(part))
				break;
			memcpy(part, key, n);
			part[n] = '\0';
			parent = (struct ynode *)yamlspan_get(parent, part);
			key = dot + 1;
		}
		if (!parent || parent->kind != YN_MAP || yamlspan_key_index(parent, key) < 0 ||
		    strchr(key, '.'))
			continue; /* absent: the template renders nothing */
		if (parent->mark)
			continue; /* the same block through another template */
		res->containers++;
		note_pos(yamlspan_get(parent, key), &line, &col);
		CF_ALLOC_GROW(f.plans, f.nplans + 1, f.aplans);
		p = &f.plans[f.nplans];
		memset(p, 0, sizeof(*p));
		memset(&d, 0, sizeof(d));
		sbuf_init(&d.why);
		values_workload(parent, yamlspan_get(parent, key), &w);
		w.t.name = paths[i];
		w.t.container = key;
		r = plan_sc(&f, parent, key, &w, p, &d);
		if (r < 0 || d.skip) {
			while (f.edits.n > before)
				free(f.edits.v[--f.edits.n].text);
			res->skipped++;
			add_note(res, FIX_NOTE_WARN, line, col, ".Values.%s left alone: %s",
				 paths[i],
				 r < 0 ? "this layout is not supported for editing" : d.skip);
		} else if (d.already) {
			res->already++;
		} else {
			struct sbuf detail = SBUF_INIT;
			struct fix_note *n;

			res->fixed++;
			res->caps_added += d.added;
			res->caps_removed += d.removed;
			parent->mark = (unsigned)++f.nplans;
			sbuf_addstr(&detail, p->drop_set ? "drop ALL" : "drop kept");
			if (d.why.len)
				sbuf_addf(&detail, "; %s", sbuf_cstr(&d.why));
			add_note(res, FIX_NOTE_CHANGE, line, col,
				 ".Values.%s (a container securityContext in %s): %s", paths[i],
				 sources[i], detail.buf);
			n = &res->notes[res->nnotes - 1];
			n->object = xstrdup("Helm values");
			n->container = xstrdup(paths[i]);
			n->detail = sbuf_detach(&detail, NULL);
		}
		sbuf_release(&d.why);
	}
	if (f.edits.n) {
		struct sbuf out = SBUF_INIT;

		if (yamledit_apply(&f.edits, buf, len, &out) < 0 ||
		    verify(&f, out.buf, out.len) < 0) {
			if (!res->err.msg[0])
				snprintf(res->err.msg, sizeof(res->err.msg), "%.200s",
					 cf_err_last()->msg);
			res->err.line = res->err.col = 1;
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			goto out;
		}
		sbuf_release(&res->out);
		res->out = out;
		res->changed = true;
	}
	ret = 0;
out:
	if (res->nnotes)
		qsort(res->notes, res->nnotes, sizeof(*res->notes), cmp_note);
	yamledit_release(&f.edits);
	free(f.plans);
	yamlspan_release(&yf);
	return ret;
}

/* ---- Namespace labels (policy pss --write) ---- */

/* @n is old @o with the labels of @keys/@values set (everything else equal). */
static bool labels_as_planned(const struct ynode *o, const struct ynode *n, const char *const *keys,
			      const char *const *values, size_t nk)
{
	size_t i, j;

	if (!n || n->kind != YN_MAP)
		return false;
	for (i = 0; i + 1 < n->nkids; i += 2) {
		const char *k = yamlspan_str(n->kids[i]);
		const struct ynode *ov = o && o->kind == YN_MAP ? yamlspan_get(o, k ? k : "") : NULL;
		bool planned = false;

		for (j = 0; k && j < nk; j++) {
			if (!strcmp(k, keys[j])) {
				planned = true;
				if (!yamlspan_str(n->kids[i + 1]) ||
				    strcmp(yamlspan_str(n->kids[i + 1]), values[j]))
					return false;
			}
		}
		if (!planned && (!ov || !yamlspan_equal(ov, n->kids[i + 1])))
			return false;
	}
	for (j = 0; j < nk; j++)
		if (!yamlspan_get(n, keys[j]))
			return false;
	/* nothing lost */
	for (i = 0; o && o->kind == YN_MAP && i + 1 < o->nkids; i += 2)
		if (yamlspan_str(o->kids[i]) && !yamlspan_get(n, yamlspan_str(o->kids[i])))
			return false;
	return true;
}

int fix_labels(struct fix_result *res, const char *buf, size_t len, const char *ns,
	       const char *const *keys, const char *const *values, size_t nk)
{
	struct fixer f;
	struct fix_opts opts = FIX_OPTS_INIT;
	struct yfile yf = YFILE_INIT, ny = YFILE_INIT;
	struct yerror err;
	struct nval ent[16], labels;
	size_t i, j, nent = 0, target = SIZE_MAX;
	struct ynode *md = NULL;
	const struct ynode *lab;
	long kl;
	int ret = -1, r = 0;

	memset(&f, 0, sizeof(f));
	f.opts = &opts;
	f.buf = buf;
	f.len = len;
	f.res = res;
	f.yf = &yf;
	if (nk > ARRAY_SIZE(ent))
		return -1;
	if (yamlspan_parse(&yf, buf, len, false, &res->err) < 0) {
		res->status = FIX_PARSE_ERROR;
		return -1;
	}
	f.eol = yf.crlf ? "\r\n" : "\n";
	for (i = 0; i < yf.ndocs && target == SIZE_MAX; i++) {
		struct ynode *root = yf.docs[i].root;
		const char *kind = yamlspan_str(yamlspan_get(root, "kind"));
		struct ynode *m = (struct ynode *)yamlspan_get(root, "metadata");

		if (kind && !strcmp(kind, "Namespace") && m && m->kind == YN_MAP &&
		    yamlspan_str(yamlspan_get(m, "name")) &&
		    !strcmp(yamlspan_str(yamlspan_get(m, "name")), ns)) {
			target = i;
			md = m;
			f.doc_step = find_step(root, 0);
			f.doc_seq_off = find_seq_off(root, 0);
		}
	}
	if (target == SIZE_MAX || shared(md)) {
		snprintf(res->err.msg, sizeof(res->err.msg), "no editable Namespace \"%s\" here",
			 ns);
		res->status = FIX_REFUSED;
		goto out;
	}
	kl = yamlspan_key_index(md, "labels");
	lab = kl >= 0 ? md->kids[kl + 1] : NULL;
	if (lab && (shared(lab) || (!yamlspan_is_null(lab) && lab->kind != YN_MAP))) {
		snprintf(res->err.msg, sizeof(res->err.msg),
			 "the labels of \"%s\" cannot be edited", ns);
		res->status = FIX_REFUSED;
		goto out;
	}
	for (i = 0; i < nk; i++) {
		const struct ynode *cur =
			lab && lab->kind == YN_MAP ? yamlspan_get(lab, keys[i]) : NULL;

		if (cur && yamlspan_str(cur) && !strcmp(yamlspan_str(cur), values[i]))
			continue;
		if (cur) {
			struct sbuf t = SBUF_INIT;

			if (cur->kind != YN_SCALAR || cur->style == YS_LITERAL ||
			    cur->style == YS_FOLDED || cur->empty) {
				r = -1;
				break;
			}
			add_scalar(&t, values[i],
				   cur->style == YS_DOUBLE   ? '"'
				   : cur->style == YS_SINGLE ? '\''
							     : 0);
			yamledit_add(&f.edits, cur->start, cur->end, t.buf, t.len);
			sbuf_release(&t);
			continue;
		}
		memset(&ent[nent], 0, sizeof(ent[nent]));
		ent[nent].key = keys[i];
		ent[nent].kind = NV_STR;
		ent[nent].str = values[i];
		nent++;
	}
	if (!r && nent) {
		memset(&labels, 0, sizeof(labels));
		labels.key = "labels";
		labels.kind = NV_MAP;
		labels.kids = ent;
		labels.n = nent;
		if (!lab)
			r = map_append(&f, md, md, &labels, 1);
		else if (yamlspan_is_null(lab) || !lab->nkids)
			r = set_value(&f, md, (size_t)kl, md, &labels);
		else
			r = map_append(&f, lab, lab, ent, nent);
	}
	if (r < 0) {
		snprintf(res->err.msg, sizeof(res->err.msg),
			 "this labels layout is not supported for editing");
		res->status = FIX_REFUSED;
		goto out;
	}
	if (f.edits.n) {
		struct sbuf out = SBUF_INIT;
		bool ok;

		if (yamledit_apply(&f.edits, buf, len, &out) < 0 ||
		    yamlspan_parse(&ny, out.buf, out.len, false, &err) < 0 ||
		    ny.ndocs != yf.ndocs) {
			snprintf(res->err.msg, sizeof(res->err.msg),
				 "the edited text does not parse");
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			goto out;
		}
		ok = true;
		for (i = 0; i < ny.ndocs && ok; i++) {
			const struct ynode *o = yf.docs[i].root, *n = ny.docs[i].root;

			if (i != target) {
				ok = yamlspan_equal(o, n);
				continue;
			}
			/* the Namespace: equal but for metadata.labels */
			ok = n->kind == YN_MAP && n->nkids == o->nkids;
			for (j = 0; ok && j + 1 < o->nkids; j += 2) {
				const struct ynode *om = o->kids[j + 1], *nm = n->kids[j + 1];
				size_t k;

				ok = yamlspan_equal(o->kids[j], n->kids[j]);
				if (!ok || om != md) {
					ok = ok && yamlspan_equal(om, nm);
					continue;
				}
				ok = nm->kind == YN_MAP;
				for (k = 0; ok && k + 1 < nm->nkids; k += 2) {
					const char *key = yamlspan_str(nm->kids[k]);

					if (key && !strcmp(key, "labels"))
						ok = labels_as_planned(lab, nm->kids[k + 1], keys,
								       values, nk);
					else
						ok = key && yamlspan_get(om, key) &&
						     yamlspan_equal(yamlspan_get(om, key),
								 nm->kids[k + 1]);
				}
			}
		}
		if (!ok) {
			snprintf(res->err.msg, sizeof(res->err.msg),
				 "the edited Namespace does not mean the original plus the labels");
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			goto out;
		}
		res->out = out;
		res->changed = true;
	}
	ret = 0;
out:
	yamledit_release(&f.edits);
	yamlspan_release(&ny);
	yamlspan_release(&yf);
	return ret;
}

int fix_buffer(struct fix_result *res, const char *buf, size_t len, const struct fix_opts *opts)
{
	struct fixer f;
	struct yfile yf = YFILE_INIT;
	size_t i;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	f.opts = opts;
	f.buf = buf;
	f.len = len;
	f.res = res;
	f.yf = &yf;
	res->status = FIX_OK;
	if (yamlspan_parse(&yf, buf, len, opts->json, &res->err) < 0) {
		res->status = looks_like_template(buf, len) ? FIX_TEMPLATE : FIX_PARSE_ERROR;
		return -1;
	}
	if (yf.complex_key) {
		res->status = looks_like_template(buf, len) ? FIX_TEMPLATE : FIX_PARSE_ERROR;
		res->err.line = yf.complex_key->line + 1;
		res->err.col = yf.complex_key->col + 1;
		snprintf(res->err.msg, sizeof(res->err.msg),
			 "a mapping key is itself a mapping or list; Kubernetes cannot decode it");
		goto out;
	}
	f.eol = yf.crlf ? "\r\n" : "\n";
	for (i = 0; i < yf.ndocs; i++) {
		f.doc_step = find_step(yf.docs[i].root, 0);
		f.doc_seq_off = find_seq_off(yf.docs[i].root, 0);
		if (is_compose(yf.docs[i].root))
			compose_each_service(&f, yf.docs[i].root);
		else
			k8s_each_container(yf.docs[i].root, on_container, &f);
	}
	if (f.edits.n) {
		struct sbuf out = SBUF_INIT;

		if (yamledit_apply(&f.edits, buf, len, &out) < 0) {
			snprintf(res->err.msg, sizeof(res->err.msg), "%.200s", cf_err_last()->msg);
			res->err.line = res->err.col = 1;
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			goto out;
		}
		if (verify(&f, out.buf, out.len) < 0) {
			res->err.line = res->err.col = 1;
			res->status = FIX_REFUSED;
			sbuf_release(&out);
			goto out;
		}
		sbuf_release(&res->out);
		res->out = out;
		res->changed = true;
	}
	ret = 0;
out:
	if (res->nnotes)
		qsort(res->notes, res->nnotes, sizeof(*res->notes), cmp_note);
	yamledit_release(&f.edits);
	free(f.plans);
	yamlspan_release(&yf);
	return ret;
}
