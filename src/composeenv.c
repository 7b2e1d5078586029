/*
 * composeenv.c - compose interpolation and .env files (see composeenv.h).
 */
#include "capfix/composeenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "capfix/err.h"
#include "capfix/fsutil.h"

#define ENV_MAX_SIZE (1024 * 1024)

void composeenv_set(struct composeenv *env, const char *key, const char *val)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		if (!strcmp(env->keys[i], key)) {
			free(env->vals[i]);
			env->vals[i] = xstrdup(val);
			return;
		}
	if (env->n + 1 > env->alloc) {
		size_t a = env->alloc;

		CF_ALLOC_GROW(env->keys, env->n + 1, a);
		a = env->alloc;
		CF_ALLOC_GROW(env->vals, env->n + 1, a);
		env->alloc = a;
	}
	env->keys[env->n] = xstrdup(key);
	env->vals[env->n] = xstrdup(val);
	env->n++;
}

const char *composeenv_get(const struct composeenv *env, const char *key)
{
	size_t i;

	for (i = 0; env && i < env->n; i++)
		if (!strcmp(env->keys[i], key))
			return env->vals[i];
	return NULL;
}

void composeenv_release(struct composeenv *env)
{
	size_t i;

	for (i = 0; i < env->n; i++) {
		free(env->keys[i]);
		free(env->vals[i]);
	}
	free(env->keys);
	free(env->vals);
	env->keys = env->vals = NULL;
	env->n = env->alloc = 0;
}

static bool name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static bool name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

struct interp {
	const struct composeenv *env;
	int status;
	char *err;
	size_t errsize;
};

static void seterr(struct interp *in, const char *msg, const char *name)
{
	if (in->err && in->errsize)
		snprintf(in->err, in->errsize, "%s%s%s", msg, name ? ": " : "", name ? name : "");
	in->status = COMPOSEENV_ERROR;
}

static void note(struct interp *in, int st)
{
	if (in->status != COMPOSEENV_ERROR && st > in->status)
		in->status = st;
}

/*
 * Interpolate from *@pp until the end of text, or (inside braces, @braced)
 * until the '}' that closes this level, which is consumed. Returns false
 * on an error.
 */
static bool interp_until(struct interp *in, const char **pp, struct sbuf *out, bool braced);

/* After "${": NAME then "}" or an operator with its word. */
static bool braced_var(struct interp *in, const char **pp, struct sbuf *out)
{
	const char *p = *pp, *name_start_p = p, *val;
	char name[256];
	size_t nl;
	bool colon = false;
	char op = 0;
	struct sbuf word = SBUF_INIT;
	bool ok = true;

	if (!name_start(*p)) {
		seterr(in, "invalid interpolation format", NULL);
		return false;
	}
	while (name_char(*p))
		p++;
	nl = (size_t)(p - name_start_p);
	if (nl >= sizeof(name)) {
		seterr(in, "variable name too long", NULL);
		return false;
	}
	memcpy(name, name_start_p, nl);
	name[nl] = '\0';
	val = composeenv_get(in->env, name);
	if (*p == '}') {
		*pp = p + 1;
		if (val)
			sbuf_addstr(out, val);
		else
			note(in, COMPOSEENV_UNKNOWN);
		return true;
	}
	if (*p == ':') {
		colon = true;
		p++;
	}
	if (*p != '-' && *p != '?' && *p != '+') {
		seterr(in, "invalid interpolation format for variable", name);
		return false;
	}
	op = *p++;
	/* the word: interpolated up to the matching '}' */
	if (!interp_until(in, &p, &word, true)) {
		sbuf_release(&word);
		return false;
	}
	*pp = p;
	{
		bool set = val != NULL, nonempty = val && *val;
		bool have = colon ? nonempty : set;

		switch (op) {
		case '-':
			if (have) {
				sbuf_addstr(out, val);
			} else {
				sbuf_add(out, word.buf ? word.buf : "", word.len);
				if (!set)
					note(in, COMPOSEENV_DEFAULTED);
			}
			break;
		case '?':
			if (have) {
				sbuf_addstr(out, val);
			} else {
				char msg[300];

				snprintf(msg, sizeof(msg),
					 "required variable %s is missing a value", name);
				seterr(in, msg, word.len ? sbuf_cstr(&word) : NULL);
				ok = false;
			}
			break;
		default: /* '+' */
			if (have)
				sbuf_add(out, word.buf ? word.buf : "", word.len);
			else if (!set)
				note(in, COMPOSEENV_DEFAULTED);
			break;
		}
	}
	sbuf_release(&word);
	return ok;
}

