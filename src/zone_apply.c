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
#include "zoned/zone_update.h"

/* A version being built: the zone, the checks' modes and where the errors started. */
struct zone_apply_builder {
	struct zone *zone;
	struct zone_check_modes modes;
	unsigned long errors_before;
	unsigned long line;
	const char *source;
	struct diag *d;
};

static int
zone_apply_begin(struct zone_apply_builder *b, const uint8_t *origin, const char *source,
	struct diag *d)
{
	b->zone = zone_create(origin, RRCLASS_IN);
	if (b->zone == NULL)
		return ZONED_ENOMEM;
	zone_check_modes_default(&b->modes);
	b->errors_before = d->errors;
	b->line = 0;
	b->source = source;
	b->d = d;
	return 0;
}

/* One record, checked as the loader checks a record it reads. */
static int
zone_apply_add(struct zone_apply_builder *b, const struct xfr_rr *rr)
{
	struct zone_record record = {
		.owner = rr->owner, .type = rr->type, .rr_class = rr->rr_class, .ttl = rr->ttl,
		.rdata = rr->rdata, .rdata_length = rr->rdata_length,
		.file = b->source, .line = ++b->line,
	};
	zone_check_record(b->zone, &record, &b->modes, b->d);
	return zone_add_record(b->zone, &record, b->d);
}

/* More records than max_records (0: no limit): reported, ZONED_ELIMIT. */
static int
zone_apply_limit(const struct zone_apply_builder *b, size_t records, size_t max_records)
{
	if (max_records == 0 || records <= max_records)
		return 0;
	diag_report(b->d, DIAG_ERROR, b->source, 0, "too many records (limit %zu)", max_records);
	return ZONED_ELIMIT;
}

/* Finalizes and checks the zone (as zone_load.c does); *out only without errors. */
static int
zone_apply_end(struct zone_apply_builder *b, int rc, size_t max_records, struct zone **out)
{
	struct diag *d = b->d;
	if (rc == 0)
		rc = zone_apply_limit(b, b->line, max_records);
	if (rc == 0 && d->errors == b->errors_before) {
		rc = zone_finalize(b->zone, d);
		if (rc == 0 && zone_check_zone(b->zone, &b->modes, d) == 0)
			zone_check_denial(b->zone, &b->modes, NULL, d);
	}
	if (rc == 0 && d->errors != b->errors_before)
		rc = ZONED_EZONE;
	if (rc != 0) {
		zone_free(b->zone);
		return rc;
	}
	*out = b->zone;
	return 0;
}

/* A whole zone's records, as they come (zone_apply_stream_*). */
struct zone_apply_stream {
	struct zone_apply_builder builder;
	size_t max_records;
};

struct zone_apply_stream *
zone_apply_stream_begin(const uint8_t *origin, const char *source, size_t max_records,
	struct diag *d)
{
	struct zone_apply_stream *stream = malloc(sizeof *stream);
	if (stream == NULL)
		return NULL;
	if (zone_apply_begin(&stream->builder, origin, source, d) != 0) {
		free(stream);
		return NULL;
	}
	stream->max_records = max_records;
	return stream;
}

int
zone_apply_stream_add(struct zone_apply_stream *stream, const struct xfr_rrlist *records)
{
	struct zone_apply_builder *b = &stream->builder;
	/* Stop at the first batch over the limit: the rest would be built for nothing. */
	int rc = zone_apply_limit(b, b->line + records->count, stream->max_records);
	size_t offset = 0;
	struct xfr_rr rr;
	while (rc == 0 && xfr_rrlist_next(records, &offset, &rr))
		rc = zone_apply_add(b, &rr);
	return rc;
}

int
zone_apply_stream_end(struct zone_apply_stream *stream, int rc, struct zone **out)
{
	*out = NULL;
	rc = zone_apply_end(&stream->builder, rc, stream->max_records, out);
	free(stream);
	return rc;
}

int
zone_apply_build(const uint8_t *origin, const struct xfr_rrlist *records,
	const char *source, size_t max_records, struct diag *d, struct zone **out)
{
	*out = NULL;
	struct zone_apply_stream *stream = zone_apply_stream_begin(origin, source, max_records, d);
	if (stream == NULL)
		return ZONED_ENOMEM;
	return zone_apply_stream_end(stream, zone_apply_stream_add(stream, records), out);
}

/* ---- incremental ---- */

size_t
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

/* Whether a (from a sequence) is the same record as the other (owner any case, canonical rdata). */
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

/*
 * A set of records from the difference sequences (pointing into them),
 * hashed by identity; each may be taken once.
 */
