/*
 * log.h: the daemon's log: one line per event, to stderr or (once
 * daemonized) syslog, filtered by the -v verbosity.
 */
#ifndef ZONED_LOG_H
#define ZONED_LOG_H

#include <stdbool.h>
#include <syslog.h>  /* the LOG_* priorities callers pass */

/*
 * Sets where log_message writes (stderr, or syslog with ident "zoned" and
 * facility daemon) and how much: verbosity 0 errors, 1 warnings, 2 info,
 * 3 debug, clamped to that range. Call before the worker threads start.
 */
void log_setup(int verbosity, bool use_syslog);

/*
 * Logs one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO,
 * LOG_DEBUG); lines above the verbosity are dropped, long ones truncated
 * at 2 KiB. Safe from any thread.
 */
void log_message(int priority, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

#endif
