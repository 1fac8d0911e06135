/*
 * check_zone_update.c: versions made by zone_update against full builds of
 * the same records: random changes to random zones (ENTs, wildcards,
 * delegations with glue, DNAME, CNAME, NSEC records), compared node by
 * node, link by link and answer by answer; the base version answers
 * exactly as before while and after the new one is built; the spare half
 * of the links is never written while a version reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/answer.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zone_diff.h"
#include "zoned/zone_update.h"
#include "zoned/zonedb.h"

#include "../src/nametree_internal.h"   /* zone_array_file_min */

#define ORIGIN "example."
#define MAX_RECORDS 400

/* One record of the model: what the zone should hold (a set). */
struct model_rr {
	uint8_t owner[DNAME_MAX_LENGTH];
	uint16_t type;
	uint16_t rdata_length;
	uint8_t rdata[DNAME_MAX_LENGTH + 32];
};

struct model {
	struct model_rr rrs[MAX_RECORDS];
	size_t count;
};

/* The names changes pick from: ENTs, wildcards and deep names come from these. */
static const char *const pool[] = {
	"a", "b", "c", "*", "a.a", "b.a", "*.a", "c.b", "*.b", "a.c", "x.y.c", "*.c",
	"a.b.a", "*.b.a", "d.a.b", "ns.d.a.b", "e.x.y.c", "dn", "x.dn", "*.x.dn", "sub", "ns.sub",
	"deep.ns.sub", "mail",
};
#define POOL_COUNT (sizeof pool / sizeof pool[0])

static unsigned long random_state;

static unsigned
random_below(unsigned n)
{
	random_state = random_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((random_state >> 33) % n);
}

static size_t
name_of(const char *relative, uint8_t out[DNAME_MAX_LENGTH])
{
	char text[300];
	if (relative[0] == '@')
		snprintf(text, sizeof text, "%s", ORIGIN);
	else
		snprintf(text, sizeof text, "%s.%s", relative, ORIGIN);
	int length = dname_from_text(text, out);
	ck_assert_int_gt(length, 0);
	return (size_t)length;
}

/* A random record at a random pool name. */
static void
random_record(struct model_rr *rr)
{
	memset(rr, 0, sizeof *rr);
	const char *owner = pool[random_below(POOL_COUNT)];
	name_of(owner, rr->owner);
	const char *target = pool[random_below(POOL_COUNT)];
	unsigned kind = random_below(20);
	if (kind < 7) {
		rr->type = RRTYPE_A;
		uint8_t a[4] = { 192, 0, 2, (uint8_t)(1 + random_below(3)) };
		memcpy(rr->rdata, a, 4);
		rr->rdata_length = 4;
	} else if (kind < 10) {
		rr->type = RRTYPE_TXT;
		rr->rdata[0] = 2;
		rr->rdata[1] = 't';
		rr->rdata[2] = (uint8_t)('1' + random_below(2));
		rr->rdata_length = 3;
	} else if (kind < 13) {
		rr->type = RRTYPE_NS;
		rr->rdata_length = (uint16_t)(random_below(3) == 0
			? (size_t)dname_from_text("ns.elsewhere.", rr->rdata) : name_of(target, rr->rdata));
	} else if (kind < 15) {
		rr->type = RRTYPE_MX;
		rr->rdata[1] = (uint8_t)(10 * (1 + random_below(2)));
		rr->rdata_length = (uint16_t)(2 + name_of(target, rr->rdata + 2));
	} else if (kind < 17) {
		rr->type = RRTYPE_CNAME;
		rr->rdata_length = (uint16_t)name_of(target, rr->rdata);
	} else if (kind < 18) {
		rr->type = RRTYPE_DNAME;
		rr->rdata_length = (uint16_t)name_of(target, rr->rdata);
	} else {
		/* An NSEC record: ordinary data to the update (no DNSKEY, no chain check). */
		rr->type = RRTYPE_NSEC;
		size_t length = name_of(target, rr->rdata);
		uint8_t bitmap[] = { 0, 1, 0x40 };  /* A */
		memcpy(rr->rdata + length, bitmap, sizeof bitmap);
		rr->rdata_length = (uint16_t)(length + sizeof bitmap);
	}
}

