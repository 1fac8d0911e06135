/*
 * fuzz_notify.c: NOTIFY out (RFC 1996). notify_message_build() writes one
 * real NOTIFY for the fixture zone example.; the input is a response from
 * the network, judged by notify_response_matches(). It must match exactly
 * when an independent reading says its id, QR, opcode and question
 * (name in any case, type, class) are the message's; the message itself
 * with QR set must match.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/notify.h"
#include "zoned/zonedb.h"

#define NOTIFY_FUZZ_ID 0x4e4f    /* make_seeds.py's seeds use this id */

static const uint8_t notify_fuzz_origin[] = "\7example";

static uint8_t notify_fuzz_message[NOTIFY_MESSAGE_MAX];
static size_t notify_fuzz_length;

/*
 * Builds the message once, after building it into every smaller exactly
 * sized heap buffer: each must fail with no write outside it.
 */
static void
notify_fuzz_setup(void)
{
	if (notify_fuzz_length != 0)
		return;
	const struct zone *zone = zonedb_find(fuzz_fixture_zonedb(), notify_fuzz_origin,
		sizeof notify_fuzz_origin);
	if (zone == NULL)
		fuzz_fail("notify", "the fixture has no zone example.");
	int n = notify_message_build(zone, NOTIFY_FUZZ_ID, notify_fuzz_message,
		sizeof notify_fuzz_message);
	if (n < 12 + (int)sizeof notify_fuzz_origin + 4)
		fuzz_fail("notify", "notify_message_build failed for example.");
	for (int size = 0; size < n; size++) {
		uint8_t *small = malloc(size > 0 ? (size_t)size : 1);
		if (small == NULL)
			fuzz_fail("notify", "out of memory");
		if (notify_message_build(zone, NOTIFY_FUZZ_ID, small, (size_t)size) >= 0)
			fuzz_fail("notify", "notify_message_build wrote into a buffer too small");
		free(small);
	}
	notify_fuzz_length = (size_t)n;
	const uint8_t *m = notify_fuzz_message;
	if ((m[0] << 8 | m[1]) != NOTIFY_FUZZ_ID || (m[2] & 0x80) != 0 || ((m[2] >> 3) & 0xf) != 4
	    || (m[4] << 8 | m[5]) != 1
	    || memcmp(m + 12, notify_fuzz_origin, sizeof notify_fuzz_origin) != 0
	    || (m[12 + sizeof notify_fuzz_origin] << 8 | m[13 + sizeof notify_fuzz_origin]) != 6)
		fuzz_fail("notify", "the NOTIFY is not id, opcode 4, question example. SOA");
}

static uint8_t
notify_fuzz_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/*
 * The reference reading: id equal, QR set, opcode NOTIFY, QDCOUNT 1, then
 * an uncompressed question name equal to the message's but for ASCII
 * case, and the same type and class, all inside the response. The rest
 * (rcode, other flags, other sections, trailing octets) does not matter.
 */
static bool
notify_fuzz_expected(const uint8_t *response, size_t length)
{
	const uint8_t *m = notify_fuzz_message;
	if (length < 12 || response[0] != m[0] || response[1] != m[1]
	    || (response[2] & 0x80) == 0 || ((response[2] >> 3) & 0xf) != 4
	    || response[4] != 0 || response[5] != 1)
		return false;
	size_t question = sizeof notify_fuzz_origin + 4;   /* name, type, class */
	if (length < 12 + question)
		return false;
	for (size_t i = 0; i < question; i++) {
		uint8_t a = m[12 + i], b = response[12 + i];
		if (i < sizeof notify_fuzz_origin ? notify_fuzz_lower(a) != notify_fuzz_lower(b)
						  : a != b)
			return false;
	}
	return true;
}

int
fuzz_notify_one(const uint8_t *data, size_t size)
{
	notify_fuzz_setup();
	uint8_t *response = fuzz_copy_input("notify", data, size);
	uint8_t *request = fuzz_copy_input("notify", notify_fuzz_message, notify_fuzz_length);

	bool matches = notify_response_matches(request, notify_fuzz_length, response, size);
	bool expected = notify_fuzz_expected(response, size);
	if (matches && !expected)
		fuzz_fail("notify", "accepted a response whose id, QR, opcode or question differ");
	if (!matches && expected)
		fuzz_fail("notify", "rejected a response with the NOTIFY's id, QR, opcode and question");
	/* The same call again gives the same answer (nothing kept between calls). */
	if (notify_response_matches(request, notify_fuzz_length, response, size) != matches)
		fuzz_fail("notify", "the same response matched once and not twice");

	/* The NOTIFY echoed with QR set, and the input's rcode and RA, matches. */
	uint8_t *echo = fuzz_copy_input("notify", notify_fuzz_message, notify_fuzz_length);
	echo[2] |= 0x80;
	if (size >= 4)
		echo[3] = (uint8_t)((echo[3] & 0x70) | (response[3] & 0x8f));
	if (!notify_response_matches(request, notify_fuzz_length, echo, notify_fuzz_length))
		fuzz_fail("notify", "the NOTIFY echoed with QR set does not match");
	/* Just the header and question of it too (a secondary may drop the SOA). */
	size_t question_end = 12 + sizeof notify_fuzz_origin + 4;
	if (!notify_response_matches(request, notify_fuzz_length, echo, question_end))
		fuzz_fail("notify", "the NOTIFY's echoed question alone does not match");
	/* But not the NOTIFY itself (QR clear), nor a response cut inside the question. */
	if (notify_response_matches(request, notify_fuzz_length, request, notify_fuzz_length))
		fuzz_fail("notify", "the NOTIFY matched itself without QR");
	if (size > 0 && notify_response_matches(request, notify_fuzz_length, echo,
				data[0] % question_end))
		fuzz_fail("notify", "a response cut inside the question matched");

	free(echo);
	free(request);
	free(response);
	return 0;
}

FUZZ_ENTRY(fuzz_notify_one)
