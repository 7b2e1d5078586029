/*
 * Unit tests for trace.c: every format (fixtures written here from the
 * documented schemas, see trace.h), attribution, and the semantics from
 * checks to needs as tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "capfix/trace.h"
#include "capfix/caps.h"
#include "capfix/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t bit(const char *name)
{
	const struct cap_info *ci = caps_lookup(name);

	assert_non_null(ci);
	return (uint64_t)1 << ci->number;
}

static uint64_t bits(const char *const *names)
{
	uint64_t m = 0;

	for (; names && *names; names++)
		m |= bit(*names);
	return m;
}

static struct trace_set *load(const char *text, const char *sel, enum trace_format want)
{
	struct trace_set *s = trace_set_new();

	if (trace_set_load_buf(s, "t.json", text, strlen(text), sel, TRACE_FMT_AUTO))
		fail_msg("load: %s", cf_err_last()->msg);
	assert_int_equal(trace_set_file(s, 0)->format, want);
	return s;
}

/* An Inspektor Gadget (image-based gadget) event line. */
static void ig_line(char *buf, size_t size, const char *cap, bool capable, int audit,
		    const char *syscall, int uid, const char *comm, int pid, const char *pod,
		    const char *owner)
{
	snprintf(buf, size,
		 "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"cap\":\"%s\",\"cap_raw\":0,"
		 "\"capable\":%s,\"audit\":%d,\"insetid\":false,\"syscall\":\"%s\","
		 "\"current_userns\":4026531837,\"target_userns\":4026531837,"
		 "\"cap_effective\":\"CAP_CHOWN|CAP_SETUID\","
		 "\"proc\":{\"comm\":\"%s\",\"pid\":%d,\"tid\":%d,\"mntns_id\":4026532000,"
		 "\"creds\":{\"uid\":%d,\"gid\":%d}},"
		 "\"runtime\":{\"containerName\":\"web\",\"containerImageName\":\"nginx:1.25\"},"
		 "\"k8s\":{\"node\":\"n1\",\"namespace\":\"shop\",\"podName\":\"%s\","
		 "\"containerName\":\"web\",\"podLabels\":{\"app\":\"web\"}%s}}\n",
		 cap, capable ? "true" : "false", audit, syscall, comm, pid, pid, uid, uid, pod,
		 owner);
}

