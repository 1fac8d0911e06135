/*
 * tsig.h: transaction signatures (RFC 8945): the key table built from the
 * config's key statements, the TSIG record of a message, verifying a signed
 * request, signing responses (one message or a multi-message transfer,
 * RFC 8945 5.3.1) and the client side (signing a request, verifying a
 * possibly multi-message response). HMAC comes from OpenSSL's libcrypto.
 * Nothing here allocates per message but what OpenSSL does inside (see
 * struct tsig_context).
 */
#ifndef ZONED_TSIG_H
#define ZONED_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/dname.h"

struct config_key;

#define TSIG_MAC_MAX 64              /* hmac-sha512 */
#define TSIG_FUDGE_DEFAULT 300       /* RFC 8945 10: 300 seconds */
#define TSIG_OTHER_MAX 6             /* BADTIME: the server's time, 48 bits */

/* RFC 8945 3, the TSIG Error field (and the extended RCODE space). */
#define TSIG_NOERROR 0
#define TSIG_BADSIG 16
#define TSIG_BADKEY 17
#define TSIG_BADTIME 18
#define TSIG_BADTRUNC 22
/* tsig_verify_next(): an unsigned message a later TSIG will cover (above any TSIG error). */
#define TSIG_UNSIGNED 0x10000

enum tsig_algorithm {
	TSIG_HMAC_MD5,
	TSIG_HMAC_SHA1,
	TSIG_HMAC_SHA224,
	TSIG_HMAC_SHA256,
	TSIG_HMAC_SHA384,
	TSIG_HMAC_SHA512,
	TSIG_ALGORITHM_COUNT,
};

/* One key. The name and secret are borrowed from the config it was made from. */
struct tsig_key {
	const uint8_t *name;         /* lowercased wire form */
	uint8_t name_length;
	enum tsig_algorithm algorithm;
	const uint8_t *secret;
	size_t secret_length;
};

/* The keys of one view, sorted by wire name for tsig_keyring_find(). */
struct tsig_keyring {
	struct tsig_key *keys;
	size_t count;
};

/*
 * Fills ring from the config's key statements (whose names and secrets it
 * borrows: the config must outlive the ring). A key with an algorithm not
 * listed in enum tsig_algorithm is an error. Returns 0, ZONED_EINVAL or
 * ZONED_ENOMEM.
 */
int tsig_keyring_init(struct tsig_keyring *ring, const struct config_key *keys, size_t count);

/* Frees what tsig_keyring_init allocated. */
void tsig_keyring_free(struct tsig_keyring *ring);

/* The key named name (lowercased wire form, length octets), or NULL. ring NULL: NULL. */
const struct tsig_key *tsig_keyring_find(const struct tsig_keyring *ring, const uint8_t *name,
	size_t length);

#define TSIG_SECRET_MAX 256          /* octets a struct tsig_key_copy holds */

/*
 * A key copied out of a view's ring for a stream that may outlive the
 * view (a transfer running across a reload). Its key points into the
 * copy itself: fill it in place, do not move it.
 */
struct tsig_key_copy {
	struct tsig_key key;
	uint8_t name[DNAME_MAX_LENGTH];
	uint8_t secret[TSIG_SECRET_MAX];
};

/* Copies key into *copy. Returns 0, or ZONED_ELIMIT for a secret over TSIG_SECRET_MAX. */
int tsig_key_copy(struct tsig_key_copy *copy, const struct tsig_key *key);

/* "hmac-sha256" (any case, with or without a trailing dot) to its enum, or -1. */
int tsig_algorithm_from_text(const char *text);

/* The algorithm named by a wire name (any case; hmac-md5.sig-alg.reg.int for MD5), or -1. */
int tsig_algorithm_from_wire(const uint8_t *name, size_t length);

/* The algorithm's wire name (lowercase) and its length in *length. */
const uint8_t *tsig_algorithm_wire(enum tsig_algorithm algorithm, size_t *length);

/* Octets of the full MAC: the hash output. */
size_t tsig_algorithm_mac_length(enum tsig_algorithm algorithm);

