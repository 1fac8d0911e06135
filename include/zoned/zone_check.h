/*
 * zone_check.h: the semantic rules shared by the loader, the daemon and
 * zoned-checkzone (named-checkzone 9.18's fatal/warning split).
 */
#ifndef ZONED_ZONE_CHECK_H
#define ZONED_ZONE_CHECK_H

#include "zoned/nametree.h"

struct diag;
struct zone_sources;

enum check_mode {
	CHECK_IGNORE,
	CHECK_WARN,
	CHECK_FAIL,
};

/* named-checkzone's -i -k -m -M -n -r -S -T -W modes. */
struct zone_check_modes {
	enum check_mode integrity;      /* -i: full/local act as CHECK_WARN here, none as IGNORE */
	enum check_mode names;          /* -k check-names */
	enum check_mode mx_address;     /* -m: MX target that looks like an IP address */
	enum check_mode mx_cname;       /* -M: MX target is a CNAME */
	enum check_mode ns_address;     /* -n: NS target that looks like an IP address */
	enum check_mode dnssec;         /* -r: records that risk DNSSEC failures */
	enum check_mode srv_cname;      /* -S: SRV target is a CNAME */
	enum check_mode spf;            /* -T: SPF without TXT */
	enum check_mode wildcard;       /* -W: non-terminal wildcards */
	/*
	 * A signed zone whose NSEC/NSEC3 chain is missing or broken
	 * (zone_check_denial()); zoned's own check, not BIND's: warn by default.
	 */
	enum check_mode denial;
	uint32_t max_ttl;               /* -l: 0 means no limit */
	bool sibling_glue;              /* -i full/local: also report NS targets lacking
	                                   glue below another delegation (false for
	                                   -i full-sibling/local-sibling, as in BIND) */
};

/* Fills modes with named-checkzone's defaults (-i full, the rest warn). */
void zone_check_modes_default(struct zone_check_modes *modes);

/*
 * Checks one record as it is read (owner and target names, TTL limits),
 * reporting with the record's file:line. Returns the number of errors.
 */
unsigned zone_check_record(const struct zone *zone, const struct zone_record *record,
	const struct zone_check_modes *modes, struct diag *d);

/*
 * Checks the finalized zone (SOA, apex NS, NS/MX/SRV targets, CNAME and
 * other data, glue, wildcards). Returns the number of errors.
 */
unsigned zone_check_zone(const struct zone *zone, const struct zone_check_modes *modes,
	struct diag *d);

/*
 * zone_check_zone() on the apex and nodes[0..count) of zone only (in
 * canonical order): for a version that differs from a checked one in
 * those nodes alone, where nothing another name's checks read changed
 * (zone_update.c decides). Returns the number of errors.
 */
unsigned zone_check_changed(const struct zone *zone, const struct name_node *const *nodes,
	size_t count, const struct zone_check_modes *modes, struct diag *d);

/*
 * For a signed zone (an apex DNSKEY and RRSIGs): the structural DNSSEC
 * checks without any cryptography (zone_dnssec_check.h): an NSEC or NSEC3
 * chain exists, covers every authoritative name, is closed and in order,
 * and its type bitmaps match the data. RRSIGs without an apex DNSKEY are
 * one finding. Reports at modes->denial's level,
 * with file:line from sources when not NULL, at most 20 findings and then a
 * count. Returns the number of errors (0 unless denial is CHECK_FAIL).
 * Defined in zone_dnssec_check.c, beside the verification it runs.
 */
unsigned zone_check_denial(const struct zone *zone, const struct zone_check_modes *modes,
	struct zone_sources *sources, struct diag *d);

#endif
