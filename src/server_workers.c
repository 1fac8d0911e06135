/*
 * server_workers.c: the daemon's worker threads: each a libevent base for
 * TCP and a UDP thread (net_udp.c) on its own SO_REUSEPORT sockets; their
 * start, shutdown with the TCP answers drained, and the publication of a
 * new view, which waits until no worker still reads the one before.
 */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/net.h"
#include "zoned/rrl.h"
#include "zoned/stats.h"
#include "zoned/tsig.h"

#include "server_internal.h"

#define SERVER_DRAIN_SECONDS 2          /* TCP answers still going out at stop */

static void
on_worker_wake(evutil_socket_t fd, short events, void *arg)
{
	struct server_worker *worker = arg;
	net_worker_quiesce(&worker->net);
}

/*
 * Publishes next and waits until no worker can still be reading the
 * previous view: each worker passes a quiescent point after every batch,
 * and idle workers are woken to pass one now.
 */
void
server_publish(struct server *server, struct server_view *next)
{
	atomic_store_explicit(&server->published, &next->net, memory_order_release);
	clock_gettime(CLOCK_MONOTONIC, &server->published_at);
	uint64_t target = atomic_fetch_add_explicit(&server->epoch, 1,
		memory_order_acq_rel) + 1;
	for (unsigned i = 0; i < server->worker_count; i++) {
		if (server->workers[i].started)
			event_active(server->workers[i].wake, EV_TIMEOUT, 0);
	}
	for (unsigned i = 0; i < server->worker_count; i++) {
		struct server_worker *w = &server->workers[i];
		while (w->started && !net_worker_passed(&w->net, target)) {
			struct timespec pause = { 0, 100 * 1000 };
			nanosleep(&pause, NULL);
		}
	}
	struct server_view *previous = server->view;
	server->view = next;
	server_view_free(previous, server->stats);
}

/*
 * Gives each worker its rate-limit table, before a view that uses it is
 * published. A table is kept for good: reloads change the settings, not
 * the table. Returns 0 or ZONED_ENOMEM.
 */
int
server_prepare_rate_limit(struct server *server, const struct config *config)
{
	if (config->rate_limit == NULL)
		return 0;
	size_t entries = rrl_worker_entries(config->rate_limit, server->worker_count);
	for (unsigned i = 0; i < server->worker_count; i++) {
		struct net_worker *worker = &server->workers[i].net;
		if (worker->rrl == NULL)
			worker->rrl = rrl_table_create(entries, log_message);
		if (worker->rrl == NULL)
			return ZONED_ENOMEM;
	}
	return 0;
}

static void
on_worker_drain(evutil_socket_t fd, short events, void *arg)
{
	struct server_worker *worker = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (worker->net.tcp_connection_count == 0 || now.tv_sec >= worker->drain_deadline.tv_sec)
		event_base_loopbreak(worker->net.base);
}

/* Shutdown, in the worker: stop reading, let written answers go out. */
static void
on_worker_stop(evutil_socket_t fd, short events, void *arg)
{
	struct server_worker *worker = arg;
	net_udp_worker_stop(&worker->net);
	for (size_t i = 0; i < worker->socket_count; i++)
		net_tcp_stop(worker->tcp[i]);
	net_tcp_worker_drain(&worker->net);
	net_worker_quiesce(&worker->net);
	clock_gettime(CLOCK_MONOTONIC, &worker->drain_deadline);
	worker->drain_deadline.tv_sec += SERVER_DRAIN_SECONDS;
	struct timeval poll = { 0, 20 * 1000 };
	event_add(worker->drain, &poll);
	on_worker_drain(-1, 0, worker);
}

