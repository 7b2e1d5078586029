/*
 * traceload.c - runtime capability traces read: Inspektor Gadget (image
 * gadget and built-in), Tracee, cap-audit (JSON); bpftrace capable.bt and
 * BCC capable.py (text); the format detected by content. Events are
 * checked, attributed by selector or by their own fields, and the
 * DAC_READ_SEARCH/DAC_OVERRIDE pair of one access counted once. See
 * trace.h; the formats and their sources are in
 * ../shared/research/evidence.md section 1.
 */
#include "capfix/caps.h"
#include "capfix/err.h"
#include "capfix/fsutil.h"
#include "capfix/sbuf.h"
#include "trace_int.h"

#include <ctype.h>
#include <jansson.h>
#include <strings.h>

struct loader {
	struct trace_set *s;
	struct trace_file_info *fi;
	unsigned file;
	const struct trace_selector *sel; /* or NULL */
	size_t last_pairable; /* index of the previous event (for the DAC pair), or SIZE_MAX */
};

static void normalize_syscall(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (!in) {
		out[0] = '\0';
		return;
	}
	if (!strncmp(in, "__x64_sys_", 10) || !strncmp(in, "__arm64_sys_", 12))
		in = strstr(in, "sys_") + 4;
	else if (!strncasecmp(in, "sys_", 4))
		in += 4;
	for (; *in && n + 1 < size; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	out[n] = '\0';
}

/* The capability number of @name ("CAP_CHOWN", "chown", "SYS_ADMIN"), or -1. */
static int cap_by_name(const char *name)
{
	const struct cap_info *ci = name ? caps_lookup(name) : NULL;

	return ci && ci->number >= 0 && ci->number < TRACE_NCAPS ? ci->number : -1;
}

static int add_event(struct loader *L, struct trace_event *e)
{
	struct trace_set *s = L->s;

	if (e->cap < 0 || e->cap >= TRACE_NCAPS) {
		L->fi->skipped++;
		return 0;
	}
	if (s->nev >= TRACE_MAX_EVENTS)
		return cf_err(CF_E_INPUT, "%s: more than %zu capability events", L->fi->name,
			      (size_t)TRACE_MAX_EVENTS);
	if (!e->count)
		e->count = 1;
	e->file = L->file;
	if (L->sel) {
		e->ns = L->sel->ns[0] ? trace_intern(s, L->sel->ns) : NULL;
		e->owner_kind = L->sel->compose ? NULL : trace_intern(s, L->sel->kind);
		e->owner_name = trace_intern(s, L->sel->name);
		e->pod = NULL;
		e->container = L->sel->container[0] ? trace_intern(s, L->sel->container) : NULL;
		e->id = L->sel->compose ? TRACE_ID_COMPOSE : TRACE_ID_SELECTOR;
	} else if (e->ns || e->owner_name || e->pod || e->container) {
		e->id = TRACE_ID_EVENT;
	} else {
		e->id = TRACE_ID_NONE;
	}
	/* DAC_READ_SEARCH then DAC_OVERRIDE of the same process: one read check */
	if (e->cap == CAP_DAC_OVERRIDE && L->last_pairable != SIZE_MAX && e->count == 1) {
		struct trace_event *p = &s->ev[L->last_pairable];

		if (p->cap == CAP_DAC_READ_SEARCH && p->count == 1 && p->pid == e->pid &&
		    p->comm == e->comm && p->container == e->container && p->pod == e->pod &&
		    p->userns == e->userns) {
			if (e->verdict == TRACE_V_GRANTED)
				p->verdict = TRACE_V_GRANTED;
			else if (p->verdict == TRACE_V_DENIED && e->verdict == TRACE_V_UNKNOWN)
				p->verdict = TRACE_V_UNKNOWN;
			if (e->audit == 1)
				p->audit = 1;
			L->fi->paired++;
			L->last_pairable = SIZE_MAX;
			return 0;
		}
	}
	CF_ALLOC_GROW(s->ev, s->nev + 1, s->alloc);
	s->ev[s->nev] = *e;
	L->last_pairable = e->line ? s->nev : SIZE_MAX;
	s->nev++;
	L->fi->events++;
	if (e->id == TRACE_ID_NONE)
		L->fi->unattributed++;
	return 0;
}

/* JSON helpers: strings, numbers and booleans, tolerant of the formats' variations. */
static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v)) {
		const char *t = json_string_value(v);
		char *end;
		long long n;

		if (!isdigit((unsigned char)*t))
			return -1;
		n = strtoll(t, &end, 10);
		return *end ? -1 : n;
	}
	return -1;
}

