/* check_stats.c: counters counted from answer results, summed over workers, per-zone slots, the Prometheus text. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "testlib.h"
#include "zoned/answer.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/stats.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

/* ---- helpers ---- */

static uint64_t
value(const _Atomic uint64_t *counter)
{
	return atomic_load_explicit(counter, memory_order_relaxed);
}

/* A 12-octet header with opcode (the rest does not matter to the counters). */
static struct answer_request
request_with(uint8_t *header, enum answer_transport transport, unsigned opcode)
{
	memset(header, 0, 12);
	header[2] = (uint8_t)(opcode << 3);
	return (struct answer_request){ .query = header, .query_length = 12,
		.transport = transport };
}

/* A result as answer_query would describe a response with a question. */
static struct answer_result
result_with(enum answer_kind kind, uint16_t rcode, uint16_t qtype)
{
	struct answer_result r;
	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.rcode = rcode;
	r.qtype = qtype;
	r.question_end = 12 + 17 + 4;
	r.length = kind == ANSWER_KIND_DROP ? 0 : 100;
	return r;
}

/* The text of stats written out (static buffer). */
static const char *
prometheus_text(const struct stats *stats, const struct stats_zone_table *table,
	const struct zoneset *zones)
{
	static char text[16384];
	struct evbuffer *out = evbuffer_new();
	ck_assert_int_eq(stats_write_prometheus(stats, table, zones, out), 0);
	size_t length = evbuffer_get_length(out);
	ck_assert_uint_lt(length, sizeof text);
	evbuffer_remove(out, text, length);
	text[length] = '\0';
	evbuffer_free(out);
	return text;
}

/* True when text has this exact line. */
static bool
has_line(const char *text, const char *line)
{
	size_t length = strlen(line);
	for (const char *at = text; (at = strstr(at, line)) != NULL; at++) {
		if ((at == text || at[-1] == '\n') && at[length] == '\n')
			return true;
	}
	return false;
}

/* ---- indexes ---- */

static const struct {
	uint16_t qtype;
	enum stats_qtype index;
} qtypes[] = {
	{ RRTYPE_A, STATS_QTYPE_A }, { RRTYPE_AAAA, STATS_QTYPE_AAAA },
	{ RRTYPE_NS, STATS_QTYPE_NS }, { RRTYPE_SOA, STATS_QTYPE_SOA },
	{ RRTYPE_MX, STATS_QTYPE_MX }, { RRTYPE_TXT, STATS_QTYPE_TXT },
	{ RRTYPE_CNAME, STATS_QTYPE_CNAME }, { RRTYPE_PTR, STATS_QTYPE_PTR },
	{ RRTYPE_SRV, STATS_QTYPE_SRV }, { RRTYPE_DS, STATS_QTYPE_DS },
	{ RRTYPE_DNSKEY, STATS_QTYPE_DNSKEY }, { RRTYPE_ANY, STATS_QTYPE_ANY },
	{ RRTYPE_HTTPS, STATS_QTYPE_HTTPS }, { RRTYPE_NSEC3PARAM, STATS_QTYPE_OTHER },
	{ 0, STATS_QTYPE_OTHER }, { 65535, STATS_QTYPE_OTHER },
};

START_TEST(test_qtype_index)
{
	ck_assert_int_eq(stats_qtype_index(qtypes[_i].qtype), qtypes[_i].index);
}
END_TEST

static const struct {
	uint16_t rcode;
	enum stats_rcode index;
} rcodes[] = {
	{ 0, STATS_RCODE_NOERROR }, { 1, STATS_RCODE_FORMERR }, { 2, STATS_RCODE_SERVFAIL },
	{ 3, STATS_RCODE_NXDOMAIN }, { 4, STATS_RCODE_NOTIMP }, { 5, STATS_RCODE_REFUSED },
	{ 6, STATS_RCODE_YXDOMAIN }, { 16, STATS_RCODE_BADVERS }, { 7, STATS_RCODE_OTHER },
	{ 15, STATS_RCODE_OTHER }, { 4095, STATS_RCODE_OTHER },
};

START_TEST(test_rcode_index)
{
	ck_assert_int_eq(stats_rcode_index(rcodes[_i].rcode), rcodes[_i].index);
}
END_TEST

/* ---- counting one query ---- */

