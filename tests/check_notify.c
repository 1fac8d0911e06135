/*
 * check_notify.c: NOTIFY out (RFC 1996): the message parses with ldns as a
 * NOTIFY carrying the SOA, responses match only with the same id, QR,
 * opcode and question, the targets are the NS hosts but the MNAME plus
 * also-notify as notify yes/explicit/no say, and the sender gets an
 * answer over loopback and stops; with a key, the NOTIFY is signed and only
 * a response signed with that key stops it.
 */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "testlib.h"
#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/notify.h"
#include "zoned/tsig.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

static const char zone_text[] =
	"$TTL 300\n"
	"@ IN SOA ns1 hostmaster 2024010101 3600 600 86400 300\n"
	"@ IN NS ns1\n"
	"@ IN NS ns2\n"
	"@ IN NS ns.elsewhere.test.\n"
	"ns1 IN A 192.0.2.1\n"
	"ns2 IN A 192.0.2.2\n"
	"ns2 IN AAAA 2001:db8::2\n";

static char last_log[1024];
static char all_log[8192];   /* every line since it was last emptied */

static void
test_log(int priority, const char *format, ...)
{
	(void)priority;
	va_list args;
	va_start(args, format);
	vsnprintf(last_log, sizeof last_log, format, args);
	va_end(args);
	size_t used = strlen(all_log);
	snprintf(all_log + used, sizeof all_log - used, "%s\n", last_log);
}

static struct zone *
load_zone(void)
{
	return testlib_zone_from_text("example.test", zone_text, "example.test.zone", NULL,
		NULL);
}

static int
build(const struct zone *zone, uint16_t id, uint8_t *buffer)
{
	int length = notify_message_build(zone, id, buffer, NOTIFY_MESSAGE_MAX);
	ck_assert_int_gt(length, 12);
	return length;
}

START_TEST(test_message_parses_as_notify_with_soa)
{
	struct zone *zone = load_zone();
	uint8_t buffer[NOTIFY_MESSAGE_MAX];
	int length = build(zone, 0x1234, buffer);
	ldns_pkt *pkt = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&pkt, buffer, (size_t)length), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt_id(pkt), 0x1234);
	ck_assert_int_eq(ldns_pkt_get_opcode(pkt), LDNS_PACKET_NOTIFY);
	ck_assert(ldns_pkt_aa(pkt));
	ck_assert(!ldns_pkt_qr(pkt));
	ck_assert_int_eq(ldns_pkt_qdcount(pkt), 1);
	ck_assert_int_eq(ldns_pkt_ancount(pkt), 1);
	ck_assert_int_eq(ldns_pkt_nscount(pkt) + ldns_pkt_arcount(pkt), 0);
	ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	ldns_rdf *origin = ldns_dname_new_frm_str("example.test.");
	ck_assert_int_eq(ldns_dname_compare(ldns_rr_owner(question), origin), 0);
	ck_assert_int_eq(ldns_rr_get_type(question), LDNS_RR_TYPE_SOA);
	ck_assert_int_eq(ldns_rr_get_class(question), LDNS_RR_CLASS_IN);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_answer(pkt), 0);
	ck_assert_int_eq(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	ck_assert_int_eq(ldns_dname_compare(ldns_rr_owner(soa), origin), 0);
	ck_assert_int_eq(ldns_rr_ttl(soa), 300);
	ck_assert_uint_eq(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), 2024010101u);
	ldns_rdf *mname = ldns_dname_new_frm_str("ns1.example.test.");
	ck_assert_int_eq(ldns_dname_compare(ldns_rr_rdf(soa, 0), mname), 0);
	ldns_rdf_deep_free(mname);
	ldns_rdf_deep_free(origin);
	ldns_pkt_free(pkt);
	ck_assert_int_eq(notify_message_build(zone, 1, buffer, 40), ZONED_ESPACE);
	zone_free(zone);
}
END_TEST

/* Each case edits a copy of the request made into a response. */
static const struct {
	const char *what;
	size_t offset;          /* octet changed; 0: none */
	uint8_t value;
	bool matches;
} match_cases[] = {
	{ "the echo", 0, 0, true },
	{ "an error rcode is still an answer", 3, 0x04, true },
	{ "another id", 1, 0x35, false },
	{ "QR clear", 2, 0x24, false },
	{ "opcode QUERY", 2, 0x84, false },
	{ "no question", 5, 0, false },
	{ "the name in upper case", 13, 'E', true },
	{ "another name", 13, 'x', false },
	{ "another type", 12 + 14 + 1, 2, false },   /* "\7example\4test\0" is 14 octets */
	{ "another class", 12 + 14 + 3, 3, false },
};

