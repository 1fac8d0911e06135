/* answer.c: RFC 1034 4.3.2 answering; first cut: header checks, FORMERR/REFUSED. */
#include <string.h>

#include "zoned/answer.h"

#define HEADER_LENGTH 12

size_t
answer_query(const struct zonedb *db, const struct answer_settings *settings,
	enum answer_transport transport, const uint8_t *query, size_t query_length,
	uint8_t *response, size_t response_size)
{
	(void)db;
	(void)settings;
	(void)transport;
	/* Too short for a header, or a response: drop (NSD does the same). */
	if (query_length < HEADER_LENGTH || (query[2] & 0x80) != 0)
		return 0;
	if (response_size < HEADER_LENGTH)
		return 0;
	memset(response, 0, HEADER_LENGTH);
	response[0] = query[0];
	response[1] = query[1];
	/* QR set, opcode and RD copied. */
	response[2] = (uint8_t)(0x80 | (query[2] & 0x79));
	response[3] = 5;  /* REFUSED until the engine lands */
	return HEADER_LENGTH;
}
