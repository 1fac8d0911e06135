/*
 * xfr_parse.c: the messages of an incoming zone transfer to lists of
 * records. AXFR (RFC 5936 2.2): SOA, the zone, the same SOA again. IXFR
 * (RFC 1995 4): the new SOA, then per version the old SOA and the records
 * deleted, the new SOA and the records added, and the new SOA to end; or
 * the whole zone as AXFR would (RFC 1995 4, a server without the history),
 * or a single SOA when the client is current.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/rrtype.h"
#include "zoned/wire.h"
#include "zoned/xfr_parse.h"

/* Where the reading is in the stream of answer records. */
enum xfr_state {
	XFR_FIRST,          /* the first SOA is next */
	XFR_SECOND,         /* after it: AXFR form, or the first deletion SOA of an IXFR */
	XFR_FULL,           /* the zone's records, up to the closing SOA */
	XFR_DELETING,       /* an IXFR sequence's deletions */
	XFR_ADDING,         /* its additions */
	XFR_DONE,
};

/* The reading of one message. */
struct xfr_message {
	const uint8_t *data;
	size_t length;
	size_t offset;
};

static int
xfr_fail(struct xfr_parse *parse, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vsnprintf(parse->error, sizeof parse->error, format, args);
	va_end(args);
	return ZONED_EINVAL;
}

int
xfr_rrlist_add(struct xfr_rrlist *list, const struct xfr_rr *rr)
{
	size_t need = 1 + (size_t)rr->owner_length + 10 + rr->rdata_length;
	if (list->capacity - list->length < need) {
		size_t capacity = list->capacity ? list->capacity : 4096;
		while (capacity - list->length < need)
			capacity *= 2;
		uint8_t *data = realloc(list->data, capacity);
		if (data == NULL)
			return ZONED_ENOMEM;
		list->data = data;
		list->capacity = capacity;
	}
	uint8_t *at = list->data + list->length;
	*at++ = rr->owner_length;
	memcpy(at, rr->owner, rr->owner_length);
	at += rr->owner_length;
	*at++ = (uint8_t)(rr->type >> 8);
	*at++ = (uint8_t)rr->type;
	*at++ = (uint8_t)(rr->rr_class >> 8);
	*at++ = (uint8_t)rr->rr_class;
	for (int shift = 24; shift >= 0; shift -= 8)
		*at++ = (uint8_t)(rr->ttl >> shift);
	*at++ = (uint8_t)(rr->rdata_length >> 8);
	*at++ = (uint8_t)rr->rdata_length;
	memcpy(at, rr->rdata, rr->rdata_length);
	list->length += need;
	list->count++;
	return 0;
}

bool
xfr_rrlist_next(const struct xfr_rrlist *list, size_t *offset, struct xfr_rr *out)
{
	if (*offset >= list->length)
		return false;
	const uint8_t *at = list->data + *offset;
	out->owner_length = at[0];
	out->owner = at + 1;
	at += 1 + at[0];
	out->type = (uint16_t)(at[0] << 8 | at[1]);
	out->rr_class = (uint16_t)(at[2] << 8 | at[3]);
	out->ttl = (uint32_t)at[4] << 24 | (uint32_t)at[5] << 16 | (uint32_t)at[6] << 8 | at[7];
	out->rdata_length = (uint16_t)(at[8] << 8 | at[9]);
	out->rdata = at + 10;
	*offset = (size_t)(out->rdata - list->data) + out->rdata_length;
	return true;
}

void
xfr_rrlist_free(struct xfr_rrlist *list)
{
	free(list->data);
	memset(list, 0, sizeof *list);
}

size_t
xfr_read_name(const uint8_t *message, size_t length, size_t *offset,
	uint8_t out[DNAME_MAX_LENGTH])
{
	size_t at = *offset;
	size_t written = 0;
	bool jumped = false;
	for (;;) {
		if (at >= length)
			return 0;
		uint8_t label = message[at];
		if ((label & 0xc0) == 0xc0) {
			if (at + 1 >= length)
				return 0;
			size_t target = (size_t)(label & 0x3f) << 8 | message[at + 1];
			/* Backwards only: every jump shortens the way, so no loop. */
			if (target >= at)
				return 0;
			if (!jumped)
				*offset = at + 2;
			jumped = true;
			at = target;
			continue;
		}
		if (label > DNAME_MAX_LABEL || at + 1 + label > length
		    || written + 1 + label > DNAME_MAX_LENGTH)
			return 0;
		memcpy(out + written, message + at, 1 + (size_t)label);
		written += 1 + (size_t)label;
		at += 1 + (size_t)label;
		if (label == 0) {
			if (!jumped)
				*offset = at;
			return written;
		}
	}
}

