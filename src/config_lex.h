/* config_lex.h: internal to the config parser: tokens, sources, includes. */
#ifndef ZONED_CONFIG_LEX_H
#define ZONED_CONFIG_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zoned/config.h"

struct acl_definition;
struct acl_list;
struct config;
struct config_listen;
struct config_notify;
struct config_zone;
struct diag;

/*
 * The parser: a tokenizer over a stack of sources (include pushes one), and
 * one function per block. The grammar is BIND's: statements end with ';',
 * blocks are { ... };, strings are double-quoted, comments are //, # and
 * C-style.
 */

#define CONFIG_MAX_INCLUDE_DEPTH 10
#define CONFIG_MAX_TOKEN 1024

enum config_token {
	TOKEN_EOF,
	TOKEN_WORD,
	TOKEN_STRING,
	TOKEN_OPEN,    /* { */
	TOKEN_CLOSE,   /* } */
	TOKEN_END,     /* ; */
	TOKEN_ERROR,
};

struct config_source {
	struct config_source *parent;      /* the includer, while being read */
	struct config_source *next_all;    /* every source, freed at the end */
	char *text;
	size_t length;
	size_t position;
	char *path;                        /* as used in messages */
	char *directory;                   /* base of relative paths named here */
	unsigned long line;
	unsigned depth;
};

/* A zone seen before "directory" may be: its path is resolved at the end. */
struct config_pending_zone {
	char *name;
	char *file;
	const char *source;
	unsigned long line;
	struct acl_list *allow_query;      /* NULL: none given */
	struct config_notify notify;       /* moved to the config_zone */
	struct acl_list *allow_transfer;   /* NULL: none given */
	struct config_journal journal;     /* path as written until resolved */
	bool secondary;                    /* type secondary */
	struct config_primary *primaries;  /* moved to the config_zone */
	size_t primary_count;
	struct acl_list *allow_notify;     /* NULL: none given */
};

struct config_parser {
	struct config *config;
	struct diag *d;
	struct config_source *source;      /* being read */
	struct config_source *all;
	struct config_pending_zone *zones;
	size_t zone_count;
	struct acl_definition *acls;       /* acl statements, compiled at the end */
	size_t acl_count;
	struct acl_list *allow_query;      /* options' lists, compiled at the end */
	struct acl_list *blackhole;
	struct acl_list *allow_transfer;
	struct acl_list *exempt_clients;   /* rate-limit's */
	struct acl_list *allow_notify;     /* options' allow-notify */
	struct acl_list **channel_allow;   /* by config->statistics_channels; NULL: none */
	bool options_seen;
	const char *also_notify_file;     /* where options' also-notify is, for late checks */
	unsigned long also_notify_line;
	bool directory_seen;
	int error;                         /* first error code, 0 if none */
	unsigned depth;                    /* braces open after the current token */
	enum config_token type;            /* the current token */
	char token[CONFIG_MAX_TOKEN];
	const char *token_file;
	unsigned long token_line;
};