START_TEST(test_count_answer)
{
	struct stats *stats = stats_create(1);
	struct stats_counters *c = &stats->workers[0].counters;
	uint8_t header[12];
	struct answer_request request = request_with(header, ANSWER_UDP, 0);
	struct answer_result result = result_with(ANSWER_KIND_ANSWER, 0, RRTYPE_AAAA);
	result.edns = true;
	result.dnssec_ok = true;
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SEND);
	ck_assert_uint_eq(value(&c->queries[ANSWER_UDP]), 1);
	ck_assert_uint_eq(value(&c->queries[ANSWER_TCP]), 0);
	ck_assert_uint_eq(value(&c->opcodes[0]), 1);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_AAAA]), 1);
	ck_assert_uint_eq(value(&c->responses[STATS_RCODE_NOERROR]), 1);
	ck_assert_uint_eq(value(&c->edns), 1);
	ck_assert_uint_eq(value(&c->dnssec_ok), 1);
	ck_assert_uint_eq(value(&c->truncated), 0);
	/* Over TCP, truncated (too large for the limit), NXDOMAIN, no EDNS. */
	request = request_with(header, ANSWER_TCP, 0);
	result = result_with(ANSWER_KIND_NXDOMAIN, 3, RRTYPE_MX);
	result.truncated = true;
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SEND);
	ck_assert_uint_eq(value(&c->queries[ANSWER_TCP]), 1);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_MX]), 1);
	ck_assert_uint_eq(value(&c->responses[STATS_RCODE_NXDOMAIN]), 1);
	ck_assert_uint_eq(value(&c->truncated), 1);
	ck_assert_uint_eq(value(&c->edns), 1);
	stats_free(stats);
}
END_TEST

/* What is counted for queries that get no answer, or an error without a question. */
START_TEST(test_count_drops_and_errors)
{
	struct stats *stats = stats_create(1);
	struct stats_counters *c = &stats->workers[0].counters;
	uint8_t header[12];
	/* Shorter than a header: a query, but no opcode, type or response. */
	struct answer_request request = request_with(header, ANSWER_UDP, 0);
	request.query_length = 5;
	struct answer_result result = result_with(ANSWER_KIND_DROP, 0, 0);
	result.question_end = 0;
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SEND);
	ck_assert_uint_eq(value(&c->queries[ANSWER_UDP]), 1);
	ck_assert_uint_eq(value(&c->opcodes[0]), 0);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_OTHER]), 0);
	for (int i = 0; i < STATS_RCODE_COUNT; i++)
		ck_assert_uint_eq(value(&c->responses[i]), 0);
	/* An UPDATE answered NOTIMP (opcode 5), and a FORMERR without a question. */
	request = request_with(header, ANSWER_UDP, 5);
	result = result_with(ANSWER_KIND_NOTIMP, 4, RRTYPE_SOA);
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SEND);
	request = request_with(header, ANSWER_UDP, 0);
	result = result_with(ANSWER_KIND_FORMERR, 1, 0);
	result.question_end = 12;
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SEND);
	ck_assert_uint_eq(value(&c->opcodes[5]), 1);
	ck_assert_uint_eq(value(&c->opcodes[0]), 1);
	ck_assert_uint_eq(value(&c->responses[STATS_RCODE_NOTIMP]), 1);
	ck_assert_uint_eq(value(&c->responses[STATS_RCODE_FORMERR]), 1);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_SOA]), 1);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_OTHER]), 0);   /* no question */
	stats_count_query(NULL, NULL, &request, &result, RRL_SEND);    /* no counters: fine */
	stats_free(stats);
}
END_TEST

/* rrl_apply's decisions: a drop sends nothing, a slip sends a truncated response. */
START_TEST(test_count_rate_limited)
{
	struct stats *stats = stats_create(1);
	struct stats_counters *c = &stats->workers[0].counters;
	uint8_t header[12];
	struct answer_request request = request_with(header, ANSWER_UDP, 0);
	struct answer_result result = result_with(ANSWER_KIND_ANSWER, 0, RRTYPE_A);
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_DROP);
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_DROP);
	stats_count_query(&stats->workers[0], NULL, &request, &result, RRL_SLIP);
	ck_assert_uint_eq(value(&c->queries[ANSWER_UDP]), 3);
	ck_assert_uint_eq(value(&c->qtypes[STATS_QTYPE_A]), 3);
	ck_assert_uint_eq(value(&c->rrl_dropped), 2);
	ck_assert_uint_eq(value(&c->rrl_slipped), 1);
	ck_assert_uint_eq(value(&c->responses[STATS_RCODE_NOERROR]), 1);
	ck_assert_uint_eq(value(&c->truncated), 0);   /* slips are counted apart */
	stats_free(stats);
}
END_TEST

