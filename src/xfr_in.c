/*
 * xfr_in.c: the secondary side: refresh timers, SOA queries, incoming
 * transfers, expiry and the saved copy, one state machine per secondary
 * zone on the main thread's event loop. Messages are read by xfr_parse.c,
 * versions built by zone_apply.c, published by the server (xfr_in_hooks),
 * saved copies written by zone_saver.c on its own thread.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/log.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/xfr_build.h"
#include "zoned/xfr_in.h"
#include "zoned/xfr_parse.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_saver.h"

#define XFR_SOA_TIMEOUT_S 3          /* per SOA query (one datagram) */
#define XFR_CONNECT_TIMEOUT_S 10
#define XFR_REQUEST_MAX 1024
#define XFR_MESSAGE_MAX (UINT16_MAX + 2)
#define XFR_ERRORS_LOGGED 10         /* a broken zone's findings, then a count */
#define XFR_BATCH_MIN (256 * 1024)   /* octets of records handed to the build thread at once */

/* One primary as configured, with its key copied (the config may go). */
struct xfr_primary {
	struct sockaddr_storage address;
	socklen_t address_length;
	bool keyed;
	struct tsig_key_copy key;
	char text[LOG_ADDRESS_SIZE];        /* "address#port" */
};

enum xfr_phase {
	XFR_IDLE,
	XFR_SOA_QUERY,
	XFR_QUEUED,                         /* waiting for a place under transfers-in */
	XFR_CONNECTING,
	XFR_TRANSFERRING,
	XFR_BUILDING,                       /* an AXFR received, its build's tail on a thread */
};

/* A broken zone's findings, logged (the first few). */
struct xfr_diag {
	struct xfr_zone *zone;
	const char *source;                 /* "AXFR from address#port" */
	unsigned logged;
};

struct xfr_zone {
	struct xfr_zone *next;
	struct xfr_in *owner;
	uint8_t origin[DNAME_MAX_LENGTH];
	char name[DNAME_MAX_LENGTH * 4 + 1];
	char *path;                         /* the saved copy */
	struct xfr_primary *primaries;
	size_t primary_count;
	size_t max_records;
	uint32_t clamps[4];                 /* min/max refresh, min/max retry */
	uint32_t idle_seconds;              /* max-transfer-idle-in: between two reads */
	uint32_t time_seconds;              /* max-transfer-time-in: connect to last message */
	bool seen;                          /* in the latest configure */
	struct event *timer;                /* the next refresh (or retry) */
	struct event *expire_timer;
	struct event *transfer_timer;       /* max-transfer-time-in of the transfer running */
	time_t last_success;                /* wall clock; 0: never */
	uint32_t expire_seconds;            /* of the SOA at the last success */
	bool expired;
	/* The refresh in progress. */
	enum xfr_phase phase;
	size_t primary;                     /* index into primaries */
	size_t tries;                       /* primaries tried in this refresh, but the current */
	bool force_full;                    /* AXFR: retransfer, or an IXFR that did not apply */
	bool again;                         /* refresh once more after this one */
	bool again_full;                    /* ... as a retransfer */
	bool notified;                      /* a NOTIFY carried notified_serial (xfr_in_notified) */
	uint32_t notified_serial;
	int notified_by;                    /* the primary that sent the last NOTIFY; -1: none */
	struct xfr_primary *next_primaries; /* a reload's, taken once the refresh is over */
	size_t next_primary_count;
	int fd;
	struct event *io;
	uint16_t id;
	uint16_t qtype;
	struct tsig_context *tsig;
	struct tsig_state sign;
	struct tsig_verifier verifier;
	bool last_signed;
	uint8_t request[XFR_REQUEST_MAX + 2];
	size_t request_length;
	uint8_t *buffer;                    /* TCP: a message being read, with its prefix */
	size_t have;
	struct xfr_parse parse;
	bool parsing;
	uint32_t primary_serial;
	struct timespec started;
	/* When the transfer was asked for and its last message came in (-v 3 phase times). */
	struct timespec asked, received;
	bool counted;                       /* holds one of transfers_active */
	uint64_t queued_at;                 /* XFR_QUEUED: its place in the queue */
	struct timespec queued_since;
	/*
	 * A whole zone's build on a thread (xfr_build.h), fed from z->parse
	 * while XFR_TRANSFERRING, finishing in XFR_BUILDING.
	 */
	struct xfr_build *build;
	char build_source[128];
	struct xfr_diag build_findings;
	struct diag build_diag;
	bool built;                         /* over: xfr_transfer_finish takes built_rc, built_zone */
	int built_rc;
	struct zone *built_zone;
};

struct xfr_in {
	struct event_base *base;
	log_function *log;
	struct xfr_in_hooks hooks;
	struct xfr_zone *zones;
	unsigned transfers_in;              /* transfers at once at most (BIND's name) */
	unsigned transfers_active;
	uint64_t queue_tickets;             /* the next queued_at */
	struct event *dispatch;             /* starts queued transfers once places free */
	struct zone_saver *saver;           /* writes the saved copies */
};

static void xfr_zone_refresh_start(struct xfr_zone *z);
static void xfr_transfer_start(struct xfr_zone *z);
static void xfr_soa_send(struct xfr_zone *z);

static uint16_t
xfr_random(void)
{
	uint16_t value;
	if (getrandom(&value, sizeof value, GRND_NONBLOCK) != (ssize_t)sizeof value)
		value = (uint16_t)random();
	return value;
}

