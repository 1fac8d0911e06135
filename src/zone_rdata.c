/*
 * zone_rdata.c: a record's rdata tokens to wire form. ldns parses the rdata
 * text; we find the offending token when it fails (ldns only says "could
 * not parse the RR's rdata"), catch what it lets through (integers that
 * wrap, RFC 3597 lengths), and take fast paths for plain A, AAAA, NS,
 * CNAME, PTR, DNAME, MX and TXT that give exactly ldns's octets.
 */
#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zoned/zone_lex.h"
#include "zoned/zone_rdata.h"

int
rdata_parser_init(struct rdata_parser *parser)
{
	memset(parser, 0, sizeof *parser);
	parser->data = malloc(RDATA_MAX_LENGTH);
	return parser->data == NULL ? ZONED_ENOMEM : 0;
}

void
rdata_parser_free(struct rdata_parser *parser)
{
	free(parser->data);
	free(parser->text);
	if (parser->origin_rdf != NULL)
		ldns_rdf_deep_free(parser->origin_rdf);
	memset(parser, 0, sizeof *parser);
}

size_t
rdata_name_from_text(const char *text, const uint8_t *origin, size_t origin_length,
	uint8_t out[DNAME_MAX_LENGTH], const char **problem)
{
	if (strcmp(text, "@") == 0) {
		memcpy(out, origin, origin_length);
		return origin_length;
	}
	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	size_t length = 0;
	bool absolute = false;
	while (*text != '\0') {
		size_t label_start = length++;
		size_t label_length = 0;
		while (*text != '\0' && *text != '.') {
			uint8_t octet = (uint8_t)*text++;
			if (octet == '\\') {
				size_t used = dname_read_escape(text, &octet);
				if (used == 0) {
					*problem = "bad escape";
					return 0;
				}
				text += used;
			}
			if (label_length == DNAME_MAX_LABEL) {
				*problem = "label too long";
				return 0;
			}
			/* Keep room for the root label. */
			if (length + 1 >= DNAME_MAX_LENGTH) {
				*problem = "ran out of space";
				return 0;
			}
			out[length++] = octet;
			label_length++;
		}
		if (label_length == 0) {
			*problem = "empty label";
			return 0;
		}
		out[label_start] = (uint8_t)label_length;
		if (*text == '.' && *++text == '\0')
			absolute = true;
	}
	if (absolute) {
		out[length++] = 0;
		return length;
	}
	/* RFC 1035 5.1: a name without the final dot is relative to the origin. */
	if (length + origin_length > DNAME_MAX_LENGTH) {
		*problem = "ran out of space";
		return 0;
	}
	memcpy(out + length, origin, origin_length);
	return length + origin_length;
}

bool
rdata_ttl_from_text(const char *text, uint32_t *ttl)
{
	uint64_t total = 0;
	size_t length = strlen(text);
	if (length == 0 || length > 63)
		return false;
	const char *p = text;
	do {
		uint64_t number = 0;
		const char *digits = p;
		while (*p >= '0' && *p <= '9') {
			number = number * 10 + (uint64_t)(*p++ - '0');
			if (number > UINT32_MAX)
				return false;
		}
		if (p == digits)
			return false;
		uint64_t unit;
		switch (*p) {
		case '\0':
			/* A bare number is a TTL only on its own: "1h30" is not. */
			if (total != 0)
				return false;
			unit = 1;
			break;
		case 'w': case 'W': unit = 604800; p++; break;
		case 'd': case 'D': unit = 86400; p++; break;
		case 'h': case 'H': unit = 3600; p++; break;
		case 'm': case 'M': unit = 60; p++; break;
		case 's': case 'S': unit = 1; p++; break;
		default:
			return false;
		}
		total += number * unit;
	} while (*p != '\0');
	if (total > UINT32_MAX)
		return false;
	*ttl = (uint32_t)total;
	return true;
}

static const char *
rdata_token_text(const struct rdata_source *source, size_t index)
{
	return source->record->text + source->record->tokens[index].offset;
}

static unsigned long
rdata_token_line(const struct rdata_source *source, size_t index)
{
	return source->record->tokens[index].line;
}

