/*
 * zoneset.c: load every configured zone; on reload, reload only the zones
 * whose files changed and share the rest with the previous set.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/journal.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/zone_chunks.h"
#include "zoned/zone_load.h"
#include "zoned/zone_reload.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

/* A zone file written in place while read: attempts, and the pause between. */
#define ZONESET_LOAD_ATTEMPTS 4
#define ZONESET_RETRY_PAUSE_MS 200

/* Which zones of the previous set a build may load again. */
struct zoneset_scope {
	bool all;                     /* SIGHUP: every zone whose files changed */
	const uint8_t *origin;        /* else only this one (NULL: none, only new zones) */
};

/* The loader's findings: logged, and the first error kept for zonestatus. */
struct zoneset_diag {
	struct log_diag where;
	char first_error[512];
};

/* Files read while loading one zone, filled by the loader's on_file. */
struct zoneset_files {
	struct zoneset_file *files;
	size_t count;
	bool failed;   /* out of memory */
};

static void
zoneset_files_clear(struct zoneset_file *files, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(files[i].path);
	free(files);
}

/* Fills file from stat(2); a missing file gets an all-zero fingerprint. */
static void
zoneset_file_stat(struct zoneset_file *file)
{
	struct stat st;
	char *path = file->path;
	memset(file, 0, sizeof *file);
	file->path = path;
	if (stat(path, &st) < 0)
		return;
	file->device = st.st_dev;
	file->inode = st.st_ino;
	file->size = st.st_size;
	file->mtime = st.st_mtim;
	file->ctime = st.st_ctim;
}

static bool
zoneset_file_unchanged(const struct zoneset_file *file)
{
	struct zoneset_file now = { .path = file->path };
	zoneset_file_stat(&now);
	return now.device == file->device && now.inode == file->inode
		&& now.size == file->size
		&& now.mtime.tv_sec == file->mtime.tv_sec
		&& now.mtime.tv_nsec == file->mtime.tv_nsec
		&& now.ctime.tv_sec == file->ctime.tv_sec
		&& now.ctime.tv_nsec == file->ctime.tv_nsec;
}

/* The loader opened path: remember what it looked like at that moment. */
static void
on_zone_file(void *arg, const char *path)
{
	struct zoneset_files *files = arg;
	struct zoneset_file *grown = realloc(files->files,
		(files->count + 1) * sizeof *grown);
	if (grown == NULL) {
		files->failed = true;
		return;
	}
	files->files = grown;
	struct zoneset_file *file = &grown[files->count];
	file->path = strdup(path);
	if (file->path == NULL) {
		files->failed = true;
		return;
	}
	zoneset_file_stat(file);
	files->count++;
}

/* The first of files that no longer looks as when it was opened, or NULL. */
static const struct zoneset_file *
zoneset_files_changed(const struct zoneset_files *files)
{
	for (size_t i = 0; i < files->count; i++) {
		if (!zoneset_file_unchanged(&files->files[i]))
			return &files->files[i];
	}
	return NULL;
}

static void
on_zone_diag(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct zoneset_diag *zd = arg;
	log_diag_emit(&zd->where, level, file, line, message);
	if (level != DIAG_ERROR || zd->first_error[0] != '\0')
		return;
	if (file != NULL && line > 0)
		snprintf(zd->first_error, sizeof zd->first_error, "%s:%lu: %s", file, line, message);
	else
		snprintf(zd->first_error, sizeof zd->first_error, "%s%s%s", file ? file : "",
			file ? ": " : "", message);
}

/*
 * Loads one zone into entry, once: from old's version (when not NULL and
 * not failed) through zone_reload.h, reading only the changed chunks of
 * its file when it can. Returns 0 or the loader's error (its first
 * finding in zd).
 */
