/* wire.c: encode DNS messages into a bounded buffer: names, compression, RRs, OPT. */
#include <string.h>

#include "zoned/dname.h"
#include "zoned/wire.h"

#define POINTER_LIMIT 0x4000  /* pointers carry 14 bits of offset */
#define EDNS_OPTION_NSID 3

void
wire_init(struct wire *wire, uint8_t *data, size_t capacity)
{
	wire->data = data;
	wire->capacity = capacity;
	wire->length = 0;
	wire->compress_count = 0;
	wire->last_owner = NULL;
	wire->last_owner_offset = 0;
}

bool
wire_put_bytes(struct wire *wire, const void *bytes, size_t length)
{
	if (length > wire->capacity - wire->length)
		return false;
	memcpy(wire->data + wire->length, bytes, length);
	wire->length += length;
	return true;
}

bool
wire_put_u16(struct wire *wire, uint16_t value)
{
	uint8_t bytes[2] = {(uint8_t)(value >> 8), (uint8_t)value};
	return wire_put_bytes(wire, bytes, 2);
}

bool
wire_put_u32(struct wire *wire, uint32_t value)
{
	uint8_t bytes[4] = {(uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
		(uint8_t)value};
	return wire_put_bytes(wire, bytes, 4);
}

void
wire_set_u16(struct wire *wire, size_t offset, uint16_t value)
{
	wire->data[offset] = (uint8_t)(value >> 8);
	wire->data[offset + 1] = (uint8_t)value;
}

static void
wire_remember_offset(struct wire *wire, size_t offset)
{
	if (offset < POINTER_LIMIT && wire->compress_count < WIRE_COMPRESS_MAX)
		wire->compress_offsets[wire->compress_count++] = (uint16_t)offset;
}

void
wire_remember_name(struct wire *wire, size_t offset)
{
	const uint8_t *data = wire->data;
	while (offset < wire->length && data[offset] != 0 && data[offset] < 0x40) {
		wire_remember_offset(wire, offset);
		offset += (size_t)data[offset] + 1;
	}
}

/*
 * True when the name at offset in the message (which may end in a pointer)
 * equals the uncompressed name, ignoring ASCII case. Only our own output is
 * read, so pointers always go backwards and the walk ends.
 */
static bool
wire_name_equals(const struct wire *wire, size_t offset, const uint8_t *name)
{
	const uint8_t *data = wire->data;
	for (;;) {
		uint8_t length = data[offset];
		if (length >= 0xc0) {
			offset = (size_t)(length & 0x3f) << 8 | data[offset + 1];
			continue;
		}
		if (length != *name)
			return false;
		if (length == 0)
			return true;
		for (uint8_t i = 1; i <= length; i++) {
			if (dname_lower_table[data[offset + i]] != dname_lower_table[name[i]])
				return false;
		}
		offset += (size_t)length + 1;
		name += length + 1;
	}
}

/* Offset of a remembered name equal to suffix, or 0 when there is none. */
static size_t
wire_find_suffix(const struct wire *wire, const uint8_t *suffix)
{
	for (unsigned i = 0; i < wire->compress_count; i++) {
		size_t offset = wire->compress_offsets[i];
		/* Cheap first test on the label length and first octet before the full walk. */
		const uint8_t *known = wire->data + offset;
		if (known[0] == suffix[0]
			&& dname_lower_table[known[1]] == dname_lower_table[suffix[1]]
			&& wire_name_equals(wire, offset, suffix))
			return offset;
	}
	return 0;
}

/*
 * Writes name as wire_put_name() does and sets *name_offset to where the
 * whole name can be found in the message (its start, or its pointer's target).
 */
static bool
wire_put_name_at(struct wire *wire, const uint8_t *name, bool compress, size_t *name_offset)
{
	size_t start = wire->length;
	*name_offset = start;
	/* New suffixes become targets only once the whole name is written. */
	size_t label_offsets[DNAME_MAX_LABELS];
	unsigned label_count = 0;
	const uint8_t *label = name;
	while (*label != 0) {
		if (compress) {
			size_t target = wire_find_suffix(wire, label);
			if (target != 0) {
				if (!wire_put_u16(wire, (uint16_t)(0xc000 | target)))
					goto overflow;
				if (label == name)
					*name_offset = target;
				break;
			}
			label_offsets[label_count++] = wire->length;
		}
		if (!wire_put_bytes(wire, label, (size_t)label[0] + 1))
			goto overflow;
		label += label[0] + 1;
	}
	if (*label == 0 && !wire_put_bytes(wire, label, 1))
		goto overflow;
	for (unsigned i = 0; i < label_count; i++)
		wire_remember_offset(wire, label_offsets[i]);
	return true;
overflow:
	wire->length = start;
	return false;
}

bool
wire_put_name(struct wire *wire, const uint8_t *name, bool compress)
{
	size_t name_offset;
	return wire_put_name_at(wire, name, compress, &name_offset);
}

/* Writes an owner name; the records of one RRset reuse the first one's position. */
static bool
wire_put_owner(struct wire *wire, const uint8_t *owner)
{
	if (owner == wire->last_owner)
		return wire_put_u16(wire, (uint16_t)(0xc000 | wire->last_owner_offset));
	size_t offset;
	if (!wire_put_name_at(wire, owner, true, &offset))
		return false;
	if (*owner != 0 && offset < POINTER_LIMIT) {
		wire->last_owner = owner;
		wire->last_owner_offset = offset;
	}
	return true;
}

/* Where the compressible names sit in the rdata of the RFC 1035 types. */
enum rdata_layout {
	RDATA_OPAQUE,        /* no compressible names */
	RDATA_NAME,          /* NS, MD, MF, CNAME, MB, MG, MR, PTR */
	RDATA_TWO_NAMES,     /* SOA (then 20 octets), MINFO */
	RDATA_U16_NAME,      /* MX */
};

static enum rdata_layout
wire_rdata_layout(uint16_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
		return RDATA_NAME;
	case 6: case 14:
		return RDATA_TWO_NAMES;
	case 15:
		return RDATA_U16_NAME;
	}
	return RDATA_OPAQUE;
}

