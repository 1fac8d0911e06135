/*
 * zone_update.h: a new version of a finalized zone made from a few changed
 * owners, sharing every unchanged node (name, RRsets, rdata) with the
 * version it starts from. Only the changed owners get new nodes; the new
 * version has its own node array, index and targets, and its own half of
 * each node's twin links (struct name_node's links), so the base keeps
 * answering exactly as before while the new version is built and after.
 * Used to apply an IXFR (zone_apply.c) and a reload of a few changed
 * records; both fall back to a full build when zone_update_begin() says no.
 */
#ifndef ZONED_ZONE_UPDATE_H
#define ZONED_ZONE_UPDATE_H

#include <stddef.h>
#include <stdint.h>

struct diag;
struct zone;
struct zone_check_modes;
struct zone_record;

struct zone_update;

/*
 * Starts a version from base (finalized, not changed by anything here).
 * Returns NULL when the new version cannot share base's nodes now: the
 * other half of the twin links is still used by a live version (an older
 * one a transfer still streams), too much of the shared store is garbage
 * from earlier updates (a full build compacts it), base has NSEC3 nodes
 * (not shared yet), or out of memory. The caller then builds in full.
 * The caller keeps base held until the commit or abort; one update per
 * store at a time.
 */
struct zone_update *zone_update_begin(const struct zone *base);

/*
 * The check modes records and the new version are checked with (copied);
 * zone_check_modes_default()'s until called. For a reload whose file is
 * checked with configured modes.
 */
void zone_update_set_modes(struct zone_update *u, const struct zone_check_modes *modes);

/*
 * Replaces all records of owner (wire form, any case, at or below the
 * origin) with records[0..count) (their owners are ignored: owner's),
 * count 0 deletes them. Records are checked as a loaded file's are
 * (zone_check_record()). Returns 0, ZONED_EZONE (reported to d) or
 * ZONED_ENOMEM.
 */
int zone_update_set_owner(struct zone_update *u, const uint8_t *owner,
	const struct zone_record *records, size_t count, struct diag *d);

/*
 * Adds one record (an IXFR addition); one the owner has already collapses
 * into it. Returns as zone_update_set_owner().
 */
int zone_update_add(struct zone_update *u, const struct zone_record *record, struct diag *d);

/*
 * Deletes one record (an IXFR deletion), matched by owner, type and rdata
 * (names in it compared case-insensitively), TTL aside. Returns 0,
 * ZONED_EINVAL when the version does not have it (reported to d), or
 * ZONED_ENOMEM.
 */
int zone_update_delete(struct zone_update *u, const struct zone_record *record,
	struct diag *d);

/*
 * Builds the new version, runs the zone checks on it (those of a loaded
 * file: zone_check_zone(), zone_check_denial(), with u's modes),
 * and frees u. *out gets the new version (one holder, as zone_create()'s)
 * only when there were no errors; on an error base is untouched and still
 * serves. d must not be NULL. Returns 0, ZONED_EZONE (a check failed,
 * reported to d), ZONED_ECANCELED (the change brings NSEC3 chain owners,
 * which are not shared yet: build in full, nothing was reported),
 * ZONED_ELIMIT or ZONED_ENOMEM.
 */
int zone_update_commit(struct zone_update *u, struct diag *d, struct zone **out);

/*
 * Fills the page table of zone's node array and name index where they are
 * a private mapping of a full build's file (mapped on first read until
 * then): called once zone is served, so that neither the publication nor
 * the queries after it wait for it. Only reads; any zone; nothing to do
 * for most. Without MADV_POPULATE_READ (Linux 5.14) nothing.
 */
void zone_update_prefault(const struct zone *zone);

/* Drops an update not committed; base is untouched. NULL is fine. */
void zone_update_abort(struct zone_update *u);

#endif
