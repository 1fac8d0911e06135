/*
 * check_zone_saver.c: saved copies written on the saver's thread: the
 * newest version of a path is written last and waiting ones are dropped
 * for it, each copy is whole (temporary file + rename), failures are
 * logged, and freeing the saver writes what is still waiting.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/nametree.h"
#include "zoned/zone_dump.h"
#include "zoned/zone_saver.h"

#define MAX_LINES 32

/* The saver's log, kept line by line; a gate can hold its thread in a log call. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	char lines[MAX_LINES][512];
	unsigned count;
	const char *hold_at;                /* a line containing this blocks until released */
	bool holding;
} log_state = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { { 0 } }, 0, NULL,
	false };

static void
capture_log(int priority, const char *format, ...)
{
	(void)priority;
	char line[512];
	va_list args;
	va_start(args, format);
	vsnprintf(line, sizeof line, format, args);
	va_end(args);
	pthread_mutex_lock(&log_state.lock);
	if (log_state.count < MAX_LINES)
		strcpy(log_state.lines[log_state.count++], line);
	if (log_state.hold_at != NULL && strstr(line, log_state.hold_at) != NULL) {
		log_state.holding = true;
		pthread_cond_broadcast(&log_state.changed);
		while (log_state.hold_at != NULL)
			pthread_cond_wait(&log_state.changed, &log_state.lock);
		log_state.holding = false;
	}
	pthread_mutex_unlock(&log_state.lock);
}

static void
log_reset(const char *hold_at)
{
	pthread_mutex_lock(&log_state.lock);
	log_state.count = 0;
	log_state.hold_at = hold_at;
	pthread_mutex_unlock(&log_state.lock);
}

/* Waits (bounded) until the saver's thread is held in its log call. */
static void
log_wait_held(void)
{
	pthread_mutex_lock(&log_state.lock);
	for (int i = 0; i < 100 && !log_state.holding; i++) {
		struct timespec at;
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += 1;
		pthread_cond_timedwait(&log_state.changed, &log_state.lock, &at);
	}
	bool held = log_state.holding;
	pthread_mutex_unlock(&log_state.lock);
	ck_assert_msg(held, "the saver's thread never logged its first copy");
}

static void
log_release(void)
{
	pthread_mutex_lock(&log_state.lock);
	log_state.hold_at = NULL;
	pthread_cond_broadcast(&log_state.changed);
	pthread_mutex_unlock(&log_state.lock);
}

/* The lines about copies (the rest, such as the note at stop, depend on timing), into lines. */
static unsigned
copy_lines(const char *lines[MAX_LINES])
{
	unsigned n = 0;
	for (unsigned i = 0; i < log_state.count; i++) {
		if (strstr(log_state.lines[i], "saved copy") != NULL)
			lines[n++] = log_state.lines[i];
	}
	return n;
}

static unsigned
holders_of(const struct zone *zone)
{
	return atomic_load(&((struct zone *)zone)->holders);
}

/* example.com (or origin) at serial, with `extra` records. */
static struct zone *
zone_at(const char *origin, unsigned serial, unsigned extra)
{
	char text[8192];
	int n = snprintf(text, sizeof text, "$TTL 300\n@ SOA ns1 hostmaster %u 7200 3600 "
		"1209600 300\n@ NS ns1\nns1 A 192.0.2.1\n", serial);
	for (unsigned i = 0; i < extra && n < (int)sizeof text - 64; i++)
		n += snprintf(text + n, sizeof text - n, "h%u A 192.0.2.%u\n", i, 2 + i % 250);
	return testlib_zone_from_text(origin, text, "t.zone", NULL, NULL);
}

static char directory[] = "/tmp/check_zone_saver-XXXXXX";

static char *
path_in_directory(const char *file)
{
	char *path = malloc(strlen(directory) + strlen(file) + 2);
	ck_assert_ptr_nonnull(path);
	sprintf(path, "%s/%s", directory, file);
	return path;
}

