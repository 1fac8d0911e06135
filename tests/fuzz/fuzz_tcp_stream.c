/*
 * fuzz_tcp_stream.c: a TCP byte stream -> the real net_tcp.c transport on a
 * loopback listener, driven by hand on a private libevent base. The stream
 * is written in pieces of varying size (RFC 7766 8: a message may arrive in
 * pieces, several at once); the octets that come back must be exactly the
 * framed answer_query() responses to every complete message, in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "fuzz.h"
#include "zoned/answer.h"
#include "zoned/net.h"

#define TCP_FUZZ_MAX_OUTPUT (8u * 1024 * 1024)
/* Loopback can stall on window updates for a while: give up only after
 * this long without a single octet of progress. */
#define TCP_FUZZ_STALL_NS 3000000000LL

static struct {
	struct event_base *base;
	struct net_worker worker;
	struct net_view view;
	struct net_view *_Atomic view_pointer;
	_Atomic uint64_t epoch;
	struct net_tcp *tcp;
	struct sockaddr_in address;
	uint8_t *expected;
	uint8_t *received;
	uint8_t *response;
} tcp_fuzz;

static void
tcp_fuzz_setup(void)
{
	if (tcp_fuzz.base != NULL)
		return;
	/* As the daemon does (server.c): a write to a reset connection is EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	tcp_fuzz.base = event_base_new();
	tcp_fuzz.view.db = fuzz_fixture_zonedb();
	tcp_fuzz.view.settings.edns_size = 1232;
	atomic_store(&tcp_fuzz.view_pointer, &tcp_fuzz.view);
	struct net_worker *w = &tcp_fuzz.worker;
	w->base = tcp_fuzz.base;
	w->view = &tcp_fuzz.view_pointer;
	w->global_epoch = &tcp_fuzz.epoch;
	w->tcp_max_connections = 16;
	w->tcp_idle_timeout.tv_sec = 10;
	if (tcp_fuzz.base == NULL || net_tcp_worker_init(w) != 0)
		fuzz_fail("tcp_stream", "cannot set up the worker");
	tcp_fuzz.address.sin_family = AF_INET;
	tcp_fuzz.address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = net_socket_open((struct sockaddr *)&tcp_fuzz.address, sizeof(tcp_fuzz.address),
		SOCK_STREAM);
	socklen_t length = sizeof(tcp_fuzz.address);
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&tcp_fuzz.address, &length) != 0)
		fuzz_fail("tcp_stream", "cannot listen on loopback");
	tcp_fuzz.tcp = net_tcp_create(w, fd);
	tcp_fuzz.expected = malloc(TCP_FUZZ_MAX_OUTPUT);
	tcp_fuzz.received = malloc(TCP_FUZZ_MAX_OUTPUT);
	tcp_fuzz.response = malloc(65535);
	if (tcp_fuzz.tcp == NULL || tcp_fuzz.expected == NULL || tcp_fuzz.received == NULL
	    || tcp_fuzz.response == NULL)
		fuzz_fail("tcp_stream", "out of memory");
}

void
fuzz_tcp_stream_cleanup(void)
{
	if (tcp_fuzz.base == NULL)
		return;
	net_tcp_free(tcp_fuzz.tcp);
	net_tcp_worker_cleanup(&tcp_fuzz.worker);
	event_base_free(tcp_fuzz.base);
	free(tcp_fuzz.expected);
	free(tcp_fuzz.received);
	free(tcp_fuzz.response);
	memset(&tcp_fuzz, 0, sizeof(tcp_fuzz));
}

/* The oracle: every complete message answered on its own, framed, in order. */
static size_t
tcp_fuzz_expect(const uint8_t *data, size_t size)
{
	size_t out = 0;
	for (size_t at = 0; at + 2 <= size;) {
		size_t length = (size_t)data[at] << 8 | data[at + 1];
		if (at + 2 + length > size)
			break;
		struct answer_request request = {
			.query = data + at + 2,
			.query_length = length,
			.transport = ANSWER_TCP,
		};
		size_t n = answer_query(tcp_fuzz.view.db, &tcp_fuzz.view.settings, &request,
			tcp_fuzz.response, 65535, NULL);
		if (n > 0 && out + 2 + n <= TCP_FUZZ_MAX_OUTPUT) {
			tcp_fuzz.expected[out] = (uint8_t)(n >> 8);
			tcp_fuzz.expected[out + 1] = (uint8_t)n;
			memcpy(tcp_fuzz.expected + out + 2, tcp_fuzz.response, n);
			out += 2 + n;
		}
		at += 2 + length;
	}
	return out;
}

static long long
tcp_fuzz_now_ns(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* Reads whatever the server sent so far; returns false on EOF or error. */
static bool
tcp_fuzz_read(int client, size_t *received)
{
	for (;;) {
		if (*received >= TCP_FUZZ_MAX_OUTPUT)
			fuzz_fail("tcp_stream", "more output than the oracle allows");
		ssize_t n = recv(client, tcp_fuzz.received + *received,
			TCP_FUZZ_MAX_OUTPUT - *received, MSG_DONTWAIT);
		if (n > 0) {
			*received += (size_t)n;
			continue;
		}
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
	}
}

int
fuzz_tcp_stream_one(const uint8_t *data, size_t size)
{
	tcp_fuzz_setup();
	size_t expected = tcp_fuzz_expect(data, size);
	if (expected >= TCP_FUZZ_MAX_OUTPUT)
		return 0;
	int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (client < 0 || connect(client, (struct sockaddr *)&tcp_fuzz.address,
		    sizeof(tcp_fuzz.address)) != 0)
		fuzz_fail("tcp_stream", "cannot connect");
	fcntl(client, F_SETFL, O_NONBLOCK);
	/* Piece sizes from a generator seeded by the input: 1 to 1024 octets. */
	uint32_t state = 2166136261u ^ (uint32_t)size;
	for (size_t i = 0; i < size && i < 16; i++)
		state = (state ^ data[i]) * 16777619u;
	size_t sent = 0;
	size_t received = 0;
	long long last_progress = tcp_fuzz_now_ns();
	while (sent < size || received < expected) {
		size_t before = sent + received;
		if (sent < size) {
			state ^= state << 13;
			state ^= state >> 17;
			state ^= state << 5;
			size_t piece = 1 + state % 1024;
			if (piece > size - sent)
				piece = size - sent;
			ssize_t n = send(client, data + sent, piece, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
		}
		event_base_loop(tcp_fuzz.base, EVLOOP_NONBLOCK);
		if (!tcp_fuzz_read(client, &received))
			break;
		if (sent + received != before) {
			last_progress = tcp_fuzz_now_ns();
		} else {
			if (tcp_fuzz_now_ns() - last_progress > TCP_FUZZ_STALL_NS)
				break;
			usleep(50);
		}
	}
	if (getenv("TCP_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "sent %zu/%zu received %zu/%zu\n", sent, size, received, expected);
	if (received != expected || memcmp(tcp_fuzz.received, tcp_fuzz.expected, expected) != 0)
		fuzz_fail("tcp_stream", received < expected
			? "the transport answered fewer messages than the stream held"
			: "the transport's octets differ from answer_query()'s");
	/* Reset the connection (no TIME_WAIT) and let the server free it. */
	struct linger abort_close = {1, 0};
	setsockopt(client, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
	close(client);
	for (int i = 0; i < 8 && tcp_fuzz.worker.tcp_connection_count > 0; i++)
		event_base_loop(tcp_fuzz.base, EVLOOP_NONBLOCK);
	return 0;
}

FUZZ_ENTRY(fuzz_tcp_stream_one)
