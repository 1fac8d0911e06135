/* config_lex.c: the config tokenizer: comments, strings, words, include. */
#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_lex.h"
#include "zoned/diag.h"
#include "zoned/error.h"

/* Joins a relative path to base (NULL: the current directory). */
char *
config_resolve_path(const char *base, const char *path)
{
	char cwd[4096];
	if (path[0] == '/')
		return strdup(path);
	if (base == NULL) {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return NULL;
		base = cwd;
	}
	if (strcmp(path, ".") == 0)
		return strdup(base);
	size_t length = strlen(base) + 1 + strlen(path) + 1;
	char *out = malloc(length);
	if (out != NULL)
		snprintf(out, length, "%s/%s", base, path);
	return out;
}

void
config_error(struct config_parser *p, int code, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	diag_vreport(p->d, DIAG_ERROR, p->token_file, p->token_line, format, args);
	va_end(args);
	if (p->error == 0)
		p->error = code;
}

void
config_warning(struct config_parser *p, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	diag_vreport(p->d, DIAG_WARNING, p->token_file, p->token_line, format, args);
	va_end(args);
}

static char *
config_directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return config_resolve_path(NULL, ".");
	if (slash == path)
		return strdup("/");
	char *prefix = strndup(path, (size_t)(slash - path));
	if (prefix == NULL)
		return NULL;
	char *out = config_resolve_path(NULL, prefix);
	free(prefix);
	return out;
}

/* Makes text (copied) the source being read, on top of the current one. */
int
config_push_source(struct config_parser *p, const char *text, size_t length,
	const char *path)
{
	struct config_source *s = calloc(1, sizeof *s);
	if (s == NULL)
		return ZONED_ENOMEM;
	s->text = malloc(length + 1);
	s->path = strdup(path);
	s->directory = config_directory_of(path);
	if (s->text == NULL || s->path == NULL || s->directory == NULL) {
		free(s->text);
		free(s->path);
		free(s->directory);
		free(s);
		return ZONED_ENOMEM;
	}
	memcpy(s->text, text, length);
	s->text[length] = '\0';
	s->length = length;
	s->line = 1;
	s->parent = p->source;
	s->depth = p->source ? p->source->depth + 1 : 0;
	s->next_all = p->all;
	p->all = s;
	p->source = s;
	return 0;
}

int
config_read_file(const char *path, char **text, size_t *length)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return ZONED_EIO;
	size_t size = 0, capacity = 4096;
	char *buffer = malloc(capacity);
	size_t n;
	while (buffer != NULL && (n = fread(buffer + size, 1, capacity - size, f)) > 0) {
		size += n;
		if (size == capacity) {
			char *grown = realloc(buffer, capacity * 2);
			if (grown == NULL) {
				free(buffer);
				buffer = NULL;
			}
			buffer = grown;
			capacity *= 2;
		}
	}
	int failed = ferror(f);
	fclose(f);
	if (buffer == NULL)
		return ZONED_ENOMEM;
	if (failed) {
		free(buffer);
		return ZONED_EIO;
	}
	*text = buffer;
	*length = size;
	return 0;
}

/* Skips blanks and comments; false at the end of every source. */
static bool
config_skip_space(struct config_parser *p)
{
	for (;;) {
		struct config_source *s = p->source;
		if (s == NULL)
			return false;
		if (s->position >= s->length) {
			/* End of an include: back to its parent. At the very end,
			 * "end of file" is reported at the main file's last line. */
			p->token_file = s->path;
			p->token_line = s->line;
			p->source = s->parent;
			continue;
		}
		char c = s->text[s->position];
		char next = s->position + 1 < s->length ? s->text[s->position + 1] : '\0';
		if (c == '\n') {
			s->line++;
			s->position++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			s->position++;
		} else if (c == '#' || (c == '/' && next == '/')) {
			while (s->position < s->length && s->text[s->position] != '\n')
				s->position++;
		} else if (c == '/' && next == '*') {
			unsigned long start = s->line;
			size_t opening = s->position;
			s->position += 2;
			while (s->position < s->length && !(s->text[s->position] == '*'
				&& s->position + 1 < s->length && s->text[s->position + 1] == '/')) {
				if (s->text[s->position] == '\n')
					s->line++;
				s->position++;
			}
			if (s->position >= s->length) {
				/* Back to the opening: config_next reports it there. */
				s->position = opening;
				s->line = start;
				return true;
			}
			s->position += 2;
		} else {
			return true;
		}
	}
}

static bool
config_is_word_char(char c)
{
	return c != '\0' && c != '{' && c != '}' && c != ';' && c != '"' && c != ' '
		&& c != '\t' && c != '\n' && c != '\r' && c != '#';
}