/* The serial of the copy at path, loaded back as a zone file. */
static uint32_t
serial_in_file(const char *origin, const char *path)
{
	struct zone *zone = testlib_zone_from_file(origin, path, NULL, NULL);
	uint32_t serial = zone->serial;
	zone_free(zone);
	return serial;
}

/* Nothing but the named files in the directory: no temporary file left behind. */
static unsigned
files_in_directory(void)
{
	DIR *dir = opendir(directory);
	ck_assert_ptr_nonnull(dir);
	unsigned count = 0;
	for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
		ck_assert_msg(strstr(entry->d_name, ".xfr-") == NULL, "left: %s", entry->d_name);
		count += entry->d_name[0] != '.';
	}
	closedir(dir);
	return count;
}

static void
setup(void)
{
	strcpy(directory + strlen(directory) - 6, "XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(directory));
}

static void
teardown(void)
{
	DIR *dir = opendir(directory);
	if (dir == NULL)
		return;
	for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
		if (entry->d_name[0] == '.')
			continue;
		char *path = path_in_directory(entry->d_name);
		unlink(path);
		free(path);
	}
	closedir(dir);
	rmdir(directory);
}

START_TEST(test_newest_wins)
{
	char *a = path_in_directory("a.db"), *b = path_in_directory("b.db");
	struct zone *v[5];
	for (unsigned i = 1; i <= 4; i++)
		v[i] = zone_at("example.com", i, 10 * i);
	struct zone *other = zone_at("example.net", 7, 3);
	log_reset("written: serial 1,");
	struct zone_saver *saver = zone_saver_create(capture_log);
	ck_assert_ptr_nonnull(saver);
	zone_saver_save(saver, "example.com", a, v[1]);
	/* v1 is on disk, the thread is held: what comes now waits in the queue. */
	log_wait_held();
	ck_assert_uint_eq(serial_in_file("example.com", a), 1);
	zone_saver_save(saver, "example.com", a, v[2]);
	zone_saver_save(saver, "example.net", b, other);
	ck_assert_uint_eq(holders_of(v[2]), 2);
	zone_saver_save(saver, "example.com", a, v[3]);
	/* v2 was waiting: dropped for v3, its holder given back at once. */
	ck_assert_uint_eq(holders_of(v[2]), 1);
	ck_assert_uint_eq(holders_of(v[3]), 2);
	zone_saver_save(saver, "example.com", a, v[4]);
	ck_assert_uint_eq(holders_of(v[3]), 1);
	ck_assert_uint_eq(holders_of(v[4]), 2);
	ck_assert_uint_eq(holders_of(other), 2);
	log_release();
	/* Freeing writes what waits: a's newest (in a's place in the queue), then b. */
	zone_saver_free(saver);
	const char *lines[MAX_LINES];
	ck_assert_uint_eq(copy_lines(lines), 3);
	char expected[3][512];
	snprintf(expected[0], sizeof expected[0], "zone example.com: saved copy %s written: "
		"serial 1, 13 records, ", a);
	snprintf(expected[1], sizeof expected[1], "zone example.com: saved copy %s written: "
		"serial 4, 43 records, ", a);
	snprintf(expected[2], sizeof expected[2], "zone example.net: saved copy %s written: "
		"serial 7, 6 records, ", b);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_msg(strncmp(lines[i], expected[i], strlen(expected[i])) == 0,
			"line %u: %s", i, lines[i]);
	ck_assert_uint_eq(serial_in_file("example.com", a), 4);
	ck_assert_uint_eq(serial_in_file("example.net", b), 7);
	ck_assert_uint_eq(files_in_directory(), 2);
	for (unsigned i = 1; i <= 4; i++) {
		ck_assert_uint_eq(holders_of(v[i]), 1);
		zone_free(v[i]);
	}
	zone_free(other);
	free(a);
	free(b);
}
END_TEST

