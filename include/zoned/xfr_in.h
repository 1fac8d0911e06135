/*
 * xfr_in.h: zoned as a secondary (RFC 1034 4.3.5, RFC 1996, RFC 1995,
 * RFC 5936). Per secondary zone, on the main thread's event loop (never
 * a worker's): a SOA query to the primaries at the refresh interval (the
 * retry interval after a failure), a transfer (IXFR, or AXFR) when the
 * primary's serial is newer, the new version built and checked off to the
 * side and handed to the server to publish like a reload, the saved copy
 * written (on a thread of its own: zone_saver.h), and the zone expired (SERVFAIL) after the SOA expire interval
 * without a successful refresh.
 */
#ifndef ZONED_XFR_IN_H
#define ZONED_XFR_IN_H

#include <stdbool.h>
#include <stdint.h>

#include "zoned/log.h"

struct config;
struct event_base;
struct zone;

/* How the transfers reach the served zones: the server's side. */
struct xfr_in_hooks {
	/*
	 * The version of origin (wire form) served now, a placeholder
	 * (load_failed) or NULL. Only used within the calling callback.
	 */
	const struct zone *(*current)(void *arg, const uint8_t *origin);
	/*
	 * Publishes zone (finalized; the caller's holder reference passes,
	 * also on failure) as origin's version, or with failed set an empty
	 * placeholder answering SERVFAIL (expired). Returns 0 or a ZONED_ code.
	 */
	int (*publish)(void *arg, const uint8_t *origin, struct zone *zone, bool failed);
	void *arg;
};

struct xfr_in;

/* Returns the secondary side on base (the main thread's), or NULL without memory. */
struct xfr_in *xfr_in_create(struct event_base *base, log_function *log,
	const struct xfr_in_hooks *hooks);

/*
 * Takes config's secondary zones (at start and after each reload; config
 * must outlive the next call): a new zone starts its first refresh at
 * once, a zone kept keeps its timers and the time of its last successful
 * refresh, a zone no longer secondary is dropped (its transfer stopped).
 * At the first sight of a zone served from its saved copy, the last
 * successful refresh is the copy's modification time (as BIND: each
 * successful refresh touches it). Returns 0 or ZONED_ENOMEM.
 */
int xfr_in_configure(struct xfr_in *xfr, const struct config *config);

/*
 * Refreshes origin (wire form) now: a SOA query, and a transfer when the
 * primary is newer (a NOTIFY, or zoned-control refresh). During a refresh
 * already running, one more follows it. Returns 0 or ZONED_ENOTFOUND (not
 * a secondary zone).
 */
int xfr_in_refresh(struct xfr_in *xfr, const uint8_t *origin);

/*
 * A NOTIFY for origin, from its primary number primary (an index into the
 * zone's primaries; -1: a sender allow-notify let in), with serial (the
 * SOA it carried; NULL: none). As BIND: a serial not newer than the one
 * served is logged as up to date and nothing more is done; otherwise a
 * refresh, asking that primary first. A serial newer than ours starts the
 * transfer at once, without the SOA query (as NSD asks its IXFR straight
 * away): the transfer itself says whether there is anything new. Returns
 * as xfr_in_refresh().
 */
int xfr_in_notified(struct xfr_in *xfr, const uint8_t *origin, const uint32_t *serial,
	int primary);

/* Transfers origin in full (AXFR) now, whatever the serials. Returns as xfr_in_refresh(). */
int xfr_in_retransfer(struct xfr_in *xfr, const uint8_t *origin);

/*
 * The zone transfers in running now (what transfers-in limits) and those
 * waiting in its queue, into *running and *queued.
 */
void xfr_in_transfer_counts(const struct xfr_in *xfr, unsigned *running, unsigned *queued);

/* Stops every refresh and transfer and frees xfr. NULL is fine. */
void xfr_in_free(struct xfr_in *xfr);

#endif
