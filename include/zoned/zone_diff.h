/*
 * zone_diff.h: the difference between two versions of one zone, the
 * records only the old one has (deleted) and those only the new one has
 * (added), found by walking both zones' canonical node arrays side by
 * side: linear in the zones' sizes, nothing hashed, no text.
 */
#ifndef ZONED_ZONE_DIFF_H
#define ZONED_ZONE_DIFF_H

#include <stddef.h>
#include <stdint.h>

struct name_node;
struct zone;

/* One record of a difference; every pointer borrows from its zone. */
struct zone_diff_record {
	const uint8_t *owner;        /* lowercased wire form */
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;        /* uncompressed wire rdata */
	uint16_t rdata_length;
};

enum zone_diff_side {
	ZONE_DIFF_DELETED,           /* in the old version only */
	ZONE_DIFF_ADDED,             /* in the new version only */
};

/* Called once per differing record; a nonzero return stops the walk. */
typedef int zone_diff_emit(void *arg, enum zone_diff_side side,
	const struct zone_diff_record *record);

/*
 * Walks old and new (finalized versions of the same zone) in canonical
 * order, names then NSEC3 owners, and calls emit for every record that only
 * one of them has. The apex SOA is left out: RFC 1995 puts the old SOA
 * before the deletions and the new one before the additions, which is the
 * caller's to write. An RRset whose TTL changed is deleted whole and added
 * whole (a record is owner, type, TTL and rdata), as BIND's diff does.
 * Records of one side come out in canonical order; the two sides interleave.
 * Cost: one comparison per node and per record, no allocation.
 * Returns 0, or the first nonzero value emit returned.
 */
int zone_diff_walk(const struct zone *old, const struct zone *new, zone_diff_emit *emit,
	void *arg);

/* How many records a difference deletes and adds (SOA left out). */
struct zone_diff_count {
	size_t deleted;
	size_t added;
};

/* Counts the difference between old and new (zone_diff_walk() without a callback). */
struct zone_diff_count zone_diff_count(const struct zone *old, const struct zone *new);

/*
 * The octets of every record of zone in uncompressed wire form (owner,
 * type, class, TTL, length, rdata): the measure of a zone's size that
 * BIND's default max-journal-size ("twice the zone") refers to. Returns
 * zone->wire_size when that is set already.
 */
uint64_t zone_diff_wire_size(const struct zone *zone);

/* The part of zone_diff_wire_size() that one node's records take. */
uint64_t zone_diff_node_wire_size(const struct name_node *node);

#endif
