/*
 * zoneset.h: the zones the daemon serves, built from a config; on reload
 * only zones whose files changed are loaded again, the others are shared
 * with the previous set without copying.
 */
#ifndef ZONED_ZONESET_H
#define ZONED_ZONESET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "zoned/dname.h"
#include "zoned/log.h"

struct config;
struct zone;
struct zone_chunks;
struct zonedb;

/* What a file looked like when it was read: any difference means reload. */
struct zoneset_file {
	char *path;
	dev_t device;
	ino_t inode;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

struct zoneset_zone {
	uint8_t origin[DNAME_MAX_LENGTH];
	char *name;                   /* presentation form, no trailing dot */
	char *path;                   /* the zone file as configured */
	struct zone *zone;            /* held by the set's db; a placeholder when failed */
	bool failed;                  /* did not load at startup (or since): SERVFAIL */
	struct zoneset_file *files;   /* the zone file and every $INCLUDE */
	size_t file_count;
	time_t loaded;                /* when the version served was read; 0: never */
	char *error;                  /* why the last load failed ("file:line: ..."); NULL: it did not */
	struct zone_chunks *chunks;   /* zone's file fingerprints (zone_reload.h), one holder; NULL: none */
};

struct zoneset {
	struct zonedb *db;            /* holds one reference on each zone */
	struct zoneset_zone *zones;
	size_t zone_count;
};

/*
 * Builds the set for config, logging one line per zone (loaded, kept,
 * failed). Without previous (startup, -C) a zone that fails to load is in
 * the set as a failed placeholder (entry->failed, zone->load_failed): its
 * names answer SERVFAIL, as BIND's, rather than the parent zone's, and
 * the next reload tries it again. With previous (reload), a zone whose
 * files are unchanged is shared, a failed placeholder is loaded again (and
 * stays a placeholder if it fails again), and another zone that fails to
 * load keeps its previous version (or is left out when it is new). *failed
 * counts the zones that failed; the return is 0 unless memory ran out.
 * Once *cancel is set (it may be NULL) the build stops with
 * ZONED_ECANCELED. Returns 0 or a negative ZONED_ code.
 */
int zoneset_build(const struct config *config, const struct zoneset *previous,
	log_function *log, const volatile sig_atomic_t *cancel, struct zoneset **out,
	unsigned *failed);

/*
 * At startup, once the first set is built: each zone's journal that does
 * not end at the zone's serial was left from another zone file and is
 * removed, as journal_check() says (zoneset_build() itself leaves journals
 * alone without a previous set, so that zoned -C changes no file).
 */
void zoneset_check_journals(const struct zoneset *set, log_function *log);

/*
 * zoneset_build for zoned-control's reload ZONE (reload_origin: that zone)
 * and reconfig (reload_origin NULL): every zone of previous other than
 * reload_origin is shared as it is (failed placeholders too), even when its
 * files changed; reload_origin is loaded again when its files changed, and
 * zones new in config are loaded. previous must not be NULL.
 */
int zoneset_build_scoped(const struct config *config, const struct zoneset *previous,
	const uint8_t *reload_origin, log_function *log, const volatile sig_atomic_t *cancel,
	struct zoneset **out, unsigned *failed);

/*
 * A new set like current, sharing every zone but the one at origin, which
 * is zone (the caller's holder reference passes to the set, also on
 * failure) and failed (a placeholder answering SERVFAIL) or not. Used to
 * publish a transferred version of a secondary zone the way a reload is.
 * Returns 0, ZONED_ENOTFOUND (no such zone in current) or ZONED_ENOMEM.
 */
int zoneset_replace(const struct zoneset *current, const uint8_t *origin, struct zone *zone,
	bool failed, struct zoneset **out);

/*
 * Frees set and lets go of its zones: a zone that a newer set also serves
 * (shared after a reload) or that a long reader holds (zone_ref()) lives
 * on until its last holder lets go. NULL is fine.
 */
void zoneset_free(struct zoneset *set);

#endif
