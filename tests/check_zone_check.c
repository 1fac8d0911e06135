/* check_zone_check.c: the semantic checks, rule by rule and mode by mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zone_check.h"
#include "zoned/zone_load.h"

/* Every finding as "E|W file:line message" lines, for exact assertions. */
static struct testlib_capture capture;
#define CAPTURE_FORMAT "%c %f:%l %m\n"

/* Applies "k=fail m=ignore i=none s=off l=600 ..." to modes. */
static void
modes_apply(struct zone_check_modes *modes, const char *spec)
{
	char copy[256];
	snprintf(copy, sizeof copy, "%s", spec != NULL ? spec : "");
	for (char *item = strtok(copy, " "); item != NULL; item = strtok(NULL, " ")) {
		const char *value = item + 2;
		enum check_mode mode = strcmp(value, "fail") == 0 ? CHECK_FAIL
			: strcmp(value, "ignore") == 0 || strcmp(value, "none") == 0
			? CHECK_IGNORE : CHECK_WARN;
		switch (item[0]) {
		case 'i': modes->integrity = mode; break;
		case 'k': modes->names = mode; break;
		case 'm': modes->mx_address = mode; break;
		case 'M': modes->mx_cname = mode; break;
		case 'n': modes->ns_address = mode; break;
		case 'S': modes->srv_cname = mode; break;
		case 'T': modes->spf = mode; break;
		case 'W': modes->wildcard = mode; break;
		case 's': modes->sibling_glue = strcmp(value, "on") == 0; break;
		case 'l': modes->max_ttl = (uint32_t)strtoul(value, NULL, 10); break;
		default: ck_abort_msg("bad mode spec %s", item);
		}
	}
}

#define HEAD "$TTL 300\n" \
	"@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n" \
	"@ NS ns1\n" \
	"ns1 A 192.0.2.1\n"

/* One rule in one mode: the zone text, then exactly what must be reported. */
struct check_case {
	const char *label;
	const char *text;        /* the whole zone; HEAD gives SOA, NS and ns1 (lines 1-4) */
	const char *modes;
	unsigned long errors;
	unsigned long warnings;
	const char *findings;    /* exact capture text */
};

