/*
 * zone_reload.h: load a zone file and keep its fingerprints
 * (zone_chunks.h); reload a changed file by reading only the chunks whose
 * text changed and building the new version from the old one through
 * zone_update.h, so a one-record change costs a small part of a full load
 * in time and memory. Anything it cannot do exactly falls back to a full
 * load: the result is always what a full load of the new file gives.
 */
#ifndef ZONED_ZONE_RELOAD_H
#define ZONED_ZONE_RELOAD_H

#include <stdint.h>

#include "zoned/zone_load.h"

struct diag;
struct zone;
struct zone_chunks;

/* How a load went, for the log and the tests. */
enum zone_reload_how {
	ZONE_RELOAD_FULL,            /* the whole file was read (no usable fingerprints) */
	ZONE_RELOAD_INCREMENTAL,     /* only changed chunks were read */
};

/* Counters of the paths taken since the start (zoned-control status, tests). */
struct zone_reload_counts {
	unsigned long full;
	unsigned long incremental;
	unsigned long fallback;      /* an incremental attempt that had to load in full */
};

/*
 * Loads path for origin as zone_load_file() does (same diagnostics, same
 * return codes, options' on_file called). With old and old_chunks (the
 * version served and its file's fingerprints) the changed chunks only are
 * read and applied to old (old is not changed). *chunks gets the new
 * file's fingerprints (one holder), or NULL when the file cannot have any
 * ($INCLUDE, ...); *how says which path was taken, also on an error
 * (NULL: not wanted).
 * On an error nothing is returned and old still serves.
 */
int zone_reload_file(const char *path, const uint8_t *origin,
	const struct zone_load_options *options, const struct zone *old,
	struct zone_chunks *old_chunks, struct diag *d, struct zone **out,
	struct zone_chunks **chunks, enum zone_reload_how *how);

/* The counters so far (process-wide). */
struct zone_reload_counts zone_reload_counts(void);

#endif
