/*
 * log.h: the daemon's log: one line per event, to stderr or (once
 * daemonized) syslog, filtered by the -v verbosity.
 */
#ifndef ZONED_LOG_H
#define ZONED_LOG_H

#include <stdbool.h>
#include <netinet/in.h>   /* INET6_ADDRSTRLEN */
#include <stddef.h>
#include <sys/socket.h>
#include <syslog.h>  /* the LOG_* priorities callers pass */

#include "zoned/diag.h"

/*
 * Where a module logs (log_message's signature): modules take one of these
 * instead of calling log_message, so that tests can capture their lines.
 */
typedef void log_function(int priority, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Sets where log_message writes (stderr, or syslog with ident "zoned" and
 * facility daemon) and how much: verbosity 0 errors, 1 warnings, 2 info,
 * 3 debug, clamped to that range. Call before the worker threads start.
 */
void log_setup(int verbosity, bool use_syslog);

/*
 * Sets the verbosity (0 errors ... 3 debug, clamped) while the daemon runs:
 * zoned-control's trace and notrace. Safe from any thread.
 */
void log_set_verbosity(int verbosity);

/* The verbosity in effect, 0 to 3. */
int log_verbosity(void);

/*
 * Logs one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG); lines above the verbosity are dropped, long ones truncated
 * at 2 KiB. Safe from any thread.
 */
void log_message(int priority, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * True when log_message would write a line at priority: callers check it
 * before formatting costly details (addresses) of debug lines on busy paths.
 */
bool log_enabled(int priority);

/* Where log_diag_emit sends findings (struct diag's arg). */
struct log_diag {
	log_function *log;        /* NULL: log_message */
	const char *zone_name;    /* prefixes findings without a file; NULL: none */
};

/*
 * A struct diag emit callback: logs each finding as one line, "file:line:
 * message" (file: message without a line; "zone NAME/IN: message" for
 * findings about a whole zone), at LOG_ERR for errors, else LOG_WARNING.
 * arg is a struct log_diag, or NULL for log_message without a zone.
 */
void log_diag_emit(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message);

/* Room for log_format_address's text: an IPv6 address, '#', a port, the NUL. */
#define LOG_ADDRESS_SIZE (INET6_ADDRSTRLEN + 8)

/*
 * "address#port" of an IPv4 or IPv6 socket address into out, as BIND
 * writes it ("?#0" for another family).
 */
void log_format_address(const struct sockaddr *address, char *out, size_t size);

#endif
