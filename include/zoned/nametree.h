/*
 * nametree.h: one zone's contents, built once at load, read lock-free by
 * every worker. Names are stored lowercased in wire form; RRsets hold their
 * rdata in wire form, so answering never parses or converts anything.
 */
#ifndef ZONED_NAMETREE_H
#define ZONED_NAMETREE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/arena.h"
#include "zoned/dname.h"
#include "zoned/nsec3.h"

struct diag;

/*
 * One RRset. rdata holds rr_count records back to back, each a 2-octet
 * big-endian rdlength followed by the rdata exactly as in the zone file
 * (uncompressed names, case preserved), sorted and free of duplicates.
 */
struct rrset {
	uint16_t type;
	uint16_t rr_count;
	uint32_t ttl;
	uint32_t rdata_length;      /* octets at rdata */
	/*
	 * NS, MX and SRV after finalize: zone->targets[target_base + i] is the
	 * node that record i's target names in this zone, else the wildcard that
	 * synthesizes it, or NULL, resolved once so the additional section needs
	 * no lookup per query.
	 */
	uint32_t target_base;
	const uint8_t *rdata;
};

enum name_node_flags {
	NODE_APEX = 1 << 0,        /* the zone's origin */
	NODE_DELEGATION = 1 << 1,  /* NS RRset below the apex: a zone cut */
	NODE_OCCLUDED = 1 << 2,    /* strictly below a zone cut or a DNAME */
	NODE_WILDCARD = 1 << 3,    /* leftmost label is '*' */
	NODE_DNAME = 1 << 4,       /* has a DNAME RRset */
	NODE_NSEC3 = 1 << 5,       /* an NSEC3 owner, in zone->nsec3_nodes (RFC 5155 7.1) */
	NODE_BELOW_CUT = 1 << 6,   /* strictly below a delegation: node_cut() walks up */
	NODE_WILDCARD_PARENT = 1 << 7,  /* "*.<this name>" exists: node_wildcard_child() */
};

/*
 * What a node's place in one zone version makes of it: everything that
 * depends on the rest of the zone rather than on the node's own name and
 * data. A node holds two (struct name_node's links): versions that share
 * the node (zone_update.h) read alternate halves, so a new version is
 * linked while the old one still answers from the other half. Read them
 * with the node_*() accessors below, which pick the zone's half. The
 * wildcard child and the zone cut are flags, not pointers (found when
 * needed: rare on the query path), so the two halves take 32 octets where
 * the single links took 29: the 1M-record benchmark zone's 524k nodes
 * grow by 3 octets each rather than by 35.
 */
struct node_links {
	struct name_node *parent;           /* NULL at the apex */
	/*
	 * Where the node is in zone->nodes (canonical order, RFC 4034 6.1), or
	 * in zone->nsec3_nodes for an NSEC3 owner; set by zone_finalize().
	 */
	uint32_t index;
	uint8_t flags;                      /* enum name_node_flags */
};

/*
 * A name in the zone: a name with data, or an empty non-terminal (ENT,
 * rrset_count 0) created so that every ancestor up to the apex exists.
 * One allocation holds the links, the name and then the RRsets
 * (name_node_rrsets()), so a lookup's hit usually reads one cache line.
 * All but links never change once the node is built: versions share it.
 */
struct name_node {
	struct node_links links[2];         /* [zone's parity]: see struct node_links */
	uint16_t rrset_count;
	uint8_t name_length;
	uint8_t label_count;
	uint8_t name[];                     /* lowercased wire form, name_length octets */
};

/* Where a node's RRsets start: after its name, aligned. */
static inline size_t
name_node_rrsets_offset(size_t name_length)
{
	size_t align = _Alignof(struct rrset);
	return (offsetof(struct name_node, name) + name_length + align - 1) & ~(align - 1);
}

/* The node's rrset_count RRsets, sorted by type. */
static inline const struct rrset *
name_node_rrsets(const struct name_node *node)
{
	return (const struct rrset *)((const uint8_t *)node
		+ name_node_rrsets_offset(node->name_length));
}

/* True when node is a wildcard: "*" is its leftmost label (RFC 4592). */
static inline bool
name_node_is_wildcard(const struct name_node *node)
{
	return node->name[0] == 1 && node->name[1] == '*';
}

struct zone_build;
struct zone_store;

/* One slot of a zone's name index: the node and its name's hash. */
struct zone_slot {
	uint32_t hash;              /* name_hash() of the node's name */
	struct name_node *node;     /* NULL: empty */
};

