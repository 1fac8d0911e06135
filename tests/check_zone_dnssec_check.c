/*
 * check_zone_dnssec_check.c: DNSSEC verification of signed zones (the
 * fixtures of tests/fixtures/dnssec/verify, signed once by make.sh), as
 * they are and with one defect edited in, case by case; the loader's
 * structural check; where findings point (file:line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zone_check.h"
#include "zoned/zone_dnssec_check.h"
#include "zoned/zone_load.h"
#include "zoned/zone_sources.h"

#ifndef DNSSEC_FIXTURES
#define DNSSEC_FIXTURES "tests/fixtures/dnssec/verify"
#endif

/* 2026-12-01 00:00:00 UTC: inside the fixtures' 2020-2050 window. */
#define NOW_VALID 1796083200
/* Inside the expired fixture's 2020-2021 window. */
#define NOW_2020 1590969600      /* 2020-06-01 */
#define NOW_2060 2840140800      /* 2060-01-01, after every expiration */
#define NOW_2019 1546300800      /* 2019-01-01, before every inception */

/* Every finding as an "E|W file:line message" line (one test at a time: static). */
static struct testlib_capture capture;

/* Reads a fixture into a new NUL-terminated buffer. */
static char *
fixture_read(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", DNSSEC_FIXTURES, name);
	FILE *file = fopen(path, "r");
	ck_assert_msg(file != NULL, "cannot open %s", path);
	char *text = malloc(1 << 20);
	ck_assert_ptr_nonnull(text);
	size_t length = fread(text, 1, (1 << 20) - 1, file);
	fclose(file);
	text[length] = '\0';
	return text;
}

/* How a case changes the fixture before loading it. */
enum edit_action {
	EDIT_NONE,
	EDIT_DROP_LINE,      /* drop the matching lines */
	EDIT_DROP_OWNER,     /* drop every line of the first matching line's owner */
	EDIT_REPLACE,        /* replace from by to in the matching lines */
	EDIT_APPEND_COPY,    /* append a copy of the first matching line, from replaced by to */
	EDIT_APPEND,         /* append the line to */
};

struct edit {
	enum edit_action action;
	const char *owner;   /* first field, exactly; NULL: any */
	const char *type;    /* fourth field ("RRSIG A": the fifth too); NULL: any */
	const char *from, *to;
	const char *contains;  /* the line must also contain this; NULL: any */
};

/* True when line (one line, no newline) matches the edit's owner, type and text. */
static bool
edit_matches(const struct edit *edit, const char *line)
{
	char owner[256], ttl[32], class_text[32], type[32], covered[32];
	int fields = sscanf(line, "%255s %31s %31s %31s %31s", owner, ttl, class_text, type,
		covered);
	if (fields < 4 || line[0] == ';')
		return false;
	if (edit->owner != NULL && strcmp(owner, edit->owner) != 0)
		return false;
	char with_end[4096 + 2];  /* so that contains may end in "\n" to anchor at the end */
	snprintf(with_end, sizeof with_end, "%.4096s\n", line);
	if (edit->contains != NULL && strstr(with_end, edit->contains) == NULL)
		return false;
	if (edit->type == NULL)
		return true;
	if (strncmp(edit->type, "RRSIG ", 6) == 0)
		return strcmp(type, "RRSIG") == 0 && fields == 5 && strcmp(edit->type + 6, covered) == 0;
	return strcmp(type, edit->type) == 0;
}

/* line with the first from replaced by to, into out. */
static void
replace_once(const char *line, size_t length, const char *from, const char *to, char *out,
	size_t size)
{
	char copy[4096];
	snprintf(copy, sizeof copy, "%.*s", (int)length, line);
	char *at = strstr(copy, from);
	ck_assert_msg(at != NULL, "'%s' not in '%s'", from, copy);
	snprintf(out, size, "%.*s%s%s", (int)(at - copy), copy, to, at + strlen(from));
}

