/*
 * check_xfr_in.c: reading incoming transfers (xfr_parse.c) and building the
 * versions they make (zone_apply.c, and on a thread of its own: xfr_build.c). Messages are written by ldns (which
 * compresses names), so decompression is exercised with another
 * implementation's output.
 */
#include <config.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/xfr_build.h"
#include "zoned/xfr_parse.h"
#include "zoned/zone_apply.h"
#include "zoned/zone_dump.h"

#define ID 0x4242
static const uint8_t origin[] = "\7example\0";

static struct testlib_capture capture;
static char *const findings = capture.text;
static struct diag sink;

static void
setup(void)
{
	sink = testlib_capture_start(&capture, "%L: %m\n", "-");
}

/* A message answering the transfer: the records of rrs (";"-separated), question when asked. */
static uint8_t *
message(uint16_t qtype, bool question, const char *rrs, size_t *length)
{
	ldns_pkt *pkt = ldns_pkt_new();
	ck_assert_ptr_nonnull(pkt);
	ldns_pkt_set_id(pkt, ID);
	ldns_pkt_set_qr(pkt, true);
	ldns_pkt_set_aa(pkt, true);
	if (question) {
		ldns_rr *q = ldns_rr_new();
		ldns_rdf *name = ldns_dname_new_frm_str("example.");
		ldns_rr_set_owner(q, name);
		ldns_rr_set_type(q, qtype);
		ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
		ldns_rr_set_question(q, true);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, q);
	}
	char *copy = strdup(rrs);
	for (char *save = NULL, *text = strtok_r(copy, ";", &save); text != NULL;
		text = strtok_r(NULL, ";", &save)) {
		ldns_rr *rr = NULL;
		ck_assert_msg(ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL) == LDNS_STATUS_OK,
			"%s", text);
		ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr);
	}
	free(copy);
	uint8_t *wire = NULL;
	ck_assert_int_eq(ldns_pkt2wire(&wire, pkt, length), LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
	return wire;
}

/* Feeds the messages (NULL-terminated list of rr lists) to parse; returns the last code. */
static int
feed(struct xfr_parse *parse, uint16_t qtype, const char *const *messages)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && messages[i] != NULL; i++) {
		size_t length;
		uint8_t *wire = message(qtype, i == 0, messages[i], &length);
		rc = xfr_parse_message(parse, wire, length);
		free(wire);
	}
	return rc;
}

#define SOA(serial) "example. 300 IN SOA ns1.example. host.example. " #serial " 3600 600 86400 300"
#define BASE "example. 300 IN NS ns1.example.;ns1.example. 300 IN A 192.0.2.1;" \
	"www.example. 300 IN A 192.0.2.2;example. 300 IN MX 10 www.example.;" \
	"txt.example. 300 IN TXT \"Hello World\""

/* Builds the zone of an AXFR of serial 1 with BASE. */
static struct zone *
base_zone(void)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	const char *const messages[] = { SOA(1) ";" BASE ";" SOA(1), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_FULL);
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_apply_build(origin, &parse.full, "test", 0, &sink, &zone), 0);
	xfr_parse_free(&parse);
	return zone;
}

/* The A record of name in zone (first octet of the address's last byte), or -1. */
static int
address_last_octet(const struct zone *zone, const char *name)
{
	uint8_t wire[DNAME_MAX_LENGTH];
	int length = dname_from_text(name, wire);
	const struct name_node *node = zone_find_node(zone, wire, (size_t)length);
	const struct rrset *a = node != NULL ? name_node_rrset(node, RRTYPE_A) : NULL;
	return a != NULL && a->rr_count == 1 ? a->rdata[5] : -1;
}

START_TEST(test_axfr_one_message)
{
	struct zone *zone = base_zone();
	ck_assert_uint_eq(zone->serial, 1);
	ck_assert_uint_eq(zone->record_count, 6);
	ck_assert_int_eq(address_last_octet(zone, "www.example."), 2);
	ck_assert_str_eq(findings, "");
	zone_free(zone);
}
END_TEST

