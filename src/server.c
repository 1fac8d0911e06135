/*
 * server.c: the daemon's life: start (config, first load, sockets,
 * privileges), the main thread's signals and control commands, reloads
 * built off to the side and published without locks, and the secondary
 * zones' transferred versions. The view answered from is made in
 * server_view.c, the worker threads run in server_workers.c.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/journal.h"
#include "zoned/control.h"
#include "zoned/cookie.h"
#include "zoned/diag.h"
#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/metrics_http.h"
#include "zoned/nametree.h"
#include "zoned/net.h"
#include "zoned/notify.h"
#include "zoned/notify_in.h"
#include "zoned/rrl.h"
#include "zoned/server.h"
#include "zoned/server_os.h"
#include "zoned/stats.h"
#include "zoned/tsig.h"
#include "zoned/xfr_in.h"
#include "zoned/zone_update.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

#include "server_internal.h"

/* A scrape of GET /metrics, on the main thread: the published view's counts. */
static int
server_render_metrics(void *arg, struct evbuffer *out)
{
	struct server *server = arg;
	int rc = stats_write_prometheus(server->stats, server->view->zone_stats,
		server->view->zones, out);
	if (rc == 0 && evbuffer_add_printf(out, "# HELP zoned_transfers_out Zone transfers out "
		"being sent.\n# TYPE zoned_transfers_out gauge\nzoned_transfers_out %u\n"
		"# HELP zoned_transfers_out_refused_total Transfers answered SERVFAIL because "
		"transfers-out were running.\n# TYPE zoned_transfers_out_refused_total counter\n"
		"zoned_transfers_out_refused_total %" PRIu64 "\n",
		atomic_load(&server->transfers.active),
		(uint64_t)atomic_load(&server->transfers.refused)) < 0)
		rc = ZONED_ENOMEM;
	unsigned running = 0, queued = 0;
	if (server->xfr_in != NULL)
		xfr_in_transfer_counts(server->xfr_in, &running, &queued);
	if (rc == 0 && evbuffer_add_printf(out, "# HELP zoned_transfers_in Zone transfers in "
		"being received.\n# TYPE zoned_transfers_in gauge\nzoned_transfers_in %u\n"
		"# HELP zoned_transfers_in_queued Zone transfers in waiting for transfers-in.\n"
		"# TYPE zoned_transfers_in_queued gauge\nzoned_transfers_in_queued %u\n", running,
		queued) < 0)
		rc = ZONED_ENOMEM;
	return rc;
}

/* Serves config's statistics channels (the listeners borrow its lists). */
static int
server_start_metrics(struct server *server, const struct config *config)
{
	return metrics_http_create(server->base, config->statistics_channels,
		config->statistics_channel_count, server_render_metrics, server, log_message,
		&server->metrics);
}

/* After a reload: the channels as the new config says, the old ones closed first. */
static void
server_restart_metrics(struct server *server, const struct config *config)
{
	metrics_http_free(server->metrics);
	server->metrics = NULL;
	if (server_start_metrics(server, config) != 0)
		log_message(LOG_ERR, "reload: statistics channels not served until the next reload");
}

/*
 * SIGHUP (scope all): new config, changed zones reloaded off to the side,
 * then swapped. zoned-control's reload ZONE keeps the config and loads
 * only origin; reconfig reads the config and loads only new zones.
 * Returns 0 (published; *failed zones did not load) or a negative code.
 */
