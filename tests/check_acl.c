/* check_acl.c: address match lists: elements, first match, negation, nesting, names, keys, local addresses, errors. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/error.h"

/* ---- helpers ---- */

static char findings[4096];

static void
on_finding(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	size_t used = strlen(findings);
	snprintf(findings + used, sizeof findings - used, "%s:%lu: %s: %s\n", file, line,
		level == DIAG_ERROR ? "error" : "warning", message);
}

/* The definitions every table row may use. */
static const char prelude[] =
	"key \"k1\" { algorithm hmac-sha256; secret \"c2VjcmV0MQ==\"; };\n"
	"key \"K2.example\" { algorithm HMAC-SHA512; secret \"c2VjcmV0Mg==\"; };\n"
	"acl \"inner\" { 10.1.0.0/16; };\n"
	"acl internal { !10.1.2.3; inner; 192.0.2.0/24; };\n"
	"acl \"uses-later\" { later; };\n"
	"acl later { 2001:db8:1::/48; };\n";

/* Loads prelude plus options { allow-query { list }; }; the compiled list. */
static struct config *
load_list(const char *list, int expect)
{
	char text[4096];
	snprintf(text, sizeof text, "%soptions {\n allow-query { %s };\n};\n", prelude, list);
	struct diag d = { .emit = on_finding };
	findings[0] = '\0';
	struct config *config = NULL;
	int rc = config_load_text(text, strlen(text), "t.conf", &d, &config);
	ck_assert_msg(rc == expect, "%s: %d (%s)", list, rc, findings);
	return config;
}

/* ---- elements ---- */

static const struct {
	const char *text;
	int rc;
	enum acl_element_kind kind;
	uint8_t family;
	unsigned prefix_length;
	const char *address;       /* as inet_ntop shows the stored address */
} elements[] = {
	{ "any", 0, ACL_ELEMENT_ANY, 0, 0, NULL },
	{ "NONE", 0, ACL_ELEMENT_NONE, 0, 0, NULL },
	{ "localhost", 0, ACL_ELEMENT_LOCALHOST, 0, 0, NULL },
	{ "localnets", 0, ACL_ELEMENT_LOCALNETS, 0, 0, NULL },
	{ "192.0.2.1", 0, ACL_ELEMENT_PREFIX, AF_INET, 32, "192.0.2.1" },
	{ "192.0.2.0/24", 0, ACL_ELEMENT_PREFIX, AF_INET, 24, "192.0.2.0" },
	{ "10/8", 0, ACL_ELEMENT_PREFIX, AF_INET, 8, "10.0.0.0" },
	{ "192.168/16", 0, ACL_ELEMENT_PREFIX, AF_INET, 16, "192.168.0.0" },
	{ "0.0.0.0/0", 0, ACL_ELEMENT_PREFIX, AF_INET, 0, "0.0.0.0" },
	{ "::1", 0, ACL_ELEMENT_PREFIX, AF_INET6, 128, "::1" },
	{ "2001:db8::/32", 0, ACL_ELEMENT_PREFIX, AF_INET6, 32, "2001:db8::" },
	{ "::/0", 0, ACL_ELEMENT_PREFIX, AF_INET6, 0, "::" },
	{ "internal", ZONED_EINVAL, 0, 0, 0, NULL },       /* maybe an acl name */
	{ "10", ZONED_EINVAL, 0, 0, 0, NULL },
	{ "192.0.2.1/24", ZONED_ESYNTAX, 0, 0, 0, NULL },  /* host bits set */
	{ "2001:db8::1/32", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "10.0.0.0/33", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "::1/129", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "1.2.3.4/", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "1.2.3.4/x", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "1.2.3.4/-1", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "/8", ZONED_ESYNTAX, 0, 0, 0, NULL },
	{ "300.1/8", ZONED_ESYNTAX, 0, 0, 0, NULL },
};

