/*
 * fuzz_fixture.c: builds the answer target's zone set straight through the
 * name tree API (zone_add_record), with a deliberately tiny record reader,
 * so that fuzzing the answer engine depends on no loader bug.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zonedb.h"

struct fuzz_fixture_zone {
	const char *origin;
	const char *text;
};

#include "fuzz_fixture_zones.h"

#define FIXTURE_MAX_TOKENS 16
#define FIXTURE_MAX_LINE 512
#define FIXTURE_DEFAULT_TTL 300

static struct zonedb *fuzz_fixture_db;

struct fixture_line {
	char text[FIXTURE_MAX_LINE];
	char *tokens[FIXTURE_MAX_TOKENS];
	int quoted[FIXTURE_MAX_TOKENS];
	int count;
};

/* Splits at blanks; "quoted strings" keep blanks, \c escapes one octet. */
static void
fixture_tokenize(struct fixture_line *line)
{
	char *in = line->text;
	char *out = line->text;
	line->count = 0;
	while (*in != '\0' && line->count < FIXTURE_MAX_TOKENS) {
		while (*in == ' ' || *in == '\t')
			in++;
		if (*in == '\0')
			break;
		int quoted = *in == '"';
		if (quoted)
			in++;
		line->quoted[line->count] = quoted;
		line->tokens[line->count++] = out;
		while (*in != '\0' && (quoted ? *in != '"' : (*in != ' ' && *in != '\t'))) {
			if (*in == '\\' && in[1] != '\0' && quoted)
				in++;
			else if (*in == '\\' && in[1] != '\0')
				*out++ = *in++;  /* names keep their escapes for dname_from_text */
			*out++ = *in++;
		}
		if (quoted && *in == '"')
			in++;
		if (*in != '\0')
			in++;
		*out++ = '\0';
	}
}

/* Resolves "@", relative and absolute names against origin. */
static size_t
fixture_name(const char *text, const char *origin, uint8_t *out)
{
	char absolute[FIXTURE_MAX_LINE * 2];
	if (strcmp(text, "@") == 0)
		snprintf(absolute, sizeof(absolute), "%s", origin);
	else if (text[strlen(text) - 1] == '.')
		snprintf(absolute, sizeof(absolute), "%s", text);
	else
		snprintf(absolute, sizeof(absolute), "%s.%s", text, origin);
	int length = dname_from_text(absolute, out);
	if (length < 0)
		fuzz_fail("fixture", "bad name");
	return (size_t)length;
}

static size_t
fixture_put_u16(uint8_t *out, unsigned long value)
{
	out[0] = (uint8_t)(value >> 8);
	out[1] = (uint8_t)value;
	return 2;
}

static size_t
fixture_put_u32(uint8_t *out, unsigned long value)
{
	fixture_put_u16(out, value >> 16);
	fixture_put_u16(out + 2, value & 0xffff);
	return 4;
}

/* Encodes the rdata of tokens[first..] for type. Returns its length. */
static size_t
fixture_rdata(const struct fixture_line *line, int first, const char *type,
	const char *origin, uint16_t *type_code, uint8_t *out)
{
	char *const *t = line->tokens + first;
	int n = line->count - first;
	size_t length = 0;
	if (!rrtype_from_text(type, type_code))
		fuzz_fail("fixture", "unknown type");
	/* RFC 3597 generic form: TYPEnnn \# length hex */
	if (strncasecmp(type, "TYPE", 4) == 0 && n == 3 && strcmp(t[0], "\\#") == 0) {
		for (const char *hex = t[2]; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
			char pair[3] = {hex[0], hex[1], '\0'};
			out[length++] = (uint8_t)strtoul(pair, NULL, 16);
		}
		return length;
	}
	switch (*type_code) {
	case RRTYPE_NS:
	case RRTYPE_CNAME:
	case RRTYPE_PTR:
	case RRTYPE_DNAME:
		if (n == 1)
			return fixture_name(t[0], origin, out);
		break;
	case RRTYPE_A:
		if (n == 1 && inet_pton(AF_INET, t[0], out) == 1)
			return 4;
		break;
	case RRTYPE_AAAA:
		if (n == 1 && inet_pton(AF_INET6, t[0], out) == 1)
			return 16;
		break;
	case RRTYPE_MX:
		if (n != 2)
			break;
		length = fixture_put_u16(out, strtoul(t[0], NULL, 10));
		return length + fixture_name(t[1], origin, out + length);
	case RRTYPE_SRV:
		if (n != 4)
			break;
		for (int i = 0; i < 3; i++)
			length += fixture_put_u16(out + length, strtoul(t[i], NULL, 10));
		return length + fixture_name(t[3], origin, out + length);
	case RRTYPE_SOA:
		if (n != 7)
			break;
		length = fixture_name(t[0], origin, out);
		length += fixture_name(t[1], origin, out + length);
		for (int i = 2; i < 7; i++)
			length += fixture_put_u32(out + length, strtoul(t[i], NULL, 10));
		return length;
	case RRTYPE_TXT:
		for (int i = 0; i < n; i++) {
			size_t text_length = strlen(t[i]);
			out[length++] = (uint8_t)text_length;
			memcpy(out + length, t[i], text_length);
			length += text_length;
		}
		return length;
	default:
		break;
	}
	fuzz_fail("fixture", "unsupported record");
}

