/*
 * zone_rdata_check.c: what BIND checks in rdata and ldns does not: LOC
 * syntax and ranges (RFC 1876), X25 addresses (RFC 1183), digest lengths
 * fixed by the digest type, an NSEC bitmap that is not empty.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zoned/zone_lex.h"
#include "zoned/zone_rdata.h"

/* RFC 1876 2: altitude in centimetres from -100000.00 m, sizes up to 9e9 cm. */
#define LOC_ALTITUDE_MIN (-10000000LL)
#define LOC_ALTITUDE_MAX 4284967295LL
#define LOC_SIZE_MAX 9000000000LL

static const char *
check_token(const struct rdata_source *source, size_t index)
{
	return source->record->text + source->record->tokens[index].offset;
}

static int
check_error_near(const struct rdata_source *source, size_t index, const char *problem)
{
	return rdata_report_near(source, index, problem);
}

static int
check_error_eol(const struct rdata_source *source, const char *problem)
{
	return rdata_report_eol(source, problem);
}

/* NULL when text is a decimal number up to maximum, else BIND's words. */
static const char *
check_number(const char *text, uint64_t maximum, uint64_t *value)
{
	*value = 0;
	if (*text == '\0')
		return "not a valid number";
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return "not a valid number";
		*value = *value * 10 + (uint64_t)(*text - '0');
		if (*value > maximum)
			return "out of range";
	}
	return NULL;
}

/*
 * Parses [-]digits[.digits][m] with at most decimals fraction digits into
 * units of 10^-decimals. Returns false on bad syntax.
 */
static bool
check_decimal(const char *text, unsigned decimals, bool signed_ok, bool unit_ok,
	int64_t *value)
{
	bool negative = signed_ok && *text == '-';
	int64_t whole = 0, fraction = 0;
	unsigned places = 0;
	if (negative)
		text++;
	if (*text < '0' || *text > '9')
		return false;
	for (; *text >= '0' && *text <= '9'; text++) {
		whole = whole * 10 + (*text - '0');
		if (whole > 100000000000LL)
			return false;
	}
	if (*text == '.') {
		for (text++; *text >= '0' && *text <= '9'; text++) {
			if (places++ == decimals)
				return false;
			fraction = fraction * 10 + (*text - '0');
		}
	}
	for (; places < decimals; places++)
		fraction *= 10;
	if (unit_ok && *text == 'm')
		text++;
	if (*text != '\0')
		return false;
	for (unsigned i = 0; i < decimals; i++)
		whole *= 10;
	*value = negative ? -(whole + fraction) : whole + fraction;
	return true;
}

/* One of "d [m [s]] HEMISPHERE" (RFC 1876 3); *index moves past it. */
static int
check_loc_angle(const struct rdata_source *source, size_t *index, const char *hemispheres,
	uint64_t limit)
{
	size_t count = source->record->token_count;
	uint64_t degrees = 0, minutes;
	int64_t milliseconds;
	const char *problem;
	for (int part = 0;; part++, (*index)++) {
		if (*index >= count)
			return check_error_eol(source, "unexpected end of input");
		const char *text = check_token(source, *index);
		if (part > 0 && text[0] != '\0' && text[1] == '\0'
			&& strchr(hemispheres, text[0]) != NULL) {
			(*index)++;
			return 0;
		}
		if (part == 0) {
			if ((problem = check_number(text, limit, &degrees)) != NULL)
				return check_error_near(source, *index, problem);
		} else if (part == 1) {
			if ((problem = check_number(text, 59, &minutes)) != NULL)
				return check_error_near(source, *index, problem);
			if (degrees == limit && minutes != 0)
				return check_error_near(source, *index, "out of range");
		} else if (part == 2) {
			if (!check_decimal(text, 3, false, false, &milliseconds))
				return check_error_near(source, *index, "syntax error");
			if (milliseconds >= 60000 || (degrees == limit && milliseconds != 0))
				return check_error_near(source, *index, "out of range");
		} else {
			return check_error_near(source, *index, "syntax error");
		}
	}
}

/*
 * RFC 1876 3: d1 [m1 [s1]] {N|S} d2 [m2 [s2]] {E|W} alt[m] [siz[m] [hp[m]
 * [vp[m]]]], which ldns reads loosely (no altitude, 91 degrees, 1.234m).
 */
