/* arena.h: bump allocator that owns all of one zone's data, freed in one go. */
#ifndef ZONED_ARENA_H
#define ZONED_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *chunks;  /* newest first */
	size_t chunk_size;           /* default size of a new chunk */
	size_t bytes_used;           /* payload handed out, for reporting */
	size_t bytes_reserved;       /* payload plus slack in all chunks */
};

/* Prepares an empty arena; chunk_size 0 picks a default. Cannot fail. */
void arena_init(struct arena *arena, size_t chunk_size);

/* Returns size bytes aligned to 8, or NULL when out of memory. */
void *arena_alloc(struct arena *arena, size_t size);

/* Returns size bytes with no alignment (names, rdata), or NULL when out of memory. */
void *arena_alloc_unaligned(struct arena *arena, size_t size);

/* Returns a copy of size bytes, or NULL when out of memory. */
void *arena_memdup(struct arena *arena, const void *data, size_t size);

/* Frees every chunk; the arena can be reused afterwards. */
void arena_free(struct arena *arena);

#endif
