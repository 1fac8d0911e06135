/* cookie.c: DNS Cookies: RFC 9018 server cookies made and checked, the secrets they use. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "zoned/cookie.h"
#include "zoned/error.h"

#define COOKIE_VERSION 1
#define COOKIE_HEADER 8          /* version, reserved, timestamp: the hashed part of ours */

bool
cookie_length_valid(size_t length)
{
	return length == COOKIE_CLIENT_LENGTH
		|| (length >= COOKIE_CLIENT_LENGTH + COOKIE_SERVER_MIN_LENGTH
			&& length <= COOKIE_CLIENT_LENGTH + COOKIE_SERVER_MAX_LENGTH);
}

/*
 * The hash (RFC 9018 4.4): SipHash-2-4 of client cookie | version |
 * reserved | timestamp | client address (4 or 16 octets).
 */
static void
cookie_hash(const uint8_t secret[COOKIE_SECRET_LENGTH], const uint8_t *client_cookie,
	const uint8_t *header, const struct sockaddr *client, uint8_t hash[SIPHASH_OUTPUT_LENGTH])
{
	uint8_t input[COOKIE_CLIENT_LENGTH + COOKIE_HEADER + 16];
	size_t length = COOKIE_CLIENT_LENGTH + COOKIE_HEADER;
	memcpy(input, client_cookie, COOKIE_CLIENT_LENGTH);
	memcpy(input + COOKIE_CLIENT_LENGTH, header, COOKIE_HEADER);
	if (client != NULL && client->sa_family == AF_INET) {
		memcpy(input + length, &((const struct sockaddr_in *)client)->sin_addr, 4);
		length += 4;
	} else if (client != NULL && client->sa_family == AF_INET6) {
		memcpy(input + length, &((const struct sockaddr_in6 *)client)->sin6_addr, 16);
		length += 16;
	}
	siphash24(secret, input, length, hash);
}

void
cookie_make(const uint8_t secret[COOKIE_SECRET_LENGTH], const uint8_t *client_cookie,
	const struct sockaddr *client, uint32_t now, uint8_t *server_cookie)
{
	server_cookie[0] = COOKIE_VERSION;
	server_cookie[1] = server_cookie[2] = server_cookie[3] = 0;   /* reserved */
	server_cookie[4] = (uint8_t)(now >> 24);
	server_cookie[5] = (uint8_t)(now >> 16);
	server_cookie[6] = (uint8_t)(now >> 8);
	server_cookie[7] = (uint8_t)now;
	cookie_hash(secret, client_cookie, server_cookie, client, server_cookie + COOKIE_HEADER);
}

/*
 * RFC 9018 4.3 with serial number arithmetic (RFC 1982), as BIND: at most
 * an hour old, at most five minutes ahead.
 */
static bool
cookie_time_valid(uint32_t timestamp, uint32_t now)
{
	uint32_t ahead = timestamp - now;
	uint32_t age = now - timestamp;
	return ahead <= COOKIE_MAX_AHEAD || age <= COOKIE_MAX_AGE;
}

/* Compares without an early exit, so that timing says nothing of the hash. */
static bool
cookie_equal(const uint8_t *a, const uint8_t *b, size_t length)
{
	uint8_t difference = 0;
	for (size_t i = 0; i < length; i++)
		difference |= (uint8_t)(a[i] ^ b[i]);
	return difference == 0;
}

bool
cookie_valid(const struct cookie_config *config, const uint8_t *option, size_t length,
	const struct sockaddr *client, uint32_t now)
{
	if (config == NULL || length != COOKIE_LENGTH)
		return false;   /* not one of ours: another server's, or a client cookie alone */
	const uint8_t *server = option + COOKIE_CLIENT_LENGTH;
	if (server[0] != COOKIE_VERSION)
		return false;
	uint32_t timestamp = (uint32_t)server[4] << 24 | (uint32_t)server[5] << 16
		| (uint32_t)server[6] << 8 | server[7];
	if (!cookie_time_valid(timestamp, now))
		return false;
	for (unsigned i = 0; i < config->secret_count && i < COOKIE_SECRETS_MAX; i++) {
		uint8_t hash[SIPHASH_OUTPUT_LENGTH];
		cookie_hash(config->secrets[i], option, server, client, hash);
		if (cookie_equal(hash, server + COOKIE_HEADER, sizeof hash))
			return true;
	}
	return false;
}

uint32_t
cookie_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

int
cookie_secret_random(uint8_t secret[COOKIE_SECRET_LENGTH])
{
	size_t done = 0;
	while (done < COOKIE_SECRET_LENGTH) {
		ssize_t n = getrandom(secret + done, COOKIE_SECRET_LENGTH - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ZONED_EIO;
		done += (size_t)n;
	}
	return 0;
}

/* The value of a hex digit (isxdigit checked first). */
static uint8_t
cookie_hex_value(char c)
{
	return (uint8_t)(isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10);
}

int
cookie_secret_from_hex(const char *text, uint8_t secret[COOKIE_SECRET_LENGTH],
	const char **problem)
{
	size_t length = strlen(text);
	for (size_t i = 0; i < length; i++) {
		if (!isxdigit((unsigned char)text[i])) {
			*problem = "cookie-secret: invalid hex string";
			return ZONED_EINVAL;
		}
	}
	if (length != 2 * COOKIE_SECRET_LENGTH) {
		*problem = "SipHash-2-4 cookie-secret must be 128 bits";
		return ZONED_EINVAL;
	}
	for (size_t i = 0; i < COOKIE_SECRET_LENGTH; i++)
		secret[i] = (uint8_t)(cookie_hex_value(text[2 * i]) << 4
			| cookie_hex_value(text[2 * i + 1]));
	return 0;
}