static bool
model_rr_equal(const struct model_rr *a, const struct model_rr *b)
{
	return a->type == b->type && dname_equal(a->owner, b->owner)
		&& a->rdata_length == b->rdata_length
		&& memcmp(a->rdata, b->rdata, a->rdata_length) == 0;
}

static struct zone_record
model_record(const struct model_rr *rr)
{
	return (struct zone_record){ .owner = rr->owner, .type = rr->type, .rr_class = RRCLASS_IN,
		.ttl = 300, .rdata = rr->rdata, .rdata_length = rr->rdata_length,
		.file = "model", .line = 1 };
}

/* The model's head: SOA and apex NS (with the serial), glue for ns.sub. */
static void
model_start(struct model *m)
{
	m->count = 0;
	struct model_rr *rr = &m->rrs[m->count++];
	memset(rr, 0, sizeof *rr);
	name_of("@", rr->owner);
	rr->type = RRTYPE_SOA;
	size_t length = name_of("mail", rr->rdata);
	length += name_of("mail", rr->rdata + length);
	uint8_t numbers[20] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	memcpy(rr->rdata + length, numbers, sizeof numbers);
	rr->rdata_length = (uint16_t)(length + sizeof numbers);
	rr = &m->rrs[m->count++];
	memset(rr, 0, sizeof *rr);
	name_of("@", rr->owner);
	rr->type = RRTYPE_NS;
	rr->rdata_length = (uint16_t)dname_from_text("ns.elsewhere.", rr->rdata);
	for (int i = 0; i < 12; i++) {
		struct model_rr extra;
		random_record(&extra);
		bool seen = false;
		for (size_t j = 0; j < m->count; j++)
			seen |= model_rr_equal(&m->rrs[j], &extra);
		if (!seen)
			m->rrs[m->count++] = extra;
	}
}

/* Full build of the model, as a loaded file; NULL when the checks fail. */
static struct zone *
model_build(const struct model *m)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	name_of("@", origin);
	struct zone *zone = zone_create(origin, RRCLASS_IN);
	struct diag d = { 0 };
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	for (size_t i = 0; i < m->count; i++) {
		struct zone_record record = model_record(&m->rrs[i]);
		zone_check_record(zone, &record, &modes, &d);
		ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	}
	ck_assert_int_eq(zone_finalize(zone, &d), 0);
	if (zone_check_zone(zone, &modes, &d) == 0)
		zone_check_denial(zone, &modes, NULL, &d);
	if (d.errors != 0) {
		zone_free(zone);
		return NULL;
	}
	return zone;
}

/* ---- comparing versions ---- */

static void
name_text(const struct name_node *node, char *out, size_t size)
{
	if (node == NULL)
		snprintf(out, size, "(none)");
	else
		dname_to_text(node->name, out, size);
}

/* A link must name a node of the version itself, not a replaced one of its base. */
static void
assert_own_node(const struct zone *zone, const struct name_node *node, const char *what)
{
	ck_assert_msg(node == NULL || zone_find_node(zone, node->name, node->name_length) == node,
		"%s: a link to a node that is not the version's", what);
}

