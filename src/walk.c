#include "capfix/walk.h"
#include "capfix/fsutil.h"
#include "capfix/ignore.h"
#include "capfix/sbuf.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static void add_problem(struct walk_result *res, const char *path, bool error, const char *msg)
{
	CF_ALLOC_GROW(res->problems, res->nproblems + 1, res->aproblems);
	res->problems[res->nproblems].path = xstrdup(path);
	res->problems[res->nproblems].msg = xstrdup(msg);
	res->problems[res->nproblems].error = error;
	res->nproblems++;
}

static void add_file(struct walk_result *res, const char *path, size_t trusted, bool chart_template)
{
	CF_ALLOC_GROW(res->files, res->nfiles + 1, res->afiles);
	res->files[res->nfiles].path = xstrdup(path);
	res->files[res->nfiles].trusted = trusted;
	res->files[res->nfiles].chart_template = chart_template;
	res->nfiles++;
}

static void add_temp(struct walk_result *res, const char *path, size_t trusted)
{
	CF_ALLOC_GROW(res->temps, res->ntemps + 1, res->atemps);
	res->temps[res->ntemps].path = xstrdup(path);
	res->temps[res->ntemps].trusted = trusted;
	res->temps[res->ntemps].chart_template = false;
	res->ntemps++;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool walk_is_manifest_name(const char *name)
{
	return ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool exists_in(const char *dir, const char *name)
{
	struct sbuf p = SBUF_INIT;
	struct stat st;
	bool ok;

	sbuf_addf(&p, "%s/%s", dir, name);
	ok = lstat(p.buf, &st) == 0 && S_ISREG(st.st_mode);
	sbuf_release(&p);
	return ok;
}

static void join(struct sbuf *sb, const char *dir, const char *name)
{
	sbuf_setlen(sb, 0);
	if (!strcmp(dir, "."))
		sbuf_addstr(sb, name);
	else if (ends_with(dir, "/"))
		sbuf_addf(sb, "%s%s", dir, name);
	else
		sbuf_addf(sb, "%s/%s", dir, name);
}

/* Does @name hold a control character (a newline, an escape...)? */
static bool has_control(const char *name)
{
	for (; *name; name++)
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			return true;
	return false;
}

/* @path with control characters written as \n, \t or \xNN, for messages. */
static void add_escaped(struct sbuf *sb, const char *path)
{
	for (; *path; path++) {
		unsigned char c = (unsigned char)*path;

		if (c == '\n')
			sbuf_addstr(sb, "\\n");
		else if (c == '\t')
			sbuf_addstr(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sbuf_addf(sb, "\\x%02x", c);
		else
			sbuf_addch(sb, (char)c);
	}
}

static void walk_dir(struct walk_result *res, const char *dir, size_t trusted, bool chart_template,
		     int depth, const struct ignore *ig)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	bool is_chart;
	struct sbuf p = SBUF_INIT;

	if (depth > 256) {
		add_problem(res, dir, true, "directory tree too deep");
		return;
	}
	d = opendir(dir);
	if (!d) {
		add_problem(res, dir, true, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		CF_ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	is_chart = exists_in(dir, "Chart.yaml") || exists_in(dir, "values.yaml");
	for (i = 0; i < n; i++) {
		struct stat st;

		join(&p, dir, names[i]);
		if (has_control(names[i])) {
			/*
			 * Printed as it is, such a name would forge lines of output
			 * (a CI log reading "::error ..." or "path:1:1: note:").
			 */
			struct sbuf shown = SBUF_INIT;

			add_escaped(&shown, p.buf);
			add_problem(res, shown.buf, false,
				    "the name holds a control character (a newline?): skipped");
			sbuf_release(&shown);
			continue;
		}
		if (lstat(p.buf, &st) < 0) {
			add_problem(res, p.buf, true, strerror(errno));
			continue;
		}
		if (S_ISLNK(st.st_mode))
			continue; /* never followed: it could leave the tree or loop */
		if (ig && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) &&
		    ignore_path(ig, p.buf, S_ISDIR(st.st_mode))) {
			res->excluded++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!strcmp(names[i], ".git"))
				continue;
			walk_dir(res, p.buf, trusted,
				 chart_template || (is_chart && !strcmp(names[i], "templates")),
				 depth + 1, ig);
		} else if (S_ISREG(st.st_mode) && walk_is_manifest_name(names[i])) {
			add_file(res, p.buf, trusted, chart_template);
		} else if (S_ISREG(st.st_mode) && fsutil_is_temp_name(names[i])) {
			add_temp(res, p.buf, trusted);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	sbuf_release(&p);
}

/* Is @path below a templates/ folder beside a Chart.yaml or values.yaml? */
static bool file_in_chart_templates(const char *path)
{
	struct sbuf dir = SBUF_INIT;
	bool found = false;
	char *slash;

	sbuf_addstr(&dir, path);
	while ((slash = strrchr(dir.buf, '/')) != NULL) {
		*slash = '\0';
		dir.len = (size_t)(slash - dir.buf);
		const char *base = strrchr(dir.buf, '/');

		base = base ? base + 1 : dir.buf;
		if (!strcmp(base, "templates")) {
			struct sbuf parent = SBUF_INIT;

			sbuf_add(&parent, dir.buf, (size_t)(base - dir.buf));
			if (!parent.len)
				sbuf_addstr(&parent, ".");
			found = exists_in(parent.buf, "Chart.yaml") ||
				exists_in(parent.buf, "values.yaml");
			sbuf_release(&parent);
			if (found)
				break;
		}
	}
	sbuf_release(&dir);
	return found;
}

/* Is the root @r, or a directory on its way, excluded by @ig? */
static bool root_excluded(const struct ignore *ig, const char *r, bool dir)
{
	struct sbuf p = SBUF_INIT;
	const char *s;
	bool out = false;

	if (!ig)
		return false;
	for (s = strchr(r, '/'); s && !out; s = strchr(s + 1, '/')) {
		if (s == r)
			continue;
		sbuf_setlen(&p, 0);
		sbuf_add(&p, r, (size_t)(s - r));
		if (strcmp(p.buf, ".") && strcmp(p.buf, ".."))
			out = ignore_path(ig, p.buf, true);
	}
	sbuf_release(&p);
	return out || (strcmp(r, ".") && ignore_path(ig, r, dir));
}

void walk_collect(struct walk_result *out, const char *const *roots, size_t nroots)
{
	walk_collect_ignoring(out, roots, nroots, NULL);
}

void walk_collect_ignoring(struct walk_result *out, const char *const *roots, size_t nroots,
			   const struct ignore *ig)
{
	size_t i;

	for (i = 0; i < nroots; i++) {
		struct stat st;
		const char *r = roots[i];

		if (lstat(r, &st) < 0) {
			add_problem(out, r, true, strerror(errno));
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			add_problem(out, r, false,
				    "is a symbolic link; not edited through it (name its target)");
			continue;
		}
		if ((S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) &&
		    root_excluded(ig, r, S_ISDIR(st.st_mode))) {
			out->excluded++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			struct sbuf probe = SBUF_INIT;

			sbuf_addf(&probe, "%s/.", r);
			walk_dir(out, r, strcmp(r, ".") ? strlen(r) : 0,
				 file_in_chart_templates(probe.buf), 0, ig);
			sbuf_release(&probe);
		} else if (S_ISREG(st.st_mode)) {
			const char *slash = strrchr(r, '/');

			add_file(out, r, slash ? (size_t)(slash - r) + (slash == r) : 0,
				 file_in_chart_templates(r));
		} else {
			add_problem(out, r, true, "not a regular file or directory");
		}
	}
}

void walk_result_release(struct walk_result *res)
{
	size_t i;

	for (i = 0; i < res->nfiles; i++)
		free(res->files[i].path);
	for (i = 0; i < res->nproblems; i++) {
		free(res->problems[i].path);
		free(res->problems[i].msg);
	}
	for (i = 0; i < res->ntemps; i++)
		free(res->temps[i].path);
	free(res->temps);
	free(res->files);
	free(res->problems);
	memset(res, 0, sizeof(*res));
}
