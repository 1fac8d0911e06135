/*
 * zone_diff.c: the difference between two versions of a zone, by a merge
 * of their canonically sorted nodes, RRsets (sorted by type) and records
 * (sorted as octet strings, RFC 4034 6.3): each step compares the two
 * heads and emits the one that sorts first when it has no equal.
 */
#include <stdbool.h>
#include <string.h>

#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_diff.h"

#include "nametree_internal.h"

struct diff_walk {
	const struct zone *old;
	const struct zone *new;
	zone_diff_emit *emit;
	void *arg;
};

/* Both zones order rdata so (nametree.c): octet by octet, a prefix first. */
static int
diff_rdata_compare(const uint8_t *a, uint16_t a_length, const uint8_t *b, uint16_t b_length)
{
	size_t shorter = a_length < b_length ? a_length : b_length;
	int c = shorter > 0 ? memcmp(a, b, shorter) : 0;
	if (c != 0)
		return c;
	return a_length < b_length ? -1 : a_length > b_length;
}

static int
diff_emit_one(struct diff_walk *walk, enum zone_diff_side side, const uint8_t *owner,
	const struct rrset *rrset, const uint8_t *rdata, uint16_t length)
{
	struct zone_diff_record record = { owner, rrset->type, rrset->ttl, rdata, length };
	return walk->emit(walk->arg, side, &record);
}

/* Every record of rrset, on one side. */
static int
diff_emit_rrset(struct diff_walk *walk, enum zone_diff_side side, const uint8_t *owner,
	const struct rrset *rrset)
{
	struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		int rc = diff_emit_one(walk, side, owner, rrset, rdata, length);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The records of two RRsets of one owner and type, same TTL: a merge. */
static int
diff_rrset_records(struct diff_walk *walk, const uint8_t *owner, const struct rrset *a,
	const struct rrset *b)
{
	struct rdata_cursor ca = rdata_cursor_start(a->rdata, a->rdata_length);
	struct rdata_cursor cb = rdata_cursor_start(b->rdata, b->rdata_length);
	const uint8_t *ra = NULL, *rb = NULL;
	uint16_t la = 0, lb = 0;
	bool has_a = rdata_cursor_next(&ca, &ra, &la), has_b = rdata_cursor_next(&cb, &rb, &lb);
	int rc = 0;
	while (rc == 0 && (has_a || has_b)) {
		int c = !has_a ? 1 : !has_b ? -1 : diff_rdata_compare(ra, la, rb, lb);
		if (c < 0)
			rc = diff_emit_one(walk, ZONE_DIFF_DELETED, owner, a, ra, la);
		else if (c > 0)
			rc = diff_emit_one(walk, ZONE_DIFF_ADDED, owner, b, rb, lb);
		if (c <= 0)
			has_a = rdata_cursor_next(&ca, &ra, &la);
		if (c >= 0)
			has_b = rdata_cursor_next(&cb, &rb, &lb);
	}
	return rc;
}

/* One side's RRset, unless it is that zone's apex SOA (the caller's). */
static int
diff_emit_unless_soa(struct diff_walk *walk, enum zone_diff_side side, const uint8_t *owner,
	const struct rrset *rrset)
{
	const struct zone *zone = side == ZONE_DIFF_DELETED ? walk->old : walk->new;
	return rrset == zone->soa ? 0 : diff_emit_rrset(walk, side, owner, rrset);
}

/* Two RRsets of the same owner and type. */
static int
diff_rrset_pair(struct diff_walk *walk, const uint8_t *owner, const struct rrset *a,
	const struct rrset *b)
{
	if (a == walk->old->soa || b == walk->new->soa)
		return 0;
	if (a->rdata_length == b->rdata_length && a->ttl == b->ttl
		&& (a->rdata == b->rdata || memcmp(a->rdata, b->rdata, a->rdata_length) == 0))
		return 0;
	if (a->ttl == b->ttl)
		return diff_rrset_records(walk, owner, a, b);
	int rc = diff_emit_rrset(walk, ZONE_DIFF_DELETED, owner, a);
	return rc != 0 ? rc : diff_emit_rrset(walk, ZONE_DIFF_ADDED, owner, b);
}

/* Two nodes of the same name (either may be NULL: the name is on one side only). */
static int
diff_node_pair(struct diff_walk *walk, const struct name_node *a, const struct name_node *b)
{
	const struct rrset *sa = a != NULL ? name_node_rrsets(a) : NULL;
	const struct rrset *sb = b != NULL ? name_node_rrsets(b) : NULL;
	size_t na = a != NULL ? a->rrset_count : 0, nb = b != NULL ? b->rrset_count : 0;
	const uint8_t *owner = a != NULL ? a->name : b->name;
	size_t i = 0, j = 0;
	int rc = 0;
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1
			: sa[i].type < sb[j].type ? -1 : sa[i].type > sb[j].type;
		if (c < 0)
			rc = diff_emit_unless_soa(walk, ZONE_DIFF_DELETED, owner, &sa[i++]);
		else if (c > 0)
			rc = diff_emit_unless_soa(walk, ZONE_DIFF_ADDED, owner, &sb[j++]);
		else
			rc = diff_rrset_pair(walk, owner, &sa[i++], &sb[j++]);
	}
	return rc;
}

