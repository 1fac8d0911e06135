/*
 * nametree.c: build one zone's serving tree from loaded records. The build
 * has its own index (zone_build_find); nametree_finalize.c makes it ready
 * to serve, and the query path (nametree_lookup.c) only ever sees
 * finalized zones. A zone's memory (its store, arrays, holders) too.
 */
#include <config.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"

#include "nametree_internal.h"

int
zone_grow_array(void *array, size_t *capacity, size_t needed, size_t element_size)
{
	if (needed <= *capacity)
		return 0;
	size_t new_capacity = *capacity ? *capacity * 2 : 64;
	while (new_capacity < needed)
		new_capacity *= 2;
	void *grown = realloc(*(void **)array, new_capacity * element_size);
	if (grown == NULL)
		return ZONED_ENOMEM;
	*(void **)array = grown;
	*capacity = new_capacity;
	return 0;
}

/* Rebuilds the load-time chains with bucket_count heads (a power of two). */
int
zone_build_rehash(struct zone_build *build, uint32_t bucket_count)
{
	uint32_t *buckets = calloc(bucket_count, sizeof *buckets);
	if (buckets == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < build->node_count; i++) {
		uint32_t head = build->node_hashes[i] & (bucket_count - 1);
		build->node_next[i] = buckets[head];
		buckets[head] = (uint32_t)(i + 1);
	}
	free(build->buckets);
	build->buckets = buckets;
	build->bucket_mask = bucket_count - 1;
	return 0;
}

/* The number (index + 1) of the node for a lowercased name with that hash, or 0. */
static size_t
zone_build_find(const struct zone_build *build, const uint8_t *name, size_t name_length,
	uint32_t hash)
{
	for (uint32_t number = build->buckets[hash & build->bucket_mask]; number != 0;
		number = build->node_next[number - 1]) {
		const struct name_node *node = build->nodes[number - 1];
		if (build->node_hashes[number - 1] == hash && node->name_length == name_length
			&& memcmp(node->name, name, name_length) == 0)
			return number;
	}
	return 0;
}

/* Builds the serving index from the node list: 2/3 full at most. */
int
zone_build_slots(struct zone *zone)
{
	struct zone_build *build = zone->build;
	/* Every node exists now: the load-time chains go before the slots come (peak RSS). */
	free(build->node_next);
	free(build->buckets);
	build->node_next = build->buckets = NULL;
	build->bucket_mask = 0;
	uint32_t size = (uint32_t)(build->node_count + build->node_count / 2 + 1);
	struct zone_slot *slots = zone_array_file_create(&zone->store->slots_file,
		size * sizeof *slots);
	zone->slots_kind = slots != NULL ? ZONE_ARRAY_SHARED : ZONE_ARRAY_HEAP;
	if (slots == NULL)
		slots = calloc(size, sizeof *slots);
	if (slots == NULL)
		return ZONED_ENOMEM;
	/* Slots a few nodes ahead are asked for early: the misses overlap, not queue. */
	enum { AHEAD = 16 };
	for (size_t n = 0; n < build->node_count; n++) {
		if (n + AHEAD < build->node_count)
			__builtin_prefetch(&slots[zone_slot_start(build->node_hashes[n + AHEAD], size)], 1);
		uint32_t hash = build->node_hashes[n];
		uint32_t i = zone_slot_start(hash, size);
		while (slots[i].node != NULL)
			i = i + 1 == size ? 0 : i + 1;
		slots[i].hash = hash;
		slots[i].node = build->nodes[n];
	}
	zone->hash_slots = slots;
	zone->hash_size = size;
	free(build->node_hashes);
	build->node_hashes = NULL;
	return 0;
}

struct name_node *
zone_new_node(struct zone *zone, const uint8_t *name, size_t name_length, size_t rrset_count)
{
	struct name_node *node = arena_alloc(&zone->store->arena,
		name_node_rrsets_offset(name_length) + rrset_count * sizeof(struct rrset));
	if (node == NULL)
		return NULL;
	memset(node, 0, offsetof(struct name_node, name));
	memcpy(node->name, name, name_length);
	node->name_length = (uint8_t)name_length;
	node->label_count = (uint8_t)dname_label_count(name);
	return node;
}