struct zone {
	uint8_t origin[DNAME_MAX_LENGTH];   /* lowercased wire form */
	uint8_t origin_length;
	uint8_t origin_labels;
	uint16_t zone_class;                /* 1 = IN */
	bool load_failed;                   /* a placeholder for a zone that did not load: SERVFAIL */
	struct name_node *apex;
	const struct rrset *soa;            /* apex SOA after finalize, or NULL */
	uint32_t serial;
	uint32_t negative_ttl;              /* RFC 2308 3: min(SOA TTL, MINIMUM) */
	uint32_t stats_slot;                /* its per-zone counters (stats.h); 0: none yet */
	struct name_node **nodes;           /* every node, canonical order (RFC 4034 6.1) */
	size_t node_count;
	/*
	 * RFC 5155 7.1: NSEC3 owner names are not names of the zone (they make
	 * no ENTs and answer no queries). Each NSEC3 RRset one label below the
	 * origin, with the RRSIGs covering it, is a node of its own here, in
	 * hash order (= canonical order of the owners); the owner's other
	 * RRsets, if any, stay a node in nodes.
	 */
	struct name_node **nsec3_nodes;
	size_t nsec3_count;
	/*
	 * With an NSEC3PARAM at the apex (has_nsec3_params): node_nsec3[i] is the
	 * NSEC3 node whose hash is that of nodes[i]'s name, or NULL (occluded
	 * names, names the chain lacks), found at load so proofs for names that
	 * exist never hash. NULL without NSEC3PARAM or NSEC3 nodes.
	 */
	const struct name_node **node_nsec3;
	bool has_nsec3_params;
	struct nsec3_params nsec3_params;   /* the first usable apex NSEC3PARAM (RFC 5155 4) */
	/* Open addressing, linear probing; filled by zone_finalize(), 2/3 full at most. */
	struct zone_slot *hash_slots;
	uint32_t hash_size;                 /* slots */
	const struct name_node **targets;   /* see struct rrset's target_base */
	size_t target_count;
	size_t wildcard_count;              /* nodes named "*.<name>": some targets may be theirs */
	size_t record_count;                /* records after duplicates were removed */
	/*
	 * Where this version's half of each node's links is (struct
	 * node_links): offsetof(struct name_node, links[parity]), so reading a
	 * link is one add (node_links()).
	 */
	uint32_t links_offset;
	/* Owns the nodes and rdata, shared by every version built on it (zone_update.h). */
	struct zone_store *store;
	uint64_t generation;                /* 0: a full build; an update's is its base's + 1 */
	/* How nodes and hash_slots are held (enum zone_array_kind, nametree_internal.h). */
	uint8_t nodes_kind, slots_kind;
	struct zone_build *build;           /* load-time state, NULL after finalize */
	/*
	 * The journal of the steps that led to this version (journal.h), read
	 * by IXFR out; NULL: none. Set before the zone is published, by whoever
	 * built it (journal_attach()); malloc'd, freed with the zone. With it,
	 * the zone's records' octets in uncompressed wire form: an IXFR larger
	 * than that is sent as AXFR (BIND's max-ixfr-ratio 100%).
	 */
	char *journal_path;
	uint64_t wire_size;                 /* 0: not measured (no such choice) */
	/*
	 * Holders of the zone: each zone set that serves it (through its db)
	 * and each long reader (a transfer stream). Not part of the contents:
	 * it changes under a const zone. See zone_ref().
	 */
	atomic_uint holders;
};

/* node's links in zone's version (zone is finalized, node one of its nodes). */
static inline const struct node_links *
node_links(const struct zone *zone, const struct name_node *node)
{
	return (const struct node_links *)((const uint8_t *)node + zone->links_offset);
}

/*
 * The parent node in zone's version; NULL at the apex. A child of the
 * apex reads zone->apex, not its link: the apex changes with every serial
 * and a version made by zone_update would otherwise rewrite the parent of
 * each of its children (most names of a large flat zone). Their stored
 * link may name an older apex; nothing reads it.
 */
static inline const struct name_node *
node_parent(const struct zone *zone, const struct name_node *node)
{
	if (node->label_count == zone->origin_labels + 1u)
		return zone->apex;
	return node_links(zone, node)->parent;
}

/* node_wildcard_child() when node has one: a lookup of "*.<node>" (nametree_lookup.c). */
const struct name_node *zone_find_wildcard_child(const struct zone *zone,
	const struct name_node *node);

/* The wildcard child "*.<node>" in zone's version, or NULL (a lookup when there is one). */
static inline const struct name_node *
node_wildcard_child(const struct zone *zone, const struct name_node *node)
{
	if (!(node_links(zone, node)->flags & NODE_WILDCARD_PARENT))
		return NULL;
	return zone_find_wildcard_child(zone, node);
}

