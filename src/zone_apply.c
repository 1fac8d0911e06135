/*
 * zone_apply.c: new zone versions from transfers. A full transfer's
 * records go through the same zone_add_record(), zone_finalize() and zone
 * checks as a zone file's; an incremental one is applied to the records
 * of the version served, off to the side, and the result built the same
 * way, so the version served never changes under a query.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_check.h"

int
zone_apply_build(const uint8_t *origin, const struct xfr_rrlist *records,
	const char *source, size_t max_records, struct diag *d, struct zone **out)
{
	*out = NULL;
	if (max_records != 0 && records->count > max_records) {
		diag_report(d, DIAG_ERROR, source, 0, "too many records (limit %zu)", max_records);
		return ZONED_ELIMIT;
	}
	struct zone *zone = zone_create(origin, RRCLASS_IN);
	if (zone == NULL)
		return ZONED_ENOMEM;
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	unsigned long errors_before = d->errors;
	size_t offset = 0;
	struct xfr_rr rr;
	int rc = 0;
	for (unsigned long line = 1; rc == 0 && xfr_rrlist_next(records, &offset, &rr); line++) {
		struct zone_record record = {
			.owner = rr.owner, .type = rr.type, .rr_class = rr.rr_class, .ttl = rr.ttl,
			.rdata = rr.rdata, .rdata_length = rr.rdata_length,
			.file = source, .line = line,
		};
		zone_check_record(zone, &record, &modes, d);
		rc = zone_add_record(zone, &record, d);
	}
	if (rc == 0 && d->errors == errors_before) {
		rc = zone_finalize(zone, d);
		if (rc == 0 && zone_check_zone(zone, &modes, d) == 0)
			zone_check_denial(zone, &modes, NULL, d);
	}
	if (rc == 0 && d->errors != errors_before)
		rc = ZONED_EZONE;
	if (rc != 0) {
		zone_free(zone);
		return rc;
	}
	*out = zone;
	return 0;
}

/* ---- incremental ---- */

/*
 * rdata with the names in it lowercased (RFC 4034 6.2's canonical form,
 * for every type whose fields zoned knows): what two records must share
 * to be the same record (RFC 2181 5: TTL aside). Returns the length.
 */
static size_t
zone_apply_canonical(uint16_t type, const uint8_t *rdata, size_t length, uint8_t *out)
{
	memcpy(out, rdata, length);
	const struct rrtype_info *info = rrtype_info(type);
	size_t offset = 0;
	for (size_t i = 0; i < RRTYPE_FIELDS_MAX && info->fields[i] != RRTYPE_FIELD_END; i++) {
		enum rrtype_field field = (enum rrtype_field)info->fields[i];
		size_t field_length = rrtype_field_length(field, out, length, offset);
		if (field_length == RRTYPE_FIELD_BAD)
			break;
		if (field == RRTYPE_FIELD_NAME || field == RRTYPE_FIELD_NAME_COMPRESSED)
			dname_lower(out + offset);
		offset += field_length;
	}
	return length;
}

/* FNV-1a over a record's identity: owner (lowercased), type, canonical rdata. */
static uint64_t
zone_apply_hash(const uint8_t *owner, size_t owner_length, uint16_t type,
	const uint8_t *canonical, size_t length)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < owner_length; i++) {
		uint8_t c = owner[i];
		hash = (hash ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 0x100000001b3ull;
	}
	hash = (hash ^ type) * 0x100000001b3ull;
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ canonical[i]) * 0x100000001b3ull;
	return hash;
}

/* One deletion, indexed for the walk over the version's records. */
struct zone_apply_deletion {
	uint64_t hash;
	struct xfr_rr rr;           /* points into the diff */
	bool used;
};

struct zone_apply_index {
	struct zone_apply_deletion *items;
	size_t count;
	size_t *slots;              /* index + 1; 0: empty */
	size_t size;                /* power of two */
};

static bool
zone_apply_same(const struct xfr_rr *a, const uint8_t *owner, size_t owner_length,
	uint16_t type, const uint8_t *canonical, size_t length)
{
	if (a->type != type || a->owner_length != owner_length || a->rdata_length != length)
		return false;
	uint8_t x[DNAME_MAX_LENGTH], y[DNAME_MAX_LENGTH];
	memcpy(x, a->owner, owner_length);
	memcpy(y, owner, owner_length);
	dname_lower(x);
	dname_lower(y);
	if (!dname_equal(x, y))
		return false;
	static _Thread_local uint8_t other[UINT16_MAX];
	zone_apply_canonical(a->type, a->rdata, a->rdata_length, other);
	return memcmp(other, canonical, length) == 0;
}

