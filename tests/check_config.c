/* check_config.c: the named.conf subset parser: statements, comments, include, errors. */
#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/rrl.h"

/* Every finding as "file:line: error|warning: message\n". */
static struct testlib_capture capture;
static char *const findings = capture.text;
static struct diag sink;
static char tmpdir[256];

static void
setup(void)
{
	sink = testlib_capture_start(&capture, "%b:%l: %L: %m\n", "-");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char command[512];
	snprintf(command, sizeof command, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(command), 0);
}

/* Writes text to tmpdir/name and returns its path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Parses text as tmpdir/named.conf; returns the code, config in *out. */
static int
load(const char *text, struct config **out)
{
	return config_load_file(write_file("named.conf", text), &sink, out);
}


START_TEST(test_zone_and_directory)
{
	ck_assert_int_eq(mkdir(strcat(strcpy((char[512]){0}, tmpdir), "/zones"), 0755), 0);
	struct config *c = NULL;
	ck_assert_int_eq(load("options { directory \"zones\"; };\n"
		"zone \"Example.COM\" { type primary; file \"example.com.zone\"; };\n"
		"zone \"example.net\" IN { type master; file \"/abs/net.zone\"; };\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->zone_count, 2);
	ck_assert_str_eq(c->zones[0].name, "Example.COM");
	ck_assert_mem_eq(c->zones[0].origin, "\7example\3com", 13);
	char expected[600];
	snprintf(expected, sizeof expected, "%s/zones/example.com.zone", tmpdir);
	ck_assert_str_eq(c->zones[0].path, expected);
	ck_assert_str_eq(c->zones[1].path, "/abs/net.zone");
	ck_assert_uint_eq(c->zones[1].line, 3);
	ck_assert_ptr_nonnull(config_find_zone(c, (const uint8_t *)"\7example\3net"));
	config_free(c);
}
END_TEST

START_TEST(test_directory_defaults_to_config_dir)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("zone \"a.test\" { type primary; file \"a.zone\"; };", &c), 0);
	char expected[600];
	snprintf(expected, sizeof expected, "%s/a.zone", tmpdir);
	ck_assert_str_eq(c->zones[0].path, expected);
	config_free(c);
}
END_TEST

START_TEST(test_listen_on)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n listen-on port 5353 { 127.0.0.1; 127.0.0.2; };\n"
		" listen-on-v6 port 5354 { ::1; };\n};\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->listen_count, 3);
	ck_assert_str_eq(c->listens[1].text, "127.0.0.2");
	ck_assert_uint_eq(config_listen_port(&c->listens[1]), 5353);
	ck_assert_int_eq(c->listens[2].address.ss_family, AF_INET6);
	ck_assert_uint_eq(config_listen_port(&c->listens[2]), 5354);
	ck_assert(!c->listens[0].implicit);
	config_set_port(c, 40000);
	ck_assert_uint_eq(config_listen_port(&c->listens[2]), 40000);
	config_free(c);
}
END_TEST

START_TEST(test_listen_any_none)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { listen-on { any; }; listen-on-v6 { none; }; };", &c), 0);
	ck_assert_uint_eq(c->listen_count, 1);
	ck_assert_str_eq(c->listens[0].text, "0.0.0.0");
	ck_assert_uint_eq(config_listen_port(&c->listens[0]), 53);
	/* An explicit listen-on means no implicit defaults. */
	ck_assert_int_eq(config_add_default_listens(c), 0);
	ck_assert_uint_eq(c->listen_count, 1);
	config_free(c);
}
END_TEST

START_TEST(test_listen_bad_address)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n listen-on { ::1; };\n};", &c), ZONED_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, "named.conf:2: error: '::1' is not an IPv4 address "
		"(address match lists are not supported)\n");
}
END_TEST

START_TEST(test_defaults)
{
	struct config *c = config_create();
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->edns_udp_size, 1232);
	ck_assert_str_eq(c->version, "zoned " PACKAGE_VERSION);
	ck_assert_ptr_null(c->server_id);
	/* BIND's defaults: hostname.bind answers gethostname(), no server-id (no NSID). */
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	ck_assert_str_eq(c->hostname, host);
	ck_assert_ptr_null(c->pid_file);
	/* DNS Cookies on, as BIND and NSD; no secret yet (the daemon makes one). */
	ck_assert(c->answer_cookie);
	ck_assert_uint_eq(c->cookies.secret_count, 0);
	ck_assert(!c->cookies.require_server_cookie);
	ck_assert_int_eq(config_add_default_listens(c), 0);
	ck_assert_uint_eq(c->listen_count, 2);
	ck_assert(c->listens[0].implicit && c->listens[1].implicit);
	ck_assert_str_eq(c->listens[1].text, "::1");
	ck_assert_int_eq(config_add_listen(c, "not-an-address", 53, false), ZONED_EINVAL);
	config_clear_listens(c);
	ck_assert_uint_eq(c->listen_count, 0);
	config_free(c);
}
END_TEST

