/*
 * check_tsig.c: TSIG (RFC 8945) against ldns's own implementation, both
 * ways, for every algorithm: requests ldns signs verify here, responses
 * signed here verify in ldns (ldns_pkt_tsig_verify, and _next for the later
 * messages of a transfer), and the client side the other way round. Then the
 * errors (BADKEY, BADSIG, BADTIME, malformed), truncated MACs, unsigned
 * messages inside a stream, and answer_query() with a signed query.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "testlib.h"
#include "zoned/answer.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/tsig.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define SECRET "dHNpZyB0ZXN0IHNlY3JldCBudW1iZXIgb25lISE="
#define OTHER_SECRET "YSBkaWZmZXJlbnQgc2VjcmV0"

/*
 * The keys of the config below, as ldns names them. ldns 1.8.3 has no
 * hmac-sha224 or hmac-sha384 (LDNS_STATUS_CRYPTO_ALGO_NOT_IMPL): those two
 * are checked against dnspython in tests/e2e/tsig.py instead, and here only
 * through our own signer and verifier.
 */
static const struct test_key {
	const char *name;
	const char *ldns_algorithm;
	enum tsig_algorithm algorithm;
	bool ldns;
} test_keys[] = {
	{"k-md5.", "hmac-md5.sig-alg.reg.int.", TSIG_HMAC_MD5, true},
	{"k-sha1.", "hmac-sha1.", TSIG_HMAC_SHA1, true},
	{"k-sha224.", "hmac-sha224.", TSIG_HMAC_SHA224, false},
	{"k-sha256.", "hmac-sha256.", TSIG_HMAC_SHA256, true},
	{"k-sha384.", "hmac-sha384.", TSIG_HMAC_SHA384, false},
	{"k-sha512.", "hmac-sha512.", TSIG_HMAC_SHA512, true},
};
#define KEY_COUNT (sizeof test_keys / sizeof test_keys[0])
#define SHA256 3

static const char config_text[] =
	"key \"k-md5\" { algorithm hmac-md5; secret \"" SECRET "\"; };\n"
	"key \"k-sha1\" { algorithm hmac-sha1; secret \"" SECRET "\"; };\n"
	"key \"k-sha224\" { algorithm hmac-sha224; secret \"" SECRET "\"; };\n"
	"key \"K-Sha256\" { algorithm HMAC-SHA256; secret \"" SECRET "\"; };\n"
	"key \"k-sha384\" { algorithm hmac-sha384; secret \"" SECRET "\"; };\n"
	"key \"k-sha512\" { algorithm hmac-sha512; secret \"" SECRET "\"; };\n"
	"options { allow-query { key \"k-sha256\"; }; };\n";

static struct config *test_config;
static struct tsig_keyring test_ring;
static struct tsig_context *test_context;

static void
setup(void)
{
	struct diag d = {0};
	ck_assert_int_eq(config_load_text(config_text, strlen(config_text), "test.conf", &d,
		&test_config), 0);
	ck_assert_int_eq(tsig_keyring_init(&test_ring, test_config->keys, test_config->key_count), 0);
	test_context = tsig_context_create();
	ck_assert_ptr_nonnull(test_context);
}

static void
teardown(void)
{
	tsig_context_free(test_context);
	tsig_keyring_free(&test_ring);
	config_free(test_config);
}

static const struct tsig_key *
find_key(const char *name)
{
	uint8_t wire[DNAME_MAX_LENGTH];
	int length = dname_from_text(name, wire);
	ck_assert_int_gt(length, 0);
	dname_lower(wire);
	return tsig_keyring_find(&test_ring, wire, (size_t)length);
}

/* ---- ldns helpers ---- */

/* A query for qname A, signed by ldns (time(NULL)); a malloc'd wire in *length octets. */
static uint8_t *
ldns_signed_query(const char *qname, const char *key_name, const char *algorithm,
	const char *secret, bool edns, size_t *length)
{
	ldns_pkt *pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), LDNS_RR_TYPE_A,
		LDNS_RR_CLASS_IN, 0);
	ck_assert_ptr_nonnull(pkt);
	ldns_pkt_set_id(pkt, 4242);
	if (edns)
		ldns_pkt_set_edns_udp_size(pkt, 1232);
	uint8_t *wire = NULL;
	int algorithm_number = tsig_algorithm_from_text(algorithm);
	if (algorithm_number == TSIG_HMAC_SHA224 || algorithm_number == TSIG_HMAC_SHA384) {
		/* Not in ldns: our own signer (see test_keys). */
		ck_assert_int_eq(ldns_pkt2wire(&wire, pkt, length), LDNS_STATUS_OK);
		ck_assert_str_eq(secret, SECRET);
		wire = realloc(wire, *length + 512);
		*length = tsig_sign_request(&(struct tsig_state){0}, test_context, find_key(key_name),
			wire, *length, *length + 512, (uint64_t)time(NULL));
		ck_assert_uint_gt(*length, 0);
	} else {
		ck_assert_int_eq(ldns_pkt_tsig_sign(pkt, key_name, secret, 300, algorithm, NULL),
			LDNS_STATUS_OK);
		ck_assert_int_eq(ldns_pkt2wire(&wire, pkt, length), LDNS_STATUS_OK);
	}
	ldns_pkt_free(pkt);
	return wire;
}

