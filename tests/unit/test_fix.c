/* Unit tests for fix.c: table-driven, input text -> exact output text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/addlist.h"
#include "capfix/capcfg.h"
#include "capfix/fix.h"
#include "capfix/imagemeta.h"
#include "capfix/trace.h"

struct fix_case {
	const char *name;
	const char *in;
	const char *out; /* NULL: unchanged */
	size_t fixed, skipped, already;
	bool json;
};

#define POD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
#define SC "    securityContext:\n      capabilities:\n        drop:\n        - ALL\n"

static const struct fix_case cases[] = {
	{ "missing securityContext", POD "  - name: c\n    image: i\n",
	  POD "  - name: c\n    image: i\n" SC, 1, 0, 0, false },
	{ "empty containers list is fine", POD "  []\n", NULL, 0, 0, 0, false },
	{ "existing sc gets capabilities",
	  POD "  - name: c\n    image: i\n    securityContext:\n      runAsUser: 1\n",
	  POD "  - name: c\n    image: i\n    securityContext:\n      runAsUser: 1\n"
	      "      capabilities:\n        drop:\n        - ALL\n",
	  1, 0, 0, false },
	{ "drop list appended, indented items",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop:\n"
	  "          - NET_RAW\n",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop:\n"
	  "          - NET_RAW\n          - ALL\n",
	  1, 0, 0, false },
	{ "single-quoted items stay single-quoted",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop:\n"
	  "        - 'NET_RAW'\n",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop:\n"
	  "        - 'NET_RAW'\n        - 'ALL'\n",
	  1, 0, 0, false },
	{ "already ALL",
	  POD "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n"
	      "        drop: [\"ALL\"]\n",
	  NULL, 0, 0, 1, false },
	{ "lower-case all counts as already",
	  POD "  - name: c\n    image: i\n    securityContext:\n"
	      "      capabilities:\n        drop: [all]\n",
	  NULL, 0, 0, 1, false },
	{ "ALLx is not ALL",
	  POD "  - name: c\n    image: i\n    securityContext:\n"
	      "      capabilities:\n        drop: [ALLX]\n",
	  POD "  - name: c\n    image: i\n    securityContext:\n"
	      "      capabilities:\n        drop: [ALLX, ALL]\n",
	  1, 0, 0, false },
	{ "empty flow drop list",
	  POD "  - name: c\n    image: i\n    securityContext:\n"
	      "      capabilities:\n        drop: []\n",
	  POD "  - name: c\n    image: i\n    securityContext:\n"
	      "      capabilities:\n        drop: [ALL]\n",
	  1, 0, 0, false },
	{ "privileged skipped",
	  POD "  - name: c\n    image: i\n    securityContext:\n      privileged: yes\n", NULL, 0,
	  1, 0, false },
	{ "quoted privileged string is not privileged",
	  POD "  - name: c\n    image: i\n    securityContext:\n      privileged: \"true\"\n",
	  POD "  - name: c\n    image: i\n    securityContext:\n      privileged: \"true\"\n"
	      "      capabilities:\n        drop:\n        - ALL\n",
	  1, 0, 0, false },
	{ "securityContext a list is left alone",
	  POD "  - name: c\n    image: i\n    securityContext: [a]\n", NULL, 0, 1, 0, false },
	{ "drop a scalar is left alone",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop: ALL\n",
	  NULL, 0, 1, 0, false },
	{ "container without image is a patch", POD "  - name: c\n", NULL, 0, 1, 0, false },
	{ "no final newline", POD "  - name: c\n    image: i",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop:\n"
	  "        - ALL",
	  1, 0, 0, false },
	{ "trailing comment on last value line", POD "  - name: c\n    image: i # pinned\n",
	  POD "  - name: c\n    image: i # pinned\n" SC, 1, 0, 0, false },
	{ "multi-line plain scalar as last value",
	  POD "  - name: c\n    image: i\n    args:\n    - a long\n      plain scalar\n",
	  POD "  - name: c\n    image: i\n    args:\n    - a long\n      plain scalar\n" SC, 1, 0,
	  0, false },
	{ "double-quoted multi-line scalar as last value",
	  POD "  - name: c\n    image: i\n    command: \"a\n      b\"\n",
	  POD "  - name: c\n    image: i\n    command: \"a\n      b\"\n" SC, 1, 0, 0, false },
	{ "key on the line after the dash", POD "  -\n    name: c\n    image: i\n",
	  POD "  -\n    name: c\n    image: i\n" SC, 1, 0, 0, false },
	{ "tabs inside scalars", POD "  - name: c\n    image: i\n    args: [\"a\\tb\", \"\tc\"]\n",
	  POD "  - name: c\n    image: i\n    args: [\"a\\tb\", \"\tc\"]\n" SC, 1, 0, 0, false },
	{ "explicit null drop in flow context",
	  POD "  - {name: c, image: i, securityContext: {capabilities: {drop: ~}}}\n",
	  POD "  - {name: c, image: i, securityContext: {capabilities: {drop: [ALL]}}}\n", 1, 0, 0,
	  false },
	{ "sc null with a comment",
	  POD "  - name: c\n    image: i\n    securityContext: null # todo\n",
	  POD "  - name: c\n    image: i\n    securityContext: # todo\n"
	      "      capabilities:\n        drop:\n        - ALL\n",
	  1, 0, 0, false },
	{ "multi-line flow mapping, no trailing comma",
	  POD "  - {\n      name: c,\n      image: i\n    }\n",
	  POD
	  "  - {\n      name: c,\n      image: i,\n      securityContext: {capabilities: {drop: [ALL]}}\n    }\n",
	  1, 0, 0, false },
	{ "multi-line flow sequence append",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop: [\n"
	  "          NET_RAW, # raw sockets\n        ]\n",
	  POD
	  "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n        drop: [\n"
	  "          NET_RAW, # raw sockets\n          ALL,\n        ]\n",
	  1, 0, 0, false },
	{ "CronJob path",
	  "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n"
	  "      template:\n        spec:\n          containers:\n          - name: c\n"
	  "            image: i\n",
	  "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n"
	  "      template:\n        spec:\n          containers:\n          - name: c\n"
	  "            image: i\n            securityContext:\n              capabilities:\n"
	  "                drop:\n                - ALL\n",
	  1, 0, 0, false },
	{ "Deployment without selector is a patch",
	  "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
	  "      - name: c\n        image: i\n",
	  NULL, 0, 1, 0, false },
	{ "extensions/v1beta1 Deployment needs no selector",
	  "apiVersion: extensions/v1beta1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
	  "      containers:\n      - name: c\n        image: i\n",
	  "apiVersion: extensions/v1beta1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
	  "      containers:\n      - name: c\n        image: i\n        securityContext:\n"
	  "          capabilities:\n            drop:\n            - ALL\n",
	  1, 0, 0, false },
	{ "kind is not pod-bearing",
	  "apiVersion: v1\nkind: Service\nspec:\n  containers:\n  - name: c\n"
	  "    image: i\n",
	  NULL, 0, 0, 0, false },
	{ "Rollout of another group is not touched",
	  "apiVersion: x.io/v1\nkind: Rollout\nspec:\n  template:\n    spec:\n      containers:\n"
	  "      - name: c\n        image: i\n",
	  NULL, 0, 0, 0, false },
	{ "JSON compact",
	  "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}\n",
	  "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\","
	  "\"securityContext\":{\"capabilities\":{\"drop\":[\"ALL\"]}}}]}}\n",
	  1, 0, 0, true },
	{ "JSON empty drop",
	  "{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\", "
	  "\"securityContext\": {\"capabilities\": {\"drop\": []}}}]}}",
	  "{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\", "
	  "\"securityContext\": {\"capabilities\": {\"drop\": [\"ALL\"]}}}]}}",
	  1, 0, 0, true },
	{ "JSON pretty, 2 spaces",
	  "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"c\",\n"
	  "        \"image\": \"i\"\n      }\n    ]\n  }\n}\n",
	  "{\n  \"kind\": \"Pod\",\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"c\",\n"
	  "        \"image\": \"i\",\n        \"securityContext\": {\n          \"capabilities\": {\n"
	  "            \"drop\": [\n              \"ALL\"\n            ]\n          }\n        }\n"
	  "      }\n    ]\n  }\n}\n",
	  1, 0, 0, true },
	{ "List of Pods",
	  "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n"
	  "    containers:\n    - name: c\n      image: i\n",
	  "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n"
	  "    containers:\n    - name: c\n      image: i\n      securityContext:\n"
	  "        capabilities:\n          drop:\n          - ALL\n",
	  1, 0, 0, false },
	{ "CRLF insertion",
	  "kind: Pod\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: i\r\n",
	  "kind: Pod\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: i\r\n"
	  "    securityContext:\r\n      capabilities:\r\n        drop:\r\n        - ALL\r\n",
	  1, 0, 0, false },
};

static void test_fix_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fix_case *c = &cases[i];
		struct fix_opts opts = FIX_OPTS_INIT;
		struct fix_result res;
		int r;

		opts.json = c->json;
		opts.drop_only = true;
		fix_result_init(&res);
		r = fix_buffer(&res, c->in, strlen(c->in), &opts);
		if (r != 0)
			fail_msg("case '%s': fix_buffer failed: %s", c->name, res.err.msg);
		if (c->out) {
			if (!res.changed)
				fail_msg("case '%s': expected a change", c->name);
			if (strcmp(res.out.buf, c->out))
				fail_msg("case '%s': got\n%s\nwant\n%s", c->name, res.out.buf,
					 c->out);
		} else if (res.changed) {
			fail_msg("case '%s': expected no change, got\n%s", c->name, res.out.buf);
		}
		if (res.fixed != c->fixed || res.skipped != c->skipped || res.already != c->already)
			fail_msg("case '%s': fixed/skipped/already %zu/%zu/%zu, want %zu/%zu/%zu",
				 c->name, res.fixed, res.skipped, res.already, c->fixed, c->skipped,
				 c->already);
		fix_result_release(&res);
	}
}