/* The fixture text with edit applied; a new buffer. */
static char *
edit_apply(const char *text, const struct edit *edit)
{
	size_t size = strlen(text) + 8192;
	char *out = malloc(size), appended[4096] = "", victim[256] = "";
	ck_assert_ptr_nonnull(out);
	size_t used = 0;
	unsigned matched = 0;
	for (const char *line = text; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
		char copy[4096];
		snprintf(copy, sizeof copy, "%.*s", (int)length, line);
		bool match = edit->action != EDIT_NONE && edit_matches(edit, copy);
		if (match && edit->action == EDIT_DROP_OWNER && victim[0] == '\0')
			sscanf(copy, "%255s", victim);
		char owner[256] = "";
		sscanf(copy, "%255s", owner);
		matched += match;
		if (edit->action == EDIT_DROP_OWNER && victim[0] != '\0' && strcmp(owner, victim) == 0) {
			/* dropped */
		} else if (match && edit->action == EDIT_DROP_LINE) {
			/* dropped */
		} else if (match && edit->action == EDIT_REPLACE) {
			char replaced[4096];
			replace_once(line, length, edit->from, edit->to, replaced, sizeof replaced);
			used += (size_t)snprintf(out + used, size - used, "%s\n", replaced);
		} else {
			if (match && edit->action == EDIT_APPEND_COPY && appended[0] == '\0')
				replace_once(line, length, edit->from, edit->to, appended,
					sizeof appended);
			used += (size_t)snprintf(out + used, size - used, "%s\n", copy);
		}
		line += length + (end != NULL);
	}
	if (edit->action == EDIT_APPEND)
		used += (size_t)snprintf(out + used, size - used, "%s\n", edit->to);
	else if (edit->action == EDIT_APPEND_COPY)
		used += (size_t)snprintf(out + used, size - used, "%s\n", appended);
	ck_assert_msg(edit->action == EDIT_NONE || edit->action == EDIT_APPEND || matched > 0,
		"the edit matched no line");
	return out;
}

struct loaded {
	struct zone *zone;
	struct zone_sources sources;
	struct diag d;
};

/* Loads fixture name with edit applied, keeping file:line; fails the test if it does not load. */
static void
load_edited(struct loaded *loaded, const char *name, const struct edit *edit,
	const struct zone_check_modes *modes)
{
	memset(loaded, 0, sizeof *loaded);
	loaded->d = testlib_capture_start(&capture, "%c %b:%l %m\n", "zone");
	char *text = fixture_read(name);
	char *edited = edit_apply(text, edit);
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("example.", origin), 0);
	struct zone_load_options options = { .modes = modes, .sources = &loaded->sources };
	int status = zone_load_text(edited, strlen(edited), name, origin, &options, &loaded->d,
		&loaded->zone);
	free(edited);
	free(text);
	ck_assert_msg(status == 0, "%s did not load:\n%s", name, capture.text);
}

static void
loaded_free(struct loaded *loaded)
{
	zone_free(loaded->zone);
	zone_sources_clear(&loaded->sources);
}

/* One verification: the fixture, the defect, the time, and what must be said. */
struct verify_case {
	const char *name;
	const char *fixture;
	struct edit edit;
	long long now;             /* 0: NOW_VALID */
	bool chain_only;           /* no signatures (the loader's check) */
	int findings;              /* exactly this many */
	const char *expect;        /* a line of the capture contains this; NULL: none */
};

