/* realpath() */
#define _XOPEN_SOURCE 700

#include "capfix/ignore.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/gitops.h"
#include "capfix/sbuf.h"

#include <errno.h>
#include <fnmatch.h>
#include <git2.h>
#include <sys/stat.h>

void ignore_add(struct ignore *ig, const char *pattern)
{
	struct ignore_rule r;
	size_t n;
	const char *p = pattern;

	memset(&r, 0, sizeof(r));
	if (*p == '#' || !*p)
		return;
	if (*p == '!') {
		r.negate = true;
		p++;
	} else if (*p == '\\' && (p[1] == '!' || p[1] == '#')) {
		p++;
	}
	n = strlen(p);
	/* trailing blanks are dropped unless escaped */
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t') && !(n > 1 && p[n - 2] == '\\'))
		n--;
	if (n && p[n - 1] == '/') {
		r.dir_only = true;
		n--;
	}
	if (!n)
		return;
	r.anchored = memchr(p, '/', n) != NULL;
	if (*p == '/') {
		p++;
		n--;
	}
	if (!n)
		return;
	r.pattern = xstrndup(p, n);
	CF_ALLOC_GROW(ig->rules, ig->nrules + 1, ig->arules);
	ig->rules[ig->nrules++] = r;
}

int ignore_add_file(struct ignore *ig, const char *path)
{
	struct sbuf buf = SBUF_INIT;
	struct stat st;
	char *line, *next;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : cf_err(CF_E_USAGE, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cf_err(CF_E_USAGE, "%s: not a regular file: not read", path);
	if (fsutil_read(path, 1 << 20, &buf) < 0) {
		char msg[sizeof(cf_err_last()->msg)];

		snprintf(msg, sizeof(msg), "%s", cf_err_last()->msg);
		sbuf_release(&buf);
		return cf_err(CF_E_USAGE, "%s", msg);
	}
	for (line = buf.buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		ignore_add(ig, line);
	}
	sbuf_release(&buf);
	return 0;
}

/* Is there a .git above (or in) the current directory? Cheap: no libgit2 for nothing. */
static bool in_work_tree(void)
{
	struct sbuf p = SBUF_INIT;
	struct stat st;
	char *cwd = realpath(".", NULL), *slash;
	bool found = false;

	while (cwd && !found) {
		sbuf_setlen(&p, 0);
		sbuf_addf(&p, "%s/.git", cwd);
		found = lstat(p.buf, &st) == 0;
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd) {
			if (!found && slash == cwd && cwd[1]) {
				cwd[1] = '\0';
				continue;
			}
			break;
		}
		*slash = '\0';
	}
	free(cwd);
	sbuf_release(&p);
	return found;
}

int ignore_use_git(struct ignore *ig)
{
	git_repository *repo = NULL;
	const char *wd;
	size_t n;

	if (!in_work_tree())
		return 0;
	gitops_lib_init();
	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0 || git_repository_is_bare(repo)) {
		git_repository_free(repo);
		return 0;
	}
	wd = git_repository_workdir(repo);
	ig->cwd = realpath(".", NULL);
	if (!wd || !ig->cwd) {
		git_repository_free(repo);
		return 0;
	}
	n = strlen(wd); /* ends in '/' */
	if (!strncmp(ig->cwd, wd, n))
		ig->prefix = xstrdup(ig->cwd + n);
	else if (!strncmp(ig->cwd, wd, n - 1) && !ig->cwd[n - 1])
		ig->prefix = xstrdup("");
	else {
		git_repository_free(repo);
		return 0;
	}
	if (ig->prefix[0]) {
		char *p = xmalloc(strlen(ig->prefix) + 2);

		snprintf(p, strlen(ig->prefix) + 2, "%s/", ig->prefix);
		free(ig->prefix);
		ig->prefix = p;
	}
	ig->repo = repo;
	return 0;
}

