/*
 * diag_hold.h: findings held back instead of reported, and passed on
 * later or dropped: for an attempt that may still give way to another
 * that reports everything again (an incremental reload that falls back to
 * a full load, zone_reload.c).
 */
#ifndef ZONED_DIAG_HOLD_H
#define ZONED_DIAG_HOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "zoned/diag.h"

/* At most this many findings are held; more set overflow. */
#define DIAG_HOLD_MAX 200

struct diag_held;

struct diag_hold {
	struct diag_held *items;
	size_t count;
	bool overflow;               /* too many, or out of memory: some were lost */
};

/* Empties hold and returns a diag (counters zero) whose findings it keeps. */
struct diag diag_hold_start(struct diag_hold *hold);

/* Reports every held finding to d, in order (d may be NULL). */
void diag_hold_pass_on(const struct diag_hold *hold, struct diag *d);

/* Drops the held findings. */
void diag_hold_free(struct diag_hold *hold);

#endif
