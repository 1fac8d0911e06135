/*
 * stats.c: per-worker counters counted from the answer result, summed
 * when read, and written in the Prometheus text exposition format.
 */
#include <config.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/query.h"
#include "zoned/rrtype.h"
#include "zoned/stats.h"
#include "zoned/wire.h"
#include "zoned/zoneset.h"

/* The writer is the only one: a relaxed load and store, no locked add. */
static inline void
stats_increment(_Atomic uint64_t *counter)
{
	atomic_store_explicit(counter,
		atomic_load_explicit(counter, memory_order_relaxed) + 1, memory_order_relaxed);
}

/* Index + 1 by type (every counted type is below 256); 0: other. A table, not a switch: this runs per query. */
static const uint8_t stats_qtype_indexes[256] = {
	[RRTYPE_A] = STATS_QTYPE_A + 1, [RRTYPE_AAAA] = STATS_QTYPE_AAAA + 1,
	[RRTYPE_NS] = STATS_QTYPE_NS + 1, [RRTYPE_SOA] = STATS_QTYPE_SOA + 1,
	[RRTYPE_MX] = STATS_QTYPE_MX + 1, [RRTYPE_TXT] = STATS_QTYPE_TXT + 1,
	[RRTYPE_CNAME] = STATS_QTYPE_CNAME + 1, [RRTYPE_PTR] = STATS_QTYPE_PTR + 1,
	[RRTYPE_SRV] = STATS_QTYPE_SRV + 1, [RRTYPE_DS] = STATS_QTYPE_DS + 1,
	[RRTYPE_DNSKEY] = STATS_QTYPE_DNSKEY + 1, [RRTYPE_ANY] = STATS_QTYPE_ANY + 1,
	[RRTYPE_HTTPS] = STATS_QTYPE_HTTPS + 1,
};

enum stats_qtype
stats_qtype_index(uint16_t qtype)
{
	unsigned index = qtype < 256 ? stats_qtype_indexes[qtype] : 0;
	return index != 0 ? (enum stats_qtype)(index - 1) : STATS_QTYPE_OTHER;
}

enum stats_rcode
stats_rcode_index(uint16_t rcode)
{
	if (rcode <= RCODE_YXDOMAIN)
		return (enum stats_rcode)rcode;   /* NOERROR (0) to YXDOMAIN (6) in order */
	return rcode == RCODE_BADVERS ? STATS_RCODE_BADVERS : STATS_RCODE_OTHER;
}

void
stats_count_query(struct stats_worker *worker, const struct stats_zone_table *zones,
	const struct answer_request *request, const struct answer_result *result,
	enum rrl_action action)
{
	if (worker == NULL)
		return;
	struct stats_counters *c = &worker->counters;
	stats_increment(&c->queries[request->transport == ANSWER_TCP]);
	/* RFC 1035 4.1.1: the opcode is bits 1-4 of the third octet. */
	if (request->query_length >= WIRE_HEADER_LENGTH)
		stats_increment(&c->opcodes[(request->query[2] >> 3) & 0x0f]);
	if (result->kind == ANSWER_KIND_DROP)
		return;
	if (result->question_end > WIRE_HEADER_LENGTH)
		stats_increment(&c->qtypes[stats_qtype_index(result->qtype)]);
	if (result->edns)
		stats_increment(&c->edns);
	if (result->dnssec_ok)
		stats_increment(&c->dnssec_ok);
	if (zones != NULL) {
		uint32_t slot = result->zone != NULL ? result->zone->stats_slot : 0;
		if (slot < zones->slot_count && worker->id < zones->worker_count)
			stats_increment(&zones->rows[worker->id][slot]);
	}
	if (action == RRL_DROP) {
		stats_increment(&c->rrl_dropped);
		return;
	}
	stats_increment(&c->responses[stats_rcode_index(result->rcode)]);
	if (action == RRL_SLIP)
		stats_increment(&c->rrl_slipped);
	else if (result->truncated)
		stats_increment(&c->truncated);
}

