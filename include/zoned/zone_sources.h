/*
 * zone_sources.h: where each record of a loaded zone was read (file:line),
 * kept beside the zone only when a checker asks for it: the serving tree
 * does not carry lines, and the daemon does not pay for them.
 */
#ifndef ZONED_ZONE_SOURCES_H
#define ZONED_ZONE_SOURCES_H

#include <stddef.h>
#include <stdint.h>

struct zone_source_entry;

/* Records' file:line, keyed by (owner, type, rdata). Zero-initialize, then fill. */
struct zone_sources {
	struct zone_source_entry *entries;
	size_t count, capacity;
	char **files;               /* file names, owned */
	size_t file_count;
	int sorted;                 /* entries sorted since the last add */
};

/*
 * Remembers that the record (owner in wire form, any case; type; wire
 * rdata) was read at file:line. Returns 0 or ZONED_ENOMEM.
 */
int zone_sources_add(struct zone_sources *sources, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char *file, unsigned long line);

/*
 * Where a record was read: with rdata, that record; with rdata NULL, the
 * first line of the owner's RRset of type. Sets *file (owned by sources) and
 * *line and returns 1, or returns 0 when unknown (sources NULL is fine).
 * Sorts on first use after adds, hence not const.
 */
int zone_sources_find(struct zone_sources *sources, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char **file, unsigned long *line);

/* Frees what sources holds (not sources itself); it is empty again afterwards. */
void zone_sources_clear(struct zone_sources *sources);

#endif
