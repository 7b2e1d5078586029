/*
 * shell.c - a static reading of shell commands: tokenizer, simple commands,
 * wrappers, and the table of what programs need once ALL capabilities are
 * dropped. See shell.h.
 */
#include "capfix/shell.h"
#include "capfix/caps.h"
#include "capfix/err.h"

#define BIT(n) ((uint64_t)1 << (n))

/* ---- tokens ---- */

enum tok_kind {
	T_WORD,
	T_SEP, /* ; & && || | |& newline: ends a simple command */
	T_LPAREN,
	T_RPAREN,
	T_DSEMI, /* ;; ;& ;;& (case) */
	T_REDIR, /* < > >> <& >& <> >| &> &>> <<< : the next word is its operand */
	T_HEREDOC, /* << <<- : the next word is the delimiter */
};

struct tok {
	enum tok_kind kind;
	size_t off; /* T_WORD: its text in lex.text */
	bool plain; /* T_WORD: no quoting, escapes or expansions */
	bool assign; /* T_WORD: NAME=... with NAME unquoted */
};

struct heredoc {
	size_t off; /* the delimiter's text */
	bool tabs; /* <<-: leading tabs stripped */
};

struct lex {
	const char *s;
	size_t i, n;
	struct sbuf text; /* NUL-terminated word texts and substitution bodies */
	struct sbuf *out; /* where the characters of the word being read go */
	struct sbuf word; /* the word being read (reused) */
	struct tok *toks;
	size_t ntoks, atoks;
	size_t *subs; /* offsets of $(...) and `...` bodies in text */
	size_t nsubs, asubs;
	struct heredoc *docs; /* here-documents whose bodies start at the next newline */
	size_t ndocs, adocs;
};

static void push_tok(struct lex *l, enum tok_kind kind)
{
	CF_ALLOC_GROW(l->toks, l->ntoks + 1, l->atoks);
	memset(&l->toks[l->ntoks], 0, sizeof(l->toks[0]));
	l->toks[l->ntoks++].kind = kind;
}

