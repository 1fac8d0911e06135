/*
 * testlib.h: what every Check program shares: running a suite, capturing
 * diagnostics, and the fixtures most tests start from (names, zones).
 */
#ifndef ZONED_TESTLIB_H
#define ZONED_TESTLIB_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "zoned/diag.h"
#include "zoned/zone_load.h"

/*
 * Runs suite with CK_ENV verbosity and returns the process exit status:
 * non-zero when a check failed or when no check ran at all (a misspelled
 * case must not pass silently).
 */
int testlib_run(Suite *suite);

#define TESTLIB_MAX_FINDINGS 64

/* One finding as the code under test reported it (file "" when it gave none). */
struct testlib_finding {
	enum diag_level level;
	char file[512];
	unsigned long line;
	char message[1024];
};

/*
 * A diag sink that keeps what was reported: the first TESTLIB_MAX_FINDINGS
 * findings one by one, and every finding as a line of text (truncated when
 * text is full; writing text[0] = '\0' empties it). Large: keep it static.
 */
struct testlib_capture {
	const char *line_format;
	const char *missing_file;
	struct testlib_finding findings[TESTLIB_MAX_FINDINGS];
	unsigned count;
	char text[16384];
};

/*
 * Empties capture and returns a diag (counters zero) whose findings it
 * keeps. line_format renders each finding into capture->text: %f the file,
 * %b its base name, %l the line, %L "error" or "warning", %c 'E' or 'W',
 * %m the message, %% a percent sign. missing_file stands for a NULL file.
 */
struct diag testlib_capture_start(struct testlib_capture *capture, const char *line_format,
	const char *missing_file);

/* Forgets the findings so far (the format stays; a diag's counters are its own). */
void testlib_capture_clear(struct testlib_capture *capture);

/*
 * The first kept finding with this level, line and message (and file,
 * unless file is NULL), or NULL.
 */
const struct testlib_finding *testlib_capture_find(const struct testlib_capture *capture,
	enum diag_level level, const char *file, unsigned long line, const char *message);

/* The last kept finding, or NULL when there is none. */
const struct testlib_finding *testlib_capture_last(const struct testlib_capture *capture);

/*
 * A socket address from an IPv4 or IPv6 address in text (asserted valid),
 * port 0: a client for acl, rate-limit and statistics tests.
 */
struct sockaddr_storage testlib_address(const char *text);

/*
 * A name in wire form, from text (asserted valid). The result lives in one
 * of 8 static buffers used in turn: good for the next few calls only.
 */
const uint8_t *testlib_name(const char *text);

/*
 * Loads a zone from text, named file_name in findings, with origin (text)
 * and options (may be NULL); asserts that it loaded. diag may be NULL
 * (findings only counted). The caller frees the zone (zone_free).
 */
struct zone *testlib_zone_from_text(const char *origin, const char *text,
	const char *file_name, const struct zone_load_options *options, struct diag *diag);

/* As testlib_zone_from_text, from the master file at path. */
struct zone *testlib_zone_from_file(const char *origin, const char *path,
	const struct zone_load_options *options, struct diag *diag);

#endif
