/*
 * zone_lex.h: split RFC 1035 master-file text into records of tokens
 * (comments, parentheses, quoted strings, escapes, exact line numbers).
 */
#ifndef ZONED_ZONE_LEX_H
#define ZONED_ZONE_LEX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct diag;

/* A record longer than this (token text, in octets) is reported and skipped. */
#define LEX_RECORD_MAX (1024 * 1024)
#define LEX_RECORD_MAX_TEXT "1048576"

/* One token; its text is record->text + offset, NUL-terminated, escapes kept. */
struct lex_token {
	size_t offset;
	size_t length;
	unsigned long line;      /* line the token starts on */
	bool quoted;             /* was "..." (quotes removed) */
};

/*
 * One logical record: the tokens of a line, or of several lines joined by
 * parentheses (RFC 1035 5.1). Buffers are reused from record to record.
 */
struct lex_record {
	char *text;
	size_t text_length, text_capacity;
	struct lex_token *tokens;
	size_t token_count, token_capacity;
	unsigned long end_line;  /* line on which the record ended */
	bool blank_owner;        /* its first line began with white space */
	bool bad;                /* a lexical error was reported: skip it */
	bool at_eof;             /* ended by the end of the input, not a newline */
	bool unbalanced;         /* a "(" still open at the end of the input (RFC 1035 5.1) */
};

/* A source of master-file text: a file descriptor or a memory buffer. */
struct lex_input {
	const char *name;              /* for messages */
	int fd;                        /* -1 for memory input */
	bool close_fd;
	const unsigned char *data;     /* current window */
	size_t length, position;
	unsigned char *buffer;         /* owned, for fd input */
	int read_errno;                /* set when a read failed */
	bool at_eof;
	bool line_start;               /* next character starts a line */
	bool line_indented;            /* the current line began with white space */
	bool cancelled;                /* *cancel was seen set: reading stopped */
	unsigned long line;
	/* Polled before each read: a set flag ends the input (SIGTERM). */
	const volatile sig_atomic_t *cancel;
	int open_errno;                /* why lex_open_file failed with ZONED_EIO */
	/* What the file looked like when opened (fstat), to see it change. */
	dev_t device;
	ino_t inode;
	off_t size;
	struct timespec mtime;
};

/* Prepares in to read text[0..length) (not copied). Cannot fail. */
void lex_open_memory(struct lex_input *in, const char *text, size_t length,
	const char *name);

/*
 * Prepares in to read the file at path, or standard input when path is
 * "-". Only a regular file is read: a directory, FIFO or device (say
 * /dev/zero, which never ends) is refused. Returns 0, ZONED_ENOENT,
 * ZONED_EACCES, ZONED_ENOTREG, ZONED_ENOMEM or ZONED_EIO (in->open_errno
 * then says why).
 */
int lex_open_file(struct lex_input *in, const char *path, const char *name);

/*
 * After the input was read to its end: true when the file changed while it
 * was read (its size or modification time differs from when it was opened,
 * or path now names another file), i.e. a writer was still at work. Always
 * false for memory input and standard input.
 */
bool lex_input_changed(const struct lex_input *in, const char *path);

/* Releases what lex_open_* acquired. */
void lex_close(struct lex_input *in);

/*
 * Reads the next record into record. Lexical errors (unbalanced
 * parentheses or quotes, \DDD over 255, an overlong
 * record) are reported to d with in->name and the line, and mark the record
 * bad. Returns 1 with a record, 0 at the end of input, ZONED_EIO when a
 * read failed (in->read_errno says why), ZONED_ECANCELED when *in->cancel
 * was set, or ZONED_ENOMEM.
 */
int lex_read_record(struct lex_input *in, struct lex_record *record, struct diag *d);

/* Frees the record's buffers. */
void lex_record_free(struct lex_record *record);

#endif