static const struct check_case cases[] = {
	{ "clean zone", HEAD "www A 192.0.2.2\n", NULL, 0, 0, "" },
	{ "no SOA", "$TTL 300\n@ NS ns1\nns1 A 192.0.2.1\n", NULL, 1, 0,
		"E zone:0 has 0 SOA records\n" },
	{ "no SOA, no NS", "$TTL 300\nns1 A 192.0.2.1\n", NULL, 2, 0,
		"E zone:0 has 0 SOA records\nE zone:0 has no NS records\n" },
	{ "no NS", "$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n", NULL, 1, 0,
		"E zone:0 has no NS records\n" },
	{ "two SOA records", HEAD "@ SOA ns2 hostmaster 2 7200 3600 1209600 300\n", NULL, 1, 0,
		"E zone:0 example.com: multiple RRs of singleton type\n" },
	{ "SOA below the apex", HEAD "sub SOA ns1 hostmaster 1 7200 3600 1209600 300\n", NULL, 1, 0,
		"E t.zone:5 SOA record not at top of zone (sub.example.com)\n" },
	{ "NS at a wildcard", HEAD "* NS ns1\n", "k=ignore", 1, 0,
		"E t.zone:5 *.example.com: invalid NS owner name (wildcard)\n" },
	{ "NS below a wildcard label is fine", HEAD "a.*.w NS ns1\n", "W=ignore", 0, 0, "" },
	{ "apex NS without address", HEAD "@ NS ns2\n", NULL, 1, 0,
		"E zone:0 NS 'ns2.example.com' has no address records (A or AAAA)\n" },
	{ "apex NS without address, -i none", HEAD "@ NS ns2\nns2 TXT x\n", "i=none", 1, 0,
		"E zone:0 NS 'ns2.example.com' has no address records (A or AAAA)\n" },
	{ "apex NS with only AAAA", HEAD "@ NS ns2\nns2 AAAA 2001:db8::2\n", NULL, 0, 0, "" },
	{ "apex NS through a wildcard", HEAD "@ NS ns2\n* A 192.0.2.9\n", NULL, 0, 0, "" },
	{ "apex NS is a CNAME", HEAD "@ NS ns2\nns2 CNAME ns1\n", NULL, 1, 0,
		"E zone:0 NS 'ns2.example.com' is a CNAME (illegal)\n" },
	{ "apex NS below a DNAME", HEAD "@ NS ns.d\nd DNAME example.net.\n", NULL, 1, 0,
		"E zone:0 NS 'ns.d.example.com' is below a DNAME 'd.example.com' (illegal)\n" },
	{ "apex NS is glue below a cut", HEAD "@ NS ns.sub\nsub NS ns.sub\nns.sub A 192.0.2.3\n",
		NULL, 0, 0, "" },
	{ "CNAME and other data", HEAD "www CNAME ns1\nwww TXT x\n", NULL, 1, 0,
		"E zone:0 www.example.com: CNAME and other data\n" },
	{ "CNAME beside RRSIG and NSEC", HEAD "www CNAME ns1\n"
		"www RRSIG CNAME 8 3 300 20300101000000 20240101000000 1 example.com. AQAB\n"
		"www NSEC ns1.example.com. CNAME RRSIG NSEC\n", NULL, 0, 1,
		/* zone_check_denial(): signatures nothing can validate */
		"W zone:0 example.com: RRSIGs but no DNSKEY at the apex: no signature can be validated\n" },
	{ "CNAME at the apex", HEAD "@ CNAME www.example.net.\n", NULL, 1, 0,
		"E zone:0 example.com: CNAME and other data\n" },
	{ "two CNAMEs", HEAD "www CNAME ns1\nwww CNAME ns2\n", NULL, 1, 0,
		"E zone:0 www.example.com: multiple RRs of singleton type\n" },
	{ "MX is a CNAME, -M warn", HEAD "@ MX 10 www\nwww CNAME ns1\n", NULL, 0, 1,
		"W zone:0 example.com/MX 'www.example.com' is a CNAME (illegal)\n" },
	{ "MX is a CNAME, -M fail", HEAD "@ MX 10 www\nwww CNAME ns1\n", "M=fail", 1, 0,
		"E zone:0 example.com/MX 'www.example.com' is a CNAME (illegal)\n" },
	{ "MX is a CNAME, -M ignore", HEAD "@ MX 10 www\nwww CNAME ns1\n", "M=ignore", 0, 0, "" },
	{ "MX is a CNAME, -i none", HEAD "@ MX 10 www\nwww CNAME ns1\n", "i=none M=fail", 0, 0, "" },
	{ "SRV is a CNAME, -S fail", HEAD "_s._tcp SRV 0 0 1 www\nwww CNAME ns1\n", "S=fail", 1, 0,
		"E zone:0 _s._tcp.example.com/SRV 'www.example.com' is a CNAME (illegal)\n" },
	{ "SRV is a CNAME, -S ignore", HEAD "_s._tcp SRV 0 0 1 www\nwww CNAME ns1\n", "S=ignore",
		0, 0, "" },
	{ "MX below a DNAME follows -M", HEAD "@ MX 10 x.d\nd DNAME example.net.\n", "M=fail", 1, 0,
		"E zone:0 example.com/MX 'x.d.example.com' is below a DNAME 'd.example.com' (illegal)\n" },
	{ "MX without address", HEAD "@ MX 10 mail\n", NULL, 0, 1,
		"W zone:0 example.com/MX 'mail.example.com' has no address records (A or AAAA)\n" },
	{ "MX without address, -m fail", HEAD "@ MX 10 mail\n", "m=fail", 1, 0,
		"E zone:0 example.com/MX 'mail.example.com' has no address records (A or AAAA)\n" },
	{ "SRV without address never fails", HEAD "_s._tcp SRV 0 0 1 nothere\n", "S=fail", 0, 1,
		"W zone:0 _s._tcp.example.com/SRV 'nothere.example.com' has no address records (A or AAAA)\n" },
	{ "null MX and external MX", HEAD "@ MX 0 .\n@ MX 10 mx.example.net.\n", "m=fail", 0, 0, "" },
	{ "MX is an address, -m warn", HEAD "@ MX 10 192.0.2.1.\n", NULL, 0, 1,
		"W t.zone:5 warning: '192.0.2.1.': MX is an address\n" },
	{ "MX is a relative address, -m fail", HEAD "@ MX 10 192.0.2.1\n", "m=fail", 1, 0,
		"E t.zone:5 near '192.0.2.1': MX is an address\n" },
	{ "MX is an address, -m ignore", HEAD "@ MX 10 192.0.2.1.\n", "m=ignore", 0, 0, "" },
	{ "NS is an address, -n warn", HEAD "sub NS 192.0.2.7.\n", NULL, 0, 1,
		"W t.zone:5 NS record '192.0.2.7.' appears to be an address\n" },
	{ "NS is an address, -n fail", HEAD "sub NS 192.0.2.7.\n", "n=fail", 1, 0,
		"E t.zone:5 NS record '192.0.2.7.' appears to be an address\n" },
	{ "NS is an IPv6 address", HEAD "sub NS 2001:db8::1.\n", "k=ignore", 0, 1,
		"W t.zone:5 NS record '2001:db8::1.' appears to be an address\n" },
	{ "check-names owner, -k warn", HEAD "a_b A 192.0.2.2\n-x AAAA ::1\nx- MX 1 ns1\n", NULL, 0, 3,
		"W t.zone:5 a_b.example.com: bad owner name (check-names)\n"
		"W t.zone:6 -x.example.com: bad owner name (check-names)\n"
		"W t.zone:7 x-.example.com: bad owner name (check-names)\n" },
	{ "check-names owner, -k fail", HEAD "a_b A 192.0.2.2\n", "k=fail", 1, 0,
		"E t.zone:5 a_b.example.com: bad owner name (check-names)\n" },
	{ "check-names owner, -k ignore", HEAD "a_b A 192.0.2.2\n", "k=ignore", 0, 0, "" },
	{ "check-names allows these owners", HEAD "*.w A 192.0.2.2\na--b A 192.0.2.2\n"
		"1a A 192.0.2.2\na_b TXT x\n_s._tcp SRV 0 0 1 ns1\n", "k=fail", 0, 0, "" },
	{ "check-names on targets", HEAD "@ MX 10 m_x.example.net.\nsub NS n_s.example.net.\n"
		"_s._tcp SRV 0 0 1 s_v.example.net.\nr RT 1 r_t.example.net.\n"
		"k KX 1 k_x.example.net.\n", NULL, 0, 4,
		"W t.zone:5 warning: m_x.example.net: bad name (check-names)\n"
		"W t.zone:6 warning: n_s.example.net: bad name (check-names)\n"
		"W t.zone:7 warning: s_v.example.net: bad name (check-names)\n"
		"W t.zone:8 warning: r_t.example.net: bad name (check-names)\n" },
	{ "check-names on a target, -k fail", HEAD "@ MX 10 m_x.example.net.\n", "k=fail", 1, 0,
		"E t.zone:5 near 'm_x.example.net.': bad name (check-names)\n" },
	{ "check-names on an in-zone target, -k fail", HEAD "@ MX 10 m_x\nm_x A 192.0.2.5\n",
		"k=fail", 2, 0, "E t.zone:5 near 'm_x': bad name (check-names)\n"
		"E t.zone:6 m_x.example.com: bad owner name (check-names)\n" },
	{ "check-names mailboxes", HEAD "rp RP any_thing.example.com. t_x.example.com.\n"
		"rp2 RP a.b_c.example.com. .\nmi MINFO a.b_c.example.com. x_.\n", NULL, 0, 2,
		"W t.zone:6 warning: a.b_c.example.com: bad name (check-names)\n"
		"W t.zone:7 warning: a.b_c.example.com: bad name (check-names)\n" },
	{ "non-terminal wildcard", HEAD "a.*.w TXT x\n", NULL, 0, 1,
		"W t.zone:5 warning: ownername 'a.*.w.example.com' contains an non-terminal wildcard\n" },
	{ "non-terminal wildcard, -W ignore", HEAD "a.*.w TXT x\n", "W=ignore", 0, 0, "" },
	{ "delegation without glue", HEAD "sub NS ns.sub\n", NULL, 0, 1,
		"W zone:0 sub.example.com/NS 'ns.sub.example.com' has no REQUIRED GLUE address records (A or AAAA)\n" },
	{ "delegation with AAAA glue", HEAD "sub NS ns.sub\nns.sub AAAA 2001:db8::5\n", NULL, 0, 0, "" },
	{ "sibling glue", HEAD "sub NS ns.other\nother NS ns1.example.net.\n", NULL, 0, 1,
		"W zone:0 sub.example.com/NS 'ns.other.example.com' has no SIBLING GLUE address records (A or AAAA)\n" },
	{ "sibling glue, -i local-sibling", HEAD "sub NS ns.other\nother NS ns1.example.net.\n",
		"s=off", 0, 0, "" },
	{ "delegation to an in-zone alias", HEAD "sub NS alias\nalias CNAME ns1\n", NULL, 0, 1,
		"W zone:0 sub.example.com/NS 'alias.example.com' is a CNAME (illegal)\n" },
	{ "delegation to a missing in-zone name", HEAD "sub NS gone\n", NULL, 0, 1,
		"W zone:0 sub.example.com/NS 'gone.example.com' has no address records (A or AAAA)\n" },
	{ "MX and SRV below a cut are not checked", HEAD "sub NS ns1\nx.sub MX 10 nothere\n"
		"@ MX 10 deep.sub\n", NULL, 0, 0, "" },
	{ "SPF without TXT", HEAD "m SPF \"v=spf1 -all\"\n", NULL, 0, 1,
		"W zone:0 'm.example.com' found type SPF record but no SPF TXT record found, add matching type TXT record\n" },
	{ "SPF with a split TXT", HEAD "m SPF \"v=spf1 -all\"\nm TXT \"v=spf\" \"1 -all\"\n",
		NULL, 0, 0, "" },
	{ "SPF, -T ignore", HEAD "m SPF \"v=spf1 -all\"\n", "T=ignore", 0, 0, "" },
	{ "NSEC3 owner that is no hash fails even with -k warn",
		HEAD "nothash NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A\n", NULL, 1, 0,
		"E t.zone:5 nothash.example.com: bad owner name (check-names)\n" },
	{ "NSEC3 owner with stray bits", HEAD "0123 NSEC3 1 0 0 - 0123456789abcdefghijklmnopqrstuv A\n",
		NULL, 1, 0, "E t.zone:5 0123.example.com: bad owner name (check-names)\n" },
	{ "NSEC3 owner hashes", HEAD "0123456789ABCDEFGHIJKLMNOPQRSTUV NSEC3 1 0 0 - 01234567 A\n"
		"0120 NSEC3 1 0 0 - 01234567 A\n", NULL, 0, 0, "" },
	{ "NSEC3 owner, -k ignore", HEAD "nothash NSEC3 1 0 0 - 01234567 A\n", "k=ignore", 0, 0, "" },
	{ "TTL above -l", HEAD "big 600 A 192.0.2.2\nok 400 A 192.0.2.3\n", "l=500", 1, 1,
		"W t.zone:5 TTL 600 exceeds configured max-zone-ttl 500\n"
		"E t.zone:5 out of range\n" },
	{ "TTL at -l", HEAD "ok 500 A 192.0.2.3\n", "l=500", 0, 0, "" },
	{ "reverse PTR target", "$TTL 300\n@ SOA ns1.example.com. h.example.com. 1 2 3 4 5\n"
		"@ NS ns1.example.com.\n1 PTR bad_host.example.com.\n2 PTR a.b.\n", NULL, 0, 1,
		"W t.zone:4 warning: bad_host.example.com: bad name (check-names)\n" },
};

