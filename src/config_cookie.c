/*
 * config_cookie.c: the config grammar for DNS Cookies, as named.conf has it:
 * answer-cookie, cookie-secret (repeated: the first makes cookies, all are
 * accepted), require-server-cookie, cookie-algorithm siphash24.
 */
#include <config.h>

#include <string.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/cookie.h"
#include "zoned/error.h"

static const char *const config_cookie_words[] = {
	"answer-cookie", "cookie-secret", "require-server-cookie", "cookie-algorithm", NULL,
};

bool
config_is_cookie_option(const char *word)
{
	for (size_t i = 0; config_cookie_words[i] != NULL; i++) {
		if (strcmp(config_cookie_words[i], word) == 0)
			return true;
	}
	return false;
}

/* name yes|no; (BIND's booleans: yes, no, true, false, 1, 0). */
static bool
config_parse_boolean(struct config_parser *p, const char *name, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1" }, *const no[] = { "no", "false", "0" };
	config_next(p);
	for (size_t i = 0; p->type == TOKEN_WORD && i < 3; i++) {
		if (strcmp(p->token, yes[i]) == 0 || strcmp(p->token, no[i]) == 0) {
			*out = strcmp(p->token, yes[i]) == 0;
			return config_expect_end(p);
		}
	}
	config_error(p, ZONED_EINVAL, "%s '%s': expected yes or no", name, config_token_text(p));
	return false;
}

/* cookie-secret "hex"; 128 bits for SipHash-2-4, added to the list. */
static bool
config_parse_cookie_secret(struct config_parser *p)
{
	struct cookie_config *cookies = &p->config->cookies;
	config_next(p);
	if (p->type != TOKEN_STRING && p->type != TOKEN_WORD) {
		config_expect(p, TOKEN_STRING, "a cookie secret in hex");
		return false;
	}
	if (cookies->secret_count == COOKIE_SECRETS_MAX) {
		config_error(p, ZONED_ELIMIT, "more than %d cookie-secret statements",
			COOKIE_SECRETS_MAX);
		return false;
	}
	const char *problem = NULL;
	if (cookie_secret_from_hex(p->token, cookies->secrets[cookies->secret_count], &problem)
		!= 0) {
		config_error(p, ZONED_EINVAL, "%s", problem);
		return false;
	}
	cookies->secret_count++;
	return config_expect_end(p);
}

bool
config_parse_cookie_option(struct config_parser *p)
{
	struct config *c = p->config;
	if (strcmp(p->token, "answer-cookie") == 0)
		return config_parse_boolean(p, "answer-cookie", &c->answer_cookie);
	if (strcmp(p->token, "require-server-cookie") == 0)
		return config_parse_boolean(p, "require-server-cookie",
			&c->cookies.require_server_cookie);
	if (strcmp(p->token, "cookie-secret") == 0)
		return config_parse_cookie_secret(p);
	/* cookie-algorithm: BIND 9.18's default; aes is deprecated there. */
	config_next(p);
	if (p->type != TOKEN_WORD || strcmp(p->token, "siphash24") != 0) {
		config_error(p, ZONED_EINVAL, "cookie-algorithm '%s' is not implemented (only "
			"'cookie-algorithm siphash24;' is)", config_token_text(p));
		return false;
	}
	return config_expect_end(p);
}
