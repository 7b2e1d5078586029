#include "capfix/yamlspan.h"

#if defined(__SANITIZE_ADDRESS__)
#define CAPFIX_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPFIX_LSAN 1
#endif
#endif
#ifdef CAPFIX_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include <libfyaml.h>
#include <pthread.h>

/* ---- arena: every node and text of one file, freed at once ---- */

struct yarena_chunk {
	struct yarena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct yarena {
	struct yarena_chunk *head;
};

static void *arena_alloc(struct yarena *a, size_t size)
{
	struct yarena_chunk *c = a->head;
	size_t need = (size + 15) & ~(size_t)15;

	if (!c || c->size - c->used < need) {
		size_t sz = need > 32768 ? need : 32768;

		c = xmalloc(cf_st_add(sizeof(*c), sz));
		c->size = sz;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

static void arena_free(struct yarena *a)
{
	struct yarena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* ---- tree building from events ---- */

/*
 * Collections nested deeper than this are refused: the consumers of the
 * tree recurse (a million '[' overflowed the stack), and Kubernetes' own
 * decoders stop at the same depth (Go's encoding/json).
 */
#define MAX_DEPTH 10000

struct frame {
	struct ynode *node;
	size_t base; /* first index in builder.pending */
};

struct builder {
	struct yfile *yf;
	const char *buf;
	struct ynode **pending; /* children of open collections, stacked */
	size_t npending, apending;
	struct frame *frames;
	size_t nframes, aframes;
	size_t last_pos; /* end of the last event that had a mark */
	struct ydoc *docs;
	size_t ndocs, adocs;
	bool doc_explicit;
	const char **anchors; /* names defined so far in the current document */
	struct ynode **anchor_nodes; /* the node of each, parallel to anchors */
	size_t nanchors, aanchors;
	int bad_alias_line, bad_alias_col;
	char bad_alias_name[64];
	int deep_line, deep_col; /* where the nesting went past MAX_DEPTH */
};

static void remember_anchor(struct builder *b, struct fy_token *anchor, struct ynode *n)
{
	size_t len = 0, alloc;
	const char *text = anchor ? fy_token_get_text(anchor, &len) : NULL;
	char *copy;

	if (!text)
		return;
	copy = arena_alloc(b->yf->arena, len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	alloc = b->aanchors;
	CF_ALLOC_GROW(b->anchors, b->nanchors + 1, b->aanchors);
	if (alloc != b->aanchors)
		b->anchor_nodes = xrealloc(b->anchor_nodes,
					   cf_st_mult(b->aanchors, sizeof(*b->anchor_nodes)));
	b->anchor_nodes[b->nanchors] = n;
	b->anchors[b->nanchors++] = copy;
}

/* The node the latest anchor @name was set on, or NULL. */
static struct ynode *anchor_node(const struct builder *b, const char *name)
{
	size_t i;

	for (i = b->nanchors; i > 0; i--)
		if (!strcmp(b->anchors[i - 1], name))
			return b->anchor_nodes[i - 1];
	return NULL;
}

static struct ynode *new_node(struct builder *b, enum ynode_kind kind)
{
	struct ynode *n = arena_alloc(b->yf->arena, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = -1;
	n->col = -1;
	return n;
}

static void set_marks(struct builder *b, struct ynode *n, struct fy_event *ev)
{
	const struct fy_mark *s = fy_event_start_mark(ev);
	const struct fy_mark *e = fy_event_end_mark(ev);

	if (!s || !e) {
		n->empty = n->kind == YN_SCALAR;
		n->start = n->end = b->last_pos;
		return;
	}
	n->start = s->input_pos;
	n->end = e->input_pos;
	n->line = s->line;
	n->col = s->column;
	b->last_pos = n->end;
}

static void push_child(struct builder *b, struct ynode *n)
{
	CF_ALLOC_GROW(b->pending, b->npending + 1, b->apending);
	b->pending[b->npending++] = n;
}

static void open_collection(struct builder *b, struct ynode *n)
{
	CF_ALLOC_GROW(b->frames, b->nframes + 1, b->aframes);
	b->frames[b->nframes].node = n;
	b->frames[b->nframes].base = b->npending;
	b->nframes++;
}

static size_t node_end(const struct ynode *n)
{
	return n->end;
}

static struct ynode *close_collection(struct builder *b, struct fy_event *ev)
{
	struct frame *f = &b->frames[--b->nframes];
	struct ynode *n = f->node;
	size_t i, cnt = b->npending - f->base;

	n->nkids = cnt;
	if (cnt) {
		n->kids = arena_alloc(b->yf->arena, cf_st_mult(cnt, sizeof(*n->kids)));
		memcpy(n->kids, b->pending + f->base, cnt * sizeof(*n->kids));
	}
	b->npending = f->base;
	for (i = 0; i < cnt; i++)
		n->kids[i]->parent = n;
	if (n->kind == YN_MAP) {
		for (i = 0; i + 1 < cnt; i += 2) {
			const struct ynode *k = n->kids[i];

			if (k->kind == YN_SCALAR && k->style == YS_PLAIN && k->len == 2 &&
			    !strcmp(k->text, "<<"))
				n->merge = true;
			if ((k->kind == YN_MAP || k->kind == YN_SEQ) && !b->yf->complex_key)
				b->yf->complex_key = n->kids[i];
		}
	}
	if (n->flow) {
		const struct fy_mark *e = fy_event_end_mark(ev);

		if (e) {
			n->end = e->input_pos;
			b->last_pos = n->end;
		}
	} else {
		n->end = cnt ? node_end(n->kids[cnt - 1]) : n->start;
	}
	return n;
}

static bool token_is_flow(struct fy_token *t, const char *buf, size_t start)
{
	if (t) {
		enum fy_token_type tt = fy_token_get_type(t);

		return tt == FYTT_FLOW_MAPPING_START || tt == FYTT_FLOW_SEQUENCE_START;
	}
	return buf[start] == '{' || buf[start] == '[';
}

static enum yscalar_style scalar_style(struct fy_token *t)
{
	switch (fy_token_scalar_style(t)) {
	case FYSS_SINGLE_QUOTED:
		return YS_SINGLE;
	case FYSS_DOUBLE_QUOTED:
		return YS_DOUBLE;
	case FYSS_LITERAL:
		return YS_LITERAL;
	case FYSS_FOLDED:
		return YS_FOLDED;
	default:
		return YS_PLAIN;
	}
}

static void set_text(struct builder *b, struct ynode *n, const char *text, size_t len)
{
	char *t = arena_alloc(b->yf->arena, cf_st_add(len, 1));

	if (len)
		memcpy(t, text, len);
	t[len] = '\0';
	n->text = t;
	n->len = len;
}

/*
 * The value of scalar @n when it is its source bytes verbatim: a plain
 * scalar on one line, or a quoted one on one line with nothing to unescape
 * (no '' in single quotes, no backslash in double quotes). NULL otherwise:
 * the caller asks libfyaml, whose text formatting costs about a sixth of a
 * parse. The marks of a scalar cover its content (inside the quotes).
 */
static const char *verbatim_text(const struct builder *b, const struct ynode *n, size_t *len)
{
	const char *s = b->buf + n->start;
	size_t l = n->end - n->start;
	size_t i;

	if (n->empty || n->end < n->start || n->style == YS_LITERAL || n->style == YS_FOLDED)
		return NULL;
	for (i = 0; i < l; i++) {
		char c = s[i];

		if (c == '\n' || c == '\r' || (c == '\'' && n->style == YS_SINGLE) ||
		    (c == '\\' && n->style == YS_DOUBLE))
			return NULL;
	}
	*len = l;
	return s;
}

static int on_event(struct builder *b, struct fy_event *ev)
{
	struct ynode *n = NULL;

	switch (ev->type) {
	case FYET_DOCUMENT_START:
		b->doc_explicit = !ev->document_start.implicit;
		b->nanchors = 0;
		if (fy_event_end_mark(ev))
			b->last_pos = fy_event_end_mark(ev)->input_pos;
		return 0;
	case FYET_DOCUMENT_END:
		CF_ALLOC_GROW(b->docs, b->ndocs + 1, b->adocs);
		b->docs[b->ndocs].explicit_start = b->doc_explicit;
		b->docs[b->ndocs].root = b->npending ? b->pending[b->npending - 1] : NULL;
		if (!b->docs[b->ndocs].root) {
			n = new_node(b, YN_SCALAR);
			n->empty = true;
			n->start = n->end = b->last_pos;
			set_text(b, n, "", 0);
			b->docs[b->ndocs].root = n;
		}
		b->ndocs++;
		b->npending = 0;
		return 0;
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		n = new_node(b, ev->type == FYET_MAPPING_START ? YN_MAP : YN_SEQ);
		set_marks(b, n, ev);
		if (ev->type == FYET_MAPPING_START) {
			n->anchor = ev->mapping_start.anchor != NULL;
			n->tag = ev->mapping_start.tag != NULL;
			n->flow = token_is_flow(ev->mapping_start.mapping_start, b->buf, n->start);
		} else {
			n->anchor = ev->sequence_start.anchor != NULL;
			n->tag = ev->sequence_start.tag != NULL;
			n->flow =
				token_is_flow(ev->sequence_start.sequence_start, b->buf, n->start);
		}
		if (n->anchor) {
			b->yf->aliases = true;
			remember_anchor(b,
					ev->type == FYET_MAPPING_START ? ev->mapping_start.anchor
								       : ev->sequence_start.anchor,
					n);
		}
		if (b->nframes >= MAX_DEPTH) {
			b->deep_line = n->line + 1;
			b->deep_col = n->col + 1;
			return -1;
		}
		open_collection(b, n);
		return 0;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		if (!b->nframes)
			return -1;
		push_child(b, close_collection(b, ev));
		return 0;
	case FYET_SCALAR: {
		size_t len = 0;
		const char *text;

		n = new_node(b, YN_SCALAR);
		n->style = scalar_style(ev->scalar.value);
		n->anchor = ev->scalar.anchor != NULL;
		n->tag = ev->scalar.tag != NULL;
		if (n->anchor) {
			b->yf->aliases = true;
			remember_anchor(b, ev->scalar.anchor, n);
		}
		set_marks(b, n, ev);
		text = verbatim_text(b, n, &len);
#ifdef CAPFIX_SELFCHECK
		if (text) {
			size_t flen = 0;
			const char *ftext = fy_token_get_text(ev->scalar.value, &flen);

			if (!ftext || flen != len || memcmp(ftext, text, len))
				CF_BUG("verbatim scalar text differs from libfyaml's");
		}
#endif
		if (!text)
			text = fy_token_get_text(ev->scalar.value, &len);
		if (!n->empty && (n->style == YS_SINGLE || n->style == YS_DOUBLE)) {
			/* marks cover the content only: widen to the quotes */
			if (n->start > 0)
				n->start--;
			if (n->col > 0)
				n->col--;
			n->end++;
			b->last_pos = n->end;
		}
		set_text(b, n, text ? text : "", text ? len : 0);
		push_child(b, n);
		return 0;
	}
	case FYET_ALIAS: {
		size_t len = 0;
		const char *text = fy_token_get_text(ev->alias.anchor, &len);

		n = new_node(b, YN_ALIAS);
		set_marks(b, n, ev);
		set_text(b, n, text ? text : "", text ? len : 0);
		b->yf->aliases = true;
		n->target = anchor_node(b, n->text);
		if (!n->target) {
			b->bad_alias_line = n->line + 1;
			b->bad_alias_col = n->col + 1;
			snprintf(b->bad_alias_name, sizeof(b->bad_alias_name), "%s", n->text);
			return -1;
		}
		push_child(b, n);
		return 0;
	}
	default:
		return 0;
	}
}

/*
 * libfyaml's messages, said in capfix's words where they name the parser's
 * state rather than the likely mistake. Matched by prefix; anything else is
 * passed on as libfyaml wrote it.
 */
static const struct {
	const char *libfyaml, *capfix;
} parse_words[] = {
	{ "invalid multiline plain key",
	  "a key runs over more than one line (is this line indented too deep, or with a tab?)" },
	{ "did not find expected key",
	  "expected a `key: value` line here (is this line indented like its neighbours?)" },
	{ "invalid nested block mapping on the same line",
	  "a second `key:` on one line (a value holding \": \" needs quotes)" },
	{ "invalid indentation in mapping",
	  "this line is indented differently from the rest of its mapping" },
	{ "missing comma in flow mapping",
	  "a {...} mapping without a comma between two entries, or without its closing brace" },
	{ "Invalid JSON plain scalar",
	  "not JSON: a bare word where JSON needs a \"string\", a number, true, false or null" },
	{ "single quoted scalars not supported in JSON mode",
	  "not JSON: strings take double quotes, not single ones" },
	{ "JSON disallows trailing comma", "not JSON: a comma before a closing brace or bracket" },
};

static const char *in_our_words(const char *msg)
{
	size_t i;

	for (i = 0; msg && i < ARRAY_SIZE(parse_words); i++)
		if (!strncmp(msg, parse_words[i].libfyaml, strlen(parse_words[i].libfyaml)))
			return parse_words[i].capfix;
	return msg;
}

/*
 * libfyaml 0.7.12 leaves its parser corrupt after one error: a tab before
 * a block indicator after the ':' of a key inside a complex key ("? a:\t?",
 * "? [a]:\t|"), where fy_fetch_value() recycles the simple key before the
 * check fails; fy_parser_destroy() then writes through a null pointer.
 * After that error the parser is not destroyed: its memory (one small
 * input's worth) stays with the process, and LeakSanitizer is told.
 */
static bool parser_unsafe_to_destroy(struct fy_diag *diag)
{
	void *iter = NULL;
	struct fy_diag_error *e;

	while (diag && (e = fy_diag_errors_iterate(diag, &iter)) != NULL)
		if (e->msg && strstr(e->msg, "cannot use tab for indentation of block entry"))
			return true;
	return false;
}

static void fill_error(struct yerror *err, struct fy_diag *diag)
{
	void *iter = NULL;
	struct fy_diag_error *de;

	err->line = 1;
	err->col = 1;
	snprintf(err->msg, sizeof(err->msg), "invalid YAML");
	if (!diag)
		return;
	/* the first error, not a warning recorded before it ("Unsupported directive") */
	{
		struct fy_diag_error *first = NULL, *e;

		while ((e = fy_diag_errors_iterate(diag, &iter)) != NULL) {
			if (!first)
				first = e;
			if (e->type >= FYET_ERROR) {
				first = e;
				break;
			}
		}
		de = first;
	}
	if (de) {
		err->line = de->line > 0 ? de->line : 1;
		err->col = de->column > 0 ? de->column : 1;
		snprintf(err->msg, sizeof(err->msg), "%s",
			 de->msg ? in_our_words(de->msg) : "invalid YAML");
	}
}

/*
 * The offset of the first byte of @buf that is not part of well-formed
 * UTF-8 (RFC 3629: no overlong forms, surrogates or code points above
 * U+10FFFF), or @len when all of it is. YAML and JSON streams must be
 * Unicode, and libfyaml 0.7.12 does not check everywhere: a directive
 * name holding such a byte ("%\x91") makes it loop forever. A NUL byte is
 * refused too (neither YAML nor JSON allow it): libfyaml ends the stream
 * there, which would hide everything after it from a scan.
 */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		size_t n, k;
		unsigned char lo = 0x80, hi = 0xbf;

		/* eight ASCII bytes without a NUL at a time (the common case) */
		while (len - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) ||
			    ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++) {
			unsigned char d = s[i + k];

			if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xbf))
				return i;
		}
		i += n + 1;
	}
	return len;
}

/* 1-based line and column (in characters) of byte @pos of @buf. */
static void position_of(const char *buf, size_t pos, int *line, int *col)
{
	size_t i;
	int l = 1, c = 1;

	for (i = 0; i < pos; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/*
 * The diagnostics configuration, made once: fy_diag_cfg_default() asks
 * whether stderr is a terminal, two system calls per parse otherwise.
 */
static struct fy_diag_cfg diag_cfg;
static pthread_once_t diag_cfg_once = PTHREAD_ONCE_INIT;

static void diag_cfg_init(void)
{
	fy_diag_cfg_default(&diag_cfg);
	diag_cfg.fp = NULL;
	diag_cfg.level = FYET_ERROR;
	diag_cfg.colorize = false;
}

int yamlspan_parse(struct yfile *out, const char *buf, size_t len, bool json, struct yerror *err)
{
	struct builder b;
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp = NULL;
	struct fy_event *ev;
	bool ended = false, failed = false;
	const char *nl;
	size_t bad;

	memset(&b, 0, sizeof(b));
	memset(out, 0, sizeof(*out));
	out->buf = buf;
	out->len = len;
	out->arena = xcalloc(1, sizeof(*out->arena));
	nl = len ? memchr(buf, '\n', len) : NULL;
	out->crlf = nl && nl > buf && nl[-1] == '\r';
	b.yf = out;
	b.buf = buf;
	bad = utf8_invalid_at((const unsigned char *)buf, len);
	if (bad < len) {
		position_of(buf, bad, &err->line, &err->col);
		if (!buf[bad])
			snprintf(err->msg, sizeof(err->msg),
				 "NUL byte: YAML and JSON files cannot contain one");
		else
			snprintf(err->msg, sizeof(err->msg),
				 "invalid UTF-8 (byte 0x%02x): YAML and JSON files must be UTF-8",
				 (unsigned char)buf[bad]);
		yamlspan_release(out);
		return -1;
	}

	pthread_once(&diag_cfg_once, diag_cfg_init);
	dcfg = diag_cfg;
	diag = fy_diag_create(&dcfg);
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_SLOPPY_FLOW_INDENTATION |
		    (json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE);
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, len ? buf : "", len) != 0) {
		failed = true;
		goto out;
	}
	while ((ev = fy_parser_parse(fyp)) != NULL) {
		int r = on_event(&b, ev);

		if (ev->type == FYET_STREAM_END)
			ended = true;
		fy_parser_event_free(fyp, ev);
		if (r < 0) {
			failed = true;
			break;
		}
	}
	if (!ended || fy_parser_get_stream_error(fyp))
		failed = true;
out:
	if (failed && b.deep_line) {
		err->line = b.deep_line;
		err->col = b.deep_col;
		snprintf(err->msg, sizeof(err->msg), "collections nested more than %d levels deep",
			 MAX_DEPTH);
		free(b.docs);
		b.docs = NULL;
	} else if (failed && b.bad_alias_line) {
		err->line = b.bad_alias_line;
		err->col = b.bad_alias_col;
		snprintf(err->msg, sizeof(err->msg),
			 "alias *%s names no anchor defined earlier in this document",
			 b.bad_alias_name);
		free(b.docs);
		b.docs = NULL;
	} else if (failed) {
		fill_error(err, diag);
		free(b.docs);
		b.docs = NULL;
	}
	if (failed && parser_unsafe_to_destroy(diag)) {
#ifdef CAPFIX_LSAN
		__lsan_ignore_object(fyp);
#endif
	} else {
		fy_parser_destroy(fyp);
	}
	fy_diag_destroy(diag);
	free(b.pending);
	free(b.frames);
	free(b.anchors);
	free(b.anchor_nodes);
	if (failed) {
		yamlspan_release(out);
		return -1;
	}
	out->docs = b.docs;
	out->ndocs = b.ndocs;
	return 0;
}

void yamlspan_release(struct yfile *yf)
{
	if (!yf)
		return;
	arena_free(yf->arena);
	free(yf->docs);
	memset(yf, 0, sizeof(*yf));
}

static bool key_is(const struct ynode *k, const char *key)
{
	return k->kind == YN_SCALAR && !k->tag && k->style != YS_LITERAL && k->style != YS_FOLDED &&
	       !strcmp(k->text, key) && strlen(key) == k->len;
}

long yamlspan_key_index(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != YN_MAP)
		return -1;
	/* the last pair wins, as in YAML 1.1 loaders and JSON decoders */
	for (i = map->nkids & ~(size_t)1; i >= 2; i -= 2)
		if (key_is(map->kids[i - 2], key))
			return (long)(i - 2);
	return -1;
}

