#include "capfix/yamlwrite.h"

#define YAMLWRITE_UNKNOWN (-2)

struct style {
	int step; /* indentation step of nested block mappings */
	int seq_off; /* column of `-` relative to its key: 0 (kubectl style) or indented */
	char quote; /* quote character for new scalars in flow context, or 0 */
	bool quote_keys;
	bool compact; /* flow text without blanks after `:` and `,` (minified JSON) */
};

void yamlwrite_init(struct yamlwrite *w, const char *buf, size_t len, bool crlf, bool json)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->len = len;
	w->eol = crlf ? "\r\n" : "\n";
	w->json = json;
	w->step = YAMLWRITE_UNKNOWN;
	w->seq_off = -1;
}

void yamlwrite_doc(struct yamlwrite *w, const struct ynode *root)
{
	w->doc = root;
	w->step = YAMLWRITE_UNKNOWN;
	w->seq_off = -1;
}

void yamlwrite_release(struct yamlwrite *w)
{
	yamledit_release(&w->edits);
}

size_t yamlwrite_mark(const struct yamlwrite *w)
{
	return w->edits.n;
}

void yamlwrite_undo(struct yamlwrite *w, size_t mark)
{
	while (w->edits.n > mark)
		free(w->edits.v[--w->edits.n].text);
}

int yamlwrite_apply(struct yamlwrite *w, struct sbuf *out)
{
	return yamledit_apply(&w->edits, w->buf, w->len, out);
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
static size_t line_after(struct yamlwrite *w, const struct ynode *n, bool *at_eof)
{
	const struct ynode *leaf = last_leaf(n);
	size_t e = leaf->end;

	*at_eof = false;
	if (leaf->kind == YN_SCALAR && (leaf->style == YS_LITERAL || leaf->style == YS_FOLDED)) {
		size_t ls = line_start(w->buf, e);

		/* the mark sits in the indentation of the line after the content */
		if (ls > 0 && only_blank(w->buf, ls, e))
			return ls;
	}
	while (e < w->len && w->buf[e] != '\n')
		e++;
	if (e < w->len)
		return e + 1;
	*at_eof = true;
	return w->len;
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
static void render_block_entry(struct sbuf *sb, const struct yamlwrite *w, const struct ywval *e,
			       int indent, const struct style *st)
{
	size_t i;

	sbuf_addchars(sb, ' ', (size_t)indent);
	sbuf_addstr(sb, e->key);
	sbuf_addch(sb, ':');
	if (e->kind == YW_STR) {
		sbuf_addch(sb, ' ');
		add_scalar(sb, e->str, st->quote);
		sbuf_addstr(sb, w->eol);
		return;
	}
	if (e->kind == YW_LIST && !e->n) {
		sbuf_addstr(sb, " []");
		sbuf_addstr(sb, w->eol);
		return;
	}
	sbuf_addstr(sb, w->eol);
	for (i = 0; i < e->n; i++) {
		if (e->kind == YW_MAP) {
			render_block_entry(sb, w, &e->kids[i], indent + st->step, st);
		} else {
			sbuf_addchars(sb, ' ', (size_t)(indent + st->seq_off));
			sbuf_addstr(sb, "- ");
			add_scalar(sb, e->kids[i].str, st->quote);
			sbuf_addstr(sb, w->eol);
		}
	}
}

/* Block lines for the items of list @e at column @col (of the `-`). */
static void render_block_items(struct sbuf *sb, const struct yamlwrite *w, const struct ywval *e,
			       int col, char quote)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		sbuf_addchars(sb, ' ', (size_t)col);
		sbuf_addstr(sb, "- ");
		add_scalar(sb, e->kids[i].str, quote);
		sbuf_addstr(sb, w->eol);
	}
}