/* Adds a new node to the load-time index. */
static int
zone_build_add_node(struct zone_build *build, struct name_node *node, uint32_t hash)
{
	size_t capacity = build->node_capacity;
	if (zone_grow_array(&build->nodes, &capacity, build->node_count + 1, sizeof *build->nodes) != 0)
		return ZONED_ENOMEM;
	capacity = build->node_capacity;
	if (zone_grow_array(&build->node_hashes, &capacity, build->node_count + 1,
		    sizeof *build->node_hashes) != 0)
		return ZONED_ENOMEM;
	capacity = build->node_capacity;
	if (zone_grow_array(&build->node_next, &capacity, build->node_count + 1,
		    sizeof *build->node_next) != 0)
		return ZONED_ENOMEM;
	build->node_capacity = capacity;
	size_t number = build->node_count++;
	uint32_t head = hash & build->bucket_mask;
	build->nodes[number] = node;
	build->node_hashes[number] = hash;
	build->node_next[number] = build->buckets[head];
	build->buckets[head] = (uint32_t)(number + 1);
	if (build->node_count > build->bucket_mask + 1)
		return zone_build_rehash(build, (build->bucket_mask + 1) * 2);
	return 0;
}

/* Returns the node for a lowercased name, creating it without data if needed; NULL when out of memory. */
struct name_node *
zone_get_node(struct zone *zone, const uint8_t *name, size_t name_length)
{
	struct zone_build *build = zone->build;
	uint32_t hash = name_hash(name, name_length);
	size_t number = zone_build_find(build, name, name_length, hash);
	if (number != 0)
		return build->nodes[number - 1];
	struct name_node *node = zone_new_node(zone, name, name_length, 0);
	if (node == NULL || zone_build_add_node(build, node, hash) != 0)
		return NULL;
	return node;
}

int
zone_build_start(struct zone *zone)
{
	zone->build = calloc(1, sizeof *zone->build);
	if (zone->build == NULL || zone_build_rehash(zone->build, 1024) != 0)
		return ZONED_ENOMEM;
	/*
	 * The pending rdata buffer exists from the start: records with empty
	 * rdata still take offsets into it, and NULL + 0 is undefined.
	 */
	return zone_grow_array(&zone->build->rdata, &zone->build->rdata_capacity, 1, 1);
}

struct zone *
zone_create(const uint8_t *origin, uint16_t zone_class)
{
	struct zone *zone = calloc(1, sizeof *zone);
	if (zone == NULL)
		return NULL;
	zone->store = calloc(1, sizeof *zone->store);
	if (zone->store == NULL) {
		free(zone);
		return NULL;
	}
	arena_init(&zone->store->arena, 0);
	atomic_init(&zone->store->versions, 1);
	atomic_init(&zone->store->live[0], 1);
	atomic_init(&zone->store->live[1], 0);
	atomic_init(&zone->store->updating, false);
	atomic_init(&zone->store->leftover, NULL);
	zone->store->nodes_file.fd = zone->store->slots_file.fd = -1;
	zone->links_offset = offsetof(struct name_node, links[0]);
	size_t origin_length = dname_length(origin);
	memcpy(zone->origin, origin, origin_length);
	dname_lower(zone->origin);
	zone->origin_length = (uint8_t)origin_length;
	zone->origin_labels = (uint8_t)dname_label_count(origin);
	zone->zone_class = zone_class;
	atomic_init(&zone->holders, 1);
	if (zone_build_start(zone) != 0)
		goto fail;
	zone->apex = zone_get_node(zone, zone->origin, origin_length);
	if (zone->apex == NULL)
		goto fail;
	zone_links_of(zone, zone->apex)->flags |= NODE_APEX;
	return zone;
fail:
	zone_free(zone);
	return NULL;
}

