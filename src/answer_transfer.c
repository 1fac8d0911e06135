/*
 * answer_transfer.c: which zone transfer requests (AXFR, RFC 5936; IXFR,
 * RFC 1995) become a stream, and the one-message answers to the others:
 * NOTAUTH for a name that is not a served apex, REFUSED when allow-transfer
 * says no, the single SOA for an IXFR client that is current (or over UDP).
 * The stream itself is answer_stream.c's, started by the transport.
 */
#include <string.h>

#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zonedb.h"

#include "answer_internal.h"

/*
 * allow-transfer: the zone's own list, else the options'; no list allows
 * nobody (zoned.conf(5) says why this differs from BIND 9.18), and neither
 * does a request without a client.
 */
static bool
answer_transfer_allowed(const struct answer *answer, const struct zone *zone)
{
	const struct answer_settings *settings = answer->settings;
	const struct acl *acl = settings->allow_transfer;
	if (settings->zone_allow_transfer != NULL) {
		const struct acl *own = acl_zone_map_get(settings->zone_allow_transfer, zone);
		if (own != NULL)
			acl = own;
	}
	if (acl == NULL || answer->request->client == NULL)
		return false;
	return acl_allows(acl, answer->request->client, answer->acl_key);
}

/* Skips a name at *offset of message (compressed or not); false when malformed. */
static bool
transfer_skip_name(const uint8_t *message, size_t length, size_t *offset)
{
	for (size_t octets = 0; *offset < length;) {
		uint8_t label = message[*offset];
		if ((label & 0xc0) == 0xc0) {
			*offset += 2;
			return *offset <= length;
		}
		if (label > DNAME_MAX_LABEL || (octets += 1 + (size_t)label) > DNAME_MAX_LENGTH)
			return false;
		*offset += 1 + (size_t)label;
		if (label == 0)
			return *offset <= length;
	}
	return false;
}

/*
 * The serial of a SOA that is the first record after the question, in the
 * section whose count is at count_offset of the header (6: answer, 8:
 * authority); false without one. query_parse() has checked that the
 * record's length is within the message.
 */
static bool
transfer_first_soa_serial(const struct query *query, size_t count_offset, uint32_t *serial)
{
	const uint8_t *packet = query->packet;
	if (query->length < WIRE_HEADER_LENGTH
		|| (packet[count_offset] << 8 | packet[count_offset + 1]) == 0)
		return false;
	size_t offset = WIRE_HEADER_LENGTH + query->question_length;
	if (!transfer_skip_name(packet, query->length, &offset) || query->length - offset < 10)
		return false;
	uint16_t type = (uint16_t)(packet[offset] << 8 | packet[offset + 1]);
	size_t rdata_length = (size_t)packet[offset + 8] << 8 | packet[offset + 9];
	offset += 10;
	size_t end = offset + rdata_length;
	if (type != RRTYPE_SOA || end > query->length
		|| !transfer_skip_name(packet, end, &offset)
		|| !transfer_skip_name(packet, end, &offset) || end - offset < 20)
		return false;
	const uint8_t *s = packet + offset;
	*serial = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
	return true;
}

/* RFC 1995 3: an IXFR query's one authority record, the client's SOA. */
bool
answer_transfer_client_serial(const struct query *query, uint32_t *serial)
{
	const uint8_t *packet = query->packet;
	if (query->length < WIRE_HEADER_LENGTH || (packet[8] << 8 | packet[9]) != 1)
		return false;
	return transfer_first_soa_serial(query, 8, serial);
}

/* RFC 1996 3.7: a NOTIFY may carry the zone's new SOA in its answer section. */
bool
answer_notify_serial(const struct query *query, uint32_t *serial)
{
	return transfer_first_soa_serial(query, 6, serial);
}

/* RFC 1982 3.2: true when a is older than b in serial number arithmetic. */
static bool
serial_older(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

/* The answer of one SOA record: "you are current" or "ask again over TCP". */
static void
answer_transfer_soa(struct answer *answer, const struct zone *zone)
{
	answer->authoritative = true;
	if (!answer_put_rrset(answer, SECTION_ANSWER, zone, zone->apex, zone->origin, zone->soa,
		    zone->soa->ttl))
		answer->truncated = true;
}

void
answer_transfer(struct answer *answer)
{
	const struct query *query = answer->query;
	bool udp = answer->request->transport == ANSWER_UDP;
	/*
	 * Only a served zone's apex can be transferred: NOTAUTH, as BIND, NSD
	 * and Knot; over UDP too, as BIND, which looks for the zone first.
	 */
	const struct zone *zone = zonedb_find(answer->db, query->qname, query->qname_length);
	if (zone != NULL && zone->load_failed && zone->origin_length == query->qname_length) {
		answer->rcode = RCODE_SERVFAIL;  /* ours but not loaded, as BIND */
		return;
	}
	if (zone == NULL || zone->origin_length != query->qname_length
		|| zone->zone_class != query->qclass || zone->soa == NULL) {
		answer->rcode = RCODE_NOTAUTH;
		return;
	}
	/* RFC 5936 4.2: AXFR only over TCP; BIND answers a served apex FORMERR over UDP. */
	if (query->qtype == RRTYPE_AXFR && udp) {
		answer->rcode = RCODE_FORMERR;
		return;
	}
	answer->zone = zone;
	if (!answer_transfer_allowed(answer, zone)) {
		answer->rcode = RCODE_REFUSED;
		return;
	}
	if (answer->request->transfers_exhausted) {
		answer->rcode = RCODE_SERVFAIL;   /* BIND's answer over transfers-out */
		return;
	}
	if (query->qtype == RRTYPE_IXFR) {
		uint32_t serial;
		if (!answer_transfer_client_serial(query, &serial)) {
			answer->rcode = RCODE_FORMERR;  /* RFC 1995 3: the SOA is required */
			return;
		}
		/*
		 * RFC 1995 2: current (or from the future, as BIND) gets the single
		 * SOA; so does an older client over UDP, told to come back over
		 * TCP. Older over TCP: a stream, the journal's differences or the
		 * whole zone in AXFR form (RFC 1995 4; answer_stream.c decides).
		 */
		if (!serial_older(serial, zone->serial) || udp) {
			answer_transfer_soa(answer, zone);
			return;
		}
	}
	answer->authoritative = true;
	answer->transfer = true;
}
