/*
 * nametree_internal.h: what the building (nametree.c) and the lookups
 * (nametree_lookup.c) of a zone's name index share. Private to those files.
 */
#ifndef ZONED_NAMETREE_INTERNAL_H
#define ZONED_NAMETREE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "zoned/nametree.h"

/* The first slot to probe for hash in a table of size slots (Lemire's multiply-shift). */
static inline uint32_t
zone_slot_start(uint32_t hash, uint32_t size)
{
	/* The name hash's last words reach the high bits weakly: mix before taking them. */
	hash ^= hash >> 15;
	hash *= 0x2c1b3c6du;
	hash ^= hash >> 12;
	return (uint32_t)(((uint64_t)hash * size) >> 32);
}

/* Lookup in a zone not yet finalized (the load-time index), or NULL. */
const struct name_node *zone_build_find_node(const struct zone *zone, const uint8_t *name,
	size_t name_length, uint32_t hash);

#endif
