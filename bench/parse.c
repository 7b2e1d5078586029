/*
 * bench/parse.c - the "parse" floor of the benchmark: reads a YAML stream on
 * stdin (or the files named on the command line) into memory and runs
 * libfyaml's event parser over it, as capfix's own parse does (same
 * library, same flags, no tree, no output). Prints the event count.
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(FILE *fp, size_t *len)
{
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);

	while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

static long parse(const char *buf, size_t len)
{
	struct fy_parse_cfg cfg;
	struct fy_parser *fyp;
	struct fy_event *ev;
	long n = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_SLOPPY_FLOW_INDENTATION | FYPCF_JSON_NONE;
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, buf, len) != 0)
		return -1;
	while ((ev = fy_parser_parse(fyp)) != NULL) {
		n++;
		fy_parser_event_free(fyp, ev);
	}
	fy_parser_destroy(fyp);
	return n;
}

int main(int argc, char **argv)
{
	long events = 0;
	size_t len;
	char *buf;
	int i;

	if (argc < 2) {
		buf = slurp(stdin, &len);
		if (!buf)
			return 1;
		events = parse(buf, len);
		free(buf);
	}
	for (i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");

		if (!fp || !(buf = slurp(fp, &len)))
			return 1;
		fclose(fp);
		events += parse(buf, len);
		free(buf);
	}
	printf("%ld events\n", events);
	return events < 0;
}
