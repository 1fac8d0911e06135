/*
 * control_command.c: zoned-control's commands (named as rndc's): the one
 * table of them, the parser of a request line and what each command does
 * with the daemon's functions (struct control_daemon).
 */
#include <config.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "zoned/config.h"
#include "zoned/control.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/notify.h"
#include "zoned/stats.h"
#include "zoned/zoneset.h"

#define CONTROL_MAX_WORDS 2     /* a command and one argument */

enum control_argument {
	CONTROL_ARGUMENT_NONE,
	CONTROL_ARGUMENT_ZONE,
	CONTROL_ARGUMENT_OPTIONAL_ZONE,
	CONTROL_ARGUMENT_OPTIONAL_LEVEL,
};

/* The one table of commands: the parser, the help texts and the man page follow it. */
static const struct control_command_info {
	const char *name;
	enum control_command command;
	enum control_argument argument;
	const char *usage;
} control_commands[] = {
	{ "status", CONTROL_STATUS, CONTROL_ARGUMENT_NONE, "status" },
	{ "reload", CONTROL_RELOAD, CONTROL_ARGUMENT_OPTIONAL_ZONE, "reload [ZONE]" },
	{ "reconfig", CONTROL_RECONFIG, CONTROL_ARGUMENT_NONE, "reconfig" },
	{ "zonestatus", CONTROL_ZONESTATUS, CONTROL_ARGUMENT_ZONE, "zonestatus ZONE" },
	{ "stats", CONTROL_STATS, CONTROL_ARGUMENT_NONE, "stats" },
	{ "notify", CONTROL_NOTIFY, CONTROL_ARGUMENT_ZONE, "notify ZONE" },
	{ "refresh", CONTROL_REFRESH, CONTROL_ARGUMENT_ZONE, "refresh ZONE" },
	{ "retransfer", CONTROL_RETRANSFER, CONTROL_ARGUMENT_ZONE, "retransfer ZONE" },
	{ "trace", CONTROL_TRACE, CONTROL_ARGUMENT_OPTIONAL_LEVEL, "trace [LEVEL]" },
	{ "notrace", CONTROL_NOTRACE, CONTROL_ARGUMENT_NONE, "notrace" },
	{ "stop", CONTROL_STOP, CONTROL_ARGUMENT_NONE, "stop" },
};

#define CONTROL_COMMAND_COUNT (sizeof control_commands / sizeof control_commands[0])

static const char *const control_verbosity_names[] = { "errors", "warnings", "info", "debug" };

const char *
control_command_usage(size_t index)
{
	return index < CONTROL_COMMAND_COUNT ? control_commands[index].usage : NULL;
}