/* A second run over every changed output is a no-op. */
static void test_fix_idempotent(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fix_case *c = &cases[i];
		struct fix_opts opts = FIX_OPTS_INIT;
		struct fix_result res;

		if (!c->out)
			continue;
		opts.json = c->json;
		fix_result_init(&res);
		assert_int_equal(fix_buffer(&res, c->out, strlen(c->out), &opts), 0);
		if (res.changed)
			fail_msg("case '%s': second run changed:\n%s", c->name, res.out.buf);
		fix_result_release(&res);
	}
}

static void test_fix_parse_error_position(void **state)
{
	const char *in = "kind: Pod\nspec:\n  containers: [\n";
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;

	(void)state;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), -1);
	assert_int_equal(res.status, FIX_PARSE_ERROR);
	assert_true(res.err.line >= 3);
	assert_true(res.err.col >= 1);
	assert_false(res.changed);
	fix_result_release(&res);
}

static void test_fix_template_detected(void **state)
{
	const char *in = "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n";
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;

	(void)state;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), -1);
	assert_int_equal(res.status, FIX_TEMPLATE);
	assert_int_equal(res.err.line, 3);
	fix_result_release(&res);
}

static void test_fix_notes_carry_positions(void **state)
{
	const char *in = POD "  - name: ok\n    image: nginx\n  - name: priv\n    image: i\n"
			     "    securityContext: {privileged: true}\n";
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;
	size_t i, warns = 0;

	(void)state;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), 0);
	for (i = 0; i < res.nnotes; i++) {
		if (res.notes[i].level != FIX_NOTE_WARN)
			continue;
		warns++;
		assert_int_equal(res.notes[i].line, 9);
		assert_int_equal(res.notes[i].col, 5);
		assert_non_null(strstr(res.notes[i].msg, "\"priv\""));
	}
	assert_int_equal(warns, 1);
	fix_result_release(&res);
}