static bool is_name_char(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '&' ||
	       c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

/*
 * The index just after the construct opened at @i (s[i] is the opener: '('
 * of $( or `{` of ${), quotes and nesting respected; @n when unterminated.
 */
static size_t skip_balanced(const char *s, size_t i, size_t n, char open, char close)
{
	int depth = 0;

	for (; i < n; i++) {
		char c = s[i];

		if (c == '\\') {
			i++;
		} else if (c == '\'') {
			while (++i < n && s[i] != '\'')
				;
		} else if (c == '"') {
			while (++i < n && s[i] != '"')
				if (s[i] == '\\')
					i++;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return i + 1;
		}
	}
	return n;
}

/* Remember the body s[a, b) of a command substitution. */
static void push_sub(struct lex *l, size_t a, size_t b, bool backtick)
{
	size_t k;

	CF_ALLOC_GROW(l->subs, l->nsubs + 1, l->asubs);
	l->subs[l->nsubs++] = l->text.len;
	for (k = a; k < b; k++) {
		/* inside backticks, \` \\ \$ stand for the character */
		if (backtick && l->s[k] == '\\' && k + 1 < b &&
		    (l->s[k + 1] == '`' || l->s[k + 1] == '\\' || l->s[k + 1] == '$'))
			k++;
		sbuf_addch(&l->text, l->s[k]);
	}
	sbuf_addch(&l->text, '\0');
}

/* A `$` at l->i (inside or outside double quotes): expansions, substitutions. */
static void lex_dollar(struct lex *l, bool dquoted)
{
	const char *s = l->s;
	size_t i = l->i, n = l->n, end;

	if (i + 2 < n && s[i + 1] == '(' && s[i + 2] == '(') {
		end = skip_balanced(s, i + 1, n, '(', ')');
		sbuf_addstr(l->out, "$((...))");
	} else if (i + 1 < n && s[i + 1] == '(') {
		end = skip_balanced(s, i + 1, n, '(', ')');
		push_sub(l, i + 2, end > i + 2 && s[end - 1] == ')' ? end - 1 : end, false);
		sbuf_addstr(l->out, "$(...)");
	} else if (i + 1 < n && s[i + 1] == '{') {
		end = skip_balanced(s, i + 1, n, '{', '}');
		sbuf_add(l->out, s + i, end - i);
	} else if (!dquoted && i + 1 < n && s[i + 1] == '\'') {
		for (end = i + 2; end < n && s[end] != '\''; end++) {
			if (s[end] == '\\' && end + 1 < n)
				end++;
			sbuf_addch(l->out, s[end]);
		}
		end = end < n ? end + 1 : n;
	} else {
		sbuf_addch(l->out, '$');
		end = i + 1;
	}
	l->i = end;
}

/* A backtick at l->i: its body is a command. */
static void lex_backtick(struct lex *l)
{
	size_t j = l->i + 1;

	while (j < l->n && l->s[j] != '`') {
		if (l->s[j] == '\\')
			j++;
		j++;
	}
	if (j > l->n)
		j = l->n;
	push_sub(l, l->i + 1, j, true);
	sbuf_addstr(l->out, "`...`");
	l->i = j < l->n ? j + 1 : l->n;
}

/*
 * One word at l->i. Substitution bodies found inside go to l->text as they
 * are met, so the word is built aside (l->out) and appended at the end.
 */
static void lex_word(struct lex *l)
{
	struct sbuf *word = &l->word;
	const char *s = l->s;
	bool plain = true, assign = false, name = true;
	size_t start = l->i;

	sbuf_setlen(word, 0);
	l->out = word;
	while (l->i < l->n && !is_meta(s[l->i])) {
		char c = s[l->i];

		if (name && c == '=' && l->i > start) {
			assign = true;
			name = false;
		} else if (name && !is_name_char(c, l->i == start)) {
			name = false;
		}
		if (c == '\\') {
			plain = false;
			if (l->i + 1 < l->n && s[l->i + 1] != '\n')
				sbuf_addch(l->out, s[l->i + 1]);
			l->i += 2;
		} else if (c == '\'') {
			plain = false;
			while (++l->i < l->n && s[l->i] != '\'')
				sbuf_addch(l->out, s[l->i]);
			l->i++;
		} else if (c == '"') {
			plain = false;
			l->i++;
			while (l->i < l->n && s[l->i] != '"') {
				c = s[l->i];
				if (c == '\\' && l->i + 1 < l->n &&
				    strchr("$`\"\\\n", s[l->i + 1])) {
					if (s[l->i + 1] != '\n')
						sbuf_addch(l->out, s[l->i + 1]);
					l->i += 2;
				} else if (c == '$') {
					lex_dollar(l, true);
				} else if (c == '`') {
					lex_backtick(l);
				} else {
					sbuf_addch(l->out, c);
					l->i++;
				}
			}
			l->i++;
		} else if (c == '$') {
			plain = false;
			lex_dollar(l, false);
		} else if (c == '`') {
			plain = false;
			lex_backtick(l);
		} else {
			sbuf_addch(l->out, c);
			l->i++;
		}
	}
	if (l->i > l->n)
		l->i = l->n;
	l->out = NULL;
	/* a file descriptor number before a redirection is not a word */
	if (plain && l->i < l->n && (s[l->i] == '<' || s[l->i] == '>') && word->len &&
	    strspn(sbuf_cstr(word), "0123456789") == word->len)
		return;
	push_tok(l, T_WORD);
	l->toks[l->ntoks - 1].off = l->text.len;
	l->toks[l->ntoks - 1].plain = plain;
	l->toks[l->ntoks - 1].assign = assign;
	sbuf_add(&l->text, word->buf ? word->buf : "", word->len);
	sbuf_addch(&l->text, '\0');
}

/* At a newline: skip the bodies of pending here-documents. */
static void skip_heredocs(struct lex *l)
{
	size_t d;

	for (d = 0; d < l->ndocs; d++) {
		const char *delim = l->text.buf + l->docs[d].off;
		size_t dl = strlen(delim);

		while (l->i < l->n) {
			size_t a = l->i, e;

			while (l->docs[d].tabs && a < l->n && l->s[a] == '\t')
				a++;
			for (e = a; e < l->n && l->s[e] != '\n'; e++)
				;
			l->i = e < l->n ? e + 1 : l->n;
			if (e - a == dl && !memcmp(l->s + a, delim, dl))
				break;
		}
	}
	l->ndocs = 0;
}

/* Operators at l->i; false when s[l->i] starts none. */
static bool lex_op(struct lex *l)
{
	static const struct {
		const char *op;
		enum tok_kind kind;
	} ops[] = {
		{ ";;&", T_DSEMI }, { "&>>", T_REDIR }, { "<<<", T_REDIR }, { "<<-", T_HEREDOC },
		{ ";;", T_DSEMI },  { ";&", T_DSEMI },	{ "&&", T_SEP },    { "||", T_SEP },
		{ "|&", T_SEP },    { "&>", T_REDIR },	{ ">>", T_REDIR },  { "<&", T_REDIR },
		{ ">&", T_REDIR },  { "<>", T_REDIR },	{ ">|", T_REDIR },  { "<<", T_HEREDOC },
		{ ";", T_SEP },	    { "&", T_SEP },	{ "|", T_SEP },	    { "(", T_LPAREN },
		{ ")", T_RPAREN },  { "<", T_REDIR },	{ ">", T_REDIR },
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ops); k++) {
		size_t len = strlen(ops[k].op);

		if (l->i + len > l->n || memcmp(l->s + l->i, ops[k].op, len))
			continue;
		l->i += len;
		push_tok(l, ops[k].kind);
		if (ops[k].kind == T_HEREDOC) {
			while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t'))
				l->i++;
			if (l->i < l->n && !is_meta(l->s[l->i])) {
				lex_word(l);
				CF_ALLOC_GROW(l->docs, l->ndocs + 1, l->adocs);
				l->docs[l->ndocs].off = l->toks[l->ntoks - 1].off;
				l->docs[l->ndocs].tabs = len == 3;
				l->ndocs++;
			}
		}
		return true;
	}
	return false;
}