struct zone_apply_item {
	uint64_t hash;
	struct xfr_rr rr;
	bool taken;
};

struct zone_apply_set {
	struct zone_apply_item *items;
	size_t count;
	size_t *slots;              /* index + 1; 0: empty */
	size_t size;                /* power of two, over twice the most items */
};

static int
zone_apply_set_init(struct zone_apply_set *set, size_t most)
{
	memset(set, 0, sizeof *set);
	set->size = 16;
	while (set->size < most * 2)
		set->size *= 2;
	set->items = calloc(most ? most : 1, sizeof *set->items);
	set->slots = calloc(set->size, sizeof *set->slots);
	return set->items == NULL || set->slots == NULL ? ZONED_ENOMEM : 0;
}

static void
zone_apply_set_free(struct zone_apply_set *set)
{
	free(set->items);
	free(set->slots);
}

static uint64_t
zone_apply_rr_hash(const struct xfr_rr *rr, uint8_t *canonical, size_t *length)
{
	*length = zone_apply_canonical(rr->type, rr->rdata, rr->rdata_length, canonical);
	return zone_apply_hash(rr->owner, rr->owner_length, rr->type, canonical, *length);
}

static void
zone_apply_set_add(struct zone_apply_set *set, const struct xfr_rr *rr)
{
	static _Thread_local uint8_t canonical[UINT16_MAX];
	size_t length;
	struct zone_apply_item *item = &set->items[set->count];
	item->rr = *rr;
	item->taken = false;
	item->hash = zone_apply_rr_hash(rr, canonical, &length);
	size_t slot = item->hash & (set->size - 1);
	while (set->slots[slot] != 0)
		slot = (slot + 1) & (set->size - 1);
	set->slots[slot] = ++set->count;
}

/* Takes the first untaken item that is the same record as rr; false when none. */
static bool
zone_apply_set_take(struct zone_apply_set *set, const struct xfr_rr *rr)
{
	static _Thread_local uint8_t canonical[UINT16_MAX];
	size_t length;
	uint64_t hash = zone_apply_rr_hash(rr, canonical, &length);
	for (size_t slot = hash & (set->size - 1); set->slots[slot] != 0;
		slot = (slot + 1) & (set->size - 1)) {
		struct zone_apply_item *item = &set->items[set->slots[slot] - 1];
		if (item->hash == hash && !item->taken
		    && zone_apply_same(&item->rr, rr->owner, rr->owner_length, rr->type,
			    canonical, length)) {
			item->taken = true;
			return true;
		}
	}
	return false;
}

/*
 * The sequences folded into one change of the old version: a deletion of
 * a record an earlier sequence added cancels that addition; any other
 * deletion is of the old version's records (removed).
 */
static int
zone_apply_fold(const struct xfr_diff *diffs, size_t count, struct zone_apply_set *removed,
	struct zone_apply_set *added)
{
	size_t deletions = 0, additions = 0;
	memset(added, 0, sizeof *added);
	for (size_t i = 0; i < count; i++) {
		deletions += diffs[i].deleted.count;
		additions += diffs[i].added.count;
	}
	int rc = zone_apply_set_init(removed, deletions);
	if (rc == 0)
		rc = zone_apply_set_init(added, additions);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		size_t offset = 0;
		struct xfr_rr rr;
		while (xfr_rrlist_next(&diffs[i].deleted, &offset, &rr)) {
			if (!zone_apply_set_take(added, &rr))
				zone_apply_set_add(removed, &rr);
		}
		offset = 0;
		while (xfr_rrlist_next(&diffs[i].added, &offset, &rr))
			zone_apply_set_add(added, &rr);
	}
	return rc;
}

/* The old version's records into b, but those removed. */
static int
zone_apply_keep(struct zone_apply_builder *b, const struct zone *old,
	struct zone_apply_set *removed)
{
	for (int pass = 0; pass < 2; pass++) {
		struct name_node **nodes = pass == 0 ? old->nodes : old->nsec3_nodes;
		size_t count = pass == 0 ? old->node_count : old->nsec3_count;
		for (size_t i = 0; i < count; i++) {
			const struct name_node *node = nodes[i];
			const struct rrset *rrsets = name_node_rrsets(node);
			for (uint16_t r = 0; r < node->rrset_count; r++) {
				struct xfr_rr rr = { .owner = node->name, .owner_length = node->name_length,
					.type = rrsets[r].type, .rr_class = old->zone_class,
					.ttl = rrsets[r].ttl };
				struct rdata_cursor cursor = rdata_cursor_start(rrsets[r].rdata,
					rrsets[r].rdata_length);
				while (rdata_cursor_next(&cursor, &rr.rdata, &rr.rdata_length)) {
					if (zone_apply_set_take(removed, &rr))
						continue;
					int rc = zone_apply_add(b, &rr);
					if (rc != 0)
						return rc;
				}
			}
		}
	}
	return 0;
}

