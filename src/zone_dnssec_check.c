/*
 * zone_dnssec_check.c: verify a signed zone (zone_dnssec_check.h): the
 * NSEC or NSEC3 chain against the names and types of the zone index, and
 * every authoritative RRset's signatures through ldns.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/nsec3.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zone_dnssec_check.h"
#include "zoned/zone_sources.h"

/* Findings the load-time check prints before it only counts them. */
#define ZONE_CHECK_DENIAL_MAX_REPORTS 20
/* RFC 5155 3.1.2.1: the opt-out flag of an NSEC3 record. */
#define NSEC3_FLAG_OPT_OUT 0x01
/* RFC 4034 4.1.2: 256 windows of at most 32 octets, each with 2 octets of header. */
#define BITMAP_MAX_LENGTH (256 * 34)

/* State of one zone_dnssec_check() run. */
struct dnssec_pass {
	const struct zone *zone;
	const struct zone_dnssec_check_options *options;
	struct diag *d;
	struct zone_dnssec_check_result result;
	/* Per node of zone->nodes: the name or a name below it has data that
	 * opt-out may not leave out (anything but insecure delegations). */
	uint8_t *secure_below;
	/* Per node of zone->nsec3_nodes: some name of the zone hashes to it. */
	uint8_t *nsec3_matched;
	ldns_rr_list *keys;             /* the apex DNSKEY RRset, for ldns */
	time_t now;
	uint8_t bitmap[BITMAP_MAX_LENGTH];  /* check_bitmap()'s expected bitmap */
};

/*
 * Emits message about owner (and its RRset of type, 0 for the name alone)
 * at level, at the file:line of record rdata of type source_type, or of
 * the RRset's first record when rdata is NULL.
 */
static void
pass_emit(struct dnssec_pass *pass, enum diag_level level, const uint8_t *owner, uint16_t type,
	uint16_t source_type, const uint8_t *rdata, size_t rdata_length, const char *message)
{
	char owner_text[DNAME_MAX_LENGTH * 4 + 2], type_buffer[RRTYPE_TEXT_MAX];
	dname_format(owner, owner_text, sizeof owner_text);
	const char *file = NULL;
	unsigned long line = 0;
	if (source_type == 0 || !zone_sources_find(pass->options->sources, owner, source_type,
		    rdata, rdata_length, &file, &line)) {
		file = NULL;
		line = 0;
	}
	if (type != 0)
		diag_report(pass->d, level, file, line, "%s/%s: %s", owner_text,
			rrtype_to_text(type, type_buffer), message);
	else
		diag_report(pass->d, level, file, line, "%s: %s", owner_text, message);
}

/* One finding, at the options' level and counted: pass_emit() with a format. */
static void __attribute__((format(printf, 7, 8)))
pass_report(struct dnssec_pass *pass, const uint8_t *owner, uint16_t type,
	uint16_t source_type, const uint8_t *rdata, size_t rdata_length, const char *format, ...)
{
	char message[1024];
	va_list args;
	va_start(args, format);
	vsnprintf(message, sizeof message, format, args);
	va_end(args);
	unsigned limit = pass->options->max_reports;
	if (limit == 0 || pass->result.findings < limit)
		pass_emit(pass, pass->options->level, owner, type, source_type, rdata,
			rdata_length, message);
	pass->result.findings++;
}

/* The type to locate a name by in messages: its first RRset's, or 0 for an ENT. */
static uint16_t
node_source_type(const struct name_node *node)
{
	return node->rrset_count > 0 ? name_node_rrsets(node)[0].type : 0;
}

/* The first record of rrset: its rdata and length. */
static const uint8_t *
rrset_first(const struct rrset *rrset, size_t *length)
{
	*length = (size_t)(rrset->rdata[0] << 8 | rrset->rdata[1]);
	return rrset->rdata + 2;
}

/*
 * RFC 4035 2.3 / RFC 5155 7.1: the types a name's NSEC or NSEC3 lists. At a
 * zone cut only the parent's side is the zone's: NS, DS and their proofs.
 */
