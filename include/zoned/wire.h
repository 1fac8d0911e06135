/*
 * wire.h: encode a DNS message into a bounded, caller-owned buffer, with
 * name compression (RFC 1035 4.1.4) and truncation marks: remember a mark
 * before an RRset, write optimistically, and roll the buffer and the
 * compression table back to the mark when something did not fit.
 */
#ifndef ZONED_WIRE_H
#define ZONED_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HEADER_LENGTH 12
#define WIRE_COMPRESS_MAX 96   /* name suffixes remembered for compression */

#define WIRE_TYPE_A 1
#define WIRE_TYPE_NS 2
#define WIRE_TYPE_CNAME 5
#define WIRE_TYPE_SOA 6
#define WIRE_TYPE_PTR 12
#define WIRE_TYPE_MX 15
#define WIRE_TYPE_TXT 16
#define WIRE_TYPE_AAAA 28
#define WIRE_TYPE_SRV 33
#define WIRE_TYPE_DNAME 39
#define WIRE_TYPE_OPT 41
#define WIRE_TYPE_DS 43
#define WIRE_TYPE_RRSIG 46
#define WIRE_TYPE_DNSKEY 48
#define WIRE_TYPE_TKEY 249
#define WIRE_TYPE_TSIG 250
#define WIRE_TYPE_IXFR 251
#define WIRE_TYPE_AXFR 252
#define WIRE_TYPE_MAILB 253
#define WIRE_TYPE_MAILA 254
#define WIRE_TYPE_ANY 255

#define WIRE_CLASS_IN 1
#define WIRE_CLASS_CH 3

/* The buffer being written. data and capacity are the caller's. */
struct wire {
	uint8_t *data;
	size_t capacity;          /* octets that may be written: the size limit */
	size_t length;            /* octets written */
	unsigned compress_count;
	uint16_t compress_offsets[WIRE_COMPRESS_MAX];  /* where a known name suffix starts */
	/* The last owner written, by address: an RRset repeats its owner. */
	const uint8_t *last_owner;
	size_t last_owner_offset;
};

/* A point to roll back to. */
struct wire_mark {
	size_t length;
	unsigned compress_count;
};

/* Starts an empty message in data (capacity octets). */
void wire_init(struct wire *wire, uint8_t *data, size_t capacity);

/* Remembers the current position and compression table. */
static inline struct wire_mark
wire_mark(const struct wire *wire)
{
	struct wire_mark mark = {wire->length, wire->compress_count};
	return mark;
}

/* Forgets everything written after mark. */
static inline void
wire_rollback(struct wire *wire, struct wire_mark mark)
{
	wire->length = mark.length;
	wire->compress_count = mark.compress_count;
	if (wire->last_owner_offset >= mark.length)
		wire->last_owner = NULL;
}

/* Each put returns false, writing nothing, when the octets do not fit. */
bool wire_put_bytes(struct wire *wire, const void *bytes, size_t length);
bool wire_put_u16(struct wire *wire, uint16_t value);
bool wire_put_u32(struct wire *wire, uint32_t value);

/* Overwrites two octets at offset (which must already be written). */
void wire_set_u16(struct wire *wire, size_t offset, uint16_t value);

/*
 * Registers the uncompressed name written at offset (for instance the
 * question at offset 12) as a compression target.
 */
void wire_remember_name(struct wire *wire, size_t offset);

/*
 * Writes name (uncompressed wire form, any case). With compress, the
 * longest suffix already in the message becomes a pointer and the new
 * suffixes are remembered. Returns false when it does not fit (the
 * caller rolls back to its mark).
 */
bool wire_put_name(struct wire *wire, const uint8_t *name, bool compress);

/*
 * Writes one resource record. rdata is uncompressed wire rdata; names in
 * the rdata of the RFC 1035 types (NS, CNAME, SOA, PTR, MX, ...) are
 * compressed, names in any other type are copied as they are (RFC 3597 4).
 * Returns false when it does not fit.
 */
bool wire_put_rr(struct wire *wire, const uint8_t *owner, uint16_t type, uint16_t rr_class,
	uint32_t ttl, const uint8_t *rdata, uint16_t rdata_length);

/*
 * Writes an OPT record (RFC 6891 6.1.2) advertising udp_size, with the
 * upper bits of the extended rcode, version 0, the DO bit, and an NSID
 * option when nsid is not NULL. Returns false when it does not fit.
 */
bool wire_put_opt(struct wire *wire, uint16_t udp_size, uint8_t extended_rcode, bool dnssec_ok,
	const uint8_t *nsid, uint16_t nsid_length);

/* Octets wire_put_opt() needs for these arguments. */
size_t wire_opt_length(const uint8_t *nsid, uint16_t nsid_length);

#endif