static void *
server_worker_main(void *arg)
{
	struct server_worker *worker = arg;
	event_base_loop(worker->net.base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* Builds one worker's base and transports over its share of the sockets. */
static int
server_worker_init(struct server *server, struct server_worker *worker, unsigned id)
{
	worker->server = server;
	worker->net.id = id;
	worker->net.view = &server->published;
	worker->net.global_epoch = &server->epoch;
	worker->net.stats = &server->stats->workers[id];
	/* The UDP thread's counters follow the event threads' (stats_create). */
	worker->net.udp_stats = &server->stats->workers[server->worker_count + id];
	atomic_init(&worker->net.udp_quiescent_epoch, NET_EPOCH_OFFLINE);
	worker->net.transfers = &server->transfers;
	atomic_init(&worker->net.quiescent_epoch, 0);
	/* The cap is shared out: each worker counts only its own connections. */
	unsigned cap = server->config->tcp_clients / server->worker_count;
	worker->net.tcp_max_connections = cap > 0 ? cap : 1;
	unsigned idle_ms = server->config->tcp_idle_timeout * 100;
	worker->net.tcp_idle_timeout.tv_sec = idle_ms / 1000;
	worker->net.tcp_idle_timeout.tv_usec = (idle_ms % 1000) * 1000;
	worker->net.base = event_base_new();
	worker->net.tsig = tsig_context_create();
	if (worker->net.base == NULL || worker->net.tsig == NULL
		|| net_tcp_worker_init(&worker->net) != 0)
		return ZONED_ENOMEM;
	worker->wake = event_new(worker->net.base, -1, 0, on_worker_wake, worker);
	worker->stop = event_new(worker->net.base, -1, 0, on_worker_stop, worker);
	worker->drain = event_new(worker->net.base, -1, EV_PERSIST, on_worker_drain, worker);
	worker->udp = calloc(server->listen_count + 1, sizeof *worker->udp);
	worker->tcp = calloc(server->listen_count + 1, sizeof *worker->tcp);
	if (!worker->wake || !worker->stop || !worker->drain || !worker->udp || !worker->tcp)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < server->listen_count; i++) {
		size_t slot = id * server->listen_count + i;
		worker->udp[i] = net_udp_create(&worker->net, server->udp_fds[slot]);
		server->udp_fds[slot] = -1;
		worker->tcp[i] = net_tcp_create(&worker->net, server->tcp_fds[slot]);
		server->tcp_fds[slot] = -1;
		worker->socket_count = i + 1;
		if (worker->udp[i] == NULL || worker->tcp[i] == NULL)
			return ZONED_ENOMEM;
	}
	return 0;
}

void
server_worker_cleanup(struct server_worker *worker)
{
	net_udp_worker_stop(&worker->net);
	for (size_t i = 0; i < worker->socket_count; i++) {
		net_udp_free(worker->udp[i]);
		net_tcp_free(worker->tcp[i]);
	}
	free(worker->udp);
	free(worker->tcp);
	rrl_table_free(worker->net.rrl);
	tsig_context_free(worker->net.tsig);
	if (worker->net.base != NULL)
		net_tcp_worker_cleanup(&worker->net);
	if (worker->wake)
		event_free(worker->wake);
	if (worker->stop)
		event_free(worker->stop);
	if (worker->drain)
		event_free(worker->drain);
	if (worker->net.base)
		event_base_free(worker->net.base);
}

/* Starts the workers with the daemon's signals blocked: only main gets them. */
int
server_start_workers(struct server *server)
{
	sigset_t block, saved;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, &saved);
	int rc = 0;
	for (unsigned i = 0; i < server->worker_count && rc == 0; i++) {
		struct server_worker *w = &server->workers[i];
		if (pthread_create(&w->thread, NULL, server_worker_main, w) != 0) {
			log_message(LOG_ERR, "cannot start worker thread %u: %s", i, strerror(errno));
			rc = ZONED_ENOMEM;
			break;
		}
		w->started = true;
		rc = net_udp_worker_start(&w->net, w->udp, w->socket_count);
		if (rc != 0)
			log_message(LOG_ERR, "cannot start worker %u's UDP thread", i);
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return rc;
}

/* Asks every worker to finish and waits for it. */
void
server_stop_workers(struct server *server)
{
	for (unsigned i = 0; i < server->worker_count; i++) {
		if (server->workers[i].started)
			event_active(server->workers[i].stop, EV_TIMEOUT, 0);
	}
	for (unsigned i = 0; i < server->worker_count; i++) {
		if (server->workers[i].started)
			pthread_join(server->workers[i].thread, NULL);
		server->workers[i].started = false;
	}
}

/*
 * Binds one UDP and one TCP socket per worker for listen, into column
 * index of the fd tables. Returns 0, 1 when an implicit default address is
 * unavailable (skipped), or -1 with the reason logged.
 */
static int
server_bind_listen(struct server *server, const struct config_listen *listen, size_t index,
	size_t columns)
{
	const struct sockaddr *sa = (const struct sockaddr *)&listen->address;
	for (unsigned w = 0; w < server->worker_count; w++) {
		for (int pass = 0; pass < 2; pass++) {
			int type = pass == 0 ? SOCK_DGRAM : SOCK_STREAM;
			int fd = net_socket_open(sa, listen->address_length, type);
			if (fd >= 0) {
				int *table = pass == 0 ? server->udp_fds : server->tcp_fds;
				table[w * columns + index] = fd;
				continue;
			}
			/* ::1 may be missing (no IPv6): skip the default quietly. */
			if (listen->implicit && (fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT)) {
				log_message(LOG_INFO, "not listening on %s: %s", listen->text,
					strerror(-fd));
				return 1;
			}
			log_message(LOG_ERR, "cannot listen on %s port %u (%s): %s", listen->text,
				config_listen_port(listen), pass == 0 ? "UDP" : "TCP", strerror(-fd));
			return -1;
		}
	}
	return 0;
}

/*
 * Before any socket of ours is bound: is each address free for UDP and
 * TCP? With SO_REUSEPORT a second zoned would silently share the port.
 * Other failures are left to the real bind, which reports them. Returns
 * 0, or -1 with the reason logged.
 */
static int
server_probe_listens(const struct config *config)
{
	for (size_t i = 0; i < config->listen_count; i++) {
		const struct config_listen *listen = &config->listens[i];
		if (config_listen_port(listen) == 0)
			continue;   /* each socket gets its own port: nothing to share */
		for (int pass = 0; pass < 2; pass++) {
			int rc = net_socket_probe((const struct sockaddr *)&listen->address,
				listen->address_length, pass == 0 ? SOCK_DGRAM : SOCK_STREAM);
			if (rc != -EADDRINUSE)
				continue;
			log_message(LOG_ERR, "cannot listen on %s port %u (%s): %s: another "
				"process (another zoned?) is serving it", listen->text,
				config_listen_port(listen), pass == 0 ? "UDP" : "TCP",
				strerror(EADDRINUSE));
			return -1;
		}
	}
	return 0;
}

void
server_close_fds(int *fds, size_t count)
{
	for (size_t i = 0; fds != NULL && i < count; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

/* Binds every configured address before privileges are dropped. */
int
server_open_sockets(struct server *server)
{
	const struct config *config = server->config;
	size_t columns = config->listen_count;
	size_t cells = columns * server->worker_count;
	server->udp_fds = malloc((cells ? cells : 1) * sizeof *server->udp_fds);
	server->tcp_fds = malloc((cells ? cells : 1) * sizeof *server->tcp_fds);
	server->listens = calloc(columns ? columns : 1, sizeof *server->listens);
	if (!server->udp_fds || !server->tcp_fds || !server->listens)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < cells; i++)
		server->udp_fds[i] = server->tcp_fds[i] = -1;
	if (server_probe_listens(config) != 0)
		return ZONED_EIO;
	for (size_t i = 0; i < columns; i++) {
		int rc = server_bind_listen(server, &config->listens[i], server->listen_count,
			columns);
		if (rc < 0)
			return ZONED_EIO;
		if (rc == 0)
			server->listens[server->listen_count++] = config->listens[i];
		if (rc == 0)
			log_message(LOG_DEBUG, "bound %s port %u: a UDP and a TCP socket for each of "
				"%u workers (SO_REUSEPORT)", config->listens[i].text,
				config_listen_port(&config->listens[i]), server->worker_count);
	}
	if (server->listen_count == 0) {
		log_message(LOG_ERR, "no address to listen on");
		return ZONED_EIO;
	}
	/* Pack the columns of the bound addresses for the workers. */
	for (unsigned w = 0; w < server->worker_count; w++) {
		for (size_t i = 0; i < server->listen_count; i++) {
			server->udp_fds[w * server->listen_count + i] = server->udp_fds[w * columns + i];
			server->tcp_fds[w * server->listen_count + i] = server->tcp_fds[w * columns + i];
		}
	}
	return 0;
}

int
server_setup_workers(struct server *server)
{
	server->workers = calloc(server->worker_count, sizeof *server->workers);
	if (server->workers == NULL)
		return ZONED_ENOMEM;
	for (unsigned i = 0; i < server->worker_count; i++) {
		int rc = server_worker_init(server, &server->workers[i], i);
		if (rc != 0) {
			log_message(LOG_ERR, "cannot set up worker %u: %s", i, zoned_strerror(rc));
			return rc;
		}
	}
	if (server_prepare_rate_limit(server, server->config) != 0) {
		log_message(LOG_ERR, "no memory for the rate-limit tables");
		return ZONED_ENOMEM;
	}
	return 0;
}
