/* check_nametree.c: the serving tree: RRset grouping, ENTs, cuts, wildcards, lookup, order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/nsec3.h"
#include "zoned/rrtype.h"

static struct diag test_diag;

static const uint8_t *
wire(const char *text)
{
	static uint8_t buffers[4][DNAME_MAX_LENGTH];
	static int next;
	uint8_t *out = buffers[next++ % 4];
	ck_assert_int_gt(dname_from_text(text, out), 0);
	return out;
}

static void
add(struct zone *zone, const char *owner, uint16_t type, uint32_t ttl, const void *rdata,
	size_t rdata_length, unsigned long line)
{
	struct zone_record record = {
		.owner = wire(owner), .type = type, .rr_class = 1, .ttl = ttl,
		.rdata = rdata, .rdata_length = (uint16_t)rdata_length,
		.file = "test.zone", .line = line,
	};
	ck_assert_int_eq(zone_add_record(zone, &record, &test_diag), 0);
}

static void
add_a(struct zone *zone, const char *owner, uint8_t last_octet)
{
	uint8_t address[4] = {192, 0, 2, last_octet};
	add(zone, owner, RRTYPE_A, 300, address, 4, 1);
}

static void
add_name_rdata(struct zone *zone, const char *owner, uint16_t type, const char *target)
{
	const uint8_t *target_wire = wire(target);
	add(zone, owner, type, 300, target_wire, dname_length(target_wire), 1);
}

static void
add_soa(struct zone *zone, const char *owner, uint32_t ttl, uint32_t minimum)
{
	uint8_t rdata[2 * DNAME_MAX_LENGTH + 20];
	size_t length = 0;
	const uint8_t *mname = wire("ns1.example.com");
	memcpy(rdata, mname, dname_length(mname));
	length += dname_length(mname);
	const uint8_t *rname = wire("hostmaster.example.com");
	memcpy(rdata + length, rname, dname_length(rname));
	length += dname_length(rname);
	uint32_t numbers[5] = {2024010101u, 3600, 900, 604800, minimum};
	for (int i = 0; i < 5; i++) {
		rdata[length++] = (uint8_t)(numbers[i] >> 24);
		rdata[length++] = (uint8_t)(numbers[i] >> 16);
		rdata[length++] = (uint8_t)(numbers[i] >> 8);
		rdata[length++] = (uint8_t)numbers[i];
	}
	add(zone, owner, RRTYPE_SOA, ttl, rdata, length, 1);
}

/* A zone with data, a delegation with glue, a wildcard, ENTs and a DNAME. */
static struct zone *
sample_zone(void)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("Example.COM"), 1);
	ck_assert_ptr_nonnull(zone);
	add_soa(zone, "example.com", 3600, 300);
	add_name_rdata(zone, "example.com", RRTYPE_NS, "ns1.example.com");
	add_a(zone, "ns1.example.com", 1);
	add_a(zone, "WWW.example.com", 2);
	add_a(zone, "www.example.com", 3);
	add_a(zone, "www.example.com", 2);  /* duplicate: collapsed */
	add_a(zone, "deep.a.b.example.com", 4);  /* makes ENTs a.b and b */
	add_name_rdata(zone, "sub.example.com", RRTYPE_NS, "ns.sub.example.com");
	add_a(zone, "ns.sub.example.com", 5);
	add_a(zone, "x.y.sub.example.com", 6);
	add_a(zone, "*.wild.example.com", 7);
	add_name_rdata(zone, "dn.example.com", RRTYPE_DNAME, "example.net");
	add_a(zone, "below.dn.example.com", 8);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	return zone;
}

/* The node for name in any case (the tree takes lowercased names). */
static const struct name_node *
find(const struct zone *zone, const char *name)
{
	uint8_t lower[DNAME_MAX_LENGTH];
	const uint8_t *w = wire(name);
	memcpy(lower, w, dname_length(w));
	dname_lower(lower);
	return zone_find_node(zone, lower, dname_length(lower));
}

START_TEST(test_origin_lowercased_and_apex)
{
	struct zone *zone = sample_zone();
	ck_assert_mem_eq(zone->origin, "\7example\3com", 13);
	ck_assert_ptr_eq(find(zone, "example.com"), zone->apex);
	ck_assert(node_flags(zone, zone->apex) & NODE_APEX);
	ck_assert_ptr_null(node_parent(zone, zone->apex));
	zone_free(zone);
}
END_TEST

START_TEST(test_rrset_grouping_and_duplicates)
{
	struct zone *zone = sample_zone();
	const struct name_node *www = find(zone, "www.example.com");
	ck_assert_ptr_nonnull(www);
	const struct rrset *a = name_node_rrset(www, RRTYPE_A);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->rr_count, 2);
	ck_assert_uint_eq(a->rdata_length, 12);
	/* Sorted by rdata: .2 before .3, each with its 2-octet length. */
	ck_assert_mem_eq(a->rdata, "\0\4\300\0\2\2\0\4\300\0\2\3", 12);
	ck_assert_ptr_null(name_node_rrset(www, RRTYPE_MX));
	ck_assert_uint_eq(zone->record_count, 12);
	zone_free(zone);
}
END_TEST

