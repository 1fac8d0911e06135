/*
 * metrics_http.h: the statistics channels: GET /metrics over HTTP
 * (libevent's evhttp, on the main thread's event base) in the Prometheus
 * text exposition format, for the clients each channel's allow list admits.
 */
#ifndef ZONED_METRICS_HTTP_H
#define ZONED_METRICS_HTTP_H

#include <stddef.h>

#include "zoned/log.h"

struct config_statistics_channel;
struct event_base;
struct evbuffer;

/* Writes the metrics text to out at each scrape. Returns 0 or a negative ZONED_ code. */
typedef int metrics_render_function(void *arg, struct evbuffer *out);

struct metrics_http;

/*
 * Listens on every channel (count of them, borrowed: they must outlive the
 * result) on base and answers GET /metrics with render's text: 403 to a
 * client the channel's allow list does not admit, 404 for any other path.
 * Failures are logged with log. Returns 0 with *out set (NULL when count is
 * 0), ZONED_EIO (an address could not be bound) or ZONED_ENOMEM.
 */
int metrics_http_create(struct event_base *base, const struct config_statistics_channel *channels,
	size_t count, metrics_render_function *render, void *arg, log_function *log,
	struct metrics_http **out);

/* Stops listening, closes every connection and frees metrics. NULL is fine. */
void metrics_http_free(struct metrics_http *metrics);

#endif
