/*
 * fuzz_common.h - helpers shared by the fuzz harnesses: a failing check
 * that aborts with a message, a small unified-diff applier (to check the
 * patches capfix writes without git).
 */
#ifndef CAPFIX_FUZZ_COMMON_H
#define CAPFIX_FUZZ_COMMON_H

#include "capfix/sbuf.h"

#include <stdint.h>

/* libFuzzer's entry points (also called by replay_main.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz invariant violated: ..." to stderr and abort(). */
_Noreturn void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FZ_CHECK(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fz_fail(__VA_ARGS__);                                                      \
	} while (0)

/*
 * Apply the unified diff @patch (one file, as patch_append() writes it) to
 * @src and append the result to @out. Context and removed lines must match
 * @src exactly. Returns 0, or -1 with a reason in @why (static string).
 */
int fz_apply_patch(const char *patch, size_t plen, const char *src, size_t slen, struct sbuf *out,
		   const char **why);

#endif
