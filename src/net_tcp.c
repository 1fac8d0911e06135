/*
 * net_tcp.c: TCP transport (RFC 7766): 2-octet length framing, pipelined
 * queries answered in order, a deadline per message and a cap on connections.
 * Zone transfers are streamed a few messages ahead of the client's reading.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "zoned/acl.h"
#include "zoned/answer.h"
#include "zoned/answer_stream.h"
#include "zoned/cookie.h"
#include "zoned/elapsed.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/net.h"
#include "zoned/nametree.h"
#include "zoned/rrtype.h"
#include "zoned/stats.h"

#define NET_TCP_MAX_MESSAGE 65535
/* Stop reading a client that does not read its answers past this much. */
#define NET_TCP_OUTPUT_HIGH (256 * 1024)
#define NET_TCP_ACCEPT_RETRY_SECONDS 1
/*
 * A transfer's messages: about BIND's transfer-message-size (20480), small
 * enough that the names of one message compress well. The output holds
 * NET_TCP_STREAM_AHEAD octets and a message at most, so a 1M-record
 * transfer costs the same memory as a small one; it is refilled when it
 * drains to NET_TCP_STREAM_LOW.
 */
#define NET_TCP_STREAM_MESSAGE 16384
#define NET_TCP_STREAM_AHEAD (64 * 1024)
#define NET_TCP_STREAM_LOW (32 * 1024)

struct net_tcp {
	struct net_worker *worker;
	struct evconnlistener *listener;
	struct event *retry;          /* re-enables accepting after EMFILE */
};

struct net_tcp_connection {
	struct net_worker *worker;
	struct bufferevent *bev;
	struct net_tcp_connection *older;
	struct net_tcp_connection *newer;
	bool closing;                 /* close once the output is written */
	bool throttled;               /* reading paused until output drains */
	struct sockaddr_storage peer; /* the client, for the answer's request */
	struct event *deadline;       /* the next message is due by then */
	bool streaming;               /* a transfer is being sent; no reading meanwhile */
	struct answer_stream stream;
	struct timespec stream_start; /* for the transfer's log line */
	uint64_t stream_octets;
	struct event *transfer_timer; /* max-transfer-time-out; made at the first transfer */
	bool transfer_counted;        /* holds one of net_transfers' active */
};

/*
 * -v 3: one line per connection event (accepted, refused, closed and why).
 * Formatted only when debugging is on: accepts stay cheap otherwise.
 */
static void
net_tcp_debug(const struct net_worker *w, const struct sockaddr *peer, const char *event)
{
	if (!log_enabled(LOG_DEBUG))
		return;
	char client[LOG_ADDRESS_SIZE];
	log_format_address(peer, client, sizeof client);
	log_message(LOG_DEBUG, "TCP %s: %s (worker %u, %u connections open)", client, event,
		w->id, w->tcp_connection_count);
}

/* One log line about the connection's transfer: what, to whom, how far. */
static void
net_tcp_stream_log(const struct net_tcp_connection *c, int priority, const char *event)
{
	const struct answer_stream *s = &c->stream;
	char zone[DNAME_MAX_LENGTH * 4], client[LOG_ADDRESS_SIZE];
	dname_format(s->zone->origin, zone, sizeof zone);
	log_format_address((const struct sockaddr *)&c->peer, client, sizeof client);
	double seconds = elapsed_since(&c->stream_start);
	/* IXFR: from the client's serial; in AXFR form when the journal could not serve it. */
	const char *kind = s->incremental ? "IXFR" : s->qtype == RRTYPE_IXFR ? "IXFR (AXFR form)"
		: "AXFR";
	char serial[64];
	if (s->qtype == RRTYPE_IXFR)
		snprintf(serial, sizeof serial, "serial %u to %u", s->from_serial, s->zone->serial);
	else
		snprintf(serial, sizeof serial, "serial %u", s->zone->serial);
	if (s->message_count == 0) {
		const char *why = s->incremental || s->qtype != RRTYPE_IXFR ? ""
			: s->journal_status == ZONED_ENOTFOUND ? " (no journal back to that serial)"
			: s->journal_status == ZONED_EINVAL ? " (journal damaged)"
			: s->journal_status == ZONED_ELIMIT ? " (the difference is larger than the zone)"
			: " (journal unreadable)";
		log_message(priority, "transfer of %s to %s: %s %s, %s%s", zone, client, kind,
			event, serial, why);
		return;
	}
	log_message(priority, "transfer of %s to %s: %s %s, %s, %u messages, "
		"%llu records, %llu octets, %.3f s", zone, client, kind, event, serial,
		s->message_count, (unsigned long long)s->record_count,
		(unsigned long long)c->stream_octets, seconds);
}