static bool
xfr_read_u16(struct xfr_message *m, uint16_t *value)
{
	if (m->length - m->offset < 2)
		return false;
	*value = (uint16_t)(m->data[m->offset] << 8 | m->data[m->offset + 1]);
	m->offset += 2;
	return true;
}

/* The fields of a known type must cover its rdata exactly (names uncompressed by now). */
static bool
xfr_rdata_well_formed(uint16_t type, const uint8_t *rdata, size_t length)
{
	const struct rrtype_info *info = rrtype_info(type);
	if (info->mnemonic == NULL)
		return true;   /* RFC 3597: opaque */
	size_t offset = 0;
	for (size_t i = 0; i < RRTYPE_FIELDS_MAX && info->fields[i] != RRTYPE_FIELD_END; i++) {
		size_t field = rrtype_field_length((enum rrtype_field)info->fields[i], rdata, length,
			offset);
		if (field == RRTYPE_FIELD_BAD)
			return false;
		offset += field;
	}
	return offset == length;
}

/*
 * Copies the rdata of a record of type ending at end into out, with the
 * names RFC 3597 4 lets a sender compress decompressed. Returns the length,
 * or -1 when malformed.
 */
static long
xfr_read_rdata(const struct xfr_message *m, size_t start, size_t end, uint16_t type,
	uint8_t *out, size_t size)
{
	const struct rrtype_info *info = rrtype_info(type);
	if (info->compressed_names == 0 || info->compressed_offset > end - start) {
		if (info->compressed_names != 0)
			return -1;
		memcpy(out, m->data + start, end - start);
		return (long)(end - start);
	}
	size_t written = info->compressed_offset;
	memcpy(out, m->data + start, written);
	size_t at = start + written;
	for (unsigned i = 0; i < info->compressed_names; i++) {
		uint8_t name[DNAME_MAX_LENGTH];
		size_t name_length = xfr_read_name(m->data, end, &at, name);
		if (name_length == 0 || size - written < name_length)
			return -1;
		memcpy(out + written, name, name_length);
		written += name_length;
	}
	if (size - written < end - at)
		return -1;
	memcpy(out + written, m->data + at, end - at);
	written += end - at;
	return written > UINT16_MAX ? -1 : (long)written;
}

/* Skips count records (authority and additional: OPT, TSIG), bounds checked. */
static bool
xfr_skip_records(struct xfr_message *m, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		uint8_t name[DNAME_MAX_LENGTH];
		uint16_t fields[4];
		if (xfr_read_name(m->data, m->length, &m->offset, name) == 0)
			return false;
		for (int f = 0; f < 4; f++) {
			if (!xfr_read_u16(m, &fields[f]))
				return false;
		}
		uint16_t rdata_length;
		if (!xfr_read_u16(m, &rdata_length) || m->length - m->offset < rdata_length)
			return false;
		m->offset += rdata_length;
	}
	return true;
}

/* The serial of a SOA's (decompressed) rdata; false when it is not a SOA's. */
static bool
xfr_soa_serial(const struct xfr_rr *rr, uint32_t *serial)
{
	if (rr->type != RRTYPE_SOA || rr->rdata_length < 22)
		return false;
	const uint8_t *s = rr->rdata + rr->rdata_length - 20;
	*serial = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
	return true;
}

/* Starts a new difference sequence at the old SOA rr. */
static int
xfr_begin_diff(struct xfr_parse *parse, const struct xfr_rr *rr, uint32_t serial)
{
	struct xfr_diff *diffs = realloc(parse->diffs, (parse->diff_count + 1) * sizeof *diffs);
	if (diffs == NULL)
		return ZONED_ENOMEM;
	parse->diffs = diffs;
	struct xfr_diff *diff = &diffs[parse->diff_count++];
	memset(diff, 0, sizeof *diff);
	diff->from_serial = serial;
	parse->state = XFR_DELETING;
	return xfr_rrlist_add(&diff->deleted, rr);
}

