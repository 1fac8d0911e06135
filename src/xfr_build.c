/*
 * xfr_build.c: a zone built on a thread of its own (one per build: builds
 * are rare and long, a pool would only add waiting) from batches of
 * records handed over through a queue under a mutex, its end told to the
 * main loop by event_active(), which is safe from another thread on a
 * thread-aware base. The batches move whole from the receiving thread to
 * the builder (no copy, nothing shared), and each is freed once added:
 * the transfer's records are not all held at once.
 */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/xfr_build.h"
#include "zoned/xfr_parse.h"
#include "zoned/zone_apply.h"

/*
 * The build thread runs at nice 5: when the CPUs are short it yields to
 * the workers answering queries and to the thread receiving the transfer
 * (and, on one machine, to the primary sending it), and catches up in the
 * gaps; its work is done by the end of the transfer either way. Measured
 * on two shared cores, the 1M-record benchmark zone from a BIND primary:
 * the receive took 1.12-1.16 s in three runs with it, 1.07-1.60 s without.
 */
#define XFR_BUILD_NICE 5

/* One batch of records in the queue, owned by the queue, then by the builder. */
struct xfr_build_batch {
	struct xfr_build_batch *next;
	struct xfr_rrlist records;
};

struct xfr_build {
	struct zone_apply_stream *stream;   /* the build thread's once started */
	struct event *done;                 /* on the caller's loop */
	void (*done_callback)(void *arg);
	void *done_arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;                /* a batch, the end or a cancel */
	/* Under lock. */
	struct xfr_build_batch *first;
	struct xfr_build_batch **last;
	bool ended;
	bool cancelled;
	/* Written by the build thread, read after pthread_join(). */
	int rc;
	struct zone *zone;
};

static void
xfr_build_batch_free(struct xfr_build_batch *batch)
{
	xfr_rrlist_free(&batch->records);
	free(batch);
}

/* The next batch, waiting for it; NULL once the records ended (all taken) or on cancel. */
static struct xfr_build_batch *
xfr_build_take(struct xfr_build *build)
{
	pthread_mutex_lock(&build->lock);
	while (!build->cancelled && build->first == NULL && !build->ended)
		pthread_cond_wait(&build->wake, &build->lock);
	struct xfr_build_batch *batch = build->cancelled ? NULL : build->first;
	if (batch != NULL) {
		build->first = batch->next;
		if (build->first == NULL)
			build->last = &build->first;
	}
	pthread_mutex_unlock(&build->lock);
	return batch;
}

static bool
xfr_build_cancelled(struct xfr_build *build)
{
	pthread_mutex_lock(&build->lock);
	bool cancelled = build->cancelled;
	pthread_mutex_unlock(&build->lock);
	return cancelled;
}

static void *
xfr_build_main(void *arg)
{
	struct xfr_build *build = arg;
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), XFR_BUILD_NICE);
	int rc = 0;
	struct xfr_build_batch *batch;
	/* After an error the batches are only freed: the end (or a cancel) is still awaited. */
	while ((batch = xfr_build_take(build)) != NULL) {
		if (rc == 0)
			rc = zone_apply_stream_add(build->stream, &batch->records);
		xfr_build_batch_free(batch);
	}
	if (rc == 0 && xfr_build_cancelled(build))
		rc = ZONED_ECANCELED;
	build->rc = zone_apply_stream_end(build->stream, rc, &build->zone);
	build->stream = NULL;
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

/* Frees what xfr_build_start() made but the thread (joined, or never started). */
static void
xfr_build_free(struct xfr_build *build)
{
	while (build->first != NULL) {
		struct xfr_build_batch *batch = build->first;
		build->first = batch->next;
		xfr_build_batch_free(batch);
	}
	if (build->stream != NULL) {
		struct zone *none;
		zone_apply_stream_end(build->stream, ZONED_ECANCELED, &none);
	}
	if (build->done != NULL)
		event_free(build->done);
	pthread_cond_destroy(&build->wake);
	pthread_mutex_destroy(&build->lock);
	free(build);
}

struct xfr_build *
xfr_build_start(struct event_base *base, const uint8_t *origin, const char *source,
	size_t max_records, struct diag *d, void (*done)(void *arg), void *arg)
{
	struct xfr_build *build = calloc(1, sizeof *build);
	if (build == NULL)
		return NULL;
	pthread_mutex_init(&build->lock, NULL);
	pthread_cond_init(&build->wake, NULL);
	build->last = &build->first;
	build->done_callback = done;
	build->done_arg = arg;
	build->stream = zone_apply_stream_begin(origin, source, max_records, d);
	build->done = event_new(base, -1, 0, on_build_done, build);
	if (build->stream == NULL || build->done == NULL) {
		xfr_build_free(build);
		return NULL;
	}
	/* Signals stay the main thread's (signalfd): none is delivered to the builder. */
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	int started = pthread_create(&build->thread, NULL, xfr_build_main, build);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (started != 0) {
		xfr_build_free(build);
		return NULL;
	}
	return build;
}

int
xfr_build_feed(struct xfr_build *build, struct xfr_rrlist *records)
{
	struct xfr_build_batch *batch = malloc(sizeof *batch);
	if (batch == NULL)
		return ZONED_ENOMEM;
	batch->next = NULL;
	batch->records = *records;
	*records = (struct xfr_rrlist){ 0 };
	pthread_mutex_lock(&build->lock);
	*build->last = batch;
	build->last = &batch->next;
	pthread_cond_signal(&build->wake);
	pthread_mutex_unlock(&build->lock);
	return 0;
}

void
xfr_build_end(struct xfr_build *build)
{
	pthread_mutex_lock(&build->lock);
	build->ended = true;
	pthread_cond_signal(&build->wake);
	pthread_mutex_unlock(&build->lock);
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
	xfr_build_free(build);
	return rc;
}

void
xfr_build_cancel(struct xfr_build *build)
{
	if (build == NULL)
		return;
	pthread_mutex_lock(&build->lock);
	build->cancelled = true;
	pthread_cond_signal(&build->wake);
	pthread_mutex_unlock(&build->lock);
	struct zone *zone = NULL;
	if (xfr_build_finish(build, &zone) == 0)
		zone_free(zone);
}
