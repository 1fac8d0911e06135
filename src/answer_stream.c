/*
 * answer_stream.c: multi-message answers, one message per call, resumed
 * from a cursor into the zone. AXFR (RFC 5936): the SOA, every other RRset
 * of the zone in canonical node order (RRSIGs, glue and occluded data too:
 * the zone as loaded), the SOA again. IXFR (RFC 1995 4): the SOA, the
 * journal's steps from the client's serial on (each: old SOA, deletions,
 * new SOA, additions), the SOA again.
 */
#include <string.h>

#include "zoned/answer.h"
#include "zoned/answer_stream.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/wire.h"

#include "answer_internal.h"

#define STREAM_MESSAGE_MAX 65535   /* RFC 1035 4.2.2: the TCP length prefix */
#define STREAM_UDP_MINIMUM 512

/* Remembers what every message of the stream echoes from query. */
static void
stream_echo_query(struct answer_stream *stream, const struct query *query)
{
	stream->id[0] = query->packet[0];
	stream->id[1] = query->packet[1];
	stream->opcode = query->opcode;
	stream->recursion_desired = query->recursion_desired;
	stream->checking_disabled = query->checking_disabled;
	stream->has_edns = query->has_edns;
	stream->dnssec_ok = query->dnssec_ok;
	stream->qtype = query->qtype;
	stream->question_length = (uint16_t)query->question_length;
	memcpy(stream->question, query->question, query->question_length);
}

/*
 * IXFR: the journal's steps from the client's serial to the zone's, when
 * the journal has every one of them (checksums checked) and they are not
 * larger than the zone; otherwise the stream stays in AXFR form, as RFC
 * 1995 4 allows, and journal_status says why (ZONED_ENOTFOUND: the journal
 * does not reach back that far; ZONED_ELIMIT: larger than the zone).
 */
static void
stream_start_journal(struct answer_stream *stream, const struct zone *zone,
	const struct query *query)
{
	uint32_t serial;
	if (!answer_transfer_client_serial(query, &serial))
		return;
	stream->from_serial = serial;
	if (zone->journal_path == NULL) {
		stream->journal_status = ZONED_ENOTFOUND;
		return;
	}
	stream->journal_status = journal_reader_open(&stream->journal, zone->journal_path,
		zone->origin, serial, zone->serial);
	/*
	 * BIND's max-ixfr-ratio (100% by default): a difference larger than
	 * the zone goes as the zone, which is then the smaller answer.
	 */
	if (stream->journal_status == 0 && zone->wire_size != 0
		&& stream->journal.octets > zone->wire_size)
		stream->journal_status = ZONED_ELIMIT;
	if (stream->journal_status != 0) {
		journal_reader_close(&stream->journal);
		return;
	}
	stream->incremental = true;
	stream->journal_steps = stream->journal.steps;
}

int
answer_stream_start_axfr(struct answer_stream *stream, const struct zone *zone,
	const struct answer_request *request, const struct answer_settings *settings)
{
	memset(stream, 0, sizeof *stream);
	stream->phase = ANSWER_STREAM_FINISHED;
	struct query query;
	if (request->transport != ANSWER_TCP
		|| query_parse(&query, request->query, request->query_length) != QUERY_OK
		|| query.opcode != QUERY_OPCODE_QUERY
		|| (query.qtype != RRTYPE_AXFR && query.qtype != RRTYPE_IXFR)
		|| query.qclass != zone->zone_class
		|| query.question_length > sizeof stream->question
		|| query.qname_length != zone->origin_length
		|| memcmp(query.qname, zone->origin, zone->origin_length) != 0)
		return ZONED_EINVAL;
	if (zone->soa == NULL || zone->soa->rr_count != 1)
		return ZONED_EZONE;
	stream_echo_query(stream, &query);
	stream->phase = ANSWER_STREAM_FIRST_SOA;
	uint16_t size = settings != NULL && settings->edns_size != 0 ? settings->edns_size
		: ANSWER_DEFAULT_EDNS_SIZE;
	stream->edns_size = size < STREAM_UDP_MINIMUM ? STREAM_UDP_MINIMUM : size;
	if (query.qtype == RRTYPE_IXFR)
		stream_start_journal(stream, zone, &query);
	/* Last, once nothing can fail: the caller is inside its epoch here. */
	stream->zone = zone_ref(zone);
	return 0;
}