/* Does the pattern's components list match the path's, ** crossing components? */
static bool match_parts(const char *pat, const char *path)
{
	const char *pe, *se;

	for (;;) {
		if (!*pat)
			return !*path;
		pe = strchr(pat, '/');
		if (!pe)
			pe = pat + strlen(pat);
		if (pe - pat == 2 && pat[0] == '*' && pat[1] == '*') {
			const char *rest = *pe ? pe + 1 : pe;

			if (!*rest)
				return true; /* trailing **: everything below */
			for (;;) {
				if (match_parts(rest, path))
					return true;
				se = strchr(path, '/');
				if (!se)
					return false;
				path = se + 1;
			}
		}
		if (!*path)
			return false;
		se = strchr(path, '/');
		if (!se)
			se = path + strlen(path);
		{
			char pc[256], sc[256];

			if ((size_t)(pe - pat) >= sizeof(pc) || (size_t)(se - path) >= sizeof(sc))
				return false;
			memcpy(pc, pat, (size_t)(pe - pat));
			pc[pe - pat] = '\0';
			memcpy(sc, path, (size_t)(se - path));
			sc[se - path] = '\0';
			if (fnmatch(pc, sc, 0) != 0)
				return false;
		}
		pat = *pe ? pe + 1 : pe;
		path = *se ? se + 1 : se;
	}
}

static bool rule_matches(const struct ignore_rule *r, const char *path, bool dir)
{
	const char *p;

	if (r->dir_only && !dir)
		return false;
	if (r->anchored)
		return match_parts(r->pattern, path);
	/* no slash: the name of the path, at any depth */
	p = strrchr(path, '/');
	return fnmatch(r->pattern, p ? p + 1 : path, 0) == 0;
}

/*
 * Resolve "." and ".." components of the relative path @sb in place
 * (lexically: the walk follows no links). False when it climbs above its
 * start: the path is outside the work tree, which git does not ignore.
 */
static bool lexical_normalise(struct sbuf *sb)
{
	struct sbuf out = SBUF_INIT;
	const char *p = sb->buf ? sb->buf : "", *e;
	bool ok = true;

	for (; ok && *p; p = *e ? e + 1 : e) {
		size_t n;

		e = strchr(p, '/');
		if (!e)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (!n || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (!out.len) {
				ok = false;
				break;
			}
			slash = strrchr(out.buf, '/');
			sbuf_setlen(&out, slash ? (size_t)(slash - out.buf) : 0);
			continue;
		}
		if (out.len)
			sbuf_addch(&out, '/');
		sbuf_add(&out, p, n);
	}
	sbuf_setlen(sb, 0);
	if (ok && out.len)
		sbuf_add(sb, out.buf, out.len);
	sbuf_release(&out);
	return ok;
}

bool ignore_path(const struct ignore *ig, const char *path, bool dir)
{
	struct sbuf rel = SBUF_INIT;
	bool out = false, decided = false;
	size_t i;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	for (i = ig->nrules; i-- > 0;) {
		if (rule_matches(&ig->rules[i], path, dir)) {
			out = !ig->rules[i].negate;
			decided = true;
			break;
		}
	}
	if (!decided && ig->repo) {
		int ignored = 0;

		if (path[0] == '/') {
			size_t n = strlen(ig->cwd);

			if (strncmp(path, ig->cwd, n) || path[n] != '/')
				return false;
			path += n + 1;
		}
		sbuf_addf(&rel, "%s%s", ig->prefix, path);
		/* a path that leaves the work tree (../elsewhere) is none of git's business */
		if (lexical_normalise(&rel) && rel.len) {
			if (dir)
				sbuf_addch(&rel, '/');
			if (git_ignore_path_is_ignored(&ignored, ig->repo, rel.buf) == 0)
				out = ignored;
		}
		sbuf_release(&rel);
	}
	return out;
}

bool ignore_empty(const struct ignore *ig)
{
	return !ig->nrules && !ig->repo;
}

void ignore_release(struct ignore *ig)
{
	size_t i;

	for (i = 0; i < ig->nrules; i++)
		free(ig->rules[i].pattern);
	free(ig->rules);
	git_repository_free(ig->repo);
	free(ig->prefix);
	free(ig->cwd);
	memset(ig, 0, sizeof(*ig));
}
