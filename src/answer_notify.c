/*
 * answer_notify.c: the answer to a NOTIFY (RFC 1996 3.7): for a secondary
 * zone from an allowed sender, AA and a refresh handed to the main thread;
 * from anyone else REFUSED (3.10); for a zone zoned is primary of, NOERROR
 * and nothing done (as BIND); NOTAUTH for a name that is no zone apex of
 * ours. A signed NOTIFY was verified before (answer_tsig.c) and its answer
 * is signed.
 */
#include "zoned/answer.h"
#include "zoned/nametree.h"
#include "zoned/notify_in.h"
#include "zoned/rrtype.h"
#include "zoned/zonedb.h"

#include "answer_internal.h"

void
answer_notify(struct answer *answer)
{
	const struct query *query = answer->query;
	if (query->qtype != RRTYPE_SOA || query->qclass != RRCLASS_IN) {
		answer->rcode = RCODE_FORMERR;   /* RFC 1996 3.7: QTYPE SOA */
		return;
	}
	const struct zone *zone = zonedb_find(answer->db, query->qname, query->qname_length);
	if (zone == NULL || zone->origin_length != query->qname_length) {
		answer->rcode = RCODE_NOTAUTH;
		return;
	}
	uint32_t serial;
	bool has_serial = answer_notify_serial(query, &serial);
	switch (notify_in_check(answer->settings->notify_in, zone, answer->request->client,
		answer->acl_key, has_serial ? &serial : NULL)) {
	case NOTIFY_IN_ACCEPTED:
	case NOTIFY_IN_PRIMARY:
		answer->authoritative = true;
		return;
	case NOTIFY_IN_REFUSED:
		answer->rcode = RCODE_REFUSED;
		return;
	}
}