START_TEST(test_empty_non_terminals)
{
	struct zone *zone = sample_zone();
	const struct name_node *b = find(zone, "b.example.com");
	const struct name_node *ab = find(zone, "a.b.example.com");
	const struct name_node *deep = find(zone, "deep.a.b.example.com");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(ab);
	ck_assert_uint_eq(b->rrset_count, 0);
	ck_assert_uint_eq(ab->rrset_count, 0);
	ck_assert_ptr_eq(node_parent(zone, deep), ab);
	ck_assert_ptr_eq(node_parent(zone, ab), b);
	ck_assert_ptr_eq(node_parent(zone, b), zone->apex);
	zone_free(zone);
}
END_TEST

START_TEST(test_delegation_and_occlusion)
{
	struct zone *zone = sample_zone();
	const struct name_node *sub = find(zone, "sub.example.com");
	const struct name_node *glue = find(zone, "ns.sub.example.com");
	const struct name_node *below = find(zone, "x.y.sub.example.com");
	const struct name_node *ent = find(zone, "y.sub.example.com");
	ck_assert(node_flags(zone, sub) & NODE_DELEGATION);
	ck_assert(!(node_flags(zone, sub) & NODE_OCCLUDED));
	ck_assert_ptr_eq(node_cut(zone, sub), sub);
	ck_assert(node_flags(zone, glue) & NODE_OCCLUDED);
	ck_assert_ptr_eq(node_cut(zone, glue), sub);
	ck_assert(node_flags(zone, below) & NODE_OCCLUDED);
	ck_assert_ptr_eq(node_cut(zone, below), sub);
	ck_assert_ptr_eq(node_cut(zone, ent), sub);
	ck_assert_ptr_null(node_cut(zone, find(zone, "www.example.com")));
	/* NS at the apex is not a delegation. */
	ck_assert(!(node_flags(zone, zone->apex) & NODE_DELEGATION));
	ck_assert_ptr_null(node_cut(zone, zone->apex));
	zone_free(zone);
}
END_TEST

START_TEST(test_dname_occludes_below)
{
	struct zone *zone = sample_zone();
	const struct name_node *dn = find(zone, "dn.example.com");
	ck_assert(node_flags(zone, dn) & NODE_DNAME);
	ck_assert(!(node_flags(zone, dn) & NODE_OCCLUDED));
	ck_assert(node_flags(zone, find(zone, "below.dn.example.com")) & NODE_OCCLUDED);
	ck_assert_ptr_null(node_cut(zone, find(zone, "below.dn.example.com")));
	zone_free(zone);
}
END_TEST

START_TEST(test_wildcard_link)
{
	struct zone *zone = sample_zone();
	const struct name_node *wild = find(zone, "wild.example.com");
	const struct name_node *star = find(zone, "*.wild.example.com");
	ck_assert_ptr_nonnull(wild);
	ck_assert_uint_eq(wild->rrset_count, 0);  /* an ENT that owns the wildcard */
	ck_assert_ptr_eq(node_wildcard_child(zone, wild), star);
	ck_assert(node_flags(zone, star) & NODE_WILDCARD);
	ck_assert_ptr_null(node_wildcard_child(zone, zone->apex));
	zone_free(zone);
}
END_TEST

struct lookup_case {
	const char *query;
	const char *expected_node;
	bool exact;
	const char *next_closer;   /* NULL for an exact match */
	const char *wildcard;      /* the closest encloser's "*" child, or NULL */
};

static const struct lookup_case lookup_cases[] = {
	{"www.example.com", "www.example.com", true, NULL, NULL},
	{"example.com", "example.com", true, NULL, NULL},
	{"nothere.example.com", "example.com", false, "nothere.example.com", NULL},
	{"a.b.c.www.example.com", "www.example.com", false, "c.www.example.com", NULL},
	{"a.b.example.com", "a.b.example.com", true, NULL, NULL},     /* ENT matches exactly */
	{"zz.a.b.example.com", "a.b.example.com", false, "zz.a.b.example.com", NULL},
	{"foo.wild.example.com", "wild.example.com", false, "foo.wild.example.com",
		"*.wild.example.com"},
	{"a.foo.wild.example.com", "wild.example.com", false, "foo.wild.example.com",
		"*.wild.example.com"},
	{"*.wild.example.com", "*.wild.example.com", true, NULL, NULL},
	{"x.*.wild.example.com", "*.wild.example.com", false, "x.*.wild.example.com", NULL},
	{"q.x.y.sub.example.com", "x.y.sub.example.com", false, "q.x.y.sub.example.com", NULL},
	{"q.r.example.com", "example.com", false, "r.example.com", NULL},
};

