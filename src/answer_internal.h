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
#include "zoned/cookie.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/tsig.h"
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
	bool synthesized;         /* node is the wildcard that stands for name (RFC 4592) */
};

/* What happens to the response of a signed query (answer_tsig.c). */
enum answer_tsig_mode {
	ANSWER_TSIG_NONE,            /* not signed, or malformed: no TSIG record */
	ANSWER_TSIG_SIGN,            /* verified, or BADTIME: signed (RFC 8945 5.3) */
	ANSWER_TSIG_UNSIGNED_ERROR,  /* BADKEY, BADSIG: an unsigned TSIG error (5.3.2) */
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
	bool cookie_answer;         /* a COOKIE option goes into the OPT: cookie */
	bool cookie_valid;          /* the query's server cookie is ours */
	size_t opt_offset;          /* of the OPT record written; 0: none */
	const uint8_t *acl_key;     /* the TSIG key name ACLs match (request's or verified) */
	uint8_t tsig_mode;          /* enum answer_tsig_mode */
	uint16_t tsig_error;        /* TSIG error answered; 0: none */
	/* Only the fields above are cleared per query; wire_init() sets the wire's own. */
	struct wire wire;
	uint8_t cookie[COOKIE_LENGTH];   /* client cookie echoed, our server cookie */
	struct answer_additional additional[ANSWER_ADDITIONAL_MAX];
	const struct rrset *written[ANSWER_WRITTEN_MAX];
	/* Only for signed queries. */
	struct tsig_request tsig_request;
	struct tsig_state tsig;
};

/* A point of a response to go back to: the wire and what was counted after it. */
struct answer_mark {
	struct wire_mark wire;
	uint16_t counts[3];
	unsigned written_count;
	unsigned additional_count;
};

/* Remembers where the response is. */
struct answer_mark answer_mark(const struct answer *answer);

/* Forgets every record written after mark. */
void answer_rollback(struct answer *answer, struct answer_mark mark);

/* True when rrset is already in the response. */
bool answer_was_written(const struct answer *answer, const struct rrset *rrset);

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
 * Verifies the query's TSIG record (RFC 8945 5.2) and prepares the
 * response's: sets tsig_mode, tsig_error, acl_key. A malformed TSIG makes
 * *status QUERY_FORMERR. Returns the octets to keep free for the record.
 */
size_t answer_tsig_verify(struct answer *answer, enum query_status *status);

/* Appends the response's TSIG record to the finished message; returns its new length. */
size_t answer_tsig_finish(struct answer *answer);

/* What a denial proof proves (RFC 4035 3.1.3, RFC 5155 7.2). */
enum answer_denial_kind {
	DENIAL_NXDOMAIN,         /* the name does not exist */
	DENIAL_NODATA,           /* the name (data, ENT, or a cut asked for DS) lacks the type */
	DENIAL_WILDCARD,         /* a wildcard answered: no closer name exists */
	DENIAL_WILDCARD_NODATA,  /* no closer name, and the wildcard lacks the type */
	DENIAL_INSECURE_CUT,     /* a referral: the cut has no DS */
};

struct answer_denial {
	enum answer_denial_kind kind;
	/*
	 * NXDOMAIN and WILDCARD*: the closest encloser; NODATA: the name's
	 * node; INSECURE_CUT: the cut.
	 */
	const struct name_node *node;
	const struct name_node *wildcard;  /* WILDCARD_NODATA: the wildcard node */
	const uint8_t *name;               /* the name looked up, lowercased wire form */
	size_t name_length;
	uint8_t next_closer_offset;        /* not exact: where its next closer name starts */
};

/* True when zone is signed: a DNSKEY at its apex. */
bool answer_zone_signed(const struct zone *zone);

/*
 * True when the response wants DNSSEC records from zone: DO set and the
 * zone signed. Inline: without DO, the only cost to the unsigned path.
 */
static inline bool
answer_dnssec_wanted(const struct answer *answer, const struct zone *zone)
{
	return answer->query->dnssec_ok && answer_zone_signed(zone);
}

/*
 * Writes into the authority section the NSEC or NSEC3 records, with their
 * RRSIGs, that prove denial (answer_dnssec.c). Allocates nothing; hashes
 * only names that do not exist. Returns false, having written nothing,
 * when they do not all fit.
 */
bool answer_put_denial(struct answer *answer, const struct zone *zone,
	const struct answer_denial *denial);

/*
 * NXDOMAIN or NODATA from a signed zone with DO: the SOA, then the proof of
 * kind for name (lowercased, name_length octets) as found looked it up. A
 * proof that does not fit takes the SOA with it and sets TC: never a
 * negative answer with part of its proof (RFC 4035 3.1.3). Out of line so
 * that the unsigned path stays as it was.
 */
void answer_put_negative_signed(struct answer *answer, const struct zone *zone,
	enum answer_denial_kind kind, const struct zone_lookup *found, const uint8_t *name,
	size_t name_length);

/*
 * After a wildcard answer from a signed zone with DO: the proof that no
 * closer name exists (RFC 4035 3.1.3.3, RFC 5155 7.2.6); TC when it does
 * not fit, the answer kept.
 */
void answer_put_wildcard_proof(struct answer *answer, const struct zone *zone,
	const struct zone_lookup *found, const uint8_t *name, size_t name_length);

/*
 * A zone transfer request (AXFR or IXFR): sets rcode and writes the one
 * message for the refused, the current and UDP, else sets zone and
 * transfer, writing nothing.
 */
void answer_transfer(struct answer *answer);

/* Answers a class IN question from the zones (RFC 1034 4.3.2). */
void answer_lookup(struct answer *answer);

/*
 * The serial of the SOA an IXFR query carries in its authority section
 * (RFC 1995 3); false without one (answer_transfer.c).
 */
bool answer_transfer_client_serial(const struct query *query, uint32_t *serial);
/* The serial of the SOA a NOTIFY carries in its answer section (RFC 1996 3.7); false without one. */
bool answer_notify_serial(const struct query *query, uint32_t *serial);
/* RFC 1996 3.7: answers a NOTIFY (answer_notify.c). */
void answer_notify(struct answer *answer);

#endif
