#include "capfix/err.h"

static _Thread_local struct cf_error last_error;

int cf_err(enum cf_err_class cls, const char *fmt, ...)
{
	va_list ap;

	last_error.cls = cls;
	va_start(ap, fmt);
	vsnprintf(last_error.msg, sizeof(last_error.msg), fmt, ap);
	va_end(ap);
	return -1;
}

const struct cf_error *cf_err_last(void)
{
	return &last_error;
}

void cf_err_clear(void)
{
	last_error.cls = CF_E_NONE;
	last_error.msg[0] = '\0';
}
