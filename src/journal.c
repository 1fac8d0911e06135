/*
 * journal.c: the per-zone journal of differences (journal.h has the file
 * layout): recording a new version's step, checking at start, and reading
 * the steps between two serials for an incremental transfer (RFC 1995).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/journal.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/zone_diff.h"

#define JOURNAL_MAGIC "ZONEDJNL"
#define JOURNAL_MAGIC_LENGTH 8
#define JOURNAL_VERSION 1
#define JOURNAL_HEADER_MAX (JOURNAL_MAGIC_LENGTH + 4 + 1 + DNAME_MAX_LENGTH)
/* payload length, serial from, serial to, deleted, added, checksum */
#define JOURNAL_ENTRY_HEADER 24
#define JOURNAL_READ_BUFFER (128 * 1024)
#define JOURNAL_RECORD_MAX (DNAME_MAX_LENGTH + 10 + 65535)
#define JOURNAL_CHECKSUM_START 2166136261u

/* One step's place in the file and its header fields. */
struct journal_entry {
	uint64_t offset;             /* of its header */
	uint32_t length;             /* payload octets after the header */
	uint32_t from, to;
	uint32_t deleted, added;     /* records, each side's SOA included */
	uint32_t checksum;
};

static uint32_t
journal_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
journal_set_u32(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)(value >> 24);
	p[1] = (uint8_t)(value >> 16);
	p[2] = (uint8_t)(value >> 8);
	p[3] = (uint8_t)value;
}

/* FNV-1a: catches torn and flipped octets; the journal is no security boundary. */
static uint32_t
journal_checksum(uint32_t hash, const uint8_t *data, size_t length)
{
	for (size_t i = 0; i < length; i++)
		hash = (hash ^ data[i]) * 16777619u;
	return hash;
}

/* RFC 1982 3.2: a is older than b. */
static bool
journal_serial_older(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(b - a) < 0x80000000u;
}

