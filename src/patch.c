#include "capfix/patch.h"
#include "capfix/err.h"

#include <git2.h>
#include <pthread.h>

/* libgit2 loads its TLS backend and certificates on init: only pay for it when used */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static bool initialised;

static void do_init(void)
{
	git_libgit2_init();
	initialised = true;
}

void patch_lib_init(void)
{
	pthread_once(&init_once, do_init);
}

void patch_lib_shutdown(void)
{
	if (initialised)
		git_libgit2_shutdown();
}

static const char *gitmsg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
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
	patch_lib_init();
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&p, old, oldlen, path, new, newlen, path, &opts) < 0 ||
	    git_patch_to_buf(&buf, p) < 0) {
		cf_err(CF_E_SYSTEM, "%s: cannot make a patch: %s", path, gitmsg());
		goto out;
	}
	if (executable) {
		/* libgit2 knows no mode for buffers: the header's "index a..b 100644" */
		const char *idx = strstr(buf.ptr, "\nindex ");
		const char *eol = idx ? strchr(idx + 1, '\n') : NULL;

		if (idx && eol && eol - idx > 7 && !strncmp(eol - 6, "100644", 6)) {
			sbuf_add(out, buf.ptr, (size_t)(eol - 6 - buf.ptr));
			sbuf_addstr(out, "100755");
			sbuf_add(out, eol, buf.size - (size_t)(eol - buf.ptr));
			ret = 0;
			goto out;
		}
	}
	sbuf_add(out, buf.ptr, buf.size);
	ret = 0;
out:
	git_buf_dispose(&buf);
	git_patch_free(p);
	return ret;
}
