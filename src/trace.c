/*
 * trace.c - runtime capability traces: the set, selectors, attribution to
 * workloads and the kernel's semantics from checks to needs (the five
 * formats are read by traceload.c). See trace.h; the facts and their sources are in
 * ../shared/research/evidence.md section 1.
 */
#include "capfix/trace.h"
#include "trace_int.h"
#include "capfix/err.h"

#include <ctype.h>
#include <strings.h>

/* ---- the set: events and interned strings ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void intern_grow(struct trace_set *s)
{
	size_t n = s->salloc ? s->salloc * 2 : 256, i;
	char **t = xcalloc(n, sizeof(*t));

	for (i = 0; i < s->salloc; i++) {
		if (s->str[i]) {
			size_t j = hash_str(s->str[i]) & (n - 1);

			while (t[j])
				j = (j + 1) & (n - 1);
			t[j] = s->str[i];
		}
	}
	free(s->str);
	s->str = t;
	s->salloc = n;
}

const char *trace_intern(struct trace_set *s, const char *v)
{
	size_t j;

	if (!v || !*v)
		return NULL;
	if ((s->nstr + 1) * 2 > s->salloc)
		intern_grow(s);
	j = hash_str(v) & (s->salloc - 1);
	while (s->str[j]) {
		if (!strcmp(s->str[j], v))
			return s->str[j];
		j = (j + 1) & (s->salloc - 1);
	}
	s->str[j] = xstrdup(v);
	s->nstr++;
	return s->str[j];
}

struct trace_set *trace_set_new(void)
{
	return xcalloc(1, sizeof(struct trace_set));
}

void trace_set_free(struct trace_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->salloc; i++)
		free(s->str[i]);
	free(s->str);
	free(s->ev);
	free(s->files);
	free(s);
}

size_t trace_set_nevents(const struct trace_set *s)
{
	return s->nev;
}

const struct trace_event *trace_set_event(const struct trace_set *s, size_t i)
{
	return i < s->nev ? &s->ev[i] : NULL;
}

size_t trace_set_nfiles(const struct trace_set *s)
{
	return s->nfiles;
}

const struct trace_file_info *trace_set_file(const struct trace_set *s, size_t i)
{
	return i < s->nfiles ? &s->files[i] : NULL;
}

const char *trace_format_name(enum trace_format f)
{
	static const char *const names[] = {
		"auto", "inspektor-gadget", "inspektor-gadget-legacy", "tracee", "bpftrace",
		"bcc",	"cap-audit"
	};

	return (size_t)f < ARRAY_SIZE(names) ? names[f] : "?";
}

/* ---- selectors ---- */

static bool dns_name(const char *s, size_t n, bool dots)
{
	size_t i;

	if (!n || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(islower(c) || isdigit(c) || c == '-' || (dots && c == '.')))
			return false;
	}
	return true;
}

