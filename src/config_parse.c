/*
 * config_parse.c: the named.conf grammar zoned reads: options, zone
 * statements, BIND statements it refuses or ignores, and the entry points
 * that load a config file (tokens from config_lex.c; the statements of
 * each feature in config_<feature>.c).
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

/* The grammar: one function per statement (tokens are in config_lex.c). */
/*
 * BIND statements zoned does not implement. Accepting one silently would
 * hide from the operator that its intent is not honoured (an allow-transfer
 * meant to restrict, logging meant to reach a file), so each is an
 * error, except a value that is what zoned does anyway ("querylog no;") and
 * the few that only concern recursion or caching, which an
 * authoritative-only server honours by not having them.
 */
struct config_unsupported {
	const char *word;
	const char *honoured;   /* a value zoned does honour ("no"), or NULL */
	bool meaningless;       /* recursion/cache only: a warning, not an error */
};

static const struct config_unsupported config_unsupported_options[] = {
	{ "allow-query-cache", NULL, true }, { "allow-query-cache-on", NULL, true },
	{ "allow-recursion", NULL, true }, { "allow-recursion-on", NULL, true },
	{ "auth-nxdomain", NULL, true }, { "bindkeys-file", NULL, true },
	{ "dnssec-enable", NULL, true }, { "dnssec-lookaside", NULL, true },
	{ "dnssec-validation", NULL, true }, { "dump-file", NULL, true },
	{ "empty-zones-enable", NULL, true }, { "lame-ttl", NULL, true },
	{ "managed-keys-directory", NULL, true }, { "max-cache-size", NULL, true },
	{ "max-cache-ttl", NULL, true }, { "max-ncache-ttl", NULL, true },
	{ "prefetch", NULL, true }, { "recursive-clients", NULL, true },
	{ "allow-query-on", NULL, false },
	{ "allow-update", NULL, false },
	{ "allow-update-forwarding", NULL, false },
	{ "check-names", NULL, false },
	{ "dnssec-policy", NULL, false }, { "forward", NULL, false },
	{ "forwarders", NULL, false },
	{ "ixfr-from-differences", "yes", false }, { "key-directory", NULL, false },
	{ "memstatistics-file", NULL, false }, { "minimal-any", NULL, false },
	{ "minimal-responses", NULL, false },
	{ "querylog", "no", false }, { "serial-query-rate", NULL, false },
	{ "session-keyfile", NULL, false }, { "statistics-file", NULL, false },
	{ "transfer-format", NULL, false },
	{ "zone-statistics", "no", false },
	{ NULL, NULL, false },
};

static const struct config_unsupported config_unsupported_zone_options[] = {
	{ "allow-query-on", NULL, false },
	{ "allow-update", NULL, false },
	{ "allow-update-forwarding", NULL, false },
	{ "check-names", NULL, false }, { "dnssec-policy", NULL, false },
	{ "inline-signing", "no", false }, { "ixfr-from-differences", "yes", false },
	{ "key-directory", NULL, false },
	{ "notify-source", NULL, false }, { "notify-source-v6", NULL, false },
	{ "serial-update-method", NULL, false }, { "update-policy", NULL, false },
	{ "zone-statistics", "no", false }, { NULL, NULL, false },
};

static const struct config_unsupported config_unsupported_statements[] = {
	{ "dnssec-policy", NULL, false },
	{ "dyndb", NULL, false }, { "http", NULL, false },
	{ "managed-keys", NULL, false }, { "masters", NULL, false },
	{ "plugin", NULL, false }, { "primaries", NULL, false }, { "server", NULL, false },
	{ "tls", NULL, false },
	{ "trust-anchors", NULL, false }, { "trusted-keys", NULL, false },
	{ NULL, NULL, false },
};

static const struct config_unsupported *
config_find_unsupported(const struct config_unsupported *table, const char *word)
{
	for (; table->word != NULL; table++) {
		if (strcmp(table->word, word) == 0)
			return table;
	}
	return NULL;
}