/* true -> 1, false -> 0, numbers as themselves (clamped), absent -> -1 */
static int jflag(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return -1;
}

static json_t *jobj(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_object(v) ? v : NULL;
}

static signed char userns_diff(long long cur, long long target)
{
	if (cur < 0 || target < 0)
		return -1;
	return cur != target;
}

static enum trace_format json_kind(json_t *o)
{
	if (!json_is_object(o))
		return TRACE_FMT_AUTO;
	if (json_object_get(o, "required_capabilities") ||
	    json_object_get(o, "denied_capabilities"))
		return TRACE_FMT_CAPAUDIT;
	if (json_object_get(o, "eventName"))
		return TRACE_FMT_TRACEE;
	if (json_object_get(o, "verdict") || json_object_get(o, "capName"))
		return TRACE_FMT_IG_LEGACY;
	if (json_object_get(o, "cap") && (json_object_get(o, "capable") ||
					  json_object_get(o, "proc") || json_object_get(o, "k8s")))
		return TRACE_FMT_IG;
	return TRACE_FMT_AUTO;
}

static void init_event(struct trace_event *e, size_t line)
{
	memset(e, 0, sizeof(*e));
	e->cap = -1;
	e->audit = e->insetid = e->userns = -1;
	e->uid = e->pid = -1;
	e->count = 1;
	e->line = line;
}

/* One cap-audit count of capability @cap for the application @app as an event. */
static int capaudit_event(struct loader *L, json_t *app, int cap, enum trace_verdict verdict,
			  long long count)
{
	struct trace_event e;

	init_event(&e, 0);
	e.cap = cap;
	e.verdict = verdict;
	e.count = (unsigned long)count;
	e.comm = trace_intern(L->s, jstr(app, "comm"));
	e.pid = jint(app, "pid");
	return add_event(L, &e);
}

static int json_capaudit(struct loader *L, json_t *o)
{
	static const char *const lists[] = { "required_capabilities", "denied_capabilities" };
	json_t *app = jobj(o, "application");
	size_t k, i;

	for (k = 0; k < ARRAY_SIZE(lists); k++) {
		json_t *arr = json_object_get(o, lists[k]), *it;

		if (!json_is_array(arr))
			continue;
		json_array_foreach(arr, i, it)
		{
			long long num = jint(it, "number"), g, d;
			int cap = cap_by_name(jstr(it, "name"));

			if (cap < 0 && num >= 0 && num < TRACE_NCAPS)
				cap = (int)num;
			if (k == 0) {
				json_t *chk = jobj(it, "checks");

				g = jint(chk, "granted");
				d = jint(chk, "denied");
			} else {
				g = 0;
				d = jint(it, "attempts");
			}
			if (g > 0 && capaudit_event(L, app, cap, TRACE_V_GRANTED, g))
				return -1;
			if (d > 0 && (k == 1 || g <= 0) &&
			    capaudit_event(L, app, cap, TRACE_V_DENIED, d))
				return -1;
		}
	}
	return 0;
}

