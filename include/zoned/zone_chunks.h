/*
 * zone_chunks.h: fingerprints of a zone file's text, so that a reload can
 * tell which parts of a changed file are new (zone_reload.h). The file is
 * cut into chunks at lines that start a new owner at column 0 outside
 * parentheses, at places chosen by the text itself (a hash of the owner
 * token), so an insertion moves the cuts after it along with the text.
 * Each chunk keeps its place, a 64-bit hash of its octets, what the reader
 * needs to start there ($ORIGIN, $TTL, line) and the hashes of its owners.
 */
#ifndef ZONED_ZONE_CHUNKS_H
#define ZONED_ZONE_CHUNKS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "zoned/dname.h"

/*
 * Where chunks are cut: at the first eligible line after min octets whose
 * owner token hashes to 0 under mask, or at the first one after max
 * octets. The defaults (16 KiB, 1 in 1024 owners, 256 KiB) give chunks of
 * about 64 KiB for the benchmark's zone (owners of 1 to 5 short records).
 */
struct zone_chunk_sizes {
	uint64_t min;
	uint64_t mask;
	uint64_t max;
};

/* Sets the sizes of every later scan (tests make small chunks of small files). */
void zone_chunks_set_sizes(const struct zone_chunk_sizes *sizes);

/* One piece of the file. */
struct zone_chunk {
	uint64_t offset;                    /* of its first octet */
	uint64_t length;
	uint64_t hash;                      /* of its octets */
	unsigned long line;                 /* line of its first octet */
	/* The reader's state where it starts (zone_load_piece()). */
	uint32_t default_ttl;               /* $TTL */
	bool default_ttl_known;
	uint8_t origin[DNAME_MAX_LENGTH];   /* $ORIGIN, lowercase not required */
	/* Its owners: zone_chunks.owners[owner_first..+owner_count), sorted, distinct. */
	size_t owner_first, owner_count;
	/* An owner of it is also an owner of another chunk: a change needs a full load. */
	bool entangled;
};

/*
 * The chunks of one file, in file order. Immutable once built, and shared
 * by reference between zone set entries that serve the same version.
 */
struct zone_chunks {
	struct zone_chunk *chunks;
	size_t count, capacity;
	uint64_t *owners;                   /* zone_chunks_owner_hash() values */
	size_t owner_count, owner_capacity;
	size_t owners_open;                 /* the chunk whose owners are not sorted yet */
	bool owners_pending;
	/* The file as the scan found it (fstat at its start). */
	dev_t device;
	ino_t inode;
	off_t size;
	struct timespec mtime;
	atomic_uint holders;
};

/*
 * Splits and hashes the file open at fd (read from offset 0 to its end)
 * whose zone is origin (wire form). *out is NULL when the file cannot be
 * fingerprinted: it uses $INCLUDE, or a directive line the scanner does
 * not follow exactly (parentheses, quotes or escapes in it). Owners are
 * not filled: the loader reports them (zone_chunks_add_owner()). Returns 0,
 * ZONED_EIO, ZONED_ECHANGED (the file changed while read) or ZONED_ENOMEM.
 */
int zone_chunks_scan_fd(int fd, const uint8_t *origin, struct zone_chunks **out);

/* zone_chunks_scan_fd() for text in memory. */
int zone_chunks_scan_text(const char *text, size_t length, const uint8_t *origin,
	struct zone_chunks **out);

/* The index of the chunk holding line, searching forward from hint (records come in order). */
size_t zone_chunks_find_line(const struct zone_chunks *table, size_t hint, unsigned long line);

/*
 * The hash of an owner name (wire form, any case) as the tables keep it:
 * name_hash() of the lowercased name in the upper 32 bits (so a zone's
 * index slots say which names may have it), another hash in the lower.
 */
uint64_t zone_chunks_owner_hash(const uint8_t *owner);

/* zone_chunks_owner_hash() of a name already lowercased, length octets. */
uint64_t zone_chunks_name_hash(const uint8_t *name, size_t length);

/*
 * Notes that chunk has an owner with hash. Owners come in chunk order: a
 * later chunk closes the earlier one's list (zone_chunks_end_owners()).
 * Returns 0 or ZONED_ENOMEM.
 */
int zone_chunks_add_owner(struct zone_chunks *table, size_t chunk, uint64_t hash);

/*
 * Gives chunk (after every chunk with owners so far) the owners of source,
 * a chunk of from with the same text, and its entangled mark. Returns 0 or
 * ZONED_ENOMEM.
 */
int zone_chunks_copy_owners(struct zone_chunks *table, size_t chunk,
	const struct zone_chunks *from, const struct zone_chunk *source);

/* Makes room for extra more owners in one step. Returns 0 or ZONED_ENOMEM. */
int zone_chunks_reserve_owners(struct zone_chunks *table, size_t extra);

/* Sorts the owners of the chunk that got the last ones and drops repeats. */
void zone_chunks_end_owners(struct zone_chunks *table);

/*
 * Marks as entangled each of chunks[0..count) (indexes; NULL: every
 * chunk) that shares an owner with another of them. Returns 0 or
 * ZONED_ENOMEM.
 */
int zone_chunks_entangle(struct zone_chunks *table, const size_t *chunks, size_t count);

/* True when a and b hold the same octets read in the same state (the same records). */
bool zone_chunk_same(const struct zone_chunk *a, const struct zone_chunk *b);

/* Whether the sorted owners of chunk include hash. */
bool zone_chunk_has_owner(const struct zone_chunks *table, const struct zone_chunk *chunk,
	uint64_t hash);

/* Adds a holder; returns table. */
struct zone_chunks *zone_chunks_ref(struct zone_chunks *table);

/* Drops a holder; the last frees the table. NULL is fine. */
void zone_chunks_unref(struct zone_chunks *table);

#endif