static ldns_pkt *
ldns_parse(const uint8_t *wire, size_t length)
{
	ldns_pkt *pkt = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&pkt, wire, length), LDNS_STATUS_OK);
	return pkt;
}

/* The MAC field of pkt's TSIG (its size and octets), as ldns wants a request MAC. */
static const ldns_rdf *
ldns_tsig_mac(const ldns_pkt *pkt)
{
	ldns_rr *rr = ldns_pkt_tsig(pkt);
	ck_assert_ptr_nonnull(rr);
	return ldns_rr_rdf(rr, 3);
}

static uint16_t
ldns_tsig_error(const ldns_pkt *pkt)
{
	return ldns_rdf2native_int16(ldns_rr_rdf(ldns_pkt_tsig(pkt), 5));
}

/* ---- message helpers ---- */

/* A plain query for www.example.com A with id, in out; returns its length. */
static size_t
plain_query(uint8_t *out, uint16_t id)
{
	static const uint8_t question[] = "\3www\7example\3com\0\0\1\0\1";
	uint8_t header[12] = {(uint8_t)(id >> 8), (uint8_t)id, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(out, header, sizeof header);
	memcpy(out + 12, question, sizeof question - 1);
	return 12 + sizeof question - 1;
}

/*
 * A response to query (its first query_end octets: no TSIG) with one A
 * record whose last octet is serial: a stand-in for one transfer message.
 */
static size_t
response_of(const uint8_t *query, size_t query_end, uint8_t *out, uint8_t serial)
{
	static const uint8_t record[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2};
	memcpy(out, query, query_end);
	out[2] |= 0x80;
	out[7] = 1;                    /* ANCOUNT */
	out[10] = out[11] = 0;         /* ARCOUNT: the OPT and TSIG are gone */
	size_t length = 12;
	/* Keep the question only. */
	while (out[length] != 0)
		length += 1 + out[length];
	length += 5;
	memcpy(out + length, record, sizeof record);
	length += sizeof record;
	out[length++] = serial;
	return length;
}

/* ---- ldns signs, we verify; we sign the response, ldns verifies ---- */

START_TEST(test_ldns_request_verified)
{
	const struct test_key *k = &test_keys[_i];
	size_t length;
	uint8_t *query = ldns_signed_query("www.example.com.", k->name, k->ldns_algorithm, SECRET,
		_i % 2 == 0, &length);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, length, start,
		(uint64_t)time(NULL), &request), 0);
	ck_assert_int_eq(request.error, TSIG_NOERROR);
	ck_assert_ptr_eq(request.key, find_key(k->name));
	ck_assert_int_eq(request.record.mac_length, tsig_algorithm_mac_length(k->algorithm));

	uint8_t response[1024];
	size_t response_length = response_of(query, start, response, 1);
	struct tsig_state state;
	tsig_sign_start(&state, test_context, request.key, request.record.mac,
		request.record.mac_length);
	size_t signed_length = tsig_sign_next(&state, response, response_length, sizeof response,
		(uint64_t)time(NULL));
	ck_assert_uint_eq(signed_length, response_length + tsig_sign_space(&state));
	ldns_pkt *query_pkt = ldns_parse(query, length);
	ldns_pkt *response_pkt = ldns_parse(response, signed_length);
	if (k->ldns) {
		ck_assert_msg(ldns_pkt_tsig_verify(response_pkt, response, signed_length, k->name,
			SECRET, ldns_tsig_mac(query_pkt)), "ldns rejects our %s response", k->name);
		/* ldns does check: the wrong secret fails there too. */
		ck_assert(!ldns_pkt_tsig_verify(response_pkt, response, signed_length, k->name,
			OTHER_SECRET, ldns_tsig_mac(query_pkt)));
	}
	/* Our client side accepts it. */
	struct tsig_state client;
	tsig_sign_start(&client, test_context, request.key, request.record.mac,
		request.record.mac_length);
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, test_context, &client);
	ck_assert_int_eq(tsig_verify_next(&verifier, response, signed_length, (uint64_t)time(NULL)),
		TSIG_NOERROR);
	ldns_pkt_free(response_pkt);
	ldns_pkt_free(query_pkt);
	free(query);
}
END_TEST

/* ---- we sign the request, ldns verifies; ldns signs the response, we verify ---- */

