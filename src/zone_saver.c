/*
 * zone_saver.c: secondary zones' saved copies, written on one thread of
 * their own from a queue of (path, zone version) jobs. The queue holds at
 * most one job per path: a newer version replaces the one still waiting.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_dump.h"
#include "zoned/zone_saver.h"

struct zone_save_job {
	struct zone_save_job *next;
	char *name;
	char *path;
	const struct zone *zone;            /* one holder, the job's */
};

struct zone_saver {
	log_function *log;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct zone_save_job *head;         /* FIFO, one job per path */
	struct zone_save_job **tail;
	bool started;                       /* thread runs */
	bool writing;                       /* a job taken off the queue is being written */
	bool stopping;                      /* thread drains the queue and ends */
	pthread_t thread;
};

int
zone_saver_write(const struct zone *zone, const char *path, int *error)
{
	*error = 0;
	size_t length = strlen(path) + 16;
	char *temporary = malloc(length);
	if (temporary == NULL)
		return ZONED_ENOMEM;
	snprintf(temporary, length, "%s.xfr-XXXXXX", path);
	int rc = 0;
	int fd = mkstemp(temporary);
	FILE *out = NULL;
	/* mkstemp() makes it 0600; a zone file is public data, as BIND's copies are. */
	if (fd < 0 || fchmod(fd, 0644) != 0 || (out = fdopen(fd, "w")) == NULL) {
		*error = errno;
		rc = ZONED_EIO;
	}
	if (rc == 0)
		rc = zone_dump_write(zone, ZONE_DUMP_FULL, out);
	if (rc == 0 && (fflush(out) != 0 || fsync(fileno(out)) != 0)) {
		*error = errno;
		rc = ZONED_EIO;
	}
	if (out != NULL && fclose(out) != 0 && rc == 0) {
		*error = errno;
		rc = ZONED_EIO;
	} else if (out == NULL && fd >= 0) {
		close(fd);
	}
	if (rc == 0 && rename(temporary, path) != 0) {
		*error = errno;
		rc = ZONED_EIO;
	}
	if (rc != 0 && fd >= 0)
		unlink(temporary);
	free(temporary);
	return rc;
}

/* Writes one job's copy and logs the outcome. */
static void
zone_saver_run_job(struct zone_saver *saver, const struct zone_save_job *job)
{
	struct timespec started;
	clock_gettime(CLOCK_MONOTONIC, &started);
	int error = 0;
	int rc = zone_saver_write(job->zone, job->path, &error);
	if (rc != 0) {
		saver->log(LOG_ERR, "zone %s: cannot write the saved copy %s: %s", job->name,
			job->path, error != 0 ? strerror(error) : zoned_strerror(rc));
		return;
	}
	saver->log(LOG_INFO, "zone %s: saved copy %s written: serial %lu, %zu records, %.2f s",
		job->name, job->path, (unsigned long)job->zone->serial, job->zone->record_count,
		elapsed_since(&started));
}

static void
zone_save_job_free(struct zone_save_job *job)
{
	if (job == NULL)
		return;
	/* Maybe the version's last holder: it is freed here, off the main thread. */
	zone_unref(job->zone);
	free(job->name);
	free(job->path);
	free(job);
}

/* Takes the oldest job, waiting for one; NULL once stopping with none left. */
static struct zone_save_job *
zone_saver_next_job(struct zone_saver *saver)
{
	pthread_mutex_lock(&saver->lock);
	saver->writing = false;
	while (saver->head == NULL && !saver->stopping)
		pthread_cond_wait(&saver->wake, &saver->lock);
	struct zone_save_job *job = saver->head;
	if (job != NULL) {
		saver->head = job->next;
		if (saver->head == NULL)
			saver->tail = &saver->head;
		saver->writing = true;
	}
	pthread_mutex_unlock(&saver->lock);
	return job;
}

static void *
zone_saver_main(void *arg)
{
	struct zone_saver *saver = arg;
	struct zone_save_job *job;
	while ((job = zone_saver_next_job(saver)) != NULL) {
		zone_saver_run_job(saver, job);
		zone_save_job_free(job);
	}
	return NULL;
}

struct zone_saver *
zone_saver_create(log_function *log)
{
	struct zone_saver *saver = calloc(1, sizeof *saver);
	if (saver == NULL)
		return NULL;
	saver->log = log;
	saver->tail = &saver->head;
	if (pthread_mutex_init(&saver->lock, NULL) != 0) {
		free(saver);
		return NULL;
	}
	if (pthread_cond_init(&saver->wake, NULL) != 0) {
		pthread_mutex_destroy(&saver->lock);
		free(saver);
		return NULL;
	}
	return saver;
}

/* Starts the thread, with every signal blocked: they are the main thread's (signalfd). */
static bool
zone_saver_start(struct zone_saver *saver)
{
	if (saver->started)
		return true;
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	saver->started = pthread_create(&saver->thread, NULL, zone_saver_main, saver) == 0;
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return saver->started;
}

static struct zone_save_job *
zone_save_job_create(const char *name, const char *path)
{
	struct zone_save_job *job = calloc(1, sizeof *job);
	if (job == NULL)
		return NULL;
	job->name = strdup(name);
	job->path = strdup(path);
	if (job->name == NULL || job->path == NULL) {
		zone_save_job_free(job);
		return NULL;
	}
	return job;
}

void
zone_saver_save(struct zone_saver *saver, const char *name, const char *path,
	const struct zone *zone)
{
	struct zone_save_job *job = zone_save_job_create(name, path);
	if (job == NULL || !zone_saver_start(saver)) {
		/* As before the saver: late, on this thread, but the copy is not lost. */
		struct zone_save_job here = { NULL, (char *)name, (char *)path, zone };
		zone_saver_run_job(saver, &here);
		zone_save_job_free(job);
		return;
	}
	job->zone = zone_ref(zone);
	struct zone_save_job *dropped = NULL;
	pthread_mutex_lock(&saver->lock);
	for (struct zone_save_job *waiting = saver->head; waiting != NULL;
		waiting = waiting->next) {
		if (strcmp(waiting->path, path) != 0)
			continue;
		/* Its place in the queue stays, its version is the newest now. */
		const struct zone *older = waiting->zone;
		waiting->zone = job->zone;
		job->zone = older;
		dropped = job;
		break;
	}
	if (dropped == NULL) {
		*saver->tail = job;
		saver->tail = &job->next;
		pthread_cond_signal(&saver->wake);
	}
	pthread_mutex_unlock(&saver->lock);
	/* Outside the lock: it may be the older version's last holder (a long free). */
	zone_save_job_free(dropped);
}

void
zone_saver_free(struct zone_saver *saver)
{
	if (saver == NULL)
		return;
	if (saver->started) {
		pthread_mutex_lock(&saver->lock);
		if (saver->head != NULL || saver->writing)
			saver->log(LOG_INFO, "finishing the saved copies of secondary zones before "
				"stopping");
		saver->stopping = true;
		pthread_cond_signal(&saver->wake);
		pthread_mutex_unlock(&saver->lock);
		pthread_join(saver->thread, NULL);
	}
	pthread_cond_destroy(&saver->wake);
	pthread_mutex_destroy(&saver->lock);
	free(saver);
}
