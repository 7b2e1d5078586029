/* realpath() */
#define _XOPEN_SOURCE 700

#include "capfix/fsutil.h"
#include "capfix/err.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int fsutil_read(const char *path, size_t max_size, struct sbuf *out)
{
	struct stat st;
	int fd;

	sbuf_setlen(out, 0);
	/*
	 * O_NONBLOCK: a FIFO (or a file replaced by one after the walk) must
	 * not block the open until a writer comes; it is refused below.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return cf_err(CF_E_INPUT, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return cf_err(CF_E_INPUT, "%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cf_err(CF_E_INPUT, "%s: not a regular file", path);
	}
	if ((uintmax_t)st.st_size > max_size) {
		close(fd);
		return cf_err(CF_E_INPUT, "%s: larger than %zu bytes", path, max_size);
	}
	sbuf_grow(out, (size_t)st.st_size + 1);
	for (;;) {
		ssize_t n;
		size_t want;

		sbuf_grow(out, 65536);
		want = out->alloc - out->len - 1;
		n = read(fd, out->buf + out->len, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;

			close(fd);
			sbuf_setlen(out, 0);
			return cf_err(CF_E_INPUT, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		if (out->len > max_size) {
			close(fd);
			sbuf_setlen(out, 0);
			return cf_err(CF_E_INPUT, "%s: larger than %zu bytes", path, max_size);
		}
		/*
		 * One read() per file: a read that stopped short of what was
		 * asked, with the size fstat() gave, is at the end. (A short read
		 * before that, as NFS or FUSE may give, reads on.)
		 */
		if ((size_t)n < want && out->len == (size_t)st.st_size)
			break;
	}
	close(fd);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int fsutil_write_atomic(const char *path, const char *buf, size_t len)
{
	struct sbuf tmp = SBUF_INIT;
	struct stat st;
	const char *slash = strrchr(path, '/');
	int fd = -1, e;

	if (stat(path, &st) < 0)
		return cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
	/*
	 * A file without any write permission bit says "do not change me"
	 * (generated, vendored): refused as gofmt -w and black refuse it,
	 * whoever runs capfix (root could replace it).
	 */
	if (!(st.st_mode & 0222))
		return cf_err(CF_E_WRITE, "%s: read-only file (mode %04o): left unchanged", path,
			      (unsigned)(st.st_mode & 07777));
	if (slash)
		sbuf_add(&tmp, path, (size_t)(slash - path) + 1);
	/* at most 200 bytes of the name: the temporary name must fit NAME_MAX (255) */
	sbuf_addf(&tmp, ".%.200s.capfix-XXXXXX", slash ? slash + 1 : path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		e = errno;
		sbuf_release(&tmp);
		return cf_err(CF_E_WRITE, "%s: cannot create a temporary file: %s", path,
			      strerror(e));
	}
	if (write_all(fd, buf, len) < 0)
		goto fail;
	/* owner first: a chown clears the set-user-ID and set-group-ID bits */
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
		goto fail;
	if (fchmod(fd, st.st_mode & 07777) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0)
		goto fail;
	sbuf_release(&tmp);
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
	sbuf_release(&tmp);
	return cf_err(CF_E_WRITE, "%s: %s", path, strerror(e));
}

int fsutil_write_new(const char *path, const char *buf, size_t len)
{
	struct stat st, lst;
	int fd, e;

	if (lstat(path, &lst) == 0) {
		/*
		 * Only a regular file is replaced by rename. A symbolic link
		 * stays a link (its regular target is replaced), and anything
		 * else is written through: a device or a FIFO (/dev/stdout,
		 * /dev/full, a pipe) must not be swapped for a regular file.
		 */
		if (S_ISREG(lst.st_mode))
			return fsutil_write_atomic(path, buf, len);
		if (S_ISLNK(lst.st_mode) && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			char *target = realpath(path, NULL);
			int r;

			if (!target)
				return cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
			r = fsutil_write_atomic(target, buf, len);
			free(target);
			return r;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
		if (fd < 0)
			return cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
		if (write_all(fd, buf, len) < 0) {
			e = errno;
			close(fd);
			return cf_err(CF_E_WRITE, "%s: %s", path, strerror(e));
		}
		if (close(fd) < 0)
			return cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
	if (write_all(fd, buf, len) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		return cf_err(CF_E_WRITE, "%s: %s", path, strerror(e));
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(path);
		return cf_err(CF_E_WRITE, "%s: %s", path, strerror(e));
	}
	return 0;
}

int fsutil_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-')
		return cf_err(CF_E_USAGE, "'%s' is not a size", s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return cf_err(CF_E_USAGE, "'%s' is not a size", s);
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (*end || !v || v > (SIZE_MAX >> shift))
		return cf_err(CF_E_USAGE, "'%s' is not a size (bytes, or with K, M, G)", s);
	*out = (size_t)(v << shift);
	return 0;
}
