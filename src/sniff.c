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

/* Valid UTF-8 without NUL bytes (overlong forms, surrogates and values past U+10FFFF refused). */
static bool utf8_text(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i], need, min, cp;

		if (c < 0x80) {
			if (!c)
				return false;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (len - i <= need)
			return false;
		while (need--) {
			c = s[++i];
			if ((c & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (c & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i++;
	}
	return true;
}

bool sniff_is_data(const char *buf, size_t len)
{
	return utf8_text((const unsigned char *)buf, len) && !sniff_manifest(buf, len);
}