/* An unsupported statement (where: "option" ...): an error, or accepted as above. */
static bool
config_parse_unsupported(struct config_parser *p, const char *where,
	const struct config_unsupported *u)
{
	if (u->meaningless) {
		config_warning(p, "%s '%s' concerns recursion or caching: not supported, "
			"ignored (an authoritative-only server does neither)", where, u->word);
		return config_skip_statement(p);
	}
	if (u->honoured != NULL) {
		config_next(p);
		if (p->type == TOKEN_WORD && strcmp(p->token, u->honoured) == 0)
			return config_expect_end(p);
		config_error(p, ZONED_EINVAL, "%s '%s %s' is not implemented (only '%s %s;' "
			"is)", where, u->word, config_token_text(p), u->word, u->honoured);
		return false;
	}
	config_error(p, ZONED_EINVAL, "%s '%s' is not implemented", where, u->word);
	return false;
}

/* recursion no; is fine; recursion yes cannot be honoured. */
static bool
config_parse_recursion(struct config_parser *p)
{
	config_next(p);
	if (!config_expect(p, TOKEN_WORD, "yes or no"))
		return false;
	if (strcmp(p->token, "no") != 0 && strcmp(p->token, "false") != 0) {
		config_error(p, ZONED_EINVAL, "recursion %s: zoned is authoritative-only",
			p->token);
		return false;
	}
	config_warning(p, "option 'recursion no' is what an authoritative-only server does: "
		"accepted");
	return config_expect_end(p);
}

/* One element of a listen-on list: an address, any, none or localhost. */
static bool
config_parse_listen_element(struct config_parser *p, int family, uint16_t port)
{
	const char *text = p->token;
	if (strcmp(text, "none") == 0)
		return true;
	if (strcmp(text, "any") == 0)
		text = family == AF_INET ? "0.0.0.0" : "::";
	else if (strcmp(text, "localhost") == 0)
		text = family == AF_INET ? "127.0.0.1" : "::1";
	struct config_listen listen;
	int rc = config_parse_address(text, port, &listen);
	if (rc != 0 || listen.address.ss_family != family) {
		config_error(p, ZONED_EINVAL, "'%s' is not an %s address (address match lists "
			"are not supported)", p->token, family == AF_INET ? "IPv4" : "IPv6");
		return false;
	}
	if (config_add_listen(p->config, text, port, false) != 0) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	return true;
}

/* listen-on [port N] { address; ... }; (listen-on-v6 for IPv6). */
static bool
config_parse_listen(struct config_parser *p, int family)
{
	p->config->listen_set = true;
	uint16_t port;
	if (!config_parse_list_port(p, &port))
		return false;
	while (config_next(p) == TOKEN_WORD || p->type == TOKEN_STRING) {
		if (!config_parse_listen_element(p, family, port) || !config_expect_end(p))
			return false;
	}
	return config_expect(p, TOKEN_CLOSE, "an address or '}'") && config_expect_end(p);
}

/* name N; with N in [min, max]. */
static bool
config_parse_number(struct config_parser *p, const char *name, unsigned long min,
	unsigned long max, unsigned long *out)
{
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value < min || value > max) {
		config_error(p, ZONED_EINVAL, "%s '%s' is not a number from %lu to %lu", name,
			config_token_text(p), min, max);
		return false;
	}
	*out = value;
	return config_expect_end(p);
}

static bool
config_parse_numeric_option(struct config_parser *p)
{
	struct config *c = p->config;
	unsigned long value;
	/* Compared now: the token buffer is reused by the next token. */
	if (strcmp(p->token, "edns-udp-size") == 0) {
		if (!config_parse_number(p, "edns-udp-size", 512, 4096, &value))
			return false;
		c->edns_udp_size = (uint16_t)value;
	} else if (strcmp(p->token, "tcp-clients") == 0) {
		if (!config_parse_number(p, "tcp-clients", 1, 1000000, &value))
			return false;
		c->tcp_clients = (unsigned)value;
	} else if (strcmp(p->token, "max-records") == 0) {
		/* One bad zone file must not take all memory: the loader stops there. */
		if (!config_parse_number(p, "max-records", 0, UINT32_MAX, &value))
			return false;
		c->max_records = (size_t)value;
	} else {
		/* BIND's unit is 100 ms; RFC 7766 6.2.3 wants seconds, not minutes. */
		if (!config_parse_number(p, "tcp-idle-timeout", 1, 1200, &value))
			return false;
		c->tcp_idle_timeout = (unsigned)value;
	}
	return true;
}

/* The longest server-id: it goes into the NSID option of every response that asks. */
#define CONFIG_SERVER_ID_MAX 255