static void test_ig_current(void **state)
{
	char text[8192], l[1024];
	size_t off = 0;
	struct trace_set *s;
	struct trace_result r;
	const char *own = ",\"owner\":{\"kind\":\"Deployment\",\"name\":\"web\"}";
	struct trace_workload w = { "shop", "Deployment", "web", "web", NULL };
	static const char *const need[] = { "CHOWN", "SETUID", "SETGID", "DAC_READ_SEARCH", NULL };
	static const char *const cand[] = { "SYS_NICE", NULL };

	(void)state;
	text[0] = '\0';
#define ADD(...)                                                                                   \
	do {                                                                                       \
		ig_line(l, sizeof(l), __VA_ARGS__);                                                \
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s", l);                  \
	} while (0)
	ADD("CAP_CHOWN", true, 1, "SYS_FCHOWNAT", 0, "chown", 10, "web-7d4b9c8f6-x2kqz", own);
	ADD("CAP_CHOWN", true, 1, "SYS_FCHOWNAT", 0, "chown", 10, "web-7d4b9c8f6-x2kqz", own);
	ADD("CAP_SETGID", true, 1, "SYS_SETGROUPS", 0, "gosu", 11, "web-7d4b9c8f6-x2kqz", own);
	ADD("CAP_SETUID", true, 1, "SYS_SETUID", 0, "gosu", 11, "web-7d4b9c8f6-x2kqz", own);
	/* noise: the overcommit probe, and execve-time checks */
	ADD("CAP_SYS_ADMIN", false, 0, "SYS_MMAP", 0, "nginx", 12, "web-7d4b9c8f6-x2kqz", own);
	ADD("CAP_SYS_ADMIN", false, 1, "SYS_EXECVE", 0, "nginx", 12, "web-7d4b9c8f6-x2kqz", own);
	ADD("CAP_SETPCAP", false, 1, "SYS_EXECVE", 0, "nginx", 12, "web-7d4b9c8f6-x2kqz", own);
	/* DAC pair: DAC_READ_SEARCH denied then DAC_OVERRIDE granted: one DAC_READ_SEARCH */
	ADD("CAP_DAC_READ_SEARCH", false, 1, "SYS_OPENAT", 0, "find", 13, "web-7d4b9c8f6-x2kqz",
	    own);
	ADD("CAP_DAC_OVERRIDE", true, 1, "SYS_OPENAT", 0, "find", 13, "web-7d4b9c8f6-x2kqz", own);
	/* denied only: a candidate */
	ADD("CAP_SYS_NICE", false, 1, "SYS_SETPRIORITY", 0, "nginx", 12, "web-7d4b9c8f6-x2kqz",
	    own);
	/* a non-root process's denial: ignored */
	ADD("CAP_NET_RAW", false, 1, "SYS_SOCKET", 101, "ping", 14, "web-7d4b9c8f6-x2kqz", own);
	/* another workload */
	ADD("CAP_KILL", true, 1, "SYS_KILL", 0, "sh", 15, "api-5f6d7c8b9-bcdfz", "");
#undef ADD
	s = load(text, NULL, TRACE_FMT_IG);
	assert_int_equal(trace_set_file(s, 0)->paired, 1);
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, bits(need));
	assert_int_equal(r.candidates, bits(cand));
	assert_int_equal(r.nonroot_ignored, bit("NET_RAW"));
	assert_int_equal(r.noise, 3);
	assert_int_equal(r.granted[0], 2); /* CHOWN twice */
	assert_int_equal(r.events, 10); /* the DAC pair is one check */
	assert_string_equal(r.file, "t.json");
	assert_int_equal(r.nfiles, 1);
	assert_false(r.flags & TRACE_Q_DROP_ALL);
	assert_true(r.flags & TRACE_Q_NONROOT);
	/* the same events by pod name when the owner is unknown */
	{
		struct trace_workload other = { "shop", "Deployment", "api", NULL, NULL };

		assert_true(trace_query(s, &other, NULL, &r));
		assert_int_equal(r.needs, bit("KILL"));
	}
	/* namespace and container must agree */
	{
		struct trace_workload o1 = { "prod", "Deployment", "web", NULL, NULL };
		struct trace_workload o2 = { NULL, "Deployment", "web", "sidecar", NULL };
		struct trace_workload o3 = { NULL, "StatefulSet", "web", NULL, NULL };

		assert_false(trace_query(s, &o1, NULL, &r));
		assert_false(trace_query(s, &o2, NULL, &r));
		assert_false(trace_query(s, &o3, NULL, &r));
	}
	/* trust_denied makes candidates needs */
	{
		struct trace_opts o = { .trust_denied = true };

		assert_true(trace_query(s, &w, &o, &r));
		assert_int_equal(r.needs, bits(need) | bits(cand));
	}
	trace_set_free(s);
}

static void test_ig_pretty_and_userns(void **state)
{
	/* -o jsonpretty: objects over several lines; current_user_ns spelling; numbers for flags */
	static const char text[] =
		"{\n  \"cap\": \"CAP_SYS_CHROOT\",\n  \"capable\": true,\n  \"audit\": 1,\n"
		"  \"syscall\": \"SYS_CHROOT\",\n  \"current_user_ns\": 1,\n  \"target_user_ns\": 1,\n"
		"  \"proc\": {\"comm\": \"mychroot\", \"pid\": 5, \"creds\": {\"uid\": 0}},\n"
		"  \"k8s\": {\"namespace\": \"t\", \"podName\": \"job-x-bcdfg\", \"containerName\": \"c\"}\n}\n"
		"{\n  \"cap\": \"CAP_NET_ADMIN\",\n  \"capable\": true,\n  \"audit\": 1,\n"
		"  \"syscall\": \"SYS_SOCKET\",\n  \"current_user_ns\": 1,\n  \"target_user_ns\": 2,\n"
		"  \"proc\": {\"comm\": \"ip\", \"pid\": 6, \"creds\": {\"uid\": 0}},\n"
		"  \"k8s\": {\"namespace\": \"t\", \"podName\": \"job-x-bcdfg\", \"containerName\": \"c\"}\n}\n";
	struct trace_set *s = load(text, NULL, TRACE_FMT_IG);
	struct trace_workload w = { "t", "Job", "job-x", "c", NULL };
	struct trace_result r;

	(void)state;
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, bit("SYS_CHROOT"));
	assert_int_equal(r.other_userns, bit("NET_ADMIN"));
	assert_int_equal(trace_set_event(s, 0)->line, 1);
	assert_int_equal(trace_set_event(s, 1)->line, 11);
	trace_set_free(s);
}