/* Inference of add lists (the default mode): input -> exact output. */
struct add_case {
	const char *name;
	const char *in;
	const char *out; /* NULL: unchanged */
	const char *deny; /* --deny list, or NULL */
	bool strict;
	size_t added, removed;
};

#define C1 "  - name: c\n    image: "

static const struct add_case add_cases[] = {
	{ "unknown image as root: nothing added", POD C1 "example.com/app:1\n",
	  POD C1 "example.com/app:1\n" SC, NULL, false, 0, 0 },
	{ "low port as root: NET_BIND_SERVICE",
	  POD C1 "example.com/app:1\n    ports:\n    - containerPort: 80\n",
	  POD C1
	  "example.com/app:1\n    ports:\n    - containerPort: 80\n"
	  "    securityContext:\n      capabilities:\n        add:\n        - NET_BIND_SERVICE\n"
	  "        drop:\n        - ALL\n",
	  NULL, false, 1, 0 },
	{ "port 1024 is not low",
	  POD C1 "example.com/app:1\n    ports:\n    - containerPort: 1024\n",
	  POD C1 "example.com/app:1\n    ports:\n    - containerPort: 1024\n" SC, NULL, false, 0,
	  0 },
	{ "low port, runAsUser 1000 at container level",
	  POD C1 "example.com/app:1\n    ports:\n    - containerPort: 80\n    securityContext:\n"
		 "      runAsUser: 1000\n",
	  POD C1 "example.com/app:1\n    ports:\n    - containerPort: 80\n    securityContext:\n"
		 "      runAsUser: 1000\n      capabilities:\n        drop:\n        - ALL\n",
	  NULL, false, 0, 0 },
	{ "runAsNonRoot false is root",
	  POD C1 "redis:7\n    securityContext:\n      runAsNonRoot: false\n",
	  POD C1 "redis:7\n    securityContext:\n      runAsNonRoot: false\n      capabilities:\n"
		 "        add:\n        - SETGID\n        - SETUID\n        drop:\n        - ALL\n",
	  NULL, false, 2, 0 },
	{ "denied profile capability is not added", POD C1 "redis:7\n",
	  POD C1
	  "redis:7\n    securityContext:\n      capabilities:\n        add:\n        - SETGID\n"
	  "        drop:\n        - ALL\n",
	  "SETUID", false, 1, 0 },
	{ "already minimal",
	  POD C1 "example.com/app:1\n    securityContext:\n      capabilities:\n"
		 "        add: [NET_ADMIN]\n        drop: [ALL]\n",
	  NULL, NULL, false, 0, 0 },
	{ "strict removes the declared add and the key",
	  POD C1 "example.com/app:1\n    securityContext:\n      capabilities:\n"
		 "        add: [NET_ADMIN]\n        drop: [ALL]\n",
	  POD C1 "example.com/app:1\n    securityContext:\n      capabilities:\n"
		 "        drop: [ALL]\n",
	  NULL, true, 0, 1 },
	{ "deny the last item of a file without a final newline",
	  POD C1
	  "example.com/app:1\n    securityContext:\n      capabilities:\n        drop: [ALL]\n"
	  "        add:\n        - NET_ADMIN\n        - SYS_ADMIN",
	  POD C1
	  "example.com/app:1\n    securityContext:\n      capabilities:\n        drop: [ALL]\n"
	  "        add:\n        - NET_ADMIN",
	  "SYS_ADMIN", false, 0, 1 },
	{ "null add gets a list",
	  POD C1
	  "nginx:1\n    securityContext:\n      capabilities:\n        add:\n        drop: [ALL]\n",
	  POD C1
	  "nginx:1\n    securityContext:\n      capabilities:\n        add:\n        - CHOWN\n"
	  "        - NET_BIND_SERVICE\n        - SETGID\n        - SETUID\n        drop: [ALL]\n",
	  NULL, false, 4, 0 },
	{ "an item with a trailing comment can be removed",
	  POD C1 "example.com/app:1\n    securityContext:\n      capabilities:\n        add:\n"
		 "        - SYS_ADMIN # needed?\n        - CHOWN\n        drop: [ALL]\n",
	  POD C1 "example.com/app:1\n    securityContext:\n      capabilities:\n        add:\n"
		 "        - CHOWN\n        drop: [ALL]\n",
	  "SYS_ADMIN", false, 0, 1 },
};

