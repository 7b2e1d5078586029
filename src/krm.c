#include "capfix/krm.h"
#include "capfix/err.h"
#include "capfix/yamlspan.h"

#include <errno.h>

/* One item of the list: where it starts and what it is. */
struct item {
	int line; /* 1-based line of its first node */
	const char *api, *kind, *name, *ns, *path, *index;
};

/* A YAML double-quoted scalar: backslash, quote and control characters escaped. */
static void add_quoted(struct sbuf *sb, const char *s)
{
	sbuf_addch(sb, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			sbuf_addstr(sb, "\\n");
		else if (c == '\t')
			sbuf_addstr(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(sb, "\\x%02x", c);
		else
			sbuf_addch(sb, (char)c);
	}
	sbuf_addch(sb, '"');
}

static const char *annotation(const struct ynode *md, const char *key)
{
	return yamlspan_dstr(yamlspan_dget(yamlspan_dget(md, "annotations"), key));
}

static void item_of(const struct ynode *n, struct item *it)
{
	const struct ynode *md = yamlspan_dget(n, "metadata");

	memset(it, 0, sizeof(*it));
	it->line = n->line + 1;
	it->api = yamlspan_dstr(yamlspan_dget(n, "apiVersion"));
	it->kind = yamlspan_dstr(yamlspan_dget(n, "kind"));
	it->name = yamlspan_dstr(yamlspan_dget(md, "name"));
	it->ns = yamlspan_dstr(yamlspan_dget(md, "namespace"));
	it->path = annotation(md, "internal.config.kubernetes.io/path");
	if (!it->path)
		it->path = annotation(md, "config.kubernetes.io/path");
	it->index = annotation(md, "internal.config.kubernetes.io/index");
	if (!it->index)
		it->index = annotation(md, "config.kubernetes.io/index");
}

/* The item holding 1-based @line: the last one starting at or before it. */
static const struct item *item_at(const struct item *v, size_t n, int line)
{
	const struct item *found = NULL;
	size_t i;

	for (i = 0; i < n && v[i].line <= line; i++)
		found = &v[i];
	return found;
}

static bool truthy(const struct ynode *n)
{
	const char *s = yamlspan_dstr(n);

	return s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes"));
}

/* functionConfig: ConfigMap data, or spec, with config/deny/strict/drop-only. */
static int read_config(const struct ynode *fc, struct fix_opts *o, struct capcfg *cfg)
{
	const struct ynode *d = yamlspan_dget(fc, "data");
	const char *text, *deny;

	if (!d)
		d = yamlspan_dget(fc, "spec");
	if (!d)
		return 0;
	text = yamlspan_dstr(yamlspan_dget(d, "config"));
	if (text) {
		if (capcfg_load(cfg, "functionConfig.config", text, strlen(text)) < 0)
			return -1;
		o->cfg = cfg;
	}
	deny = yamlspan_dstr(yamlspan_dget(d, "deny"));
	if (deny && capcfg_parse_list(deny, &o->deny) < 0)
		return cf_err(CF_E_USAGE, "functionConfig deny: %s", cf_err_last()->msg);
	if (yamlspan_dget(d, "strict"))
		o->strict = truthy(yamlspan_dget(d, "strict"));
	if (yamlspan_dget(d, "drop-only"))
		o->drop_only = truthy(yamlspan_dget(d, "drop-only"));
	return 0;
}

/* The results, as YAML block text (@json: a JSON array) for the notes of @res. */
static void render_results(struct sbuf *sb, const struct fix_result *res, const struct item *items,
			   size_t nitems, bool json, struct krm_stats *st)
{
	size_t i, n = 0;

	for (i = 0; i < res->nnotes; i++) {
		const struct fix_note *note = &res->notes[i];
		const struct item *it = item_at(items, nitems, note->line);
		bool warn = note->level == FIX_NOTE_WARN;

		st->warnings += warn;
		sbuf_addstr(sb, json ? (n++ ? ",\n    {" : "\n    {") : "- ");
		sbuf_addstr(sb, json ? "\"message\": " : "message: ");
		add_quoted(sb, note->msg);
		sbuf_addstr(sb, json ? ", \"severity\": " : "\n  severity: ");
		sbuf_addstr(sb, warn ? "\"warning\"" : "\"info\"");
		if (it && it->kind && it->name) {
			sbuf_addstr(sb, json ? ", \"resourceRef\": {" : "\n  resourceRef:\n    ");
			sbuf_addstr(sb, json ? "\"apiVersion\": " : "apiVersion: ");
			add_quoted(sb, it->api ? it->api : "");
			sbuf_addstr(sb, json ? ", \"kind\": " : "\n    kind: ");
			add_quoted(sb, it->kind);
			sbuf_addstr(sb, json ? ", \"name\": " : "\n    name: ");
			add_quoted(sb, it->name);
			if (it->ns) {
				sbuf_addstr(sb, json ? ", \"namespace\": " : "\n    namespace: ");
				add_quoted(sb, it->ns);
			}
			if (json)
				sbuf_addch(sb, '}');
		}
		if (it && it->path) {
			sbuf_addstr(sb, json ? ", \"file\": {\"path\": " : "\n  file:\n    path: ");
			add_quoted(sb, it->path);
			if (it->index) {
				sbuf_addstr(sb, json ? ", \"index\": " : "\n    index: ");
				sbuf_addstr(sb, it->index);
			}
			if (json)
				sbuf_addch(sb, '}');
		}
		sbuf_addstr(sb, json ? "}" : "\n");
	}
	if (json)
		sbuf_addstr(sb, n ? "\n  ]" : "]");
}

int krm_run(const char *buf, size_t len, const struct fix_opts *opts, struct capcfg *cfg,
	    struct sbuf *out, struct krm_stats *st)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	struct fix_opts o = *opts;
	struct fix_result res;
	struct item *items = NULL;
	const struct ynode *root, *list;
	const char *text;
	size_t i, nitems = 0, tlen, end;
	bool json;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	for (i = 0;
	     i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t'); i++)
		;
	json = i < len && buf[i] == '{';
	fix_result_init(&res);
	if (yamlspan_parse(&yf, buf, len, json, &err) < 0)
		return cf_err(CF_E_INPUT, "ResourceList:%d:%d: %s", err.line, err.col, err.msg);
	root = yf.ndocs == 1 ? yf.docs[0].root : NULL;
	if (!root || root->kind != YN_MAP || !yamlspan_dstr(yamlspan_dget(root, "kind")) ||
	    strcmp(yamlspan_dstr(yamlspan_dget(root, "kind")), "ResourceList")) {
		cf_err(CF_E_INPUT, "the input is not one `kind: ResourceList` document");
		goto out;
	}
	if (yamlspan_get(root, "results")) {
		cf_err(CF_E_INPUT, "the ResourceList already has results: not a function's input");
		goto out;
	}
	if (read_config(yamlspan_dget(root, "functionConfig"), &o, cfg) < 0)
		goto out;
	o.json = json;
	list = yamlspan_dget(root, "items");
	for (i = 0; list && list->kind == YN_SEQ && i < list->nkids; i++) {
		items = xrealloc(items, (nitems + 1) * sizeof(*items));
		item_of(yamlspan_deref(list->kids[i]), &items[nitems++]);
	}
	st->items = nitems;
	if (fix_buffer(&res, buf, len, &o) < 0) {
		cf_err(res.status == FIX_PARSE_ERROR ? CF_E_INPUT : CF_E_EDIT,
		       "ResourceList:%d:%d: %s", res.err.line, res.err.col, res.err.msg);
		goto out;
	}
	st->fixed = res.fixed;
	text = res.changed ? res.out.buf : buf;
	tlen = res.changed ? res.out.len : len;
	if (!json) {
		sbuf_add(out, text, tlen);
		if (tlen && text[tlen - 1] != '\n')
			sbuf_addch(out, '\n');
		sbuf_addstr(out, "results:");
		if (!res.nnotes) {
			sbuf_addstr(out, " []\n");
		} else {
			sbuf_addch(out, '\n');
			render_results(out, &res, items, nitems, false, st);
		}
	} else {
		/* before the closing brace of the root object */
		for (end = tlen; end > 0 && text[end - 1] != '}'; end--)
			;
		if (!end) {
			cf_err(CF_E_INPUT, "the JSON ResourceList does not end with '}'");
			goto out;
		}
		sbuf_add(out, text, end - 1);
		while (out->len &&
		       (out->buf[out->len - 1] == ' ' || out->buf[out->len - 1] == '\n' ||
			out->buf[out->len - 1] == '\r' || out->buf[out->len - 1] == '\t'))
			sbuf_setlen(out, out->len - 1);
		sbuf_addstr(out, ",\n  \"results\": [");
		render_results(out, &res, items, nitems, true, st);
		sbuf_addstr(out, "\n}");
		sbuf_add(out, text + end, tlen - end);
	}
	ret = 0;
out:
	free(items);
	fix_result_release(&res);
	yamlspan_release(&yf);
	return ret;
}

int krm_run_file(FILE *in, FILE *out, size_t max_size, const struct fix_opts *opts,
		 struct capcfg *cfg, struct krm_stats *stats)
{
	struct sbuf buf = SBUF_INIT, res = SBUF_INIT;
	size_t n;
	int ret = -1;

	for (;;) {
		sbuf_grow(&buf, 65536);
		n = fread(buf.buf + buf.len, 1, buf.alloc - buf.len - 1, in);
		buf.len += n;
		buf.buf[buf.len] = '\0';
		if (buf.len > max_size) {
			cf_err(CF_E_INPUT, "the ResourceList is larger than %zu bytes", max_size);
			goto out;
		}
		if (!n)
			break;
	}
	if (ferror(in)) {
		cf_err(CF_E_INPUT, "reading the ResourceList: %s", strerror(errno));
		goto out;
	}
	if (krm_run(buf.buf ? buf.buf : "", buf.len, opts, cfg, &res, stats) < 0)
		goto out;
	if (fwrite(res.buf, 1, res.len, out) != res.len || fflush(out) != 0) {
		cf_err(CF_E_WRITE, "writing the ResourceList: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	sbuf_release(&buf);
	sbuf_release(&res);
	return ret;
}