START_TEST(test_our_request_ldns_response)
{
	const struct test_key *k = &test_keys[_i];
	const struct tsig_key *key = find_key(k->name);
	ck_assert_ptr_nonnull(key);
	uint8_t query[512];
	size_t length = plain_query(query, 777);
	struct tsig_state state;
	uint64_t now = (uint64_t)time(NULL);
	size_t signed_length = tsig_sign_request(&state, test_context, key, query, length,
		sizeof query, now);
	ck_assert_uint_eq(signed_length, length + tsig_sign_space(&state));
	ldns_pkt *query_pkt = ldns_parse(query, signed_length);
	if (!k->ldns) {
		/* Only our own verifier knows the algorithm here. */
		size_t start;
		struct tsig_request request;
		ck_assert_int_eq(tsig_find(query, signed_length, &start), 0);
		ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, signed_length,
			start, now, &request), 0);
		ck_assert_int_eq(request.error, TSIG_NOERROR);
		ldns_pkt_free(query_pkt);
		return;
	}
	ck_assert_msg(ldns_pkt_tsig_verify(query_pkt, query, signed_length, k->name, SECRET, NULL),
		"ldns rejects our %s request", k->name);

	/* ldns answers it, signed with our request's MAC. */
	ldns_pkt *response_pkt = ldns_parse(query, signed_length);
	ldns_rr_free(ldns_pkt_tsig(response_pkt));
	ldns_pkt_set_tsig(response_pkt, NULL);
	ldns_pkt_set_qr(response_pkt, true);
	ck_assert_int_eq(ldns_pkt_tsig_sign(response_pkt, k->name, SECRET, 300, k->ldns_algorithm,
		ldns_tsig_mac(query_pkt)), LDNS_STATUS_OK);
	uint8_t *response = NULL;
	size_t response_length;
	ck_assert_int_eq(ldns_pkt2wire(&response, response_pkt, &response_length), LDNS_STATUS_OK);
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, test_context, &state);
	ck_assert_int_eq(tsig_verify_next(&verifier, response, response_length, now), TSIG_NOERROR);
	/* One octet changed: BADSIG. */
	tsig_verify_start(&verifier, test_context, &state);
	response[3] ^= 0x10;
	ck_assert_int_eq(tsig_verify_next(&verifier, response, response_length, now), TSIG_BADSIG);
	free(response);
	ldns_pkt_free(response_pkt);
	ldns_pkt_free(query_pkt);
}
END_TEST

/* ---- errors of a request ---- */

static const struct error_case {
	const char *key_name;
	const char *algorithm;
	const char *secret;
	int skew;              /* our clock minus the signer's */
	uint16_t error;
} error_cases[] = {
	{"k-sha256.", "hmac-sha256.", SECRET, 0, TSIG_NOERROR},
	{"K-SHA256.", "hmac-sha256.", SECRET, 0, TSIG_NOERROR},   /* ldns digests the name as sent */
	{"k-sha256.", "hmac-sha256.", OTHER_SECRET, 0, TSIG_BADSIG},
	{"nokey.", "hmac-sha256.", SECRET, 0, TSIG_BADKEY},
	{"k-sha256.", "hmac-sha1.", SECRET, 0, TSIG_BADKEY},       /* the key's algorithm differs */
	{"k-sha256.", "hmac-sha256.", SECRET, 1000, TSIG_BADTIME},
	{"k-sha256.", "hmac-sha256.", SECRET, -1000, TSIG_BADTIME},
	{"k-sha256.", "hmac-sha256.", OTHER_SECRET, 1000, TSIG_BADSIG},  /* the MAC first */
	{"k-md5.", "hmac-md5.sig-alg.reg.int.", OTHER_SECRET, 0, TSIG_BADSIG},
};

START_TEST(test_request_errors)
{
	const struct error_case *c = &error_cases[_i];
	size_t length;
	uint8_t *query = ldns_signed_query("www.example.com.", c->key_name, c->algorithm, c->secret,
		true, &length);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, length, start,
		(uint64_t)(time(NULL) + c->skew), &request), 0);
	ck_assert_int_eq(request.error, c->error);
	ck_assert(c->error == TSIG_BADKEY ? request.key == NULL : request.key != NULL);
	free(query);
}
END_TEST

/* Time Signed +- Fudge is inclusive (RFC 8945 5.2.3). */
static const struct time_case {
	int64_t skew;
	uint16_t error;
} time_cases[] = {
	{0, TSIG_NOERROR}, {300, TSIG_NOERROR}, {-300, TSIG_NOERROR},
	{301, TSIG_BADTIME}, {-301, TSIG_BADTIME},
};

START_TEST(test_time_window)
{
	uint8_t query[512];
	size_t length = plain_query(query, 1);
	struct tsig_state state;
	const uint64_t signed_at = 1700000000;
	length = tsig_sign_request(&state, test_context, find_key("k-sha256"), query, length,
		sizeof query, signed_at);
	ck_assert_uint_gt(length, 0);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, length, start,
		(uint64_t)((int64_t)signed_at + time_cases[_i].skew), &request), 0);
	ck_assert_int_eq(request.error, time_cases[_i].error);
}
END_TEST

/* ---- truncated MACs (RFC 8945 5.2.2.1) ---- */

/* Rewrites the TSIG of wire with its MAC cut (or padded) to mac_length octets; returns the length. */
static size_t
resize_mac(const uint8_t *wire, size_t length, size_t start, size_t mac_length, uint8_t *out)
{
	struct tsig_record record;
	ck_assert_int_eq(tsig_record_parse(&record, wire, length, start), 0);
	size_t mac_at = (size_t)(record.mac - wire);
	size_t rdata_at = (size_t)(record.algorithm - wire);
	size_t old = record.mac_length;
	memcpy(out, wire, mac_at);
	memset(out + mac_at, 0, mac_length);
	memcpy(out + mac_at, record.mac, mac_length < old ? mac_length : old);
	memcpy(out + mac_at + mac_length, wire + mac_at + old, length - mac_at - old);
	out[mac_at - 2] = (uint8_t)(mac_length >> 8);
	out[mac_at - 1] = (uint8_t)mac_length;
	size_t rdata_length = (size_t)(wire[rdata_at - 2] << 8 | wire[rdata_at - 1]) - old + mac_length;
	out[rdata_at - 2] = (uint8_t)(rdata_length >> 8);
	out[rdata_at - 1] = (uint8_t)rdata_length;
	return length - old + mac_length;
}