static void test_fix_add_lists(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(add_cases) / sizeof(add_cases[0]); i++) {
		const struct add_case *c = &add_cases[i];
		struct fix_opts opts = FIX_OPTS_INIT;
		struct fix_result res, again;

		opts.strict = c->strict;
		if (c->deny)
			assert_int_equal(capcfg_parse_list(c->deny, &opts.deny), 0);
		fix_result_init(&res);
		if (fix_buffer(&res, c->in, strlen(c->in), &opts) != 0)
			fail_msg("case '%s': fix_buffer failed: %s", c->name, res.err.msg);
		if (c->out && (!res.changed || strcmp(res.out.buf, c->out)))
			fail_msg("case '%s': got\n%s\nwant\n%s", c->name,
				 res.changed ? res.out.buf : "(unchanged)", c->out);
		if (!c->out && res.changed)
			fail_msg("case '%s': expected no change, got\n%s", c->name, res.out.buf);
		if (res.caps_added != c->added || res.caps_removed != c->removed)
			fail_msg("case '%s': added/removed %zu/%zu, want %zu/%zu", c->name,
				 res.caps_added, res.caps_removed, c->added, c->removed);
		if (c->out) { /* a second run is a no-op */
			fix_result_init(&again);
			assert_int_equal(fix_buffer(&again, res.out.buf, res.out.len, &opts), 0);
			if (again.changed)
				fail_msg("case '%s': second run changed:\n%s", c->name,
					 again.out.buf);
			fix_result_release(&again);
		}
		fix_result_release(&res);
	}
}

