/*
 * check_journal.c: the on-disk journal of differences: steps appended and
 * read back from any serial, the oldest dropped beyond max-journal-size,
 * damaged tails and flipped octets detected, a restart that finds it (or
 * finds it stale), a reload that changed records without raising the
 * serial, and a step flushed to disk after it is written (a transfer's).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/journal.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"

static char directory[] = "/tmp/check_journal.XXXXXX";
static char path[128];
static char logged[8192];

static void
capture_log(int priority, const char *format, ...)
{
	size_t length = strlen(logged);
	va_list args;
	va_start(args, format);
	vsnprintf(logged + length, sizeof logged - length, format, args);
	va_end(args);
	length = strlen(logged);
	if (length + 1 < sizeof logged) {
		logged[length] = '\n';
		logged[length + 1] = '\0';
	}
}

/* Version serial of example.: hosts h0..h(hosts-1), host i's address ending in serial + i. */
static struct zone *
version(unsigned serial, unsigned hosts)
{
	char text[65536];
	int n = snprintf(text, sizeof text, "$ORIGIN example.\n$TTL 300\n"
		"@ SOA ns1 host %u 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n", serial);
	for (unsigned i = 0; i < hosts && n < (int)sizeof text - 64; i++)
		n += snprintf(text + n, sizeof text - (size_t)n, "h%u A 10.0.%u.%u\n", i, i / 200,
			(serial + i) % 250);
	return testlib_zone_from_text("example.", text, "version", NULL, NULL);
}

static void
setup(void)
{
	strcpy(directory, "/tmp/check_journal.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(directory));
	snprintf(path, sizeof path, "%s/example.zone.jnl", directory);
	logged[0] = '\0';
}

static void
teardown(void)
{
	char command[256];
	snprintf(command, sizeof command, "rm -rf '%s'", directory);
	ck_assert_int_eq(system(command), 0);
}

static void
record(struct zone *old, struct zone *new, uint64_t max_size)
{
	ck_assert_int_eq(journal_record_version(path, max_size, old, new, capture_log), 0);
}

static struct journal_info
describe(void)
{
	struct journal_info info;
	ck_assert_int_eq(journal_describe(path, testlib_name("example."), &info), 0);
	return info;
}

static uint32_t
soa_serial(const struct journal_record *r)
{
	const uint8_t *end = r->rdata + r->rdata_length;
	return (uint32_t)end[-20] << 24 | (uint32_t)end[-19] << 16 | (uint32_t)end[-18] << 8
		| end[-17];
}

/*
 * Reads the steps from..to and checks their shape: SOA(from) deletions
 * SOA(next) additions, per step. Returns the records read.
 */
static unsigned
read_steps(uint32_t from, uint32_t to, unsigned expected_steps)
{
	struct journal_reader reader;
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("example."), from, to), 0);
	ck_assert_uint_eq(reader.steps, expected_steps);
	struct journal_record r;
	unsigned records = 0, soas = 0;
	uint32_t expect = from;
	int rc;
	while ((rc = journal_reader_next(&reader, &r)) == 1) {
		records++;
		ck_assert_uint_eq(r.rr_class, 1);
		if (r.type != RRTYPE_SOA)
			continue;
		/* Even SOAs open a step's deletions, odd ones its additions. */
		uint32_t serial = soa_serial(&r);
		if (soas % 2 == 0)
			ck_assert_uint_eq(serial, expect);
		else
			expect = serial;
		soas++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(soas, 2 * expected_steps);
	ck_assert_uint_eq(expect, to);
	journal_reader_close(&reader);
	return records;
}

