/*
 * check_zone_reload.c: a reload that reads only the changed chunks of a
 * zone file gives exactly what a full load of the new file gives: the
 * chunk scanner against the lexer (every chunk read on its own yields the
 * file's records), then random edits of a generated zone (records and
 * owners changed, added and removed at the start, middle and end, blocks
 * that move the cuts, $ORIGIN and $TTL changes, parse errors), each
 * compared name by name and RRset by RRset with a full load.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "zoned/dname.h"
#include "zoned/error.h"
#include "zoned/nametree.h"
#include "zoned/zone_chunks.h"
#include "zoned/zone_diff.h"
#include "zoned/zone_load.h"
#include "zoned/zone_reload.h"

/* ------------------------------------------------------------ text */

struct text {
	char *data;
	size_t length, capacity;
};

static void
text_add(struct text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *t, const char *format, ...)
{
	va_list args;
	for (;;) {
		va_start(args, format);
		size_t room = t->capacity - t->length;
		int n = vsnprintf(t->data ? t->data + t->length : NULL, room, format, args);
		va_end(args);
		ck_assert_int_ge(n, 0);
		if ((size_t)n < room) {
			t->length += (size_t)n;
			return;
		}
		t->capacity = (t->capacity + (size_t)n + 1) * 2;
		t->data = realloc(t->data, t->capacity);
		ck_assert_ptr_nonnull(t->data);
	}
}