static void test_ig_legacy(void **state)
{
	/* the built-in gadget's documented sample shape; all denied: looks like drop ALL */
	static const char text[] =
		"{\"node\":\"minikube\",\"namespace\":\"default\",\"pod\":\"db-0\",\"container\":\"pg\","
		"\"mountnsid\":4026532289,\"pid\":3,\"comm\":\"chown\",\"syscall\":\"fchownat\",\"uid\":0,"
		"\"cap\":0,\"capName\":\"CHOWN\",\"audit\":1,\"verdict\":\"Deny\",\"insetid\":0,"
		"\"targetuserns\":1,\"currentuserns\":1,\"caps\":0}\n"
		"{\"node\":\"minikube\",\"namespace\":\"default\",\"pod\":\"db-0\",\"container\":\"pg\","
		"\"pid\":4,\"comm\":\"gosu\",\"syscall\":\"setuid\",\"uid\":0,\"cap\":7,\"capName\":\"SETUID\","
		"\"audit\":1,\"verdict\":\"Deny\",\"insetid\":1}\n";
	struct trace_set *s = load(text, NULL, TRACE_FMT_IG_LEGACY);
	struct trace_workload w = { "default", "StatefulSet", "db", "pg", NULL };
	struct trace_result r;
	static const char *const cand[] = { "CHOWN", "SETUID", NULL };

	(void)state;
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, 0);
	assert_int_equal(r.candidates, bits(cand));
	assert_true(r.flags & TRACE_Q_DROP_ALL);
	assert_int_equal(trace_set_event(s, 1)->insetid, 1);
	trace_set_free(s);
}

static void test_tracee(void **state)
{
	static const char text[] =
		"{\"timestamp\":1,\"processId\":7,\"processName\":\"chown\",\"userId\":0,"
		"\"mountNamespace\":4026532000,\"containerId\":\"abc\","
		"\"container\":{\"id\":\"abc\",\"name\":\"app\",\"image\":\"postgres:16\"},"
		"\"kubernetes\":{\"podName\":\"pg-5d8f9b7c6d-qwxzt\",\"podNamespace\":\"data\",\"podUID\":\"u\"},"
		"\"eventName\":\"cap_capable\",\"syscall\":\"fchownat\","
		"\"args\":[{\"name\":\"cap\",\"type\":\"int\",\"value\":\"CAP_CHOWN\"}]}\n"
		"{\"timestamp\":2,\"processName\":\"sh\",\"userId\":0,\"eventName\":\"execve\","
		"\"kubernetes\":{\"podName\":\"pg-5d8f9b7c6d-qwxzt\",\"podNamespace\":\"data\"},\"args\":[]}\n"
		"{\"timestamp\":3,\"processId\":8,\"processName\":\"postgres\",\"userId\":999,"
		"\"container\":{\"name\":\"app\"},"
		"\"kubernetes\":{\"podName\":\"pg-5d8f9b7c6d-qwxzt\",\"podNamespace\":\"data\"},"
		"\"eventName\":\"cap_capable\",\"syscall\":\"setpriority\","
		"\"args\":[{\"name\":\"cap\",\"type\":\"int\",\"value\":23}]}\n";
	struct trace_set *s = load(text, NULL, TRACE_FMT_TRACEE);
	struct trace_workload w = { "data", "Deployment", "pg", "app", NULL };
	struct trace_result r;

	(void)state;
	assert_int_equal(trace_set_file(s, 0)->skipped, 1);
	assert_true(trace_query(s, &w, NULL, &r));
	/* no verdict: the audited check of root counts; uid 999's check without file caps is
	 * ignored */
	assert_int_equal(r.needs, bit("CHOWN"));
	assert_int_equal(r.nonroot_ignored, bit("SYS_NICE"));
	assert_true(r.flags & TRACE_Q_NO_VERDICT);
	trace_set_free(s);
}

