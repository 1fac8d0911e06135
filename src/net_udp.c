/* net_udp.c: UDP transport: recvmmsg batches in, answer_query, sendmmsg out. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/cookie.h"
#include "zoned/error.h"
#include "zoned/net.h"
#include "zoned/rrl.h"
#include "zoned/stats.h"

#define NET_UDP_MAX_QUERY 4096  /* larger datagrams are not DNS queries we answer */
#define NET_UDP_CONTROL 64      /* room for one IP_PKTINFO or IPV6_PKTINFO */

/* Per-socket preallocated batch: nothing is allocated per query. */
struct net_udp {
	struct net_worker *worker;
	struct event *event;
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
		int n = sendmmsg(udp->fd, udp->out + sent, count - sent, 0);
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
net_udp_answer_batch(struct net_udp *udp, const struct net_view *view, unsigned received)
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
			.tsig = udp->worker->tsig,
		};
		struct answer_result *result = &udp->result;
		size_t length = answer_query(view->db, &view->settings, &request,
			udp->responses[replies], NET_UDP_MAX_RESPONSE, result);
		/* Rate limiting decides on the response built; TCP is never limited. */
		enum rrl_action action = RRL_SEND;
		if (length != 0 && view->rate_limit != NULL)
			length = rrl_apply(udp->worker->rrl, view->rate_limit, client, result,
				udp->responses[replies], rrl_now(), &action);
		stats_count_query(udp->worker->stats, view->zone_stats, &request, result, action);
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
 * A full batch says more datagrams are probably queued: read them at once
 * rather than through another epoll_wait and libevent dispatch, which this
 * saves once per full batch. Under the benchmark's max-rate load 3717 of
 * 20371 recvmmsg calls (18%) returned a full batch of 32 (a histogram of a
 * 4 s dnsperf run); the saving is below what dnsperf's CPU/query figures
 * resolve on the shared 2-core machine. Bounded, so this worker's TCP
 * connections and timers still get their turn.
 */
#define NET_UDP_BATCHES_PER_EVENT 4

static void
on_udp_readable(evutil_socket_t fd, short events, void *arg)
{
	struct net_udp *udp = arg;
	for (unsigned batch = 0; batch < NET_UDP_BATCHES_PER_EVENT; batch++) {
		int received = recvmmsg(fd, udp->in, NET_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (received <= 0)
			return;  /* EAGAIN: another worker took it; EINTR: next event */
		const struct net_view *view = net_worker_enter(udp->worker);
		unsigned replies = net_udp_answer_batch(udp, view, (unsigned)received);
		net_worker_quiesce(udp->worker);
		net_udp_send(udp, replies);
		net_udp_reset_receive(udp, (unsigned)received);
		if (received < NET_UDP_BATCH)
			return;
	}
}

struct net_udp *
net_udp_create(struct net_worker *worker, int fd)
{
	struct net_udp *udp = calloc(1, sizeof *udp);
	if (udp == NULL)
		goto fail;
	udp->worker = worker;
	udp->fd = fd;
	struct sockaddr_storage local;
	socklen_t length = sizeof local;
	if (getsockname(fd, (struct sockaddr *)&local, &length) == 0) {
		udp->family = local.ss_family;
		udp->wildcard = net_address_is_wildcard((struct sockaddr *)&local);
	}
	net_udp_init_receive(udp);
	udp->event = event_new(worker->base, fd, EV_READ | EV_PERSIST, on_udp_readable, udp);
	if (udp->event == NULL || event_add(udp->event, NULL) < 0)
		goto fail;
	return udp;
fail:
	if (udp != NULL && udp->event != NULL)
		event_free(udp->event);
	free(udp);
	close(fd);
	return NULL;
}

void
net_udp_stop(struct net_udp *udp)
{
	if (udp != NULL && udp->event != NULL)
		event_del(udp->event);
}

void
net_udp_free(struct net_udp *udp)
{
	if (udp == NULL)
		return;
	if (udp->event != NULL)
		event_free(udp->event);
	close(udp->fd);
	free(udp);
}