/*
 * Counts a transfer about to start against transfers-out; false (and it
 * is counted as refused, and logged) when that many are running already.
 */
static bool
net_tcp_transfer_admit(struct net_tcp_connection *c, const struct net_view *view,
	const struct answer_result *result)
{
	struct net_transfers *transfers = c->worker->transfers;
	if (transfers == NULL)
		return true;
	/* Counted even without a limit (transfers-out 0): the gauge shows them. */
	unsigned running = atomic_fetch_add(&transfers->active, 1);
	if (view->transfers_out == 0 || running < view->transfers_out) {
		c->transfer_counted = true;
		return true;
	}
	atomic_fetch_sub(&transfers->active, 1);
	atomic_fetch_add(&transfers->refused, 1);
	char zone[DNAME_MAX_LENGTH * 4], client[LOG_ADDRESS_SIZE];
	dname_format(result->zone->origin, zone, sizeof zone);
	log_format_address((const struct sockaddr *)&c->peer, client, sizeof client);
	log_message(LOG_WARNING, "transfer of %s to %s: %s denied: transfers-out (%u) "
		"reached", zone, client, result->qtype == RRTYPE_IXFR ? "IXFR" : "AXFR",
		view->transfers_out);
	return false;
}

/* Gives back the connection's place under transfers-out, if it has one. */
static void
net_tcp_transfer_release(struct net_tcp_connection *c)
{
	if (c->transfer_counted)
		atomic_fetch_sub(&c->worker->transfers->active, 1);
	c->transfer_counted = false;
	if (c->transfer_timer != NULL)
		evtimer_del(c->transfer_timer);
}

/* Ends the connection's transfer (logging how) and lets go of its zone. */
static void
net_tcp_stream_end(struct net_tcp_connection *c, const char *event)
{
	if (!c->streaming)
		return;
	net_tcp_stream_log(c, LOG_INFO, event);
	answer_stream_finish(&c->stream);
	c->streaming = false;
	net_tcp_transfer_release(c);
	/* Back to "written" meaning "all sent": the deadline and closing rely on it. */
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(c->bev, NULL, &c->worker->tcp_idle_timeout);
}

static void
net_tcp_unlink(struct net_tcp_connection *c)
{
	struct net_worker *w = c->worker;
	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		w->tcp_oldest = c->newer;
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		w->tcp_newest = c->older;
	c->older = c->newer = NULL;
}

static void
net_tcp_link_newest(struct net_tcp_connection *c)
{
	struct net_worker *w = c->worker;
	c->older = w->tcp_newest;
	c->newer = NULL;
	if (w->tcp_newest != NULL)
		w->tcp_newest->newer = c;
	else
		w->tcp_oldest = c;
	w->tcp_newest = c;
}

static void
net_tcp_close(struct net_tcp_connection *c)
{
	net_tcp_unlink(c);
	c->worker->tcp_connection_count--;
	net_tcp_stream_end(c, "cut short (client gone, stalled or failed)");
	event_free(c->deadline);
	if (c->transfer_timer != NULL)
		event_free(c->transfer_timer);
	bufferevent_free(c->bev);
	free(c);
}

/* Closes now when nothing is left to send, else once it has been sent. */
static void
net_tcp_close_after_output(struct net_tcp_connection *c)
{
	bufferevent_disable(c->bev, EV_READ);
	if (!c->streaming && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		net_tcp_close(c);
		return;
	}
	c->closing = true;
}

/*
 * Writes the transfer's next messages until NET_TCP_STREAM_AHEAD octets
 * wait in the output; after the last one, or on an error (RFC 5936 2.2:
 * the connection is closed then, with closing set), ends the stream.
 * Returns false when it has ended.
 */
