/* realpath() */
#define _XOPEN_SOURCE 700

#include "capfix/fsutil.h"
#include "capfix/err.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* Read all of the open file @fd (named @path in messages) into @out; closes @fd. */
static int read_fd(const char *path, int fd, size_t max_size, struct sbuf *out,
		   struct fsutil_stamp *stamp)
{
	struct stat st;

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
	if (stamp) {
		/* what was read: compared again right before the file is replaced */
		if (fstat(fd, &st) < 0) {
			int e = errno;

			close(fd);
			sbuf_setlen(out, 0);
			return cf_err(CF_E_INPUT, "%s: %s", path, strerror(e));
		}
		stamp->valid = true;
		stamp->dev = st.st_dev;
		stamp->ino = st.st_ino;
		stamp->size = st.st_size;
		stamp->mode = st.st_mode;
		stamp->mtime = st.st_mtim;
		stamp->ctime = st.st_ctim;
	}
	close(fd);
	return 0;
}

int fsutil_read(const char *path, size_t max_size, struct sbuf *out)
{
	int fd;

	sbuf_setlen(out, 0);
	/*
	 * O_NONBLOCK: a FIFO (or a file replaced by one after the walk) must
	 * not block the open until a writer comes; it is refused below.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return cf_err(CF_E_INPUT, "%s: %s", path, strerror(errno));
	return read_fd(path, fd, max_size, out, NULL);
}

/*
 * The directory holding @path's last component, opened: its first @trusted
 * bytes resolved as given (the user named them: links followed), every
 * later directory without following a link (O_NOFOLLOW: a directory
 * swapped for a link while capfix runs is not entered). Returns a
 * descriptor and points *@base at the last component, or -1 with errno set.
 */
static int open_parent(const char *path, size_t trusted, const char **base)
{
	const char *slash = strrchr(path, '/'), *p, *end;
	struct sbuf comp = SBUF_INIT;
	size_t dirlen;
	int fd, e;

	*base = slash ? slash + 1 : path;
	dirlen = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
	if (trusted > dirlen)
		trusted = dirlen;
	if (!trusted) {
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		sbuf_add(&comp, path, trusted);
		fd = open(comp.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	for (p = path + trusted, end = path + dirlen; fd >= 0 && p < end;) {
		const char *q;
		int nfd;

		while (p < end && *p == '/')
			p++;
		for (q = p; q < end && *q != '/'; q++)
			;
		if (q > p) {
			sbuf_setlen(&comp, 0);
			sbuf_add(&comp, p, (size_t)(q - p));
			nfd = openat(fd, comp.buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			e = errno;
			close(fd);
			fd = nfd;
			errno = e;
		}
		p = q;
	}
	e = errno;
	sbuf_release(&comp);
	errno = e;
	return fd;
}

/* Why opening beneath the trusted part failed, in words. */
static const char *beneath_error(int e)
{
	if (e == ELOOP || e == ENOTDIR)
		return "a directory on the way is now a symbolic link or not a directory (changed during the run?): not followed";
	return strerror(e);
}

int fsutil_read_beneath(const char *path, size_t trusted, size_t max_size, struct sbuf *out,
			struct fsutil_stamp *stamp)
{
	const char *base;
	int dfd, fd;

	sbuf_setlen(out, 0);
	if (stamp)
		stamp->valid = false;
	dfd = open_parent(path, trusted, &base);
	if (dfd < 0)
		return cf_err(CF_E_INPUT, "%s: %s", path, beneath_error(errno));
	fd = openat(dfd, base, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;

		close(dfd);
		if (e == ELOOP)
			return cf_err(CF_E_INPUT, "%s: is a symbolic link now: not followed", path);
		return cf_err(CF_E_INPUT, "%s: %s", path, strerror(e));
	}
	close(dfd);
	return read_fd(path, fd, max_size, out, stamp);
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

int fsutil_write_fd(int fd, const char *buf, size_t len)
{
	return write_all(fd, buf, len);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool as_read(const struct fsutil_stamp *was, const struct stat *st)
{
	return was->dev == st->st_dev && was->ino == st->st_ino && was->size == st->st_size &&
	       was->mtime.tv_sec == st->st_mtim.tv_sec &&
	       was->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       was->ctime.tv_sec == st->st_ctim.tv_sec && was->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Copy every extended attribute of @from to @to (POSIX ACLs are the
 * system.posix_acl_* ones). Returns 0, or -1 with *@failed naming the
 * attribute that could not be set and errno set.
 */
static int copy_xattrs(int from, int to, struct sbuf *failed)
{
	ssize_t n = flistxattr(from, NULL, 0), i;
	char *names, *val = NULL;
	size_t vcap = 0;
	int ret = 0;

	if (n <= 0)
		return 0; /* none, or a filesystem without them */
	names = xmalloc((size_t)n + 1);
	n = flistxattr(from, names, (size_t)n);
	for (i = 0; n > 0 && i < n; i += (ssize_t)strlen(names + i) + 1) {
		const char *name = names + i;
		ssize_t v = fgetxattr(from, name, NULL, 0);

		if (v < 0)
			continue; /* vanished, or not readable by us: nothing to carry */
		if ((size_t)v + 1 > vcap) {
			vcap = (size_t)v + 1;
			val = xrealloc(val, vcap);
		}
		v = fgetxattr(from, name, val, vcap);
		if (v < 0)
			continue;
		if (fsetxattr(to, name, val, (size_t)v, 0) < 0) {
			sbuf_addstr(failed, name);
			ret = -1;
			break;
		}
	}
	free(val);
	free(names);
	return ret;
}

/* A name for the temporary file: ".NAME.capfix-" and six random characters (fsutil_is_temp_name()).
 */
static void temp_name(struct sbuf *sb, const char *base, unsigned attempt)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec ts;
	uint64_t x;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 20) ^
	    ((uint64_t)attempt * 0x9e3779b97f4a7c15u) ^ (uint64_t)(uintptr_t)sb;
	sbuf_setlen(sb, 0);
	/* at most 200 bytes of the name: the temporary name must fit NAME_MAX (255) */
	sbuf_addf(sb, ".%.200s.capfix-", base);
	for (i = 0; i < 6; i++) {
		sbuf_addch(sb, set[x % (sizeof(set) - 1)]);
		x /= sizeof(set) - 1;
		x ^= x << 13;
	}
}

bool fsutil_is_temp_name(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 1 + 1 + 8 + 6 || name[0] != '.' || strncmp(name + n - 14, ".capfix-", 8))
		return false;
	for (i = n - 6; i < n; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

static volatile sig_atomic_t *stop_flag;

void fsutil_set_stop_flag(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

int fsutil_replace_beneath(const char *path, size_t trusted, const struct fsutil_stamp *was,
			   const char *buf, size_t len, unsigned flags)
{
	struct sbuf tmp = SBUF_INIT, failed = SBUF_INIT;
	struct stat st, ost, now;
	const char *base;
	int dfd, ofd = -1, fd = -1, e = 0;
	unsigned attempt;

	dfd = open_parent(path, trusted, &base);
	if (dfd < 0)
		return cf_err(was ? CF_E_INPUT : CF_E_WRITE, "%s: %s", path, beneath_error(errno));
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e = errno;
		close(dfd);
		return cf_err(was ? CF_E_INPUT : CF_E_WRITE, "%s: %s", path, strerror(e));
	}
	if (was && (!S_ISREG(st.st_mode) || !as_read(was, &st))) {
		close(dfd);
		return cf_err(
			CF_E_INPUT,
			"%s: changed since capfix read it (edited or replaced during the run): left as it is",
			path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(dfd);
		return cf_err(CF_E_WRITE, "%s: not a regular file: left as it is", path);
	}
	/*
	 * A file without any write permission bit says "do not change me"
	 * (generated, vendored): refused as gofmt -w and black refuse it,
	 * whoever runs capfix (root could replace it).
	 */
	if (!(st.st_mode & 0222)) {
		close(dfd);
		return cf_err(CF_E_WRITE, "%s: read-only file (mode %04o): left unchanged", path,
			      (unsigned)(st.st_mode & 07777));
	}
	if (st.st_nlink > 1 && !(flags & FSUTIL_BREAK_HARD_LINKS)) {
		close(dfd);
		return cf_err(
			CF_E_WRITE,
			"%s: has %lu hard links; replacing it would break them (--break-hard-links to do it anyway): left unchanged",
			path, (unsigned long)st.st_nlink);
	}
	/* the original, for its extended attributes (ACLs included) */
	ofd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (ofd < 0 || fstat(ofd, &ost) < 0 || !same_file(&st, &ost)) {
		e = ofd < 0 ? errno : ESTALE;
		goto fail;
	}
	for (attempt = 0; fd < 0 && attempt < 100; attempt++) {
		temp_name(&tmp, base, attempt);
		fd = openat(dfd, tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd < 0 && errno != EEXIST) {
			e = errno;
			sbuf_setlen(&tmp, 0);
			close(ofd);
			close(dfd);
			sbuf_release(&tmp);
			return cf_err(CF_E_WRITE, "%s: cannot create a temporary file: %s", path,
				      strerror(e));
		}
	}
	if (fd < 0) {
		e = EEXIST;
		sbuf_setlen(&tmp, 0);
		goto fail;
	}
	if (write_all(fd, buf, len) < 0)
		goto fail_errno;
	/* owner first: a chown clears the set-user-ID and set-group-ID bits */
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
		goto fail_errno;
	if (fchmod(fd, st.st_mode & 07777) < 0)
		goto fail_errno;
	if (copy_xattrs(ofd, fd, &failed) < 0) {
		e = errno;
		unlinkat(dfd, tmp.buf, 0);
		close(fd);
		close(ofd);
		close(dfd);
		sbuf_release(&tmp);
		cf_err(CF_E_WRITE,
		       "%s: its extended attribute %s cannot be carried over (%s): left unchanged",
		       path, failed.buf, strerror(e));
		sbuf_release(&failed);
		return -1;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail_errno;
	}
	fd = -1;
	/* last look before the rename: interrupted, or the file changed meanwhile? */
	if (stop_flag && *stop_flag) {
		unlinkat(dfd, tmp.buf, 0);
		close(ofd);
		close(dfd);
		sbuf_release(&tmp);
		return cf_err(CF_E_INTERRUPTED,
			      "%s: interrupted before it was replaced: left as it was", path);
	}
	if (fstatat(dfd, base, &now, AT_SYMLINK_NOFOLLOW) < 0 || !same_file(&now, &st) ||
	    (was && !as_read(was, &now))) {
		unlinkat(dfd, tmp.buf, 0);
		close(ofd);
		close(dfd);
		sbuf_release(&tmp);
		return cf_err(
			CF_E_INPUT,
			"%s: changed since capfix read it (edited or replaced during the run): left as it is",
			path);
	}
	if (renameat(dfd, tmp.buf, dfd, base) < 0)
		goto fail_errno;
	close(ofd);
	close(dfd);
	sbuf_release(&tmp);
	sbuf_release(&failed);
	return 0;
fail_errno:
	e = errno;
fail:
	if (fd >= 0)
		close(fd);
	if (tmp.len)
		unlinkat(dfd, tmp.buf, 0);
	if (ofd >= 0)
		close(ofd);
	close(dfd);
	sbuf_release(&tmp);
	sbuf_release(&failed);
	return cf_err(CF_E_WRITE, "%s: %s", path, strerror(e));
}

int fsutil_write_atomic(const char *path, const char *buf, size_t len)
{
	/* the whole directory as given; the file itself may have hard links (an output) */
	return fsutil_replace_beneath(path, strlen(path), NULL, buf, len, FSUTIL_BREAK_HARD_LINKS);
}

int fsutil_remove_temp_beneath(const char *path, size_t trusted)
{
	const char *base;
	struct stat st;
	int dfd = open_parent(path, trusted, &base), r;

	if (dfd < 0)
		return cf_err(CF_E_WRITE, "%s: %s", path, beneath_error(errno));
	if (!fsutil_is_temp_name(base) || fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode)) {
		close(dfd);
		return cf_err(CF_E_WRITE, "%s: not a temporary file of capfix: left alone", path);
	}
	r = unlinkat(dfd, base, 0);
	if (r < 0)
		cf_err(CF_E_WRITE, "%s: %s", path, strerror(errno));
	close(dfd);
	return r;
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
	if (*end || !v)
		return cf_err(CF_E_USAGE, "'%s' is not a size (bytes, or with K, M, G)", s);
	/* no object is larger than PTRDIFF_MAX: a limit above it means nothing (and overflows) */
	if (v > ((size_t)PTRDIFF_MAX >> shift))
		return cf_err(CF_E_USAGE, "'%s' is too large: at most %zu bytes (%zuG)", s,
			      (size_t)PTRDIFF_MAX, (size_t)PTRDIFF_MAX >> 30);
	*out = (size_t)(v << shift);
	return 0;
}