static int json_event(struct loader *L, json_t *o, size_t line, enum trace_format *fmt)
{
	struct trace_set *s = L->s;
	struct trace_event e;
	enum trace_format k = json_kind(o);
	char sc[64];

	if (k == TRACE_FMT_AUTO) {
		L->fi->skipped++;
		return 0;
	}
	if (*fmt == TRACE_FMT_AUTO)
		*fmt = k;
	init_event(&e, line);
	switch (k) {
	case TRACE_FMT_CAPAUDIT:
		return json_capaudit(L, o);
	case TRACE_FMT_IG: {
		json_t *proc = jobj(o, "proc"), *k8s = jobj(o, "k8s"), *owner = jobj(k8s, "owner");
		json_t *rt = jobj(o, "runtime");
		long long cur, tgt;

		e.cap = cap_by_name(jstr(o, "cap"));
		if (e.cap < 0 && jint(o, "cap_raw") >= 0 && jint(o, "cap_raw") < TRACE_NCAPS)
			e.cap = (int)jint(o, "cap_raw");
		switch (jflag(o, "capable")) {
		case 1:
			e.verdict = TRACE_V_GRANTED;
			break;
		case 0:
			e.verdict = TRACE_V_DENIED;
			break;
		default:
			break;
		}
		e.audit = (signed char)jflag(o, "audit");
		e.insetid = (signed char)jflag(o, "insetid");
		normalize_syscall(jstr(o, "syscall"), sc, sizeof(sc));
		e.syscall = trace_intern(s, sc);
		cur = jint(o, "current_userns") >= 0 ? jint(o, "current_userns")
						     : jint(o, "current_user_ns");
		tgt = jint(o, "target_userns") >= 0 ? jint(o, "target_userns")
						    : jint(o, "target_user_ns");
		e.userns = userns_diff(cur, tgt);
		e.comm = trace_intern(s, jstr(proc, "comm"));
		e.pid = jint(proc, "pid");
		e.uid = jint(jobj(proc, "creds"), "uid");
		e.ns = trace_intern(s, jstr(k8s, "namespace"));
		e.pod = trace_intern(s, jstr(k8s, "podName"));
		e.container = trace_intern(s, jstr(k8s, "containerName"));
		if (!e.container && !e.pod)
			e.container = trace_intern(s, jstr(rt, "containerName"));
		if (e.container && e.container[0] == '/')
			e.container = trace_intern(s, e.container + 1);
		e.owner_kind = trace_intern(s, jstr(owner, "kind"));
		e.owner_name = trace_intern(s, jstr(owner, "name"));
		break;
	}
	case TRACE_FMT_IG_LEGACY: {
		const char *v = jstr(o, "verdict");

		e.cap = cap_by_name(jstr(o, "capName"));
		if (e.cap < 0 && jint(o, "cap") >= 0 && jint(o, "cap") < TRACE_NCAPS)
			e.cap = (int)jint(o, "cap");
		if (v && !strcasecmp(v, "Allow"))
			e.verdict = TRACE_V_GRANTED;
		else if (v && !strcasecmp(v, "Deny"))
			e.verdict = TRACE_V_DENIED;
		e.audit = (signed char)jflag(o, "audit");
		e.insetid = (signed char)jflag(o, "insetid");
		normalize_syscall(jstr(o, "syscall"), sc, sizeof(sc));
		e.syscall = trace_intern(s, sc);
		e.userns = userns_diff(jint(o, "currentuserns"), jint(o, "targetuserns"));
		e.comm = trace_intern(s, jstr(o, "comm"));
		e.pid = jint(o, "pid");
		e.uid = jint(o, "uid");
		e.ns = trace_intern(s, jstr(o, "namespace"));
		e.pod = trace_intern(s, jstr(o, "pod"));
		e.container = trace_intern(s, jstr(o, "container"));
		break;
	}
	case TRACE_FMT_TRACEE: {
		const char *ev = jstr(o, "eventName");
		json_t *args = json_object_get(o, "args"), *a, *kube = jobj(o, "kubernetes");
		json_t *ctr = jobj(o, "container");
		size_t i;

		if (!ev || strcmp(ev, "cap_capable")) {
			L->fi->skipped++;
			return 0;
		}
		if (json_is_array(args)) {
			json_array_foreach(args, i, a)
			{
				const char *an = jstr(a, "name");
				json_t *val =
					json_is_object(a) ? json_object_get(a, "value") : NULL;

				if (!an || strcmp(an, "cap"))
					continue;
				if (json_is_string(val))
					e.cap = cap_by_name(json_string_value(val));
				else if (json_is_integer(val) && json_integer_value(val) >= 0 &&
					 json_integer_value(val) < TRACE_NCAPS)
					e.cap = (int)json_integer_value(val);
			}
		}
		e.audit = 1; /* Tracee drops NOAUDIT checks */
		normalize_syscall(jstr(o, "syscall"), sc, sizeof(sc));
		e.syscall = trace_intern(s, sc);
		e.comm = trace_intern(s, jstr(o, "processName"));
		e.pid = jint(o, "processId");
		e.uid = jint(o, "userId");
		e.ns = trace_intern(s, jstr(kube, "podNamespace"));
		e.pod = trace_intern(s, jstr(kube, "podName"));
		e.container = trace_intern(s, jstr(ctr, "name"));
		/* older Tracee: flat fields */
		if (!e.ns)
			e.ns = trace_intern(s, jstr(o, "podNamespace"));
		if (!e.pod)
			e.pod = trace_intern(s, jstr(o, "podName"));
		if (!e.container)
			e.container = trace_intern(s, jstr(o, "containerName"));
		if (e.container && e.container[0] == '/')
			e.container = trace_intern(s, e.container + 1);
		break;
	}
	default:
		break;
	}
	if (e.cap < 0) {
		L->fi->skipped++;
		return 0;
	}
	return add_event(L, &e);
}