static bool
type_in_bitmap(const struct zone *zone, const struct name_node *node, uint16_t type)
{
	if (!(node_flags(zone, node) & NODE_DELEGATION))
		return true;
	return type == RRTYPE_NS || type == RRTYPE_DS || type == RRTYPE_NSEC
		|| type == RRTYPE_RRSIG;
}

/* Writes the RFC 4034 4.1.2 type bitmap of node's types into out; returns its length. */
static size_t
bitmap_from_node(const struct zone *zone, const struct name_node *node, uint8_t out[BITMAP_MAX_LENGTH])
{
	const struct rrset *rrsets = name_node_rrsets(node);
	size_t length = 0, window_start = 0;
	int window = -1;
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		uint16_t type = rrsets[i].type;  /* sorted ascending */
		if (!type_in_bitmap(zone, node, type))
			continue;
		if ((type >> 8) != window) {
			window = type >> 8;
			window_start = length;
			out[length++] = (uint8_t)window;
			out[length++] = 0;
		}
		uint8_t octet = (uint8_t)((type & 0xff) >> 3);
		while (out[window_start + 1] <= octet) {
			out[length++] = 0;
			out[window_start + 1]++;
		}
		out[window_start + 2 + octet] |= (uint8_t)(0x80 >> (type & 7));
	}
	return length;
}

/* Appends the mnemonics of the types in bitmap (wire form) to text, space separated. */
static void
bitmap_to_text(const uint8_t *bitmap, size_t length, char *text, size_t size)
{
	size_t used = 0;
	char buffer[RRTYPE_TEXT_MAX];
	text[0] = '\0';
	for (size_t at = 0; at + 2 <= length;) {
		unsigned window = bitmap[at], octets = bitmap[at + 1];
		if (at + 2 + octets > length)
			break;
		for (unsigned i = 0; i < octets * 8; i++) {
			if (!(bitmap[at + 2 + i / 8] & (0x80 >> (i % 8))))
				continue;
			int written = snprintf(text + used, size - used, "%s%s", used ? " " : "",
				rrtype_to_text((uint16_t)(window << 8 | i), buffer));
			if (written < 0 || (size_t)written >= size - used)
				return;
			used += (size_t)written;
		}
		at += 2 + octets;
	}
	if (used == 0)
		snprintf(text, size, "(none)");
}

/* Compares the bitmap of a denial record (at rdata + offset) with node's types. */
static void
check_bitmap(struct dnssec_pass *pass, const uint8_t *owner, uint16_t type,
	const struct name_node *node, const uint8_t *rdata, size_t length, size_t offset)
{
	uint8_t *expected = pass->bitmap;
	size_t expected_length = bitmap_from_node(pass->zone, node, expected);
	const uint8_t *found = rdata + offset;
	size_t found_length = length - offset;
	if (found_length == expected_length && memcmp(found, expected, found_length) == 0)
		return;
	char found_text[1024], expected_text[1024];
	bitmap_to_text(found, found_length, found_text, sizeof found_text);
	bitmap_to_text(expected, expected_length, expected_text, sizeof expected_text);
	pass_report(pass, owner, type, type, rdata, length,
		"type bitmap lists %s, but the name has %s", found_text, expected_text);
}

/* Names the chain must reach: authoritative names with data (RFC 4035 2.3). */
static bool
node_in_nsec_chain(const struct zone *zone, const struct name_node *node)
{
	return !(node_flags(zone, node) & NODE_OCCLUDED) && node->rrset_count > 0;
}