static void
text_free(struct text *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

/* xorshift64*: the same edits every run. */
static uint64_t
random_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * The generated zone as lines, so edits work on whole records. Line i of
 * the body is owner i / 2 (two records per owner), like the benchmark's.
 */
struct zone_lines {
	char **lines;
	size_t count, capacity;
};

static void
lines_insert(struct zone_lines *z, size_t at, const char *line)
{
	if (z->count == z->capacity) {
		z->capacity = z->capacity ? z->capacity * 2 : 1024;
		z->lines = realloc(z->lines, z->capacity * sizeof *z->lines);
		ck_assert_ptr_nonnull(z->lines);
	}
	memmove(z->lines + at + 1, z->lines + at, (z->count - at) * sizeof *z->lines);
	z->lines[at] = strdup(line);
	z->count++;
}

static void
lines_delete(struct zone_lines *z, size_t at)
{
	free(z->lines[at]);
	memmove(z->lines + at, z->lines + at + 1, (z->count - at - 1) * sizeof *z->lines);
	z->count--;
}

static void
lines_free(struct zone_lines *z)
{
	for (size_t i = 0; i < z->count; i++)
		free(z->lines[i]);
	free(z->lines);
	memset(z, 0, sizeof *z);
}

/* Lines 0..2 are the head; the SOA is line 2. */
#define HEAD_LINES 5

static void
lines_generate(struct zone_lines *z, unsigned owners, unsigned serial)
{
	char line[256];
	lines_insert(z, z->count, "$ORIGIN example.");
	lines_insert(z, z->count, "$TTL 3600");
	snprintf(line, sizeof line, "@ SOA ns1 hostmaster %u 7200 3600 1209600 300", serial);
	lines_insert(z, z->count, line);
	lines_insert(z, z->count, "@ NS ns1");
	lines_insert(z, z->count, "ns1 A 192.0.2.1");
	for (unsigned i = 0; i < owners; i++) {
		snprintf(line, sizeof line, "h%u A 10.%u.%u.%u", i, (i >> 16) & 255, (i >> 8) & 255,
			i & 255);
		lines_insert(z, z->count, line);
		snprintf(line, sizeof line, "h%u TXT \"host %u; (not a comment)\"", i, i);
		lines_insert(z, z->count, line);
	}
}

static void
lines_set_serial(struct zone_lines *z, unsigned serial)
{
	char line[256];
	snprintf(line, sizeof line, "@ SOA ns1 hostmaster %u 7200 3600 1209600 300", serial);
	free(z->lines[2]);
	z->lines[2] = strdup(line);
}

static void
lines_text(const struct zone_lines *z, struct text *t)
{
	t->length = 0;
	for (size_t i = 0; i < z->count; i++)
		text_add(t, "%s\n", z->lines[i]);
}

/* ------------------------------------------------------------ files and zones */

static char directory[] = "/tmp/check_zone_reload.XXXXXX";

/* Small chunks, so that a test zone of 40000 records has a few hundred. */
static const struct zone_chunk_sizes small_chunks = { .min = 1024, .mask = 0x3f, .max = 65536 };

static void
setup(void)
{
	zone_chunks_set_sizes(&small_chunks);
	strcpy(directory, "/tmp/check_zone_reload.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(directory));
}

static void
teardown(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/zone", directory);
	unlink(path);
	snprintf(path, sizeof path, "%s/zone.new", directory);
	unlink(path);
	rmdir(directory);
}

/* Replaces the zone file by rename, as a deploy tool does. */
static const char *
write_zone(const struct text *t)
{
	static char path[512];
	char temporary[512];
	snprintf(path, sizeof path, "%s/zone", directory);
	snprintf(temporary, sizeof temporary, "%s/zone.new", directory);
	FILE *f = fopen(temporary, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(t->data, 1, t->length, f), t->length);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(temporary, path), 0);
	return path;
}

/* Whether two nodes have the same name and RRsets (plain C: a Check assertion per field would write). */
static bool
nodes_equal(const struct name_node *x, const struct name_node *y)
{
	if (x->name_length != y->name_length || memcmp(x->name, y->name, x->name_length) != 0
		|| x->rrset_count != y->rrset_count)
		return false;
	const struct rrset *rx = name_node_rrsets(x), *ry = name_node_rrsets(y);
	for (size_t j = 0; j < x->rrset_count; j++) {
		if (rx[j].type != ry[j].type || rx[j].ttl != ry[j].ttl
			|| rx[j].rr_count != ry[j].rr_count || rx[j].rdata_length != ry[j].rdata_length
			|| memcmp(rx[j].rdata, ry[j].rdata, rx[j].rdata_length) != 0)
			return false;
	}
	return true;
}

/* Same names (ENTs included), same RRsets, same SOA. */
static void
assert_zones_equal(const struct zone *a, const struct zone *b)
{
	ck_assert_uint_eq(a->node_count, b->node_count);
	ck_assert_uint_eq(a->record_count, b->record_count);
	ck_assert_uint_eq(a->serial, b->serial);
	for (size_t i = 0; i < a->node_count; i++) {
		if (!nodes_equal(a->nodes[i], b->nodes[i])) {
			char x[DNAME_MAX_LENGTH * 4 + 2], y[DNAME_MAX_LENGTH * 4 + 2];
			dname_format(a->nodes[i]->name, x, sizeof x);
			dname_format(b->nodes[i]->name, y, sizeof y);
			ck_abort_msg("node %zu differs: %s / %s", i, x, y);
		}
	}
	struct zone_diff_count count = zone_diff_count(a, b);
	ck_assert_uint_eq(count.deleted, 0);
	ck_assert_uint_eq(count.added, 0);
}

static struct testlib_capture capture_full, capture_reload;

/* The version served: a full load that keeps fingerprints. */
struct served {
	struct zone *zone;
	struct zone_chunks *chunks;
};

static void
served_load(struct served *s, const char *path)
{
	struct diag d = testlib_capture_start(&capture_full, "%b:%l: %m\n", "");
	enum zone_reload_how how;
	int rc = zone_reload_file(path, testlib_name("example."), NULL, NULL, NULL, &d, &s->zone,
		&s->chunks, &how);
	ck_assert_msg(rc == 0, "%s", capture_full.text);
	ck_assert_int_eq(how, ZONE_RELOAD_FULL);
	ck_assert_ptr_nonnull(s->chunks);
}

static void
served_free(struct served *s)
{
	zone_free(s->zone);
	zone_chunks_unref(s->chunks);
	memset(s, 0, sizeof *s);
}

/*
 * Reloads path over s and checks the result against a full load of path:
 * the same zone, or the same error (first finding) and nothing built. On
 * success s becomes the new version. Returns how it was loaded.
 */
static enum zone_reload_how
reload_and_compare(struct served *s, const char *path)
{
	struct diag full_d = testlib_capture_start(&capture_full, "%b:%l: %m\n", "");
	struct zone *full = NULL;
	int full_rc = zone_load_file(path, testlib_name("example."), NULL, &full_d, &full);
	struct diag reload_d = testlib_capture_start(&capture_reload, "%b:%l: %m\n", "");
	struct zone *zone = NULL;
	struct zone_chunks *chunks = NULL;
	enum zone_reload_how how;
	int rc = zone_reload_file(path, testlib_name("example."), NULL, s->zone, s->chunks,
		&reload_d, &zone, &chunks, &how);
	ck_assert_msg(rc == full_rc, "reload %d, full load %d: %s // %s", rc, full_rc,
		capture_reload.text, capture_full.text);
	if (rc != 0) {
		ck_assert_ptr_null(zone);
		ck_assert_ptr_null(chunks);
		/* The same first error, file:line and words. */
		ck_assert_uint_ge(capture_reload.count, 1);
		const struct testlib_finding *first_full = NULL, *first_reload = NULL;
		for (unsigned i = 0; i < capture_full.count && first_full == NULL; i++) {
			if (capture_full.findings[i].level == DIAG_ERROR)
				first_full = &capture_full.findings[i];
		}
		for (unsigned i = 0; i < capture_reload.count && first_reload == NULL; i++) {
			if (capture_reload.findings[i].level == DIAG_ERROR)
				first_reload = &capture_reload.findings[i];
		}
		ck_assert_ptr_nonnull(first_full);
		ck_assert_ptr_nonnull(first_reload);
		ck_assert_uint_eq(first_reload->line, first_full->line);
		ck_assert_str_eq(first_reload->message, first_full->message);
		ck_assert_str_eq(first_reload->file, first_full->file);
		return how;
	}
	assert_zones_equal(zone, full);
	zone_free(full);
	served_free(s);
	s->zone = zone;
	s->chunks = chunks;
	return how;
}

/* ------------------------------------------------------------ the scanner */

/* Records read chunk by chunk go into one zone, as a full load's would. */
static int
on_piece(void *arg, const struct zone_record *record)
{
	struct zone *zone = arg;
	return zone_add_record(zone, record, NULL);
}

/* Every chunk read on its own (zone_load_piece()) gives the full load's records. */
static void
assert_pieces_equal_full(const char *text, size_t *chunk_count)
{
	const uint8_t *origin = testlib_name("example.");
	struct zone_chunks *table = NULL;
	ck_assert_int_eq(zone_chunks_scan_text(text, strlen(text), origin, &table), 0);
	ck_assert_ptr_nonnull(table);
	struct zone *pieces = zone_create(origin, 1);
	ck_assert_ptr_nonnull(pieces);
	uint64_t expect_offset = 0;
	for (size_t i = 0; i < table->count; i++) {
		const struct zone_chunk *c = &table->chunks[i];
		ck_assert_uint_eq(c->offset, expect_offset);
		expect_offset += c->length;
		struct zone_load_start start = {
			.origin = c->origin,
			.default_ttl = c->default_ttl,
			.default_ttl_known = c->default_ttl_known,
			.line = c->line,
		};
		struct diag d = testlib_capture_start(&capture_reload, "%l: %m\n", "");
		int rc = zone_load_piece(text + c->offset, c->length, "piece", &start, NULL,
			on_piece, pieces, &d);
		ck_assert_msg(rc == 0, "chunk %zu: %.300s", i, capture_reload.text);
	}
	ck_assert_uint_eq(expect_offset, strlen(text));
	ck_assert_int_eq(zone_finalize(pieces, NULL), 0);
	struct zone *full = NULL;
	ck_assert_int_eq(zone_load_text(text, strlen(text), "full", origin, NULL, NULL, &full), 0);
	assert_zones_equal(pieces, full);
	*chunk_count = table->count;
	zone_free(pieces);
	zone_free(full);
	zone_chunks_unref(table);
}

START_TEST(test_scan_follows_the_lexer)
{
	/* Every construct that decides where a record ends, repeated so cuts fall among them. */
	struct text t = { 0 };
	text_add(&t, "$ORIGIN example.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\n"
		"ns1 A 192.0.2.1\n");
	for (unsigned i = 0; i < 40000; i++) {
		switch (i % 12) {
		case 0:
			text_add(&t, "p%u MX ( 10\n  mx%u ) ; a record over two lines\n", i, i);
			break;
		case 1:
			text_add(&t, "q%u TXT \"a ; b ( c\" \"\\\" ( quoted\"\n", i);
			break;
		case 2:
			text_add(&t, "; comment ( with a parenthesis\n\nr%u A 192.0.2.%u\n", i, i % 250);
			break;
		case 3:
			text_add(&t, "s%u TXT a\\;b \\(c\n  TXT second\n", i);
			break;
		case 4:
			text_add(&t, "$TTL %u\nt%u A 192.0.2.1\n", 100 + i, i);
			break;
		case 5:
			text_add(&t, "$ORIGIN sub%u.example.\nu A 192.0.2.2\n$ORIGIN example.\n", i);
			break;
		case 6:
			text_add(&t, "v%u 60 IN A 192.0.2.3\n\tAAAA 2001:db8::3\n", i);
			break;
		case 7:
			text_add(&t, "w%u TXT (\n \"x\" ; ) inside a comment\n \"y\" )\n", i);
			break;
		case 8:
			text_add(&t, "$ORIGIN rel%u\nx CNAME w\n$ORIGIN example.\n", i);
			break;
		case 9:
			text_add(&t, "y%u.example. A 192.0.2.4\r\n", i);
			break;
		case 10:
			text_add(&t, "z%u TXT \"a\\\"b\" \\\\\n", i);
			break;
		default:
			text_add(&t, "o%u A 192.0.2.5\no%u A 192.0.2.6\n", i, i);
			break;
		}
	}
	size_t count;
	assert_pieces_equal_full(t.data, &count);
	ck_assert_uint_gt(count, 8);
	text_free(&t);
}
END_TEST

START_TEST(test_scan_cuts_survive_an_insertion)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	lines_generate(&z, 20000, 1);
	lines_text(&z, &t);
	const uint8_t *origin = testlib_name("example.");
	struct zone_chunks *before = NULL, *after = NULL;
	ck_assert_int_eq(zone_chunks_scan_text(t.data, t.length, origin, &before), 0);
	lines_insert(&z, HEAD_LINES + 1000, "inserted A 192.0.2.99");
	lines_insert(&z, HEAD_LINES + 1000, "inserted2 A 192.0.2.98");
	lines_text(&z, &t);
	ck_assert_int_eq(zone_chunks_scan_text(t.data, t.length, origin, &after), 0);
	ck_assert_uint_gt(before->count, 8);
	/* All but the chunk with the insertion are found again, moved. */
	size_t same = 0;
	for (size_t j = 0; j < after->count; j++) {
		for (size_t i = 0; i < before->count; i++) {
			if (zone_chunk_same(&before->chunks[i], &after->chunks[j])) {
				same++;
				break;
			}
		}
	}
	ck_assert_uint_ge(same, after->count - 1);
	ck_assert_uint_ge(same, before->count - 1);
	zone_chunks_unref(before);
	zone_chunks_unref(after);
	lines_free(&z);
	text_free(&t);
}
END_TEST

