/*
 * answer_dnssec.c: authenticated denial of existence for pre-signed zones:
 * the NSEC (RFC 4035 3.1.3) or NSEC3 (RFC 5155 7.2) records, with their
 * RRSIGs, that let a validating resolver trust a negative answer, a
 * wildcard expansion or an insecure delegation. Runs only for queries with
 * DO in zones with a DNSKEY at the apex; the unsigned path never comes here.
 *
 * Names that exist find their NSEC at their own node, and their NSEC3
 * through zone_node_nsec3(), found at load. Only names that do not exist
 * (a next closer name, a wildcard at the closest encloser) are hashed per
 * query, with the zone's NSEC3PARAM salt and iterations as they are.
 * Iterations above RFC 9276's guidance (0) are served unchanged, as Knot
 * and BIND serve pre-signed zones (BIND logs a warning above 150 at load):
 * the zone's owner chose them, refusing the zone would break it for every
 * resolver, and each such query costs iterations + 1 SHA-1 blocks per
 * hashed name (two at most per name looked up). Nothing here allocates.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/nsec3.h"
#include "zoned/rrtype.h"

#include "answer_internal.h"

/* Records one proof may need: RFC 5155 7.2.5 (wildcard NODATA) needs the most, three. */
#define PROOF_MAX 4

/* The NSEC or NSEC3 owners of one proof, in the order they are written, without repeats. */
struct proof {
	const struct name_node *nodes[PROOF_MAX];
	unsigned count;
};

static void
proof_add(struct proof *proof, const struct name_node *node)
{
	if (node == NULL)
		return;
	for (unsigned i = 0; i < proof->count; i++) {
		if (proof->nodes[i] == node)
			return;  /* one NSEC may cover the name and the wildcard (RFC 4035 3.1.3.2) */
	}
	if (proof->count < PROOF_MAX)
		proof->nodes[proof->count++] = node;
}

bool
answer_zone_signed(const struct zone *zone)
{
	return name_node_rrset(zone->apex, RRTYPE_DNSKEY) != NULL;
}

/* True when the zone denies with NSEC3 (an NSEC3PARAM and a chain), else NSEC. */
static bool
zone_uses_nsec3(const struct zone *zone)
{
	return zone->has_nsec3_params && zone->nsec3_count > 0;
}

/* ---- NSEC (RFC 4034 4, RFC 4035 3.1.3) ---- */

/*
 * The node whose NSEC covers or matches name (any case, at or below the
 * origin): its canonical predecessor, or the nearest node before that which
 * owns an NSEC, as empty non-terminals and glue own none.
 */
static const struct name_node *
nsec_covering(const struct zone *zone, const uint8_t *name, size_t name_length)
{
	const struct name_node *node = zone_find_predecessor(zone, name, name_length);
	while (node != NULL && name_node_rrset(node, RRTYPE_NSEC) == NULL)
		node = zone_node_previous(zone, node);
	return node;
}

/* The node whose NSEC covers "*.<encloser>", or NULL when that name would be too long. */
static const struct name_node *
nsec_covering_wildcard(const struct zone *zone, const struct name_node *encloser)
{
	uint8_t wildcard[DNAME_MAX_LENGTH];
	if (encloser->name_length + 2u > DNAME_MAX_LENGTH)
		return NULL;
	wildcard[0] = 1;
	wildcard[1] = '*';
	memcpy(wildcard + 2, encloser->name, encloser->name_length);
	return nsec_covering(zone, wildcard, encloser->name_length + 2u);
}