int
rdata_report_near(const struct rdata_source *source, size_t index, const char *problem)
{
	unsigned long line = rdata_token_line(source, index > 0 ? index - 1 : index);
	/* BIND reads a quoted token back as a lone quote mark, which it does not quote. */
	if (source->record->tokens[index].quoted)
		diag_report(source->d, DIAG_ERROR, source->file, line, "rdata: %s", problem);
	else
		diag_report(source->d, DIAG_ERROR, source->file, line, "near '%s': %s",
			rdata_token_text(source, index), problem);
	return ZONED_ESYNTAX;
}

int
rdata_report_eol(const struct rdata_source *source, const char *problem)
{
	const struct lex_record *record = source->record;
	unsigned long line = record->token_count > 0
		? record->tokens[record->token_count - 1].line : record->end_line;
	diag_report(source->d, DIAG_ERROR, source->file, line, "near %s: %s",
		record->at_eof ? "eof" : "eol", problem);
	return ZONED_ESYNTAX;
}

/* BIND's report for a problem at one token. */
static int
rdata_error_near(const struct rdata_source *source, size_t index, const char *problem)
{
	return rdata_report_near(source, index, problem);
}

/* BIND's report when the record ended too early. */
static int
rdata_error_eol(const struct rdata_source *source)
{
	return rdata_report_eol(source, "unexpected end of input");
}

/* NULL when text is a decimal number up to maximum, else BIND's words. */
static const char *
rdata_check_number(const char *text, uint64_t maximum)
{
	uint64_t value = 0;
	if (*text == '\0')
		return "not a valid number";
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return "not a valid number";
		value = value * 10 + (uint64_t)(*text - '0');
		if (value > maximum)
			return "out of range";
	}
	return NULL;
}

static int
rdata_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Keeps an ldns copy of the origin for relative names in rdata. */
static int
rdata_set_origin(struct rdata_parser *parser, const struct rdata_source *source)
{
	if (parser->origin_rdf != NULL && parser->origin_length == source->origin_length
		&& memcmp(parser->origin, source->origin, source->origin_length) == 0)
		return 0;
	if (parser->origin_rdf != NULL)
		ldns_rdf_deep_free(parser->origin_rdf);
	parser->origin_rdf = ldns_dname_new_frm_data((uint16_t)source->origin_length,
		source->origin);
	if (parser->origin_rdf == NULL)
		return ZONED_ENOMEM;
	memcpy(parser->origin, source->origin, source->origin_length);
	parser->origin_length = source->origin_length;
	return 0;
}

/* Appends every rdf of rr to parser->data. */
static int
rdata_copy_fields(struct rdata_parser *parser, const struct rdata_source *source,
	const ldns_rr *rr)
{
	parser->length = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *field = ldns_rr_rdf(rr, i);
		size_t size = ldns_rdf_size(field);
		if (parser->length + size > RDATA_MAX_LENGTH) {
			diag_report(source->d, DIAG_ERROR, source->file,
				rdata_token_line(source, source->first),
				"rdata too long (over %u octets)", RDATA_MAX_LENGTH);
			return ZONED_ESYNTAX;
		}
		if (size > 0)
			memcpy(parser->data + parser->length, ldns_rdf_data(field), size);
		parser->length += size;
	}
	return 0;
}

/* The descriptor ldns has for type, or NULL when ldns does not know it. */
static const ldns_rr_descriptor *
rdata_descriptor(uint16_t type)
{
	const ldns_rr_descriptor *descriptor = ldns_rr_descript(type);
	return descriptor != NULL && descriptor->_type == type ? descriptor : NULL;
}

/*
 * RFC 3597 5: \# <length> <hex>... for any type. The hex must give exactly
 * length octets; a type ldns knows must also be valid wire rdata.
 */