START_TEST(test_append_and_read_back)
{
	struct zone *v1 = version(1, 3), *v2 = version(2, 3), *v3 = version(3, 4);
	record(v1, v2, JOURNAL_SIZE_DEFAULT);
	struct journal_info info = describe();
	ck_assert_uint_eq(info.first_serial, 1);
	ck_assert_uint_eq(info.last_serial, 2);
	ck_assert_uint_eq(info.steps, 1);
	record(v2, v3, JOURNAL_SIZE_DEFAULT);
	info = describe();
	ck_assert_uint_eq(info.steps, 2);
	ck_assert_uint_eq(info.last_serial, 3);
	ck_assert(!info.damaged);
	/* 1 -> 2: SOA, 3 hosts out, SOA, 3 hosts in; 2 -> 3: SOA, 3 out, SOA, 4 in. */
	ck_assert_uint_eq(read_steps(1, 3, 2), 8 + 9);
	ck_assert_uint_eq(read_steps(2, 3, 1), 9);
	ck_assert_uint_eq(read_steps(1, 2, 1), 8);
	struct journal_reader reader;
	const uint8_t *origin = testlib_name("example.");
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 7, 3), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 1, 4), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("other."), 1, 3),
		ZONED_EINVAL);
	journal_reader_close(&reader);
	/* Nothing changed at all (a touched file): nothing recorded, nothing logged. */
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, v3, v3, capture_log), 0);
	ck_assert_ptr_nonnull(strstr(logged, "zone example: journal "));
	ck_assert_ptr_nonnull(strstr(logged, ": serial 2 to 3 recorded (3 records deleted, 4 added)"));
	logged[0] = '\0';
	struct zone *v3_again = version(3, 4);
	record(v3, v3_again, JOURNAL_SIZE_DEFAULT);
	ck_assert_uint_eq(describe().steps, 2);
	ck_assert_str_eq(logged, "");
	zone_free(v1);
	zone_free(v2);
	zone_free(v3);
	zone_free(v3_again);
}
END_TEST

/*
 * The step a transfer writes before publishing, flushed after: readable
 * at once, appended or made fresh without waiting for the disk, a
 * replaced journal still flushed before its rename, and a flush that
 * fails removes the journal.
 */
START_TEST(test_unsynced)
{
	struct zone *v1 = version(1, 3), *v2 = version(2, 3), *v3 = version(3, 3);
	struct zone *v4 = version(4, 200);   /* a step over JOURNAL_SIZE_MIN */
	int fd = -2;
	ck_assert_int_eq(journal_record_version_unsynced(path, JOURNAL_SIZE_DEFAULT, v1, v2,
		capture_log, &fd), 0);
	ck_assert_int_ge(fd, 0);           /* a fresh journal */
	ck_assert_uint_eq(read_steps(1, 2, 1), 8);
	journal_sync(fd, path, v2, capture_log);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	fd = -2;
	ck_assert_int_eq(journal_record_version_unsynced(path, JOURNAL_SIZE_DEFAULT, v2, v3,
		capture_log, &fd), 0);
	ck_assert_int_ge(fd, 0);           /* appended */
	ck_assert_uint_eq(read_steps(1, 3, 2), 16);
	journal_sync(fd, path, v3, capture_log);
	ck_assert_ptr_null(strstr(logged, "not flushed"));
	/* Over the limit: written anew over the old one, flushed before the rename. */
	fd = -2;
	ck_assert_int_eq(journal_record_version_unsynced(path, 1, v3, v4, capture_log, &fd), 0);
	ck_assert_int_eq(fd, -1);
	ck_assert_uint_eq(describe().steps, 1);
	ck_assert_uint_eq(read_steps(3, 4, 1), 2 + 3 + 200);
	/* Nothing to record: nothing to flush. */
	fd = -2;
	ck_assert_int_eq(journal_record_version_unsynced(path, JOURNAL_SIZE_DEFAULT, v4, v4,
		capture_log, &fd), 0);
	ck_assert_int_eq(fd, -1);
	journal_sync(-1, path, v4, capture_log);
	ck_assert_uint_eq(describe().steps, 1);
	/* A flush that fails (a pipe cannot be flushed): the journal goes. */
	int pipe_fds[2];
	ck_assert_int_eq(pipe(pipe_fds), 0);
	journal_sync(pipe_fds[0], path, v4, capture_log);
	close(pipe_fds[1]);
	ck_assert_ptr_nonnull(strstr(logged, "zone example: journal "));
	ck_assert_ptr_nonnull(strstr(logged, ": serial 4 not flushed to disk ("));
	ck_assert_ptr_nonnull(strstr(logged, "; journal removed, IXFR answered as AXFR"));
	struct stat st;
	ck_assert_int_eq(stat(path, &st), -1);
	zone_free(v1);
	zone_free(v2);
	zone_free(v3);
	zone_free(v4);
}
END_TEST