static int sel_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int trace_selector_parse(const char *text, struct trace_selector *out)
{
	const char *slash1, *slash2, *colon, *kind, *name, *end;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!text || !*text)
		return cf_err(CF_E_USAGE, "empty trace selector");
	n = strlen(text);
	slash1 = strchr(text, '/');
	if (!slash1) {
		/* a compose service */
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)text[i]) && !strchr("._-", text[i]))
				return cf_err(CF_E_USAGE, "bad compose service selector: %s", text);
		if (!isalnum((unsigned char)text[0]) ||
		    sel_copy(out->name, sizeof(out->name), text, n))
			return cf_err(CF_E_USAGE, "bad compose service selector: %s", text);
		out->compose = true;
		return 0;
	}
	slash2 = strchr(slash1 + 1, '/');
	if (slash2) {
		if (strchr(slash2 + 1, '/') || !dns_name(text, (size_t)(slash1 - text), false) ||
		    sel_copy(out->ns, sizeof(out->ns), text, (size_t)(slash1 - text)))
			return cf_err(CF_E_USAGE, "bad trace selector: %s", text);
		kind = slash1 + 1;
		name = slash2 + 1;
	} else {
		kind = text;
		name = slash1 + 1;
	}
	if (!isalpha((unsigned char)kind[0]))
		return cf_err(CF_E_USAGE, "bad trace selector (kind): %s", text);
	for (i = 0; kind + i < name - 1; i++)
		if (!isalnum((unsigned char)kind[i]))
			return cf_err(CF_E_USAGE, "bad trace selector (kind): %s", text);
	if (sel_copy(out->kind, sizeof(out->kind), kind, (size_t)(name - 1 - kind)))
		return cf_err(CF_E_USAGE, "bad trace selector (kind): %s", text);
	colon = strchr(name, ':');
	end = colon ? colon : name + strlen(name);
	if (!dns_name(name, (size_t)(end - name), true) ||
	    sel_copy(out->name, sizeof(out->name), name, (size_t)(end - name)))
		return cf_err(CF_E_USAGE, "bad trace selector (name): %s", text);
	if (colon &&
	    (!dns_name(colon + 1, strlen(colon + 1), false) ||
	     sel_copy(out->container, sizeof(out->container), colon + 1, strlen(colon + 1))))
		return cf_err(CF_E_USAGE, "bad trace selector (container): %s", text);
	return 0;
}

void trace_split_arg(const char *arg, char **selector, const char **path)
{
	const char *eq = strchr(arg, '=');
	struct trace_selector sel;

	*selector = NULL;
	*path = arg;
	if (!eq || eq == arg)
		return;
	{
		char *pre = xstrndup(arg, (size_t)(eq - arg));

		if (!trace_selector_parse(pre, &sel)) {
			*selector = pre;
			*path = eq + 1;
		} else {
			free(pre);
			cf_err_clear();
		}
	}
}

/* ---- name matching ---- */

static bool in_alphabet(char c)
{
	/* k8s.io/apimachinery rand.String and SafeEncodeString */
	return c && strchr("bcdfghjklmnpqrstvwxz2456789", c);
}

static bool all_of(const char *s, size_t n, int (*fn)(int))
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!fn((unsigned char)s[i]))
			return false;
	return n > 0;
}

static int is_hashch(int c)
{
	return islower(c) || isdigit(c);
}

static int is_randch(int c)
{
	return in_alphabet((char)c);
}

static int is_digitch(int c)
{
	return isdigit(c);
}

/*
 * Does @s (length @n) fit suffix shape @shape: 'R' a random suffix, 'H'
 * HASH-suffix, 'O' an ordinal, 'C' N-suffix?
 */
static bool suffix_fits(const char *s, size_t n, char shape)
{
	const char *dash;

	switch (shape) {
	case 'R':
		return n == 5 && all_of(s, 5, is_randch);
	case 'O':
		return n <= 10 && all_of(s, n, is_digitch);
	case 'H':
	case 'h':
	case 'C':
		dash = memchr(s, '-', n);
		if (!dash || (size_t)(dash - s) > 10 ||
		    !suffix_fits(dash + 1, n - (size_t)(dash - s) - 1, 'R'))
			return false;
		if (shape == 'C')
			return all_of(s, (size_t)(dash - s), is_digitch);
		/* 'H': SafeEncodeString's alphabet, or decimal before Kubernetes 1.8; 'h': the
		 * alphabet */
		return all_of(s, (size_t)(dash - s), shape == 'H' ? is_hashch : is_randch);
	default:
		return false;
	}
}

static const char *kind_shapes(const char *kind)
{
	static const struct {
		const char *kind, *shapes;
	} t[] = {
		{ "Pod", "" },		{ "Deployment", "H" }, { "ReplicaSet", "R" },
		{ "DaemonSet", "R" },	{ "Job", "R" },	       { "ReplicationController", "R" },
		{ "StatefulSet", "O" }, { "CronJob", "C" },
	};
	size_t i;

	if (!kind)
		return "HRCO";
	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (!strcasecmp(kind, t[i].kind))
			return t[i].shapes;
	return ""; /* other pod-bearing kinds (custom controllers): the pod name must be equal */
}