/* The deletions of diff (its first record, the old SOA, aside), hashed. */
static int
zone_apply_index_build(struct zone_apply_index *index, const struct xfr_diff *diff)
{
	memset(index, 0, sizeof *index);
	index->items = calloc(diff->deleted.count ? diff->deleted.count : 1, sizeof *index->items);
	index->size = 16;
	while (index->size < diff->deleted.count * 2)
		index->size *= 2;
	index->slots = calloc(index->size, sizeof *index->slots);
	if (index->items == NULL || index->slots == NULL)
		return ZONED_ENOMEM;
	static _Thread_local uint8_t canonical[UINT16_MAX];
	size_t offset = 0;
	struct xfr_rr rr;
	while (xfr_rrlist_next(&diff->deleted, &offset, &rr)) {
		struct zone_apply_deletion *item = &index->items[index->count];
		item->rr = rr;
		size_t length = zone_apply_canonical(rr.type, rr.rdata, rr.rdata_length, canonical);
		item->hash = zone_apply_hash(rr.owner, rr.owner_length, rr.type, canonical, length);
		size_t slot = item->hash & (index->size - 1);
		while (index->slots[slot] != 0)
			slot = (slot + 1) & (index->size - 1);
		index->slots[slot] = ++index->count;
	}
	return 0;
}

/* Marks and returns the unused deletion matching the record, or NULL. */
static struct zone_apply_deletion *
zone_apply_index_take(struct zone_apply_index *index, const struct xfr_rr *rr)
{
	static _Thread_local uint8_t canonical[UINT16_MAX];
	size_t length = zone_apply_canonical(rr->type, rr->rdata, rr->rdata_length, canonical);
	uint64_t hash = zone_apply_hash(rr->owner, rr->owner_length, rr->type, canonical, length);
	for (size_t slot = hash & (index->size - 1); index->slots[slot] != 0;
		slot = (slot + 1) & (index->size - 1)) {
		struct zone_apply_deletion *item = &index->items[index->slots[slot] - 1];
		if (item->hash == hash && !item->used
		    && zone_apply_same(&item->rr, rr->owner, rr->owner_length, rr->type,
			    canonical, length)) {
			item->used = true;
			return item;
		}
	}
	return NULL;
}

/* Every record of a finalized zone into list (owners lowercased). */
static int
zone_apply_collect(const struct zone *zone, struct xfr_rrlist *list)
{
	for (int pass = 0; pass < 2; pass++) {
		struct name_node **nodes = pass == 0 ? zone->nodes : zone->nsec3_nodes;
		size_t count = pass == 0 ? zone->node_count : zone->nsec3_count;
		for (size_t i = 0; i < count; i++) {
			const struct name_node *node = nodes[i];
			const struct rrset *rrsets = name_node_rrsets(node);
			for (uint16_t r = 0; r < node->rrset_count; r++) {
				struct xfr_rr rr = { .owner = node->name, .owner_length = node->name_length,
					.type = rrsets[r].type, .rr_class = zone->zone_class,
					.ttl = rrsets[r].ttl };
				struct rdata_cursor cursor = rdata_cursor_start(rrsets[r].rdata,
					rrsets[r].rdata_length);
				while (rdata_cursor_next(&cursor, &rr.rdata, &rr.rdata_length)) {
					if (xfr_rrlist_add(list, &rr) != 0)
						return ZONED_ENOMEM;
				}
			}
		}
	}
	return 0;
}

/* Reports the first deletion that matched nothing. */
static int
zone_apply_report_unused(const struct zone_apply_index *index, const struct xfr_diff *diff,
	const char *source, struct diag *d)
{
	for (size_t i = 0; i < index->count; i++) {
		if (index->items[i].used)
			continue;
		char owner[DNAME_MAX_LENGTH * 4 + 1], type[RRTYPE_TEXT_MAX];
		dname_format(index->items[i].rr.owner, owner, sizeof owner);
		diag_report(d, DIAG_ERROR, source, 0, "IXFR from serial %lu deletes %s %s, which "
			"the zone does not have", (unsigned long)diff->from_serial, owner,
			rrtype_to_text(index->items[i].rr.type, type));
		return ZONED_EINVAL;
	}
	return 0;
}

/* One sequence: from's records minus its deletions plus its additions, into to. */
static int
zone_apply_one(const struct xfr_rrlist *from, const struct xfr_diff *diff, const char *source,
	struct diag *d, struct xfr_rrlist *to)
{
	struct zone_apply_index index;
	int rc = zone_apply_index_build(&index, diff);
	size_t offset = 0;
	struct xfr_rr rr;
	while (rc == 0 && xfr_rrlist_next(from, &offset, &rr)) {
		if (zone_apply_index_take(&index, &rr) == NULL)
			rc = xfr_rrlist_add(to, &rr);
	}
	if (rc == 0)
		rc = zone_apply_report_unused(&index, diff, source, d);
	offset = 0;
	while (rc == 0 && xfr_rrlist_next(&diff->added, &offset, &rr))
		rc = xfr_rrlist_add(to, &rr);
	free(index.items);
	free(index.slots);
	return rc;
}

int
zone_apply_diffs(const struct zone *old, const struct xfr_diff *diffs, size_t count,
	const char *source, size_t max_records, struct diag *d, struct zone **out)
{
	*out = NULL;
	struct xfr_rrlist current = { 0 };
	int rc = zone_apply_collect(old, &current);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		struct xfr_rrlist next = { 0 };
		rc = zone_apply_one(&current, &diffs[i], source, d, &next);
		xfr_rrlist_free(&current);
		current = next;
	}
	if (rc == 0)
		rc = zone_apply_build(old->origin, &current, source, max_records, d, out);
	xfr_rrlist_free(&current);
	return rc;
}
