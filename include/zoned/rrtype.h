/*
 * rrtype.h: what zoned knows about each RR type, in one table: the type
 * number and mnemonic, the rdata field layout, which rdata names may be
 * compressed on the wire, which name asks for additional-section
 * processing, which types may sit beside a CNAME, which are DNSSEC types
 * and which are meta types that never sit in a zone. Also the class
 * mnemonics, the RFC 3597 TYPEnnn / CLASSnnn forms, and a walker over the
 * (2-octet rdlength, rdata) records of a stored RRset.
 *
 * Adding a type is one row in rrtype.c. Lookups by number read an array
 * (no string work), so the query path may use them freely.
 */
#ifndef ZONED_RRTYPE_H
#define ZONED_RRTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The type numbers zoned names (IANA "Resource Record (RR) TYPEs"). */
enum {
	RRTYPE_A = 1,
	RRTYPE_NS = 2,
	RRTYPE_MD = 3,
	RRTYPE_MF = 4,
	RRTYPE_CNAME = 5,
	RRTYPE_SOA = 6,
	RRTYPE_MB = 7,
	RRTYPE_MG = 8,
	RRTYPE_MR = 9,
	RRTYPE_NULL = 10,
	RRTYPE_WKS = 11,
	RRTYPE_PTR = 12,
	RRTYPE_HINFO = 13,
	RRTYPE_MINFO = 14,
	RRTYPE_MX = 15,
	RRTYPE_TXT = 16,
	RRTYPE_RP = 17,
	RRTYPE_AFSDB = 18,
	RRTYPE_X25 = 19,
	RRTYPE_ISDN = 20,
	RRTYPE_RT = 21,
	RRTYPE_NSAP = 22,
	RRTYPE_NSAP_PTR = 23,
	RRTYPE_SIG = 24,
	RRTYPE_KEY = 25,
	RRTYPE_PX = 26,
	RRTYPE_GPOS = 27,
	RRTYPE_AAAA = 28,
	RRTYPE_LOC = 29,
	RRTYPE_NXT = 30,
	RRTYPE_EID = 31,
	RRTYPE_NIMLOC = 32,
	RRTYPE_SRV = 33,
	RRTYPE_ATMA = 34,
	RRTYPE_NAPTR = 35,
	RRTYPE_KX = 36,
	RRTYPE_CERT = 37,
	RRTYPE_A6 = 38,
	RRTYPE_DNAME = 39,
	RRTYPE_SINK = 40,
	RRTYPE_OPT = 41,
	RRTYPE_APL = 42,
	RRTYPE_DS = 43,
	RRTYPE_SSHFP = 44,
	RRTYPE_IPSECKEY = 45,
	RRTYPE_RRSIG = 46,
	RRTYPE_NSEC = 47,
	RRTYPE_DNSKEY = 48,
	RRTYPE_DHCID = 49,
	RRTYPE_NSEC3 = 50,
	RRTYPE_NSEC3PARAM = 51,
	RRTYPE_TLSA = 52,
	RRTYPE_SMIMEA = 53,
	RRTYPE_HIP = 55,
	RRTYPE_TALINK = 58,
	RRTYPE_CDS = 59,
	RRTYPE_CDNSKEY = 60,
	RRTYPE_OPENPGPKEY = 61,
	RRTYPE_CSYNC = 62,
	RRTYPE_ZONEMD = 63,
	RRTYPE_SVCB = 64,
	RRTYPE_HTTPS = 65,
	RRTYPE_SPF = 99,
	RRTYPE_NID = 104,
	RRTYPE_L32 = 105,
	RRTYPE_L64 = 106,
	RRTYPE_LP = 107,
	RRTYPE_EUI48 = 108,
	RRTYPE_EUI64 = 109,
	RRTYPE_TKEY = 249,
	RRTYPE_TSIG = 250,
	RRTYPE_IXFR = 251,
	RRTYPE_AXFR = 252,
	RRTYPE_MAILB = 253,
	RRTYPE_MAILA = 254,
	RRTYPE_ANY = 255,
	RRTYPE_URI = 256,
	RRTYPE_CAA = 257,
	RRTYPE_DLV = 32769,
};

/* The classes zoned names (RFC 1035 3.2.4, RFC 2136 2.4). */
enum {
	RRCLASS_IN = 1,
	RRCLASS_CH = 3,
	RRCLASS_HS = 4,
	RRCLASS_NONE = 254,
	RRCLASS_ANY = 255,
};