static int
zoneset_load_zone_once(const struct config *config, const struct config_zone *cz,
	const struct zoneset_zone *old, log_function *log, const volatile sig_atomic_t *cancel,
	struct zoneset_zone *entry, struct zoneset_diag *zd)
{
	struct zoneset_files files = { 0 };
	*zd = (struct zoneset_diag){ .where = { log, entry->name } };
	struct diag d = { .emit = on_zone_diag, .arg = zd };
	struct zone_load_options options = {
		.include_directory = config->directory,
		.max_records = config->max_records,
		.on_file = on_zone_file,
		.on_file_arg = &files,
		.cancel = cancel,
	};
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct zone *zone = NULL;
	struct zone_chunks *chunks = NULL;
	enum zone_reload_how how = ZONE_RELOAD_FULL;
	bool from_old = old != NULL && !old->failed && strcmp(old->path, cz->path) == 0;
	/* A secondary's saved copy is only read at startup: no fingerprints to keep. */
	int rc = cz->secondary ? zone_load_file(cz->path, cz->origin, &options, &d, &zone)
		: zone_reload_file(cz->path, cz->origin, &options, from_old ? old->zone : NULL,
			from_old ? old->chunks : NULL, &d, &zone, &chunks, &how);
	if (rc == 0 && files.failed)
		rc = ZONED_ENOMEM;
	/* The loader compared each file at its end; a writer may also have
	 * gone on while the rest loaded: compare again now. */
	const struct zoneset_file *changed = rc == 0 ? zoneset_files_changed(&files) : NULL;
	if (changed != NULL) {
		log(LOG_WARNING, "%s: changed while being read", changed->path);
		rc = ZONED_ECHANGED;
	}
	if (rc != 0) {
		zone_free(zone);
		zone_chunks_unref(chunks);
		zoneset_files_clear(files.files, files.count);
		return rc;
	}
	log(LOG_DEBUG, "zone %s: %s", entry->name, how == ZONE_RELOAD_INCREMENTAL
		? "read only the changed parts of the file" : from_old && old->chunks != NULL
		? "read the whole file (the change cannot be applied in place)"
		: "read the whole file");
	entry->zone = zone;
	entry->chunks = chunks;
	entry->files = files.files;
	entry->file_count = files.count;
	entry->loaded = time(NULL);
	log(LOG_INFO, "zone %s: loaded serial %lu, %zu records, %.2f s", entry->name,
		(unsigned long)zone->serial, zone->record_count, elapsed_since(&start));
	return 0;
}

/*
 * Loads one zone into entry. A file that changed while it was read was
 * being written in place: the load is tried again a few times, a short
 * pause apart, and then fails (the previous version keeps serving).
 */
static int
zoneset_load_zone(const struct config *config, const struct config_zone *cz,
	const struct zoneset_zone *old, log_function *log, const volatile sig_atomic_t *cancel,
	struct zoneset_zone *entry, struct zoneset_diag *zd)
{
	int rc = zoneset_load_zone_once(config, cz, old, log, cancel, entry, zd);
	for (unsigned attempt = 1; rc == ZONED_ECHANGED && attempt < ZONESET_LOAD_ATTEMPTS;
		attempt++) {
		log(LOG_NOTICE, "zone %s: a file changed while being read, loading again",
			entry->name);
		struct timespec pause = { 0, ZONESET_RETRY_PAUSE_MS * 1000000L };
		nanosleep(&pause, NULL);
		rc = zoneset_load_zone_once(config, cz, old, log, cancel, entry, zd);
	}
	return rc;
}

static const struct zoneset_zone *
zoneset_find(const struct zoneset *set, const uint8_t *origin)
{
	if (set == NULL)
		return NULL;
	for (size_t i = 0; i < set->zone_count; i++) {
		if (dname_equal(set->zones[i].origin, origin))
			return &set->zones[i];
	}
	return NULL;
}

static bool
zoneset_zone_unchanged(const struct zoneset_zone *old, const struct config_zone *cz)
{
	if (strcmp(old->path, cz->path) != 0)
		return false;
	for (size_t i = 0; i < old->file_count; i++) {
		if (!zoneset_file_unchanged(&old->files[i]))
			return false;
	}
	return true;
}

/*
 * -v 3: why a zone is loaded or kept at this build, one line (the stat
 * calls again, so only when debugging is on).
 */
static void
zoneset_log_decision(log_function *log, const char *name, const struct zoneset *previous,
	const struct zoneset_zone *old, const struct config_zone *cz)
{
	if (!log_enabled(LOG_DEBUG))
		return;
	if (previous == NULL) {
		log(LOG_DEBUG, "zone %s: loading %s", name, cz->path);
		return;
	}
	if (old == NULL) {
		log(LOG_DEBUG, "zone %s: new in the configuration, loading %s", name, cz->path);
		return;
	}
	if (old->failed) {
		log(LOG_DEBUG, "zone %s: failed to load before, trying %s again", name, cz->path);
		return;
	}
	if (strcmp(old->path, cz->path) != 0) {
		log(LOG_DEBUG, "zone %s: file is now %s (was %s), loading", name, cz->path,
			old->path);
		return;
	}
	for (size_t i = 0; i < old->file_count; i++) {
		if (!zoneset_file_unchanged(&old->files[i])) {
			log(LOG_DEBUG, "zone %s: %s changed (device, inode, size or times), loading",
				name, old->files[i].path);
			return;
		}
	}
	log(LOG_DEBUG, "zone %s: %s and its %zu included files unchanged, keeping serial %lu",
		name, cz->path, old->file_count ? old->file_count - 1 : 0,
		(unsigned long)old->zone->serial);
}

