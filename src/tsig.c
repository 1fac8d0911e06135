/* tsig.c: TSIG (RFC 8945): key table, the TSIG record, verify requests, sign responses and streams. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zoned/tsig.h"
#include "zoned/wire.h"

#define TSIG_UNSIGNED_MAX 99      /* RFC 8945 5.3.1: a TSIG at least every 100 messages */
#define TSIG_POINTERS_MAX 127     /* compression pointers followed in one name */

/* ---- Algorithms ---- */

struct tsig_algorithm_info {
	const char *text;
	const uint8_t *wire;
	uint8_t wire_length;
	const char *digest;           /* OpenSSL's name */
	uint8_t mac_length;
};

/* RFC 8945 6: the algorithm names; hmac-md5 keeps its historic long name. */
static const struct tsig_algorithm_info tsig_algorithms[TSIG_ALGORITHM_COUNT] = {
	[TSIG_HMAC_MD5] = {"hmac-md5", (const uint8_t *)"\10hmac-md5\7sig-alg\3reg\3int", 26,
		"MD5", 16},
	[TSIG_HMAC_SHA1] = {"hmac-sha1", (const uint8_t *)"\11hmac-sha1", 11, "SHA1", 20},
	[TSIG_HMAC_SHA224] = {"hmac-sha224", (const uint8_t *)"\13hmac-sha224", 13, "SHA224", 28},
	[TSIG_HMAC_SHA256] = {"hmac-sha256", (const uint8_t *)"\13hmac-sha256", 13, "SHA256", 32},
	[TSIG_HMAC_SHA384] = {"hmac-sha384", (const uint8_t *)"\13hmac-sha384", 13, "SHA384", 48},
	[TSIG_HMAC_SHA512] = {"hmac-sha512", (const uint8_t *)"\13hmac-sha512", 13, "SHA512", 64},
};

int
tsig_algorithm_from_text(const char *text)
{
	size_t length = strlen(text);
	if (length > 0 && text[length - 1] == '.')
		length--;
	for (int i = 0; i < TSIG_ALGORITHM_COUNT; i++) {
		const char *name = tsig_algorithms[i].text;
		if (strlen(name) == length && strncasecmp(text, name, length) == 0)
			return i;
	}
	if (length == 24 && strncasecmp(text, "hmac-md5.sig-alg.reg.int", length) == 0)
		return TSIG_HMAC_MD5;
	return -1;
}

int
tsig_algorithm_from_wire(const uint8_t *name, size_t length)
{
	for (int i = 0; i < TSIG_ALGORITHM_COUNT; i++) {
		const struct tsig_algorithm_info *info = &tsig_algorithms[i];
		if (info->wire_length != length)
			continue;
		size_t j = 0;
		while (j < length && dname_lower_table[name[j]] == info->wire[j])
			j++;
		if (j == length)
			return i;
	}
	return -1;
}

const uint8_t *
tsig_algorithm_wire(enum tsig_algorithm algorithm, size_t *length)
{
	*length = tsig_algorithms[algorithm].wire_length;
	return tsig_algorithms[algorithm].wire;
}

size_t
tsig_algorithm_mac_length(enum tsig_algorithm algorithm)
{
	return tsig_algorithms[algorithm].mac_length;
}

/* RFC 8945 5.2.2.1: at least the larger of 10 octets and half the hash (as BIND rounds). */
static size_t
tsig_mac_minimum(enum tsig_algorithm algorithm)
{
	size_t half = (tsig_algorithms[algorithm].mac_length + 1u) / 2;
	return half > 10 ? half : 10;
}

/* ---- Keys ---- */

static int
tsig_key_compare(const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length)
{
	int order = memcmp(a, b, a_length < b_length ? a_length : b_length);
	if (order != 0)
		return order;
	return a_length < b_length ? -1 : a_length > b_length;
}

static int
tsig_key_sort_compare(const void *a, const void *b)
{
	const struct tsig_key *x = a, *y = b;
	return tsig_key_compare(x->name, x->name_length, y->name, y->name_length);
}

