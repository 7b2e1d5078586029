/*
 * Unit tests for fixrun.c: the run engine's records (order, outcomes, totals), its sinks
 * (check and diff write nothing; in place with a backout patch writes the patch first and
 * nothing at all when the patch cannot be written), caller transforms, and streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/err.h"
#include "capfix/fixrun.h"
#include "capfix/fsutil.h"

#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static const char needs_fix[] = "apiVersion: v1\n"
				"kind: Pod\n"
				"metadata:\n"
				"  name: p\n"
				"spec:\n"
				"  containers:\n"
				"  - name: c\n"
				"    image: busybox\n";

static const char already[] = "apiVersion: v1\n"
			      "kind: Pod\n"
			      "metadata:\n"
			      "  name: q\n"
			      "spec:\n"
			      "  containers:\n"
			      "  - name: c\n"
			      "    image: busybox\n"
			      "    securityContext:\n"
			      "      capabilities:\n"
			      "        drop: [\"ALL\"]\n";

static const char broken[] = "apiVersion: v1\nkind: Pod\nspec: [1, 2\nb: 3\n";

struct seen {
	size_t n;
	enum fixrun_outcome oc[16];
	char *path[16];
	long line[16];
	size_t index[16];
	bool patch[16];
	bool named[16];
};

static void record(void *ctx, const struct fixrun_record *rec)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	assert_non_null(rec->res);
	s->oc[s->n] = rec->outcome;
	s->path[s->n] = rec->path ? strdup(rec->path) : NULL;
	s->line[s->n] = rec->line;
	s->index[s->n] = rec->index;
	s->patch[s->n] = rec->patch != NULL;
	s->named[s->n] = rec->named;
	s->n++;
}

static void seen_release(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->path[i]);
	memset(s, 0, sizeof(*s));
}

static void put(const char *name, const char *text)
{
	struct sbuf p = SBUF_INIT;

	sbuf_addf(&p, "%s/%s", dir, name);
	assert_int_equal(fsutil_write_new(p.buf, text, strlen(text)), 0);
	sbuf_release(&p);
}

static char *get(const char *name)
{
	struct sbuf p = SBUF_INIT, b = SBUF_INIT;
	char *s;

	sbuf_addf(&p, "%s/%s", dir, name);
	if (fsutil_read(p.buf, 1 << 20, &b) < 0) {
		sbuf_release(&p);
		return NULL;
	}
	s = strdup(sbuf_cstr(&b));
	sbuf_release(&p);
	sbuf_release(&b);
	return s;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/capfix-run-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	put("a.yaml", needs_fix);
	put("b.yaml", already);
	put("c.yaml", broken);
	/* patches name files relative to the current directory: run from the tree */
	return chdir(dir);
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	if (chdir("/") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void opts_init(struct fixrun_opts *o, const struct fix_opts *fo, struct seen *s,
		      enum fixrun_sink sink)
{
	memset(o, 0, sizeof(*o));
	o->sink = sink;
	o->fix = fo;
	o->record = record;
	o->record_ctx = s;
	o->max_size = 1 << 20;
	o->jobs = 2;
}

static void test_check_records_in_walk_order(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	const char *root = dir;
	char *a;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	opts_init(&o, &fo, &s, FIXRUN_CHECK);
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.oc[0], FIXRUN_CHANGED);
	assert_int_equal(s.oc[1], FIXRUN_UNCHANGED);
	assert_int_equal(s.oc[2], FIXRUN_FAILED); /* it looks like a manifest: an error */
	assert_non_null(strstr(s.path[2], "/c.yaml"));
	assert_true(s.line[2] >= 1); /* a parse error has its place */
	assert_false(s.patch[0]);
	assert_int_equal(t.files, 3);
	assert_int_equal(t.changed, 1);
	assert_int_equal(t.fixed, 1);
	assert_int_equal(t.already, 1);
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.write_errors, 0);
	a = get("a.yaml");
	assert_string_equal(a, needs_fix); /* check writes nothing */
	free(a);
	seen_release(&s);
}