static size_t line_of(const char *buf, size_t off)
{
	size_t n = 1, i;

	for (i = 0; i < off; i++)
		n += buf[i] == '\n';
	return n;
}

/* JSON values one after the other (lines, pretty objects), or arrays of them. */
static int load_json(struct loader *L, const char *buf, size_t len, enum trace_format *fmt)
{
	size_t off = 0, line = 1, lineoff = 0;

	while (off < len) {
		json_error_t jerr;
		json_t *v;
		size_t i;

		while (off < len && isspace((unsigned char)buf[off]))
			off++;
		if (off >= len)
			break;
		line += line_of(buf + lineoff, off - lineoff) - 1;
		lineoff = off;
		v = json_loadb(buf + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!v) {
			/* not JSON: skip the line (a tracer's banner, a truncated last line) */
			const char *nl = memchr(buf + off, '\n', len - off);

			L->fi->skipped++;
			off = nl ? (size_t)(nl - buf) + 1 : len;
			continue;
		}
		if (json_is_array(v)) {
			json_t *it;

			json_array_foreach(v, i, it)
			{
				if (json_event(L, it, line, fmt)) {
					json_decref(v);
					return -1;
				}
			}
		} else if (json_event(L, v, line, fmt)) {
			json_decref(v);
			return -1;
		}
		json_decref(v);
		if (jerr.position <= 0)
			break;
		off += (size_t)jerr.position;
	}
	return 0;
}

/* ---- text: bpftrace capable.bt and BCC capable.py ---- */

/* Split @line into at most @max blank-separated words (pointers into @tmp). */
static size_t words(const char *line, size_t n, char *tmp, size_t tsize, char **w, size_t max)
{
	size_t i = 0, k = 0, t = 0;

	while (i < n && k < max) {
		while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
			i++;
		if (i >= n)
			break;
		if (t >= tsize)
			break;
		w[k++] = tmp + t;
		while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
		       t + 1 < tsize)
			tmp[t++] = line[i++];
		tmp[t++] = '\0';
		while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			i++; /* a word longer than the buffer: its tail is dropped */
	}
	return k;
}