START_TEST(test_check_case)
{
	const struct check_case *c = &cases[_i];
	struct diag d = testlib_capture_start(&capture, CAPTURE_FORMAT, "zone");
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes_apply(&modes, c->modes);
	const char *origin = strstr(c->text, "PTR") != NULL ? "2.0.192.in-addr.arpa" : "example.com";
	struct zone_load_options options = { .modes = &modes };
	struct zone *zone = NULL;
	int status = zone_load_text(c->text, strlen(c->text), "t.zone", testlib_name(origin),
		&options, &d, &zone);
	ck_assert_msg(strcmp(capture.text, c->findings) == 0, "%s: findings\n%s\nexpected\n%s",
		c->label, capture.text, c->findings);
	ck_assert_msg(d.errors == c->errors, "%s: %lu errors", c->label, d.errors);
	ck_assert_msg(d.warnings == c->warnings, "%s: %lu warnings", c->label, d.warnings);
	ck_assert_msg((status == 0) == (c->errors == 0), "%s: status %d", c->label, status);
	ck_assert_msg((zone != NULL) == (c->errors == 0), "%s: zone", c->label);
	zone_free(zone);
}
END_TEST

START_TEST(test_modes_default)
{
	struct zone_check_modes modes;
	memset(&modes, 0xff, sizeof modes);
	zone_check_modes_default(&modes);
	/* named-checkzone: -i full -k warn -m warn -M warn -n warn -r warn -S warn -T warn -W warn */
	ck_assert_int_eq(modes.integrity, CHECK_WARN);
	ck_assert_int_eq(modes.names, CHECK_WARN);
	ck_assert_int_eq(modes.mx_address, CHECK_WARN);
	ck_assert_int_eq(modes.mx_cname, CHECK_WARN);
	ck_assert_int_eq(modes.ns_address, CHECK_WARN);
	ck_assert_int_eq(modes.dnssec, CHECK_WARN);
	ck_assert_int_eq(modes.srv_cname, CHECK_WARN);
	ck_assert_int_eq(modes.spf, CHECK_WARN);
	ck_assert_int_eq(modes.wildcard, CHECK_WARN);
	ck_assert_uint_eq(modes.max_ttl, 0);
	ck_assert(modes.sibling_glue);
}
END_TEST