/* The proof for NSEC zones (RFC 4035 3.1.3). */
static void
proof_nsec(struct proof *proof, const struct zone *zone, const struct answer_denial *denial)
{
	switch (denial->kind) {
	case DENIAL_NXDOMAIN:
		/* 3.1.3.2: the name does not exist, nor does the wildcard that could have matched. */
		proof_add(proof, nsec_covering(zone, denial->name, denial->name_length));
		proof_add(proof, nsec_covering_wildcard(zone, denial->node));
		break;
	case DENIAL_NODATA:
		/*
		 * 3.1.3.1: the name's own NSEC; an empty non-terminal has none,
		 * and the NSEC before it, whose next name is below it, proves it
		 * owns no data (RFC 7129 3.2). The NSEC at a cut proves no DS.
		 */
		proof_add(proof, nsec_covering(zone, denial->node->name, denial->node->name_length));
		break;
	case DENIAL_WILDCARD:
		/* 3.1.3.3: no closer name exists. */
		proof_add(proof, nsec_covering(zone, denial->name, denial->name_length));
		break;
	case DENIAL_WILDCARD_NODATA:
		/* 3.1.3.4: no closer name, and the wildcard lacks the type. */
		proof_add(proof, nsec_covering(zone, denial->name, denial->name_length));
		proof_add(proof, denial->wildcard);
		break;
	case DENIAL_INSECURE_CUT:
		/* 3.1.4: the cut's NSEC, whose bitmap has NS and no DS. */
		if (name_node_rrset(denial->node, RRTYPE_NSEC) != NULL)
			proof_add(proof, denial->node);
		break;
	}
}

/* ---- NSEC3 (RFC 5155 7.2) ---- */

/* The NSEC3 node covering the hash of name (lowercased wire form), never hashed at load. */
static const struct name_node *
nsec3_covering(const struct zone *zone, const uint8_t *name)
{
	const struct nsec3_params *params = &zone->nsec3_params;
	uint8_t hash[NSEC3_SHA1_LENGTH];
	size_t length = nsec3_hash_name(name, params->salt, params->salt_length, params->iterations,
		hash);
	return zone_nsec3_find_cover(zone, hash, length);
}

/*
 * RFC 5155 7.2.1, closest encloser proof: the NSEC3 matching the closest
 * *provable* encloser and the one covering the next closer name. encloser
 * is the closest encloser and next_closer the name one label below it
 * towards the name proved. In opt-out zones an empty non-terminal whose
 * descendants are all insecure delegations has no NSEC3: the proof then
 * starts at the nearest ancestor that has one, and the next closer name is
 * that ancestor's child on the way (its covering NSEC3 has opt-out set;
 * RFC 5155 7.2.4 and 7.2.7). Returns the provable encloser, or NULL when
 * the chain lacks even the apex.
 */
static const struct name_node *
proof_nsec3_encloser(struct proof *proof, const struct zone *zone,
	const struct name_node *encloser, const uint8_t *next_closer)
{
	while (encloser != NULL && zone_node_nsec3(zone, encloser) == NULL) {
		next_closer = encloser->name;
		encloser = node_parent(zone, encloser);
	}
	if (encloser == NULL)
		return NULL;
	proof_add(proof, zone_node_nsec3(zone, encloser));
	proof_add(proof, nsec3_covering(zone, next_closer));
	return encloser;
}

/* Adds the NSEC3 covering "*.<encloser>" (RFC 5155 7.2.2). */
static void
proof_nsec3_no_wildcard(struct proof *proof, const struct zone *zone,
	const struct name_node *encloser)
{
	uint8_t wildcard[DNAME_MAX_LENGTH];
	if (encloser->name_length + 2u > DNAME_MAX_LENGTH)
		return;
	wildcard[0] = 1;
	wildcard[1] = '*';
	memcpy(wildcard + 2, encloser->name, encloser->name_length);
	proof_add(proof, nsec3_covering(zone, wildcard));
}

/*
 * The NSEC3 matching an existing name (7.2.3, 7.2.4 for DS, 7.2.7 for an
 * insecure delegation), or, when the chain has none (an opt-out span), the
 * closest provable encloser proof for it (7.2.4: its next closer's covering
 * NSEC3 has opt-out set).
 */
static void
proof_nsec3_existing(struct proof *proof, const struct zone *zone, const struct name_node *node)
{
	const struct name_node *match = zone_node_nsec3(zone, node);
	if (match != NULL)
		proof_add(proof, match);
	else if (node_parent(zone, node) != NULL)
		proof_nsec3_encloser(proof, zone, node_parent(zone, node), node->name);
}

