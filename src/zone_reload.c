/*
 * zone_reload.c: a reload that reads only the changed chunks of a zone
 * file. The new file is scanned and hashed (zone_chunks.c); chunks whose
 * text and starting state match a chunk of the old file hold the same
 * records as before and are not read. Every owner of a changed chunk, old
 * or new, gets its complete new record list through zone_update.h; an
 * owner that also lives in an unchanged chunk, or anything else this cannot
 * do exactly, sends the reload to a full load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zoned/diag.h"
#include "zoned/diag_hold.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_check.h"
#include "zoned/zone_chunks.h"
#include "zoned/zone_reload.h"
#include "zoned/zone_update.h"

/* Returned inside this file only: do a full load instead. */
#define RELOAD_FALLBACK 1
/* Changed text above this share of the file: a full load is as cheap. */
#define RELOAD_MAX_CHANGED_SHARE 4   /* 1/4 */
/* 2^16 bits: one per 16-bit prefix of the zone index's name hash. */
#define RELOAD_PREFIX_WORDS (65536 / 64)

static atomic_ulong reload_full_count, reload_incremental_count, reload_fallback_count;

struct zone_reload_counts
zone_reload_counts(void)
{
	return (struct zone_reload_counts){
		.full = atomic_load(&reload_full_count),
		.incremental = atomic_load(&reload_incremental_count),
		.fallback = atomic_load(&reload_fallback_count),
	};
}

/* ------------------------------------------------ full load */

/* Owners of the zone file's records go to the chunk holding their line. */
struct fingerprint_hook {
	struct zone_chunks *table;
	size_t hint;
};

static int
on_fingerprint_record(void *arg, const uint8_t *owner, unsigned long line)
{
	struct fingerprint_hook *hook = arg;
	hook->hint = zone_chunks_find_line(hook->table, hook->hint, line);
	return zone_chunks_add_owner(hook->table, hook->hint, zone_chunks_owner_hash(owner));
}

/* True when path still names the file table was scanned from, unchanged. */
static bool
reload_same_file(const char *path, const struct zone_chunks *table)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_dev == table->device && st.st_ino == table->inode
		&& st.st_size == table->size && st.st_mtim.tv_sec == table->mtime.tv_sec
		&& st.st_mtim.tv_nsec == table->mtime.tv_nsec;
}

/* Scans path for fingerprints; NULL when it cannot have any (or is not a regular file). */
static int
reload_scan_path(const char *path, const uint8_t *origin, struct zone_chunks **out)
{
	*out = NULL;
	if (strcmp(path, "-") == 0)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;   /* the loader says why */
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		rc = zone_chunks_scan_fd(fd, origin, out);
	close(fd);
	/*
	 * A file written while scanned, or a read error: no fingerprints, and
	 * the load (which reads it again) sees and reports what is wrong.
	 */
	return rc == ZONED_ENOMEM ? rc : 0;
}

/* zone_load_file() that also fingerprints the file. */
static int
reload_full(const char *path, const uint8_t *origin, const struct zone_load_options *options,
	struct diag *d, struct zone **out, struct zone_chunks **chunks)
{
	struct zone_chunks *table = NULL;
	int rc = reload_scan_path(path, origin, &table);
	if (rc != 0)
		return rc;
	struct zone_load_options with_hook = { 0 };
	if (options != NULL)
		with_hook = *options;
	struct fingerprint_hook hook = { .table = table };
	if (table != NULL) {
		with_hook.on_record = on_fingerprint_record;
		with_hook.on_record_arg = &hook;
	}
	rc = zone_load_file(path, origin, &with_hook, d, out);
	if (rc == 0 && table != NULL)
		rc = zone_chunks_entangle(table, NULL, 0);
	if (rc != 0 && *out != NULL) {
		zone_free(*out);
		*out = NULL;
	}
	/* The loader read what the scan read only if the file is still the one scanned. */
	if (rc != 0 || (table != NULL && !reload_same_file(path, table))) {
		zone_chunks_unref(table);
		table = NULL;
	}
	*chunks = table;
	atomic_fetch_add(&reload_full_count, 1);
	return rc;
}

/* ------------------------------------------------ records of changed chunks */

/* One record read from a changed chunk; its octets are in reload_records.bytes. */
struct piece_record {
	size_t owner;                /* offset of the lowercased owner */
	size_t rdata;                /* offset of the rdata */
	uint8_t owner_length;
	uint16_t type;
	uint16_t rr_class;
	uint16_t rdata_length;
	uint32_t ttl;
	unsigned long line;
	size_t sequence;             /* file order */
};

