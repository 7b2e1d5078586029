/*
 * fsutil.h - reading whole files and replacing them atomically.
 */
#ifndef CAPFIX_FSUTIL_H
#define CAPFIX_FSUTIL_H

#include "capfix/sbuf.h"

/*
 * Read all of @path into @out (replacing its contents). Files larger than
 * @max_size bytes are refused. Returns 0, or -1 with CF_E_INPUT recorded
 * ("path: message") and @out emptied.
 */
int fsutil_read(const char *path, size_t max_size, struct sbuf *out);

/*
 * Replace @path with @len bytes of @buf atomically: the bytes go to a
 * temporary file in the same directory, which takes the original's mode
 * (and owner, where permitted) and is then renamed over @path. Readers see
 * the old or the new file, never a mix. A file without any write permission
 * bit (mode 0444...) is refused, whoever the caller is. Returns 0, or -1
 * with CF_E_WRITE recorded; on failure @path is untouched and no temporary
 * file is left.
 */
int fsutil_write_atomic(const char *path, const char *buf, size_t len);

/*
 * Write @len bytes of @buf to @path, creating it (mode 0666 less the umask)
 * or replacing it atomically when it exists. Returns 0, or -1 with
 * CF_E_WRITE recorded.
 */
int fsutil_write_new(const char *path, const char *buf, size_t len);

/*
 * Parse a size: a number of bytes with an optional K, M or G suffix
 * (powers of 1024). Returns 0, or -1 with CF_E_USAGE recorded.
 */
int fsutil_parse_size(const char *s, size_t *out);

/* The default largest input: 256 MiB. */
#define FSUTIL_DEFAULT_MAX_SIZE ((size_t)256 * 1024 * 1024)

#endif