START_TEST(test_response_matching)
{
	struct zone *zone = load_zone();
	uint8_t request[NOTIFY_MESSAGE_MAX], response[NOTIFY_MESSAGE_MAX];
	int length = build(zone, 0x1234, request);
	memcpy(response, request, (size_t)length);
	response[2] |= 0x80;   /* QR */
	if (match_cases[_i].offset != 0)
		response[match_cases[_i].offset] = match_cases[_i].value;
	ck_assert_msg(notify_response_matches(request, (size_t)length, response,
		(size_t)length) == match_cases[_i].matches, "%s", match_cases[_i].what);
	/* A response that echoes only the question matches too; a cut one does not. */
	if (match_cases[_i].offset == 0) {
		response[7] = 0;
		ck_assert(notify_response_matches(request, (size_t)length, response, 12 + 14 + 4));
		ck_assert(!notify_response_matches(request, (size_t)length, response, 12 + 14 + 2));
		ck_assert(!notify_response_matches(request, (size_t)length, response, 11));
	}
	zone_free(zone);
}
END_TEST

static struct config *
config_from(const char *text)
{
	static struct testlib_capture capture;
	struct diag d = testlib_capture_start(&capture, "%l: %m", "-");
	struct config *config = NULL;
	int rc = config_load_text(text, strlen(text), "test.conf", &d, &config);
	ck_assert_msg(rc == 0, "%s", capture.text);
	return config;
}

/* The targets as "address#port[ key]" joined by spaces, for comparison. */
static void
targets_text(const struct notify_targets *targets, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < targets->count; i++) {
		const struct notify_target *t = &targets->items[i];
		char address[LOG_ADDRESS_SIZE];
		log_format_address((const struct sockaddr *)&t->address, address, sizeof address);
		char key[DNAME_MAX_LENGTH * 4 + 1] = "";
		if (t->key[0] != 0)
			dname_format(t->key, key, sizeof key);
		snprintf(out + strlen(out), size - strlen(out), "%s%s%s%s", i ? " " : "",
			address, key[0] ? " " : "", key);
	}
}

#define KEY "key k { algorithm hmac-sha256; secret \"aGVsbG8=\"; };\n"
#define NS_HOSTS "192.0.2.2#53 2001:db8::2#53"

static const struct {
	const char *what;
	const char *config;
	const char *targets;
} target_cases[] = {
	{ "notify yes by default: NS hosts in the zone but the MNAME",
	  "zone example.test { type primary; file \"x\"; };", NS_HOSTS },
	{ "also-notify with port and key, after the NS hosts",
	  KEY "options { also-notify { 127.0.0.1 port 5300 key k; ::1; }; };\n"
	  "zone example.test { type primary; file \"x\"; };",
	  NS_HOSTS " 127.0.0.1#5300 k ::1#53" },
	{ "a list-wide port; an address given twice is notified once",
	  "options { also-notify port 5301 { 127.0.0.1; 192.0.2.2 port 53; }; };\n"
	  "zone example.test { type primary; file \"x\"; };",
	  NS_HOSTS " 127.0.0.1#5301" },
	{ "notify explicit: also-notify only",
	  "options { notify explicit; also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type primary; file \"x\"; };", "127.0.0.1#5300" },
	{ "notify no: nothing",
	  "options { notify no; also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type primary; file \"x\"; };", "" },
	{ "the zone's notify and also-notify replace the options'",
	  "options { notify no; also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type primary; file \"x\"; notify explicit;\n"
	  "  also-notify { 127.0.0.2 port 5302; }; };", "127.0.0.2#5302" },
	{ "primary-only is yes for a primary zone",
	  "options { notify primary-only; also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type primary; file \"x\"; };", NS_HOSTS " 127.0.0.1#5300" },
	{ "primary-only tells nobody of a secondary zone, also-notify included (as BIND)",
	  "options { notify primary-only; also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type secondary; primaries { 192.0.2.9; }; file \"x\"; };", "" },
	{ "master-only, the older spelling, in the zone",
	  "options { also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type slave; masters { 192.0.2.9; }; file \"x\";\n"
	  "  notify master-only; };", "" },
	{ "a secondary zone notifies with notify yes (the default)",
	  "options { also-notify { 127.0.0.1 port 5300; }; };\n"
	  "zone example.test { type secondary; primaries { 192.0.2.9; }; file \"x\"; };",
	  NS_HOSTS " 127.0.0.1#5300" },
	{ "a secondary zone's own notify yes beats the options' primary-only",
	  "options { notify primary-only; };\n"
	  "zone example.test { type secondary; primaries { 192.0.2.9; }; file \"x\";\n"
	  "  notify yes; };", NS_HOSTS },
	{ "a zone's notify no",
	  "zone example.test { type primary; file \"x\"; notify no; };", "" },
	{ "an own listening address is not notified",
	  "options { listen-on { 192.0.2.2; }; };\n"
	  "zone example.test { type primary; file \"x\"; };", "2001:db8::2#53" },
};

