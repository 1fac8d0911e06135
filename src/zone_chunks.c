/*
 * zone_chunks.c: cut a zone file into chunks at owner lines, hash each,
 * and follow $ORIGIN and $TTL so that any chunk can be read on its own.
 * The scan mirrors zone_lex.c's rules for what ends a line's record
 * (comments, quotes, escapes, parentheses) without building any token.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_chunks.h"
#include "zoned/zone_rdata.h"

#define SCAN_BUFFER_SIZE (1024 * 1024)
/* Longest owner token kept to choose cuts; a longer one is never a cut. */
#define SCAN_OWNER_MAX 1024
/* Longest directive line followed; a longer one stops the fingerprinting. */
#define SCAN_DIRECTIVE_MAX 2048
/* RFC 2181 8: as zone_load.c, a $TTL with the top bit set counts as 0. */
#define SCAN_TTL_MAX 0x7fffffffu
/* More shared owners than this: the file is not worth fingerprinting. */
#define SCAN_SHARED_MAX 4096

static struct zone_chunk_sizes chunk_sizes = {
	.min = 16 * 1024,
	.mask = 0x3ff,
	.max = 256 * 1024,
};

void
zone_chunks_set_sizes(const struct zone_chunk_sizes *sizes)
{
	chunk_sizes = *sizes;
}

#define HASH_P1 0x9e3779b185ebca87ull
#define HASH_P2 0xc2b2ae3d27d4eb4full
#define HASH_P3 0x165667b19e3779f9ull

/* A streaming 64-bit hash, eight octets per step (xxHash64's round). */
struct chunk_hasher {
	uint64_t state;
	uint64_t total;
	uint8_t tail[8];
	unsigned tail_length;
};

static inline uint64_t
hash_round(uint64_t state, uint64_t word)
{
	state += word * HASH_P2;
	state = (state << 31) | (state >> 33);
	return state * HASH_P1;
}

static void
hasher_init(struct chunk_hasher *h)
{
	memset(h, 0, sizeof *h);
	h->state = HASH_P3;
}

static void
hasher_feed(struct chunk_hasher *h, const uint8_t *data, size_t length)
{
	h->total += length;
	while (h->tail_length != 0 && length > 0) {
		h->tail[h->tail_length++] = *data++;
		length--;
		if (h->tail_length == 8) {
			uint64_t word;
			memcpy(&word, h->tail, 8);
			h->state = hash_round(h->state, word);
			h->tail_length = 0;
		}
	}
	if (h->tail_length != 0)
		return;   /* all went into the tail, which is not full yet */
	uint64_t state = h->state;
	for (; length >= 8; data += 8, length -= 8) {
		uint64_t word;
		memcpy(&word, data, 8);
		state = hash_round(state, word);
	}
	h->state = state;
	memcpy(h->tail, data, length);
	h->tail_length = (unsigned)length;
}

static uint64_t
hasher_final(const struct chunk_hasher *h)
{
	uint64_t word = 0;
	memcpy(&word, h->tail, h->tail_length);
	uint64_t state = hash_round(h->state, word) ^ h->total;
	/* xxHash64's avalanche: every input bit reaches every output bit. */
	state ^= state >> 33;
	state *= HASH_P2;
	state ^= state >> 29;
	state *= HASH_P3;
	state ^= state >> 32;
	return state;
}

static uint64_t
hash_octets(const uint8_t *data, size_t length)
{
	struct chunk_hasher h;
	hasher_init(&h);
	hasher_feed(&h, data, length);
	return hasher_final(&h);
}

uint64_t
zone_chunks_owner_hash(const uint8_t *owner)
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t length = dname_length(owner);
	memcpy(name, owner, length);
	dname_lower(name);
	return zone_chunks_name_hash(name, length);
}

uint64_t
zone_chunks_name_hash(const uint8_t *name, size_t length)
{
	/* The zone index's own hash on top, so names are found from the index's slots. */
	return (uint64_t)name_hash(name, length) << 32 | (hash_octets(name, length) & 0xffffffffu);
}

