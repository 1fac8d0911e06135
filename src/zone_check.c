/* zone_check.c: the semantic checks shared by the loader and zoned-checkzone. */
#include "zoned/zone_check.h"

#include "zoned/diag.h"

void
zone_check_modes_default(struct zone_check_modes *modes)
{
	modes->integrity = CHECK_WARN;
	modes->names = CHECK_WARN;
	modes->mx_address = CHECK_WARN;
	modes->mx_cname = CHECK_WARN;
	modes->ns_address = CHECK_WARN;
	modes->dnssec = CHECK_WARN;
	modes->srv_cname = CHECK_WARN;
	modes->spf = CHECK_WARN;
	modes->wildcard = CHECK_WARN;
	modes->max_ttl = 0;
}

unsigned
zone_check_record(const struct zone *zone, const struct zone_record *record,
	const struct zone_check_modes *modes, struct diag *d)
{
	(void)zone;
	(void)record;
	(void)modes;
	(void)d;
	return 0;
}

unsigned
zone_check_zone(const struct zone *zone, const struct zone_check_modes *modes,
	struct diag *d)
{
	(void)zone;
	(void)modes;
	(void)d;
	return 0;
}