void
zone_build_free(struct zone_build *build)
{
	if (build == NULL)
		return;
	free(build->records);
	free(build->rdata);
	for (size_t i = 0; i < build->file_count; i++)
		free(build->files[i]);
	free(build->files);
	free(build->nodes);
	free(build->node_hashes);
	free(build->node_next);
	free(build->buckets);
	free(build);
}

/* Arrays from this size on go to memory files (smaller zones copy theirs quickly). */
size_t zone_array_file_min = 1024u * 1024;

void *
zone_array_file_create(struct zone_array_file *file, size_t bytes)
{
	file->fd = -1;
#ifdef MFD_CLOEXEC
	if (bytes < zone_array_file_min || bytes == 0)
		return NULL;
	int fd = memfd_create("zoned-zone-array", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	/* Populated at once: one call instead of a page fault per page as it is filled. */
	void *array = ftruncate(fd, (off_t)bytes) == 0
		? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0)
		: MAP_FAILED;
	if (array == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	file->fd = fd;
	file->bytes = bytes;
	return array;
#else
	(void)bytes;
	return NULL;
#endif
}

void *
zone_array_file_map(const struct zone_array_file *file)
{
	if (file->fd < 0)
		return NULL;
	/*
	 * Only the pages written are copied; the others stay the file's,
	 * mapped on first read (zone_update_prefault() maps them all once the
	 * version is served: filling the page table here took 1.5 ms of the
	 * first IXFR into the 1M-record benchmark zone).
	 */
	void *array = mmap(NULL, file->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, file->fd, 0);
	return array == MAP_FAILED ? NULL : array;
}

void
zone_array_release(void *array, uint8_t kind, const struct zone_array_file *file)
{
	if (array == NULL)
		return;
	if (kind == ZONE_ARRAY_HEAP)
		free(array);
	else
		munmap(array, file->bytes);
}

void
zone_leftover_free(struct zone_leftover *leftover)
{
	if (leftover == NULL)
		return;
	zone_array_release(leftover->hash_slots, leftover->slots_kind, &leftover->store->slots_file);
	zone_array_release(leftover->nodes, leftover->nodes_kind, &leftover->store->nodes_file);
	free(leftover);
}

/*
 * With another version of the store alive, zone's node array and index
 * go to the store for the next update to patch (zone_update.c): cheaper
 * than copying the base's, which a 1M-name zone's update would otherwise
 * spend most of its time on. Returns whether it took them.
 */
static bool
zone_store_keep_arrays(struct zone *zone)
{
	struct zone_store *store = zone->store;
	if (store == NULL || zone->hash_slots == NULL || zone->nodes == NULL
		|| atomic_load_explicit(&store->versions, memory_order_relaxed) < 2)
		return false;
	struct zone_leftover *leftover = malloc(sizeof *leftover);
	if (leftover == NULL)
		return false;
	*leftover = (struct zone_leftover){ zone->generation, zone->hash_slots, zone->hash_size,
		zone->nodes, zone->node_count, zone->nodes_kind, zone->slots_kind, store };
	/* The full build's mappings are never written: the next update maps the files privately. */
	if (zone->nodes_kind == ZONE_ARRAY_SHARED) {
		zone_array_release(zone->nodes, zone->nodes_kind, &store->nodes_file);
		leftover->nodes = NULL;
	}
	if (zone->slots_kind == ZONE_ARRAY_SHARED) {
		zone_array_release(zone->hash_slots, zone->slots_kind, &store->slots_file);
		leftover->hash_slots = NULL;
	}
	zone_leftover_free(atomic_exchange(&store->leftover, leftover));
	return true;
}

void
zone_store_release(struct zone_store *store, unsigned parity)
{
	if (store == NULL)
		return;
	atomic_fetch_sub_explicit(&store->live[parity], 1, memory_order_release);
	if (atomic_fetch_sub_explicit(&store->versions, 1, memory_order_release) != 1)
		return;
	atomic_thread_fence(memory_order_acquire);
	zone_leftover_free(atomic_load(&store->leftover));
	if (store->nodes_file.fd >= 0)
		close(store->nodes_file.fd);
	if (store->slots_file.fd >= 0)
		close(store->slots_file.fd);
	free(store->last.changes);
	arena_free(&store->arena);
	free(store);
}

void
zone_free(struct zone *zone)
{
	if (zone == NULL)
		return;
	zone_build_free(zone->build);
	free(zone->journal_path);
	if (!zone_store_keep_arrays(zone)) {
		const struct zone_store *store = zone->store;
		zone_array_release(zone->hash_slots, zone->slots_kind,
			store != NULL ? &store->slots_file : NULL);
		zone_array_release(zone->nodes, zone->nodes_kind,
			store != NULL ? &store->nodes_file : NULL);
	}
	free(zone->targets);
	free(zone->nsec3_nodes);
	free(zone->node_nsec3);
	zone_store_release(zone->store, zone_parity(zone));
	free(zone);
}

const struct zone *
zone_ref(const struct zone *zone)
{
	/* The count is no part of the contents: holders of a const zone change it. */
	struct zone *counted = (struct zone *)zone;
	/* Relaxed: the caller is a holder already, nothing is published by this. */
	atomic_fetch_add_explicit(&counted->holders, 1, memory_order_relaxed);
	return zone;
}

void
zone_unref(const struct zone *zone)
{
	if (zone == NULL)
		return;
	struct zone *counted = (struct zone *)zone;
	/* Release: this holder's reads happen before whichever holder frees. */
	if (atomic_fetch_sub_explicit(&counted->holders, 1, memory_order_release) != 1)
		return;
	atomic_thread_fence(memory_order_acquire);
	zone_free(counted);
}

int
zone_file_index(char ***files, size_t *count, const char *file)
{
	if (file == NULL)
		file = "";
	/* Records arrive file by file, so the last name is nearly always the one. */
	for (size_t i = *count; i > 0; i--) {
		if (strcmp((*files)[i - 1], file) == 0)
			return (int)(i - 1);
	}
	if (*count >= UINT16_MAX)
		return 0;
	char **grown = realloc(*files, (*count + 1) * sizeof *grown);
	if (grown == NULL)
		return -1;
	*files = grown;
	if ((grown[*count] = strdup(file)) == NULL)
		return -1;
	return (int)(*count)++;
}

/* Returns the index of file in build->files, adding it; -1 when out of memory. */
static int
zone_build_file_index(struct zone_build *build, const char *file)
{
	return zone_file_index(&build->files, &build->file_count, file);
}

/* Appends one record to the pending owner's list. */
static int
zone_build_push(struct zone_build *build, uint16_t type, uint32_t ttl, const uint8_t *rdata,
	uint16_t rdata_length, uint32_t line, uint16_t file_index, uint32_t sequence)
{
	if (zone_grow_array(&build->records, &build->record_capacity, build->record_count + 1,
		    sizeof *build->records) != 0
		|| zone_grow_array(&build->rdata, &build->rdata_capacity,
			build->rdata_length + rdata_length, 1) != 0)
		return ZONED_ENOMEM;
	struct pending_record *stored = &build->records[build->record_count++];
	stored->rdata_offset = (uint32_t)build->rdata_length;
	stored->rdata_length = rdata_length;
	stored->ttl = ttl;
	stored->type = type;
	stored->line = line;
	stored->file_index = file_index;
	stored->sequence = sequence;
	if (rdata_length > 0)
		memcpy(build->rdata + build->rdata_length, rdata, rdata_length);
	build->rdata_length += rdata_length;
	return 0;
}

/* Order: type, rdata as octet strings (RFC 4034 6.3), file order. */
static int
pending_record_compare(const void *a_pointer, const void *b_pointer, void *context)
{
	const struct pending_record *a = a_pointer, *b = b_pointer;
	const uint8_t *rdata = context;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	size_t shorter = a->rdata_length < b->rdata_length ? a->rdata_length : b->rdata_length;
	int diff = memcmp(rdata + a->rdata_offset, rdata + b->rdata_offset, shorter);
	if (diff != 0)
		return diff;
	if (a->rdata_length != b->rdata_length)
		return a->rdata_length < b->rdata_length ? -1 : 1;
	return a->sequence < b->sequence ? -1 : a->sequence > b->sequence;
}

static bool
pending_same_rdata(const struct zone_build *build, const struct pending_record *a,
	const struct pending_record *b)
{
	return a->rdata_length == b->rdata_length
		&& memcmp(build->rdata + a->rdata_offset, build->rdata + b->rdata_offset,
			   a->rdata_length) == 0;
}

/* The record of the group [first, end) read first: its TTL wins, as in BIND. */
static const struct pending_record *
pending_first_read(const struct pending_record *first, const struct pending_record *end)
{
	const struct pending_record *earliest = first;
	for (const struct pending_record *r = first + 1; r < end; r++) {
		if (r->sequence < earliest->sequence)
			earliest = r;
	}
	return earliest;
}

/* Builds the RRset for pending records [first, end), all of one type, into *rrset. */
static int
zone_build_rrset(struct zone *zone, const struct pending_record *first,
	const struct pending_record *end, struct rrset *rrset, struct diag *d)
{
	struct zone_build *build = zone->build;
	const struct pending_record *earliest = pending_first_read(first, end);
	size_t length = 0, count = 0;
	for (const struct pending_record *r = first; r < end; r++) {
		/*
		 * RRSIGs covering different types share our RRset but not their
		 * TTLs. A duplicate with another TTL is warned about too (BIND).
		 */
		if (r->ttl != earliest->ttl && r->type != RRTYPE_RRSIG && r->sequence != 0)
			diag_report(d, DIAG_WARNING, build->files[r->file_index], r->line,
				"TTL set to prior TTL (%u)", earliest->ttl);
		if (r > first && pending_same_rdata(build, r - 1, r))
			continue;  /* duplicate record: collapsed silently, as BIND does */
		length += 2 + r->rdata_length;
		count++;
	}
	if (count > UINT16_MAX) {
		diag_report(d, DIAG_ERROR, build->files[first->file_index], first->line,
			"too many records in one RRset");
		return ZONED_ELIMIT;
	}
	uint8_t *rdata = arena_alloc_unaligned(&zone->store->arena, length);
	if (rdata == NULL)
		return ZONED_ENOMEM;
	rrset->type = first->type;
	rrset->ttl = earliest->ttl;
	rrset->rr_count = (uint16_t)count;
	rrset->rdata_length = (uint32_t)length;
	rrset->target_base = 0;
	rrset->rdata = rdata;
	for (const struct pending_record *r = first; r < end; r++) {
		if (r > first && pending_same_rdata(build, r - 1, r))
			continue;
		rdata[0] = (uint8_t)(r->rdata_length >> 8);
		rdata[1] = (uint8_t)r->rdata_length;
		memcpy(rdata + 2, build->rdata + r->rdata_offset, r->rdata_length);
		rdata += 2 + r->rdata_length;
	}
	zone->record_count += count;
	return 0;
}

/*
 * An owner seen again after others (records not grouped in the file): its
 * RRsets go back into the pending list, as records read before all others,
 * and are rebuilt with the new ones. The old copies stay in the arena.
 */
static int
zone_build_reopen(struct zone *zone, const struct name_node *node)
{
	struct zone_build *build = zone->build;
	const struct rrset *rrsets = name_node_rrsets(node);
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		const struct rrset *rrset = &rrsets[i];
		const uint8_t *rr = rrset->rdata;
		for (uint16_t j = 0; j < rrset->rr_count; j++) {
			uint16_t rdata_length = (uint16_t)(rr[0] << 8 | rr[1]);
			if (zone_build_push(build, rrset->type, rrset->ttl, rr + 2, rdata_length,
				    0, 0, 0) != 0)
				return ZONED_ENOMEM;
			rr += 2 + rdata_length;
		}
		zone->record_count -= rrset->rr_count;
	}
	return 0;
}

