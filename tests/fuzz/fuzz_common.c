/*
 * fuzz_common.c - see fuzz_common.h.
 */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant violated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* One line of @s starting at @pos: its length including the '\n', if any. */
static size_t line_len(const char *s, size_t len, size_t pos)
{
	const char *nl = memchr(s + pos, '\n', len - pos);

	return nl ? (size_t)(nl - (s + pos)) + 1 : len - pos;
}

static int parse_num(const char **p, long *out)
{
	long v = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (v > 100000000)
			return -1;
		(*p)++;
	}
	*out = v;
	return 0;
}

/* "@@ -a[,b] +c[,d] @@": the old side's start and count. */
static int parse_hunk_header(const char *line, size_t len, long *start, long *count)
{
	const char *p = line + 3, *end = line + len;
	long c = 1;

	if (len < 4 || memcmp(line, "@@ -", 4))
		return -1;
	p = line + 4;
	if (parse_num(&p, start) < 0)
		return -1;
	if (p < end && *p == ',') {
		p++;
		if (parse_num(&p, &c) < 0)
			return -1;
	}
	*count = c;
	return 0;
}

struct pline {
	char type; /* ' ', '-', '+' */
	const char *text;
	size_t len; /* including the '\n' unless marked "\ No newline" */
};

int fz_apply_patch(const char *patch, size_t plen, const char *src, size_t slen, struct sbuf *out,
		   const char **why)
{
	struct pline *pl = NULL;
	size_t npl = 0, apl = 0, pos = 0, spos = 0;
	long sline = 0; /* 0-based index of the line at spos */
	int ret = -1;

	/* skip the header */
	while (pos < plen && !(plen - pos >= 3 && !memcmp(patch + pos, "@@ ", 3)))
		pos += line_len(patch, plen, pos);
	while (pos < plen) {
		size_t ll = line_len(patch, plen, pos);
		long ostart, ocount, target, seen_old = 0, seen_new = 0;
		size_t i;

		if (parse_hunk_header(patch + pos, ll, &ostart, &ocount) < 0) {
			*why = "bad hunk header";
			goto out;
		}
		pos += ll;
		npl = 0;
		while (pos < plen && memcmp(patch + pos, "@@ ", plen - pos < 3 ? plen - pos : 3)) {
			ll = line_len(patch, plen, pos);
			if (patch[pos] == '\\') {
				if (!npl || pl[npl - 1].len == 0 ||
				    pl[npl - 1].text[pl[npl - 1].len - 1] != '\n') {
					*why = "misplaced no-newline marker";
					goto out;
				}
				pl[npl - 1].len--;
			} else if (patch[pos] == ' ' || patch[pos] == '-' || patch[pos] == '+') {
				if (npl == apl) {
					apl = apl ? apl * 2 : 64;
					pl = realloc(pl, apl * sizeof(*pl));
					if (!pl)
						abort();
				}
				pl[npl].type = patch[pos];
				pl[npl].text = patch + pos + 1;
				pl[npl].len = ll - 1;
				seen_old += patch[pos] != '+';
				seen_new += patch[pos] != '-';
				npl++;
			} else if (patch[pos] == 'd' && ll >= 5 &&
				   !memcmp(patch + pos, "diff ", 5)) {
				*why = "more than one file in the patch";
				goto out;
			} else {
				*why = "unexpected line in a hunk";
				goto out;
			}
			pos += ll;
		}
		if (seen_old != ocount) {
			*why = "hunk line count does not match its header";
			goto out;
		}
		(void)seen_new;
		target = ocount == 0 ? ostart : ostart - 1;
		if (target < sline) {
			*why = "hunks out of order";
			goto out;
		}
		while (sline < target) {
			if (spos >= slen) {
				*why = "hunk starts past the end of the file";
				goto out;
			}
			ll = line_len(src, slen, spos);
			sbuf_add(out, src + spos, ll);
			spos += ll;
			sline++;
		}
		for (i = 0; i < npl; i++) {
			if (pl[i].type == '+') {
				sbuf_add(out, pl[i].text, pl[i].len);
				continue;
			}
			if (spos >= slen) {
				*why = "context past the end of the file";
				goto out;
			}
			ll = line_len(src, slen, spos);
			if (ll != pl[i].len || memcmp(src + spos, pl[i].text, ll)) {
				*why = "context or removed line does not match";
				goto out;
			}
			if (pl[i].type == ' ')
				sbuf_add(out, src + spos, ll);
			spos += ll;
			sline++;
		}
	}
	sbuf_add(out, src + spos, slen - spos);
	ret = 0;
out:
	free(pl);
	return ret;
}
