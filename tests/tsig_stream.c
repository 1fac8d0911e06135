/*
 * tsig_stream.c: a helper for tests/tsig_dnspython.py, so that an
 * independent implementation (dnspython) checks our TSIG for every
 * algorithm, including hmac-sha224 and hmac-sha384 that ldns lacks.
 *
 *   tsig_stream response ALGORITHM SECRET-HEX QUERY-HEX COUNT
 *     verifies the signed query, then prints COUNT signed response
 *     messages (RFC 8945 5.3.1), one hex line each.
 *   tsig_stream request ALGORITHM SECRET-HEX
 *     prints a query signed by us, in hex.
 * Without arguments (as a test of its own) it signs a stream and verifies
 * it with our own client side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zoned/tsig.h"

#define MESSAGE_MAX 4096

static const uint8_t key_name[] = "\1k";   /* every key is called "k." */

static size_t
from_hex(const char *text, uint8_t *out, size_t size)
{
	size_t length = strlen(text) / 2;
	if (length > size)
		exit(2);
	for (size_t i = 0; i < length; i++) {
		unsigned value;
		if (sscanf(text + 2 * i, "%2x", &value) != 1)
			exit(2);
		out[i] = (uint8_t)value;
	}
	return length;
}

static void
print_hex(const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++)
		printf("%02x", data[i]);
	printf("\n");
}

/* A response to the query's header and question with one A record ending in serial. */
static size_t
response_of(const uint8_t *query, uint8_t *out, uint8_t serial)
{
	static const uint8_t record[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2};
	size_t length = 12;
	while (query[length] != 0)
		length += 1 + query[length];
	length += 5;
	memcpy(out, query, length);
	out[2] |= 0x80;
	out[6] = 0;
	out[7] = 1;
	memset(out + 8, 0, 4);
	memcpy(out + length, record, sizeof record);
	length += sizeof record;
	out[length++] = serial;
	return length;
}

/* Signs count responses to query (length octets, signed with key); prints or checks them. */
static int
sign_stream(struct tsig_context *context, const struct tsig_keyring *ring, const uint8_t *query,
	size_t length, unsigned count, const struct tsig_state *client)
{
	uint64_t now = (uint64_t)time(NULL);
	size_t start;
	struct tsig_request request;
	if (tsig_find(query, length, &start) != 0
		|| tsig_verify_request(ring, context, query, length, start, now, &request) != 0
		|| request.error != TSIG_NOERROR) {
		fprintf(stderr, "tsig_stream: the query does not verify\n");
		return 1;
	}
	struct tsig_state state;
	tsig_sign_start(&state, context, request.key, request.record.mac, request.record.mac_length);
	struct tsig_verifier verifier;
	if (client != NULL)
		tsig_verify_start(&verifier, context, client);
	for (unsigned i = 0; i < count; i++) {
		uint8_t message[MESSAGE_MAX];
		size_t n = tsig_sign_next(&state, message, response_of(query, message, (uint8_t)i),
			sizeof message, now);
		if (n == 0)
			return 1;
		if (client == NULL)
			print_hex(message, n);
		else if (tsig_verify_next(&verifier, message, n, now) != TSIG_NOERROR)
			return 1;
	}
	return 0;
}

static size_t
signed_query(struct tsig_context *context, const struct tsig_key *key, uint8_t *query,
	struct tsig_state *state)
{
	static const uint8_t plain[] = "\0\52\0\0\0\1\0\0\0\0\0\0\7example\0\0\374\0\1";
	memcpy(query, plain, sizeof plain - 1);
	return tsig_sign_request(state, context, key, query, sizeof plain - 1, MESSAGE_MAX,
		(uint64_t)time(NULL));
}

int
main(int argc, char **argv)
{
	struct tsig_context *context = tsig_context_create();
	uint8_t secret[256], query[MESSAGE_MAX];
	struct tsig_key key = {key_name, sizeof key_name, TSIG_HMAC_SHA256, secret, 0};
	struct tsig_keyring ring = {&key, 1};
	struct tsig_state client;
	int status = 0;
	if (context == NULL)
		return 1;
	if (argc == 1) {
		/* Self-check: every algorithm, our own client side. */
		key.secret_length = from_hex("00112233445566778899", secret, sizeof secret);
		for (int a = 0; a < TSIG_ALGORITHM_COUNT && status == 0; a++) {
			key.algorithm = (enum tsig_algorithm)a;
			size_t length = signed_query(context, &key, query, &client);
			status = length == 0 || sign_stream(context, &ring, query, length, 5, &client);
		}
	} else if (argc >= 4) {
		int algorithm = tsig_algorithm_from_text(argv[2]);
		if (algorithm < 0)
			return 2;
		key.algorithm = (enum tsig_algorithm)algorithm;
		key.secret_length = from_hex(argv[3], secret, sizeof secret);
		if (strcmp(argv[1], "request") == 0) {
			size_t length = signed_query(context, &key, query, &client);
			print_hex(query, length);
			status = length == 0;
		} else if (strcmp(argv[1], "response") == 0 && argc == 6) {
			size_t length = from_hex(argv[4], query, sizeof query);
			status = sign_stream(context, &ring, query, length, (unsigned)atoi(argv[5]), NULL);
		} else {
			status = 2;
		}
	} else {
		status = 2;
	}
	tsig_context_free(context);
	return status;
}
