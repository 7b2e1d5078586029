/*
 * fix_fuzz.c - libFuzzer harness for fix_buffer().
 *
 * (Zones also cover docker-compose services: their cap_drop and cap_add
 * keys and their ends, as for containers.)
 *
 * Each input is fixed with several option sets (default; --drop-only;
 * --strict with --deny and a configuration; JSON mode when the input starts
 * with '{' or '['). For each, the harness aborts when:
 *   - fix_buffer() fails but says the file changed, or succeeds with a
 *     status other than FIX_OK;
 *   - the output does not parse again (yamlspan_parse, same mode);
 *   - bytes outside the zones where a container's edits may go changed:
 *     each container's securityContext (from its key to the node after its
 *     value) and its end (from the end of its last value to the node after
 *     the container). The input bytes between zones must all be in the
 *     output, in order, the first as a prefix and the last as a suffix;
 *   - the unified diff (patch_append) does not turn the input into the
 *     output, or the backout patch does not give the input back, byte for
 *     byte (checked with a small applier of our own, not git);
 *   - a second fix_buffer() of the output, with the same options, fails or
 *     changes anything (idempotence).
 */
#include "capfix/capcfg.h"
#include "capfix/err.h"
#include "capfix/fix.h"
#include "capfix/k8s.h"
#include "capfix/gitops.h"
#include "capfix/patch.h"
#include "capfix/yamlspan.h"

#include "fuzz_common.h"

static struct capcfg cfg = CAPCFG_INIT;

static const char cfg_text[] = "deny: [SYS_ADMIN]\n"
			       "allow: [NET_BIND_SERVICE, chown]\n"
			       "rules:\n"
			       "  - image: \"nginx*\"\n"
			       "    allow: [NET_RAW]\n"
			       "    add: [NET_ADMIN]\n"
			       "  - workload: \"Deployment/*\"\n"
			       "    container: \"a*\"\n"
			       "    namespace: default\n"
			       "    deny: [SYS_MODULE]\n"
			       "    add: [SETUID, SETGID]\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gitops_lib_init();
	if (capcfg_load(&cfg, ".capfix.yaml", cfg_text, sizeof(cfg_text) - 1) < 0)
		fz_fail("the harness's configuration does not load: %s", cf_err_last()->msg);
	return 0;
}

/* ---- zones: where the edits of each container may go ---- */

struct zone {
	size_t start, end;
};

struct zones {
	struct zone *v;
	size_t n, alloc;
	const struct yfile *yf;
};

/* The smallest start of a non-empty node of @n's tree, outside @skip, at or after @from. */
static void next_start(const struct ynode *n, const struct ynode *skip, size_t from, size_t *best)
{
	size_t i;

	if (n == skip)
		return;
	/* an empty scalar has no position of its own (it sits where the text before it ends) */
	if (!n->empty && n->start >= from && n->start < *best)
		*best = n->start;
	for (i = 0; i < n->nkids; i++)
		next_start(n->kids[i], skip, from, best);
}

/* Where the first node after @n (not inside it) starts, or the end of the file. */
static size_t next_after(const struct yfile *yf, const struct ynode *n)
{
	size_t end = yf->len, i;

	for (i = 0; i < yf->ndocs; i++)
		next_start(yf->docs[i].root, n, n->end, &end);
	return end < n->end ? n->end : end;
}

static void add_zone(struct zones *z, size_t start, size_t end)
{
	/* a block scalar may end in the indentation of the next line: take the line */
	while (start > 0 && (z->yf->buf[start - 1] == ' ' || z->yf->buf[start - 1] == '\t'))
		start--;
	if (z->n == z->alloc) {
		z->alloc = z->alloc ? z->alloc * 2 : 16;
		z->v = realloc(z->v, z->alloc * sizeof(*z->v));
		if (!z->v)
			abort();
	}
	z->v[z->n].start = start;
	z->v[z->n].end = end;
	z->n++;
}

/*
 * A container's edits go into its securityContext (from the key to the
 * node that follows the value) or after its last pair (from the end of the
 * last value to the node that follows the container).
 */
static int on_container(struct k8s_container *c, void *payload)
{
	struct zones *z = payload;
	const struct ynode *m = c->node;
	long ki;

	if (m->kind != YN_MAP)
		return 0;
	add_zone(z, m->nkids ? m->kids[m->nkids - 1]->end : m->start, next_after(z->yf, m));
	ki = yamlspan_key_index(m, "securityContext");
	if (ki >= 0)
		add_zone(z, m->kids[ki]->start, next_after(z->yf, m->kids[ki + 1]));
	return 0;
}

