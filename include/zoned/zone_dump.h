/* zone_dump.h: write a finalized zone back out as a canonical master file. */
#ifndef ZONED_ZONE_DUMP_H
#define ZONED_ZONE_DUMP_H

#include <stdio.h>

struct zone;

enum zone_dump_style {
	ZONE_DUMP_FULL,      /* absolute owners, TTL and class on every line (-s full) */
	ZONE_DUMP_RELATIVE,  /* owners relative to one $ORIGIN line (-s relative) */
};

/*
 * Writes every record of zone to out, one per line: names in canonical
 * order (RFC 4034 6.1), at each name SOA, then NS, then the other types by
 * number, each RRSIG right after the type it covers (named-checkzone -D's
 * order and column layout). The output loads back into the same zone.
 * Returns 0, ZONED_EIO (a write failed) or ZONED_ENOMEM.
 */
int zone_dump_write(const struct zone *zone, enum zone_dump_style style, FILE *out);

#endif