/* RFC 4034 4.1.1: each NSEC names the next name with data in canonical order, the last the apex. */
static void
check_nsec_chain(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		const struct rrset *nsec = name_node_rrset(node, RRTYPE_NSEC);
		if (!node_in_nsec_chain(zone, node)) {
			if (nsec != NULL)
				pass_report(pass, node->name, RRTYPE_NSEC, RRTYPE_NSEC, NULL, 0,
					"NSEC at a name that is not authoritative (below a zone cut or DNAME)");
			continue;
		}
		pass->result.names++;
		if (nsec == NULL) {
			pass_report(pass, node->name, 0, node_source_type(node), NULL, 0,
				"no NSEC record: the chain skips this name");
			continue;
		}
		pass->result.chain_length++;
		if (nsec->rr_count > 1)
			pass_report(pass, node->name, RRTYPE_NSEC, RRTYPE_NSEC, NULL, 0,
				"%u NSEC records at one name", (unsigned)nsec->rr_count);
		const struct name_node *next = zone->apex;
		for (size_t j = i + 1; j < zone->node_count; j++) {
			if (node_in_nsec_chain(zone, zone->nodes[j])) {
				next = zone->nodes[j];
				break;
			}
		}
		size_t length;
		const uint8_t *rdata = rrset_first(nsec, &length);
		size_t next_length = rrtype_name_length(rdata, length, 0);
		if (next_length == 0)
			continue;  /* the loader checked the rdata */
		uint8_t found[DNAME_MAX_LENGTH];
		memcpy(found, rdata, next_length);
		dname_lower(found);
		if (!dname_equal(found, next->name)) {
			char found_text[DNAME_MAX_LENGTH * 4 + 2], next_text[DNAME_MAX_LENGTH * 4 + 2];
			dname_format(found, found_text, sizeof found_text);
			dname_format(next->name, next_text, sizeof next_text);
			pass_report(pass, node->name, RRTYPE_NSEC, RRTYPE_NSEC, rdata, length,
				"next name is %s, expected %s (chain broken or out of order)",
				found_text, next_text);
		}
		check_bitmap(pass, node->name, RRTYPE_NSEC, node, rdata, length, next_length);
	}
}

/*
 * RFC 5155 7.1 and 6: with opt-out, an insecure delegation, and an empty
 * non-terminal with nothing but insecure delegations below, may go without
 * an NSEC3. Marks, per node, whether anything else is at or below it.
 */
static void
mark_secure_below(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	/* Canonical order puts each name before its descendants: walk backwards. */
	for (size_t i = zone->node_count; i-- > 0;) {
		const struct name_node *node = zone->nodes[i];
		if (node_flags(zone, node) & NODE_OCCLUDED)
			continue;
		bool insecure_cut = (node_flags(zone, node) & NODE_DELEGATION)
			&& name_node_rrset(node, RRTYPE_DS) == NULL;
		if (node->rrset_count > 0 && !insecure_cut)
			pass->secure_below[i] = 1;
		if (pass->secure_below[i] && node_parent(zone, node) != NULL)
			pass->secure_below[node_index(zone, node_parent(zone, node))] = 1;
	}
}

/* The fields of one NSEC3 record's rdata (RFC 5155 3.2). */
struct nsec3_fields {
	uint8_t algorithm, flags;
	uint16_t iterations;
	const uint8_t *salt, *next;
	uint8_t salt_length, next_length;
	size_t bitmap_offset;
};

static bool
nsec3_parse(const uint8_t *rdata, size_t length, struct nsec3_fields *fields)
{
	if (length < 5 || length < 6u + rdata[4] || length < 6u + rdata[4] + rdata[5 + rdata[4]])
		return false;
	fields->algorithm = rdata[0];
	fields->flags = rdata[1];
	fields->iterations = (uint16_t)(rdata[2] << 8 | rdata[3]);
	fields->salt_length = rdata[4];
	fields->salt = rdata + 5;
	fields->next_length = rdata[5 + rdata[4]];
	fields->next = rdata + 6 + rdata[4];
	fields->bitmap_offset = 6u + rdata[4] + fields->next_length;
	return true;
}