/* Where the lexer is, in zone_lex.c's terms. */
enum scan_mode {
	SCAN_NORMAL,
	SCAN_QUOTED,
	SCAN_COMMENT,
};

struct chunk_scanner {
	struct zone_chunks *table;
	enum scan_mode mode;
	bool escape;                /* the last octet was a backslash that escapes the next */
	bool line_start;
	unsigned depth;             /* open parentheses */
	unsigned long line;
	uint64_t offset;            /* of the window's first octet */
	bool unsupported;           /* stop: no fingerprints for this file */
	/* What $ORIGIN and $TTL made of the reader's state so far. */
	uint8_t origin[DNAME_MAX_LENGTH];
	uint32_t default_ttl;
	bool default_ttl_known;
	/* The open chunk. */
	struct chunk_hasher hasher;
	struct zone_chunk open;
	/* An eligible line's owner token, not hashed until the cut is decided. */
	bool in_owner;
	uint8_t owner[SCAN_OWNER_MAX];
	size_t owner_length;
	uint64_t owner_offset;
	size_t owner_index;         /* where it starts in the current read, unless spilled */
	bool owner_spilled;         /* it began in an earlier read, which is hashed up to it */
	unsigned long owner_line;
	uint8_t previous_owner[SCAN_OWNER_MAX];
	size_t previous_owner_length;
	/* A directive line ($ORIGIN, $TTL, ...), read to its end. */
	bool in_directive;
	char directive[SCAN_DIRECTIVE_MAX];
	size_t directive_length;
};

static void
scanner_open_chunk(struct chunk_scanner *s, uint64_t offset, unsigned long line)
{
	hasher_init(&s->hasher);
	memset(&s->open, 0, sizeof s->open);
	s->open.offset = offset;
	s->open.line = line;
	s->open.default_ttl = s->default_ttl;
	s->open.default_ttl_known = s->default_ttl_known;
	memcpy(s->open.origin, s->origin, dname_length(s->origin));
}

static int
scanner_close_chunk(struct chunk_scanner *s, uint64_t end)
{
	struct zone_chunks *t = s->table;
	if (t->count == t->capacity) {
		size_t capacity = t->capacity ? t->capacity * 2 : 64;
		struct zone_chunk *grown = realloc(t->chunks, capacity * sizeof *grown);
		if (grown == NULL)
			return ZONED_ENOMEM;
		t->chunks = grown;
		t->capacity = capacity;
	}
	s->open.length = end - s->open.offset;
	s->open.hash = hasher_final(&s->hasher);
	t->chunks[t->count++] = s->open;
	return 0;
}

/* FNV-1a, folded: chooses cuts from an owner token (no need for more). */
static inline uint64_t
scanner_token_hash(const uint8_t *token, size_t length)
{
	uint64_t hash = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ token[i]) * 0x100000001b3ull;
	return hash ^ hash >> 29 ^ hash >> 47;
}

/* Whether the owner token is the previous owner line's (short: no library call). */
static inline bool
scanner_same_owner(const struct chunk_scanner *s)
{
	if (s->owner_length != s->previous_owner_length)
		return false;
	for (size_t i = s->owner_length; i-- > 0;) {
		if (s->owner[i] != s->previous_owner[i])
			return false;   /* names in a row often differ only at the end */
	}
	return true;
}

/*
 * The owner token of an eligible line is complete: cut before its line
 * when the chunk is long enough and the token says so (content-defined, so
 * the cuts after an edit fall where they fell before). A line with the
 * same owner token as the line before is never a cut: that owner's records
 * stay in one chunk.
 */
