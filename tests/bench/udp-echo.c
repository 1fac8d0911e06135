/* udp-echo.c: the benchmark floor, a UDP responder that echoes each datagram with QR set. */
/*
 * No DNS server can spend less per query than this: one recvmmsg batch in,
 * flip the QR bit (RFC 1035 4.1.1) so dnsperf counts a response, one
 * sendmmsg batch out. It parses nothing. Usage:
 *
 *   udp-echo -a 127.0.0.1 -p PORT [-t THREADS]
 *
 * Each thread owns an SO_REUSEPORT socket, like zoned's and NSD's workers.
 * SIGTERM or SIGINT ends it. Blocking sockets: a thread sleeps in recvmmsg
 * until at least one datagram arrives, then takes what is already queued.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_BATCH 64
#define ECHO_DATAGRAM_MAX 4096
#define ECHO_THREADS_MAX 64

struct echo_worker {
	int fd;
	pthread_t thread;
	uint8_t buffers[ECHO_BATCH][ECHO_DATAGRAM_MAX];
	struct sockaddr_storage peers[ECHO_BATCH];
	struct iovec iovecs[ECHO_BATCH];
	struct mmsghdr messages[ECHO_BATCH];
};

static int
echo_open_socket(const char *address, unsigned port)
{
	struct sockaddr_storage storage;
	socklen_t length;
	int one = 1;
	int fd;

	memset(&storage, 0, sizeof(storage));
	if (strchr(address, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&storage;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, address, &sin6->sin6_addr) != 1)
			return -1;
		length = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&storage;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, address, &sin->sin_addr) != 1)
			return -1;
		length = sizeof(*sin);
	}
	fd = socket(storage.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0
		|| bind(fd, (struct sockaddr *)&storage, length) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Points every message of the batch back at its own buffer and peer slot. */
static void
echo_reset_batch(struct echo_worker *worker)
{
	for (int i = 0; i < ECHO_BATCH; i++) {
		worker->iovecs[i].iov_base = worker->buffers[i];
		worker->iovecs[i].iov_len = ECHO_DATAGRAM_MAX;
		memset(&worker->messages[i].msg_hdr, 0, sizeof(worker->messages[i].msg_hdr));
		worker->messages[i].msg_hdr.msg_name = &worker->peers[i];
		worker->messages[i].msg_hdr.msg_namelen = sizeof(worker->peers[i]);
		worker->messages[i].msg_hdr.msg_iov = &worker->iovecs[i];
		worker->messages[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Sends count replies, retrying the remainder after a partial sendmmsg. */
static void
echo_send_batch(struct echo_worker *worker, int count)
{
	int sent = 0;

	while (sent < count) {
		int n = sendmmsg(worker->fd, worker->messages + sent, (unsigned)(count - sent), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* Drop the datagram that failed (e.g. ICMP error pending), keep the rest. */
			sent++;
			continue;
		}
		sent += n;
	}
}

static void *
echo_run_worker(void *arg)
{
	struct echo_worker *worker = arg;

	for (;;) {
		int count;

		echo_reset_batch(worker);
		count = recvmmsg(worker->fd, worker->messages, ECHO_BATCH, MSG_WAITFORONE, NULL);
		if (count < 0) {
			if (errno == EINTR)
				continue;
			perror("udp-echo: recvmmsg");
			return NULL;
		}
		for (int i = 0; i < count; i++) {
			size_t length = worker->messages[i].msg_len;

			worker->iovecs[i].iov_len = length;
			if (length >= 3)
				worker->buffers[i][2] |= 0x80;  /* QR: this is a response */
		}
		echo_send_batch(worker, count);
	}
	return NULL;
}

static void
echo_print_usage(void)
{
	fprintf(stderr, "usage: udp-echo -a ADDRESS -p PORT [-t THREADS]\n");
}

int
main(int argc, char **argv)
{
	static struct echo_worker workers[ECHO_THREADS_MAX];
	const char *address = "127.0.0.1";
	unsigned port = 0;
	int threads = 1;
	sigset_t signals;
	int option;
	int received;

	while ((option = getopt(argc, argv, "a:p:t:h")) != -1) {
		switch (option) {
		case 'a':
			address = optarg;
			break;
		case 'p':
			port = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			echo_print_usage();
			return 2;
		}
	}
	if (port == 0 || port > 65535 || threads < 1 || threads > ECHO_THREADS_MAX) {
		echo_print_usage();
		return 2;
	}
	/* Workers never see the signals: main waits for them with sigwait. */
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	for (int i = 0; i < threads; i++) {
		workers[i].fd = echo_open_socket(address, port);
		if (workers[i].fd < 0) {
			fprintf(stderr, "udp-echo: cannot bind %s port %u: %s\n", address, port,
				strerror(errno));
			return 1;
		}
	}
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&workers[i].thread, NULL, echo_run_worker, &workers[i]) != 0) {
			fprintf(stderr, "udp-echo: cannot start thread %d\n", i);
			return 1;
		}
	}
	sigwait(&signals, &received);
	return 0;
}
