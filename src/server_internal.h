/*
 * server_internal.h: the daemon's state, shared by server.c (start,
 * signals, reloads, secondary zones, control), server_view.c (the config
 * and the view answered from) and server_workers.c (threads, sockets,
 * publication). Private to those files.
 */
#ifndef ZONED_SERVER_INTERNAL_H
#define ZONED_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/cookie.h"
#include "zoned/net.h"
#include "zoned/server.h"
#include "zoned/stats.h"
#include "zoned/tsig.h"
#include "zoned/zoneset.h"

/* One published generation: the zones and the settings answered from. */
struct server_view {
	struct net_view net;               /* first: workers see only this */
	struct zoneset *zones;
	struct acl_zone_map zone_allow_query;  /* zones with their own allow-query */
	struct stats_zone_table *zone_stats;   /* queries per zone, while published */
	struct tsig_keyring tsig_keys;     /* the config's keys, by name */
	struct acl_zone_map zone_allow_transfer;  /* ... and allow-transfer */
	struct notify_in_zones *notify_in;  /* who may NOTIFY the secondary zones */
};

struct server_worker {
	struct net_worker net;
	struct server *server;
	pthread_t thread;
	bool started;
	struct event *wake;                /* poked to publish the epoch */
	struct event *stop;                /* poked at shutdown */
	struct event *drain;               /* polls the TCP drain */
	struct timespec drain_deadline;
	struct net_udp **udp;
	struct net_tcp **tcp;
	size_t socket_count;               /* of each */
};

struct server {
	const struct server_options *options;
	struct config *config;
	struct server_view *view;
	struct net_view *_Atomic published;
	struct timespec published_at;      /* when the last view was stored (-v 3 timings) */
	_Atomic uint64_t epoch;
	struct event_base *base;
	struct notify *notify;             /* NOTIFY out, on base */
	struct xfr_in *xfr_in;             /* secondary zones' refreshes, on base */
	struct notify_in *notify_in;       /* NOTIFYs accepted by the workers, on base */
	struct server_worker *workers;
	unsigned worker_count;
	int *udp_fds;                      /* [worker * listen_count + listen] */
	int *tcp_fds;
	size_t listen_count;               /* addresses actually bound */
	struct config_listen *listens;
	bool daemonized;
	char *pid_file;                    /* absolute; NULL: none */
	int pid_fd;                        /* the pid file, locked while we run; -1: none */
	int signal_fd;                     /* server_os_signals_open's wake pipe */
	/* Without cookie-secret, server cookies are made with this: random,
	 * one per start, kept across reloads (cookies stay valid), shared by
	 * every worker. */
	uint8_t cookie_secret[COOKIE_SECRET_LENGTH];
	struct stats *stats;               /* the workers' counters and the reloads */
	struct metrics_http *metrics;      /* statistics-channels; NULL: none */
	struct control *control;           /* zoned-control's socket; NULL: none */
	struct net_transfers transfers;    /* zone transfers out, for transfers-out */
};

/* server_view.c */
int server_config_build(const struct server_options *options, struct config **out);
void server_config_cookies(const struct server *server, struct config *config);
struct server_view *server_view_create(const struct config *config, struct zoneset *zones);
void server_view_count_zones(struct server *server, struct server_view *view,
	const struct server_view *previous);
void server_view_free(struct server_view *view, struct stats *stats);
int server_view_notify_in(struct server *server, struct server_view *view,
	const struct config *config);

/* server_workers.c */
void server_publish(struct server *server, struct server_view *next);
int server_prepare_rate_limit(struct server *server, const struct config *config);
int server_open_sockets(struct server *server);
void server_close_fds(int *fds, size_t count);
int server_setup_workers(struct server *server);
int server_start_workers(struct server *server);
void server_stop_workers(struct server *server);
void server_worker_cleanup(struct server_worker *worker);

#endif
