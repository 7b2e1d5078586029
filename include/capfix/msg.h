/*
 * msg.h - the one shape of every message capfix prints.
 *
 *     path:line:col: severity: text      a place in a file (1-based)
 *     path: severity: text               a file as a whole (line 0)
 *     capfix: severity: text             no file (path NULL)
 *
 * Names and texts can come from manifests, file names or git trees, so
 * control characters are never written raw: they are escaped C-style (\t,
 * \n, \r, other bytes as \ooo, as git's core.quotePath writes them), so that
 * one message is always one line and cannot forge another (a name holding
 * "\n::error::" stays on its line). Bytes from 0x80 up are kept (UTF-8).
 *
 * Rendering appends to a caller's buffer and can't fail; the command layer
 * decides where the buffer goes. Core modules never print.
 */
#ifndef CAPFIX_MSG_H
#define CAPFIX_MSG_H

#include "capfix/sbuf.h"

enum msg_severity { MSG_ERROR, MSG_WARNING, MSG_NOTE };

/*
 * Colour the severity word of every message from now on (ANSI: error red,
 * warning yellow, note cyan). Off by default; the command layer decides
 * (--color, NO_COLOR, a terminal). Not thread-safe: set it before any
 * worker starts.
 */
void msg_set_color(bool on);
bool msg_color(void);

/* "error", "warning" or "note". */
const char *msg_severity_name(enum msg_severity sev);

/*
 * Append one message line (with its '\n') to @sb: @path may be NULL (then
 * "capfix"), @line 0 leaves out the position, @col 0 leaves out the
 * column. The formatted text is escaped as a whole (see above).
 */
void msg_add(struct sbuf *sb, const char *path, long line, int col, enum msg_severity sev,
	     const char *fmt, ...) CF_PRINTF(6, 7);
void msg_addv(struct sbuf *sb, const char *path, long line, int col, enum msg_severity sev,
	      const char *fmt, va_list ap) CF_PRINTF(6, 0);

/* Append @len bytes of @s with control characters escaped. */
void msg_escape(struct sbuf *sb, const char *s, size_t len);

/* Append the C string @s with control characters escaped. */
void msg_escape_str(struct sbuf *sb, const char *s);

/*
 * Print one message to @fp (msg_add() then one write): the command
 * layer's shortcut. Failing writes are noticed by the caller's final check
 * of the stream.
 */
void msg_print(FILE *fp, const char *path, long line, int col, enum msg_severity sev,
	       const char *fmt, ...) CF_PRINTF(6, 7);

#endif