/* Writes the zone's SOA record; false when it does not fit. */
static bool
stream_put_soa(struct wire *wire, const struct zone *zone)
{
	struct rdata_cursor cursor = rdata_cursor_start(zone->soa->rdata, zone->soa->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	return rdata_cursor_next(&cursor, &rdata, &length)
		&& wire_put_rr(wire, zone->origin, RRTYPE_SOA, zone->zone_class, zone->soa->ttl,
			rdata, length);
}

/*
 * The node at the cursor: the next of zone->nodes and zone->nsec3_nodes
 * (both in canonical order) merged, so the transfer is in canonical order
 * too; NULL after the last. *nsec3 tells which array it is from.
 */
static const struct name_node *
stream_cursor_node(const struct answer_stream *stream, bool *nsec3)
{
	const struct zone *zone = stream->zone;
	const struct name_node *name = stream->node_index < zone->node_count
		? zone->nodes[stream->node_index] : NULL;
	const struct name_node *hashed = stream->nsec3_index < zone->nsec3_count
		? zone->nsec3_nodes[stream->nsec3_index] : NULL;
	*nsec3 = hashed != NULL
		&& (name == NULL || dname_compare_canonical(hashed->name, name->name) < 0);
	return *nsec3 ? hashed : name;
}

/*
 * Writes the records of node from the cursor on, advancing the cursor past
 * each record written (an RRset may continue in the next message; a record
 * never does). Returns false when the message is full.
 */
static bool
stream_put_node(struct answer_stream *stream, struct wire *wire, const struct name_node *node,
	uint16_t *count)
{
	const struct zone *zone = stream->zone;
	const struct rrset *rrsets = name_node_rrsets(node);
	for (; stream->rrset_index < node->rrset_count; stream->rrset_index++) {
		const struct rrset *rrset = &rrsets[stream->rrset_index];
		/* The apex SOA opens and closes the transfer, and appears only there. */
		if (rrset == zone->soa)
			continue;
		struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata + stream->record_offset,
			rrset->rdata_length - stream->record_offset);
		const uint8_t *rdata;
		uint16_t length;
		while (rdata_cursor_next(&cursor, &rdata, &length)) {
			if (!wire_put_rr(wire, node->name, rrset->type, zone->zone_class, rrset->ttl,
				    rdata, length))
				return false;
			(*count)++;
			stream->record_offset = (uint32_t)(cursor.at - rrset->rdata);
		}
		stream->record_offset = 0;
	}
	return true;
}

/*
 * Writes records from the cursor on until the message is full (false) or
 * every node's records are written (true): the names of the zone with
 * glue and occluded data, and the NSEC3 owners kept apart (RFC 5155 7.1).
 */
static bool
stream_put_records(struct answer_stream *stream, struct wire *wire, uint16_t *count)
{
	bool nsec3;
	for (const struct name_node *node; (node = stream_cursor_node(stream, &nsec3)) != NULL;) {
		if (!stream_put_node(stream, wire, node, count))
			return false;
		if (nsec3)
			stream->nsec3_index++;
		else
			stream->node_index++;
		stream->rrset_index = 0;
	}
	return true;
}

/*
 * Keeps the record just read from the journal until it is written. Its
 * owner is copied: wire_put_rr() takes an owner at the address of the one
 * before for the same name, so one address must never hold two names in
 * turn; two copies alternate, a repeated name keeping its copy.
 */
static void
stream_keep_journal_record(struct answer_stream *stream, const struct journal_record *record)
{
	uint8_t *owner = stream->journal_owner[stream->journal_owner_index];
	size_t length = dname_length(record->owner);
	if (length != dname_length(owner) || memcmp(owner, record->owner, length) != 0) {
		stream->journal_owner_index ^= 1;
		owner = stream->journal_owner[stream->journal_owner_index];
		memcpy(owner, record->owner, length);
	}
	stream->journal_record = *record;
	stream->journal_record.owner = owner;
	stream->journal_pending = true;
}

/*
 * Writes the journal's records from where the last message stopped until
 * the message is full or the journal is read (true). A journal that fails
 * to read sets stream->error.
 */
static bool
stream_put_journal(struct answer_stream *stream, struct wire *wire, uint16_t *count)
{
	const struct zone *zone = stream->zone;
	for (;;) {
		if (!stream->journal_pending) {
			struct journal_record record;
			int rc = journal_reader_next(&stream->journal, &record);
			if (rc == 0)
				return true;
			if (rc < 0) {
				stream->error = rc;
				return false;
			}
			stream_keep_journal_record(stream, &record);
		}
		const struct journal_record *r = &stream->journal_record;
		if (!wire_put_rr(wire, r->owner, r->type, zone->zone_class, r->ttl, r->rdata,
			    r->rdata_length))
			return false;
		/* The encoder's remembered owner may only be the record just written. */
		if (wire->last_owner != r->owner)
			wire->last_owner = NULL;
		(*count)++;
		stream->journal_pending = false;
	}
}

/* Fills the message's answer section from the cursor; returns the records written. */
static uint16_t
stream_put_answer(struct answer_stream *stream, struct wire *wire)
{
	uint16_t count = 0;
	if (stream->phase == ANSWER_STREAM_FIRST_SOA) {
		if (!stream_put_soa(wire, stream->zone))
			return count;
		count++;
		stream->phase = ANSWER_STREAM_RECORDS;
	}
	if (stream->phase == ANSWER_STREAM_RECORDS) {
		bool done = stream->incremental ? stream_put_journal(stream, wire, &count)
			: stream_put_records(stream, wire, &count);
		if (!done)
			return count;
		stream->phase = ANSWER_STREAM_LAST_SOA;
	}
	if (stream->phase == ANSWER_STREAM_LAST_SOA && stream_put_soa(wire, stream->zone)) {
		count++;
		stream->phase = ANSWER_STREAM_FINISHED;
	}
	return count;
}

