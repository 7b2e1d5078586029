/*
 * dockerfile.c - the FROM and USER of a Dockerfile stage (see dockerfile.h).
 */
#include "capfix/dockerfile.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "capfix/composeenv.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/sbuf.h"

#define DOCKERFILE_MAX_SIZE (4 * 1024 * 1024)
#define MAX_STAGES 256

struct stage {
	char *name, *image, *user;
	bool image_known;
	int from_line, user_line;
};

/* One logical instruction: joined lines, the keyword, the rest. */
struct instr {
	char keyword[16];
	struct sbuf args;
	int line;
};

/* Read the next instruction from *@pp; false at the end. */
static bool next_instr(const char **pp, const char *end, int *lineno, struct instr *in)
{
	const char *p = *pp;

	sbuf_setlen(&in->args, 0);
	in->keyword[0] = '\0';
	while (p < end) {
		const char *ls = p, *le, *s;
		size_t kl = 0;
		bool more;

		le = memchr(p, '\n', (size_t)(end - p));
		if (!le)
			le = end;
		p = le < end ? le + 1 : end;
		(*lineno)++;
		for (s = ls; s < le && (*s == ' ' || *s == '\t'); s++)
			;
		if (s >= le || *s == '#' || *s == '\r')
			continue; /* comment or blank (also inside a continuation) */
		if (!in->keyword[0]) {
			in->line = *lineno;
			while (s + kl < le && isalpha((unsigned char)s[kl]))
				kl++;
			if (!kl || kl >= sizeof(in->keyword))
				continue;
			for (size_t i = 0; i < kl; i++)
				in->keyword[i] = (char)toupper((unsigned char)s[i]);
			in->keyword[kl] = '\0';
			s += kl;
		}
		while (le > s && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
			le--;
		more = le > s && le[-1] == '\\';
		sbuf_add(&in->args, s, (size_t)(le - s - (more ? 1 : 0)));
		if (!more) {
			/* a heredoc (RUN <<EOF, COPY <<-"EOF" ...): skip its body */
			const char *h = strstr(sbuf_cstr(&in->args), "<<");

			if (h && strcmp(in->keyword, "USER") && strcmp(in->keyword, "FROM")) {
				char delim[64];
				size_t dl = 0;

				h += 2;
				if (*h == '-')
					h++;
				if (*h == '"' || *h == '\'')
					h++;
				while (dl + 1 < sizeof(delim) &&
				       (isalnum((unsigned char)h[dl]) || h[dl] == '_'))
					dl++;
				memcpy(delim, h, dl);
				delim[dl] = '\0';
				while (dl && p < end) {
					const char *e2 = memchr(p, '\n', (size_t)(end - p)), *t = p;

					if (!e2)
						e2 = end;
					p = e2 < end ? e2 + 1 : end;
					(*lineno)++;
					while (t < e2 && (*t == ' ' || *t == '\t'))
						t++;
					while (e2 > t &&
					       (e2[-1] == '\r' || e2[-1] == ' ' || e2[-1] == '\t'))
						e2--;
					if ((size_t)(e2 - t) == dl && !memcmp(t, delim, dl))
						break;
				}
			}
			*pp = p;
			return true;
		}
		sbuf_addch(&in->args, ' ');
	}
	*pp = p;
	return in->keyword[0] != '\0';
}

/* The next whitespace-separated word of *@pp into @w; false when none. */
static bool word(const char **pp, struct sbuf *w)
{
	const char *p = *pp;

	sbuf_setlen(w, 0);
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return false;
	while (*p && *p != ' ' && *p != '\t')
		sbuf_addch(w, *p++);
	*pp = p;
	return true;
}

/* ARG/ENV "NAME=value" or "NAME value" (ENV old form) or "NAME" into @env. */
static void set_vars(struct composeenv *env, const struct composeenv *scope, const char *args,
		     bool env_form)
{
	const char *p = args;
	struct sbuf w = SBUF_INIT, v = SBUF_INIT;

	while (word(&p, &w)) {
		char *eq = strchr(w.buf, '=');
		const char *val;

		if (!eq) {
			if (env_form) { /* ENV NAME value... */
				while (*p == ' ' || *p == '\t')
					p++;
				sbuf_setlen(&v, 0);
				composeenv_interpolate(scope, p, &v, NULL, 0);
				composeenv_set(env, w.buf, sbuf_cstr(&v));
				break;
			}
			continue; /* ARG NAME: declared without a default */
		}
		*eq = '\0';
		val = eq + 1;
		sbuf_setlen(&v, 0);
		if (*val == '"' || *val == '\'') {
			char q = *val++;
			size_t l = strlen(val);

			if (l && val[l - 1] == q)
				l--;
			sbuf_add(&v, val, l);
		} else {
			composeenv_interpolate(scope, val, &v, NULL, 0);
		}
		composeenv_set(env, w.buf, sbuf_cstr(&v));
	}
	sbuf_release(&w);
	sbuf_release(&v);
}

static void stage_free(struct stage *s)
{
	free(s->name);
	free(s->image);
	free(s->user);
	memset(s, 0, sizeof(*s));
}

int dockerfile_stage(const char *text, size_t len, const char *target, struct dockerfile_stage *out)
{
	struct stage *stages = NULL;
	size_t n = 0, alloc = 0, i;
	struct composeenv global = COMPOSEENV_INIT, scope = COMPOSEENV_INIT;
	struct instr in = { "", SBUF_INIT, 0 };
	const char *p = text, *end = text + len;
	int lineno = 0, rc = -1;
	long pick = -1;

	memset(out, 0, sizeof(*out));
	while (next_instr(&p, end, &lineno, &in)) {
		const char *a = sbuf_cstr(&in.args);

		if (!strcmp(in.keyword, "FROM")) {
			struct sbuf w = SBUF_INIT, img = SBUF_INIT;
			struct stage st = { NULL, NULL, NULL, true, in.line, 0 };
			int status;

			while (word(&a, &w) && !strncmp(w.buf, "--", 2))
				; /* --platform=... */
			if (!w.len) {
				sbuf_release(&w);
				continue;
			}
			status = composeenv_interpolate(&global, w.buf, &img, NULL, 0);
			st.image_known =
				status == COMPOSEENV_KNOWN || status == COMPOSEENV_DEFAULTED;
			if (word(&a, &w) && !strcasecmp(w.buf, "as") && word(&a, &w))
				st.name = xstrdup(w.buf);
			for (i = n; i-- > 0;) {
				if (stages[i].name &&
				    !strcasecmp(stages[i].name, sbuf_cstr(&img))) {
					st.image =
						stages[i].image ? xstrdup(stages[i].image) : NULL;
					st.image_known = stages[i].image_known;
					st.user = stages[i].user ? xstrdup(stages[i].user) : NULL;
					st.user_line = stages[i].user_line;
					break;
				}
			}
			if (i == (size_t)-1)
				st.image = xstrdup(sbuf_cstr(&img));
			sbuf_release(&w);
			sbuf_release(&img);
			if (n >= MAX_STAGES) {
				stage_free(&st);
				continue;
			}
			CF_ALLOC_GROW(stages, n + 1, alloc);
			stages[n++] = st;
			/* a stage sees the global ARGs it redeclares; simplest faithful
			 * approximation: all of them */
			composeenv_release(&scope);
			for (i = 0; i < global.n; i++)
				composeenv_set(&scope, global.keys[i], global.vals[i]);
		} else if (!strcmp(in.keyword, "ARG")) {
			if (!n)
				set_vars(&global, &global, a, false);
			else
				set_vars(&scope, &scope, a, false);
		} else if (!strcmp(in.keyword, "ENV") && n) {
			set_vars(&scope, &scope, a, true);
		} else if (!strcmp(in.keyword, "USER") && n) {
			struct sbuf w = SBUF_INIT, u = SBUF_INIT;

			if (word(&a, &w)) {
				composeenv_interpolate(&scope, w.buf, &u, NULL, 0);
				free(stages[n - 1].user);
				stages[n - 1].user = xstrdup(sbuf_cstr(&u));
				stages[n - 1].user_line = in.line;
			}
			sbuf_release(&w);
			sbuf_release(&u);
		}
	}
	if (n && (!target || !*target)) {
		pick = (long)n - 1;
	} else {
		for (i = 0; i < n && target; i++)
			if (stages[i].name && !strcasecmp(stages[i].name, target))
				pick = (long)i;
	}
	if (pick >= 0) {
		struct stage *s = &stages[pick];

		out->image = s->image;
		out->user = s->user;
		out->name = s->name;
		out->image_known = s->image_known;
		out->from_line = s->from_line;
		out->user_line = s->user_line;
		s->image = s->user = s->name = NULL;
		rc = 0;
	}
	for (i = 0; i < n; i++)
		stage_free(&stages[i]);
	free(stages);
	sbuf_release(&in.args);
	composeenv_release(&global);
	composeenv_release(&scope);
	return rc;
}

int dockerfile_final_stage(const char *text, size_t len, struct dockerfile_stage *out)
{
	return dockerfile_stage(text, len, NULL, out);
}

int dockerfile_read(const char *context, const char *dockerfile, const char *target,
		    struct dockerfile_stage *out)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!context || strstr(context, "://") || !strncmp(context, "git@", 4))
		return -1;
	if (!dockerfile || !*dockerfile)
		dockerfile = "Dockerfile";
	if (dockerfile[0] == '/')
		sbuf_addstr(&path, dockerfile);
	else
		sbuf_addf(&path, "%s/%s", *context ? context : ".", dockerfile);
	rc = fsutil_read(sbuf_cstr(&path), DOCKERFILE_MAX_SIZE, &text);
	if (!rc)
		rc = dockerfile_stage(text.buf ? text.buf : "", text.len, target, out);
	sbuf_release(&path);
	sbuf_release(&text);
	return rc;
}

bool dockerfile_user_is_root(const char *user)
{
	size_t l;

	if (!user)
		return false;
	while (*user == ' ' || *user == '\t' || *user == '"' || *user == '\'')
		user++;
	l = strcspn(user, ": \t\"'");
	if (l && strspn(user, "0") == l)
		return true; /* 0, 00: numeric uid 0 */
	return l == 4 && !strncmp(user, "root", 4);
}

void dockerfile_stage_release(struct dockerfile_stage *st)
{
	free(st->image);
	free(st->user);
	free(st->name);
	memset(st, 0, sizeof(*st));
}
