/*
 * xfr_build.h: an AXFR'd zone built (nodes, index, checks: zone_apply_build)
 * on a thread of its own, so that a large zone does not hold up the main
 * thread's event loop (other zones' refreshes and NOTIFYs, control
 * commands, reloads) for the seconds its build takes. The main thread
 * learns it is over from its event loop and takes the result there: it
 * never touches the zone while it is being built.
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
 * Starts zone_apply_build(origin, records, source, max_records, d) on a new
 * thread and returns its handle, or NULL when the thread or its event
 * cannot be made (the caller then builds inline). origin, records, source
 * and d must stay unchanged and unused by others until xfr_build_finish()
 * or xfr_build_cancel(); d's emit runs on the build thread. When the build
 * is over, done(arg) runs on base's loop (base must be thread-aware:
 * evthread_use_pthreads() before it was made), which then calls
 * xfr_build_finish().
 */
struct xfr_build *xfr_build_start(struct event_base *base, const uint8_t *origin,
	const struct xfr_rrlist *records, const char *source, size_t max_records, struct diag *d,
	void (*done)(void *arg), void *arg);

/*
 * Takes the result of a build that is over (from done, or later) and frees
 * build: returns zone_apply_build()'s code, and with 0 sets *out to the new
 * zone (one holder, the caller's).
 */
int xfr_build_finish(struct xfr_build *build, struct zone **out);

/*
 * Drops a build, over or not: waits for its thread (the rest of its build
 * time, on the calling thread) and frees what it made. NULL is fine.
 */
void xfr_build_cancel(struct xfr_build *build);

#endif
