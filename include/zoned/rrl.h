/*
 * rrl.h: response rate limiting (BIND's "rate-limit"), UDP only: each
 * response is accounted to (client prefix, response class, imputed name) in
 * a fixed-size table owned by one worker thread, and sent, dropped or
 * "slipped" (sent truncated, so that a real client retries over TCP).
 */
#ifndef ZONED_RRL_H
#define ZONED_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zoned/dname.h"
#include "zoned/log.h"

struct acl;
struct answer_result;

/* BIND's limits (named-checkconf): */
#define RRL_MAX_RATE 1000
#define RRL_MAX_SLIP 10
#define RRL_MAX_WINDOW 3600
#define RRL_DEFAULT_SLIP 2
#define RRL_DEFAULT_WINDOW 15
#define RRL_DEFAULT_IPV4_PREFIX 24
#define RRL_DEFAULT_IPV6_PREFIX 56
#define RRL_DEFAULT_TABLE_SIZE 100000   /* BIND's max-table-size */
#define RRL_MIN_WORKER_ENTRIES 1024

/* What a response is accounted as; each class has its own rate. */
enum rrl_class {
	RRL_RESPONSE,     /* NOERROR with answers: by qname (imputed), qtype, qclass */
	RRL_REFERRAL,     /* NOERROR, no answer, not AA: by delegation point */
	RRL_NODATA,       /* NOERROR, no answer, AA: by qname (imputed) */
	RRL_NXDOMAIN,     /* by zone */
	RRL_ERROR,        /* any other rcode (REFUSED, FORMERR...): by client only */
	RRL_CLASS_COUNT,
};

enum rrl_action {
	RRL_SEND,
	RRL_DROP,
	RRL_SLIP,         /* send with TC=1, the question only */
};

/* The rate-limit { ... } settings, as in BIND 9.18. */
struct rrl_config {
	unsigned rates[RRL_CLASS_COUNT];   /* per second; 0: that class is not limited */
	unsigned slip;                     /* 0: always drop; N: every Nth is truncated */
	unsigned window;                   /* seconds of debt remembered */
	unsigned ipv4_prefix_length;
	unsigned ipv6_prefix_length;       /* at most 64 */
	unsigned table_size;               /* max-table-size, shared out among workers */
	bool log_only;                     /* account and log, but send everything */
	struct acl *exempt;                /* exempt-clients (zoned/acl.h); NULL: none; owned */
};

/* Returns a config with BIND's defaults (no class limited), or NULL. */
struct rrl_config *rrl_config_create(void);

/* Frees config. NULL is fine. */
void rrl_config_free(struct rrl_config *config);

/* Counters, for tests and the log. */
struct rrl_stats {
	uint64_t sent;
	uint64_t dropped;
	uint64_t slipped;
	uint64_t would_limit;     /* log-only: dropped or slipped if it were not */
	uint64_t evicted;         /* entries with debt pushed out by a newcomer */
};

struct rrl_table;

/*
 * A table for one worker with room for at least entries accounts (rounded
 * up to a power of two, never below RRL_MIN_WORKER_ENTRIES). log may be
 * NULL. Allocates everything now: accounting never allocates. Returns NULL
 * when out of memory.
 */
struct rrl_table *rrl_table_create(size_t entries, log_function *log);

/* Frees table. NULL is fine. */
void rrl_table_free(struct rrl_table *table);

/* The table's counters. */
const struct rrl_stats *rrl_table_stats(const struct rrl_table *table);

/* Entries per worker for config->table_size shared out among workers. */
size_t rrl_worker_entries(const struct rrl_config *config, unsigned workers);

/* One response as the accounting sees it. */
struct rrl_response {
	enum rrl_class class;
	uint16_t qtype;
	uint16_t qclass;
	const uint8_t *name;      /* imputed name, lowercased wire form; NULL: none */
	size_t name_length;
	size_t question_end;      /* octets of header and question, for a slip */
};

/*
 * Classifies a response from what answer_query() said of it: its kind, and
 * the imputed name the engine found (the zone for NXDOMAIN, the delegation
 * point for referrals, the wildcard's parent for wildcard answers). out->name
 * points where result->imputed_name does.
 */
void rrl_classify(const struct answer_result *result, struct rrl_response *out);

/*
 * Debits the account of (client prefix, response) at time now (seconds,
 * any monotonic origin) and says what to do. log-only answers RRL_SEND.
 */
enum rrl_action rrl_account(struct rrl_table *table, const struct rrl_config *config,
	const struct sockaddr *client, const struct rrl_response *response, uint32_t now);

/* Turns a response into its slip form in place; returns the new length. */
size_t rrl_truncate(uint8_t *response, size_t length, size_t question_end);

/*
 * The slip form for a client that sent a DNS cookie (BIND 9.18): BADCOOKIE
 * (rcode 23), no AA, the question and the OPT record found at opt_offset
 * (the last record, carrying a fresh cookie) only. Falls back to
 * rrl_truncate() when there is no such OPT. Returns the new length.
 */
size_t rrl_slip_badcookie(uint8_t *response, size_t length, size_t question_end,
	size_t opt_offset);

/*
 * The whole decision for one UDP response in place (result describes it):
 * exempt check, classification, accounting, truncation for a slip. A
 * response to a valid server cookie (result->cookie_valid) is not limited
 * unless it is an error; a slip for a client that sent a cookie is
 * BADCOOKIE rather than TC. Returns the length to send (smaller after a
 * slip), or 0 to drop it; *action (when not NULL) receives the decision,
 * for the statistics.
 */
size_t rrl_apply(struct rrl_table *table, const struct rrl_config *config,
	const struct sockaddr *client, const struct answer_result *result, uint8_t *response,
	uint32_t now, enum rrl_action *action);

/* Seconds on a coarse monotonic clock, for rrl_account's now. */
uint32_t rrl_now(void);

#endif