/* Shares old's zone: same zone pointer, a copy of the fingerprints. */
static int
zoneset_share_zone(const struct zoneset_zone *old, struct zoneset_zone *entry)
{
	entry->files = calloc(old->file_count ? old->file_count : 1, sizeof *entry->files);
	if (entry->files == NULL)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < old->file_count; i++) {
		entry->files[i] = old->files[i];
		entry->files[i].path = strdup(old->files[i].path);
		if (entry->files[i].path == NULL) {
			entry->file_count = i;
			return ZONED_ENOMEM;
		}
	}
	entry->file_count = old->file_count;
	entry->failed = old->failed;
	entry->loaded = old->loaded;
	if (old->error != NULL && (entry->error = strdup(old->error)) == NULL)
		return ZONED_ENOMEM;
	/* The new set holds it too: it lives until the last set (or reader) lets go. */
	zone_ref(old->zone);
	entry->zone = old->zone;
	entry->chunks = old->chunks != NULL ? zone_chunks_ref(old->chunks) : NULL;
	return 0;
}

/*
 * Makes entry a failed zone: an empty placeholder in the db so that the
 * longest match finds it (a parent zone we serve must not answer for its
 * names) and answers SERVFAIL, as BIND does for a zone that did not load.
 */
static int
zoneset_fail_zone(const struct config_zone *cz, struct zoneset_zone *entry)
{
	entry->zone = zone_create(cz->origin, 1);  /* class IN: the only one configured */
	if (entry->zone == NULL)
		return ZONED_ENOMEM;
	entry->zone->load_failed = true;
	entry->failed = true;
	return 0;
}

/* Why a zone did not load, for the log: an empty file is named. */
static const char *
zoneset_failure_text(int rc, const struct config_zone *cz, char *buffer, size_t size)
{
	if (rc != ZONED_EEMPTY)
		return zoned_strerror(rc);
	snprintf(buffer, size, "%s: %s", cz->path, zoned_strerror(rc));
	return buffer;
}

/*
 * A version just loaded, before it is published: its step from the version
 * served until now goes into the zone's journal (IXFR out, RFC 1995); at a
 * reload, a zone without a version in memory (new, or failed until now)
 * only has its journal checked. At startup (and for zoned -C) nothing is
 * written or removed here: see zoneset_check_journals(). The zone
 * remembers the journal for transfers out.
 */
static void
zoneset_journal_zone(const struct config *config, const struct config_zone *cz,
	const struct zoneset *previous, const struct zoneset_zone *old,
	struct zoneset_zone *entry, log_function *log)
{
	char *path = config_zone_journal_path(cz);
	if (path == NULL) {
		log(LOG_ERR, "zone %s: out of memory for the journal: IXFR answered as AXFR",
			entry->name);
		return;
	}
	if (previous != NULL)
		journal_record_version(path, config_zone_max_journal_size(config, cz),
			old != NULL && !old->failed ? old->zone : NULL, entry->zone, log);
	if (journal_attach(entry->zone, path) != 0)
		log(LOG_ERR, "zone %s: out of memory for the journal: IXFR answered as AXFR",
			entry->name);
	free(path);
}

/* Whether old is served on as it is (not loaded again) in a build of scope. */
static bool
zoneset_keeps(const struct zoneset_zone *old, const struct config_zone *cz,
	const struct zoneset_scope *scope)
{
	/* reload ZONE and reconfig leave the other zones alone, changed or not. */
	if (!scope->all && (scope->origin == NULL || !dname_equal(old->origin, scope->origin)))
		return true;
	/* A failed placeholder read no file to compare: it is always tried again. */
	return !old->failed && zoneset_zone_unchanged(old, cz);
}

/* Records why entry's load failed: the loader's first error, else the code's text. */
static int
zoneset_set_error(struct zoneset_zone *entry, const struct zoneset_diag *zd, const char *why)
{
	free(entry->error);
	entry->error = strdup(zd->first_error[0] != '\0' ? zd->first_error : why);
	return entry->error == NULL ? ZONED_ENOMEM : 0;
}

/*
 * A secondary zone: its transfers own the contents, so a reload keeps the
 * version served (even a placeholder); at startup the saved copy is loaded,
 * and a missing one is no failure: SERVFAIL until the first transfer.
 */
