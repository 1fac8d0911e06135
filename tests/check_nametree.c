/* check_nametree.c: the serving tree: RRset grouping, ENTs, cuts, wildcards, lookup, order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zonedb.h"

#define TYPE_A 1
#define TYPE_NS 2
#define TYPE_SOA 6
#define TYPE_MX 15
#define TYPE_TXT 16
#define TYPE_DNAME 39

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
	add(zone, owner, TYPE_A, 300, address, 4, 1);
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
	add(zone, owner, TYPE_SOA, ttl, rdata, length, 1);
}

/* A zone with data, a delegation with glue, a wildcard, ENTs and a DNAME. */
static struct zone *
sample_zone(void)
{
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *zone = zone_create(wire("Example.COM"), 1);
	ck_assert_ptr_nonnull(zone);
	add_soa(zone, "example.com", 3600, 300);
	add_name_rdata(zone, "example.com", TYPE_NS, "ns1.example.com");
	add_a(zone, "ns1.example.com", 1);
	add_a(zone, "WWW.example.com", 2);
	add_a(zone, "www.example.com", 3);
	add_a(zone, "www.example.com", 2);  /* duplicate: collapsed */
	add_a(zone, "deep.a.b.example.com", 4);  /* makes ENTs a.b and b */
	add_name_rdata(zone, "sub.example.com", TYPE_NS, "ns.sub.example.com");
	add_a(zone, "ns.sub.example.com", 5);
	add_a(zone, "x.y.sub.example.com", 6);
	add_a(zone, "*.wild.example.com", 7);
	add_name_rdata(zone, "dn.example.com", TYPE_DNAME, "example.net");
	add_a(zone, "below.dn.example.com", 8);
	ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
	return zone;
}

static const struct name_node *
find(const struct zone *zone, const char *name)
{
	const uint8_t *w = wire(name);
	return zone_find_node(zone, w, dname_length(w));
}

START_TEST(test_origin_lowercased_and_apex)
{
	struct zone *zone = sample_zone();
	ck_assert_mem_eq(zone->origin, "\7example\3com", 13);
	ck_assert_ptr_eq(find(zone, "example.com"), zone->apex);
	ck_assert(zone->apex->flags & NODE_APEX);
	ck_assert_ptr_null(zone->apex->parent);
	zone_free(zone);
}
END_TEST

START_TEST(test_rrset_grouping_and_duplicates)
{
	struct zone *zone = sample_zone();
	const struct name_node *www = find(zone, "www.example.com");
	ck_assert_ptr_nonnull(www);
	const struct rrset *a = name_node_rrset(www, TYPE_A);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->rr_count, 2);
	ck_assert_uint_eq(a->rdata_length, 12);
	/* Sorted by rdata: .2 before .3, each with its 2-octet length. */
	ck_assert_mem_eq(a->rdata, "\0\4\300\0\2\2\0\4\300\0\2\3", 12);
	ck_assert_ptr_null(name_node_rrset(www, TYPE_MX));
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
	ck_assert_ptr_eq(deep->parent, ab);
	ck_assert_ptr_eq(ab->parent, b);
	ck_assert_ptr_eq(b->parent, zone->apex);
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
	ck_assert(sub->flags & NODE_DELEGATION);
	ck_assert(!(sub->flags & NODE_OCCLUDED));
	ck_assert_ptr_eq(sub->cut, sub);
	ck_assert(glue->flags & NODE_OCCLUDED);
	ck_assert_ptr_eq(glue->cut, sub);
	ck_assert(below->flags & NODE_OCCLUDED);
	ck_assert_ptr_eq(below->cut, sub);
	ck_assert_ptr_eq(ent->cut, sub);
	ck_assert_ptr_null(find(zone, "www.example.com")->cut);
	/* NS at the apex is not a delegation. */
	ck_assert(!(zone->apex->flags & NODE_DELEGATION));
	ck_assert_ptr_null(zone->apex->cut);
	zone_free(zone);
}
END_TEST

START_TEST(test_dname_occludes_below)
{
	struct zone *zone = sample_zone();
	const struct name_node *dn = find(zone, "dn.example.com");
	ck_assert(dn->flags & NODE_DNAME);
	ck_assert(!(dn->flags & NODE_OCCLUDED));
	ck_assert(find(zone, "below.dn.example.com")->flags & NODE_OCCLUDED);
	ck_assert_ptr_null(find(zone, "below.dn.example.com")->cut);
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
	ck_assert_ptr_eq(wild->wildcard_child, star);
	ck_assert(star->flags & NODE_WILDCARD);
	ck_assert_ptr_null(zone->apex->wildcard_child);
	zone_free(zone);
}
END_TEST

struct lookup_case {
	const char *query;
	const char *expected_node;
	bool exact;
};

