/*
 * xfr_build.c: an AXFR'd zone built on a thread of its own (one per build:
 * builds are rare and long, a pool would only add waiting), its end told
 * to the main loop by event_active(), which is safe from another thread on
 * a thread-aware base.
 */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>

#include "zoned/nametree.h"
#include "zoned/xfr_build.h"
#include "zoned/zone_apply.h"

struct xfr_build {
	const uint8_t *origin;
	const struct xfr_rrlist *records;
	const char *source;
	size_t max_records;
	struct diag *diag;
	struct event *done;                 /* on the caller's loop */
	void (*done_callback)(void *arg);
	void *done_arg;
	pthread_t thread;
	/* Written by the build thread, read after pthread_join(). */
	int rc;
	struct zone *zone;
};

static void *
xfr_build_main(void *arg)
{
	struct xfr_build *build = arg;
	build->rc = zone_apply_build(build->origin, build->records, build->source,
		build->max_records, build->diag, &build->zone);
	event_active(build->done, EV_TIMEOUT, 0);
	return NULL;
}

/* The event's callback: the caller's, through libevent's own signature. */
static void
on_build_done(evutil_socket_t unused, short events, void *arg)
{
	(void)unused;
	(void)events;
	const struct xfr_build *build = arg;
	build->done_callback(build->done_arg);
}

struct xfr_build *
xfr_build_start(struct event_base *base, const uint8_t *origin,
	const struct xfr_rrlist *records, const char *source, size_t max_records, struct diag *d,
	void (*done)(void *arg), void *arg)
{
	struct xfr_build *build = calloc(1, sizeof *build);
	if (build == NULL)
		return NULL;
	build->origin = origin;
	build->records = records;
	build->source = source;
	build->max_records = max_records;
	build->diag = d;
	build->done_callback = done;
	build->done_arg = arg;
	build->done = event_new(base, -1, 0, on_build_done, build);
	if (build->done == NULL) {
		free(build);
		return NULL;
	}
	/* Signals stay the main thread's (signalfd): none is delivered to the builder. */
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	int started = pthread_create(&build->thread, NULL, xfr_build_main, build);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (started != 0) {
		event_free(build->done);
		free(build);
		return NULL;
	}
	return build;
}

int
xfr_build_finish(struct xfr_build *build, struct zone **out)
{
	pthread_join(build->thread, NULL);
	int rc = build->rc;
	if (rc == 0)
		*out = build->zone;
	else
		zone_free(build->zone);
	event_free(build->done);
	free(build);
	return rc;
}

void
xfr_build_cancel(struct xfr_build *build)
{
	if (build == NULL)
		return;
	struct zone *zone = NULL;
	if (xfr_build_finish(build, &zone) == 0)
		zone_free(zone);
}