struct stats *
stats_create(unsigned worker_count)
{
	struct stats *stats = calloc(1, sizeof *stats);
	if (stats == NULL)
		return NULL;
	stats->worker_count = worker_count;
	stats->slot_count = 1;   /* slot 0: queries outside every zone */
	stats->retired_zone_queries = calloc(1, sizeof *stats->retired_zone_queries);
	stats->workers = aligned_alloc(STATS_CACHE_LINE,
		(worker_count ? worker_count : 1) * sizeof *stats->workers);
	if (stats->workers == NULL || stats->retired_zone_queries == NULL) {
		stats_free(stats);
		return NULL;
	}
	memset(stats->workers, 0, (worker_count ? worker_count : 1) * sizeof *stats->workers);
	for (unsigned i = 0; i < worker_count; i++)
		stats->workers[i].id = i;
	return stats;
}

void
stats_free(struct stats *stats)
{
	if (stats == NULL)
		return;
	free(stats->workers);
	free(stats->retired_zone_queries);
	free(stats);
}

uint32_t
stats_zone_slot_new(struct stats *stats)
{
	uint64_t *retired = realloc(stats->retired_zone_queries,
		(stats->slot_count + 1) * sizeof *retired);
	if (retired == NULL)
		return 0;
	retired[stats->slot_count] = 0;
	stats->retired_zone_queries = retired;
	return stats->slot_count++;
}

struct stats_zone_table *
stats_zone_table_create(const struct stats *stats)
{
	unsigned workers = stats->worker_count;
	struct stats_zone_table *table = calloc(1, sizeof *table + workers * sizeof table->rows[0]);
	if (table == NULL)
		return NULL;
	table->slot_count = stats->slot_count;
	table->worker_count = workers;
	/* Whole cache lines per row: no two workers write one line. */
	size_t bytes = (stats->slot_count * sizeof(uint64_t) + STATS_CACHE_LINE - 1)
		/ STATS_CACHE_LINE * STATS_CACHE_LINE;
	for (unsigned i = 0; i < workers; i++) {
		table->rows[i] = aligned_alloc(STATS_CACHE_LINE, bytes);
		if (table->rows[i] == NULL) {
			for (unsigned j = 0; j < i; j++)
				free(table->rows[j]);
			free(table);
			return NULL;
		}
		memset(table->rows[i], 0, bytes);
	}
	return table;
}

void
stats_zone_table_retire(struct stats *stats, struct stats_zone_table *table)
{
	if (table == NULL)
		return;
	for (unsigned i = 0; i < table->worker_count; i++) {
		for (uint32_t slot = 0; slot < table->slot_count && slot < stats->slot_count; slot++)
			stats->retired_zone_queries[slot] += atomic_load_explicit(
				&table->rows[i][slot], memory_order_relaxed);
		free(table->rows[i]);
	}
	free(table);
}

uint64_t
stats_zone_queries(const struct stats *stats, const struct stats_zone_table *table,
	uint32_t slot)
{
	uint64_t total = slot < stats->slot_count ? stats->retired_zone_queries[slot] : 0;
	for (unsigned i = 0; table != NULL && slot < table->slot_count
	     && i < table->worker_count; i++)
		total += atomic_load_explicit(&table->rows[i][slot], memory_order_relaxed);
	return total;
}

/* Counter by counter: struct stats_counters is nothing but counters. */
void
stats_sum(const struct stats *stats, struct stats_counters *out)
{
	size_t count = sizeof *out / sizeof(_Atomic uint64_t);
	_Atomic uint64_t *sum = (_Atomic uint64_t *)out;
	for (size_t i = 0; i < count; i++)
		atomic_init(&sum[i], 0);
	for (unsigned w = 0; w < stats->worker_count; w++) {
		const _Atomic uint64_t *counters = (const _Atomic uint64_t *)&stats->workers[w].counters;
		for (size_t i = 0; i < count; i++) {
			uint64_t value = atomic_load_explicit(&counters[i], memory_order_relaxed);
			atomic_store_explicit(&sum[i],
				atomic_load_explicit(&sum[i], memory_order_relaxed) + value,
				memory_order_relaxed);
		}
	}
}

