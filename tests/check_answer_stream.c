/*
 * check_answer_stream.c: multi-message answers: an AXFR of a zone of a few
 * hundred RRsets (big TXTs, a large RRset, glue, occluded data, RRSIGs,
 * NSEC3) over several messages of several sizes. Every message must parse
 * (ldns), open with the SOA and close with it, keep canonical order, never
 * split a record, and the records reassembled must be exactly the zone's. A
 * stream must outlive the set that served its zone (a reload). A signed
 * stream's messages must each verify on the client side (RFC 8945 5.3.1).
 * An IXFR (RFC 1995) from the journal, applied to the old version, must
 * give the new one exactly.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/answer.h"
#include "zoned/answer_stream.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/journal.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/zonedb.h"

#define TXT_NAMES 300
#define MANY_ADDRESSES 40
#define MAX_MESSAGES 4096

static const uint8_t origin[] = "\6stream\4test";

/* A zone of TXT_NAMES TXT RRsets of about 1000 octets each, and the rest. */
static char *
stream_zone_text(void)
{
	size_t size = 1 << 20, length = 0;
	char *text = malloc(size);
	ck_assert_ptr_nonnull(text);
	length += (size_t)snprintf(text + length, size - length,
		"$ORIGIN stream.test.\n$TTL 300\n"
		"@ SOA ns1 hostmaster 2026120301 7200 3600 1209600 300\n"
		"@ NS ns1\n@ NS NS2.Stream.Test.\n@ MX 10 mail\n"
		"@ RRSIG SOA 8 2 300 20300101000000 20200101000000 12345 stream.test. AAECAwQFBgcICQ==\n"
		"@ RRSIG NS 8 2 300 20300101000000 20200101000000 12345 stream.test. AAECAwQFBgcICQ==\n"
		"ns1 A 192.0.2.1\nns2 A 192.0.2.2\nmail 3600 AAAA 2001:db8::25\n"
		"UPPER.Case A 192.0.2.3\n"
		"sub NS ns.sub\nns.sub A 192.0.2.53\ndeep.below.sub A 192.0.2.54\n"
		"dn DNAME elsewhere.test.\nx.dn A 192.0.2.55\n"
		/* NSEC3 owners are kept apart from the names (RFC 5155 7.1), yet transferred. */
		"@ NSEC3PARAM 1 0 12 aabbccdd\n"
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 0 12 aabbccdd "
		"2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG NSEC3PARAM\n"
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom RRSIG NSEC3 8 3 300 20300101000000 "
		"20200101000000 12345 stream.test. AAECAwQFBgcICQ==\n");
	for (int i = 1; i <= MANY_ADDRESSES; i++)
		length += (size_t)snprintf(text + length, size - length, "many A 192.0.2.%d\n", i);
	char chunk[251];
	for (int i = 0; i < TXT_NAMES; i++) {
		memset(chunk, 'a' + i % 26, 250);
		chunk[250] = '\0';
		length += (size_t)snprintf(text + length, size - length,
			"host%03d TXT \"%s\" \"%s\" \"%s\" \"%d\"\n", i, chunk, chunk, chunk, i);
		ck_assert_uint_lt(length, size - 2048);
	}
	return text;
}

static struct zone *
stream_zone_load(void)
{
	char *text = stream_zone_text();
	struct zone *zone = testlib_zone_from_text("stream.test", text, "stream.test", NULL, NULL);
	free(text);
	return zone;
}

/* A query for qname (wire form) and qtype, with an OPT record when edns. */
static size_t
make_query(uint8_t *packet, const uint8_t *qname, size_t qname_length, uint16_t qtype,
	bool edns)
{
	/* RD and CD set: both are echoed. */
	static const uint8_t header[] = {0xbe, 0xef, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0};
	static const uint8_t opt[] = {0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 0};
	size_t length = 0;
	memcpy(packet, header, sizeof header);
	packet[11] = edns ? 1 : 0;
	length += sizeof header;
	memcpy(packet + length, qname, qname_length);
	length += qname_length;
	uint8_t type_class[] = {(uint8_t)(qtype >> 8), (uint8_t)qtype, 0, 1};
	memcpy(packet + length, type_class, sizeof type_class);
	length += sizeof type_class;
	if (edns) {
		memcpy(packet + length, opt, sizeof opt);
		length += sizeof opt;
	}
	return length;
}

