#include "capfix/patch.h"
#include "capfix/err.h"
#include "capfix/gitops.h"

#include <git2.h>

static const char *gitmsg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/*
 * Append libgit2's patch text @p with what git itself writes differently:
 * the mode of an executable file ("index a..b 100755": libgit2 knows no
 * mode for buffers) and a tab after a ---/+++ name holding a space (without
 * it GNU patch cuts the name at the space; git adds the same tab).
 */
static void append_fixed(struct sbuf *out, const char *p, size_t len, bool executable)
{
	const char *end = p + len;
	bool header = true;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = eol ? (size_t)(eol - p) : (size_t)(end - p);

		if (header && l >= 2 && p[0] == '@' && p[1] == '@')
			header = false;
		if (header && executable && l > 13 && !strncmp(p, "index ", 6) &&
		    !strncmp(p + l - 7, " 100644", 7)) {
			sbuf_add(out, p, l - 6);
			sbuf_addstr(out, "100755");
		} else if (header && l > 6 &&
			   (!strncmp(p, "--- a/", 6) || !strncmp(p, "+++ b/", 6)) &&
			   memchr(p + 6, ' ', l - 6) && p[l - 1] != '\t') {
			sbuf_add(out, p, l);
			sbuf_addch(out, '\t');
		} else {
			sbuf_add(out, p, l);
		}
		if (eol)
			sbuf_addch(out, '\n');
		p = eol ? eol + 1 : end;
	}
}

int patch_append(struct sbuf *out, const char *path, bool executable, const char *old,
		 size_t oldlen, const char *new, size_t newlen)
{
	git_diff_options opts;
	git_patch *p = NULL;
	git_buf buf = { 0 };
	int ret = -1;

	if (oldlen == newlen && !memcmp(old, new, oldlen))
		return 0;
	gitops_lib_init();
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&p, old, oldlen, path, new, newlen, path, &opts) < 0 ||
	    git_patch_to_buf(&buf, p) < 0) {
		cf_err(CF_E_SYSTEM, "%s: cannot make a patch: %s", path, gitmsg());
		goto out;
	}
	append_fixed(out, buf.ptr, buf.size, executable);
	ret = 0;
out:
	git_buf_dispose(&buf);
	git_patch_free(p);
	return ret;
}
