/*
 * zone_update_arrays.c: the arrays of a version built by zone_update.c:
 * its node array (the base's, patched where owners changed, or merged
 * anew), its hash index, its targets (each RRset's in-zone names resolved
 * to nodes) and the links of each node the new version reads. Costs a
 * pass over the node array, not a rebuild of the nodes and rdata.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_diff.h"
#include "zoned/zone_update.h"

#include "nametree_internal.h"
#include "zone_update_internal.h"

/* Arrays from this size on are placed on 2 MiB boundaries for transparent huge pages. */
#define UPDATE_HUGE_PAGE (2u * 1024 * 1024)

/*
 * malloc() for the new version's big arrays, with their pages faulted in by
 * one madvise(MADV_POPULATE_WRITE) (Linux 5.14) rather than one fault per
 * page while they are filled: in the daemon, on a VM, the first update of
 * the 1M-record benchmark zone (no leftover arrays yet) took 134 ms, 77 ms
 * of it filling the fresh 12.6 MB index; with it, 78 ms. Without the call
 * (kernels before 5.14) the pages fault as before. An array of 2 MiB or
 * more starts on a 2 MiB boundary and its whole 2 MiB blocks are offered
 * to transparent huge pages (MADV_HUGEPAGE: the "madvise" mode): one fault
 * per 2 MiB, and fewer TLB misses on the index while answering. The tail
 * keeps small pages, so no memory is wasted on it.
 */
static void *
update_alloc(size_t size)
{
	void *memory = NULL;
	if (size < UPDATE_HUGE_PAGE || posix_memalign(&memory, UPDATE_HUGE_PAGE, size) != 0)
		memory = malloc(size);
	if (memory == NULL)
		return NULL;
	uintptr_t page = 4096;
	uintptr_t start = ((uintptr_t)memory + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)memory + size) & ~(page - 1);
#ifdef MADV_HUGEPAGE
	uintptr_t huge_end = ((uintptr_t)memory + size) & ~((uintptr_t)UPDATE_HUGE_PAGE - 1);
	if (start % UPDATE_HUGE_PAGE == 0 && huge_end > start)
		(void)madvise((void *)start, huge_end - start, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
	if (end > start + 16 * page)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#endif
	return memory;
}

/* ---- commit: the replacement map ---- */

static size_t
update_map_start(const struct zone_update *u, const struct name_node *old)
{
	uint64_t key = (uint64_t)(uintptr_t)old >> 3;
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (u->map_size - 1);
}

/* What old became in the new version: itself when unchanged, NULL when removed. */
static inline struct name_node *
update_map_get(const struct zone_update *u, const struct name_node *old)
{
	if (u->map_size == 0 || old == NULL)
		return (struct name_node *)(uintptr_t)old;
	for (size_t slot = update_map_start(u, old); u->map[slot].old != NULL;
		slot = (slot + 1) & (u->map_size - 1)) {
		if (u->map[slot].old == old)
			return u->map[slot].new;
	}
	return (struct name_node *)(uintptr_t)old;
}

/* Fills the map from the owners whose base node changed. */
int
update_map_fill(struct zone_update *u)
{
	size_t entries = 0;
	for (size_t i = 0; i < u->owner_count; i++)
		entries += u->owners[i].old != NULL && u->owners[i].new != u->owners[i].old;
	if (entries == 0)
		return 0;
	u->map_size = 16;
	while (u->map_size < entries * 2)
		u->map_size *= 2;
	u->map = calloc(u->map_size, sizeof *u->map);
	if (u->map == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < u->owner_count; i++) {
		const struct update_owner *owner = &u->owners[i];
		if (owner->old == NULL || owner->new == owner->old)
			continue;
		size_t slot = update_map_start(u, owner->old);
		while (u->map[slot].old != NULL)
			slot = (slot + 1) & (u->map_size - 1);
		u->map[slot].old = owner->old;
		u->map[slot].new = owner->new;
	}
	return 0;
}

/* ---- commit: the new version's arrays ---- */

/*
 * The nodes that change (replaced, added, removed), in canonical order:
 * what the arrays below apply, and the log the store keeps for the next
 * update (zone_store's last).
 */