/* A name without an NSEC3: fine only when opt-out lets it go (RFC 5155 7.1). */
static void
check_name_without_nsec3(struct dnssec_pass *pass, const struct name_node *node)
{
	const struct zone *zone = pass->zone;
	const struct nsec3_params *params = &zone->nsec3_params;
	uint8_t hash[NSEC3_SHA1_LENGTH], text[63];
	nsec3_hash_name(node->name, params->salt, params->salt_length, params->iterations, hash);
	size_t text_length = nsec3_hash_to_text(hash, sizeof hash, text);
	if (!pass->secure_below[node_index(zone, node)]) {
		const struct name_node *cover = zone_nsec3_find_cover(zone, hash, sizeof hash);
		const struct rrset *rrset = cover != NULL ? name_node_rrset(cover, RRTYPE_NSEC3) : NULL;
		struct nsec3_fields fields;
		size_t length;
		const uint8_t *rdata = rrset != NULL ? rrset_first(rrset, &length) : NULL;
		if (rdata != NULL && nsec3_parse(rdata, length, &fields)
			&& (fields.flags & NSEC3_FLAG_OPT_OUT))
			return;  /* opted out, and the NSEC3 covering it says so */
		pass_report(pass, node->name, 0, node_source_type(node), NULL, 0,
			"no NSEC3 record (hash %.*s), and no opt-out NSEC3 covers it",
			(int)text_length, (const char *)text);
		return;
	}
	pass_report(pass, node->name, 0, node_source_type(node), NULL, 0,
		"no NSEC3 record (hash %.*s)", (int)text_length, (const char *)text);
}

/* Every authoritative name has its NSEC3 (or is opted out), with the right bitmap. */
static void
check_nsec3_names(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	mark_secure_below(pass);
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		if (node_flags(zone, node) & NODE_OCCLUDED)
			continue;
		pass->result.names++;
		const struct name_node *nsec3 = zone_node_nsec3(zone, node);
		if (nsec3 == NULL) {
			check_name_without_nsec3(pass, node);
			continue;
		}
		pass->nsec3_matched[node_index(zone, nsec3)] = 1;
		const struct rrset *rrset = name_node_rrset(nsec3, RRTYPE_NSEC3);
		size_t length;
		const uint8_t *rdata = rrset_first(rrset, &length);
		struct nsec3_fields fields;
		if (nsec3_parse(rdata, length, &fields))
			check_bitmap(pass, nsec3->name, RRTYPE_NSEC3, node, rdata, length,
				fields.bitmap_offset);
	}
}

/* One NSEC3 of the chain: its parameters, its successor, whether a name matches it. */
static void
check_nsec3_record(struct dnssec_pass *pass, size_t i)
{
	const struct zone *zone = pass->zone;
	const struct name_node *node = zone->nsec3_nodes[i];
	const struct name_node *next = zone->nsec3_nodes[(i + 1) % zone->nsec3_count];
	const struct rrset *rrset = name_node_rrset(node, RRTYPE_NSEC3);
	const struct nsec3_params *params = &zone->nsec3_params;
	size_t length;
	const uint8_t *rdata = rrset_first(rrset, &length);
	struct nsec3_fields fields;
	pass->result.chain_length++;
	if (rrset->rr_count > 1)
		pass_report(pass, node->name, RRTYPE_NSEC3, RRTYPE_NSEC3, NULL, 0,
			"%u NSEC3 records at one owner", (unsigned)rrset->rr_count);
	if (!nsec3_parse(rdata, length, &fields))
		return;
	if (fields.algorithm != params->algorithm || fields.iterations != params->iterations
		|| fields.salt_length != params->salt_length
		|| memcmp(fields.salt, params->salt, params->salt_length) != 0) {
		pass_report(pass, node->name, RRTYPE_NSEC3, RRTYPE_NSEC3, rdata, length,
			"parameters (algorithm %u, %u iterations, salt of %u octets) differ from "
			"the NSEC3PARAM's (%u, %u, %u)", fields.algorithm, fields.iterations,
			fields.salt_length, params->algorithm, params->iterations,
			params->salt_length);
		return;
	}
	if (!pass->nsec3_matched[i])
		pass_report(pass, node->name, RRTYPE_NSEC3, RRTYPE_NSEC3, rdata, length,
			"no name of the zone hashes to this owner");
	uint8_t next_text[63];
	size_t next_length = nsec3_hash_to_text(fields.next, fields.next_length, next_text);
	if (next_length != next->name[0] || memcmp(next_text, next->name + 1, next_length) != 0)
		pass_report(pass, node->name, RRTYPE_NSEC3, RRTYPE_NSEC3, rdata, length,
			"next hashed owner is %.*s, expected %.*s (chain broken)",
			(int)next_length, (const char *)next_text, (int)next->name[0],
			(const char *)next->name + 1);
}