/* Mixed case: the question is echoed as received. */
static const uint8_t axfr_qname[] = "\6StReAm\4TEST";

static void
start_axfr(struct answer_stream *stream, const struct zone *zone, bool edns)
{
	uint8_t packet[512];
	struct answer_request request = {
		.query = packet,
		.query_length = make_query(packet, axfr_qname, sizeof axfr_qname, 252, edns),
		.transport = ANSWER_TCP,
	};
	ck_assert_int_eq(answer_stream_start_axfr(stream, zone, &request, NULL), 0);
	memset(packet, 0xff, sizeof packet);  /* the stream keeps what it echoes */
}

/* The zone and a stream of it. */
static struct {
	struct zone *zone;
	struct answer_stream stream;
} fixture;

/* Loads the zone and starts an AXFR of it. */
static void
axfr_begin(bool edns)
{
	fixture.zone = stream_zone_load();
	start_axfr(&fixture.stream, fixture.zone, edns);
}

/* One record as a comparable string: lowercased owner, type, class, TTL, rdata, in hex. */
static char *
record_key(const uint8_t *owner, size_t owner_length, uint16_t type, uint16_t rr_class,
	uint32_t ttl, const uint8_t *rdata, size_t rdata_length)
{
	char *key = malloc(2 * (owner_length + rdata_length) + 64);
	ck_assert_ptr_nonnull(key);
	size_t at = 0;
	for (size_t i = 0; i < owner_length; i++)
		at += (size_t)sprintf(key + at, "%02x", dname_lower_table[owner[i]]);
	at += (size_t)sprintf(key + at, " %u %u %u ", type, rr_class, ttl);
	for (size_t i = 0; i < rdata_length; i++)
		at += (size_t)sprintf(key + at, "%02x", rdata[i]);
	return key;
}

/* The records of one transfer, in the order received. */
struct transfer {
	char **keys;
	size_t count;
	ldns_rdf **owners;   /* for the order check */
	unsigned messages;
	bool first_has_question;
	bool later_have_question;
	bool every_message_has_opt;
	bool any_truncated;
};

static void
transfer_clear(struct transfer *transfer)
{
	for (size_t i = 0; i < transfer->count; i++) {
		free(transfer->keys[i]);
		ldns_rdf_deep_free(transfer->owners[i]);
	}
	free(transfer->keys);
	free(transfer->owners);
	memset(transfer, 0, sizeof *transfer);
}

/* Parses one message and appends its answer records to transfer. */
static void
transfer_add_message(struct transfer *transfer, const uint8_t *message, size_t length)
{
	ldns_pkt *packet = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&packet, message, length), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(packet), 0xbeef);
	ck_assert(ldns_pkt_qr(packet));
	ck_assert(ldns_pkt_aa(packet));
	ck_assert(ldns_pkt_rd(packet));
	ck_assert(ldns_pkt_cd(packet));
	ck_assert_int_eq(ldns_pkt_get_rcode(packet), 0);
	transfer->any_truncated |= ldns_pkt_tc(packet);
	ck_assert_uint_eq(ldns_pkt_nscount(packet), 0);
	if (transfer->messages == 0) {
		transfer->first_has_question = ldns_pkt_qdcount(packet) == 1;
		ck_assert_int_eq(memcmp(message + 12, "\6StReAm\4TEST", 13), 0);
	} else if (ldns_pkt_qdcount(packet) != 0) {
		transfer->later_have_question = true;
	}
	if (!ldns_pkt_edns(packet))
		transfer->every_message_has_opt = false;
	const ldns_rr_list *answer = ldns_pkt_answer(packet);
	size_t n = ldns_rr_list_rr_count(answer);
	ck_assert_uint_gt(n, 0);
	transfer->keys = realloc(transfer->keys, (transfer->count + n) * sizeof *transfer->keys);
	transfer->owners = realloc(transfer->owners,
		(transfer->count + n) * sizeof *transfer->owners);
	ck_assert(transfer->keys != NULL && transfer->owners != NULL);
	ldns_buffer *rdata = ldns_buffer_new(65535);
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(answer, i);
		ldns_buffer_clear(rdata);
		ck_assert_int_eq(ldns_rr_rdata2buffer_wire(rdata, rr), LDNS_STATUS_OK);
		const ldns_rdf *owner = ldns_rr_owner(rr);
		transfer->keys[transfer->count] = record_key(ldns_rdf_data(owner),
			ldns_rdf_size(owner), (uint16_t)ldns_rr_get_type(rr),
			(uint16_t)ldns_rr_get_class(rr), ldns_rr_ttl(rr),
			ldns_buffer_begin(rdata), ldns_buffer_position(rdata));
		transfer->owners[transfer->count] = ldns_rdf_clone(owner);
		transfer->count++;
	}
	ldns_buffer_free(rdata);
	ldns_pkt_free(packet);
	transfer->messages++;
}

