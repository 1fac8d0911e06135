/*
 * zoned-query.c: load zones with the server's loader and print, dig-like,
 * the response zoned would send to one query. Offline: no sockets. It may
 * use ldns to print, since it is not the server's query path.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zoned/answer.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

#define PROGRAM "zoned-query"
#define QUERY_ID 0x2a2a

struct query_options {
	bool tcp;              /* -t: answer as over TCP (no 512/EDNS size limit) */
	bool dnssec_ok;        /* -D: send EDNS with the DO bit */
	const char *name;
	uint16_t type;
	uint16_t rr_class;
};

static void
query_usage(void)
{
	fprintf(stderr, "usage: " PROGRAM " [-t] [-D] -z origin:file [-z origin:file ...] "
			"name [type] [class]\n");
}

/* Prints loader findings as file:line: level: message. */
static void
on_diag(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	(void)arg;
	const char *level_text = level == DIAG_ERROR ? "error" : "warning";
	if (file != NULL && line > 0)
		fprintf(stderr, "%s:%lu: %s: %s\n", file, line, level_text, message);
	else if (file != NULL)
		fprintf(stderr, "%s: %s: %s\n", file, level_text, message);
	else
		fprintf(stderr, PROGRAM ": %s: %s\n", level_text, message);
}

/* Loads "origin:file" into db. Returns 0 or an error code (already reported). */
static int
query_load_zone(struct zonedb *db, const char *spec)
{
	const char *colon = strchr(spec, ':');
	if (colon == NULL || colon == spec || colon[1] == '\0') {
		fprintf(stderr, PROGRAM ": -z wants origin:file, not '%s'\n", spec);
		return ZONED_EINVAL;
	}
	char origin_text[1024];
	size_t origin_length = (size_t)(colon - spec);
	if (origin_length >= sizeof origin_text) {
		fprintf(stderr, PROGRAM ": origin too long in '%s'\n", spec);
		return ZONED_EINVAL;
	}
	memcpy(origin_text, spec, origin_length);
	origin_text[origin_length] = '\0';
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text(origin_text, origin) < 0) {
		fprintf(stderr, PROGRAM ": bad origin '%s'\n", origin_text);
		return ZONED_EINVAL;
	}
	struct diag d = {on_diag, NULL, 0, 0};
	struct zone *zone = NULL;
	int status = zone_load_file(colon + 1, origin, NULL, &d, &zone);
	if (status != 0) {
		fprintf(stderr, PROGRAM ": %s: zone %s not loaded: %s\n", colon + 1, origin_text,
			zoned_strerror(status));
		return status;
	}
	status = zonedb_add(db, zone);
	if (status != 0) {
		fprintf(stderr, PROGRAM ": zone %s: %s\n", origin_text, zoned_strerror(status));
		zone_free(zone);
	}
	return status;
}

/* Builds the query packet: one question, EDNS (DO set) only with -D. */
static size_t
query_build(const struct query_options *options, const uint8_t *qname, size_t qname_length,
	uint8_t *packet)
{
	size_t length = 0;
	packet[length++] = QUERY_ID >> 8;
	packet[length++] = QUERY_ID & 0xff;
	packet[length++] = 0;  /* an authoritative server's client: RD clear */
	packet[length++] = 0;
	static const uint8_t counts[] = {0, 1, 0, 0, 0, 0};
	memcpy(packet + length, counts, sizeof counts);
	length += sizeof counts;
	packet[length++] = 0;
	packet[length++] = options->dnssec_ok ? 1 : 0;
	memcpy(packet + length, qname, qname_length);
	length += qname_length;
	packet[length++] = (uint8_t)(options->type >> 8);
	packet[length++] = (uint8_t)options->type;
	packet[length++] = (uint8_t)(options->rr_class >> 8);
	packet[length++] = (uint8_t)options->rr_class;
	if (options->dnssec_ok) {
		/* Root owner, OPT, size 1232, extended rcode 0, version 0, DO, no options. */
		static const uint8_t opt[] = {0, 0, RRTYPE_OPT, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0};
		memcpy(packet + length, opt, sizeof opt);
		length += sizeof opt;
	}
	return length;
}

/* Reads name [type] [class]; types and classes by mnemonic or TYPEnnn/CLASSnnn. */
static bool
query_parse_question(int argc, char **argv, struct query_options *options)
{
	if (argc < 1 || argc > 3)
		return false;
	options->name = argv[0];
	options->type = RRTYPE_A;
	options->rr_class = RRCLASS_IN;
	if (argc >= 2 && !rrtype_from_text(argv[1], &options->type)) {
		fprintf(stderr, PROGRAM ": unknown type '%s'\n", argv[1]);
		return false;
	}
	if (argc == 3 && !rrclass_from_text(argv[2], &options->rr_class)) {
		fprintf(stderr, PROGRAM ": unknown class '%s'\n", argv[2]);
		return false;
	}
	return true;
}

/* Prints the response as dig would, or a note when there is none. */
static int
query_print_response(const uint8_t *response, size_t length)
{
	if (length == 0) {
		printf(";; no response (the query would be dropped)\n");
		return EXIT_SUCCESS;
	}
	ldns_pkt *packet = NULL;
	ldns_status status = ldns_wire2pkt(&packet, response, length);
	if (status != LDNS_STATUS_OK) {
		fprintf(stderr, PROGRAM ": response does not parse: %s\n",
			ldns_get_errorstr_by_id(status));
		return EXIT_FAILURE;
	}
	ldns_pkt_print(stdout, packet);
	ldns_pkt_free(packet);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	struct query_options options = {0};
	int exit_code = EXIT_FAILURE;
	struct zonedb *db = zonedb_create();
	if (db == NULL) {
		fprintf(stderr, PROGRAM ": out of memory\n");
		return EXIT_FAILURE;
	}
	size_t zones = 0;
	int option;
	while ((option = getopt(argc, argv, "tDz:")) != -1) {
		switch (option) {
		case 't': options.tcp = true; break;
		case 'D': options.dnssec_ok = true; break;
		case 'z':
			if (query_load_zone(db, optarg) != 0)
				goto done;
			zones++;
			break;
		default:
			query_usage();
			goto done;
		}
	}
	if (zones == 0 || !query_parse_question(argc - optind, argv + optind, &options)) {
		query_usage();
		goto done;
	}
	uint8_t qname[DNAME_MAX_LENGTH];
	int qname_length = dname_from_text(options.name, qname);
	if (qname_length < 0) {
		fprintf(stderr, PROGRAM ": bad name '%s'\n", options.name);
		goto done;
	}
	uint8_t packet[512];
	size_t packet_length = query_build(&options, qname, (size_t)qname_length, packet);
	static uint8_t response[65535];
	struct answer_settings settings = {0};
	struct answer_request request = {
		.query = packet,
		.query_length = packet_length,
		.transport = options.tcp ? ANSWER_TCP : ANSWER_UDP,
	};
	size_t length = answer_query(db, &settings, &request, response, sizeof response, NULL);
	exit_code = query_print_response(response, length);
done:
	zonedb_free(db);
	return exit_code;
}