static const struct truncation_case {
	unsigned key;
	size_t mac_length;
	int status;            /* 0 or ZONED_EINVAL (FORMERR) */
	uint16_t error;
} truncation_cases[] = {
	{0, 10, 0, TSIG_NOERROR},          /* md5: 16, at least 10 */
	{0, 9, ZONED_EINVAL, 0},
	{1, 10, 0, TSIG_NOERROR},          /* sha1: 20, at least 10 */
	{2, 14, 0, TSIG_NOERROR},          /* sha224: 28, at least 14 */
	{2, 13, ZONED_EINVAL, 0},
	{3, 16, 0, TSIG_NOERROR},          /* sha256: 32, at least 16 */
	{3, 15, ZONED_EINVAL, 0},
	{3, 31, 0, TSIG_NOERROR},
	{3, 33, ZONED_EINVAL, 0},          /* longer than the hash */
	{3, 0, 0, TSIG_BADSIG},            /* no MAC at all */
	{4, 24, 0, TSIG_NOERROR},          /* sha384: 48, at least 24 */
	{5, 32, 0, TSIG_NOERROR},          /* sha512: 64, at least 32 */
	{5, 31, ZONED_EINVAL, 0},
};

START_TEST(test_truncated_mac)
{
	const struct truncation_case *c = &truncation_cases[_i];
	const struct test_key *k = &test_keys[c->key];
	size_t length;
	uint8_t *query = ldns_signed_query("www.example.com.", k->name, k->ldns_algorithm, SECRET,
		false, &length);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	uint8_t cut[1024];
	size_t cut_length = resize_mac(query, length, start, c->mac_length, cut);
	uint64_t now = (uint64_t)time(NULL);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, cut, cut_length, start, now,
		&request), c->status);
	if (c->status == 0)
		ck_assert_int_eq(request.error, c->error);
	if (c->status == 0 && c->error == TSIG_NOERROR) {
		/* The response digests the truncated request MAC (5.2.2.1); ldns agrees. */
		uint8_t response[1024];
		size_t response_length = response_of(cut, start, response, 1);
		struct tsig_state state;
		tsig_sign_start(&state, test_context, request.key, request.record.mac,
			request.record.mac_length);
		response_length = tsig_sign_next(&state, response, response_length, sizeof response,
			now);
		ldns_pkt *query_pkt = ldns_parse(cut, cut_length);
		ldns_pkt *response_pkt = ldns_parse(response, response_length);
		ck_assert(!k->ldns || ldns_pkt_tsig_verify(response_pkt, response, response_length,
			k->name, SECRET, ldns_tsig_mac(query_pkt)));
		ldns_pkt_free(response_pkt);
		ldns_pkt_free(query_pkt);
		/* A changed octet inside the kept part is still caught. */
		cut[start - 1] ^= 1;
		ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, cut, cut_length, start,
			now, &request), 0);
		ck_assert_int_eq(request.error, TSIG_BADSIG);
	}
	free(query);
}
END_TEST

/* ---- multi-message responses (RFC 8945 5.3.1) ---- */

#define STREAM_MESSAGES 4

START_TEST(test_stream_ldns_verifies)
{
	const struct test_key *k = &test_keys[_i];
	size_t length;
	uint8_t *query = ldns_signed_query("example.com.", k->name, k->ldns_algorithm, SECRET, true,
		&length);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	uint64_t now = (uint64_t)time(NULL);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, length, start, now,
		&request), 0);
	ck_assert_int_eq(request.error, TSIG_NOERROR);
	struct tsig_state state;
	tsig_sign_start(&state, test_context, request.key, request.record.mac,
		request.record.mac_length);
	/* Our verifier starts from the same request MAC. */
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, test_context, &state);

	ldns_pkt *previous = ldns_parse(query, length);
	for (unsigned i = 0; i < STREAM_MESSAGES; i++) {
		uint8_t message[1024];
		size_t message_length = response_of(query, start, message, (uint8_t)i);
		message_length = tsig_sign_next(&state, message, message_length, sizeof message,
			now + i);
		ck_assert_uint_gt(message_length, 0);
		ldns_pkt *pkt = ldns_parse(message, message_length);
		/* The first covers all TSIG variables, the later ones the timers only. */
		ck_assert_msg(!k->ldns || ldns_pkt_tsig_verify_next(pkt, message, message_length,
			k->name, SECRET, ldns_tsig_mac(previous), i == 0 ? 0 : 1),
			"%s: message %u", k->name, i);
		/* A wrong prior MAC fails: the chain is real. */
		if (i > 0 && k->ldns)
			ck_assert(!ldns_pkt_tsig_verify_next(pkt, message, message_length, k->name,
				SECRET, ldns_tsig_mac(pkt), 1));
		ck_assert_int_eq(tsig_verify_next(&verifier, message, message_length, now + i),
			TSIG_NOERROR);
		ldns_pkt_free(previous);
		previous = pkt;
	}
	ck_assert_uint_eq(state.messages, STREAM_MESSAGES);
	ldns_pkt_free(previous);
	free(query);
}
END_TEST

