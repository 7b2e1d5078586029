/*
 * fixrun_stream.c - the run engine's stream source and sink: documents in
 * batches, fixed in parallel, written in order (see fixrun.h).
 */
#include "fixrun_int.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/patch.h"
#include "capfix/pool.h"
#include "capfix/stream.h"

#include <errno.h>

/*
 * A batch holds at most STREAM_BATCH_DOCS documents or about
 * STREAM_BATCH_BYTES bytes, which bounds the memory in flight.
 */
#define STREAM_BATCH_DOCS 512
#define STREAM_BATCH_BYTES (2u << 20)

struct sjob {
	struct sbuf piece;
	size_t line0;
	struct fix_result res;
	int rc;
};

struct sbatch {
	const struct fixrun_opts *o;
	struct fixrun_totals *t;
	const char *name;
	FILE *out;
	bool json;
	struct sjob *jobs;
	size_t n, alloc, bytes, index;
	struct sbuf *all_old, *all_new;
};

/* The message for a document over the size limit (its bytes pass through unchanged). */
static void oversize_why(struct sbuf *why, size_t max_size)
{
	sbuf_addf(why, "document larger than %zu bytes: passed through unchanged", max_size);
}

static void stream_work(void *ctx, size_t i, void **scratch)
{
	struct sbatch *sb = ctx;
	struct sjob *j = &sb->jobs[i];
	const struct fixrun_opts *o = sb->o;

	(void)scratch;
	fix_result_init(&j->res);
	if (j->piece.len > o->max_size)
		return;
	if (o->transform) {
		j->rc = o->transform(o->transform_ctx, sb->index + i, sb->name, j->piece.buf,
				     j->piece.len, sb->json, &j->res);
	} else {
		struct fix_opts fo = *o->fix;

		fo.json = sb->json;
		j->rc = fix_buffer(&j->res, j->piece.buf, j->piece.len, &fo);
	}
}

static void stream_done(void *ctx, size_t i)
{
	struct sbatch *sb = ctx;
	struct sjob *j = &sb->jobs[i];
	const struct fixrun_opts *o = sb->o;
	struct fixrun_totals *t = sb->t;
	struct fix_result *res = &j->res;
	struct fixrun_record rec;
	struct sbuf why = SBUF_INIT;
	const char *out;
	size_t outlen;

	memset(&rec, 0, sizeof(rec));
	rec.path = sb->name;
	rec.line0 = (long)j->line0;
	rec.res = res;
	rec.index = sb->index + i;
	t->files++;
	if (j->piece.len > o->max_size) {
		t->errors++;
		oversize_why(&why, o->max_size);
		rec.outcome = FIXRUN_FAILED;
		rec.sev = MSG_ERROR;
		rec.line = 1;
		rec.col = 1;
		rec.why = why.buf;
	} else if (j->rc < 0) {
		t->errors++;
		sbuf_addf(&why, "%s%s", res->err.msg,
			  res->status == FIX_TEMPLATE ? " (a Go/Helm template?)" : "");
		rec.outcome = FIXRUN_FAILED;
		rec.sev = MSG_ERROR;
		rec.line = res->err.line;
		rec.col = res->err.col;
		rec.why = why.buf;
	} else if (res->changed) {
		rec.outcome = FIXRUN_CHANGED;
		t->changed++;
		t->fixed += res->fixed;
		t->caps_added += res->caps_added;
		t->caps_removed += res->caps_removed;
	}
	t->containers += res->containers;
	t->already += res->already;
	t->skipped += res->skipped;
	o->record(o->record_ctx, &rec);
	out = res->changed ? res->out.buf : j->piece.buf;
	outlen = res->changed ? res->out.len : j->piece.len;
	if (o->sink == FIXRUN_DIFF || o->backout) {
		/* a patch needs context across documents: keep both texts whole */
		sbuf_add(sb->all_old, j->piece.buf, j->piece.len);
		sbuf_add(sb->all_new, out, outlen);
	}
	if (o->sink == FIXRUN_WRITE && outlen && fwrite(out, 1, outlen, sb->out) != outlen)
		t->write_errors++;
	fix_result_release(res);
	sbuf_release(&why);
}

/* Fix and deliver the documents collected so far; the batch is empty afterwards. */
static void stream_flush(struct sbatch *sb)
{
	static const struct pool_ops ops = { stream_work, stream_done, NULL };
	size_t i;

	pool_run(sb->n, sb->o->jobs, &ops, sb);
	for (i = 0; i < sb->n; i++) {
		/* keep small buffers for the next batch, not a huge document's */
		if (sb->jobs[i].piece.alloc > (1u << 20))
			sbuf_release(&sb->jobs[i].piece);
		else
			sbuf_setlen(&sb->jobs[i].piece, 0);
	}
	sb->index += sb->n;
	sb->n = 0;
	sb->bytes = 0;
}

/* The slot for the next document (flushing a full batch first). */
static struct sjob *stream_slot(struct sbatch *sb)
{
	if (sb->n == STREAM_BATCH_DOCS || sb->bytes >= STREAM_BATCH_BYTES)
		stream_flush(sb);
	if (sb->n == sb->alloc) {
		size_t old = sb->alloc;

		CF_ALLOC_GROW(sb->jobs, sb->n + 1, sb->alloc);
		memset(sb->jobs + old, 0, (sb->alloc - old) * sizeof(*sb->jobs));
	}
	return &sb->jobs[sb->n];
}

