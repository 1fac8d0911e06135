/*
 * config_statistics.c: BIND's statistics-channels statement, where zoned
 * serves its Prometheus metrics (metrics_http.c):
 *   statistics-channels { inet ( ADDRESS | * ) [ port N ] [ allow { list; } ]; ... };
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/error.h"

/* Room for one more channel and its pending allow list (NULL until given). */
static struct config_statistics_channel *
config_add_statistics_channel(struct config_parser *p)
{
	struct config *c = p->config;
	size_t count = c->statistics_channel_count + 1;
	struct acl_list **allow = realloc(p->channel_allow, count * sizeof *allow);
	if (allow == NULL)
		return NULL;
	p->channel_allow = allow;
	allow[count - 1] = NULL;
	struct config_statistics_channel *channels = realloc(c->statistics_channels,
		count * sizeof *channels);
	if (channels == NULL)
		return NULL;
	c->statistics_channels = channels;
	c->statistics_channel_count = count;
	memset(&channels[count - 1], 0, sizeof channels[count - 1]);
	return &channels[count - 1];
}

/* port N after the address (BIND also allows "*", which zoned does not need). */
static bool
config_parse_channel_port(struct config_parser *p, uint16_t *port)
{
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value == 0 || value > 65535) {
		config_error(p, ZONED_EINVAL, "statistics-channels port '%s' is not a number "
			"from 1 to 65535", config_token_text(p));
		return false;
	}
	*port = (uint16_t)value;
	return true;
}

/* inet ADDRESS [port N] [allow { ... }]; */
static bool
config_parse_channel(struct config_parser *p)
{
	config_next(p);
	if (p->type != TOKEN_WORD && p->type != TOKEN_STRING) {
		config_expect(p, TOKEN_WORD, "an address");
		return false;
	}
	char address[64];
	if (strlen(p->token) >= sizeof address) {
		config_error(p, ZONED_EINVAL, "statistics-channels: '%s' is not an IPv4 or IPv6 "
			"address", p->token);
		return false;
	}
	memcpy(address, p->token, strlen(p->token) + 1);
	if (strcmp(address, "*") == 0)
		memcpy(address, "0.0.0.0", sizeof "0.0.0.0");
	uint16_t port = CONFIG_DEFAULT_STATISTICS_PORT;
	struct config_statistics_channel *channel = config_add_statistics_channel(p);
	if (channel == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	size_t index = p->config->statistics_channel_count - 1;
	for (;;) {
		config_next(p);
		if (p->type == TOKEN_WORD && strcmp(p->token, "port") == 0) {
			if (!config_parse_channel_port(p, &port))
				return false;
		} else if (p->type == TOKEN_WORD && strcmp(p->token, "allow") == 0) {
			if (!config_parse_match_list(p, "allow", &p->channel_allow[index]))
				return false;
			break;   /* the list read its ';' */
		} else if (p->type == TOKEN_END) {
			break;
		} else {
			config_error(p, ZONED_ESYNTAX, "statistics-channels: expected port, allow or "
				"';', found %s", config_token_text(p));
			return false;
		}
	}
	if (config_parse_address(address, port, &channel->listen) != 0) {
		config_error(p, ZONED_EINVAL, "statistics-channels: '%s' is not an IPv4 or IPv6 "
			"address", address);
		return false;
	}
	return true;
}

/* One clause of the block: inet (unix is BIND's too, not implemented). */
static bool
config_parse_channel_statement(struct config_parser *p, void *arg)
{
	if (strcmp(p->token, "unix") == 0) {
		config_error(p, ZONED_EINVAL, "statistics-channels 'unix' is not implemented "
			"(only 'inet' is)");
		return false;
	}
	if (strcmp(p->token, "inet") != 0) {
		config_error(p, ZONED_ESYNTAX, "statistics-channels: expected inet, found '%s'",
			p->token);
		return false;
	}
	return config_parse_channel(p);
}

bool
config_parse_statistics_channels(struct config_parser *p)
{
	return config_parse_block(p, config_parse_channel_statement, NULL);
}