START_TEST(test_lookup_table)
{
	struct zone *zone = sample_zone();
	const struct lookup_case *c = &lookup_cases[_i];
	uint8_t name[DNAME_MAX_LENGTH];
	int length = dname_from_text(c->query, name);
	ck_assert_int_gt(length, 0);
	struct zone_lookup result;
	zone_lookup(zone, name, (size_t)length, &result);
	ck_assert_ptr_eq(result.node, find(zone, c->expected_node));
	ck_assert_int_eq(result.exact, c->exact);
	if (c->next_closer == NULL) {
		ck_assert_uint_eq(result.next_closer_offset, 0);
	} else {
		const uint8_t *next_closer = wire(c->next_closer);
		ck_assert_uint_eq((size_t)length - result.next_closer_offset,
			dname_length(next_closer));
		ck_assert(dname_equal(name + result.next_closer_offset, next_closer));
	}
	ck_assert_ptr_eq(result.wildcard, c->wildcard ? find(zone, c->wildcard) : NULL);
	zone_free(zone);
}
END_TEST

START_TEST(test_canonical_order)
{
	struct zone *zone = sample_zone();
	const char *expected[] = {
		"example.com", "b.example.com", "a.b.example.com", "deep.a.b.example.com",
		"dn.example.com", "below.dn.example.com", "ns1.example.com",
		"sub.example.com", "ns.sub.example.com", "y.sub.example.com",
		"x.y.sub.example.com", "wild.example.com", "*.wild.example.com",
		"www.example.com",
	};
	size_t count = sizeof expected / sizeof expected[0];
	ck_assert_uint_eq(zone->node_count, count);
	for (size_t i = 0; i < count; i++) {
		ck_assert_ptr_eq(zone->nodes[i], find(zone, expected[i]));
	}
	zone_free(zone);
}
END_TEST

/*
 * Every NS target resolved to its node, or NULL (outside the zone): more
 * targets than zone_resolve_targets() looks up ahead, so its
 * ring of lookups wraps and drains.
 */
START_TEST(test_targets_resolved)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example.com"), 1);
	ck_assert_ptr_nonnull(zone);
	add_soa(zone, "example.com", 3600, 300);
	char name[64];
	for (int i = 0; i < 21; i++) {
		snprintf(name, sizeof name, i == 8 ? "ns%d.example.net" : "ns%d.example.com", i);
		add_name_rdata(zone, "example.com", RRTYPE_NS, name);
	}
	for (int i = 0; i < 21; i++) {
		snprintf(name, sizeof name, "NS%d.example.com", i);
		add_a(zone, name, (uint8_t)i);
	}
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	const struct rrset *ns = name_node_rrset(zone->apex, RRTYPE_NS);
	ck_assert_ptr_nonnull(ns);
	ck_assert_uint_eq(ns->rr_count, 21);
	struct rdata_cursor cursor = rdata_cursor_start(ns->rdata, ns->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	unsigned found = 0;
	for (uint32_t i = 0; rdata_cursor_next(&cursor, &rdata, &length); i++) {
		const struct name_node *node = zone_find_node(zone, rdata, length);
		ck_assert_ptr_eq(zone->targets[ns->target_base + i], node);
		found += node != NULL;
	}
	ck_assert_uint_eq(found, 20);   /* all but ns8 (its target is outside) */
	zone_free(zone);
}
END_TEST

START_TEST(test_soa_serial_and_negative_ttl)
{
	struct zone *zone = sample_zone();
	ck_assert_ptr_nonnull(zone->soa);
	ck_assert_uint_eq(zone->serial, 2024010101u);
	ck_assert_uint_eq(zone->negative_ttl, 300);  /* min(3600, 300) */
	zone_free(zone);

	memset(&test_diag, 0, sizeof test_diag);
	zone = zone_create(wire("example.org"), 1);
	add_soa(zone, "example.org", 60, 86400);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	ck_assert_uint_eq(zone->negative_ttl, 60);  /* the SOA TTL is the lower */
	zone_free(zone);
}
END_TEST

START_TEST(test_out_of_zone_dropped_with_warning)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example.com"), 1);
	add_a(zone, "www.example.net", 1);
	add_a(zone, "notexample.com", 1);
	ck_assert_uint_eq(test_diag.warnings, 2);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	ck_assert_uint_eq(zone->record_count, 0);
	ck_assert_ptr_null(find(zone, "www.example.net"));
	zone_free(zone);
}
END_TEST

START_TEST(test_class_mismatch_is_error)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example.com"), 1);
	uint8_t address[4] = {1, 2, 3, 4};
	struct zone_record record = {
		.owner = wire("www.example.com"), .type = RRTYPE_A, .rr_class = 3, .ttl = 1,
		.rdata = address, .rdata_length = 4, .file = "f", .line = 7,
	};
	ck_assert_int_lt(zone_add_record(zone, &record, &test_diag), 0);
	ck_assert_uint_eq(test_diag.errors, 1);
	zone_free(zone);
}
END_TEST

static struct testlib_capture capture;