static bool interp_until(struct interp *in, const char **pp, struct sbuf *out, bool braced)
{
	const char *p = *pp;

	while (*p) {
		if (braced && *p == '}') {
			*pp = p + 1;
			return true;
		}
		if (*p != '$') {
			sbuf_addch(out, *p++);
			continue;
		}
		if (p[1] == '$') {
			sbuf_addch(out, '$');
			p += 2;
		} else if (p[1] == '{') {
			p += 2;
			if (!braced_var(in, &p, out))
				return false;
		} else if (name_start(p[1])) {
			const char *s = ++p, *val;
			char name[256];
			size_t nl;

			while (name_char(*p))
				p++;
			nl = (size_t)(p - s);
			if (nl >= sizeof(name)) {
				seterr(in, "variable name too long", NULL);
				return false;
			}
			memcpy(name, s, nl);
			name[nl] = '\0';
			val = composeenv_get(in->env, name);
			if (val)
				sbuf_addstr(out, val);
			else
				note(in, COMPOSEENV_UNKNOWN);
		} else {
			sbuf_addch(out, *p++);
		}
	}
	if (braced) {
		seterr(in, "unterminated ${ in interpolation", NULL);
		return false;
	}
	*pp = p;
	return true;
}

enum composeenv_status composeenv_interpolate(const struct composeenv *env, const char *text,
					      struct sbuf *out, char *err, size_t errsize)
{
	struct interp in = { env, COMPOSEENV_KNOWN, err, errsize };
	const char *p = text ? text : "";

	if (err && errsize)
		err[0] = '\0';
	interp_until(&in, &p, out, false);
	return (enum composeenv_status)in.status;
}

/* One .env value starting at @p (after '='), up to @end; the position after it is returned. */
static const char *env_value(struct composeenv *env, const char *p, const char *end,
			     struct sbuf *val)
{
	if (p < end && *p == '\'') {
		for (p++; p < end && *p != '\''; p++)
			sbuf_addch(val, *p);
		return p < end ? p + 1 : p;
	}
	if (p < end && *p == '"') {
		struct sbuf raw = SBUF_INIT;

		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end) {
				char c = *++p;

				if (c == 'n')
					sbuf_addch(&raw, '\n');
				else if (c == 't')
					sbuf_addch(&raw, '\t');
				else if (c == 'r')
					sbuf_addch(&raw, '\r');
				else if (c == '$')
					sbuf_addstr(&raw, "$$");
				else if (c == '"' || c == '\\')
					sbuf_addch(&raw, c);
				else {
					sbuf_addch(&raw, '\\');
					sbuf_addch(&raw, c);
				}
				continue;
			}
			sbuf_addch(&raw, *p);
		}
		composeenv_interpolate(env, sbuf_cstr(&raw), val, NULL, 0);
		sbuf_release(&raw);
		return p < end ? p + 1 : p;
	}
	{
		const char *s = p, *e;
		struct sbuf raw = SBUF_INIT;

		while (p < end && *p != '\n') {
			if (*p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t'))
				break;
			p++;
		}
		e = p;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		sbuf_add(&raw, s, (size_t)(e - s));
		composeenv_interpolate(env, sbuf_cstr(&raw), val, NULL, 0);
		sbuf_release(&raw);
		return p;
	}
}

void composeenv_parse(struct composeenv *env, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct sbuf val = SBUF_INIT;

	while (p < end) {
		const char *ks, *ke;
		char key[256];

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
			p++;
		if (p >= end)
			break;
		if (*p == '#')
			goto skip_line;
		if ((size_t)(end - p) > 7 && !strncmp(p, "export", 6) &&
		    (p[6] == ' ' || p[6] == '\t')) {
			p += 7;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
		}
		ks = p;
		while (p < end && name_char(*p))
			p++;
		/* compose allows dots and dashes in .env keys */
		while (p < end && (name_char(*p) || *p == '.' || *p == '-'))
			p++;
		ke = p;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (ke == ks || p >= end || *p != '=' || (size_t)(ke - ks) >= sizeof(key))
			goto skip_line; /* KEY alone (from the environment) or not a line we know */
		memcpy(key, ks, (size_t)(ke - ks));
		key[ke - ks] = '\0';
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		sbuf_setlen(&val, 0);
		p = env_value(env, p, end, &val);
		composeenv_set(env, key, sbuf_cstr(&val));
	skip_line:
		while (p < end && *p != '\n')
			p++;
	}
	sbuf_release(&val);
}

int composeenv_load(const char *dir, struct composeenv *env)
{
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	struct stat st;
	int rc = 0;

	sbuf_addf(&path, "%s/.env", dir && *dir ? dir : ".");
	if (stat(sbuf_cstr(&path), &st)) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = cf_err(CF_E_INPUT, "%s: %s", sbuf_cstr(&path), strerror(errno));
	} else if (fsutil_read(sbuf_cstr(&path), ENV_MAX_SIZE, &text)) {
		rc = -1;
	} else {
		composeenv_parse(env, text.buf ? text.buf : "", text.len);
		rc = 1;
	}
	sbuf_release(&path);
	sbuf_release(&text);
	return rc;
}
