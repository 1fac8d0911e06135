/* zonedb.c: the set of served zones; longest-match zone for a query name. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zonedb.h"

struct zonedb *
zonedb_create(void)
{
	struct zonedb *db = calloc(1, sizeof *db);
	if (db == NULL)
		return NULL;
	db->bucket_mask = 15;
	db->buckets = calloc(db->bucket_mask + 1, sizeof *db->buckets);
	if (db->buckets == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void
zonedb_free(struct zonedb *db)
{
	if (db == NULL)
		return;
	/* A zone another set or a transfer still holds lives on. */
	for (size_t i = 0; i < db->zone_count; i++)
		zone_unref(db->zones[i]);
	free(db->zones);
	free(db->buckets);
	free(db);
}

/* Open addressing with linear probing; the table is kept under half full. */
static void
zonedb_place(struct zone **buckets, uint32_t mask, struct zone *zone)
{
	uint32_t slot = name_hash(zone->origin, zone->origin_length) & mask;
	while (buckets[slot] != NULL)
		slot = (slot + 1) & mask;
	buckets[slot] = zone;
}

/* Notes that an origin with zone's label count exists. */
static void
zonedb_note_labels(struct zonedb *db, const struct zone *zone)
{
	unsigned labels = zone->origin_labels;
	db->label_counts[labels / 64] |= UINT64_C(1) << (labels % 64);
	if (labels > db->max_labels)
		db->max_labels = labels;
}

static bool
zonedb_has_labels(const struct zonedb *db, unsigned labels)
{
	return labels < 128 && (db->label_counts[labels / 64] >> (labels % 64) & 1) != 0;
}

static int
zonedb_rehash(struct zonedb *db, uint32_t bucket_count)
{
	struct zone **buckets = calloc(bucket_count, sizeof *buckets);
	if (buckets == NULL)
		return ZONED_ENOMEM;
	db->label_counts[0] = db->label_counts[1] = 0;
	db->max_labels = 0;
	for (size_t i = 0; i < db->zone_count; i++) {
		zonedb_place(buckets, bucket_count - 1, db->zones[i]);
		zonedb_note_labels(db, db->zones[i]);
	}
	free(db->buckets);
	db->buckets = buckets;
	db->bucket_mask = bucket_count - 1;
	return 0;
}

/* The zone with exactly this origin (lowercased wire form, its name_hash()), or NULL. */
static const struct zone *
zonedb_find_hashed(const struct zonedb *db, const uint8_t *origin, size_t origin_length,
	uint32_t hash)
{
	uint32_t slot = hash & db->bucket_mask;
	for (const struct zone *zone; (zone = db->buckets[slot]) != NULL;
		slot = (slot + 1) & db->bucket_mask) {
		if (zone->origin_length == origin_length
			&& memcmp(zone->origin, origin, origin_length) == 0)
			return zone;
	}
	return NULL;
}

int
zonedb_add(struct zonedb *db, struct zone *zone)
{
	if (zonedb_find_hashed(db, zone->origin, zone->origin_length,
		    name_hash(zone->origin, zone->origin_length)) != NULL)
		return ZONED_EEXIST;
	struct zone **zones = realloc(db->zones, (db->zone_count + 1) * sizeof *zones);
	if (zones == NULL)
		return ZONED_ENOMEM;
	db->zones = zones;
	if ((db->zone_count + 1) * 2 > db->bucket_mask + 1
		&& zonedb_rehash(db, (db->bucket_mask + 1) * 2) != 0)
		return ZONED_ENOMEM;
	db->zones[db->zone_count++] = zone;
	zonedb_place(db->buckets, db->bucket_mask, zone);
	zonedb_note_labels(db, zone);
	return 0;
}

struct zone *
zonedb_take(struct zonedb *db, const uint8_t *origin)
{
	uint8_t lowered[DNAME_MAX_LENGTH];
	size_t length = dname_length(origin);
	memcpy(lowered, origin, length);
	dname_lower(lowered);
	for (size_t i = 0; i < db->zone_count; i++) {
		struct zone *zone = db->zones[i];
		if (zone->origin_length != length || memcmp(zone->origin, lowered, length) != 0)
			continue;
		db->zones[i] = db->zones[--db->zone_count];
		/* Rebuilding keeps the probe chains intact without tombstones. */
		if (zonedb_rehash(db, db->bucket_mask + 1) != 0) {
			db->zones[db->zone_count++] = zone;  /* keep serving it */
			return NULL;
		}
		return zone;
	}
	return NULL;
}

const struct zone *
zonedb_find_key(const struct zonedb *db, const struct name_key *key, unsigned first_label)
{
	/* Longest match first: the suffix from first_label, then each parent, down to the root. */
	unsigned i = first_label;
	if (i > key->label_count)
		return NULL;
	if (key->label_count - i > db->max_labels)
		i = key->label_count - db->max_labels;  /* no origin is that long */
	for (; i <= key->label_count; i++) {
		if (!zonedb_has_labels(db, key->label_count - i))
			continue;
		unsigned offset = i < key->label_count ? key->offsets[i] : key->length - 1u;
		const struct zone *zone = zonedb_find_hashed(db, key->name + offset,
			key->length - offset, key->hashes[i]);
		if (zone != NULL)
			return zone;
	}
	return NULL;
}

const struct zone *
zonedb_find(const struct zonedb *db, const uint8_t *name, size_t name_length)
{
	struct name_key key;
	name_key_init(&key, name, name_length);
	return zonedb_find_key(db, &key, 0);
}