static int
zoneset_build_secondary(const struct config *config, const struct config_zone *cz,
	const struct zoneset_zone *old, log_function *log,
	const volatile sig_atomic_t *cancel, struct zoneset_zone *entry, unsigned *failed)
{
	if (old != NULL)
		return zoneset_share_zone(old, entry);
	struct stat st;
	if (stat(cz->path, &st) < 0 && errno == ENOENT) {
		log(LOG_INFO, "zone %s: no saved copy %s yet: SERVFAIL until the first "
			"transfer", entry->name, cz->path);
		return zoneset_fail_zone(cz, entry);
	}
	struct zoneset_diag zd;
	int rc = zoneset_load_zone(config, cz, NULL, log, cancel, entry, &zd);
	if (rc == 0 || rc == ZONED_ENOMEM || rc == ZONED_ECANCELED)
		return rc;
	(*failed)++;
	const char *why = zoned_strerror(rc);
	log(LOG_ERR, "zone %s: saved copy not loaded: %s, answering SERVFAIL until a "
		"transfer", entry->name, why);
	rc = zoneset_fail_zone(cz, entry);
	return rc == 0 ? zoneset_set_error(entry, &zd, why) : rc;
}

/* Fills entry for one configured zone: shared, freshly loaded, or kept. */
static int
zoneset_build_zone(const struct config *config, const struct config_zone *cz,
	const struct zoneset *previous, const struct zoneset_scope *scope, log_function *log,
	const volatile sig_atomic_t *cancel, struct zoneset_zone *entry, unsigned *failed)
{
	char name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(cz->origin, name, sizeof name);
	memcpy(entry->origin, cz->origin, cz->origin_length);
	entry->name = strdup(name);
	entry->path = strdup(cz->path);
	if (entry->name == NULL || entry->path == NULL)
		return ZONED_ENOMEM;
	const struct zoneset_zone *old = zoneset_find(previous, cz->origin);
	if (cz->secondary)
		return zoneset_build_secondary(config, cz, old, log, cancel, entry, failed);
	zoneset_log_decision(log, name, previous, old, cz);
	if (old != NULL && zoneset_keeps(old, cz, scope)) {
		/* zoned.conf(5): max-records applies to every zone, also to one
		 * whose file did not change: over a lowered limit it fails as a
		 * file grown past it would, and its version keeps serving. */
		if (config->max_records != 0 && old->zone->record_count > config->max_records) {
			(*failed)++;
			log(LOG_ERR, "zone %s: reload failed (%zu records, over max-records %zu), "
				"still serving serial %lu", name, old->zone->record_count,
				config->max_records, (unsigned long)old->zone->serial);
		}
		return zoneset_share_zone(old, entry);
	}
	struct zoneset_diag zd;
	int rc = zoneset_load_zone(config, cz, old, log, cancel, entry, &zd);
	if (rc == ZONED_ECANCELED)
		log(LOG_NOTICE, "zone %s: load abandoned", name);
	if (rc == 0)
		zoneset_journal_zone(config, cz, previous, old, entry, log);
	if (rc == 0 || rc == ZONED_ENOMEM || rc == ZONED_ECANCELED)
		return rc;
	(*failed)++;
	char buffer[4200];
	const char *why = zoneset_failure_text(rc, cz, buffer, sizeof buffer);
	if (previous == NULL || (old != NULL && old->failed)) {
		log(LOG_ERR, "zone %s: not loaded: %s, answering SERVFAIL", name, why);
		rc = zoneset_fail_zone(cz, entry);
		return rc == 0 ? zoneset_set_error(entry, &zd, why) : rc;
	}
	if (old == NULL) {
		log(LOG_ERR, "zone %s: not loaded (%s), not served", name, why);
		return 1;  /* leave it out */
	}
	log(LOG_ERR, "zone %s: reload failed (%s), still serving serial %lu", name,
		why, (unsigned long)old->zone->serial);
	rc = zoneset_share_zone(old, entry);
	return rc == 0 ? zoneset_set_error(entry, &zd, why) : rc;
}

static void zoneset_zone_clear(struct zoneset_zone *entry);

