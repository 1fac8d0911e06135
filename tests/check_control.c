/*
 * check_control.c: the control channel: the request parser and its command
 * table, the controls statement, the commands against a daemon made of
 * real zone sets (reload ZONE and reconfig through zoneset_build_scoped),
 * and the socket (stale one replaced, live one kept, mode, a round trip).
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "testlib.h"
#include "zoned/config.h"
#include "zoned/control.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/stats.h"
#include "zoned/zoneset.h"

static void
quiet_log(int priority, const char *format, ...)
{
	(void)priority;
	(void)format;
}

/* ---- the parser ---- */

static const struct {
	const char *line;
	enum control_command command;
	const char *zone;       /* NULL: none */
	int level;
} good_requests[] = {
	{ "status", CONTROL_STATUS, NULL, -1 },
	{ "  status\t", CONTROL_STATUS, NULL, -1 },
	{ "reload", CONTROL_RELOAD, NULL, -1 },
	{ "reload Example.COM", CONTROL_RELOAD, "example.com", -1 },
	{ "reload example.com.", CONTROL_RELOAD, "example.com", -1 },
	{ "reconfig", CONTROL_RECONFIG, NULL, -1 },
	{ "zonestatus a.test", CONTROL_ZONESTATUS, "a.test", -1 },
	{ "stats", CONTROL_STATS, NULL, -1 },
	{ "notify a.test", CONTROL_NOTIFY, "a.test", -1 },
	{ "refresh a.test", CONTROL_REFRESH, "a.test", -1 },
	{ "retransfer a.test", CONTROL_RETRANSFER, "a.test", -1 },
	{ "trace", CONTROL_TRACE, NULL, -1 },
	{ "trace 3", CONTROL_TRACE, NULL, 3 },
	{ "trace 0", CONTROL_TRACE, NULL, 0 },
	{ "notrace", CONTROL_NOTRACE, NULL, -1 },
	{ "stop", CONTROL_STOP, NULL, -1 },
	{ "zonestatus .", CONTROL_ZONESTATUS, ".", -1 },
};

START_TEST(test_parse_good)
{
	struct control_request request;
	char error[256] = "";
	const char *line = good_requests[_i].line;
	ck_assert_int_eq(control_request_parse(line, strlen(line), &request, error,
		sizeof error), 0);
	ck_assert_int_eq(request.command, good_requests[_i].command);
	ck_assert_int_eq(request.level, good_requests[_i].level);
	ck_assert_int_eq(request.has_zone, good_requests[_i].zone != NULL);
	if (good_requests[_i].zone != NULL) {
		uint8_t origin[DNAME_MAX_LENGTH];
		ck_assert_int_gt(dname_from_text(good_requests[_i].zone, origin), 0);
		ck_assert(dname_equal(origin, request.origin));
		/* Lowercased: compared with the zone set's origins as octets. */
		char text[CONTROL_ZONE_TEXT_MAX];
		dname_format(request.origin, text, sizeof text);
		ck_assert_str_eq(text, good_requests[_i].zone);
	}
}
END_TEST

static const struct {
	const char *line;
	size_t length;          /* 0: strlen */
	const char *error;
} bad_requests[] = {
	{ "", 0, "empty request" },
	{ "   ", 0, "empty request" },
	{ "bogus", 0, "unknown command 'bogus'" },
	{ "STATUS", 0, "unknown command 'STATUS'" },
	{ "status now", 0, "usage: status" },
	{ "zonestatus", 0, "usage: zonestatus ZONE" },
	{ "notify", 0, "usage: notify ZONE" },
	{ "reload a.test b.test", 0, "usage: reload [ZONE]" },
	{ "reload a..test", 0, "'a..test' is not a valid zone name" },
	{ "trace 4", 0, "trace: LEVEL is 0 (errors), 1 (warnings), 2 (info) or 3 (debug), not '4'" },
	{ "trace -1", 0, "trace: LEVEL is 0 (errors), 1 (warnings), 2 (info) or 3 (debug), not '-1'" },
	{ "trace debug", 0, "trace: LEVEL is 0 (errors), 1 (warnings), 2 (info) or 3 (debug), not 'debug'" },
	{ "status\r", 0, "request has a control or non-ASCII character (octet 7)" },
	{ "stat\0us", 7, "request has a control or non-ASCII character (octet 5)" },
	{ "reload caf\xc3\xa9.test", 0, "request has a control or non-ASCII character (octet 11)" },
};