START_TEST(test_ttl_mismatch_warns_and_uses_first)
{
	struct diag d = testlib_capture_start(&capture, "", NULL);
	struct zone *zone = zone_create(wire("example.com"), 1);
	uint8_t one[4] = {1, 1, 1, 1}, two[4] = {2, 2, 2, 2};
	struct zone_record record = {
		.owner = wire("t.example.com"), .type = RRTYPE_A, .rr_class = 1, .ttl = 900,
		.rdata = two, .rdata_length = 4, .file = "f", .line = 3,
	};
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	record.ttl = 60;
	record.rdata = one;
	record.line = 4;
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	ck_assert_int_eq(zone_finalize(zone, &d), 0);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_uint_eq(testlib_capture_last(&capture)->line, 4);
	ck_assert_str_eq(testlib_capture_last(&capture)->message, "TTL set to prior TTL (900)");
	const struct rrset *a = name_node_rrset(find(zone, "t.example.com"), RRTYPE_A);
	ck_assert_uint_eq(a->ttl, 900);
	ck_assert_uint_eq(a->rr_count, 2);
	zone_free(zone);
}
END_TEST

START_TEST(test_owner_revisited_later)
{
	/* Records of one owner split by another owner: merged into one RRset set. */
	struct diag d = testlib_capture_start(&capture, "", NULL);
	struct zone *zone = zone_create(wire("example.com"), 1);
	uint8_t one[4] = {1, 1, 1, 1}, two[4] = {2, 2, 2, 2};
	struct zone_record record = {
		.owner = wire("r.example.com"), .type = RRTYPE_A, .rr_class = 1, .ttl = 900,
		.rdata = two, .rdata_length = 4, .file = "f", .line = 1,
	};
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	add_a(zone, "other.example.com", 9);
	record.rdata = one;
	record.line = 3;
	record.ttl = 60;
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);  /* new rdata, other TTL */
	record.rdata = two;
	record.line = 4;
	record.ttl = 900;
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);  /* duplicate of line 1 */
	record.type = RRTYPE_TXT;
	record.rdata = (const uint8_t *)"\3abc";
	record.rdata_length = 4;
	record.line = 5;
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	ck_assert_int_eq(zone_finalize(zone, &d), 0);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_uint_eq(testlib_capture_last(&capture)->line, 3);
	const struct name_node *node = find(zone, "r.example.com");
	ck_assert_uint_eq(node->rrset_count, 2);
	const struct rrset *a = name_node_rrset(node, RRTYPE_A);
	ck_assert_uint_eq(a->rr_count, 2);
	ck_assert_uint_eq(a->ttl, 900);
	ck_assert_mem_eq(a->rdata, "\0\4\1\1\1\1\0\4\2\2\2\2", 12);
	ck_assert_uint_eq(name_node_rrset(node, RRTYPE_TXT)->rr_count, 1);
	ck_assert_uint_eq(zone->record_count, 4);
	zone_free(zone);
}
END_TEST

START_TEST(test_large_zone_hash_growth)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example.com"), 1);
	char name[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof name, "h%d.example.com", i);
		add_a(zone, name, (uint8_t)i);
	}
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	ck_assert_uint_eq(zone->node_count, 5001);
	ck_assert_uint_ge(zone->hash_size, 5001);
	for (int i = 0; i < 5000; i += 499) {
		snprintf(name, sizeof name, "h%d.example.com", i);
		ck_assert_ptr_nonnull(find(zone, name));
	}
	ck_assert_ptr_null(find(zone, "h5000.example.com"));
	zone_free(zone);
}
END_TEST

/*
 * RFC 4034 6.1's example names (any case), with escaped octets around
 * them, an escaped dot and an ENT (ent.example).
 */
static const char *const canonical_names[] = {
	"example", "a.example", "yljkjljk.a.example", "Z.a.example", "zABC.a.EXAMPLE",
	"a\\.b.example", "ent.example", "deep.ent.example", "z.example", "\\000.z.example",
	"\\001.z.example", "*.z.example", "\\200.z.example", "\\255.z.example",
};
#define CANONICAL_COUNT (sizeof canonical_names / sizeof canonical_names[0])

/*
 * The names added in one of three orders, the ENT not added at all:
 * reversed (sorted whole), canonical as a primary sends them (only the ENT
 * appended by finalize is merged in), or canonical but for "a.example",
 * added last (merged in with the ENT).
 */
enum canonical_add { ADD_REVERSED, ADD_CANONICAL, ADD_ONE_LATE, ADD_ORDERS };

static void
canonical_add(struct zone *zone, size_t i)
{
	if (strcmp(canonical_names[i], "ent.example") != 0)
		add_a(zone, canonical_names[i], (uint8_t)(i + 1));
}

static struct zone *
canonical_zone_added(enum canonical_add order)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("EXAMPLE"), 1);
	ck_assert_ptr_nonnull(zone);
	for (size_t n = 0; n < CANONICAL_COUNT; n++) {
		size_t i = order == ADD_REVERSED ? CANONICAL_COUNT - 1 - n : n;
		if (order != ADD_ONE_LATE || i != 1)
			canonical_add(zone, i);
	}
	if (order == ADD_ONE_LATE)
		canonical_add(zone, 1);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	return zone;
}