/* The proof for NSEC3 zones (RFC 5155 7.2). */
static void
proof_nsec3(struct proof *proof, const struct zone *zone, const struct answer_denial *denial)
{
	const uint8_t *next_closer = denial->name + denial->next_closer_offset;
	const struct name_node *encloser;
	switch (denial->kind) {
	case DENIAL_NXDOMAIN:
		/* 7.2.2: closest encloser proof and no wildcard at the closest encloser. */
		encloser = proof_nsec3_encloser(proof, zone, denial->node, next_closer);
		if (encloser != NULL)
			proof_nsec3_no_wildcard(proof, zone, encloser);
		break;
	case DENIAL_NODATA:
	case DENIAL_INSECURE_CUT:
		proof_nsec3_existing(proof, zone, denial->node);
		break;
	case DENIAL_WILDCARD:
		/*
		 * 7.2.6: the next closer name does not exist; the closest encloser
		 * is implied by the RRSIG's labels field.
		 */
		proof_add(proof, nsec3_covering(zone, next_closer));
		break;
	case DENIAL_WILDCARD_NODATA:
		/* 7.2.5: closest encloser proof, and the NSEC3 matching the wildcard. */
		proof_nsec3_encloser(proof, zone, denial->node, next_closer);
		proof_add(proof, zone_node_nsec3(zone, denial->wildcard));
		break;
	}
}

/* Writes the proof's RRsets with their RRSIGs; false when they do not all fit. */
static bool
proof_put(struct answer *answer, const struct zone *zone, const struct proof *proof)
{
	for (unsigned i = 0; i < proof->count; i++) {
		const struct name_node *node = proof->nodes[i];
		uint16_t type = (node_flags(zone, node) & NODE_NSEC3) ? RRTYPE_NSEC3 : RRTYPE_NSEC;
		const struct rrset *rrset = name_node_rrset(node, type);
		/* A chain of CNAMEs may need the same record twice: once is enough. */
		if (rrset == NULL || answer_was_written(answer, rrset))
			continue;
		if (!answer_put_rrset(answer, SECTION_AUTHORITY, zone, node, node->name, rrset,
			    rrset->ttl))
			return false;
	}
	return true;
}

bool
answer_put_denial(struct answer *answer, const struct zone *zone,
	const struct answer_denial *denial)
{
	struct proof proof = {.count = 0};
	if (zone_uses_nsec3(zone))
		proof_nsec3(&proof, zone, denial);
	else
		proof_nsec(&proof, zone, denial);
	struct answer_mark mark = answer_mark(answer);
	if (proof_put(answer, zone, &proof))
		return true;
	/* RFC 4035 3.1.3: a proof is whole or absent (then TC), never partial. */
	answer_rollback(answer, mark);
	return false;
}

/* What a proof of kind is about, from the lookup of name (see struct answer_denial). */
static struct answer_denial
denial_from_lookup(enum answer_denial_kind kind, const struct zone_lookup *found,
	const uint8_t *name, size_t name_length)
{
	struct answer_denial denial = {
		.kind = kind,
		.node = found->node,
		.wildcard = found->wildcard,
		.name = name,
		.name_length = name_length,
		.next_closer_offset = found->next_closer_offset,
	};
	return denial;
}

void
answer_put_negative_signed(struct answer *answer, const struct zone *zone,
	enum answer_denial_kind kind, const struct zone_lookup *found, const uint8_t *name,
	size_t name_length)
{
	struct answer_mark mark = answer_mark(answer);
	answer_put_negative_soa(answer, zone);
	struct answer_denial denial = denial_from_lookup(kind, found, name, name_length);
	if (!answer->truncated && !answer_put_denial(answer, zone, &denial)) {
		/*
		 * No negative answer without its whole proof: the client retries
		 * over TCP. BIND sends such a response with TC and no authority
		 * (nor answer) section; Knot and NSD send what fits, a partial
		 * proof, with TC (checked on loopback with a 512-octet EDNS size).
		 */
		answer_rollback(answer, mark);
		answer->truncated = true;
	}
}

void
answer_put_wildcard_proof(struct answer *answer, const struct zone *zone,
	const struct zone_lookup *found, const uint8_t *name, size_t name_length)
{
	struct answer_denial denial = denial_from_lookup(DENIAL_WILDCARD, found, name, name_length);
	if (!answer_put_denial(answer, zone, &denial))
		answer->truncated = true;
}
