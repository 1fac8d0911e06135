/*
 * zone_update_internal.h: the state of one update (zone_update.c: the
 * changes collected, the nodes decided, the checks and the commit;
 * zone_update_arrays.c: the new version's node array, hash index, targets
 * and links). Private to those files.
 */
#ifndef ZONED_ZONE_UPDATE_INTERNAL_H
#define ZONED_ZONE_UPDATE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/nametree.h"
#include "zoned/zone_check.h"

#include "nametree_internal.h"

/* One record of a changed owner, in the order the update saw it. */
struct update_rr {
	uint32_t next;              /* the owner's next record, index + 1; 0 ends */
	uint32_t sequence;          /* 0: from the base (never draws a TTL warning) */
	uint32_t ttl;
	uint32_t line;
	uint32_t rdata_offset;      /* into u->rdata */
	uint16_t type;
	uint16_t rdata_length;
	uint16_t file_index;        /* into u->files */
	bool deleted;
};

/* A name whose node changes: its records (the base's, once touched, plus the changes). */
struct update_owner {
	uint8_t name[DNAME_MAX_LENGTH];   /* lowercased */
	uint8_t name_length;
	bool loaded;                      /* the base node's records are in the list */
	bool needed;                      /* has a name with data below it in the new version */
	uint32_t hash;
	uint32_t first, last;             /* records, index + 1; 0: none */
	uint32_t count;                   /* records not deleted */
	const struct name_node *old;      /* in the base, or NULL */
	struct name_node *new;            /* in the new version, or NULL (set by commit) */
};

/* Old node -> its replacement (NULL: removed), by pointer. */
struct update_map_slot {
	const struct name_node *old;
	struct name_node *new;
};

struct zone_update {
	const struct zone *base;
	struct zone *zone;                /* the new version: shares base's store */
	struct zone_check_modes modes;
	struct update_owner *owners;
	size_t owner_count, owner_capacity;
	uint32_t *owner_slots;            /* index + 1; 0: empty */
	size_t owner_slot_size;           /* a power of two */
	struct update_rr *rrs;
	size_t rr_count, rr_capacity;
	uint8_t *rdata;
	size_t rdata_length, rdata_capacity;
	char **files;
	size_t file_count;
	uint32_t next_sequence;
	struct update_map_slot *map;      /* replaced and removed nodes */
	size_t map_size;                  /* a power of two, 0: empty */
	unsigned errors;                  /* found by zone_check_record() so far */
	/* The nodes that change, in canonical order (commit): the store's log once committed. */
	struct zone_change *changes;
	size_t change_count;
	size_t added, removed;            /* names that come and go */
	/* The arrays of the version before base, when the store kept them (zone_leftover). */
	struct zone_leftover *leftover;
	bool leftover_current;            /* they are base's generation - 1 and the log leads to base */
	bool spare_is_base;               /* the spare half of the links holds base's (store's) */
	bool same_flags;                  /* each replacement has its old node's own flags */
};

/* The parent name of name (not the root): the name after its first label. */
static inline const uint8_t *
update_parent_name(const uint8_t *name, size_t *length)
{
	*length -= (size_t)name[0] + 1;
	return name + name[0] + 1;
}

/* Octets of the arena a node and its rdata take: garbage once no version uses it. */
size_t update_node_octets(const struct name_node *node);

/* The commit's steps on the arrays (zone_update_arrays.c), in the order it calls them. */
int update_map_fill(struct zone_update *u);
int update_collect_changes(struct zone_update *u);
int update_merge_nodes(struct zone_update *u);
int update_build_slots(struct zone_update *u, bool *patched);
int update_build_targets(struct zone_update *u);
void update_link_nodes(struct zone_update *u);
int update_finish_zone(struct zone_update *u);

#endif