static void lex_all(struct lex *l)
{
	while (l->i < l->n) {
		char c = l->s[l->i];

		if (c == ' ' || c == '\t' || c == '\r') {
			l->i++;
		} else if (c == '\\' && l->i + 1 < l->n && l->s[l->i + 1] == '\n') {
			l->i += 2;
		} else if (c == '\n') {
			l->i++;
			push_tok(l, T_SEP);
			skip_heredocs(l);
		} else if (c == '#') {
			while (l->i < l->n && l->s[l->i] != '\n')
				l->i++;
		} else if (!lex_op(l)) {
			lex_word(l);
		}
	}
}

/* ---- programs: simple commands and wrappers ---- */

struct walk {
	shell_program_fn fn;
	void *ctx;
};

static void walk_script(struct walk *w, const char *script, bool root, int depth);
static void walk_argv(struct walk *w, const char *const *argv, size_t argc, bool root, int depth);

const char *shell_basename(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	return slash ? slash + 1 : prog;
}

static bool is_root_user(const char *u)
{
	return !strcmp(u, "root") || !strcmp(u, "0") || !strncmp(u, "0:", 2) ||
	       !strncmp(u, "root:", 5);
}

static bool in(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

/*
 * Skip the options of a wrapper from argv[*i]: @witharg lists the options
 * that take a separate argument ("-u"); "--" ends them; "--opt=value" and
 * clusters are one word. Returns the argument of option @want, if any.
 */
static const char *skip_opts(const char *const *argv, size_t argc, size_t *i,
			     const char *const *witharg, const char *want)
{
	const char *found = NULL;

	while (*i < argc && argv[*i][0] == '-' && argv[*i][1]) {
		const char *o = argv[*i];
		size_t wl = want ? strlen(want) : 0;

		(*i)++;
		if (!strcmp(o, "--"))
			break;
		if (want && !strncmp(o, want, wl) && o[wl] == '=')
			found = o + wl + 1;
		if (witharg && in(o, witharg) && *i < argc) {
			if (want && !strcmp(o, want))
				found = argv[*i];
			(*i)++;
		} else if (want && want[1] != '-' && !strncmp(o, want, 2) && o[2]) {
			found = o + 2; /* -uUSER */
		}
	}
	return found;
}

/* `sh [options] -c SCRIPT`: the script, or NULL when it reads a file or stdin. */
static const char *shell_script_arg(const char *const *argv, size_t argc)
{
	bool c = false;
	size_t i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--") || !strcmp(o, "-"))
			break;
		if (o[0] != '-' && o[0] != '+')
			break;
		if (o[1] == '-')
			continue; /* --login, --norc */
		if (strchr(o + 1, 'c'))
			c = true;
		if ((strchr(o + 1, 'o') || strchr(o + 1, 'O')) && i + 1 < argc)
			i++; /* -o pipefail */
	}
	return c && i < argc ? argv[i] : NULL;
}

static const char *const shells[] = { "sh", "bash", "ash", "dash", "ksh", "zsh", "mksh", NULL };