int
update_collect_changes(struct zone_update *u)
{
	u->changes = malloc((u->owner_count + 1) * sizeof *u->changes);
	if (u->changes == NULL)
		return ZONED_ENOMEM;
	u->same_flags = true;
	for (size_t i = 0; i < u->owner_count; i++) {
		const struct update_owner *owner = &u->owners[i];
		if (owner->old == owner->new)
			continue;
		u->changes[u->change_count++] = (struct zone_change){ owner->old, owner->new,
			owner->hash, owner->old != NULL ? node_index(u->base, owner->old) : 0 };
		u->added += owner->old == NULL;
		u->removed += owner->new == NULL;
		if (owner->new != NULL && name_node_is_wildcard(owner->new))
			u->zone->wildcard_count++;
		if (owner->old != NULL && name_node_is_wildcard(owner->old))
			u->zone->wildcard_count--;
		if (owner->old != NULL && owner->new != NULL
			&& zone_node_own_flags(u->zone, owner->old)
				!= zone_node_own_flags(u->zone, owner->new))
			u->same_flags = false;
	}
	return 0;
}

/*
 * zone->nodes when no name comes or goes now nor did in the update that
 * made base: the leftover array of base's predecessor with both updates'
 * replacements written in, no copy. false when that does not hold.
 */
static bool
update_patch_nodes(struct zone_update *u)
{
	const struct zone_store *store = u->base->store;
	struct zone_leftover *leftover = u->leftover;
	if (!u->leftover_current || !store->last.replaced_only || u->added + u->removed > 0
		|| leftover->node_count != u->base->node_count)
		return false;
	struct name_node **nodes = leftover->nodes;
	uint8_t kind = leftover->nodes_kind;
	if (nodes == NULL && kind == ZONE_ARRAY_SHARED) {
		/* The full build's, in its file: a private mapping to patch. */
		nodes = zone_array_file_map(&store->nodes_file);
		kind = ZONE_ARRAY_PRIVATE;
	}
	if (nodes == NULL)
		return false;
	for (size_t i = 0; i < store->last.count; i++)
		nodes[store->last.changes[i].index] = store->last.changes[i].new;
	for (size_t i = 0; i < u->change_count; i++)
		nodes[u->changes[i].index] = u->changes[i].new;
	leftover->nodes = NULL;
	u->zone->nodes = nodes;
	u->zone->nodes_kind = kind;
	u->zone->node_count = u->base->node_count;
	return true;
}

/*
 * zone->nodes when base is a full build whose node array is in its
 * store's file and no name comes or goes: a copy-on-write mapping of it
 * with the replacements written in. false when that does not hold.
 */
static bool
update_map_nodes(struct zone_update *u)
{
	const struct zone *base = u->base;
	if (base->nodes_kind != ZONE_ARRAY_SHARED || u->added + u->removed > 0)
		return false;
	struct name_node **nodes = zone_array_file_map(&base->store->nodes_file);
	if (nodes == NULL)
		return false;
	for (size_t i = 0; i < u->change_count; i++)
		nodes[u->changes[i].index] = u->changes[i].new;
	u->zone->nodes = nodes;
	u->zone->nodes_kind = ZONE_ARRAY_PRIVATE;
	u->zone->node_count = base->node_count;
	return true;
}

/*
 * zone->nodes: the base's, with the changed owners' nodes replaced,
 * inserted or removed where they sort (the changes are sorted).
 */
int
update_merge_nodes(struct zone_update *u)
{
	const struct zone *base = u->base;
	struct zone *zone = u->zone;
	if (update_patch_nodes(u) || update_map_nodes(u))
		return 0;
	size_t count = base->node_count + u->added - u->removed;
	zone->nodes = update_alloc(count * sizeof *zone->nodes);
	if (zone->nodes == NULL)
		return ZONED_ENOMEM;
	size_t from = 0, to = 0;
	for (size_t i = 0; i < u->change_count; i++) {
		const struct zone_change *change = &u->changes[i];
		size_t at = change->old != NULL ? change->index
			: node_index(base, zone_find_predecessor(base, change->new->name,
				change->new->name_length)) + 1;
		memcpy(zone->nodes + to, base->nodes + from, (at - from) * sizeof *zone->nodes);
		to += at - from;
		from = at + (change->old != NULL);
		if (change->new != NULL)
			zone->nodes[to++] = change->new;
	}
	memcpy(zone->nodes + to, base->nodes + from, (base->node_count - from) * sizeof *zone->nodes);
	zone->node_count = count;
	return 0;
}