int
zone_build_node(struct zone *zone, const uint8_t *name, size_t name_length, struct diag *d,
	struct name_node **out)
{
	struct zone_build *build = zone->build;
	struct pending_record *records = build->records;
	struct pending_record *end = records + build->record_count;
	qsort_r(records, build->record_count, sizeof *records, pending_record_compare,
		build->rdata);
	size_t type_count = build->record_count > 0;
	for (const struct pending_record *r = records + 1; r < end; r++)
		type_count += r->type != r[-1].type;
	/* The node first, then its rdata: one stretch of the arena. */
	struct name_node *node = zone_new_node(zone, name, name_length, type_count);
	if (node == NULL)
		return ZONED_ENOMEM;
	struct rrset *rrsets = (struct rrset *)name_node_rrsets(node);
	const struct pending_record *group = records;
	for (size_t i = 0; i < type_count; i++) {
		const struct pending_record *group_end = group + 1;
		while (group_end < end && group_end->type == group->type)
			group_end++;
		int status = zone_build_rrset(zone, group, group_end, &rrsets[i], d);
		if (status != 0)
			return status;
		group = group_end;
	}
	node->rrset_count = (uint16_t)type_count;
	build->record_count = 0;
	build->rdata_length = 0;
	*out = node;
	return 0;
}

