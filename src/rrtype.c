/*
 * rrtype.c: the one table of what zoned knows about each RR type, and the
 * type and class mnemonics. Rows follow the RFCs that define each type;
 * the mnemonics are ldns's, which parses the rdata, so the loader accepts
 * exactly the types it can parse and the dump prints the names it did.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zoned/rrtype.h"

/* Short names for the field kinds, only for the table below. */
#define NC RRTYPE_FIELD_NAME_COMPRESSED
#define N RRTYPE_FIELD_NAME
#define U8 RRTYPE_FIELD_U8
#define U16 RRTYPE_FIELD_U16
#define U32 RRTYPE_FIELD_U32
#define U48 RRTYPE_FIELD_U48
#define U64 RRTYPE_FIELD_U64
#define EUI48 RRTYPE_FIELD_EUI48
#define A4 RRTYPE_FIELD_ADDRESS4
#define A6 RRTYPE_FIELD_ADDRESS6
#define S RRTYPE_FIELD_STRING
#define SS RRTYPE_FIELD_STRINGS
#define B8 RRTYPE_FIELD_BINARY_U8
#define B16 RRTYPE_FIELD_BINARY_U16
#define R RRTYPE_FIELD_REMAINDER

#define META RRTYPE_META
#define DNSSEC RRTYPE_DNSSEC
#define AT_CNAME RRTYPE_AT_CNAME
#define SINGLETON RRTYPE_SINGLETON

/*
 * One row: type, mnemonic, flags, additional target offset (-1: none),
 * first compressible name's offset and how many, then the fields.
 */
#define ROW_OF(code, text, flags, target, compressed_offset, compressed_names, ...) \
	{ code, (flags) | ((target) >= 0 ? RRTYPE_ADDITIONAL : 0), (target) >= 0 ? (target) : 0, \
		compressed_offset, compressed_names, { __VA_ARGS__ }, text }
#define ROW(name, ...) [RRTYPE_##name] = ROW_OF(RRTYPE_##name, #name, __VA_ARGS__)

/*
 * RFC 3597 4: only the names in the RFC 1035 types (NS, MD, MF, CNAME,
 * SOA, MB, MG, MR, PTR, MINFO, MX) may be compressed; every later type's
 * names go out as they are.
 */
