/*
 * check_zoneset.c: the zone sets of successive reloads and zone lifetime:
 * a zone is shared by the sets that serve it and by long readers
 * (zone_ref()), and freed only when the last of them lets go. Run under
 * valgrind (CK_FORK=no) to show neither a leak nor a use after free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/config.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/journal.h"
#include "zoned/nametree.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

static char directory[] = "/tmp/check_zoneset.XXXXXX";
static char path_a[64], path_b[64];
static struct config *config;

static void
quiet_log(int priority, const char *format, ...)
{
	(void)priority;
	(void)format;
}

static void
write_zone(const char *path, const char *origin, unsigned serial, unsigned hosts)
{
	FILE *file = fopen(path, "w");
	ck_assert_ptr_nonnull(file);
	fprintf(file, "$ORIGIN %s.\n$TTL 300\n@ SOA ns1 host %u 2 3 4 5\n@ NS ns1\n"
		"ns1 A 192.0.2.1\n", origin, serial);
	for (unsigned i = 0; i < hosts; i++)
		fprintf(file, "host%u A 192.0.2.%u\n", i, i % 250 + 2);
	ck_assert_int_eq(fclose(file), 0);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(directory));
	snprintf(path_a, sizeof path_a, "%s/a.zone", directory);
	snprintf(path_b, sizeof path_b, "%s/b.zone", directory);
	write_zone(path_a, "a.test", 1, 50);
	write_zone(path_b, "b.test", 1, 10);
	config = config_create();
	ck_assert_ptr_nonnull(config);
	ck_assert_int_eq(config_add_zone(config, "a.test", path_a, "test", 1), 0);
	ck_assert_int_eq(config_add_zone(config, "b.test", path_b, "test", 2), 0);
}

static void
teardown(void)
{
	config_free(config);
	unlink(path_a);
	unlink(path_b);
	/* The journals the reloads wrote (IXFR out). */
	char journal[80];
	snprintf(journal, sizeof journal, "%s.jnl", path_a);
	unlink(journal);
	snprintf(journal, sizeof journal, "%s.jnl", path_b);
	unlink(journal);
	rmdir(directory);
	memcpy(directory + strlen(directory) - 6, "XXXXXX", 6);
}

static struct zoneset *
build(const struct zoneset *previous)
{
	struct zoneset *set = NULL;
	unsigned failed = 99;
	ck_assert_int_eq(zoneset_build(config, previous, quiet_log, NULL, &set, &failed), 0);
	ck_assert_uint_eq(failed, 0);
	ck_assert_ptr_nonnull(set);
	return set;
}

static const struct zone *
find(const struct zoneset *set, const char *origin)
{
	const uint8_t *name = testlib_name(origin);
	const struct zone *zone = zonedb_find(set->db, name, dname_length(name));
	ck_assert_ptr_nonnull(zone);
	return zone;
}

static unsigned
holders(const struct zone *zone)
{
	return atomic_load(&zone->holders);
}

/* Reads the whole zone, as a transfer would: valgrind sees a freed zone here. */
static size_t
count_records(const struct zone *zone)
{
	size_t records = 0;
	for (size_t i = 0; i < zone->node_count; i++) {
		const struct rrset *rrsets = name_node_rrsets(zone->nodes[i]);
		for (uint16_t j = 0; j < zone->nodes[i]->rrset_count; j++)
			records += rrsets[j].rr_count;
	}
	return records;
}

/*
 * A reload records each zone loaded again in its journal before the set is
 * published; the first set (startup, zoned -C) leaves journals alone until
 * zoneset_check_journals(), which removes one that leads elsewhere.
 */
