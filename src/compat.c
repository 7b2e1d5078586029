/* compat.c - what compat.h declares: allocation that cannot fail, checked sizes, BUG. */
#include "capfix/compat.h"

void cf_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "capfix: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}

static CF_NORETURN void oom(size_t size)
{
	fprintf(stderr, "capfix: fatal: out of memory allocating %zu bytes\n", size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(cf_st_mult(nmemb, size));
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		oom(size);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(cf_st_add(n, 1));

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

size_t cf_st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		CF_BUG("size_t overflow in addition");
	return a + b;
}

size_t cf_st_mult(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		CF_BUG("size_t overflow in multiplication");
	return a * b;
}