START_TEST(test_parse_bad)
{
	struct control_request request;
	char error[256] = "";
	const char *line = bad_requests[_i].line;
	size_t length = bad_requests[_i].length ? bad_requests[_i].length : strlen(line);
	ck_assert_int_eq(control_request_parse(line, length, &request, error, sizeof error),
		ZONED_EINVAL);
	ck_assert_str_eq(error, bad_requests[_i].error);
}
END_TEST

START_TEST(test_parse_limits)
{
	static char line[CONTROL_REQUEST_MAX + 1];
	struct control_request request;
	char error[256];
	/* The longest zone name (253 characters) is fine; a line of MAX octets is not. */
	char zone[300] = "";
	for (int i = 0; i < 4; i++)
		strcat(zone, i < 3 ? "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
			: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	snprintf(line, sizeof line, "zonestatus %s", zone);
	ck_assert_int_eq(control_request_parse(line, strlen(line), &request, error,
		sizeof error), 0);
	memset(line, 'a', CONTROL_REQUEST_MAX);
	ck_assert_int_eq(control_request_parse(line, CONTROL_REQUEST_MAX, &request, error,
		sizeof error), ZONED_EINVAL);
	ck_assert_str_eq(error, "request longer than 1023 octets");
	/* The error text is cut to its buffer, never written past it. */
	char tiny[8];
	ck_assert_int_eq(control_request_parse("bogus", 5, &request, tiny, sizeof tiny),
		ZONED_EINVAL);
	ck_assert_str_eq(tiny, "unknown");
}
END_TEST

START_TEST(test_usage_table)
{
	size_t count = 0;
	while (control_command_usage(count) != NULL)
		count++;
	ck_assert_uint_eq(count, 11);
	/* Every usage line's command word parses (with a zone where it needs one). */
	for (size_t i = 0; i < count; i++) {
		char line[64];
		snprintf(line, sizeof line, "%s", control_command_usage(i));
		char *zone = strstr(line, "ZONE");
		if (zone != NULL)
			memcpy(zone, "a.ts", 4);
		char *brackets = strchr(line, '[');
		if (brackets != NULL)
			*brackets = '\0';
		struct control_request request;
		char error[256];
		ck_assert_msg(control_request_parse(line, strlen(line), &request, error,
			sizeof error) == 0, "%s: %s", line, error);
	}
}
END_TEST

/* ---- the controls statement ---- */

static struct testlib_capture capture;

static int
load(const char *text, struct config **out)
{
	struct diag d = testlib_capture_start(&capture, "%b:%l: %L: %m\n", "-");
	return config_load_text(text, strlen(text), "/etc/zoned/named.conf", &d, out);
}

static const struct {
	const char *text;
	const char *path;       /* NULL: none */
	unsigned perm;
	long owner, group;
} good_controls[] = {
	{ "controls { unix \"/run/z.ctl\" perm 0600 owner 0 group 0; };", "/run/z.ctl", 0600, 0, 0 },
	{ "controls { unix \"/run/z.ctl\" perm 0660 group 101; };", "/run/z.ctl", 0660, -1, 101 },
	{ "controls { unix \"/run/z.ctl\"; };", "/run/z.ctl", 0600, -1, -1 },
	{ "controls { unix \"z.ctl\" perm 0x1ff; };", "/etc/zoned/z.ctl", 0777, -1, -1 },
	{ "controls { unix \"/a\" perm 384; };", "/a", 0600, -1, -1 },
	{ "controls { };", NULL, 0600, -1, -1 },
};

START_TEST(test_controls_good)
{
	struct config *c = NULL;
	ck_assert_int_eq(load(good_controls[_i].text, &c), 0);
	ck_assert(c->control.given);
	if (good_controls[_i].path == NULL)
		ck_assert_ptr_null(c->control.path);
	else
		ck_assert_str_eq(c->control.path, good_controls[_i].path);
	ck_assert_uint_eq(c->control.perm, good_controls[_i].perm);
	ck_assert_int_eq(c->control.owner, good_controls[_i].owner);
	ck_assert_int_eq(c->control.group, good_controls[_i].group);
	config_free(c);
}
END_TEST

START_TEST(test_controls_default)
{
	struct config *c = NULL;
	ck_assert_int_eq(load("options { };", &c), 0);
	ck_assert(!c->control.given);
	ck_assert_ptr_null(c->control.path);
	ck_assert_uint_eq(c->control.perm, 0600);
	config_free(c);
}
END_TEST

static const struct {
	const char *text;
	const char *finding;
} bad_controls[] = {
	{ "controls { inet 127.0.0.1 port 953 allow { localhost; }; };",
		"named.conf:1: error: controls 'inet' is not supported (only 'unix' is: "
		"zoned-control uses a unix socket)\n" },
	{ "controls { unix \"/a\" perm 0600 keys { \"rndc-key\"; }; };",
		"named.conf:1: error: controls: 'keys' is not supported (access to the control "
		"socket is its file permissions)\n" },
	{ "controls { unix \"/a\" perm 0800; };",
		"named.conf:1: error: controls: perm '0800' is not a mode from 0 to 0777\n" },
	{ "controls { unix \"/a\" perm 01777; };",
		"named.conf:1: error: controls: perm '01777' is not a mode from 0 to 0777\n" },
	{ "controls { unix \"/a\" owner -1; };",
		"named.conf:1: error: controls: owner '-1' is not a number from 0 to 2147483647\n" },
	{ "controls { unix \"/a\" mode 0600; };",
		"named.conf:1: error: controls: expected perm, owner, group or ';', found mode\n" },
	{ "controls { unix \"/a\"; unix \"/b\"; };",
		"named.conf:1: error: controls: only one unix control channel is supported\n" },
	{ "controls { };\ncontrols { };", "named.conf:2: error: controls given twice\n" },
	{ "controls { tcp \"/a\"; };",
		"named.conf:1: error: controls: expected unix, found 'tcp'\n" },
};

START_TEST(test_controls_bad)
{
	struct config *c = NULL;
	ck_assert_int_lt(load(bad_controls[_i].text, &c), 0);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(capture.text, bad_controls[_i].finding);
}
END_TEST

/* ---- the commands, against zone sets built from files ---- */

static char directory[] = "/tmp/check_control.XXXXXX";
static char path_a[96], path_b[96], path_c[96];

static void
write_zone(const char *path, const char *origin, unsigned serial)
{
	FILE *file = fopen(path, "w");
	ck_assert_ptr_nonnull(file);
	fprintf(file, "$ORIGIN %s.\n$TTL 300\n@ SOA ns1 host %u 2 3 4 5\n@ NS ns1\n"
		"ns1 A 192.0.2.1\n", origin, serial);
	ck_assert_int_eq(fclose(file), 0);
}

/* A file written now must look changed: another size and a later mtime. */
static void
rewrite_zone(const char *path, const char *origin, unsigned serial)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	write_zone(path, origin, serial);
}