START_TEST(reload_records_the_step_in_the_journal)
{
	char journal_a[80], journal_b[80];
	snprintf(journal_a, sizeof journal_a, "%s.jnl", path_a);
	snprintf(journal_b, sizeof journal_b, "%s.jnl", path_b);
	FILE *stale = fopen(journal_b, "w");   /* left over, not even a journal */
	ck_assert_ptr_nonnull(stale);
	fputs("stale", stale);
	fclose(stale);
	struct zoneset *first = build(NULL);
	ck_assert_str_eq(find(first, "a.test")->journal_path, journal_a);
	ck_assert_int_eq(access(journal_a, F_OK), -1);
	ck_assert_int_eq(access(journal_b, F_OK), 0);
	write_zone(path_a, "a.test", 2, 51);
	struct zoneset *second = build(first);
	struct journal_info info;
	ck_assert_int_eq(journal_describe(journal_a, testlib_name("a.test"), &info), 0);
	ck_assert_uint_eq(info.first_serial, 1);
	ck_assert_uint_eq(info.last_serial, 2);
	ck_assert_uint_eq(info.steps, 1);
	/* b.test did not change: shared, its (foreign) file untouched. */
	ck_assert_ptr_eq(find(second, "b.test"), find(first, "b.test"));
	ck_assert_int_eq(journal_describe(journal_b, testlib_name("b.test"), &info), ZONED_EINVAL);
	/* At a start with a.test at serial 2 its journal is kept. */
	zoneset_check_journals(second, quiet_log);
	ck_assert_int_eq(access(journal_a, F_OK), 0);
	zoneset_free(first);
	zoneset_free(second);
}
END_TEST

START_TEST(held_zone_outlives_every_set)
{
	struct zoneset *first = build(NULL);
	const struct zone *a = find(first, "a.test");
	ck_assert_uint_eq(holders(a), 1);
	/* A reader takes its hold while the set is still published. */
	ck_assert_ptr_eq(zone_ref(a), a);
	ck_assert_uint_eq(holders(a), 2);
	struct zoneset *second = build(first);
	ck_assert_ptr_eq(find(second, "a.test"), a);
	ck_assert_uint_eq(holders(a), 3);
	zoneset_free(first);
	zoneset_free(second);
	/* Every set let go; the reader still reads the whole zone. */
	ck_assert_uint_eq(holders(a), 1);
	ck_assert_uint_eq(count_records(a), 53);
	ck_assert_uint_eq(a->serial, 1);
	zone_unref(a);  /* the last holder: freed here (valgrind: no leak) */
}
END_TEST

START_TEST(sets_share_zones_across_two_reloads)
{
	struct zoneset *first = build(NULL);
	const struct zone *a1 = find(first, "a.test");
	const struct zone *b1 = find(first, "b.test");
	struct zoneset *second = build(first);
	ck_assert_ptr_eq(find(second, "a.test"), a1);
	ck_assert_ptr_eq(find(second, "b.test"), b1);
	ck_assert_uint_eq(holders(a1), 2);
	ck_assert_uint_eq(holders(b1), 2);
	zone_ref(b1);  /* a reader of the old b */

	/* b changes: the third set loads it again, a stays shared by all three. */
	write_zone(path_b, "b.test", 2, 20);
	struct zoneset *third = build(second);
	ck_assert_ptr_eq(find(third, "a.test"), a1);
	const struct zone *b3 = find(third, "b.test");
	ck_assert_ptr_ne(b3, b1);
	ck_assert_uint_eq(b3->serial, 2);
	ck_assert_uint_eq(holders(a1), 3);
	ck_assert_uint_eq(holders(b1), 3);
	ck_assert_uint_eq(holders(b3), 1);

	/* Retire the sets oldest first, as the server does. */
	zoneset_free(first);
	ck_assert_uint_eq(holders(a1), 2);
	ck_assert_uint_eq(holders(b1), 2);
	zoneset_free(second);
	ck_assert_uint_eq(holders(a1), 1);
	ck_assert_uint_eq(holders(b1), 1);
	ck_assert_uint_eq(count_records(b1), 13);
	ck_assert_uint_eq(b1->serial, 1);
	zone_unref(b1);
	ck_assert_uint_eq(count_records(a1), 53);
	zoneset_free(third);
}
END_TEST

