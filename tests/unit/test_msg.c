/* Unit tests for msg.c: the one message shape, positions, and escaping of control characters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/msg.h"

static void test_shapes(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	msg_add(&sb, "a.yaml", 3, 7, MSG_ERROR, "bad %s", "thing");
	msg_add(&sb, "a.yaml", 3, 0, MSG_WARNING, "no column");
	msg_add(&sb, "a.yaml", 0, 9, MSG_NOTE, "whole file");
	msg_add(&sb, NULL, 4, 2, MSG_ERROR, "no file");
	assert_string_equal(sb.buf, "a.yaml:3:7: error: bad thing\n"
				    "a.yaml:3: warning: no column\n"
				    "a.yaml: note: whole file\n"
				    "capfix: error: no file\n");
	sbuf_release(&sb);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(msg_severity_name(MSG_ERROR), "error");
	assert_string_equal(msg_severity_name(MSG_WARNING), "warning");
	assert_string_equal(msg_severity_name(MSG_NOTE), "note");
}

/* A name from a manifest or a file name cannot start a line of its own. */
static void test_control_characters_escaped(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	msg_add(&sb, "evil\nfixed x.yaml", 1, 1, MSG_WARNING, "container \"%s\" left alone",
		"a\n::error::forged\t\r\033[31m\177");
	assert_string_equal(
		sb.buf,
		"evil\\nfixed x.yaml:1:1: warning: container \"a\\n::error::forged\\t\\r\\033[31m\\177\" left alone\n");
	/* exactly one line */
	assert_ptr_equal(strchr(sb.buf, '\n'), sb.buf + sb.len - 1);
	sbuf_release(&sb);
}

static void test_utf8_kept(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	msg_escape_str(&sb, "caf\xc3\xa9 \xe2\x9c\x93");
	assert_string_equal(sb.buf, "caf\xc3\xa9 \xe2\x9c\x93");
	sbuf_setlen(&sb, 0);
	msg_escape(&sb, "a\0b", 3);
	assert_int_equal(sb.len, 6);
	assert_memory_equal(sb.buf, "a\\000b", 6);
	sbuf_release(&sb);
}

static void test_long_text(void **state)
{
	struct sbuf sb = SBUF_INIT;
	char big[5000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	msg_add(&sb, "p", 1, 1, MSG_NOTE, "%s", big);
	assert_int_equal(sb.len, strlen("p:1:1: note: ") + sizeof(big) - 1 + 1);
	sbuf_release(&sb);
}

static void test_color(void **state)
{
	struct sbuf sb = SBUF_INIT;

	(void)state;
	assert_false(msg_color());
	msg_set_color(true);
	msg_add(&sb, "a.yaml", 1, 2, MSG_WARNING, "x\033y");
	msg_set_color(false);
	/* the severity word coloured; an escape character in the text still written as text */
	assert_string_equal(sb.buf, "a.yaml:1:2: \033[1;33mwarning\033[m: x\\033y\n");
	sbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_control_characters_escaped),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_color),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