/*
 * Unsigned messages between signed ones (5.3.1): one TSIG covers the
 * prior MAC, every unsigned message whole and the signed one. Signed here
 * by handing the signer the two messages back to back: the digest of
 * m2 || m3 is exactly the digest of m2 then m3.
 */
START_TEST(test_stream_with_unsigned_messages)
{
	const struct tsig_key *key = find_key("k-sha256");
	uint64_t now = (uint64_t)time(NULL);
	uint8_t query[512];
	size_t query_length = plain_query(query, 99);
	struct tsig_state client;
	size_t signed_query = tsig_sign_request(&client, test_context, key, query, query_length,
		sizeof query, now);
	ck_assert_uint_gt(signed_query, 0);
	struct tsig_state server;
	tsig_sign_start(&server, test_context, key, client.prior_mac, client.prior_mac_length);

	uint8_t first[512], pair[1024];
	size_t first_length = tsig_sign_next(&server, first,
		response_of(query, query_length, first, 1), sizeof first, now);
	size_t second_length = response_of(query, query_length, pair, 2);
	size_t third_length = response_of(query, query_length, pair + second_length, 3);
	size_t pair_length = tsig_sign_next(&server, pair, second_length + third_length,
		sizeof pair, now);
	ck_assert_uint_gt(pair_length, 0);
	pair[11]--;                                /* the TSIG counted in the wrong header */
	pair[second_length + 11]++;
	third_length = pair_length - second_length;

	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, test_context, &client);
	ck_assert_int_eq(tsig_verify_next(&verifier, first, first_length, now), TSIG_NOERROR);
	ck_assert_int_eq(tsig_verify_next(&verifier, pair, second_length, now), TSIG_UNSIGNED);
	ck_assert_int_eq(tsig_verify_next(&verifier, pair + second_length, third_length, now),
		TSIG_NOERROR);

	/* The unsigned message changed: the next TSIG fails. */
	tsig_verify_start(&verifier, test_context, &client);
	ck_assert_int_eq(tsig_verify_next(&verifier, first, first_length, now), TSIG_NOERROR);
	pair[second_length - 1] ^= 1;
	ck_assert_int_eq(tsig_verify_next(&verifier, pair, second_length, now), TSIG_UNSIGNED);
	ck_assert_int_eq(tsig_verify_next(&verifier, pair + second_length, third_length, now),
		TSIG_BADSIG);
	pair[second_length - 1] ^= 1;

	/* The first message must be signed; so must one in every 100. */
	tsig_verify_start(&verifier, test_context, &client);
	ck_assert_int_eq(tsig_verify_next(&verifier, pair, second_length, now), TSIG_BADSIG);
	tsig_verify_start(&verifier, test_context, &client);
	ck_assert_int_eq(tsig_verify_next(&verifier, first, first_length, now), TSIG_NOERROR);
	for (unsigned i = 0; i < 99; i++)
		ck_assert_int_eq(tsig_verify_next(&verifier, pair, second_length, now), TSIG_UNSIGNED);
	ck_assert_int_eq(tsig_verify_next(&verifier, pair, second_length, now), TSIG_BADSIG);
}
END_TEST

/* A response carrying the server's error is reported as that error. */
START_TEST(test_client_sees_server_error)
{
	const struct tsig_key *key = find_key("k-sha1");
	uint64_t now = (uint64_t)time(NULL);
	uint8_t query[512];
	size_t length = tsig_sign_request(&(struct tsig_state){0}, test_context, key, query,
		plain_query(query, 5), sizeof query, now);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_record record;
	ck_assert_int_eq(tsig_record_parse(&record, query, length, start), 0);
	uint8_t response[512];
	size_t response_length = response_of(query, start, response, 1);
	response_length = tsig_append_unsigned_error(&record, TSIG_BADSIG, response,
		response_length, sizeof response);
	ck_assert_uint_gt(response_length, 0);
	struct tsig_state state;
	tsig_sign_start(&state, test_context, key, record.mac, record.mac_length);
	struct tsig_verifier verifier;
	tsig_verify_start(&verifier, test_context, &state);
	ck_assert_int_eq(tsig_verify_next(&verifier, response, response_length, now), TSIG_BADSIG);
	/* ldns reads the record we wrote: error BADSIG, an empty MAC. */
	ldns_pkt *pkt = ldns_parse(response, response_length);
	ck_assert_int_eq(ldns_tsig_error(pkt), TSIG_BADSIG);
	ck_assert_uint_eq(ldns_rdf_size(ldns_tsig_mac(pkt)), 2);
	ldns_pkt_free(pkt);
}
END_TEST