START_TEST(test_target_selection)
{
	struct zone *zone = load_zone();
	struct config *config = config_from(target_cases[_i].config);
	struct notify_targets targets = { 0 };
	last_log[0] = '\0';
	ck_assert_int_eq(notify_targets_select(zone, config,
		config_find_zone(config, zone->origin), test_log, &targets), 0);
	char text[512];
	targets_text(&targets, text, sizeof text);
	ck_assert_msg(strcmp(text, target_cases[_i].targets) == 0, "%s: got '%s'",
		target_cases[_i].what, text);
	if (strstr(target_cases[_i].targets, "2001:db8::2") != NULL)
		ck_assert_msg(strstr(last_log, "ns.elsewhere.test is outside the zone") != NULL,
			"out-of-zone NS is logged: %s", last_log);
	notify_targets_clear(&targets);
	config_free(config);
	zone_free(zone);
}
END_TEST

static const struct {
	const char *config;
	const char *error;
} config_errors[] = {
	{ "options { notify maybe; };", "notify 'maybe'" },
	{ "options { also-notify { 127.0.0.1 key nokey; }; };", "key 'nokey' is not defined" },
	{ "options { also-notify { primaries-list; }; };", "is not an address" },
	{ "options { also-notify { 127.0.0.1 port 70000; }; };", "port '70000'" },
	{ "options { notify-source ::1; };", "not an IPv4 address" },
	{ "zone z { type primary; file \"x\"; also-notify { 1.2.3.4 key k; }; };",
	  "key 'k' is not defined" },
};

START_TEST(test_config_errors)
{
	static struct testlib_capture capture;
	struct diag d = testlib_capture_start(&capture, "%l: %m", "-");
	struct config *config = NULL;
	const char *text = config_errors[_i].config;
	ck_assert_int_ne(config_load_text(text, strlen(text), "test.conf", &d, &config), 0);
	ck_assert_msg(strstr(capture.text, config_errors[_i].error) != NULL, "%s: %s", text,
		capture.text);
}
END_TEST

START_TEST(test_notify_source)
{
	struct config *config = config_from("options { notify-source 127.0.0.1 port *;\n"
		"notify-source-v6 * port 5300; };");
	const struct sockaddr_in *in = (const struct sockaddr_in *)&config->notify_source[0].address;
	const struct sockaddr_in6 *in6 =
		(const struct sockaddr_in6 *)&config->notify_source[1].address;
	ck_assert_int_eq(in->sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(in->sin_addr.s_addr), 0x7f000001);
	ck_assert_int_eq(in->sin_port, 0);
	ck_assert_int_eq(in6->sin6_family, AF_INET6);
	ck_assert_int_eq(ntohs(in6->sin6_port), 5300);
	config_free(config);
}
END_TEST

/* A zone set with one zone, as zoneset_build would make it. */
static struct zoneset *
set_of(struct zone *zone)
{
	struct zoneset *set = calloc(1, sizeof *set);
	set->db = zonedb_create();
	set->zones = calloc(1, sizeof *set->zones);
	memcpy(set->zones[0].origin, zone->origin, zone->origin_length);
	set->zones[0].name = strdup("example.test");
	set->zones[0].path = strdup("x");
	set->zones[0].zone = zone;
	set->zone_count = 1;
	ck_assert_int_eq(zonedb_add(set->db, zone), 0);
	return set;
}

