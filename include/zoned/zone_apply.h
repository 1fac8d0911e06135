/*
 * zone_apply.h: a zone version built from received records: the whole zone
 * (AXFR), or an older version minus deletions plus additions (IXFR,
 * RFC 1995), checked as a loaded file is (zone_check.h) before anything
 * is served from it.
 */
#ifndef ZONED_ZONE_APPLY_H
#define ZONED_ZONE_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "zoned/xfr_parse.h"

struct diag;
struct zone;
struct zone_apply_stream;

/*
 * Builds, finalizes and checks a zone for origin (wire form) from records
 * (SOA first). source names the transfer in messages. Every problem goes
 * to d; *out is set only when there was none. max_records: 0 for no
 * limit. Returns 0, ZONED_EZONE (a check failed, reported to d),
 * ZONED_ELIMIT or ZONED_ENOMEM.
 */
int zone_apply_build(const uint8_t *origin, const struct xfr_rrlist *records,
	const char *source, size_t max_records, struct diag *d, struct zone **out);

/*
 * The same build, for records that come in batches (a transfer still being
 * received): zone_apply_stream_begin() makes the empty zone (NULL when out
 * of memory); zone_apply_stream_add() adds a batch (SOA first in the
 * first), checking each record as it goes, and returns 0, ZONED_ELIMIT
 * (reported: the batches so far pass max_records), ZONED_EZONE or
 * ZONED_ENOMEM; the records may be freed once it returns.
 * zone_apply_stream_end() finalizes and checks the zone when rc (the
 * first error of the adds, or the caller's reason to stop such as
 * ZONED_ECANCELED) is 0, and returns as zone_apply_build(); else it frees
 * the zone and returns rc. Either way stream is freed. One thread at a
 * time per stream; d is used by the thread that calls.
 */
struct zone_apply_stream *zone_apply_stream_begin(const uint8_t *origin, const char *source,
	size_t max_records, struct diag *d);
int zone_apply_stream_add(struct zone_apply_stream *stream, const struct xfr_rrlist *records);
int zone_apply_stream_end(struct zone_apply_stream *stream, int rc, struct zone **out);

/*
 * Builds the version after the difference sequences diffs (count of them,
 * in order) from old (finalized): old's records, minus each sequence's
 * deletions, plus its additions, then checked as zone_apply_build() does.
 * When old's nodes can be shared (zone_update.h), the sequences are
 * applied in order to a version that shares every unchanged node with old:
 * only the changed owners are built. Otherwise they are folded into one
 * change first (a deletion of a record an earlier sequence added cancels
 * the addition), and the new zone is filled straight from old's records:
 * no copy of the zone's records is made on the way, so the peak is the
 * two versions.
 * A deletion of a record the version does not have is an error (the
 * versions differ from what the primary thinks: the caller falls back to
 * AXFR); an addition of a record it has already collapses into it. old is not changed. Returns as
 * zone_apply_build(), or ZONED_EINVAL for a difference that does not apply
 * (reported to d).
 */
int zone_apply_diffs(const struct zone *old, const struct xfr_diff *diffs, size_t count,
	const char *source, size_t max_records, struct diag *d, struct zone **out);

/*
 * Copies rdata into out with the names in it lowercased (RFC 4034 6.2's
 * canonical form, for every type whose fields zoned knows): what two
 * records must share to be the same record (RFC 2181 5: TTL aside).
 * Returns the length.
 */
size_t zone_apply_canonical(uint16_t type, const uint8_t *rdata, size_t length, uint8_t *out);

#endif
