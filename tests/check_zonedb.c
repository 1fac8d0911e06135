/* check_zonedb.c: the set of zones: longest match, duplicates, take, many zones. */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zonedb.h"

static struct diag test_diag;

START_TEST(test_zonedb_longest_match)
{
	struct zonedb *db = zonedb_create();
	ck_assert_ptr_nonnull(db);
	memset(&test_diag, 0, sizeof test_diag);
	struct zone *parent = zone_create(testlib_name("example.com"), 1);
	struct zone *child = zone_create(testlib_name("sub.example.com"), 1);
	struct zone *root = zone_create(testlib_name("."), 1);
	ck_assert_int_eq(zone_finalize(parent, &test_diag), 0);
	ck_assert_int_eq(zone_finalize(child, &test_diag), 0);
	ck_assert_int_eq(zone_finalize(root, &test_diag), 0);
	ck_assert_int_eq(zonedb_add(db, parent), 0);
	ck_assert_int_eq(zonedb_add(db, child), 0);
	const uint8_t *name = testlib_name("a.b.sub.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), child);
	name = testlib_name("sub.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), child);
	name = testlib_name("other.example.com");
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), parent);
	name = testlib_name("example.org");
	ck_assert_ptr_null(zonedb_find(db, name, dname_length(name)));
	ck_assert_int_eq(zonedb_add(db, root), 0);
	ck_assert_ptr_eq(zonedb_find(db, name, dname_length(name)), root);
	struct zone *duplicate = zone_create(testlib_name("EXAMPLE.com"), 1);
	ck_assert_int_eq(zonedb_add(db, duplicate), ZONED_EEXIST);
	zone_free(duplicate);
	ck_assert_ptr_eq(zonedb_take(db, testlib_name("sub.example.com")), child);
	name = testlib_name("a.sub.example.com");
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
		struct zone *zone = zone_create(testlib_name(text), 1);
		ck_assert_int_eq(zone_finalize(zone, &test_diag), 0);
		ck_assert_int_eq(zonedb_add(db, zone), 0);
	}
	for (int i = 0; i < 200; i += 7) {
		snprintf(text, sizeof text, "www.zone%d.test", i);
		const uint8_t *name = testlib_name(text);
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
	Suite *suite = suite_create("zonedb");
	TCase *db = tcase_create("zonedb");
	tcase_add_test(db, test_zonedb_longest_match);
	tcase_add_test(db, test_zonedb_many_zones);
	suite_add_tcase(suite, db);
	return testlib_run(suite);
}