static const struct verify_case verify_cases[] = {
	/* Good zones. */
	{ "nsec good", "nsec.zone", { 0 }, 0, false, 0, NULL },
	{ "nsec3 good", "nsec3.zone", { 0 }, 0, false, 0, NULL },
	{ "nsec3 opt-out good", "nsec3-optout.zone", { 0 }, 0, false, 0, NULL },
	{ "expired zone, valid in 2020", "nsec-expired.zone", { 0 }, NOW_2020, false, 0, NULL },
	/* The committed broken copies (make.sh). */
	{ "missing NSEC", "nsec-missing.zone", { 0 }, 0, false, 1,
		"E nsec-missing.zone:52 www.example: no NSEC record: the chain skips this name" },
	{ "wrong bitmap", "nsec-bitmap.zone", { 0 }, 0, false, 2,
		"E nsec-bitmap.zone:56 www.example/NSEC: type bitmap lists A RRSIG NSEC, "
		"but the name has A AAAA RRSIG NSEC" },
	{ "chain out of order", "nsec-order.zone", { 0 }, 0, false, 2,
		"E nsec-order.zone:32 ns1.example/NSEC: next name is mail.example, expected ns2.example" },
	{ "tampered RRset", "nsec-tampered.zone", { 0 }, 0, false, 1,
		"E nsec-tampered.zone:53 www.example/A: no valid RRSIG: Bogus DNSSEC signature" },
	{ "key not in the DNSKEY set", "nsec-foreign-key.zone", { 0 }, 0, false, 1,
		"www.example/A: no valid RRSIG: No keys with the keytag" },
	{ "expired signatures", "nsec-expired.zone", { 0 }, 0, false, 25,
		"E nsec-expired.zone:2 example/SOA: no valid RRSIG: DNSSEC signature has expired" },
	{ "after every expiration", "nsec.zone", { 0 }, NOW_2060, false, 25, "has expired" },
	{ "before every inception", "nsec3.zone", { 0 }, NOW_2019, false, 28, "not incepted" },
	{ "NSEC3 owner with a wrong hash", "nsec3-hash.zone", { 0 }, 0, false, 4,
		"0rp9a46191it4flsvh7fovubsi8np950.example/NSEC3: no name of the zone hashes to this owner" },
	{ "NSEC3 missing", "nsec3-missing.zone", { 0 }, 0, false, 2,
		"E nsec3-missing.zone:24 ns2.example: no NSEC3 record (hash 5k4fimuj6tinjpofr46a4kmilqskqe80)" },
	/* Defects edited in here. */
	{ "the chain alone sees no signature defect", "nsec-tampered.zone", { 0 }, 0, true, 0, NULL },
	{ "no RRSIG", "nsec.zone", { EDIT_DROP_LINE, "www.example.", "RRSIG AAAA", 0, 0, 0 }, 0,
		false, 1, "www.example/AAAA: no RRSIG" },
	{ "RRSIG over a type the name lacks", "nsec.zone",
		{ EDIT_APPEND_COPY, "www.example.", "RRSIG A", "RRSIG\tA ", "RRSIG\tTXT ", 0 }, 0,
		false, 1, "www.example/TXT: RRSIG over an RRset the name does not have" },
	{ "a bad RRSIG beside a good one only warns", "nsec.zone",
		{ EDIT_APPEND_COPY, "www.example.", "RRSIG A", "20200101000000", "20200101000001", 0 },
		0, false, 0, "W nsec.zone:" },
	{ "NSEC at glue", "nsec.zone",
		{ EDIT_APPEND, 0, 0, 0, "ns.insecure.example. 300 IN NSEC ns1.example. A NSEC", 0 }, 0,
		true, 1, "ns.insecure.example/NSEC: NSEC at a name that is not authoritative" },
	{ "two NSECs at one name", "nsec.zone",
		{ EDIT_APPEND, 0, 0, 0, "mail.example. 300 IN NSEC ns2.example. A RRSIG NSEC", 0 }, 0,
		true, 1, "mail.example/NSEC: 2 NSEC records at one name" },
	{ "NSEC next name in upper case is fine", "nsec.zone",
		{ EDIT_REPLACE, "mail.example.", "NSEC", "ns1.example.", "NS1.EXAMPLE.", 0 }, 0,
		true, 0, NULL },
	{ "signed, no chain", "nsec.zone", { EDIT_DROP_LINE, 0, "NSEC", 0, 0, 0 }, 0, true, 1,
		"example: no NSEC at the apex and no NSEC3PARAM: the zone has no denial of existence" },
	{ "an NSEC3 owner dropped", "nsec3.zone",
		{ EDIT_DROP_OWNER, 0, "NSEC3", 0, 0, "AABBCCDD" }, 0, true, -1, NULL },
	{ "NSEC3 parameters differ", "nsec3.zone",
		{ EDIT_REPLACE, 0, "NSEC3", "1 0 1 AABBCCDD", "1 0 2 AABBCCDD", " NS\n" }, 0, true, -1,
		NULL },
	{ "NSEC3PARAM without NSEC3", "nsec3.zone", { EDIT_DROP_LINE, 0, "NSEC3", 0, 0, 0 }, 0,
		true, 1, "example/NSEC3PARAM: NSEC3PARAM but no NSEC3 records" },
	{ "secure delegation without NSEC3 in an opt-out zone", "nsec3-optout.zone",
		{ EDIT_DROP_OWNER, 0, "NSEC3", 0, 0, " NS DS RRSIG\n" }, 0, true, 2,
		"secure.example: no NSEC3 record (hash " },
	/* RFC 5155 6: an ENT with only insecure delegations below may be opted out too. */
	{ "opted-out delegation below an ENT", "nsec3-optout.zone",
		{ EDIT_APPEND, 0, 0, 0, "a.b.example. 300 IN NS ns.elsewhere.", 0 }, 0, true, 0, NULL },
	{ "the same without opt-out", "nsec3.zone",
		{ EDIT_APPEND, 0, 0, 0, "a.b.example. 300 IN NS ns.elsewhere.", 0 }, 0, true, 2,
		"zone:0 b.example: no NSEC3 record (hash " },
	{ "a secure delegation keeps its ENT in the chain", "nsec3-optout.zone",
		{ EDIT_APPEND, 0, 0, 0, "a.c.example. 300 IN NS ns.elsewhere.\n"
			"a.c.example. 300 IN DS 1 13 2 "
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0 }, 0,
		true, 2, "zone:0 c.example: no NSEC3 record (hash " },
	{ "unsigned zone", "example.zone", { 0 }, 0, false, 2,
		"example: no DNSKEY at the apex: the zone is not signed" },
};

