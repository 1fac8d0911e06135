/* check_cookie.c: SipHash-2-4 reference vectors, RFC 9018 server cookies (Appendix A), the time window, secrets, addresses, lengths. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "zoned/cookie.h"
#include "zoned/error.h"
#include "zoned/siphash.h"

/* ---- helpers ---- */

/* Decodes hex into out; returns the octets written. */
static size_t
unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned value;
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &value), 1);
		out[i] = (uint8_t)value;
	}
	return n;
}

static struct sockaddr_storage
address(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(53000);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(53001);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static struct cookie_config
config_with(const char *first, const char *second)
{
	struct cookie_config config;
	memset(&config, 0, sizeof config);
	const char *problem = NULL;
	ck_assert_int_eq(cookie_secret_from_hex(first, config.secrets[0], &problem), 0);
	config.secret_count = 1;
	if (second != NULL) {
		ck_assert_int_eq(cookie_secret_from_hex(second, config.secrets[1], &problem), 0);
		config.secret_count = 2;
	}
	return config;
}

/* ---- SipHash-2-4 ---- */

/*
 * The 64-bit vectors of the SipHash reference implementation (vectors.h,
 * vectors_sip64): key 00 01 .. 0f, message i = the octets 00 01 .. i-1.
 */
static const char *const siphash_vectors[64] = {
	"310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
	"b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
	"6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
	"fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
	"db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
	"98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
	"94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
	"a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
	"ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
	"b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
	"d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
	"f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
	"51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
	"b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
	"bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
	"e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

START_TEST(test_siphash_vectors)
{
	uint8_t key[SIPHASH_KEY_LENGTH], message[64], expected[8], out[8];
	for (unsigned i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)i;
	for (unsigned i = 0; i < sizeof message; i++)
		message[i] = (uint8_t)i;
	unhex(siphash_vectors[_i], expected);
	siphash24(key, message, (size_t)_i, out);
	ck_assert_mem_eq(out, expected, 8);
}
END_TEST

/* ---- RFC 9018 Appendix A ---- */

static const struct rfc9018_case {
	const char *name;
	const char *secret;
	const char *client_cookie;
	const char *client;
	uint32_t now;
	const char *server_cookie;     /* what we make at now */
} rfc9018_cases[] = {
	{ "A.1 learning a new server cookie", "e5e973e5a6b2a43f48e7dc849e37bfcf",
		"2464c4abcf10c957", "198.51.100.100", 1559731985,
		"010000005cf79f111f8130c3eee29480" },
	{ "A.2 the same client, a renewed cookie", "e5e973e5a6b2a43f48e7dc849e37bfcf",
		"2464c4abcf10c957", "198.51.100.100", 1559734385,
		"010000005cf7a871d4a564a1442aca77" },
	{ "A.3 another client, a renewed cookie", "e5e973e5a6b2a43f48e7dc849e37bfcf",
		"fc93fc62807ddb86", "203.0.113.203", 1559734700,
		"010000005cf7a9acf73a7810aca2381e" },
	{ "A.4 an IPv6 client after a secret change", "445536bcd2513298075a5d379663c962",
		"22681ab97d52c298", "2001:db8:220:1:59de:d0f4:8769:82b8", 1559741961,
		"010000005cf7c609a6bb79d16625507a" },
	/* What BIND 9.18.49 answered to dig from 127.0.0.1 with this secret. */
	{ "BIND 9.18 cookie-secret 00..0f", "000102030405060708090a0b0c0d0e0f",
		"0102030405060708", "127.0.0.1", 0x6b119144,
		"010000006b11914472fed5667ad692db" },
};

START_TEST(test_rfc9018_make)
{
	const struct rfc9018_case *c = &rfc9018_cases[_i];
	struct cookie_config config = config_with(c->secret, NULL);
	uint8_t option[COOKIE_LENGTH], expected[COOKIE_SERVER_LENGTH];
	unhex(c->client_cookie, option);
	unhex(c->server_cookie, expected);
	struct sockaddr_storage client = address(c->client);
	cookie_make(config.secrets[0], option, SA(client), c->now, option + COOKIE_CLIENT_LENGTH);
	ck_assert_msg(memcmp(option + COOKIE_CLIENT_LENGTH, expected, sizeof expected) == 0,
		"%s", c->name);
	/* What we make, we accept, from that client, with that secret. */
	ck_assert(cookie_valid(&config, option, sizeof option, SA(client), c->now));
}
END_TEST

/* The cookies the appendix has clients send back, judged as it says. */
START_TEST(test_rfc9018_verify)
{
	uint8_t option[COOKIE_LENGTH];
	/* A.2: the cookie of A.1, forty minutes later: valid. */
	struct cookie_config config = config_with("e5e973e5a6b2a43f48e7dc849e37bfcf", NULL);
	struct sockaddr_storage a = address("198.51.100.100");
	unhex("2464c4abcf10c957010000005cf79f111f8130c3eee29480", option);
	ck_assert(cookie_valid(&config, option, sizeof option, SA(a), 1559734385));
	/* A.3: another server's cookie with reserved octets set: they are
	 * hashed as received, so it is valid when fresh, and the example's
	 * 1h52m old one is not. */
	struct sockaddr_storage b = address("203.0.113.203");
	unhex("fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5", option);
	ck_assert(cookie_valid(&config, option, sizeof option, SA(b), 1559727985));
	ck_assert(!cookie_valid(&config, option, sizeof option, SA(b), 1559734700));
	/* A.4: made with the old secret: valid while it is still listed. */
	struct sockaddr_storage c = address("2001:db8:220:1:59de:d0f4:8769:82b8");
	unhex("22681ab97d52c298010000005cf7c57926556bd0934c72f8", option);
	struct cookie_config new_only = config_with("445536bcd2513298075a5d379663c962", NULL);
	struct cookie_config both = config_with("445536bcd2513298075a5d379663c962",
		"dd3bdf9344b678b185a6f5cb60fca715");
	ck_assert(!cookie_valid(&new_only, option, sizeof option, SA(c), 1559741961));
	ck_assert(cookie_valid(&both, option, sizeof option, SA(c), 1559741961));
}
END_TEST

/* ---- the window, addresses, secrets ---- */

static const struct window_case {
	int64_t offset;      /* now minus the timestamp */
	bool valid;
} window_cases[] = {
	{ 0, true }, { 1800, true }, { 3600, true }, { 3601, false }, { 86400, false },
	{ -300, true }, { -301, false }, { -3600, false },
};

START_TEST(test_window_edges)
{
	struct cookie_config config = config_with("000102030405060708090a0b0c0d0e0f", NULL);
	struct sockaddr_storage client = address("192.0.2.1");
	/* Around 2^32 as well: the timestamp is serial number arithmetic. */
	static const uint32_t stamps[] = { 1764720000u, 4294967000u, 100u };
	for (unsigned i = 0; i < sizeof stamps / sizeof stamps[0]; i++) {
		uint8_t option[COOKIE_LENGTH] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		cookie_make(config.secrets[0], option, SA(client), stamps[i],
			option + COOKIE_CLIENT_LENGTH);
		uint32_t now = (uint32_t)((int64_t)stamps[i] + window_cases[_i].offset);
		ck_assert_msg(cookie_valid(&config, option, sizeof option, SA(client), now)
			== window_cases[_i].valid, "stamp %u offset %lld", stamps[i],
			(long long)window_cases[_i].offset);
	}
}
END_TEST

START_TEST(test_wrong_address_secret_version)
{
	struct cookie_config config = config_with("000102030405060708090a0b0c0d0e0f", NULL);
	struct sockaddr_storage client = address("192.0.2.1");
	uint8_t option[COOKIE_LENGTH] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	cookie_make(config.secrets[0], option, SA(client), 1000000, option + COOKIE_CLIENT_LENGTH);
	ck_assert(cookie_valid(&config, option, sizeof option, SA(client), 1000000));
	/* Another address, the same address in IPv6 form, the port ignored. */
	struct sockaddr_storage other = address("192.0.2.2");
	struct sockaddr_storage mapped = address("::ffff:192.0.2.1");
	struct sockaddr_storage same = client;
	((struct sockaddr_in *)&same)->sin_port = htons(1);
	ck_assert(!cookie_valid(&config, option, sizeof option, SA(other), 1000000));
	ck_assert(!cookie_valid(&config, option, sizeof option, SA(mapped), 1000000));
	ck_assert(cookie_valid(&config, option, sizeof option, SA(same), 1000000));
	/* Another secret; then the old one listed second (the previous secret). */
	struct cookie_config rotated = config_with("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", NULL);
	ck_assert(!cookie_valid(&rotated, option, sizeof option, SA(client), 1000000));
	rotated = config_with("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "000102030405060708090a0b0c0d0e0f");
	ck_assert(cookie_valid(&rotated, option, sizeof option, SA(client), 1000000));
	/* Another client cookie; a flipped bit in the hash; version 2. */
	uint8_t changed[COOKIE_LENGTH];
	memcpy(changed, option, sizeof changed);
	changed[0] ^= 1;
	ck_assert(!cookie_valid(&config, changed, sizeof changed, SA(client), 1000000));
	memcpy(changed, option, sizeof changed);
	changed[COOKIE_LENGTH - 1] ^= 0x80;
	ck_assert(!cookie_valid(&config, changed, sizeof changed, SA(client), 1000000));
	memcpy(changed, option, sizeof changed);
	changed[COOKIE_CLIENT_LENGTH] = 2;
	ck_assert(!cookie_valid(&config, changed, sizeof changed, SA(client), 1000000));
	/* Not 16 octets of server cookie: never ours. No config: nothing valid. */
	ck_assert(!cookie_valid(&config, option, 16, SA(client), 1000000));
	ck_assert(!cookie_valid(NULL, option, sizeof option, SA(client), 1000000));
	/* No address (offline tools): made and checked the same way. */
	cookie_make(config.secrets[0], option, NULL, 5, option + COOKIE_CLIENT_LENGTH);
	ck_assert(cookie_valid(&config, option, sizeof option, NULL, 5));
	ck_assert(!cookie_valid(&config, option, sizeof option, SA(client), 5));
}
END_TEST

START_TEST(test_ipv6_cookie)
{
	struct cookie_config config = config_with("000102030405060708090a0b0c0d0e0f", NULL);
	struct sockaddr_storage client = address("2001:db8::1");
	struct sockaddr_storage other = address("2001:db8::2");
	uint8_t option[COOKIE_LENGTH] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	cookie_make(config.secrets[0], option, SA(client), 77, option + COOKIE_CLIENT_LENGTH);
	ck_assert(cookie_valid(&config, option, sizeof option, SA(client), 77));
	ck_assert(!cookie_valid(&config, option, sizeof option, SA(other), 77));
}
END_TEST

/* ---- lengths and secrets ---- */

START_TEST(test_lengths)
{
	/* RFC 7873 5.2.2: 8, or 16 to 40; anything else is FORMERR. */
	for (size_t length = 0; length <= 64; length++) {
		bool expected = length == 8 || (length >= 16 && length <= 40);
		ck_assert_msg(cookie_length_valid(length) == expected, "length %zu", length);
	}
}
END_TEST

static const struct secret_case {
	const char *text;
	int rc;
	const char *problem;
} secret_cases[] = {
	{ "000102030405060708090a0b0c0d0e0f", 0, NULL },
	{ "000102030405060708090A0B0C0D0E0F", 0, NULL },
	{ "0001", ZONED_EINVAL, "SipHash-2-4 cookie-secret must be 128 bits" },
	{ "000102030405060708090a0b0c0d0e0f00", ZONED_EINVAL,
		"SipHash-2-4 cookie-secret must be 128 bits" },
	{ "zz0102030405060708090a0b0c0d0e0f", ZONED_EINVAL, "cookie-secret: invalid hex string" },
	{ "", ZONED_EINVAL, "SipHash-2-4 cookie-secret must be 128 bits" },
};

START_TEST(test_secret_from_hex)
{
	const struct secret_case *c = &secret_cases[_i];
	uint8_t secret[COOKIE_SECRET_LENGTH];
	const char *problem = NULL;
	ck_assert_int_eq(cookie_secret_from_hex(c->text, secret, &problem), c->rc);
	if (c->rc == 0) {
		for (unsigned i = 0; i < sizeof secret; i++)
			ck_assert_uint_eq(secret[i], i);
	} else {
		ck_assert_str_eq(problem, c->problem);
	}
}
END_TEST

START_TEST(test_secret_random)
{
	uint8_t a[COOKIE_SECRET_LENGTH], b[COOKIE_SECRET_LENGTH];
	ck_assert_int_eq(cookie_secret_random(a), 0);
	ck_assert_int_eq(cookie_secret_random(b), 0);
	ck_assert(memcmp(a, b, sizeof a) != 0);
	/* And the clock is the wall clock (RFC 9018 timestamps are Unix time). */
	ck_assert_uint_gt(cookie_now(), 1700000000u);
}
END_TEST

static Suite *
cookie_suite(void)
{
	Suite *s = suite_create("cookie");
	TCase *siphash = tcase_create("siphash");
	tcase_add_loop_test(siphash, test_siphash_vectors, 0, 64);
	suite_add_tcase(s, siphash);
	TCase *rfc = tcase_create("rfc9018");
	tcase_add_loop_test(rfc, test_rfc9018_make, 0,
		(int)(sizeof rfc9018_cases / sizeof rfc9018_cases[0]));
	tcase_add_test(rfc, test_rfc9018_verify);
	suite_add_tcase(s, rfc);
	TCase *verify = tcase_create("verify");
	tcase_add_loop_test(verify, test_window_edges, 0,
		(int)(sizeof window_cases / sizeof window_cases[0]));
	tcase_add_test(verify, test_wrong_address_secret_version);
	tcase_add_test(verify, test_ipv6_cookie);
	suite_add_tcase(s, verify);
	TCase *input = tcase_create("input");
	tcase_add_test(input, test_lengths);
	tcase_add_loop_test(input, test_secret_from_hex, 0,
		(int)(sizeof secret_cases / sizeof secret_cases[0]));
	tcase_add_test(input, test_secret_random);
	suite_add_tcase(s, input);
	return s;
}

int
main(void)
{
	return testlib_run(cookie_suite());
}
