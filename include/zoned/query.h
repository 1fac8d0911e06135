/*
 * query.h: parse one query from wire bytes and decide whether it is
 * answerable, in NSD's order: header, QR, opcode, question, counts, OPT,
 * nothing left over. Reads the packet in place; allocates nothing.
 */
#ifndef ZONED_QUERY_H
#define ZONED_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"

#define QUERY_OPCODE_QUERY 0
#define QUERY_OPCODE_NOTIFY 4

#define RCODE_NOERROR 0
#define RCODE_FORMERR 1
#define RCODE_SERVFAIL 2
#define RCODE_NXDOMAIN 3
#define RCODE_NOTIMP 4
#define RCODE_REFUSED 5
#define RCODE_YXDOMAIN 6
#define RCODE_NOTAUTH 9   /* RFC 8945 5.2: TSIG errors */
#define RCODE_BADVERS 16  /* extended (RFC 6891 9): upper bits go in the OPT */

/* What to do with the query. */
enum query_status {
	QUERY_OK,          /* answer it */
	QUERY_DROP,        /* no response at all: shorter than a header, or QR set */
	QUERY_FORMERR,     /* malformed */
	QUERY_NOTIMP,      /* opcode we do not implement */
	QUERY_BADVERS,     /* EDNS version above 0 (RFC 6891 6.1.3) */
};

struct query {
	const uint8_t *packet;
	size_t length;
	uint8_t opcode;
	bool recursion_desired;
	bool checking_disabled;
	bool has_question;          /* question parsed: it can be echoed */
	const uint8_t *question;    /* QNAME, QTYPE, QCLASS exactly as received */
	size_t question_length;
	uint8_t qname[DNAME_MAX_LENGTH];  /* QNAME lowercased */
	uint8_t qname_length;
	uint16_t qtype;
	uint16_t qclass;
	bool has_edns;              /* a well-formed OPT record was seen */
	uint16_t edns_udp_size;     /* as the client advertised it */
	uint8_t edns_version;
	bool dnssec_ok;             /* DO bit (RFC 3225) */
	bool nsid_requested;        /* NSID option present (RFC 5001) */
};

/*
 * Parses packet into query (which then points into packet). On
 * QUERY_FORMERR, has_question and has_edns tell what could be parsed, so
 * that the error response can echo it.
 */
enum query_status query_parse(struct query *query, const uint8_t *packet, size_t length);

#endif
