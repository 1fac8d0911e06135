/*
 * notify_in.h: NOTIFY in (RFC 1996 3.7-3.11). A worker answers a NOTIFY
 * for a secondary zone from one of its primaries (or allowed by
 * allow-notify) and hands the zone's name to the main thread through a
 * pipe; the main thread starts a refresh (xfr_in.h). The workers never
 * refresh anything themselves.
 */
#ifndef ZONED_NOTIFY_IN_H
#define ZONED_NOTIFY_IN_H

#include <stdint.h>
#include <sys/socket.h>

#include "zoned/log.h"

struct config;
struct event_base;
struct zone;
struct zoneset;

/* What a worker does with a NOTIFY for a zone it serves. */
enum notify_in_verdict {
	NOTIFY_IN_ACCEPTED,     /* a secondary zone, from an allowed sender: refresh queued */
	NOTIFY_IN_REFUSED,      /* a secondary zone, from anyone else (RFC 1996 3.10) */
	NOTIFY_IN_PRIMARY,      /* zoned is the zone's primary: nothing to do (NOERROR, as BIND) */
};

/* The secondary zones of one published view with who may NOTIFY them. */
struct notify_in_zones;

/*
 * Builds the table for the zones of set under config (which it borrows:
 * both must outlive it); accepted NOTIFYs are written to fd (the pipe of
 * notify_in_create()). NULL when out of memory.
 */
struct notify_in_zones *notify_in_zones_create(const struct zoneset *set,
	const struct config *config, int fd);

/* Frees table. NULL is fine. */
void notify_in_zones_free(struct notify_in_zones *table);

/*
 * Judges a NOTIFY for zone (served, finalized or a placeholder) from
 * client, signed with key (lowercased wire name, verified) or NULL: from
 * the address of one of the zone's primaries (any port), or allowed by
 * its allow-notify (else the options'). An accepted one is handed to the
 * main thread, with the serial of the SOA the NOTIFY carried (NULL: none).
 * table NULL: every zone is a primary zone. Allocates nothing.
 */
enum notify_in_verdict notify_in_check(const struct notify_in_zones *table,
	const struct zone *zone, const struct sockaddr *client, const uint8_t *key,
	const uint32_t *serial);

/* The main thread's end: the pipe and its reader. */
struct notify_in;

/*
 * Opens the pipe and reads it on base: each accepted NOTIFY calls
 * received(arg, origin, serial, primary) on the main thread (serial NULL:
 * the NOTIFY carried no SOA; primary: the index of the zone's primary it
 * came from, -1 when allow-notify let it in). NULL when out of resources.
 */
struct notify_in *notify_in_create(struct event_base *base,
	void (*received)(void *arg, const uint8_t *origin, const uint32_t *serial, int primary),
	void *arg);

/* The pipe's write end, for notify_in_zones_create(). */
int notify_in_fd(const struct notify_in *notify);

/* Closes the pipe and frees notify. NULL is fine. */
void notify_in_free(struct notify_in *notify);

#endif
