/* query.c: parse a query from wire bytes: header, question, OPT; drop/FORMERR/NOTIMP/BADVERS. */
#include <string.h>

#include "zoned/cookie.h"
#include "zoned/query.h"
#include "zoned/wire.h"

#define EDNS_OPTION_NSID 3

/* A cursor over the packet: every read checks the bounds. */
struct reader {
	const uint8_t *data;
	size_t length;
	size_t offset;
};

static bool
reader_u16(struct reader *reader, uint16_t *value)
{
	if (reader->length - reader->offset < 2)
		return false;
	*value = (uint16_t)(reader->data[reader->offset] << 8 | reader->data[reader->offset + 1]);
	reader->offset += 2;
	return true;
}

static bool
reader_u32(struct reader *reader, uint32_t *value)
{
	uint16_t high, low;
	if (!reader_u16(reader, &high) || !reader_u16(reader, &low))
		return false;
	*value = (uint32_t)high << 16 | low;
	return true;
}

/* Lowercases the ASCII letters of eight octets at once (any other octet is kept). */
static inline uint64_t
query_lower_word(uint64_t x)
{
	const uint64_t high = UINT64_C(0x8080808080808080);
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t low7 = x & ~high;
	/* Per octet, bit 7 of each sum says ">= 'A'" and "> 'Z'" for the low 7 bits. */
	uint64_t from_a = low7 + ones * (0x80 - 'A');
	uint64_t above_z = low7 + ones * (0x80 - 'Z' - 1);
	uint64_t upper = (from_a ^ above_z) & ~x & high;
	return x | upper >> 2;   /* 0x80 >> 2 is the case bit 0x20 */
}

/* Copies length octets from in to out, lowercased (a whole name: length octets < 64 stay). */
static void
query_copy_lower(uint8_t *out, const uint8_t *in, size_t length)
{
	size_t i = 0;
	for (; i + 8 <= length; i += 8) {
		uint64_t word;
		memcpy(&word, in + i, 8);
		word = query_lower_word(word);
		memcpy(out + i, &word, 8);
	}
	if (i < length && length >= 8) {
		/* The last eight octets again, overlapping: lowering twice changes nothing. */
		uint64_t word;
		memcpy(&word, in + length - 8, 8);
		word = query_lower_word(word);
		memcpy(out + length - 8, &word, 8);
		return;
	}
	for (; i < length; i++)
		out[i] = dname_lower_table[in[i]];
}

/*
 * Reads the question name, which must be uncompressed: a pointer, a label
 * type other than 00, a name over 255 octets or one running past the end is
 * malformed (RFC 1035 4.1.4 allows pointers, but a question is the first name
 * in the message, so there is nothing earlier to point to). Stores the name
 * lowercased.
 */
static bool
query_read_qname(struct query *query, struct reader *reader)
{
	const uint8_t *name = reader->data + reader->offset;
	size_t available = reader->length - reader->offset;
	size_t length = 0;
	/* Check the labels first, then copy the whole name in words. */
	for (;;) {
		if (length >= available)
			return false;
		uint8_t label = name[length];
		if (label > DNAME_MAX_LABEL)
			return false;  /* 01, 10 (bad label type) or 11 (compression) */
		length += 1 + (size_t)label;
		if (length > DNAME_MAX_LENGTH || length > available)
			return false;
		if (label == 0)
			break;
	}
	query_copy_lower(query->qname, name, length);
	query->qname_length = (uint8_t)length;
	reader->offset += length;
	return true;
}

/* Skips a name anywhere else in the message; pointers allowed. */
static bool
reader_skip_name(struct reader *reader)
{
	size_t length = 0;
	for (;;) {
		if (reader->offset >= reader->length)
			return false;
		uint8_t label = reader->data[reader->offset];
		if ((label & 0xc0) == 0xc0) {
			/* The pointer ends the name; its target is never read here. */
			if (reader->length - reader->offset < 2)
				return false;
			reader->offset += 2;
			return true;
		}
		if (label > DNAME_MAX_LABEL)
			return false;
		length += 1 + (size_t)label;
		if (length > DNAME_MAX_LENGTH || reader->length - reader->offset < 1 + (size_t)label)
			return false;
		reader->offset += 1 + (size_t)label;
		if (label == 0)
			return true;
	}
}

/* Skips one RR (the IXFR query's SOA in the authority section). */
static bool
reader_skip_rr(struct reader *reader)
{
	uint16_t type, rr_class, rdata_length;
	uint32_t ttl;
	if (!reader_skip_name(reader) || !reader_u16(reader, &type) || !reader_u16(reader, &rr_class)
		|| !reader_u32(reader, &ttl) || !reader_u16(reader, &rdata_length))
		return false;
	if (reader->length - reader->offset < rdata_length)
		return false;
	reader->offset += rdata_length;
	return true;
}

