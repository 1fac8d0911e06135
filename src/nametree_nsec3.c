/*
 * nametree_nsec3.c: a zone's NSEC3 index (RFC 5155): the owners taken out
 * of the name index and sorted by hash at finalize, looked up exactly or by
 * the hash they cover, and what finalize prepares from the apex NSEC3PARAM
 * so that proofs for names that exist never hash per query.
 */
#include <stdlib.h>
#include <string.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/nsec3.h"
#include "zoned/rrtype.h"

#include "nametree_internal.h"


/* True for an RRSIG record (wire rdata) that covers NSEC3. */
static bool
rrsig_covers_nsec3(const uint8_t *rdata, size_t length)
{
	return length >= 2 && (rdata[0] << 8 | rdata[1]) == RRTYPE_NSEC3;
}

/*
 * Fills *out with the records of the RRSIG RRset rrsig that cover NSEC3
 * (nsec3 true) or cover anything else. Returns the records kept, or -1 when
 * out of memory.
 */
static int
rrsig_filter(struct zone *zone, const struct rrset *rrsig, bool nsec3, struct rrset *out)
{
	size_t length = 0, count = 0;
	const uint8_t *rr = rrsig->rdata;
	for (uint16_t i = 0; i < rrsig->rr_count; i++) {
		size_t rdata_length = (size_t)(rr[0] << 8 | rr[1]);
		if (rrsig_covers_nsec3(rr + 2, rdata_length) == nsec3) {
			length += 2 + rdata_length;
			count++;
		}
		rr += 2 + rdata_length;
	}
	*out = *rrsig;
	out->rr_count = (uint16_t)count;
	out->rdata_length = (uint32_t)length;
	if (count == 0)
		return 0;
	uint8_t *rdata = arena_alloc_unaligned(&zone->store->arena, length);
	if (rdata == NULL)
		return -1;
	out->rdata = rdata;
	rr = rrsig->rdata;
	for (uint16_t i = 0; i < rrsig->rr_count; i++) {
		size_t rdata_length = (size_t)(rr[0] << 8 | rr[1]);
		if (rrsig_covers_nsec3(rr + 2, rdata_length) == nsec3) {
			memcpy(rdata, rr, 2 + rdata_length);
			rdata += 2 + rdata_length;
		}
		rr += 2 + rdata_length;
	}
	return (int)count;
}

int
zone_split_nsec3_node(struct zone *zone, const struct name_node *node,
	struct name_node **nsec3, struct name_node **rest)
{
	const struct rrset *rrsets = name_node_rrsets(node);
	const struct rrset *rrsig = name_node_rrset(node, RRTYPE_RRSIG);
	struct rrset signatures = { 0 }, others = { 0 };
	if (rrsig != NULL && (rrsig_filter(zone, rrsig, true, &signatures) < 0
		    || rrsig_filter(zone, rrsig, false, &others) < 0))
		return ZONED_ENOMEM;
	size_t rest_count = node->rrset_count - 1u - (rrsig != NULL && others.rr_count == 0);
	*nsec3 = zone_new_node(zone, node->name, node->name_length,
		1 + (signatures.rr_count > 0));
	*rest = NULL;
	if (*nsec3 == NULL)
		return ZONED_ENOMEM;
	struct rrset *moved = (struct rrset *)name_node_rrsets(*nsec3);
	if (signatures.rr_count > 0)
		*moved++ = signatures;  /* RRSIG (46) sorts before NSEC3 (50) */
	*moved = *name_node_rrset(node, RRTYPE_NSEC3);
	(*nsec3)->rrset_count = (uint16_t)(1 + (signatures.rr_count > 0));
	zone_links_of(zone, *nsec3)->flags = NODE_NSEC3;
	zone_links_of(zone, *nsec3)->parent = zone->apex;
	if (rest_count == 0)
		return 0;
	*rest = zone_new_node(zone, node->name, node->name_length, rest_count);
	if (*rest == NULL)
		return ZONED_ENOMEM;
	struct rrset *kept = (struct rrset *)name_node_rrsets(*rest);
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		if (rrsets[i].type == RRTYPE_NSEC3 || (rrsets[i].type == RRTYPE_RRSIG && others.rr_count == 0))
			continue;
		*kept++ = rrsets[i].type == RRTYPE_RRSIG ? others : rrsets[i];
	}
	(*rest)->rrset_count = (uint16_t)rest_count;
	return 0;
}

