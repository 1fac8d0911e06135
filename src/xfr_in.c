/*
 * xfr_in.c: the secondary side: refresh timers, SOA queries, incoming
 * transfers, expiry and the saved copy, one state machine per secondary
 * zone on the main thread's event loop. The transfer itself runs in
 * xfr_in_transfer.c. Messages are read by xfr_parse.c,
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

#include "xfr_in_internal.h"

#define XFR_SOA_TIMEOUT_S 3          /* per SOA query (one datagram) */

static void xfr_zone_refresh_start(struct xfr_zone *z);
static void xfr_soa_send(struct xfr_zone *z);

uint16_t
xfr_random(void)
{
	uint16_t value;
	if (getrandom(&value, sizeof value, GRND_NONBLOCK) != (ssize_t)sizeof value)
		value = (uint16_t)random();
	return value;
}

/* The zone served now, when it has data (not a placeholder). */
const struct zone *
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
void
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
void
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
void
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
bool
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
int
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
const char *
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