static bool
net_tcp_stream_fill(struct net_tcp_connection *c)
{
	struct evbuffer *output = bufferevent_get_output(c->bev);
	uint8_t *message = c->worker->tcp_response;
	int rc = ANSWER_STREAM_MORE;
	while (rc == ANSWER_STREAM_MORE && evbuffer_get_length(output) < NET_TCP_STREAM_AHEAD) {
		size_t length;
		rc = answer_stream_next(&c->stream, message + 2, NET_TCP_STREAM_MESSAGE, &length,
			cookie_now());
		if (rc < 0)
			break;
		message[0] = (uint8_t)(length >> 8);
		message[1] = (uint8_t)length;
		if (evbuffer_add(output, message, length + 2) != 0)
			rc = ZONED_ENOMEM;
		c->stream_octets += length + 2;
		if (log_enabled(LOG_DEBUG))
			net_tcp_stream_log(c, LOG_DEBUG, "message queued");
	}
	if (rc == ANSWER_STREAM_MORE)
		return true;
	if (rc < 0)
		c->closing = true;
	net_tcp_stream_end(c, rc < 0 ? "failed" : "queued in full");
	return false;
}

/*
 * Makes the stream signed when its request was (RFC 8945 5.3.1: a client
 * rejects an unsigned answer to a signed request), with a copy of the key:
 * the view's keyring goes with a reload. False when it cannot be.
 */
static bool
net_tcp_stream_sign(struct net_tcp_connection *c, const struct answer_result *result)
{
	if (result->tsig_key == NULL)
		return true;
	int rc = answer_stream_sign(&c->stream, c->worker->tsig, result->tsig_key,
		result->tsig_request_mac, result->tsig_request_mac_length);
	if (rc == 0)
		return true;
	char zone[DNAME_MAX_LENGTH * 4];
	dname_format(c->stream.zone->origin, zone, sizeof zone);
	log_message(LOG_WARNING, "transfer of %s: cannot sign with the request's key (%s), "
		"closing", zone, rc == ZONED_ELIMIT ? "secret too long" : "failed");
	return false;
}

static void
on_tcp_transfer_time(evutil_socket_t fd, short events, void *arg)
{
	struct net_tcp_connection *c = arg;
	net_tcp_stream_end(c, "ended by max-transfer-time-out");
	net_tcp_close(c);
}

/*
 * The transfer's limits, from the view it started under: the output may
 * make no progress for tcp-idle-timeout, or max-transfer-idle-out when that
 * is shorter (the write timeout), and it may take max-transfer-time-out.
 */
static void
net_tcp_transfer_limit(struct net_tcp_connection *c, const struct net_view *view)
{
	const struct timeval *idle = &c->worker->tcp_idle_timeout;
	if (timerisset(&view->transfer_idle) && timercmp(&view->transfer_idle, idle, <))
		idle = &view->transfer_idle;
	bufferevent_set_timeouts(c->bev, NULL, idle);
	if (!timerisset(&view->transfer_time))
		return;
	if (c->transfer_timer == NULL)
		c->transfer_timer = evtimer_new(c->worker->base, on_tcp_transfer_time, c);
	if (c->transfer_timer != NULL)
		evtimer_add(c->transfer_timer, &view->transfer_time);
}

/*
 * Starts streaming zone for request (still inside the epoch, where the zone
 * was found; the stream's hold keeps it after), signed like the request
 * (result's TSIG key and MAC). Reading stops until the transfer is sent, as
 * NSD and Knot do: queries pipelined behind it wait in the input. When it
 * cannot start, closing is set.
 */
static void
net_tcp_stream_start(struct net_tcp_connection *c, const struct answer_result *result,
	const struct answer_request *request, const struct net_view *view)
{
	if (answer_stream_start_axfr(&c->stream, result->zone, request, &view->settings) != 0
		|| !net_tcp_stream_sign(c, result)) {
		answer_stream_finish(&c->stream);
		net_tcp_transfer_release(c);
		c->closing = true;
		return;
	}
	c->streaming = true;
	c->stream_octets = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->stream_start);
	net_tcp_stream_log(c, LOG_INFO, "started");
	net_tcp_transfer_limit(c, view);
	bufferevent_setwatermark(c->bev, EV_WRITE, NET_TCP_STREAM_LOW, 0);
	if (net_tcp_stream_fill(c))
		bufferevent_disable(c->bev, EV_READ);
}

