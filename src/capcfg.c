/* realpath() */
#define _XOPEN_SOURCE 700

#include "capfix/capcfg.h"
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/profiles.h"
#include "capfix/yamlspan.h"

#include "capfix/msg.h"

#include <fnmatch.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static int node_err(const char *path, const struct ynode *n, const char *fmt, ...) CF_PRINTF(3, 4);

/*
 * A value from the file as shown in a message: control characters escaped
 * and cut after 24 bytes, so that an error never echoes more of the file
 * than the offending key (the file could be anything a link points at).
 */
static const char *shown(const char *s, size_t n, char *out, size_t size)
{
	struct sbuf sb = SBUF_INIT;
	size_t cut = n > 24 ? 24 : n;

	msg_escape(&sb, s, cut);
	if (cut < n)
		sbuf_addstr(&sb, "...");
	snprintf(out, size, "%s", sbuf_cstr(&sb));
	sbuf_release(&sb);
	return out;
}

static int node_err(const char *path, const struct ynode *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cf_err(CF_E_USAGE, "%s:%d:%d: %s", path, n && n->line >= 0 ? n->line + 1 : 1,
		      n && n->col >= 0 ? n->col + 1 : 1, msg);
}

static int parse_caps(const char *path, const struct ynode *n, uint64_t *out)
{
	char sh[64];
	size_t i;

	if (yamlspan_is_null(n))
		return 0;
	if (n->kind != YN_SEQ)
		return node_err(path, n, "expected a list of capabilities");
	for (i = 0; i < n->nkids; i++) {
		const struct cap_info *ci;
		const char *s = yamlspan_str(n->kids[i]);

		if (!s)
			return node_err(path, n->kids[i], "expected a capability name");
		ci = caps_lookup(s);
		if (!ci)
			return node_err(path, n->kids[i], "unknown capability '%s'",
					shown(s, strlen(s), sh, sizeof(sh)));
		*out |= (uint64_t)1 << ci->number;
	}
	return 0;
}

static int parse_rule(const char *path, const struct ynode *m, struct capcfg_rule *r, bool top)
{
	char sh[64];
	size_t i;

	if (m->kind != YN_MAP)
		return node_err(path, m, "expected a mapping");
	r->line = m->line + 1;
	for (i = 0; i + 1 < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
		const char *key = yamlspan_str(k);
		char **field = NULL;

		if (!key)
			return node_err(path, k, "expected a plain key");
		if (!strcmp(key, "allow")) {
			if (parse_caps(path, v, &r->allow) < 0)
				return -1;
			continue;
		}
		if (!strcmp(key, "deny")) {
			if (parse_caps(path, v, &r->deny) < 0)
				return -1;
			continue;
		}
		if (!strcmp(key, "add")) {
			if (parse_caps(path, v, &r->add) < 0)
				return -1;
			continue;
		}
		if (top && (!strcmp(key, "rules") || !strcmp(key, "ignore") ||
			    !strcmp(key, "images") || !strcmp(key, "traces")))
			continue;
		if (!top && !strcmp(key, "image"))
			field = &r->image;
		else if (!top && !strcmp(key, "namespace"))
			field = &r->ns;
		else if (!top && !strcmp(key, "workload"))
			field = &r->workload;
		else if (!top && !strcmp(key, "container"))
			field = &r->container;
		if (!field)
			return node_err(path, k, "unknown key '%s'",
					shown(key, strlen(key), sh, sizeof(sh)));
		if (!yamlspan_str(v) || yamlspan_is_null(v))
			return node_err(path, v, "'%s' must be a string (a glob pattern)",
					shown(key, strlen(key), sh, sizeof(sh)));
		free(*field);
		*field = xstrdup(yamlspan_str(v));
	}
	return 0;
}

/* `images:` / `traces:`: a list of strings (PATH, REF=PATH, SELECTOR=PATH). */
static int parse_paths(const char *path, const struct ynode *v, const char *key, char ***out,
		       size_t *n)
{
	size_t i;

	if (!v || yamlspan_is_null(v))
		return 0;
	if (v->kind != YN_SEQ)
		return node_err(path, v, "'%s' must be a list of file names", key);
	*out = xcalloc(v->nkids ? v->nkids : 1, sizeof(**out));
	for (i = 0; i < v->nkids; i++) {
		const char *s = yamlspan_str(v->kids[i]);

		if (!s || !*s)
			return node_err(path, v->kids[i], "'%s' entries must be file names", key);
		(*out)[(*n)++] = xstrdup(s);
	}
	return 0;
}

