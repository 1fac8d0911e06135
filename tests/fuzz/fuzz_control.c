/*
 * fuzz_control.c: the control channel's request line, as a zoned-control
 * (or anything that may open the socket) sends it. control_request_parse()
 * must accept exactly what an independent reading of the words accepts,
 * fill the request as that reading says and otherwise give a one-line
 * reason; an accepted request is then run by control_execute() against a
 * daemon serving the fixture zone example. and a failed zone, and every
 * reply is text lines with the exit status 0 or 1.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "fuzz.h"
#include "zoned/control.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/stats.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

static const uint8_t control_fuzz_origin[] = "\7example";
static const uint8_t control_fuzz_failed_origin[] = "\6failed\4test";

static const char *const control_fuzz_names[] = {
	"status", "reload", "reconfig", "zonestatus", "stats", "notify", "refresh",
	"retransfer", "trace", "notrace", "stop",
};

/* The reference reading's words: split at spaces and tabs, at most three kept. */
static int
control_fuzz_words(const char *line, size_t length, char words[3][CONTROL_REQUEST_MAX])
{
	int count = 0;
	for (size_t i = 0; i < length;) {
		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		size_t start = i;
		while (i < length && line[i] != ' ' && line[i] != '\t')
			i++;
		if (count < 3) {
			memcpy(words[count], line + start, i - start);
			words[count][i - start] = '\0';
		}
		count++;
	}
	return count;
}

/* Whether the reference reading accepts line; *index: the command's. */
static bool
control_fuzz_expected(const char *line, size_t length, size_t *index,
	char words[3][CONTROL_REQUEST_MAX])
{
	if (length >= CONTROL_REQUEST_MAX)
		return false;
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return false;
	}
	int count = control_fuzz_words(line, length, words);
	if (count < 1 || count > 2)
		return false;
	*index = 0;
	while (*index < 11 && strcmp(words[0], control_fuzz_names[*index]) != 0)
		(*index)++;
	if (*index == 11)
		return false;
	const char *name = control_fuzz_names[*index];
	bool zone_needed = !strcmp(name, "zonestatus") || !strcmp(name, "notify")
		|| !strcmp(name, "refresh") || !strcmp(name, "retransfer");
	bool zone_optional = !strcmp(name, "reload");
	bool level = !strcmp(name, "trace");
	if (count == 1)
		return !zone_needed;
	if (level)
		return strlen(words[1]) == 1 && words[1][0] >= '0' && words[1][0] <= '3';
	if (!zone_needed && !zone_optional)
		return false;
	uint8_t origin[DNAME_MAX_LENGTH];
	return strlen(words[1]) < CONTROL_ZONE_TEXT_MAX && dname_from_text(words[1], origin) > 0;
}

static const struct zoneset *control_fuzz_set;

static const struct zoneset *
control_fuzz_zones(void *arg)
{
	return control_fuzz_set;
}

static const struct config *
control_fuzz_config(void *arg)
{
	return NULL;
}

static int
control_fuzz_write_stats(void *arg, struct evbuffer *out)
{
	evbuffer_add_printf(out, "zoned_queries_total{transport=\"udp\"} 0\n");
	return 0;
}

/* Nothing changes: a reload keeps the same zones. */
static int
control_fuzz_reload(void *arg, enum control_reload scope, const uint8_t *origin,
	unsigned *failed)
{
	*failed = 0;
	return 0;
}

static void
control_fuzz_stop(void *arg)
{
}