/*
 * Answers every complete message in the input; a partial one waits for
 * more bytes (RFC 7766 8: a message may arrive in pieces, several at once).
 * A transfer stops it: the rest is answered once the transfer is sent.
 */
static void
net_tcp_answer_input(struct net_tcp_connection *c, const struct net_view *view)
{
	struct evbuffer *input = bufferevent_get_input(c->bev);
	uint8_t *response = c->worker->tcp_response;
	uint64_t now = cookie_now();   /* once per read: the answer core reads no clock */
	while (!c->streaming && !c->closing) {
		size_t available = evbuffer_get_length(input);
		uint8_t prefix[2];
		if (available < 2 || evbuffer_copyout(input, prefix, 2) != 2)
			return;
		size_t length = (size_t)prefix[0] << 8 | prefix[1];
		if (available < 2 + length)
			return;
		const uint8_t *query = evbuffer_pullup(input, (ev_ssize_t)(2 + length));
		if (query == NULL)
			return;
		struct answer_request request = {
			.query = query + 2,
			.query_length = length,
			.transport = ANSWER_TCP,
			.client = (const struct sockaddr *)&c->peer,
			.now = now,
			.tsig = c->worker->tsig,
		};
		struct answer_result result;
		size_t n = answer_query(view->db, &view->settings, &request, response + 2,
			NET_TCP_MAX_MESSAGE, &result);
		if (result.kind == ANSWER_KIND_TRANSFER
			&& !net_tcp_transfer_admit(c, view, &result)) {
			request.transfers_exhausted = true;
			n = answer_query(view->db, &view->settings, &request, response + 2,
				NET_TCP_MAX_MESSAGE, &result);
		}
		stats_count_query(c->worker->stats, view->zone_stats, &request, &result, RRL_SEND);
		if (result.kind == ANSWER_KIND_TRANSFER) {
			net_tcp_stream_start(c, &result, &request, view);
			evbuffer_drain(input, 2 + length);
			continue;
		}
		evbuffer_drain(input, 2 + length);
		if (n == 0)
			continue;
		response[0] = (uint8_t)(n >> 8);
		response[1] = (uint8_t)n;
		bufferevent_write(c->bev, response, n + 2);
	}
}

/*
 * RFC 7766 6.2.3 leaves the timeouts to the server: the next message is due
 * within tcp-idle-timeout of the connection's start, of the previous complete
 * message or of the last answer's last octet leaving, whichever is latest.
 * Octets of an incomplete message do not move the deadline (as BIND's read
 * timer), so a client dripping one octet at a time cannot hold the connection.
 */
static void
net_tcp_deadline_restart(struct net_tcp_connection *c)
{
	evtimer_add(c->deadline, &c->worker->tcp_idle_timeout);
}

static void
on_tcp_deadline(evutil_socket_t fd, short events, void *arg)
{
	struct net_tcp_connection *c = arg;
	/* Answers still being sent: a stalled reader is the write timeout's. */
	if (c->streaming || evbuffer_get_length(bufferevent_get_output(c->bev)) > 0) {
		net_tcp_deadline_restart(c);
		return;
	}
	net_tcp_debug(c->worker, (const struct sockaddr *)&c->peer,
		"no complete message within tcp-idle-timeout: closed");
	net_tcp_close(c);
}