START_TEST(test_settings)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { pid-file \"/run/zoned.pid\"; version \"1.0-test\";\n"
		"server-id \"ns1\"; edns-udp-size 1400; };", &c), 0);
	ck_assert_str_eq(c->pid_file, "/run/zoned.pid");
	ck_assert_str_eq(c->version, "1.0-test");
	ck_assert_str_eq(c->server_id, "ns1");
	ck_assert_uint_eq(c->edns_udp_size, 1400);
	ck_assert_uint_eq(c->tcp_clients, 1024);
	ck_assert_uint_eq(c->tcp_idle_timeout, 100);
	ck_assert_uint_eq(c->max_records, 0);
	config_free(c);
	ck_assert_int_eq(load("options { tcp-clients 2; tcp-idle-timeout 5; max-records 1000; };",
		&c), 0);
	ck_assert_uint_eq(c->tcp_clients, 2);
	ck_assert_uint_eq(c->tcp_idle_timeout, 5);
	ck_assert_uint_eq(c->max_records, 1000);
	config_free(c);
	ck_assert_int_eq(load("options { max-records -1; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: max-records '-1' is not a number "
		"from 0 to 4294967295\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options { tcp-idle-timeout 0; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: tcp-idle-timeout '0' is not a number "
		"from 1 to 1200\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options { version \"none\"; server-id none; pid-file none; };", &c), 0);
	ck_assert_ptr_null(c->version);
	ck_assert_ptr_null(c->server_id);
	ck_assert_ptr_null(c->pid_file);
	config_free(c);
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	ck_assert_int_eq(load("options { server-id hostname; };", &c), 0);
	ck_assert_str_eq(c->server_id, host);
	ck_assert_str_eq(c->hostname, host);
	config_free(c);
	/* hostname "text" | none, as BIND; given twice, the last one counts. */
	ck_assert_int_eq(load("options { hostname \"anycast-7\"; server-id \"a\";\n"
		"server-id \"ns-b\"; };", &c), 0);
	ck_assert_str_eq(c->hostname, "anycast-7");
	ck_assert_str_eq(c->server_id, "ns-b");
	config_free(c);
	ck_assert_int_eq(load("options { hostname none; };", &c), 0);
	ck_assert_ptr_null(c->hostname);
	config_free(c);
	ck_assert_str_eq(findings, "");
	/* server-id goes into NSID options: 255 octets at most. */
	char text[400];
	snprintf(text, sizeof text, "options {\n server-id \"%0256d\";\n};", 0);
	ck_assert_int_eq(load(text, &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:2: error: server-id is longer than 255 octets\n");
	findings[0] = '\0';
	snprintf(text, sizeof text, "options { server-id \"%0255d\"; };", 0);
	ck_assert_int_eq(load(text, &c), 0);
	ck_assert_uint_eq(strlen(c->server_id), 255);
	config_free(c);
}
END_TEST

/*
 * transfers-out, transfers-in and the per-transfer limits: BIND's defaults
 * and units (minutes), or seconds.
 */
static const struct {
	const char *text;
	int rc;
	unsigned transfers, idle, time;   /* seconds */
	const char *finding;
	unsigned transfers_in;
} transfer_cases[] = {
	{ "", 0, 10, 3600, 7200, "", 10 },
	{ "transfers-out 2; max-transfer-idle-out 5; max-transfer-time-out 1;", 0, 2, 300, 60, "",
	  10 },
	{ "max-transfer-idle-out 3s; max-transfer-time-out 40320;", 0, 10, 3, 2419200, "", 10 },
	{ "transfers-in 1; transfers-out 3;", 0, 3, 3600, 7200, "", 1 },
	{ "transfers-in 100000;", 0, 10, 3600, 7200, "", 100000 },
	{ "transfers-out 0;", 0, 0, 3600, 7200, "", 10 },   /* no limit, as in BIND */
	{ "transfers-out -1;", ZONED_EINVAL, 0, 0, 0,
	  "named.conf:1: error: transfers-out '-1' is not a number from 0 to 100000\n", 0 },
	{ "transfers-in 0;", ZONED_EINVAL, 0, 0, 0,
	  "named.conf:1: error: transfers-in 0 would never transfer a zone (BIND defers every "
	  "transfer): give 1 to 100000\n", 0 },
	{ "transfers-in many;", ZONED_EINVAL, 0, 0, 0,
	  "named.conf:1: error: transfers-in 'many' is not a number from 1 to 100000\n", 0 },
	{ "max-transfer-idle-out 0;", ZONED_EINVAL, 0, 0, 0,
	  "named.conf:1: error: max-transfer-idle-out '0' is not a number of minutes from 1 to "
	  "40320 (or of seconds, as '30s')\n" },
	{ "max-transfer-time-out 5m;", ZONED_EINVAL, 0, 0, 0,
	  "named.conf:1: error: max-transfer-time-out '5m' is not a number of minutes from 1 to "
	  "40320 (or of seconds, as '30s')\n" },
};

START_TEST(test_transfer_limits)
{
	char text[256];
	snprintf(text, sizeof text, "options { %s };", transfer_cases[_i].text);
	struct config *c = NULL;
	findings[0] = '\0';
	ck_assert_int_eq(load(text, &c), transfer_cases[_i].rc);
	ck_assert_str_eq(findings, transfer_cases[_i].finding);
	if (c == NULL)
		return;
	ck_assert_uint_eq(c->transfers_out, transfer_cases[_i].transfers);
	ck_assert_uint_eq(c->transfers_in, transfer_cases[_i].transfers_in);
	ck_assert_uint_eq(c->max_transfer_idle_out, transfer_cases[_i].idle);
	ck_assert_uint_eq(c->max_transfer_time_out, transfer_cases[_i].time);
	config_free(c);
}
END_TEST

/* max-transfer-idle-in (zoned's default 30 s) and max-transfer-time-in (BIND's 120 min). */
START_TEST(test_transfer_in_limits)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { };", &c), 0);
	ck_assert_uint_eq(c->max_transfer_idle_in, 30);
	ck_assert_uint_eq(c->max_transfer_time_in, 7200);
	config_free(c);
	c = NULL;
	ck_assert_int_eq(load("options { max-transfer-idle-in 5; max-transfer-time-in 3s; };", &c),
		0);
	ck_assert_uint_eq(c->max_transfer_idle_in, 300);
	ck_assert_uint_eq(c->max_transfer_time_in, 3);
	config_free(c);
	c = NULL;
	findings[0] = '\0';
	ck_assert_int_eq(load("options { max-transfer-time-in 0; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: max-transfer-time-in '0' is not a number "
		"of minutes from 1 to 40320 (or of seconds, as '30s')\n");
}
END_TEST

START_TEST(test_edns_size_range)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n\tedns-udp-size 100;\n};", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:2: error: edns-udp-size '100' is not a number "
		"from 512 to 4096\n");
}
END_TEST