/* The context's cached key: switching keys of one algorithm never mixes them up. */
static size_t
mac_of(struct tsig_context *context, const struct tsig_key *key, uint8_t *mac)
{
	uint8_t query[512];
	size_t length = plain_query(query, 8);
	struct tsig_state state;
	ck_assert_uint_gt(tsig_sign_request(&state, context, key, query, length, sizeof query,
		1000), 0);
	memcpy(mac, state.prior_mac, state.prior_mac_length);
	return state.prior_mac_length;
}

START_TEST(test_context_switches_keys)
{
	/* b's secret extends a's by one octet: the length counts too. */
	static const uint8_t secret[] = "0123456789abcdef";
	const struct tsig_key keys[2] = {
		{(const uint8_t *)"\1a", 3, TSIG_HMAC_SHA256, secret, 15},
		{(const uint8_t *)"\1a", 3, TSIG_HMAC_SHA256, secret, 16},
	};
	uint8_t fresh[2][TSIG_MAC_MAX], mac[TSIG_MAC_MAX];
	for (int k = 0; k < 2; k++) {
		struct tsig_context *context = tsig_context_create();
		ck_assert_uint_eq(mac_of(context, &keys[k], fresh[k]), 32);
		tsig_context_free(context);
	}
	ck_assert_mem_ne(fresh[0], fresh[1], 32);
	for (int round = 0; round < 6; round++) {
		int k = round % 3 == 0 ? 0 : 1;   /* a, b, b, a, b, b */
		ck_assert_uint_eq(mac_of(test_context, &keys[k], mac), 32);
		ck_assert_mem_eq(mac, fresh[k], 32);
	}
}
END_TEST

/* A copied key signs like the ring's and outlives it; a secret too long to copy is refused. */
START_TEST(test_key_copy)
{
	struct tsig_key_copy copy;
	ck_assert_int_eq(tsig_key_copy(&copy, find_key("k-sha384")), 0);
	uint8_t query[512];
	size_t length = tsig_sign_request(&(struct tsig_state){0}, test_context, &copy.key, query,
		plain_query(query, 4), sizeof query, 5000);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&test_ring, test_context, query, length, start, 5000,
		&request), 0);
	ck_assert_int_eq(request.error, TSIG_NOERROR);
	static const uint8_t long_secret[TSIG_SECRET_MAX + 1];
	const struct tsig_key too_long = {(const uint8_t *)"\1x", 3, TSIG_HMAC_SHA1, long_secret,
		sizeof long_secret};
	ck_assert_int_eq(tsig_key_copy(&copy, &too_long), ZONED_ELIMIT);
}
END_TEST

/* ---- records and names ---- */

START_TEST(test_algorithm_names)
{
	ck_assert_int_eq(tsig_algorithm_from_text("hmac-sha256"), TSIG_HMAC_SHA256);
	ck_assert_int_eq(tsig_algorithm_from_text("HMAC-SHA512."), TSIG_HMAC_SHA512);
	ck_assert_int_eq(tsig_algorithm_from_text("hmac-md5.sig-alg.reg.int"), TSIG_HMAC_MD5);
	ck_assert_int_eq(tsig_algorithm_from_text("hmac-sha3"), -1);
	ck_assert_int_eq(tsig_algorithm_from_wire((const uint8_t *)"\13HMAC-sha256", 13),
		TSIG_HMAC_SHA256);
	ck_assert_int_eq(tsig_algorithm_from_wire((const uint8_t *)"\10hmac-md5", 10), -1);
	ck_assert_ptr_null(find_key("k-none"));
	ck_assert_ptr_nonnull(find_key("K-SHA384."));
	ck_assert_int_eq(find_key("k-sha256")->algorithm, TSIG_HMAC_SHA256);
}
END_TEST

START_TEST(test_find_and_parse)
{
	uint8_t query[512];
	size_t length = plain_query(query, 3);
	size_t start;
	ck_assert_int_eq(tsig_find(query, length, &start), ZONED_ENOTFOUND);
	length = tsig_sign_request(&(struct tsig_state){0}, test_context, find_key("k-sha1"), query,
		length, sizeof query, 1000);
	ck_assert_int_eq(tsig_find(query, length, &start), 0);
	struct tsig_record record;
	ck_assert_int_eq(tsig_record_parse(&record, query, length, start), 0);
	ck_assert_uint_eq(record.time_signed, 1000);
	ck_assert_uint_eq(record.fudge, TSIG_FUDGE_DEFAULT);
	ck_assert_uint_eq(record.original_id, 3);
	ck_assert_uint_eq(record.mac_length, 20);
	/* Every shorter cut is malformed; so is a trailing octet. */
	for (size_t cut = start; cut < length; cut++)
		ck_assert_int_eq(tsig_record_parse(&record, query, cut, start), ZONED_EINVAL);
	query[length] = 0;
	ck_assert_int_eq(tsig_record_parse(&record, query, length + 1, start), ZONED_EINVAL);
	/* A compressed owner name (a pointer to the question) is read. */
	uint8_t pointed[512];
	memcpy(pointed, query, start);
	pointed[start] = 0xc0;
	pointed[start + 1] = 12;
	size_t owner_length = dname_length(query + start);
	memcpy(pointed + start + 2, query + start + owner_length, length - start - owner_length);
	ck_assert_int_eq(tsig_record_parse(&record, pointed, length - owner_length + 2, start), 0);
	ck_assert_uint_eq(record.key_name_length, 17);   /* www.example.com */
	/* A pointer loop is malformed. */
	pointed[start + 1] = (uint8_t)start;
	pointed[start] = (uint8_t)(0xc0 | start >> 8);
	ck_assert_int_eq(tsig_record_parse(&record, pointed, length - owner_length + 2, start),
		ZONED_EINVAL);
}
END_TEST

