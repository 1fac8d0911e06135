/*
 * fuzz_zone_load.c: zone-file text -> zone_load_text() with $INCLUDE
 * confined to tests/fuzz/include; a zone that loads is then queried, so
 * arbitrary rdata goes through the encoder too.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "zoned/answer.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

#ifndef FUZZ_INCLUDE_DIR
#define FUZZ_INCLUDE_DIR "tests/fuzz/include"
#endif
#define FUZZ_MAX_RECORDS 20000
#define FUZZ_RESPONSE_SIZE 65535

/* Queries for the apex and for a few names the mutator tends to create. */
static const struct {
	const char *name;
	uint16_t type;
} fuzz_zone_queries[] = {
	{"example.", 6}, {"example.", 2}, {"example.", 255}, {"www.example.", 1},
	{"ns.example.", 28}, {"x.w.example.", 1}, {"a.b.example.", 16}, {"s.example.", 1},
};

static void
fuzz_zone_query(const struct zonedb *db, const char *name, uint16_t type, uint8_t *response)
{
	uint8_t query[12 + DNAME_MAX_LENGTH + 4] = {0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
	int name_length = dname_from_text(name, query + 12);
	if (name_length < 0)
		fuzz_fail("zone_load", "bad query name");
	size_t length = 12 + (size_t)name_length;
	query[length++] = (uint8_t)(type >> 8);
	query[length++] = (uint8_t)type;
	query[length++] = 0;
	query[length++] = 1;
	for (int transport = 0; transport < 2; transport++) {
		size_t limit = transport == 0 ? 512 : FUZZ_RESPONSE_SIZE;
		struct answer_settings settings = {.edns_size = 1232};
		struct answer_request request = {
			.query = query,
			.query_length = length,
			.transport = transport == 0 ? ANSWER_UDP : ANSWER_TCP,
		};
		size_t n = answer_query(db, &settings, &request,
			response, FUZZ_RESPONSE_SIZE, NULL);
		if (n == 0)
			fuzz_fail("zone_load", "a plain query was dropped");
		const char *problem = fuzz_check_response(query, length, response, n, limit,
			transport == 0);
		if (problem != NULL)
			fuzz_fail("zone_load", problem);
	}
}

int
fuzz_zone_load_one(const uint8_t *data, size_t size)
{
	if (fuzz_names_special_file(data, size))
		return 0;
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text("example.", origin) < 0)
		fuzz_fail("zone_load", "bad origin");
	char *text = fuzz_copy_input("zone_load", data, size);
	struct zone_load_options options = {
		.include_directory = FUZZ_INCLUDE_DIR,
		.max_records = FUZZ_MAX_RECORDS,
	};
	struct diag d = {0};
	struct zone *zone = NULL;
	int status = zone_load_text(text, size, "fuzz.zone", origin, &options, &d, &zone);
	free(text);
	fuzz_check_load_result("zone_load", "zone", status, zone, d.errors, 0);
	if (zone == NULL)
		return 0;
	struct zonedb *db = zonedb_create();
	if (db == NULL || zonedb_add(db, zone) != 0)
		fuzz_fail("zone_load", "zonedb_add failed");
	uint8_t *response = malloc(FUZZ_RESPONSE_SIZE);
	if (response == NULL)
		fuzz_fail("zone_load", "out of memory");
	for (size_t i = 0; i < sizeof(fuzz_zone_queries) / sizeof(fuzz_zone_queries[0]); i++)
		fuzz_zone_query(db, fuzz_zone_queries[i].name, fuzz_zone_queries[i].type, response);
	free(response);
	zonedb_free(db);
	return 0;
}

FUZZ_ENTRY(fuzz_zone_load_one)