static const struct lookup_case lookup_cases[] = {
	{"www.example.com", "www.example.com", true},
	{"example.com", "example.com", true},
	{"nothere.example.com", "example.com", false},
	{"a.b.c.www.example.com", "www.example.com", false},
	{"a.b.example.com", "a.b.example.com", true},     /* ENT matches exactly */
	{"zz.a.b.example.com", "a.b.example.com", false}, /* ENT as closest encloser */
	{"foo.wild.example.com", "wild.example.com", false},
	{"*.wild.example.com", "*.wild.example.com", true},
	{"q.x.y.sub.example.com", "x.y.sub.example.com", false},
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
		.owner = wire("www.example.com"), .type = TYPE_A, .rr_class = 3, .ttl = 1,
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
		.owner = wire("t.example.com"), .type = TYPE_A, .rr_class = 1, .ttl = 900,
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
	const struct rrset *a = name_node_rrset(find(zone, "t.example.com"), TYPE_A);
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
		.owner = wire("r.example.com"), .type = TYPE_A, .rr_class = 1, .ttl = 900,
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
	record.type = TYPE_TXT;
	record.rdata = (const uint8_t *)"\3abc";
	record.rdata_length = 4;
	record.line = 5;
	ck_assert_int_eq(zone_add_record(zone, &record, &d), 0);
	ck_assert_int_eq(zone_finalize(zone, &d), 0);
	ck_assert_uint_eq(d.warnings, 1);
	ck_assert_uint_eq(testlib_capture_last(&capture)->line, 3);
	const struct name_node *node = find(zone, "r.example.com");
	ck_assert_uint_eq(node->rrset_count, 2);
	const struct rrset *a = name_node_rrset(node, TYPE_A);
	ck_assert_uint_eq(a->rr_count, 2);
	ck_assert_uint_eq(a->ttl, 900);
	ck_assert_mem_eq(a->rdata, "\0\4\1\1\1\1\0\4\2\2\2\2", 12);
	ck_assert_uint_eq(name_node_rrset(node, TYPE_TXT)->rr_count, 1);
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

START_TEST(test_zonedb_longest_match)
{
	struct zonedb *db = zonedb_create();
	ck_assert_ptr_nonnull(db);
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *parent = zone_create(wire("example.com"), 1);
	struct zone *child = zone_create(wire("sub.example.com"), 1);
	struct zone *root = zone_create(wire("."), 1);
	ck_assert_int_eq(zone_finalize(parent, &test_diag), 0);
	ck_assert_int_eq(zone_finalize(child, &test_diag), 0);
	ck_assert_int_eq(zone_finalize(root, &test_diag), 0);
	ck_assert_int_eq(zonedb_add(db, parent), 0);
	ck_assert_int_eq(zonedb_add(db, child), 0);
	const uint8_t *name = wire("a.b.sub.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), child);
	name = wire("sub.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), child);
	name = wire("other.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), parent);
	name = wire("example.org");
	ck_assert_ptr_null(zonedb_find(db, name, dname_length(name)));
	ck_assert_int_eq(zonedb_add(db, root), 0);
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), root);
	struct zone *duplicate = zone_create(wire("EXAMPLE.com"), 1);
	ck_assert_int_eq(zonedb_add(db, duplicate), -9);
	zone_free(duplicate);
	ck_assert_ptr_eq(zonedb_take(db, wire("sub.example.com")), child);
	name = wire("a.sub.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), parent);
	zone_free(child);
	zonedb_free(db);
}
END_TEST

START_TEST(test_zonedb_many_zones)
{
	struct zonedb *db = zonedb_create();
	char text[64];
	memset(&test_diag, 0, sizeof test_diag);
	for (int i = 0; i < 200; i++) {
		snprintf(text, sizeof text, "zone%d.test", i);
		struct zone *zone = zone_create(wire(text), 1);
		ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
		ck_assert_int_eq(zonedb_add(db, zone), 0);
	}
	for (int i = 0; i < 200; i += 7) {
		snprintf(text, sizeof text, "www.zone%d.test", i);
		const uint8_t *name = wire(text);
		const struct zone *zone = zonedb_find(db, name, dname_length(name));
		ck_assert_ptr_nonnull(zone);
		ck_assert(dname_equal(zone->origin, name + 4));
	}
	zonedb_free(db);
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
	tcase_add_test(tc, test_soa_serial_and_negative_ttl);
	tcase_add_test(tc, test_out_of_zone_dropped_with_warning);
	tcase_add_test(tc, test_class_mismatch_is_error);
	tcase_add_test(tc, test_ttl_mismatch_warns_and_uses_first);
	tcase_add_test(tc, test_owner_revisited_later);
	tcase_add_test(tc, test_large_zone_hash_growth);
	suite_add_tcase(suite, tc);
	TCase *db = tcase_create("zonedb");
	tcase_add_test(db, test_zonedb_longest_match);
	tcase_add_test(db, test_zonedb_many_zones);
	suite_add_tcase(suite, db);
	return testlib_run(suite);
}