static int
scanner_decide(struct chunk_scanner *s, bool complete, const uint8_t *data, size_t *run,
	size_t i)
{
	s->in_owner = false;
	uint64_t length = s->owner_offset - s->open.offset;
	bool cut = complete && s->default_ttl_known && length >= chunk_sizes.min
		&& !scanner_same_owner(s)
		&& ((scanner_token_hash(s->owner, s->owner_length) & chunk_sizes.mask) == 0
			|| length >= chunk_sizes.max);
	if (!s->owner_spilled && cut) {
		/* The octets before the owner's line close the chunk; the rest is the next one's. */
		hasher_feed(&s->hasher, data + *run, s->owner_index - *run);
		*run = s->owner_index;
	}
	if (cut) {
		int rc = scanner_close_chunk(s, s->owner_offset);
		if (rc != 0)
			return rc;
		scanner_open_chunk(s, s->owner_offset, s->owner_line);
	}
	if (s->owner_spilled) {
		/* The token began in an earlier read: its octets are only in s->owner. */
		hasher_feed(&s->hasher, s->owner, s->owner_length);
		*run = i;
		s->owner_spilled = false;
	}
	memcpy(s->previous_owner, s->owner, s->owner_length);
	s->previous_owner_length = complete ? s->owner_length : 0;
	return 0;
}

/* Splits a directive line into at most 4 tokens as zone_lex.c would; false if it cannot. */
static size_t
scanner_directive_tokens(char *line, char *tokens[4])
{
	size_t count = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == ';')
			return count;
		if (count == 4)
			return count + 1;
		tokens[count++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != ';')
			p++;
		if (*p == ';') {
			*p = '\0';
			return count;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
}

/* A directive line ended: follow what zone_load.c does with it. */
static void
scanner_directive(struct chunk_scanner *s)
{
	s->in_directive = false;
	if (s->unsupported)
		return;
	s->directive[s->directive_length] = '\0';
	/* Quotes, parentheses and escapes change what the lexer reads: not followed. */
	if (strpbrk(s->directive, "\"()\\") != NULL
		|| strlen(s->directive) != s->directive_length) {
		s->unsupported = true;
		return;
	}
	char *tokens[4];
	size_t count = scanner_directive_tokens(s->directive, tokens);
	if (count == 0)
		return;
	/* An include, or records a $GENERATE makes: not followed either. */
	if (strcasecmp(tokens[0], "$INCLUDE") == 0 || strcasecmp(tokens[0], "$GENERATE") == 0) {
		s->unsupported = true;
		return;
	}
	if (count != 2)
		return;   /* the loader reports it and changes nothing */
	if (strcasecmp(tokens[0], "$TTL") == 0) {
		uint32_t ttl;
		/* As load_directive_ttl(): a bad $TTL is an error and counts as 0. */
		if (!rdata_ttl_from_text(tokens[1], &ttl) || ttl > SCAN_TTL_MAX)
			ttl = 0;
		s->default_ttl = ttl;
		s->default_ttl_known = true;
	} else if (strcasecmp(tokens[0], "$ORIGIN") == 0) {
		uint8_t origin[DNAME_MAX_LENGTH];
		const char *problem = NULL;
		if (rdata_name_from_text(tokens[1], s->origin, dname_length(s->origin), origin,
			&problem) != 0)
			memcpy(s->origin, origin, dname_length(origin));
		/* The same token now names another owner. */
		s->previous_owner_length = 0;
	}
}

/* Starts of lines that cannot be a cut: blank, comment, directive, quote, parenthesis, escape. */
static bool
scanner_eligible(uint8_t c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';' && c != '$'
		&& c != '"' && c != '(' && c != ')' && c != '\\';
}

/* Ends an owner token early (a cut is never decided on a partial token). */
static bool
scanner_ends_owner(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '('
		|| c == ')' || c == '"' || c == '\\';
}

/* Follows one octet through the lexer's rules. */
static inline void
scanner_step(struct chunk_scanner *s, uint8_t c)
{
	if (s->escape) {
		/* zone_lex.c: a backslash before a newline escapes nothing. */
		s->escape = false;
		if (c != '\n')
			return;
	}
	switch (s->mode) {
	case SCAN_NORMAL:
		if (c == '\\')
			s->escape = true;
		else if (c == '"')
			s->mode = SCAN_QUOTED;
		else if (c == ';')
			s->mode = SCAN_COMMENT;
		else if (c == '(')
			s->depth++;
		else if (c == ')' && s->depth > 0)
			s->depth--;
		break;
	case SCAN_QUOTED:
		/* A quoted string never spans lines (an error, then the line ends). */
		if (c == '\\')
			s->escape = true;
		else if (c == '"' || c == '\n')
			s->mode = SCAN_NORMAL;
		break;
	case SCAN_COMMENT:
		if (c == '\n')
			s->mode = SCAN_NORMAL;
		break;
	}
	if (c == '\n') {
		s->line++;
		s->line_start = true;
		if (s->in_directive)
			scanner_directive(s);
	}
}