bool trace_pod_matches(const char *pod, const char *kind, const char *name)
{
	size_t n;
	const char *sh;

	if (!pod || !name || !*name)
		return false;
	if (!strcmp(pod, name))
		return true;
	n = strlen(name);
	if (strncmp(pod, name, n) || pod[n] != '-')
		return false;
	for (sh = kind_shapes(kind); *sh; sh++)
		if (suffix_fits(pod + n + 1, strlen(pod + n + 1), *sh))
			return true;
	return false;
}

void trace_pod_workload(const char *pod, char *out, size_t size)
{
	static const char shapes[] = "hCRO";
	size_t n = strlen(pod), i, cut = n;
	const char *sh;

	for (sh = shapes; *sh && cut == n; sh++) {
		/* the suffix starts after one dash ('R', 'O') or two ('H', 'C') */
		size_t dashes = (*sh == 'h' || *sh == 'C') ? 2 : 1, seen = 0;

		for (i = n; i > 0; i--) {
			if (pod[i - 1] == '-' && ++seen == dashes) {
				if (i > 1 && suffix_fits(pod + i, n - i, *sh))
					cut = i - 1;
				break;
			}
		}
	}
	if (size) {
		size_t m = cut < size - 1 ? cut : size - 1;

		memcpy(out, pod, m);
		out[m] = '\0';
	}
}

bool trace_compose_matches(const char *c, const char *project, const char *service)
{
	size_t n, sn;
	const char *p;

	if (!c || !service || !*service)
		return false;
	if (*c == '/')
		c++;
	if (!strcmp(c, service))
		return true; /* container_name: SERVICE */
	n = strlen(c);
	sn = strlen(service);
	/* PROJECT-SERVICE-N (compose v2) or PROJECT_SERVICE_N (v1) */
	p = c + n;
	while (p > c && isdigit((unsigned char)p[-1]))
		p--;
	if (p == c + n || p == c || (p[-1] != '-' && p[-1] != '_'))
		return false;
	if ((size_t)(p - 1 - c) < sn + 2)
		return false;
	{
		const char *svc = p - 1 - sn;
		char sep = p[-1];

		if (strncmp(svc, service, sn) || svc[-1] != sep)
			return false;
		if (project)
			return (size_t)(svc - 1 - c) == strlen(project) &&
			       !strncmp(c, project, (size_t)(svc - 1 - c));
		return svc - 1 > c;
	}
}

bool trace_event_matches(const struct trace_event *e, const struct trace_workload *w)
{
	if (!w || !w->name)
		return false;
	if (!w->kind) {
		if (e->id == TRACE_ID_COMPOSE)
			return e->owner_name && !strcmp(e->owner_name, w->name);
		if (e->id == TRACE_ID_EVENT && !e->pod && !e->owner_name && e->container)
			return trace_compose_matches(e->container, w->project, w->name);
		return false;
	}
	if (e->id != TRACE_ID_EVENT && e->id != TRACE_ID_SELECTOR)
		return false;
	if (w->ns && e->ns && strcmp(w->ns, e->ns))
		return false;
	if (w->container && e->container && strcmp(w->container, e->container))
		return false;
	if (e->owner_kind && e->owner_name) {
		if (!strcasecmp(e->owner_kind, w->kind))
			return !strcmp(e->owner_name, w->name);
		/* an owner one level down: the Deployment's ReplicaSet NAME-HASH */
		if (!strcasecmp(e->owner_kind, "ReplicaSet") &&
		    !strcasecmp(w->kind, "Deployment")) {
			size_t n = strlen(w->name);

			return !strncmp(e->owner_name, w->name, n) && e->owner_name[n] == '-' &&
			       all_of(e->owner_name + n + 1, strlen(e->owner_name + n + 1),
				      is_hashch) &&
			       strlen(e->owner_name + n + 1) <= 10;
		}
		if (!strcasecmp(e->owner_kind, "Job") && !strcasecmp(w->kind, "CronJob")) {
			size_t n = strlen(w->name);

			return !strncmp(e->owner_name, w->name, n) && e->owner_name[n] == '-' &&
			       suffix_fits(e->owner_name + n + 1, strlen(e->owner_name + n + 1),
					   'O');
		}
		return false;
	}
	if (e->pod)
		return trace_pod_matches(e->pod, w->kind, w->name);
	return false;
}