static int
rdata_parse_generic(struct rdata_parser *parser, const struct rdata_source *source)
{
	size_t count = source->record->token_count, index = source->first + 1;
	if (index >= count)
		return rdata_error_eol(source);
	const char *problem = rdata_check_number(rdata_token_text(source, index),
		RDATA_MAX_LENGTH);
	if (problem != NULL)
		return rdata_error_near(source, index, problem);
	size_t length = strtoul(rdata_token_text(source, index), NULL, 10), nibbles = 0;
	for (index++; index < count; index++) {
		for (const char *p = rdata_token_text(source, index); *p != '\0'; p++) {
			int value = rdata_hex_value(*p);
			if (value < 0 || source->record->tokens[index].quoted)
				return rdata_error_near(source, index, "bad hex encoding");
			if (nibbles == 2 * length)
				return rdata_error_near(source, index, "extra input text");
			if (nibbles % 2 == 0)
				parser->data[nibbles / 2] = (uint8_t)(value << 4);
			else
				parser->data[nibbles / 2] |= (uint8_t)value;
			nibbles++;
		}
	}
	if (nibbles < 2 * length)
		return rdata_error_eol(source);
	parser->length = length;
	const ldns_rr_descriptor *descriptor = rdata_descriptor(source->type);
	if (descriptor == NULL)
		return 0;
	/* Known type: its wire form must parse (RFC 3597 5, e.g. TYPE1 \# 4 ...). */
	uint8_t *wire = malloc(length + 2);
	ldns_rr *rr = ldns_rr_new();
	if (wire == NULL || rr == NULL) {
		free(wire);
		ldns_rr_free(rr);
		return ZONED_ENOMEM;
	}
	wire[0] = (uint8_t)(length >> 8);
	wire[1] = (uint8_t)length;
	memcpy(wire + 2, parser->data, length);
	ldns_rr_set_type(rr, source->type);
	size_t position = 0;
	ldns_status status = ldns_wire2rdf(rr, wire, length + 2, &position);
	free(wire);
	/* BIND's words: the wire form ran short, or had octets left over. */
	int rc = 0;
	if (status != LDNS_STATUS_OK
		|| ldns_rr_rd_count(rr) < ldns_rr_descriptor_minimum(descriptor))
		rc = rdata_error_eol(source);
	else if ((rc = rdata_copy_fields(parser, source, rr)) == 0 && parser->length != length) {
		rc = rdata_report_eol(source, "extra input data");
	}
	ldns_rr_free(rr);
	return rc;
}

/* Field types whose presentation is always exactly one token in ldns. */
static bool
rdata_field_is_one_token(ldns_rdf_type type)
{
	switch (type) {
	case LDNS_RDF_TYPE_A: case LDNS_RDF_TYPE_AAAA: case LDNS_RDF_TYPE_DNAME:
	case LDNS_RDF_TYPE_INT8: case LDNS_RDF_TYPE_INT16: case LDNS_RDF_TYPE_INT32:
	case LDNS_RDF_TYPE_PERIOD: case LDNS_RDF_TYPE_STR: case LDNS_RDF_TYPE_LONG_STR:
	case LDNS_RDF_TYPE_TYPE: case LDNS_RDF_TYPE_CLASS: case LDNS_RDF_TYPE_ALG:
	case LDNS_RDF_TYPE_CERT_ALG: case LDNS_RDF_TYPE_TIME: case LDNS_RDF_TYPE_TAG:
	case LDNS_RDF_TYPE_ILNP64: case LDNS_RDF_TYPE_EUI48: case LDNS_RDF_TYPE_EUI64:
	case LDNS_RDF_TYPE_NSEC3_SALT: case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER:
		return true;
	default:
		return false;
	}
}

/* Octets of a character-string token once its escapes are decoded. */
static size_t
rdata_string_length(const char *text)
{
	size_t length = 0;
	while (*text != '\0') {
		uint8_t octet;
		size_t used = *text == '\\' ? dname_read_escape(text + 1, &octet) : 0;
		text += used + 1;
		length++;
	}
	return length;
}

/*
 * Checks one single-token field. Integers and periods always (ldns wraps
 * them silently: MX 70000 becomes 4464); the rest only when diagnosing a
 * failure. Returns NULL or the problem in BIND's words.
 */
