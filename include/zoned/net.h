/*
 * net.h: the transports of one worker (TCP on its own libevent base, UDP
 * on a thread of its own that blocks in recvmmsg), and the lock-free
 * handshake with which they read the zone set that the server swaps on
 * reload.
 */
#ifndef ZONED_NET_H
#define ZONED_NET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "zoned/answer.h"

struct acl;
struct event_base;
struct net_tcp_connection;
struct net_udp_thread;
struct rrl_config;
struct rrl_table;
struct stats_worker;
struct stats_zone_table;
struct tsig_context;
struct zonedb;

/* Everything an answer depends on, published and retired as one. */
struct net_view {
	const struct zonedb *db;
	struct answer_settings settings;
	const struct rrl_config *rate_limit;  /* NULL: no rate-limit (UDP only) */
	const struct acl *blackhole;          /* no response at all to these; NULL: none */
	const struct stats_zone_table *zone_stats;  /* per-zone query counters; NULL: none */
	/* Zone transfers out: transfers-out (0: no limit), and the time one may
	 * go without progress or take in all (max-transfer-idle-out, -time-out;
	 * 0: no limit). Taken when a transfer starts. */
	unsigned transfers_out;
	struct timeval transfer_idle;
	struct timeval transfer_time;
};

/* The zone transfers out of every worker, for transfers-out; the server's. */
struct net_transfers {
	_Atomic unsigned active;              /* streaming now */
	_Atomic uint64_t refused;             /* answered SERVFAIL over transfers-out */
};

#define NET_UDP_BATCH 32                      /* datagrams per recvmmsg */
#define NET_UDP_MAX_RESPONSE 4096             /* largest EDNS size we honour */

/* A UDP thread's quiescent_epoch while it holds no view (blocked in recvmmsg). */
#define NET_EPOCH_OFFLINE UINT64_MAX

/*
 * One worker: an event thread (TCP, timers) and a UDP thread. The server
 * fills in the first block; the transports own the rest. Quiescent-state
 * reclamation: before each batch a thread reads *view; after it, it copies
 * *global_epoch to its quiescent epoch. A view retired when the global
 * epoch was raised to E can be freed once net_worker_passed(worker, E) for
 * every worker. The UDP thread, which cannot be woken to pass a quiescent
 * point, instead stores NET_EPOCH_OFFLINE while blocked (net_udp.c).
 */
struct net_worker {
	unsigned id;
	struct event_base *base;
	struct net_view *_Atomic *view;
	_Atomic uint64_t *global_epoch;
	_Atomic uint64_t quiescent_epoch;       /* the event thread's */
	_Atomic uint64_t udp_quiescent_epoch;   /* the UDP thread's; NET_EPOCH_OFFLINE: none */
	struct stats_worker *udp_stats;         /* the UDP thread's counters; NULL: none */
	unsigned tcp_max_connections;          /* for this worker */
	struct timeval tcp_idle_timeout;

	/* TCP state, owned by net_tcp.c. Least recently active first. */
	struct net_tcp_connection *tcp_oldest;
	struct net_tcp_connection *tcp_newest;
	unsigned tcp_connection_count;
	bool stopping;
	uint8_t *tcp_response;                 /* 2 + 65535 octets */

	/* Rate limiting accounts, this worker's UDP thread's alone (no locks);
	 * set by the server before any view with a rate_limit is published. */
	struct rrl_table *rrl;
	struct stats_worker *stats;            /* this worker's counters (stats.h); NULL: none */

	struct net_transfers *transfers;       /* shared by every worker; NULL: no limit */

	/* HMAC state for signed queries (zoned/tsig.h), the event thread's
	 * alone (the UDP thread has its own). */
	struct tsig_context *tsig;

	struct net_udp_thread *udp_thread;     /* owned by net_udp.c; NULL: not running */
};

/* The view to answer a batch from (acquire: the zones are complete). */
static inline const struct net_view *
net_worker_enter(struct net_worker *worker)
{
	return atomic_load_explicit(worker->view, memory_order_acquire);
}