START_TEST(test_element_parse)
{
	struct acl_element e;
	const char *problem = NULL;
	int rc = acl_element_parse(elements[_i].text, &e, &problem);
	ck_assert_msg(rc == elements[_i].rc, "%s: %d", elements[_i].text, rc);
	if (rc != 0) {
		ck_assert_ptr_nonnull(problem);
		return;
	}
	ck_assert_int_eq(e.kind, elements[_i].kind);
	ck_assert(!e.negated);
	if (e.kind != ACL_ELEMENT_PREFIX)
		return;
	ck_assert_uint_eq(e.family, elements[_i].family);
	ck_assert_uint_eq(e.prefix_length, elements[_i].prefix_length);
	char shown[INET6_ADDRSTRLEN];
	ck_assert_ptr_nonnull(inet_ntop(e.family, e.address, shown, sizeof shown));
	ck_assert_str_eq(shown, elements[_i].address);
}
END_TEST

/* ---- matching ---- */

#define M ACL_MATCH
#define N ACL_MATCH_NEGATED
#define X ACL_NO_MATCH

static const struct {
	const char *list;
	const char *client;
	const char *key;          /* the request's TSIG key name, NULL: unsigned */
	enum acl_result result;
} matches[] = {
	/* prefixes, v4 and v6, at their boundaries */
	{ "192.0.2.0/24;", "192.0.2.255", NULL, M },
	{ "192.0.2.0/24;", "192.0.3.0", NULL, X },
	{ "192.0.2.128/25;", "192.0.2.127", NULL, X },
	{ "192.0.2.128/25;", "192.0.2.128", NULL, M },
	{ "10/8;", "10.255.255.255", NULL, M },
	{ "127.0.0.2;", "127.0.0.2", NULL, M },
	{ "127.0.0.2;", "127.0.0.3", NULL, X },
	{ "2001:db8::/32;", "2001:db8:ffff::1", NULL, M },
	{ "2001:db8::/32;", "2001:db9::", NULL, X },
	{ "2001:db8::/31;", "2001:db9::1", NULL, M },
	{ "::1;", "::1", NULL, M },
	{ "::1;", "127.0.0.1", NULL, X },
	{ "0.0.0.0/0;", "2001:db8::1", NULL, X },     /* a v4 prefix never matches v6 */
	{ "::/0;", "192.0.2.1", NULL, X },
	/* a v4-mapped client is its IPv4 address (dual-stack sockets) */
	{ "192.0.2.0/24;", "::ffff:192.0.2.7", NULL, M },
	{ "!192.0.2.7; any;", "::ffff:192.0.2.7", NULL, N },
	/* first match wins; negation says "no" and stops */
	{ "!192.0.2.1; 192.0.2.0/24;", "192.0.2.1", NULL, N },
	{ "!192.0.2.1; 192.0.2.0/24;", "192.0.2.2", NULL, M },
	{ "192.0.2.0/24; !192.0.2.1;", "192.0.2.1", NULL, M },
	{ "! 192.0.2.1; any;", "192.0.2.1", NULL, N },
	{ "!192.0.2.1;", "192.0.2.2", NULL, X },
	/* any and none */
	{ "any;", "2001:db8::1", NULL, M },
	{ "!any;", "192.0.2.1", NULL, N },
	{ "none;", "192.0.2.1", NULL, N },
	{ "none; any;", "192.0.2.1", NULL, N },
	{ "!none;", "192.0.2.1", NULL, M },
	{ "", "192.0.2.1", NULL, X },
	/* nested lists: a negative inside counts as no match (BIND) */
	{ "{ 192.0.2.0/24; };", "192.0.2.1", NULL, M },
	{ "{ !192.0.2.1; 192.0.2.0/24; }; any;", "192.0.2.1", NULL, M },
	{ "{ !192.0.2.1; 192.0.2.0/24; }; !any;", "192.0.2.1", NULL, N },
	{ "!{ 192.0.2.0/24; }; any;", "192.0.2.1", NULL, N },
	{ "!{ 192.0.2.0/24; }; any;", "198.51.100.1", NULL, M },
	{ "!{ !192.0.2.1; any; }; any;", "192.0.2.1", NULL, M },  /* no double negation */
	{ "!{ !192.0.2.1; any; }; any;", "192.0.2.2", NULL, N },
	{ "{ { { 192.0.2.1; }; }; }; !any;", "192.0.2.1", NULL, M },
	{ "{ { !192.0.2.1; }; 192.0.2.1; }; !any;", "192.0.2.1", NULL, M },
	{ "{ none; }; any;", "192.0.2.1", NULL, M },
	/* named acls, defined before and after use, nested in each other */
	{ "internal;", "192.0.2.9", NULL, M },
	{ "internal;", "10.1.2.3", NULL, X },       /* negative inside the name */
	{ "internal; any;", "10.1.2.3", NULL, M },
	{ "!internal; any;", "10.1.2.4", NULL, N }, /* through "inner" */
	{ "!internal; any;", "10.1.2.3", NULL, M },
	{ "\"uses-later\";", "2001:db8:1:2::1", NULL, M },
	{ "uses-later;", "2001:db8:2::1", NULL, X },
	/* key elements: the request's verified TSIG key, compared as names */
	{ "key k1;", "192.0.2.1", NULL, X },
	{ "key k1;", "192.0.2.1", "k1", M },
	{ "key \"k1\";", "192.0.2.1", "K1.", M },
	{ "key k1;", "192.0.2.1", "k2.example", X },
	{ "!key k1; any;", "192.0.2.1", "k1", N },
	{ "!key k1; any;", "192.0.2.1", NULL, M },
	{ "key k2.example; 192.0.2.0/24;", "192.0.2.1", NULL, M },
};