/* How transfer_run() asks for messages. */
struct transfer_options {
	size_t size;                  /* octets offered per message */
	bool vary;                    /* offer 900..size octets, a different amount each call */
	void (*after_first)(void *);  /* called after the first message (a reload), or NULL */
	void *arg;
	struct tsig_verifier *verifier;  /* a signed stream: every message must verify */
	uint64_t now;                 /* the time messages are signed and verified at */
};

/* Runs the stream to the end, parsing each message. */
static void
transfer_run(struct answer_stream *stream, const struct transfer_options *options,
	struct transfer *transfer)
{
	memset(transfer, 0, sizeof *transfer);
	transfer->every_message_has_opt = true;
	uint8_t *message = malloc(options->size);
	ck_assert_ptr_nonnull(message);
	uint32_t seed = 12345;
	int rc;
	do {
		size_t size = options->size, length = 0;
		if (options->vary) {
			seed = seed * 1103515245u + 12345u;
			size = 900 + (seed >> 8) % (options->size - 900 + 1);
		}
		rc = answer_stream_next(stream, message, size, &length, options->now);
		ck_assert_msg(rc == ANSWER_STREAM_MORE || rc == ANSWER_STREAM_DONE, "next: %d", rc);
		ck_assert_uint_le(length, size);
		if (options->verifier != NULL)
			ck_assert_int_eq(tsig_verify_next(options->verifier, message, length,
				options->now), TSIG_NOERROR);
		transfer_add_message(transfer, message, length);
		if (transfer->messages == 1 && options->after_first != NULL)
			options->after_first(options->arg);
		ck_assert_uint_lt(transfer->messages, MAX_MESSAGES);
	} while (rc == ANSWER_STREAM_MORE);
	size_t length = 99;
	ck_assert_int_eq(answer_stream_next(stream, message, options->size, &length, 0),
		ZONED_EINVAL);
	ck_assert_uint_eq(length, 0);
	free(message);
}

/* Appends the records of the nodes (except the apex SOA) to keys. */
static void
node_keys(const struct zone *zone, struct name_node *const *nodes, size_t node_count,
	char **keys, size_t *n)
{
	const uint8_t *rdata;
	uint16_t length;
	for (size_t i = 0; i < node_count; i++) {
		const struct name_node *node = nodes[i];
		const struct rrset *rrsets = name_node_rrsets(node);
		for (uint16_t j = 0; j < node->rrset_count; j++) {
			if (&rrsets[j] == zone->soa)
				continue;
			struct rdata_cursor cursor = rdata_cursor_start(rrsets[j].rdata,
				rrsets[j].rdata_length);
			while (rdata_cursor_next(&cursor, &rdata, &length)) {
				ck_assert_uint_lt(*n, zone->record_count);
				keys[(*n)++] = record_key(node->name, node->name_length, rrsets[j].type,
					1, rrsets[j].ttl, rdata, length);
			}
		}
	}
}

/*
 * The zone's own records as keys: the SOA, every other record (the names'
 * and the NSEC3 owners'), the SOA again.
 */
