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

/*
 * The TTL of one record of rrset: a signature asked for itself (QTYPE RRSIG)
 * takes its covered RRset's TTL, as answer_put_signatures() gives it, for
 * the RRSIGs of a node are one RRset here with one TTL (NSD and BIND keep
 * each record's own, which a signer sets to the covered RRset's: an NSEC's
 * signature has the NSEC's TTL, not the apex SOA's).
 */
static uint32_t
answer_record_ttl(const struct name_node *node, const struct rrset *rrset, const uint8_t *rdata,
	uint16_t length, uint32_t ttl)
{
	if (rrset->type != RRTYPE_RRSIG || length < 2)
		return ttl;
	/* The type covered is the first field of RRSIG rdata (RFC 4034 3.1). */
	const struct rrset *covered = name_node_rrset(node, (uint16_t)(rdata[0] << 8 | rdata[1]));
	return covered != NULL ? covered->ttl : ttl;
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
		if (!wire_put_rr(&answer->wire, owner, rrset->type, RRCLASS_IN,
			    answer_record_ttl(node, rrset, rdata, length, ttl), rdata, length))
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

/* True when the length octets of a and b (length of them) are equal ignoring ASCII case. */
static bool
answer_octets_equal_nocase(const uint8_t *a, const uint8_t *b, size_t length)
{
	if (memcmp(a, b, length) == 0)
		return true;  /* the usual case: both as the zone file spells them */
	for (size_t i = 0; i < length; i++) {
		if (dname_lower_table[a[i]] != dname_lower_table[b[i]])
			return false;
	}
	return true;
}

/* True when labels a and b (length octet first) are equal ignoring case; NULL equals nothing. */
static bool
answer_label_equal_nocase(const uint8_t *a, const uint8_t *b)
{
	return a != NULL && b != NULL && a[0] == b[0] && answer_octets_equal_nocase(a, b, 1u + a[0]);
}

/*
 * Splits name (wire form, length octets) before its last suffix_length
 * octets: *prefix_length is where that suffix starts and *above is the
 * label just before it (NULL when the name is the suffix). False when no
 * label starts there.
 */
static bool
answer_split_name(const uint8_t *name, size_t length, size_t suffix_length,
	size_t *prefix_length, const uint8_t **above)
{
	size_t at = 0;
	*above = NULL;
	while (at < length && length - at > suffix_length) {
		*above = name + at;
		at += (size_t)name[at] + 1;
	}
	*prefix_length = at;
	return at < length && length - at == suffix_length;
}

/*
 * The negative SOA written without the compression table, when the
 * response holds only the question so far (NXDOMAIN or NODATA with an empty
 * answer section; no additional names pending, no TSIG, no RRSIG to add)
 * and the zone's MNAME and RNAME are below its apex. Then the general
 * compressor (wire.c) can only find the apex, as the question's suffix:
 * the owner is a pointer to it, and each of MNAME and RNAME its own labels
 * above the apex plus that pointer, unless the label just above the apex
 * is the same in two of QNAME, MNAME and RNAME (then this returns false and
 * the general path runs). The bytes are the same; the compression table
 * is not updated, which is safe because nothing written after the SOA in
 * such a response has a name to compress (the OPT's is the root).
 * Callgrind of the daemon on the benchmark's query mix (20% negative):
 * answer_put_negative_soa from 1320 to 498 instructions per negative
 * answer, 2272 -> 2171 per query; responses compared byte for byte with
 * the general path's on 24680 queries (mixed case, EDNS, DO, names at
 * and below ns1 and hostmaster).
 */
static bool
answer_put_negative_soa_direct(struct answer *answer, const struct zone *zone)
{
	const struct query *query = answer->query;
	struct wire *wire = &answer->wire;
	const struct rrset *soa = zone->soa;
	if (!query->has_question || wire->length != WIRE_HEADER_LENGTH + query->question_length
		|| answer->additional_count != 0 || answer->tsig_mode != ANSWER_TSIG_NONE
		|| (query->dnssec_ok && answer_zone_signed(zone)))
		return false;
	struct rdata_cursor cursor = rdata_cursor_start(soa->rdata, soa->rdata_length);
	const uint8_t *rdata;
	uint16_t rdata_length;
	if (!rdata_cursor_next(&cursor, &rdata, &rdata_length) || cursor.at != cursor.end)
		return false;
	size_t apex = zone->origin_length;
	size_t mname_length = dname_length(rdata);
	if (mname_length >= rdata_length)
		return false;
	size_t rname_length = dname_length(rdata + mname_length);
	if (mname_length + rname_length + 20 != rdata_length)
		return false;
	const uint8_t *mname = rdata, *rname = rdata + mname_length;
	size_t q_prefix, m_prefix, r_prefix;
	const uint8_t *q_above, *m_above, *r_above;
	if (!answer_split_name(query->qname, query->qname_length, apex, &q_prefix, &q_above)
		|| memcmp(query->qname + q_prefix, zone->origin, apex) != 0
		|| !answer_split_name(mname, mname_length, apex, &m_prefix, &m_above) || m_prefix == 0
		|| !answer_octets_equal_nocase(mname + m_prefix, zone->origin, apex)
		|| !answer_split_name(rname, rname_length, apex, &r_prefix, &r_above) || r_prefix == 0
		|| !answer_octets_equal_nocase(rname + r_prefix, zone->origin, apex)
		|| answer_label_equal_nocase(m_above, r_above)
		|| answer_label_equal_nocase(q_above, m_above)
		|| answer_label_equal_nocase(q_above, r_above))
		return false;
	size_t rdlength = m_prefix + 2 + r_prefix + 2 + 20;
	if (wire->capacity - wire->length < 2 + 10 + rdlength)
		return false;   /* the general path sets TC */
	/* The apex within the question (the question starts right after the header). */
	size_t target = WIRE_HEADER_LENGTH + q_prefix;
	uint8_t pointer[2] = {(uint8_t)(0xc0 | target >> 8), (uint8_t)target};
	uint8_t *out = wire->data + wire->length;
	uint32_t ttl = zone->negative_ttl;
	uint8_t fixed[12] = {pointer[0], pointer[1], 0, RRTYPE_SOA, 0, RRCLASS_IN,
		(uint8_t)(ttl >> 24), (uint8_t)(ttl >> 16), (uint8_t)(ttl >> 8), (uint8_t)ttl,
		(uint8_t)(rdlength >> 8), (uint8_t)rdlength};
	memcpy(out, fixed, sizeof fixed);
	out += sizeof fixed;
	memcpy(out, mname, m_prefix);
	memcpy(out + m_prefix, pointer, 2);
	out += m_prefix + 2;
	memcpy(out, rname, r_prefix);
	memcpy(out + r_prefix, pointer, 2);
	out += r_prefix + 2;
	memcpy(out, rdata + mname_length + rname_length, 20);
	/* As wire_put_owner leaves it: later RRs owned by the apex point here. */
	wire->last_owner = zone->origin;
	wire->last_owner_offset = target;
	wire->length += 2 + 10 + rdlength;
	answer->counts[SECTION_AUTHORITY]++;
	answer_remember_written(answer, soa);
	answer_collect_targets(answer, zone, soa);
	return true;
}

void
answer_put_negative_soa(struct answer *answer, const struct zone *zone)
{
	if (zone->soa == NULL)
		return;
	if (answer_put_negative_soa_direct(answer, zone))
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
	/* A wildcard node may stand for several names, itself among them. */
	bool wildcard = name_node_is_wildcard(node);
	for (unsigned i = 0; i < answer->additional_count; i++) {
		if (answer->additional[i].node == node
			&& (!wildcard || dname_equal(answer->additional[i].name, name))) {
			answer->additional[i].glue |= glue;
			return;
		}
	}
	struct answer_additional *wanted = &answer->additional[answer->additional_count++];
	wanted->zone = zone;
	wanted->node = node;
	wanted->name = name;
	wanted->glue = glue;
	wanted->synthesized = wildcard && !dname_equal(name, node->name);
}

/* True when a strict ancestor of node owns a DNAME: its data is occluded (RFC 6672 2.4). */
static bool
node_below_dname(const struct zone *zone, const struct name_node *node)
{
	for (const struct name_node *up = node_parent(zone, node); up != NULL;
		up = node_parent(zone, up)) {
		unsigned flags = node_flags(zone, up);
		if (flags & NODE_DNAME)
			return true;
		/* An ancestor's DNAME would make this one occluded: none above. */
		if (!(flags & NODE_OCCLUDED))
			return false;
	}
	return false;
}

/*
 * True when wanted's data may be given: authoritative data always; data at
 * or below a zone cut only as NS glue, and never from a wildcard there;
 * data below a DNAME never.
 */
static bool
answer_additional_usable(const struct answer_additional *wanted)
{
	const struct zone *zone = wanted->zone;
	const struct name_node *node = wanted->node;
	const struct node_links *links = node_links(zone, node);
	if ((links->flags & (NODE_DELEGATION | NODE_BELOW_CUT))
		&& (!wanted->glue || wanted->synthesized))
		return false;
	return !(links->flags & NODE_OCCLUDED) || !node_below_dname(zone, node);
}

/* RFC 9471 2: glue at or below the referral's own cut (in-domain) is required. */
static bool
answer_additional_required(const struct answer *answer, const struct answer_additional *wanted)
{
	/* A node below the cut has it as its topmost cut too: nothing is above it. */
	return answer->referral_cut != NULL && wanted->glue
		&& node_cut(wanted->zone, wanted->node) == answer->referral_cut;
}

/* Writes wanted's RRset of type, if any; false when it does not fit. */
static bool
answer_put_address(struct answer *answer, const struct answer_additional *wanted, uint16_t type)
{
	const struct rrset *rrset = name_node_rrset(wanted->node, type);
	/* A wildcard's RRset is written once per name it stands for. */
	if (rrset == NULL || (answer_was_written(answer, rrset) && !wanted->synthesized)
		|| !answer_additional_usable(wanted))
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
	/* Once per name, not per pass and type: finding a glue name's cut walks up (node_cut()). */
	bool required[ANSWER_ADDITIONAL_MAX];
	for (unsigned i = 0; i < answer->additional_count; i++)
		required[i] = answer_additional_required(answer, &answer->additional[i]);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
			for (unsigned i = 0; i < answer->additional_count; i++) {
				const struct answer_additional *wanted = &answer->additional[i];
				if (required[i] != (pass == 0) || answer_put_address(answer, wanted, types[t]))
					continue;
				/* RFC 9471 3: in-domain glue that does not fit sets TC; the rest is dropped. */
				if (required[i])
					answer->truncated = true;
				return;
			}
		}
	}
}