static const char *
rdata_check_field(const struct rdata_source *source, ldns_rdf_type type,
	const char *text, bool diagnose, const char *ldns_problem)
{
	uint8_t buffer[16];
	uint8_t name[DNAME_MAX_LENGTH];
	const char *problem = NULL;
	uint32_t period;
	uint16_t covered;
	switch (type) {
	case LDNS_RDF_TYPE_INT8:
		return rdata_check_number(text, UINT8_MAX);
	case LDNS_RDF_TYPE_INT16:
		return rdata_check_number(text, UINT16_MAX);
	case LDNS_RDF_TYPE_INT32:
		return rdata_check_number(text, UINT32_MAX);
	case LDNS_RDF_TYPE_PERIOD:
		/* BIND reads SOA timers as TTLs (dns_counter_fromtext). */
		return rdata_ttl_from_text(text, &period) ? NULL : "syntax error";
	case LDNS_RDF_TYPE_TYPE:
		/* ldns turns an unknown mnemonic (RRSIG FOO ...) into type 0. */
		return rrtype_from_text(text, &covered) ? NULL : "unknown class/type";
	case LDNS_RDF_TYPE_CERT_ALG:
		/*
		 * The CERT type (RFC 4398 2.1) as a number is 16 bits: ldns takes
		 * -1 as 65535 and 65537 as 1, and refuses 0 (reserved) leaking the
		 * field it made (ldns 1.8). Mnemonics (PKIX, ...) go to ldns.
		 */
		if ((*text < '0' || *text > '9') && *text != '-' && *text != '+')
			break;
		return rdata_check_number(text, UINT16_MAX);
	default:
		break;
	}
	if (!diagnose)
		return NULL;
	switch (type) {
	case LDNS_RDF_TYPE_A:
		return inet_pton(AF_INET, text, buffer) == 1 ? NULL : "bad dotted quad";
	case LDNS_RDF_TYPE_AAAA:
		return inet_pton(AF_INET6, text, buffer) == 1 ? NULL : "bad IPv6 address";
	case LDNS_RDF_TYPE_DNAME:
		rdata_name_from_text(text, source->origin, source->origin_length, name, &problem);
		return problem;
	case LDNS_RDF_TYPE_STR:
		/* RFC 1035 3.3: a <character-string> is at most 255 octets; BIND's words. */
		if (rdata_string_length(text) > 255)
			return "syntax error";
		break;
	default:
		break;
	}
	ldns_rdf *field = ldns_rdf_new_frm_str(type, text);
	if (field == NULL)
		return ldns_problem;
	ldns_rdf_deep_free(field);
	return NULL;
}

/* How far a walk over the fields got. */
struct rdata_walk {
	size_t token;          /* the token with a problem, or where the walk ended */
	size_t field;
	bool stopped;          /* ended at a field that may span several tokens */
	const char *problem;
};

/*
 * Checks the tokens of a last field that takes the rest of the record:
 * ldns drops unknown mnemonics from type bitmaps and accepts an odd number
 * of hex digits, BIND rejects both. Whole-field problems are placed at the
 * end of the record (walk->token == token_count), as BIND reports them.
 */
static void
rdata_check_tail(const struct rdata_source *source, ldns_rdf_type type, bool diagnose,
	struct rdata_walk *walk)
{
	static const char base64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t count = source->record->token_count, digits = 0;
	if (type != LDNS_RDF_TYPE_NSEC && type != LDNS_RDF_TYPE_HEX && type != LDNS_RDF_TYPE_B64)
		return;
	for (size_t i = walk->token; i < count; i++) {
		const char *text = rdata_token_text(source, i), *problem = NULL;
		uint16_t bit;
		if (type == LDNS_RDF_TYPE_NSEC && !rrtype_from_text(text, &bit))
			problem = "unknown class/type";
		if (type == LDNS_RDF_TYPE_HEX) {
			digits += strspn(text, "0123456789abcdefABCDEF");
			if (text[strspn(text, "0123456789abcdefABCDEF")] != '\0')
				problem = "bad hex encoding";
		}
		if (type == LDNS_RDF_TYPE_B64 && diagnose && text[strspn(text, base64)] != '\0')
			problem = "bad base64 encoding";
		if (problem != NULL) {
			walk->token = i;
			walk->problem = problem;
			return;
		}
	}
	if (type == LDNS_RDF_TYPE_HEX && digits % 2 != 0) {
		walk->token = count;
		walk->problem = "bad hex encoding";
	} else if (type == LDNS_RDF_TYPE_B64 && diagnose) {
		/* Every character is base64, so the padding or length is wrong. */
		walk->token = count;
		walk->problem = "bad base64 encoding";
	}
}

