/* testlib.c: run a Check suite, capture diagnostics, build fixture addresses, names and zones. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "zoned/dname.h"
#include "zoned/error.h"

int
testlib_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	srunner_run_all(runner, CK_ENV);
	int run = srunner_ntests_run(runner);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	if (run == 0) {
		fprintf(stderr, "no checks ran\n");
		return EXIT_FAILURE;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Appends text to the capture's text, dropping what does not fit. The end
 * is found with strlen: a test may empty the text by writing its first NUL.
 */
static void
capture_append(struct testlib_capture *capture, const char *text, size_t length)
{
	size_t used = strlen(capture->text);
	size_t room = sizeof capture->text - 1 - used;
	if (length > room)
		length = room;
	memcpy(capture->text + used, text, length);
	capture->text[used + length] = '\0';
}

static void
capture_render(struct testlib_capture *capture, enum diag_level level, const char *file,
	unsigned long line, const char *message)
{
	const char *shown = file != NULL ? file : capture->missing_file;
	for (const char *p = capture->line_format; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			capture_append(capture, p, 1);
			continue;
		}
		char number[32];
		const char *base;
		switch (*++p) {
		case 'f':
			capture_append(capture, shown, strlen(shown));
			break;
		case 'b':
			base = file != NULL && strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : shown;
			capture_append(capture, base, strlen(base));
			break;
		case 'l':
			snprintf(number, sizeof number, "%lu", line);
			capture_append(capture, number, strlen(number));
			break;
		case 'L':
			base = level == DIAG_ERROR ? "error" : "warning";
			capture_append(capture, base, strlen(base));
			break;
		case 'c':
			capture_append(capture, level == DIAG_ERROR ? "E" : "W", 1);
			break;
		case 'm':
			capture_append(capture, message, strlen(message));
			break;
		default:
			capture_append(capture, p, 1);
			break;
		}
	}
}

static void
on_capture(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	struct testlib_capture *capture = arg;
	if (capture->count < TESTLIB_MAX_FINDINGS) {
		struct testlib_finding *f = &capture->findings[capture->count++];
		f->level = level;
		snprintf(f->file, sizeof f->file, "%s", file != NULL ? file : "");
		f->line = line;
		snprintf(f->message, sizeof f->message, "%s", message);
	}
	capture_render(capture, level, file, line, message);
}

void
testlib_capture_clear(struct testlib_capture *capture)
{
	capture->count = 0;
	capture->text[0] = '\0';
}

struct diag
testlib_capture_start(struct testlib_capture *capture, const char *line_format,
	const char *missing_file)
{
	capture->line_format = line_format;
	capture->missing_file = missing_file != NULL ? missing_file : "";
	testlib_capture_clear(capture);
	return (struct diag){ .emit = on_capture, .arg = capture };
}

const struct testlib_finding *
testlib_capture_find(const struct testlib_capture *capture, enum diag_level level,
	const char *file, unsigned long line, const char *message)
{
	for (unsigned i = 0; i < capture->count; i++) {
		const struct testlib_finding *f = &capture->findings[i];
		if (f->level == level && f->line == line && strcmp(f->message, message) == 0
			&& (file == NULL || strcmp(f->file, file) == 0))
			return f;
	}
	return NULL;
}

const struct testlib_finding *
testlib_capture_last(const struct testlib_capture *capture)
{
	return capture->count > 0 ? &capture->findings[capture->count - 1] : NULL;
}

const uint8_t *
testlib_name(const char *text)
{
	static uint8_t buffers[8][DNAME_MAX_LENGTH];
	static unsigned next;
	uint8_t *out = buffers[next++ % 8];
	ck_assert_msg(dname_from_text(text, out) > 0, "bad name %s", text);
	return out;
}

struct zone *
testlib_zone_from_text(const char *origin, const char *text, const char *file_name,
	const struct zone_load_options *options, struct diag *diag)
{
	struct diag counter = { 0 };
	struct zone *zone = NULL;
	int status = zone_load_text(text, strlen(text), file_name, testlib_name(origin), options,
		diag != NULL ? diag : &counter, &zone);
	ck_assert_msg(status == 0, "%s: %s", file_name, zoned_strerror(status));
	ck_assert_ptr_nonnull(zone);
	return zone;
}

struct zone *
testlib_zone_from_file(const char *origin, const char *path,
	const struct zone_load_options *options, struct diag *diag)
{
	struct diag counter = { 0 };
	struct zone *zone = NULL;
	struct diag *sink = diag != NULL ? diag : &counter;
	int status = zone_load_file(path, testlib_name(origin), options, sink, &zone);
	ck_assert_msg(status == 0, "%s: %s (%lu errors)", path, zoned_strerror(status),
		sink->errors);
	ck_assert_ptr_nonnull(zone);
	return zone;
}

struct sockaddr_storage
testlib_address(const char *text)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
		in->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	else
		ck_abort_msg("bad test address %s", text);
	return ss;
}