/* The zone served now, when it has data (not a placeholder). */
static const struct zone *
xfr_zone_current(const struct xfr_zone *z)
{
	const struct xfr_in *xfr = z->owner;
	const struct zone *zone = xfr->hooks.current(xfr->hooks.arg, z->origin);
	return zone != NULL && !zone->load_failed && zone->soa != NULL ? zone : NULL;
}

/* A SOA timer field (offset from the rdata's end), 0 without a zone. */
static uint32_t
xfr_soa_field(const struct zone *zone, unsigned from_end)
{
	if (zone == NULL)
		return 0;
	const uint8_t *s = zone->soa->rdata + 2 + (((uint32_t)zone->soa->rdata[0] << 8)
		| zone->soa->rdata[1]) - from_end;
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}

static uint32_t
xfr_clamp(uint32_t value, uint32_t low, uint32_t high)
{
	return value < low ? low : value > high ? high : value;
}

/* Arms the refresh timer: seconds less up to 20 % jitter (as BIND), so secondaries spread. */
static void
xfr_zone_schedule(struct xfr_zone *z, uint32_t seconds)
{
	uint64_t ms = (uint64_t)seconds * 1000;
	ms -= ms / 5 * (xfr_random() % 1001) / 1000;
	struct timeval wait = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	evtimer_add(z->timer, &wait);
}

/* The refresh interval (RFC 1035 3.3.13), clamped by min/max-refresh-time. */
static uint32_t
xfr_zone_refresh_interval(const struct xfr_zone *z)
{
	const struct zone *zone = xfr_zone_current(z);
	if (zone == NULL)
		return z->clamps[2];   /* nothing to refresh from: retry */
	return xfr_clamp(xfr_soa_field(zone, 16), z->clamps[0], z->clamps[1]);
}

static uint32_t
xfr_zone_retry_interval(const struct xfr_zone *z)
{
	const struct zone *zone = xfr_zone_current(z);
	uint32_t retry = zone != NULL ? xfr_soa_field(zone, 12) : z->clamps[2];
	return xfr_clamp(retry, z->clamps[2], z->clamps[3]);
}

/*
 * Gives back z's place under transfers-in. The queue moves on from the
 * event loop, not from here: z itself may be about to take a place again
 * (its next primary, or AXFR after an IXFR that did not apply).
 */
static void
xfr_zone_release(struct xfr_zone *z)
{
	struct xfr_in *xfr = z->owner;
	if (!z->counted)
		return;
	z->counted = false;
	xfr->transfers_active--;
	struct timeval now = { 0, 0 };
	evtimer_add(xfr->dispatch, &now);
}

/* Ends the operation in progress: socket, parse state, TSIG context, place in the queue. */
static void
xfr_zone_stop(struct xfr_zone *z)
{
	xfr_zone_release(z);
	if (z->transfer_timer != NULL)
		evtimer_del(z->transfer_timer);
	/* A build fed by this transfer stops with it: the records it was given go too. */
	xfr_build_cancel(z->build);
	z->build = NULL;
	if (z->io != NULL)
		event_free(z->io);
	z->io = NULL;
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	if (z->parsing)
		xfr_parse_free(&z->parse);
	z->parsing = false;
	tsig_context_free(z->tsig);
	z->tsig = NULL;
	free(z->buffer);
	z->buffer = NULL;
	z->have = 0;
	z->phase = XFR_IDLE;
}

/* Leaves the refresh done, and starts the one asked for meanwhile. */
static void
xfr_zone_idle(struct xfr_zone *z, uint32_t next_seconds)
{
	xfr_zone_stop(z);
	z->force_full = false;
	if (z->next_primaries != NULL) {
		free(z->primaries);
		z->primaries = z->next_primaries;
		z->primary_count = z->next_primary_count;
		z->next_primaries = NULL;
	}
	if (z->again) {
		z->again = false;
		z->force_full = z->again_full;
		z->again_full = false;
		xfr_zone_refresh_start(z);
		return;
	}
	xfr_zone_schedule(z, next_seconds);
}

/* Arms the expire timer from the last success (RFC 1035 3.3.13 EXPIRE). */
static void
xfr_zone_arm_expire(struct xfr_zone *z)
{
	if (z->last_success == 0 || z->expire_seconds == 0)
		return;
	time_t now = time(NULL);
	time_t at = z->last_success + (time_t)z->expire_seconds;
	struct timeval wait = { at > now ? at - now : 0, 0 };
	evtimer_add(z->expire_timer, &wait);
}

/* A refresh that found the primary at our serial, or a new version published. */
static void
xfr_zone_succeeded(struct xfr_zone *z, bool touch)
{
	const struct zone *zone = xfr_zone_current(z);
	z->last_success = time(NULL);
	z->expired = false;
	z->expire_seconds = xfr_soa_field(zone, 8);
	/* The copy's time is the last refresh's, for the expire timer after a restart (BIND). */
	if (touch && z->path != NULL)
		utimensat(AT_FDCWD, z->path, NULL, 0);
	xfr_zone_arm_expire(z);
	xfr_zone_idle(z, xfr_zone_refresh_interval(z));
}

