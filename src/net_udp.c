/* net_udp.c: UDP transport: a thread per worker, recvmmsg batches in, answer_query, sendmmsg out. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/cookie.h"
#include "zoned/error.h"
#include "zoned/net.h"
#include "zoned/rrl.h"
#include "zoned/stats.h"
#include "zoned/tsig.h"

#define NET_UDP_MAX_QUERY 4096  /* larger datagrams are not DNS queries we answer */
#define NET_UDP_CONTROL 64      /* room for one IP_PKTINFO or IPV6_PKTINFO */

/* Per-socket preallocated batch: nothing is allocated per query. */
struct net_udp {
	struct net_worker *worker;
	int fd;
	int family;
	bool wildcard;           /* bound to 0.0.0.0 or ::: reply via PKTINFO */
	struct mmsghdr in[NET_UDP_BATCH];
	struct mmsghdr out[NET_UDP_BATCH];
	struct iovec in_iov[NET_UDP_BATCH];
	struct iovec out_iov[NET_UDP_BATCH];
	struct sockaddr_storage peers[NET_UDP_BATCH];
	uint8_t in_control[NET_UDP_BATCH][NET_UDP_CONTROL] __attribute__((aligned(8)));
	uint8_t out_control[NET_UDP_BATCH][NET_UDP_CONTROL] __attribute__((aligned(8)));
	uint8_t queries[NET_UDP_BATCH][NET_UDP_MAX_QUERY];
	uint8_t responses[NET_UDP_BATCH][NET_UDP_MAX_RESPONSE];
	struct answer_result result;   /* of the response being handled */
};

/*
 * A worker's UDP thread: what it alone writes while serving (its counters
 * are the worker's udp_stats, its rate-limit table the worker's rrl).
 */
struct net_udp_thread {
	struct net_worker *worker;
	pthread_t thread;
	_Atomic bool stopping;
	struct tsig_context *tsig;     /* HMAC state: TCP has the worker's */
	struct net_udp *const *sockets;
	size_t count;
	struct pollfd *polled;         /* count of them, when count > 1 */
};

static bool
net_address_is_wildcard(const struct sockaddr *address)
{
	if (address->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)address;
		return in->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	if (address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
		return IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
	}
	return false;
}

/* Asks for the destination address of each datagram on a wildcard socket. */
static int
net_socket_want_pktinfo(int fd, int family)
{
	int on = 1;
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
}

#define NET_UDP_RECEIVE_BUFFER (4 * 1024 * 1024)