/* Removes slot i from a linear-probing table, moving later entries back (no tombstones). */
static void
update_slots_remove(struct zone_slot *slots, uint32_t size, uint32_t i)
{
	uint32_t j = i;
	for (;;) {
		slots[i].node = NULL;
		for (;;) {
			j = j + 1 == size ? 0 : j + 1;
			if (slots[j].node == NULL)
				return;
			uint32_t home = zone_slot_start(slots[j].hash, size);
			/* Entry j may fill the hole only if its home is not within (i, j]. */
			bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
			if (!stays)
				break;
		}
		slots[i] = slots[j];
		i = j;
	}
}

/* The slot holding node (whose name hashes to hash); the node must be there. */
static uint32_t
update_slots_find(const struct zone_slot *slots, uint32_t size, const struct name_node *node,
	uint32_t hash)
{
	uint32_t i = zone_slot_start(hash, size);
	while (slots[i].node != node)
		i = i + 1 == size ? 0 : i + 1;
	return i;
}

static void
update_slots_insert(struct zone_slot *slots, uint32_t size, struct name_node *node, uint32_t hash)
{
	uint32_t i = zone_slot_start(hash, size);
	while (slots[i].node != NULL)
		i = i + 1 == size ? 0 : i + 1;
	slots[i].hash = hash;
	slots[i].node = node;
}

/* Applies changes to a name index, in order (an update's, or the store's log of the last). */
static void
update_slots_apply(struct zone_slot *slots, uint32_t size, const struct zone_change *changes,
	size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const struct zone_change *change = &changes[i];
		if (change->old == NULL)
			update_slots_insert(slots, size, change->new, change->hash);
		else if (change->new == NULL)
			update_slots_remove(slots, size,
				update_slots_find(slots, size, change->old, change->hash));
		else
			slots[update_slots_find(slots, size, change->old, change->hash)].node = change->new;
	}
}

/*
 * The name index: base's predecessor's (left over) with the last update's
 * changes and this one's applied, or a copy of base's patched, or rebuilt
 * when it would be too full. Sets *patched unless rebuilt.
 */
int
update_build_slots(struct zone_update *u, bool *patched)
{
	const struct zone *base = u->base;
	struct zone *zone = u->zone;
	const struct zone_store *store = base->store;
	*patched = zone->node_count * 4 <= (size_t)base->hash_size * 3;
	uint32_t size = *patched ? base->hash_size
		: (uint32_t)(zone->node_count + zone->node_count / 2 + 1);
	if (*patched && u->leftover_current && store->last.slots_patched
		&& u->leftover->hash_size == size) {
		/* Two small patches instead of copying the whole index. */
		struct zone_slot *slots = u->leftover->hash_slots;
		zone->slots_kind = u->leftover->slots_kind;
		if (slots == NULL && zone->slots_kind == ZONE_ARRAY_SHARED) {
			slots = zone_array_file_map(&store->slots_file);
			zone->slots_kind = ZONE_ARRAY_PRIVATE;
		}
		if (slots != NULL) {
			zone->hash_slots = slots;
			zone->hash_size = size;
			u->leftover->hash_slots = NULL;
			update_slots_apply(slots, size, store->last.changes, store->last.count);
			update_slots_apply(slots, size, u->changes, u->change_count);
			return 0;
		}
		zone->slots_kind = ZONE_ARRAY_HEAP;
	}
	if (*patched && base->slots_kind == ZONE_ARRAY_SHARED) {
		/* The full build's index, in its file: copy-on-write, one patch. */
		struct zone_slot *slots = zone_array_file_map(&store->slots_file);
		if (slots != NULL) {
			zone->hash_slots = slots;
			zone->slots_kind = ZONE_ARRAY_PRIVATE;
			zone->hash_size = size;
			update_slots_apply(slots, size, u->changes, u->change_count);
			return 0;
		}
	}
	struct zone_slot *slots = *patched ? update_alloc(size * sizeof *slots)
		: calloc(size, sizeof *slots);
	if (slots == NULL)
		return ZONED_ENOMEM;
	zone->hash_slots = slots;
	zone->hash_size = size;
	if (!*patched) {
		for (size_t n = 0; n < zone->node_count; n++) {
			const struct name_node *node = zone->nodes[n];
			update_slots_insert(slots, size, zone->nodes[n],
				name_hash(node->name, node->name_length));
		}
		return 0;
	}
	memcpy(slots, base->hash_slots, size * sizeof *slots);
	update_slots_apply(slots, size, u->changes, u->change_count);
	return 0;
}