static bool postgres_has_nice(const char *comm, int cap, void *ctx)
{
	(void)ctx;
	return !strcmp(comm, "postgres") && cap == 23;
}

static void test_filecap_callback(void **state)
{
	static const char text[] =
		"{\"processId\":8,\"processName\":\"postgres\",\"userId\":999,"
		"\"kubernetes\":{\"podName\":\"pg-0\",\"podNamespace\":\"data\"},"
		"\"eventName\":\"cap_capable\",\"syscall\":\"setpriority\","
		"\"args\":[{\"name\":\"cap\",\"value\":\"CAP_SYS_NICE\"}]}\n";
	struct trace_set *s = load(text, NULL, TRACE_FMT_TRACEE);
	struct trace_workload w = { "data", "StatefulSet", "pg", NULL, NULL };
	struct trace_opts o = { .filecap = postgres_has_nice };
	struct trace_result r;

	(void)state;
	assert_true(trace_query(s, &w, &o, &r));
	assert_int_equal(r.needs, bit("SYS_NICE"));
	assert_int_equal(r.nonroot_ignored, 0);
	trace_set_free(s);
}

static void test_bpftrace_selector(void **state)
{
	static const char text[] =
		"Attaching 3 probes...\n"
		"Tracing cap_capable syscalls... Hit Ctrl-C to end.\n"
		"TIME      UID    PID    COMM             CAP  NAME                 AUDIT\n"
		"22:11:23  0      7003   chown            0    CAP_CHOWN            0\n"
		"22:11:23  0      7003   chown            0    CAP_CHOWN            0\n"
		"22:11:23  0      7004   setpriv          7    CAP_SETUID           4\n"
		"22:11:23  0      7004   setpriv          6    CAP_SETGID           4\n"
		"22:11:23  0      7005   ls               2    CAP_DAC_READ_SEARCH  0\n"
		"22:11:23  0      7005   ls               1    CAP_DAC_OVERRIDE     0\n"
		"22:11:24  0      7006   app              21   CAP_SYS_ADMIN        2\n"
		"22:11:24  1000   7007   app              13   CAP_NET_RAW          0\n"
		"garbage line\n";
	struct trace_set *s = load(text, "shop/Deployment/web:app", TRACE_FMT_BPFTRACE);
	struct trace_workload w = { "shop", "Deployment", "web", "app", NULL };
	struct trace_workload other = { "shop", "Deployment", "api", "app", NULL };
	struct trace_result r;
	static const char *const need[] = { "CHOWN", "SETUID", "SETGID", "DAC_READ_SEARCH", NULL };

	(void)state;
	assert_int_equal(trace_set_file(s, 0)->paired, 1);
	assert_int_equal(trace_set_event(s, 2)->insetid, 1);
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, bits(need));
	/* a NOAUDIT check without verdict (no syscall known): a candidate */
	assert_int_equal(r.candidates, bit("SYS_ADMIN"));
	assert_int_equal(r.nonroot_ignored, bit("NET_RAW"));
	assert_false(trace_query(s, &other, NULL, &r));
	trace_set_free(s);

	/* without selector the events are unattributed and match nothing */
	s = load(text, NULL, TRACE_FMT_BPFTRACE);
	assert_int_equal(trace_set_file(s, 0)->unattributed, trace_set_nevents(s));
	assert_false(trace_query(s, &w, NULL, &r));
	trace_set_free(s);
}