START_TEST(test_comments)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("// line comment\n# hash comment\n/* block\n comment\n */\n"
		"zone \"a.test\" { // trailing\n type primary; # more\n"
		" file \"a/*b*/.zone\"; /* inline */ };\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->zone_count, 1);
	ck_assert_uint_eq(c->zones[0].line, 6);
	ck_assert_ptr_nonnull(strstr(c->zones[0].path, "/a/*b*/.zone"));
	config_free(c);
}
END_TEST

START_TEST(test_error_line_after_block_comment)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("/*\n\n\n*/ options {\n bogus-option 1;\n};", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:5: error: unknown option 'bogus-option'\n");
}
END_TEST

START_TEST(test_unterminated)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n version \"abc;\n};\n", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:2: error: unterminated string\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options { };\n/* never closed\n", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:2: error: unterminated comment\n");
}
END_TEST

/* A NUL byte is an error at its line, not an endless empty word (fuzz finding). */
START_TEST(test_nul_byte)
{
	struct config *c = NULL;
	static const char text[] = "options { };\nzone\0 { };\n";
	ck_assert_int_eq(config_load_text(text, sizeof text - 1, "nul.conf", &sink, &c),
		ZONED_ESYNTAX);
	ck_assert_ptr_nonnull(strstr(findings, "nul.conf:2: error: unexpected character 0x00\n"));
}
END_TEST

START_TEST(test_missing_semicolon)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n version \"x\"\n server-id \"y\";\n};", &c),
		ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:3: error: expected ';', found 'server-id'\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options { version \"x\"; }", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:1: error: expected ';', found 'end of file'\n");
}
END_TEST

START_TEST(test_include)
{
	mkdir(strcat(strcpy((char[512]){0}, tmpdir), "/sub"), 0755);
	write_file("sub/zones.conf", "zone \"b.test\" { type primary; file \"b.zone\"; };\n"
		"include \"more.conf\";\n");
	write_file("sub/more.conf", "\n\nzone \"c.test\" { type primary; file \"c.zone\"; };\n");
	struct config *c = NULL;
	ck_assert_int_eq(load("options { version none; };\ninclude \"sub/zones.conf\";\n"
		"zone \"a.test\" { type primary; file \"a.zone\"; };\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->zone_count, 3);
	ck_assert_str_eq(c->zones[0].name, "b.test");
	ck_assert_str_eq(c->zones[1].name, "c.test");
	ck_assert_uint_eq(c->zones[1].line, 3);
	ck_assert_ptr_nonnull(strstr(c->zones[1].source, "sub/more.conf"));
	ck_assert_str_eq(c->zones[2].name, "a.test");
	config_free(c);
}
END_TEST

START_TEST(test_include_errors)
{
	write_file("bad.conf", "zone \"b.test\" {\n type primary;\n file \"b.zone\";\n oops;\n};\n");
	struct config *c = NULL;
	ck_assert_int_eq(load("include \"bad.conf\";\n", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "bad.conf:4: error: unknown zone option 'oops'\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("\ninclude \"missing.conf\";\n", &c), ZONED_EIO);
	ck_assert_ptr_nonnull(strstr(findings, "named.conf:2: error: include "));
	ck_assert_ptr_nonnull(strstr(findings, "missing.conf: No such file or directory\n"));
	findings[0] = '\0';
	write_file("loop.conf", "include \"loop.conf\";\n");
	ck_assert_int_eq(load("include \"loop.conf\";\n", &c), ZONED_ELIMIT);
	ck_assert_ptr_nonnull(strstr(findings, "loop.conf:1: error: include "));
	ck_assert_ptr_nonnull(strstr(findings, "nested too deeply"));
}
END_TEST

START_TEST(test_unknown_statement)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { };\n\nview \"internal\" { };\n", &c), ZONED_ESYNTAX);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, "named.conf:3: error: unknown statement 'view'\n");
}
END_TEST

/* Recursion- and cache-only statements are honoured by having neither. */
START_TEST(test_accepted_with_warning)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n recursion no;\n dnssec-validation auto;\n"
		" allow-recursion { none; };\n notify no;\n max-cache-size 10m;\n"
		" answer-cookie no;\n};\n"
		"zone \"a.test\" {\n type primary;\n file \"a.zone\";\n notify no;\n"
		" inline-signing no;\n zone-statistics no;\n};\n", &c), 0);
	ck_assert_str_eq(findings,
		"named.conf:2: warning: option 'recursion no' is what an authoritative-only server does: accepted\n"
		"named.conf:3: warning: option 'dnssec-validation' concerns recursion or caching: not supported, ignored (an authoritative-only server does neither)\n"
		"named.conf:4: warning: option 'allow-recursion' concerns recursion or caching: not supported, ignored (an authoritative-only server does neither)\n"
		"named.conf:6: warning: option 'max-cache-size' concerns recursion or caching: not supported, ignored (an authoritative-only server does neither)\n");
	ck_assert_uint_eq(sink.errors, 0);
	ck_assert_uint_eq(c->zone_count, 1);
	config_free(c);
	/* logging cannot change what is served or to whom: ignored, and said so. */
	findings[0] = '\0';
	ck_assert_int_eq(load("\nlogging {\n channel c { file \"x.log\"; severity debug; };\n"
		" category default { c; };\n};\nzone \"a.test\" { type primary; file \"a.zone\"; };\n",
		&c), 0);
	ck_assert_str_eq(findings, "named.conf:2: warning: statement 'logging' is not supported: "
		"ignored (zoned logs to standard error, or to syslog with -d)\n");
	ck_assert_uint_eq(c->zone_count, 1);
	config_free(c);
}
END_TEST