START_TEST(test_trim_by_size)
{
	/* Each step replaces 100 addresses: ~5 KB; the limit keeps two of them. */
	uint64_t limit = 12000;
	struct zone *old = version(1, 100);
	for (unsigned serial = 2; serial <= 6; serial++) {
		struct zone *new = version(serial, 100);
		record(old, new, limit);
		zone_free(old);
		old = new;
	}
	struct journal_info info = describe();
	ck_assert_uint_eq(info.last_serial, 6);
	ck_assert_uint_eq(info.steps, 2);
	ck_assert_uint_eq(info.first_serial, 4);
	ck_assert_uint_le(info.size, limit);
	ck_assert_ptr_nonnull(strstr(logged, "over max-journal-size"));
	read_steps(4, 6, 2);
	struct journal_reader reader;
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("example."), 1, 6),
		ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	/* A limit smaller than one step keeps the newest step alone. */
	struct zone *new = version(7, 100);
	record(old, new, 1);
	info = describe();
	ck_assert_uint_eq(info.steps, 1);
	ck_assert_uint_eq(info.first_serial, 6);
	zone_free(old);
	zone_free(new);
}
END_TEST

static off_t
file_size(void)
{
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

/* Three steps 1 -> 4 in the journal; returns the size after the second. */
static off_t
three_steps(void)
{
	struct zone *v[4];
	for (unsigned i = 0; i < 4; i++)
		v[i] = version(i + 1, 5);
	record(v[0], v[1], JOURNAL_SIZE_DEFAULT);
	record(v[1], v[2], JOURNAL_SIZE_DEFAULT);
	off_t two = file_size();
	record(v[2], v[3], JOURNAL_SIZE_DEFAULT);
	for (unsigned i = 0; i < 4; i++)
		zone_free(v[i]);
	return two;
}

START_TEST(test_truncated_tail)
{
	off_t two = three_steps();
	/* A crash in the middle of the third append. */
	ck_assert_int_eq(truncate(path, two + 30), 0);
	struct journal_info info = describe();
	ck_assert_uint_eq(info.steps, 2);
	ck_assert_uint_eq(info.last_serial, 3);
	ck_assert(info.damaged);
	read_steps(1, 3, 2);
	struct journal_reader reader;
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("example."), 1, 4),
		ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	/* The next version is recorded after the usable part, the damage dropped. */
	struct zone *v3 = version(3, 5), *v4 = version(4, 5);
	record(v3, v4, JOURNAL_SIZE_DEFAULT);
	info = describe();
	ck_assert_uint_eq(info.steps, 3);
	ck_assert(!info.damaged);
	ck_assert_ptr_nonnull(strstr(logged, "damaged"));
	read_steps(1, 4, 3);
	zone_free(v3);
	zone_free(v4);
}
END_TEST

START_TEST(test_flipped_octet)
{
	off_t two = three_steps();
	/* An octet inside the third step's records. */
	int fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	uint8_t octet;
	ck_assert_int_eq(pread(fd, &octet, 1, two + 60), 1);
	octet ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &octet, 1, two + 60), 1);
	close(fd);
	struct journal_info info = describe();
	ck_assert_uint_eq(info.steps, 2);
	ck_assert(info.damaged);
	struct journal_reader reader;
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("example."), 3, 4),
		ZONED_EINVAL);
	journal_reader_close(&reader);
	read_steps(1, 3, 2);
	/* Garbage instead of a journal: no crash, nothing usable. */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "ZONEDJNL\0\0\0\1garbage", 20), 20);
	close(fd);
	ck_assert_int_eq(journal_describe(path, testlib_name("example."), &info), ZONED_EINVAL);
	ck_assert_int_eq(journal_reader_open(&reader, path, testlib_name("example."), 1, 2),
		ZONED_EINVAL);
	journal_reader_close(&reader);
}
END_TEST

START_TEST(test_restart)
{
	three_steps();
	logged[0] = '\0';
	/* Started again with the zone file at the journal's last serial: kept. */
	struct zone *v4 = version(4, 5);
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, NULL, v4, capture_log),
		0);
	ck_assert_str_eq(logged, "");
	read_steps(1, 4, 3);
	/* The file was edited while stopped: the journal does not lead to it. */
	struct zone *v9 = version(9, 5);
	ck_assert_int_eq(journal_check(path, v9, capture_log), 0);
	ck_assert_ptr_nonnull(strstr(logged, "ends at serial 4 but the zone has serial 9"));
	ck_assert_int_eq(access(path, F_OK), -1);
	/* No journal at all is fine. */
	ck_assert_int_eq(journal_check(path, v9, capture_log), 0);
	zone_free(v4);
	zone_free(v9);
}
END_TEST