struct ynode *yamlspan_get(const struct ynode *map, const char *key)
{
	long i = yamlspan_key_index(map, key);

	return i < 0 ? NULL : map->kids[i + 1];
}

size_t yamlspan_key_count(const struct ynode *map, const char *key)
{
	size_t i, n = 0;

	if (!map || map->kind != YN_MAP)
		return 0;
	for (i = 0; i + 1 < map->nkids; i += 2)
		n += key_is(map->kids[i], key);
	return n;
}

bool yamlspan_is_null(const struct ynode *n)
{
	if (!n || n->kind != YN_SCALAR || n->tag || n->style != YS_PLAIN)
		return false;
	return n->empty || n->len == 0 || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
	       !strcmp(n->text, "Null") || !strcmp(n->text, "NULL");
}

bool yamlspan_is_true(const struct ynode *n)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					   "on",   "On",   "ON",   "y",	  "Y" };
	size_t i;

	if (!n || n->kind != YN_SCALAR || n->style != YS_PLAIN)
		return false;
	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcmp(n->text, yes[i]))
			return true;
	return false;
}

const char *yamlspan_str(const struct ynode *n)
{
	return n && n->kind == YN_SCALAR ? n->text : NULL;
}

bool yamlspan_equal(const struct ynode *a, const struct ynode *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->nkids != b->nkids || a->tag != b->tag)
		return false;
	if (a->kind == YN_SCALAR || a->kind == YN_ALIAS)
		return a->len == b->len && !memcmp(a->text, b->text, a->len) &&
		       (a->style == YS_PLAIN) == (b->style == YS_PLAIN);
	for (i = 0; i < a->nkids; i++)
		if (!yamlspan_equal(a->kids[i], b->kids[i]))
			return false;
	return true;
}