static int parse_ids(const char *path, const struct ynode *v, struct capcfg_ignore *ig)
{
	const struct ynode *one[1];
	const struct ynode *const *items = one;
	size_t i, n = 1;

	if (v->kind == YN_SEQ) {
		items = (const struct ynode *const *)v->kids;
		n = v->nkids;
	} else {
		one[0] = v;
	}
	for (i = 0; i < n; i++) {
		const char *s = yamlspan_str(items[i]);

		if (!s || yamlspan_is_null(items[i]))
			return node_err(path, items[i],
					"'rules' must list rule ids (CF001) or all");
		while (*s) {
			size_t k = strcspn(s, ", ");

			if (k) {
				ig->ids = xrealloc(ig->ids, (ig->nids + 1) * sizeof(*ig->ids));
				ig->ids[ig->nids++] = xstrndup(s, k);
			}
			s += k;
			s += strspn(s, ", ");
		}
	}
	return ig->nids ? 0 : node_err(path, v, "'rules' must list rule ids (CF001) or all");
}

static int parse_ignore(const char *path, const struct ynode *m, struct capcfg_ignore *ig)
{
	char sh[64];
	size_t i;

	if (m->kind != YN_MAP)
		return node_err(path, m, "expected a mapping (rules, reason, path...)");
	ig->line = m->line + 1;
	for (i = 0; i + 1 < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
		const char *key = yamlspan_str(k);
		char **field = NULL;

		if (!key)
			return node_err(path, k, "expected a plain key");
		if (!strcmp(key, "rules")) {
			if (parse_ids(path, v, ig) < 0)
				return -1;
			continue;
		}
		if (!strcmp(key, "path"))
			field = &ig->path;
		else if (!strcmp(key, "image"))
			field = &ig->image;
		else if (!strcmp(key, "namespace"))
			field = &ig->ns;
		else if (!strcmp(key, "workload"))
			field = &ig->workload;
		else if (!strcmp(key, "container"))
			field = &ig->container;
		else if (!strcmp(key, "reason"))
			field = &ig->reason;
		if (!field)
			return node_err(path, k, "unknown key '%s'",
					shown(key, strlen(key), sh, sizeof(sh)));
		if (!yamlspan_str(v) || yamlspan_is_null(v))
			return node_err(path, v, "'%s' must be a string", key);
		free(*field);
		*field = xstrdup(yamlspan_str(v));
	}
	if (!ig->nids)
		return node_err(path, m, "an ignore rule needs 'rules' (rule ids or all)");
	if (!ig->reason || !ig->reason[strspn(ig->reason, " \t")])
		return node_err(path, m, "an ignore rule needs a reason");
	return 0;
}

static void ignore_rule_release(struct capcfg_ignore *ig)
{
	size_t i;

	for (i = 0; i < ig->nids; i++)
		free(ig->ids[i]);
	free(ig->ids);
	free(ig->path);
	free(ig->image);
	free(ig->ns);
	free(ig->workload);
	free(ig->container);
	free(ig->reason);
}

static void rule_release(struct capcfg_rule *r)
{
	size_t i;

	for (i = 0; i < r->nignores; i++)
		ignore_rule_release(&r->ignores[i]);
	free(r->ignores);
	free(r->image);
	free(r->ns);
	free(r->workload);
	free(r->container);
}