static bool
journal_pread(int fd, void *data, size_t length, uint64_t offset)
{
	uint8_t *at = data;
	while (length > 0) {
		ssize_t n = pread(fd, at, length, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		length -= (size_t)n;
		offset += (uint64_t)n;
	}
	return true;
}

static bool
journal_write_all(int fd, const void *data, size_t length)
{
	const uint8_t *at = data;
	while (length > 0) {
		ssize_t n = write(fd, at, length);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		length -= (size_t)n;
	}
	return true;
}

static size_t
journal_header_encode(uint8_t *out, const uint8_t *origin)
{
	size_t origin_length = dname_length(origin);
	memcpy(out, JOURNAL_MAGIC, JOURNAL_MAGIC_LENGTH);
	journal_set_u32(out + JOURNAL_MAGIC_LENGTH, JOURNAL_VERSION);
	out[JOURNAL_MAGIC_LENGTH + 4] = (uint8_t)origin_length;
	memcpy(out + JOURNAL_MAGIC_LENGTH + 5, origin, origin_length);
	return JOURNAL_MAGIC_LENGTH + 5 + origin_length;
}

/* Checks the file header against origin; sets *data_start. 0 or ZONED_EINVAL. */
static int
journal_read_header(int fd, const uint8_t *origin, uint64_t file_size, uint64_t *data_start)
{
	uint8_t expected[JOURNAL_HEADER_MAX], found[JOURNAL_HEADER_MAX];
	size_t length = journal_header_encode(expected, origin);
	if (file_size < length || !journal_pread(fd, found, length, 0))
		return ZONED_EINVAL;
	if (memcmp(found, expected, length) != 0)
		return ZONED_EINVAL;
	*data_start = length;
	return 0;
}

/* Reads the step header at offset; false when it is not one that fits the file. */
static bool
journal_read_entry(int fd, uint64_t offset, uint64_t file_size, struct journal_entry *entry)
{
	uint8_t h[JOURNAL_ENTRY_HEADER];
	if (file_size - offset < JOURNAL_ENTRY_HEADER || !journal_pread(fd, h, sizeof h, offset))
		return false;
	entry->offset = offset;
	entry->length = journal_get_u32(h);
	entry->from = journal_get_u32(h + 4);
	entry->to = journal_get_u32(h + 8);
	entry->deleted = journal_get_u32(h + 12);
	entry->added = journal_get_u32(h + 16);
	entry->checksum = journal_get_u32(h + 20);
	/* Each side holds at least its SOA; each record takes 11 octets at least. */
	return entry->length <= file_size - offset - JOURNAL_ENTRY_HEADER
		&& entry->deleted >= 1 && entry->added >= 1
		&& (uint64_t)entry->deleted + entry->added <= entry->length / 11;
}

/* The checksum over the header's first 20 octets and the payload. */
static bool
journal_verify_entry(int fd, const struct journal_entry *entry, uint8_t *buffer, size_t size)
{
	uint8_t h[JOURNAL_ENTRY_HEADER - 4];
	if (!journal_pread(fd, h, sizeof h, entry->offset))
		return false;
	uint32_t hash = journal_checksum(JOURNAL_CHECKSUM_START, h, sizeof h);
	uint64_t at = entry->offset + JOURNAL_ENTRY_HEADER;
	for (uint64_t left = entry->length; left > 0;) {
		size_t n = left < size ? (size_t)left : size;
		if (!journal_pread(fd, buffer, n, at))
			return false;
		hash = journal_checksum(hash, buffer, n);
		at += n;
		left -= n;
	}
	return hash == entry->checksum;
}

/* What a journal holds: its usable steps (in order, chained) and where they end. */
struct journal_scan {
	int fd;
	uint64_t file_size;
	uint64_t data_start;
	uint64_t valid_end;          /* the end of the last usable step */
	struct journal_entry *entries;
	size_t count;
	bool damaged;                /* octets after valid_end */
};

static void
journal_scan_free(struct journal_scan *scan)
{
	if (scan->fd >= 0)
		close(scan->fd);
	free(scan->entries);
	scan->fd = -1;
	scan->entries = NULL;
	scan->count = 0;
}

/*
 * Lists the usable steps of the journal at path: each header in the file,
 * chained to the one before (and with its checksum when verify). Returns
 * 0, ZONED_ENOENT (no file), ZONED_EINVAL (not this zone's journal),
 * ZONED_EIO or ZONED_ENOMEM; scan is to be freed in every case.
 */
static int
journal_scan(const char *path, const uint8_t *origin, bool verify, struct journal_scan *scan)
{
	memset(scan, 0, sizeof *scan);
	scan->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (scan->fd < 0)
		return errno == ENOENT ? ZONED_ENOENT : ZONED_EIO;
	struct stat st;
	if (fstat(scan->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ZONED_EIO;
	scan->file_size = (uint64_t)st.st_size;
	int rc = journal_read_header(scan->fd, origin, scan->file_size, &scan->data_start);
	if (rc != 0)
		return rc;
	uint8_t *buffer = verify ? malloc(JOURNAL_READ_BUFFER) : NULL;
	if (verify && buffer == NULL)
		return ZONED_ENOMEM;
	size_t capacity = 0;
	uint64_t offset = scan->data_start;
	struct journal_entry entry;
	while (offset < scan->file_size && rc == 0) {
		if (!journal_read_entry(scan->fd, offset, scan->file_size, &entry)
			|| (scan->count > 0 && entry.from != scan->entries[scan->count - 1].to)
			|| (verify && !journal_verify_entry(scan->fd, &entry, buffer,
				JOURNAL_READ_BUFFER)))
			break;
		if (scan->count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			struct journal_entry *grown = realloc(scan->entries,
				capacity * sizeof *grown);
			if (grown == NULL) {
				rc = ZONED_ENOMEM;
				break;
			}
			scan->entries = grown;
		}
		scan->entries[scan->count++] = entry;
		offset += JOURNAL_ENTRY_HEADER + (uint64_t)entry.length;
	}
	free(buffer);
	scan->valid_end = offset;
	scan->damaged = offset < scan->file_size;
	return rc;
}

/* A growing buffer of octets; failed once memory ran out. */
struct journal_buffer {
	uint8_t *data;
	size_t length;
	size_t capacity;
	bool failed;
};

static void
journal_buffer_put(struct journal_buffer *b, const void *data, size_t length)
{
	if (b->failed || length == 0)   /* an empty side's data is NULL */
		return;
	if (b->capacity - b->length < length) {
		size_t capacity = b->capacity ? b->capacity : 4096;
		while (capacity - b->length < length)
			capacity *= 2;
		uint8_t *grown = realloc(b->data, capacity);
		if (grown == NULL) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->capacity = capacity;
	}
	memcpy(b->data + b->length, data, length);
	b->length += length;
}

static void
journal_buffer_put_record(struct journal_buffer *b, const uint8_t *owner, uint16_t type,
	uint32_t ttl, const uint8_t *rdata, uint16_t rdata_length)
{
	uint8_t fixed[10] = { (uint8_t)(type >> 8), (uint8_t)type, 0, 1 };  /* class IN */
	journal_set_u32(fixed + 4, ttl);
	fixed[8] = (uint8_t)(rdata_length >> 8);
	fixed[9] = (uint8_t)rdata_length;
	journal_buffer_put(b, owner, dname_length(owner));
	journal_buffer_put(b, fixed, sizeof fixed);
	journal_buffer_put(b, rdata, rdata_length);
}

static void
journal_buffer_put_soa(struct journal_buffer *b, const struct zone *zone)
{
	struct rdata_cursor cursor = rdata_cursor_start(zone->soa->rdata, zone->soa->rdata_length);
	const uint8_t *rdata;
	uint16_t length;
	if (rdata_cursor_next(&cursor, &rdata, &length))
		journal_buffer_put_record(b, zone->origin, RRTYPE_SOA, zone->soa->ttl, rdata, length);
}

/* A step's records being written into its entry: one side per walk. */
struct journal_step {
	struct journal_buffer *entry;
	enum zone_diff_side side;       /* the side this walk writes */
	uint32_t count;                 /* its records */
};

static int
on_step_record(void *arg, enum zone_diff_side side, const struct zone_diff_record *record)
{
	struct journal_step *step = arg;
	if (side != step->side)
		return 0;
	journal_buffer_put_record(step->entry, record->owner, record->type, record->ttl,
		record->rdata, record->rdata_length);
	step->count++;
	if (step->entry->failed)
		return ZONED_ENOMEM;
	/* A step over the largest journal cannot be kept: stop early. */
	return step->entry->length > JOURNAL_SIZE_MAX ? ZONED_ELIMIT : 0;
}

/*
 * The entry (header and payload) for the step from old to new into *entry;
 * old NULL: a barrier at new's serial (journal.h), its SOA twice. The
 * records go straight into the entry, the deletions in one walk of the two
 * versions and the additions in a second (a walk costs less than holding a
 * large step twice). Returns 0, ZONED_ENOMEM, or ZONED_ELIMIT (larger than
 * any journal).
 */
static int
journal_build_entry(const struct zone *old, const struct zone *new, struct journal_buffer *entry)
{
	const struct zone *from = old != NULL ? old : new;
	struct journal_step deleted = { entry, ZONE_DIFF_DELETED, 0 };
	struct journal_step added = { entry, ZONE_DIFF_ADDED, 0 };
	uint8_t header[JOURNAL_ENTRY_HEADER] = { 0 };
	journal_buffer_put(entry, header, sizeof header);
	journal_buffer_put_soa(entry, from);  /* RFC 1995 4: old SOA, deletions, */
	int rc = old != NULL ? zone_diff_walk(old, new, on_step_record, &deleted) : 0;
	journal_buffer_put_soa(entry, new);   /* new SOA, additions */
	if (rc == 0 && old != NULL)
		rc = zone_diff_walk(old, new, on_step_record, &added);
	if (rc == 0 && entry->failed)
		rc = ZONED_ENOMEM;
	if (rc != 0)
		return rc;
	uint8_t *h = entry->data;
	journal_set_u32(h, (uint32_t)(entry->length - JOURNAL_ENTRY_HEADER));
	journal_set_u32(h + 4, from->serial);
	journal_set_u32(h + 8, new->serial);
	journal_set_u32(h + 12, deleted.count + 1);
	journal_set_u32(h + 16, added.count + 1);
	uint32_t hash = journal_checksum(JOURNAL_CHECKSUM_START, h, JOURNAL_ENTRY_HEADER - 4);
	hash = journal_checksum(hash, h + JOURNAL_ENTRY_HEADER, entry->length - JOURNAL_ENTRY_HEADER);
	journal_set_u32(h + 20, hash);
	return 0;
}

static bool
journal_copy_range(int from, uint64_t offset, uint64_t length, int to)
{
	uint8_t buffer[16384];
	while (length > 0) {
		size_t n = length < sizeof buffer ? (size_t)length : sizeof buffer;
		if (!journal_pread(from, buffer, n, offset) || !journal_write_all(to, buffer, n))
			return false;
		offset += n;
		length -= n;
	}
	return true;
}

/*
 * Writes a new journal beside path (header, scan's steps from first on, and
 * entry), flushes it and renames it over path: a reader of the old file
 * keeps its view, a crash leaves the old file or the new one whole. With
 * unsynced and no journal to replace (fresh), the flush is the caller's:
 * *unsynced is the open file (a crash then leaves no journal or a
 * damaged one, which is read as far as it is whole).
 */
static int
journal_rewrite(const char *path, const uint8_t *origin, const struct journal_scan *scan,
	size_t first, const struct journal_buffer *entry, bool fresh, int *unsynced)
{
	size_t length = strlen(path);
	char *temporary = malloc(length + 5);
	if (temporary == NULL)
		return ZONED_ENOMEM;
	memcpy(temporary, path, length);
	memcpy(temporary + length, ".new", 5);
	int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(temporary);
		return ZONED_EIO;
	}
	uint8_t header[JOURNAL_HEADER_MAX];
	bool ok = journal_write_all(fd, header, journal_header_encode(header, origin));
	if (ok && scan != NULL && first < scan->count) {
		uint64_t start = scan->entries[first].offset;
		ok = journal_copy_range(scan->fd, start, scan->valid_end - start, fd);
	}
	bool defer = unsynced != NULL && fresh;
	ok = ok && journal_write_all(fd, entry->data, entry->length) && (defer || fsync(fd) == 0);
	if (!defer)
		ok = close(fd) == 0 && ok;
	ok = ok && rename(temporary, path) == 0;
	if (!ok)
		unlink(temporary);
	if (defer && ok)
		*unsynced = fd;
	else if (defer)
		close(fd);
	free(temporary);
	return ok ? 0 : ZONED_EIO;
}

/*
 * Appends entry after the last step (the file ends there: not damaged),
 * flushed; with unsynced, the flush is the caller's: *unsynced is the open
 * file (a crash then loses the step, or leaves a damaged tail, which is
 * read as far as it is whole).
 */
static int
journal_append(const char *path, const struct journal_scan *scan,
	const struct journal_buffer *entry, int *unsynced)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ZONED_EIO;
	bool ok = lseek(fd, (off_t)scan->valid_end, SEEK_SET) >= 0
		&& journal_write_all(fd, entry->data, entry->length)
		&& (unsynced != NULL || fsync(fd) == 0);
	/* A torn append is a damaged tail: cut it off rather than leave it. */
	if (!ok && ftruncate(fd, (off_t)scan->valid_end) != 0)
		ok = false;
	if (ok && unsynced != NULL) {
		*unsynced = fd;
		return 0;
	}
	ok = close(fd) == 0 && ok;
	return ok ? 0 : ZONED_EIO;
}

/* Removes the journal (a missing one is fine); false when it stays. */
static bool
journal_remove(const char *path)
{
	return unlink(path) == 0 || errno == ENOENT;
}

/*
 * Replaces the journal by one that holds a barrier at zone's serial only;
 * removes it when that cannot be written. Returns true for the barrier.
 */
static bool
journal_reset(const char *path, const struct zone *zone)
{
	struct journal_buffer entry = { 0 };
	bool written = journal_build_entry(NULL, zone, &entry) == 0
		&& journal_rewrite(path, zone->origin, NULL, 0, &entry, false, NULL) == 0;
	free(entry.data);
	if (!written)
		journal_remove(path);
	return written;
}

/* The limit in octets for max_size and the new version. */
static uint64_t
journal_limit(uint64_t max_size, const struct zone *zone)
{
	uint64_t limit = max_size == JOURNAL_SIZE_DEFAULT ? 2 * zone_diff_wire_size(zone) : max_size;
	if (limit < JOURNAL_SIZE_MIN)
		limit = JOURNAL_SIZE_MIN;
	return limit > JOURNAL_SIZE_MAX ? JOURNAL_SIZE_MAX : limit;
}

/*
 * Puts entry (old's serial to new's) into the journal at path: appended
 * when the journal ends at old's serial and stays within limit, else
 * written anew with as many of the newest steps as fit.
 */
static int
journal_store(const char *path, uint64_t limit, const struct zone *old, const struct zone *new,
	const struct journal_buffer *entry, const char *name, log_function *log, int *unsynced)
{
	struct journal_scan scan;
	int rc = journal_scan(path, new->origin, false, &scan);
	if (rc == ZONED_ENOMEM || (rc == ZONED_EIO && scan.fd < 0)) {
		journal_scan_free(&scan);
		return rc == ZONED_ENOMEM ? rc : ZONED_EIO;
	}
	if (rc == ZONED_EINVAL)
		log(LOG_WARNING, "zone %s: %s is not a journal of this zone (zoned's): replacing it",
			name, path);
	else if (rc == 0 && scan.count > 0 && scan.entries[scan.count - 1].to != old->serial)
		log(LOG_WARNING, "zone %s: journal %s ends at serial %lu, not at %lu: starting it "
			"anew", name, path, (unsigned long)scan.entries[scan.count - 1].to,
			(unsigned long)old->serial);
	else if (rc == 0 && scan.damaged)
		log(LOG_WARNING, "zone %s: journal %s is damaged after %zu steps: rewriting it "
			"without the damaged part", name, path, scan.count);
	bool usable = rc == 0 && (scan.count == 0 || scan.entries[scan.count - 1].to == old->serial);
	size_t first = usable ? 0 : scan.count;
	uint64_t header = usable ? scan.data_start : JOURNAL_HEADER_MAX;
	uint64_t kept = usable ? scan.valid_end - scan.data_start : 0;
	/* The oldest steps go first; the newest one stays even when larger than limit. */
	while (first < scan.count && header + kept + entry->length > limit) {
		kept -= JOURNAL_ENTRY_HEADER + (uint64_t)scan.entries[first].length;
		first++;
	}
	/*
	 * A barrier goes only together with the step after it (which starts at
	 * its serial): alone, that step would become a start for copies that
	 * hold other records under the serial. Before the new step it stays.
	 */
	if (first > 0 && scan.entries[first - 1].from == scan.entries[first - 1].to) {
		if (first < scan.count) {
			kept -= JOURNAL_ENTRY_HEADER + (uint64_t)scan.entries[first].length;
			first++;
		} else {
			first--;
			kept += JOURNAL_ENTRY_HEADER + (uint64_t)scan.entries[first].length;
		}
	}
	if (usable && first > 0)
		log(LOG_INFO, "zone %s: journal %s over max-journal-size (%llu octets): dropped "
			"the %zu oldest steps (serial %lu to %lu)", name, path,
			(unsigned long long)limit, first, (unsigned long)scan.entries[0].from,
			(unsigned long)scan.entries[first - 1].to);
	if (usable && first == 0 && scan.count > 0 && !scan.damaged)
		rc = journal_append(path, &scan, entry, unsynced);
	else
		rc = journal_rewrite(path, new->origin, usable ? &scan : NULL, first, entry,
			rc == ZONED_ENOENT, unsynced);
	journal_scan_free(&scan);
	return rc;
}

/* Whether new has other records than old (the SOA's rdata and TTL included). */
static bool
journal_versions_differ(const struct zone *old, const struct zone *new)
{
	struct zone_diff_count count = zone_diff_count(old, new);
	return count.deleted + count.added > 0 || old->soa->ttl != new->soa->ttl
		|| old->soa->rdata_length != new->soa->rdata_length
		|| memcmp(old->soa->rdata, new->soa->rdata, old->soa->rdata_length) != 0;
}

int
journal_record_version(const char *path, uint64_t max_size, const struct zone *old,
	const struct zone *new, log_function *log)
{
	return journal_record_version_unsynced(path, max_size, old, new, log, NULL);
}

int
journal_record_version_unsynced(const char *path, uint64_t max_size, const struct zone *old,
	const struct zone *new, log_function *log, int *unsynced)
{
	if (unsynced != NULL)
		*unsynced = -1;
	if (old == NULL)
		return journal_check(path, new, log);
	if (old == new)
		return 0;
	char name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(new->origin, name, sizeof name);
	if (old->soa == NULL || new->soa == NULL)
		return ZONED_EINVAL;
	if (old->serial == new->serial && !journal_versions_differ(old, new))
		return 0;
	if (!journal_serial_older(old->serial, new->serial)) {
		/*
		 * RFC 1995 and 1982: secondaries only ask for a greater serial.
		 * The journal's steps would now lead to something other than what
		 * is served, and a step from this serial would be applied to
		 * copies that hold other records under it: the journal restarts
		 * with a barrier at it, and IXFR from it or before is AXFR.
		 */
		const char *what = journal_reset(path, new) ? "restarted" : "removed";
		if (old->serial == new->serial)
			log(LOG_ERR, "zone %s: records changed but serial %lu not increased; IXFR "
				"journal not updated (%s %s: IXFR from serial %lu or older is answered "
				"with AXFR); secondaries keep the old records until the serial "
				"increases", name, (unsigned long)new->serial, path, what,
				(unsigned long)new->serial);
		else
			log(LOG_ERR, "zone %s: serial went backwards (%lu to %lu); IXFR journal "
				"not updated (%s %s)", name, (unsigned long)old->serial,
				(unsigned long)new->serial, path, what);
		return ZONED_EINVAL;
	}
	struct journal_buffer entry = { 0 };
	int rc = journal_build_entry(old, new, &entry);
	if (rc == 0)
		rc = journal_store(path, journal_limit(max_size, new), old, new, &entry, name, log,
			unsynced);
	if (rc == 0)
		log(LOG_INFO, "zone %s: journal %s: serial %lu to %lu recorded (%lu records "
			"deleted, %lu added)", name, path, (unsigned long)old->serial,
			(unsigned long)new->serial,
			(unsigned long)journal_get_u32(entry.data + 12) - 1,
			(unsigned long)journal_get_u32(entry.data + 16) - 1);
	free(entry.data);
	if (rc != 0) {
		bool removed = journal_remove(path);
		log(LOG_ERR, "zone %s: journal %s: serial %lu to %lu not recorded (%s)%s", name,
			path, (unsigned long)old->serial, (unsigned long)new->serial,
			rc == ZONED_ELIMIT ? "difference over 2 GiB" : zoned_strerror(rc),
			removed ? "; journal removed, IXFR answered as AXFR" : "");
		return rc;
	}
	return 0;
}

void
journal_sync(int fd, const char *path, const struct zone *zone, log_function *log)
{
	if (fd < 0)
		return;
	int error = fsync(fd) == 0 ? 0 : errno;
	if (close(fd) != 0 && error == 0)
		error = errno;
	if (error == 0)
		return;
	char name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(zone->origin, name, sizeof name);
	bool removed = journal_remove(path);
	log(LOG_ERR, "zone %s: journal %s: serial %lu not flushed to disk (%s)%s", name, path,
		(unsigned long)zone->serial, strerror(error),
		removed ? "; journal removed, IXFR answered as AXFR" : "");
}

int
journal_check(const char *path, const struct zone *zone, log_function *log)
{
	char name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(zone->origin, name, sizeof name);
	struct journal_scan scan;
	int rc = journal_scan(path, zone->origin, true, &scan);
	if (rc == ZONED_ENOENT || (rc != 0 && rc != ZONED_EINVAL)) {
		journal_scan_free(&scan);
		return 0;
	}
	if (rc == ZONED_EINVAL) {
		log(LOG_WARNING, "zone %s: %s is not a journal of this zone (zoned's): ignored",
			name, path);
		journal_scan_free(&scan);
		return 0;
	}
	if (scan.damaged)
		log(LOG_WARNING, "zone %s: journal %s is damaged after %zu steps (truncated or "
			"corrupt): the rest is ignored", name, path, scan.count);
	uint32_t last = scan.count > 0 ? scan.entries[scan.count - 1].to : zone->serial;
	journal_scan_free(&scan);
	if (last == zone->serial)
		return 0;
	/* As BIND: the zone file changed while we were stopped. */
	bool removed = journal_remove(path);
	log(LOG_WARNING, "zone %s: journal %s ends at serial %lu but the zone has serial %lu "
		"(the zone file changed while stopped): %s", name, path, (unsigned long)last,
		(unsigned long)zone->serial, removed ? "removed" : "could not be removed");
	return removed ? 0 : ZONED_EIO;
}

int
journal_describe(const char *path, const uint8_t *origin, struct journal_info *info)
{
	memset(info, 0, sizeof *info);
	struct journal_scan scan;
	int rc = journal_scan(path, origin, true, &scan);
	if (rc == 0 && scan.count == 0)
		rc = ZONED_ENOTFOUND;
	if (rc == 0) {
		info->first_serial = scan.entries[0].from;
		info->last_serial = scan.entries[scan.count - 1].to;
		info->steps = (uint32_t)scan.count;
		info->damaged = scan.damaged;
		info->size = scan.file_size;
	}
	journal_scan_free(&scan);
	return rc == ZONED_ENOENT ? ZONED_ENOTFOUND : rc;
}

int
journal_attach(struct zone *zone, const char *path)
{
	char *copy = strdup(path);
	if (copy == NULL)
		return ZONED_ENOMEM;
	free(zone->journal_path);
	zone->journal_path = copy;
	zone->wire_size = zone_diff_wire_size(zone);
	return 0;
}

char *
journal_default_path(const char *zone_path)
{
	size_t length = strlen(zone_path);
	char *path = malloc(length + 5);
	if (path != NULL) {
		memcpy(path, zone_path, length);
		memcpy(path + length, ".jnl", 5);
	}
	return path;
}

int
journal_reader_open(struct journal_reader *reader, const char *path, const uint8_t *origin,
	uint32_t from, uint32_t to)
{
	memset(reader, 0, sizeof *reader);
	reader->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (reader->fd < 0)
		return errno == ENOENT ? ZONED_ENOTFOUND : ZONED_EIO;
	reader->opened = true;
	struct stat st;
	uint64_t offset;
	if (fstat(reader->fd, &st) < 0)
		return ZONED_EIO;
	uint64_t file_size = (uint64_t)st.st_size;
	if (journal_read_header(reader->fd, origin, file_size, &offset) != 0)
		return ZONED_EINVAL;
	reader->buffer = malloc(JOURNAL_READ_BUFFER);
	if (reader->buffer == NULL)
		return ZONED_ENOMEM;
	/* Skip to the step that starts at from, then check each one up to to. */
	bool found = false, barrier_at_from = false;
	uint32_t at = from;
	struct journal_entry entry;
	while (offset < file_size && journal_read_entry(reader->fd, offset, file_size, &entry)) {
		uint64_t next = offset + JOURNAL_ENTRY_HEADER + (uint64_t)entry.length;
		if (entry.from == entry.to) {
			/* A barrier: no chain crosses it, none starts at its serial after it. */
			found = false;
			reader->steps = 0;
			reader->octets = 0;
			barrier_at_from = entry.from == from;
			offset = next;
			continue;
		}
		if (!found && entry.from == from && !barrier_at_from) {
			found = true;
			reader->offset = offset;
		}
		if (found) {
			if (entry.from != at || !journal_verify_entry(reader->fd, &entry,
				    reader->buffer, JOURNAL_READ_BUFFER))
				return ZONED_EINVAL;
			at = entry.to;
			reader->steps++;
			reader->octets += entry.length;
			if (at == to) {
				reader->end = next;
				return 0;
			}
		}
		offset = next;
	}
	return ZONED_ENOTFOUND;
}

/* Makes at least need octets readable at buffer_start; false at the end. */
static bool
journal_reader_fill(struct journal_reader *reader, size_t need)
{
	size_t available = reader->buffer_length - reader->buffer_start;
	if (available >= need)
		return true;
	memmove(reader->buffer, reader->buffer + reader->buffer_start, available);
	reader->offset += reader->buffer_start;
	reader->buffer_start = 0;
	reader->buffer_length = available;
	while (reader->buffer_length < need) {
		uint64_t file_at = reader->offset + reader->buffer_length;
		uint64_t left = reader->end - file_at;
		size_t room = JOURNAL_READ_BUFFER - reader->buffer_length;
		size_t want = left < room ? (size_t)left : room;
		if (want == 0)
			return false;
		ssize_t n = pread(reader->fd, reader->buffer + reader->buffer_length, want,
			(off_t)file_at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		reader->buffer_length += (size_t)n;
	}
	return true;
}

/* The length of the uncompressed name at name (available octets), or 0 when malformed. */
static size_t
journal_name_length(const uint8_t *name, size_t available)
{
	size_t at = 0;
	while (at < available && at < DNAME_MAX_LENGTH) {
		uint8_t label = name[at];
		if (label > DNAME_MAX_LABEL)
			return 0;
		at += 1 + (size_t)label;
		if (label == 0)
			return at <= DNAME_MAX_LENGTH ? at : 0;
	}
	return 0;
}

int
journal_reader_next(struct journal_reader *reader, struct journal_record *record)
{
	if (!reader->opened || reader->buffer == NULL)
		return ZONED_EINVAL;
	uint64_t position = reader->offset + reader->buffer_start;
	if (reader->entry_records == 0) {
		if (position >= reader->end)
			return 0;
		if (!journal_reader_fill(reader, JOURNAL_ENTRY_HEADER))
			return ZONED_EIO;
		const uint8_t *h = reader->buffer + reader->buffer_start;
		reader->entry_records = journal_get_u32(h + 12) + journal_get_u32(h + 16);
		reader->entry_end = position + JOURNAL_ENTRY_HEADER + journal_get_u32(h);
		reader->buffer_start += JOURNAL_ENTRY_HEADER;
		position += JOURNAL_ENTRY_HEADER;
		if (reader->entry_end > reader->end || reader->entry_records == 0)
			return ZONED_EINVAL;
	}
	uint64_t left = reader->entry_end - position;
	size_t need = left < JOURNAL_RECORD_MAX ? (size_t)left : JOURNAL_RECORD_MAX;
	if (!journal_reader_fill(reader, need))
		return ZONED_EIO;
	const uint8_t *at = reader->buffer + reader->buffer_start;
	size_t name_length = journal_name_length(at, need);
	if (name_length == 0 || need - name_length < 10)
		return ZONED_EINVAL;
	const uint8_t *fixed = at + name_length;
	uint16_t rdata_length = (uint16_t)(fixed[8] << 8 | fixed[9]);
	size_t length = name_length + 10 + rdata_length;
	if (length > need)
		return ZONED_EINVAL;
	record->owner = at;
	record->type = (uint16_t)(fixed[0] << 8 | fixed[1]);
	record->rr_class = (uint16_t)(fixed[2] << 8 | fixed[3]);
	record->ttl = journal_get_u32(fixed + 4);
	record->rdata = fixed + 10;
	record->rdata_length = rdata_length;
	reader->buffer_start += length;
	reader->entry_records--;
	/* The step's counts and its length must agree. */
	if ((reader->entry_records == 0) != (position + length == reader->entry_end))
		return ZONED_EINVAL;
	return 1;
}

void
journal_reader_close(struct journal_reader *reader)
{
	if (reader->opened)
		close(reader->fd);
	free(reader->buffer);
	memset(reader, 0, sizeof *reader);
}