/* A version asked for while an older one of the same path is being written comes after it. */
START_TEST(test_in_order_while_writing)
{
	char *a = path_in_directory("a.db");
	struct zone *old = zone_at("example.com", 10, 200), *newer = zone_at("example.com", 11, 1);
	log_reset("written: serial 10,");
	struct zone_saver *saver = zone_saver_create(capture_log);
	zone_saver_save(saver, "example.com", a, old);
	log_wait_held();
	zone_saver_save(saver, "example.com", a, newer);
	log_release();
	zone_saver_free(saver);
	const char *lines[MAX_LINES];
	ck_assert_uint_eq(copy_lines(lines), 2);
	ck_assert_ptr_nonnull(strstr(lines[0], "serial 10,"));
	ck_assert_ptr_nonnull(strstr(lines[1], "serial 11,"));
	ck_assert_uint_eq(serial_in_file("example.com", a), 11);
	ck_assert_uint_eq(holders_of(old), 1);
	ck_assert_uint_eq(holders_of(newer), 1);
	zone_free(old);
	zone_free(newer);
	free(a);
}
END_TEST

/* The saver may hold the last reference: the version is freed on its thread. */
START_TEST(test_last_holder)
{
	char *a = path_in_directory("a.db");
	struct zone *zone = zone_at("example.com", 5, 50);
	log_reset(NULL);
	struct zone_saver *saver = zone_saver_create(capture_log);
	zone_saver_save(saver, "example.com", a, zone);
	zone_unref(zone);
	zone_saver_free(saver);
	ck_assert_uint_eq(serial_in_file("example.com", a), 5);
	free(a);
}
END_TEST

START_TEST(test_write_fails)
{
	char *missing = path_in_directory("no/such/dir.db");
	struct zone *zone = zone_at("example.com", 3, 0);
	log_reset(NULL);
	struct zone_saver *saver = zone_saver_create(capture_log);
	zone_saver_save(saver, "example.com", missing, zone);
	zone_saver_free(saver);
	const char *lines[MAX_LINES];
	ck_assert_uint_eq(copy_lines(lines), 1);
	char expected[512];
	snprintf(expected, sizeof expected, "zone example.com: cannot write the saved copy %s: "
		"No such file or directory", missing);
	ck_assert_str_eq(lines[0], expected);
	ck_assert_uint_eq(holders_of(zone), 1);
	ck_assert_uint_eq(files_in_directory(), 0);
	zone_free(zone);
	free(missing);
}
END_TEST

/* zone_saver_write: the dump, byte for byte, readable by all, replacing the old file. */
START_TEST(test_write_replaces)
{
	char *a = path_in_directory("a.db");
	FILE *old = fopen(a, "w");
	ck_assert_ptr_nonnull(old);
	fputs("old contents\n", old);
	fclose(old);
	struct zone *zone = zone_at("example.com", 9, 5);
	int error = -1;
	ck_assert_int_eq(zone_saver_write(zone, a, &error), 0);
	ck_assert_int_eq(error, 0);
	char *expected = NULL, written[4096];
	size_t length = 0;
	FILE *out = open_memstream(&expected, &length);
	ck_assert_int_eq(zone_dump_write(zone, ZONE_DUMP_FULL, out), 0);
	fclose(out);
	FILE *in = fopen(a, "r");
	size_t got = fread(written, 1, sizeof written, in);
	fclose(in);
	ck_assert_uint_eq(got, length);
	ck_assert_int_eq(memcmp(written, expected, length), 0);
	struct stat st;
	ck_assert_int_eq(stat(a, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_uint_eq(files_in_directory(), 1);
	free(expected);
	zone_free(zone);
	free(a);
}
END_TEST

/* A saver never asked for a copy has no thread to stop. */
START_TEST(test_free_unused)
{
	zone_saver_free(zone_saver_create(capture_log));
	zone_saver_free(NULL);
}
END_TEST

int
main(void)
{
	Suite *suite = suite_create("zone_saver");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_newest_wins);
	tcase_add_test(tc, test_in_order_while_writing);
	tcase_add_test(tc, test_last_holder);
	tcase_add_test(tc, test_write_fails);
	tcase_add_test(tc, test_write_replaces);
	tcase_add_test(tc, test_free_unused);
	suite_add_tcase(suite, tc);
	return testlib_run(suite);
}
