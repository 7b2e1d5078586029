#include "capfix/fix.h"
#include "capfix/err.h"
#include "capfix/k8s.h"
#include "capfix/yamledit.h"

/*
 * The value capfix creates is always a chain of mappings ending in the list
 * [ALL]: {securityContext: {capabilities: {drop: [ALL]}}} or a suffix of it.
 */
static const char *const chain_keys[] = { "securityContext", "capabilities", "drop" };
#define CHAIN_SC 0 /* securityContext: {capabilities: {drop: [ALL]}} */
#define CHAIN_CAPS 1 /* capabilities: {drop: [ALL]} */
#define CHAIN_DROP 2 /* drop: [ALL] */

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
};

void fix_result_init(struct fix_result *res)
{
	memset(res, 0, sizeof(*res));
	sbuf_init(&res->out);
}

void fix_result_release(struct fix_result *res)
{
	size_t i;

	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i].msg);
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
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sbuf_addstr(&sb, tmp);
	CF_ALLOC_GROW(res->notes, res->nnotes + 1, res->anotes);
	res->notes[res->nnotes].level = level;
	res->notes[res->nnotes].line = line;
	res->notes[res->nnotes].col = col;
	res->notes[res->nnotes].msg = sbuf_detach(&sb, NULL);
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

/* ---- rendering ---- */

static void add_scalar(struct sbuf *sb, const char *s, char quote)
{
	if (quote)
		sbuf_addch(sb, quote);
	sbuf_addstr(sb, s);
	if (quote)
		sbuf_addch(sb, quote);
}

/* Block lines for chain_keys[from..2] + `- ALL`, each ending in eol. */
static void render_block(struct sbuf *sb, struct fixer *f, int from, int indent,
			 const struct style *st, char item_quote)
{
	int i, col = indent;

	for (i = from; i < (int)ARRAY_SIZE(chain_keys); i++) {
		sbuf_addchars(sb, ' ', (size_t)col);
		sbuf_addstr(sb, chain_keys[i]);
		sbuf_addch(sb, ':');
		sbuf_addstr(sb, f->eol);
		if (i + 1 < (int)ARRAY_SIZE(chain_keys))
			col += st->step;
	}
	sbuf_addchars(sb, ' ', (size_t)(col + st->seq_off));
	sbuf_addstr(sb, "- ");
	add_scalar(sb, "ALL", item_quote);
	sbuf_addstr(sb, f->eol);
}

/* One-line flow value for chain_keys[from..2]: {k: {k: [ALL]}}; from == 3 gives [ALL]. */
static void render_flow_value(struct sbuf *sb, int from, const struct style *st)
{
	int i;
	char kq = st->quote_keys ? (st->quote ? st->quote : '"') : 0;

	for (i = from; i < (int)ARRAY_SIZE(chain_keys); i++) {
		sbuf_addch(sb, '{');
		add_scalar(sb, chain_keys[i], kq);
		sbuf_addstr(sb, st->compact ? ":" : ": ");
	}
	sbuf_addch(sb, '[');
	add_scalar(sb, "ALL", st->quote);
	sbuf_addch(sb, ']');
	for (i = from; i < (int)ARRAY_SIZE(chain_keys); i++)
		sbuf_addch(sb, '}');
}

/* Multi-line JSON value for chain_keys[from..2], opening bracket first, no final eol. */
static void render_json_value(struct sbuf *sb, struct fixer *f, int from, int indent, int step)
{
	int i, n = (int)ARRAY_SIZE(chain_keys) - from, col = indent;

	for (i = from; i < (int)ARRAY_SIZE(chain_keys); i++) {
		sbuf_addch(sb, '{');
		sbuf_addstr(sb, f->eol);
		col += step;
		sbuf_addchars(sb, ' ', (size_t)col);
		sbuf_addf(sb, "\"%s\": ", chain_keys[i]);
	}
	sbuf_addch(sb, '[');
	sbuf_addstr(sb, f->eol);
	sbuf_addchars(sb, ' ', (size_t)(col + step));
	sbuf_addstr(sb, "\"ALL\"");
	sbuf_addstr(sb, f->eol);
	sbuf_addchars(sb, ' ', (size_t)col);
	sbuf_addch(sb, ']');
	for (i = 0; i < n; i++) {
		col -= step;
		sbuf_addstr(sb, f->eol);
		sbuf_addchars(sb, ' ', (size_t)col);
		sbuf_addch(sb, '}');
	}
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
		yedits_add(&f->edits, pos, pos, t.buf, t.len);
		sbuf_release(&t);
	} else {
		yedits_add(&f->edits, pos, pos, lines->buf, lines->len);
	}
}

