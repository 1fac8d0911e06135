/*
 * answer_internal.h: state shared by the stages of answering (answer.c:
 * envelope and CH class; answer_lookup.c: RFC 1034 4.3.2 for class IN;
 * answer_rrset.c: writing RRsets and the additional section). Private to
 * those files.
 */
#ifndef ZONED_ANSWER_INTERNAL_H
#define ZONED_ANSWER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "zoned/answer.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/wire.h"

#define ANSWER_ADDITIONAL_MAX 32  /* names whose addresses may go in additional */
#define ANSWER_WRITTEN_MAX 64     /* RRsets remembered to avoid repeating them */

enum answer_section {
	SECTION_ANSWER,
	SECTION_AUTHORITY,
	SECTION_ADDITIONAL,
};

/* A name whose A/AAAA RRsets belong in the additional section. */
struct answer_additional {
	const struct zone *zone;
	const struct name_node *node;  /* the name in that zone */
	const uint8_t *name;      /* uncompressed, from zone rdata: the owner to write */
	bool glue;                /* an NS target: data below a zone cut may be used */
};

/* One response being built. */
struct answer {
	const struct zonedb *db;
	const struct answer_settings *settings;
	const struct query *query;
	const struct answer_request *request;
	uint16_t counts[3];         /* records per enum answer_section */
	uint8_t rcode;              /* up to 12 bits with EDNS */
	bool authoritative;         /* AA */
	bool truncated;             /* TC */
	bool transfer;              /* nothing to write: stream zone (answer_transfer.c) */
	const struct name_node *referral_cut;  /* the delegation of a referral, or NULL */
	/* The query name's zone and its first lookup there: what the result reports. */
	const struct zone *zone;
	const struct name_node *qname_node;    /* exact match or closest encloser */
	bool qname_exact;
	unsigned additional_count;
	unsigned written_count;
	/* Only the fields above are cleared per query; wire_init() sets the wire's own. */
	struct wire wire;
	struct answer_additional additional[ANSWER_ADDITIONAL_MAX];
	const struct rrset *written[ANSWER_WRITTEN_MAX];
};

/*
 * Writes rrset of node into section with owner as the owner name, followed
 * by the RRSIGs covering it when the query set DO. Records NS, MX and SRV
 * targets for the additional section. Returns false, having written
 * nothing, when it does not fit.
 */
bool answer_put_rrset(struct answer *answer, enum answer_section section, const struct zone *zone,
	const struct name_node *node, const uint8_t *owner, const struct rrset *rrset, uint32_t ttl);

/* Writes the zone's SOA into the authority section (negative answers, RFC 2308 3). */
void answer_put_negative_soa(struct answer *answer, const struct zone *zone);

/*
 * Remembers node of zone, named by name (from zone rdata; an NS target if
 * glue), for the additional section.
 */
void answer_want_additional(struct answer *answer, const struct zone *zone,
	const struct name_node *node, const uint8_t *name, bool glue);

/* Writes the A/AAAA RRsets of the remembered names into the additional section. */
void answer_put_additional(struct answer *answer);

/*
 * A zone transfer request (AXFR or IXFR): sets rcode and writes the one
 * message for the refused, the current and UDP, else sets zone and
 * transfer, writing nothing.
 */
void answer_transfer(struct answer *answer);

/* Answers a class IN question from the zones (RFC 1034 4.3.2). */
void answer_lookup(struct answer *answer);

#endif