/* RFC 5155 7.1: the chain of the apex NSEC3PARAM's parameters, complete and closed. */
static void
check_nsec3_chain(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	if (zone->nsec3_count == 0) {
		pass_report(pass, zone->origin, RRTYPE_NSEC3PARAM, RRTYPE_NSEC3PARAM, NULL, 0,
			"NSEC3PARAM but no NSEC3 records");
		return;
	}
	check_nsec3_names(pass);
	for (size_t i = 0; i < zone->nsec3_count; i++)
		check_nsec3_record(pass, i);
}

/* Which chains the zone has, and the one finding when it has none it can use. */
static void
check_denial(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	pass->result.nsec = name_node_rrset(zone->apex, RRTYPE_NSEC) != NULL;
	pass->result.nsec3 = zone->has_nsec3_params;
	if (pass->result.nsec)
		check_nsec_chain(pass);
	if (pass->result.nsec3)
		check_nsec3_chain(pass);
	if (pass->result.nsec || pass->result.nsec3)
		return;
	if (name_node_rrset(zone->apex, RRTYPE_NSEC3PARAM) != NULL)
		pass_report(pass, zone->origin, RRTYPE_NSEC3PARAM, RRTYPE_NSEC3PARAM, NULL, 0,
			"no usable NSEC3PARAM (SHA-1, flags 0) and no NSEC at the apex: "
			"no denial of existence");
	else
		pass_report(pass, zone->origin, 0, RRTYPE_SOA, NULL, 0,
			"no NSEC at the apex and no NSEC3PARAM: the zone has no denial of "
			"existence (RFC 4035 2.3, RFC 5155 7.1)");
}