/* Evidence: counts, warnings and the structured report entries. */
static void test_fix_evidence(void **state)
{
	const char *in = POD "  - name: unknown\n    image: example.com/a:1\n"
			     "  - name: probe\n    image: example.com/a:1\n    command: [/a]\n"
			     "    livenessProbe:\n      exec:\n        command: [ping, -c1, db]\n"
			     "  - name: nonroot\n    image: example.com/a:1\n"
			     "    securityContext: {runAsNonRoot: true}\n";
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;
	size_t i, pss = 0, unknown = 0;

	(void)state;
	opts.report = true;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), 0);
	assert_int_equal(res.fixed, 3);
	assert_int_equal(res.unknown, 1);
	assert_int_equal(res.nitems, 3);
	assert_true(res.items[0].unknown);
	assert_string_equal(res.items[0].outcome, "fixed");
	assert_string_equal(res.items[0].dec[0].action, "dropped");
	assert_false(res.items[1].unknown);
	assert_int_equal(res.items[1].nadd, 1);
	assert_string_equal(res.items[1].add[0], "NET_RAW");
	assert_string_equal(res.items[1].dec[1].evidence, "command");
	assert_false(res.items[2].root);
	for (i = 0; i < res.nnotes; i++) {
		pss += res.notes[i].level == FIX_NOTE_WARN &&
		       strstr(res.notes[i].msg, "Pod Security Standards baseline") != NULL;
		unknown += res.notes[i].level == FIX_NOTE_WARN &&
			   strstr(res.notes[i].msg, "no evidence about its image") != NULL;
	}
	assert_int_equal(pss, 1);
	assert_int_equal(unknown, 1);
	fix_result_release(&res);
	/* --unknown-images skip: left alone, still warned, not counted as fixed */
	opts.skip_unknown = true;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), 0);
	assert_int_equal(res.fixed, 2);
	assert_int_equal(res.skipped, 1);
	assert_int_equal(res.unknown, 0);
	assert_string_equal(res.items[0].outcome, "skipped");
	assert_true(res.items[0].unknown);
	fix_result_release(&res);
}

/* The report entry's decision for @cap, or NULL. */
static const struct fix_decision *decision(const struct fix_container *c, const char *cap)
{
	size_t i;

	for (i = 0; i < c->ndec; i++)
		if (!strcmp(c->dec[i].capability, cap))
			return &c->dec[i];
	return NULL;
}

static size_t warnings_with(const struct fix_result *res, const char *text)
{
	size_t i, n = 0;

	for (i = 0; i < res->nnotes; i++)
		n += res->notes[i].level == FIX_NOTE_WARN &&
		     strstr(res->notes[i].msg, text) != NULL;
	return n;
}

#define DEP                                                                                        \
	"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"       \
	"spec:\n  selector: {matchLabels: {app: web}}\n  template:\n    spec:\n      containers:\n"

