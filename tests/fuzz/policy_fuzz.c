/*
 * policy_fuzz.c - libFuzzer harness for the policy generators: the input
 * is gathered as a manifest (fixed in memory, as `capfix policy` does),
 * then every kind is rendered (psp, psp --per-need, vap, kyverno,
 * gatekeeper) and the PSS report in text and JSON.
 *
 * The harness aborts when a renderer fails, when a generated policy does
 * not parse as YAML again or one of its documents has no kind, when the
 * model denies a workload of its own input (the invariant: 0), when the
 * PSS JSON is not valid JSON, or when a name that is not a Kubernetes name
 * (a control character, a quote) reaches an output unquoted: every line
 * of the YAML output must parse, so a newline in a name would show as a
 * document or key of its own.
 */
#include "capfix/err.h"
#include "capfix/policy.h"
#include "capfix/policygen.h"
#include "capfix/yamlspan.h"

#include "fuzz_common.h"

#include <jansson.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void check_yaml(const struct sbuf *out, const char *kind)
{
	struct yfile yf = YFILE_INIT;
	struct yerror err;
	size_t i;

	if (yamlspan_parse(&yf, out->buf ? out->buf : "", out->len, false, &err) < 0)
		fz_fail("the %s policy does not parse: %d:%d %s\n%.3000s", kind, err.line, err.col,
			err.msg, sbuf_cstr((struct sbuf *)out));
	for (i = 0; i < yf.ndocs; i++) {
		const struct ynode *r = yf.docs[i].root;

		if (!r || yamlspan_is_null(r))
			continue;
		FZ_CHECK(yamlspan_str(yamlspan_get(r, "kind")),
			 "the %s policy: document %zu has no kind", kind, i + 1);
	}
	yamlspan_release(&yf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *kind;
		bool per_need;
	} kinds[] = {
		{ "psp", false },     { "psp", true },	       { "vap", false },
		{ "kyverno", false }, { "gatekeeper", false },
	};
	struct policy_set ps = POLICY_SET_INIT;
	struct fix_opts fo = FIX_OPTS_INIT;
	struct fix_result res;
	struct policy_pss_opts po;
	struct sbuf out = SBUF_INIT;
	size_t i;

	fix_result_init(&res);
	if (policy_gather(&ps, "in.yaml", (const char *)data, size, &fo, &res) < 0) {
		fix_result_release(&res);
		policy_set_release(&ps);
		cf_err_clear();
		return 0;
	}
	fix_result_release(&res);
	for (i = 0; ps.nw && i < ARRAY_SIZE(kinds); i++) {
		struct policygen_opts o = { kinds[i].kind, NULL, kinds[i].per_need,
					    POLICYGEN_DENY };
		int r;

		sbuf_setlen(&out, 0);
		r = policygen_render(&out, &ps, &o);
		if (r < 0)
			fz_fail("%s: %s", kinds[i].kind, cf_err_last()->msg);
		if (r > 0) {
			size_t j;

			for (j = 0; j < ps.nnotes; j++)
				if (strstr(ps.notes[j].text, "would deny it after fix"))
					fz_fail("the %s policy denies a workload of its own input: %s",
						kinds[i].kind, ps.notes[j].text);
		}
		check_yaml(&out, kinds[i].kind);
	}
	memset(&po, 0, sizeof(po));
	sbuf_setlen(&out, 0);
	FZ_CHECK(policy_render_pss(&out, &ps, &po, false) == 0, "pss text: %s", cf_err_last()->msg);
	sbuf_setlen(&out, 0);
	FZ_CHECK(policy_render_pss(&out, &ps, &po, true) == 0, "pss json: %s", cf_err_last()->msg);
	{
		json_error_t jerr;
		json_t *j = json_loadb(out.buf ? out.buf : "", out.len, 0, &jerr);

		FZ_CHECK(j, "pss json is not JSON: %s", jerr.text);
		json_decref(j);
	}
	sbuf_release(&out);
	policy_set_release(&ps);
	cf_err_clear();
	return 0;
}