static void test_bcc(void **state)
{
	static const char text[] =
		"TIME      UID    PID    TID    COMM             CAP  NAME                 AUDIT  INSETID\n"
		"10:00:00  0      100    100    nginx            10   CAP_NET_BIND_SERVICE 1      0\n"
		"10:00:00  0      100    100    nginx            7    CAP_SETUID           1      1\n"
		"10:00:00  0      100    100    nginx            21   CAP_SYS_ADMIN        0      0\n";
	struct trace_set *s = load(text, "web", TRACE_FMT_BCC);
	struct trace_workload w = { NULL, NULL, "web", NULL, NULL };
	struct trace_result r;

	(void)state;
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, bit("NET_BIND_SERVICE") | bit("SETUID"));
	assert_int_equal(r.candidates, bit("SYS_ADMIN"));
	assert_int_equal(trace_set_event(s, 1)->insetid, 1);
	assert_int_equal(trace_set_event(s, 2)->audit, 0);
	trace_set_free(s);
}

static void test_capaudit(void **state)
{
	static const char text[] =
		"{\n  \"application\": {\"pid\": 42, \"comm\": \"/usr/sbin/nginx\"},\n"
		"  \"system_context\": {\"kernel_version\": \"6.8\"},\n"
		"  \"capability_drop_observed\": false,\n"
		"  \"required_capabilities\": [\n"
		"    {\"number\": 10, \"name\": \"net_bind_service\", \"checks\": {\"total\": 2, \"granted\": 2, \"denied\": 0}},\n"
		"    {\"number\": 6, \"name\": \"setgid\", \"checks\": {\"total\": 1, \"granted\": 1, \"denied\": 0}, \"reason\": \"x\"}\n"
		"  ],\n"
		"  \"denied_capabilities\": [\n"
		"    {\"number\": 24, \"name\": \"sys_resource\", \"attempts\": 3}\n"
		"  ]\n}\n";
	struct trace_set *s = load(text, "default/Deployment/web", TRACE_FMT_CAPAUDIT);
	struct trace_workload w = { NULL, "Deployment", "web", "nginx", NULL };
	struct trace_result r;

	(void)state;
	assert_true(trace_query(s, &w, NULL, &r));
	assert_int_equal(r.needs, bit("NET_BIND_SERVICE") | bit("SETGID"));
	assert_int_equal(r.candidates, bit("SYS_RESOURCE"));
	assert_int_equal(r.granted[10], 2);
	assert_int_equal(r.denied[24], 3);
	assert_int_equal(r.events, 6);
	trace_set_free(s);
}

static void test_compose_identity(void **state)
{
	/* docker (ig run -r docker): no k8s fields, the runtime's container name */
	static const char text[] =
		"[{\"cap\":\"CAP_CHOWN\",\"capable\":true,\"audit\":true,\"syscall\":\"SYS_CHOWN\","
		"\"proc\":{\"comm\":\"chown\",\"pid\":1,\"creds\":{\"uid\":0}},"
		"\"runtime\":{\"containerName\":\"/shop-db-1\"}},"
		"{\"cap\":\"CAP_KILL\",\"capable\":true,\"audit\":true,\"syscall\":\"SYS_KILL\","
		"\"proc\":{\"comm\":\"kill\",\"pid\":2,\"creds\":{\"uid\":0}},"
		"\"runtime\":{\"containerName\":\"shop-web-2\"}}]\n";
	struct trace_set *s = load(text, NULL, TRACE_FMT_IG);
	struct trace_workload db = { NULL, NULL, "db", NULL, NULL };
	struct trace_workload db2 = { NULL, NULL, "db", NULL, "other" };
	struct trace_workload web = { NULL, NULL, "web", NULL, "shop" };
	struct trace_result r;

	(void)state;
	assert_true(trace_query(s, &db, NULL, &r));
	assert_int_equal(r.needs, bit("CHOWN"));
	assert_false(trace_query(s, &db2, NULL, &r));
	assert_true(trace_query(s, &web, NULL, &r));
	assert_int_equal(r.needs, bit("KILL"));
	trace_set_free(s);
}