/* Octets that need more than the lexer's rules: see scanner_feed(). */
static const uint8_t scan_special[256] = {
	['\n'] = 1, ['\\'] = 1, ['"'] = 1, [';'] = 1, ['('] = 1, [')'] = 1,
};

/*
 * Follows data (the next octets of the file). Octets are hashed in runs,
 * not one by one: up to the start of an owner line only once it is known
 * whether a chunk ends there.
 */
static int
scanner_feed(struct chunk_scanner *s, const uint8_t *data, size_t length)
{
	size_t run = 0;   /* octets before it are hashed */
	int rc = 0;
	for (size_t i = 0; i < length && rc == 0 && !s->unsupported; i++) {
		uint8_t c = data[i];
		if (s->in_owner) {
			if (!scanner_ends_owner(c) && s->owner_length < SCAN_OWNER_MAX) {
				s->owner[s->owner_length++] = c;
				continue;
			}
			rc = scanner_decide(s, !(s->owner_length == SCAN_OWNER_MAX
				&& !scanner_ends_owner(c)), data, &run, i);
		} else if (s->line_start) {
			s->line_start = false;
			if (s->depth == 0 && s->mode == SCAN_NORMAL && !s->escape) {
				if (c == '$') {
					s->in_directive = true;
					s->directive_length = 0;
				} else if (scanner_eligible(c)) {
					s->in_owner = true;
					s->owner[0] = c;
					s->owner_length = 1;
					s->owner_offset = s->offset + i;
					s->owner_index = i;
					s->owner_line = s->line;
					continue;
				}
			}
		}
		if (s->in_directive) {
			if (s->directive_length + 1 >= SCAN_DIRECTIVE_MAX)
				s->unsupported = true;
			else if (c != '\n')
				s->directive[s->directive_length++] = (char)c;
		}
		if (scan_special[c] || s->escape || s->mode != SCAN_NORMAL) {
			scanner_step(s, c);
		} else if (!s->in_directive) {
			/* Most octets change nothing: skip to the next one that may. */
			while (i + 1 < length && !scan_special[data[i + 1]])
				i++;
		}
	}
	if (!s->in_owner) {
		hasher_feed(&s->hasher, data + run, length - run);
	} else if (!s->owner_spilled) {
		hasher_feed(&s->hasher, data + run, s->owner_index - run);
		s->owner_spilled = true;
	}
	s->offset += length;
	return rc;
}

static void
scanner_init(struct chunk_scanner *s, struct zone_chunks *table, const uint8_t *origin)
{
	memset(s, 0, sizeof *s);
	s->table = table;
	s->line = 1;
	s->line_start = true;
	memcpy(s->origin, origin, dname_length(origin));
	scanner_open_chunk(s, 0, 1);
}

/* At the end of the input: the last token, line and chunk. */
static int
scanner_finish(struct chunk_scanner *s)
{
	int rc = 0;
	size_t run = 0;
	if (s->in_owner)
		rc = scanner_decide(s, true, NULL, &run, 0);
	if (s->in_directive)
		scanner_directive(s);
	if (rc == 0 && !s->unsupported)
		rc = scanner_close_chunk(s, s->offset);
	return rc;
}

static struct zone_chunks *
chunks_create(void)
{
	struct zone_chunks *table = calloc(1, sizeof *table);
	if (table != NULL)
		atomic_init(&table->holders, 1);
	return table;
}

static void
chunks_free(struct zone_chunks *table)
{
	if (table == NULL)
		return;
	free(table->chunks);
	free(table->owners);
	free(table);
}