/* The real engine's results: a zone's queries land in its slot. */
START_TEST(test_count_from_answer_query)
{
	static const char text[] =
		"$TTL 300\n"
		"@ SOA ns1 hostmaster 7 3600 600 86400 300\n"
		"@ NS ns1\n"
		"ns1 A 192.0.2.1\n"
		"www A 192.0.2.2\n";
	struct zone *zone = testlib_zone_from_text("example.com", text, "example.com.zone",
		NULL, NULL);
	struct zonedb *db = zonedb_create();
	ck_assert_int_eq(zonedb_add(db, zone), 0);
	struct stats *stats = stats_create(2);
	zone->stats_slot = stats_zone_slot_new(stats);
	ck_assert_uint_eq(zone->stats_slot, 1);
	struct stats_zone_table *table = stats_zone_table_create(stats);
	static const struct {
		const char *name;
		uint16_t qtype;
		enum stats_rcode rcode;
	} queries[] = {
		{ "www.example.com", RRTYPE_A, STATS_RCODE_NOERROR },
		{ "www.example.com", RRTYPE_TXT, STATS_RCODE_NOERROR },
		{ "nope.example.com", RRTYPE_A, STATS_RCODE_NXDOMAIN },
		{ "www.example.org", RRTYPE_A, STATS_RCODE_REFUSED },
	};
	struct answer_settings settings = { .edns_size = 1232 };
	for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		uint8_t query[512], response[4096];
		const uint8_t *name = testlib_name(queries[i].name);
		size_t name_length = dname_length(name);
		memset(query, 0, 12);
		query[5] = 1;   /* QDCOUNT */
		memcpy(query + 12, name, name_length);
		query[12 + name_length] = (uint8_t)(queries[i].qtype >> 8);
		query[13 + name_length] = (uint8_t)queries[i].qtype;
		query[14 + name_length] = 0;
		query[15 + name_length] = 1;
		struct answer_request request = { .query = query, .query_length = 16 + name_length,
			.transport = ANSWER_UDP };
		struct answer_result result;
		ck_assert_uint_gt(answer_query(db, &settings, &request, response, sizeof response,
			&result), 0);
		stats_count_query(&stats->workers[i % 2], table, &request, &result, RRL_SEND);
		ck_assert_uint_eq(result.rcode, queries[i].rcode == STATS_RCODE_REFUSED ? 5
			: queries[i].rcode == STATS_RCODE_NXDOMAIN ? 3 : 0);
	}
	struct stats_counters sum;
	stats_sum(stats, &sum);
	ck_assert_uint_eq(value(&sum.queries[ANSWER_UDP]), 4);
	ck_assert_uint_eq(value(&sum.qtypes[STATS_QTYPE_A]), 3);
	ck_assert_uint_eq(value(&sum.qtypes[STATS_QTYPE_TXT]), 1);
	ck_assert_uint_eq(value(&sum.responses[STATS_RCODE_NOERROR]), 2);
	ck_assert_uint_eq(value(&sum.responses[STATS_RCODE_NXDOMAIN]), 1);
	ck_assert_uint_eq(value(&sum.responses[STATS_RCODE_REFUSED]), 1);
	ck_assert_uint_eq(stats_zone_queries(stats, table, 1), 3);   /* both workers' rows */
	ck_assert_uint_eq(stats_zone_queries(stats, table, 0), 1);   /* no zone */
	stats_zone_table_retire(stats, table);
	stats_free(stats);
	zonedb_free(db);
}
END_TEST

/* ---- summing workers, zone tables across reloads ---- */