START_TEST(test_axfr_many_messages)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	const char *const messages[] = { SOA(7), BASE, "a.example. 60 IN AAAA ::1", SOA(7), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_FULL);
	ck_assert_uint_eq(parse.messages, 4);
	ck_assert_uint_eq(parse.full.count, 7);
	/* Anything after the closing SOA is an error. */
	size_t length;
	uint8_t *wire = message(RRTYPE_AXFR, false, BASE, &length);
	ck_assert_int_eq(xfr_parse_message(&parse, wire, length), ZONED_EINVAL);
	free(wire);
	xfr_parse_free(&parse);
}
END_TEST

/* Transfers that must be refused, and why (parse->error). */
static const struct {
	const char *what;
	const char *messages[3];
	const char *error;
} refused[] = {
	{ "out-of-zone record", { SOA(2) ";www.example.net. 300 IN A 192.0.2.9;" SOA(2) },
		"record www.example.net is outside the zone" },
	{ "no SOA first", { BASE ";" SOA(2) }, "the transfer does not start with the zone's SOA" },
	{ "SOA below the apex", { SOA(2) ";sub.example. 300 IN SOA a. b. 1 2 3 4 5;" SOA(2) },
		"SOA record at sub.example, not at the zone's apex" },
	{ "closing SOA of another serial", { SOA(2) ";" BASE ";" SOA(3) },
		"transfer closed by SOA serial 3, not 2" },
	{ "class CH", { SOA(2) ";www.example. 300 CH A 192.0.2.9;" SOA(2) },
		"record www.example of class 3 type 1 cannot be zone data" },
	{ "records after the end", { SOA(2) ";" SOA(2) ";" BASE },
		"records after the transfer's closing SOA" },
};

START_TEST(test_refused)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, refused[_i].messages), ZONED_EINVAL);
	ck_assert_str_eq(parse.error, refused[_i].error);
	xfr_parse_free(&parse);
}
END_TEST

/* The header must answer the request. */
START_TEST(test_header_checks)
{
	size_t length;
	uint8_t *wire = message(RRTYPE_AXFR, true, SOA(1), &length);
	struct xfr_parse parse;
	const struct {
		size_t offset;
		uint8_t value;
		const char *error;
	} cases[] = {
		{ 1, 0x43, "message 1 does not answer the request (id, QR or opcode)" },
		{ 2, 0x04, "message 1 does not answer the request (id, QR or opcode)" },
		{ 3, 0x09, "the primary answered rcode 9" },
		{ 2, 0x86, "message 1 is truncated (TC)" },
		{ 17, 2, "message 1 answers another question" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t *copy = malloc(length);
		memcpy(copy, wire, length);
		copy[cases[i].offset] = cases[i].value;
		if (cases[i].offset == 17)
			copy[12 + 9 + 1] = 0xfc;   /* QTYPE AXFR -> another */
		xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
		ck_assert_int_eq(xfr_parse_message(&parse, copy, length), ZONED_EINVAL);
		ck_assert_str_eq(parse.error, cases[i].error);
		xfr_parse_free(&parse);
		free(copy);
	}
	free(wire);
}
END_TEST

/* Every prefix of a valid message fails cleanly; the whole one parses. */
START_TEST(test_truncated_messages)
{
	size_t length;
	uint8_t *wire = message(RRTYPE_AXFR, true, SOA(1) ";" BASE ";" SOA(1), &length);
	for (size_t cut = 0; cut <= length; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, wire, cut);
		struct xfr_parse parse;
		xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
		int rc = xfr_parse_message(&parse, copy, cut);
		ck_assert_int_eq(rc, cut == length ? 0 : ZONED_EINVAL);
		xfr_parse_free(&parse);
		free(copy);
	}
	free(wire);
}
END_TEST

