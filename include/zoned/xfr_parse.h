/*
 * xfr_parse.h: reading the messages of an incoming zone transfer (AXFR,
 * RFC 5936; IXFR, RFC 1995, condensed or not, or in AXFR form) into lists
 * of records, with every length and name bounds checked. Pure functions
 * over bytes: no sockets, no TSIG (the caller verifies each message first),
 * so a fuzz target drives them directly.
 */
#ifndef ZONED_XFR_PARSE_H
#define ZONED_XFR_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"

/* Records back to back, decompressed: [owner length][owner][type][class][ttl][rdlength][rdata]. */
struct xfr_rrlist {
	uint8_t *data;
	size_t length;
	size_t capacity;
	size_t count;
};

/* One record of a list; pointers into the list. */
struct xfr_rr {
	const uint8_t *owner;       /* uncompressed wire form, as received (any case) */
	uint8_t owner_length;
	uint16_t type;
	uint16_t rr_class;
	uint32_t ttl;
	const uint8_t *rdata;       /* names decompressed */
	uint16_t rdata_length;
};

/* Appends one record. Returns 0 or ZONED_ENOMEM. */
int xfr_rrlist_add(struct xfr_rrlist *list, const struct xfr_rr *rr);

/* The record at *offset (start at 0), advancing it; false after the last. */
bool xfr_rrlist_next(const struct xfr_rrlist *list, size_t *offset, struct xfr_rr *out);

/* Frees the records and empties the list. */
void xfr_rrlist_free(struct xfr_rrlist *list);

/* One difference sequence of an incremental transfer (RFC 1995 2). */
struct xfr_diff {
	uint32_t from_serial;
	uint32_t to_serial;
	struct xfr_rrlist deleted;      /* the old SOA first */
	struct xfr_rrlist added;        /* the new SOA first */
};

/* What the transfer turned out to be, once done. */
enum xfr_result {
	XFR_RESULT_NONE,                /* not finished */
	XFR_RESULT_FULL,                /* the whole zone (AXFR, or IXFR in AXFR form): full */
	XFR_RESULT_INCREMENTAL,         /* differences from the client's serial: diffs */
	XFR_RESULT_UP_TO_DATE,          /* IXFR answered with the single SOA (RFC 1995 2) */
};

#define XFR_ERROR_MAX 200

/* The reading state of one transfer. */
struct xfr_parse {
	uint8_t origin[DNAME_MAX_LENGTH];   /* lowercased */
	size_t origin_length;
	uint16_t qtype;                 /* RRTYPE_AXFR or RRTYPE_IXFR */
	uint16_t id;                    /* the request's */
	uint32_t client_serial;         /* IXFR: the serial the request carried */
	size_t max_records;             /* 0: no limit */
	/* Internal progress (see xfr_parse.c). */
	int state;
	uint32_t serial;                /* the new version's, from the first SOA */
	size_t messages;
	size_t records;
	enum xfr_result result;
	/* XFR_RESULT_FULL: every record, SOA first (once), less those taken on the way. */
	struct xfr_rrlist full;
	struct xfr_diff *diffs;         /* XFR_RESULT_INCREMENTAL */
	size_t diff_count;
	char error[XFR_ERROR_MAX];      /* why xfr_parse_message() failed */
};

/*
 * Starts reading the answer to a request (id, qtype AXFR or IXFR) for
 * origin (wire form, any case). client_serial: the serial an IXFR request
 * carried. max_records: more records than this is an error (0: no limit).
 */
void xfr_parse_init(struct xfr_parse *parse, const uint8_t *origin, uint16_t qtype,
	uint16_t id, uint32_t client_serial, size_t max_records);

/*
 * Reads one message of the transfer (without the TCP length prefix). The
 * header must answer the request (id, QR, opcode QUERY, NOERROR, no TC,
 * the question when present), every record must be well formed and in
 * the zone, of the zone's class. Returns 0 (parse->result says whether
 * the transfer is complete), ZONED_EINVAL (parse->error says why: the
 * transfer is to be dropped), ZONED_ELIMIT (over max_records) or
 * ZONED_ENOMEM. A message after the transfer ended is an error.
 */
int xfr_parse_message(struct xfr_parse *parse, const uint8_t *message, size_t length);

/*
 * Whether the records read so far are known to be a whole zone's (AXFR,
 * or IXFR in AXFR form: past its second record), so that those in
 * parse->full may be taken (moved out, the list left empty) before the
 * end: every later one is appended to it too.
 */
bool xfr_parse_whole_zone(const struct xfr_parse *parse);

/* Frees what the parse holds. */
void xfr_parse_free(struct xfr_parse *parse);

/* RFC 1982 3.2: true when a is newer than b in serial number arithmetic. */
static inline bool
xfr_serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

/*
 * Reads a possibly compressed name at *offset of message into out
 * (uncompressed wire form, case kept), advancing *offset past it. Pointers
 * must point backwards (no loops). Returns the name's length, or 0 when
 * malformed.
 */
size_t xfr_read_name(const uint8_t *message, size_t length, size_t *offset,
	uint8_t out[DNAME_MAX_LENGTH]);

/*
 * Writes a query for origin (wire form) of qtype (SOA, AXFR or IXFR) with
 * id into buffer; for IXFR, soa_rdata (soa_length octets, uncompressed)
 * and soa_ttl are the client's SOA, put in the authority section (RFC 1995
 * 3). Returns the length, or 0 when it does not fit.
 */
size_t xfr_query_build(const uint8_t *origin, uint16_t qtype, uint16_t id,
	const uint8_t *soa_rdata, size_t soa_length, uint32_t soa_ttl, uint8_t *buffer,
	size_t size);

/*
 * Reads the answer to a SOA query (id) for origin: an answer from the zone
 * with its SOA. Returns 0 with *serial set, or ZONED_EINVAL with why (why_size
 * octets) saying what was wrong.
 */
int xfr_soa_response(const uint8_t *message, size_t length, const uint8_t *origin, uint16_t id,
	uint32_t *serial, char *why, size_t why_size);

#endif
