/*
 * zone_dump.c: the canonical text form of a finalized zone (zoned-checkzone
 * -D and -o): BIND's record order and columns, rdata printed by ldns.
 */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_dump.h"

/* Columns of BIND's dns_master_style_full, tab stops every 8. */
#define COLUMN_TTL 46
#define COLUMN_CLASS 46
#define COLUMN_TYPE 46
#define COLUMN_RDATA 64
#define TAB_WIDTH 8

/* One record of a node, with its position in the dump order. */
struct dump_record {
	unsigned order;
	const struct rrset *rrset;
	const uint8_t *rdata;
	uint16_t rdata_length;
};

/* One line under construction, with its current column. */
struct dump_line {
	char *text;
	size_t length, capacity;
	unsigned column;
};

static int
line_append(struct dump_line *line, const char *text, size_t length)
{
	if (line->length + length + 1 > line->capacity) {
		size_t capacity = line->capacity ? line->capacity : 256;
		while (capacity < line->length + length + 1)
			capacity *= 2;
		char *grown = realloc(line->text, capacity);
		if (grown == NULL)
			return ZONED_ENOMEM;
		line->text = grown;
		line->capacity = capacity;
	}
	memcpy(line->text + line->length, text, length);
	line->length += length;
	line->text[line->length] = '\0';
	for (size_t i = 0; i < length; i++)
		line->column = text[i] == '\t' ? (line->column / TAB_WIDTH + 1) * TAB_WIDTH
			: line->column + 1;
	return 0;
}

static int
line_append_string(struct dump_line *line, const char *text)
{
	return line_append(line, text, strlen(text));
}

/* BIND's indent(): tabs then spaces up to column, at least one blank. */
static int
line_indent(struct dump_line *line, unsigned column)
{
	unsigned from = line->column;
	if (column < from + 1)
		column = from + 1;
	unsigned tabs = column / TAB_WIDTH - from / TAB_WIDTH;
	unsigned spaces = tabs > 0 ? column % TAB_WIDTH : column - from;
	int status = 0;
	for (unsigned i = 0; i < tabs && status == 0; i++)
		status = line_append(line, "\t", 1);
	for (unsigned i = 0; i < spaces && status == 0; i++)
		status = line_append(line, " ", 1);
	return status;
}

/* BIND's dump order: SOA, NS, then by type; an RRSIG just after what it covers. */
static unsigned
dump_order(uint16_t type, const uint8_t *rdata, uint16_t rdata_length)
{
	unsigned signature = 0;
	if (type == RRTYPE_RRSIG && rdata_length >= 2) {
		type = (uint16_t)(rdata[0] << 8 | rdata[1]);
		signature = 1;
	}
	unsigned rank = type == RRTYPE_SOA ? 0 : type == RRTYPE_NS ? 1 : (unsigned)type + 2;
	return rank << 1 | signature;
}

static int
dump_record_compare(const void *a_pointer, const void *b_pointer)
{
	const struct dump_record *a = a_pointer, *b = b_pointer;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	/* Keep the RRset's own (canonical) record order. */
	return a->rdata < b->rdata ? -1 : a->rdata > b->rdata;
}

/* RFC 3597 5: the generic form, for rdata ldns cannot print. */
static int
line_append_generic(struct dump_line *line, const uint8_t *rdata, uint16_t length)
{
	char text[16];
	snprintf(text, sizeof text, "\\# %u", (unsigned)length);
	int status = line_append_string(line, text);
	if (length > 0 && status == 0)
		status = line_append(line, " ", 1);
	for (uint16_t i = 0; i < length && status == 0; i++) {
		snprintf(text, sizeof text, "%02x", rdata[i]);
		status = line_append(line, text, 2);
	}
	return status;
}

