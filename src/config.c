/*
 * config.c: the configuration in memory: zones, addresses, settings;
 * config_parse.c reads the file into it.
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_lex.h"
#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/rrl.h"

/* This machine's name (gethostname), malloc'd; "" when it has none. */
char *
config_gethostname(void)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) < 0)
		host[0] = '\0';
	return strdup(host);
}

struct config *
config_create(void)
{
	struct config *config = calloc(1, sizeof *config);
	if (config == NULL)
		return NULL;
	config->edns_udp_size = CONFIG_DEFAULT_EDNS_UDP_SIZE;
	config->tcp_clients = CONFIG_DEFAULT_TCP_CLIENTS;
	config->tcp_idle_timeout = CONFIG_DEFAULT_TCP_IDLE_TIMEOUT;
	config->transfers_out = CONFIG_DEFAULT_TRANSFERS_OUT;
	config->transfers_in = CONFIG_DEFAULT_TRANSFERS_IN;
	config->max_transfer_idle_out = CONFIG_DEFAULT_MAX_TRANSFER_IDLE_OUT;
	config->max_transfer_time_out = CONFIG_DEFAULT_MAX_TRANSFER_TIME_OUT;
	config->max_transfer_idle_in = CONFIG_DEFAULT_MAX_TRANSFER_IDLE_IN;
	config->max_transfer_time_in = CONFIG_DEFAULT_MAX_TRANSFER_TIME_IN;
	config->answer_cookie = true;   /* as BIND and NSD */
	config->max_journal_size = CONFIG_JOURNAL_SIZE_DEFAULT;
	config->control = (struct config_control){ .perm = 0600, .owner = -1, .group = -1 };
	config->min_refresh_time = CONFIG_DEFAULT_MIN_REFRESH_TIME;
	config->max_refresh_time = CONFIG_DEFAULT_MAX_REFRESH_TIME;
	config->min_retry_time = CONFIG_DEFAULT_MIN_RETRY_TIME;
	config->max_retry_time = CONFIG_DEFAULT_MAX_RETRY_TIME;
	config->version = strdup("zoned " PACKAGE_VERSION);
	config->hostname = config_gethostname();   /* BIND's default */
	if (config->version == NULL || config->hostname == NULL) {
		config_free(config);
		return NULL;
	}
	return config;
}

void
config_free(struct config *config)
{
	if (config == NULL)
		return;
	for (size_t i = 0; i < config->zone_count; i++) {
		free(config->zones[i].name);
		free(config->zones[i].path);
		free(config->zones[i].source);
		acl_free(config->zones[i].allow_query);
		config_notify_free(&config->zones[i].notify);
		acl_free(config->zones[i].allow_transfer);
		free(config->zones[i].journal.path);
		config_primaries_free(config->zones[i].primaries, config->zones[i].primary_count);
		acl_free(config->zones[i].allow_notify);
	}
	free(config->zones);
	for (size_t i = 0; i < config->key_count; i++) {
		free(config->keys[i].name);
		free(config->keys[i].secret);
	}
	free(config->keys);
	acl_free(config->allow_query);
	acl_free(config->blackhole);
	for (size_t i = 0; i < config->statistics_channel_count; i++)
		acl_free(config->statistics_channels[i].allow);
	free(config->statistics_channels);
	free(config->control.path);
	acl_free(config->allow_transfer);
	acl_free(config->allow_notify);
	free(config->listens);
	free(config->path);
	free(config->directory);
	free(config->pid_file);
	free(config->version);
	free(config->server_id);
	free(config->hostname);
	rrl_config_free(config->rate_limit);
	config_notify_free(&config->notify);
	free(config);
}


const struct config_zone *
config_find_zone(const struct config *config, const uint8_t *origin)
{
	for (size_t i = 0; i < config->zone_count; i++) {
		if (dname_equal(config->zones[i].origin, origin))
			return &config->zones[i];
	}
	return NULL;
}

int
config_add_zone(struct config *config, const char *name, const char *file,
	const char *source, unsigned long line)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	int length = dname_from_text(name, origin);
	if (length < 0)
		return ZONED_EINVAL;
	dname_lower(origin);
	if (config_find_zone(config, origin) != NULL)
		return ZONED_EEXIST;
	struct config_zone *zones = realloc(config->zones,
		(config->zone_count + 1) * sizeof *zones);
	if (zones == NULL)
		return ZONED_ENOMEM;
	config->zones = zones;
	struct config_zone *zone = &zones[config->zone_count];
	memset(zone, 0, sizeof *zone);
	memcpy(zone->origin, origin, (size_t)length);
	zone->origin_length = (size_t)length;
	zone->name = strdup(name);
	zone->path = config_resolve_path(config->directory, file);
	zone->source = strdup(source);
	zone->line = line;
	if (zone->name == NULL || zone->path == NULL || zone->source == NULL) {
		free(zone->name);
		free(zone->path);
		free(zone->source);
		return ZONED_ENOMEM;
	}
	config->zone_count++;
	return 0;
}

int
config_parse_address(const char *text, uint16_t port, struct config_listen *listen)
{
	memset(listen, 0, sizeof *listen);
	struct sockaddr_in *in = (struct sockaddr_in *)&listen->address;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&listen->address;
	if (strcmp(text, "any") == 0)
		text = "0.0.0.0";
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		listen->address_length = sizeof *in;
	} else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		listen->address_length = sizeof *in6;
	} else {
		return ZONED_EINVAL;
	}
	snprintf(listen->text, sizeof listen->text, "%s", text);
	return 0;
}

uint16_t
config_listen_port(const struct config_listen *listen)
{
	const struct sockaddr *sa = (const struct sockaddr *)&listen->address;
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
}

int
config_add_listen(struct config *config, const char *address, uint16_t port,
	bool implicit)
{
	struct config_listen listen;
	if (config_parse_address(address, port, &listen) != 0)
		return ZONED_EINVAL;
	listen.implicit = implicit;
	struct config_listen *listens = realloc(config->listens,
		(config->listen_count + 1) * sizeof *listens);
	if (listens == NULL)
		return ZONED_ENOMEM;
	config->listens = listens;
	listens[config->listen_count++] = listen;
	if (!implicit)
		config->listen_set = true;
	return 0;
}

void
config_set_port(struct config *config, uint16_t port)
{
	for (size_t i = 0; i < config->listen_count; i++) {
		struct sockaddr *sa = (struct sockaddr *)&config->listens[i].address;
		if (sa->sa_family == AF_INET)
			((struct sockaddr_in *)sa)->sin_port = htons(port);
		else
			((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	}
}

void
config_clear_listens(struct config *config)
{
	free(config->listens);
	config->listens = NULL;
	config->listen_count = 0;
	config->listen_set = false;
}

int
config_add_default_listens(struct config *config)
{
	if (config->listen_set || config->listen_count > 0)
		return 0;
	if (config_add_listen(config, "127.0.0.1", CONFIG_DEFAULT_PORT, true) != 0
	    || config_add_listen(config, "::1", CONFIG_DEFAULT_PORT, true) != 0)
		return ZONED_ENOMEM;
	return 0;
}
