/*
 * zone_update.c: a new zone version from a few changed owners, sharing the
 * unchanged nodes with its base (Knot's "binode" idea, on links only).
 *
 * A node's name and RRsets never change once built; what depends on the
 * rest of the zone (parent, wildcard child, cut, index, flags) is kept
 * twice in the node, and each version reads its own half. The new version
 * writes the half no live version reads, so the base keeps answering from
 * its half untouched. The new version gets its own node array, hash index
 * and targets: the base's copied and patched where owners changed, which
 * costs a pass over the node array, not a rebuild of the nodes and rdata.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_check.h"
#include "zoned/zone_diff.h"
#include "zoned/zone_update.h"

#include "nametree_internal.h"

/* Garbage any store may hold before an update is refused (see zone_update_begin()). */
#define UPDATE_GARBAGE_FLOOR (256u * 1024)

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

/* ---- the update's owners ---- */

static void
update_owner_slots_fill(struct zone_update *u)
{
	memset(u->owner_slots, 0, u->owner_slot_size * sizeof *u->owner_slots);
	for (size_t i = 0; i < u->owner_count; i++) {
		size_t slot = u->owners[i].hash & (u->owner_slot_size - 1);
		while (u->owner_slots[slot] != 0)
			slot = (slot + 1) & (u->owner_slot_size - 1);
		u->owner_slots[slot] = (uint32_t)(i + 1);
	}
}

/* The owner for a lowercased name, or NULL. */
static struct update_owner *
update_owner_find(const struct zone_update *u, const uint8_t *name, size_t name_length,
	uint32_t hash)
{
	for (size_t slot = hash & (u->owner_slot_size - 1); u->owner_slots[slot] != 0;
		slot = (slot + 1) & (u->owner_slot_size - 1)) {
		struct update_owner *owner = &u->owners[u->owner_slots[slot] - 1];
		if (owner->hash == hash && owner->name_length == name_length
			&& memcmp(owner->name, name, name_length) == 0)
			return owner;
	}
	return NULL;
}

/* The owner for a lowercased name, added (without records) if new; NULL when out of memory. */
static struct update_owner *
update_owner_get(struct zone_update *u, const uint8_t *name, size_t name_length)
{
	uint32_t hash = name_hash(name, name_length);
	struct update_owner *owner = update_owner_find(u, name, name_length, hash);
	if (owner != NULL)
		return owner;
	if (zone_grow_array(&u->owners, &u->owner_capacity, u->owner_count + 1, sizeof *u->owners) != 0)
		return NULL;
	if ((u->owner_count + 1) * 2 > u->owner_slot_size) {
		size_t size = u->owner_slot_size * 2;
		uint32_t *slots = realloc(u->owner_slots, size * sizeof *slots);
		if (slots == NULL)
			return NULL;
		u->owner_slots = slots;
		u->owner_slot_size = size;
		update_owner_slots_fill(u);
	}
	owner = &u->owners[u->owner_count];
	memset(owner, 0, sizeof *owner);
	memcpy(owner->name, name, name_length);
	owner->name_length = (uint8_t)name_length;
	owner->hash = hash;
	owner->old = zone_find_node_hashed(u->base, name, name_length, hash);
	size_t slot = hash & (u->owner_slot_size - 1);
	while (u->owner_slots[slot] != 0)
		slot = (slot + 1) & (u->owner_slot_size - 1);
	u->owner_slots[slot] = (uint32_t)++u->owner_count;
	return owner;
}

/* Appends one record to owner's list. */
static int
update_owner_push(struct zone_update *u, struct update_owner *owner, uint16_t type, uint32_t ttl,
	const uint8_t *rdata, uint16_t rdata_length, const char *file, unsigned long line,
	uint32_t sequence)
{
	int file_index = zone_file_index(&u->files, &u->file_count, file);
	if (file_index < 0 || u->rr_count >= UINT32_MAX - 1
		|| zone_grow_array(&u->rrs, &u->rr_capacity, u->rr_count + 1, sizeof *u->rrs) != 0
		|| zone_grow_array(&u->rdata, &u->rdata_capacity, u->rdata_length + rdata_length + 1, 1)
			!= 0)
		return ZONED_ENOMEM;
	struct update_rr *rr = &u->rrs[u->rr_count];
	*rr = (struct update_rr){ .sequence = sequence, .ttl = ttl, .line = (uint32_t)line,
		.rdata_offset = (uint32_t)u->rdata_length, .type = type,
		.rdata_length = rdata_length, .file_index = (uint16_t)file_index };
	if (rdata_length > 0)
		memcpy(u->rdata + u->rdata_length, rdata, rdata_length);
	u->rdata_length += rdata_length;
	u->rr_count++;
	if (owner->last != 0)
		u->rrs[owner->last - 1].next = (uint32_t)u->rr_count;
	else
		owner->first = (uint32_t)u->rr_count;
	owner->last = (uint32_t)u->rr_count;
	owner->count++;
	return 0;
}