/* JSON or YAML data that does not parse and is no manifest: skipped quietly, not an error */
static void test_data_file_skipped(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	const char *path = "package.json";

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	put("package.json", "{\"name\": \"x\", \"scripts\": {}, broken\n");
	opts_init(&o, &fo, &s, FIXRUN_CHECK);
	assert_int_equal(fixrun_files(&o, &path, 1, &t), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.oc[0], FIXRUN_SKIPPED);
	assert_int_equal(t.errors, 0);
	unlink("package.json");
	seen_release(&s);
}

static void test_diff_carries_patch(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	const char *root = dir;
	char *a;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	opts_init(&o, &fo, &s, FIXRUN_DIFF);
	o.jobs = 1;
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	assert_int_equal(s.n, 3);
	assert_true(s.patch[0]);
	assert_false(s.patch[1]);
	a = get("a.yaml");
	assert_string_equal(a, needs_fix);
	free(a);
	seen_release(&s);
}

static void test_write_with_backout(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	struct sbuf bp = SBUF_INIT;
	const char *root = dir;
	char *a, *b;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	sbuf_addf(&bp, "%s.patch", dir);
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	o.backout = bp.buf;
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	assert_int_equal(t.changed, 1);
	a = get("a.yaml");
	assert_non_null(strstr(a, "ALL"));
	b = get("b.yaml");
	assert_string_equal(b, already);
	{
		struct sbuf pb = SBUF_INIT;

		assert_int_equal(fsutil_read(bp.buf, 1 << 20, &pb), 0);
		assert_non_null(strstr(pb.buf, "a.yaml"));
		assert_null(strstr(pb.buf, "b.yaml"));
		assert_non_null(strstr(pb.buf, "-        drop"));
		sbuf_release(&pb);
	}
	unlink(bp.buf);
	put("a.yaml", needs_fix);
	free(a);
	free(b);
	sbuf_release(&bp);
	seen_release(&s);
}

/* A backout patch that cannot be written changes no file. */
static void test_unwritable_backout_changes_nothing(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	const char *root = dir;
	char *a;
	size_t i, runlevel = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	o.backout = "/nonexistent/dir/backout.patch";
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	a = get("a.yaml");
	assert_string_equal(a, needs_fix);
	free(a);
	assert_int_equal(t.changed, 0);
	assert_int_equal(t.write_errors, 1);
	for (i = 0; i < s.n; i++) {
		runlevel += s.path[i] == NULL;
		assert_int_not_equal(s.oc[i], FIXRUN_CHANGED);
	}
	assert_int_equal(runlevel, 2); /* the write error, then "no file was changed" */
	seen_release(&s);
}

static int upper(void *ctx, size_t index, const char *path, const char *buf, size_t len, bool json,
		 struct fix_result *res)
{
	size_t i;

	(void)path;
	(void)json;
	*(size_t *)ctx += index + 1;
	if (len && buf[0] == 'x') {
		res->status = FIX_REFUSED;
		snprintf(res->err.msg, sizeof(res->err.msg), "refused");
		return -1;
	}
	for (i = 0; i < len; i++)
		sbuf_addch(&res->out,
			   (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]));
	res->changed = len && memcmp(res->out.buf, buf, len);
	return 0;
}

static void test_file_list_with_transform(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	struct sbuf p1 = SBUF_INIT, p2 = SBUF_INIT, p3 = SBUF_INIT;
	const char *paths[3];
	size_t sum = 0;
	char *got;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	put("up.txt", "abc\n");
	put("x.txt", "xyz\n");
	put("UP.txt", "ABC\n");
	sbuf_addf(&p1, "%s/x.txt", dir);
	sbuf_addf(&p2, "%s/up.txt", dir);
	sbuf_addf(&p3, "%s/UP.txt", dir);
	paths[0] = p1.buf;
	paths[1] = p2.buf;
	paths[2] = p3.buf;
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	o.transform = upper;
	o.transform_ctx = &sum;
	o.jobs = 1;
	assert_int_equal(fixrun_file_list(&o, paths, 3, &t), 0);
	assert_int_equal(sum, 1 + 2 + 3); /* each input once, with its index */
	assert_int_equal(s.n, 3);
	/* the order given, not sorted */
	assert_int_equal(s.oc[0], FIXRUN_FAILED);
	assert_int_equal(s.line[0], 0); /* a refusal has no place */
	assert_int_equal(s.oc[1], FIXRUN_CHANGED);
	assert_int_equal(s.oc[2], FIXRUN_UNCHANGED);
	assert_int_equal(s.index[1], 1);
	got = get("up.txt");
	assert_string_equal(got, "ABC\n");
	free(got);
	got = get("x.txt");
	assert_string_equal(got, "xyz\n");
	free(got);
	assert_int_equal(t.errors, 1);
	assert_int_equal(t.changed, 1);
	sbuf_release(&p1);
	sbuf_release(&p2);
	sbuf_release(&p3);
	seen_release(&s);
}

