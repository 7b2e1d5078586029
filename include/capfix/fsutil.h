/*
 * fsutil.h - reading whole files and replacing them atomically.
 */
#ifndef CAPFIX_FSUTIL_H
#define CAPFIX_FSUTIL_H

#include "capfix/sbuf.h"

#include <signal.h>
#include <sys/types.h>
#include <time.h>

/*
 * What a file was when it was read (fsutil_read_beneath()): compared again
 * right before it is replaced, so that a change made meanwhile (an editor's
 * save, a checkout) is never overwritten.
 */
struct fsutil_stamp {
	bool valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	struct timespec mtime, ctime;
};

/*
 * Read all of @path into @out (replacing its contents). Files larger than
 * @max_size bytes are refused. Returns 0, or -1 with CF_E_INPUT recorded
 * ("path: message") and @out emptied.
 */
int fsutil_read(const char *path, size_t max_size, struct sbuf *out);

/*
 * Paths below a root, opened without escaping it: the first @trusted bytes
 * of @path (the root, or the directory of a file named on the command line)
 * are resolved as given, every later directory and the file itself are
 * opened with O_NOFOLLOW through directory descriptors, so that a directory
 * or file swapped for a symbolic link while capfix runs is refused instead of
 * followed out of the tree.
 *
 * fsutil_read_beneath() reads like fsutil_read() and fills @stamp (may be
 * NULL). Errors: CF_E_INPUT ("path: message").
 */
int fsutil_read_beneath(const char *path, size_t trusted, size_t max_size, struct sbuf *out,
			struct fsutil_stamp *stamp);

/* Replace a file that has more than one hard link (breaking the links). */
#define FSUTIL_BREAK_HARD_LINKS 1u

/*
 * Replace @path (below its first @trusted bytes, as above) with @len bytes
 * of @buf atomically: a temporary file ".NAME.capfix-" plus six random characters, in the same
 * directory (through its descriptor) takes the original's owner, mode and
 * extended attributes (POSIX ACLs included), then is renamed over it.
 * Refused, with the file untouched and no temporary file left:
 *   - CF_E_INPUT: @was is given and the file is no longer what was read
 *     (device, inode, size, mtime, ctime to the nanosecond; checked again
 *     right before the rename), or a directory on the way became a link;
 *   - CF_E_WRITE: no write permission bit (mode 0444...: "do not change
 *     me", whoever the caller is), more than one hard link (unless
 *     FSUTIL_BREAK_HARD_LINKS in @flags), an extended attribute that cannot
 *     be set on the copy, or any I/O error;
 *   - CF_E_INTERRUPTED: the stop flag (fsutil_set_stop_flag()) was set
 *     before the rename.
 * Returns 0 or -1.
 */
int fsutil_replace_beneath(const char *path, size_t trusted, const struct fsutil_stamp *was,
			   const char *buf, size_t len, unsigned flags);

/*
 * A flag set by a signal handler (see sig.h): fsutil_replace_beneath()
 * looks at it right before each rename. NULL (the default): never stop.
 */
void fsutil_set_stop_flag(volatile sig_atomic_t *flag);

/* Is @name a temporary file of fsutil_replace_beneath() (".NAME.capfix-" and six random
 * characters)? */
bool fsutil_is_temp_name(const char *name);

/*
 * Remove the temporary file @path (below @trusted bytes, as above) that an
 * interrupted run left; refuses anything that is not a regular file with a
 * temporary name. Returns 0, or -1 with CF_E_WRITE.
 */
int fsutil_remove_temp_beneath(const char *path, size_t trusted);

/* write() all of @buf to @fd (EINTR and short writes handled). Returns 0, or -1 (errno). */
int fsutil_write_fd(int fd, const char *buf, size_t len);

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
/* (The same as fsutil_replace_beneath(path, strlen(path), NULL, buf, len,
 * FSUTIL_BREAK_HARD_LINKS): for outputs, not inputs.) */

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