START_TEST(test_serial_not_increased)
{
	three_steps();
	struct zone *v4 = version(4, 5), *changed = version(4, 6);
	logged[0] = '\0';
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, v4, changed,
		capture_log), ZONED_EINVAL);
	ck_assert_ptr_nonnull(strstr(logged, "zone example: records changed but serial 4 not "
		"increased; IXFR journal not updated"));
	/* The journal restarts with a barrier at 4: nothing before it, nothing from 4. */
	struct journal_info info = describe();
	ck_assert_uint_eq(info.first_serial, 4);
	ck_assert_uint_eq(info.last_serial, 4);
	struct zone *v5 = version(5, 6), *v6 = version(6, 6);
	record(changed, v5, JOURNAL_SIZE_DEFAULT);
	record(v5, v6, JOURNAL_SIZE_DEFAULT);
	info = describe();
	ck_assert_uint_eq(info.last_serial, 6);
	const uint8_t *origin = testlib_name("example.");
	struct journal_reader reader;
	/* A copy at serial 4 may hold the old records: the step from 4 is not for it. */
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 4, 6), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 3, 6), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	read_steps(5, 6, 1);
	/* It survives a restart: the journal ends at the zone's serial. */
	ck_assert_int_eq(journal_check(path, v6, capture_log), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	/* Backwards: a barrier at the new serial. */
	struct zone *v2 = version(2, 6);
	logged[0] = '\0';
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, v6, v2, capture_log),
		ZONED_EINVAL);
	ck_assert_ptr_nonnull(strstr(logged, "serial went backwards (6 to 2)"));
	info = describe();
	ck_assert_uint_eq(info.last_serial, 2);
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 5, 6), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	zone_free(v4);
	zone_free(changed);
	zone_free(v5);
	zone_free(v6);
	zone_free(v2);
}
END_TEST

/* Trimming to max-journal-size drops a barrier only with the step from its serial. */
START_TEST(test_barrier_trimmed)
{
	struct zone *v1 = version(1, 100), *changed = version(1, 101);
	struct zone *v2 = version(2, 101), *v3 = version(3, 101);
	ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, v1, changed,
		capture_log), ZONED_EINVAL);
	/* Each step is over the 4096-octet minimum: the barrier stays before the new one. */
	record(changed, v2, 1);
	struct journal_info info = describe();
	ck_assert_uint_eq(info.first_serial, 1);
	ck_assert_uint_eq(info.steps, 2);
	struct journal_reader reader;
	const uint8_t *origin = testlib_name("example.");
	ck_assert_int_eq(journal_reader_open(&reader, path, origin, 1, 2), ZONED_ENOTFOUND);
	journal_reader_close(&reader);
	/*
	 * The next step, with a limit that dropping the barrier alone would
	 * meet (the step 2 -> 3 measured in a journal of its own): the step
	 * from 1 goes with it, else copies at the old serial 1 could start there.
	 */
	char scratch[160];
	snprintf(scratch, sizeof scratch, "%s/scratch.jnl", directory);
	ck_assert_int_eq(journal_record_version(scratch, JOURNAL_SIZE_DEFAULT, v2, v3,
		capture_log), 0);
	struct stat st;
	ck_assert_int_eq(stat(scratch, &st), 0);
	uint64_t header = 8 + 4 + 1 + 9;   /* magic, version, "example." */
	uint64_t limit = (uint64_t)file_size() + (uint64_t)st.st_size - header - 1;
	unlink(scratch);
	record(v2, v3, limit);
	info = describe();
	ck_assert_uint_eq(info.first_serial, 2);
	ck_assert_uint_eq(info.steps, 1);
	read_steps(2, 3, 1);
	zone_free(v1);
	zone_free(changed);
	zone_free(v2);
	zone_free(v3);
}
END_TEST