/* This primary failed: the next one, or the retry timer once all did. */
static void
xfr_zone_failed(struct xfr_zone *z, const char *why)
{
	struct xfr_in *xfr = z->owner;
	const char *what = z->phase == XFR_SOA_QUERY ? "SOA query" : z->qtype == RRTYPE_IXFR
		? "IXFR" : "AXFR";
	xfr->log(LOG_ERR, "zone %s: %s from %s failed: %s%s", z->name, what,
		z->primaries[z->primary].text, why, z->phase == XFR_SOA_QUERY
		? "" : "; the version served is unchanged");
	xfr_zone_stop(z);
	/* From the primary that sent the NOTIFY round to the one before it. */
	if (++z->tries < z->primary_count) {
		z->primary = (z->primary + 1) % z->primary_count;
		if (z->force_full)
			xfr_transfer_start(z);
		else
			xfr_soa_send(z);
		return;
	}
	uint32_t retry = xfr_zone_retry_interval(z);
	xfr->log(LOG_NOTICE, "zone %s: no primary reached, retrying in %lu s", z->name,
		(unsigned long)retry);
	xfr_zone_idle(z, retry);
}

/* Signs the request in z->request + 2 when the primary has a key. Returns false on failure. */
static bool
xfr_sign_request(struct xfr_zone *z, const struct xfr_primary *primary)
{
	if (!primary->keyed)
		return true;
	z->tsig = tsig_context_create();
	if (z->tsig == NULL)
		return false;
	size_t length = tsig_sign_request(&z->sign, z->tsig, &primary->key.key, z->request + 2,
		z->request_length, XFR_REQUEST_MAX, (uint64_t)time(NULL));
	if (length == 0)
		return false;
	z->request_length = length;
	tsig_verify_start(&z->verifier, z->tsig, &z->sign);
	return true;
}

/* Opens a socket of type to the primary (connect()ed: only its answers come back). */
static int
xfr_connect(const struct xfr_primary *primary, int type)
{
	int fd = socket(primary->address.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&primary->address, primary->address_length) < 0
	    && errno != EINPROGRESS) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* TSIG on an answer (RFC 8945 5.3): required of a keyed primary, every message verified. */
static const char *
xfr_verify(struct xfr_zone *z, const uint8_t *message, size_t length, bool single)
{
	if (!z->primaries[z->primary].keyed)
		return NULL;
	int rc = tsig_verify_next(&z->verifier, message, length, (uint64_t)time(NULL));
	z->last_signed = rc == TSIG_NOERROR;
	if (rc == TSIG_NOERROR || (rc == TSIG_UNSIGNED && !single))
		return NULL;
	static char why[64];
	snprintf(why, sizeof why, "TSIG %s", rc == TSIG_BADKEY ? "BADKEY" : rc == TSIG_BADTIME
		? "BADTIME" : rc == TSIG_UNSIGNED ? "missing" : rc == ZONED_EINVAL
		? "malformed" : "BADSIG");
	return why;
}

static void
on_soa_readable(evutil_socket_t fd, short events, void *arg)
{
	struct xfr_zone *z = arg;
	if (events & EV_TIMEOUT) {
		xfr_zone_failed(z, "no answer to the SOA query");
		return;
	}
	uint8_t message[4096];
	ssize_t length = recv(fd, message, sizeof message, 0);
	if (length < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		xfr_zone_failed(z, strerror(errno));
		return;
	}
	char why[XFR_ERROR_MAX];
	uint32_t serial;
	const char *tsig = xfr_verify(z, message, (size_t)length, true);
	if (tsig != NULL) {
		xfr_zone_failed(z, tsig);
		return;
	}
	if (xfr_soa_response(message, (size_t)length, z->origin, z->id, &serial, why,
		sizeof why) != 0) {
		xfr_zone_failed(z, why);
		return;
	}
	struct xfr_in *xfr = z->owner;
	const struct zone *zone = xfr_zone_current(z);
	z->primary_serial = serial;
	if (zone == NULL || xfr_serial_newer(serial, zone->serial)) {
		xfr_zone_stop(z);
		xfr_transfer_start(z);
		return;
	}
	if (serial != zone->serial)
		xfr->log(LOG_WARNING, "zone %s: primary %s has serial %lu, older than ours (%lu)",
			z->name, z->primaries[z->primary].text, (unsigned long)serial,
			(unsigned long)zone->serial);
	else
		xfr->log(LOG_DEBUG, "zone %s: serial %lu is current (primary %s)", z->name,
			(unsigned long)serial, z->primaries[z->primary].text);
	xfr_zone_succeeded(z, true);
}

/* Sends the SOA query (RFC 1034 4.3.5) to the current primary over UDP. */
static void
xfr_soa_send(struct xfr_zone *z)
{
	const struct xfr_primary *primary = &z->primaries[z->primary];
	z->phase = XFR_SOA_QUERY;
	z->id = xfr_random();
	z->request_length = xfr_query_build(z->origin, RRTYPE_SOA, z->id, NULL, 0, 0,
		z->request + 2, XFR_REQUEST_MAX);
	if (!xfr_sign_request(z, primary)) {
		xfr_zone_failed(z, "cannot sign the SOA query");
		return;
	}
	z->fd = xfr_connect(primary, SOCK_DGRAM);
	if (z->fd < 0 || send(z->fd, z->request + 2, z->request_length, 0) < 0) {
		xfr_zone_failed(z, strerror(errno));
		return;
	}
	z->io = event_new(z->owner->base, z->fd, EV_READ | EV_PERSIST, on_soa_readable, z);
	struct timeval wait = { XFR_SOA_TIMEOUT_S, 0 };
	if (z->io == NULL || event_add(z->io, &wait) < 0)
		xfr_zone_failed(z, "out of memory");
}

