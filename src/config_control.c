/*
 * config_control.c: BIND's controls statement, where zoned-control reaches
 * the daemon (control.c):
 *   controls { unix "PATH" [ perm MODE ] [ owner UID ] [ group GID ]; };
 * An empty block (controls { };) serves no control channel, as in BIND.
 * inet channels (rndc's TCP with keys) are not supported: access is the
 * socket's file permissions.
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "zoned/config.h"
#include "zoned/error.h"

#define CONFIG_CONTROL_DEFAULT_PERM 0600

/*
 * A number after perm, owner or group, C style as BIND reads it (0600 is
 * octal, 0x1f hex, else decimal), from 0 to max.
 */
static bool
config_parse_control_number(struct config_parser *p, const char *what, unsigned long max,
	unsigned long *out)
{
	config_next(p);
	char *end;
	unsigned long value = strtoul(p->token, &end, 0);
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value > max) {
		if (max == 0777)
			config_error(p, ZONED_EINVAL, "controls: %s '%s' is not a mode from 0 to "
				"0777", what, config_token_text(p));
		else
			config_error(p, ZONED_EINVAL, "controls: %s '%s' is not a number from 0 to "
				"%lu", what, config_token_text(p), max);
		return false;
	}
	*out = value;
	return true;
}

/* One option after the path: perm, owner or group. */
static bool
config_parse_control_option(struct config_parser *p, struct config_control *control)
{
	unsigned long value;
	const char *word = p->token;
	if (strcmp(word, "perm") == 0) {
		if (!config_parse_control_number(p, "perm", 0777, &value))
			return false;
		control->perm = (unsigned)value;
		return true;
	}
	bool owner = strcmp(word, "owner") == 0;
	if (owner || strcmp(word, "group") == 0) {
		if (!config_parse_control_number(p, owner ? "owner" : "group", INT_MAX, &value))
			return false;
		*(owner ? &control->owner : &control->group) = (long)value;
		return true;
	}
	if (strcmp(word, "keys") == 0 || strcmp(word, "read-only") == 0) {
		config_error(p, ZONED_EINVAL, "controls: '%s' is not supported (access to the "
			"control socket is its file permissions)", word);
		return false;
	}
	config_error(p, ZONED_ESYNTAX, "controls: expected perm, owner, group or ';', found %s",
		config_token_text(p));
	return false;
}

/* unix "PATH" [perm N] [owner N] [group N]; */
static bool
config_parse_control_unix(struct config_parser *p)
{
	struct config_control *control = &p->config->control;
	if (control->path != NULL) {
		config_error(p, ZONED_EINVAL, "controls: only one unix control channel is "
			"supported");
		return false;
	}
	config_next(p);
	if (!config_expect(p, TOKEN_STRING, "a quoted socket path"))
		return false;
	char *path = config_resolve_path(p->source->directory, p->token);
	if (path == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	control->path = path;
	for (;;) {
		config_next(p);
		if (p->type == TOKEN_END)
			return true;
		if (p->type != TOKEN_WORD) {
			config_error(p, ZONED_ESYNTAX, "controls: expected perm, owner, group or "
				"';', found %s", config_token_text(p));
			return false;
		}
		if (!config_parse_control_option(p, control))
			return false;
	}
}

static bool
config_parse_control_statement(struct config_parser *p, void *arg)
{
	if (strcmp(p->token, "inet") == 0) {
		config_error(p, ZONED_EINVAL, "controls 'inet' is not supported (only 'unix' is: "
			"zoned-control uses a unix socket)");
		return false;
	}
	if (strcmp(p->token, "unix") != 0) {
		config_error(p, ZONED_ESYNTAX, "controls: expected unix, found '%s'", p->token);
		return false;
	}
	return config_parse_control_unix(p);
}

bool
config_parse_controls(struct config_parser *p)
{
	struct config_control *control = &p->config->control;
	if (control->given) {
		config_error(p, ZONED_EINVAL, "controls given twice");
		return false;
	}
	control->given = true;
	control->perm = CONFIG_CONTROL_DEFAULT_PERM;
	control->owner = -1;
	control->group = -1;
	return config_parse_block(p, config_parse_control_statement, NULL);
}