/*
 * The topmost zone cut at or above node in zone's version, or NULL: node
 * itself or an ancestor, found by walking up while below a cut (names
 * below a delegation are few: glue).
 */
static inline const struct name_node *
node_cut(const struct zone *zone, const struct name_node *node)
{
	const struct node_links *links = node_links(zone, node);
	if (!(links->flags & (NODE_DELEGATION | NODE_BELOW_CUT)))
		return NULL;
	const struct name_node *cut = (links->flags & NODE_DELEGATION) ? node : NULL;
	while (links->flags & NODE_BELOW_CUT) {
		node = links->parent;   /* below a cut: never a child of the apex */
		links = node_links(zone, node);
		if (links->flags & NODE_DELEGATION)
			cut = node;
	}
	return cut;
}

/* The node's enum name_node_flags in zone's version. */
static inline unsigned
node_flags(const struct zone *zone, const struct name_node *node)
{
	return node_links(zone, node)->flags;
}

/* The node's place in zone->nodes (or zone->nsec3_nodes for an NSEC3 node). */
static inline uint32_t
node_index(const struct zone *zone, const struct name_node *node)
{
	return node_links(zone, node)->index;
}

/* One record as the loader hands it over. All pointers are borrowed. */
struct lex_record;

struct zone_record {
	const uint8_t *owner;    /* wire form, any case */
	uint16_t type;
	uint16_t rr_class;
	uint32_t ttl;
	const uint8_t *rdata;    /* uncompressed wire rdata */
	uint16_t rdata_length;
	const char *file;        /* for messages */
	unsigned long line;
	/*
	 * Read from a master file: its tokens, the rdata from text_first on
	 * (NULL otherwise). Messages then quote rdata names as written, as
	 * BIND does.
	 */
	const struct lex_record *text;
	size_t text_first;
};

/* Returns an empty zone for origin (wire form), or NULL when out of memory. */
struct zone *zone_create(const uint8_t *origin, uint16_t zone_class);

/*
 * Frees the zone and everything it owns, for its only holder (the loader,
 * a tool, a test). A zone that may be shared is let go with zone_unref().
 * NULL is fine.
 */
void zone_free(struct zone *zone);

/*
 * Zone lifetime. zone_create() returns a zone with one holder; every zone
 * set that serves it holds one (zonedb_add() takes the caller's), and a
 * long reader that outlives a query (an outgoing transfer spanning many
 * event-loop callbacks) takes one more with zone_ref() and lets go with
 * zone_unref(); the last one frees the zone.
 *
 * Per zone, not per view: a transfer needs one zone, and holding a view
 * would keep every zone and the config of a generation alive. Queries never
 * touch the count (no atomic on the shared zone per query): they rely on
 * the epoch (net.h). A long reader calls zone_ref() while it is still
 * inside its epoch, so the set it found the zone in cannot have let go yet.
 */

/* Adds a holder; returns zone. The caller must already be a holder or inside an epoch. */
const struct zone *zone_ref(const struct zone *zone);

/*
 * Drops a holder; the last one frees the zone, on the calling thread (a
 * worker's, for a transfer that outlived its zone's set). NULL is fine.
 */
void zone_unref(const struct zone *zone);

/*
 * Adds one record before finalize. Out-of-zone records are dropped with a
 * warning (returns 0); a class other than the zone's is an error. Returns 0,
 * ZONED_EZONE (reported to d) or ZONED_ENOMEM.
 */
int zone_add_record(struct zone *zone, const struct zone_record *record, struct diag *d);

/*
 * Turns the added records into the serving tree: groups RRsets (collapsing
 * duplicates, warning on differing TTLs and using the first), creates empty
 * non-terminals, marks delegations and occluded names, links wildcards,
 * sorts the nodes canonically and builds the hash index. Does not run the
 * semantic checks (zone_check.h). Returns 0 or ZONED_ENOMEM.
 */
int zone_finalize(struct zone *zone, struct diag *d);

/*
 * Result of one lookup: what answering needs, and what denial proofs need
 * without searching again (RFC 5155 7.2.1, RFC 7129 5.5).
 */