static char **
zone_keys(const struct zone *zone, size_t *count)
{
	char **keys = calloc(zone->record_count + 1, sizeof *keys);
	ck_assert_ptr_nonnull(keys);
	size_t n = 0;
	struct rdata_cursor soa = rdata_cursor_start(zone->soa->rdata, zone->soa->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	ck_assert(rdata_cursor_next(&soa, &rdata, &length));
	keys[n++] = record_key(zone->origin, zone->origin_length, 6, 1, zone->soa->ttl, rdata,
		length);
	node_keys(zone, zone->nodes, zone->node_count, keys, &n);
	node_keys(zone, zone->nsec3_nodes, zone->nsec3_count, keys, &n);
	ck_assert_uint_eq(n, zone->record_count);
	keys[n++] = strdup(keys[0]);
	*count = n;
	return keys;
}

static int
compare_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The transfer holds exactly the zone's records, SOA first and last, the
 * rest in canonical order (checked with ldns, not with our own code).
 */
static void
transfer_check(const struct transfer *transfer, const struct zone *zone)
{
	size_t expected_count;
	char **expected = zone_keys(zone, &expected_count);
	ck_assert_uint_eq(transfer->count, expected_count);
	ck_assert_str_eq(transfer->keys[0], expected[0]);
	ck_assert_str_eq(transfer->keys[transfer->count - 1], expected[0]);
	char **received = malloc(transfer->count * sizeof *received);
	ck_assert_ptr_nonnull(received);
	memcpy(received, transfer->keys, transfer->count * sizeof *received);
	qsort(received + 1, transfer->count - 2, sizeof *received, compare_keys);
	qsort(expected + 1, expected_count - 2, sizeof *expected, compare_keys);
	for (size_t i = 1; i + 1 < expected_count; i++)
		ck_assert_str_eq(received[i], expected[i]);
	for (size_t i = 1; i + 1 < transfer->count; i++)
		ck_assert_int_le(ldns_dname_compare(transfer->owners[i - 1], transfer->owners[i]), 0);
	free(received);
	for (size_t i = 0; i < expected_count; i++)
		free(expected[i]);
	free(expected);
	ck_assert(transfer->first_has_question);
	ck_assert(!transfer->later_have_question);
	ck_assert(!transfer->any_truncated);
}

/* Counts the records in transfer whose type is type. */
static size_t
transfer_count_type(const struct transfer *transfer, const struct zone *zone, uint16_t type)
{
	size_t count = 0;
	char needle[16];
	snprintf(needle, sizeof needle, " %u 1 ", type);
	for (size_t i = 0; i < transfer->count; i++)
		count += strstr(transfer->keys[i], needle) != NULL;
	(void)zone;
	return count;
}

/* 1000: about one TXT per message, and the 40 A records split across messages. */
static const size_t message_sizes[] = {65535, 16384, 1400, 1000};

START_TEST(axfr_reassembles_the_zone)
{
	size_t size = message_sizes[_i];
	axfr_begin(false);
	struct zone *zone = fixture.zone;
	struct answer_stream *stream = &fixture.stream;
	struct transfer transfer;
	transfer_run(stream, &(struct transfer_options){.size = size}, &transfer);
	transfer_check(&transfer, zone);
	/* Over 750 octets per TXT record: several messages even at the largest size. */
	ck_assert_uint_ge(transfer.messages, TXT_NAMES * 750 / size);
	ck_assert_uint_gt(transfer.messages, 1);
	ck_assert(!transfer.every_message_has_opt);
	/* Glue, occluded data, RRSIGs and the DNAME are part of the zone as loaded. */
	ck_assert_uint_eq(transfer_count_type(&transfer, zone, 46), 3);
	ck_assert_uint_eq(transfer_count_type(&transfer, zone, 50), 1);
	ck_assert_uint_eq(transfer_count_type(&transfer, zone, 39), 1);
	ck_assert_uint_eq(transfer_count_type(&transfer, zone, 16), TXT_NAMES);
	ck_assert_uint_eq(transfer_count_type(&transfer, zone, 6), 2);
	ck_assert_uint_eq(transfer.count, (size_t)TXT_NAMES + MANY_ADDRESSES + 19);
	transfer_clear(&transfer);
	answer_stream_finish(stream);
	ck_assert_ptr_null(stream->zone);
	answer_stream_finish(stream);  /* twice is fine */
	ck_assert_uint_eq(atomic_load(&zone->holders), 1);
	zone_free(zone);
}
END_TEST

START_TEST(axfr_with_edns_has_opt_in_every_message)
{
	axfr_begin(true);
	struct zone *zone = fixture.zone;
	struct answer_stream *stream = &fixture.stream;
	struct transfer transfer;
	transfer_run(stream, &(struct transfer_options){.size = 4096}, &transfer);
	transfer_check(&transfer, zone);
	ck_assert(transfer.every_message_has_opt);
	transfer_clear(&transfer);
	answer_stream_finish(stream);
	zone_free(zone);
}
END_TEST

START_TEST(message_size_may_change_between_calls)
{
	axfr_begin(false);
	struct transfer transfer;
	transfer_run(&fixture.stream, &(struct transfer_options){.size = 20000, .vary = true},
		&transfer);
	transfer_check(&transfer, fixture.zone);
	transfer_clear(&transfer);
	answer_stream_finish(&fixture.stream);
	zone_free(fixture.zone);
}
END_TEST

static void
let_go_of_db(void *arg)
{
	struct zonedb **db = arg;
	zonedb_free(*db);  /* the reload retires the set that served the zone */
	*db = NULL;
}

START_TEST(stream_outlives_a_reload)
{
	struct zone *zone = stream_zone_load();
	struct zonedb *db = zonedb_create();
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(zonedb_add(db, zone), 0);  /* the db holds the loader's hold now */
	const struct zone *served = zonedb_find(db, origin, sizeof origin);
	ck_assert_ptr_eq(served, zone);
	struct answer_stream stream;
	start_axfr(&stream, served, false);
	ck_assert_uint_eq(atomic_load(&served->holders), 2);
	/* The expected records, taken while the zone is still served. */
	struct transfer transfer;
	struct transfer_options options = {.size = 16384, .after_first = let_go_of_db, .arg = &db};
	transfer_run(&stream, &options, &transfer);
	ck_assert_ptr_null(db);
	ck_assert_uint_eq(atomic_load(&served->holders), 1);
	ck_assert_uint_gt(transfer.messages, 2);
	transfer_check(&transfer, served);
	transfer_clear(&transfer);
	answer_stream_finish(&stream);  /* the last holder: the zone is freed here */
}
END_TEST

/* Requests a stream must not start for. */
static const struct {
	const char *why;
	const uint8_t *qname;
	size_t qname_length;
	uint16_t qtype;
	enum answer_transport transport;
} refused_starts[] = {
	{"a name below the origin", (const uint8_t *)"\3www\6stream\4test", 17, 252, ANSWER_TCP},
	{"a name above the origin", (const uint8_t *)"\4test", 6, 252, ANSWER_TCP},
	{"over UDP (RFC 5936 4.2)", axfr_qname, sizeof axfr_qname, 252, ANSWER_UDP},
	{"not AXFR", axfr_qname, sizeof axfr_qname, 6, ANSWER_TCP},
};

START_TEST(start_refuses_what_is_not_an_axfr_of_the_zone)
{
	struct zone *zone = stream_zone_load();
	uint8_t packet[512];
	struct answer_request request = {
		.query = packet,
		.query_length = make_query(packet, refused_starts[_i].qname,
			refused_starts[_i].qname_length, refused_starts[_i].qtype, false),
		.transport = refused_starts[_i].transport,
	};
	struct answer_stream stream;
	ck_assert_msg(answer_stream_start_axfr(&stream, zone, &request, NULL) == ZONED_EINVAL,
		"%s", refused_starts[_i].why);
	ck_assert_ptr_null(stream.zone);
	ck_assert_uint_eq(atomic_load(&zone->holders), 1);
	uint8_t message[512];
	size_t written = 7;
	ck_assert_int_eq(answer_stream_next(&stream, message, sizeof message, &written, 0),
		ZONED_EINVAL);
	ck_assert_uint_eq(written, 0);
	answer_stream_finish(&stream);
	zone_free(zone);
}
END_TEST

START_TEST(record_larger_than_a_message_is_an_error)
{
	axfr_begin(false);
	struct zone *zone = fixture.zone;
	struct answer_stream *stream = &fixture.stream;
	/* The SOA fits in 200 octets, a 1000-octet TXT never does. */
	uint8_t message[200];
	size_t length = 0;
	int rc;
	unsigned messages = 0;
	while ((rc = answer_stream_next(stream, message, sizeof message, &length, 0))
		== ANSWER_STREAM_MORE) {
		ck_assert_uint_le(length, sizeof message);
		ck_assert_uint_lt(++messages, 100);
	}
	ck_assert_int_eq(rc, ZONED_ESPACE);
	ck_assert_uint_eq(length, 0);
	ck_assert_uint_gt(messages, 0);
	answer_stream_finish(stream);
	zone_free(zone);
}
END_TEST

/* 1100: a 1000-octet TXT and the TSIG record (about 100 octets) just fit. */
static const size_t signed_sizes[] = {16384, 1100};

/*
 * A signed request's transfer (RFC 8945 5.3.1): every message carries a
 * TSIG that the client side verifies in turn, the first from the request's
 * MAC, each later one from the prior; the records are still the whole zone
 * within the sizes offered. The stream signs with its own copy of the key:
 * the view's key is overwritten after the start (a reload freeing it).
 */
START_TEST(signed_axfr_verifies_message_by_message)
{
	static const uint8_t key_name[] = "\7xfr-key";
	static const uint8_t secret[] = "a transfer secret of 32 octets..";
	const uint64_t now = 1764777600;
	struct tsig_key client_key = {
		.name = key_name, .name_length = sizeof key_name, .algorithm = TSIG_HMAC_SHA256,
		.secret = secret, .secret_length = sizeof secret - 1,
	};
	uint8_t view_name[sizeof key_name], view_secret[sizeof secret];
	memcpy(view_name, key_name, sizeof key_name);
	memcpy(view_secret, secret, sizeof secret);
	struct tsig_key view_key = client_key;
	view_key.name = view_name;
	view_key.secret = view_secret;
	struct tsig_context *server = tsig_context_create(), *client = tsig_context_create();
	ck_assert(server != NULL && client != NULL);
	/* The client signs its request; the stream starts from the request's MAC. */
	uint8_t request[512];
	size_t request_length = make_query(request, axfr_qname, sizeof axfr_qname, 252, false);
	struct tsig_state request_state;
	request_length = tsig_sign_request(&request_state, client, &client_key, request,
		request_length, sizeof request, now);
	ck_assert_uint_gt(request_length, 0);
	axfr_begin(false);
	struct answer_stream *stream = &fixture.stream;
	ck_assert_int_eq(answer_stream_sign(stream, server, &view_key, request_state.prior_mac,
		request_state.prior_mac_length), 0);
	memset(view_name, 0xa5, sizeof view_name);
	memset(view_secret, 0x5a, sizeof view_secret);
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, client, &request_state);
	struct transfer transfer;
	transfer_run(stream, &(struct transfer_options){.size = signed_sizes[_i],
		.verifier = &verifier, .now = now}, &transfer);
	transfer_check(&transfer, fixture.zone);
	ck_assert_uint_gt(transfer.messages, 1);
	transfer_clear(&transfer);
	answer_stream_finish(stream);
	ck_assert(!stream->signing);
	/* Signing is for a fresh stream only. */
	ck_assert_int_eq(answer_stream_sign(stream, server, &client_key, request_state.prior_mac,
		request_state.prior_mac_length), ZONED_EINVAL);
	zone_free(fixture.zone);
	tsig_context_free(server);
	tsig_context_free(client);
}
END_TEST