int
net_socket_open(const struct sockaddr *address, socklen_t length, int type)
{
	int fd = socket(address->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int on = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	/* One socket per worker; the kernel spreads queries by 4-tuple hash. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0)
		goto fail;
	/* An IPv6 socket must not also take IPv4 traffic: 0.0.0.0 has its own. */
	if (address->sa_family == AF_INET6
	    && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		goto fail;
	if (type == SOCK_DGRAM && net_address_is_wildcard(address)
	    && net_socket_want_pktinfo(fd, address->sa_family) < 0)
		goto fail;
	/* Room for a burst: the default buffer drops a few hundred queued
	 * datagrams (valid ones with them). As root (before any privilege
	 * drop) SO_RCVBUFFORCE passes net.core.rmem_max, as NSD does;
	 * otherwise the kernel caps the request. Best effort either way. */
	int buffer_size = NET_UDP_RECEIVE_BUFFER;
	if (type == SOCK_DGRAM
	    && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_size, sizeof buffer_size) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_size, sizeof buffer_size);
	if (bind(fd, address, length) < 0)
		goto fail;
	/* SOMAXCONN: a burst of connects must not lose SYNs to a short backlog. */
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		goto fail;
	return fd;
fail:;
	int saved = errno;
	close(fd);
	return -saved;
}

int
net_socket_probe(const struct sockaddr *address, socklen_t length, int type)
{
	int fd = socket(address->sa_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int on = 1;
	int rc = 0;
	/*
	 * No SO_REUSEPORT, and for UDP no SO_REUSEADDR either (with it Linux
	 * lets two UDP sockets share a port): bound so, any socket already on
	 * address makes bind fail. For TCP, SO_REUSEADDR only passes over
	 * TIME_WAIT leftovers of a zoned that just stopped; a listener still
	 * conflicts.
	 */
	if ((type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
	    || (address->sa_family == AF_INET6
		&& setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
	    || bind(fd, address, length) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Copies the destination address of a received datagram into the reply. */
static size_t
net_udp_reply_control(struct msghdr *in, uint8_t *control)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c != NULL; c = CMSG_NXTHDR(in, c)) {
		struct cmsghdr *reply = (struct cmsghdr *)control;
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo info;
			memcpy(&info, CMSG_DATA(c), sizeof info);
			info.ipi_spec_dst = info.ipi_addr;  /* leave from the address hit */
			info.ipi_ifindex = 0;
			reply->cmsg_level = IPPROTO_IP;
			reply->cmsg_type = IP_PKTINFO;
			reply->cmsg_len = CMSG_LEN(sizeof info);
			memcpy(CMSG_DATA(reply), &info, sizeof info);
			return CMSG_SPACE(sizeof info);
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo info;
			memcpy(&info, CMSG_DATA(c), sizeof info);
			reply->cmsg_level = IPPROTO_IPV6;
			reply->cmsg_type = IPV6_PKTINFO;
			reply->cmsg_len = CMSG_LEN(sizeof info);
			memcpy(CMSG_DATA(reply), &info, sizeof info);
			return CMSG_SPACE(sizeof info);
		}
	}
	return 0;
}

/* Points the receive headers at their buffers, once: recvmmsg never changes the pointers. */
static void
net_udp_init_receive(struct net_udp *udp)
{
	for (unsigned i = 0; i < NET_UDP_BATCH; i++) {
		struct msghdr *h = &udp->in[i].msg_hdr;
		udp->in_iov[i].iov_base = udp->queries[i];
		udp->in_iov[i].iov_len = NET_UDP_MAX_QUERY;
		h->msg_name = &udp->peers[i];
		h->msg_namelen = sizeof udp->peers[i];
		h->msg_iov = &udp->in_iov[i];
		h->msg_iovlen = 1;
		h->msg_control = udp->wildcard ? udp->in_control[i] : NULL;
		h->msg_controllen = udp->wildcard ? NET_UDP_CONTROL : 0;
	}
}

/*
 * Resets what recvmmsg overwrote in the first count headers: the address and
 * control lengths (msg_flags and msg_len are outputs only). Resetting just
 * the headers used, not all NET_UDP_BATCH, took on_udp_readable's own cost
 * from 650 to 149 instructions per query, 2886 -> 2384 in all (callgrind
 * of the daemon, 30000 queries of the benchmark's mix at 3000 qps: ~1
 * datagram per recvmmsg, as at any rate below saturation).
 */
static void
net_udp_reset_receive(struct net_udp *udp, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		struct msghdr *h = &udp->in[i].msg_hdr;
		h->msg_namelen = sizeof udp->peers[i];
		h->msg_controllen = udp->wildcard ? NET_UDP_CONTROL : 0;
	}
}

/* Sends count prepared replies, retrying after partial sends. */
static void
net_udp_send(struct net_udp *udp, unsigned count)
{
	unsigned sent = 0;
	while (sent < count) {
		/* MSG_DONTWAIT: the socket blocks for recvmmsg, but a full send
		 * buffer must drop replies, not stall the thread. */
		int n = sendmmsg(udp->fd, udp->out + sent, count - sent, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN (full send buffer) or an error for one peer: drop
			 * that reply, as a lost datagram, and carry on. */
			sent++;
			continue;
		}
		sent += (unsigned)n;
	}
}

/* Answers one batch of received datagrams into the out headers. */
static unsigned
net_udp_answer_batch(struct net_udp_thread *thread, struct net_udp *udp,
	const struct net_view *view, unsigned received)
{
	unsigned replies = 0;
	uint64_t now = cookie_now();   /* once per batch: the answer core reads no clock */
	for (unsigned i = 0; i < received; i++) {
		struct msghdr *in = &udp->in[i].msg_hdr;
		if (in->msg_flags & MSG_TRUNC)
			continue;
		const struct sockaddr *client = (const struct sockaddr *)&udp->peers[i];
		/* blackhole: dropped unread, as BIND does. */
		if (view->blackhole != NULL && acl_allows(view->blackhole, client, NULL))
			continue;
		struct answer_request request = {
			.query = udp->queries[i],
			.query_length = udp->in[i].msg_len,
			.transport = ANSWER_UDP,
			.client = client,
			.now = now,
			.tsig = thread->tsig,
		};
		struct answer_result *result = &udp->result;
		size_t length = answer_query(view->db, &view->settings, &request,
			udp->responses[replies], NET_UDP_MAX_RESPONSE, result);
		/* Rate limiting decides on the response built; TCP is never limited. */
		enum rrl_action action = RRL_SEND;
		if (length != 0 && view->rate_limit != NULL)
			length = rrl_apply(udp->worker->rrl, view->rate_limit, client, result,
				udp->responses[replies], rrl_now(), &action);
		stats_count_query(udp->worker->udp_stats, view->zone_stats, &request, result,
			action);
		if (length == 0)
			continue;
		struct msghdr *out = &udp->out[replies].msg_hdr;
		memset(out, 0, sizeof *out);
		out->msg_name = &udp->peers[i];
		out->msg_namelen = in->msg_namelen;
		udp->out_iov[replies].iov_base = udp->responses[replies];
		udp->out_iov[replies].iov_len = length;
		out->msg_iov = &udp->out_iov[replies];
		out->msg_iovlen = 1;
		if (udp->wildcard) {
			size_t control = net_udp_reply_control(in, udp->out_control[replies]);
			out->msg_control = control > 0 ? udp->out_control[replies] : NULL;
			out->msg_controllen = control;
		}
		replies++;
	}
	return replies;
}

/*
 * The UDP thread's side of the quiescent-state handshake (net.h). It holds
 * no view while blocked in recvmmsg, where no event can wake it for a
 * reload: it says so with NET_EPOCH_OFFLINE and comes online before each
 * batch. The fence pairs with net_worker_passed()'s: either the publisher
 * sees this thread online (and waits for the batch) or this thread reads
 * the view published before the epoch was raised.
 */
static const struct net_view *
net_udp_thread_online(struct net_worker *worker)
{
	uint64_t epoch = atomic_load_explicit(worker->global_epoch, memory_order_acquire);
	atomic_store_explicit(&worker->udp_quiescent_epoch, epoch, memory_order_relaxed);
	atomic_thread_fence(memory_order_seq_cst);
	return net_worker_enter(worker);
}

static void
net_udp_thread_offline(struct net_worker *worker)
{
	atomic_store_explicit(&worker->udp_quiescent_epoch, NET_EPOCH_OFFLINE,
		memory_order_release);
}

/*
 * Receives one batch from udp (flags: MSG_WAITFORONE to sleep until the
 * first datagram, MSG_DONTWAIT not to), answers it and sends the replies.
 * Returns the datagrams received, 0 when none (or stopping).
 */
static unsigned
net_udp_serve_batch(struct net_udp_thread *thread, struct net_udp *udp, int flags)
{
	int received = recvmmsg(udp->fd, udp->in, NET_UDP_BATCH, flags, NULL);
	if (received <= 0) {
		/* EINTR, EAGAIN (poll: another socket's turn); anything else
		 * (ENOMEM) must not spin the thread at full speed. */
		if (received < 0 && errno != EINTR && errno != EAGAIN) {
			struct timespec pause = { 0, 1000 * 1000 };
			nanosleep(&pause, NULL);
		}
		return 0;
	}
	/* A shut-down socket returns an empty "datagram": not a query. */
	if (atomic_load_explicit(&thread->stopping, memory_order_acquire))
		return 0;
	const struct net_view *view = net_udp_thread_online(udp->worker);
	unsigned replies = net_udp_answer_batch(thread, udp, view, (unsigned)received);
	net_udp_thread_offline(udp->worker);
	net_udp_send(udp, replies);
	net_udp_reset_receive(udp, (unsigned)received);
	return (unsigned)received;
}

/*
 * Several sockets (several listen addresses): sleep in poll, then read
 * each readable one. A full batch says more datagrams are probably queued:
 * read again at once rather than through another poll (saves one poll per
 * full batch; under the benchmark's max-rate load 18% of recvmmsg calls
 * returned a full batch of 32 in the event-loop version), a bounded number
 * of times so the other sockets get their turn.
 */
#define NET_UDP_BATCHES_PER_POLL 4

static void
net_udp_poll_sockets(struct net_udp_thread *thread)
{
	if (poll(thread->polled, thread->count, -1) <= 0)
		return;  /* EINTR */
	for (size_t i = 0; i < thread->count; i++) {
		if (thread->polled[i].revents == 0)
			continue;
		for (unsigned batch = 0; batch < NET_UDP_BATCHES_PER_POLL; batch++) {
			if (net_udp_serve_batch(thread, thread->sockets[i], MSG_DONTWAIT)
				< NET_UDP_BATCH)
				break;
		}
	}
}

/*
 * The UDP thread. With one socket it sleeps in recvmmsg itself, as the
 * benchmark's echo floor (tests/bench/udp-echo.c) does: one system call
 * per batch where an event loop makes two (epoll_wait, then a nonblocking
 * recvmmsg) plus its dispatch. What it saved (zoned -t 1, the benchmark's
 * zone and query mix): system calls per query at 20k qps 0.68 -> 0.43 (3
 * -> 2 per batch, perf stat); instructions per query 2798 -> 2228
 * (callgrind, 30000 queries at 3000 qps: libevent's dispatch was ~570 of
 * them); CPU per query 0.93x (1 thread) and 0.90x (2 threads) the
 * event-loop version's, 1.06x and 0.92x the echo's, in one run of
 * tests/bench/run --parts udp --rounds 5 --baseline (medians, CPU 0 busy
 * with other jobs 59-83% of the time).
 */
static void *
net_udp_thread_main(void *arg)
{
	struct net_udp_thread *thread = arg;
	while (!atomic_load_explicit(&thread->stopping, memory_order_acquire)) {
		if (thread->count == 1)
			net_udp_serve_batch(thread, thread->sockets[0], MSG_WAITFORONE);
		else
			net_udp_poll_sockets(thread);
	}
	return NULL;
}

struct net_udp *
net_udp_create(struct net_worker *worker, int fd)
{
	struct net_udp *udp = calloc(1, sizeof *udp);
	if (udp == NULL) {
		close(fd);
		return NULL;
	}
	udp->worker = worker;
	udp->fd = fd;
	struct sockaddr_storage local;
	socklen_t length = sizeof local;
	if (getsockname(fd, (struct sockaddr *)&local, &length) == 0) {
		udp->family = local.ss_family;
		udp->wildcard = net_address_is_wildcard((struct sockaddr *)&local);
	}
	net_udp_init_receive(udp);
	return udp;
}

/* Whether fd's operations block (recvmmsg sleeps) or not (poll decides). */
static int
net_udp_set_blocking(int fd, bool blocking)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -1;
	flags = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

static void
net_udp_thread_free(struct net_udp_thread *thread)
{
	if (thread == NULL)
		return;
	tsig_context_free(thread->tsig);
	free(thread->polled);
	free(thread);
}

int
net_udp_worker_start(struct net_worker *worker, struct net_udp *const *sockets, size_t count)
{
	atomic_store_explicit(&worker->udp_quiescent_epoch, NET_EPOCH_OFFLINE,
		memory_order_release);
	if (count == 0)
		return 0;
	struct net_udp_thread *thread = calloc(1, sizeof *thread);
	if (thread == NULL)
		return ZONED_ENOMEM;
	thread->worker = worker;
	thread->sockets = sockets;
	thread->count = count;
	atomic_init(&thread->stopping, false);
	thread->tsig = tsig_context_create();
	if (count > 1)
		thread->polled = calloc(count, sizeof *thread->polled);
	if (thread->tsig == NULL || (count > 1 && thread->polled == NULL))
		goto fail;
	for (size_t i = 0; i < count; i++) {
		if (net_udp_set_blocking(sockets[i]->fd, count == 1) < 0)
			goto fail;
		if (count > 1)
			thread->polled[i] = (struct pollfd){ .fd = sockets[i]->fd, .events = POLLIN };
	}
	if (pthread_create(&thread->thread, NULL, net_udp_thread_main, thread) != 0)
		goto fail;
	/* For top -H and the tests: "zoned-udp" (comm holds 15 octets). */
	(void)pthread_setname_np(thread->thread, "zoned-udp");
	worker->udp_thread = thread;
	return 0;
fail:
	net_udp_thread_free(thread);
	return ZONED_ENOMEM;
}

void
net_udp_worker_stop(struct net_worker *worker)
{
	struct net_udp_thread *thread = worker->udp_thread;
	if (thread == NULL)
		return;
	atomic_store_explicit(&thread->stopping, true, memory_order_release);
	/* Wakes a recvmmsg or poll sleeping on the socket: Linux marks even an
	 * unconnected UDP socket shut down (reads then return 0 at once) and
	 * wakes its waiters, though the call reports ENOTCONN. */
	for (size_t i = 0; i < thread->count; i++)
		(void)shutdown(thread->sockets[i]->fd, SHUT_RD);
	pthread_join(thread->thread, NULL);
	worker->udp_thread = NULL;
	net_udp_thread_free(thread);
	net_udp_thread_offline(worker);
}

void
net_udp_free(struct net_udp *udp)
{
	if (udp == NULL)
		return;
	close(udp->fd);
	free(udp);
}