/* su and runuser: -c CMD or the program after the user. */
static void su_like(struct walk *w, const char *const *argv, size_t argc, bool root, int depth,
		    bool runuser)
{
	static const char *const witharg[] = { "-g", "--group",
					       "-G", "--supp-group",
					       "-s", "--shell",
					       "-w", "--whitelist-environment",
					       "-u", "--user",
					       "-c", "--command",
					       "-C", "--session-command",
					       NULL };
	const char *user = NULL, *cmd = NULL;
	size_t i = 1;

	while (i < argc) {
		const char *o = argv[i];

		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (o[0] != '-' || !strcmp(o, "-")) {
			if (user || (runuser && cmd))
				break;
			if (strcmp(o, "-"))
				user = o;
			i++;
			continue;
		}
		i++;
		if (in(o, witharg) && i < argc) {
			if (!strcmp(o, "-c") || !strcmp(o, "--command") ||
			    !strcmp(o, "--session-command") || !strcmp(o, "-C"))
				cmd = argv[i];
			else if (!strcmp(o, "-u") || !strcmp(o, "--user"))
				user = argv[i];
			i++;
		} else if (!strncmp(o, "--command=", 10)) {
			cmd = o + 10;
		}
	}
	root = root && (!user || is_root_user(user));
	if (cmd)
		walk_script(w, cmd, root, depth + 1);
	else if (runuser && i < argc && depth < SHELL_MAX_DEPTH)
		walk_argv(w, argv + i, argc - i, root, depth + 1); /* runuser -u USER -- cmd */
}

/*
 * Report @argv and what it runs, unwrapping wrappers in a loop (a script
 * argument recurses, to SHELL_MAX_DEPTH).
 */
static void walk_argv(struct walk *w, const char *const *argv, size_t argc, bool root, int depth)
{
	while (argc && depth <= SHELL_MAX_DEPTH) {
		const char *name = shell_basename(argv[0]);
		const char *script, *user;
		size_t i = 1;

		w->fn(w->ctx, argv, argc, root);
		if (!strcmp(name, "exec")) {
			static const char *const wa[] = { "-a", NULL };

			skip_opts(argv, argc, &i, wa, NULL);
		} else if (!strcmp(name, "command") || !strcmp(name, "builtin")) {
			for (; i < argc && argv[i][0] == '-'; i++) {
				if (strchr(argv[i], 'v') || strchr(argv[i], 'V'))
					return; /* command -v: looks a program up, runs nothing */
				if (!strcmp(argv[i], "--")) {
					i++;
					break;
				}
			}
		} else if (!strcmp(name, "nohup") || !strcmp(name, "time") ||
			   !strcmp(name, "busybox")) {
			skip_opts(argv, argc, &i, NULL, NULL);
		} else if (!strcmp(name, "nice") || !strcmp(name, "stdbuf") ||
			   !strcmp(name, "ionice")) {
			static const char *const wa[] = {
				"-n", "-i", "-o", "-e", "-c", "-p", NULL
			};

			skip_opts(argv, argc, &i, wa, NULL);
		} else if (!strcmp(name, "timeout")) {
			static const char *const wa[] = { "-k", "-s", NULL };

			skip_opts(argv, argc, &i, wa, NULL);
			i++; /* the duration */
		} else if (!strcmp(name, "env")) {
			static const char *const wa[] = { "-u", "--unset",	  "-C", "--chdir",
							  "-S", "--split-string", NULL };

			for (;;) {
				skip_opts(argv, argc, &i, wa, NULL);
				if (i < argc && strchr(argv[i], '=') && argv[i][0] != '=') {
					i++;
					continue;
				}
				break;
			}
		} else if (!strcmp(name, "sudo")) {
			static const char *const wa[] = { "-u", "--user", "-g", "--group", "-C",
							  "-D", "-h",	  "-p", "-r",	   "-t",
							  "-U", "-T",	  "-R", NULL };

			user = skip_opts(argv, argc, &i, wa, "-u");
			root = root && (!user || is_root_user(user));
		} else if (!strcmp(name, "gosu") || !strcmp(name, "su-exec")) {
			if (argc < 3)
				return;
			root = root && is_root_user(argv[1]);
			i = 2;
		} else if (!strcmp(name, "setpriv")) {
			static const char *const wa[] = { "--reuid",
							  "--regid",
							  "--ruid",
							  "--rgid",
							  "--euid",
							  "--egid",
							  "--groups",
							  "--inh-caps",
							  "--ambient-caps",
							  "--bounding-set",
							  "--securebits",
							  "--pdeathsig",
							  "--selinux-label",
							  "--apparmor-profile",
							  NULL };
			size_t j = 1;
			const char *u = skip_opts(argv, argc, &j, wa, "--reuid");

			if (!u) {
				j = 1;
				u = skip_opts(argv, argc, &j, wa, "--ruid");
			}
			i = j;
			root = root && (!u || is_root_user(u));
		} else if (!strcmp(name, "chpst")) {
			static const char *const wa[] = { "-u", "-U", "-e", "-/", "-n", "-l",
							  "-L", "-m", "-d", "-o", "-p", "-f",
							  "-c", "-r", "-t", NULL };

			user = skip_opts(argv, argc, &i, wa, "-u");
			root = root && (!user || is_root_user(user));
		} else if (!strcmp(name, "tini") || !strcmp(name, "dumb-init")) {
			static const char *const wa[] = { "-p", "-e", "-r", "--rewrite", NULL };

			skip_opts(argv, argc, &i, wa, NULL);
		} else if (!strcmp(name, "xargs")) {
			static const char *const wa[] = { "-I", "-L", "-n", "-P", "-s",
							  "-d", "-E", "-a", NULL };

			skip_opts(argv, argc, &i, wa, NULL);
		} else if (!strcmp(name, "chroot")) {
			user = skip_opts(argv, argc, &i, NULL, "--userspec");
			root = root && (!user || is_root_user(user));
			i++; /* the new root */
		} else if (!strcmp(name, "su") || !strcmp(name, "runuser")) {
			su_like(w, argv, argc, root, depth, !strcmp(name, "runuser"));
			return;
		} else if (!strcmp(name, "eval")) {
			struct sbuf sb = SBUF_INIT;

			for (; i < argc; i++)
				sbuf_addf(&sb, "%s%s", i > 1 ? " " : "", argv[i]);
			walk_script(w, sbuf_cstr(&sb), root, depth + 1);
			sbuf_release(&sb);
			return;
		} else if (!strcmp(name, "find")) {
			for (; i < argc; i++) {
				size_t j;

				if (strcmp(argv[i], "-exec") && strcmp(argv[i], "-execdir") &&
				    strcmp(argv[i], "-ok") && strcmp(argv[i], "-okdir"))
					continue;
				for (j = i + 1;
				     j < argc && strcmp(argv[j], ";") && strcmp(argv[j], "+"); j++)
					;
				if (j > i + 1 && depth < SHELL_MAX_DEPTH)
					walk_argv(w, argv + i + 1, j - i - 1, root, depth + 1);
				i = j;
			}
			return;
		} else if (in(name, shells)) {
			if ((script = shell_script_arg(argv, argc)))
				walk_script(w, script, root, depth + 1);
			return;
		} else {
			return;
		}
		if (i >= argc)
			return;
		argv += i;
		argc -= i;
	}
}

