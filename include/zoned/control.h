/*
 * control.h: the control channel, zoned-control's way in: a unix stream
 * socket on the main thread's event loop. One request per connection, one
 * line of text ("reload example.com"); the reply is text lines and a last
 * line "status N", N the exit status zoned-control gives (0 or 1). Access
 * is the socket's file permissions (controls statement, zoned.conf(5)).
 */
#ifndef ZONED_CONTROL_H
#define ZONED_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zoned/dname.h"
#include "zoned/log.h"

struct config;
struct config_control;
struct event_base;
struct evbuffer;
struct notify;
struct stats;
struct zoneset;
struct zoneset_zone;

/* Where the socket is without a controls statement (zoned.conf(5)). */
#define CONTROL_DEFAULT_PATH "/run/zoned/zoned.ctl"
#define CONTROL_REQUEST_MAX 1024        /* octets of a request line, newline included */
#define CONTROL_TIMEOUT_SECONDS 10      /* to send the request, and to read the reply */
#define CONTROL_CONNECTIONS_MAX 16      /* open at once; more are closed at once */
#define CONTROL_ZONE_TEXT_MAX (DNAME_MAX_LENGTH * 4 + 1)

enum control_command {
	CONTROL_STATUS,
	CONTROL_RELOAD,         /* every changed zone (SIGHUP), or one zone */
	CONTROL_RECONFIG,       /* the config and new zones only */
	CONTROL_ZONESTATUS,
	CONTROL_STATS,
	CONTROL_NOTIFY,
	CONTROL_REFRESH,
	CONTROL_RETRANSFER,
	CONTROL_TRACE,
	CONTROL_NOTRACE,
	CONTROL_STOP,
};

/* A parsed request line. */
struct control_request {
	enum control_command command;
	bool has_zone;                      /* a zone argument was given */
	uint8_t origin[DNAME_MAX_LENGTH];   /* it, lowercased wire form */
	char zone[CONTROL_ZONE_TEXT_MAX];   /* it, as written */
	int level;                          /* trace LEVEL (0-3); -1: not given */
};

/*
 * Parses one request line of length octets (no newline; need not be
 * NUL-terminated): a command word and its arguments, separated by spaces
 * or tabs. Returns 0, or ZONED_EINVAL with a one-line reason in error
 * (unknown command, missing or extra argument, bad zone name or level,
 * control characters, too long).
 */
int control_request_parse(const char *line, size_t length, struct control_request *out,
	char *error, size_t error_size);

/* The commands' usage lines ("reload [ZONE]"), NULL after the last; for help texts. */
const char *control_command_usage(size_t index);

/* Which reload zoned-control asked for. */
enum control_reload {
	CONTROL_RELOAD_ALL,         /* what SIGHUP does */
	CONTROL_RELOAD_ZONE,        /* only this zone; the config is not read again */
	CONTROL_RELOAD_NEW_ZONES,   /* the config again, only new zones loaded */
};

/*
 * What the daemon lends the control channel (server.c fills it in). The
 * functions run on the main thread, between events.
 */
struct control_daemon {
	void *arg;                                   /* passed to each function */
	const struct zoneset *(*zones)(void *arg);   /* the published zones */
	const struct config *(*config)(void *arg);   /* the config in use */
	/* The counters as GET /metrics writes them. Returns 0 or ZONED_ENOMEM. */
	int (*write_stats)(void *arg, struct evbuffer *out);
	/*
	 * Reloads; origin is the zone for CONTROL_RELOAD_ZONE. Returns 0, or a
	 * negative code when nothing was published (bad config, out of memory,
	 * stopping); *failed counts zones that did not load.
	 */
	int (*reload)(void *arg, enum control_reload scope, const uint8_t *origin,
		unsigned *failed);
	/*
	 * refresh (full false) or retransfer (full true) of a secondary zone:
	 * writes its reply to out and returns 0 or 1. NULL: no secondary zones.
	 */
	int (*transfer)(void *arg, const struct zoneset_zone *zone, bool full,
		struct evbuffer *out);
	void (*stop)(void *arg);                     /* as SIGTERM; called after the reply went out */
	struct notify *notify;                       /* NOTIFY out, for notify ZONE */
	const struct stats *stats;                   /* for status's queries served */
	unsigned workers;
	int verbosity;                               /* -v at start: notrace goes back to it */
};

/* The channel: its socket and open connections. */
struct control;

/*
 * Opens the socket of settings (the config's controls; path NULL with
 * given: none, returns 0 with *out NULL), or CONTROL_DEFAULT_PATH when no
 * controls statement was given. Called before privileges are dropped. A
 * socket file left by a dead process is replaced; one that a live process
 * answers on is not taken. With a controls statement any failure is an
 * error; the default path is skipped with a log line when its directory
 * does not exist, and with a warning for other failures. Returns 0 or a
 * negative ZONED_ code (logged).
 */
int control_open(const struct config_control *settings, log_function *log,
	struct control **out);

/*
 * Serves the opened channel on base (the main thread's) with daemon's
 * functions (copied). Returns 0 or ZONED_ENOMEM. control may be NULL.
 */
int control_start(struct control *control, struct event_base *base,
	const struct control_daemon *daemon);

/* The socket's path, or NULL. */
const char *control_path(const struct control *control);

/*
 * Closes every connection and the socket, and removes the socket file if
 * it is still the one opened. NULL is fine.
 */
void control_free(struct control *control);

/*
 * Runs one parsed request against daemon, writing the reply lines (not
 * the status line) to out. Returns the exit status, 0 or 1; *stop is set
 * when the daemon is to stop once the reply went out.
 */
int control_execute(const struct control_daemon *daemon, const struct control_request *request,
	time_t started, struct evbuffer *out, bool *stop);

#endif
