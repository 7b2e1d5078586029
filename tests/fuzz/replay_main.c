/*
 * replay_main.c - a main() for the fuzz harnesses without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once on every regular file named on the command
 * line or found below a named directory (symbolic links are not followed).
 * Each input is passed in a buffer of exactly its size, as libFuzzer does,
 * so that reading past the end is caught by AddressSanitizer.
 *
 *   fix_replay [-v] PATH...
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t replayed;
static int verbose;

static void run_file(const char *path)
{
	struct sbuf sb = SBUF_INIT;
	char buf[65536];
	uint8_t *data;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
			exit(2);
		}
		sbuf_add(&sb, buf, (size_t)n);
	}
	close(fd);
	data = malloc(sb.len ? sb.len : 1);
	if (!data)
		abort();
	if (sb.len)
		memcpy(data, sb.buf, sb.len);
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, sb.len);
	LLVMFuzzerTestOneInput(data, sb.len);
	free(data);
	sbuf_release(&sb);
	replayed++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;

	if (lstat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (S_ISREG(st.st_mode)) {
		run_file(path);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			names = realloc(names, alloc * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct sbuf p = SBUF_INIT;

		sbuf_addf(&p, "%s/%s", path, names[i]);
		run_path(p.buf);
		sbuf_release(&p);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i = 1;

	LLVMFuzzerInitialize(&argc, &argv);
	if (i < argc && !strcmp(argv[i], "-v")) {
		verbose = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-v] PATH...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++)
		run_path(argv[i]);
	printf("replayed %zu inputs\n", replayed);
	return 0;
}
