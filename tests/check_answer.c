/* check_answer.c: answer_query() end to end on wire bytes: every rule, every FORMERR class. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "testlib.h"
#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/answer_stream.h"
#include "zoned/cookie.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

/* The tables below leave trailing fields out on purpose: zero means "default". */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#ifndef ANSWER_FIXTURES
#define ANSWER_FIXTURES "tests/fixtures/answer"
#endif

/* ---- fixture zones ---- */

/* Loads a fixture zone with the server's own loader. */
static struct zone *
fixture_load_zone(const char *file_name, const char *origin_text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", ANSWER_FIXTURES, file_name);
	return testlib_zone_from_file(origin_text, path, NULL, NULL);
}

static struct zonedb *test_db;

static void
setup_zones(void)
{
	test_db = zonedb_create();
	ck_assert_ptr_nonnull(test_db);
	ck_assert_int_eq(zonedb_add(test_db, fixture_load_zone("example.com.zone", "example.com.")), 0);
	ck_assert_int_eq(
		zonedb_add(test_db, fixture_load_zone("child.example.com.zone", "child.example.com.")), 0);
	ck_assert_int_eq(zonedb_add(test_db, fixture_load_zone("signed.test.zone", "signed.test.")), 0);
	/* Signed once by tests/fixtures/dnssec/sign.sh: NSEC, NSEC3, NSEC3 with opt-out. */
	ck_assert_int_eq(zonedb_add(test_db, fixture_load_zone("../dnssec/nsec.test.zone", "nsec.test.")), 0);
	ck_assert_int_eq(zonedb_add(test_db, fixture_load_zone("../dnssec/nsec3.test.zone", "nsec3.test.")), 0);
	ck_assert_int_eq(
		zonedb_add(test_db, fixture_load_zone("../dnssec/optout.test.zone", "optout.test.")), 0);
	ck_assert_int_eq(zonedb_add(test_db, fixture_load_zone("../dnssec/iter.test.zone", "iter.test.")), 0);
}

static void
teardown_zones(void)
{
	zonedb_free(test_db);
	test_db = NULL;
}

/* ---- queries ---- */

enum query_option {
	Q_RD = 1 << 0,
	Q_CD = 1 << 1,
	Q_EDNS = 1 << 2,     /* add an OPT record (size 4096 unless edns_size) */
	Q_DO = 1 << 3,       /* implies Q_EDNS */
	Q_NSID = 1 << 4,     /* implies Q_EDNS */
	Q_TCP = 1 << 5,
	Q_UNKNOWN_OPTION = 1 << 6,  /* an EDNS option nobody knows (implies Q_EDNS) */
};

struct query_spec {
	const char *name;
	uint16_t type;
	uint16_t rr_class;       /* 0: IN */
	unsigned options;
	uint16_t edns_size;
};

static size_t
put_u16(uint8_t *at, uint16_t value)
{
	at[0] = (uint8_t)(value >> 8);
	at[1] = (uint8_t)value;
	return 2;
}

/* Builds the query bytes for spec into packet; returns the length. */
static size_t
build_query(const struct query_spec *spec, uint8_t *packet)
{
	size_t length = 0;
	unsigned options = spec->options;
	if (options & (Q_DO | Q_NSID | Q_UNKNOWN_OPTION))
		options |= Q_EDNS;
	length += put_u16(packet + length, 0xbeef);
	packet[length++] = (options & Q_RD) ? 0x01 : 0x00;
	packet[length++] = (options & Q_CD) ? 0x10 : 0x00;
	length += put_u16(packet + length, 1);
	length += put_u16(packet + length, 0);
	length += put_u16(packet + length, 0);
	length += put_u16(packet + length, (options & Q_EDNS) ? 1 : 0);
	int name_length = dname_from_text(spec->name, packet + length);
	ck_assert_int_gt(name_length, 0);
	length += (size_t)name_length;
	length += put_u16(packet + length, spec->type);
	length += put_u16(packet + length, spec->rr_class != 0 ? spec->rr_class : LDNS_RR_CLASS_IN);
	if (options & Q_EDNS) {
		packet[length++] = 0;
		length += put_u16(packet + length, LDNS_RR_TYPE_OPT);
		length += put_u16(packet + length, spec->edns_size != 0 ? spec->edns_size : 4096);
		length += put_u16(packet + length, 0);  /* extended rcode, version */
		length += put_u16(packet + length, (options & Q_DO) ? 0x8000 : 0);
		size_t rdlength_at = length;
		length += 2;
		if (options & Q_UNKNOWN_OPTION) {
			length += put_u16(packet + length, 65001);
			length += put_u16(packet + length, 3);
			memcpy(packet + length, "abc", 3);
			length += 3;
		}
		if (options & Q_NSID) {
			length += put_u16(packet + length, 3);
			length += put_u16(packet + length, 0);
		}
		put_u16(packet + rdlength_at, (uint16_t)(length - rdlength_at - 2));
	}
	return length;
}

/* ---- responses ---- */

static const struct answer_settings test_settings = {
	.edns_size = 1232,
	.version = "zoned test",
	.identity = "test-host",
	.hostname = "host-b",
	.nsid = (const uint8_t *)"ns-a",
	.nsid_length = 4,
};

static uint8_t response[65535];

static size_t
ask(const struct answer_settings *settings, const struct query_spec *spec)
{
	uint8_t packet[600];
	size_t length = build_query(spec, packet);
	enum answer_transport transport = (spec->options & Q_TCP) ? ANSWER_TCP : ANSWER_UDP;
	struct answer_request request = {
		.query = packet,
		.query_length = length,
		.transport = transport,
	};
	return answer_query(test_db, settings, &request,
		response, sizeof response, NULL);
}

static unsigned
header_u16(size_t offset)
{
	return (unsigned)(response[offset] << 8 | response[offset + 1]);
}

/* The header flags as dig prints them, in header order. */
static void
header_flags(char *out, size_t size)
{
	snprintf(out, size, "%s%s%s%s%s%s%s", (response[2] & 0x80) ? "qr " : "",
		(response[2] & 0x04) ? "aa " : "", (response[2] & 0x02) ? "tc " : "",
		(response[2] & 0x01) ? "rd " : "", (response[3] & 0x80) ? "ra " : "",
		(response[3] & 0x20) ? "ad " : "", (response[3] & 0x10) ? "cd " : "");
	size_t length = strlen(out);
	if (length > 0)
		out[length - 1] = '\0';
}

/* Rewrites one record as ldns prints it into the line a table compares (size octets at out). */
typedef void record_format(char *record, char *out, size_t size);

/* The records of a section, one line each as format writes it (free() the result). */
static char *
section_lines(const ldns_rr_list *list, record_format *format)
{
	size_t capacity = 16384;
	char *text = calloc(1, capacity);
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		char *record = ldns_rr2str(ldns_rr_list_rr(list, i));
		char line[4096];
		format(record, line, sizeof line);
		size_t used = strlen(text);
		snprintf(text + used, capacity - used, "%s%s", used > 0 ? "\n" : "", line);
		free(record);
	}
	return text;
}

/* The whole record, fields separated by single spaces. */
static void
record_full(char *record, char *out, size_t size)
{
	for (char *c = record; *c != '\0'; c++) {
		if (*c == '\t')
			*c = ' ';
	}
	size_t length = strlen(record);
	while (length > 0 && record[length - 1] == '\n')
		record[--length] = '\0';
	snprintf(out, size, "%s", record);
}

/* One line per record, fields separated by single spaces. */
static char *
section_text(const ldns_rr_list *list)
{
	return section_lines(list, record_full);
}

/*
 * Walks the name at *offset, checking that every compression pointer goes
 * backwards (RFC 1035 4.1.4 points to a prior occurrence), and moves
 * *offset past it.
 */
static void
walk_name(const char *what, size_t length, size_t *offset)
{
	size_t at = *offset;
	bool jumped = false;
	for (unsigned steps = 0; steps < 256; steps++) {
		ck_assert_msg(at < length, "%s: name runs past the end", what);
		uint8_t label = response[at];
		if ((label & 0xc0) == 0xc0) {
			size_t target = (size_t)(label & 0x3f) << 8 | response[at + 1];
			ck_assert_msg(target < at, "%s: pointer at %zu points forward to %zu", what, at,
				target);
			if (!jumped)
				*offset = at + 2;
			jumped = true;
			at = target;
			continue;
		}
		if (label == 0) {
			if (!jumped)
				*offset = at + 1;
			return;
		}
		at += (size_t)label + 1;
	}
	ck_abort_msg("%s: name too long", what);
}

/* Checks every name of the response: owners, and names in RFC 1035 rdata. */
static void
check_pointers(const char *what, size_t length)
{
	size_t offset = 12;
	unsigned records = header_u16(6) + header_u16(8) + header_u16(10);
	if (header_u16(4) == 1) {
		walk_name(what, length, &offset);
		offset += 4;
	}
	for (unsigned i = 0; i < records; i++) {
		walk_name(what, length, &offset);
		unsigned type = (unsigned)(response[offset] << 8 | response[offset + 1]);
		size_t rdlength = (size_t)(response[offset + 8] << 8 | response[offset + 9]);
		offset += 10;
		size_t rdata = offset;
		if (type == LDNS_RR_TYPE_NS || type == LDNS_RR_TYPE_CNAME || type == LDNS_RR_TYPE_PTR)
			walk_name(what, length, &rdata);
		else if (type == LDNS_RR_TYPE_MX) {
			rdata += 2;
			walk_name(what, length, &rdata);
		} else if (type == LDNS_RR_TYPE_SOA) {
			walk_name(what, length, &rdata);
			walk_name(what, length, &rdata);
		}
		offset += rdlength;
	}
	ck_assert_msg(offset == length, "%s: %zu octets after the records", what, length - offset);
}

struct expect {
	int rcode;                  /* full 12-bit rcode (BADVERS = 16) */
	const char *flags;
	unsigned qdcount, ancount, nscount, arcount;  /* arcount counts the OPT */
	const char *answer;         /* records, "\n" between; NULL: not compared */
	const char *authority;
	const char *additional;     /* without the OPT */
};

/* Prints a section one record a line, for comparing with a table's text. */
typedef char *section_format(const ldns_rr_list *list);

/*
 * Checks the response's flags, name pointers and rcode, and each section
 * whose wanted text (answer, authority, additional) is not NULL, as format
 * prints it.
 */
static void
check_message(const char *what, size_t length, const char *want_flags, int want_rcode,
	const char *const want[3], section_format *format)
{
	ck_assert_msg(length >= 12, "%s: no response", what);
	char flags[64];
	header_flags(flags, sizeof flags);
	ck_assert_msg(strcmp(flags, want_flags) == 0, "%s: flags '%s', want '%s'", what, flags,
		want_flags);
	check_pointers(what, length);
	ldns_pkt *packet = NULL;
	ck_assert_msg(ldns_wire2pkt(&packet, response, length) == LDNS_STATUS_OK,
		"%s: response does not parse", what);
	int rcode = ldns_pkt_get_rcode(packet) | ldns_pkt_edns_extended_rcode(packet) << 4;
	ck_assert_msg(rcode == want_rcode, "%s: rcode %d, want %d", what, rcode, want_rcode);
	static const char *const names[3] = {"answer", "authority", "additional"};
	const ldns_rr_list *lists[3] = {
		ldns_pkt_answer(packet), ldns_pkt_authority(packet), ldns_pkt_additional(packet),
	};
	for (size_t i = 0; i < 3; i++) {
		if (want[i] == NULL)
			continue;
		char *got = format(lists[i]);
		ck_assert_msg(strcmp(got, want[i]) == 0, "%s: %s\n%s\nwant\n%s", what, names[i], got,
			want[i]);
		free(got);
	}
	ldns_pkt_free(packet);
}

static void
check_response(const char *what, size_t length, const struct expect *expect)
{
	ck_assert_msg(length >= 12, "%s: no response", what);
	ck_assert_msg(header_u16(4) == expect->qdcount && header_u16(6) == expect->ancount
			&& header_u16(8) == expect->nscount && header_u16(10) == expect->arcount,
		"%s: counts %u/%u/%u/%u, want %u/%u/%u/%u", what, header_u16(4), header_u16(6),
		header_u16(8), header_u16(10), expect->qdcount, expect->ancount, expect->nscount,
		expect->arcount);
	const char *const want[3] = {expect->answer, expect->authority, expect->additional};
	check_message(what, length, expect->flags, expect->rcode, want, section_text);
}

/* ---- the table ---- */

struct answer_case {
	const char *what;
	struct query_spec query;
	struct expect expect;
};

#define SOA_NEGATIVE "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300"
#define SUB_REFERRAL "sub.example.com. 3600 IN NS ns.other.example.com.\n" \
	"sub.example.com. 3600 IN NS ns1.sub.example.com."
/* In-domain glue first: it is required (RFC 9471), sibling glue is not. */
#define SUB_GLUE "ns1.sub.example.com. 3600 IN A 192.0.2.53\n" \
	"ns.other.example.com. 3600 IN A 192.0.2.54"
#define WWW_A "www.example.com. 3600 IN A 192.0.2.80"
#define SOA_SIGNED "signed.test. 300 IN SOA ns1.signed.test. hostmaster.signed.test. 1 7200 3600 1209600 300"