int
tsig_keyring_init(struct tsig_keyring *ring, const struct config_key *keys, size_t count)
{
	ring->keys = NULL;
	ring->count = 0;
	if (count == 0)
		return 0;
	ring->keys = calloc(count, sizeof *ring->keys);
	if (ring->keys == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < count; i++) {
		int algorithm = keys[i].algorithm != NULL
			? tsig_algorithm_from_text(keys[i].algorithm) : -1;
		if (algorithm < 0) {
			tsig_keyring_free(ring);
			return ZONED_EINVAL;
		}
		struct tsig_key *key = &ring->keys[i];
		key->name = keys[i].name_wire;
		key->name_length = (uint8_t)dname_length(keys[i].name_wire);
		key->algorithm = (enum tsig_algorithm)algorithm;
		key->secret = keys[i].secret;
		key->secret_length = keys[i].secret_length;
	}
	ring->count = count;
	qsort(ring->keys, count, sizeof *ring->keys, tsig_key_sort_compare);
	return 0;
}

void
tsig_keyring_free(struct tsig_keyring *ring)
{
	free(ring->keys);
	ring->keys = NULL;
	ring->count = 0;
}

const struct tsig_key *
tsig_keyring_find(const struct tsig_keyring *ring, const uint8_t *name, size_t length)
{
	if (ring == NULL)
		return NULL;
	size_t low = 0, high = ring->count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		const struct tsig_key *key = &ring->keys[middle];
		int order = tsig_key_compare(name, length, key->name, key->name_length);
		if (order == 0)
			return key;
		if (order < 0)
			high = middle;
		else
			low = middle + 1;
	}
	return NULL;
}

int
tsig_key_copy(struct tsig_key_copy *copy, const struct tsig_key *key)
{
	if (key->secret_length > sizeof copy->secret)
		return ZONED_ELIMIT;
	memcpy(copy->name, key->name, key->name_length);
	memcpy(copy->secret, key->secret, key->secret_length);
	copy->key = *key;
	copy->key.name = copy->name;
	copy->key.secret = copy->secret;
	return 0;
}

/* ---- HMAC ---- */

#define TSIG_SECRET_CACHED_MAX 128   /* longer secrets are re-keyed every time */

struct tsig_context {
	EVP_MAC *mac;
	EVP_MAC_CTX *contexts[TSIG_ALGORITHM_COUNT];
	/* The secret each context was keyed with last: the same key again is a
	 * cheaper reset (EVP_MAC_init without a key). By value, not by pointer:
	 * a reload frees keys and a new one may land at the same address. */
	uint8_t secrets[TSIG_ALGORITHM_COUNT][TSIG_SECRET_CACHED_MAX];
	size_t secret_lengths[TSIG_ALGORITHM_COUNT];   /* 0: none */
};

struct tsig_context *
tsig_context_create(void)
{
	struct tsig_context *context = calloc(1, sizeof *context);
	if (context == NULL)
		return NULL;
	context->mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (context->mac == NULL)
		goto fail;
	for (int i = 0; i < TSIG_ALGORITHM_COUNT; i++) {
		/* The digest is set once here, so that each message only re-keys. */
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
				(char *)tsig_algorithms[i].digest, 0),
			OSSL_PARAM_construct_end(),
		};
		context->contexts[i] = EVP_MAC_CTX_new(context->mac);
		if (context->contexts[i] == NULL)
			goto fail;
		/* A digest this OpenSSL lacks (MD5 under FIPS) leaves that one NULL: BADKEY. */
		if (!EVP_MAC_CTX_set_params(context->contexts[i], params)) {
			EVP_MAC_CTX_free(context->contexts[i]);
			context->contexts[i] = NULL;
		}
	}
	return context;
fail:
	tsig_context_free(context);
	return NULL;
}

void
tsig_context_free(struct tsig_context *context)
{
	if (context == NULL)
		return;
	for (int i = 0; i < TSIG_ALGORITHM_COUNT; i++)
		EVP_MAC_CTX_free(context->contexts[i]);
	EVP_MAC_free(context->mac);
	OPENSSL_cleanse(context->secrets, sizeof context->secrets);
	free(context);
}