/* Appends ldns's text of each rdata field, blank separated; -1 if ldns cannot. */
static int
line_append_ldns(struct dump_line *line, uint16_t type, const uint8_t *rdata, uint16_t length)
{
	/* ldns reads rdata only as part of a wire RR: root owner, type, class, TTL. */
	uint8_t *wire = malloc(11 + (size_t)length);
	if (wire == NULL)
		return ZONED_ENOMEM;
	const uint8_t header[11] = { 0, type >> 8, type & 0xff, 0, 1, 0, 0, 0, 0,
		length >> 8, length & 0xff };
	memcpy(wire, header, sizeof header);
	memcpy(wire + sizeof header, rdata, length);
	ldns_rr *rr = NULL;
	size_t position = 0;
	ldns_status status = ldns_wire2rr(&rr, wire, 11 + (size_t)length, &position,
		LDNS_SECTION_ANSWER);
	free(wire);
	if (status != LDNS_STATUS_OK || position != 11 + (size_t)length
		|| ldns_rr_rd_count(rr) == 0) {
		ldns_rr_free(rr);
		return -1;
	}
	ldns_buffer *buffer = ldns_buffer_new(256);
	int result = buffer == NULL ? ZONED_ENOMEM : 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr) && result == 0; i++) {
		ldns_buffer_clear(buffer);
		if (ldns_rdf2buffer_str(buffer, ldns_rr_rdf(rr, i)) != LDNS_STATUS_OK) {
			result = -1;
			break;
		}
		/* ldns pads some fields with blanks (NSEC bitmaps, NSEC3 salt): trim. */
		const char *text = (const char *)ldns_buffer_begin(buffer);
		size_t text_length = ldns_buffer_position(buffer);
		while (text_length > 0 && text[0] == ' ')
			text++, text_length--;
		while (text_length > 0 && text[text_length - 1] == ' ')
			text_length--;
		if (text_length == 0)
			continue;
		if (i > 0)
			result = line_append(line, " ", 1);
		if (result == 0)
			result = line_append(line, text, text_length);
	}
	ldns_buffer_free(buffer);
	ldns_rr_free(rr);
	return result;
}

static int
line_append_rdata(struct dump_line *line, uint16_t type, const uint8_t *rdata, uint16_t length)
{
	if (type == RRTYPE_NULL || length == 0)
		return line_append_generic(line, rdata, length);
	size_t mark = line->length;
	unsigned mark_column = line->column;
	int status = line_append_ldns(line, type, rdata, length);
	if (status != -1)
		return status;
	line->length = mark;
	line->column = mark_column;
	return line_append_generic(line, rdata, length);
}

/* BIND prints NULL's type generically, as its rdata (RFC 3597 5). */
static const char *
type_name(uint16_t type, char buffer[RRTYPE_TEXT_MAX])
{
	if (type == RRTYPE_NULL) {
		snprintf(buffer, RRTYPE_TEXT_MAX, "TYPE%u", (unsigned)type);
		return buffer;
	}
	return rrtype_to_text(type, buffer);
}

/* The owner: absolute, or relative to the origin ("@" for the apex). */
static void
owner_text(const struct zone *zone, const struct name_node *node, enum zone_dump_style style,
	char *out, size_t size)
{
	dname_to_text(node->name, out, size);
	if (style != ZONE_DUMP_RELATIVE)
		return;
	if (node == zone->apex) {
		snprintf(out, size, "@");
		return;
	}
	char origin[DNAME_MAX_LENGTH * 4 + 2];
	size_t origin_length = dname_to_text(zone->origin, origin, sizeof origin);
	size_t length = strlen(out);
	if (origin_length == 1)  /* the root zone: drop the final dot */
		out[length - 1] = '\0';
	else if (length > origin_length)
		out[length - origin_length - 1] = '\0';
}