static struct zone *
canonical_zone(void)
{
	return canonical_zone_added(ADD_REVERSED);
}

START_TEST(test_canonical_order_escaped_and_upper_case)
{
	struct zone *zone = canonical_zone_added((enum canonical_add)_i);
	ck_assert_uint_eq(zone->node_count, CANONICAL_COUNT);
	for (size_t i = 0; i < CANONICAL_COUNT; i++) {
		const struct name_node *node = find(zone, canonical_names[i]);
		ck_assert_ptr_nonnull(node);
		ck_assert_ptr_eq(zone->nodes[i], node);
		ck_assert_uint_eq(node_index(zone, node), i);
		ck_assert_ptr_eq(zone_node_previous(zone, node), i > 0 ? zone->nodes[i - 1] : NULL);
	}
	zone_free(zone);
}
END_TEST

struct predecessor_case {
	const char *name;
	const char *expected;
};

static const struct predecessor_case predecessor_cases[] = {
	/* Existing names are their own predecessors, in any case. */
	{"example", "example"},
	{"EXAMPLE", "example"},
	{"ZABC.A.example", "zabc.a.example"},
	{"\\001.Z.EXAMPLE", "\\001.z.example"},
	{"a\\.B.example", "a\\.b.example"},
	{"ent.example", "ent.example"},                   /* an ENT exists */
	/* Missing names right after the apex: the apex. */
	{"\\000.example", "example"},
	{"0.example", "example"},
	{"A.A.example", "a.example"},                     /* before the first child */
	{"zz.a.example", "zabc.a.example"},               /* 'z' > 'a' in the second octet */
	{"z\\000.a.example", "z.a.example"},            /* longer label after its prefix */
	{"zab.a.example", "z.a.example"},
	{"a.zabc.a.example", "zabc.a.example"},           /* below an existing name */
	{"a\\.a.example", "zabc.a.example"},            /* after a's whole subtree */
	{"a\\.c.example", "a\\.b.example"},
	{"b.example", "a\\.b.example"},                 /* '.' (0x2e) < 'b' */
	{"a.ent.example", "ent.example"},                 /* the ENT, before its child */
	{"e.ent.example", "deep.ent.example"},
	{"x.deep.ent.example", "deep.ent.example"},
	{"y.example", "deep.ent.example"},
	{"\\000\\000.z.example", "\\000.z.example"},
	{"\\002.z.example", "\\001.z.example"},       /* '*' is 0x2a */
	{"+.z.example", "*.z.example"},
	{"A.z.example", "*.z.example"},                   /* 'a' (0x61) < 0x80 */
	{"\\201.z.example", "\\200.z.example"},
	{"\\255\\255.z.example", "\\255.z.example"},
	/* After the last name. */
	{"zz.example", "\\255.z.example"},
	{"\\255.example", "\\255.z.example"},
	{"a.\\255.z.example", "\\255.z.example"},
};

START_TEST(test_predecessor_table)
{
	struct zone *zone = canonical_zone();
	const struct predecessor_case *c = &predecessor_cases[_i];
	uint8_t name[DNAME_MAX_LENGTH];
	int length = dname_from_text(c->name, name);
	ck_assert_int_gt(length, 0);
	const struct name_node *expected = find(zone, c->expected);
	ck_assert_ptr_nonnull(expected);
	ck_assert_ptr_eq(zone_find_predecessor(zone, name, (size_t)length), expected);
	zone_free(zone);
}
END_TEST