struct reload_records {
	struct piece_record *items;
	size_t count, capacity;
	uint8_t *bytes;
	size_t length, byte_capacity;
};

static int
records_append(struct reload_records *r, const void *data, size_t length, size_t *at)
{
	if (r->length + length > r->byte_capacity) {
		size_t capacity = r->byte_capacity ? r->byte_capacity : 64 * 1024;
		while (capacity < r->length + length)
			capacity *= 2;
		uint8_t *grown = realloc(r->bytes, capacity);
		if (grown == NULL)
			return ZONED_ENOMEM;
		r->bytes = grown;
		r->byte_capacity = capacity;
	}
	memcpy(r->bytes + r->length, data, length);
	*at = r->length;
	r->length += length;
	return 0;
}

/* One incremental reload. */
struct reload {
	const char *path;
	const struct zone_load_options *options;
	struct zone_check_modes modes;
	const struct zone *old;
	struct zone_chunks *old_chunks;
	struct zone_chunks *chunks;  /* the new file's */
	int fd;
	long *source;                /* per new chunk: the old chunk with its text, or -1 */
	bool *removed;               /* per old chunk: no new chunk has its text */
	size_t chunk;                /* the chunk being read */
	struct reload_records records;
	uint64_t *removed_owners;    /* sorted owner hashes of the removed old chunks */
	size_t removed_count;
	struct diag d;               /* into findings */
	struct diag_hold findings;
};

/* zone_load_piece()'s sink: keeps the record, notes its owner for the new chunk. */
static int
on_piece_record(void *arg, const struct zone_record *record)
{
	struct reload *r = arg;
	int rc = zone_chunks_add_owner(r->chunks, r->chunk, zone_chunks_owner_hash(record->owner));
	if (rc != 0)
		return rc;
	uint8_t name[DNAME_MAX_LENGTH];
	size_t name_length = dname_length(record->owner);
	memcpy(name, record->owner, name_length);
	dname_lower(name);
	if (!dname_is_subdomain(name, r->old->origin)) {
		/* As a full load: checked, then dropped by zone_add_record(). */
		zone_check_record(r->old, record, &r->modes, &r->d);
		char text[DNAME_MAX_LENGTH * 4 + 2];
		dname_format(record->owner, text, sizeof text);
		diag_report(&r->d, DIAG_WARNING, record->file, record->line,
			"ignoring out-of-zone data (%s)", text);
		return 0;
	}
	struct reload_records *records = &r->records;
	if (records->count == records->capacity) {
		size_t capacity = records->capacity ? records->capacity * 2 : 1024;
		struct piece_record *grown = realloc(records->items, capacity * sizeof *grown);
		if (grown == NULL)
			return ZONED_ENOMEM;
		records->items = grown;
		records->capacity = capacity;
	}
	struct piece_record *item = &records->items[records->count];
	*item = (struct piece_record){
		.owner_length = (uint8_t)name_length,
		.type = record->type,
		.rr_class = record->rr_class,
		.rdata_length = record->rdata_length,
		.ttl = record->ttl,
		.line = record->line,
		.sequence = records->count,
	};
	if (records_append(records, name, name_length, &item->owner) != 0
		|| records_append(records, record->rdata, record->rdata_length, &item->rdata) != 0)
		return ZONED_ENOMEM;
	records->count++;
	return 0;
}

/* ------------------------------------------------ matching chunks */

static int
compare_chunk_hash(const void *a, const void *b, void *arg)
{
	const struct zone_chunk *chunks = arg;
	uint64_t x = chunks[*(const size_t *)a].hash, y = chunks[*(const size_t *)b].hash;
	return x < y ? -1 : x > y;
}