/* Answers what the input holds, inside the worker's epoch. */
static void
net_tcp_serve_input(struct net_tcp_connection *c)
{
	struct bufferevent *bev = c->bev;
	struct evbuffer *input = bufferevent_get_input(bev);
	size_t before = evbuffer_get_length(input);
	const struct net_view *view = net_worker_enter(c->worker);
	net_tcp_answer_input(c, view);
	net_worker_quiesce(c->worker);
	if (c->closing) {
		net_tcp_close_after_output(c);   /* a transfer that failed (may free c) */
		return;
	}
	/* Input consumed: at least one message was complete. Most recently
	 * active last, so the cap closes the oldest idle (or dripping) first. */
	if (evbuffer_get_length(input) < before) {
		net_tcp_deadline_restart(c);
		net_tcp_unlink(c);
		net_tcp_link_newest(c);
	}
	if (!c->streaming && evbuffer_get_length(bufferevent_get_output(bev)) > NET_TCP_OUTPUT_HIGH) {
		bufferevent_disable(bev, EV_READ);
		c->throttled = true;
	}
}

static void
on_tcp_readable(struct bufferevent *bev, void *arg)
{
	net_tcp_serve_input(arg);
}

/*
 * A transfer's output drained to the low mark: refill it. Once the last
 * message is queued, the queries that waited behind it are answered and
 * reading resumes (unless the client closed its side or we are stopping).
 */
static void
net_tcp_stream_continue(struct net_tcp_connection *c)
{
	if (net_tcp_stream_fill(c))
		return;
	if (c->closing || c->worker->stopping) {
		net_tcp_close_after_output(c);
		return;
	}
	net_tcp_deadline_restart(c);
	c->throttled = false;
	bufferevent_enable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		net_tcp_serve_input(c);
}

static void
on_tcp_written(struct bufferevent *bev, void *arg)
{
	struct net_tcp_connection *c = arg;
	if (c->streaming) {
		net_tcp_stream_continue(c);
		return;
	}
	if (c->closing) {
		net_tcp_close(c);
		return;
	}
	net_tcp_deadline_restart(c);
	if (c->throttled) {
		c->throttled = false;
		bufferevent_enable(bev, EV_READ);
	}
}

static void
on_tcp_event(struct bufferevent *bev, short events, void *arg)
{
	struct net_tcp_connection *c = arg;
	/* The client closed its side: still send what it asked for. */
	if ((events & BEV_EVENT_EOF) && !(events & BEV_EVENT_ERROR)) {
		net_tcp_debug(c->worker, (const struct sockaddr *)&c->peer,
			"client closed its side: closing once the answers are sent");
		net_tcp_close_after_output(c);
		return;
	}
	/* A write timeout (the client stopped reading) or an error. */
	if ((events & BEV_EVENT_TIMEOUT) && c->streaming)
		net_tcp_stream_log(c, LOG_INFO, "stalled: nothing read within the idle limit "
			"(tcp-idle-timeout or max-transfer-idle-out)");
	net_tcp_debug(c->worker, (const struct sockaddr *)&c->peer, (events & BEV_EVENT_TIMEOUT)
		? "client stopped reading its answers: closed" : "connection error: closed");
	net_tcp_close(c);
}

/* Makes room under the cap by closing the least recently active connection. */
static bool
net_tcp_make_room(struct net_worker *w)
{
	if (w->tcp_connection_count < w->tcp_max_connections)
		return true;
	/* Not a transfer: a secondary would start over (transfers-out limits those). */
	for (struct net_tcp_connection *c = w->tcp_oldest; c != NULL; c = c->newer) {
		if (!c->closing && !c->streaming) {
			net_tcp_debug(w, (const struct sockaddr *)&c->peer,
				"least recently active, closed to make room (tcp-clients)");
			net_tcp_close(c);
			return true;
		}
	}
	return false;
}