/* A NOTIFY said the primary has a serial newer than ours: no SOA query needed. */
static bool
xfr_notified_newer(struct xfr_zone *z)
{
	if (!z->notified)
		return false;
	z->notified = false;
	const struct zone *zone = xfr_zone_current(z);
	if (zone != NULL && !xfr_serial_newer(z->notified_serial, zone->serial))
		return false;
	z->primary_serial = z->notified_serial;
	z->owner->log(LOG_DEBUG, "zone %s: NOTIFY carried serial %lu, newer than ours: "
		"transfer without a SOA query", z->name, (unsigned long)z->notified_serial);
	return true;
}

static void
xfr_zone_refresh_start(struct xfr_zone *z)
{
	evtimer_del(z->timer);
	clock_gettime(CLOCK_MONOTONIC, &z->started);
	/* As BIND: the primary that sent the NOTIFY is asked first. */
	z->primary = z->notified_by >= 0 && (size_t)z->notified_by < z->primary_count
		? (size_t)z->notified_by : 0;
	z->notified_by = -1;
	z->tries = 0;
	if (xfr_notified_newer(z) || z->force_full)
		xfr_transfer_start(z);
	else
		xfr_soa_send(z);
}

static void
xfr_diag_emit(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct xfr_diag *x = arg;
	if (level != DIAG_ERROR || x->logged++ >= XFR_ERRORS_LOGGED)
		return;
	x->zone->owner->log(LOG_ERR, "zone %s: %s: %s", x->zone->name, file ? file : x->source,
		message);
}

static void xfr_transfer_finish(struct xfr_zone *z);

/* The build thread is done: the transfer goes on from where it left off. */
static void
on_built(void *arg)
{
	struct xfr_zone *z = arg;
	z->built_rc = xfr_build_finish(z->build, &z->built_zone);
	z->build = NULL;
	z->built = true;
	xfr_transfer_finish(z);
}

/* "AXFR from address#port": what the transfer is called in messages. */
static void
xfr_transfer_source(const struct xfr_zone *z, char *source, size_t size)
{
	snprintf(source, size, "%s from %s", z->qtype == RRTYPE_IXFR ? "IXFR" : "AXFR",
		z->primaries[z->primary].text);
}

/*
 * A whole zone's version is built on a thread of its own, started at its
 * first records: a large zone takes seconds, which this loop spends on
 * receiving the rest, on other zones' refreshes and NOTIFYs, control
 * commands and reloads (a refresh asked for meanwhile follows this one).
 * Returns false when no thread could start (built inline at the end).
 */
static bool
xfr_build_begin(struct xfr_zone *z)
{
	xfr_transfer_source(z, z->build_source, sizeof z->build_source);
	z->build_findings = (struct xfr_diag){ z, z->build_source, 0 };
	z->build_diag = (struct diag){ .emit = xfr_diag_emit, .arg = &z->build_findings };
	z->build = xfr_build_start(z->owner->base, z->origin, z->build_source, z->max_records,
		&z->build_diag, on_built, z);
	if (z->build == NULL)
		return false;
	z->owner->log(LOG_DEBUG, "zone %s: %s: building the zone on a thread of its own as it "
		"comes in", z->name, z->build_source);
	return true;
}

/*
 * After each message of a whole zone: its records so far go to the build
 * thread (once they fill a batch, and at the end), which is told the end.
 * Returns 0 or ZONED_ENOMEM.
 */
static int
xfr_transfer_stream(struct xfr_zone *z)
{
	struct xfr_parse *parse = &z->parse;
	if (!xfr_parse_whole_zone(parse) || (z->build == NULL && !xfr_build_begin(z)))
		return 0;
	bool over = parse->result != XFR_RESULT_NONE;
	if (!over && parse->full.length < XFR_BATCH_MIN)
		return 0;
	if (parse->full.count > 0 && xfr_build_feed(z->build, &parse->full) != 0)
		return ZONED_ENOMEM;
	if (over)
		xfr_build_end(z->build);
	return 0;
}