/* answer-cookie, cookie-secret (repeated), require-server-cookie, cookie-algorithm. */
START_TEST(test_cookie_options)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options {\n answer-cookie yes;\n require-server-cookie true;\n"
		" cookie-algorithm siphash24;\n"
		" cookie-secret \"000102030405060708090a0b0c0d0e0f\";\n"
		" cookie-secret \"F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF\";\n};\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert(c->answer_cookie);
	ck_assert(c->cookies.require_server_cookie);
	ck_assert_uint_eq(c->cookies.secret_count, 2);
	ck_assert_uint_eq(c->cookies.secrets[0][15], 0x0f);
	ck_assert_uint_eq(c->cookies.secrets[1][0], 0xf0);
	config_free(c);
	ck_assert_int_eq(load("options { answer-cookie no; require-server-cookie 0; };\n", &c), 0);
	ck_assert(!c->answer_cookie);
	ck_assert(!c->cookies.require_server_cookie);
	config_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *finding;
} cookie_errors[] = {
	{ "options { cookie-secret \"0001\"; };",
		"named.conf:1: error: SipHash-2-4 cookie-secret must be 128 bits\n" },
	{ "options { cookie-secret \"zz0102030405060708090a0b0c0d0e0f\"; };",
		"named.conf:1: error: cookie-secret: invalid hex string\n" },
	{ "options { answer-cookie maybe; };",
		"named.conf:1: error: answer-cookie 'maybe': expected yes or no\n" },
	{ "options { require-server-cookie; };",
		"named.conf:1: error: require-server-cookie ';': expected yes or no\n" },
	{ "options { cookie-algorithm aes; };",
		"named.conf:1: error: cookie-algorithm 'aes' is not implemented (only "
		"'cookie-algorithm siphash24;' is)\n" },
	{ "options {\n cookie-secret \"00000000000000000000000000000000\";\n"
		" cookie-secret \"00000000000000000000000000000001\";\n"
		" cookie-secret \"00000000000000000000000000000002\";\n"
		" cookie-secret \"00000000000000000000000000000003\";\n"
		" cookie-secret \"00000000000000000000000000000004\";\n"
		" cookie-secret \"00000000000000000000000000000005\";\n"
		" cookie-secret \"00000000000000000000000000000006\";\n"
		" cookie-secret \"00000000000000000000000000000007\";\n"
		" cookie-secret \"00000000000000000000000000000008\";\n};",
		"named.conf:10: error: more than 8 cookie-secret statements\n" },
};

START_TEST(test_cookie_errors)
{
	struct config *c = NULL;
	ck_assert_int_lt(load(cookie_errors[_i].text, &c), 0);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, cookie_errors[_i].finding);
}
END_TEST

/* A statement zoned would not honour is an error at its line, never a warning. */
static const struct {
	const char *text;
	const char *finding;
} unimplemented[] = {
	{ "options { also-notify { secondaries; }; };",
		"named.conf:1: error: also-notify 'secondaries' is not an address (named lists "
		"of remote servers are not implemented)\n" },
	{ "options { notify always; };",
		"named.conf:1: error: notify 'always': expected yes, no, explicit or primary-only\n" },
	{ "options { forwarders { 192.0.2.1; }; };",
		"named.conf:1: error: option 'forwarders' is not implemented\n" },
	{ "options { allow-update { any; }; };",
		"named.conf:1: error: option 'allow-update' is not implemented\n" },
	{ "options { statistics-file \"s\"; };",
		"named.conf:1: error: option 'statistics-file' is not implemented\n" },
	{ "options { querylog yes; };",
		"named.conf:1: error: option 'querylog yes' is not implemented (only 'querylog no;' is)\n" },
	{ "controls { inet * allow { localhost; }; };", "named.conf:1: error: controls 'inet' is "
		"not supported (only 'unix' is: zoned-control uses a unix socket)\n" },
	{ "masters m { 192.0.2.1; };", "named.conf:1: error: statement 'masters' is not implemented\n" },
	{ "primaries p { 192.0.2.1; };", "named.conf:1: error: statement 'primaries' is not implemented\n" },
	{ "server 192.0.2.1 { };", "named.conf:1: error: statement 'server' is not implemented\n" },
	{ "trust-anchors { };", "named.conf:1: error: statement 'trust-anchors' is not implemented\n" },
	{ "dnssec-policy d { };", "named.conf:1: error: statement 'dnssec-policy' is not implemented\n" },
	{ "zone \"a.test\" { notify-source 192.0.2.1; };",
		"named.conf:1: error: zone option 'notify-source' is not implemented\n" },
	{ "zone \"a.test\" { update-policy local; };",
		"named.conf:1: error: zone option 'update-policy' is not implemented\n" },
	{ "zone \"a.test\" { dnssec-policy default; };",
		"named.conf:1: error: zone option 'dnssec-policy' is not implemented\n" },
	{ "zone \"a.test\" { inline-signing yes; };",
		"named.conf:1: error: zone option 'inline-signing yes' is not implemented (only 'inline-signing no;' is)\n" },
	{ "zone \"a.test\" { ixfr-from-differences no; };",
		"named.conf:1: error: zone option 'ixfr-from-differences no' is not implemented (only 'ixfr-from-differences yes;' is)\n" },
	{ "options { max-journal-size 10x; };",
		"named.conf:1: error: max-journal-size '10x' is not a size (a number with an optional k, m or g, unlimited or default)\n" },
	{ "zone \"a.test\" { max-journal-size -1; };",
		"named.conf:1: error: max-journal-size '-1' is not a size (a number with an optional k, m or g, unlimited or default)\n" },
};

/* journal and max-journal-size: BIND's syntax, the zone's over the options'. */
START_TEST(test_journal_settings)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { max-journal-size 10k; };\n"
		"zone \"a.test\" { type primary; file \"a.zone\"; journal \"j/a.journal\";\n"
		"  max-journal-size unlimited; };\n"
		"zone \"b.test\" { type primary; file \"/z/b.zone\"; max-journal-size 2M; };\n"
		"zone \"c.test\" { type primary; file \"/z/c.zone\"; max-journal-size default; };\n"
		"zone \"d.test\" { type primary; file \"/z/d.zone\"; };\n", &c), 0);
	ck_assert_str_eq(findings, "");
	char expected[600];
	snprintf(expected, sizeof expected, "%s/j/a.journal", tmpdir);
	char *path = config_zone_journal_path(&c->zones[0]);
	ck_assert_str_eq(path, expected);
	free(path);
	path = config_zone_journal_path(&c->zones[1]);
	ck_assert_str_eq(path, "/z/b.zone.jnl");
	free(path);
	ck_assert_uint_eq(config_zone_max_journal_size(c, &c->zones[0]), (uint64_t)2 << 30);
	ck_assert_uint_eq(config_zone_max_journal_size(c, &c->zones[1]), 2 << 20);
	ck_assert_uint_eq(config_zone_max_journal_size(c, &c->zones[2]),
		CONFIG_JOURNAL_SIZE_DEFAULT);
	ck_assert_uint_eq(config_zone_max_journal_size(c, &c->zones[3]), 10 << 10);
	config_free(c);
	ck_assert_int_eq(load("zone \"a.test\" { type primary; file \"a\"; };", &c), 0);
	ck_assert_uint_eq(config_zone_max_journal_size(c, &c->zones[0]),
		CONFIG_JOURNAL_SIZE_DEFAULT);
	config_free(c);
}
END_TEST