/* An ldns record from one of the zone's records (owner lowercased, wire rdata). */
static ldns_rr *
record_to_ldns(const struct zone *zone, const uint8_t *owner, uint16_t type, uint32_t ttl,
	const uint8_t *rdata, size_t length)
{
	uint8_t wire[DNAME_MAX_LENGTH + 10 + 65535];
	size_t owner_length = dname_length(owner), position = 0;
	memcpy(wire, owner, owner_length);
	uint8_t *header = wire + owner_length;
	header[0] = (uint8_t)(type >> 8);
	header[1] = (uint8_t)type;
	header[2] = (uint8_t)(zone->zone_class >> 8);
	header[3] = (uint8_t)zone->zone_class;
	header[4] = (uint8_t)(ttl >> 24);
	header[5] = (uint8_t)(ttl >> 16);
	header[6] = (uint8_t)(ttl >> 8);
	header[7] = (uint8_t)ttl;
	header[8] = (uint8_t)(length >> 8);
	header[9] = (uint8_t)length;
	memcpy(header + 10, rdata, length);
	ldns_rr *rr = NULL;
	if (ldns_wire2rr(&rr, wire, owner_length + 10 + length, &position,
		    LDNS_SECTION_ANSWER) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

/* The RRset as an ldns list; NULL when ldns refuses a record or memory runs out. */
static ldns_rr_list *
rrset_to_ldns(const struct zone *zone, const uint8_t *owner, const struct rrset *rrset)
{
	ldns_rr_list *list = ldns_rr_list_new();
	if (list == NULL)
		return NULL;
	struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		ldns_rr *rr = record_to_ldns(zone, owner, rrset->type, rrset->ttl, rdata, length);
		if (rr == NULL || !ldns_rr_list_push_rr(list, rr)) {
			ldns_rr_free(rr);
			ldns_rr_list_deep_free(list);
			return NULL;
		}
	}
	return list;
}

static uint16_t
rrsig_type_covered(const uint8_t *rdata, size_t length)
{
	return length >= 2 ? (uint16_t)(rdata[0] << 8 | rdata[1]) : 0;
}

static uint32_t
read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * RFC 4034 3.1.5: the validity window in serial number arithmetic
 * (RFC 1982), so 32-bit times after 2038 and 2106 still compare right.
 * Done here because ldns 1.8.3 compares them as signed 32-bit numbers and
 * calls every signature expiring after 2038 "expiration before inception".
 */
static ldns_status
rrsig_check_window(const uint8_t *rdata, uint32_t now)
{
	uint32_t expiration = read_u32(rdata + 8), inception = read_u32(rdata + 12);
	if ((int32_t)(expiration - inception) < 0)
		return LDNS_STATUS_CRYPTO_EXPIRATION_BEFORE_INCEPTION;
	if ((int32_t)(now - inception) < 0)
		return LDNS_STATUS_CRYPTO_SIG_NOT_INCEPTED;
	if ((int32_t)(expiration - now) < 0)
		return LDNS_STATUS_CRYPTO_SIG_EXPIRED;
	return LDNS_STATUS_OK;
}

/* What checking one RRSIG (rdata of at least 18 octets) against the apex keys gave. */
static ldns_status
verify_one(struct dnssec_pass *pass, ldns_rr_list *rrset_list, const uint8_t *owner,
	const uint8_t *rdata, size_t length, uint32_t ttl)
{
	const struct zone *zone = pass->zone;
	/* RFC 4035 5.3.1: the signer is the zone, whose apex holds the keys. */
	size_t signer_length = rrtype_name_length(rdata, length, 18);
	if (signer_length == 0)
		return LDNS_STATUS_CRYPTO_BOGUS;  /* malformed: the loader lets none through */
	uint8_t signer[DNAME_MAX_LENGTH];
	memcpy(signer, rdata + 18, signer_length);
	dname_lower(signer);
	if (!dname_equal(signer, zone->origin))
		return LDNS_STATUS_CRYPTO_NO_MATCHING_KEYTAG_DNSKEY;
	ldns_rr *rrsig = record_to_ldns(zone, owner, RRTYPE_RRSIG, ttl, rdata, length);
	if (rrsig == NULL)
		return LDNS_STATUS_MEM_ERR;
	ldns_status status = ldns_verify_rrsig_keylist_notime(rrset_list, rrsig, pass->keys, NULL);
	ldns_rr_free(rrsig);
	if (status != LDNS_STATUS_OK)
		return status;
	return rrsig_check_window(rdata, (uint32_t)pass->now);
}

/*
 * RFC 4035 5.3: at least one RRSIG over the RRset verifies with an apex
 * DNSKEY and is valid now. Reports the RRset otherwise, at the line of its
 * first failing RRSIG; failing RRSIGs beside a good one are only warnings.
 */
static int
check_rrset_signatures(struct dnssec_pass *pass, const struct name_node *node,
	const struct rrset *rrset, const struct rrset *rrsigs)
{
	pass->result.rrsets++;
	unsigned good = 0, covering = 0;
	const uint8_t *bad_rdata = NULL;
	size_t bad_length = 0;
	ldns_status bad_status = LDNS_STATUS_OK;
	ldns_rr_list *list = NULL;
	struct rdata_cursor cursor = rdata_cursor_start(rrsigs != NULL ? rrsigs->rdata : NULL,
		rrsigs != NULL ? rrsigs->rdata_length : 0);
	const uint8_t *rdata;
	uint16_t length;
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		if (length < 18 || rrsig_type_covered(rdata, length) != rrset->type)
			continue;
		covering++;
		if (list == NULL && (list = rrset_to_ldns(pass->zone, node->name, rrset)) == NULL)
			return ZONED_ENOMEM;
		ldns_status status = verify_one(pass, list, node->name, rdata, length, rrsigs->ttl);
		if (status == LDNS_STATUS_MEM_ERR) {
			ldns_rr_list_deep_free(list);
			return ZONED_ENOMEM;
		}
		if (status == LDNS_STATUS_OK) {
			good++;
			continue;
		}
		if (bad_rdata == NULL) {
			bad_rdata = rdata;
			bad_length = length;
			bad_status = status;
		}
	}
	ldns_rr_list_deep_free(list);
	pass->result.signatures += good;
	if (covering == 0) {
		pass_report(pass, node->name, rrset->type, rrset->type, NULL, 0, "no RRSIG");
	} else if (good == 0) {
		pass_report(pass, node->name, rrset->type, RRTYPE_RRSIG, bad_rdata, bad_length,
			"no valid RRSIG: %s (key tag %u)", ldns_get_errorstr_by_id(bad_status),
			(unsigned)(bad_rdata[16] << 8 | bad_rdata[17]));
	} else if (bad_rdata != NULL) {
		char message[256];
		snprintf(message, sizeof message, "an RRSIG fails (%s, key tag %u) beside a valid one",
			ldns_get_errorstr_by_id(bad_status),
			(unsigned)(bad_rdata[16] << 8 | bad_rdata[17]));
		pass_emit(pass, DIAG_WARNING, node->name, rrset->type, RRTYPE_RRSIG, bad_rdata,
			bad_length, message);
	}
	return 0;
}

