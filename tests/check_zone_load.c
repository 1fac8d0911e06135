/*
 * check_zone_load.c: the master-file reader: record syntax, directives,
 * TTL rules, $INCLUDE, RFC 3597, and every error with its exact line.
 */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_load.h"

/* Every finding, one by one (and as text for dump_findings). */
static struct testlib_capture capture;
static struct diag diag;
static struct zone *zone;

/* The base zone: four lines, so the first test line is line 5. */
static const char base[] =
	"$TTL 300\n"
	"@ IN SOA ns1 host 1 2 3 4 5\n"
	"  IN NS ns1\n"
	"ns1 A 192.0.2.1\n";

static void
setup(void)
{
	diag = testlib_capture_start(&capture, "  %c %f:%l: %m\n", "");
	zone = NULL;
}

static void
teardown(void)
{
	zone_free(zone);
	zone = NULL;
}

#define ORIGIN testlib_name("example.com.")

static int
load_text_options(const char *text, size_t length, const struct zone_load_options *options)
{
	zone_free(zone);
	zone = NULL;
	return zone_load_text(text, length, "test.zone", ORIGIN, options, &diag, &zone);
}

static int
load_text(const char *text)
{
	return load_text_options(text, strlen(text), NULL);
}

/* Loads the base zone followed by extra. */
static int
load_base(const char *extra)
{
	size_t length = strlen(base) + strlen(extra);
	char *text = malloc(length + 1);
	ck_assert_ptr_nonnull(text);
	strcpy(text, base);
	strcat(text, extra);
	int rc = load_text(text);
	free(text);
	return rc;
}

static const char *
fixture_dir(void)
{
	static char path[1024];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/fixtures/load", top != NULL ? top : ".");
	return path;
}

static int
load_fixture(const char *file, struct zone_load_options *options)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
	options->include_directory = fixture_dir();
	return zone_load_file(path, ORIGIN, options, &diag, &zone);
}

static size_t
hex_decode(const char *hex, uint8_t *out)
{
	size_t length = 0;
	for (; *hex != '\0'; hex++) {
		if (*hex == ' ')
			continue;
		unsigned value;
		ck_assert_int_eq(sscanf(hex, "%2x", &value), 1);
		out[length++] = (uint8_t)value;
		hex++;
	}
	return length;
}

static const struct rrset *
find_rrset(const char *name, uint16_t type)
{
	uint8_t wire[DNAME_MAX_LENGTH];
	ck_assert_ptr_nonnull(zone);
	int length = dname_from_text(name, wire);
	ck_assert_int_gt(length, 0);
	dname_lower(wire);
	const struct name_node *node = zone_find_node(zone, wire, (size_t)length);
	return node != NULL ? name_node_rrset(node, type) : NULL;
}

/* True when the RRset holds an RR whose rdata is hex. */
static bool
rrset_has(const struct rrset *rrset, const char *hex)
{
	uint8_t want[4096];
	size_t want_length = hex_decode(hex, want);
	const uint8_t *p = rrset->rdata;
	for (unsigned i = 0; i < rrset->rr_count; i++) {
		size_t length = (size_t)p[0] << 8 | p[1];
		if (length == want_length && memcmp(p + 2, want, length) == 0)
			return true;
		p += 2 + length;
	}
	return false;
}

static void
assert_record(const char *name, uint16_t type, uint32_t ttl, const char *hex)
{
	const struct rrset *rrset = find_rrset(name, type);
	ck_assert_msg(rrset != NULL, "no %s/%u", name, type);
	ck_assert_uint_eq(rrset->ttl, ttl);
	ck_assert_msg(rrset_has(rrset, hex), "%s/%u lacks rdata %s", name, type, hex);
}

static void
dump_findings(void)
{
	fputs(capture.text, stderr);
}

static void
assert_error(const char *file, unsigned long line, const char *message)
{
	if (testlib_capture_find(&capture, DIAG_ERROR, file, line, message) == NULL) {
		dump_findings();
		ck_abort_msg("missing error %s:%lu: %s", file ? file : "*", line, message);
	}
}

static void
assert_warning(const char *file, unsigned long line, const char *message)
{
	if (testlib_capture_find(&capture, DIAG_WARNING, file, line, message) == NULL) {
		dump_findings();
		ck_abort_msg("missing warning %s:%lu: %s", file ? file : "*", line, message);
	}
}

static void
assert_clean_load(int rc)
{
	if (rc != 0 || diag.errors != 0)
		dump_findings();
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(diag.errors, 0);
	ck_assert_ptr_nonnull(zone);
}

/* Records that load, and what they become. */
struct good_case {
	const char *text;
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	const char *rdata;
};

#define EXAMPLE_COM "076578616d706c6503636f6d00"

