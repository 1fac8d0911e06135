/*
 * nametree_internal.h: what the building (nametree.c, nametree_nsec3.c) and
 * the lookups (nametree_lookup.c) of a zone's name index share. Private to
 * those files. The build may call lookups, never the other way round.
 */
#ifndef ZONED_NAMETREE_INTERNAL_H
#define ZONED_NAMETREE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zoned/arena.h"
#include "zoned/nametree.h"

/*
 * How a version holds its node array and its name index. A full build of
 * a large zone puts them in memory files (memfd) of its store, mapped
 * shared and never written again; the first update after it maps them
 * privately, copy-on-write, and writes only the pages it changes instead
 * of copying 16 MiB (1M-record zone) before patching them.
 */
enum zone_array_kind {
	ZONE_ARRAY_HEAP = 0,        /* malloc()ed */
	ZONE_ARRAY_SHARED,          /* the store's file, mapped shared: the full build's, read only */
	ZONE_ARRAY_PRIVATE,         /* the store's file, mapped copy-on-write: patched */
};

/* A full build's array kept in a memory file; fd -1: none (a small zone, or no memfd). */
struct zone_array_file {
	int fd;
	size_t bytes;
};

/* Octets from which zone_array_file_create() makes a file (1 MiB; tests lower it). */
extern size_t zone_array_file_min;

/*
 * The array in a new memory file of bytes octets (zeroed), mapped shared;
 * NULL (file->fd -1) when the array is small or there is no such file.
 */
void *zone_array_file_create(struct zone_array_file *file, size_t bytes);

/* The file's array mapped copy-on-write (ZONE_ARRAY_PRIVATE), or NULL. */
void *zone_array_file_map(const struct zone_array_file *file);

/* Frees an array held as kind (a file's mapping: the file's size). NULL is fine. */
void zone_array_release(void *array, uint8_t kind, const struct zone_array_file *file);

/*
 * The node array and name index of a version freed while another version
 * of its store lives: the next update patches them into its own instead
 * of copying the base's (zone_update.c).
 */
struct zone_leftover {
	uint64_t generation;        /* of the version freed */
	struct zone_slot *hash_slots;
	uint32_t hash_size;
	struct name_node **nodes;
	size_t node_count;
	/*
	 * enum zone_array_kind. ZONE_ARRAY_SHARED: the full build's, unmapped
	 * (NULL above): the store's file holds them, to map privately.
	 */
	uint8_t nodes_kind, slots_kind;
	const struct zone_store *store;     /* whose files */
};

/* One node an update replaced, added (old NULL) or removed (new NULL). */
struct zone_change {
	const struct name_node *old;
	struct name_node *new;
	uint32_t hash;              /* of the name */
	uint32_t index;             /* old's in its version's nodes */
};

/*
 * The nodes and rdata of one or more versions of a zone: a full build
 * makes a new store, each zone_update (zone_update.c) adds its changed
 * nodes to its base's store and the new version shares it.
 */
struct zone_store {
	struct arena arena;
	atomic_uint versions;       /* zones built on it; the last one frees it */
	/*
	 * Of those, how many read each half of the links: an update may write
	 * the half no live version reads, and only that one.
	 */
	atomic_uint live[2];
	atomic_bool updating;       /* a zone_update is open on the store: one at a time */
	/*
	 * Octets of the arena the newest version no longer uses (nodes and
	 * rdata replaced or removed by updates); a full build compacts.
	 */
	size_t garbage;
	/*
	 * The half of the links no version reads holds exactly the links of
	 * the full build (generation 0), which wrote both: the first update
	 * then rewrites only what it changes. Cleared by the first update.
	 */
	bool spare_is_base;
	/* The full build's node array and name index, when large (zone_array_file_create()). */
	struct zone_array_file nodes_file, slots_file;
	/* A version's arrays for the next update to patch, or NULL (exchanged atomically). */
	_Atomic(struct zone_leftover *) leftover;
	/*
	 * The changes the last update made, in the order it applied them to
	 * the name index: with them, generation - 1's arrays become
	 * generation's. Updates only (one at a time).
	 */
	struct {
		uint64_t generation;        /* of the version that update made */
		bool slots_patched;         /* its index was patched, not rebuilt */
		bool replaced_only;         /* no name came or went: the same node array shape */
		bool same_flags;            /* ... and each replacement has its old node's own flags */
		struct zone_change *changes;
		size_t count;
	} last;
};

/* Frees a leftover and its arrays; NULL is fine. */
void zone_leftover_free(struct zone_leftover *leftover);

/* node's links in zone's version, to fill in while building it. */
static inline struct node_links *
zone_links_of(const struct zone *zone, const struct name_node *node)
{
	return (struct node_links *)((uint8_t *)(uintptr_t)node + zone->links_offset);
}

