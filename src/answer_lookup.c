/*
 * answer_lookup.c: RFC 1034 4.3.2 for class IN: zone selection, exact
 * match, CNAME chains, DNAME substitution (RFC 6672), wildcards (RFC 4592),
 * referrals with glue, NXDOMAIN/NODATA with the SOA (RFC 2308).
 */
#include <string.h>

#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zonedb.h"

#include "answer_internal.h"

/* CNAME and DNAME links followed before giving up with the chain so far. */
#define CHAIN_MAX 16

/* One name being looked up: the query name, then each alias target. */
struct lookup_name {
	const uint8_t *owner;             /* as it goes on the wire (case kept) */
	const uint8_t *lower;             /* lowercased, for the tree: the query's or storage */
	size_t length;
	struct name_key key;              /* lower, hashed once for every lookup */
	uint8_t storage[DNAME_MAX_LENGTH];
};

/* What one step of the chain produced. */
enum step_result {
	STEP_DONE,
	STEP_FOLLOW,   /* an alias was written; its target is the next name */
};

/*
 * The zone to answer name from: the longest match (so a child zone we also
 * serve answers for its names), except that DS at a child apex is the
 * parent's data (RFC 4035 3.1.4.1), for the query name and for every alias
 * target alike. DS is the only parent-side type in the table: NSD, Knot
 * and BIND pick the parent zone for it alone.
 */
static const struct zone *
answer_find_zone(const struct answer *answer, const struct name_key *name)
{
	const struct query *query = answer->query;
	const struct zone *zone = zonedb_find_key(answer->db, name, 0);
	if (zone != NULL && rrtype_is_parent_side(query->qtype) && name->label_count > 0
		&& zone->origin_length == name->length) {
		const struct zone *parent = zonedb_find_key(answer->db, name, 1);
		if (parent != NULL)
			zone = parent;
	}
	if (zone != NULL && zone->zone_class != query->qclass && query->qclass != RRCLASS_ANY)
		return NULL;
	return zone;
}

/*
 * allow-query: the zone's own list, else the options' (as BIND); no list
 * allows anyone, and so does a request without a client (offline tools).
 */
static bool
answer_client_allowed(const struct answer *answer, const struct zone *zone)
{
	const struct answer_settings *settings = answer->settings;
	const struct acl *acl = settings->allow_query;
	if (settings->zone_allow_query != NULL) {
		const struct acl *own = acl_zone_map_get(settings->zone_allow_query, zone);
		if (own != NULL)
			acl = own;
	}
	if (acl == NULL || answer->request->client == NULL)
		return true;
	return acl_allows(acl, answer->request->client, answer->acl_key);
}

/* Sets name to target (uncompressed, any case). */
static void
lookup_name_set(struct lookup_name *name, const uint8_t *target)
{
	name->owner = target;
	name->length = dname_length(target);
	memcpy(name->storage, target, name->length);
	dname_lower(name->storage);
	name->lower = name->storage;
	name_key_init(&name->key, name->lower, name->length);
}

/*
 * The topmost strict ancestor of name owning a DNAME, or NULL. node is the
 * exact match or the closest encloser; only names below a DNAME can have one
 * above them, and those are marked occluded (or are the DNAME owner's
 * non-existent descendants, whose closest encloser is at or below it).
 */
static const struct name_node *
lookup_find_dname(const struct zone *zone, const struct name_node *node, bool exact)
{
	const struct name_node *start = exact ? node_parent(zone, node) : node;
	if (start == NULL || !(node_flags(zone, start) & (NODE_DNAME | NODE_OCCLUDED)))
		return NULL;
	const struct name_node *topmost = NULL;
	for (const struct name_node *up = start; up != NULL; up = node_parent(zone, up)) {
		unsigned flags = node_flags(zone, up);
		if (flags & NODE_DNAME)
			topmost = up;
		/* No DNAME above a name that is not occluded: the walk ends there. */
		if (!(flags & NODE_OCCLUDED))
			break;
	}
	return topmost;
}

/*
 * The zone cut that sends this lookup elsewhere, or NULL. DS at the cut
 * itself is the parent's data, answered here (RFC 4035 3.1.4.1).
 */
static const struct name_node *
lookup_find_cut(const struct answer *answer, const struct zone *zone,
	const struct name_node *node, bool exact)
{
	const struct name_node *cut = node_cut(zone, node);
	if (cut == node && exact && rrtype_is_parent_side(answer->query->qtype))
		return NULL;
	return cut;
}

