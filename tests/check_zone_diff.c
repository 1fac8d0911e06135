/*
 * check_zone_diff.c: the difference between two versions of a zone, case
 * by case (old text, new text, the records deleted and added as ldns
 * prints them), and a large zone to show the walk stays linear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ldns/ldns.h>

#include "testlib.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_diff.h"

#define HEAD "$ORIGIN example.\n$TTL 300\n@ SOA ns1 host %u 2 3 4 5\n@ NS ns1\n" \
	"ns1 A 192.0.2.1\n"

struct diff_case {
	const char *name;
	const char *old_body;     /* after HEAD with serial 1 */
	const char *new_body;     /* after HEAD with serial 2 */
	const char *expected;     /* "-record\n" deleted, "+record\n" added, in emitted order */
};

static const struct diff_case cases[] = {
	{ "no change", "www A 192.0.2.2\n", "www A 192.0.2.2\n", "" },
	{ "added name", "", "www A 192.0.2.2\n",
		"+www.example. 300 IN A 192.0.2.2\n" },
	{ "removed name", "www A 192.0.2.2\nzzz TXT \"x\"\n", "zzz TXT \"x\"\n",
		"-www.example. 300 IN A 192.0.2.2\n" },
	{ "changed TTL", "www 300 A 192.0.2.2\nwww 300 A 192.0.2.3\n",
		"www 600 A 192.0.2.2\nwww 600 A 192.0.2.3\n",
		"-www.example. 300 IN A 192.0.2.2\n-www.example. 300 IN A 192.0.2.3\n"
		"+www.example. 600 IN A 192.0.2.2\n+www.example. 600 IN A 192.0.2.3\n" },
	{ "changed rdata in a multi-record RRset",
		"@ MX 10 a\n@ MX 20 b\n@ MX 30 c\n", "@ MX 10 a\n@ MX 25 b\n@ MX 30 c\n",
		"-example. 300 IN MX 20 b.example.\n+example. 300 IN MX 25 b.example.\n" },
	{ "type added and removed at one name", "www A 192.0.2.2\n",
		"www AAAA 2001:db8::2\n",
		"-www.example. 300 IN A 192.0.2.2\n+www.example. 300 IN AAAA 2001:db8::2\n" },
	{ "deep name (empty non-terminals appear)", "",
		"a.b.c A 192.0.2.9\n", "+a.b.c.example. 300 IN A 192.0.2.9\n" },
	{ "canonical order across names", "b A 192.0.2.2\nd A 192.0.2.4\n",
		"a A 192.0.2.1\nc A 192.0.2.3\nd A 192.0.2.4\n",
		"+a.example. 300 IN A 192.0.2.1\n-b.example. 300 IN A 192.0.2.2\n"
		"+c.example. 300 IN A 192.0.2.3\n" },
	{ "DNSSEC records: RRSIG replaced, NSEC3 owner added",
		"www A 192.0.2.2\n"
		"www RRSIG A 8 2 300 20300101000000 20200101000000 12345 example. AAAA\n",
		"www A 192.0.2.2\n"
		"www RRSIG A 8 2 300 20310101000000 20200101000000 12345 example. AAAA\n"
		"2vptu5timamqttgl4luu9kg21e0aor3s NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3t A\n",
		"-www.example. 300 IN RRSIG A 8 2 300 20300101000000 20200101000000 12345 "
		"example. AAAA\n"
		"+www.example. 300 IN RRSIG A 8 2 300 20310101000000 20200101000000 12345 "
		"example. AAAA\n"
		/* (ldns prints NSEC3 so: two spaces, a space at the end) */
		"+2vptu5timamqttgl4luu9kg21e0aor3s.example. 300 IN NSEC3 1 0 0 -  "
		"2vptu5timamqttgl4luu9kg21e0aor3t A \n" },
	{ "only the SOA changed", "www A 192.0.2.2\n", "www A 192.0.2.2\n", "" },
};

