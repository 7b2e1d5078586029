/* Unit tests for yamlspan.c: spans, styles and errors on small inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/yamlspan.h"

static const char *span(const char *buf, const struct ynode *n, char *out, size_t max)
{
	size_t len = n->end - n->start;

	if (len >= max)
		len = max - 1;
	memcpy(out, buf + n->start, len);
	out[len] = '\0';
	return out;
}

static void test_spans_of_scalars(void **state)
{
	const char *in =
		"a: plain\nb: \"dq\"\nc: 'it''s'\nd:\ne: |\n  lit\n\nf: [x, \"y\"]\ng: {}\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *root;
	char t[64];

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	assert_int_equal(yf.ndocs, 1);
	root = yf.docs[0].root;
	assert_int_equal(root->kind, YN_MAP);
	assert_false(root->flow);
	assert_int_equal(root->nkids, 14);
	assert_string_equal(span(in, yamlspan_get(root, "a"), t, sizeof(t)), "plain");
	assert_string_equal(span(in, yamlspan_get(root, "b"), t, sizeof(t)), "\"dq\"");
	assert_string_equal(yamlspan_get(root, "b")->text, "dq");
	assert_int_equal(yamlspan_get(root, "b")->col, 3);
	assert_string_equal(span(in, yamlspan_get(root, "c"), t, sizeof(t)), "'it''s'");
	assert_string_equal(yamlspan_get(root, "c")->text, "it's");
	assert_true(yamlspan_get(root, "d")->empty);
	assert_true(yamlspan_is_null(yamlspan_get(root, "d")));
	assert_int_equal(yamlspan_get(root, "e")->style, YS_LITERAL);
	assert_string_equal(yamlspan_get(root, "e")->text, "lit\n");
	assert_true(yamlspan_get(root, "f")->flow);
	assert_string_equal(span(in, yamlspan_get(root, "f"), t, sizeof(t)), "[x, \"y\"]");
	assert_string_equal(span(in, yamlspan_get(root, "g"), t, sizeof(t)), "{}");
	assert_int_equal(yamlspan_get(root, "g")->nkids, 0);
	yamlspan_release(&yf);
}

static void test_block_collection_spans(void **state)
{
	const char *in = "m:\n  k: v\n  l:\n  - 1\n  - 2\n# after\nn: 1\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *m;
	char t[64];

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	m = yamlspan_get(yf.docs[0].root, "m");
	assert_int_equal(m->kind, YN_MAP);
	/* a block collection ends where its last child ends, not past comments */
	assert_string_equal(span(in, m, t, sizeof(t)), "k: v\n  l:\n  - 1\n  - 2");
	assert_int_equal(yamlspan_get(m, "l")->col, 2);
	assert_int_equal(yamlspan_get(m, "l")->line, 3);
	yamlspan_release(&yf);
}

static void test_bom_crlf_and_documents(void **state)
{
	const char *in = "\xef\xbb\xbf---\r\na: 1\r\n---\r\n---\r\nb: 2\r\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	assert_true(yf.crlf);
	assert_int_equal(yf.ndocs, 3);
	assert_true(yf.docs[0].explicit_start);
	assert_int_equal(yf.docs[0].root->kids[0]->start, 8); /* BOM counts */
	assert_true(yf.docs[1].root->empty);
	assert_string_equal(yamlspan_str(yamlspan_get(yf.docs[2].root, "b")), "2");
	yamlspan_release(&yf);
}

static void test_anchors_aliases_merge(void **state)
{
	const char *in = "a: &x {k: v}\nb: *x\nc:\n  <<: *x\n  d: 1\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *root;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	root = yf.docs[0].root;
	assert_true(yf.aliases);
	assert_true(yamlspan_get(root, "a")->anchor);
	assert_int_equal(yamlspan_get(root, "b")->kind, YN_ALIAS);
	assert_string_equal(yamlspan_get(root, "b")->text, "x");
	assert_true(yamlspan_get(root, "c")->merge);
	yamlspan_release(&yf);
}