/* Two canonically sorted node arrays, merged. */
static int
diff_node_arrays(struct diff_walk *walk, struct name_node *const *a, size_t na,
	struct name_node *const *b, size_t nb)
{
	size_t i = 0, j = 0;
	int rc = 0;
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1
			: a[i] == b[j] ? 0 : dname_compare_canonical(a[i]->name, b[j]->name);
		if (c < 0)
			rc = diff_node_pair(walk, a[i++], NULL);
		else if (c > 0)
			rc = diff_node_pair(walk, NULL, b[j++]);
		else {
			/* A node shared by both versions (same pointer) cannot differ. */
			if (a[i] != b[j])
				rc = diff_node_pair(walk, a[i], b[j]);
			i++;
			j++;
		}
	}
	return rc;
}

/*
 * When new is the version a zone_update made from old, the store still
 * holds that update's changes (canonical order, old and new node of each
 * name): only those nodes can differ. A 1-record IXFR into the 1M-record
 * benchmark zone then journals without walking 524k nodes (three walks:
 * the count, the deletions, the additions). Updates and journalling run
 * on the same thread, one after the other, so the log cannot move on
 * during the walk. Returns false when the log does not lead from old to new.
 */
static bool
diff_walk_changes(struct diff_walk *walk, int *rc)
{
	const struct zone *old = walk->old, *new = walk->new;
	const struct zone_store *store = new->store;
	if (store == NULL || old->store != store || new->generation != old->generation + 1
		|| store->last.generation != new->generation || store->last.changes == NULL
		|| old->nsec3_count + new->nsec3_count > 0)
		return false;
	*rc = 0;
	for (size_t i = 0; *rc == 0 && i < store->last.count; i++)
		*rc = diff_node_pair(walk, store->last.changes[i].old, store->last.changes[i].new);
	return true;
}

int
zone_diff_walk(const struct zone *old, const struct zone *new, zone_diff_emit *emit,
	void *arg)
{
	struct diff_walk walk = { old, new, emit, arg };
	if (old == new)
		return 0;
	int rc;
	if (diff_walk_changes(&walk, &rc))
		return rc;
	rc = diff_node_arrays(&walk, old->nodes, old->node_count, new->nodes, new->node_count);
	if (rc == 0)
		rc = diff_node_arrays(&walk, old->nsec3_nodes, old->nsec3_count, new->nsec3_nodes,
			new->nsec3_count);
	return rc;
}

static int
on_diff_count(void *arg, enum zone_diff_side side, const struct zone_diff_record *record)
{
	struct zone_diff_count *count = arg;
	if (side == ZONE_DIFF_DELETED)
		count->deleted++;
	else
		count->added++;
	return 0;
}

struct zone_diff_count
zone_diff_count(const struct zone *old, const struct zone *new)
{
	struct zone_diff_count count = { 0, 0 };
	zone_diff_walk(old, new, on_diff_count, &count);
	return count;
}

uint64_t
zone_diff_node_wire_size(const struct name_node *node)
{
	uint64_t size = 0;
	const struct rrset *rrsets = name_node_rrsets(node);
	for (uint16_t r = 0; r < node->rrset_count; r++) {
		/* Each record: owner, type, class, TTL, rdlength (counted in rdata_length). */
		size += (uint64_t)rrsets[r].rr_count * (node->name_length + 8u)
			+ rrsets[r].rdata_length;
	}
	return size;
}

static uint64_t
diff_nodes_wire_size(struct name_node *const *nodes, size_t count)
{
	uint64_t size = 0;
	for (size_t i = 0; i < count; i++)
		size += zone_diff_node_wire_size(nodes[i]);
	return size;
}

uint64_t
zone_diff_wire_size(const struct zone *zone)
{
	/* Measured once per version (journal_attach()), or carried over by zone_update. */
	if (zone->wire_size != 0)
		return zone->wire_size;
	return diff_nodes_wire_size(zone->nodes, zone->node_count)
		+ diff_nodes_wire_size(zone->nsec3_nodes, zone->nsec3_count);
}
