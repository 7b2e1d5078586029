/*
 * inject.c - an LD_PRELOAD shim that makes system calls fail on demand, for
 * testing how capfix copes with a full disk, I/O errors, interrupted reads,
 * read-only directories and files that vanish while it runs.
 *
 *   CAPFIX_FAULT='SPEC[;SPEC...]' LD_PRELOAD=libcapfix_inject.so capfix ...
 *
 * SPEC is OP:ACTION[:OPTION...]:
 *   OP      open (open, open64, openat, openat64), read, write, close,
 *           rename (rename, renameat), fsync, mkstemp (mkstemp, mkstemp64,
 *           mkostemp, and openat/openat64 creating a file with O_EXCL: a
 *           temporary file), fchmod; paths given relative to a directory
 *           descriptor are matched as that directory's path + "/" + name
 *   ACTION  an errno name (ENOSPC, EIO, EINTR, EROFS, EACCES, ENOENT, EPERM,
 *           EAGAIN, EDQUOT, EFBIG, EMFILE, ENFILE, EXDEV, EBUSY, ETXTBSY):
 *           the call fails with it and does nothing;
 *           short: read/write transfer at most one byte;
 *           vanish: open removes the file first (a real ENOENT follows);
 *           fifo: open replaces the file by a FIFO first (a writer never comes);
 *           exec: run the shell command in CAPFIX_FAULT_EXEC first (without
 *           the preload), then let the call through: a deterministic
 *           moment for a race (an edit, a symbolic link swapped in, a
 *           signal: `kill -TERM $PPID` names capfix)
 *   OPTION  after=N   let the first N matching calls through
 *           times=N   inject N times, then let calls through (default: always)
 *           once      times=1
 *           path=S    only calls whose path (for descriptors: the file they
 *                     refer to, from /proc/self/fd) contains S
 *
 * Every injected fault is logged as "OP ACTION PATH" to the file named by
 * CAPFIX_FAULT_LOG, when set, so that tests can check a fault really hit.
 * Malformed specs abort the program with a message (exit status 134).
 * Counting is shared by all threads (capfix fix -j), under a lock.
 */
#define _GNU_SOURCE
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SPECS 16

enum op { OP_OPEN, OP_READ, OP_WRITE, OP_CLOSE, OP_RENAME, OP_FSYNC, OP_MKSTEMP, OP_FCHMOD };

static const char *const op_names[] = { "open",	  "read",  "write",   "close",
					"rename", "fsync", "mkstemp", "fchmod" };

enum action { ACT_ERRNO, ACT_SHORT, ACT_VANISH, ACT_FIFO, ACT_EXEC };

struct spec {
	enum op op;
	enum action action;
	int err;
	const char *errname;
	long after, times; /* times < 0: unlimited */
	char path[256];
	long seen, injected;
};

static struct spec specs[MAX_SPECS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* capfix fix runs worker threads */
static size_t nspecs;
static int parsed;
static int log_fd = -1;

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "ENOSPC", ENOSPC }, { "EIO", EIO },	    { "EINTR", EINTR },	    { "EROFS", EROFS },
	{ "EACCES", EACCES }, { "ENOENT", ENOENT }, { "EPERM", EPERM },	    { "EAGAIN", EAGAIN },
	{ "EDQUOT", EDQUOT }, { "EFBIG", EFBIG },   { "EMFILE", EMFILE },   { "ENFILE", ENFILE },
	{ "EXDEV", EXDEV },   { "EBUSY", EBUSY },   { "ETXTBSY", ETXTBSY },
};

/* The real functions, found once. */
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_close)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_fsync)(int);
static int (*real_mkstemp)(char *);
static int (*real_mkstemp64)(char *);
static int (*real_mkostemp)(char *, int);
static int (*real_fchmod)(int, mode_t);

static void *next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		fprintf(stderr, "capfix-inject: cannot find %s\n", name);
		abort();
	}
	return p;
}

static void resolve(void)
{
	if (real_open)
		return;
	real_open64 = next("open64");
	real_openat = next("openat");
	real_openat64 = next("openat64");
	real_read = next("read");
	real_write = next("write");
	real_close = next("close");
	real_rename = next("rename");
	real_renameat = next("renameat");
	real_fsync = next("fsync");
	real_mkstemp = next("mkstemp");
	real_mkstemp64 = next("mkstemp64");
	real_mkostemp = next("mkostemp");
	real_fchmod = next("fchmod");
	real_open = next("open");
}

static void bad_spec(const char *spec, const char *why)
{
	fprintf(stderr, "capfix-inject: CAPFIX_FAULT: '%s': %s\n", spec, why);
	abort();
}