/* The transfer is complete: build the version off to the side, check it, publish it. */
static void
xfr_transfer_finish(struct xfr_zone *z)
{
	struct xfr_in *xfr = z->owner;
	struct xfr_parse *parse = &z->parse;
	const struct zone *current = xfr_zone_current(z);
	if (parse->result == XFR_RESULT_UP_TO_DATE) {
		if (current != NULL && !xfr_serial_newer(parse->serial, current->serial)) {
			xfr_zone_succeeded(z, true);
			return;
		}
		xfr_zone_failed(z, "IXFR answered with a single SOA not older than ours");
		return;
	}
	char source[128];
	xfr_transfer_source(z, source, sizeof source);
	struct xfr_diag x = { z, source, 0 };
	struct diag d = { .emit = xfr_diag_emit, .arg = &x };
	struct zone *zone = NULL;
	int rc;
	bool incremental = parse->result == XFR_RESULT_INCREMENTAL;
	if (incremental && (current == NULL || current->serial != parse->client_serial))
		rc = ZONED_ECHANGED;   /* the version moved on meanwhile */
	else if (incremental)
		rc = zone_apply_diffs(current, parse->diffs, parse->diff_count, source,
			z->max_records, &d, &zone);
	else if (z->built) {
		/* Back from the build thread (on_built). */
		rc = z->built_rc;
		zone = z->built_zone;
		z->built = false;
	} else if (z->build != NULL) {
		/* Its tail (finalize, checks) on the build thread: on_built comes back here. */
		z->phase = XFR_BUILDING;
		return;
	} else
		rc = zone_apply_build(z->origin, &parse->full, source, z->max_records, &d, &zone);
	size_t messages = parse->messages, records = parse->records, diffs = parse->diff_count;
	struct timespec applied, published;
	clock_gettime(CLOCK_MONOTONIC, &applied);
	if (rc != 0 && incremental && rc != ZONED_ENOMEM) {
		xfr->log(LOG_WARNING, "zone %s: IXFR from %s does not apply (%s): AXFR instead",
			z->name, z->primaries[z->primary].text, zoned_strerror(rc));
		xfr_zone_stop(z);
		z->force_full = true;
		xfr_transfer_start(z);
		return;
	}
	if (rc != 0) {
		xfr_zone_failed(z, rc == ZONED_EZONE ? "the zone received does not pass the zone "
			"checks" : zoned_strerror(rc));
		return;
	}
	uint32_t serial = zone->serial;
	size_t total = zone->record_count;
	/* Served first, saved then: queries get the new version a dump's time sooner. */
	rc = xfr->hooks.publish(xfr->hooks.arg, z->origin, zone, false);
	if (rc != 0) {
		xfr_zone_failed(z, zoned_strerror(rc));
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &published);
	/* Written on the saver's thread: a large zone's dump never holds up this loop. */
	if (z->path != NULL)
		zone_saver_save(xfr->saver, z->name, z->path, xfr_zone_current(z));
	xfr->log(LOG_DEBUG, "zone %s: %s phases (ms): SOA query and connect %.1f, receive %.1f, "
		"apply %.1f, journal and publish %.1f", z->name, source,
		1e3 * elapsed_between(&z->started, &z->asked),
		1e3 * elapsed_between(&z->asked, &z->received),
		1e3 * elapsed_between(&z->received, &applied),
		1e3 * elapsed_between(&applied, &published));
	if (incremental)
		xfr->log(LOG_INFO, "zone %s: transferred serial %lu from %s by IXFR: %zu "
			"difference sequences, %zu records in %zu messages, %zu records now, %.2f s",
			z->name, (unsigned long)serial, z->primaries[z->primary].text, diffs, records,
			messages, total, elapsed_since(&z->started));
	else
		xfr->log(LOG_INFO, "zone %s: transferred serial %lu from %s by %s: %zu records in "
			"%zu messages, %.2f s", z->name, (unsigned long)serial,
			z->primaries[z->primary].text, z->qtype == RRTYPE_IXFR ? "IXFR (in AXFR form)"
			: "AXFR", total, messages, elapsed_since(&z->started));
	xfr_zone_succeeded(z, false);
}

/* One complete message of the transfer. Returns false once the zone failed. */
static bool
xfr_transfer_message(struct xfr_zone *z, const uint8_t *message, size_t length)
{
	const char *tsig = xfr_verify(z, message, length, false);
	if (tsig != NULL) {
		xfr_zone_failed(z, tsig);
		return false;
	}
	int rc = xfr_parse_message(&z->parse, message, length);
	if (rc == 0)
		rc = xfr_transfer_stream(z);
	if (rc != 0) {
		xfr_zone_failed(z, rc == ZONED_ENOMEM ? "out of memory" : z->parse.error);
		return false;
	}
	if (z->parse.result == XFR_RESULT_NONE)
		return true;
	/* RFC 8945 5.3.1: the last message must be signed. */
	if (z->primaries[z->primary].keyed && !z->last_signed) {
		xfr_zone_failed(z, "the last message is not signed (TSIG)");
		return false;
	}
	/*
	 * The socket's event goes before the socket: once closed, its number
	 * may be another thread's file (the saver's) when the event would go.
	 */
	if (z->io != NULL)
		event_free(z->io);
	z->io = NULL;
	evtimer_del(z->transfer_timer);   /* received: the build is not the transfer's time */
	clock_gettime(CLOCK_MONOTONIC, &z->received);
	if (z->fd >= 0)
		close(z->fd);
	z->fd = -1;
	xfr_transfer_finish(z);
	return false;
}

/* max-transfer-time-in: a primary that trickles its transfer gives up its place. */
static void
on_transfer_timer(evutil_socket_t unused, short events, void *arg)
{
	struct xfr_zone *z = arg;
	char why[128];
	snprintf(why, sizeof why, "not over after %lu s (max-transfer-time-in), %zu messages in",
		(unsigned long)z->time_seconds, z->parse.messages);
	xfr_zone_failed(z, why);
}