/* Hash order of two NSEC3 nodes: their first labels, as the owners share the origin. */
static int
nsec3_node_compare(const void *a_pointer, const void *b_pointer)
{
	const struct name_node *a = *(const struct name_node *const *)a_pointer;
	const struct name_node *b = *(const struct name_node *const *)b_pointer;
	return label_compare(a->name, b->name);
}

void
zone_sort_nsec3(struct zone *zone)
{
	if (zone->nsec3_count == 0)
		return;
	qsort(zone->nsec3_nodes, zone->nsec3_count, sizeof *zone->nsec3_nodes,
		nsec3_node_compare);
	for (size_t i = 0; i < zone->nsec3_count; i++)
		zone_links_of(zone, zone->nsec3_nodes[i])->index = (uint32_t)i;
}

/*
 * The position of the first NSEC3 node whose hash is not below hash (the
 * owners' first labels sort as the hashes do), or nsec3_count; *exact tells
 * whether that node's hash is hash. false when hash cannot be an owner label.
 */
static bool
zone_nsec3_search(const struct zone *zone, const uint8_t *hash, size_t hash_length,
	size_t *position, bool *exact)
{
	uint8_t label[1 + 63];
	size_t length = nsec3_hash_to_text(hash, hash_length, label + 1);
	if (length == 0)
		return false;
	label[0] = (uint8_t)length;
	size_t low = 0, high = zone->nsec3_count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (label_compare(zone->nsec3_nodes[middle]->name, label) < 0)
			low = middle + 1;
		else
			high = middle;
	}
	*position = low;
	*exact = low < zone->nsec3_count && label_compare(zone->nsec3_nodes[low]->name, label) == 0;
	return true;
}

const struct name_node *
zone_nsec3_find(const struct zone *zone, const uint8_t *hash, size_t hash_length)
{
	size_t position;
	bool exact;
	if (!zone_nsec3_search(zone, hash, hash_length, &position, &exact) || !exact)
		return NULL;
	return zone->nsec3_nodes[position];
}

const struct name_node *
zone_nsec3_find_cover(const struct zone *zone, const uint8_t *hash, size_t hash_length)
{
	size_t position;
	bool exact;
	if (zone->nsec3_count == 0 || !zone_nsec3_search(zone, hash, hash_length, &position, &exact))
		return NULL;
	/* The chain is circular (RFC 5155 3.1.7): the last owner covers hashes before the first. */
	return zone->nsec3_nodes[position > 0 ? position - 1 : zone->nsec3_count - 1];
}

/*
 * RFC 5155 4.1.2 and 4: a server uses an NSEC3PARAM whose flags are zero
 * and whose algorithm it knows. Takes the first such one at the apex.
 */
static bool
zone_read_nsec3_params(struct zone *zone)
{
	const struct rrset *rrset = name_node_rrset(zone->apex, RRTYPE_NSEC3PARAM);
	if (rrset == NULL)
		return false;
	const uint8_t *rr = rrset->rdata;
	for (uint16_t i = 0; i < rrset->rr_count; i++) {
		size_t length = (size_t)(rr[0] << 8 | rr[1]);
		const uint8_t *rdata = rr + 2;
		rr += 2 + length;
		if (length < 5 || length < 5u + rdata[4])
			continue;
		if (rdata[0] != NSEC3_ALGORITHM_SHA1 || rdata[1] != 0)
			continue;
		struct nsec3_params *params = &zone->nsec3_params;
		params->algorithm = rdata[0];
		params->flags = rdata[1];
		params->iterations = (uint16_t)(rdata[2] << 8 | rdata[3]);
		params->salt_length = rdata[4];
		memcpy(params->salt, rdata + 5, rdata[4]);
		return true;
	}
	return false;
}

int
zone_nsec3_prepare(struct zone *zone)
{
	zone->has_nsec3_params = zone_read_nsec3_params(zone);
	if (!zone->has_nsec3_params || zone->nsec3_count == 0)
		return 0;
	zone->node_nsec3 = calloc(zone->node_count, sizeof *zone->node_nsec3);
	if (zone->node_nsec3 == NULL)
		return ZONED_ENOMEM;
	const struct nsec3_params *params = &zone->nsec3_params;
	uint8_t hash[NSEC3_SHA1_LENGTH];
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		/* RFC 5155 7.1: no NSEC3 for names below a zone cut (glue) or a DNAME. */
		if (node_flags(zone, node) & NODE_OCCLUDED)
			continue;
		nsec3_hash_name(node->name, params->salt, params->salt_length, params->iterations,
			hash);
		zone->node_nsec3[i] = zone_nsec3_find(zone, hash, sizeof hash);
	}
	return 0;
}