static int
server_reload_scoped(struct server *server, enum control_reload scope, const uint8_t *origin,
	unsigned *failed_out)
{
	server_os_notify("RELOADING=1");
	log_message(LOG_INFO, "%s", scope == CONTROL_RELOAD_ALL ? "reloading"
		: scope == CONTROL_RELOAD_ZONE ? "reloading one zone" : "reloading the configuration");
	server->stats->reloads++;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct config *config = server->config;   /* reload ZONE: the config stays */
	if (scope != CONTROL_RELOAD_ZONE && server_config_build(server->options, &config) != 0) {
		log_message(LOG_ERR, "reload: configuration has errors, keeping the current one");
		server->stats->reload_failures++;
		server_os_notify("READY=1");
		return ZONED_EINVAL;
	}
	server_config_cookies(server, config);
	struct zoneset *zones = NULL;
	unsigned failed = 0;
	int rc = scope == CONTROL_RELOAD_ALL
		? zoneset_build(config, server->view->zones, log_message, server_os_stop_flag(),
			&zones, &failed)
		: zoneset_build_scoped(config, server->view->zones, origin, log_message,
			server_os_stop_flag(), &zones, &failed);
	server->stats->zone_load_failures += failed;
	*failed_out = failed;
	struct server_view *view = rc == 0 ? server_view_create(config, zones) : NULL;
	if (rc == ZONED_ECANCELED) {
		/* SIGTERM: the wake pipe has it, the loop stops next. */
		log_message(LOG_INFO, "reload abandoned");
		if (config != server->config)
			config_free(config);
		return rc;
	}
	if (view == NULL) {
		log_message(LOG_ERR, "reload: %s, keeping the current zones",
			zoned_strerror(rc ? rc : ZONED_ENOMEM));
		server->stats->reload_failures++;
		zoneset_free(zones);
		if (config != server->config)
			config_free(config);
		server_os_notify("READY=1");
		return rc ? rc : ZONED_ENOMEM;
	}
	if (server_prepare_rate_limit(server, config) != 0) {
		log_message(LOG_ERR, "reload: no memory for rate-limit tables: not rate limiting");
		view->net.rate_limit = NULL;
	}
	server_view_count_zones(server, view, server->view);
	if (server_view_notify_in(server, view, config) != 0)
		log_message(LOG_ERR, "reload: out of memory: NOTIFY in refused until the next reload");
	/* Queued now, sent from the loop once the new zones are published. */
	if (notify_zones(server->notify, config, server->view->zones, zones) != 0)
		log_message(LOG_ERR, "reload: out of memory for NOTIFY");
	server_publish(server, view);
	for (size_t i = 0; i < zones->zone_count; i++) {
		if (!zones->zones[i].failed)
			zone_update_prefault(zones->zones[i].zone);
	}
	if (config != server->config) {
		server_restart_metrics(server, config);
		config_free(server->config);
		server->config = config;
	}
	if (xfr_in_configure(server->xfr_in, server->config) != 0)
		log_message(LOG_ERR, "reload: out of memory for the secondary zones");
	log_message(LOG_INFO, "reload done: %zu zones, %u failed, %.3f s", zones->zone_count,
		failed, elapsed_since(&start));
	server_os_notify("READY=1");
	return 0;
}

static void
server_reload(struct server *server)
{
	unsigned failed;
	server_reload_scoped(server, CONTROL_RELOAD_ALL, NULL, &failed);
}

/* xfr_in's view of the served zones: the published set's zone at origin. */
static const struct zone *
server_secondary_current(void *arg, const uint8_t *origin)
{
	struct server *server = arg;
	const struct zoneset *set = server->view->zones;
	for (size_t i = 0; i < set->zone_count; i++) {
		if (dname_equal(set->zones[i].origin, origin))
			return set->zones[i].zone;
	}
	return NULL;
}

/* Serves zone (or the expiry placeholder) in a new view; NOTIFY out. */
static int
server_secondary_serve(struct server *server, const uint8_t *origin, struct zone *zone,
	bool failed)
{
	struct zoneset *zones = NULL;
	int rc = zoneset_replace(server->view->zones, origin, zone, failed, &zones);
	if (rc != 0)
		return rc;
	struct server_view *view = server_view_create(server->config, zones);
	if (view == NULL) {
		zoneset_free(zones);
		return ZONED_ENOMEM;
	}
	server_view_count_zones(server, view, server->view);
	if (server_view_notify_in(server, view, server->config) != 0)
		log_message(LOG_ERR, "out of memory: NOTIFY in refused until the next change");
	if (notify_zones(server->notify, server->config, server->view->zones, zones) != 0)
		log_message(LOG_ERR, "out of memory for NOTIFY");
	server_publish(server, view);
	return 0;
}

/*
 * A transferred version goes into the zone's journal like a reloaded one
 * (RFC 1995: a secondary serves IXFR to its own secondaries from it).
 * Returns the journal's file when its new step still has to be flushed to
 * disk (journal_sync()), else -1.
 */