/* The fake daemon: real zone sets, reloads through zoneset_build(_scoped). */
struct fake_daemon {
	struct config *config;
	struct config *next_config;       /* reconfig reads this one */
	struct zoneset *zones;
	struct stats *stats;
	int reloads;
	bool stopped;
};

static struct fake_daemon fake;

static const struct zoneset *
fake_zones(void *arg)
{
	return ((struct fake_daemon *)arg)->zones;
}

static const struct config *
fake_config(void *arg)
{
	return ((struct fake_daemon *)arg)->config;
}

static int
fake_write_stats(void *arg, struct evbuffer *out)
{
	evbuffer_add_printf(out, "zoned_queries_total{transport=\"udp\"} 0\n");
	return 0;
}

static int
fake_reload(void *arg, enum control_reload scope, const uint8_t *origin, unsigned *failed)
{
	struct fake_daemon *d = arg;
	d->reloads++;
	struct zoneset *next = NULL;
	if (scope == CONTROL_RELOAD_NEW_ZONES && d->next_config != NULL) {
		config_free(d->config);
		d->config = d->next_config;
		d->next_config = NULL;
	}
	int rc = scope == CONTROL_RELOAD_ALL
		? zoneset_build(d->config, d->zones, quiet_log, NULL, &next, failed)
		: zoneset_build_scoped(d->config, d->zones, origin, quiet_log, NULL, &next, failed);
	if (rc != 0)
		return rc;
	zoneset_free(d->zones);
	d->zones = next;
	return 0;
}

