#include "capfix/sniff.h"

/* @key at @p, then optional closing quote and blanks, then ':' */
static bool key_at(const char *buf, size_t len, size_t at, const char *key)
{
	size_t n = strlen(key), i = at + n;

	if (at + n > len || memcmp(buf + at, key, n))
		return false;
	/* the start of a key: line start, blank, '{', ',' or a quote before it */
	if (at > 0) {
		char c = buf[at - 1];

		if (c != '\n' && c != ' ' && c != '\t' && c != '{' && c != ',' && c != '"' &&
		    c != '\'')
			return false;
	}
	if (i < len && (buf[i] == '"' || buf[i] == '\''))
		i++;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	return i < len && buf[i] == ':';
}

bool sniff_manifest(const char *buf, size_t len)
{
	static const char *const keys[] = { "apiVersion", "kind", "services", "HostConfig" };
	size_t i, k;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c != 'a' && c != 'k' && c != 's' && c != 'H')
			continue;
		for (k = 0; k < ARRAY_SIZE(keys); k++)
			if (c == keys[k][0] && key_at(buf, len, i, keys[k]))
				return true;
	}
	return false;
}