/*
 * BIND takes quotes only where a field is a character string: a quoted
 * number is "not a valid number", any other quoted field "unexpected token".
 */
static const char *
rdata_check_quoted(const struct rdata_source *source, ldns_rdf_type type, size_t index)
{
	if (!source->record->tokens[index].quoted || type == LDNS_RDF_TYPE_STR
		|| type == LDNS_RDF_TYPE_LONG_STR)
		return NULL;
	switch (type) {
	case LDNS_RDF_TYPE_INT8:
	case LDNS_RDF_TYPE_INT16:
	case LDNS_RDF_TYPE_INT32:
		return "not a valid number";
	default:
		return "unexpected token";
	}
}

/* Walks tokens and fields in step while each field is one token. */
static void
rdata_walk_fields(const struct rdata_source *source, const ldns_rr_descriptor *descriptor,
	bool diagnose, const char *ldns_problem, struct rdata_walk *walk)
{
	size_t maximum = ldns_rr_descriptor_maximum(descriptor);
	size_t count = source->record->token_count;
	memset(walk, 0, sizeof *walk);
	for (walk->token = source->first; walk->token < count && walk->field < maximum;
		walk->token++, walk->field++) {
		ldns_rdf_type type = ldns_rr_descriptor_field_type(descriptor, walk->field);
		if (!rdata_field_is_one_token(type)) {
			walk->stopped = true;
			if (walk->field + 1 == maximum)
				rdata_check_tail(source, type, diagnose, walk);
			return;
		}
		walk->problem = rdata_check_quoted(source, type, walk->token);
		if (walk->problem == NULL)
			walk->problem = rdata_check_field(source, type,
				rdata_token_text(source, walk->token), diagnose, ldns_problem);
		if (walk->problem != NULL)
			return;
	}
}

/* Reports a walk's problem at its token, or at the end of the record. */
static int
rdata_report_walk(const struct rdata_source *source, const struct rdata_walk *walk)
{
	if (walk->token < source->record->token_count)
		return rdata_error_near(source, walk->token, walk->problem);
	return rdata_report_eol(source, walk->problem);
}

/* Names the token ldns failed on, with BIND's words where we know them. */
static int
rdata_diagnose(const struct rdata_source *source, const ldns_rr_descriptor *descriptor,
	ldns_status status)
{
	/* ldns's catch-all is BIND's plain "syntax error". */
	const char *ldns_problem = status == LDNS_STATUS_SYNTAX_RDATA_ERR ? "syntax error"
		: ldns_get_errorstr_by_id(status);
	size_t count = source->record->token_count;
	struct rdata_walk walk;
	rdata_walk_fields(source, descriptor, true, ldns_problem, &walk);
	if (walk.problem != NULL)
		return rdata_report_walk(source, &walk);
	if (!walk.stopped && walk.token >= count
		&& walk.field < ldns_rr_descriptor_minimum(descriptor))
		return rdata_error_eol(source);
	if (!walk.stopped && walk.token < count)
		return rdata_error_near(source, walk.token, "extra input text");
	if (walk.token < count)
		return rdata_error_near(source, walk.token, ldns_problem);
	diag_report(source->d, DIAG_ERROR, source->file, source->record->end_line, "%s",
		ldns_problem);
	return ZONED_ESYNTAX;
}

/*
 * Writes ". 0 IN TYPEnnn <rdata>" for ldns: the owner, TTL and class are
 * ours already, and TYPEnnn skips ldns's linear mnemonic lookup.
 */