START_TEST(test_sum_workers)
{
	struct stats *stats = stats_create(3);
	/* Each worker's counters start a cache line of their own. */
	ck_assert_uint_eq(sizeof(struct stats_worker) % STATS_CACHE_LINE, 0);
	ck_assert_uint_eq((uintptr_t)stats->workers % STATS_CACHE_LINE, 0);
	uint8_t header[12];
	for (unsigned w = 0; w < 3; w++) {
		ck_assert_uint_eq(stats->workers[w].id, w);
		struct answer_request request = request_with(header, w == 2 ? ANSWER_TCP
			: ANSWER_UDP, 0);
		struct answer_result result = result_with(ANSWER_KIND_ANSWER, 0, RRTYPE_A);
		for (unsigned n = 0; n <= w; n++)
			stats_count_query(&stats->workers[w], NULL, &request, &result, RRL_SEND);
	}
	struct stats_counters sum;
	stats_sum(stats, &sum);
	ck_assert_uint_eq(value(&sum.queries[ANSWER_UDP]), 1 + 2);
	ck_assert_uint_eq(value(&sum.queries[ANSWER_TCP]), 3);
	ck_assert_uint_eq(value(&sum.qtypes[STATS_QTYPE_A]), 6);
	ck_assert_uint_eq(value(&sum.responses[STATS_RCODE_NOERROR]), 6);
	/* The workers' own counters are untouched by reading. */
	ck_assert_uint_eq(value(&stats->workers[1].counters.queries[ANSWER_UDP]), 2);
	stats_free(stats);
}
END_TEST

START_TEST(test_zone_tables_across_reloads)
{
	struct stats *stats = stats_create(2);
	struct zone *zone = zone_create(testlib_name("example.com"), 1);
	zone->stats_slot = stats_zone_slot_new(stats);
	struct stats_zone_table *first = stats_zone_table_create(stats);
	ck_assert_uint_eq(first->slot_count, 2);
	for (unsigned w = 0; w < 2; w++)
		ck_assert_uint_eq((uintptr_t)first->rows[w] % STATS_CACHE_LINE, 0);
	uint8_t header[12];
	struct answer_request request = request_with(header, ANSWER_UDP, 0);
	struct answer_result result = result_with(ANSWER_KIND_ANSWER, 0, RRTYPE_A);
	result.zone = zone;
	for (int i = 0; i < 5; i++)
		stats_count_query(&stats->workers[i % 2], first, &request, &result, RRL_SEND);
	/* A reload adds a zone: a bigger table; the old one's counts are kept. */
	uint32_t added = stats_zone_slot_new(stats);
	ck_assert_uint_eq(added, 2);
	struct stats_zone_table *second = stats_zone_table_create(stats);
	ck_assert_uint_eq(second->slot_count, 3);
	stats_zone_table_retire(stats, first);
	ck_assert_uint_eq(stats_zone_queries(stats, second, zone->stats_slot), 5);
	stats_count_query(&stats->workers[1], second, &request, &result, RRL_SEND);
	ck_assert_uint_eq(stats_zone_queries(stats, second, zone->stats_slot), 6);
	ck_assert_uint_eq(stats_zone_queries(stats, second, added), 0);
	/* A slot past the table (a zone slotted after it was made) is not counted there. */
	zone->stats_slot = 7;
	stats_count_query(&stats->workers[0], second, &request, &result, RRL_SEND);
	ck_assert_uint_eq(stats_zone_queries(stats, second, 7), 0);
	stats_zone_table_retire(stats, second);
	stats_free(stats);
	zone_free(zone);
}
END_TEST

/* ---- the Prometheus text ---- */