const struct rrtype_info rrtype_dense[RRTYPE_DENSE_LIMIT] = {
	ROW(A, 0, -1, 0, 0, A4),
	ROW(NS, 0, 0, 0, 1, NC),                        /* RFC 1035 3.3.11 */
	ROW(MD, 0, -1, 0, 1, NC),
	ROW(MF, 0, -1, 0, 1, NC),
	ROW(CNAME, SINGLETON, -1, 0, 1, NC),            /* RFC 2181 10.1 */
	ROW(SOA, SINGLETON, -1, 0, 2, NC, NC, U32, U32, U32, U32, U32),
	ROW(MB, 0, -1, 0, 1, NC),
	ROW(MG, 0, -1, 0, 1, NC),
	ROW(MR, 0, -1, 0, 1, NC),
	ROW(NULL, 0, -1, 0, 0, R),
	ROW(WKS, 0, -1, 0, 0, A4, U8, R),
	ROW(PTR, 0, -1, 0, 1, NC),
	ROW(HINFO, 0, -1, 0, 0, S, S),
	ROW(MINFO, 0, -1, 0, 2, NC, NC),
	ROW(MX, 0, 2, 2, 1, U16, NC),                   /* RFC 1035 3.3.9 */
	ROW(TXT, 0, -1, 0, 0, SS),
	ROW(RP, 0, -1, 0, 0, N, N),                     /* RFC 1183 */
	ROW(AFSDB, 0, -1, 0, 0, U16, N),
	ROW(X25, 0, -1, 0, 0, S),
	ROW(ISDN, 0, -1, 0, 0, SS),
	ROW(RT, 0, -1, 0, 0, U16, N),
	ROW(NSAP, 0, -1, 0, 0, R),                      /* RFC 1706 */
	[RRTYPE_NSAP_PTR] = ROW_OF(RRTYPE_NSAP_PTR, "NSAP-PTR", 0, -1, 0, 0, N),
	ROW(SIG, AT_CNAME, -1, 0, 0, U16, U8, U8, U32, U32, U32, U16, N, R),  /* RFC 2931 */
	ROW(KEY, AT_CNAME, -1, 0, 0, U16, U8, U8, R),   /* RFC 2535 */
	ROW(PX, 0, -1, 0, 0, U16, N, N),                /* RFC 2163 */
	ROW(GPOS, 0, -1, 0, 0, S, S, S),                /* RFC 1712 */
	ROW(AAAA, 0, -1, 0, 0, A6),
	ROW(LOC, 0, -1, 0, 0, R),                       /* RFC 1876 */
	ROW(NXT, 0, -1, 0, 0, N, R),                    /* RFC 2535; BIND: not beside a CNAME */
	ROW(EID, 0, -1, 0, 0, R),
	ROW(NIMLOC, 0, -1, 0, 0, R),
	ROW(SRV, 0, 6, 0, 0, U16, U16, U16, N),         /* RFC 2782 */
	ROW(ATMA, 0, -1, 0, 0, R),
	ROW(NAPTR, 0, -1, 0, 0, U16, U16, S, S, S, N),  /* RFC 3403 */
	ROW(KX, 0, -1, 0, 0, U16, N),                   /* RFC 2230 */
	ROW(CERT, 0, -1, 0, 0, U16, U16, U8, R),        /* RFC 4398 */
	ROW(A6, 0, -1, 0, 0, R),                        /* RFC 2874: variable parts */
	ROW(DNAME, SINGLETON, -1, 0, 0, N),             /* RFC 6672 2.4 */
	ROW(SINK, 0, -1, 0, 0, R),
	ROW(OPT, META, -1, 0, 0, R),                    /* RFC 6891 6.1.1 */
	ROW(APL, 0, -1, 0, 0, R),                       /* RFC 3123 */
	ROW(DS, DNSSEC | RRTYPE_PARENT_SIDE, -1, 0, 0, U16, U8, U8, R),  /* RFC 4034 5 */
	ROW(SSHFP, 0, -1, 0, 0, U8, U8, R),             /* RFC 4255 */
	ROW(IPSECKEY, 0, -1, 0, 0, U8, U8, U8, R),      /* RFC 4025: the gateway varies */
	ROW(RRSIG, DNSSEC | AT_CNAME, -1, 0, 0, U16, U8, U8, U32, U32, U32, U16, N, R),
	ROW(NSEC, DNSSEC | AT_CNAME, -1, 0, 0, N, R),   /* RFC 4034 4 */
	ROW(DNSKEY, DNSSEC, -1, 0, 0, U16, U8, U8, R),  /* RFC 4034 2 */
	ROW(DHCID, 0, -1, 0, 0, R),                     /* RFC 4701 */
	ROW(NSEC3, DNSSEC, -1, 0, 0, U8, U8, U16, B8, B8, R),  /* RFC 5155 3.2 */
	ROW(NSEC3PARAM, DNSSEC, -1, 0, 0, U8, U8, U16, B8),    /* RFC 5155 4.2 */
	ROW(TLSA, 0, -1, 0, 0, U8, U8, U8, R),          /* RFC 6698 */
	ROW(SMIMEA, 0, -1, 0, 0, U8, U8, U8, R),        /* RFC 8162 */
	ROW(HIP, 0, -1, 0, 0, R),                       /* RFC 8005 */
	ROW(TALINK, 0, -1, 0, 0, N, N),
	ROW(CDS, DNSSEC, -1, 0, 0, U16, U8, U8, R),     /* RFC 7344 */
	ROW(CDNSKEY, DNSSEC, -1, 0, 0, U16, U8, U8, R),
	ROW(OPENPGPKEY, 0, -1, 0, 0, R),                /* RFC 7929 */
	ROW(CSYNC, 0, -1, 0, 0, U32, U16, R),           /* RFC 7477 */
	ROW(ZONEMD, 0, -1, 0, 0, U32, U8, U8, R),       /* RFC 8976 */
	/* RFC 9460 2.2 and 4.1: the target's addresses help; "." is the owner. */
	ROW(SVCB, RRTYPE_TARGET_DOT_IS_OWNER, 2, 0, 0, U16, N, R),
	ROW(HTTPS, RRTYPE_TARGET_DOT_IS_OWNER, 2, 0, 0, U16, N, R),
	ROW(SPF, 0, -1, 0, 0, SS),                      /* RFC 7208 3.1 */
	ROW(NID, 0, -1, 0, 0, U16, U64),                /* RFC 6742 */
	ROW(L32, 0, -1, 0, 0, U16, A4),
	ROW(L64, 0, -1, 0, 0, U16, U64),
	ROW(LP, 0, -1, 0, 0, U16, N),
	ROW(EUI48, 0, -1, 0, 0, EUI48),                 /* RFC 7043 */
	ROW(EUI64, 0, -1, 0, 0, U64),
	ROW(TKEY, META, -1, 0, 0, N, U32, U32, U16, U16, B16, B16),     /* RFC 2930 */
	ROW(TSIG, META, -1, 0, 0, N, U48, U16, B16, U16, U16, B16),     /* RFC 8945 */
	ROW(IXFR, META, -1, 0, 0, RRTYPE_FIELD_END),    /* RFC 1995 */
	ROW(AXFR, META, -1, 0, 0, RRTYPE_FIELD_END),    /* RFC 5936 */
	ROW(MAILB, META, -1, 0, 0, RRTYPE_FIELD_END),   /* RFC 1035 3.2.3 */
	ROW(MAILA, META, -1, 0, 0, RRTYPE_FIELD_END),
	ROW(ANY, META, -1, 0, 0, RRTYPE_FIELD_END),     /* RFC 8482 */
	ROW(URI, 0, -1, 0, 0, U16, U16, R),             /* RFC 7553 */
	ROW(CAA, 0, -1, 0, 0, U8, S, R),                /* RFC 8659 */
};

