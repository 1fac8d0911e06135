/* arena.c: chunked bump allocation for zone data that dies all at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zoned/arena.h"

#define ARENA_DEFAULT_CHUNK (256 * 1024)
#define ARENA_ALIGN 8

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;        /* payload octets */
	size_t used;
	max_align_t data[]; /* payload */
};

void
arena_init(struct arena *arena, size_t chunk_size)
{
	arena->chunks = NULL;
	arena->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
	arena->bytes_used = 0;
	arena->bytes_reserved = 0;
}

static struct arena_chunk *
arena_add_chunk(struct arena *arena, size_t at_least)
{
	size_t size = arena->chunk_size;
	if (size < at_least)
		size = at_least;
	struct arena_chunk *chunk = malloc(sizeof *chunk + size);
	if (chunk == NULL)
		return NULL;
	chunk->size = size;
	chunk->used = 0;
	/* A chunk bigger than the default goes second so the current one stays open. */
	if (size > arena->chunk_size && arena->chunks != NULL) {
		chunk->next = arena->chunks->next;
		arena->chunks->next = chunk;
	} else {
		chunk->next = arena->chunks;
		arena->chunks = chunk;
	}
	arena->bytes_reserved += size;
	return chunk;
}

/* Hands out size bytes starting at a multiple of align from the newest chunk. */
static void *
arena_take(struct arena *arena, size_t size, size_t align)
{
	struct arena_chunk *chunk = arena->chunks;
	size_t start = 0;
	if (chunk != NULL)
		start = (chunk->used + align - 1) & ~(align - 1);
	if (chunk == NULL || start > chunk->size || chunk->size - start < size) {
		chunk = arena_add_chunk(arena, size);
		if (chunk == NULL)
			return NULL;
		start = chunk->used;
	}
	void *memory = (uint8_t *)chunk->data + start;
	chunk->used = start + size;
	arena->bytes_used += size;
	return memory;
}

void *
arena_alloc(struct arena *arena, size_t size)
{
	return arena_take(arena, size ? size : 1, ARENA_ALIGN);
}

void *
arena_alloc_unaligned(struct arena *arena, size_t size)
{
	return arena_take(arena, size ? size : 1, 1);
}

void *
arena_memdup(struct arena *arena, const void *data, size_t size)
{
	void *copy = arena_alloc(arena, size);
	if (copy != NULL && size > 0)
		memcpy(copy, data, size);
	return copy;
}

void
arena_free(struct arena *arena)
{
	struct arena_chunk *chunk = arena->chunks;
	while (chunk != NULL) {
		struct arena_chunk *next = chunk->next;
		free(chunk);
		chunk = next;
	}
	arena_init(arena, arena->chunk_size);
}