static int
rdata_build_text(struct rdata_parser *parser, const struct rdata_source *source,
	const ldns_rr_descriptor *descriptor)
{
	const struct lex_record *record = source->record;
	size_t rdata_length = 0;
	for (size_t i = source->first; i < record->token_count; i++)
		rdata_length += record->tokens[i].length + 3;
	/* ldns reads at most LDNS_MAX_PACKETLEN octets of rdata text and truncates silently. */
	if (rdata_length >= LDNS_MAX_PACKETLEN) {
		diag_report(source->d, DIAG_ERROR, source->file,
			rdata_token_line(source, source->first),
			"rdata text too long (%u octets or more)", LDNS_MAX_PACKETLEN);
		return ZONED_ESYNTAX;
	}
	size_t needed = rdata_length + 32;
	if (needed > parser->text_capacity) {
		size_t capacity = parser->text_capacity ? parser->text_capacity : 1024;
		while (capacity < needed)
			capacity *= 2;
		char *text = realloc(parser->text, capacity);
		if (text == NULL)
			return ZONED_ENOMEM;
		parser->text = text;
		parser->text_capacity = capacity;
	}
	char *p = parser->text;
	p += sprintf(p, ". 0 IN TYPE%u", source->type);
	size_t maximum = ldns_rr_descriptor_maximum(descriptor);
	bool aligned = true;         /* token i is still field i */
	for (size_t i = source->first; i < record->token_count; i++) {
		const struct lex_token *token = &record->tokens[i];
		size_t field = i - source->first;
		bool quote = token->quoted;
		if (aligned && field < maximum) {
			ldns_rdf_type type = ldns_rr_descriptor_field_type(descriptor, field);
			/* ldns reads a CAA value only quoted; BIND also bare (RFC 8659 4.1.1). */
			quote = quote || type == LDNS_RDF_TYPE_LONG_STR;
			aligned = rdata_field_is_one_token(type);
		}
		*p++ = ' ';
		if (quote)
			*p++ = '"';
		memcpy(p, record->text + token->offset, token->length);
		p += token->length;
		if (quote)
			*p++ = '"';
	}
	*p = '\0';
	return 0;
}

/* A and AAAA: ldns_str2rdf_a/_aaaa are inet_pton, so this gives the same result. */
static bool
rdata_parse_address(struct rdata_parser *parser, const struct rdata_source *source)
{
	const struct lex_record *record = source->record;
	if (record->token_count - source->first != 1 || record->tokens[source->first].quoted)
		return false;
	const char *text = rdata_token_text(source, source->first);
	if (source->type == RRTYPE_A && inet_pton(AF_INET, text, parser->data) == 1) {
		parser->length = 4;
		return true;
	}
	if (source->type == RRTYPE_AAAA && inet_pton(AF_INET6, text, parser->data) == 1) {
		parser->length = 16;
		return true;
	}
	return false;
}

/*
 * True for a name token of letters, digits and "-_*./" only: for these
 * ldns_str2rdf_dname and rdata_name_from_text agree octet for octet (no
 * escapes, no "@" that ldns would replace by the origin).
 */
static bool
rdata_is_plain_name(const struct lex_token *token, const char *text)
{
	if (token->quoted || token->length == 0)
		return false;
	for (; *text != '\0'; text++) {
		unsigned char c = (unsigned char)*text;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
			|| c == '-' || c == '_' || c == '*' || c == '.' || c == '/'))
			return false;
	}
	return true;
}

/* Appends a plain name token; false when it is not one or does not parse. */
static bool
rdata_put_plain_name(struct rdata_parser *parser, const struct rdata_source *source,
	size_t index)
{
	const char *text = rdata_token_text(source, index), *problem = NULL;
	if (!rdata_is_plain_name(&source->record->tokens[index], text))
		return false;
	size_t length = rdata_name_from_text(text, source->origin, source->origin_length,
		parser->data + parser->length, &problem);
	parser->length += length;
	return length > 0;
}

/*
 * NS, CNAME, PTR, DNAME and MX with plain tokens, the bulk of a large
 * zone after A/AAAA. Anything unusual (escapes, "@", errors) returns false
 * and goes through ldns, so data and messages stay exactly ldns's.
 */
static bool
rdata_parse_name_fast(struct rdata_parser *parser, const struct rdata_source *source)
{
	size_t count = source->record->token_count - source->first, index = source->first;
	parser->length = 0;
	if (source->type == RRTYPE_MX) {
		const char *preference = rdata_token_text(source, index);
		if (count != 2 || source->record->tokens[index].quoted
			|| source->record->tokens[index].length > 5
			|| rdata_check_number(preference, UINT16_MAX) != NULL)
			return false;
		unsigned long value = strtoul(preference, NULL, 10);
		parser->data[0] = (uint8_t)(value >> 8);
		parser->data[1] = (uint8_t)value;
		parser->length = 2;
		index++;
	} else if (count != 1) {
		return false;
	}
	return rdata_put_plain_name(parser, source, index);
}

