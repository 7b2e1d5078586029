/* Unit tests for stream.c: documents cut at `---` lines, whatever the chunking of the input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/stream.h"

static const char input[] = "# Source: a.yaml\n"
			    "a: 1\n"
			    "---\n"
			    "b: |\n"
			    "  ---x\n"
			    "  text\n"
			    "--- # c\n"
			    "c: 3\n"
			    "---\r\n"
			    "d: '--- not a marker'\n"
			    "----\n"
			    "---\n";

/* the pieces and their first lines, as cut by hand */
static const char *const want[] = { "# Source: a.yaml\na: 1\n", "---\nb: |\n  ---x\n  text\n",
				    "--- # c\nc: 3\n", "---\r\nd: '--- not a marker'\n----\n",
				    "---\n" };
static const size_t want_line[] = { 0, 2, 6, 8, 11 };

/* Feed @input in chunks of @chunk bytes, taking pieces as they come. */
static void split_in_chunks(size_t chunk)
{
	struct stream_split d = STREAM_SPLIT_INIT;
	struct sbuf piece = SBUF_INIT;
	size_t len = sizeof(input) - 1, off = 0, n = 0, line;

	while (off < len || off == len) {
		size_t take = len - off < chunk ? len - off : chunk;
		bool eof;

		stream_feed(&d, input + off, take);
		off += take;
		eof = off == len;
		while (stream_next(&d, &piece, &line, eof)) {
			assert_true(n < sizeof(want) / sizeof(want[0]));
			assert_int_equal(piece.len, strlen(want[n]));
			assert_memory_equal(piece.buf, want[n], piece.len);
			assert_int_equal(line, want_line[n]);
			n++;
		}
		/* between inputs, pending holds exactly what was not returned */
		assert_int_equal(d.start, 0);
		if (eof)
			break;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_int_equal(d.pending.len, 0);
	sbuf_release(&piece);
	stream_release(&d);
}

static void test_chunk_sizes(void **state)
{
	size_t c;

	(void)state;
	for (c = 1; c <= sizeof(input); c++)
		split_in_chunks(c);
}

static void test_marker_at_the_very_end(void **state)
{
	struct stream_split d = STREAM_SPLIT_INIT;
	struct sbuf piece = SBUF_INIT;
	size_t line;

	(void)state;
	stream_feed(&d, "a: 1\n---", 8);
	/* "---" without what follows it is not decidable before the end */
	assert_true(stream_next(&d, &piece, &line, false) == false);
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 5);
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 3);
	assert_int_equal(line, 1);
	assert_false(stream_next(&d, &piece, &line, true));
	sbuf_release(&piece);
	stream_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_sizes),
		cmocka_unit_test(test_marker_at_the_very_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