START_TEST(test_prometheus_text)
{
	struct stats *stats = stats_create(2);
	struct zone *zone = zone_create(testlib_name("example.com"), 1);
	zone->serial = 2024010101;
	zone->stats_slot = stats_zone_slot_new(stats);
	struct zoneset_zone entries[] = {
		{ .name = "example.com", .zone = zone },
		{ .name = "we\"ird\\zone", .zone = zone },
		{ .name = "failed.example", .zone = NULL },
	};
	struct zoneset zones = { .zones = entries, .zone_count = 3 };
	struct stats_zone_table *table = stats_zone_table_create(stats);
	uint8_t header[12];
	struct answer_request request = request_with(header, ANSWER_UDP, 0);
	struct answer_result result = result_with(ANSWER_KIND_ANSWER, 0, RRTYPE_A);
	result.zone = zone;
	stats_count_query(&stats->workers[0], table, &request, &result, RRL_SEND);
	stats_count_query(&stats->workers[1], table, &request, &result, RRL_SEND);
	request = request_with(header, ANSWER_TCP, 9);   /* an unassigned opcode */
	result = result_with(ANSWER_KIND_NOTIMP, 4, 0);
	stats_count_query(&stats->workers[1], table, &request, &result, RRL_SEND);
	stats->reloads = 3;
	stats->reload_failures = 1;
	const char *text = prometheus_text(stats, table, &zones);
	static const char *const lines[] = {
		"# HELP zoned_queries_total Queries received, by transport.",
		"# TYPE zoned_queries_total counter",
		"zoned_queries_total{transport=\"udp\"} 2",
		"zoned_queries_total{transport=\"tcp\"} 1",
		"zoned_queries_by_opcode_total{opcode=\"QUERY\"} 2",
		"zoned_queries_by_opcode_total{opcode=\"NOTIFY\"} 0",
		"zoned_queries_by_opcode_total{opcode=\"9\"} 1",
		"zoned_queries_by_type_total{type=\"A\"} 2",
		"zoned_queries_by_type_total{type=\"HTTPS\"} 0",
		"zoned_queries_by_type_total{type=\"other\"} 1",
		"zoned_responses_total{rcode=\"NOERROR\"} 2",
		"zoned_responses_total{rcode=\"NOTIMP\"} 1",
		"# TYPE zoned_rrl_dropped_total counter",
		"zoned_rrl_dropped_total 0",
		"# TYPE zoned_zone_queries_total counter",
		"zoned_zone_queries_total{zone=\"example.com\"} 2",
		"zoned_zone_queries_total{zone=\"we\\\"ird\\\\zone\"} 2",
		"# TYPE zoned_zone_serial gauge",
		"zoned_zone_serial{zone=\"example.com\"} 2024010101",
		"zoned_reloads_total 3",
		"zoned_reload_failures_total 1",
		"zoned_zone_load_failures_total 0",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		ck_assert_msg(has_line(text, lines[i]), "missing line %s in:\n%s", lines[i], text);
	ck_assert_ptr_null(strstr(text, "failed.example"));          /* not being served */
	ck_assert_ptr_null(strstr(text, "opcode=\"3\""));            /* unassigned, not seen */
	/* Every line: a comment, or NAME{LABELS} VALUE with a zoned_ name. */
	for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
		ck_assert(strchr(line, '\n') != NULL);
		if (line[0] == '#') {
			ck_assert(strncmp(line, "# HELP zoned_", 13) == 0
				|| strncmp(line, "# TYPE zoned_", 13) == 0);
			continue;
		}
		char sample[256];
		size_t length = (size_t)(strchr(line, '\n') - line);
		ck_assert_uint_lt(length, sizeof sample);
		memcpy(sample, line, length);
		sample[length] = '\0';
		ck_assert_msg(strncmp(sample, "zoned_", 6) == 0, "%s", sample);
		const char *space = strrchr(sample, ' ');
		ck_assert_msg(space != NULL, "%s", sample);
		char *end;
		strtoull(space + 1, &end, 10);
		ck_assert_msg(*end == '\0' && end > space + 1, "%s", sample);
	}
	stats_zone_table_retire(stats, table);
	stats_free(stats);
	zone_free(zone);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *index = tcase_create("index");
	tcase_add_loop_test(index, test_qtype_index, 0, (int)(sizeof qtypes / sizeof qtypes[0]));
	tcase_add_loop_test(index, test_rcode_index, 0, (int)(sizeof rcodes / sizeof rcodes[0]));
	suite_add_tcase(s, index);
	TCase *count = tcase_create("count");
	tcase_add_test(count, test_count_answer);
	tcase_add_test(count, test_count_drops_and_errors);
	tcase_add_test(count, test_count_rate_limited);
	tcase_add_test(count, test_count_from_answer_query);
	suite_add_tcase(s, count);
	TCase *sum = tcase_create("sum");
	tcase_add_test(sum, test_sum_workers);
	tcase_add_test(sum, test_zone_tables_across_reloads);
	suite_add_tcase(s, sum);
	TCase *text = tcase_create("text");
	tcase_add_test(text, test_prometheus_text);
	suite_add_tcase(s, text);
	return s;
}

int
main(void)
{
	return testlib_run(stats_suite());
}