/* zone_check_record on its own, with no loader: a record built by hand; NULL modes. */
START_TEST(test_record_by_hand)
{
	const uint8_t *owner = testlib_name("bad_name.example.com");
	struct zone *zone = zone_create(testlib_name("example.com"), 1);
	ck_assert_ptr_nonnull(zone);
	const uint8_t address[4] = { 192, 0, 2, 1 };
	struct zone_record record = { .owner = owner, .type = 1, .rr_class = 1, .ttl = 300,
		.rdata = address, .rdata_length = 4, .file = "hand", .line = 7 };
	struct diag d = testlib_capture_start(&capture, CAPTURE_FORMAT, "zone");
	ck_assert_uint_eq(zone_check_record(zone, &record, NULL, &d), 0);
	ck_assert_str_eq(capture.text, "W hand:7 bad_name.example.com: bad owner name (check-names)\n");
	record.type = 16;  /* TXT owners are not host names */
	testlib_capture_clear(&capture);
	ck_assert_uint_eq(zone_check_record(zone, &record, NULL, &d), 0);
	ck_assert_str_eq(capture.text, "");
	/* A finding with no sink is still counted. */
	record.type = 1;
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes.names = CHECK_FAIL;
	struct diag counter = { 0 };
	ck_assert_uint_eq(zone_check_record(zone, &record, &modes, &counter), 1);
	ck_assert_uint_eq(counter.errors, 1);
	/* An SOA below the apex is misplaced; one outside the zone is only dropped later. */
	const uint8_t soa[22] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	uint8_t elsewhere[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("example.net", elsewhere), 0);
	struct zone_record soa_record = { .owner = elsewhere, .type = 6, .rr_class = 1,
		.ttl = 300, .rdata = soa, .rdata_length = sizeof soa, .file = "hand", .line = 9 };
	testlib_capture_clear(&capture);
	ck_assert_uint_eq(zone_check_record(zone, &soa_record, NULL, &d), 0);
	ck_assert_str_eq(capture.text, "");
	ck_assert_int_gt(dname_from_text("sub.example.com", elsewhere), 0);
	ck_assert_uint_eq(zone_check_record(zone, &soa_record, NULL, &d), 1);
	ck_assert_str_eq(capture.text, "E hand:9 SOA record not at top of zone (sub.example.com)\n");
	zone_free(zone);
}
END_TEST

static Suite *
zone_check_suite(void)
{
	Suite *suite = suite_create("zone_check");
	TCase *rules = tcase_create("rules");
	tcase_add_test(rules, test_modes_default);
	tcase_add_test(rules, test_record_by_hand);
	tcase_add_loop_test(rules, test_check_case, 0, (int)(sizeof cases / sizeof cases[0]));
	suite_add_tcase(suite, rules);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_check_suite());
}