/*
 * Insert `key: value` for chain_keys[from..] as the last entry of flow
 * mapping @m (from < 3), or the item ALL into flow sequence @m (from == 3).
 */
static int flow_append(struct fixer *f, const struct ynode *m, int from)
{
	struct style st;
	struct sbuf entry = SBUF_INIT, t = SBUF_INIT;
	const struct ynode *last;
	size_t e, p, close = m->end - 1;
	bool multiline, comma = false;
	int indent = 0, step;

	flow_style(f, m, &st);
	if (m->end == 0 || f->buf[close] != (m->kind == YN_MAP ? '}' : ']'))
		return -1;
	if (m->kind == YN_MAP && m->nkids) {
		const struct ynode *k = m->kids[m->nkids - 2];

		st.compact = k->end + 1 < f->len && f->buf[k->end] == ':' &&
			     f->buf[k->end + 1] != ' ' && f->buf[k->end + 1] != '\t' &&
			     f->buf[k->end + 1] != '\n' && f->buf[k->end + 1] != '\r';
	}
	if (!m->nkids) {
		if (from < 3) {
			add_scalar(&entry, chain_keys[from], st.quote_keys ? st.quote : 0);
			sbuf_addstr(&entry, st.compact ? ":" : ": ");
			render_flow_value(&entry, from + 1, &st);
		} else {
			add_scalar(&entry, "ALL", st.quote);
		}
		yedits_add(&f->edits, m->start + 1, m->start + 1, entry.buf, entry.len);
		sbuf_release(&entry);
		return 0;
	}
	last = m->kids[m->nkids - 1];
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
			return -1;
	}
	multiline = has_newline(f->buf, m->start,
				m->kids[m->nkids - (m->kind == YN_MAP ? 2 : 1)]->start);
	step = 2;
	if (multiline) {
		const struct ynode *first = m->kids[m->nkids - (m->kind == YN_MAP ? 2 : 1)];

		indent = first->col;
		step = indent - indent_of_line(f->buf, m->start);
		if (step <= 0)
			step = 2;
	}
	/* the entry text */
	if (from < 3) {
		add_scalar(&entry, chain_keys[from], st.quote_keys ? st.quote : 0);
		sbuf_addstr(&entry, st.compact ? ":" : ": ");
		if (multiline && f->opts->json)
			render_json_value(&entry, f, from + 1, indent, step);
		else
			render_flow_value(&entry, from + 1, &st);
	} else {
		add_scalar(&entry, "ALL", st.quote);
	}
	if (multiline) {
		size_t le = line_end(f->buf, f->len, comma ? p : e);

		if (le > close) /* the closing bracket shares the line */
			multiline = false;
		else {
			if (!comma)
				yedits_add(&f->edits, e, e, ",", 1);
			sbuf_addstr(&t, f->eol);
			sbuf_addchars(&t, ' ', (size_t)indent);
			sbuf_add(&t, entry.buf, entry.len);
			if (comma)
				sbuf_addch(&t, ',');
			yedits_add(&f->edits, le, le, t.buf, t.len);
		}
	}
	if (!multiline) {
		if (comma) {
			sbuf_addch(&t, ' ');
			sbuf_add(&t, entry.buf, entry.len);
			sbuf_addch(&t, ',');
			yedits_add(&f->edits, p + 1, p + 1, t.buf, t.len);
		} else {
			sbuf_addstr(&t, st.compact ? "," : ", ");
			sbuf_add(&t, entry.buf, entry.len);
			yedits_add(&f->edits, e, e, t.buf, t.len);
		}
	}
	sbuf_release(&entry);
	sbuf_release(&t);
	return 0;
}

