/*
 * nametree_finalize.c: a built zone made ready to serve (zone_finalize()):
 * NSEC3 owners out of the name index, empty non-terminals and parent
 * links, the node array in canonical order, each node's flags (cut,
 * below a cut, wildcard child), the SOA fields read, and every in-zone
 * name in rdata resolved to its node once (additional-section targets).
 */
#include <config.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"

#include "nametree_internal.h"

/*
 * RFC 5155 7.1: takes every NSEC3 RRset one label below the origin (where
 * the chain's owners are) out of the name index into zone->nsec3_nodes. An
 * owner left without data is dropped from the index; zone_link_parents()
 * brings it back as an ENT if a name below it needs one.
 */
static int
zone_build_split_nsec3(struct zone *zone)
{
	struct zone_build *build = zone->build;
	size_t kept = 0, capacity = 0;
	for (size_t i = 0; i < build->node_count; i++) {
		struct name_node *node = build->nodes[i];
		if (node->label_count == zone->origin_labels + 1u
			&& name_node_rrset(node, RRTYPE_NSEC3) != NULL) {
			struct name_node *nsec3, *rest;
			if (zone_split_nsec3_node(zone, node, &nsec3, &rest) != 0
				|| zone_grow_array(&zone->nsec3_nodes, &capacity, zone->nsec3_count + 1,
					sizeof *zone->nsec3_nodes) != 0)
				return ZONED_ENOMEM;
			zone->nsec3_nodes[zone->nsec3_count++] = nsec3;
			if (rest == NULL)
				continue;
			node = rest;
		}
		build->nodes[kept] = node;
		build->node_hashes[kept++] = build->node_hashes[i];
	}
	if (kept == build->node_count)
		return 0;
	build->node_count = kept;
	return zone_build_rehash(build, build->bucket_mask + 1);
}

/* Creates every missing ancestor up to the apex (empty non-terminals) and links parents. */
static int
zone_link_parents(struct zone *zone)
{
	struct zone_build *build = zone->build;
	/* build->nodes grows while we walk it: new ENTs get their parents linked too. */
	for (size_t i = 0; i < build->node_count; i++) {
		struct name_node *node = build->nodes[i];
		if (node == zone->apex || node_parent(zone, node) != NULL)
			continue;
		const uint8_t *parent_name = node->name + node->name[0] + 1;
		size_t parent_length = node->name_length - node->name[0] - 1;
		struct name_node *parent = zone_get_node(zone, parent_name, parent_length);
		if (parent == NULL)
			return ZONED_ENOMEM;
		zone_links_of(zone, node)->parent = parent;
	}
	return 0;
}

/*
 * Canonical order through the parent links: climb to the children of the
 * common ancestor and compare just those two labels. Cheaper than comparing
 * whole names, and every ancestor exists once ENTs are in place.
 */
static int
node_compare_canonical(const void *a_pointer, const void *b_pointer, void *context)
{
	const struct zone *zone = context;
	const struct name_node *a = *(const struct name_node *const *)a_pointer;
	const struct name_node *b = *(const struct name_node *const *)b_pointer;
	const struct name_node *x = a, *y = b;
	while (x->label_count > y->label_count)
		x = node_parent(zone, x);
	while (y->label_count > x->label_count)
		y = node_parent(zone, y);
	if (x == y)  /* one is the other's ancestor: the ancestor sorts first */
		return a->label_count < b->label_count ? -1 : a->label_count > b->label_count;
	while (node_parent(zone, x) != node_parent(zone, y)) {
		x = node_parent(zone, x);
		y = node_parent(zone, y);
	}
	return label_compare(x->name, y->name);
}

/*
 * Sorts nodes canonically. A primary sends its zone in canonical order (BIND
 * does), and zone files are often written so: the nodes are then sorted up
 * to the ENTs zone_link_parents() appended. That sorted prefix is found in
 * one pass, only the rest is sorted, then merged in from the back.
 */
static int
zone_sort_nodes(struct zone *zone)
{
	struct name_node **nodes = zone->nodes;
	size_t count = zone->node_count, sorted = count > 0;
	while (sorted < count && node_compare_canonical(&nodes[sorted - 1], &nodes[sorted], zone) <= 0)
		sorted++;
	size_t rest = count - sorted;
	if (rest == 0)
		return 0;
	if (sorted < count / 2) {
		qsort_r(nodes, count, sizeof *nodes, node_compare_canonical, zone);
		return 0;
	}
	struct name_node **tail = malloc(rest * sizeof *tail);
	if (tail == NULL)
		return ZONED_ENOMEM;
	memcpy(tail, nodes + sorted, rest * sizeof *tail);
	qsort_r(tail, rest, sizeof *tail, node_compare_canonical, zone);
	size_t i = sorted, j = rest, out = count;
	while (j > 0) {
		if (i > 0 && node_compare_canonical(&nodes[i - 1], &tail[j - 1], zone) > 0)
			nodes[--out] = nodes[--i];
		else
			nodes[--out] = tail[--j];
	}
	free(tail);
	return 0;
}

