/* zone_lex.c: master-file tokenizer: records of tokens with their exact lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zoned/diag.h"
#include "zoned/error.h"
#include "zoned/zone_lex.h"

#define LEX_BUFFER_SIZE (64 * 1024)
#define LEX_EOF (-1)

/* Octets that end or change an unquoted token (RFC 1035 5.1), NUL included. */
static const uint8_t lex_special[256] = {
	[0] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [';'] = 1, ['('] = 1,
	[')'] = 1, ['"'] = 1, ['\\'] = 1,
};

/* The same inside a quoted string. */
static const uint8_t lex_special_quoted[256] = {
	[0] = 1, ['"'] = 1, ['\\'] = 1, ['\n'] = 1,
};

void
lex_open_memory(struct lex_input *in, const char *text, size_t length, const char *name)
{
	memset(in, 0, sizeof *in);
	in->name = name;
	in->fd = -1;
	in->data = (const unsigned char *)text;
	in->length = length;
	in->at_eof = true;
	in->line = 1;
	in->line_start = true;
}

/*
 * Only regular files are read: /dev/zero or /dev/urandom would never end,
 * a FIFO may block forever. Remembers the file's identity for
 * lex_input_changed.
 */
static int
lex_check_regular(struct lex_input *in, int fd, struct stat *st)
{
	if (fstat(fd, st) != 0) {
		in->open_errno = errno;
		return ZONED_EIO;
	}
	if (!S_ISREG(st->st_mode))
		return ZONED_ENOTREG;
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	in->device = st->st_dev;
	in->inode = st->st_ino;
	in->size = st->st_size;
	in->mtime = st->st_mtim;
	return 0;
}