/* The hash of a chunk does not depend on how the reads cut the file (1 MiB windows). */
START_TEST(test_scan_file_equals_text)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	lines_generate(&z, 60000, 1);
	lines_text(&z, &t);
	char path[] = "/tmp/check_zone_reload.scan.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, t.data, t.length), (ssize_t)t.length);
	const uint8_t *origin = testlib_name("example.");
	struct zone_chunks *from_file = NULL, *from_text = NULL;
	ck_assert_int_eq(zone_chunks_scan_fd(fd, origin, &from_file), 0);
	ck_assert_int_eq(zone_chunks_scan_text(t.data, t.length, origin, &from_text), 0);
	close(fd);
	unlink(path);
	ck_assert_uint_gt(t.length, 3 * 1024 * 1024);
	ck_assert_uint_eq(from_file->count, from_text->count);
	for (size_t i = 0; i < from_file->count; i++) {
		ck_assert_uint_eq(from_file->chunks[i].offset, from_text->chunks[i].offset);
		ck_assert(zone_chunk_same(&from_file->chunks[i], &from_text->chunks[i]));
	}
	zone_chunks_unref(from_file);
	zone_chunks_unref(from_text);
	lines_free(&z);
	text_free(&t);
}
END_TEST

START_TEST(test_scan_refuses_include)
{
	const char *text = "$ORIGIN example.\n$TTL 300\n$INCLUDE other.zone\n";
	struct zone_chunks *table = (struct zone_chunks *)1;
	ck_assert_int_eq(zone_chunks_scan_text(text, strlen(text), testlib_name("example."),
		&table), 0);
	ck_assert_ptr_null(table);
}
END_TEST

