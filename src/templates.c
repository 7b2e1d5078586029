#include "capfix/templates.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"

#include <unistd.h>

int templates_load(const char *dir, const char *name, struct sbuf *out)
{
	size_t i;

	sbuf_setlen(out, 0);
	if (dir) {
		struct sbuf p = SBUF_INIT;
		int r = 1;

		sbuf_addf(&p, "%s/%s", dir, name);
		if (access(p.buf, F_OK) == 0)
			r = fsutil_read(p.buf, 4 * 1024 * 1024, out);
		sbuf_release(&p);
		if (r <= 0)
			return r < 0 ? cf_err(CF_E_USAGE, "%s", cf_err_last()->msg) : 0;
	}
	for (i = 0; i < capfix_ntemplates; i++) {
		if (!strcmp(capfix_templates[i].name, name)) {
			sbuf_add(out, capfix_templates[i].text, capfix_templates[i].len);
			return 0;
		}
	}
	return cf_err(CF_E_USAGE, "no template named '%s'", name);
}

int templates_render(const char *text, const char *const *keys, const char *const *values, size_t n,
		     struct sbuf *out)
{
	size_t start = out->len, i;
	const char *p = text;

	while (*p) {
		const char *d = strchr(p, '$');

		if (!d) {
			sbuf_addstr(out, p);
			break;
		}
		sbuf_add(out, p, (size_t)(d - p));
		if (d[1] == '$') {
			sbuf_addch(out, '$');
			p = d + 2;
			continue;
		}
		if (d[1] != '{') {
			sbuf_addch(out, '$');
			p = d + 1;
			continue;
		}
		{
			const char *e = strchr(d + 2, '}');
			size_t kl = e ? (size_t)(e - d - 2) : 0;

			if (!e) {
				sbuf_setlen(out, start);
				return cf_err(CF_E_USAGE, "unterminated ${ in a template");
			}
			for (i = 0; i < n; i++)
				if (strlen(keys[i]) == kl && !strncmp(keys[i], d + 2, kl))
					break;
			if (i == n) {
				sbuf_setlen(out, start);
				return cf_err(CF_E_USAGE, "unknown template variable ${%.*s}",
					      (int)kl, d + 2);
			}
			sbuf_addstr(out, values[i]);
			p = e + 1;
		}
	}
	return 0;
}