START_TEST(test_unimplemented_is_error)
{
	struct config *c = NULL;
	ck_assert_int_eq(load(unimplemented[_i].text, &c), ZONED_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, unimplemented[_i].finding);
	ck_assert_uint_eq(sink.warnings, 0);
}
END_TEST

/* Fills *out with address (IPv4 or IPv6 text), as a client. */
static const struct sockaddr *
client_address(const char *text, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
	}
	return (const struct sockaddr *)out;
}

/* allow-transfer: options and zone level, addresses and keys; none by default. */
START_TEST(test_allow_transfer)
{
	static const uint8_t xfr_key[] = "\3xfr";
	static const uint8_t other_key[] = "\5other";
	struct sockaddr_storage ss;
	struct config *c = NULL;
	ck_assert_int_eq(load("zone \"a.test\" { type primary; file \"a\"; };", &c), 0);
	ck_assert_ptr_null(c->allow_transfer);       /* nobody: see zoned.conf(5) */
	ck_assert_ptr_null(c->zones[0].allow_transfer);
	config_free(c);
	ck_assert_int_eq(load("key xfr { algorithm hmac-sha256; secret \"AAAA\"; };\n"
		"key other { algorithm hmac-sha256; secret \"AAAA\"; };\n"
		"options { allow-transfer { 192.0.2.1; key xfr; }; };\n"
		"zone \"a.test\" { type primary; file \"a\"; allow-transfer { !10.1.1.1; 10/8; }; };\n"
		"zone \"b.test\" { type primary; file \"b\"; };", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert(acl_allows(c->allow_transfer, client_address("192.0.2.1", &ss), NULL));
	ck_assert(!acl_allows(c->allow_transfer, client_address("192.0.2.2", &ss), NULL));
	ck_assert(acl_allows(c->allow_transfer, client_address("192.0.2.2", &ss), xfr_key));
	ck_assert(!acl_allows(c->allow_transfer, client_address("::1", &ss), other_key));
	const struct acl *zone_acl = c->zones[0].allow_transfer;
	ck_assert(acl_allows(zone_acl, client_address("10.2.3.4", &ss), NULL));
	ck_assert(!acl_allows(zone_acl, client_address("10.1.1.1", &ss), NULL));
	ck_assert(!acl_allows(zone_acl, client_address("192.0.2.1", &ss), NULL));
	ck_assert_ptr_null(c->zones[1].allow_transfer);
	config_free(c);
	c = NULL;
	ck_assert_int_eq(load("zone \"a.test\" {\n type primary;\n file \"a\";\n"
		" allow-transfer { key nokey; };\n};", &c), ZONED_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, "named.conf:4: error: key 'nokey' is not defined by a key "
		"statement\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options { allow-transfer { any; }; allow-transfer { none; }; };",
		&c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:1: error: allow-transfer given twice\n");
}
END_TEST

START_TEST(test_recursion_yes)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { recursion yes; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: recursion yes: zoned is authoritative-only\n");
}
END_TEST

START_TEST(test_zone_errors)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("zone \"a.test\" {\n type stub;\n};", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:2: error: zone type 'stub' is not "
		"supported: zoned serves primary and secondary zones only\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("\nzone \"a.test\" { type primary; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:2: error: zone a.test: missing 'file'\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("zone \"a.test\" CH { type primary; file \"x\"; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: zone a.test: class 'CH' is not supported\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("zone \"a..test\" { type primary; file \"x\"; };", &c), ZONED_EINVAL);
	ck_assert_str_eq(findings, "named.conf:1: error: 'a..test' is not a valid zone name\n");
}
END_TEST

START_TEST(test_duplicate_zone)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("zone \"a.test\" { type primary; file \"1\"; };\n"
		"zone \"A.TEST.\" { type primary; file \"2\"; };\n", &c), ZONED_EEXIST);
	ck_assert_str_eq(findings, "named.conf:2: error: zone A.TEST.: configured twice\n");
	c = config_create();
	ck_assert_int_eq(config_add_zone(c, "x..y", "f", "t", 1), ZONED_EINVAL);
	config_free(c);
}
END_TEST

START_TEST(test_missing_file_and_directory)
{
	struct config *c = NULL;
	ck_assert_int_eq(config_load_file("/nonexistent/zoned.conf", &sink, &c), ZONED_EIO);
	ck_assert_str_eq(findings, "zoned.conf:0: error: cannot read: No such file or directory\n");
	findings[0] = '\0';
	ck_assert_int_eq(load("options {\n directory \"nowhere\";\n};", &c), ZONED_EINVAL);
	ck_assert_ptr_nonnull(strstr(findings, "named.conf:2: error: directory "));
	ck_assert_ptr_nonnull(strstr(findings, "/nowhere: No such file or directory\n"));
}
END_TEST

START_TEST(test_options_twice)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { };\noptions { };", &c), ZONED_ESYNTAX);
	ck_assert_str_eq(findings, "named.conf:2: error: options given twice\n");
}
END_TEST