static void
on_transfer_readable(evutil_socket_t fd, short events, void *arg)
{
	struct xfr_zone *z = arg;
	if (events & EV_TIMEOUT) {
		char why[128];
		snprintf(why, sizeof why, "nothing received for %lu s (max-transfer-idle-in)",
			(unsigned long)z->idle_seconds);
		xfr_zone_failed(z, why);
		return;
	}
	for (int reads = 0; reads < 64; reads++) {
		size_t want = z->have < 2 ? 2 : 2 + ((size_t)z->buffer[0] << 8 | z->buffer[1]);
		ssize_t got = recv(fd, z->buffer + z->have, want - z->have, 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (got <= 0) {
			char why[128];
			snprintf(why, sizeof why, "%s after %zu messages (cut off)", got == 0
				? "connection closed" : strerror(errno), z->parse.messages);
			xfr_zone_failed(z, why);
			return;
		}
		z->have += (size_t)got;
		if (z->have < 2 || z->have < want || (want == 2 && z->have == 2
			&& (z->buffer[0] | z->buffer[1]) != 0))
			continue;
		if (want == 2) {
			xfr_zone_failed(z, "an empty message");
			return;
		}
		z->have = 0;
		if (!xfr_transfer_message(z, z->buffer + 2, want - 2))
			return;
	}
}

static void
on_transfer_connected(evutil_socket_t fd, short events, void *arg)
{
	struct xfr_zone *z = arg;
	int error = 0;
	socklen_t size = sizeof error;
	if (events & EV_TIMEOUT) {
		xfr_zone_failed(z, "cannot connect: timed out");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) < 0 || error != 0) {
		char why[128];
		snprintf(why, sizeof why, "cannot connect: %s", strerror(error ? error : errno));
		xfr_zone_failed(z, why);
		return;
	}
	/* A request of a few hundred octets fits any socket buffer at once. */
	z->request[0] = (uint8_t)(z->request_length >> 8);
	z->request[1] = (uint8_t)z->request_length;
	if (send(fd, z->request, z->request_length + 2, MSG_NOSIGNAL)
		!= (ssize_t)(z->request_length + 2)) {
		xfr_zone_failed(z, "cannot send the request");
		return;
	}
	event_free(z->io);
	z->phase = XFR_TRANSFERRING;
	clock_gettime(CLOCK_MONOTONIC, &z->asked);
	z->io = event_new(z->owner->base, fd, EV_READ | EV_PERSIST, on_transfer_readable, z);
	struct timeval idle = { z->idle_seconds, 0 };
	if (z->io == NULL || event_add(z->io, &idle) < 0)
		xfr_zone_failed(z, "out of memory");
}

/* Connects to the current primary over TCP for IXFR (with a version to start from) or AXFR. */
static void
xfr_transfer_connect(struct xfr_zone *z)
{
	const struct xfr_primary *primary = &z->primaries[z->primary];
	const struct zone *current = xfr_zone_current(z);
	z->phase = XFR_CONNECTING;
	z->qtype = current != NULL && !z->force_full ? RRTYPE_IXFR : RRTYPE_AXFR;
	z->id = xfr_random();
	const struct rrset *soa = current != NULL ? current->soa : NULL;
	z->request_length = xfr_query_build(z->origin, z->qtype, z->id,
		soa != NULL ? soa->rdata + 2 : NULL,
		soa != NULL ? (size_t)(soa->rdata[0] << 8 | soa->rdata[1]) : 0,
		soa != NULL ? soa->ttl : 0, z->request + 2, XFR_REQUEST_MAX);
	xfr_parse_init(&z->parse, z->origin, z->qtype, z->id,
		current != NULL ? current->serial : 0, z->max_records);
	z->parsing = true;
	z->buffer = malloc(XFR_MESSAGE_MAX);
	if (z->request_length == 0 || z->buffer == NULL || !xfr_sign_request(z, primary)) {
		xfr_zone_failed(z, "cannot build the request");
		return;
	}
	z->fd = xfr_connect(primary, SOCK_STREAM);
	if (z->fd < 0) {
		char why[128];
		snprintf(why, sizeof why, "cannot connect: %s", strerror(errno));
		xfr_zone_failed(z, why);
		return;
	}
	z->io = event_new(z->owner->base, z->fd, EV_WRITE, on_transfer_connected, z);
	struct timeval wait = { XFR_CONNECT_TIMEOUT_S, 0 };
	struct timeval most = { z->time_seconds, 0 };
	if (z->io == NULL || event_add(z->io, &wait) < 0 || evtimer_add(z->transfer_timer, &most) < 0)
		xfr_zone_failed(z, "out of memory");
}

/*
 * A transfer, when a place under transfers-in is free; else it waits its
 * turn (as BIND's transfers-in: queued, not dropped), the SOA query done.
 */
static void
xfr_transfer_start(struct xfr_zone *z)
{
	struct xfr_in *xfr = z->owner;
	if (!z->counted && xfr->transfers_active >= xfr->transfers_in) {
		z->phase = XFR_QUEUED;
		z->queued_at = xfr->queue_tickets++;
		clock_gettime(CLOCK_MONOTONIC, &z->queued_since);
		xfr->log(LOG_INFO, "zone %s: transfer from %s queued: transfers-in (%u) reached",
			z->name, z->primaries[z->primary].text, xfr->transfers_in);
		return;
	}
	if (!z->counted)
		xfr->transfers_active++;
	z->counted = true;
	xfr_transfer_connect(z);
}

/* Places are free: the transfers queued longest start, in turn. */
static void
on_dispatch(evutil_socket_t unused, short events, void *arg)
{
	struct xfr_in *xfr = arg;
	while (xfr->transfers_active < xfr->transfers_in) {
		struct xfr_zone *first = NULL;
		for (struct xfr_zone *z = xfr->zones; z != NULL; z = z->next) {
			if (z->phase == XFR_QUEUED && (first == NULL || z->queued_at < first->queued_at))
				first = z;
		}
		if (first == NULL)
			return;
		xfr->log(LOG_INFO, "zone %s: transfer from %s starting after %.2f s in the queue",
			first->name, first->primaries[first->primary].text,
			elapsed_since(&first->queued_since));
		xfr_transfer_start(first);
	}
}