/*
 * HMAC state for one thread: one EVP_MAC_CTX per algorithm, made once and
 * re-keyed per message with EVP_MAC_init(), or only reset when the key is
 * the one that context used last. OpenSSL 3 still allocates inside
 * EVP_MAC_init, which we cannot avoid through its API: it rebuilds the
 * HMAC's digest contexts (measured with valgrind on 3.0: 5 small
 * allocations per message when re-keying, 2 when resetting). These
 * contexts keep everything else (fetching the algorithm, the MAC contexts
 * themselves) out of the per-message path. Never shared between threads.
 */
struct tsig_context;

/* Returns a new context, or NULL when out of memory or OpenSSL lacks HMAC. */
struct tsig_context *tsig_context_create(void);

/* Frees context. NULL is fine. */
void tsig_context_free(struct tsig_context *context);

/* A TSIG record as found in a message (RFC 8945 4.2). Pointers point into the message. */
struct tsig_record {
	size_t start;                        /* the record's first octet (its owner name) */
	uint8_t key_name[DNAME_MAX_LENGTH];  /* lowercased, decompressed */
	uint8_t key_name_length;
	const uint8_t *algorithm;            /* uncompressed, as received */
	uint8_t algorithm_length;
	uint64_t time_signed;                /* 48 bits */
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t mac_length;
	uint16_t original_id;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_length;
};

/*
 * Parses the TSIG record that starts at offset start of message and must
 * end exactly at its end (RFC 8945 5.1: the last record). The owner name
 * may be compressed; the algorithm name may not (as BIND). Returns 0 or
 * ZONED_EINVAL (malformed: FORMERR).
 */
int tsig_record_parse(struct tsig_record *record, const uint8_t *message, size_t length,
	size_t start);

/*
 * Finds the TSIG record of a message: walks the sections by the header's
 * counts to the last additional record. Returns 0 with *start set, or
 * ZONED_ENOTFOUND (no TSIG last) or ZONED_EINVAL (the sections do not parse).
 */
int tsig_find(const uint8_t *message, size_t length, size_t *start);

/* What verifying a request found, for the response. */
struct tsig_request {
	const struct tsig_key *key;   /* the key it names; NULL: unknown (BADKEY) */
	struct tsig_record record;
	uint16_t error;               /* TSIG_NOERROR, TSIG_BADKEY, TSIG_BADSIG, TSIG_BADTIME */
};

/*
 * Verifies the signed request message whose TSIG record starts at
 * tsig_start, at time now (seconds since the epoch), in RFC 8945 5.2's
 * order: key (BADKEY when ring has no key of that name and algorithm), MAC
 * (5.2.2; a truncated MAC is compared over its length), time (5.2.3:
 * BADTIME outside Time Signed +- Fudge). Returns 0 with out->error set
 * (TSIG_NOERROR: verified with out->key) or ZONED_EINVAL when the record or
 * its MAC size is malformed (RFC 8945 5.2.2.1: answered FORMERR, unsigned).
 */
int tsig_verify_request(const struct tsig_keyring *ring, struct tsig_context *context,
	const uint8_t *message, size_t length, size_t tsig_start, uint64_t now,
	struct tsig_request *out);

/*
 * Signing state of one response stream, or of one request. Carried by the
 * stream from message to message; holds no resources. Per message: write
 * it into size - tsig_sign_space() octets, then tsig_sign_next() with the
 * full size (an answer stream does so itself: answer_stream_sign()).
 * Every message of the stream must pass through tsig_sign_next().
 */
struct tsig_state {
	struct tsig_context *context;
	const struct tsig_key *key;
	uint8_t prior_mac[TSIG_MAC_MAX];   /* the request MAC, then each message's own */
	uint16_t prior_mac_length;         /* 0 with first: signing a request */
	bool first;                        /* the next message is the first */
	uint16_t fudge;
	uint16_t error;                    /* TSIG Error of the responses (BADTIME) */
	bool request_time;                 /* BADTIME: Time Signed is the request's */
	uint64_t request_time_signed;
	uint32_t messages;                 /* signed so far */
};