/* Which half of the links zone reads (0 or 1). */
static inline unsigned
zone_parity(const struct zone *zone)
{
	return zone->links_offset != offsetof(struct name_node, links[0]);
}

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

/* The flags node's own name and data give it (apex, DNAME, delegation, wildcard). */
unsigned zone_node_own_flags(const struct zone *zone, const struct name_node *node);

/*
 * Writes node's links in zone's version but the parent (set already):
 * index, flags (own flags plus occlusion from the parent), cut, and the
 * parent's wildcard_child if node is "*". The parent must be marked first
 * (canonical order does that).
 */
void zone_mark_node(const struct zone *zone, const struct name_node *node, uint32_t index,
	unsigned flags);

/* Grows *array of element_size items to hold at least needed (doubling). Returns 0 or ZONED_ENOMEM. */
int zone_grow_array(void *array, size_t *capacity, size_t needed, size_t element_size);

/*
 * The index of file (NULL: "") in (*files)[0..*count), adding a copy;
 * past UINT16_MAX names, 0. Returns -1 when out of memory.
 */
int zone_file_index(char ***files, size_t *count, const char *file);

/* Gives zone a fresh zone->build (zone_create() does). Returns 0 or ZONED_ENOMEM. */
int zone_build_start(struct zone *zone);

/* Frees load-time state; NULL is fine. */
void zone_build_free(struct zone_build *build);

/*
 * Adds one record to the pending list of zone->build (the owner is the
 * caller's: record->owner is not read), as read in order sequence (0: a
 * record already in the zone, which never draws a TTL warning).
 */
int zone_build_pend(struct zone *zone, const struct zone_record *record, uint32_t sequence);

/*
 * Turns the pending records into a new node for name (lowercased) in
 * zone->store, as loading does: RRsets sorted, duplicates collapsed, the
 * first record's TTL per RRset. Empties the pending list. Nothing links to
 * the node yet. Returns 0, ZONED_ELIMIT (reported) or ZONED_ENOMEM.
 */
int zone_build_node(struct zone *zone, const uint8_t *name, size_t name_length, struct diag *d,
	struct name_node **out);

/* Takes serial, soa and the RFC 2308 negative TTL from the apex SOA, if there is one. */
void zone_read_soa(struct zone *zone);

/*
 * The node in zone (finalized, or with its index built) that the
 * uncompressed name at rdata (any case, within length octets) names, else
 * the wildcard node that synthesizes it, or NULL.
 */
const struct name_node *zone_find_target(const struct zone *zone, const uint8_t *rdata,
	size_t length);

/* Drops a version's hold on store (zone_free()); the last frees it. */
void zone_store_release(struct zone_store *store, unsigned parity);

/*
 * Records of the owner being read. Zone files list an owner's records
 * together, so each owner's RRsets are built as soon as the owner changes
 * and only one owner's records are ever held here: no copy of the whole
 * zone exists beside the tree while loading.
 */
struct pending_record {
	uint32_t rdata_offset;     /* into build->rdata */
	uint32_t ttl;
	uint32_t line;
	uint32_t sequence;         /* file order; 0 for records already in the tree */
	uint16_t type;
	uint16_t rdata_length;
	uint16_t file_index;       /* into build->files */
};

/* Load-time state; freed by zone_finalize(). */
struct zone_build {
	/* Owner of the records below (lowercased); its node is made when they are done. */
	uint8_t pending_name[DNAME_MAX_LENGTH];
	size_t pending_length;     /* 0: no owner yet */
	struct pending_record *records;
	size_t record_count, record_capacity;
	uint8_t *rdata;
	size_t rdata_length, rdata_capacity;
	uint32_t next_sequence;
	char **files;              /* file names seen, for messages */
	size_t file_count;
	struct name_node **nodes;  /* every node in creation order */
	size_t node_count, node_capacity;
	/*
	 * The load-time index: chains of node numbers (index + 1, 0 ends a
	 * chain), 8 octets a node where pointers would take 16; the serving
	 * index is built once the node count is known.
	 */
	uint32_t *node_hashes;     /* parallel to nodes */
	uint32_t *node_next;       /* parallel to nodes: the next in the chain */
	uint32_t *buckets;         /* bucket_mask + 1 chain heads */
	uint32_t bucket_mask;
};

/* The build's steps that zone_finalize() (nametree_finalize.c) runs, in nametree.c. */

/* Turns the pending owner's records into its node (replacing the node it had). */
int zone_build_flush(struct zone *zone, struct diag *d);

/* Rebuilds the load-time chains with bucket_count heads (a power of two). */
int zone_build_rehash(struct zone_build *build, uint32_t bucket_count);

/* Builds the serving index from the node list: 2/3 full at most. */
int zone_build_slots(struct zone *zone);

/* The node for a lowercased name, made without data if needed; NULL when out of memory. */
struct name_node *zone_get_node(struct zone *zone, const uint8_t *name, size_t name_length);

#endif
