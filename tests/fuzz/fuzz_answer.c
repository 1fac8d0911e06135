/*
 * fuzz_answer.c: query bytes -> answer_query() over the fixture zones, over
 * UDP and TCP and into a buffer smaller than the transport allows; every
 * response must be well formed (fuzz_check_response) and reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/answer.h"

#define FUZZ_TCP_LIMIT 65535
#define FUZZ_SMALL_BUFFER 512

static const uint8_t fuzz_nsid[] = {'f', 'u', 'z', 'z'};

/* Answers into an exactly sized heap buffer so ASan sees any overrun. */
static size_t
fuzz_answer_run(const struct answer_settings *settings, enum answer_transport transport,
	const uint8_t *query, size_t length, uint8_t **out, size_t response_size)
{
	uint8_t *response = malloc(response_size);
	if (response == NULL)
		fuzz_fail("answer", "out of memory");
	struct answer_request request = {
		.query = query,
		.query_length = length,
		.transport = transport,
	};
	size_t n = answer_query(fuzz_fixture_zonedb(), settings, &request,
		response, response_size, NULL);
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

int
fuzz_answer_one(const uint8_t *data, size_t size)
{
	struct answer_settings full = {
		.edns_size = 1232, .version = "zoned-fuzz", .identity = "fuzz1",
		.nsid = fuzz_nsid, .nsid_length = sizeof(fuzz_nsid),
	};
	struct answer_settings bare = {.edns_size = 4096};
	uint8_t *query = fuzz_copy_input("answer", data, size);

	uint8_t *udp = NULL;
	size_t udp_length = fuzz_answer_run(&full, ANSWER_UDP, query, size, &udp, FUZZ_TCP_LIMIT);
	fuzz_answer_expect(query, size, udp, udp_length, full.edns_size, 1);
	/* The same query again must give the same octets: no hidden state,
	 * no uninitialised bytes. */
	uint8_t *again = NULL;
	size_t again_length = fuzz_answer_run(&full, ANSWER_UDP, query, size, &again,
		FUZZ_TCP_LIMIT);
	if (again_length != udp_length || memcmp(udp, again, udp_length) != 0)
		fuzz_fail("answer", "the same query gave two different responses");

	uint8_t *tcp = NULL;
	size_t tcp_length = fuzz_answer_run(&bare, ANSWER_TCP, query, size, &tcp, FUZZ_TCP_LIMIT);
	fuzz_answer_expect(query, size, tcp, tcp_length, FUZZ_TCP_LIMIT, 0);
	if ((udp_length == 0) != (tcp_length == 0))
		fuzz_fail("answer", "dropped over one transport and answered over the other");

	/* A buffer smaller than the EDNS size: the engine must stay inside it. */
	uint8_t *small = NULL;
	size_t small_length = fuzz_answer_run(&bare, ANSWER_UDP, query, size, &small,
		FUZZ_SMALL_BUFFER);
	fuzz_answer_expect(query, size, small, small_length, FUZZ_SMALL_BUFFER, 1);

	free(small);
	free(tcp);
	free(again);
	free(udp);
	free(query);
	return 0;
}

FUZZ_ENTRY(fuzz_answer_one)