static void parse_one(char *s)
{
	struct spec *sp;
	char *field, *save = NULL, *orig = strdup(s);
	size_t i;
	int n = 0;

	if (nspecs == MAX_SPECS)
		bad_spec(orig, "too many specs");
	sp = &specs[nspecs];
	memset(sp, 0, sizeof(*sp));
	sp->times = -1;
	for (field = strtok_r(s, ":", &save); field; field = strtok_r(NULL, ":", &save), n++) {
		if (n == 0) {
			for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
				if (!strcmp(field, op_names[i]))
					break;
			if (i == sizeof(op_names) / sizeof(op_names[0]))
				bad_spec(orig, "unknown operation");
			sp->op = (enum op)i;
		} else if (n == 1) {
			sp->errname = strdup(field);
			if (!strcmp(field, "short")) {
				sp->action = ACT_SHORT;
			} else if (!strcmp(field, "vanish")) {
				sp->action = ACT_VANISH;
			} else if (!strcmp(field, "fifo")) {
				sp->action = ACT_FIFO;
			} else if (!strcmp(field, "exec")) {
				sp->action = ACT_EXEC;
			} else {
				for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
					if (!strcmp(field, errnos[i].name))
						break;
				if (i == sizeof(errnos) / sizeof(errnos[0]))
					bad_spec(orig, "unknown action");
				sp->action = ACT_ERRNO;
				sp->err = errnos[i].value;
			}
		} else if (!strncmp(field, "after=", 6)) {
			sp->after = strtol(field + 6, NULL, 10);
		} else if (!strncmp(field, "times=", 6)) {
			sp->times = strtol(field + 6, NULL, 10);
		} else if (!strcmp(field, "once")) {
			sp->times = 1;
		} else if (!strncmp(field, "path=", 5)) {
			snprintf(sp->path, sizeof(sp->path), "%s", field + 5);
		} else {
			bad_spec(orig, "unknown option");
		}
	}
	if (n < 2)
		bad_spec(orig, "expected OP:ACTION[:OPTION...]");
	if (sp->action == ACT_SHORT && sp->op != OP_READ && sp->op != OP_WRITE)
		bad_spec(orig, "short applies to read and write");
	if ((sp->action == ACT_VANISH || sp->action == ACT_FIFO) && sp->op != OP_OPEN)
		bad_spec(orig, "vanish and fifo apply to open");
	free(orig);
	nspecs++;
}

static void parse(void)
{
	const char *env, *logpath;
	char *copy, *one, *save = NULL;

	if (parsed)
		return;
	parsed = 1;
	resolve();
	env = getenv("CAPFIX_FAULT");
	logpath = getenv("CAPFIX_FAULT_LOG");
	if (logpath && *logpath)
		log_fd = real_open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (!env || !*env)
		return;
	copy = strdup(env);
	for (one = strtok_r(copy, ";", &save); one; one = strtok_r(NULL, ";", &save))
		parse_one(one);
	free(copy);
}

__attribute__((constructor)) static void init(void)
{
	parse();
}

/* The path @fd refers to, or "". */
static void fd_path(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

extern char **environ;

/* The exec action: CAPFIX_FAULT_EXEC in /bin/sh, its parent being capfix, without the shim. */
static void run_exec(void)
{
	const char *cmd = getenv("CAPFIX_FAULT_EXEC");
	char *argv[] = { "sh", "-c", (char *)(cmd ? cmd : "true"), NULL };
	char **env;
	size_t n = 0, k = 0, i;
	pid_t pid;
	int status;

	while (environ[n])
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (!env)
		return;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) &&
		    strncmp(environ[i], "CAPFIX_FAULT", 12))
			env[k++] = environ[i];
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, env) == 0)
		waitpid(pid, &status, 0);
	free(env);
}

/* @path relative to directory descriptor @dirfd, as one path (for matching and logs). */
static const char *at_path(int dirfd, const char *path, char *buf, size_t size)
{
	size_t n;

	if (dirfd == AT_FDCWD || !path || path[0] == '/')
		return path;
	fd_path(dirfd, buf, size);
	n = strlen(buf);
	snprintf(buf + n, size - n, "/%s", path);
	return buf;
}

/* The spec that applies to this call, counted; NULL when the call goes through. */
static struct spec *hit(enum op op, const char *path)
{
	size_t i;