/* Runs request against the fixture daemon: the reply must be whole lines, status 0 or 1. */
static void
control_fuzz_execute(const struct control_request *request)
{
	struct stats *stats = stats_create(1);
	if (stats == NULL)
		fuzz_fail("control", "out of memory");
	const struct zone *zone = zonedb_find(fuzz_fixture_zonedb(), control_fuzz_origin,
		sizeof control_fuzz_origin);
	if (zone == NULL)
		fuzz_fail("control", "the fixture has no zone example.");
	struct zoneset_zone entries[2] = {
		{ .name = "example", .path = "fixture", .zone = (struct zone *)zone, .loaded = 1 },
		{ .name = "failed.test", .path = "missing", .failed = true, .error = "gone" },
	};
	memcpy(entries[0].origin, control_fuzz_origin, sizeof control_fuzz_origin);
	memcpy(entries[1].origin, control_fuzz_failed_origin, sizeof control_fuzz_failed_origin);
	struct zoneset set = { .zones = entries, .zone_count = 2 };
	control_fuzz_set = &set;
	/* notify of a loaded zone sends datagrams: everything else runs. */
	if (request->command == CONTROL_NOTIFY && request->has_zone
	    && dname_equal(request->origin, control_fuzz_origin)) {
		stats_free(stats);
		return;
	}
	struct control_daemon daemon = {
		.zones = control_fuzz_zones, .config = control_fuzz_config,
		.write_stats = control_fuzz_write_stats, .reload = control_fuzz_reload,
		.stop = control_fuzz_stop, .stats = stats, .workers = 1, .verbosity = 0,
	};
	struct evbuffer *out = evbuffer_new();
	if (out == NULL)
		fuzz_fail("control", "out of memory");
	bool stop = true;
	int status = control_execute(&daemon, request, 1, out, &stop);
	log_set_verbosity(0);   /* trace must not make the fuzzer's log grow */
	size_t length = evbuffer_get_length(out);
	const char *text = (const char *)evbuffer_pullup(out, -1);
	if (status != 0 && status != 1)
		fuzz_fail("control", "an exit status other than 0 or 1");
	if (length == 0 || text[length - 1] != '\n' || memchr(text, '\0', length) != NULL)
		fuzz_fail("control", "a reply that is not whole text lines");
	if (stop != (request->command == CONTROL_STOP))
		fuzz_fail("control", "stop asked for by another command than stop");
	if (request->has_zone && !dname_equal(request->origin, control_fuzz_origin)
	    && !dname_equal(request->origin, control_fuzz_failed_origin) && status != 1)
		fuzz_fail("control", "a command on a zone not served succeeded");
	evbuffer_free(out);
	stats_free(stats);
	control_fuzz_set = NULL;
}

int
fuzz_control_one(const uint8_t *data, size_t size)
{
	log_set_verbosity(0);
	char *line = fuzz_copy_input("control", data, size);
	struct control_request request;
	char error[64];
	memset(error, 'x', sizeof error);
	int rc = control_request_parse(line, size, &request, error, sizeof error);
	static char words[3][CONTROL_REQUEST_MAX];
	size_t index = 0;
	bool expected = control_fuzz_expected(line, size, &index, words);
	if (rc != 0 && rc != ZONED_EINVAL)
		fuzz_fail("control", "a parse result other than 0 or ZONED_EINVAL");
	if ((rc == 0) != expected)
		fuzz_fail("control", rc == 0 ? "accepted a request the reference rejects"
			: "rejected a request the reference accepts");
	if (rc != 0) {
		if (memchr(error, '\0', sizeof error) == NULL || error[0] == '\0')
			fuzz_fail("control", "a rejection without a NUL-terminated reason");
		free(line);
		return 0;
	}
	if (strcmp(control_command_usage(request.command), control_command_usage(index)) != 0)
		fuzz_fail("control", "the command is not the one named");
	if (request.level < -1 || request.level > 3)
		fuzz_fail("control", "a trace level out of 0-3");
	if (request.has_zone) {
		uint8_t origin[DNAME_MAX_LENGTH];
		if (dname_from_text(words[1], origin) <= 0)
			fuzz_fail("control", "a zone the reference does not read");
		dname_lower(origin);
		if (!dname_equal(origin, request.origin) || strcmp(words[1], request.zone) != 0)
			fuzz_fail("control", "the zone is not the one written");
	}
	control_fuzz_execute(&request);
	free(line);
	return 0;
}

FUZZ_ENTRY(fuzz_control_one)
