/* check_rrl.c: response rate limiting: token buckets on a fake clock, slip, prefixes, classes, collisions, log-only, classification, rrl_apply. */
#include <config.h>

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/cookie.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrl.h"
#include "zoned/zone_load.h"
#include "zoned/zonedb.h"

/* ---- helpers ---- */

static char log_text[4096];
static unsigned log_lines;

static void
capture_log(int priority, const char *format, ...)
{
	size_t used = strlen(log_text);
	va_list args;
	va_start(args, format);
	vsnprintf(log_text + used, sizeof log_text - used, format, args);
	va_end(args);
	used = strlen(log_text);
	snprintf(log_text + used, sizeof log_text - used, "\n");
	log_lines++;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/* A compiled address match list of one element (exempt-clients' parsing is check_config's). */
static struct acl *
exempt_list(const char *element)
{
	struct acl_list *list = acl_list_create();
	struct acl_element e;
	ck_assert_int_eq(acl_element_parse(element, &e, NULL), 0);
	ck_assert_int_eq(acl_list_append(list, &e), 0);
	struct acl_context context = { .d = NULL };
	struct acl *acl = NULL;
	ck_assert_int_eq(acl_compile(list, &context, &acl), 0);
	acl_list_free(list);
	return acl;
}

/* A config limiting every class to rate per second. */
static struct rrl_config *
config_with(unsigned rate, unsigned slip, unsigned window)
{
	struct rrl_config *c = rrl_config_create();
	ck_assert_ptr_nonnull(c);
	for (int i = 0; i < RRL_CLASS_COUNT; i++)
		c->rates[i] = rate;
	c->slip = slip;
	c->window = window;
	return c;
}

/* A classified response for name (text) of class. */
static uint8_t name_storage[8][DNAME_MAX_LENGTH];

static struct rrl_response
response_for(enum rrl_class class, const char *name, uint16_t qtype)
{
	static unsigned next;
	uint8_t *wire = name_storage[next++ % 8];
	struct rrl_response r = { .class = class, .qtype = qtype, .qclass = 1 };
	if (name != NULL) {
		int length = dname_from_text(name, wire);
		ck_assert_int_gt(length, 0);
		r.name = wire;
		r.name_length = (size_t)length;
	}
	return r;
}

/* Letters for a run of decisions: S send, D drop, T truncated (slip). */
static void
run(struct rrl_table *t, const struct rrl_config *c, const struct sockaddr *from,
	const struct rrl_response *r, uint32_t now, unsigned count, char *out)
{
	for (unsigned i = 0; i < count; i++) {
		enum rrl_action a = rrl_account(t, c, from, r, now);
		out[i] = a == RRL_SEND ? 'S' : a == RRL_DROP ? 'D' : 'T';
	}
	out[count] = '\0';
}

/* ---- token bucket arithmetic on a fake clock ---- */

START_TEST(test_bucket_rate_and_credit)
{
	struct rrl_config *c = config_with(5, 0, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	struct rrl_response r = response_for(RRL_RESPONSE, "www.example.com", 1);
	char got[64];
	/* rate 5: five in the first second, then debt -1 .. -5. */
	run(t, c, SA(a), &r, 1000, 10, got);
	ck_assert_str_eq(got, "SSSSSDDDDD");
	/* one second later +5: -5 + 5 = 0, debited to -1: still limited. */
	run(t, c, SA(a), &r, 1001, 1, got);
	ck_assert_str_eq(got, "D");
	/* two seconds later: -1 + 10 capped at 5: five more. */
	run(t, c, SA(a), &r, 1003, 6, got);
	ck_assert_str_eq(got, "SSSSSD");
	const struct rrl_stats *s = rrl_table_stats(t);
	ck_assert_uint_eq(s->sent, 10);
	ck_assert_uint_eq(s->dropped, 7);
	ck_assert_uint_eq(s->slipped, 0);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_bucket_window_bounds_debt)
{
	struct rrl_config *c = config_with(5, 0, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	struct rrl_response r = response_for(RRL_RESPONSE, "www.example.com", 1);
	char got[1100];
	run(t, c, SA(a), &r, 50, 1000, got);
	/* Debt is at most window * rate = 75: after 15 quiet seconds the
	 * balance is back to 0 (the debit makes it -1), after 16 to 4. */
	run(t, c, SA(a), &r, 65, 1, got);
	ck_assert_str_eq(got, "D");
	run(t, c, SA(a), &r, 66, 5, got);
	ck_assert_str_eq(got, "SSSSD");
	/* An account idle for more than the window starts full again. */
	run(t, c, SA(a), &r, 66 + 16, 6, got);
	ck_assert_str_eq(got, "SSSSSD");
	/* A clock step back counts as no time. */
	run(t, c, SA(a), &r, 10, 1, got);
	ck_assert_str_eq(got, "D");
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_unlimited_class_and_rate_zero)
{
	struct rrl_config *c = config_with(0, 2, 15);
	c->rates[RRL_NXDOMAIN] = 1;
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	struct rrl_response r = response_for(RRL_RESPONSE, "www.example.com", 1);
	struct rrl_response nx = response_for(RRL_NXDOMAIN, "example.com", 1);
	char got[64];
	run(t, c, SA(a), &r, 7, 50, got);
	ck_assert_str_eq(got, "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS");
	run(t, c, SA(a), &nx, 7, 3, got);
	ck_assert_str_eq(got, "STD");
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

/* ---- slip ---- */

static const struct {
	unsigned slip;
	const char *expected;    /* rate 2: two sent, then the limited ones */
} slip_cases[] = {
	{ 0, "SSDDDDDDD" },
	{ 1, "SSTTTTTTT" },
	{ 2, "SSTDTDTDT" },
	{ 3, "SSTDDTDDT" },
	{ 10, "SSTDDDDDD" },
};

START_TEST(test_slip_counting)
{
	struct rrl_config *c = config_with(2, slip_cases[_i].slip, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("2001:db8::1");
	struct rrl_response r = response_for(RRL_NXDOMAIN, "example.com", 1);
	char got[64];
	run(t, c, SA(a), &r, 100, 9, got);
	ck_assert_msg(strcmp(got, slip_cases[_i].expected) == 0, "slip %u: got %s, expected %s",
		slip_cases[_i].slip, got, slip_cases[_i].expected);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_slip_count_resets_when_recovered)
{
	struct rrl_config *c = config_with(1, 3, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.9");
	struct rrl_response r = response_for(RRL_RESPONSE, "a.example", 1);
	char got[16];
	run(t, c, SA(a), &r, 0, 3, got);
	ck_assert_str_eq(got, "STD");
	/* Back to a full balance: the next episode slips first again. */
	run(t, c, SA(a), &r, 20, 3, got);
	ck_assert_str_eq(got, "STD");
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

/* ---- client prefixes ---- */

/* Exhausts the account of first (rate 1), then asks whether second shares it. */
static bool
shares_account(struct rrl_config *c, const char *first, const char *second)
{
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address(first), b = testlib_address(second);
	struct rrl_response r = response_for(RRL_RESPONSE, "www.example.com", 1);
	ck_assert_int_eq(rrl_account(t, c, SA(a), &r, 5), RRL_SEND);
	bool shared = rrl_account(t, c, SA(b), &r, 5) != RRL_SEND;
	rrl_table_free(t);
	return shared;
}

START_TEST(test_prefix_masking_ipv4)
{
	struct rrl_config *c = config_with(1, 0, 15);
	ck_assert(shares_account(c, "192.0.2.1", "192.0.2.254"));       /* default /24 */
	ck_assert(!shares_account(c, "192.0.2.1", "192.0.3.1"));
	c->ipv4_prefix_length = 32;
	ck_assert(!shares_account(c, "192.0.2.1", "192.0.2.2"));
	ck_assert(shares_account(c, "192.0.2.1", "192.0.2.1"));
	c->ipv4_prefix_length = 20;
	ck_assert(shares_account(c, "10.0.16.1", "10.0.31.255"));
	ck_assert(!shares_account(c, "10.0.16.1", "10.0.32.1"));
	/* Families never mix, even for the same bytes. */
	c->ipv4_prefix_length = 8;
	c->ipv6_prefix_length = 16;
	ck_assert(!shares_account(c, "0.0.0.1", "::1"));
	rrl_config_free(c);
}
END_TEST

START_TEST(test_prefix_masking_ipv6)
{
	struct rrl_config *c = config_with(1, 0, 15);
	/* default /56: the 7th octet is the last one kept */
	ck_assert(shares_account(c, "2001:db8:0:1::1", "2001:db8:0:ff:ffff::9"));
	ck_assert(!shares_account(c, "2001:db8:0:1::1", "2001:db8:0:100::1"));
	c->ipv6_prefix_length = 64;
	ck_assert(!shares_account(c, "2001:db8:0:1::1", "2001:db8:0:2::1"));
	ck_assert(shares_account(c, "2001:db8:0:1::1", "2001:db8:0:1:ffff:ffff:ffff:ffff"));
	c->ipv6_prefix_length = 61;
	ck_assert(shares_account(c, "2001:db8:0:8::1", "2001:db8:0:f::1"));
	ck_assert(!shares_account(c, "2001:db8:0:8::1", "2001:db8:0:10::1"));
	rrl_config_free(c);
}
END_TEST

/* ---- classes and names kept apart ---- */

START_TEST(test_classes_kept_apart)
{
	struct rrl_config *c = config_with(1, 0, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("198.51.100.7");
	struct rrl_response www_a = response_for(RRL_RESPONSE, "www.example.com", 1);
	struct rrl_response www_aaaa = response_for(RRL_RESPONSE, "www.example.com", 28);
	struct rrl_response mail_a = response_for(RRL_RESPONSE, "mail.example.com", 1);
	struct rrl_response nx = response_for(RRL_NXDOMAIN, "example.com", 1);
	struct rrl_response nodata = response_for(RRL_NODATA, "www.example.com", 15);
	struct rrl_response referral = response_for(RRL_REFERRAL, "sub.example.com", 1);
	struct rrl_response error = response_for(RRL_ERROR, NULL, 1);
	const struct rrl_response *all[] = { &www_a, &www_aaaa, &mail_a, &nx, &nodata,
		&referral, &error };
	/* Each is its own account: the first of each is sent, the second not. */
	for (size_t i = 0; i < 7; i++)
		ck_assert_int_eq(rrl_account(t, c, SA(a), all[i], 1), RRL_SEND);
	for (size_t i = 0; i < 7; i++)
		ck_assert_int_eq(rrl_account(t, c, SA(a), all[i], 1), RRL_DROP);
	/* NXDOMAIN for another type, errors for another name: the same account. */
	struct rrl_response nx_mx = response_for(RRL_NXDOMAIN, "example.com", 15);
	struct rrl_response nodata_a = response_for(RRL_NODATA, "www.example.com", 1);
	ck_assert_int_eq(rrl_account(t, c, SA(a), &nx_mx, 1), RRL_DROP);
	ck_assert_int_eq(rrl_account(t, c, SA(a), &nodata_a, 1), RRL_DROP);
	/* Another zone, another account. */
	struct rrl_response other_zone = response_for(RRL_NXDOMAIN, "example.net", 1);
	ck_assert_int_eq(rrl_account(t, c, SA(a), &other_zone, 1), RRL_SEND);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

/* ---- collisions in the fixed-size table ---- */

START_TEST(test_table_collisions)
{
	struct rrl_config *c = config_with(1, 0, 15);
	/* The smallest table: 1024 entries in buckets of 4. */
	struct rrl_table *t = rrl_table_create(1, NULL);
	struct rrl_response r = response_for(RRL_RESPONSE, "www.example.com", 1);
	/* 8192 clients (/32): four times the table. A newcomer never inherits
	 * another account's debt: the first response of each is sent. */
	c->ipv4_prefix_length = 32;
	for (unsigned i = 0; i < 8192; i++) {
		struct sockaddr_storage a = testlib_address("10.0.0.0");
		((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(0x0A000000u + i);
		ck_assert_int_eq(rrl_account(t, c, SA(a), &r, 3), RRL_SEND);
	}
	/* Those accounts were at 0, not in debt: nothing limited was pushed out. */
	ck_assert_uint_eq(rrl_table_stats(t)->evicted, 0);
	/* Now 8192 limited accounts: each is sent once, then limited at once,
	 * and the table must push limited accounts out to make room. */
	for (unsigned i = 0; i < 8192; i++) {
		struct sockaddr_storage a = testlib_address("10.0.0.0");
		((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(0x0B000000u + i);
		ck_assert_int_eq(rrl_account(t, c, SA(a), &r, 4), RRL_SEND);
		ck_assert_int_eq(rrl_account(t, c, SA(a), &r, 4), RRL_DROP);
	}
	ck_assert_uint_gt(rrl_table_stats(t)->evicted, 8192 - 1024 - 1);
	ck_assert_uint_le(rrl_table_stats(t)->evicted, 8192);
	/* A limited account whose neighbours are quiet stays limited: the
	 * quiet ones go first. */
	struct sockaddr_storage busy = testlib_address("203.0.113.1");
	ck_assert_int_eq(rrl_account(t, c, SA(busy), &r, 30), RRL_SEND);
	for (unsigned i = 0; i < 3000; i++) {
		struct sockaddr_storage a = testlib_address("10.0.0.0");
		((struct sockaddr_in *)&a)->sin_addr.s_addr = htonl(0x0C000000u + i);
		ck_assert_int_eq(rrl_account(t, c, SA(a), &r, 30), RRL_SEND);
		if (i % 100 == 0)
			ck_assert_int_eq(rrl_account(t, c, SA(busy), &r, 30), RRL_DROP);
	}
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_table_sizes)
{
	struct rrl_config *c = rrl_config_create();
	ck_assert_uint_eq(c->slip, 2);
	ck_assert_uint_eq(c->window, 15);
	ck_assert_uint_eq(c->ipv4_prefix_length, 24);
	ck_assert_uint_eq(c->ipv6_prefix_length, 56);
	ck_assert_uint_eq(c->rates[RRL_RESPONSE], 0);
	ck_assert(!c->log_only);
	ck_assert_uint_eq(rrl_worker_entries(c, 1), 100000);
	ck_assert_uint_eq(rrl_worker_entries(c, 3), 33334);
	ck_assert_uint_eq(rrl_worker_entries(c, 1000), RRL_MIN_WORKER_ENTRIES);
	rrl_config_free(c);
}
END_TEST

/* ---- log-only and the log ---- */

START_TEST(test_log_only)
{
	struct rrl_config *c = config_with(2, 2, 15);
	c->log_only = true;
	log_text[0] = '\0';
	log_lines = 0;
	struct rrl_table *t = rrl_table_create(0, capture_log);
	struct sockaddr_storage a = testlib_address("192.0.2.33");
	struct rrl_response r = response_for(RRL_NXDOMAIN, "example.com", 1);
	char got[16];
	run(t, c, SA(a), &r, 9, 10, got);
	ck_assert_str_eq(got, "SSSSSSSSSS");
	const struct rrl_stats *s = rrl_table_stats(t);
	ck_assert_uint_eq(s->sent, 10);
	ck_assert_uint_eq(s->would_limit, 8);
	ck_assert_uint_eq(s->dropped + s->slipped, 0);
	/* One line for the start of the episode, not one per response. */
	ck_assert_uint_eq(log_lines, 1);
	ck_assert_str_eq(log_text,
		"rate-limit: would limit NXDOMAIN responses to 192.0.2.0/24 for example.com.\n");
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_log_once_a_second)
{
	struct rrl_config *c = config_with(1, 0, 15);
	log_text[0] = '\0';
	log_lines = 0;
	struct rrl_table *t = rrl_table_create(0, capture_log);
	struct rrl_response err = response_for(RRL_ERROR, NULL, 1);
	char got[8];
	/* Three clients start being limited in the same second: one line. */
	for (int i = 0; i < 3; i++) {
		char text[32];
		snprintf(text, sizeof text, "2001:db8:%d::1", i);
		struct sockaddr_storage a = testlib_address(text);
		run(t, c, SA(a), &err, 40, 2, got);
		ck_assert_str_eq(got, "SD");
	}
	ck_assert_uint_eq(log_lines, 1);
	ck_assert_str_eq(log_text, "rate-limit: limit error responses to 2001:db8::/56\n");
	/* The next second's line says how many were left out. */
	struct sockaddr_storage d = testlib_address("198.51.100.1");
	run(t, c, SA(d), &err, 41, 2, got);
	ck_assert_uint_eq(log_lines, 2);
	ck_assert_ptr_nonnull(strstr(log_text,
		"rate-limit: limit error responses to 198.51.100.0/24 (2 more not logged)\n"));
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

/* ---- classification of real responses ---- */

static const char zone_text[] =
	"$TTL 300\n"
	"@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
	"@ IN NS ns1\n"
	"ns1 IN A 192.0.2.1\n"
	"www IN A 192.0.2.2\n"
	"*.apps IN A 192.0.2.3\n"
	"sub IN NS ns.sub\n"
	"ns.sub IN A 192.0.2.4\n";

static struct zonedb *db;

static void
setup_zone(void)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("example.com", origin), 0);
	struct diag d = { 0 };
	struct zone *zone = NULL;
	ck_assert_int_eq(zone_load_text(zone_text, strlen(zone_text), "example.com",
		origin, NULL, &d, &zone), 0);
	db = zonedb_create();
	ck_assert_int_eq(zonedb_add(db, zone), 0);
}

static void
teardown_zone(void)
{
	zonedb_free(db);
	db = NULL;
}

/* Builds a query for name/qtype and answers it into response and *result. */
static size_t
answer(const char *name, uint16_t qtype, uint8_t *response, struct answer_result *result)
{
	uint8_t query[512] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	int length = dname_from_text(name, query + 12);
	ck_assert_int_gt(length, 0);
	size_t at = 12 + (size_t)length;
	query[at++] = (uint8_t)(qtype >> 8);
	query[at++] = (uint8_t)qtype;
	query[at++] = 0;
	query[at++] = 1;
	struct answer_settings settings = { 0 };
	struct answer_request request = {
		.query = query,
		.query_length = at,
		.transport = ANSWER_UDP,
	};
	size_t size = answer_query(db, &settings, &request, response, 4096, result);
	ck_assert_uint_gt(size, 12);
	ck_assert_uint_eq(result->length, size);
	return size;
}

static const struct {
	const char *qname;
	uint16_t qtype;
	enum rrl_class class;
	const char *imputed;     /* NULL: none */
} classify_cases[] = {
	{ "www.example.com", 1, RRL_RESPONSE, "www.example.com." },
	{ "WWW.Example.Com", 1, RRL_RESPONSE, "www.example.com." },
	{ "random.apps.example.com", 1, RRL_RESPONSE, "apps.example.com." },
	{ "other.apps.example.com", 1, RRL_RESPONSE, "apps.example.com." },
	{ "other.apps.example.com", 15, RRL_NODATA, "apps.example.com." },
	{ "www.example.com", 15, RRL_NODATA, "www.example.com." },
	{ "nosuch.example.com", 1, RRL_NXDOMAIN, "example.com." },
	{ "a.b.nosuch.example.com", 28, RRL_NXDOMAIN, "example.com." },
	{ "host.sub.example.com", 1, RRL_REFERRAL, "sub.example.com." },
	{ "sub.example.com", 1, RRL_REFERRAL, "sub.example.com." },
	{ "example.org", 1, RRL_ERROR, NULL },
};

START_TEST(test_classify_responses)
{
	uint8_t response[4096];
	struct answer_result result;
	answer(classify_cases[_i].qname, classify_cases[_i].qtype, response, &result);
	struct rrl_response r;
	rrl_classify(&result, &r);
	ck_assert_int_eq(r.class, classify_cases[_i].class);
	ck_assert_uint_eq(r.qtype, classify_cases[_i].qtype);
	ck_assert_uint_eq(r.qclass, 1);
	ck_assert_uint_eq(r.question_end, 12 + strlen(classify_cases[_i].qname) + 2 + 4);
	if (classify_cases[_i].imputed == NULL) {
		ck_assert_ptr_null(r.name);
		return;
	}
	ck_assert_ptr_nonnull(r.name);
	char text[1024];
	dname_to_text(r.name, text, sizeof text);
	ck_assert_str_eq(text, classify_cases[_i].imputed);
}
END_TEST

/* Responses without a question, and errors, are accounted by client alone. */
START_TEST(test_classify_errors)
{
	uint8_t response[4096];
	struct answer_result result;
	struct rrl_response r;
	/* QDCOUNT 0: FORMERR, no question to echo. */
	static const uint8_t no_question[] = { 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct answer_request request = {
		.query = no_question,
		.query_length = sizeof no_question,
		.transport = ANSWER_UDP,
	};
	ck_assert_uint_eq(answer_query(db, NULL, &request, response, sizeof response, &result), 12);
	ck_assert_int_eq(result.kind, ANSWER_KIND_FORMERR);
	rrl_classify(&result, &r);
	ck_assert_int_eq(r.class, RRL_ERROR);
	ck_assert_ptr_null(r.name);
	ck_assert_uint_eq(r.question_end, 12);
	/* Dropped: no response at all. */
	static const uint8_t short_one[] = { 1, 2, 0x80, 0 };
	request.query = short_one;
	request.query_length = sizeof short_one;
	ck_assert_uint_eq(answer_query(db, NULL, &request, response, sizeof response, &result), 0);
	ck_assert_int_eq(result.kind, ANSWER_KIND_DROP);
	rrl_classify(&result, &r);
	ck_assert_int_eq(r.class, RRL_ERROR);
}
END_TEST

/* rrl_apply: drop is 0, slip is the header and question with TC; the action says which. */
START_TEST(test_apply_slip_and_drop)
{
	struct rrl_config *c = config_with(1, 2, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	uint8_t response[4096], original[4096];
	struct answer_result result;
	size_t length = answer("www.example.com", 1, response, &result);
	memcpy(original, response, length);
	enum rrl_action action = RRL_DROP;
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, &action), length);
	ck_assert_int_eq(action, RRL_SEND);
	ck_assert_mem_eq(response, original, length);
	size_t slipped = rrl_apply(t, c, SA(a), &result, response, 77, &action);
	ck_assert_int_eq(action, RRL_SLIP);
	size_t question_end = 12 + 17 + 4;
	ck_assert_uint_eq(slipped, question_end);
	ck_assert_uint_eq(response[2], original[2] | 0x02);         /* TC, AA kept */
	ck_assert_uint_eq(response[3], original[3]);                /* rcode kept */
	ck_assert_mem_eq(response + 4, "\0\1\0\0\0\0\0\0", 8);      /* one question only */
	ck_assert_mem_eq(response + 12, original + 12, question_end - 12);
	memcpy(response, original, length);
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, &action), 0);
	ck_assert_int_eq(action, RRL_DROP);
	/* An exempt client is never limited and its response untouched. */
	c->exempt = exempt_list("192.0.2.1");
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, NULL), length);
	ck_assert_mem_eq(response, original, length);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

/* ---- DNS Cookies: a valid server cookie is not limited, a slip is BADCOOKIE ---- */

#define COOKIE_TEST_NOW 1764720000u

enum cookie_sent { SENT_NONE, SENT_CLIENT, SENT_VALID };

/* Answers name/qtype from a with an OPT and the COOKIE sent into response. */
static size_t
answer_cookie(const char *name, uint16_t qtype, enum cookie_sent sent,
	const struct sockaddr *from, uint8_t *response, struct answer_result *result)
{
	static struct cookie_config cookies;
	memset(cookies.secrets[0], 0x5a, COOKIE_SECRET_LENGTH);
	cookies.secret_count = 1;
	uint8_t query[512] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };
	int length = dname_from_text(name, query + 12);
	ck_assert_int_gt(length, 0);
	size_t at = 12 + (size_t)length;
	static const uint8_t tail[] = { 1, 0, 0, 41, 0x10, 0, 0, 0, 0, 0 };
	query[at++] = (uint8_t)(qtype >> 8);
	query[at++] = (uint8_t)qtype;
	query[at++] = 0;
	memcpy(query + at, tail, sizeof tail);   /* class IN, OPT: root, 4096, TTL 0 */
	at += sizeof tail;
	size_t rdlength = at;
	at += 2;
	if (sent != SENT_NONE) {
		uint8_t option[COOKIE_LENGTH] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		size_t option_length = sent == SENT_VALID ? COOKIE_LENGTH : COOKIE_CLIENT_LENGTH;
		if (sent == SENT_VALID)
			cookie_make(cookies.secrets[0], option, from, COOKIE_TEST_NOW,
				option + COOKIE_CLIENT_LENGTH);
		query[at++] = 0;
		query[at++] = COOKIE_OPTION_CODE;
		query[at++] = 0;
		query[at++] = (uint8_t)option_length;
		memcpy(query + at, option, option_length);
		at += option_length;
	}
	query[rdlength] = 0;
	query[rdlength + 1] = (uint8_t)(at - rdlength - 2);
	struct answer_settings settings = { .cookies = &cookies };
	struct answer_request request = {
		.query = query, .query_length = at, .transport = ANSWER_UDP,
		.client = from, .now = COOKIE_TEST_NOW,
	};
	size_t size = answer_query(db, &settings, &request, response, 4096, result);
	ck_assert_uint_gt(size, 12);
	return size;
}

START_TEST(test_cookie_valid_not_limited)
{
	struct rrl_config *c = config_with(1, 2, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	uint8_t response[4096], original[4096];
	struct answer_result result;
	size_t length = answer_cookie("www.example.com", 1, SENT_VALID, SA(a), response, &result);
	ck_assert(result.cookie_valid);
	memcpy(original, response, length);
	/* Far over the rate of 1: every one sent whole (BIND: HAVECOOKIE skips RRL). */
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, NULL), length);
	ck_assert_mem_eq(response, original, length);
	/* The same client without the cookie is still limited on its own account. */
	length = answer_cookie("www.example.com", 1, SENT_NONE, SA(a), response, &result);
	ck_assert(!result.cookie_valid);
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, NULL), length);
	ck_assert_uint_lt(rrl_apply(t, c, SA(a), &result, response, 77, NULL), length);
	/* Errors are limited even with a valid cookie (BIND's ns_client_error). */
	length = answer_cookie("example.org", 1, SENT_VALID, SA(a), response, &result);
	ck_assert(result.cookie_valid);
	ck_assert_int_eq(result.kind, ANSWER_KIND_REFUSED);
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 78, NULL), length);
	ck_assert_uint_lt(rrl_apply(t, c, SA(a), &result, response, 78, NULL), length);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

START_TEST(test_cookie_slip_is_badcookie)
{
	struct rrl_config *c = config_with(1, 1, 15);
	struct rrl_table *t = rrl_table_create(0, NULL);
	struct sockaddr_storage a = testlib_address("192.0.2.1");
	uint8_t response[4096], original[4096];
	struct answer_result result;
	size_t length = answer_cookie("www.example.com", 1, SENT_CLIENT, SA(a), response, &result);
	ck_assert(result.cookie && !result.cookie_valid);
	ck_assert_uint_gt(result.opt_offset, result.question_end);
	memcpy(original, response, length);
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, NULL), length);
	size_t slipped = rrl_apply(t, c, SA(a), &result, response, 77, NULL);
	size_t opt_length = length - result.opt_offset;
	ck_assert_uint_eq(slipped, result.question_end + opt_length);
	ck_assert_uint_eq(response[2] & 0x06, 0);                  /* no AA, no TC */
	ck_assert_uint_eq(response[3] & 0x0f, 23 & 0x0f);
	ck_assert_mem_eq(response + 4, "\0\1\0\0\0\0\0\1", 8);      /* question and OPT */
	ck_assert_mem_eq(response + 12, original + 12, result.question_end - 12);
	const uint8_t *opt = response + result.question_end;
	ck_assert_uint_eq(opt[5], 23 >> 4);                          /* extended rcode */
	/* The OPT's cookie kept, so the client can retry with it. */
	ck_assert_mem_eq(opt + 6, original + result.opt_offset + 6, opt_length - 6);
	uint8_t expected[COOKIE_SERVER_LENGTH];
	uint8_t secret[COOKIE_SECRET_LENGTH];
	memset(secret, 0x5a, sizeof secret);
	static const uint8_t client_cookie[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	cookie_make(secret, client_cookie, SA(a), COOKIE_TEST_NOW, expected);
	ck_assert_mem_eq(opt + 11 + 4 + COOKIE_CLIENT_LENGTH, expected, sizeof expected);
	/* Without a cookie the slip stays TC. */
	length = answer_cookie("www.example.com", 1, SENT_NONE, SA(a), response, &result);
	ck_assert_uint_eq(rrl_apply(t, c, SA(a), &result, response, 77, NULL), result.question_end);
	ck_assert_uint_eq(response[2] & 0x02, 0x02);
	/* No OPT to keep: TC as before. */
	memcpy(response, original, length);
	ck_assert_uint_eq(rrl_slip_badcookie(response, 40, 33, 0), 33);
	ck_assert_uint_eq(response[2] & 0x02, 0x02);
	rrl_table_free(t);
	rrl_config_free(c);
}
END_TEST

static Suite *
rrl_suite(void)
{
	Suite *s = suite_create("rrl");
	TCase *bucket = tcase_create("bucket");
	tcase_add_test(bucket, test_bucket_rate_and_credit);
	tcase_add_test(bucket, test_bucket_window_bounds_debt);
	tcase_add_test(bucket, test_unlimited_class_and_rate_zero);
	tcase_add_loop_test(bucket, test_slip_counting, 0,
		(int)(sizeof slip_cases / sizeof slip_cases[0]));
	tcase_add_test(bucket, test_slip_count_resets_when_recovered);
	suite_add_tcase(s, bucket);
	TCase *keys = tcase_create("keys");
	tcase_add_test(keys, test_prefix_masking_ipv4);
	tcase_add_test(keys, test_prefix_masking_ipv6);
	tcase_add_test(keys, test_classes_kept_apart);
	tcase_add_test(keys, test_table_collisions);
	tcase_add_test(keys, test_table_sizes);
	suite_add_tcase(s, keys);
	TCase *logging = tcase_create("log");
	tcase_add_test(logging, test_log_only);
	tcase_add_test(logging, test_log_once_a_second);
	suite_add_tcase(s, logging);
	TCase *responses = tcase_create("responses");
	tcase_add_checked_fixture(responses, setup_zone, teardown_zone);
	tcase_add_loop_test(responses, test_classify_responses, 0,
		(int)(sizeof classify_cases / sizeof classify_cases[0]));
	tcase_add_test(responses, test_classify_errors);
	tcase_add_test(responses, test_apply_slip_and_drop);
	tcase_add_test(responses, test_cookie_valid_not_limited);
	tcase_add_test(responses, test_cookie_slip_is_badcookie);
	suite_add_tcase(s, responses);
	return s;
}

int
main(void)
{
	return testlib_run(rrl_suite());
}
