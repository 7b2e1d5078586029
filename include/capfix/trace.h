/*
 * trace.h - runtime capability traces as evidence: what a workload asked of
 * the kernel while it ran.
 *
 * Formats, detected by content (../shared/research/evidence.md section 1):
 *   - Inspektor Gadget trace_capabilities, the image-based gadget: JSON
 *     objects (one per line, pretty-printed, or an array) with `cap`
 *     ("CAP_CHOWN"), `capable`, `audit`, `insetid` (bool or 0/1),
 *     `syscall` ("SYS_FCHOWNAT"), `current_userns`/`current_user_ns`,
 *     `target_userns`/`target_user_ns`, `proc{comm,pid,creds{uid}}`,
 *     `k8s{namespace,podName,containerName,owner{kind,name}}`,
 *     `runtime{containerName}`;
 *   - the older built-in gadget: flat objects with `capName`, `verdict`
 *     ("Allow"/"Deny"), `audit`, `insetid`, `namespace`, `pod`,
 *     `container`, `uid`, `currentuserns`, `targetuserns`;
 *   - Tracee `cap_capable` events: `eventName`, `syscall`, `processName`,
 *     `processId`, `userId`, `kubernetes{podName,podNamespace}`,
 *     `container{name}`, `args[{name:"cap",value}]` (no verdict; NOAUDIT
 *     checks are not emitted, so every event is audited);
 *   - bpftrace tools/capable.bt text (TIME UID PID COMM CAP NAME AUDIT,
 *     AUDIT being cap_capable's 4th argument: the opts bitmask on Linux >=
 *     5.1 (2 NOAUDIT, 4 INSETID), 1 = audited on older kernels); told from
 *     BCC by its "Attaching N probes..." line or an AUDIT value above 1;
 *   - BCC tools/capable.py text (AUDIT 1 audited / 0 NOAUDIT; -x adds TID
 *     and INSETID columns);
 *   - libcap-ng cap-audit JSON (`required_capabilities[{number,name,
 *     checks{granted,denied}}]`, `denied_capabilities[{number,name,
 *     attempts}]`): aggregate counts, no identity, no syscall.
 *
 * Identity: each event names its workload where the format says so
 * (namespace, owner kind/name, pod, container); a selector given with the
 * file (`[NAMESPACE/]KIND/NAME[:CONTAINER]`, or a compose service name)
 * attributes every event of that file and replaces what the events say.
 * Events without identity and without selector are kept, counted as
 * unattributed, and match no workload.
 *
 * From events to needs (trace_query), the kernel's semantics:
 *   - noise dropped: SYS_ADMIN probes on brk/mmap/mprotect/mremap that are
 *     not audited (cap_vm_enough_memory), SYS_ADMIN and SETPCAP checked
 *     during execve/execveat;
 *   - a DAC_READ_SEARCH check directly followed by a DAC_OVERRIDE check of
 *     the same process (fs/namei.c generic_permission) is one check of
 *     DAC_READ_SEARCH, granted when either was (paired when loading);
 *   - checks in another user namespace (target != current) are reported in
 *     other_userns, never needs;
 *   - a non-root process (uid known and not 0) has no effective
 *     capabilities unless its binary carries file capabilities: its denied
 *     checks are ignored; its granted checks are needs; its checks without
 *     verdict are needs only when opts->filecap says the binary has that
 *     file capability;
 *   - granted = need; denied only = candidate (a need with trust_denied);
 *     no verdict (bpftrace, BCC, Tracee): an audited check is a need, a
 *     NOAUDIT one a candidate;
 *   - only denials (no granted check at all) flag TRACE_Q_DROP_ALL: the
 *     trace looks recorded under drop ALL and shows one failure per code
 *     path.
 *
 * Ownership: a struct trace_set owns its events and every string they
 * point to; results borrow from it. Failure: loaders return -1 with
 * cf_err() (CF_E_INPUT) and leave the set as it was; queries can't fail.
 * Nothing here prints or exits.
 */
#ifndef CAPFIX_TRACE_H
#define CAPFIX_TRACE_H