/*
 * Reads a COOKIE option (RFC 7873 5.2): only the first one counts (BIND),
 * but every one must have a valid length (5.2.2: FORMERR otherwise).
 */
static void
query_read_cookie(struct query *query, const uint8_t *data, uint16_t length)
{
	if (!cookie_length_valid(length)) {
		query->edns_option_malformed = true;
		query->cookie = NULL;
		query->cookie_length = 0;
		return;
	}
	if (query->cookie == NULL && !query->edns_option_malformed) {
		query->cookie = data;
		query->cookie_length = (uint8_t)length;
	}
}

/*
 * Reads the EDNS options (RFC 6891 6.1.2): unknown ones are ignored.
 * Returns false when they do not fill the RDATA exactly.
 */
static bool
query_read_edns_options(struct query *query, const uint8_t *rdata, size_t rdata_length)
{
	struct reader options = {rdata, rdata_length, 0};
	while (options.offset < options.length) {
		uint16_t code, length;
		if (!reader_u16(&options, &code) || !reader_u16(&options, &length))
			return false;
		if (options.length - options.offset < length)
			return false;
		if (code == EDNS_OPTION_NSID)
			query->nsid_requested = true;
		else if (code == COOKIE_OPTION_CODE)
			query_read_cookie(query, options.data + options.offset, length);
		options.offset += length;
	}
	return true;
}

/*
 * Reads the additional section. Only one OPT record owned by the root is
 * accepted (RFC 6891 6.1.1), and one TSIG record as the very last record
 * (RFC 8945 5.1), whose start is remembered for tsig.c to verify; any other
 * record is a format error, as NSD does with records it does not understand.
 */
static bool
query_read_additional(struct query *query, struct reader *reader, uint16_t count)
{
	for (uint16_t i = 0; i < count; i++) {
		size_t owner = reader->offset;
		uint16_t type, udp_size, rdata_length;
		uint32_t ttl;
		if (!reader_skip_name(reader) || !reader_u16(reader, &type)
			|| !reader_u16(reader, &udp_size) || !reader_u32(reader, &ttl)
			|| !reader_u16(reader, &rdata_length))
			return false;
		if (reader->length - reader->offset < rdata_length)
			return false;
		if (type == RRTYPE_TSIG && i + 1 == count) {
			query->tsig_offset = owner;
			reader->offset += rdata_length;
			continue;
		}
		if (type != RRTYPE_OPT || query->has_edns || reader->data[owner] != 0)
			return false;
		if (!query_read_edns_options(query, reader->data + reader->offset, rdata_length))
			return false;
		reader->offset += rdata_length;
		query->has_edns = true;
		query->edns_udp_size = udp_size;
		query->edns_version = (uint8_t)(ttl >> 16);
		query->dnssec_ok = (ttl & 0x8000) != 0;
	}
	return true;
}

/* A broken OPT section is not echoed, nor anything read from it. */
static void
query_forget_edns(struct query *query)
{
	query->has_edns = false;
	query->cookie = NULL;
	query->cookie_length = 0;
	query->edns_option_malformed = false;
}

/*
 * Finds the OPT record of a message refused before its additional section
 * was read, skipping every section by the header's counts, so that the
 * error carries an OPT too (RFC 6891 6.1.1) or becomes BADVERS (RFC 6891
 * 6.1.3), as BIND and Knot answer. A message whose sections do not parse
 * gets no OPT. Returns refusal, or QUERY_BADVERS.
 */
static enum query_status
query_refuse(struct query *query, const uint8_t *packet, size_t length,
	enum query_status refusal)
{
	uint16_t counts[4];
	for (unsigned i = 0; i < 4; i++)
		counts[i] = (uint16_t)(packet[4 + 2 * i] << 8 | packet[5 + 2 * i]);
	struct reader reader = {packet, length, WIRE_HEADER_LENGTH};
	for (uint16_t i = 0; i < counts[0]; i++) {
		if (!reader_skip_name(&reader) || reader.length - reader.offset < 4)
			return refusal;
		reader.offset += 4;
	}
	for (uint32_t i = 0; i < (uint32_t)counts[1] + counts[2]; i++) {
		if (!reader_skip_rr(&reader))
			return refusal;
	}
	if (!query_read_additional(query, &reader, counts[3])) {
		query_forget_edns(query);
		return refusal;
	}
	if (query->edns_option_malformed)
		return QUERY_FORMERR;
	if (query->has_edns && query->edns_version > 0)
		return QUERY_BADVERS;
	return refusal;
}