/* ---- the Prometheus text exposition format (version 0.0.4) ---- */

static const char *const stats_qtype_names[STATS_QTYPE_COUNT] = {
	"A", "AAAA", "NS", "SOA", "MX", "TXT", "CNAME", "PTR", "SRV", "DS", "DNSKEY", "ANY",
	"HTTPS", "other",
};

static const char *const stats_rcode_names[STATS_RCODE_COUNT] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"BADVERS", "other",
};

/* RFC 6895 2.2; the unassigned ones are shown by number, and only once seen. */
static const char *const stats_opcode_names[STATS_OPCODE_COUNT] = {
	"QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE", "DSO",
};

static const char *const stats_transport_names[STATS_TRANSPORT_COUNT] = { "udp", "tcp" };

/* The # HELP and # TYPE lines of a metric. */
static int
stats_write_header(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	return evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		type) < 0 ? ZONED_ENOMEM : 0;
}

/* One counter metric of struct stats_counters: an array with a label, or one value. */
struct stats_metric {
	const char *name;
	const char *help;
	const char *label;             /* NULL: a single counter */
	const char *const *names;      /* label values; NULL entries: by number, once nonzero */
	size_t offset;                 /* of the counter(s) in struct stats_counters */
	size_t count;
};

#define STATS_AT(field) offsetof(struct stats_counters, field)

static const struct stats_metric stats_metrics[] = {
	{ "zoned_queries_total", "Queries received, by transport.", "transport",
		stats_transport_names, STATS_AT(queries), STATS_TRANSPORT_COUNT },
	{ "zoned_queries_by_opcode_total", "Queries received with a whole header, by OPCODE.",
		"opcode", stats_opcode_names, STATS_AT(opcodes), STATS_OPCODE_COUNT },
	{ "zoned_queries_by_type_total", "Queries with a question, by QTYPE.", "type",
		stats_qtype_names, STATS_AT(qtypes), STATS_QTYPE_COUNT },
	{ "zoned_queries_edns_total", "Queries with an EDNS OPT record.", NULL, NULL,
		STATS_AT(edns), 1 },
	{ "zoned_queries_dnssec_ok_total", "Queries with the EDNS DO bit set.", NULL, NULL,
		STATS_AT(dnssec_ok), 1 },
	{ "zoned_responses_total", "Responses sent, by RCODE.", "rcode", stats_rcode_names,
		STATS_AT(responses), STATS_RCODE_COUNT },
	{ "zoned_responses_truncated_total", "Responses sent truncated (TC) because they did "
		"not fit; rate-limit slips are counted apart.", NULL, NULL, STATS_AT(truncated), 1 },
	{ "zoned_rrl_dropped_total", "Responses rate limiting dropped.", NULL, NULL,
		STATS_AT(rrl_dropped), 1 },
	{ "zoned_rrl_slipped_total", "Responses rate limiting sent truncated instead (slip).",
		NULL, NULL, STATS_AT(rrl_slipped), 1 },
};

