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
#include <string.h>

#include "zoned/rrtype.h"

#define WIRE_HEADER_LENGTH 12
#define WIRE_COMPRESS_MAX 96   /* name suffixes remembered for compression */

/* Type and class numbers: RRTYPE_* and RRCLASS_* in rrtype.h. */

/*
 * One name suffix in the message: the label at offset followed by the
 * suffix of entry parent. Entries are numbered from 1; entry 0 is the root,
 * whose only use is its first_child.
 */
struct wire_suffix {
	uint16_t offset;
	uint8_t parent;
	uint8_t first_child;    /* the newest entry whose parent this is; 0: none */
	uint8_t next_sibling;   /* the next older entry with the same parent; 0: none */
};

/*
 * The buffer being written. data and capacity are the caller's.
 *
 * The compression table is a tree of the name suffixes written so far,
 * matched from a name's last label down, one child list per level, so no
 * suffix is compared twice and most levels compare one label. Entries are
 * only ever appended; a rollback unlinks the newest ones in reverse order.
 */
struct wire {
	uint8_t *data;
	size_t capacity;          /* octets that may be written: the size limit */
	size_t length;            /* octets written */
	/* The last owner written, by address: an RRset repeats its owner. */
	const uint8_t *last_owner;
	size_t last_owner_offset;
	unsigned compress_count;  /* entries 1..compress_count are in use */
	/*
	 * A name given to wire_remember_name() enters the table only when a
	 * name is first compressed (many responses never compress one), after
	 * entry deferred_floor; a rollback to there puts it back in waiting.
	 */
	uint16_t deferred_offset;  /* 0: none */
	bool deferred_pending;
	unsigned deferred_floor;
	/*
	 * Compress only onto names of the same case (false after wire_init():
	 * any case). A zone transfer sets it so that the names in rdata reach
	 * the secondary as they are in the zone, as BIND's xfrout does.
	 */
	bool exact_case;
	/* Last: wire_init() sets only the root entry. */
	struct wire_suffix compress[WIRE_COMPRESS_MAX + 1];
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
void wire_rollback(struct wire *wire, struct wire_mark mark);

/* Each put returns false, writing nothing, when the octets do not fit. */
static inline bool
wire_put_bytes(struct wire *wire, const void *bytes, size_t length)
{
	if (length > wire->capacity - wire->length)
		return false;
	memcpy(wire->data + wire->length, bytes, length);
	wire->length += length;
	return true;
}

bool wire_put_u16(struct wire *wire, uint16_t value);
bool wire_put_u32(struct wire *wire, uint32_t value);

/* Overwrites two octets at offset (which must already be written). */
static inline void
wire_set_u16(struct wire *wire, size_t offset, uint16_t value)
{
	wire->data[offset] = (uint8_t)(value >> 8);
	wire->data[offset + 1] = (uint8_t)value;
}

/*
 * Registers the uncompressed name written at offset (for instance the
 * question at offset 12) as a compression target. source is where the
 * caller holds those same octets (or NULL): an owner passed to
 * wire_put_rr() at that address becomes a pointer without any lookup.
 */
void wire_remember_name(struct wire *wire, size_t offset, const uint8_t *source);

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

/* The OPT record of a response (RFC 6891 6.1.2) and the options it carries. */
struct wire_opt {
	uint16_t udp_size;          /* advertised */
	uint8_t extended_rcode;     /* the upper 8 bits of the rcode */
	bool dnssec_ok;             /* DO */
	const uint8_t *nsid;        /* RFC 5001 payload; NULL: no NSID option */
	uint16_t nsid_length;
	const uint8_t *cookie;      /* RFC 7873 COOKIE data, client then server cookie;
	                               NULL: no COOKIE option */
	uint16_t cookie_length;
};

/*
 * Writes the OPT record opt describes (version 0, Z bits zero), its options
 * in the order NSID, COOKIE (as BIND). Returns false, having written
 * nothing, when it does not fit.
 */
bool wire_put_opt(struct wire *wire, const struct wire_opt *opt);

/* Octets wire_put_opt() needs for opt. */
size_t wire_opt_length(const struct wire_opt *opt);

#endif