/* Compression pointers must point backwards: a loop or a forward jump is malformed. */
START_TEST(test_pointer_loop)
{
	uint8_t bad[] = { 0x42, 0x42, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0,
		0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 60, 0, 0 };
	uint8_t name[DNAME_MAX_LENGTH];
	size_t offset = 12;
	ck_assert_uint_eq(xfr_read_name(bad, sizeof bad, &offset, name), 0);
	bad[13] = 14;
	offset = 12;
	ck_assert_uint_eq(xfr_read_name(bad, sizeof bad, &offset, name), 0);
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	ck_assert_int_eq(xfr_parse_message(&parse, bad, sizeof bad), ZONED_EINVAL);
	xfr_parse_free(&parse);
}
END_TEST

/* The checks of a loaded file: CNAME and other data fails the version. */
START_TEST(test_cname_and_other_data)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	const char *const messages[] = { SOA(2) ";" BASE ";www.example. 300 IN CNAME ns1.example.;"
		SOA(2), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), 0);
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_apply_build(origin, &parse.full, "AXFR", 0, &sink, &zone),
		ZONED_EZONE);
	ck_assert_ptr_null(zone);
	ck_assert_ptr_nonnull(strstr(findings, "CNAME and other data"));
	xfr_parse_free(&parse);
}
END_TEST

START_TEST(test_max_records)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 3);
	const char *const messages[] = { SOA(2) ";" BASE ";" SOA(2), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), ZONED_ELIMIT);
	xfr_parse_free(&parse);
}
END_TEST

/* RFC 1995 4: two sequences (1 -> 2 -> 3), applied to serial 1. */
START_TEST(test_ixfr_incremental)
{
	struct zone *old = base_zone();
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 1, 0);
	const char *const messages[] = {
		SOA(3) ";" SOA(1) ";www.example. 300 IN A 192.0.2.2;" SOA(2)
			";www.example. 300 IN A 192.0.2.3",
		SOA(2) ";txt.example. 300 IN TXT \"Hello World\";WWW.Example. 300 IN A 192.0.2.3;"
			SOA(3) ";www.example. 300 IN A 192.0.2.4;new.example. 300 IN A 192.0.2.5;" SOA(3),
		NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, messages), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_INCREMENTAL);
	ck_assert_uint_eq(parse.diff_count, 2);
	ck_assert_uint_eq(parse.diffs[0].from_serial, 1);
	ck_assert_uint_eq(parse.diffs[1].to_serial, 3);
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_apply_diffs(old, parse.diffs, parse.diff_count, "IXFR", 0, &sink,
		&zone), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(zone->serial, 3);
	ck_assert_int_eq(address_last_octet(zone, "www.example."), 4);
	ck_assert_int_eq(address_last_octet(zone, "new.example."), 5);
	uint8_t txt[] = "\3txt\7example";
	ck_assert_ptr_null(zone_find_node(zone, txt, sizeof txt));
	/* The old version is untouched. */
	ck_assert_uint_eq(old->serial, 1);
	ck_assert_int_eq(address_last_octet(old, "www.example."), 2);
	zone_free(zone);
	zone_free(old);
	xfr_parse_free(&parse);
}
END_TEST

/*
 * One record per message (BIND's transfer-format one-answer, RFC 5936 2.2
 * allows it): a first message with the SOA alone is not "up to date" when
 * that SOA is newer than ours; the transfer goes on.
 */
START_TEST(test_ixfr_one_answer)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 1, 0);
	const char *const incremental[] = { SOA(2), SOA(1), "www.example. 300 IN A 192.0.2.2",
		SOA(2), "www.example. 300 IN A 192.0.2.3", SOA(2), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, incremental), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_INCREMENTAL);
	ck_assert_uint_eq(parse.messages, 6);
	ck_assert_uint_eq(parse.diff_count, 1);
	xfr_parse_free(&parse);
	/* The whole zone in IXFR's AXFR form, one record per message. */
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 1, 0);
	const char *const full[] = { SOA(2), "example. 300 IN NS ns1.example.",
		"ns1.example. 300 IN A 192.0.2.1", SOA(2), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, full), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_FULL);
	ck_assert_uint_eq(parse.full.count, 3);
	xfr_parse_free(&parse);
	/* Our serial or an older one alone: current (RFC 1995 2). */
	for (int serial = 0; serial <= 1; serial++) {
		xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 1, 0);
		const char *const current[] = { serial ? SOA(1) : SOA(0), NULL };
		ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, current), 0);
		ck_assert_int_eq(parse.result, XFR_RESULT_UP_TO_DATE);
		xfr_parse_free(&parse);
	}
}
END_TEST