/* ------------------------------------------------------------ reloads */

/* The first line at or after body line at % body (wrapping) that starts with a host owner. */
static size_t
owner_line(const struct zone_lines *z, size_t at)
{
	size_t body = z->count - HEAD_LINES;
	for (size_t k = 0; k < body; k++) {
		size_t i = HEAD_LINES + (at + k) % body;
		if (z->lines[i][0] == 'h' && i + 1 < z->count)
			return i;
	}
	ck_abort_msg("no owner line left");
	return 0;
}

/* One edit of the generated zone, at line index at (body lines). */
enum edit_kind {
	EDIT_CHANGE,          /* one record's rdata */
	EDIT_INSERT_OWNER,    /* a new owner with two records */
	EDIT_DELETE_OWNER,    /* both records of an owner */
	EDIT_DELETE_RECORD,   /* one record of an owner */
	EDIT_ADD_RECORD,      /* one more record at an existing owner, next to its others */
	EDIT_INSERT_BLOCK,    /* 3000 new lines: moves cuts */
	EDIT_TTL,             /* a $TTL line: every chunk after reads in another state */
	EDIT_ORIGIN,          /* an $ORIGIN line and names below it */
	EDIT_SPLIT_OWNER,     /* a record of an old owner far from its others */
	EDIT_MOVE_OWNER,      /* an owner's lines cut and pasted half the file away */
	EDIT_KINDS,
};

