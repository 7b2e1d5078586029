#include "capfix/err.h"

static _Thread_local struct cf_error last_error;

int cf_err(enum cf_err_class cls, const char *fmt, ...)
{
	char msg[sizeof(last_error.msg)];
	va_list ap;

	/* formatted aside first: the arguments may be the last message itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	last_error.cls = cls;
	memcpy(last_error.msg, msg, sizeof(msg));
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