/* Appends "<sign><record as ldns prints it>\n" with single spaces. */
static int
on_record(void *arg, enum zone_diff_side side, const struct zone_diff_record *record)
{
	char *out = arg;
	uint8_t wire[DNAME_MAX_LENGTH + 10 + 65535];
	size_t owner_length = dname_length(record->owner);
	memcpy(wire, record->owner, owner_length);
	uint8_t *at = wire + owner_length;
	at[0] = (uint8_t)(record->type >> 8);
	at[1] = (uint8_t)record->type;
	at[2] = 0;
	at[3] = 1;
	at[4] = (uint8_t)(record->ttl >> 24);
	at[5] = (uint8_t)(record->ttl >> 16);
	at[6] = (uint8_t)(record->ttl >> 8);
	at[7] = (uint8_t)record->ttl;
	at[8] = (uint8_t)(record->rdata_length >> 8);
	at[9] = (uint8_t)record->rdata_length;
	memcpy(at + 10, record->rdata, record->rdata_length);
	ldns_rr *rr = NULL;
	size_t position = 0;
	ck_assert_int_eq(ldns_wire2rr(&rr, wire, owner_length + 10 + record->rdata_length,
		&position, LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
	char *text = ldns_rr2str(rr);
	ldns_rr_free(rr);
	size_t length = strlen(out);
	out[length++] = side == ZONE_DIFF_DELETED ? '-' : '+';
	for (const char *c = text; *c != '\0'; c++)
		out[length++] = *c == '\t' ? ' ' : *c;
	out[length] = '\0';
	free(text);
	return 0;
}

static struct zone *
case_zone(unsigned serial, const char *body)
{
	char text[4096];
	int n = snprintf(text, sizeof text, HEAD, serial);
	snprintf(text + n, sizeof text - (size_t)n, "%s", body);
	return testlib_zone_from_text("example.", text, "case", NULL, NULL);
}

START_TEST(test_diff_cases)
{
	const struct diff_case *c = &cases[_i];
	struct zone *old = case_zone(1, c->old_body);
	struct zone *new = case_zone(2, c->new_body);
	static char out[65536];
	out[0] = '\0';
	ck_assert_int_eq(zone_diff_walk(old, new, on_record, out), 0);
	ck_assert_msg(strcmp(out, c->expected) == 0, "%s: got\n%sexpected\n%s", c->name, out,
		c->expected);
	/* Backwards, the same records change sides. */
	struct zone_diff_count forward = zone_diff_count(old, new);
	struct zone_diff_count backward = zone_diff_count(new, old);
	ck_assert_uint_eq(forward.deleted, backward.added);
	ck_assert_uint_eq(forward.added, backward.deleted);
	/* A version against itself: nothing. */
	struct zone_diff_count same = zone_diff_count(new, new);
	ck_assert_uint_eq(same.deleted + same.added, 0);
	zone_free(old);
	zone_free(new);
}
END_TEST

static int
on_stop(void *arg, enum zone_diff_side side, const struct zone_diff_record *record)
{
	int *seen = arg;
	return ++*seen == 2 ? 42 : 0;
}

START_TEST(test_diff_stops)
{
	struct zone *old = case_zone(1, "");
	struct zone *new = case_zone(2, "a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n");
	int seen = 0;
	ck_assert_int_eq(zone_diff_walk(old, new, on_stop, &seen), 42);
	ck_assert_int_eq(seen, 2);
	zone_free(old);
	zone_free(new);
}
END_TEST

/* A zone of hosts names, host i changed when i % change_every == 1. */
static struct zone *
large_zone(unsigned serial, unsigned hosts, unsigned change_every)
{
	size_t size = 256 + (size_t)hosts * 40;
	char *text = malloc(size);
	ck_assert_ptr_nonnull(text);
	size_t n = (size_t)snprintf(text, size, HEAD, serial);
	for (unsigned i = 0; i < hosts; i++) {
		unsigned last = change_every != 0 && i % change_every == 1 ? 99 : i % 250 + 2;
		n += (size_t)snprintf(text + n, size - n, "h%u A 192.0.%u.%u\n", i, i / 250 % 250,
			last);
	}
	struct zone *zone = testlib_zone_from_text("example.", text, "large", NULL, NULL);
	free(text);
	return zone;
}

START_TEST(test_diff_large_is_linear)
{
	enum { HOSTS = 100000 };
	struct zone *old = large_zone(1, HOSTS, 0);
	struct zone *new = large_zone(2, HOSTS, 1000);
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct zone_diff_count count = zone_diff_count(old, new);
	clock_gettime(CLOCK_MONOTONIC, &end);
	ck_assert_uint_eq(count.deleted, HOSTS / 1000);
	ck_assert_uint_eq(count.added, HOSTS / 1000);
	double seconds = (double)(end.tv_sec - start.tv_sec)
		+ (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	/* About 10 ms here; a quadratic walk would take minutes. */
	ck_assert_msg(seconds < 1.0, "diff of %d names took %.3f s", HOSTS, seconds);
	ck_assert_uint_gt(zone_diff_wire_size(new), (uint64_t)HOSTS * 20);
	zone_free(old);
	zone_free(new);
}
END_TEST

START_TEST(test_wire_size)
{
	/* Owner, 10 octets, rdata: example. is 9 octets, ns1.example. 13, host.example. 14. */
	struct zone *zone = case_zone(1, "");
	uint64_t soa = 9 + 10 + 13 + 14 + 20, ns = 9 + 10 + 13, a = 13 + 10 + 4;
	ck_assert_uint_eq(zone_diff_wire_size(zone), soa + ns + a);
	zone_free(zone);
}
END_TEST

static Suite *
zone_diff_suite(void)
{
	Suite *suite = suite_create("zone_diff");
	TCase *tc = tcase_create("diff");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_diff_cases, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_diff_stops);
	tcase_add_test(tc, test_diff_large_is_linear);
	tcase_add_test(tc, test_wire_size);
	suite_add_tcase(suite, tc);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_diff_suite());
}