static const struct answer_case answer_cases[] = {
	/* exact matches */
	{"exact A", {"www.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, WWW_A, "", ""}},
	{"apex NS with in-zone addresses",
		{"example.com", LDNS_RR_TYPE_NS},
		{0, "qr aa", 1, 2, 0, 3,
			"example.com. 3600 IN NS ns1.example.com.\nexample.com. 3600 IN NS ns2.example.com.",
			"",
			"ns1.example.com. 3600 IN A 192.0.2.1\nns2.example.com. 3600 IN A 192.0.2.2\n"
			"ns2.example.com. 3600 IN AAAA 2001:db8::2"}},
	{"MX with the exchange's address", {"example.com", LDNS_RR_TYPE_MX},
		{0, "qr aa", 1, 1, 0, 1, "example.com. 3600 IN MX 10 mail.example.com.", "",
			"mail.example.com. 3600 IN A 192.0.2.25"}},
	/* NSD, Knot and BIND: a target's addresses may come from a wildcard, once per name. */
	{"MX targets that wildcards synthesize", {"wildmx.example.com", LDNS_RR_TYPE_MX},
		{0, "qr aa", 1, 3, 0, 3,
			"wildmx.example.com. 3600 IN MX 10 a.wild.example.com.\n"
			"wildmx.example.com. 3600 IN MX 20 B.wild.example.com.\n"
			"wildmx.example.com. 3600 IN MX 30 x.wild.example.com.", "",
			"a.wild.example.com. 3600 IN A 192.0.2.99\n"
			"B.wild.example.com. 3600 IN A 192.0.2.99\n"
			"x.wild.example.com. 3600 IN A 192.0.2.98"}},
	{"glue of a name server named \"*\"", {"x.wg.example.com", LDNS_RR_TYPE_A},
		{0, "qr", 1, 0, 1, 1, "", "wg.example.com. 3600 IN NS *.wg.example.com.",
			"*.wg.example.com. 3600 IN A 192.0.2.68"}},
	{"no address from a wildcard below a cut", {"cutmx.example.com", LDNS_RR_TYPE_MX},
		{0, "qr aa", 1, 1, 0, 0, "cutmx.example.com. 3600 IN MX 10 x.sub.example.com.", "", ""}},
	{"SRV with the target's address", {"_sip._tcp.example.com", LDNS_RR_TYPE_SRV},
		{0, "qr aa", 1, 1, 0, 1, "_sip._tcp.example.com. 3600 IN SRV 0 5 5060 www.example.com.",
			"", WWW_A}},
	{"apex SOA", {"example.com", LDNS_RR_TYPE_SOA},
		{0, "qr aa", 1, 1, 0, 0,
			"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300",
			"", ""}},
	{"owner keeps the query's case", {"WwW.ExAmple.COM", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, "WwW.ExAmple.COM. 3600 IN A 192.0.2.80", "", ""}},
	{"RD copied, RA never", {"www.example.com", LDNS_RR_TYPE_A, 0, Q_RD},
		{0, "qr aa rd", 1, 1, 0, 0, WWW_A, "", ""}},
	{"CD copied", {"www.example.com", LDNS_RR_TYPE_A, 0, Q_CD},
		{0, "qr aa cd", 1, 1, 0, 0, WWW_A, "", ""}},
	/* negative answers */
	{"NODATA", {"www.example.com", LDNS_RR_TYPE_AAAA},
		{0, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"NXDOMAIN", {"nope.example.com", LDNS_RR_TYPE_A},
		{LDNS_RCODE_NXDOMAIN, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"empty non-terminal is NODATA", {"b.c.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"below an empty non-terminal is NXDOMAIN", {"x.c.example.com", LDNS_RR_TYPE_A},
		{LDNS_RCODE_NXDOMAIN, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	/* CNAME */
	{"CNAME followed", {"alias.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 2, 0, 0,
			"alias.example.com. 3600 IN CNAME www.example.com.\n" WWW_A, "", ""}},
	{"CNAME asked for", {"alias.example.com", LDNS_RR_TYPE_CNAME},
		{0, "qr aa", 1, 1, 0, 0, "alias.example.com. 3600 IN CNAME www.example.com.", "", ""}},
	{"CNAME chain", {"chain1.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 3, 0, 0,
			"chain1.example.com. 3600 IN CNAME chain2.example.com.\n"
			"chain2.example.com. 3600 IN CNAME www.example.com.\n" WWW_A, "", ""}},
	{"CNAME to a missing name: NXDOMAIN of the target",
		{"dangling.example.com", LDNS_RR_TYPE_A},
		{LDNS_RCODE_NXDOMAIN, "qr aa", 1, 1, 1, 0,
			"dangling.example.com. 3600 IN CNAME nothere.example.com.", SOA_NEGATIVE, ""}},
	{"CNAME target with no such type: NODATA", {"alias.example.com", LDNS_RR_TYPE_AAAA},
		{0, "qr aa", 1, 1, 1, 0, "alias.example.com. 3600 IN CNAME www.example.com.",
			SOA_NEGATIVE, ""}},
	{"CNAME out of the zone stops", {"outside.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, "outside.example.com. 3600 IN CNAME www.example.net.", "",
			""}},
	{"CNAME loop stops with the chain so far", {"loop1.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 2, 0, 0,
			"loop1.example.com. 3600 IN CNAME loop2.example.com.\n"
			"loop2.example.com. 3600 IN CNAME loop1.example.com.", "", ""}},
	{"CNAME into a child zone stops", {"tochild.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, "tochild.example.com. 3600 IN CNAME www.child.example.com.",
			"", ""}},
	{"CNAME into a delegation ends in a referral", {"todeleg.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 2, 2, "todeleg.example.com. 3600 IN CNAME www.sub.example.com.",
			SUB_REFERRAL, SUB_GLUE}},
	/* wildcards */
	{"wildcard synthesis", {"foo.wild.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, "foo.wild.example.com. 3600 IN A 192.0.2.99", "", ""}},
	{"wildcard several labels down", {"a.b.wild.example.com", LDNS_RR_TYPE_TXT},
		{0, "qr aa", 1, 1, 0, 0, "a.b.wild.example.com. 3600 IN TXT \"wild\"", "", ""}},
	{"wildcard NODATA", {"foo.wild.example.com", LDNS_RR_TYPE_AAAA},
		{0, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"existing name blocks the wildcard", {"x.wild.example.com", LDNS_RR_TYPE_TXT},
		{0, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"literal '*' matches the wildcard node", {"*.wild.example.com", LDNS_RR_TYPE_TXT},
		{0, "qr aa", 1, 1, 0, 0, "*.wild.example.com. 3600 IN TXT \"wild\"", "", ""}},
	{"wildcard CNAME followed", {"foo.cw.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 2, 0, 0, "foo.cw.example.com. 3600 IN CNAME www.example.com.\n" WWW_A,
			"", ""}},
	{"empty non-terminal blocks the wildcard", {"x.b.ent.example.com", LDNS_RR_TYPE_TXT},
		{LDNS_RCODE_NXDOMAIN, "qr aa", 1, 0, 1, 0, "", SOA_NEGATIVE, ""}},
	{"wildcard beside an empty non-terminal", {"q.ent.example.com", LDNS_RR_TYPE_TXT},
		{0, "qr aa", 1, 1, 0, 0, "q.ent.example.com. 3600 IN TXT \"ent wildcard\"", "", ""}},
	/* delegations */
	{"referral with in-domain and sibling glue", {"www.sub.example.com", LDNS_RR_TYPE_A},
		{0, "qr", 1, 0, 2, 2, "", SUB_REFERRAL, SUB_GLUE}},
	{"referral at the cut itself", {"sub.example.com", LDNS_RR_TYPE_NS},
		{0, "qr", 1, 0, 2, 2, "", SUB_REFERRAL, SUB_GLUE}},
	{"occluded data is never returned", {"deep.sub.example.com", LDNS_RR_TYPE_A},
		{0, "qr", 1, 0, 2, 2, "", SUB_REFERRAL, SUB_GLUE}},
	{"DS at the cut is answered by the parent", {"sub.example.com", LDNS_RR_TYPE_DS},
		{0, "qr aa", 1, 1, 0, 0,
			"sub.example.com. 3600 IN DS 12345 8 2 "
			"49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1e9b2f1a9f1f3d8f1b2e9a4c", "", ""}},
	{"DS below the cut is a referral", {"deep.sub.example.com", LDNS_RR_TYPE_DS},
		{0, "qr", 1, 0, 2, 2, "", SUB_REFERRAL, SUB_GLUE}},
	{"signed referral carries DS and its RRSIG when DO is set",
		{"www.deleg.signed.test", LDNS_RR_TYPE_A, 0, Q_DO},
		{0, "qr", 1, 0, 3, 2, "",
			"deleg.signed.test. 3600 IN NS ns1.deleg.signed.test.\n"
			"deleg.signed.test. 3600 IN DS 12345 8 2 "
			"49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1e9b2f1a9f1f3d8f1b2e9a4c\n"
			"deleg.signed.test. 3600 IN RRSIG DS 8 3 3600 20300101000000 20200101000000 12345 "
			"signed.test. AAECAwQFBgcICQ==",
			"ns1.deleg.signed.test. 3600 IN A 192.0.2.2"}},
	/* RFC 5155 7.2.8: NSEC3 owners are not in the name index (as Knot and NSD answer). */
	{"NSEC3 owner queried for NSEC3 is NXDOMAIN",
		{"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.signed.test", LDNS_RR_TYPE_NSEC3, 0, Q_DO},
		{3, "qr aa", 1, 0, 1, 1, "", SOA_SIGNED, ""}},
	{"NSEC3 owner queried for A is NXDOMAIN",
		{"0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM.signed.test", LDNS_RR_TYPE_A},
		{3, "qr aa", 1, 0, 1, 0, "", SOA_SIGNED, ""}},
	{"signed referral without DO: no DS", {"www.deleg.signed.test", LDNS_RR_TYPE_A},
		{0, "qr", 1, 0, 1, 1, "", "deleg.signed.test. 3600 IN NS ns1.deleg.signed.test.",
			"ns1.deleg.signed.test. 3600 IN A 192.0.2.2"}},
	{"unsigned zone: no DS in a referral even with DO",
		{"www.sub.example.com", LDNS_RR_TYPE_A, 0, Q_DO},
		{0, "qr", 1, 0, 2, 3, "", SUB_REFERRAL, SUB_GLUE}},
	{"glue that does not fit sets TC; every A before any AAAA",
		{"www.fat.example.com", LDNS_RR_TYPE_A},
		{0, "qr tc", 1, 0, 13, 13, NULL, NULL, NULL}},
	{"glue fits with EDNS", {"www.fat.example.com", LDNS_RR_TYPE_A, 0, Q_EDNS},
		{0, "qr", 1, 0, 13, 27, NULL, NULL, NULL}},
	/* child zones */
	{"child zone answers its names", {"www.child.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 1, 0, 0, "www.child.example.com. 3600 IN A 192.0.2.56", "", ""}},
	{"child apex NS from the child", {"child.example.com", LDNS_RR_TYPE_NS},
		{0, "qr aa", 1, 1, 0, 1, "child.example.com. 3600 IN NS ns1.child.example.com.", "",
			"ns1.child.example.com. 3600 IN A 192.0.2.55"}},
	{"DS at a child apex from the parent", {"child.example.com", LDNS_RR_TYPE_DS},
		{0, "qr aa", 1, 1, 0, 0,
			"child.example.com. 3600 IN DS 54321 8 2 "
			"49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1e9b2f1a9f1f3d8f1b2e9a4c", "", ""}},
	/* RFC 4035 3.1.4.1: the DS at the end of an alias is the parent's too (NSD, Knot, BIND). */
	{"CNAME to a child apex, DS: the DS from the parent", {"tochildapex.example.com",
			LDNS_RR_TYPE_DS},
		{0, "qr aa", 1, 2, 0, 0,
			"tochildapex.example.com. 3600 IN CNAME child.example.com.\n"
			"child.example.com. 3600 IN DS 54321 8 2 "
			"49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de1e9b2f1a9f1f3d8f1b2e9a4c", "", ""}},
	{"no zone: REFUSED without AA", {"www.example.org", LDNS_RR_TYPE_A},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	{"a name repeating a label compresses only backwards", {"repeat.example.com", LDNS_RR_TYPE_NS},
		{0, "qr", 1, 0, 3, 0, "",
			"repeat.example.com. 3600 IN NS email.bankcard.campus.uni.\n"
			"repeat.example.com. 3600 IN NS example.net.net.\n"
			"repeat.example.com. 3600 IN NS example.fnni.net.", ""}},
	/* DNAME */
	{"DNAME out of the zone", {"x.dn.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 2, 0, 0,
			"dn.example.com. 3600 IN DNAME example.net.\n"
			"x.dn.example.com. 3600 IN CNAME x.example.net.", "", ""}},
	{"DNAME asked for at its owner", {"dn.example.com", LDNS_RR_TYPE_DNAME},
		{0, "qr aa", 1, 1, 0, 0, "dn.example.com. 3600 IN DNAME example.net.", "", ""}},
	{"DNAME followed inside the zone", {"www.in.example.com", LDNS_RR_TYPE_A},
		{0, "qr aa", 1, 3, 0, 0,
			"in.example.com. 3600 IN DNAME inner.example.com.\n"
			"www.in.example.com. 3600 IN CNAME www.inner.example.com.\n"
			"www.inner.example.com. 3600 IN A 192.0.2.81", "", ""}},
	{"DNAME result too long: YXDOMAIN",
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.long.example.com",
			LDNS_RR_TYPE_A},
		{LDNS_RCODE_YXDOMAIN, "qr aa", 1, 1, 0, 0, NULL, "", ""}},
	/* DNSSEC records */
	/* NSD and BIND give RRSIGs only from a zone with a DNSKEY at its apex (Knot gives them). */
	{"no RRSIG from a zone without DNSKEY, even with DO", {"sig.example.com", LDNS_RR_TYPE_A, 0, Q_DO},
		{0, "qr aa", 1, 1, 0, 1, "sig.example.com. 3600 IN A 192.0.2.10", "", ""}},
	{"RRSIG with DO from a signed zone", {"signed.test", LDNS_RR_TYPE_NS, 0, Q_DO},
		{0, "qr aa", 1, 2, 0, 2,
			"signed.test. 3600 IN NS ns1.signed.test.\n"
			"signed.test. 3600 IN RRSIG NS 8 2 3600 20300101000000 20200101000000 12345 "
			"signed.test. AAECAwQFBgcICQ==", "", "ns1.signed.test. 3600 IN A 192.0.2.1"}},
	/* Each with its covered RRset's TTL, as NSD and BIND (the node's RRSIGs are one RRset). */
	{"QTYPE RRSIG: each signature with its RRset's TTL", {"ttl.signed.test", LDNS_RR_TYPE_RRSIG},
		{0, "qr aa", 1, 2, 0, 0,
			"ttl.signed.test. 60 IN RRSIG A 8 3 60 20300101000000 20200101000000 12345 "
			"signed.test. AAECAwQFBgcICQ==\n"
			"ttl.signed.test. 3600 IN RRSIG TXT 8 3 3600 20300101000000 20200101000000 12345 "
			"signed.test. AAECAwQFBgcICQ==", "", ""}},
	{"no RRSIG without DO", {"sig.example.com", LDNS_RR_TYPE_TXT, 0, Q_EDNS},
		{0, "qr aa", 1, 1, 0, 1, "sig.example.com. 3600 IN TXT \"signed\"", "", ""}},
	/* sizes */
	{"answer over 512 octets without EDNS: TC", {"big.example.com", LDNS_RR_TYPE_TXT},
		{0, "qr aa tc", 1, 0, 0, 0, "", "", ""}},
	{"answer fits with EDNS", {"big.example.com", LDNS_RR_TYPE_TXT, 0, Q_EDNS},
		{0, "qr aa", 1, 20, 0, 1, NULL, "", ""}},
	{"client's EDNS size below ours is the limit",
		{"big.example.com", LDNS_RR_TYPE_TXT, 0, Q_EDNS, 600},
		{0, "qr aa tc", 1, 0, 0, 1, "", "", ""}},
	{"EDNS size under 512 counts as 512", {"www.example.com", LDNS_RR_TYPE_A, 0, Q_EDNS, 100},
		{0, "qr aa", 1, 1, 0, 1, WWW_A, "", ""}},
	{"TCP has room", {"big.example.com", LDNS_RR_TYPE_TXT, 0, Q_TCP},
		{0, "qr aa", 1, 20, 0, 0, NULL, "", ""}},
	{"additional that does not fit is dropped without TC", {"mx.example.com", LDNS_RR_TYPE_MX},
		{0, "qr aa", 1, 13, 0, 11, NULL, "", NULL}},
	/* ANY (RFC 8482) */
	{"ANY over UDP: one RRset", {"example.com", LDNS_RR_TYPE_ANY},
		{0, "qr aa", 1, 2, 0, 3, NULL, "", NULL}},
	{"ANY over TCP: every RRset", {"example.com", LDNS_RR_TYPE_ANY, 0, Q_TCP},
		{0, "qr aa", 1, 4, 0, 4, NULL, "", NULL}},
	/* other classes */
	{"CH version.bind", {"version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH},
		{0, "qr aa", 1, 1, 0, 0, "version.bind. 0 CH TXT \"zoned test\"", "", ""}},
	{"CH version.server", {"VERSION.server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH},
		{0, "qr aa", 1, 1, 0, 0, "VERSION.server. 0 CH TXT \"zoned test\"", "", ""}},
	{"CH id.server", {"id.server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH},
		{0, "qr aa", 1, 1, 0, 0, "id.server. 0 CH TXT \"test-host\"", "", ""}},
	{"CH hostname.bind", {"hostname.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH},
		{0, "qr aa", 1, 1, 0, 0, "hostname.bind. 0 CH TXT \"host-b\"", "", ""}},
	{"CH other names refused", {"authors.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	{"CH other types refused", {"version.bind", LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	{"HS class refused", {"www.example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_HS},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	/* QCLASS *: class IN data without AA (RFC 1035 6.2), nor a SOA to deny with (NSD). */
	{"QCLASS * answered from class IN, not authoritative",
		{"www.example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY},
		{0, "qr", 1, 1, 0, 0, WWW_A, "", ""}},
	{"QCLASS * NXDOMAIN without the SOA", {"nope.example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY},
		{LDNS_RCODE_NXDOMAIN, "qr", 1, 0, 0, 0, "", "", ""}},
	{"QCLASS * NODATA without the SOA", {"www.example.com", LDNS_RR_TYPE_AAAA, LDNS_RR_CLASS_ANY},
		{0, "qr", 1, 0, 0, 0, "", "", ""}},
	{"QCLASS * referral", {"www.sub.example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY},
		{0, "qr", 1, 0, 2, 2, "", SUB_REFERRAL, SUB_GLUE}},
	{"QCLASS * outside our zones refused", {"www.example.org", LDNS_RR_TYPE_A, LDNS_RR_CLASS_ANY},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	/* meta types */
	{"AXFR over UDP: FORMERR", {"example.com", LDNS_RR_TYPE_AXFR},
		{LDNS_RCODE_FORMERR, "qr", 1, 0, 0, 0, "", "", ""}},
	{"AXFR over TCP without allow-transfer: REFUSED", {"example.com", LDNS_RR_TYPE_AXFR, 0, Q_TCP},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	{"IXFR without allow-transfer: REFUSED", {"example.com", LDNS_RR_TYPE_IXFR},
		{LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""}},
	{"QTYPE OPT: FORMERR", {"example.com", LDNS_RR_TYPE_OPT},
		{LDNS_RCODE_FORMERR, "qr", 1, 0, 0, 0, "", "", ""}},
	{"QTYPE TSIG: FORMERR", {"example.com", LDNS_RR_TYPE_TSIG},
		{LDNS_RCODE_FORMERR, "qr", 1, 0, 0, 0, "", "", ""}},
	/* RFC 2930 4.1: no TKEY record with it (BIND, PowerDNS; NSD and Knot: NODATA). */
	{"QTYPE TKEY: FORMERR", {"example.com", LDNS_RR_TYPE_TKEY},
		{LDNS_RCODE_FORMERR, "qr", 1, 0, 0, 0, "", "", ""}},
	/* EDNS */
	{"unknown EDNS option ignored", {"www.example.com", LDNS_RR_TYPE_A, 0, Q_UNKNOWN_OPTION},
		{0, "qr aa", 1, 1, 0, 1, WWW_A, "", ""}},
};

START_TEST(test_answer_table)
{
	const struct answer_case *c = &answer_cases[_i];
	size_t length = ask(&test_settings, &c->query);
	check_response(c->what, length, &c->expect);
}
END_TEST

/* ---- DNSSEC: the denial proofs of signed zones (RFC 4035 3.1.3, RFC 5155 7.2) ---- */

/*
 * One line per record: owner, type and rdata, except that an RRSIG shows
 * only the type it covers (the signatures are checked by the e2e test's
 * validating resolver; here, which records are there).
 */
static void
record_proof(char *record, char *out, size_t size)
{
	/* owner \t ttl \t class \t type \t rdata */
	char *fields[5] = {record};
	for (int f = 1; f < 5 && fields[f - 1] != NULL; f++) {
		fields[f] = strchr(fields[f - 1], '\t');
		if (fields[f] != NULL)
			*fields[f]++ = '\0';
	}
	ck_assert_ptr_nonnull(fields[4]);
	char rdata[4096] = "";
	size_t length = 0;
	/* Whitespace collapsed: ldns pads some fields. */
	for (const char *c = fields[4]; *c != '\0' && length + 1 < sizeof rdata; c++) {
		bool space = *c == ' ' || *c == '\t' || *c == '\n';
		if (space && (length == 0 || rdata[length - 1] == ' '))
			continue;
		rdata[length++] = space ? ' ' : *c;
	}
	while (length > 0 && rdata[length - 1] == ' ')
		length--;
	rdata[length] = '\0';
	if (strcmp(fields[3], "RRSIG") == 0)
		rdata[strcspn(rdata, " ")] = '\0';
	snprintf(out, size, "%s %s %s", fields[0], fields[3], rdata);
}

static char *
section_proof_text(const ldns_rr_list *list)
{
	return section_lines(list, record_proof);
}

struct dnssec_case {
	const char *what;
	struct query_spec query;
	int rcode;
	const char *flags;
	const char *answer;      /* section_proof_text() of the sections */
	const char *authority;
};

#define NEGATIVE_NSEC "nsec.test. SOA ns1.nsec.test. hostmaster.nsec.test. 1 7200 3600 1209600 300\n" \
	"nsec.test. RRSIG SOA\n"
#define NEGATIVE_NSEC3 "nsec3.test. SOA ns1.nsec3.test. hostmaster.nsec3.test. 1 7200 3600 1209600 300\n" \
	"nsec3.test. RRSIG SOA\n"
#define NEGATIVE_ITER "iter.test. SOA ns1.iter.test. hostmaster.iter.test. 1 7200 3600 1209600 300\n" \
	"iter.test. RRSIG SOA\n"
#define NEGATIVE_OPTOUT "optout.test. SOA ns1.optout.test. hostmaster.optout.test. 1 7200 3600 1209600 300\n" \
	"optout.test. RRSIG SOA\n"

/*
 * The same names in each zone (tests/fixtures/dnssec/unsigned.zone.in).
 * An NSEC3 owner is the hash of a name of the zone: ldns-nsec3-hash -t 0
 * NAME (iter.test: -t 12 -s aabbccdd) finds which; a covering NSEC3's owner
 * and next hash bracket the hash of the name proved not to exist.
 */
static const struct dnssec_case dnssec_cases[] = {
	{"nsec: NXDOMAIN", {"nx.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_NSEC "ns1.nsec.test. NSEC secure.nsec.test. A RRSIG NSEC\n"
			"ns1.nsec.test. RRSIG NSEC\n"
			"nsec.test. NSEC cname.nsec.test. NS SOA RRSIG NSEC DNSKEY\n"
			"nsec.test. RRSIG NSEC"},
	{"nsec: NODATA", {"www.nsec.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC "www.nsec.test. NSEC nsec.test. A RRSIG NSEC\n"
			"www.nsec.test. RRSIG NSEC"},
	{"nsec: NODATA at an empty non-terminal", {"ent.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC "sub.e2.nsec.test. NSEC host.ent.nsec.test. NS RRSIG NSEC\n"
			"sub.e2.nsec.test. RRSIG NSEC"},
	{"nsec: wildcard answer", {"foo.wild.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"foo.wild.nsec.test. A 192.0.2.99\n"
			"foo.wild.nsec.test. RRSIG A",
		"*.wild.nsec.test. NSEC www.nsec.test. A TXT RRSIG NSEC\n"
			"*.wild.nsec.test. RRSIG NSEC"},
	{"nsec: wildcard two labels down", {"x.y.wild.nsec.test", LDNS_RR_TYPE_TXT, 0, Q_DO},
		0, "qr aa",
		"x.y.wild.nsec.test. TXT \"wild\"\n"
			"x.y.wild.nsec.test. RRSIG TXT",
		"*.wild.nsec.test. NSEC www.nsec.test. A TXT RRSIG NSEC\n"
			"*.wild.nsec.test. RRSIG NSEC"},
	{"nsec: wildcard NODATA", {"foo.wild.nsec.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC "*.wild.nsec.test. NSEC www.nsec.test. A TXT RRSIG NSEC\n"
			"*.wild.nsec.test. RRSIG NSEC"},
	{"nsec: referral to an insecure delegation", {"www.insecure.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"insecure.nsec.test. NS ns.insecure.nsec.test.\n"
			"insecure.nsec.test. NSEC ns1.nsec.test. NS RRSIG NSEC\n"
			"insecure.nsec.test. RRSIG NSEC"},
	{"nsec: referral to a secure delegation", {"www.secure.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"secure.nsec.test. NS ns.secure.nsec.test.\n"
			"secure.nsec.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.nsec.test. RRSIG DS"},
	{"nsec: DS at an insecure cut: NODATA from the parent", {"insecure.nsec.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC "insecure.nsec.test. NSEC ns1.nsec.test. NS RRSIG NSEC\n"
			"insecure.nsec.test. RRSIG NSEC"},
	{"nsec: DS at a secure cut", {"secure.nsec.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"secure.nsec.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.nsec.test. RRSIG DS",
		""},
	{"nsec: CNAME to a missing name", {"dangling.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dangling.nsec.test. CNAME nothere.nsec.test.\n"
			"dangling.nsec.test. RRSIG CNAME",
		NEGATIVE_NSEC "insecure.nsec.test. NSEC ns1.nsec.test. NS RRSIG NSEC\n"
			"insecure.nsec.test. RRSIG NSEC\n"
			"nsec.test. NSEC cname.nsec.test. NS SOA RRSIG NSEC DNSKEY\n"
			"nsec.test. RRSIG NSEC"},
	{"nsec: CNAME to a wildcard", {"wcname.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"wcname.nsec.test. CNAME foo.wild.nsec.test.\n"
			"wcname.nsec.test. RRSIG CNAME\n"
			"foo.wild.nsec.test. A 192.0.2.99\n"
			"foo.wild.nsec.test. RRSIG A",
		"*.wild.nsec.test. NSEC www.nsec.test. A TXT RRSIG NSEC\n"
			"*.wild.nsec.test. RRSIG NSEC"},
	{"nsec: CNAME", {"cname.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"cname.nsec.test. CNAME www.nsec.test.\n"
			"cname.nsec.test. RRSIG CNAME\n"
			"www.nsec.test. A 192.0.2.80\n"
			"www.nsec.test. RRSIG A",
		""},
	{"nsec: DNAME", {"www.dn.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"dn.nsec.test. DNAME target.nsec.test.\n"
			"dn.nsec.test. RRSIG DNAME\n"
			"www.dn.nsec.test. CNAME www.target.nsec.test.\n"
			"www.target.nsec.test. A 192.0.2.81\n"
			"www.target.nsec.test. RRSIG A",
		""},
	{"nsec: DNAME to a missing name", {"nx.dn.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dn.nsec.test. DNAME target.nsec.test.\n"
			"dn.nsec.test. RRSIG DNAME\n"
			"nx.dn.nsec.test. CNAME nx.target.nsec.test.",
		NEGATIVE_NSEC "secure.nsec.test. NSEC www.target.nsec.test. NS DS RRSIG NSEC\n"
			"secure.nsec.test. RRSIG NSEC"},
	{"nsec: ENT above only an insecure delegation", {"e2.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC "dn.nsec.test. NSEC sub.e2.nsec.test. DNAME RRSIG NSEC\n"
			"dn.nsec.test. RRSIG NSEC"},
	{"nsec: NXDOMAIN below that ENT", {"nx.e2.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_NSEC "dn.nsec.test. NSEC sub.e2.nsec.test. DNAME RRSIG NSEC\n"
			"dn.nsec.test. RRSIG NSEC"},
	{"nsec: referral below that ENT", {"www.sub.e2.nsec.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"sub.e2.nsec.test. NS ns.sub.e2.nsec.test.\n"
			"sub.e2.nsec.test. NSEC host.ent.nsec.test. NS RRSIG NSEC\n"
			"sub.e2.nsec.test. RRSIG NSEC"},
	{"nsec3: NXDOMAIN", {"nx.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_NSEC3 "0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test. NSEC3 1 0 0 - 0q9hfs69kte5fp5r9agc9jkjabnq9o6a NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test. RRSIG NSEC3\n"
			"hgpinitfeqldklbco89tba527nga2sj9.nsec3.test. NSEC3 1 0 0 - leelgd6f71o4879du1qtd8695valmqjr A RRSIG\n"
			"hgpinitfeqldklbco89tba527nga2sj9.nsec3.test. RRSIG NSEC3\n"
			"leelgd6f71o4879du1qtd8695valmqjr.nsec3.test. NSEC3 1 0 0 - nsoad3lm3b8bta3lrhh00hkkgrlu0ueo CNAME RRSIG\n"
			"leelgd6f71o4879du1qtd8695valmqjr.nsec3.test. RRSIG NSEC3"},
	{"nsec3: NODATA", {"www.nsec3.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC3 "35jtmrqeffgoh561ojgvun7v8epbqv8b.nsec3.test. NSEC3 1 0 0 - 36pjm4m3c3hspk8m1kh1i4pj99g73n7v A RRSIG\n"
			"35jtmrqeffgoh561ojgvun7v8epbqv8b.nsec3.test. RRSIG NSEC3"},
	{"nsec3: NODATA at an empty non-terminal", {"ent.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC3 "enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. NSEC3 1 0 0 - hgpinitfeqldklbco89tba527nga2sj9\n"
			"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. RRSIG NSEC3"},
	{"nsec3: wildcard answer", {"foo.wild.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"foo.wild.nsec3.test. A 192.0.2.99\n"
			"foo.wild.nsec3.test. RRSIG A",
		"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. NSEC3 1 0 0 - hgpinitfeqldklbco89tba527nga2sj9\n"
			"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. RRSIG NSEC3"},
	{"nsec3: wildcard two labels down", {"x.y.wild.nsec3.test", LDNS_RR_TYPE_TXT, 0, Q_DO},
		0, "qr aa",
		"x.y.wild.nsec3.test. TXT \"wild\"\n"
			"x.y.wild.nsec3.test. RRSIG TXT",
		"4tco8lt3u80c25mgas9o9dib9njqfqku.nsec3.test. NSEC3 1 0 0 - 8pbuads05mac49qk5jdnals59la6oa4s A RRSIG\n"
			"4tco8lt3u80c25mgas9o9dib9njqfqku.nsec3.test. RRSIG NSEC3"},
	{"nsec3: wildcard NODATA", {"foo.wild.nsec3.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC3 "8pbuads05mac49qk5jdnals59la6oa4s.nsec3.test. NSEC3 1 0 0 - d6cdk7k2vepmqjkdgp7v3h73398d1j2s\n"
			"8pbuads05mac49qk5jdnals59la6oa4s.nsec3.test. RRSIG NSEC3\n"
			"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. NSEC3 1 0 0 - hgpinitfeqldklbco89tba527nga2sj9\n"
			"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. RRSIG NSEC3\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. NSEC3 1 0 0 - sio0a6sp1jmtg406eenlmlp7rigj11b4 A TXT RRSIG\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. RRSIG NSEC3"},
	{"nsec3: referral to an insecure delegation", {"www.insecure.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"insecure.nsec3.test. NS ns.insecure.nsec3.test.\n"
			"sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. NSEC3 1 0 0 - vp6elq5393scft78oi3iu5lujtkm07lr NS\n"
			"sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. RRSIG NSEC3"},
	{"nsec3: referral to a secure delegation", {"www.secure.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"secure.nsec3.test. NS ns.secure.nsec3.test.\n"
			"secure.nsec3.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.nsec3.test. RRSIG DS"},
	{"nsec3: DS at an insecure cut: NODATA from the parent", {"insecure.nsec3.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC3 "sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. NSEC3 1 0 0 - vp6elq5393scft78oi3iu5lujtkm07lr NS\n"
			"sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. RRSIG NSEC3"},
	{"nsec3: DS at a secure cut", {"secure.nsec3.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"secure.nsec3.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.nsec3.test. RRSIG DS",
		""},
	{"nsec3: CNAME to a missing name", {"dangling.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dangling.nsec3.test. CNAME nothere.nsec3.test.\n"
			"dangling.nsec3.test. RRSIG CNAME",
		NEGATIVE_NSEC3 "0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test. NSEC3 1 0 0 - 0q9hfs69kte5fp5r9agc9jkjabnq9o6a NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"0madr2c2o78cqsoquiejtbeh6gfgb0ff.nsec3.test. RRSIG NSEC3\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. NSEC3 1 0 0 - sio0a6sp1jmtg406eenlmlp7rigj11b4 A TXT RRSIG\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. RRSIG NSEC3\n"
			"leelgd6f71o4879du1qtd8695valmqjr.nsec3.test. NSEC3 1 0 0 - nsoad3lm3b8bta3lrhh00hkkgrlu0ueo CNAME RRSIG\n"
			"leelgd6f71o4879du1qtd8695valmqjr.nsec3.test. RRSIG NSEC3"},
	{"nsec3: CNAME to a wildcard", {"wcname.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"wcname.nsec3.test. CNAME foo.wild.nsec3.test.\n"
			"wcname.nsec3.test. RRSIG CNAME\n"
			"foo.wild.nsec3.test. A 192.0.2.99\n"
			"foo.wild.nsec3.test. RRSIG A",
		"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. NSEC3 1 0 0 - hgpinitfeqldklbco89tba527nga2sj9\n"
			"enpupj05c84j6m6b4ve9lvlhgtul912k.nsec3.test. RRSIG NSEC3"},
	{"nsec3: CNAME", {"cname.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"cname.nsec3.test. CNAME www.nsec3.test.\n"
			"cname.nsec3.test. RRSIG CNAME\n"
			"www.nsec3.test. A 192.0.2.80\n"
			"www.nsec3.test. RRSIG A",
		""},
	{"nsec3: DNAME", {"www.dn.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"dn.nsec3.test. DNAME target.nsec3.test.\n"
			"dn.nsec3.test. RRSIG DNAME\n"
			"www.dn.nsec3.test. CNAME www.target.nsec3.test.\n"
			"www.target.nsec3.test. A 192.0.2.81\n"
			"www.target.nsec3.test. RRSIG A",
		""},
	{"nsec3: DNAME to a missing name", {"nx.dn.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dn.nsec3.test. DNAME target.nsec3.test.\n"
			"dn.nsec3.test. RRSIG DNAME\n"
			"nx.dn.nsec3.test. CNAME nx.target.nsec3.test.",
		NEGATIVE_NSEC3 "1sr2n325vfb1vb3sgbmsccb1fpsmmspp.nsec3.test. NSEC3 1 0 0 - 2ej4qftqoau0qh4p6siv4d0ofa1m5gqm\n"
			"1sr2n325vfb1vb3sgbmsccb1fpsmmspp.nsec3.test. RRSIG NSEC3\n"
			"hgpinitfeqldklbco89tba527nga2sj9.nsec3.test. NSEC3 1 0 0 - leelgd6f71o4879du1qtd8695valmqjr A RRSIG\n"
			"hgpinitfeqldklbco89tba527nga2sj9.nsec3.test. RRSIG NSEC3\n"
			"sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. NSEC3 1 0 0 - vp6elq5393scft78oi3iu5lujtkm07lr NS\n"
			"sio0a6sp1jmtg406eenlmlp7rigj11b4.nsec3.test. RRSIG NSEC3"},
	{"nsec3: ENT above only an insecure delegation", {"e2.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_NSEC3 "vp6elq5393scft78oi3iu5lujtkm07lr.nsec3.test. NSEC3 1 0 0 - 0dnaq98l5tg2i2e33mlggs3684ae1sem\n"
			"vp6elq5393scft78oi3iu5lujtkm07lr.nsec3.test. RRSIG NSEC3"},
	{"nsec3: NXDOMAIN below that ENT", {"nx.e2.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_NSEC3 "vp6elq5393scft78oi3iu5lujtkm07lr.nsec3.test. NSEC3 1 0 0 - 0dnaq98l5tg2i2e33mlggs3684ae1sem\n"
			"vp6elq5393scft78oi3iu5lujtkm07lr.nsec3.test. RRSIG NSEC3\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. NSEC3 1 0 0 - sio0a6sp1jmtg406eenlmlp7rigj11b4 A TXT RRSIG\n"
			"r2ca2qe5l7ip1o619mp5snm1kneds7er.nsec3.test. RRSIG NSEC3\n"
			"8pbuads05mac49qk5jdnals59la6oa4s.nsec3.test. NSEC3 1 0 0 - d6cdk7k2vepmqjkdgp7v3h73398d1j2s\n"
			"8pbuads05mac49qk5jdnals59la6oa4s.nsec3.test. RRSIG NSEC3"},
	{"nsec3: referral below that ENT", {"www.sub.e2.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"sub.e2.nsec3.test. NS ns.sub.e2.nsec3.test.\n"
			"0dnaq98l5tg2i2e33mlggs3684ae1sem.nsec3.test. NSEC3 1 0 0 - 0madr2c2o78cqsoquiejtbeh6gfgb0ff NS\n"
			"0dnaq98l5tg2i2e33mlggs3684ae1sem.nsec3.test. RRSIG NSEC3"},
	{"optout: NXDOMAIN", {"nx.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_OPTOUT "5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"07m2lbtr7bo58u315f4snj75gfep1sta.optout.test. NSEC3 1 1 0 - 2afeg4c6edg8lbepm9k3p9tk2iajgk2l NS DS RRSIG\n"
			"07m2lbtr7bo58u315f4snj75gfep1sta.optout.test. RRSIG NSEC3\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. NSEC3 1 1 0 - a1j1t2mlkt6lllbg36k0kla0j6hrea91 A TXT RRSIG\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. RRSIG NSEC3"},
	{"optout: NODATA", {"www.optout.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_OPTOUT "ta8jbhfk7un7tq1p0sdcj2s8jb9ft8ti.optout.test. NSEC3 1 1 0 - 07m2lbtr7bo58u315f4snj75gfep1sta A RRSIG\n"
			"ta8jbhfk7un7tq1p0sdcj2s8jb9ft8ti.optout.test. RRSIG NSEC3"},
	{"optout: NODATA at an empty non-terminal", {"ent.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_OPTOUT "a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: wildcard answer", {"foo.wild.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"foo.wild.optout.test. A 192.0.2.99\n"
			"foo.wild.optout.test. RRSIG A",
		"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: wildcard two labels down", {"x.y.wild.optout.test", LDNS_RR_TYPE_TXT, 0, Q_DO},
		0, "qr aa",
		"x.y.wild.optout.test. TXT \"wild\"\n"
			"x.y.wild.optout.test. RRSIG TXT",
		"klot05kjc77qke5skamt2mjlgotf5r30.optout.test. NSEC3 1 1 0 - nuns8kic52upflivo3o7teo39m06dtcn\n"
			"klot05kjc77qke5skamt2mjlgotf5r30.optout.test. RRSIG NSEC3"},
	{"optout: wildcard NODATA", {"foo.wild.optout.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_OPTOUT "klot05kjc77qke5skamt2mjlgotf5r30.optout.test. NSEC3 1 1 0 - nuns8kic52upflivo3o7teo39m06dtcn\n"
			"klot05kjc77qke5skamt2mjlgotf5r30.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. NSEC3 1 1 0 - a1j1t2mlkt6lllbg36k0kla0j6hrea91 A TXT RRSIG\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. RRSIG NSEC3"},
	{"optout: referral to an insecure delegation", {"www.insecure.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"insecure.optout.test. NS ns.insecure.optout.test.\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: referral to a secure delegation", {"www.secure.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"secure.optout.test. NS ns.secure.optout.test.\n"
			"secure.optout.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.optout.test. RRSIG DS"},
	{"optout: DS at an insecure cut: NODATA from the parent", {"insecure.optout.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_OPTOUT "5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: DS at a secure cut", {"secure.optout.test", LDNS_RR_TYPE_DS, 0, Q_DO},
		0, "qr aa",
		"secure.optout.test. DS 11111 13 2 4a1c9e8a2e3f0a9b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3\n"
			"secure.optout.test. RRSIG DS",
		""},
	{"optout: CNAME to a missing name", {"dangling.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dangling.optout.test. CNAME nothere.optout.test.\n"
			"dangling.optout.test. RRSIG CNAME",
		NEGATIVE_OPTOUT "5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"q2p05nnv2mnh6fav5v5f6fhhdbleu8cg.optout.test. NSEC3 1 1 0 - ta8jbhfk7un7tq1p0sdcj2s8jb9ft8ti CNAME RRSIG\n"
			"q2p05nnv2mnh6fav5v5f6fhhdbleu8cg.optout.test. RRSIG NSEC3\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. NSEC3 1 1 0 - a1j1t2mlkt6lllbg36k0kla0j6hrea91 A TXT RRSIG\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. RRSIG NSEC3"},
	{"optout: CNAME to a wildcard", {"wcname.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"wcname.optout.test. CNAME foo.wild.optout.test.\n"
			"wcname.optout.test. RRSIG CNAME\n"
			"foo.wild.optout.test. A 192.0.2.99\n"
			"foo.wild.optout.test. RRSIG A",
		"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: CNAME", {"cname.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"cname.optout.test. CNAME www.optout.test.\n"
			"cname.optout.test. RRSIG CNAME\n"
			"www.optout.test. A 192.0.2.80\n"
			"www.optout.test. RRSIG A",
		""},
	{"optout: DNAME", {"www.dn.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"dn.optout.test. DNAME target.optout.test.\n"
			"dn.optout.test. RRSIG DNAME\n"
			"www.dn.optout.test. CNAME www.target.optout.test.\n"
			"www.target.optout.test. A 192.0.2.81\n"
			"www.target.optout.test. RRSIG A",
		""},
	{"optout: DNAME to a missing name", {"nx.dn.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"dn.optout.test. DNAME target.optout.test.\n"
			"dn.optout.test. RRSIG DNAME\n"
			"nx.dn.optout.test. CNAME nx.target.optout.test.",
		NEGATIVE_OPTOUT "equis9ore4uu0s4f6tjkq5hpm58bcfna.optout.test. NSEC3 1 1 0 - jkh6msnv23vge2rf9phu5c22re4crovd\n"
			"equis9ore4uu0s4f6tjkq5hpm58bcfna.optout.test. RRSIG NSEC3\n"
			"2afeg4c6edg8lbepm9k3p9tk2iajgk2l.optout.test. NSEC3 1 1 0 - 5dmk5qcdqvtc7qqd56ugkqcmr92kq3p9 CNAME RRSIG\n"
			"2afeg4c6edg8lbepm9k3p9tk2iajgk2l.optout.test. RRSIG NSEC3\n"
			"klot05kjc77qke5skamt2mjlgotf5r30.optout.test. NSEC3 1 1 0 - nuns8kic52upflivo3o7teo39m06dtcn\n"
			"klot05kjc77qke5skamt2mjlgotf5r30.optout.test. RRSIG NSEC3"},
	{"optout: ENT above only an insecure delegation", {"e2.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_OPTOUT "5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},
	{"optout: NXDOMAIN below that ENT", {"nx.e2.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_OPTOUT "5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. NSEC3 1 1 0 - a1j1t2mlkt6lllbg36k0kla0j6hrea91 A TXT RRSIG\n"
			"78qvmu0eq6h6ophf0ehfraj4vqvvne61.optout.test. RRSIG NSEC3"},
	{"optout: referral below that ENT", {"www.sub.e2.optout.test", LDNS_RR_TYPE_A, 0, Q_DO},
		0, "qr",
		"",
		"sub.e2.optout.test. NS ns.sub.e2.optout.test.\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. NSEC3 1 1 0 - 78qvmu0eq6h6ophf0ehfraj4vqvvne61 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"5dtlqdgieao67i4gp9e5kgtd6mj19d2f.optout.test. RRSIG NSEC3\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. NSEC3 1 1 0 - e180ttkj8bidekq8pjolgjdm8o92sem0\n"
			"a1j1t2mlkt6lllbg36k0kla0j6hrea91.optout.test. RRSIG NSEC3"},

	/* NSEC3 with salt aabbccdd and 12 iterations: the names hashed per query are hashed alike. */
	{"iter: NXDOMAIN", {"nx.iter.test", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa",
		"",
		NEGATIVE_ITER "vhituvdlht5ml8ljd2o5eci9jdui2uq6.iter.test. NSEC3 1 0 12 aabbccdd vjimb20k3gsp8bphve21kve8d1mk39j9 NS SOA RRSIG DNSKEY NSEC3PARAM\n"
			"vhituvdlht5ml8ljd2o5eci9jdui2uq6.iter.test. RRSIG NSEC3\n"
			"vjimb20k3gsp8bphve21kve8d1mk39j9.iter.test. NSEC3 1 0 12 aabbccdd 21fl8677bbd7bidto5vel24gkdtat4si A RRSIG\n"
			"vjimb20k3gsp8bphve21kve8d1mk39j9.iter.test. RRSIG NSEC3\n"
			"d6rndg6ud02i6bc4lcda6kb9u2oc655f.iter.test. NSEC3 1 0 12 aabbccdd e0f7blvo9kqf62555fh4on80cn7bsa1k CNAME RRSIG\n"
			"d6rndg6ud02i6bc4lcda6kb9u2oc655f.iter.test. RRSIG NSEC3"},
	{"iter: wildcard NODATA", {"foo.wild.iter.test", LDNS_RR_TYPE_AAAA, 0, Q_DO},
		0, "qr aa",
		"",
		NEGATIVE_ITER "21fl8677bbd7bidto5vel24gkdtat4si.iter.test. NSEC3 1 0 12 aabbccdd 2n4spstdb3o7ikmv4vj6fk4jcj9jlp25\n"
			"21fl8677bbd7bidto5vel24gkdtat4si.iter.test. RRSIG NSEC3\n"
			"n5d79tlnqhi1sfi0it82gj0qertg7osu.iter.test. NSEC3 1 0 12 aabbccdd vhituvdlht5ml8ljd2o5eci9jdui2uq6 NS\n"
			"n5d79tlnqhi1sfi0it82gj0qertg7osu.iter.test. RRSIG NSEC3\n"
			"2n4spstdb3o7ikmv4vj6fk4jcj9jlp25.iter.test. NSEC3 1 0 12 aabbccdd 50vn8cb73s6e9rh4u5dhck0fm267p01a A TXT RRSIG\n"
			"2n4spstdb3o7ikmv4vj6fk4jcj9jlp25.iter.test. RRSIG NSEC3"},

	/* Without DO, or from a zone without DNSKEY, no proof. */
	{"nsec: NXDOMAIN without DO", {"nx.nsec.test", LDNS_RR_TYPE_A, 0, Q_EDNS},
		LDNS_RCODE_NXDOMAIN, "qr aa", "",
		"nsec.test. SOA ns1.nsec.test. hostmaster.nsec.test. 1 7200 3600 1209600 300"},
	{"nsec3: referral without DO", {"www.insecure.nsec3.test", LDNS_RR_TYPE_A, 0, Q_EDNS},
		0, "qr", "", "insecure.nsec3.test. NS ns.insecure.nsec3.test."},
	{"unsigned zone: NXDOMAIN with DO has no proof", {"nope.example.com", LDNS_RR_TYPE_A, 0, Q_DO},
		LDNS_RCODE_NXDOMAIN, "qr aa", "",
		"example.com. SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300"},
	/*
	 * RFC 4035 3.1.3: a proof that does not fit is not cut short: the
	 * authority section goes and TC is set; a wildcard answer keeps its
	 * answer, with TC.
	 */
	{"nsec3: NXDOMAIN proof over 512 octets: TC, no partial proof",
		{"nx.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO, 512},
		LDNS_RCODE_NXDOMAIN, "qr aa tc", "", ""},
	{"nsec3: NXDOMAIN proof fits over TCP", {"nx.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO | Q_TCP},
		LDNS_RCODE_NXDOMAIN, "qr aa", "", NULL},
};

START_TEST(test_dnssec_table)
{
	const struct dnssec_case *c = &dnssec_cases[_i];
	size_t length = ask(&test_settings, &c->query);
	/* The additional section (glue) is the rules table's business. */
	const char *const want[3] = {c->answer, c->authority, NULL};
	check_message(c->what, length, c->flags, c->rcode, want, section_proof_text);
}
END_TEST

/*
 * A proof that does not fit the caller's buffer: never a part of it. A
 * referral keeps its NS, a wildcard answer its answer, with TC.
 */
START_TEST(test_dnssec_proof_truncated)
{
	static const struct {
		struct query_spec query;
		size_t size;
		const char *answer;
		const char *authority;
	} cases[] = {
		{{"www.insecure.optout.test", LDNS_RR_TYPE_A, 0, Q_DO}, 300, "",
			"insecure.optout.test. NS ns.insecure.optout.test."},
		{{"foo.wild.nsec3.test", LDNS_RR_TYPE_A, 0, Q_DO}, 250,
			"foo.wild.nsec3.test. A 192.0.2.99\nfoo.wild.nsec3.test. RRSIG A", ""},
		{{"www.nsec.test", LDNS_RR_TYPE_AAAA, 0, Q_DO}, 200, "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t packet[600];
		size_t length = build_query(&cases[i].query, packet);
		struct answer_request request = {
			.query = packet,
			.query_length = length,
			.transport = ANSWER_UDP,
		};
		size_t got = answer_query(test_db, &test_settings, &request, response, cases[i].size,
			NULL);
		ck_assert_uint_le(got, cases[i].size);
		ck_assert_msg(response[2] & 0x02, "%s: no TC", cases[i].query.name);
		ldns_pkt *packet_in = NULL;
		ck_assert_int_eq(ldns_wire2pkt(&packet_in, response, got), LDNS_STATUS_OK);
		char *answer = section_proof_text(ldns_pkt_answer(packet_in));
		char *authority = section_proof_text(ldns_pkt_authority(packet_in));
		ck_assert_str_eq(answer, cases[i].answer);
		ck_assert_str_eq(authority, cases[i].authority);
		free(answer);
		free(authority);
		ldns_pkt_free(packet_in);
	}
}
END_TEST

/* ---- EDNS details, checked on the OPT record itself ---- */

/* Returns the offset of the response's OPT record (the last additional record), or 0. */
static size_t
find_opt(size_t length)
{
	ldns_pkt *packet = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&packet, response, length), LDNS_STATUS_OK);
	bool edns = ldns_pkt_edns(packet);
	ldns_pkt_free(packet);
	if (!edns)
		return 0;
	/* The OPT is written last; NSID or not, search backwards for its fixed part. */
	for (size_t at = length - 11; at >= 12; at--) {
		if (response[at] == 0 && response[at + 1] == 0 && response[at + 2] == LDNS_RR_TYPE_OPT
			&& at + 11 + (size_t)(response[at + 9] << 8 | response[at + 10]) == length)
			return at;
	}
	return 0;
}

START_TEST(test_edns_opt_fields)
{
	struct query_spec spec = {"www.example.com", LDNS_RR_TYPE_A, 0, Q_DO};
	size_t length = ask(&test_settings, &spec);
	size_t opt = find_opt(length);
	ck_assert_uint_gt(opt, 0);
	ck_assert_uint_eq((unsigned)(response[opt + 3] << 8 | response[opt + 4]), 1232);
	ck_assert_uint_eq(response[opt + 5], 0);       /* extended rcode */
	ck_assert_uint_eq(response[opt + 6], 0);       /* version */
	ck_assert_uint_eq(response[opt + 7], 0x80);    /* DO echoed */
	ck_assert_uint_eq(response[opt + 9] << 8 | response[opt + 10], 0);  /* no options */
	/* No OPT in, no OPT out. */
	spec.options = 0;
	length = ask(&test_settings, &spec);
	ck_assert_uint_eq(find_opt(length), 0);
	ck_assert_uint_eq(header_u16(10), 0);
}
END_TEST

START_TEST(test_edns_default_size)
{
	struct answer_settings settings = {0};
	struct query_spec spec = {"www.example.com", LDNS_RR_TYPE_A, 0, Q_EDNS};
	size_t length = ask(&settings, &spec);
	size_t opt = find_opt(length);
	ck_assert_uint_gt(opt, 0);
	ck_assert_uint_eq((unsigned)(response[opt + 3] << 8 | response[opt + 4]),
		ANSWER_DEFAULT_EDNS_SIZE);
	/* Nothing configured: the CH names are refused. */
	struct query_spec chaos = {"version.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH};
	length = ask(&settings, &chaos);
	check_response("CH unconfigured", length,
		&(struct expect){LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""});
}
END_TEST

START_TEST(test_edns_nsid)
{
	struct query_spec spec = {"www.example.com", LDNS_RR_TYPE_A, 0, Q_NSID};
	size_t length = ask(&test_settings, &spec);
	size_t opt = find_opt(length);
	ck_assert_uint_gt(opt, 0);
	static const uint8_t nsid_option[] = {0, 8, 0, 3, 0, 4, 'n', 's', '-', 'a'};
	ck_assert_mem_eq(response + opt + 9, nsid_option, sizeof nsid_option);
	/* Not configured: requested but not sent. */
	struct answer_settings settings = test_settings;
	settings.nsid = NULL;
	length = ask(&settings, &spec);
	opt = find_opt(length);
	ck_assert_uint_eq(response[opt + 9] << 8 | response[opt + 10], 0);
	/* Configured but not requested: not sent. */
	spec.options = Q_EDNS;
	length = ask(&test_settings, &spec);
	opt = find_opt(length);
	ck_assert_uint_eq(response[opt + 9] << 8 | response[opt + 10], 0);
	/* Every response to a query that asks carries it: REFUSED, CH, over TCP. */
	static const struct query_spec asking[] = {
		{"www.example.net", LDNS_RR_TYPE_A, 0, Q_NSID},
		{"id.server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH, Q_NSID},
		{"www.example.com", LDNS_RR_TYPE_A, 0, Q_NSID | Q_TCP},
	};
	for (size_t i = 0; i < sizeof asking / sizeof asking[0]; i++) {
		length = ask(&test_settings, &asking[i]);
		opt = find_opt(length);
		ck_assert_uint_gt(opt, 0);
		ck_assert_mem_eq(response + opt + 9, nsid_option, sizeof nsid_option);
	}
}
END_TEST

/* server-id and hostname are separate (BIND): each refused alone when not set. */
START_TEST(test_chaos_identity_separate)
{
	struct answer_settings settings = test_settings;
	settings.hostname = NULL;
	struct query_spec id = {"ID.Server", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH};
	struct query_spec host = {"hostname.bind", LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_CH};
	check_response("CH id.server without hostname", ask(&settings, &id),
		&(struct expect){0, "qr aa", 1, 1, 0, 0, "ID.Server. 0 CH TXT \"test-host\"", "", ""});
	check_response("CH hostname.bind with hostname none", ask(&settings, &host),
		&(struct expect){LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""});
	settings = test_settings;
	settings.identity = NULL;
	check_response("CH id.server with server-id none", ask(&settings, &id),
		&(struct expect){LDNS_RCODE_REFUSED, "qr", 1, 0, 0, 0, "", "", ""});
	check_response("CH hostname.bind without server-id", ask(&settings, &host),
		&(struct expect){0, "qr aa", 1, 1, 0, 0, "hostname.bind. 0 CH TXT \"host-b\"", "", ""});
}
END_TEST

START_TEST(test_compression)
{
	struct query_spec spec = {"www.example.com", LDNS_RR_TYPE_A};
	size_t length = ask(&test_settings, &spec);
	/* header 12 + question 17 + 4: the answer's owner is a pointer to the question. */
	ck_assert_uint_eq(length, 12 + 21 + 2 + 10 + 4);
	ck_assert_uint_eq(response[33], 0xc0);
	ck_assert_uint_eq(response[34], 0x0c);
	/* NS targets compress against the owner: "ns1" + pointer to example.com. */
	struct query_spec ns = {"example.com", LDNS_RR_TYPE_NS};
	length = ask(&test_settings, &ns);
	size_t first_rdata = 12 + 17 + 2 + 10;
	ck_assert_uint_eq(response[first_rdata - 1], 6);  /* rdlength: 1 + 3 + 2 */
	ck_assert_uint_eq(response[first_rdata + 4], 0xc0);
	ck_assert_uint_eq(response[first_rdata + 5], 0x0c);
}
END_TEST

/*
 * The SOA of a negative answer: MNAME and RNAME compress against the apex in
 * the question, or, when the question ends in one of them, against that
 * (answer_put_negative_soa's direct path and the general compressor agree).
 */
START_TEST(test_negative_soa_compression)
{
	static const uint8_t fixed[] = {0, 0, 0, 1, 0, 0, 0x1c, 0x20, 0, 0, 0x0e, 0x10,
		0, 0x12, 0x75, 0, 0, 0, 1, 0x2c};   /* serial 1 7200 3600 1209600 300 */
	/* nx.example.com: the apex is at 12 + 3 = 15 in the question. */
	struct query_spec nx = {"nx.example.com", LDNS_RR_TYPE_A};
	static const uint8_t nx_soa[] = {0xc0, 15, 0, 6, 0, 1, 0, 0, 1, 0x2c, 0, 39,
		3, 'n', 's', '1', 0xc0, 15,
		10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 15};
	size_t length = ask(&test_settings, &nx);
	size_t soa = 12 + 16 + 4;
	ck_assert_uint_eq(response[3] & 0x0f, LDNS_RCODE_NXDOMAIN);
	ck_assert_uint_eq(header_u16(8), 1);
	ck_assert_uint_eq(length, soa + sizeof nx_soa + sizeof fixed);
	ck_assert_mem_eq(response + soa, nx_soa, sizeof nx_soa);
	ck_assert_mem_eq(response + soa + sizeof nx_soa, fixed, sizeof fixed);
	/* x.ns1.example.com: MNAME is the question's suffix at 14, the apex at 18. */
	struct query_spec below_ns1 = {"x.ns1.example.com", LDNS_RR_TYPE_A};
	static const uint8_t below_soa[] = {0xc0, 18, 0, 6, 0, 1, 0, 0, 1, 0x2c, 0, 35,
		0xc0, 14,
		10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 18};
	length = ask(&test_settings, &below_ns1);
	soa = 12 + 19 + 4;
	ck_assert_uint_eq(response[3] & 0x0f, LDNS_RCODE_NXDOMAIN);
	ck_assert_uint_eq(length, soa + sizeof below_soa + sizeof fixed);
	ck_assert_mem_eq(response + soa, below_soa, sizeof below_soa);
	ck_assert_mem_eq(response + soa + sizeof below_soa, fixed, sizeof fixed);
}
END_TEST

/* A DNAME target is never compressed (RFC 6672 2.5, RFC 3597 4). */
START_TEST(test_dname_target_uncompressed)
{
	struct query_spec spec = {"in.example.com", LDNS_RR_TYPE_DNAME};
	size_t length = ask(&test_settings, &spec);
	/* owner pointer 2, fixed 10, then the full 19-octet inner.example.com. */
	size_t rdata = 12 + 20 + 2 + 10;
	ck_assert_uint_eq(length, rdata + 19);
	ck_assert_uint_eq(response[rdata - 1], 19);
	ck_assert_mem_eq(response + rdata, "\5inner\7example\3com", 19);
}
END_TEST

/* ---- the result: what was built, for rate limiting and statistics ---- */

static const struct {
	struct query_spec query;
	enum answer_kind kind;
	const char *zone;        /* origin of the zone that answered; NULL: none */
	const char *imputed;     /* NULL: none */
} result_cases[] = {
	{{"www.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_ANSWER, "example.com.", "www.example.com."},
	{{"WWW.Example.COM", LDNS_RR_TYPE_A}, ANSWER_KIND_ANSWER, "example.com.", "www.example.com."},
	{{"www.example.com", LDNS_RR_TYPE_MX}, ANSWER_KIND_NODATA, "example.com.", "www.example.com."},
	{{"nothere.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_NXDOMAIN, "example.com.",
		"example.com."},
	{{"dangling.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_NXDOMAIN, "example.com.",
		"example.com."},
	{{"www.sub.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_REFERRAL, "example.com.",
		"sub.example.com."},
	{{"x.cw.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_ANSWER, "example.com.", "cw.example.com."},
	{{"www.child.example.com", LDNS_RR_TYPE_A}, ANSWER_KIND_ANSWER, "child.example.com.",
		"www.child.example.com."},
	{{"child.example.com", LDNS_RR_TYPE_DS}, ANSWER_KIND_ANSWER, "example.com.",
		"child.example.com."},
	{{"www.example.org", LDNS_RR_TYPE_A}, ANSWER_KIND_REFUSED, NULL, NULL},
	{{"www.example.com", LDNS_RR_TYPE_A, LDNS_RR_CLASS_HS}, ANSWER_KIND_REFUSED, NULL, NULL},
};

START_TEST(test_result)
{
	uint8_t packet[600];
	size_t length = build_query(&result_cases[_i].query, packet);
	struct answer_request request = {
		.query = packet,
		.query_length = length,
		.transport = ANSWER_UDP,
	};
	struct answer_result result;
	size_t built = answer_query(test_db, &test_settings, &request, response, sizeof response,
		&result);
	const char *what = result_cases[_i].query.name;
	ck_assert_uint_eq(result.length, built);
	ck_assert_msg(result.kind == result_cases[_i].kind, "%s: kind %d", what, result.kind);
	ck_assert_uint_eq(result.rcode, response[3] & 0x0f);
	ck_assert_uint_eq(result.qtype, result_cases[_i].query.type);
	ck_assert_uint_eq(result.authoritative, (response[2] & 0x04) != 0);
	ck_assert_uint_eq(result.truncated, (response[2] & 0x02) != 0);
	for (unsigned section = 0; section < 3; section++)
		ck_assert_uint_eq(result.counts[section], header_u16(6 + 2 * section));
	char text[1024];
	if (result_cases[_i].zone == NULL) {
		ck_assert_ptr_null(result.zone);
	} else {
		ck_assert_ptr_nonnull(result.zone);
		dname_to_text(result.zone->origin, text, sizeof text);
		ck_assert_str_eq(text, result_cases[_i].zone);
	}
	if (result_cases[_i].imputed == NULL) {
		ck_assert_ptr_null(result.imputed_name);
		return;
	}
	ck_assert_ptr_nonnull(result.imputed_name);
	ck_assert_uint_eq(result.imputed_name_length, dname_length(result.imputed_name));
	dname_to_text(result.imputed_name, text, sizeof text);
	ck_assert_str_eq(text, result_cases[_i].imputed);
}
END_TEST

/* ---- malformed queries ---- */

struct raw_case {
	const char *what;
	const uint8_t *bytes;
	size_t length;
	int rcode;        /* -1: dropped */
	unsigned qdcount; /* echoed questions */
	unsigned arcount; /* echoed OPT */
};

#define HEADER(flags, qd, an, ns, ar) 0x12, 0x34, flags, 0x00, 0, qd, 0, an, 0, ns, 0, ar
#define QUESTION_WWW 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, \
	0, 1, 0, 1
#define OPT(version, rdlength) 0, 0, 41, 0x10, 0x00, 0, version, 0x80, 0, 0, rdlength

static const uint8_t q_short[] = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0};
static const uint8_t q_qr[] = {HEADER(0x80, 1, 0, 0, 0), QUESTION_WWW};
static const uint8_t q_update[] = {HEADER(5 << 3, 1, 0, 0, 0), QUESTION_WWW};
static const uint8_t q_notify[] = {HEADER(4 << 3, 1, 0, 0, 0), QUESTION_WWW};
static const uint8_t q_qd0[] = {HEADER(0, 0, 0, 0, 0)};
static const uint8_t q_qd2[] = {HEADER(0, 2, 0, 0, 0), QUESTION_WWW, QUESTION_WWW};
static const uint8_t q_label_type[] = {HEADER(0, 1, 0, 0, 0), 0x40, 'a', 0, 0, 1, 0, 1};
static const uint8_t q_pointer[] = {HEADER(0, 1, 0, 0, 0), 0xc0, 12, 0, 1, 0, 1};
static const uint8_t q_cut_name[] = {HEADER(0, 1, 0, 0, 0), 3, 'w', 'w'};
static const uint8_t q_no_class[] = {HEADER(0, 1, 0, 0, 0), 3, 'w', 'w', 'w', 0, 0, 1};
static const uint8_t q_ancount[] = {HEADER(0, 1, 1, 0, 0), QUESTION_WWW};
static const uint8_t q_nscount[] = {HEADER(0, 1, 0, 1, 0), QUESTION_WWW};
static const uint8_t q_two_opt[] = {HEADER(0, 1, 0, 0, 2), QUESTION_WWW, OPT(0, 0), OPT(0, 0)};
static const uint8_t q_opt_owner[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, 1, 'x', OPT(0, 0)};
static const uint8_t q_opt_rdlength[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, OPT(0, 8), 0, 3, 0};
static const uint8_t q_opt_option[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, OPT(0, 4), 0, 3, 0, 9};
static const uint8_t q_trailing[] = {HEADER(0, 1, 0, 0, 0), QUESTION_WWW, 0xff};
static const uint8_t q_trailing_opt[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, OPT(0, 0), 0xff};
static const uint8_t q_not_opt[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, 0, 0, 1, 0, 1, 0, 0, 0,
	0, 0, 4, 1, 2, 3, 4};
/* RFC 6891 6.1.1: a request with an OPT gets one back, whatever else is wrong with it. */
static const uint8_t q_qd0_opt[] = {HEADER(0, 0, 0, 0, 1), OPT(0, 0)};
static const uint8_t q_qd0_badvers[] = {HEADER(0, 0, 0, 0, 1), OPT(1, 0)};
static const uint8_t q_qd2_opt[] = {HEADER(0, 2, 0, 0, 1), QUESTION_WWW, QUESTION_WWW, OPT(0, 0)};
static const uint8_t q_ancount_opt[] = {HEADER(0, 1, 1, 0, 1), QUESTION_WWW, 0xc0, 12, 0, 1, 0, 1,
	0, 0, 0, 60, 0, 4, 192, 0, 2, 1, OPT(0, 0)};
static const uint8_t q_update_opt[] = {HEADER(5 << 3, 1, 0, 0, 1), QUESTION_WWW, OPT(0, 0)};
static const uint8_t q_update_badvers[] = {HEADER(5 << 3, 1, 0, 0, 1), QUESTION_WWW, OPT(1, 0)};
static const uint8_t q_qd0_cut_opt[] = {HEADER(0, 0, 0, 0, 1), 0, 0, 41};
static const uint8_t q_badvers[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, OPT(1, 0)};
static const uint8_t q_good[] = {HEADER(0, 1, 0, 0, 1), QUESTION_WWW, OPT(0, 0)};
/* RFC 1995 3: IXFR carries the client's SOA in the authority section. */
#define SOA_RDATA_EMPTY 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
static const uint8_t q_ixfr[] = {HEADER(0, 1, 0, 1, 0), 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
	'c', 'o', 'm', 0, 0, 251, 0, 1, 0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, SOA_RDATA_EMPTY};
static const uint8_t q_ixfr_two[] = {HEADER(0, 1, 0, 2, 0), 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	3, 'c', 'o', 'm', 0, 0, 251, 0, 1};
static const uint8_t q_class_any[] = {HEADER(0, 1, 0, 0, 0), 3, 'w', 'w', 'w', 7, 'e', 'x', 'a',
	'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 255};

/* A 256-octet name: four 63-octet labels. */
static uint8_t q_long_name[12 + 4 * 64 + 1 + 4];

#define RAW(what, bytes, rcode, qd, ar) {what, bytes, sizeof bytes, rcode, qd, ar}
static const struct raw_case raw_cases[] = {
	RAW("short header dropped", q_short, -1, 0, 0),
	RAW("QR set dropped", q_qr, -1, 0, 0),
	RAW("UPDATE: NOTIMP", q_update, LDNS_RCODE_NOTIMPL, 0, 0),
	RAW("NOTIFY of type A: FORMERR (RFC 1996 3.7: SOA)", q_notify, LDNS_RCODE_FORMERR, 1, 0),
	RAW("QDCOUNT 0: FORMERR", q_qd0, LDNS_RCODE_FORMERR, 0, 0),
	RAW("QDCOUNT 2: FORMERR", q_qd2, LDNS_RCODE_FORMERR, 0, 0),
	RAW("bad label type: FORMERR", q_label_type, LDNS_RCODE_FORMERR, 0, 0),
	RAW("compression in the question: FORMERR", q_pointer, LDNS_RCODE_FORMERR, 0, 0),
	RAW("name past the end: FORMERR", q_cut_name, LDNS_RCODE_FORMERR, 0, 0),
	RAW("no QCLASS: FORMERR", q_no_class, LDNS_RCODE_FORMERR, 0, 0),
	RAW("name over 255 octets: FORMERR", q_long_name, LDNS_RCODE_FORMERR, 0, 0),
	RAW("ANCOUNT 1: FORMERR with the question", q_ancount, LDNS_RCODE_FORMERR, 1, 0),
	RAW("NSCOUNT 1: FORMERR with the question", q_nscount, LDNS_RCODE_FORMERR, 1, 0),
	RAW("two OPT: FORMERR", q_two_opt, LDNS_RCODE_FORMERR, 1, 0),
	RAW("OPT not at the root: FORMERR", q_opt_owner, LDNS_RCODE_FORMERR, 1, 0),
	RAW("OPT rdlength past the end: FORMERR", q_opt_rdlength, LDNS_RCODE_FORMERR, 1, 0),
	RAW("EDNS option past the rdata: FORMERR", q_opt_option, LDNS_RCODE_FORMERR, 1, 0),
	RAW("trailing octet: FORMERR", q_trailing, LDNS_RCODE_FORMERR, 1, 0),
	RAW("trailing octet after OPT: FORMERR with OPT", q_trailing_opt, LDNS_RCODE_FORMERR, 1, 1),
	RAW("additional record other than OPT: FORMERR", q_not_opt, LDNS_RCODE_FORMERR, 1, 0),
	RAW("EDNS version 1: BADVERS", q_badvers, 16, 1, 1),
	RAW("QDCOUNT 0 with OPT: FORMERR with OPT", q_qd0_opt, LDNS_RCODE_FORMERR, 0, 1),
	RAW("QDCOUNT 0 with EDNS version 1: BADVERS first", q_qd0_badvers, 16, 0, 1),
	RAW("QDCOUNT 2 with OPT: FORMERR with OPT", q_qd2_opt, LDNS_RCODE_FORMERR, 0, 1),
	RAW("ANCOUNT 1 with OPT: FORMERR with OPT", q_ancount_opt, LDNS_RCODE_FORMERR, 1, 1),
	RAW("QDCOUNT 0, OPT cut short: FORMERR", q_qd0_cut_opt, LDNS_RCODE_FORMERR, 0, 0),
	RAW("UPDATE with OPT: NOTIMP with OPT", q_update_opt, LDNS_RCODE_NOTIMPL, 0, 1),
	RAW("UPDATE with EDNS version 1: BADVERS", q_update_badvers, 16, 0, 1),
	RAW("well-formed control case", q_good, LDNS_RCODE_NOERROR, 1, 1),
	RAW("IXFR with its SOA, no allow-transfer: REFUSED", q_ixfr, LDNS_RCODE_REFUSED, 1, 0),
	RAW("IXFR with two authority records: FORMERR", q_ixfr_two, LDNS_RCODE_FORMERR, 1, 0),
	RAW("QCLASS ANY: answered", q_class_any, LDNS_RCODE_NOERROR, 1, 0),
};

START_TEST(test_malformed)
{
	const struct raw_case *c = &raw_cases[_i];
	if (c->bytes == q_long_name) {
		static const uint8_t header[] = {HEADER(0, 1, 0, 0, 0)};
		memcpy(q_long_name, header, sizeof header);
		for (size_t label = 0; label < 4; label++) {
			q_long_name[12 + label * 64] = 63;
			memset(q_long_name + 12 + label * 64 + 1, 'a', 63);
		}
		q_long_name[12 + 256] = 0;
		memcpy(q_long_name + 12 + 257, "\0\1\0\1", 4);
	}
	struct answer_request request = {
		.query = c->bytes,
		.query_length = c->length,
		.transport = ANSWER_UDP,
	};
	size_t length = answer_query(test_db, &test_settings, &request,
		response, sizeof response, NULL);
	if (c->rcode < 0) {
		ck_assert_msg(length == 0, "%s: answered", c->what);
		return;
	}
	ck_assert_msg(length >= 12, "%s: dropped", c->what);
	ck_assert_uint_eq(response[0], 0x12);
	ck_assert_uint_eq(response[1], 0x34);
	ck_assert_msg(response[2] & 0x80, "%s: QR clear", c->what);
	/* The opcode is echoed. */
	ck_assert_uint_eq(response[2] & 0x78, c->bytes[2] & 0x78);
	int rcode = response[3] & 0x0f;
	size_t opt = c->arcount ? find_opt(length) : 0;
	if (opt != 0)
		rcode |= response[opt + 5] << 4;
	ck_assert_msg(rcode == c->rcode, "%s: rcode %d, want %d", c->what, rcode, c->rcode);
	ck_assert_msg(header_u16(4) == c->qdcount, "%s: qdcount %u", c->what, header_u16(4));
	ck_assert_msg(header_u16(10) == c->arcount, "%s: arcount %u", c->what, header_u16(10));
	ck_assert_uint_eq(header_u16(6), c->rcode == 0 ? 1 : 0);
	ck_assert_uint_eq(header_u16(8), 0);
	if (c->qdcount == 1) {
		/* The question is echoed byte for byte. */
		size_t question = 12;
		while (c->bytes[question] != 0)
			question += c->bytes[question] + 1u;
		question += 5;
		ck_assert_mem_eq(response + 12, c->bytes + 12, question - 12);
	}
	if (c->rcode == 16)
		ck_assert_uint_eq(response[opt + 7], 0x80);  /* DO echoed with BADVERS */
}
END_TEST

/* A response buffer smaller than the limit still yields a valid, truncated message. */
START_TEST(test_small_buffer)
{
	uint8_t packet[600];
	struct query_spec spec = {"big.example.com", LDNS_RR_TYPE_TXT, 0, Q_TCP};
	size_t length = build_query(&spec, packet);
	uint8_t small[200];
	struct answer_request request = {
		.query = packet,
		.query_length = length,
		.transport = ANSWER_TCP,
	};
	size_t got = answer_query(test_db, &test_settings, &request,
		small, sizeof small, NULL);
	ck_assert_uint_gt(got, 12);
	ck_assert_uint_le(got, sizeof small);
	ck_assert(small[2] & 0x02);
	ck_assert(answer_query(test_db, &test_settings, &request, small, 11, NULL) == 0);
}
END_TEST

/* ---- allow-query: options' list, a zone's own list, REFUSED ---- */

/* Compiles elements ("!" allowed in front) into an acl. */
static struct acl *
compile_acl(const char *const *texts)
{
	struct acl_list *list = acl_list_create();
	ck_assert_ptr_nonnull(list);
	for (size_t i = 0; texts[i] != NULL; i++) {
		struct acl_element e;
		bool negated = texts[i][0] == '!';
		ck_assert_int_eq(acl_element_parse(texts[i] + negated, &e, NULL), 0);
		e.negated = negated;
		ck_assert_int_eq(acl_list_append(list, &e), 0);
	}
	struct acl_context context = {0};
	struct acl *acl = NULL;
	ck_assert_int_eq(acl_compile(list, &context, &acl), 0);
	acl_list_free(list);
	return acl;
}

static const struct {
	struct query_spec query;
	const char *client;       /* NULL: no client (offline tools) */
	enum answer_kind kind;
} allow_cases[] = {
	/* options: { !192.0.2.66; any; }; child.example.com: { 192.0.2.0/24; }; */
	{{"www.example.com", LDNS_RR_TYPE_A}, "198.51.100.1", ANSWER_KIND_ANSWER},
	{{"www.example.com", LDNS_RR_TYPE_A}, "192.0.2.66", ANSWER_KIND_REFUSED},
	{{"nothing.example.com", LDNS_RR_TYPE_A}, "192.0.2.66", ANSWER_KIND_REFUSED},
	{{"www.example.com", LDNS_RR_TYPE_A}, NULL, ANSWER_KIND_ANSWER},
	/* the zone's own list replaces the options' one, both ways */
	{{"www.child.example.com", LDNS_RR_TYPE_A}, "192.0.2.66", ANSWER_KIND_ANSWER},
	{{"www.child.example.com", LDNS_RR_TYPE_A}, "198.51.100.1", ANSWER_KIND_REFUSED},
	{{"www.child.example.com", LDNS_RR_TYPE_A}, "::ffff:192.0.2.9", ANSWER_KIND_ANSWER},
	{{"www.child.example.com", LDNS_RR_TYPE_A}, "2001:db8::1", ANSWER_KIND_REFUSED},
	/* DS at the child's apex is the parent's answer, under the parent's list */
	{{"child.example.com", LDNS_RR_TYPE_DS}, "198.51.100.1", ANSWER_KIND_ANSWER},
	{{"child.example.com", LDNS_RR_TYPE_DS}, "192.0.2.66", ANSWER_KIND_REFUSED},
	/* a zone without its own list is under the options' one */
	{{"signed.test", LDNS_RR_TYPE_SOA}, "192.0.2.66", ANSWER_KIND_REFUSED},
	{{"signed.test", LDNS_RR_TYPE_SOA}, "192.0.2.67", ANSWER_KIND_ANSWER},
};

/* A zone-level map giving child.example.com the list acl. */
static void
map_child_zone(struct acl_zone_map *map, const struct acl *acl)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("child.example.com.", origin), 0);
	ck_assert_int_eq(acl_zone_map_init(map, 1), 0);
	acl_zone_map_put(map, zonedb_find(test_db, origin, dname_length(origin)), acl);
}

START_TEST(test_allow_query)
{
	static const char *const global_texts[] = { "!192.0.2.66", "any", NULL };
	static const char *const child_texts[] = { "192.0.2.0/24", NULL };
	struct acl *global = compile_acl(global_texts), *child = compile_acl(child_texts);
	struct acl_zone_map map;
	map_child_zone(&map, child);
	struct answer_settings settings = test_settings;
	settings.allow_query = global;
	settings.zone_allow_query = &map;

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	const char *text = allow_cases[_i].client;
	if (text != NULL && strchr(text, ':') == NULL) {
		ss.ss_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr), 1);
	} else if (text != NULL) {
		ss.ss_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, text,
			&((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
	}
	uint8_t packet[600];
	struct answer_request request = {
		.query = packet,
		.query_length = build_query(&allow_cases[_i].query, packet),
		.transport = ANSWER_UDP,
		.client = text ? (const struct sockaddr *)&ss : NULL,
	};
	struct answer_result result;
	answer_query(test_db, &settings, &request, response, sizeof response, &result);
	const char *what = allow_cases[_i].query.name;
	ck_assert_msg(result.kind == allow_cases[_i].kind, "%s from %s: kind %d", what,
		text ? text : "-", result.kind);
	if (result.kind == ANSWER_KIND_REFUSED) {
		ck_assert_uint_eq(response[3] & 0x0f, LDNS_RCODE_REFUSED);
		ck_assert_uint_eq(response[2] & 0x04, 0);     /* no AA */
		ck_assert_uint_eq(header_u16(6), 0);
		ck_assert_ptr_null(result.zone);
	}
	acl_zone_map_free(&map);
	acl_free(global);
	acl_free(child);
}
END_TEST

/* ---- DNS Cookies (RFC 7873, RFC 9018) ---- */

#define COOKIE_NOW 1764720000u        /* the request's clock */
#define COOKIE_SECRET_A 0x11           /* secrets: 16 times this octet */
#define COOKIE_SECRET_B 0x22

/* What the query's COOKIE option holds. */
enum cookie_content {
	C_NONE,          /* no COOKIE option */
	C_CLIENT,        /* client cookie only (8) */
	C_FOREIGN,       /* with an 8-octet server cookie not ours (16) */
	C_VALID,         /* with our server cookie, made now (24) */
	C_PREVIOUS,      /* made with the second, previous secret (24) */
	C_OLD,           /* made 3601 s ago (24) */
	C_AHEAD,         /* made 300 s ahead: still valid (24) */
	C_BAD_HASH,      /* ours with one bit flipped (24) */
	C_OTHER_CLIENT,  /* ours, but made for another address (24) */
	C_LONG,          /* with a 32-octet server cookie (40) */
	C_LENGTH,        /* only length octets: malformed unless 8, 16..40 */
	C_TWO_BAD,       /* a valid one, then a 7-octet one: FORMERR */
	C_TWO_GOOD,      /* a valid one, then a client cookie: the first counts */
};

struct cookie_case {
	const char *what;
	enum cookie_content content;
	size_t length;         /* C_LENGTH only */
	unsigned flags;        /* CK_* below */
	int rcode;             /* with the extended bits */
	bool answered;         /* an answer record came back */
	bool cookie;           /* a 24-octet COOKIE came back */
	bool valid;            /* result->cookie_valid */
};

#define CK_TCP 1
#define CK_REQUIRE 2       /* require-server-cookie yes */
#define CK_OFF 4           /* answer-cookie no: settings without cookies */
#define CK_NO_QUESTION 8   /* QDCOUNT 0 */

static const struct cookie_case cookie_cases[] = {
	{ "no COOKIE: none back", C_NONE, 0, 0, 0, true, false, false },
	{ "client cookie only: answered, cookie back", C_CLIENT, 0, 0, 0, true, true, false },
	{ "another server's cookie: answered, ours back", C_FOREIGN, 0, 0, 0, true, true, false },
	{ "our valid cookie", C_VALID, 0, 0, 0, true, true, true },
	{ "made with the previous secret: valid", C_PREVIOUS, 0, 0, 0, true, true, true },
	{ "an hour and a second old: answered, new cookie", C_OLD, 0, 0, 0, true, true, false },
	{ "five minutes ahead: valid", C_AHEAD, 0, 0, 0, true, true, true },
	{ "wrong hash: answered, new cookie", C_BAD_HASH, 0, 0, 0, true, true, false },
	{ "another address's cookie: not valid", C_OTHER_CLIENT, 0, 0, 0, true, true, false },
	{ "32-octet server cookie: answered", C_LONG, 0, 0, 0, true, true, false },
	{ "length 8", C_LENGTH, 8, 0, 0, true, true, false },
	{ "length 16", C_LENGTH, 16, 0, 0, true, true, false },
	{ "length 40", C_LENGTH, 40, 0, 0, true, true, false },
	{ "length 0: FORMERR", C_LENGTH, 0, 0, LDNS_RCODE_FORMERR, false, false, false },
	{ "length 7: FORMERR", C_LENGTH, 7, 0, LDNS_RCODE_FORMERR, false, false, false },
	{ "length 9: FORMERR", C_LENGTH, 9, 0, LDNS_RCODE_FORMERR, false, false, false },
	{ "length 15: FORMERR", C_LENGTH, 15, 0, LDNS_RCODE_FORMERR, false, false, false },
	{ "length 41: FORMERR", C_LENGTH, 41, 0, LDNS_RCODE_FORMERR, false, false, false },
	{ "length 7 over TCP: FORMERR", C_LENGTH, 7, CK_TCP, LDNS_RCODE_FORMERR, false, false,
		false },
	{ "length 7, cookies off: FORMERR still", C_LENGTH, 7, CK_OFF, LDNS_RCODE_FORMERR, false,
		false, false },
	{ "valid then malformed: FORMERR", C_TWO_BAD, 0, 0, LDNS_RCODE_FORMERR, false, false,
		false },
	{ "valid then client only: the first counts", C_TWO_GOOD, 0, 0, 0, true, true, true },
	{ "require: client only over UDP: BADCOOKIE", C_CLIENT, 0, CK_REQUIRE, RCODE_BADCOOKIE,
		false, true, false },
	{ "require: bad hash over UDP: BADCOOKIE", C_BAD_HASH, 0, CK_REQUIRE, RCODE_BADCOOKIE,
		false, true, false },
	{ "require: valid over UDP: answered", C_VALID, 0, CK_REQUIRE, 0, true, true, true },
	{ "require: no COOKIE at all: answered", C_NONE, 0, CK_REQUIRE, 0, true, false, false },
	{ "require: client only over TCP: answered", C_CLIENT, 0, CK_REQUIRE | CK_TCP, 0, true,
		true, false },
	{ "answer-cookie no: none back", C_CLIENT, 0, CK_OFF, 0, true, false, false },
	{ "answer-cookie no, require: answered", C_CLIENT, 0, CK_OFF | CK_REQUIRE, 0, true, false,
		false },
	{ "no question, client cookie: NOERROR and a cookie", C_CLIENT, 0, CK_NO_QUESTION, 0, false,
		true, false },
	{ "no question, valid cookie: NOERROR", C_VALID, 0, CK_NO_QUESTION, 0, false, true, true },
	{ "no question, bad cookie, require: NOERROR (BIND)", C_BAD_HASH, 0,
		CK_NO_QUESTION | CK_REQUIRE, 0, false, true, false },
	{ "no question, no cookie: FORMERR", C_NONE, 0, CK_NO_QUESTION, LDNS_RCODE_FORMERR, false,
		false, false },
	{ "no question, cookies off: FORMERR", C_CLIENT, 0, CK_NO_QUESTION | CK_OFF,
		LDNS_RCODE_FORMERR, false, false, false },
};

static const uint8_t cookie_client_cookie[COOKIE_CLIENT_LENGTH] = { 0xc0, 0x0c, 1, 2, 3, 4, 5, 6 };

static struct cookie_config
cookie_test_config(bool require)
{
	struct cookie_config config;
	memset(&config, 0, sizeof config);
	memset(config.secrets[0], COOKIE_SECRET_A, COOKIE_SECRET_LENGTH);
	memset(config.secrets[1], COOKIE_SECRET_B, COOKIE_SECRET_LENGTH);
	config.secret_count = 2;
	config.require_server_cookie = require;
	return config;
}

static struct sockaddr_in
cookie_address(const char *text)
{
	struct sockaddr_in in;
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons(40000);
	ck_assert_int_eq(inet_pton(AF_INET, text, &in.sin_addr), 1);
	return in;
}

/* Appends one COOKIE option with content to packet at length; returns the new length. */
static size_t
put_cookie_option(uint8_t *packet, size_t length, enum cookie_content content, size_t size,
	const struct cookie_config *config)
{
	uint8_t data[64];
	memcpy(data, cookie_client_cookie, sizeof cookie_client_cookie);
	size_t data_length = COOKIE_LENGTH;
	struct sockaddr_in client = cookie_address("192.0.2.53");
	struct sockaddr_in other = cookie_address("192.0.2.54");
	const struct sockaddr *from = (const struct sockaddr *)&client;
	uint8_t *server = data + COOKIE_CLIENT_LENGTH;
	switch (content) {
	case C_NONE: return length;
	case C_CLIENT: data_length = 8; break;
	case C_FOREIGN: data_length = 16; memset(server, 0xab, 8); break;
	case C_VALID: case C_TWO_BAD: case C_TWO_GOOD:
		cookie_make(config->secrets[0], data, from, COOKIE_NOW, server); break;
	case C_PREVIOUS: cookie_make(config->secrets[1], data, from, COOKIE_NOW, server); break;
	case C_OLD: cookie_make(config->secrets[0], data, from, COOKIE_NOW - 3601, server); break;
	case C_AHEAD: cookie_make(config->secrets[0], data, from, COOKIE_NOW + 300, server); break;
	case C_BAD_HASH:
		cookie_make(config->secrets[0], data, from, COOKIE_NOW, server);
		server[15] ^= 1;
		break;
	case C_OTHER_CLIENT:
		cookie_make(config->secrets[0], data, (const struct sockaddr *)&other, COOKIE_NOW,
			server);
		break;
	case C_LONG: data_length = 40; memset(server, 0xcd, 32); break;
	case C_LENGTH: data_length = size; memset(server, 0xef, sizeof data - 8); break;
	}
	length += put_u16(packet + length, COOKIE_OPTION_CODE);
	length += put_u16(packet + length, (uint16_t)data_length);
	memcpy(packet + length, data, data_length);
	length += data_length;
	if (content == C_TWO_BAD || content == C_TWO_GOOD) {
		uint16_t second = content == C_TWO_BAD ? 7 : 8;
		length += put_u16(packet + length, COOKIE_OPTION_CODE);
		length += put_u16(packet + length, second);
		memcpy(packet + length, cookie_client_cookie, second);
		length += second;
	}
	return length;
}

/* Builds www.example.com A (or no question) with an OPT holding the case's COOKIE. */
static size_t
build_cookie_query(const struct cookie_case *c, const struct cookie_config *config,
	uint8_t *packet)
{
	static const uint8_t question[] = {QUESTION_WWW};
	bool no_question = (c->flags & CK_NO_QUESTION) != 0;
	const uint8_t header[] = {HEADER(0, no_question ? 0 : 1, 0, 0, 1)};
	size_t length = 0;
	memcpy(packet, header, sizeof header);
	length += sizeof header;
	if (!no_question) {
		memcpy(packet + length, question, sizeof question);
		length += sizeof question;
	}
	const uint8_t opt[] = {OPT(0, 0)};
	memcpy(packet + length, opt, sizeof opt);
	length += sizeof opt;
	size_t rdata = length;
	length = put_cookie_option(packet, length, c->content, c->length, config);
	put_u16(packet + rdata - 2, (uint16_t)(length - rdata));
	return length;
}

/* The COOKIE option of the response's OPT at opt: its data, or NULL. */
static const uint8_t *
response_cookie(size_t opt, size_t *cookie_length)
{
	size_t end = opt + 11 + (size_t)(response[opt + 9] << 8 | response[opt + 10]);
	for (size_t at = opt + 11; at + 4 <= end;) {
		unsigned code = (unsigned)(response[at] << 8 | response[at + 1]);
		size_t length = (size_t)(response[at + 2] << 8 | response[at + 3]);
		if (code == COOKIE_OPTION_CODE) {
			*cookie_length = length;
			return response + at + 4;
		}
		at += 4 + length;
	}
	return NULL;
}

START_TEST(test_cookies)
{
	const struct cookie_case *c = &cookie_cases[_i];
	struct cookie_config config = cookie_test_config((c->flags & CK_REQUIRE) != 0);
	struct answer_settings settings = test_settings;
	settings.cookies = (c->flags & CK_OFF) ? NULL : &config;
	uint8_t packet[600];
	size_t query_length = build_cookie_query(c, &config, packet);
	struct sockaddr_in client = cookie_address("192.0.2.53");
	struct answer_request request = {
		.query = packet,
		.query_length = query_length,
		.transport = (c->flags & CK_TCP) ? ANSWER_TCP : ANSWER_UDP,
		.client = (const struct sockaddr *)&client,
		.now = COOKIE_NOW,
	};
	struct answer_result result;
	size_t length = answer_query(test_db, &settings, &request, response, sizeof response,
		&result);
	ck_assert_msg(length >= 12, "%s: dropped", c->what);
	/* Every one of these queries had an OPT, so every response has one. */
	size_t opt = find_opt(length);
	ck_assert_msg(opt > 0, "%s: no OPT", c->what);
	ck_assert_uint_eq(result.opt_offset, opt);
	int rcode = (response[3] & 0x0f) | response[opt + 5] << 4;
	ck_assert_msg(rcode == c->rcode, "%s: rcode %d, want %d", c->what, rcode, c->rcode);
	ck_assert_uint_eq(result.rcode, (unsigned)c->rcode);
	ck_assert_msg((header_u16(6) > 0) == c->answered, "%s: ancount %u", c->what,
		header_u16(6));
	ck_assert_uint_eq(header_u16(4), (c->flags & CK_NO_QUESTION) ? 0 : 1);
	if (c->rcode == RCODE_BADCOOKIE) {
		ck_assert_msg(!(response[2] & 0x04), "%s: AA with BADCOOKIE", c->what);
		ck_assert_int_eq(result.kind, ANSWER_KIND_BADCOOKIE);
	}
	ck_assert_msg(result.cookie_valid == c->valid, "%s: cookie_valid %d", c->what,
		result.cookie_valid);
	ck_assert_msg(result.cookie == c->cookie, "%s: result.cookie %d", c->what, result.cookie);
	size_t cookie_length = 0;
	const uint8_t *cookie = response_cookie(opt, &cookie_length);
	if (!c->cookie) {
		ck_assert_msg(cookie == NULL, "%s: a COOKIE came back", c->what);
		return;
	}
	ck_assert_msg(cookie != NULL, "%s: no COOKIE came back", c->what);
	ck_assert_uint_eq(cookie_length, COOKIE_LENGTH);
	/* The client cookie echoed, a server cookie of ours made now. */
	ck_assert_mem_eq(cookie, cookie_client_cookie, COOKIE_CLIENT_LENGTH);
	uint8_t expected[COOKIE_SERVER_LENGTH];
	cookie_make(config.secrets[0], cookie_client_cookie, (const struct sockaddr *)&client,
		COOKIE_NOW, expected);
	ck_assert_mem_eq(cookie + COOKIE_CLIENT_LENGTH, expected, sizeof expected);
	ck_assert(cookie_valid(&config, cookie, cookie_length, (const struct sockaddr *)&client,
		COOKIE_NOW + 60));
}
END_TEST

/* The COOKIE survives truncation: its room in the OPT is kept (RFC 6891 7). */
START_TEST(test_cookie_truncated)
{
	struct cookie_config config = cookie_test_config(false);
	struct answer_settings settings = test_settings;
	settings.cookies = &config;
	struct query_spec spec = {"big.example.com", LDNS_RR_TYPE_TXT, 0, Q_EDNS, 512};
	uint8_t packet[600];
	size_t length = build_query(&spec, packet);
	size_t rdata = length;
	length = put_cookie_option(packet, length, C_CLIENT, 0, &config);
	put_u16(packet + rdata - 2, (uint16_t)(length - rdata));
	struct sockaddr_in client = cookie_address("192.0.2.53");
	struct answer_request request = {
		.query = packet, .query_length = length, .transport = ANSWER_UDP,
		.client = (const struct sockaddr *)&client, .now = COOKIE_NOW,
	};
	size_t built = answer_query(test_db, &settings, &request, response, sizeof response, NULL);
	ck_assert_uint_le(built, 512);
	ck_assert(response[2] & 0x02);
	size_t cookie_length = 0;
	ck_assert_ptr_nonnull(response_cookie(find_opt(built), &cookie_length));
	ck_assert_uint_eq(cookie_length, COOKIE_LENGTH);
}
END_TEST

/* ---- zone transfers: which requests stream, and the refusals ---- */

#define T_UDP (1u << 0)      /* over UDP instead of TCP */
#define T_IXFR (1u << 1)     /* IXFR with serial in the authority section */
#define T_NO_SOA (1u << 2)   /* IXFR without it */

static const struct {
	const char *what;
	const char *name;
	unsigned flags;
	uint32_t serial;          /* T_IXFR: the client's; the zones are at 1 */
	const char *client;       /* NULL: no client (offline tools) */
	const char *key;          /* TSIG key the request was verified with, or NULL */
	enum answer_kind kind;
	int rcode;
	const char *zone;         /* result.zone, or NULL */
} transfer_cases[] = {
	/* options: { 192.0.2.0/24; key xfr; }; child.example.com: { none; }; */
	{"allowed AXFR streams", "example.com", 0, 0, "192.0.2.1", NULL,
		ANSWER_KIND_TRANSFER, 0, "example.com."},
	{"AXFR from elsewhere: REFUSED", "example.com", 0, 0, "198.51.100.1", NULL,
		ANSWER_KIND_REFUSED, LDNS_RCODE_REFUSED, "example.com."},
	{"AXFR signed with an allowed key", "example.com", 0, 0, "198.51.100.1", "\3xfr",
		ANSWER_KIND_TRANSFER, 0, "example.com."},
	{"AXFR signed with another key: REFUSED", "example.com", 0, 0, "198.51.100.1", "\5other",
		ANSWER_KIND_REFUSED, LDNS_RCODE_REFUSED, "example.com."},
	{"AXFR without a client: REFUSED", "example.com", 0, 0, NULL, NULL,
		ANSWER_KIND_REFUSED, LDNS_RCODE_REFUSED, "example.com."},
	{"AXFR of a name below the apex: NOTAUTH", "www.example.com", 0, 0, "192.0.2.1", NULL,
		ANSWER_KIND_NOTAUTH, LDNS_RCODE_NOTAUTH, NULL},
	{"AXFR of a zone not ours: NOTAUTH", "example.net", 0, 0, "192.0.2.1", "\3xfr",
		ANSWER_KIND_NOTAUTH, LDNS_RCODE_NOTAUTH, NULL},
	{"the zone's own list replaces the options'", "child.example.com", 0, 0, "192.0.2.1",
		NULL, ANSWER_KIND_REFUSED, LDNS_RCODE_REFUSED, "child.example.com."},
	{"AXFR over UDP: FORMERR", "example.com", T_UDP, 0, "192.0.2.1", NULL,
		ANSWER_KIND_FORMERR, LDNS_RCODE_FORMERR, NULL},
	/* BIND looks for the zone first (NSD and Knot: NOTIMP for any AXFR over UDP). */
	{"AXFR over UDP below the apex: NOTAUTH", "www.example.com", T_UDP, 0, "192.0.2.1", NULL,
		ANSWER_KIND_NOTAUTH, LDNS_RCODE_NOTAUTH, NULL},
	{"AXFR over UDP of a zone not ours: NOTAUTH", "example.net", T_UDP, 0, "192.0.2.1", NULL,
		ANSWER_KIND_NOTAUTH, LDNS_RCODE_NOTAUTH, NULL},
	{"IXFR from an older serial: AXFR form", "example.com", T_IXFR, 0, "192.0.2.1", NULL,
		ANSWER_KIND_TRANSFER, 0, "example.com."},
	{"IXFR older across the wrap (RFC 1982)", "example.com", T_IXFR, 0xfffffff0u, "192.0.2.1",
		NULL, ANSWER_KIND_TRANSFER, 0, "example.com."},
	{"IXFR at the current serial: the SOA", "example.com", T_IXFR, 1, "192.0.2.1", NULL,
		ANSWER_KIND_ANSWER, 0, "example.com."},
	{"IXFR from the future: the SOA", "example.com", T_IXFR, 2, "192.0.2.1", NULL,
		ANSWER_KIND_ANSWER, 0, "example.com."},
	{"IXFR over UDP: the SOA, retry over TCP", "example.com", T_IXFR | T_UDP, 0, "192.0.2.1",
		NULL, ANSWER_KIND_ANSWER, 0, "example.com."},
	{"IXFR from elsewhere: REFUSED", "example.com", T_IXFR, 0, "198.51.100.1", NULL,
		ANSWER_KIND_REFUSED, LDNS_RCODE_REFUSED, "example.com."},
	{"IXFR without its SOA: FORMERR", "example.com", T_IXFR | T_NO_SOA, 0, "192.0.2.1", NULL,
		ANSWER_KIND_FORMERR, LDNS_RCODE_FORMERR, "example.com."},
};

/* Compiles { 192.0.2.0/24; key xfr; }, or { none; } when none, into an acl. */
static struct acl *
compile_transfer_acl(bool none)
{
	static const char *const keys[] = { "xfr", "other" };
	struct acl_list *list = acl_list_create();
	ck_assert_ptr_nonnull(list);
	struct acl_element e;
	ck_assert_int_eq(acl_element_parse(none ? "none" : "192.0.2.0/24", &e, NULL), 0);
	ck_assert_int_eq(acl_list_append(list, &e), 0);
	if (!none) {
		struct acl_element key = { .kind = ACL_ELEMENT_KEY, .name = strdup("xfr") };
		ck_assert_int_eq(acl_list_append(list, &key), 0);
	}
	struct acl_context context = { .key_names = keys, .key_count = 2 };
	struct acl *acl = NULL;
	ck_assert_int_eq(acl_compile(list, &context, &acl), 0);
	acl_list_free(list);
	return acl;
}

/* Builds the case's query; an IXFR carries SOA "." "." serial 0 0 0 0 (RFC 1995 3). */
static size_t
build_transfer_query(unsigned flags, const char *name, uint32_t serial, uint8_t *packet)
{
	struct query_spec spec = { name, (flags & T_IXFR) ? LDNS_RR_TYPE_IXFR : LDNS_RR_TYPE_AXFR };
	size_t length = build_query(&spec, packet);
	if (!(flags & T_IXFR) || (flags & T_NO_SOA))
		return length;
	put_u16(packet + 8, 1);
	static const uint8_t soa_head[] = { 0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 22, 0, 0 };
	memcpy(packet + length, soa_head, sizeof soa_head);
	length += sizeof soa_head;
	length += put_u16(packet + length, (uint16_t)(serial >> 16));
	length += put_u16(packet + length, (uint16_t)serial);
	memset(packet + length, 0, 16);
	return length + 16;
}

START_TEST(test_transfer)
{
	struct acl *global = compile_transfer_acl(false), *child = compile_transfer_acl(true);
	struct acl_zone_map map;
	map_child_zone(&map, child);
	uint8_t origin[DNAME_MAX_LENGTH];
	struct answer_settings settings = test_settings;
	settings.allow_transfer = global;
	settings.zone_allow_transfer = &map;

	const char *what = transfer_cases[_i].what;
	struct sockaddr_in client = { .sin_family = AF_INET };
	if (transfer_cases[_i].client != NULL)
		ck_assert_int_eq(inet_pton(AF_INET, transfer_cases[_i].client, &client.sin_addr), 1);
	uint8_t packet[600];
	unsigned flags = transfer_cases[_i].flags;
	struct answer_request request = {
		.query = packet,
		.query_length = build_transfer_query(flags, transfer_cases[_i].name,
			transfer_cases[_i].serial, packet),
		.transport = (flags & T_UDP) ? ANSWER_UDP : ANSWER_TCP,
		.client = transfer_cases[_i].client ? (const struct sockaddr *)&client : NULL,
		.tsig_key = (const uint8_t *)transfer_cases[_i].key,
	};
	struct answer_result result;
	size_t length = answer_query(test_db, &settings, &request, response, sizeof response,
		&result);
	ck_assert_msg(result.kind == transfer_cases[_i].kind, "%s: kind %d", what, result.kind);
	if (transfer_cases[_i].zone == NULL) {
		ck_assert_msg(result.zone == NULL, "%s: a zone", what);
	} else {
		ck_assert_int_gt(dname_from_text(transfer_cases[_i].zone, origin), 0);
		ck_assert_msg(result.zone == zonedb_find(test_db, origin, dname_length(origin)),
			"%s: not the zone", what);
	}
	if (result.kind == ANSWER_KIND_TRANSFER) {
		/* Nothing written: the transport streams it, starting from this request. */
		ck_assert_uint_eq(length, 0);
		struct answer_stream stream;
		ck_assert_int_eq(answer_stream_start_axfr(&stream, result.zone, &request, NULL), 0);
		size_t message_length;
		ck_assert_int_eq(answer_stream_next(&stream, response, sizeof response,
			&message_length, 0), ANSWER_STREAM_DONE);
		answer_stream_finish(&stream);
		/* The question echoes the request's type (RFC 1995 4: IXFR in AXFR form). */
		size_t question_end = 12 + dname_length(response + 12);
		ck_assert_uint_eq(header_u16(question_end),
			(flags & T_IXFR) ? LDNS_RR_TYPE_IXFR : LDNS_RR_TYPE_AXFR);
		ck_assert_uint_eq(header_u16(6), result.zone->record_count + 1);
	} else {
		ck_assert_msg(length >= 12, "%s: dropped", what);
		ck_assert_msg((response[3] & 0x0f) == transfer_cases[_i].rcode, "%s: rcode %d", what,
			response[3] & 0x0f);
		/* The single SOA (RFC 1995 2): current, from the future, or over UDP. */
		bool soa = result.kind == ANSWER_KIND_ANSWER;
		ck_assert_uint_eq(header_u16(6), soa ? 1 : 0);
		ck_assert_uint_eq(response[2] & 0x04, soa ? 0x04 : 0);
	}
	acl_zone_map_free(&map);
	acl_free(global);
	acl_free(child);
}
END_TEST

static Suite *
answer_suite(void)
{
	Suite *suite = suite_create("answer");
	TCase *table = tcase_create("rules");
	tcase_add_checked_fixture(table, setup_zones, teardown_zones);
	tcase_add_loop_test(table, test_answer_table, 0,
		(int)(sizeof answer_cases / sizeof answer_cases[0]));
	suite_add_tcase(suite, table);
	TCase *dnssec = tcase_create("dnssec");
	/* The zones are only read: loaded once, before the forks, not once per case. */
	tcase_add_unchecked_fixture(dnssec, setup_zones, teardown_zones);
	tcase_add_loop_test(dnssec, test_dnssec_table, 0,
		(int)(sizeof dnssec_cases / sizeof dnssec_cases[0]));
	tcase_add_test(dnssec, test_dnssec_proof_truncated);
	suite_add_tcase(suite, dnssec);
	TCase *edns = tcase_create("edns and wire");
	tcase_add_checked_fixture(edns, setup_zones, teardown_zones);
	tcase_add_loop_test(edns, test_result, 0,
		(int)(sizeof result_cases / sizeof result_cases[0]));
	tcase_add_test(edns, test_edns_opt_fields);
	tcase_add_test(edns, test_edns_default_size);
	tcase_add_test(edns, test_edns_nsid);
	tcase_add_test(edns, test_chaos_identity_separate);
	tcase_add_test(edns, test_compression);
	tcase_add_test(edns, test_dname_target_uncompressed);
	tcase_add_test(edns, test_negative_soa_compression);
	tcase_add_test(edns, test_small_buffer);
	tcase_add_loop_test(edns, test_allow_query, 0,
		(int)(sizeof allow_cases / sizeof allow_cases[0]));
	tcase_add_loop_test(edns, test_transfer, 0,
		(int)(sizeof transfer_cases / sizeof transfer_cases[0]));
	suite_add_tcase(suite, edns);
	TCase *malformed = tcase_create("malformed");
	tcase_add_checked_fixture(malformed, setup_zones, teardown_zones);
	tcase_add_loop_test(malformed, test_malformed, 0,
		(int)(sizeof raw_cases / sizeof raw_cases[0]));
	suite_add_tcase(suite, malformed);
	TCase *cookies = tcase_create("cookies");
	tcase_add_checked_fixture(cookies, setup_zones, teardown_zones);
	tcase_add_loop_test(cookies, test_cookies, 0,
		(int)(sizeof cookie_cases / sizeof cookie_cases[0]));
	tcase_add_test(cookies, test_cookie_truncated);
	suite_add_tcase(suite, cookies);
	return suite;
}

int
main(void)
{
	return testlib_run(answer_suite());
}