static const struct good_case good_cases[] = {
	{ "a A 192.0.2.7\n", "a.example.com", 1, 300, "c0000207" },
	/* RFC 2874 A6, which ldns cannot read: prefix length, suffix octets, prefix name. */
	{ "a A6 0 ::1\n", "a.example.com", 38, 300, "00" "00000000000000000000000000000001" },
	{ "a A6 61 ::ffff:1:2:3:4 p.\n", "a.example.com", 38, 300,
		"3d" "070001000200030004" "017000" },
	/* BIND's $GENERATE: "$" is the value, ${offset,width,base} formats it. */
	{ "$GENERATE 7-7 x$ A 192.0.2.$\n", "x7.example.com", 1, 300, "c0000207" },
	{ "$GENERATE 7-7 x${1,3,x} 60 A 192.0.2.${-6}\n", "x008.example.com", 1, 60, "c0000201" },
	{ "$GENERATE 7-7 ${0,3,n} TXT $$$\n", "7.0.example.com", 16, 300, "022437" },
	/* RFC 4398 2.1 reserves CERT type 0; BIND takes it (ldns does not: zone_rdata.c). */
	{ "a CERT 0 1 2 AA==\n", "a.example.com", 37, 300, "0000000102" "00" },
	{ "a CERT 000 1 2 AA==\n", "a.example.com", 37, 300, "0000000102" "00" },
	{ "a 1h30m IN A 192.0.2.7\n", "a.example.com", 1, 5400, "c0000207" },
	{ "a IN 1w2d A 192.0.2.7\n", "a.example.com", 1, 777600, "c0000207" },
	{ "a 60 a 192.0.2.7\n", "a.example.com", 1, 60, "c0000207" },
	{ "a in 60 A 192.0.2.7\n", "a.example.com", 1, 60, "c0000207" },
	{ "a CLASS1 A 192.0.2.7\n", "a.example.com", 1, 300, "c0000207" },
	{ "a 0h30 A 192.0.2.7\n", "a.example.com", 1, 30, "c0000207" },
	{ "a 2147483648 A 192.0.2.7\n", "a.example.com", 1, 0, "c0000207" },
	{ "a 4294967295 A 192.0.2.7\n", "a.example.com", 1, 0, "c0000207" },
	{ "a TYPE1 \\# 4 0A000001\n", "a.example.com", 1, 300, "0a000001" },
	{ "a A \\# 4 0a 00 00 01\n", "a.example.com", 1, 300, "0a000001" },
	{ "a TYPE1 192.0.2.7\n", "a.example.com", 1, 300, "c0000207" },
	{ "a TYPE65000 \\# 3 ab cdef\n", "a.example.com", 65000, 300, "abcdef" },
	{ "a TYPE65000 \\# 0\n", "a.example.com", 65000, 300, "" },
	{ "a MX 10 mail\n", "a.example.com", 15, 300, "000a 046d61696c" EXAMPLE_COM },
	{ "a MX ( 10 ; preference\n  mail.example.net. )\n", "a.example.com", 15, 300,
		"000a 046d61696c 076578616d706c65 036e6574 00" },
	{ "a TXT \"hello world\" plain\n", "a.example.com", 16, 300,
		"0b68656c6c6f20776f726c64 05706c61696e" },
	{ "a TXT \"semi;colon (paren)\" ; comment\n", "a.example.com", 16, 300,
		"1273656d693b636f6c6f6e2028706172656e29" },
	{ "a TXT \"q\\\"uote\" \\065\\\\\n", "a.example.com", 16, 300, "0671 22 75 6f 74 65 02415c" },
	{ "a TXT \"\"\n", "a.example.com", 16, 300, "00" },
	{ "a CNAME @\n", "a.example.com", 5, 300, EXAMPLE_COM },
	{ "a.example.com. AAAA 2001:db8::1\n", "a.example.com", 28, 300,
		"20010db8000000000000000000000001" },
	{ "a\\.b A 192.0.2.7\n", "a\\.b.example.com", 1, 300, "c0000207" },
	{ "*.w A 192.0.2.7\n", "*.w.example.com", 1, 300, "c0000207" },
	{ "a SRV 1 2 3 target\n", "a.example.com", 33, 300,
		"000100020003 06746172676574" EXAMPLE_COM },
	{ "a CAA 0 issue \"ca.example\"\n", "a.example.com", 257, 300,
		"00 05 6973737565 63612e6578616d706c65" },
	{ "a CAA 0 issue ca.example\n", "a.example.com", 257, 300,
		"00 05 6973737565 63612e6578616d706c65" },
	{ "a PTR host.example.net.\n", "a.example.com", 12, 300,
		"04686f7374 076578616d706c65 036e6574 00" },
	{ "$ORIGIN sub\n@ A 192.0.2.7\n", "sub.example.com", 1, 300, "c0000207" },
	{ "$origin sub.example.com.\nx A 192.0.2.7\n", "x.sub.example.com", 1, 300, "c0000207" },
	{ "$ORIGIN sub\n$ORIGIN deeper\nx CNAME y\n", "x.deeper.sub.example.com", 5, 300,
		"0179 06646565706572 03737562" EXAMPLE_COM },
	{ "$ttl 1h\na A 192.0.2.7\n", "a.example.com", 1, 3600, "c0000207" },
	{ "a A 192.0.2.7\n\t TXT x\n", "a.example.com", 16, 300, "0178" },
	{ "a A 192.0.2.7\n; comment\n  ; indented comment\n\n   \n TXT y\n", "a.example.com",
		16, 300, "0179" },
	{ "long   300   IN   TXT   (\n\"one\"\n\n\"two\" ; c\n)\n", "long.example.com", 16, 300,
		"036f6e65 0374776f" },
};

START_TEST(test_good_records)
{
	const struct good_case *c = &good_cases[_i];
	assert_clean_load(load_base(c->text));
	assert_record(c->owner, c->type, c->ttl, c->rdata);
}
END_TEST

/* Records that fail, the line and BIND's words. */
struct error_case {
	const char *text;
	unsigned long line;
	const char *message;
};

