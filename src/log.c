/* log.c: the daemon's log lines, to stderr or syslog, filtered by verbosity. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <config.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>

#include "zoned/log.h"

/* Set by log_setup before the workers start; zoned-control's trace changes it
 * while they run (atomic: a worker reads either value, never a torn one). */
static const int log_thresholds[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
static _Atomic int log_threshold = LOG_INFO;
static bool log_to_syslog;

void
log_setup(int verbosity, bool use_syslog)
{
	log_set_verbosity(verbosity);
	if (use_syslog && !log_to_syslog)
		openlog("zoned", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_to_syslog = use_syslog;
}

void
log_set_verbosity(int verbosity)
{
	if (verbosity < 0)
		verbosity = 0;
	if (verbosity > 3)
		verbosity = 3;
	log_threshold = log_thresholds[verbosity];
}

int
log_verbosity(void)
{
	int threshold = log_threshold;
	int verbosity = 0;
	while (verbosity < 3 && log_thresholds[verbosity] < threshold)
		verbosity++;
	return verbosity;
}

bool
log_enabled(int priority)
{
	return priority <= log_threshold;
}

void
log_message(int priority, const char *format, ...)
{
	if (priority > log_threshold)
		return;
	char line[2048];
	va_list args;
	va_start(args, format);
	vsnprintf(line, sizeof line, format, args);
	va_end(args);
	if (log_to_syslog) {
		syslog(priority, "%s", line);
		return;
	}
	/* One fprintf per line: stdio locks the stream, so threads do not interleave. */
	const char *prefix = priority <= LOG_ERR ? "error: "
		: priority == LOG_WARNING ? "warning: " : "";
	fprintf(stderr, "zoned: %s%s\n", prefix, line);
}

void
log_diag_emit(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	const struct log_diag *where = arg;
	log_function *log = where != NULL && where->log != NULL ? where->log : log_message;
	int priority = level == DIAG_ERROR ? LOG_ERR : LOG_WARNING;
	if (file != NULL && line > 0)
		log(priority, "%s:%lu: %s", file, line, message);
	else if (file != NULL)
		log(priority, "%s: %s", file, message);
	else if (where != NULL && where->zone_name != NULL)
		log(priority, "zone %s/IN: %s", where->zone_name, message);
	else
		log(priority, "%s", message);
}

void
log_format_address(const struct sockaddr *address, char *out, size_t size)
{
	char text[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;
	if (address->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)address;
		inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
		port = ntohs(in->sin_port);
	} else if (address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
		port = ntohs(in6->sin6_port);
	}
	snprintf(out, size, "%s#%u", text, port);
}
