/*
 * config_secondary.c: the statements of a secondary zone: primaries (or
 * masters), and the refresh and retry clamps (BIND's min-refresh-time and
 * friends).
 */
#include <config.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/error.h"

void
config_primaries_free(struct config_primary *primaries, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(primaries[i].key);
	free(primaries);
}

/* One element: address [port N] [key "name"]; the address is the current token. */
static bool
config_parse_primary(struct config_parser *p, uint16_t port, struct config_primary *out)
{
	memset(out, 0, sizeof *out);
	return config_parse_remote(p, "primaries", "primaries", port, &out->address,
		&out->address_length, &out->key);
}

bool
config_parse_primaries(struct config_parser *p, struct config_primary **primaries,
	size_t *count)
{
	if (*primaries != NULL) {
		config_error(p, ZONED_ESYNTAX, "primaries given twice");
		return false;
	}
	uint16_t port;
	if (!config_parse_list_port(p, &port))
		return false;
	/* An empty list still marks the statement as given. */
	*primaries = calloc(1, sizeof **primaries);
	if (*primaries == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	while (config_next(p) == TOKEN_WORD || p->type == TOKEN_STRING) {
		struct config_primary primary;
		if (!config_parse_primary(p, port, &primary)) {
			free(primary.key);
			return false;
		}
		struct config_primary *grown = realloc(*primaries, (*count + 1) * sizeof *grown);
		if (grown == NULL) {
			free(primary.key);
			config_error(p, ZONED_ENOMEM, "out of memory");
			return false;
		}
		*primaries = grown;
		grown[(*count)++] = primary;
	}
	return config_expect(p, TOKEN_CLOSE, "an address or '}'") && config_expect_end(p);
}

/* The four clamps: their names and where they go. */
static const struct config_refresh_option {
	const char *name;
	size_t offset;
} config_refresh_options[] = {
	{ "min-refresh-time", offsetof(struct config, min_refresh_time) },
	{ "max-refresh-time", offsetof(struct config, max_refresh_time) },
	{ "min-retry-time", offsetof(struct config, min_retry_time) },
	{ "max-retry-time", offsetof(struct config, max_retry_time) },
	{ NULL, 0 },
};

bool
config_is_refresh_option(const char *word)
{
	for (const struct config_refresh_option *o = config_refresh_options; o->name; o++) {
		if (strcmp(o->name, word) == 0)
			return true;
	}
	return false;
}

bool
config_parse_refresh_option(struct config_parser *p)
{
	const struct config_refresh_option *o = config_refresh_options;
	while (o->name != NULL && strcmp(o->name, p->token) != 0)
		o++;
	if (o->name == NULL)
		return false;
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	/* As BIND: any number of seconds (tests set 1); 0 would spin. */
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value < 1 || value > UINT32_MAX) {
		config_error(p, ZONED_EINVAL, "%s '%s' is not a number of seconds from 1 to %lu",
			o->name, config_token_text(p), (unsigned long)UINT32_MAX);
		return false;
	}
	*(uint32_t *)((char *)p->config + o->offset) = (uint32_t)value;
	return config_expect_end(p);
}

/* Whether a key statement named name exists. */
static bool
config_key_defined(const struct config *c, const char *name)
{
	uint8_t wire[DNAME_MAX_LENGTH];
	if (dname_from_text(name, wire) < 0)
		return false;
	dname_lower(wire);
	for (size_t k = 0; k < c->key_count; k++) {
		if (dname_equal(c->keys[k].name_wire, wire))
			return true;
	}
	return false;
}

bool
config_check_secondary(struct config_parser *p, const struct config_zone *zone)
{
	if (zone->secondary && zone->primary_count == 0) {
		config_error(p, ZONED_EINVAL, "zone %s: type secondary needs 'primaries { "
			"address; };'", zone->name);
		return false;
	}
	if (!zone->secondary && zone->primaries != NULL) {
		config_error(p, ZONED_EINVAL, "zone %s: 'primaries' is only for type secondary",
			zone->name);
		return false;
	}
	for (size_t i = 0; i < zone->primary_count; i++) {
		const char *key = zone->primaries[i].key;
		if (key != NULL && !config_key_defined(p->config, key)) {
			config_error(p, ZONED_EINVAL, "zone %s: primaries: key '%s' is not defined",
				zone->name, key);
			return false;
		}
	}
	return true;
}