/* After the first SOA: a SOA starts an IXFR sequence (or closes an empty AXFR). */
static int
xfr_take_second(struct xfr_parse *parse, const struct xfr_rr *rr, bool is_soa, uint32_t serial)
{
	if (!is_soa) {
		parse->state = XFR_FULL;
		return xfr_rrlist_add(&parse->full, rr);
	}
	if (serial == parse->serial) {
		/* A zone of nothing but its SOA: the zone checks will say so. */
		parse->state = XFR_DONE;
		parse->result = XFR_RESULT_FULL;
		return 0;
	}
	if (parse->qtype != RRTYPE_IXFR)
		return xfr_fail(parse, "AXFR closed by SOA serial %lu, not %lu",
			(unsigned long)serial, (unsigned long)parse->serial);
	if (serial != parse->client_serial)
		return xfr_fail(parse, "IXFR starts from serial %lu, not ours (%lu)",
			(unsigned long)serial, (unsigned long)parse->client_serial);
	xfr_rrlist_free(&parse->full);
	return xfr_begin_diff(parse, rr, serial);
}

/* One answer record, by the state. */
static int
xfr_take_record(struct xfr_parse *parse, const struct xfr_rr *rr)
{
	uint32_t serial = 0;
	bool is_soa = xfr_soa_serial(rr, &serial);
	struct xfr_diff *diff = parse->diff_count ? &parse->diffs[parse->diff_count - 1] : NULL;
	switch ((enum xfr_state)parse->state) {
	case XFR_FIRST:
		if (!is_soa)
			return xfr_fail(parse, "the transfer does not start with the zone's SOA");
		parse->serial = serial;
		parse->state = XFR_SECOND;
		return xfr_rrlist_add(&parse->full, rr);
	case XFR_SECOND:
		return xfr_take_second(parse, rr, is_soa, serial);
	case XFR_FULL:
		if (!is_soa)
			return xfr_rrlist_add(&parse->full, rr);
		if (serial != parse->serial)
			return xfr_fail(parse, "transfer closed by SOA serial %lu, not %lu",
				(unsigned long)serial, (unsigned long)parse->serial);
		parse->state = XFR_DONE;
		parse->result = XFR_RESULT_FULL;
		return 0;
	case XFR_DELETING:
		if (!is_soa)
			return xfr_rrlist_add(&diff->deleted, rr);
		diff->to_serial = serial;
		parse->state = XFR_ADDING;
		return xfr_rrlist_add(&diff->added, rr);
	case XFR_ADDING:
		if (!is_soa)
			return xfr_rrlist_add(&diff->added, rr);
		if (serial == parse->serial && diff->to_serial == serial) {
			parse->state = XFR_DONE;
			parse->result = XFR_RESULT_INCREMENTAL;
			return 0;
		}
		if (serial != diff->to_serial)
			return xfr_fail(parse, "IXFR sequence from serial %lu follows one to %lu",
				(unsigned long)serial, (unsigned long)diff->to_serial);
		return xfr_begin_diff(parse, rr, serial);
	case XFR_DONE:
		break;
	}
	return xfr_fail(parse, "records after the transfer's closing SOA");
}

/* Reads one answer record into rr (rdata into buffer), checking it belongs to the zone. */
static int
xfr_read_record(struct xfr_parse *parse, struct xfr_message *m, uint8_t *owner,
	uint8_t *buffer, size_t size, struct xfr_rr *rr)
{
	size_t owner_length = xfr_read_name(m->data, m->length, &m->offset, owner);
	uint16_t ttl_high, ttl_low, rdata_length;
	if (owner_length == 0 || !xfr_read_u16(m, &rr->type) || !xfr_read_u16(m, &rr->rr_class)
	    || !xfr_read_u16(m, &ttl_high) || !xfr_read_u16(m, &ttl_low)
	    || !xfr_read_u16(m, &rdata_length) || m->length - m->offset < rdata_length)
		return xfr_fail(parse, "malformed record in message %zu", parse->messages + 1);
	uint8_t lower[DNAME_MAX_LENGTH];
	memcpy(lower, owner, owner_length);
	dname_lower(lower);
	char text[DNAME_MAX_LENGTH * 4 + 1];
	if (!dname_is_subdomain(lower, parse->origin)) {
		dname_format(lower, text, sizeof text);
		return xfr_fail(parse, "record %s is outside the zone", text);
	}
	if (rr->type == RRTYPE_SOA && !dname_equal(lower, parse->origin)) {
		dname_format(lower, text, sizeof text);
		return xfr_fail(parse, "SOA record at %s, not at the zone's apex", text);
	}
	if (rr->rr_class != RRCLASS_IN || rrtype_is_meta(rr->type)) {
		dname_format(lower, text, sizeof text);
		return xfr_fail(parse, "record %s of class %u type %u cannot be zone data", text,
			rr->rr_class, rr->type);
	}
	long written = xfr_read_rdata(m, m->offset, m->offset + rdata_length, rr->type, buffer,
		size);
	m->offset += rdata_length;
	if (written < 0 || !xfr_rdata_well_formed(rr->type, buffer, (size_t)written)) {
		dname_format(lower, text, sizeof text);
		return xfr_fail(parse, "record %s type %u: malformed rdata", text, rr->type);
	}
	rr->owner = owner;
	rr->owner_length = (uint8_t)owner_length;
	rr->ttl = (uint32_t)ttl_high << 16 | ttl_low;
	rr->rdata = buffer;
	rr->rdata_length = (uint16_t)written;
	return 0;
}