START_TEST(test_predecessor_apex_only)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example"), 1);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	const uint8_t *name = wire("a.b.example");
	ck_assert_ptr_eq(zone_find_predecessor(zone, name, dname_length(name)), zone->apex);
	ck_assert_ptr_null(zone_node_previous(zone, zone->apex));
	zone_free(zone);
}
END_TEST

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations. */
static const struct {
	const char *name;
	const char *hash;
} rfc5155_hashes[] = {
	{"example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
	{"a.example", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
	{"ai.example", "gjeqe526plbf1g8mklp59enfd789njgi"},
	{"ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
	{"ns2.example", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
	{"w.example", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
	{"*.w.example", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
	{"x.w.example", "b4um86eghhds6nea196smvmlo4ors995"},
	{"Y.W.Example", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},   /* hashed lowercased */
	{"x.y.w.example", "2vptu5timamqttgl4luu9kg21e0aor3s"},
	{"xx.example", "t644ebqk9bibcna874givr6joj62mlhv"},
	{"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"},
};

static const uint8_t rfc5155_salt[] = {0xaa, 0xbb, 0xcc, 0xdd};

START_TEST(test_nsec3_hash_rfc5155)
{
	uint8_t hash[NSEC3_SHA1_LENGTH], text[63];
	ck_assert_uint_eq(nsec3_hash_name(wire(rfc5155_hashes[_i].name), rfc5155_salt,
		sizeof rfc5155_salt, 12, hash), NSEC3_SHA1_LENGTH);
	ck_assert_uint_eq(nsec3_hash_to_text(hash, sizeof hash, text), 32);
	ck_assert_mem_eq(text, rfc5155_hashes[_i].hash, 32);
}
END_TEST

START_TEST(test_nsec3_hash_text_lengths)
{
	uint8_t text[63];
	const uint8_t one[1] = {0xff};
	ck_assert_uint_eq(nsec3_hash_to_text(one, 1, text), 2);
	ck_assert_mem_eq(text, "vs", 2);
	uint8_t longest[NSEC3_HASH_MAX_LENGTH] = {0};
	ck_assert_uint_eq(nsec3_hash_to_text(longest, sizeof longest, text), 63);
	ck_assert_uint_eq(nsec3_hash_to_text(longest, sizeof longest + 1, text), 0);
}
END_TEST

/* The hash of name as RFC 5155 Appendix A's zone has it. */
static const uint8_t *
rfc5155_hash(const char *name)
{
	static uint8_t hash[NSEC3_SHA1_LENGTH];
	nsec3_hash_name(wire(name), rfc5155_salt, sizeof rfc5155_salt, 12, hash);
	return hash;
}

/* Adds an NSEC3 record at the hash of name (its owner in upper case, as zone files often have). */
static void
add_nsec3(struct zone *zone, const char *name)
{
	uint8_t text[63], rdata[64];
	nsec3_hash_to_text(rfc5155_hash(name), NSEC3_SHA1_LENGTH, text);
	char owner[64 + 8];
	for (int i = 0; i < 32; i++)
		owner[i] = (char)(text[i] >= 'a' ? text[i] - 'a' + 'A' : text[i]);
	memcpy(owner + 32, ".example", 9);
	/* algorithm 1, flags 0, 12 iterations, salt aabbccdd, a 20-octet next hash, bitmap A */
	size_t length = 0;
	memcpy(rdata, "\1\0\0\14\4\252\273\314\335\24", 10);
	length = 10;
	memset(rdata + length, 0x11, 20);
	length += 20;
	memcpy(rdata + length, "\0\1\100", 3);
	length += 3;
	add(zone, owner, RRTYPE_NSEC3, 300, rdata, length, 1);
}

/* An RRSIG record covering type, owned by owner (only the covered type matters here). */
static void
add_rrsig(struct zone *zone, const char *owner, uint16_t covered, uint8_t tag)
{
	uint8_t rdata[18 + 9 + 4] = {(uint8_t)(covered >> 8), (uint8_t)covered, 8, 2};
	rdata[16] = tag;
	memcpy(rdata + 18, "\7example\0", 9);
	add(zone, owner, RRTYPE_RRSIG, 300, rdata, sizeof rdata, 1);
}

#define HASH_A "35mthgpgcu1qg68fab165klnsnk3dpvl.example"
#define HASH_NS1 "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example"

/*
 * Part of RFC 5155 Appendix A's zone: names example, a, ns1, x.w (and the
 * ENT w), the NSEC3 chain for all five, one owner with a TXT beside its
 * NSEC3, RRSIGs over NSEC3 and other types.
 */
static struct zone *
nsec3_zone(void)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("example"), 1);
	ck_assert_ptr_nonnull(zone);
	add_soa(zone, "example", 3600, 300);
	add(zone, "example", RRTYPE_NSEC3PARAM, 0, "\1\0\0\14\4\252\273\314\335", 9, 1);
	add(zone, "example", RRTYPE_NSEC3PARAM, 0, "\1\1\0\5\0", 5, 1);   /* flags: ignored */
	add_a(zone, "a.example", 1);
	add_rrsig(zone, "a.example", RRTYPE_A, 1);
	add_a(zone, "ns1.example", 2);
	add_a(zone, "x.w.example", 3);
	static const char *const hashed[] = {
		"example", "a.example", "ns1.example", "w.example", "x.w.example",
	};
	for (size_t i = 0; i < 5; i++)
		add_nsec3(zone, hashed[i]);
	add_rrsig(zone, HASH_A, RRTYPE_NSEC3, 2);
	add_rrsig(zone, HASH_A, RRTYPE_NSEC3, 3);
	/* An owner with other data: that stays a name of the zone. */
	add(zone, HASH_NS1, RRTYPE_TXT, 300, "\3abc", 4, 1);
	add_rrsig(zone, HASH_NS1, RRTYPE_TXT, 4);
	add_rrsig(zone, HASH_NS1, RRTYPE_NSEC3, 5);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	ck_assert_uint_eq(test_diag.errors, 0);
	return zone;
}

START_TEST(test_nsec3_index)
{
	struct zone *zone = nsec3_zone();
	/* Hash order: example, ns1, a, x.w, w. */
	static const char *const order[] = {
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example", HASH_NS1, HASH_A,
		"b4um86eghhds6nea196smvmlo4ors995.example",
		"k8udemvp1j2f7eg6jebps17vp3n8i58h.example",
	};
	ck_assert_uint_eq(zone->nsec3_count, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct name_node *node = zone->nsec3_nodes[i];
		ck_assert(dname_equal(node->name, wire(order[i])));
		ck_assert_uint_eq(node_index(zone, node), i);
		ck_assert(node_flags(zone, node) & NODE_NSEC3);
		ck_assert_ptr_nonnull(name_node_rrset(node, RRTYPE_NSEC3));
	}
	/* The RRSIGs covering NSEC3 went with it; the others stayed. */
	const struct name_node *a = zone->nsec3_nodes[2];
	ck_assert_uint_eq(a->rrset_count, 2);
	ck_assert_uint_eq(name_node_rrset(a, RRTYPE_RRSIG)->rr_count, 2);
	const struct name_node *ns1 = zone->nsec3_nodes[1];
	ck_assert_uint_eq(ns1->rrset_count, 2);
	const struct rrset *rrsig = name_node_rrset(ns1, RRTYPE_RRSIG);
	ck_assert_uint_eq(rrsig->rr_count, 1);
	ck_assert_uint_eq(rrsig->rdata[2 + 16], 5);
	const struct name_node *ns1_name = find(zone, HASH_NS1);
	ck_assert_ptr_nonnull(ns1_name);
	ck_assert_uint_eq(ns1_name->rrset_count, 2);
	ck_assert_ptr_nonnull(name_node_rrset(ns1_name, RRTYPE_TXT));
	ck_assert_ptr_null(name_node_rrset(ns1_name, RRTYPE_NSEC3));
	rrsig = name_node_rrset(ns1_name, RRTYPE_RRSIG);
	ck_assert_uint_eq(rrsig->rr_count, 1);
	ck_assert_uint_eq(rrsig->rdata[2 + 16], 4);
	ck_assert_uint_eq(name_node_rrset(find(zone, "a.example"), RRTYPE_RRSIG)->rr_count, 1);
	/* Moved, not copied: SOA, 2 NSEC3PARAM, A and RRSIG, 2 A, 5 NSEC3, 2 + 3 at the hash owners. */
	ck_assert_uint_eq(zone->record_count, 1 + 2 + 2 + 2 + 5 + 2 + 3);
	/* The NSEC3PARAM with flags set is skipped (RFC 5155 4.1.2). */
	ck_assert(zone->has_nsec3_params);
	ck_assert_uint_eq(zone->nsec3_params.iterations, 12);
	ck_assert_uint_eq(zone->nsec3_params.salt_length, 4);
	ck_assert_mem_eq(zone->nsec3_params.salt, rfc5155_salt, 4);
	zone_free(zone);
}
END_TEST

START_TEST(test_nsec3_owners_not_names)
{
	struct zone *zone = nsec3_zone();
	/* example, a, ns1, w (ENT), x.w, and the ns1 hash owner for its TXT. */
	ck_assert_uint_eq(zone->node_count, 6);
	ck_assert_ptr_null(find(zone, HASH_A));
	uint8_t name[DNAME_MAX_LENGTH];
	int length = dname_from_text(HASH_A, name);
	struct zone_lookup result;
	zone_lookup(zone, name, (size_t)length, &result);
	ck_assert_ptr_eq(result.node, zone->apex);
	ck_assert(!result.exact);
	/* The predecessor search does not see them either: 2t7b... < 35mt... < a. */
	ck_assert_ptr_eq(zone_find_predecessor(zone, name, (size_t)length), find(zone, HASH_NS1));
	zone_free(zone);
}
END_TEST

struct nsec3_case {
	const char *name;     /* hashed with the zone's parameters */
	const char *exact;    /* the NSEC3 owner with that hash, or NULL */
	const char *cover;    /* the NSEC3 owner before that hash */
};

static const struct nsec3_case nsec3_cases[] = {
	{"example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example",
		"k8udemvp1j2f7eg6jebps17vp3n8i58h.example"},   /* the first: wraps around */
	{"a.example", HASH_A, HASH_NS1},
	{"w.example", "k8udemvp1j2f7eg6jebps17vp3n8i58h.example",
		"b4um86eghhds6nea196smvmlo4ors995.example"},
	{"ai.example", NULL, "b4um86eghhds6nea196smvmlo4ors995.example"},       /* gjeq... */
	{"xx.example", NULL, "k8udemvp1j2f7eg6jebps17vp3n8i58h.example"},       /* t644..., after the last */
	{"x.y.w.example", NULL, HASH_NS1},                                      /* 2vpt... */
	{"*.w.example", NULL, "k8udemvp1j2f7eg6jebps17vp3n8i58h.example"},      /* r53b... */
};

START_TEST(test_nsec3_find_and_cover)
{
	struct zone *zone = nsec3_zone();
	const struct nsec3_case *c = &nsec3_cases[_i];
	const uint8_t *hash = rfc5155_hash(c->name);
	const struct name_node *exact = zone_nsec3_find(zone, hash, NSEC3_SHA1_LENGTH);
	if (c->exact == NULL)
		ck_assert_ptr_null(exact);
	else
		ck_assert(dname_equal(exact->name, wire(c->exact)));
	const struct name_node *cover = zone_nsec3_find_cover(zone, hash, NSEC3_SHA1_LENGTH);
	ck_assert_ptr_nonnull(cover);
	ck_assert(dname_equal(cover->name, wire(c->cover)));
	zone_free(zone);
}
END_TEST

START_TEST(test_nsec3_cover_edges)
{
	struct zone *zone = nsec3_zone();
	uint8_t low[NSEC3_SHA1_LENGTH], high[NSEC3_SHA1_LENGTH];
	memset(low, 0, sizeof low);
	memset(high, 0xff, sizeof high);
	const struct name_node *last = zone->nsec3_nodes[zone->nsec3_count - 1];
	ck_assert_ptr_eq(zone_nsec3_find_cover(zone, low, sizeof low), last);
	ck_assert_ptr_eq(zone_nsec3_find_cover(zone, high, sizeof high), last);
	ck_assert_ptr_null(zone_nsec3_find(zone, low, sizeof low));
	/* A hash longer than a label can spell is nobody's. */
	uint8_t longest[NSEC3_HASH_MAX_LENGTH + 1] = {0};
	ck_assert_ptr_null(zone_nsec3_find(zone, longest, sizeof longest));
	ck_assert_ptr_null(zone_nsec3_find_cover(zone, longest, sizeof longest));
	zone_free(zone);
	/* No chain at all. */
	zone = canonical_zone();
	ck_assert_ptr_null(zone_nsec3_find_cover(zone, low, sizeof low));
	ck_assert_ptr_null(zone_nsec3_find(zone, low, sizeof low));
	ck_assert_ptr_null(zone_node_nsec3(zone, zone->apex));
	ck_assert(!zone->has_nsec3_params);
	zone_free(zone);
}
END_TEST

START_TEST(test_nsec3_of_existing_names)
{
	struct zone *zone = nsec3_zone();
	static const char *const names[] = {"example", "a.example", "ns1.example", "w.example",
		"x.w.example"};
	for (size_t i = 0; i < 5; i++) {
		const struct name_node *node = find(zone, names[i]);
		ck_assert_ptr_nonnull(node);
		const struct name_node *nsec3 = zone_node_nsec3(zone, node);
		ck_assert_ptr_nonnull(nsec3);
		ck_assert_ptr_eq(nsec3, zone_nsec3_find(zone, rfc5155_hash(names[i]),
			NSEC3_SHA1_LENGTH));
	}
	/* The hash owner holding a TXT is a name without an NSEC3 of its own here. */
	ck_assert_ptr_null(zone_node_nsec3(zone, find(zone, HASH_NS1)));
	zone_free(zone);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("nametree");
	TCase *tc = tcase_create("tree");
	tcase_add_test(tc, test_origin_lowercased_and_apex);
	tcase_add_test(tc, test_rrset_grouping_and_duplicates);
	tcase_add_test(tc, test_empty_non_terminals);
	tcase_add_test(tc, test_delegation_and_occlusion);
	tcase_add_test(tc, test_dname_occludes_below);
	tcase_add_test(tc, test_wildcard_link);
	tcase_add_loop_test(tc, test_lookup_table, 0,
		sizeof lookup_cases / sizeof lookup_cases[0]);
	tcase_add_test(tc, test_canonical_order);
	tcase_add_test(tc, test_targets_resolved);
	tcase_add_test(tc, test_soa_serial_and_negative_ttl);
	tcase_add_test(tc, test_out_of_zone_dropped_with_warning);
	tcase_add_test(tc, test_class_mismatch_is_error);
	tcase_add_test(tc, test_ttl_mismatch_warns_and_uses_first);
	tcase_add_test(tc, test_owner_revisited_later);
	tcase_add_test(tc, test_large_zone_hash_growth);
	suite_add_tcase(suite, tc);
	TCase *order = tcase_create("canonical order");
	tcase_add_loop_test(order, test_canonical_order_escaped_and_upper_case, 0, ADD_ORDERS);
	tcase_add_loop_test(order, test_predecessor_table, 0,
		sizeof predecessor_cases / sizeof predecessor_cases[0]);
	tcase_add_test(order, test_predecessor_apex_only);
	suite_add_tcase(suite, order);
	TCase *nsec3 = tcase_create("nsec3");
	tcase_add_loop_test(nsec3, test_nsec3_hash_rfc5155, 0,
		sizeof rfc5155_hashes / sizeof rfc5155_hashes[0]);
	tcase_add_test(nsec3, test_nsec3_hash_text_lengths);
	tcase_add_test(nsec3, test_nsec3_index);
	tcase_add_test(nsec3, test_nsec3_owners_not_names);
	tcase_add_loop_test(nsec3, test_nsec3_find_and_cover, 0,
		sizeof nsec3_cases / sizeof nsec3_cases[0]);
	tcase_add_test(nsec3, test_nsec3_cover_edges);
	tcase_add_test(nsec3, test_nsec3_of_existing_names);
	suite_add_tcase(suite, nsec3);
	return testlib_run(suite);
}
