/*
 * zone_sources.c: file:line of each loaded record, found again by a hash of
 * owner, type and rdata. A hash collision can only make a message name the
 * wrong line, never change a verdict, so no names or rdata are stored.
 */
#include <stdlib.h>
#include <string.h>

#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_sources.h"

struct zone_source_entry {
	uint64_t key;          /* source_key(): the owner's name_hash() and the type */
	uint32_t rdata_hash;
	uint32_t line;
	uint32_t file_index;
};

/* Owner (lowercased) and type: the RRset the record belongs to. */
static uint64_t
source_key(const uint8_t *owner, uint16_t type)
{
	uint8_t lower[DNAME_MAX_LENGTH];
	size_t length = dname_length(owner);
	memcpy(lower, owner, length);
	dname_lower(lower);
	return (uint64_t)name_hash(lower, length) << 16 | type;
}

/* FNV-1a over the rdata octets as stored (case kept, as the loader keeps it). */
static uint32_t
source_rdata_hash(const uint8_t *rdata, size_t length)
{
	uint32_t hash = 2166136261u;
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ rdata[i]) * 16777619u;
	return hash;
}

static int
source_file_index(struct zone_sources *sources, const char *file)
{
	if (sources->file_count > 0 && strcmp(sources->files[sources->file_count - 1], file) == 0)
		return (int)sources->file_count - 1;
	for (size_t i = 0; i < sources->file_count; i++) {
		if (strcmp(sources->files[i], file) == 0)
			return (int)i;
	}
	char **files = realloc(sources->files, (sources->file_count + 1) * sizeof *files);
	if (files == NULL)
		return -1;
	sources->files = files;
	if ((files[sources->file_count] = strdup(file)) == NULL)
		return -1;
	return (int)sources->file_count++;
}

int
zone_sources_add(struct zone_sources *sources, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char *file, unsigned long line)
{
	int file_index = source_file_index(sources, file != NULL ? file : "-");
	if (file_index < 0)
		return ZONED_ENOMEM;
	if (sources->count == sources->capacity) {
		size_t capacity = sources->capacity ? sources->capacity * 2 : 256;
		struct zone_source_entry *grown = realloc(sources->entries,
			capacity * sizeof *grown);
		if (grown == NULL)
			return ZONED_ENOMEM;
		sources->entries = grown;
		sources->capacity = capacity;
	}
	struct zone_source_entry *entry = &sources->entries[sources->count++];
	entry->key = source_key(owner, type);
	entry->rdata_hash = source_rdata_hash(rdata, rdata_length);
	entry->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	entry->file_index = (uint32_t)file_index;
	sources->sorted = 0;
	return 0;
}

/* Order: key, rdata hash, file order (the first record read comes first). */
static int
source_compare(const void *a_pointer, const void *b_pointer)
{
	const struct zone_source_entry *a = a_pointer, *b = b_pointer;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->rdata_hash != b->rdata_hash)
		return a->rdata_hash < b->rdata_hash ? -1 : 1;
	if (a->file_index != b->file_index)
		return a->file_index < b->file_index ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

int
zone_sources_find(struct zone_sources *sources, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char **file, unsigned long *line)
{
	if (sources == NULL || sources->count == 0)
		return 0;
	if (!sources->sorted) {
		qsort(sources->entries, sources->count, sizeof *sources->entries, source_compare);
		sources->sorted = 1;
	}
	uint64_t key = source_key(owner, type);
	uint32_t rdata_hash = rdata != NULL ? source_rdata_hash(rdata, rdata_length) : 0;
	size_t low = 0, high = sources->count;
	while (low < high) {  /* the first entry at or after (key, rdata_hash) */
		size_t middle = low + (high - low) / 2;
		const struct zone_source_entry *entry = &sources->entries[middle];
		if (entry->key < key || (entry->key == key && rdata != NULL
			&& entry->rdata_hash < rdata_hash))
			low = middle + 1;
		else
			high = middle;
	}
	const struct zone_source_entry *best = NULL;
	for (size_t i = low; i < sources->count && sources->entries[i].key == key; i++) {
		const struct zone_source_entry *entry = &sources->entries[i];
		if (rdata != NULL) {
			if (entry->rdata_hash == rdata_hash)
				best = entry;
			break;
		}
		/* The RRset's first line: the earliest of its records in file order. */
		if (best == NULL || entry->file_index < best->file_index
			|| (entry->file_index == best->file_index && entry->line < best->line))
			best = entry;
	}
	if (best == NULL)
		return 0;
	*file = sources->files[best->file_index];
	*line = best->line;
	return 1;
}

void
zone_sources_clear(struct zone_sources *sources)
{
	for (size_t i = 0; i < sources->file_count; i++)
		free(sources->files[i]);
	free(sources->files);
	free(sources->entries);
	memset(sources, 0, sizeof *sources);
}