/* The context of key's algorithm, keyed for a new MAC; NULL when unavailable. */
static EVP_MAC_CTX *
tsig_mac_begin(struct tsig_context *context, const struct tsig_key *key)
{
	if (context == NULL)
		return NULL;
	EVP_MAC_CTX *mac = context->contexts[key->algorithm];
	if (mac == NULL)
		return NULL;
	size_t *cached_length = &context->secret_lengths[key->algorithm];
	uint8_t *cached = context->secrets[key->algorithm];
	if (*cached_length != 0 && *cached_length == key->secret_length
		&& CRYPTO_memcmp(cached, key->secret, key->secret_length) == 0)
		return EVP_MAC_init(mac, NULL, 0, NULL) ? mac : NULL;
	*cached_length = 0;
	if (!EVP_MAC_init(mac, key->secret, key->secret_length, NULL))
		return NULL;
	if (key->secret_length > 0 && key->secret_length <= TSIG_SECRET_CACHED_MAX) {
		memcpy(cached, key->secret, key->secret_length);
		*cached_length = key->secret_length;
	}
	return mac;
}

static bool
tsig_mac_add(EVP_MAC_CTX *mac, const void *data, size_t length)
{
	return length == 0 || EVP_MAC_update(mac, data, length);
}

/* Adds a MAC as its 2-octet size and octets (RFC 8945 4.3.1 "Request MAC", 4.3.2 "Prior MAC"). */
static bool
tsig_mac_add_mac(EVP_MAC_CTX *mac, const uint8_t *value, size_t length)
{
	uint8_t size[2] = {(uint8_t)(length >> 8), (uint8_t)length};
	return tsig_mac_add(mac, size, 2) && tsig_mac_add(mac, value, length);
}

/*
 * Adds the message without its TSIG (its first body_end octets) as RFC
 * 8945 4.3.1 wants it: the ID replaced by the Original ID, ARCOUNT less
 * the TSIG record when one was there.
 */
static bool
tsig_mac_add_message(EVP_MAC_CTX *mac, const uint8_t *message, size_t body_end,
	uint16_t original_id, bool had_tsig)
{
	uint8_t header[WIRE_HEADER_LENGTH];
	memcpy(header, message, sizeof header);
	header[0] = (uint8_t)(original_id >> 8);
	header[1] = (uint8_t)original_id;
	if (had_tsig) {
		uint16_t arcount = (uint16_t)((header[10] << 8 | header[11]) - 1);
		header[10] = (uint8_t)(arcount >> 8);
		header[11] = (uint8_t)arcount;
	}
	return tsig_mac_add(mac, header, sizeof header)
		&& tsig_mac_add(mac, message + WIRE_HEADER_LENGTH, body_end - WIRE_HEADER_LENGTH);
}

static void
tsig_put_u48(uint8_t *out, uint64_t value)
{
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(value >> (40 - 8 * i));
}

/* The TSIG variables (RFC 8945 4.3.3) that are not the MAC itself. */
struct tsig_variables {
	const uint8_t *key_name;      /* canonical: lowercased, uncompressed */
	size_t key_name_length;
	enum tsig_algorithm algorithm;
	uint64_t time_signed;
	uint16_t fudge;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_length;
};

/* Adds every TSIG variable (full) or only the timers (RFC 8945 4.3.2, later messages). */
static bool
tsig_mac_add_variables(EVP_MAC_CTX *mac, const struct tsig_variables *v, bool full)
{
	uint8_t timers[8];
	tsig_put_u48(timers, v->time_signed);
	timers[6] = (uint8_t)(v->fudge >> 8);
	timers[7] = (uint8_t)v->fudge;
	if (!full)
		return tsig_mac_add(mac, timers, sizeof timers);
	/* Class ANY, TTL 0. */
	static const uint8_t class_ttl[6] = {0, RRCLASS_ANY, 0, 0, 0, 0};
	uint8_t tail[4] = {(uint8_t)(v->error >> 8), (uint8_t)v->error,
		(uint8_t)(v->other_length >> 8), (uint8_t)v->other_length};
	const struct tsig_algorithm_info *info = &tsig_algorithms[v->algorithm];
	return tsig_mac_add(mac, v->key_name, v->key_name_length)
		&& tsig_mac_add(mac, class_ttl, sizeof class_ttl)
		&& tsig_mac_add(mac, info->wire, info->wire_length)
		&& tsig_mac_add(mac, timers, sizeof timers)
		&& tsig_mac_add(mac, tail, sizeof tail)
		&& tsig_mac_add(mac, v->other, v->other_length);
}