/* The types at and above RRTYPE_DENSE_LIMIT, in type order. */
static const struct rrtype_info rrtype_sparse[] = {
	ROW_OF(RRTYPE_DLV, "DLV", DNSSEC, -1, 0, 0, U16, U8, U8, R),  /* RFC 4431 */
};

#define SPARSE_COUNT (sizeof rrtype_sparse / sizeof rrtype_sparse[0])

/* What rrtype_info() returns for a type the table does not know. */
static const struct rrtype_info rrtype_unknown = ROW_OF(0, NULL, 0, -1, 0, 0, RRTYPE_FIELD_END);

const struct rrtype_info *
rrtype_info_sparse(uint16_t type)
{
	for (size_t i = 0; i < SPARSE_COUNT; i++) {
		if (rrtype_sparse[i].type == type)
			return &rrtype_sparse[i];
	}
	return &rrtype_unknown;
}

size_t
rrtype_count(void)
{
	size_t count = SPARSE_COUNT;
	for (size_t type = 0; type < RRTYPE_DENSE_LIMIT; type++)
		count += rrtype_dense[type].mnemonic != NULL;
	return count;
}

const struct rrtype_info *
rrtype_row(size_t index)
{
	for (size_t type = 0; type < RRTYPE_DENSE_LIMIT; type++) {
		if (rrtype_dense[type].mnemonic != NULL && index-- == 0)
			return &rrtype_dense[type];
	}
	return index < SPARSE_COUNT ? &rrtype_sparse[index] : NULL;
}

/* Writes prefix and number: RFC 3597 5's TYPEnnn and CLASSnnn. */
static const char *
rrtype_number_text(const char *prefix, uint16_t number, char buffer[RRTYPE_TEXT_MAX])
{
	snprintf(buffer, RRTYPE_TEXT_MAX, "%s%u", prefix, (unsigned)number);
	return buffer;
}

/* Parses the decimal number after a TYPE or CLASS prefix, up to 65535. */
static bool
rrtype_number_from_text(const char *text, uint16_t *value)
{
	uint32_t number = 0;
	if (*text == '\0')
		return false;
	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9')
			return false;
		number = number * 10 + (uint32_t)(*text - '0');
		if (number > UINT16_MAX)
			return false;
	}
	*value = (uint16_t)number;
	return true;
}

const char *
rrtype_to_text(uint16_t type, char buffer[RRTYPE_TEXT_MAX])
{
	const char *mnemonic = rrtype_info(type)->mnemonic;
	return mnemonic != NULL ? mnemonic : rrtype_number_text("TYPE", type, buffer);
}

/* The row whose mnemonic is text (any case), or NULL. */
static const struct rrtype_info *
rrtype_find_mnemonic(const char *text)
{
	/* Dense rows in type order: the common types are the low numbers. */
	char first = (char)(text[0] & ~0x20);
	for (size_t type = 0; type < RRTYPE_DENSE_LIMIT; type++) {
		const char *mnemonic = rrtype_dense[type].mnemonic;
		if (mnemonic != NULL && mnemonic[0] == first && strcasecmp(mnemonic, text) == 0)
			return &rrtype_dense[type];
	}
	for (size_t i = 0; i < SPARSE_COUNT; i++) {
		if (strcasecmp(rrtype_sparse[i].mnemonic, text) == 0)
			return &rrtype_sparse[i];
	}
	return NULL;
}

bool
rrtype_from_text(const char *text, uint16_t *type)
{
	if (strncasecmp(text, "TYPE", 4) == 0)
		return rrtype_number_from_text(text + 4, type);
	const struct rrtype_info *info = rrtype_find_mnemonic(text);
	if (info == NULL)
		return false;
	*type = info->type;
	return true;
}

/* Class mnemonics; the first of each number is the one printed. */
static const struct {
	const char *mnemonic;
	uint16_t rr_class;
} rrclass_names[] = {
	{ "IN", RRCLASS_IN }, { "CH", RRCLASS_CH }, { "CHAOS", RRCLASS_CH },
	{ "HS", RRCLASS_HS }, { "HESIOD", RRCLASS_HS }, { "NONE", RRCLASS_NONE },
	{ "ANY", RRCLASS_ANY },
};

#define RRCLASS_NAME_COUNT (sizeof rrclass_names / sizeof rrclass_names[0])