START_TEST(test_load_text)
{
	struct config *c = NULL;
	const char *text = "zone \"t.test\" { type primary; file \"/z/t.zone\"; };";
	ck_assert_int_eq(config_load_text(text, strlen(text), "inline.conf", &sink, &c), 0);
	ck_assert_uint_eq(c->zone_count, 1);
	ck_assert_str_eq(c->zones[0].path, "/z/t.zone");
	ck_assert_int_eq(config_add_zone(c, "u.test", "/z/u.zone", "command line", 0), 0);
	ck_assert_int_eq(config_add_zone(c, "U.test", "/z/u2.zone", "command line", 0), ZONED_EEXIST);
	ck_assert_uint_eq(c->zone_count, 2);
	config_free(c);
}
END_TEST

/* ---- the rate-limit { } statement ---- */

START_TEST(test_config_rate_limit)
{
	struct config *config = NULL;
	ck_assert_int_eq(load("options { directory \"/\"; };", &config), 0);
	ck_assert_ptr_null(config->rate_limit);
	config_free(config);
	ck_assert_int_eq(load(
		"options {\n"
		"  rate-limit {\n"
		"    responses-per-second 5;\n"
		"    errors-per-second 2;\n"
		"    slip 3; window 30;\n"
		"    ipv4-prefix-length 32; ipv6-prefix-length 64;\n"
		"    exempt-clients { 127.0.0.2; !10.1.0.0/16; 10.0.0.0/8; ::1; };\n"
		"    log-only yes;\n"
		"    max-table-size 5000;\n"
		"    min-table-size 500;\n"
		"  };\n"
		"};\n", &config), 0);
	ck_assert_str_eq(findings, "named.conf:10: warning: rate-limit option 'min-table-size' is met by "
		"max-table-size: accepted, meaningless here\n");
	const struct rrl_config *r = config->rate_limit;
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->rates[RRL_RESPONSE], 5);
	ck_assert_uint_eq(r->rates[RRL_REFERRAL], 5);     /* default: responses-per-second */
	ck_assert_uint_eq(r->rates[RRL_NODATA], 5);
	ck_assert_uint_eq(r->rates[RRL_NXDOMAIN], 5);
	ck_assert_uint_eq(r->rates[RRL_ERROR], 2);
	ck_assert_uint_eq(r->slip, 3);
	ck_assert_uint_eq(r->window, 30);
	ck_assert_uint_eq(r->ipv4_prefix_length, 32);
	ck_assert_uint_eq(r->ipv6_prefix_length, 64);
	ck_assert_uint_eq(r->table_size, 5000);
	ck_assert(r->log_only);
	ck_assert_uint_eq(acl_entry_count(r->exempt), 4);
	struct sockaddr_storage exempt = testlib_address("10.2.0.1"), negated = testlib_address("10.1.0.1");
	ck_assert(acl_allows(r->exempt, (const struct sockaddr *)&exempt, NULL));
	ck_assert(!acl_allows(r->exempt, (const struct sockaddr *)&negated, NULL));
	config_free(config);
}
END_TEST

static const struct {
	const char *text;
	const char *finding;
} rate_limit_errors[] = {
	{ "options { rate-limit { slip 11; }; };",
		"named.conf:1: error: slip '11' is not a number from 0 to 10\n" },
	{ "options { rate-limit { window 0; }; };",
		"named.conf:1: error: window '0' is not a number from 1 to 3600\n" },
	{ "options { rate-limit { responses-per-second 1001; }; };",
		"named.conf:1: error: responses-per-second '1001' is not a number from 0 to 1000\n" },
	{ "options { rate-limit { ipv4-prefix-length 7; }; };",
		"named.conf:1: error: ipv4-prefix-length '7' is not a number from 8 to 32\n" },
	{ "options { rate-limit { ipv6-prefix-length 65; }; };",
		"named.conf:1: error: ipv6-prefix-length '65' is not a number from 16 to 64\n" },
	{ "options { rate-limit { log-only maybe; }; };",
		"named.conf:1: error: log-only 'maybe': expected yes or no\n" },
	{ "options { rate-limit { exempt-clients { trusted; }; }; };",
		"named.conf:1: error: acl 'trusted' is not defined\n" },
	{ "options { rate-limit { qps-scale 250; }; };",
		"named.conf:1: error: rate-limit option 'qps-scale' is not implemented\n" },
	{ "options { rate-limit { all-per-second 100; }; };",
		"named.conf:1: error: rate-limit option 'all-per-second' is not implemented\n" },
	{ "options { rate-limit { bogus 1; }; };",
		"named.conf:1: error: unknown rate-limit option 'bogus'\n" },
	{ "options { rate-limit { }; rate-limit { }; };",
		"named.conf:1: error: rate-limit given twice\n" },
};

START_TEST(test_config_rate_limit_errors)
{
	struct config *config = NULL;
	ck_assert_int_lt(load(rate_limit_errors[_i].text, &config), 0);
	ck_assert_ptr_null(config);
	ck_assert_str_eq(findings, rate_limit_errors[_i].finding);
}
END_TEST


/* A rate-limit config whose exempt-clients is list, read by the config parser. */
static struct rrl_config *
config_exempting(const char *list)
{
	char text[512];
	snprintf(text, sizeof text, "options { rate-limit { responses-per-second 1; "
		"exempt-clients { %s }; }; };", list);
	struct config *config = NULL;
	ck_assert_int_eq(load(text, &config), 0);
	struct rrl_config *c = config->rate_limit;
	config->rate_limit = NULL;
	config_free(config);
	return c;
}