/* RRSIGs at node covering a type the name does not have. */
static void
check_orphan_rrsigs(struct dnssec_pass *pass, const struct name_node *node,
	const struct rrset *rrsigs)
{
	struct rdata_cursor cursor = rdata_cursor_start(rrsigs->rdata, rrsigs->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	while (rdata_cursor_next(&cursor, &rdata, &length)) {
		uint16_t covered = rrsig_type_covered(rdata, length);
		const struct rrset *rrset = name_node_rrset(node, covered);
		if (rrset == NULL || covered == RRTYPE_RRSIG)
			pass_report(pass, node->name, covered, RRTYPE_RRSIG, rdata, length,
				"RRSIG over an RRset the name does not have");
	}
}

/* Every authoritative RRset at node (RFC 4035 2.2: not NS or glue at a cut). */
static int
check_node_signatures(struct dnssec_pass *pass, const struct name_node *node)
{
	if (node_flags(pass->zone, node) & NODE_OCCLUDED)
		return 0;
	const struct rrset *rrsets = name_node_rrsets(node);
	const struct rrset *rrsigs = name_node_rrset(node, RRTYPE_RRSIG);
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		uint16_t type = rrsets[i].type;
		if (type == RRTYPE_RRSIG)
			continue;
		if ((node_flags(pass->zone, node) & NODE_DELEGATION) && type != RRTYPE_DS && type != RRTYPE_NSEC)
			continue;
		int status = check_rrset_signatures(pass, node, &rrsets[i], rrsigs);
		if (status != 0)
			return status;
	}
	if (rrsigs != NULL)
		check_orphan_rrsigs(pass, node, rrsigs);
	return 0;
}

/* The apex DNSKEY RRset as ldns keys; false (reported) when there is none. */
static int
load_keys(struct dnssec_pass *pass)
{
	const struct zone *zone = pass->zone;
	const struct rrset *dnskey = name_node_rrset(zone->apex, RRTYPE_DNSKEY);
	if (dnskey == NULL) {
		pass_report(pass, zone->origin, 0, RRTYPE_SOA, NULL, 0,
			"no DNSKEY at the apex: the zone is not signed");
		return 1;
	}
	pass->keys = rrset_to_ldns(zone, zone->origin, dnskey);
	return pass->keys == NULL ? ZONED_ENOMEM : 0;
}