#undef M
#undef N
#undef X

START_TEST(test_match)
{
	struct config *config = load_list(matches[_i].list, 0);
	struct sockaddr_storage ss = testlib_address(matches[_i].client);
	uint8_t key[DNAME_MAX_LENGTH];
	if (matches[_i].key != NULL) {
		ck_assert_int_gt(dname_from_text(matches[_i].key, key), 0);
		dname_lower(key);
	}
	enum acl_result result = acl_match(config->allow_query, (struct sockaddr *)&ss,
		matches[_i].key ? key : NULL);
	ck_assert_msg(result == matches[_i].result, "{ %s } for %s: %d, expected %d",
		matches[_i].list, matches[_i].client, result, matches[_i].result);
	ck_assert(acl_allows(config->allow_query, (struct sockaddr *)&ss,
		matches[_i].key ? key : NULL) == (result == ACL_MATCH));
	config_free(config);
}
END_TEST

START_TEST(test_null_acl)
{
	struct sockaddr_storage ss = testlib_address("192.0.2.1");
	ck_assert_int_eq(acl_match(NULL, (struct sockaddr *)&ss, NULL), ACL_NO_MATCH);
	ck_assert(!acl_allows(NULL, (struct sockaddr *)&ss, NULL));
	ck_assert_uint_eq(acl_entry_count(NULL), 0);
}
END_TEST

/* ---- localhost and localnets, from given interfaces ---- */

static const struct acl_interface fake_interfaces[] = {
	{ AF_INET, 8, { 127, 0, 0, 1 } },
	{ AF_INET, 24, { 198, 51, 100, 7 } },
	{ AF_INET6, 64, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 } },
};

static const struct {
	enum acl_element_kind kind;
	bool negated;
	const char *client;
	enum acl_result result;
} locals[] = {
	{ ACL_ELEMENT_LOCALHOST, false, "127.0.0.1", ACL_MATCH },
	{ ACL_ELEMENT_LOCALHOST, false, "127.0.0.2", ACL_NO_MATCH },
	{ ACL_ELEMENT_LOCALHOST, false, "198.51.100.7", ACL_MATCH },
	{ ACL_ELEMENT_LOCALHOST, false, "2001:db8::9", ACL_MATCH },
	{ ACL_ELEMENT_LOCALHOST, false, "2001:db8::8", ACL_NO_MATCH },
	{ ACL_ELEMENT_LOCALHOST, true, "198.51.100.7", ACL_MATCH_NEGATED },
	{ ACL_ELEMENT_LOCALNETS, false, "127.9.9.9", ACL_MATCH },
	{ ACL_ELEMENT_LOCALNETS, false, "198.51.100.200", ACL_MATCH },
	{ ACL_ELEMENT_LOCALNETS, false, "198.51.101.1", ACL_NO_MATCH },
	{ ACL_ELEMENT_LOCALNETS, false, "2001:db8::ffff", ACL_MATCH },
	{ ACL_ELEMENT_LOCALNETS, false, "2001:db8:0:1::1", ACL_NO_MATCH },
	{ ACL_ELEMENT_LOCALNETS, true, "127.0.0.5", ACL_MATCH_NEGATED },
};

