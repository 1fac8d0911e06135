/*
 * fuzz_zone_chunks.c: zone-file text cut into chunks (zone_chunks.c) and
 * each chunk read on its own (zone_load_piece()), as an incremental reload
 * reads the changed ones (zone_reload.c). Small chunk sizes so that a few
 * hundred octets make several chunks. Invariants: the chunks cover the
 * text in order, each starts a line and knows its line number; when the
 * whole text reads without error, every chunk read from the state the
 * scanner recorded for it ($ORIGIN, $TTL, line) gives exactly the records
 * (owner, type, class, TTL, rdata, line) the whole text gives there.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zoned/diag.h"
#include "zoned/dname.h"
#include "zoned/nametree.h"
#include "zoned/zone_chunks.h"
#include "zoned/zone_load.h"

/* Records as a flat byte string, to compare two reads octet for octet. */
struct chunks_fuzz_records {
	uint8_t *data;
	size_t length, capacity;
};

static void
chunks_fuzz_put(struct chunks_fuzz_records *r, const void *data, size_t length)
{
	if (r->capacity - r->length < length) {
		size_t capacity = r->capacity ? r->capacity : 4096;
		while (capacity - r->length < length)
			capacity *= 2;
		r->data = realloc(r->data, capacity);
		if (r->data == NULL)
			fuzz_fail("zone_chunks", "out of memory");
		r->capacity = capacity;
	}
	memcpy(r->data + r->length, data, length);
	r->length += length;
}

static int
on_chunks_fuzz_record(void *arg, const struct zone_record *record)
{
	struct chunks_fuzz_records *r = arg;
	uint8_t header[16];
	size_t owner_length = dname_length(record->owner);
	header[0] = (uint8_t)owner_length;
	memcpy(header + 1, &record->type, 2);
	memcpy(header + 3, &record->rr_class, 2);
	memcpy(header + 5, &record->ttl, 4);
	memcpy(header + 9, &record->rdata_length, 2);
	uint32_t line = (uint32_t)record->line;
	memcpy(header + 11, &line, 4);
	header[15] = 0;
	chunks_fuzz_put(r, header, sizeof header);
	chunks_fuzz_put(r, record->owner, owner_length);
	chunks_fuzz_put(r, record->rdata, record->rdata_length);
	return 0;
}

/* Reads text from start into r; returns the loader's code, 1 when it reported errors. */
static int
chunks_fuzz_read(const char *text, size_t length, const struct zone_load_start *start,
	struct chunks_fuzz_records *r)
{
	struct diag d = { 0 };
	int rc = zone_load_piece(text, length, "fuzz.zone", start, NULL, on_chunks_fuzz_record, r,
		&d);
	return rc != 0 ? rc : d.errors != 0;
}

/* The chunks cover text in order; each starts a line, whose number it knows. */
static void
chunks_fuzz_check_cover(const struct zone_chunks *table, const char *text, size_t size)
{
	uint64_t offset = 0;
	unsigned long line = 1;
	for (size_t i = 0; i < table->count; i++) {
		const struct zone_chunk *c = &table->chunks[i];
		if (c->offset != offset)
			fuzz_fail("zone_chunks", "the chunks leave a gap or overlap");
		if (c->offset > 0 && text[c->offset - 1] != '\n')
			fuzz_fail("zone_chunks", "a chunk that does not start a line");
		if (c->line != line)
			fuzz_fail("zone_chunks", "a chunk with the wrong line number");
		if (c->length == 0 && size > 0)
			fuzz_fail("zone_chunks", "an empty chunk");
		for (uint64_t at = c->offset; at < c->offset + c->length && at < size; at++)
			line += text[at] == '\n';
		offset += c->length;
	}
	if (offset != size)
		fuzz_fail("zone_chunks", "the chunks do not end at the end of the text");
}

int
fuzz_zone_chunks_one(const uint8_t *data, size_t size)
{
	static const struct zone_chunk_sizes small = { .min = 64, .mask = 0x3, .max = 512 };
	static const struct zone_chunk_sizes defaults = {
		.min = 16 * 1024, .mask = 0x3ff, .max = 256 * 1024 };
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text("example.", origin) < 0)
		fuzz_fail("zone_chunks", "bad origin");
	char *text = fuzz_copy_input("zone_chunks", data, size);
	zone_chunks_set_sizes(&small);
	struct zone_chunks *table = NULL;
	int rc = zone_chunks_scan_text(text, size, origin, &table);
	zone_chunks_set_sizes(&defaults);
	if (rc != 0 || table == NULL) {
		if (rc != 0 && table != NULL)
			fuzz_fail("zone_chunks", "a table handed out with an error");
		free(text);
		return 0;
	}
	chunks_fuzz_check_cover(table, text, size);
	struct chunks_fuzz_records whole = { 0 }, pieces = { 0 };
	struct zone_load_start start = { .origin = origin, .line = 1 };
	if (chunks_fuzz_read(text, size, &start, &whole) == 0) {
		for (size_t i = 0; i < table->count; i++) {
			const struct zone_chunk *c = &table->chunks[i];
			start = (struct zone_load_start){
				.origin = c->origin,
				.default_ttl = c->default_ttl,
				.default_ttl_known = c->default_ttl_known,
				.line = c->line,
			};
			if (chunks_fuzz_read(text + c->offset, c->length, &start, &pieces) != 0)
				fuzz_fail("zone_chunks", "a chunk fails to read where the whole text "
					"reads");
		}
		if (pieces.length != whole.length
			|| (whole.length != 0 && memcmp(pieces.data, whole.data, whole.length) != 0))
			fuzz_fail("zone_chunks", "the chunks read on their own give other records "
				"than the whole text");
	}
	free(whole.data);
	free(pieces.data);
	zone_chunks_unref(table);
	free(text);
	return 0;
}

FUZZ_ENTRY(fuzz_zone_chunks_one)