static void
fixture_add_line(struct zone *zone, const char *origin, struct fixture_line *line,
	unsigned long line_number, struct diag *d)
{
	fixture_tokenize(line);
	if (line->count == 0 || line->tokens[0][0] == '$')
		return;
	uint8_t owner[DNAME_MAX_LENGTH];
	fixture_name(line->tokens[0], origin, owner);
	int next = 1;
	uint32_t ttl = FIXTURE_DEFAULT_TTL;
	if (next < line->count && isdigit((unsigned char)line->tokens[next][0]))
		ttl = (uint32_t)strtoul(line->tokens[next++], NULL, 10);
	if (next < line->count && strcasecmp(line->tokens[next], "IN") == 0)
		next++;
	if (next >= line->count)
		fuzz_fail("fixture", "record without a type");
	uint8_t rdata[2048];
	uint16_t type = 0;
	size_t rdata_length = fixture_rdata(line, next + 1, line->tokens[next], origin, &type,
		rdata);
	struct zone_record record = {
		.owner = owner, .type = type, .rr_class = RRCLASS_IN, .ttl = ttl,
		.rdata = rdata, .rdata_length = (uint16_t)rdata_length,
		.file = origin, .line = line_number,
	};
	if (zone_add_record(zone, &record, d) != 0)
		fuzz_fail("fixture", "zone_add_record failed");
}

static struct zone *
fixture_build_zone(const struct fuzz_fixture_zone *fixture)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text(fixture->origin, origin) < 0)
		fuzz_fail("fixture", "bad origin");
	struct zone *zone = zone_create(origin, RRCLASS_IN);
	if (zone == NULL)
		fuzz_fail("fixture", "out of memory");
	struct diag d = {0};
	struct fixture_line line;
	unsigned long line_number = 0;
	for (const char *p = fixture->text; *p != '\0';) {
		const char *end = strchr(p, '\n');
		size_t length = end != NULL ? (size_t)(end - p) : strlen(p);
		if (length >= FIXTURE_MAX_LINE)
			fuzz_fail("fixture", "line too long");
		memcpy(line.text, p, length);
		line.text[length] = '\0';
		fixture_add_line(zone, fixture->origin, &line, ++line_number, &d);
		p += length + (end != NULL);
	}
	if (zone_finalize(zone, &d) != 0)
		fuzz_fail("fixture", "zone_finalize failed");
	return zone;
}

const struct zonedb *
fuzz_fixture_zonedb(void)
{
	if (fuzz_fixture_db != NULL)
		return fuzz_fixture_db;
	struct zonedb *db = zonedb_create();
	if (db == NULL)
		fuzz_fail("fixture", "out of memory");
	for (size_t i = 0; i < sizeof(fuzz_fixture_zones) / sizeof(fuzz_fixture_zones[0]); i++) {
		if (zonedb_add(db, fixture_build_zone(&fuzz_fixture_zones[i])) != 0)
			fuzz_fail("fixture", "zonedb_add failed");
	}
	fuzz_fixture_db = db;
	return db;
}

void
fuzz_fixture_free(void)
{
	zonedb_free(fuzz_fixture_db);
	fuzz_fixture_db = NULL;
}