int
lex_open_file(struct lex_input *in, const char *path, const char *name)
{
	memset(in, 0, sizeof *in);
	in->name = name;
	in->fd = -1;   /* until opened: lex_close must not close descriptor 0 */
	in->line = 1;
	in->line_start = true;
	int fd = STDIN_FILENO;
	if (strcmp(path, "-") != 0) {
		/* O_NONBLOCK: opening a FIFO without a writer must not hang us. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			in->open_errno = errno;
			return zoned_error_from_errno(errno);
		}
		struct stat st;
		int rc = lex_check_regular(in, fd, &st);
		if (rc != 0) {
			close(fd);
			return rc;
		}
		in->close_fd = true;
	}
	in->buffer = malloc(LEX_BUFFER_SIZE);
	if (in->buffer == NULL) {
		if (in->close_fd)
			close(fd);
		return ZONED_ENOMEM;
	}
	in->fd = fd;
	in->data = in->buffer;
	return 0;
}

bool
lex_input_changed(const struct lex_input *in, const char *path)
{
	if (in->fd < 0 || !in->close_fd)
		return false;
	struct stat now, named;
	if (fstat(in->fd, &now) != 0 || stat(path, &named) != 0)
		return true;
	return now.st_size != in->size || now.st_mtim.tv_sec != in->mtime.tv_sec
		|| now.st_mtim.tv_nsec != in->mtime.tv_nsec
		|| named.st_dev != in->device || named.st_ino != in->inode;
}

void
lex_close(struct lex_input *in)
{
	if (in->close_fd && in->fd >= 0)
		close(in->fd);
	free(in->buffer);
	in->buffer = NULL;
	in->fd = -1;
	in->close_fd = false;
}

void
lex_record_free(struct lex_record *record)
{
	free(record->text);
	free(record->tokens);
	memset(record, 0, sizeof *record);
}

/* Loads the next window; returns its first octet or LEX_EOF. */
static int
lex_refill(struct lex_input *in)
{
	while (!in->at_eof) {
		if (in->cancel != NULL && *in->cancel) {
			in->cancelled = true;
			break;
		}
		ssize_t got = read(in->fd, in->buffer, LEX_BUFFER_SIZE);
		if (got > 0) {
			in->length = (size_t)got;
			in->position = 1;
			return in->buffer[0];
		}
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			in->read_errno = errno;
		in->at_eof = true;
	}
	in->length = in->position = 0;
	return LEX_EOF;
}

static inline int
lex_getc(struct lex_input *in)
{
	if (in->position < in->length)
		return in->data[in->position++];
	return lex_refill(in);
}

/* Gives back the octet just read (never LEX_EOF): it is still in the window. */
static inline void
lex_ungetc(struct lex_input *in)
{
	in->position--;
}

/* Reports the record's first lexical error; the record is skipped. */
static void
lex_error(struct lex_input *in, struct lex_record *record, struct diag *d,
	unsigned long line, const char *message)
{
	if (record->bad)
		return;
	diag_report(d, DIAG_ERROR, in->name, line, "%s", message);
	record->bad = true;
}

/* Makes room for extra more octets of text. */
static int
lex_reserve(struct lex_record *record, size_t extra)
{
	if (record->text_length + extra <= record->text_capacity)
		return 0;
	size_t capacity = record->text_capacity ? record->text_capacity : 1024;
	while (capacity < record->text_length + extra)
		capacity *= 2;
	char *text = realloc(record->text, capacity);
	if (text == NULL)
		return ZONED_ENOMEM;
	record->text = text;
	record->text_capacity = capacity;
	return 0;
}

/* Appends octets to the open token; over LEX_RECORD_MAX the record goes bad. */
static int
lex_append(struct lex_input *in, struct lex_record *record, struct diag *d,
	const unsigned char *octets, size_t count)
{
	if (record->bad)
		return 0;
	if (record->text_length + count > LEX_RECORD_MAX) {
		/* BIND says "ran out of space"; say which limit was hit. */
		lex_error(in, record, d, in->line,
			"record too long (over " LEX_RECORD_MAX_TEXT " octets of text)");
		return 0;
	}
	if (lex_reserve(record, count + 1) != 0)
		return ZONED_ENOMEM;
	memcpy(record->text + record->text_length, octets, count);
	record->text_length += count;
	return 0;
}

static int
lex_append_octet(struct lex_input *in, struct lex_record *record, struct diag *d, int c)
{
	unsigned char octet = (unsigned char)c;
	return lex_append(in, record, d, &octet, 1);
}

/* Opens a token at the end of the text; nothing is kept for a bad record. */
static int
lex_token_begin(struct lex_input *in, struct lex_record *record, bool quoted)
{
	if (record->bad)
		return 0;
	if (record->token_count == 0)
		record->blank_owner = in->line_indented;
	if (record->token_count == record->token_capacity) {
		size_t capacity = record->token_capacity ? record->token_capacity * 2 : 32;
		struct lex_token *tokens = realloc(record->tokens, capacity * sizeof *tokens);
		if (tokens == NULL)
			return ZONED_ENOMEM;
		record->tokens = tokens;
		record->token_capacity = capacity;
	}
	struct lex_token *token = &record->tokens[record->token_count++];
	token->offset = record->text_length;
	token->length = 0;
	token->line = in->line;
	token->quoted = quoted;
	return 0;
}

static int
lex_token_end(struct lex_record *record)
{
	if (record->bad)
		return 0;
	if (lex_reserve(record, 1) != 0)
		return ZONED_ENOMEM;
	struct lex_token *token = &record->tokens[record->token_count - 1];
	token->length = record->text_length - token->offset;
	record->text[record->text_length++] = '\0';
	return 0;
}

/*
 * Copies the rest of an escape after its backslash. \DDD above 255 is an
 * error (RFC 1035 5.1 allows only octet values); a backslash before the end
 * of the line or input escapes nothing.
 */
static int
lex_read_escape(struct lex_input *in, struct lex_record *record, struct diag *d)
{
	int c = lex_getc(in);
	if (c == LEX_EOF)
		return 0;
	if (c == '\n') {
		lex_ungetc(in);
		return 0;
	}
	if (c < '0' || c > '9')
		return lex_append_octet(in, record, d, c);
	int value = c - '0', digits = 1;
	int rc = lex_append_octet(in, record, d, c);
	while (rc == 0 && digits < 3) {
		c = lex_getc(in);
		if (c == LEX_EOF)
			break;
		if (c < '0' || c > '9') {
			lex_ungetc(in);
			break;
		}
		value = value * 10 + (c - '0');
		digits++;
		rc = lex_append_octet(in, record, d, c);
	}
	if (rc == 0 && digits == 3 && value > 255)
		lex_error(in, record, d, in->line, "bad escape");
	return rc;
}

/* Reads an unquoted token starting with octet c. */
static int
lex_read_word(struct lex_input *in, struct lex_record *record, struct diag *d, int c)
{
	int rc = lex_token_begin(in, record, false);
	while (rc == 0) {
		if (c == LEX_EOF)
			break;
		if (c == '\\') {
			rc = lex_append_octet(in, record, d, c);
			if (rc == 0)
				rc = lex_read_escape(in, record, d);
		} else if (c == '\0') {
			lex_error(in, record, d, in->line, "unexpected NUL byte");
		} else if (lex_special[c]) {
			lex_ungetc(in);
			break;
		} else {
			/* The common case: a run of plain octets inside the window. */
			size_t start = in->position - 1;
			while (in->position < in->length && !lex_special[in->data[in->position]])
				in->position++;
			rc = lex_append(in, record, d, in->data + start, in->position - start);
		}
		if (rc == 0)
			c = lex_getc(in);
	}
	return rc != 0 ? rc : lex_token_end(record);
}

/* Reads a "quoted string" after its opening quote; it may not span lines. */
static int
lex_read_quoted(struct lex_input *in, struct lex_record *record, struct diag *d)
{
	unsigned long line = in->line;
	int rc = lex_token_begin(in, record, true);
	while (rc == 0) {
		int c = lex_getc(in);
		if (c == '"')
			break;
		if (c == LEX_EOF) {
			lex_error(in, record, d, line, "unbalanced quotes");
			break;
		}
		if (c == '\n') {
			lex_error(in, record, d, line, "unbalanced quotes");
			lex_ungetc(in);
			break;
		}
		if (c == '\\') {
			rc = lex_append_octet(in, record, d, c);
			if (rc == 0)
				rc = lex_read_escape(in, record, d);
		} else if (c == '\0') {
			lex_error(in, record, d, in->line, "unexpected NUL byte");
		} else {
			size_t start = in->position - 1;
			while (in->position < in->length && !lex_special_quoted[in->data[in->position]])
				in->position++;
			rc = lex_append(in, record, d, in->data + start, in->position - start);
		}
	}
	return rc != 0 ? rc : lex_token_end(record);
}

/* Skips a comment up to (not including) the end of the line. */
static void
lex_skip_comment(struct lex_input *in)
{
	for (;;) {
		const unsigned char *newline = memchr(in->data + in->position, '\n',
			in->length - in->position);
		if (newline != NULL) {
			in->position = (size_t)(newline - in->data);
			return;
		}
		in->position = in->length;
		if (lex_refill(in) == LEX_EOF)
			return;
		lex_ungetc(in);
	}
}

int
lex_read_record(struct lex_input *in, struct lex_record *record, struct diag *d)
{
	record->text_length = 0;
	record->token_count = 0;
	record->blank_owner = false;
	record->bad = false;
	record->at_eof = false;
	record->unbalanced = false;
	int depth = 0, rc = 0;
	for (;;) {
		int c = lex_getc(in);
		if (in->line_start) {
			in->line_start = false;
			in->line_indented = c == ' ' || c == '\t';
		}
		switch (c) {
		case LEX_EOF:
			if (in->cancelled)
				return ZONED_ECANCELED;
			if (in->read_errno != 0)
				return ZONED_EIO;
			/* RFC 1035 5.1: parentheses group lines; one left open is an error. */
			/*
			 * The open "(" took everything up to here: the record is
			 * handed on whole, and its reader says what BIND says.
			 */
			record->unbalanced = depth > 0;
			record->end_line = in->line;
			record->at_eof = true;
			return record->token_count > 0 || record->bad ? 1 : 0;
		case '\n':
			in->line++;
			in->line_start = true;
			if (depth == 0 && (record->token_count > 0 || record->bad)) {
				record->end_line = in->line - 1;
				return 1;
			}
			break;
		case ' ':
		case '\t':
		case '\r':
			break;
		case ';':
			lex_skip_comment(in);
			break;
		case '(':
			depth++;
			break;
		case ')':
			if (depth == 0)
				lex_error(in, record, d, in->line, "unbalanced parentheses");
			else
				depth--;
			break;
		case '"':
			rc = lex_read_quoted(in, record, d);
			break;
		default:
			rc = lex_read_word(in, record, d, c);
			break;
		}
		if (rc != 0)
			return rc;
	}
}