static const char *const kw_skip[] = { "if",   "then",	"else",	 "elif", "fi", "do",
				       "done", "while", "until", "!",	 "{",  "}",
				       "esac", "time",	"[[",	 NULL };

/* Split the tokens into simple commands and walk each. */
static void walk_tokens(struct walk *w, struct lex *l, bool root, int depth)
{
	const char **argv = NULL;
	size_t argc = 0, aargv = 0, t;
	bool skip_word = false, skip_to_sep = false;
	/* case ... in: 1 = the word before `in`, 2 = patterns up to `)`, 3 = commands */
	int cases[16], ncases = 0;

	for (t = 0; t <= l->ntoks; t++) {
		const struct tok *k = t < l->ntoks ? &l->toks[t] : NULL;
		const char *word = k && k->kind == T_WORD ? l->text.buf + k->off : NULL;
		int *cs = ncases ? &cases[ncases - 1] : NULL;

		if (word && skip_word) {
			skip_word = false;
			continue;
		}
		if (cs && *cs == 1) {
			if (word && k->plain && !strcmp(word, "in"))
				*cs = 2;
			continue;
		}
		if (cs && *cs == 2) {
			if (word && k->plain && !strcmp(word, "esac"))
				ncases--;
			else if (k && k->kind == T_RPAREN)
				*cs = 3;
			continue;
		}
		if (word && skip_to_sep) {
			if (k->plain && !strcmp(word, "do"))
				skip_to_sep = false;
			continue;
		}
		if (word && !argc && k->plain) {
			if (in(word, kw_skip))
				continue;
			if (!strcmp(word, "for") || !strcmp(word, "select")) {
				skip_to_sep = true;
				continue;
			}
			if (!strcmp(word, "function")) {
				skip_word = true;
				continue;
			}
			if (!strcmp(word, "case")) {
				if (ncases < (int)ARRAY_SIZE(cases))
					cases[ncases++] = 1;
				continue;
			}
		}
		if (word && !argc && k->assign)
			continue;
		if (word) {
			CF_ALLOC_GROW(argv, argc + 1, aargv);
			argv[argc++] = word;
			continue;
		}
		if (k && (k->kind == T_REDIR || k->kind == T_HEREDOC)) {
			skip_word = true;
			continue;
		}
		/* a separator, a parenthesis or the end */
		skip_to_sep = false;
		if (k && k->kind == T_LPAREN && argc == 1 && t + 1 < l->ntoks &&
		    l->toks[t + 1].kind == T_RPAREN) {
			argc = 0; /* name() { ...: a function definition */
			t++;
			continue;
		}
		if (argc)
			walk_argv(w, argv, argc, root, depth);
		argc = 0;
		if (k && k->kind == T_DSEMI && cs)
			*cs = 2;
	}
	free(argv);
}