int capcfg_load(struct capcfg *out, const char *path, const char *buf, size_t len)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *root, *rules;
	struct capcfg cfg = CAPCFG_INIT;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (yamlspan_parse(&yf, buf, len, false, &err) < 0)
		return cf_err(CF_E_USAGE, "%s:%d:%d: %s", path, err.line, err.col, err.msg);
	if (yf.ndocs > 1) {
		node_err(path, yf.docs[1].root, "expected one document");
		goto out;
	}
	root = yf.ndocs ? yf.docs[0].root : NULL;
	if (!root || yamlspan_is_null(root)) {
		ret = 0;
		goto out;
	}
	if (yf.aliases) {
		node_err(path, root, "anchors and aliases are not supported here");
		goto out;
	}
	CF_ALLOC_GROW(cfg.rules, 1, cfg.arules);
	memset(&cfg.rules[0], 0, sizeof(cfg.rules[0]));
	cfg.nrules = 1;
	if (parse_rule(path, root, &cfg.rules[0], true) < 0)
		goto out;
	rules = yamlspan_get(root, "rules");
	if (rules && !yamlspan_is_null(rules)) {
		if (rules->kind != YN_SEQ) {
			node_err(path, rules, "'rules' must be a list");
			goto out;
		}
		for (i = 0; i < rules->nkids; i++) {
			CF_ALLOC_GROW(cfg.rules, cfg.nrules + 1, cfg.arules);
			memset(&cfg.rules[cfg.nrules], 0, sizeof(cfg.rules[0]));
			cfg.nrules++;
			if (parse_rule(path, rules->kids[i], &cfg.rules[cfg.nrules - 1], false) < 0)
				goto out;
		}
	}
	if (parse_paths(path, yamlspan_get(root, "images"), "images", &cfg.images, &cfg.nimages) <
		    0 ||
	    parse_paths(path, yamlspan_get(root, "traces"), "traces", &cfg.traces, &cfg.ntraces) <
		    0)
		goto out;
	rules = yamlspan_get(root, "ignore");
	if (rules && !yamlspan_is_null(rules)) {
		if (rules->kind != YN_SEQ) {
			node_err(path, rules, "'ignore' must be a list");
			goto out;
		}
		for (i = 0; i < rules->nkids; i++) {
			struct capcfg_rule *top = &cfg.rules[0];

			CF_ALLOC_GROW(top->ignores, top->nignores + 1, top->aignores);
			memset(&top->ignores[top->nignores], 0, sizeof(top->ignores[0]));
			top->nignores++;
			if (parse_ignore(path, rules->kids[i], &top->ignores[top->nignores - 1]) <
			    0)
				goto out;
		}
	}
	*out = cfg;
	memset(&cfg, 0, sizeof(cfg));
	ret = 0;
out:
	capcfg_release(&cfg);
	yamlspan_release(&yf);
	return ret;
}

void capcfg_release(struct capcfg *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nrules; i++)
		rule_release(&cfg->rules[i]);
	free(cfg->rules);
	for (i = 0; i < cfg->nimages; i++)
		free(cfg->images[i]);
	for (i = 0; i < cfg->ntraces; i++)
		free(cfg->traces[i]);
	free(cfg->images);
	free(cfg->traces);
	memset(cfg, 0, sizeof(*cfg));
}

static bool glob(const char *pattern, const char *s)
{
	if (!pattern)
		return true;
	return s && fnmatch(pattern, s, 0) == 0;
}

static bool image_matches(const char *pattern, const char *image)
{
	char repo[256];

	if (!pattern)
		return true;
	if (!image)
		return false;
	if (glob(pattern, image))
		return true;
	/* the repository alone: "nginx" matches "docker.io/library/nginx:1.25" */
	profiles_repo_of(image, repo, sizeof(repo));
	return glob(pattern, repo);
}

static bool workload_matches(const char *pattern, const struct capcfg_target *t)
{
	char kn[512];

	if (!pattern)
		return true;
	if (!t->name)
		return false;
	snprintf(kn, sizeof(kn), "%s/%s", t->kind ? t->kind : "", t->name);
	return glob(pattern, kn) || glob(pattern, t->name);
}

void capcfg_eval(const struct capcfg *cfg, const struct capcfg_target *t, uint64_t *allow,
		 uint64_t *deny, uint64_t *add)
{
	size_t i;

	*allow = *deny = *add = 0;
	for (i = 0; cfg && i < cfg->nrules; i++) {
		const struct capcfg_rule *r = &cfg->rules[i];

		if (!image_matches(r->image, t->image) || !glob(r->ns, t->ns ? t->ns : "default") ||
		    !workload_matches(r->workload, t) || !glob(r->container, t->container))
			continue;
		*allow |= r->allow;
		*deny |= r->deny;
		*add |= r->add;
	}
}