/* Same names, RRsets, links and targets, node by node. */
static void
compare_structure(const struct zone *a, const struct zone *b, const char *what)
{
	ck_assert_msg(a->node_count == b->node_count, "%s: %zu nodes, full build %zu", what,
		a->node_count, b->node_count);
	ck_assert_uint_eq(a->record_count, b->record_count);
	ck_assert_uint_eq(a->serial, b->serial);
	for (size_t i = 0; i < a->node_count; i++) {
		const struct name_node *x = a->nodes[i], *y = b->nodes[i];
		char xt[1024], yt[1024];
		name_text(x, xt, sizeof xt);
		name_text(y, yt, sizeof yt);
		ck_assert_msg(strcmp(xt, yt) == 0, "%s: node %zu is %s, full build %s", what, i, xt, yt);
		ck_assert_msg(x->rrset_count == y->rrset_count, "%s: %s RRsets", what, xt);
		ck_assert_ptr_eq(zone_find_node(a, x->name, x->name_length), x);
		ck_assert_uint_eq(node_index(a, x), i);
		ck_assert_msg(node_flags(a, x) == node_flags(b, y), "%s: %s flags %u, full %u", what,
			xt, node_flags(a, x), node_flags(b, y));
		const struct name_node *links_a[3] = { node_parent(a, x), node_cut(a, x),
			node_wildcard_child(a, x) };
		const struct name_node *links_b[3] = { node_parent(b, y), node_cut(b, y),
			node_wildcard_child(b, y) };
		for (int l = 0; l < 3; l++) {
			assert_own_node(a, links_a[l], what);
			name_text(links_a[l], xt, sizeof xt);
			name_text(links_b[l], yt, sizeof yt);
			ck_assert_msg(strcmp(xt, yt) == 0, "%s: link %d of node %zu: %s, full %s", what, l,
				i, xt, yt);
		}
		const struct rrset *sa = name_node_rrsets(x), *sb = name_node_rrsets(y);
		for (uint16_t r = 0; r < x->rrset_count; r++) {
			ck_assert_uint_eq(sa[r].type, sb[r].type);
			ck_assert_uint_eq(sa[r].ttl, sb[r].ttl);
			ck_assert_uint_eq(sa[r].rr_count, sb[r].rr_count);
			ck_assert_uint_eq(sa[r].rdata_length, sb[r].rdata_length);
			ck_assert(memcmp(sa[r].rdata, sb[r].rdata, sa[r].rdata_length) == 0);
			if (rrset_target_skip(sa[r].type) < 0)
				continue;
			for (uint16_t t = 0; t < sa[r].rr_count; t++) {
				assert_own_node(a, a->targets[sa[r].target_base + t], what);
				name_text(a->targets[sa[r].target_base + t], xt, sizeof xt);
				name_text(b->targets[sb[r].target_base + t], yt, sizeof yt);
				ck_assert_msg(strcmp(xt, yt) == 0, "%s: target %s vs %s", what, xt, yt);
			}
		}
	}
	struct zone_diff_count count = zone_diff_count(a, b);
	ck_assert_uint_eq(count.added + count.deleted, 0);
}

/* A difference written out: side, owner, type, TTL and rdata of each record, in order. */
struct diff_text {
	uint8_t octets[65536];
	size_t length;
};

static int
on_diff_record(void *arg, enum zone_diff_side side, const struct zone_diff_record *record)
{
	struct diff_text *out = arg;
	size_t owner = dname_length(record->owner);
	ck_assert_uint_lt(out->length + owner + record->rdata_length + 16, sizeof out->octets);
	uint8_t *p = out->octets + out->length;
	*p++ = (uint8_t)side;
	memcpy(p, record->owner, owner);
	p += owner;
	memcpy(p, &record->type, 2);
	memcpy(p + 2, &record->ttl, 4);
	memcpy(p + 6, &record->rdata_length, 2);
	memcpy(p + 8, record->rdata, record->rdata_length);
	out->length = (size_t)(p + 8 + record->rdata_length - out->octets);
	return 0;
}

/*
 * The difference from base to next (read from the update's log) is the
 * one a merge of all nodes finds (base against a full build: no node
 * shared).
 */
static void
compare_diff(const struct zone *base, const struct zone *next, const struct zone *full,
	const char *what)
{
	static struct diff_text logged, merged;
	logged.length = merged.length = 0;
	ck_assert_int_eq(zone_diff_walk(base, next, on_diff_record, &logged), 0);
	ck_assert_int_eq(zone_diff_walk(base, full, on_diff_record, &merged), 0);
	ck_assert_msg(logged.length == merged.length
		&& memcmp(logged.octets, merged.octets, logged.length) == 0,
		"%s: the difference differs from the merged one", what);
}