static void walk_script(struct walk *w, const char *script, bool root, int depth)
{
	struct lex l;
	size_t k;

	if (!script || depth > SHELL_MAX_DEPTH)
		return;
	memset(&l, 0, sizeof(l));
	l.s = script;
	l.n = strlen(script);
	sbuf_init(&l.text);
	sbuf_init(&l.word);
	lex_all(&l);
	walk_tokens(w, &l, root, depth);
	for (k = 0; k < l.nsubs; k++)
		walk_script(w, l.text.buf + l.subs[k], root, depth + 1);
	sbuf_release(&l.text);
	sbuf_release(&l.word);
	free(l.toks);
	free(l.subs);
	free(l.docs);
}

void shell_each_program(const char *script, bool root, shell_program_fn fn, void *ctx)
{
	struct walk w = { fn, ctx };

	walk_script(&w, script, root, 0);
}

void shell_each_program_argv(const char *const *argv, size_t argc, bool root, shell_program_fn fn,
			     void *ctx)
{
	struct walk w = { fn, ctx };

	walk_argv(&w, argv, argc, root, 0);
}

/* ---- what programs need once ALL capabilities are dropped ---- */

enum when {
	W_ALWAYS, /* any invocation that does something (not --help/--version) */
	W_SUBCMD, /* the first non-option argument is one of args[] */
	W_OPTION, /* an argument is one of args[], or a short cluster starting with its letter */
	W_ANYARG, /* an argument is one of args[] (ip/tc verbs that change state) */
	W_WITHARGS, /* with at least one argument (mount alone lists mounts) */
	W_SETPRIV_UID, /* setpriv changing user ids */
	W_SETPRIV_GID, /* setpriv changing group ids */
	W_CHPST_USER, /* chpst -u / -U */
};

static const char *const apt_verbs[] = { "install",	 "update",    "upgrade", "dist-upgrade",
					 "full-upgrade", "remove",    "purge",	 "autoremove",
					 "reinstall",	 "build-dep", "satisfy", NULL };
static const char *const dpkg_opts[] = { "-i", "--install",	  "-r",	      "--remove",
					 "-P", "--purge",	  "--unpack", "--configure",
					 "-a", "--triggers-only", NULL };
static const char *const apk_verbs[] = { "add", "del", "upgrade", "fix", NULL };
static const char *const rpm_opts[] = { "-i",	       "-U",	    "-F",	 "-e",
					"--install",   "--upgrade", "--freshen", "--erase",
					"--reinstall", NULL };
static const char *const dnf_verbs[] = { "install",	"update",    "upgrade",	  "remove",
					 "erase",	"reinstall", "downgrade", "groupinstall",
					 "distro-sync", "in",	     "up",	  NULL };
static const char *const ip_verbs[] = { "add",	   "del",     "delete", "set",	   "change",
					"replace", "flush",   "append", "prepend", "attach",
					"detach",  "restore", NULL };

static const char *const src_evidence4 = "evidence.md section 4 (measured on Debian 12)";
static const char *const src_raw = "capabilities(7): CAP_NET_RAW (raw and packet sockets)";
static const char *const src_ipt =
	"capabilities(7): CAP_NET_ADMIN (firewall), CAP_NET_RAW; iptables(8)";
static const char *const src_mount = "capabilities(7): CAP_SYS_ADMIN (mount, umount); mount(8)";
static const char *const src_apt = "evidence.md section 4 (measured on Debian 12: setgroups 65534 "
				   "failed, seteuid 42 failed; apt-pkg/acquire.cc)";
static const char *const src_nm = "evidence.md section 4: not measured";

#define CAPS_IPT                                                                                   \
	{                                                                                          \
		"NET_ADMIN", "NET_RAW"                                                             \
	}
#define CAPS_APT                                                                                   \
	{                                                                                          \
		"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"                              \
	}
#define SWITCH(p, src)                                                                             \
	{                                                                                          \
		p, W_ALWAYS, NULL, { "SETGID", "SETUID" }, "the command switches user with " p,    \
			"capabilities(7): CAP_SETUID, CAP_SETGID; " src, false                     \
	}
#define RUNS(p, w, a, caps, src)                                                                   \
	{                                                                                          \
		p, w, a, caps, "the command runs " p, src, false                                   \
	}