unsigned
zone_node_own_flags(const struct zone *zone, const struct name_node *node)
{
	unsigned flags = 0;
	if (name_node_rrset(node, RRTYPE_DNAME) != NULL)
		flags |= NODE_DNAME;
	if (node->label_count == zone->origin_labels)
		return flags | NODE_APEX;
	if (name_node_rrset(node, RRTYPE_NS) != NULL)
		flags |= NODE_DELEGATION;
	if (name_node_is_wildcard(node))
		flags |= NODE_WILDCARD;
	return flags;
}

void
zone_mark_node(const struct zone *zone, const struct name_node *node, uint32_t index,
	unsigned flags)
{
	struct node_links *links = zone_links_of(zone, node);
	links->index = index;
	if (!(flags & NODE_APEX)) {
		/* Canonical order puts every parent before its children. */
		struct node_links *up = zone_links_of(zone, node_parent(zone, node));
		if (flags & NODE_WILDCARD)
			up->flags |= NODE_WILDCARD_PARENT;
		if (up->flags & (NODE_DELEGATION | NODE_BELOW_CUT))
			flags |= NODE_BELOW_CUT | NODE_OCCLUDED;
		if (up->flags & (NODE_OCCLUDED | NODE_DNAME))
			flags |= NODE_OCCLUDED;
	}
	/* NODE_WILDCARD_PARENT: set by the child, which comes later. */
	links->flags = (uint8_t)flags;
}

/* Sets flags, wildcard links, zone cuts and occlusion; nodes must be in canonical order. */
static void
zone_mark_nodes(struct zone *zone)
{
	zone->wildcard_count = 0;
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		unsigned flags = zone_node_own_flags(zone, node);
		zone_mark_node(zone, node, (uint32_t)i, flags);
		zone->wildcard_count += (flags & NODE_WILDCARD) != 0;
	}
}

/*
 * Writes each node's links into the other half too, so that the first
 * zone_update of this version finds them there and rewrites only the
 * nodes it changes (a pass over the nodes while they are still in cache,
 * rather than one in the update). Not for NSEC3 zones (never updated).
 */
static void
zone_copy_links(struct zone *zone)
{
	if (zone->store == NULL || zone->nsec3_count > 0 || zone->generation != 0)
		return;
	unsigned parity = zone_parity(zone);
	for (size_t i = 0; i < zone->node_count; i++) {
		struct name_node *node = zone->nodes[i];
		node->links[!parity] = node->links[parity];
	}
	zone->store->spare_is_base = true;
}

static uint32_t
read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void
zone_read_soa(struct zone *zone)
{
	const struct rrset *soa = name_node_rrset(zone->apex, RRTYPE_SOA);
	zone->soa = soa;
	if (soa == NULL)
		return;
	const uint8_t *rdata = soa->rdata + 2;
	size_t rdata_length = (size_t)(soa->rdata[0] << 8 | soa->rdata[1]);
	size_t mname = dname_length(rdata);
	size_t rname = dname_length(rdata + mname);
	if (mname + rname + 20 > rdata_length)
		return;
	const uint8_t *numbers = rdata + mname + rname;
	zone->serial = read_u32(numbers);
	uint32_t minimum = read_u32(numbers + 16);
	zone->negative_ttl = soa->ttl < minimum ? soa->ttl : minimum;
}

/* The target name at the start of rdata into name, lowercased; 0 when outside the zone. */
static size_t
zone_target_name(const struct zone *zone, const uint8_t *rdata, size_t length,
	uint8_t name[DNAME_MAX_LENGTH])
{
	/* The loader checked the rdata; still never read past it. */
	size_t name_length = rrtype_name_length(rdata, length, 0);
	if (name_length == 0)
		return 0;
	memcpy(name, rdata, name_length);
	dname_lower(name);
	return dname_is_subdomain(name, zone->origin) ? name_length : 0;
}

/*
 * For a target name (lowercased, in the zone) that is no node: the wildcard
 * that synthesizes its data, the closest encloser's "*" child (RFC 4592
 * 3.3.1), or NULL. NSD, Knot and BIND give an MX or SRV target's addresses
 * from it. Hash lookups only: a zone update resolves targets before it
 * links its nodes. Whether the wildcard's data may be given at all (not
 * below a zone cut or a DNAME) is for the answer to decide.
 */
static const struct name_node *
zone_target_wildcard(const struct zone *zone, const uint8_t *name, size_t name_length)
{
	/* The apex is a node: the walk up ends there at the latest. */
	for (size_t at = (size_t)name[0] + 1; at < name_length; at += (size_t)name[at] + 1) {
		const struct name_node *encloser = zone_find_node(zone, name + at, name_length - at);
		if (encloser != NULL)
			return zone_find_wildcard_child(zone, encloser);
	}
	return NULL;
}

const struct name_node *
zone_find_target(const struct zone *zone, const uint8_t *rdata, size_t length)
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length = zone_target_name(zone, rdata, length, name);
	if (name_length == 0)
		return NULL;
	const struct name_node *node = zone_find_node(zone, name, name_length);
	return node != NULL ? node : zone_target_wildcard(zone, name, name_length);
}

