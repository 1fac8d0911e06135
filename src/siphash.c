/* siphash.c: SipHash-2-4, 64-bit output, as specified in the SipHash paper (2012). */
#include "zoned/siphash.h"

static inline uint64_t
siphash_rotate(uint64_t x, unsigned bits)
{
	return x << bits | x >> (64 - bits);
}

static inline uint64_t
siphash_load(const uint8_t *p)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < 8; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

/* One SipRound on the state v[0..3]. */
static inline void
siphash_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = siphash_rotate(v[1], 13);
	v[1] ^= v[0];
	v[0] = siphash_rotate(v[0], 32);
	v[2] += v[3];
	v[3] = siphash_rotate(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = siphash_rotate(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = siphash_rotate(v[1], 17);
	v[1] ^= v[2];
	v[2] = siphash_rotate(v[2], 32);
}

/* Compression: the word m through c = 2 SipRounds. */
static inline void
siphash_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	siphash_round(v);
	siphash_round(v);
	v[0] ^= m;
}

void
siphash24(const uint8_t key[SIPHASH_KEY_LENGTH], const uint8_t *data, size_t length,
	uint8_t out[SIPHASH_OUTPUT_LENGTH])
{
	uint64_t k0 = siphash_load(key), k1 = siphash_load(key + 8);
	/* "somepseudorandomlygeneratedbytes" */
	uint64_t v[4] = {
		k0 ^ UINT64_C(0x736f6d6570736575), k1 ^ UINT64_C(0x646f72616e646f6d),
		k0 ^ UINT64_C(0x6c7967656e657261), k1 ^ UINT64_C(0x7465646279746573),
	};
	size_t whole = length & ~(size_t)7;
	for (size_t i = 0; i < whole; i += 8)
		siphash_compress(v, siphash_load(data + i));
	/* The last word: the remaining octets, the length modulo 256 on top. */
	uint64_t last = (uint64_t)(length & 0xff) << 56;
	for (size_t i = whole; i < length; i++)
		last |= (uint64_t)data[i] << (8 * (i - whole));
	siphash_compress(v, last);
	/* Finalization: d = 4 SipRounds. */
	v[2] ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		siphash_round(v);
	uint64_t result = v[0] ^ v[1] ^ v[2] ^ v[3];
	for (unsigned i = 0; i < 8; i++)
		out[i] = (uint8_t)(result >> (8 * i));
}