/* The header and the question (when echoed) must answer the request. */
static int
xfr_read_header(struct xfr_parse *parse, struct xfr_message *m, uint16_t counts[4])
{
	const uint8_t *h = m->data;
	if (m->length < WIRE_HEADER_LENGTH)
		return xfr_fail(parse, "message %zu shorter than a header", parse->messages + 1);
	if ((h[0] << 8 | h[1]) != parse->id || (h[2] & 0x80) == 0 || ((h[2] >> 3) & 0xf) != 0)
		return xfr_fail(parse, "message %zu does not answer the request (id, QR or "
			"opcode)", parse->messages + 1);
	if ((h[3] & 0xf) != 0)
		return xfr_fail(parse, "the primary answered rcode %u", h[3] & 0xf);
	if (h[2] & 0x02)
		return xfr_fail(parse, "message %zu is truncated (TC)", parse->messages + 1);
	for (int i = 0; i < 4; i++)
		counts[i] = (uint16_t)(h[4 + 2 * i] << 8 | h[5 + 2 * i]);
	m->offset = WIRE_HEADER_LENGTH;
	if (counts[0] > 1)
		return xfr_fail(parse, "message %zu has %u questions", parse->messages + 1,
			counts[0]);
	if (counts[0] == 1) {
		uint8_t name[DNAME_MAX_LENGTH];
		uint16_t type, rr_class;
		size_t name_length = xfr_read_name(m->data, m->length, &m->offset, name);
		if (name_length == 0 || !xfr_read_u16(m, &type) || !xfr_read_u16(m, &rr_class))
			return xfr_fail(parse, "message %zu: malformed question", parse->messages + 1);
		dname_lower(name);
		if (!dname_equal(name, parse->origin) || type != parse->qtype
		    || rr_class != RRCLASS_IN)
			return xfr_fail(parse, "message %zu answers another question",
				parse->messages + 1);
	}
	return 0;
}

int
xfr_parse_message(struct xfr_parse *parse, const uint8_t *message, size_t length)
{
	if (parse->state == XFR_DONE)
		return xfr_fail(parse, "a message after the transfer ended");
	struct xfr_message m = { message, length, 0 };
	uint16_t counts[4];
	int rc = xfr_read_header(parse, &m, counts);
	if (rc != 0)
		return rc;
	if (counts[1] == 0)
		return xfr_fail(parse, "message %zu has no answer records", parse->messages + 1);
	/* One record's rdata, decompressed: at most 65535 octets. */
	static _Thread_local uint8_t rdata[UINT16_MAX + DNAME_MAX_LENGTH];
	for (unsigned i = 0; i < counts[1]; i++) {
		uint8_t owner[DNAME_MAX_LENGTH];
		struct xfr_rr rr;
		rc = xfr_read_record(parse, &m, owner, rdata, sizeof rdata, &rr);
		if (rc == 0 && parse->max_records != 0 && parse->records >= parse->max_records) {
			snprintf(parse->error, sizeof parse->error, "over max-records (%zu)",
				parse->max_records);
			rc = ZONED_ELIMIT;
		}
		if (rc == 0)
			rc = xfr_take_record(parse, &rr);
		if (rc != 0)
			return rc;
		parse->records++;
	}
	if (!xfr_skip_records(&m, (unsigned)counts[2] + counts[3]))
		return xfr_fail(parse, "message %zu: malformed authority or additional section",
			parse->messages + 1);
	if (m.offset != length)
		return xfr_fail(parse, "message %zu: octets after the last record",
			parse->messages + 1);
	parse->messages++;
	/*
	 * RFC 1995 2: an IXFR answered by the one SOA alone: the client is
	 * current. A newer SOA alone is only the first message of a transfer
	 * sent one record per message (BIND's transfer-format one-answer).
	 */
	if (parse->state == XFR_SECOND && parse->qtype == RRTYPE_IXFR
	    && !xfr_serial_newer(parse->serial, parse->client_serial)) {
		parse->state = XFR_DONE;
		parse->result = XFR_RESULT_UP_TO_DATE;
	}
	return 0;
}

