/* answer_rrset.c: write RRsets (with RRSIGs) into a response, and fill its additional section. */
#include <string.h>

#include "zoned/answer.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"

#include "answer_internal.h"

struct answer_mark
answer_mark(const struct answer *answer)
{
	struct answer_mark mark = {
		.wire = wire_mark(&answer->wire),
		.written_count = answer->written_count,
		.additional_count = answer->additional_count,
	};
	memcpy(mark.counts, answer->counts, sizeof mark.counts);
	return mark;
}

void
answer_rollback(struct answer *answer, struct answer_mark mark)
{
	wire_rollback(&answer->wire, mark.wire);
	memcpy(answer->counts, mark.counts, sizeof answer->counts);
	answer->written_count = mark.written_count;
	answer->additional_count = mark.additional_count;
}

bool
answer_was_written(const struct answer *answer, const struct rrset *rrset)
{
	for (unsigned i = 0; i < answer->written_count; i++) {
		if (answer->written[i] == rrset)
			return true;
	}
	return false;
}

static void
answer_remember_written(struct answer *answer, const struct rrset *rrset)
{
	if (answer->written_count < ANSWER_WRITTEN_MAX)
		answer->written[answer->written_count++] = rrset;
}

/*
 * Writes the RRSIGs at node that cover type (RFC 4035 3.1.1) with ttl, the
 * covered RRset's (RFC 4034 3: the RRSIGs of a node are one RRset here,
 * with one TTL, but an NSEC's is not its SOA's); returns the count or -1.
 */
static int
answer_put_signatures(struct answer *answer, const struct name_node *node, const uint8_t *owner,
	uint16_t type, uint32_t ttl)
{
	const struct rrset *signatures = name_node_rrset(node, RRTYPE_RRSIG);
	if (signatures == NULL || type == RRTYPE_RRSIG)
		return 0;
	int count = 0;
	const uint8_t *rdata;
	uint16_t length;
	struct rdata_cursor cursor = rdata_cursor_start(signatures->rdata, signatures->rdata_length);
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		/* The type covered is the first field of RRSIG rdata (RFC 4034 3.1). */
		if (length < 2 || (uint16_t)(rdata[0] << 8 | rdata[1]) != type)
			continue;
		if (!wire_put_rr(&answer->wire, owner, RRTYPE_RRSIG, RRCLASS_IN,
			    ttl, rdata, length))
			return -1;
		count++;
	}
	return count;
}

/* Remembers the names an RRset points to whose addresses help the client. */
static void
answer_collect_targets(struct answer *answer, const struct zone *zone, const struct rrset *rrset)
{
	int skip = rrset_target_skip(rrset->type);
	if (skip < 0 || zone->targets == NULL)
		return;
	/* Resolved at load (zone_finalize): no name is looked up here. */
	const struct name_node *const *targets = zone->targets + rrset->target_base;
	const uint8_t *rdata;
	uint16_t length;
	struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
	for (uint16_t i = 0; rdata_cursor_next(&cursor, &rdata, &length); i++) {
		if (targets[i] != NULL)
			answer_want_additional(answer, zone, targets[i], rdata + skip,
				rrset->type == RRTYPE_NS);
	}
}

bool
answer_put_rrset(struct answer *answer, enum answer_section section, const struct zone *zone,
	const struct name_node *node, const uint8_t *owner, const struct rrset *rrset, uint32_t ttl)
{
	struct wire_mark mark = wire_mark(&answer->wire);
	unsigned count = 0;
	const uint8_t *rdata;
	uint16_t length;
	struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		if (!wire_put_rr(&answer->wire, owner, rrset->type, RRCLASS_IN, ttl, rdata, length))
			goto overflow;
		count++;
	}
	/*
	 * RRSIGs only from a signed zone (a DNSKEY at the apex), as NSD and BIND
	 * answer (Knot sends them anyway; checked on loopback).
	 */
	if (answer->query->dnssec_ok && answer_zone_signed(zone)) {
		int signatures = answer_put_signatures(answer, node, owner, rrset->type, ttl);
		if (signatures < 0)
			goto overflow;
		count += (unsigned)signatures;
	}
	answer->counts[section] += (uint16_t)count;
	answer_remember_written(answer, rrset);
	if (section != SECTION_ADDITIONAL)
		answer_collect_targets(answer, zone, rrset);
	return true;