/* ---- semantics ---- */

bool trace_event_noise(const struct trace_event *e)
{
	static const char *const vm[] = { "brk", "mmap", "mmap2", "mprotect", "mremap" };
	size_t i;

	if (!e->syscall)
		return false;
	if ((e->cap == CAP_SYS_ADMIN || e->cap == CAP_SETPCAP) &&
	    (!strcmp(e->syscall, "execve") || !strcmp(e->syscall, "execveat")))
		return true;
	if (e->cap == CAP_SYS_ADMIN && e->audit != 1)
		for (i = 0; i < ARRAY_SIZE(vm); i++)
			if (!strcmp(e->syscall, vm[i]))
				return true;
	return false;
}

bool trace_query(const struct trace_set *s, const struct trace_workload *w,
		 const struct trace_opts *o, struct trace_result *r)
{
	static const struct trace_opts none;
	unsigned long total_granted = 0, total_denied = 0;
	unsigned long nv_need[TRACE_NCAPS] = { 0 };
	size_t i, lastfile = (size_t)-1;
	int c;

	if (!o)
		o = &none;
	memset(r, 0, sizeof(*r));
	for (i = 0; i < s->nev; i++) {
		const struct trace_event *e = &s->ev[i];
		uint64_t bit = (uint64_t)1 << e->cap;

		if (!trace_event_matches(e, w))
			continue;
		r->flags |= TRACE_Q_MATCHED;
		r->events += e->count;
		if (!r->file)
			r->file = s->files[e->file].name;
		if (e->file != lastfile) {
			/* files are loaded one after the other: their events are contiguous */
			r->nfiles++;
			lastfile = e->file;
		}
		if (trace_event_noise(e)) {
			r->noise += e->count;
			continue;
		}
		if (e->userns == 1) {
			r->other_userns |= bit;
			continue;
		}
		if (e->uid > 0 && e->verdict != TRACE_V_GRANTED) {
			if (e->verdict == TRACE_V_UNKNOWN && o->filecap && e->comm &&
			    o->filecap(e->comm, e->cap, o->filecap_ctx)) {
				r->unknown[e->cap] += e->count;
				nv_need[e->cap] += e->count;
				continue;
			}
			r->nonroot_ignored |= bit;
			r->flags |= TRACE_Q_NONROOT;
			continue;
		}
		switch (e->verdict) {
		case TRACE_V_GRANTED:
			r->granted[e->cap] += e->count;
			total_granted += e->count;
			break;
		case TRACE_V_DENIED:
			r->denied[e->cap] += e->count;
			total_denied += e->count;
			break;
		default:
			r->unknown[e->cap] += e->count;
			if (e->audit != 0)
				nv_need[e->cap] += e->count;
			break;
		}
	}
	for (c = 0; c < TRACE_NCAPS; c++) {
		uint64_t bit = (uint64_t)1 << c;

		if (r->granted[c] || nv_need[c]) {
			r->needs |= bit;
			if (!r->granted[c])
				r->flags |= TRACE_Q_NO_VERDICT;
		} else if (r->denied[c] || r->unknown[c]) {
			r->candidates |= bit;
		}
	}
	if (o->trust_denied)
		r->needs |= r->candidates;
	if (total_denied && !total_granted)
		r->flags |= TRACE_Q_DROP_ALL;
	return r->flags & TRACE_Q_MATCHED;
}