static int
control_parse_error(char *error, size_t size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static int
control_parse_error(char *error, size_t size, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(error, size, format, args);
	va_end(args);
	return ZONED_EINVAL;
}

/* Splits line into at most CONTROL_MAX_WORDS words. Returns their count, or -1: too many. */
static int
control_split(const char *line, size_t length, char words[][CONTROL_REQUEST_MAX])
{
	int count = 0;
	size_t i = 0;
	while (i < length) {
		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		if (count == CONTROL_MAX_WORDS)
			return -1;
		size_t start = i;
		while (i < length && line[i] != ' ' && line[i] != '\t')
			i++;
		memcpy(words[count], line + start, i - start);   /* i - start < length < MAX */
		words[count][i - start] = '\0';
		count++;
	}
	return count;
}

static const struct control_command_info *
control_find_command(const char *name)
{
	for (size_t i = 0; i < CONTROL_COMMAND_COUNT; i++) {
		if (strcmp(control_commands[i].name, name) == 0)
			return &control_commands[i];
	}
	return NULL;
}

static int
control_parse_zone(const char *text, struct control_request *out, char *error, size_t size)
{
	if (strlen(text) >= sizeof out->zone || dname_from_text(text, out->origin) < 0)
		return control_parse_error(error, size, "'%s' is not a valid zone name", text);
	dname_lower(out->origin);
	memcpy(out->zone, text, strlen(text) + 1);
	out->has_zone = true;
	return 0;
}

int
control_request_parse(const char *line, size_t length, struct control_request *out,
	char *error, size_t error_size)
{
	memset(out, 0, sizeof *out);
	out->level = -1;
	if (length >= CONTROL_REQUEST_MAX)
		return control_parse_error(error, error_size, "request longer than %d octets",
			CONTROL_REQUEST_MAX - 1);
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c > 0x7e)
			return control_parse_error(error, error_size, "request has a control or "
				"non-ASCII character (octet %zu)", i + 1);
	}
	char words[CONTROL_MAX_WORDS][CONTROL_REQUEST_MAX];
	int count = control_split(line, length, words);
	if (count == 0)
		return control_parse_error(error, error_size, "empty request");
	const struct control_command_info *info = control_find_command(words[0]);
	if (info == NULL)
		return control_parse_error(error, error_size, "unknown command '%s'", words[0]);
	out->command = info->command;
	bool takes = info->argument != CONTROL_ARGUMENT_NONE;
	bool needs = info->argument == CONTROL_ARGUMENT_ZONE;
	if (count < 0 || (count == 2 && !takes) || (count == 1 && needs))
		return control_parse_error(error, error_size, "usage: %s", info->usage);
	if (count == 1)
		return 0;
	if (info->argument != CONTROL_ARGUMENT_OPTIONAL_LEVEL)
		return control_parse_zone(words[1], out, error, error_size);
	if (strlen(words[1]) != 1 || words[1][0] < '0' || words[1][0] > '3')
		return control_parse_error(error, error_size, "trace: LEVEL is 0 (errors), "
			"1 (warnings), 2 (info) or 3 (debug), not '%s'", words[1]);
	out->level = words[1][0] - '0';
	return 0;
}

/* The zone of the published set with this origin, or NULL. */
static const struct zoneset_zone *
control_find_zone(const struct zoneset *zones, const uint8_t *origin)
{
	for (size_t i = 0; zones != NULL && i < zones->zone_count; i++) {
		if (dname_equal(zones->zones[i].origin, origin))
			return &zones->zones[i];
	}
	return NULL;
}

/* A time as "2026-12-03 18:20:05 UTC" (UTC: the same for every reader). */
static void
control_format_time(time_t when, char *out, size_t size)
{
	struct tm tm;
	if (when == 0 || gmtime_r(&when, &tm) == NULL
	    || strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "never");
}

static int
control_status(const struct control_daemon *daemon, time_t started, struct evbuffer *out)
{
	const struct zoneset *zones = daemon->zones(daemon->arg);
	size_t failed = 0;
	for (size_t i = 0; i < zones->zone_count; i++)
		failed += zones->zones[i].failed;
	struct stats_counters counters;
	stats_sum(daemon->stats, &counters);
	uint64_t queries = 0;
	for (size_t i = 0; i < STATS_TRANSPORT_COUNT; i++)
		queries += counters.queries[i];
	char since[64];
	control_format_time(started, since, sizeof since);
	int verbosity = log_verbosity();
	evbuffer_add_printf(out, "version: zoned %s\n", PACKAGE_VERSION);
	evbuffer_add_printf(out, "uptime: %lld s (since %s)\n",
		(long long)(time(NULL) - started), since);
	evbuffer_add_printf(out, "zones: %zu\n", zones->zone_count);
	evbuffer_add_printf(out, "failed zones: %zu\n", failed);
	for (size_t i = 0; i < zones->zone_count; i++) {
		if (zones->zones[i].failed)
			evbuffer_add_printf(out, "failed zone: %s\n", zones->zones[i].name);
	}
	evbuffer_add_printf(out, "workers: %u\n", daemon->workers);
	evbuffer_add_printf(out, "queries served: %" PRIu64 "\n", queries);
	evbuffer_add_printf(out, "verbosity: %d (%s)\n", verbosity,
		control_verbosity_names[verbosity]);
	evbuffer_add_printf(out, "server is up and running\n");
	return 0;
}