#define APT(p)                                                                                     \
	{                                                                                          \
		p, W_SUBCMD, apt_verbs, CAPS_APT,                                                  \
			"the command runs " p                                                      \
			", which drops to the _apt user and sets file owners",                     \
			src_apt, false                                                             \
	}
#define UNMEASURED(p, w, a)                                                                        \
	{                                                                                          \
		p, w, a, { NULL }, p, src_nm, true                                                 \
	}

static const struct need_rule {
	const char *program;
	enum when when;
	const char *const *args;
	const char *caps[6];
	const char *why;
	const char *source;
	bool unmeasured; /* needs not known: nothing added, reported */
} need_rules[] = {
	RUNS("chown", W_ALWAYS, NULL, { "CHOWN" }, "capabilities(7): CAP_CHOWN; chown(1)"),
	RUNS("chgrp", W_ALWAYS, NULL, { "CHOWN" }, "capabilities(7): CAP_CHOWN; chgrp(1)"),
	RUNS("chmod", W_ALWAYS, NULL, { "FOWNER" },
	     "capabilities(7): CAP_FOWNER (a file of another owner); chmod(1)"),
	SWITCH("gosu", "gosu README"),
	SWITCH("su-exec", "su-exec README"),
	SWITCH("su", "su(1)"),
	SWITCH("runuser", "runuser(1)"),
	SWITCH("sudo", "sudo(8)"),
	{ "setpriv",
	  W_SETPRIV_UID,
	  NULL,
	  { "SETUID" },
	  "the command switches user with setpriv",
	  "capabilities(7): CAP_SETUID; setpriv(1) --reuid/--ruid/--euid",
	  false },
	{ "setpriv",
	  W_SETPRIV_GID,
	  NULL,
	  { "SETGID" },
	  "the command switches group with setpriv",
	  "capabilities(7): CAP_SETGID; setpriv(1) --regid/--groups/--init-groups",
	  false },
	{ "chpst",
	  W_CHPST_USER,
	  NULL,
	  { "SETGID", "SETUID" },
	  "the command switches user with chpst",
	  "capabilities(7): CAP_SETUID, CAP_SETGID; chpst(8) -u",
	  false },
	RUNS("ping", W_ALWAYS, NULL, { "NET_RAW" }, src_raw),
	RUNS("ping6", W_ALWAYS, NULL, { "NET_RAW" }, src_raw),
	RUNS("arping", W_ALWAYS, NULL, { "NET_RAW" }, src_raw),
	RUNS("traceroute", W_ALWAYS, NULL, { "NET_RAW" }, src_raw),
	RUNS("tcpdump", W_ALWAYS, NULL, { "NET_RAW" }, src_raw),
	RUNS("iptables", W_ALWAYS, NULL, CAPS_IPT, src_ipt),
	RUNS("ip6tables", W_ALWAYS, NULL, CAPS_IPT, src_ipt),
	RUNS("iptables-restore", W_ALWAYS, NULL, CAPS_IPT, src_ipt),
	RUNS("ip6tables-restore", W_ALWAYS, NULL, CAPS_IPT, src_ipt),
	RUNS("nft", W_ALWAYS, NULL, CAPS_IPT, src_ipt),
	{ "ip",
	  W_ANYARG,
	  ip_verbs,
	  { "NET_ADMIN" },
	  "the command changes the network with ip",
	  "capabilities(7): CAP_NET_ADMIN (interfaces, addresses, routes); ip(8)",
	  false },
	{ "tc",
	  W_ANYARG,
	  ip_verbs,
	  { "NET_ADMIN" },
	  "the command changes traffic control with tc",
	  "capabilities(7): CAP_NET_ADMIN (traffic control); tc(8)",
	  false },
	RUNS("mount", W_WITHARGS, NULL, { "SYS_ADMIN" }, src_mount),
	RUNS("umount", W_WITHARGS, NULL, { "SYS_ADMIN" }, src_mount),
	RUNS("mknod", W_ALWAYS, NULL, { "MKNOD" }, "capabilities(7): CAP_MKNOD"),
	RUNS("chroot", W_ALWAYS, NULL, { "SYS_CHROOT" }, "capabilities(7): CAP_SYS_CHROOT"),
	RUNS("setcap", W_ALWAYS, NULL, { "SETFCAP" }, "capabilities(7): CAP_SETFCAP"),
	APT("apt-get"),
	APT("apt"),
	APT("aptitude"),
	{ "dpkg", W_OPTION, dpkg_opts, CAPS_APT,
	  "the command installs packages with dpkg, which sets file owners and runs setpriv (man-db)",
	  src_evidence4, false },
	{ "apk",
	  W_SUBCMD,
	  apk_verbs,
	  { "CHOWN" },
	  "the command installs packages with apk, which sets file owners",
	  "evidence.md section 4: chainguard-dev/apko#414",
	  false },
	UNMEASURED("dnf", W_SUBCMD, dnf_verbs),
	UNMEASURED("yum", W_SUBCMD, dnf_verbs),
	UNMEASURED("microdnf", W_SUBCMD, dnf_verbs),
	UNMEASURED("tdnf", W_SUBCMD, dnf_verbs),
	UNMEASURED("zypper", W_SUBCMD, dnf_verbs),
	UNMEASURED("rpm", W_OPTION, rpm_opts),
};