static bool is_num(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool is_time(const char *s)
{
	return strlen(s) == 8 && isdigit((unsigned char)s[0]) && s[2] == ':' && s[5] == ':';
}

static int load_text(struct loader *L, const char *buf, size_t len, enum trace_format *fmt)
{
	size_t off = 0, line = 0;
	bool tid = false, insetid = false, bpftrace = *fmt == TRACE_FMT_BPFTRACE;
	int pass;

	/* first pass: which tool (bpftrace's banner, a raw opts value above 1) and columns */
	for (pass = 0; pass < 2; pass++) {
		off = 0;
		line = 0;
		while (off < len) {
			const char *nl = memchr(buf + off, '\n', len - off);
			size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
			char tmp[512], *w[12];
			size_t k = words(buf + off, n, tmp, sizeof(tmp), w, ARRAY_SIZE(w));
			const char *l = buf + off;

			line++;
			off += n + (nl ? 1 : 0);
			if (pass == 0) {
				if (n >= 9 && !strncmp(l, "Attaching", 9) && *fmt == TRACE_FMT_AUTO)
					bpftrace = true;
				if (k >= 7 && !strcmp(w[0], "TIME") && !strcmp(w[1], "UID")) {
					tid = k >= 4 && !strcmp(w[3], "TID");
					insetid = !strcmp(w[k - 1], "INSETID");
				}
				if (k > (tid ? 7u : 6u) && is_time(w[0]) &&
				    *fmt == TRACE_FMT_AUTO) {
					const char *a = w[tid ? 7 : 6];

					if (is_num(a) && atol(a) > 1)
						bpftrace = true;
				}
				continue;
			}
			if (k >= 7 && is_time(w[0]) && is_num(w[1]) && is_num(w[2])) {
				struct trace_event e;
				size_t c = tid ? 4 : 3;
				long long opt;

				if (k < c + 4 || !is_num(w[c + 1]) || !is_num(w[c + 3])) {
					L->fi->skipped++;
					continue;
				}
				init_event(&e, line);
				e.uid = strtoll(w[1], NULL, 10);
				e.pid = strtoll(w[2], NULL, 10);
				e.comm = trace_intern(L->s, w[c]);
				e.cap = atoi(w[c + 1]);
				if (cap_by_name(w[c + 2]) >= 0)
					e.cap = cap_by_name(w[c + 2]);
				opt = strtoll(w[c + 3], NULL, 10);
				if (bpftrace) {
					/* the raw argument: opts bitmask (Linux >= 5.1), 1 = audit
					 * before */
					e.audit = !(opt & 2);
					e.insetid = (opt & 4) != 0;
				} else {
					e.audit = opt != 0;
					if (insetid && k > c + 4 && is_num(w[c + 4]))
						e.insetid = atoi(w[c + 4]) != 0;
				}
				if (add_event(L, &e))
					return -1;
			} else if (k) {
				L->fi->skipped++;
			}
		}
	}
	if (*fmt == TRACE_FMT_AUTO)
		*fmt = bpftrace ? TRACE_FMT_BPFTRACE : TRACE_FMT_BCC;
	return 0;
}

int trace_set_load_buf(struct trace_set *s, const char *name, const char *buf, size_t len,
		       const char *selector, enum trace_format fmt)
{
	struct trace_selector sel;
	struct loader L;
	size_t i = 0, nev0 = s->nev;
	int rc;

	if (len > TRACE_MAX_FILE)
		return cf_err(CF_E_INPUT, "%s: trace larger than %zu bytes", name,
			      (size_t)TRACE_MAX_FILE);
	if (selector && *selector && trace_selector_parse(selector, &sel))
		return -1;
	CF_ALLOC_GROW(s->files, s->nfiles + 1, s->falloc);
	memset(&L, 0, sizeof(L));
	L.s = s;
	L.fi = &s->files[s->nfiles];
	memset(L.fi, 0, sizeof(*L.fi));
	L.fi->name = trace_intern(s, name && *name ? name : "-");
	L.fi->selector = selector && *selector;
	L.file = (unsigned)s->nfiles;
	L.sel = L.fi->selector ? &sel : NULL;
	L.last_pairable = SIZE_MAX;
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (fmt == TRACE_FMT_BPFTRACE || fmt == TRACE_FMT_BCC ||
	    (fmt == TRACE_FMT_AUTO && i < len && buf[i] != '{' && buf[i] != '['))
		rc = load_text(&L, buf, len, &fmt);
	else
		rc = load_json(&L, buf, len, &fmt);
	if (!rc && s->nev == nev0 && !L.fi->paired)
		rc = cf_err(CF_E_INPUT, "%s: no capability check found (not a known trace format)",
			    L.fi->name);
	if (rc) {
		s->nev = nev0;
		return -1;
	}
	L.fi->format = fmt;
	s->nfiles++;
	return 0;
}

int trace_set_load(struct trace_set *s, const char *path, const char *selector,
		   enum trace_format fmt)
{
	struct sbuf sb = SBUF_INIT;
	int rc;

	if (fsutil_read(path, TRACE_MAX_FILE, &sb))
		return -1;
	rc = trace_set_load_buf(s, path, sb.buf ? sb.buf : "", sb.len, selector, fmt);
	sbuf_release(&sb);
	return rc;
}
