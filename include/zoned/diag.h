/* diag.h: where load and check findings go (stderr, syslog, a test's buffer). */
#ifndef ZONED_DIAG_H
#define ZONED_DIAG_H

#include <stdarg.h>

enum diag_level {
	DIAG_WARNING,
	DIAG_ERROR,
};

/*
 * A sink for diagnostics. emit receives one finished message; file is NULL
 * for findings about the whole zone (then the caller prints its
 * "zone ORIGIN/IN: " prefix), line is 0 when unknown. emit may be NULL:
 * findings are then only counted.
 */
struct diag {
	void (*emit)(void *arg, enum diag_level level, const char *file,
		unsigned long line, const char *message);
	void *arg;
	unsigned long errors;
	unsigned long warnings;
};

/* Formats and emits one finding and counts it. d may be NULL (ignored). */
void diag_report(struct diag *d, enum diag_level level, const char *file,
	unsigned long line, const char *format, ...)
	__attribute__((format(printf, 5, 6)));

void diag_vreport(struct diag *d, enum diag_level level, const char *file,
	unsigned long line, const char *format, va_list args);

#endif