/*
 * Targets are looked up TARGETS_AHEAD behind the reading of their names,
 * whose slots are asked for meanwhile: the cache misses of the lookups
 * overlap instead of coming one after the other.
 */
enum { TARGETS_AHEAD = 8 };

struct target_lookup {
	size_t index;                       /* into zone->targets */
	uint32_t hash;
	size_t length;                      /* 0: outside the zone, or unreadable */
	uint8_t name[DNAME_MAX_LENGTH];
};

static void
zone_target_lookup_end(struct zone *zone, const struct target_lookup *lookup)
{
	const struct name_node *node = NULL;
	if (lookup->length != 0) {
		node = zone_find_node_hashed(zone, lookup->name, lookup->length, lookup->hash);
		if (node == NULL)
			node = zone_target_wildcard(zone, lookup->name, lookup->length);
	}
	zone->targets[lookup->index] = node;
}

/* Starts the lookup of target index (rdata after the fields before the name), ending the one it replaces. */
static void
zone_target_lookup_start(struct zone *zone, struct target_lookup *ring, size_t index,
	const uint8_t *rdata, size_t length)
{
	struct target_lookup *lookup = &ring[index % TARGETS_AHEAD];
	if (index >= TARGETS_AHEAD)
		zone_target_lookup_end(zone, lookup);
	lookup->index = index;
	lookup->length = zone_target_name(zone, rdata, length, lookup->name);
	if (lookup->length == 0)
		return;
	lookup->hash = name_hash(lookup->name, lookup->length);
	__builtin_prefetch(&zone->hash_slots[zone_slot_start(lookup->hash, zone->hash_size)]);
}

/* Resolves the targets of every NS, MX and SRV record to nodes (struct rrset's target_base). */
static int
zone_resolve_targets(struct zone *zone)
{
	size_t count = 0;
	for (size_t n = 0; n < zone->node_count; n++) {
		const struct name_node *node = zone->nodes[n];
		const struct rrset *rrsets = name_node_rrsets(node);
		for (uint16_t i = 0; i < node->rrset_count; i++) {
			if (rrset_target_skip(rrsets[i].type) >= 0)
				count += rrsets[i].rr_count;
		}
	}
	if (count == 0)
		return 0;
	if (count > UINT32_MAX)
		return ZONED_ELIMIT;
	zone->targets = malloc(count * sizeof *zone->targets);
	if (zone->targets == NULL)
		return ZONED_ENOMEM;
	zone->target_count = count;
	struct target_lookup ring[TARGETS_AHEAD];
	size_t next = 0;
	for (size_t n = 0; n < zone->node_count; n++) {
		const struct name_node *node = zone->nodes[n];
		for (uint16_t i = 0; i < node->rrset_count; i++) {
			/* The RRsets are the zone's own: finalize may still fill them in. */
			struct rrset *rrset = (struct rrset *)&name_node_rrsets(node)[i];
			int skip = rrset_target_skip(rrset->type);
			if (skip < 0)
				continue;
			rrset->target_base = (uint32_t)next;
			const uint8_t *rr = rrset->rdata;
			for (uint16_t j = 0; j < rrset->rr_count; j++) {
				size_t length = (size_t)(rr[0] << 8 | rr[1]);
				/* A name cut short (length <= skip) reads as outside the zone. */
				zone_target_lookup_start(zone, ring, next++, rr + 2 + skip,
					length > (size_t)skip ? length - (size_t)skip : 0);
				rr += 2 + length;
			}
		}
	}
	for (size_t index = next > TARGETS_AHEAD ? next - TARGETS_AHEAD : 0; index < next; index++)
		zone_target_lookup_end(zone, &ring[index % TARGETS_AHEAD]);
	return 0;
}

int
zone_finalize(struct zone *zone, struct diag *d)
{
	struct zone_build *build = zone->build;
	int status = zone_build_flush(zone, d);
	if (status == 0)
		status = zone_build_split_nsec3(zone);
	if (status == 0)
		status = zone_link_parents(zone);
	if (status == 0)
		status = zone_build_slots(zone);
	if (status != 0)
		return status;
	/* The build's node list becomes the zone's, sorted canonically (in a file when large). */
	zone->nodes = zone_array_file_create(&zone->store->nodes_file,
		build->node_count * sizeof *zone->nodes);
	zone->nodes_kind = zone->nodes != NULL ? ZONE_ARRAY_SHARED : ZONE_ARRAY_HEAP;
	if (zone->nodes != NULL) {
		memcpy(zone->nodes, build->nodes, build->node_count * sizeof *zone->nodes);
		free(build->nodes);
	} else {
		zone->nodes = build->nodes;
	}
	zone->node_count = build->node_count;
	build->nodes = NULL;
	status = zone_sort_nodes(zone);
	if (status != 0)
		return status;
	zone_mark_nodes(zone);
	zone_copy_links(zone);
	zone_sort_nsec3(zone);
	zone_read_soa(zone);
	zone_build_free(build);
	zone->build = NULL;
	status = zone_resolve_targets(zone);
	if (status == 0)
		status = zone_nsec3_prepare(zone);
	return status;
}