static void
on_tcp_accept(struct evconnlistener *listener, evutil_socket_t fd,
	struct sockaddr *address, int length, void *arg)
{
	struct net_tcp *tcp = arg;
	struct net_worker *w = tcp->worker;
	/* blackhole: closed at once (as BIND), before it can push out another. */
	const struct net_view *view = net_worker_enter(w);
	bool blackholed = view->blackhole != NULL && length > 0
		&& acl_allows(view->blackhole, address, NULL);
	net_worker_quiesce(w);
	if (blackholed || w->stopping || !net_tcp_make_room(w)) {
		net_tcp_debug(w, address, blackholed ? "blackhole: closed at accept"
			: w->stopping ? "stopping: closed at accept"
			: "over tcp-clients with every connection busy: closed at accept");
		close(fd);
		return;
	}
	struct net_tcp_connection *c = calloc(1, sizeof *c);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->worker = w;
	if (length > 0 && (size_t)length <= sizeof c->peer)
		memcpy(&c->peer, address, (size_t)length);
	c->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(w->base, on_tcp_deadline, c);
	if (c->bev == NULL || c->deadline == NULL) {
		if (c->deadline != NULL)
			event_free(c->deadline);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_tcp_readable, on_tcp_written, on_tcp_event, c);
	/* No read timeout: it would restart on every octet (see the deadline). */
	bufferevent_set_timeouts(c->bev, NULL, &w->tcp_idle_timeout);
	bufferevent_enable(c->bev, EV_READ);
	net_tcp_deadline_restart(c);
	w->tcp_connection_count++;
	net_tcp_link_newest(c);
	net_tcp_debug(w, address, "accepted");
}

static void
on_tcp_accept_retry(evutil_socket_t fd, short events, void *arg)
{
	struct net_tcp *tcp = arg;
	if (!tcp->worker->stopping)
		evconnlistener_enable(tcp->listener);
}

/* Out of descriptors (EMFILE): pause accepting instead of spinning. */
static void
on_tcp_accept_error(struct evconnlistener *listener, void *arg)
{
	struct net_tcp *tcp = arg;
	int error = EVUTIL_SOCKET_ERROR();
	if (error != EMFILE && error != ENFILE && error != ENOBUFS && error != ENOMEM)
		return;
	evconnlistener_disable(listener);
	struct timeval retry = { NET_TCP_ACCEPT_RETRY_SECONDS, 0 };
	evtimer_add(tcp->retry, &retry);
}

struct net_tcp *
net_tcp_create(struct net_worker *worker, int fd)
{
	struct net_tcp *tcp = calloc(1, sizeof *tcp);
	if (tcp == NULL) {
		close(fd);
		return NULL;
	}
	tcp->worker = worker;
	tcp->retry = evtimer_new(worker->base, on_tcp_accept_retry, tcp);
	tcp->listener = evconnlistener_new(worker->base, on_tcp_accept, tcp,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (tcp->retry == NULL || tcp->listener == NULL) {
		if (tcp->listener == NULL)
			close(fd);
		net_tcp_free(tcp);
		return NULL;
	}
	evconnlistener_set_error_cb(tcp->listener, on_tcp_accept_error);
	return tcp;
}

void
net_tcp_stop(struct net_tcp *tcp)
{
	if (tcp == NULL)
		return;
	if (tcp->listener != NULL)
		evconnlistener_disable(tcp->listener);
	if (tcp->retry != NULL)
		evtimer_del(tcp->retry);
}

void
net_tcp_free(struct net_tcp *tcp)
{
	if (tcp == NULL)
		return;
	if (tcp->listener != NULL)
		evconnlistener_free(tcp->listener);
	if (tcp->retry != NULL)
		event_free(tcp->retry);
	free(tcp);
}

int
net_tcp_worker_init(struct net_worker *worker)
{
	worker->tcp_oldest = worker->tcp_newest = NULL;
	worker->tcp_connection_count = 0;
	worker->stopping = false;
	worker->tcp_response = malloc(2 + NET_TCP_MAX_MESSAGE);
	return worker->tcp_response == NULL ? ZONED_ENOMEM : 0;
}

void
net_tcp_worker_drain(struct net_worker *worker)
{
	worker->stopping = true;
	struct net_tcp_connection *c = worker->tcp_oldest;
	while (c != NULL) {
		struct net_tcp_connection *next = c->newer;
		/* A transfer ends here (the client sees no closing SOA and retries
		 * elsewhere) rather than holding the shutdown for its length. */
		net_tcp_stream_end(c, "ended by shutdown");
		if (!c->closing)
			net_tcp_close_after_output(c);
		c = next;
	}
}

void
net_tcp_worker_cleanup(struct net_worker *worker)
{
	while (worker->tcp_oldest != NULL)
		net_tcp_close(worker->tcp_oldest);
	free(worker->tcp_response);
	worker->tcp_response = NULL;
}
