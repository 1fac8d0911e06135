/*
 * fuzz_rrl.c: sequences of (client, clock step, query) -> answer_query()
 * over the fixture zones -> rrl_apply() on a small table with low rates, so
 * that accounts are limited, slipped and evicted. Every decision must be a
 * clean drop, the response untouched, or a well-formed truncated slip.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/answer.h"
#include "zoned/rrl.h"

#define RRL_FUZZ_ENTRIES 1024
#define RRL_FUZZ_RESPONSE 4096

static struct rrl_table *rrl_fuzz_table;
static struct rrl_config *rrl_fuzz_config;

/* A fresh table and clock for every input, so that each one reproduces alone. */
static void
rrl_fuzz_setup(void)
{
	rrl_table_free(rrl_fuzz_table);
	if (rrl_fuzz_config == NULL)
		rrl_fuzz_config = rrl_config_create();
	rrl_fuzz_table = rrl_table_create(RRL_FUZZ_ENTRIES, NULL);
	if (rrl_fuzz_config == NULL || rrl_fuzz_table == NULL)
		fuzz_fail("rrl", "out of memory");
	for (int i = 0; i < RRL_CLASS_COUNT; i++)
		rrl_fuzz_config->rates[i] = 2;
	rrl_fuzz_config->slip = 2;
	rrl_fuzz_config->window = 2;
}

void
fuzz_rrl_cleanup(void)
{
	if (rrl_fuzz_table != NULL && getenv("RRL_FUZZ_DEBUG") != NULL) {
		const struct rrl_stats *stats = rrl_table_stats(rrl_fuzz_table);
		fprintf(stderr, "rrl: sent %llu dropped %llu slipped %llu evicted %llu\n",
			(unsigned long long)stats->sent, (unsigned long long)stats->dropped,
			(unsigned long long)stats->slipped, (unsigned long long)stats->evicted);
	}
	rrl_table_free(rrl_fuzz_table);
	rrl_config_free(rrl_fuzz_config);
	rrl_fuzz_table = NULL;
	rrl_fuzz_config = NULL;
}

/*
 * Checks one decision: drop, unchanged, or a slip (TC, question only; as
 * long as the response when that was the question only already).
 */
static void
rrl_fuzz_check(const uint8_t *query, size_t query_length, const uint8_t *before,
	const uint8_t *after, size_t length, size_t result)
{
	if (result == 0)
		return;
	if (result > length)
		fuzz_fail("rrl", "a slip is longer than the response");
	if (result == length && memcmp(before, after, length) == 0)
		return;
	const char *problem = fuzz_check_response(query, query_length, after, result,
		RRL_FUZZ_RESPONSE, 1);
	if (problem != NULL)
		fuzz_fail("rrl", problem);
	if ((after[2] & 0x02) == 0)
		fuzz_fail("rrl", "a slip without TC");
	if ((after[6] | after[7] | after[8] | after[9]) != 0)
		fuzz_fail("rrl", "a slip with answer or authority records");
}

/*
 * Input: records of [4 octets client IPv4][1 octet: seconds to advance,
 * low 2 bits][2 octets query length][query], until the input runs out.
 */
int
fuzz_rrl_one(const uint8_t *data, size_t size)
{
	rrl_fuzz_setup();
	uint32_t now = 1000;
	struct answer_settings settings = {.edns_size = 1232};
	uint8_t *response = malloc(RRL_FUZZ_RESPONSE);
	uint8_t *before = malloc(RRL_FUZZ_RESPONSE);
	if (response == NULL || before == NULL)
		fuzz_fail("rrl", "out of memory");
	size_t at = 0;
	while (at + 7 <= size) {
		struct sockaddr_in client = {.sin_family = AF_INET, .sin_port = htons(5353)};
		memcpy(&client.sin_addr, data + at, 4);
		now += data[at + 4] & 3;
		size_t query_length = (size_t)data[at + 5] << 8 | data[at + 6];
		at += 7;
		if (query_length > size - at)
			query_length = size - at;
		const uint8_t *query = data + at;
		at += query_length;
		struct answer_request request = {
			.query = query,
			.query_length = query_length,
			.transport = ANSWER_UDP,
		};
		struct answer_result answered;
		size_t length = answer_query(fuzz_fixture_zonedb(), &settings, &request,
			response, RRL_FUZZ_RESPONSE, &answered);
		if (length == 0)
			continue;
		memcpy(before, response, length);
		enum rrl_action action;
		size_t sent = rrl_apply(rrl_fuzz_table, rrl_fuzz_config,
			(const struct sockaddr *)&client, &answered, response, now, &action);
		/* The statistics count the action: it must say what was done. */
		if ((action == RRL_DROP) != (sent == 0))
			fuzz_fail("rrl", "rrl_apply's action does not match its length");
		rrl_fuzz_check(query, query_length, before, response, length, sent);
	}
	free(before);
	free(response);
	return 0;
}

FUZZ_ENTRY(fuzz_rrl_one)