static int
server_secondary_journal(struct server *server, const uint8_t *origin, struct zone *zone)
{
	const struct config_zone *cz = config_find_zone(server->config, origin);
	char *path = cz != NULL ? config_zone_journal_path(cz) : NULL;
	if (path == NULL)
		return -1;
	const struct zone *old = NULL;
	const struct zoneset *set = server->view->zones;
	for (size_t i = 0; i < set->zone_count; i++)
		if (dname_equal(set->zones[i].origin, origin) && !set->zones[i].failed)
			old = set->zones[i].zone;
	int unsynced = -1;
	journal_record_version_unsynced(path, config_zone_max_journal_size(server->config, cz),
		old, zone, log_message, &unsynced);
	if (journal_attach(zone, path) != 0) {
		log_message(LOG_ERR, "out of memory for the journal: IXFR answered as AXFR");
		journal_sync(unsynced, path, zone, log_message);
		unsynced = -1;
	}
	free(path);
	return unsynced;
}

/*
 * A secondary zone's new version (or its expiry placeholder): published
 * as a reload is, a new view sharing every other zone; then NOTIFY out
 * to its own secondaries (RFC 1996 3.5: a new serial).
 */
static int
server_secondary_publish(void *arg, const uint8_t *origin, struct zone *zone, bool failed)
{
	struct server *server = arg;
	/*
	 * The journal step is written before the version is served (an IXFR
	 * asked right after reads it), flushed to disk once served: the
	 * flush took 0.6-1.4 ms of a 1-record IXFR into the 1M-record
	 * benchmark zone. A crash before it loses at most that step, as
	 * the zone file (saved after publishing) may lose the version: on
	 * restart journal_check() drops a journal that does not end at the
	 * zone file's serial, and the refresh transfers the version again.
	 */
	struct timespec started, journaled, passed, flushed, prefaulted;
	clock_gettime(CLOCK_MONOTONIC, &started);
	int unsynced = failed ? -1 : server_secondary_journal(server, origin, zone);
	clock_gettime(CLOCK_MONOTONIC, &journaled);
	int rc = server_secondary_serve(server, origin, zone, failed);
	clock_gettime(CLOCK_MONOTONIC, &passed);
	if (unsynced >= 0)
		journal_sync(unsynced, zone->journal_path, zone, log_message);
	clock_gettime(CLOCK_MONOTONIC, &flushed);
	if (rc == 0 && !failed)
		zone_update_prefault(zone);
	clock_gettime(CLOCK_MONOTONIC, &prefaulted);
	char name[DNAME_MAX_LENGTH * 4 + 1];
	dname_format(origin, name, sizeof name);
	if (rc == 0 && !failed)
		log_message(LOG_DEBUG, "zone %s: published (ms): journal step %.1f, served %.1f "
			"later; then the workers passed %.1f, journal flushed %.1f, prefault %.1f",
			name, 1e3 * elapsed_between(&started, &journaled),
			1e3 * elapsed_between(&journaled, &server->published_at),
			1e3 * elapsed_between(&server->published_at, &passed),
			1e3 * elapsed_between(&passed, &flushed),
			1e3 * elapsed_between(&flushed, &prefaulted));
	return rc;
}

/* A worker accepted a NOTIFY for origin: refresh it now (RFC 1996 3.11). */
static void
server_notify_received(void *arg, const uint8_t *origin, const uint32_t *serial, int primary)
{
	struct server *server = arg;
	xfr_in_notified(server->xfr_in, origin, serial, primary);
}

/* The signal handlers' wake pipe is readable: reload or stop. */
static void
on_signal(evutil_socket_t fd, short events, void *arg)
{
	struct server *server = arg;
	int signal_number = server_os_signal_take();
	if (signal_number == SIGHUP) {
		log_message(LOG_DEBUG, "SIGHUP received");
		server_reload(server);
		return;
	}
	if (signal_number == SIGUSR1) {
		log_message(LOG_INFO, "SIGUSR1 received: ignored (zoned logs to stderr or syslog, "
			"no log file to reopen)");
		return;
	}
	if (signal_number == 0)
		return;
	log_message(LOG_INFO, "%s received, stopping",
		signal_number == SIGINT ? "SIGINT" : "SIGTERM");
	server_os_notify("STOPPING=1");
	event_base_loopbreak(server->base);
}

/* What zoned-control reaches of the daemon (control.h), on the main thread. */
static const struct zoneset *
server_control_zones(void *arg)
{
	const struct server *server = arg;
	return server->view->zones;
}

static const struct config *
server_control_config(void *arg)
{
	const struct server *server = arg;
	return server->config;
}

static int
server_control_reload(void *arg, enum control_reload scope, const uint8_t *origin,
	unsigned *failed)
{
	return server_reload_scoped(arg, scope, origin, failed);
}

