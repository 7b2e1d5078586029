/*
 * k8sname.c - Kubernetes name rules and the writers that quote names.
 */
#include "capfix/k8sname.h"

static bool alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return alnum_lower(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? of @n bytes, at most 63. */
static bool dns_label(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 63 || !alnum_lower(s[0]) || !alnum_lower(s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!alnum_lower(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool subdomain(const char *s, size_t n)
{
	size_t i, start = 0;

	if (!n || n > 253)
		return false;
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!dns_label(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63; empty when @empty_ok. */
static bool label_value(const char *s, size_t n, bool empty_ok)
{
	size_t i;

	if (!n)
		return empty_ok;
	if (n > 63 || !alnum(s[0]) || !alnum(s[n - 1]))
		return false;
	for (i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

bool k8sname_valid(enum k8sname_rule rule, const char *s)
{
	const char *slash;
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	switch (rule) {
	case K8SNAME_LABEL:
		return dns_label(s, n);
	case K8SNAME_SUBDOMAIN:
		return subdomain(s, n);
	case K8SNAME_LABEL_VALUE:
		return label_value(s, n, true);
	case K8SNAME_QUALIFIED:
		slash = strchr(s, '/');
		if (!slash)
			return label_value(s, n, false);
		return subdomain(s, (size_t)(slash - s)) &&
		       label_value(slash + 1, strlen(slash + 1), false);
	}
	return false;
}

const char *k8sname_rule_text(enum k8sname_rule rule)
{
	switch (rule) {
	case K8SNAME_LABEL:
		return "a DNS-1123 label (at most 63 characters: a-z, 0-9 and '-', alphanumeric at both ends)";
	case K8SNAME_SUBDOMAIN:
		return "a DNS-1123 subdomain (at most 253 characters: DNS-1123 labels joined by '.')";
	case K8SNAME_LABEL_VALUE:
		return "a label value (at most 63 characters: A-Z, a-z, 0-9, '-', '_' and '.', alphanumeric at both ends)";
	case K8SNAME_QUALIFIED:
		return "a label key ([DNS-1123 subdomain/]name, the name as a label value)";
	}
	return "?";
}

void k8sname_yaml(struct sbuf *out, const char *s)
{
	const unsigned char *p;

	sbuf_addch(out, '"');
	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			sbuf_addf(out, "\\%c", *p);
		else if (*p == '\n')
			sbuf_addstr(out, "\\n");
		else if (*p == '\t')
			sbuf_addstr(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			sbuf_addf(out, "\\x%02x", *p);
		else
			sbuf_addch(out, (char)*p);
	}
	sbuf_addch(out, '"');
}

void k8sname_yaml_list(struct sbuf *out, const char *const *v, size_t n)
{
	size_t i;

	sbuf_addch(out, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sbuf_addstr(out, ", ");
		k8sname_yaml(out, v[i]);
	}
	sbuf_addch(out, ']');
}

void k8sname_cel(struct sbuf *out, const char *s)
{
	const unsigned char *p;

	sbuf_addch(out, '\'');
	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\'' || *p == '\\')
			sbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sbuf_addf(out, "\\x%02x", *p);
		else
			sbuf_addch(out, (char)*p);
	}
	sbuf_addch(out, '\'');
}

void k8sname_shell(struct sbuf *out, const char *s)
{
	sbuf_addch(out, '\'');
	for (; s && *s; s++) {
		if (*s == '\'')
			sbuf_addstr(out, "'\\''");
		else
			sbuf_addch(out, *s);
	}
	sbuf_addch(out, '\'');
}