static void test_errors(void **state)
{
	static const struct {
		const char *in;
		int line;
	} bad[] = {
		{ "a: [1, 2\n", 2 },
		{ "a: b\n c: d: e\n", 1 }, /* libfyaml points at the multi-line key */
		{ "a: *undefined\n", 1 },
		{ "x: &a 1\n---\ny: *a\n", 3 }, /* anchors do not cross documents */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct yfile yf = YFILE_INIT;
		struct yerror err;

		if (yamlspan_parse(&yf, bad[i].in, strlen(bad[i].in), false, &err) != -1)
			fail_msg("case %zu parsed", i);
		if (err.line != bad[i].line)
			fail_msg("case %zu: line %d, want %d (%s)", i, err.line, bad[i].line,
				 err.msg);
		assert_true(err.col >= 1);
		assert_true(err.msg[0] != '\0');
		assert_int_equal(yf.ndocs, 0);
		yamlspan_release(&yf);
	}
}

static void test_collection_keys_flagged(void **state)
{
	const char *in = "a: 1\nb: {{x}}\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	assert_non_null(yf.complex_key);
	assert_int_equal(yf.complex_key->line, 1);
	yamlspan_release(&yf);
}

static void test_lookup_helpers(void **state)
{
	const char *in = "k: 1\nk: 2\nt: yes\nf: \"true\"\nn: ~\ns: 'null'\n";
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	const struct ynode *root;

	(void)state;
	assert_int_equal(yamlspan_parse(&yf, in, strlen(in), false, &err), 0);
	root = yf.docs[0].root;
	assert_int_equal(yamlspan_key_count(root, "k"), 2);
	assert_string_equal(yamlspan_str(yamlspan_get(root, "k")), "2"); /* the last one wins */
	assert_true(yamlspan_is_true(yamlspan_get(root, "t")));
	assert_false(yamlspan_is_true(yamlspan_get(root, "f")));
	assert_true(yamlspan_is_null(yamlspan_get(root, "n")));
	assert_false(yamlspan_is_null(yamlspan_get(root, "s")));
	assert_null(yamlspan_get(root, "missing"));
	assert_null(yamlspan_get(yamlspan_get(root, "k"), "x"));
	yamlspan_release(&yf);
}

static void test_equal(void **state)
{
	const char *a = "x: [1, {a: b}]\ny: \"s\"\n";
	const char *b = "x:\n- 1\n- a: b\ny: s\n";
	const char *c = "x: [1, {a: c}]\ny: \"s\"\n";
	struct yfile ya = YFILE_INIT, yb = YFILE_INIT, yc = YFILE_INIT;
	struct yerror err;

	(void)state;
	assert_int_equal(yamlspan_parse(&ya, a, strlen(a), false, &err), 0);
	assert_int_equal(yamlspan_parse(&yb, b, strlen(b), false, &err), 0);
	assert_int_equal(yamlspan_parse(&yc, c, strlen(c), false, &err), 0);
	/* "s" quoted vs plain differ in plainness */
	assert_false(yamlspan_equal(ya.docs[0].root, yb.docs[0].root));
	assert_true(yamlspan_equal(yamlspan_get(ya.docs[0].root, "x"),
				   yamlspan_get(yb.docs[0].root, "x")));
	assert_false(yamlspan_equal(ya.docs[0].root, yc.docs[0].root));
	yamlspan_release(&ya);
	yamlspan_release(&yb);
	yamlspan_release(&yc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spans_of_scalars),
		cmocka_unit_test(test_block_collection_spans),
		cmocka_unit_test(test_bom_crlf_and_documents),
		cmocka_unit_test(test_anchors_aliases_merge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_collection_keys_flagged),
		cmocka_unit_test(test_lookup_helpers),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests_name("yamlspan", tests, NULL, NULL);
}
