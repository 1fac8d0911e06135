/* check_zone_dump.c: the zone printer: named-checkzone -D's layout byte for byte, and round trips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/nametree.h"
#include "zoned/zone_dump.h"

#define HEAD "$TTL 300\n" \
	"@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n" \
	"@ NS ns1\n" \
	"ns1 A 192.0.2.1\n"

/* Loads text as example.com with default modes; the zone must load. */
static struct zone *
load_zone(const char *text)
{
	return testlib_zone_from_text("example.com", text, "t.zone", NULL, NULL);
}

static char *
dump_zone(const struct zone *zone, enum zone_dump_style style)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(zone_dump_write(zone, style, out), 0);
	fclose(out);
	return text;
}

START_TEST(test_dump_full)
{
	struct zone *zone = load_zone(HEAD "www A 192.0.2.2\n@ MX 10 www\n"
		"a RRSIG A 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"a A 192.0.2.3\na RRSIG NS 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"averyveryveryverylonglabelnameforthetest 0 TXT \"x y\"\n"
		"u TYPE65432 \\# 3 010203\n");
	char *text = dump_zone(zone, ZONE_DUMP_FULL);
	/* Byte for byte what named-checkzone -D printed for this zone (less its resign comments). */
	ck_assert_str_eq(text,
		"example.com.\t\t\t\t      300 IN SOA\tns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300\n"
		"example.com.\t\t\t\t      300 IN NS\t\tns1.example.com.\n"
		"example.com.\t\t\t\t      300 IN MX\t\t10 www.example.com.\n"
		"a.example.com.\t\t\t\t      300 IN RRSIG\tNS 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"a.example.com.\t\t\t\t      300 IN A\t\t192.0.2.3\n"
		"a.example.com.\t\t\t\t      300 IN RRSIG\tA 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"averyveryveryverylonglabelnameforthetest.example.com. 0\tIN TXT\t\"x y\"\n"
		"ns1.example.com.\t\t\t      300 IN A\t\t192.0.2.1\n"
		"u.example.com.\t\t\t\t      300 IN TYPE65432\t\\# 3 010203\n"
		"www.example.com.\t\t\t      300 IN A\t\t192.0.2.2\n");
	free(text);
	zone_free(zone);
}
END_TEST

START_TEST(test_dump_round_trip)
{
	struct zone *zone = load_zone(HEAD "www A 192.0.2.2\nwww AAAA 2001:db8::2\n"
		"t TXT \"a\\\"b\" \"c d\"\nsub NS ns.sub\nns.sub A 192.0.2.9\n"
		"_s._tcp SRV 0 5 5060 www\nn NSEC www.example.com. A NSEC\n");
	for (int style = ZONE_DUMP_FULL; style <= ZONE_DUMP_RELATIVE; style++) {
		char *first = dump_zone(zone, style);
		struct zone *again = load_zone(first);
		char *second = dump_zone(again, style);
		ck_assert_str_eq(first, second);
		ck_assert_uint_eq(again->record_count, zone->record_count);
		free(second);
		free(first);
		zone_free(again);
	}
	char *relative = dump_zone(zone, ZONE_DUMP_RELATIVE);
	ck_assert_msg(strncmp(relative, "$ORIGIN example.com.\n@\t", 23) == 0, "%s", relative);
	ck_assert_ptr_nonnull(strstr(relative, "\nns.sub\t"));
	free(relative);
	zone_free(zone);
}
END_TEST

START_TEST(test_dump_nsec3_after_names)
{
	/* NSEC3 owners are kept apart (RFC 5155 7.1): named-checkzone -D prints them last. */
	struct zone *zone = load_zone(HEAD "www A 192.0.2.2\n"
		"0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM NSEC3 1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A\n"
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom RRSIG NSEC3 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom TXT \"beside\"\n");
	char *text = dump_zone(zone, ZONE_DUMP_FULL);
	const char *txt = strstr(text, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.com. 300 IN TXT");
	const char *www = strstr(text, "\nwww.example.com.");
	const char *nsec3 = strstr(text, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.com. 300 IN NSEC3");
	const char *rrsig = strstr(text, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.com. 300 IN RRSIG\tNSEC3");
	ck_assert_msg(txt != NULL && www != NULL && nsec3 != NULL && rrsig != NULL, "%s", text);
	ck_assert_msg(txt < www && www < nsec3 && nsec3 < rrsig, "%s", text);
	struct zone *again = load_zone(text);
	ck_assert_uint_eq(again->record_count, zone->record_count);
	ck_assert_uint_eq(again->nsec3_count, 1);
	zone_free(again);
	free(text);
	zone_free(zone);
}
END_TEST

static Suite *
zone_dump_suite(void)
{
	Suite *suite = suite_create("zone_dump");
	TCase *dump = tcase_create("dump");
	tcase_add_test(dump, test_dump_full);
	tcase_add_test(dump, test_dump_round_trip);
	tcase_add_test(dump, test_dump_nsec3_after_names);
	suite_add_tcase(suite, dump);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_dump_suite());
}