/* Puts the base node's records into owner's list, once, before any change to them. */
static int
update_owner_load(struct zone_update *u, struct update_owner *owner)
{
	if (owner->loaded)
		return 0;
	owner->loaded = true;
	if (owner->old == NULL)
		return 0;
	const struct rrset *rrsets = name_node_rrsets(owner->old);
	for (uint16_t i = 0; i < owner->old->rrset_count; i++) {
		struct rdata_cursor cursor = rdata_cursor_start(rrsets[i].rdata,
			rrsets[i].rdata_length);
		const uint8_t *rdata;
		uint16_t length;
		while (rdata_cursor_next(&cursor, &rdata, &length)) {
			if (update_owner_push(u, owner, rrsets[i].type, rrsets[i].ttl, rdata, length,
				    "", 0, 0) != 0)
				return ZONED_ENOMEM;
		}
	}
	return 0;
}

/* Drops every record of owner's list (set_owner() replacing them). */
static void
update_owner_clear(struct zone_update *u, struct update_owner *owner)
{
	for (uint32_t i = owner->first; i != 0; i = u->rrs[i - 1].next)
		u->rrs[i - 1].deleted = true;
	owner->first = owner->last = 0;
	owner->count = 0;
	owner->loaded = true;
}

/* ---- the calls that collect changes ---- */

struct zone_update *
zone_update_begin(const struct zone *base)
{
	if (base == NULL || base->build != NULL || base->load_failed || base->store == NULL
		|| base->nsec3_count > 0)
		return NULL;
	struct zone_store *store = base->store;
	unsigned spare = !zone_parity(base);
	/* A version still reading the spare half (an old one being streamed) blocks the update. */
	if (atomic_load_explicit(&store->live[spare], memory_order_acquire) != 0)
		return NULL;
	/*
	 * Replaced data stays in the arena: past a quarter of it, a full build
	 * compacts (small zones may waste up to UPDATE_GARBAGE_FLOOR first).
	 */
	if (store->garbage > UPDATE_GARBAGE_FLOOR && store->garbage > store->arena.bytes_used / 4)
		return NULL;
	if (atomic_exchange(&store->updating, true))
		return NULL;
	struct zone_update *u = calloc(1, sizeof *u);
	struct zone *zone = calloc(1, sizeof *zone);
	if (u == NULL || zone == NULL)
		goto fail;
	u->base = base;
	u->zone = zone;
	zone_check_modes_default(&u->modes);
	memcpy(zone->origin, base->origin, base->origin_length);
	zone->origin_length = base->origin_length;
	zone->origin_labels = base->origin_labels;
	zone->zone_class = base->zone_class;
	zone->wildcard_count = base->wildcard_count;  /* collect_changes counts what comes and goes */
	zone->links_offset = (uint32_t)(spare ? offsetof(struct name_node, links[1])
		: offsetof(struct name_node, links[0]));
	zone->generation = base->generation + 1;
	atomic_init(&zone->holders, 1);
	zone->store = store;
	atomic_fetch_add_explicit(&store->versions, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&store->live[spare], 1, memory_order_relaxed);
	/* Taken now: a version freed later is no older than base. */
	u->leftover = atomic_exchange(&store->leftover, NULL);
	/* Whatever becomes of this update, the spare half is its to write now. */
	u->spare_is_base = store->spare_is_base && base->generation == 0;
	store->spare_is_base = false;
	u->leftover_current = u->leftover != NULL && store->last.changes != NULL
		&& u->leftover->generation + 1 == base->generation
		&& store->last.generation == base->generation;
	u->owner_slot_size = 64;
	u->owner_slots = calloc(u->owner_slot_size, sizeof *u->owner_slots);
	if (u->owner_slots == NULL || zone_build_start(zone) != 0)
		goto fail;
	return u;
fail:
	if (u != NULL && zone != NULL && zone->store != NULL) {
		zone_update_abort(u);
		return NULL;
	}
	free(zone);
	free(u);
	atomic_store(&store->updating, false);
	return NULL;
}