/* One rdata field's wire form. */
enum rrtype_field {
	RRTYPE_FIELD_END = 0,        /* no more fields */
	RRTYPE_FIELD_NAME_COMPRESSED,/* a name that may be compressed (RFC 3597 4) */
	RRTYPE_FIELD_NAME,           /* a name never compressed */
	RRTYPE_FIELD_U8,
	RRTYPE_FIELD_U16,
	RRTYPE_FIELD_U32,
	RRTYPE_FIELD_U48,            /* TSIG time signed (RFC 8945 4.2) */
	RRTYPE_FIELD_U64,            /* 8 octets: EUI-64, ILNP locators (RFC 6742) */
	RRTYPE_FIELD_EUI48,          /* 6 octets (RFC 7043) */
	RRTYPE_FIELD_ADDRESS4,       /* 4 octets */
	RRTYPE_FIELD_ADDRESS6,       /* 16 octets */
	RRTYPE_FIELD_STRING,         /* one <character-string> (RFC 1035 3.3) */
	RRTYPE_FIELD_STRINGS,        /* <character-string>s to the end of the rdata */
	RRTYPE_FIELD_BINARY_U8,      /* a length octet, then that many octets */
	RRTYPE_FIELD_BINARY_U16,     /* a 2-octet length, then that many octets */
	RRTYPE_FIELD_REMAINDER,      /* octets to the end (keys, digests, bitmaps ...) */
};

#define RRTYPE_FIELDS_MAX 10

/* Properties of a type, in struct rrtype_info's flags. */
enum rrtype_flags {
	/* A meta type or QTYPE (RFC 6895 3.1): never data in a zone. */
	RRTYPE_META = 1 << 0,
	/* A DNSSEC type (RFC 4034, RFC 5155, RFC 7344, RFC 4431). */
	RRTYPE_DNSSEC = 1 << 1,
	/* May share its owner with a CNAME (RFC 2181 10.1, RFC 4035 2.5; BIND's set). */
	RRTYPE_AT_CNAME = 1 << 2,
	/* At most one record in the RRset (RFC 1035 SOA, RFC 2181 10.1, RFC 6672 2.4). */
	RRTYPE_SINGLETON = 1 << 3,
	/* The additional-section target "." names the owner itself (RFC 9460 2.5). */
	RRTYPE_TARGET_DOT_IS_OWNER = 1 << 4,
	/* Served from the parent side of a zone cut (RFC 4035 3.1.4.1). */
	RRTYPE_PARENT_SIDE = 1 << 5,
	/*
	 * The rdata name at target_offset asks for additional-section
	 * processing (RFC 1034 3.6.2, RFC 2782, RFC 9460 4.1).
	 */
	RRTYPE_ADDITIONAL = 1 << 6,
};

/* One row of the table. */
struct rrtype_info {
	uint16_t type;
	uint8_t flags;                         /* enum rrtype_flags */
	uint8_t target_offset;                 /* with RRTYPE_ADDITIONAL: octets before the name */
	/* Octets before the first compressible name, and how many follow in a row. */
	uint8_t compressed_offset;
	uint8_t compressed_names;
	uint8_t fields[RRTYPE_FIELDS_MAX];     /* enum rrtype_field, END-terminated */
	const char *mnemonic;                  /* NULL: a type zoned does not know */
};

/*
 * Types below this are a direct index into the table; a row above it goes
 * into rrtype.c's sparse list, or raise the limit (the compiler refuses a
 * dense row beyond it).
 */
#define RRTYPE_DENSE_LIMIT 258

extern const struct rrtype_info rrtype_dense[RRTYPE_DENSE_LIMIT];

/* The row for a type above the dense range; a row with no mnemonic when unknown. */
const struct rrtype_info *rrtype_info_sparse(uint16_t type);

/*
 * The row for type; never NULL. An unknown type gets a row whose mnemonic
 * is NULL, flags 0 and no fields. O(1), no string work.
 */
static inline const struct rrtype_info *
rrtype_info(uint16_t type)
{
	if (type < RRTYPE_DENSE_LIMIT)
		return &rrtype_dense[type];
	return rrtype_info_sparse(type);
}

/*
 * Octets before the rdata name whose addresses go to the additional
 * section (NS 0, MX 2, SRV 6, SVCB and HTTPS 2), or -1 for other types.
 */
static inline int
rrtype_target_offset(uint16_t type)
{
	const struct rrtype_info *info = rrtype_info(type);
	return (info->flags & RRTYPE_ADDITIONAL) ? info->target_offset : -1;
}

/* True when the table has a row (a mnemonic) for type. */
static inline bool
rrtype_is_known(uint16_t type)
{
	return rrtype_info(type)->mnemonic != NULL;
}

/* True for a DNSSEC type. */
static inline bool
rrtype_is_dnssec(uint16_t type)
{
	return (rrtype_info(type)->flags & RRTYPE_DNSSEC) != 0;
}

/*
 * True for a type that may not be data in a zone: the meta types and
 * QTYPEs in the table, type 0 and the whole range 128-255 (RFC 6895 3.1).
 */