/* RFC 5936 2.2.1: id and opcode echoed, AA set, TC clear, RD (and CD) copied. */
static void
stream_put_header(const struct answer_stream *stream, struct wire *wire, uint16_t qdcount,
	uint16_t ancount, uint16_t arcount)
{
	uint8_t *header = wire->data;
	header[0] = stream->id[0];
	header[1] = stream->id[1];
	header[2] = (uint8_t)(0x80 | stream->opcode << 3 | 0x04
		| (stream->recursion_desired ? 0x01 : 0));
	header[3] = (uint8_t)(stream->checking_disabled ? 0x10 : 0);
	wire_set_u16(wire, 4, qdcount);
	wire_set_u16(wire, 6, ancount);
	wire_set_u16(wire, 8, 0);
	wire_set_u16(wire, 10, arcount);
}

int
answer_stream_sign(struct answer_stream *stream, struct tsig_context *context,
	const struct tsig_key *key, const uint8_t *request_mac, size_t request_mac_length)
{
	stream->signing = false;
	if (stream->zone == NULL || stream->message_count != 0 || request_mac == NULL)
		return ZONED_EINVAL;
	int rc = tsig_key_copy(&stream->tsig_key, key);
	if (rc != 0)
		return rc;
	tsig_sign_start(&stream->tsig, context, &stream->tsig_key.key, request_mac,
		request_mac_length);
	stream->signing = true;
	return 0;
}

int
answer_stream_next(struct answer_stream *stream, uint8_t *message, size_t size, size_t *length,
	uint64_t now)
{
	*length = 0;
	if (stream->zone == NULL || stream->phase == ANSWER_STREAM_FINISHED)
		return ZONED_EINVAL;
	size_t limit = size < STREAM_MESSAGE_MAX ? size : STREAM_MESSAGE_MAX;
	/* RFC 8945 5.3.1: each message ends with its TSIG record; keep its room. */
	size_t tsig_space = stream->signing ? tsig_sign_space(&stream->tsig) : 0;
	if (limit < tsig_space)
		return ZONED_ESPACE;
	struct wire wire;
	wire_init(&wire, message, limit - tsig_space);
	wire.exact_case = true;  /* a transfer copies the zone's names as they are */
	uint8_t zero_header[WIRE_HEADER_LENGTH] = {0};
	if (!wire_put_bytes(&wire, zero_header, sizeof zero_header))
		return ZONED_ESPACE;
	/* RFC 5936 2.2.1: the question in the first message; later ones may omit it (as NSD). */
	uint16_t qdcount = 0;
	if (stream->message_count == 0) {
		if (!wire_put_bytes(&wire, stream->question, stream->question_length))
			return ZONED_ESPACE;
		wire_remember_name(&wire, WIRE_HEADER_LENGTH, NULL);
		qdcount = 1;
	}
	struct wire_opt opt = { .udp_size = stream->edns_size, .dnssec_ok = stream->dnssec_ok };
	size_t opt_length = stream->has_edns ? wire_opt_length(&opt) : 0;
	if (wire.capacity - wire.length < opt_length)
		return ZONED_ESPACE;
	/* The OPT record must fit after the records: keep its room. */
	wire.capacity -= opt_length;
	uint16_t ancount = stream_put_answer(stream, &wire);
	wire.capacity += opt_length;
	if (stream->error != 0)
		return stream->error;
	if (ancount == 0)
		return ZONED_ESPACE;  /* one record larger than a whole message */
	uint16_t arcount = 0;
	if (stream->has_edns && wire_put_opt(&wire, &opt))
		arcount = 1;
	stream_put_header(stream, &wire, qdcount, ancount, arcount);
	size_t written = wire.length;
	if (stream->signing) {
		/* We sign every message, not every hundredth (RFC 8945 5.3.1 allows both). */
		written = tsig_sign_next(&stream->tsig, message, wire.length, limit, now);
		if (written == 0)
			return ZONED_ENOMEM;
	}
	stream->message_count++;
	stream->record_count += ancount;
	*length = written;
	return stream->phase == ANSWER_STREAM_FINISHED ? ANSWER_STREAM_DONE : ANSWER_STREAM_MORE;
}

void
answer_stream_finish(struct answer_stream *stream)
{
	zone_unref(stream->zone);
	stream->zone = NULL;
	stream->phase = ANSWER_STREAM_FINISHED;
	journal_reader_close(&stream->journal);
	/* The secret's copy does not linger in the connection's memory. */
	if (stream->signing)
		memset(&stream->tsig_key, 0, sizeof stream->tsig_key);
	stream->signing = false;
}