void
zone_update_set_modes(struct zone_update *u, const struct zone_check_modes *modes)
{
	u->modes = *modes;
}

/* The record's owner lowercased into name; false (warned) for out-of-zone data, as loading does. */
static int
update_record_owner(struct zone_update *u, const struct zone_record *record,
	const uint8_t *owner, uint8_t name[DNAME_MAX_LENGTH], size_t *name_length, struct diag *d)
{
	const struct zone *zone = u->zone;
	*name_length = dname_length(owner);
	memcpy(name, owner, *name_length);
	dname_lower(name);
	if (record != NULL && record->rr_class != zone->zone_class) {
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"class %u != zone class %u", record->rr_class, zone->zone_class);
		return ZONED_EZONE;
	}
	if (!dname_is_subdomain(name, zone->origin)) {
		char text[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(owner, text, sizeof text);
		diag_report(d, DIAG_WARNING, record != NULL ? record->file : NULL,
			record != NULL ? record->line : 0, "ignoring out-of-zone data (%s)", text);
		*name_length = 0;
	}
	return 0;
}

/* Checks record as a loaded one is and adds it to owner. */
static int
update_owner_add(struct zone_update *u, struct update_owner *owner,
	const struct zone_record *record, struct diag *d)
{
	struct zone_record checked = *record;
	checked.owner = owner->name;
	/* As loading does: every record is checked, the version fails at the end. */
	u->errors += zone_check_record(u->zone, &checked, &u->modes, d);
	if (u->next_sequence == UINT32_MAX)
		return ZONED_ELIMIT;
	return update_owner_push(u, owner, record->type, record->ttl, record->rdata,
		record->rdata_length, record->file, record->line, ++u->next_sequence);
}

int
zone_update_set_owner(struct zone_update *u, const uint8_t *owner,
	const struct zone_record *records, size_t count, struct diag *d)
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length;
	int rc = update_record_owner(u, NULL, owner, name, &name_length, d);
	if (rc != 0 || name_length == 0)
		return rc;
	struct update_owner *o = update_owner_get(u, name, name_length);
	if (o == NULL)
		return ZONED_ENOMEM;
	update_owner_clear(u, o);
	for (size_t i = 0; i < count && rc == 0; i++) {
		if (records[i].rr_class != u->zone->zone_class) {
			diag_report(d, DIAG_ERROR, records[i].file, records[i].line,
				"class %u != zone class %u", records[i].rr_class, u->zone->zone_class);
			return ZONED_EZONE;
		}
		rc = update_owner_add(u, o, &records[i], d);
	}
	return rc;
}

int
zone_update_add(struct zone_update *u, const struct zone_record *record, struct diag *d)
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length;
	int rc = update_record_owner(u, record, record->owner, name, &name_length, d);
	if (rc != 0 || name_length == 0)
		return rc;
	struct update_owner *o = update_owner_get(u, name, name_length);
	if (o == NULL || update_owner_load(u, o) != 0)
		return ZONED_ENOMEM;
	return update_owner_add(u, o, record, d);
}

/* Whether stored record rr is record (type and rdata, names in it any case). */
static bool
update_rr_matches(const struct zone_update *u, const struct update_rr *rr,
	const struct zone_record *record, const uint8_t *canonical)
{
	static _Thread_local uint8_t other[UINT16_MAX];
	if (rr->deleted || rr->type != record->type || rr->rdata_length != record->rdata_length)
		return false;
	zone_apply_canonical(rr->type, u->rdata + rr->rdata_offset, rr->rdata_length, other);
	return memcmp(other, canonical, rr->rdata_length) == 0;
}

int
zone_update_delete(struct zone_update *u, const struct zone_record *record, struct diag *d)
{
	static _Thread_local uint8_t canonical[UINT16_MAX];
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length;
	int rc = update_record_owner(u, record, record->owner, name, &name_length, d);
	if (rc != 0)
		return rc;
	struct update_owner *o = name_length != 0 ? update_owner_get(u, name, name_length) : NULL;
	if (name_length != 0 && (o == NULL || update_owner_load(u, o) != 0))
		return ZONED_ENOMEM;
	zone_apply_canonical(record->type, record->rdata, record->rdata_length, canonical);
	for (uint32_t i = o != NULL ? o->first : 0; i != 0; i = u->rrs[i - 1].next) {
		struct update_rr *rr = &u->rrs[i - 1];
		if (update_rr_matches(u, rr, record, canonical)) {
			rr->deleted = true;
			o->count--;
			return 0;
		}
	}
	char owner[DNAME_MAX_LENGTH * 4 + 1], type[RRTYPE_TEXT_MAX];
	dname_format(record->owner, owner, sizeof owner);
	diag_report(d, DIAG_ERROR, record->file, record->line,
		"deletes %s %s, which the zone does not have", owner,
		rrtype_to_text(record->type, type));
	return ZONED_EINVAL;
}