/* Hands the scanned table out, or NULL when the scan gave up. */
static int
scanner_result(struct chunk_scanner *s, int rc, struct zone_chunks **out)
{
	if (rc == 0)
		rc = scanner_finish(s);
	if (rc != 0 || s->unsupported) {
		chunks_free(s->table);
		return rc;
	}
	*out = s->table;
	return 0;
}

int
zone_chunks_scan_text(const char *text, size_t length, const uint8_t *origin,
	struct zone_chunks **out)
{
	*out = NULL;
	struct zone_chunks *table = chunks_create();
	struct chunk_scanner *s = malloc(sizeof *s);
	if (table == NULL || s == NULL) {
		free(table);
		free(s);
		return ZONED_ENOMEM;
	}
	scanner_init(s, table, origin);
	int rc = scanner_feed(s, (const uint8_t *)text, length);
	rc = scanner_result(s, rc, out);
	free(s);
	return rc;
}

int
zone_chunks_scan_fd(int fd, const uint8_t *origin, struct zone_chunks **out)
{
	*out = NULL;
	struct stat before, after;
	if (fstat(fd, &before) != 0)
		return ZONED_EIO;
	struct zone_chunks *table = chunks_create();
	struct chunk_scanner *s = malloc(sizeof *s);
	uint8_t *buffer = malloc(SCAN_BUFFER_SIZE);
	if (table == NULL || s == NULL || buffer == NULL) {
		/* Before scanner_init(): s->table is not table yet, and must not be freed. */
		chunks_free(table);
		free(s);
		free(buffer);
		return ZONED_ENOMEM;
	}
	table->device = before.st_dev;
	table->inode = before.st_ino;
	table->size = before.st_size;
	table->mtime = before.st_mtim;
	scanner_init(s, table, origin);
	int rc = 0;
	for (off_t at = 0; rc == 0 && !s->unsupported;) {
		ssize_t got = pread(fd, buffer, SCAN_BUFFER_SIZE, at);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			rc = ZONED_EIO;
		if (got <= 0)
			break;
		rc = scanner_feed(s, buffer, (size_t)got);
		at += got;
	}
	if (rc == 0 && (fstat(fd, &after) != 0 || after.st_size != before.st_size
		|| after.st_mtim.tv_sec != before.st_mtim.tv_sec
		|| after.st_mtim.tv_nsec != before.st_mtim.tv_nsec
		|| (off_t)s->offset != after.st_size))
		rc = s->unsupported ? 0 : ZONED_ECHANGED;
	free(buffer);
	rc = scanner_result(s, rc, out);
	free(s);
	return rc;
}

size_t
zone_chunks_find_line(const struct zone_chunks *table, size_t hint, unsigned long line)
{
	size_t i = hint < table->count ? hint : 0;
	if (table->chunks[i].line > line)
		i = 0;
	while (i + 1 < table->count && table->chunks[i + 1].line <= line)
		i++;
	return i;
}

