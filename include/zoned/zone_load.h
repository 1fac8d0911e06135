/* zone_load.h: read an RFC 1035 master file into a finalized, checked zone. */
#ifndef ZONED_ZONE_LOAD_H
#define ZONED_ZONE_LOAD_H

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
	/* When not NULL, every record's file:line goes here (zone_sources.h) for checkers. */
	struct zone_sources *sources;
};

/*
 * Loads path (or standard input when path is "-") as the zone origin (wire
 * form). Every problem is reported to d as file:line; the zone is returned
 * in *out only when there was no error (warnings are fine). Returns 0,
 * ZONED_EIO, ZONED_ESYNTAX, ZONED_EZONE, ZONED_ELIMIT or ZONED_ENOMEM.
 */
int zone_load_file(const char *path, const uint8_t *origin,
	const struct zone_load_options *options, struct diag *d, struct zone **out);

/* Same as zone_load_file for text in memory; name is used in messages. */
int zone_load_text(const char *text, size_t length, const char *name,
	const uint8_t *origin, const struct zone_load_options *options,
	struct diag *d, struct zone **out);

#endif
