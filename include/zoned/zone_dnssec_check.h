/*
 * zone_dnssec_check.h: verify a signed zone as dnssec-verify and
 * "kzonecheck --dnssec on" do: the NSEC chain (RFC 4034 4, RFC 4035 2.3)
 * or the NSEC3 chain (RFC 5155 7.1) is complete, closed, in canonical (or
 * hash) order with the right type bitmaps, and every authoritative RRset
 * carries a signature by a key of the apex DNSKEY set that verifies and is
 * inside its validity window (RFC 4035 5.3). Signatures are checked by ldns;
 * zoned has no cryptography of its own.
 */
#ifndef ZONED_ZONE_DNSSEC_CHECK_H
#define ZONED_ZONE_DNSSEC_CHECK_H

#include <stdbool.h>
#include <time.h>

#include "zoned/diag.h"

struct zone;
struct zone_sources;

struct zone_dnssec_check_options {
	/* Verify the RRSIGs too; false: the denial chain and bitmaps only (no crypto). */
	bool signatures;
	/* The time signatures must be valid at (RFC 4034 3.1.5); 0: now. */
	time_t now;
	/* Level of the findings: DIAG_ERROR for the checker's --dnssec, DIAG_WARNING for the loader. */
	enum diag_level level;
	/* file:line of the records, or NULL (messages then name owner and type only). */
	struct zone_sources *sources;
	/*
	 * Report at most this many findings, then one line counting the rest
	 * (the daemon's log must not get a line per name of a broken zone);
	 * 0: report all.
	 */
	unsigned max_reports;
};

/* Counts of what one zone_dnssec_check() looked at, for the checker's summary. */
struct zone_dnssec_check_result {
	unsigned findings;          /* problems reported (at options->level) */
	unsigned long names;        /* authoritative names checked against the chain */
	unsigned long chain_length; /* NSEC or NSEC3 records in the chain */
	unsigned long rrsets;       /* RRsets whose signatures were checked */
	unsigned long signatures;   /* RRSIGs that verified */
	bool nsec;                  /* the zone has an NSEC chain (apex NSEC) */
	bool nsec3;                 /* the zone has an NSEC3 chain (apex NSEC3PARAM) */
};

/*
 * True when the zone looks signed: an apex DNSKEY RRset and at least one
 * RRSIG. The loader's structural check runs only on such zones.
 */
bool zone_dnssec_is_signed(const struct zone *zone);

/*
 * Checks a finalized zone and reports each problem to d (owner/TYPE, with
 * file:line when options->sources knows it). Fills *result when not NULL.
 * Returns the number of problems found; 0 means the zone verified.
 * Returns ZONED_ENOMEM (negative) when memory ran out.
 */
int zone_dnssec_check(const struct zone *zone, const struct zone_dnssec_check_options *options,
	struct diag *d, struct zone_dnssec_check_result *result);

#endif
