/*
 * cfg_fuzz.c - libFuzzer harness for the configuration file (capcfg.h): a
 * repository can ship its own .capfix.yaml, which `capfix fix` reads from
 * the directory it runs in, so the file is input like any manifest.
 *
 * The input is loaded with capcfg_load(); the harness aborts when a load
 * fails without a usage error naming the file with a position, leaves
 * rules behind, or succeeds with masks naming bits that are no capability;
 * each loaded configuration is evaluated against a few containers. The
 * input, as a C string, also goes through capcfg_parse_list() (--deny).
 */
#include "capfix/capcfg.h"
#include "capfix/caps.h"
#include "capfix/err.h"

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static uint64_t all_caps(void)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < caps_count(); i++)
		m |= (uint64_t)1 << caps_at(i)->number;
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct capcfg_target targets[] = {
		{ "nginx:1.25", "default", "Deployment", "web", "app" },
		{ "quay.io/calico/node:v3.26@sha256:0", "kube-system", "DaemonSet", "calico-node",
		  "calico" },
		{ NULL, NULL, NULL, NULL, NULL },
		{ "", "", "", "", "" },
		{ "[*?\\", "*", "Pod", "[", "]" },
	};
	struct capcfg cfg = CAPCFG_INIT;
	uint64_t valid = all_caps(), mask = 0;
	char *str;
	size_t i;

	if (capcfg_load(&cfg, "dir/.capfix.yaml", (const char *)data, size) < 0) {
		const struct cf_error *e = cf_err_last();

		FZ_CHECK(e->cls == CF_E_USAGE, "a failed load recorded error class %d",
			 (int)e->cls);
		FZ_CHECK(!strncmp(e->msg, "dir/.capfix.yaml:", 17),
			 "a failed load does not name the file: %s", e->msg);
		FZ_CHECK(cfg.nrules == 0 && cfg.rules == NULL, "a failed load left rules behind");
	} else {
		for (i = 0; i < cfg.nrules; i++) {
			const struct capcfg_rule *r = &cfg.rules[i];

			FZ_CHECK(!((r->allow | r->deny | r->add) & ~valid),
				 "rule %zu names a bit that is no capability", i);
			FZ_CHECK(r->line >= 1, "rule %zu has line %d", i, r->line);
		}
		for (i = 0; i < ARRAY_SIZE(targets); i++) {
			uint64_t allow = 0, deny = 0, add = 0;

			capcfg_eval(&cfg, &targets[i], &allow, &deny, &add);
			FZ_CHECK(!((allow | deny | add) & ~valid),
				 "capcfg_eval gave a bit that is no capability");
		}
	}
	capcfg_release(&cfg);
	FZ_CHECK(cfg.nrules == 0 && cfg.rules == NULL, "capcfg_release left rules");

	if (size < 4096) {
		str = malloc(size + 1);
		if (!str)
			abort();
		memcpy(str, data, size);
		str[size] = '\0';
		if (capcfg_parse_list(str, &mask) == 0)
			FZ_CHECK(!(mask & ~valid),
				 "capcfg_parse_list gave a bit that is no capability");
		else
			FZ_CHECK(cf_err_last()->cls == CF_E_USAGE, "capcfg_parse_list: class %d",
				 (int)cf_err_last()->cls);
		free(str);
	}
	cf_err_clear();
	return 0;
}
