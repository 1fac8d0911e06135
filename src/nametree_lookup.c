/*
 * nametree_lookup.c: the query path of a finalized zone's name index:
 * hashing names, exact and closest-encloser lookups, canonical predecessors.
 */
#include <stddef.h>
#include <string.h>

#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"

#include "nametree_internal.h"

/*
 * The labels are hashed from the last to the first, so that the hash of a
 * name extends the hash of its parent: one pass from the right gives every
 * suffix's hash (name_key_init). Each label (its length octet included) is
 * taken four octets at a time; zone_slot_start() mixes the result again.
 */
#define NAME_HASH_ROOT 2166136261u

static inline uint32_t
name_hash_word(uint32_t hash, uint32_t word)
{
	hash = (hash ^ word) * 0x9e3779b1u;
	return hash << 15 | hash >> 17;
}

static inline uint32_t
name_hash_label(uint32_t hash, const uint8_t *label)
{
	size_t length = (size_t)label[0] + 1;
	size_t i = 0;
	for (; i + 4 <= length; i += 4) {
		uint32_t word;
		memcpy(&word, label + i, 4);
		hash = name_hash_word(hash, word);
	}
	if (i == length)
		return hash;
	uint32_t tail = 0;
	for (; i < length; i++)
		tail = tail << 8 | label[i];
	return name_hash_word(hash, tail);
}

void
name_key_init(struct name_key *key, const uint8_t *name, size_t name_length)
{
	unsigned count = 0;
	for (size_t offset = 0; name[offset] != 0; offset += (size_t)name[offset] + 1)
		key->offsets[count++] = (uint8_t)offset;
	key->name = name;
	key->length = (uint8_t)name_length;
	key->label_count = (uint8_t)count;
	uint32_t hash = NAME_HASH_ROOT;
	key->hashes[count] = hash;
	for (unsigned i = count; i > 0; i--) {
		hash = name_hash_label(hash, name + key->offsets[i - 1]);
		key->hashes[i - 1] = hash;
	}
}

uint32_t
name_hash(const uint8_t *name, size_t name_length)
{
	struct name_key key;
	name_key_init(&key, name, name_length);
	return key.hashes[0];
}

const struct name_node *
zone_find_node_hashed(const struct zone *zone, const uint8_t *name, size_t name_length,
	uint32_t hash)
{
	const struct zone_slot *slots = zone->hash_slots;
	uint32_t size = zone->hash_size;
	/* A wrong candidate or an empty slot is told apart without touching any node. */
	for (uint32_t i = zone_slot_start(hash, size);; i = i + 1 == size ? 0 : i + 1) {
		const struct name_node *node = slots[i].node;
		if (node == NULL)
			return NULL;
		if (slots[i].hash == hash && node->name_length == name_length
			&& memcmp(node->name, name, name_length) == 0)
			return node;
	}
}


const struct name_node *
zone_find_wildcard_child(const struct zone *zone, const struct name_node *node)
{
	uint8_t name[DNAME_MAX_LENGTH];
	name[0] = 1;
	name[1] = '*';
	memcpy(name + 2, node->name, node->name_length);  /* it exists: it fits */
	return zone_find_node(zone, name, node->name_length + 2u);
}

const struct name_node *
zone_find_node(const struct zone *zone, const uint8_t *name, size_t name_length)
{
	return zone_find_node_hashed(zone, name, name_length, name_hash(name, name_length));
}

/* Fills result for node, found after stripping labels labels of key's name. */
static inline void
lookup_result_set(struct zone_lookup *result, const struct zone *zone,
	const struct name_node *node, const struct name_key *key, unsigned labels)
{
	result->node = node;
	result->exact = labels == 0;
	result->wildcard = labels == 0 ? NULL : node_wildcard_child(zone, node);
	result->next_closer_offset = labels == 0 ? 0 : key->offsets[labels - 1];
}

void
zone_lookup_key(const struct zone *zone, const struct name_key *key, struct zone_lookup *result)
{
	/* Strip labels until a node is found: ENTs exist, so the first hit is the closest encloser. */
	unsigned below_origin = key->label_count > zone->origin_labels
		? key->label_count - zone->origin_labels : 0;
	for (unsigned i = 0; i < below_origin; i++) {
		unsigned offset = key->offsets[i];
		const struct name_node *node = zone_find_node_hashed(zone, key->name + offset,
			key->length - offset, key->hashes[i]);
		if (node != NULL) {
			lookup_result_set(result, zone, node, key, i);
			return;
		}
	}
	lookup_result_set(result, zone, zone->apex, key, below_origin);
}

void
zone_lookup(const struct zone *zone, const uint8_t *name, size_t name_length,
	struct zone_lookup *result)
{
	struct name_key key;
	name_key_init(&key, name, name_length);
	zone_lookup_key(zone, &key, result);
}

/* Where each label of name starts, left to right; returns the label count (root not counted). */
static unsigned
name_split_labels(const uint8_t *name, const uint8_t *labels[DNAME_MAX_LABELS])
{
	unsigned count = 0;
	for (; *name != 0; name += *name + 1)
		labels[count++] = name;
	return count;
}

/*
 * RFC 4034 6.1 order of a name (its labels, any case) against a node's
 * lowercased name, both at or below the origin: labels compared from the
 * right, skipping the origin's shared labels, octets lowercased and
 * unsigned, a shorter label or name first.
 */
static int
name_compare_node(const uint8_t *const *labels, unsigned label_count,
	const struct name_node *node, unsigned origin_labels)
{
	const uint8_t *node_labels[DNAME_MAX_LABELS];
	unsigned node_count = name_split_labels(node->name, node_labels);
	unsigned a = label_count - origin_labels, b = node_count - origin_labels;
	while (a > 0 && b > 0) {
		const uint8_t *x = labels[--a], *y = node_labels[--b];
		unsigned shorter = x[0] < y[0] ? x[0] : y[0];
		for (unsigned i = 1; i <= shorter; i++) {
			int diff = (int)dname_lower_table[x[i]] - (int)y[i];
			if (diff != 0)
				return diff;
		}
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return a == b ? 0 : a < b ? -1 : 1;
}

const struct name_node *
zone_find_predecessor(const struct zone *zone, const uint8_t *name, size_t name_length)
{
	const uint8_t *labels[DNAME_MAX_LABELS];
	unsigned label_count = name_split_labels(name, labels);
	/* The last node at or before name: nodes[0], the apex, always is. */
	size_t low = 1, high = zone->node_count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (name_compare_node(labels, label_count, zone->nodes[middle],
			    zone->origin_labels) >= 0)
			low = middle + 1;
		else
			high = middle;
	}
	return zone->nodes[low - 1];
}

const struct rrset *
name_node_rrset(const struct name_node *node, uint16_t type)
{
	const struct rrset *rrsets = name_node_rrsets(node);
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		if (rrsets[i].type == type)
			return &rrsets[i];
	}
	return NULL;
}

int
rrset_target_skip(uint16_t type)
{
	/*
	 * SVCB and HTTPS wait until a target of "." can name the owner (RFC
	 * 9460 2.5) in zone_resolve_targets() and answer_want_additional().
	 */
	const struct rrtype_info *info = rrtype_info(type);
	if ((info->flags & (RRTYPE_ADDITIONAL | RRTYPE_TARGET_DOT_IS_OWNER)) != RRTYPE_ADDITIONAL)
		return -1;
	return info->target_offset;
}
