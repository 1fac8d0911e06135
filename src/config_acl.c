/*
 * config_acl.c: the config grammar for access control: acl and key
 * statements, address match lists, and their compilation at the end of the
 * load (acl names may be used before they are defined).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_lex.h"
#include "zoned/acl.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/rrl.h"

/* BIND's limit is its parser's; ours keeps the compiler's recursion small. */
#define CONFIG_ACL_MAX_NESTING 32

static bool config_parse_acl_elements(struct config_parser *p, struct acl_list *list,
	unsigned depth);

/* The value of one element (the "!" already taken) into *e. */
static bool
config_parse_acl_element(struct config_parser *p, struct acl_element *e, unsigned depth)
{
	if (p->type == TOKEN_OPEN) {
		if (depth >= CONFIG_ACL_MAX_NESTING) {
			config_error(p, ZONED_ELIMIT, "address match list nested too deeply");
			return false;
		}
		e->kind = ACL_ELEMENT_LIST;
		e->list = acl_list_create();
		if (e->list == NULL) {
			config_error(p, ZONED_ENOMEM, "out of memory");
			return false;
		}
		return config_parse_acl_elements(p, e->list, depth + 1);
	}
	if (p->type != TOKEN_WORD && p->type != TOKEN_STRING) {
		config_expect(p, TOKEN_WORD, "an address match list element");
		return false;
	}
	bool key = p->type == TOKEN_WORD && strcmp(p->token, "key") == 0;
	if (key) {
		if (!config_next_name(p, "a key name"))
			return false;
	} else {
		const char *problem;
		int rc = acl_element_parse(p->token, e, &problem);
		if (rc == 0)
			return true;
		if (rc != ZONED_EINVAL) {
			config_error(p, ZONED_EINVAL, "'%s': %s", p->token, problem);
			return false;
		}
	}
	e->kind = key ? ACL_ELEMENT_KEY : ACL_ELEMENT_NAME;
	e->name = strdup(p->token);
	if (e->name == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	return true;
}

/* Elements up to '}' (the '{' read), each ended by ';'. */
static bool
config_parse_acl_elements(struct config_parser *p, struct acl_list *list, unsigned depth)
{
	for (;;) {
		if (config_next(p) == TOKEN_CLOSE)
			return true;
		struct acl_element e;
		memset(&e, 0, sizeof e);
		const char *file = p->token_file;
		unsigned long line = p->token_line;
		/* "!x" is one word, "! x" and "!{" two tokens. */
		bool negated = p->type == TOKEN_WORD && p->token[0] == '!';
		if (negated && p->token[1] == '\0')
			config_next(p);
		else if (negated)
			memmove(p->token, p->token + 1, strlen(p->token));
		bool ok = config_parse_acl_element(p, &e, depth);
		e.negated = negated;
		e.file = file;
		e.line = line;
		if (ok && acl_list_append(list, &e) != 0) {
			config_error(p, ZONED_ENOMEM, "out of memory");
			ok = false;
		}
		if (!ok) {
			free(e.name);
			acl_list_free(e.list);
			return false;
		}
		if (!config_expect_end(p))
			return false;
	}
}

bool
config_parse_match_list(struct config_parser *p, const char *what, struct acl_list **slot)
{
	if (*slot != NULL) {
		config_error(p, ZONED_ESYNTAX, "%s given twice", what);
		return false;
	}
	config_next(p);
	if (!config_expect(p, TOKEN_OPEN, "'{'"))
		return false;
	*slot = acl_list_create();
	if (*slot == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	return config_parse_acl_elements(p, *slot, 0) && config_expect_end(p);
}

/* BIND's built-in acls cannot be redefined. */
static bool
config_acl_name_is_builtin(const char *name)
{
	struct acl_element e;
	return acl_element_parse(name, &e, NULL) == 0 && e.kind != ACL_ELEMENT_PREFIX;
}

bool
config_parse_acl(struct config_parser *p)
{
	const char *file = p->token_file;
	unsigned long line = p->token_line;
	if (!config_next_name(p, "an acl name"))
		return false;
	if (config_acl_name_is_builtin(p->token)) {
		config_error(p, ZONED_EINVAL, "acl '%s': a built-in acl cannot be redefined",
			p->token);
		return false;
	}
	for (size_t i = 0; i < p->acl_count; i++) {
		if (strcmp(p->acls[i].name, p->token) == 0) {
			config_error(p, ZONED_EINVAL, "acl '%s' defined twice (first at %s:%lu)",
				p->token, p->acls[i].file, p->acls[i].line);
			return false;
		}
	}
	struct acl_definition *acls = realloc(p->acls, (p->acl_count + 1) * sizeof *acls);
	if (acls == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	p->acls = acls;
	struct acl_definition *d = &acls[p->acl_count];
	*d = (struct acl_definition){ strdup(p->token), NULL, file, line };
	if (d->name == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	p->acl_count++;
	return config_parse_match_list(p, "acl", &d->list);
}

/* ---- key statements ---- */

/* The TSIG algorithms BIND accepts (RFC 8945 6; hmac-md5 for old peers). */
static const char *const config_key_algorithms[] = {
	"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
	"hmac-sha512", NULL,
};

static int
config_base64_value(char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *at = c != '\0' ? strchr(alphabet, c) : NULL;
	return at ? (int)(at - alphabet) : -1;
}

/*
 * Decodes RFC 4648 base64 (whitespace skipped, '=' padding required to a
 * multiple of 4) into a new buffer. Returns its length, or -1 when malformed.
 */
static long
config_base64_decode(const char *text, uint8_t **out)
{
	size_t length = strlen(text);
	uint8_t *bytes = malloc(length / 4 * 3 + 3);
	*out = bytes;
	if (bytes == NULL)
		return -1;
	size_t used = 0, digits = 0, padding = 0;
	uint32_t group = 0;
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
			continue;
		int value = *c == '=' ? 0 : config_base64_value(*c);
		if (value < 0 || (padding > 0 && *c != '='))
			return -1;
		padding += *c == '=';
		group = group << 6 | (uint32_t)value;
		if (++digits % 4 != 0)
			continue;
		if (padding > 2)
			return -1;
		bytes[used++] = (uint8_t)(group >> 16);
		bytes[used++] = (uint8_t)(group >> 8);
		bytes[used++] = (uint8_t)group;
		used -= padding;
		group = 0;
	}
	return digits == 0 || digits % 4 != 0 ? -1 : (long)used;
}

struct config_key_state {
	struct config_key *key;
	bool algorithm_seen;
	bool secret_seen;
};

static bool
config_parse_key_statement(struct config_parser *p, void *arg)
{
	struct config_key_state *state = arg;
	struct config_key *key = state->key;
	bool algorithm = strcmp(p->token, "algorithm") == 0;
	if (!algorithm && strcmp(p->token, "secret") != 0) {
		config_error(p, ZONED_ESYNTAX, "unknown key option '%s'", p->token);
		return false;
	}
	config_next(p);
	if (p->type != TOKEN_WORD && p->type != TOKEN_STRING)
		return config_expect(p, TOKEN_STRING, algorithm ? "an algorithm" : "a secret");
	if (algorithm) {
		for (size_t i = 0; config_key_algorithms[i] != NULL; i++) {
			if (strcasecmp(p->token, config_key_algorithms[i]) == 0)
				key->algorithm = config_key_algorithms[i];
		}
		if (key->algorithm == NULL) {
			config_error(p, ZONED_EINVAL, "key %s: algorithm '%s' is not one of "
				"hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, "
				"hmac-sha512", key->name, p->token);
			return false;
		}
		state->algorithm_seen = true;
	} else {
		free(key->secret);
		long length = config_base64_decode(p->token, &key->secret);
		if (length <= 0) {
			config_error(p, ZONED_EINVAL, "key %s: the secret is not valid base64",
				key->name);
			return false;
		}
		key->secret_length = (size_t)length;
		state->secret_seen = true;
	}
	return config_expect_end(p);
}

/* Reads { ... }; for a key (config_parse_block lives in config.c). */
static bool
config_parse_key_block(struct config_parser *p, struct config_key_state *state)
{
	config_next(p);
	if (!config_expect(p, TOKEN_OPEN, "'{'"))
		return false;
	for (;;) {
		config_next(p);
		if (p->type == TOKEN_CLOSE)
			return config_expect_end(p);
		if (!config_expect(p, TOKEN_WORD, "algorithm, secret or '}'")
		    || !config_parse_key_statement(p, state))
			return false;
	}
}

bool
config_parse_key(struct config_parser *p)
{
	const char *file = p->token_file;
	unsigned long line = p->token_line;
	struct config *c = p->config;
	if (!config_next_name(p, "a key name"))
		return false;
	struct config_key key = { .name = strdup(p->token) };
	if (key.name == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	bool ok = dname_from_text(key.name, key.name_wire) >= 0;
	if (!ok)
		config_error(p, ZONED_EINVAL, "key '%s' is not a valid key name", key.name);
	dname_lower(key.name_wire);
	for (size_t i = 0; ok && i < c->key_count; i++) {
		if (dname_equal(c->keys[i].name_wire, key.name_wire)) {
			config_error(p, ZONED_EINVAL, "key '%s' defined twice", key.name);
			ok = false;
		}
	}
	struct config_key_state state = { &key, false, false };
	ok = ok && config_parse_key_block(p, &state);
	if (ok && (!state.algorithm_seen || !state.secret_seen)) {
		p->token_file = file;
		p->token_line = line;
		config_error(p, ZONED_EINVAL, "key %s: missing '%s'", key.name,
			state.algorithm_seen ? "secret" : "algorithm");
		ok = false;
	}
	struct config_key *keys = ok ? realloc(c->keys, (c->key_count + 1) * sizeof *keys)
		: NULL;
	if (ok && keys == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		ok = false;
	}
	if (!ok) {
		free(key.name);
		free(key.secret);
		return false;
	}
	c->keys = keys;
	keys[c->key_count++] = key;
	return true;
}

/* ---- compiling at the end of the load ---- */

/* Compiles list into *out; errors go to p (file:line of the element). */
static bool
config_compile_list(struct config_parser *p, const struct acl_list *list, struct acl **out)
{
	struct config *c = p->config;
	const char **names = calloc(c->key_count + 1, sizeof *names);
	if (names == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	for (size_t i = 0; i < c->key_count; i++)
		names[i] = c->keys[i].name;
	struct acl_context context = {
		.definitions = p->acls, .definition_count = p->acl_count,
		.key_names = names, .key_count = c->key_count, .d = p->d,
	};
	int rc = acl_compile(list, &context, out);
	free(names);
	if (rc == ZONED_EIO)
		config_error(p, rc, "cannot read the host's interface addresses");
	else if (rc != 0 && p->error == 0)
		p->error = rc;
	return rc == 0;
}

bool
config_compile_acls(struct config_parser *p)
{
	/* Each definition once, used or not, so that its errors show once. */
	for (size_t i = 0; i < p->acl_count && p->error == 0; i++) {
		/* Through its name, so a loop back to it is seen at once. */
		struct acl_element e = { .kind = ACL_ELEMENT_NAME, .name = p->acls[i].name,
			.file = p->acls[i].file, .line = p->acls[i].line };
		struct acl_list list = { &e, 1 };
		struct acl *acl = NULL;
		config_compile_list(p, &list, &acl);
		acl_free(acl);
	}
	struct config *c = p->config;
	if (p->error == 0 && p->allow_query != NULL)
		config_compile_list(p, p->allow_query, &c->allow_query);
	if (p->error == 0 && p->blackhole != NULL)
		config_compile_list(p, p->blackhole, &c->blackhole);
	if (p->error == 0 && p->allow_transfer != NULL)
		config_compile_list(p, p->allow_transfer, &c->allow_transfer);
	if (p->error == 0 && p->allow_notify != NULL)
		config_compile_list(p, p->allow_notify, &c->allow_notify);
	if (p->error == 0 && p->exempt_clients != NULL && c->rate_limit != NULL)
		config_compile_list(p, p->exempt_clients, &c->rate_limit->exempt);
	for (size_t i = 0; i < c->statistics_channel_count && p->error == 0; i++) {
		if (p->channel_allow[i] != NULL)
			config_compile_list(p, p->channel_allow[i], &c->statistics_channels[i].allow);
	}
	return p->error == 0;
}

bool
config_compile_zone_acl(struct config_parser *p, struct config_pending_zone *pending,
	struct config_zone *zone)
{
	if (pending->allow_query != NULL
		&& !config_compile_list(p, pending->allow_query, &zone->allow_query))
		return false;
	if (pending->allow_notify != NULL
		&& !config_compile_list(p, pending->allow_notify, &zone->allow_notify))
		return false;
	return pending->allow_transfer == NULL
		|| config_compile_list(p, pending->allow_transfer, &zone->allow_transfer);
}

void
config_acl_cleanup(struct config_parser *p)
{
	for (size_t i = 0; i < p->acl_count; i++) {
		free(p->acls[i].name);
		acl_list_free(p->acls[i].list);
	}
	free(p->acls);
	acl_list_free(p->allow_query);
	acl_list_free(p->blackhole);
	acl_list_free(p->allow_transfer);
	acl_list_free(p->allow_notify);
	acl_list_free(p->exempt_clients);
	for (size_t i = 0; p->channel_allow != NULL && i < p->config->statistics_channel_count; i++)
		acl_list_free(p->channel_allow[i]);
	free(p->channel_allow);
}
