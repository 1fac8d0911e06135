/*
 * server_view.c: what the daemon answers from: the config (file and
 * command line) and the view built from it and a zone set: per-zone
 * allow-query and allow-transfer, statistics slots, TSIG keys, NOTIFY
 * senders; one view per published generation, freed once no worker
 * reads it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/cookie.h"
#include "zoned/error.h"
#include "zoned/log.h"
#include "zoned/nametree.h"
#include "zoned/notify_in.h"
#include "zoned/server_os.h"
#include "zoned/stats.h"
#include "zoned/tsig.h"
#include "zoned/zonedb.h"
#include "zoned/zoneset.h"

#include "server_internal.h"

/* Which zone-level list a map is made of. */
enum server_zone_list {
	SERVER_ALLOW_QUERY,
	SERVER_ALLOW_TRANSFER,
};

/* Adds the -z origin:file arguments; relative files are from the cwd. */
static int
server_add_zone_arguments(const struct server_options *options, struct config *config)
{
	for (size_t i = 0; i < options->zone_count; i++) {
		const char *arg = options->zones[i];
		const char *colon = strchr(arg, ':');
		if (colon == NULL || colon == arg || colon[1] == '\0') {
			log_message(LOG_ERR, "-z %s: expected zone:file", arg);
			return ZONED_EINVAL;
		}
		char name[1024];
		snprintf(name, sizeof name, "%.*s", (int)(colon - arg), arg);
		char *path = server_os_absolute_path(colon + 1);
		if (path == NULL)
			return ZONED_ENOMEM;
		int rc = config_add_zone(config, name, path, "command line", 0);
		free(path);
		if (rc != 0) {
			log_message(LOG_ERR, "-z %s: %s", arg, rc == ZONED_EEXIST
				? "zone configured twice" : zoned_strerror(rc));
			return rc;
		}
	}
	return 0;
}

static int
server_apply_listen_options(const struct server_options *options, struct config *config)
{
	if (options->address_count > 0) {
		config_clear_listens(config);
		for (size_t i = 0; i < options->address_count; i++) {
			int rc = config_add_listen(config, options->addresses[i],
				CONFIG_DEFAULT_PORT, false);
			if (rc != 0) {
				log_message(LOG_ERR, "-a %s: not an IPv4 or IPv6 address",
					options->addresses[i]);
				return rc;
			}
		}
	}
	if (config_add_default_listens(config) != 0)
		return ZONED_ENOMEM;
	if (options->port >= 0)
		config_set_port(config, (uint16_t)options->port);
	return 0;
}

/* The config file (if any) with the command line applied on top. */
int
server_config_build(const struct server_options *options, struct config **out)
{
	struct config *config = NULL;
	int rc;
	if (options->config_path != NULL) {
		struct diag d = { .emit = log_diag_emit };
		rc = config_load_file(options->config_path, &d, &config);
		if (rc != 0) {
			log_message(LOG_ERR, "%s: configuration not loaded", options->config_path);
			return rc;
		}
	} else {
		config = config_create();
		if (config == NULL)
			return ZONED_ENOMEM;
	}
	rc = server_add_zone_arguments(options, config);
	if (rc == 0)
		rc = server_apply_listen_options(options, config);
	if (rc != 0) {
		config_free(config);
		return rc;
	}
	if (config->zone_count == 0)
		log_message(LOG_WARNING, "no zones configured: every query will be refused");
	config_log_details(config, log_message);
	*out = config;
	return 0;
}

static const struct acl *
server_zone_list(const struct config_zone *cz, enum server_zone_list which)
{
	return which == SERVER_ALLOW_QUERY ? cz->allow_query : cz->allow_transfer;
}

/* The zone-level lists of one kind, by the zones this view serves; *out set when any. */
static int
server_view_map_zone_list(struct server_view *view, const struct config *config,
	enum server_zone_list which, struct acl_zone_map *map, const struct acl_zone_map **out)
{
	size_t count = 0;
	for (size_t i = 0; i < config->zone_count; i++)
		count += server_zone_list(&config->zones[i], which) != NULL;
	if (count == 0)
		return 0;
	if (acl_zone_map_init(map, count) != 0)
		return ZONED_ENOMEM;
	for (size_t i = 0; i < view->zones->zone_count; i++) {
		const struct zoneset_zone *z = &view->zones->zones[i];
		const struct config_zone *cz = config_find_zone(config, z->origin);
		if (z->zone != NULL && cz != NULL && server_zone_list(cz, which) != NULL)
			acl_zone_map_put(map, z->zone, server_zone_list(cz, which));
	}
	*out = map;
	return 0;
}