/* ---- answer_query with signed queries ---- */

static const char zone_text[] =
	"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n"
	"example.com. 3600 IN NS ns1.example.com.\n"
	"ns1.example.com. 3600 IN A 192.0.2.1\n"
	"www.example.com. 3600 IN A 192.0.2.80\n";

static struct zonedb *answer_db;

static void
setup_answer(void)
{
	setup();
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("example.com.", origin), 0);
	struct diag d = {0};
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_load_text(zone_text, strlen(zone_text), "example.com", origin, NULL,
		&d, &zone), 0);
	answer_db = zonedb_create();
	ck_assert_int_eq(zonedb_add(answer_db, zone), 0);
}

static void
teardown_answer(void)
{
	zonedb_free(answer_db);
	teardown();
}

static const struct answer_case {
	const char *key_name;   /* NULL: unsigned */
	const char *algorithm;
	const char *secret;
	int skew;
	bool tcp;
	int rcode;
	uint16_t tsig_error;
	bool signed_response;   /* a MAC ldns verifies; else no TSIG or an empty one */
	unsigned answers;
} answer_cases[] = {
	/* allow-query { key "k-sha256"; }: unsigned is refused, the key is let in. */
	{NULL, NULL, NULL, 0, false, LDNS_RCODE_REFUSED, 0, false, 0},
	{"k-sha256.", "hmac-sha256.", SECRET, 0, false, LDNS_RCODE_NOERROR, 0, true, 1},
	{"k-sha256.", "hmac-sha256.", SECRET, 0, true, LDNS_RCODE_NOERROR, 0, true, 1},
	/* Another good key: verified and signed, but not in the list. */
	{"k-sha1.", "hmac-sha1.", SECRET, 0, false, LDNS_RCODE_REFUSED, 0, true, 0},
	{"k-sha512.", "hmac-sha512.", SECRET, 0, true, LDNS_RCODE_REFUSED, 0, true, 0},
	/* RFC 8945 5.3.2: BADSIG and BADKEY unsigned, BADTIME signed. */
	{"k-sha256.", "hmac-sha256.", OTHER_SECRET, 0, false, LDNS_RCODE_NOTAUTH, TSIG_BADSIG,
		false, 0},
	{"nokey.", "hmac-sha256.", SECRET, 0, true, LDNS_RCODE_NOTAUTH, TSIG_BADKEY, false, 0},
	{"k-sha256.", "hmac-sha256.", SECRET, 1000, false, LDNS_RCODE_NOTAUTH, TSIG_BADTIME, true,
		0},
};

START_TEST(test_answer_signed)
{
	const struct answer_case *c = &answer_cases[_i];
	size_t length;
	uint8_t *query;
	if (c->key_name != NULL) {
		query = ldns_signed_query("www.example.com.", c->key_name, c->algorithm, c->secret,
			_i % 2 == 0, &length);
	} else {
		query = malloc(512);
		length = plain_query(query, 1);
	}
	struct sockaddr_in client = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	uint64_t now = (uint64_t)(time(NULL) + c->skew);
	struct answer_settings settings = {
		.allow_query = test_config->allow_query,
		.tsig_keys = &test_ring,
	};
	struct answer_request request = {
		.query = query, .query_length = length,
		.transport = c->tcp ? ANSWER_TCP : ANSWER_UDP,
		.client = (const struct sockaddr *)&client,
		.now = now, .tsig = test_context,
	};
	uint8_t response[65535];
	struct answer_result result;
	size_t response_length = answer_query(answer_db, &settings, &request, response,
		sizeof response, &result);
	ck_assert_uint_gt(response_length, 0);
	ck_assert_uint_le(response_length, c->tcp ? 65535 : 512);
	ldns_pkt *pkt = ldns_parse(response, response_length);
	ck_assert_int_eq(ldns_pkt_get_rcode(pkt), c->rcode);
	ck_assert_uint_eq(ldns_pkt_ancount(pkt), c->answers);
	ck_assert_int_eq(result.tsig_error, c->tsig_error);
	ck_assert_int_eq(result.kind == ANSWER_KIND_NOTAUTH, c->tsig_error != 0);
	if (c->key_name == NULL) {
		ck_assert_ptr_null(ldns_pkt_tsig(pkt));
		ck_assert_ptr_null(result.tsig_key);
	} else {
		ck_assert_ptr_nonnull(ldns_pkt_tsig(pkt));
		ck_assert_int_eq(ldns_tsig_error(pkt), c->tsig_error);
		ldns_pkt *query_pkt = ldns_parse(query, length);
		bool verified = ldns_pkt_tsig_verify(pkt, response, response_length, c->key_name,
			c->secret, ldns_tsig_mac(query_pkt));
		ck_assert_int_eq(verified, c->signed_response);
		if (!c->signed_response)
			ck_assert_uint_eq(ldns_rdf_size(ldns_tsig_mac(pkt)), 2);   /* MAC size 0 */
		ck_assert_int_eq(result.tsig_key != NULL, c->tsig_error == 0);
		if (result.tsig_key != NULL)
			ck_assert_mem_eq(result.tsig_request_mac,
				ldns_rdf_data(ldns_tsig_mac(query_pkt)) + 2,
				result.tsig_request_mac_length);
		if (c->tsig_error == TSIG_BADTIME) {
			/* Other Data: our time; Time Signed: the request's. */
			ldns_rr *rr = ldns_pkt_tsig(pkt);
			const uint8_t *other = ldns_rdf_data(ldns_rr_rdf(rr, 6));
			ck_assert_uint_eq(ldns_rdf_size(ldns_rr_rdf(rr, 6)), 8);
			uint64_t server_time = 0;
			for (int i = 2; i < 8; i++)
				server_time = server_time << 8 | other[i];
			ck_assert_uint_eq(server_time, now);
		}
		ldns_pkt_free(query_pkt);
	}
	ldns_pkt_free(pkt);
	free(query);
}
END_TEST