/* A referral (RFC 1034 4.3.2 step 3b): the cut's NS in authority, glue in additional. */
static void
answer_referral(struct answer *answer, const struct zone *zone, const struct name_node *cut)
{
	const struct rrset *ns = name_node_rrset(cut, RRTYPE_NS);
	if (answer->counts[SECTION_ANSWER] == 0)
		answer->authoritative = false;
	if (!answer_put_rrset(answer, SECTION_AUTHORITY, zone, cut, cut->name, ns, ns->ttl)) {
		answer->truncated = true;
		return;
	}
	/*
	 * RFC 4035 3.1.4: in a signed zone (one with a DNSKEY at its apex), a
	 * delegation carries its DS when DO is set, or the proof that it has
	 * none (an insecure delegation).
	 */
	if (answer_dnssec_wanted(answer, zone)) {
		const struct rrset *ds = name_node_rrset(cut, RRTYPE_DS);
		struct answer_denial denial = {.kind = DENIAL_INSECURE_CUT, .node = cut};
		bool fits = ds != NULL
			? answer_put_rrset(answer, SECTION_AUTHORITY, zone, cut, cut->name, ds, ds->ttl)
			: answer_put_denial(answer, zone, &denial);
		if (!fits) {
			answer->truncated = true;
			return;
		}
	}
	/* The NS targets are remembered: glue below the cut is required (RFC 9471). */
	answer->referral_cut = cut;
}

/* NXDOMAIN or NODATA: the SOA in authority (RFC 2308 2), with the proof when signed. */
static inline void
answer_negative(struct answer *answer, const struct zone *zone, enum answer_denial_kind kind,
	const struct zone_lookup *found, const struct lookup_name *name)
{
	if (kind == DENIAL_NXDOMAIN)
		answer->rcode = RCODE_NXDOMAIN;
	/* QCLASS *: no authority to deny with (see answer_lookup()), so no SOA, as NSD. */
	if (answer->query->qclass == RRCLASS_ANY)
		return;
	if (answer_dnssec_wanted(answer, zone))
		answer_put_negative_signed(answer, zone, kind, found, name->lower, name->length);
	else
		answer_put_negative_soa(answer, zone);
}

/* Writes rrset into the answer section, setting TC when it does not fit. */
static bool
answer_put_answer(struct answer *answer, const struct zone *zone, const struct name_node *node,
	const uint8_t *owner, const struct rrset *rrset)
{
	if (answer_put_rrset(answer, SECTION_ANSWER, zone, node, owner, rrset, rrset->ttl))
		return true;
	answer->truncated = true;
	return false;
}

/*
 * QTYPE ANY (RFC 8482 4.2): over UDP only the RRset of the lowest type, so
 * that ANY cannot amplify; over TCP every RRset. RRSIGs come with their
 * RRsets when DO is set, never on their own.
 */
static void
answer_any(struct answer *answer, const struct zone *zone, const struct name_node *node,
	const uint8_t *owner)
{
	bool all = answer->request->transport == ANSWER_TCP;
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		const struct rrset *rrset = &name_node_rrsets(node)[i];
		if (rrset->type == RRTYPE_RRSIG)
			continue;
		if (!answer_put_answer(answer, zone, node, owner, rrset) || !all)
			return;
	}
}

/*
 * Answers from the exact match, or from the wildcard synthesizing name
 * (RFC 4592 3.3.1: the owner becomes the name looked up).
 */
static enum step_result
answer_from_node(struct answer *answer, const struct zone *zone, const struct zone_lookup *found,
	struct lookup_name *name, const uint8_t **target)
{
	const struct name_node *node = found->exact ? found->node : found->wildcard;
	enum answer_denial_kind nodata = found->exact ? DENIAL_NODATA : DENIAL_WILDCARD_NODATA;
	uint16_t qtype = answer->query->qtype;
	if (node->rrset_count == 0) {
		answer_negative(answer, zone, nodata, found, name);  /* an empty non-terminal exists */
		return STEP_DONE;
	}
	enum step_result result = STEP_DONE;
	const struct rrset *rrset = NULL, *cname = NULL;
	if (qtype == RRTYPE_ANY) {
		answer_any(answer, zone, node, name->owner);
	} else if ((rrset = name_node_rrset(node, qtype)) != NULL) {
		if (!answer_put_answer(answer, zone, node, name->owner, rrset))
			return STEP_DONE;
	} else if ((cname = name_node_rrset(node, RRTYPE_CNAME)) != NULL) {
		if (!answer_put_answer(answer, zone, node, name->owner, cname))
			return STEP_DONE;
		*target = cname->rdata + 2;
		result = STEP_FOLLOW;
	} else {
		answer_negative(answer, zone, nodata, found, name);
		return STEP_DONE;
	}
	if (!found->exact && !answer->truncated && answer_dnssec_wanted(answer, zone))
		answer_put_wildcard_proof(answer, zone, found, name->lower, name->length);
	return result;
}

/*
 * RFC 6672 2.2: the DNAME itself, then a CNAME from the name to the name
 * with the DNAME owner's suffix replaced by the target, with the DNAME's TTL.
 * synthesized receives the new name.
 */