/*
 * Starts signing with key through context (which must stay valid while
 * state is used). request_mac (request_mac_length octets, as received, so
 * a truncated one stays truncated) is the verified request's MAC: the
 * first message's digest begins with it (RFC 8945 4.3.1). NULL: the state
 * signs a request instead (the client side).
 */
void tsig_sign_start(struct tsig_state *state, struct tsig_context *context,
	const struct tsig_key *key, const uint8_t *request_mac, size_t request_mac_length);

/*
 * Makes the responses of state BADTIME errors (RFC 8945 5.2.3): signed,
 * with the request's Time Signed and the server's time in Other Data.
 */
void tsig_sign_set_badtime(struct tsig_state *state, uint64_t request_time_signed);

/* Octets the TSIG record of state's next message takes (for reserving room). */
size_t tsig_sign_space(const struct tsig_state *state);

/*
 * Signs the complete message (length octets, in a buffer of capacity
 * octets) of state's stream at time now: appends a TSIG record and
 * increments ARCOUNT. The first message's MAC covers the request MAC, the
 * message and every TSIG variable; each following one the prior MAC, the
 * message and the timers only (RFC 8945 5.3.1; we sign every message).
 * Returns the new length, or 0 when the record does not fit or HMAC failed
 * (the message is then unchanged).
 */
size_t tsig_sign_next(struct tsig_state *state, uint8_t *message, size_t length, size_t capacity,
	uint64_t now);

/*
 * Client side: signs the request message with key at now (a shorthand for
 * tsig_sign_start without a request MAC and tsig_sign_next). *state keeps
 * the request MAC for tsig_verify_start. Returns the new length or 0.
 */
size_t tsig_sign_request(struct tsig_state *state, struct tsig_context *context,
	const struct tsig_key *key, uint8_t *message, size_t length, size_t capacity, uint64_t now);

/*
 * Appends an unsigned TSIG record (MAC size 0) carrying error, for BADKEY
 * and BADSIG (RFC 8945 5.3.2: such errors must not be signed), echoing the
 * request's key and algorithm names and Time Signed. Increments ARCOUNT.
 * Returns the new length, or 0 when it does not fit.
 */
size_t tsig_append_unsigned_error(const struct tsig_record *request, uint16_t error,
	uint8_t *message, size_t length, size_t capacity);

/* Octets tsig_append_unsigned_error() adds for request. */
size_t tsig_unsigned_error_space(const struct tsig_record *request);

/* Client side: verifying the response (or the messages of a transfer) to a signed request. */
struct tsig_verifier {
	struct tsig_context *context;
	const struct tsig_key *key;
	uint8_t prior_mac[TSIG_MAC_MAX];
	uint16_t prior_mac_length;
	bool first;
	bool digesting;          /* unsigned messages since the last TSIG are in the digest */
	unsigned unsigned_count;
};

/*
 * Starts verifying the responses to the request signed by request_state
 * (its MAC is the first prior MAC). context is held by the verifier until
 * the last message: RFC 8945 5.3.1 lets up to 99 unsigned messages run
 * into one digest, kept open in context between calls, so no other user
 * may share it meanwhile.
 */
void tsig_verify_start(struct tsig_verifier *verifier, struct tsig_context *context,
	const struct tsig_state *request_state);

/*
 * Verifies the next response message at time now. A message without TSIG
 * is accepted after the first (its octets join the digest) unless 99 in a
 * row were unsigned. Returns TSIG_NOERROR when this message is verified,
 * TSIG_UNSIGNED when it is unsigned and still acceptable (not yet
 * verified: the next signed message covers it), the TSIG error the server
 * reported in its record, or the one found here (TSIG_BADKEY: another key;
 * TSIG_BADSIG: a wrong MAC, or unsigned where a TSIG is due; TSIG_BADTIME),
 * or ZONED_EINVAL when the message or its TSIG is malformed.
 */
int tsig_verify_next(struct tsig_verifier *verifier, const uint8_t *message, size_t length,
	uint64_t now);

#endif