START_TEST(test_verify_case)
{
	const struct verify_case *c = &verify_cases[_i];
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes.denial = CHECK_IGNORE;  /* only the verification below speaks */
	struct loaded loaded;
	load_edited(&loaded, c->fixture, &c->edit, &modes);
	struct zone_dnssec_check_options options = {
		.signatures = !c->chain_only,
		.now = c->now != 0 ? (time_t)c->now : NOW_VALID,
		.level = DIAG_ERROR,
		.sources = &loaded.sources,
	};
	struct zone_dnssec_check_result result;
	int findings = zone_dnssec_check(loaded.zone, &options, &loaded.d, &result);
	if (c->findings >= 0)
		ck_assert_msg(findings == c->findings, "%s: %d findings, want %d:\n%s", c->name,
			findings, c->findings, capture.text);
	else
		ck_assert_msg(findings > 0, "%s: no finding", c->name);
	ck_assert_uint_eq((unsigned)findings, result.findings);
	if (c->expect != NULL)
		ck_assert_msg(strstr(capture.text, c->expect) != NULL, "%s: want '%s' in:\n%s",
			c->name, c->expect, capture.text);
	loaded_free(&loaded);
}
END_TEST

/* The edited cases whose exact text depends on hashes: assert the message shape. */
START_TEST(test_optout_messages)
{
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes.denial = CHECK_IGNORE;
	struct loaded loaded;
	/* The insecure delegation's NSEC3 is the one whose bitmap is NS alone. */
	const struct edit insecure = { EDIT_DROP_OWNER, 0, "NSEC3", 0, 0, " NS\n" };
	load_edited(&loaded, "nsec3.zone", &insecure, &modes);
	struct zone_dnssec_check_options options = { .now = NOW_VALID, .level = DIAG_ERROR,
		.sources = &loaded.sources };
	int findings = zone_dnssec_check(loaded.zone, &options, &loaded.d, NULL);
	ck_assert_msg(strstr(capture.text, "insecure.example: no NSEC3 record (hash ")
		&& strstr(capture.text, "and no opt-out NSEC3 covers it"),
		"%s", capture.text);
	ck_assert_int_eq(findings, 2);  /* the name, and the chain around the gap */
	loaded_free(&loaded);
	/* The same gap is fine in the opt-out zone, where make.sh never hashed the name. */
	load_edited(&loaded, "nsec3-optout.zone", &(struct edit){ 0 }, &modes);
	ck_assert_int_eq(zone_dnssec_check(loaded.zone, &options, &loaded.d, NULL), 0);
	loaded_free(&loaded);
}
END_TEST