void
xfr_parse_init(struct xfr_parse *parse, const uint8_t *origin, uint16_t qtype, uint16_t id,
	uint32_t client_serial, size_t max_records)
{
	memset(parse, 0, sizeof *parse);
	parse->origin_length = dname_length(origin);
	memcpy(parse->origin, origin, parse->origin_length);
	dname_lower(parse->origin);
	parse->qtype = qtype;
	parse->id = id;
	parse->client_serial = client_serial;
	parse->max_records = max_records;
	parse->state = XFR_FIRST;
}

bool
xfr_parse_whole_zone(const struct xfr_parse *parse)
{
	return parse->state == XFR_FULL || parse->result == XFR_RESULT_FULL;
}

void
xfr_parse_free(struct xfr_parse *parse)
{
	xfr_rrlist_free(&parse->full);
	for (size_t i = 0; i < parse->diff_count; i++) {
		xfr_rrlist_free(&parse->diffs[i].deleted);
		xfr_rrlist_free(&parse->diffs[i].added);
	}
	free(parse->diffs);
	parse->diffs = NULL;
	parse->diff_count = 0;
}

size_t
xfr_query_build(const uint8_t *origin, uint16_t qtype, uint16_t id,
	const uint8_t *soa_rdata, size_t soa_length, uint32_t soa_ttl, uint8_t *buffer,
	size_t size)
{
	size_t origin_length = dname_length(origin);
	bool ixfr = qtype == RRTYPE_IXFR;
	size_t need = WIRE_HEADER_LENGTH + origin_length + 4
		+ (ixfr ? origin_length + 10 + soa_length : 0);
	if (need > size || (ixfr && soa_length > UINT16_MAX))
		return 0;
	memset(buffer, 0, WIRE_HEADER_LENGTH);
	buffer[0] = (uint8_t)(id >> 8);
	buffer[1] = (uint8_t)id;
	buffer[5] = 1;                    /* QDCOUNT */
	buffer[9] = ixfr ? 1 : 0;         /* NSCOUNT */
	uint8_t *at = buffer + WIRE_HEADER_LENGTH;
	memcpy(at, origin, origin_length);
	at += origin_length;
	*at++ = (uint8_t)(qtype >> 8);
	*at++ = (uint8_t)qtype;
	*at++ = 0;
	*at++ = RRCLASS_IN;
	if (ixfr) {
		memcpy(at, origin, origin_length);
		at += origin_length;
		*at++ = 0;
		*at++ = RRTYPE_SOA;
		*at++ = 0;
		*at++ = RRCLASS_IN;
		for (int shift = 24; shift >= 0; shift -= 8)
			*at++ = (uint8_t)(soa_ttl >> shift);
		*at++ = (uint8_t)(soa_length >> 8);
		*at++ = (uint8_t)soa_length;
		memcpy(at, soa_rdata, soa_length);
	}
	return need;
}

int
xfr_soa_response(const uint8_t *message, size_t length, const uint8_t *origin, uint16_t id,
	uint32_t *serial, char *why, size_t why_size)
{
	struct xfr_parse parse;
	xfr_parse_init(&parse, origin, RRTYPE_SOA, id, 0, 0);
	struct xfr_message m = { message, length, 0 };
	uint16_t counts[4];
	int rc = xfr_read_header(&parse, &m, counts);
	for (unsigned i = 0; rc == 0 && i < counts[1]; i++) {
		uint8_t owner[DNAME_MAX_LENGTH];
		static _Thread_local uint8_t rdata[UINT16_MAX + DNAME_MAX_LENGTH];
		struct xfr_rr rr;
		rc = xfr_read_record(&parse, &m, owner, rdata, sizeof rdata, &rr);
		if (rc == 0 && xfr_soa_serial(&rr, serial))
			return 0;   /* xfr_read_record() has checked its owner is the apex */
	}
	if (rc == 0)
		snprintf(parse.error, sizeof parse.error, "no SOA in the answer (AA %s)",
			length > 2 && (message[2] & 0x04) ? "set" : "clear");
	snprintf(why, why_size, "%s", parse.error);
	return ZONED_EINVAL;
}