/*
 * TXT and SPF whose strings are printable ASCII without escapes, quotes,
 * parentheses or semicolons: each is its length octet and its octets, as
 * ldns_str2rdf_str makes it. Anything else goes through ldns.
 */
static bool
rdata_parse_text_fast(struct rdata_parser *parser, const struct rdata_source *source)
{
	const struct lex_record *record = source->record;
	if (source->first >= record->token_count)
		return false;
	parser->length = 0;
	for (size_t i = source->first; i < record->token_count; i++) {
		const struct lex_token *token = &record->tokens[i];
		const char *text = record->text + token->offset;
		if (token->length > 255 || parser->length + 1 + token->length > RDATA_MAX_LENGTH)
			return false;
		for (size_t k = 0; k < token->length; k++) {
			unsigned char c = (unsigned char)text[k];
			if (c < 0x20 || c > 0x7e || c == '\\' || c == '"' || c == '(' || c == ')'
				|| c == ';')
				return false;
		}
		parser->data[parser->length++] = (uint8_t)token->length;
		memcpy(parser->data + parser->length, text, token->length);
		parser->length += token->length;
	}
	return true;
}

/*
 * RFC 4398 2.1: CERT type 0 is reserved, yet BIND takes it. ldns refuses
 * it (and leaks the field it made), so ldns reads type 1 in its place and
 * rdata_parse() writes the 0 back. True when that was done.
 */
static bool
rdata_cert_type_zero(struct rdata_parser *parser, const struct rdata_source *source)
{
	const struct lex_token *token = &source->record->tokens[source->first];
	const char *text = rdata_token_text(source, source->first);
	if (text[0] < '0' || text[0] > '9' || strspn(text, "0") != token->length)
		return false;
	char *field = strchr(parser->text + 2, ' ');   /* after ". 0" */
	field = strchr(field + 1, ' ');                 /* after "IN" */
	field = strchr(field + 1, ' ') + 1;             /* after "TYPE37" */
	if (*field == '"')
		field++;
	memset(field, ' ', token->length);
	field[0] = '1';
	return true;
}

/*
 * RFC 2874 3.1: A6 is a prefix length (0-128), the address bits after the
 * prefix (in 16 - length/8 octets, the prefix bits cleared) and, unless
 * the length is 0, the prefix name. ldns cannot read it; BIND can.
 */
static int
rdata_parse_a6(struct rdata_parser *parser, const struct rdata_source *source)
{
	size_t index = source->first, count = source->record->token_count;
	uint8_t address[16];
	if (index >= count)
		return rdata_error_eol(source);
	const char *problem = rdata_check_number(rdata_token_text(source, index), 128);
	if (problem != NULL)
		return rdata_error_near(source, index, problem);
	unsigned prefix = (unsigned)strtoul(rdata_token_text(source, index++), NULL, 10);
	size_t octets = 16 - prefix / 8;
	parser->data[0] = (uint8_t)prefix;
	parser->length = 1;
	if (prefix < 128) {
		if (index >= count)
			return rdata_error_eol(source);
		if (inet_pton(AF_INET6, rdata_token_text(source, index), address) != 1)
			return rdata_error_near(source, index, "bad IPv6 address");
		address[16 - octets] &= (uint8_t)(0xff >> (prefix % 8));
		memcpy(parser->data + 1, address + 16 - octets, octets);
		parser->length += octets;
		index++;
	}
	if (prefix > 0) {
		if (index >= count)
			return rdata_error_eol(source);
		const char *text = rdata_token_text(source, index);
		size_t length = rdata_name_from_text(text, source->origin, source->origin_length,
			parser->data + parser->length, &problem);
		if (length == 0)
			return rdata_error_near(source, index, problem);
		parser->length += length;
		index++;
	}
	if (index < count)
		return rdata_error_near(source, index, "extra input text");
	return 0;
}