static bool
tsig_mac_finish(EVP_MAC_CTX *mac, uint8_t out[TSIG_MAC_MAX], size_t *length)
{
	return EVP_MAC_final(mac, out, length, TSIG_MAC_MAX) == 1;
}

/* ---- The record ---- */

struct tsig_reader {
	const uint8_t *data;
	size_t length;
	size_t offset;
};

static bool
tsig_read_u16(struct tsig_reader *r, uint16_t *value)
{
	if (r->length - r->offset < 2)
		return false;
	*value = (uint16_t)(r->data[r->offset] << 8 | r->data[r->offset + 1]);
	r->offset += 2;
	return true;
}

/* Reads a name (pointers followed, bounded), lowercased into out when not NULL. */
static bool
tsig_read_name(struct tsig_reader *r, uint8_t *out, uint8_t *out_length)
{
	size_t at = r->offset, end = 0, written = 0;
	unsigned pointers = 0;
	for (;;) {
		if (at >= r->length)
			return false;
		uint8_t label = r->data[at];
		if ((label & 0xc0) == 0xc0) {
			if (r->length - at < 2 || ++pointers > TSIG_POINTERS_MAX)
				return false;
			if (end == 0)
				end = at + 2;
			at = (size_t)(label & 0x3f) << 8 | r->data[at + 1];
			continue;
		}
		if (label > DNAME_MAX_LABEL || written + 1 + label > DNAME_MAX_LENGTH
			|| r->length - at < 1 + (size_t)label)
			return false;
		for (size_t i = 0; out != NULL && i <= label; i++)
			out[written + i] = i == 0 ? label : dname_lower_table[r->data[at + i]];
		written += 1 + (size_t)label;
		at += 1 + (size_t)label;
		if (label == 0)
			break;
	}
	r->offset = end != 0 ? end : at;
	if (out_length != NULL)
		*out_length = (uint8_t)written;
	return true;
}

/* Reads an uncompressed name in place (the algorithm name: no compression in TSIG rdata). */
static bool
tsig_read_plain_name(struct tsig_reader *r, const uint8_t **name, uint8_t *length)
{
	size_t start = r->offset;
	for (;;) {
		if (r->offset >= r->length)
			return false;
		uint8_t label = r->data[r->offset];
		if (label > DNAME_MAX_LABEL || r->length - r->offset < 1 + (size_t)label
			|| r->offset + 1 + label - start > DNAME_MAX_LENGTH)
			return false;
		r->offset += 1 + (size_t)label;
		if (label == 0)
			break;
	}
	*name = r->data + start;
	*length = (uint8_t)(r->offset - start);
	return true;
}

/* Skips one RR (type read into *type); false when it runs past the end. */
static bool
tsig_skip_rr(struct tsig_reader *r, uint16_t *type)
{
	uint16_t rr_class, ttl_high, ttl_low, rdata_length;
	if (!tsig_read_name(r, NULL, NULL) || !tsig_read_u16(r, type)
		|| !tsig_read_u16(r, &rr_class) || !tsig_read_u16(r, &ttl_high)
		|| !tsig_read_u16(r, &ttl_low) || !tsig_read_u16(r, &rdata_length))
		return false;
	if (r->length - r->offset < rdata_length)
		return false;
	r->offset += rdata_length;
	return true;
}