/* A zone's type, as its zone statement says. */
static const char *
control_zone_type(const struct control_daemon *daemon, const struct zoneset_zone *zone)
{
	const struct config *config = daemon->config(daemon->arg);
	const struct config_zone *cz = config != NULL ? config_find_zone(config, zone->origin)
		: NULL;
	return cz != NULL && cz->secondary ? "secondary" : "primary";
}

static int
control_zonestatus(const struct control_daemon *daemon, const struct zoneset_zone *zone,
	struct evbuffer *out)
{
	char loaded[64];
	control_format_time(zone->loaded, loaded, sizeof loaded);
	evbuffer_add_printf(out, "name: %s\n", zone->name);
	evbuffer_add_printf(out, "type: %s\n", control_zone_type(daemon, zone));
	if (zone->failed) {
		evbuffer_add_printf(out, "state: failed (not loaded: answers SERVFAIL)\n");
		evbuffer_add_printf(out, "serial: none\n");
	} else {
		evbuffer_add_printf(out, "state: loaded\n");
		evbuffer_add_printf(out, "serial: %lu\n", (unsigned long)zone->zone->serial);
		evbuffer_add_printf(out, "records: %zu\n", zone->zone->record_count);
	}
	evbuffer_add_printf(out, "file: %s\n", zone->path);
	evbuffer_add_printf(out, "loaded: %s\n", loaded);
	evbuffer_add_printf(out, "last error: %s\n", zone->error ? zone->error : "none");
	return 0;
}

static int
control_reload_failure(int rc, struct evbuffer *out)
{
	if (rc == ZONED_ECANCELED)
		evbuffer_add_printf(out, "reload abandoned: the server is stopping\n");
	else if (rc == ZONED_EINVAL)
		evbuffer_add_printf(out, "the configuration has errors (see the log): "
			"the current one is kept\n");
	else
		evbuffer_add_printf(out, "reload failed: %s; the current zones are kept\n",
			zoned_strerror(rc));
	return 1;
}

/* reload ZONE: says whether the zone was loaded again, unchanged, or failed. */
static int
control_reload_zone(const struct control_daemon *daemon, const struct control_request *request,
	const struct zoneset_zone *before, struct evbuffer *out)
{
	const struct zone *was = before->zone;   /* compared, never read: may be freed */
	unsigned failed = 0;
	int rc = daemon->reload(daemon->arg, CONTROL_RELOAD_ZONE, request->origin, &failed);
	if (rc != 0)
		return control_reload_failure(rc, out);
	const struct zoneset_zone *zone = control_find_zone(daemon->zones(daemon->arg),
		request->origin);
	if (zone == NULL) {
		evbuffer_add_printf(out, "zone %s is no longer served\n", request->zone);
		return 1;
	}
	if (zone->failed) {
		evbuffer_add_printf(out, "zone %s: not loaded: %s; answering SERVFAIL\n",
			zone->name, zone->error ? zone->error : "see the log");
		return 1;
	}
	if (failed > 0) {
		evbuffer_add_printf(out, "zone %s: reload failed: %s; still serving serial %lu\n",
			zone->name, zone->error ? zone->error : "see the log",
			(unsigned long)zone->zone->serial);
		return 1;
	}
	evbuffer_add_printf(out, "zone %s: %s, serial %lu\n", zone->name,
		zone->zone != was ? "reloaded" : "up to date (its files did not change)",
		(unsigned long)zone->zone->serial);
	return 0;
}

/* reload (every zone, as SIGHUP) and reconfig (config and new zones). */
static int
control_reload_all(const struct control_daemon *daemon, enum control_reload scope,
	struct evbuffer *out)
{
	unsigned failed = 0;
	int rc = daemon->reload(daemon->arg, scope, NULL, &failed);
	if (rc != 0)
		return control_reload_failure(rc, out);
	const struct zoneset *zones = daemon->zones(daemon->arg);
	evbuffer_add_printf(out, "%s: %zu zones served, %u failed to load%s\n",
		scope == CONTROL_RELOAD_ALL ? "reload done" : "reconfig done", zones->zone_count,
		failed, failed > 0 ? " (see the log and zonestatus)" : "");
	return failed > 0;
}