/*
 * version "text" | none; hostname "text" | none; server-id "text" | none |
 * hostname (BIND's grammar; given twice, the last one counts).
 */
static bool
config_parse_identity(struct config_parser *p, const char *name, char **out)
{
	char *value = NULL;
	if (!config_parse_text(p, name, &value)) {
		free(value);
		return false;
	}
	free(*out);
	*out = value;
	if (strcmp(value, "none") == 0) {
		free(*out);
		*out = NULL;
	} else if (out == &p->config->server_id && strcmp(value, "hostname") == 0) {
		free(*out);
		*out = config_gethostname();
	}
	if (out == &p->config->server_id && *out != NULL
		&& strlen(*out) > CONFIG_SERVER_ID_MAX) {
		config_error(p, ZONED_EINVAL, "server-id is longer than %d octets",
			CONFIG_SERVER_ID_MAX);
		return false;
	}
	return true;
}

static bool
config_parse_directory(struct config_parser *p)
{
	char *value = NULL;
	if (!config_parse_text(p, "a directory", &value)) {
		free(value);  /* set even when the ';' is missing */
		return false;
	}
	char *path = config_resolve_path(p->source->directory, value);
	free(value);
	struct stat st;
	errno = 0;
	if (path == NULL || stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		config_error(p, ZONED_EINVAL, "directory %s: %s", path ? path : "",
			path == NULL ? "out of memory" : errno ? strerror(errno) : "not a directory");
		free(path);
		return false;
	}
	free(p->config->directory);
	p->config->directory = path;
	p->directory_seen = true;
	return true;
}

/* The numbers of rate-limit { }, with BIND 9.18's ranges (named-checkconf). */
static const struct config_rate_limit_number {
	const char *name;
	unsigned long min;
	unsigned long max;
	size_t offset;          /* of an unsigned in struct rrl_config */
} config_rate_limit_numbers[] = {
	{ "responses-per-second", 0, RRL_MAX_RATE, offsetof(struct rrl_config, rates[RRL_RESPONSE]) },
	{ "referrals-per-second", 0, RRL_MAX_RATE, offsetof(struct rrl_config, rates[RRL_REFERRAL]) },
	{ "nodata-per-second", 0, RRL_MAX_RATE, offsetof(struct rrl_config, rates[RRL_NODATA]) },
	{ "nxdomains-per-second", 0, RRL_MAX_RATE, offsetof(struct rrl_config, rates[RRL_NXDOMAIN]) },
	{ "errors-per-second", 0, RRL_MAX_RATE, offsetof(struct rrl_config, rates[RRL_ERROR]) },
	{ "slip", 0, RRL_MAX_SLIP, offsetof(struct rrl_config, slip) },
	{ "window", 1, RRL_MAX_WINDOW, offsetof(struct rrl_config, window) },
	{ "ipv4-prefix-length", 8, 32, offsetof(struct rrl_config, ipv4_prefix_length) },
	{ "ipv6-prefix-length", 16, 64, offsetof(struct rrl_config, ipv6_prefix_length) },
	{ "max-table-size", 1, 100000000, offsetof(struct rrl_config, table_size) },
	{ NULL, 0, 0, 0 },
};

struct config_rate_limit_state {
	struct rrl_config *rrl;
	unsigned long given;    /* bit i: config_rate_limit_numbers[i] was set */
};

