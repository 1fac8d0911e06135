/*
 * nsec3.h: NSEC3 hashing (RFC 5155 5) and the base32hex form of a hash that
 * NSEC3 owner names carry (RFC 4648 7, lowercase, no padding).
 */
#ifndef ZONED_NSEC3_H
#define ZONED_NSEC3_H

#include <stddef.h>
#include <stdint.h>

#define NSEC3_ALGORITHM_SHA1 1      /* RFC 5155 11: the only hash algorithm */
#define NSEC3_SHA1_LENGTH 20        /* octets of a SHA-1 hash */
#define NSEC3_HASH_MAX_LENGTH 39    /* the longest hash whose base32hex fits a label */

/* The parameters a zone's NSEC3PARAM gives (RFC 5155 4.2). */
struct nsec3_params {
	uint8_t algorithm;
	uint8_t flags;
	uint16_t iterations;
	uint8_t salt_length;
	uint8_t salt[255];
};

/*
 * RFC 5155 5: IH(salt, x, 0) = H(x || salt), IH(salt, x, k) =
 * H(IH(salt, x, k-1) || salt), with H SHA-1 and x the owner name in
 * canonical (lowercased) wire form. name may be in any case. Writes
 * NSEC3_SHA1_LENGTH octets to out and returns that length. Allocates nothing.
 */
size_t nsec3_hash_name(const uint8_t *name, const uint8_t *salt, size_t salt_length,
	unsigned iterations, uint8_t out[NSEC3_SHA1_LENGTH]);

/*
 * Writes hash (length octets, at most NSEC3_HASH_MAX_LENGTH) as lowercase
 * base32hex without padding, the first label of its NSEC3 owner name.
 * Returns the characters written (at most 63), or 0 when length is too long.
 */
size_t nsec3_hash_to_text(const uint8_t *hash, size_t length, uint8_t out[63]);

#endif