static void test_pod_names(void **state)
{
	static const struct {
		const char *pod, *kind, *name;
		bool match;
	} m[] = {
		{ "web-7d4b9c8f6-x2kqz", "Deployment", "web", true },
		{ "web-7d4b9c8f6-x2kqz", NULL, "web", true },
		{ "web-7d4b9c8f6-x2kqz", "StatefulSet", "web", false },
		{ "web-x2kqz", "DaemonSet", "web", true },
		{ "web-x2kqz", "Deployment", "web", false },
		{ "db-0", "StatefulSet", "db", true },
		{ "db-12", "StatefulSet", "db", true },
		{ "db-0", "Deployment", "db", false },
		{ "backup-28391234-bcdfg", "CronJob", "backup", true },
		{ "web", "Pod", "web", true },
		{ "web-1", "Pod", "web", false },
		{ "webx-7d4b9c8f6-x2kqz", "Deployment", "web", false },
		{ "web-7d4b9c8f6-x2kqa", "Deployment", "web",
		  false }, /* 'a' is not in the alphabet */
		{ "my-app-7d4b9c8f6-x2kqz", "Deployment", "my-app", true },
		{ "my-app-7d4b9c8f6-x2kqz", "Deployment", "my", false },
	};
	static const struct {
		const char *pod, *want;
	} st[] = {
		{ "web-7d4b9c8f6-x2kqz", "web" },
		{ "web-x2kqz", "web" },
		{ "db-0", "db" },
		{ "my-app-x2kqz", "my-app" },
		{ "my-app-7d4b9c8f6-x2kqz", "my-app" },
		{ "backup-28391234-bcdfg", "backup" },
		{ "plain", "plain" },
		{ "-x2kqz", "-x2kqz" },
	};
	size_t i;
	char out[64];

	(void)state;
	for (i = 0; i < ARRAY_SIZE(m); i++)
		if (trace_pod_matches(m[i].pod, m[i].kind, m[i].name) != m[i].match)
			fail_msg("case %zu: %s %s/%s", i, m[i].pod, m[i].kind ? m[i].kind : "-",
				 m[i].name);
	for (i = 0; i < ARRAY_SIZE(st); i++) {
		trace_pod_workload(st[i].pod, out, sizeof(out));
		assert_string_equal(out, st[i].want);
	}
	assert_true(trace_compose_matches("shop-db-1", NULL, "db"));
	assert_true(trace_compose_matches("shop_db_1", "shop", "db"));
	assert_true(trace_compose_matches("my-shop-db-10", "my-shop", "db"));
	assert_false(trace_compose_matches("shop-db-1", "other", "db"));
	assert_false(trace_compose_matches("shop-redb-1", NULL, "db"));
	assert_false(trace_compose_matches("db-1", NULL, "db"));
	assert_true(trace_compose_matches("db", NULL, "db"));
}

static void test_selectors(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *ns, *kind, *name, *container;
		bool compose;
	} t[] = {
		{ "shop/Deployment/web:app", 0, "shop", "Deployment", "web", "app", false },
		{ "Deployment/web", 0, "", "Deployment", "web", "", false },
		{ "StatefulSet/db.x:c", 0, "", "StatefulSet", "db.x", "c", false },
		{ "web", 0, "", "", "web", "", true },
		{ "my_svc", 0, "", "", "my_svc", "", true },
		{ "", -1, NULL, NULL, NULL, NULL, false },
		{ "a/b/c/d", -1, NULL, NULL, NULL, NULL, false },
		{ "Deployment/Web", -1, NULL, NULL, NULL, NULL, false },
		{ "1x/web", -1, NULL, NULL, NULL, NULL, false },
		{ "Deployment/web:", -1, NULL, NULL, NULL, NULL, false },
		{ "./trace", -1, NULL, NULL, NULL, NULL, false },
	};
	struct trace_selector sel;
	size_t i;
	char *sp;
	const char *path;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		int rc = trace_selector_parse(t[i].text, &sel);

		if (rc != t[i].rc)
			fail_msg("case %zu (%s): %d", i, t[i].text, rc);
		if (rc)
			continue;
		assert_string_equal(sel.ns, t[i].ns);
		assert_string_equal(sel.kind, t[i].kind);
		assert_string_equal(sel.name, t[i].name);
		assert_string_equal(sel.container, t[i].container);
		assert_int_equal(sel.compose, t[i].compose);
	}
	trace_split_arg("shop/Deployment/web=traces/a.json", &sp, &path);
	assert_string_equal(sp, "shop/Deployment/web");
	assert_string_equal(path, "traces/a.json");
	free(sp);
	trace_split_arg("./a=b.json", &sp, &path);
	assert_null(sp);
	assert_string_equal(path, "./a=b.json");
	trace_split_arg("t.json", &sp, &path);
	assert_null(sp);
}

