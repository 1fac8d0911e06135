/*
 * xfr_build.h: a zone received whole (AXFR, or IXFR in AXFR form) built
 * on a thread of its own while the transfer is still coming in: the
 * receiving loop hands it the records in batches as it reads them, and
 * once the last has come only the tail of the build is left (finalize and
 * the whole-zone checks). A large zone's build thus neither holds up the
 * main thread's event loop (other zones' refreshes and NOTIFYs, control
 * commands, reloads) nor waits for the end of the transfer. The main
 * thread learns it is over from its event loop and takes the result
 * there: it never touches the zone while it is being built.
 */
#ifndef ZONED_XFR_BUILD_H
#define ZONED_XFR_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct diag;
struct event_base;
struct xfr_build;
struct xfr_rrlist;
struct zone;

/*
 * Starts the build of a zone for origin (wire form) on a new thread
 * (zone_apply_stream_begin(origin, source, max_records, d)), waiting for
 * records, and returns its handle, or NULL when the zone, the thread or
 * its event cannot be made (the caller then builds inline). source and d
 * must stay unchanged and unused by others until xfr_build_finish() or
 * xfr_build_cancel(); d's emit runs on the build thread. When the build
 * is over (after xfr_build_end()), done(arg) runs on base's loop (base
 * must be thread-aware: evthread_use_pthreads() before it was made),
 * which then calls xfr_build_finish().
 */
struct xfr_build *xfr_build_start(struct event_base *base, const uint8_t *origin,
	const char *source, size_t max_records, struct diag *d,
	void (*done)(void *arg), void *arg);

/*
 * Hands the next records to the build (the first batch starts with the
 * SOA): the build owns them from now on and frees them once added;
 * records is left empty. Returns 0, or ZONED_ENOMEM (records unchanged).
 * Not after xfr_build_end().
 */
int xfr_build_feed(struct xfr_build *build, struct xfr_rrlist *records);

/* No more records: the build finalizes and checks the zone, then done runs. */
void xfr_build_end(struct xfr_build *build);

/*
 * Takes the result of a build that is over (from done, or later) and frees
 * build: returns zone_apply_stream_end()'s code, and with 0 sets *out to
 * the new zone (one holder, the caller's).
 */
int xfr_build_finish(struct xfr_build *build, struct zone **out);

/*
 * Drops a build, over or not, ended or not (a transfer cut off): tells its
 * thread to stop after the batch it is adding, waits for it, and frees
 * what it made and the records not yet added. NULL is fine.
 */
void xfr_build_cancel(struct xfr_build *build);

#endif