/* Pairs each new chunk with an old chunk of the same text and state, if any. */
static int
reload_match(struct reload *r)
{
	const struct zone_chunks *old = r->old_chunks;
	size_t *order = malloc((old->count ? old->count : 1) * sizeof *order);
	r->source = malloc((r->chunks->count ? r->chunks->count : 1) * sizeof *r->source);
	r->removed = malloc((old->count ? old->count : 1) * sizeof *r->removed);
	if (order == NULL || r->source == NULL || r->removed == NULL) {
		free(order);
		return ZONED_ENOMEM;
	}
	for (size_t i = 0; i < old->count; i++) {
		order[i] = i;
		r->removed[i] = true;
	}
	qsort_r(order, old->count, sizeof *order, compare_chunk_hash, old->chunks);
	for (size_t j = 0; j < r->chunks->count; j++) {
		const struct zone_chunk *c = &r->chunks->chunks[j];
		r->source[j] = -1;
		/* The first old chunk with this hash, then the run of equal hashes. */
		size_t low = 0, high = old->count;
		while (low < high) {
			size_t mid = (low + high) / 2;
			if (old->chunks[order[mid]].hash < c->hash)
				low = mid + 1;
			else
				high = mid;
		}
		for (size_t k = low; k < old->count && old->chunks[order[k]].hash == c->hash; k++) {
			if (r->removed[order[k]] && zone_chunk_same(&old->chunks[order[k]], c)) {
				r->removed[order[k]] = false;
				r->source[j] = (long)order[k];
				break;
			}
		}
	}
	free(order);
	return 0;
}

/* Whether the change is one this file can apply: small, and its old owners not shared. */
static bool
reload_worth_it(const struct reload *r)
{
	uint64_t changed = 0, total = 0;
	bool any = false;
	for (size_t j = 0; j < r->chunks->count; j++) {
		total += r->chunks->chunks[j].length;
		if (r->source[j] < 0) {
			changed += r->chunks->chunks[j].length;
			any = true;
		}
	}
	for (size_t i = 0; i < r->old_chunks->count; i++) {
		if (r->removed[i] && r->old_chunks->chunks[i].entangled)
			return false;
		any |= r->removed[i];
	}
	/*
	 * Nothing changed (only the file's times), or nothing is left (a full
	 * load says "no records", which the zone checks would not): a full
	 * load, as ever.
	 */
	return any && total > 0 && changed * RELOAD_MAX_CHANGED_SHARE <= total;
}

/* ------------------------------------------------ reading changed chunks */