static int
compare_hash(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool
zone_chunk_has_owner(const struct zone_chunks *table, const struct zone_chunk *chunk,
	uint64_t hash)
{
	return chunk->owner_count != 0 && bsearch(&hash, table->owners + chunk->owner_first,
		chunk->owner_count, sizeof hash, compare_hash) != NULL;
}

void
zone_chunks_end_owners(struct zone_chunks *table)
{
	if (!table->owners_pending)
		return;
	table->owners_pending = false;
	struct zone_chunk *c = &table->chunks[table->owners_open];
	uint64_t *owners = table->owners + c->owner_first;
	qsort(owners, c->owner_count, sizeof *owners, compare_hash);
	size_t kept = 0;
	for (size_t j = 0; j < c->owner_count; j++) {
		if (j == 0 || owners[j] != owners[kept - 1])
			owners[kept++] = owners[j];
	}
	c->owner_count = kept;
	table->owner_count = c->owner_first + kept;
}

int
zone_chunks_reserve_owners(struct zone_chunks *table, size_t extra)
{
	if (table->owner_count + extra <= table->owner_capacity)
		return 0;
	size_t capacity = table->owner_capacity ? table->owner_capacity : 1024;
	while (capacity < table->owner_count + extra)
		capacity *= 2;
	uint64_t *grown = realloc(table->owners, capacity * sizeof *grown);
	if (grown == NULL)
		return ZONED_ENOMEM;
	table->owners = grown;
	table->owner_capacity = capacity;
	return 0;
}

int
zone_chunks_add_owner(struct zone_chunks *table, size_t chunk, uint64_t hash)
{
	struct zone_chunk *c = &table->chunks[chunk];
	if (!table->owners_pending || table->owners_open != chunk) {
		zone_chunks_end_owners(table);
		table->owners_open = chunk;
		table->owners_pending = true;
		c->owner_first = table->owner_count;
		c->owner_count = 0;
	} else if (c->owner_count != 0 && table->owners[table->owner_count - 1] == hash) {
		return 0;   /* the same owner's next record */
	}
	if (zone_chunks_reserve_owners(table, 1) != 0)
		return ZONED_ENOMEM;
	table->owners[table->owner_count++] = hash;
	c->owner_count++;
	return 0;
}

int
zone_chunks_copy_owners(struct zone_chunks *table, size_t chunk,
	const struct zone_chunks *from, const struct zone_chunk *source)
{
	zone_chunks_end_owners(table);
	if (zone_chunks_reserve_owners(table, source->owner_count) != 0)
		return ZONED_ENOMEM;
	struct zone_chunk *c = &table->chunks[chunk];
	c->owner_first = table->owner_count;
	c->owner_count = source->owner_count;
	c->entangled = source->entangled;
	memcpy(table->owners + table->owner_count, from->owners + source->owner_first,
		source->owner_count * sizeof *table->owners);
	table->owner_count += source->owner_count;
	return 0;
}

int
zone_chunks_entangle(struct zone_chunks *table, const size_t *chunks, size_t count)
{
	zone_chunks_end_owners(table);
	if (chunks == NULL)
		count = table->count;
	size_t total = 0;
	for (size_t i = 0; i < count; i++)
		total += table->chunks[chunks ? chunks[i] : i].owner_count;
	if (total == 0)
		return 0;
	/* An owner in two chunks shows up twice in their sorted union. */
	uint64_t *all = malloc(total * sizeof *all);
	if (all == NULL)
		return ZONED_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		const struct zone_chunk *c = &table->chunks[chunks ? chunks[i] : i];
		memcpy(all + n, table->owners + c->owner_first, c->owner_count * sizeof *all);
		n += c->owner_count;
	}
	qsort(all, total, sizeof *all, compare_hash);
	size_t shared = 0;
	for (size_t i = 1; i < total; i++) {
		if (all[i] == all[i - 1] && (shared == 0 || all[shared - 1] != all[i]))
			all[shared++] = all[i];
	}
	bool too_many = shared > SCAN_SHARED_MAX;
	for (size_t i = 0; i < count; i++) {
		struct zone_chunk *c = &table->chunks[chunks ? chunks[i] : i];
		for (size_t j = 0; j < shared && !c->entangled && !too_many; j++)
			c->entangled = zone_chunk_has_owner(table, c, all[j]);
		c->entangled |= too_many;
	}
	free(all);
	return 0;
}

bool
zone_chunk_same(const struct zone_chunk *a, const struct zone_chunk *b)
{
	return a->hash == b->hash && a->length == b->length
		&& a->default_ttl_known == b->default_ttl_known
		&& a->default_ttl == b->default_ttl && dname_equal(a->origin, b->origin)
		&& memcmp(a->origin, b->origin, dname_length(a->origin)) == 0;
}

struct zone_chunks *
zone_chunks_ref(struct zone_chunks *table)
{
	atomic_fetch_add(&table->holders, 1);
	return table;
}

void
zone_chunks_unref(struct zone_chunks *table)
{
	if (table != NULL && atomic_fetch_sub(&table->holders, 1) == 1)
		chunks_free(table);
}