static void
apply_edit(struct zone_lines *z, enum edit_kind kind, size_t at, unsigned tag)
{
	char line[256];
	size_t i = owner_line(z, at);
	switch (kind) {
	case EDIT_CHANGE:
		snprintf(line, sizeof line, "%.*s A 172.16.%u.%u", (int)strcspn(z->lines[i], " "),
			z->lines[i], (tag >> 8) & 255, tag & 255);
		free(z->lines[i]);
		z->lines[i] = strdup(line);
		break;
	case EDIT_INSERT_OWNER:
		snprintf(line, sizeof line, "new%u TXT \"inserted\"", tag);
		lines_insert(z, i, line);
		snprintf(line, sizeof line, "new%u A 192.0.2.%u", tag, tag % 250);
		lines_insert(z, i, line);
		break;
	case EDIT_DELETE_OWNER:
		lines_delete(z, i);
		lines_delete(z, i);
		break;
	case EDIT_DELETE_RECORD:
		lines_delete(z, i + 1);
		lines_insert(z, i + 1, "; a record was here");
		break;
	case EDIT_ADD_RECORD:
		snprintf(line, sizeof line, "%.*s AAAA 2001:db8::%x", (int)strcspn(z->lines[i], " "),
			z->lines[i], tag);
		lines_insert(z, i + 1, line);
		break;
	case EDIT_INSERT_BLOCK:
		for (unsigned k = 0; k < 3000; k++) {
			snprintf(line, sizeof line, "block%u-%u A 192.0.2.%u", tag, k, k % 250);
			lines_insert(z, i, line);
		}
		break;
	case EDIT_TTL:
		snprintf(line, sizeof line, "$TTL %u", 100 + tag % 1000);
		lines_insert(z, i, line);
		break;
	case EDIT_ORIGIN:
		lines_insert(z, i, "$ORIGIN example.");
		snprintf(line, sizeof line, "x%u A 192.0.2.7", tag);
		lines_insert(z, i, line);
		snprintf(line, sizeof line, "$ORIGIN o%u.example.", tag);
		lines_insert(z, i, line);
		break;
	case EDIT_SPLIT_OWNER:
		snprintf(line, sizeof line, "%.*s MX 10 mail", (int)strcspn(z->lines[i], " "),
			z->lines[i]);
		lines_insert(z, z->count, line);
		break;
	case EDIT_MOVE_OWNER: {
		char *first = strdup(z->lines[i]), *second = strdup(z->lines[i + 1]);
		lines_delete(z, i);
		lines_delete(z, i);
		size_t to = HEAD_LINES + (i - HEAD_LINES + (z->count - HEAD_LINES) / 2)
			% (z->count - HEAD_LINES);
		lines_insert(z, to, second);
		lines_insert(z, to, first);
		free(first);
		free(second);
		break;
	}
	default:
		ck_abort();
	}
}

/* Builds the served version of a generated zone. */
static void
start_zone(struct zone_lines *z, struct text *t, struct served *s, unsigned owners)
{
	lines_generate(z, owners, 1);
	lines_text(z, t);
	served_load(s, write_zone(t));
}