/* Publishes that this worker holds no view any more (end of a batch). */
static inline void
net_worker_quiesce(struct net_worker *worker)
{
	uint64_t epoch = atomic_load_explicit(worker->global_epoch, memory_order_acquire);
	atomic_store_explicit(&worker->quiescent_epoch, epoch, memory_order_release);
}

/*
 * Whether worker can no longer hold a view retired at epoch target: its
 * event thread passed a quiescent point since, and its UDP thread did too
 * or is offline. For the publisher, after raising the epoch.
 */
static inline bool
net_worker_passed(struct net_worker *worker, uint64_t target)
{
	/* Pairs with the UDP thread's fence between going online and reading
	 * the view: either it reads the new view or we see it online. */
	atomic_thread_fence(memory_order_seq_cst);
	return atomic_load_explicit(&worker->quiescent_epoch, memory_order_acquire) >= target
		&& atomic_load_explicit(&worker->udp_quiescent_epoch, memory_order_acquire) >= target;
}

/*
 * Opens a nonblocking socket of type (SOCK_DGRAM or SOCK_STREAM) bound to
 * address with SO_REUSEPORT, so that every worker can have its own; TCP
 * sockets are listening. Returns the descriptor, or -errno.
 */
int net_socket_open(const struct sockaddr *address, socklen_t length, int type);

/*
 * Checks that no socket of another process is bound to address: binds a
 * socket of type there without SO_REUSEPORT and closes it. The kernel
 * would otherwise let a second zoned (same user) share the port through
 * SO_REUSEPORT and take part of the queries. Returns 0 (free), or -errno
 * (-EADDRINUSE: taken). Call before net_socket_open binds ours.
 */
int net_socket_probe(const struct sockaddr *address, socklen_t length, int type);

struct net_udp;

/*
 * Prepares the bound UDP socket fd for worker: preallocated buffers for
 * recvmmsg batches answered with one sendmmsg. Takes ownership of fd.
 * Returns NULL when out of memory (fd is closed then). Served once
 * net_udp_worker_start() runs.
 */
struct net_udp *net_udp_create(struct net_worker *worker, int fd);

/*
 * Starts worker's UDP thread over its count sockets (of net_udp_create):
 * with one socket it sleeps in a blocking recvmmsg, with several in poll.
 * Call with the daemon's signals blocked (the thread inherits the mask).
 * Returns 0, or ZONED_ENOMEM (no thread, nothing to stop).
 */
int net_udp_worker_start(struct net_worker *worker, struct net_udp *const *sockets,
	size_t count);

/*
 * Shutdown: wakes worker's UDP thread (shutdown(2) of its sockets' read
 * side), waits for it to finish its batch (answers read are sent) and
 * frees its state. Nothing when not running: call it any number of times.
 */
void net_udp_worker_stop(struct net_worker *worker);

/* Frees udp and closes its socket (after net_udp_worker_stop). NULL is fine. */
void net_udp_free(struct net_udp *udp);

struct net_tcp;

/*
 * Accepts connections on the listening socket fd (RFC 7766: 2-octet length
 * framing, pipelined queries answered in order, idle timeout, connection
 * cap). Takes ownership of fd. Returns NULL when out of memory.
 */
struct net_tcp *net_tcp_create(struct net_worker *worker, int fd);

/* Stops accepting (shutdown). */
void net_tcp_stop(struct net_tcp *tcp);

/* Frees the listener. NULL is fine. */
void net_tcp_free(struct net_tcp *tcp);

/* Prepares the worker's TCP state. Returns 0 or ZONED_ENOMEM. */
int net_tcp_worker_init(struct net_worker *worker);

/*
 * Shutdown: stops reading on every connection, closes those with nothing
 * left to send and the others once their answers are written.
 */
void net_tcp_worker_drain(struct net_worker *worker);

/* Closes every connection and frees the worker's TCP state. */
void net_tcp_worker_cleanup(struct net_worker *worker);

#endif