/* The address match list itself is tested in check_acl; this is the wiring into rrl_config. */
START_TEST(test_exempt_clients)
{
	struct rrl_config *c = config_exempting("127.0.0.2; !10.1.0.0/16; 10.0.0.0/8; "
		"2001:db8::/32;");
	/* A v4 client on a dual-stack socket is matched as its IPv4 address. */
	struct sockaddr_storage yes[] = { testlib_address("127.0.0.2"), testlib_address("10.200.0.1"),
		testlib_address("2001:db8:ffff::1"), testlib_address("::ffff:127.0.0.2") };
	struct sockaddr_storage no[] = { testlib_address("127.0.0.1"), testlib_address("10.1.2.3"),
		testlib_address("2001:db9::1") };
	for (size_t i = 0; i < 4; i++)
		ck_assert(acl_allows(c->exempt, (const struct sockaddr *)&yes[i], NULL));
	for (size_t i = 0; i < 3; i++)
		ck_assert(!acl_allows(c->exempt, (const struct sockaddr *)&no[i], NULL));
	/* none matches nothing, even after any; !any before any excludes all. */
	struct rrl_config *none = config_exempting("none; any;");
	ck_assert(!acl_allows(none->exempt, (const struct sockaddr *)&yes[0], NULL));
	struct rrl_config *any = config_exempting("any;");
	ck_assert(acl_allows(any->exempt, (const struct sockaddr *)&no[2], NULL));
	rrl_config_free(c);
	rrl_config_free(none);
	rrl_config_free(any);
}
END_TEST

/* ---- statistics-channels ---- */

static uint16_t
channel_port(const struct config *c, size_t i)
{
	return config_listen_port(&c->statistics_channels[i].listen);
}

START_TEST(test_statistics_channels)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("acl monitors { 192.0.2.0/24; };\n"
		"statistics-channels {\n"
		"  inet 127.0.0.1 port 8053 allow { 127.0.0.1; monitors; };\n"
		"  inet ::1 port 8054;\n"
		"  inet * allow { none; };\n"
		"};\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->statistics_channel_count, 3);
	ck_assert_str_eq(c->statistics_channels[0].listen.text, "127.0.0.1");
	ck_assert_uint_eq(channel_port(c, 0), 8053);
	struct sockaddr_storage local = testlib_address("127.0.0.1");
	struct sockaddr_storage monitor = testlib_address("192.0.2.9");
	struct sockaddr_storage other = testlib_address("198.51.100.1");
	const struct acl *allow = c->statistics_channels[0].allow;
	ck_assert(acl_allows(allow, (const struct sockaddr *)&local, NULL));
	ck_assert(acl_allows(allow, (const struct sockaddr *)&monitor, NULL));
	ck_assert(!acl_allows(allow, (const struct sockaddr *)&other, NULL));
	/* No allow clause: anyone, as in BIND. */
	ck_assert_str_eq(c->statistics_channels[1].listen.text, "::1");
	ck_assert_uint_eq(channel_port(c, 1), 8054);
	ck_assert_ptr_null(c->statistics_channels[1].allow);
	/* "*": every IPv4 address, at BIND's default port. */
	ck_assert_str_eq(c->statistics_channels[2].listen.text, "0.0.0.0");
	ck_assert_uint_eq(channel_port(c, 2), CONFIG_DEFAULT_STATISTICS_PORT);
	ck_assert(!acl_allows(c->statistics_channels[2].allow, (const struct sockaddr *)&local,
		NULL));
	config_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *finding;
} channel_errors[] = {
	{ "statistics-channels { inet 127.0.0.1 port 0; };",
		"named.conf:1: error: statistics-channels port '0' is not a number from 1 to 65535\n" },
	{ "statistics-channels { inet 127.0.0.1 port 70000; };",
		"named.conf:1: error: statistics-channels port '70000' is not a number from 1 to 65535\n" },
	{ "statistics-channels {\n inet localhost;\n};",
		"named.conf:2: error: statistics-channels: 'localhost' is not an IPv4 or IPv6 address\n" },
	{ "statistics-channels { inet 127.0.0.1 allow { nobody; }; };",
		"named.conf:1: error: acl 'nobody' is not defined\n" },
	{ "statistics-channels { inet 127.0.0.1 tls none; };",
		"named.conf:1: error: statistics-channels: expected port, allow or ';', found tls\n" },
	{ "statistics-channels { unix \"/run/zoned.stats\"; };",
		"named.conf:1: error: statistics-channels 'unix' is not implemented (only 'inet' is)\n" },
	{ "statistics-channels { http 127.0.0.1; };",
		"named.conf:1: error: statistics-channels: expected inet, found 'http'\n" },
};

START_TEST(test_statistics_channel_errors)
{
	struct config *c = NULL;
	ck_assert_int_lt(load(channel_errors[_i].text, &c), 0);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, channel_errors[_i].finding);
}
END_TEST

