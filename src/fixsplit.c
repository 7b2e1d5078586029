#include "capfix/fixsplit.h"
#include "capfix/stream.h"

/* Move @src's notes, items and counts into @dst, positions shifted down by @line0 lines. */
static void merge(struct fix_result *dst, struct fix_result *src, size_t line0)
{
	size_t i;

	dst->containers += src->containers;
	dst->fixed += src->fixed;
	dst->already += src->already;
	dst->skipped += src->skipped;
	dst->caps_added += src->caps_added;
	dst->caps_removed += src->caps_removed;
	dst->unknown += src->unknown;
	for (i = 0; i < src->nnotes; i++) {
		CF_ALLOC_GROW(dst->notes, dst->nnotes + 1, dst->anotes);
		dst->notes[dst->nnotes] = src->notes[i];
		dst->notes[dst->nnotes].line += (int)line0;
		dst->notes[dst->nnotes].seq = dst->nnotes;
		dst->nnotes++;
	}
	src->nnotes = 0;
	for (i = 0; i < src->nitems; i++) {
		CF_ALLOC_GROW(dst->items, dst->nitems + 1, dst->aitems);
		dst->items[dst->nitems] = src->items[i];
		dst->items[dst->nitems].line += (int)line0;
		dst->nitems++;
	}
	src->nitems = 0;
}

/* Fix one piece at its line and add it to @res and @out; false when it fails. */
static bool one_piece(struct fix_result *res, struct sbuf *out, const char *buf, size_t *pos,
		      const struct sbuf *piece, size_t line0, const struct fix_opts *opts)
{
	struct fix_result one;

	fix_result_init(&one);
	if (fix_buffer(&one, piece->buf ? piece->buf : "", piece->len, opts) < 0) {
		res->status = one.status;
		res->err = one.err;
		res->err.line += (int)line0;
		merge(res, &one, line0); /* the notes said so far, then the error */
		fix_result_release(&one);
		return false;
	}
	if (one.changed && !res->changed) {
		/* the first change: the pieces before it, unchanged, from the input */
		sbuf_add(out, buf, *pos);
		res->changed = true;
	}
	if (res->changed) {
		if (one.changed)
			sbuf_add(out, one.out.buf, one.out.len);
		else
			sbuf_add(out, piece->buf ? piece->buf : "", piece->len);
	}
	*pos += piece->len;
	merge(res, &one, line0);
	fix_result_release(&one);
	return true;
}

int fixsplit_buffer(struct fix_result *res, const char *buf, size_t len,
		    const struct fix_opts *opts, size_t min_size)
{
	struct stream_split ds = STREAM_SPLIT_INIT;
	struct sbuf piece = SBUF_INIT, out = SBUF_INIT;
	size_t line0, pos = 0, fed = 0;
	bool ok = true;

	if (len < min_size || opts->json)
		return fix_buffer(res, buf, len, opts);
	/*
	 * Fed in chunks, so that the splitter holds one document at a time;
	 * the output is only built from the first piece that changes.
	 */
	while (ok && fed < len) {
		size_t n = len - fed < ((size_t)1 << 16) ? len - fed : (size_t)1 << 16;

		stream_feed(&ds, buf + fed, n);
		fed += n;
		while (ok && stream_next(&ds, &piece, &line0, fed == len))
			ok = one_piece(res, &out, buf, &pos, &piece, line0, opts);
	}
	if (ok && res->changed) {
		sbuf_release(&res->out);
		res->out = out;
		sbuf_init(&out);
	}
	if (!ok)
		res->changed = false; /* nothing is written for a file that fails */
	else
		res->status = FIX_OK;
	stream_release(&ds);
	sbuf_release(&piece);
	sbuf_release(&out);
	return ok ? 0 : -1;
}
