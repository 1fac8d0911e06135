/*
 * journal.h: a zone's on-disk journal of differences (RFC 1995 IXFR out,
 * and across restarts), as BIND keeps one per zone ("zone file.jnl").
 *
 * The file: a header (magic "ZONEDJNL", version, the zone's origin), then
 * entries, oldest first, appended as versions follow each other. An entry
 * is one step from serial A to serial B: a fixed header (payload length,
 * A, B, deleted count, added count, checksum) and the records in wire form
 * (owner uncompressed, type, class, TTL, rdlength, rdata), in RFC 1995
 * order: the old SOA, the deleted records, the new SOA, the added records.
 * So the records of consecutive entries, between a leading and a trailing
 * current SOA, are an incremental transfer as it goes on the wire. An entry
 * from serial S to S itself is a barrier: the zone's records changed under
 * an unchanged serial (or the serial went back to S), so no transfer may
 * start at S after it, and no chain of steps crosses it.
 *
 * Appends go to the end of the file; dropping old entries (max-journal-
 * size) or starting over writes a new file and renames it into place, so a
 * reader that opened the old one (a transfer) keeps a consistent view. A
 * damaged or truncated entry (lengths or checksum) ends what is read: the
 * entries before it stay usable, it and the ones after are ignored, and a
 * transfer that needs them falls back to AXFR.
 */
#ifndef ZONED_JOURNAL_H
#define ZONED_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/log.h"

struct zone;

/* max-journal-size default: twice the zone's size in wire form (BIND 9.18). */
#define JOURNAL_SIZE_DEFAULT UINT64_MAX
/* max-journal-size unlimited, and the largest value: 2 GiB, as in BIND. */
#define JOURNAL_SIZE_MAX ((uint64_t)2 << 30)
/* Smaller limits are raised to this (BIND rounds very small values up to 4096). */
#define JOURNAL_SIZE_MIN 4096

/*
 * The journal's path when the zone statement names none: the zone file's
 * path with ".jnl" appended, as BIND. Returns a new string or NULL (memory).
 */
char *journal_default_path(const char *zone_path);

/*
 * Records the step from old to new, versions of one zone, in the journal
 * at path, before new is published. This is the one way versions enter a
 * journal: a reload that loaded the zone file again, and a transfer in.
 *  - new's serial greater (RFC 1982): the difference (zone_diff_walk())
 *    is appended, old SOA, deletions, new SOA, additions. A journal that
 *    does not end at old's serial (missing, damaged, another zone's, or
 *    left over) is started anew with this step. Beyond max_size octets
 *    (JOURNAL_SIZE_DEFAULT: twice the new zone; clamped to JOURNAL_SIZE_MIN
 *    .. JOURNAL_SIZE_MAX) the oldest steps are dropped, the newest always
 *    kept.
 *  - same serial and same records: nothing to do (returns 0).
 *  - same serial, records changed; or the serial went backwards: logged as
 *    an error, and the journal restarts with a barrier at new's serial
 *    (removed when that cannot be written), since its steps no longer lead
 *    to what is served and copies at that serial may hold other records:
 *    IXFR from that serial or older gets AXFR. Returns ZONED_EINVAL.
 * old NULL (no version in memory: the first load) checks the journal
 * against new as journal_check() does.
 * Everything that goes wrong is logged through log as "zone NAME: ...".
 * Returns 0, ZONED_EINVAL (above), ZONED_EIO (the journal could not be
 * written; it is removed when it could not be kept consistent) or
 * ZONED_ENOMEM. The zones are only read.
 */
int journal_record_version(const char *path, uint64_t max_size, const struct zone *old,
	const struct zone *new, log_function *log);

/*
 * journal_record_version(), but an appended step (or a journal made anew
 * where there was none) is written without waiting for the disk:
 * *unsynced is then its file, open, for journal_sync() once new is
 * published; else -1 (nothing written, or a journal replaced: that waits
 * for the disk before the rename, so a crash keeps the old one whole).
 * Readers (IXFR out) see the step as soon as this returns.
 */
int journal_record_version_unsynced(const char *path, uint64_t max_size,
	const struct zone *old, const struct zone *new, log_function *log, int *unsynced);

/*
 * Flushes to disk and closes fd, a journal_record_version_unsynced()
 * file (nothing for -1). When that fails, the journal at path is removed
 * (IXFR from it is answered with AXFR), logged as zone's.
 */
void journal_sync(int fd, const char *path, const struct zone *zone, log_function *log);

/*
 * Makes zone (built, not yet published: nobody reads it yet) answer IXFR
 * from the journal at path (copied), and measures it for the IXFR-or-AXFR
 * choice (zone->wire_size; a walk of the zone). Returns 0 or ZONED_ENOMEM.
 */
int journal_attach(struct zone *zone, const char *path);

/*
 * At start (or when a zone loads without a previous version): a journal
 * that does not end at zone's serial was left from another version of the
 * zone file (edited while stopped) and is removed, with a log line, as BIND
 * does ("journal file is out of date"); a damaged tail is logged (the
 * entries before it are kept). No journal is fine. Returns 0, or ZONED_EIO
 * when a stale journal could not be removed.
 */
int journal_check(const char *path, const struct zone *zone, log_function *log);

/* One record read from a journal; pointers valid until the next read. */
struct journal_record {
	const uint8_t *owner;      /* uncompressed wire form, as stored */
	uint16_t type;
	uint16_t rr_class;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdata_length;
};

/* Reads the steps between two serials, record by record (private fields). */
struct journal_reader {
	int fd;
	bool opened;               /* fd is open */
	uint64_t offset;           /* file offset of buffer[0] */
	uint64_t end;              /* the end of the last step read */
	uint8_t *buffer;
	size_t buffer_start;       /* the next unread octet */
	size_t buffer_length;      /* octets in buffer */
	uint64_t entry_end;        /* file offset where the current step's records end */
	uint32_t entry_records;    /* records of the current step not read yet */
	uint32_t steps;            /* steps between the serials */
	uint64_t octets;           /* the records' octets in the file */
};

/*
 * Opens the journal at path (of the zone with origin, lowercased wire
 * form) for the steps from serial from to serial to, checking each
 * step's checksum and that they chain. Returns 0 (the reader then gives
 * their records in order), ZONED_ENOTFOUND (no journal, or it does not
 * reach back to from, or not up to to: answer with AXFR), ZONED_EINVAL
 * (damaged where the steps are: AXFR too), ZONED_EIO or ZONED_ENOMEM.
 * Allocates a read buffer; always call journal_reader_close().
 */
int journal_reader_open(struct journal_reader *reader, const char *path,
	const uint8_t *origin, uint32_t from, uint32_t to);

/*
 * The next record: returns 1 and fills record, 0 after the last one, or
 * ZONED_EINVAL / ZONED_EIO when the file is not as it was checked.
 */
int journal_reader_next(struct journal_reader *reader, struct journal_record *record);

/* Closes the file and frees the buffer; a zeroed or closed reader is fine. */
void journal_reader_close(struct journal_reader *reader);

/* The serials a journal spans: its first step's start and last step's end. */
struct journal_info {
	uint32_t first_serial;
	uint32_t last_serial;
	uint32_t steps;            /* usable steps */
	bool damaged;              /* something after the last usable step */
	uint64_t size;             /* octets of the file */
};

/*
 * Describes the journal at path (zone origin) checking every checksum.
 * Returns 0, ZONED_ENOTFOUND (no file, or no usable step), ZONED_EINVAL
 * (not a journal of this zone), ZONED_EIO.
 */
int journal_describe(const char *path, const uint8_t *origin, struct journal_info *info);

#endif