static bool rule_applies(const struct need_rule *r, const char *const *argv, size_t argc)
{
	size_t i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "--version"))
			return false;
	switch (r->when) {
	case W_ALWAYS:
		return true;
	case W_WITHARGS:
		return argc > 1;
	case W_SUBCMD:
		for (i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "-c") ||
			    !strcmp(argv[i], "-t") || !strcmp(argv[i], "--repo") ||
			    !strcmp(argv[i], "-X") || !strcmp(argv[i], "--repository")) {
				i++; /* an option with its argument */
				continue;
			}
			if (argv[i][0] != '-')
				return in(argv[i], r->args);
		}
		return false;
	case W_ANYARG:
		for (i = 1; i < argc; i++)
			if (in(argv[i], r->args))
				return true;
		return false;
	case W_OPTION:
		for (i = 1; i < argc; i++) {
			const char *const *a;

			if (in(argv[i], r->args))
				return true;
			for (a = r->args; argv[i][0] == '-' && argv[i][1] != '-' && *a; a++)
				if ((*a)[1] != '-' && argv[i][1] == (*a)[1])
					return true;
		}
		return false;
	case W_SETPRIV_UID:
	case W_SETPRIV_GID:
		for (i = 1; i < argc && argv[i][0] == '-'; i++) {
			const char *o = argv[i];
			bool uid = !strncmp(o, "--reuid", 7) || !strncmp(o, "--ruid", 6) ||
				   !strncmp(o, "--euid", 6);
			bool gid = !strncmp(o, "--regid", 7) || !strncmp(o, "--rgid", 6) ||
				   !strncmp(o, "--egid", 6) || !strncmp(o, "--groups", 8) ||
				   !strcmp(o, "--init-groups") || !strcmp(o, "--clear-groups");

			if (r->when == W_SETPRIV_UID ? uid : gid)
				return true;
		}
		return false;
	case W_CHPST_USER:
		for (i = 1; i < argc && argv[i][0] == '-'; i++)
			if (!strncmp(argv[i], "-u", 2) || !strncmp(argv[i], "-U", 2))
				return true;
		return false;
	}
	return false;
}

static void need(struct shell_needs *n, const char *capname, const char *why, const char *source)
{
	const struct cap_info *ci = caps_lookup(capname);

	if (!ci || (n->caps & BIT(ci->number)))
		return;
	n->caps |= BIT(ci->number);
	n->why[ci->number] = why;
	n->source[ci->number] = source;
}

static void on_program(void *ctx, const char *const *argv, size_t argc, bool root)
{
	struct shell_needs *n = ctx;
	const char *name = shell_basename(argv[0]);
	size_t r, k;

	n->programs++;
	if (!root)
		return;
	for (r = 0; r < ARRAY_SIZE(need_rules); r++) {
		const struct need_rule *nr = &need_rules[r];

		if (strcmp(name, nr->program) || !rule_applies(nr, argv, argc))
			continue;
		if (nr->unmeasured) {
			if (!n->unmeasured)
				n->unmeasured = nr->program;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(nr->caps) && nr->caps[k]; k++)
			need(n, nr->caps[k], nr->why, nr->source);
		if (strstr(nr->why, "switches"))
			n->switches_user = true;
	}
	if (!strcmp(name, "kill") || !strcmp(name, "pkill") || !strcmp(name, "killall"))
		n->kills = true;
	/* signalling a process of another user needs KILL: kill after a user switch */
	if (n->kills && n->switches_user)
		need(n, "KILL",
		     "the command runs kill and switches user (signalling another user's process)",
		     "capabilities(7): CAP_KILL; kill(2)");
}

void shell_needs_init(struct shell_needs *n)
{
	memset(n, 0, sizeof(*n));
}

void shell_needs_script(struct shell_needs *n, const char *script, bool root)
{
	shell_each_program(script, root, on_program, n);
}

void shell_needs_argv(struct shell_needs *n, const char *const *argv, size_t argc, bool root)
{
	shell_each_program_argv(argv, argc, root, on_program, n);
}
