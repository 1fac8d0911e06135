/*
 * zone_saver.h: the saved copies of secondary zones (xfr_in.c), written on
 * a thread of their own so that dumping a large zone never holds up the
 * main thread's event loop (refreshes, NOTIFYs, control, reloads). Each
 * copy is written as a temporary file beside it, fsync(2)ed, then renamed
 * over it: a reader (a restart) finds the old copy or the new, never half.
 */
#ifndef ZONED_ZONE_SAVER_H
#define ZONED_ZONE_SAVER_H

#include "zoned/log.h"

struct zone;
struct zone_saver;

/*
 * Returns a saver that logs through log (from its own thread: log must be
 * safe from any thread, as log_message is), or NULL without memory. The
 * thread starts with the first copy asked for.
 */
struct zone_saver *zone_saver_create(log_function *log);

/*
 * Asks for zone (finalized; the caller is a holder or inside an epoch) to
 * be written to path, name being the zone's name for the log. The saver
 * takes a holder on zone (zone_ref()) until the copy is written. Copies of
 * one path are written in the order asked for, and a copy still waiting
 * when a newer one of the same path comes is dropped for it: the newest is
 * always written last. Logs "zone NAME: saved copy PATH written: serial
 * S, N records, T s" once it is on disk, or why not. When the thread
 * cannot run (out of memory), the copy is written here, on the caller's
 * thread, as a last resort.
 */
void zone_saver_save(struct zone_saver *saver, const char *name, const char *path,
	const struct zone *zone);

/*
 * Writes zone to path now, on the calling thread: temporary file, fsync,
 * rename. Returns 0, or ZONED_EIO with the errno of the failure in *error
 * (0 when it was not a system call), or ZONED_ENOMEM.
 */
int zone_saver_write(const struct zone *zone, const char *path, int *error);

/*
 * Writes the copies still waiting (a restart then finds the newest),
 * stops the thread and frees saver. NULL is fine.
 */
void zone_saver_free(struct zone_saver *saver);

#endif
