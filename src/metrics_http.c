/*
 * metrics_http.c: GET /metrics on the statistics channels, with evhttp on
 * the main thread's base: a scrape sums the workers' counters there and
 * never touches a worker's loop.
 */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/error.h"
#include "zoned/metrics_http.h"

#define METRICS_HTTP_TIMEOUT_SECONDS 10
#define METRICS_HTTP_MAX_HEADERS 8192     /* a scrape request is a few hundred octets */
#define METRICS_HTTP_MAX_BODY 0           /* a GET has none */
/* The Prometheus text exposition format, version 0.0.4. */
#define METRICS_HTTP_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics_channel {
	struct metrics_http *metrics;
	struct evhttp *http;
	const struct config_statistics_channel *config;
};

struct metrics_http {
	metrics_render_function *render;
	void *arg;
	log_function *log;
	struct metrics_channel *channels;
	size_t count;
};

static void
metrics_http_reply(struct evhttp_request *request, int code, const char *reason,
	struct evbuffer *body)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(request);
	evhttp_add_header(headers, "Content-Type", METRICS_HTTP_CONTENT_TYPE);
	evhttp_send_reply(request, code, reason, body);
}

static void
on_metrics_request(struct evhttp_request *request, void *arg)
{
	struct metrics_channel *channel = arg;
	const struct acl *allow = channel->config->allow;
	struct evhttp_connection *connection = evhttp_request_get_connection(request);
	const struct sockaddr *client = connection ? evhttp_connection_get_addr(connection) : NULL;
	/* BIND: without an allow clause anyone may connect. */
	if (allow != NULL && (client == NULL || !acl_allows(allow, client, NULL))) {
		metrics_http_reply(request, 403, "Forbidden", NULL);
		return;
	}
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(request);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		metrics_http_reply(request, HTTP_NOTFOUND, "Not Found", NULL);
		return;
	}
	struct evbuffer *body = evbuffer_new();
	int rc = body ? channel->metrics->render(channel->metrics->arg, body) : ZONED_ENOMEM;
	if (rc != 0) {
		channel->metrics->log(LOG_ERR, "statistics channel: %s", zoned_strerror(rc));
		metrics_http_reply(request, HTTP_INTERNAL, "Internal Server Error", NULL);
	} else {
		metrics_http_reply(request, HTTP_OK, "OK", body);
	}
	if (body != NULL)
		evbuffer_free(body);
}

/* A listening TCP socket for address; -errno on failure. */
static int
metrics_http_listen(const struct config_listen *where)
{
	const struct sockaddr *address = (const struct sockaddr *)&where->address;
	int fd = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int on = 1;
	/* Not SO_REUSEPORT: a second server on the same port must fail. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0
	    || (address->sa_family == AF_INET6
		&& setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
	    || bind(fd, address, where->address_length) < 0 || listen(fd, 16) < 0) {
		int saved = errno;
		close(fd);
		return -saved;
	}
	return fd;
}

/* One channel's evhttp on base. Returns 0, ZONED_EIO or ZONED_ENOMEM. */
static int
metrics_channel_open(struct metrics_http *metrics, struct metrics_channel *channel,
	struct event_base *base)
{
	const struct config_listen *listen = &channel->config->listen;
	channel->metrics = metrics;
	channel->http = evhttp_new(base);
	if (channel->http == NULL)
		return ZONED_ENOMEM;
	evhttp_set_timeout(channel->http, METRICS_HTTP_TIMEOUT_SECONDS);
	evhttp_set_max_headers_size(channel->http, METRICS_HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(channel->http, METRICS_HTTP_MAX_BODY);
	evhttp_set_allowed_methods(channel->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(channel->http, on_metrics_request, channel);
	int fd = metrics_http_listen(listen);
	if (fd < 0) {
		metrics->log(LOG_ERR, "statistics channel: cannot listen on %s port %u: %s",
			listen->text, config_listen_port(listen), strerror(-fd));
		return ZONED_EIO;
	}
	if (evhttp_accept_socket(channel->http, fd) != 0) {
		close(fd);
		return ZONED_ENOMEM;
	}
	metrics->log(LOG_INFO, "statistics channel on %s port %u", listen->text,
		config_listen_port(listen));
	return 0;
}

int
metrics_http_create(struct event_base *base, const struct config_statistics_channel *channels,
	size_t count, metrics_render_function *render, void *arg, log_function *log,
	struct metrics_http **out)
{
	*out = NULL;
	if (count == 0)
		return 0;
	struct metrics_http *metrics = calloc(1, sizeof *metrics);
	if (metrics == NULL)
		return ZONED_ENOMEM;
	metrics->render = render;
	metrics->arg = arg;
	metrics->log = log;
	metrics->channels = calloc(count, sizeof *metrics->channels);
	if (metrics->channels == NULL) {
		free(metrics);
		return ZONED_ENOMEM;
	}
	int rc = 0;
	for (size_t i = 0; i < count && rc == 0; i++) {
		metrics->channels[i].config = &channels[i];
		metrics->count = i + 1;
		rc = metrics_channel_open(metrics, &metrics->channels[i], base);
	}
	if (rc != 0) {
		metrics_http_free(metrics);
		return rc;
	}
	*out = metrics;
	return 0;
}

void
metrics_http_free(struct metrics_http *metrics)
{
	if (metrics == NULL)
		return;
	for (size_t i = 0; i < metrics->count; i++) {
		if (metrics->channels[i].http != NULL)
			evhttp_free(metrics->channels[i].http);
	}
	free(metrics->channels);
	free(metrics);
}
