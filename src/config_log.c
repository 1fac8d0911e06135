/* config_log.c: -v 3: what a loaded configuration says, for the operator's log. */
#include <config.h>

#include <stdio.h>

#include "zoned/config.h"
#include "zoned/log.h"
#include "zoned/rrl.h"

/* A text option for the log: its value quoted, or none. */
static const char *
config_log_text(const char *value, char *buffer, size_t size)
{
	if (value == NULL)
		return "none";
	snprintf(buffer, size, "\"%s\"", value);
	return buffer;
}

void
config_log_details(const struct config *config, log_function *log)
{
	if (!log_enabled(LOG_DEBUG))
		return;
	log(LOG_DEBUG, "config %s: %zu zones, %zu listen addresses, %zu keys, %zu statistics "
		"channels, directory %s", config->path ? config->path : "(command line only)",
		config->zone_count, config->listen_count, config->key_count,
		config->statistics_channel_count, config->directory ? config->directory : ".");
	for (size_t i = 0; i < config->listen_count; i++)
		log(LOG_DEBUG, "config: listen on %s port %u%s", config->listens[i].text,
			config_listen_port(&config->listens[i]),
			config->listens[i].implicit ? " (default)" : "");
	char version[300], server_id[300], hostname[300];
	log(LOG_DEBUG, "config: version %s, server-id %s, hostname %s",
		config_log_text(config->version, version, sizeof version),
		config_log_text(config->server_id, server_id, sizeof server_id),
		config_log_text(config->hostname, hostname, sizeof hostname));
	log(LOG_DEBUG, "config: edns-udp-size %u, tcp-clients %u, tcp-idle-timeout %u.%u s, "
		"max-records %zu%s, answer-cookie %s, rate-limit %s, allow-query %s, "
		"allow-transfer %s, blackhole %s", config->edns_udp_size, config->tcp_clients,
		config->tcp_idle_timeout / 10, config->tcp_idle_timeout % 10, config->max_records,
		config->max_records ? "" : " (no limit)", config->answer_cookie ? "yes" : "no",
		config->rate_limit == NULL ? "off" : config->rate_limit->log_only ? "log-only" : "on",
		config->allow_query ? "set" : "any", config->allow_transfer ? "set" : "nobody",
		config->blackhole ? "set" : "none");
	for (size_t i = 0; i < config->zone_count; i++) {
		const struct config_zone *z = &config->zones[i];
		char where[300];
		snprintf(where, sizeof where, z->line ? "%s:%lu" : "%s", z->source, z->line);
		log(LOG_DEBUG, "config: zone %s from %s (%s)%s%s", z->name, z->path, where,
			z->allow_query ? ", own allow-query" : "",
			z->allow_transfer ? ", own allow-transfer" : "");
	}
}
