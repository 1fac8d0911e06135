/* rrl.c: response rate limiting: classify a UDP response, debit its account, send/drop/slip. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "zoned/acl.h"
#include "zoned/error.h"
#include "zoned/answer.h"
#include "zoned/rrl.h"

#define RRL_WAYS 4          /* entries per bucket: a newcomer may evict one of them */
#define RRL_HEADER 12
#define RRL_TC 0x02         /* in the third header octet */
#define RRL_AA 0x04
#define RRL_OPT_FIXED 11    /* an OPT record without options */
#define RRL_BADCOOKIE 23    /* RFC 7873 8 */

/*
 * What an account is for, in two words. Like BIND, the imputed name is kept
 * as a hash: two names of one client prefix with the same 32-bit hash share
 * an account. IPv6 prefixes are at most /64 (BIND's limit too).
 */
struct rrl_key {
	uint64_t prefix;           /* masked client address, first 8 octets (IPv4: 4) */
	uint32_t name_hash;        /* 0 for errors */
	uint16_t qtype;            /* positive answers only */
	uint8_t qclass;            /* low octet, as BIND */
	uint8_t kind;              /* 1 + class * 2 + IPv6; 0: a free slot */
};

_Static_assert(sizeof(struct rrl_key) == 16, "struct rrl_key has padding");

/* One token bucket (BIND's debit_rrl_entry): at most rate, at least -window * rate. */
struct rrl_entry {
	struct rrl_key key;
	int32_t balance;           /* responses left; negative: limited */
	uint32_t stamp;            /* now at the last debit */
	uint8_t slip_count;
	bool logged;               /* the start of this limiting was reported */
};

/* A bucket is two cache lines, aligned: one lookup touches nothing else. */
#define RRL_BUCKET_SIZE (RRL_WAYS * sizeof(struct rrl_entry))
_Static_assert(sizeof(struct rrl_entry) == 32, "struct rrl_entry grew");

struct rrl_table {
	struct rrl_entry *entries; /* (bucket_mask + 1) * RRL_WAYS, in memory */
	void *memory;              /* owned: calloc'd (pages zeroed lazily), then aligned */
	size_t bucket_mask;
	uint64_t seed;             /* a random key: bucket choice cannot be aimed at */
	log_function *log;
	uint64_t log_next;         /* no message before this second: one a second */
	unsigned log_suppressed;
	struct rrl_stats stats;
};

struct rrl_config *
rrl_config_create(void)
{
	struct rrl_config *config = calloc(1, sizeof *config);
	if (config == NULL)
		return NULL;
	config->slip = RRL_DEFAULT_SLIP;
	config->window = RRL_DEFAULT_WINDOW;
	config->ipv4_prefix_length = RRL_DEFAULT_IPV4_PREFIX;
	config->ipv6_prefix_length = RRL_DEFAULT_IPV6_PREFIX;
	config->table_size = RRL_DEFAULT_TABLE_SIZE;
	return config;
}

void
rrl_config_free(struct rrl_config *config)
{
	if (config == NULL)
		return;
	acl_free(config->exempt);
	free(config);
}

/* Clears the bits of address (octets long) past prefix_length. */
static void
rrl_mask_address(uint8_t *address, size_t octets, unsigned prefix_length)
{
	for (size_t i = 0; i < octets; i++) {
		unsigned first_bit = (unsigned)i * 8;
		if (prefix_length >= first_bit + 8)
			continue;
		if (prefix_length <= first_bit)
			address[i] = 0;
		else
			address[i] &= (uint8_t)(0xFF << (8 - (prefix_length - first_bit)));
	}
}