static void
on_refresh_timer(evutil_socket_t unused, short events, void *arg)
{
	xfr_zone_refresh_start(arg);
}

/* RFC 1035 3.3.13: no successful refresh for EXPIRE seconds: the data is no longer authoritative. */
static void
on_expire_timer(evutil_socket_t unused, short events, void *arg)
{
	struct xfr_zone *z = arg;
	struct xfr_in *xfr = z->owner;
	if (z->expired || xfr_zone_current(z) == NULL)
		return;
	struct zone *placeholder = zone_create(z->origin, RRCLASS_IN);
	if (placeholder == NULL) {
		xfr->log(LOG_ERR, "zone %s: expired, but out of memory to stop serving it", z->name);
		return;
	}
	placeholder->load_failed = true;
	z->expired = true;
	xfr->log(LOG_ERR, "zone %s: expired: no successful refresh for %lu s (SOA expire): "
		"answering SERVFAIL until a transfer succeeds", z->name,
		(unsigned long)z->expire_seconds);
	if (xfr->hooks.publish(xfr->hooks.arg, z->origin, placeholder, true) != 0)
		xfr->log(LOG_ERR, "zone %s: cannot publish the expiry", z->name);
}

/* ---- configuration and the public entry points ---- */

static struct xfr_zone *
xfr_find(const struct xfr_in *xfr, const uint8_t *origin)
{
	for (struct xfr_zone *z = xfr->zones; z != NULL; z = z->next) {
		if (dname_equal(z->origin, origin))
			return z;
	}
	return NULL;
}

static void
xfr_zone_free(struct xfr_zone *z)
{
	xfr_zone_stop(z);
	if (z->timer != NULL)
		event_free(z->timer);
	if (z->expire_timer != NULL)
		event_free(z->expire_timer);
	if (z->transfer_timer != NULL)
		event_free(z->transfer_timer);
	free(z->primaries);
	free(z->next_primaries);
	free(z->path);
	free(z);
}

/* Copies cz's primaries (with their keys, found in ring) into z. */
static int
xfr_zone_set_primaries(struct xfr_in *xfr, struct xfr_zone *z, const struct config_zone *cz,
	const struct tsig_keyring *ring)
{
	struct xfr_primary *primaries = calloc(cz->primary_count ? cz->primary_count : 1,
		sizeof *primaries);
	if (primaries == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < cz->primary_count; i++) {
		struct xfr_primary *p = &primaries[i];
		p->address = cz->primaries[i].address;
		p->address_length = cz->primaries[i].address_length;
		log_format_address((const struct sockaddr *)&p->address, p->text, sizeof p->text);
		uint8_t name[DNAME_MAX_LENGTH];
		const char *key = cz->primaries[i].key;
		if (key == NULL || dname_from_text(key, name) < 0)
			continue;
		dname_lower(name);
		const struct tsig_key *found = tsig_keyring_find(ring, name, dname_length(name));
		if (found == NULL || tsig_key_copy(&p->key, found) != 0) {
			xfr->log(LOG_ERR, "zone %s: key %s of primary %s is not usable: unsigned",
				cz->name, key, p->text);
			continue;
		}
		p->keyed = true;
	}
	/* A refresh in progress signs with its primary's key: the list changes after it. */
	free(z->next_primaries);
	z->next_primaries = NULL;
	if (z->phase != XFR_IDLE) {
		z->next_primaries = primaries;
		z->next_primary_count = cz->primary_count;
		return 0;
	}
	free(z->primaries);
	z->primaries = primaries;
	z->primary_count = cz->primary_count;
	return 0;
}

/* A zone seen for the first time: its state, and the first refresh at once. */
static struct xfr_zone *
xfr_zone_create(struct xfr_in *xfr, const struct config_zone *cz)
{
	struct xfr_zone *z = calloc(1, sizeof *z);
	if (z == NULL)
		return NULL;
	z->owner = xfr;
	z->fd = -1;
	z->notified_by = -1;
	memcpy(z->origin, cz->origin, cz->origin_length);
	dname_format(z->origin, z->name, sizeof z->name);
	z->timer = evtimer_new(xfr->base, on_refresh_timer, z);
	z->expire_timer = evtimer_new(xfr->base, on_expire_timer, z);
	z->transfer_timer = evtimer_new(xfr->base, on_transfer_timer, z);
	if (z->timer == NULL || z->expire_timer == NULL || z->transfer_timer == NULL) {
		xfr_zone_free(z);
		return NULL;
	}
	return z;
}

/* The first sight of a served zone: its last success is its saved copy's time. */
static void
xfr_zone_begin(struct xfr_zone *z)
{
	const struct zone *zone = xfr_zone_current(z);
	struct stat st;
	if (zone != NULL && z->path != NULL && stat(z->path, &st) == 0) {
		z->last_success = st.st_mtime;
		z->expire_seconds = xfr_soa_field(zone, 8);
		xfr_zone_arm_expire(z);
	}
	struct timeval now = { 0, 0 };
	evtimer_add(z->timer, &now);
}