static int
reload_read_chunk(struct reload *r, const struct zone_chunk *c, char *buffer)
{
	size_t done = 0;
	while (done < c->length) {
		ssize_t got = pread(r->fd, buffer + done, c->length - done, (off_t)(c->offset + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got == 0 ? ZONED_ECHANGED : ZONED_EIO;
		done += (size_t)got;
	}
	struct zone_load_start start = {
		.origin = c->origin,
		.default_ttl = c->default_ttl,
		.default_ttl_known = c->default_ttl_known,
		.line = c->line,
	};
	return zone_load_piece(buffer, c->length, r->path, &start, r->options, on_piece_record,
		r, &r->d);
}

/*
 * Walks the new chunks in order: an unchanged one takes its owners from
 * its old twin, a changed one is read. Parse errors are kept going past,
 * as a full load reports them all; the result is then ZONED_ESYNTAX.
 */
static int
reload_read_changes(struct reload *r)
{
	uint64_t longest = 0;
	for (size_t j = 0; j < r->chunks->count; j++) {
		if (r->source[j] < 0 && r->chunks->chunks[j].length > longest)
			longest = r->chunks->chunks[j].length;
	}
	char *buffer = malloc(longest ? longest : 1);
	/* About as many owners as before: one allocation, not a series of doublings. */
	if (buffer == NULL
		|| zone_chunks_reserve_owners(r->chunks, r->old_chunks->owner_count + 1024) != 0) {
		free(buffer);
		return ZONED_ENOMEM;
	}
	int result = 0;
	for (size_t j = 0; j < r->chunks->count; j++) {
		int rc;
		r->chunk = j;
		if (r->source[j] >= 0)
			rc = zone_chunks_copy_owners(r->chunks, j, r->old_chunks,
				&r->old_chunks->chunks[r->source[j]]);
		else
			rc = reload_read_chunk(r, &r->chunks->chunks[j], buffer);
		if (rc == ZONED_ESYNTAX) {
			result = rc;
			continue;
		}
		if (rc != 0) {
			result = rc;
			break;
		}
	}
	zone_chunks_end_owners(r->chunks);
	free(buffer);
	return result;
}

/* ------------------------------------------------ the change */

static int
compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The owners of the old chunks no new chunk repeats: theirs may all be gone. */
static int
reload_collect_removed(struct reload *r)
{
	const struct zone_chunks *old = r->old_chunks;
	size_t total = 0;
	for (size_t i = 0; i < old->count; i++) {
		if (r->removed[i])
			total += old->chunks[i].owner_count;
	}
	r->removed_owners = malloc((total ? total : 1) * sizeof *r->removed_owners);
	if (r->removed_owners == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < old->count; i++) {
		if (!r->removed[i])
			continue;
		memcpy(r->removed_owners + r->removed_count, old->owners + old->chunks[i].owner_first,
			old->chunks[i].owner_count * sizeof *r->removed_owners);
		r->removed_count += old->chunks[i].owner_count;
	}
	qsort(r->removed_owners, r->removed_count, sizeof *r->removed_owners, compare_u64);
	return 0;
}

static bool
reload_was_removed(const struct reload *r, uint64_t hash)
{
	return r->removed_count != 0 && bsearch(&hash, r->removed_owners, r->removed_count,
		sizeof hash, compare_u64) != NULL;
}

/* Whether some removed owner's hash has upper half upper (a binary search on the sorted hashes). */
static bool
reload_was_removed_upper(const struct reload *r, uint32_t upper)
{
	size_t low = 0, high = r->removed_count;
	while (low < high) {
		size_t mid = (low + high) / 2;
		if ((uint32_t)(r->removed_owners[mid] >> 32) < upper)
			low = mid + 1;
		else
			high = mid;
	}
	return low < r->removed_count && (uint32_t)(r->removed_owners[low] >> 32) == upper;
}

/* Orders read records by owner, then file order, so each owner is one run. */
static int
compare_piece(const void *a, const void *b, void *arg)
{
	const uint8_t *bytes = arg;
	const struct piece_record *x = a, *y = b;
	if (x->owner_length != y->owner_length)
		return x->owner_length < y->owner_length ? -1 : 1;
	int c = memcmp(bytes + x->owner, bytes + y->owner, x->owner_length);
	if (c != 0)
		return c;
	return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

/* Whether the sorted read records have an owner named name (lowercased). */
static bool
reload_reads_owner(const struct reload *r, const uint8_t *name, size_t length)
{
	size_t low = 0, high = r->records.count;
	while (low < high) {
		size_t mid = (low + high) / 2;
		const struct piece_record *p = &r->records.items[mid];
		int c = p->owner_length != length ? (p->owner_length < length ? -1 : 1)
			: memcmp(r->records.bytes + p->owner, name, length);
		if (c == 0)
			return true;
		if (c < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return false;
}

/*
 * An owner read now that the old version has must come from a removed
 * chunk: else its other records are in an unchanged chunk, which is not
 * read, and only a full load sees them all.
 */
static bool
reload_owners_whole(const struct reload *r)
{
	const struct piece_record *items = r->records.items;
	for (size_t i = 0; i < r->records.count; i++) {
		const uint8_t *name = r->records.bytes + items[i].owner;
		if (items[i].type == RRTYPE_NSEC3)
			return false;   /* NSEC3 owners are not names of the zone: not shared yet */
		if (i > 0 && items[i - 1].owner_length == items[i].owner_length
			&& memcmp(r->records.bytes + items[i - 1].owner, name, items[i].owner_length) == 0)
			continue;   /* the same owner as the record before */
		const struct name_node *node = zone_find_node(r->old, name, items[i].owner_length);
		if (node != NULL && node->rrset_count > 0
			&& !reload_was_removed(r, zone_chunks_owner_hash(name)))
			return false;
	}
	return true;
}

/* Replaces each read owner's records with what the new text says. */
static int
reload_apply_read(struct reload *r, struct zone_update *u)
{
	const struct piece_record *items = r->records.items;
	struct zone_record *list = malloc((r->records.count ? r->records.count : 1) * sizeof *list);
	if (list == NULL)
		return ZONED_ENOMEM;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->records.count;) {
		size_t n = 0;
		const uint8_t *owner = r->records.bytes + items[i].owner;
		do {
			const struct piece_record *p = &items[i + n];
			list[n] = (struct zone_record){
				.owner = owner,
				.type = p->type,
				.rr_class = p->rr_class,
				.ttl = p->ttl,
				.rdata = r->records.bytes + p->rdata,
				.rdata_length = p->rdata_length,
				.file = r->path,
				.line = p->line,
			};
			n++;
		} while (i + n < r->records.count && items[i + n].owner_length == items[i].owner_length
			&& memcmp(r->records.bytes + items[i + n].owner, owner, items[i].owner_length) == 0);
		rc = zone_update_set_owner(u, owner, list, n, &r->d);
		i += n;
	}
	free(list);
	return rc;
}

struct gone_node {
	uint64_t hash;
	const struct name_node *node;
};

static int
compare_gone(const void *a, const void *b)
{
	return compare_u64(&((const struct gone_node *)a)->hash,
		&((const struct gone_node *)b)->hash);
}

/*
 * The old version's names that were owners in removed chunks and that no
 * changed chunk has any more. No text of the old file is left: they are
 * found by the hashes the table keeps, whose upper half is the zone
 * index's hash, so a pass over the index's slots (one array, no node
 * touched) finds the few candidates. Two names with one hash cannot be
 * told apart: fall back.
 */
static int
reload_find_gone(struct reload *r, struct gone_node **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (r->removed_count == 0)
		return 0;
	size_t n = 0, capacity = r->removed_count + 1;
	struct gone_node *gone = malloc(capacity * sizeof *gone);
	if (gone == NULL)
		return ZONED_ENOMEM;
	const struct zone *old = r->old;
	/* A bit per 16-bit prefix of the index hash rules out most slots in one test. */
	uint64_t *prefixes = calloc(RELOAD_PREFIX_WORDS, sizeof *prefixes);
	if (prefixes == NULL) {
		free(gone);
		return ZONED_ENOMEM;
	}
	for (size_t i = 0; i < r->removed_count; i++) {
		uint32_t prefix = (uint32_t)(r->removed_owners[i] >> 48);
		prefixes[prefix / 64] |= 1ull << (prefix % 64);
	}
	for (uint32_t i = 0; i < old->hash_size; i++) {
		const struct zone_slot *slot = &old->hash_slots[i];
		uint32_t prefix = slot->hash >> 16;
		if (slot->node == NULL || !(prefixes[prefix / 64] & 1ull << (prefix % 64))
			|| !reload_was_removed_upper(r, slot->hash))
			continue;
		const struct name_node *node = slot->node;
		uint64_t hash = zone_chunks_name_hash(node->name, node->name_length);
		if (node->rrset_count == 0 || !reload_was_removed(r, hash))
			continue;
		if (n == capacity) {
			free(gone);
			free(prefixes);
			return RELOAD_FALLBACK;   /* more names than hashes: some share one */
		}
		gone[n++] = (struct gone_node){ hash, node };
	}
	free(prefixes);
	qsort(gone, n, sizeof *gone, compare_gone);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && gone[i].hash == gone[i - 1].hash) {
			free(gone);
			return RELOAD_FALLBACK;
		}
		if (!reload_reads_owner(r, gone[i].node->name, gone[i].node->name_length))
			gone[kept++] = gone[i];
	}
	*out = gone;
	*count = kept;
	return 0;
}

/* Builds the new version from old and the change. */
static int
reload_apply(struct reload *r, struct zone **out)
{
	int rc = reload_collect_removed(r);
	if (rc != 0)
		return rc;
	qsort_r(r->records.items, r->records.count, sizeof *r->records.items, compare_piece,
		r->records.bytes);
	if (!reload_owners_whole(r))
		return RELOAD_FALLBACK;
	struct gone_node *gone;
	size_t gone_count;
	rc = reload_find_gone(r, &gone, &gone_count);
	if (rc != 0)
		return rc;
	struct zone_update *u = zone_update_begin(r->old);
	if (u == NULL) {
		free(gone);
		return RELOAD_FALLBACK;
	}
	rc = reload_apply_read(r, u);
	for (size_t i = 0; rc == 0 && i < gone_count; i++)
		rc = zone_update_set_owner(u, gone[i].node->name, NULL, 0, &r->d);
	free(gone);
	if (rc != 0) {
		zone_update_abort(u);
		return rc;
	}
	return zone_update_commit(u, &r->d, out);
}

/* The changed chunks' owners may be shared among them: mark those. */
static int
reload_entangle_changed(struct reload *r)
{
	size_t *changed = malloc((r->chunks->count ? r->chunks->count : 1) * sizeof *changed);
	if (changed == NULL)
		return ZONED_ENOMEM;
	size_t n = 0;
	for (size_t j = 0; j < r->chunks->count; j++) {
		if (r->source[j] < 0)
			changed[n++] = j;
	}
	int rc = zone_chunks_entangle(r->chunks, changed, n);
	free(changed);
	return rc;
}

/* Opens path, tells on_file, and scans it; RELOAD_FALLBACK when it has no fingerprints. */
static int
reload_open(struct reload *r, const uint8_t *origin)
{
	r->fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (r->fd < 0)
		return RELOAD_FALLBACK;   /* the full load says why */
	struct stat st;
	if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return RELOAD_FALLBACK;
	int rc = zone_chunks_scan_fd(r->fd, origin, &r->chunks);
	if (rc == 0 && r->chunks == NULL)
		return RELOAD_FALLBACK;
	return rc;
}

/*
 * After reading: the file must be the one scanned, and still the one path
 * names, as a full load checks its file (lex_input_changed()).
 */
static int
reload_check_unchanged(const struct reload *r)
{
	struct stat st, named;
	if (fstat(r->fd, &st) != 0 || stat(r->path, &named) != 0
		|| st.st_size != r->chunks->size
		|| st.st_mtim.tv_sec != r->chunks->mtime.tv_sec
		|| st.st_mtim.tv_nsec != r->chunks->mtime.tv_nsec
		|| named.st_dev != st.st_dev || named.st_ino != st.st_ino)
		return ZONED_ECHANGED;
	return 0;
}

/* The incremental attempt: 0, a load error, or RELOAD_FALLBACK. */
static int
reload_incremental(struct reload *r, const uint8_t *origin, struct zone **out)
{
	if (r->old->nsec3_count != 0)
		return RELOAD_FALLBACK;   /* zone_update_begin() would say no anyway */
	int rc = reload_open(r, origin);
	if (rc == 0)
		rc = reload_match(r);
	if (rc == 0 && !reload_worth_it(r))
		rc = RELOAD_FALLBACK;
	if (rc == 0)
		rc = reload_read_changes(r);
	if (rc == 0 || rc == ZONED_ESYNTAX) {
		int unchanged = reload_check_unchanged(r);
		rc = unchanged != 0 ? unchanged : rc;
	}
	if (rc == 0)
		rc = reload_apply(r, out);
	size_t max = r->options != NULL ? r->options->max_records : 0;
	if (rc == 0 && max != 0 && (*out)->record_count > max)
		rc = RELOAD_FALLBACK;   /* the full load says where the limit was hit */
	if (rc == 0)
		rc = reload_entangle_changed(r);
	if (r->findings.overflow && rc != ZONED_ENOMEM && rc != ZONED_ECANCELED)
		rc = RELOAD_FALLBACK;
	if (rc != 0 && *out != NULL) {
		zone_free(*out);
		*out = NULL;
	}
	return rc;
}

static void
reload_free(struct reload *r)
{
	if (r->fd >= 0)
		close(r->fd);
	zone_chunks_unref(r->chunks);
	free(r->source);
	free(r->removed);
	free(r->records.items);
	free(r->records.bytes);
	free(r->removed_owners);
	diag_hold_free(&r->findings);
}

int
zone_reload_file(const char *path, const uint8_t *origin,
	const struct zone_load_options *options, const struct zone *old,
	struct zone_chunks *old_chunks, struct diag *d, struct zone **out,
	struct zone_chunks **chunks, enum zone_reload_how *how)
{
	*out = NULL;
	*chunks = NULL;
	if (how != NULL)
		*how = ZONE_RELOAD_FULL;
	if (old == NULL || old_chunks == NULL || strcmp(path, "-") == 0)
		return reload_full(path, origin, options, d, out, chunks);
	struct reload r = {
		.path = path,
		.options = options,
		.old = old,
		.old_chunks = old_chunks,
		.fd = -1,
	};
	if (options != NULL && options->modes != NULL)
		r.modes = *options->modes;
	else
		zone_check_modes_default(&r.modes);
	r.d = diag_hold_start(&r.findings);
	int rc = reload_incremental(&r, origin, out);
	if (rc == RELOAD_FALLBACK) {
		reload_free(&r);
		atomic_fetch_add(&reload_fallback_count, 1);
		return reload_full(path, origin, options, d, out, chunks);
	}
	/* It stands, success or failure: a full load would have said the same. */
	diag_hold_pass_on(&r.findings, d);
	if (how != NULL)
		*how = ZONE_RELOAD_INCREMENTAL;
	atomic_fetch_add(&reload_incremental_count, 1);
	if (rc == 0 && options != NULL && options->on_file != NULL)
		options->on_file(options->on_file_arg, path);   /* what zoneset.c compares next time */
	if (rc == 0) {
		*chunks = r.chunks;
		r.chunks = NULL;
	}
	reload_free(&r);
	return rc;
}