/* A deletion the version does not have: the caller falls back to AXFR. */
START_TEST(test_ixfr_does_not_apply)
{
	struct zone *old = base_zone();
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 1, 0);
	const char *const messages[] = { SOA(2) ";" SOA(1) ";www.example. 300 IN A 192.0.2.99;"
		SOA(2) ";" SOA(2), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, messages), 0);
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_apply_diffs(old, parse.diffs, parse.diff_count, "IXFR", 0, &sink,
		&zone), ZONED_EINVAL);
	ck_assert_ptr_null(zone);
	ck_assert_str_eq(findings, "error: IXFR deletes www.example A, which the "
		"zone does not have\n");
	zone_free(old);
	xfr_parse_free(&parse);
}
END_TEST

START_TEST(test_ixfr_other_forms)
{
	/* The single SOA: current. */
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 5, 0);
	const char *const current[] = { SOA(5), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, current), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_UP_TO_DATE);
	xfr_parse_free(&parse);
	/* The whole zone (RFC 1995 4, no history). */
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 5, 0);
	const char *const full[] = { SOA(6) ";" BASE, SOA(6), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, full), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_FULL);
	ck_assert_uint_eq(parse.full.count, 6);
	xfr_parse_free(&parse);
	/* Differences from a serial that is not ours. */
	xfr_parse_init(&parse, origin, RRTYPE_IXFR, ID, 5, 0);
	const char *const other[] = { SOA(6) ";" SOA(4) ";" SOA(6) ";" SOA(6), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_IXFR, other), ZONED_EINVAL);
	ck_assert_str_eq(parse.error, "IXFR starts from serial 4, not ours (5)");
	xfr_parse_free(&parse);
}
END_TEST

START_TEST(test_serial_arithmetic)
{
	ck_assert(xfr_serial_newer(2, 1));
	ck_assert(!xfr_serial_newer(1, 1));
	ck_assert(!xfr_serial_newer(1, 2));
	ck_assert(xfr_serial_newer(0, 0xffffffffu));        /* RFC 1982: wraps */
	ck_assert(xfr_serial_newer(0x7fffffffu, 0));
	ck_assert(!xfr_serial_newer(0x80000000u, 0));       /* undefined: not newer */
}
END_TEST

/* The queries zoned sends: a SOA query, and an IXFR carrying our SOA. */
START_TEST(test_query_build)
{
	uint8_t buffer[512];
	const uint8_t soa[] = "\3ns1\0\4host\0\0\0\0\5\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4";
	size_t length = xfr_query_build(origin, RRTYPE_IXFR, 0x1234, soa, sizeof soa - 1, 60,
		buffer, sizeof buffer);
	ck_assert_uint_gt(length, 0);
	ldns_pkt *pkt = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&pkt, buffer, length), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(pkt), 0x1234);
	ck_assert_uint_eq(ldns_pkt_nscount(pkt), 1);
	ck_assert_int_eq(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(pkt), 0)),
		LDNS_RR_TYPE_IXFR);
	ck_assert_uint_eq(ldns_rdf2native_int32(ldns_rr_rdf(ldns_rr_list_rr(
		ldns_pkt_authority(pkt), 0), 2)), 5);
	ldns_pkt_free(pkt);
	for (size_t size = 0; size < length; size++)
		ck_assert_uint_eq(xfr_query_build(origin, RRTYPE_IXFR, 1, soa, sizeof soa - 1, 60,
			buffer, size), 0);
	/* The answer to a SOA query. */
	size_t answer_length;
	uint8_t *answer = message(RRTYPE_SOA, true, SOA(77), &answer_length);
	uint32_t serial = 0;
	char why[XFR_ERROR_MAX];
	ck_assert_int_eq(xfr_soa_response(answer, answer_length, origin, ID, &serial, why,
		sizeof why), 0);
	ck_assert_uint_eq(serial, 77);
	ck_assert_int_eq(xfr_soa_response(answer, answer_length, origin, ID + 1, &serial, why,
		sizeof why), ZONED_EINVAL);
	free(answer);
}
END_TEST