/* Add the entry chain_keys[from] (with the rest of the chain) to mapping @m. */
static int map_append(struct fixer *f, const struct ynode *m, const struct ynode *container,
		      int from)
{
	struct style st;
	struct sbuf lines = SBUF_INIT;

	if (m->flow)
		return flow_append(f, m, from);
	if (!m->nkids || m->kids[0]->col < 0)
		return -1;
	block_style(f, container, &st);
	render_block(&lines, f, from, m->kids[0]->col, &st, 0);
	insert_lines_after(f, m, &lines);
	sbuf_release(&lines);
	return 0;
}

/*
 * Give key m->kids[ki] (whose value is null, or an empty flow mapping) the
 * value for chain_keys[from..] (from == 3: the list [ALL]).
 */
static int set_value(struct fixer *f, const struct ynode *m, size_t ki,
		     const struct ynode *container, int from)
{
	const struct ynode *key = m->kids[ki], *val = m->kids[ki + 1];
	struct style st;
	struct sbuf t = SBUF_INIT;

	size_t after = val->end;

	if (val->empty) { /* step over the `:` of `key:` */
		while (after < f->len && (f->buf[after] == ' ' || f->buf[after] == '\t'))
			after++;
		if (after < f->len && f->buf[after] == ':')
			after++;
	}
	if (!m->flow && key->col >= 0 && !has_newline(f->buf, key->end, val->end) &&
	    rest_is_comment(f->buf, f->len, after)) {
		/* block context: drop ` ~` / ` {}` and write block lines below the key */
		size_t ds = val->start;
		bool at_eof;
		size_t pos;

		block_style(f, container, &st);
		if (!val->empty) {
			while (ds > key->end && (f->buf[ds - 1] == ' ' || f->buf[ds - 1] == '\t'))
				ds--;
			yedits_add(&f->edits, ds, val->end, "", 0);
		}
		if (from < 3) {
			render_block(&t, f, from, key->col + st.step, &st, 0);
		} else {
			sbuf_addchars(&t, ' ', (size_t)(key->col + st.seq_off));
			sbuf_addstr(&t, "- ALL");
			sbuf_addstr(&t, f->eol);
		}
		pos = line_end(f->buf, f->len, val->end);
		at_eof = pos >= f->len;
		if (!at_eof)
			pos += strlen(f->eol);
		if (at_eof) {
			struct sbuf u = SBUF_INIT;

			sbuf_addstr(&u, f->eol);
			sbuf_add(&u, t.buf, t.len - strlen(f->eol));
			yedits_add(&f->edits, pos, pos, u.buf, u.len);
			sbuf_release(&u);
		} else {
			yedits_add(&f->edits, pos, pos, t.buf, t.len);
		}
		sbuf_release(&t);
		return 0;
	}
	if (val->empty)
		return -1;
	if (val->kind == YN_MAP)
		return flow_append(f, val, from);
	/* an explicit null in flow context: replace the token */
	flow_style(f, m, &st);
	render_flow_value(&t, from, &st);
	yedits_add(&f->edits, val->start, val->end, t.buf, t.len);
	sbuf_release(&t);
	return 0;
}