int
tsig_record_parse(struct tsig_record *record, const uint8_t *message, size_t length,
	size_t start)
{
	struct tsig_reader r = {message, length, start};
	uint16_t type, rr_class, ttl_high, ttl_low, rdata_length, time_high, time_mid, time_low;
	record->start = start;
	if (start > length || !tsig_read_name(&r, record->key_name, &record->key_name_length)
		|| !tsig_read_u16(&r, &type) || !tsig_read_u16(&r, &rr_class)
		|| !tsig_read_u16(&r, &ttl_high) || !tsig_read_u16(&r, &ttl_low)
		|| !tsig_read_u16(&r, &rdata_length))
		return ZONED_EINVAL;
	/* RFC 8945 4.2: class ANY, TTL 0; the record ends the message. */
	if (type != RRTYPE_TSIG || rr_class != RRCLASS_ANY || ttl_high != 0 || ttl_low != 0
		|| r.length - r.offset != rdata_length)
		return ZONED_EINVAL;
	if (!tsig_read_plain_name(&r, &record->algorithm, &record->algorithm_length)
		|| !tsig_read_u16(&r, &time_high) || !tsig_read_u16(&r, &time_mid)
		|| !tsig_read_u16(&r, &time_low) || !tsig_read_u16(&r, &record->fudge)
		|| !tsig_read_u16(&r, &record->mac_length)
		|| r.length - r.offset < record->mac_length)
		return ZONED_EINVAL;
	record->time_signed = (uint64_t)time_high << 32 | (uint64_t)time_mid << 16 | time_low;
	record->mac = message + r.offset;
	r.offset += record->mac_length;
	if (!tsig_read_u16(&r, &record->original_id) || !tsig_read_u16(&r, &record->error)
		|| !tsig_read_u16(&r, &record->other_length)
		|| r.length - r.offset != record->other_length)
		return ZONED_EINVAL;
	record->other = message + r.offset;
	return 0;
}

int
tsig_find(const uint8_t *message, size_t length, size_t *start)
{
	if (length < WIRE_HEADER_LENGTH)
		return ZONED_EINVAL;
	uint16_t counts[4];
	for (unsigned i = 0; i < 4; i++)
		counts[i] = (uint16_t)(message[4 + 2 * i] << 8 | message[5 + 2 * i]);
	if (counts[3] == 0)
		return ZONED_ENOTFOUND;
	struct tsig_reader r = {message, length, WIRE_HEADER_LENGTH};
	for (uint16_t i = 0; i < counts[0]; i++) {
		if (!tsig_read_name(&r, NULL, NULL) || r.length - r.offset < 4)
			return ZONED_EINVAL;
		r.offset += 4;
	}
	uint32_t records = (uint32_t)counts[1] + counts[2] + counts[3];
	uint16_t type = 0;
	size_t last = 0;
	for (uint32_t i = 0; i < records; i++) {
		last = r.offset;
		if (!tsig_skip_rr(&r, &type))
			return ZONED_EINVAL;
	}
	if (type != RRTYPE_TSIG)
		return ZONED_ENOTFOUND;
	*start = last;
	return 0;
}

/* ---- Server side: verify a request ---- */

/* True when time_signed +- fudge covers now (RFC 8945 5.2.3). */
static bool
tsig_time_ok(uint64_t time_signed, uint16_t fudge, uint64_t now)
{
	return now <= time_signed + fudge && time_signed <= now + fudge;
}

/* The variables of a received record, with key's canonical names. */
static struct tsig_variables
tsig_variables_of(const struct tsig_record *record, const struct tsig_key *key)
{
	struct tsig_variables v = {
		.key_name = key->name, .key_name_length = key->name_length,
		.algorithm = key->algorithm, .time_signed = record->time_signed,
		.fudge = record->fudge, .error = record->error,
		.other = record->other, .other_length = record->other_length,
	};
	return v;
}

/*
 * Checks the MAC size of record against key (RFC 8945 5.2.2.1): longer
 * than the hash or shorter than the minimum is malformed. Returns 0,
 * TSIG_BADSIG (no MAC at all, as BIND) or ZONED_EINVAL.
 */
static int
tsig_check_mac_size(const struct tsig_record *record, const struct tsig_key *key)
{
	if (record->mac_length == 0)
		return TSIG_BADSIG;
	if (record->mac_length > tsig_algorithm_mac_length(key->algorithm)
		|| record->mac_length < tsig_mac_minimum(key->algorithm))
		return ZONED_EINVAL;
	return 0;
}