/* ---- commit: the new version's nodes ---- */

/* The new node for owner from its records (count > 0). */
static int
update_owner_build(struct zone_update *u, struct update_owner *owner, struct diag *d)
{
	struct zone *zone = u->zone;
	for (uint32_t i = owner->first; i != 0; i = u->rrs[i - 1].next) {
		const struct update_rr *rr = &u->rrs[i - 1];
		if (rr->deleted)
			continue;
		struct zone_record record = { .owner = owner->name, .type = rr->type,
			.rr_class = zone->zone_class, .ttl = rr->ttl,
			.rdata = u->rdata + rr->rdata_offset, .rdata_length = rr->rdata_length,
			.file = u->files[rr->file_index], .line = rr->line };
		int rc = zone_build_pend(zone, &record, rr->sequence);
		if (rc != 0)
			return rc;
	}
	return zone_build_node(zone, owner->name, owner->name_length, d, &owner->new);
}

/* Whether owner's records bring an NSEC3 chain owner (RFC 5155 7.1): those are not shared yet. */
static bool
update_owner_has_nsec3(const struct zone_update *u, const struct update_owner *owner)
{
	if (dname_label_count(owner->name) != u->zone->origin_labels + 1u)
		return false;
	for (uint32_t i = owner->first; i != 0; i = u->rrs[i - 1].next) {
		if (!u->rrs[i - 1].deleted && u->rrs[i - 1].type == RRTYPE_NSEC3)
			return true;
	}
	return false;
}

/* The parent name of name (not the root): the name after its first label. */
static inline const uint8_t *
update_parent_name(const uint8_t *name, size_t *length)
{
	*length -= (size_t)name[0] + 1;
	return name + name[0] + 1;
}

/*
 * Calls visit for each strict ancestor of owner i below the origin, nearest
 * first, until it returns other than 1; returns that (0 at the origin).
 * The owner's name is copied: visit may add owners.
 */
static int
update_walk_ancestors(struct zone_update *u, size_t i,
	int (*visit)(struct zone_update *u, const uint8_t *name, size_t length, uint32_t hash))
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t length = u->owners[i].name_length;
	memcpy(name, u->owners[i].name, length);
	const uint8_t *up = update_parent_name(name, &length);
	for (; length > u->base->origin_length; up = update_parent_name(up, &length)) {
		int rc = visit(u, up, length, name_hash(up, length));
		if (rc != 1)
			return rc;
	}
	return 0;
}

/* A base ENT above an emptied name: an owner too, so that its fate is decided below. */
static int
update_visit_emptied(struct zone_update *u, const uint8_t *name, size_t length, uint32_t hash)
{
	const struct name_node *node = zone_find_node_hashed(u->base, name, length, hash);
	if (node == NULL || node->rrset_count != 0 || update_owner_find(u, name, length, hash) != NULL)
		return 0;
	struct update_owner *owner = update_owner_get(u, name, length);
	if (owner == NULL)
		return ZONED_ENOMEM;
	owner->loaded = true;
	return 1;
}

/* An ancestor of a name with data: needed, made an owner (an ENT) if the base lacks it. */
static int
update_visit_needed(struct zone_update *u, const uint8_t *name, size_t length, uint32_t hash)
{
	struct update_owner *owner = update_owner_find(u, name, length, hash);
	if (owner == NULL && zone_find_node_hashed(u->base, name, length, hash) != NULL)
		return 1;
	if (owner == NULL && (owner = update_owner_get(u, name, length)) == NULL)
		return ZONED_ENOMEM;
	owner->loaded = true;
	owner->needed = true;
	return 1;
}

/*
 * Base ENTs above an emptied owner may have nothing left below them: they
 * become owners too, so the decision below covers them (the apex never).
 */