/* @pattern matches @path or a directory above it ("vendor" covers vendor/a.yaml). */
static bool path_matches(const char *pattern, const char *path)
{
	char buf[4096];
	const char *slash;

	if (!pattern)
		return true;
	if (!path)
		return false;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (pattern[0] == '.' && pattern[1] == '/')
		pattern += 2;
	if (glob(pattern, path))
		return true;
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		if ((size_t)(slash - path) >= sizeof(buf))
			break;
		memcpy(buf, path, (size_t)(slash - path));
		buf[slash - path] = '\0';
		if (glob(pattern, buf))
			return true;
	}
	return false;
}

const char *capcfg_ignored(const struct capcfg *cfg, const struct capcfg_target *t,
			   const char *path, const char *rule_id)
{
	size_t i, j;

	for (i = 0; cfg && cfg->nrules && i < cfg->rules[0].nignores; i++) {
		const struct capcfg_ignore *ig = &cfg->rules[0].ignores[i];
		bool listed = false;

		for (j = 0; j < ig->nids && !listed; j++)
			listed = !strcasecmp(ig->ids[j], "all") || !strcasecmp(ig->ids[j], rule_id);
		if (listed && path_matches(ig->path, path) && image_matches(ig->image, t->image) &&
		    glob(ig->ns, t->ns ? t->ns : "default") && workload_matches(ig->workload, t) &&
		    glob(ig->container, t->container))
			return ig->reason;
	}
	return NULL;
}

int capcfg_parse_list(const char *list, uint64_t *out)
{
	char sh[64];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		char name[64];
		const struct cap_info *ci;

		if (n && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			ci = caps_lookup(name);
			if (!ci)
				return cf_err(CF_E_USAGE, "unknown capability '%s'",
					      shown(name, strlen(name), sh, sizeof(sh)));
			*out |= (uint64_t)1 << ci->number;
		} else if (n) {
			return cf_err(CF_E_USAGE, "unknown capability '%s'",
				      shown(p, n, sh, sizeof(sh)));
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int capcfg_load_file(struct capcfg *out, const char *path)
{
	struct sbuf buf = SBUF_INIT, found = SBUF_INIT;
	int ret = -1;

	if (!path) {
		struct sbuf prefix = SBUF_INIT, probe = SBUF_INIT;
		struct stat st;
		size_t up;
		bool top = false;

		/*
		 * Found, not named: ./.capfix.yaml, else in the directories above, up to
		 * the top of the git work tree (the first directory holding .git) or /,
		 * as linters find their configuration. Only a regular file is read.
		 */
		for (up = 0; up < 64 && !top; up++) {
			char *real;

			sbuf_setlen(&found, 0);
			sbuf_addf(&found, "%s%s", sbuf_cstr(&prefix), CAPCFG_DEFAULT_PATH);
			if (lstat(found.buf, &st) == 0)
				break;
			sbuf_setlen(&probe, 0);
			sbuf_addf(&probe, "%s.git", sbuf_cstr(&prefix));
			real = realpath(prefix.len ? prefix.buf : ".", NULL);
			top = lstat(probe.buf, &st) == 0 || !real || !strcmp(real, "/");
			free(real);
			sbuf_addstr(&prefix, "../");
		}
		sbuf_release(&prefix);
		sbuf_release(&probe);
		if (top || up == 64) {
			sbuf_release(&found);
			return 0;
		}
		path = found.buf;
		if (!S_ISREG(st.st_mode)) {
			cf_err(CF_E_USAGE,
			       "%s: not a regular file (%s): not read (name a file with --config, or --no-config)",
			       path,
			       S_ISLNK(st.st_mode) ? "a symbolic link"
						   : "a FIFO, device or directory");
			sbuf_release(&found);
			return -1;
		}
	}
	if (fsutil_read(path, 4 * 1024 * 1024, &buf) == 0 &&
	    capcfg_load(out, path, buf.buf ? buf.buf : "", buf.len) == 0)
		ret = 1;
	sbuf_release(&buf);
	sbuf_release(&found);
	return ret;
}
