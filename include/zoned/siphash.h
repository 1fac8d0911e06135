/*
 * siphash.h: SipHash-2-4 with a 64-bit output (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012), the MAC of DNS server cookies
 * (RFC 9018 4.4). No allocation, no state: a few dozen nanoseconds for a
 * cookie's 20 or 32 octets.
 */
#ifndef ZONED_SIPHASH_H
#define ZONED_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LENGTH 16
#define SIPHASH_OUTPUT_LENGTH 8

/*
 * Writes SipHash-2-4 of the length octets at data under key into out, the
 * 64-bit result in little-endian order as the reference implementation
 * (and BIND, and RFC 9018's examples) write it.
 */
void siphash24(const uint8_t key[SIPHASH_KEY_LENGTH], const uint8_t *data, size_t length,
	uint8_t out[SIPHASH_OUTPUT_LENGTH]);

#endif
