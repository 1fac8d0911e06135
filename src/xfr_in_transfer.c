/*
 * xfr_in_transfer.c: one incoming transfer of a secondary zone (xfr_in.c
 * decides when): the TCP connection to the primary, the IXFR or AXFR
 * request, its messages read with TSIG verified and parsed (xfr_parse.c),
 * an AXFR built as it comes in on a thread of its own (xfr_build.c), an
 * IXFR applied to the version served (zone_apply.c), the result published
 * through the server's hooks and the saved copy handed to zone_saver.c.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/xfr_build.h"
#include "zoned/xfr_in.h"
#include "zoned/xfr_parse.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_saver.h"

#include "xfr_in_internal.h"

static void xfr_transfer_finish(struct xfr_zone *z);

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
void
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
void
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