/* The build thread's end, seen on the loop: the loop stops there. */
struct build_wait {
	struct event_base *base;
	struct xfr_build *build;
	int calls;
	int rc;
	struct zone *zone;
};

static void
on_test_built(void *arg)
{
	struct build_wait *wait = arg;
	wait->calls++;
	wait->rc = xfr_build_finish(wait->build, &wait->zone);
	event_base_loopbreak(wait->base);
}

/* Builds the AXFR of rrs on a thread; returns the loop's view of it (calls 1 when it ended). */
static struct build_wait
build_on_thread(const char *rrs)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	const char *const messages[] = { rrs, NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), 0);
	ck_assert_int_eq(parse.result, XFR_RESULT_FULL);
	evthread_use_pthreads();
	struct build_wait wait = { event_base_new(), NULL, 0, -1, NULL };
	ck_assert_ptr_nonnull(wait.base);
	wait.build = xfr_build_start(wait.base, origin, "AXFR from test", 0, &sink,
		on_test_built, &wait);
	ck_assert_ptr_nonnull(wait.build);
	ck_assert_int_eq(xfr_build_feed(wait.build, &parse.full), 0);
	ck_assert_uint_eq(parse.full.count, 0);
	xfr_build_end(wait.build);
	/* Bounded: a build that never ends fails here, not by hanging. */
	struct timeval most = { 10, 0 };
	event_base_loopexit(wait.base, &most);
	event_base_dispatch(wait.base);
	event_base_free(wait.base);
	xfr_parse_free(&parse);
	return wait;
}

START_TEST(test_build_on_thread)
{
	struct build_wait wait = build_on_thread(SOA(5) ";" BASE ";" SOA(5));
	ck_assert_int_eq(wait.calls, 1);
	ck_assert_int_eq(wait.rc, 0);
	ck_assert_uint_eq(wait.zone->serial, 5);
	ck_assert_uint_eq(wait.zone->record_count, 6);
	ck_assert_int_eq(address_last_octet(wait.zone, "www.example."), 2);
	ck_assert_str_eq(findings, "");
	zone_free(wait.zone);
}
END_TEST

/* A check failed on the build thread: its findings reach the caller's diag, no zone. */
START_TEST(test_build_on_thread_fails)
{
	struct build_wait wait = build_on_thread(SOA(6) ";" BASE
		";www.example. 300 IN CNAME ns1.example.;" SOA(6));
	ck_assert_int_eq(wait.calls, 1);
	ck_assert_int_eq(wait.rc, ZONED_EZONE);
	ck_assert_ptr_null(wait.zone);
	ck_assert_ptr_nonnull(strstr(findings, "CNAME and other data"));
}
END_TEST

/* Dropped before its end is seen (a stop): the thread is waited for, nothing is left. */
START_TEST(test_build_cancel)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_AXFR, ID, 0, 0);
	const char *const messages[] = { SOA(7) ";" BASE ";" SOA(7), NULL };
	ck_assert_int_eq(feed(&parse, RRTYPE_AXFR, messages), 0);
	evthread_use_pthreads();
	struct build_wait wait = { event_base_new(), NULL, 0, -1, NULL };
	wait.build = xfr_build_start(wait.base, origin, "AXFR from test", 0, &sink,
		on_test_built, &wait);
	ck_assert_ptr_nonnull(wait.build);
	ck_assert_int_eq(xfr_build_feed(wait.build, &parse.full), 0);
	xfr_build_end(wait.build);
	xfr_build_cancel(wait.build);
	xfr_build_cancel(NULL);
	/* Its end, made active by the thread, went with it: the loop has nothing to run. */
	ck_assert_int_eq(event_base_loop(wait.base, EVLOOP_NONBLOCK), 1);
	ck_assert_int_eq(wait.calls, 0);
	event_base_free(wait.base);
	xfr_parse_free(&parse);
}
END_TEST

