/* zonedb.h: the set of served zones, found by longest match. */
#ifndef ZONED_ZONEDB_H
#define ZONED_ZONEDB_H

#include <stddef.h>
#include <stdint.h>

struct zone;

struct zonedb {
	struct zone **zones;        /* the db holds each (zone_ref()) */
	size_t zone_count;
	struct zone **buckets;      /* open addressing on origin hash, bucket_mask + 1 slots */
	uint32_t bucket_mask;
	uint64_t label_counts[2];   /* bit n set: some origin has n labels (n < 128) */
	unsigned max_labels;        /* the most labels of any origin */
};

/* Returns an empty set, or NULL when out of memory. */
struct zonedb *zonedb_create(void);

/* Frees the set and lets go of every zone in it (zone_unref()). NULL is fine. */
void zonedb_free(struct zonedb *db);

/*
 * Takes over the caller's hold on zone (on success only). Returns 0,
 * ZONED_EEXIST (same origin) or ZONED_ENOMEM.
 */
int zonedb_add(struct zonedb *db, struct zone *zone);

/* Removes the zone with origin (wire form) and returns it with the db's hold, or NULL. */
struct zone *zonedb_take(struct zonedb *db, const uint8_t *origin);

/*
 * The zone with the longest origin that name (lowercased wire form) is at or
 * below, or NULL. Allocates nothing.
 */
const struct zone *zonedb_find(const struct zonedb *db, const uint8_t *name, size_t name_length);

struct name_key;

/*
 * zonedb_find() for the suffix of a hashed name that starts at its label
 * first_label (0: the whole name), probing only the lengths some origin has.
 */
const struct zone *zonedb_find_key(const struct zonedb *db, const struct name_key *key,
	unsigned first_label);

#endif