/*
 * Resolves the targets of one RRset of the new version from
 * targets[target_base]; only_missing: only those not found, or found as a
 * wildcard's (names were added).
 */
static void
update_resolve_rrset(struct zone *zone, const struct rrset *rrset, bool only_missing)
{
	int skip = rrset_target_skip(rrset->type);
	const uint8_t *rr = rrset->rdata;
	for (uint16_t j = 0; j < rrset->rr_count; j++) {
		size_t length = (size_t)(rr[0] << 8 | rr[1]);
		const struct name_node **target = &zone->targets[rrset->target_base + j];
		if (!only_missing || *target == NULL || name_node_is_wildcard(*target))
			*target = length > (size_t)skip
				? zone_find_target(zone, rr + 2 + skip, length - (size_t)skip) : NULL;
		rr += 2 + length;
	}
}

/* One bit of a 64-bit filter for a node's address. */
static inline uint64_t
update_filter_bit(const struct name_node *node)
{
	return 1ull << (((uint64_t)(uintptr_t)node * 0x9e3779b97f4a7c15ull) >> 58);
}

/*
 * The base's targets, mapped to the new nodes, into zone->targets. Most
 * name no changed node: a filter of the replaced and removed nodes'
 * addresses sends only the few that may to the map. On the 1M-record
 * benchmark zone (some 120k MX and NS targets) a map lookup per target
 * took most of update_build_targets()' 0.4-1.8 ms in a 1-record update.
 */
static void
update_map_targets(struct zone_update *u)
{
	const struct zone *base = u->base;
	const struct name_node **targets = u->zone->targets;
	uint64_t filter = 0;
	for (size_t i = 0; i < u->change_count; i++) {
		if (u->changes[i].old != NULL)
			filter |= update_filter_bit(u->changes[i].old);
	}
	for (size_t i = 0; i < base->target_count; i++) {
		const struct name_node *target = base->targets[i];
		targets[i] = target != NULL && (filter & update_filter_bit(target)) != 0
			? update_map_get(u, target) : target;
	}
}

/*
 * zone->targets: the base's, mapped to the new nodes (the shared RRsets
 * keep their target_base), then the new nodes' RRsets' appended. A name
 * added may be the target a shared RRset missed, or took from a wildcard,
 * and a name removed may leave its targets to a wildcard: then those
 * missing or a wildcard's are looked up again.
 */