static int
update_add_emptied_ancestors(struct zone_update *u)
{
	for (size_t i = 0; i < u->owner_count; i++) {
		if (u->owners[i].count != 0 || u->owners[i].old == NULL)
			continue;
		int rc = update_walk_ancestors(u, i, update_visit_emptied);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Every ancestor of a name with data is in the new version: owners among
 * them are marked needed, missing ones become new owners (ENTs).
 */
static int
update_add_needed_ancestors(struct zone_update *u)
{
	for (size_t i = 0; i < u->owner_count; i++) {
		if (u->owners[i].count == 0 && !u->owners[i].needed)
			continue;
		int rc = update_walk_ancestors(u, i, update_visit_needed);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Whether a base name below owner keeps data in the new version (so owner stays, as an ENT). */
static bool
update_has_data_below(const struct zone_update *u, const struct update_owner *owner)
{
	const struct zone *base = u->base;
	for (size_t j = node_index(base, owner->old) + 1; j < base->node_count; j++) {
		const struct name_node *node = base->nodes[j];
		if (!dname_is_subdomain(node->name, owner->name))
			break;  /* canonical order: the descendants come right after */
		if (node->rrset_count == 0)
			continue;  /* an ENT stays only for data below it, which comes next */
		const struct update_owner *changed = update_owner_find(u, node->name,
			node->name_length, name_hash(node->name, node->name_length));
		if (changed == NULL || changed->count > 0)
			return true;
	}
	return false;
}

/* The node each owner has in the new version: built, an ENT, the base's, or none. */
static int
update_decide_nodes(struct zone_update *u, struct diag *d)
{
	for (size_t i = 0; i < u->owner_count; i++) {
		struct update_owner *owner = &u->owners[i];
		if (update_owner_has_nsec3(u, owner))
			return ZONED_ECANCELED;
		if (owner->count > 0) {
			int rc = update_owner_build(u, owner, d);
			if (rc != 0)
				return rc;
			continue;
		}
		bool apex = owner->name_length == u->zone->origin_length;
		bool stays = apex || owner->needed
			|| (owner->old != NULL && update_has_data_below(u, owner));
		if (!stays)
			owner->new = NULL;
		else if (owner->old != NULL && owner->old->rrset_count == 0)
			owner->new = (struct name_node *)(uintptr_t)owner->old;  /* an ENT still */
		else if ((owner->new = zone_new_node(u->zone, owner->name, owner->name_length, 0))
			== NULL)
			return ZONED_ENOMEM;
	}
	return 0;
}

static int
update_owner_compare(const void *a_pointer, const void *b_pointer)
{
	const struct update_owner *a = a_pointer, *b = b_pointer;
	return dname_compare_canonical(a->name, b->name);
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
static int
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

/* Octets of the arena a node and its rdata take: garbage once no version uses it. */
static size_t
update_node_octets(const struct name_node *node)
{
	size_t octets = name_node_rrsets_offset(node->name_length)
		+ node->rrset_count * sizeof(struct rrset);
	const struct rrset *rrsets = name_node_rrsets(node);
	for (uint16_t i = 0; i < node->rrset_count; i++)
		octets += rrsets[i].rdata_length;
	return octets;
}

/* Frees what u owns but the version it builds. */
static void
update_free(struct zone_update *u)
{
	free(u->owners);
	free(u->owner_slots);
	free(u->rrs);
	free(u->rdata);
	for (size_t i = 0; i < u->file_count; i++)
		free(u->files[i]);
	free(u->files);
	free(u->map);
	free(u->changes);
	zone_leftover_free(u->leftover);
	free(u);
}

void
zone_update_abort(struct zone_update *u)
{
	if (u == NULL)
		return;
	/* The base holds the store: it outlives the version dropped here. */
	struct zone_store *store = u->zone->store;
	for (size_t i = 0; i < u->owner_count; i++) {
		/* Nodes made for the update stay in the arena until a full build. */
		if (u->owners[i].new != NULL && u->owners[i].new != u->owners[i].old)
			store->garbage += update_node_octets(u->owners[i].new);
	}
	zone_free(u->zone);
	atomic_store(&store->updating, false);
	update_free(u);
}

/* ---- commit: the new version's arrays ---- */

/*
 * The nodes that change (replaced, added, removed), in canonical order:
 * what the arrays below apply, and the log the store keeps for the next
 * update (zone_store's last).
 */
static int
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
static int
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
static int
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
static int
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
static void
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
static int
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

/* Whether two nodes have the same RRset types and own flags. */
static bool
update_same_shape(const struct zone *zone, const struct name_node *a, const struct name_node *b)
{
	if (a->rrset_count != b->rrset_count
		|| zone_node_own_flags(zone, a) != zone_node_own_flags(zone, b))
		return false;
	const struct rrset *x = name_node_rrsets(a), *y = name_node_rrsets(b);
	for (uint16_t i = 0; i < a->rrset_count; i++) {
		if (x[i].type != y[i].type)
			return false;
	}
	return true;
}

/* Whether node has DNSSEC records: the denial checks then look at the whole chain. */
static bool
update_node_has_dnssec(const struct name_node *node)
{
	static const uint16_t types[] = { RRTYPE_DNSKEY, RRTYPE_RRSIG, RRTYPE_NSEC, RRTYPE_NSEC3,
		RRTYPE_NSEC3PARAM };
	for (size_t i = 0; node != NULL && i < sizeof types / sizeof types[0]; i++) {
		if (name_node_rrset(node, types[i]) != NULL)
			return true;
	}
	return false;
}

/*
 * The checks of a loaded file, on the new version. The base passed them,
 * so when the change is local only the changed names (and the apex) are
 * checked: other names' checks read of a name only whether it exists,
 * which types it has (address records of an NS, MX or SRV target, CNAME,
 * DNAME) and whether it is a cut or below one. Local: no name added or
 * removed, each replaced node has the types and own flags of its old one,
 * and no DNSSEC data in a changed node or at the base's apex (the denial
 * checks walk the whole chain). Anything else is checked whole. On the
 * 1M-record benchmark zone the whole checks took 50-130 ms of a 1-record
 * IXFR's 150-190 ms commit; the local ones take microseconds.
 */
static void
update_check(struct zone_update *u, struct diag *d)
{
	const struct zone *zone = u->zone;
	bool local = name_node_rrset(u->base->apex, RRTYPE_DNSKEY) == NULL;
	size_t changed = 0;
	for (size_t i = 0; local && i < u->owner_count; i++) {
		const struct name_node *old = u->owners[i].old, *new = u->owners[i].new;
		if (old == new)
			continue;
		local = old != NULL && new != NULL && update_same_shape(zone, old, new)
			&& !update_node_has_dnssec(old) && !update_node_has_dnssec(new);
		changed++;
	}
	const struct name_node **nodes = local ? malloc((changed + 1) * sizeof *nodes) : NULL;
	if (nodes == NULL) {
		if (zone_check_zone(zone, &u->modes, d) == 0)
			zone_check_denial(zone, &u->modes, NULL, d);
		return;
	}
	changed = 0;
	for (size_t i = 0; i < u->owner_count; i++) {
		if (u->owners[i].new != u->owners[i].old)
			nodes[changed++] = u->owners[i].new;  /* sorted canonically */
	}
	zone_check_changed(zone, nodes, changed, &u->modes, d);
	free(nodes);
}

int
zone_update_commit(struct zone_update *u, struct diag *d, struct zone **out)
{
	*out = NULL;
	unsigned long errors_before = d->errors;
	int rc = u->errors > 0 ? ZONED_EZONE : 0;
	if (rc == 0)
		rc = update_add_emptied_ancestors(u);
	if (rc == 0)
		rc = update_add_needed_ancestors(u);
	if (rc == 0)
		rc = update_decide_nodes(u, d);
	bool patched = false;
	if (rc == 0) {
		qsort(u->owners, u->owner_count, sizeof *u->owners, update_owner_compare);
		update_owner_slots_fill(u);
		rc = update_map_fill(u);
	}
	if (rc == 0)
		rc = update_collect_changes(u);
	if (rc == 0)
		rc = update_merge_nodes(u);
	if (rc == 0)
		rc = update_build_slots(u, &patched);
	if (rc == 0)
		rc = update_build_targets(u);
	if (rc == 0) {
		update_link_nodes(u);
		rc = update_finish_zone(u);
	}
	struct zone *zone = u->zone;
	if (rc == 0) {
		zone_build_free(zone->build);
		zone->build = NULL;
		update_check(u, d);
		if (d->errors != errors_before)
			rc = ZONED_EZONE;
	}
	if (rc != 0) {
		zone_update_abort(u);
		return rc;
	}
	/* The store's log now leads to this version. */
	struct zone_store *store = zone->store;
	free(store->last.changes);
	store->last.generation = zone->generation;
	store->last.slots_patched = patched;
	store->last.replaced_only = u->added + u->removed == 0;
	store->last.same_flags = u->same_flags;
	store->last.changes = u->changes;
	store->last.count = u->change_count;
	u->changes = NULL;
	*out = zone;
	atomic_store(&store->updating, false);
	update_free(u);
	return 0;
}
