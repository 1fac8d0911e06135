/*
 * config_transfer.c: the config grammar for the limits on zone transfers,
 * as named.conf has them: transfers-out and transfers-in (concurrent
 * transfers), max-transfer-idle-out and max-transfer-time-out (minutes per
 * transfer out), max-transfer-idle-in and max-transfer-time-in (per
 * transfer in).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/error.h"

#define CONFIG_MAX_TRANSFER_MINUTES 40320   /* BIND's largest: 28 days */

bool
config_is_transfer_option(const char *word)
{
	return strcmp(word, "transfers-out") == 0 || strcmp(word, "transfers-in") == 0
		|| strcmp(word, "max-transfer-idle-out") == 0
		|| strcmp(word, "max-transfer-time-out") == 0
		|| strcmp(word, "max-transfer-idle-in") == 0
		|| strcmp(word, "max-transfer-time-in") == 0;
}

/*
 * N (minutes, BIND's unit) or, a zoned extension for tests and impatient
 * operators, Ns (seconds). Into *seconds.
 */
static bool
config_parse_minutes(struct config_parser *p, const char *name, unsigned *seconds)
{
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	bool in_seconds = end[0] == 's' && end[1] == '\0';
	unsigned long max = CONFIG_MAX_TRANSFER_MINUTES * (in_seconds ? 60ul : 1ul);
	if (p->type != TOKEN_WORD || end == p->token || p->token[0] == '-'
	    || (*end != '\0' && !in_seconds) || value < 1 || value > max) {
		config_error(p, ZONED_EINVAL, "%s '%s' is not a number of minutes from 1 to %u "
			"(or of seconds, as '30s')", name, config_token_text(p),
			CONFIG_MAX_TRANSFER_MINUTES);
		return false;
	}
	*seconds = (unsigned)(in_seconds ? value : value * 60);
	return config_expect_end(p);
}

bool
config_parse_transfer_option(struct config_parser *p)
{
	struct config *c = p->config;
	if (strcmp(p->token, "max-transfer-idle-out") == 0)
		return config_parse_minutes(p, "max-transfer-idle-out", &c->max_transfer_idle_out);
	if (strcmp(p->token, "max-transfer-time-out") == 0)
		return config_parse_minutes(p, "max-transfer-time-out", &c->max_transfer_time_out);
	if (strcmp(p->token, "max-transfer-idle-in") == 0)
		return config_parse_minutes(p, "max-transfer-idle-in", &c->max_transfer_idle_in);
	if (strcmp(p->token, "max-transfer-time-in") == 0)
		return config_parse_minutes(p, "max-transfer-time-in", &c->max_transfer_time_in);
	bool in = strcmp(p->token, "transfers-in") == 0;
	const char *name = in ? "transfers-in" : "transfers-out";
	unsigned *limit = in ? &c->transfers_in : &c->transfers_out;
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	/* 0: no limit out, as in BIND; in, BIND defers every transfer for good. */
	unsigned long low = in ? 1 : 0;
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value < low || value > 100000) {
		if (in && p->type == TOKEN_WORD && strcmp(p->token, "0") == 0)
			config_error(p, ZONED_EINVAL, "transfers-in 0 would never transfer a zone "
				"(BIND defers every transfer): give 1 to 100000");
		else
			config_error(p, ZONED_EINVAL, "%s '%s' is not a number from %lu to 100000",
				name, config_token_text(p), low);
		return false;
	}
	*limit = (unsigned)value;
	return config_expect_end(p);
}