static void
fake_stop(void *arg)
{
	((struct fake_daemon *)arg)->stopped = true;
}

static struct control_daemon
fake_control_daemon(void)
{
	return (struct control_daemon){
		.arg = &fake, .zones = fake_zones, .config = fake_config,
		.write_stats = fake_write_stats, .reload = fake_reload, .stop = fake_stop,
		.stats = fake.stats, .workers = 3, .verbosity = 2,
	};
}

static void
commands_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(directory));
	snprintf(path_a, sizeof path_a, "%s/a.zone", directory);
	snprintf(path_b, sizeof path_b, "%s/b.zone", directory);
	snprintf(path_c, sizeof path_c, "%s/c.zone", directory);
	write_zone(path_a, "a.test", 1);
	write_zone(path_b, "b.test", 1);
	write_zone(path_c, "c.test", 7);
	memset(&fake, 0, sizeof fake);
	fake.config = config_create();
	ck_assert_int_eq(config_add_zone(fake.config, "a.test", path_a, "test", 1), 0);
	ck_assert_int_eq(config_add_zone(fake.config, "b.test", path_b, "test", 2), 0);
	unsigned failed = 1;
	ck_assert_int_eq(zoneset_build(fake.config, NULL, quiet_log, NULL, &fake.zones, &failed), 0);
	ck_assert_uint_eq(failed, 0);
	fake.stats = stats_create(3);
	ck_assert_ptr_nonnull(fake.stats);
}

static void
commands_teardown(void)
{
	zoneset_free(fake.zones);
	config_free(fake.config);
	config_free(fake.next_config);
	stats_free(fake.stats);
	unlink(path_a);
	unlink(path_b);
	unlink(path_c);
	rmdir(directory);
	memcpy(directory + strlen(directory) - 6, "XXXXXX", 6);
}

/* Runs line; returns the exit status, the reply text in *reply (static). */
static int
run(const char *line, const char **reply, bool *stop)
{
	static char text[8192];
	struct control_request request;
	char error[256];
	ck_assert_msg(control_request_parse(line, strlen(line), &request, error,
		sizeof error) == 0, "%s: %s", line, error);
	struct control_daemon daemon = fake_control_daemon();
	struct evbuffer *out = evbuffer_new();
	bool stop_flag = false;
	int status = control_execute(&daemon, &request, time(NULL) - 5, out, &stop_flag);
	size_t length = evbuffer_get_length(out);
	ck_assert_uint_lt(length, sizeof text);
	evbuffer_remove(out, text, length);
	text[length] = '\0';
	evbuffer_free(out);
	*reply = text;
	if (stop != NULL)
		*stop = stop_flag;
	return status;
}