static int
dump_one_record(struct dump_line *line, const struct zone *zone, const char *owner,
	const struct dump_record *record)
{
	char ttl[16], klass[RRTYPE_TEXT_MAX], type[RRTYPE_TEXT_MAX];
	snprintf(ttl, sizeof ttl, "%lu", (unsigned long)record->rrset->ttl);
	line->length = 0;
	line->column = 0;
	int status = line_append_string(line, owner);
	if (status == 0)
		status = line_indent(line, COLUMN_TTL);
	if (status == 0)
		status = line_append_string(line, ttl);
	if (status == 0)
		status = line_indent(line, COLUMN_CLASS);
	if (status == 0)
		status = line_append_string(line, rrclass_to_text(zone->zone_class, klass));
	if (status == 0)
		status = line_indent(line, COLUMN_TYPE);
	if (status == 0)
		status = line_append_string(line, type_name(record->rrset->type, type));
	if (status == 0)
		status = line_indent(line, COLUMN_RDATA);
	if (status == 0)
		status = line_append_rdata(line, record->rrset->type, record->rdata,
			record->rdata_length);
	if (status == 0)
		status = line_append(line, "\n", 1);
	return status;
}

/* Collects the records of node in dump order into *records (grown as needed). */
static int
dump_collect_node(const struct name_node *node, struct dump_record **records,
	size_t *capacity, size_t *count)
{
	*count = 0;
	for (uint16_t i = 0; i < node->rrset_count; i++) {
		const struct rrset *rrset = &name_node_rrsets(node)[i];
		struct rdata_cursor cursor = rdata_cursor_start(rrset->rdata, rrset->rdata_length);
		const uint8_t *rdata;
		uint16_t rdata_length;
		while (rdata_cursor_next(&cursor, &rdata, &rdata_length)) {
			if (*count == *capacity) {
				size_t grown_capacity = *capacity ? *capacity * 2 : 64;
				struct dump_record *grown = realloc(*records,
					grown_capacity * sizeof *grown);
				if (grown == NULL)
					return ZONED_ENOMEM;
				*records = grown;
				*capacity = grown_capacity;
			}
			struct dump_record *record = &(*records)[(*count)++];
			record->rrset = rrset;
			record->rdata_length = rdata_length;
			record->rdata = rdata;
			record->order = dump_order(rrset->type, rdata, rdata_length);
		}
	}
	qsort(*records, *count, sizeof **records, dump_record_compare);
	return 0;
}

/*
 * The node at position in the dump: the names in canonical order, then the
 * NSEC3 owners kept apart from them (RFC 5155 7.1) in hash order, as
 * named-checkzone -D prints its NSEC3 tree after the names. NULL at the end.
 */
static const struct name_node *
dump_node_at(const struct zone *zone, size_t position)
{
	if (position < zone->node_count)
		return zone->nodes[position];
	position -= zone->node_count;
	return position < zone->nsec3_count ? zone->nsec3_nodes[position] : NULL;
}

int
zone_dump_write(const struct zone *zone, enum zone_dump_style style, FILE *out)
{
	struct dump_line line = { 0 };
	struct dump_record *records = NULL;
	size_t capacity = 0, count = 0;
	int status = 0;
	char owner[DNAME_MAX_LENGTH * 4 + 2];
	if (style == ZONE_DUMP_RELATIVE) {
		dname_to_text(zone->origin, owner, sizeof owner);
		if (fprintf(out, "$ORIGIN %s\n", owner) < 0)
			status = ZONED_EIO;
	}
	const struct name_node *node;
	for (size_t i = 0; status == 0 && (node = dump_node_at(zone, i)) != NULL; i++) {
		if (node->rrset_count == 0)
			continue;  /* empty non-terminal: nothing to write */
		status = dump_collect_node(node, &records, &capacity, &count);
		owner_text(zone, node, style, owner, sizeof owner);
		for (size_t j = 0; j < count && status == 0; j++) {
			status = dump_one_record(&line, zone, owner, &records[j]);
			if (status == 0 && fwrite(line.text, 1, line.length, out) != line.length)
				status = ZONED_EIO;
		}
	}
	if (status == 0 && fflush(out) != 0)
		status = ZONED_EIO;
	free(records);
	free(line.text);
	return status;
}