/* type secondary (slave), primaries (masters) tried in order, allow-notify, the clamps. */
START_TEST(test_secondary_zone)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("key \"k\" { algorithm hmac-sha256; secret \"aGVsbG8=\"; };\n"
		"options { min-refresh-time 1; max-refresh-time 60; min-retry-time 2;\n"
		" max-retry-time 30; allow-notify { 192.0.2.9; }; };\n"
		"zone \"a.test\" { type secondary; file \"a.db\";\n"
		" primaries port 5300 { 127.0.0.1; ::1 port 53 key \"k\"; 192.0.2.1 key k; };\n"
		" allow-notify { 10.0.0.0/8; }; };\n"
		"zone \"b.test\" { type slave; file \"b.db\"; masters { 192.0.2.2; }; };\n", &c), 0);
	ck_assert_str_eq(findings, "");
	ck_assert_uint_eq(c->min_refresh_time, 1);
	ck_assert_uint_eq(c->max_refresh_time, 60);
	ck_assert_uint_eq(c->min_retry_time, 2);
	ck_assert_uint_eq(c->max_retry_time, 30);
	ck_assert_ptr_nonnull(c->allow_notify);
	const struct config_zone *a = &c->zones[0];
	ck_assert(a->secondary);
	ck_assert_ptr_nonnull(a->allow_notify);
	ck_assert_uint_eq(a->primary_count, 3);
	const struct sockaddr_in *in = (const struct sockaddr_in *)&a->primaries[0].address;
	ck_assert_int_eq(in->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(in->sin_port), 5300);
	ck_assert_ptr_null(a->primaries[0].key);
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->primaries[1].address;
	ck_assert_int_eq(in6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(in6->sin6_port), 53);
	ck_assert_str_eq(a->primaries[1].key, "k");
	ck_assert_str_eq(a->primaries[2].key, "k");
	const struct config_zone *b = &c->zones[1];
	ck_assert(b->secondary);
	ck_assert_uint_eq(b->primary_count, 1);
	ck_assert_ptr_null(b->allow_notify);
	config_free(c);
	/* The defaults are BIND's. */
	ck_assert_int_eq(load("zone \"a.test\" { type primary; file \"a.db\"; };", &c), 0);
	ck_assert(!c->zones[0].secondary);
	ck_assert_uint_eq(c->min_refresh_time, 300);
	ck_assert_uint_eq(c->max_refresh_time, 2419200);
	ck_assert_uint_eq(c->min_retry_time, 500);
	ck_assert_uint_eq(c->max_retry_time, 1209600);
	config_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *findings;
} secondary_errors[] = {
	{ "zone \"a.test\" { type secondary; file \"a.db\"; };",
		"named.conf:1: error: zone a.test: type secondary needs 'primaries { address; };'\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { }; };",
		"named.conf:1: error: zone a.test: type secondary needs 'primaries { address; };'\n" },
	{ "zone \"a.test\" { type primary; file \"a.db\"; primaries { 192.0.2.1; }; };",
		"named.conf:1: error: zone a.test: 'primaries' is only for type secondary\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { 192.0.2.1 key \"nokey\"; }; };",
		"named.conf:1: error: zone a.test: primaries: key 'nokey' is not defined\n" },
	/* Checked after the whole file is read: still reported at the zone's line. */
	{ "zone \"a.test\" { type primary; file \"a.db\";\n primaries { 192.0.2.1; }; };\n\n",
		"named.conf:1: error: zone a.test: 'primaries' is only for type secondary\n" },
	{ "\nzone \"a.test\" { type primary; file \"a.db\";\n"
		" also-notify { 192.0.2.1 key \"nokey\"; }; };\n\n",
		"named.conf:2: error: also-notify: key 'nokey' is not defined\n" },
	{ "options {\n also-notify { 192.0.2.1 key \"nokey\"; };\n};\n\n",
		"named.conf:2: error: also-notify: key 'nokey' is not defined\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { ns1.example; }; };",
		"named.conf:1: error: primaries 'ns1.example' is not an address (named lists of "
		"primaries are not implemented)\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { 192.0.2.1 port 70000; }; };",
		"named.conf:1: error: port '70000' is not a number from 0 to 65535\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { 192.0.2.1 tls x; }; };",
		"named.conf:1: error: primaries: unexpected 'tls' (expected port, key or ';')\n" },
	{ "options { also-notify { 192.0.2.1 tls x; }; };",
		"named.conf:1: error: also-notify: unexpected 'tls' (expected port, key or ';')\n" },
	{ "zone \"a.test\" { type secondary; file \"a.db\"; primaries { 192.0.2.1; };\n"
		" masters { 192.0.2.2; }; };",
		"named.conf:2: error: primaries given twice\n" },
	{ "options { min-refresh-time 0; };",
		"named.conf:1: error: min-refresh-time '0' is not a number of seconds from 1 to 4294967295\n" },
	{ "options { max-retry-time x; };",
		"named.conf:1: error: max-retry-time 'x' is not a number of seconds from 1 to 4294967295\n" },
};

START_TEST(test_secondary_errors)
{
	struct config *c = NULL;
	ck_assert_int_ne(load(secondary_errors[_i].text, &c), 0);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(findings, secondary_errors[_i].findings);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_zone_and_directory);
	tcase_add_test(tc, test_directory_defaults_to_config_dir);
	tcase_add_test(tc, test_listen_on);
	tcase_add_test(tc, test_listen_any_none);
	tcase_add_test(tc, test_listen_bad_address);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_settings);
	tcase_add_test(tc, test_edns_size_range);
	tcase_add_loop_test(tc, test_transfer_limits, 0,
		sizeof transfer_cases / sizeof transfer_cases[0]);
	tcase_add_test(tc, test_transfer_in_limits);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_error_line_after_block_comment);
	tcase_add_test(tc, test_unterminated);
	tcase_add_test(tc, test_missing_semicolon);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_include_errors);
	tcase_add_test(tc, test_unknown_statement);
	tcase_add_test(tc, test_accepted_with_warning);
	tcase_add_loop_test(tc, test_unimplemented_is_error, 0,
		sizeof unimplemented / sizeof unimplemented[0]);
	tcase_add_test(tc, test_allow_transfer);
	tcase_add_test(tc, test_journal_settings);
	tcase_add_test(tc, test_recursion_yes);
	tcase_add_test(tc, test_cookie_options);
	tcase_add_loop_test(tc, test_cookie_errors, 0,
		(int)(sizeof cookie_errors / sizeof cookie_errors[0]));
	tcase_add_test(tc, test_zone_errors);
	tcase_add_test(tc, test_duplicate_zone);
	tcase_add_test(tc, test_missing_file_and_directory);
	tcase_add_test(tc, test_options_twice);
	tcase_add_test(tc, test_load_text);
	tcase_add_test(tc, test_secondary_zone);
	tcase_add_loop_test(tc, test_secondary_errors, 0,
		(int)(sizeof secondary_errors / sizeof secondary_errors[0]));
	suite_add_tcase(s, tc);
	TCase *rate_limit = tcase_create("rate-limit");
	tcase_add_checked_fixture(rate_limit, setup, teardown);
	tcase_add_test(rate_limit, test_config_rate_limit);
	tcase_add_loop_test(rate_limit, test_config_rate_limit_errors, 0,
		(int)(sizeof rate_limit_errors / sizeof rate_limit_errors[0]));
	tcase_add_test(rate_limit, test_exempt_clients);
	suite_add_tcase(s, rate_limit);
	TCase *channels = tcase_create("statistics-channels");
	tcase_add_checked_fixture(channels, setup, teardown);
	tcase_add_test(channels, test_statistics_channels);
	tcase_add_loop_test(channels, test_statistics_channel_errors, 0,
		(int)(sizeof channel_errors / sizeof channel_errors[0]));
	suite_add_tcase(s, channels);
	return s;
}

int
main(void)
{
	return testlib_run(config_suite());
}