/* Updates (or creates) the state of one secondary zone from cz. */
static int
xfr_configure_zone(struct xfr_in *xfr, const struct config *config,
	const struct config_zone *cz, const struct tsig_keyring *ring)
{
	struct xfr_zone *z = xfr_find(xfr, cz->origin);
	bool created = z == NULL;
	if (created) {
		z = xfr_zone_create(xfr, cz);
		if (z == NULL)
			return ZONED_ENOMEM;
		z->next = xfr->zones;
		xfr->zones = z;
	}
	z->seen = true;
	char *path = cz->path != NULL ? strdup(cz->path) : NULL;
	if (cz->path != NULL && path == NULL)
		return ZONED_ENOMEM;
	free(z->path);
	z->path = path;
	z->max_records = config->max_records;
	z->clamps[0] = config->min_refresh_time;
	z->clamps[1] = config->max_refresh_time;
	z->clamps[2] = config->min_retry_time;
	z->clamps[3] = config->max_retry_time;
	z->idle_seconds = config->max_transfer_idle_in;
	z->time_seconds = config->max_transfer_time_in;
	int rc = xfr_zone_set_primaries(xfr, z, cz, ring);
	if (rc == 0 && created)
		xfr_zone_begin(z);
	return rc;
}

int
xfr_in_configure(struct xfr_in *xfr, const struct config *config)
{
	struct tsig_keyring ring = { 0 };
	if (tsig_keyring_init(&ring, config->keys, config->key_count) != 0)
		return ZONED_ENOMEM;
	/* A higher limit lets queued transfers start now; a lower one lets those running end. */
	xfr->transfers_in = config->transfers_in;
	struct timeval now = { 0, 0 };
	evtimer_add(xfr->dispatch, &now);
	for (struct xfr_zone *z = xfr->zones; z != NULL; z = z->next)
		z->seen = false;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < config->zone_count; i++) {
		if (config->zones[i].secondary)
			rc = xfr_configure_zone(xfr, config, &config->zones[i], &ring);
	}
	tsig_keyring_free(&ring);
	/* Zones no longer secondary: their refreshes stop. */
	for (struct xfr_zone **p = &xfr->zones; *p != NULL;) {
		struct xfr_zone *z = *p;
		if (z->seen || rc != 0) {
			p = &z->next;
			continue;
		}
		*p = z->next;
		xfr_zone_free(z);
	}
	return rc;
}

struct xfr_in *
xfr_in_create(struct event_base *base, log_function *log, const struct xfr_in_hooks *hooks)
{
	struct xfr_in *xfr = calloc(1, sizeof *xfr);
	if (xfr == NULL)
		return NULL;
	xfr->base = base;
	xfr->log = log;
	xfr->hooks = *hooks;
	xfr->transfers_in = CONFIG_DEFAULT_TRANSFERS_IN;
	xfr->dispatch = evtimer_new(base, on_dispatch, xfr);
	xfr->saver = zone_saver_create(log);
	if (xfr->dispatch == NULL || xfr->saver == NULL) {
		if (xfr->dispatch != NULL)
			event_free(xfr->dispatch);
		zone_saver_free(xfr->saver);
		free(xfr);
		return NULL;
	}
	return xfr;
}

/* A refresh asked for from outside: now, or right after the one running. */
static int
xfr_in_start(struct xfr_in *xfr, const uint8_t *origin, bool full)
{
	struct xfr_zone *z = xfr_find(xfr, origin);
	if (z == NULL)
		return ZONED_ENOTFOUND;
	if (z->phase != XFR_IDLE) {
		z->again = true;
		z->again_full = z->again_full || full;
		return 0;
	}
	z->force_full = full;
	xfr_zone_refresh_start(z);
	return 0;
}

int
xfr_in_refresh(struct xfr_in *xfr, const uint8_t *origin)
{
	return xfr_in_start(xfr, origin, false);
}

int
xfr_in_notified(struct xfr_in *xfr, const uint8_t *origin, const uint32_t *serial,
	int primary)
{
	struct xfr_zone *z = xfr_find(xfr, origin);
	if (z == NULL)
		return ZONED_ENOTFOUND;
	const struct zone *zone = xfr_zone_current(z);
	if (serial != NULL && zone != NULL && !xfr_serial_newer(*serial, zone->serial)) {
		xfr->log(LOG_INFO, "zone %s: NOTIFY received (serial %lu): zone is up to date",
			z->name, (unsigned long)*serial);
		return 0;
	}
	if (serial != NULL)
		xfr->log(LOG_INFO, "zone %s: NOTIFY received, refreshing (serial %lu)", z->name,
			(unsigned long)*serial);
	else
		xfr->log(LOG_INFO, "zone %s: NOTIFY received, refreshing", z->name);
	/* The newest word of the primaries stands: an older NOTIFY's is dropped. */
	z->notified = serial != NULL;
	z->notified_serial = serial != NULL ? *serial : 0;
	z->notified_by = primary;
	return xfr_in_start(xfr, origin, false);
}

int
xfr_in_retransfer(struct xfr_in *xfr, const uint8_t *origin)
{
	return xfr_in_start(xfr, origin, true);
}

void
xfr_in_transfer_counts(const struct xfr_in *xfr, unsigned *running, unsigned *queued)
{
	*running = xfr->transfers_active;
	*queued = 0;
	for (const struct xfr_zone *z = xfr->zones; z != NULL; z = z->next)
		*queued += z->phase == XFR_QUEUED;
}

void
xfr_in_free(struct xfr_in *xfr)
{
	if (xfr == NULL)
		return;
	while (xfr->zones != NULL) {
		struct xfr_zone *z = xfr->zones;
		xfr->zones = z->next;
		xfr_zone_free(z);
	}
	event_free(xfr->dispatch);
	/* After the zones: the copies still waiting are written before zoned stops. */
	zone_saver_free(xfr->saver);
	free(xfr);
}