static void test_fix_image_and_trace_evidence(void **state)
{
	static const char images[] =
		"[{\"Id\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
		"\"RepoTags\":[\"example.com/app:1\"],"
		"\"Config\":{\"User\":\"\",\"Entrypoint\":[\"gosu\",\"app\",\"/srv/run\"],\"Cmd\":null}},"
		"{\"Id\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		"\"RepoTags\":[\"example.com/nonroot:1\"],"
		"\"Config\":{\"User\":\"65532\",\"Entrypoint\":[\"/app\"],\"Cmd\":null}}]";
	static const char trace[] =
		"{\"cap\":\"CAP_CHOWN\",\"capable\":true,\"audit\":1,\"insetid\":false,"
		"\"syscall\":\"SYS_FCHOWNAT\",\"current_userns\":1,\"target_userns\":1,"
		"\"proc\":{\"comm\":\"nginx\",\"pid\":7,\"creds\":{\"uid\":0,\"gid\":0}},"
		"\"k8s\":{\"namespace\":\"shop\",\"podName\":\"web-7d4b9c8f6-x2kqz\","
		"\"containerName\":\"web\",\"owner\":{\"kind\":\"Deployment\",\"name\":\"web\"}}}\n"
		"{\"cap\":\"CAP_NET_ADMIN\",\"capable\":false,\"audit\":1,\"insetid\":false,"
		"\"syscall\":\"SYS_SETSOCKOPT\",\"current_userns\":1,\"target_userns\":1,"
		"\"proc\":{\"comm\":\"nginx\",\"pid\":7,\"creds\":{\"uid\":0,\"gid\":0}},"
		"\"k8s\":{\"namespace\":\"shop\",\"podName\":\"web-7d4b9c8f6-x2kqz\","
		"\"containerName\":\"web\",\"owner\":{\"kind\":\"Deployment\",\"name\":\"web\"}}}\n";
	const char *in_app = DEP "      - name: web\n        image: example.com/app:1\n";
	const char *in_nonroot = DEP "      - name: web\n        image: example.com/nonroot:1\n"
				     "        ports: [{containerPort: 80}]\n";
	const char *in_root = DEP "      - name: web\n        image: example.com/nonroot:1\n"
				  "        securityContext: {runAsUser: 0}\n"
				  "        ports: [{containerPort: 80}]\n";
	const char *in_nginx = DEP "      - name: web\n        image: nginx:1.27\n"
				   "        ports: [{containerPort: 80}]\n";
	struct imagemeta_set *im = imagemeta_set_new();
	struct trace_set *ts = trace_set_new();
	struct fix_opts opts = FIX_OPTS_INIT;
	struct fix_result res;
	const struct fix_decision *d;

	(void)state;
	assert_int_equal(imagemeta_load_buf(im, "images.json", (const unsigned char *)images,
					    sizeof(images) - 1, NULL),
			 2);
	assert_int_equal(
		trace_set_load_buf(ts, "ig.json", trace, sizeof(trace) - 1, NULL, TRACE_FMT_AUTO),
		0);
	opts.report = true;

	/* without evidence: unknown */
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_app, strlen(in_app), &opts), 0);
	assert_int_equal(res.unknown, 1);
	fix_result_release(&res);

	/* the image's entrypoint (gosu) is read: evidence of kind image, not unknown */
	opts.images = im;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_app, strlen(in_app), &opts), 0);
	assert_int_equal(res.unknown, 0);
	assert_int_equal(res.nitems, 1);
	assert_non_null(d = decision(&res.items[0], "SETUID"));
	assert_string_equal(d->evidence, "image");
	assert_non_null(strstr(d->source, "gosu")); /* the rule; the evidence kind says image */
	assert_true(res.items[0].basis & (1u << ADDLIST_EV_IMAGE));
	fix_result_release(&res);

	/* a non-root image: no NET_BIND_SERVICE for port 80, no warning */
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_nonroot, strlen(in_nonroot), &opts), 0);
	assert_int_equal(res.unknown, 0);
	assert_int_equal(res.items[0].nadd, 0);
	assert_false(res.items[0].root);
	assert_int_equal(warnings_with(&res, "no evidence"), 0);
	fix_result_release(&res);

	/* ... unless the manifest says runAsUser: 0 */
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_root, strlen(in_root), &opts), 0);
	assert_int_equal(res.items[0].nadd, 1);
	assert_string_equal(res.items[0].add[0], "NET_BIND_SERVICE");
	fix_result_release(&res);

	/* a trace replaces the profile and port guesses: CHOWN alone, citing the file */
	opts.images = NULL;
	opts.traces = ts;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_nginx, strlen(in_nginx), &opts), 0);
	assert_int_equal(res.items[0].nadd, 1);
	assert_string_equal(res.items[0].add[0], "CHOWN");
	assert_non_null(d = decision(&res.items[0], "CHOWN"));
	assert_string_equal(d->evidence, "trace");
	assert_string_equal(d->source, "ig.json");
	assert_non_null(strstr(d->reason, "1 check granted"));
	assert_int_equal(warnings_with(&res, "NET_ADMIN only denied"), 1);
	assert_int_equal(res.unknown, 0);
	fix_result_release(&res);

	/* --trust-denied: the denied check counts */
	opts.trust_denied = true;
	fix_result_init(&res);
	assert_int_equal(fix_buffer(&res, in_nginx, strlen(in_nginx), &opts), 0);
	assert_int_equal(res.items[0].nadd, 2);
	assert_int_equal(warnings_with(&res, "only denied"), 0);
	fix_result_release(&res);

	/* a declared add the trace never used: kept, removed with --strict */
	opts.trust_denied = false;
	{
		const char *in = DEP "      - name: web\n        image: nginx:1.27\n"
				     "        securityContext: {capabilities: {add: [SYS_TIME]}}\n";

		fix_result_init(&res);
		assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), 0);
		assert_int_equal(res.items[0].nadd, 2);
		fix_result_release(&res);
		opts.strict = true;
		fix_result_init(&res);
		assert_int_equal(fix_buffer(&res, in, strlen(in), &opts), 0);
		assert_int_equal(res.items[0].nadd, 1);
		assert_string_equal(res.items[0].add[0], "CHOWN");
		fix_result_release(&res);
	}
	imagemeta_set_free(im);
	trace_set_free(ts);
}