int
update_build_targets(struct zone_update *u)
{
	const struct zone *base = u->base;
	struct zone *zone = u->zone;
	size_t count = base->target_count;
	for (size_t i = 0; i < u->owner_count; i++) {
		const struct name_node *node = u->owners[i].new;
		if (node == NULL || node == u->owners[i].old)
			continue;
		const struct rrset *rrsets = name_node_rrsets(node);
		for (uint16_t r = 0; r < node->rrset_count; r++)
			count += rrset_target_skip(rrsets[r].type) >= 0 ? rrsets[r].rr_count : 0;
	}
	if (count == 0)
		return 0;
	if (count > UINT32_MAX)
		return ZONED_ELIMIT;
	zone->targets = update_alloc(count * sizeof *zone->targets);
	if (zone->targets == NULL)
		return ZONED_ENOMEM;
	zone->target_count = count;
	update_map_targets(u);
	size_t next = base->target_count;
	for (size_t i = 0; i < u->owner_count; i++) {
		const struct name_node *node = u->owners[i].new;
		if (node == NULL || node == u->owners[i].old)
			continue;
		/* The node is the update's own until published. */
		struct rrset *rrsets = (struct rrset *)(uintptr_t)name_node_rrsets(node);
		for (uint16_t r = 0; r < node->rrset_count; r++) {
			if (rrset_target_skip(rrsets[r].type) < 0)
				continue;
			rrsets[r].target_base = (uint32_t)next;
			next += rrsets[r].rr_count;
			update_resolve_rrset(zone, &rrsets[r], false);
		}
	}
	/*
	 * Names added may be targets missed so far or now block a wildcard;
	 * names removed may leave a target to a wildcard.
	 */
	bool recheck = u->added > 0
		|| (u->removed > 0 && (base->wildcard_count > 0 || zone->wildcard_count > 0));
	for (size_t n = 0; recheck && n < zone->node_count; n++) {
		const struct name_node *node = zone->nodes[n];
		const struct rrset *rrsets = name_node_rrsets(node);
		for (uint16_t r = 0; r < node->rrset_count; r++) {
			if (rrset_target_skip(rrsets[r].type) >= 0)
				update_resolve_rrset(zone, &rrsets[r], true);
		}
	}
	return 0;
}

static int
update_index_compare(const void *a_pointer, const void *b_pointer)
{
	uint32_t a = *(const uint32_t *)a_pointer, b = *(const uint32_t *)b_pointer;
	return (a > b) - (a < b);
}

/*
 * Rewrites the links of the node at index i of the new version, whose
 * spare half is stale (the node is new, or its parent was replaced), and
 * the parent link of each of its children. Flags as the base's: the node
 * has its old node's own flags and the same children.
 */
static void
update_relink_node(struct zone_update *u, uint32_t i)
{
	struct zone *zone = u->zone;
	struct name_node *node = zone->nodes[i];
	unsigned flags = zone_node_own_flags(zone, node);
	struct node_links *links = zone_links_of(zone, node);
	if (flags & NODE_APEX) {
		links->parent = NULL;
	} else {
		size_t length = node->name_length;
		const uint8_t *parent = update_parent_name(node->name, &length);
		links->parent = (struct name_node *)(uintptr_t)zone_find_node(zone, parent, length);
	}
	zone_mark_node(zone, node, i, flags);
	links->flags |= node_flags(u->base, u->base->nodes[i]) & NODE_WILDCARD_PARENT;
	/* The apex's children read zone->apex (node_parent()); others' links name their parent. */
	for (size_t j = i + 1; !(flags & NODE_APEX) && j < zone->node_count; j++) {
		struct name_node *below = zone->nodes[j];
		if (!dname_is_subdomain(below->name, node->name))
			break;
		if (below->label_count == node->label_count + 1u)
			zone_links_of(zone, below)->parent = node;
	}
}

/*
 * The new version's links when the spare half already holds those of a
 * version with the same names in the same places: base's own (a full
 * build wrote both halves) or base's predecessor's (both updates since
 * only replaced nodes, keeping their own flags). Then only the nodes
 * replaced since, and their children's parent links, are stale: on the
 * 1M-record benchmark zone a 1-record update writes a few nodes instead
 * of walking all 524k (~12 ms). false when that does not hold.
 */
static bool
update_link_changed(struct zone_update *u)
{
	const struct zone_store *store = u->base->store;
	if (u->added + u->removed > 0 || !u->same_flags)
		return false;
	bool predecessor = u->leftover_current && store->last.replaced_only
		&& store->last.same_flags;
	if (!u->spare_is_base && !predecessor)
		return false;
	size_t count = u->change_count + (predecessor ? store->last.count : 0);
	uint32_t *stale = malloc((count + 1) * sizeof *stale);
	if (stale == NULL)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < u->change_count; i++)
		stale[n++] = u->changes[i].index;
	for (size_t i = 0; predecessor && i < store->last.count; i++)
		stale[n++] = store->last.changes[i].index;
	/* Parents first: canonical order. */
	qsort(stale, n, sizeof *stale, update_index_compare);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || stale[i] != stale[i - 1])
			update_relink_node(u, stale[i]);
	}
	free(stale);
	return true;
}