/* Compares the computed MAC with the received one over the received length. */
static bool
tsig_mac_matches(EVP_MAC_CTX *mac, const struct tsig_record *record)
{
	uint8_t computed[TSIG_MAC_MAX];
	size_t computed_length = 0;
	return tsig_mac_finish(mac, computed, &computed_length)
		&& computed_length >= record->mac_length
		&& CRYPTO_memcmp(computed, record->mac, record->mac_length) == 0;
}

int
tsig_verify_request(const struct tsig_keyring *ring, struct tsig_context *context,
	const uint8_t *message, size_t length, size_t tsig_start, uint64_t now,
	struct tsig_request *out)
{
	out->key = NULL;
	out->error = TSIG_NOERROR;
	if (length < WIRE_HEADER_LENGTH || tsig_start < WIRE_HEADER_LENGTH
		|| tsig_record_parse(&out->record, message, length, tsig_start) != 0)
		return ZONED_EINVAL;
	const struct tsig_record *record = &out->record;
	/* RFC 8945 5.2.1: the key must be known, with this algorithm. */
	const struct tsig_key *key = tsig_keyring_find(ring, record->key_name,
		record->key_name_length);
	int algorithm = tsig_algorithm_from_wire(record->algorithm, record->algorithm_length);
	if (key == NULL || algorithm != (int)key->algorithm || context == NULL
		|| context->contexts[key->algorithm] == NULL) {
		out->error = TSIG_BADKEY;
		return 0;
	}
	out->key = key;
	int size = tsig_check_mac_size(record, key);
	if (size != 0) {
		out->error = size > 0 ? (uint16_t)size : TSIG_NOERROR;
		return size > 0 ? 0 : size;
	}
	/* RFC 8945 5.2.2: the MAC over message, then TSIG variables. */
	struct tsig_variables variables = tsig_variables_of(record, key);
	EVP_MAC_CTX *mac = tsig_mac_begin(context, key);
	if (mac == NULL
		|| !tsig_mac_add_message(mac, message, tsig_start, record->original_id, true)
		|| !tsig_mac_add_variables(mac, &variables, true) || !tsig_mac_matches(mac, record)) {
		out->error = TSIG_BADSIG;
		return 0;
	}
	/* RFC 8945 5.2.3: the time is checked after the MAC. */
	if (!tsig_time_ok(record->time_signed, record->fudge, now))
		out->error = TSIG_BADTIME;
	return 0;
}

/* ---- Signing ---- */

void
tsig_sign_start(struct tsig_state *state, struct tsig_context *context,
	const struct tsig_key *key, const uint8_t *request_mac, size_t request_mac_length)
{
	state->context = context;
	state->key = key;
	state->prior_mac_length = 0;
	if (request_mac != NULL) {
		if (request_mac_length > TSIG_MAC_MAX)
			request_mac_length = TSIG_MAC_MAX;
		memcpy(state->prior_mac, request_mac, request_mac_length);
		state->prior_mac_length = (uint16_t)request_mac_length;
	}
	state->first = true;
	state->fudge = TSIG_FUDGE_DEFAULT;
	state->error = TSIG_NOERROR;
	state->request_time = false;
	state->request_time_signed = 0;
	state->messages = 0;
}

void
tsig_sign_set_badtime(struct tsig_state *state, uint64_t request_time_signed)
{
	state->error = TSIG_BADTIME;
	state->request_time = true;
	state->request_time_signed = request_time_signed;
}

/* Octets of a TSIG record with these names, MAC and other data. */
static size_t
tsig_record_space(size_t key_name_length, size_t algorithm_length, size_t mac_length,
	size_t other_length)
{
	/* owner, type class TTL RDLENGTH, algorithm, time fudge, MAC size MAC, id error other. */
	return key_name_length + 10 + algorithm_length + 8 + 2 + mac_length + 6 + other_length;
}

size_t
tsig_sign_space(const struct tsig_state *state)
{
	const struct tsig_algorithm_info *info = &tsig_algorithms[state->key->algorithm];
	return tsig_record_space(state->key->name_length, info->wire_length, info->mac_length,
		state->error == TSIG_BADTIME ? TSIG_OTHER_MAX : 0);
}

/*
 * Writes a TSIG record at the end of message (room checked by the caller)
 * and counts it in ARCOUNT. Returns the new length.
 */