static bool
config_parse_rate_limit_statement(struct config_parser *p, void *arg)
{
	struct config_rate_limit_state *state = arg;
	for (size_t i = 0; config_rate_limit_numbers[i].name != NULL; i++) {
		const struct config_rate_limit_number *n = &config_rate_limit_numbers[i];
		unsigned long value;
		if (strcmp(p->token, n->name) != 0)
			continue;
		if (!config_parse_number(p, n->name, n->min, n->max, &value))
			return false;
		*(unsigned *)((char *)state->rrl + n->offset) = (unsigned)value;
		state->given |= 1ul << i;
		return true;
	}
	if (strcmp(p->token, "exempt-clients") == 0)
		return config_parse_match_list(p, "exempt-clients", &p->exempt_clients);
	if (strcmp(p->token, "log-only") == 0) {
		config_next(p);
		bool yes = strcmp(p->token, "yes") == 0 || strcmp(p->token, "true") == 0;
		if (p->type != TOKEN_WORD || (!yes && strcmp(p->token, "no") != 0
			&& strcmp(p->token, "false") != 0)) {
			config_error(p, ZONED_EINVAL, "log-only '%s': expected yes or no",
				config_token_text(p));
			return false;
		}
		state->rrl->log_only = yes;
		return config_expect_end(p);
	}
	if (strcmp(p->token, "min-table-size") == 0) {
		/* The table is allocated at max-table-size from the start. */
		config_warning(p, "rate-limit option 'min-table-size' is met by "
			"max-table-size: accepted, meaningless here");
		return config_skip_statement(p);
	}
	if (strcmp(p->token, "all-per-second") == 0 || strcmp(p->token, "qps-scale") == 0) {
		config_error(p, ZONED_EINVAL, "rate-limit option '%s' is not implemented",
			p->token);
		return false;
	}
	config_error(p, ZONED_ESYNTAX, "unknown rate-limit option '%s'", p->token);
	return false;
}