static void
config_read_string(struct config_parser *p, struct config_source *s)
{
	size_t n = 0;
	s->position++;
	while (s->position < s->length && s->text[s->position] != '"') {
		char c = s->text[s->position++];
		if (c == '\\' && s->position < s->length)
			c = s->text[s->position++];
		if (c == '\n')
			s->line++;
		if (n + 1 >= sizeof p->token) {
			config_error(p, ZONED_ESYNTAX, "string too long");
			p->type = TOKEN_ERROR;
			return;
		}
		p->token[n++] = c;
	}
	p->token[n] = '\0';
	if (s->position >= s->length) {
		config_error(p, ZONED_ESYNTAX, "unterminated string");
		p->type = TOKEN_ERROR;
		return;
	}
	s->position++;
	p->type = TOKEN_STRING;
}

/* Reads the next token into p->type and p->token. */
enum config_token
config_next(struct config_parser *p)
{
	p->token[0] = '\0';
	if (!config_skip_space(p)) {
		p->type = TOKEN_EOF;
		return p->type;
	}
	struct config_source *s = p->source;
	p->token_file = s->path;
	p->token_line = s->line;
	char c = s->text[s->position];
	if (c == '/' && s->position + 1 < s->length && s->text[s->position + 1] == '*') {
		config_error(p, ZONED_ESYNTAX, "unterminated comment");
		p->type = TOKEN_ERROR;
		return p->type;
	}
	if (c == '"') {
		config_read_string(p, s);
		return p->type;
	}
	if (c == '{' || c == '}' || c == ';') {
		s->position++;
		p->token[0] = c;
		p->token[1] = '\0';
		p->type = c == '{' ? TOKEN_OPEN : c == '}' ? TOKEN_CLOSE : TOKEN_END;
		if (c == '{')
			p->depth++;
		else if (c == '}' && p->depth > 0)
			p->depth--;
		return p->type;
	}
	size_t n = 0;
	while (s->position < s->length && config_is_word_char(s->text[s->position])) {
		if (s->text[s->position] == '/' && s->position + 1 < s->length
		    && (s->text[s->position + 1] == '/' || s->text[s->position + 1] == '*'))
			break;
		if (n + 1 >= sizeof p->token) {
			config_error(p, ZONED_ESYNTAX, "word too long");
			p->type = TOKEN_ERROR;
			return p->type;
		}
		p->token[n++] = s->text[s->position++];
	}
	p->token[n] = '\0';
	if (n == 0) {
		/* A character no token can start with (a NUL byte): stop here
		 * rather than return an empty word forever. */
		config_error(p, ZONED_ESYNTAX, "unexpected character 0x%02x",
			(unsigned char)s->text[s->position]);
		s->position++;
		p->type = TOKEN_ERROR;
		return p->type;
	}
	p->type = TOKEN_WORD;
	return p->type;
}

const char *
config_token_text(const struct config_parser *p)
{
	switch (p->type) {
	case TOKEN_EOF: return "end of file";
	case TOKEN_ERROR: return "an error";
	default: return p->token;
	}
}

/* Requires the current token to be of type; reports what was found instead. */
bool
config_expect(struct config_parser *p, enum config_token type, const char *what)
{
	if (p->type == type)
		return true;
	if (p->type != TOKEN_ERROR)
		config_error(p, ZONED_ESYNTAX, "expected %s, found '%s'", what,
			config_token_text(p));
	return false;
}

/* Reads the token after a statement's value and requires ';'. */
bool
config_expect_end(struct config_parser *p)
{
	config_next(p);
	return config_expect(p, TOKEN_END, "';'");
}

/* Skips a value up to its ';', blocks included (accepted statements). */
bool
config_skip_statement(struct config_parser *p)
{
	unsigned depth = 0;
	for (;;) {
		switch (config_next(p)) {
		case TOKEN_OPEN:
			depth++;
			break;
		case TOKEN_CLOSE:
			if (depth == 0) {
				config_error(p, ZONED_ESYNTAX, "unexpected '}'");
				return false;
			}
			depth--;
			break;
		case TOKEN_END:
			if (depth == 0)
				return true;
			break;
		case TOKEN_EOF:
			config_error(p, ZONED_ESYNTAX, "unexpected end of file");
			return false;
		case TOKEN_ERROR:
			return false;
		default:
			break;
		}
	}
}

enum config_recovery
config_recover(struct config_parser *p, unsigned depth)
{
	/* The current token may already be the end: the one the error was at. */
	for (;;) {
		/* After the lexer's own error (an unterminated comment...) the text is not trusted. */
		if (p->error == ZONED_ENOMEM || p->type == TOKEN_EOF || p->type == TOKEN_ERROR)
			return CONFIG_RECOVER_STOP;
		if (p->type == TOKEN_END && p->depth == depth)
			return CONFIG_RECOVER_NEXT;
		if (p->type == TOKEN_CLOSE && depth > 0 && p->depth == depth - 1)
			return CONFIG_RECOVER_CLOSED;
		config_next(p);
	}
}