/* Gives a config without cookie-secret the secret of this start. */
void
server_config_cookies(const struct server *server, struct config *config)
{
	if (config->cookies.secret_count > 0)
		return;
	memcpy(config->cookies.secrets[0], server->cookie_secret, COOKIE_SECRET_LENGTH);
	config->cookies.secret_count = 1;
}

/* The zone-level allow-query and allow-transfer lists. */
static int
server_view_map_zone_acls(struct server_view *view, const struct config *config)
{
	struct answer_settings *settings = &view->net.settings;
	if (server_view_map_zone_list(view, config, SERVER_ALLOW_QUERY,
		    &view->zone_allow_query, &settings->zone_allow_query) != 0)
		return ZONED_ENOMEM;
	return server_view_map_zone_list(view, config, SERVER_ALLOW_TRANSFER,
		&view->zone_allow_transfer, &settings->zone_allow_transfer);
}

struct server_view *
server_view_create(const struct config *config, struct zoneset *zones)
{
	struct server_view *view = calloc(1, sizeof *view);
	if (view == NULL)
		return NULL;
	view->zones = zones;
	view->net.db = zones->db;
	view->net.settings.edns_size = config->edns_udp_size;
	/* Borrowed: a config is freed only after the views made from it. */
	view->net.settings.version = config->version;
	view->net.settings.identity = config->server_id;
	view->net.settings.hostname = config->hostname;
	/* RFC 5001: the NSID payload is server-id's octets, ready once per config. */
	view->net.settings.nsid = (const uint8_t *)config->server_id;
	view->net.settings.nsid_length = config->server_id ? (uint16_t)strlen(config->server_id) : 0;
	view->net.rate_limit = config->rate_limit;
	view->net.blackhole = config->blackhole;
	view->net.settings.allow_query = config->allow_query;
	view->net.settings.cookies = config->answer_cookie ? &config->cookies : NULL;
	view->net.settings.tsig_keys = &view->tsig_keys;
	view->net.settings.allow_transfer = config->allow_transfer;
	view->net.transfers_out = config->transfers_out;
	view->net.transfer_idle.tv_sec = config->max_transfer_idle_out;
	view->net.transfer_time.tv_sec = config->max_transfer_time_out;
	if (server_view_map_zone_acls(view, config) != 0
		|| tsig_keyring_init(&view->tsig_keys, config->keys, config->key_count) != 0) {
		acl_zone_map_free(&view->zone_allow_query);
		acl_zone_map_free(&view->zone_allow_transfer);
		free(view);   /* the zones stay the caller's */
		return NULL;
	}
	return view;
}

/*
 * Gives each zone of view that has none its counter slot (a reloaded zone
 * takes its predecessor's, so its count goes on) and the view its table
 * of per-zone counters. Without memory the view counts no zones.
 */
void
server_view_count_zones(struct server *server, struct server_view *view,
	const struct server_view *previous)
{
	for (size_t i = 0; i < view->zones->zone_count; i++) {
		struct zone *zone = view->zones->zones[i].zone;
		if (zone == NULL || zone->stats_slot != 0)
			continue;   /* shared with previous: published, already counted */
		const struct zone *old = previous == NULL ? NULL
			: zonedb_find(previous->zones->db, zone->origin, zone->origin_length);
		zone->stats_slot = old != NULL && dname_equal(old->origin, zone->origin)
			? old->stats_slot : stats_zone_slot_new(server->stats);
	}
	view->zone_stats = stats_zone_table_create(server->stats);
	if (view->zone_stats == NULL)
		log_message(LOG_WARNING, "no memory for the per-zone counters: not counting zones");
	view->net.zone_stats = view->zone_stats;
}

/*
 * Frees view (its zone counts go to stats' totals); zones that a newer
 * view or a transfer still holds live on.
 */
void
server_view_free(struct server_view *view, struct stats *stats)
{
	if (view == NULL)
		return;
	stats_zone_table_retire(stats, view->zone_stats);
	zoneset_free(view->zones);
	acl_zone_map_free(&view->zone_allow_query);
	tsig_keyring_free(&view->tsig_keys);
	acl_zone_map_free(&view->zone_allow_transfer);
	notify_in_zones_free(view->notify_in);
	free(view);
}

/* Gives view the table of NOTIFY senders of its secondary zones (before it is published). */
int
server_view_notify_in(struct server *server, struct server_view *view,
	const struct config *config)
{
	view->notify_in = notify_in_zones_create(view->zones, config,
		notify_in_fd(server->notify_in));
	view->net.settings.notify_in = view->notify_in;
	return view->notify_in == NULL ? ZONED_ENOMEM : 0;
}