static uint32_t
serial_of(const char *name)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	ck_assert_int_gt(dname_from_text(name, origin), 0);
	for (size_t i = 0; i < fake.zones->zone_count; i++) {
		if (dname_equal(fake.zones->zones[i].origin, origin))
			return fake.zones->zones[i].zone->serial;
	}
	return 0;
}

START_TEST(test_status_and_zonestatus)
{
	const char *reply;
	ck_assert_int_eq(run("status", &reply, NULL), 0);
	ck_assert_msg(strstr(reply, "version: zoned " PACKAGE_VERSION "\n") != NULL, "%s", reply);
	ck_assert_msg(strstr(reply, "zones: 2\nfailed zones: 0\nworkers: 3\n"
		"queries served: 0\n") != NULL, "%s", reply);
	ck_assert_msg(strstr(reply, "uptime: 5 s") != NULL, "%s", reply);
	ck_assert_int_eq(run("zonestatus A.test", &reply, NULL), 0);
	ck_assert_msg(strstr(reply, "name: a.test\ntype: primary\nstate: loaded\nserial: 1\n")
		!= NULL, "%s", reply);
	ck_assert_msg(strstr(reply, path_a) != NULL, "%s", reply);
	ck_assert_msg(strstr(reply, "last error: none\n") != NULL, "%s", reply);
	ck_assert_int_eq(run("zonestatus nope.test", &reply, NULL), 1);
	ck_assert_str_eq(reply, "unknown zone nope.test: not served\n");
	ck_assert_int_eq(run("stats", &reply, NULL), 0);
	ck_assert_str_eq(reply, "zoned_queries_total{transport=\"udp\"} 0\n");
	ck_assert_int_eq(fake.reloads, 0);
}
END_TEST

/* reload ZONE loads only that zone, even when the other's file changed too. */
START_TEST(test_reload_one_zone)
{
	rewrite_zone(path_a, "a.test", 2);
	rewrite_zone(path_b, "b.test", 2);
	const struct zone *b_before = fake.zones->zones[1].zone;
	const char *reply;
	ck_assert_int_eq(run("reload a.test", &reply, NULL), 0);
	ck_assert_str_eq(reply, "zone a.test: reloaded, serial 2\n");
	ck_assert_uint_eq(serial_of("a.test"), 2);
	ck_assert_uint_eq(serial_of("b.test"), 1);
	ck_assert_ptr_eq(fake.zones->zones[1].zone, b_before);
	ck_assert_int_eq(run("reload a.test", &reply, NULL), 0);
	ck_assert_str_eq(reply, "zone a.test: up to date (its files did not change), serial 2\n");
	/* reload (all) then takes b's change. */
	ck_assert_int_eq(run("reload", &reply, NULL), 0);
	ck_assert_str_eq(reply, "reload done: 2 zones served, 0 failed to load\n");
	ck_assert_uint_eq(serial_of("b.test"), 2);
}
END_TEST

/* A reload that fails keeps the zone and says why, with file:line. */
START_TEST(test_reload_zone_failure)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	FILE *file = fopen(path_a, "w");
	fprintf(file, "$ORIGIN a.test.\n$TTL 300\n@ SOA ns1 host 3 2 3 4 5\n@ NS ns1\n"
		"ns1 A 192.0.2.300\n");
	fclose(file);
	const char *reply;
	ck_assert_int_eq(run("reload a.test", &reply, NULL), 1);
	ck_assert_msg(strncmp(reply, "zone a.test: reload failed: ", 28) == 0, "%s", reply);
	ck_assert_msg(strstr(reply, "a.zone:5: ") != NULL, "%s", reply);
	ck_assert_msg(strstr(reply, "still serving serial 1\n") != NULL, "%s", reply);
	ck_assert_int_eq(run("zonestatus a.test", &reply, NULL), 0);
	ck_assert_msg(strstr(reply, "serial: 1\n") != NULL, "%s", reply);
	ck_assert_msg(strstr(reply, "last error: ") != NULL && strstr(reply, "a.zone:5: ")
		!= NULL, "%s", reply);
	ck_assert_uint_eq(serial_of("a.test"), 1);
}
END_TEST