static enum step_result
answer_dname(struct answer *answer, const struct zone *zone, const struct name_node *owner_node,
	const struct lookup_name *name, uint8_t synthesized[DNAME_MAX_LENGTH])
{
	const struct rrset *dname = name_node_rrset(owner_node, RRTYPE_DNAME);
	if (!answer_put_answer(answer, zone, owner_node, owner_node->name, dname))
		return STEP_DONE;
	const uint8_t *target = dname->rdata + 2;
	size_t target_length = dname_length(target);
	size_t prefix_length = name->length - owner_node->name_length;
	if (prefix_length + target_length > DNAME_MAX_LENGTH) {
		answer->rcode = RCODE_YXDOMAIN;  /* RFC 6672 2.2: the result would be too long */
		return STEP_DONE;
	}
	memcpy(synthesized, name->owner, prefix_length);
	memcpy(synthesized + prefix_length, target, target_length);
	/* The synthesized CNAME is not in the zone: wire_put_rr takes its rdata directly. */
	struct wire_mark mark = wire_mark(&answer->wire);
	if (!wire_put_rr(&answer->wire, name->owner, RRTYPE_CNAME, RRCLASS_IN, dname->ttl,
		    synthesized, (uint16_t)(prefix_length + target_length))) {
		wire_rollback(&answer->wire, mark);
		answer->truncated = true;
		return STEP_DONE;
	}
	answer->counts[SECTION_ANSWER]++;
	/* Like a real CNAME, the synthesized one is the answer to a CNAME query. */
	return answer->query->qtype == RRTYPE_CNAME ? STEP_DONE : STEP_FOLLOW;
}

/* One step of RFC 1034 4.3.2 for name in zone. */
static enum step_result
answer_step(struct answer *answer, const struct zone *zone, struct lookup_name *name,
	const uint8_t **target, uint8_t synthesized[DNAME_MAX_LENGTH])
{
	struct zone_lookup found;
	zone_lookup_key(zone, &name->key, &found);
	if (answer->qname_node == NULL) {
		/* The query name's own lookup: the result's imputed name comes from it. */
		answer->qname_node = found.node;
		answer->qname_exact = found.exact;
	}
	const struct name_node *node = found.node;
	const struct name_node *cut = lookup_find_cut(answer, zone, node, found.exact);
	const struct name_node *dname = lookup_find_dname(zone, node, found.exact);
	/* Walking down from the apex, whichever comes first applies (step 3b/3c). */
	if (cut != NULL && (dname == NULL || cut->label_count <= dname->label_count)) {
		answer_referral(answer, zone, cut);
		return STEP_DONE;
	}
	if (dname != NULL) {
		*target = synthesized;
		return answer_dname(answer, zone, dname, name, synthesized);
	}
	/* RFC 4592 3.3.1: only the closest encloser's wildcard may synthesize. */
	if (found.exact || found.wildcard != NULL)
		return answer_from_node(answer, zone, &found, name, target);
	answer_negative(answer, zone, DENIAL_NXDOMAIN, &found, name);
	return STEP_DONE;
}

/* True when name was already looked up in this chain (an alias loop). */
static bool
chain_seen(const struct lookup_name *chain, unsigned count, const struct lookup_name *name)
{
	for (unsigned i = 0; i < count; i++) {
		if (chain[i].length == name->length
			&& memcmp(chain[i].lower, name->lower, name->length) == 0)
			return true;
	}
	return false;
}

void
answer_lookup(struct answer *answer)
{
	const struct query *query = answer->query;
	struct lookup_name chain[CHAIN_MAX];
	uint8_t synthesized[CHAIN_MAX][DNAME_MAX_LENGTH];
	/* The question is echoed as received: owners equal to it compress to it. */
	chain[0].owner = query->question;
	chain[0].lower = query->qname;
	chain[0].length = query->qname_length;
	name_key_init(&chain[0].key, query->qname, query->qname_length);
	const struct zone *zone = answer_find_zone(answer, &chain[0].key);
	if (zone == NULL || !answer_client_allowed(answer, zone)) {
		answer->rcode = RCODE_REFUSED;  /* not ours, or not for this client: no AA */
		return;
	}
	if (zone->load_failed) {
		answer->rcode = RCODE_SERVFAIL;  /* ours but not loaded, as BIND: no AA */
		return;
	}
	answer->zone = zone;
	answer->authoritative = true;
	for (unsigned link = 0;; link++) {
		const uint8_t *target = NULL;
		if (answer_step(answer, zone, &chain[link], &target, synthesized[link]) == STEP_DONE)
			break;
		/*
		 * Follow inside this zone only (not into a child zone we also
		 * serve), a bounded number of times, never round a loop.
		 */
		if (link + 1 == CHAIN_MAX)
			break;
		struct lookup_name *next = &chain[link + 1];
		lookup_name_set(next, target);
		if (answer_find_zone(answer, &next->key) != zone
			|| chain_seen(chain, link + 1, next))
			break;
	}
	if (!answer->truncated)
		answer_put_additional(answer);
	/*
	 * RFC 1035 6.2: an answer to QCLASS * is never authoritative unless it
	 * covers every class; ours has class IN only (NSD; Knot sets AA, BIND
	 * answers FORMERR).
	 */
	if (query->qclass == RRCLASS_ANY)
		answer->authoritative = false;
}