static int
control_notify(const struct control_daemon *daemon, const struct zoneset_zone *zone,
	struct evbuffer *out)
{
	if (zone->failed) {
		evbuffer_add_printf(out, "zone %s is not loaded: nothing to notify\n", zone->name);
		return 1;
	}
	size_t queued = 0;
	if (notify_zone_now(daemon->notify, daemon->config(daemon->arg), zone, &queued) != 0) {
		evbuffer_add_printf(out, "zone %s: out of memory for NOTIFY\n", zone->name);
		return 1;
	}
	if (queued == 0)
		evbuffer_add_printf(out, "zone %s: no server to notify (see notify and "
			"also-notify in zoned.conf(5))\n", zone->name);
	else
		evbuffer_add_printf(out, "zone %s: NOTIFY serial %lu sent to %zu servers\n",
			zone->name, (unsigned long)zone->zone->serial, queued);
	return 0;
}

static int
control_transfer(const struct control_daemon *daemon, const struct zoneset_zone *zone,
	bool full, struct evbuffer *out)
{
	if (daemon->transfer == NULL) {
		evbuffer_add_printf(out, "zone %s is not a secondary zone\n", zone->name);
		return 1;
	}
	return daemon->transfer(daemon->arg, zone, full, out);
}

static int
control_trace(const struct control_daemon *daemon, const struct control_request *request,
	struct evbuffer *out)
{
	int verbosity = log_verbosity();
	if (request->command == CONTROL_NOTRACE)
		verbosity = daemon->verbosity;
	else if (request->level >= 0)
		verbosity = request->level;
	else if (verbosity < 3)
		verbosity++;
	log_set_verbosity(verbosity);
	verbosity = log_verbosity();
	log_message(LOG_INFO, "verbosity set to %d (%s) by zoned-control", verbosity,
		control_verbosity_names[verbosity]);
	evbuffer_add_printf(out, "verbosity: %d (%s)\n", verbosity,
		control_verbosity_names[verbosity]);
	return 0;
}

/* The commands about one zone, once it is found. */
static int
control_execute_zone(const struct control_daemon *daemon, const struct control_request *request,
	const struct zoneset_zone *zone, struct evbuffer *out)
{
	switch (request->command) {
	case CONTROL_RELOAD:
		return control_reload_zone(daemon, request, zone, out);
	case CONTROL_ZONESTATUS:
		return control_zonestatus(daemon, zone, out);
	case CONTROL_NOTIFY:
		return control_notify(daemon, zone, out);
	case CONTROL_REFRESH:
	case CONTROL_RETRANSFER:
		return control_transfer(daemon, zone, request->command == CONTROL_RETRANSFER, out);
	default:
		return 1;   /* the parser gives no zone to the others */
	}
}

int
control_execute(const struct control_daemon *daemon, const struct control_request *request,
	time_t started, struct evbuffer *out, bool *stop)
{
	*stop = false;
	if (request->has_zone) {
		const struct zoneset_zone *zone = control_find_zone(daemon->zones(daemon->arg),
			request->origin);
		if (zone == NULL) {
			evbuffer_add_printf(out, "unknown zone %s: not served\n", request->zone);
			return 1;
		}
		return control_execute_zone(daemon, request, zone, out);
	}
	switch (request->command) {
	case CONTROL_STATUS:
		return control_status(daemon, started, out);
	case CONTROL_RELOAD:
		return control_reload_all(daemon, CONTROL_RELOAD_ALL, out);
	case CONTROL_RECONFIG:
		return control_reload_all(daemon, CONTROL_RELOAD_NEW_ZONES, out);
	case CONTROL_STATS:
		if (daemon->write_stats(daemon->arg, out) == 0)
			return 0;
		evbuffer_add_printf(out, "out of memory\n");
		return 1;
	case CONTROL_TRACE:
	case CONTROL_NOTRACE:
		return control_trace(daemon, request, out);
	case CONTROL_STOP:
		*stop = true;
		evbuffer_add_printf(out, "stopping\n");
		return 0;
	default:
		return 1;   /* the parser requires a zone for the others */
	}
}