/* The first occurrence of @s (@slen > 0 bytes) in @h (@hlen bytes), or NULL. */
static const char *find(const char *h, size_t hlen, const char *s, size_t slen)
{
	const char *p = h, *end = h + hlen;

	while ((size_t)(end - p) >= slen) {
		p = memchr(p, s[0], (size_t)(end - p) - slen + 1);
		if (!p)
			return NULL;
		if (!memcmp(p, s, slen))
			return p;
		p++;
	}
	return NULL;
}

/* A docker-compose file: a top-level `services` mapping, no apiVersion or kind. */
static void compose_zones(struct zones *z, const struct ynode *root)
{
	static const char *const keys[] = { "cap_drop", "cap_add" };
	const struct ynode *svcs = yamlspan_get(root, "services");
	size_t i, j;

	if (!root || root->kind != YN_MAP || !svcs || svcs->kind != YN_MAP ||
	    yamlspan_get(root, "apiVersion") || yamlspan_get(root, "kind"))
		return;
	for (i = 1; i < svcs->nkids; i += 2) {
		const struct ynode *m = svcs->kids[i];

		if (m->kind != YN_MAP)
			continue;
		add_zone(z, m->nkids ? m->kids[m->nkids - 1]->end : m->start, next_after(z->yf, m));
		for (j = 0; j < ARRAY_SIZE(keys); j++) {
			long ki = yamlspan_key_index(m, keys[j]);

			if (ki >= 0)
				add_zone(z, m->kids[ki]->start, next_after(z->yf, m->kids[ki + 1]));
		}
	}
}

static int cmp_zone(const void *pa, const void *pb)
{
	const struct zone *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* Before failing: the zones and the output, for the person reading the crash. */
static void dump(const struct zones *z, size_t n, const char *out, size_t outlen)
{
	size_t i;

	fprintf(stderr, "zones (input byte offsets):");
	for (i = 0; i < n; i++)
		fprintf(stderr, " [%zu, %zu]", z->v[i].start, z->v[i].end);
	fprintf(stderr, "\noutput (%zu bytes):\n%.*s\n--- end of output\n", outlen,
		outlen > 8000 ? 8000 : (int)outlen, out);
}

/*
 * The output must be the input with only the zones rewritten: the bytes
 * between zones (segments) appear in the output, in order, the first as a
 * prefix and the last as a suffix. Leftmost matching of each segment
 * decides whether such a split exists.
 */
static void check_zones(const char *label, const char *in, size_t inlen, const char *out,
			size_t outlen, bool json)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	struct zones z = { NULL, 0, 0, &yf };
	size_t i, n, seg, cur;

	FZ_CHECK(yamlspan_parse(&yf, in, inlen, json, &err) == 0,
		 "%s: the input was fixed but does not parse on its own", label);
	for (i = 0; i < yf.ndocs; i++) {
		k8s_each_container(yf.docs[i].root, on_container, &z);
		compose_zones(&z, yf.docs[i].root);
	}
	FZ_CHECK(z.n > 0, "%s: the input was changed but has no container or service", label);
	qsort(z.v, z.n, sizeof(*z.v), cmp_zone);
	for (i = 1, n = 1; i < z.n; i++) {
		if (z.v[i].start <= z.v[n - 1].end) {
			if (z.v[i].end > z.v[n - 1].end)
				z.v[n - 1].end = z.v[i].end;
		} else {
			z.v[n++] = z.v[i];
		}
	}
	/* segment 0: the prefix before the first zone */
	seg = z.v[0].start;
	if (seg > outlen || memcmp(in, out, seg))
		dump(&z, n, out, outlen);
	FZ_CHECK(seg <= outlen && !memcmp(in, out, seg),
		 "%s: a byte before the first container's zone (%zu) changed", label, seg);
	cur = seg;
	for (i = 0; i + 1 < n; i++) {
		const char *s = in + z.v[i].end, *hit;
		size_t slen = z.v[i + 1].start - z.v[i].end;

		hit = slen ? find(out + cur, outlen - cur, s, slen) : out + cur;
		if (!hit)
			dump(&z, n, out, outlen);
		FZ_CHECK(hit,
			 "%s: the input bytes %zu..%zu between two zones are not in the output",
			 label, z.v[i].end, z.v[i + 1].start);
		cur = (size_t)(hit - out) + slen;
	}
	/* the last segment: the suffix after the last zone */
	seg = inlen - z.v[n - 1].end;
	if (seg > outlen - cur || memcmp(in + z.v[n - 1].end, out + outlen - seg, seg))
		dump(&z, n, out, outlen);
	FZ_CHECK(seg <= outlen - cur && !memcmp(in + z.v[n - 1].end, out + outlen - seg, seg),
		 "%s: a byte after the last container's zone (%zu) changed", label, z.v[n - 1].end);
	free(z.v);
	yamlspan_release(&yf);
}

