/* config_notify.c: notify, also-notify and notify-source (RFC 1996 NOTIFY out). */
#include <config.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/error.h"

void
config_notify_free(struct config_notify *notify)
{
	for (size_t i = 0; i < notify->also_count; i++)
		free(notify->also[i].key);
	free(notify->also);
	memset(notify, 0, sizeof *notify);
}

enum config_notify_mode
config_zone_notify(const struct config *config, const struct config_zone *zone,
	const struct config_notify_target **also, size_t *also_count)
{
	const struct config_notify *list = zone != NULL && zone->notify.also_set
		? &zone->notify : &config->notify;
	*also = list->also;
	*also_count = list->also_count;
	enum config_notify_mode mode = CONFIG_NOTIFY_YES;   /* BIND's default */
	if (zone != NULL && zone->notify.mode != CONFIG_NOTIFY_INHERIT)
		mode = zone->notify.mode;
	else if (config->notify.mode != CONFIG_NOTIFY_INHERIT)
		mode = config->notify.mode;
	/* BIND (zone.c, zone_notify): primary-only tells nobody, also-notify
	 * included, about a secondary zone's new versions. */
	if (mode == CONFIG_NOTIFY_PRIMARY_ONLY)
		return zone != NULL && zone->secondary ? CONFIG_NOTIFY_NO : CONFIG_NOTIFY_YES;
	return mode;
}

/*
 * notify yes | no | explicit | primary-only | master-only; the last two
 * (one meaning, two spellings) notify for primary zones only.
 */
bool
config_parse_notify(struct config_parser *p, struct config_notify *notify)
{
	config_next(p);
	if (!config_expect(p, TOKEN_WORD, "yes, no, explicit or primary-only"))
		return false;
	if (strcmp(p->token, "yes") == 0 || strcmp(p->token, "true") == 0)
		notify->mode = CONFIG_NOTIFY_YES;
	else if (strcmp(p->token, "primary-only") == 0 || strcmp(p->token, "master-only") == 0)
		notify->mode = CONFIG_NOTIFY_PRIMARY_ONLY;
	else if (strcmp(p->token, "no") == 0 || strcmp(p->token, "false") == 0)
		notify->mode = CONFIG_NOTIFY_NO;
	else if (strcmp(p->token, "explicit") == 0)
		notify->mode = CONFIG_NOTIFY_EXPLICIT;
	else {
		config_error(p, ZONED_EINVAL, "notify '%s': expected yes, no, explicit or "
			"primary-only",
			p->token);
		return false;
	}
	return config_expect_end(p);
}

/* One element: address [port N] [key "name"]; the address is the current token. */
static bool
config_parse_also_notify_element(struct config_parser *p, uint16_t port,
	struct config_notify *notify)
{
	struct config_notify_target target;
	memset(&target, 0, sizeof target);
	bool ok = config_parse_remote(p, "also-notify", "remote servers", port, &target.address,
		&target.address_length, &target.key);
	struct config_notify_target *also = ok ? realloc(notify->also,
		(notify->also_count + 1) * sizeof *also) : NULL;
	if (ok && also == NULL)
		config_error(p, ZONED_ENOMEM, "out of memory");
	if (also == NULL) {
		free(target.key);
		return false;
	}
	notify->also = also;
	also[notify->also_count++] = target;
	return true;
}

/* also-notify [port N] { address [port N] [key "name"]; ... }; */
bool
config_parse_also_notify(struct config_parser *p, struct config_notify *notify)
{
	if (notify->also_set) {
		config_error(p, ZONED_ESYNTAX, "also-notify given twice");
		return false;
	}
	notify->also_set = true;
	uint16_t port;
	if (!config_parse_list_port(p, &port))
		return false;
	while (config_next(p) == TOKEN_WORD || p->type == TOKEN_STRING) {
		if (!config_parse_also_notify_element(p, port, notify))
			return false;
	}
	return config_expect(p, TOKEN_CLOSE, "an address or '}'") && config_expect_end(p);
}

/* notify-source (address | *) [port (N | *)]; and notify-source-v6. */
bool
config_parse_notify_source(struct config_parser *p, int family)
{
	struct config_listen *source = &p->config->notify_source[family == AF_INET ? 0 : 1];
	config_next(p);
	if (!config_expect(p, TOKEN_WORD, "an address or '*'"))
		return false;
	char text[CONFIG_MAX_TOKEN];
	snprintf(text, sizeof text, "%s", strcmp(p->token, "*") == 0
		? (family == AF_INET ? "0.0.0.0" : "::") : p->token);
	uint16_t port = 0;
	if (config_next(p) == TOKEN_WORD && strcmp(p->token, "port") == 0) {
		if (!config_parse_port(p, true, &port))
			return false;
		config_next(p);
	}
	if (!config_expect(p, TOKEN_END, "port or ';'"))
		return false;
	if (strcmp(text, "any") == 0 || config_parse_address(text, port, source) != 0
	    || source->address.ss_family != family) {
		config_error(p, ZONED_EINVAL, "notify-source%s '%s' is not an %s address",
			family == AF_INET ? "" : "-v6", text, family == AF_INET ? "IPv4" : "IPv6");
		return false;
	}
	snprintf(source->text, sizeof source->text, "%.63s", text);
	return true;
}

/* A key named in an also-notify list must be a key statement (any order, as BIND). */
static bool
config_check_notify_list(struct config_parser *p, const struct config_notify *notify)
{
	const struct config *c = p->config;
	for (size_t i = 0; i < notify->also_count; i++) {
		const char *key = notify->also[i].key;
		uint8_t wire[DNAME_MAX_LENGTH];
		bool found = false;
		if (key != NULL && dname_from_text(key, wire) >= 0) {
			dname_lower(wire);
			for (size_t k = 0; k < c->key_count && !found; k++)
				found = dname_equal(c->keys[k].name_wire, wire);
		}
		if (key != NULL && !found) {
			config_error(p, ZONED_EINVAL, "also-notify: key '%s' is not defined", key);
			return false;
		}
	}
	return true;
}

bool
config_check_notify_keys(struct config_parser *p, const struct config_notify *zone)
{
	return config_check_notify_list(p, zone != NULL ? zone : &p->config->notify);
}
