/*
 * composeenv.h - compose variable interpolation and the .env file.
 *
 * The compose specification's interpolation: `$VAR`, `${VAR}`,
 * `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?err}`, `${VAR?err}` (an error when unset [or empty]),
 * `${VAR:+alt}`, `${VAR+alt}` (alt when set [and not empty]), `$$` (a
 * literal `$`); defaults and alternatives are themselves interpolated, so
 * `${A:-${B:-x}}` nests. A `$` followed by anything else is kept as it is.
 *
 * Values come only from the `.env` file beside the compose file: the
 * process environment is never read, so results do not depend on who runs
 * capfix. Because the runner's environment could still override a
 * variable, the result says how much is known (enum composeenv_status).
 *
 * .env syntax (docker compose): one KEY=VALUE a line; blank lines and lines
 * starting with `#` are ignored; an optional `export ` prefix; a KEY alone
 * (no `=`) takes the runner's environment, so it stays unset here; unquoted
 * values are trimmed, lose an inline comment (` #...`) and are
 * interpolated with the keys defined above them; 'single' quotes are
 * literal; "double" quotes interpolate and understand \n \t \r \" \\ \$ and
 * may span lines.
 *
 * Ownership: a struct composeenv owns its strings; release it with
 * composeenv_release(). Nothing prints or exits.
 */
#ifndef CAPFIX_COMPOSEENV_H
#define CAPFIX_COMPOSEENV_H

#include "capfix/sbuf.h"

struct composeenv {
	char **keys, **vals;
	size_t n, alloc;
};

#define COMPOSEENV_INIT                                                                            \
	{                                                                                          \
		NULL, NULL, 0, 0                                                                   \
	}

enum composeenv_status {
	COMPOSEENV_ERROR = -1, /* bad syntax or a required (`?`) variable unset: see err */
	COMPOSEENV_KNOWN = 0, /* every variable was set in .env (or there were none); compose
			       * lets the runner's environment override .env, capfix reads
			       * the file alone */
	COMPOSEENV_DEFAULTED = 1, /* a variable missing from .env took its default or alternative:
				   * the runner's environment could change it */
	COMPOSEENV_UNKNOWN = 2, /* a variable missing from .env and without default became "" */
};

/* Parse .env text @text (@len bytes) into @env (later keys win). This can't fail. */
void composeenv_parse(struct composeenv *env, const char *text, size_t len);

/*
 * Read @dir/.env into @env. Returns 1 when the file was read, 0 when there
 * is none (env left empty), -1 when it exists but can't be read (CF_E_INPUT
 * recorded). Files over 1 MiB are refused.
 */
int composeenv_load(const char *dir, struct composeenv *env);

/* Set @key to @val (copied), replacing an earlier value. */
void composeenv_set(struct composeenv *env, const char *key, const char *val);

/* The value of @key, or NULL when unset. */
const char *composeenv_get(const struct composeenv *env, const char *key);

/*
 * Interpolate @text into @out (appended). Returns the status; on
 * COMPOSEENV_ERROR, @out holds what came before the error and @err (may be
 * NULL) a one-line message. @env may be NULL (nothing set).
 */
enum composeenv_status composeenv_interpolate(const struct composeenv *env, const char *text,
					      struct sbuf *out, char *err, size_t errsize);

void composeenv_release(struct composeenv *env);

#endif