static void stream_message(struct sbatch *sb, long line, const char *why)
{
	struct fixrun_record rec;
	struct fix_result empty;

	fix_result_init(&empty);
	memset(&rec, 0, sizeof(rec));
	rec.path = line ? sb->name : NULL; /* without a place: about the run */
	rec.outcome = FIXRUN_FAILED;
	rec.res = &empty;
	rec.sev = MSG_ERROR;
	rec.line = line;
	rec.col = line ? 1 : 0;
	rec.why = why;
	sb->o->record(sb->o->record_ctx, &rec);
}

/*
 * A document over the size limit, found before its end: its record now (the
 * documents before it are delivered), then its bytes pass through in
 * chunks as they arrive (pass_through()), never held whole.
 */
static void oversize_record(struct sbatch *sb, size_t line0)
{
	struct fixrun_record rec;
	struct fix_result empty;
	struct sbuf why = SBUF_INIT;

	stream_flush(sb);
	fix_result_init(&empty);
	memset(&rec, 0, sizeof(rec));
	rec.path = sb->name;
	rec.line0 = (long)line0;
	rec.outcome = FIXRUN_FAILED;
	rec.res = &empty;
	rec.sev = MSG_ERROR;
	rec.line = 1;
	rec.col = 1;
	oversize_why(&why, sb->o->max_size);
	rec.why = why.buf;
	rec.index = sb->index++;
	sb->t->files++;
	sb->t->errors++;
	sb->o->record(sb->o->record_ctx, &rec);
	sbuf_release(&why);
}

/* Bytes of a document over the limit: out unchanged (and into the patch texts). */
static void pass_through(struct sbatch *sb, const struct sbuf *chunk, bool *write_failed)
{
	const struct fixrun_opts *o = sb->o;

	if (!chunk->len)
		return;
	if (o->sink == FIXRUN_DIFF || o->backout) {
		sbuf_add(sb->all_old, chunk->buf, chunk->len);
		sbuf_add(sb->all_new, chunk->buf, chunk->len);
	}
	if (o->sink == FIXRUN_WRITE && fwrite(chunk->buf, 1, chunk->len, sb->out) != chunk->len &&
	    !*write_failed) {
		*write_failed = true;
		sb->t->write_errors++;
	}
}

int fixrun_stream(const struct fixrun_opts *o, const char *name, FILE *in, FILE *out,
		  struct fixrun_totals *t)
{
	struct stream_split ds = STREAM_SPLIT_INIT;
	struct sbuf all_old = SBUF_INIT, all_new = SBUF_INIT, patch = SBUF_INIT, why = SBUF_INIT;
	struct sbuf chunk = SBUF_INIT;
	struct sbatch sb;
	char *buf = xmalloc(65536);
	size_t i;
	bool eof = false, over = false, over_failed = false;

	memset(&sb, 0, sizeof(sb));
	sb.o = o;
	sb.t = t;
	sb.name = name;
	sb.out = out;
	sb.json = fixrun_ends_with(name, ".json");
	sb.all_old = &all_old;
	sb.all_new = &all_new;
	while (!eof) {
		size_t n = fread(buf, 1, 65536, in);

		if (n)
			stream_feed(&ds, buf, n);
		if (n < 65536) {
			if (ferror(in)) {
				sbuf_setlen(&why, 0);
				sbuf_addf(&why, "reading standard input: %s", strerror(errno));
				stream_message(&sb, 0, why.buf);
				t->errors++;
			}
			eof = true;
		}
		for (;;) {
			struct sjob *j;
			size_t line0;

			if (over) {
				/* the rest of a document over the limit */
				sbuf_setlen(&chunk, 0);
				if (!stream_next(&ds, &chunk, &line0, eof))
					break;
				pass_through(&sb, &chunk, &over_failed);
				over = false;
				continue;
			}
			j = stream_slot(&sb);
			if (!stream_next(&ds, &j->piece, &j->line0, eof))
				break;
			sb.bytes += j->piece.len;
			sb.n++;
		}
		/* after stream_next() said no, ds holds only the document under way */
		if (!eof && !over && ds.scanned > o->max_size) {
			oversize_record(&sb, ds.line);
			over = true;
			over_failed = false;
		}
		if (over) {
			sbuf_setlen(&chunk, 0);
			stream_take(&ds, &chunk);
			pass_through(&sb, &chunk, &over_failed);
			/* keep the chunk buffer about the size of a read */
			if (chunk.alloc > (1u << 20))
				sbuf_release(&chunk);
		}
	}
	stream_flush(&sb);
	if (o->sink == FIXRUN_DIFF) {
		if (patch_append(&patch, name, false, all_old.buf ? all_old.buf : "", all_old.len,
				 all_new.buf ? all_new.buf : "", all_new.len) < 0) {
			stream_message(&sb, 0, cf_err_last()->msg);
			t->write_errors++;
		}
		fwrite(patch.buf ? patch.buf : "", 1, patch.len, out);
		sbuf_setlen(&patch, 0);
	}
	if (o->backout) {
		if (patch_append(&patch, name, false, all_new.buf ? all_new.buf : "", all_new.len,
				 all_old.buf ? all_old.buf : "", all_old.len) < 0 ||
		    fsutil_write_new(o->backout, patch.buf ? patch.buf : "", patch.len) < 0) {
			stream_message(&sb, 0, cf_err_last()->msg);
			t->write_errors++;
		}
	}
	stream_release(&ds);
	for (i = 0; i < sb.alloc; i++)
		sbuf_release(&sb.jobs[i].piece);
	free(sb.jobs);
	free(buf);
	sbuf_release(&chunk);
	sbuf_release(&all_old);
	sbuf_release(&all_new);
	sbuf_release(&patch);
	sbuf_release(&why);
	return 0;
}
