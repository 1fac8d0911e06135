/*
 * fuzz_xfr_in.c: an incoming zone transfer (xfr_parse.c, zone_apply.c).
 * The input's first octet chooses the request (even: AXFR, odd: IXFR from
 * serial 1 of the base zone below); the rest is the TCP stream from the
 * primary: 2-octet lengths, each followed by one message (id 0x5846). The
 * messages go through xfr_parse_message() until one fails or the transfer
 * ends; a complete one is built (AXFR form) or applied to the base zone
 * (IXFR), as the secondary does. Invariants: a failure says why; every
 * record kept is in the zone and of class IN; a full transfer starts with
 * the apex SOA of the serial it ended with; a version built has that serial
 * and never changes the base zone.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/xfr_parse.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_load.h"

#define XFR_FUZZ_ID 0x5846       /* make_seeds.py's seeds use this id */

static const uint8_t xfr_fuzz_origin[] = "\7example";

static const char xfr_fuzz_base[] =
	"$ORIGIN example.\n$TTL 300\n"
	"@ SOA ns1 hostmaster 1 3600 900 604800 300\n"
	"@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\nmail MX 10 www\n";

static struct zone *xfr_fuzz_zone;

static const struct zone *
xfr_fuzz_base_zone(void)
{
	if (xfr_fuzz_zone == NULL && zone_load_text(xfr_fuzz_base, sizeof xfr_fuzz_base - 1,
		"base", xfr_fuzz_origin, NULL, NULL, &xfr_fuzz_zone) != 0)
		fuzz_fail("xfr_in", "the base zone does not load");
	return xfr_fuzz_zone;
}

/* Every record of list is in the zone and of class IN; the first (when soa) its apex SOA. */
static void
xfr_fuzz_check_list(const struct xfr_rrlist *list, bool soa_first)
{
	size_t offset = 0;
	struct xfr_rr rr;
	for (size_t i = 0; xfr_rrlist_next(list, &offset, &rr); i++) {
		uint8_t owner[DNAME_MAX_LENGTH];
		if (rr.owner_length == 0 || dname_length(rr.owner) != rr.owner_length)
			fuzz_fail("xfr_in", "a record kept with a malformed owner");
		memcpy(owner, rr.owner, rr.owner_length);
		dname_lower(owner);
		if (!dname_is_subdomain(owner, xfr_fuzz_origin) || rr.rr_class != RRCLASS_IN)
			fuzz_fail("xfr_in", "a record kept outside the zone or of another class");
		if (i == 0 && soa_first && (rr.type != RRTYPE_SOA
			|| !dname_equal(owner, xfr_fuzz_origin)))
			fuzz_fail("xfr_in", "a full transfer not starting with the apex SOA");
	}
}

/* A complete transfer, built as the secondary would. */
static void
xfr_fuzz_build(const struct xfr_parse *parse)
{
	const struct zone *base = xfr_fuzz_base_zone();
	uint32_t base_serial = base->serial;
	size_t base_records = base->record_count;
	struct diag d = { 0 };
	struct zone *zone = NULL;
	int rc = 0;
	if (parse->result == XFR_RESULT_FULL) {
		xfr_fuzz_check_list(&parse->full, true);
		rc = zone_apply_build(xfr_fuzz_origin, &parse->full, "fuzz", 0, &d, &zone);
	} else if (parse->result == XFR_RESULT_INCREMENTAL) {
		for (size_t i = 0; i < parse->diff_count; i++) {
			xfr_fuzz_check_list(&parse->diffs[i].deleted, false);
			xfr_fuzz_check_list(&parse->diffs[i].added, false);
		}
		rc = zone_apply_diffs(base, parse->diffs, parse->diff_count, "fuzz", 0, &d, &zone);
	}
	if (rc == ZONED_ENOMEM)
		fuzz_fail("xfr_in", "out of memory");
	if ((rc == 0) != (zone != NULL) || (rc != 0 && d.errors == 0 && rc != ZONED_EINVAL))
		fuzz_fail("xfr_in", "a build failed without saying why, or said so and built");
	if (zone != NULL && zone->serial != parse->serial)
		fuzz_fail("xfr_in", "the version built has another serial than the transfer's");
	if (base->serial != base_serial || base->record_count != base_records)
		fuzz_fail("xfr_in", "applying a difference changed the base zone");
	zone_free(zone);
}

int
fuzz_xfr_in_one(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	uint16_t qtype = (data[0] & 1) ? RRTYPE_IXFR : RRTYPE_AXFR;
	struct xfr_parse parse;
	xfr_parse_init(&parse, xfr_fuzz_origin, qtype, XFR_FUZZ_ID,
		xfr_fuzz_base_zone()->serial, 0);
	size_t offset = 1;
	int rc = 0;
	while (rc == 0 && parse.result == XFR_RESULT_NONE && size - offset >= 2) {
		size_t length = (size_t)data[offset] << 8 | data[offset + 1];
		offset += 2;
		if (length > size - offset)
			break;   /* cut off: the secondary waits, then drops it */
		uint8_t *message = fuzz_copy_input("xfr_in", data + offset, length);
		rc = xfr_parse_message(&parse, message, length);
		free(message);
		offset += length;
	}
	if (rc != 0 && parse.error[0] == '\0')
		fuzz_fail("xfr_in", "a message refused without a reason");
	if (rc == 0 && (parse.result == XFR_RESULT_FULL
		|| parse.result == XFR_RESULT_INCREMENTAL))
		xfr_fuzz_build(&parse);
	xfr_parse_free(&parse);
	return 0;
}

void
fuzz_xfr_in_cleanup(void)
{
	zone_free(xfr_fuzz_zone);
	xfr_fuzz_zone = NULL;
}

FUZZ_ENTRY(fuzz_xfr_in_one)