/* Table: one edit kind at one place, and whether it must be incremental. */
struct edit_case {
	const char *name;
	enum edit_kind kind;
	unsigned place;          /* per mille of the body */
	bool incremental;
};

static const struct edit_case edit_cases[] = {
	{ "change at the start", EDIT_CHANGE, 0, true },
	{ "change in the middle", EDIT_CHANGE, 500, true },
	{ "change at the end", EDIT_CHANGE, 999, true },
	{ "new owner at the start", EDIT_INSERT_OWNER, 0, true },
	{ "new owner in the middle", EDIT_INSERT_OWNER, 500, true },
	{ "new owner at the end", EDIT_INSERT_OWNER, 999, true },
	{ "owner deleted at the start", EDIT_DELETE_OWNER, 0, true },
	{ "owner deleted in the middle", EDIT_DELETE_OWNER, 500, true },
	{ "owner deleted at the end", EDIT_DELETE_OWNER, 999, true },
	{ "record deleted", EDIT_DELETE_RECORD, 300, true },
	{ "record added to an owner", EDIT_ADD_RECORD, 700, true },
	{ "block inserted (moves cuts)", EDIT_INSERT_BLOCK, 400, true },
	{ "$TTL late in the file", EDIT_TTL, 900, true },
	{ "$TTL early in the file (most chunks change)", EDIT_TTL, 10, false },
	{ "$ORIGIN block", EDIT_ORIGIN, 600, true },
	{ "owner split across chunks", EDIT_SPLIT_OWNER, 200, false },
	{ "owner moved half the file away", EDIT_MOVE_OWNER, 300, true },
};

START_TEST(test_reload_edit)
{
	const struct edit_case *c = &edit_cases[_i];
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	struct served s = { 0 };
	start_zone(&z, &t, &s, 20000);
	size_t body = z.count - HEAD_LINES;
	apply_edit(&z, c->kind, body * c->place / 1000, 7 + (unsigned)_i);
	lines_set_serial(&z, 2);
	lines_text(&z, &t);
	struct zone_reload_counts before = zone_reload_counts();
	enum zone_reload_how how = reload_and_compare(&s, write_zone(&t));
	struct zone_reload_counts after = zone_reload_counts();
	/* The counters say the same: an attempt that fell back is counted as such. */
	ck_assert_uint_eq(after.incremental - before.incremental, c->incremental ? 1 : 0);
	ck_assert_uint_eq(after.fallback - before.fallback, c->incremental ? 0 : 1);
	ck_assert_msg(how == (c->incremental ? ZONE_RELOAD_INCREMENTAL : ZONE_RELOAD_FULL),
		"%s: loaded %s", c->name, how == ZONE_RELOAD_FULL ? "in full" : "incrementally");
	ck_assert_uint_eq(s.zone->serial, 2);
	served_free(&s);
	lines_free(&z);
	text_free(&t);
}
END_TEST

/* Several random edits per step, several steps in a row (fingerprints of incremental versions). */
START_TEST(test_reload_random_edits)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	struct served s = { 0 };
	start_zone(&z, &t, &s, 20000);
	uint64_t seed = 0x5eed0000u + (uint64_t)_i;
	unsigned incremental = 0;
	for (unsigned step = 0; step < 6; step++) {
		unsigned edits = 1 + (unsigned)(random_next(&seed) % 3);
		for (unsigned e = 0; e < edits; e++) {
			enum edit_kind kind = (enum edit_kind)(random_next(&seed) % EDIT_KINDS);
			if (kind == EDIT_INSERT_BLOCK && random_next(&seed) % 2)
				kind = EDIT_CHANGE;
			apply_edit(&z, kind, (size_t)random_next(&seed), step * 10 + e);
		}
		lines_set_serial(&z, 2 + step);
		lines_text(&z, &t);
		incremental += reload_and_compare(&s, write_zone(&t)) == ZONE_RELOAD_INCREMENTAL;
		ck_assert_uint_eq(s.zone->serial, 2 + step);
	}
	ck_assert_uint_gt(incremental, 0);
	served_free(&s);
	lines_free(&z);
	text_free(&t);
}
END_TEST

/*
 * Broken edits, each put right after the first line of an owner in the
 * middle (%s: that owner): the same first error as a full load, and the
 * old version stays.
 */