static int
check_loc(const struct rdata_source *source)
{
	size_t index = source->first, count = source->record->token_count;
	int64_t value;
	int rc = check_loc_angle(source, &index, "NS", 90);
	if (rc == 0)
		rc = check_loc_angle(source, &index, "EW", 180);
	if (rc != 0)
		return rc;
	if (index >= count)
		return check_error_eol(source, "unexpected end of input");
	if (!check_decimal(check_token(source, index), 2, true, true, &value))
		return check_error_near(source, index, "syntax error");
	if (value < LOC_ALTITUDE_MIN || value > LOC_ALTITUDE_MAX)
		return check_error_near(source, index, "out of range");
	/* Size, horizontal and vertical precision, each optional. */
	size_t last = ++index + 3;
	for (; index < count && index < last; index++) {
		if (!check_decimal(check_token(source, index), 2, false, true, &value))
			return check_error_near(source, index, "syntax error");
		if (value > LOC_SIZE_MAX)
			return check_error_near(source, index, "out of range");
	}
	if (index < count)
		return check_error_near(source, index, "extra input text");
	return 0;
}

/* RFC 1183 3.1: an X25 PSDN address is at least four decimal digits. */
static int
check_x25(const struct rdata_source *source)
{
	if (source->first >= source->record->token_count)
		return check_error_eol(source, "unexpected end of input");
	const char *text = check_token(source, source->first);
	if (strlen(text) < 4)
		return check_error_near(source, source->first, "syntax error");
	if (text[strspn(text, "0123456789")] != '\0')
		return check_error_near(source, source->first, "out of range");
	return 0;
}

int
rdata_check_text(const struct rdata_source *source)
{
	switch (source->type) {
	case RRTYPE_LOC:
		return check_loc(source);
	case RRTYPE_X25:
		return check_x25(source);
	default:
		return 0;
	}
}

/* The digest length a digest type implies, or 0 when it is not fixed. */
static size_t
check_digest_length(uint16_t type, uint8_t digest_type)
{
	switch (type) {
	case RRTYPE_DS:
	case RRTYPE_CDS:
		/* RFC 4509, RFC 5933, RFC 6605: SHA-1, SHA-256, GOST, SHA-384. */
		return digest_type == 1 ? 20 : digest_type == 2 || digest_type == 3 ? 32
			: digest_type == 4 ? 48 : 0;
	case RRTYPE_SSHFP:
		/* RFC 4255, RFC 6594: SHA-1, SHA-256. */
		return digest_type == 1 ? 20 : digest_type == 2 ? 32 : 0;
	case RRTYPE_ZONEMD:
		/* RFC 8976 2.2.4: SHA-384, SHA-512; others at least 12 octets. */
		return digest_type == 1 ? 48 : digest_type == 2 ? 64 : 0;
	default:
		return 0;
	}
}

int
rdata_check_wire(const uint8_t *data, size_t length, const struct rdata_source *source)
{
	const char *problem = NULL;
	size_t fixed = 0, digest = 0, minimum = 0;
	switch (source->type) {
	case RRTYPE_DS:
	case RRTYPE_CDS:
		if (length >= 4) {
			fixed = check_digest_length(source->type, data[3]);
			digest = length - 4;
		}
		break;
	case RRTYPE_SSHFP:
		if (length >= 2) {
			fixed = check_digest_length(source->type, data[1]);
			digest = length - 2;
		}
		break;
	case RRTYPE_ZONEMD:
		if (length >= 6) {
			fixed = check_digest_length(source->type, data[5]);
			digest = length - 6;
			minimum = 12;
		}
		break;
	case RRTYPE_NSEC:
		/* The next owner name is all there is: no type bitmap. */
		if (source->record->token_count - source->first < 2)
			problem = "FORMERR";
		break;
	default:
		return 0;
	}
	if (problem == NULL && ((fixed != 0 && digest < fixed) || digest < minimum))
		problem = "unexpected end of input";
	if (problem == NULL && fixed != 0 && digest > fixed)
		problem = "bad hex encoding";
	if (problem == NULL)
		return 0;
	return rdata_report_eol(source, problem);
}