/* ---- patches ---- */

static void check_patch(const char *label, const char *from, size_t flen, const char *to,
			size_t tlen)
{
	struct sbuf patch = SBUF_INIT, got = SBUF_INIT;
	const char *why = NULL;

	if (patch_append(&patch, "dir/file.yaml", false, from, flen, to, tlen) < 0)
		fz_fail("%s: patch_append failed: %s", label, cf_err_last()->msg);
	FZ_CHECK(patch.len > 0, "%s: patch_append made an empty patch for different buffers",
		 label);
	if (fz_apply_patch(patch.buf, patch.len, from, flen, &got, &why) < 0)
		fz_fail("%s: the patch does not apply: %s\n%s", label, why, patch.buf);
	FZ_CHECK(got.len == tlen && !memcmp(got.buf, to, tlen),
		 "%s: the patch applied does not give the expected bytes\n%s", label, patch.buf);
	sbuf_release(&patch);
	sbuf_release(&got);
}

/* ---- one option set ---- */

static void run(const char *label, const char *in, size_t len, const struct fix_opts *opts)
{
	struct fix_result res, again;
	int r;

	fix_result_init(&res);
	r = fix_buffer(&res, in, len, opts);
	if (r < 0) {
		FZ_CHECK(!res.changed, "%s: fix_buffer failed but changed is set", label);
		FZ_CHECK(res.status != FIX_OK, "%s: fix_buffer failed with status FIX_OK", label);
		fix_result_release(&res);
		return;
	}
	FZ_CHECK(res.status == FIX_OK, "%s: fix_buffer succeeded with status %d", label,
		 (int)res.status);
	FZ_CHECK(res.fixed + res.already + res.skipped == res.containers,
		 "%s: %zu containers but %zu fixed + %zu already + %zu skipped", label,
		 res.containers, res.fixed, res.already, res.skipped);
	if (res.changed) {
		struct yfile yf = YFILE_INIT;
		struct yerror err;
		char l2[64];

		FZ_CHECK(res.out.len != len || memcmp(res.out.buf, in, len),
			 "%s: changed is set but the output equals the input", label);
		FZ_CHECK(res.fixed > 0, "%s: changed without a fixed container", label);
		if (yamlspan_parse(&yf, res.out.buf, res.out.len, opts->json, &err) < 0)
			fz_fail("%s: the output does not parse: %d:%d: %s", label, err.line,
				err.col, err.msg);
		yamlspan_release(&yf);
		check_zones(label, in, len, res.out.buf, res.out.len, opts->json);
		snprintf(l2, sizeof(l2), "%s diff", label);
		check_patch(l2, in, len, res.out.buf, res.out.len);
		snprintf(l2, sizeof(l2), "%s backout", label);
		check_patch(l2, res.out.buf, res.out.len, in, len);

		fix_result_init(&again);
		r = fix_buffer(&again, res.out.buf, res.out.len, opts);
		if (r < 0)
			fz_fail("%s: fixing the output again fails: %d:%d: %s", label,
				again.err.line, again.err.col, again.err.msg);
		FZ_CHECK(!again.changed, "%s: fixing the output again changes it", label);
		fix_result_release(&again);
	} else {
		FZ_CHECK(res.out.len == 0, "%s: unchanged but the output is set", label);
	}
	fix_result_release(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct fix_opts opts = FIX_OPTS_INIT;
	bool json = size > 0 && (data[0] == '{' || data[0] == '[');

	run("default", in, size, &opts);
	opts.drop_only = true;
	run("drop-only", in, size, &opts);
	opts.drop_only = false;
	opts.strict = true;
	opts.deny = (uint64_t)1 << 21 | (uint64_t)1 << 13; /* SYS_ADMIN, NET_RAW */
	opts.cfg = &cfg;
	run("strict+deny+config", in, size, &opts);
	if (json) {
		struct fix_opts jo = FIX_OPTS_INIT;

		jo.json = true;
		run("json", in, size, &jo);
		jo.drop_only = true;
		run("json drop-only", in, size, &jo);
	}
	cf_err_clear();
	return 0;
}