/* zoned-control refresh / retransfer ZONE: xfr_in's, for a secondary zone. */
static int
server_control_transfer(void *arg, const struct zoneset_zone *zone, bool full,
	struct evbuffer *out)
{
	struct server *server = arg;
	int rc = full ? xfr_in_retransfer(server->xfr_in, zone->origin)
		: xfr_in_refresh(server->xfr_in, zone->origin);
	if (rc != 0) {
		evbuffer_add_printf(out, "zone %s is not a secondary zone\n", zone->name);
		return 1;
	}
	log_message(LOG_INFO, "zone %s: %s requested by zoned-control", zone->name,
		full ? "retransfer" : "refresh");
	evbuffer_add_printf(out, "zone %s: %s started\n", zone->name,
		full ? "retransfer (AXFR)" : "refresh");
	return 0;
}

/* zoned-control stop: as SIGTERM. */
static void
server_control_stop(void *arg)
{
	struct server *server = arg;
	log_message(LOG_INFO, "stop requested by zoned-control, stopping");
	server_os_notify("STOPPING=1");
	event_base_loopbreak(server->base);
}

static int
server_start_control(struct server *server)
{
	const struct control_daemon daemon = {
		.arg = server,
		.zones = server_control_zones,
		.config = server_control_config,
		.write_stats = server_render_metrics,
		.reload = server_control_reload,
		.transfer = server_control_transfer,
		.stop = server_control_stop,
		.notify = server->notify,
		.stats = server->stats,
		.workers = server->worker_count,
		.verbosity = server->options->verbosity,
	};
	return control_start(server->control, server->base, &daemon);
}

static void
server_free(struct server *server)
{
	for (unsigned i = 0; server->workers != NULL && i < server->worker_count; i++)
		server_worker_cleanup(&server->workers[i]);
	free(server->workers);
	size_t cells = server->listen_count * server->worker_count;
	server_close_fds(server->udp_fds, cells);
	server_close_fds(server->tcp_fds, cells);
	free(server->udp_fds);
	free(server->tcp_fds);
	free(server->listens);
	xfr_in_free(server->xfr_in);
	notify_free(server->notify);
	metrics_http_free(server->metrics);
	control_free(server->control);
	server_view_free(server->view, server->stats);
	stats_free(server->stats);
	config_free(server->config);
	notify_in_free(server->notify_in);
	if (server->base != NULL)
		event_base_free(server->base);
	if (server->pid_file != NULL) {
		/* Unlinked while still locked: a new zoned cannot lose its file to us. */
		unlink(server->pid_file);
		free(server->pid_file);
	}
	if (server->pid_fd >= 0)
		close(server->pid_fd);
}

/*
 * Locks the pid file (-P, else pid-file) before anything slow: a second
 * zoned with the same pid file stops here, at once, with the first one's
 * pid. The pid is written later, once daemonized.
 */
static int
server_lock_pid_file(struct server *server)
{
	const char *path = server->options->pid_file ? server->options->pid_file
		: server->config->pid_file;
	if (path == NULL)
		return 0;
	/* Absolute: the unlink at exit comes after -d changed to "/". */
	server->pid_file = server_os_absolute_path(path);
	if (server->pid_file == NULL)
		return ZONED_ENOMEM;
	long holder = 0;
	server->pid_fd = server_os_lock_pid_file(server->pid_file, &holder);
	if (server->pid_fd >= 0) {
		log_message(LOG_DEBUG, "pid file %s locked", server->pid_file);
		return 0;
	}
	if (errno == EWOULDBLOCK)
		log_message(LOG_ERR, "pid file %s is locked: another zoned (pid %ld) is running "
			"with it; not starting a second one", path, holder);
	else
		log_message(LOG_ERR, "cannot open pid file %s: %s", path, strerror(errno));
	free(server->pid_file);
	server->pid_file = NULL;   /* not ours: the other zoned's file stays */
	return ZONED_EEXIST;
}

/*
 * Loads the config and every zone: the config must work, a zone that does
 * not load is served as a failed zone (SERVFAIL).
 */