/*
 * Version 1 is the zone above; version 2 has another $TTL (nearly every
 * record deleted and added again: a step of ~700 KB, more than the journal
 * reader's buffer); version 3 changes one record of a large RRset and adds
 * a name.
 */
static struct zone *
ixfr_version(unsigned version)
{
	char *text = stream_zone_text();
	char *serial = strstr(text, "2026120301");
	serial[9] = (char)('0' + version);
	if (version >= 2)
		memcpy(strstr(text, "$TTL 300"), "$TTL 600", 8);
	size_t length = strlen(text);
	if (version >= 3) {
		memcpy(strstr(text, "many A 192.0.2.7\n"), "many A 192.0.2.9", 16);
		strcpy(text + length, "added TXT \"new in 3\"\n");
	}
	struct zone *zone = testlib_zone_from_text("stream.test", text, "stream.test", NULL, NULL);
	free(text);
	return zone;
}

static void
quiet_log(int priority, const char *format, ...)
{
}

/* An IXFR query from serial: the SOA in the authority section (RFC 1995 3). */
static size_t
make_ixfr_query(uint8_t *packet, uint32_t serial)
{
	size_t length = make_query(packet, axfr_qname, sizeof axfr_qname, RRTYPE_IXFR, false);
	packet[9] = 1;  /* NSCOUNT */
	static const uint8_t soa_head[] = {0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0};
	memcpy(packet + length, soa_head, sizeof soa_head);
	length += sizeof soa_head;
	uint8_t numbers[20] = {(uint8_t)(serial >> 24), (uint8_t)(serial >> 16),
		(uint8_t)(serial >> 8), (uint8_t)serial};
	memcpy(packet + length, numbers, sizeof numbers);
	return length + sizeof numbers;
}