/*
 * A workload whose lists can't be edited is left alone with a message that
 * names the list as it is spelled there: Kubernetes and compose alike.
 */
static void test_fix_left_alone_messages(void **state)
{
	static const struct {
		const char *in, *want;
	} alone[] = {
		{ POD "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n"
		      "        add: NET_ADMIN\n",
		  "container \"c\" left alone: capabilities.add is not a list" },
		{ POD "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n"
		      "        drop: {a: b}\n",
		  "container \"c\" left alone: capabilities.drop is not a list" },
		{ POD "  - name: c\n    image: i\n    securityContext:\n      capabilities:\n"
		      "        drop: &d [NET_RAW]\n",
		  "container \"c\" left alone: capabilities.drop has an anchor" },
		{ "services:\n  web:\n    image: nginx\n    cap_add: NET_ADMIN\n",
		  "service \"web\" left alone: cap_add is not a list" },
		{ "services:\n  web:\n    image: nginx\n    cap_drop: ALL\n",
		  "service \"web\" left alone: cap_drop is not a list" },
		{ "x: &d [NET_RAW]\nservices:\n  web:\n    image: nginx\n    cap_drop: *d\n",
		  "service \"web\" left alone: cap_drop is an alias" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++) {
		struct fix_opts opts = FIX_OPTS_INIT;
		struct fix_result res;
		bool found = false;

		fix_result_init(&res);
		assert_int_equal(fix_buffer(&res, alone[i].in, strlen(alone[i].in), &opts), 0);
		assert_false(res.changed);
		assert_int_equal(res.skipped, 1);
		for (j = 0; j < res.nnotes; j++)
			found |= strstr(res.notes[j].msg, alone[i].want) != NULL;
		if (!found)
			fail_msg("case %zu: no note '%s' (first: %s)", i, alone[i].want,
				 res.nnotes ? res.notes[0].msg : "none");
		fix_result_release(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fix_table),
		cmocka_unit_test(test_fix_idempotent),
		cmocka_unit_test(test_fix_parse_error_position),
		cmocka_unit_test(test_fix_template_detected),
		cmocka_unit_test(test_fix_notes_carry_positions),
		cmocka_unit_test(test_fix_add_lists),
		cmocka_unit_test(test_fix_evidence),
		cmocka_unit_test(test_fix_image_and_trace_evidence),
		cmocka_unit_test(test_fix_left_alone_messages),
	};

	return cmocka_run_group_tests_name("fix", tests, NULL, NULL);
}