START_TEST(failed_reload_keeps_holding_the_old_zone)
{
	struct zoneset *first = build(NULL);
	const struct zone *b1 = find(first, "b.test");
	FILE *file = fopen(path_b, "w");
	ck_assert_ptr_nonnull(file);
	fputs("@ SOA broken\n", file);
	ck_assert_int_eq(fclose(file), 0);
	struct zoneset *second = NULL;
	unsigned failed = 0;
	ck_assert_int_eq(zoneset_build(config, first, quiet_log, NULL, &second, &failed), 0);
	ck_assert_uint_eq(failed, 1);
	ck_assert_ptr_eq(find(second, "b.test"), b1);
	ck_assert_uint_eq(holders(b1), 2);
	zoneset_free(first);
	ck_assert_uint_eq(holders(b1), 1);
	ck_assert_uint_eq(count_records(b1), 13);
	zoneset_free(second);
}
END_TEST

/* zoned.conf(5): a lowered max-records fails an unchanged zone over it, which keeps serving. */
START_TEST(lowered_max_records_fails_unchanged_zone)
{
	struct zoneset *first = build(NULL);
	const struct zone *a1 = find(first, "a.test");
	config->max_records = 20;  /* a.test has 53 records, b.test 13 */
	struct zoneset *second = NULL;
	unsigned failed = 0;
	ck_assert_int_eq(zoneset_build(config, first, quiet_log, NULL, &second, &failed), 0);
	ck_assert_uint_eq(failed, 1);
	ck_assert_ptr_eq(find(second, "a.test"), a1);
	config->max_records = 53;  /* at the limit: fine */
	struct zoneset *third = build(second);
	ck_assert_ptr_eq(find(third, "a.test"), a1);
	zoneset_free(first);
	zoneset_free(second);
	zoneset_free(third);
}
END_TEST

/*
 * A zone that does not load at start is a failed placeholder the longest
 * match finds (its names are not the parent's), tried again at each reload.
 */
START_TEST(failed_zone_at_start_is_a_placeholder_until_a_reload_loads_it)
{
	ck_assert_int_eq(config_add_zone(config, "sub.a.test", "/nonexistent/sub.zone", "test",
		3), 0);
	struct zoneset *first = NULL;
	unsigned failed = 0;
	ck_assert_int_eq(zoneset_build(config, NULL, quiet_log, NULL, &first, &failed), 0);
	ck_assert_uint_eq(failed, 1);
	ck_assert_uint_eq(first->zone_count, 3);
	ck_assert(first->zones[2].failed);
	ck_assert(!first->zones[0].failed && !find(first, "a.test")->load_failed);
	const struct zone *placeholder = find(first, "www.sub.a.test");
	ck_assert(placeholder->load_failed);
	ck_assert(dname_equal(placeholder->origin, testlib_name("sub.a.test")));
	/* Still missing: still a placeholder (a new one), still counted. */
	struct zoneset *second = NULL;
	ck_assert_int_eq(zoneset_build(config, first, quiet_log, NULL, &second, &failed), 0);
	ck_assert_uint_eq(failed, 1);
	ck_assert(find(second, "sub.a.test")->load_failed);
	/* Fixed: the reload loads it. */
	char path[64];
	snprintf(path, sizeof path, "%s/sub.zone", directory);
	write_zone(path, "sub.a.test", 7, 1);
	free(config->zones[2].path);
	config->zones[2].path = strdup(path);
	ck_assert_ptr_nonnull(config->zones[2].path);
	struct zoneset *third = build(second);
	ck_assert(!third->zones[2].failed);
	ck_assert(!find(third, "www.sub.a.test")->load_failed);
	ck_assert_uint_eq(find(third, "sub.a.test")->serial, 7);
	zoneset_free(first);
	zoneset_free(second);
	zoneset_free(third);
	unlink(path);
}
END_TEST

/* A set cancel flag abandons the build: nothing half built is returned. */
START_TEST(cancelled_build_returns_nothing)
{
	static volatile sig_atomic_t cancel = 1;
	struct zoneset *set = (struct zoneset *)1;
	unsigned failed = 0;
	ck_assert_int_eq(zoneset_build(config, NULL, quiet_log, &cancel, &set, &failed),
		ZONED_ECANCELED);
	ck_assert_ptr_null(set);
}
END_TEST