static size_t
tsig_put_record(uint8_t *message, size_t length, const uint8_t *key_name,
	size_t key_name_length, const uint8_t *algorithm, size_t algorithm_length,
	const struct tsig_variables *v, const uint8_t *mac, size_t mac_length)
{
	uint8_t *at = message + length;
	memcpy(at, key_name, key_name_length);
	at += key_name_length;
	size_t rdata_length = algorithm_length + 8 + 2 + mac_length + 6 + v->other_length;
	const uint8_t fixed[10] = {0, RRTYPE_TSIG, 0, RRCLASS_ANY, 0, 0, 0, 0,
		(uint8_t)(rdata_length >> 8), (uint8_t)rdata_length};
	memcpy(at, fixed, sizeof fixed);
	at += sizeof fixed;
	memcpy(at, algorithm, algorithm_length);
	at += algorithm_length;
	tsig_put_u48(at, v->time_signed);
	at[6] = (uint8_t)(v->fudge >> 8);
	at[7] = (uint8_t)v->fudge;
	at[8] = (uint8_t)(mac_length >> 8);
	at[9] = (uint8_t)mac_length;
	at += 10;
	if (mac_length > 0)
		memcpy(at, mac, mac_length);
	at += mac_length;
	/* Original ID: the message's own (RFC 8945 4.2). */
	const uint8_t tail[6] = {message[0], message[1], (uint8_t)(v->error >> 8), (uint8_t)v->error,
		(uint8_t)(v->other_length >> 8), (uint8_t)v->other_length};
	memcpy(at, tail, sizeof tail);
	at += sizeof tail;
	if (v->other_length > 0)
		memcpy(at, v->other, v->other_length);
	at += v->other_length;
	uint16_t arcount = (uint16_t)((message[10] << 8 | message[11]) + 1);
	message[10] = (uint8_t)(arcount >> 8);
	message[11] = (uint8_t)arcount;
	return (size_t)(at - message);
}

size_t
tsig_sign_next(struct tsig_state *state, uint8_t *message, size_t length, size_t capacity,
	uint64_t now)
{
	if (length < WIRE_HEADER_LENGTH || capacity < length
		|| tsig_sign_space(state) > capacity - length)
		return 0;
	uint8_t other[TSIG_OTHER_MAX];
	struct tsig_variables v = {
		.key_name = state->key->name, .key_name_length = state->key->name_length,
		.algorithm = state->key->algorithm,
		.time_signed = state->request_time ? state->request_time_signed : now,
		.fudge = state->fudge, .error = state->error,
	};
	if (state->error == TSIG_BADTIME) {
		/* RFC 8945 5.2.3: the server's current time in Other Data. */
		tsig_put_u48(other, now);
		v.other = other;
		v.other_length = TSIG_OTHER_MAX;
	}
	uint16_t id = (uint16_t)(message[0] << 8 | message[1]);
	uint8_t mac_value[TSIG_MAC_MAX];
	size_t mac_length = 0;
	EVP_MAC_CTX *mac = tsig_mac_begin(state->context, state->key);
	if (mac == NULL
		|| (state->prior_mac_length > 0
			&& !tsig_mac_add_mac(mac, state->prior_mac, state->prior_mac_length))
		|| !tsig_mac_add_message(mac, message, length, id, false)
		|| !tsig_mac_add_variables(mac, &v, state->first)
		|| !tsig_mac_finish(mac, mac_value, &mac_length))
		return 0;
	const struct tsig_algorithm_info *info = &tsig_algorithms[state->key->algorithm];
	size_t signed_length = tsig_put_record(message, length, state->key->name,
		state->key->name_length, info->wire, info->wire_length, &v, mac_value, mac_length);
	memcpy(state->prior_mac, mac_value, mac_length);
	state->prior_mac_length = (uint16_t)mac_length;
	state->first = false;
	state->messages++;
	return signed_length;
}

size_t
tsig_sign_request(struct tsig_state *state, struct tsig_context *context,
	const struct tsig_key *key, uint8_t *message, size_t length, size_t capacity, uint64_t now)
{
	tsig_sign_start(state, context, key, NULL, 0);
	return tsig_sign_next(state, message, length, capacity, now);
}

