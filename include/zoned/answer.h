/*
 * answer.h: from the bytes of one query to the bytes of its response.
 * A pure function of the query, the zones and the settings: no sockets,
 * no allocation, shared by UDP, TCP and the offline zoned-query tool.
 */
#ifndef ZONED_ANSWER_H
#define ZONED_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zone;
struct zonedb;

#define ANSWER_DEFAULT_EDNS_SIZE 1232

struct answer_settings {
	uint16_t edns_size;        /* advertised and used as our UDP limit; 0 = 1232 */
	const char *version;       /* CH TXT version.bind / version.server; NULL: REFUSED */
	const char *identity;      /* CH TXT id.server / hostname.bind; NULL: REFUSED */
	const uint8_t *nsid;       /* RFC 5001 payload; NULL: no NSID */
	uint16_t nsid_length;
};

enum answer_transport {
	ANSWER_UDP,
	ANSWER_TCP,
};

/*
 * Writes the response to query into response (response_size octets; 65535
 * is enough for anything over TCP). Returns the response length, or 0 when
 * the query must be dropped (too short, QR set).
 */
size_t answer_query(const struct zonedb *db, const struct answer_settings *settings,
	enum answer_transport transport, const uint8_t *query, size_t query_length,
	uint8_t *response, size_t response_size);

#endif