/* The client's address octets (4 or 16) and family, or 0 octets. */
static size_t
rrl_client_address(const struct sockaddr *client, uint8_t address[16])
{
	if (client->sa_family == AF_INET) {
		memcpy(address, &((const struct sockaddr_in *)client)->sin_addr, 4);
		return 4;
	}
	if (client->sa_family == AF_INET6) {
		memcpy(address, &((const struct sockaddr_in6 *)client)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

struct rrl_table *
rrl_table_create(size_t entries, log_function *log)
{
	size_t buckets = RRL_MIN_WORKER_ENTRIES / RRL_WAYS;
	while (buckets * RRL_WAYS < entries && buckets < ((size_t)1 << 28))
		buckets *= 2;
	struct rrl_table *table = calloc(1, sizeof *table);
	if (table == NULL)
		return NULL;
	table->memory = calloc(buckets + 1, RRL_BUCKET_SIZE);
	if (table->memory == NULL) {
		free(table);
		return NULL;
	}
	table->entries = (struct rrl_entry *)(((uintptr_t)table->memory + RRL_BUCKET_SIZE - 1)
		& ~(uintptr_t)(RRL_BUCKET_SIZE - 1));
	table->bucket_mask = buckets - 1;
	table->log = log;
	if (getrandom(&table->seed, sizeof table->seed, GRND_NONBLOCK) != sizeof table->seed)
		table->seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull ^ (uintptr_t)table
			^ (uint64_t)getpid();
	return table;
}

void
rrl_table_free(struct rrl_table *table)
{
	if (table == NULL)
		return;
	free(table->memory);
	free(table);
}

const struct rrl_stats *
rrl_table_stats(const struct rrl_table *table)
{
	return &table->stats;
}

size_t
rrl_worker_entries(const struct rrl_config *config, unsigned workers)
{
	/* SO_REUSEPORT gives each worker its own flows: share the size out. */
	size_t per_worker = workers > 0 ? (config->table_size + workers - 1) / workers
		: config->table_size;
	return per_worker < RRL_MIN_WORKER_ENTRIES ? RRL_MIN_WORKER_ENTRIES : per_worker;
}

uint32_t
rrl_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (uint32_t)now.tv_sec;
}

/* Classification: from what the answer engine says it built. */

void
rrl_classify(const struct answer_result *result, struct rrl_response *out)
{
	memset(out, 0, sizeof *out);
	out->question_end = result->question_end;
	out->qtype = result->qtype;
	out->qclass = result->qclass;
	switch (result->kind) {
	case ANSWER_KIND_ANSWER: out->class = RRL_RESPONSE; break;
	case ANSWER_KIND_REFERRAL: out->class = RRL_REFERRAL; break;
	case ANSWER_KIND_NODATA: out->class = RRL_NODATA; break;
	case ANSWER_KIND_NXDOMAIN: out->class = RRL_NXDOMAIN; break;
	default:
		out->class = RRL_ERROR;   /* errors are limited per client, whatever the name */
		return;
	}
	out->name = result->imputed_name;
	out->name_length = result->imputed_name_length;
}

size_t
rrl_truncate(uint8_t *response, size_t length, size_t question_end)
{
	if (length < RRL_HEADER || question_end > length)
		return length;
	/* RFC 1035 4.1.1 TC: the client retries over TCP, which is never limited. */
	response[2] |= RRL_TC;
	memset(response + 6, 0, 6);
	return question_end;
}

size_t
rrl_slip_badcookie(uint8_t *response, size_t length, size_t question_end, size_t opt_offset)
{
	if (length < RRL_HEADER || question_end > length || opt_offset < question_end
		|| opt_offset + RRL_OPT_FIXED > length)
		return rrl_truncate(response, length, question_end);
	/* The OPT (with the fresh cookie) is the last record: move it after the question. */
	size_t opt_length = length - opt_offset;
	memmove(response + question_end, response + opt_offset, opt_length);
	response[2] &= (uint8_t)~(RRL_AA | RRL_TC);
	response[3] = (uint8_t)((response[3] & 0xf0) | (RRL_BADCOOKIE & 0x0f));
	static const uint8_t counts[6] = { 0, 0, 0, 0, 0, 1 };   /* AN, NS 0; AR: the OPT */
	memcpy(response + 6, counts, sizeof counts);
	response[question_end + 5] = RRL_BADCOOKIE >> 4;       /* the OPT's extended rcode */
	return question_end + opt_length;
}

/* Accounting. */

static uint64_t
rrl_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static size_t
rrl_bucket(const struct rrl_table *table, const struct rrl_key *key)
{
	uint64_t words[2];
	memcpy(words, key, sizeof words);
	return (size_t)rrl_mix(rrl_mix(table->seed ^ words[0]) ^ words[1]) & table->bucket_mask;
}

static bool
rrl_key_equal(const struct rrl_key *a, const struct rrl_key *b)
{
	return a->prefix == b->prefix && a->name_hash == b->name_hash && a->qtype == b->qtype
		&& a->qclass == b->qclass && a->kind == b->kind;
}

/* A name's hash, eight octets at a time (names here are lowercased). */
static uint32_t
rrl_name_hash(const uint8_t *name, size_t length)
{
	uint64_t h = length;
	size_t at = 0;
	for (; at + 8 <= length; at += 8) {
		uint64_t word;
		memcpy(&word, name + at, 8);
		h = (h ^ word) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	uint64_t tail = 0;
	memcpy(&tail, name + at, length - at);
	return (uint32_t)rrl_mix(h ^ tail);
}

/* Builds the account key; false when the client's family is unknown. */
static bool
rrl_make_key(const struct rrl_config *config, const struct sockaddr *client,
	const struct rrl_response *response, struct rrl_key *key)
{
	uint8_t address[16] = { 0 };
	size_t octets = rrl_client_address(client, address);
	if (octets == 0)
		return false;
	rrl_mask_address(address, octets, octets == 4 ? config->ipv4_prefix_length
		: config->ipv6_prefix_length);
	memset(key, 0, sizeof *key);
	memcpy(&key->prefix, address, sizeof key->prefix);
	key->kind = (uint8_t)(1 + response->class * 2 + (octets == 16));
	if (response->class == RRL_ERROR)
		return true;
	/* Referrals and NODATA have no answer type to tell apart (BIND). */
	if (response->class == RRL_RESPONSE)
		key->qtype = response->qtype;
	if (response->class != RRL_NXDOMAIN)
		key->qclass = (uint8_t)response->qclass;
	if (response->name != NULL)
		key->name_hash = rrl_name_hash(response->name, response->name_length);
	return true;
}

static unsigned
rrl_entry_rate(const struct rrl_config *config, const struct rrl_entry *e)
{
	return config->rates[(e->key.kind - 1) / 2];
}

static uint32_t
rrl_age(const struct rrl_entry *e, uint32_t now)
{
	int32_t age = (int32_t)(now - e->stamp);
	return age > 0 ? (uint32_t)age : 0;   /* a clock step back is no time */
}

/* The balance e would have now, before this response's debit. */
static int64_t
rrl_credited(const struct rrl_config *config, const struct rrl_entry *e, uint32_t now)
{
	uint32_t age = rrl_age(e, now);
	int64_t rate = rrl_entry_rate(config, e);
	if (age > config->window)
		return rate;
	int64_t balance = e->balance + rate * age;
	return balance > rate ? rate : balance;
}

/*
 * The entry for key: found in its bucket, or a slot taken over. A free or
 * expired slot goes first, then one that is not limited, and only then the
 * least recently used limited one (counted as evicted): one key never
 * reads another's balance.
 */
static struct rrl_entry *
rrl_find_entry(struct rrl_table *table, const struct rrl_config *config,
	const struct rrl_key *key, unsigned rate, uint32_t now)
{
	struct rrl_entry *bucket = table->entries + rrl_bucket(table, key) * RRL_WAYS;
	for (unsigned i = 0; i < RRL_WAYS; i++) {
		if (rrl_key_equal(&bucket[i].key, key))
			return &bucket[i];
	}
	struct rrl_entry *victim = NULL;
	int victim_score = -1;
	for (unsigned i = 0; i < RRL_WAYS; i++) {
		struct rrl_entry *e = &bucket[i];
		int score;
		if (e->key.kind == 0 || rrl_age(e, now) > config->window)
			score = 3;
		else if (rrl_credited(config, e, now) >= 0)
			score = 2;
		else
			score = 1;
		if (score > victim_score || (score == victim_score
			&& rrl_age(e, now) > rrl_age(victim, now))) {
			victim = e;
			victim_score = score;
		}
	}
	if (victim_score == 1)
		table->stats.evicted++;
	/* A new account starts full (BIND: as if older than the window). */
	victim->key = *key;
	victim->balance = (int32_t)rate;
	victim->stamp = now;
	victim->slip_count = 0;
	victim->logged = false;
	return victim;
}

/* BIND's debit_rrl_entry: credit the seconds elapsed, debit one response. */
static enum rrl_action
rrl_debit(const struct rrl_config *config, struct rrl_entry *e, unsigned rate, uint32_t now)
{
	uint32_t age = rrl_age(e, now);
	if (age > 0) {
		int64_t balance = age > config->window ? rate
			: (int64_t)e->balance + (int64_t)rate * age;
		if (balance >= rate) {
			balance = rate;
			e->slip_count = 0;
			e->logged = false;   /* recovered: a new episode is reported again */
		}
		e->balance = (int32_t)balance;
	}
	e->stamp = now;
	if (--e->balance >= 0)
		return RRL_SEND;
	int32_t minimum = -(int32_t)(config->window * rate);
	if (e->balance < minimum)
		e->balance = minimum;
	/* Slip the first limited response, then every slip-th one. */
	if (config->slip != 0) {
		if (e->slip_count++ == 0) {
			if (e->slip_count >= config->slip)
				e->slip_count = 0;
			return RRL_SLIP;
		}
		if (e->slip_count >= config->slip)
			e->slip_count = 0;
	}
	return RRL_DROP;
}

static const char *const rrl_class_words[RRL_CLASS_COUNT] = {
	"", "referral ", "NODATA ", "NXDOMAIN ", "error ",
};

/* "limit NXDOMAIN responses to 192.0.2.0/24 for example.com.", once a second. */
static void
rrl_log_start(struct rrl_table *table, const struct rrl_config *config,
	const struct sockaddr *client, const struct rrl_response *response, uint32_t now)
{
	if (table->log == NULL)
		return;
	if ((uint64_t)now < table->log_next) {
		table->log_suppressed++;
		return;
	}
	uint8_t address[16] = { 0 };
	size_t octets = rrl_client_address(client, address);
	unsigned prefix = octets == 4 ? config->ipv4_prefix_length : config->ipv6_prefix_length;
	rrl_mask_address(address, octets, prefix);
	char text[INET6_ADDRSTRLEN] = "?";
	inet_ntop(client->sa_family, address, text, sizeof text);
	char name[1024] = "";
	if (response->name != NULL)
		dname_to_text(response->name, name, sizeof name);
	char more[64] = "";
	if (table->log_suppressed > 0)
		snprintf(more, sizeof more, " (%u more not logged)", table->log_suppressed);
	table->log(LOG_INFO, "rate-limit: %slimit %sresponses to %s/%u%s%s%s",
		config->log_only ? "would " : "", rrl_class_words[response->class], text,
		prefix, name[0] ? " for " : "", name, more);
	table->log_next = (uint64_t)now + 1;
	table->log_suppressed = 0;
}

enum rrl_action
rrl_account(struct rrl_table *table, const struct rrl_config *config,
	const struct sockaddr *client, const struct rrl_response *response, uint32_t now)
{
	unsigned rate = config->rates[response->class];
	struct rrl_key key;
	if (rate == 0 || !rrl_make_key(config, client, response, &key)) {
		table->stats.sent++;
		return RRL_SEND;
	}
	struct rrl_entry *e = rrl_find_entry(table, config, &key, rate, now);
	enum rrl_action action = rrl_debit(config, e, rate, now);
	if (action == RRL_SEND) {
		table->stats.sent++;
		return RRL_SEND;
	}
	if (!e->logged) {
		e->logged = true;
		rrl_log_start(table, config, client, response, now);
	}
	if (config->log_only) {
		table->stats.would_limit++;
		table->stats.sent++;
		return RRL_SEND;
	}
	if (action == RRL_SLIP)
		table->stats.slipped++;
	else
		table->stats.dropped++;
	return action;
}

size_t
rrl_apply(struct rrl_table *table, const struct rrl_config *config,
	const struct sockaddr *client, const struct answer_result *result, uint8_t *response,
	uint32_t now, enum rrl_action *action)
{
	enum rrl_action ignored;
	if (action == NULL)
		action = &ignored;
	*action = RRL_SEND;
	if (acl_allows(config->exempt, client, NULL))
		return result->length;
	struct rrl_response classified;
	rrl_classify(result, &classified);
	/* A valid server cookie proves the client's address (RFC 7873 5.2.3):
	 * BIND 9.18 does not rate-limit its responses, only its errors. */
	if (result->cookie_valid && classified.class != RRL_ERROR)
		return result->length;
	*action = rrl_account(table, config, client, &classified, now);
	switch (*action) {
	case RRL_DROP:
		return 0;
	case RRL_SLIP:
		/* A client that sent a cookie is told BADCOOKIE with a fresh one
		 * rather than TC: it retries over UDP with a valid cookie, which
		 * is then not limited (BIND 9.18). */
		if (result->cookie && classified.class != RRL_ERROR)
			return rrl_slip_badcookie(response, result->length,
				classified.question_end, result->opt_offset);
		return rrl_truncate(response, result->length, classified.question_end);
	case RRL_SEND:
		break;
	}
	return result->length;
}