/* A transferred version of one zone: a new set sharing every other zone. */
START_TEST(replace_shares_every_other_zone)
{
	struct zoneset *first = build(NULL);
	const struct zone *a1 = find(first, "a.test");
	const struct zone *b1 = find(first, "b.test");
	static const char text[] = "$ORIGIN a.test.\n$TTL 300\n@ SOA ns1 host 2 2 3 4 5\n"
		"@ NS ns1\nns1 A 192.0.2.1\n";
	struct zone *a2 = NULL;
	ck_assert_int_eq(zone_load_text(text, sizeof text - 1, "a2", testlib_name("a.test"),
		NULL, NULL, &a2), 0);
	struct zoneset *second = NULL;
	ck_assert_int_eq(zoneset_replace(first, testlib_name("a.test"), a2, false, &second), 0);
	ck_assert_ptr_eq(find(second, "a.test"), a2);
	ck_assert_ptr_eq(find(second, "b.test"), b1);
	ck_assert_uint_eq(holders(b1), 2);
	ck_assert_uint_eq(holders(a1), 1);
	ck_assert_uint_eq(second->zone_count, 2);
	ck_assert(!second->zones[0].failed);
	zoneset_free(first);   /* a1 goes, b1 stays with second */
	ck_assert_uint_eq(holders(b1), 1);
	/* Expired: a placeholder answering SERVFAIL. */
	struct zone *placeholder = zone_create(testlib_name("a.test"), 1);
	placeholder->load_failed = true;
	struct zoneset *third = NULL;
	ck_assert_int_eq(zoneset_replace(second, testlib_name("a.test"), placeholder, true,
		&third), 0);
	ck_assert(third->zones[0].failed);
	ck_assert(find(third, "a.test")->load_failed);
	/* No such zone: the zone given is let go (valgrind: no leak). */
	struct zoneset *none = NULL;
	ck_assert_int_eq(zoneset_replace(third, testlib_name("c.test"),
		zone_create(testlib_name("c.test"), 1), false, &none), ZONED_ENOTFOUND);
	ck_assert_ptr_null(none);
	zoneset_free(second);
	zoneset_free(third);
}
END_TEST

/* A secondary zone: no saved copy is no failure; a reload keeps the version served. */
START_TEST(secondary_zone_without_copy_and_across_reloads)
{
	config->zones[0].secondary = true;
	unlink(path_a);
	struct zoneset *first = build(NULL);
	ck_assert(first->zones[0].failed);
	ck_assert(find(first, "a.test")->load_failed);
	write_zone(path_a, "a.test", 7, 5);   /* a saved copy appears: not read on reload */
	struct zoneset *second = build(first);
	ck_assert_ptr_eq(find(second, "a.test"), find(first, "a.test"));
	zoneset_free(first);
	zoneset_free(second);
	/* At startup the copy is served. */
	struct zoneset *third = build(NULL);
	ck_assert_uint_eq(find(third, "a.test")->serial, 7);
	zoneset_free(third);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("zoneset");
	TCase *lifetime = tcase_create("lifetime");
	tcase_add_checked_fixture(lifetime, setup, teardown);
	tcase_add_test(lifetime, held_zone_outlives_every_set);
	tcase_add_test(lifetime, reload_records_the_step_in_the_journal);
	tcase_add_test(lifetime, replace_shares_every_other_zone);
	tcase_add_test(lifetime, secondary_zone_without_copy_and_across_reloads);
	tcase_add_test(lifetime, sets_share_zones_across_two_reloads);
	tcase_add_test(lifetime, failed_reload_keeps_holding_the_old_zone);
	tcase_add_test(lifetime, lowered_max_records_fails_unchanged_zone);
	tcase_add_test(lifetime, cancelled_build_returns_nothing);
	tcase_add_test(lifetime, failed_zone_at_start_is_a_placeholder_until_a_reload_loads_it);
	suite_add_tcase(suite, lifetime);
	return testlib_run(suite);
}