/* Append the item ALL to list @seq. */
static int seq_append(struct fixer *f, const struct ynode *seq)
{
	struct sbuf t = SBUF_INIT;
	const struct ynode *first;
	char q = 0;

	if (seq->flow)
		return flow_append(f, seq, 3);
	first = seq->kids[0];
	if (first->kind == YN_SCALAR && first->style == YS_DOUBLE)
		q = '"';
	else if (first->kind == YN_SCALAR && first->style == YS_SINGLE)
		q = '\'';
	if (seq->col < 0)
		return -1;
	sbuf_addchars(&t, ' ', (size_t)seq->col);
	sbuf_addstr(&t, "- ");
	add_scalar(&t, "ALL", q);
	sbuf_addstr(&t, f->eol);
	insert_lines_after(f, seq, &t);
	sbuf_release(&t);
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

struct decision {
	const char *skip; /* why the container is left alone */
	char skipbuf[160];
	bool already; /* drop already holds ALL */
	bool spelled; /* ...but spelled `all` or `CAP_ALL` */
};

static void note_pos(const struct ynode *n, int *line, int *col)
{
	while (n && n->line < 0)
		n = n->parent;
	*line = n ? n->line + 1 : 1;
	*col = n ? n->col + 1 : 1;
}

static int plan_container(struct fixer *f, struct ynode *c, struct decision *d)
{
	const struct ynode *sc, *caps, *drop;
	const char *why;
	long ki;
	size_t i;
	int r;

	memset(d, 0, sizeof(*d));
	if (ynode_key_count(c, "securityContext") > 1) {
		d->skip = "duplicate securityContext keys";
		return 0;
	}
	ki = ynode_key_index(c, "securityContext");
	if (ki < 0)
		return map_append(f, c, c, CHAIN_SC);
	sc = c->kids[ki + 1];
	if ((why = shared(sc))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "securityContext %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (ynode_is_null(sc))
		return set_value(f, c, (size_t)ki, c, CHAIN_CAPS);
	if (sc->kind != YN_MAP) {
		d->skip = "securityContext is not a mapping";
		return 0;
	}
	if (ynode_is_true(ynode_get(sc, "privileged"))) {
		d->skip = "privileged: true (dropping capabilities does not confine it)";
		return 0;
	}
	if (ynode_key_count(sc, "capabilities") > 1) {
		d->skip = "duplicate capabilities keys";
		return 0;
	}
	ki = ynode_key_index(sc, "capabilities");
	if (ki < 0) {
		if (!sc->nkids && sc->flow)
			return set_value(f, c, (size_t)ynode_key_index(c, "securityContext"), c,
					 CHAIN_CAPS);
		return map_append(f, sc, c, CHAIN_CAPS);
	}
	caps = sc->kids[ki + 1];
	if ((why = shared(caps))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "capabilities %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (ynode_is_null(caps))
		return set_value(f, sc, (size_t)ki, c, CHAIN_DROP);
	if (caps->kind != YN_MAP) {
		d->skip = "capabilities is not a mapping";
		return 0;
	}
	if (ynode_key_count(caps, "drop") > 1) {
		d->skip = "duplicate drop keys";
		return 0;
	}
	if (!caps->nkids && caps->flow)
		return set_value(f, sc, (size_t)ki, c, CHAIN_DROP);
	ki = ynode_key_index(caps, "drop");
	if (ki < 0)
		return map_append(f, caps, c, CHAIN_DROP);
	drop = caps->kids[ki + 1];
	if ((why = shared(drop))) {
		snprintf(d->skipbuf, sizeof(d->skipbuf), "capabilities.drop %s", why);
		d->skip = d->skipbuf;
		return 0;
	}
	if (ynode_is_null(drop))
		return set_value(f, caps, (size_t)ki, c, 3);
	if (drop->kind != YN_SEQ) {
		d->skip = "capabilities.drop is not a list";
		return 0;
	}
	for (i = 0; i < drop->nkids; i++) {
		const char *s = ynode_str(drop->kids[i]);

		if (s && !strcmp(s, "ALL")) {
			d->already = true;
			return 0;
		}
	}
	for (i = 0; i < drop->nkids; i++) {
		if (is_all(ynode_str(drop->kids[i]))) {
			d->already = d->spelled = true;
			return 0;
		}
	}
	if (!drop->nkids && !drop->flow)
		return -1;
	r = seq_append(f, drop);
	return r;
}

static int on_container(struct k8s_container *kc, void *payload)
{
	struct fixer *f = payload;
	struct fix_result *res = f->res;
	struct decision d;
	size_t before = f->edits.n;
	int line, col;

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
	if (plan_container(f, kc->node, &d) < 0) {
		/* undo what this container queued */
		while (f->edits.n > before)
			free(f->edits.v[--f->edits.n].text);
		res->skipped++;
		add_note(res, FIX_NOTE_WARN, line, col,
			 "%s/%s: container \"%s\" left alone: securityContext layout not supported",
			 kc->kind, kc->name, kc->cname);
		return 0;
	}
	if (d.skip) {
		res->skipped++;
		add_note(res, FIX_NOTE_WARN, line, col, "%s/%s: container \"%s\" left alone: %s",
			 kc->kind, kc->name, kc->cname, d.skip);
		return 0;
	}
	if (d.already) {
		res->already++;
		if (d.spelled)
			add_note(
				res, FIX_NOTE_WARN, line, col,
				"%s/%s: container \"%s\" drops ALL spelled differently; Pod Security Admission only accepts \"ALL\"",
				kc->kind, kc->name, kc->cname);
		return 0;
	}
	res->fixed++;
	add_note(res, FIX_NOTE_INFO, line, col, "%s/%s: container \"%s\": drop ALL", kc->kind,
		 kc->name, kc->cname);
	kc->node->mark = true;
	return 0;
}

/* ---- verification: the edited text means the original plus the change ---- */

static bool is_edited(const struct fixer *f, const struct ynode *n)
{
	(void)f;
	return n->mark;
}

static bool same_tree(const struct fixer *f, const struct ynode *o, const struct ynode *n);

/* New value @n of key chain_keys[level] given old value @o (NULL when absent). */
static bool expect_chain(const struct ynode *o, const struct ynode *n, int level)
{
	size_t i;

	if (level == 3) { /* the drop list */
		if (!n || n->kind != YN_SEQ)
			return false;
		if (!o || ynode_is_null(o)) {
			return n->nkids == 1 && ynode_str(n->kids[0]) &&
			       !strcmp(ynode_str(n->kids[0]), "ALL");
		}
		if (o->kind != YN_SEQ || n->nkids != o->nkids + 1)
			return false;
		for (i = 0; i < o->nkids; i++)
			if (!ynode_equal(o->kids[i], n->kids[i]))
				return false;
		return ynode_str(n->kids[i]) && !strcmp(ynode_str(n->kids[i]), "ALL");
	}
	if (!n || n->kind != YN_MAP)
		return false;
	if (!o || ynode_is_null(o) || (o->kind == YN_MAP && !o->nkids)) {
		return n->nkids == 2 && ynode_str(n->kids[0]) &&
		       !strcmp(ynode_str(n->kids[0]), chain_keys[level]) &&
		       expect_chain(NULL, n->kids[1], level + 1);
	}
	if (o->kind != YN_MAP)
		return false;
	long ki = ynode_key_index(o, chain_keys[level]);

	if (ki < 0) {
		if (n->nkids != o->nkids + 2)
			return false;
		for (i = 0; i < o->nkids; i++)
			if (!ynode_equal(o->kids[i], n->kids[i]))
				return false;
		return ynode_str(n->kids[i]) && !strcmp(ynode_str(n->kids[i]), chain_keys[level]) &&
		       expect_chain(NULL, n->kids[i + 1], level + 1);
	}
	if (n->nkids != o->nkids)
		return false;
	for (i = 0; i < o->nkids; i++) {
		if ((long)i == ki + 1) {
			if (!expect_chain(o->kids[i], n->kids[i], level + 1))
				return false;
		} else if (!ynode_equal(o->kids[i], n->kids[i])) {
			return false;
		}
	}
	return true;
}

static bool same_tree(const struct fixer *f, const struct ynode *o, const struct ynode *n)
{
	size_t i;

	if (is_edited(f, o)) {
		/* the container mapping: securityContext is chain level 0 */
		if (!n || n->kind != YN_MAP || o->kind != YN_MAP)
			return false;
		/* reuse expect_chain one level up: the container is the parent map */
		long ki = ynode_key_index(o, "securityContext");

		if (ki < 0) {
			if (n->nkids != o->nkids + 2)
				return false;
			for (i = 0; i < o->nkids; i++)
				if (!ynode_equal(o->kids[i], n->kids[i]))
					return false;
			return ynode_str(n->kids[i]) &&
			       !strcmp(ynode_str(n->kids[i]), "securityContext") &&
			       expect_chain(NULL, n->kids[i + 1], 1);
		}
		if (n->nkids != o->nkids)
			return false;
		for (i = 0; i < o->nkids; i++) {
			if ((long)i == ki + 1) {
				if (!expect_chain(o->kids[i], n->kids[i], 1))
					return false;
			} else if (!ynode_equal(o->kids[i], n->kids[i])) {
				return false;
			}
		}
		return true;
	}
	if (!n || o->kind != n->kind || o->nkids != n->nkids || o->tag != n->tag)
		return false;
	if (o->kind == YN_SCALAR || o->kind == YN_ALIAS)
		return ynode_equal(o, n);
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
		k8s_each_container(yf.docs[i].root, on_container, &f);
	}
	if (f.edits.n) {
		struct sbuf out = SBUF_INIT;

		if (yedits_apply(&f.edits, buf, len, &out) < 0) {
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
	yedits_release(&f.edits);
	yamlspan_release(&yf);
	return ret;
}