/* rate-limit { ... }; BIND 9.18's response rate limiting, for UDP. */
static bool
config_parse_rate_limit(struct config_parser *p)
{
	if (p->config->rate_limit != NULL) {
		config_error(p, ZONED_ESYNTAX, "rate-limit given twice");
		return false;
	}
	struct config_rate_limit_state state = { rrl_config_create(), 0 };
	if (state.rrl == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	p->config->rate_limit = state.rrl;
	if (!config_parse_block(p, config_parse_rate_limit_statement, &state))
		return false;
	/* The other per-second rates default to responses-per-second (BIND);
	 * the table's first entries are the rates, in enum rrl_class order. */
	for (int class = RRL_REFERRAL; class <= RRL_ERROR; class++) {
		if (!(state.given & (1ul << class)))
			state.rrl->rates[class] = state.rrl->rates[RRL_RESPONSE];
	}
	return true;
}

static bool
config_parse_option(struct config_parser *p)
{
	const char *word = p->token;
	struct config *c = p->config;
	if (strcmp(word, "directory") == 0)
		return config_parse_directory(p);
	if (strcmp(word, "listen-on") == 0)
		return config_parse_listen(p, AF_INET);
	if (strcmp(word, "listen-on-v6") == 0)
		return config_parse_listen(p, AF_INET6);
	if (strcmp(word, "pid-file") == 0)
		return config_parse_identity(p, "a file name", &c->pid_file);
	if (strcmp(word, "version") == 0)
		return config_parse_identity(p, "a version string", &c->version);
	if (strcmp(word, "server-id") == 0)
		return config_parse_identity(p, "a server id", &c->server_id);
	if (strcmp(word, "hostname") == 0)
		return config_parse_identity(p, "a host name", &c->hostname);
	if (strcmp(word, "edns-udp-size") == 0 || strcmp(word, "tcp-clients") == 0
	    || strcmp(word, "tcp-idle-timeout") == 0 || strcmp(word, "max-records") == 0)
		return config_parse_numeric_option(p);
	if (strcmp(word, "recursion") == 0)
		return config_parse_recursion(p);
	if (strcmp(word, "rate-limit") == 0)
		return config_parse_rate_limit(p);
	if (strcmp(word, "allow-query") == 0)
		return config_parse_match_list(p, "allow-query", &p->allow_query);
	if (strcmp(word, "blackhole") == 0)
		return config_parse_match_list(p, "blackhole", &p->blackhole);
	if (strcmp(word, "notify") == 0)
		return config_parse_notify(p, &c->notify);
	if (strcmp(word, "also-notify") == 0) {
		p->also_notify_file = p->token_file;
		p->also_notify_line = p->token_line;
		return config_parse_also_notify(p, &c->notify);
	}
	if (strncmp(word, "notify-source", 13) == 0 && (!word[13] || !strcmp(word + 13, "-v6")))
		return config_parse_notify_source(p, word[13] ? AF_INET6 : AF_INET);
	if (config_is_cookie_option(word))
		return config_parse_cookie_option(p);
	if (config_is_transfer_option(word))
		return config_parse_transfer_option(p);
	if (strcmp(word, "allow-transfer") == 0)
		return config_parse_match_list(p, "allow-transfer", &p->allow_transfer);
	if (strcmp(word, "max-journal-size") == 0)
		return config_parse_journal_size(p, &c->max_journal_size);
	if (strcmp(word, "allow-notify") == 0)
		return config_parse_match_list(p, "allow-notify", &p->allow_notify);
	if (config_is_refresh_option(word))
		return config_parse_refresh_option(p);
	const struct config_unsupported *u = config_find_unsupported(
		config_unsupported_options, word);
	if (u != NULL)
		return config_parse_unsupported(p, "option", u);
	config_error(p, ZONED_ESYNTAX, "unknown option '%s'", word);
	return false;
}

bool
config_parse_block(struct config_parser *p, bool (*parse)(struct config_parser *, void *),
	void *arg)
{
	config_next(p);
	if (!config_expect(p, TOKEN_OPEN, "'{'"))
		return false;
	unsigned depth = p->depth;
	bool failed = false;
	for (;;) {
		config_next(p);
		if (p->type == TOKEN_CLOSE)
			return config_expect_end(p) && !failed;
		bool ok = config_expect(p, TOKEN_WORD, "a statement or '}'")
			&& (strcmp(p->token, "include") == 0 ? config_parse_include(p)
				: parse(p, arg));
		if (ok)
			continue;
		/* Go on with the next statement, so that its errors show too. */
		failed = true;
		switch (config_recover(p, depth)) {
		case CONFIG_RECOVER_NEXT:
			continue;
		case CONFIG_RECOVER_CLOSED:
			config_expect_end(p);
			return false;
		case CONFIG_RECOVER_STOP:
			return false;
		}
	}
}

static bool
config_parse_options_statement(struct config_parser *p, void *arg)
{
	return config_parse_option(p);
}

struct config_zone_state {
	char *file;
	struct acl_list *allow_query;
	struct config_notify notify;
	struct acl_list *allow_transfer;
	bool type_seen;
	struct config_journal journal;
	bool secondary;
	struct config_primary *primaries;
	size_t primary_count;
	struct acl_list *allow_notify;
};

static bool
config_parse_zone_statement(struct config_parser *p, void *arg)
{
	struct config_zone_state *z = arg;
	if (strcmp(p->token, "file") == 0)
		return config_parse_text(p, "a file name", &z->file);
	if (strcmp(p->token, "type") == 0) {
		config_next(p);
		if (!config_expect(p, TOKEN_WORD, "a zone type"))
			return false;
		z->secondary = strcmp(p->token, "secondary") == 0
			|| strcmp(p->token, "slave") == 0;
		if (!z->secondary && strcmp(p->token, "primary") != 0
		    && strcmp(p->token, "master") != 0) {
			config_error(p, ZONED_EINVAL, "zone type '%s' is not supported: zoned "
				"serves primary and secondary zones only", p->token);
			return false;
		}
		z->type_seen = true;
		return config_expect_end(p);
	}
	if (strcmp(p->token, "masterfile-format") == 0) {
		config_next(p);
		if (strcmp(p->token, "text") != 0) {
			config_error(p, ZONED_EINVAL, "masterfile-format '%s' is not supported: "
				"zone files are text", config_token_text(p));
			return false;
		}
		return config_expect_end(p);
	}
	if (strcmp(p->token, "allow-query") == 0)
		return config_parse_match_list(p, "allow-query", &z->allow_query);
	if (strcmp(p->token, "notify") == 0)
		return config_parse_notify(p, &z->notify);
	if (strcmp(p->token, "also-notify") == 0)
		return config_parse_also_notify(p, &z->notify);
	if (strcmp(p->token, "allow-transfer") == 0)
		return config_parse_match_list(p, "allow-transfer", &z->allow_transfer);
	if (config_is_journal_option(p->token))
		return config_parse_journal_option(p, &z->journal);
	if (strcmp(p->token, "primaries") == 0 || strcmp(p->token, "masters") == 0)
		return config_parse_primaries(p, &z->primaries, &z->primary_count);
	if (strcmp(p->token, "allow-notify") == 0)
		return config_parse_match_list(p, "allow-notify", &z->allow_notify);
	const struct config_unsupported *u = config_find_unsupported(
		config_unsupported_zone_options, p->token);
	if (u != NULL)
		return config_parse_unsupported(p, "zone option", u);
	config_error(p, ZONED_ESYNTAX, "unknown zone option '%s'", p->token);
	return false;
}

static bool
config_add_pending_zone(struct config_parser *p, char *name,
	struct config_zone_state *z, const char *source, unsigned long line)
{
	struct config_pending_zone *zones = realloc(p->zones,
		(p->zone_count + 1) * sizeof *zones);
	if (zones == NULL) {
		free(name);
		free(z->file);
		acl_list_free(z->allow_query);
		config_notify_free(&z->notify);
		acl_list_free(z->allow_transfer);
		free(z->journal.path);
		config_primaries_free(z->primaries, z->primary_count);
		acl_list_free(z->allow_notify);
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	p->zones = zones;
	zones[p->zone_count++] = (struct config_pending_zone){ name, z->file, source, line,
		z->allow_query, z->notify, z->allow_transfer, z->journal, z->secondary, z->primaries,
		z->primary_count, z->allow_notify };
	return true;
}

/* zone "name" [IN] { type primary; file "name"; }; */
static bool
config_parse_zone(struct config_parser *p)
{
	const char *source = p->token_file;
	unsigned long line = p->token_line;
	if (!config_next_name(p, "a zone name"))
		return false;
	uint8_t origin[DNAME_MAX_LENGTH];
	if (dname_from_text(p->token, origin) < 0) {
		config_error(p, ZONED_EINVAL, "'%s' is not a valid zone name", p->token);
		return false;
	}
	char *name = strdup(p->token);
	struct config_zone_state z = { NULL, NULL, { 0 }, NULL, false,
		{ NULL, CONFIG_JOURNAL_SIZE_DEFAULT, false }, false, NULL, 0, NULL };
	/* An optional class: only IN makes sense. */
	config_next(p);
	bool ok = true;
	if (p->type == TOKEN_WORD || p->type == TOKEN_STRING) {
		if (strcasecmp(p->token, "IN") != 0) {
			config_error(p, ZONED_EINVAL, "zone %s: class '%s' is not supported", name,
				p->token);
			ok = false;
		}
	} else if (p->type == TOKEN_OPEN) {
		p->source->position--;   /* give the '{' back to the block reader */
		p->depth--;
	} else {
		config_error(p, ZONED_EINVAL, "zone %s: expected '{'", name);
		ok = false;
	}
	if (ok)
		ok = config_parse_block(p, config_parse_zone_statement, &z);
	if (ok && !z.type_seen) {
		p->token_file = source;
		p->token_line = line;
		config_error(p, ZONED_EINVAL, "zone %s: missing 'type primary;' (or secondary)",
			name);
		ok = false;
	} else if (ok && z.file == NULL) {
		p->token_file = source;
		p->token_line = line;
		config_error(p, ZONED_EINVAL, "zone %s: missing 'file'", name);
		ok = false;
	}
	if (!ok || name == NULL) {
		free(name);
		free(z.file);
		acl_list_free(z.allow_query);
		config_notify_free(&z.notify);
		acl_list_free(z.allow_transfer);
		free(z.journal.path);
		config_primaries_free(z.primaries, z.primary_count);
		acl_list_free(z.allow_notify);
		return false;
	}
	return config_add_pending_zone(p, name, &z, source, line);
}

static bool
config_parse_statement(struct config_parser *p)
{
	const char *word = p->token;
	if (strcmp(word, "include") == 0)
		return config_parse_include(p);
	if (strcmp(word, "zone") == 0)
		return config_parse_zone(p);
	if (strcmp(word, "options") == 0) {
		if (p->options_seen) {
			config_error(p, ZONED_ESYNTAX, "options given twice");
			return false;
		}
		p->options_seen = true;
		return config_parse_block(p, config_parse_options_statement, NULL);
	}
	if (strcmp(word, "acl") == 0)
		return config_parse_acl(p);
	if (strcmp(word, "key") == 0)
		return config_parse_key(p);
	if (strcmp(word, "statistics-channels") == 0)
		return config_parse_statistics_channels(p);
	if (strcmp(word, "controls") == 0)
		return config_parse_controls(p);
	if (strcmp(word, "logging") == 0) {
		/* Where lines go cannot change what is served or to whom: ignoring it is safe. */
		config_warning(p, "statement 'logging' is not supported: ignored (zoned logs to "
			"standard error, or to syslog with -d)");
		return config_skip_statement(p);
	}
	const struct config_unsupported *u = config_find_unsupported(
		config_unsupported_statements, word);
	if (u != NULL)
		return config_parse_unsupported(p, "statement", u);
	config_error(p, ZONED_ESYNTAX, "unknown statement '%s'", word);
	return false;
}

/* Resolves the zones' files now that "directory" is known. */
static void
config_add_pending_zones(struct config_parser *p)
{
	for (size_t i = 0; i < p->zone_count && p->error == 0; i++) {
		struct config_pending_zone *z = &p->zones[i];
		int rc = config_add_zone(p->config, z->name, z->file, z->source, z->line);
		if (rc != 0) {
			p->token_file = z->source;
			p->token_line = z->line;
			config_error(p, rc, "zone %s: %s", z->name, rc == ZONED_EEXIST
				? "configured twice" : zoned_strerror(rc));
		} else {
			struct config_zone *zone = &p->config->zones[p->config->zone_count - 1];
			/* The checks below report at the zone's line, not the end of the file. */
			p->token_file = z->source;
			p->token_line = z->line;
			config_compile_zone_acl(p, z, zone);
			zone->notify = z->notify;
			memset(&z->notify, 0, sizeof z->notify);
			config_check_notify_keys(p, &zone->notify);
			config_set_zone_journal(p, z, zone);
			zone->secondary = z->secondary;
			zone->primaries = z->primaries;
			zone->primary_count = z->primary_count;
			z->primaries = NULL;
			z->primary_count = 0;
			config_check_secondary(p, zone);
		}
	}
}

static void
config_parser_cleanup(struct config_parser *p)
{
	for (size_t i = 0; i < p->zone_count; i++) {
		free(p->zones[i].name);
		free(p->zones[i].file);
		acl_list_free(p->zones[i].allow_query);
		config_notify_free(&p->zones[i].notify);
		acl_list_free(p->zones[i].allow_transfer);
		free(p->zones[i].journal.path);
		config_primaries_free(p->zones[i].primaries, p->zones[i].primary_count);
		acl_list_free(p->zones[i].allow_notify);
	}
	free(p->zones);
	config_acl_cleanup(p);
	config_free_sources(p);
}

static int
config_parse(const char *text, size_t length, const char *name, struct diag *d,
	struct config **out)
{
	*out = NULL;
	struct config_parser p = { .d = d, .token_file = name };
	p.config = config_create();
	if (p.config == NULL || config_push_source(&p, text, length, name) != 0) {
		config_free(p.config);
		config_parser_cleanup(&p);
		return ZONED_ENOMEM;
	}
	/* Relative paths in the main file are from its own directory. */
	p.config->directory = strdup(p.source->directory);
	p.config->path = config_resolve_path(NULL, name);
	if (p.config->directory == NULL || p.config->path == NULL)
		p.error = ZONED_ENOMEM;
	/* A failed statement does not end the parse: every error is reported. */
	while (p.error != ZONED_ENOMEM && config_next(&p) != TOKEN_EOF) {
		if (config_expect(&p, TOKEN_WORD, "a statement") && config_parse_statement(&p))
			continue;
		if (config_recover(&p, 0) == CONFIG_RECOVER_STOP)
			break;
	}
	/* Keys may come after the also-notify naming them: checked at its line now. */
	if (p.also_notify_file != NULL) {
		p.token_file = p.also_notify_file;
		p.token_line = p.also_notify_line;
	}
	if (p.error == 0 && config_check_notify_keys(&p, NULL))
		config_compile_acls(&p);
	config_add_pending_zones(&p);
	config_parser_cleanup(&p);
	if (p.error != 0) {
		config_free(p.config);
		return p.error;
	}
	*out = p.config;
	return 0;
}

int
config_load_text(const char *text, size_t length, const char *name,
	struct diag *d, struct config **out)
{
	return config_parse(text, length, name, d, out);
}

int
config_load_file(const char *path, struct diag *d, struct config **out)
{
	*out = NULL;
	char *text = NULL;
	size_t length = 0;
	int rc = config_read_file(path, &text, &length);
	if (rc != 0) {
		diag_report(d, DIAG_ERROR, path, 0, "cannot read: %s", strerror(errno));
		return rc;
	}
	rc = config_parse(text, length, path, d, out);
	free(text);
	return rc;
}
