/*
 * zone_update_stub.c: stands in for zone_update.c (branch versions) until
 * it is merged: no version can be shared, so every reload loads in full.
 * Removed by the merge of versions.
 */
#include <stddef.h>

#include "zoned/error.h"
#include "zoned/zone_update.h"

struct zone_update *
zone_update_begin(const struct zone *base)
{
	(void)base;
	return NULL;
}

int
zone_update_set_owner(struct zone_update *u, const uint8_t *owner,
	const struct zone_record *records, size_t count, struct diag *d)
{
	(void)u, (void)owner, (void)records, (void)count, (void)d;
	return ZONED_EINVAL;
}

int
zone_update_commit(struct zone_update *u, struct diag *d, struct zone **out)
{
	(void)u, (void)d;
	*out = NULL;
	return ZONED_EINVAL;
}

void
zone_update_abort(struct zone_update *u)
{
	(void)u;
}