static int
server_load(struct server *server)
{
	if (server_config_build(server->options, &server->config) != 0)
		return ZONED_EINVAL;
	if (server_lock_pid_file(server) != 0)
		return ZONED_EEXIST;
	if (cookie_secret_random(server->cookie_secret) != 0) {
		log_message(LOG_ERR, "no random octets for the cookie secret: %s", strerror(errno));
		return ZONED_EIO;
	}
	server_config_cookies(server, server->config);
	/* Two writers per worker: its event thread (TCP) and its UDP thread. */
	server->stats = stats_create(2 * server->worker_count);
	if (server->stats == NULL)
		return ZONED_ENOMEM;
	struct zoneset *zones = NULL;
	unsigned failed = 0;
	int rc = zoneset_build(server->config, NULL, log_message, server_os_stop_flag(), &zones,
		&failed);
	if (rc != 0)
		return rc;
	zoneset_check_journals(zones, log_message);
	/* As BIND: the others are served, a failed one answers SERVFAIL until a reload loads it. */
	server->stats->zone_load_failures += failed;
	if (failed > 0)
		log_message(LOG_ERR, "%u of %zu zones not loaded: they answer SERVFAIL until "
			"a reload loads them", failed, zones->zone_count);
	server->view = server_view_create(server->config, zones);
	if (server->view == NULL) {
		zoneset_free(zones);
		return ZONED_ENOMEM;
	}
	server_view_count_zones(server, server->view, NULL);
	atomic_init(&server->published, &server->view->net);
	atomic_init(&server->epoch, 0);
	return 0;
}

/* Daemonizes, writes the pid file and drops privileges, in that order. */
static int
server_detach(struct server *server)
{
	const struct server_options *options = server->options;
	if (options->daemonize) {
		if (server_os_daemonize() != 0) {
			log_message(LOG_ERR, "cannot daemonize: %s", strerror(errno));
			return ZONED_EIO;
		}
		server->daemonized = true;
		log_setup(options->verbosity, true);
	}
	if (server->pid_fd >= 0 && server_os_write_pid_file(server->pid_fd) != 0) {
		log_message(LOG_ERR, "cannot write pid file %s: %s", server->pid_file, strerror(errno));
		return ZONED_EIO;
	}
	if (options->user != NULL && server_os_drop_privileges(options->user) != 0)
		return ZONED_EINVAL;
	server_os_raise_file_limit();
	return 0;
}

/*
 * The main thread's loop: signals only; returns at SIGTERM or SIGINT. The
 * handlers were installed before the first load (server_os_signals_open):
 * a SIGHUP that came during it is still in the pipe and reloads now.
 */
static int
server_serve(struct server *server)
{
	int rc = 0;
	struct event *wake = event_new(server->base, server->signal_fd, EV_READ | EV_PERSIST,
		on_signal, server);
	if (wake == NULL || event_add(wake, NULL) < 0)
		rc = ZONED_ENOMEM;
	if (rc == 0)
		rc = server_start_workers(server);
	if (rc == 0) {
		log_message(LOG_INFO, "serving %zu zones on %zu addresses with %u threads",
			server->view->zones->zone_count, server->listen_count, server->worker_count);
		/* Type=notify: ready only now that every zone and socket is in place. */
		char state[64];
		snprintf(state, sizeof state, "READY=1\nMAINPID=%ld", (long)getpid());
		server_os_notify(state);
		if (notify_zones(server->notify, server->config, NULL, server->view->zones) != 0)
			log_message(LOG_ERR, "out of memory for NOTIFY");
		event_base_dispatch(server->base);
	}
	/* A second SIGTERM while stopping only sets the flag again. */
	server_stop_workers(server);
	if (wake != NULL)
		event_free(wake);
	return rc;
}

/*
 * A copy of options with the config and -z paths made absolute, so that
 * reloads find them after -d changed to "/". Returns 0 or ZONED_ENOMEM.
 */
static int
server_options_resolve(const struct server_options *options, struct server_options *out,
	char ***owned)
{
	*out = *options;
	size_t count = options->zone_count + 1;
	char **strings = calloc(count + 1, sizeof *strings);
	if (strings == NULL)
		return ZONED_ENOMEM;
	*owned = strings;
	if (options->config_path != NULL) {
		strings[0] = server_os_absolute_path(options->config_path);
		if (strings[0] == NULL)
			return ZONED_ENOMEM;
		out->config_path = strings[0];
	}
	out->zones = (const char *const *)(strings + 1);
	for (size_t i = 0; i < options->zone_count; i++) {
		const char *arg = options->zones[i];
		const char *colon = strchr(arg, ':');
		char *path = colon ? server_os_absolute_path(colon + 1) : NULL;
		size_t length = strlen(arg) + (path ? strlen(path) : 0) + 2;
		strings[i + 1] = malloc(length);
		if (strings[i + 1] == NULL) {
			free(path);
			return ZONED_ENOMEM;
		}
		if (path != NULL && colon[1] != '\0')
			snprintf(strings[i + 1], length, "%.*s:%s", (int)(colon - arg), arg, path);
		else
			snprintf(strings[i + 1], length, "%s", arg);  /* reported when used */
		free(path);
	}
	return 0;
}