struct zone_lookup {
	const struct name_node *node;     /* exact match, else the closest encloser */
	/*
	 * Not exact: the closest encloser's wildcard child "*.<node>", the only
	 * wildcard that may synthesize the answer (RFC 4592 3.3.1), or NULL.
	 * NULL for an exact match.
	 */
	const struct name_node *wildcard;
	bool exact;
	/*
	 * Not exact: where the next closer name (the closest encloser plus one
	 * label, RFC 5155 1.3) starts in the looked-up name; it runs to the
	 * name's end. 0 for an exact match.
	 */
	uint8_t next_closer_offset;
};

/*
 * A lowercased name with the hash of each of its suffixes, computed once
 * (label by label from the right) and shared by every lookup of that name
 * and of its ancestors: zonedb_find_key() and zone_lookup_key().
 */
struct name_key {
	const uint8_t *name;                    /* borrowed, lowercased wire form */
	uint8_t length;
	uint8_t label_count;                    /* root not counted */
	uint8_t offsets[DNAME_MAX_LABELS];      /* where label i starts */
	uint32_t hashes[DNAME_MAX_LABELS + 1];  /* [i]: the suffix from label i; [label_count]: root */
};

/* Fills key for name (lowercased wire form, length octets), which it borrows. */
void name_key_init(struct name_key *key, const uint8_t *name, size_t name_length);

/*
 * Finds name (lowercased wire form, at or below the origin) in a finalized
 * zone: the exact node, or the closest encloser (which may be an ENT), with
 * the next closer name and the wildcard candidate. The caller checks
 * node_cut() for delegations. NSEC3 owner names are not found (RFC 5155 7.1).
 */
void zone_lookup(const struct zone *zone, const uint8_t *name, size_t name_length,
	struct zone_lookup *result);

/* zone_lookup() for a name already hashed. */
void zone_lookup_key(const struct zone *zone, const struct name_key *key,
	struct zone_lookup *result);

/* The exact node for a lowercased wire name in a finalized zone, or NULL. */
const struct name_node *zone_find_node(const struct zone *zone, const uint8_t *name,
	size_t name_length);

/* The exact node for a lowercased wire name whose name_hash() is hash, or NULL (finalized zones). */
const struct name_node *zone_find_node_hashed(const struct zone *zone, const uint8_t *name,
	size_t name_length, uint32_t hash);

/*
 * The canonical predecessor (RFC 4034 6.1) of name (wire form, any case, at
 * or below the origin, existing or not) in a finalized zone: the last node
 * of zone->nodes that sorts at or before it. That is the name's own node
 * when it exists, else the greatest name before it, whose NSEC covers the
 * name (RFC 4034 4.1.1). The result may be an ENT or an occluded name, which
 * own no NSEC: walk back with zone_node_previous(). Never NULL for a name at
 * or below the origin (the apex sorts first). NSEC3 owners are not searched.
 * A binary search; allocates nothing. Meant for DNSSEC answers only.
 */
const struct name_node *zone_find_predecessor(const struct zone *zone, const uint8_t *name,
	size_t name_length);

/* The node before node in canonical order, or NULL for the apex. node is in zone->nodes. */
static inline const struct name_node *
zone_node_previous(const struct zone *zone, const struct name_node *node)
{
	uint32_t index = node_index(zone, node);
	return index > 0 ? zone->nodes[index - 1] : NULL;
}

/* The NSEC3 node whose owner hash is hash (length octets), or NULL. */
const struct name_node *zone_nsec3_find(const struct zone *zone, const uint8_t *hash,
	size_t hash_length);

/*
 * The NSEC3 node whose owner hash is the greatest below hash, wrapping
 * around to the last one for a hash before the first (RFC 5155 7.2.1: the
 * NSEC3 that covers hash when zone_nsec3_find() found none). NULL when the
 * zone has no NSEC3 node.
 */
const struct name_node *zone_nsec3_find_cover(const struct zone *zone, const uint8_t *hash,
	size_t hash_length);

/*
 * The NSEC3 node matching node's name (node in zone->nodes), found at load;
 * NULL when the zone has no NSEC3PARAM or the chain has no such hash.
 */
static inline const struct name_node *
zone_node_nsec3(const struct zone *zone, const struct name_node *node)
{
	return zone->node_nsec3 != NULL ? zone->node_nsec3[node_index(zone, node)] : NULL;
}


/* The RRset of type at node, or NULL. */
const struct rrset *name_node_rrset(const struct name_node *node, uint16_t type);

/*
 * Octets before the target name in the rdata of an RRset whose targets are
 * resolved (NS 0, MX 2, SRV 6), or -1 for any other type.
 */
int rrset_target_skip(uint16_t type);

/* Hash of a lowercased wire name, as used by the zone and zone set indexes. */
uint32_t name_hash(const uint8_t *name, size_t name_length);

#endif
