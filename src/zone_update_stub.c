/*
 * zone_update_stub.c: stands in for zone_update.c (branch versions) until
 * it is merged: the same API, built the slow way (every record of the
 * base copied into a fresh zone, nothing shared), so that the reload side
 * can be written and tested against it. Removed by the merge of versions.
 */
#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_check.h"
#include "zoned/zone_update.h"

struct zone_update {
	const struct zone *base;
	struct zone *zone;
	uint8_t (*replaced)[DNAME_MAX_LENGTH];
	size_t replaced_count, replaced_capacity;
	struct zone_check_modes modes;
	int failure;
};

struct zone_update *
zone_update_begin(const struct zone *base)
{
	struct zone_update *u = calloc(1, sizeof *u);
	if (u == NULL)
		return NULL;
	u->base = base;
	u->zone = zone_create(base->origin, base->zone_class);
	if (u->zone == NULL) {
		free(u);
		return NULL;
	}
	zone_check_modes_default(&u->modes);
	return u;
}

int
zone_update_set_owner(struct zone_update *u, const uint8_t *owner,
	const struct zone_record *records, size_t count, struct diag *d)
{
	if (u->replaced_count == u->replaced_capacity) {
		size_t capacity = u->replaced_capacity ? u->replaced_capacity * 2 : 16;
		void *grown = realloc(u->replaced, capacity * sizeof *u->replaced);
		if (grown == NULL)
			return ZONED_ENOMEM;
		u->replaced = grown;
		u->replaced_capacity = capacity;
	}
	memcpy(u->replaced[u->replaced_count], owner, dname_length(owner));
	dname_lower(u->replaced[u->replaced_count++]);
	for (size_t i = 0; i < count; i++) {
		struct zone_record record = records[i];
		record.owner = owner;
		if (zone_check_record(u->zone, &record, &u->modes, d) != 0) {
			u->failure = ZONED_EZONE;
			continue;
		}
		int rc = zone_add_record(u->zone, &record, d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool
stub_replaced(const struct zone_update *u, const uint8_t *name)
{
	for (size_t i = 0; i < u->replaced_count; i++) {
		if (dname_equal(u->replaced[i], name))
			return true;
	}
	return false;
}

static int
stub_copy_node(struct zone_update *u, const struct name_node *node)
{
	const struct rrset *rrsets = name_node_rrsets(node);
	for (size_t j = 0; j < node->rrset_count; j++) {
		const uint8_t *p = rrsets[j].rdata;
		for (size_t k = 0; k < rrsets[j].rr_count; k++) {
			uint16_t length = (uint16_t)(p[0] << 8 | p[1]);
			struct zone_record record = {
				.owner = node->name, .type = rrsets[j].type,
				.rr_class = u->base->zone_class, .ttl = rrsets[j].ttl,
				.rdata = p + 2, .rdata_length = length, .file = "base", .line = 0,
			};
			int rc = zone_add_record(u->zone, &record, NULL);
			if (rc != 0)
				return rc;
			p += 2 + length;
		}
	}
	return 0;
}

int
zone_update_commit(struct zone_update *u, struct diag *d, struct zone **out)
{
	*out = NULL;
	int rc = u->failure;
	for (size_t i = 0; rc == 0 && i < u->base->node_count; i++) {
		if (!stub_replaced(u, u->base->nodes[i]->name))
			rc = stub_copy_node(u, u->base->nodes[i]);
	}
	for (size_t i = 0; rc == 0 && i < u->base->nsec3_count; i++)
		rc = stub_copy_node(u, u->base->nsec3_nodes[i]);
	unsigned long errors = d != NULL ? d->errors : 0;
	if (rc == 0)
		rc = zone_finalize(u->zone, d);
	if (rc == 0 && zone_check_zone(u->zone, &u->modes, d) == 0)
		zone_check_denial(u->zone, &u->modes, NULL, d);
	if (rc == 0 && d != NULL && d->errors != errors)
		rc = ZONED_EZONE;
	if (rc == 0) {
		*out = u->zone;
		u->zone = NULL;
	}
	zone_update_abort(u);
	return rc;
}

void
zone_update_abort(struct zone_update *u)
{
	if (u == NULL)
		return;
	zone_free(u->zone);
	free(u->replaced);
	free(u);
}
