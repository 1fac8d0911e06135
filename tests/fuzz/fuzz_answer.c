/*
 * fuzz_answer.c: query bytes -> answer_query() over the fixture zones, over
 * UDP and TCP and into a buffer smaller than the transport allows, with DNS
 * Cookies on (and required) and off; every response must be well formed
 * (fuzz_check_response) and reproducible, and every COOKIE handed out must
 * be ours, valid, and echo the query's client cookie.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/answer.h"
#include "zoned/cookie.h"

#define FUZZ_TCP_LIMIT 65535
#define FUZZ_SMALL_BUFFER 512

static const uint8_t fuzz_nsid[] = {'f', 'u', 'z', 'z'};

/* The cookie setup the seeds' valid cookies were made for (make_seeds.py):
 * secret 00..0f, client 192.0.2.1, now FUZZ_COOKIE_NOW. */
#define FUZZ_COOKIE_NOW 1764720000u
static struct cookie_config fuzz_cookies = {
	.secrets = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	.secret_count = 1,
};
static struct cookie_config fuzz_cookies_required = {
	.secrets = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	.secret_count = 1,
	.require_server_cookie = true,
};

static const struct sockaddr *
fuzz_answer_client(void)
{
	static struct sockaddr_in client;
	client.sin_family = AF_INET;
	client.sin_addr.s_addr = htonl(0xc0000201);   /* 192.0.2.1 */
	client.sin_port = htons(5353);
	return (const struct sockaddr *)&client;
}

/* Answers into an exactly sized heap buffer so ASan sees any overrun. */
static size_t
fuzz_answer_run(const struct answer_settings *settings, enum answer_transport transport,
	const uint8_t *query, size_t length, uint8_t **out, size_t response_size,
	struct answer_result *result)
{
	uint8_t *response = malloc(response_size);
	if (response == NULL)
		fuzz_fail("answer", "out of memory");
	struct answer_request request = {
		.query = query,
		.query_length = length,
		.transport = transport,
		.client = fuzz_answer_client(),
		.now = FUZZ_COOKIE_NOW,
	};
	size_t n = answer_query(fuzz_fixture_zonedb(), settings, &request,
		response, response_size, result);
	if (n > response_size)
		fuzz_fail("answer", "answer_query returned more than the buffer holds");
	*out = response;
	return n;
}

static void
fuzz_answer_expect(const uint8_t *query, size_t length, const uint8_t *response, size_t n,
	size_t limit, int udp)
{
	/* Shorter than a header or QR set: must be dropped, never answered. */
	if (length < 12 || (query[2] & 0x80) != 0) {
		if (n != 0)
			fuzz_fail("answer", "answered a message that must be dropped");
		return;
	}
	if (n == 0)
		return;
	const char *problem = fuzz_check_response(query, length, response, n, limit, udp);
	if (problem != NULL)
		fuzz_fail("answer", problem);
}

/*
 * result says the response carries a COOKIE: it must be the OPT's only
 * COOKIE, 24 octets, made by us for this client now, and echo a client
 * cookie the query holds.
 */
static void
fuzz_answer_check_cookie(const uint8_t *query, size_t length, const uint8_t *response,
	size_t n, const struct answer_result *result, const struct cookie_config *cookies)
{
	if (!result->cookie)
		return;
	size_t opt = result->opt_offset;
	if (opt < 12 || opt + 11 > n || response[opt] != 0 || response[opt + 2] != 41)
		fuzz_fail("answer", "opt_offset does not point at the OPT record");
	size_t end = opt + 11 + (size_t)(response[opt + 9] << 8 | response[opt + 10]);
	if (end != n)
		fuzz_fail("answer", "the OPT record is not the last one");
	unsigned found = 0;
	for (size_t at = opt + 11; at + 4 <= end;) {
		size_t option_length = (size_t)(response[at + 2] << 8 | response[at + 3]);
		if ((response[at] << 8 | response[at + 1]) == COOKIE_OPTION_CODE) {
			found++;
			if (option_length != COOKIE_LENGTH)
				fuzz_fail("answer", "a COOKIE of another length than 24");
			if (!cookie_valid(cookies, response + at + 4, option_length,
				    fuzz_answer_client(), FUZZ_COOKIE_NOW))
				fuzz_fail("answer", "a COOKIE handed out that is not valid");
			if (memmem(query, length, response + at + 4, COOKIE_CLIENT_LENGTH) == NULL)
				fuzz_fail("answer", "a COOKIE that echoes no client cookie of the query");
		}
		at += 4 + option_length;
	}
	if (found != 1)
		fuzz_fail("answer", "result.cookie without exactly one COOKIE option");
}

int
fuzz_answer_one(const uint8_t *data, size_t size)
{
	struct answer_settings full = {
		.edns_size = 1232, .version = "zoned-fuzz", .identity = "fuzz1",
		.nsid = fuzz_nsid, .nsid_length = sizeof(fuzz_nsid), .cookies = &fuzz_cookies,
	};
	struct answer_settings bare = {.edns_size = 4096};
	struct answer_settings strict = {.edns_size = 1232, .cookies = &fuzz_cookies_required};
	struct answer_result result;
	uint8_t *query = fuzz_copy_input("answer", data, size);

	uint8_t *udp = NULL;
	size_t udp_length = fuzz_answer_run(&full, ANSWER_UDP, query, size, &udp, FUZZ_TCP_LIMIT,
		&result);
	fuzz_answer_expect(query, size, udp, udp_length, full.edns_size, 1);
	fuzz_answer_check_cookie(query, size, udp, udp_length, &result, &fuzz_cookies);
	/* The same query again must give the same octets: no hidden state,
	 * no uninitialised bytes. */
	uint8_t *again = NULL;
	size_t again_length = fuzz_answer_run(&full, ANSWER_UDP, query, size, &again,
		FUZZ_TCP_LIMIT, NULL);
	if (again_length != udp_length || memcmp(udp, again, udp_length) != 0)
		fuzz_fail("answer", "the same query gave two different responses");

	uint8_t *tcp = NULL;
	size_t tcp_length = fuzz_answer_run(&bare, ANSWER_TCP, query, size, &tcp, FUZZ_TCP_LIMIT,
		NULL);
	fuzz_answer_expect(query, size, tcp, tcp_length, FUZZ_TCP_LIMIT, 0);
	if ((udp_length == 0) != (tcp_length == 0))
		fuzz_fail("answer", "dropped over one transport and answered over the other");

	/* require-server-cookie: BADCOOKIE or an answer, well formed either way. */
	uint8_t *required = NULL;
	size_t required_length = fuzz_answer_run(&strict, ANSWER_UDP, query, size, &required,
		FUZZ_TCP_LIMIT, &result);
	fuzz_answer_expect(query, size, required, required_length, strict.edns_size, 1);
	fuzz_answer_check_cookie(query, size, required, required_length, &result,
		&fuzz_cookies_required);
	if (result.kind == ANSWER_KIND_BADCOOKIE && (!result.cookie || result.cookie_valid))
		fuzz_fail("answer", "BADCOOKIE without a fresh cookie, or to a valid one");

	/* A buffer smaller than the EDNS size: the engine must stay inside it. */
	uint8_t *small = NULL;
	size_t small_length = fuzz_answer_run(&bare, ANSWER_UDP, query, size, &small,
		FUZZ_SMALL_BUFFER, NULL);
	fuzz_answer_expect(query, size, small, small_length, FUZZ_SMALL_BUFFER, 1);

	free(small);
	free(required);
	free(tcp);
	free(again);
	free(udp);
	free(query);
	return 0;
}

FUZZ_ENTRY(fuzz_answer_one)