static const struct broken_case {
	const char *line;
	bool incremental;        /* false: the edit changes how the rest of the file reads */
} broken_cases[] = {
	{ "%s A 300.1.2.3", true },                   /* bad rdata */
	{ "%s A 10.0.0.1 (", false },                 /* parentheses open to the end */
	{ "%s TXT \"unclosed", true },                /* unbalanced quotes */
	{ "%s FOO bar", true },                       /* unknown type */
	{ "  A 10.0.0.2 extra", true },               /* extra rdata on an inherited owner */
	{ "$TTL forever", false },                    /* bad $TTL: later records read as TTL 0 */
	{ "www.other. A 10.0.0.3", true },            /* out of zone: a warning only, loads */
	{ "%s CNAME elsewhere", true },               /* CNAME and other data: a zone check */
	{ "%s NS ns.%s", true },                      /* a delegation: its other data is glue now */
};

START_TEST(test_reload_broken_edit)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	struct served s = { 0 };
	start_zone(&z, &t, &s, 20000);
	const struct zone *before = s.zone;
	size_t at = owner_line(&z, (z.count - HEAD_LINES) / 2);
	char owner[64], line[256];
	snprintf(owner, sizeof owner, "%.*s", (int)strcspn(z.lines[at], " "), z.lines[at]);
	const struct broken_case *c = &broken_cases[_i];
	snprintf(line, sizeof line, c->line, owner, owner);
	lines_insert(&z, at + 1, line);
	lines_set_serial(&z, 2);
	lines_text(&z, &t);
	enum zone_reload_how how = reload_and_compare(&s, write_zone(&t));
	if (s.zone == before)
		ck_assert_uint_eq(s.zone->serial, 1);
	ck_assert_int_eq(how, c->incremental ? ZONE_RELOAD_INCREMENTAL : ZONE_RELOAD_FULL);
	served_free(&s);
	lines_free(&z);
	text_free(&t);
}
END_TEST

/* A file emptied: "no records", as a full load says. */
START_TEST(test_reload_emptied_file)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	struct served s = { 0 };
	start_zone(&z, &t, &s, 2000);
	t.length = 0;
	text_add(&t, "; nothing left\n");
	reload_and_compare(&s, write_zone(&t));
	served_free(&s);
	lines_free(&z);
	text_free(&t);
}
END_TEST

START_TEST(test_reload_unchanged_text_loads_in_full)
{
	struct zone_lines z = { 0 };
	struct text t = { 0 };
	struct served s = { 0 };
	start_zone(&z, &t, &s, 2000);
	ck_assert_int_eq(reload_and_compare(&s, write_zone(&t)), ZONE_RELOAD_FULL);
	served_free(&s);
	lines_free(&z);
	text_free(&t);
}
END_TEST

static Suite *
zone_reload_suite(void)
{
	Suite *suite = suite_create("zone_reload");
	TCase *scan = tcase_create("scan");
	tcase_add_test(scan, test_scan_follows_the_lexer);
	tcase_add_test(scan, test_scan_cuts_survive_an_insertion);
	tcase_add_test(scan, test_scan_file_equals_text);
	tcase_add_test(scan, test_scan_refuses_include);
	tcase_set_timeout(scan, 60);
	suite_add_tcase(suite, scan);
	TCase *reload = tcase_create("reload");
	tcase_add_checked_fixture(reload, setup, teardown);
	/*
	 * Under valgrind (tests/valgrind.sh sets ZONED_TEST_SUBSET) every case
	 * takes minutes: a few of each kind look for memory errors there, the
	 * plain make check runs them all.
	 */
	bool subset = getenv("ZONED_TEST_SUBSET") != NULL;
	int edits = (int)(sizeof edit_cases / sizeof edit_cases[0]);
	int broken = (int)(sizeof broken_cases / sizeof broken_cases[0]);
	tcase_add_loop_test(reload, test_reload_edit, 0, subset && edits > 3 ? 3 : edits);
	tcase_add_loop_test(reload, test_reload_random_edits, 0, subset ? 1 : 4);
	tcase_add_loop_test(reload, test_reload_broken_edit, 0, subset && broken > 2 ? 2 : broken);
	tcase_add_test(reload, test_reload_unchanged_text_loads_in_full);
	tcase_add_test(reload, test_reload_emptied_file);
	tcase_set_timeout(reload, 120);
	suite_add_tcase(suite, reload);
	return suite;
}

int
main(void)
{
	return testlib_run(zone_reload_suite());
}