#define LABEL64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LABEL61 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct error_case error_cases[] = {
	{ "a A 192.0.2.256\n", 5, "near '192.0.2.256': bad dotted quad" },
	{ "a AAAA ::g\n", 5, "near '::g': bad IPv6 address" },
	{ "a FOOBAR x\n", 5, "unknown RR type 'FOOBAR'" },
	/* BIND reads on: the line is a record owned by "$FOO". */
	{ "$FOO A 192.0.2.9\n", 5, "unknown $ directive '$FOO'" },
	{ "a MX 70000 mail\n", 5, "near '70000': out of range" },
	{ "a MX -1 mail\n", 5, "near '-1': not a valid number" },
	/* A CERT type as a number is 16 bits (ldns wrapped 65537 to 1). */
	{ "a CERT 65537 0 0 AA==\n", 5, "near '65537': out of range" },
	{ "a CERT -1 0 0 AA==\n", 5, "near '-1': not a valid number" },
	{ "a MX 10\n", 5, "near eol: unexpected end of input" },
	/* BIND's line is where the token before the bad one ended (named-checkzone 9.18). */
	{ "a MX ( 10\n\n )\n", 5, "near eol: unexpected end of input" },
	{ "a A 192.0.2.1 extra\n", 5, "near 'extra': extra input text" },
	{ "a MX ( 10\n mail\n extra )\n", 6, "near 'extra': extra input text" },
	{ "b A (\n 192.0.2.256 )\n", 5, "near '192.0.2.256': bad dotted quad" },
	{ "a 4294967296 A 192.0.2.1\n", 5, "unknown RR type '4294967296'" },
	{ "a 1h30 A 192.0.2.1\n", 5, "unknown RR type '1h30'" },
	{ "a 300 400 A 192.0.2.1\n", 5, "unknown RR type '400'" },
	{ "a IN IN A 192.0.2.1\n", 5, "unknown RR type 'IN'" },
	{ "a CH A 192.0.2.1\n", 5, "class 'CH' != zone class 'IN'" },
	{ "a CLASS4 A 192.0.2.1\n", 5, "class 'HS' != zone class 'IN'" },
	{ LABEL64 " A 192.0.2.1\n", 5, "label too long" },
	{ LABEL61 "." LABEL61 "." LABEL61 "." LABEL61 " A 192.0.2.1\n", 5, "ran out of space" },
	{ "a..b A 192.0.2.1\n", 5, "empty label" },
	{ "a\\400 A 192.0.2.1\n", 5, "bad escape" },
	{ "a TXT \"\\256\"\n", 5, "bad escape" },
	{ "a TXT \"abc\nb A 192.0.2.1\n", 5, "unbalanced quotes" },
	{ "a A 192.0.2.1 )\n", 5, "unbalanced parentheses" },
	{ ")\n", 5, "unbalanced parentheses" },
	/* As in BIND, the open "(" takes the next line into the record. */
	{ "a A ( 192.0.2.1\nb A 192.0.2.2\n", 5, "near 'b': extra input text" },
	{ "a A ( 192.0.2.1\n", 5, "unbalanced parentheses" },
	{ "a TXT ( x\n", 6, "near eof: unbalanced parentheses" },
	{ "a TXT \"open", 5, "unbalanced quotes" },
	{ "$TTL abc\n", 5, "$TTL 'abc': bad ttl" },
	{ "$TTL 4294967296\n", 5, "$TTL '4294967296': bad ttl" },
	{ "$TTL 1h30\n", 5, "$TTL '1h30': bad ttl" },
	{ "$TTL 1 2\n", 5, "extra input text" },
	{ "$ORIGIN a b\n", 5, "extra input text" },
	{ "$ORIGIN a..b\n", 5, "empty label" },
	{ "$INCLUDE a b c\n", 5, "extra input text" },
	{ "$GENERATE 3-1 x$ A 192.0.2.1\n", 5, "$GENERATE: invalid range '3-1'" },
	{ "$GENERATE 1-2 x$ FOO 192.0.2.1\n", 5, "$GENERATE: unknown RR type 'FOO'" },
	{ "$GENERATE 1-2 x${1,2,q} A 192.0.2.1\n", 5, "$GENERATE: syntax error" },
	/* A nibble width of 4 billion stops at the buffer's end, not after 4 billion steps. */
	{ "$GENERATE 1-2 x$ TXT ${0,4000000000,n}\n", 5, "$GENERATE: ran out of space" },
	{ "a TYPE65000 192.0.2.1\n", 5, "near '192.0.2.1': unknown class/type" },
	{ "a TYPE65000 \\# 3 abcd\n", 5, "near eol: unexpected end of input" },
	{ "a TYPE65000 \\# abc\n", 5, "near 'abc': not a valid number" },
	{ "a TYPE65000 \\# 70000 ab\n", 5, "near '70000': out of range" },
	{ "a TYPE65000 \\# 2 abcdef\n", 5, "near 'abcdef': extra input text" },
	{ "a TYPE65000 \\# 1 zz\n", 5, "near 'zz': bad hex encoding" },
	{ "a TYPE1 \\# 0\n", 5, "near eol: unexpected end of input" },
	/* A quoted token is not quoted back (BIND); over 255 octets is its "syntax error". */
	{ "a TXT \"" LABEL64 LABEL64 LABEL64 LABEL64 "\"\n", 5, "rdata: syntax error" },
	{ "a TXT " LABEL64 LABEL64 LABEL64 LABEL64 "\n", 5, "near '" LABEL64 LABEL64 LABEL64
		LABEL64 "': syntax error" },
	{ "a MX \"10\" b\n", 5, "rdata: not a valid number" },
	{ "a A \"192.0.2.1\"\n", 5, "rdata: unexpected token" },
	{ "a MX 10 a..b\n", 5, "near 'a..b': empty label" },
	{ "a CNAME " LABEL64 "\n", 5, "near '" LABEL64 "': label too long" },
	{ "a SOA ns host 4294967296 2 3 4 5\n", 5, "near '4294967296': out of range" },
	{ "a SOA ns host 1 4294967296 3 4 5\n", 5, "near '4294967296': syntax error" },
	{ "a SOA ns host 1 1h30 3 4 5\n", 5, "near '1h30': syntax error" },
	{ "a CAA 256 issue \"ca\"\n", 5, "near '256': out of range" },
	{ "  $TTL 300\n", 5, "unknown RR type '$TTL'" },
	{ "a NSEC b.example.com. A FOO\n", 5, "near 'FOO': unknown class/type" },
	{ "a CSYNC 1 3 A (\n NS BAR )\n", 6, "near 'BAR': unknown class/type" },
	{ "a DS 1 8 2 0a zz\n", 5, "near 'zz': bad hex encoding" },
	{ "a DNSKEY 257 3 8 AwEAAa$$\n", 5, "near 'AwEAAa$$': bad base64 encoding" },
	{ "a TYPE1 \\# 3 0a0000\n", 5, "near eol: unexpected end of input" },
	{ "a MX \\# 4 000a0000\n", 5, "near eol: extra input data" },
	{ "a SSHFP 1 3 abc\n", 5, "near eol: bad hex encoding" },
	{ "a SSHFP 1 1 abcd\n", 5, "near eol: unexpected end of input" },
	{ "a DS 1 8 2 ( abcd\n abcd )\n", 6, "near eol: unexpected end of input" },
	{ "a DS 1 8 1 00112233445566778899aabbccddeeff0011223344\n", 5,
		"near eol: bad hex encoding" },
	{ "a ZONEMD 1 1 240 abcdef\n", 5, "near eol: unexpected end of input" },
	{ "a NSEC b.example.com.\n", 5, "near eol: FORMERR" },
	{ "a DHCID abcde\n", 5, "near eol: bad base64 encoding" },
	{ "a LOC 52 22 23.000 N 4 53 32.000 E\n", 5, "near eol: unexpected end of input" },
	{ "a LOC 91 0 0 N 4 0 0 E 0m\n", 5, "near '91': out of range" },
	{ "a LOC 90 1 N 4 E 0m\n", 5, "near '1': out of range" },
	{ "a LOC 52 22 60 N 4 E 0m\n", 5, "near '60': out of range" },
	{ "a LOC 52 22 23.0001 N 4 E 0m\n", 5, "near '23.0001': syntax error" },
	{ "a LOC 52 X 4 E 0m\n", 5, "near 'X': not a valid number" },
	{ "a LOC 52 N 181 E 0m\n", 5, "near '181': out of range" },
	{ "a LOC 52 N 4 E 42849673m\n", 5, "near '42849673m': out of range" },
	{ "a LOC 52 N 4 E 1.234m\n", 5, "near '1.234m': syntax error" },
	{ "a LOC 52 N 4 E 1 90000001m\n", 5, "near '90000001m': out of range" },
	{ "a LOC 52 N 4 E 1 1 1 1 1\n", 5, "near '1': extra input text" },
	{ "a X25 123\n", 5, "near '123': syntax error" },
	{ "a RRSIG FOO 8 2 300 20240101000000 20230101000000 1 example.com. AwEAAQ==\n", 5,
		"near 'FOO': unknown class/type" },
	{ "a X25 12a45\n", 5, "near '12a45': out of range" },
};