static int
check_signatures(struct dnssec_pass *pass)
{
	int status = load_keys(pass);
	if (status != 0)
		return status < 0 ? status : 0;
	const struct zone *zone = pass->zone;
	for (size_t i = 0; i < zone->node_count && status == 0; i++)
		status = check_node_signatures(pass, zone->nodes[i]);
	for (size_t i = 0; i < zone->nsec3_count && status == 0; i++)
		status = check_node_signatures(pass, zone->nsec3_nodes[i]);
	return status;
}

/* True when an authoritative name of the zone (or an NSEC3 owner) has an RRSIG. */
static bool
zone_has_rrsigs(const struct zone *zone)
{
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct name_node *node = zone->nodes[i];
		/* RRSIGs below a cut belong to the child, whatever the file holds. */
		if (!(node_flags(zone, node) & NODE_OCCLUDED) && name_node_rrset(node, RRTYPE_RRSIG) != NULL)
			return true;
	}
	for (size_t i = 0; i < zone->nsec3_count; i++) {
		if (name_node_rrset(zone->nsec3_nodes[i], RRTYPE_RRSIG) != NULL)
			return true;
	}
	return false;
}

bool
zone_dnssec_is_signed(const struct zone *zone)
{
	return name_node_rrset(zone->apex, RRTYPE_DNSKEY) != NULL && zone_has_rrsigs(zone);
}

int
zone_dnssec_check(const struct zone *zone, const struct zone_dnssec_check_options *options,
	struct diag *d, struct zone_dnssec_check_result *result)
{
	struct dnssec_pass pass = { .zone = zone, .options = options, .d = d };
	pass.now = options->now != 0 ? options->now : time(NULL);
	pass.secure_below = calloc(zone->node_count + 1, 1);
	pass.nsec3_matched = calloc(zone->nsec3_count + 1, 1);
	int status = 0;
	if (pass.secure_below == NULL || pass.nsec3_matched == NULL)
		status = ZONED_ENOMEM;
	if (status == 0)
		check_denial(&pass);
	if (status == 0 && options->signatures)
		status = check_signatures(&pass);
	unsigned limit = options->max_reports;
	if (limit != 0 && pass.result.findings > limit)
		diag_report(d, options->level, NULL, 0, "%u more DNSSEC problems not shown",
			pass.result.findings - limit);
	free(pass.secure_below);
	free(pass.nsec3_matched);
	ldns_rr_list_deep_free(pass.keys);
	if (result != NULL)
		*result = pass.result;
	return status != 0 ? status : (int)pass.result.findings;
}

unsigned
zone_check_denial(const struct zone *zone, const struct zone_check_modes *modes,
	struct zone_sources *sources, struct diag *d)
{
	if (modes->denial == CHECK_IGNORE)
		return 0;
	struct zone_dnssec_check_options options = {
		.signatures = false,
		.level = modes->denial == CHECK_FAIL ? DIAG_ERROR : DIAG_WARNING,
		.sources = sources,
		.max_reports = ZONE_CHECK_DENIAL_MAX_REPORTS,
	};
	int findings = 0;
	if (zone_dnssec_is_signed(zone)) {
		findings = zone_dnssec_check(zone, &options, d, NULL);
	} else if (zone_has_rrsigs(zone)) {
		/* RFC 4035 5.3.1: without the zone's keys no signature can validate. */
		struct dnssec_pass pass = { .zone = zone, .options = &options, .d = d };
		pass_report(&pass, zone->origin, 0, RRTYPE_SOA, NULL, 0,
			"RRSIGs but no DNSKEY at the apex: no signature can be validated");
		findings = (int)pass.result.findings;
	}
	return modes->denial == CHECK_FAIL && findings > 0 ? (unsigned)findings : 0;
}