#include "capfix/compat.h"

/* Capabilities are bits 0..63 by kernel number. */
#define TRACE_NCAPS 64
/* Limits: bytes of one trace file, events in one set. */
#define TRACE_MAX_FILE ((size_t)512 << 20)
#define TRACE_MAX_EVENTS ((size_t)4 << 20)

enum trace_format {
	TRACE_FMT_AUTO = 0, /* detect by content (loaders only) */
	TRACE_FMT_IG, /* Inspektor Gadget, image-based gadget */
	TRACE_FMT_IG_LEGACY, /* Inspektor Gadget, built-in gadget (verdict) */
	TRACE_FMT_TRACEE,
	TRACE_FMT_BPFTRACE,
	TRACE_FMT_BCC,
	TRACE_FMT_CAPAUDIT,
};

/* "auto", "inspektor-gadget", "inspektor-gadget-legacy", "tracee", "bpftrace", "bcc", "cap-audit".
 */
const char *trace_format_name(enum trace_format f);

enum trace_verdict { TRACE_V_UNKNOWN, TRACE_V_GRANTED, TRACE_V_DENIED };

/* How an event is tied to a workload. */
enum trace_id {
	TRACE_ID_NONE, /* nothing: unattributed */
	TRACE_ID_EVENT, /* the event's own fields */
	TRACE_ID_SELECTOR, /* the file's Kubernetes selector */
	TRACE_ID_COMPOSE, /* the file's compose service selector (owner_name = service) */
};

/* One capability check (or, for cap-audit, @count of them). Strings: NULL when absent. */
struct trace_event {
	enum trace_id id;
	const char *ns, *owner_kind, *owner_name, *pod, *container;
	const char *comm;
	const char *syscall; /* lower case, without SYS_/sys_ prefix: "fchownat" */
	int cap; /* kernel number, 0..63 */
	enum trace_verdict verdict;
	signed char audit; /* 1 audited, 0 NOAUDIT, -1 unknown */
	signed char insetid; /* 1, 0, -1 unknown */
	signed char userns; /* 1 the target user namespace is another one, 0 same, -1 unknown */
	long long uid, pid; /* -1 unknown */
	unsigned long count; /* >= 1 */
	unsigned file; /* index of the file (trace_set_file()) */
	size_t line; /* 1-based line of the event in its file (0 for aggregates) */
};

/* A parsed selector. kind "" for a compose service. */
struct trace_selector {
	char ns[64];
	char kind[64];
	char name[254];
	char container[64];
	bool compose;
};

/*
 * Parse "[NAMESPACE/]KIND/NAME[:CONTAINER]" (KIND starts with a letter;
 * names are DNS labels/subdomains: [a-z0-9.-], starting and ending
 * alphanumeric) or a compose service name ([A-Za-z0-9._-], no '/').
 * Returns 0, or -1 with CF_E_USAGE recorded.
 */
int trace_selector_parse(const char *text, struct trace_selector *out);

/*
 * Split a command-line argument "[SELECTOR=]PATH" at its first '=' when
 * what precedes it is a valid selector: *selector gets a copy of it (free
 * it) or NULL, *path points into @arg. This function can't fail.
 */
void trace_split_arg(const char *arg, char **selector, const char **path);

/* What a loaded file was. */
struct trace_file_info {
	const char *name;
	enum trace_format format;
	size_t events; /* events kept (after DAC pairing) */
	size_t unattributed; /* of them, without identity */
	size_t paired; /* DAC_READ_SEARCH+DAC_OVERRIDE pairs counted once */
	size_t skipped; /* lines or objects that are not capability events (other events, junk) */
	bool selector;
};

struct trace_set;

struct trace_set *trace_set_new(void);
void trace_set_free(struct trace_set *s); /* NULL is fine */

/*
 * Parse @len bytes of @buf, a trace named @name (for messages and
 * results), into @s. @selector (NULL or "") attributes its events; @fmt
 * TRACE_FMT_AUTO detects. Returns 0, or -1 (CF_E_INPUT: unknown format,
 * no capability event at all, bad selector (CF_E_USAGE), too large).
 */
