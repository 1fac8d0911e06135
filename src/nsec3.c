/* nsec3.c: NSEC3 owner hashes (RFC 5155 5) and their base32hex text. */
/*
 * OpenSSL 3 deprecates the low-level SHA-1 calls, but its EVP interface
 * allocates a context per digest, and hashing here is on the query path.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <string.h>

#include "zoned/dname.h"
#include "zoned/nsec3.h"

size_t
nsec3_hash_name(const uint8_t *name, const uint8_t *salt, size_t salt_length,
	unsigned iterations, uint8_t out[NSEC3_SHA1_LENGTH])
{
	uint8_t lower[DNAME_MAX_LENGTH];
	size_t length = dname_length(name);
	for (size_t i = 0; i < length; i++)
		lower[i] = dname_lower_table[name[i]];
	SHA_CTX context;
	SHA1_Init(&context);
	SHA1_Update(&context, lower, length);
	SHA1_Update(&context, salt, salt_length);
	SHA1_Final(out, &context);
	for (unsigned k = 0; k < iterations; k++) {
		SHA1_Init(&context);
		SHA1_Update(&context, out, NSEC3_SHA1_LENGTH);
		SHA1_Update(&context, salt, salt_length);
		SHA1_Final(out, &context);
	}
	return NSEC3_SHA1_LENGTH;
}

size_t
nsec3_hash_to_text(const uint8_t *hash, size_t length, uint8_t out[63])
{
	/* RFC 4648 7: the alphabet keeps the octets' order, so owner names sort as hashes. */
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuv";
	if (length > NSEC3_HASH_MAX_LENGTH)
		return 0;
	size_t written = 0;
	unsigned bits = 0, buffer = 0;
	for (size_t i = 0; i < length; i++) {
		buffer = (buffer << 8 | hash[i]) & 0xFFF;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[written++] = (uint8_t)alphabet[(buffer >> bits) & 31];
		}
	}
	if (bits > 0)
		out[written++] = (uint8_t)alphabet[(buffer << (5 - bits)) & 31];
	return written;
}