/* reconfig loads the new zone only: a changed file of an old zone is not read. */
START_TEST(test_reconfig_new_zones_only)
{
	rewrite_zone(path_a, "a.test", 5);
	fake.next_config = config_create();
	ck_assert_int_eq(config_add_zone(fake.next_config, "a.test", path_a, "test", 1), 0);
	ck_assert_int_eq(config_add_zone(fake.next_config, "b.test", path_b, "test", 2), 0);
	ck_assert_int_eq(config_add_zone(fake.next_config, "c.test", path_c, "test", 3), 0);
	const char *reply;
	ck_assert_int_eq(run("reconfig", &reply, NULL), 0);
	ck_assert_str_eq(reply, "reconfig done: 3 zones served, 0 failed to load\n");
	ck_assert_uint_eq(serial_of("a.test"), 1);
	ck_assert_uint_eq(serial_of("c.test"), 7);
}
END_TEST

START_TEST(test_notify_refresh_trace_stop)
{
	const char *reply;
	bool stop = false;
	ck_assert_int_eq(run("refresh a.test", &reply, NULL), 1);
	ck_assert_str_eq(reply, "zone a.test is not a secondary zone\n");
	ck_assert_int_eq(run("retransfer b.test", &reply, NULL), 1);
	ck_assert_str_eq(reply, "zone b.test is not a secondary zone\n");
	ck_assert_int_eq(run("notify nope.test", &reply, NULL), 1);
	log_set_verbosity(2);
	ck_assert_int_eq(run("trace", &reply, NULL), 0);
	ck_assert_str_eq(reply, "verbosity: 3 (debug)\n");
	ck_assert_int_eq(log_verbosity(), 3);
	ck_assert_int_eq(run("trace", &reply, NULL), 0);
	ck_assert_str_eq(reply, "verbosity: 3 (debug)\n");
	ck_assert_int_eq(run("trace 0", &reply, NULL), 0);
	ck_assert_int_eq(log_verbosity(), 0);
	ck_assert_int_eq(run("notrace", &reply, NULL), 0);
	ck_assert_str_eq(reply, "verbosity: 2 (info)\n");
	ck_assert_int_eq(log_verbosity(), 2);
	ck_assert_int_eq(run("stop", &reply, &stop), 0);
	ck_assert(stop);
	ck_assert(!fake.stopped);   /* control.c stops the daemon once the reply is out */
}
END_TEST

/* ---- the socket ---- */

static char socket_path[100];

