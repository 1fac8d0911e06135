/*
 * elapsed.h: seconds between CLOCK_MONOTONIC readings, for the durations
 * zoned logs (loads, reloads, transfers, saved copies).
 */
#ifndef ZONED_ELAPSED_H
#define ZONED_ELAPSED_H

#include <time.h>

/* Seconds from a to b. */
static inline double
elapsed_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Seconds from start (CLOCK_MONOTONIC) to now. */
static inline double
elapsed_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return elapsed_between(start, &now);
}

#endif