static unsigned
key_type(const char *key)
{
	unsigned type = 0;
	ck_assert_int_eq(sscanf(strchr(key, ' '), " %u", &type), 1);
	return type;
}

/*
 * Applies an IXFR (SOA, then per step: old SOA, deletions, new SOA,
 * additions; SOA) to keys (count of them, sorted), as a secondary would.
 * Returns the steps.
 */
static unsigned
ixfr_apply(const struct transfer *transfer, char **keys, size_t *count)
{
	unsigned steps = 0;
	size_t i = 1, last = transfer->count - 1;
	ck_assert_str_eq(transfer->keys[0], transfer->keys[last]);
	while (i < last) {
		ck_assert_uint_eq(key_type(transfer->keys[i++]), RRTYPE_SOA);
		for (; key_type(transfer->keys[i]) != RRTYPE_SOA; i++) {
			char **found = bsearch(&transfer->keys[i], keys, *count, sizeof *keys,
				compare_keys);
			ck_assert_msg(found != NULL, "deleted record not there: %s", transfer->keys[i]);
			free(*found);
			memmove(found, found + 1, (size_t)(keys + *count - found - 1) * sizeof *keys);
			(*count)--;
		}
		ck_assert_uint_lt(i, last);
		i++;  /* the step's new SOA */
		for (; i < last && key_type(transfer->keys[i]) != RRTYPE_SOA; i++) {
			keys[(*count)++] = strdup(transfer->keys[i]);
			qsort(keys, *count, sizeof *keys, compare_keys);
		}
		steps++;
	}
	return steps;
}