overflow:
	wire_rollback(&answer->wire, mark);
	return false;
}

void
answer_put_negative_soa(struct answer *answer, const struct zone *zone)
{
	if (zone->soa == NULL)
		return;
	/* RFC 2308 3: the SOA's TTL in a negative answer is min(SOA TTL, MINIMUM). */
	if (!answer_put_rrset(answer, SECTION_AUTHORITY, zone, zone->apex, zone->origin, zone->soa,
		    zone->negative_ttl))
		answer->truncated = true;
}

void
answer_want_additional(struct answer *answer, const struct zone *zone,
	const struct name_node *node, const uint8_t *name, bool glue)
{
	if (answer->additional_count == ANSWER_ADDITIONAL_MAX)
		return;
	for (unsigned i = 0; i < answer->additional_count; i++) {
		if (answer->additional[i].node == node) {
			answer->additional[i].glue |= glue;
			return;
		}
	}
	struct answer_additional *wanted = &answer->additional[answer->additional_count++];
	wanted->zone = zone;
	wanted->node = node;
	wanted->name = name;
	wanted->glue = glue;
}

/* True when a strict ancestor of node owns a DNAME: its data is occluded (RFC 6672 2.4). */
static bool
node_below_dname(const struct name_node *node)
{
	for (const struct name_node *up = node->parent; up != NULL; up = up->parent) {
		if (up->flags & NODE_DNAME)
			return true;
	}
	return false;
}

/*
 * True when wanted's data may be given: authoritative data always; data at
 * or below a zone cut only as NS glue; data below a DNAME never.
 */
static bool
answer_additional_usable(const struct answer_additional *wanted)
{
	const struct name_node *node = wanted->node;
	if (node->cut != NULL && !wanted->glue)
		return false;
	return !(node->flags & NODE_OCCLUDED) || !node_below_dname(node);
}

/* RFC 9471 2: glue at or below the referral's own cut (in-domain) is required. */
static bool
answer_additional_required(const struct answer *answer, const struct answer_additional *wanted)
{
	/* A node below the cut has it as its topmost cut too: nothing is above it. */
	return answer->referral_cut != NULL && wanted->glue
		&& wanted->node->cut == answer->referral_cut;
}

/* Writes wanted's RRset of type, if any; false when it does not fit. */
static bool
answer_put_address(struct answer *answer, const struct answer_additional *wanted, uint16_t type)
{
	const struct rrset *rrset = name_node_rrset(wanted->node, type);
	if (rrset == NULL || answer_was_written(answer, rrset) || !answer_additional_usable(wanted))
		return true;
	return answer_put_rrset(answer, SECTION_ADDITIONAL, wanted->zone, wanted->node, wanted->name,
		rrset, rrset->ttl);
}

void
answer_put_additional(struct answer *answer)
{
	/*
	 * Required glue first, so that optional data never crowds it out; within
	 * each, every name's A before any AAAA, so that a short response still
	 * reaches as many servers as possible.
	 */
	static const uint16_t types[] = {RRTYPE_A, RRTYPE_AAAA};
	if (answer->additional_count == 0)
		return;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
			for (unsigned i = 0; i < answer->additional_count; i++) {
				const struct answer_additional *wanted = &answer->additional[i];
				bool required = answer_additional_required(answer, wanted);
				if (required != (pass == 0) || answer_put_address(answer, wanted, types[t]))
					continue;
				/* RFC 9471 3: in-domain glue that does not fit sets TC; the rest is dropped. */
				if (required)
					answer->truncated = true;
				return;
			}
		}
	}
}