const char *
rrclass_to_text(uint16_t rr_class, char buffer[RRTYPE_TEXT_MAX])
{
	for (size_t i = 0; i < RRCLASS_NAME_COUNT; i++) {
		if (rrclass_names[i].rr_class == rr_class)
			return rrclass_names[i].mnemonic;
	}
	return rrtype_number_text("CLASS", rr_class, buffer);
}

/*
 * True when text is mnemonic (letters only) ignoring case: | 0x20 folds
 * only letters onto a-z, so no other octet can pass for one.
 */
static bool
rrtype_mnemonic_equal(const char *text, const char *mnemonic)
{
	size_t i = 0;
	for (; mnemonic[i] != '\0'; i++) {
		if (((unsigned char)text[i] | 0x20) != (unsigned char)(mnemonic[i] | 0x20))
			return false;
	}
	return text[i] == '\0';
}

bool
rrclass_from_text(const char *text, uint16_t *rr_class)
{
	/*
	 * The loader offers most header tokens here first ("3600", "A", "MX"):
	 * the first letter compared before the rest, inline, instead of a
	 * strcasecmp per mnemonic, took rrclass_from_text from 842 to 226
	 * instructions per record loaded (callgrind, the 200k-record benchmark
	 * zone; 2 calls a record).
	 */
	unsigned char first = (unsigned char)text[0] | 0x20;
	for (size_t i = 0; i < RRCLASS_NAME_COUNT; i++) {
		if (((unsigned char)rrclass_names[i].mnemonic[0] | 0x20) == first
			&& rrtype_mnemonic_equal(text, rrclass_names[i].mnemonic)) {
			*rr_class = rrclass_names[i].rr_class;
			return true;
		}
	}
	return first == 'c' && strncasecmp(text, "CLASS", 5) == 0
		&& rrtype_number_from_text(text + 5, rr_class);
}

/* Octets of the character-strings from offset to the end, or RRTYPE_FIELD_BAD. */
static size_t
rrtype_strings_length(const uint8_t *rdata, size_t length, size_t offset)
{
	size_t position = offset;
	while (position < length)
		position += 1 + (size_t)rdata[position];
	return position == length ? length - offset : RRTYPE_FIELD_BAD;
}

size_t
rrtype_field_length(enum rrtype_field field, const uint8_t *rdata, size_t length,
	size_t offset)
{
	static const uint8_t fixed[] = {
		[RRTYPE_FIELD_U8] = 1, [RRTYPE_FIELD_U16] = 2, [RRTYPE_FIELD_U32] = 4,
		[RRTYPE_FIELD_U48] = 6, [RRTYPE_FIELD_U64] = 8, [RRTYPE_FIELD_EUI48] = 6,
		[RRTYPE_FIELD_ADDRESS4] = 4, [RRTYPE_FIELD_ADDRESS6] = 16,
	};
	if (offset > length)
		return RRTYPE_FIELD_BAD;
	size_t left = length - offset, used;
	switch (field) {
	case RRTYPE_FIELD_NAME_COMPRESSED:
	case RRTYPE_FIELD_NAME:
		used = rrtype_name_length(rdata, length, offset);
		return used == 0 ? RRTYPE_FIELD_BAD : used;
	case RRTYPE_FIELD_STRING:
	case RRTYPE_FIELD_BINARY_U8:
		used = left < 1 ? RRTYPE_FIELD_BAD : 1 + (size_t)rdata[offset];
		break;
	case RRTYPE_FIELD_BINARY_U16:
		used = left < 2 ? RRTYPE_FIELD_BAD
			: 2 + ((size_t)rdata[offset] << 8 | rdata[offset + 1]);
		break;
	case RRTYPE_FIELD_STRINGS:
		return rrtype_strings_length(rdata, length, offset);
	case RRTYPE_FIELD_REMAINDER:
		return left;
	case RRTYPE_FIELD_END:
		return RRTYPE_FIELD_BAD;
	default:
		used = fixed[field];
		break;
	}
	return used <= left ? used : RRTYPE_FIELD_BAD;
}

const uint8_t *
rrtype_rdata_name(uint16_t type, const uint8_t *rdata, size_t length, unsigned index)
{
	const uint8_t *fields = rrtype_info(type)->fields;
	size_t offset = 0;
	for (size_t i = 0; i < RRTYPE_FIELDS_MAX && fields[i] != RRTYPE_FIELD_END; i++) {
		size_t used = rrtype_field_length(fields[i], rdata, length, offset);
		if (used == RRTYPE_FIELD_BAD)
			return NULL;
		bool name = fields[i] == RRTYPE_FIELD_NAME || fields[i] == RRTYPE_FIELD_NAME_COMPRESSED;
		if (name && index-- == 0)
			return rdata + offset;
		offset += used;
	}
	return NULL;
}