const struct ynode *yamlspan_deref(const struct ynode *n)
{
	int hops = 0;

	while (n && n->kind == YN_ALIAS && n->target && hops++ < 64)
		n = n->target;
	return n;
}

const struct ynode *yamlspan_dget(const struct ynode *map, const char *key)
{
	const struct ynode *v = yamlspan_get(yamlspan_deref(map), key);

	return v ? yamlspan_deref(v) : NULL;
}

static const struct ynode *mget(const struct ynode *map, const char *key, int depth)
{
	const struct ynode *v;
	size_t i, j;

	map = yamlspan_deref(map);
	if (!map || map->kind != YN_MAP)
		return NULL;
	v = yamlspan_get(map, key);
	if (v)
		return yamlspan_deref(v);
	if (!map->merge || depth > 64)
		return NULL;
	for (i = 0; i + 1 < map->nkids; i += 2) {
		const struct ynode *k = map->kids[i], *m = yamlspan_deref(map->kids[i + 1]);

		if (k->kind != YN_SCALAR || strcmp(k->text, "<<"))
			continue;
		if (m && m->kind == YN_MAP && (v = mget(m, key, depth + 1)))
			return v;
		for (j = 0; m && m->kind == YN_SEQ && j < m->nkids; j++)
			if ((v = mget(m->kids[j], key, depth + 1)))
				return v;
	}
	return NULL;
}

const struct ynode *yamlspan_mget(const struct ynode *map, const char *key)
{
	return mget(map, key, 0);
}

const char *yamlspan_dstr(const struct ynode *n)
{
	return yamlspan_str(yamlspan_deref(n));
}

const char *yamlspan_dvalue(const struct ynode *n)
{
	n = yamlspan_deref(n);
	return n && n->kind == YN_SCALAR && !yamlspan_is_null(n) ? n->text : NULL;
}

bool yamlspan_dtrue(const struct ynode *n)
{
	return yamlspan_is_true(yamlspan_deref(n));
}

long yamlspan_int(const struct ynode *n)
{
	const char *s;
	char *end;
	long v;

	n = yamlspan_deref(n);
	s = yamlspan_str(n);
	if (!s || !*s || n->style != YS_PLAIN)
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}