int
zone_build_pend(struct zone *zone, const struct zone_record *record, uint32_t sequence)
{
	int file_index = zone_build_file_index(zone->build, record->file);
	if (file_index < 0)
		return ZONED_ENOMEM;
	return zone_build_push(zone->build, record->type, record->ttl, record->rdata,
		record->rdata_length, (uint32_t)record->line, (uint16_t)file_index, sequence);
}

/*
 * Turns the pending owner's records into its node: a new one holding its
 * sorted RRsets, which replaces the node it had, if any (an owner seen
 * again, or the apex made by zone_create()).
 */
int
zone_build_flush(struct zone *zone, struct diag *d)
{
	struct zone_build *build = zone->build;
	const uint8_t *name = build->pending_name;
	size_t name_length = build->pending_length;
	if (name_length == 0 || build->record_count == 0)
		return 0;
	uint32_t hash = name_hash(name, name_length);
	size_t number = zone_build_find(build, name, name_length, hash);
	const struct name_node *old = number != 0 ? build->nodes[number - 1] : NULL;
	if (old != NULL && old->rrset_count > 0 && zone_build_reopen(zone, old) != 0)
		return ZONED_ENOMEM;
	struct name_node *node;
	int status = zone_build_node(zone, name, name_length, d, &node);
	if (status != 0)
		return status;
	if (old == NULL)
		return zone_build_add_node(build, node, hash);
	/* Nothing links to nodes before finalize but these two. */
	zone_links_of(zone, node)->flags = node_flags(zone, old);
	build->nodes[number - 1] = node;
	if (old == zone->apex)
		zone->apex = node;
	return 0;
}

int
zone_add_record(struct zone *zone, const struct zone_record *record, struct diag *d)
{
	struct zone_build *build = zone->build;
	if (record->rr_class != zone->zone_class) {
		diag_report(d, DIAG_ERROR, record->file, record->line,
			"class %u != zone class %u", record->rr_class, zone->zone_class);
		return ZONED_EZONE;
	}
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length = dname_length(record->owner);
	memcpy(name, record->owner, name_length);
	dname_lower(name);
	if (!dname_is_subdomain(name, zone->origin)) {
		char text[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(record->owner, text, sizeof text);  /* BIND's form: no final dot */
		diag_report(d, DIAG_WARNING, record->file, record->line,
			"ignoring out-of-zone data (%s)", text);
		return 0;
	}
	if (build->pending_length != name_length
		|| memcmp(build->pending_name, name, name_length) != 0) {
		int status = zone_build_flush(zone, d);
		if (status != 0)
			return status;
		memcpy(build->pending_name, name, name_length);
		build->pending_length = name_length;
	}
	if (build->next_sequence == UINT32_MAX)
		return ZONED_ELIMIT;
	return zone_build_pend(zone, record, ++build->next_sequence);
}