static void test_errors_and_hostile(void **state)
{
	struct trace_set *s = trace_set_new();
	static const char *const bad[] = {
		"",
		"hello world\n",
		"{\"a\":1}\n",
		"{\"cap\":\"CAP_NOPE\",\"capable\":true}\n",
		"{\"eventName\":\"cap_capable\",\"args\":[{\"name\":\"cap\",\"value\":99}]}\n",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		"TIME UID PID COMM CAP NAME AUDIT\n22:11:23 0 1 x 99 CAP_X 0\n",
		"{\"cap\":\"CAP_CHOWN\",\"capable\":true",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!trace_set_load_buf(s, "bad", bad[i], strlen(bad[i]), NULL, TRACE_FMT_AUTO))
			fail_msg("case %zu loaded", i);
		assert_int_equal(cf_err_last()->cls, CF_E_INPUT);
	}
	assert_int_equal(trace_set_nevents(s), 0);
	assert_int_equal(trace_set_nfiles(s), 0);
	assert_int_equal(trace_set_load_buf(s, "x", "{}", 2, "Bad/Sel/ect/or", TRACE_FMT_AUTO), -1);
	assert_int_equal(cf_err_last()->cls, CF_E_USAGE);
	/* a good file after bad ones, and a second file counted apart */
	{
		static const char ok[] =
			"{\"cap\":\"CAP_KILL\",\"capable\":true,\"proc\":{\"pid\":1}}\n";
		struct trace_workload w = { NULL, "Deployment", "w", NULL, NULL };
		struct trace_result r;

		assert_int_equal(trace_set_load_buf(s, "a", ok, strlen(ok), "Deployment/w", 0), 0);
		assert_int_equal(trace_set_load_buf(s, "b", ok, strlen(ok), "Deployment/w", 0), 0);
		assert_true(trace_query(s, &w, NULL, &r));
		assert_int_equal(r.nfiles, 2);
		assert_string_equal(r.file, "a");
	}
	trace_set_free(s);
	trace_set_free(NULL);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/capfix-trace-XXXXXX";
	int fd = mkstemp(path);
	static const char text[] =
		"22:11:23  0      7003   chown            0    CAP_CHOWN            1\n";
	struct trace_set *s = trace_set_new();

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(trace_set_load(s, path, "web", TRACE_FMT_AUTO), 0);
	assert_int_equal(trace_set_file(s, 0)->format, TRACE_FMT_BCC);
	assert_string_equal(trace_format_name(TRACE_FMT_BCC), "bcc");
	unlink(path);
	assert_int_equal(trace_set_load(s, path, NULL, TRACE_FMT_AUTO), -1);
	trace_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ig_current),
		cmocka_unit_test(test_ig_pretty_and_userns),
		cmocka_unit_test(test_ig_legacy),
		cmocka_unit_test(test_tracee),
		cmocka_unit_test(test_filecap_callback),
		cmocka_unit_test(test_bpftrace_selector),
		cmocka_unit_test(test_bcc),
		cmocka_unit_test(test_capaudit),
		cmocka_unit_test(test_compose_identity),
		cmocka_unit_test(test_pod_names),
		cmocka_unit_test(test_selectors),
		cmocka_unit_test(test_errors_and_hostile),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
