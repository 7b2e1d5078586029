/*
 * Unit tests for fixsplit.c: one document at a time gives what the whole file gives (bytes,
 * counts, notes and report items at the same lines), and an error lands on the file's line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/fixsplit.h"

static const char *const docs[] = {
	"# header comment\n",
	"---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
	"  - name: c\n    image: nginx:1.27\n    ports:\n    - containerPort: 80\n",
	"---\n# a config map\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  k: |\n"
	"    ---not a marker\n",
	"--- # with a comment\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
	"  selector: {matchLabels: {app: d}}\n  template:\n    spec:\n      containers:\n"
	"        - name: x\n          image: registry.example/x:1\n"
	"          securityContext: {privileged: true}\n"
	"        - name: y\n          image: busybox\n          command: [sh, -c, \"chown -R 1 /d\"]\n",
	"---\n",
	"---\n%not a directive: plain scalar text at column 0\n",
	"---\napiVersion: v1\nkind: Pod\nmetadata: {name: e}\nspec:\n  containers:\n"
	"  - {name: c, image: i, securityContext: {capabilities: {drop: [ALL]}}}\n",
};

static void build(struct sbuf *sb, size_t copies)
{
	size_t i, k;

	for (k = 0; k < copies; k++)
		for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
			if (i || !k)
				sbuf_addstr(sb, docs[i]);
}

static void test_same_as_whole(void **state)
{
	struct sbuf in = SBUF_INIT;
	struct fix_opts o = FIX_OPTS_INIT;
	struct fix_result whole, split;
	size_t i;

	(void)state;
	build(&in, 20);
	o.report = true;
	fix_result_init(&whole);
	fix_result_init(&split);
	assert_int_equal(fix_buffer(&whole, in.buf, in.len, &o), 0);
	assert_int_equal(fixsplit_buffer(&split, in.buf, in.len, &o, 0), 0);
	assert_true(whole.changed && split.changed);
	assert_int_equal(whole.out.len, split.out.len);
	assert_memory_equal(whole.out.buf, split.out.buf, whole.out.len);
	assert_int_equal(whole.containers, split.containers);
	assert_int_equal(whole.fixed, split.fixed);
	assert_int_equal(whole.already, split.already);
	assert_int_equal(whole.skipped, split.skipped);
	assert_int_equal(whole.caps_added, split.caps_added);
	assert_int_equal(whole.unknown, split.unknown);
	assert_int_equal(whole.nnotes, split.nnotes);
	for (i = 0; i < whole.nnotes; i++) {
		assert_int_equal(whole.notes[i].line, split.notes[i].line);
		assert_int_equal(whole.notes[i].col, split.notes[i].col);
		assert_string_equal(whole.notes[i].msg, split.notes[i].msg);
	}
	assert_int_equal(whole.nitems, split.nitems);
	for (i = 0; i < whole.nitems; i++)
		assert_int_equal(whole.items[i].line, split.items[i].line);
	fix_result_release(&whole);
	fix_result_release(&split);
	sbuf_release(&in);
}

static void test_small_or_json_is_whole(void **state)
{
	struct fix_opts o = FIX_OPTS_INIT;
	struct fix_result r;
	const char *one = docs[1];

	(void)state;
	fix_result_init(&r);
	assert_int_equal(fixsplit_buffer(&r, one, strlen(one), &o, FIXSPLIT_MIN_SIZE), 0);
	assert_true(r.changed);
	fix_result_release(&r);
	/* one document at a time, nothing to change: nothing changed, no output built */
	{
		struct sbuf in = SBUF_INIT;
		int k;

		for (k = 0; k < 50; k++)
			sbuf_addstr(&in, docs[6]);
		fix_result_init(&r);
		assert_int_equal(fixsplit_buffer(&r, in.buf, in.len, &o, 0), 0);
		assert_false(r.changed);
		assert_int_equal(r.out.len, 0);
		assert_int_equal(r.already, 50);
		fix_result_release(&r);
		sbuf_release(&in);
	}
}

static void test_error_line(void **state)
{
	struct sbuf in = SBUF_INIT;
	struct fix_opts o = FIX_OPTS_INIT;
	struct fix_result whole, split;

	(void)state;
	build(&in, 3);
	sbuf_addstr(&in, "---\napiVersion: v1\nkind: Pod\nspec: [1, 2\n");
	build(&in, 1);
	fix_result_init(&whole);
	fix_result_init(&split);
	assert_int_equal(fix_buffer(&whole, in.buf, in.len, &o), -1);
	assert_int_equal(fixsplit_buffer(&split, in.buf, in.len, &o, 0), -1);
	assert_int_equal(split.status, FIX_PARSE_ERROR);
	assert_true(split.err.line > 60);
	assert_int_equal(split.err.line, whole.err.line);
	assert_false(split.changed);
	fix_result_release(&whole);
	fix_result_release(&split);
	sbuf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_whole),
		cmocka_unit_test(test_small_or_json_is_whole),
		cmocka_unit_test(test_error_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
