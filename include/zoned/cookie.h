/*
 * cookie.h: DNS Cookies (RFC 7873) with the interoperable server cookies
 * of RFC 9018: version 1, three reserved octets, a timestamp and an 8-octet
 * SipHash-2-4 over client cookie | version | reserved | timestamp | client
 * address. What BIND 9.18 makes with "cookie-algorithm siphash24", so
 * servers sharing a cookie-secret (anycast) accept each other's cookies.
 * Nothing here allocates; the secrets are the caller's.
 */
#ifndef ZONED_COOKIE_H
#define ZONED_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/siphash.h"

struct sockaddr;

#define COOKIE_OPTION_CODE 10           /* EDNS option COOKIE (RFC 7873 4) */
#define COOKIE_CLIENT_LENGTH 8
#define COOKIE_SERVER_MIN_LENGTH 8      /* RFC 7873 4: a server cookie is 8 to 32 octets */
#define COOKIE_SERVER_MAX_LENGTH 32
#define COOKIE_SERVER_LENGTH 16         /* ours (RFC 9018 4) */
#define COOKIE_LENGTH (COOKIE_CLIENT_LENGTH + COOKIE_SERVER_LENGTH)
#define COOKIE_SECRET_LENGTH SIPHASH_KEY_LENGTH
#define COOKIE_SECRETS_MAX 8            /* cookie-secret statements at most */
#define COOKIE_MAX_AGE 3600             /* RFC 9018 4.3: issued within the last hour */
#define COOKIE_MAX_AHEAD 300            /* or up to 5 minutes ahead (skew between peers) */

/* What answer-cookie, cookie-secret and require-server-cookie say. */
struct cookie_config {
	/* secrets[0] makes our cookies; every one is accepted (BIND's
	 * cookie-secret list: the previous secret keeps working after a
	 * change). */
	uint8_t secrets[COOKIE_SECRETS_MAX][COOKIE_SECRET_LENGTH];
	unsigned secret_count;
	bool require_server_cookie;     /* over UDP, BADCOOKIE unless it is valid */
};

/*
 * True when length is a well-formed COOKIE option length (RFC 7873 5.2.2):
 * a client cookie alone (8), or with a server cookie of 8 to 32 octets.
 */
bool cookie_length_valid(size_t length);

/*
 * Writes our server cookie (COOKIE_SERVER_LENGTH octets) for client_cookie
 * (8 octets) from the address of client at time now (seconds since the
 * epoch, modulo 2^32) under secret. client NULL (offline tools) or of
 * another family than IPv4/IPv6 hashes no address.
 */
void cookie_make(const uint8_t secret[COOKIE_SECRET_LENGTH], const uint8_t *client_cookie,
	const struct sockaddr *client, uint32_t now, uint8_t *server_cookie);

/*
 * True when option (the COOKIE option's data, length octets: client cookie
 * then server cookie) carries a server cookie one of config's secrets made
 * for this client cookie and address, stamped within the window of RFC 9018
 * 4.3 around now. The version must be 1; the reserved octets are hashed as
 * received (RFC 9018 Appendix A.3). Compares in constant time.
 */
bool cookie_valid(const struct cookie_config *config, const uint8_t *option, size_t length,
	const struct sockaddr *client, uint32_t now);

/* The wall clock in seconds (coarse), for cookie timestamps: once per batch. */
uint32_t cookie_now(void);

/*
 * Fills secret with random octets (getrandom): the secret of a server
 * without cookie-secret, made once per start. Returns 0 or ZONED_EIO.
 */
int cookie_secret_random(uint8_t secret[COOKIE_SECRET_LENGTH]);

/*
 * Decodes text (32 hex digits, either case) into secret. Returns 0, or
 * ZONED_EINVAL with *problem saying why, in named-checkconf's words.
 */
int cookie_secret_from_hex(const char *text, uint8_t secret[COOKIE_SECRET_LENGTH],
	const char **problem);

#endif