/* Reports a deletion that matched nothing: the versions differ. */
static void
zone_apply_report_missing(const struct xfr_rr *rr, const char *source, struct diag *d)
{
	char owner[DNAME_MAX_LENGTH * 4 + 1], type[RRTYPE_TEXT_MAX];
	dname_format(rr->owner, owner, sizeof owner);
	diag_report(d, DIAG_ERROR, source, 0, "IXFR deletes %s %s, which the zone does "
		"not have", owner, rrtype_to_text(rr->type, type));
}

/* Reports the first deletion that matched nothing: the versions differ. */
static int
zone_apply_report_unused(const struct zone_apply_set *removed, const char *source,
	struct diag *d)
{
	for (size_t i = 0; i < removed->count; i++) {
		if (removed->items[i].taken)
			continue;
		zone_apply_report_missing(&removed->items[i].rr, source, d);
		return ZONED_EINVAL;
	}
	return 0;
}

/* One sequence's deletions or additions into u, numbered from *line on. */
static int
zone_apply_list(struct zone_update *u, const struct xfr_rrlist *list, bool deleting,
	const char *source, unsigned long *line, struct diag *d)
{
	size_t offset = 0;
	struct xfr_rr rr;
	while (xfr_rrlist_next(list, &offset, &rr)) {
		struct zone_record record = {
			.owner = rr.owner, .type = rr.type, .rr_class = rr.rr_class, .ttl = rr.ttl,
			.rdata = rr.rdata, .rdata_length = rr.rdata_length,
			.file = source, .line = ++*line,
		};
		/* A deletion's own message is the IXFR's: the update reports nothing. */
		int rc = deleting ? zone_update_delete(u, &record, NULL)
			: zone_update_add(u, &record, d);
		if (rc == ZONED_EINVAL && deleting)
			zone_apply_report_missing(&rr, source, d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * The sequences applied in order to a version sharing old's unchanged
 * nodes (zone_update.h): only the changed owners are built, the rest is
 * old's. ZONED_ECANCELED (nothing reported) when old cannot be shared now:
 * the caller builds in full.
 */
static int
zone_apply_update(const struct zone *old, const struct xfr_diff *diffs, size_t count,
	const char *source, size_t max_records, struct diag *d, struct zone **out)
{
	struct zone_update *u = zone_update_begin(old);
	if (u == NULL)
		return ZONED_ECANCELED;
	unsigned long line = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < count; i++) {
		rc = zone_apply_list(u, &diffs[i].deleted, true, source, &line, d);
		if (rc == 0)
			rc = zone_apply_list(u, &diffs[i].added, false, source, &line, d);
	}
	if (rc != 0) {
		zone_update_abort(u);
		return rc;
	}
	rc = zone_update_commit(u, d, out);
	if (rc == 0 && max_records != 0 && (*out)->record_count > max_records) {
		diag_report(d, DIAG_ERROR, source, 0, "too many records (limit %zu)", max_records);
		zone_free(*out);
		*out = NULL;
		rc = ZONED_ELIMIT;
	}
	return rc;
}

int
zone_apply_diffs(const struct zone *old, const struct xfr_diff *diffs, size_t count,
	const char *source, size_t max_records, struct diag *d, struct zone **out)
{
	*out = NULL;
	int shared = zone_apply_update(old, diffs, count, source, max_records, d, out);
	if (shared != ZONED_ECANCELED)
		return shared;
	struct zone_apply_set removed, added;
	int rc = zone_apply_fold(diffs, count, &removed, &added);
	/* Straight from the old version into the new one: no copy of the records between. */
	struct zone_apply_builder b;
	bool building = rc == 0 && (rc = zone_apply_begin(&b, old->origin, source, d)) == 0;
	if (building)
		rc = zone_apply_keep(&b, old, &removed);
	if (rc == 0)
		rc = zone_apply_report_unused(&removed, source, d);
	for (size_t i = 0; rc == 0 && i < added.count; i++) {
		if (!added.items[i].taken)
			rc = zone_apply_add(&b, &added.items[i].rr);
	}
	if (building)
		rc = zone_apply_end(&b, rc, max_records, out);
	zone_apply_set_free(&removed);
	zone_apply_set_free(&added);
	return rc;
}