int
zoneset_replace(const struct zoneset *current, const uint8_t *origin, struct zone *zone,
	bool failed, struct zoneset **out)
{
	*out = NULL;
	struct zoneset *set = calloc(1, sizeof *set);
	if (set == NULL) {
		zone_unref(zone);
		return ZONED_ENOMEM;
	}
	set->db = zonedb_create();
	set->zones = calloc(current->zone_count ? current->zone_count : 1, sizeof *set->zones);
	int rc = set->db == NULL || set->zones == NULL ? ZONED_ENOMEM : 0;
	bool placed = false;
	for (size_t i = 0; rc == 0 && i < current->zone_count; i++) {
		const struct zoneset_zone *old = &current->zones[i];
		struct zoneset_zone *entry = &set->zones[i];
		memcpy(entry->origin, old->origin, sizeof entry->origin);
		entry->name = strdup(old->name);
		entry->path = strdup(old->path);
		rc = entry->name == NULL || entry->path == NULL ? ZONED_ENOMEM
			: zoneset_share_zone(old, entry);
		if (rc == 0 && !placed && dname_equal(old->origin, origin)) {
			/* The fingerprints are the saved copy's: a reload leaves it alone. */
			zone_unref(entry->zone);
			entry->zone = zone;
			entry->failed = failed;
			zone_chunks_unref(entry->chunks);   /* they fingerprint the old contents */
			entry->chunks = NULL;
			if (!failed) {
				entry->loaded = time(NULL);
				free(entry->error);
				entry->error = NULL;
			}
			placed = true;
		}
		if (rc == 0)
			rc = zonedb_add(set->db, entry->zone);
		if (rc != 0) {
			zone_unref(entry->zone);
			zoneset_zone_clear(entry);
			break;
		}
		set->zone_count++;
	}
	if (!placed)
		zone_unref(zone);
	if (rc == 0 && !placed)
		rc = ZONED_ENOTFOUND;
	if (rc != 0) {
		zoneset_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

static void
zoneset_zone_clear(struct zoneset_zone *entry)
{
	free(entry->name);
	free(entry->path);
	free(entry->error);
	zoneset_files_clear(entry->files, entry->file_count);
	zone_chunks_unref(entry->chunks);
	memset(entry, 0, sizeof *entry);
}

static int
zoneset_build_in_scope(const struct config *config, const struct zoneset *previous,
	const struct zoneset_scope *scope, log_function *log,
	const volatile sig_atomic_t *cancel, struct zoneset **out, unsigned *failed)
{
	*out = NULL;
	*failed = 0;
	struct zoneset *set = calloc(1, sizeof *set);
	if (set == NULL)
		return ZONED_ENOMEM;
	set->db = zonedb_create();
	set->zones = calloc(config->zone_count ? config->zone_count : 1, sizeof *set->zones);
	int rc = set->db == NULL || set->zones == NULL ? ZONED_ENOMEM : 0;
	for (size_t i = 0; rc == 0 && i < config->zone_count; i++) {
		struct zoneset_zone *entry = &set->zones[set->zone_count];
		rc = zoneset_build_zone(config, &config->zones[i], previous, scope, log, cancel,
			entry, failed);
		if (rc == 1) {
			zoneset_zone_clear(entry);
			rc = 0;
			continue;
		}
		if (rc == 0)
			rc = zonedb_add(set->db, entry->zone);
		if (rc != 0) {
			/* Not in the db: drop this entry's hold (loaded or shared) here. */
			zone_unref(entry->zone);
			zoneset_zone_clear(entry);
			break;
		}
		set->zone_count++;
	}
	if (rc != 0) {
		zoneset_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

int
zoneset_build(const struct config *config, const struct zoneset *previous,
	log_function *log, const volatile sig_atomic_t *cancel, struct zoneset **out,
	unsigned *failed)
{
	const struct zoneset_scope scope = { .all = true };
	return zoneset_build_in_scope(config, previous, &scope, log, cancel, out, failed);
}

int
zoneset_build_scoped(const struct config *config, const struct zoneset *previous,
	const uint8_t *reload_origin, log_function *log, const volatile sig_atomic_t *cancel,
	struct zoneset **out, unsigned *failed)
{
	const struct zoneset_scope scope = { .all = false, .origin = reload_origin };
	return zoneset_build_in_scope(config, previous, &scope, log, cancel, out, failed);
}

void
zoneset_check_journals(const struct zoneset *set, log_function *log)
{
	for (size_t i = 0; i < set->zone_count; i++) {
		const struct zone *zone = set->zones[i].zone;
		if (!set->zones[i].failed && zone->journal_path != NULL)
			journal_check(zone->journal_path, zone, log);
	}
}

void
zoneset_free(struct zoneset *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->zone_count; i++)
		zoneset_zone_clear(&set->zones[i]);
	/* Lets go of each zone: one still served by a newer set or a transfer lives on. */
	zonedb_free(set->db);
	free(set->zones);
	free(set);
}
