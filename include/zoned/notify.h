/*
 * notify.h: NOTIFY out (RFC 1996). After a load or reload gives a zone a
 * new serial, the main thread tells the zone's secondaries over UDP and
 * retries with back-off until each answers. The message builder, the
 * response matcher and the target selection are pure functions; the
 * sender runs on the main thread's libevent base, never on the query path.
 */
#ifndef ZONED_NOTIFY_H
#define ZONED_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zoned/dname.h"

struct config;
struct config_zone;
struct event_base;
struct zone;
struct zoneset;
struct zoneset_zone;

#define NOTIFY_MESSAGE_MAX 1536     /* header, question, one SOA and a TSIG fit */
#define NOTIFY_TRIES 5              /* sends per target, as NSD */
#define NOTIFY_FIRST_INTERVAL_MS 1000   /* then doubled after each try */

/* Where one NOTIFY goes. */
struct notify_target {
	struct sockaddr_storage address;
	socklen_t address_length;
	uint8_t key[DNAME_MAX_LENGTH];  /* TSIG key name (wire), key[0] == 0: unsigned */
};

/* A growing list of targets, free of duplicate addresses. */
struct notify_targets {
	struct notify_target *items;
	size_t count;
	size_t capacity;
};

/* Reports one line (see log_message). */
typedef void notify_log_fn(int priority, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Writes a NOTIFY for zone (finalized, with a SOA) into buffer: opcode 4,
 * AA, the question <origin> SOA IN and, as BIND and RFC 1996 3.7 allow, the
 * zone's SOA in the answer section so the secondary may skip its query.
 * Returns the length, or ZONED_ESPACE / ZONED_EINVAL (no SOA).
 */
int notify_message_build(const struct zone *zone, uint16_t id, uint8_t *buffer,
	size_t size);

/*
 * Whether response answers request (RFC 1996 4.7: same id, QR set, opcode
 * NOTIFY, the same question, names compared case-insensitively). Any rcode
 * matches: an error answer is still an answer (BIND stops retrying too).
 */
bool notify_response_matches(const uint8_t *request, size_t request_length,
	const uint8_t *response, size_t response_length);

/*
 * The targets for zone under config (cz: its zone statement, NULL for
 * none): with notify yes, the addresses (port 53) of the apex NS hosts
 * that are in the zone, from the zone's own A/AAAA records, except the SOA
 * MNAME (RFC 1996 3.3, as BIND) and zoned's own listening addresses; NS
 * hosts outside the zone are skipped with a log line (zoned has no
 * resolver). Then every also-notify element (with yes and explicit).
 * Nothing with notify no. Appends to out (empty it first). Returns 0 or
 * ZONED_ENOMEM.
 */
int notify_targets_select(const struct zone *zone, const struct config *config,
	const struct config_zone *cz, notify_log_fn *log, struct notify_targets *out);

/* Frees the list's items and empties it. */
void notify_targets_clear(struct notify_targets *targets);

/* The sender: pending NOTIFYs with their retry timers and one socket per family. */
struct notify;

/* Returns a sender on base (the main thread's), or NULL when out of memory. */
struct notify *notify_create(struct event_base *base, notify_log_fn *log);

/*
 * Starts NOTIFYs for every zone of current that previous (NULL at startup)
 * did not serve or served with another serial. Nothing is sent before the
 * caller returns to the event loop (the new zones are published by then).
 * A zone notified again replaces its pending NOTIFYs. The messages are
 * copied: neither set needs to outlive the call. Returns 0 or ZONED_ENOMEM.
 */
int notify_zones(struct notify *notify, const struct config *config,
	const struct zoneset *previous, const struct zoneset *current);

/*
 * zoned-control's notify ZONE: NOTIFYs for entry's current serial to its
 * targets now, replacing its pending ones (none for a failed zone).
 * *queued counts the targets. Returns 0 or ZONED_ENOMEM.
 */
int notify_zone_now(struct notify *notify, const struct config *config,
	const struct zoneset_zone *entry, size_t *queued);

/* Pending NOTIFYs (sent or to be sent, not yet answered or given up). */
size_t notify_pending_count(const struct notify *notify);

/* Cancels every pending NOTIFY, closes the sockets and frees notify. NULL is fine. */
void notify_free(struct notify *notify);

#endif