enum query_status
query_parse(struct query *query, const uint8_t *packet, size_t length)
{
	/* Every field but the name buffers, which only ever hold what was parsed. */
	query->packet = packet;
	query->length = length;
	query->opcode = 0;
	query->recursion_desired = false;
	query->checking_disabled = false;
	query->has_question = false;
	query->question = NULL;
	query->question_length = 0;
	query->qname_length = 0;
	query->qtype = 0;
	query->qclass = 0;
	query->has_edns = false;
	query->edns_udp_size = 0;
	query->edns_version = 0;
	query->dnssec_ok = false;
	query->nsid_requested = false;
	query->cookie = NULL;
	query->cookie_length = 0;
	query->edns_option_malformed = false;
	query->tsig_offset = 0;
	/* Too short for a header, or not a query at all: no answer (as NSD). */
	if (length < WIRE_HEADER_LENGTH || (packet[2] & 0x80) != 0)
		return QUERY_DROP;
	query->opcode = (packet[2] >> 3) & 0x0f;
	query->recursion_desired = (packet[2] & 0x01) != 0;
	query->checking_disabled = (packet[3] & 0x10) != 0;
	/* Checked before anything else: other opcodes may lay the message out differently. */
	if (query->opcode != QUERY_OPCODE_QUERY && query->opcode != QUERY_OPCODE_NOTIFY)
		return query_refuse(query, packet, length, QUERY_NOTIMP);
	uint16_t qdcount = (uint16_t)(packet[4] << 8 | packet[5]);
	uint16_t ancount = (uint16_t)(packet[6] << 8 | packet[7]);
	uint16_t nscount = (uint16_t)(packet[8] << 8 | packet[9]);
	uint16_t arcount = (uint16_t)(packet[10] << 8 | packet[11]);
	if (qdcount != 1) {
		enum query_status status = query_refuse(query, packet, length, QUERY_FORMERR);
		/* RFC 7873 5.4: no question, only a COOKIE, asks for a server cookie. */
		if (qdcount == 0 && status == QUERY_FORMERR && query->cookie != NULL
			&& ancount == 0 && nscount == 0)
			return QUERY_COOKIE_ONLY;
		return status;
	}
	struct reader reader = {packet, length, WIRE_HEADER_LENGTH};
	if (!query_read_qname(query, &reader) || !reader_u16(&reader, &query->qtype)
		|| !reader_u16(&reader, &query->qclass))
		return query_refuse(query, packet, length, QUERY_FORMERR);
	query->has_question = true;
	query->question = packet + WIRE_HEADER_LENGTH;
	query->question_length = reader.offset - WIRE_HEADER_LENGTH;
	/* RFC 1995 3: an IXFR query carries the client's SOA in the authority section. */
	uint16_t nscount_allowed = query->qtype == RRTYPE_IXFR ? 1 : 0;
	/* RFC 1996 3.7: a NOTIFY may carry the new SOA in its answer section. */
	uint16_t ancount_allowed = query->opcode == QUERY_OPCODE_NOTIFY ? 1 : 0;
	if (ancount > ancount_allowed || nscount > nscount_allowed)
		return query_refuse(query, packet, length, QUERY_FORMERR);
	if (ancount == 1 && !reader_skip_rr(&reader))
		return query_refuse(query, packet, length, QUERY_FORMERR);
	if (nscount == 1 && !reader_skip_rr(&reader))
		return query_refuse(query, packet, length, QUERY_FORMERR);
	if (!query_read_additional(query, &reader, arcount)) {
		query_forget_edns(query);
		return QUERY_FORMERR;
	}
	if (reader.offset != length)
		return QUERY_FORMERR;  /* trailing garbage */
	if (query->edns_option_malformed)
		return QUERY_FORMERR;
	/* RFC 6891 6.1.1: OPT and TSIG (RFC 8945 5) only ever live in the additional section. */
	if (query->qtype == RRTYPE_OPT || query->qtype == RRTYPE_TSIG)
		return QUERY_FORMERR;
	/*
	 * RFC 2930 4.1: a TKEY query carries its TKEY record in the additional
	 * section, where only OPT and TSIG are read: without it, FORMERR (as
	 * BIND and PowerDNS; NSD and Knot answer NODATA).
	 */
	if (query->qtype == RRTYPE_TKEY)
		return QUERY_FORMERR;
	if (query->has_edns && query->edns_version > 0)
		return QUERY_BADVERS;
	return QUERY_OK;
}
