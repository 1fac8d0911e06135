/*
 * nametree_internal.h: what the building (nametree.c, nametree_nsec3.c) and
 * the lookups (nametree_lookup.c) of a zone's name index share. Private to
 * those files. The build may call lookups, never the other way round.
 */
#ifndef ZONED_NAMETREE_INTERNAL_H
#define ZONED_NAMETREE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * Compares two labels (length octet first) as RFC 4034 6.1 does: octets as
 * unsigned numbers, a label that is a prefix of the other first. Both are
 * lowercased already.
 */
static inline int
label_compare(const uint8_t *a, const uint8_t *b)
{
	unsigned shorter = a[0] < b[0] ? a[0] : b[0];
	int diff = memcmp(a + 1, b + 1, shorter);
	if (diff != 0)
		return diff;
	return (int)a[0] - (int)b[0];
}

/* A new node for a lowercased name with room for rrset_count RRsets (nametree.c); NULL when out of memory. */
struct name_node *zone_new_node(struct zone *zone, const uint8_t *name, size_t name_length,
	size_t rrset_count);

/*
 * Splits node, which owns an NSEC3 RRset (nametree_nsec3.c): *nsec3 gets a
 * new node with the NSEC3 RRset and the RRSIGs covering it, *rest a new
 * node with the other RRsets, or NULL when there are none. Both keep the
 * RRsets sorted by type. Returns 0 or ZONED_ENOMEM.
 */
int zone_split_nsec3_node(struct zone *zone, const struct name_node *node,
	struct name_node **nsec3, struct name_node **rest);

/* Sorts zone->nsec3_nodes by hash and numbers them (nametree_nsec3.c). */
void zone_sort_nsec3(struct zone *zone);

/*
 * Fills zone->nsec3_params from the apex NSEC3PARAM and zone->node_nsec3
 * with each name's NSEC3 node (nametree_nsec3.c). Called by zone_finalize()
 * once the nodes are sorted and indexed. Returns 0 or ZONED_ENOMEM.
 */
int zone_nsec3_prepare(struct zone *zone);

#endif