/* The loader's structural check: warnings with file:line, fatal with denial=fail, silent with ignore. */
START_TEST(test_loader_check)
{
	static const struct {
		enum check_mode denial;
		const char *expect;
	} modes_cases[] = {
		{ CHECK_WARN, "W nsec-missing.zone:52 www.example: no NSEC record" },
		{ CHECK_IGNORE, NULL },
	};
	for (size_t i = 0; i < sizeof modes_cases / sizeof modes_cases[0]; i++) {
		struct zone_check_modes modes;
		zone_check_modes_default(&modes);
		modes.denial = modes_cases[i].denial;
		struct loaded loaded;
		load_edited(&loaded, "nsec-missing.zone", &(struct edit){ 0 }, &modes);
		if (modes_cases[i].expect != NULL)
			ck_assert_msg(strstr(capture.text, modes_cases[i].expect) != NULL,
				"%s", capture.text);
		else
			ck_assert_msg(capture.text[0] == '\0', "%s", capture.text);
		ck_assert_uint_eq(loaded.d.errors, 0);
		loaded_free(&loaded);
	}
	/* denial=fail: the load fails. */
	char *text = fixture_read("nsec-missing.zone");
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("example.", origin), 0);
	struct zone_check_modes modes;
	zone_check_modes_default(&modes);
	modes.denial = CHECK_FAIL;
	struct zone_load_options options = { .modes = &modes };
	struct diag d = { 0 };
	struct zone *zone = NULL;
	ck_assert_int_ne(zone_load_text(text, strlen(text), "x", origin, &options, &d, &zone), 0);
	ck_assert_ptr_null(zone);
	ck_assert_uint_eq(d.errors, 1);
	free(text);
	/* A zone broken at every name: max_reports findings, then one line counting the rest. */
	zone_check_modes_default(&modes);
	modes.denial = CHECK_IGNORE;
	struct loaded broken;
	load_edited(&broken, "nsec.zone", &(struct edit){ EDIT_REPLACE, 0, "NSEC", "RRSIG NSEC",
		"RRSIG NSEC TXT", 0 }, &modes);
	struct zone_dnssec_check_options limited = { .level = DIAG_WARNING, .max_reports = 5 };
	ck_assert_int_eq(zone_dnssec_check(broken.zone, &limited, &broken.d, NULL), 10);  /* not *.wild, which has TXT */
	ck_assert_uint_eq(broken.d.warnings, 6);
	ck_assert_msg(strstr(capture.text, "W zone:0 5 more DNSSEC problems not shown\n") != NULL,
		"%s", capture.text);
	loaded_free(&broken);
	/* RRSIGs without the apex DNSKEY: one warning, not one per name. */
	struct loaded keyless;
	zone_check_modes_default(&modes);
	load_edited(&keyless, "nsec.zone", &(struct edit){ EDIT_DROP_LINE, "example.", "DNSKEY",
		0, 0, 0 }, &modes);
	ck_assert_msg(strcmp(capture.text, "W nsec.zone:1 example: RRSIGs but no DNSKEY "
		"at the apex: no signature can be validated\n") == 0, "%s", capture.text);
	ck_assert(!zone_dnssec_is_signed(keyless.zone));
	loaded_free(&keyless);
	/* Unsigned zones are never checked; good signed zones say nothing. */
	static const char *const quiet[] = { "example.zone", "nsec.zone", "nsec3.zone",
		"nsec3-optout.zone", "nsec-tampered.zone" };
	for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
		struct loaded loaded;
		zone_check_modes_default(&modes);
		load_edited(&loaded, quiet[i], &(struct edit){ 0 }, &modes);
		ck_assert_msg(capture.text[0] == '\0', "%s: %s", quiet[i], capture.text);
		ck_assert(zone_dnssec_is_signed(loaded.zone) == (strcmp(quiet[i], "example.zone") != 0));
		loaded_free(&loaded);
	}
}
END_TEST

/* file:line lookups: per record, per RRset (the first line), unknown. */
START_TEST(test_sources)
{
	struct zone_sources sources = { 0 };
	uint8_t www[DNAME_MAX_LENGTH], upper[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text("www.example.", www), 0);
	ck_assert_int_gt(dname_from_text("WWW.Example.", upper), 0);
	const uint8_t one[4] = { 192, 0, 2, 1 }, two[4] = { 192, 0, 2, 2 };
	ck_assert_int_eq(zone_sources_add(&sources, www, 1, two, 4, "b.zone", 9), 0);
	ck_assert_int_eq(zone_sources_add(&sources, upper, 1, one, 4, "b.zone", 7), 0);
	ck_assert_int_eq(zone_sources_add(&sources, www, 28, one, 4, "b.zone", 8), 0);
	const char *file;
	unsigned long line;
	ck_assert(zone_sources_find(&sources, www, 1, two, 4, &file, &line));
	ck_assert_str_eq(file, "b.zone");
	ck_assert_uint_eq(line, 9);
	ck_assert(zone_sources_find(&sources, upper, 1, NULL, 0, &file, &line));
	ck_assert_uint_eq(line, 7);
	ck_assert(zone_sources_find(&sources, www, 28, NULL, 0, &file, &line));
	ck_assert_uint_eq(line, 8);
	ck_assert(!zone_sources_find(&sources, www, 16, NULL, 0, &file, &line));
	ck_assert(!zone_sources_find(&sources, www, 1, (const uint8_t *)"xxxx", 4, &file, &line));
	ck_assert(!zone_sources_find(NULL, www, 1, NULL, 0, &file, &line));
	zone_sources_clear(&sources);
	ck_assert_uint_eq(sources.count, 0);
}
END_TEST

static Suite *
zone_dnssec_check_suite(void)
{
	Suite *suite = suite_create("zone_dnssec_check");
	TCase *verify = tcase_create("verify");
	tcase_set_timeout(verify, 30);
	tcase_add_loop_test(verify, test_verify_case, 0,
		(int)(sizeof verify_cases / sizeof verify_cases[0]));
	tcase_add_test(verify, test_optout_messages);
	suite_add_tcase(suite, verify);
	TCase *loader = tcase_create("loader");
	tcase_set_timeout(loader, 30);
	tcase_add_test(loader, test_loader_check);
	tcase_add_test(loader, test_sources);
	suite_add_tcase(suite, loader);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_dnssec_check_suite());
}