START_TEST(test_local_addresses)
{
	struct acl_list *list = acl_list_create();
	ck_assert_ptr_nonnull(list);
	struct acl_element e = { .kind = locals[_i].kind, .negated = locals[_i].negated,
		.file = "t", .line = 1 };
	ck_assert_int_eq(acl_list_append(list, &e), 0);
	struct acl_context context = { .interfaces = fake_interfaces,
		.interface_count = sizeof fake_interfaces / sizeof fake_interfaces[0] };
	struct acl *acl = NULL;
	ck_assert_int_eq(acl_compile(list, &context, &acl), 0);
	ck_assert_uint_eq(acl_entry_count(acl), 3);
	struct sockaddr_storage ss = testlib_address(locals[_i].client);
	ck_assert_int_eq(acl_match(acl, (struct sockaddr *)&ss, NULL), locals[_i].result);
	acl_free(acl);
	acl_list_free(list);
}
END_TEST

/* The real interfaces: loopback is always there. */
START_TEST(test_real_interfaces)
{
	struct acl_interface *interfaces = NULL;
	size_t count = 0;
	ck_assert_int_eq(acl_interfaces_read(&interfaces, &count), 0);
	ck_assert_uint_gt(count, 0);
	free(interfaces);
	struct config *config = load_list("localhost; !localnets; any;", 0);
	struct sockaddr_storage one = testlib_address("127.0.0.1"), two = testlib_address("127.0.0.2");
	ck_assert_int_eq(acl_match(config->allow_query, (struct sockaddr *)&one, NULL), ACL_MATCH);
	ck_assert_int_eq(acl_match(config->allow_query, (struct sockaddr *)&two, NULL),
		ACL_MATCH_NEGATED);
	config_free(config);
}
END_TEST

/* ---- errors, at the file:line of what is wrong ---- */

static const struct {
	const char *text;           /* appended to prelude (6 lines) */
	int rc;
	const char *finding;
} errors[] = {
	{ "options { allow-query { nowhere; }; };", ZONED_EINVAL,
		"t.conf:7: error: acl 'nowhere' is not defined\n" },
	{ "acl a { b; };\nacl b {\n 10/8;\n a;\n};", ZONED_EINVAL,
		"t.conf:10: error: acl 'a' includes itself (a loop)\n" },
	{ "acl self { 10/8; self; };", ZONED_EINVAL,
		"t.conf:7: error: acl 'self' includes itself (a loop)\n" },
	{ "options {\n blackhole { key missing; };\n};", ZONED_EINVAL,
		"t.conf:8: error: key 'missing' is not defined by a key statement\n" },
	{ "options { allow-query { 192.0.2.1/24; }; };", ZONED_EINVAL,
		"t.conf:7: error: '192.0.2.1/24': address/prefix length mismatch\n" },
	{ "options { allow-query { 10.0.0.0/33; }; };", ZONED_EINVAL,
		"t.conf:7: error: '10.0.0.0/33': bad prefix length\n" },
	{ "options { allow-query { any }; };", ZONED_ESYNTAX,
		"t.conf:7: error: expected ';', found '}'\n" },
	{ "options { allow-query any; };", ZONED_ESYNTAX,
		"t.conf:7: error: expected '{', found 'any'\n" },
	{ "options { allow-query { any; }; allow-query { none; }; };", ZONED_ESYNTAX,
		"t.conf:7: error: allow-query given twice\n" },
	{ "acl internal { any; };", ZONED_EINVAL,
		"t.conf:7: error: acl 'internal' defined twice (first at t.conf:4)\n" },
	{ "acl localhost { any; };", ZONED_EINVAL,
		"t.conf:7: error: acl 'localhost': a built-in acl cannot be redefined\n" },
	{ "key k1 { algorithm hmac-sha256; secret \"AAAA\"; };", ZONED_EINVAL,
		"t.conf:7: error: key 'k1' defined twice\n" },
	{ "key k3 { algorithm hmac-sha3; secret \"AAAA\"; };", ZONED_EINVAL,
		"t.conf:7: error: key k3: algorithm 'hmac-sha3' is not one of hmac-md5, "
		"hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512\n" },
	{ "key k3 {\n algorithm hmac-sha1;\n secret \"not base64!\";\n};", ZONED_EINVAL,
		"t.conf:9: error: key k3: the secret is not valid base64\n" },
	{ "key k3 { algorithm hmac-sha1; secret \"AAA\"; };", ZONED_EINVAL,
		"t.conf:7: error: key k3: the secret is not valid base64\n" },
	{ "\nkey k3 { algorithm hmac-sha1; };", ZONED_EINVAL,
		"t.conf:8: error: key k3: missing 'secret'\n" },
	{ "key k3 { secret \"AAAA\"; };", ZONED_EINVAL,
		"t.conf:7: error: key k3: missing 'algorithm'\n" },
	{ "key k3 { algorithm hmac-md5; secret \"AAAA\"; owner x; };", ZONED_ESYNTAX,
		"t.conf:7: error: unknown key option 'owner'\n" },
	{ "zone \"a.test\" {\n type primary;\n file \"a\";\n allow-query { undefined-acl; };\n};",
		ZONED_EINVAL, "t.conf:10: error: acl 'undefined-acl' is not defined\n" },
};