/* The records of an AXFR of serial 9: BASE, count more names, www.example again at the end. */
static void
stream_records(struct xfr_parse *parse, size_t count, size_t max_records)
{
	size_t size = 64 * (count + 16), used = 0;
	char *rrs = malloc(size);
	used += (size_t)snprintf(rrs, size, "%s;%s", SOA(9), BASE);
	for (size_t i = 0; i < count; i++)
		used += (size_t)snprintf(rrs + used, size - used, ";h%zu.example. 300 IN A 192.0.2.%zu",
			i, i % 250);
	/* An owner seen again after others: rebuilt across batches. */
	snprintf(rrs + used, size - used, ";www.example. 300 IN TXT \"again\";%s", SOA(9));
	xfr_parse_init(parse, origin, RRTYPE_AXFR, ID, 0, max_records);
	const char *const messages[] = { rrs, NULL };
	ck_assert_int_eq(feed(parse, RRTYPE_AXFR, messages), 0);
	ck_assert_int_eq(parse->result, XFR_RESULT_FULL);
	free(rrs);
}

/* Hands records to build in batches of size records (the last one smaller). */
static void
feed_batches(struct xfr_build *build, const struct xfr_rrlist *records, size_t size)
{
	struct xfr_rrlist batch = { 0 };
	size_t offset = 0;
	struct xfr_rr rr;
	while (xfr_rrlist_next(records, &offset, &rr)) {
		ck_assert_int_eq(xfr_rrlist_add(&batch, &rr), 0);
		if (batch.count == size) {
			ck_assert_int_eq(xfr_build_feed(build, &batch), 0);
			ck_assert_ptr_null(batch.data);
		}
	}
	if (batch.count > 0)
		ck_assert_int_eq(xfr_build_feed(build, &batch), 0);
}

/* The zone as text (zone_dump.h), to compare two builds; the caller frees it. */
static char *
zone_text(const struct zone *zone)
{
	char *text = NULL;
	size_t length = 0;
	FILE *out = open_memstream(&text, &length);
	ck_assert_int_eq(zone_dump_write(zone, ZONE_DUMP_FULL, out), 0);
	fclose(out);
	return text;
}

/* Builds records on a thread, handed over in batches of size, the loop running between. */
static struct build_wait
build_streamed(const struct xfr_rrlist *records, size_t size, size_t max_records)
{
	evthread_use_pthreads();
	struct build_wait wait = { event_base_new(), NULL, 0, -1, NULL };
	ck_assert_ptr_nonnull(wait.base);
	wait.build = xfr_build_start(wait.base, origin, "AXFR from test", max_records, &sink,
		on_test_built, &wait);
	ck_assert_ptr_nonnull(wait.build);
	feed_batches(wait.build, records, size);
	/* Not over before its end, whatever the thread has added. */
	ck_assert_int_eq(event_base_loop(wait.base, EVLOOP_NONBLOCK), 1);
	ck_assert_int_eq(wait.calls, 0);
	xfr_build_end(wait.build);
	struct timeval most = { 10, 0 };
	event_base_loopexit(wait.base, &most);
	event_base_dispatch(wait.base);
	event_base_free(wait.base);
	return wait;
}