int trace_set_load_buf(struct trace_set *s, const char *name, const char *buf, size_t len,
		       const char *selector, enum trace_format fmt);

/* As trace_set_load_buf() for the file at @path (at most TRACE_MAX_FILE bytes). */
int trace_set_load(struct trace_set *s, const char *path, const char *selector,
		   enum trace_format fmt);

size_t trace_set_nevents(const struct trace_set *s);
const struct trace_event *trace_set_event(const struct trace_set *s, size_t i);
size_t trace_set_nfiles(const struct trace_set *s);
const struct trace_file_info *trace_set_file(const struct trace_set *s, size_t i);

/* The workload asked about. */
struct trace_workload {
	const char *ns; /* namespace; NULL = any */
	const char *kind; /* "Deployment", "Pod"...; NULL: a compose service */
	const char *name; /* object name, or compose service name */
	const char *container; /* container name; NULL = any */
	const char *project; /* compose project; NULL = any */
};

struct trace_opts {
	bool trust_denied; /* candidates become needs */
	/* does the binary run as @comm carry file capability @cap? NULL: no file capabilities known
	 */
	bool (*filecap)(const char *comm, int cap, void *ctx);
	void *filecap_ctx;
};

#define TRACE_Q_MATCHED 0x1u /* at least one event matched the workload */
#define TRACE_Q_DROP_ALL 0x2u /* only denials: looks recorded under drop ALL */
#define TRACE_Q_NO_VERDICT                                                                         \
	0x4u /* some needs rest on checks without verdict (entry-only tracers)                     \
	      */
#define TRACE_Q_NONROOT 0x8u /* checks of non-root processes were ignored */

struct trace_result {
	uint64_t needs; /* granted (or audited without verdict) checks, DAC pair once */
	uint64_t candidates; /* only denied (or NOAUDIT without verdict), not in needs */
	uint64_t other_userns; /* checked against another user namespace: reported apart */
	uint64_t nonroot_ignored; /* checks of non-root processes without file capabilities */
	unsigned long granted[TRACE_NCAPS], denied[TRACE_NCAPS], unknown[TRACE_NCAPS];
	unsigned long events; /* matching checks (counts summed) */
	unsigned long noise; /* of them, dropped as noise */
	const char *file; /* the first file that contributed, or NULL */
	size_t nfiles; /* how many files contributed */
	unsigned flags; /* TRACE_Q_* */
};

/*
 * What the checks of workload @w need. @o may be NULL. Fills @r
 * (overwritten). Returns true when any event matched (TRACE_Q_MATCHED).
 */
bool trace_query(const struct trace_set *s, const struct trace_workload *w,
		 const struct trace_opts *o, struct trace_result *r);

/* Does event @e belong to workload @w? */
bool trace_event_matches(const struct trace_event *e, const struct trace_workload *w);

/* Is @e a check that means no need (the noise rules above)? */
bool trace_event_noise(const struct trace_event *e);

/*
 * Does pod name @pod belong to object @kind/@name? Pod: equal;
 * Deployment: NAME-HASH-SUFFIX; ReplicaSet, DaemonSet, Job,
 * ReplicationController: NAME-SUFFIX; StatefulSet: NAME-ORDINAL;
 * CronJob: NAME-SCHEDULE-SUFFIX; @kind NULL: any of these.
 */
bool trace_pod_matches(const char *pod, const char *kind, const char *name);

/*
 * The workload name of pod @pod with its ReplicaSet and pod suffixes
 * removed ("web-7d4b9c8f6-x2kqz" -> "web", "web-x2kqz" -> "web",
 * "db-0" -> "db"); the name itself when no suffix shape fits. Writes at
 * most @size bytes.
 */
void trace_pod_workload(const char *pod, char *out, size_t size);

/* Does container name @c belong to compose service @service (of @project, NULL = any)? */
bool trace_compose_matches(const char *c, const char *project, const char *service);

#endif
