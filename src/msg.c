#include "capfix/msg.h"

static bool color;

void msg_set_color(bool on)
{
	color = on;
}

bool msg_color(void)
{
	return color;
}

const char *msg_severity_name(enum msg_severity sev)
{
	switch (sev) {
	case MSG_ERROR:
		return "error";
	case MSG_WARNING:
		return "warning";
	default:
		return "note";
	}
}

void msg_escape(struct sbuf *sb, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		sbuf_add(sb, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '\t':
			sbuf_addstr(sb, "\\t");
			break;
		case '\n':
			sbuf_addstr(sb, "\\n");
			break;
		case '\r':
			sbuf_addstr(sb, "\\r");
			break;
		default:
			sbuf_addf(sb, "\\%03o", c);
			break;
		}
	}
	sbuf_add(sb, s + run, len - run);
}

void msg_escape_str(struct sbuf *sb, const char *s)
{
	if (s)
		msg_escape(sb, s, strlen(s));
}

void msg_addv(struct sbuf *sb, const char *path, long line, int col, enum msg_severity sev,
	      const char *fmt, va_list ap)
{
	struct sbuf text = SBUF_INIT;

	if (path) {
		msg_escape_str(sb, path);
		if (line > 0) {
			sbuf_addf(sb, ":%ld", line);
			if (col > 0)
				sbuf_addf(sb, ":%d", col);
		}
	} else {
		sbuf_addstr(sb, "capfix");
	}
	if (color)
		sbuf_addf(sb, ": %s%s\033[m: ",
			  sev == MSG_ERROR     ? "\033[1;31m"
			  : sev == MSG_WARNING ? "\033[1;33m"
					       : "\033[36m",
			  msg_severity_name(sev));
	else
		sbuf_addf(sb, ": %s: ", msg_severity_name(sev));
	{
		va_list cp;
		int n;

		va_copy(cp, ap);
		n = vsnprintf(NULL, 0, fmt, cp);
		va_end(cp);
		if (n > 0) {
			sbuf_grow(&text, (size_t)n);
			vsnprintf(text.buf + text.len, (size_t)n + 1, fmt, ap);
			text.len += (size_t)n;
		}
	}
	msg_escape(sb, text.buf ? text.buf : "", text.len);
	sbuf_addch(sb, '\n');
	sbuf_release(&text);
}

void msg_add(struct sbuf *sb, const char *path, long line, int col, enum msg_severity sev,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_addv(sb, path, line, col, sev, fmt, ap);
	va_end(ap);
}

void msg_print(FILE *fp, const char *path, long line, int col, enum msg_severity sev,
	       const char *fmt, ...)
{
	struct sbuf sb = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	msg_addv(&sb, path, line, col, sev, fmt, ap);
	va_end(ap);
	fwrite(sb.buf, 1, sb.len, fp);
	sbuf_release(&sb);
}
