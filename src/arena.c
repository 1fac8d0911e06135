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

void *
arena_alloc(struct arena *arena, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	struct arena_chunk *chunk = arena->chunks;
	if (chunk == NULL || chunk->size - chunk->used < size) {
		chunk = arena_add_chunk(arena, size);
		if (chunk == NULL)
			return NULL;
	}
	void *memory = (uint8_t *)chunk->data + chunk->used;
	chunk->used += size;
	arena->bytes_used += size;
	return memory;
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