/* Length of the uncompressed name at rdata, or 0 when it overruns rdata_length. */
static size_t
rdata_name_length(const uint8_t *rdata, size_t rdata_length)
{
	size_t offset = 0;
	while (offset < rdata_length) {
		uint8_t length = rdata[offset];
		if (length == 0)
			return offset + 1;
		if (length > 63)
			return 0;
		offset += (size_t)length + 1;
	}
	return 0;
}

/* Writes rdata compressing its leading names; false when it does not fit. */
static bool
wire_put_rdata(struct wire *wire, uint16_t type, const uint8_t *rdata, uint16_t rdata_length)
{
	enum rdata_layout layout = wire_rdata_layout(type);
	size_t offset = 0;
	if (layout == RDATA_U16_NAME) {
		if (rdata_length < 2)
			return wire_put_bytes(wire, rdata, rdata_length);
		if (!wire_put_bytes(wire, rdata, 2))
			return false;
		offset = 2;
	}
	unsigned names = layout == RDATA_OPAQUE ? 0 : layout == RDATA_TWO_NAMES ? 2 : 1;
	for (unsigned i = 0; i < names; i++) {
		size_t name_length = rdata_name_length(rdata + offset, rdata_length - offset);
		if (name_length == 0)
			break;  /* malformed: the loader should not let it in; copy as is */
		if (!wire_put_name(wire, rdata + offset, true))
			return false;
		offset += name_length;
	}
	return wire_put_bytes(wire, rdata + offset, rdata_length - offset);
}

bool
wire_put_rr(struct wire *wire, const uint8_t *owner, uint16_t type, uint16_t rr_class,
	uint32_t ttl, const uint8_t *rdata, uint16_t rdata_length)
{
	struct wire_mark mark = wire_mark(wire);
	if (!wire_put_owner(wire, owner) || !wire_put_u16(wire, type)
		|| !wire_put_u16(wire, rr_class) || !wire_put_u32(wire, ttl)
		|| !wire_put_u16(wire, 0))
		goto overflow;
	size_t rdlength_offset = wire->length - 2;
	if (!wire_put_rdata(wire, type, rdata, rdata_length))
		goto overflow;
	wire_set_u16(wire, rdlength_offset, (uint16_t)(wire->length - rdlength_offset - 2));
	return true;
overflow:
	wire_rollback(wire, mark);
	return false;
}

size_t
wire_opt_length(const uint8_t *nsid, uint16_t nsid_length)
{
	return 11 + (nsid != NULL ? 4 + (size_t)nsid_length : 0);
}

bool
wire_put_opt(struct wire *wire, uint16_t udp_size, uint8_t extended_rcode, bool dnssec_ok,
	const uint8_t *nsid, uint16_t nsid_length)
{
	struct wire_mark mark = wire_mark(wire);
	/* RFC 6891 6.1.3: TTL = extended rcode, version, DO and zero Z bits. */
	uint32_t ttl = (uint32_t)extended_rcode << 24 | (dnssec_ok ? 0x8000u : 0);
	uint16_t rdata_length = nsid != NULL ? (uint16_t)(4 + nsid_length) : 0;
	uint8_t root = 0;
	if (!wire_put_bytes(wire, &root, 1) || !wire_put_u16(wire, WIRE_TYPE_OPT)
		|| !wire_put_u16(wire, udp_size) || !wire_put_u32(wire, ttl)
		|| !wire_put_u16(wire, rdata_length))
		goto overflow;
	if (nsid != NULL
		&& (!wire_put_u16(wire, EDNS_OPTION_NSID) || !wire_put_u16(wire, nsid_length)
			|| !wire_put_bytes(wire, nsid, nsid_length)))
		goto overflow;
	return true;
overflow:
	wire_rollback(wire, mark);
	return false;
}