START_TEST(test_error_records)
{
	const struct error_case *c = &error_cases[_i];
	int rc = load_base(c->text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	ck_assert_ptr_null(zone);
	assert_error("test.zone", c->line, c->message);
	if (diag.errors != 1)
		dump_findings();
	ck_assert_uint_eq(diag.errors, 1);
}
END_TEST

/*
 * Two errors: a meta type is reported, then its rdata as BIND's parser
 * sees it; a record or directive cut short is "unexpected end of line",
 * then "unexpected end of input".
 */
static const struct error_case meta_cases[] = {
	{ "$TTL\n", 5, "unexpected end of line" },
	{ "$ORIGIN\n", 5, "unexpected end of line" },
	{ "$INCLUDE\n", 5, "unexpected end of line" },
	{ "a\n", 5, "unexpected end of line" },
	{ "a 300 IN\n", 5, "unexpected end of line" },
	{ "a 300 IN\n", 5, "unexpected end of input" },
	{ "a OPT \\# 0\n", 5, "type 'OPT': invalid use of a meta type" },
	{ "a OPT \\# 0\n", 5, "near '0': invalid use of a meta type" },
	{ "a TYPE0 \\# 0\n", 5, "type 'TYPE0': invalid use of a meta type" },
	{ "a AXFR x\n", 5, "near 'x': unknown class/type" },
	{ "a OPT x\n", 5, "near 'x': not implemented" },
};

START_TEST(test_meta_records)
{
	const struct error_case *c = &meta_cases[_i];
	ck_assert_int_eq(load_base(c->text), ZONED_ESYNTAX);
	assert_error("test.zone", c->line, c->message);
	ck_assert_uint_eq(diag.errors, 2);
}
END_TEST

/* Every bad record is reported, each at its own line, and loading goes on. */
START_TEST(test_every_error_reported)
{
	int rc = load_base("a A 192.0.2.256\n"
		"ok A 192.0.2.1\n"
		"b MX (\n"
		"  10\n"
		"  bad..name )\n"
		"c AAAA 2001:db8::zz\n"
		"ok2 A 192.0.2.2\n");
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	ck_assert_uint_eq(diag.errors, 3);
	assert_error("test.zone", 5, "near '192.0.2.256': bad dotted quad");
	assert_error("test.zone", 8, "near 'bad..name': empty label");
	assert_error("test.zone", 10, "near '2001:db8::zz': bad IPv6 address");
}
END_TEST

/* Whole files that fail with exactly one error, and what it says. */
struct file_error_case {
	const char *text;
	unsigned long line;
	const char *message;
	int warnings;            /* -1: not checked */
};

static const struct file_error_case file_error_cases[] = {
	{ " A 192.0.2.1\n$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n", 1, "no current owner name", -1 },
	{ "ns1 A 192.0.2.1\n@ IN SOA ns1 host 1 2 3 4 5\n  IN NS ns1\n", 1,
		"no TTL specified; zone rejected", -1 },
	/* A bad $TTL is one error; BIND then carries on with $TTL 0. */
	{ "$TTL abc\n@ IN SOA ns1 host 1 2 3 4 5\n  IN NS ns1\nns1 A 192.0.2.1\n", 1,
		"$TTL 'abc': bad ttl", 0 },
};

/*
 * A record cut short: BIND has read the end of its line, skips the next
 * line unread and goes on after it.
 */
START_TEST(test_cut_short_skips_next_line)
{
	ck_assert_int_eq(load_base("a\nb A 192.0.2.256\nc A 192.0.2.257\n"), ZONED_ESYNTAX);
	assert_error("test.zone", 5, "unexpected end of line");
	assert_error("test.zone", 5, "unexpected end of input");
	assert_error("test.zone", 7, "near '192.0.2.257': bad dotted quad");
	ck_assert_uint_eq(diag.errors, 3);
	/*
	 * As in BIND, a byte-order mark is part of the first token: an owner
	 * with TTL 300 and no type. The SOA after it is skipped; the next line
	 * inherits the owner and that TTL (RFC 1035 semantics: one warning).
	 */
	setup();
	ck_assert_int_eq(load_text("\xef\xbb\xbf$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n"
		"  IN NS ns1\nns1 A 192.0.2.1\n"), ZONED_ESYNTAX);
	assert_error("test.zone", 1, "unexpected end of line");
	ck_assert_uint_eq(diag.errors, 2);
	ck_assert_uint_eq(diag.warnings, 1);
}
END_TEST

START_TEST(test_file_errors)
{
	const struct file_error_case *c = &file_error_cases[_i];
	int rc = load_text(c->text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	assert_error("test.zone", c->line, c->message);
	ck_assert_uint_eq(diag.errors, 1);
	if (c->warnings >= 0)
		ck_assert_uint_eq(diag.warnings, (unsigned long)c->warnings);
}
END_TEST

/* A bad owner name must not leave a half-parsed owner for the next line (fuzz finding). */
START_TEST(test_bad_owner_not_inherited)
{
	char text[512];
	char long_label[80];
	memset(long_label, 'x', 70);
	long_label[70] = '\0';
	snprintf(text, sizeof text, "%s%s A 192.0.2.1\n  A 192.0.2.2\n", base, long_label);
	int rc = load_text(text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	assert_error("test.zone", 5, "label too long");
	/* Line 6 inherits ns1 (the last good owner), which is fine on its own. */
	ck_assert_uint_eq(diag.errors, 1);
}
END_TEST

/* No $TTL and the SOA first: its MINIMUM becomes the default (BIND). */
START_TEST(test_ttl_soa_minimum)
{
	assert_clean_load(load_text("@ IN SOA ns1 host 1 2 3 4 77\n"
		"  IN NS ns1\n"
		"ns1 A 192.0.2.1\n"
		"foo 100 A 192.0.2.2\n"
		"bar A 192.0.2.3\n"));
	assert_warning("test.zone", 1, "no TTL specified; using SOA MINTTL instead");
	assert_record("example.com", 6, 77, "036e7331" EXAMPLE_COM "04686f7374" EXAMPLE_COM
		"00000001 00000002 00000003 00000004 0000004d");
	assert_record("ns1.example.com", 1, 77, "c0000201");
	assert_record("foo.example.com", 1, 100, "c0000202");
	assert_record("bar.example.com", 1, 77, "c0000203");
}
END_TEST

/* No $TTL but an explicit TTL: later records inherit it, with one warning. */
START_TEST(test_ttl_rfc1035_semantics)
{
	assert_clean_load(load_text("@ 77 IN SOA ns1 host 1 2 3 4 5\n"
		"  IN NS ns1\n"
		"ns1 A 192.0.2.1\n"));
	assert_warning("test.zone", 2, "using RFC1035 TTL semantics");
	ck_assert_uint_eq(diag.warnings, 1);
	assert_record("example.com", 2, 77, "036e7331" EXAMPLE_COM);
	assert_record("ns1.example.com", 1, 77, "c0000201");
}
END_TEST

/* RFC 2181 8: TTLs with the top bit set become 0, with BIND's warning. */
START_TEST(test_ttl_above_signed)
{
	assert_clean_load(load_base("a 2147483648 A 192.0.2.7\n"
		"$TTL 3000000000\n"
		"b A 192.0.2.8\n"));
	assert_warning("test.zone", 5, "$TTL 2147483648 > MAXTTL, setting $TTL to 0");
	assert_warning("test.zone", 6, "$TTL 3000000000 > MAXTTL, setting $TTL to 0");
	assert_record("a.example.com", 1, 0, "c0000207");
	assert_record("b.example.com", 1, 0, "c0000208");
}
END_TEST

/* Windows line ends are white space. */
START_TEST(test_crlf)
{
	assert_clean_load(load_text("$TTL 300\r\n@ IN SOA ns1 host 1 2 3 4 5\r\n"
		"  IN NS ns1\r\nns1 A 192.0.2.1\r\n"
		"t TXT \"x y\" ( \r\n z )\r\n"));
	assert_record("t.example.com", 16, 300, "0378207901 7a");
	assert_record("ns1.example.com", 1, 300, "c0000201");
}
END_TEST

/* A line of megabytes is one error, not a crash or a silent truncation. */
START_TEST(test_huge_line)
{
	size_t size = 3 * 1024 * 1024;
	char *text = malloc(strlen(base) + size + 64);
	ck_assert_ptr_nonnull(text);
	strcpy(text, base);
	size_t at = strlen(text);
	memcpy(text + at, "junk TXT ", 9);
	at += 9;
	for (size_t i = 0; i < size; i++)
		text[at++] = i % 2 ? ' ' : 'x';
	memcpy(text + at, "\nok A 192.0.2.9\nbad A 1.2.3\n", 28);
	at += 28;
	int rc = load_text_options(text, at, NULL);
	free(text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	assert_error("test.zone", 5, "record too long (over 1048576 octets of text)");
	assert_error("test.zone", 7, "near '1.2.3': bad dotted quad");
	ck_assert_uint_eq(diag.errors, 2);
}
END_TEST

/* A long record that fits is read whole: 250 TXT strings of 200 octets. */
START_TEST(test_long_record)
{
	size_t length = strlen(base) + 250 * 204 + 64;
	char *text = malloc(length);
	ck_assert_ptr_nonnull(text);
	strcpy(text, base);
	strcat(text, "big TXT (");
	char *p = text + strlen(text);
	for (int i = 0; i < 250; i++) {
		*p++ = '\n';
		*p++ = '"';
		memset(p, 'a' + i % 26, 200);
		p += 200;
		*p++ = '"';
	}
	strcpy(p, " )\n");
	assert_clean_load(load_text(text));
	free(text);
	const struct rrset *rrset = find_rrset("big.example.com", 16);
	ck_assert_ptr_nonnull(rrset);
	ck_assert_uint_eq(rrset->rdata_length, 2 + 250 * 201);
}
END_TEST

START_TEST(test_max_records)
{
	struct zone_load_options options = { .max_records = 3 };
	size_t length = strlen(base) + 32;
	char text[512];
	snprintf(text, sizeof text, "%sa A 192.0.2.7\n", base);
	ck_assert_uint_lt(strlen(text), length + 16);
	int rc = load_text_options(text, strlen(text), &options);
	ck_assert_int_eq(rc, ZONED_ELIMIT);
	ck_assert_ptr_null(zone);
	assert_error("test.zone", 5, "too many records (limit 3)");
}
END_TEST

START_TEST(test_inherited_owner_after_origin)
{
	assert_clean_load(load_base("foo A 192.0.2.7\n$ORIGIN sub\n TXT x\n"));
	assert_warning("test.zone", 7,
		"record with inherited owner (foo.example.com) immediately after $ORIGIN "
		"(sub.example.com)");
	assert_record("foo.example.com", 16, 300, "0178");
}
END_TEST

/* $INCLUDE with and without origin, nested, owner and origin restored. */
START_TEST(test_include)
{
	struct zone_load_options options = { 0 };
	assert_clean_load(load_fixture("main.zone", &options));
	assert_record("www.example.com", 1, 300, "c0000202");
	assert_record("www.example.com", 1, 300, "c0000203");
	assert_record("host.sub.example.com", 1, 300, "c000020a");
	assert_record("host.sub.example.com", 16, 300, "09696e686572697465 64");
	assert_record("sub.example.com", 15, 300, "000a 04686f7374 03737562" EXAMPLE_COM);
	assert_record("x.deeper.sub.example.com", 1, 300, "c000020b");
	assert_record("b1.example.com", 1, 300, "c0000214");
	assert_record("b2.example.com", 1, 300, "c000021e");
	assert_record("b1.example.com", 1, 300, "c0000215");
	assert_record("after.example.com", 1, 300, "c0000209");
}
END_TEST

static char seen_files[8][1200];
static unsigned seen_count;

static void
remember_file(void *arg, const char *path)
{
	(void)arg;
	if (seen_count < 8)
		snprintf(seen_files[seen_count++], sizeof seen_files[0], "%s", path);
}

START_TEST(test_include_on_file)
{
	struct zone_load_options options = { .on_file = remember_file };
	seen_count = 0;
	assert_clean_load(load_fixture("main.zone", &options));
	ck_assert_uint_eq(seen_count, 4);
	const char *names[] = { "main.zone", "inc-a.zone", "inc-b.zone", "inc-c.zone" };
	for (unsigned i = 0; i < 4; i++) {
		char want[1200];
		snprintf(want, sizeof want, "%s/%s", fixture_dir(), names[i]);
		ck_assert_str_eq(seen_files[i], want);
	}
}
END_TEST

/* Without include_directory, relative paths are taken from the cwd. */
START_TEST(test_include_cwd)
{
	char cwd[1024];
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	ck_assert_int_eq(chdir(fixture_dir()), 0);
	int rc = zone_load_file("main.zone", ORIGIN, NULL, &diag, &zone);
	ck_assert_int_eq(chdir(cwd), 0);
	assert_clean_load(rc);
	assert_record("b2.example.com", 1, 300, "c000021e");
}
END_TEST

/*
 * An $INCLUDE that cannot be read: one error at its line, nothing loaded.
 * Only regular files are read: devices never end (/dev/zero) and are
 * refused before a single read.
 */
struct include_error_case {
	const char *target;
	const char *after;       /* records after the $INCLUDE line */
	const char *problem;
	int rc;
};

static const struct include_error_case include_error_cases[] = {
	{ "does-not-exist.zone", "ok A 192.0.2.7\n", "file not found", ZONED_ENOENT },
	{ ".", "", "not a regular file", ZONED_ENOTREG },
	{ "/dev/zero", "ok A 192.0.2.7\n", "not a regular file", ZONED_ENOTREG },
	{ "/dev/urandom", "", "not a regular file", ZONED_ENOTREG },
	{ "/dev/null", "", "not a regular file", ZONED_ENOTREG },
};

START_TEST(test_include_unreadable)
{
	const struct include_error_case *c = &include_error_cases[_i];
	char text[256], message[1300];
	snprintf(text, sizeof text, "%s$INCLUDE %s\n%s", base, c->target, c->after);
	struct zone_load_options options = { .include_directory = fixture_dir() };
	int rc = load_text_options(text, strlen(text), &options);
	ck_assert_int_eq(rc, c->rc);
	ck_assert_ptr_null(zone);
	if (c->target[0] == '/')
		snprintf(message, sizeof message, "%s: %s", c->target, c->problem);
	else
		snprintf(message, sizeof message, "%s/%s: %s", fixture_dir(), c->target, c->problem);
	assert_error("test.zone", 5, message);
	ck_assert_uint_eq(diag.errors, 1);
}
END_TEST

/* A device as the zone file itself. */
START_TEST(test_file_device_rejected)
{
	int rc = zone_load_file("/dev/zero", ORIGIN, NULL, &diag, &zone);
	ck_assert_int_eq(rc, ZONED_ENOTREG);
	ck_assert_ptr_null(zone);
	assert_error("", 0, "loading from master file /dev/zero failed: not a regular file");
}
END_TEST

/* A set cancel flag stops the load: nothing is returned. */
START_TEST(test_cancel_flag)
{
	static volatile sig_atomic_t cancel;
	struct zone_load_options options = { .cancel = &cancel };
	cancel = 0;
	ck_assert_int_eq(load_text_options(base, strlen(base), &options), 0);
	cancel = 1;
	ck_assert_int_eq(load_text_options(base, strlen(base), &options), ZONED_ECANCELED);
	ck_assert_ptr_null(zone);

	/* A file stops at its next read. */
	char path[1200];
	snprintf(path, sizeof path, "%s/simple.zone", fixture_dir());
	ck_assert_int_eq(zone_load_file(path, ORIGIN, &options, &diag, &zone), ZONED_ECANCELED);
	ck_assert_ptr_null(zone);
}
END_TEST

/* Garbage gives 100 errors and a last line saying reading stopped. */
START_TEST(test_error_cap)
{
	size_t size = strlen(base) + 1000 * 16;
	char *text = malloc(size + 1);
	ck_assert_ptr_nonnull(text);
	strcpy(text, base);
	for (int i = 0; i < 1000; i++)
		strcat(text, "bad A 1.2.3\n");
	int rc = load_text_options(text, strlen(text), NULL);
	free(text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	ck_assert_uint_eq(diag.errors, 101);
	/* Past the kept findings: the text has them all. */
	ck_assert_ptr_nonnull(strstr(capture.text,
		"  E test.zone:104: near '1.2.3': bad dotted quad\n"
		"  E test.zone:105: too many errors (100): not reading further\n"));

	/* Inside an include: one "too many errors", from the include. */
	setup();
	char path[] = "/tmp/check_zone_load_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(write(fd, "bad A 1.2.3\n", 12), 12);
	close(fd);
	char include[256];
	snprintf(include, sizeof include, "%s$INCLUDE %s\nlater A 1.2.3\n", base, path);
	rc = load_text(include);
	unlink(path);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	ck_assert_uint_eq(diag.errors, 101);
	char line[128];
	snprintf(line, sizeof line, "%s:101: too many errors (100): not reading further\n", path);
	const char *found = strstr(capture.text, line);
	ck_assert_ptr_nonnull(found);
	ck_assert_ptr_null(strstr(found + strlen(line), "too many errors"));
}
END_TEST

/* A file including itself stops at the depth limit with one error. */
START_TEST(test_include_depth_limit)
{
	char text[256], file[1200], message[1300];
	snprintf(text, sizeof text, "%s$INCLUDE loop.zone\n", base);
	struct zone_load_options options = {
		.include_directory = fixture_dir(),
		.max_include_depth = 3,
	};
	int rc = load_text_options(text, strlen(text), &options);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	snprintf(file, sizeof file, "%s/loop.zone", fixture_dir());
	snprintf(message, sizeof message, "%s: $INCLUDE nested too deeply (limit 3)", file);
	assert_error(file, 2, message);
	ck_assert_uint_eq(diag.errors, 1);

	/* The default limit is 10. */
	setup();
	options.max_include_depth = 0;
	rc = load_text_options(text, strlen(text), &options);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	snprintf(message, sizeof message, "%s: $INCLUDE nested too deeply (limit 10)", file);
	assert_error(file, 2, message);
	ck_assert_uint_eq(diag.errors, 1);
}
END_TEST

/* Errors inside an include name the include and its own line numbers. */
START_TEST(test_include_errors)
{
	char text[256], file[1200];
	snprintf(text, sizeof text, "%s$INCLUDE bad-inc.zone\nlater A 1.2.3\n", base);
	struct zone_load_options options = { .include_directory = fixture_dir() };
	int rc = load_text_options(text, strlen(text), &options);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	snprintf(file, sizeof file, "%s/bad-inc.zone", fixture_dir());
	assert_error(file, 2, "near '192.0.2.256': bad dotted quad");
	assert_error(file, 3, "near '70000': out of range");
	assert_error("test.zone", 6, "near '1.2.3': bad dotted quad");
	ck_assert_uint_eq(diag.errors, 3);
}
END_TEST

/* A NUL byte is not text: one error for its record, the rest still read. */
START_TEST(test_nul_byte)
{
	static const char text[] = "$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n  IN NS ns1\n"
		"ns1 A 192.0.2.1\na TXT \"x\0y\"\nb A 1.2.3\n";
	int rc = load_text_options(text, sizeof text - 1, NULL);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	assert_error("test.zone", 5, "unexpected NUL byte");
	assert_error("test.zone", 6, "near '1.2.3': bad dotted quad");
	ck_assert_uint_eq(diag.errors, 2);
}
END_TEST

/* on_file runs right after the open: a writer appending at that moment. */
static void
append_on_open(void *arg, const char *path)
{
	(void)arg;
	FILE *f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("late A 192.0.2.8\n", f);
	ck_assert_int_eq(fclose(f), 0);
}

/* A file that grows while read is reported, not loaded as complete. */
START_TEST(test_file_changed_while_read)
{
	char path[] = "/tmp/check_zone_load_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, base, strlen(base)), (ssize_t)strlen(base));
	close(fd);
	struct zone_load_options options = { .on_file = append_on_open };
	int rc = zone_load_file(path, ORIGIN, &options, &diag, &zone);
	ck_assert_int_eq(rc, ZONED_ECHANGED);
	ck_assert_ptr_null(zone);
	assert_error(path, 0, "file changed while being read (replace zone files by rename)");
	/* Left alone, the same file loads. */
	setup();
	rc = zone_load_file(path, ORIGIN, NULL, &diag, &zone);
	assert_clean_load(rc);
	unlink(path);
}
END_TEST

/* An empty zone file: BIND's findings, and a code that says it is empty. */
START_TEST(test_empty_file)
{
	static const char *const texts[] = { "", "; only a comment\n\n" };
	for (size_t i = 0; i < 2; i++) {
		setup();
		int rc = load_text(texts[i]);
		ck_assert_int_eq(rc, ZONED_EEMPTY);
		ck_assert_ptr_null(zone);
		assert_error("", 0, "has 0 SOA records");
		ck_assert_str_eq(zoned_strerror(rc), "zone file is empty");
	}
	/* A record but no SOA is not empty. */
	setup();
	ck_assert_int_eq(load_text("$TTL 1\na A 192.0.2.1\n"), ZONED_EZONE);
}
END_TEST

/* Rdata over 65535 octets says which limit was hit. */
START_TEST(test_long_rdata_message)
{
	size_t size = strlen(base) + 400 * 260 + 64;
	char *text = malloc(size);
	ck_assert_ptr_nonnull(text);
	strcpy(text, base);
	strcat(text, "t TXT");
	for (int i = 0; i < 300; i++) {
		strcat(text, " \"");
		size_t at = strlen(text);
		memset(text + at, 'a', 250);
		text[at + 250] = '\0';
		strcat(text, "\"");
	}
	strcat(text, "\n");
	int rc = load_text(text);
	free(text);
	ck_assert_int_eq(rc, ZONED_ESYNTAX);
	assert_error("test.zone", 5, "rdata text too long (65535 octets or more)");
}
END_TEST

START_TEST(test_file_missing)
{
	int rc = zone_load_file("/nonexistent/zone.db", ORIGIN, NULL, &diag, &zone);
	ck_assert_int_eq(rc, ZONED_ENOENT);
	ck_assert_ptr_null(zone);
	assert_error("", 0, "loading from master file /nonexistent/zone.db failed: file not found");
}
END_TEST

START_TEST(test_stdin)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/simple.zone", fixture_dir());
	ck_assert_ptr_nonnull(freopen(path, "r", stdin));
	int rc = zone_load_file("-", ORIGIN, NULL, &diag, &zone);
	assert_clean_load(rc);
	assert_record("ns1.example.com", 1, 300, "c0000201");
}
END_TEST

/* Zone-level checks run after a clean parse: no SOA is an error. */
START_TEST(test_zone_checks_run)
{
	int rc = load_text("$TTL 300\nfoo A 192.0.2.1\n");
	ck_assert_int_eq(rc, ZONED_EZONE);
	ck_assert_ptr_null(zone);
	ck_assert_uint_ge(diag.errors, 1);
}
END_TEST

/* ---- against ldns ---- */

/* Writes rr's rdata as hex into hex (size octets at most); returns its length. */
static size_t
ldns_rdata_hex(const ldns_rr *rr, char *hex, size_t size)
{
	size_t at = 0;
	hex[0] = '\0';
	for (size_t f = 0; f < ldns_rr_rd_count(rr); f++) {
		const ldns_rdf *field = ldns_rr_rdf(rr, f);
		for (size_t i = 0; i < ldns_rdf_size(field) && at + 3 <= size; i++)
			at += (size_t)snprintf(hex + at, size - at, "%02x", ldns_rdf_data(field)[i]);
	}
	return at;
}

/*
 * Loads "owner input" below the base zone and checks that we store the
 * rdata ldns makes of it. When ldns rejects it (allowed only if
 * ldns_may_reject), we must reject it too, with one error.
 */
static void
assert_like_ldns(const char *owner, const char *input, bool ldns_may_reject)
{
	char text[1024], ldns_text[1024], name[64];
	snprintf(text, sizeof text, "%s%s %s\n", base, owner, input);
	int rc = load_text(text);
	snprintf(ldns_text, sizeof ldns_text, "%s.example.com. 300 IN %s", owner, input);
	ldns_rdf *origin = ldns_dname_new_frm_str("example.com.");
	ldns_rr *rr = NULL;
	ldns_status status = ldns_rr_new_frm_str(&rr, ldns_text, 300, origin, NULL);
	ldns_rdf_deep_free(origin);
	if (status != LDNS_STATUS_OK) {
		ck_assert_msg(ldns_may_reject, "%s: ldns rejects it", input);
		ck_assert_msg(rc == ZONED_ESYNTAX, "%s: ldns rejects, we accept", input);
		ck_assert_uint_eq(diag.errors, 1);
		return;
	}
	if (rc != 0)
		dump_findings();
	ck_assert_msg(rc == 0, "%s: ldns accepts, we reject", input);
	assert_clean_load(rc);
	char hex[2048];
	ldns_rdata_hex(rr, hex, sizeof hex);
	snprintf(name, sizeof name, "%s.example.com", owner);
	assert_record(name, ldns_rr_get_type(rr), 300, hex);
	ldns_rr_free(rr);
}

/* The A/AAAA fast path gives what ldns gives, for good and bad input. */
static const char *const address_inputs[] = {
	"A 192.0.2.1", "A 0.0.0.0", "A 255.255.255.255", "A 256.1.1.1", "A 1.2.3",
	"A 1.2.3.4.5", "A 01.2.3.4", "A 1.2.3.04", "A 0x1.2.3.4", "A 1..2.3", "A -1.2.3.4",
	"A 1.2.3.4/24", "A \\049.2.3.4", "A \"1.2.3.4\"", "A 1.2.3.4 5", "A 1.2.3.a",
	"A 1.2.3.", "A 999.2.3.4", "AAAA ::", "AAAA ::1", "AAAA 2001:db8::1",
	"AAAA 2001:DB8:0:0:0:0:0:1", "AAAA ::ffff:192.0.2.1", "AAAA 1:2:3:4:5:6:7:8",
	"AAAA 1:2:3:4:5:6:7:8:9", "AAAA 1::2::3", "AAAA :::", "AAAA 12345::",
	"AAAA ::192.0.2", "AAAA fe80::1%eth0", "AAAA g::", "AAAA 192.0.2.1", "AAAA 1:2",
	"A ::1", "AAAA 2001:db8::1 extra",
};

START_TEST(test_address_fast_path_matches_ldns)
{
	assert_like_ldns("a", address_inputs[_i], true);
}
END_TEST

/* Whatever ldns makes of a record's rdata, we store the same octets. */
static const char *const ldns_inputs[] = {
	"MX 10 mail.example.net.", "MX 0 .", "NS ns1.example.net.", "CNAME x.y.",
	"TXT \"a b\" c \"\\059\"", "SRV 0 0 0 .", "CAA 128 tag \"v\"", "SSHFP 1 1 0123456789abcdef0123456789abcdef01234567",
	"DS 12345 8 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
	"NAPTR 10 20 \"u\" \"E2U+sip\" \"!^.*$!sip:x@y!\" .", "HINFO \"cpu\" \"os\"",
	"TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m", "LOC 52 N 4 E 1",
	"LOC 90 0 0 S 180 0 0.000 W 42849672.95m 90000000m 90000000m 90000000.00m",
	"X25 311061700956", "X25 \"1234\"",
	"RP mbox.example.net. txt.example.net.", "AFSDB 1 afs.example.net.",
	"DS 1 8 1 00112233445566778899aabbccddeeff00112233", "SSHFP 4 2 ( 00112233445566778899"
	"aabbccddeeff0011\n 2233445566778899aabbccddeeff )", "DS 1 8 5 abc0",
	"NSEC b.example.com. A NS TYPE65000", "ZONEMD 1 1 240 00112233445566778899aabb",
	"DNAME target.example.net.", "PTR p.example.net.", "SPF \"v=spf1 -all\"",
};

START_TEST(test_rdata_matches_ldns)
{
	assert_like_ldns("r", ldns_inputs[_i], false);
}
END_TEST

/*
 * The name and TXT fast paths give what ldns gives, relative names included
 * (integers out of range are the one intended difference: see error_cases).
 */
static const char *const fast_inputs[] = {
	"NS ns1", "NS NS1.Example.NET.", "NS a/b", "NS *.x", "NS a-b_c", "NS @", "NS \\@",
	"NS a\\.b", "NS a\\065", "NS .", "NS a..b", "NS .a", "NS " LABEL64,
	"NS " LABEL61 "." LABEL61 "." LABEL61 "." LABEL61, "NS " LABEL61 "." LABEL61 "." LABEL61,
	"CNAME x", "CNAME x.", "PTR 1.2.3.4.in-addr.arpa.", "DNAME sub", "MX 0 .",
	"MX 65535 mx", "MX 010 mx", "MX 1 @", "MX x mx", "MX 10 mx extra",
	"MX \"10\" mx", "MX 10", "NS", "NS a b", "TXT plain", "TXT \"two words\" three",
	"TXT \"\"", "TXT \"v=spf1 ip4:192.0.2.0/24 -all\"", "TXT \"tab\there\"",
	"TXT \"semi;colon\"", "TXT \"a(b)c\"", "TXT \"\xc3\xa9\"", "TXT \"a\\\"b\"",
	"TXT \"" LABEL64 LABEL64 LABEL64 LABEL61 "abc\"",
	"TXT \"" LABEL64 LABEL64 LABEL64 LABEL61 "abcd\"", "TXT", "SPF \"v=spf1 -all\"",
};

START_TEST(test_fast_path_matches_ldns)
{
	assert_like_ldns("r", fast_inputs[_i], true);
}
END_TEST

/* SOA timers in TTL notation and the largest serial, as ldns encodes them. */
START_TEST(test_soa_matches_ldns)
{
	assert_clean_load(load_text("$TTL 300\n"
		"@ IN SOA ns1.example.com. host.example.com. 4294967295 1h 1d 1w 60s\n"
		"  IN NS ns1\nns1 A 192.0.2.1\n"));
	ldns_rr *rr = NULL;
	ck_assert_int_eq(ldns_rr_new_frm_str(&rr, "example.com. 300 IN SOA ns1.example.com. "
		"host.example.com. 4294967295 1h 1d 1w 60s", 300, NULL, NULL), LDNS_STATUS_OK);
	char hex[1024];
	size_t at = ldns_rdata_hex(rr, hex, sizeof hex);
	ldns_rr_free(rr);
	assert_record("example.com", 6, 300, hex);
	ck_assert_str_eq(hex + at - 40, "ffffffff00000e100001518000093a800000003c");
}
END_TEST

static Suite *
zone_load_suite(void)
{
	Suite *suite = suite_create("zone_load");
	TCase *syntax = tcase_create("syntax");
	tcase_add_checked_fixture(syntax, setup, teardown);
	tcase_add_loop_test(syntax, test_good_records, 0,
		sizeof good_cases / sizeof good_cases[0]);
	tcase_add_loop_test(syntax, test_error_records, 0,
		sizeof error_cases / sizeof error_cases[0]);
	tcase_add_test(syntax, test_every_error_reported);
	tcase_add_test(syntax, test_cut_short_skips_next_line);
	tcase_add_loop_test(syntax, test_meta_records, 0,
		sizeof meta_cases / sizeof meta_cases[0]);
	tcase_add_loop_test(syntax, test_file_errors, 0,
		(int)(sizeof file_error_cases / sizeof file_error_cases[0]));
	tcase_add_test(syntax, test_bad_owner_not_inherited);
	tcase_add_test(syntax, test_crlf);
	tcase_add_test(syntax, test_huge_line);
	tcase_add_test(syntax, test_nul_byte);
	tcase_add_test(syntax, test_empty_file);
	tcase_add_test(syntax, test_long_rdata_message);
	tcase_add_test(syntax, test_long_record);
	tcase_add_test(syntax, test_max_records);
	tcase_add_test(syntax, test_inherited_owner_after_origin);
	tcase_add_test(syntax, test_zone_checks_run);
	suite_add_tcase(suite, syntax);

	TCase *ttl = tcase_create("ttl");
	tcase_add_checked_fixture(ttl, setup, teardown);
	tcase_add_test(ttl, test_ttl_soa_minimum);
	tcase_add_test(ttl, test_ttl_rfc1035_semantics);
	tcase_add_test(ttl, test_ttl_above_signed);
	suite_add_tcase(suite, ttl);

	TCase *files = tcase_create("files");
	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, test_include);
	tcase_add_test(files, test_include_on_file);
	tcase_add_test(files, test_include_cwd);
	tcase_add_loop_test(files, test_include_unreadable, 0,
		(int)(sizeof include_error_cases / sizeof include_error_cases[0]));
	tcase_add_test(files, test_include_depth_limit);
	tcase_add_test(files, test_include_errors);
	tcase_add_test(files, test_file_missing);
	tcase_add_test(files, test_file_device_rejected);
	tcase_add_test(files, test_file_changed_while_read);
	tcase_add_test(files, test_cancel_flag);
	tcase_add_test(files, test_error_cap);
	tcase_add_test(files, test_stdin);
	suite_add_tcase(suite, files);

	TCase *ldns = tcase_create("ldns");
	tcase_add_checked_fixture(ldns, setup, teardown);
	tcase_add_loop_test(ldns, test_address_fast_path_matches_ldns, 0,
		sizeof address_inputs / sizeof address_inputs[0]);
	tcase_add_test(ldns, test_soa_matches_ldns);
	tcase_add_loop_test(ldns, test_fast_path_matches_ldns, 0,
		sizeof fast_inputs / sizeof fast_inputs[0]);
	tcase_add_loop_test(ldns, test_rdata_matches_ldns, 0,
		sizeof ldns_inputs / sizeof ldns_inputs[0]);
	suite_add_tcase(suite, ldns);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_load_suite());
}
