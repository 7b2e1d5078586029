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

/* Split @in fed in chunks of every size; the pieces must be @w (@nw of them). */
static void split_all_chunkings(const char *in, const char *const *w, size_t nw)
{
	size_t len = strlen(in), chunk;

	for (chunk = 1; chunk <= len; chunk++) {
		struct stream_split d = STREAM_SPLIT_INIT;
		struct sbuf piece = SBUF_INIT;
		size_t off = 0, n = 0, line, at = 0;

		for (;;) {
			size_t take = len - off < chunk ? len - off : chunk;
			bool eof;

			stream_feed(&d, in + off, take);
			off += take;
			eof = off == len;
			while (stream_next(&d, &piece, &line, eof)) {
				assert_true(n < nw);
				if (piece.len != strlen(w[n]) || memcmp(piece.buf, w[n], piece.len))
					fail_msg("chunk %zu, piece %zu: '%.*s', want '%s'", chunk,
						 n, (int)piece.len, piece.buf, w[n]);
				assert_int_equal(line, at);
				at += stream_count_lines(w[n], strlen(w[n]));
				n++;
			}
			if (eof)
				break;
		}
		assert_int_equal(n, nw);
		sbuf_release(&piece);
		stream_release(&d);
	}
}

/* %YAML and %TAG lines (and the comments and blank lines among them) go with the next document */
static void test_directives(void **state)
{
	static const char *const w1[] = { "a: 1\n...\n",
					  "%YAML 1.2\n# c\n\n%TAG !e! tag:e.com,2000:\n---\nb: 2\n",
					  "--- # x\n# Source: s\n", "%YAML 1.2\n---\n" };
	static const char *const w2[] = { "%YAML 1.2\n---\na: 1\n", "---\nb: |\n  %x\n" };
	static const char *const w3[] = { "a: 1\n# kept here\n", "%YAML 1.2\r\n---\r\nb\r\n" };

	(void)state;
	split_all_chunkings("a: 1\n...\n%YAML 1.2\n# c\n\n%TAG !e! tag:e.com,2000:\n---\nb: 2\n"
			    "--- # x\n# Source: s\n%YAML 1.2\n---\n",
			    w1, 4);
	/* directives at the very start lead the first document, not a piece of their own */
	split_all_chunkings("%YAML 1.2\n---\na: 1\n---\nb: |\n  %x\n", w2, 2);
	split_all_chunkings("a: 1\n# kept here\n%YAML 1.2\r\n---\r\nb\r\n", w3, 2);
}

/* A large document taken in chunks as it arrives; its rest, then the next documents */
static void test_take(void **state)
{
	struct stream_split d = STREAM_SPLIT_INIT;
	struct sbuf piece = SBUF_INIT, taken = SBUF_INIT;
	size_t line;

	(void)state;
	stream_feed(&d, "a: 1\n---\nbig: x\nmore", 20);
	assert_true(stream_next(&d, &piece, &line, false));
	assert_int_equal(piece.len, 5);
	assert_false(stream_next(&d, &piece, &line, false));
	/* the whole lines, and the line under way (it is no directive) */
	assert_int_equal(stream_take(&d, &taken), 15);
	assert_memory_equal(taken.buf, "---\nbig: x\nmore", 15);
	assert_int_equal(d.pending.len, 0);
	stream_feed(&d, "x\n%YAML", 7);
	assert_false(stream_next(&d, &piece, &line, false));
	/* a line that may be a directive stays */
	assert_int_equal(stream_take(&d, &taken), 2);
	assert_int_equal(d.pending.len, 5);
	stream_feed(&d, " 1.2\n---\n", 9);
	assert_true(stream_next(&d, &piece, &line, false));
	assert_int_equal(piece.len, 0); /* the rest of the large document: nothing */
	stream_feed(&d, "c: 3\n---", 8);
	assert_false(stream_next(&d, &piece, &line, false)); /* "---" alone: not decidable yet */
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 19);
	assert_memory_equal(piece.buf, "%YAML 1.2\n---\nc: 3\n", piece.len);
	assert_int_equal(line, 4);
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 3);
	assert_int_equal(line, 7);
	/* a marker right after what was taken ends the document */
	stream_release(&d);
	sbuf_setlen(&taken, 0);
	stream_feed(&d, "---\nbig\n", 8);
	assert_false(stream_next(&d, &piece, &line, false));
	assert_int_equal(stream_take(&d, &taken), 8);
	stream_feed(&d, "---\nz\n", 6);
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 0);
	assert_true(stream_next(&d, &piece, &line, true));
	assert_int_equal(piece.len, 6);
	assert_int_equal(line, 2);
	assert_false(stream_next(&d, &piece, &line, true));
	sbuf_release(&piece);
	sbuf_release(&taken);
	stream_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_sizes),
		cmocka_unit_test(test_marker_at_the_very_end),
		cmocka_unit_test(test_directives),
		cmocka_unit_test(test_take),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