/* Records fed in several batches make the same zone as one build of them all. */
START_TEST(test_build_streamed)
{
	struct xfr_parse parse;
	stream_records(&parse, 600, 0);
	struct zone *whole = NULL;
	ck_assert_int_eq(zone_apply_build(origin, &parse.full, "AXFR from test", 0, &sink,
		&whole), 0);
	char *expected = zone_text(whole);
	static const size_t sizes[] = { 1, 7, 50, 1000 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct build_wait wait = build_streamed(&parse.full, sizes[i], 0);
		ck_assert_int_eq(wait.calls, 1);
		ck_assert_int_eq(wait.rc, 0);
		ck_assert_uint_eq(wait.zone->record_count, whole->record_count);
		ck_assert_uint_eq(wait.zone->record_count, 600 + 6 + 1);
		char *text = zone_text(wait.zone);
		ck_assert_str_eq(text, expected);
		free(text);
		zone_free(wait.zone);
	}
	ck_assert_str_eq(findings, "");
	free(expected);
	zone_free(whole);
	xfr_parse_free(&parse);
}
END_TEST

/* More records than max-records, seen by the batch that passes it: reported once, no zone. */
START_TEST(test_build_streamed_limit)
{
	struct xfr_parse parse;
	stream_records(&parse, 300, 0);
	struct build_wait wait = build_streamed(&parse.full, 50, 100);
	ck_assert_int_eq(wait.calls, 1);
	ck_assert_int_eq(wait.rc, ZONED_ELIMIT);
	ck_assert_ptr_null(wait.zone);
	ck_assert_str_eq(findings, "error: too many records (limit 100)\n");
	xfr_parse_free(&parse);
}
END_TEST

/*
 * A transfer cut off mid-stream: the build is cancelled before its end,
 * with batches added and others still queued; everything it was given
 * and made is freed (valgrind), done never runs.
 */
START_TEST(test_build_cancel_mid_stream)
{
	struct xfr_parse parse;
	stream_records(&parse, 600, 0);
	evthread_use_pthreads();
	for (int fed = 0; fed < 2; fed++) {
		struct build_wait wait = { event_base_new(), NULL, 0, -1, NULL };
		wait.build = xfr_build_start(wait.base, origin, "AXFR from test", 0, &sink,
			on_test_built, &wait);
		ck_assert_ptr_nonnull(wait.build);
		/* Nothing fed (the thread waiting), or many batches (some added, some queued). */
		if (fed)
			feed_batches(wait.build, &parse.full, 10);
		xfr_build_cancel(wait.build);
		ck_assert_int_eq(event_base_loop(wait.base, EVLOOP_NONBLOCK), 1);
		ck_assert_int_eq(wait.calls, 0);
		event_base_free(wait.base);
	}
	ck_assert_str_eq(findings, "");
	xfr_parse_free(&parse);
}
END_TEST

static Suite *
xfr_in_suite(void)
{
	Suite *s = suite_create("xfr_in");
	TCase *tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_axfr_one_message);
	tcase_add_test(tc, test_axfr_many_messages);
	tcase_add_loop_test(tc, test_refused, 0, sizeof refused / sizeof refused[0]);
	tcase_add_test(tc, test_header_checks);
	tcase_add_test(tc, test_truncated_messages);
	tcase_add_test(tc, test_pointer_loop);
	tcase_add_test(tc, test_cname_and_other_data);
	tcase_add_test(tc, test_max_records);
	tcase_add_test(tc, test_ixfr_incremental);
	tcase_add_test(tc, test_ixfr_one_answer);
	tcase_add_test(tc, test_ixfr_does_not_apply);
	tcase_add_test(tc, test_ixfr_other_forms);
	tcase_add_test(tc, test_serial_arithmetic);
	tcase_add_test(tc, test_query_build);
	tcase_add_test(tc, test_build_on_thread);
	tcase_add_test(tc, test_build_on_thread_fails);
	tcase_add_test(tc, test_build_cancel);
	tcase_add_test(tc, test_build_streamed);
	tcase_add_test(tc, test_build_streamed_limit);
	tcase_add_test(tc, test_build_cancel_mid_stream);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testlib_run(xfr_in_suite());
}