static void test_oversize_file_refused(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	struct sbuf p = SBUF_INIT;
	const char *path;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	sbuf_addf(&p, "%s/a.yaml", dir);
	path = p.buf;
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	o.max_size = 10;
	assert_int_equal(fixrun_files(&o, &path, 1, &t), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.oc[0], FIXRUN_FAILED);
	assert_true(s.named[0]); /* the message names the file itself */
	assert_int_equal(t.errors, 1);
	sbuf_release(&p);
	seen_release(&s);
}

/* A root outside the current directory cannot be named in a patch: refused for diffs. */
static void test_patch_root_outside_cwd(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	const char *root = dir;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	assert_int_equal(chdir("/usr"), 0);
	opts_init(&o, &fo, &s, FIXRUN_DIFF);
	assert_int_equal(fixrun_files(&o, &root, 1, &t), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	assert_int_equal(s.n, 0);
	/* check needs no patch: fine from anywhere */
	opts_init(&o, &fo, &s, FIXRUN_CHECK);
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	assert_int_equal(t.changed, 1);
	assert_int_equal(chdir(dir), 0);
	seen_release(&s);
}

/* Patch names are normalised: "./", "..", doubled slashes and links in the root go. */
static void test_patch_names_normalised(void **state)
{
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	struct sbuf p = SBUF_INIT;
	const char *root = "sub/..//sub/./";
	FILE *fp;
	char line[256];
	bool found = false;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	fo.drop_only = true;
	assert_int_equal(mkdir("sub", 0755), 0);
	put("sub/d.yaml", needs_fix);
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	sbuf_addf(&p, "%s/n.patch", dir);
	o.backout = p.buf;
	assert_int_equal(fixrun_files(&o, &root, 1, &t), 0);
	assert_int_equal(t.changed, 1);
	fp = fopen(p.buf, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		found |= !strcmp(line, "diff --git a/sub/d.yaml b/sub/d.yaml\n");
	fclose(fp);
	assert_true(found);
	assert_int_equal(system("rm -rf sub n.patch"), 0);
	sbuf_release(&p);
	seen_release(&s);
}

static void test_stream(void **state)
{
	static char in_text[] = "a: 1\n---\nb: 2\n---\nc: 3\n";
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fixrun_opts o;
	struct fixrun_totals t;
	struct seen s;
	char outbuf[256];
	FILE *in, *out;
	size_t sum = 0;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	memset(outbuf, 0, sizeof(outbuf));
	in = fmemopen(in_text, strlen(in_text), "r");
	out = fmemopen(outbuf, sizeof(outbuf), "w");
	assert_non_null(in);
	assert_non_null(out);
	opts_init(&o, &fo, &s, FIXRUN_WRITE);
	o.transform = upper;
	o.transform_ctx = &sum;
	assert_int_equal(fixrun_stream(&o, "s.yaml", in, out, &t), 0);
	fclose(in);
	fclose(out);
	assert_string_equal(outbuf, "A: 1\n---\nB: 2\n---\nC: 3\n");
	assert_int_equal(s.n, 3);
	assert_int_equal(t.files, 3);
	assert_int_equal(t.changed, 3);
	assert_string_equal(s.path[1], "s.yaml");
	assert_int_equal(s.index[2], 2);
	seen_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_records_in_walk_order),
		cmocka_unit_test(test_data_file_skipped),
		cmocka_unit_test(test_diff_carries_patch),
		cmocka_unit_test(test_write_with_backout),
		cmocka_unit_test(test_unwritable_backout_changes_nothing),
		cmocka_unit_test(test_file_list_with_transform),
		cmocka_unit_test(test_oversize_file_refused),
		cmocka_unit_test(test_patch_root_outside_cwd),
		cmocka_unit_test(test_patch_names_normalised),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
