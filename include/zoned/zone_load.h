/* zone_load.h: read an RFC 1035 master file into a finalized, checked zone. */
#ifndef ZONED_ZONE_LOAD_H
#define ZONED_ZONE_LOAD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/zone_check.h"

struct diag;
struct zone;
struct zone_sources;

struct zone_load_options {
	const char *include_directory;  /* base of relative $INCLUDE paths; NULL: cwd */
	const struct zone_check_modes *modes;  /* NULL: defaults */
	unsigned max_include_depth;     /* 0: default (10) */
	size_t max_records;             /* 0: unlimited */
	uint16_t zone_class;            /* 0: IN */
	/* Called with the path of every file opened (the zone file, then each
	 * $INCLUDE), so the daemon can tell on reload whether anything changed. */
	void (*on_file)(void *arg, const char *path);
	void *on_file_arg;
	/*
	 * Report "CNAME and other data" and "multiple RRs of singleton type"
	 * while reading, at the line and in the order named-checkzone does
	 * (zone_load_runs.c), rather than in the zone checks. Costs a table of
	 * every owner name during the load: for the checker.
	 */
	bool conflicts_as_read;
	/* When not NULL, every record's file:line goes here (zone_sources.h) for checkers. */
	struct zone_sources *sources;
	/* Polled while reading (every read and every LOAD_CANCEL_POLL records):
	 * once set, the load stops with ZONED_ECANCELED. NULL: never. */
	const volatile sig_atomic_t *cancel;
	/*
	 * When not NULL: called with the owner (wire form, as written) and line
	 * of every record of the zone file itself (not of an $INCLUDE) as it is
	 * handed to the zone, for the file's fingerprints (zone_chunks.h). A
	 * nonzero return (ZONED_ENOMEM) stops the load with it.
	 */
	int (*on_record)(void *arg, const uint8_t *owner, unsigned long line);
	void *on_record_arg;
};

/*
 * Loads path (or standard input when path is "-") as the zone origin (wire
 * form). Every problem is reported to d as file:line; the zone is returned
 * in *out only when there was no error (warnings are fine). Only regular
 * files are read (zone file and includes), and reading stops after 100
 * errors. Returns 0, ZONED_ENOENT, ZONED_EACCES, ZONED_ENOTREG or ZONED_EIO
 * (a file could not be opened or read), ZONED_ESYNTAX, ZONED_EZONE,
 * ZONED_EEMPTY (no record at all: the zone checks' findings are reported too),
 * ZONED_ELIMIT, ZONED_ECANCELED, ZONED_ECHANGED (a file changed while it
 * was read: written in place) or ZONED_ENOMEM.
 */
int zone_load_file(const char *path, const uint8_t *origin,
	const struct zone_load_options *options, struct diag *d, struct zone **out);

/* Same as zone_load_file for text in memory; name is used in messages. */
int zone_load_text(const char *text, size_t length, const char *name,
	const uint8_t *origin, const struct zone_load_options *options,
	struct diag *d, struct zone **out);

/* Where zone_load_piece() starts reading: the state the text before it left. */
struct zone_load_start {
	const uint8_t *origin;      /* $ORIGIN in effect (wire form) */
	uint32_t default_ttl;       /* $TTL in effect, when default_ttl_known */
	bool default_ttl_known;
	unsigned long line;         /* the line text[0] is on */
};

/* Takes one record of a piece; its pointers live until the call returns. Nonzero stops. */
typedef int zone_load_sink(void *arg, const struct zone_record *record);

/*
 * Reads text, a piece of the master file name that starts at a line
 * where no record is open (zone_chunks.h), as zone_load_text() would read
 * it at that place of the file, and hands every record to sink instead of
 * a zone: no record or zone checks run (the caller's zone update does).
 * $INCLUDE is refused. Problems go to d with name and the file's lines.
 * options' modes, class and cancel apply (on_file, on_record, sources and
 * max_records do not). Returns 0, ZONED_ESYNTAX (reported), ZONED_ECANCELED,
 * ZONED_ENOMEM or what sink returned.
 */
int zone_load_piece(const char *text, size_t length, const char *name,
	const struct zone_load_start *start, const struct zone_load_options *options,
	zone_load_sink *sink, void *arg, struct diag *d);

#endif