/* Reads every record the journal offers from..to; returns the reader's verdict. */
static int
read_all(uint32_t from, uint32_t to)
{
	struct journal_reader reader;
	int rc = journal_reader_open(&reader, path, testlib_name("example."), from, to);
	unsigned records = 0;
	struct journal_record r;
	while (rc == 0 && (rc = journal_reader_next(&reader, &r)) == 1) {
		/* Touch what a transfer would copy: valgrind and ASan see any overrun. */
		volatile uint8_t sink = r.owner[dname_length(r.owner) - 1];
		for (uint16_t i = 0; i < r.rdata_length; i++)
			sink ^= r.rdata[i];
		(void)sink;
		ck_assert_uint_lt(++records, 100000);
		rc = 0;
	}
	journal_reader_close(&reader);
	return rc;
}

/*
 * Damage of every kind (octets flipped or overwritten, cut anywhere, bytes
 * appended): the journal is read, described, checked and appended to
 * without a crash or an overrun, and a step is only ever read whole.
 */
START_TEST(test_random_damage)
{
	three_steps();
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	off_t size = file_size();
	uint8_t *good = malloc((size_t)size), *bad = malloc((size_t)size + 64);
	ck_assert(good != NULL && bad != NULL);
	memset(bad + size, 0xa5, 64);   /* what kind 3 appends */
	ck_assert_int_eq(read(fd, good, (size_t)size), size);
	close(fd);
	struct zone *v4 = version(4, 5), *v5 = version(5, 5);
	uint32_t seed = 2026;
	for (unsigned round = 0; round < 400; round++) {
		memcpy(bad, good, (size_t)size);
		size_t length = (size_t)size;
		seed = seed * 1103515245u + 12345u;
		unsigned kind = seed >> 16 & 3;
		for (unsigned n = 0; n < 1 + (seed >> 20 & 3); n++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % (size_t)size;
			if (kind == 0)
				bad[at] ^= (uint8_t)(1u << (seed & 7));
			else if (kind == 1)
				bad[at] = (uint8_t)(seed >> 24);
			else if (kind == 2)
				length = at;
			else
				length = (size_t)size + (seed & 63);
		}
		int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ck_assert_int_ge(out, 0);
		ck_assert_int_eq(write(out, bad, length), (ssize_t)length);
		close(out);
		for (uint32_t from = 0; from <= 4; from++)
			ck_assert_int_le(read_all(from, 4), 0);
		struct journal_info info;
		journal_describe(path, testlib_name("example."), &info);
		if (round % 4 == 0)
			journal_check(path, v4, capture_log);
		else if (round % 4 == 1)
			ck_assert_int_eq(journal_record_version(path, JOURNAL_SIZE_DEFAULT, v4, v5,
				capture_log), 0);
		logged[0] = '\0';
	}
	free(good);
	free(bad);
	zone_free(v4);
	zone_free(v5);
}
END_TEST

START_TEST(test_gap_and_foreign)
{
	three_steps();
	/* A step that does not start where the journal ends: the journal starts anew. */
	struct zone *v6 = version(6, 5), *v7 = version(7, 5);
	record(v6, v7, JOURNAL_SIZE_DEFAULT);
	struct journal_info info = describe();
	ck_assert_uint_eq(info.first_serial, 6);
	ck_assert_uint_eq(info.steps, 1);
	ck_assert_ptr_nonnull(strstr(logged, "ends at serial 4, not at 6"));
	/* Another zone's journal at that path is replaced, never read as ours. */
	ck_assert_int_eq(journal_describe(path, testlib_name("other."), &info), ZONED_EINVAL);
	char *default_path = journal_default_path("/var/zones/example.zone");
	ck_assert_str_eq(default_path, "/var/zones/example.zone.jnl");
	free(default_path);
	zone_free(v6);
	zone_free(v7);
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite *suite = suite_create("journal");
	TCase *tc = tcase_create("journal");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_append_and_read_back);
	tcase_add_test(tc, test_trim_by_size);
	tcase_add_test(tc, test_unsynced);
	tcase_add_test(tc, test_truncated_tail);
	tcase_add_test(tc, test_flipped_octet);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_serial_not_increased);
	tcase_add_test(tc, test_barrier_trimmed);
	tcase_add_test(tc, test_gap_and_foreign);
	tcase_add_test(tc, test_random_damage);
	suite_add_tcase(suite, tc);
	return suite;
}

int
main(void)
{
	return testlib_run(journal_suite());
}
