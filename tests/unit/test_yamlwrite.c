/* Unit tests for yamlwrite.c: structural edits -> exact bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/yamlwrite.h"

struct ctx {
	struct yfile yf;
	struct yamlwrite w;
	struct sbuf out;
};

static struct ynode *open_text(struct ctx *c, const char *text, bool json)
{
	struct yerror err;

	memset(c, 0, sizeof(*c));
	sbuf_init(&c->out);
	assert_int_equal(yamlspan_parse(&c->yf, text, strlen(text), json, &err), 0);
	yamlwrite_init(&c->w, text, strlen(text), c->yf.crlf, json);
	yamlwrite_doc(&c->w, c->yf.docs[0].root);
	return c->yf.docs[0].root;
}

static void expect(struct ctx *c, const char *want)
{
	assert_int_equal(yamlwrite_apply(&c->w, &c->out), 0);
	assert_string_equal(sbuf_cstr(&c->out), want);
	sbuf_release(&c->out);
	yamlwrite_release(&c->w);
	yamlspan_release(&c->yf);
}

static const struct ywval all_item = { NULL, YW_STR, "ALL", NULL, 0 };
static const struct ywval drop_list = { "drop", YW_LIST, NULL, &all_item, 1 };
static const struct ywval caps_map = { "capabilities", YW_MAP, NULL, &drop_list, 1 };
static const struct ywval sc_map = { "sc", YW_MAP, NULL, &caps_map, 1 };

static void test_set_value_block_copies_indentation(void **state)
{
	struct ctx c;
	struct ynode *root;

	(void)state;
	/* a 4-space document with `-` indented under its key */
	root = open_text(&c, "a:\n    list:\n        - x\n    sc: {}\n", false);
	root = yamlspan_get(root, "a");
	assert_int_equal(yamlwrite_set_value(&c.w, root, 2, root, &sc_map), 0);
	expect(&c, "a:\n    list:\n        - x\n    sc:\n        capabilities:\n"
		   "            drop:\n                - ALL\n");
}

static void test_map_append_crlf_without_final_newline(void **state)
{
	struct ctx c;
	struct ynode *root;

	(void)state;
	root = open_text(&c, "k: v\r\nm:\r\n  a: 1", false);
	root = yamlspan_get(root, "m");
	assert_int_equal(yamlwrite_map_append(&c.w, root, root, &caps_map, 1), 0);
	expect(&c, "k: v\r\nm:\r\n  a: 1\r\n  capabilities:\r\n    drop:\r\n    - ALL");
}

static void test_flow_append_json_quotes(void **state)
{
	struct ctx c;
	struct ynode *root;

	(void)state;
	root = open_text(&c, "{\"a\": {\"b\": 1}}", true);
	root = yamlspan_get(root, "a");
	assert_int_equal(yamlwrite_map_append(&c.w, root, root, &caps_map, 1), 0);
	expect(&c, "{\"a\": {\"b\": 1, \"capabilities\": {\"drop\": [\"ALL\"]}}}");
}

static void test_seq_edit_flow_rewrite(void **state)
{
	struct ctx c;
	struct ynode *root;
	bool removed[3] = { false, true, false };
	const char *respell[3] = { "CHOWN", NULL, NULL };
	const char *app[1] = { "NET_BIND_SERVICE" };

	(void)state;
	root = open_text(&c, "add: [chown, 'SYS_ADMIN', KILL]\n", false);
	assert_int_equal(
		yamlwrite_seq_edit(&c.w, yamlspan_get(root, "add"), removed, respell, app, 1), 0);
	expect(&c, "add: [CHOWN, KILL, NET_BIND_SERVICE]\n");
}

static void test_seq_edit_block_keeps_comments(void **state)
{
	struct ctx c;
	struct ynode *root;
	bool removed[2] = { true, false };
	const char *app[1] = { "ALL" };

	(void)state;
	root = open_text(&c, "drop:\n# why\n- \"NET_RAW\"  # raw\n- KILL\nnext: 1\n", false);
	assert_int_equal(
		yamlwrite_seq_edit(&c.w, yamlspan_get(root, "drop"), removed, NULL, app, 1), 0);
	/* the new item copies the first item's quoting */
	expect(&c, "drop:\n# why\n- KILL\n- \"ALL\"\nnext: 1\n");
}

static void test_flow_list_with_comment_is_refused(void **state)
{
	struct ctx c;
	struct ynode *root;
	bool removed[2] = { true, false };

	(void)state;
	root = open_text(&c, "add: [A, # c\n  B]\n", false);
	assert_int_equal(
		yamlwrite_seq_edit(&c.w, yamlspan_get(root, "add"), removed, NULL, NULL, 0), -1);
	expect(&c, "add: [A, # c\n  B]\n");
}

static void test_remove_entry_and_undo(void **state)
{
	struct ctx c;
	struct ynode *root;
	size_t mark;

	(void)state;
	root = open_text(&c, "a: 1\nadd:\n- X\nb: 2", false);
	mark = yamlwrite_mark(&c.w);
	assert_int_equal(yamlwrite_remove_entry(&c.w, root, 2), 0);
	yamlwrite_undo(&c.w, mark);
	assert_int_equal(yamlwrite_mark(&c.w), mark);
	assert_int_equal(yamlwrite_remove_entry(&c.w, root, 4), 0); /* the last line, no newline */
	expect(&c, "a: 1\nadd:\n- X");
}

static void test_replace_scalar_keeps_quotes(void **state)
{
	struct ctx c;
	struct ynode *root;

	(void)state;
	root = open_text(&c, "a: 'old'\nb: |\n  text\n", false);
	assert_int_equal(yamlwrite_replace_scalar(&c.w, yamlspan_get(root, "a"), "new"), 0);
	assert_int_equal(yamlwrite_replace_scalar(&c.w, yamlspan_get(root, "b"), "x"), -1);
	expect(&c, "a: 'new'\nb: |\n  text\n");
}

static void test_seq_indented_for_flush_documents(void **state)
{
	static const struct ywval list = { "cap_drop", YW_LIST, NULL, &all_item, 1 };
	struct ctx c;
	struct ynode *root;

	(void)state;
	root = open_text(&c, "svc:\n  image: x\n", false);
	root = yamlspan_get(root, "svc");
	c.w.seq_indented = true;
	assert_int_equal(yamlwrite_map_append(&c.w, root, root, &list, 1), 0);
	expect(&c, "svc:\n  image: x\n  cap_drop:\n    - ALL\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_value_block_copies_indentation),
		cmocka_unit_test(test_map_append_crlf_without_final_newline),
		cmocka_unit_test(test_flow_append_json_quotes),
		cmocka_unit_test(test_seq_edit_flow_rewrite),
		cmocka_unit_test(test_seq_edit_block_keeps_comments),
		cmocka_unit_test(test_flow_list_with_comment_is_refused),
		cmocka_unit_test(test_remove_entry_and_undo),
		cmocka_unit_test(test_replace_scalar_keeps_quotes),
		cmocka_unit_test(test_seq_indented_for_flush_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