bool
config_next_name(struct config_parser *p, const char *what)
{
	config_next(p);
	if (p->type == TOKEN_STRING || p->type == TOKEN_WORD)
		return true;
	config_expect(p, TOKEN_STRING, what);
	return false;
}

bool
config_parse_port(struct config_parser *p, bool star, uint16_t *port)
{
	config_next(p);
	if (star && p->type == TOKEN_WORD && strcmp(p->token, "*") == 0) {
		*port = 0;
		return true;
	}
	char *end;
	unsigned long value = strtoul(p->token, &end, 10);
	if (p->type != TOKEN_WORD || end == p->token || *end != '\0' || p->token[0] == '-'
	    || value > 65535) {
		config_error(p, ZONED_EINVAL, "port '%s' is not a number from 0 to 65535",
			config_token_text(p));
		return false;
	}
	*port = (uint16_t)value;
	return true;
}

bool
config_parse_list_port(struct config_parser *p, uint16_t *port)
{
	*port = CONFIG_DEFAULT_PORT;
	config_next(p);
	if (p->type == TOKEN_WORD && strcmp(p->token, "port") == 0) {
		if (!config_parse_port(p, false, port))
			return false;
		config_next(p);
	}
	return config_expect(p, TOKEN_OPEN, "'{'");
}

/* Sets the port of an IPv4 or IPv6 socket address. */
static void
config_address_set_port(struct sockaddr_storage *address, uint16_t port)
{
	if (address->ss_family == AF_INET)
		((struct sockaddr_in *)address)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)address)->sin6_port = htons(port);
}

bool
config_parse_remote(struct config_parser *p, const char *statement, const char *named_lists,
	uint16_t port, struct sockaddr_storage *address, socklen_t *length, char **key)
{
	struct config_listen listen;
	*key = NULL;
	if (strcmp(p->token, "any") == 0 || config_parse_address(p->token, port, &listen) != 0) {
		config_error(p, ZONED_EINVAL, "%s '%s' is not an address (named lists of %s are "
			"not implemented)", statement, p->token, named_lists);
		return false;
	}
	*address = listen.address;
	*length = listen.address_length;
	while (config_next(p) == TOKEN_WORD) {
		if (strcmp(p->token, "port") == 0) {
			uint16_t element_port;
			if (!config_parse_port(p, false, &element_port))
				return false;
			config_address_set_port(address, element_port);
		} else if (strcmp(p->token, "key") == 0 && *key == NULL) {
			if (!config_next_name(p, "a key name"))
				return false;
			*key = strdup(p->token);
			if (*key == NULL) {
				config_error(p, ZONED_ENOMEM, "out of memory");
				return false;
			}
		} else {
			config_error(p, ZONED_ESYNTAX, "%s: unexpected '%s' (expected port, key or "
				"';')", statement, p->token);
			return false;
		}
	}
	return config_expect(p, TOKEN_END, "';'");
}

/* A string or a word value followed by ';' into out (malloc'd). */
bool
config_parse_text(struct config_parser *p, const char *name, char **out)
{
	config_next(p);
	if (p->type != TOKEN_STRING && p->type != TOKEN_WORD) {
		config_expect(p, TOKEN_STRING, name);
		return false;
	}
	char *value = strdup(p->token);
	if (value == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	free(*out);
	*out = value;
	return config_expect_end(p);
}

/* include "file";: read it in place (relative to the including file). */
bool
config_parse_include(struct config_parser *p)
{
	config_next(p);
	if (!config_expect(p, TOKEN_STRING, "a quoted file name"))
		return false;
	char *path = config_resolve_path(p->source->directory, p->token);
	if (path == NULL) {
		config_error(p, ZONED_ENOMEM, "out of memory");
		return false;
	}
	if (!config_expect_end(p)) {
		free(path);
		return false;
	}
	if (p->source->depth + 1 >= CONFIG_MAX_INCLUDE_DEPTH) {
		config_error(p, ZONED_ELIMIT, "include %s: nested too deeply", path);
		free(path);
		return false;
	}
	char *text = NULL;
	size_t length = 0;
	int rc = config_read_file(path, &text, &length);
	if (rc != 0) {
		config_error(p, rc, "include %s: %s", path, strerror(errno));
		free(path);
		return false;
	}
	rc = config_push_source(p, text, length, path);
	free(text);
	free(path);
	if (rc != 0) {
		config_error(p, rc, "out of memory");
		return false;
	}
	return true;
}

void
config_free_sources(struct config_parser *p)
{
	while (p->all != NULL) {
		struct config_source *s = p->all;
		p->all = s->next_all;
		free(s->text);
		free(s->path);
		free(s->directory);
		free(s);
	}
}