/* One-line flow text of @v: {k: v}, [a, b] or a scalar. */
static void render_flow_value(struct sbuf *sb, const struct ywval *v, const struct style *st)
{
	char kq = st->quote_keys ? (st->quote ? st->quote : '"') : 0;
	const char *sep = st->compact ? "," : ", ";
	size_t i;

	switch (v->kind) {
	case YW_STR:
		add_scalar(sb, v->str, st->quote);
		return;
	case YW_LIST:
		sbuf_addch(sb, '[');
		for (i = 0; i < v->n; i++) {
			if (i)
				sbuf_addstr(sb, sep);
			add_scalar(sb, v->kids[i].str, st->quote);
		}
		sbuf_addch(sb, ']');
		return;
	case YW_MAP:
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
static void render_json_value(struct sbuf *sb, const struct yamlwrite *w, const struct ywval *v,
			      int indent, int step)
{
	size_t i;

	if (v->kind == YW_STR) {
		add_scalar(sb, v->str, '"');
		return;
	}
	if (!v->n) {
		sbuf_addstr(sb, v->kind == YW_MAP ? "{}" : "[]");
		return;
	}
	sbuf_addch(sb, v->kind == YW_MAP ? '{' : '[');
	for (i = 0; i < v->n; i++) {
		sbuf_addstr(sb, i ? "," : "");
		sbuf_addstr(sb, w->eol);
		sbuf_addchars(sb, ' ', (size_t)(indent + step));
		if (v->kind == YW_MAP)
			sbuf_addf(sb, "\"%s\": ", v->kids[i].key);
		render_json_value(sb, w, &v->kids[i], indent + step, step);
	}
	sbuf_addstr(sb, w->eol);
	sbuf_addchars(sb, ' ', (size_t)indent);
	sbuf_addch(sb, v->kind == YW_MAP ? '}' : ']');
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

/* The document's indentation step and sequence offset, found on first use. */
static void doc_style(struct yamlwrite *w)
{
	if (w->step != YAMLWRITE_UNKNOWN)
		return;
	w->step = w->doc ? find_step(w->doc, 0) : 0;
	w->seq_off = w->doc ? find_seq_off(w->doc, 0) : -1;
}

static void block_style(struct yamlwrite *w, const struct ynode *near, struct style *st)
{
	int off = find_seq_off(near, 0);
	const struct ynode *list = near->parent;

	memset(st, 0, sizeof(*st));
	doc_style(w);
	st->step = w->step > 0 ? w->step : 2;
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
		off = w->seq_off;
	st->seq_off = off < 0 ? 0 : off;
	/* lists that are read as a block of their own (a compose service's):
	 * items below the key, never flush with it */
	if (w->seq_indented && st->seq_off == 0)
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
static void flow_style(struct yamlwrite *w, const struct ynode *n, struct style *st)
{
	const struct ynode *root = n;
	bool key_seen = false, val_seen = false;

	memset(st, 0, sizeof(*st));
	st->step = 2;
	if (w->json) {
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

/* Insert text after the line where @after ends (block context). */
static void insert_lines_after(struct yamlwrite *w, const struct ynode *after, struct sbuf *lines)
{
	bool at_eof;
	size_t pos = line_after(w, after, &at_eof);

	if (at_eof) {
		/* keep the missing final line break missing */
		struct sbuf t = SBUF_INIT;

		sbuf_addstr(&t, w->eol);
		sbuf_add(&t, lines->buf, lines->len - strlen(w->eol));
		yamledit_add(&w->edits, pos, pos, t.buf, t.len);
		sbuf_release(&t);
	} else {
		yamledit_add(&w->edits, pos, pos, lines->buf, lines->len);
	}
}

/*
 * Append @n entries (mapping entries when @m is a mapping, items when a
 * sequence) at the end of flow collection @m.
 */
static int flow_append(struct yamlwrite *w, const struct ynode *m, const struct ywval *entries,
		       size_t n)
{
	struct style st;
	struct sbuf text = SBUF_INIT, t = SBUF_INIT;
	const struct ynode *last, *first_of_last;
	size_t e, p, close, i;
	bool multiline, comma = false;
	int indent = 0, step = 2, ret = -1;

	if (!n)
		return 0;
	flow_style(w, m, &st);
	if (m->end == 0)
		return -1;
	close = m->end - 1;
	if (w->buf[close] != (m->kind == YN_MAP ? '}' : ']'))
		return -1;
	if (m->kind == YN_MAP && m->nkids) {
		const struct ynode *k = m->kids[m->nkids - 2];

		st.compact = k->end + 1 < w->len && w->buf[k->end] == ':' &&
			     w->buf[k->end + 1] != ' ' && w->buf[k->end + 1] != '\t' &&
			     w->buf[k->end + 1] != '\n' && w->buf[k->end + 1] != '\r';
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
		yamledit_add(&w->edits, m->start + 1, m->start + 1, text.buf, text.len);
		ret = 0;
		goto out;
	}
	last = m->kids[m->nkids - 1];
	first_of_last = m->kids[m->nkids - (m->kind == YN_MAP ? 2 : 1)];
	e = last->end;
	/* a comma after the last entry (trailing comma style)? */
	for (p = e; p < close; p++) {
		char c = w->buf[p];

		if (c == '#' && !w->json) {
			p = line_end(w->buf, w->len, p);
			continue;
		}
		if (c == ',') {
			comma = true;
			break;
		}
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			goto out;
	}
	multiline = has_newline(w->buf, m->start, first_of_last->start);
	if (multiline && first_of_last->col < 0)
		goto out; /* an empty key has no column to align with */
	if (multiline) {
		indent = first_of_last->col;
		step = indent - indent_of_line(w->buf, m->start);
		if (step <= 0)
			step = 2;
		if (line_end(w->buf, w->len, comma ? p : e) > close)
			multiline = false; /* the closing bracket shares the line */
	}
	if (multiline) {
		if (!comma)
			yamledit_add(&w->edits, e, e, ",", 1);
		for (i = 0; i < n; i++) {
			sbuf_addstr(&t, w->eol);
			sbuf_addchars(&t, ' ', (size_t)indent);
			if (entries[i].key) {
				add_scalar(&t, entries[i].key, st.quote_keys ? st.quote : 0);
				sbuf_addstr(&t, ": ");
			}
			if (w->json)
				render_json_value(&t, w, &entries[i], indent, step);
			else
				render_flow_value(&t, &entries[i], &st);
			if (comma || i + 1 < n)
				sbuf_addch(&t, ',');
		}
		p = line_end(w->buf, w->len, comma ? p : e);
		yamledit_add(&w->edits, p, p, t.buf, t.len);
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
			yamledit_add(&w->edits, p + 1, p + 1, t.buf, t.len);
		} else {
			yamledit_add(&w->edits, e, e, t.buf, t.len);
		}
	}
	ret = 0;
out:
	sbuf_release(&text);
	sbuf_release(&t);
	return ret;
}

/* Add @n entries at the end of mapping @m. */
int yamlwrite_map_append(struct yamlwrite *w, const struct ynode *m, const struct ynode *near,
			 const struct ywval *entries, size_t n)
{
	struct style st;
	struct sbuf lines = SBUF_INIT;
	size_t i;

	if (m->flow)
		return flow_append(w, m, entries, n);
	if (!m->nkids || m->kids[0]->col < 0)
		return -1;
	block_style(w, near, &st);
	for (i = 0; i < n; i++)
		render_block_entry(&lines, w, &entries[i], m->kids[0]->col, &st);
	insert_lines_after(w, m, &lines);
	sbuf_release(&lines);
	return 0;
}

/*
 * Is the line after the one holding @pos a comment indented deeper than
 * @col (helm create's commented-out example under `securityContext: {}`)?
 * Block text inserted there would separate the comment from its key.
 */
static bool comment_block_below(const struct yamlwrite *w, size_t pos, int col)
{
	size_t e = line_end(w->buf, w->len, pos), i;
	int ind = 0;

	if (e >= w->len)
		return false;
	for (i = e; i < w->len && (w->buf[i] == '\r' || w->buf[i] == '\n'); i++)
		if (w->buf[i] == '\n') {
			i++;
			break;
		}
	for (; i < w->len && w->buf[i] == ' '; i++)
		ind++;
	return i < w->len && w->buf[i] == '#' && ind > col;
}

/*
 * Give key m->kids[ki], whose value is null or an empty flow collection,
 * the value @v (a mapping or a list).
 */
int yamlwrite_set_value(struct yamlwrite *w, const struct ynode *m, size_t ki,
			const struct ynode *near, const struct ywval *v)
{
	const struct ynode *key = m->kids[ki], *val = m->kids[ki + 1];
	struct style st;
	struct sbuf t = SBUF_INIT;
	size_t after = val->end;
	size_t i;

	if (val->empty) { /* step over the `:` of `key:` */
		while (after < w->len && (w->buf[after] == ' ' || w->buf[after] == '\t'))
			after++;
		if (after < w->len && w->buf[after] == ':')
			after++;
	}
	if (!m->flow && key->col >= 0 && !has_newline(w->buf, key->end, val->end) &&
	    rest_is_comment(w->buf, w->len, after) &&
	    !(!val->empty && comment_block_below(w, val->end, key->col))) {
		/* block context: drop ` ~` / ` {}` / ` []` and write block lines below the key */
		size_t ds = val->start, pos;

		block_style(w, near, &st);
		if (!val->empty) {
			while (ds > key->end && (w->buf[ds - 1] == ' ' || w->buf[ds - 1] == '\t'))
				ds--;
			yamledit_add(&w->edits, ds, val->end, "", 0);
		}
		if (v->kind == YW_MAP) {
			for (i = 0; i < v->n; i++)
				render_block_entry(&t, w, &v->kids[i], key->col + st.step, &st);
		} else {
			render_block_items(&t, w, v, key->col + st.seq_off, 0);
		}
		pos = line_end(w->buf, w->len, val->end);
		if (pos >= w->len) {
			struct sbuf u = SBUF_INIT;

			sbuf_addstr(&u, w->eol);
			sbuf_add(&u, t.buf, t.len - strlen(w->eol));
			yamledit_add(&w->edits, pos, pos, u.buf, u.len);
			sbuf_release(&u);
		} else {
			pos += strlen(w->eol);
			yamledit_add(&w->edits, pos, pos, t.buf, t.len);
		}
		sbuf_release(&t);
		return 0;
	}
	if (val->empty)
		return -1;
	if (!m->flow && (val->kind == YN_MAP || val->kind == YN_SEQ) && val->flow && !val->nkids &&
	    val->col >= 0 && has_newline(w->buf, key->end, val->start) &&
	    only_blank(w->buf, line_start(w->buf, val->start), val->start) &&
	    rest_is_comment(w->buf, w->len, val->end)) {
		/* `{}` alone on the line below the key (helm's toYaml | nindent): block text there
		 */
		size_t cut = strlen(w->eol);

		block_style(w, near, &st);
		if (v->kind == YW_MAP) {
			for (i = 0; i < v->n; i++)
				render_block_entry(&t, w, &v->kids[i], val->col, &st);
		} else {
			render_block_items(&t, w, v, val->col, 0);
		}
		if (t.len > cut + (size_t)val->col)
			yamledit_add(&w->edits, val->start, val->end, t.buf + val->col,
				     t.len - cut - (size_t)val->col);
		sbuf_release(&t);
		return 0;
	}
	if ((val->kind == YN_MAP || val->kind == YN_SEQ) && val->flow && !val->nkids)
		return flow_append(w, val, v->kids, v->n);
	if (val->kind != YN_SCALAR)
		return -1;
	/* an explicit null in flow context: replace the token */
	flow_style(w, m, &st);
	if (w->json)
		render_json_value(&t, w, v, key->col, 2);
	else
		render_flow_value(&t, v, &st);
	yamledit_add(&w->edits, val->start, val->end, t.buf, t.len);
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
static bool item_owns_lines(const struct yamlwrite *w, const struct ynode *it)
{
	size_t ls = line_start(w->buf, it->start), i;
	bool dash = false;

	if (it->kind != YN_SCALAR || it->style == YS_LITERAL || it->style == YS_FOLDED ||
	    has_newline(w->buf, it->start, it->end))
		return false;
	for (i = ls; i < it->start; i++) {
		if (w->buf[i] == '-' && !dash)
			dash = true;
		else if (w->buf[i] != ' ')
			return false;
	}
	return dash && rest_is_comment(w->buf, w->len, it->end);
}

/*
 * Edit list @seq in place: remove the items flagged in @removed, respell
 * items with a non-NULL @respell entry, append @app (@napp names).
 */
int yamlwrite_seq_edit(struct yamlwrite *w, const struct ynode *seq, const bool *removed,
		       const char *const *respell, const char *const *app, size_t napp)
{
	struct sbuf t = SBUF_INIT;
	struct ywval items[YAMLWRITE_MAX_ITEMS];
	size_t i, kept = 0;
	bool any_removed = false, any_respelled = false;
	char q;

	if (seq->nkids > YAMLWRITE_MAX_ITEMS || napp > YAMLWRITE_MAX_ITEMS)
		return -1;
	for (i = 0; i < seq->nkids; i++) {
		any_removed |= removed && removed[i];
		any_respelled |= respell && respell[i];
		kept += !(removed && removed[i]);
	}
	q = seq->nkids ? quote_of(seq->kids[0]) : 0;
	if (w->json)
		q = '"';
	if (seq->flow) {
		struct style st;

		if (!any_removed && !any_respelled) {
			for (i = 0; i < napp; i++) {
				items[i].key = NULL;
				items[i].kind = YW_STR;
				items[i].str = app[i];
			}
			return flow_append(w, seq, items, napp);
		}
		/* rewrite the whole list when it holds no comment */
		for (i = seq->start; i < seq->end; i++)
			if (w->buf[i] == '#')
				return -1;
		flow_style(w, seq, &st);
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
		yamledit_add(&w->edits, seq->start, seq->end, t.buf, t.len);
		sbuf_release(&t);
		return 0;
	}
	if (seq->col < 0)
		return -1;
	for (i = 0; i < seq->nkids; i++) {
		const struct ynode *it = seq->kids[i];

		if (removed && removed[i]) {
			bool at_eof;
			size_t from = line_start(w->buf, it->start), to;

			if (!item_owns_lines(w, it))
				goto unsupported;
			to = line_after(w, it, &at_eof);
			if (at_eof) {
				/* the last line of a file without a final newline */
				while (from > 0 &&
				       (w->buf[from - 1] == '\n' || w->buf[from - 1] == '\r'))
					from--;
			}
			yamledit_add(&w->edits, from, to, "", 0);
		} else if (respell && respell[i]) {
			struct sbuf r = SBUF_INIT;

			add_scalar(&r, respell[i], quote_of(it));
			yamledit_add(&w->edits, it->start, it->end, r.buf, r.len);
			sbuf_release(&r);
		}
	}
	for (i = 0; i < napp; i++) {
		sbuf_addchars(&t, ' ', (size_t)seq->col);
		sbuf_addstr(&t, "- ");
		add_scalar(&t, app[i], q);
		sbuf_addstr(&t, w->eol);
	}
	if (t.len)
		insert_lines_after(w, seq, &t);
	sbuf_release(&t);
	return 0;
unsupported:
	sbuf_release(&t);
	return -1;
}

/* Remove entry m->kids[ki] of block mapping @m (its key line through its value). */
int yamlwrite_remove_entry(struct yamlwrite *w, const struct ynode *m, size_t ki)
{
	const struct ynode *key = m->kids[ki], *val = m->kids[ki + 1];
	size_t from, to;
	bool at_eof;

	if (m->flow || !only_blank(w->buf, line_start(w->buf, key->start), key->start))
		return -1;
	from = line_start(w->buf, key->start);
	to = line_after(w, val->empty ? key : val, &at_eof);
	if (at_eof)
		while (from > 0 && (w->buf[from - 1] == '\n' || w->buf[from - 1] == '\r'))
			from--;
	yamledit_add(&w->edits, from, to, "", 0);
	return 0;
}

int yamlwrite_replace_scalar(struct yamlwrite *w, const struct ynode *n, const char *text)
{
	struct sbuf t = SBUF_INIT;

	if (!n || n->kind != YN_SCALAR || n->style == YS_LITERAL || n->style == YS_FOLDED ||
	    n->empty)
		return -1;
	add_scalar(&t, text, w->json ? '"' : quote_of(n));
	yamledit_add(&w->edits, n->start, n->end, t.buf, t.len);
	sbuf_release(&t);
	return 0;
}
