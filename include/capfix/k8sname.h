/*
 * k8sname.h - names from manifests, checked and written as data.
 *
 * Every name capfix copies from a manifest into generated output (policies,
 * Namespace manifests, file names, shell commands) is first checked against
 * the Kubernetes rule for its field (k8s.io/apimachinery validation):
 *
 *   DNS-1123 label      at most 63 of [a-z0-9-], alphanumeric at both ends
 *                       (namespace and container names)
 *   DNS-1123 subdomain  at most 253; labels of [a-z0-9-] joined by '.'
 *                       (object names, service account names)
 *   label value         empty, or at most 63 of [A-Za-z0-9._-],
 *                       alphanumeric at both ends
 *   qualified name      [prefix/]name: prefix a DNS-1123 subdomain, name a
 *                       label value that is not empty (label keys)
 *
 * and then written through one writer per output language: a YAML
 * double-quoted scalar, a CEL string literal, a POSIX shell word.
 *
 * Ownership: none (callers' buffers). Failure: the checks return false and
 * never fail otherwise; the writers append and can't fail. Nothing prints.
 */
#ifndef CAPFIX_K8SNAME_H
#define CAPFIX_K8SNAME_H

#include "capfix/sbuf.h"

enum k8sname_rule {
	K8SNAME_LABEL, /* DNS-1123 label */
	K8SNAME_SUBDOMAIN, /* DNS-1123 subdomain */
	K8SNAME_LABEL_VALUE, /* a label's value */
	K8SNAME_QUALIFIED /* a label's key */
};

/* Whether @s (NULL is never valid) follows @rule. */
bool k8sname_valid(enum k8sname_rule rule, const char *s);

/* "a DNS-1123 label (...)" and so on: the rule in words, for messages. */
const char *k8sname_rule_text(enum k8sname_rule rule);

/* Append @s as a YAML double-quoted scalar ("..." with \", \\ and control bytes escaped). */
void k8sname_yaml(struct sbuf *out, const char *s);

/* Append `["a", "b"]` (a YAML flow sequence of double-quoted scalars) for @n strings. */
void k8sname_yaml_list(struct sbuf *out, const char *const *v, size_t n);

/* Append @s as a CEL single-quoted string literal ('...' with \' and \\ escaped). */
void k8sname_cel(struct sbuf *out, const char *s);

/* Append @s as one POSIX shell word: '...' with every ' written '\''. */
void k8sname_shell(struct sbuf *out, const char *s);

#endif