/* A zone's records but its SOA, sorted; room for extra more. */
static char **
sorted_keys_without_soa(const struct zone *zone, size_t extra, size_t *count)
{
	size_t n;
	char **keys = zone_keys(zone, &n);
	keys = realloc(keys, (n + extra) * sizeof *keys);
	ck_assert_ptr_nonnull(keys);
	free(keys[0]);
	free(keys[n - 1]);
	memmove(keys, keys + 1, (n - 2) * sizeof *keys);
	*count = n - 2;
	qsort(keys, *count, sizeof *keys, compare_keys);
	return keys;
}

static void
keys_free(char **keys, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(keys[i]);
	free(keys);
}

/* From serial 1 (two steps) and 2 (one), in messages of several sizes. */
static const struct {
	unsigned from;
	unsigned steps;
	size_t size;
} ixfr_cases[] = { {1, 2, 16384}, {1, 2, 1200}, {2, 1, 65535}, {2, 1, 1100} };

START_TEST(ixfr_from_the_journal_gives_the_new_version)
{
	char path[] = "/tmp/check_answer_stream_jnl.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	struct zone *v1 = ixfr_version(1), *v2 = ixfr_version(2), *v3 = ixfr_version(3);
	struct zone *from = ixfr_cases[_i].from == 1 ? v1 : v2;
	/* Step 1 -> 2 is about twice the zone: the default limit would drop it. */
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_MAX, v1, v2, quiet_log), 0);
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_MAX, v2, v3, quiet_log), 0);
	v3->journal_path = strdup(path);
	uint8_t packet[512];
	struct answer_request request = {
		.query = packet,
		.query_length = make_ixfr_query(packet, from->serial),
		.transport = ANSWER_TCP,
	};
	struct answer_stream stream;
	ck_assert_int_eq(answer_stream_start_axfr(&stream, v3, &request, NULL), 0);
	ck_assert(stream.incremental);
	ck_assert_uint_eq(stream.from_serial, from->serial);
	ck_assert_uint_eq(stream.journal_steps, ixfr_cases[_i].steps);
	struct transfer transfer;
	transfer_run(&stream, &(struct transfer_options){.size = ixfr_cases[_i].size, .vary =
		ixfr_cases[_i].size == 1200}, &transfer);
	answer_stream_finish(&stream);
	if (ixfr_cases[_i].from == 1)
		ck_assert_uint_gt(transfer.messages, 10);
	size_t count, expected_count;
	char **keys = sorted_keys_without_soa(from, 16, &count);
	ck_assert_uint_eq(ixfr_apply(&transfer, keys, &count), ixfr_cases[_i].steps);
	char **expected = sorted_keys_without_soa(v3, 0, &expected_count);
	ck_assert_uint_eq(count, expected_count);
	for (size_t i = 0; i < count; i++)
		ck_assert_str_eq(keys[i], expected[i]);
	keys_free(keys, count);
	keys_free(expected, expected_count);
	transfer_clear(&transfer);
	/* A serial the journal does not reach: the whole zone, in AXFR form. */
	request.query_length = make_ixfr_query(packet, 7);
	ck_assert_int_eq(answer_stream_start_axfr(&stream, v3, &request, NULL), 0);
	ck_assert(!stream.incremental);
	ck_assert_int_eq(stream.journal_status, ZONED_ENOTFOUND);
	transfer_run(&stream, &(struct transfer_options){.size = 16384}, &transfer);
	transfer_check(&transfer, v3);
	transfer_clear(&transfer);
	answer_stream_finish(&stream);
	/*
	 * Measured (journal_attach(), as the zone set does): the steps from 1
	 * (the zone deleted and added again) are larger than the zone, which
	 * goes instead (BIND's max-ixfr-ratio 100%); the step from 2 is not.
	 */
	ck_assert_int_eq(journal_attach(v3, path), 0);
	ck_assert_uint_gt(v3->wire_size, 200 * 1000);
	request.query_length = make_ixfr_query(packet, from->serial);
	ck_assert_int_eq(answer_stream_start_axfr(&stream, v3, &request, NULL), 0);
	ck_assert(stream.incremental == (ixfr_cases[_i].from == 2));
	ck_assert_int_eq(stream.journal_status, ixfr_cases[_i].from == 2 ? 0 : ZONED_ELIMIT);
	answer_stream_finish(&stream);
	unlink(path);
	zone_free(v1);
	zone_free(v2);
	zone_free(v3);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("answer_stream");
	TCase *axfr = tcase_create("axfr");
	tcase_set_timeout(axfr, 60);
	tcase_add_loop_test(axfr, axfr_reassembles_the_zone, 0,
		(int)(sizeof message_sizes / sizeof message_sizes[0]));
	tcase_add_test(axfr, axfr_with_edns_has_opt_in_every_message);
	tcase_add_test(axfr, message_size_may_change_between_calls);
	tcase_add_test(axfr, stream_outlives_a_reload);
	tcase_add_loop_test(axfr, start_refuses_what_is_not_an_axfr_of_the_zone, 0,
		(int)(sizeof refused_starts / sizeof refused_starts[0]));
	tcase_add_test(axfr, record_larger_than_a_message_is_an_error);
	tcase_add_loop_test(axfr, signed_axfr_verifies_message_by_message, 0,
		(int)(sizeof signed_sizes / sizeof signed_sizes[0]));
	suite_add_tcase(suite, axfr);
	TCase *ixfr = tcase_create("ixfr");
	tcase_set_timeout(ixfr, 60);
	tcase_add_loop_test(ixfr, ixfr_from_the_journal_gives_the_new_version, 0,
		(int)(sizeof ixfr_cases / sizeof ixfr_cases[0]));
	suite_add_tcase(suite, ixfr);
	return testlib_run(suite);
}