START_TEST(test_errors)
{
	char text[4096];
	snprintf(text, sizeof text, "%s%s\n", prelude, errors[_i].text);
	struct diag d = { .emit = on_finding };
	findings[0] = '\0';
	struct config *config = NULL;
	ck_assert_int_eq(config_load_text(text, strlen(text), "t.conf", &d, &config),
		errors[_i].rc);
	ck_assert_ptr_null(config);
	ck_assert_str_eq(findings, errors[_i].finding);
}
END_TEST

/* A name used many times is expanded each time: bounded, not exponential. */
START_TEST(test_expansion_limit)
{
	char text[8192] = "acl l0 { 10/8; 11/8; };\n";
	for (int i = 1; i <= 20; i++) {
		size_t used = strlen(text);
		snprintf(text + used, sizeof text - used, "acl l%d { l%d; l%d; };\n", i, i - 1,
			i - 1);
	}
	strcat(text, "options { allow-query { l20; }; };\n");
	struct diag d = { .emit = on_finding };
	findings[0] = '\0';
	struct config *config = NULL;
	ck_assert_int_eq(config_load_text(text, strlen(text), "t.conf", &d, &config),
		ZONED_ELIMIT);
	ck_assert_ptr_nonnull(strstr(findings, "expands to more than 65536 elements"));
}
END_TEST

/* The config keeps the key statements for TSIG (issue 12). */
START_TEST(test_keys_kept)
{
	struct config *config = load_list("any;", 0);
	ck_assert_uint_eq(config->key_count, 2);
	ck_assert_str_eq(config->keys[0].name, "k1");
	ck_assert_str_eq(config->keys[0].algorithm, "hmac-sha256");
	ck_assert_uint_eq(config->keys[0].secret_length, 7);
	ck_assert_mem_eq(config->keys[0].secret, "secret1", 7);
	ck_assert_str_eq(config->keys[1].algorithm, "hmac-sha512");
	ck_assert_mem_eq(config->keys[1].name_wire, "\2k2\7example", 12);
	config_free(config);
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");
	tcase_add_loop_test(tc, test_element_parse, 0, sizeof elements / sizeof elements[0]);
	tcase_add_loop_test(tc, test_match, 0, sizeof matches / sizeof matches[0]);
	tcase_add_test(tc, test_null_acl);
	tcase_add_loop_test(tc, test_local_addresses, 0, sizeof locals / sizeof locals[0]);
	tcase_add_test(tc, test_real_interfaces);
	tcase_add_loop_test(tc, test_errors, 0, sizeof errors / sizeof errors[0]);
	tcase_add_test(tc, test_expansion_limit);
	tcase_add_test(tc, test_keys_kept);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testlib_run(acl_suite());
}