static inline bool
rrtype_is_meta(uint16_t type)
{
	return type == 0 || (type >= 128 && type <= 255)
		|| (rrtype_info(type)->flags & RRTYPE_META) != 0;
}

/* True when type may share an owner name with a CNAME (not counting CNAME). */
static inline bool
rrtype_allowed_at_cname(uint16_t type)
{
	return (rrtype_info(type)->flags & RRTYPE_AT_CNAME) != 0;
}

/* True when type is served from the parent side of a zone cut (DS). */
static inline bool
rrtype_is_parent_side(uint16_t type)
{
	return (rrtype_info(type)->flags & RRTYPE_PARENT_SIDE) != 0;
}

/* True when an RRset of type may hold only one record. */
static inline bool
rrtype_is_singleton(uint16_t type)
{
	return (rrtype_info(type)->flags & RRTYPE_SINGLETON) != 0;
}

/*
 * Number of rows in the table (dense and sparse), and the i-th row for
 * 0 <= i < rrtype_count(), in type order: for tests and listings.
 */
size_t rrtype_count(void);
const struct rrtype_info *rrtype_row(size_t index);

/* Longest text rrtype_to_text() / rrclass_to_text() write: "TYPE65535" and its NUL. */
#define RRTYPE_TEXT_MAX 16

/*
 * The mnemonic of type ("A"), or RFC 3597's "TYPEnnn" written into buffer
 * for a type without one. Returns a static string or buffer.
 */
const char *rrtype_to_text(uint16_t type, char buffer[RRTYPE_TEXT_MAX]);

/*
 * Parses a mnemonic (any case) or RFC 3597 "TYPEnnn" (nnn up to 65535).
 * Returns false, leaving *type alone, when text is neither.
 */
bool rrtype_from_text(const char *text, uint16_t *type);

/* "IN", "CH", "HS", "NONE", "ANY", or "CLASSnnn" written into buffer. */
const char *rrclass_to_text(uint16_t rr_class, char buffer[RRTYPE_TEXT_MAX]);

/*
 * Parses IN, CH, CHAOS, HS, HESIOD, NONE, ANY (any case) or RFC 3597
 * "CLASSnnn". Returns false, leaving *rr_class alone, when text is none.
 */
bool rrclass_from_text(const char *text, uint16_t *rr_class);

/* What rrtype_field_length() returns for a field that does not fit. */
#define RRTYPE_FIELD_BAD ((size_t)-1)

/*
 * Octets field takes at rdata[offset] in rdata of length octets (0 for
 * STRINGS or REMAINDER at the end), or RRTYPE_FIELD_BAD when it does not
 * fit or field is END. Names must be uncompressed.
 */
size_t rrtype_field_length(enum rrtype_field field, const uint8_t *rdata, size_t length,
	size_t offset);

/*
 * Length of the uncompressed name at rdata[offset] (root label included),
 * or 0 when it overruns the length octets of rdata or is over 255 octets.
 * Inline: the encoder calls it for every name in rdata it compresses.
 */
static inline size_t
rrtype_name_length(const uint8_t *rdata, size_t length, size_t offset)
{
	for (size_t position = offset; position < length; position += 1 + (size_t)rdata[position]) {
		if (rdata[position] == 0) {
			size_t name_length = position + 1 - offset;
			return name_length <= 255 ? name_length : 0;
		}
		if (rdata[position] > 63)
			return 0;  /* a compression pointer or an extended label type */
	}
	return 0;
}

/*
 * The index-th name (0 first) in the rdata of a record of type, found by
 * walking the type's fields, or NULL when the type has no such name or the
 * rdata ends before it.
 */
const uint8_t *rrtype_rdata_name(uint16_t type, const uint8_t *rdata, size_t length,
	unsigned index);

/*
 * The walker over a stored RRset's records: rdata_length octets at rdata,
 * each record a 2-octet big-endian rdlength and its rdata (struct rrset in
 * nametree.h).
 */
struct rdata_cursor {
	const uint8_t *at;
	const uint8_t *end;
};

/* A cursor at the first of the records_length octets of records at records. */
static inline struct rdata_cursor
rdata_cursor_start(const uint8_t *records, size_t records_length)
{
	struct rdata_cursor cursor = { records, records + records_length };
	return cursor;
}

/* Sets *rdata and *length to the next record; false after the last one. */
static inline bool
rdata_cursor_next(struct rdata_cursor *cursor, const uint8_t **rdata, uint16_t *length)
{
	if (cursor->end - cursor->at < 2)
		return false;
	*length = (uint16_t)(cursor->at[0] << 8 | cursor->at[1]);
	*rdata = cursor->at + 2;
	cursor->at += 2 + (size_t)*length;
	return true;
}

#endif