/* What query_parse accepts: one TSIG, last; anything else is FORMERR, unsigned. */
START_TEST(test_answer_malformed)
{
	size_t length;
	uint8_t *signed_query = ldns_signed_query("www.example.com.", "k-sha256.", "hmac-sha256.",
		SECRET, false, &length);
	static const uint8_t opt[] = {0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0};
	uint8_t query[1024];
	struct answer_settings settings = {.tsig_keys = &test_ring};
	struct answer_request request = {
		.query = query, .transport = ANSWER_UDP, .now = (uint64_t)time(NULL),
		.tsig = test_context,
	};
	uint8_t response[4096];
	struct answer_result result;
	for (int variant = 0; variant < 3; variant++) {
		memcpy(query, signed_query, length);
		request.query_length = length;
		if (variant == 0) {
			/* An OPT after the TSIG. */
			memcpy(query + length, opt, sizeof opt);
			request.query_length += sizeof opt;
			query[11]++;
		} else if (variant == 1) {
			/* A MAC shorter than allowed. */
			size_t start;
			ck_assert_int_eq(tsig_find(signed_query, length, &start), 0);
			request.query_length = resize_mac(signed_query, length, start, 12, query);
		} else {
			/* Two TSIG records. */
			size_t start;
			ck_assert_int_eq(tsig_find(signed_query, length, &start), 0);
			memcpy(query + length, signed_query + start, length - start);
			request.query_length += length - start;
			query[11]++;
		}
		size_t n = answer_query(answer_db, &settings, &request, response, sizeof response,
			&result);
		ck_assert_uint_gt(n, 0);
		ck_assert_int_eq(response[3] & 0x0f, LDNS_RCODE_FORMERR);
		ck_assert_int_eq(result.kind, ANSWER_KIND_FORMERR);
		size_t start;
		ck_assert_int_eq(tsig_find(response, n, &start), ZONED_ENOTFOUND);
	}
	/* Without keys or an HMAC context: BADKEY. */
	memcpy(query, signed_query, length);
	request.query_length = length;
	request.tsig = NULL;
	ck_assert_uint_gt(answer_query(answer_db, &settings, &request, response, sizeof response,
		&result), 0);
	ck_assert_int_eq(result.tsig_error, TSIG_BADKEY);
	free(signed_query);
}
END_TEST

static Suite *
tsig_suite(void)
{
	Suite *s = suite_create("tsig");
	TCase *tc = tcase_create("tsig");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_algorithm_names);
	tcase_add_test(tc, test_find_and_parse);
	tcase_add_loop_test(tc, test_ldns_request_verified, 0, KEY_COUNT);
	tcase_add_loop_test(tc, test_our_request_ldns_response, 0, KEY_COUNT);
	tcase_add_loop_test(tc, test_request_errors, 0, sizeof error_cases / sizeof error_cases[0]);
	tcase_add_loop_test(tc, test_time_window, 0, sizeof time_cases / sizeof time_cases[0]);
	tcase_add_loop_test(tc, test_truncated_mac, 0,
		sizeof truncation_cases / sizeof truncation_cases[0]);
	tcase_add_loop_test(tc, test_stream_ldns_verifies, 0, KEY_COUNT);
	tcase_add_test(tc, test_stream_with_unsigned_messages);
	tcase_add_test(tc, test_client_sees_server_error);
	tcase_add_test(tc, test_context_switches_keys);
	tcase_add_test(tc, test_key_copy);
	suite_add_tcase(s, tc);
	TCase *answer = tcase_create("answer");
	tcase_add_checked_fixture(answer, setup_answer, teardown_answer);
	tcase_add_loop_test(answer, test_answer_signed, 0,
		sizeof answer_cases / sizeof answer_cases[0]);
	tcase_add_test(answer, test_answer_malformed);
	suite_add_tcase(s, answer);
	return s;
}

int
main(void)
{
	return testlib_run(tsig_suite());
}