/* One metric of the summed counters c. */
static int
stats_write_metric(struct evbuffer *out, const struct stats_metric *m,
	const struct stats_counters *c)
{
	const _Atomic uint64_t *values = (const _Atomic uint64_t *)((const char *)c + m->offset);
	int rc = stats_write_header(out, m->name, "counter", m->help);
	for (size_t i = 0; i < m->count && rc == 0; i++) {
		uint64_t value = atomic_load_explicit(&values[i], memory_order_relaxed);
		int n;
		if (m->label == NULL)
			n = evbuffer_add_printf(out, "%s %" PRIu64 "\n", m->name, value);
		else if (m->names[i] != NULL)
			n = evbuffer_add_printf(out, "%s{%s=\"%s\"} %" PRIu64 "\n", m->name,
				m->label, m->names[i], value);
		else if (value != 0)
			n = evbuffer_add_printf(out, "%s{%s=\"%zu\"} %" PRIu64 "\n", m->name,
				m->label, i, value);
		else
			continue;
		rc = n < 0 ? ZONED_ENOMEM : 0;
	}
	return rc;
}

static int
stats_write_value(struct evbuffer *out, const char *name, const char *type, const char *help,
	uint64_t value)
{
	int rc = stats_write_header(out, name, type, help);
	if (rc == 0 && evbuffer_add_printf(out, "%s %" PRIu64 "\n", name, value) < 0)
		rc = ZONED_ENOMEM;
	return rc;
}

/* A zone name as a label value: backslash, quote and newline escaped. */
static int
stats_write_zone_label(struct evbuffer *out, const char *zone)
{
	int rc = 0;
	for (const char *c = zone; *c != '\0' && rc == 0; c++) {
		if (*c == '\\' || *c == '"')
			rc = evbuffer_add(out, "\\", 1) | evbuffer_add(out, c, 1);
		else if (*c == '\n')
			rc = evbuffer_add(out, "\\n", 2);
		else
			rc = evbuffer_add(out, c, 1);
	}
	return rc != 0 ? ZONED_ENOMEM : 0;
}

/* Per zone (the zones served now): queries counted and the serial loaded. */
static int
stats_write_zones(struct evbuffer *out, const struct stats *stats,
	const struct stats_zone_table *table, const struct zoneset *zones)
{
	static const char *const names[2] = { "zoned_zone_queries_total", "zoned_zone_serial" };
	int rc = 0;
	for (int metric = 0; metric < 2 && rc == 0; metric++) {
		rc = metric == 0
			? stats_write_header(out, names[0], "counter",
				"Queries answered from the zone (the zone of the query name).")
			: stats_write_header(out, names[1], "gauge",
				"The SOA serial of the zone being served.");
		for (size_t i = 0; zones != NULL && i < zones->zone_count && rc == 0; i++) {
			const struct zoneset_zone *z = &zones->zones[i];
			if (z->zone == NULL)
				continue;
			uint64_t value = metric == 0
				? stats_zone_queries(stats, table, z->zone->stats_slot) : z->zone->serial;
			if (evbuffer_add_printf(out, "%s{zone=\"", names[metric]) < 0
			    || stats_write_zone_label(out, z->name) != 0
			    || evbuffer_add_printf(out, "\"} %" PRIu64 "\n", value) < 0)
				rc = ZONED_ENOMEM;
		}
	}
	return rc;
}

int
stats_write_prometheus(const struct stats *stats, const struct stats_zone_table *table,
	const struct zoneset *zones, struct evbuffer *out)
{
	struct stats_counters c;
	stats_sum(stats, &c);
	int rc = 0;
	for (size_t i = 0; i < sizeof stats_metrics / sizeof stats_metrics[0] && rc == 0; i++)
		rc = stats_write_metric(out, &stats_metrics[i], &c);
	if (rc == 0)
		rc = stats_write_zones(out, stats, table, zones);
	if (rc == 0)
		rc = stats_write_value(out, "zoned_reloads_total", "counter",
			"Reloads started (SIGHUP).", stats->reloads);
	if (rc == 0)
		rc = stats_write_value(out, "zoned_reload_failures_total", "counter",
			"Reloads that kept the previous configuration and zones.",
			stats->reload_failures);
	if (rc == 0)
		rc = stats_write_value(out, "zoned_zone_load_failures_total", "counter",
			"Zones that failed to load at a reload (their previous version is kept).",
			stats->zone_load_failures);
	return rc;
}