/* The fast paths; false sends the record through ldns. */
static bool
rdata_parse_fast(struct rdata_parser *parser, const struct rdata_source *source)
{
	switch (source->type) {
	case RRTYPE_A:
	case RRTYPE_AAAA:
		return rdata_parse_address(parser, source);
	case RRTYPE_NS:
	case RRTYPE_CNAME:
	case RRTYPE_PTR:
	case RRTYPE_MX:
	case RRTYPE_DNAME:
		return rdata_parse_name_fast(parser, source);
	case RRTYPE_TXT:
	case RRTYPE_SPF:
		return rdata_parse_text_fast(parser, source);
	default:
		return false;
	}
}

int
rdata_parse(struct rdata_parser *parser, const struct rdata_source *source)
{
	const struct lex_record *record = source->record;
	parser->length = 0;
	if (source->first < record->token_count && rdata_parse_fast(parser, source))
		return 0;
	parser->length = 0;
	if (source->first < record->token_count && !record->tokens[source->first].quoted
		&& strcmp(rdata_token_text(source, source->first), "\\#") == 0)
		return rdata_parse_generic(parser, source);
	if (source->type == RRTYPE_A6)
		return rdata_parse_a6(parser, source);
	const ldns_rr_descriptor *descriptor = rdata_descriptor(source->type);
	if (descriptor == NULL) {
		/* RFC 3597 5: a type without a known format takes only \# rdata. */
		if (source->first >= record->token_count)
			return rdata_error_eol(source);
		return rdata_error_near(source, source->first, "unknown class/type");
	}
	int rc = rdata_check_text(source);
	if (rc == 0)
		rc = rdata_set_origin(parser, source);
	if (rc == 0)
		rc = rdata_build_text(parser, source, descriptor);
	if (rc != 0)
		return rc;
	bool cert_type_zero = false;
	if (source->type == RRTYPE_CERT && source->first < record->token_count) {
		const char *problem = rdata_check_field(source, LDNS_RDF_TYPE_CERT_ALG,
			rdata_token_text(source, source->first), false, NULL);
		if (problem != NULL)
			return rdata_error_near(source, source->first, problem);
		cert_type_zero = rdata_cert_type_zero(parser, source);
	}
	ldns_rr *rr = NULL;
	ldns_status status = ldns_rr_new_frm_str(&rr, parser->text, 0, parser->origin_rdf, NULL);
	if (status == LDNS_STATUS_MEM_ERR)
		return ZONED_ENOMEM;
	if (status != LDNS_STATUS_OK)
		return rdata_diagnose(source, descriptor, status);
	rc = rdata_copy_fields(parser, source, rr);
	ldns_rr_free(rr);
	if (rc != 0)
		return rc;
	if (cert_type_zero)
		parser->data[0] = parser->data[1] = 0;
	struct rdata_walk walk;
	rdata_walk_fields(source, descriptor, false, NULL, &walk);
	if (walk.problem != NULL)
		return rdata_report_walk(source, &walk);
	return rdata_check_wire(parser->data, parser->length, source);
}

int
rdata_report_unbalanced(const struct rdata_source *source, unsigned long eof_line)
{
	const struct lex_record *record = source->record;
	const ldns_rr_descriptor *descriptor = rdata_descriptor(source->type);
	bool generic = source->first < record->token_count
		&& strcmp(rdata_token_text(source, source->first), "\\#") == 0;
	/* BIND's string lists (TXT, SPF) and type bitmaps read on to the end themselves. */
	if (!generic && descriptor != NULL && (descriptor->_variable == LDNS_RDF_TYPE_STR
		|| ldns_rr_descriptor_field_type(descriptor, ldns_rr_descriptor_maximum(descriptor) - 1)
			== LDNS_RDF_TYPE_NSEC)) {
		diag_report(source->d, DIAG_ERROR, source->file, eof_line,
			"near eof: unbalanced parentheses");
	} else {
		diag_report(source->d, DIAG_ERROR, source->file,
			record->tokens[record->token_count - 1].line, "unbalanced parentheses");
	}
	return ZONED_ESYNTAX;
}
