/*
 * stats.h: the daemon's counters. Each worker thread owns its counters and
 * is their only writer (relaxed atomic stores: plain moves on x86-64, no
 * locked instructions, no cache line shared with another worker); the
 * main thread sums the workers' counters when they are read.
 */
#ifndef ZONED_STATS_H
#define ZONED_STATS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/answer.h"
#include "zoned/rrl.h"

struct evbuffer;
struct zoneset;

#define STATS_CACHE_LINE 64
#define STATS_TRANSPORT_COUNT 2       /* enum answer_transport */
#define STATS_OPCODE_COUNT 16         /* RFC 1035 4.1.1: 4 bits */

/* The query types counted one by one; every other type is STATS_QTYPE_OTHER. */
enum stats_qtype {
	STATS_QTYPE_A, STATS_QTYPE_AAAA, STATS_QTYPE_NS, STATS_QTYPE_SOA, STATS_QTYPE_MX,
	STATS_QTYPE_TXT, STATS_QTYPE_CNAME, STATS_QTYPE_PTR, STATS_QTYPE_SRV, STATS_QTYPE_DS,
	STATS_QTYPE_DNSKEY, STATS_QTYPE_ANY, STATS_QTYPE_HTTPS, STATS_QTYPE_OTHER,
	STATS_QTYPE_COUNT,
};

/* The response codes zoned sends, and one bucket for anything else. */
enum stats_rcode {
	STATS_RCODE_NOERROR, STATS_RCODE_FORMERR, STATS_RCODE_SERVFAIL, STATS_RCODE_NXDOMAIN,
	STATS_RCODE_NOTIMP, STATS_RCODE_REFUSED, STATS_RCODE_YXDOMAIN, STATS_RCODE_BADVERS,
	STATS_RCODE_OTHER, STATS_RCODE_COUNT,
};

/* One worker's counters of queries and responses. */
struct stats_counters {
	_Atomic uint64_t queries[STATS_TRANSPORT_COUNT];  /* every message handed to the engine */
	_Atomic uint64_t opcodes[STATS_OPCODE_COUNT];     /* those with a whole header */
	_Atomic uint64_t qtypes[STATS_QTYPE_COUNT];       /* those with a question */
	_Atomic uint64_t edns;                            /* with an OPT record */
	_Atomic uint64_t dnssec_ok;                       /* with DO set (RFC 3225) */
	_Atomic uint64_t responses[STATS_RCODE_COUNT];    /* sent, by RCODE (RRL slips too) */
	_Atomic uint64_t truncated;                       /* sent with TC (too large; not slips) */
	_Atomic uint64_t rrl_dropped;                     /* rate limiting: not sent */
	_Atomic uint64_t rrl_slipped;                     /* rate limiting: sent truncated */
};

/* A worker's counters on cache lines of their own. */
struct stats_worker {
	struct stats_counters counters;
	unsigned id;                      /* its row in a stats_zone_table */
} __attribute__((aligned(STATS_CACHE_LINE)));

/*
 * Queries per zone for one published view: a row per worker (each on cache
 * lines of its own) with a counter per zone slot; slot 0 counts the
 * queries no zone answered. A zone keeps its slot (struct zone's
 * stats_slot) across reloads.
 */
struct stats_zone_table {
	uint32_t slot_count;
	unsigned worker_count;
	_Atomic uint64_t *rows[];
};

/* The daemon's statistics: the workers' counters and the main thread's. */
struct stats {
	struct stats_worker *workers;     /* worker_count, cache-line aligned */
	unsigned worker_count;
	uint32_t slot_count;              /* zone slots handed out, 0 included */
	uint64_t *retired_zone_queries;   /* by slot: counts of tables retired */
	/* Main thread only: */
	uint64_t reloads;
	uint64_t reload_failures;         /* reloads that kept the previous config */
	uint64_t zone_load_failures;      /* zones that failed to load at start or a reload */
};

/* Returns statistics for worker_count workers, all zero, or NULL. */
struct stats *stats_create(unsigned worker_count);

/* Frees stats. NULL is fine. */
void stats_free(struct stats *stats);

/*
 * Counts one query and what became of it, on worker's counters: the
 * request (transport, opcode from its header), the engine's result and
 * rate limiting's action (RRL_SEND when not limited). zones (the view's
 * table, may be NULL) gets the per-zone count. worker NULL: nothing is
 * counted. Never allocates, never writes another worker's counters.
 */
void stats_count_query(struct stats_worker *worker, const struct stats_zone_table *zones,
	const struct answer_request *request, const struct answer_result *result,
	enum rrl_action action);

/* The counter index of a query type. */
enum stats_qtype stats_qtype_index(uint16_t qtype);

/* The counter index of a response code. */
enum stats_rcode stats_rcode_index(uint16_t rcode);

/*
 * A new zone slot (main thread, before the zone is published). Returns
 * the slot, or 0 when out of memory (the zone is then counted in slot 0).
 */
uint32_t stats_zone_slot_new(struct stats *stats);

/*
 * A table for every slot handed out so far (main thread), or NULL when
 * out of memory.
 */
struct stats_zone_table *stats_zone_table_create(const struct stats *stats);

/*
 * Adds table's counts to the retired totals and frees it (main thread),
 * once no worker can write it any more. NULL is fine.
 */
void stats_zone_table_retire(struct stats *stats, struct stats_zone_table *table);

/* The workers' counters summed (relaxed loads: each value is whole, the set is not a snapshot). */
void stats_sum(const struct stats *stats, struct stats_counters *out);

/* Queries counted for slot: the retired totals plus table's rows. */
uint64_t stats_zone_queries(const struct stats *stats, const struct stats_zone_table *table,
	uint32_t slot);

/*
 * Writes every counter in the Prometheus text exposition format (version
 * 0.0.4: # HELP and # TYPE lines, counters named zoned_*_total) to out,
 * with per-zone queries and serials for zones (may be NULL) counted in
 * table. Returns 0 or ZONED_ENOMEM.
 */
int stats_write_prometheus(const struct stats *stats, const struct stats_zone_table *table,
	const struct zoneset *zones, struct evbuffer *out);

#endif