/* A loopback UDP socket as the also-notify target; its port into *port. */
static int
listener(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in in = { .sin_family = AF_INET };
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&in, sizeof in), 0);
	socklen_t length = sizeof in;
	getsockname(fd, (struct sockaddr *)&in, &length);
	*port = ntohs(in.sin_port);
	struct timeval timeout = { 2, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	return fd;
}

START_TEST(test_sender_answered_and_unchanged_serial)
{
	uint16_t port;
	int fd = listener(&port);
	char text[512];
	snprintf(text, sizeof text, "options { notify explicit; also-notify { 127.0.0.1 "
		"port %u; }; };\nzone example.test { type primary; file \"x\"; };", port);
	struct config *config = config_from(text);
	struct zoneset *set = set_of(load_zone());
	struct event_base *base = event_base_new();
	struct notify *notify = notify_create(base, test_log);
	ck_assert_int_eq(notify_zones(notify, config, NULL, set), 0);
	ck_assert_uint_eq(notify_pending_count(notify), 1);
	event_base_loop(base, EVLOOP_NONBLOCK);   /* the first send */
	uint8_t message[NOTIFY_MESSAGE_MAX];
	struct sockaddr_storage from;
	socklen_t from_length = sizeof from;
	ssize_t length = recvfrom(fd, message, sizeof message, 0, (struct sockaddr *)&from,
		&from_length);
	ck_assert_int_gt(length, 12);
	ck_assert_int_eq((message[2] >> 3) & 0xf, 4);
	/* Another id is not an answer; the right one is. */
	message[2] |= 0x80;
	message[0] ^= 1;
	sendto(fd, message, (size_t)length, 0, (struct sockaddr *)&from, from_length);
	message[0] ^= 1;
	sendto(fd, message, (size_t)length, 0, (struct sockaddr *)&from, from_length);
	for (int i = 0; i < 100 && notify_pending_count(notify) > 0; i++) {
		usleep(10000);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
	ck_assert_uint_eq(notify_pending_count(notify), 0);
	ck_assert_msg(strstr(last_log, "answered with rcode 0") != NULL, "%s", last_log);
	/* The same set again (a reload that changed nothing): nothing to send. */
	ck_assert_int_eq(notify_zones(notify, config, set, set), 0);
	ck_assert_uint_eq(notify_pending_count(notify), 0);
	/* A new serial replaces the pending NOTIFY; notify_free cancels the new one. */
	ck_assert_int_eq(notify_zones(notify, config, NULL, set), 0);
	ck_assert_uint_eq(notify_pending_count(notify), 1);
	char text2[sizeof zone_text + 8];
	snprintf(text2, sizeof text2, "%s", zone_text);
	memcpy(strstr(text2, "2024010101"), "2024010102", 10);
	struct zoneset *newer = set_of(testlib_zone_from_text("example.test", text2, "x", NULL,
		NULL));
	ck_assert_int_eq(notify_zones(notify, config, set, newer), 0);
	ck_assert_uint_eq(notify_pending_count(notify), 1);
	notify_free(notify);
	event_base_free(base);
	zoneset_free(newer);
	zoneset_free(set);
	config_free(config);
	close(fd);
}
END_TEST

/* Runs base until notify has no pending NOTIFY or a second has passed. */
static void
run_until_answered(struct event_base *base, const struct notify *notify)
{
	for (int i = 0; i < 100 && notify_pending_count(notify) > 0; i++) {
		usleep(10000);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}
}

START_TEST(test_sender_signed)
{
	uint16_t port;
	int fd = listener(&port);
	char text[512];
	snprintf(text, sizeof text, "key k { algorithm hmac-sha256; secret \"c2VjcmV0IG9mIGs=\"; };\n"
		"key other { algorithm hmac-sha256; secret \"b3RoZXI=\"; };\n"
		"options { notify explicit; also-notify { 127.0.0.1 port %u key k; }; };\n"
		"zone example.test { type primary; file \"x\"; };", port);
	struct config *config = config_from(text);
	struct zoneset *set = set_of(load_zone());
	struct event_base *base = event_base_new();
	struct notify *notify = notify_create(base, test_log);
	ck_assert_int_eq(notify_zones(notify, config, NULL, set), 0);
	event_base_loop(base, EVLOOP_NONBLOCK);   /* the first send */
	uint8_t message[NOTIFY_MESSAGE_MAX];
	struct sockaddr_storage from;
	socklen_t from_length = sizeof from;
	ssize_t length = recvfrom(fd, message, sizeof message, 0, (struct sockaddr *)&from,
		&from_length);
	ck_assert_int_gt(length, 12);
	/* It verifies with k, as a secondary's TSIG check would. */
	struct tsig_keyring ring;
	ck_assert_int_eq(tsig_keyring_init(&ring, config->keys, config->key_count), 0);
	struct tsig_context *context = tsig_context_create();
	size_t start;
	ck_assert_int_eq(tsig_find(message, (size_t)length, &start), 0);
	struct tsig_request request;
	ck_assert_int_eq(tsig_verify_request(&ring, context, message, (size_t)length, start,
		(uint64_t)time(NULL), &request), 0);
	ck_assert_int_eq(request.error, TSIG_NOERROR);
	ck_assert_uint_eq(request.key->name_length, 3);
	/* The response: the NOTIFY with QR set, without its TSIG. Unsigned, or
	 * signed with another key, it is not an answer. */
	uint8_t response[NOTIFY_MESSAGE_MAX];
	memcpy(response, message, start);
	response[2] |= 0x80;
	response[10] = response[11] = 0;
	sendto(fd, response, start, 0, (struct sockaddr *)&from, from_length);
	run_until_answered(base, notify);
	ck_assert_uint_eq(notify_pending_count(notify), 1);
	ck_assert_msg(strstr(all_log, "not acknowledged") != NULL, "%s", all_log);
	uint8_t wrong[NOTIFY_MESSAGE_MAX];
	memcpy(wrong, response, start);
	struct tsig_state state;
	const struct tsig_key *other = tsig_keyring_find(&ring, (const uint8_t *)"\5other", 7);
	tsig_sign_start(&state, context, other, request.record.mac, request.record.mac_length);
	size_t n = tsig_sign_next(&state, wrong, start, sizeof wrong, (uint64_t)time(NULL));
	ck_assert_uint_gt(n, start);
	sendto(fd, wrong, n, 0, (struct sockaddr *)&from, from_length);
	all_log[0] = '\0';
	run_until_answered(base, notify);
	ck_assert_uint_eq(notify_pending_count(notify), 1);
	ck_assert_msg(strstr(all_log, "BADKEY") != NULL, "%s", all_log);
	/* Signed with k over the request's MAC (RFC 8945 4.3.1): answered. */
	tsig_sign_start(&state, context, request.key, request.record.mac,
		request.record.mac_length);
	n = tsig_sign_next(&state, response, start, sizeof response, (uint64_t)time(NULL));
	sendto(fd, response, n, 0, (struct sockaddr *)&from, from_length);
	run_until_answered(base, notify);
	ck_assert_uint_eq(notify_pending_count(notify), 0);
	ck_assert_msg(strstr(last_log, "answered with rcode 0") != NULL, "%s", last_log);
	tsig_context_free(context);
	tsig_keyring_free(&ring);
	notify_free(notify);
	event_base_free(base);
	zoneset_free(set);
	config_free(config);
	close(fd);
}
END_TEST

static Suite *
notify_suite(void)
{
	Suite *suite = suite_create("notify");
	TCase *tc = tcase_create("notify");
	tcase_add_test(tc, test_message_parses_as_notify_with_soa);
	tcase_add_loop_test(tc, test_response_matching, 0,
		sizeof match_cases / sizeof match_cases[0]);
	tcase_add_loop_test(tc, test_target_selection, 0,
		sizeof target_cases / sizeof target_cases[0]);
	tcase_add_loop_test(tc, test_config_errors, 0,
		sizeof config_errors / sizeof config_errors[0]);
	tcase_add_test(tc, test_notify_source);
	tcase_add_test(tc, test_sender_answered_and_unchanged_serial);
	tcase_add_test(tc, test_sender_signed);
	suite_add_tcase(tc ? suite : suite, tc);
	return suite;
}

int
main(void)
{
	return testlib_run(notify_suite());
}