/* Reports an error at the current token's file:line; the first code sticks. */
void config_error(struct config_parser *p, int code, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports a warning at the current token's file:line. */
void config_warning(struct config_parser *p, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Reads a whole file (malloc'd). Returns 0, ZONED_EIO (errno set) or ZONED_ENOMEM. */
int config_read_file(const char *path, char **text, size_t *length);

/* Makes a copy of text the source being read, on top of the current one. */
int config_push_source(struct config_parser *p, const char *text, size_t length,
	const char *path);

/* Frees every source read. */
void config_free_sources(struct config_parser *p);

/* Reads the next token into p->type and p->token (includes are followed). */
enum config_token config_next(struct config_parser *p);

/* The current token for messages. */
const char *config_token_text(const struct config_parser *p);

/* Requires the current token to be of type; reports what was found instead. */
bool config_expect(struct config_parser *p, enum config_token type, const char *what);

/* Reads the token after a statement's value and requires ';'. */
bool config_expect_end(struct config_parser *p);

/* Skips a value up to its ';', blocks included. */
bool config_skip_statement(struct config_parser *p);

/* Where config_recover() left the parser. */
enum config_recovery {
	CONFIG_RECOVER_NEXT,     /* at the failed statement's ';': parse the next one */
	CONFIG_RECOVER_CLOSED,   /* read the '}' of the block around it */
	CONFIG_RECOVER_STOP,     /* out of memory or end of input: parse no more */
};

/*
 * After a statement that began at brace depth failed: skips to its end so
 * that the errors of the statements after it are reported too (as
 * named-checkconf does), not only the first.
 */
enum config_recovery config_recover(struct config_parser *p, unsigned depth);

/* Reads the name after a statement word (zone, acl, key): true when it is one. */
bool config_next_name(struct config_parser *p, const char *what);

/*
 * The number after "port" (the current token) into *port: 0 to 65535, or
 * with star "*" (any port: 0). False, with the error reported, otherwise.
 */
bool config_parse_port(struct config_parser *p, bool star, uint16_t *port);

/* Reads "[port N] {" before an address list: *port is N or CONFIG_DEFAULT_PORT. */
bool config_parse_list_port(struct config_parser *p, uint16_t *port);

/*
 * One element of a list of remote servers (primaries, also-notify), the
 * address being the current token: address [port N] [key "name"] ';'.
 * port is the list's; *key is malloc'd (NULL: none) and the caller's even
 * on failure. Errors name statement ("primaries") and what named lists
 * would be (not implemented).
 */
bool config_parse_remote(struct config_parser *p, const char *statement, const char *named_lists,
	uint16_t port, struct sockaddr_storage *address, socklen_t *length, char **key);

/* A string or word value followed by ';' into *out (malloc'd, replacing it). */
bool config_parse_text(struct config_parser *p, const char *name, char **out);

/* Reads { statement; ... }; calling parse for each statement word (include too). */
bool config_parse_block(struct config_parser *p, bool (*parse)(struct config_parser *, void *),
	void *arg);

/* include "file";: continues reading in that file, relative to the includer. */
bool config_parse_include(struct config_parser *p);

/* In config_cookie.c: */

/* True when word is answer-cookie, cookie-secret, require-server-cookie or cookie-algorithm. */
bool config_is_cookie_option(const char *word);

/* Parses that option (its word is the current token) into p->config. */
bool config_parse_cookie_option(struct config_parser *p);

/* In config_transfer.c: */

/* True when word is transfers-out, max-transfer-idle-out or max-transfer-time-out. */
bool config_is_transfer_option(const char *word);

/* Parses that option (its word is the current token) into p->config. */
bool config_parse_transfer_option(struct config_parser *p);

/* In config_acl.c: */

/* acl "name" { element; ... }; */
bool config_parse_acl(struct config_parser *p);

/* key "name" { algorithm hmac-sha256; secret "base64"; }; */
bool config_parse_key(struct config_parser *p);

/* { element; ... }; after the statement word, into *slot (what: for messages). */
bool config_parse_match_list(struct config_parser *p, const char *what,
	struct acl_list **slot);

/* Compiles the acl statements and the options' lists into p->config. */
bool config_compile_acls(struct config_parser *p);

/* Compiles a pending zone's allow-query and allow-transfer into zone. */
bool config_compile_zone_acl(struct config_parser *p, struct config_pending_zone *pending,
	struct config_zone *zone);

/* Frees the parse trees held by p. */
void config_acl_cleanup(struct config_parser *p);

/* In config.c: parses an IPv4 or IPv6 literal ("any" and "::" are the wildcards). */
int config_parse_address(const char *text, uint16_t port, struct config_listen *listen);

/* In config.c: this machine's name (gethostname), malloc'd; "" when it has none. */
char *config_gethostname(void);

/* In config_statistics.c: statistics-channels { inet ADDRESS [port N] [allow { ... }]; }; */
bool config_parse_statistics_channels(struct config_parser *p);

/* In config_control.c: controls { unix "PATH" [perm N] [owner N] [group N]; }; */
bool config_parse_controls(struct config_parser *p);

/* In config_notify.c: */

/* notify yes | no | explicit; after the word, into notify. */
bool config_parse_notify(struct config_parser *p, struct config_notify *notify);

/* also-notify [port N] { address [port N] [key "k"]; ... }; after the word. */
bool config_parse_also_notify(struct config_parser *p, struct config_notify *notify);

/* notify-source (family AF_INET) or notify-source-v6 (AF_INET6), after the word. */
bool config_parse_notify_source(struct config_parser *p, int family);

/* Requires each key of zone's also-notify (NULL: the options') to be defined. */
bool config_check_notify_keys(struct config_parser *p, const struct config_notify *zone);

/* Frees what notify owns and clears it. */
void config_notify_free(struct config_notify *notify);

/* In config_secondary.c: */

/* primaries (or masters) [port N] { address [port N] [key "k"]; ... }; after the word. */
bool config_parse_primaries(struct config_parser *p, struct config_primary **primaries,
	size_t *count);

/* True when word is min-refresh-time, max-refresh-time, min-retry-time or max-retry-time. */
bool config_is_refresh_option(const char *word);

/* Parses that option (its word is the current token) into p->config. */
bool config_parse_refresh_option(struct config_parser *p);

/* Frees a primaries list. */
void config_primaries_free(struct config_primary *primaries, size_t count);

/*
 * Checks a secondary zone's settings once parsed: primaries given (and only
 * for a secondary), each key defined. Reports and returns false otherwise.
 */
bool config_check_secondary(struct config_parser *p, const struct config_zone *zone);

/* Joins a relative path to base (NULL: the current directory); malloc'd. */
char *config_resolve_path(const char *base, const char *path);

/* In src/config_journal.c: */
/* max-journal-size size | unlimited | default; (BIND's size syntax: k, m, g suffixes) */
bool config_parse_journal_size(struct config_parser *p, uint64_t *size);

/* Whether word is a zone's journal statement (journal, max-journal-size). */
bool config_is_journal_option(const char *word);

/* Parses the zone's journal statement at the current token into journal. */
bool config_parse_journal_option(struct config_parser *p, struct config_journal *journal);

/* Resolves the journal path of pending (written) into zone's, against directory. */
bool config_set_zone_journal(struct config_parser *p, struct config_pending_zone *pending,
	struct config_zone *zone);

#endif