size_t
tsig_unsigned_error_space(const struct tsig_record *request)
{
	return tsig_record_space(request->key_name_length, request->algorithm_length, 0, 0);
}

size_t
tsig_append_unsigned_error(const struct tsig_record *request, uint16_t error,
	uint8_t *message, size_t length, size_t capacity)
{
	if (length < WIRE_HEADER_LENGTH || capacity < length
		|| tsig_unsigned_error_space(request) > capacity - length)
		return 0;
	struct tsig_variables v = {
		.time_signed = request->time_signed, .fudge = request->fudge, .error = error,
	};
	return tsig_put_record(message, length, request->key_name, request->key_name_length,
		request->algorithm, request->algorithm_length, &v, NULL, 0);
}

/* ---- Client side: verify responses ---- */

void
tsig_verify_start(struct tsig_verifier *verifier, struct tsig_context *context,
	const struct tsig_state *request_state)
{
	verifier->context = context;
	verifier->key = request_state->key;
	memcpy(verifier->prior_mac, request_state->prior_mac, request_state->prior_mac_length);
	verifier->prior_mac_length = request_state->prior_mac_length;
	verifier->first = true;
	verifier->digesting = false;
	verifier->unsigned_count = 0;
}

/* Starts the digest of the next signed message with the prior MAC, once. */
static EVP_MAC_CTX *
tsig_verifier_digest(struct tsig_verifier *verifier)
{
	if (verifier->digesting)
		return verifier->context->contexts[verifier->key->algorithm];
	EVP_MAC_CTX *mac = tsig_mac_begin(verifier->context, verifier->key);
	if (mac == NULL || !tsig_mac_add_mac(mac, verifier->prior_mac, verifier->prior_mac_length))
		return NULL;
	verifier->digesting = true;
	return mac;
}

/* A message without TSIG in a stream (RFC 8945 5.3.1): into the digest, up to 99 of them. */
static int
tsig_verify_unsigned(struct tsig_verifier *verifier, const uint8_t *message, size_t length)
{
	if (verifier->first || verifier->unsigned_count >= TSIG_UNSIGNED_MAX)
		return TSIG_BADSIG;
	EVP_MAC_CTX *mac = tsig_verifier_digest(verifier);
	if (mac == NULL || !tsig_mac_add(mac, message, length))
		return TSIG_BADSIG;
	verifier->unsigned_count++;
	return TSIG_UNSIGNED;
}

int
tsig_verify_next(struct tsig_verifier *verifier, const uint8_t *message, size_t length,
	uint64_t now)
{
	size_t start = 0;
	int found = tsig_find(message, length, &start);
	if (found == ZONED_ENOTFOUND)
		return tsig_verify_unsigned(verifier, message, length);
	struct tsig_record record;
	if (found != 0 || tsig_record_parse(&record, message, length, start) != 0)
		return ZONED_EINVAL;
	const struct tsig_key *key = verifier->key;
	if (record.key_name_length != key->name_length
		|| memcmp(record.key_name, key->name, key->name_length) != 0
		|| tsig_algorithm_from_wire(record.algorithm, record.algorithm_length)
			!= (int)key->algorithm)
		return TSIG_BADKEY;
	if (record.error != TSIG_NOERROR)
		return record.error;  /* the server's verdict on our request (RFC 8945 5.3.2) */
	int size = tsig_check_mac_size(&record, key);
	if (size != 0)
		return size;
	struct tsig_variables variables = tsig_variables_of(&record, key);
	EVP_MAC_CTX *mac = tsig_verifier_digest(verifier);
	verifier->digesting = false;
	if (mac == NULL || !tsig_mac_add_message(mac, message, start, record.original_id, true)
		|| !tsig_mac_add_variables(mac, &variables, verifier->first)
		|| !tsig_mac_matches(mac, &record))
		return TSIG_BADSIG;
	if (!tsig_time_ok(record.time_signed, record.fudge, now))
		return TSIG_BADTIME;
	memcpy(verifier->prior_mac, record.mac, record.mac_length);
	verifier->prior_mac_length = record.mac_length;
	verifier->first = false;
	verifier->unsigned_count = 0;
	return TSIG_NOERROR;
}