static int
connect_to(const char *path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends request on a new connection and drives base until the reply is whole. */
static char *
exchange(struct event_base *base, const char *request)
{
	static char reply[4096];
	int fd = connect_to(socket_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	size_t used = 0;
	for (int i = 0; i < 2000; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		ssize_t n = recv(fd, reply + used, sizeof reply - used - 1, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			used += (size_t)n;
		struct timespec pause = { 0, 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	reply[used] = '\0';
	close(fd);
	return reply;
}

START_TEST(test_socket_round_trip)
{
	snprintf(socket_path, sizeof socket_path, "%s/zoned.ctl", directory);
	struct config_control settings = { .given = true, .path = socket_path, .perm = 0640,
		.owner = -1, .group = -1 };
	/* A socket nobody answers on (a dead daemon's) is replaced. */
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path);
	ck_assert_int_eq(bind(stale, (struct sockaddr *)&address, sizeof address), 0);
	close(stale);
	struct control *control = NULL;
	ck_assert_int_eq(control_open(&settings, quiet_log, &control), 0);
	ck_assert_ptr_nonnull(control);
	struct stat st;
	ck_assert_int_eq(stat(socket_path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	/* A second one does not take a socket that is answered on. */
	struct control *second = NULL;
	ck_assert_int_eq(control_open(&settings, quiet_log, &second), ZONED_EEXIST);
	ck_assert_ptr_null(second);

	struct event_base *base = event_base_new();
	struct control_daemon daemon = fake_control_daemon();
	ck_assert_int_eq(control_start(control, base, &daemon), 0);
	char *reply = exchange(base, "zonestatus b.test\n");
	ck_assert_msg(strstr(reply, "serial: 1\n") != NULL, "%s", reply);
	ck_assert_msg(strcmp(reply + strlen(reply) - 9, "status 0\n") == 0, "%s", reply);
	reply = exchange(base, "zonestatus nope.test\r\n");
	ck_assert_str_eq(reply, "unknown zone nope.test: not served\nstatus 1\n");
	reply = exchange(base, "bogus\n");
	ck_assert_str_eq(reply, "unknown command 'bogus'\nstatus 1\n");
	char long_line[CONTROL_REQUEST_MAX + 2];
	memset(long_line, 'x', sizeof long_line - 1);
	long_line[sizeof long_line - 1] = '\0';
	reply = exchange(base, long_line);
	ck_assert_str_eq(reply, "request longer than 1023 octets\nstatus 1\n");
	reply = exchange(base, "stop\n");
	ck_assert_str_eq(reply, "stopping\nstatus 0\n");
	ck_assert(fake.stopped);
	control_free(control);
	ck_assert_int_eq(stat(socket_path, &st), -1);   /* removed at exit */
	event_base_free(base);
}
END_TEST

START_TEST(test_socket_not_a_socket_and_disabled)
{
	snprintf(socket_path, sizeof socket_path, "%s/plain", directory);
	FILE *file = fopen(socket_path, "w");
	fclose(file);
	struct config_control settings = { .given = true, .path = socket_path, .perm = 0600,
		.owner = -1, .group = -1 };
	struct control *control = NULL;
	ck_assert_int_eq(control_open(&settings, quiet_log, &control), ZONED_EEXIST);
	ck_assert_ptr_null(control);
	unlink(socket_path);
	/* controls { };: no channel, no error. */
	settings.path = NULL;
	ck_assert_int_eq(control_open(&settings, quiet_log, &control), 0);
	ck_assert_ptr_null(control);
}
END_TEST

static Suite *
control_suite(void)
{
	Suite *suite = suite_create("control");
	TCase *parse = tcase_create("parse");
	tcase_add_loop_test(parse, test_parse_good, 0, sizeof good_requests / sizeof good_requests[0]);
	tcase_add_loop_test(parse, test_parse_bad, 0, sizeof bad_requests / sizeof bad_requests[0]);
	tcase_add_test(parse, test_parse_limits);
	tcase_add_test(parse, test_usage_table);
	suite_add_tcase(suite, parse);
	TCase *config = tcase_create("config");
	tcase_add_loop_test(config, test_controls_good, 0,
		sizeof good_controls / sizeof good_controls[0]);
	tcase_add_test(config, test_controls_default);
	tcase_add_loop_test(config, test_controls_bad, 0,
		sizeof bad_controls / sizeof bad_controls[0]);
	suite_add_tcase(suite, config);
	TCase *commands = tcase_create("commands");
	tcase_add_checked_fixture(commands, commands_setup, commands_teardown);
	tcase_add_test(commands, test_status_and_zonestatus);
	tcase_add_test(commands, test_reload_one_zone);
	tcase_add_test(commands, test_reload_zone_failure);
	tcase_add_test(commands, test_reconfig_new_zones_only);
	tcase_add_test(commands, test_notify_refresh_trace_stop);
	tcase_add_test(commands, test_socket_round_trip);
	tcase_add_test(commands, test_socket_not_a_socket_and_disabled);
	suite_add_tcase(suite, commands);
	return suite;
}

int
main(void)
{
	return testlib_run(control_suite());
}