	parse();
	pthread_mutex_lock(&lock);
	for (i = 0; i < nspecs; i++) {
		struct spec *sp = &specs[i];

		if (sp->op != op)
			continue;
		if (sp->path[0] && (!path || !strstr(path, sp->path)))
			continue;
		if (sp->seen++ < sp->after)
			continue;
		if (sp->times >= 0 && sp->injected >= sp->times)
			continue;
		sp->injected++;
		pthread_mutex_unlock(&lock);
		if (log_fd >= 0) {
			char line[1200];
			int n = snprintf(line, sizeof(line), "%s %s %s\n", op_names[op],
					 sp->errname, path ? path : "");

			if (n > 0)
				(void)!real_write(log_fd, line,
						  (size_t)n < sizeof(line) ? (size_t)n
									   : sizeof(line));
		}
		if (sp->action == ACT_EXEC) {
			run_exec();
			return NULL;
		}
		return sp;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static struct spec *hit_fd(enum op op, int fd)
{
	char path[1024];
	size_t i;

	parse();
	for (i = 0; i < nspecs; i++)
		if (specs[i].op == op)
			break;
	if (i == nspecs || fd == log_fd)
		return NULL;
	fd_path(fd, path, sizeof(path));
	return hit(op, path);
}

static int fail(const struct spec *sp)
{
	errno = sp->err;
	return -1;
}

/* Before a real open: the vanish and fifo actions. Returns -1 for an errno action. */
static int before_open(const char *path)
{
	struct spec *sp = hit(OP_OPEN, path);

	if (!sp)
		return 0;
	if (sp->action == ACT_VANISH) {
		unlink(path);
		return 0;
	}
	if (sp->action == ACT_FIFO) {
		unlink(path);
		mkfifo(path, 0644);
		return 0;
	}
	return fail(sp);
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (before_open(path) < 0)
		return -1;
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (before_open(path) < 0)
		return -1;
	return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	char full[2048];
	const char *p = at_path(dirfd, path, full, sizeof(full));
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && (flags & O_EXCL)) {
		struct spec *sp = hit(OP_MKSTEMP, p);

		if (sp)
			return fail(sp);
	}
	if (before_open(p) < 0)
		return -1;
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	char full[2048];
	const char *p = at_path(dirfd, path, full, sizeof(full));
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if ((flags & O_CREAT) && (flags & O_EXCL)) {
		struct spec *sp = hit(OP_MKSTEMP, p);

		if (sp)
			return fail(sp);
	}
	if (before_open(p) < 0)
		return -1;
	return real_openat64(dirfd, path, flags, mode);
}

ssize_t read(int fd, void *buf, size_t count)
{
	struct spec *sp = hit_fd(OP_READ, fd);

	if (sp && sp->action == ACT_SHORT)
		return real_read(fd, buf, count ? 1 : 0);
	if (sp)
		return fail(sp);
	return real_read(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
	struct spec *sp = hit_fd(OP_WRITE, fd);

	if (sp && sp->action == ACT_SHORT)
		return real_write(fd, buf, count ? 1 : 0);
	if (sp)
		return fail(sp);
	return real_write(fd, buf, count);
}

int close(int fd)
{
	struct spec *sp = hit_fd(OP_CLOSE, fd);

	if (sp) {
		/* like NFS reporting a write error at close: the descriptor is gone anyway */
		real_close(fd);
		return fail(sp);
	}
	return real_close(fd);
}

int rename(const char *from, const char *to)
{
	struct spec *sp = hit(OP_RENAME, to);

	if (sp)
		return fail(sp);
	return real_rename(from, to);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	char full[2048];
	struct spec *sp = hit(OP_RENAME, at_path(tofd, to, full, sizeof(full)));

	if (sp)
		return fail(sp);
	return real_renameat(fromfd, from, tofd, to);
}

int fsync(int fd)
{
	struct spec *sp = hit_fd(OP_FSYNC, fd);

	if (sp)
		return fail(sp);
	return real_fsync(fd);
}

int fchmod(int fd, mode_t mode)
{
	struct spec *sp = hit_fd(OP_FCHMOD, fd);

	if (sp)
		return fail(sp);
	return real_fchmod(fd, mode);
}

int mkstemp(char *tmpl)
{
	struct spec *sp = hit(OP_MKSTEMP, tmpl);

	if (sp)
		return fail(sp);
	return real_mkstemp(tmpl);
}

int mkstemp64(char *tmpl)
{
	struct spec *sp = hit(OP_MKSTEMP, tmpl);

	if (sp)
		return fail(sp);
	return real_mkstemp64(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
	struct spec *sp = hit(OP_MKSTEMP, tmpl);

	if (sp)
		return fail(sp);
	return real_mkostemp(tmpl, flags);
}