/* The queries answers are compared on: every pool name and one below each, five types. */
#define QUERY_TYPES 6
static const uint16_t query_types[QUERY_TYPES] = { RRTYPE_A, RRTYPE_NS, RRTYPE_CNAME,
	RRTYPE_TXT, RRTYPE_MX, RRTYPE_NSEC };
#define QUERY_COUNT ((POOL_COUNT + 1) * 2 * QUERY_TYPES)

struct answers {
	uint8_t responses[QUERY_COUNT][1500];
	size_t lengths[QUERY_COUNT];
};

/* Every query's response from a zone set holding only zone. */
static void
answers_of(const struct zone *zone, struct answers *out)
{
	struct zonedb *db = zonedb_create();
	ck_assert_int_eq(zonedb_add(db, (struct zone *)(uintptr_t)zone_ref(zone)), 0);
	struct answer_settings settings = { .edns_size = 1232 };
	size_t q = 0;
	for (size_t n = 0; n <= POOL_COUNT; n++) {
		for (int below = 0; below < 2; below++) {
			for (int t = 0; t < QUERY_TYPES; t++, q++) {
				char text[300];
				const char *relative = n < POOL_COUNT ? pool[n] : "@";
				if (relative[0] == '@')
					snprintf(text, sizeof text, "%s%s", below ? "nx." : "", ORIGIN);
				else
					snprintf(text, sizeof text, "%s%s.%s", below ? "nx." : "", relative,
						ORIGIN);
				uint8_t packet[600] = { 0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
				int length = dname_from_text(text, packet + 12);
				ck_assert_int_gt(length, 0);
				size_t at = 12 + (size_t)length;
				packet[at++] = (uint8_t)(query_types[t] >> 8);
				packet[at++] = (uint8_t)query_types[t];
				packet[at++] = 0;
				packet[at++] = 1;
				struct answer_request request = { .query = packet, .query_length = at,
					.transport = ANSWER_TCP };
				out->lengths[q] = answer_query(db, &settings, &request, out->responses[q],
					sizeof out->responses[q], NULL);
			}
		}
	}
	zonedb_free(db);
}

static void
compare_answers(const struct answers *a, const struct answers *b, const char *what)
{
	for (size_t q = 0; q < QUERY_COUNT; q++) {
		ck_assert_msg(a->lengths[q] == b->lengths[q]
			&& memcmp(a->responses[q], b->responses[q], a->lengths[q]) == 0,
			"%s: query %zu (name %zu, type %u) answered differently", what, q,
			q / (2 * QUERY_TYPES), query_types[q % QUERY_TYPES]);
	}
}

/* ---- the random walk ---- */

/* Raises the serial of the model's SOA (the first record). */
static void
model_bump_serial(struct model *m, struct zone_update *u)
{
	struct model_rr *soa = &m->rrs[0];
	struct zone_record old = model_record(soa);
	ck_assert_int_eq(zone_update_delete(u, &old, NULL), 0);
	uint8_t *serial = soa->rdata + soa->rdata_length - 20;
	serial[3]++;
	if (serial[3] == 0)
		serial[2]++;
	struct zone_record new = model_record(soa);
	ck_assert_int_eq(zone_update_add(u, &new, NULL), 0);
}

/* One random change applied to the update and to the model. */
static void
random_change(struct model *m, struct zone_update *u, struct diag *d)
{
	unsigned kind = random_below(10);
	if (kind < 4 || m->count < 4) {
		struct model_rr rr;
		random_record(&rr);
		struct zone_record record = model_record(&rr);
		ck_assert_int_eq(zone_update_add(u, &record, d), 0);
		for (size_t j = 0; j < m->count; j++) {
			if (model_rr_equal(&m->rrs[j], &rr))
				return;
		}
		if (m->count < MAX_RECORDS)
			m->rrs[m->count++] = rr;
	} else if (kind < 8) {
		/* Not the SOA nor the apex NS: the zone keeps its head. */
		size_t j = 2 + random_below((unsigned)m->count - 2);
		struct zone_record record = model_record(&m->rrs[j]);
		ck_assert_int_eq(zone_update_delete(u, &record, d), 0);
		m->rrs[j] = m->rrs[--m->count];
	} else if (kind < 9) {
		struct model_rr missing;
		random_record(&missing);
		for (size_t j = 0; j < m->count; j++) {
			if (model_rr_equal(&m->rrs[j], &missing))
				return;
		}
		struct zone_record record = model_record(&missing);
		ck_assert_int_eq(zone_update_delete(u, &record, d), ZONED_EINVAL);
	} else {
		/* A name's records replaced by 0 to 2 new ones. */
		uint8_t owner[DNAME_MAX_LENGTH];
		name_of(pool[random_below(POOL_COUNT)], owner);
		for (size_t j = m->count; j-- > 0;) {
			if (dname_equal(m->rrs[j].owner, owner))
				m->rrs[j] = m->rrs[--m->count];
		}
		struct model_rr fresh[2];
		struct zone_record records[2];
		unsigned count = random_below(3), kept = 0;
		for (unsigned i = 0; i < count; i++) {
			random_record(&fresh[kept]);
			memcpy(fresh[kept].owner, owner, sizeof owner);
			if (kept == 1 && model_rr_equal(&fresh[0], &fresh[1]))
				continue;
			records[kept] = model_record(&fresh[kept]);
			m->rrs[m->count++] = fresh[kept++];
		}
		ck_assert_int_eq(zone_update_set_owner(u, owner, records, kept, d), 0);
	}
}

/*
 * One record's rdata changed, its owner and type kept (a new A address, an
 * NS, MX, CNAME, DNAME or NSEC target): no name comes or goes, no node's
 * own flags change, so the update rewrites only the links of what it
 * replaced (and of their children) over the half an earlier version left.
 */
static void
replace_change(struct model *m, struct zone_update *u, struct diag *d)
{
	size_t j = 1 + random_below((unsigned)m->count - 1);
	struct model_rr rr = m->rrs[j];
	if (rr.type == RRTYPE_A || rr.type == RRTYPE_TXT) {
		rr.rdata[rr.rdata_length - 1] ^= 3;
	} else {
		size_t skip = rr.type == RRTYPE_MX ? 2 : 0;
		size_t tail = rr.type == RRTYPE_NSEC ? 3 : 0;
		uint8_t bitmap[3] = { 0, 1, 0x40 };
		size_t length = skip + name_of(pool[random_below(POOL_COUNT)], rr.rdata + skip);
		memcpy(rr.rdata + length, bitmap, tail);
		rr.rdata_length = (uint16_t)(length + tail);
	}
	for (size_t k = 0; k < m->count; k++) {
		if (model_rr_equal(&m->rrs[k], &rr))
			return;
	}
	struct zone_record old = model_record(&m->rrs[j]), new = model_record(&rr);
	ck_assert_int_eq(zone_update_delete(u, &old, d), 0);
	ck_assert_int_eq(zone_update_add(u, &new, d), 0);
	m->rrs[j] = rr;
}

/*
 * A random walk: each step's version against a full build of the same
 * records, the base against a full build of its own. replace_percent of
 * the steps change records in place only (replace_change()), the others
 * make random changes (names and cuts come and go).
 */
static void
random_walk(unsigned seed, unsigned replace_percent)
{
	random_state = seed;
	static struct model m, saved;
	static struct answers before, after, full_answers;
	struct diag d = { 0 };
	struct zone *current = NULL;
	while (current == NULL) {
		model_start(&m);
		current = model_build(&m);
	}
	unsigned committed = 0, refused = 0, rebuilt = 0;
	for (int step = 0; step < 60; step++) {
		struct zone_update *u = zone_update_begin(current);
		if (u == NULL) {
			/* Too much garbage in the store: the caller builds in full. */
			struct zone *fresh = model_build(&m);
			ck_assert_ptr_nonnull(fresh);
			zone_free(current);
			current = fresh;
			rebuilt++;
			continue;
		}
		saved = m;
		current->wire_size = zone_diff_wire_size(current);  /* as journal_attach() does */
		answers_of(current, &before);
		model_bump_serial(&m, u);
		unsigned changes = random_below(4);
		bool in_place = random_below(100) < replace_percent;
		for (unsigned c = 0; c < changes; c++) {
			if (in_place)
				replace_change(&m, u, &d);
			else
				random_change(&m, u, &d);
		}
		/* The base answers as before while the update is open. */
		answers_of(current, &after);
		compare_answers(&before, &after, "base during the update");
		struct zone *full = model_build(&m);
		struct zone *next = NULL;
		int rc = zone_update_commit(u, &d, &next);
		answers_of(current, &after);
		compare_answers(&before, &after, "base after the commit");
		if (full == NULL) {
			/* The checks refuse the records either way; the base stays. */
			ck_assert_int_ne(rc, 0);
			ck_assert_ptr_null(next);
			m = saved;
			refused++;
			continue;
		}
		ck_assert_msg(rc == 0, "step %d: commit %d where the full build passed", step, rc);
		char what[64];
		snprintf(what, sizeof what, "walk %u step %d", seed, step);
		compare_structure(next, full, what);
		compare_diff(current, next, full, what);
		/* The base's half was not written: it still is its own full build. */
		struct zone *base_full = model_build(&saved);
		ck_assert_ptr_nonnull(base_full);
		snprintf(what, sizeof what, "walk %u step %d base", seed, step);
		compare_structure(current, base_full, what);
		zone_free(base_full);
		/* The journal's measure, carried over, is what measuring gives. */
		uint64_t carried = next->wire_size;
		next->wire_size = 0;
		ck_assert_uint_eq(carried, zone_diff_wire_size(next));
		next->wire_size = carried;
		answers_of(next, &after);
		answers_of(full, &full_answers);
		compare_answers(&after, &full_answers, what);
		/* The old version still holds the half the next update would write. */
		ck_assert_ptr_null(zone_update_begin(next));
		zone_free(full);
		zone_free(current);
		current = next;
		committed++;
	}
	ck_assert_uint_gt(committed, 10);
	zone_free(current);
	ck_assert_uint_le(rebuilt, 2);
	fprintf(stderr, "walk %u: %u committed, %u refused, %u rebuilt\n", seed, committed, refused,
		rebuilt);
}

/* Random changes of every kind. */
START_TEST(test_random_updates)
{
	random_walk(1000u + (unsigned)_i, 0);
}
END_TEST

/*
 * The same with every full build's node array and name index in memory
 * files (as a large zone's): updates map them copy-on-write.
 */
START_TEST(test_replaced_updates_mapped)
{
	zone_array_file_min = 1;
	random_walk(3000u + (unsigned)_i, _i < 2 ? 100 : 85);
	zone_array_file_min = 1024u * 1024;
}
END_TEST

/*
 * Mostly records changed in place: updates that rewrite only the links of
 * the nodes they replace, the first one right after the full build, long
 * runs of them, and runs broken by changes that add names or cuts.
 */
START_TEST(test_replaced_updates)
{
	random_walk(2000u + (unsigned)_i, _i < 2 ? 100 : 85);
}
END_TEST

/* Octets of the mapping at address that have a page table entry (/proc/self/smaps "Rss"). */
static size_t
mapped_octets(const void *address)
{
	FILE *smaps = fopen("/proc/self/smaps", "r");
	ck_assert_ptr_nonnull(smaps);
	char line[512];
	bool inside = false;
	size_t kib = SIZE_MAX;
	while (kib == SIZE_MAX && fgets(line, sizeof line, smaps) != NULL) {
		unsigned long start, end;
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = start == (unsigned long)(uintptr_t)address;
		else if (inside && sscanf(line, "Rss: %zu kB", &kib) == 1)
			break;
	}
	fclose(smaps);
	ck_assert_msg(kib != SIZE_MAX, "no mapping at %p", address);
	return kib * 1024;
}

/*
 * The first update after a full build maps its arrays copy-on-write
 * without filling their page tables (the publication does not wait for
 * it); zone_update_prefault() fills them, reading only: the version is
 * unchanged.
 */
START_TEST(test_prefault)
{
	zone_array_file_min = 1;
	enum { HOSTS = 20000 };
	size_t size = 256 + HOSTS * 40;
	char *text = malloc(size);
	ck_assert_ptr_nonnull(text);
	int n = snprintf(text, size, "$ORIGIN example.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n"
		"@ NS ns1\nns1 A 192.0.2.1\n");
	for (unsigned i = 0; i < HOSTS; i++)
		n += snprintf(text + n, size - (size_t)n, "h%u A 10.0.%u.%u\n", i, i / 250, i % 250);
	struct zone *base = testlib_zone_from_text("example.", text, "prefault", NULL, NULL);
	free(text);
	ck_assert_ptr_nonnull(base);
	ck_assert_uint_eq(base->nodes_kind, ZONE_ARRAY_SHARED);
	struct zone_update *u = zone_update_begin(base);
	ck_assert_ptr_nonnull(u);
	static const uint8_t old_address[] = { 10, 0, 0, 7 }, new_address[] = { 10, 9, 9, 9 };
	struct zone_record record = { testlib_name("h7.example."), RRTYPE_A, 1, 300, old_address,
		4, "prefault", 1 };
	ck_assert_int_eq(zone_update_delete(u, &record, NULL), 0);
	record.rdata = new_address;
	ck_assert_int_eq(zone_update_add(u, &record, NULL), 0);
	struct diag d = { 0 };
	struct zone *next = NULL;
	ck_assert_int_eq(zone_update_commit(u, &d, &next), 0);
	ck_assert_uint_eq(next->nodes_kind, ZONE_ARRAY_PRIVATE);
	ck_assert_uint_eq(next->slots_kind, ZONE_ARRAY_PRIVATE);
	size_t nodes = next->node_count * sizeof *next->nodes;
	size_t slots = next->hash_size * sizeof *next->hash_slots;
	size_t page = 4096;
	/* The pages the update wrote or read, not all 40 + 11. */
	ck_assert_uint_lt(mapped_octets(next->nodes), nodes / 2);
	zone_update_prefault(next);
	ck_assert_uint_eq(mapped_octets(next->nodes), (nodes + page - 1) / page * page);
	ck_assert_uint_eq(mapped_octets(next->hash_slots), (slots + page - 1) / page * page);
	/* Every name is found, h7 with its new address, the others as in base. */
	for (unsigned i = 0; i < HOSTS; i += 97) {
		char host[32];
		snprintf(host, sizeof host, "h%u.example.", i);
		const uint8_t *name = testlib_name(host);
		const struct name_node *node = zone_find_node(next, name, dname_length(name));
		ck_assert_ptr_nonnull(node);
		const struct name_node *was = zone_find_node(base, name, dname_length(name));
		ck_assert_ptr_eq(node, was);
	}
	const uint8_t *h7_name = testlib_name("h7.example.");
	const struct name_node *h7 = zone_find_node(next, h7_name, dname_length(h7_name));
	ck_assert_ptr_nonnull(h7);
	ck_assert_mem_eq(name_node_rrset(h7, RRTYPE_A)->rdata + 2, new_address, 4);
	/* Nothing to fill for a full build's (shared) arrays, nor for none. */
	zone_update_prefault(base);
	zone_update_prefault(NULL);
	zone_free(base);
	zone_free(next);
	zone_array_file_min = 1024u * 1024;
}
END_TEST

/* An update aborted leaves the base as it was, and the next one can start. */
START_TEST(test_abort)
{
	random_state = 7;
	static struct model m;
	struct zone *base = NULL;
	while (base == NULL) {
		model_start(&m);
		base = model_build(&m);
	}
	static struct answers before, after;
	answers_of(base, &before);
	struct zone_update *u = zone_update_begin(base);
	ck_assert_ptr_nonnull(u);
	/* One update at a time per store. */
	ck_assert_ptr_null(zone_update_begin(base));
	model_bump_serial(&m, u);
	struct zone_record record = model_record(&m.rrs[2]);
	ck_assert_int_eq(zone_update_delete(u, &record, NULL), 0);
	zone_update_abort(u);
	answers_of(base, &after);
	compare_answers(&before, &after, "after abort");
	u = zone_update_begin(base);
	ck_assert_ptr_nonnull(u);
	zone_update_abort(u);
	zone_free(base);
}
END_TEST

/* A version a long reader holds blocks the update that would write its half. */
START_TEST(test_spare_half_held)
{
	random_state = 11;
	static struct model m;
	struct zone *v1 = NULL;
	while (v1 == NULL) {
		model_start(&m);
		v1 = model_build(&m);
	}
	struct zone_update *u = zone_update_begin(v1);
	ck_assert_ptr_nonnull(u);
	model_bump_serial(&m, u);
	struct zone *v2 = NULL;
	ck_assert_int_eq(zone_update_commit(u, &(struct diag){ 0 }, &v2), 0);
	ck_assert_uint_eq(v2->serial, 2);
	/* v1 is still held (a transfer streaming it): v3 from v2 would write v1's half. */
	ck_assert_ptr_null(zone_update_begin(v2));
	zone_unref(v1);
	u = zone_update_begin(v2);
	ck_assert_ptr_nonnull(u);
	model_bump_serial(&m, u);
	struct zone *v3 = NULL;
	ck_assert_int_eq(zone_update_commit(u, &(struct diag){ 0 }, &v3), 0);
	ck_assert_uint_eq(v3->serial, 3);
	zone_free(v2);
	zone_free(v3);
}
END_TEST

/* The modes set are the ones records are checked with (a reload's configured ones). */
START_TEST(test_modes)
{
	random_state = 13;
	static struct model m;
	struct zone *base = NULL;
	while (base == NULL) {
		model_start(&m);
		base = model_build(&m);
	}
	struct zone_update *u = zone_update_begin(base);
	ck_assert_ptr_nonnull(u);
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes.max_ttl = 100;  /* every model record has TTL 300 */
	zone_update_set_modes(u, &modes);
	model_bump_serial(&m, u);
	struct diag d = { 0 };
	struct zone *next = NULL;
	ck_assert_int_eq(zone_update_commit(u, &d, &next), ZONED_EZONE);
	ck_assert_ptr_null(next);
	zone_free(base);
}
END_TEST

/* A zone with NSEC3 owners is not shared yet: the caller builds in full. */
START_TEST(test_nsec3_refused)
{
	struct zone *zone = testlib_zone_from_text(ORIGIN,
		"$ORIGIN example.\n$TTL 300\n@ SOA ns host 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
		"2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3t A\n",
		"nsec3", NULL, NULL);
	ck_assert_ptr_null(zone_update_begin(zone));
	zone_free(zone);
}
END_TEST

static Suite *
zone_update_suite(void)
{
	Suite *suite = suite_create("zone_update");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	/* Under valgrind (tests/valgrind.sh sets ZONED_TEST_SUBSET) fewer walks of each kind. */
	bool subset = getenv("ZONED_TEST_SUBSET") != NULL;
	tcase_add_loop_test(tc, test_random_updates, 0, subset ? 4 : 8);
	tcase_add_loop_test(tc, test_replaced_updates, 0, subset ? 3 : 6);
	tcase_add_loop_test(tc, test_replaced_updates_mapped, 0, subset ? 3 : 4);
	tcase_add_test(tc, test_abort);
	tcase_add_test(tc, test_prefault);
	tcase_add_test(tc, test_spare_half_held);
	tcase_add_test(tc, test_nsec3_refused);
	tcase_add_test(tc, test_modes);
	suite_add_tcase(suite, tc);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_update_suite());
}