/*
 * Writes the new version's half of every node's links, in canonical order
 * (parents first): a shared node takes its base parent (mapped to its
 * replacement) and its own flags from the base's half; a new node looks
 * its parent up. Then as zone_finalize() marks them.
 */
void
update_link_nodes(struct zone_update *u)
{
	const struct zone *base = u->base;
	struct zone *zone = u->zone;
	const unsigned own = NODE_APEX | NODE_DELEGATION | NODE_WILDCARD | NODE_DNAME;
	/* Before any link: the apex's children read it (node_parent()). */
	zone->apex = update_map_get(u, base->apex);
	if (update_link_changed(u))
		return;
	/* The changed owners, in the same order as their nodes in zone->nodes. */
	size_t next_owner = 0;
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		while (next_owner < u->owner_count
			&& (u->owners[next_owner].new == NULL
				|| u->owners[next_owner].new == u->owners[next_owner].old))
			next_owner++;
		bool changed = next_owner < u->owner_count && u->owners[next_owner].new == node;
		struct node_links *links = zone_links_of(zone, node);
		unsigned flags;
		if (changed) {
			next_owner++;
			flags = zone_node_own_flags(zone, node);
			size_t length = node->name_length;
			const uint8_t *parent = update_parent_name(node->name, &length);
			links->parent = flags & NODE_APEX ? NULL
				: (struct name_node *)(uintptr_t)zone_find_node(zone, parent, length);
		} else {
			flags = node_flags(base, node) & own;
			links->parent = update_map_get(u, node_parent(base, node));
		}
		zone_mark_node(zone, node, (uint32_t)i, flags);
	}
}

/* The new version's SOA, record count, NSEC3 parameters, and the store's garbage. */
int
update_finish_zone(struct zone_update *u)
{
	const struct zone *base = u->base;
	struct zone *zone = u->zone;
	size_t records = base->record_count + zone->record_count;  /* the new nodes' counted */
	/* The journal's measure of the zone, carried over rather than measured again. */
	uint64_t wire_size = base->wire_size;
	for (size_t i = 0; i < u->owner_count; i++) {
		const struct name_node *old = u->owners[i].old, *new = u->owners[i].new;
		if (old == new)
			continue;
		if (new != NULL)
			wire_size += zone_diff_node_wire_size(new);
		if (old == NULL)
			continue;
		wire_size -= zone_diff_node_wire_size(old);
		const struct rrset *rrsets = name_node_rrsets(old);
		for (uint16_t r = 0; r < old->rrset_count; r++)
			records -= rrsets[r].rr_count;
		zone->store->garbage += update_node_octets(old);
	}
	zone->record_count = records;
	zone->wire_size = base->wire_size != 0 ? wire_size : 0;
	zone->apex = update_map_get(u, base->apex);
	zone_read_soa(zone);
	return zone_nsec3_prepare(zone);
}

/* Fills the page table of a privately mapped array (see zone_update_prefault()). */
static void
update_prefault_array(const void *array, size_t bytes)
{
#ifdef MADV_POPULATE_READ
	if (array != NULL && bytes > 0)
		(void)madvise((void *)(uintptr_t)array, bytes, MADV_POPULATE_READ);
#else
	(void)array;
	(void)bytes;
#endif
}

void
zone_update_prefault(const struct zone *zone)
{
	if (zone == NULL)
		return;
	if (zone->nodes_kind == ZONE_ARRAY_PRIVATE)
		update_prefault_array(zone->nodes, zone->node_count * sizeof *zone->nodes);
	if (zone->slots_kind == ZONE_ARRAY_PRIVATE)
		update_prefault_array(zone->hash_slots, zone->hash_size * sizeof *zone->hash_slots);
}