static void
server_options_free(char **owned, size_t zone_count)
{
	for (size_t i = 0; owned != NULL && i <= zone_count; i++)
		free(owned[i]);
	free(owned);
}

int
server_run(const struct server_options *given)
{
	struct server_options resolved;
	char **owned = NULL;
	if (server_options_resolve(given, &resolved, &owned) != 0) {
		server_options_free(owned, given->zone_count);
		fprintf(stderr, "zoned: out of memory\n");
		return EXIT_FAILURE;
	}
	const struct server_options *options = &resolved;
	log_setup(options->verbosity, false);
	evthread_use_pthreads();
	signal(SIGPIPE, SIG_IGN);
	struct server server = { .options = options, .pid_fd = -1 };
	server.worker_count = options->threads ? options->threads : server_os_cpu_count();
	server_os_notify_open();
	/* Before the first load: SIGTERM then abandons it, SIGHUP waits for serving. */
	server.signal_fd = server_os_signals_open();
	if (server.signal_fd < 0) {
		log_message(LOG_ERR, "cannot install signal handlers: %s", strerror(errno));
		server_os_notify_close();
		server_options_free(owned, given->zone_count);
		return EXIT_FAILURE;
	}
	int rc = server_load(&server);
	if (rc == ZONED_ECANCELED || (rc == 0 && *server_os_stop_flag() != 0)) {
		log_message(LOG_INFO, "%s received while loading zones, stopping",
			*server_os_stop_flag() == SIGINT ? "SIGINT" : "SIGTERM");
		rc = ZONED_ECANCELED;
	}
	if (rc == 0)
		rc = server_open_sockets(&server);
	if (rc == 0)   /* before privileges are dropped, as the DNS sockets */
		rc = control_open(&server.config->control, log_message, &server.control);
	if (rc == 0)
		rc = server_detach(&server);
	if (rc == 0) {
		server.base = event_base_new();
		server.notify = server.base ? notify_create(server.base, log_message) : NULL;
		struct xfr_in_hooks hooks = { server_secondary_current, server_secondary_publish,
			&server };
		server.xfr_in = server.base ? xfr_in_create(server.base, log_message, &hooks) : NULL;
		server.notify_in = server.base ? notify_in_create(server.base,
			server_notify_received, &server) : NULL;
		rc = server.notify == NULL || server.xfr_in == NULL || server.notify_in == NULL
			|| server_view_notify_in(&server, server.view, server.config) != 0
			|| xfr_in_configure(server.xfr_in, server.config) != 0
			? ZONED_ENOMEM : server_setup_workers(&server);
	}
	if (rc == 0)
		rc = server_start_metrics(&server, server.config);
	if (rc == 0)
		rc = server_start_control(&server);
	if (rc == 0)
		rc = server_serve(&server);
	server_free(&server);
	server_os_notify_close();
	server_options_free(owned, given->zone_count);
	if (rc == ZONED_ECANCELED)
		rc = 0;   /* asked to stop: not a failure */
	if (rc == 0)
		log_message(LOG_INFO, "stopped");
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
server_check(const struct server_options *options)
{
	log_setup(options->verbosity, false);
	struct config *config = NULL;
	if (server_config_build(options, &config) != 0)
		return EXIT_FAILURE;
	struct zoneset *zones = NULL;
	unsigned failed = 0;
	/* No handlers here: SIGTERM ends zoned -C at once, as any command. */
	/* Every zone is loaded, so that every error shows, not only the first zone's. */
	int rc = zoneset_build(config, NULL, log_message, NULL, &zones, &failed);
	if (rc == 0 && failed == 0)
		log_message(LOG_INFO, "configuration and %zu zones OK", zones->zone_count);
	else if (rc == 0)
		log_message(LOG_ERR, "%u of %zu zones not loaded", failed, zones->zone_count);
	zoneset_free(zones);
	config_free(config);
	return rc == 0 && failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
