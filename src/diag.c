/* diag.c: format a finding once and hand it to whoever listens. */
#include <stdio.h>

#include "zoned/diag.h"

void
diag_vreport(struct diag *d, enum diag_level level, const char *file,
	unsigned long line, const char *format, va_list args)
{
	if (d == NULL)
		return;
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->emit == NULL)
		return;
	char message[1024];
	vsnprintf(message, sizeof message, format, args);
	d->emit(d->arg, level, file, line, message);
}

void
diag_report(struct diag *d, enum diag_level level, const char *file,
	unsigned long line, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	diag_vreport(d, level, file, line, format, args);
	va_end(args);
}
