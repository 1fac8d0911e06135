/*
 * zone_load_runs.h: "CNAME and other data" and "multiple RRs of singleton
 * type" found while reading, at the line and in the order named-checkzone
 * 9.18 reports them (zone_load_runs.c says how BIND groups records).
 * Internal to the loader; every call takes a NULL tracker as a no-op.
 */
#ifndef ZONED_ZONE_LOAD_RUNS_H
#define ZONED_ZONE_LOAD_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;
struct load_runs;

/* A new, empty tracker; NULL when out of memory. */
struct load_runs *load_runs_create(void);

/* Frees runs and everything it remembers (NULL is fine). */
void load_runs_free(struct load_runs *runs);

/*
 * A record's owner was read (whether or not the record is kept): a new
 * owner ends the open run, which is checked then (problems go to d).
 * Returns 0 or ZONED_ENOMEM.
 */
int load_runs_owner(struct load_runs *runs, const uint8_t *owner, struct diag *d);

/* A record of the current owner was kept; file must live until the next commit. */
int load_runs_add(struct load_runs *runs, uint16_t type, const uint8_t *rdata,
	size_t rdata_length, const char *file, unsigned long line);

/*
 * A record added to the database at once, apart from the runs (BIND's
 * $GENERATE): problems go to d at file:line.
 */
int load_runs_direct(struct load_runs *runs, const uint8_t *owner, uint16_t type,
	const uint8_t *rdata, size_t rdata_length, const char *file, unsigned long line,
	struct diag *d);

/*
 * While records of a name an NS of the open run points at (glue) are
 * read: the owner of that run, which BIND still takes for the current
 * owner. NULL otherwise (or for a NULL tracker).
 */
const uint8_t *load_runs_glue_parent(const struct load_runs *runs);

/* Checks and closes the open runs ($INCLUDE, end of a file). */
int load_runs_commit(struct load_runs *runs, struct diag *d);

#endif
